use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    /// Said once, in plain words: the system's own text adds nothing a person can act on.
    #[error("the disk is full, so Mend could not save this. Everything saved before is safe; free some space on this disk, then try again")]
    DiskFull { path: PathBuf },
    #[error(
        "this profile is on a read-only disk, so Mend can't save anything in it (it could not {action} {}). Reading it still works: `mend show`, `mend history` and `mend export`. To write, copy the whole profile folder somewhere writable and use the copy with --profile",
        path.display()
    )]
    ReadOnly { action: &'static str, path: PathBuf },
    #[error("{} is not a Mend profile yet: run `mend --profile {} init --name YOUR_NAME` to create one", path.display(), path.display())]
    NotAProfile { path: PathBuf },
    #[error(
        "{} already holds a Mend profile ({parts}). Mend never starts a new space over one: open it as it is (for example `mend --profile {} show`), or choose another, empty folder with --profile for a new profile",
        path.display(),
        path.display()
    )]
    AlreadyExists { path: PathBuf, parts: String },
    #[error("{} holds other files and is not a Mend profile: choose an empty folder for a new profile", path.display())]
    NotEmpty { path: PathBuf },
    #[error(
        "{} holds part of a Mend profile ({parts}) but not its shared space, so there is nothing to open. Mend changes nothing there. To start again, use another, empty folder with --profile; your partner's device can bring the shared space back when you pair the new profile with it",
        path.display()
    )]
    Remnant { path: PathBuf, parts: String },
    /// The document that the view cache matched did not load in the background (the
    /// caller opens the profile again the usual way, which repairs what it can).
    #[error("the shared document did not load: {0}")]
    Load(String),
    #[error(transparent)]
    Core(#[from] mend_core::CoreError),
}

/// The same sentence as before mend-fs did the file operations: "could not {action} {path}: …".
impl From<mend_fs::FsError> for StoreError {
    fn from(e: mend_fs::FsError) -> StoreError {
        if e.is_disk_full() {
            return StoreError::DiskFull { path: e.path };
        }
        if e.is_read_only() {
            return StoreError::ReadOnly { action: e.action, path: e.path };
        }
        StoreError::Io { action: e.action, path: e.path, source: e.source }
    }
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| {
            if mend_fs::is_disk_full(&source) {
                return StoreError::DiskFull { path };
            }
            if mend_fs::is_read_only(&source) {
                return StoreError::ReadOnly { action, path };
            }
            StoreError::Io { action, path, source }
        }
    }

    /// Whether this is the disk being full (the caller may then say it once and stop).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, StoreError::DiskFull { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_error_reads_as_it_always_did() {
        let e = mend_fs::FsError { action: "flush folder", path: PathBuf::from("/p/space"), source: std::io::Error::other("disk gone") };
        let e = StoreError::from(e);
        assert!(matches!(e, StoreError::Io { action: "flush folder", .. }));
        assert_eq!(e.to_string(), "could not flush folder /p/space: disk gone");
    }
}
