//! The devices of the space: each belongs to a partner, and only the devices listed here
//! (and not removed) may sync. Keyed by device id, the device's public key.

use super::{Room, misrouted, partner};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{self, Broke, Check, Writer};
use crate::validate::{self, MAX_SHORT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub name: String,
    pub partner: PartnerId,
    pub added_at: Timestamp,
    pub removed_at: Option<Timestamp>,
    /// Added by a device proved to be its partner's (or that partner's first device):
    /// what it does counts as that partner's. Otherwise it is only listed.
    #[serde(default)]
    pub verified: bool,
    /// The device that wrote this record (the one that added it), as the document shows it.
    #[serde(default)]
    pub added_by: Option<DeviceId>,
    /// The partner of that device, when it is proved to be theirs.
    #[serde(default)]
    pub vouched_by: Option<PartnerId>,
    /// The partner whose device wrote a removal of this device, counted or not. A removal by
    /// the other partner does not remove it (only its own partner does), but that partner's
    /// devices no longer sync with it: what an older Mend, which let a partner remove the
    /// other's devices, did when it left the space.
    #[serde(default)]
    pub removed_by: Option<PartnerId>,
}

/// None without a partner: a device nobody owns is trusted by no one. `partner` is the one
/// proved by who added the device (see `trust`) when it is proved; a rename or a removal
/// made by the other partner's devices does not count.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Device> {
    let f = read::Fields::read(doc, o);
    let id = DeviceId::from_key(key);
    let verified = ck.trust.verified_partner(&id).cloned();
    let partner = verified.clone().unwrap_or_else(|| PartnerId::from_key(&f.string("partner").unwrap_or_default()));
    if partner.as_str().is_empty() {
        return None;
    }
    let owner = |ck: &mut Check, by: &ObjId| match ck.trust.writer(by) {
        Writer::Verified(p) => p == &partner,
        // For a device not proved to be anyone's, only a proved device of another partner
        // is surely not its owner.
        Writer::Claimed(_) | Writer::Unknown => verified.is_none(),
    };
    // The name written with the record is whoever added it; a later one is a rename.
    let name = match (f.string("name"), f.writer("name")) {
        (Some(n), Some(by)) if trust::actor_of(&by) == trust::actor_of(o) || owner(ck, &by) => n,
        (Some(_), Some(by)) => {
            ck.doubt(&by, Broke::ChangedDeviceOf { partner: partner.clone() });
            let maker = trust::actor_of(o).cloned();
            ck.restore(doc, o, "name", &by, |ck, b| trust::actor_of(b) == maker.as_ref() || ck.may_be(b, &partner))
                .as_ref()
                .and_then(read::as_string)
                .unwrap_or_default()
        }
        _ => String::new(),
    };
    let removed_by = f.writer("removed_at").and_then(|by| match ck.trust.writer(&by) {
        Writer::Verified(p) | Writer::Claimed(p) => Some(p.clone()),
        Writer::Unknown => None,
    });
    let removed_at = match (f.time("removed_at"), f.writer("removed_at")) {
        (Some(at), Some(by)) if owner(ck, &by) => Some(at),
        (Some(_), Some(by)) => {
            ck.doubt(&by, Broke::ChangedDeviceOf { partner: partner.clone() });
            None
        }
        _ => None,
    };
    let added = f.writer("partner");
    let vouched_by = added.as_ref().and_then(|by| match ck.trust.writer(by) {
        Writer::Verified(p) => Some(p.clone()),
        Writer::Claimed(_) | Writer::Unknown => None,
    });
    Some(Device {
        id,
        name,
        partner,
        added_at: f.time("added_at").unwrap_or(Timestamp(0)),
        removed_at,
        verified: verified.is_some(),
        added_by: added.as_ref().and_then(trust::device_of),
        vouched_by,
        removed_by,
    })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let dev = actor.device.as_str();
    match action {
        Action::RegisterDevice { partner_name, device_name } => {
            let device_name = validate::text("device name", &device_name, MAX_SHORT)?;
            if let Some(existing) = r.view.devices.get(&actor.device)
                && existing.partner != actor.partner
            {
                return Err(CoreError::NotAllowed("this device already belongs to the other partner"));
            }
            partner::join(r, actor, now, partner_name.as_deref())?;
            // A record is never written over: a second one would hide who added the device.
            if r.view.devices.contains_key(&actor.device) {
                return Ok(None);
            }
            let coll = r.coll(Collection::Devices)?;
            let d = &mut *r.doc;
            let o = write::map(d, &coll, dev)?;
            write::text(d, &o, "name", &device_name)?;
            write::text(d, &o, "partner", actor.partner.as_str())?;
            write::time(d, &o, "added_at", now)?;
            r.touch(Collection::Devices, dev);
            Ok(None)
        }
        Action::TrustDevice { device, partner, name } => {
            let name = validate::text("device name", &name, MAX_SHORT)?;
            if device.actor().is_none() || device.as_str().len() != 64 {
                return Err(CoreError::NotAllowed("that is not a device id"));
            }
            if let Some(existing) = r.view.devices.get(&device) {
                if existing.partner != partner {
                    return Err(CoreError::NotAllowed("that device already belongs to the other partner"));
                }
                if existing.removed_at.is_some() {
                    return Err(CoreError::NotAllowed("that device was removed from this space; set it up again as a new device"));
                }
                // Already listed: its record stays as written (a new one over it would hide
                // who added it, which is what proves whose it is).
                return Ok(None);
            }
            let is_new_partner = !r.view.partners.contains_key(&partner);
            if is_new_partner && r.view.partners.len() >= 2 {
                return Err(CoreError::NotAllowed("this space already has two partners"));
            }
            let coll = r.coll(Collection::Devices)?;
            let d = &mut *r.doc;
            let o = write::map(d, &coll, device.as_str())?;
            write::text(d, &o, "name", &name)?;
            write::text(d, &o, "partner", partner.as_str())?;
            write::time(d, &o, "added_at", now)?;
            write::text(d, &o, "added_by", dev)?;
            r.touch(Collection::Devices, device.to_string());
            Ok(None)
        }
        Action::RemoveDevice { device } => {
            let o = r.record(Collection::Devices, device.as_str(), "device")?;
            if device == actor.device {
                return Err(CoreError::NotAllowed("this device can't remove itself; to stop syncing, leave the space instead"));
            }
            let Some(d) = r.view.devices.get(&device) else { return Err(CoreError::UnknownId { kind: "device", id: device.to_string() }) };
            if d.removed_at.is_some() {
                return Ok(None);
            }
            // Each partner decides about their own devices; leaving is how one stops syncing
            // with the other partner, and it is the same for both.
            if d.partner != actor.partner {
                return Err(CoreError::NotYours(
                    "that device is your partner's: only they can remove it. To stop syncing with your partner, leave the space",
                ));
            }
            // A tombstone rather than a delete: an old copy of the record arriving later
            // from a peer can't bring the device back.
            write::time(r.doc, &o, "removed_at", now)?;
            r.touch(Collection::Devices, device.to_string());
            Ok(None)
        }
        Action::RenameDevice { device, name } => {
            let name = validate::text("device name", &name, MAX_SHORT)?;
            let o = r.record(Collection::Devices, device.as_str(), "device")?;
            let Some(d) = r.view.devices.get(&device) else { return Err(CoreError::UnknownId { kind: "device", id: device.to_string() }) };
            // Each partner names their own devices; the other's are theirs to name.
            if d.partner != actor.partner {
                return Err(CoreError::NotAllowed("that device is your partner's: only they can rename it"));
            }
            if d.name == name {
                return Ok(None);
            }
            write::text(r.doc, &o, "name", &name)?;
            r.touch(Collection::Devices, device.to_string());
            Ok(None)
        }
        Action::LeaveSpace => {
            // This partner's other devices first, then this one: none of them syncs with
            // this space again, and every device that learns of it stops syncing with them.
            let mut mine: Vec<DeviceId> = r
                .view
                .devices
                .values()
                .filter(|d| d.partner == actor.partner && d.removed_at.is_none() && d.id != actor.device)
                .map(|d| d.id.clone())
                .collect();
            mine.push(actor.device.clone());
            let mut changed = false;
            for id in mine {
                let Some(o) = read::map(&*r.doc, r.colls.get(Collection::Devices), id.as_str()) else { continue };
                write::time(r.doc, &o, "removed_at", now)?;
                r.touch(Collection::Devices, id.to_string());
                changed = true;
            }
            if !changed {
                return Err(CoreError::NotAllowed("this device is not in the space, so there is nothing to leave"));
            }
            Ok(None)
        }
        other => Err(misrouted("device", &other)),
    }
}
