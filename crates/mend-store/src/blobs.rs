//! Small files that sync keeps for itself in `sync/` (per-peer sync state, where peers were
//! last reached, open invitations). Each is replaced atomically; losing one costs only a
//! slower next sync, never a record.

use crate::error::StoreError;
use mend_fs::{atomic_write, create_private_dir};
use std::path::{Path, PathBuf};

pub struct Blobs {
    dir: PathBuf,
}

impl Blobs {
    pub fn new(profile: &Path) -> Blobs {
        Blobs { dir: profile.join("sync") }
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        // Names come from code, but a name must never walk out of the folder.
        let ok = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) && !name.starts_with('.');
        ok.then(|| self.dir.join(name))
    }

    pub fn load(&self, name: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(name)?).ok()
    }

    pub fn save(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path(name).ok_or_else(|| StoreError::Io {
            action: "name",
            path: self.dir.join(name),
            source: std::io::Error::other("not a valid file name"),
        })?;
        create_private_dir(&self.dir)?;
        Ok(atomic_write(&path, bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_no_escape() {
        let t = tempfile::tempdir().unwrap();
        let b = Blobs::new(t.path());
        assert_eq!(b.load("peers.json"), None);
        b.save("peers.json", b"{}").unwrap();
        assert_eq!(b.load("peers.json").unwrap(), b"{}");
        assert!(b.save("../escape", b"x").is_err());
        assert!(b.save("", b"x").is_err());
        assert_eq!(b.load("../profile.json"), None);
    }
}
