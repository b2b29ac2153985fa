#![allow(dead_code)]
use mend_core::*;

pub const T0: Timestamp = Timestamp(1_790_000_000_000);

pub fn rid(n: u128) -> RecordId {
    RecordId::from_uuid(uuid::Uuid::from_u128(n))
}

pub fn actor(partner: u128, device: u8) -> Actor {
    Actor { partner: PartnerId::from_uuid(uuid::Uuid::from_u128(partner)), device: DeviceId::from_public_key(&[device; 32]) }
}

/// A replica: one device's copy of the space.
pub struct Replica {
    pub doc: SharedDoc,
    pub me: Actor,
}

impl Replica {
    pub fn new(me: Actor, name: &str) -> Replica {
        let mut doc = SharedDoc::new_space().unwrap();
        doc.set_device(&me.device).unwrap();
        let mut r = Replica { doc, me };
        r.act(T0, Action::RegisterDevice { partner_name: Some(name.into()), device_name: format!("{name}'s laptop") }).unwrap();
        r
    }

    pub fn act(&mut self, now: Timestamp, a: Action) -> Result<Applied, CoreError> {
        self.doc.apply(&self.me, now, a)
    }

    pub fn view(&self) -> &View {
        self.doc.view()
    }

    /// Receives everything `other` has, the way sync or another process delivers it.
    pub fn merge_from(&mut self, other: &mut Replica) {
        let before = self.doc.heads();
        self.doc.doc_mut().merge(other.doc.doc_mut()).unwrap();
        self.doc.absorb(&before).unwrap();
    }

    /// Receives what `other` has through the sync protocol and the gate in front of it, as a
    /// paired device does: refused whole, with nothing applied, if the gate says no.
    pub fn sync_from(&mut self, other: &mut Replica) -> Result<(), Refusal> {
        use automerge::sync::{State, SyncDoc};
        let (mut mine, mut theirs) = (State::new(), State::new());
        for _ in 0..20 {
            let mut quiet = true;
            if let Some(m) = self.doc.doc_mut().sync().generate_sync_message(&mut mine) {
                let before = other.doc.heads();
                other.doc.doc_mut().sync().receive_sync_message(&mut theirs, m).unwrap();
                other.doc.absorb(&before).unwrap();
                quiet = false;
            }
            if let Some(m) = other.doc.doc_mut().sync().generate_sync_message(&mut theirs) {
                self.doc.check_incoming(&m)?;
                let before = self.doc.heads();
                self.doc.doc_mut().sync().receive_sync_message(&mut mine, m).unwrap();
                self.doc.absorb(&before).unwrap();
                quiet = false;
            }
            if quiet {
                break;
            }
        }
        Ok(())
    }

    /// The view rebuilt from scratch out of the saved document: what the incremental view
    /// must always equal.
    pub fn fresh_view(&mut self) -> View {
        let bytes = self.doc.doc_mut().save();
        SharedDoc::from_doc(automerge::AutoCommit::load(&bytes).unwrap()).unwrap().view().clone()
    }
}

/// Two partners, each with one device, already merged.
pub fn couple() -> (Replica, Replica) {
    let mut a = Replica::new(actor(1, 1), "Ana");
    let mut b = Replica::new(actor(2, 2), "Ben");
    a.merge_from(&mut b);
    b.merge_from(&mut a);
    (a, b)
}

/// Writes a raw change on `r`'s document, as `r`'s device, past every rule of Mend.
pub fn forge(r: &mut Replica, f: impl FnOnce(&mut automerge::AutoCommit)) {
    let before = r.doc.heads();
    let doc = r.doc.doc_mut();
    f(doc);
    doc.commit();
    r.doc.absorb(&before).unwrap();
}

/// The map at `path` (collection, record, field...), as the document holds it now.
pub fn at(doc: &automerge::AutoCommit, path: &[&str]) -> automerge::ObjId {
    let mut obj = automerge::ROOT;
    for k in path {
        obj = match automerge::ReadDoc::get(doc, &obj, *k).unwrap() {
            Some((automerge::Value::Object(_), id)) => id,
            other => panic!("no map at {k}: {other:?}"),
        };
    }
    obj
}

/// The doubts the honest view holds, as (device, rule) pairs.
pub fn doubts(v: &View) -> Vec<(DeviceId, Broke)> {
    v.checks.values().flat_map(|c| c.doubts.iter().map(|d| (d.by.clone(), d.what.clone()))).collect()
}
