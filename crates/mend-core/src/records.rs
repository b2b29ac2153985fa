//! The records of the shared space, as the view presents them: one name for every kind's
//! types, wherever its room keeps them (`kinds`). Each is read from its own map in the
//! document, so one record can be refreshed without touching the others.

pub use crate::kinds::agreement::{Agreement, AgreementGroup, AgreementState, Category, Revision};
pub use crate::kinds::answer::{QuestionAnswer, answer_key, is_day};
pub use crate::kinds::checkin::{CheckIn, CheckInKind};
pub use crate::kinds::device::Device;
pub use crate::kinds::goal::{Done, Goal, Step};
pub use crate::kinds::gratitude::Gratitude;
pub use crate::kinds::heard::{Heard, HeardAbout, HeardAnswer, HeardReply};
pub use crate::kinds::partner::{LoveLanguage, Partner};
pub use crate::kinds::pause::Pause;
pub use crate::kinds::promise::{Occurrence, Outcome, Promise, PromiseState, Repeat};
pub use crate::kinds::repair::{Answer, Repair, RepairResponse};
pub use crate::kinds::together::{Together, TogetherKind};
