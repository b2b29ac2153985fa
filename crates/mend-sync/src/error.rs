#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("could not start networking: {0}")]
    Bind(String),
    #[error("could not reach {who}: {why}")]
    Unreachable { who: String, why: String },
    #[error("the connection to {who} broke: {why}")]
    Connection { who: String, why: String },
    #[error("{0}")]
    Protocol(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Space(#[from] crate::space::SpaceError),
    #[error("no answer from {who} within {secs} s")]
    Timeout { who: String, secs: u64 },
}
