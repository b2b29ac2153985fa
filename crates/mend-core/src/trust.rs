//! Who wrote what, as the receiving device can tell it. Every value in the document was set
//! by an operation, and Automerge names the actor of each one (the `ExId` that `get` and
//! `map_range` return); a device's actor is its public key. So the view can check every rule
//! against who *really* set a value, not against the `author` or `device` fields a change
//! merely asserts.
//!
//! Which partner a device belongs to is itself checked, by this rule (the same on every
//! device, so honest devices always agree):
//! - a partner's **founder** is the device that created the partner's record, and says of
//!   itself that it is that partner's (both happen in the one change that sets a profile up);
//! - any other device is a partner's only if a device already proved to be that partner's
//!   added it. The other partner's word does not count: Ben can add devices of his own, never
//!   one of Ana's.
//!
//! A device that only claims to be someone's (added by the other partner, or not added at
//! all) is *unverified*: what it writes is kept and marked as not verified, and nothing it
//! does counts as consent.

use crate::ids::{DeviceId, PartnerId};
use crate::read;
use crate::schema::Collection;
use crate::view::Collections;
use automerge::{ActorId, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What is known of the device behind an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writer<'a> {
    /// A device proved to be this partner's.
    Verified(&'a PartnerId),
    /// A device listed as this partner's, but not added by one of theirs.
    Claimed(&'a PartnerId),
    /// An actor no device record names.
    Unknown,
}

/// Which partner each device is, by actor, for checking each value's writer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Trust {
    verified: HashMap<ActorId, PartnerId>,
    claimed: HashMap<ActorId, PartnerId>,
}

impl Trust {
    pub(crate) fn writer(&self, id: &ObjId) -> Writer<'_> {
        let Some(actor) = actor_of(id) else { return Writer::Unknown };
        if let Some(p) = self.verified.get(actor) {
            Writer::Verified(p)
        } else if let Some(p) = self.claimed.get(actor) {
            Writer::Claimed(p)
        } else {
            Writer::Unknown
        }
    }

    pub(crate) fn verified_partner(&self, device: &DeviceId) -> Option<&PartnerId> {
        device.actor().and_then(|a| self.verified.get(&a))
    }

    /// Whether both devices are proved to be the same partner's.
    pub(crate) fn same_partner(&self, a: &ActorId, b: &ActorId) -> bool {
        matches!((self.verified.get(a), self.verified.get(b)), (Some(x), Some(y)) if x == y)
    }

    /// Whether any device is proved to be anyone's: false for a profile that holds no space
    /// yet (a device that is joining).
    pub(crate) fn is_empty(&self) -> bool {
        self.verified.is_empty()
    }
}

pub(crate) fn actor_of(id: &ObjId) -> Option<&ActorId> {
    match id {
        ObjId::Id(_, actor, _) => Some(actor),
        ObjId::Root => None,
    }
}

pub(crate) fn device_of(id: &ObjId) -> Option<DeviceId> {
    actor_of(id).map(DeviceId::from_actor)
}

/// The Lamport counter of an operation: an operation made after another was seen has a
/// larger one, so an acceptance with a larger counter than a text was made after that text.
pub(crate) fn counter(id: &ObjId) -> u64 {
    match id {
        ObjId::Id(c, _, _) => *c,
        ObjId::Root => 0,
    }
}

/// One device record as written (several when two devices wrote it concurrently).
struct Claim {
    device: DeviceId,
    partner: PartnerId,
    /// The device that wrote the claim.
    by: Option<ActorId>,
    /// Ties between two claims for one device are settled by the oldest operation.
    at: (u64, Option<ActorId>),
}

/// Works out which device is whose from the partners' and devices' records.
pub(crate) fn build(doc: &impl ReadDoc, colls: &Collections) -> Trust {
    let mut founders: Vec<(ActorId, PartnerId)> = vec![];
    for key in keys(doc, colls.get(Collection::Partners)) {
        for id in maps_at(doc, colls.get(Collection::Partners), &key) {
            if let Some(a) = actor_of(&id) {
                founders.push((a.clone(), PartnerId::from_key(&key)));
            }
        }
    }
    let mut claims: Vec<Claim> = vec![];
    for key in keys(doc, colls.get(Collection::Devices)) {
        for id in maps_at(doc, colls.get(Collection::Devices), &key) {
            let f = read::Fields::read(doc, &id);
            let (Some(partner), Some(set)) = (f.string("partner"), f.writer("partner")) else { continue };
            let by = actor_of(&set).cloned();
            claims.push(Claim {
                device: DeviceId::from_key(&key),
                partner: PartnerId::from_key(&partner),
                by,
                at: (counter(&id), actor_of(&id).cloned()),
            });
        }
    }
    claims.sort_by(|a, b| a.at.cmp(&b.at));
    let actor = |d: &DeviceId| d.actor();
    let mut verified: HashMap<ActorId, PartnerId> = HashMap::new();
    for (founder, partner) in &founders {
        let says_so = claims.iter().any(|c| actor(&c.device).as_ref() == Some(founder) && c.by.as_ref() == Some(founder) && &c.partner == partner);
        if says_so {
            verified.entry(founder.clone()).or_insert_with(|| partner.clone());
        }
    }
    // Devices added by devices already proved, until nothing more is added (a handful of
    // devices: the few rounds cost nothing).
    loop {
        let mut grew = false;
        for c in &claims {
            let Some(a) = actor(&c.device) else { continue };
            if verified.contains_key(&a) {
                continue;
            }
            if c.by.as_ref().and_then(|by| verified.get(by)) == Some(&c.partner) {
                verified.insert(a, c.partner.clone());
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    let mut claimed = HashMap::new();
    for c in &claims {
        if let Some(a) = actor(&c.device)
            && !verified.contains_key(&a)
        {
            claimed.entry(a).or_insert_with(|| c.partner.clone());
        }
    }
    Trust { verified, claimed }
}

fn keys(doc: &impl ReadDoc, coll: &ObjId) -> Vec<String> {
    doc.keys(coll).collect()
}

/// Every map written at `key`, the winner first: concurrent writes are all kept.
fn maps_at(doc: &impl ReadDoc, parent: &ObjId, key: &str) -> Vec<ObjId> {
    doc.get_all(parent, key).unwrap_or_default().into_iter().filter(|(v, _)| matches!(v, Value::Object(ObjType::Map))).map(|(_, id)| id).collect()
}

/// A rule a received change broke: kept with the record it concerns, and said to the person
/// once, naming the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doubt {
    /// The device whose change broke the rule (an id no device record names, if unknown).
    pub by: DeviceId,
    pub what: Broke,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Broke {
    /// Wrote a record (or a revision) in another partner's name.
    WroteAs { partner: PartnerId, kind: String },
    /// Accepted an agreement for the other partner.
    AcceptedFor { partner: PartnerId },
    /// Changed the words of an agreement after they were written.
    ChangedWords { kind: String },
    /// Answered a repair that was their own, or in the other partner's name.
    AnsweredRepair,
    /// Marked a promise that was the other partner's.
    MarkedPromiseOf { partner: PartnerId },
    /// Acknowledged their own promise (the other partner's to do).
    AcknowledgedOwn,
    /// Withdrew an agreement that only its proposer may withdraw.
    Withdrew,
    /// Changed the other partner's profile.
    ChangedProfileOf { partner: PartnerId },
    /// Renamed or removed a device of the other partner.
    ChangedDeviceOf { partner: PartnerId },
    /// Started or ended a pause for the other partner.
    PausedFor { partner: PartnerId },
    /// Did, in the other partner's name, what only that partner does (marked a step of a
    /// goal done, answered a reflection, opened a sealed answer): `what` says which.
    ActedFor { partner: PartnerId, what: String },
}

/// What the view keeps about a record that is not as its writer said.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordCheck {
    /// Written (in part) on a device not proved to be its author's.
    pub unverified: bool,
    pub doubts: Vec<Doubt>,
}

/// The checks of one record as it is read: the trust to check against, and what it found.
pub(crate) struct Check<'a> {
    pub(crate) trust: &'a Trust,
    /// The history of the document being read: where a value written over is found again.
    history: &'a read::History<'a>,
    pub(crate) found: RecordCheck,
}

impl<'a> Check<'a> {
    pub(crate) fn new(trust: &'a Trust, history: &'a read::History<'a>) -> Self {
        Check { trust, history, found: RecordCheck::default() }
    }

    /// The value at `key` before writers that `ok` refuses wrote over it: walks back
    /// through what each wrote over, a few steps at most. None if none is left.
    pub(crate) fn restore(
        &mut self,
        doc: &impl ReadDoc,
        obj: &ObjId,
        key: &str,
        op: &ObjId,
        ok: impl Fn(&mut Self, &ObjId) -> bool,
    ) -> Option<ScalarValue> {
        let mut op = op.clone();
        for _ in 0..8 {
            let before = read::overwritten(doc, self.history, obj, key, &op);
            if let Some((v, _)) = before.iter().find(|(_, by)| ok(self, by)) {
                return Some(v.clone());
            }
            op = before.into_iter().next()?.1;
        }
        None
    }

    /// The value at `key` of `obj` (a part of `record`) as the record's device wrote it:
    /// the one shown if that device set it; otherwise (another device wrote over it) the
    /// first one, restored from history, and a doubt says who wrote over it. With the
    /// operation that set it. None if there is none.
    pub(crate) fn as_written(&mut self, doc: &impl ReadDoc, record: &ObjId, f: &read::Fields, key: &str, kind: &str) -> Option<(ScalarValue, ObjId)> {
        // From the fields already read: one more `get` per field costs as much as the rest
        // of building the view.
        let (v, by) = f.scalar_by(key)?;
        if actor_of(&by) == actor_of(record) {
            return Some((v, by));
        }
        self.doubt(&by, Broke::ChangedWords { kind: kind.to_owned() });
        self.first_written(doc, record, record, key, &by)
    }

    /// The first value written at `key` before `op`, if the record's own device wrote it.
    pub(crate) fn first_written(&mut self, doc: &impl ReadDoc, record: &ObjId, obj: &ObjId, key: &str, op: &ObjId) -> Option<(ScalarValue, ObjId)> {
        let maker = actor_of(record).cloned();
        let mut op = op.clone();
        let mut first = None;
        for _ in 0..8 {
            let Some((v, by)) = read::overwritten(doc, self.history, obj, key, &op).into_iter().next() else { break };
            first = (actor_of(&by) == maker.as_ref()).then(|| (v, by.clone()));
            op = by;
        }
        first
    }

    /// Whether `by` may have been `owner`'s own device: proved to be, or not proved to be
    /// anyone else's. No doubt is noted.
    pub(crate) fn may_be(&self, by: &ObjId, owner: &PartnerId) -> bool {
        match self.trust.writer(by) {
            Writer::Verified(p) | Writer::Claimed(p) => p == owner,
            Writer::Unknown => true,
        }
    }

    pub(crate) fn doubt(&mut self, by: &ObjId, what: Broke) {
        let by = device_of(by).unwrap_or_else(|| DeviceId::from_key(""));
        let d = Doubt { by, what };
        if !self.found.doubts.contains(&d) {
            self.found.doubts.push(d);
        }
    }

    /// A record (or a part of one) written by `by` in `author`'s name: true when it may be
    /// shown. Written by a device of the other partner, it is not (and a doubt says so);
    /// written by a device not proved to be the author's, it is, marked not verified.
    pub(crate) fn authored(&mut self, by: &ObjId, author: &PartnerId, kind: &str) -> bool {
        self.owned(by, author, || Broke::WroteAs { partner: author.clone(), kind: kind.to_owned() })
    }

    /// Like [`Self::authored`], for what is the owner's own to write (their marks, their
    /// pause, their profile), with the doubt to note if another partner's device wrote it.
    pub(crate) fn owned(&mut self, by: &ObjId, owner: &PartnerId, broke: impl FnOnce() -> Broke) -> bool {
        self.judge(by, owner, broke, true)
    }

    /// An act only `partner`'s own devices may do (consent, an answer, a withdrawal): true
    /// when `by` is one of them. Anything else does not count; by the other partner, it is
    /// a doubt, and by a device not proved, the record is marked not verified.
    pub(crate) fn acted(&mut self, by: &ObjId, partner: &PartnerId, broke: impl FnOnce() -> Broke) -> bool {
        self.judge(by, partner, broke, false)
    }

    /// Whether `by` may write what is `owner`'s: a proved device of theirs may; one proved
    /// or listed as the other partner's may not (a doubt); one not proved is marked not
    /// verified, and counts only when `unproved_counts` (words, not consent).
    fn judge(&mut self, by: &ObjId, owner: &PartnerId, broke: impl FnOnce() -> Broke, unproved_counts: bool) -> bool {
        match self.trust.writer(by) {
            Writer::Verified(p) if p == owner => true,
            Writer::Verified(_) => {
                self.doubt(by, broke());
                false
            }
            Writer::Claimed(p) if p != owner => {
                self.doubt(by, broke());
                false
            }
            Writer::Claimed(_) | Writer::Unknown => {
                self.found.unverified = true;
                unproved_counts
            }
        }
    }
}

/// The checks of every record, keyed like `agreements/<id>`, only for records with findings.
pub type Checks = BTreeMap<String, RecordCheck>;

pub(crate) fn check_key(c: Collection, key: &str) -> String {
    format!("{}/{key}", c.key())
}
