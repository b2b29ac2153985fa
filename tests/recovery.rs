//! Never lose a word (issue 10): what happens to a profile when parts of it are damaged or
//! lost, when the disk is full, and when it sits on a read-only disk. One test per class of
//! failure, named after what it protects; every test runs the real `mend` binary.
//!
//! The full-disk and read-only tests mount a small tmpfs or a read-only bind mount, which
//! needs root (CI runs as root); elsewhere they print why they skip and pass.

mod util;
use util::*;

use std::fs;
use std::path::{Path, PathBuf};

fn note(d: &Device, text: &str) -> String {
    d.create(&["gratitude", "add", "--text", text])
}

fn texts(d: &Device) -> Vec<String> {
    let v = d.show();
    v["gratitude"].as_array().unwrap().iter().map(|g| g["text"].as_str().unwrap().to_owned()).collect()
}

/// Every file below the profile with its bytes, to prove a refused command wrote nothing.
/// The view cache is left out: it is only a cache, which any open may write afresh; so is
/// Mend's own log (logs/), which every command appends to.
fn disk(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v: Vec<(PathBuf, Vec<u8>)> = files_below(dir)
        .into_iter()
        .filter(|p| !p.ends_with("space/view.cache") && !p.starts_with(dir.join("logs")))
        .map(|p| (p.clone(), fs::read(&p).unwrap_or_default()))
        .collect();
    v.sort();
    v
}

fn newest(dir: &Path, prefix: &str) -> PathBuf {
    let mut v: Vec<PathBuf> = fs::read_dir(dir.join("space"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect();
    v.sort();
    v.pop().unwrap_or_else(|| panic!("no {prefix} file"))
}

fn damaged_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir.join("damaged")).map(|r| r.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    v.sort();
    v
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// A mount made for one test, undone when it ends (even when it fails).
struct Mount(PathBuf);

impl Mount {
    fn run(args: &[&str]) -> bool {
        std::process::Command::new("mount").args(args).status().is_ok_and(|s| s.success())
    }

    fn tmpfs(at: &Path, size: &str) -> Option<Mount> {
        fs::create_dir_all(at).unwrap();
        Self::run(&["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs", at.to_str()?]).then(|| Mount(at.to_owned()))
    }

    fn read_only_view(of: &Path, at: &Path) -> Option<Mount> {
        fs::create_dir_all(at).unwrap();
        if !Self::run(&["--bind", of.to_str()?, at.to_str()?]) {
            return None;
        }
        let m = Mount(at.to_owned());
        Self::run(&["-o", "remount,ro,bind", at.to_str()?]).then_some(m)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn init_refuses_any_folder_that_holds_part_of_a_profile() {
    let parts: &[(&str, bool)] =
        &[("device.key", false), ("profile.json", false), ("space", true), ("journal", true), ("sync", true), ("damaged", true)];
    for (part, is_dir) in parts {
        let d = Device { dir: tempfile::tempdir().unwrap() };
        let p = d.path().join(part);
        if *is_dir {
            fs::create_dir(&p).unwrap();
            fs::write(p.join("something"), b"what is left of a profile").unwrap();
        } else {
            fs::write(&p, b"what is left of a profile").unwrap();
        }
        let before = disk(d.path());
        let err = d.fails(&["init", "--name", "Ana"]);
        assert!(err.contains("already holds a Mend profile") && err.contains(part), "{part}: {err}");
        assert!(err.contains("never starts a new space over one"), "{part}: {err}");
        assert_eq!(disk(d.path()), before, "{part}: a refused init wrote nothing");
        // Opening it never advises the init that was just refused.
        let o = d.run(&["show"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("init --name"), "{part}: {err}");
    }
}

/// The bug this guards: a flipped byte in device.key made Mend move profile.json aside and
/// advise `init`, and `init` then started an empty space over the couple's records.
#[test]
fn a_damaged_device_key_never_leads_to_losing_the_space() {
    let d = Device::init("Ana");
    note(&d, "Thank you for the walk");
    note(&d, "Thank you for listening");
    let key = d.path().join("device.key");
    let mut bytes = fs::read(&key).unwrap();
    bytes[7] ^= 0x40;
    fs::write(&key, &bytes).unwrap();
    let before = disk(d.path());

    // Still readable, and it says what happened and what to do.
    let o = d.run(&["show", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("key is damaged") && err.contains("add this device anew"), "{err}");
    assert_eq!(texts(&d), ["Thank you for the walk", "Thank you for listening"]);
    d.ok(&["history"]);
    let out = d.path().join("export.json");
    d.ok(&["export", "--format", "json", "--out", out.to_str().unwrap()]);
    assert!(fs::read_to_string(&out).unwrap().contains("Thank you for listening"));
    fs::remove_file(&out).unwrap();

    // Writing is refused with the way back, and so is init; nothing on disk moved.
    let err = d.fails(&["gratitude", "add", "--text", "one more"]);
    assert!(err.contains("can't write or sync as this device") && err.contains("mend pair join"), "{err}");
    let err = d.fails(&["init", "--name", "Ana"]);
    assert!(err.contains("already holds a Mend profile"), "{err}");
    assert_eq!(disk(d.path()), before, "no file was moved, rewritten or replaced");
    assert!(d.path().join("profile.json").is_file(), "profile.json stays where it was");
}

#[test]
fn a_missing_device_key_keeps_the_space_and_the_journal_readable() {
    let d = Device::init("Ana");
    note(&d, "Thank you for the flowers");
    let j = d.cmd().args(["journal", "add", "--text", "my own words"]).env("MEND_JOURNAL_PASSPHRASE", "correct horse battery").output().unwrap();
    assert!(j.status.success(), "{}", String::from_utf8_lossy(&j.stderr));
    fs::remove_file(d.path().join("device.key")).unwrap();

    assert_eq!(texts(&d), ["Thank you for the flowers"]);
    let o = d.run(&["show"]);
    assert!(String::from_utf8_lossy(&o.stderr).contains("key is missing"), "{}", String::from_utf8_lossy(&o.stderr));
    let j = d.cmd().args(["journal", "list"]).env("MEND_JOURNAL_PASSPHRASE", "correct horse battery").output().unwrap();
    assert!(j.status.success(), "{}", String::from_utf8_lossy(&j.stderr));
    assert!(String::from_utf8_lossy(&j.stdout).contains("my own words"));
    let err = d.fails(&["pause", "start", "--minutes", "20"]);
    assert!(err.contains("device.key) is missing"), "{err}");
    d.fails(&["init", "--name", "Ana"]);
    assert_eq!(texts(&d), ["Thank you for the flowers"]);
}

#[test]
fn a_missing_profile_json_is_rebuilt_from_the_key_and_the_space() {
    let d = Device::init("Ana");
    let before = d.show();
    fs::remove_file(d.path().join("profile.json")).unwrap();
    let o = d.run(&["show", "--json"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("settings file was missing"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.path().join("profile.json").is_file(), "rebuilt");
    note(&d, "Writing works again");
    let after = d.show();
    assert_eq!(after["me"], before["me"], "the same partner and device");
    assert_eq!(texts(&d), ["Writing works again"]);
}

/// The view cache records a state that was on disk: a log deleted or cut back below it is
/// a loss, said as one, never "everything you saved is here".
#[test]
fn a_deleted_log_is_told_as_a_loss_with_what_went() {
    for how in ["deleted", "cut back to its header", "cut mid-save"] {
        let d = Device::init("Ana");
        for t in ["first", "second", "third"] {
            note(&d, t);
        }
        d.ok(&["show"]); // leaves a cache that covers all three
        let log = newest(d.path(), "log-");
        let bytes = fs::read(&log).unwrap();
        match how {
            "deleted" => fs::remove_file(&log).unwrap(),
            "cut back to its header" => fs::write(&log, &bytes[..8]).unwrap(),
            _ => fs::write(&log, &bytes[..bytes.len() - 20]).unwrap(),
        }
        let o = d.run(&["show", "--json"]);
        assert!(o.status.success(), "{how}");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(err.contains("are missing from its files") || err.contains("is gone from this device") || err.contains("are gone"), "{how}: {err}");
        assert!(!err.contains("everything you saved is here"), "{how}: {err}");
        assert!(err.contains("syncing with it brings them back"), "{how}: {err}");
        let expect_gone = if how == "cut mid-save" { "1 note of thanks" } else { "notes of thanks" };
        assert!(err.contains(expect_gone), "{how}: {err}");
        assert!(damaged_files(d.path()).iter().any(|f| f.ends_with("view.cache")), "{how}: what Mend last showed is kept");
        // Told once: the next open is quiet, and writing works.
        let o = d.run(&["show"]);
        assert!(o.stderr.is_empty(), "{how}: {}", String::from_utf8_lossy(&o.stderr));
        note(&d, "after");
        assert!(texts(&d).contains(&"after".to_owned()));
    }
}

#[test]
fn an_empty_snapshot_is_damage_and_the_logs_still_hold_everything() {
    let d = Device::init("Ana");
    note(&d, "kept in the log");
    let snapshot = newest(d.path(), "snapshot-");
    fs::write(&snapshot, b"").unwrap();
    let _ = fs::remove_file(d.path().join("space").join("view.cache"));
    let o = d.run(&["show", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("the snapshot is empty"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(texts(&d), ["kept in the log"]);
    assert_eq!(d.show()["partners"][0]["name"], "Ana");
    assert!(damaged_files(d.path()).iter().any(|f| f.contains("snapshot-")));
}

#[test]
fn a_full_disk_is_said_once_and_leaves_nothing_behind() {
    if !is_root() {
        eprintln!("skipped: mounting a small tmpfs to fill needs root (CI runs as root)");
        return;
    }
    let base = tempfile::tempdir().unwrap();
    let Some(_m) = Mount::tmpfs(&base.path().join("disk"), "1m") else {
        eprintln!("skipped: this machine does not let root mount a tmpfs");
        return;
    };
    let d = Device { dir: tempfile::tempdir_in(base.path().join("disk")).unwrap() };
    d.ok(&["init", "--name", "Ana"]);
    let kept = note(&d, "written before the disk filled");
    // Fill the disk, leaving less room than one note needs.
    let filler = base.path().join("disk").join("filler");
    let _ = fs::write(&filler, vec![0u8; 2 << 20]);
    let big = "a long note ".repeat(750); // 9,000 characters: under the limit, over the room left
    for _ in 0..3 {
        let err = d.fails(&["gratitude", "add", "--text", &big]);
        assert_eq!(err.matches("disk is full").count(), 1, "said once: {err}");
        assert!(!err.contains("os error") && !err.contains("No space left"), "no system text: {err}");
    }
    let leftovers: Vec<PathBuf> = files_below(d.path()).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
    assert!(leftovers.is_empty(), "no temp files: {leftovers:?}");
    assert!(damaged_files(d.path()).len() <= 1, "no pile of copies of one torn tail: {:?}", damaged_files(d.path()));
    fs::remove_file(&filler).unwrap();
    note(&d, &big);
    let v = d.show();
    let ids: Vec<&str> = v["gratitude"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&kept.as_str()));
    assert_eq!(ids.len(), 2, "nothing lost, nothing doubled");
}

#[test]
fn a_read_only_profile_can_be_shown_and_exported() {
    if !is_root() {
        eprintln!("skipped: a read-only bind mount needs root (CI runs as root)");
        return;
    }
    let d = Device::init("Ana");
    note(&d, "on a backup disk");
    let view = tempfile::tempdir().unwrap();
    let Some(_m) = Mount::read_only_view(d.path(), view.path()) else {
        eprintln!("skipped: this machine does not let root make a read-only bind mount");
        return;
    };
    let run = |args: &[&str]| std::process::Command::new(MEND).arg("--profile").arg(view.path()).args(args).output().unwrap();
    for args in [&["show"][..], &["show", "--json"], &["history"], &["gratitude", "list"]] {
        let o = run(args);
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("on a backup disk") || args[0] == "history", "{args:?}");
    }
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("space.md");
    let o = run(&["export", "--format", "markdown", "--out", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(fs::read_to_string(&file).unwrap().contains("on a backup disk"));
    let o = run(&["gratitude", "add", "--text", "cannot be saved here"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_person_error(&err);
    assert!(err.contains("read-only disk") && err.contains("copy the whole profile folder"), "{err}");
}

/// The advice a lost key gives, followed to the letter: another device of the couple makes
/// an invitation, `mend pair join` here gives this device a new key, and everything it held
/// (the space, the journal) is still there, now writable and syncing again. Both ways the
/// advice names: the partner's invitation, and one from another device of one's own.
#[test]
fn the_advice_for_a_lost_key_brings_the_device_back_with_everything_it_held() {
    let (ana, ben) = paired_couple();
    let phone = Device { dir: tempfile::tempdir().unwrap() };
    let (inv, ticket) = ana.invite("own-device", 60);
    phone.local_ok(&["pair", "join", &ticket, "--device-name", "Ana's phone"]);
    inv.stop();
    note(&ana, "written before the key was lost");
    let journal =
        ana.cmd().args(["journal", "add", "--text", "private words"]).env("MEND_JOURNAL_PASSPHRASE", "correct horse battery").output().unwrap();
    assert!(journal.status.success());

    for (inviter, role, damage) in [(&phone, "own-device", "delete"), (&ben, "partner", "flip")] {
        let old_device = ana.device_id();
        let key = ana.path().join("device.key");
        if damage == "flip" {
            let mut b = fs::read(&key).unwrap();
            b[3] ^= 0x10;
            fs::write(&key, &b).unwrap();
        } else {
            fs::remove_file(&key).unwrap();
        }
        let err = ana.fails(&["gratitude", "add", "--text", "not yet"]);
        let advice = if role == "partner" { "ask your partner to run `mend pair invite`" } else { "run `mend pair invite --as own-device`" };
        assert!(err.contains(advice) && err.contains("then run `mend pair join INVITATION` here"), "{err}");

        // Following it.
        let (inv, ticket) = inviter.invite(role, 60);
        let joined = ana.local(&["pair", "join", &ticket]);
        assert!(joined.status.success(), "{role}: {}", String::from_utf8_lossy(&joined.stderr));
        inv.stop();

        let me = ana.show();
        assert_ne!(me["me"]["device"], old_device.as_str(), "{role}: a new key, so a new device");
        assert!(texts(&ana).contains(&"written before the key was lost".to_owned()), "{role}: the space is all here");
        let j = ana.cmd().args(["journal", "list"]).env("MEND_JOURNAL_PASSPHRASE", "correct horse battery").output().unwrap();
        assert!(String::from_utf8_lossy(&j.stdout).contains("private words"), "{role}: the journal is untouched");
        assert!(damaged_files(ana.path()).iter().any(|f| f.ends_with("device.key")) || damage == "delete", "{role}: the old key kept aside");

        // Writing and syncing work again: the device that vouched for the new key takes
        // what it writes, as Ana's. (Other devices learn the new key from it when they
        // meet it; telling each other addresses is the network issue's.)
        let text = format!("back again through {role}");
        note(&ana, &text);
        let server = inviter.serve();
        let o = ana.local(&["sync", "--once", "--timeout", "5"]);
        assert!(String::from_utf8_lossy(&o.stdout).contains("synced with"), "{role}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(wait_until(10, || texts(inviter).contains(&text)), "{role}: the inviter has it");
        server.stop();
        let there = inviter.show();
        let n = there["gratitude"].as_array().unwrap().iter().find(|g| g["text"] == text.as_str()).unwrap().clone();
        assert_eq!(n["author"], me["me"]["partner"], "{role}: written by Ana");
    }
}
