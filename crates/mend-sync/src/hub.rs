//! The hub: one per running node. It holds the space, the live connections, and the two
//! channels of the node: sessions learn of changes through it, and the node's owner learns
//! what happened ([`Event`]).

use crate::space::SharedSpace;
use crate::ticket::Role;
use crate::{PAIR_ALPN, SYNC_ALPN};
use iroh::Endpoint;
use iroh::endpoint::{Connection, VarInt};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use mend_core::DeviceId;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{Notify, mpsc, watch};

/// What happened, for the CLI's log lines and the window's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The shared document changed under this node: a peer's changes arrived, or another
    /// process on this profile saved some.
    Changed,
    Connected {
        peer: DeviceId,
        name: String,
        link: crate::peers::Link,
    },
    /// Both devices hold the same document now.
    InStep {
        peer: DeviceId,
        name: String,
    },
    /// A live connection moved to another path: relayed to direct once a direct path
    /// opened, or back to the relay when it closed.
    LinkChanged {
        peer: DeviceId,
        name: String,
        link: crate::peers::Link,
    },
    Disconnected {
        peer: DeviceId,
        name: String,
        why: String,
    },
    Unreachable {
        peer: DeviceId,
        name: String,
        why: String,
    },
    /// A device that is not trusted (or no longer) tried to sync and was refused.
    Refused {
        peer: String,
        why: String,
    },
    Paired {
        device: DeviceId,
        name: String,
        role: Role,
    },
    PairRefused {
        why: String,
    },
}

pub(crate) fn lock<S>(m: &Mutex<S>) -> MutexGuard<'_, S> {
    // A panic elsewhere must not take sync down with it: the data behind is still whole.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs work that touches the disk (an fsync, reading a profile) without stalling the async
/// workers: on a multi-threaded runtime the worker hands its other tasks on first.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        // A single-threaded runtime (tests) has no other worker to hand to.
        _ => f(),
    }
}

pub struct Hub<S: SharedSpace> {
    pub(crate) space: Arc<Mutex<S>>,
    events: mpsc::UnboundedSender<Event>,
    pub(crate) changes: watch::Sender<u64>,
    /// Each peer's live connections, and for each whether this device dialled it.
    live: Mutex<HashMap<DeviceId, Vec<(Connection, bool)>>>,
    /// Connections this device closed because the peer had dialled at the same moment (see
    /// [`Hub::register`]): their end is not news.
    superseded: Mutex<HashSet<usize>>,
    /// Peers whose live session reached the same document: only those reset their dial
    /// backoff, so a peer whose every session is refused is not redialled in a tight loop.
    pub(crate) in_step: Mutex<HashSet<DeviceId>>,
    /// Wakes the dialer when there may be someone new to dial: a connection ended, or the
    /// document (and with it the trusted devices) changed. Between those it sleeps.
    pub(crate) dial_wake: Notify,
}

impl<S: SharedSpace> std::fmt::Debug for Hub<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hub")
    }
}

impl<S: SharedSpace> Hub<S> {
    pub fn new(space: Arc<Mutex<S>>, events: mpsc::UnboundedSender<Event>) -> Arc<Hub<S>> {
        Arc::new(Hub {
            space,
            events,
            changes: watch::channel(0).0,
            live: Mutex::new(HashMap::new()),
            superseded: Mutex::new(HashSet::new()),
            in_step: Mutex::new(HashSet::new()),
            dial_wake: Notify::new(),
        })
    }

    pub fn space(&self) -> &Arc<Mutex<S>> {
        &self.space
    }

    /// Work on the space that may touch the disk, off the async workers (see [`blocking`]).
    pub(crate) fn with_space<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        blocking(|| f(&mut lock(&self.space)))
    }

    pub(crate) fn emit(&self, e: Event) {
        // Nobody listening (a one-off sync drops its receiver): the event has no reader.
        let _ = self.events.send(e);
    }

    /// Tells every live session that the document changed (a local action, another
    /// process, another peer), so each sends what its peer lacks.
    pub fn notify_change(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
        self.dial_wake.notify_one();
    }

    /// Picks up what another process saved to this profile: if anything, every session
    /// sends it on, devices removed there are cut off, and the owner hears of it. Returns
    /// whether the document changed.
    pub fn refresh(&self) -> Result<bool, crate::SpaceError> {
        let changed = self.with_space(|s| s.refresh())?;
        if changed {
            self.drop_revoked();
            self.notify_change();
            self.emit(Event::Changed);
        }
        Ok(changed)
    }

    /// The devices connected to this one now.
    pub fn live_peers(&self) -> Vec<DeviceId> {
        lock(&self.live).iter().filter(|(_, c)| !c.is_empty()).map(|(d, _)| d.clone()).collect()
    }

    pub fn is_live(&self, peer: &DeviceId) -> bool {
        lock(&self.live).get(peer).is_some_and(|v| !v.is_empty())
    }

    /// Closes every connection of devices that are no longer trusted.
    pub fn drop_revoked(&self) {
        let space = lock(&self.space);
        let mut live = lock(&self.live);
        for (peer, conns) in live.iter_mut() {
            if !space.is_trusted(peer) {
                for (c, _) in conns.drain(..) {
                    c.close(VarInt::from_u32(2), b"this device was removed from the space");
                }
            }
        }
    }

    /// The handlers this device answers with: sync for trusted devices, pairing for holders
    /// of an open invitation.
    pub fn router(self: &Arc<Self>, endpoint: Endpoint) -> Router {
        Router::builder(endpoint.clone()).accept(SYNC_ALPN, SyncHandler(self.clone(), endpoint)).accept(PAIR_ALPN, PairHandler(self.clone())).spawn()
    }

    pub(crate) fn peer_name(&self, peer: &DeviceId) -> String {
        lock(&self.space).peers().into_iter().find(|(d, _)| d == peer).map(|(_, n)| n).unwrap_or_else(|| format!("device {}", peer.short()))
    }

    /// Takes a new connection into the live set. Two devices that dial each other at the
    /// same moment get two connections; each side keeps the one dialled by the device with
    /// the smaller id and closes the other, so both keep the same one without a word
    /// between them. Returns false when the new connection is the one to let go (it is
    /// closed already).
    pub(crate) fn register(&self, peer: &DeviceId, conn: &Connection, dialled: bool) -> bool {
        let me = lock(&self.space).device();
        let wins = dialled == (me < *peer);
        let mut live = lock(&self.live);
        let conns = live.entry(peer.clone()).or_default();
        if conns.iter().any(|(_, d)| *d != dialled) {
            if !wins {
                // Its caller is told here, and never drives it: nothing to note.
                conn.close(VarInt::from_u32(SUPERSEDED), b"already connected");
                return false;
            }
            let mut gone = lock(&self.superseded);
            for (c, _) in conns.iter().filter(|(_, d)| *d != dialled) {
                gone.insert(c.stable_id());
                c.close(VarInt::from_u32(SUPERSEDED), b"already connected");
            }
            conns.retain(|(_, d)| *d == dialled);
        }
        conns.push((conn.clone(), dialled));
        true
    }

    /// Whether `conn` ended because the two devices dialled each other at once (closed here,
    /// or by the peer for that reason): nothing went wrong, and the other connection goes on.
    pub(crate) fn was_superseded(&self, conn: &Connection) -> bool {
        let here = lock(&self.superseded).remove(&conn.stable_id());
        let there = matches!(conn.close_reason(), Some(iroh::endpoint::ConnectionError::ApplicationClosed(c)) if c.error_code == VarInt::from_u32(SUPERSEDED));
        here || there
    }

    pub(crate) fn unregister(&self, peer: &DeviceId, conn: &Connection) {
        let mut live = lock(&self.live);
        if let Some(v) = live.get_mut(peer) {
            v.retain(|(c, _)| c.stable_id() != conn.stable_id());
            if v.is_empty() {
                lock(&self.in_step).remove(peer);
            }
        }
        drop(live);
        self.dial_wake.notify_one();
    }

    /// How many live connections this device has with `peer` (one, once two devices that
    /// dialled each other at once have settled).
    pub fn connections_to(&self, peer: &DeviceId) -> usize {
        lock(&self.live).get(peer).map_or(0, Vec::len)
    }
}

/// The close code of a connection let go because the two devices dialled each other at once.
const SUPERSEDED: u32 = 5;

/// The endpoint is kept to tell peers this device's own addresses.
struct SyncHandler<S: SharedSpace>(Arc<Hub<S>>, Endpoint);
struct PairHandler<S: SharedSpace>(Arc<Hub<S>>);

impl<S: SharedSpace> std::fmt::Debug for SyncHandler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncHandler")
    }
}
impl<S: SharedSpace> std::fmt::Debug for PairHandler<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairHandler")
    }
}

impl<S: SharedSpace> ProtocolHandler for SyncHandler<S> {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        let hub = &self.0;
        let peer = DeviceId::from_public_key(conn.remote_id().as_bytes());
        // The allowlist is checked before a single byte of the document is sent.
        if !lock(&hub.space).is_trusted(&peer) {
            hub.emit(Event::Refused { peer: peer.to_string(), why: "not a trusted device of this space".into() });
            conn.close(VarInt::from_u32(1), b"not a trusted device of this space");
            return Ok(());
        }
        let name = hub.peer_name(&peer);
        if !hub.register(&peer, &conn, false) {
            return Ok(());
        }
        let link = hub.remember(&peer, &conn);
        hub.emit(Event::Connected { peer: peer.clone(), name: name.clone(), link });
        let r = match conn.accept_bi().await {
            Ok((send, recv)) => hub.drive(&self.1, &conn, send, recv, &peer, false, true, link).await,
            Err(e) => Err(crate::SyncError::Connection { who: name.clone(), why: e.to_string() }),
        };
        hub.unregister(&peer, &conn);
        if hub.was_superseded(&conn) {
            return Ok(());
        }
        let why = match r {
            Ok(()) => "closed".to_owned(),
            Err(e) => e.to_string(),
        };
        hub.emit(Event::Disconnected { peer, name, why });
        Ok(())
    }
}

impl<S: SharedSpace> ProtocolHandler for PairHandler<S> {
    async fn accept(&self, conn: Connection) -> Result<(), AcceptError> {
        // What went wrong was told to the joining device and, for a refusal, emitted as an
        // event; a stranger's broken attempt needs no more than that.
        if let Err(e) = self.0.answer_pairing(conn).await {
            tracing::info!(error = %e, "a pairing attempt ended without pairing");
        }
        Ok(())
    }
}
