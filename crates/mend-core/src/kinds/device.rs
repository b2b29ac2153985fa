//! The devices of the space: each belongs to a partner, and only the devices listed here
//! (and not removed) may sync. Keyed by device id, the device's public key.

use super::{Room, misrouted, partner};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
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
}

/// None without a partner: a device nobody owns is trusted by no one.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Device> {
    let f = read::Fields::read(doc, o);
    Some(Device {
        id: DeviceId::from_key(key),
        name: f.string("name").unwrap_or_default(),
        partner: PartnerId::from_key(&f.string("partner")?),
        added_at: f.time("added_at").unwrap_or(Timestamp(0)),
        removed_at: f.time("removed_at"),
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
            let coll = r.coll(Collection::Devices);
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
            }
            let is_new_partner = !r.view.partners.contains_key(&partner);
            if is_new_partner && r.view.partners.len() >= 2 {
                return Err(CoreError::NotAllowed("this space already has two partners"));
            }
            let coll = r.coll(Collection::Devices);
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
            if r.view.devices.get(&device).is_some_and(|d| d.removed_at.is_some()) {
                return Ok(None);
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
        other => Err(misrouted("device", &other)),
    }
}
