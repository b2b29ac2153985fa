//! The background worker: owns the engine, the network and the journal, runs every request
//! off the UI thread, and publishes a new [`Snapshot`] after each change.

use crate::lists::Lists;
use crate::snapshot::{InviteInfo, JournalState, NetStatus, Phase, Snapshot};
use mend_engine::core::{Timestamp, View};
use mend_engine::pairing;
use mend_engine::sync::node::{Event, Hub};
use mend_engine::sync::peers::{self, Peers};
use mend_engine::sync::{Endpoint, NetConfig, NetMode, Role};
use mend_engine::{Command, Engine};
use mend_journal::{Journal, KdfParams, NewEntry};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, mpsc as std_mpsc};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use zeroize::Zeroizing;

/// Names the form a request came from, so its answer is shown beside that form.
pub type Form = &'static str;

#[derive(Clone)]
pub struct BackendConfig {
    pub dir: PathBuf,
    /// None: no networking at all (single-window tests).
    pub net: Option<NetConfig>,
    pub device_name: String,
    /// Argon2 settings for a new journal; tests choose cheap ones.
    pub journal_kdf: KdfParams,
}

pub enum Request {
    /// First run: create the profile with this name.
    Start {
        name: String,
    },
    /// First run: join the space whose invitation this is.
    Join {
        ticket: String,
        name: String,
    },
    Execute {
        form: Form,
        cmd: Command,
    },
    Invite {
        role: Role,
    },
    CancelInvite,
    Export {
        path: PathBuf,
        json: bool,
    },
    /// Settings: the network mode for the next start.
    SetLocalOnly {
        local_only: bool,
    },
    JournalUnlock {
        passphrase: Zeroizing<String>,
    },
    JournalLock,
    JournalAdd {
        entry: NewEntry,
    },
    JournalDelete {
        id: String,
    },
}

/// The outcome of one request, for the form that sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub form: Form,
    pub result: Result<String, String>,
}

enum Msg {
    Req(Form, Request),
    Stop,
}

pub struct Backend {
    tx: mpsc::UnboundedSender<Msg>,
    snap: Arc<Mutex<Arc<Snapshot>>>,
    replies: std_mpsc::Receiver<Reply>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic on one side must not freeze the window: the data behind is still whole.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Backend {
    pub fn start(cfg: BackendConfig, ctx: egui::Context) -> Backend {
        let (tx, rx) = mpsc::unbounded_channel();
        let (reply_tx, replies) = std_mpsc::channel();
        let snap = Arc::new(Mutex::new(Arc::new(Snapshot { profile_dir: cfg.dir.clone(), ..Snapshot::default() })));
        let shared = snap.clone();
        let thread = std::thread::Builder::new().name("mend-backend".into()).spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let mut s = Snapshot::clone(&lock(&shared));
                    s.phase = Phase::Failed(format!("could not start Mend's background worker: {e}"));
                    *lock(&shared) = Arc::new(s);
                    ctx.request_repaint();
                    return;
                }
            };
            let worker = Worker::new(cfg, ctx, shared, reply_tx);
            rt.block_on(worker.run(rx));
        });
        Backend { tx, snap, replies, thread: thread.ok() }
    }

    /// The newest published picture. Cheap: an Arc clone.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        lock(&self.snap).clone()
    }

    pub fn send(&self, form: Form, req: Request) {
        // If the worker is gone the window shows the failure from the snapshot.
        let _ = self.tx.send(Msg::Req(form, req));
    }

    pub fn try_reply(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            // Waits for the network to close, so the port is free and peers see us go.
            let _ = t.join();
        }
    }
}

struct Net {
    hub: Arc<Hub<Engine>>,
    ep: Endpoint,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

struct Worker {
    cfg: BackendConfig,
    ctx: egui::Context,
    shared: Arc<Mutex<Arc<Snapshot>>>,
    replies: std_mpsc::Sender<Reply>,
    engine: Option<Arc<Mutex<Engine>>>,
    net: Option<Net>,
    status: NetStatus,
    events_tx: mpsc::UnboundedSender<Event>,
    events_rx: Option<mpsc::UnboundedReceiver<Event>>,
    events: Vec<String>,
    notes: Vec<String>,
    /// How many of the engine's recovery notes are in `notes` already.
    notes_seen: usize,
    invite: Option<InviteInfo>,
    journal: Option<Journal>,
    phase: Phase,
    /// A fingerprint of the document's heads when last polled.
    heads: u64,
    /// The view and lists last published, and the heads they were made at: cloning ten
    /// years of view and listing it again is only worth it when the document changed.
    published: Option<(u64, Arc<View>, Arc<Lists>)>,
}

impl Worker {
    fn new(cfg: BackendConfig, ctx: egui::Context, shared: Arc<Mutex<Arc<Snapshot>>>, replies: std_mpsc::Sender<Reply>) -> Worker {
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        Worker {
            cfg,
            ctx,
            shared,
            replies,
            engine: None,
            net: None,
            status: NetStatus::default(),
            events_tx,
            events_rx: Some(events_rx),
            events: vec![],
            notes: vec![],
            notes_seen: 0,
            invite: None,
            journal: None,
            phase: Phase::Starting,
            heads: 0,
            published: None,
        }
    }

    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<Msg>) {
        let mut events_rx = self.events_rx.take().unwrap_or_else(|| mpsc::unbounded_channel().1);
        if mend_engine::profile_exists(&self.cfg.dir) {
            match Engine::open(&self.cfg.dir) {
                Ok(e) => self.opened(e).await,
                Err(e) => self.phase = Phase::Failed(format!("Mend could not open your profile in {}: {e}", self.cfg.dir.display())),
            }
        } else {
            self.phase = Phase::FirstRun;
        }
        self.publish();
        let mut tick = tokio::time::interval(Duration::from_millis(150));
        loop {
            tokio::select! {
                m = rx.recv() => match m {
                    Some(Msg::Req(form, req)) => {
                        let result = self.handle(req).await;
                        // Publish first: when the window reads the reply, the snapshot
                        // already shows what the request changed.
                        self.publish();
                        let _ = self.replies.send(Reply { form, result });
                        self.ctx.request_repaint();
                    }
                    Some(Msg::Stop) | None => break,
                },
                Some(ev) = events_rx.recv() => {
                    self.on_event(ev);
                    self.publish();
                }
                _ = tick.tick() => {
                    if self.poll() {
                        self.publish();
                    }
                }
            }
        }
        self.stop_network().await;
        if let Some(engine) = &self.engine {
            // The next start then opens from the cache at once instead of loading the whole
            // document to catch up with what this window wrote.
            lock(engine).save_view_cache();
        }
    }

    /// A profile is open: keep it, and go online if networking is on.
    async fn opened(&mut self, engine: Engine) {
        self.notes.extend(engine.recovery_notes().iter().map(|n| n.to_string()));
        self.notes_seen = engine.recovery_notes().len();
        let engine = Arc::new(Mutex::new(engine));
        self.heads = heads_key(&mut lock(&engine));
        self.engine = Some(engine.clone());
        self.phase = Phase::Ready;
        // Shown now, from the view cache when it matched: going online may wait for the
        // document, which loads in the background.
        self.publish();
        let Some(net) = self.cfg.net.clone() else { return };
        if lock(&engine).key_lost().is_some() {
            // Today says why and what to do (the recovery note); this device can't sync as itself.
            self.status.error = Some("This device is not syncing: its key is lost. Today says how to add it again.".to_owned());
            return;
        }
        self.status.enabled = true;
        self.status.local_only = net.mode == NetMode::LocalOnly;
        match pairing::bind(&engine, &net).await {
            Ok(ep) => {
                self.status.listening = ep.bound_sockets().iter().map(|s| s.to_string()).collect();
                let hub = Hub::new(engine, self.events_tx.clone());
                let (stop, stopped) = oneshot::channel::<()>();
                let (h, e) = (hub.clone(), ep.clone());
                let task = tokio::spawn(async move {
                    h.serve(e, async {
                        let _ = stopped.await;
                    })
                    .await
                });
                self.net = Some(Net { hub, ep, stop: Some(stop), task });
            }
            Err(e) => {
                self.status.enabled = false;
                self.status.error = Some(format!("Mend is offline: {e}. Everything you write is saved and will sync later."));
            }
        }
    }

    async fn stop_network(&mut self) {
        if let Some(mut n) = self.net.take() {
            if let Some(s) = n.stop.take() {
                let _ = s.send(());
            }
            if tokio::time::timeout(Duration::from_secs(5), &mut n.task).await.is_err() {
                n.task.abort();
                n.ep.close().await;
            }
        }
    }

    fn engine(&self) -> Result<&Arc<Mutex<Engine>>, String> {
        self.engine.as_ref().ok_or_else(|| "Mend has no profile open yet: finish First run first".to_owned())
    }

    async fn handle(&mut self, req: Request) -> Result<String, String> {
        match req {
            Request::Start { name } => {
                if self.engine.is_some() {
                    return Ok(String::new());
                }
                let name = name.trim();
                if mend_engine::core::validate::is_blank(name) {
                    return Err("Your name is empty: write the name your partner knows you by".into());
                }
                // A join that failed after making the profile leaves it behind: use it.
                let e = if mend_engine::profile_exists(&self.cfg.dir) {
                    let mut e = Engine::open(&self.cfg.dir).map_err(|e| e.to_string())?;
                    e.execute(Command::UpdateProfile { name: Some(name.to_owned()), love_languages: None, needs: None })
                        .map_err(|e| e.to_string())?;
                    e
                } else {
                    Engine::init(&self.cfg.dir, name, &self.cfg.device_name).map_err(|e| e.to_string())?
                };
                self.opened(e).await;
                Ok(String::new())
            }
            Request::Join { ticket, name } => {
                let Some(net) = self.cfg.net.clone() else {
                    return Err("networking is off in this window, so it cannot join: start Mend without tests' settings".into());
                };
                let ticket = pairing::parse_ticket(&ticket).map_err(|e| e.to_string())?;
                self.set_busy(Some(format!("Joining {}'s space…", ticket.inviter)));
                let joined = pairing::join(&self.cfg.dir, &net, &ticket, Some(name.as_str()), &self.cfg.device_name).await;
                self.set_busy(None);
                let joined = joined.map_err(|e| e.to_string())?;
                self.notes.extend(joined.notes.iter().cloned());
                let said = if joined.in_sync {
                    format!("Paired with {}'s space and in sync.", ticket.inviter)
                } else {
                    format!("Paired with {}'s space; the first sync will finish when both windows are open.", ticket.inviter)
                };
                self.opened(joined.engine).await;
                Ok(said)
            }
            Request::Execute { form: _, cmd } => {
                let engine = self.engine()?.clone();
                let out = {
                    let mut e = lock(&engine);
                    let out = e.execute(cmd).map_err(|e| e.to_string());
                    self.notes.extend(e.take_warnings());
                    out?
                };
                if let Some(n) = &self.net {
                    // Removing a device closes its connections at once.
                    n.hub.drop_revoked();
                    n.hub.notify_change();
                }
                Ok(if out.changed {
                    out.created.map(|c| c.to_string()).unwrap_or_default()
                } else {
                    "Nothing to change: that was already done.".into()
                })
            }
            Request::Invite { role } => {
                let net = self
                    .net
                    .as_ref()
                    .ok_or_else(|| self.status.error.clone().unwrap_or_else(|| "networking is off in this window, so it cannot invite".into()))?;
                let t = net.hub.invite(&net.ep, role, 600).map_err(|e| e.to_string())?;
                self.invite = Some(InviteInfo { text: t.to_text(), role, expires_at: t.expires_at });
                Ok(String::new())
            }
            Request::CancelInvite => {
                self.invite = None;
                Ok(String::new())
            }
            Request::Export { path, json } => {
                let engine = self.engine()?.clone();
                let bytes = {
                    let e = lock(&engine);
                    if json { serde_json::to_vec_pretty(&e.show_json()).map_err(|e| e.to_string())? } else { e.export_markdown().into_bytes() }
                };
                mend_fs::write_export(&path, &bytes).map_err(|e| {
                    if e.is_disk_full() {
                        "The disk is full, so the export could not be saved. Free some space, then try again.".to_owned()
                    } else {
                        "Mend could not save the export in that place. Choose another folder and try again.".to_owned()
                    }
                })?;
                Ok(format!("Exported to {}. It holds your shared space only: keep it somewhere private.", path.display()))
            }
            Request::SetLocalOnly { local_only } => {
                let engine = self.engine()?.clone();
                lock(&engine).set_local_only(local_only).map_err(|e| e.to_string())?;
                Ok(if local_only {
                    "Saved: from the next start Mend uses only addresses it already knows (no relays, no discovery).".into()
                } else {
                    "Saved: from the next start Mend uses relays and discovery, so you find each other anywhere.".into()
                })
            }
            Request::JournalUnlock { passphrase } => {
                let dir = self.cfg.dir.clone();
                let j =
                    if Journal::exists(&dir) { Journal::open(&dir, &passphrase) } else { Journal::create(&dir, &passphrase, self.cfg.journal_kdf) };
                self.journal = Some(j.map_err(|e| e.to_string())?);
                Ok(String::new())
            }
            Request::JournalLock => {
                if let Some(j) = self.journal.as_mut() {
                    j.lock();
                }
                self.journal = None;
                Ok(String::new())
            }
            Request::JournalAdd { entry } => {
                let j = self.journal.as_mut().ok_or("the journal is locked: unlock it with your passphrase first")?;
                j.add(entry).map(|e| e.id.clone()).map_err(|e| e.to_string())
            }
            Request::JournalDelete { id } => {
                let j = self.journal.as_mut().ok_or("the journal is locked: unlock it with your passphrase first")?;
                j.delete(&id).map_err(|e| e.to_string())
            }
        }
    }

    fn set_busy(&mut self, busy: Option<String>) {
        let mut s = Snapshot::clone(&lock(&self.shared));
        s.busy = busy;
        *lock(&self.shared) = Arc::new(s);
        self.ctx.request_repaint();
    }

    fn on_event(&mut self, ev: Event) {
        let line = match &ev {
            Event::Connected { peer, name, link } => {
                self.status.connected.insert(peer.to_string());
                format!("connected to {name} ({})", link_word(*link))
            }
            Event::InStep { name, .. } => format!("in sync with {name}"),
            Event::Disconnected { peer, name, why } => {
                self.status.connected.remove(peer.as_str());
                format!("disconnected from {name}: {why}")
            }
            Event::Unreachable { name, .. } => format!("{name} is not reachable right now"),
            Event::Refused { peer, why } => format!("refused device {}: {why}", &peer[..peer.len().min(8)]),
            Event::Paired { name, role, .. } => {
                self.invite = None;
                format!("{name} joined as {}", if *role == Role::Partner { "your partner" } else { "another device of yours" })
            }
            Event::PairRefused { why } => format!("refused a pairing attempt: {why}"),
        };
        let at = mend_engine::when::format(mend_engine::when::now());
        self.events.push(format!("{at}  {line}"));
        if self.events.len() > 50 {
            self.events.remove(0);
        }
    }

    /// Picks up what changed without a request: the partner's changes arriving, another
    /// process on this profile, an invitation running out. Returns whether to publish.
    fn poll(&mut self) -> bool {
        let mut changed = false;
        if let Some(engine) = &self.engine {
            let mut e = lock(engine);
            if self.net.is_none() {
                // With the network on, the hub already refreshes every 50 ms.
                if let Err(err) = e.refresh() {
                    self.notes.push(format!("could not read what other Mend windows saved: {err}"));
                }
            }
            // Once after a cached open: the cached view checked against the document (here,
            // on the backend, so the window never waits for it). A mismatch is mended and
            // published, and its note shown below.
            match e.verify_view() {
                Ok(true) => self.published = None,
                Ok(false) => {}
                Err(err) => self.notes.push(format!("Mend could not check your space against its saved copy: {err}")),
            }
            // A repair found once the document finished loading in the background.
            if e.recovery_notes().len() > self.notes_seen {
                self.notes.extend(e.recovery_notes()[self.notes_seen..].iter().map(|n| n.to_string()));
                self.notes_seen = e.recovery_notes().len();
                changed = true;
            }
            let heads = heads_key(&mut e);
            if heads != self.heads {
                self.heads = heads;
                changed = true;
            }
        }
        if self.invite.as_ref().is_some_and(|i| i.expires_at <= mend_engine::sync::node::now_secs()) {
            self.invite = None;
            changed = true;
        }
        changed || self.lists_are_stale()
    }

    /// Lists that depend on the clock (due today, up for review, keep-rate windows) are
    /// worked out again once a minute even when nothing changed.
    fn lists_are_stale(&self) -> bool {
        self.published.as_ref().and_then(|(_, _, l)| l.at).is_some_and(|at| mend_engine::when::now().0 - at.0 >= Timestamp::MINUTE)
    }

    fn publish(&mut self) {
        let mut s = Snapshot {
            phase: self.phase.clone(),
            profile_dir: self.cfg.dir.clone(),
            net: self.status.clone(),
            invite: self.invite.clone(),
            events: self.events.clone(),
            notes: self.notes.clone(),
            ..Snapshot::default()
        };
        if let Some(engine) = &self.engine {
            // Under the engine's lock only what must be read there: the sync sessions wait
            // on that lock, and listing ten years takes milliseconds.
            let (heads, view, me) = {
                let mut e = lock(engine);
                let heads = heads_key(&mut e);
                let view = match &self.published {
                    Some((h, view, _)) if *h == heads => view.clone(),
                    _ => Arc::new(e.view().clone()),
                };
                s.device_name = e.device_name().to_owned();
                s.peers = Peers::from_blob(e.blobs().load(peers::BLOB)).peers;
                (heads, view, e.me().clone())
            };
            let lists = match &self.published {
                Some((h, _, lists)) if *h == heads && !self.lists_are_stale() => lists.clone(),
                _ => {
                    let now = mend_engine::when::now();
                    Arc::new(Lists::new(&view, &me, now, crate::lists::end_of_today(now)))
                }
            };
            self.published = Some((heads, view.clone(), lists.clone()));
            s.view = view;
            s.lists = lists;
            s.me = Some(me);
        }
        s.journal = JournalState { exists: Journal::exists(&self.cfg.dir), unlocked: self.journal.is_some(), entries: vec![] };
        if let Some(j) = &self.journal {
            match j.list() {
                Ok(list) => s.journal.entries = list.into_iter().cloned().collect(),
                Err(e) => s.notes.push(e.to_string()),
            }
        }
        *lock(&self.shared) = Arc::new(s);
        self.ctx.request_repaint();
    }
}

fn link_word(l: mend_engine::sync::peers::Link) -> &'static str {
    match l {
        mend_engine::sync::peers::Link::Direct => "direct",
        mend_engine::sync::peers::Link::Relay => "relayed",
    }
}

/// The document's heads as one number: equal heads, equal documents.
fn heads_key(e: &mut Engine) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.heads().hash(&mut h);
    h.finish()
}
