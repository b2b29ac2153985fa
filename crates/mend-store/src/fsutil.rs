//! The few file operations whose order makes Mend crash-safe.

use crate::error::StoreError;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` so that after a crash `path` holds either its old content or all of the new:
/// temp file, fsync, rename, fsync the folder.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8], owner_only: bool) -> Result<(), StoreError> {
    let tmp = tmp_path(path);
    {
        let mut f = create_file(&tmp, owner_only)?;
        f.write_all(bytes).map_err(StoreError::io("write", &tmp))?;
        f.sync_all().map_err(StoreError::io("flush to disk", &tmp))?;
    }
    fs::rename(&tmp, path).map_err(StoreError::io("replace", path))?;
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

pub(crate) fn create_file(path: &Path, owner_only: bool) -> Result<File, StoreError> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if owner_only {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let _ = owner_only;
    o.open(path).map_err(StoreError::io("create", path))
}

/// Makes a rename or a new file in `dir` survive a crash.
pub(crate) fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(StoreError::io("flush folder", dir))?;
    }
    let _ = dir;
    Ok(())
}

pub(crate) fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(StoreError::io("create folder", dir))
}

/// Moves a file that failed to load into `damaged/`, under a name that never replaces an
/// earlier one. Returns where it went.
pub(crate) fn keep_aside(profile_dir: &Path, file: &Path) -> Result<PathBuf, StoreError> {
    let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let dest = aside_path(profile_dir, &name)?;
    fs::rename(file, &dest).map_err(StoreError::io("move aside", file))?;
    sync_dir(dest.parent().unwrap_or(profile_dir))?;
    sync_dir(parent(file))?;
    Ok(dest)
}

/// Keeps a copy of some bytes in `damaged/` (the unfinished tail of an interrupted write).
pub(crate) fn keep_bytes_aside(profile_dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    let dest = aside_path(profile_dir, name)?;
    atomic_write(&dest, bytes, true)?;
    Ok(dest)
}

/// A new path in `damaged/` that never replaces an earlier one.
fn aside_path(profile_dir: &Path, name: &str) -> Result<PathBuf, StoreError> {
    let damaged = profile_dir.join("damaged");
    create_private_dir(&damaged)?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let mut n = 0u32;
    loop {
        let candidate = damaged.join(format!("{stamp}-{n}-{name}"));
        if !candidate.exists() {
            return Ok(candidate);
        }
        n += 1;
    }
}
