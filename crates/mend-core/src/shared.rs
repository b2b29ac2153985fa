//! The shared document together with its view: the only place where records are written.

use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{DeviceId, RecordId, Timestamp};
use crate::kinds::{self, Room, Rules, Touched};
use crate::read;
use crate::schema::{self, Collection, SCHEMA_KEY, SCHEMA_VERSION};
use crate::trust::{self, Trust};
use crate::view::{Collections, View};
use automerge::transaction::CommitOptions;
use automerge::{AutoCommit, ChangeHash, Prop, ROOT};
use std::collections::BTreeSet;
use std::sync::Arc;

/// What an applied action produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The record the action created (for actions that create one).
    pub created: Option<RecordId>,
    /// The change written, or None when the action changed nothing (accepting twice).
    pub change: Option<ChangeHash>,
}

/// How a view made earlier fit the document it was given with ([`SharedDoc::with_view`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewFit {
    /// The document is exactly the state the view was made from.
    Same,
    /// The document holds more; this many records were re-read.
    CaughtUp { records: usize },
    /// The view was not made from this document's history: it was built again.
    Rebuilt,
}

/// Which records some changes touched ([`SharedDoc::take_arrived`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    /// Each touched record: its collection and its key (the record's id).
    pub records: Vec<(Collection, String)>,
    /// Collections replaced whole: any record in them may have changed.
    pub whole: Vec<Collection>,
}

pub struct SharedDoc {
    doc: AutoCommit,
    /// Shared with whoever shows it (the window's worker publishes this very Arc), so that
    /// ten years of records are held once; a change copies it only while it is shown.
    view: Arc<View>,
    colls: Collections,
    /// Which device is whose, for checking who wrote each value: rebuilt whenever a device
    /// or partner record changes, and then the whole view with it if it moved.
    trust: Trust,
    /// What arrived from outside since it was last taken ([`Self::take_arrived`]): kept as
    /// the view catches up, because walking the patches again costs a second full diff.
    arrived: (Touched, BTreeSet<Collection>),
}

impl SharedDoc {
    /// A new space: just the genesis change.
    pub fn new_space() -> Result<Self, CoreError> {
        Self::from_doc(schema::genesis())
    }

    /// Wraps a loaded document, refusing one that is not a Mend space or is newer than this
    /// Mend understands (it is returned untouched inside the error path: nothing is written).
    pub fn from_doc(doc: AutoCommit) -> Result<Self, CoreError> {
        check_schema(&doc)?;
        let colls = collections(&doc)?;
        let mut doc = doc;
        let trust = trust::build(&doc, &colls);
        let heads = doc.get_heads();
        let view = Arc::new(View::load_all(&doc, &colls, &trust, &heads));
        Ok(SharedDoc { doc, view, colls, trust, arrived: Default::default() })
    }

    /// Wraps a loaded document together with a view made earlier (the view cache) from the
    /// state `made_at` of this same document, instead of building the view again. If the
    /// document holds changes past `made_at`, the view catches up with the records they
    /// touch, as after a merge ([`Self::absorb`]); if `made_at` is not in the document's
    /// history at all, the view is rebuilt from the document. The caller vouches that
    /// `view` is the view of `made_at`; the store's identity check and heads check do that.
    ///
    /// The same refusals as [`Self::from_doc`]; on an error `view` is left untouched.
    pub fn with_view(mut doc: AutoCommit, view: &mut Arc<View>, made_at: &[ChangeHash]) -> Result<(Self, ViewFit), CoreError> {
        check_schema(&doc)?;
        let colls = collections(&doc)?;
        let mut heads = doc.get_heads();
        heads.sort();
        let mut made: Vec<ChangeHash> = made_at.to_vec();
        made.sort();
        let known = !made.is_empty() && made.iter().all(|h| doc.get_change_by_hash(h).is_some());
        let trust = trust::build(&doc, &colls);
        let mut shared = SharedDoc { doc, view: std::mem::take(view), colls, trust, arrived: Default::default() };
        let fit = if heads == made {
            ViewFit::Same
        } else if known {
            let records = shared.absorb(&made)?;
            ViewFit::CaughtUp { records }
        } else {
            shared.view = Arc::new(View::load_all(&shared.doc, &shared.colls, &shared.trust, &heads));
            ViewFit::Rebuilt
        };
        // The loader may have set a diff cursor so that catching up diffs only the new
        // changes; keeping it would log patches for every later change.
        shared.doc.reset_diff_cursor();
        // Catching up with the files is not news to anyone.
        shared.arrived = Default::default();
        Ok((shared, fit))
    }

    /// Builds the view again from the document and keeps that one if the view held so far
    /// differs (a view cache that lied: stamped with these files, yet not their view).
    /// Returns whether they were the same. As costly as building the view at open.
    pub fn check_view(&mut self) -> bool {
        self.trust = trust::build(&self.doc, &self.colls);
        let heads = self.doc.get_heads();
        let fresh = View::load_all(&self.doc, &self.colls, &self.trust, &heads);
        if fresh == *self.view {
            return true;
        }
        self.view = Arc::new(fresh);
        false
    }

    pub fn set_device(&mut self, device: &DeviceId) -> Result<(), CoreError> {
        let actor = device.actor().ok_or_else(|| CoreError::NotASpace(format!("bad device id {device}")))?;
        self.doc.set_actor(actor);
        Ok(())
    }

    pub fn view(&self) -> &View {
        &self.view
    }

    /// The view itself, to show without copying it.
    pub fn view_arc(&self) -> Arc<View> {
        self.view.clone()
    }

    pub fn doc(&self) -> &AutoCommit {
        &self.doc
    }

    /// For the store and for sync, which add changes from outside. Call [`Self::absorb`]
    /// afterwards so the view follows.
    pub fn doc_mut(&mut self) -> &mut AutoCommit {
        &mut self.doc
    }

    pub fn heads(&mut self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Judges what a peer's sync message would add, before it is applied: see
    /// [`crate::incoming`]. Changes this document already holds are not judged again.
    pub fn check_incoming(&self, msg: &automerge::sync::Message) -> Result<(), crate::Refusal> {
        let changes = crate::incoming::changes_in(msg, |h| automerge::ReadDoc::get_change_by_hash(&self.doc, h).is_some())?;
        self.gate(&changes)
    }

    /// The gate ([`crate::incoming`]) on changes about to be applied, against the partner and
    /// device records this document holds.
    fn gate(&self, changes: &[automerge::Change]) -> Result<(), crate::Refusal> {
        crate::incoming::check_incoming_against(changes, |c, key| {
            let o = read::map(&self.doc, self.colls.find(c)?, key)?;
            let f = read::Fields::read(&self.doc, &o);
            Some(crate::incoming::Held { partner: f.string("partner"), removed: f.time("removed_at").is_some() })
        })
    }

    /// Judges a peer's sync message before it is applied: the gate ([`crate::incoming`]) on
    /// every change it brings, then who wrote each ([`crate::attest::sift`]). Returns the
    /// message to apply: the same one when every change is proved, else one carrying only
    /// the proved changes whose dependencies are there (the rest are held back and asked for
    /// again by a later sync). `from`: the device at the other end of the connection.
    pub fn sift_incoming(
        &self,
        msg: automerge::sync::Message,
        from: Option<&automerge::ActorId>,
        attested: &[crate::attest::Attested],
    ) -> Result<(automerge::sync::Message, Vec<automerge::ActorId>), crate::Refusal> {
        let known = |h: &ChangeHash| automerge::ReadDoc::get_change_by_hash(&self.doc, h).is_some();
        let changes = crate::incoming::changes_in(&msg, known)?;
        if changes.is_empty() {
            return Ok((msg, vec![]));
        }
        self.gate(&changes)?;
        // A profile that holds no space yet takes what the device it pairs with sends.
        if self.trust.is_empty() {
            return Ok((msg, vec![]));
        }
        let (ok, back) = crate::attest::sift(&changes, from, attested, |a, b| self.trust.same_partner(a, b));
        if back.is_empty() {
            return Ok((msg, vec![]));
        }
        let mut held: Vec<automerge::ActorId> = changes.iter().filter(|c| back.contains(&c.hash())).map(|c| c.actor_id().clone()).collect();
        held.sort();
        held.dedup();
        let chunks: Vec<Vec<u8>> = ok.iter().map(|c| c.raw_bytes().to_vec()).collect();
        Ok((automerge::sync::Message { changes: chunks.into(), ..msg }, held))
    }

    /// Brings the view up to date after changes arrived from outside (another process, a
    /// peer), re-reading only the records those changes touched. Returns how many records
    /// were re-read. Errors if the new changes carry a newer schema than this Mend reads.
    pub fn absorb(&mut self, before: &[ChangeHash]) -> Result<usize, CoreError> {
        let after = self.doc.get_heads();
        if after.as_slice() == before {
            return Ok(0);
        }
        check_schema(&self.doc)?;
        let (touched, whole, root) = self.touched_between(before, &after);
        self.arrived.0.extend(touched.iter().cloned());
        self.arrived.1.extend(whole.iter().copied());
        if root {
            Arc::make_mut(&mut self.view).schema_version = read::uint(&self.doc, &ROOT, SCHEMA_KEY).unwrap_or(0);
        }
        // The second layout change arriving makes the practices' collections: new, so
        // nothing in the view came from them, and their records are read whole below.
        let appeared: BTreeSet<Collection> = whole.iter().copied().filter(|c| self.colls.find(*c).is_none()).collect();
        if !appeared.is_empty() {
            self.colls = collections(&self.doc)?;
        }
        if whole.iter().any(|c| !appeared.contains(c)) {
            self.colls = collections(&self.doc)?;
            self.trust = trust::build(&self.doc, &self.colls);
            self.view = Arc::new(View::load_all(&self.doc, &self.colls, &self.trust, &after));
            return Ok(self.view.record_count());
        }
        if self.trust_moved(&touched) {
            self.view = Arc::new(View::load_all(&self.doc, &self.colls, &self.trust, &after));
            return Ok(self.view.record_count());
        }
        let view = Arc::make_mut(&mut self.view);
        let history = read::History::new(&after);
        for c in &appeared {
            view.load_collection(&self.doc, &self.colls, &self.trust, &history, *c);
            // Their records were not named above (the collection was not known yet).
            if let Some(coll) = self.colls.find(*c) {
                self.arrived.0.extend(read::Fields::read(&self.doc, coll).maps().map(|(k, _)| (*c, k.to_owned())));
            }
        }
        for (c, key) in &touched {
            view.refresh(&self.doc, &self.colls, &self.trust, &history, *c, key);
        }
        Ok(touched.len())
    }

    /// Builds the trust again when a device or partner record was touched: true when it
    /// moved, so that every record must be checked again (a device newly proved, say).
    fn trust_moved(&mut self, touched: &Touched) -> bool {
        if !touched.iter().any(|(c, _)| matches!(c, Collection::Devices | Collection::Partners)) {
            return false;
        }
        let fresh = trust::build(&self.doc, &self.colls);
        if fresh == self.trust {
            return false;
        }
        self.trust = fresh;
        true
    }

    /// Which records changes from outside (a peer, another Mend on this profile) touched
    /// since the last call, for whoever tells a person what arrived.
    pub fn take_arrived(&mut self) -> Changed {
        let (records, whole) = std::mem::take(&mut self.arrived);
        Changed { records: records.into_iter().collect(), whole: whole.into_iter().collect() }
    }

    /// The records that the changes from `before` to `after` touch, the collections
    /// replaced whole, and whether a root key (a collection or the schema version) changed.
    /// Read from the new changes' own operations (each names its object; the object's
    /// parents name its record), so the cost follows the changes, not the document: a
    /// whole-document diff took ~100 ms per arriving change at ten years. An operation on a
    /// losing concurrent value (a partner's name written on two devices) names its record
    /// too, so the conflicts the view shows follow it.
    fn touched_between(&mut self, before: &[ChangeHash], _after: &[ChangeHash]) -> (Touched, BTreeSet<Collection>, bool) {
        use automerge::legacy::{Key, ObjectId};
        let changes = self.doc.get_changes(before);
        let colls: std::collections::HashMap<automerge::ObjId, Collection> = self.colls.0.iter().map(|(c, id)| (id.clone(), *c)).collect();
        let mut touched = Touched::new();
        let mut whole: BTreeSet<Collection> = BTreeSet::new();
        let mut root = false;
        // Many operations of a change name the same object: find each object's record once.
        let mut records: std::collections::HashMap<String, Option<(Collection, String)>> = std::collections::HashMap::new();
        for change in &changes {
            for op in change.decode().operations {
                match &op.obj {
                    ObjectId::Root => {
                        // A root key changed: a collection replaced (only a foreign document
                        // does this) or the schema version. Re-read what it names.
                        root = true;
                        if let Key::Map(k) = &op.key
                            && let Some(c) = Collection::from_key(k)
                        {
                            whole.insert(c);
                        }
                    }
                    ObjectId::Id(id) => {
                        let name = id.to_string();
                        let found = records.entry(name).or_insert_with_key(|name| record_of(&self.doc, &colls, name, &op.key));
                        if let Some(r) = found {
                            touched.insert(r.clone());
                        }
                    }
                }
            }
        }
        (touched, whole, root)
    }

    /// Checks an action against the rules and the current view, writes it as one change
    /// attributed to this device, and updates the view. On error nothing is written.
    pub fn apply(&mut self, actor: &Actor, now: Timestamp, action: Action) -> Result<Applied, CoreError> {
        let message = action.describe();
        if action.is_practice() && self.colls.find(Collection::Goals).is_none() {
            // Applied, not written: the same change on every device (see `schema`).
            schema::with_practices(&mut self.doc)?;
            self.colls = collections(&self.doc)?;
        }
        let mut touched = Touched::new();
        let created = match self.write(actor, now, action, &mut touched) {
            Ok(c) => c,
            Err(e) => {
                self.doc.rollback();
                return Err(e);
            }
        };
        let change = self.doc.commit_with(CommitOptions::default().with_time(now.0).with_message(message));
        let heads = self.doc.get_heads();
        if self.trust_moved(&touched) {
            self.view = Arc::new(View::load_all(&self.doc, &self.colls, &self.trust, &heads));
        } else {
            let view = Arc::make_mut(&mut self.view);
            let history = read::History::new(&heads);
            for (c, key) in &touched {
                view.refresh(&self.doc, &self.colls, &self.trust, &history, *c, key);
            }
        }
        Ok(Applied { created, change })
    }

    /// Sends the action to the room of the kind it changes. The view the room checks the
    /// rules against is the one from before the action; the records it touches are re-read
    /// once the change is committed.
    fn write(&mut self, actor: &Actor, now: Timestamp, action: Action, touched: &mut Touched) -> Result<Option<RecordId>, CoreError> {
        use Action::*;
        let room: Rules = match &action {
            RegisterDevice { .. } | TrustDevice { .. } | RemoveDevice { .. } | RenameDevice { .. } | LeaveSpace => kinds::device::apply,
            UpdateProfile { .. } => kinds::partner::apply,
            ProposeAgreement { .. } | ReviseAgreement { .. } | AcceptAgreement { .. } | ScheduleReview { .. } | ArchiveAgreement { .. } => {
                kinds::agreement::apply
            }
            MakePromise { .. } | KeepPromise { .. } | MissPromise { .. } | RenegotiatePromise { .. } | AcknowledgePromise { .. } => {
                kinds::promise::apply
            }
            AddGratitude { .. } => kinds::gratitude::apply,
            AddCheckIn { .. } => kinds::checkin::apply,
            AddRepair { .. } | RespondRepair { .. } => kinds::repair::apply,
            StartPause { .. } | EndPause => kinds::pause::apply,
            AddGoal { .. } | AddGoalStep { .. } | DoneGoalStep { .. } | CelebrateGoal { .. } => kinds::goal::apply,
            PlanTogether { .. } | AddIdea { .. } | SuggestTalk { .. } | DoneTogether { .. } => kinds::together::apply,
            WriteHeard { .. } | AnswerHeard { .. } => kinds::heard::apply,
            AnswerQuestion { .. } | OpenAnswer { .. } => kinds::answer::apply,
        };
        let mut r = Room { doc: &mut self.doc, colls: &self.colls, view: &self.view, touched };
        room(&mut r, actor, now, action)
    }
}

/// The record that the object `name` ("counter@actor") belongs to: the object is a
/// collection (then the operation's key is the record), or it lies below a record, whose key
/// its parents name. None for anything else.
fn record_of(
    doc: &AutoCommit,
    colls: &std::collections::HashMap<automerge::ObjId, Collection>,
    name: &str,
    key: &automerge::legacy::Key,
) -> Option<(Collection, String)> {
    let obj = doc.import_obj(name).ok()?;
    if let Some(c) = colls.get(&obj) {
        return match key {
            automerge::legacy::Key::Map(k) => Some((*c, k.to_string())),
            automerge::legacy::Key::Seq(_) => None,
        };
    }
    let parents = automerge::ReadDoc::parents(doc, &obj).ok()?;
    for p in parents {
        if let Some(c) = colls.get(&p.obj) {
            return match p.prop {
                Prop::Map(k) => Some((*c, k)),
                Prop::Seq(_) => None,
            };
        }
    }
    None
}

fn check_schema(doc: &AutoCommit) -> Result<(), CoreError> {
    let v = read::uint(doc, &ROOT, SCHEMA_KEY).ok_or_else(|| CoreError::NotASpace("it has no schema version".into()))?;
    if v > SCHEMA_VERSION {
        return Err(CoreError::NewerSchema { found: v, supported: SCHEMA_VERSION });
    }
    Ok(())
}

fn collections(doc: &AutoCommit) -> Result<Collections, CoreError> {
    let mut m = std::collections::BTreeMap::new();
    for c in Collection::GENESIS {
        let id = read::map(doc, &ROOT, c.key()).ok_or_else(|| CoreError::NotASpace(format!("its {} are missing", c.key())))?;
        m.insert(c, id);
    }
    for c in Collection::PRACTICES {
        if let Some(id) = read::map(doc, &ROOT, c.key()) {
            m.insert(c, id);
        }
    }
    Ok(Collections(m))
}
