//! One Mend profile, opened: the store and the shared document behind the API that the GUI
//! and the CLI share. Front ends send [`Command`]s and read the [`View`]; they never touch
//! Automerge or files themselves.

mod command;
mod engine;
mod error;
pub mod export;
mod history;
mod ids;
pub mod pairing;
mod sync_space;
pub mod when;

pub use command::Command;
pub use engine::{Engine, Outcome};
pub use error::EngineError;
pub use history::HistoryEntry;
pub use mend_core::{self as core, View};
pub use mend_store::{DeviceKey, Recovery};
pub use mend_sync as sync;

/// Whether `dir` holds a finished Mend profile.
pub fn profile_exists(dir: &std::path::Path) -> bool {
    mend_store::Profile::exists(dir)
}
