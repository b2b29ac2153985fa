use crate::docstore::DocStore;
use crate::error::StoreError;
use crate::key::DeviceKey;
use automerge::AutoCommit;
use mend_core::{DeviceId, PartnerId};
use mend_fs::atomic_write;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which device and partner this profile is. Written last at set-up, so its presence means
/// the profile is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub format: u32,
    pub device_id: DeviceId,
    pub partner_id: PartnerId,
    pub device_name: String,
}

pub struct Profile {
    pub dir: PathBuf,
    /// None when `device.key` is missing or damaged: this device can no longer prove who it
    /// is. Its space and journal stay readable; it writes again once another device of the
    /// couple adds it anew (with a new key).
    pub key: Option<DeviceKey>,
    /// What is wrong with the key, when it is None.
    pub key_problem: Option<KeyProblem>,
    /// None when profile.json is missing or damaged: the caller rebuilds it from the key and
    /// the document, or uses it to tell which device a damaged key belonged to.
    pub settings: Option<Settings>,
    /// profile.json as found, when it is there but could not be used as it is (kept aside
    /// by [`Profile::save_settings`] before it is replaced).
    settings_damaged: bool,
}

/// Why a profile has no usable device key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyProblem {
    Missing,
    /// Not a key at all (wrong length), or a key that is no device of this space while
    /// profile.json names one that is (a flipped bit).
    Damaged,
}

const SETTINGS: &str = "profile.json";
const KEY: &str = "device.key";
/// Everything Mend keeps in a profile folder. A folder holding any of these holds (part
/// of) a profile: set-up never starts a new space over it, whatever else is missing.
const PARTS: &[&str] = &[SETTINGS, KEY, "space", "journal", "sync", "damaged", "logs", "device.key.tmp", "profile.json.tmp"];

impl Profile {
    /// Whether `dir` holds any part of a profile (a complete one, or what damage left).
    pub fn exists(dir: &Path) -> bool {
        !parts_in(dir).is_empty()
    }

    /// Creates a profile with a new device key and the given first document.
    ///
    /// The profile is made whole in a hidden folder beside `dir` and renamed into place, so
    /// a crash at any moment leaves either no profile or a complete one, never a half one
    /// that a later set-up would have to guess about. `dir` must be missing or empty.
    pub fn create(
        dir: &Path,
        key: DeviceKey,
        partner_id: PartnerId,
        device_name: &str,
        doc: &mut AutoCommit,
    ) -> Result<(Profile, DocStore), StoreError> {
        let (mut store, settings) = set_up(dir, |staging| {
            mend_fs::create_private_dir(staging)?;
            key.save(&staging.join(KEY))?;
            let store = DocStore::create(staging, doc)?;
            let settings = Settings { format: 1, device_id: key.device_id(), partner_id, device_name: device_name.to_owned() };
            write_settings(staging, &settings)?;
            Ok::<_, StoreError>((store, settings))
        })?;
        store.moved_to(dir);
        Ok((Profile { dir: dir.to_owned(), key: Some(key), key_problem: None, settings: Some(settings), settings_damaged: false }, store))
    }

    /// Reads a profile's key and settings as they are (the document is opened by
    /// [`DocStore::open`]). Writes nothing: what is missing or damaged is reported in the
    /// fields, and the engine decides with the document what can be rebuilt.
    pub fn open(dir: &Path) -> Result<Profile, StoreError> {
        if !dir.join(SETTINGS).is_file() && !dir.join(KEY).is_file() && !dir.join("space").is_dir() {
            let parts = parts_in(dir);
            if parts.is_empty() {
                return Err(StoreError::NotAProfile { path: dir.to_owned() });
            }
            // What is left of a profile (a journal, files kept aside): never "run init".
            return Err(StoreError::Remnant { path: dir.to_owned(), parts: parts.join(", ") });
        }
        let key_path = dir.join(KEY);
        let (key, key_problem) = match std::fs::read(&key_path) {
            Ok(bytes) => match <[u8; 32]>::try_from(bytes.as_slice()) {
                Ok(arr) => (Some(DeviceKey::from_secret_bytes(&arr)), None),
                Err(_) => (None, Some(KeyProblem::Damaged)),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, Some(KeyProblem::Missing)),
            Err(e) => return Err(StoreError::io("read", &key_path)(e)),
        };
        let settings_path = dir.join(SETTINGS);
        let (settings, settings_damaged) = match std::fs::read(&settings_path) {
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Ok(s) => (Some(s), false),
                Err(_) => (None, true),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, false),
            Err(e) => return Err(StoreError::io("read", &settings_path)(e)),
        };
        Ok(Profile { dir: dir.to_owned(), key, key_problem, settings, settings_damaged })
    }

    /// The key turned out not to be this device's (a flipped bit: profile.json names a
    /// device of the space, the key another): from now on it counts as damaged.
    pub fn key_is_damaged(&mut self) {
        self.key = None;
        self.key_problem = Some(KeyProblem::Damaged);
    }

    /// Whether profile.json was found but could not be used as it was.
    pub fn settings_were_damaged(&self) -> bool {
        self.settings_damaged
    }

    /// Writes profile.json. A damaged one found at open is first kept aside (returned), so
    /// nothing that was on disk is ever overwritten unseen.
    pub fn save_settings(&mut self, settings: Settings) -> Result<Option<PathBuf>, StoreError> {
        let path = self.dir.join(SETTINGS);
        let kept = if path.is_file() && (self.settings_damaged || self.settings.as_ref().is_some_and(|s| *s != settings)) {
            Some(mend_fs::keep_aside(&self.dir, &path)?)
        } else {
            None
        };
        write_settings(&self.dir, &settings)?;
        self.settings = Some(settings);
        self.settings_damaged = false;
        Ok(kept)
    }

    /// Gives this profile a new device key (after another device of the couple added this
    /// one again): the old key file, if any, is kept aside first, never overwritten.
    pub fn replace_key(&mut self, key: DeviceKey) -> Result<Option<PathBuf>, StoreError> {
        let path = self.dir.join(KEY);
        let kept = if path.exists() { Some(mend_fs::keep_aside(&self.dir, &path)?) } else { None };
        key.save(&path)?;
        self.key = Some(key);
        self.key_problem = None;
        Ok(kept)
    }
}

/// Makes a new profile folder `dir` whole, or not at all: `fill` builds it in a hidden
/// folder beside `dir` (which it must create), and only then is that folder renamed into
/// place, so a crash at any moment leaves either no profile or a complete one. `dir` must be
/// missing or empty ([`refuse_unless_empty`]); a failed `fill` leaves nothing behind but,
/// at worst, a hidden folder that the next set-up removes. Set-up ([`Profile::create`]) and
/// restoring a backup both go through here.
pub fn set_up<T, E: From<StoreError>>(dir: &Path, fill: impl FnOnce(&Path) -> Result<T, E>) -> Result<T, E> {
    refuse_unless_empty(dir)?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(StoreError::io("create folder", parent))?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "profile".to_owned());
    remove_stale_setups(parent, &name);
    let staging = parent.join(format!("{}{name}.{}", SETUP_PREFIX, std::process::id()));
    let made = fill(&staging).and_then(|t| {
        // Renaming a folder over an empty one is allowed; over a non-empty one it fails,
        // so a folder that filled up meanwhile is never replaced.
        std::fs::rename(&staging, dir).map_err(StoreError::io("create", dir))?;
        mend_fs::sync_dir(parent).map_err(StoreError::from)?;
        Ok(t)
    });
    if made.is_err() && staging.exists() && std::fs::remove_dir_all(&staging).is_err() {
        // What is left is a hidden set-up folder the next set-up removes.
    }
    made
}

/// Hidden set-up folders are named `.mend-setup-NAME.PID` beside the profile folder.
const SETUP_PREFIX: &str = ".mend-setup-";

/// A set-up that crashed left its hidden folder: it held only a new, empty space.
fn remove_stale_setups(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let prefix = format!("{SETUP_PREFIX}{name}.");
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(&prefix) && std::fs::remove_dir_all(e.path()).is_err() {
            // Harmless: it only takes a little space, and the next set-up tries again.
        }
    }
}

/// The parts of a profile present in `dir`.
pub(crate) fn parts_in(dir: &Path) -> Vec<&'static str> {
    PARTS.iter().copied().filter(|p| dir.join(p).exists()).collect()
}

/// Set-up goes only into a missing or empty folder: never over any part of a profile
/// (which may be all that is left of a couple's words), nor over someone's other files.
pub fn refuse_unless_empty(dir: &Path) -> Result<(), StoreError> {
    let parts = parts_in(dir);
    if !parts.is_empty() {
        return Err(StoreError::AlreadyExists { path: dir.to_owned(), parts: parts.join(", ") });
    }
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(StoreError::io("list", dir))?;
        if entries.next().is_some() {
            return Err(StoreError::NotEmpty { path: dir.to_owned() });
        }
    }
    Ok(())
}

fn write_settings(dir: &Path, s: &Settings) -> Result<(), StoreError> {
    let json =
        serde_json::to_vec_pretty(s).map_err(|e| StoreError::Io { action: "encode", path: dir.join(SETTINGS), source: std::io::Error::other(e) })?;
    Ok(atomic_write(&dir.join(SETTINGS), &json)?)
}
