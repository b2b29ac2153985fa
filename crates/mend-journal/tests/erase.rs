//! Deleting is deleting: once `delete` (or `edit`) returns, neither the old words nor the
//! record that sealed them is in any file of the journal folder.

mod common;
use common::*;
use mend_journal::{Edit, Journal, NewEntry};

#[test]
fn a_deleted_entry_is_gone_from_every_file_of_the_journal() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "stays in the snapshot");
    j.compact().expect("compact");
    let keep = add(&mut j, "stays in the log");
    let doomed = add(&mut j, "canary-d31e7 words I want gone");
    // The record that holds it: the last frame of the log, while it still exists.
    let sealed = sealed_records(&log_file(d.path())).pop().expect("a record in the log");
    assert_eq!(holding(&Journal::dir_of(d.path()), &sealed).len(), 1, "the record is on disk before the delete");

    let deleted = j.delete(&doomed[doomed.len() - 6..]).expect("delete");
    assert_eq!(deleted, doomed);
    let dir = Journal::dir_of(d.path());
    assert!(holding(&dir, &sealed).is_empty(), "its ciphertext is still in {:?}", holding(&dir, &sealed));
    assert!(holding(&dir, &sealed[..24]).is_empty(), "its nonce is still on disk");
    assert!(holding(d.path(), b"canary-d31e7").is_empty());
    assert!(j.get(&doomed).expect("unlocked").is_none());
    drop(j);
    let j = Journal::open(d.path(), PASS).expect("open");
    assert_eq!(texts(&j), vec!["stays in the log", "stays in the snapshot"]);
    assert!(j.get(&keep).expect("unlocked").is_some());
}

#[test]
fn an_edit_leaves_no_copy_of_the_old_words() {
    let d = profile();
    let mut j = new_journal(d.path());
    let id = add(&mut j, "first draft, too harsh");
    let sealed = sealed_records(&log_file(d.path())).pop().expect("a record");
    j.edit(&id, Edit { text: Some("second draft, kinder".into()), ..Edit::default() }).expect("edit");
    let dir = Journal::dir_of(d.path());
    assert!(holding(&dir, &sealed).is_empty(), "the old version's record is still on disk");
    drop(j);
    assert_eq!(texts(&Journal::open(d.path(), PASS).expect("open")), vec!["second draft, kinder"]);
}

/// A delete that reports failure must not have deleted (issue 10): once its record is
/// saved, the delete is done and says so; only the erasing of the words waits.
#[test]
fn a_delete_whose_erasing_failed_is_done_and_finished_at_the_next_open() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "kept");
    let doomed = add(&mut j, "canary-4b1 to delete");
    let sealed = sealed_records(&log_file(d.path())).pop().expect("a record");
    // Make the compaction fail after the delete is logged: a folder where its new log goes.
    let dir = Journal::dir_of(d.path());
    let blocker = dir.join("log-00000002.enc");
    std::fs::create_dir(&blocker).expect("mkdir");
    j.delete(&doomed).expect("the delete itself is saved, so it is done");
    assert!(j.erase_pending(), "and it says that the words are still on disk");
    assert_eq!(texts(&j), vec!["kept"]);
    assert!(!holding(&dir, &sealed).is_empty(), "the record is still there: the compaction failed");
    drop(j);
    std::fs::remove_dir(&blocker).expect("rmdir");

    let j = Journal::open(d.path(), PASS).expect("open");
    assert_eq!(texts(&j), vec!["kept"], "the logged delete counts");
    assert!(holding(&dir, &sealed).is_empty(), "opening a log that holds a delete compacts it away");
}

#[test]
fn compaction_keeps_everything_else_and_starts_a_new_generation() {
    let d = profile();
    let mut j = new_journal(d.path());
    j.set_compact_bytes(2_000);
    let mut ids = vec![];
    for i in 0..60 {
        ids.push(
            j.add(NewEntry { text: format!("entry {i} {}", "words ".repeat(i % 7)), mood: Some((i % 5 + 1) as u8), ..NewEntry::default() })
                .expect("add")
                .id
                .clone(),
        );
    }
    let dir = Journal::dir_of(d.path());
    let generations: Vec<_> = files_below(&dir).into_iter().filter(|p| p.to_string_lossy().contains("snapshot-")).collect();
    assert_eq!(generations.len(), 1, "old generations are deleted: {generations:?}");
    assert!(!generations[0].ends_with("snapshot-00000001.enc"), "the log passed 2000 bytes, so it was compacted");
    drop(j);
    let j = Journal::open(d.path(), PASS).expect("open");
    let mut got: Vec<String> = j.list().expect("list").iter().map(|e| e.id.clone()).collect();
    got.reverse();
    assert_eq!(got, ids);
}
