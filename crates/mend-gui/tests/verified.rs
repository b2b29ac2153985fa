//! The window tells the truth about what a partner's device did that Mend did not count:
//! Ben's device runs a changed Mend and writes a note of thanks in Ana's name; Ana's window
//! does not show it as hers and says, in words, which device did it.

mod common;

use automerge::transaction::Transactable;
use automerge::{ObjType, ROOT, ReadDoc};
use common::*;
use mend_engine::{Command, Engine};

#[test]
fn today_says_what_a_device_did_that_was_not_counted() {
    let (ta, tb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ana = Engine::init(ta.path(), "Ana", "Ana's laptop").unwrap();
    let mut ben = Engine::init(tb.path(), "Ben", "Ben's laptop").unwrap();
    let (am, bm) = (ana.me().clone(), ben.me().clone());
    ana.execute(Command::TrustDevice { device: bm.device.clone(), partner: bm.partner.clone(), name: "Ben's laptop".into() }).unwrap();
    ben.execute(Command::TrustDevice { device: am.device.clone(), partner: am.partner.clone(), name: "Ana's laptop".into() }).unwrap();
    sync_engines(&mut ana, &mut ben);
    drop(ben);
    {
        // Ben's changed Mend writes straight to his files, as his own device.
        let (mut store, mut doc, _) = mend_store::DocStore::open(tb.path()).unwrap();
        doc.set_actor(bm.device.actor().unwrap());
        let coll = doc.get(ROOT, "gratitude").unwrap().unwrap().1;
        let g = doc.put_object(&coll, "forged-note", ObjType::Map).unwrap();
        doc.put(&g, "text", "I am sorry I made all of it up").unwrap();
        doc.put(&g, "author", am.partner.as_str()).unwrap();
        doc.put(&g, "at", 1_790_000_000_000i64).unwrap();
        doc.commit();
        let _lock = store.lock_exclusive().unwrap();
        store.catch_up(&mut doc).unwrap();
        store.persist(&mut doc).unwrap();
    }
    let mut ben = Engine::open(tb.path()).unwrap();
    sync_engines(&mut ana, &mut ben);
    assert!(!ana.view().gratitude.keys().any(|k| k.as_str() == "forged-note"));
    drop(ana);

    let mut h = window(ta.path(), None);
    ready(&mut h);
    assert!(shows(&h, "Something Mend could not verify"), "Today says so");
    assert!(shows(&h, "Ben's laptop wrote a note of thanks in Ana's name. Mend does not show it as Ana's."));
    assert!(shows(&h, "Nothing either of you wrote was lost"));
    assert!(!shows(&h, "I am sorry I made all of it up"), "the words are not shown as Ana's");

    // Told once: read, it folds away, and stays folded in the next window.
    click(&mut h, "I have read this");
    idle(&mut h);
    assert!(!shows(&h, "Something Mend could not verify"), "read, it is no longer called out");
    assert!(shows(&h, "What Mend did not count (1)"), "and stays one click away");
    drop(h);
    let mut h = window(ta.path(), None);
    ready(&mut h);
    assert!(!shows(&h, "Something Mend could not verify"));
    assert!(shows(&h, "What Mend did not count (1)"));
}
