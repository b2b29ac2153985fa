//! The log file under a profile: `PROFILE/logs/mend.log`, owner-only, never larger than its
//! cap. When a line would take it past the cap, the file becomes `mend.log.1` (replacing the
//! one before) and a new file starts, so a profile never holds more than twice the cap in
//! logs, however long Mend runs.
//!
//! A log is not a record: lines are not fsynced (losing the last lines in a crash costs
//! nothing a person wrote), and a log that cannot be written is dropped quietly rather than
//! stopping what the person was doing. What goes in is the caller's business; Mend writes
//! no record text and no journal text there (docs/privacy.md).

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The log folder's name inside a profile.
pub const LOGS_DIR: &str = "logs";
/// The current log's name; the previous one is this with `.1` added.
pub const LOG_NAME: &str = "mend.log";
/// 1 MiB: months of ordinary use, and small enough to attach to a report by hand.
pub const LOG_CAP: u64 = 1 << 20;

/// A size-capped, rotating, owner-only log file in `PROFILE/logs/`. It opens lazily, and
/// only once the profile exists (`ready` holds): creating the folder earlier would make the
/// profile's folder non-empty and `init` would refuse it.
pub struct RotatingLog {
    dir: PathBuf,
    ready: Box<dyn Fn() -> bool + Send>,
    cap: u64,
    file: Option<File>,
    len: u64,
}

impl RotatingLog {
    /// A log in `profile/logs/` that starts once `ready()` says the profile is there.
    pub fn new(profile: &Path, cap: u64, ready: impl Fn() -> bool + Send + 'static) -> RotatingLog {
        RotatingLog { dir: profile.join(LOGS_DIR), ready: Box::new(ready), cap: cap.max(1), file: None, len: 0 }
    }

    /// The current log file's path.
    pub fn path(&self) -> PathBuf {
        self.dir.join(LOG_NAME)
    }

    /// The previous log file's path.
    pub fn old_path(&self) -> PathBuf {
        self.dir.join(format!("{LOG_NAME}.1"))
    }

    fn open(&mut self) -> io::Result<Option<&mut File>> {
        if self.file.is_none() {
            if !(self.ready)() {
                return Ok(None);
            }
            crate::create_private_dir(&self.dir).map_err(|e| e.source)?;
            let f = append_private(&self.path())?;
            self.len = f.metadata()?.len();
            self.file = Some(f);
        }
        Ok(self.file.as_mut())
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file = None;
        std::fs::rename(self.path(), self.old_path())?;
        self.len = 0;
        Ok(())
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // A line longer than the whole cap is cut, so that the cap holds.
        let take = buf.len().min(self.cap as usize);
        if self.open()?.is_none() {
            // No profile yet: the line has nowhere to go that would not get in init's way.
            return Ok(buf.len());
        }
        if self.len > 0 && self.len + take as u64 > self.cap {
            self.rotate()?;
        }
        let Some(f) = self.open()? else { return Ok(buf.len()) };
        f.write_all(&buf[..take])?;
        self.len += take as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.file.as_mut() {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

fn append_private(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_in(dir: &Path, cap: u64) -> RotatingLog {
        let space = dir.join("space");
        RotatingLog::new(dir, cap, move || space.exists())
    }

    #[test]
    fn nothing_is_created_before_the_profile_exists() {
        let d = tempfile::tempdir().unwrap();
        let mut log = log_in(d.path(), 100);
        log.write_all(b"a line\n").unwrap();
        assert!(!d.path().join(LOGS_DIR).exists(), "a log folder would make init refuse the folder");
        std::fs::create_dir(d.path().join("space")).unwrap();
        log.write_all(b"now\n").unwrap();
        assert_eq!(std::fs::read_to_string(log.path()).unwrap(), "now\n");
    }

    #[test]
    fn the_log_rotates_at_its_cap_and_keeps_one_old_file() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("space")).unwrap();
        let mut log = log_in(d.path(), 64);
        for i in 0..100 {
            writeln!(log, "line {i:04} of the log").unwrap();
        }
        let now = std::fs::read_to_string(log.path()).unwrap();
        let old = std::fs::read_to_string(log.old_path()).unwrap();
        assert!(now.len() <= 64 && old.len() <= 64, "{} and {} bytes", now.len(), old.len());
        assert!(now.ends_with("line 0099 of the log\n"), "the newest line is kept: {now:?}");
        assert!(old.contains("line 0097") || old.contains("line 0096"), "the old file holds the lines before: {old:?}");
        let files = std::fs::read_dir(d.path().join(LOGS_DIR)).unwrap().count();
        assert_eq!(files, 2, "one current file and one old one, never more");
    }

    #[test]
    fn a_line_longer_than_the_cap_is_cut_to_it() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("space")).unwrap();
        let mut log = log_in(d.path(), 16);
        log.write_all(&[b'x'; 100]).unwrap();
        assert_eq!(std::fs::metadata(log.path()).unwrap().len(), 16);
    }

    #[cfg(unix)]
    #[test]
    fn the_log_and_its_folder_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("space")).unwrap();
        let mut log = log_in(d.path(), 1000);
        log.write_all(b"x\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&log.path()), 0o600);
        assert_eq!(mode(&d.path().join(LOGS_DIR)), 0o700);
    }

    #[test]
    fn a_log_reopened_later_appends_and_counts_what_was_there() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("space")).unwrap();
        log_in(d.path(), 40).write_all(b"first run, 30 bytes of text..\n").unwrap();
        let mut again = log_in(d.path(), 40);
        again.write_all(b"second run line\n").unwrap();
        assert_eq!(std::fs::read_to_string(again.path()).unwrap(), "second run line\n");
        assert!(std::fs::read_to_string(again.old_path()).unwrap().starts_with("first run"));
    }
}
