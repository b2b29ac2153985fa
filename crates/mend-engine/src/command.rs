use mend_core::{Category, CheckInKind, DeviceId, HeardAnswer, LoveLanguage, PartnerId, RepairResponse, Repeat, Timestamp};

/// What a person asks for, as a front end hands it over. Ids may be a unique prefix or
/// suffix of a record's id; new ids are made by the engine.
// Serialized only to hand a command to the running node of the same profile (node::door).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Command {
    /// Trusts a device this one just paired with (ids are exact: they come from the network).
    TrustDevice {
        device: DeviceId,
        partner: PartnerId,
        name: String,
    },
    /// Takes a device off the trusted list; `id` may be a unique start or end of its id.
    RemoveDevice {
        id: String,
    },
    /// Renames one of one's own devices; `id` as for `RemoveDevice`.
    RenameDevice {
        id: String,
        name: String,
    },
    /// Leaves the space: every other device (the partner's and one's own) comes off this
    /// device's trusted list, so it syncs with no one; everything stays on this device.
    LeaveSpace,
    UpdateProfile {
        name: Option<String>,
        love_languages: Option<Vec<LoveLanguage>>,
        needs: Option<String>,
    },
    ProposeAgreement {
        category: Category,
        text: String,
    },
    ReviseAgreement {
        id: String,
        text: String,
    },
    AcceptAgreement {
        id: String,
    },
    ScheduleReview {
        id: String,
        at: Option<Timestamp>,
    },
    ArchiveAgreement {
        id: String,
    },
    MakePromise {
        text: String,
        due: Option<Timestamp>,
        repeat: Repeat,
        from_repair: Option<String>,
    },
    KeepPromise {
        id: String,
    },
    MissPromise {
        id: String,
    },
    RenegotiatePromise {
        id: String,
        due: Timestamp,
    },
    AcknowledgePromise {
        id: String,
    },
    AddGratitude {
        text: String,
        about: Option<String>,
    },
    AddCheckIn {
        kind: CheckInKind,
        prompt: Option<String>,
        connection: i64,
        trust: i64,
        heard: i64,
        note: Option<String>,
    },
    AddRepair {
        what_happened: String,
        what_i_did: String,
        impact: String,
        next_time: String,
    },
    RespondRepair {
        id: String,
        response: RepairResponse,
    },
    StartPause {
        minutes: i64,
        note: Option<String>,
    },
    EndPause,
    AddGoal {
        text: String,
    },
    AddGoalStep {
        goal: String,
        text: String,
    },
    /// Marks a step done; `step` is the step's id (its goal is found from it).
    DoneGoalStep {
        step: String,
    },
    CelebrateGoal {
        id: String,
    },
    PlanTogether {
        text: String,
        when: Option<Timestamp>,
    },
    AddIdea {
        text: String,
    },
    /// Suggests a time to talk after a pause.
    SuggestTalk {
        when: Timestamp,
        note: Option<String>,
    },
    DoneTogether {
        id: String,
    },
    /// "What I heard" on the partner's repair or check-in `about`.
    WriteHeard {
        about: String,
        text: String,
    },
    /// Answers the newest reflection on one's own repair or check-in `about`.
    AnswerHeard {
        about: String,
        answer: HeardAnswer,
        note: Option<String>,
    },
    /// Answers the question of `day` (`YYYY-MM-DD`), sealed on this device.
    AnswerQuestion {
        day: String,
        question: String,
        text: String,
    },
}
