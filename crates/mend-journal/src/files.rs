//! The few file operations whose order makes the journal crash-safe. The same rules as the
//! shared space's store (mend-store), kept in this crate so that the journal shares no code
//! path with anything that syncs.

use crate::error::JournalError;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` so that after a crash `path` holds either nothing (or its old content) or
/// all of the new: temp file, fsync, rename, fsync the folder. Owner-only on Unix.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), JournalError> {
    let tmp = tmp_path(path);
    {
        let mut f = create_file(&tmp)?;
        f.write_all(bytes).map_err(JournalError::io("write", &tmp))?;
        f.sync_all().map_err(JournalError::io("flush to disk", &tmp))?;
    }
    fs::rename(&tmp, path).map_err(JournalError::io("replace", path))?;
    sync_dir(parent(path))
}

pub(crate) fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

fn parent(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

fn create_file(path: &Path) -> Result<File, JournalError> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(JournalError::io("create", path))
}

/// Makes a rename, a new file or a deletion in `dir` survive a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(JournalError::io("flush folder", dir))?;
    }
    let _ = dir;
    Ok(())
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<(), JournalError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(JournalError::io("create folder", dir))
}

/// The flock file. Writers and openers hold it exclusively, so two processes never write
/// the journal at once and a repair never races an append.
pub(crate) fn open_lock(dir: &Path) -> Result<File, JournalError> {
    let p = dir.join("lock");
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(&p).map_err(JournalError::io("open", p))
}

/// Held while reading or writing the journal's files; released on drop.
pub(crate) struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

pub(crate) fn exclusive(lock: &File, dir: &Path) -> Result<LockGuard, JournalError> {
    let f = lock.try_clone().map_err(JournalError::io("lock", dir.join("lock")))?;
    f.lock().map_err(JournalError::io("lock", dir.join("lock")))?;
    Ok(LockGuard(f))
}

/// Keeps a copy of `bytes` in the profile's `damaged/` folder, under a name that never
/// replaces an earlier one. A copy, not a move: the original is only deleted once a healthy
/// generation holds everything recovered from it, so a crash in between loses nothing.
pub(crate) fn keep_bytes_aside(profile: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, JournalError> {
    let damaged = profile.join("damaged");
    if !damaged.is_dir() {
        create_private_dir(&damaged)?;
        sync_dir(profile)?;
    }
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let mut n = 0u32;
    let dest = loop {
        let candidate = damaged.join(format!("{stamp}-{n}-journal-{name}"));
        if !candidate.exists() && !tmp_path(&candidate).exists() {
            break candidate;
        }
        n += 1;
    };
    atomic_write(&dest, bytes)?;
    Ok(dest)
}

pub(crate) fn remove(path: &Path) -> Result<(), JournalError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(JournalError::Io { action: "delete", path: path.to_owned(), source: e }),
        _ => Ok(()),
    }
}
