//! The journal: one owner's private entries, opened with their passphrase.

use crate::entry::{self, Edit, Entry, NewEntry};
use crate::error::JournalError;
use crate::files::{self, exclusive};
use crate::ids;
use crate::kdf::{self, KdfParams};
use crate::layout;
use crate::load::{self, Unlock, Unlocked};
use crate::recovery::Recovery;
use crate::write::{self, Out};
use std::fs::File;
use std::path::{Path, PathBuf};

/// Compact once the log holds this much, so that opening stays quick.
pub const DEFAULT_COMPACT_BYTES: u64 = 256 << 10;
pub const MIN_PASSPHRASE_CHARS: usize = 8;
pub const MAX_PASSPHRASE_BYTES: usize = 1024;

pub struct Journal {
    profile: PathBuf,
    dir: PathBuf,
    lock: File,
    /// None while locked: then no key and no entry is in memory.
    open: Option<Unlocked>,
    notes: Vec<Recovery>,
    compact_bytes: u64,
    /// Set when an edit or delete went through (its record is fsynced) but the compaction
    /// that erases the old words from disk failed (a full disk): the change is done, and the
    /// words go at the next compaction (opening the journal does one when it finds this).
    erase_pending: bool,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal").field("dir", &self.dir).field("locked", &self.open.is_none()).finish_non_exhaustive()
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn check_new_passphrase(p: &str) -> Result<(), JournalError> {
    if p.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(JournalError::WeakPassphrase { min: MIN_PASSPHRASE_CHARS });
    }
    check_passphrase_len(p)
}

fn check_passphrase_len(p: &str) -> Result<(), JournalError> {
    if p.len() > MAX_PASSPHRASE_BYTES {
        return Err(JournalError::PassphraseTooLong { max: MAX_PASSPHRASE_BYTES });
    }
    Ok(())
}

impl Journal {
    /// The folder of the journal in a profile: `<profile>/journal`.
    pub fn dir_of(profile: &Path) -> PathBuf {
        layout::journal_dir(profile)
    }

    /// Whether the profile has a journal (or what is left of one) on disk.
    pub fn exists(profile: &Path) -> bool {
        layout::list(&layout::journal_dir(profile)).map(|l| l.holds_a_journal()).unwrap_or(false)
    }

    /// Starts a new, empty journal in `profile`, its key derived from `passphrase` with
    /// `params` (use [`KdfParams::default`] for anything a person uses).
    pub fn create(profile: &Path, passphrase: &str, params: KdfParams) -> Result<Journal, JournalError> {
        check_new_passphrase(passphrase)?;
        if !params.plausible() {
            return Err(JournalError::Kdf(format!("{params:?} are outside what Mend accepts")));
        }
        let dir = layout::journal_dir(profile);
        files::create_private_dir(&dir)?;
        files::sync_dir(profile)?;
        let lock = files::open_lock(&dir)?;
        let guard = exclusive(&lock, &dir)?;
        let listing = layout::list(&dir)?;
        if listing.holds_a_journal() {
            return Err(JournalError::AlreadyExists { path: profile.to_owned() });
        }
        // Anything else here is the rest of a set-up that never finished: nothing anyone wrote.
        for p in listing.logs.values().chain(listing.temps.iter()) {
            files::remove(p)?;
        }
        let salt = kdf::random_salt()?;
        let key = kdf::derive(passphrase.as_bytes(), &salt, params)?;
        let check = crate::format::Preamble::new(crate::format::Kind::Log, 0, params, salt, &key)?;
        let mut u = Unlocked { key, params, salt, check, generation: 0, log_len: 0, log_frames: 0, entries: Default::default() };
        write::compact(&dir, &mut u, None)?;
        drop(guard);
        Ok(Journal {
            profile: profile.to_owned(),
            dir,
            lock,
            open: Some(u),
            notes: vec![],
            compact_bytes: DEFAULT_COMPACT_BYTES,
            erase_pending: false,
        })
    }

    /// Opens the journal with its passphrase, repairing what a crash or damage left (see
    /// [`Journal::take_notes`]). A wrong passphrase changes nothing on disk.
    pub fn open(profile: &Path, passphrase: &str) -> Result<Journal, JournalError> {
        check_passphrase_len(passphrase)?;
        let dir = layout::journal_dir(profile);
        if !dir.is_dir() {
            return Err(JournalError::NoJournal { path: profile.to_owned() });
        }
        let lock = files::open_lock(&dir)?;
        let guard = exclusive(&lock, &dir)?;
        let (u, notes) = load::load(profile, &dir, Unlock::Passphrase(passphrase.as_bytes()))?;
        drop(guard);
        Ok(Journal { profile: profile.to_owned(), dir, lock, open: Some(u), notes, compact_bytes: DEFAULT_COMPACT_BYTES, erase_pending: false })
    }

    /// Opens the journal, or starts one with `params` if the profile has none.
    pub fn open_or_create(profile: &Path, passphrase: &str, params: KdfParams) -> Result<Journal, JournalError> {
        match Journal::open(profile, passphrase) {
            Err(JournalError::NoJournal { .. }) => match Journal::create(profile, passphrase, params) {
                // Another process started it a moment ago.
                Err(JournalError::AlreadyExists { .. }) => Journal::open(profile, passphrase),
                other => other,
            },
            other => other,
        }
    }

    /// What opening (or reading another process's changes) had to repair, to tell the owner.
    pub fn take_notes(&mut self) -> Vec<Recovery> {
        std::mem::take(&mut self.notes)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_locked(&self) -> bool {
        self.open.is_none()
    }

    /// Forgets the key and every entry; until [`Journal::unlock`], every call that reads or
    /// writes gives [`JournalError::Locked`].
    pub fn lock(&mut self) {
        // Dropping wipes them: the key is `Zeroizing`, entries wipe their words.
        self.open = None;
    }

    pub fn unlock(&mut self, passphrase: &str) -> Result<(), JournalError> {
        check_passphrase_len(passphrase)?;
        let guard = exclusive(&self.lock, &self.dir)?;
        let (u, notes) = load::load(&self.profile, &self.dir, Unlock::Passphrase(passphrase.as_bytes()))?;
        drop(guard);
        self.open = Some(u);
        self.notes.extend(notes);
        Ok(())
    }

    pub fn set_compact_bytes(&mut self, bytes: u64) {
        self.compact_bytes = bytes;
    }

    fn unlocked(&self) -> Result<&Unlocked, JournalError> {
        self.open.as_ref().ok_or(JournalError::Locked)
    }

    /// The settings the current key was derived with.
    pub fn kdf_params(&self) -> Result<KdfParams, JournalError> {
        Ok(self.unlocked()?.params)
    }

    /// Every entry, newest first.
    pub fn list(&self) -> Result<Vec<&Entry>, JournalError> {
        let mut v: Vec<&Entry> = self.unlocked()?.entries.values().collect();
        v.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(v)
    }

    /// Entries whose text or tags contain `query`, ignoring case; newest first.
    pub fn search(&self, query: &str) -> Result<Vec<&Entry>, JournalError> {
        Ok(self.list()?.into_iter().filter(|e| e.matches(query)).collect())
    }

    pub fn get(&self, id: &str) -> Result<Option<&Entry>, JournalError> {
        Ok(self.unlocked()?.entries.get(id))
    }

    /// The id of the one entry whose id is `given`, or starts or ends with it (4+ characters).
    pub fn resolve(&self, given: &str) -> Result<String, JournalError> {
        ids::resolve(given, self.unlocked()?.entries.keys())
    }

    /// Reads what other processes wrote since this one last looked.
    pub fn refresh(&mut self) -> Result<(), JournalError> {
        self.unlocked()?;
        let guard = exclusive(&self.lock, &self.dir)?;
        self.catch_up()?;
        drop(guard);
        Ok(())
    }

    /// Call with the lock held.
    fn catch_up(&mut self) -> Result<(), JournalError> {
        let u = self.open.as_ref().ok_or(JournalError::Locked)?;
        let listing = layout::list(&self.dir)?;
        if listing.newest_snapshot() == Some(u.generation) && write::log_size(&self.dir, u.generation) == Some(u.log_len) && listing.temps.is_empty()
        {
            return Ok(());
        }
        // Another process wrote (or crashed while writing): read it all again with our key.
        match load::load(&self.profile, &self.dir, Unlock::Known(u)) {
            Ok((fresh, notes)) => {
                self.open = Some(fresh);
                self.notes.extend(notes);
                Ok(())
            }
            Err(e) => {
                if matches!(e, JournalError::ChangedElsewhere | JournalError::WrongPassphrase | JournalError::WrongPassphraseAfterChange) {
                    self.open = None;
                }
                Err(e)
            }
        }
    }

    /// Adds an entry; when this returns, it is on disk and survives any crash.
    pub fn add(&mut self, new: NewEntry) -> Result<Entry, JournalError> {
        let NewEntry { text, mood, prompt, tags } = new;
        entry::check_text(&text)?;
        entry::check_mood(mood)?;
        let prompt = entry::clean_prompt(prompt)?;
        let tags = entry::clean_tags(tags)?;
        let guard = exclusive(&self.lock, &self.dir)?;
        self.catch_up()?;
        let u = self.open.as_mut().ok_or(JournalError::Locked)?;
        let mut id = uuid::Uuid::now_v7().hyphenated().to_string();
        while u.entries.contains_key(&id) {
            id = uuid::Uuid::now_v7().hyphenated().to_string();
        }
        let e = Entry { id, text, mood, prompt, tags, created_at: now_ms(), edited_at: None };
        write::append(&self.profile, &self.dir, u, &Out::Put { entry: &e })?;
        u.entries.insert(e.id.clone(), e.clone());
        if u.log_len > self.compact_bytes {
            // The entry is safe already; a compaction that fails now is tried again later.
            if let Err(e) = write::compact(&self.dir, u, None) {
                tracing::warn!(error = %e, "the journal could not be tidied; it will try again");
            }
        }
        drop(guard);
        Ok(e)
    }

    /// Changes an entry (`id` as [`Journal::resolve`] takes it). The old words are gone from
    /// disk when this returns: the journal is compacted right after.
    pub fn edit(&mut self, id: &str, edit: Edit) -> Result<Entry, JournalError> {
        if let Some(t) = &edit.text {
            entry::check_text(t)?;
        }
        entry::check_mood(edit.mood)?;
        let prompt = entry::clean_prompt(edit.prompt.clone())?;
        let tags = edit.tags.clone().map(entry::clean_tags).transpose()?;
        let guard = exclusive(&self.lock, &self.dir)?;
        self.catch_up()?;
        let id = self.resolve(id)?;
        let u = self.open.as_mut().ok_or(JournalError::Locked)?;
        let mut e = u.entries.get(&id).cloned().ok_or(JournalError::NoMatch { given: id.clone() })?;
        if let Some(t) = &edit.text {
            e.text = t.clone();
        }
        if edit.mood.is_some() {
            e.mood = edit.mood;
        }
        if prompt.is_some() {
            e.prompt = prompt;
        }
        if let Some(t) = tags {
            e.tags = t;
        }
        e.edited_at = Some(now_ms());
        write::append(&self.profile, &self.dir, u, &Out::Put { entry: &e })?;
        u.entries.insert(id, e.clone());
        // The edit is saved now: a failed erase must not report it as not done.
        self.erase_pending = write::compact(&self.dir, u, None).is_err();
        drop(guard);
        Ok(e)
    }

    /// Deletes an entry (`id` as [`Journal::resolve`] takes it) and compacts at once: when
    /// this returns, neither its words nor its encrypted record are in any file of the
    /// journal folder.
    pub fn delete(&mut self, id: &str) -> Result<String, JournalError> {
        let guard = exclusive(&self.lock, &self.dir)?;
        self.catch_up()?;
        let id = self.resolve(id)?;
        let u = self.open.as_mut().ok_or(JournalError::Locked)?;
        // Logged first, so that a crash before the compaction finishes still deletes it.
        write::append(&self.profile, &self.dir, u, &Out::Delete { id: &id })?;
        u.entries.remove(&id);
        // Deleted now (the record above is fsynced): a compaction that fails here must not
        // say the delete failed. The words go at the next compaction; see erase_pending.
        self.erase_pending = write::compact(&self.dir, u, None).is_err();
        drop(guard);
        Ok(id)
    }

    /// True after an edit or delete whose old words are still in the journal's files (the
    /// compaction that erases them failed, e.g. on a full disk). They are erased the next
    /// time the journal is compacted or opened.
    pub fn erase_pending(&self) -> bool {
        self.erase_pending
    }

    /// Rewrites every entry into a new generation of files and deletes the old ones.
    pub fn compact(&mut self) -> Result<(), JournalError> {
        let guard = exclusive(&self.lock, &self.dir)?;
        self.catch_up()?;
        let u = self.open.as_mut().ok_or(JournalError::Locked)?;
        write::compact(&self.dir, u, None)?;
        drop(guard);
        Ok(())
    }

    /// Re-encrypts everything under a key from `new` with a new salt. `current` must be the
    /// passphrase the journal opens with now, so that someone at an unlocked screen can't
    /// take the journal over. Atomic: after a crash the journal opens with exactly one of
    /// the two passphrases (the new one once this has returned).
    pub fn change_passphrase(&mut self, current: &str, new: &str, params: KdfParams) -> Result<(), JournalError> {
        check_passphrase_len(current)?;
        check_new_passphrase(new)?;
        if !params.plausible() {
            return Err(JournalError::Kdf(format!("{params:?} are outside what Mend accepts")));
        }
        let guard = exclusive(&self.lock, &self.dir)?;
        self.catch_up()?;
        let u = self.open.as_mut().ok_or(JournalError::Locked)?;
        let given = kdf::derive(current.as_bytes(), &u.salt, u.params)?;
        if !u.check.key_opens(&given) {
            return Err(JournalError::WrongPassphrase);
        }
        drop(given);
        let salt = kdf::random_salt()?;
        let key = kdf::derive(new.as_bytes(), &salt, params)?;
        write::compact(&self.dir, u, Some((key, salt, params)))?;
        drop(guard);
        Ok(())
    }
}

/// Adds one entry to the journal in `profile`, starting the journal (with `params`) if the
/// profile has none. Returns the new entry's id. For tools and tests that need one call.
pub fn add_entry(profile: &Path, passphrase: &str, params: KdfParams, text: &str) -> Result<String, JournalError> {
    let mut j = Journal::open_or_create(profile, passphrase, params)?;
    Ok(j.add(NewEntry::text(text))?.id.clone())
}
