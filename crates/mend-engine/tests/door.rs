//! The running node's local door (`node.sock`): what a command hands over is saved by the
//! node, and what is not a request is answered "unknown" with nothing done.
#![cfg(unix)]

use mend_engine::node::{Event, Node};
use mend_engine::{Command, Engine, EngineError};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, mpsc};
use std::time::Duration;

/// Ana's new profile, in a folder deleted when the test ends.
fn profile() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    drop(Engine::init(t.path(), "Ana", "laptop").unwrap());
    t
}

fn node_on(dir: &std::path::Path) -> (Node, mpsc::Receiver<Event>) {
    let (tx, rx) = mpsc::channel();
    let mut node = Node::open(Engine::open(dir).unwrap(), Arc::new(move |e| drop(tx.send(e)))).unwrap();
    node.open_door();
    (node, rx)
}

/// A command's engine: opened from the view cache, so its document is still loading.
fn command_engine(dir: &std::path::Path) -> Engine {
    let mut e = Engine::open(dir).unwrap();
    e.hand_to_running_node();
    e
}

fn raw(dir: &std::path::Path, bytes: &[u8]) -> String {
    let mut s = UnixStream::connect(dir.join("node.sock")).expect("the door is open");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // The node may answer before reading all of an oversized request and close.
    let _ = s.write_all(bytes);
    let mut back = String::new();
    BufReader::new(s).read_line(&mut back).expect("an answer");
    back
}

#[test]
fn a_command_handed_over_is_saved_by_the_node_which_tells_its_owner() {
    let t = profile();
    let (node, rx) = node_on(t.path());
    let mut cli = command_engine(t.path());
    let before = node.engine().view().gratitude.len();
    let out = cli.execute(Command::AddGratitude { text: "for the soup".into(), about: None }).unwrap();
    let id = out.created.expect("the id comes back from the node");
    assert!(!cli.is_loaded(), "the command never loaded the document itself");
    assert!(node.engine().view().gratitude.contains_key(&id), "the node holds the note");
    assert_eq!(node.engine().view().gratitude.len(), before + 1);
    let told = std::iter::from_fn(|| rx.recv_timeout(Duration::from_secs(5)).ok()).any(|e| matches!(e, Event::Changed(_)));
    assert!(told, "the node's owner (the window) hears that the space changed");
    node.stop();
    // Saved for real: a fresh open reads it from the files.
    assert!(Engine::open(t.path()).unwrap().view().gratitude.contains_key(&id));
}

#[test]
fn a_refusal_comes_back_as_the_rules_word_it_and_nothing_is_saved() {
    let t = profile();
    let (node, _rx) = node_on(t.path());
    let mut cli = command_engine(t.path());
    let err = cli.execute(Command::AddGratitude { text: "   ".into(), about: None }).unwrap_err();
    let alone = Engine::open(t.path()).unwrap().execute(Command::AddGratitude { text: "   ".into(), about: None }).unwrap_err();
    assert!(matches!(err, EngineError::NodeRefused(_)), "{err:?}");
    assert_eq!(err.to_string(), alone.to_string());
    assert!(node.engine().view().gratitude.is_empty());
    node.stop();
}

#[test]
fn what_is_not_a_request_is_answered_unknown_and_changes_nothing() {
    let t = profile();
    let (node, _rx) = node_on(t.path());
    let heads_before = node.engine().version();
    for bad in [
        &b"\n"[..],
        b"garbage\n",
        b"{\"Execute\":{\"cmd\":\"LeaveSpace\"}}\n",
        b"{\"Execute\":{\"cmd\":{\"AddGratitude\":{\"text\":7}},\"now\":0}}\n",
    ] {
        assert_eq!(raw(t.path(), bad).trim(), "\"Unknown\"", "for {:?}", String::from_utf8_lossy(bad));
    }
    // More than a request can be, with no end of line: read up to the limit, then refused.
    let huge = vec![b'x'; 5 << 20];
    assert_eq!(raw(t.path(), &huge).trim(), "\"Unknown\"");
    assert_eq!(node.engine().version(), heads_before, "nothing was written");
    // And the door still answers afterwards.
    let mut cli = command_engine(t.path());
    assert!(cli.execute(Command::AddGratitude { text: "for the tea".into(), about: None }).unwrap().created.is_some());
    node.stop();
    assert!(!t.path().join("node.sock").exists(), "a node that stops takes its door with it");
}

#[test]
fn a_second_node_on_the_profile_leaves_the_first_one_s_door_alone() {
    let t = profile();
    let (first, _rx) = node_on(t.path());
    let (second, _rx2) = node_on(t.path());
    let mut cli = command_engine(t.path());
    let id = cli.execute(Command::AddGratitude { text: "for the bread".into(), about: None }).unwrap().created.unwrap();
    assert!(first.engine().view().gratitude.contains_key(&id), "the first node answered");
    second.stop();
    assert!(t.path().join("node.sock").exists(), "the second node did not remove the first one's door");
    first.stop();
}
