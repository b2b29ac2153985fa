//! What this partner has already looked at, kept on this device only: when the notes of
//! thanks were last seen, so that "new" means new to this person, not to the space; and
//! which things a device did that Mend did not count were read, so each is told once.

use crate::Engine;
use crate::error::EngineError;
use mend_core::Timestamp;

const BLOB: &str = "seen.json";

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Seen {
    thanks: Option<Timestamp>,
    #[serde(default)]
    doubts: std::collections::BTreeSet<String>,
}

fn load(engine: &Engine) -> Seen {
    // Missing or unreadable: nothing was seen yet, so last week's notes count as new again.
    engine.blobs().load(BLOB).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// When this partner last looked at the notes of thanks on this device.
pub(crate) fn thanks(engine: &Engine) -> Option<Timestamp> {
    load(engine).thanks
}

pub(crate) fn mark_thanks(engine: &Engine, at: Timestamp) -> Result<(), EngineError> {
    let mut s = load(engine);
    if s.thanks.is_some_and(|t| t >= at) {
        return Ok(());
    }
    s.thanks = Some(at);
    engine.blobs().save(BLOB, serde_json::json!(s).to_string().as_bytes())?;
    Ok(())
}

/// The things a device did that Mend did not count, already read on this device
/// (`doubts::key`).
pub(crate) fn doubts(engine: &Engine) -> std::collections::BTreeSet<String> {
    load(engine).doubts
}

pub(crate) fn mark_doubts(engine: &Engine, keys: impl IntoIterator<Item = String>) -> Result<(), EngineError> {
    let mut s = load(engine);
    let before = s.doubts.len();
    s.doubts.extend(keys);
    if s.doubts.len() == before {
        return Ok(());
    }
    engine.blobs().save(BLOB, serde_json::json!(s).to_string().as_bytes())?;
    Ok(())
}
