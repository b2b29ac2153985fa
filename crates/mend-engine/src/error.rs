use mend_core::CoreError;
use mend_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no {kind} matches \"{given}\": copy the id from {}", list_command(kind))]
    NoMatch { kind: &'static str, given: String },
    #[error("\"{given}\" matches {count} {kind}s: give more of the id")]
    Ambiguous { kind: &'static str, given: String, count: usize },
    #[error("\"{given}\" is not a time Mend understands: use 18:30, 2026-12-01 18:30, 2026-12-01, +45m, +2h or +3d")]
    BadTime { given: String },
    #[error("\"{given}\" is beyond the times Mend keeps: choose a time between 1 January 1970 and 1 January 2200")]
    TimeOutOfRange { given: String },
    #[error(transparent)]
    Sync(#[from] mend_sync::SyncError),
    #[error("{0}")]
    Pairing(String),
    #[error("this device is not in the shared space, so Mend can't tell whose it is: restore profile.json from a backup")]
    UnknownDevice,
}

/// The command that lists the ids of a kind of record, as the CLI spells it.
fn list_command(kind: &str) -> &'static str {
    match kind {
        "agreement" => "`mend agreement list`",
        "promise" => "`mend promise list`",
        "repair" => "`mend repair list`",
        "device" => "`mend devices`",
        "promise or agreement" => "`mend promise list` or `mend agreement list`",
        _ => "the list it appears in",
    }
}
