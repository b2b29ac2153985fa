//! The private journal (issue 4), end to end through the real `mend` binary: what the CLI
//! promises, what it refuses, that nothing reaches the disk in plaintext, that damage is kept
//! aside and reported, and that SIGKILL at any moment loses no acknowledged entry.
//!
//! The two tests that need the sync crate (the `cargo metadata` dependency check and the
//! wire canary) live with it.

mod util;
use rand::Rng;
use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;
use util::*;

const PASS: &str = "a long and private passphrase";

/// `mend journal …` on this device, with the passphrase in the environment and cheap Argon2
/// settings (a debug-build-only switch: see `the_cli_makes_strong_keys_unless_a_debug_build_is_told_otherwise`).
fn journal(d: &Device) -> Command {
    let mut c = d.cmd();
    c.arg("journal").env("MEND_JOURNAL_PASSPHRASE", PASS).env("MEND_JOURNAL_INSECURE_TEST_KDF", "1").env_remove("MEND_JOURNAL_NEW_PASSPHRASE");
    c
}

fn out(c: &mut Command, args: &[&str]) -> Output {
    c.args(args).output().expect("run mend journal")
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).expect("utf-8")
}

/// Must succeed; returns stdout.
fn ok(d: &Device, args: &[&str]) -> String {
    let o = out(&mut journal(d), args);
    assert!(o.status.success(), "mend journal {args:?} failed:\n{}", text(&o.stderr));
    text(&o.stdout)
}

/// Must be refused with exit code 1 and a sentence for a person that says `says`; stdout empty.
fn refused(c: &mut Command, args: &[&str], says: &str) -> String {
    let o = out(c, args);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "mend journal {args:?} should be refused; stderr: {err}");
    assert_person_error(&err);
    assert!(err.contains(says), "mend journal {args:?}: expected {says:?} in {err:?}");
    assert!(o.stdout.is_empty(), "a refused command prints nothing on stdout: {:?}", text(&o.stdout));
    err
}

fn add(d: &Device, t: &str) -> String {
    let id = ok(d, &["add", "--text", t]).trim().to_owned();
    assert_eq!(id.len(), 36, "add prints one id: {id:?}");
    id
}

fn entries(d: &Device) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&ok(d, &["list", "--json"])).expect("list --json is JSON").as_array().expect("an array").clone()
}

fn texts(d: &Device) -> Vec<String> {
    entries(d).iter().map(|e| e["text"].as_str().expect("text").to_owned()).collect()
}

fn journal_files(d: &Device) -> Vec<PathBuf> {
    files_below(&d.path().join("journal")).into_iter().filter(|p| p.extension().is_some_and(|e| e == "enc")).collect()
}

fn holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files_below(dir).into_iter().filter(|p| std::fs::read(p).map(|b| b.windows(needle.len()).any(|w| w == needle)).unwrap_or(false)).collect()
}

#[test]
fn write_read_search_edit_and_delete_from_the_command_line() {
    let d = Device::init("Ana");
    let o = out(&mut journal(&d), &["list"]);
    assert!(o.status.success() && o.stdout.is_empty() && text(&o.stderr).contains("empty"), "no journal yet is an empty journal");
    assert_eq!(ok(&d, &["list", "--json"]).trim(), "[]");

    let first = ok(&d, &["add", "--text", "We argued about the weekend.", "--mood", "2", "--prompt", "my-part", "--tag", "weekend", "--tag", "#Us"])
        .trim()
        .to_owned();
    let second = add(&d, "A calmer evening; we walked by the river.");
    let all = entries(&d);
    assert_eq!(all.iter().map(|e| e["id"].as_str().expect("id")).collect::<Vec<_>>(), vec![second.as_str(), first.as_str()], "newest first");
    let e = &all[1];
    assert_eq!(e["mood"], 2);
    assert_eq!(e["tags"], serde_json::json!(["weekend", "Us"]));
    assert!(e["prompt"].as_str().expect("prompt").starts_with("What was my part in what happened?"), "a prompt id is stored as its words");
    assert!(e["created_at"].as_i64().expect("ms") > 1_600_000_000_000 && e["edited_at"].is_null());

    let listed = ok(&d, &["list"]);
    assert!(listed.lines().next().expect("a line").starts_with(&second));
    assert!(listed.contains("mood 2/5") && listed.contains("#weekend"), "{listed}");

    assert!(ok(&d, &["search", "RIVER"]).contains(&second));
    let by_tag = ok(&d, &["search", "us"]);
    assert!(by_tag.contains(&first) && !by_tag.contains(&second), "tags are searched: {by_tag}");
    let none = out(&mut journal(&d), &["search", "mountains"]);
    assert!(none.status.success() && none.stdout.is_empty() && text(&none.stderr).contains("No entry matches"));

    let o = out(&mut journal(&d), &["edit", &first[first.len() - 6..], "--text", "We argued; I raised my voice.", "--mood", "3"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Entry updated"));
    let e = entries(&d).into_iter().find(|e| e["id"] == first.as_str()).expect("still there");
    assert_eq!((e["text"].as_str(), e["mood"].as_i64()), (Some("We argued; I raised my voice."), Some(3)));
    assert!(e["edited_at"].as_i64().is_some());

    // Deleting asks first; a script must say --yes, and without it nothing is deleted.
    refused(&mut journal(&d), &["delete", &second[second.len() - 8..]], "erased from your journal's files for good; there is no undo");
    assert_eq!(texts(&d).len(), 2, "nothing deleted without a yes");
    let o = out(&mut journal(&d), &["delete", "--yes", &second[second.len() - 8..]]);
    assert!(o.status.success() && o.stdout.is_empty(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Deleted"));
    assert_eq!(texts(&d), vec!["We argued; I raised my voice."]);

    // Text from standard input keeps it out of the shell's history.
    let mut c = journal(&d);
    let mut child = c.args(["add", "--text", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    child.stdin.take().expect("stdin").write_all("from stdin, line one\nline two".as_bytes()).expect("write");
    let o = child.wait_with_output().expect("wait");
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(texts(&d).contains(&"from stdin, line one\nline two".to_owned()));
}

#[test]
fn wrong_missing_or_changed_passphrases() {
    let d = Device::init("Ana");
    add(&d, "private words");
    let err = refused(journal(&d).env("MEND_JOURNAL_PASSPHRASE", "not the passphrase"), &["list"], "That passphrase doesn't open this journal");
    assert!(err.contains("can't recover a forgotten passphrase"), "{err}");
    // No terminal (stdin and stderr are not one here) and no variable: say what to do.
    refused(journal(&d).env_remove("MEND_JOURNAL_PASSPHRASE"), &["list"], "MEND_JOURNAL_PASSPHRASE");
    let d2 = Device::init("Ben");
    refused(journal(&d2).env_remove("MEND_JOURNAL_PASSPHRASE"), &["add", "--text", "x"], "starting your journal needs a passphrase");
    refused(journal(&d2).env("MEND_JOURNAL_PASSPHRASE", "short"), &["add", "--text", "x"], "at least 8 characters");
    assert!(!d2.path().join("journal").join("snapshot-00000001.enc").exists(), "a refused start writes no journal");

    refused(&mut journal(&d), &["passphrase"], "MEND_JOURNAL_NEW_PASSPHRASE");
    refused(journal(&d).env("MEND_JOURNAL_NEW_PASSPHRASE", "tiny"), &["passphrase"], "at least 8 characters");
    let o = out(journal(&d).env("MEND_JOURNAL_NEW_PASSPHRASE", "the new passphrase"), &["passphrase"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Passphrase changed"));
    refused(&mut journal(&d), &["list"], "That passphrase doesn't open this journal");
    let o = out(journal(&d).env("MEND_JOURNAL_PASSPHRASE", "the new passphrase"), &["list", "--json"]);
    assert!(o.status.success() && text(&o.stdout).contains("private words"), "{}", text(&o.stderr));
}

#[test]
fn bad_input_gets_a_sentence_and_changes_nothing() {
    let d = Device::init("Ana");
    let id = add(&d, "the only entry");
    let before: Vec<(PathBuf, Vec<u8>)> = journal_files(&d).into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("read"))).collect();
    refused(&mut journal(&d), &["add", "--text", "   "], "the entry is empty");
    refused(&mut journal(&d), &["add", "--text", "fine", "--mood", "7"], "mood 7 is not between 1 and 5");
    refused(&mut journal(&d), &["add", "--text", "fine", "--tag", " "], "not a usable tag");
    refused(&mut journal(&d), &["delete", "abc"], "no journal entry matches \"abc\"");
    refused(&mut journal(&d), &["delete", "ffffffff"], "copy the id from `mend journal list`");
    refused(&mut journal(&d), &["edit", &id], "nothing to change");
    refused(&mut journal(&d), &["feel", "  "], "write the sentence you want to say");

    let mut child =
        journal(&d).args(["add", "--text", "-"]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    let huge = vec![b'a'; (1 << 20) + 1];
    let _ = child.stdin.take().expect("stdin").write_all(&huge);
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("too long") && text(&o.stderr).contains("split it"), "{}", text(&o.stderr));

    let after: Vec<(PathBuf, Vec<u8>)> = journal_files(&d).into_iter().map(|p| (p.clone(), std::fs::read(&p).expect("read"))).collect();
    assert_eq!(before, after, "refused input must not touch the journal");

    let empty = tempfile::tempdir().expect("temp dir");
    let mut c = Command::new(MEND);
    c.arg("--profile").arg(empty.path()).arg("journal").env("MEND_JOURNAL_PASSPHRASE", PASS).env_remove("MEND_PROFILE").stdin(Stdio::null());
    refused(&mut c, &["add", "--text", "hello"], "is not a Mend profile yet");
    assert!(files_below(empty.path()).is_empty(), "nothing is created in a folder that is not a profile");
}

#[test]
fn the_journal_opens_without_the_shared_space() {
    let d = Device::init("Ana");
    add(&d, "before the shared space went away");
    // With the shared space unreadable, shared commands fail, and the journal still works.
    std::fs::rename(d.path().join("space"), d.path().join("space-elsewhere")).expect("move the space");
    assert!(!d.run(&["show", "--json"]).status.success());
    add(&d, "after");
    assert_eq!(texts(&d), vec!["after", "before the shared space went away"]);
}

#[test]
fn export_is_markdown_that_only_the_owner_can_read() {
    let d = Device::init("Ana");
    ok(&d, &["add", "--text", "Grateful for the walk.", "--mood", "4", "--tag", "walks", "--prompt", "grateful"]);
    add(&d, "Second thought");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("journal.md");
    std::fs::write(&file, "an older export").expect("write");
    let o = out(&mut journal(&d), &["export", "--out", file.to_str().expect("utf-8 path")]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Exported 2 entries"));
    let md = std::fs::read_to_string(&file).expect("read");
    for want in ["# My journal", "Grateful for the walk.", "mood 4/5", "Tags: walks", "What am I grateful for", "Second thought"] {
        assert!(md.contains(want), "{want:?} missing from the export:\n{md}");
    }
    assert!(md.find("Second thought") < md.find("Grateful for the walk."), "newest first");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777, 0o600);
    }
    assert_eq!(files_below(dir.path()), vec![file.clone()], "no temporary file is left");
}

#[test]
fn prompts_and_the_i_feel_helper() {
    let d = Device::init("Ana");
    let listed = ok(&d, &["prompts"]);
    assert!((8..=12).contains(&listed.lines().count()), "{listed}");
    for theme in ["my part", "patterns", "needs", "gratitude"] {
        assert!(listed.contains(&format!("({theme})")), "{theme} missing:\n{listed}");
    }
    let json: serde_json::Value = serde_json::from_str(&ok(&d, &["prompts", "--json"])).expect("JSON");
    assert!(json.as_array().is_some_and(|a| a.iter().all(|p| p["id"].is_string() && p["text"].is_string())));

    let said = ok(&d, &["feel", "You never listen to me"]);
    assert!(said.contains("\"you never\""), "{said}");
    assert!(said.contains("I feel unheard when I'm talking and"), "{said}");
    assert!(said.contains("Before you talk:"), "{said}");
    let g: serde_json::Value = serde_json::from_str(&ok(&d, &["feel", "--json", "Why can't you ever call? It's your fault."])).expect("JSON");
    let found: Vec<&str> = g["found"].as_array().expect("found").iter().filter_map(|f| f["pattern"].as_str()).collect();
    assert!(found.contains(&"why_cant_you") && found.contains(&"blame"), "{found:?}");
    assert!(!d.path().join("journal").exists(), "the helper and the prompts write nothing");
}

#[test]
fn a_canary_written_to_the_journal_is_nowhere_on_disk_in_plaintext() {
    let d = Device::init("Ana");
    let canary = format!("CANARY-{:016x}", rand::random::<u64>());
    let id =
        ok(&d, &["add", "--text", &format!("{canary} in the text"), "--tag", &format!("{canary}-tag"), "--prompt", &format!("{canary} as a prompt")])
            .trim()
            .to_owned();
    add(&d, &format!("{canary} in a second entry"));
    ok(&d, &["edit", &id, "--text", &format!("{canary} edited")]);
    add(&d, &format!("{canary} last, still in the log"));
    // The shared space is used too, so its files are scanned with something in them.
    d.ok(&["gratitude", "add", "--text", "Thank you for the walk"]);
    let export = tempfile::tempdir().expect("temp dir");
    d.ok(&["export", "--format", "json", "--out", export.path().join("shared.json").to_str().expect("path")]);

    let every_file = files_below(d.path());
    assert!(every_file.iter().any(|p| p.starts_with(d.path().join("journal"))) && every_file.iter().any(|p| p.starts_with(d.path().join("space"))));
    for needle in [canary.as_bytes(), PASS.as_bytes()] {
        assert_eq!(holding(d.path(), needle), Vec::<PathBuf>::new(), "found in plaintext on disk");
    }
    // Nor in UTF-16, nor reversed: an encoding must not hide it from the scan.
    let utf16: Vec<u8> = canary.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    assert!(holding(d.path(), &utf16).is_empty());
    assert!(!String::from_utf8_lossy(&d.run(&["show", "--json"]).stdout).contains(&canary), "the journal never reaches the shared document");
    assert!(!std::fs::read_to_string(export.path().join("shared.json")).expect("read").contains(&canary));
    assert_eq!(texts(&d).len(), 3, "and the journal itself still reads back");
}

/// Four entries, two in the snapshot and two in the log, then damage the file `which`.
fn damaged(which: &str, damage: impl Fn(&mut Vec<u8>)) -> (Device, PathBuf, Vec<u8>) {
    let d = Device::init("Ana");
    add(&d, "snap one");
    let gone = add(&d, "to delete");
    add(&d, "snap two");
    ok(&d, &["delete", "--yes", &gone]); // compacts: the snapshot now holds two entries
    add(&d, "log one");
    add(&d, "log two");
    let file = journal_files(&d).into_iter().find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(which))).expect("the file");
    let mut b = std::fs::read(&file).expect("read");
    damage(&mut b);
    std::fs::write(&file, &b).expect("write");
    (d, file, b)
}

fn opens_noting_damage(d: &Device, file: &Path, bytes: &[u8]) -> Vec<String> {
    let o = out(&mut journal(d), &["list", "--json"]);
    let err = text(&o.stderr);
    assert!(o.status.success(), "the damaged journal must open: {err}");
    assert!(err.contains("mend: note: Part of your journal on disk was damaged") && err.contains(&file.display().to_string()), "reported: {err}");
    let kept = files_below(&d.path().join("damaged"));
    assert!(kept.iter().any(|k| std::fs::read(k).expect("read") == bytes), "the damaged file is kept byte for byte in damaged/: {kept:?}");
    let again = out(&mut journal(d), &["list", "--json"]);
    assert!(text(&again.stderr).is_empty(), "repaired once, healthy after: {}", text(&again.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let mut t: Vec<String> = v.as_array().expect("array").iter().map(|e| e["text"].as_str().expect("text").to_owned()).collect();
    t.sort();
    t
}

#[test]
fn a_damaged_journal_file_is_kept_aside_reported_and_the_rest_recovered() {
    // Truncated snapshot: the entries before the cut, and the log's.
    let (d, file, b) = damaged("snapshot-", |b| {
        let n = b.len();
        b.truncate(n - 30);
    });
    let t = opens_noting_damage(&d, &file, &b);
    assert!(t.contains(&"log one".to_owned()) && t.contains(&"log two".to_owned()) && t.len() >= 3, "{t:?}");
    assert!(!t.contains(&"to delete".to_owned()));

    // A flipped bit in the log: only that record is lost.
    let (d, file, b) = damaged("log-", |b| {
        let n = b.len();
        b[n - 40] ^= 0x08;
    });
    assert_eq!(opens_noting_damage(&d, &file, &b), vec!["log one", "snap one", "snap two"]);

    // Garbage instead of the snapshot: the log still opens with the key settings it carries.
    let (d, file, b) = damaged("snapshot-", |b| {
        *b = (0..b.len() as u32).map(|i| (i.wrapping_mul(2654435761) >> 11) as u8).collect();
    });
    assert_eq!(opens_noting_damage(&d, &file, &b), vec!["log one", "log two"]);
}

#[test]
fn the_cli_makes_strong_keys_unless_a_debug_build_is_told_otherwise() {
    let d = Device::init("Ana");
    let o = out(journal(&d).env_remove("MEND_JOURNAL_INSECURE_TEST_KDF"), &["add", "--text", "strong"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let head = std::fs::read(d.path().join("journal").join("snapshot-00000001.enc")).expect("read");
    assert_eq!(&head[18..30], &[0, 0, 1, 0, 3, 0, 0, 0, 1, 0, 0, 0], "Argon2id m=65536 KiB, t=3, p=1 by default");
    let d = Device::init("Ben");
    add(&d, "fast, for tests");
    let head = std::fs::read(d.path().join("journal").join("snapshot-00000001.enc")).expect("read");
    assert_eq!(u32::from_le_bytes(head[18..22].try_into().expect("4 bytes")), 64, "the test switch works in debug builds");
}

/// What a killed writer had said: lines are only counted when whole.
#[derive(Default)]
struct Said {
    added: Vec<String>,
    deleting: Vec<String>,
    deleted: Vec<String>,
    rekeying: Option<String>,
    rekeyed: Option<String>,
}

#[test]
fn sigkill_while_writing_the_journal_never_loses_an_acknowledged_entry() {
    let (kills, mut rng, seed) = crash_settings("MEND_JOURNAL_CRASH_KILLS", 120);
    eprintln!("journal crash test: {kills} kills, MEND_CRASH_SEED={seed}");
    let started = Instant::now();
    let dev = Device::init("Ana");
    let passphrases = ["first long passphrase", "second long passphrase"];
    let mut current = 0usize;
    let mut acknowledged: HashSet<String> = HashSet::new();
    let mut maybe_deleted: HashSet<String> = HashSet::new();
    let mut deleted: HashSet<String> = HashSet::new();
    let (mut with_writes, mut repaired, mut rekeys, mut cut_deletes, mut cut_rekeys) = (0, 0, 0, 0, 0);
    let at = KillAt { while_starting_one_in: 5, starting_us: 15_000, writing_us: 40_000 };

    for round in 0..kills {
        // Small and large entries (a large append can be cut by the kernel), compactions from
        // every add to rarely, deletes (each one compacts) and passphrase changes.
        let size = [40, 500, 5_000][rng.random_range(0..3)].to_string();
        let compact = [1_500u64, 30_000, 256 << 10][rng.random_range(0..3)].to_string();
        let delete_every = [0, 2, 5][rng.random_range(0..3)].to_string();
        let rekey_every = [0, 3, 7][rng.random_range(0..3)];
        let mut c = journal(&dev);
        c.env("MEND_JOURNAL_PASSPHRASE", passphrases[current]).args([
            "stress",
            "--size",
            &size,
            "--compact-bytes",
            &compact,
            "--delete-every",
            &delete_every,
        ]);
        if rekey_every > 0 {
            c.args(["--rekey-every", &rekey_every.to_string(), "--other-passphrase", passphrases[1 - current]]);
        }
        let lines = kill_at_random_moment(&mut c, &mut rng, &at);

        let mut said = Said::default();
        for l in &lines {
            match l.split_once(' ') {
                Some(("add", id)) => said.added.push(id.to_owned()),
                Some(("deleting", id)) => said.deleting.push(id.to_owned()),
                Some(("deleted", id)) => said.deleted.push(id.to_owned()),
                Some(("rekeying", p)) => said.rekeying = Some(p.to_owned()),
                Some(("rekeyed", p)) => said.rekeyed = Some(p.to_owned()),
                _ => panic!("round {round}: unexpected line {l:?}"),
            }
        }
        if !said.added.is_empty() {
            with_writes += 1;
        }
        if said.deleting.len() > said.deleted.len() {
            cut_deletes += 1;
        }
        if said.rekeying.is_some() && said.rekeying != said.rekeyed {
            cut_rekeys += 1;
        }
        acknowledged.extend(said.added);
        maybe_deleted.extend(said.deleting);
        deleted.extend(said.deleted);
        let index = |p: &str| passphrases.iter().position(|x| *x == p).expect("one of ours");
        if let Some(p) = &said.rekeyed {
            current = index(p);
            rekeys += 1;
        }
        // A change that was under way when the kill came: either passphrase may open it now.
        let candidates = match (&said.rekeying, &said.rekeyed) {
            (Some(p), r) if r.as_ref() != Some(p) => vec![current, index(p)],
            _ => vec![current],
        };

        let mut opened = None;
        for &k in &candidates {
            let o = out(journal(&dev).env("MEND_JOURNAL_PASSPHRASE", passphrases[k]), &["list", "--json"]);
            if o.status.success() {
                opened = Some((k, o));
                break;
            }
            let err = text(&o.stderr);
            assert!(err.contains("doesn't open this journal"), "round {round} (seed {seed}): the journal must open after a kill: {err}");
        }
        let (k, o) = opened.unwrap_or_else(|| panic!("round {round} (seed {seed}): neither passphrase opens the journal"));
        current = k;
        let err = text(&o.stderr);
        assert!(!err.contains("was damaged"), "round {round} (seed {seed}): a crash must never look like damage: {err}");
        if err.contains("note:") {
            repaired += 1;
        }
        let shown: serde_json::Value = serde_json::from_slice(&o.stdout).expect("list --json is JSON");
        let present: HashSet<String> = shown.as_array().expect("array").iter().filter_map(|e| e["id"].as_str().map(str::to_owned)).collect();
        let lost: Vec<&String> = acknowledged.iter().filter(|id| !maybe_deleted.contains(*id) && !present.contains(*id)).collect();
        assert!(lost.is_empty(), "round {round} (seed {seed}): acknowledged entries lost: {lost:?}");
        let back: Vec<&String> = deleted.iter().filter(|id| present.contains(*id)).collect();
        assert!(back.is_empty(), "round {round} (seed {seed}): deleted entries came back: {back:?}");
    }
    eprintln!(
        "journal crash test: {kills} kills in {:?}, {with_writes} while writing ({cut_deletes} inside a delete, {cut_rekeys} inside a passphrase change), {} acknowledged entries, {} deleted, {rekeys} passphrase changes, {repaired} opens repaired something",
        started.elapsed(),
        acknowledged.len(),
        deleted.len()
    );
    assert!(with_writes * 2 >= kills, "most kills must land while writing");
    assert!(acknowledged.len() > kills && !deleted.is_empty() && rekeys > 0, "the kills covered adds, deletes and passphrase changes");
}
