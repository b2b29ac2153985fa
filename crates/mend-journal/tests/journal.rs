//! The journal's promises, on real files: what goes in comes back, only with the right
//! passphrase, never in plaintext, and a locked journal gives nothing.

mod common;
use common::*;
use mend_journal::{Edit, Journal, JournalError, KdfParams, NewEntry};

#[test]
fn entries_come_back_newest_first_with_everything_written() {
    let d = profile();
    let mut j = new_journal(d.path());
    let first = j
        .add(NewEntry {
            text: "We argued about the weekend.".into(),
            mood: Some(2),
            prompt: Some("What was my part?".into()),
            tags: vec!["#Weekend".into(), "us".into()],
        })
        .expect("add");
    std::thread::sleep(std::time::Duration::from_millis(2));
    let second = add(&mut j, "A calmer evening. We walked.");
    drop(j);

    let j = Journal::open(d.path(), PASS).expect("open");
    let all = j.list().expect("list");
    assert_eq!(all.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec![second.as_str(), first.id.as_str()]);
    let e = all[1];
    assert_eq!(e.text, "We argued about the weekend.");
    assert_eq!(e.mood, Some(2));
    assert_eq!(e.prompt.as_deref(), Some("What was my part?"));
    assert_eq!(e.tags, vec!["Weekend", "us"]);
    assert!(e.created_at > 1_600_000_000_000 && e.edited_at.is_none());
    assert_eq!(uuid::Uuid::parse_str(&e.id).expect("a uuid").get_version_num(), 7);
    assert_eq!(j.kdf_params().expect("params"), FAST);
}

#[test]
fn search_ignores_case_and_reads_tags() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "I felt UNHEARD at dinner");
    j.add(NewEntry { text: "Long day".into(), tags: vec!["Dinner".into()], ..NewEntry::default() }).expect("add");
    add(&mut j, "Nothing to do with it");
    let hits: Vec<String> = j.search("dinner").expect("search").iter().map(|e| e.text.clone()).collect();
    assert_eq!(hits, vec!["Long day", "I felt UNHEARD at dinner"]);
    assert_eq!(j.search("unheard").expect("search").len(), 1);
    assert!(j.search("breakfast").expect("search").is_empty());
}

#[test]
fn nothing_is_stored_in_plaintext_and_the_passphrase_is_stored_nowhere() {
    let d = profile();
    let mut j = new_journal(d.path());
    j.add(NewEntry {
        text: "canary-7f3a9 my private words".into(),
        prompt: Some("prompt-canary-51c".into()),
        tags: vec!["tag-canary-e2d".into()],
        mood: Some(4),
    })
    .expect("add");
    j.edit(&j.list().expect("list")[0].id.clone(), Edit { text: Some("canary-7f3a9 edited words".into()), ..Edit::default() }).expect("edit");
    add(&mut j, "canary-7f3a9 in the log");
    drop(j);
    for needle in ["canary-7f3a9", "prompt-canary-51c", "tag-canary-e2d", PASS, "private words", "edited words"] {
        assert_eq!(holding(d.path(), needle.as_bytes()), Vec::<std::path::PathBuf>::new(), "{needle:?} is on disk in plaintext");
    }
}

#[test]
fn a_wrong_passphrase_is_a_clear_error_and_changes_nothing() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "one");
    drop(j);
    let before = disk(d.path());
    for wrong in ["correct horse battery stapl", "", "Correct horse battery staple"] {
        let e = Journal::open(d.path(), wrong).expect_err("a wrong passphrase must not open it");
        assert!(matches!(e, JournalError::WrongPassphrase), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("doesn't open this journal") && msg.contains("can't recover a forgotten passphrase"), "{msg}");
    }
    assert_eq!(disk(d.path()), before, "a wrong passphrase must not change a byte");
    assert_eq!(texts(&Journal::open(d.path(), PASS).expect("right passphrase")), vec!["one"]);
}

#[test]
fn a_locked_journal_gives_nothing_until_unlocked() {
    let d = profile();
    let mut j = new_journal(d.path());
    let id = add(&mut j, "before locking");
    j.lock();
    assert!(j.is_locked());
    assert!(matches!(j.list(), Err(JournalError::Locked)));
    assert!(matches!(j.search("before"), Err(JournalError::Locked)));
    assert!(matches!(j.get(&id), Err(JournalError::Locked)));
    assert!(matches!(j.add(NewEntry::text("while locked")), Err(JournalError::Locked)));
    assert!(matches!(j.delete(&id), Err(JournalError::Locked)));
    assert!(matches!(j.edit(&id, Edit { text: Some("x".into()), ..Edit::default() }), Err(JournalError::Locked)));
    assert!(matches!(j.change_passphrase(PASS, "another long one", FAST), Err(JournalError::Locked)));
    assert!(JournalError::Locked.to_string().contains("locked"));
    assert!(matches!(j.unlock("not the passphrase"), Err(JournalError::WrongPassphrase)));
    assert!(j.is_locked());
    j.unlock(PASS).expect("unlock");
    assert_eq!(texts(&j), vec!["before locking"]);
}

#[test]
fn changing_the_passphrase_reencrypts_everything_under_a_new_salt() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "kept across the change");
    let old_files = files_below(&Journal::dir_of(d.path()));
    let old_salt = std::fs::read(snapshot_file(d.path())).expect("read")[30..46].to_vec();
    let old_records = sealed_records(&snapshot_file(d.path()));

    assert!(matches!(j.change_passphrase("not it at all", "a brand new passphrase", FAST), Err(JournalError::WrongPassphrase)));
    assert!(matches!(j.change_passphrase(PASS, "short", FAST), Err(JournalError::WeakPassphrase { .. })));
    j.change_passphrase(PASS, "a brand new passphrase", FAST).expect("change");
    add(&mut j, "after the change");
    drop(j);

    let new_salt = std::fs::read(snapshot_file(d.path())).expect("read")[30..46].to_vec();
    assert_ne!(old_salt, new_salt);
    for f in old_files.iter().filter(|f| !f.ends_with("lock")) {
        assert!(!f.exists(), "{} (under the old key) is still there", f.display());
    }
    for r in old_records {
        assert!(holding(d.path(), &r).is_empty(), "a record sealed under the old key is still on disk");
    }
    assert!(matches!(Journal::open(d.path(), PASS), Err(JournalError::WrongPassphrase)));
    let j = Journal::open(d.path(), "a brand new passphrase").expect("the new passphrase opens it");
    assert_eq!(texts(&j), vec!["after the change", "kept across the change"]);
}

#[test]
fn a_passphrase_change_interrupted_either_side_of_its_commit_opens_with_one_passphrase() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "survives");
    let dir = Journal::dir_of(d.path());
    let old_gen: Vec<(std::path::PathBuf, Vec<u8>)> =
        files_below(&dir).into_iter().filter(|p| !p.ends_with("lock")).map(|p| (p.clone(), std::fs::read(&p).expect("read"))).collect();
    j.change_passphrase(PASS, "the new passphrase", FAST).expect("change");
    drop(j);
    let new_snapshot = snapshot_file(d.path());
    let new_log = log_file(d.path());

    // Before the commit: the new log was written, the new snapshot was not. The old passphrase
    // opens the old journal, and the unfinished new log is cleared away.
    let before = profile();
    let bdir = Journal::dir_of(before.path());
    std::fs::create_dir_all(&bdir).expect("mkdir");
    for (p, b) in &old_gen {
        std::fs::write(bdir.join(p.file_name().expect("name")), b).expect("write");
    }
    std::fs::copy(&new_log, bdir.join(new_log.file_name().expect("name"))).expect("copy");
    assert!(matches!(Journal::open(before.path(), "the new passphrase"), Err(JournalError::WrongPassphrase)));
    assert_eq!(texts(&Journal::open(before.path(), PASS).expect("old passphrase")), vec!["survives"]);
    assert!(!bdir.join(new_log.file_name().expect("name")).exists());

    // After the commit, before the old generation was deleted: the new passphrase opens it,
    // the old one gets a hint, and opening deletes what the old key could read.
    let after = profile();
    let adir = Journal::dir_of(after.path());
    std::fs::create_dir_all(&adir).expect("mkdir");
    for (p, b) in &old_gen {
        std::fs::write(adir.join(p.file_name().expect("name")), b).expect("write");
    }
    std::fs::copy(&new_log, adir.join(new_log.file_name().expect("name"))).expect("copy");
    std::fs::copy(&new_snapshot, adir.join(new_snapshot.file_name().expect("name"))).expect("copy");
    let e = Journal::open(after.path(), PASS).expect_err("the old passphrase no longer opens it");
    assert!(matches!(e, JournalError::WrongPassphraseAfterChange), "{e:?}");
    assert!(e.to_string().contains("try your new passphrase"));
    assert_eq!(texts(&Journal::open(after.path(), "the new passphrase").expect("new passphrase")), vec!["survives"]);
    for (p, _) in &old_gen {
        assert!(!adir.join(p.file_name().expect("name")).exists(), "{} under the old key is still there", p.display());
    }
}

#[test]
fn bad_input_is_refused_with_a_sentence_and_changes_nothing() {
    let d = profile();
    assert!(matches!(Journal::create(d.path(), "short", FAST), Err(JournalError::WeakPassphrase { .. })));
    assert!(matches!(Journal::create(d.path(), &"x".repeat(5000), FAST), Err(JournalError::PassphraseTooLong { .. })));
    assert!(matches!(Journal::open(d.path(), PASS), Err(JournalError::NoJournal { .. })));
    let mut j = new_journal(d.path());
    assert!(matches!(Journal::create(d.path(), PASS, FAST), Err(JournalError::AlreadyExists { .. })));
    let id = add(&mut j, "the only entry");
    let before = disk(d.path());
    let refusals = [
        j.add(NewEntry::text("   ")).expect_err("empty"),
        j.add(NewEntry::text("a".repeat(mend_journal::MAX_TEXT + 1))).expect_err("huge"),
        j.add(NewEntry { text: "ok".into(), mood: Some(0), ..NewEntry::default() }).expect_err("mood 0"),
        j.add(NewEntry { text: "ok".into(), mood: Some(6), ..NewEntry::default() }).expect_err("mood 6"),
        j.add(NewEntry { text: "ok".into(), tags: vec!["".into()], ..NewEntry::default() }).expect_err("empty tag"),
        j.edit(&id, Edit { text: Some("".into()), ..Edit::default() }).expect_err("edit to empty"),
        j.edit("nope", Edit { text: Some("x".into()), ..Edit::default() }).expect_err("too short an id"),
        j.delete("ffffffff").expect_err("no such entry"),
    ];
    for e in &refusals {
        let s = e.to_string();
        assert!(s.len() > 20 && !s.contains("Error {") && !s.contains("Os {"), "not a sentence for a person: {s}");
    }
    assert_eq!(disk(d.path()), before, "refused input must not touch the disk");
    assert_eq!(texts(&j), vec!["the only entry"]);
}

#[test]
fn ids_resolve_from_a_prefix_or_suffix() {
    let d = profile();
    let mut j = new_journal(d.path());
    let id = add(&mut j, "one");
    add(&mut j, "two");
    assert_eq!(j.resolve(&id[id.len() - 6..]).expect("suffix"), id);
    assert!(matches!(j.resolve(&id[..4]), Err(JournalError::Ambiguous { count: 2, .. })));
    let edited = j.edit(&id[id.len() - 8..], Edit { text: Some("one, edited".into()), mood: Some(3), ..Edit::default() }).expect("edit");
    assert_eq!(edited.id, id);
    assert!(edited.edited_at.is_some());
    drop(j);
    let j = Journal::open(d.path(), PASS).expect("open");
    let e = j.get(&id).expect("unlocked").expect("still there");
    assert_eq!((e.text.as_str(), e.mood), ("one, edited", Some(3)));
}

#[test]
fn two_openers_of_one_journal_see_each_other_and_never_overwrite() {
    let d = profile();
    let mut a = new_journal(d.path());
    let mut b = Journal::open(d.path(), PASS).expect("second opener");
    add(&mut a, "from a");
    add(&mut b, "from b");
    add(&mut a, "from a again");
    let gone = add(&mut b, "deleted by b");
    b.delete(&gone).expect("delete compacts");
    add(&mut a, "after b compacted");
    a.refresh().expect("refresh");
    b.refresh().expect("refresh");
    assert_eq!(texts(&a), texts(&b));
    assert_eq!(texts(&Journal::open(d.path(), PASS).expect("open")), vec!["after b compacted", "from a again", "from b", "from a"]);

    a.change_passphrase(PASS, "changed by a, elsewhere", FAST).expect("change");
    let e = b.add(NewEntry::text("b still has the old key")).expect_err("b must not write under the old key");
    assert!(matches!(e, JournalError::ChangedElsewhere), "{e:?}");
    assert!(b.is_locked(), "b forgets its old key");
}

#[test]
fn open_or_create_and_add_entry_start_a_journal_once() {
    let d = profile();
    assert!(!Journal::exists(d.path()));
    let id = mend_journal::add_entry(d.path(), PASS, FAST, "first words").expect("add_entry");
    assert!(Journal::exists(d.path()));
    let id2 = mend_journal::add_entry(d.path(), PASS, FAST, "second words").expect("add_entry");
    assert_ne!(id, id2);
    assert!(matches!(mend_journal::add_entry(d.path(), "some other passphrase", FAST, "x"), Err(JournalError::WrongPassphrase)));
    assert_eq!(texts(&Journal::open(d.path(), PASS).expect("open")), vec!["second words", "first words"]);
}

#[test]
fn a_new_journal_gets_the_strong_key_settings_by_default() {
    let d = profile();
    let t = std::time::Instant::now();
    let j = Journal::create(d.path(), PASS, KdfParams::default()).expect("create");
    let took = t.elapsed();
    assert_eq!(j.kdf_params().expect("params"), KdfParams { m_kib: 65536, t: 3, p: 1 });
    let head = std::fs::read(snapshot_file(d.path())).expect("read");
    assert_eq!(&head[18..30], &[0, 0, 1, 0, 3, 0, 0, 0, 1, 0, 0, 0], "m=65536 KiB, t=3, p=1 on disk");
    eprintln!("Argon2id 64 MiB t=3 p=1 took {took:?} on this machine");
}

#[test]
fn a_journal_from_a_newer_mend_is_refused_untouched() {
    let d = profile();
    let mut j = new_journal(d.path());
    add(&mut j, "one");
    drop(j);
    for f in [snapshot_file(d.path()), log_file(d.path())] {
        let mut b = std::fs::read(&f).expect("read");
        b[7] = 2;
        std::fs::write(&f, b).expect("write");
    }
    let before = disk(d.path());
    let e = Journal::open(d.path(), PASS).expect_err("newer format");
    assert!(matches!(e, JournalError::NewerFormat { found: 2 }), "{e:?}");
    assert!(e.to_string().contains("update Mend"));
    assert_eq!(disk(d.path()), before);
}
