//! The shared document on disk, in generations:
//!
//! - `snapshot-N.am`: the whole document when generation N began (written atomically);
//! - `log-N.log`: every change saved since, one fsynced frame per save.
//!
//! Compaction starts generation N+1 and keeps generation N as a backup, so a damaged
//! snapshot never costs a change: the one before it plus both logs hold everything.
//! Several processes share a profile through an flock on `space/lock`: writers hold it
//! exclusively and first read what others appended, so each sees the others' changes.
//!
//! Next to them, `view.cache` (see [`crate::viewcache`]) holds the view of one exact state
//! of these files; [`DocStore::open_cached`] shows it while the document loads.

use crate::error::StoreError;
use crate::log::{self, Problem};
use crate::recovery::Recovery;
use crate::viewcache::{self, Stamp};
use automerge::{AutoCommit, ChangeHash};
use mend_core::View;
use mend_fs::{atomic_write, exclusive, open_lock, sync_dir};
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
    /// Length and crc32 of this generation's snapshot, when this process loaded or wrote it
    /// (the view cache is stamped with them).
    snapshot_id: Option<(u64, u32)>,
    /// crc32 of this generation's log frames up to `log_offset`, when known.
    log_crc: Option<crc32fast::Hasher>,
    /// (generation, log length) of the view cache this process last wrote or used: the
    /// cache need not be written again for the same state.
    cache_at: Option<(u64, u64)>,
}

/// What [`DocStore::open_cached`] found.
// Made once per open and taken apart at once: the size difference costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Opening {
    /// The view cache matched the files exactly: the view is ready, and the document is
    /// loading on a thread of its own.
    Cached(Cached),
    /// No usable cache: opened the usual way (loaded, and repaired if need be).
    Loaded { store: DocStore, doc: AutoCommit, notes: Vec<Recovery> },
}

pub struct Cached {
    pub store: DocStore,
    /// The view of the state `heads`, from the cache.
    pub view: View,
    pub heads: Vec<ChangeHash>,
    /// True when the log holds changes saved after that state (another process's, or ours
    /// since the cache was written): the view must catch up with them once the document
    /// has loaded before it is shown.
    pub tail: bool,
    /// The document, loading. Hand it to [`DocStore::attach`] before any other call that
    /// takes the document.
    pub pending: PendingDoc,
}

/// The document loading in the background: the snapshot and log bytes that matched the
/// cache, read under the lock, so the thread touches no file.
pub struct PendingDoc(std::thread::JoinHandle<Result<LoadedDoc, String>>);

pub struct LoadedDoc {
    pub doc: AutoCommit,
    /// The heads after the snapshot and the log bytes the cache covers, before the tail:
    /// they must equal the cache's heads, or the cache was wrong.
    pub covered_heads: Vec<ChangeHash>,
    /// Changes that wait for changes the files do not hold (see [`Recovery::Incomplete`]).
    pub missing: usize,
}

impl PendingDoc {
    fn spawn(
        snapshot: Vec<u8>,
        log: Vec<u8>,
        covered: Vec<std::ops::Range<usize>>,
        tail: Vec<std::ops::Range<usize>>,
    ) -> std::io::Result<PendingDoc> {
        let job = move || {
            let mut doc = AutoCommit::load(&snapshot).map_err(|e| format!("the snapshot does not load: {e}"))?;
            drop(snapshot);
            if replay(&mut doc, &log, &covered) > 0 {
                return Err("a saved change does not load".to_owned());
            }
            let covered_heads = doc.get_heads();
            if !tail.is_empty() {
                // Record patches from here on, so that the view catches up by diffing only
                // the tail (SharedDoc::with_view uses this cursor, then drops it).
                doc.update_diff_cursor();
                if replay(&mut doc, &log, &tail) > 0 {
                    return Err("a saved change does not load".to_owned());
                }
            }
            let missing = doc.get_missing_deps(&[]).len();
            Ok(LoadedDoc { doc, covered_heads, missing })
        };
        std::thread::Builder::new().name("mend-load".into()).spawn(job).map(PendingDoc)
    }
}

pub use mend_fs::LockGuard;

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

/// A profile's space folder entered for opening: its lock file, the exclusive lock held,
/// and what the folder holds once leftover temp files are gone.
struct Entered {
    dir: PathBuf,
    lock: File,
    guard: LockGuard,
    listing: Listing,
}

fn enter(profile: &Path) -> Result<Entered, StoreError> {
    let dir = profile.join("space");
    if !dir.is_dir() {
        let parts = crate::profile::parts_in(profile);
        if parts.is_empty() {
            return Err(StoreError::NotAProfile { path: profile.to_owned() });
        }
        return Err(StoreError::Remnant { path: profile.to_owned(), parts: parts.join(", ") });
    }
    let lock = open_lock(&dir)?;
    let guard = exclusive(&lock, &dir)?;
    let listing = list(&dir)?;
    remove_temps(&listing);
    Ok(Entered { dir, lock, guard, listing })
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

impl DocStore {
    /// Writes a new space's first generation. `profile` is the profile folder.
    pub fn create(profile: &Path, doc: &mut AutoCommit) -> Result<DocStore, StoreError> {
        let dir = profile.join("space");
        if dir.exists() {
            // Never over a space that is there: it may hold all that is left of a couple's words.
            return Err(StoreError::AlreadyExists { path: profile.to_owned(), parts: "space".to_owned() });
        }
        mend_fs::create_private_dir(&dir)?;
        let lock = open_lock(&dir)?;
        // The first snapshot is the bare genesis (which every Mend can rebuild) and the rest
        // goes to the log: no single damaged file can then cost the set-up.
        let mut genesis = mend_core::schema::genesis();
        let first = doc.save_after(&genesis.get_heads());
        let mut log_bytes = log::HEADER.to_vec();
        if !first.is_empty() {
            log_bytes.extend(log::encode_frame(&first));
        }
        let snapshot = genesis.save();
        atomic_write(&snapshot_path(&dir, 1), &snapshot)?;
        atomic_write(&log_path(&dir, 1), &log_bytes)?;
        sync_dir(profile)?;
        Ok(DocStore {
            profile: profile.to_owned(),
            dir,
            lock,
            generation: 1,
            log_offset: log_bytes.len() as u64,
            durable: doc.get_heads(),
            compact_bytes: DEFAULT_COMPACT_BYTES,
            snapshot_id: Some(id_of(&snapshot)),
            log_crc: Some(frames_crc(&log_bytes)),
            cache_at: None,
        })
    }

    /// Opens the document like [`Self::open`], unless the view cache holds the view of
    /// exactly the state on disk: then that view is returned at once and the document loads
    /// on a thread ([`Opening::Cached`]). The cache is used only when its stamp matches the
    /// newest generation, the snapshot's length and crc32, and the log's bytes it covers,
    /// and the whole log scans clean; anything else (a missing, damaged, foreign or old
    /// cache, a log another process cut or extended in a way we cannot follow, damage to
    /// repair) opens the usual way.
    pub fn open_cached(profile: &Path) -> Result<Opening, StoreError> {
        let Entered { dir, lock, guard, listing } = enter(profile)?;
        if let Some(found) = find_cached(&dir, &listing) {
            let Found { stamp, view, snapshot, log, covered, tail } = found;
            let (log_len, crc) = (log.len() as u64, frames_crc(&log));
            let has_tail = !tail.is_empty();
            let snapshot_id = (snapshot.len() as u64, stamp.snapshot_crc);
            if let Ok(pending) = PendingDoc::spawn(snapshot, log, covered, tail) {
                let store = DocStore {
                    profile: profile.to_owned(),
                    dir: dir.clone(),
                    lock: lock.try_clone().map_err(StoreError::io("open", dir.join("lock")))?,
                    generation: stamp.generation,
                    log_offset: log_len,
                    // Set by `attach`, from the loaded document.
                    durable: vec![],
                    compact_bytes: DEFAULT_COMPACT_BYTES,
                    snapshot_id: Some(snapshot_id),
                    log_crc: Some(crc),
                    cache_at: Some((stamp.generation, stamp.log_len)),
                };
                drop(guard);
                let heads = stamp.heads.iter().map(|h| ChangeHash(*h)).collect();
                return Ok(Opening::Cached(Cached { store, view, heads, tail: has_tail, pending }));
            }
            // No thread to be had: open the usual way.
        }
        let (store, doc, notes) = Self::open_locked(profile, &dir, &lock, listing)?;
        drop(guard);
        Ok(Opening::Loaded { store, doc, notes })
    }

    /// Waits for the document of an [`Opening::Cached`]. An error means it did not load as
    /// the cache promised: open the profile again with [`Self::open`], which repairs.
    pub fn attach(&mut self, pending: PendingDoc) -> Result<LoadedDoc, StoreError> {
        let mut loaded = match pending.0.join() {
            Ok(Ok(l)) => l,
            Ok(Err(e)) => return Err(StoreError::Load(e)),
            Err(_) => return Err(StoreError::Load("the loading thread stopped".to_owned())),
        };
        self.durable = loaded.doc.get_heads();
        Ok(loaded)
    }

    /// Writes the view cache for the state on disk, if `heads` (the document's) is that
    /// state: nothing unsaved, and the files as this process last saw them. Call with the
    /// exclusive lock held. Returns whether it was written; it is only a cache, so callers
    /// may ignore an error.
    pub fn write_view_cache(&mut self, view: &View, heads: &[ChangeHash]) -> Result<bool, StoreError> {
        if self.cache_at == Some((self.generation, self.log_offset)) {
            return Ok(false);
        }
        let (Some(snapshot), Some(crc)) = (self.snapshot_id, self.log_crc.clone()) else {
            return Ok(false);
        };
        let mut heads = heads.to_vec();
        heads.sort();
        let mut durable = self.durable.clone();
        durable.sort();
        if heads != durable {
            return Ok(false);
        }
        let log_len = fs::metadata(log_path(&self.dir, self.generation)).map(|m| m.len()).ok();
        if log_len != Some(self.log_offset) || snapshot_path(&self.dir, self.generation + 1).exists() {
            // Another process moved on since we last read: this view would only be old.
            return Ok(false);
        }
        let stamp = Stamp::current(self.generation, snapshot, (self.log_offset, crc.finalize()), heads.iter().map(|h| h.0).collect());
        atomic_write(&self.dir.join(viewcache::FILE), &viewcache::encode(&stamp, &view.to_cache()))?;
        self.cache_at = Some((self.generation, self.log_offset));
        Ok(true)
    }

    /// Opens the document, repairing what a crash or damage left. Damaged files are moved
    /// to `damaged/` and never written to; what they held that could be read is recovered.
    pub fn open(profile: &Path) -> Result<(DocStore, AutoCommit, Vec<Recovery>), StoreError> {
        let Entered { dir, lock, guard, listing } = enter(profile)?;
        let opened = Self::open_locked(profile, &dir, &lock, listing)?;
        drop(guard);
        Ok(opened)
    }

    fn open_locked(profile: &Path, dir: &Path, lock: &File, listing: Listing) -> Result<(DocStore, AutoCommit, Vec<Recovery>), StoreError> {
        let dir = dir.to_owned();
        let mut notes = Vec::new();
        let newest = listing.newest().max(1);
        let mut damaged_any = false;

        // The newest snapshot that loads; damaged ones are moved aside.
        let mut doc: Option<AutoCommit> = None;
        let mut base_gen = 0;
        let mut base_id = None;
        let mut salvage: Vec<AutoCommit> = Vec::new();
        for (&g, path) in listing.snapshots.iter().rev() {
            let bytes = fs::read(path).map_err(StoreError::io("read", path))?;
            // Automerge loads zero bytes as an empty document: a snapshot must also hold
            // the genesis every Mend space starts from, or it is damage, not a space.
            let loaded = AutoCommit::load(&bytes).map_err(|e| format!("snapshot does not load: {e}")).and_then(|mut d| {
                if bytes.is_empty() {
                    Err("the snapshot is empty".to_owned())
                } else if d.get_change_by_hash(&mend_core::schema::genesis_hash()).is_none() {
                    Err("the snapshot holds no Mend space".to_owned())
                } else {
                    Ok(d)
                }
            });
            match loaded {
                Ok(d) => {
                    doc = Some(d);
                    base_gen = g;
                    base_id = Some(id_of(&bytes));
                    break;
                }
                Err(detail) => {
                    damaged_any = true;
                    // Whatever leading chunks are intact.
                    if let Ok(partial) =
                        AutoCommit::load_with_options(&bytes, automerge::LoadOptions::new().on_partial_load(automerge::OnPartialLoad::Ignore))
                    {
                        salvage.push(partial);
                    }
                    let kept = mend_fs::keep_aside(profile, path)?;
                    notes.push(Recovery::Damaged { file: path.clone(), kept, detail });
                }
            }
        }
        let mut doc = match doc {
            Some(d) => d,
            None => mend_core::schema::genesis(),
        };
        for mut s in salvage {
            // What merges is kept; what does not was kept aside in damaged/ already.
            if let Err(e) = doc.merge(&mut s) {
                tracing::warn!(error = %e, "a part saved from a damaged file did not merge");
            }
        }

        // Every log from the loaded snapshot's generation on (all of them if none loaded).
        let mut append_at = log::HEADER.len() as u64;
        let mut newest_crc = None;
        for (&g, path) in listing.logs.range(base_gen..) {
            let bytes = fs::read(path).map_err(StoreError::io("read", path))?;
            let scan = log::scan(&bytes);
            let bad_payloads = replay(&mut doc, &bytes, &scan.frames);
            if scan.is_clean() && bad_payloads == 0 {
                if g == newest {
                    append_at = bytes.len() as u64;
                    newest_crc = Some(frames_crc(&bytes));
                }
                continue;
            }
            if scan.only_torn_tail() && bad_payloads == 0 {
                // Cut off mid-append: keep the unfinished bytes, then trim them off.
                let tail = &bytes[scan.good_end..];
                let name = format!("{}.tail", path.file_name().unwrap_or_default().to_string_lossy());
                let kept = mend_fs::keep_bytes_aside(profile, &name, tail)?;
                if scan.good_end < log::HEADER.len() {
                    atomic_write(path, log::HEADER)?;
                } else {
                    let f = OpenOptions::new().write(true).open(path).map_err(StoreError::io("open", path))?;
                    f.set_len(scan.good_end as u64).map_err(StoreError::io("trim", path))?;
                    f.sync_all().map_err(StoreError::io("flush to disk", path))?;
                }
                notes.push(Recovery::InterruptedWrite { file: path.clone(), bytes: tail.len(), kept });
                if g == newest {
                    append_at = scan.good_end.max(log::HEADER.len()) as u64;
                    newest_crc = Some(frames_crc(&bytes[..scan.good_end.max(log::HEADER.len()).min(bytes.len())]));
                }
                continue;
            }
            damaged_any = true;
            let detail = describe(&scan.problems, bad_payloads);
            let kept = mend_fs::keep_aside(profile, path)?;
            notes.push(Recovery::Damaged { file: path.clone(), kept, detail });
        }
        let missing = doc.get_missing_deps(&[]).len();
        if missing > 0 {
            notes.push(Recovery::Incomplete { missing });
        }
        if let Some(lost) = lost_since_cache(profile, &dir, &listing, newest, &mut doc)? {
            notes.push(lost);
            // A fresh generation from what remains, so the loss is told once, not at every open.
            damaged_any = true;
        }

        let mut store = DocStore {
            profile: profile.to_owned(),
            dir: dir.clone(),
            lock: lock.try_clone().map_err(StoreError::io("open", dir.join("lock")))?,
            generation: newest,
            log_offset: append_at,
            durable: doc.get_heads(),
            compact_bytes: DEFAULT_COMPACT_BYTES,
            // Only when the document is exactly this generation's snapshot and log.
            snapshot_id: base_id.filter(|_| base_gen == newest),
            log_crc: newest_crc,
            cache_at: None,
        };
        if damaged_any || !log_path(&dir, newest).exists() {
            // A fresh generation holding everything recovered: the profile is healthy again
            // and no longer needs the files that were moved aside.
            store.compact_locked(&mut doc)?;
        }
        Ok((store, doc, notes))
    }

    /// The profile folder was renamed (set-up writes it under another name first); the open
    /// lock file is the same file, so only the paths change.
    pub(crate) fn moved_to(&mut self, profile: &Path) {
        self.profile = profile.to_owned();
        self.dir = profile.join("space");
    }

    pub fn set_compact_bytes(&mut self, bytes: u64) {
        self.compact_bytes = bytes;
    }

    pub fn lock_exclusive(&self) -> Result<LockGuard, StoreError> {
        Ok(exclusive(&self.lock, &self.dir)?)
    }

    pub fn lock_shared(&self) -> Result<LockGuard, StoreError> {
        Ok(mend_fs::shared(&self.lock, &self.dir)?)
    }

    /// Reads what other processes saved since we last looked. Call with a lock held.
    /// Returns whether anything new arrived.
    pub fn catch_up(&mut self, doc: &mut AutoCommit) -> Result<bool, StoreError> {
        // Windows and `serve` call this every 50 ms. Nothing new, in two stats: our log is
        // as long as we read it and no newer generation has begun (a compaction writes the
        // next snapshot before anything else).
        let log_len = fs::metadata(log_path(&self.dir, self.generation)).map(|m| m.len()).ok();
        if self.log_offset > 0 && log_len == Some(self.log_offset) && !snapshot_path(&self.dir, self.generation + 1).exists() {
            return Ok(false);
        }
        let was_durable = doc.get_heads() == self.durable;
        let before = doc.get_heads();
        let listing = list(&self.dir)?;
        let newest = listing.newest();
        if newest > self.generation && !listing.logs.contains_key(&self.generation) {
            // Compacted more than once since we looked: the newest snapshot has it all.
            if let Some(p) = listing.snapshots.get(&newest) {
                let bytes = fs::read(p).map_err(StoreError::io("read", p))?;
                // The logs that follow still load; the next open reads this snapshot
                // through the usual checks and keeps it aside if it is damaged.
                if let Err(e) = doc.load_incremental(&bytes) {
                    tracing::warn!(error = %e, generation = newest, "a newer snapshot did not load while catching up");
                }
            }
            self.new_generation(newest);
        }
        loop {
            let path = log_path(&self.dir, self.generation);
            self.read_log_from(&path, doc)?;
            if self.generation >= newest {
                break;
            }
            self.new_generation(self.generation + 1);
        }
        let after = doc.get_heads();
        if was_durable {
            self.durable = after.clone();
        }
        Ok(after != before)
    }

    /// Moved on to generation `g` by reading others' files, not by loading or writing its
    /// snapshot: what this document holds is no longer known to be exactly those files, so
    /// this process writes no view cache until its own next compaction.
    fn new_generation(&mut self, g: u64) {
        self.generation = g;
        self.log_offset = 0;
        self.snapshot_id = None;
        self.log_crc = None;
    }

    /// Reads the log from where we stopped; leaves everything as it was if it is missing.
    fn read_log_from(&mut self, path: &Path, doc: &mut AutoCommit) -> Result<(), StoreError> {
        let mut f = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::Io { action: "open", path: path.to_owned(), source: e }),
        };
        let start = self.log_offset.max(log::HEADER.len() as u64);
        f.seek(SeekFrom::Start(start)).map_err(StoreError::io("read", path))?;
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).map_err(StoreError::io("read", path))?;
        let scan = log::scan_from(&bytes, 0);
        // A frame damaged while we run is skipped here; the next open reports it.
        replay(doc, &bytes, &scan.frames);
        if !scan.is_clean() {
            self.log_crc = None;
        }
        if let Some(h) = &mut self.log_crc {
            h.update(&bytes[..scan.good_end]);
        }
        self.log_offset = start + scan.good_end as u64;
        Ok(())
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
                mend_fs::keep_bytes_aside(&self.profile, "log.tail", &tail)?;
                f.set_len(self.log_offset).map_err(StoreError::io("trim", &path))?;
            }
            // Unknown until the frame is safely down (a failed write leaves bytes behind).
            let crc = self.log_crc.take();
            let written = f
                .write_all(&frame)
                .map_err(StoreError::io("write", &path))
                .and_then(|_| f.sync_data().map_err(StoreError::io("flush to disk", &path)));
            if let Err(e) = written {
                // Nothing of this frame was acknowledged: take its bytes back off at once
                // (we hold the lock), so that a full disk does not leave a torn tail for
                // every later write to find and keep aside again.
                if f.set_len(self.log_offset).and_then(|_| f.sync_data()).is_err() {
                    // Then the next write (or open) trims them, keeping one copy aside.
                }
                return Err(e);
            }
            self.log_offset += frame.len() as u64;
            self.log_crc = crc.map(|mut h| {
                h.update(&frame);
                h
            });
        }
        self.durable = heads;
        Ok(true)
    }

    pub fn wants_compaction(&self) -> bool {
        self.log_offset > self.compact_bytes
    }

    /// Writes the whole document as a new generation. Call with the exclusive lock held.
    pub fn compact(&mut self, doc: &mut AutoCommit) -> Result<(), StoreError> {
        let log_bytes = self.log_offset;
        self.compact_locked(doc)?;
        tracing::info!(log_bytes, generation = self.generation, "compacted the shared space");
        Ok(())
    }

    fn compact_locked(&mut self, doc: &mut AutoCommit) -> Result<(), StoreError> {
        let g = self.generation + 1;
        let snapshot = doc.save();
        atomic_write(&snapshot_path(&self.dir, g), &snapshot)?;
        atomic_write(&log_path(&self.dir, g), log::HEADER)?;
        let old = self.generation;
        self.generation = g;
        self.log_offset = log::HEADER.len() as u64;
        self.durable = doc.get_heads();
        self.snapshot_id = Some(id_of(&snapshot));
        self.log_crc = Some(crc32fast::Hasher::new());
        // Keep one generation back as the backup; older ones go.
        let listing = list(&self.dir)?;
        for (generation, p) in listing.snapshots.iter().chain(listing.logs.iter()) {
            if *generation < old
                && let Err(e) = fs::remove_file(p)
            {
                // Two generations back and unused; the next compaction tries again.
                tracing::debug!(error = %e, file = %p.display(), "an old generation stays for now");
            }
        }
        Ok(sync_dir(&self.dir)?)
    }

    pub fn profile_dir(&self) -> &Path {
        &self.profile
    }
}

/// The view cache is written only for changes already saved, so its heads are a state
/// that was on disk once. When the files no longer hold all of it, saved changes were lost
/// (a log deleted or cut short, a snapshot gone): never "fine". What remains of the newest
/// log and the cache (whose view still holds the lost records' words) are kept aside, and
/// the note says what is missing. Anything unreadable about the cache is no evidence.
fn lost_since_cache(profile: &Path, dir: &Path, listing: &Listing, newest: u64, doc: &mut AutoCommit) -> Result<Option<Recovery>, StoreError> {
    let path = dir.join(viewcache::FILE);
    let Ok(bytes) = fs::read(&path) else { return Ok(None) };
    let Some((stamp, view_bytes)) = viewcache::decode(&bytes) else { return Ok(None) };
    if stamp.heads.iter().all(|h| doc.get_change_by_hash(&ChangeHash(*h)).is_some()) {
        return Ok(None);
    }
    let lost = match (View::from_cache(view_bytes), mend_core::SharedDoc::from_doc(doc.clone())) {
        (Some(was), Ok(now)) => was.missing_from(now.view()),
        _ => vec![],
    };
    if let Some(log) = listing.logs.get(&newest).filter(|p| p.exists()) {
        let remains = fs::read(log).map_err(StoreError::io("read", log))?;
        let name = log.file_name().unwrap_or_default().to_string_lossy().into_owned();
        mend_fs::keep_bytes_aside(profile, &name, &remains)?;
    }
    let kept = mend_fs::keep_bytes_aside(profile, viewcache::FILE, &bytes)?;
    // Now evidence, not a cache: nothing may show this view as the space again.
    mend_fs::remove(&path)?;
    Ok(Some(Recovery::ChangesLost { kept, records: lost }))
}

fn remove_temps(listing: &Listing) {
    for t in &listing.temps {
        // An unfinished atomic write: the file it was replacing is intact.
        let _ = fs::remove_file(t);
    }
}

fn id_of(snapshot: &[u8]) -> (u64, u32) {
    (snapshot.len() as u64, crc32fast::hash(snapshot))
}

/// The crc32 of a log's frames (everything after its header).
fn frames_crc(log_bytes: &[u8]) -> crc32fast::Hasher {
    let mut h = crc32fast::Hasher::new();
    h.update(log_bytes.get(log::HEADER.len()..).unwrap_or_default());
    h
}

struct Found {
    stamp: Stamp,
    view: View,
    snapshot: Vec<u8>,
    log: Vec<u8>,
    /// The log's frames that the cache covers, and those after them.
    covered: Vec<std::ops::Range<usize>>,
    tail: Vec<std::ops::Range<usize>>,
}

/// The view cache and the files it was made from, if they are exactly those on disk now.
/// Any doubt is a None: the usual open then reads, checks and repairs everything.
fn find_cached(dir: &Path, listing: &Listing) -> Option<Found> {
    let bytes = fs::read(dir.join(viewcache::FILE)).ok()?;
    let (stamp, view_bytes) = viewcache::decode(&bytes)?;
    let g = listing.newest();
    if stamp.generation != g {
        return None;
    }
    let snapshot = fs::read(listing.snapshots.get(&g)?).ok()?;
    if id_of(&snapshot) != (stamp.snapshot_len, stamp.snapshot_crc) {
        return None;
    }
    let log = fs::read(listing.logs.get(&g)?).ok()?;
    let covers = usize::try_from(stamp.log_len).ok()?;
    let scan = log::scan(&log);
    if !scan.is_clean() || covers < log::HEADER.len() || covers > log.len() || frames_crc(&log[..covers]).finalize() != stamp.log_crc {
        return None;
    }
    let (covered, tail): (Vec<_>, Vec<_>) = scan.frames.into_iter().partition(|r| r.end <= covers);
    // The covered bytes end on a frame boundary (a clean scan has no gaps between frames).
    if tail.first().is_some_and(|r| r.start - log::FRAME_HEADER != covers) {
        return None;
    }
    let view = View::from_cache(view_bytes)?;
    if view.schema_version > mend_core::schema::SCHEMA_VERSION {
        return None;
    }
    Some(Found { stamp, view, snapshot, log, covered, tail })
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

/// For tests of the view cache's safety nets only: stamps the existing cache with the
/// files on disk now, keeping its view and heads, i.e. forges a cache that the identity
/// check accepts whatever state it was made from. Returns false if there is no readable
/// cache or no newest generation to stamp it with.
#[doc(hidden)]
pub fn restamp_view_cache_for_tests(profile: &Path) -> Result<bool, StoreError> {
    let dir = profile.join("space");
    let listing = list(&dir)?;
    let g = listing.newest();
    let Ok(bytes) = fs::read(dir.join(viewcache::FILE)) else { return Ok(false) };
    let Some((stamp, view)) = viewcache::decode(&bytes) else { return Ok(false) };
    let (Some(sp), Some(lp)) = (listing.snapshots.get(&g), listing.logs.get(&g)) else { return Ok(false) };
    let snapshot = fs::read(sp).map_err(StoreError::io("read", sp))?;
    let log = fs::read(lp).map_err(StoreError::io("read", lp))?;
    let forged = Stamp::current(g, id_of(&snapshot), (log.len() as u64, frames_crc(&log).finalize()), stamp.heads);
    atomic_write(&dir.join(viewcache::FILE), &viewcache::encode(&forged, view))?;
    Ok(true)
}

/// For tests of the view check only: rewrites the cached view with `change`, keeping its
/// stamp (files and heads), i.e. forges a cache that every check before the document has
/// loaded accepts. Returns false if there is no readable cache.
#[doc(hidden)]
pub fn forge_cached_view_for_tests(profile: &Path, change: impl FnOnce(&mut View)) -> Result<bool, StoreError> {
    let path = profile.join("space").join(viewcache::FILE);
    let Ok(bytes) = fs::read(&path) else { return Ok(false) };
    let Some((stamp, view)) = viewcache::decode(&bytes) else { return Ok(false) };
    let Some(mut view) = View::from_cache(view) else { return Ok(false) };
    change(&mut view);
    atomic_write(&path, &viewcache::encode(&stamp, &view.to_cache()))?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::ReadDoc as _;
    use automerge::transaction::Transactable as _;

    fn put(doc: &mut AutoCommit, key: &str) {
        doc.put(automerge::ROOT, key, 1).unwrap();
        doc.commit();
    }

    /// The quick "nothing new" check of `catch_up` must not miss a compaction that happened
    /// right after we read the whole log, with the next change only in the new generation.
    #[test]
    fn catch_up_sees_a_change_made_after_a_compaction_that_followed_our_read() {
        let t = tempfile::tempdir().unwrap();
        let mut a_doc = AutoCommit::new();
        put(&mut a_doc, "first");
        let mut a = DocStore::create(t.path(), &mut a_doc).unwrap();
        put(&mut a_doc, "in the log");
        a.persist(&mut a_doc).unwrap();

        let (mut b, mut b_doc, _) = DocStore::open(t.path()).unwrap();
        assert!(!b.catch_up(&mut b_doc).unwrap(), "nothing new");
        assert!(b_doc.get(automerge::ROOT, "in the log").unwrap().is_some());

        // The log b has read whole stays as it is; a new generation begins beside it.
        a.compact(&mut a_doc).unwrap();
        assert!(!b.catch_up(&mut b_doc).unwrap(), "a compaction alone brings nothing new");
        put(&mut a_doc, "after the compaction");
        a.persist(&mut a_doc).unwrap();
        assert!(b.catch_up(&mut b_doc).unwrap(), "the change in the new generation is news");
        assert!(b_doc.get(automerge::ROOT, "after the compaction").unwrap().is_some());
        assert!(!b.catch_up(&mut b_doc).unwrap(), "and then nothing new again");
    }
}
