//! Shared helpers that keep end-to-end tests short: a profile in a temporary folder and the
//! real `mend` binary run against it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const MEND: &str = env!("CARGO_BIN_EXE_mend");

/// One device: a profile folder that is deleted when the test ends.
pub struct Device {
    pub dir: tempfile::TempDir,
}

impl Device {
    /// A new profile for `name`.
    pub fn init(name: &str) -> Device {
        let d = Device { dir: tempfile::tempdir().expect("temp dir") };
        d.ok(&["init", "--name", name, "--device-name", &format!("{name}'s laptop")]);
        d
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(MEND);
        // No session bus: a test never posts a notification to the desktop of whoever runs it
        // (tests/notifications.rs gives the bus of its own).
        c.arg("--profile").arg(self.dir.path()).env_remove("MEND_PROFILE").env_remove("DBUS_SESSION_BUS_ADDRESS").stdin(Stdio::null());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run mend")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "mend {args:?} failed:\n{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).expect("utf-8 stdout")
    }

    /// Runs a command that must fail with a message for a person; returns its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(!o.status.success(), "mend {args:?} should have failed");
        let err = String::from_utf8(o.stderr).expect("utf-8 stderr");
        assert_person_error(&err);
        err
    }

    /// Runs a command that creates a record; returns the id it printed.
    pub fn create(&self, args: &[&str]) -> String {
        let out = self.ok(args);
        let id = out.trim().to_owned();
        assert!(!id.is_empty() && !id.contains(char::is_whitespace), "expected one id, got {out:?}");
        id
    }

    pub fn show(&self) -> serde_json::Value {
        serde_json::from_str(&self.ok(&["show", "--json"])).expect("show --json is JSON")
    }
}

/// A command that Mend must refuse: exit code 1, nothing on stdout, and on stderr a sentence
/// for a person that says `says`. Returns the message.
pub fn refused(d: &Device, args: &[&str], says: &str) -> String {
    let o = d.run(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "mend {args:?} should be refused with exit code 1; stderr: {err}");
    assert_person_error(&err);
    assert!(err.contains(says), "mend {args:?}: expected {says:?} in the message, got {err:?}");
    assert!(o.stdout.is_empty(), "mend {args:?}: a refused command prints nothing on stdout, got {:?}", String::from_utf8_lossy(&o.stdout));
    err
}

/// An error is a sentence for a person: never a panic, a backtrace or a debug dump.
pub fn assert_person_error(stderr: &str) {
    assert!(stderr.starts_with("mend: "), "errors start with 'mend: ': {stderr:?}");
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace", "unwrap()", "Os {", "Error {"] {
        assert!(!stderr.contains(bad), "stderr shows internals ({bad}): {stderr}");
    }
}

/// Every file below `dir`, for scans of what is on disk.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out
}

/// A background `mend` process (serve, pair invite) whose stderr goes to a file; stopped
/// with SIGTERM when dropped.
pub struct Background {
    pub child: std::process::Child,
    pub log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Background {
    /// Starts `cmd` with its stderr kept in a file (read with [`Background::log_text`]).
    pub fn spawn(mut cmd: Command) -> (Background, std::process::ChildStdout) {
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("stderr.log");
        let mut child = cmd.stdout(Stdio::piped()).stderr(std::fs::File::create(&log).expect("log file")).spawn().expect("start mend");
        let out = child.stdout.take().expect("stdout");
        (Background { child, log, _dir: dir }, out)
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, secs: u64) -> bool {
        wait_until(secs, || self.log_text().contains(needle))
    }

    /// The address `mend serve` said it listens on.
    pub fn listening_addr(&self) -> std::net::SocketAddr {
        self.log_text()
            .split(" on ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.trim_end_matches(',').parse().ok())
            .expect("serve prints its address")
    }

    pub fn stop(mut self) -> String {
        terminate(&mut self.child);
        self.log_text()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

fn terminate(child: &mut std::process::Child) {
    if let Ok(None) = child.try_wait() {
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
        for _ in 0..100 {
            if let Ok(Some(_)) = child.try_wait() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

pub fn wait_until(secs: u64, mut f: impl FnMut() -> bool) -> bool {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    f()
}

impl Device {
    /// Runs a command in local-only mode (every network test does: nothing leaves loopback).
    pub fn local(&self, args: &[&str]) -> Output {
        let mut all = vec!["--local-only"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    pub fn local_ok(&self, args: &[&str]) -> String {
        let o = self.local(args);
        assert!(o.status.success(), "mend {args:?} failed:\n{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).expect("utf-8")
    }

    pub fn background(&self, args: &[&str]) -> (Background, std::process::ChildStdout) {
        let mut c = self.cmd();
        c.arg("--local-only").args(args);
        Background::spawn(c)
    }

    /// `mend serve` in the background, once it listens.
    pub fn serve(&self) -> Background {
        let (b, _) = self.background(&["serve"]);
        assert!(b.wait_for_log("serving as", 20), "serve did not start: {}", b.log_text());
        b
    }

    /// `mend pair invite` in the background; returns it and the ticket it printed.
    pub fn invite(&self, role: &str, timeout_secs: u64) -> (Background, String) {
        let (b, out) = self.background(&["pair", "invite", "--as", role, "--timeout", &timeout_secs.to_string()]);
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line).expect("read the ticket");
        assert!(line.starts_with("mend"), "no ticket printed: {line:?} {}", b.log_text());
        (b, line.trim().to_owned())
    }

    pub fn ids(&self, collection: &str) -> std::collections::BTreeSet<String> {
        self.show()[collection].as_array().expect("collection").iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect()
    }

    pub fn device_id(&self) -> String {
        self.show()["me"]["device"].as_str().expect("device id").to_owned()
    }
}

/// Two partners, paired: Ana invites, Ben joins.
pub fn paired_couple() -> (Device, Device) {
    let a = Device::init("Ana");
    let b = Device::init("Ben");
    let (inv, ticket) = a.invite("partner", 60);
    b.local_ok(&["pair", "join", &ticket]);
    let log = inv.stop();
    assert!(log.contains("paired with"), "{log}");
    (a, b)
}

/// A crash test's settings, read from the environment so a failing run can be replayed:
/// how many kills (`kills_var`, else `default_kills`) and the seed (`MEND_CRASH_SEED`).
pub fn crash_settings(kills_var: &str, default_kills: usize) -> (usize, rand::rngs::StdRng, u64) {
    use rand::SeedableRng as _;
    let kills = std::env::var(kills_var).ok().and_then(|s| s.parse().ok()).unwrap_or(default_kills);
    let seed: u64 = std::env::var("MEND_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    (kills, rand::rngs::StdRng::seed_from_u64(seed), seed)
}

/// When a crash test's kill lands: one time in `while_starting_one_in` while the process
/// starts (opening, and any repair that opening does) within `starting_us`; otherwise within
/// `writing_us` after its first acknowledged write.
pub struct KillAt {
    pub while_starting_one_in: u32,
    pub starting_us: u64,
    pub writing_us: u64,
}

/// Starts `cmd` (a writer that prints one line per acknowledged write), SIGKILLs it at a
/// random moment chosen by `at`, and returns the lines it had printed. Only whole lines
/// count: a write is acknowledged once its line is complete.
pub fn kill_at_random_moment(cmd: &mut Command, rng: &mut rand::rngs::StdRng, at: &KillAt) -> Vec<String> {
    use rand::Rng as _;
    use std::io::{BufRead as _, BufReader};
    use std::time::Duration;
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("start the writer");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut line = Vec::new();
        while r.read_until(b'\n', &mut line).map(|n| n > 0).unwrap_or(false) {
            if line.ends_with(b"\n") {
                let _ = tx.send(String::from_utf8_lossy(&line).trim().to_owned());
            }
            line.clear();
        }
    });
    let mut lines = vec![];
    if rng.random_range(0..at.while_starting_one_in) == 0 {
        std::thread::sleep(Duration::from_micros(rng.random_range(0..at.starting_us)));
    } else {
        lines.extend(rx.recv_timeout(Duration::from_secs(30)).ok());
        std::thread::sleep(Duration::from_micros(rng.random_range(0..at.writing_us)));
    }
    child.kill().expect("SIGKILL the writer");
    assert!(!child.wait().expect("reap the writer").success(), "the writer must have been killed, not finished");
    reader.join().expect("reader thread");
    lines.extend(rx.try_iter());
    lines.retain(|l| !l.is_empty());
    lines
}
