//! The running node's one stream of events: a change saved by another Mend on the same
//! profile is noticed without polling (inotify) and named record by record.

use mend_engine::core::schema::Collection;
use mend_engine::node::{Event, Node};
use mend_engine::{Command, Engine};
use std::sync::{Arc, mpsc};
use std::time::Duration;

fn changed(rx: &mpsc::Receiver<Event>, secs: u64) -> Option<mend_engine::core::Changed> {
    let deadline = std::time::Instant::now() + Duration::from_secs(secs);
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(Event::Changed(c)) if !c.records.is_empty() => return Some(c),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

#[test]
fn a_note_saved_by_another_mend_on_the_profile_arrives_as_an_event_naming_it() {
    let t = tempfile::tempdir().unwrap();
    drop(Engine::init(t.path(), "Ana", "laptop").unwrap());
    let (tx, rx) = mpsc::channel();
    let node = Node::open(Engine::open(t.path()).unwrap(), Arc::new(move |e| drop(tx.send(e)))).unwrap();

    // Another opener of the same profile (a CLI command, in real life another process).
    let mut cli = Engine::open(t.path()).unwrap();
    let id = cli.execute(Command::AddGratitude { text: "for the soup".into(), about: None }).unwrap().created.unwrap();
    let c = changed(&rx, 10).expect("the node noticed the other opener's note");
    assert!(c.records.contains(&(Collection::Gratitude, id.to_string())), "the event names the note: {c:?}");
    assert!(c.whole.is_empty());
    assert!(node.engine().view().gratitude.contains_key(&id), "and the node's view holds it");

    // A second change is named on its own, not together with the first.
    let id2 = cli.execute(Command::AddGratitude { text: "for the walk".into(), about: None }).unwrap().created.unwrap();
    let c = changed(&rx, 10).expect("the second note is noticed too");
    assert!(c.records.contains(&(Collection::Gratitude, id2.to_string())), "{c:?}");
    assert!(!c.records.contains(&(Collection::Gratitude, id.to_string())), "only what changed since the last event: {c:?}");
    node.stop();
}
