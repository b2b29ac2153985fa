use mend_core::CoreError;
use mend_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Core(#[from] CoreError),
    /// A peer's changes were refused before any of them was applied or saved.
    #[error("another device sent {0}; nothing it sent was kept")]
    Refused(#[from] mend_core::Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no {kind} matches \"{given}\": copy the id from `mend {kind} list`")]
    NoMatch { kind: &'static str, given: String },
    #[error("\"{given}\" matches {count} {kind}s: give more of the id")]
    Ambiguous { kind: &'static str, given: String, count: usize },
    #[error("\"{given}\" is not a time Mend understands: use 18:30, 2026-12-01 18:30, 2026-12-01, +45m, +2h or +3d")]
    BadTime { given: String },
    #[error(transparent)]
    Sync(#[from] mend_sync::SyncError),
    #[error("{0}")]
    Pairing(String),
    #[error("this device is not in the shared space, so Mend can't tell whose it is: restore profile.json from a backup")]
    UnknownDevice,
}
