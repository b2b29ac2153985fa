//! What the window draws: a read-only picture published by the backend after each change.

use crate::lists::Lists;
use mend_engine::PeerInfo;
use mend_engine::Role;
use mend_engine::core::{Actor, View};
use mend_journal::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Phase {
    /// The profile is being opened.
    #[default]
    Starting,
    /// No profile yet: the window shows First run.
    FirstRun,
    /// A profile is open.
    Ready,
    /// The profile could not be opened; the words say why and what to do.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteInfo {
    pub text: String,
    pub role: Role,
    /// Seconds since the epoch.
    pub expires_at: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetStatus {
    /// False when the window was started without networking (tests, or it failed to bind).
    pub enabled: bool,
    pub local_only: bool,
    pub listening: Vec<String>,
    /// The couple's own relay (`--relay`), if any.
    pub relay: Option<String>,
    /// No direct path at all (`--relay-only`).
    pub relay_only: bool,
    pub error: Option<String>,
    /// Devices with an open sync connection right now.
    pub connected: BTreeSet<String>,
}

#[derive(Clone, Default)]
pub struct JournalState {
    pub exists: bool,
    pub unlocked: bool,
    /// Newest first; empty while locked.
    pub entries: Vec<Entry>,
}

#[derive(Clone, Default)]
pub struct Snapshot {
    pub phase: Phase,
    pub view: Arc<View>,
    /// What each screen lists, worked out from `view` when it changed.
    pub lists: Arc<Lists>,
    pub me: Option<Actor>,
    pub device_name: String,
    /// First run's suggestion for this device's name when the window was given one (empty:
    /// "NAME's laptop", after the person's name as typed).
    pub set_up_device_name: String,
    /// This device's key is lost (or was left out of a restored backup): it reads but does
    /// not write or sync until it joins again.
    pub key_lost: bool,
    pub profile_dir: PathBuf,
    /// What this device knows of each peer: last synced, link kind, last error.
    pub peers: BTreeMap<String, PeerInfo>,
    pub net: NetStatus,
    pub invite: Option<InviteInfo>,
    /// Recent network happenings, newest last, in words.
    pub events: Vec<String>,
    /// Repairs made when opening the profile and warnings that did not stop an action.
    pub notes: Vec<String>,
    pub journal: JournalState,
    /// A long operation under way (joining), in words.
    pub busy: Option<String>,
    /// This device's choices about notifications.
    pub notices: mend_engine::core::notice::NoticeSettings,
    /// The monthly backup reminder (off unless chosen in Settings).
    pub backup: BackupReminder,
    /// Keep running with the window closed; start at login (both off unless chosen).
    pub background: mend_engine::background::BackgroundSettings,
    /// What a device did that Mend did not count, already read on this device.
    pub doubts_seen: std::collections::BTreeSet<String>,
    /// Today's question and every question answered, as this device reads them.
    pub asked: Option<Arc<(mend_engine::questions::Asked, Vec<mend_engine::questions::Asked>)>>,
    /// The window's clock: screens read the time and format times with it, never with the
    /// system's directly.
    pub clock: mend_engine::when::Clock,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupReminder {
    /// Chosen in Settings.
    pub monthly: bool,
    /// When this profile was last backed up from this device.
    pub last: Option<mend_engine::core::Timestamp>,
    /// On, and no backup for a month (or none yet): Today says so, once, calmly.
    pub due: bool,
}

impl Snapshot {
    pub fn my_name(&self) -> &str {
        self.me.as_ref().map(|m| self.view.partner_name(&m.partner)).unwrap_or("")
    }
    /// The partner's name for a sentence, or "your partner" before it is known.
    pub fn partner_name(&self) -> String {
        self.partner().map(|p| p.name.trim().to_owned()).filter(|n| !n.is_empty()).unwrap_or_else(|| "your partner".into())
    }
    pub fn partner(&self) -> Option<&mend_engine::core::Partner> {
        self.me.as_ref().and_then(|m| self.view.other_partner(&m.partner))
    }
}
