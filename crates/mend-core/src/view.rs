//! The read-only picture of the shared space that front ends draw. Kept up to date record by
//! record: after a local action the touched record is re-read, after a merge the records that
//! the merge's patches name.

use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::kinds::promise::occurrence_key;
use crate::kinds::{agreement, answer, checkin, device, goal, gratitude, heard, partner, pause, promise, repair, together};
use crate::read;
use crate::records::*;
use crate::schema::Collection;
use crate::trust::{Check, Checks, Trust, check_key};
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The layout of [`View::to_cache`]. Bump it whenever `View` or a record changes shape, or
/// the way a record is read from the document changes: a cache written by another layout
/// is then ignored (and rebuilt) instead of being shown.
pub const CACHE_FORMAT: u32 = 3;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub schema_version: u64,
    pub partners: BTreeMap<PartnerId, Partner>,
    pub devices: BTreeMap<DeviceId, Device>,
    pub agreements: BTreeMap<RecordId, Agreement>,
    pub promises: BTreeMap<RecordId, Promise>,
    pub gratitude: BTreeMap<RecordId, Gratitude>,
    pub checkins: BTreeMap<RecordId, CheckIn>,
    pub repairs: BTreeMap<RecordId, Repair>,
    pub pauses: BTreeMap<PartnerId, Pause>,
    pub goals: BTreeMap<RecordId, Goal>,
    /// Plans for time together and ideas for it.
    pub together: BTreeMap<RecordId, Together>,
    /// Reflections ("what I heard") on repairs and check-ins.
    pub heard: BTreeMap<RecordId, Heard>,
    /// Sealed answers to the question of the day, keyed `<day>~<question>~<partner id>`.
    pub answers: BTreeMap<RecordId, QuestionAnswer>,
    /// What the checks of who wrote what found, by record (`agreements/<id>`): parts not
    /// shown because a device broke a rule, and records written on unproved devices.
    pub checks: Checks,
}

/// The object ids of the collection maps (the same in every space: see `schema::genesis`).
#[derive(Debug, Clone)]
pub(crate) struct Collections(pub BTreeMap<Collection, ObjId>);

impl Collections {
    /// A collection genesis made (for any other, [`Self::find`]).
    pub(crate) fn get(&self, c: Collection) -> &ObjId {
        // Present by construction: `SharedDoc::from_doc` refuses a document without them.
        &self.0[&c]
    }

    /// Any collection: one made by the second layout change is missing until a device
    /// first writes a record of it.
    pub(crate) fn find(&self, c: Collection) -> Option<&ObjId> {
        self.0.get(&c)
    }
}

impl View {
    pub fn partner_ids(&self) -> Vec<&PartnerId> {
        self.partners.keys().collect()
    }

    pub fn partner_name(&self, id: &PartnerId) -> &str {
        // A name received from another device is not validated here: one that shows nothing
        // would leave a sentence with a hole in it.
        self.partners.get(id).map(|p| p.name.as_str()).filter(|n| !crate::validate::is_blank(n)).unwrap_or("someone")
    }

    /// The other partner, once there is one.
    pub fn other_partner(&self, me: &PartnerId) -> Option<&Partner> {
        self.partners.values().find(|p| &p.id != me)
    }

    /// The devices allowed to sync with this space: every device not removed.
    pub fn trusted_devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.values().filter(|d| d.removed_at.is_none())
    }

    pub fn is_trusted(&self, device: &DeviceId) -> bool {
        self.devices.get(device).is_some_and(|d| d.removed_at.is_none())
    }

    /// Whether this device (`me`) syncs with `device`: never once this device left or was
    /// removed; otherwise with a device that is not removed (nor removed by `me`'s partner,
    /// as an older Mend did when leaving) and is proved to be its partner's, or that this
    /// device or its partner's devices added (a device that just paired, whose own records
    /// have not arrived yet).
    pub fn syncs_with(&self, me: &crate::Actor, device: &DeviceId) -> bool {
        if self.devices.get(&me.device).is_some_and(|d| d.removed_at.is_some()) {
            return false;
        }
        self.devices.get(device).is_some_and(|d| {
            d.removed_at.is_none()
                && d.removed_by.as_ref() != Some(&me.partner)
                && (d.verified || d.added_by.as_ref() == Some(&me.device) || d.vouched_by.as_ref() == Some(&me.partner))
        })
    }

    pub fn active_pauses(&self, now: Timestamp) -> impl Iterator<Item = &Pause> {
        self.pauses.values().filter(move |p| p.is_active(now))
    }

    /// The records of `self` that `now` no longer holds, as (kind, when written): what a
    /// loss of saved changes took, for telling the user what is missing.
    pub fn missing_from(&self, now: &View) -> Vec<(&'static str, Timestamp)> {
        fn gone<'a, K: Ord, V>(
            was: &'a BTreeMap<K, V>,
            is: &BTreeMap<K, V>,
            at: impl Fn(&V) -> Timestamp + 'a,
        ) -> impl Iterator<Item = Timestamp> + 'a {
            let keys: Vec<&K> = was.keys().filter(|k| !is.contains_key(*k)).collect();
            keys.into_iter().filter_map(move |k| was.get(k).map(&at))
        }
        let mut out = vec![];
        out.extend(gone(&self.agreements, &now.agreements, |a| a.created_at).map(|t| ("agreement", t)));
        out.extend(gone(&self.promises, &now.promises, |p| p.created_at).map(|t| ("promise", t)));
        out.extend(gone(&self.gratitude, &now.gratitude, |g| g.at).map(|t| ("note of thanks", t)));
        out.extend(gone(&self.checkins, &now.checkins, |c| c.at).map(|t| ("check-in", t)));
        out.extend(gone(&self.repairs, &now.repairs, |r| r.at).map(|t| ("repair", t)));
        out.extend(gone(&self.goals, &now.goals, |g| g.at).map(|t| ("goal", t)));
        out.extend(gone(&self.together, &now.together, |g| g.at).map(|t| ("plan for time together", t)));
        out.extend(gone(&self.heard, &now.heard, |h| h.at).map(|t| ("reflection", t)));
        out.extend(gone(&self.answers, &now.answers, |a| a.at).map(|t| ("answer to a question", t)));
        out.sort_by_key(|(_, t)| *t);
        out
    }

    pub fn record_count(&self) -> usize {
        self.agreements.len()
            + self.promises.len()
            + self.gratitude.len()
            + self.checkins.len()
            + self.repairs.len()
            + self.goals.len()
            + self.together.len()
            + self.heard.len()
            + self.answers.len()
    }

    /// The reflections on `about` (a repair or check-in), oldest first: only those that
    /// reflect the words of the partner who really wrote it.
    pub fn heard_on(&self, about: &RecordId) -> Vec<&Heard> {
        let author = self.repairs.get(about).map(|r| &r.author).or_else(|| self.checkins.get(about).map(|c| &c.author));
        let mut out: Vec<&Heard> = self.heard.values().filter(|h| &h.about == about && Some(&h.to) == author).collect();
        out.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        out
    }

    /// The goal a step belongs to.
    pub fn goal_of_step(&self, step: &RecordId) -> Option<&Goal> {
        self.goals.values().find(|g| g.has_step(step))
    }

    /// Both partners' answers to `question` on `day`, as far as they are in the space.
    pub fn answers_to(&self, day: &str, question: &str) -> Vec<&QuestionAnswer> {
        self.answers.values().filter(|a| a.day == day && a.question == question).collect()
    }

    /// The view as compact bytes (postcard) for the view cache on disk. Only the view: what
    /// it was made from is for the store to record next to it.
    pub fn to_cache(&self) -> Vec<u8> {
        // Occurrence keys are not serialized with the records (JSON leaves them out); almost
        // every key is the one its due time gives, so only the others are kept, in order.
        let keys: Vec<Option<&str>> =
            self.promises.values().flat_map(|p| p.occurrences.iter()).map(|o| (o.key != occurrence_key(o.due)).then_some(o.key.as_str())).collect();
        // Plain owned data with known lengths: postcard cannot fail on it. An empty result
        // would only be refused by `from_cache`, never misread.
        postcard::to_stdvec(&CacheOut { view: self, keys }).unwrap_or_default()
    }

    /// Reads bytes made by [`Self::to_cache`] with the same [`CACHE_FORMAT`]. None for
    /// anything else: a cache that does not decode exactly is not used.
    pub fn from_cache(bytes: &[u8]) -> Option<View> {
        let (CacheIn { mut view, keys }, rest) = postcard::take_from_bytes::<CacheIn>(bytes).ok()?;
        let occurrences: usize = view.promises.values().map(|p| p.occurrences.len()).sum();
        if !rest.is_empty() || keys.len() != occurrences {
            return None;
        }
        let mut keys = keys.into_iter();
        for o in view.promises.values_mut().flat_map(|p| p.occurrences.iter_mut()) {
            o.key = keys.next()?.unwrap_or_else(|| occurrence_key(o.due));
        }
        Some(view)
    }

    /// What the checks found about one record, if anything.
    pub fn check(&self, c: Collection, key: &str) -> Option<&crate::trust::RecordCheck> {
        self.checks.get(&check_key(c, key))
    }

    pub(crate) fn load_all(doc: &impl ReadDoc, colls: &Collections, trust: &Trust, heads: &[automerge::ChangeHash]) -> View {
        let history = read::History::new(heads);
        let mut v = View { schema_version: read::uint(doc, &automerge::ROOT, crate::schema::SCHEMA_KEY).unwrap_or(0), ..View::default() };
        for c in Collection::ALL {
            v.load_collection(doc, colls, trust, &history, c);
        }
        v
    }

    /// Reads every record of one collection (one that just appeared, say).
    pub(crate) fn load_collection(&mut self, doc: &impl ReadDoc, colls: &Collections, trust: &Trust, history: &read::History, c: Collection) {
        let Some(coll) = colls.find(c) else { return };
        let records = read::Fields::read(doc, coll);
        for (key, obj) in records.maps() {
            self.put(doc, trust, history, c, key, Some(&obj));
        }
    }

    /// Re-reads one record (or drops it from the view if it is gone or unreadable).
    pub(crate) fn refresh(&mut self, doc: &impl ReadDoc, colls: &Collections, trust: &Trust, history: &read::History, c: Collection, key: &str) {
        let obj = colls.find(c).and_then(|coll| read::map(doc, coll, key));
        self.put(doc, trust, history, c, key, obj.as_ref());
    }

    /// Each kind's room reads its own records, checked against who wrote them; one that
    /// reads as None (half-written, foreign, or not its author's) is dropped from the view.
    fn put(&mut self, doc: &impl ReadDoc, trust: &Trust, history: &read::History, c: Collection, key: &str, obj: Option<&ObjId>) {
        let mut ck = Check::new(trust, history);
        let ck = &mut ck;
        match c {
            Collection::Partners => upsert(&mut self.partners, PartnerId::from_key(key), obj.and_then(|o| partner::read(doc, key, o, ck))),
            Collection::Devices => upsert(&mut self.devices, DeviceId::from_key(key), obj.and_then(|o| device::read(doc, key, o, ck))),
            Collection::Agreements => upsert(&mut self.agreements, RecordId::from_key(key), obj.and_then(|o| agreement::read(doc, key, o, ck))),
            Collection::Promises => upsert(&mut self.promises, RecordId::from_key(key), obj.and_then(|o| promise::read(doc, key, o, ck))),
            Collection::Gratitude => upsert(&mut self.gratitude, RecordId::from_key(key), obj.and_then(|o| gratitude::read(doc, key, o, ck))),
            Collection::CheckIns => upsert(&mut self.checkins, RecordId::from_key(key), obj.and_then(|o| checkin::read(doc, key, o, ck))),
            Collection::Repairs => upsert(&mut self.repairs, RecordId::from_key(key), obj.and_then(|o| repair::read(doc, key, o, ck))),
            Collection::Pauses => upsert(&mut self.pauses, PartnerId::from_key(key), obj.and_then(|o| pause::read(doc, key, o, ck))),
            Collection::Goals => upsert(&mut self.goals, RecordId::from_key(key), obj.and_then(|o| goal::read(doc, key, o, ck))),
            Collection::Together => upsert(&mut self.together, RecordId::from_key(key), obj.and_then(|o| together::read(doc, key, o, ck))),
            Collection::Heard => upsert(&mut self.heard, RecordId::from_key(key), obj.and_then(|o| heard::read(doc, key, o, ck))),
            Collection::Answers => upsert(&mut self.answers, RecordId::from_key(key), obj.and_then(|o| answer::read(doc, key, o, ck))),
        }
        let found = std::mem::take(&mut ck.found);
        // Almost every record has nothing to note: no key is made for those.
        if found != Default::default() {
            self.checks.insert(check_key(c, key), found);
        } else if !self.checks.is_empty() {
            self.checks.remove(&check_key(c, key));
        }
    }
}

#[derive(Serialize)]
struct CacheOut<'a> {
    view: &'a View,
    keys: Vec<Option<&'a str>>,
}

#[derive(Deserialize)]
struct CacheIn {
    view: View,
    keys: Vec<Option<String>>,
}

fn upsert<K: Ord, V>(m: &mut BTreeMap<K, V>, k: K, v: Option<V>) {
    match v {
        Some(v) => {
            m.insert(k, v);
        }
        None => {
            m.remove(&k);
        }
    }
}
