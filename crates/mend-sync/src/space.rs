//! What sync needs from a profile, and nothing more: the shared document's sync messages,
//! the trusted-device list, and a few small files of its own. The engine implements it; the
//! journal is not reachable from here.

use automerge::ChangeHash;
use automerge::sync;
use mend_core::{DeviceId, PartnerId};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpaceError {
    /// Something failed on this device (reading or saving the profile).
    #[error("{0}")]
    Failed(String),
    /// The peer's changes were refused before any of them was applied or saved: the
    /// session ends with a note to both sides.
    #[error("{0}")]
    Refused(mend_core::Refusal),
}

pub trait SharedSpace: Send + 'static {
    fn device(&self) -> DeviceId;
    fn partner(&self) -> PartnerId;
    fn partner_name(&self) -> String;
    fn device_name(&self) -> String;
    fn schema_version(&self) -> u64;
    /// How many partners the space has (pairing a third is refused).
    fn partner_count(&self) -> usize;
    /// Whether `partner` is one of the space's partners.
    fn has_partner(&self, partner: &PartnerId) -> bool;
    fn is_trusted(&self, device: &DeviceId) -> bool;
    /// Trusted devices other than this one, with their names.
    fn peers(&self) -> Vec<(DeviceId, String)>;
    fn heads(&mut self) -> Vec<ChangeHash>;
    fn generate(&mut self, state: &mut sync::State) -> Option<sync::Message>;
    /// Applies a peer's message and saves what it brought (fsynced) before returning.
    /// Returns whether the document changed. Changes this Mend could not read afterwards
    /// are refused with [`SpaceError::Refused`] before anything of the message is kept.
    /// `from`: the device at the other end of the session, whose own changes its
    /// connection proves; any other device's changes need an attestation
    /// ([`Self::hear_attestations`]), and those without one are held back, not applied.
    fn receive(&mut self, from: Option<&DeviceId>, state: &mut sync::State, msg: sync::Message) -> Result<bool, SpaceError>;
    /// What this device vouches for (its own heads, signed now) and the attestations of
    /// other devices it holds, to send with sync messages.
    fn attestations(&mut self) -> Vec<crate::wire::Attestation> {
        vec![]
    }
    /// Attestations a peer sent: kept if their signatures hold.
    fn hear_attestations(&mut self, _list: Vec<crate::wire::Attestation>) {}
    /// Picks up changes other processes saved to this profile.
    fn refresh(&mut self) -> Result<bool, SpaceError>;
    /// Records a newly paired device as trusted.
    fn trust(&mut self, device: &DeviceId, partner: &PartnerId, name: &str) -> Result<(), SpaceError>;
    /// Sync's own small files (per-peer sync state, peer addresses, open invitations).
    fn load_blob(&self, name: &str) -> Option<Vec<u8>>;
    fn save_blob(&mut self, name: &str, bytes: &[u8]) -> Result<(), SpaceError>;
}
