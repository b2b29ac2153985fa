//! One session on one open stream, until it ends: the IO-free [`Session`] fed with what
//! the peer sends and with this profile's own changes, its replies written back.

use crate::error::SyncError;
use crate::frame;
use crate::hub::{Event, Hub, lock};
use crate::peers::Link;
use crate::session::{Session, SessionError};
use crate::space::SharedSpace;
use crate::stream::{self, Incoming, ReadError};
use crate::wire::Msg;
use iroh::Endpoint;
use iroh::endpoint::{Connection, RecvStream, SendStream, VarInt};
use mend_core::DeviceId;
use n0_future::StreamExt as _;

pub(crate) fn state_blob(peer: &DeviceId) -> String {
    format!("state-{peer}.bin")
}

impl<S: SharedSpace> Hub<S> {
    /// Drives one session on an open stream until it ends. `live`: stay for as long as
    /// both are up, sending local changes as they are made; otherwise stop once in step.
    /// `link` is the path reported when the connection opened.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn drive(
        &self,
        endpoint: &Endpoint,
        conn: &Connection,
        mut send: SendStream,
        recv: RecvStream,
        peer: &DeviceId,
        initiator: bool,
        live: bool,
        mut link: Link,
    ) -> Result<(), SyncError> {
        let name = self.peer_name(peer);
        // Another process on this profile may have saved a change a moment ago: a session
        // that started from older heads would let a one-off peer take them for being in
        // step, and leave without that change.
        if let Err(e) = self.refresh() {
            return Err(SyncError::Space(e));
        }
        let (saved, schema) = self.with_space(|s| (s.load_blob(&state_blob(peer)), s.schema_version()));
        let mut session = Session::new(saved.as_deref()).offering(self.offer_for(peer, endpoint)).with_peer(peer.clone());
        let mut changes = self.changes.subscribe();
        let mut incoming = Incoming::new(recv, frame::MAX_FRAME);
        let who = || name.clone();
        let cut = |e: String| SyncError::Connection { who: who(), why: e };
        stream::write(&mut send, &Session::hello(schema)).await.map_err(cut)?;
        let mut reported = false;
        // The path the connection takes, followed for as long as the session lasts (from
        // the one reported at connect, so a change meanwhile is not missed): the stream
        // wakes only when the paths change, never on a timer.
        let mut paths = conn.paths_stream();
        let result = loop {
            tokio::select! {
                Some(_) = paths.next() => self.follow_path(peer, conn, &mut link),
                m = incoming.next() => {
                    let msg = match m {
                        Ok(Some(m)) => m,
                        Ok(None) => break Ok(()),
                        Err(ReadError::Broken(e)) => break Err(cut(e)),
                        Err(ReadError::Malformed(e)) => {
                            stream::say_last(conn, &mut send, &Msg::Error(SessionError::Malformed(e.clone()).for_peer())).await;
                            conn.close(VarInt::from_u32(3), b"protocol error");
                            break Err(SyncError::Protocol(format!("{} sent something Mend does not understand ({e}); disconnected it without applying that message", who())));
                        }
                    };
                    // Applying a peer's changes saves them (an fsync): off the async workers.
                    let handled = self.with_space(|space| space.is_trusted(peer).then(|| session.handle(space, msg)));
                    let Some(handled) = handled else {
                        break Err(SyncError::Refused(format!("{} is no longer a trusted device", who())));
                    };
                    match handled {
                        Ok(h) => {
                            if let Some(note) = &h.note {
                                tracing::info!(peer = %peer.short(), "{note}");
                            }
                            // Other live sessions pass on what was learned (their lists
                            // are sent only when they say something new).
                            if !h.learned.is_empty() && self.hear(peer, &h.learned) {
                                self.notify_change();
                            }
                            let mut failed = None;
                            for r in &h.replies {
                                if let Err(e) = stream::write(&mut send, r).await {
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
                                self.emit(Event::Changed);
                            }
                        }
                        Err(SessionError::Remote(why)) => break Err(SyncError::Refused(why)),
                        Err(SessionError::Refused(why)) => {
                            let me = lock(&self.space).device_name();
                            stream::say_last(conn, &mut send, &Msg::Error(crate::session::refused_reply(&me, &why))).await;
                            conn.close(VarInt::from_u32(4), b"changes refused");
                            break Err(SyncError::Refused(crate::session::refused_note(&who(), &why)));
                        }
                        Err(e) => {
                            stream::say_last(conn, &mut send, &Msg::Error(e.for_peer())).await;
                            conn.close(VarInt::from_u32(3), b"protocol error");
                            break Err(SyncError::Protocol(e.to_string()));
                        }
                    }
                    if session.peer_done {
                        break Ok(());
                    }
                    let in_step = self.with_space(|space| session.in_step(space));
                    if in_step && !reported {
                        reported = true;
                        let at = crate::clock::now_ms();
                        self.update_peer(peer, |p| { p.last_synced = Some(at); p.last_error = None; });
                        self.save_state(peer, &session);
                        lock(&self.in_step).insert(peer.clone());
                        // The dialer resets this peer's backoff when it sees it in step.
                        self.dial_wake.notify_one();
                        self.emit(Event::InStep { peer: peer.clone(), name: who() });
                    }
                    if in_step && initiator && !live {
                        // The peer learns we are done from this or, failing that, from the
                        // stream's end: either way it stops.
                        let _ = stream::write(&mut send, &Msg::Done).await;
                        break Ok(());
                    }
                }
                r = changes.changed(), if live => {
                    if r.is_err() {
                        break Ok(());
                    }
                    let out = self.with_space(|space| space.is_trusted(peer).then(|| session.local_change(space)));
                    let Some(out) = out else {
                        conn.close(VarInt::from_u32(2), b"this device was removed from the space");
                        break Err(SyncError::Refused(format!("{} was removed from the space; disconnected it", who())));
                    };
                    if !out.is_empty() {
                        reported = false;
                    }
                    let list = session.update_offer(self.offer_for(peer, endpoint));
                    for m in out.iter().chain(&list) {
                        if let Err(e) = stream::write(&mut send, m).await {
                            return Err(cut(e));
                        }
                    }
                }
            }
        };
        self.save_state(peer, &session);
        stream::linger(&mut send).await;
        result
    }

    /// The session's state lets the next session with this peer skip what both have.
    fn save_state(&self, peer: &DeviceId, session: &Session) {
        let state = session.state_bytes();
        // Without it the next session starts from scratch: slower, never wrong.
        if let Err(e) = self.with_space(|s| s.save_blob(&state_blob(peer), &state)) {
            tracing::debug!(error = %e, peer = %peer.short(), "sync state not kept");
        }
    }
}
