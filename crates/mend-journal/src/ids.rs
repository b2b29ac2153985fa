//! Finding an entry from what a person typed: the whole id, or enough of its start or end.

use crate::error::JournalError;

/// Below this, a fragment is too likely to be a typo that happens to match.
const MIN_FRAGMENT: usize = 4;

pub(crate) fn resolve<'a>(given: &str, ids: impl Iterator<Item = &'a String>) -> Result<String, JournalError> {
    let g = given.trim().to_ascii_lowercase();
    let no_match = || JournalError::NoMatch { given: given.to_owned() };
    if g.len() < MIN_FRAGMENT {
        return Err(no_match());
    }
    let mut found: Vec<&String> = Vec::new();
    for id in ids {
        if *id == g {
            return Ok(id.clone());
        }
        if id.starts_with(&g) || id.ends_with(&g) {
            found.push(id);
        }
    }
    match found.as_slice() {
        [] => Err(no_match()),
        [one] => Ok((*one).clone()),
        many => Err(JournalError::Ambiguous { given: given.to_owned(), count: many.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_prefix_or_suffix() {
        let ids = ["0195aaaa-0000-7000-8000-00000000beef".to_owned(), "0195aaaa-0000-7000-8000-00000000cafe".to_owned()];
        assert_eq!(resolve("BEEF", ids.iter()).expect("suffix"), ids[0]);
        assert_eq!(resolve(&ids[1], ids.iter()).expect("whole"), ids[1]);
        assert!(matches!(resolve("0195aaaa", ids.iter()), Err(JournalError::Ambiguous { count: 2, .. })));
        assert!(matches!(resolve("dead", ids.iter()), Err(JournalError::NoMatch { .. })));
        assert!(matches!(resolve("ef", ids.iter()), Err(JournalError::NoMatch { .. })));
        assert!(matches!(resolve("", ids.iter()), Err(JournalError::NoMatch { .. })));
    }
}
