use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error("{} is not a Mend profile yet: run `mend --profile {} init --name YOUR_NAME` to create one", path.display(), path.display())]
    NotAProfile { path: PathBuf },
    #[error("a Mend profile already exists in {}: open it, or choose another folder with --profile", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("{} holds other files and is not a Mend profile: choose an empty folder for a new profile", path.display())]
    NotEmpty { path: PathBuf },
    #[error("this device's key at {} is damaged, so this device can't prove who it is. Your shared records are safe in the space folder; restore device.key from a backup, or set this device up again and pair it anew", path.display())]
    KeyDamaged { path: PathBuf },
    #[error("profile.json at {} is damaged and could not be rebuilt ({reason}); it was kept at {}", path.display(), kept.display())]
    SettingsDamaged { path: PathBuf, kept: PathBuf, reason: String },
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
        StoreError::Io { action: e.action, path: e.path, source: e.source }
    }
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { action, path, source }
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
