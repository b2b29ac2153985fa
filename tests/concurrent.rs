//! Several `mend` processes on one profile at once (a CLI command while the app or a sync
//! service runs) never corrupt it or lose each other's changes.

mod util;
use std::collections::HashSet;
use util::*;

#[test]
fn concurrent_writers_and_readers_lose_nothing() {
    let dev = Device::init("Ana");
    let writers: Vec<_> = (0..3)
        .map(|_| {
            dev.cmd()
                .args(["debug", "stress", "--count", "60", "--compact-bytes", "5000"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start a writer")
        })
        .collect();
    // Meanwhile, other commands keep reading and writing.
    let mut own = vec![];
    for i in 0..10 {
        let list = dev.run(&["gratitude", "list"]);
        assert!(list.status.success(), "a reader failed while writers ran: {}", String::from_utf8_lossy(&list.stderr));
        own.push(dev.create(&["checkin", "add", "--connection", "3", "--trust", "3", "--heard", &(1 + i % 5).to_string()]));
    }
    let mut written = HashSet::new();
    for w in writers {
        let out = w.wait_with_output().expect("writer");
        assert!(out.status.success(), "a writer failed: {}", String::from_utf8_lossy(&out.stderr));
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout).lines().map(str::to_owned).collect();
        assert_eq!(ids.len(), 60);
        written.extend(ids);
    }
    assert_eq!(written.len(), 180, "every writer's ids are distinct");
    let shown = dev.show();
    let notes: HashSet<&str> = shown["gratitude"].as_array().unwrap().iter().filter_map(|g| g["id"].as_str()).collect();
    let checkins: HashSet<&str> = shown["checkins"].as_array().unwrap().iter().filter_map(|g| g["id"].as_str()).collect();
    assert!(written.iter().all(|id| notes.contains(id.as_str())), "a writer's note was lost");
    assert!(own.iter().all(|id| checkins.contains(id.as_str())), "a check-in was lost");
    let again = dev.run(&["show", "--json"]);
    assert!(String::from_utf8_lossy(&again.stderr).trim().is_empty(), "nothing needed repair: {}", String::from_utf8_lossy(&again.stderr));
}
