//! The shared document together with its view: the only place where records are written.

use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{DeviceId, RecordId, Timestamp};
use crate::records::*;
use crate::schema::{self, Collection, SCHEMA_KEY, SCHEMA_VERSION};
use crate::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::view::{Collections, View};
use crate::{read, write};
use automerge::transaction::CommitOptions;
use automerge::{AutoCommit, ChangeHash, ObjId, PatchAction, Prop, ROOT};
use std::collections::BTreeSet;

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

pub struct SharedDoc {
    doc: AutoCommit,
    view: View,
    colls: Collections,
}

type Touched = BTreeSet<(Collection, String)>;

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
        let view = View::load_all(&doc, &colls);
        Ok(SharedDoc { doc, view, colls })
    }

    /// Wraps a loaded document together with a view made earlier (the view cache) from the
    /// state `made_at` of this same document, instead of building the view again. If the
    /// document holds changes past `made_at`, the view catches up with the records they
    /// touch, as after a merge ([`Self::absorb`]); if `made_at` is not in the document's
    /// history at all, the view is rebuilt from the document. The caller vouches that
    /// `view` is the view of `made_at`; the store's identity check and heads check do that.
    ///
    /// The same refusals as [`Self::from_doc`]; on an error `view` is left untouched.
    pub fn with_view(mut doc: AutoCommit, view: &mut View, made_at: &[ChangeHash]) -> Result<(Self, ViewFit), CoreError> {
        check_schema(&doc)?;
        let colls = collections(&doc)?;
        let mut heads = doc.get_heads();
        heads.sort();
        let mut made: Vec<ChangeHash> = made_at.to_vec();
        made.sort();
        let known = !made.is_empty() && made.iter().all(|h| doc.get_change_by_hash(h).is_some());
        let mut shared = SharedDoc { doc, view: std::mem::take(view), colls };
        let fit = if heads == made {
            ViewFit::Same
        } else if known {
            let records = shared.absorb(&made)?;
            ViewFit::CaughtUp { records }
        } else {
            shared.view = View::load_all(&shared.doc, &shared.colls);
            ViewFit::Rebuilt
        };
        // The loader may have set a diff cursor so that catching up diffs only the new
        // changes; keeping it would log patches for every later change.
        shared.doc.reset_diff_cursor();
        Ok((shared, fit))
    }

    /// Builds the view again from the document and keeps that one if the view held so far
    /// differs (a view cache that lied: stamped with these files, yet not their view).
    /// Returns whether they were the same. As costly as building the view at open.
    pub fn check_view(&mut self) -> bool {
        let fresh = View::load_all(&self.doc, &self.colls);
        if fresh == self.view {
            return true;
        }
        self.view = fresh;
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
        crate::incoming::check_incoming(&changes)
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
        let patches = self.doc.diff(before, &after);
        let mut touched = Touched::new();
        let mut whole: BTreeSet<Collection> = BTreeSet::new();
        for p in &patches {
            let coll_key = |prop: &Prop| match prop {
                Prop::Map(k) => Collection::from_key(k),
                Prop::Seq(_) => None,
            };
            match p.path.as_slice() {
                [] => {
                    // A root key changed: a collection replaced (only a foreign document does
                    // this) or the schema version. Re-read what it names.
                    if let PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } = &p.action {
                        if let Some(c) = Collection::from_key(key) {
                            whole.insert(c);
                        }
                        self.view.schema_version = read::uint(&self.doc, &ROOT, SCHEMA_KEY).unwrap_or(0);
                    }
                }
                [(_, coll)] => {
                    if let (Some(c), PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key }) = (coll_key(coll), &p.action) {
                        touched.insert((c, key.clone()));
                    }
                }
                [(_, coll), (_, Prop::Map(rec)), ..] => {
                    if let Some(c) = coll_key(coll) {
                        touched.insert((c, rec.clone()));
                    }
                }
                _ => {}
            }
        }
        if !whole.is_empty() {
            self.colls = collections(&self.doc)?;
            self.view = View::load_all(&self.doc, &self.colls);
            return Ok(self.view.record_count());
        }
        // A change that supersedes only a *losing* concurrent value makes no patch (the
        // winner did not change), yet the conflicts the view shows did. Partner names are
        // the only field shown with its conflicts and there are two partners: re-read them.
        for key in self.view.partners.keys().map(|p| p.to_string()).collect::<Vec<_>>() {
            touched.insert((Collection::Partners, key));
        }
        for (c, key) in &touched {
            self.view.refresh(&self.doc, &self.colls, *c, key);
        }
        Ok(touched.len())
    }

    /// Checks an action against the rules and the current view, writes it as one change
    /// attributed to this device, and updates the view. On error nothing is written.
    pub fn apply(&mut self, actor: &Actor, now: Timestamp, action: Action) -> Result<Applied, CoreError> {
        let message = action.describe();
        let mut touched = Touched::new();
        let created = match self.write(actor, now, action, &mut touched) {
            Ok(c) => c,
            Err(e) => {
                self.doc.rollback();
                return Err(e);
            }
        };
        let change = self.doc.commit_with(CommitOptions::default().with_time(now.0).with_message(message));
        for (c, key) in &touched {
            self.view.refresh(&self.doc, &self.colls, *c, key);
        }
        Ok(Applied { created, change })
    }

    fn coll(&self, c: Collection) -> ObjId {
        self.colls.get(c).clone()
    }

    fn record(&self, c: Collection, id: &str, kind: &'static str) -> Result<ObjId, CoreError> {
        read::map(&self.doc, self.colls.get(c), id).ok_or_else(|| CoreError::UnknownId { kind, id: id.to_owned() })
    }

    fn write(&mut self, actor: &Actor, now: Timestamp, action: Action, touched: &mut Touched) -> Result<Option<RecordId>, CoreError> {
        let me = actor.partner.as_str();
        let dev = actor.device.as_str();
        match action {
            Action::RegisterDevice { partner_name, device_name } => {
                let d = &mut self.doc;
                let device_name = validate::text("device name", &device_name, MAX_SHORT)?;
                if let Some(existing) = self.view.devices.get(&actor.device)
                    && existing.partner != actor.partner
                {
                    return Err(CoreError::NotAllowed("this device already belongs to the other partner"));
                }
                if !self.view.partners.contains_key(&actor.partner) {
                    let name = validate::text("your name", partner_name.as_deref().unwrap_or(""), MAX_SHORT)?;
                    let p = write::map(d, &self.colls.get(Collection::Partners).clone(), me)?;
                    write::text(d, &p, "name", &name)?;
                    write::text(d, &p, "needs", "")?;
                    write::text(d, &p, "love_languages", "")?;
                    write::time(d, &p, "joined_at", now)?;
                    touched.insert((Collection::Partners, me.to_owned()));
                }
                let devices = self.colls.get(Collection::Devices).clone();
                let o = write::map(d, &devices, dev)?;
                write::text(d, &o, "name", &device_name)?;
                write::text(d, &o, "partner", me)?;
                write::time(d, &o, "added_at", now)?;
                touched.insert((Collection::Devices, dev.to_owned()));
                Ok(None)
            }
            Action::TrustDevice { device, partner, name } => {
                let name = validate::text("device name", &name, MAX_SHORT)?;
                if device.actor().is_none() || device.as_str().len() != 64 {
                    return Err(CoreError::NotAllowed("that is not a device id"));
                }
                if let Some(existing) = self.view.devices.get(&device) {
                    if existing.partner != partner {
                        return Err(CoreError::NotAllowed("that device already belongs to the other partner"));
                    }
                    if existing.removed_at.is_some() {
                        return Err(CoreError::NotAllowed("that device was removed from this space; set it up again as a new device"));
                    }
                }
                let is_new_partner = !self.view.partners.contains_key(&partner);
                if is_new_partner && self.view.partners.len() >= 2 {
                    return Err(CoreError::NotAllowed("this space already has two partners"));
                }
                let devices = self.coll(Collection::Devices);
                let d = &mut self.doc;
                let o = write::map(d, &devices, device.as_str())?;
                write::text(d, &o, "name", &name)?;
                write::text(d, &o, "partner", partner.as_str())?;
                write::time(d, &o, "added_at", now)?;
                write::text(d, &o, "added_by", dev)?;
                touched.insert((Collection::Devices, device.to_string()));
                Ok(None)
            }
            Action::RemoveDevice { device } => {
                let o = self.record(Collection::Devices, device.as_str(), "device")?;
                if device == actor.device {
                    return Err(CoreError::NotAllowed("this device can't remove itself; to stop syncing, leave the space instead"));
                }
                if self.view.devices.get(&device).is_some_and(|d| d.removed_at.is_some()) {
                    return Ok(None);
                }
                // A tombstone rather than a delete: an old copy of the record arriving later
                // from a peer can't bring the device back.
                write::time(&mut self.doc, &o, "removed_at", now)?;
                touched.insert((Collection::Devices, device.to_string()));
                Ok(None)
            }
            Action::UpdateProfile { name, love_languages, needs } => {
                let p = self.record(Collection::Partners, me, "partner")?;
                let name = name.map(|n| validate::text("name", &n, MAX_SHORT)).transpose()?;
                let needs = needs.map(|n| validate::optional_text("needs", Some(&n), 2_000)).transpose()?;
                let d = &mut self.doc;
                if let Some(n) = name {
                    write::text(d, &p, "name", &n)?;
                }
                if let Some(ls) = love_languages {
                    let s: Vec<&str> = ls.iter().map(|l| l.as_str()).collect();
                    write::text(d, &p, "love_languages", &s.join(","))?;
                }
                if let Some(n) = needs {
                    write::text(d, &p, "needs", n.as_deref().unwrap_or(""))?;
                }
                touched.insert((Collection::Partners, me.to_owned()));
                Ok(None)
            }
            Action::ProposeAgreement { id, revision, category, text } => {
                let text = validate::text("agreement text", &text, MAX_TEXT)?;
                let coll = self.coll(Collection::Agreements);
                let d = &mut self.doc;
                let a = write::map(d, &coll, id.as_str())?;
                write::text(d, &a, "category", category.as_str())?;
                write::text(d, &a, "created_by", me)?;
                write::time(d, &a, "created_at", now)?;
                write::boolean(d, &a, "archived", false)?;
                let revs = write::map(d, &a, "revisions")?;
                new_revision(d, &revs, &revision, &text, actor, now)?;
                touched.insert((Collection::Agreements, id.to_string()));
                Ok(Some(id))
            }
            Action::ReviseAgreement { id, revision, text } => {
                let text = validate::text("agreement text", &text, MAX_TEXT)?;
                let a = self.record(Collection::Agreements, id.as_str(), "agreement")?;
                let current = self.view.agreements.get(&id).ok_or_else(|| unknown("agreement", &id))?;
                if current.archived {
                    return Err(CoreError::Archived);
                }
                if current.current().is_some_and(|r| r.text == text) {
                    return Err(CoreError::Unchanged);
                }
                let revs = read::map(&self.doc, &a, "revisions").ok_or_else(|| unknown("agreement", &id))?;
                new_revision(&mut self.doc, &revs, &revision, &text, actor, now)?;
                touched.insert((Collection::Agreements, id.to_string()));
                Ok(None)
            }
            Action::AcceptAgreement { id } => {
                let a = self.record(Collection::Agreements, id.as_str(), "agreement")?;
                let agreement = self.view.agreements.get(&id).ok_or_else(|| unknown("agreement", &id))?;
                if agreement.archived {
                    return Err(CoreError::Archived);
                }
                let rev = agreement.current().ok_or_else(|| unknown("agreement", &id))?;
                if rev.accepted_by.contains_key(&actor.partner) {
                    return Ok(None);
                }
                let acc = read::map(&self.doc, &a, "revisions")
                    .and_then(|r| read::map(&self.doc, &r, rev.id.as_str()))
                    .and_then(|r| read::map(&self.doc, &r, "accepted_by"))
                    .ok_or_else(|| unknown("agreement", &id))?;
                write::time(&mut self.doc, &acc, me, now)?;
                touched.insert((Collection::Agreements, id.to_string()));
                Ok(None)
            }
            Action::ScheduleReview { id, at } => {
                let at = at.map(|t| validate::time("the review time", t)).transpose()?;
                let a = self.record(Collection::Agreements, id.as_str(), "agreement")?;
                write::opt_time(&mut self.doc, &a, "review_at", at)?;
                touched.insert((Collection::Agreements, id.to_string()));
                Ok(None)
            }
            Action::ArchiveAgreement { id } => {
                let a = self.record(Collection::Agreements, id.as_str(), "agreement")?;
                let agreement = self.view.agreements.get(&id).ok_or_else(|| unknown("agreement", &id))?;
                let partners = self.view.partner_ids();
                match agreement.state(&partners) {
                    AgreementState::Archived => return Ok(None),
                    AgreementState::Agreed => {
                        return Err(CoreError::NotAllowed("an agreed agreement changes only by mutual agreement: propose a revision instead"));
                    }
                    AgreementState::Proposed if agreement.created_by != actor.partner => {
                        return Err(CoreError::NotYours("only the partner who proposed this agreement can withdraw it"));
                    }
                    AgreementState::Proposed => {}
                }
                write::boolean(&mut self.doc, &a, "archived", true)?;
                touched.insert((Collection::Agreements, id.to_string()));
                Ok(None)
            }
            Action::MakePromise { id, text, due, repeat, from_repair } => {
                let text = validate::text("promise", &text, MAX_TEXT)?;
                let due = due.map(|t| validate::time("the due time", t)).transpose()?;
                if repeat != Repeat::None && due.is_none() {
                    return Err(CoreError::RepeatNeedsDue);
                }
                if let Some(r) = &from_repair {
                    let repair = self.view.repairs.get(r).ok_or_else(|| unknown("repair", r))?;
                    if repair.author != actor.partner {
                        return Err(CoreError::NotYours("promises can come only from your own repairs"));
                    }
                }
                let coll = self.coll(Collection::Promises);
                let d = &mut self.doc;
                let p = write::map(d, &coll, id.as_str())?;
                write::text(d, &p, "text", &text)?;
                write::text(d, &p, "promiser", me)?;
                write::time(d, &p, "created_at", now)?;
                write::text(d, &p, "repeat", repeat.as_str())?;
                write::opt_time(d, &p, "next_due", due)?;
                write::boolean(d, &p, "open", true)?;
                write::opt_text(d, &p, "from_repair", from_repair.as_ref().map(|r| r.as_str()))?;
                write::map(d, &p, "occurrences")?;
                touched.insert((Collection::Promises, id.to_string()));
                Ok(Some(id))
            }
            Action::KeepPromise { id } => self.settle(actor, now, &id, Outcome::Kept, None, touched),
            Action::MissPromise { id } => self.settle(actor, now, &id, Outcome::Missed, None, touched),
            Action::RenegotiatePromise { id, due } => {
                let due = validate::time("the new due time", due)?;
                self.settle(actor, now, &id, Outcome::Renegotiated, Some(due), touched)
            }
            Action::AcknowledgePromise { id } => {
                let p = self.record(Collection::Promises, id.as_str(), "promise")?;
                let promise = self.view.promises.get(&id).ok_or_else(|| unknown("promise", &id))?;
                if promise.promiser == actor.partner {
                    return Err(CoreError::NotAllowed("you can't acknowledge your own promise; that is your partner's to do"));
                }
                let occ = promise.unacknowledged().ok_or(CoreError::NotAllowed("there is nothing new to acknowledge on this promise yet"))?;
                let o = read::map(&self.doc, &p, "occurrences")
                    .and_then(|m| read::map(&self.doc, &m, &occ.key))
                    .ok_or_else(|| unknown("promise", &id))?;
                write::time(&mut self.doc, &o, "acknowledged_at", now)?;
                touched.insert((Collection::Promises, id.to_string()));
                Ok(None)
            }
            Action::AddGratitude { id, text, about } => {
                let text = validate::text("gratitude note", &text, MAX_TEXT)?;
                if let Some(a) = &about
                    && !self.view.promises.contains_key(a)
                    && !self.view.agreements.contains_key(a)
                {
                    return Err(unknown("promise or agreement", a));
                }
                let coll = self.coll(Collection::Gratitude);
                let d = &mut self.doc;
                let g = write::map(d, &coll, id.as_str())?;
                write::text(d, &g, "text", &text)?;
                write::text(d, &g, "author", me)?;
                write::time(d, &g, "at", now)?;
                write::opt_text(d, &g, "about", about.as_ref().map(|a| a.as_str()))?;
                touched.insert((Collection::Gratitude, id.to_string()));
                Ok(Some(id))
            }
            Action::AddCheckIn { id, kind, prompt, connection, trust, heard, note } => {
                let connection = validate::rating("connection", connection)?;
                let trust = validate::rating("trust", trust)?;
                let heard = validate::rating("feeling heard", heard)?;
                let prompt = validate::optional_text("prompt", prompt.as_deref(), MAX_SHORT)?;
                let note = validate::optional_text("note", note.as_deref(), MAX_TEXT)?;
                let coll = self.coll(Collection::CheckIns);
                let d = &mut self.doc;
                let c = write::map(d, &coll, id.as_str())?;
                write::text(d, &c, "kind", kind.as_str())?;
                write::opt_text(d, &c, "prompt", prompt.as_deref())?;
                write::int(d, &c, "connection", connection.into())?;
                write::int(d, &c, "trust", trust.into())?;
                write::int(d, &c, "heard", heard.into())?;
                write::opt_text(d, &c, "note", note.as_deref())?;
                write::text(d, &c, "author", me)?;
                write::time(d, &c, "at", now)?;
                touched.insert((Collection::CheckIns, id.to_string()));
                Ok(Some(id))
            }
            Action::AddRepair { id, what_happened, what_i_did, impact, next_time } => {
                let what_happened = validate::text("what happened", &what_happened, MAX_TEXT)?;
                let what_i_did = validate::text("what I did", &what_i_did, MAX_TEXT)?;
                let impact = validate::text("the impact I understand", &impact, MAX_TEXT)?;
                let next_time = validate::text("what I will do differently", &next_time, MAX_TEXT)?;
                let coll = self.coll(Collection::Repairs);
                let d = &mut self.doc;
                let r = write::map(d, &coll, id.as_str())?;
                write::text(d, &r, "author", me)?;
                write::time(d, &r, "at", now)?;
                write::text(d, &r, "what_happened", &what_happened)?;
                write::text(d, &r, "what_i_did", &what_i_did)?;
                write::text(d, &r, "impact", &impact)?;
                write::text(d, &r, "next_time", &next_time)?;
                touched.insert((Collection::Repairs, id.to_string()));
                Ok(Some(id))
            }
            Action::RespondRepair { id, response } => {
                let r = self.record(Collection::Repairs, id.as_str(), "repair")?;
                let repair = self.view.repairs.get(&id).ok_or_else(|| unknown("repair", &id))?;
                if repair.author == actor.partner {
                    return Err(CoreError::NotAllowed("you can't answer your own repair: it is your partner's to answer, when they are ready"));
                }
                let d = &mut self.doc;
                write::text(d, &r, "response", response.as_str())?;
                write::text(d, &r, "response_by", me)?;
                write::time(d, &r, "response_at", now)?;
                touched.insert((Collection::Repairs, id.to_string()));
                Ok(None)
            }
            Action::StartPause { minutes, note } => {
                let minutes = validate::pause_minutes(minutes)?;
                let note = validate::optional_text("note", note.as_deref(), MAX_SHORT)?;
                let coll = self.coll(Collection::Pauses);
                let d = &mut self.doc;
                // Keyed by partner: one pause per partner; a new one replaces the last.
                let p = write::map(d, &coll, me)?;
                write::time(d, &p, "started_at", now)?;
                write::time(d, &p, "until", now.plus_ms(minutes * Timestamp::MINUTE))?;
                write::opt_text(d, &p, "note", note.as_deref())?;
                touched.insert((Collection::Pauses, me.to_owned()));
                Ok(None)
            }
            Action::EndPause => {
                let active = self.view.pauses.get(&actor.partner).is_some_and(|p| p.is_active(now));
                if !active {
                    return Err(CoreError::NoActivePause);
                }
                let p = self.record(Collection::Pauses, me, "pause")?;
                write::time(&mut self.doc, &p, "ended_at", now)?;
                touched.insert((Collection::Pauses, me.to_owned()));
                Ok(None)
            }
        }
    }

    fn settle(
        &mut self,
        actor: &Actor,
        now: Timestamp,
        id: &RecordId,
        outcome: Outcome,
        new_due: Option<Timestamp>,
        touched: &mut Touched,
    ) -> Result<Option<RecordId>, CoreError> {
        let p = self.record(Collection::Promises, id.as_str(), "promise")?;
        let promise = self.view.promises.get(id).ok_or_else(|| unknown("promise", id))?;
        if promise.promiser != actor.partner {
            return Err(CoreError::NotYours("only the partner who made a promise can mark it; you can acknowledge it instead"));
        }
        if !promise.open {
            return Err(CoreError::PromiseClosed);
        }
        let due = promise.next_due;
        if let Some(nd) = new_due {
            let taken = promise.occurrences.iter().any(|o| o.due == Some(nd));
            if Some(nd) == due || taken {
                return Err(CoreError::SameDue);
            }
        }
        let repeat = promise.repeat;
        let occs = read::map(&self.doc, &p, "occurrences").ok_or_else(|| unknown("promise", id))?;
        let d = &mut self.doc;
        let o = write::map(d, &occs, &occurrence_key(due))?;
        write::opt_time(d, &o, "due", due)?;
        write::text(d, &o, "outcome", outcome.as_str())?;
        write::time(d, &o, "marked_at", now)?;
        write::text(d, &o, "marked_on", actor.device.as_str())?;
        write::opt_time(d, &o, "new_due", new_due)?;
        match (outcome, repeat, due) {
            (Outcome::Renegotiated, _, _) => write::opt_time(d, &p, "next_due", new_due)?,
            (_, Repeat::None, _) | (_, _, None) => write::boolean(d, &p, "open", false)?,
            (_, Repeat::Daily, Some(t)) => write::time(d, &p, "next_due", t.plus_ms(Timestamp::DAY))?,
            (_, Repeat::Weekly, Some(t)) => write::time(d, &p, "next_due", t.plus_ms(7 * Timestamp::DAY))?,
        }
        touched.insert((Collection::Promises, id.to_string()));
        Ok(None)
    }
}

/// Occurrences are keyed by their due time, so two devices of the promiser marking the same
/// occurrence write to the same key instead of recording it twice.
pub(crate) fn occurrence_key(due: Option<Timestamp>) -> String {
    match due {
        Some(t) => format!("{:020}", t.0),
        None => "once".to_owned(),
    }
}

fn new_revision(d: &mut AutoCommit, revs: &ObjId, rev: &RecordId, text: &str, actor: &Actor, now: Timestamp) -> Result<(), CoreError> {
    let r = write::map(d, revs, rev.as_str())?;
    write::text(d, &r, "text", text)?;
    write::text(d, &r, "author", actor.partner.as_str())?;
    write::text(d, &r, "device", actor.device.as_str())?;
    write::time(d, &r, "at", now)?;
    // Proposing a text is accepting it: the proposer's acceptance is recorded with it.
    let acc = write::map(d, &r, "accepted_by")?;
    write::time(d, &acc, actor.partner.as_str(), now)?;
    Ok(())
}

fn unknown(kind: &'static str, id: &RecordId) -> CoreError {
    CoreError::UnknownId { kind, id: id.to_string() }
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
    for c in Collection::ALL {
        let id = read::map(doc, &ROOT, c.key()).ok_or_else(|| CoreError::NotASpace(format!("its {} are missing", c.key())))?;
        m.insert(c, id);
    }
    Ok(Collections(m))
}
