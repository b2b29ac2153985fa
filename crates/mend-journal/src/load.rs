//! Opening the journal: find the current generation, check the key, read every record,
//! and repair what a crash or damage left. Nothing is written until the key is proven
//! right, so a mistyped passphrase never changes a byte.

use crate::cipher;
use crate::entry::{Entry, Record};
use crate::error::JournalError;
use crate::files;
use crate::format::{self, FrameProblem, Kind, PREAMBLE_LEN, Preamble, PreambleProblem};
use crate::kdf::{self, KdfParams, Key, SALT_LEN};
use crate::layout::{self, Listing};
use crate::recovery::Recovery;
use crate::write;
use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};

/// An opened journal: its key and everything it holds, in memory.
pub(crate) struct Unlocked {
    pub key: Key,
    pub params: KdfParams,
    pub salt: [u8; SALT_LEN],
    /// A preamble of the current generation, to check a passphrase against.
    pub check: Preamble,
    pub generation: u64,
    /// Bytes of the current log that are read or written: where the next append goes.
    pub log_len: u64,
    /// Frames in the current log: the index of the next append.
    pub log_frames: u64,
    pub entries: BTreeMap<String, Entry>,
}

pub(crate) enum Unlock<'a> {
    Passphrase(&'a [u8]),
    /// The key this process already holds: another process wrote, read it again.
    Known(&'a Unlocked),
}

/// One of the current generation's two files, as read from disk.
struct Read {
    path: PathBuf,
    bytes: Option<Vec<u8>>,
    preamble: Result<Preamble, PreambleProblem>,
}

fn read(path: PathBuf, kind: Kind, generation: u64) -> Result<Read, JournalError> {
    let bytes = match fs::read(&path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(JournalError::Io { action: "read", path, source: e }),
    };
    let preamble = match &bytes {
        None => Err(PreambleProblem::Short),
        Some(b) => Preamble::decode(b, kind).and_then(|p| if p.generation == generation { Ok(p) } else { Err(PreambleProblem::Implausible) }),
    };
    Ok(Read { path, bytes, preamble })
}

fn describe_preamble(p: PreambleProblem) -> String {
    match p {
        PreambleProblem::Short => "its start is cut off".to_owned(),
        PreambleProblem::NotJournal => "it is not a Mend journal file".to_owned(),
        PreambleProblem::Newer(v) => format!("its start claims format {v}, which its other file contradicts"),
        PreambleProblem::Checksum => "its start (the key settings) fails its checksum".to_owned(),
        PreambleProblem::Implausible => "its start (the key settings) makes no sense".to_owned(),
    }
}

fn describe_frames(problems: &[FrameProblem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| match p {
            FrameProblem::Checksum { at } => format!("the record at byte {at} fails its checksum"),
            FrameProblem::BadLength { at } => format!("unreadable from byte {at} on"),
            FrameProblem::Incomplete { at } => format!("cut off at byte {at}"),
        })
        .collect()
}

fn name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// Reads the journal in `dir`. Call with the exclusive lock held.
pub(crate) fn load(profile: &Path, dir: &Path, how: Unlock<'_>) -> Result<(Unlocked, Vec<Recovery>), JournalError> {
    let listing = layout::list(dir)?;
    let no_journal = || JournalError::NoJournal { path: profile.to_owned() };
    // The current generation: the newest snapshot; without any, a log that holds records
    // (its snapshot was lost). A log alone with no records is a set-up that never finished.
    let generation = match listing.newest_snapshot() {
        Some(g) => g,
        None => listing.logs.iter().rev().find(|(_, p)| layout::has_records(p)).map(|(g, _)| *g).ok_or_else(no_journal)?,
    };
    let snap = read(layout::snapshot_path(dir, generation), Kind::Snapshot, generation)?;
    let log = read(layout::log_path(dir, generation), Kind::Log, generation)?;

    let good: Vec<&Preamble> = [&snap.preamble, &log.preamble].into_iter().filter_map(|p| p.as_ref().ok()).collect();
    let Some(&first) = good.first() else {
        if let Some(v) = [&snap.preamble, &log.preamble].into_iter().find_map(|p| match p {
            Err(PreambleProblem::Newer(v)) => Some(*v),
            _ => None,
        }) {
            return Err(JournalError::NewerFormat { found: v });
        }
        return Err(set_aside_unreadable(profile, dir, &listing)?);
    };

    // Both files carry the key settings; normally they agree, and the key is derived once.
    // If one was altered, the other may still open: try each distinct setting.
    let mut key = None;
    let mut opened = first;
    for (i, &p) in good.iter().enumerate() {
        if good[..i].iter().any(|q| q.salt == p.salt && q.params == p.params) {
            continue;
        }
        let k = match &how {
            Unlock::Passphrase(pass) => kdf::derive(pass, &p.salt, p.params)?,
            Unlock::Known(u) if u.salt == p.salt && u.params == p.params => u.key.clone(),
            Unlock::Known(_) => continue,
        };
        if p.key_opens(&k) {
            key = Some(k);
            opened = p;
            break;
        }
    }
    let Some(key) = key else {
        return Err(match how {
            Unlock::Known(_) => JournalError::ChangedElsewhere,
            Unlock::Passphrase(_) if changed_before_crash(&listing, generation, &first.salt) => JournalError::WrongPassphraseAfterChange,
            Unlock::Passphrase(_) => JournalError::WrongPassphrase,
        });
    };
    let first = opened.clone();

    // The key is right: from here on, anything that does not read is damage.
    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
    let mut notes = Vec::new();
    let mut needs_compaction = false;

    let mut snap_damage: Vec<String> = Vec::new();
    match &snap.bytes {
        None => {
            notes.push(Recovery::Missing { file: snap.path.clone() });
            needs_compaction = true;
        }
        Some(bytes) => {
            if let Err(p) = &snap.preamble {
                snap_damage.push(describe_preamble(*p));
            } else if !snap.preamble.as_ref().is_ok_and(|p| p.salt == first.salt && p.key_opens(&key)) {
                snap_damage.push("its key settings were changed".to_owned());
            }
            let scan = format::scan(bytes);
            snap_damage.extend(describe_frames(&scan.problems));
            let (mut sealed, mut bad, mut puts) = (None, 0usize, 0u64);
            for f in &scan.frames {
                let aad = format::record_aad(Kind::Snapshot, generation, f.index);
                let record = cipher::open(&key, &aad, &bytes[f.body.clone()]).and_then(|pt| serde_json::from_slice::<Record>(&pt).ok());
                match record {
                    Some(Record::Put { entry }) if sealed.is_none() => {
                        puts += 1;
                        entries.insert(entry.id.clone(), entry);
                    }
                    Some(Record::Seal { count }) if sealed.is_none() && f.index + 1 == scan.count => sealed = Some(count),
                    _ => bad += 1,
                }
            }
            if bad > 0 {
                snap_damage.push(format!("{bad} record(s) fail their authenticity check"));
            }
            match sealed {
                Some(count) if count != puts => snap_damage.push(format!("it should hold {count} entries and {puts} are readable")),
                None if scan.is_clean() && bad == 0 => snap_damage.push("its end is missing".to_owned()),
                _ => {}
            }
        }
    }
    if !snap_damage.is_empty() {
        if let Some(bytes) = &snap.bytes {
            let kept = files::keep_bytes_aside(profile, &name(&snap.path), bytes)?;
            notes.push(Recovery::Damaged { file: snap.path.clone(), kept, detail: snap_damage.join("; ") });
        }
        needs_compaction = true;
    }

    let (mut log_len, mut log_frames) = (PREAMBLE_LEN as u64, 0u64);
    match &log.bytes {
        None => {
            notes.push(Recovery::Missing { file: log.path.clone() });
            needs_compaction = true;
        }
        Some(bytes) => {
            let scan = format::scan(bytes);
            let mut bad = 0usize;
            // An edit or a delete in the log means old words are still on disk: an edit or
            // delete whose compaction was cut short by a crash. Finish it now.
            let mut superseded = false;
            for f in &scan.frames {
                let aad = format::record_aad(Kind::Log, generation, f.index);
                match cipher::open(&key, &aad, &bytes[f.body.clone()]).and_then(|pt| serde_json::from_slice::<Record>(&pt).ok()) {
                    Some(Record::Put { entry }) => {
                        superseded |= entries.insert(entry.id.clone(), entry).is_some();
                    }
                    Some(Record::Delete { id }) => {
                        entries.remove(&id);
                        superseded = true;
                    }
                    _ => bad += 1,
                }
            }
            let preamble_ok = log.preamble.as_ref().is_ok_and(|p| p.salt == first.salt && p.key_opens(&key));
            if preamble_ok && bad == 0 && (scan.is_clean() || scan.only_torn_tail()) {
                if scan.only_torn_tail() {
                    // Cut off mid-append: keep the unfinished bytes, then trim them off.
                    let tail = &bytes[scan.good_end..];
                    let kept = files::keep_bytes_aside(profile, &format!("{}.tail", name(&log.path)), tail)?;
                    let f = OpenOptions::new().write(true).open(&log.path).map_err(JournalError::io("open", &log.path))?;
                    f.set_len(scan.good_end as u64).map_err(JournalError::io("trim", &log.path))?;
                    f.sync_all().map_err(JournalError::io("flush to disk", &log.path))?;
                    notes.push(Recovery::InterruptedWrite { file: log.path.clone(), bytes: tail.len(), kept });
                }
                log_len = scan.good_end as u64;
                log_frames = scan.count;
                needs_compaction |= superseded;
            } else {
                let mut detail = Vec::new();
                if let Err(p) = &log.preamble {
                    detail.push(describe_preamble(*p));
                } else if !preamble_ok {
                    detail.push("its key settings were changed".to_owned());
                }
                detail.extend(describe_frames(&scan.problems));
                if bad > 0 {
                    detail.push(format!("{bad} record(s) fail their authenticity check"));
                }
                let kept = files::keep_bytes_aside(profile, &name(&log.path), bytes)?;
                notes.push(Recovery::Damaged { file: log.path.clone(), kept, detail: detail.join("; ") });
                needs_compaction = true;
            }
        }
    }

    let mut u = Unlocked { key, params: first.params, salt: first.salt, check: first, generation, log_len, log_frames, entries };
    if needs_compaction {
        // A fresh generation holding everything recovered; the damaged files, of which
        // copies are kept aside, go with the old generation.
        write::compact(dir, &mut u, None)?;
    }
    tidy(profile, dir, &listing, u.generation)?;
    Ok((u, notes))
}

/// Removes what the current generation supersedes: older generations (left by a compaction
/// that was interrupted before it deleted them; deleted words must not outlive it), logs of
/// a compaction that never committed, and unfinished temporary files.
fn tidy(profile: &Path, dir: &Path, listing: &Listing, current: u64) -> Result<(), JournalError> {
    let mut changed = false;
    for (g, p) in listing.snapshots.iter().chain(listing.logs.iter()) {
        if *g < current || (*g > current && !listing.snapshots.contains_key(g)) {
            if *g > current && layout::has_records(p) {
                // Never written to by Mend (appends go to a committed generation only), so
                // whatever it holds is not ours to judge: keep a copy before it goes.
                let bytes = fs::read(p).map_err(JournalError::io("read", p))?;
                files::keep_bytes_aside(profile, &name(p), &bytes)?;
            }
            files::remove(p)?;
            changed = true;
        }
    }
    for t in &listing.temps {
        files::remove(t)?;
        changed = true;
    }
    if changed {
        files::sync_dir(dir)?;
    }
    Ok(())
}

/// True if an older generation under another salt is still on disk: a passphrase change
/// committed just before Mend stopped, so the new passphrase is the one that opens it now.
fn changed_before_crash(listing: &Listing, current: u64, salt: &[u8; SALT_LEN]) -> bool {
    let older =
        listing.snapshots.range(..current).map(|(g, p)| (g, p, Kind::Snapshot)).chain(listing.logs.range(..current).map(|(g, p)| (g, p, Kind::Log)));
    for (g, p, kind) in older {
        if let Ok(bytes) = fs::read(p)
            && let Ok(pre) = Preamble::decode(&bytes, kind)
            && pre.generation == *g
            && pre.salt != *salt
        {
            return true;
        }
    }
    false
}

/// No copy of the key settings can be read: nothing in these files can ever be decrypted.
/// Copies go to `damaged/`, the originals are removed so that a new journal can start, and
/// the owner is told.
fn set_aside_unreadable(profile: &Path, dir: &Path, listing: &Listing) -> Result<JournalError, JournalError> {
    for p in listing.snapshots.values().chain(listing.logs.values()) {
        let bytes = fs::read(p).map_err(JournalError::io("read", p))?;
        files::keep_bytes_aside(profile, &name(p), &bytes)?;
    }
    for p in listing.snapshots.values().chain(listing.logs.values()).chain(listing.temps.iter()) {
        files::remove(p)?;
    }
    files::sync_dir(dir)?;
    Ok(JournalError::Unreadable { dir: dir.to_owned(), kept: profile.join("damaged") })
}
