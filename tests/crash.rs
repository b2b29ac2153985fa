//! Crash safety: a process writing to a profile is killed (SIGKILL) at random moments, again
//! and again; after every kill the profile must open and hold every action that the process
//! had reported as saved. Writes vary in size (small appends, multi-page appends that the
//! kernel can cut) and in how often they compact, so kills land in appends, fsyncs,
//! snapshot writes, renames and deletions.

mod util;
use rand::Rng;
use std::collections::HashSet;
use util::*;

#[test]
fn sigkill_at_random_moments_never_loses_an_acknowledged_action() {
    let (kills, mut rng, seed) = crash_settings("MEND_CRASH_KILLS", 200);
    eprintln!("crash test: {kills} kills, MEND_CRASH_SEED={seed}");
    let dev = Device::init("Ana");
    let mut acknowledged: HashSet<String> = HashSet::new();
    let (mut repaired, mut mid_write, mut rounds_with_writes) = (0, 0, 0);
    let at = KillAt { while_starting_one_in: 4, starting_us: 20_000, writing_us: 25_000 };

    for round in 0..kills {
        let size = [40, 600, 4_500][rng.random_range(0..3)];
        let compact = [2_000u64, 60_000, 4 << 20][rng.random_range(0..3)].to_string();
        let mut writer = dev.cmd();
        writer.args(["debug", "stress", "--count", "1000000", "--size", &size.to_string(), "--compact-bytes", &compact]);
        let ids = kill_at_random_moment(&mut writer, &mut rng, &at);
        if !ids.is_empty() {
            rounds_with_writes += 1;
        }
        acknowledged.extend(ids);

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
