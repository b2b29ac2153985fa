//! The journal's file operations are mend-fs's, the same crash-safe rules as the shared
//! space's store. mend-fs is a leaf crate of file primitives: no network code, and no
//! knowledge of either format, so sharing it gives the journal no path to anything that
//! syncs (tests/privacy.rs checks the dependency graph).

pub(crate) use mend_fs::{atomic_write, create_private_dir, exclusive, open_lock, remove, sync_dir};
use std::path::{Path, PathBuf};

/// Keeps a copy of `bytes` in the profile's `damaged/` folder, under a name that never
/// replaces an earlier one and says it came from the journal. A copy, not a move: the
/// original is only deleted once a healthy generation holds everything recovered from it,
/// so a crash in between loses nothing.
pub(crate) fn keep_bytes_aside(profile: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, mend_fs::FsError> {
    mend_fs::keep_bytes_aside(profile, &format!("journal-{name}"), bytes)
}
