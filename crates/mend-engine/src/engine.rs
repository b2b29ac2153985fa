use crate::command::Command;
use crate::error::EngineError;
use crate::history::{self, HistoryEntry};
use crate::ids::{resolve, resolve_device};
use crate::when;
use automerge::ChangeHash;
use mend_core::{Action, Actor, PartnerId, RecordId, SharedDoc, Timestamp, View, ViewFit};
use mend_store::{DeviceKey, DocStore, KeyProblem, Opening, PendingDoc, Profile, Recovery, Settings};
use std::path::Path;
use std::sync::Arc;

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
    /// Set when this device's key is missing or damaged: the space is shown and exported,
    /// but nothing is written or synced as this device until it is added again.
    key_lost: Option<KeyProblem>,
    /// True while the view shown came from the view cache and has not been checked against
    /// the document yet ([`Engine::verify_view`]).
    unverified: bool,
    store: DocStore,
    doc: Doc,
    me: Actor,
    notes: Vec<Recovery>,
    warnings: Vec<String>,
    clock: when::Clock,
    /// Other devices' proofs of their changes, to check what peers pass on and to pass them on.
    pub(crate) proofs: crate::proofs::Proofs,
    /// Writes go to the running node of this profile when there is one (a CLI command).
    via_node: bool,
}

/// The shared document, or, right after an open that found a matching view cache, the
/// cached view while the document loads on its own thread.
// One per engine, and Ready is the state it lives in: boxing it would only add a pointer hop.
#[allow(clippy::large_enum_variant)]
enum Doc {
    Ready(SharedDoc),
    Loading(Box<Loading>),
}

struct Loading {
    /// The view of the state `heads`: exactly the state of the files at open.
    view: Arc<View>,
    heads: Vec<ChangeHash>,
    /// None once taken: a load that failed leaves the view shown until a reopen succeeds.
    pending: Option<PendingDoc>,
}

impl Engine {
    /// Creates a new profile in `dir` with a new space, this partner and this device.
    pub fn init(dir: &Path, name: &str, device_name: &str) -> Result<Engine, EngineError> {
        Engine::init_as(dir, DeviceKey::generate(), PartnerId::from_uuid(uuid::Uuid::now_v7()), name, device_name)
    }

    /// Like [`Self::init`], with the device key and partner id chosen before: a partner who
    /// joins from a new folder presents them to the inviter first, and the profile is
    /// written only once the inviter accepted.
    pub fn init_as(dir: &Path, key: DeviceKey, partner: PartnerId, name: &str, device_name: &str) -> Result<Engine, EngineError> {
        let me = Actor { partner, device: key.device_id() };
        let mut shared = SharedDoc::new_space()?;
        shared.set_device(&me.device)?;
        shared.apply(&me, when::now(), Action::RegisterDevice { partner_name: Some(name.to_owned()), device_name: device_name.to_owned() })?;
        let (profile, store) = Profile::create(dir, key, me.partner.clone(), device_name, shared.doc_mut())?;
        Ok(Engine::created(profile, store, shared, me))
    }

    fn created(profile: Profile, mut store: DocStore, mut shared: SharedDoc, me: Actor) -> Engine {
        // Only a cache: a profile without one opens the usual way (and writes it then).
        let heads = shared.heads();
        if let Err(e) = store.write_view_cache(shared.view(), &heads) {
            tracing::debug!(error = %e, "no view cache this time");
        }
        Engine {
            profile,
            key_lost: None,
            unverified: false,
            store,
            doc: Doc::Ready(shared),
            me,
            notes: vec![],
            warnings: vec![],
            clock: when::Clock::system(),
            proofs: Default::default(),
            via_node: false,
        }
    }

    /// Creates the profile of a device that joined an existing space as another device of
    /// `partner`: an empty space, filled by the first sync with the inviting device.
    pub fn create_joined(dir: &Path, key: DeviceKey, partner: PartnerId, device_name: &str) -> Result<Engine, EngineError> {
        let me = Actor { partner: partner.clone(), device: key.device_id() };
        let mut shared = SharedDoc::new_space()?;
        shared.set_device(&me.device)?;
        let (profile, store) = Profile::create(dir, key, partner, device_name, shared.doc_mut())?;
        Ok(Engine::created(profile, store, shared, me))
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
        Ok(Engine::created(profile, store, shared, me))
    }

    /// Gives a profile whose key was lost a new device key, once another device of the
    /// couple accepted this one again (pairing): the old key file is kept aside, settings
    /// name the new device, and everything in the profile (the space, the journal) stays.
    pub fn adopt_new_key(dir: &Path, key: DeviceKey, partner: PartnerId, device_name: &str) -> Result<Engine, EngineError> {
        let mut profile = Profile::open(dir)?;
        profile.replace_key(key)?;
        let device = profile.key.as_ref().map(|k| k.device_id()).ok_or(EngineError::UnknownDevice)?;
        profile.save_settings(Settings { format: 1, device_id: device, partner_id: partner, device_name: device_name.to_owned() })?;
        Engine::open(dir)
    }

    /// Opens an existing profile, repairing what a crash or damage left (see
    /// [`Self::recovery_notes`]). A space written by a newer Mend is refused untouched.
    ///
    /// When the view cache matches the files exactly, this returns as soon as the cached
    /// view is read, and the document goes on loading on a thread of its own: every call
    /// that needs the document waits for it first ([`Self::wait_loaded`] does only that).
    /// If the log holds changes made after the cache, this waits for the document, brings
    /// the view up to date with them before returning (a view older than the files is
    /// never shown), and writes a new cache.
    pub fn open(dir: &Path) -> Result<Engine, EngineError> {
        let profile = Profile::open(dir)?;
        let notes = vec![];
        match DocStore::open_cached(dir)? {
            Opening::Cached(c) => {
                let doc = Doc::Loading(Box::new(Loading { view: Arc::new(c.view), heads: c.heads, pending: Some(c.pending) }));
                let mut e = Engine::opened(profile, c.store, doc, notes)?;
                if c.tail {
                    e.wait_loaded()?;
                    // Caught up: a cache of the files as they are now, so the next open
                    // shows its view at once instead of catching up again.
                    e.save_view_cache();
                }
                Ok(e)
            }
            Opening::Loaded { store, doc, notes: store_notes } => {
                let mut e = Engine::loaded(profile, store, doc, notes, store_notes)?;
                e.save_view_cache();
                Ok(e)
            }
        }
    }

    /// The usual open: the document loaded (and repaired), the view built from it.
    fn open_uncached(dir: &Path) -> Result<Engine, EngineError> {
        let profile = Profile::open(dir)?;
        let (store, doc, store_notes) = DocStore::open(dir)?;
        let mut e = Engine::loaded(profile, store, doc, vec![], store_notes)?;
        e.save_view_cache();
        Ok(e)
    }

    fn loaded(
        profile: Profile,
        store: DocStore,
        doc: automerge::AutoCommit,
        mut notes: Vec<Recovery>,
        more: Vec<Recovery>,
    ) -> Result<Engine, EngineError> {
        notes.extend(more);
        let shared = SharedDoc::from_doc(doc)?;
        // The actor is set in `opened`, once it is known which device this is.
        Engine::opened(profile, store, Doc::Ready(shared), notes)
    }

    fn opened(mut profile: Profile, store: DocStore, mut doc: Doc, mut notes: Vec<Recovery>) -> Result<Engine, EngineError> {
        let view = match &doc {
            Doc::Ready(s) => s.view(),
            Doc::Loading(l) => &l.view,
        };
        let me = identify(&mut profile, view, &mut notes)?;
        let key_lost = profile.key_problem.clone();
        if let Some(problem) = &key_lost {
            notes.push(Recovery::KeyLost { missing: *problem == KeyProblem::Missing, device_name: device_name_in(view, &me.device) });
        }
        if let (Doc::Ready(shared), None) = (&mut doc, &key_lost) {
            shared.set_device(&me.device)?;
        }
        let unverified = matches!(doc, Doc::Loading(_));
        tracing::info!(device = me.device.short(), cached = unverified, notes = notes.len(), "profile opened");
        Ok(Engine {
            profile,
            key_lost,
            unverified,
            store,
            doc,
            me,
            notes,
            warnings: vec![],
            clock: when::Clock::system(),
            proofs: Default::default(),
            via_node: false,
        })
    }

    /// Waits until the shared document has loaded (right after an open that used the view
    /// cache, it loads in the background). Every call that needs the document does this
    /// itself; front ends never have to.
    pub fn wait_loaded(&mut self) -> Result<(), EngineError> {
        self.shared().map(|_| ())
    }

    /// Checks a view that came from the view cache against the document: builds the view
    /// again and, if the two differ, shows the rebuilt one from now on and says so in
    /// [`Self::recovery_notes`]. Waits for the document. About as costly as building the
    /// view at open (see docs/performance.md), so long-lived front ends (the window,
    /// `serve`) call it once, off their UI, and a short CLI command does not. Returns
    /// whether a mismatch was found and mended.
    pub fn verify_view(&mut self) -> Result<bool, EngineError> {
        if !self.unverified {
            return Ok(false);
        }
        let same = self.shared()?.check_view();
        self.unverified = false;
        if !same {
            self.notes.push(Recovery::ViewRebuilt);
        }
        // The load and the second view are done with: what they used goes back.
        give_back_memory();
        Ok(!same)
    }

    /// Whether the document is loaded (false only for a moment after a cached open).
    pub fn is_loaded(&self) -> bool {
        matches!(self.doc, Doc::Ready(_))
    }

    /// The shared document, waiting for it if it is still loading. Call it before taking the
    /// profile lock: when the load failed, it opens the profile again, which locks.
    fn shared(&mut self) -> Result<&mut SharedDoc, EngineError> {
        if let Doc::Loading(l) = &mut self.doc {
            let pending = l.pending.take();
            let loaded = pending.map(|p| self.store.attach(p));
            match loaded {
                Some(Ok(loaded)) => {
                    let mut same = loaded.covered_heads.clone();
                    same.sort();
                    let mut cached = l.heads.clone();
                    cached.sort();
                    let fit = if same == cached {
                        SharedDoc::with_view(loaded.doc, &mut l.view, &l.heads)
                    } else {
                        // Stamped with these very files, yet not their document: never show
                        // it. Build the view from the document instead, and say so.
                        SharedDoc::with_view(loaded.doc, &mut l.view, &[])
                    };
                    match fit {
                        Ok((mut shared, fit)) => {
                            if self.key_lost.is_none() {
                                shared.set_device(&self.me.device)?;
                            }
                            if fit == ViewFit::Rebuilt {
                                self.notes.push(Recovery::ViewRebuilt);
                                self.unverified = false;
                            }
                            if loaded.missing > 0 {
                                self.notes.push(Recovery::Incomplete { missing: loaded.missing });
                            }
                            self.doc = Doc::Ready(shared);
                        }
                        Err(_) => self.reopen_uncached()?,
                    }
                }
                // The files did not load as the cache promised (or a load failed before):
                // open them the usual way, which repairs and reports.
                Some(Err(_)) | None => self.reopen_uncached()?,
            }
        }
        match &mut self.doc {
            Doc::Ready(s) => Ok(s),
            Doc::Loading(_) => Err(EngineError::Store(mend_store::StoreError::Load("the shared document is still loading".into()))),
        }
    }

    /// This device's secret key, to sign with; None while it is lost.
    pub(crate) fn device_secret(&self) -> Option<iroh_base::SecretKey> {
        self.profile.key.as_ref().filter(|_| self.key_lost.is_none()).map(|k| k.secret().clone())
    }

    /// The document's heads, waiting for it to load.
    pub(crate) fn current_heads(&mut self) -> Result<Vec<ChangeHash>, EngineError> {
        Ok(self.shared()?.heads())
    }

    fn reopen_uncached(&mut self) -> Result<(), EngineError> {
        let reopened = Engine::open_uncached(&self.profile.dir.clone())?;
        self.store = reopened.store;
        self.doc = reopened.doc;
        self.unverified = false;
        self.notes.extend(reopened.notes);
        Ok(())
    }

    /// Writes the view cache for what is on disk now, if the document holds exactly that
    /// and the cache does not already. Worth calling when a long-lived front end closes
    /// (the window), so that the next open does not have to catch up with the log. Only a
    /// cache: a failure changes nothing and is not reported.
    pub fn save_view_cache(&mut self) {
        let Doc::Ready(shared) = &mut self.doc else { return };
        let Ok(_g) = self.store.lock_exclusive() else { return };
        let heads = shared.heads();
        if let Err(e) = self.store.write_view_cache(shared.view(), &heads) {
            tracing::debug!(error = %e, "no view cache this time");
        }
    }

    /// For tests: compact after this many log bytes instead of the default.
    pub fn set_compact_bytes(&mut self, bytes: u64) {
        self.store.set_compact_bytes(bytes);
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Reads the time and time zone from `clock` instead of the system's from now on (what
    /// it records, what is due, the day of the question, quiet hours): a front end with a
    /// clock of its own passes it here, so both agree.
    pub fn set_clock(&mut self, clock: when::Clock) {
        self.clock = clock;
    }

    pub fn clock(&self) -> &when::Clock {
        &self.clock
    }

    pub fn me(&self) -> &Actor {
        &self.me
    }

    /// The shared view. Ready at once after open, even while the document itself is still
    /// loading (it then comes from the view cache, which matched the files exactly).
    pub fn view(&self) -> &View {
        match &self.doc {
            Doc::Ready(s) => s.view(),
            Doc::Loading(l) => &l.view,
        }
    }

    /// What waits for this partner now (see [`mend_core::waiting`]), notes of thanks counted
    /// as new since this device last showed them.
    pub fn waiting(&self) -> Vec<mend_core::Waiting> {
        let now = self.now();
        mend_core::waiting_for(self.view(), &self.me.partner, now, self.thanks_seen())
    }

    /// The moment after which notes of thanks are new to this partner on this device.
    pub fn thanks_seen(&self) -> Timestamp {
        mend_core::waiting::thanks_seen(crate::seen::thanks(self), self.now())
    }

    /// Notes that this partner has now seen every note of thanks there is.
    pub fn mark_thanks_seen(&self) -> Result<(), EngineError> {
        crate::seen::mark_thanks(self, self.now())
    }

    /// Which of the things a device did that Mend did not count were read on this device.
    pub fn doubts_seen(&self) -> std::collections::BTreeSet<String> {
        crate::seen::doubts(self)
    }

    /// Notes that this partner has read every such thing there is now.
    pub fn mark_doubts_seen(&self) -> Result<(), EngineError> {
        crate::seen::mark_doubts(self, crate::doubts::noticed(self.view()).iter().map(crate::doubts::key))
    }

    /// The device a person means by `given` (its id, or 4 or more characters of its start
    /// or end), removed or not.
    pub fn find_device(&self, given: &str) -> Result<mend_core::Device, EngineError> {
        let v = self.view();
        let id = resolve_device(v, given)?;
        v.devices.get(&id).cloned().ok_or(EngineError::NoMatch { kind: "device", given: given.to_owned() })
    }

    /// The same view, shared rather than copied: for a front end that keeps it to draw
    /// from, so that a long history is held in memory once.
    pub fn view_arc(&self) -> Arc<View> {
        match &self.doc {
            Doc::Ready(s) => s.view_arc(),
            Doc::Loading(l) => l.view.clone(),
        }
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
        // The document first, with no lock held: if it has to be opened again, that open
        // takes the lock itself.
        self.shared()?;
        let _g = self.store.lock_shared()?;
        self.catch_up()
    }

    fn catch_up(&mut self) -> Result<bool, EngineError> {
        self.shared()?;
        let Doc::Ready(shared) = &mut self.doc else { return Ok(false) };
        let before = shared.heads();
        if self.store.catch_up(shared.doc_mut())? {
            shared.absorb(&before)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Checks, applies and saves one command. When this returns Ok the change is fsynced.
    ///
    /// After [`Self::hand_to_running_node`], a command given before the document has loaded
    /// goes to the Mend already running on this profile (the window or `serve`), which holds
    /// the document and sends the change on at once; with none running, it is done here.
    pub fn execute(&mut self, cmd: Command) -> Result<Outcome, EngineError> {
        let now = self.now();
        if self.via_node && !self.is_loaded() {
            use crate::node::door::{self, Handed};
            match door::execute(self.dir(), &cmd, now) {
                Handed::NoNode => {}
                Handed::Done(out, warnings) => {
                    self.warnings.extend(warnings);
                    // The view here is the one this process opened with; what it returns
                    // from now on is not the node's. A short command is done at this point.
                    tracing::info!(created = ?out.created, changed = out.changed, "the running node saved an action");
                    return Ok(out);
                }
                Handed::Refused(why) => return Err(EngineError::NodeRefused(why)),
                Handed::Unknown(why) => return Err(EngineError::NodeSilent(why)),
            }
        }
        self.execute_at(cmd, now)
    }

    /// A short command's choice (the CLI's): its writes go to the running node of this
    /// profile, when there is one, instead of waiting for the whole document to load here.
    pub fn hand_to_running_node(&mut self) {
        self.via_node = true;
    }

    /// [`Self::execute`] here, as if at `now`.
    pub(crate) fn execute_at(&mut self, cmd: Command, now: Timestamp) -> Result<Outcome, EngineError> {
        self.writable()?;
        self.shared()?;
        let guard = self.store.lock_exclusive()?;
        self.catch_up()?;
        let action = self.to_action(cmd)?;
        // Only answering can make one of this device's sealed answers due to open here (the
        // partner's answer arriving is the other way, in `receive_sync`).
        let answering = matches!(action, Action::AnswerQuestion { .. });
        let me = self.me.clone();
        let applied = self.shared()?.apply(&me, now, action)?;
        if answering {
            self.open_due_answers();
        }
        self.save(guard)?;
        tracing::info!(created = ?applied.created, changed = applied.change.is_some(), "saved an action");
        Ok(Outcome { created: applied.created, changed: applied.change.is_some() })
    }

    /// Appends and fsyncs what is not on disk yet, compacting when due; releases the lock.
    fn save(&mut self, guard: mend_store::LockGuard) -> Result<(), EngineError> {
        let Doc::Ready(shared) = &mut self.doc else { return Ok(()) };
        if let Err(e) = self.store.persist(shared.doc_mut()) {
            drop(guard);
            // The change is in memory but not on disk: go back to what the disk holds, so
            // nothing is shown that was not saved.
            self.reload();
            return Err(e.into());
        }
        if self.store.wants_compaction() {
            match self.store.compact(shared.doc_mut()) {
                // A new generation: its view cache, so that the next open is quick.
                Ok(()) => {
                    let heads = shared.heads();
                    if let Err(e) = self.store.write_view_cache(shared.view(), &heads) {
                        tracing::debug!(error = %e, "no view cache after compacting");
                    }
                }
                Err(e) => self.warnings.push(format!("Saved, but tidying the saved file failed ({e}); Mend will try again later.")),
            }
        }
        drop(guard);
        Ok(())
    }

    /// Applies several commands under one lock with one fsync (imports, seeding benchmarks).
    /// Stops at the first refused command; the ones before it are saved.
    pub fn execute_many(&mut self, cmds: impl IntoIterator<Item = Command>) -> Result<Vec<Outcome>, EngineError> {
        self.writable()?;
        self.shared()?;
        let guard = self.store.lock_exclusive()?;
        self.catch_up()?;
        let mut outcomes = Vec::new();
        let mut refused = None;
        let me = self.me.clone();
        for cmd in cmds {
            let now = self.now();
            match self.to_action(cmd).and_then(|a| Ok(self.shared()?.apply(&me, now, a)?)) {
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
            let clock = std::mem::take(&mut self.clock);
            *self = reopened;
            self.clock = clock;
        }
    }

    fn to_action(&self, cmd: Command) -> Result<Action, EngineError> {
        let v = self.view();
        let new_id = || RecordId::from_uuid(uuid::Uuid::now_v7());
        let agreement = |id: &str| resolve("agreement", id, v.agreements.keys());
        let promise = |id: &str| resolve("promise", id, v.promises.keys());
        let repair = |id: &str| resolve("repair", id, v.repairs.keys());
        Ok(match cmd {
            Command::LeaveSpace => Action::LeaveSpace,
            Command::TrustDevice { device, partner, name } => Action::TrustDevice { device, partner, name },
            Command::RemoveDevice { id } => Action::RemoveDevice { device: resolve_device(v, &id)? },
            Command::RenameDevice { id, name } => Action::RenameDevice { device: resolve_device(v, &id)?, name },
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
            Command::AddGoal { text } => Action::AddGoal { id: new_id(), text },
            Command::AddGoalStep { goal, text } => Action::AddGoalStep { goal: resolve("goal", &goal, v.goals.keys())?, id: new_id(), text },
            Command::DoneGoalStep { step } => {
                let step = resolve("step", &step, v.goals.values().flat_map(|g| g.steps.iter().map(|s| &s.id)))?;
                let goal =
                    v.goal_of_step(&step).map(|g| g.id.clone()).ok_or_else(|| EngineError::NoMatch { kind: "step", given: step.to_string() })?;
                Action::DoneGoalStep { goal, step }
            }
            Command::CelebrateGoal { id } => Action::CelebrateGoal { id: resolve("goal", &id, v.goals.keys())? },
            Command::PlanTogether { text, when } => Action::PlanTogether { id: new_id(), text, when },
            Command::AddIdea { text } => Action::AddIdea { id: new_id(), text },
            Command::SuggestTalk { when, note } => Action::SuggestTalk { id: new_id(), when, note },
            Command::DoneTogether { id } => Action::DoneTogether { id: resolve("plan", &id, v.together.keys())? },
            Command::WriteHeard { about, text } => {
                Action::WriteHeard { id: new_id(), about: resolve("repair or check-in", &about, v.repairs.keys().chain(v.checkins.keys()))?, text }
            }
            Command::AnswerHeard { about, answer, note } => {
                let about = resolve("repair or check-in", &about, v.repairs.keys().chain(v.checkins.keys()))?;
                let newest = v.heard_on(&about).into_iter().rev().find(|h| h.to == self.me.partner);
                let id = newest.map(|h| h.id.clone()).ok_or_else(|| EngineError::NoMatch { kind: "reflection", given: about.to_string() })?;
                Action::AnswerHeard { id, answer, note }
            }
            Command::AnswerQuestion { day, question, text } => self.seal_answer(&day, &question, &text)?,
        })
    }

    /// Seals an answer to the question of `day` under a new key, which is kept on this
    /// device (fsynced) before the answer can be saved: see [`crate::questions`].
    fn seal_answer(&self, day: &str, question: &str, text: &str) -> Result<Action, EngineError> {
        let text = mend_core::validate::text("answer", text, mend_core::validate::MAX_TEXT)?;
        let id = crate::questions::answer_id(day, question, &self.me.partner);
        if self.view().answers.contains_key(&RecordId::from_key(&id)) {
            return Err(mend_core::CoreError::NotAllowed("you have already answered this question: your answer stays as you wrote it").into());
        }
        let key = crate::questions::new_key();
        let sealed = crate::questions::seal(&key, &id, &text).map_err(|e| EngineError::Sealing(e.to_string()))?;
        let mut keys = crate::questions::Keys::load(self.dir());
        keys.add(&id, &key).map_err(mend_store::StoreError::from)?;
        Ok(Action::AnswerQuestion { day: day.to_owned(), question: question.to_owned(), sealed })
    }

    /// Publishes the keys of this device's sealed answers whose partner answer is now in the
    /// space. Part of the change being saved; a key that cannot be written is tried again
    /// with the next change, and the answer meanwhile stays sealed.
    fn open_due_answers(&mut self) {
        if !self.view().answers.values().any(|a| a.partner == self.me.partner && a.key.is_none()) {
            return;
        }
        let keys = crate::questions::Keys::load(self.dir());
        let due = crate::questions::due_to_open(self.view(), &self.me.partner, &keys);
        let (me, now) = (self.me.clone(), self.now());
        let Doc::Ready(shared) = &mut self.doc else { return };
        for (id, key) in due {
            if let Err(e) = shared.apply(&me, now, Action::OpenAnswer { id, key: key.to_vec() }) {
                tracing::warn!(error = %e, "an answer's key was not published; tried again with the next change");
            }
        }
    }

    /// The question of the day for this couple, and what each has answered of it.
    pub fn question_today(&self) -> crate::questions::Asked {
        let day = crate::questions::day_in(self.now(), self.clock.tz());
        self.question_on(&day)
    }

    pub fn question_on(&self, day: &str) -> crate::questions::Asked {
        let q = crate::questions::question_on(self.view(), day);
        let keys = crate::questions::Keys::load(self.dir());
        crate::questions::asked(self.view(), &self.me.partner, &keys, day, q)
    }

    /// The questions either of them answered, newest first, at most `limit`.
    pub fn questions_asked(&self, limit: usize) -> Vec<crate::questions::Asked> {
        let keys = crate::questions::Keys::load(self.dir());
        crate::questions::all_asked(self.view(), &self.me.partner, &keys, limit)
    }

    /// Applies a peer's sync message under the profile lock and saves what it brought
    /// (fsynced) before returning. Returns whether the document changed.
    ///
    /// What Mend could not read afterwards is refused first ([`EngineError::Refused`]): then
    /// nothing of the message reaches the document, the disk or `state`, so the profile stays
    /// exactly as it was and every command keeps working.
    ///
    /// `from` is the device at the other end (its connection proves it): its own changes
    /// apply; another device's apply only with that device's proof ([`Self::hear_attestations`]),
    /// and those without one are held back, unapplied, until a later sync brings it
    /// (`mend_core::attest`).
    pub fn receive_sync(
        &mut self,
        from: &mend_core::DeviceId,
        state: &mut automerge::sync::State,
        msg: automerge::sync::Message,
    ) -> Result<bool, EngineError> {
        use automerge::sync::SyncDoc as _;
        self.writable()?;
        self.shared()?;
        let guard = self.store.lock_exclusive()?;
        self.catch_up()?;
        let attested = self.attested();
        let shared = self.shared()?;
        let (msg, held) = shared.sift_incoming(msg, from.actor().as_ref(), &attested)?;
        if !held.is_empty() {
            // Asked for again by a later sync; what it proves (or not) is decided then.
            let devices: Vec<String> = held.iter().map(|a| mend_core::DeviceId::from_actor(a).short().to_owned()).collect();
            tracing::warn!(count = held.len(), devices = ?devices, from = from.short(), "held back changes that came without their device's proof");
        }
        let shared = self.shared()?;
        let before = shared.heads();
        let answers_before = shared.view().answers.len();
        shared.doc_mut().sync().receive_sync_message(state, msg).map_err(|e| EngineError::Core(mend_core::CoreError::Document(e.to_string())))?;
        if shared.heads() == before {
            return Ok(false);
        }
        let absorbed = shared.absorb(&before);
        if absorbed.is_ok() && shared.view().answers.len() != answers_before {
            // The partner's answer may have just arrived: this device's sealed answer to the
            // same question opens in the same save.
            self.open_due_answers();
        }
        self.save(guard)?;
        absorbed?;
        Ok(true)
    }

    /// The next sync message for a peer. Waits for the document; if it cannot be had (the
    /// files could not be read again), there is nothing to send and the reason is kept in
    /// [`Self::take_warnings`].
    pub fn generate_sync(&mut self, state: &mut automerge::sync::State) -> Option<automerge::sync::Message> {
        use automerge::sync::SyncDoc as _;
        match self.shared() {
            Ok(s) => s.doc_mut().sync().generate_sync_message(state),
            Err(e) => {
                self.warnings.push(format!("Mend could not read your space to sync it: {e}"));
                None
            }
        }
    }

    /// The heads of the state the view shows. Right after a cached open this does not wait
    /// for the document: the cache's heads are the files' heads (the loaded document is
    /// checked against them, and should it differ, the view is rebuilt and the heads move,
    /// as after any change).
    pub fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        match &mut self.doc {
            Doc::Ready(s) => s.heads(),
            Doc::Loading(l) => l.heads.clone(),
        }
    }

    /// Which records changes from outside touched since the last call (the node's events
    /// name them). Nothing arrives before the document has loaded.
    pub(crate) fn take_arrived(&mut self) -> mend_core::Changed {
        match &mut self.doc {
            Doc::Ready(s) => s.take_arrived(),
            Doc::Loading(_) => mend_core::Changed::default(),
        }
    }

    /// The version of the space the view shows, as one number: equal numbers, equal
    /// documents. Front ends compare it to know whether to read the view again.
    pub fn version(&mut self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.heads().hash(&mut h);
        h.finish()
    }

    /// The device's iroh key: its identity on the network. None while the key is lost.
    pub fn secret_key(&self) -> Result<iroh_base::SecretKey, EngineError> {
        match (&self.profile.key, &self.key_lost) {
            (Some(k), None) => Ok(k.secret().clone()),
            _ => Err(self.key_lost_error()),
        }
    }

    /// Why this device can't write, if its key is lost.
    pub fn key_lost(&self) -> Option<&KeyProblem> {
        self.key_lost.as_ref()
    }

    fn writable(&self) -> Result<(), EngineError> {
        match self.key_lost {
            None => Ok(()),
            Some(_) => Err(self.key_lost_error()),
        }
    }

    fn key_lost_error(&self) -> EngineError {
        EngineError::KeyLost { missing: self.key_lost == Some(KeyProblem::Missing) }
    }

    pub fn blobs(&self) -> mend_store::Blobs {
        mend_store::Blobs::new(&self.profile.dir)
    }

    /// Who changed what and when, oldest first.
    /// Waits for the document; empty if it cannot be had (the reason is kept in
    /// [`Self::take_warnings`]).
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        match self.shared() {
            Ok(s) => {
                let changes = s.doc_mut().get_changes(&[]);
                history::entries(&changes, s.view())
            }
            Err(e) => {
                self.warnings.push(format!("Mend could not read your space's history: {e}"));
                vec![]
            }
        }
    }

    /// The whole shared view as JSON (what `mend show --json` prints). From the view alone,
    /// so it does not wait for the document.
    pub fn show_json(&self) -> serde_json::Value {
        crate::export::json(self.view(), &self.me, self.now())
    }

    pub fn export_markdown(&self) -> String {
        crate::export::markdown(self.view(), self.now())
    }
}

/// Which device and partner this profile is, from what survives of its key and settings
/// and the devices the space lists. Rebuilds profile.json when the key proves who this is;
/// marks the key lost when it does not. Never guesses a partner.
fn identify(profile: &mut Profile, view: &View, notes: &mut Vec<Recovery>) -> Result<Actor, EngineError> {
    let listed = |d: &mend_core::DeviceId| view.devices.contains_key(d);
    let key_device = profile.key.as_ref().map(|k| k.device_id());
    match (key_device, profile.settings.clone()) {
        // The usual case: key and settings agree (a joined device is listed only after its
        // first sync, so being listed is not required here).
        (Some(k), Some(s)) if s.device_id == k => Ok(Actor { partner: s.partner_id, device: k }),
        // The key proves which device this is: profile.json is rebuilt from the space.
        (Some(k), _) if listed(&k) => {
            let d = &view.devices[&k];
            let s = Settings { format: 1, device_id: k.clone(), partner_id: d.partner.clone(), device_name: d.name.clone() };
            let kept = profile.save_settings(s)?;
            notes.push(Recovery::SettingsRebuilt { kept });
            Ok(Actor { partner: d.partner.clone(), device: k })
        }
        // profile.json names this device and the key is another one: the key was damaged.
        (Some(_), Some(s)) => {
            profile.key_is_damaged();
            Ok(Actor { partner: s.partner_id, device: s.device_id })
        }
        (Some(_), None) => Err(EngineError::UnknownDevice),
        (None, Some(s)) => Ok(Actor { partner: s.partner_id, device: s.device_id }),
        // Neither survives: the space is still shown, as nobody's in particular.
        (None, None) => Ok(Actor { partner: PartnerId::from_key(""), device: mend_core::DeviceId::from_key("") }),
    }
}

fn device_name_in(view: &View, device: &mend_core::DeviceId) -> Option<String> {
    view.devices.get(device).map(|d| d.name.clone())
}

/// Hands memory freed after a large one-off job back to the system. glibc keeps what was
/// freed in its arenas for reuse; after opening ten years (the load, and the view built a
/// second time to check the cached one) that is about 40 MB that a window or `serve` would
/// otherwise hold all day (docs/performance.md, "The window's memory").
fn give_back_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and only returns free pages of the allocator's
    // own arenas to the system; glibc allows it from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
