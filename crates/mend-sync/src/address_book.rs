//! Where each peer was last reached, and how: kept in the profile's `sync/peers.json` (see
//! [`crate::peers`]), so the next run dials known addresses without discovery.

use crate::hub::Hub;
use crate::peers::{self, Link, Peers};
use crate::space::SharedSpace;
use iroh::TransportAddr;
use iroh::endpoint::Connection;
use mend_core::DeviceId;
use std::net::SocketAddr;

/// How many addresses are kept per peer, newest first.
const KEEP: usize = 4;

impl<S: SharedSpace> Hub<S> {
    pub(crate) fn known_addrs(&self, peer: &DeviceId) -> Vec<SocketAddr> {
        let blob = self.with_space(|s| s.load_blob(peers::BLOB));
        Peers::from_blob(blob).peers.get(peer.as_str()).map(|p| p.addrs.clone()).unwrap_or_default()
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
            if let Some(a) = addr {
                p.addrs.retain(|x| *x != a);
                p.addrs.insert(0, a);
                p.addrs.truncate(KEEP);
            }
            p.link = Some(link);
        });
        link
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

fn selected_path(conn: &Connection) -> (Option<SocketAddr>, Link) {
    let paths = conn.paths();
    let chosen = paths.iter().find(|p| p.is_selected());
    match chosen {
        Some(p) => match p.remote_addr() {
            TransportAddr::Ip(a) => (Some(*a), Link::Direct),
            _ => (None, Link::Relay),
        },
        None => (None, Link::Direct),
    }
}
