//! What this device remembers about each peer: where it was last reached, when it last
//! synced, and how. Shown by `mend devices`; used to reconnect without discovery.

use crate::space::{SharedSpace, SpaceError};
use crate::wire::{DeviceAddrs, Known};
use iroh::RelayUrl;
use mend_core::DeviceId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub const BLOB: &str = "peers.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    Direct,
    Relay,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    pub addrs: Vec<SocketAddr>,
    /// Milliseconds since the epoch.
    pub last_synced: Option<i64>,
    pub link: Option<Link>,
    /// The relay the peer was last reached through (or that its invitation named): dialled
    /// with its addresses, so a peer with no direct path is found without discovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<RelayUrl>,
    pub last_error: Option<String>,
    /// When this device last reached the peer itself (a connection opened), in
    /// milliseconds since the epoch: what "seen working" means in the lists of addresses
    /// devices tell each other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<i64>,
    /// Where another device of the space said the peer can be reached: hearsay, kept apart
    /// from `addrs` (what this device saw working itself, or the peer's own invitation),
    /// tried after them, and never written over them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub heard: Option<Heard>,
}

/// Addresses of a peer that another device told this one about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heard {
    pub addrs: Vec<SocketAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<RelayUrl>,
    /// When the teller last saw the peer working there (never later than when it was told).
    pub seen: Option<i64>,
    /// The device that told.
    pub from: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peers {
    pub peers: BTreeMap<String, PeerInfo>,
}

impl Peers {
    pub fn from_blob(b: Option<Vec<u8>>) -> Peers {
        b.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn to_blob(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// Takes in what `from` said about where devices are (entries already limited to
    /// trusted devices by the session). Hearsay never replaces what this device saw working
    /// itself: it is kept beside it, only when it is fresher than that, and only when it is
    /// fresher than earlier hearsay. A time in the future counts as `now`, so no device can
    /// make its word outlast all later ones. Returns how many peers' entries changed.
    pub fn hear(&mut self, from: &DeviceId, entries: &[DeviceAddrs], now: i64) -> usize {
        let mut changed = 0;
        for e in entries {
            let seen = e.seen.map(|s| s.min(now));
            let info = self.peers.entry(e.device.to_string()).or_default();
            let mut addrs: Vec<SocketAddr> = Vec::new();
            for a in &e.addrs {
                // An address nobody could dial is not worth keeping.
                if a.port() != 0 && !a.ip().is_unspecified() && !a.ip().is_multicast() && !addrs.contains(a) && !info.addrs.contains(a) {
                    addrs.push(*a);
                }
            }
            addrs.truncate(crate::wire::MAX_ADDRS_PER_DEVICE);
            let relay = e.relay.clone().filter(|r| info.relay.as_ref() != Some(r));
            if addrs.is_empty() && relay.is_none() {
                continue;
            }
            let older_than_mine = info.seen.is_some_and(|mine| seen.is_none_or(|s| s <= mine));
            let older_than_heard = info.heard.as_ref().is_some_and(|h| seen < h.seen);
            if older_than_mine || older_than_heard {
                continue;
            }
            let heard = Heard { addrs, relay, seen, from: from.to_string() };
            if info.heard.as_ref() != Some(&heard) {
                info.heard = Some(heard);
                changed += 1;
            }
        }
        changed
    }

    /// What this device tells `to` about where the space's devices are: `me` (its own
    /// current addresses) first, then, for every other trusted device in `trusted`, what
    /// this book holds: the addresses it saw working itself, or else what it heard, with
    /// when they were seen working. Nothing about `to` itself, nothing `to` said (it knows),
    /// and nothing about devices this device does not trust.
    pub fn offer(&self, me: DeviceAddrs, to: &DeviceId, trusted: &[DeviceId]) -> Known {
        let mut devices = vec![me];
        for d in trusted.iter().filter(|d| *d != to) {
            let Some(info) = self.peers.get(d.as_str()) else { continue };
            let entry = if !info.addrs.is_empty() || info.relay.is_some() {
                DeviceAddrs { device: d.clone(), addrs: info.addrs.clone(), relay: info.relay.clone(), seen: info.seen }
            } else if let Some(h) = info.heard.as_ref().filter(|h| h.from != to.as_str()) {
                DeviceAddrs { device: d.clone(), addrs: h.addrs.clone(), relay: h.relay.clone(), seen: h.seen }
            } else {
                continue;
            };
            devices.push(entry);
        }
        devices.truncate(crate::wire::MAX_KNOWN_DEVICES);
        for d in &mut devices {
            d.addrs.truncate(crate::wire::MAX_ADDRS_PER_DEVICE);
        }
        Known { devices }
    }
}

/// What `space` tells `to` about where the space's devices are ([`Peers::offer`] over its
/// address book and its trusted devices).
pub fn offer_of<S: SharedSpace + ?Sized>(space: &S, me: DeviceAddrs, to: &DeviceId) -> Known {
    let trusted: Vec<DeviceId> = space.peers().into_iter().map(|(d, _)| d).collect();
    Peers::from_blob(space.load_blob(BLOB)).offer(me, to, &trusted)
}

/// Keeps in `space`'s address book what `from` said ([`Peers::hear`]); saves only when
/// something changed. Returns how many peers' entries changed.
pub fn keep_heard<S: SharedSpace + ?Sized>(space: &mut S, from: &DeviceId, learned: &[DeviceAddrs], now: i64) -> Result<usize, SpaceError> {
    let mut p = Peers::from_blob(space.load_blob(BLOB));
    let changed = p.hear(from, learned, now);
    if changed > 0 {
        space.save_blob(BLOB, &p.to_blob())?;
    }
    Ok(changed)
}
