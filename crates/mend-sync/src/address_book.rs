//! Where each peer was last reached, and how: kept in the profile's `sync/peers.json` (see
//! [`crate::peers`]), so the next run dials known addresses without discovery.

use crate::hub::Hub;
use crate::peers::{self, Link, Peers};
use crate::space::SharedSpace;
use crate::wire::{DeviceAddrs, Known};
use iroh::endpoint::Connection;
use iroh::{Endpoint, EndpointAddr, EndpointId, RelayUrl, TransportAddr};
use mend_core::DeviceId;
use std::net::SocketAddr;

/// How many addresses are kept per peer, newest first.
const KEEP: usize = 4;

impl<S: SharedSpace> Hub<S> {
    /// Where to dial a peer: the addresses it was reached at, and the relay it was reached
    /// through. When no relay is known, this device's own: a couple that runs its own relay
    /// shares it, so the peer is most likely there (with n0's relays, discovery finds it
    /// wherever it is).
    ///
    /// What another device said (hearsay) comes after what this device saw itself; iroh
    /// sends its first packets to all of them and keeps the path that answers.
    pub(crate) fn known_addr(&self, peer: &DeviceId, id: EndpointId, endpoint: &Endpoint) -> EndpointAddr {
        let blob = self.with_space(|s| s.load_blob(peers::BLOB));
        let info = Peers::from_blob(blob).peers.remove(peer.as_str()).unwrap_or_default();
        let mut addrs = info.addrs;
        let mut relays: Vec<RelayUrl> = info.relay.into_iter().collect();
        if let Some(h) = info.heard {
            addrs.extend(h.addrs.into_iter().filter(|a| !addrs.contains(a)).collect::<Vec<_>>());
            relays.extend(h.relay.filter(|r| !relays.contains(r)));
        }
        if relays.is_empty() {
            relays = endpoint.addr().relay_urls().cloned().collect();
        }
        EndpointAddr::from_parts(id, addrs.into_iter().map(TransportAddr::Ip).chain(relays.into_iter().map(TransportAddr::Relay)))
    }

    /// What this device tells `to` about where the space's devices are: its own addresses
    /// now, and what its address book holds for the other devices it trusts.
    pub(crate) fn offer_for(&self, to: &DeviceId, endpoint: &Endpoint) -> Known {
        let own = own_addr(endpoint);
        let now = crate::clock::now_ms();
        self.with_space(|space| {
            let me = DeviceAddrs {
                device: space.device(),
                addrs: own.ip_addrs().copied().collect(),
                relay: own.relay_urls().next().cloned(),
                seen: Some(now),
            };
            peers::offer_of(space, me, to)
        })
    }

    /// Keeps what `from` said about where trusted devices are, in the address book.
    /// Returns whether the book changed.
    pub(crate) fn hear(&self, from: &DeviceId, learned: &[DeviceAddrs]) -> bool {
        let now = crate::clock::now_ms();
        match self.with_space(|space| peers::keep_heard(space, from, learned, now)) {
            Ok(0) => false,
            Ok(n) => {
                tracing::info!(from = %from.short(), devices = n, "learned where devices of the space can be reached");
                true
            }
            // Only hints for the next dial, as the rest of the book.
            Err(e) => {
                tracing::debug!(error = %e, "address book not saved");
                false
            }
        }
    }

    pub(crate) fn update_peer(&self, peer: &DeviceId, f: impl FnOnce(&mut peers::PeerInfo)) {
        self.with_space(|space| {
            let mut p = Peers::from_blob(space.load_blob(peers::BLOB));
            f(p.peers.entry(peer.to_string()).or_default());
            // Only a hint for the next dial: without it the peer is found again as the
            // first time (its ticket's address, or discovery).
            if let Err(e) = space.save_blob(peers::BLOB, &p.to_blob()) {
                tracing::debug!(error = %e, "address book not saved");
            }
        });
    }

    /// Notes the path a connection took, for the next dial and for the status.
    pub(crate) fn remember(&self, peer: &DeviceId, conn: &Connection) -> Link {
        let (addr, link) = selected_path(conn);
        let now = crate::clock::now_ms();
        self.update_peer(peer, |p| {
            p.seen = Some(now);
            match addr {
                Some(TransportAddr::Ip(a)) => {
                    p.addrs.retain(|x| *x != a);
                    p.addrs.insert(0, a);
                    p.addrs.truncate(KEEP);
                }
                Some(TransportAddr::Relay(url)) => p.relay = Some(url),
                _ => {}
            }
            p.link = Some(link);
        });
        link
    }

    /// Notes a new path if the connection moved to one: a link that started on the relay
    /// turns direct once iroh opens a direct path, and the status says so.
    pub(crate) fn follow_path(&self, peer: &DeviceId, conn: &Connection, link: &mut Link) {
        let now = selected_path(conn).1;
        if now != *link {
            *link = self.remember(peer, conn);
            self.emit(crate::hub::Event::LinkChanged { peer: peer.clone(), name: self.peer_name(peer), link: *link });
        }
    }

    /// Remembers where an invitation says its device is: its addresses and its relay.
    pub fn remember_endpoint_addr(&self, peer: &DeviceId, addr: &EndpointAddr) {
        self.remember_addrs(peer, addr.ip_addrs().copied());
        if let Some(url) = addr.relay_urls().next().cloned() {
            self.update_peer(peer, |p| p.relay = Some(url));
        }
    }

    /// Remembers where a peer can be reached (from a ticket, say).
    pub fn remember_addrs(&self, peer: &DeviceId, addrs: impl IntoIterator<Item = SocketAddr>) {
        let addrs: Vec<SocketAddr> = addrs.into_iter().collect();
        self.update_peer(peer, |p| {
            for a in addrs.into_iter().rev() {
                p.addrs.retain(|x| *x != a);
                p.addrs.insert(0, a);
            }
            p.addrs.truncate(KEEP);
        });
    }
}

/// This device's own addresses: what iroh reports, and the sockets it is bound to, as an
/// invitation carries them (a device bound to one address, such as 127.0.0.1 in local-only
/// mode, is reached there).
pub(crate) fn own_addr(endpoint: &Endpoint) -> EndpointAddr {
    let mut addr = endpoint.addr();
    for s in endpoint.bound_sockets() {
        if !s.ip().is_unspecified() {
            addr = addr.with_ip_addr(s);
        }
    }
    addr
}

fn selected_path(conn: &Connection) -> (Option<TransportAddr>, Link) {
    let paths = conn.paths();
    let chosen = paths.iter().find(|p| p.is_selected());
    match chosen {
        Some(p) => {
            let link = if p.remote_addr().is_ip() { Link::Direct } else { Link::Relay };
            (Some(p.remote_addr().clone()), link)
        }
        None => (None, Link::Direct),
    }
}
