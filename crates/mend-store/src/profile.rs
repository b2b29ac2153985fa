use crate::docstore::DocStore;
use crate::error::StoreError;
use crate::key::DeviceKey;
use crate::recovery::Recovery;
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
    pub key: DeviceKey,
    /// None when profile.json was damaged: the caller rebuilds it from the document.
    pub settings: Option<Settings>,
}

const SETTINGS: &str = "profile.json";
const KEY: &str = "device.key";
/// Files that a crashed set-up may leave in a folder; anything else means "not ours".
const OURS: &[&str] = &[KEY, "space", "damaged", "device.key.tmp", "profile.json.tmp"];

impl Profile {
    pub fn exists(dir: &Path) -> bool {
        dir.join(SETTINGS).is_file()
    }

    /// Creates a profile with a new device key and the given first document.
    pub fn create(
        dir: &Path,
        key: DeviceKey,
        partner_id: PartnerId,
        device_name: &str,
        doc: &mut AutoCommit,
    ) -> Result<(Profile, DocStore), StoreError> {
        if Self::exists(dir) {
            return Err(StoreError::AlreadyExists { path: dir.to_owned() });
        }
        if dir.exists() {
            let entries = std::fs::read_dir(dir).map_err(StoreError::io("list", dir))?;
            for e in entries {
                let e = e.map_err(StoreError::io("list", dir))?;
                if !OURS.contains(&e.file_name().to_string_lossy().as_ref()) {
                    return Err(StoreError::NotEmpty { path: dir.to_owned() });
                }
            }
        }
        mend_fs::create_private_dir(dir)?;
        key.save(&dir.join(KEY))?;
        let store = DocStore::create(dir, doc)?;
        let settings = Settings { format: 1, device_id: key.device_id(), partner_id, device_name: device_name.to_owned() };
        write_settings(dir, &settings)?;
        Ok((Profile { dir: dir.to_owned(), key, settings: Some(settings) }, store))
    }

    /// Opens a profile's key and settings (the document is opened by [`DocStore::open`]).
    pub fn open(dir: &Path) -> Result<(Profile, Vec<Recovery>), StoreError> {
        let settings_path = dir.join(SETTINGS);
        if !settings_path.is_file() {
            return Err(StoreError::NotAProfile { path: dir.to_owned() });
        }
        let key = DeviceKey::load(&dir.join(KEY))?;
        let mut notes = vec![];
        let bytes = std::fs::read(&settings_path).map_err(StoreError::io("read", &settings_path))?;
        let settings = match serde_json::from_slice::<Settings>(&bytes) {
            Ok(s) if s.device_id == key.device_id() => Some(s),
            _ => {
                let kept = mend_fs::keep_aside(dir, &settings_path)?;
                notes.push(Recovery::SettingsRebuilt { kept });
                None
            }
        };
        Ok((Profile { dir: dir.to_owned(), key, settings }, notes))
    }

    pub fn save_settings(&mut self, settings: Settings) -> Result<(), StoreError> {
        write_settings(&self.dir, &settings)?;
        self.settings = Some(settings);
        Ok(())
    }
}

fn write_settings(dir: &Path, s: &Settings) -> Result<(), StoreError> {
    let json =
        serde_json::to_vec_pretty(s).map_err(|e| StoreError::Io { action: "encode", path: dir.join(SETTINGS), source: std::io::Error::other(e) })?;
    Ok(atomic_write(&dir.join(SETTINGS), &json)?)
}
