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
