//! Crash safety: a process writing to a profile is killed (SIGKILL) at random moments, again
//! and again; after every kill the profile must open and hold every action that the process
//! had reported as saved. Writes vary in size (small appends, multi-page appends that the
//! kernel can cut) and in how often they compact, so kills land in appends, fsyncs,
//! snapshot writes, renames and deletions.

mod util;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;
use util::*;

#[test]
fn sigkill_at_random_moments_never_loses_an_acknowledged_action() {
    let kills: usize = std::env::var("MEND_CRASH_KILLS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let seed: u64 = std::env::var("MEND_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(rand::random);
    eprintln!("crash test: {kills} kills, MEND_CRASH_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dev = Device::init("Ana");
    let mut acknowledged: HashSet<String> = HashSet::new();
    let (mut repaired, mut mid_write, mut rounds_with_writes) = (0, 0, 0);

    for round in 0..kills {
        let size = [40, 600, 4_500][rng.random_range(0..3)];
        let compact = [2_000u64, 60_000, 4 << 20][rng.random_range(0..3)].to_string();
        let mut child = dev
            .cmd()
            .args(["debug", "stress", "--count", "1000000", "--size", &size.to_string(), "--compact-bytes", &compact])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            // Only whole lines count: an id is acknowledged once its line is complete.
            let mut r = BufReader::new(stdout);
            let mut line = Vec::new();
            while r.read_until(b'\n', &mut line).map(|n| n > 0).unwrap_or(false) {
                if line.ends_with(b"\n") {
                    let _ = tx.send(String::from_utf8_lossy(&line).trim().to_owned());
                }
                line.clear();
            }
        });
        let mut ids = vec![];
        if rng.random_range(0..4) == 0 {
            // While the writer starts: opening, and any repair that opening does.
            std::thread::sleep(Duration::from_micros(rng.random_range(0..20_000)));
        } else {
            // While it writes: after its first acknowledged save, at a random moment.
            ids.extend(rx.recv_timeout(Duration::from_secs(30)).ok());
            std::thread::sleep(Duration::from_micros(rng.random_range(0..25_000)));
        }
        child.kill().expect("SIGKILL the writer");
        let status = child.wait().expect("reap the writer");
        assert!(!status.success(), "round {round}: the writer must have been killed, not finished");
        reader.join().expect("reader thread");
        ids.extend(rx.try_iter());
        if !ids.is_empty() {
            rounds_with_writes += 1;
        }
        acknowledged.extend(ids.into_iter().filter(|s| !s.is_empty()));

        let out = dev.run(&["show", "--json"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "round {round} (seed {seed}): the profile must open after a kill: {stderr}");
        if stderr.contains("note:") {
            repaired += 1;
        }
        if stderr.contains("interrupted save") {
            mid_write += 1;
        }
        let shown: serde_json::Value = serde_json::from_slice(&out.stdout).expect("show --json is JSON");
        let present: HashSet<&str> = shown["gratitude"].as_array().expect("gratitude list").iter().filter_map(|g| g["id"].as_str()).collect();
        let lost: Vec<&String> = acknowledged.iter().filter(|id| !present.contains(id.as_str())).collect();
        assert!(lost.is_empty(), "round {round} (seed {seed}): acknowledged notes lost: {lost:?}");
        assert!(!stderr.contains("was damaged"), "round {round} (seed {seed}): a crash must never look like damage: {stderr}");
    }
    eprintln!(
        "crash test: {kills} kills, {rounds_with_writes} while writing, {} acknowledged notes all present, {repaired} opens repaired something, {mid_write} cut mid-write",
        acknowledged.len()
    );
    assert!(rounds_with_writes * 2 >= kills, "most kills must land while writing, not before the writer starts");
    assert!(acknowledged.len() > kills);
}
