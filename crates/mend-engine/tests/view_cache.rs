//! The view cache (`space/view.cache`) is never wrong: a cache of exactly the state on disk
//! opens before the document has loaded, and any other cache (older, newer, damaged, cut
//! short, another profile's, another format's, or left by a crash in the middle of a
//! compaction) is passed over for the usual open, which shows the files' own view.

use mend_engine::core::RecordId;
use mend_engine::{Command, Engine, Recovery, View};
use std::fs;
use std::path::{Path, PathBuf};

fn note(e: &mut Engine, text: &str) -> RecordId {
    e.execute(Command::AddGratitude { text: text.into(), about: None }).unwrap().created.unwrap()
}

fn cache(dir: &Path) -> PathBuf {
    dir.join("space").join("view.cache")
}

/// The view the files hold, read without any cache.
fn truth(dir: &Path) -> View {
    let (_store, doc, _) = mend_store::DocStore::open(dir).unwrap();
    mend_engine::core::SharedDoc::from_doc(doc).unwrap().view().clone()
}

/// A profile with notes, compacted last so that the cache covers everything on disk.
fn profile(notes: usize) -> (tempfile::TempDir, Vec<RecordId>) {
    let t = tempfile::tempdir().unwrap();
    let mut e = Engine::init(t.path(), "Ana", "laptop").unwrap();
    let mut ids: Vec<RecordId> = (0..notes).map(|i| note(&mut e, &format!("note {i}"))).collect();
    e.set_compact_bytes(0);
    ids.push(note(&mut e, "compacting"));
    (t, ids)
}

fn copy_space(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for f in fs::read_dir(from.join("space")).unwrap().flatten() {
        fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

fn restore_space(backup: &Path, dir: &Path) {
    let space = dir.join("space");
    for f in fs::read_dir(&space).unwrap().flatten() {
        if f.file_name() != "lock" {
            fs::remove_file(f.path()).unwrap();
        }
    }
    for f in fs::read_dir(backup).unwrap().flatten() {
        fs::copy(f.path(), space.join(f.file_name())).unwrap();
    }
}

/// Opens and checks the view shown at once is the files' own, before and after the document
/// has loaded. Returns whether the open used the cache (the document was still loading).
fn open_right(dir: &Path) -> (Engine, bool) {
    let expected = truth(dir);
    let mut e = Engine::open(dir).unwrap();
    let cached = !e.is_loaded();
    assert_eq!(e.view(), &expected, "the view shown at open is the files' own (cached: {cached})");
    e.wait_loaded().unwrap();
    assert_eq!(e.view(), &expected);
    assert!(!e.recovery_notes().contains(&Recovery::ViewRebuilt), "{:?}", e.recovery_notes());
    (e, cached)
}

#[test]
fn a_cache_of_exactly_the_files_opens_before_the_document_loads() {
    let (t, ids) = profile(20);
    assert!(cache(t.path()).is_file(), "compaction wrote the cache");
    let (mut e, cached) = open_right(t.path());
    assert!(cached, "the cache was used");
    assert!(ids.iter().all(|id| e.view().gratitude.contains_key(id)));
    // Everything that needs the document waits for it, then works as usual.
    let mut e2 = Engine::open(t.path()).unwrap();
    assert!(!e2.is_loaded());
    let heads_before = e2.heads();
    let id = note(&mut e2, "written while the document was still loading");
    assert!(e2.is_loaded());
    assert_ne!(e2.heads(), heads_before);
    assert!(e.refresh().unwrap());
    assert!(e.view().gratitude.contains_key(&id));
    assert_eq!(e.view(), &truth(t.path()));
}

#[test]
fn heads_history_and_sync_wait_for_the_document() {
    let (t, _) = profile(5);
    let mut reference = Engine::open(t.path()).unwrap();
    reference.wait_loaded().unwrap();
    let mut e = Engine::open(t.path()).unwrap();
    assert!(!e.is_loaded());
    assert_eq!(e.heads(), reference.heads(), "the cache's heads are the files' heads");
    assert_eq!(e.history().len(), reference.history().len());
    assert!(e.is_loaded());
    let mut e = Engine::open(t.path()).unwrap();
    let mut state = automerge::sync::State::new();
    assert!(e.generate_sync(&mut state).is_some());
    assert!(e.is_loaded());
}

#[test]
fn changes_saved_after_the_cache_are_caught_up_before_the_view_is_shown() {
    let (t, _) = profile(10);
    // Another process appends after the cache was written (no compaction: a log tail).
    let mut other = Engine::open(t.path()).unwrap();
    let later: Vec<RecordId> = (0..5).map(|i| note(&mut other, &format!("later {i}"))).collect();
    other.execute(Command::UpdateProfile { name: Some("Ana Maria".into()), love_languages: None, needs: None }).unwrap();
    drop(other);
    let (e, cached) = open_right(t.path());
    assert!(!cached, "with a tail the open waits for the document");
    assert!(later.iter().all(|id| e.view().gratitude.contains_key(id)));
    assert_eq!(e.view().partners.values().next().unwrap().name, "Ana Maria");
    drop(e);
    // That open wrote a cache of the files as they are: the next open shows it at once.
    assert!(open_right(t.path()).1);
}

#[test]
fn an_older_cache_is_not_shown() {
    let (t, _) = profile(5);
    let old_cache = fs::read(cache(t.path())).unwrap();
    let mut e = Engine::open(t.path()).unwrap();
    note(&mut e, "one more");
    e.set_compact_bytes(0);
    let newer = note(&mut e, "and a new generation");
    drop(e);
    // The old generation's cache put back: the files are a generation further on.
    fs::write(cache(t.path()), &old_cache).unwrap();
    let (e, cached) = open_right(t.path());
    assert!(!cached);
    assert!(e.view().gratitude.contains_key(&newer));
    // That open wrote a cache of the files as they are: the next one uses it.
    drop(e);
    assert!(open_right(t.path()).1);
}

#[test]
fn damaged_cut_short_foreign_or_other_format_caches_are_passed_over() {
    let (t, _) = profile(8);
    let (other, _) = profile(3);
    let good = fs::read(cache(t.path())).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let mut format = good.clone();
    format[8] = format[8].wrapping_add(1);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a flipped bit", flipped),
        ("cut short", good[..good.len() - 7].to_vec()),
        ("only a few bytes", good[..5].to_vec()),
        ("empty", vec![]),
        ("another profile's", fs::read(cache(other.path())).unwrap()),
        ("another format", format),
        ("garbage", b"this is not a view cache at all, but it is long enough".to_vec()),
    ];
    for (what, bytes) in cases {
        fs::write(cache(t.path()), &bytes).unwrap();
        let (e, cached) = open_right(t.path());
        assert!(!cached, "{what}: not used");
        assert_eq!(e.recovery_notes(), &[] as &[Recovery], "{what}: only a cache, nothing to tell the user");
        drop(e);
        assert!(open_right(t.path()).1, "{what}: replaced by a good one");
    }
    // Deleted: harmless too.
    fs::remove_file(cache(t.path())).unwrap();
    assert!(!open_right(t.path()).1);
    assert!(open_right(t.path()).1);
}

#[test]
fn a_cache_of_a_longer_log_is_not_shown_once_the_log_is_cut_back() {
    let (t, _) = profile(4);
    let backup = t.path().join("backup");
    copy_space(t.path(), &backup);
    let mut e = Engine::open(t.path()).unwrap();
    let gone = note(&mut e, "only in the longer log");
    drop(e);
    // Open once so that the cache covers the longer log, then put the shorter log back.
    drop(Engine::open(t.path()).unwrap());
    fs::remove_file(cache(t.path())).unwrap();
    drop(Engine::open(t.path()).unwrap());
    let longer_cache = fs::read(cache(t.path())).unwrap();
    restore_space(&backup, t.path());
    fs::write(cache(t.path()), &longer_cache).unwrap();
    let (e, cached) = open_right(t.path());
    assert!(!cached);
    assert!(!e.view().gratitude.contains_key(&gone));
}

#[test]
fn a_crash_between_the_new_snapshot_and_its_cache_opens_right_either_way() {
    // Cache written for a generation whose snapshot never made it (renamed), so the files
    // on disk are the generation before, with fewer records.
    let (t, _) = profile(4);
    let backup = t.path().join("backup");
    copy_space(t.path(), &backup);
    let mut e = Engine::open(t.path()).unwrap();
    let lost = note(&mut e, "in the generation that did not make it");
    e.set_compact_bytes(0);
    note(&mut e, "compacting");
    drop(e);
    let new_cache = fs::read(cache(t.path())).unwrap();
    let new_snapshot =
        fs::read_dir(t.path().join("space")).unwrap().flatten().map(|f| f.path()).filter(|p| p.extension().is_some_and(|x| x == "am")).max().unwrap();
    let unrenamed = fs::read(&new_snapshot).unwrap();
    restore_space(&backup, t.path());
    fs::write(cache(t.path()), &new_cache).unwrap();
    let mut tmp = new_snapshot.file_name().unwrap().to_os_string();
    tmp.push(".tmp");
    fs::write(t.path().join("space").join(tmp), &unrenamed).unwrap();
    let (e, cached) = open_right(t.path());
    assert!(!cached);
    assert!(!e.view().gratitude.contains_key(&lost));
    drop(e);

    // The other way round: the new generation is on disk, its cache was never written, and
    // the cache left is the previous generation's.
    let (t, _) = profile(4);
    let old_cache = fs::read(cache(t.path())).unwrap();
    let mut e = Engine::open(t.path()).unwrap();
    let kept = note(&mut e, "in the new generation");
    e.set_compact_bytes(0);
    note(&mut e, "compacting");
    drop(e);
    fs::write(cache(t.path()), &old_cache).unwrap();
    let (e, cached) = open_right(t.path());
    assert!(!cached);
    assert!(e.view().gratitude.contains_key(&kept));
}

#[test]
fn a_cache_that_passes_the_stamp_but_not_the_heads_is_rebuilt_and_said() {
    let (t, _) = profile(4);
    let mut e = Engine::open(t.path()).unwrap();
    let newer = note(&mut e, "not in the forged cache");
    drop(e);
    // Forge: the old cache stamped with the current files (what a wrong identity check
    // would let through). The heads check must catch it once the document has loaded.
    assert!(mend_store::restamp_view_cache_for_tests(t.path()).unwrap());
    let mut e = Engine::open(t.path()).unwrap();
    assert!(!e.is_loaded(), "the forged stamp passes");
    e.wait_loaded().unwrap();
    assert!(e.view().gratitude.contains_key(&newer), "rebuilt from the document");
    assert_eq!(e.view(), &truth(t.path()));
    assert_eq!(e.recovery_notes(), &[Recovery::ViewRebuilt]);
}

fn newest(dir: &Path, ext: &str) -> PathBuf {
    fs::read_dir(dir.join("space")).unwrap().flatten().map(|f| f.path()).filter(|p| p.extension().is_some_and(|x| x == ext)).max().unwrap()
}

#[test]
fn a_change_that_does_not_load_behind_a_matching_cache_is_caught_by_the_heads_check() {
    let (t, ids) = profile(4);
    let mut e = Engine::open(t.path()).unwrap();
    let after: Vec<RecordId> = (0..3).map(|i| note(&mut e, &format!("after {i}"))).collect();
    drop(e);
    // A cache of everything, the three notes included.
    fs::remove_file(cache(t.path())).unwrap();
    drop(Engine::open(t.path()).unwrap());
    // Damage the log's last change, with its frame checksum made right again, and forge
    // the stamp over it: the cache is used, and only loading the document finds out.
    let log = newest(t.path(), "log");
    let mut bytes = fs::read(&log).unwrap();
    let last = mend_store::log::scan(&bytes).frames.last().unwrap().clone();
    for b in &mut bytes[last.start + 10..last.end] {
        *b = 0x5a;
    }
    let crc = crc32fast_hash(&bytes[last.clone()]);
    bytes[last.start - 4..last.start].copy_from_slice(&crc.to_le_bytes());
    fs::write(&log, &bytes).unwrap();
    assert!(mend_store::restamp_view_cache_for_tests(t.path()).unwrap());
    let mut e = Engine::open(t.path()).unwrap();
    assert!(!e.is_loaded());
    assert!(e.view().gratitude.contains_key(&after[2]), "the forged cache is what was shown");
    e.wait_loaded().unwrap();
    // Automerge skips the unreadable change; the heads then differ from the cache's.
    assert_eq!(e.recovery_notes(), &[Recovery::ViewRebuilt]);
    assert_eq!(e.view(), &truth(t.path()));
    assert!(ids.iter().chain(&after[..2]).all(|id| e.view().gratitude.contains_key(id)), "everything before the damage is there");
    assert!(!e.view().gratitude.contains_key(&after[2]));
}

#[test]
fn a_snapshot_that_does_not_load_behind_a_matching_cache_is_opened_the_usual_way() {
    let (t, ids) = profile(4);
    let snapshot = newest(t.path(), "am");
    let mut bytes = fs::read(&snapshot).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&snapshot, &bytes).unwrap();
    assert!(mend_store::restamp_view_cache_for_tests(t.path()).unwrap());
    let mut e = Engine::open(t.path()).unwrap();
    assert!(!e.is_loaded());
    let heads = e.heads();
    e.wait_loaded().unwrap();
    // Opened the usual way: the damaged snapshot kept aside, the one before it and both
    // logs hold everything.
    assert!(e.recovery_notes().iter().any(|n| matches!(n, Recovery::Damaged { .. })), "{:?}", e.recovery_notes());
    assert!(ids.iter().all(|id| e.view().gratitude.contains_key(id)));
    assert_eq!(e.heads(), heads);
    note(&mut e, "and it saves");
}

fn crc32fast_hash(b: &[u8]) -> u32 {
    // The log's frame checksum (crc32, IEEE), without another dev-dependency.
    let mut crc = !0u32;
    for &x in b {
        crc ^= u32::from(x);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn a_cache_of_other_changes_in_the_same_generation_is_not_shown() {
    // Two histories from one state: the cache covers one, the files hold the other (a copy
    // of the profile restored, another process's log): same generation, same snapshot, a
    // log of about the same length but other bytes.
    let (t, _) = profile(4);
    let backup = t.path().join("backup");
    copy_space(t.path(), &backup);
    let mut e = Engine::open(t.path()).unwrap();
    let x = note(&mut e, "history x");
    drop(e);
    fs::remove_file(cache(t.path())).unwrap();
    drop(Engine::open(t.path()).unwrap());
    let cache_of_x = fs::read(cache(t.path())).unwrap();
    restore_space(&backup, t.path());
    let mut e = Engine::open(t.path()).unwrap();
    let y = note(&mut e, "history y");
    drop(e);
    fs::write(cache(t.path()), &cache_of_x).unwrap();
    let (e, cached) = open_right(t.path());
    assert!(!cached);
    assert!(e.view().gratitude.contains_key(&y));
    assert!(!e.view().gratitude.contains_key(&x));
}

/// A cache whose stamp and heads are right but whose view is not the document's (written
/// by a bug, or by hand): shown at open, then caught by the check the window and `serve`
/// run once the document has loaded, replaced, and said.
#[test]
fn a_forged_view_behind_a_right_stamp_is_caught_by_the_view_check() {
    let (t, ids) = profile(3);
    drop(Engine::open(t.path()).unwrap());
    assert!(
        mend_store::forge_cached_view_for_tests(t.path(), |v| {
            for g in v.gratitude.values_mut() {
                g.text = "words nobody wrote".into();
            }
        })
        .unwrap()
    );
    let mut e = Engine::open(t.path()).unwrap();
    assert!(!e.is_loaded(), "the forged cache passes every check made before the document loads");
    assert_eq!(e.view().gratitude[&ids[0]].text, "words nobody wrote");
    e.wait_loaded().unwrap();
    assert!(e.recovery_notes().is_empty(), "the heads match: only the view check can tell");
    assert!(e.verify_view().unwrap(), "the check finds the forgery");
    assert_eq!(e.view(), &truth(t.path()));
    assert_eq!(e.view().gratitude[&ids[0]].text, "note 0");
    assert_eq!(e.recovery_notes(), &[Recovery::ViewRebuilt]);
    assert!(!e.verify_view().unwrap(), "checked once");
}

#[test]
fn a_true_cache_passes_the_view_check_without_a_note() {
    let (t, _) = profile(3);
    drop(Engine::open(t.path()).unwrap());
    let mut e = Engine::open(t.path()).unwrap();
    assert!(!e.is_loaded());
    assert!(!e.verify_view().unwrap());
    assert!(e.recovery_notes().is_empty());
    assert_eq!(e.view(), &truth(t.path()));
}
