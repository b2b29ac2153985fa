//! Damage and crash leftovers: whatever happens to a file, the journal opens (or says
//! plainly why it can't), every intact entry is recovered, the damaged file is kept aside in
//! `damaged/`, and the owner is told. A wrong passphrase never counts as damage.

mod common;
use common::*;
use mend_journal::format::{FRAME_HEADER, PREAMBLE_LEN};
use mend_journal::{Journal, JournalError, Recovery};
use std::path::Path;

/// A journal with two entries in its snapshot and two in its log.
fn journal_with_both(profile: &Path) {
    let mut j = new_journal(profile);
    add(&mut j, "snap one");
    add(&mut j, "snap two");
    j.compact().expect("compact");
    add(&mut j, "log one");
    add(&mut j, "log two");
}

fn open_noting(profile: &Path) -> (Journal, Vec<Recovery>) {
    let mut j = Journal::open(profile, PASS).expect("the journal opens");
    let notes = j.take_notes();
    (j, notes)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn damaged_note(notes: &[Recovery], file: &Path) -> String {
    let n = notes
        .iter()
        .find(|n| matches!(n, Recovery::Damaged { file: f, kept, .. } if f == file && kept.exists()))
        .unwrap_or_else(|| panic!("no damage note for {} in {notes:?}", file.display()));
    n.to_string()
}

/// Frame offsets of a file: (start of its header, start of its body, length).
fn frames(path: &Path) -> Vec<(usize, usize, usize)> {
    let b = std::fs::read(path).expect("read");
    mend_journal::format::scan(&b).frames.iter().map(|f| (f.body.start - FRAME_HEADER, f.body.start, f.body.len())).collect()
}

/// Changes a byte of a record and fixes its checksum: only the authentication can tell.
fn tamper(path: &Path, frame: usize) {
    let (head, body, len) = frames(path)[frame];
    let mut b = std::fs::read(path).expect("read");
    b[body + len / 2] ^= 0x20;
    let crc = crc32fast::hash(&b[body..body + len]);
    b[head + 4..head + 8].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(path, b).expect("write");
}

fn healthy_after(profile: &Path, want: &[&str]) {
    let (j, notes) = open_noting(profile);
    assert!(notes.is_empty(), "the repair left a healthy journal, but the next open noted {notes:?}");
    assert_eq!(sorted(texts(&j)), sorted(want.iter().map(|s| s.to_string()).collect()));
}

#[test]
fn an_interrupted_append_is_trimmed_and_kept_and_loses_nothing_acknowledged() {
    let d = profile();
    journal_with_both(d.path());
    let log = log_file(d.path());
    let whole = std::fs::read(&log).expect("read");
    let (head, _, len) = *frames(&log).last().expect("a frame");
    // The next append, cut off part way: the last frame's bytes again, truncated.
    let mut torn = whole.clone();
    torn.extend_from_slice(&whole[head..head + FRAME_HEADER + len / 2]);
    std::fs::write(&log, &torn).expect("write");

    let (j, notes) = open_noting(d.path());
    assert_eq!(sorted(texts(&j)), sorted(vec!["snap one".into(), "snap two".into(), "log one".into(), "log two".into()]));
    assert!(
        matches!(notes.as_slice(), [Recovery::InterruptedWrite { bytes, kept, .. }] if *bytes == FRAME_HEADER + len / 2 && kept.exists()),
        "{notes:?}"
    );
    assert!(notes[0].to_string().contains("every entry it confirmed is here"));
    assert_eq!(std::fs::read(&log).expect("read"), whole, "trimmed back to the last whole record");
    drop(j);
    healthy_after(d.path(), &["snap one", "snap two", "log one", "log two"]);
}

#[test]
fn the_log_cut_at_every_byte_of_its_records_opens_with_every_whole_one() {
    let d = profile();
    journal_with_both(d.path());
    let log = log_file(d.path());
    let whole = std::fs::read(&log).expect("read");
    let ends: Vec<usize> = frames(&log).iter().map(|(_, body, len)| body + len).collect();
    let all = ["log one", "log two"];
    // Every byte where a crash can cut an append; a few places inside the preamble, which
    // only damage can cut (a log is created whole), each of which takes the same path.
    let cuts = [0, 1, 7, 8, 45, PREAMBLE_LEN - 1].into_iter().chain(PREAMBLE_LEN..whole.len());
    for cut in cuts {
        let copy = profile();
        let cdir = Journal::dir_of(copy.path());
        std::fs::create_dir_all(&cdir).expect("mkdir");
        for f in files_below(&Journal::dir_of(d.path())) {
            std::fs::copy(&f, cdir.join(f.file_name().expect("name"))).expect("copy");
        }
        std::fs::write(cdir.join(log.file_name().expect("name")), &whole[..cut]).expect("cut");
        let (j, notes) = open_noting(copy.path());
        let whole_records = ends.iter().filter(|e| **e <= cut).count();
        let mut want: Vec<String> = vec!["snap one".into(), "snap two".into()];
        want.extend(all[..whole_records].iter().map(|s| s.to_string()));
        assert_eq!(sorted(texts(&j)), sorted(want), "cut at {cut}");
        if cut < PREAMBLE_LEN {
            // Logs are written whole at creation, so a short one is damage, not a crash.
            damaged_note(&notes, &cdir.join(log.file_name().expect("name")));
        } else {
            assert!(notes.iter().all(|n| matches!(n, Recovery::InterruptedWrite { .. })), "cut at {cut}: {notes:?}");
        }
    }
}

#[test]
fn a_flipped_bit_in_the_log_costs_only_its_entry() {
    let d = profile();
    journal_with_both(d.path());
    let log = log_file(d.path());
    let (_, body, _) = frames(&log)[0];
    let mut b = std::fs::read(&log).expect("read");
    b[body + 30] ^= 0x04;
    std::fs::write(&log, &b).expect("write");

    let (j, notes) = open_noting(d.path());
    assert_eq!(sorted(texts(&j)), sorted(vec!["snap one".into(), "snap two".into(), "log two".into()]));
    let said = damaged_note(&notes, &log);
    assert!(said.contains("checksum") && said.contains("kept a copy"), "{said}");
    let kept = damaged_files(d.path());
    assert!(kept.iter().any(|k| std::fs::read(k).expect("read") == b), "the damaged log is kept byte for byte");
    drop(j);
    healthy_after(d.path(), &["snap one", "snap two", "log two"]);
}

#[test]
fn a_tampered_record_fails_authentication_and_the_rest_is_recovered() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    tamper(&snap, 0);

    let (j, notes) = open_noting(d.path());
    assert_eq!(texts(&j).len(), 3, "one snapshot entry is lost, the other three are here: {:?}", texts(&j));
    assert!(texts(&j).contains(&"log one".to_owned()) && texts(&j).contains(&"log two".to_owned()));
    let said = damaged_note(&notes, &snap);
    assert!(said.contains("authenticity"), "{said}");
}

#[test]
fn records_moved_to_another_place_are_caught() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    let b = std::fs::read(&snap).expect("read");
    let f = frames(&snap);
    // Swap the first two records: each is intact, but sealed for the other's place.
    let (a, bb) = (f[0], f[1]);
    let mut swapped = b[..a.0].to_vec();
    swapped.extend_from_slice(&b[bb.0..bb.1 + bb.2]);
    swapped.extend_from_slice(&b[a.0..a.1 + a.2]);
    swapped.extend_from_slice(&b[bb.1 + bb.2..]);
    std::fs::write(&snap, swapped).expect("write");
    let (_, notes) = open_noting(d.path());
    assert!(damaged_note(&notes, &snap).contains("authenticity"));
}

#[test]
fn a_truncated_snapshot_gives_back_what_is_whole() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    let f = frames(&snap);
    let b = std::fs::read(&snap).expect("read");
    std::fs::write(&snap, &b[..f[1].1 + 5]).expect("truncate");

    let (j, notes) = open_noting(d.path());
    assert_eq!(texts(&j).len(), 3, "{:?}", texts(&j));
    damaged_note(&notes, &snap);
    drop(j);
    assert_eq!(texts(&Journal::open(d.path(), PASS).expect("open")).len(), 3);
}

#[test]
fn a_snapshot_without_its_seal_is_damage() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    let f = frames(&snap);
    let b = std::fs::read(&snap).expect("read");
    let seal = f.last().expect("seal");
    std::fs::write(&snap, &b[..seal.0]).expect("cut at a record boundary");
    let (j, notes) = open_noting(d.path());
    assert!(damaged_note(&notes, &snap).contains("end is missing"));
    assert_eq!(texts(&j).len(), 4, "every entry was before the seal");
}

#[test]
fn a_garbage_snapshot_leaves_the_log_readable_and_a_garbage_log_the_snapshot() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    let garbage: Vec<u8> = (0..3000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(&snap, &garbage).expect("write");
    let (j, notes) = open_noting(d.path());
    assert_eq!(sorted(texts(&j)), sorted(vec!["log one".into(), "log two".into()]));
    assert!(damaged_note(&notes, &snap).contains("not a Mend journal file"));
    drop(j);
    healthy_after(d.path(), &["log one", "log two"]);

    let d = profile();
    journal_with_both(d.path());
    let log = log_file(d.path());
    std::fs::write(&log, b"this is not what Mend wrote here, it is something else entirely, long enough to matter").expect("write");
    let (j, notes) = open_noting(d.path());
    assert_eq!(sorted(texts(&j)), sorted(vec!["snap one".into(), "snap two".into()]));
    damaged_note(&notes, &log);
    drop(j);
    healthy_after(d.path(), &["snap one", "snap two"]);
}

#[test]
fn a_damaged_key_setting_in_one_file_is_read_from_the_other() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    let mut b = std::fs::read(&snap).expect("read");
    b[35] ^= 0x01; // inside the salt
    std::fs::write(&snap, &b).expect("write");
    let (j, notes) = open_noting(d.path());
    assert_eq!(texts(&j).len(), 4, "the snapshot's records still open with the key from the log's settings");
    assert!(damaged_note(&notes, &snap).contains("checksum"));
}

#[test]
fn when_no_copy_of_the_key_settings_survives_the_files_are_kept_and_a_new_journal_can_start() {
    let d = profile();
    journal_with_both(d.path());
    let snap = snapshot_file(d.path());
    let log = log_file(d.path());
    let originals = [std::fs::read(&snap).expect("read"), std::fs::read(&log).expect("read")];
    for f in [&snap, &log] {
        let mut b = std::fs::read(f).expect("read");
        b[20] ^= 0xff;
        std::fs::write(f, b).expect("write");
    }
    let e = Journal::open(d.path(), PASS).expect_err("unreadable");
    assert!(matches!(e, JournalError::Unreadable { .. }), "{e:?}");
    assert!(e.to_string().contains("kept its files"), "{e}");
    let kept: Vec<Vec<u8>> = damaged_files(d.path()).iter().map(|p| std::fs::read(p).expect("read")).collect();
    assert_eq!(kept.len(), 2);
    for (o, k) in originals.iter().zip([&snap, &log]) {
        let mut damaged = o.clone();
        damaged[20] ^= 0xff;
        assert!(kept.contains(&damaged), "{} is kept byte for byte", k.display());
    }
    assert!(!Journal::exists(d.path()));
    let mut j = Journal::create(d.path(), "a fresh start phrase", FAST).expect("a new journal starts");
    add(&mut j, "new beginnings");
}

#[test]
fn a_wrong_passphrase_on_a_damaged_journal_repairs_nothing() {
    let d = profile();
    journal_with_both(d.path());
    let log = log_file(d.path());
    let mut b = std::fs::read(&log).expect("read");
    let n = b.len();
    b[n - 3] ^= 0x10;
    std::fs::write(&log, &b).expect("write");
    let before = disk(d.path());
    assert!(matches!(Journal::open(d.path(), "wrong passphrase here"), Err(JournalError::WrongPassphrase)));
    assert_eq!(disk(d.path()), before, "nothing is moved or repaired before the key is proven");
    assert!(damaged_files(d.path()).is_empty());
}

#[test]
fn kept_copies_never_overwrite_each_other() {
    let d = profile();
    for round in 0..3 {
        if round == 0 {
            journal_with_both(d.path());
        } else {
            let mut j = Journal::open(d.path(), PASS).expect("open");
            add(&mut j, "more");
        }
        let log = log_file(d.path());
        let mut b = std::fs::read(&log).expect("read");
        let n = b.len();
        b[n - 3] ^= 0x10;
        std::fs::write(&log, &b).expect("write");
        let (_, notes) = open_noting(d.path());
        damaged_note(&notes, &log);
    }
    assert_eq!(damaged_files(d.path()).len(), 3);
}
