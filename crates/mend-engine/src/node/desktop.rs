//! Desktop notifications, posted by the process that keeps the profile in sync (the window
//! or `mend serve`) to the freedesktop notification service on the session bus.
//!
//! A thread of its own, asleep until the space changes or quiet hours end: it asks the
//! engine what to tell ([`Engine::take_news`]) and posts it. No bus (a headless machine, a
//! desktop without a notification service) is said once in the log and changes nothing
//! else: Today still lists everything.

use super::lock;
use crate::{APP_ID, Engine, EngineError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use zbus::zvariant::Value;

const SERVICE: &str = "org.freedesktop.Notifications";
const PATH: &str = "/org/freedesktop/Notifications";

/// The node's side: pokes (one pending at most: a burst of changes is one decision) and
/// whether the window is in front of the person.
#[derive(Clone)]
pub(crate) struct Poke {
    tx: SyncSender<()>,
}

impl Poke {
    pub(crate) fn new() -> (Poke, Receiver<()>) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        (Poke { tx }, rx)
    }

    pub(crate) fn poke(&self) {
        match self.tx.try_send(()) {
            // Full: a decision is pending already and will see this change too.
            Ok(()) | Err(TrySendError::Full(())) => {}
            // Nobody decides: notifications were never started in this process (a CLI
            // command), which is as it should be.
            Err(TrySendError::Disconnected(())) => {}
        }
    }
}

/// Decides and posts until the node goes.
pub(crate) fn run(rx: Receiver<()>, engine: Arc<Mutex<Engine>>, in_view: Arc<AtomicBool>) {
    let mut bus = Bus::default();
    let mut again: Option<Duration> = None;
    loop {
        let woke = match again {
            Some(d) => rx.recv_timeout(d),
            None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        if woke == Err(RecvTimeoutError::Disconnected) {
            return;
        }
        let told = lock(&engine).take_news(in_view.load(Ordering::Relaxed));
        match told {
            Ok(t) => {
                // A little past the end of quiet hours, so the next decision falls outside them.
                again = t.again_in_minutes.map(|m| Duration::from_secs(u64::from(m) * 60 + 5));
                for p in &t.post {
                    bus.post(&p.summary);
                }
            }
            // Nothing is lost: the news stays on Today and is decided again at the next change.
            Err(e) => tracing::warn!(why = %e, "could not decide which notifications to post"),
        }
    }
}

#[derive(Default)]
struct Bus {
    conn: Option<zbus::blocking::Connection>,
    said_missing: bool,
}

impl Bus {
    fn post(&mut self, summary: &str) {
        match self.try_post(summary) {
            Ok(()) => tracing::info!("posted a notification"),
            Err(e) => {
                self.conn = None;
                // Said once per process: a desktop without the service is not news each time.
                if !self.said_missing {
                    self.said_missing = true;
                    tracing::warn!(why = %e, "no desktop notification service; Today still shows what waits");
                }
            }
        }
    }

    fn try_post(&mut self, summary: &str) -> Result<(), zbus::Error> {
        if self.conn.is_none() {
            self.conn = Some(zbus::blocking::Connection::session()?);
        }
        let Some(conn) = &self.conn else { return Ok(()) };
        let hints: HashMap<&str, Value<'_>> = HashMap::from([("desktop-entry", Value::from(APP_ID)), ("urgency", Value::U8(1))]);
        let body = &("Mend", 0u32, APP_ID, summary, "", Vec::<&str>::new(), hints, -1i32);
        conn.call_method(Some(SERVICE), PATH, Some(SERVICE), "Notify", body)?;
        Ok(())
    }
}

pub(crate) fn spawn(rx: Receiver<()>, engine: Arc<Mutex<Engine>>, in_view: Arc<AtomicBool>) -> Result<(), EngineError> {
    std::thread::Builder::new()
        .name("mend-notices".into())
        .spawn(move || run(rx, engine, in_view))
        .map(|_| ())
        .map_err(|e| EngineError::Pairing(format!("Mend could not start its notifications ({e}); close some programs and try again")))
}
