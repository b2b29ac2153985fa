//! The async shell around the IO-free protocol: accepting and dialing connections, driving a
//! [`Session`] per connection, pairing, reconnecting with backoff, and pushing local changes.
//! Locks on the space are held only between awaits, never across one.

use crate::error::SyncError;
use crate::frame;
use crate::invite::Invitations;
use crate::peers::{self, Link, Peers};
use crate::session::{Session, SessionError};
use crate::space::SharedSpace;
use crate::ticket::{Role, Ticket};
use crate::wire::{Msg, PairAccept, PairRequest};
use crate::{PAIR_ALPN, SYNC_ALPN};
use iroh::endpoint::{Connection, ReadExactError, RecvStream, SendStream, VarInt};
use iroh::protocol::{AcceptError, ProtocolHandler, Router};
use iroh::{Endpoint, EndpointAddr, PublicKey, TransportAddr};
use mend_core::{DeviceId, PartnerId};
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// What happened, for the CLI's log lines and the GUI's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Connected {
        peer: DeviceId,
        name: String,
        link: Link,
    },
    /// Both devices hold the same document now.
    InStep {
        peer: DeviceId,
        name: String,
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

/// Pairing requests come from strangers: they get small frames.
const MAX_PAIR_FRAME: usize = 64 << 10;
const INVITES: &str = "invites.json";

fn state_blob(peer: &DeviceId) -> String {
    format!("state-{peer}.bin")
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub fn now_secs() -> u64 {
    (now_ms() / 1000).max(0) as u64
}

fn lock<S>(m: &Mutex<S>) -> MutexGuard<'_, S> {
    // A panic elsewhere must not take sync down with it: the data behind is still whole.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

pub struct Hub<S: SharedSpace> {
    space: Arc<Mutex<S>>,
    events: mpsc::UnboundedSender<Event>,
    changes: watch::Sender<u64>,
    live: Mutex<HashMap<DeviceId, Vec<Connection>>>,
    /// Peers whose live session reached the same document: only those reset their dial
    /// backoff, so a peer whose every session is refused is not redialled in a tight loop.
    in_step: Mutex<HashSet<DeviceId>>,
}

impl<S: SharedSpace> std::fmt::Debug for Hub<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hub")
    }
}

impl<S: SharedSpace> Hub<S> {
    pub fn new(space: Arc<Mutex<S>>, events: mpsc::UnboundedSender<Event>) -> Arc<Hub<S>> {
        Arc::new(Hub { space, events, changes: watch::channel(0).0, live: Mutex::new(HashMap::new()), in_step: Mutex::new(HashSet::new()) })
    }

    pub fn space(&self) -> &Arc<Mutex<S>> {
        &self.space
    }

    fn emit(&self, e: Event) {
        let _ = self.events.send(e);
    }

    /// Tells every live session that the document changed (a local action, another
    /// process, another peer), so each sends what its peer lacks.
    pub fn notify_change(&self) {
        self.changes.send_modify(|n| *n = n.wrapping_add(1));
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
                for c in conns.drain(..) {
                    c.close(VarInt::from_u32(2), b"this device was removed from the space");
                }
            }
        }
    }

    /// The handlers this device answers with: sync for trusted devices, pairing for holders
    /// of an open invitation.
    pub fn router(self: &Arc<Self>, endpoint: Endpoint) -> Router {
        Router::builder(endpoint).accept(SYNC_ALPN, SyncHandler(self.clone())).accept(PAIR_ALPN, PairHandler(self.clone())).spawn()
    }

    fn peer_name(&self, peer: &DeviceId) -> String {
        lock(&self.space).peers().into_iter().find(|(d, _)| d == peer).map(|(_, n)| n).unwrap_or_else(|| format!("device {}", peer.short()))
    }

    fn update_peer(&self, peer: &DeviceId, f: impl FnOnce(&mut peers::PeerInfo)) {
        let mut space = lock(&self.space);
        let mut p = Peers::from_blob(space.load_blob(peers::BLOB));
        f(p.peers.entry(peer.to_string()).or_default());
        let _ = space.save_blob(peers::BLOB, &p.to_blob());
    }

    fn remember(&self, peer: &DeviceId, conn: &Connection) -> Link {
        let (addr, link) = selected_path(conn);
        self.update_peer(peer, |p| {
            if let Some(a) = addr {
                p.addrs.retain(|x| *x != a);
                p.addrs.insert(0, a);
                p.addrs.truncate(4);
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
            p.addrs.truncate(4);
        });
    }

    fn register(&self, peer: &DeviceId, conn: &Connection) {
        lock(&self.live).entry(peer.clone()).or_default().push(conn.clone());
    }

    fn unregister(&self, peer: &DeviceId, conn: &Connection) {
        let mut live = lock(&self.live);
        if let Some(v) = live.get_mut(peer) {
            v.retain(|c| c.stable_id() != conn.stable_id());
            if v.is_empty() {
                lock(&self.in_step).remove(peer);
            }
        }
    }

    /// Drives one session on an open stream until it ends.
    async fn drive(
        &self,
        conn: &Connection,
        mut send: SendStream,
        mut recv: RecvStream,
        peer: &DeviceId,
        initiator: bool,
        live: bool,
    ) -> Result<(), SyncError> {
        let name = self.peer_name(peer);
        let (saved, schema, refreshed) = {
            let mut s = lock(&self.space);
            // Another process on this profile may have saved a change since the last poll:
            // a session that starts from older heads lets a one-off peer take them for being
            // in step, and leave without that change.
            let refreshed = s.refresh().unwrap_or(false);
            (s.load_blob(&state_blob(peer)), s.schema_version(), refreshed)
        };
        if refreshed {
            self.notify_change();
        }
        let mut session = Session::new(saved.as_deref());
        let mut changes = self.changes.subscribe();
        let who = || name.clone();
        let cut = |e: String| SyncError::Connection { who: who(), why: e };
        write(&mut send, &Session::hello(schema)).await.map_err(cut)?;
        let mut reported = false;
        let result = loop {
            tokio::select! {
                m = read_msg(&mut recv, frame::MAX_FRAME) => {
                    let msg = match m {
                        Ok(Some(m)) => m,
                        Ok(None) => break Ok(()),
                        Err(e) => {
                            let _ = write(&mut send, &Msg::Error(SessionError::Malformed(e.clone()).for_peer())).await;
                            linger(&mut send).await;
                            conn.close(VarInt::from_u32(3), b"protocol error");
                            break Err(SyncError::Protocol(format!("{} sent something Mend does not understand ({e}); disconnected it without applying that message", who())));
                        }
                    };
                    let handled = {
                        let mut space = lock(&self.space);
                        if space.is_trusted(peer) { Some(session.handle(&mut *space, msg)) } else { None }
                    };
                    let handled = match handled {
                        Some(h) => h,
                        None => break Err(SyncError::Refused(format!("{} is no longer a trusted device", who()))),
                    };
                    match handled {
                        Ok(h) => {
                            let mut failed = None;
                            for r in &h.replies {
                                if let Err(e) = write(&mut send, r).await {
                                    failed = Some(e);
                                    break;
                                }
                            }
                            if let Some(e) = failed {
                                break Err(cut(e));
                            }
                            if h.changed {
                                reported = false;
                                self.notify_change();
                            }
                        }
                        Err(SessionError::Remote(why)) => break Err(SyncError::Refused(why)),
                        Err(SessionError::Refused(why)) => {
                            let me = lock(&self.space).device_name();
                            let _ = write(&mut send, &Msg::Error(crate::session::refused_reply(&me, &why))).await;
                            linger(&mut send).await;
                            conn.close(VarInt::from_u32(4), b"changes refused");
                            break Err(SyncError::Refused(crate::session::refused_note(&who(), &why)));
                        }
                        Err(e) => {
                            let _ = write(&mut send, &Msg::Error(e.for_peer())).await;
                            linger(&mut send).await;
                            conn.close(VarInt::from_u32(3), b"protocol error");
                            break Err(SyncError::Protocol(e.to_string()));
                        }
                    }
                    if session.peer_done {
                        break Ok(());
                    }
                    let in_step = session.in_step(&mut *lock(&self.space));
                    if in_step && !reported {
                        reported = true;
                        let at = now_ms();
                        self.update_peer(peer, |p| { p.last_synced = Some(at); p.last_error = None; });
                        let state = session.state_bytes();
                        let _ = lock(&self.space).save_blob(&state_blob(peer), &state);
                        lock(&self.in_step).insert(peer.clone());
                        self.emit(Event::InStep { peer: peer.clone(), name: who() });
                    }
                    if in_step && initiator && !live {
                        let _ = write(&mut send, &Msg::Done).await;
                        break Ok(());
                    }
                }
                r = changes.changed(), if live => {
                    if r.is_err() {
                        break Ok(());
                    }
                    let out = {
                        let mut space = lock(&self.space);
                        if !space.is_trusted(peer) {
                            None
                        } else {
                            Some(session.local_change(&mut *space))
                        }
                    };
                    let Some(out) = out else {
                        conn.close(VarInt::from_u32(2), b"this device was removed from the space");
                        break Err(SyncError::Refused(format!("{} was removed from the space; disconnected it", who())));
                    };
                    if !out.is_empty() {
                        reported = false;
                    }
                    for m in &out {
                        if let Err(e) = write(&mut send, m).await {
                            return Err(cut(e));
                        }
                    }
                }
            }
        };
        let state = session.state_bytes();
        let _ = lock(&self.space).save_blob(&state_blob(peer), &state);
        linger(&mut send).await;
        result
    }

    /// Connects to one trusted peer and syncs: until in step (`live == false`), or for as long
    /// as both stay up (`live == true`).
    pub async fn dial(&self, endpoint: &Endpoint, peer: &DeviceId, live: bool) -> Result<(), SyncError> {
        let name = self.peer_name(peer);
        let id = parse_device(peer).ok_or_else(|| SyncError::Protocol(format!("{peer} is not a device id")))?;
        let known = Peers::from_blob(lock(&self.space).load_blob(peers::BLOB)).peers.get(peer.as_str()).map(|p| p.addrs.clone()).unwrap_or_default();
        let addr = EndpointAddr::from_parts(id, known.into_iter().map(TransportAddr::Ip));
        let conn = endpoint.connect(addr, SYNC_ALPN).await.map_err(|e| SyncError::Unreachable { who: name.clone(), why: e.to_string() })?;
        let link = self.remember(peer, &conn);
        self.emit(Event::Connected { peer: peer.clone(), name: name.clone(), link });
        self.register(peer, &conn);
        let r = match conn.open_bi().await {
            Ok((send, recv)) => self.drive(&conn, send, recv, peer, true, live).await,
            Err(e) => Err(SyncError::Connection { who: name.clone(), why: e.to_string() }),
        };
        self.unregister(peer, &conn);
        if !live {
            conn.close(VarInt::from_u32(0), b"in step");
        }
        r
    }

    /// Syncs once with every trusted peer it can reach; returns each peer's outcome.
    pub async fn sync_once(self: &Arc<Self>, endpoint: &Endpoint, timeout: Duration) -> Vec<(DeviceId, String, Result<(), SyncError>)> {
        let peers = lock(&self.space).peers();
        let mut tasks = Vec::new();
        for (peer, name) in peers {
            let hub = self.clone();
            let ep = endpoint.clone();
            tasks.push(tokio::spawn(async move {
                let r = match tokio::time::timeout(timeout, hub.dial(&ep, &peer, false)).await {
                    Ok(r) => r,
                    Err(_) => Err(SyncError::Timeout { who: name.clone(), secs: timeout.as_secs() }),
                };
                if let Err(e) = &r {
                    let why = e.to_string();
                    hub.update_peer(&peer, |p| p.last_error = Some(why));
                }
                (peer, name, r)
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            if let Ok(r) = t.await {
                out.push(r);
            }
        }
        out
    }

    /// Keeps this device online until `shutdown` resolves: answers peers, dials the ones not
    /// connected (with backoff), and pushes changes made by any process on this profile.
    pub async fn serve(self: &Arc<Self>, endpoint: Endpoint, shutdown: impl std::future::Future<Output = ()>) {
        let router = self.router(endpoint.clone());
        let hub = self.clone();
        let poll = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let changed = lock(&hub.space).refresh().unwrap_or(false);
                if changed {
                    hub.drop_revoked();
                    hub.notify_change();
                }
            }
        });
        let hub = self.clone();
        let ep = endpoint.clone();
        let dial = tokio::spawn(async move {
            let mut next: HashMap<DeviceId, (Instant, u32)> = HashMap::new();
            let dialing: Arc<Mutex<HashSet<DeviceId>>> = Arc::default();
            loop {
                let peers = lock(&hub.space).peers();
                for (peer, _) in peers {
                    let (at, _) = next.get(&peer).copied().unwrap_or((Instant::now(), 0));
                    if hub.is_live(&peer) || lock(&dialing).contains(&peer) || Instant::now() < at {
                        continue;
                    }
                    lock(&dialing).insert(peer.clone());
                    let (h, e, d) = (hub.clone(), ep.clone(), dialing.clone());
                    let failures = next.get(&peer).map(|x| x.1).unwrap_or(0);
                    // Backoff: 1 s, 2 s, 4 s … up to a minute between attempts.
                    next.insert(peer.clone(), (Instant::now() + Duration::from_secs((1u64 << failures.min(6)).min(60)), failures + 1));
                    tokio::spawn(async move {
                        let name = h.peer_name(&peer);
                        match h.dial(&e, &peer, true).await {
                            Ok(()) => h.emit(Event::Disconnected { peer: peer.clone(), name, why: "closed".into() }),
                            Err(SyncError::Unreachable { why, .. }) => h.emit(Event::Unreachable { peer: peer.clone(), name, why }),
                            Err(err) => h.emit(Event::Disconnected { peer: peer.clone(), name, why: err.to_string() }),
                        }
                        lock(&d).remove(&peer);
                    });
                }
                // A peer that got connected and in step resets its backoff; one merely
                // connected may be refused again at once (its changes could not be kept).
                next.retain(|p, _| !(hub.is_live(p) && lock(&hub.in_step).contains(p)));
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        });
        shutdown.await;
        poll.abort();
        dial.abort();
        let _ = router.shutdown().await;
        endpoint.close().await;
    }

    /// Opens an invitation and returns its ticket (shown as text and QR code).
    pub fn invite(&self, endpoint: &Endpoint, role: Role, valid_secs: u64) -> Result<Ticket, SyncError> {
        let now = now_secs();
        let mut addr = endpoint.addr();
        for s in endpoint.bound_sockets() {
            if !s.ip().is_unspecified() {
                addr = addr.with_ip_addr(s);
            }
        }
        // A partner invitation in a space that has both partners already is how one partner
        // brings the other back after that partner's device lost its key: the join is then
        // accepted only for the partner who is already here (check_pairing), never for a third.
        let mut space = lock(&self.space);
        let ticket = Ticket::new(addr, role, space.partner_name(), valid_secs, now);
        let mut inv: Invitations = space.load_blob(INVITES).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        inv.add(&ticket.secret, role, ticket.expires_at, now);
        space.save_blob(INVITES, &serde_json::to_vec_pretty(&inv).unwrap_or_default())?;
        Ok(ticket)
    }

    async fn answer_pairing(&self, conn: Connection) -> Result<(), SyncError> {
        let joiner = DeviceId::from_public_key(conn.remote_id().as_bytes());
        let (mut send, mut recv) =
            conn.accept_bi().await.map_err(|e| SyncError::Connection { who: "a joining device".into(), why: e.to_string() })?;
        let req = match read_msg(&mut recv, MAX_PAIR_FRAME).await {
            Ok(Some(Msg::PairRequest(r))) => r,
            Ok(_) => return Err(SyncError::Protocol("a joining device sent no pairing request".into())),
            Err(e) => {
                let _ = write(&mut send, &Msg::PairReject(e.clone())).await;
                return Err(SyncError::Protocol(e));
            }
        };
        let verdict = self.check_pairing(&joiner, &req);
        match verdict {
            Err(why) => {
                self.emit(Event::PairRefused { why: why.clone() });
                let _ = write(&mut send, &Msg::PairReject(why.clone())).await;
                let _ = send.finish();
                // Give the refusal time to arrive before the connection goes.
                let _ = tokio::time::timeout(Duration::from_secs(5), read_msg(&mut recv, MAX_PAIR_FRAME)).await;
                Err(SyncError::Refused(why))
            }
            Ok((accept, role)) => {
                self.remember(&joiner, &conn);
                let _ = write(&mut send, &Msg::PairAccept(accept)).await;
                let _ = send.finish();
                self.emit(Event::Paired { device: joiner, name: req.device_name.clone(), role });
                self.notify_change();
                let _ = tokio::time::timeout(Duration::from_secs(10), read_msg(&mut recv, MAX_PAIR_FRAME)).await;
                Ok(())
            }
        }
    }

    fn check_pairing(&self, joiner: &DeviceId, req: &PairRequest) -> Result<(PairAccept, Role), String> {
        let mut space = lock(&self.space);
        let mut inv: Invitations = space.load_blob(INVITES).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
        let role = inv.redeem(&req.secret, now_secs()).map_err(|r| r.to_string());
        // A used secret stays used even if what follows fails.
        space.save_blob(INVITES, &serde_json::to_vec_pretty(&inv).unwrap_or_default()).map_err(|e| e.to_string())?;
        let role = role?;
        if role != req.role {
            return Err("that invitation was made for a different kind of device: ask for a new one".into());
        }
        let partner = match role {
            Role::OwnDevice => space.partner(),
            Role::Partner => {
                let p = req.partner.clone().ok_or("joining as a partner needs a profile with your name: run `mend init --name NAME` first")?;
                let p = PartnerId::from_key(&p);
                if p == space.partner() {
                    return Err("that device belongs to you: invite it with --as own-device".into());
                }
                if space.partner_count() >= 2 && !space.has_partner(&p) {
                    return Err("this space already has two partners: an invitation as a partner can only bring back a device of the partner who is already here".into());
                }
                p
            }
        };
        space.trust(joiner, &partner, &req.device_name).map_err(|e| e.to_string())?;
        Ok((
            PairAccept { partner: partner.to_string(), inviter_partner: space.partner().to_string(), inviter_device_name: space.device_name() },
            role,
        ))
    }
}

/// The joining side of pairing: presents the ticket's secret and learns the outcome.
pub async fn request_pairing(endpoint: &Endpoint, ticket: &Ticket, req: PairRequest) -> Result<PairAccept, SyncError> {
    let who = format!("{}'s device", ticket.inviter);
    let unreachable = |why: String| SyncError::Unreachable {
        who: who.clone(),
        why: format!(
            "{why}. Check that `mend pair invite` is still running there, that both devices are on the same network, and that the invitation is not used or expired"
        ),
    };
    let conn = tokio::time::timeout(Duration::from_secs(20), endpoint.connect(ticket.addr.clone(), PAIR_ALPN))
        .await
        .map_err(|_| unreachable("no answer within 20 s".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    let (mut send, mut recv) = conn.open_bi().await.map_err(|e| unreachable(e.to_string()))?;
    write(&mut send, &Msg::PairRequest(req)).await.map_err(unreachable)?;
    let reply = tokio::time::timeout(Duration::from_secs(30), read_msg(&mut recv, MAX_PAIR_FRAME))
        .await
        .map_err(|_| SyncError::Timeout { who: who.clone(), secs: 30 })?;
    let _ = send.finish();
    let out = match reply {
        Ok(Some(Msg::PairAccept(a))) => Ok(a),
        Ok(Some(Msg::PairReject(why))) => Err(SyncError::Refused(format!("{who} refused: {why}"))),
        Ok(_) => Err(SyncError::Protocol(format!("{who} did not answer the pairing request"))),
        Err(e) => Err(SyncError::Protocol(e)),
    };
    conn.close(VarInt::from_u32(0), b"paired");
    out
}

pub fn parse_device(d: &DeviceId) -> Option<PublicKey> {
    let bytes: [u8; 32] = hex::decode(d.as_str()).ok()?.try_into().ok()?;
    PublicKey::from_bytes(&bytes).ok()
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

/// Finishes our side and waits (briefly) until the peer has read it: closing the connection
/// before that would throw away the last frames, such as an error telling the peer why.
async fn linger(send: &mut SendStream) {
    let _ = send.finish();
    let _ = tokio::time::timeout(Duration::from_secs(2), send.stopped()).await;
}

async fn write(send: &mut SendStream, m: &Msg) -> Result<(), String> {
    let bytes = m.encode();
    crate::tap::record(crate::tap::Dir::Sent, &bytes);
    send.write_all(&bytes).await.map_err(|e| e.to_string())
}

/// Reads one message; None when the peer finished the stream cleanly between frames.
async fn read_msg(recv: &mut RecvStream, max: usize) -> Result<Option<Msg>, String> {
    let mut header = [0u8; 4];
    match recv.read_exact(&mut header).await {
        Ok(()) => {}
        Err(ReadExactError::FinishedEarly(0)) => return Ok(None),
        Err(e) => return Err(format!("the stream broke ({e})")),
    }
    let len = frame::check_len(header).map_err(|e| e.to_string())?;
    if len > max {
        return Err(frame::FrameError::TooLarge(len).to_string());
    }
    let mut body = vec![0u8; len];
    recv.read_exact(&mut body).await.map_err(|e| format!("the stream broke mid-message ({e})"))?;
    let mut whole = header.to_vec();
    whole.extend_from_slice(&body);
    crate::tap::record(crate::tap::Dir::Received, &whole);
    let tag = body[0];
    body.remove(0);
    Msg::decode(tag, body).map(Some).map_err(|e| e.to_string())
}

struct SyncHandler<S: SharedSpace>(Arc<Hub<S>>);
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
        let link = hub.remember(&peer, &conn);
        hub.emit(Event::Connected { peer: peer.clone(), name: name.clone(), link });
        hub.register(&peer, &conn);
        let r = match conn.accept_bi().await {
            Ok((send, recv)) => hub.drive(&conn, send, recv, &peer, false, true).await,
            Err(e) => Err(SyncError::Connection { who: name.clone(), why: e.to_string() }),
        };
        hub.unregister(&peer, &conn);
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
        let _ = self.0.answer_pairing(conn).await;
        Ok(())
    }
}
