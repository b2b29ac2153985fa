//! The read-only picture of the shared space that front ends draw. Kept up to date record by
//! record: after a local action the touched record is re-read, after a merge the records that
//! the merge's patches name.

use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::read;
use crate::records::*;
use crate::schema::Collection;
use automerge::{ObjId, ReadDoc};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
}

/// The object ids of the collection maps (the same in every space: see `schema::genesis`).
#[derive(Debug, Clone)]
pub(crate) struct Collections(pub BTreeMap<Collection, ObjId>);

impl Collections {
    pub(crate) fn get(&self, c: Collection) -> &ObjId {
        // Present by construction: `SharedDoc::from_doc` refuses a document without them.
        &self.0[&c]
    }
}

impl View {
    pub fn partner_ids(&self) -> Vec<&PartnerId> {
        self.partners.keys().collect()
    }

    pub fn partner_name(&self, id: &PartnerId) -> &str {
        self.partners.get(id).map(|p| p.name.as_str()).unwrap_or("someone")
    }

    /// The other partner, once there is one.
    pub fn other_partner(&self, me: &PartnerId) -> Option<&Partner> {
        self.partners.values().find(|p| &p.id != me)
    }

    pub fn active_pauses(&self, now: Timestamp) -> impl Iterator<Item = &Pause> {
        self.pauses.values().filter(move |p| p.is_active(now))
    }

    /// What kind of record an id names, for links such as a gratitude note's "about".
    pub fn kind_of(&self, id: &RecordId) -> Option<&'static str> {
        if self.agreements.contains_key(id) {
            Some("agreement")
        } else if self.promises.contains_key(id) {
            Some("promise")
        } else if self.gratitude.contains_key(id) {
            Some("gratitude")
        } else if self.checkins.contains_key(id) {
            Some("checkin")
        } else if self.repairs.contains_key(id) {
            Some("repair")
        } else {
            None
        }
    }

    pub fn record_count(&self) -> usize {
        self.agreements.len() + self.promises.len() + self.gratitude.len() + self.checkins.len() + self.repairs.len()
    }

    pub(crate) fn load_all(doc: &impl ReadDoc, colls: &Collections) -> View {
        let mut v = View { schema_version: read::uint(doc, &automerge::ROOT, crate::schema::SCHEMA_KEY).unwrap_or(0), ..View::default() };
        for c in Collection::ALL {
            for key in read::keys(doc, colls.get(c)) {
                v.refresh(doc, colls, c, &key);
            }
        }
        v
    }

    /// Re-reads one record (or drops it from the view if it is gone or unreadable).
    pub(crate) fn refresh(&mut self, doc: &impl ReadDoc, colls: &Collections, c: Collection, key: &str) {
        let obj = read::map(doc, colls.get(c), key);
        let obj = obj.as_ref();
        match c {
            Collection::Partners => upsert(&mut self.partners, PartnerId::from_key(key), obj.and_then(|o| partner(doc, key, o))),
            Collection::Devices => upsert(&mut self.devices, DeviceId::from_key(key), obj.and_then(|o| device(doc, key, o))),
            Collection::Agreements => upsert(&mut self.agreements, RecordId::from_key(key), obj.and_then(|o| agreement(doc, key, o))),
            Collection::Promises => upsert(&mut self.promises, RecordId::from_key(key), obj.and_then(|o| promise(doc, key, o))),
            Collection::Gratitude => upsert(&mut self.gratitude, RecordId::from_key(key), obj.and_then(|o| gratitude(doc, key, o))),
            Collection::CheckIns => upsert(&mut self.checkins, RecordId::from_key(key), obj.and_then(|o| checkin(doc, key, o))),
            Collection::Repairs => upsert(&mut self.repairs, RecordId::from_key(key), obj.and_then(|o| repair(doc, key, o))),
            Collection::Pauses => upsert(&mut self.pauses, PartnerId::from_key(key), obj.and_then(|o| pause(doc, key, o))),
        }
    }
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

// Each reader returns None when a required field is missing: a half-written or foreign
// record is left out of the view instead of crashing it.

fn partner(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Partner> {
    let names = read::strings_all(doc, o, "name");
    let name = read::string(doc, o, "name")?;
    Some(Partner {
        id: PartnerId::from_key(key),
        name_conflicts: names.into_iter().filter(|n| n != &name).collect(),
        name,
        love_languages: read::string(doc, o, "love_languages")
            .unwrap_or_default()
            .split(',')
            .filter_map(LoveLanguage::parse)
            .collect(),
        needs: read::string(doc, o, "needs").unwrap_or_default(),
        joined_at: read::time(doc, o, "joined_at").unwrap_or(Timestamp(0)),
    })
}

fn device(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Device> {
    Some(Device {
        id: DeviceId::from_key(key),
        name: read::string(doc, o, "name").unwrap_or_default(),
        partner: PartnerId::from_key(&read::string(doc, o, "partner")?),
        added_at: read::time(doc, o, "added_at").unwrap_or(Timestamp(0)),
        removed_at: read::time(doc, o, "removed_at"),
    })
}

fn agreement(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Agreement> {
    let revs_obj = read::map(doc, o, "revisions")?;
    let mut revisions: Vec<Revision> = read::keys(doc, &revs_obj)
        .into_iter()
        .filter_map(|rk| {
            let r = read::map(doc, &revs_obj, &rk)?;
            let accepted_by = read::map(doc, &r, "accepted_by")
                .map(|a| {
                    read::keys(doc, &a)
                        .into_iter()
                        .filter_map(|pk| Some((PartnerId::from_key(&pk), read::time(doc, &a, &pk)?)))
                        .collect()
                })
                .unwrap_or_default();
            Some(Revision {
                id: RecordId::from_key(&rk),
                text: read::string(doc, &r, "text")?,
                author: PartnerId::from_key(&read::string(doc, &r, "author")?),
                device: DeviceId::from_key(&read::string(doc, &r, "device").unwrap_or_default()),
                at: read::time(doc, &r, "at")?,
                accepted_by,
            })
        })
        .collect();
    if revisions.is_empty() {
        return None;
    }
    revisions.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    Some(Agreement {
        id: RecordId::from_key(key),
        category: read::string(doc, o, "category").and_then(|c| Category::parse(&c)).unwrap_or(Category::Other),
        created_by: PartnerId::from_key(&read::string(doc, o, "created_by")?),
        created_at: read::time(doc, o, "created_at")?,
        review_at: read::time(doc, o, "review_at"),
        archived: read::boolean(doc, o, "archived").unwrap_or(false),
        revisions,
    })
}

fn promise(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Promise> {
    let mut occurrences: Vec<Occurrence> = read::map(doc, o, "occurrences")
        .map(|occ| {
            read::keys(doc, &occ)
                .into_iter()
                .filter_map(|k| {
                    let e = read::map(doc, &occ, &k)?;
                    Some(Occurrence {
                        key: k.clone(),
                        due: read::time(doc, &e, "due"),
                        outcome: Outcome::parse(&read::string(doc, &e, "outcome")?)?,
                        marked_at: read::time(doc, &e, "marked_at")?,
                        marked_on: DeviceId::from_key(&read::string(doc, &e, "marked_on").unwrap_or_default()),
                        new_due: read::time(doc, &e, "new_due"),
                        acknowledged_at: read::time(doc, &e, "acknowledged_at"),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    occurrences.sort_by_key(|o| (o.marked_at, o.due));
    Some(Promise {
        id: RecordId::from_key(key),
        text: read::string(doc, o, "text")?,
        promiser: PartnerId::from_key(&read::string(doc, o, "promiser")?),
        created_at: read::time(doc, o, "created_at")?,
        repeat: read::string(doc, o, "repeat").and_then(|r| Repeat::parse(&r)).unwrap_or(Repeat::None),
        next_due: read::time(doc, o, "next_due"),
        open: read::boolean(doc, o, "open").unwrap_or(true),
        from_repair: read::string(doc, o, "from_repair").map(|r| RecordId::from_key(&r)),
        occurrences,
    })
}

fn gratitude(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Gratitude> {
    Some(Gratitude {
        id: RecordId::from_key(key),
        text: read::string(doc, o, "text")?,
        author: PartnerId::from_key(&read::string(doc, o, "author")?),
        at: read::time(doc, o, "at")?,
        about: read::string(doc, o, "about").map(|a| RecordId::from_key(&a)),
    })
}

fn checkin(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<CheckIn> {
    let rating = |k| read::int(doc, o, k).filter(|v| (1..=5).contains(v)).map(|v| v as u8);
    Some(CheckIn {
        id: RecordId::from_key(key),
        kind: read::string(doc, o, "kind").and_then(|k| CheckInKind::parse(&k)).unwrap_or(CheckInKind::Daily),
        prompt: read::string(doc, o, "prompt"),
        connection: rating("connection")?,
        trust: rating("trust")?,
        heard: rating("heard")?,
        note: read::string(doc, o, "note"),
        author: PartnerId::from_key(&read::string(doc, o, "author")?),
        at: read::time(doc, o, "at")?,
    })
}

fn repair(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Repair> {
    let answer = match (
        read::string(doc, o, "response").and_then(|r| RepairResponse::parse(&r)),
        read::string(doc, o, "response_by"),
        read::time(doc, o, "response_at"),
    ) {
        (Some(response), Some(by), Some(at)) => Some(Answer { response, by: PartnerId::from_key(&by), at }),
        _ => None,
    };
    Some(Repair {
        id: RecordId::from_key(key),
        author: PartnerId::from_key(&read::string(doc, o, "author")?),
        at: read::time(doc, o, "at")?,
        what_happened: read::string(doc, o, "what_happened")?,
        what_i_did: read::string(doc, o, "what_i_did").unwrap_or_default(),
        impact: read::string(doc, o, "impact").unwrap_or_default(),
        next_time: read::string(doc, o, "next_time").unwrap_or_default(),
        answer,
    })
}

fn pause(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Pause> {
    Some(Pause {
        partner: PartnerId::from_key(key),
        started_at: read::time(doc, o, "started_at")?,
        until: read::time(doc, o, "until")?,
        note: read::string(doc, o, "note"),
        ended_at: read::time(doc, o, "ended_at"),
    })
}
