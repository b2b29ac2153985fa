//! What this partner has already looked at, kept on this device only: today just when the
//! notes of thanks were last seen, so that "new" means new to this person, not to the space.

use crate::Engine;
use crate::error::EngineError;
use mend_core::Timestamp;

const BLOB: &str = "seen.json";

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Seen {
    thanks: Option<Timestamp>,
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
