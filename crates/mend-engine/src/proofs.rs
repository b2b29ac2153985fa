//! The attestations this device keeps (`sync/attestations.json`): for each other device,
//! its newest few signed heads, so that changes this device passes on carry their proof
//! (see `mend_core::attest`). Its own are signed fresh for every sync message.

use crate::Engine;
use automerge::ChangeHash;
use mend_core::DeviceId;
use mend_core::attest::{Attested, attestation_message};
use mend_sync::wire::Attestation;
use std::collections::BTreeMap;

const BLOB: &str = "attestations.json";
/// Proofs kept per device: the newest cover the most, a few older ones bridge a sync that
/// carries changes up to an older point.
const PER_DEVICE: usize = 4;
/// Devices kept: a couple's devices, with room to spare. A changed Mend can sign proofs for
/// keys of its own making; they are bounded here and never vouch for anyone else.
const DEVICES: usize = 64;

#[derive(Default)]
pub(crate) struct Proofs {
    loaded: bool,
    /// By device id, oldest first.
    by_device: BTreeMap<DeviceId, Vec<Attestation>>,
    /// In the order they were last heard, for dropping the longest unheard beyond [`DEVICES`].
    heard: Vec<DeviceId>,
    /// When the file was last written, and whether memory holds more than it.
    saved_at: Option<std::time::Instant>,
    dirty: bool,
    /// The profile the proofs belong to, once loaded: where they are written when dropped.
    dir: Option<std::path::PathBuf>,
}

impl Proofs {
    fn write(&mut self) -> Result<(), mend_store::StoreError> {
        let Some(dir) = &self.dir else { return Ok(()) };
        let bytes = serde_json::to_vec(&self.by_device).unwrap_or_default();
        mend_store::Blobs::new(dir).save(BLOB, &bytes)?;
        self.dirty = false;
        self.saved_at = Some(std::time::Instant::now());
        Ok(())
    }
}

impl Drop for Proofs {
    /// The last proofs of a live session, written when the engine goes.
    fn drop(&mut self) {
        if self.dirty
            && let Err(e) = self.write()
        {
            tracing::warn!(error = %e, "proofs of other devices not saved when closing; the devices send them again");
        }
    }
}

/// How often a live session's stream of newer proofs is written down. A proof not yet
/// written is lost only if Mend stops within this time, and the device it is about sends a
/// newer one with its next sync; a proof of a device heard for the first time is written
/// at once.
const SAVE_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

fn hashes(heads: &[String]) -> Option<Vec<ChangeHash>> {
    heads.iter().map(|h| h.parse().ok()).collect()
}

/// Whether `a` is signed by the key of the device it names.
fn holds(a: &Attestation) -> Option<Attested> {
    let heads = hashes(&a.heads)?;
    let key: [u8; 32] = hex::decode(a.device.as_str()).ok()?.try_into().ok()?;
    let sig: [u8; 64] = hex::decode(&a.sig).ok()?.try_into().ok()?;
    let key = iroh_base::PublicKey::from_bytes(&key).ok()?;
    key.verify(&attestation_message(&heads), &iroh_base::Signature::from_bytes(&sig)).ok()?;
    Some(Attested { actor: a.device.actor()?, heads })
}

impl Engine {
    fn proofs(&mut self) -> &mut Proofs {
        if !self.proofs.loaded {
            let stored: BTreeMap<DeviceId, Vec<Attestation>> =
                self.blobs().load(BLOB).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
            self.proofs.heard = stored.keys().cloned().collect();
            self.proofs.by_device = stored;
            self.proofs.loaded = true;
            self.proofs.dir = Some(self.dir().to_path_buf());
        }
        &mut self.proofs
    }

    /// This device's own heads, signed now, and the proofs it keeps of other devices: what
    /// a sync message it sends may need. Empty while its key is lost.
    pub fn attestations(&mut self) -> Vec<Attestation> {
        let mut out = vec![];
        if let (Some(key), Ok(heads)) = (self.device_secret(), self.current_heads()) {
            let sig = key.sign(&attestation_message(&heads));
            out.push(Attestation {
                device: self.me().device.clone(),
                heads: heads.iter().map(|h| h.to_string()).collect(),
                sig: hex::encode(sig.to_bytes()),
            });
        }
        let me = self.me().device.clone();
        out.extend(self.proofs().by_device.iter().filter(|(d, _)| **d != me).flat_map(|(_, l)| l.iter().cloned()));
        out
    }

    /// Keeps the attestations a peer sent whose signatures hold (never one of this device's:
    /// it knows its own changes). Saved so a restart can still pass them on; a failure to
    /// save is logged, and they are kept in memory meanwhile.
    pub fn hear_attestations(&mut self, list: Vec<Attestation>) {
        let me = self.me().device.clone();
        let mut changed = false;
        let mut new_device = false;
        for a in list.into_iter().filter(|a| a.device != me) {
            if holds(&a).is_none() {
                tracing::info!(device = a.device.short(), "a proof whose signature does not hold; not kept");
                continue;
            }
            let p = self.proofs();
            new_device |= !p.by_device.contains_key(&a.device);
            let kept = p.by_device.entry(a.device.clone()).or_default();
            if kept.contains(&a) {
                continue;
            }
            kept.push(a.clone());
            if kept.len() > PER_DEVICE {
                kept.remove(0);
            }
            p.heard.retain(|d| *d != a.device);
            p.heard.push(a.device.clone());
            while p.heard.len() > DEVICES {
                let gone = p.heard.remove(0);
                p.by_device.remove(&gone);
            }
            changed = true;
        }
        let p = self.proofs();
        p.dirty |= changed;
        let due = new_device || p.saved_at.is_none_or(|t| t.elapsed() >= SAVE_EVERY);
        if p.dirty && due {
            self.save_proofs();
        }
    }

    /// Writes the proofs kept, if memory holds more than the file (also done when the engine
    /// is dropped: the last of a live session's proofs).
    pub(crate) fn save_proofs(&mut self) {
        if !self.proofs.dirty {
            return;
        }
        if let Err(e) = self.proofs.write() {
            tracing::warn!(error = %e, "proofs of other devices not saved; kept in memory and tried again");
        }
    }

    /// The proofs kept (their signatures were checked when they were heard), for deciding
    /// what of a message may be applied.
    pub(crate) fn attested(&mut self) -> Vec<Attested> {
        self.proofs().by_device.values().flatten().filter_map(|a| Some(Attested { actor: a.device.actor()?, heads: hashes(&a.heads)? })).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_holds_only_with_its_device_s_signature_over_those_heads() {
        let key = mend_store::DeviceKey::generate();
        let heads = vec![mend_core::schema::genesis_hash()];
        let sig = key.secret().sign(&attestation_message(&heads));
        let good = Attestation { device: key.device_id(), heads: vec![heads[0].to_string()], sig: hex::encode(sig.to_bytes()) };
        assert!(holds(&good).is_some());
        let other = mend_store::DeviceKey::generate();
        assert!(holds(&Attestation { device: other.device_id(), ..good.clone() }).is_none(), "another device's name on it");
        assert!(holds(&Attestation { heads: vec![mend_core::schema::practices_hash().to_string()], ..good.clone() }).is_none(), "other heads");
        assert!(holds(&Attestation { sig: "00".into(), ..good.clone() }).is_none());
        assert!(holds(&Attestation { device: DeviceId::from_key("zz"), ..good }).is_none());
    }
}
