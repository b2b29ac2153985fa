//! Mend's domain: the records a couple keeps together, the rules that govern them, and the
//! layout of the shared Automerge document. Plain Rust with no I/O and no clock: callers pass
//! the time and the ids in, so every rule can be tested in microseconds and property-tested.

pub mod action;
pub mod attest;
pub mod decks;
pub mod error;
pub mod ids;
pub mod incoming;
pub mod notice;
pub mod queries;
pub mod records;
pub mod schema;
pub mod shared;
pub mod stats;
pub mod trust;
pub mod validate;
pub mod view;
pub mod waiting;

mod kinds;
mod read;
mod write;

pub use action::{Action, Actor};
pub use error::CoreError;
pub use ids::{DeviceId, PartnerId, RecordId, Timestamp};
pub use incoming::Refusal;
pub use records::*;
pub use shared::{Applied, Changed, SharedDoc, ViewFit};
pub use trust::{Broke, Doubt, RecordCheck};
pub use view::View;
pub use waiting::{Waiting, WaitingKind, waiting_for};
