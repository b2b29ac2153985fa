//! The running node: the one room that owns an open profile's engine, the network runtime,
//! the endpoint and the hub, and tells its owner what happens through one stream of
//! [`Event`]s. The window and the CLI are thin clients of it: they send it commands, read
//! the view through it, and never see iroh, Automerge or the runtime.
//!
//! Nothing here runs on a timer while all is quiet. Another Mend process saving to the same
//! profile is noticed through the file system's change notification ([`watch`]); a partner's
//! changes arrive on their connection; the dialer sleeps until a backoff ends.

mod desktop;
pub mod door;
mod event;
mod watch;

pub use door::{Present, connected_now};
pub use event::{Event, link_word, path_word};

use crate::{Command, Engine, EngineError, Outcome, pairing};
use mend_core::DeviceId;
use mend_sync::peers::Link;
use mend_sync::{Endpoint, Hub, NetConfig, NetMode, Role, SyncError};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::runtime::Runtime;
use tokio::sync::{Notify, mpsc, oneshot};

/// Where a node's events go. Called on the node's own threads: keep it short (send the
/// event on to a channel, ask for a repaint, write a log line).
pub type Sink = Arc<dyn Fn(Event) + Send + Sync>;

/// How the node stands with the network, for the status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    pub online: bool,
    pub local_only: bool,
    /// The addresses this device listens on, as text (none when relay-only).
    pub listening: Vec<String>,
    /// The couple's own relay, when one is set (else n0's relays, or none in local-only).
    pub relay: Option<String>,
    /// Every link goes through the relay: this device has no direct path.
    pub relay_only: bool,
}

/// An open invitation, to show as text and QR code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub text: String,
    pub role: Role,
    /// Seconds since the epoch.
    pub expires_at: u64,
}

/// How one peer's one-off sync went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Synced {
    InStep {
        link: Link,
    },
    /// Not reachable now (not running, no path): nothing went wrong, it will sync later.
    Unreachable(String),
    /// Connected to the Mend already running on this device, which keeps the two in sync.
    ByRunningNode,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerSync {
    pub device: DeviceId,
    pub name: String,
    pub result: Synced,
}

struct Online {
    ep: Endpoint,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

pub struct Node {
    engine: Arc<Mutex<Engine>>,
    hub: Arc<Hub<Engine>>,
    online: Option<Online>,
    status: Status,
    /// Kept for as long as the node runs: dropping it stops the watching.
    _watcher: Option<notify::RecommendedWatcher>,
    /// Wakes the notifications' thread; its other end waits here until they are started.
    poke: desktop::Poke,
    notices: Option<Receiver<()>>,
    in_view: Arc<AtomicBool>,
    sink: Sink,
    /// The socket file this node answers on, removed when it stops.
    door: Option<std::path::PathBuf>,
    rt: Option<Runtime>,
}

/// Hands the hub's events to the owner, naming for each change the records that arrived
/// since the change before.
fn forward(mut rx: mpsc::UnboundedReceiver<mend_sync::Event>, engine: Arc<Mutex<Engine>>, sink: Sink, poke: desktop::Poke) {
    while let Some(e) = rx.blocking_recv() {
        let changed = matches!(e, mend_sync::Event::Changed);
        let e = match e {
            mend_sync::Event::Changed => Event::Changed(lock(&engine).take_arrived()),
            other => other.into(),
        };
        sink(e);
        if changed {
            poke.poke();
        }
    }
}

fn lock(e: &Mutex<Engine>) -> MutexGuard<'_, Engine> {
    // A panic elsewhere must not lock the person out: what is behind the mutex is still whole.
    e.lock().unwrap_or_else(|p| p.into_inner())
}

fn runtime() -> Result<Runtime, EngineError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("mend-node")
        .enable_all()
        .build()
        .map_err(|e| EngineError::Pairing(format!("Mend could not start its network worker ({e}); close some programs and try again")))
}

impl Node {
    /// Opens a node on an open profile, offline: it watches the profile for what other
    /// processes save and reports it as [`Event::Changed`]. [`Node::go_online`] connects it.
    pub fn open(engine: Engine, sink: Sink) -> Result<Node, EngineError> {
        let owner = sink;
        let sink: Sink = Arc::new(move |e: Event| {
            e.log();
            owner(e)
        });
        let rt = runtime()?;
        let dir = engine.dir().to_owned();
        let engine = Arc::new(Mutex::new(engine));
        let (tx, rx) = mpsc::unbounded_channel::<mend_sync::Event>();
        let hub = Hub::new(engine.clone(), tx);
        let events = sink.clone();
        let e = engine.clone();
        let (poke, notices) = desktop::Poke::new();
        let forward_poke = poke.clone();
        // A thread, not a task: naming what changed takes the engine's lock, which a session
        // may hold through an fsync; no async worker should wait on that.
        std::thread::Builder::new()
            .name("mend-events".into())
            .spawn(move || forward(rx, e, events, forward_poke))
            .map_err(|e| EngineError::Pairing(format!("Mend could not start its network worker ({e}); close some programs and try again")))?;
        let wake = Arc::new(Notify::new());
        let watcher = match watch::watch_space(&dir, wake.clone()) {
            Ok(w) => Some(w),
            Err(e) => {
                // Without it, what another Mend on this profile saves shows after the next
                // start or sync instead of at once: worth saying, not worth stopping for.
                sink(Event::Problem(format!(
                    "Mend cannot watch your profile for changes made by another Mend window or command ({e}); those show after a restart"
                )));
                None
            }
        };
        let h = hub.clone();
        let problems = sink.clone();
        let sink_kept = sink.clone();
        rt.spawn(async move {
            loop {
                wake.notified().await;
                if let Err(e) = h.refresh() {
                    problems(Event::Problem(format!("Mend could not read what another Mend on this profile saved: {e}")));
                }
            }
        });
        Ok(Node {
            engine,
            hub,
            online: None,
            status: Status::default(),
            _watcher: watcher,
            poke,
            notices: Some(notices),
            in_view: Arc::new(AtomicBool::new(false)),
            sink: sink_kept,
            door: None,
            rt: Some(rt),
        })
    }

    /// Posts desktop notifications for what the partner does, from now until the node
    /// stops. For the processes that keep a profile in sync (the window, `mend serve`),
    /// never for a one-off command. Calling it again does nothing.
    pub fn notify_desktop(&mut self) -> Result<(), EngineError> {
        let Some(rx) = self.notices.take() else { return Ok(()) };
        desktop::spawn(rx, self.engine.clone(), self.in_view.clone())?;
        // The first decision: news already there counts as told the very first time, and
        // news that came while no Mend ran on this profile is told now.
        self.poke.poke();
        Ok(())
    }

    /// Opens this node's door to the other Mend processes of the profile (`node.sock`): a
    /// CLI command hands its write to this node instead of loading the whole document, and
    /// `mend devices` learns who is connected now. For the processes that keep a profile in
    /// sync (the window, `mend serve`). Without it everything works, more slowly; so a door
    /// that cannot open is logged, not shown. Calling it again does nothing.
    pub fn open_door(&mut self) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            if self.door.is_some() {
                return;
            }
            let dir = lock(&self.engine).dir().to_owned();
            let owner = match std::fs::metadata(&dir) {
                Ok(m) => m.uid(),
                Err(e) => {
                    tracing::info!(error = %e, "no local door: the profile folder could not be read");
                    return;
                }
            };
            let listener = {
                let _in = self.rt().enter();
                door::server::bind(&dir)
            };
            let listener = match listener {
                Ok(l) => l,
                Err(e) => {
                    tracing::info!(error = %e, "no local door; commands on this profile load it themselves");
                    return;
                }
            };
            let (sink, poke) = (self.sink.clone(), self.poke.clone());
            let inside = Arc::new(door::server::Inside {
                engine: self.engine.clone(),
                hub: self.hub.clone(),
                // As for any change: the window reads the space again, and the notifier
                // looks again (a promise just made may be due for a reminder soon).
                changed: Arc::new(move || {
                    sink(Event::Changed(mend_core::Changed::default()));
                    poke.poke();
                }),
            });
            self.rt().spawn(door::server::serve(listener, owner, inside));
            self.door = Some(door::socket_path(&dir));
        }
    }

    /// Whether the window is in front of the person: news that comes meanwhile shows there
    /// and is not notified.
    pub fn set_in_view(&self, in_view: bool) {
        self.in_view.store(in_view, Ordering::Relaxed);
    }

    fn rt(&self) -> &Runtime {
        // Only `Drop` takes it, and nothing runs after that.
        self.rt.as_ref().expect("the runtime lives as long as the node")
    }

    /// Binds this device's endpoint and keeps it online: answering peers, dialing the ones
    /// not connected, sending every change as it is made. Until this succeeds the node is
    /// offline and everything still works and is saved.
    pub fn go_online(&mut self, net: &NetConfig) -> Result<(), EngineError> {
        if self.online.is_some() {
            return Ok(());
        }
        let ep = self.rt().block_on(pairing::bind(&self.engine, net))?;
        self.status = Status {
            online: true,
            local_only: net.mode == NetMode::LocalOnly,
            listening: ep.bound_sockets().iter().map(|s| s.to_string()).collect(),
            relay: net.relay.as_ref().map(|u| u.to_string()),
            relay_only: net.relay_only,
        };
        tracing::info!(local_only = self.status.local_only, listening = ?self.status.listening, "online");
        let (stop, stopped) = oneshot::channel::<()>();
        let (h, e) = (self.hub.clone(), ep.clone());
        let task = self.rt().spawn(async move {
            h.serve(e, async {
                // Dropped sender or a stop: either way, stop.
                let _ = stopped.await;
            })
            .await
        });
        self.online = Some(Online { ep, stop: Some(stop), task });
        Ok(())
    }

    pub fn status(&self) -> &Status {
        &self.status
    }

    /// The open engine, to read the view or run what needs no network. Hold it briefly: the
    /// sessions wait on it.
    pub fn engine(&self) -> MutexGuard<'_, Engine> {
        lock(&self.engine)
    }

    /// Checks, applies and saves one command, then sends it to every connected device at
    /// once (and cuts off a device it removed).
    pub fn execute(&self, cmd: Command) -> Result<Outcome, EngineError> {
        let out = lock(&self.engine).execute(cmd)?;
        self.hub.drop_revoked();
        self.hub.notify_change();
        Ok(out)
    }

    /// Opens an invitation, valid for `valid_secs`; the device that uses it is announced by
    /// [`Event::Paired`]. Needs the node online.
    pub fn invite(&self, role: Role, valid_secs: u64) -> Result<Invitation, EngineError> {
        let online = self.online.as_ref().ok_or_else(|| EngineError::Pairing("Mend is offline, so it cannot open an invitation now".into()))?;
        let t = self.hub.invite(&online.ep, role, valid_secs)?;
        Ok(Invitation { text: t.to_text(), role, expires_at: t.expires_at })
    }

    /// Syncs once with every trusted device it can reach, until each is in step or
    /// `timeout` passes, on an endpoint of its own that answers nobody.
    pub fn sync_once(&self, net: &NetConfig, timeout: Duration) -> Result<Vec<PeerSync>, EngineError> {
        let hub = self.hub.clone();
        let engine = self.engine.clone();
        let results = self.rt().block_on(async move {
            let ep = pairing::bind(&engine, net).await?;
            let results = hub.sync_once(&ep, timeout).await;
            ep.close().await;
            Ok::<_, EngineError>(results)
        })?;
        let peers = lock(&self.engine).peer_infos();
        Ok(results
            .into_iter()
            .map(|(device, name, r)| {
                let result = match r {
                    Ok(()) => Synced::InStep { link: peers.get(device.as_str()).and_then(|p| p.link).unwrap_or(Link::Direct) },
                    Err(e @ (SyncError::Unreachable { .. } | SyncError::Timeout { .. })) => Synced::Unreachable(e.to_string()),
                    // The peer kept its live connection with the Mend running on this device
                    // (window or `serve`) over this one-off's: that one keeps the two in sync.
                    Err(SyncError::Superseded { .. }) => Synced::ByRunningNode,
                    Err(e) => Synced::Failed(e.to_string()),
                };
                PeerSync { device, name, result }
            })
            .collect())
    }

    /// Blocks until the process is asked to stop (Ctrl-C, or SIGTERM from a service manager).
    pub fn wait_for_stop_signal(&self) {
        self.wait_for_stop_signal_then(|| {});
    }

    /// Like [`Node::wait_for_stop_signal`], running `ready` once both signals are caught:
    /// from then on a SIGTERM stops cleanly (a background `serve` notes itself only then,
    /// so whoever stops it finds it tidy afterwards).
    pub fn wait_for_stop_signal_then(&self, ready: impl FnOnce()) {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            // Registered here, at once; `ctrl_c()` would only register when first polled.
            let caught = {
                let _in = self.rt().enter();
                signal(SignalKind::terminate()).and_then(|t| Ok((t, signal(SignalKind::interrupt())?)))
            };
            if let Ok((mut term, mut int)) = caught {
                ready();
                self.rt().block_on(async {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                });
                return;
            }
        }
        ready();
        self.rt().block_on(async {
            let term = async {
                #[cfg(unix)]
                {
                    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                        s.recv().await;
                        return;
                    }
                }
                std::future::pending::<()>().await
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term => {}
            }
        });
    }

    /// Goes offline (peers see this device leave) and keeps the view cache, so the next
    /// start shows everything at once.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        if let Some(mut o) = self.online.take()
            && let Some(rt) = &self.rt
        {
            if let Some(s) = o.stop.take() {
                // The serve task may be gone already (its endpoint failed): nothing to stop.
                let _ = s.send(());
            }
            rt.block_on(async {
                if tokio::time::timeout(Duration::from_secs(5), &mut o.task).await.is_err() {
                    o.task.abort();
                    o.ep.close().await;
                }
            });
        }
        if let Some(rt) = self.rt.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
        // Gone with the node: a command finds no door and does its work itself. (A node that
        // crashed leaves the file; the next command's connection is refused, which means the
        // same.)
        if let Some(path) = self.door.take()
            && let Err(e) = std::fs::remove_file(&path)
        {
            tracing::info!(error = %e, "the local door's socket file stays; the next node replaces it");
        }
        lock(&self.engine).save_view_cache();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if self.rt.is_some() {
            self.shut_down();
        }
    }
}

/// What joining produced: the opened profile, and how the first sync went.
pub use pairing::Joined;

/// Joins the space whose invitation `text` is (see [`pairing::join`]), on a runtime of its
/// own: call it from a plain thread.
pub fn join(dir: &Path, net: &NetConfig, text: &str, name: Option<&str>, device_name: &str) -> Result<Joined, EngineError> {
    let ticket = pairing::parse_ticket(text)?;
    runtime()?.block_on(pairing::join(dir, net, &ticket, name, device_name))
}

/// Who made an invitation, to say "Joining Sam's space…" while it happens.
pub fn inviter_of(text: &str) -> Result<String, EngineError> {
    Ok(pairing::parse_ticket(text)?.inviter)
}
