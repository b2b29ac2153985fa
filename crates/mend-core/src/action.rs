//! What a partner can do to the shared space. Ids and times come from the caller so that the
//! same action applied on any replica writes the same thing.

use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::records::{Category, CheckInKind, HeardAnswer, LoveLanguage, RepairResponse, Repeat};
use serde::{Deserialize, Serialize};

/// Who acts: a device, which belongs to a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub partner: PartnerId,
    pub device: DeviceId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Records this partner (if new) and this device. Used at set-up and when a device joins.
    RegisterDevice {
        partner_name: Option<String>,
        device_name: String,
    },
    /// Adds another device to the space's trusted devices (done by the device that paired it).
    TrustDevice {
        device: DeviceId,
        partner: PartnerId,
        name: String,
    },
    /// Takes a device off the trusted list: it can no longer sync with this space.
    RemoveDevice {
        device: DeviceId,
    },
    /// Stops this partner's devices (this one included) from syncing with the space: the
    /// way to stop syncing with the other partner, the same for both of them.
    LeaveSpace,
    /// Gives one of one's own devices the name the person chose.
    RenameDevice {
        device: DeviceId,
        name: String,
    },
    UpdateProfile {
        name: Option<String>,
        love_languages: Option<Vec<LoveLanguage>>,
        needs: Option<String>,
    },
    ProposeAgreement {
        id: RecordId,
        revision: RecordId,
        category: Category,
        text: String,
    },
    ReviseAgreement {
        id: RecordId,
        revision: RecordId,
        text: String,
    },
    AcceptAgreement {
        id: RecordId,
    },
    ScheduleReview {
        id: RecordId,
        at: Option<Timestamp>,
    },
    ArchiveAgreement {
        id: RecordId,
    },
    MakePromise {
        id: RecordId,
        text: String,
        due: Option<Timestamp>,
        repeat: Repeat,
        from_repair: Option<RecordId>,
    },
    KeepPromise {
        id: RecordId,
    },
    MissPromise {
        id: RecordId,
    },
    RenegotiatePromise {
        id: RecordId,
        due: Timestamp,
    },
    AcknowledgePromise {
        id: RecordId,
    },
    AddGratitude {
        id: RecordId,
        text: String,
        about: Option<RecordId>,
    },
    AddCheckIn {
        id: RecordId,
        kind: CheckInKind,
        prompt: Option<String>,
        connection: i64,
        trust: i64,
        heard: i64,
        note: Option<String>,
    },
    AddRepair {
        id: RecordId,
        what_happened: String,
        what_i_did: String,
        impact: String,
        next_time: String,
    },
    RespondRepair {
        id: RecordId,
        response: RepairResponse,
    },
    StartPause {
        minutes: i64,
        note: Option<String>,
    },
    EndPause,
    AddGoal {
        id: RecordId,
        text: String,
    },
    AddGoalStep {
        goal: RecordId,
        id: RecordId,
        text: String,
    },
    DoneGoalStep {
        goal: RecordId,
        step: RecordId,
    },
    CelebrateGoal {
        id: RecordId,
    },
    PlanTogether {
        id: RecordId,
        text: String,
        when: Option<Timestamp>,
    },
    AddIdea {
        id: RecordId,
        text: String,
    },
    /// Suggests a time to talk once a pause is over (either partner may).
    SuggestTalk {
        id: RecordId,
        when: Timestamp,
        note: Option<String>,
    },
    DoneTogether {
        id: RecordId,
    },
    /// "What I heard": a reflection on the other partner's repair or check-in answer.
    WriteHeard {
        id: RecordId,
        about: RecordId,
        text: String,
    },
    AnswerHeard {
        id: RecordId,
        answer: HeardAnswer,
        note: Option<String>,
    },
    /// An answer to the question of `day`, sealed by the engine (see `kinds::answer`).
    AnswerQuestion {
        day: String,
        question: String,
        sealed: Vec<u8>,
    },
    /// Publishes the key of this partner's sealed answer `id`.
    OpenAnswer {
        id: RecordId,
        key: Vec<u8>,
    },
}

impl Action {
    /// The commit message: what the history shows. Stable words, then the record id.
    pub fn describe(&self) -> String {
        use Action::*;
        match self {
            RegisterDevice { .. } => "device.register".into(),
            TrustDevice { device, .. } => format!("device.trust {device}"),
            RemoveDevice { device } => format!("device.remove {device}"),
            RenameDevice { device, .. } => format!("device.rename {device}"),
            LeaveSpace => "device.leave".into(),
            UpdateProfile { .. } => "profile.update".into(),
            ProposeAgreement { id, .. } => format!("agreement.propose {id}"),
            ReviseAgreement { id, .. } => format!("agreement.revise {id}"),
            AcceptAgreement { id } => format!("agreement.accept {id}"),
            ScheduleReview { id, .. } => format!("agreement.review {id}"),
            ArchiveAgreement { id } => format!("agreement.archive {id}"),
            MakePromise { id, .. } => format!("promise.make {id}"),
            KeepPromise { id } => format!("promise.keep {id}"),
            MissPromise { id } => format!("promise.miss {id}"),
            RenegotiatePromise { id, .. } => format!("promise.renegotiate {id}"),
            AcknowledgePromise { id } => format!("promise.ack {id}"),
            AddGratitude { id, .. } => format!("gratitude.add {id}"),
            AddCheckIn { id, .. } => format!("checkin.add {id}"),
            AddRepair { id, .. } => format!("repair.add {id}"),
            RespondRepair { id, .. } => format!("repair.respond {id}"),
            StartPause { .. } => "pause.start".into(),
            EndPause => "pause.end".into(),
            AddGoal { id, .. } => format!("goal.add {id}"),
            AddGoalStep { goal, id, .. } => format!("goal.step {goal} {id}"),
            DoneGoalStep { goal, step } => format!("goal.done {goal} {step}"),
            CelebrateGoal { id } => format!("goal.celebrate {id}"),
            PlanTogether { id, .. } => format!("together.plan {id}"),
            AddIdea { id, .. } => format!("together.idea {id}"),
            SuggestTalk { id, .. } => format!("together.talk {id}"),
            DoneTogether { id } => format!("together.done {id}"),
            WriteHeard { id, .. } => format!("heard.write {id}"),
            AnswerHeard { id, .. } => format!("heard.answer {id}"),
            AnswerQuestion { day, question, .. } => format!("question.answer {day}~{question}"),
            OpenAnswer { id, .. } => format!("question.open {id}"),
        }
    }

    /// Whether the action writes one of the practices' collections, which the second layout
    /// change makes (see `schema::practices`).
    pub fn is_practice(&self) -> bool {
        use Action::*;
        matches!(
            self,
            AddGoal { .. }
                | AddGoalStep { .. }
                | DoneGoalStep { .. }
                | CelebrateGoal { .. }
                | PlanTogether { .. }
                | AddIdea { .. }
                | SuggestTalk { .. }
                | DoneTogether { .. }
                | WriteHeard { .. }
                | AnswerHeard { .. }
                | AnswerQuestion { .. }
                | OpenAnswer { .. }
        )
    }
}
