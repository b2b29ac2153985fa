//! Reaching out: dialing one peer, syncing once with all of them, and keeping a device
//! online, redialling with backoff. Nothing here runs on a timer while all is quiet: the
//! dialer sleeps until a backoff ends or the hub wakes it.

use crate::error::SyncError;
use crate::hub::{Event, Hub, lock};
use crate::space::SharedSpace;
use iroh::endpoint::VarInt;
use iroh::{Endpoint, PublicKey};
use mend_core::DeviceId;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The longest wait between two attempts to reach a peer.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

pub fn parse_device(d: &DeviceId) -> Option<PublicKey> {
    let bytes: [u8; 32] = hex::decode(d.as_str()).ok()?.try_into().ok()?;
    PublicKey::from_bytes(&bytes).ok()
}

/// One peer's outcome of [`Hub::sync_once`].
pub type Outcome = (DeviceId, String, Result<(), SyncError>);

impl<S: SharedSpace> Hub<S> {
    /// Connects to one trusted peer and syncs: until in step (`live == false`), or for as long
    /// as both stay up (`live == true`).
    pub async fn dial(&self, endpoint: &Endpoint, peer: &DeviceId, live: bool) -> Result<(), SyncError> {
        let name = self.peer_name(peer);
        let id = parse_device(peer).ok_or_else(|| SyncError::Protocol(format!("{peer} is not a device id")))?;
        let addr = self.known_addr(peer, id, endpoint);
        let conn = endpoint.connect(addr, crate::SYNC_ALPN).await.map_err(|e| SyncError::Unreachable { who: name.clone(), why: e.to_string() })?;
        if !self.register(peer, &conn, true) {
            return Err(SyncError::Superseded { who: name });
        }
        let link = self.remember(peer, &conn);
        self.emit(Event::Connected { peer: peer.clone(), name: name.clone(), link });
        let r = match conn.open_bi().await {
            Ok((send, recv)) => self.drive(endpoint, &conn, send, recv, peer, true, live, link).await,
            Err(e) => Err(SyncError::Connection { who: name.clone(), why: e.to_string() }),
        };
        self.unregister(peer, &conn);
        if !live {
            conn.close(VarInt::from_u32(0), b"in step");
        }
        if r.is_err() && self.was_superseded(&conn) {
            return Err(SyncError::Superseded { who: name });
        }
        r
    }

    /// Keeps a failed dial as the peer's last error (what `mend devices` and the window
    /// show until the two are in step again); a connection let go for the other one that
    /// goes on is no error.
    fn note_error(&self, peer: &DeviceId, r: &Result<(), SyncError>) {
        if let Err(e) = r
            && !matches!(e, SyncError::Superseded { .. })
        {
            let why = e.to_string();
            self.update_peer(peer, |p| p.last_error = Some(why));
        }
    }

    /// Syncs once with every trusted peer it can reach; returns each peer's outcome.
    pub async fn sync_once(self: &Arc<Self>, endpoint: &Endpoint, timeout: Duration) -> Vec<Outcome> {
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
                hub.note_error(&peer, &r);
                (peer, name, r)
            }));
        }
        let mut out = Vec::new();
        for t in tasks {
            // A task ends only by returning (nothing here panics or is aborted).
            if let Ok(r) = t.await {
                out.push(r);
            }
        }
        out
    }

    /// Keeps this device online until `shutdown` resolves: answers peers and dials the ones
    /// not connected, with backoff. Changes saved by other processes on this profile reach
    /// the sessions through [`Hub::refresh`], which the node calls when the files change.
    pub async fn serve(self: &Arc<Self>, endpoint: Endpoint, shutdown: impl std::future::Future<Output = ()>) {
        let router = self.router(endpoint.clone());
        let dialer = tokio::spawn(self.clone().dialer(endpoint.clone()));
        shutdown.await;
        dialer.abort();
        // Shutting down closes every connection; an error here only means one was gone.
        let _ = router.shutdown().await;
        endpoint.close().await;
    }

    /// Dials every trusted peer that is not connected, each at its own pace: 1 s, 2 s, 4 s …
    /// up to a minute between failed attempts.
    async fn dialer(self: Arc<Self>, endpoint: Endpoint) {
        let mut next: HashMap<DeviceId, (Instant, u32)> = HashMap::new();
        let dialing: Arc<std::sync::Mutex<std::collections::HashSet<DeviceId>>> = Arc::default();
        loop {
            // Registered before looking, so a wake-up during the look is not missed.
            let woken = self.dial_wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            // A peer that got connected and in step starts again from a short wait; one
            // merely connected may be refused again at once (its changes could not be kept).
            next.retain(|p, _| !(self.is_live(p) && lock(&self.in_step).contains(p)));
            let now = Instant::now();
            let mut earliest: Option<Instant> = None;
            for (peer, _) in lock(&self.space).peers() {
                let (at, failures) = next.get(&peer).copied().unwrap_or((now, 0));
                if self.is_live(&peer) || lock(&dialing).contains(&peer) {
                    continue;
                }
                if now < at {
                    earliest = Some(earliest.map_or(at, |e| e.min(at)));
                    continue;
                }
                lock(&dialing).insert(peer.clone());
                next.insert(peer.clone(), (now + backoff(failures), failures + 1));
                let (hub, ep, d) = (self.clone(), endpoint.clone(), dialing.clone());
                tokio::spawn(async move {
                    let name = hub.peer_name(&peer);
                    let r = hub.dial(&ep, &peer, true).await;
                    // What `mend devices` and the window read: a link that broke or a peer
                    // out of reach says so there too, not only in the log, until the next
                    // time the two are in step.
                    hub.note_error(&peer, &r);
                    match r {
                        // The other connection with this peer goes on: nothing to tell.
                        Err(SyncError::Superseded { .. }) => {}
                        Ok(()) => hub.emit(Event::Disconnected { peer: peer.clone(), name, why: "closed".into() }),
                        Err(SyncError::Unreachable { why, .. }) => hub.emit(Event::Unreachable { peer: peer.clone(), name, why }),
                        Err(err) => hub.emit(Event::Disconnected { peer: peer.clone(), name, why: err.to_string() }),
                    }
                    lock(&d).remove(&peer);
                    hub.dial_wake.notify_one();
                });
            }
            match earliest {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at) => {}
                        _ = &mut woken => {}
                    }
                }
                None => woken.await,
            }
        }
    }
}

fn backoff(failures: u32) -> Duration {
    Duration::from_secs(1u64 << failures.min(6)).min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let secs: Vec<u64> = (0..9).map(|f| super::backoff(f).as_secs()).collect();
        assert_eq!(secs, vec![1, 2, 4, 8, 16, 32, 60, 60, 60]);
    }
}
