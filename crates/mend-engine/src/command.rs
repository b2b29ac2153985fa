use mend_core::{Category, CheckInKind, LoveLanguage, RepairResponse, Repeat, Timestamp};

/// What a person asks for, as a front end hands it over. Ids may be a unique prefix or
/// suffix of a record's id; new ids are made by the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    UpdateProfile { name: Option<String>, love_languages: Option<Vec<LoveLanguage>>, needs: Option<String> },
    ProposeAgreement { category: Category, text: String },
    ReviseAgreement { id: String, text: String },
    AcceptAgreement { id: String },
    ScheduleReview { id: String, at: Option<Timestamp> },
    ArchiveAgreement { id: String },
    MakePromise { text: String, due: Option<Timestamp>, repeat: Repeat, from_repair: Option<String> },
    KeepPromise { id: String },
    MissPromise { id: String },
    RenegotiatePromise { id: String, due: Timestamp },
    AcknowledgePromise { id: String },
    AddGratitude { text: String, about: Option<String> },
    AddCheckIn { kind: CheckInKind, prompt: Option<String>, connection: i64, trust: i64, heard: i64, note: Option<String> },
    AddRepair { what_happened: String, what_i_did: String, impact: String, next_time: String },
    RespondRepair { id: String, response: RepairResponse },
    StartPause { minutes: i64, note: Option<String> },
    EndPause,
}
