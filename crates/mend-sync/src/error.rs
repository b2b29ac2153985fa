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
    /// The two devices dialled each other at once and this connection was the one let go;
    /// the other goes on (for a one-off sync: {who} is connected to the Mend running on
    /// this device, which keeps the two in sync).
    #[error("{who} is connected to this device already")]
    Superseded { who: String },
}
