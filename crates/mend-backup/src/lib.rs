//! Mend's backups: the whole profile in one file, sealed with a backup passphrase, and
//! restored only into a new folder.
//!
//! A backup holds `profile.json`, the shared space (`space/`: every snapshot and log as
//! they are on disk), the journal (`journal/`: its files exactly as encrypted on disk, so
//! its own passphrase still guards it inside the backup), sync's small files (`sync/`),
//! what was kept aside (`damaged/`: it may hold the only copy of someone's words) and, only
//! when asked, the device key. It leaves out what a restore rebuilds: Mend's log (`logs/`),
//! the view cache, locks and temp files. The format is in [`format`] and
//! docs/architecture.md.
//!
//! **A consistent copy while Mend runs.** The space's files are read under the space's
//! shared lock (`space/lock`), the way `Engine::refresh` reads another process's changes:
//! every writer (the window, `mend serve`, another command) appends or compacts only under
//! the exclusive lock, so the copy is the files as they were between two writes, never a
//! torn append or half a compaction. The journal's files are read under the journal's lock
//! (exclusive: it has no shared mode; it is held only for the moment of a write, never
//! while the journal is merely open). Copying the files, rather than saving the document
//! from an opened engine, keeps everything as it is on disk (older generations and damage
//! kept aside included), costs no Automerge load, and never waits for a ten-year document.

pub mod format;

use format::FileEntry;
use mend_journal::sealing::KdfParams;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub use mend_journal::MIN_PASSPHRASE_CHARS;

/// The largest backup Mend writes or reads: it is sealed and opened whole, in memory. A ten
/// year profile is far below it (docs/performance.md).
pub const MAX_BACKUP_BYTES: u64 = 2 << 30;
const MAX_PASSPHRASE_BYTES: usize = 1024;

/// What went wrong, in words for a person: what happened and what to do. None of these
/// sentences names a command-line flag, so the window shows them as they are.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{} is not a Mend profile, so there is nothing in it to back up", path.display())]
    NotAProfile { path: PathBuf },
    #[error(
        "this profile has no device key to put in a backup (it is missing or damaged). A backup without the device key still holds everything else"
    )]
    NoDeviceKey,
    #[error("choose a backup passphrase of at least {min} characters: a few unrelated words are strong and easy to remember")]
    WeakPassphrase { min: usize },
    #[error("that passphrase is too long (at most {max} bytes)")]
    PassphraseTooLong { max: usize },
    #[error("this profile is larger than Mend can put in one backup ({} MiB at most); nothing was written", MAX_BACKUP_BYTES >> 20)]
    ProfileTooLarge,
    #[error("{} is not a Mend backup, so nothing was restored. Check that you chose the file Mend wrote when you backed up", path.display())]
    NotABackup { path: PathBuf },
    #[error(
        "{} was made by a newer version of Mend (backup format {found}; this Mend reads format {supported}), so nothing was restored. Update Mend on this computer, then restore again",
        path.display()
    )]
    Newer { path: PathBuf, found: u32, supported: u32 },
    #[error(
        "{} is damaged or incomplete (perhaps it was cut short while being copied), so Mend can't restore from it, and nothing was written. If you have another copy of this backup, try that one",
        path.display()
    )]
    Damaged { path: PathBuf },
    #[error("{} is larger than any backup Mend writes, so it is not one of Mend's, and nothing was restored", path.display())]
    TooLarge { path: PathBuf },
    #[error(
        "this passphrase does not open {}, so nothing was restored. Use the passphrase chosen when this backup was made (your journal's passphrase is another, unless you chose the same one), and try again",
        path.display()
    )]
    WrongPassphrase { path: PathBuf },
    #[error(
        "{} already holds a Mend profile ({parts}). A restore never goes over a profile, so nothing was written: choose a new, empty folder to restore into",
        path.display()
    )]
    TargetIsProfile { path: PathBuf, parts: String },
    #[error(
        "{} already holds other files. A restore goes only into a new, empty folder, so that nothing there is replaced; nothing was written. Choose a new folder to restore into",
        path.display()
    )]
    TargetNotEmpty { path: PathBuf },
    #[error("could not read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("this computer's random number generator failed ({0}); nothing was written. Try again")]
    Random(String),
    #[error("could not derive the backup's key ({0}); nothing was written. Close other programs and try again")]
    Kdf(String),
    #[error("could not encrypt the backup; nothing was written. Try again")]
    Encrypt,
    #[error(transparent)]
    Fs(#[from] mend_fs::FsError),
    #[error(transparent)]
    Store(mend_store::StoreError),
}

impl From<mend_store::StoreError> for BackupError {
    fn from(e: mend_store::StoreError) -> BackupError {
        match e {
            mend_store::StoreError::AlreadyExists { path, parts } => BackupError::TargetIsProfile { path, parts },
            mend_store::StoreError::NotEmpty { path } => BackupError::TargetNotEmpty { path },
            other => BackupError::Store(other),
        }
    }
}

impl BackupError {
    /// Whether the disk was full (the window says so in its own words).
    pub fn is_disk_full(&self) -> bool {
        match self {
            BackupError::Fs(e) => e.is_disk_full(),
            BackupError::Store(e) => e.is_disk_full(),
            _ => false,
        }
    }
}

/// How to make a backup.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Put the device key in too: the restored profile is then this very device.
    pub with_device_key: bool,
    /// Argon2id's cost ([`KdfParams::STRONG`] unless a test asks otherwise); stored in the
    /// file, so a restore always uses the cost the backup was made with.
    pub kdf: KdfParams,
}

impl Default for Options {
    fn default() -> Self {
        Options { with_device_key: false, kdf: KdfParams::STRONG }
    }
}

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: PathBuf,
    pub bytes: u64,
    pub files: usize,
    pub with_device_key: bool,
}

/// What a restore made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub dir: PathBuf,
    pub files: usize,
    /// True: the profile is the device the backup was made on (the old one must not run
    /// anymore). False: it must be added again by another device of the couple.
    pub with_device_key: bool,
    /// The device's name, from the backup's profile.json.
    pub device_name: Option<String>,
}

/// The monthly reminder, this device's own (`sync/backup.json`): whether it is on (off
/// unless chosen) and when this profile was last backed up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reminder {
    pub monthly: bool,
    /// Milliseconds since the epoch.
    pub last_backup_ms: Option<i64>,
}

/// How long after a backup the reminder comes back: thirty days.
pub const REMIND_AFTER_MS: i64 = 30 * 24 * 3600 * 1000;
const REMINDER_FILE: &str = "backup.json";

impl Reminder {
    /// Whether to remind now: on, and no backup yet or none for thirty days.
    pub fn due(&self, now_ms: i64) -> bool {
        self.monthly && self.last_backup_ms.is_none_or(|t| now_ms.saturating_sub(t) >= REMIND_AFTER_MS)
    }
}

/// The reminder as saved; off when there is none, or it cannot be read (it is only a
/// reminder: nothing depends on it).
pub fn reminder(profile: &Path) -> Reminder {
    std::fs::read(profile.join("sync").join(REMINDER_FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Turns the monthly reminder on or off.
pub fn set_monthly_reminder(profile: &Path, on: bool) -> Result<Reminder, BackupError> {
    let r = Reminder { monthly: on, ..reminder(profile) };
    save_reminder(profile, &r)?;
    Ok(r)
}

fn save_reminder(profile: &Path, r: &Reminder) -> Result<(), BackupError> {
    let dir = profile.join("sync");
    mend_fs::create_private_dir(&dir)?;
    let json = serde_json::to_vec(r).map_err(|e| BackupError::Read { path: dir.join(REMINDER_FILE), reason: e.to_string() })?;
    Ok(mend_fs::atomic_write(&dir.join(REMINDER_FILE), &json)?)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Whether a passphrase may protect a new backup.
pub fn check_passphrase(p: &str) -> Result<(), BackupError> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(BackupError::WeakPassphrase { min: MIN_PASSPHRASE_CHARS });
    }
    if p.len() > MAX_PASSPHRASE_BYTES {
        return Err(BackupError::PassphraseTooLong { max: MAX_PASSPHRASE_BYTES });
    }
    Ok(())
}

/// Whether `dir` may receive a restore: missing or empty (the check [`restore`] makes
/// first, for front ends that ask it before they ask for the passphrase).
pub fn check_target(dir: &Path) -> Result<(), BackupError> {
    Ok(mend_store::refuse_unless_empty(dir)?)
}

/// Backs up the profile in `profile` into `out`: whole or not at all, owner-only from its
/// first byte (`mend_fs::write_export`). Works while the window or `mend serve` runs on
/// the profile (see the crate's documentation).
pub fn backup(profile: &Path, out: &Path, passphrase: &str, opts: Options) -> Result<Written, BackupError> {
    check_passphrase(passphrase)?;
    let files = collect(profile, opts.with_device_key)?;
    let archive = format::encode_archive(&files);
    if archive.len() as u64 + 1024 > MAX_BACKUP_BYTES {
        return Err(BackupError::ProfileTooLarge);
    }
    let sealed = format::seal(passphrase, opts.kdf, &archive)?;
    mend_fs::write_export(out, &sealed)?;
    let mut r = reminder(profile);
    r.last_backup_ms = Some(now_ms());
    if let Err(e) = save_reminder(profile, &r) {
        // The backup is whole; only the reminder may come a month early.
        tracing::warn!(error = %e, "the time of this backup was not noted");
    }
    tracing::info!(files = files.len(), bytes = sealed.len(), with_key = opts.with_device_key, "backup written");
    Ok(Written { path: out.to_owned(), bytes: sealed.len() as u64, files: files.len(), with_device_key: opts.with_device_key })
}

/// Restores the backup `file` into `dir`, a new or empty folder: the profile is built in a
/// hidden folder beside it and renamed into place (the set-up rule), so a crash leaves no
/// profile or a whole one. Everything is decrypted and checked before the first byte is
/// written: a wrong passphrase, a damaged, cut or newer backup writes nothing.
pub fn restore(file: &Path, passphrase: &str, dir: &Path) -> Result<Restored, BackupError> {
    // The folder first: it is quick to check, and the key takes a moment to derive.
    check_target(dir)?;
    let bytes = read_backup(file)?;
    let header = format::read_header(&bytes, file)?;
    let key = format::unlock(&bytes, &header, passphrase, file)?;
    let files = format::open_body(&bytes, &key, file)?;
    let with_device_key = files.iter().any(|f| f.path == "device.key");
    let device_name = files
        .iter()
        .find(|f| f.path == "profile.json")
        .and_then(|f| serde_json::from_slice::<mend_store::Settings>(&f.bytes).ok())
        .map(|s| s.device_name);
    mend_store::set_up(dir, |staging| write_all(staging, &files))?;
    tracing::info!(files = files.len(), with_key = with_device_key, "backup restored");
    Ok(Restored { dir: dir.to_owned(), files: files.len(), with_device_key, device_name })
}

fn read_backup(file: &Path) -> Result<Zeroizing<Vec<u8>>, BackupError> {
    let read_err = |e: std::io::Error| BackupError::Read {
        path: file.to_owned(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "there is no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "this user may not read it".to_owned(),
            std::io::ErrorKind::IsADirectory => "it is a folder, not a file".to_owned(),
            _ => e.to_string(),
        },
    };
    let meta = std::fs::metadata(file).map_err(read_err)?;
    if meta.is_dir() {
        return Err(read_err(std::io::Error::from(std::io::ErrorKind::IsADirectory)));
    }
    if meta.len() > MAX_BACKUP_BYTES {
        return Err(BackupError::TooLarge { path: file.to_owned() });
    }
    let bytes = std::fs::read(file).map_err(read_err)?;
    if bytes.len() as u64 > MAX_BACKUP_BYTES {
        return Err(BackupError::TooLarge { path: file.to_owned() });
    }
    Ok(Zeroizing::new(bytes))
}

/// Writes every file into the staging folder (owner-only), fsynced with its folders.
fn write_all(staging: &Path, files: &[FileEntry]) -> Result<(), BackupError> {
    use std::io::Write as _;
    mend_fs::create_private_dir(staging)?;
    let mut dirs = std::collections::BTreeSet::new();
    dirs.insert(staging.to_owned());
    for f in files {
        // Allowed paths only ever reach here (decode_archive checked each one).
        let path = f.path.split('/').fold(staging.to_owned(), |p, part| p.join(part));
        let parent = path.parent().unwrap_or(staging).to_owned();
        if dirs.insert(parent.clone()) {
            mend_fs::create_private_dir(&parent)?;
        }
        let mut out = mend_fs::create_file(&path)?;
        out.write_all(&f.bytes).map_err(mend_fs::FsError::io("write", &path))?;
        set_mode(&out, f.mode, &path)?;
        out.sync_all().map_err(mend_fs::FsError::io("flush to disk", &path))?;
    }
    for d in dirs.iter().rev() {
        mend_fs::sync_dir(d)?;
    }
    Ok(())
}

/// The mode the file had, never more than its owner's bits: every file of a profile is
/// owner-only, and a backup cannot make one readable by others.
fn set_mode(f: &std::fs::File, mode: u32, path: &Path) -> Result<(), BackupError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let m = (mode & 0o700) | 0o600;
        f.set_permissions(std::fs::Permissions::from_mode(m)).map_err(mend_fs::FsError::io("set the permissions of", path))?;
    }
    let _ = (f, mode, path);
    Ok(())
}

/// Every file of the profile that a backup holds, read under the stores' locks.
fn collect(profile: &Path, with_key: bool) -> Result<Vec<FileEntry>, BackupError> {
    if !profile.join("profile.json").is_file() && !profile.join(mend_store::SPACE_DIR).is_dir() {
        return Err(BackupError::NotAProfile { path: profile.to_owned() });
    }
    let mut files = vec![];
    read_into(profile, "profile.json", &mut files)?;
    if with_key && !read_into(profile, "device.key", &mut files)? {
        return Err(BackupError::NoDeviceKey);
    }
    let space = profile.join(mend_store::SPACE_DIR);
    if space.is_dir() {
        let lock = mend_fs::open_lock(&space)?;
        let _shared = mend_fs::shared(&lock, &space)?;
        read_tree(profile, mend_store::SPACE_DIR, &mut files, &["lock", "view.cache"])?;
        test_hold("space");
    }
    let journal = profile.join("journal");
    if journal.is_dir() {
        let lock = mend_fs::open_lock(&journal)?;
        let _held = mend_fs::exclusive(&lock, &journal)?;
        read_tree(profile, "journal", &mut files, &["lock"])?;
        test_hold("journal");
    }
    read_tree(profile, "sync", &mut files, &["lock"])?;
    read_tree(profile, "damaged", &mut files, &[])?;
    let total: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
    if total > MAX_BACKUP_BYTES {
        return Err(BackupError::ProfileTooLarge);
    }
    Ok(files)
}

/// For tests/backup.rs only, in debug builds: with `MEND_BACKUP_TEST_HOLD=DIR`, the backup
/// stops while it still holds a store's lock (`DIR/space.held` says so) until `DIR/space.go`
/// exists, so a test can check that the lock is really held while the files are read.
fn test_hold(what: &str) {
    #[cfg(debug_assertions)]
    if let Some(dir) = std::env::var_os("MEND_BACKUP_TEST_HOLD").map(PathBuf::from) {
        if std::fs::write(dir.join(format!("{what}.held")), b"").is_err() {
            return;
        }
        while !dir.join(format!("{what}.go")).exists() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
    let _ = what;
}

/// Reads one file of the profile, if it is there. False when it is not.
fn read_into(profile: &Path, rel: &str, files: &mut Vec<FileEntry>) -> Result<bool, BackupError> {
    let path = profile.join(rel);
    let meta = match std::fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(mend_fs::FsError::io("read", &path)(e).into()),
    };
    if !meta.is_file() {
        return Ok(false);
    }
    if meta.len() > MAX_BACKUP_BYTES {
        return Err(BackupError::ProfileTooLarge);
    }
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        // Gone between listing and reading: an invitation that ended, a temp file renamed.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(mend_fs::FsError::io("read", &path)(e).into()),
    };
    files.push(FileEntry { path: rel.to_owned(), mode: mode_of(&meta), bytes: Zeroizing::new(bytes) });
    Ok(true)
}

/// Reads every file below `profile/rel` (at most three levels down), leaving out `skip`
/// by name, temp files and hidden names.
fn read_tree(profile: &Path, rel: &str, files: &mut Vec<FileEntry>, skip: &[&str]) -> Result<(), BackupError> {
    let dir = profile.join(rel);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(mend_fs::FsError::io("list", &dir)(e).into()),
    };
    let mut names: Vec<String> = vec![];
    for e in entries {
        let e = e.map_err(mend_fs::FsError::io("list", &dir))?;
        match e.file_name().into_string() {
            Ok(n) => names.push(n),
            // Mend writes only UTF-8 names; another is not Mend's.
            Err(n) => tracing::warn!(name = ?n, "a file not made by Mend is left out of the backup"),
        }
    }
    names.sort();
    for name in names {
        if skip.contains(&name.as_str()) || name.ends_with(".tmp") || name.starts_with('.') {
            continue;
        }
        let child = format!("{rel}/{name}");
        let path = profile.join(&child);
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir {
            if child.split('/').count() < 4 {
                read_tree(profile, &child, files, &[])?;
            }
        } else if format::path_is_allowed(&child) {
            read_into(profile, &child, files)?;
        }
    }
    Ok(())
}

fn mode_of(meta: &std::fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0o600
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reminder_is_off_unless_chosen_and_comes_a_month_after_a_backup() {
        let now = 1_800_000_000_000;
        assert!(!Reminder::default().due(now), "off by default");
        assert!(Reminder { monthly: true, last_backup_ms: None }.due(now), "on, and never backed up");
        assert!(!Reminder { monthly: true, last_backup_ms: Some(now - REMIND_AFTER_MS + 1) }.due(now));
        assert!(Reminder { monthly: true, last_backup_ms: Some(now - REMIND_AFTER_MS) }.due(now));
        assert!(!Reminder { monthly: false, last_backup_ms: Some(0) }.due(now));

        let t = tempfile::tempdir().unwrap();
        assert_eq!(reminder(t.path()), Reminder::default(), "no file: off");
        set_monthly_reminder(t.path(), true).unwrap();
        assert!(reminder(t.path()).monthly);
        std::fs::write(t.path().join("sync").join(REMINDER_FILE), b"{damaged").unwrap();
        assert_eq!(reminder(t.path()), Reminder::default(), "a damaged file is only a reminder lost");
    }
}
