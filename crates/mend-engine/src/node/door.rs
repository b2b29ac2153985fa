//! The running node's door for the other Mend processes of its profile: a local socket
//! (`PROFILE/node.sock`, owner-only) through which a CLI command hands its write to the node
//! that already holds the document, instead of loading ten years of it itself, and asks who
//! is connected right now (only the running node knows).
//!
//! One request and one answer per connection, each a line of JSON. The node answers only
//! processes of the profile's owner (the socket is owner-only, in the owner-only profile
//! folder, and the peer's user id is checked as well).
//!
//! A request the node cannot read is answered `Unknown` before anything is done, so an
//! older or newer `mend` falls back to doing the work itself. Once a command was sent, the
//! client never falls back: if no answer comes, it cannot know whether the node saved it,
//! and doing it again could write it twice.

use crate::command::Command;
use crate::engine::Outcome;
use mend_core::{DeviceId, RecordId, Timestamp};
use mend_sync::peers::Link;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The socket's name in the profile folder.
pub const SOCKET: &str = "node.sock";

/// A request can hold a long text (a repair); anything past this is not a Mend request.
const MAX_LINE: usize = 4 << 20;

pub(crate) fn socket_path(profile: &Path) -> PathBuf {
    profile.join(SOCKET)
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Ask {
    /// Check, apply and save this command as if at `now` (the asking process's clock).
    Execute { cmd: Command, now: Timestamp },
    /// Which devices are connected now.
    Presence,
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Answer {
    Done {
        created: Option<RecordId>,
        changed: bool,
        warnings: Vec<String>,
    },
    /// The command was refused (by the rules, or saving failed): nothing was saved.
    Refused(String),
    Presence(Vec<Present>),
    /// The node could not read the request; it did nothing.
    Unknown,
}

/// One device the running node is connected to now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Present {
    pub device: DeviceId,
    pub link: Option<Link>,
}

/// What a command handed to the running node came to.
#[derive(Debug)]
pub(crate) enum Handed {
    /// No node runs on this profile (or it could not read the request): do it here.
    NoNode,
    Done(Outcome, Vec<String>),
    Refused(String),
    /// Sent, and no answer came: it may or may not be saved.
    Unknown(String),
}

#[cfg(unix)]
mod client {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::os::unix::net::UnixStream;
    use std::time::Duration;

    /// Connects to the node of `profile`, if one listens. A socket left by a node that
    /// crashed refuses the connection: that is "no node" too.
    fn connect(profile: &Path) -> Option<UnixStream> {
        let s = UnixStream::connect(socket_path(profile)).ok()?;
        // The node answers within one save; a node stuck for this long is not answering.
        let wait = Some(Duration::from_secs(60));
        if s.set_read_timeout(wait).is_err() || s.set_write_timeout(wait).is_err() {
            return None;
        }
        Some(s)
    }

    fn ask(s: &mut UnixStream, a: &Ask) -> std::io::Result<Option<Answer>> {
        let mut line = serde_json::to_vec(a).map_err(std::io::Error::other)?;
        line.push(b'\n');
        s.write_all(&line)?;
        s.flush()?;
        let mut back = String::new();
        BufReader::new(s).take(MAX_LINE as u64).read_line(&mut back)?;
        Ok(serde_json::from_str(back.trim_end()).ok())
    }

    pub(crate) fn execute(profile: &Path, cmd: &Command, now: Timestamp) -> Handed {
        let Some(mut s) = connect(profile) else { return Handed::NoNode };
        match ask(&mut s, &Ask::Execute { cmd: cmd.clone(), now }) {
            Ok(Some(Answer::Done { created, changed, warnings })) => Handed::Done(Outcome { created, changed }, warnings),
            Ok(Some(Answer::Refused(why))) => Handed::Refused(why),
            Ok(Some(Answer::Unknown)) => Handed::NoNode,
            Ok(Some(Answer::Presence(_)) | None) => Handed::Unknown("its answer could not be read".into()),
            Err(e) => Handed::Unknown(e.to_string()),
        }
    }

    /// Who is connected now, as the running node of `profile` sees it; `None` when no node
    /// runs there (then nobody is connected through this device).
    pub fn connected_now(profile: &Path) -> Option<Vec<Present>> {
        let mut s = connect(profile)?;
        match ask(&mut s, &Ask::Presence) {
            Ok(Some(Answer::Presence(p))) => Some(p),
            _ => None,
        }
    }
}

#[cfg(not(unix))]
mod client {
    use super::*;
    pub(crate) fn execute(_: &Path, _: &Command, _: Timestamp) -> Handed {
        Handed::NoNode
    }
    pub fn connected_now(_: &Path) -> Option<Vec<Present>> {
        None
    }
}

pub use client::connected_now;
pub(crate) use client::execute;

#[cfg(unix)]
pub(super) mod server {
    use super::*;
    use crate::engine::Engine;
    use mend_sync::Hub;
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{UnixListener, UnixStream};

    /// What the door needs of the node.
    pub(crate) struct Inside {
        pub engine: Arc<Mutex<Engine>>,
        pub hub: Arc<Hub<Engine>>,
        pub changed: Arc<dyn Fn() + Send + Sync>,
    }

    /// Why the door stays shut (the node works without it; commands then load the document
    /// themselves).
    #[derive(Debug, thiserror::Error)]
    pub(crate) enum Shut {
        #[error("another Mend already runs on this profile and answers its commands")]
        Taken,
        #[error("{0}")]
        Io(#[from] std::io::Error),
    }

    /// Binds the door. A socket file whose node is gone is replaced; one whose node answers
    /// is left to it.
    pub(crate) fn bind(profile: &Path) -> Result<UnixListener, Shut> {
        use std::os::unix::fs::PermissionsExt;
        let path = socket_path(profile);
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(Shut::Taken);
        }
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
        let l = UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        Ok(l)
    }

    /// Answers requests until the runtime stops.
    pub(crate) async fn serve(listener: UnixListener, owner: u32, inside: Arc<Inside>) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                // Out of descriptors, most likely: the next command does its work itself.
                tracing::warn!("the node's local door stopped accepting; commands load the profile themselves");
                return;
            };
            let inside = inside.clone();
            tokio::spawn(async move {
                if let Err(e) = answer(stream, owner, &inside).await {
                    tracing::info!(error = %e, "a local request ended without an answer");
                }
            });
        }
    }

    async fn answer(stream: UnixStream, owner: u32, inside: &Arc<Inside>) -> std::io::Result<()> {
        // The socket is owner-only already; another user's process (root aside) has no
        // business here, whatever the file's mode became.
        if stream.peer_cred()?.uid() != owner {
            return Ok(());
        }
        let (read, mut write) = stream.into_split();
        let mut line = String::new();
        BufReader::new(read).take(MAX_LINE as u64).read_line(&mut line).await?;
        let ask: Option<Ask> = serde_json::from_str(line.trim_end()).ok();
        let answer = match ask {
            None => Answer::Unknown,
            Some(ask) => {
                let inside = inside.clone();
                tokio::task::spawn_blocking(move || handle(&inside, ask)).await.map_err(std::io::Error::other)?
            }
        };
        let mut out = serde_json::to_vec(&answer).map_err(std::io::Error::other)?;
        out.push(b'\n');
        write.write_all(&out).await?;
        write.shutdown().await
    }

    fn handle(inside: &Inside, ask: Ask) -> Answer {
        match ask {
            Ask::Execute { cmd, now } => {
                let mut e = super::super::lock(&inside.engine);
                let o = match e.execute_at(cmd, now) {
                    Ok(o) => o,
                    Err(err) => return Answer::Refused(err.to_string()),
                };
                let warnings = e.take_warnings();
                // The command's own process reads the view cache next time: keep it current,
                // so that it opens at once instead of loading the document.
                e.save_view_cache();
                drop(e);
                inside.hub.drop_revoked();
                inside.hub.notify_change();
                (inside.changed)();
                Answer::Done { created: o.created, changed: o.changed, warnings }
            }
            Ask::Presence => {
                let peers = super::super::lock(&inside.engine).peer_infos();
                Answer::Presence(
                    inside.hub.live_peers().into_iter().map(|d| Present { link: peers.get(d.as_str()).and_then(|p| p.link), device: d }).collect(),
                )
            }
        }
    }
}
