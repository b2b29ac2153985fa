use crate::ids::Timestamp;

/// Everything a person can get wrong, or that can be wrong with a document, in words that
/// say what happened and what to do.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum CoreError {
    #[error("{field} is empty: write something before saving")]
    EmptyText { field: &'static str },
    #[error("{field} is too long ({len} characters); the limit is {max}: shorten it or split it")]
    TextTooLong { field: &'static str, len: usize, max: usize },
    #[error("{field} must be between 1 and 5 (got {value})")]
    RatingOutOfRange { field: &'static str, value: i64 },
    #[error("{field} must be between 1 January 1970 and 1 January 2200: choose a time in that range")]
    TimeOutOfRange { field: &'static str },
    #[error("the pause must last between 1 minute and 24 hours (got {minutes} minutes)")]
    PauseLength { minutes: i64 },
    #[error("no {kind} has the id {id}: check the id with the list command")]
    UnknownId { kind: &'static str, id: String },
    #[error("{0}")]
    NotYours(&'static str),
    #[error("{0}")]
    NotAllowed(&'static str),
    #[error("a repeating promise needs a first due time (--due)")]
    RepeatNeedsDue,
    #[error("this promise is already settled; make a new promise instead")]
    PromiseClosed,
    #[error("the new time is the same as the current one: choose another time")]
    SameDue,
    #[error("you have no active pause to end")]
    NoActivePause,
    #[error("nothing changed: the text is the same as the current revision")]
    Unchanged,
    #[error("this agreement is archived: propose a new one instead")]
    Archived,
    #[error(
        "this space was written by a newer Mend (schema {found}; this Mend reads up to {supported}). Update Mend to open it; nothing was changed"
    )]
    NewerSchema { found: u64, supported: u64 },
    #[error("this is not a Mend space: {0}")]
    NotASpace(String),
    #[error("the shared document refused the change: {0}")]
    Document(String),
    #[error("the time {0} is not valid here")]
    BadTime(Timestamp),
}

impl From<automerge::AutomergeError> for CoreError {
    fn from(e: automerge::AutomergeError) -> Self {
        CoreError::Document(e.to_string())
    }
}
