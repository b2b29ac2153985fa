//! Where the journal's files are, and which of them make up the journal now.
//!
//! ```text
//! <profile>/journal/lock                    flock: held by whoever reads or writes
//! <profile>/journal/snapshot-N.enc          every entry when generation N began
//! <profile>/journal/log-N.enc               every add, edit and delete since
//! ```
//!
//! Generation N is the journal once `snapshot-N.enc` exists: a compaction writes
//! `log-N+1` first, then `snapshot-N+1` (atomically: that rename is the moment of change),
//! then deletes generation N.

use crate::error::JournalError;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub(crate) fn journal_dir(profile: &Path) -> PathBuf {
    profile.join("journal")
}

pub(crate) fn snapshot_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("snapshot-{generation:08}.enc"))
}

pub(crate) fn log_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("log-{generation:08}.enc"))
}

#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub snapshots: BTreeMap<u64, PathBuf>,
    pub logs: BTreeMap<u64, PathBuf>,
    /// Unfinished atomic writes: the files they were replacing are intact.
    pub temps: Vec<PathBuf>,
}

impl Listing {
    pub fn newest_snapshot(&self) -> Option<u64> {
        self.snapshots.keys().next_back().copied()
    }
    /// A snapshot, or a log with records in it (whose snapshot was lost): something to open.
    /// A log alone with no records is a set-up that never finished.
    pub fn holds_a_journal(&self) -> bool {
        self.newest_snapshot().is_some() || self.logs.values().any(|p| has_records(p))
    }
}

pub(crate) fn has_records(log: &Path) -> bool {
    fs::metadata(log).map(|m| m.len() > crate::format::PREAMBLE_LEN as u64).unwrap_or(false)
}

pub(crate) fn list(dir: &Path) -> Result<Listing, JournalError> {
    let mut l = Listing::default();
    let read = match fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(l),
        Err(e) => return Err(JournalError::Io { action: "list", path: dir.to_owned(), source: e }),
    };
    for e in read {
        let e = e.map_err(JournalError::io("list", dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let generation = |prefix: &str| name.strip_prefix(prefix).and_then(|r| r.strip_suffix(".enc")).and_then(|n| n.parse::<u64>().ok());
        if name.ends_with(".tmp") {
            l.temps.push(e.path());
        } else if let Some(g) = generation("snapshot-") {
            l.snapshots.insert(g, e.path());
        } else if let Some(g) = generation("log-") {
            l.logs.insert(g, e.path());
        }
    }
    Ok(l)
}
