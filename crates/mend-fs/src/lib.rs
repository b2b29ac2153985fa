//! The few file operations whose order makes Mend's stores crash-safe: an atomic write
//! (temp file, fsync, rename, fsync the folder), owner-only files and folders, the flock
//! that keeps two processes from writing at once, and the `damaged/` folder where a file
//! that failed to load is kept aside under a name that never replaces an earlier one.
//!
//! Both the shared space's store (mend-store) and the private journal (mend-journal) use
//! these, and nothing else: this crate has no network code and knows neither format, so
//! sharing it gives the journal no path to anything that syncs (see docs/privacy.md).
//!
//! Every error names what could not be done, to which path, and why; each store turns it
//! into its own error type, with the same sentence.

pub mod frames;
pub mod log_file;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file operation that failed: "could not {action} {path}: {source}", or, when the disk
/// is full, a sentence that says so without the system's own words (which a person in the
/// middle of writing something hard should not have to decode).
#[derive(Debug, thiserror::Error)]
#[error("{}", self.sentence())]
pub struct FsError {
    /// What was being done, in words for a person: "write", "flush to disk", "replace",
    /// "create", "flush folder", "create folder", "move aside", "open", "lock", "delete".
    pub action: &'static str,
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl FsError {
    /// True when the disk (or the user's quota) has no room left: the one failure a person
    /// can fix by freeing space, so it gets its own plain sentence.
    pub fn is_disk_full(&self) -> bool {
        is_disk_full(&self.source)
    }

    /// True when the file system is mounted read-only (a backup, a recovery disk).
    pub fn is_read_only(&self) -> bool {
        is_read_only(&self.source)
    }

    fn sentence(&self) -> String {
        if self.is_read_only() {
            return format!("{} is on a read-only disk, so Mend could not {} it", self.path.display(), self.action);
        }
        if self.is_disk_full() {
            return format!("the disk is full, so Mend could not {} {}", self.action, self.path.display());
        }
        format!("could not {} {}: {}", self.action, self.path.display(), self.source)
    }

    /// For `map_err`: `f.sync_all().map_err(FsError::io("flush to disk", &path))`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> FsError {
        let path = path.into();
        move |source| FsError { action, path, source }
    }
}

/// Whether an I/O error means there is no room left (a full disk, or a quota reached).
pub fn is_disk_full(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if matches!(e.raw_os_error(), Some(libc_enospc::ENOSPC | libc_enospc::EDQUOT)) {
        return true;
    }
    e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded
}

/// Whether an I/O error means the file system is read-only.
pub fn is_read_only(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::ReadOnlyFilesystem
}

/// The two error numbers of a full disk on Linux (this crate takes no libc dependency).
#[cfg(unix)]
mod libc_enospc {
    pub const ENOSPC: i32 = 28;
    pub const EDQUOT: i32 = 122;
}

/// Writes `bytes` so that after a crash `path` holds either its old content (or nothing) or
/// all of the new: temp file, fsync, rename, fsync the folder. The file is owner-only on Unix.
///
/// A temp file left by an earlier crash is simply truncated and reused.
/// A write that fails (a full disk) removes its temp file, so failures never pile up files.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let tmp = tmp_path(path);
    replace_through(&tmp, path, bytes, create_file(&tmp))
}

/// Writes `bytes` into `file` (opened at `tmp`), fsyncs it and renames it over `path`, then
/// fsyncs the folder. A failure (a full disk) removes the temp file, so failures never pile
/// up files; the file it was to replace is untouched.
fn replace_through(tmp: &Path, path: &Path, bytes: &[u8], file: Result<File, FsError>) -> Result<(), FsError> {
    let written = file.and_then(|mut f| {
        f.write_all(bytes).map_err(FsError::io("write", path))?;
        f.sync_all().map_err(FsError::io("flush to disk", path))?;
        fs::rename(tmp, path).map_err(FsError::io("replace", path))
    });
    if let Err(e) = written {
        if fs::remove_file(tmp).is_err() {
            // Not created, or already gone; a leftover is truncated by the next write.
        }
        return Err(e);
    }
    sync_dir(parent(path))
}

/// Writes a file into a folder of the user's choosing (an export): whole or not at all,
/// owner-only from its first byte (it holds the couple's words), fsynced with its folder.
/// Unlike [`atomic_write`], whose `NAME.tmp` is Mend's own in Mend's folders, the temp file
/// here has a name no one else uses and is created new, so a file of the user's is never
/// truncated or replaced on the way; only `path` itself is replaced, as asked.
pub fn write_export(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let tmp = path.with_file_name(format!(".{name}.mend-{}-{}.tmp", std::process::id(), now_millis()));
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    replace_through(&tmp, path, bytes, o.open(&tmp).map_err(FsError::io("write", path)))
}

/// Where [`atomic_write`] writes before the rename: the same name with `.tmp` added.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

fn parent(path: &Path) -> &Path {
    path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// Creates (or truncates) a file for writing, readable and writable by its owner only on
/// Unix (0600). Always owner-only: the store's copy once had an `owner_only` flag, but every
/// caller passed `true`, and the journal's copy never had a choice; the stricter rule stays.
pub fn create_file(path: &Path) -> Result<File, FsError> {
    let mut o = OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map_err(FsError::io("create", path))
}

/// Makes a rename, a new file or a deletion in `dir` survive a crash.
pub fn sync_dir(dir: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(FsError::io("flush folder", dir))?;
    }
    let _ = dir;
    Ok(())
}

/// Creates `dir` and any missing parents, owner-only on Unix (0700). Not an error if it
/// exists already.
pub fn create_private_dir(dir: &Path) -> Result<(), FsError> {
    let mut b = fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir).map_err(FsError::io("create folder", dir))
}

/// Deletes a file; one that is already gone is not an error.
pub fn remove(path: &Path) -> Result<(), FsError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(FsError { action: "delete", path: path.to_owned(), source: e }),
        _ => Ok(()),
    }
}

/// Opens (creating it owner-only if needed) the flock file `dir/lock`. Writers hold it
/// exclusively, so two processes never write at once and a repair never races a write.
///
/// On a read-only disk (a backup mounted to be looked at) the lock file is opened for
/// reading, or the folder itself when there is none: flock needs no write access, and
/// nothing can write there anyway, so reading it stays possible.
pub fn open_lock(dir: &Path) -> Result<File, FsError> {
    let p = dir.join("lock");
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(&p) {
        Err(e) if is_read_only(&e) => File::open(&p).or_else(|_| File::open(dir)).map_err(FsError::io("open", p)),
        opened => opened.map_err(FsError::io("open", p)),
    }
}

/// Held while reading or writing; released on drop.
#[derive(Debug)]
pub struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Fails only if the file is gone; closing it (next) releases the lock anyway.
        let _ = self.0.unlock();
    }
}

/// Waits for the exclusive lock on `lock` (opened by [`open_lock`] in `dir`).
pub fn exclusive(lock: &File, dir: &Path) -> Result<LockGuard, FsError> {
    let f = lock.try_clone().map_err(FsError::io("lock", dir.join("lock")))?;
    f.lock().map_err(FsError::io("lock", dir.join("lock")))?;
    Ok(LockGuard(f))
}

/// Waits for a shared lock on `lock` (opened by [`open_lock`] in `dir`).
pub fn shared(lock: &File, dir: &Path) -> Result<LockGuard, FsError> {
    let f = lock.try_clone().map_err(FsError::io("lock", dir.join("lock")))?;
    f.lock_shared().map_err(FsError::io("lock", dir.join("lock")))?;
    Ok(LockGuard(f))
}

/// Moves a file that failed to load into `profile/damaged/`, under a name that never
/// replaces an earlier one. Returns where it went.
pub fn keep_aside(profile: &Path, file: &Path) -> Result<PathBuf, FsError> {
    let name = file.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let dest = aside_path(profile, &name, now_millis())?;
    fs::rename(file, &dest).map_err(FsError::io("move aside", file))?;
    sync_dir(parent(&dest))?;
    sync_dir(parent(file))?;
    Ok(dest)
}

/// Keeps a copy of `bytes` (say, the unfinished tail of an interrupted write) in
/// `profile/damaged/`, under a name that never replaces an earlier one. A copy, not a move:
/// the caller deletes the original only once it no longer needs it, so a crash in between
/// loses nothing. Returns where it went.
pub fn keep_bytes_aside(profile: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, FsError> {
    keep_bytes_aside_at(profile, name, bytes, now_millis())
}

fn keep_bytes_aside_at(profile: &Path, name: &str, bytes: &[u8], stamp: u128) -> Result<PathBuf, FsError> {
    // The same bytes kept before (one torn tail met again after each failed write on a full
    // disk) are not copied again: one copy is the evidence, more only fill the disk.
    if let Some(same) = kept_copy(profile, name, bytes) {
        return Ok(same);
    }
    let dest = aside_path(profile, name, stamp)?;
    atomic_write(&dest, bytes)?;
    Ok(dest)
}

/// An earlier copy of exactly `bytes` kept under `name`, if there is one.
fn kept_copy(profile: &Path, name: &str, bytes: &[u8]) -> Option<PathBuf> {
    let suffix = format!("-{name}");
    fs::read_dir(profile.join("damaged")).ok()?.flatten().map(|e| e.path()).find(|p| {
        p.file_name().is_some_and(|n| n.to_string_lossy().ends_with(&suffix))
            && fs::metadata(p).is_ok_and(|m| m.len() == bytes.len() as u64)
            && fs::read(p).is_ok_and(|b| b == bytes)
    })
}

fn now_millis() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}

/// A new path `profile/damaged/{stamp}-{n}-{name}` that never replaces an earlier one.
///
/// The journal's rules, stricter than the store's were, hold for both: a new `damaged/` is
/// made to survive a crash (the profile folder is fsynced after creating it), and a name
/// whose temp file exists is skipped too, so a copy interrupted by a crash is never reused.
fn aside_path(profile: &Path, name: &str, stamp: u128) -> Result<PathBuf, FsError> {
    let damaged = profile.join("damaged");
    if !damaged.is_dir() {
        create_private_dir(&damaged)?;
        sync_dir(profile)?;
    }
    let mut n = 0u32;
    loop {
        let candidate = damaged.join(format!("{stamp}-{n}-{name}"));
        if !candidate.exists() && !tmp_path(&candidate).exists() {
            return Ok(candidate);
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh folder under the system's temp folder, removed on drop (no tempfile crate:
    /// this crate depends on std and thiserror only).
    struct TestDir(PathBuf);

    impl TestDir {
        fn new(name: &str) -> TestDir {
            static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let p = std::env::temp_dir().join(format!("mend-fs-{}-{n}-{name}", std::process::id()));
            let _ = fs::remove_dir_all(&p);
            fs::create_dir_all(&p).unwrap();
            TestDir(p)
        }
    }

    impl Drop for TestDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    #[test]
    fn atomic_write_replaces_the_content_and_leaves_no_temp_file() {
        let d = TestDir::new("replace");
        let p = d.0.join("settings.json");
        atomic_write(&p, b"the old content, longer than the new").unwrap();
        atomic_write(&p, b"new").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"new");
        assert!(!tmp_path(&p).exists());
        assert_eq!(names(&d.0), ["settings.json"]);
    }

    #[test]
    fn a_temp_file_left_by_a_crash_does_not_stop_the_next_write() {
        let d = TestDir::new("leftover");
        let p = d.0.join("snapshot-1.am");
        fs::write(&p, b"old").unwrap();
        // What a crash between the write and the rename leaves: a longer, half-written temp file.
        fs::write(tmp_path(&p), b"half of a much longer snapshot that never got renamed").unwrap();
        atomic_write(&p, b"whole").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"whole", "the leftover's bytes are not mixed in");
        assert_eq!(names(&d.0), ["snapshot-1.am"]);
    }

    #[test]
    fn a_failed_atomic_write_leaves_no_temp_file() {
        let d = TestDir::new("failed");
        // A folder in the way makes the rename fail after the temp file was written whole.
        let p = d.0.join("snapshot-2.am");
        fs::create_dir(&p).unwrap();
        fs::write(p.join("inside"), b"x").unwrap();
        let e = atomic_write(&p, b"whole").unwrap_err();
        assert_eq!(e.action, "replace");
        assert!(!tmp_path(&p).exists(), "no temp file left behind");
        assert_eq!(names(&d.0), ["snapshot-2.am"]);
    }

    #[test]
    fn a_full_disk_is_said_in_plain_words_without_the_system_text() {
        let e = FsError { action: "write", path: PathBuf::from("/p/space/log-00000001.log"), source: std::io::Error::from_raw_os_error(28) };
        assert!(e.is_disk_full());
        let said = e.to_string();
        assert_eq!(said, "the disk is full, so Mend could not write /p/space/log-00000001.log");
        assert!(!said.contains("os error"), "{said}");
        let other = FsError { action: "write", path: PathBuf::from("/p/x"), source: std::io::Error::other("gone") };
        assert!(!other.is_disk_full());
        assert_eq!(other.to_string(), "could not write /p/x: gone");
    }

    #[test]
    fn the_same_bytes_are_kept_aside_once() {
        let d = TestDir::new("dedupe");
        let first = keep_bytes_aside(&d.0, "log.tail", b"the same torn tail").unwrap();
        for _ in 0..5 {
            assert_eq!(keep_bytes_aside(&d.0, "log.tail", b"the same torn tail").unwrap(), first);
        }
        let other = keep_bytes_aside(&d.0, "log.tail", b"another tail").unwrap();
        assert_ne!(other, first);
        let also = keep_bytes_aside(&d.0, "other.tail", b"the same torn tail").unwrap();
        assert_ne!(also, first, "another file's bytes are their own evidence");
        assert_eq!(names(&d.0.join("damaged")).len(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn an_export_is_owner_only_whole_and_never_touches_the_users_other_files() {
        let d = TestDir::new("export");
        let p = d.0.join("our space.md");
        let theirs = d.0.join("our space.md.tmp");
        fs::write(&theirs, b"a file of the user's").unwrap();
        fs::write(&p, b"an older export").unwrap();
        write_export(&p, b"# Our space").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"# Our space");
        assert_eq!(mode(&p), 0o600);
        assert_eq!(fs::read(&theirs).unwrap(), b"a file of the user's", "untouched");
        assert_eq!(names(&d.0), ["our space.md", "our space.md.tmp"], "no temp file left");
        // A failure leaves nothing of ours behind either.
        let blocked = d.0.join("a folder");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("inside"), b"x").unwrap();
        assert!(write_export(&blocked, b"x").is_err());
        assert_eq!(names(&d.0), ["a folder", "our space.md", "our space.md.tmp"]);
    }

    #[test]
    fn tmp_path_adds_tmp_to_the_name() {
        assert_eq!(tmp_path(Path::new("a/b/log-1.log")), Path::new("a/b/log-1.log.tmp"));
        assert_eq!(tmp_path(Path::new("device.key")), Path::new("device.key.tmp"));
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    #[test]
    fn files_are_owner_only_and_folders_too() {
        use std::os::unix::fs::PermissionsExt;
        let d = TestDir::new("modes");
        let p = d.0.join("device.key");
        // Even over a file anyone could read: the rename puts a new owner-only file in its place.
        fs::write(&p, b"old").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        atomic_write(&p, b"secret").unwrap();
        assert_eq!(mode(&p), 0o600);

        let f = d.0.join("created");
        drop(create_file(&f).unwrap());
        assert_eq!(mode(&f), 0o600);

        let private = d.0.join("space").join("sub");
        create_private_dir(&private).unwrap();
        assert_eq!(mode(&private), 0o700);
        assert_eq!(mode(&d.0.join("space")), 0o700, "missing parents are private too");
        create_private_dir(&private).unwrap();

        drop(open_lock(&private).unwrap());
        assert_eq!(mode(&private.join("lock")), 0o600);

        let kept = keep_bytes_aside(&d.0, "log.tail", b"tail").unwrap();
        assert_eq!(mode(&kept), 0o600);
        assert_eq!(mode(&d.0.join("damaged")), 0o700);
    }

    #[test]
    fn keep_bytes_aside_never_overwrites_an_earlier_copy() {
        let d = TestDir::new("aside");
        // Copies under one name within one millisecond (the stamp is fixed to make sure).
        let kept: Vec<PathBuf> = (0..5).map(|i| keep_bytes_aside_at(&d.0, "log.tail", format!("copy {i}").as_bytes(), 7).unwrap()).collect();
        for (i, p) in kept.iter().enumerate() {
            assert_eq!(*p, d.0.join("damaged").join(format!("7-{i}-log.tail")));
            assert_eq!(fs::read(p).unwrap(), format!("copy {i}").as_bytes());
        }
        // And with the real clock.
        let p = keep_bytes_aside(&d.0, "log.tail", b"later").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"later");
        assert_eq!(names(&d.0.join("damaged")).len(), 6);
    }

    #[test]
    fn a_kept_name_skips_earlier_copies_and_their_temp_files() {
        let d = TestDir::new("names");
        let damaged = d.0.join("damaged");
        fs::create_dir(&damaged).unwrap();
        fs::write(damaged.join("7-0-log.tail"), b"earlier copy").unwrap();
        fs::write(damaged.join("7-1-log.tail.tmp"), b"a copy a crash interrupted").unwrap();
        assert_eq!(aside_path(&d.0, "log.tail", 7).unwrap(), damaged.join("7-2-log.tail"));
        assert_eq!(aside_path(&d.0, "log.tail", 8).unwrap(), damaged.join("8-0-log.tail"));
    }

    #[test]
    fn keep_aside_moves_the_file_and_keeps_the_earlier_one() {
        let d = TestDir::new("move");
        let p = d.0.join("profile.json");
        fs::write(&p, b"first damaged").unwrap();
        let first = keep_aside(&d.0, &p).unwrap();
        fs::write(&p, b"second damaged").unwrap();
        let second = keep_aside(&d.0, &p).unwrap();
        assert_ne!(first, second);
        assert!(!p.exists(), "moved, not copied");
        assert_eq!(fs::read(&first).unwrap(), b"first damaged");
        assert_eq!(fs::read(&second).unwrap(), b"second damaged");
    }

    #[test]
    fn remove_is_not_an_error_for_a_missing_file() {
        let d = TestDir::new("remove");
        let p = d.0.join("log-1.log");
        fs::write(&p, b"x").unwrap();
        remove(&p).unwrap();
        assert!(!p.exists());
        remove(&p).unwrap();
        let e = remove(&d.0).unwrap_err();
        assert_eq!(e.action, "delete");
    }

    #[test]
    fn an_error_says_what_could_not_be_done_to_which_path() {
        let d = TestDir::new("error");
        let file = d.0.join("a-file");
        fs::write(&file, b"x").unwrap();
        let under = file.join("space");
        let e = create_private_dir(&under).unwrap_err();
        assert_eq!(e.action, "create folder");
        assert_eq!(e.path, under);
        assert_eq!(e.to_string(), format!("could not create folder {}: {}", under.display(), e.source));
        let e = atomic_write(&under.join("x"), b"x").unwrap_err();
        assert_eq!(e.action, "create");
        assert_eq!(e.path, under.join("x.tmp"));
    }

    #[test]
    fn a_lock_is_released_on_drop() {
        let d = TestDir::new("lock");
        let a = open_lock(&d.0).unwrap();
        let b = open_lock(&d.0).unwrap();
        let guard = exclusive(&a, &d.0).unwrap();
        assert!(b.try_lock().is_err(), "held while the guard lives");
        drop(guard);
        b.try_lock().unwrap();
        b.unlock().unwrap();
        let guard = shared(&a, &d.0).unwrap();
        assert!(b.try_lock().is_err(), "a shared lock keeps writers out");
        b.try_lock_shared().unwrap();
        b.unlock().unwrap();
        drop(guard);
        b.try_lock().unwrap();
    }
}
