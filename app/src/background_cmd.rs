//! Keeping the profile in sync with the window closed: `mend background` and `mend
//! autostart`, the `serve --background` that the window leaves behind (or login starts),
//! and the window taking over from it when it opens again.
//!
//! Two commands rather than one `mend settings` family: they mirror the window's two
//! switches and `mend notifications status|on|off`, and each says one thing.

use crate::net_cmd::NetFlags;
use anyhow::{Context, Result};
use clap::Subcommand;
use mend_engine::background::{self as bg, Entry, Launch, Removed};
use std::io::Write;
use std::path::Path;
use std::time::Duration;

#[derive(Subcommand, Debug)]
pub enum SwitchCmd {
    /// Whether it is on (and, for the background, whether a background `serve` runs now).
    Status,
    /// Switch it on for this device (the other devices are not changed).
    On,
    /// Switch it off for this device: undoes `on`, and leaves everything else as it was.
    Off,
}

/// The network options to hand on to a `serve` that starts later, with no terminal and no
/// environment of this one: `MEND_NET=local` becomes `--local-only`.
pub fn net_args(flags: &NetFlags) -> Vec<String> {
    let mut a = vec![];
    if flags.local_only || std::env::var("MEND_NET").ok().as_deref() == Some("local") {
        a.push("--local-only".to_owned());
    }
    if let Some(b) = flags.bind {
        a.extend(["--bind".to_owned(), b.to_string()]);
    }
    if let Some(r) = &flags.relay {
        a.extend(["--relay".to_owned(), r.clone()]);
    }
    if flags.relay_only {
        a.push("--relay-only".to_owned());
    }
    a
}

pub fn launch(flags: &NetFlags) -> Result<Launch> {
    let exe = std::env::current_exe().context("Mend could not find its own program file, so it cannot start itself later")?;
    Ok(Launch { exe, net_args: net_args(flags) })
}

/// `mend background status|on|off`.
pub fn background(dir: &Path, cmd: SwitchCmd) -> Result<()> {
    let mut s = bg::settings(dir);
    match cmd {
        SwitchCmd::Status => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "keep running after the window closes: {}", if s.keep_running { "on" } else { "off" })?;
            match running_serve(dir) {
                Some(pid) => writeln!(out, "running in the background now: yes (process {pid})")?,
                None => writeln!(out, "running in the background now: no")?,
            }
            return Ok(());
        }
        SwitchCmd::On => s.keep_running = true,
        SwitchCmd::Off => s.keep_running = false,
    }
    bg::save_settings(dir, &s)?;
    eprintln!(
        "{}",
        if s.keep_running {
            "On: when you close the window, Mend keeps syncing and notifying in the background. `mend background off` undoes it."
        } else {
            "Off: closing the window stops Mend. A background Mend running now stops when you next open the window."
        }
    );
    Ok(())
}

/// `mend autostart status|on|off`.
pub fn autostart(dir: &Path, flags: &NetFlags, cmd: SwitchCmd) -> Result<()> {
    let folder = bg::autostart_dir_from_env()?;
    let mut s = bg::settings(dir);
    match cmd {
        SwitchCmd::Status => {
            let file = bg::autostart_file(&folder);
            let said = match bg::autostart_entry(&folder, dir) {
                Entry::Ours => format!("on: {} starts Mend in the background at login", file.display()),
                Entry::None => "off".to_owned(),
                Entry::OtherProfile(p) => format!("off for this profile: {} starts the profile in {p}", file.display()),
                Entry::Foreign => format!("off: {} is there but was not written by Mend", file.display()),
            };
            writeln!(std::io::stdout(), "start at login: {said}")?;
            return Ok(());
        }
        SwitchCmd::On => {
            let file = bg::install_autostart(&folder, dir, &launch(flags)?)?;
            s.at_login = true;
            bg::save_settings(dir, &s)?;
            eprintln!("On: Mend starts in the background when you log in ({}). `mend autostart off` undoes it.", file.display());
        }
        SwitchCmd::Off => {
            let removed = bg::remove_autostart(&folder, dir)?;
            s.at_login = false;
            bg::save_settings(dir, &s)?;
            match removed {
                Removed::Removed(f) => eprintln!("Off: Mend no longer starts at login (removed {}).", f.display()),
                Removed::Nothing => eprintln!("Off: Mend does not start at login."),
                Removed::LeftAlone(f) => eprintln!("Off for this profile. {} was not written for it, so Mend left it alone.", f.display()),
            }
        }
    }
    Ok(())
}

/// The window closed: with "keep running" on, a `mend serve --background` for this profile
/// goes on syncing and notifying, in a process group of its own (the terminal the window
/// was started from may close), its output in `logs/background.log`. Returns its process id.
///
/// `took_over`: the window stopped a background Mend when it opened. With "start at login"
/// on, that one is handed back, so opening and closing the window leaves things as they
/// were; with both off, nothing goes on running.
pub fn after_window(dir: &Path, flags: &NetFlags, took_over: bool) -> Result<Option<u32>> {
    let s = bg::settings(dir);
    if !(s.keep_running || (took_over && s.at_login)) || !mend_engine::profile_exists(dir) {
        return Ok(None);
    }
    if let Some(pid) = running_serve(dir) {
        // One is still running (started at login while the window was open): it is enough.
        return Ok(Some(pid));
    }
    let logs = dir.join("logs");
    mend_fs::create_private_dir(&logs).context("Mend could not keep running in the background: its log folder can't be made")?;
    let mut open = std::fs::OpenOptions::new();
    open.create(true).write(true).truncate(true);
    // Owner-only, like every log of Mend's.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let log = open.open(logs.join("background.log")).context("Mend could not keep running in the background: its log file can't be written")?;
    let err = log.try_clone().context("Mend could not keep running in the background")?;
    let l = launch(flags)?;
    let mut c = std::process::Command::new(&l.exe);
    c.args(l.args(&bg::absolute(dir))).stdin(std::process::Stdio::null()).stdout(log).stderr(err);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut c, 0);
    let child = c.spawn().context("Mend could not keep running in the background")?;
    tracing::info!(pid = child.id(), "left running in the background");
    Ok(Some(child.id()))
}

/// The window opens: a background `serve` of this profile steps aside (two processes online
/// as one device would fight over its identity), and the window syncs instead. A `serve`
/// the person started themselves is never touched: only one that noted itself as background.
/// Returns whether there was one.
pub fn take_over(dir: &Path) -> bool {
    let Some(pid) = running_serve(dir) else { return false };
    tracing::info!(pid, "the window takes over from the background Mend");
    #[cfg(unix)]
    {
        // SAFETY: kill(2) with a plain process id and signal touches no memory of ours; the
        // id was just checked to be a background `mend serve` of this very profile.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        let end = std::time::Instant::now() + Duration::from_secs(8);
        while std::time::Instant::now() < end && is_background_serve(pid, dir) {
            std::thread::sleep(Duration::from_millis(25));
        }
    }
    true
}

/// The background `serve` of this profile that runs now, if any.
pub fn running_serve(dir: &Path) -> Option<u32> {
    bg::noted_running(dir).filter(|pid| is_background_serve(*pid, dir))
}

/// Whether `pid` is still a `mend … serve --background` for `dir` (a process id can be
/// reused by anything once its process ended).
fn is_background_serve(pid: u32, dir: &Path) -> bool {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else { return false };
    // A process that ended but was not yet reaped has an empty command line.
    let args: Vec<&[u8]> = raw.split(|b| *b == 0).collect();
    let has = |a: &[u8]| args.contains(&a);
    let want = bg::absolute(dir);
    let profile = args.windows(2).find(|w| w[0] == b"--profile").map(|w| w[1]);
    has(b"serve") && has(b"--background") && profile.is_some_and(|p| bg::absolute(Path::new(&*String::from_utf8_lossy(p))) == want)
}

/// What `serve --background` does first and last: note itself, so the window can take over.
pub fn serving(dir: &Path) -> Option<BackgroundGuard> {
    let pid = std::process::id();
    match bg::note_running(dir, pid) {
        Ok(()) => Some(BackgroundGuard { dir: dir.to_owned(), pid }),
        Err(e) => {
            tracing::warn!(error = %e, "the window will not know this background Mend runs");
            None
        }
    }
}

pub struct BackgroundGuard {
    dir: std::path::PathBuf,
    pid: u32,
}

impl Drop for BackgroundGuard {
    fn drop(&mut self) {
        bg::clear_running(&self.dir, self.pid);
    }
}
