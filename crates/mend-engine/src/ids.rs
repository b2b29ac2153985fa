//! Finding a record from what a person typed: the whole id, or enough of its start or end.

use crate::error::EngineError;
use mend_core::RecordId;

/// Below this, a fragment is too likely to be a typo that happens to match.
const MIN_FRAGMENT: usize = 4;

pub(crate) fn resolve<'a>(kind: &'static str, given: &str, ids: impl Iterator<Item = &'a RecordId>) -> Result<RecordId, EngineError> {
    let g = given.trim().to_ascii_lowercase();
    let no_match = || EngineError::NoMatch { kind, given: given.to_owned() };
    if g.len() < MIN_FRAGMENT {
        return Err(no_match());
    }
    let mut found: Vec<&RecordId> = Vec::new();
    for id in ids {
        if id.as_str() == g {
            return Ok(id.clone());
        }
        if id.as_str().starts_with(&g) || id.as_str().ends_with(&g) {
            found.push(id);
        }
    }
    match found.as_slice() {
        [] => Err(no_match()),
        [one] => Ok((*one).clone()),
        many => Err(EngineError::Ambiguous { kind, given: given.to_owned(), count: many.len() }),
    }
}

/// The device a person means: its whole id, or enough of its start or end.
pub(crate) fn resolve_device(view: &mend_core::View, given: &str) -> Result<mend_core::DeviceId, EngineError> {
    let ids: Vec<RecordId> = view.devices.keys().map(|d| RecordId::from_key(d.as_str())).collect();
    Ok(mend_core::DeviceId::from_key(resolve("device", given, ids.iter())?.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_prefix_or_suffix() {
        let ids = [RecordId::from_key("0195aaaa-0000-7000-8000-00000000beef"), RecordId::from_key("0195aaaa-0000-7000-8000-00000000cafe")];
        assert_eq!(resolve("promise", "beef", ids.iter()).unwrap(), ids[0]);
        assert_eq!(resolve("promise", ids[1].as_str(), ids.iter()).unwrap(), ids[1]);
        assert!(matches!(resolve("promise", "0195aaaa", ids.iter()), Err(EngineError::Ambiguous { count: 2, .. })));
        assert!(matches!(resolve("promise", "dead", ids.iter()), Err(EngineError::NoMatch { .. })));
        assert!(matches!(resolve("promise", "ef", ids.iter()), Err(EngineError::NoMatch { .. })));
        assert!(matches!(resolve("promise", "", ids.iter()), Err(EngineError::NoMatch { .. })));
    }
}
