//! A damaged document file never stops Mend from opening, is never overwritten, and costs
//! no intact change that came before the damage. One test per kind of damage and file.

use mend_engine::core::RecordId;
use mend_engine::{Command, Engine, EngineError, Recovery};
use mend_store::log;
use std::fs;
use std::path::{Path, PathBuf};

fn note(e: &mut Engine, text: &str) -> RecordId {
    e.execute(Command::AddGratitude { text: text.into(), about: None }).unwrap().created.unwrap()
}

fn newest(dir: &Path, prefix: &str) -> PathBuf {
    let mut v: Vec<PathBuf> = fs::read_dir(dir.join("space"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    v.sort();
    v.pop().unwrap()
}

fn kept_files(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir.join("damaged")).map(|r| r.flatten().map(|e| e.path()).collect()).unwrap_or_default()
}

fn has_all(e: &Engine, ids: &[RecordId]) -> bool {
    ids.iter().all(|id| e.view().gratitude.contains_key(id))
}

/// Opens after damage and checks what every kind of damage must leave: the profile opens,
/// the user is told, the damaged bytes are kept as they were, and the next open is clean.
fn open_after_damage(dir: &Path, damaged_bytes: &[u8]) -> Engine {
    let mut e = Engine::open(dir).expect("a damaged file never stops Mend from opening");
    let notes = e.recovery_notes().to_vec();
    assert!(!notes.is_empty(), "the user is told");
    assert!(notes.iter().all(|n| !n.to_string().is_empty()));
    let kept: Vec<Vec<u8>> = kept_files(dir).iter().map(|p| fs::read(p).unwrap()).collect();
    assert!(kept.iter().any(|k| k == damaged_bytes), "the damaged bytes are kept aside as they were");
    // Healthy again: a new action saves, and the next open has nothing to repair.
    note(&mut e, "after the repair");
    drop(e);
    let e = Engine::open(dir).unwrap();
    assert_eq!(e.recovery_notes(), &[] as &[Recovery]);
    e
}

/// Ten notes before a compaction, five after: snapshot N holds the ten, log N the five.
fn two_generations() -> (tempfile::TempDir, Vec<RecordId>) {
    let t = tempfile::tempdir().unwrap();
    let mut e = Engine::init(t.path(), "Ana", "laptop").unwrap();
    let mut ids: Vec<RecordId> = (0..10).map(|i| note(&mut e, &format!("before {i}"))).collect();
    e.set_compact_bytes(0);
    ids.push(note(&mut e, "compacting"));
    e.set_compact_bytes(u64::MAX);
    ids.extend((0..5).map(|i| note(&mut e, &format!("after {i}"))));
    (t, ids)
}

fn damage_snapshot(f: impl Fn(&mut Vec<u8>)) {
    let (t, ids) = two_generations();
    let snap = newest(t.path(), "snapshot-");
    let mut bytes = fs::read(&snap).unwrap();
    f(&mut bytes);
    fs::write(&snap, &bytes).unwrap();
    let e = open_after_damage(t.path(), &bytes);
    assert!(has_all(&e, &ids), "the backup generation and the logs hold every change");
    assert!(e.recovery_notes().is_empty());
}

#[test]
fn truncated_snapshot_loses_nothing() {
    damage_snapshot(|b| b.truncate(b.len() / 2));
}

#[test]
fn bit_flipped_snapshot_loses_nothing() {
    damage_snapshot(|b| {
        let i = b.len() / 2;
        b[i] ^= 0x04;
    });
}

#[test]
fn garbage_snapshot_loses_nothing() {
    damage_snapshot(|b| *b = b"this is not an automerge document, just words on a disk".repeat(20));
}

/// One generation: every note is a frame of log 1.
fn one_log(n: usize) -> (tempfile::TempDir, Vec<RecordId>, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let mut e = Engine::init(t.path(), "Ana", "laptop").unwrap();
    let ids = (0..n).map(|i| note(&mut e, &format!("note {i}"))).collect();
    let log = newest(t.path(), "log-");
    (t, ids, log)
}

#[test]
fn bit_flipped_log_keeps_every_change_before_the_damage() {
    let (t, ids, log_file) = one_log(10);
    let mut bytes = fs::read(&log_file).unwrap();
    let frames = log::scan(&bytes).frames;
    assert_eq!(frames.len(), 11, "registration and ten notes");
    // Damage the frame of note 6 (frame 0 is the registration).
    let r = frames[7].clone();
    bytes[r.start + r.len() / 2] ^= 0x01;
    fs::write(&log_file, &bytes).unwrap();
    let e = Engine::open(t.path()).unwrap();
    assert!(has_all(&e, &ids[..6]), "every change before the damage is recovered");
    assert!(!e.view().gratitude.contains_key(&ids[6]));
    let notes = e.recovery_notes();
    assert!(notes.iter().any(|n| matches!(n, Recovery::Damaged { .. })), "{notes:?}");
    assert!(notes.iter().any(|n| matches!(n, Recovery::Incomplete { .. })), "later changes wait for the lost one: {notes:?}");
    drop(e);
    let kept: Vec<Vec<u8>> = kept_files(t.path()).iter().map(|p| fs::read(p).unwrap()).collect();
    assert!(kept.contains(&bytes), "the damaged log is kept as it was");
}

#[test]
fn truncated_log_keeps_every_whole_change() {
    let (t, ids, log_file) = one_log(10);
    let bytes = fs::read(&log_file).unwrap();
    let cut = &bytes[..bytes.len() - 7];
    fs::write(&log_file, cut).unwrap();
    let partial = &cut[log::scan(cut).good_end..];
    assert!(!partial.is_empty());
    let e = open_after_damage(t.path(), partial);
    assert!(has_all(&e, &ids[..9]));
    assert!(!e.view().gratitude.contains_key(&ids[9]), "the cut-off change was never whole");
}

#[test]
fn interrupted_write_is_repaired_quietly_with_its_bytes_kept() {
    let (t, ids, log_file) = one_log(3);
    let mut bytes = fs::read(&log_file).unwrap();
    let whole = bytes.len();
    // Half a frame, as a crash mid-append leaves it.
    let half = log::encode_frame(b"an append that never finished");
    bytes.extend_from_slice(&half[..half.len() / 2]);
    fs::write(&log_file, &bytes).unwrap();
    let e = Engine::open(t.path()).unwrap();
    assert!(has_all(&e, &ids));
    assert!(matches!(e.recovery_notes(), [Recovery::InterruptedWrite { bytes: b, .. }] if *b == half.len() / 2));
    assert_eq!(fs::metadata(&log_file).unwrap().len() as usize, whole, "trimmed back to the last whole save");
    let kept = kept_files(t.path());
    assert_eq!(fs::read(&kept[0]).unwrap(), &half[..half.len() / 2]);
}

#[test]
fn garbage_log_keeps_the_snapshot() {
    let (t, ids) = two_generations();
    let log_file = newest(t.path(), "log-");
    let garbage = b"\x00\xffnot a log\x13\x37".repeat(50);
    fs::write(&log_file, &garbage).unwrap();
    let e = open_after_damage(t.path(), &garbage);
    assert!(has_all(&e, &ids[..11]), "everything in the snapshot is intact");
}

#[test]
fn garbage_after_a_good_log_keeps_every_change() {
    let (t, ids, log_file) = one_log(5);
    let mut bytes = fs::read(&log_file).unwrap();
    bytes.extend_from_slice(&[0xA5; 64]);
    fs::write(&log_file, &bytes).unwrap();
    let e = open_after_damage(t.path(), &bytes);
    assert!(has_all(&e, &ids));
}

#[test]
fn damaged_settings_are_rebuilt_from_the_key_and_the_space() {
    let t = tempfile::tempdir().unwrap();
    let me = Engine::init(t.path(), "Ana", "laptop").unwrap().me().clone();
    fs::write(t.path().join("profile.json"), b"{ not json").unwrap();
    let e = Engine::open(t.path()).unwrap();
    assert_eq!(e.me(), &me);
    assert!(matches!(e.recovery_notes(), [Recovery::SettingsRebuilt { kept: Some(_) }]));
    assert_eq!(e.device_name(), "laptop");
}

/// A key that is not 32 bytes, or one with a flipped bit (a key of no device of the space,
/// while profile.json names one): the space opens to be read, and nothing writes.
#[test]
fn a_damaged_key_opens_the_space_read_only() {
    for damage in ["short", "flipped"] {
        let t = tempfile::tempdir().unwrap();
        let mut e = Engine::init(t.path(), "Ana", "laptop").unwrap();
        let me = e.me().clone();
        note(&mut e, "still here");
        drop(e);
        let key = t.path().join("device.key");
        if damage == "short" {
            fs::write(&key, b"short").unwrap();
        } else {
            let mut b = fs::read(&key).unwrap();
            b[0] ^= 1;
            fs::write(&key, &b).unwrap();
        }
        let mut e = Engine::open(t.path()).unwrap_or_else(|err| panic!("{damage}: {err}"));
        assert_eq!(e.me(), &me, "{damage}: still known as the same partner and device");
        assert!(e.key_lost().is_some(), "{damage}");
        assert!(matches!(e.recovery_notes(), [Recovery::KeyLost { missing: false, .. }]), "{damage}: {:?}", e.recovery_notes());
        assert_eq!(e.view().gratitude.len(), 1, "{damage}");
        let err = e.execute(Command::EndPause).unwrap_err();
        assert!(matches!(err, EngineError::KeyLost { missing: false }), "{damage}: {err}");
        assert!(e.secret_key().is_err(), "{damage}: no key to go online with");
        assert!(t.path().join("profile.json").is_file(), "{damage}: profile.json is not moved aside");
    }
}

#[test]
fn a_newer_space_on_disk_is_refused_and_left_untouched() {
    use automerge::transaction::Transactable;
    let t = tempfile::tempdir().unwrap();
    let mut e = Engine::init(t.path(), "Ana", "laptop").unwrap();
    note(&mut e, "written by this Mend");
    drop(e);
    // A newer Mend wrote schema 2 into the same profile.
    let (mut store, mut doc, _) = mend_store::DocStore::open(t.path()).unwrap();
    doc.put(automerge::ROOT, "schema_version", 2u64).unwrap();
    doc.commit();
    let g = store.lock_exclusive().unwrap();
    store.persist(&mut doc).unwrap();
    drop(g);
    drop(store);
    let snapshot = |d: &Path| {
        let mut v: Vec<(PathBuf, Vec<u8>)> =
            fs::read_dir(d.join("space")).unwrap().flatten().map(|e| (e.path(), fs::read(e.path()).unwrap())).collect();
        v.sort();
        v
    };
    let before = snapshot(t.path());
    let err = Engine::open(t.path()).err().unwrap();
    assert!(matches!(err, EngineError::Core(mend_engine::core::CoreError::NewerSchema { found: 2, .. })), "{err}");
    assert!(err.to_string().contains("Update Mend"));
    assert_eq!(snapshot(t.path()), before, "nothing was written");
}

/// The disk at every moment of an append: the log cut at every byte. Each cut opens, keeps
/// every save that was whole, and is repaired as an interrupted write, never as damage.
#[test]
fn every_cut_of_the_log_opens_with_every_whole_change() {
    let (t, ids, log_file) = one_log(4);
    let full = fs::read(&log_file).unwrap();
    let frames = log::scan(&full).frames;
    let scratch = tempfile::tempdir().unwrap();
    for cut in log::HEADER.len()..full.len() {
        let copy = scratch.path().join(format!("cut-{cut}"));
        copy_dir(t.path(), &copy);
        fs::write(copy.join("space").join(log_file.file_name().unwrap()), &full[..cut]).unwrap();
        // A crash mid-append happens after every earlier save was acknowledged, so no cache
        // can cover the frame being cut: the copy's cache (written after all four) goes.
        // With it, a cut below what it covers is a loss, told as one (tests/recovery.rs).
        fs::remove_file(copy.join("space").join("view.cache")).unwrap();
        let e = Engine::open(&copy).unwrap_or_else(|err| panic!("cut at {cut}: {err}"));
        let whole_notes = frames.iter().skip(1).filter(|r| r.end <= cut).count();
        assert!(has_all(&e, &ids[..whole_notes]), "cut at {cut}");
        assert_eq!(e.view().gratitude.len(), whole_notes, "cut at {cut}");
        assert!(e.recovery_notes().iter().all(|n| matches!(n, Recovery::InterruptedWrite { .. })), "cut at {cut}: {:?}", e.recovery_notes());
        drop(e);
        fs::remove_dir_all(&copy).unwrap();
    }
}

/// A crash while a snapshot is being written leaves its temporary file: ignored and removed.
#[test]
fn a_half_written_snapshot_is_ignored() {
    let (t, ids) = two_generations();
    let snap = newest(t.path(), "snapshot-");
    let name = snap.file_name().unwrap().to_string_lossy().replace("snapshot-", "snapshot-9");
    let tmp = t.path().join("space").join(format!("{name}.tmp"));
    fs::write(&tmp, &fs::read(&snap).unwrap()[..100]).unwrap();
    let e = Engine::open(t.path()).unwrap();
    assert!(has_all(&e, &ids));
    assert!(e.recovery_notes().is_empty());
    assert!(!tmp.exists());
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}
