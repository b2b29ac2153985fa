//! The CLI's networking commands: pairing, the device list, one-off sync and `serve`.

use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use mend_engine::core::DeviceId;
use mend_engine::node::{self, Event, Node, Synced, link_word, path_word};
use mend_engine::{Command, Engine, NetConfig, Role, printable, when};
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

#[derive(Subcommand, Debug)]
pub enum PairCmd {
    /// Show an invitation (print it, then wait until a device joins or the time is up).
    Invite {
        /// Who will join: your partner, or another device of yours.
        #[arg(long = "as", value_parser = ["partner", "own-device"], default_value = "partner")]
        role: String,
        /// How long the invitation stays valid, in seconds.
        #[arg(long, default_value_t = 600, value_name = "SECS")]
        timeout: u64,
    },
    /// Join with an invitation from another device.
    Join {
        ticket: String,
        /// Your name, when joining as a partner from a new profile.
        #[arg(long)]
        name: Option<String>,
        /// A name for this device (default: "YOUR NAME's laptop"; rename it any time).
        #[arg(long)]
        device_name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum DevicesCmd {
    /// Take a device off this space: it can no longer sync, and is disconnected at once.
    /// Asks first (says what it does on both sides); `--yes` skips the question.
    Remove {
        id: String,
        #[arg(long)]
        yes: bool,
    },
    /// Give one of your devices a name of your choosing (your partner sees it too).
    Rename {
        id: String,
        #[arg(long)]
        name: String,
    },
    /// Leave the space: stop syncing with every other device; everything stays here.
    /// Asks first; `--yes` skips the question.
    Leave {
        #[arg(long)]
        yes: bool,
    },
}

/// The global options about the network, as given.
pub struct NetFlags {
    pub local_only: bool,
    pub bind: Option<SocketAddr>,
    pub relay: Option<String>,
    pub relay_only: bool,
}

/// The network the global options ask for: local-only (`--local-only`, `MEND_NET=local` or
/// the profile's saved choice), the couple's own relay (`--relay`), and no direct path at
/// all (`--relay-only`). A combination that could reach nobody is refused here, in words,
/// before anything binds.
pub fn net_config(dir: &Path, cli: &NetFlags) -> Result<NetConfig> {
    let mut net = mend_engine::net_config(dir, cli.local_only, std::env::var("MEND_NET").ok().as_deref(), cli.bind);
    if let Some(text) = &cli.relay {
        net.relay = Some(mend_engine::parse_relay_url(text).map_err(|e| anyhow!("--relay: {e}"))?);
    }
    net.relay_only = cli.relay_only;
    if net.relay_only && net.relay.is_none() && net.mode == mend_engine::NetMode::LocalOnly {
        bail!(
            "--relay-only needs a relay, and local-only mode uses none unless you name one: add --relay URL (your own relay), or leave out --relay-only"
        );
    }
    if net.relay_only && cli.bind.is_some() {
        bail!("--relay-only listens on no address of its own, so --bind has nothing to do: leave one of the two out");
    }
    Ok(net)
}

fn log(line: &str) {
    eprintln!("{} {line}", when::format(when::now()));
}

/// Logs every event worth a line; the words come from the node, made printable there.
fn log_event(e: &Event) {
    if let Some(line) = e.describe() {
        log(&line);
    }
}

pub fn pair(engine: Engine, net: &NetConfig, cmd: PairCmd) -> Result<()> {
    let PairCmd::Invite { role, timeout } = cmd else { bail!("internal: join is handled before opening") };
    let role = Role::parse(&role).ok_or_else(|| anyhow!("unknown role {role}"))?;
    let timeout = timeout.clamp(1, 24 * 3600);
    let (tx, rx) = mpsc::channel();
    let mut node = Node::open(
        engine,
        Arc::new(move |e| {
            // Once this command has finished waiting, nobody reads the rest.
            let _ = tx.send(e);
        }),
    )?;
    node.go_online(net)?;
    let invitation = node.invite(role, timeout)?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", invitation.text)?;
        out.flush()?;
    }
    let until = mend_engine::core::Timestamp(invitation.expires_at as i64 * 1000);
    eprintln!(
        "Give this invitation to {} (it works once, until {}). Waiting for a device to join…",
        if role == Role::Partner { "your partner" } else { "your other device" },
        when::format(until)
    );
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let mut joined: Option<(DeviceId, String)> = None;
    loop {
        let wait = match &joined {
            // Once paired, give the new device a little time to finish its first sync.
            Some(_) => Duration::from_secs(60),
            None => deadline.saturating_duration_since(Instant::now()),
        };
        let Ok(ev) = rx.recv_timeout(wait) else { break };
        log_event(&ev);
        match ev {
            Event::Paired { device, name, .. } => joined = Some((device, name)),
            Event::InStep { peer, .. } if joined.as_ref().is_some_and(|(d, _)| *d == peer) => break,
            Event::Disconnected { peer, .. } if joined.as_ref().is_some_and(|(d, _)| *d == peer) => break,
            _ => {}
        }
    }
    node.stop();
    match joined {
        Some((_, name)) => {
            eprintln!("{} is paired. Run `mend serve` on both devices to stay in sync.", printable::line(&name));
            Ok(())
        }
        None => bail!("no device joined within {timeout} s; the invitation has expired. Run `mend pair invite` again for a new one"),
    }
}

pub fn join(dir: &Path, net: &NetConfig, text: &str, name: Option<&str>, device_name: Option<String>) -> Result<()> {
    let inviter = node::inviter_of(text)?;
    let device_name = device_name.unwrap_or_else(|| mend_engine::default_device_name(name));
    let joined = node::join(dir, net, text, name, &device_name)?;
    for n in &joined.notes {
        eprintln!("mend: note: {n}");
    }
    writeln!(std::io::stdout(), "{}", joined.engine.me().device)?;
    // The inviter's name came inside the ticket: text from outside, made printable.
    let inviter = printable::line(&inviter);
    if joined.in_sync {
        eprintln!("Paired with {inviter}'s space and in sync. Run `mend serve` to stay in sync.");
    } else {
        eprintln!("Paired with {inviter}'s space; the first sync did not finish. Run `mend sync --once` or `mend serve`.");
    }
    Ok(())
}

pub fn devices(engine: &mut Engine, cmd: Option<DevicesCmd>, json: bool) -> Result<()> {
    if let Some(DevicesCmd::Leave { yes }) = cmd {
        crate::ask::go_ahead(yes, mend_engine::asking::LEAVING, "Leave the space?")?;
        let out = engine.execute(Command::LeaveSpace)?;
        eprintln!(
            "{}",
            if out.changed {
                "You left the space: this device syncs with no other now. Everything stays here; your partner's devices keep their copy of what was shared."
            } else {
                "This device already syncs with no other device."
            }
        );
        return Ok(());
    }
    if let Some(DevicesCmd::Rename { id, name }) = cmd {
        let out = engine.execute(Command::RenameDevice { id, name })?;
        eprintln!("{}", if out.changed { "Renamed. Your partner's devices show the new name once they sync." } else { "It already has that name." });
        return Ok(());
    }
    if let Some(DevicesCmd::Remove { id, yes }) = cmd {
        let d = engine.find_device(&id)?;
        // The partner's devices are refused by the rules (with what to do instead): asking
        // first would only delay that.
        if d.removed_at.is_none() && d.id != engine.me().device && d.partner == engine.me().partner {
            let says = mend_engine::asking::removing_device(&d);
            crate::ask::go_ahead(yes, &says, &format!("Remove {}?", printable::line(&d.name)))?;
        }
        let out = engine.execute(Command::RemoveDevice { id })?;
        eprintln!(
            "{}",
            if out.changed {
                "Removed. That device can no longer sync with this space; a running `mend serve` disconnects it at once."
            } else {
                "That device was already removed."
            }
        );
        return Ok(());
    }
    let peers = engine.peer_infos();
    // Only a running Mend (the window, `serve`) is connected to anyone; none running, none.
    let now: std::collections::BTreeMap<String, Option<mend_engine::Link>> =
        mend_engine::node::connected_now(engine.dir()).unwrap_or_default().into_iter().map(|p| (p.device.to_string(), p.link)).collect();
    let v = engine.view();
    let me = &engine.me().device;
    let rows: Vec<serde_json::Value> = v
        .devices
        .values()
        .map(|d| {
            let p = peers.get(d.id.as_str());
            serde_json::json!({
                "id": d.id,
                "name": d.name,
                "partner": d.partner,
                "partner_name": v.partner_name(&d.partner),
                "this_device": &d.id == me,
                // A removal by this partner's device counts here even where it is not
                // counted as a removal (an older Mend removed the other partner's devices).
                "removed": d.removed_at.is_some() || d.removed_by.as_ref() == Some(&engine.me().partner),
                "verified": d.verified,
                "connected": now.contains_key(d.id.as_str()),
                "last_synced": p.and_then(|p| p.last_synced),
                // The path in use when connected, else the one last used.
                "link": now.get(d.id.as_str()).copied().flatten().or(p.and_then(|p| p.link)).map(|l| path_word(l, p.and_then(|p| p.addrs.first()))),
                "last_error": p.and_then(|p| p.last_error.clone()),
            })
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    for r in rows {
        let synced = match r["last_synced"].as_i64() {
            _ if r["this_device"] == true => "this device".to_owned(),
            _ if r["connected"] == true => format!("connected now ({})", r["link"].as_str().unwrap_or("direct")),
            Some(t) => format!("last synced {} ({})", when::format(mend_engine::core::Timestamp(t)), r["link"].as_str().unwrap_or("direct")),
            None => "never synced".to_owned(),
        };
        writeln!(
            out,
            "{}  {} ({}){}  {}",
            r["id"].as_str().unwrap_or(""),
            printable::line(r["name"].as_str().unwrap_or("")),
            printable::line(r["partner_name"].as_str().unwrap_or("")),
            match (r["removed"] == true, r["verified"] == true) {
                (true, _) => "  [removed]",
                // Listed as this partner's by someone who is not: what it writes is
                // shown as not verified (docs/protocol.md, "Who wrote what").
                (false, false) => "  [not added by one of their devices]",
                (false, true) => "",
            },
            synced
        )?;
    }
    Ok(())
}

pub fn sync_once(engine: Engine, net: &NetConfig, timeout: u64) -> Result<()> {
    if !engine.view().trusted_devices().any(|d| d.id != engine.me().device) {
        bail!("this device is not paired with any other yet: run `mend pair invite` here and `mend pair join` on the other device");
    }
    let node = Node::open(engine, Arc::new(|_| {}))?;
    let results = node.sync_once(net, Duration::from_secs(timeout.max(1)))?;
    let mut synced = 0;
    let mut failed = 0;
    let mut unreachable = 0;
    let mut out = std::io::stdout().lock();
    for r in &results {
        let (d, name) = (&r.device, printable::line(&r.name));
        match &r.result {
            Synced::InStep { link } => {
                synced += 1;
                writeln!(out, "{d}  synced with {name} ({})", link_word(*link))?;
            }
            Synced::ByRunningNode => {
                synced += 1;
                writeln!(out, "{d}  kept in sync with {name} by the Mend running on this device")?;
            }
            Synced::Unreachable(why) => {
                unreachable += 1;
                writeln!(out, "{d}  unreachable: {name}: {}", printable::line(why))?;
            }
            Synced::Failed(why) => {
                failed += 1;
                writeln!(out, "{d}  failed: {name}: {}", printable::line(why))?;
            }
        }
    }
    drop(out);
    for w in node.engine().take_warnings() {
        eprintln!("mend: warning: {w}");
    }
    node.stop();
    if synced == 0 && failed == 0 {
        bail!(
            "none of your {} paired device(s) could be reached: make sure Mend runs there (`mend serve`) and the devices can reach each other",
            unreachable
        );
    }
    if failed > 0 {
        bail!("{failed} device(s) could not be synced; see above");
    }
    Ok(())
}

/// `quiet`: Mend's own background process, whose stderr no one reads; every line is in
/// the profile's log anyway (logs/mend.log).
pub fn serve(mut engine: Engine, net: &NetConfig, quiet: bool) -> Result<()> {
    // Serving runs for hours: the cached view it opened with is checked against the
    // document once, before anything is served from it.
    if engine.verify_view()? {
        for n in engine.recovery_notes().iter().filter(|n| matches!(n, mend_engine::Recovery::ViewRebuilt)) {
            eprintln!("mend: note: {n}");
        }
    }
    let me = engine.me().device.clone();
    let dir = engine.dir().to_owned();
    let mut node = Node::open(
        engine,
        Arc::new(move |e| {
            if !quiet {
                log_event(&e)
            }
        }),
    )?;
    node.open_door();
    node.go_online(net)?;
    node.notify_desktop()?;
    match &net.relay {
        _ if quiet => tracing::info!("serving in the background"),
        // No socket of its own: the relay is the only way in.
        Some(relay) if net.relay_only => log(&format!("serving as {me} through the relay {relay} only")),
        _ if net.relay_only => log(&format!("serving as {me} through relays only")),
        _ => log(&format!("serving as {me} on {}", node.status().listening.join(", "))),
    }
    // A background serve notes itself once online and listening for SIGTERM, so the window
    // takes over only from one that stops cleanly; forgotten on the way out.
    let mut noted = None;
    node.wait_for_stop_signal_then(|| {
        if quiet {
            noted = crate::background_cmd::serving(&dir);
        }
    });
    // Stopping keeps the view cache: what arrived while serving shows at once next time.
    node.stop();
    drop(noted);
    if !quiet {
        log("stopped");
    }
    Ok(())
}
