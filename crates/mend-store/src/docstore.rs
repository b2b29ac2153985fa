//! The shared document on disk, in generations:
//!
//! - `snapshot-N.am`: the whole document when generation N began (written atomically);
//! - `log-N.log`: every change saved since, one fsynced frame per save.
//!
//! Compaction starts generation N+1 and keeps generation N as a backup, so a damaged
//! snapshot never costs a change: the one before it plus both logs hold everything.
//! Several processes share a profile through an flock on `space/lock`: writers hold it
//! exclusively and first read what others appended, so each sees the others' changes.

use crate::error::StoreError;
use crate::fsutil::{self, atomic_write, sync_dir};
use crate::log::{self, Problem};
use crate::recovery::Recovery;
use automerge::{AutoCommit, ChangeHash};
use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Compact once the current log holds this much. Replaying changes is ~3x slower than
/// loading them from a snapshot, so the log stays small; a compaction of a ten-year space
/// costs one save every few thousand actions.
pub const DEFAULT_COMPACT_BYTES: u64 = 512 << 10;

pub struct DocStore {
    profile: PathBuf,
    dir: PathBuf,
    lock: File,
    generation: u64,
    log_offset: u64,
    durable: Vec<ChangeHash>,
    compact_bytes: u64,
}

/// Held while reading or writing; released on drop.
pub struct LockGuard(File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn snapshot_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("snapshot-{generation:08}.am"))
}
fn log_path(dir: &Path, generation: u64) -> PathBuf {
    dir.join(format!("log-{generation:08}.log"))
}

struct Listing {
    snapshots: BTreeMap<u64, PathBuf>,
    logs: BTreeMap<u64, PathBuf>,
    temps: Vec<PathBuf>,
}

impl Listing {
    fn newest(&self) -> u64 {
        self.snapshots.keys().chain(self.logs.keys()).copied().max().unwrap_or(0)
    }
}

fn list(dir: &Path) -> Result<Listing, StoreError> {
    let mut l = Listing { snapshots: BTreeMap::new(), logs: BTreeMap::new(), temps: vec![] };
    for e in fs::read_dir(dir).map_err(StoreError::io("list", dir))? {
        let e = e.map_err(StoreError::io("list", dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        let generation =
            |prefix: &str, suffix: &str| name.strip_prefix(prefix).and_then(|r| r.strip_suffix(suffix)).and_then(|n| n.parse::<u64>().ok());
        if name.ends_with(".tmp") {
            l.temps.push(e.path());
        } else if let Some(g) = generation("snapshot-", ".am") {
            l.snapshots.insert(g, e.path());
        } else if let Some(g) = generation("log-", ".log") {
            l.logs.insert(g, e.path());
        }
    }
    Ok(l)
}

fn open_lock(dir: &Path) -> Result<File, StoreError> {
    let p = dir.join("lock");
    let mut o = OpenOptions::new();
    o.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(&p).map_err(StoreError::io("open", p))
}

impl DocStore {
    /// Writes a new space's first generation. `profile` is the profile folder.
    pub fn create(profile: &Path, doc: &mut AutoCommit) -> Result<DocStore, StoreError> {
        let dir = profile.join("space");
        if dir.exists() {
            // Left by a set-up that crashed before it finished: nothing anyone wrote.
            fs::remove_dir_all(&dir).map_err(StoreError::io("clear", &dir))?;
        }
        fsutil::create_private_dir(&dir)?;
        let lock = open_lock(&dir)?;
        // The first snapshot is the bare genesis (which every Mend can rebuild) and the rest
        // goes to the log: no single damaged file can then cost the set-up.
        let mut genesis = mend_core::schema::genesis();
        let first = doc.save_after(&genesis.get_heads());
        let mut log_bytes = log::HEADER.to_vec();
        if !first.is_empty() {
            log_bytes.extend(log::encode_frame(&first));
        }
        atomic_write(&snapshot_path(&dir, 1), &genesis.save(), true)?;
        atomic_write(&log_path(&dir, 1), &log_bytes, true)?;
        sync_dir(profile)?;
        Ok(DocStore {
            profile: profile.to_owned(),
            dir,
            lock,
            generation: 1,
            log_offset: log_bytes.len() as u64,
            durable: doc.get_heads(),
            compact_bytes: DEFAULT_COMPACT_BYTES,
        })
    }

    /// Opens the document, repairing what a crash or damage left. Damaged files are moved
    /// to `damaged/` and never written to; what they held that could be read is recovered.
    pub fn open(profile: &Path) -> Result<(DocStore, AutoCommit, Vec<Recovery>), StoreError> {
        let dir = profile.join("space");
        if !dir.is_dir() {
            return Err(StoreError::NotAProfile { path: profile.to_owned() });
        }
        let lock = open_lock(&dir)?;
        let guard = exclusive(&lock, &dir)?;
        let mut notes = Vec::new();
        let listing = list(&dir)?;
        for t in &listing.temps {
            // An unfinished atomic write: the file it was replacing is intact.
            let _ = fs::remove_file(t);
        }
        let newest = listing.newest().max(1);
        let mut damaged_any = false;

        // The newest snapshot that loads; damaged ones are moved aside.
        let mut doc: Option<AutoCommit> = None;
        let mut base_gen = 0;
        let mut salvage: Vec<AutoCommit> = Vec::new();
        for (&g, path) in listing.snapshots.iter().rev() {
            let bytes = fs::read(path).map_err(StoreError::io("read", path))?;
            match AutoCommit::load(&bytes) {
                Ok(d) => {
                    doc = Some(d);
                    base_gen = g;
                    break;
                }
                Err(e) => {
                    damaged_any = true;
                    // Whatever leading chunks are intact.
                    if let Ok(partial) =
                        AutoCommit::load_with_options(&bytes, automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Ignore))
                    {
                        salvage.push(partial);
                    }
                    let kept = fsutil::keep_aside(profile, path)?;
                    notes.push(Recovery::Damaged { file: path.clone(), kept, detail: format!("snapshot does not load: {e}") });
                }
            }
        }
        let mut doc = match doc {
            Some(d) => d,
            None => mend_core::schema::genesis(),
        };
        for mut s in salvage {
            let _ = doc.merge(&mut s);
        }

        // Every log from the loaded snapshot's generation on (all of them if none loaded).
        let mut append_at = log::HEADER.len() as u64;
        for (&g, path) in listing.logs.range(base_gen..) {
            let bytes = fs::read(path).map_err(StoreError::io("read", path))?;
            let scan = log::scan(&bytes);
            let bad_payloads = replay(&mut doc, &bytes, &scan.frames);
            if scan.is_clean() && bad_payloads == 0 {
                if g == newest {
                    append_at = bytes.len() as u64;
                }
                continue;
            }
            if scan.only_torn_tail() && bad_payloads == 0 {
                // Cut off mid-append: keep the unfinished bytes, then trim them off.
                let tail = &bytes[scan.good_end..];
                let name = format!("{}.tail", path.file_name().unwrap_or_default().to_string_lossy());
                let kept = fsutil::keep_bytes_aside(profile, &name, tail)?;
                if scan.good_end < log::HEADER.len() {
                    atomic_write(path, log::HEADER, true)?;
                } else {
                    let f = OpenOptions::new().write(true).open(path).map_err(StoreError::io("open", path))?;
                    f.set_len(scan.good_end as u64).map_err(StoreError::io("trim", path))?;
                    f.sync_all().map_err(StoreError::io("flush to disk", path))?;
                }
                notes.push(Recovery::InterruptedWrite { file: path.clone(), bytes: tail.len(), kept });
                if g == newest {
                    append_at = scan.good_end.max(log::HEADER.len()) as u64;
                }
                continue;
            }
            damaged_any = true;
            let detail = describe(&scan.problems, bad_payloads);
            let kept = fsutil::keep_aside(profile, path)?;
            notes.push(Recovery::Damaged { file: path.clone(), kept, detail });
        }
        let missing = doc.get_missing_deps(&[]).len();
        if missing > 0 {
            notes.push(Recovery::Incomplete { missing });
        }

        let mut store = DocStore {
            profile: profile.to_owned(),
            dir: dir.clone(),
            lock: lock.try_clone().map_err(StoreError::io("open", dir.join("lock")))?,
            generation: newest,
            log_offset: append_at,
            durable: doc.get_heads(),
            compact_bytes: DEFAULT_COMPACT_BYTES,
        };
        if damaged_any || !log_path(&dir, newest).exists() {
            // A fresh generation holding everything recovered: the profile is healthy again
            // and no longer needs the files that were moved aside.
            store.compact_locked(&mut doc)?;
        }
        drop(guard);
        Ok((store, doc, notes))
    }

    pub fn set_compact_bytes(&mut self, bytes: u64) {
        self.compact_bytes = bytes;
    }

    pub fn lock_exclusive(&self) -> Result<LockGuard, StoreError> {
        exclusive(&self.lock, &self.dir)
    }

    pub fn lock_shared(&self) -> Result<LockGuard, StoreError> {
        let f = self.lock.try_clone().map_err(StoreError::io("lock", self.dir.join("lock")))?;
        f.lock_shared().map_err(StoreError::io("lock", self.dir.join("lock")))?;
        Ok(LockGuard(f))
    }

    /// Reads what other processes saved since we last looked. Call with a lock held.
    /// Returns whether anything new arrived.
    pub fn catch_up(&mut self, doc: &mut AutoCommit) -> Result<bool, StoreError> {
        let was_durable = doc.get_heads() == self.durable;
        let before = doc.get_heads();
        let listing = list(&self.dir)?;
        let newest = listing.newest();
        if newest > self.generation && !listing.logs.contains_key(&self.generation) {
            // Compacted more than once since we looked: the newest snapshot has it all.
            if let Some(p) = listing.snapshots.get(&newest) {
                let bytes = fs::read(p).map_err(StoreError::io("read", p))?;
                let _ = doc.load_incremental(&bytes);
            }
            self.generation = newest;
            self.log_offset = 0;
        }
        loop {
            let path = log_path(&self.dir, self.generation);
            if let Some(end) = self.read_log_from(&path, doc)? {
                self.log_offset = end;
            }
            if self.generation >= newest {
                break;
            }
            self.generation += 1;
            self.log_offset = 0;
        }
        let after = doc.get_heads();
        if was_durable {
            self.durable = after.clone();
        }
        Ok(after != before)
    }

    fn read_log_from(&self, path: &Path, doc: &mut AutoCommit) -> Result<Option<u64>, StoreError> {
        let mut f = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Io { action: "open", path: path.to_owned(), source: e }),
        };
        let start = self.log_offset.max(log::HEADER.len() as u64);
        f.seek(SeekFrom::Start(start)).map_err(StoreError::io("read", path))?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(StoreError::io("read", path))?;
        let scan = log::scan_from(&bytes, 0);
        // A frame damaged while we run is skipped here; the next open reports it.
        replay(doc, &bytes, &scan.frames);
        Ok(Some(start + scan.good_end as u64))
    }

    /// Appends every change not yet on disk and fsyncs it. Call with the exclusive lock held,
    /// after [`Self::catch_up`]. When this returns Ok, the changes survive any crash.
    pub fn persist(&mut self, doc: &mut AutoCommit) -> Result<bool, StoreError> {
        let heads = doc.get_heads();
        if heads == self.durable {
            return Ok(false);
        }
        let bytes = doc.save_after(&self.durable);
        if !bytes.is_empty() {
            let frame = log::encode_frame(&bytes);
            let path = log_path(&self.dir, self.generation);
            let mut f = OpenOptions::new().append(true).open(&path).map_err(StoreError::io("open", &path))?;
            let len = f.metadata().map_err(StoreError::io("read", &path))?.len();
            if len > self.log_offset {
                // Under the lock, after catch_up, bytes past what we read can only be an
                // unfinished append (a writer that crashed, or a failed write of ours). Frames
                // after it would be unreadable, so keep those bytes aside and trim them.
                let mut tail = Vec::new();
                let mut r = File::open(&path).map_err(StoreError::io("read", &path))?;
                r.seek(SeekFrom::Start(self.log_offset)).and_then(|_| r.read_to_end(&mut tail)).map_err(StoreError::io("read", &path))?;
                fsutil::keep_bytes_aside(&self.profile, "log.tail", &tail)?;
                f.set_len(self.log_offset).map_err(StoreError::io("trim", &path))?;
            }
            f.write_all(&frame).map_err(StoreError::io("write", &path))?;
            f.sync_data().map_err(StoreError::io("flush to disk", &path))?;
            self.log_offset += frame.len() as u64;
        }
        self.durable = heads;
        Ok(true)
    }

    pub fn wants_compaction(&self) -> bool {
        self.log_offset > self.compact_bytes
    }

    /// Writes the whole document as a new generation. Call with the exclusive lock held.
    pub fn compact(&mut self, doc: &mut AutoCommit) -> Result<(), StoreError> {
        self.compact_locked(doc)
    }

    fn compact_locked(&mut self, doc: &mut AutoCommit) -> Result<(), StoreError> {
        let g = self.generation + 1;
        atomic_write(&snapshot_path(&self.dir, g), &doc.save(), true)?;
        atomic_write(&log_path(&self.dir, g), log::HEADER, true)?;
        let old = self.generation;
        self.generation = g;
        self.log_offset = log::HEADER.len() as u64;
        self.durable = doc.get_heads();
        // Keep one generation back as the backup; older ones go.
        let listing = list(&self.dir)?;
        for (generation, p) in listing.snapshots.iter().chain(listing.logs.iter()) {
            if *generation < old {
                let _ = fs::remove_file(p);
            }
        }
        sync_dir(&self.dir)
    }

    pub fn profile_dir(&self) -> &Path {
        &self.profile
    }

    /// Bytes of the current log and the newest snapshot: for status and benchmarks.
    pub fn disk_usage(&self) -> u64 {
        [snapshot_path(&self.dir, self.generation), log_path(&self.dir, self.generation)]
            .iter()
            .filter_map(|p| fs::metadata(p).ok())
            .map(|m| m.len())
            .sum()
    }
}

/// Applies the changes in `frames`, all in one call (much faster than one call per frame);
/// only if that fails, frame by frame so that one bad frame costs only itself. Returns how
/// many frames did not load.
fn replay(doc: &mut AutoCommit, bytes: &[u8], frames: &[std::ops::Range<usize>]) -> usize {
    if frames.is_empty() {
        return 0;
    }
    let mut all = Vec::with_capacity(frames.iter().map(|r| r.len()).sum());
    for r in frames {
        all.extend_from_slice(&bytes[r.clone()]);
    }
    if doc.load_incremental(&all).is_ok() {
        return 0;
    }
    // A failed batch may have applied a prefix; loading a change twice is harmless.
    frames.iter().filter(|r| doc.load_incremental(&bytes[(*r).clone()]).is_err()).count()
}

fn exclusive(lock: &File, dir: &Path) -> Result<LockGuard, StoreError> {
    let f = lock.try_clone().map_err(StoreError::io("lock", dir.join("lock")))?;
    f.lock().map_err(StoreError::io("lock", dir.join("lock")))?;
    Ok(LockGuard(f))
}

fn describe(problems: &[Problem], bad_payloads: usize) -> String {
    let mut parts: Vec<String> = problems
        .iter()
        .map(|p| match p {
            Problem::BadHeader => "the file is not a Mend log".to_owned(),
            Problem::Checksum { at } => format!("a save at byte {at} fails its checksum"),
            Problem::BadLength { at } => format!("unreadable from byte {at} on"),
            Problem::Incomplete { at } => format!("cut off at byte {at}"),
        })
        .collect();
    if bad_payloads > 0 {
        parts.push(format!("{bad_payloads} save(s) are not valid changes"));
    }
    parts.join("; ")
}
