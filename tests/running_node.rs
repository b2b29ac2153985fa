//! A command run beside the Mend that keeps a profile in sync (`serve`, or the window) hands
//! its write to it through the node's local door, and asks it who is connected now.

mod util;

use std::time::{Duration, Instant};
use util::*;

/// `mend -v …`: its stderr says whether the running node saved the action.
fn verbose(d: &Device, args: &[&str]) -> (String, String) {
    let mut all = vec!["-v"];
    all.extend_from_slice(args);
    let o = d.run(&all);
    assert!(o.status.success(), "mend {args:?} failed:\n{}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8(o.stdout).expect("utf-8"), String::from_utf8(o.stderr).expect("utf-8"))
}

fn devices(d: &Device) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&d.ok(&["devices", "--json"])).expect("devices --json is JSON").as_array().expect("a list").clone()
}

fn connected(d: &Device, device: &str) -> Option<bool> {
    devices(d).into_iter().find(|r| r["id"] == device).and_then(|r| r["connected"].as_bool())
}

#[test]
fn a_write_beside_a_running_serve_is_saved_by_it_and_reaches_the_partner_at_once() {
    let (a, b) = paired_couple();
    let _sa = a.serve();
    let _sb = b.serve();
    assert!(wait_until(20, || connected(&a, &b.device_id()) == Some(true)), "the two never connected");
    let (out, err) = verbose(&a, &["gratitude", "add", "--text", "for the walk by the river"]);
    assert!(err.contains("the running node saved an action"), "the command did the work itself: {err}");
    let id = out.trim().to_owned();
    assert!(!id.is_empty(), "the id of the new note is printed as before");
    assert!(a.ids("gratitude").contains(&id), "saved on Ana's device");
    assert!(wait_until(10, || b.ids("gratitude").contains(&id)), "Ben's serve has the note");
    // The node saved the view cache with it: the next command opens at once and sees it.
    let (list, _) = verbose(&a, &["gratitude", "list"]);
    assert!(list.contains("for the walk by the river"), "{list}");
}

#[test]
fn a_command_the_running_node_refuses_is_refused_in_the_same_words() {
    let a = Device::init("Ana");
    let args = ["agreement", "accept", "no-such-agreement"];
    let alone = refused(&a, &args, "no agreement matches");
    let _sa = a.serve();
    let beside = refused(&a, &args, "no agreement matches");
    assert_eq!(beside, alone, "the refusal reads the same with and without a running Mend");
    let (_, err) = verbose(&a, &["gratitude", "add", "--text", "for the soup"]);
    assert!(err.contains("the running node saved an action"), "the door was open: {err}");
}

#[test]
fn with_no_mend_running_a_command_does_its_work_itself_and_a_stale_socket_changes_nothing() {
    let a = Device::init("Ana");
    // What a node that crashed leaves: the socket file, with nobody listening.
    let stale = std::os::unix::net::UnixListener::bind(a.path().join("node.sock")).expect("bind");
    drop(stale);
    let (out, err) = verbose(&a, &["gratitude", "add", "--text", "for the soup"]);
    assert!(!err.contains("the running node saved"), "{err}");
    assert!(a.ids("gratitude").contains(out.trim()));
    // A serve started now replaces the stale file and answers on it.
    let _sa = a.serve();
    let (_, err) = verbose(&a, &["gratitude", "add", "--text", "for the tea"]);
    assert!(err.contains("the running node saved an action"), "{err}");
    assert_eq!(a.ids("gratitude").len(), 2);
}

#[test]
fn devices_say_who_is_connected_now_and_stop_saying_it_soon_after_the_partner_s_mend_stops() {
    let (a, b) = paired_couple();
    let ben = b.device_id();
    assert_eq!(connected(&a, &ben), Some(false), "no Mend runs: nobody is connected");
    let _sa = a.serve();
    let sb = b.serve();
    assert!(wait_until(20, || connected(&a, &ben) == Some(true)), "Ana's devices never said Ben is connected");
    let row = devices(&a).into_iter().find(|r| r["id"] == ben.as_str()).expect("Ben's row");
    assert_eq!(row["link"], "direct", "{row}");
    let text = a.ok(&["devices"]);
    assert!(text.contains("connected now (direct)"), "{text}");
    sb.stop();
    let stopped = Instant::now();
    assert!(wait_until(10, || connected(&a, &ben) == Some(false)), "Ben's Mend stopped; Ana's still says connected");
    let told = stopped.elapsed();
    // docs/performance.md reports this (`--nocapture`); it includes one `devices` command.
    eprintln!("presence: Ben's serve stopped; Ana's devices said so after {:.0} ms", told.as_secs_f64() * 1e3);
    assert!(told < Duration::from_secs(5), "told after {told:?}");
}
