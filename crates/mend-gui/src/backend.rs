//! The background worker: owns the running node and the journal, runs every request off the
//! UI thread, and publishes a new [`Snapshot`] after each change. It wakes for a request, for
//! an event of the node (a partner's change, another Mend saving to this profile, a peer
//! coming or going), and once a minute for what depends on the time of day; never to poll.

use crate::lists::Lists;
use crate::snapshot::{InviteInfo, JournalState, NetStatus, Phase, Snapshot};
use mend_engine::background::{self, BackgroundSettings, Removed};
use mend_engine::core::notice::{NoticeKind, NoticeSettings, QuietHours};
use mend_engine::core::{Timestamp, View};
use mend_engine::node::{self, Event, Node};
use mend_engine::questions::Asked;
use mend_engine::{Command, Engine, NetConfig, Role};
use mend_journal::{Journal, KdfParams, NewEntry};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::time::Duration;
use zeroize::Zeroizing;

/// Names the form a request came from, so its answer is shown beside that form.
pub type Form = &'static str;

#[derive(Clone)]
pub struct BackendConfig {
    pub dir: PathBuf,
    /// None: no networking at all (single-window tests).
    pub net: Option<NetConfig>,
    /// This device's name at set-up; empty: "NAME's laptop", after the person's name.
    pub device_name: String,
    /// Argon2 settings for a new journal; tests choose cheap ones.
    pub journal_kdf: KdfParams,
    /// Post desktop notifications while online (tests turn them off: they would reach the
    /// desktop of whoever runs them).
    pub notifications: bool,
    /// How to start `mend serve --background` for the start-at-login entry (the `mend`
    /// binary and the window's network options). None: Settings says it can't.
    pub launch: Option<mend_engine::background::Launch>,
    /// Where the start-at-login entry goes; None: `$XDG_CONFIG_HOME/autostart` (tests give
    /// a folder of their own, since the environment is shared by every test thread).
    pub autostart_dir: Option<PathBuf>,
    /// The time and time zone the window and its engine read: the system's, or a fixed one
    /// for tests whose pixels must not change with the minute or the machine.
    pub clock: mend_engine::when::Clock,
}

pub enum Request {
    /// First run: create the profile with this name.
    Start {
        name: String,
        /// This device's name as chosen at First run; None or blank: the configured one,
        /// else "NAME's laptop".
        device_name: Option<String>,
    },
    /// First run: join the space whose invitation this is.
    Join {
        ticket: String,
        name: String,
        device_name: Option<String>,
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
    /// Settings: the couple's own relay for the next start (None: the usual relays).
    SetRelay {
        relay: Option<String>,
    },
    JournalUnlock {
        passphrase: Zeroizing<String>,
        /// A new passphrase typed a second time (None to open an existing journal).
        again: Option<Zeroizing<String>>,
    },
    JournalLock,
    JournalAdd {
        entry: NewEntry,
    },
    JournalDelete {
        id: String,
    },
    /// The notes of thanks were shown: they are no longer new.
    MarkThanksSeen,
    /// The person read what Mend did not count (Today): it is told once.
    MarkDoubtsSeen,
    /// Settings: which notifications, quiet hours as typed ("22:00-07:30"), how much they say.
    SetNotices {
        off: BTreeSet<NoticeKind>,
        quiet: Option<String>,
        discreet: bool,
        /// One's own reminders turned on, and the check-in time as typed ("20:00").
        reminders: BTreeSet<NoticeKind>,
        checkin_at: String,
    },
    /// Settings: keep syncing and notifying after the window closes.
    SetKeepRunning {
        on: bool,
    },
    /// Settings: start Mend in the background at login (the XDG autostart entry).
    SetAtLogin {
        on: bool,
    },
    /// The window came in front of the person, or left.
    InView {
        in_view: bool,
    },
    /// Settings: back the whole profile up into `path` (without the device key).
    Backup {
        path: PathBuf,
        passphrase: Zeroizing<String>,
        again: Zeroizing<String>,
    },
    /// Settings: the monthly backup reminder on or off.
    SetBackupReminder {
        monthly: bool,
    },
    /// First run: restore a backup into this window's (new, empty) profile folder.
    Restore {
        path: PathBuf,
        passphrase: Zeroizing<String>,
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
    Node(Event),
    Stop,
}

pub struct Backend {
    tx: mpsc::Sender<Msg>,
    snap: Arc<Mutex<Arc<Snapshot>>>,
    replies: mpsc::Receiver<Reply>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic on one side must not freeze the window: the data behind is still whole.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Backend {
    pub fn start(cfg: BackendConfig, ctx: egui::Context) -> Backend {
        let (tx, rx) = mpsc::channel();
        let (reply_tx, replies) = mpsc::channel();
        let snap = Arc::new(Mutex::new(Arc::new(Snapshot { profile_dir: cfg.dir.clone(), clock: cfg.clock.clone(), ..Snapshot::default() })));
        let shared = snap.clone();
        let events = tx.clone();
        let thread = std::thread::Builder::new().name("mend-backend".into()).spawn(move || {
            let worker = Worker::new(cfg, ctx, shared, reply_tx, events);
            worker.run(rx);
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
        // A worker that already ended has nothing left to stop.
        let _ = self.tx.send(Msg::Stop);
        if let Some(t) = self.thread.take() {
            // Waits for the network to close, so the port is free and peers see us go. A
            // worker that panicked has nothing more to close.
            let _ = t.join();
        }
    }
}

struct Worker {
    cfg: BackendConfig,
    ctx: egui::Context,
    shared: Arc<Mutex<Arc<Snapshot>>>,
    replies: mpsc::Sender<Reply>,
    /// Where the node's events come in, beside the requests.
    events: mpsc::Sender<Msg>,
    node: Option<Node>,
    status: NetStatus,
    log: Vec<String>,
    notes: Vec<String>,
    /// How many of the engine's recovery notes are in `notes` already.
    notes_seen: usize,
    /// The window is in front of the person (kept for a node opened later).
    in_view: bool,
    /// This device's choices about notifications, read when the profile opens.
    notices: NoticeSettings,
    /// This device's choices about running with the window closed, read when it opens.
    background: BackgroundSettings,
    /// What a device did that Mend did not count, already read here (`mend_engine::doubts`).
    doubts_seen: std::collections::BTreeSet<String>,
    /// Today's question and every one answered, as this device reads them (its own sealed
    /// answers open only here): worked out with the lists.
    asked: Option<Arc<(Asked, Vec<Asked>)>>,
    invite: Option<InviteInfo>,
    journal: Option<Journal>,
    phase: Phase,
    /// The view and lists last published, and the document version they were made at:
    /// cloning ten years of view and listing it again is only worth it when it changed.
    published: Option<(u64, Arc<View>, Arc<Lists>)>,
}

impl Worker {
    fn new(
        cfg: BackendConfig,
        ctx: egui::Context,
        shared: Arc<Mutex<Arc<Snapshot>>>,
        replies: mpsc::Sender<Reply>,
        events: mpsc::Sender<Msg>,
    ) -> Worker {
        Worker {
            cfg,
            ctx,
            shared,
            replies,
            events,
            node: None,
            status: NetStatus::default(),
            log: vec![],
            notes: vec![],
            notes_seen: 0,
            in_view: false,
            notices: NoticeSettings::default(),
            background: BackgroundSettings::default(),
            doubts_seen: Default::default(),
            asked: None,
            invite: None,
            journal: None,
            phase: Phase::Starting,
            published: None,
        }
    }

    fn run(mut self, rx: mpsc::Receiver<Msg>) {
        if mend_engine::profile_exists(&self.cfg.dir) {
            match Engine::open(&self.cfg.dir) {
                Ok(e) => self.opened(e),
                Err(e) => self.phase = Phase::Failed(format!("Mend could not open your profile in {}: {e}", self.cfg.dir.display())),
            }
        } else {
            self.phase = Phase::FirstRun;
        }
        self.publish();
        self.check_once();
        loop {
            match rx.recv_timeout(self.until_next_tick()) {
                Ok(Msg::Req(form, req)) => {
                    let result = self.handle(req);
                    // Publish first: when the window reads the reply, the snapshot
                    // already shows what the request changed.
                    self.publish();
                    // The window may be closing: then no one waits for the reply.
                    let _ = self.replies.send(Reply { form, result });
                    self.ctx.request_repaint();
                }
                Ok(Msg::Node(ev)) => {
                    self.on_event(ev);
                    self.publish();
                }
                Ok(Msg::Stop) | Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.invite.as_ref().is_some_and(|i| i.expires_at <= now_secs(&self.cfg.clock)) {
                        self.invite = None;
                    }
                    self.publish();
                }
            }
        }
        if let Some(node) = self.node.take() {
            // Goes offline and keeps the view cache: the next start shows everything at once.
            node.stop();
        }
    }

    /// How long nothing can change without an event: until the clock turns a minute (what is
    /// due today, keep-rate windows) or the open invitation runs out, whichever is first.
    fn until_next_tick(&self) -> Duration {
        let now = self.cfg.clock.now().0;
        let mut wait = Timestamp::MINUTE - now.rem_euclid(Timestamp::MINUTE);
        if let Some(i) = &self.invite {
            wait = wait.min((i.expires_at as i64 * 1000 - now).max(0));
        }
        Duration::from_millis(wait.max(1) as u64)
    }

    /// Once, after the first picture is out: the cached view checked against the document
    /// (here, so the window never waits for it). A mismatch is mended and published, with
    /// its note; so is a repair found once the document finished loading in the background.
    fn check_once(&mut self) {
        let Some(node) = &self.node else { return };
        let mut e = node.engine();
        match e.verify_view() {
            Ok(true) => self.published = None,
            Ok(false) => {}
            Err(err) => self.notes.push(format!("Mend could not check your space against its saved copy: {err}")),
        }
        let more = e.recovery_notes().len() > self.notes_seen;
        if more {
            self.notes.extend(e.recovery_notes()[self.notes_seen..].iter().map(|n| n.to_string()));
            self.notes_seen = e.recovery_notes().len();
        }
        drop(e);
        if more || self.published.is_none() {
            self.publish();
        }
    }

    /// A profile is open: run it as a node, and go online if networking is on.
    fn opened(&mut self, mut engine: Engine) {
        engine.set_clock(self.cfg.clock.clone());
        self.notes.extend(engine.recovery_notes().iter().map(|n| n.to_string()));
        self.notes_seen = engine.recovery_notes().len();
        let key_lost = engine.key_lost().is_some();
        self.notices = engine.notice_settings();
        self.background = background::settings(engine.dir());
        let events = self.events.clone();
        let node = match Node::open(
            engine,
            Arc::new(move |ev| {
                // The worker is gone only when the window closes.
                let _ = events.send(Msg::Node(ev));
            }),
        ) {
            Ok(n) => n,
            Err(e) => {
                self.phase = Phase::Failed(format!("Mend could not open your profile: {e}"));
                return;
            }
        };
        let mut node = node;
        // Commands run on this profile while the window is open hand their writes to it.
        node.open_door();
        node.set_in_view(self.in_view);
        self.phase = Phase::Ready;
        let net = self.cfg.net.clone();
        self.node = Some(node);
        // Shown now, from the view cache when it matched: going online may wait for the
        // document, which loads in the background.
        self.publish();
        let Some(net) = net else { return };
        if key_lost {
            // Today says why and what to do (the recovery note); this device can't sync as itself.
            self.status.error = Some("This device is not syncing: its key is lost. Today says how to add it again.".to_owned());
            return;
        }
        let Some(node) = self.node.as_mut() else { return };
        match node.go_online(&net) {
            Ok(()) => {
                let st = node.status();
                self.status.enabled = true;
                self.status.local_only = st.local_only;
                self.status.listening = st.listening.clone();
                self.status.relay = st.relay.clone();
                self.status.relay_only = st.relay_only;
                // The window keeps the profile in sync, so it tells what comes, like `serve`.
                if self.cfg.notifications
                    && let Err(e) = node.notify_desktop()
                {
                    tracing::warn!(why = %e, "no desktop notifications in this window; Today still shows what waits");
                }
            }
            Err(e) => {
                self.status.enabled = false;
                self.status.error = Some(format!("Mend is offline: {e}. Everything you write is saved and will sync later."));
            }
        }
    }

    /// The name the person chose, else the configured one, else one made from the
    /// person's: "Ana's laptop".
    fn device_name(&self, chosen: Option<&str>, name: Option<&str>) -> String {
        match chosen.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => c.to_owned(),
            None if self.cfg.device_name.trim().is_empty() => mend_engine::default_device_name(name),
            None => self.cfg.device_name.clone(),
        }
    }

    fn node(&self) -> Result<&Node, String> {
        self.node.as_ref().ok_or_else(|| "Mend has no profile open yet: finish First run first".to_owned())
    }

    fn handle(&mut self, req: Request) -> Result<String, String> {
        match req {
            Request::Start { name, device_name } => {
                if self.node.is_some() {
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
                    Engine::init(&self.cfg.dir, name, &self.device_name(device_name.as_deref(), Some(name))).map_err(|e| e.to_string())?
                };
                self.opened(e);
                self.check_once();
                Ok(String::new())
            }
            Request::Join { ticket, name, device_name } => {
                let Some(net) = self.cfg.net.clone() else {
                    return Err("networking is off in this window, so it cannot join: start Mend without tests' settings".into());
                };
                let inviter = node::inviter_of(&ticket).map_err(|e| e.to_string())?;
                self.set_busy(Some(format!("Joining {inviter}'s space…")));
                // From Devices, with a profile open: joining opens the profile itself and
                // binds this device's endpoint, so the running node steps aside first.
                let was_open = self.node.take().map(|n| n.stop()).is_some();
                let device_name = self.device_name(device_name.as_deref(), Some(name.as_str()));
                let joined = node::join(&self.cfg.dir, &net, &ticket, Some(name.as_str()), &device_name);
                self.set_busy(None);
                let joined = match joined {
                    Ok(j) => j,
                    Err(e) => {
                        if was_open {
                            // Nothing was changed: the profile opens again as it was.
                            match Engine::open(&self.cfg.dir) {
                                Ok(engine) => self.opened(engine),
                                Err(e) => self.phase = Phase::Failed(format!("Mend could not open your profile again: {e}")),
                            }
                        }
                        return Err(e.to_string());
                    }
                };
                self.notes.extend(joined.notes.iter().cloned());
                let said = if joined.in_sync {
                    format!("Paired with {inviter}'s space and in sync.")
                } else {
                    format!("Paired with {inviter}'s space; the first sync will finish when both windows are open.")
                };
                self.opened(joined.engine);
                self.check_once();
                Ok(said)
            }
            Request::Execute { form: _, cmd } => {
                let node = self.node()?;
                let out = node.execute(cmd).map_err(|e| e.to_string());
                let warnings = node.engine().take_warnings();
                self.notes.extend(warnings);
                let out = out?;
                Ok(if out.changed {
                    // Saved is enough to say: the record shows in its list, and an id means
                    // nothing to a person.
                    if out.created.is_some() { "Saved.".to_owned() } else { String::new() }
                } else {
                    "Nothing to change: that was already done.".into()
                })
            }
            Request::Invite { role } => {
                if !self.status.enabled {
                    return Err(self.status.error.clone().unwrap_or_else(|| "networking is off in this window, so it cannot invite".into()));
                }
                let t = self.node()?.invite(role, 600).map_err(|e| e.to_string())?;
                self.invite = Some(InviteInfo { text: t.text, role, expires_at: t.expires_at });
                Ok(String::new())
            }
            Request::CancelInvite => {
                self.invite = None;
                Ok(String::new())
            }
            Request::Export { path, json } => {
                let bytes = {
                    let e = self.node()?.engine();
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
            Request::SetNotices { off, quiet, discreet, reminders, checkin_at } => {
                let checkin_at = if reminders.contains(&NoticeKind::CheckIn) {
                    let minute = mend_engine::core::notice::minute_of_day(&checkin_at)
                        .ok_or_else(|| "The check-in time needs hours and minutes, like 20:00. Nothing was changed.".to_owned())?;
                    Some(minute)
                } else {
                    None
                };
                let quiet = match quiet.as_deref().map(str::trim) {
                    None | Some("") => None,
                    Some(q) => Some(
                        QuietHours::parse(q)
                            .ok_or_else(|| "Quiet hours need two times of the day, like 22:00-07:30. Nothing was changed.".to_owned())?,
                    ),
                };
                let settings = NoticeSettings { off, quiet, discreet, reminders, checkin_at };
                self.node()?.engine().set_notice_settings(&settings).map_err(|e| {
                    tracing::warn!(error = %e, "notification settings not saved");
                    "Mend could not save your notification choices. Nothing else was changed; try again in a moment.".to_owned()
                })?;
                self.notices = settings;
                self.published = None;
                Ok("Saved. Notifications follow these choices from now on.".into())
            }
            Request::SetKeepRunning { on } => {
                self.node()?;
                let s = BackgroundSettings { keep_running: on, ..background::settings(&self.cfg.dir) };
                background::save_settings(&self.cfg.dir, &s).map_err(|e| sentence(&e))?;
                self.background = s;
                Ok(if on {
                    "Saved: when you close the window, Mend keeps syncing and tells you what comes. Untick to undo.".into()
                } else {
                    "Saved: closing the window stops Mend. Your space syncs again when you open it.".into()
                })
            }
            Request::SetAtLogin { on } => {
                self.node()?;
                let dir = match &self.cfg.autostart_dir {
                    Some(d) => d.clone(),
                    None => background::autostart_dir_from_env().map_err(|e| sentence(&e))?,
                };
                let said = if on {
                    let launch = self
                        .cfg
                        .launch
                        .as_ref()
                        .ok_or("This window can't find Mend's own program file, so it can't set Mend to start at login. Nothing was changed.")?;
                    background::install_autostart(&dir, &self.cfg.dir, launch).map_err(|e| sentence(&e))?;
                    "Saved: Mend starts in the background when you log in. Untick to undo.".to_owned()
                } else {
                    match background::remove_autostart(&dir, &self.cfg.dir).map_err(|e| sentence(&e))? {
                        Removed::LeftAlone(f) => format!("Saved. {} was not written by Mend for this profile, so Mend left it alone.", f.display()),
                        Removed::Removed(_) | Removed::Nothing => "Saved: Mend no longer starts when you log in.".to_owned(),
                    }
                };
                let s = BackgroundSettings { at_login: on, ..background::settings(&self.cfg.dir) };
                background::save_settings(&self.cfg.dir, &s).map_err(|e| sentence(&e))?;
                self.background = s;
                Ok(said)
            }
            Request::InView { in_view } => {
                self.in_view = in_view;
                if let Some(n) = &self.node {
                    n.set_in_view(in_view);
                }
                Ok(String::new())
            }
            Request::Backup { path, passphrase, again } => {
                self.node()?;
                if *passphrase != *again {
                    return Err("The two passphrases are not the same. Type the same one twice; nothing was saved.".into());
                }
                if path.as_os_str().is_empty() {
                    return Err("Choose where to save the backup first.".into());
                }
                self.set_busy(Some("Backing up…".into()));
                let opts = mend_backup::Options { with_device_key: false, kdf: self.cfg.journal_kdf };
                let done = mend_backup::backup(&self.cfg.dir, &path, &passphrase, opts);
                self.set_busy(None);
                let w =
                    done.map_err(|e| backup_words(&e, "save the backup in that place. Choose another folder, such as a USB stick or another disk"))?;
                Ok(format!(
                    "Backed up to {}. Keep it somewhere other than this computer, and keep the passphrase safe: Mend can't recover a forgotten one. This device's key is not in it, so a restored copy is added once from another device of yours.",
                    w.path.display()
                ))
            }
            Request::SetBackupReminder { monthly } => {
                self.node()?;
                mend_backup::set_monthly_reminder(&self.cfg.dir, monthly).map_err(|e| backup_words(&e, "save this setting. Try again"))?;
                Ok(if monthly {
                    "Saved: Today will remind you when a month has passed since your last backup.".into()
                } else {
                    "Saved: no backup reminders.".into()
                })
            }
            Request::Restore { path, passphrase } => {
                if self.node.is_some() {
                    return Err("This window already has a profile open; a backup is restored only into a new, empty profile.".into());
                }
                if path.as_os_str().is_empty() {
                    return Err("Choose the backup file first.".into());
                }
                self.set_busy(Some("Restoring…".into()));
                let done = mend_backup::restore(&path, &passphrase, &self.cfg.dir);
                self.set_busy(None);
                let r = done.map_err(|e| backup_words(&e, "read that file. Check that it is there, or copy it to this computer first"))?;
                if !r.with_device_key {
                    // It opens read-only until another device adds it: the join comes next.
                    return Ok("Restored your shared space, your journal and your settings. One step is left, because the device key is not in the backup: on another device of yours, open Devices and choose \"Add another device of mine\" (or your partner invites you from theirs), then paste that invitation here and choose Join.".into());
                }
                let e = Engine::open(&self.cfg.dir).map_err(|e| e.to_string())?;
                let name = r.device_name.unwrap_or_else(|| "the device it was made on".into());
                self.notes.push(format!(
                    "This profile was restored with its device key, so this computer is now \"{name}\" itself. Please don't use Mend on the old device anymore: two copies of one device writing at once would tangle your shared space."
                ));
                self.opened(e);
                self.check_once();
                Ok(String::new())
            }
            Request::MarkThanksSeen => {
                self.node()?.engine().mark_thanks_seen().map_err(|e| {
                    // Nobody asked for this: the window only stops asking. Logged, not shown.
                    tracing::warn!(error = %e, "notes of thanks stay new");
                    e.to_string()
                })?;
                // The lists hold what was new; they are worked out again at the next publish.
                self.published = None;
                Ok(String::new())
            }
            Request::MarkDoubtsSeen => {
                let e = self.node()?.engine();
                e.mark_doubts_seen().map_err(|e| {
                    // The window keeps showing them in full: nothing is lost, it asks again
                    // only when the person does.
                    tracing::warn!(error = %e, "what was not counted stays unread");
                    e.to_string()
                })?;
                let seen = e.doubts_seen();
                drop(e);
                self.doubts_seen = seen;
                Ok(String::new())
            }
            Request::SetLocalOnly { local_only } => {
                self.node()?.engine().set_local_only(local_only).map_err(|e| e.to_string())?;
                Ok(if local_only {
                    "Saved: from the next start Mend uses only addresses it already knows (no relays, no discovery).".into()
                } else {
                    "Saved: from the next start Mend uses relays and discovery, so you find each other anywhere.".into()
                })
            }
            Request::SetRelay { relay } => {
                let relay = relay.filter(|r| !r.trim().is_empty());
                self.node()?.engine().set_relay(relay.as_deref()).map_err(|e| sentence(&e))?;
                Ok(match relay {
                    Some(r) => format!("Saved: from the next start Mend goes through your relay at {}.", r.trim()),
                    None => "Saved: from the next start Mend uses the usual relays.".into(),
                })
            }
            Request::JournalUnlock { passphrase, again } => {
                let dir = self.cfg.dir.clone();
                if !Journal::exists(&dir) && again.as_deref() != Some(&*passphrase) {
                    return Err("The two passphrases differ. Nothing was saved: type the same passphrase in both fields.".into());
                }
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
        match &ev {
            Event::Connected { peer, .. } => {
                self.status.connected.insert(peer.to_string());
            }
            Event::Disconnected { peer, .. } => {
                self.status.connected.remove(peer.as_str());
            }
            Event::Paired { .. } => self.invite = None,
            _ => {}
        }
        let Some(line) = ev.describe() else { return };
        let at = self.cfg.clock.format(self.cfg.clock.now());
        self.log.push(format!("{at}  {line}"));
        if self.log.len() > 50 {
            self.log.remove(0);
        }
    }

    /// Lists that depend on the clock (due today, up for review, keep-rate windows) are
    /// worked out again once a minute even when nothing changed.
    fn lists_are_stale(&self) -> bool {
        self.published.as_ref().and_then(|(_, _, l)| l.at).is_some_and(|at| self.cfg.clock.now().0 - at.0 >= Timestamp::MINUTE)
    }

    fn publish(&mut self) {
        let mut s = Snapshot {
            phase: self.phase.clone(),
            profile_dir: self.cfg.dir.clone(),
            net: self.status.clone(),
            invite: self.invite.clone(),
            events: self.log.clone(),
            notes: self.notes.clone(),
            notices: self.notices.clone(),
            background: self.background,
            set_up_device_name: self.cfg.device_name.clone(),
            clock: self.cfg.clock.clone(),
            ..Snapshot::default()
        };
        if let Some(node) = &self.node {
            // Under the engine's lock only what must be read there: the sync sessions wait
            // on that lock, and listing ten years takes milliseconds.
            let stale = self.lists_are_stale();
            let (heads, view, me, thanks_seen) = {
                let mut e = node.engine();
                let heads = e.version();
                // Read from disk only when the lists are worked out again.
                let relist = stale || !matches!(&self.published, Some((h, _, _)) if *h == heads);
                let thanks_seen = relist.then(|| e.thanks_seen());
                if relist {
                    self.doubts_seen = e.doubts_seen();
                    self.asked = Some(Arc::new((e.question_today(), e.questions_asked(61))));
                }
                let view = match &self.published {
                    Some((h, view, _)) if *h == heads => view.clone(),
                    _ => e.view_arc(),
                };
                s.key_lost = e.key_lost().is_some();
                s.device_name = e.device_name().to_owned();
                s.peers = e.peer_infos();
                (heads, view, e.me().clone(), thanks_seen)
            };
            let lists = match (&self.published, thanks_seen) {
                (_, Some(thanks_seen)) => Arc::new(Lists::new(&view, &me, &self.cfg.clock, thanks_seen)),
                (Some((_, _, lists)), None) => lists.clone(),
                (None, None) => Arc::default(),
            };
            self.published = Some((heads, view.clone(), lists.clone()));
            s.view = view;
            s.lists = lists;
            s.me = Some(me);
            s.doubts_seen = self.doubts_seen.clone();
            s.asked = self.asked.clone();
        }
        if self.node.is_some() {
            // A tiny file of this device's: read at each publish, so a backup from the command
            // line counts too (publishes come after actions, arrivals and the minute's turn).
            let r = mend_backup::reminder(&self.cfg.dir);
            let now = self.cfg.clock.now();
            s.backup =
                crate::snapshot::BackupReminder { monthly: r.monthly, last: r.last_backup_ms.map(mend_engine::core::Timestamp), due: r.due(now.0) };
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

/// An error of Mend's own as a sentence: a capital first letter and a full stop.
fn sentence(e: &dyn std::fmt::Display) -> String {
    let s = e.to_string();
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".").unwrap_or_default()
}

fn now_secs(clock: &mend_engine::when::Clock) -> u64 {
    (clock.now().0 / 1000).max(0) as u64
}

/// A backup's error in the window's words: its own sentences are already written for a
/// person; a file the system could not read or write gets a calm sentence of its own
/// (`could_not`: what Mend could not do, and what to try) instead of the system's text.
fn backup_words(e: &mend_backup::BackupError, could_not: &str) -> String {
    use mend_backup::BackupError as B;
    if e.is_disk_full() {
        return "The disk is full, so the backup could not be saved. Free some space, then try again.".into();
    }
    match e {
        B::Fs(_) | B::Store(_) | B::Read { .. } => format!("Mend could not {could_not}."),
        other => {
            let s = other.to_string();
            let mut c = s.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str() + ".").unwrap_or_default()
        }
    }
}
