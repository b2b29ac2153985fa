use crate::command::Command;
use crate::error::EngineError;
use crate::history::{self, HistoryEntry};
use crate::ids::resolve;
use crate::when;
use mend_core::{Action, Actor, PartnerId, RecordId, SharedDoc, Timestamp, View};
use mend_store::{DeviceKey, DocStore, Profile, Recovery, Settings};
use std::path::{Path, PathBuf};

/// What an executed command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The id of the record the command created, if it created one.
    pub created: Option<RecordId>,
    /// False when the command changed nothing (accepting an agreement twice).
    pub changed: bool,
}

pub struct Engine {
    profile: Profile,
    store: DocStore,
    shared: SharedDoc,
    me: Actor,
    notes: Vec<Recovery>,
    warnings: Vec<String>,
    clock: Box<dyn Fn() -> Timestamp + Send>,
}

impl Engine {
    /// Creates a new profile in `dir` with a new space, this partner and this device.
    pub fn init(dir: &Path, name: &str, device_name: &str) -> Result<Engine, EngineError> {
        let key = DeviceKey::generate();
        let me = Actor { partner: PartnerId::from_uuid(uuid::Uuid::now_v7()), device: key.device_id() };
        let mut shared = SharedDoc::new_space()?;
        shared.set_device(&me.device)?;
        shared.apply(&me, when::now(), Action::RegisterDevice { partner_name: Some(name.to_owned()), device_name: device_name.to_owned() })?;
        let (profile, store) = Profile::create(dir, key, me.partner.clone(), device_name, shared.doc_mut())?;
        Ok(Engine { profile, store, shared, me, notes: vec![], warnings: vec![], clock: Box::new(when::now) })
    }

    /// Creates the profile of a device that joined an existing space as another device of
    /// `partner`: an empty space, filled by the first sync with the inviting device.
    pub fn create_joined(dir: &Path, key: DeviceKey, partner: PartnerId, device_name: &str) -> Result<Engine, EngineError> {
        let me = Actor { partner: partner.clone(), device: key.device_id() };
        let mut shared = SharedDoc::new_space()?;
        shared.set_device(&me.device)?;
        let (profile, store) = Profile::create(dir, key, partner, device_name, shared.doc_mut())?;
        Ok(Engine { profile, store, shared, me, notes: vec![], warnings: vec![], clock: Box::new(when::now) })
    }

    /// Creates a profile holding an existing space (a benchmark's generated years, an
    /// import), as the device `key`, which must already be registered in it, compacted so
    /// it opens as a daily-used profile does.
    pub fn import(dir: &Path, key: DeviceKey, mut shared: SharedDoc) -> Result<Engine, EngineError> {
        let device = key.device_id();
        let partner = shared.view().devices.get(&device).map(|d| d.partner.clone()).ok_or(EngineError::UnknownDevice)?;
        let name = shared.view().devices.get(&device).map(|d| d.name.clone()).unwrap_or_default();
        shared.set_device(&device)?;
        let me = Actor { partner: partner.clone(), device };
        let (profile, mut store) = Profile::create(dir, key, partner, &name, shared.doc_mut())?;
        {
            let _g = store.lock_exclusive()?;
            store.compact(shared.doc_mut())?;
        }
        Ok(Engine { profile, store, shared, me, notes: vec![], warnings: vec![], clock: Box::new(when::now) })
    }

    /// Opens an existing profile, repairing what a crash or damage left (see
    /// [`Self::recovery_notes`]). A space written by a newer Mend is refused untouched.
    pub fn open(dir: &Path) -> Result<Engine, EngineError> {
        let (mut profile, mut notes) = Profile::open(dir)?;
        let (store, doc, store_notes) = DocStore::open(dir)?;
        notes.extend(store_notes);
        let mut shared = SharedDoc::from_doc(doc)?;
        let device = profile.key.device_id();
        shared.set_device(&device)?;
        let settings = match profile.settings.clone() {
            Some(s) => s,
            None => {
                let d = shared.view().devices.get(&device).ok_or(EngineError::UnknownDevice)?;
                let s = Settings { format: 1, device_id: device.clone(), partner_id: d.partner.clone(), device_name: d.name.clone() };
                profile.save_settings(s.clone())?;
                s
            }
        };
        let me = Actor { partner: settings.partner_id, device };
        Ok(Engine { profile, store, shared, me, notes, warnings: vec![], clock: Box::new(when::now) })
    }

    /// For tests and benchmarks: a clock other than the system's.
    pub fn set_clock(&mut self, clock: impl Fn() -> Timestamp + Send + 'static) {
        self.clock = Box::new(clock);
    }

    /// For tests: compact after this many log bytes instead of the default.
    pub fn set_compact_bytes(&mut self, bytes: u64) {
        self.store.set_compact_bytes(bytes);
    }

    pub fn now(&self) -> Timestamp {
        (self.clock)()
    }

    pub fn me(&self) -> &Actor {
        &self.me
    }

    pub fn view(&self) -> &View {
        self.shared.view()
    }

    pub fn dir(&self) -> &Path {
        &self.profile.dir
    }

    pub fn device_name(&self) -> &str {
        self.profile.settings.as_ref().map(|s| s.device_name.as_str()).unwrap_or("")
    }

    /// What had to be repaired when the profile was opened, in words for the user.
    pub fn recovery_notes(&self) -> &[Recovery] {
        &self.notes
    }

    /// Problems that did not stop an action (a compaction that failed: the action itself is
    /// safe in the log), taken once.
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Picks up what other processes saved to this profile. Returns whether the view changed.
    pub fn refresh(&mut self) -> Result<bool, EngineError> {
        let _g = self.store.lock_shared()?;
        self.catch_up()
    }

    fn catch_up(&mut self) -> Result<bool, EngineError> {
        let before = self.shared.heads();
        if self.store.catch_up(self.shared.doc_mut())? {
            self.shared.absorb(&before)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Checks, applies and saves one command. When this returns Ok the change is fsynced.
    pub fn execute(&mut self, cmd: Command) -> Result<Outcome, EngineError> {
        if cmd == Command::LeaveSpace {
            self.refresh()?;
            let mine = self.me.device.clone();
            let others: Vec<Command> =
                self.view().trusted_devices().filter(|d| d.id != mine).map(|d| Command::RemoveDevice { id: d.id.to_string() }).collect();
            let outs = self.execute_many(others)?;
            return Ok(Outcome { created: None, changed: outs.iter().any(|o| o.changed) });
        }
        let guard = self.store.lock_exclusive()?;
        self.catch_up()?;
        let now = self.now();
        let action = self.to_action(cmd)?;
        let applied = self.shared.apply(&self.me, now, action)?;
        self.save(guard)?;
        Ok(Outcome { created: applied.created, changed: applied.change.is_some() })
    }

    /// Appends and fsyncs what is not on disk yet, compacting when due; releases the lock.
    fn save(&mut self, guard: mend_store::LockGuard) -> Result<(), EngineError> {
        if let Err(e) = self.store.persist(self.shared.doc_mut()) {
            drop(guard);
            // The change is in memory but not on disk: go back to what the disk holds, so
            // nothing is shown that was not saved.
            self.reload();
            return Err(e.into());
        }
        if self.store.wants_compaction() {
            if let Err(e) = self.store.compact(self.shared.doc_mut()) {
                self.warnings.push(format!("Saved, but tidying the saved file failed ({e}); Mend will try again later."));
            }
        }
        drop(guard);
        Ok(())
    }

    /// Applies several commands under one lock with one fsync (imports, seeding benchmarks).
    /// Stops at the first refused command; the ones before it are saved.
    pub fn execute_many(&mut self, cmds: impl IntoIterator<Item = Command>) -> Result<Vec<Outcome>, EngineError> {
        let guard = self.store.lock_exclusive()?;
        self.catch_up()?;
        let mut outcomes = Vec::new();
        let mut refused = None;
        for cmd in cmds {
            let now = self.now();
            match self.to_action(cmd).and_then(|a| Ok(self.shared.apply(&self.me, now, a)?)) {
                Ok(a) => outcomes.push(Outcome { created: a.created, changed: a.change.is_some() }),
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        self.save(guard)?;
        match refused {
            Some(e) => Err(e),
            None => Ok(outcomes),
        }
    }

    fn reload(&mut self) {
        if let Ok(reopened) = Engine::open(&self.profile.dir.clone()) {
            let clock = std::mem::replace(&mut self.clock, Box::new(when::now));
            *self = reopened;
            self.clock = clock;
        }
    }

    fn to_action(&self, cmd: Command) -> Result<Action, EngineError> {
        let v = self.shared.view();
        let new_id = || RecordId::from_uuid(uuid::Uuid::now_v7());
        let agreement = |id: &str| resolve("agreement", id, v.agreements.keys());
        let promise = |id: &str| resolve("promise", id, v.promises.keys());
        let repair = |id: &str| resolve("repair", id, v.repairs.keys());
        Ok(match cmd {
            Command::LeaveSpace => {
                return Err(mend_core::CoreError::NotAllowed("leaving the space is a command of its own, not part of a batch").into());
            }
            Command::TrustDevice { device, partner, name } => Action::TrustDevice { device, partner, name },
            Command::RemoveDevice { id } => {
                let ids: Vec<RecordId> = v.devices.keys().map(|d| RecordId::from_key(d.as_str())).collect();
                let found = resolve("device", &id, ids.iter())?;
                Action::RemoveDevice { device: mend_core::DeviceId::from_key(found.as_str()) }
            }
            Command::UpdateProfile { name, love_languages, needs } => Action::UpdateProfile { name, love_languages, needs },
            Command::ProposeAgreement { category, text } => Action::ProposeAgreement { id: new_id(), revision: new_id(), category, text },
            Command::ReviseAgreement { id, text } => Action::ReviseAgreement { id: agreement(&id)?, revision: new_id(), text },
            Command::AcceptAgreement { id } => Action::AcceptAgreement { id: agreement(&id)? },
            Command::ScheduleReview { id, at } => Action::ScheduleReview { id: agreement(&id)?, at },
            Command::ArchiveAgreement { id } => Action::ArchiveAgreement { id: agreement(&id)? },
            Command::MakePromise { text, due, repeat, from_repair } => {
                Action::MakePromise { id: new_id(), text, due, repeat, from_repair: from_repair.as_deref().map(repair).transpose()? }
            }
            Command::KeepPromise { id } => Action::KeepPromise { id: promise(&id)? },
            Command::MissPromise { id } => Action::MissPromise { id: promise(&id)? },
            Command::RenegotiatePromise { id, due } => Action::RenegotiatePromise { id: promise(&id)?, due },
            Command::AcknowledgePromise { id } => Action::AcknowledgePromise { id: promise(&id)? },
            Command::AddGratitude { text, about } => {
                let about = match about {
                    None => None,
                    Some(a) => Some(resolve("promise or agreement", &a, v.promises.keys().chain(v.agreements.keys()))?),
                };
                Action::AddGratitude { id: new_id(), text, about }
            }
            Command::AddCheckIn { kind, prompt, connection, trust, heard, note } => {
                Action::AddCheckIn { id: new_id(), kind, prompt, connection, trust, heard, note }
            }
            Command::AddRepair { what_happened, what_i_did, impact, next_time } => {
                Action::AddRepair { id: new_id(), what_happened, what_i_did, impact, next_time }
            }
            Command::RespondRepair { id, response } => Action::RespondRepair { id: repair(&id)?, response },
            Command::StartPause { minutes, note } => Action::StartPause { minutes, note },
            Command::EndPause => Action::EndPause,
        })
    }

    /// Applies a peer's sync message under the profile lock and saves what it brought
    /// (fsynced) before returning. Returns whether the document changed.
    pub fn receive_sync(&mut self, state: &mut automerge::sync::State, msg: automerge::sync::Message) -> Result<bool, EngineError> {
        use automerge::sync::SyncDoc as _;
        let guard = self.store.lock_exclusive()?;
        self.catch_up()?;
        let before = self.shared.heads();
        self.shared
            .doc_mut()
            .sync()
            .receive_sync_message(state, msg)
            .map_err(|e| EngineError::Core(mend_core::CoreError::Document(e.to_string())))?;
        if self.shared.heads() == before {
            return Ok(false);
        }
        let absorbed = self.shared.absorb(&before);
        self.save(guard)?;
        absorbed?;
        Ok(true)
    }

    pub fn generate_sync(&mut self, state: &mut automerge::sync::State) -> Option<automerge::sync::Message> {
        use automerge::sync::SyncDoc as _;
        self.shared.doc_mut().sync().generate_sync_message(state)
    }

    pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        self.shared.heads()
    }

    /// The device's iroh key: its identity on the network.
    pub fn secret_key(&self) -> iroh_base::SecretKey {
        self.profile.key.secret().clone()
    }

    pub fn blobs(&self) -> mend_store::Blobs {
        mend_store::Blobs::new(&self.profile.dir)
    }

    /// Who changed what and when, oldest first.
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        let changes = self.shared.doc_mut().get_changes(&[]);
        history::entries(&changes, self.shared.view())
    }

    /// The whole shared view as JSON (what `mend show --json` prints).
    pub fn show_json(&self) -> serde_json::Value {
        crate::export::json(self.shared.view(), &self.me, self.now())
    }

    pub fn export_markdown(&self) -> String {
        crate::export::markdown(self.shared.view(), self.now())
    }

    pub fn profile_path(&self) -> PathBuf {
        self.profile.dir.clone()
    }
}
