//! Input checks shared by every front end, so the GUI can show the same error beside a field
//! that the CLI prints.

use crate::error::CoreError;
use crate::ids::Timestamp;

/// Long enough for a heartfelt letter, short enough that one record can't bloat the document.
pub const MAX_TEXT: usize = 10_000;
/// Names, prompts and other one-line fields.
pub const MAX_SHORT: usize = 200;

/// The earliest time Mend stores: 1970-01-01T00:00:00Z.
pub const EARLIEST_TIME: Timestamp = Timestamp(0);
/// The latest: 2200-01-01T00:00:00Z. Far enough for any plan, near enough that adding a week
/// or formatting the date can never overflow.
pub const LATEST_TIME: Timestamp = Timestamp(7_258_118_400_000);

/// Characters that show nothing on screen: a text made only of these would look empty to
/// the partner reading it, so it counts as empty.
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180E}'
                | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}'
                | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        )
}

/// Whether a text shows nothing at all.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(is_invisible)
}

/// Trims and checks a required text. Returns the text as it will be stored.
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, CoreError> {
    let t = s.trim();
    if is_blank(t) {
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
        None => Ok(None),
        Some(t) if is_blank(t) => Ok(None),
        Some(t) => text(field, t, max).map(Some),
    }
}

pub fn rating(field: &'static str, v: i64) -> Result<u8, CoreError> {
    if (1..=5).contains(&v) { Ok(v as u8) } else { Err(CoreError::RatingOutOfRange { field, value: v }) }
}

/// A time a person chose (a due date, a review): refused outside the range Mend keeps, so
/// no later arithmetic on it can overflow into a wrong stored value.
pub fn time(field: &'static str, t: Timestamp) -> Result<Timestamp, CoreError> {
    if (EARLIEST_TIME..=LATEST_TIME).contains(&t) { Ok(t) } else { Err(CoreError::TimeOutOfRange { field }) }
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
    fn text_of_invisible_characters_only_is_empty() {
        for s in ["\u{200B}", " \u{200C}\u{200D} ", "\u{2060}\u{FEFF}", "\u{202E}\u{2066}\u{200E}\u{200F}", "\u{1b}\u{7}", "\u{85}\u{3000}"] {
            assert_eq!(text("note", s, MAX_TEXT), Err(CoreError::EmptyText { field: "note" }), "{s:?}");
            assert_eq!(optional_text("note", Some(s), MAX_TEXT), Ok(None), "{s:?}");
        }
        // A zero-width joiner inside an emoji sequence is part of a visible text.
        assert_eq!(text("note", "\u{1F468}\u{200D}\u{1F469}", MAX_TEXT).map(|t| t.chars().count()), Ok(3));
    }

    #[test]
    fn chosen_times_stay_between_1970_and_2200() {
        assert_eq!(time("due time", EARLIEST_TIME), Ok(EARLIEST_TIME));
        assert_eq!(time("due time", LATEST_TIME), Ok(LATEST_TIME));
        for t in [Timestamp(-1), Timestamp(LATEST_TIME.0 + 1), Timestamp(i64::MAX), Timestamp(i64::MIN)] {
            assert_eq!(time("due time", t), Err(CoreError::TimeOutOfRange { field: "due time" }), "{t}");
        }
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
