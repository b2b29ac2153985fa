//! Input checks shared by every front end, so the GUI can show the same error beside a field
//! that the CLI prints.

use crate::error::CoreError;

/// Long enough for a heartfelt letter, short enough that one record can't bloat the document.
pub const MAX_TEXT: usize = 10_000;
/// Names, prompts and other one-line fields.
pub const MAX_SHORT: usize = 200;

/// Trims and checks a required text. Returns the text as it will be stored.
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, CoreError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(CoreError::EmptyText { field });
    }
    let len = t.chars().count();
    if len > max {
        return Err(CoreError::TextTooLong { field, len, max });
    }
    Ok(t.to_owned())
}

/// An optional text: blank means absent.
pub fn optional_text(field: &'static str, s: Option<&str>, max: usize) -> Result<Option<String>, CoreError> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => text(field, t, max).map(Some),
    }
}

pub fn rating(field: &'static str, v: i64) -> Result<u8, CoreError> {
    if (1..=5).contains(&v) { Ok(v as u8) } else { Err(CoreError::RatingOutOfRange { field, value: v }) }
}

pub fn pause_minutes(m: i64) -> Result<i64, CoreError> {
    if (1..=24 * 60).contains(&m) { Ok(m) } else { Err(CoreError::PauseLength { minutes: m }) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_only_is_empty() {
        assert_eq!(text("text", " \n\t ", MAX_TEXT), Err(CoreError::EmptyText { field: "text" }));
    }

    #[test]
    fn limit_counts_characters_not_bytes() {
        let s = "é".repeat(MAX_TEXT);
        assert_eq!(text("text", &s, MAX_TEXT).map(|t| t.chars().count()), Ok(MAX_TEXT));
        let s = "é".repeat(MAX_TEXT + 1);
        assert!(matches!(text("text", &s, MAX_TEXT), Err(CoreError::TextTooLong { len, .. }) if len == MAX_TEXT + 1));
    }

    #[test]
    fn ratings_are_one_to_five() {
        assert_eq!(rating("trust", 1), Ok(1));
        assert_eq!(rating("trust", 5), Ok(5));
        assert!(rating("trust", 0).is_err());
        assert!(rating("trust", 6).is_err());
        assert!(rating("trust", -3).is_err());
    }

    #[test]
    fn pause_between_a_minute_and_a_day() {
        assert!(pause_minutes(0).is_err());
        assert!(pause_minutes(1).is_ok());
        assert!(pause_minutes(1440).is_ok());
        assert!(pause_minutes(1441).is_err());
    }

    #[test]
    fn optional_blank_is_none() {
        assert_eq!(optional_text("note", Some("  "), MAX_SHORT), Ok(None));
        assert_eq!(optional_text("note", Some(" hi "), MAX_SHORT), Ok(Some("hi".into())));
    }
}
