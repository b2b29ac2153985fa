//! A journal entry, what may go in one, and the records that the files hold.

use crate::error::JournalError;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// An entry's text may be long (a letter never sent), but not unbounded: each entry is one
/// record, re-encrypted at every compaction.
pub const MAX_TEXT: usize = 1 << 20;
pub const MAX_PROMPT: usize = 2_000;
pub const MAX_TAG_CHARS: usize = 40;
pub const MAX_TAGS: usize = 20;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// A UUIDv7, so ids sort by creation time.
    pub id: String,
    pub text: String,
    /// 1 (very low) to 5 (very good).
    pub mood: Option<u8>,
    /// The reflection prompt the entry answers, if any.
    pub prompt: Option<String>,
    pub tags: Vec<String>,
    /// Milliseconds since the Unix epoch, UTC.
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

impl std::fmt::Debug for Entry {
    // Private words stay out of logs and panic messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("id", &self.id).field("text", &format_args!("<{} bytes>", self.text.len())).finish_non_exhaustive()
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.text.zeroize();
        self.prompt.zeroize();
        self.tags.zeroize();
    }
}

impl Entry {
    /// Case-insensitive: in the text or in a tag.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let q = q.trim_start_matches('#');
        self.text.to_lowercase().contains(q) || self.tags.iter().any(|t| t.to_lowercase().contains(q))
    }
}

/// What a person writes; the journal adds the id and the times.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewEntry {
    pub text: String,
    pub mood: Option<u8>,
    pub prompt: Option<String>,
    pub tags: Vec<String>,
}

impl NewEntry {
    pub fn text(text: impl Into<String>) -> NewEntry {
        NewEntry { text: text.into(), ..NewEntry::default() }
    }
}

/// A change to an entry: each field that is `Some` replaces the old value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edit {
    pub text: Option<String>,
    pub mood: Option<u8>,
    pub prompt: Option<String>,
    pub tags: Option<Vec<String>>,
}

pub(crate) fn check_text(text: &str) -> Result<(), JournalError> {
    if text.trim().is_empty() {
        return Err(JournalError::EmptyText);
    }
    if text.len() > MAX_TEXT {
        return Err(JournalError::TooLong { what: "entry", len: text.len(), max: MAX_TEXT });
    }
    Ok(())
}

pub(crate) fn check_mood(mood: Option<u8>) -> Result<(), JournalError> {
    match mood {
        Some(m) if !(1..=5).contains(&m) => Err(JournalError::BadMood(m)),
        _ => Ok(()),
    }
}

pub(crate) fn clean_prompt(prompt: Option<String>) -> Result<Option<String>, JournalError> {
    let Some(p) = prompt else { return Ok(None) };
    let p = p.trim().to_owned();
    if p.len() > MAX_PROMPT {
        return Err(JournalError::TooLong { what: "prompt", len: p.len(), max: MAX_PROMPT });
    }
    Ok(Some(p).filter(|p| !p.is_empty()))
}

/// Trimmed, without a leading '#', each once (ignoring case), in the order given.
pub(crate) fn clean_tags(tags: Vec<String>) -> Result<Vec<String>, JournalError> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        let c = t.trim().trim_start_matches('#').trim().to_owned();
        if c.is_empty() || c.chars().count() > MAX_TAG_CHARS || c.contains(['\n', '\r']) {
            return Err(JournalError::BadTag(t));
        }
        if !out.iter().any(|o| o.to_lowercase() == c.to_lowercase()) {
            out.push(c);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(JournalError::TooManyTags { max: MAX_TAGS });
    }
    Ok(out)
}

/// One sealed record in a file. Snapshots hold `Put`s and end with a `Seal`; logs hold
/// `Put`s (an add, or an edit carrying the whole entry) and `Delete`s.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Record {
    Put {
        entry: Entry,
    },
    Delete {
        id: String,
    },
    /// The last record of a snapshot: how many entries came before it. A snapshot without
    /// it (cut short) or with another count (records lost) is damaged.
    Seal {
        count: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str, tags: &[&str]) -> Entry {
        Entry {
            id: "x".into(),
            text: text.into(),
            mood: None,
            prompt: None,
            tags: tags.iter().map(|s| s.to_string()).collect(),
            created_at: 0,
            edited_at: None,
        }
    }

    #[test]
    fn search_ignores_case_and_looks_in_tags() {
        let e = entry("We talked about the Weekend", &["Family", "hope"]);
        assert!(e.matches("weekend"));
        assert!(e.matches("TALKED ABOUT"));
        assert!(e.matches("family"));
        assert!(e.matches("#hope"));
        assert!(!e.matches("work"));
    }

    #[test]
    fn what_may_go_in_an_entry() {
        assert!(matches!(check_text("   \n "), Err(JournalError::EmptyText)));
        assert!(matches!(check_text(&"a".repeat(MAX_TEXT + 1)), Err(JournalError::TooLong { .. })));
        assert!(check_text(&"a".repeat(MAX_TEXT)).is_ok());
        assert!(matches!(check_mood(Some(0)), Err(JournalError::BadMood(0))));
        assert!(matches!(check_mood(Some(6)), Err(JournalError::BadMood(6))));
        assert!(check_mood(Some(5)).is_ok() && check_mood(None).is_ok());
        assert_eq!(clean_tags(vec![" #Home ".into(), "home".into(), "us".into()]).expect("tags"), vec!["Home", "us"]);
        assert!(matches!(clean_tags(vec!["  ".into()]), Err(JournalError::BadTag(_))));
        assert!(matches!(clean_tags((0..30).map(|i| i.to_string()).collect()), Err(JournalError::TooManyTags { .. })));
        assert_eq!(clean_prompt(Some("  ".into())).expect("prompt"), None);
    }

    #[test]
    fn debug_output_never_shows_the_words() {
        let e = entry("my secret thought", &[]);
        assert!(!format!("{e:?}").contains("secret"));
    }
}
