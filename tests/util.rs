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
        c.arg("--profile").arg(self.dir.path()).env_remove("MEND_PROFILE").stdin(Stdio::null());
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
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, secs: u64) -> bool {
        wait_until(secs, || self.log_text().contains(needle))
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
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("stderr.log");
        let mut child = self
            .cmd()
            .arg("--local-only")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("log file"))
            .spawn()
            .expect("start mend");
        let out = child.stdout.take().expect("stdout");
        (Background { child, log, _dir: dir }, out)
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
