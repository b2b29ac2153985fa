//! No change received from another device can lock a partner out of her own space: what
//! Mend could not read afterwards is refused before any of it is applied or saved. Two real
//! profiles of one space; the other side writes raw Automerge changes into its document.

use automerge::sync::{self, SyncDoc as _};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ROOT, ReadDoc};
use mend_engine::core::{RecordId, Refusal};
use mend_engine::{Command, Engine, EngineError};
use std::fs;
use std::path::{Path, PathBuf};

fn note(e: &mut Engine, text: &str) -> RecordId {
    e.execute(Command::AddGratitude { text: text.into(), about: None }).unwrap().created.unwrap()
}

/// Syncs two engines until neither has anything to send.
fn sync_engines(a: &mut Engine, b: &mut Engine) {
    let (mut sa, mut sb) = (sync::State::new(), sync::State::new());
    // Each side's own changes are proved by "the connection", as in a real session.
    let (da, db) = (a.me().device.clone(), b.me().device.clone());
    for _ in 0..20 {
        let mut quiet = true;
        if let Some(m) = a.generate_sync(&mut sa) {
            quiet = false;
            b.receive_sync(&da, &mut sb, m).unwrap();
        }
        if let Some(m) = b.generate_sync(&mut sb) {
            quiet = false;
            a.receive_sync(&db, &mut sa, m).unwrap();
        }
        if quiet {
            return;
        }
    }
    panic!("the two profiles did not settle");
}

/// Ana and Ben, partners in one space, each in a profile of their own, in sync.
fn couple() -> (tempfile::TempDir, Engine, tempfile::TempDir, Engine) {
    let (ta, tb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ana = Engine::init(ta.path(), "Ana", "Ana's laptop").unwrap();
    let mut ben = Engine::init(tb.path(), "Ben", "Ben's laptop").unwrap();
    let (am, bm) = (ana.me().clone(), ben.me().clone());
    ana.execute(Command::TrustDevice { device: bm.device.clone(), partner: bm.partner.clone(), name: "Ben's laptop".into() }).unwrap();
    ben.execute(Command::TrustDevice { device: am.device.clone(), partner: am.partner.clone(), name: "Ana's laptop".into() }).unwrap();
    note(&mut ana, "thank you for listening");
    note(&mut ben, "thank you for the walk");
    sync_engines(&mut ana, &mut ben);
    assert_eq!(ana.view().gratitude.len(), 2);
    (ta, ana, tb, ben)
}

/// Ben's document as raw Automerge, to write what honest Mend never writes. Ben's engine
/// must be closed first.
fn raw_doc(dir: &Path) -> AutoCommit {
    let (_store, doc, _) = mend_store::DocStore::open(dir).unwrap();
    doc
}

fn coll(doc: &AutoCommit, key: &str) -> ObjId {
    match doc.get(ROOT, key).unwrap() {
        Some((_, id)) => id,
        None => panic!("no {key}"),
    }
}

fn space_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> =
        fs::read_dir(dir.join("space")).unwrap().flatten().map(|e| (e.path(), fs::read(e.path()).unwrap())).collect();
    v.sort();
    v
}

/// Runs a whole session between the raw document and Ana's engine, from fresh sync states
/// (as a new connection does), until Ana refuses something or both are quiet. Returns the
/// refusal, and whether the forged changes came as a whole saved document.
fn session(raw: &mut AutoCommit, ana: &mut Engine) -> (Option<Refusal>, bool) {
    let (mut s_raw, mut s_ana) = (sync::State::new(), sync::State::new());
    let mut whole_document = false;
    let raw_device = mend_engine::core::DeviceId::from_actor(raw.get_actor());
    for _ in 0..20 {
        let mut quiet = true;
        if let Some(m) = ana.generate_sync(&mut s_ana) {
            quiet = false;
            raw.sync().receive_sync_message(&mut s_raw, m).unwrap();
        }
        if let Some(m) = raw.sync().generate_sync_message(&mut s_raw) {
            quiet = false;
            whole_document |= m.changes.iter().any(|c| automerge::Change::try_from(c).is_err());
            match ana.receive_sync(&raw_device, &mut s_ana, m) {
                Ok(_) => {}
                Err(EngineError::Refused(r)) => return (Some(r), whole_document),
                Err(e) => panic!("not a refusal: {e}"),
            }
        }
        if quiet {
            return (None, whole_document);
        }
    }
    panic!("the session did not settle");
}

/// Forges one change into Ben's document, offers it to Ana twice, and checks that nothing of
/// it reached Ana: her files byte for byte, her document, and that she opens and writes.
fn refused_before_it_is_saved(forge: impl FnOnce(&mut AutoCommit, &Engine), expect: impl Fn(&Refusal) -> bool) {
    let (ta, mut ana, tb, mut ben) = couple();
    // An honest change rides along with the forged one: it is refused with it.
    let honest = note(&mut ben, "written just before the bad change");
    drop(ben);
    let mut raw = raw_doc(tb.path());
    forge(&mut raw, &ana);
    raw.commit();
    let heads_before = ana.heads();
    let files_before = space_files(ta.path());
    for attempt in 0..2 {
        let (refusal, _) = session(&mut raw, &mut ana);
        let refusal = refusal.unwrap_or_else(|| panic!("attempt {attempt}: the forged change was accepted"));
        assert!(expect(&refusal), "attempt {attempt}: {refusal:?}");
        assert_eq!(ana.heads(), heads_before, "nothing reached the document in memory");
        assert!(!ana.view().gratitude.contains_key(&honest), "nothing from that message was kept");
        assert_eq!(space_files(ta.path()), files_before, "nothing reached the disk");
    }
    let id = note(&mut ana, "still here, still writing");
    drop(ana);
    let mut ana = Engine::open(ta.path()).expect("Ana's profile opens");
    assert_eq!(ana.view().schema_version, mend_engine::core::schema::SCHEMA_VERSION);
    assert!(ana.view().gratitude.contains_key(&id));
    note(&mut ana, "and after reopening");
}

fn newer(found: u64) -> impl Fn(&Refusal) -> bool {
    move |r| *r == Refusal::NewerMend { found, supported: mend_engine::core::schema::SCHEMA_VERSION }
}

fn unreadable(r: &Refusal) -> bool {
    matches!(r, Refusal::Unreadable(_))
}

#[test]
fn a_change_that_bumps_the_schema_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(|d, _| d.put(ROOT, "schema_version", 99u64).unwrap(), newer(99));
}

#[test]
fn a_schema_version_of_the_wrong_type_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(|d, _| d.put(ROOT, "schema_version", "two").unwrap(), unreadable);
}

#[test]
fn a_collection_replaced_by_a_list_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(
        |d, _| {
            d.put_object(ROOT, "agreements", ObjType::List).unwrap();
        },
        unreadable,
    );
}

#[test]
fn a_collection_replaced_by_an_empty_map_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(
        |d, _| {
            d.put_object(ROOT, "gratitude", ObjType::Map).unwrap();
        },
        unreadable,
    );
}

#[test]
fn a_deleted_collection_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(|d, _| d.delete(ROOT, "promises").unwrap(), unreadable);
}

#[test]
fn a_new_root_key_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(|d, _| d.put(ROOT, "owner", "Ben").unwrap(), unreadable);
}

#[test]
fn a_device_record_replaced_by_a_scalar_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(
        |d, ana| {
            let devices = coll(d, "devices");
            d.put(&devices, ana.me().device.as_str(), "gone").unwrap();
        },
        unreadable,
    );
}

#[test]
fn a_partner_record_replaced_by_a_list_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(
        |d, ana| {
            let partners = coll(d, "partners");
            d.put_object(&partners, ana.me().partner.as_str(), ObjType::List).unwrap();
        },
        unreadable,
    );
}

#[test]
fn a_deleted_record_is_refused_before_it_is_saved() {
    refused_before_it_is_saved(
        |d, ana| {
            let gratitude = coll(d, "gratitude");
            let mine = ana.view().gratitude.keys().next().unwrap().to_string();
            d.delete(&gratitude, mine.as_str()).unwrap();
        },
        unreadable,
    );
}

/// The first sync of a device that has much to send carries a whole saved document rather
/// than single changes: the gate reads that form too.
#[test]
fn a_forged_change_inside_a_whole_document_is_refused_before_it_is_saved() {
    let ta = tempfile::tempdir().unwrap();
    let tb = tempfile::tempdir().unwrap();
    let mut ana = Engine::init(ta.path(), "Ana", "Ana's laptop").unwrap();
    let mut ben = Engine::init(tb.path(), "Ben", "Ben's laptop").unwrap();
    for i in 0..20 {
        note(&mut ben, &format!("before we ever synced {i}"));
    }
    drop(ben);
    let mut raw = raw_doc(tb.path());
    raw.put(ROOT, "schema_version", 7u64).unwrap();
    raw.commit();
    let files_before = space_files(ta.path());
    let (refusal, whole_document) = session(&mut raw, &mut ana);
    assert!(whole_document, "the forged change came inside a whole document");
    assert!(refusal.as_ref().is_some_and(newer(7)), "{refusal:?}");
    assert_eq!(space_files(ta.path()), files_before);
    assert!(ana.view().gratitude.is_empty());
    note(&mut ana, "still writing");
}

/// Deeper damage needs no gate: a record whose fields have the wrong types is left out of
/// the view, and every later command keeps working.
#[test]
fn a_record_with_fields_of_the_wrong_type_is_left_out_and_commands_keep_working() {
    let (ta, mut ana, tb, ben) = couple();
    let ben_partner = ben.me().partner.clone();
    let ben_device = ben.me().device.clone();
    let ben_note = ben.view().gratitude.values().find(|g| g.author == ben_partner).unwrap().id.clone();
    drop(ben);
    let mut raw = raw_doc(tb.path());
    let g = raw.get(coll(&raw, "gratitude"), ben_note.as_str()).unwrap().unwrap().1;
    raw.put_object(&g, "text", ObjType::List).unwrap();
    let p = raw.get(coll(&raw, "partners"), ben_partner.as_str()).unwrap().unwrap().1;
    raw.put(&p, "name", 42).unwrap();
    let d = raw.get(coll(&raw, "devices"), ben_device.as_str()).unwrap().unwrap().1;
    raw.put(&d, "partner", false).unwrap();
    raw.commit();
    let (refusal, _) = session(&mut raw, &mut ana);
    assert_eq!(refusal, None, "taken: the view copes with it");
    assert!(!ana.view().gratitude.contains_key(&ben_note), "the unreadable note is left out of the view");
    let id = note(&mut ana, "still writing");
    ana.execute(Command::UpdateProfile { name: None, love_languages: None, needs: Some("quiet evenings".into()) }).unwrap();
    drop(ana);
    let mut ana = Engine::open(ta.path()).unwrap();
    assert!(ana.view().gratitude.contains_key(&id));
    note(&mut ana, "after reopening");
    ana.execute(Command::StartPause { minutes: 20, note: None }).unwrap();
}
