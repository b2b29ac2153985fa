//! Several openers of one profile (the app, a CLI command, a sync service) never lose each
//! other's changes, and each sees the others' changes.

use mend_engine::core::RecordId;
use mend_engine::{Command, Engine};

fn note(e: &mut Engine, text: &str) -> RecordId {
    e.execute(Command::AddGratitude { text: text.into(), about: None }).unwrap().created.unwrap()
}

#[test]
fn two_openers_see_each_others_changes() {
    let t = tempfile::tempdir().unwrap();
    let mut a = Engine::init(t.path(), "Ana", "laptop").unwrap();
    let mut b = Engine::open(t.path()).unwrap();
    let x = note(&mut a, "from the app");
    assert!(!b.view().gratitude.contains_key(&x));
    assert!(b.refresh().unwrap(), "refresh reports news");
    assert!(b.view().gratitude.contains_key(&x));
    assert!(!b.refresh().unwrap(), "and nothing when there is none");
    // b writes without refreshing first: execute reads a's changes before writing its own.
    let y = note(&mut b, "from the cli");
    let z = note(&mut a, "from the app again");
    b.refresh().unwrap();
    for e in [&a, &b] {
        for id in [&x, &y, &z] {
            assert!(e.view().gratitude.contains_key(id));
        }
    }
    drop((a, b));
    let c = Engine::open(t.path()).unwrap();
    assert_eq!(c.view().gratitude.len(), 3);
    assert!(c.recovery_notes().is_empty());
}

#[test]
fn an_opener_catches_up_across_compactions() {
    let t = tempfile::tempdir().unwrap();
    let mut a = Engine::init(t.path(), "Ana", "laptop").unwrap();
    let mut b = Engine::open(t.path()).unwrap();
    a.set_compact_bytes(0);
    // Each of a's actions starts a new generation; b still reads an old one, long deleted.
    let ids: Vec<RecordId> = (0..5).map(|i| note(&mut a, &format!("n{i}"))).collect();
    b.refresh().unwrap();
    assert!(ids.iter().all(|i| b.view().gratitude.contains_key(i)));
    let last = note(&mut b, "b after the compactions");
    a.refresh().unwrap();
    assert!(a.view().gratitude.contains_key(&last));
    assert_eq!(Engine::open(t.path()).unwrap().view().gratitude.len(), 6);
}

#[test]
fn threads_writing_at_once_lose_nothing() {
    let t = tempfile::tempdir().unwrap();
    drop(Engine::init(t.path(), "Ana", "laptop").unwrap());
    let handles: Vec<_> = (0..3)
        .map(|w| {
            let dir = t.path().to_owned();
            std::thread::spawn(move || {
                let mut e = Engine::open(&dir).unwrap();
                e.set_compact_bytes(4_000);
                (0..40).map(|i| note(&mut e, &format!("writer {w} note {i}"))).collect::<Vec<_>>()
            })
        })
        .collect();
    let ids: Vec<RecordId> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let e = Engine::open(t.path()).unwrap();
    assert_eq!(ids.len(), 120);
    assert!(ids.iter().all(|i| e.view().gratitude.contains_key(i)));
    assert!(e.recovery_notes().is_empty());
}
