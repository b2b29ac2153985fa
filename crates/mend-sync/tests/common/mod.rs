//! A space in memory over a real Automerge document and real rules (mend-core), so sync is
//! tested on the real thing without files.
#![allow(dead_code)]

use automerge::sync::{self, SyncDoc as _};
use mend_core::{Action, Actor, DeviceId, PartnerId, SharedDoc, Timestamp};
use mend_sync::{SharedSpace, SpaceError};
use std::collections::HashMap;

pub struct Mem {
    pub doc: SharedDoc,
    pub me: Actor,
    pub name: String,
    pub blobs: HashMap<String, Vec<u8>>,
    pub received_bytes: usize,
}

pub fn actor(partner: u128, key: &iroh::SecretKey) -> Actor {
    Actor { partner: PartnerId::from_uuid(uuid::Uuid::from_u128(partner)), device: DeviceId::from_public_key(key.public().as_bytes()) }
}

impl Mem {
    pub fn new(me: Actor, name: &str) -> Mem {
        let mut doc = SharedDoc::new_space().unwrap();
        doc.set_device(&me.device).unwrap();
        doc.apply(&me, Timestamp(1), Action::RegisterDevice { partner_name: Some(name.into()), device_name: format!("{name}'s device") }).unwrap();
        Mem { doc, me, name: name.into(), blobs: HashMap::new(), received_bytes: 0 }
    }

    pub fn act(&mut self, a: Action) {
        self.doc.apply(&self.me, Timestamp(2), a).unwrap();
    }

    pub fn note(&mut self, i: u128, text: &str) {
        self.act(Action::AddGratitude { id: mend_core::RecordId::from_uuid(uuid::Uuid::from_u128(i)), text: text.into(), about: None });
    }
}

impl SharedSpace for Mem {
    fn device(&self) -> DeviceId {
        self.me.device.clone()
    }
    fn partner(&self) -> PartnerId {
        self.me.partner.clone()
    }
    fn partner_name(&self) -> String {
        self.name.clone()
    }
    fn device_name(&self) -> String {
        format!("{}'s device", self.name)
    }
    fn schema_version(&self) -> u64 {
        mend_core::schema::SCHEMA_VERSION
    }
    fn partner_count(&self) -> usize {
        self.doc.view().partners.len()
    }
    fn has_partner(&self, p: &PartnerId) -> bool {
        self.doc.view().partners.contains_key(p)
    }
    fn is_trusted(&self, d: &DeviceId) -> bool {
        self.doc.view().syncs_with(&self.me, d)
    }
    fn peers(&self) -> Vec<(DeviceId, String)> {
        let v = self.doc.view();
        v.devices.values().filter(|d| d.id != self.me.device && v.syncs_with(&self.me, &d.id)).map(|d| (d.id.clone(), d.name.clone())).collect()
    }
    fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        self.doc.heads()
    }
    fn generate(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        self.doc.doc_mut().sync().generate_sync_message(state)
    }
    /// The in-memory spaces of these tests trust every device's changes (they test the
    /// protocol, not who wrote what; the engine's tests and tests/sync.rs do that).
    fn receive(&mut self, _from: Option<&DeviceId>, state: &mut sync::State, msg: sync::Message) -> Result<bool, SpaceError> {
        // The same gate as the engine's: judged before anything is applied.
        self.doc.check_incoming(&msg).map_err(SpaceError::Refused)?;
        let before = self.doc.heads();
        self.doc.doc_mut().sync().receive_sync_message(state, msg).map_err(|e| SpaceError::Failed(e.to_string()))?;
        let changed = self.doc.heads() != before;
        self.doc.absorb(&before).map_err(|e| SpaceError::Failed(e.to_string()))?;
        Ok(changed)
    }
    fn refresh(&mut self) -> Result<bool, SpaceError> {
        Ok(false)
    }
    fn trust(&mut self, device: &DeviceId, partner: &PartnerId, name: &str) -> Result<(), SpaceError> {
        self.doc
            .apply(&self.me, Timestamp(3), Action::TrustDevice { device: device.clone(), partner: partner.clone(), name: name.into() })
            .map(|_| ())
            .map_err(|e| SpaceError::Failed(e.to_string()))
    }
    fn load_blob(&self, name: &str) -> Option<Vec<u8>> {
        self.blobs.get(name).cloned()
    }
    fn save_blob(&mut self, name: &str, bytes: &[u8]) -> Result<(), SpaceError> {
        self.blobs.insert(name.into(), bytes.to_vec());
        Ok(())
    }
}
