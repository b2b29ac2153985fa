//! Where each peer was last reached, and how: kept in the profile's `sync/peers.json` (see
//! [`crate::peers`]), so the next run dials known addresses without discovery.

use crate::hub::Hub;
use crate::peers::{self, Link, Peers};
use crate::space::SharedSpace;
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
    pub(crate) fn known_addr(&self, peer: &DeviceId, id: EndpointId, endpoint: &Endpoint) -> EndpointAddr {
        let blob = self.with_space(|s| s.load_blob(peers::BLOB));
        let info = Peers::from_blob(blob).peers.remove(peer.as_str()).unwrap_or_default();
        let relays: Vec<RelayUrl> = match info.relay {
            Some(url) => vec![url],
            None => endpoint.addr().relay_urls().cloned().collect(),
        };
        EndpointAddr::from_parts(id, info.addrs.into_iter().map(TransportAddr::Ip).chain(relays.into_iter().map(TransportAddr::Relay)))
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
        self.update_peer(peer, |p| {
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
