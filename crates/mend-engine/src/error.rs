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
    /// The Mend running on this profile refused a command handed to it (its own words).
    #[error("{0}")]
    NodeRefused(String),
    #[error(
        "the Mend running on this profile took the request but did not answer ({0}), so this command cannot tell whether it was saved. Look with `mend show` (or in the window) before trying again, so that nothing is written twice"
    )]
    NodeSilent(String),
    #[error("Mend could not seal your answer on this device ({0}); nothing was saved, so you can try again")]
    Sealing(String),
    #[error(
        "profile.json is missing or damaged, and the shared space does not list this device yet, so Mend can't tell whose device this is. Nothing was changed. If you have a copy of profile.json, put it back in the profile folder; otherwise this device never finished its first sync, holds nothing of yours yet, and can simply be paired again from a new, empty folder"
    )]
    UnknownDevice,
    #[error(
        "this device's key (device.key) is {}, so Mend can't write or sync as this device. Nothing is lost: `mend show`, `mend export` and your journal still work. To write again, add this device anew: on another device of yours run `mend pair invite --as own-device` (or ask your partner to run `mend pair invite`), then run `mend pair join INVITATION` here. This device then gets a new key and keeps everything in this profile",
        if *missing { "missing" } else { "damaged" }
    )]
    KeyLost { missing: bool },
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
