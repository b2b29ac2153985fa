//! The engine as sync sees it: the shared document and the trusted-device list, nothing
//! else of the profile.

use crate::{Command, Engine};
use automerge::sync;
use mend_core::{DeviceId, PartnerId};
use mend_sync::{SharedSpace, SpaceError};

fn err(e: impl std::fmt::Display) -> SpaceError {
    SpaceError::Failed(e.to_string())
}

impl SharedSpace for Engine {
    fn device(&self) -> DeviceId {
        self.me().device.clone()
    }
    fn partner(&self) -> PartnerId {
        self.me().partner.clone()
    }
    fn partner_name(&self) -> String {
        self.view().partner_name(&self.me().partner).to_owned()
    }
    fn device_name(&self) -> String {
        Engine::device_name(self).to_owned()
    }
    fn schema_version(&self) -> u64 {
        mend_core::schema::SCHEMA_VERSION
    }
    fn partner_count(&self) -> usize {
        self.view().partners.len()
    }
    fn has_partner(&self, partner: &mend_core::PartnerId) -> bool {
        self.view().partners.contains_key(partner)
    }
    fn is_trusted(&self, device: &DeviceId) -> bool {
        self.view().syncs_with(self.me(), device)
    }
    fn peers(&self) -> Vec<(DeviceId, String)> {
        let me = self.me();
        let v = self.view();
        v.devices.values().filter(|d| d.id != me.device && v.syncs_with(me, &d.id)).map(|d| (d.id.clone(), d.name.clone())).collect()
    }
    fn heads(&mut self) -> Vec<automerge::ChangeHash> {
        Engine::heads(self)
    }
    fn generate(&mut self, state: &mut sync::State) -> Option<sync::Message> {
        self.generate_sync(state)
    }
    fn receive(&mut self, from: Option<&DeviceId>, state: &mut sync::State, msg: sync::Message) -> Result<bool, SpaceError> {
        // A session always knows its peer; without one, nobody's connection proves anything.
        let nobody = DeviceId::from_key("");
        self.receive_sync(from.unwrap_or(&nobody), state, msg).map_err(|e| match e {
            crate::EngineError::Refused(r) => SpaceError::Refused(r),
            e => err(e),
        })
    }
    fn attestations(&mut self) -> Vec<mend_sync::wire::Attestation> {
        Engine::attestations(self)
    }
    fn hear_attestations(&mut self, list: Vec<mend_sync::wire::Attestation>) {
        Engine::hear_attestations(self, list)
    }
    fn refresh(&mut self) -> Result<bool, SpaceError> {
        Engine::refresh(self).map_err(err)
    }
    fn trust(&mut self, device: &DeviceId, partner: &PartnerId, name: &str) -> Result<(), SpaceError> {
        self.execute(Command::TrustDevice { device: device.clone(), partner: partner.clone(), name: name.to_owned() }).map(|_| ()).map_err(err)
    }
    fn load_blob(&self, name: &str) -> Option<Vec<u8>> {
        self.blobs().load(name)
    }
    fn save_blob(&mut self, name: &str, bytes: &[u8]) -> Result<(), SpaceError> {
        self.blobs().save(name, bytes).map_err(err)
    }
}
