//! Where Mend's log lines go: the profile's own log file (`logs/mend.log`, rotated at
//! 1 MiB, owner-only), and stderr when asked with `-v`/`-vv` or `RUST_LOG`. What Mend logs
//! is ids, counts and its own words, never what a person wrote (docs/privacy.md).

use mend_fs::log_file::{LOG_CAP, RotatingLog};
use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::prelude::*;

/// Mend's own crates, whose lines are worth keeping; the libraries beneath them speak only
/// when something is wrong.
const OURS: &[&str] = &["mend", "mend_engine", "mend_sync", "mend_store", "mend_journal", "mend_gui", "mend_core"];

fn filter(ours: &str, others: &str) -> EnvFilter {
    let mut spec = others.to_owned();
    for c in OURS {
        spec.push_str(&format!(",{c}={ours}"));
    }
    EnvFilter::new(spec)
}

pub fn start(profile: Option<&Path>, verbose: u8) {
    let stderr_filter = match (std::env::var("RUST_LOG"), verbose) {
        (Ok(spec), _) if !spec.trim().is_empty() => EnvFilter::new(spec),
        (_, 0) => EnvFilter::new("off"),
        (_, 1) => filter("info", "warn"),
        _ => filter("debug", "info"),
    };
    let stderr = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(verbose > 1).with_filter(stderr_filter);
    let file = profile.map(|dir| {
        let space = dir.join(mend_engine::SPACE_DIR);
        let log = RotatingLog::new(dir, LOG_CAP, move || space.is_dir());
        tracing_subscriber::fmt::layer().with_writer(Mutex::new(log)).with_ansi(false).with_filter(filter("info", "warn"))
    });
    // Set once, before anything else runs: a second call would be a bug in main.
    if tracing_subscriber::registry().with(stderr).with(file).try_init().is_err() {
        eprintln!("mend: note: logging was already set up");
    }
}
