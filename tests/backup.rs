//! Backing up and restoring (issue 16): the whole profile in one sealed file, and back into
//! a new folder. Every test runs the real `mend` binary on real files; pairing runs in
//! local-only mode, so nothing leaves this machine.

mod util;
use util::*;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

const BACKUP_PASS: &str = "a lamp by the window";
const JOURNAL_PASS: &str = "quiet river stones";

/// Every command here runs with the passphrases in the environment (no terminal to type
/// them) and the cheap test KDF, so that many restores stay quick; a restore uses the cost
/// written in the backup, whatever the environment says.
fn run(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(MEND)
        .arg("--profile")
        .arg(dir)
        .args(args)
        .env_remove("MEND_PROFILE")
        .env("MEND_BACKUP_PASSPHRASE", BACKUP_PASS)
        .env("MEND_BACKUP_INSECURE_TEST_KDF", "1")
        .env("MEND_JOURNAL_PASSPHRASE", JOURNAL_PASS)
        .env("MEND_JOURNAL_INSECURE_TEST_KDF", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run mend")
}

fn ok(dir: &Path, args: &[&str]) -> (String, String) {
    let o = run(dir, args);
    let (out, err) = (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned());
    assert!(o.status.success(), "mend {args:?} failed:\n{err}");
    (out, err)
}

/// A command Mend must refuse with a sentence for a person that says `says`.
fn refused_with(dir: &Path, args: &[&str], says: &str) -> String {
    let o = run(dir, args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "mend {args:?} should be refused; stderr: {err}");
    assert_person_error(&err);
    assert!(err.contains(says), "mend {args:?}: expected {says:?} in {err:?}");
    assert!(o.stdout.is_empty(), "a refused command prints nothing on stdout");
    err
}

fn backup(d: &Device, out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["backup", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    ok(d.path(), &args).1
}

fn restore(file: &Path, into: &Path) -> String {
    ok(into, &["restore", file.to_str().unwrap()]).1
}

fn journal_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(dir, &["journal", "list", "--json"]).0).expect("journal list --json is JSON")
}

fn show(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(dir, &["show", "--json"]).0).expect("show --json is JSON")
}

/// Ana and Ben, paired, with every kind of record the command line writes, some answered by
/// the other, and Ana's journal.
fn full_couple() -> (Device, Device) {
    let (a, b) = paired_couple();
    a.ok(&["profile", "set", "--love-languages", "quality-time,words-of-affirmation", "--needs", "to be asked first"]);
    let ag = a.create(&["agreement", "propose", "--category", "phones", "--text", "We keep phones out of the bedroom."]);
    a.create(&["agreement", "propose", "--category", "time", "--text", "A walk together on Sundays."]);
    let p = a.create(&["promise", "make", "--text", "Call when I'm late", "--due", "+1d", "--repeat", "daily"]);
    a.ok(&["promise", "keep", &p]);
    a.create(&["promise", "make", "--text", "Book the counsellor"]);
    a.create(&["gratitude", "add", "--text", "Thank you for listening last night."]);
    a.create(&["checkin", "add", "--connection", "3", "--trust", "2", "--heard", "4", "--note", "Better than last week."]);
    let r = a.create(&[
        "repair",
        "add",
        "--what-happened",
        "I went quiet at dinner",
        "--what-i-did",
        "I left the table",
        "--impact",
        "You felt shut out",
        "--next-time",
        "I will say I need a minute",
    ]);
    a.ok(&["pause", "start", "--minutes", "60", "--note", "back after a walk"]);
    let serve = a.serve();
    b.local_ok(&["sync", "--once", "--timeout", "20"]);
    b.ok(&["agreement", "accept", &ag]);
    b.ok(&["promise", "ack", &p]);
    b.ok(&["repair", "respond", &r, "--response", "need-time"]);
    b.create(&["gratitude", "add", "--text", "Thanks for the walk."]);
    b.local_ok(&["sync", "--once", "--timeout", "20"]);
    drop(serve);
    ok(a.path(), &["journal", "add", "--text", "I noticed I go quiet when I'm hurt.", "--mood", "2"]);
    ok(a.path(), &["journal", "add", "--text", "A better day.", "--mood", "4"]);
    (a, b)
}

fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_round_trip_keeps_every_record_and_the_journal_opens_with_its_own_passphrase() {
    let (a, _b) = full_couple();
    let before = show(a.path());
    for kind in ["agreements", "promises", "gratitude", "checkins", "repairs", "devices", "partners", "pauses"] {
        assert!(before[kind].as_array().is_some_and(|v| !v.is_empty()), "the profile has {kind}: {before}");
    }
    let journal_before = journal_json(a.path());
    assert_eq!(journal_before.as_array().unwrap().len(), 2);

    let place = tempfile::tempdir().unwrap();
    let file = place.path().join("ana.mendbackup");
    let said = backup(&a, &file, &[]);
    assert!(said.contains("Backed up this profile"), "{said}");
    assert_eq!(mode(&file), 0o600, "the backup file is owner-only");

    let into = place.path().join("restored");
    restore(&file, &into);
    assert_eq!(show(&into), before, "every record, as it was");
    assert_eq!(journal_json(&into), journal_before, "the journal opens with its own passphrase, with its entries");
    // The journal is still sealed with its passphrase inside the restored profile.
    let o = std::process::Command::new(MEND)
        .arg("--profile")
        .arg(&into)
        .args(["journal", "list"])
        .env("MEND_JOURNAL_PASSPHRASE", "not the journal's passphrase")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!o.status.success(), "another passphrase does not open the restored journal");
    // What a restore rebuilds is not in the backup: Mend's log and the view cache.
    assert!(!into.join("space/view.cache").exists() || show(&into) == before);
    for f in files_below(&into) {
        assert_eq!(mode(&f) & 0o077, 0, "{} is owner-only", f.display());
    }
}

#[test]
fn a_canary_in_the_journal_and_the_space_is_not_in_the_backup_in_plaintext() {
    let a = Device::init("Ana");
    let space_canary = format!("SPACE-CANARY-{}", rand::random::<u64>());
    let journal_canary = format!("JOURNAL-CANARY-{}", rand::random::<u64>());
    a.create(&["gratitude", "add", "--text", &format!("thanks {space_canary}")]);
    ok(a.path(), &["journal", "add", "--text", &format!("private {journal_canary}")]);
    let place = tempfile::tempdir().unwrap();
    let file = place.path().join("b.mendbackup");
    backup(&a, &file, &["--with-device-key"]);
    let bytes = fs::read(&file).unwrap();
    let key = fs::read(a.path().join("device.key")).unwrap();
    for (what, needle) in
        [("the space's canary", space_canary.as_bytes()), ("the journal's canary", journal_canary.as_bytes()), ("the device key", &key)]
    {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle), "{what} is in the backup file in plaintext");
    }
    assert!(!bytes.windows(6).any(|w| w == b"space/" || w == b"journa"), "not even the file names are readable");
    // ...and both are really in it: the restore brings them back.
    let into = place.path().join("r");
    restore(&file, &into);
    assert!(ok(&into, &["show"]).0.contains(&space_canary));
    assert!(ok(&into, &["journal", "list"]).0.contains(&journal_canary));
}

/// The parent of a restore target holds only what it held before: no profile, no hidden
/// set-up folder.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn every_cut_and_every_flipped_byte_is_refused_and_nothing_is_written() {
    let a = Device::init("Ana");
    a.create(&["gratitude", "add", "--text", "one"]);
    ok(a.path(), &["journal", "add", "--text", "two"]);
    let src = tempfile::tempdir().unwrap();
    let file = src.path().join("b.mendbackup");
    backup(&a, &file, &[]);
    let good = fs::read(&file).unwrap();
    let len = good.len();

    // Every byte of the header (89 bytes) and the body's nonce, then a spread of the body,
    // and its last bytes (the tag).
    let mut positions: Vec<usize> = (0..120.min(len)).collect();
    positions.extend((120..len).step_by((len / 60).max(1)));
    positions.extend(len.saturating_sub(17)..len);
    let mut cuts: Vec<usize> = vec![0, 1, 7, 8, 12, 16, 20, 40, 88, 89, 90, 112, 113, 114];
    cuts.extend((114..len).step_by((len / 40).max(1)));
    cuts.push(len - 1);

    let place = tempfile::tempdir().unwrap();
    let bad = place.path().join("bad.mendbackup");
    let into = place.path().join("restored");
    let check = |what: String| {
        let err = refused_with(&into, &["restore", bad.to_str().unwrap()], "nothing");
        assert!(err.contains("damaged or incomplete") || err.contains("is not a Mend backup"), "{what}: {err}");
        assert!(!err.contains("passphrase does not open"), "{what}: damage is not a wrong passphrase: {err}");
        assert_eq!(entries(place.path()), ["bad.mendbackup"], "{what}: nothing was written");
    };
    for &i in &positions {
        let mut b = good.clone();
        b[i] ^= 0x04;
        fs::write(&bad, &b).unwrap();
        check(format!("byte {i} flipped"));
    }
    for &n in &cuts {
        fs::write(&bad, &good[..n]).unwrap();
        check(format!("cut at {n} of {len}"));
    }
    // The good file still restores: the refusals were about the damage.
    fs::write(&bad, &good).unwrap();
    restore(&bad, &into);
}

/// crc32 (IEEE), to write a header that a newer Mend could have written.
fn crc32(parts: &[&[u8]]) -> u32 {
    let mut c = !0u32;
    for b in parts.iter().flat_map(|p| p.iter()) {
        c ^= *b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0xEDB8_8320 } else { c >> 1 };
        }
    }
    !c
}

#[test]
fn a_wrong_passphrase_a_newer_backup_and_a_folder_in_use_are_each_refused_in_their_own_words() {
    let a = Device::init("Ana");
    a.create(&["gratitude", "add", "--text", "one"]);
    let place = tempfile::tempdir().unwrap();
    let file = place.path().join("b.mendbackup");
    backup(&a, &file, &[]);
    let into = place.path().join("restored");

    // A wrong passphrase.
    let o = std::process::Command::new(MEND)
        .arg("--profile")
        .arg(&into)
        .args(["restore", file.to_str().unwrap()])
        .env("MEND_BACKUP_PASSPHRASE", "not the lamp at all")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("this passphrase does not open") && err.contains("nothing was restored"), "{err}");
    assert_person_error(&err);
    assert!(!into.exists(), "nothing was written");

    // A backup from a newer Mend: a format this one does not know, with a good checksum.
    let mut newer = fs::read(&file).unwrap();
    newer[8..12].copy_from_slice(&2u32.to_le_bytes());
    let crc = crc32(&[&newer[..16], &newer[20..89]]);
    newer[16..20].copy_from_slice(&crc.to_le_bytes());
    let newer_file = place.path().join("newer.mendbackup");
    fs::write(&newer_file, &newer).unwrap();
    let err = refused_with(&into, &["restore", newer_file.to_str().unwrap()], "made by a newer version of Mend");
    assert!(err.contains("Update Mend"), "{err}");
    assert!(!into.exists());

    // A folder that holds other files, and one that holds a profile: nothing is touched.
    fs::create_dir(&into).unwrap();
    fs::write(into.join("notes.txt"), "mine").unwrap();
    refused_with(&into, &["restore", file.to_str().unwrap()], "already holds other files");
    assert_eq!(entries(&into), ["notes.txt"]);
    assert_eq!(fs::read_to_string(into.join("notes.txt")).unwrap(), "mine");
    let before = show(a.path());
    refused_with(a.path(), &["restore", file.to_str().unwrap()], "already holds a Mend profile");
    assert_eq!(show(a.path()), before);

    // Not a backup at all, and no file there.
    let other = place.path().join("photo.jpg");
    fs::write(&other, b"\xff\xd8\xff\xe0 not a backup").unwrap();
    let fresh = place.path().join("fresh");
    refused_with(&fresh, &["restore", other.to_str().unwrap()], "is not a Mend backup");
    refused_with(&fresh, &["restore", place.path().join("missing").to_str().unwrap()], "there is no such file");
    assert!(!fresh.exists());

    // A backup passphrase too short to protect anything writes no file.
    let o = std::process::Command::new(MEND)
        .arg("--profile")
        .arg(a.path())
        .args(["backup", "--out", place.path().join("weak.mendbackup").to_str().unwrap()])
        .env("MEND_BACKUP_PASSPHRASE", "short")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("at least 8 characters"));
    assert!(!place.path().join("weak.mendbackup").exists());
    // And a folder that is no profile has nothing to back up.
    refused_with(&fresh, &["backup", "--out", place.path().join("x").to_str().unwrap()], "is not a Mend profile");
}

#[test]
fn a_backup_taken_while_serve_runs_and_another_process_writes_is_consistent() {
    let (a, b) = paired_couple();
    let _serve = a.serve();
    // Another process writes notes without pause, compacting often (a new generation every
    // few notes), while backups are taken.
    let mut writer = std::process::Command::new(MEND)
        .arg("--profile")
        .arg(a.path())
        .args(["debug", "stress", "--count", "100000", "--compact-bytes", "4096", "--size", "300"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = writer.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // The partner's changes arrive through serve meanwhile, too.
    b.create(&["gratitude", "add", "--text", "from Ben while Ana writes"]);
    b.local_ok(&["sync", "--once", "--timeout", "20"]);

    let place = tempfile::tempdir().unwrap();
    let mut acknowledged: Vec<String> = vec![];
    for round in 0..6 {
        // Wait for a few more acknowledged writes, so each backup lands amid writing.
        for _ in 0..5 {
            acknowledged.push(rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the writer writes"));
        }
        acknowledged.extend(rx.try_iter());
        let saved_before: Vec<String> = acknowledged.clone();
        let file = place.path().join(format!("b{round}.mendbackup"));
        backup(&a, &file, &[]);
        let into = place.path().join(format!("r{round}"));
        restore(&file, &into);
        let (_, err) = ok(&into, &["show", "--json"]);
        // Only the note a restore without the key always brings: no damage, nothing cut.
        for line in err.lines() {
            assert!(line.contains("key is missing"), "round {round}: the restored copy is whole, but Mend said: {line}");
        }
        let got: std::collections::BTreeSet<String> =
            show(&into)["gratitude"].as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap().to_owned()).collect();
        for id in &saved_before {
            assert!(got.contains(id), "round {round}: note {id}, saved before the backup began, is in it");
        }
        assert!(
            show(&into)["gratitude"].as_array().unwrap().iter().any(|g| g["text"] == "from Ben while Ana writes"),
            "round {round}: what came through serve is in it"
        );
    }
    writer.kill().unwrap();
    writer.wait().unwrap();
    reader.join().unwrap();
}

/// Whether another process could take `dir/lock` now (exclusively, or shared), without
/// waiting: flock with LOCK_NB answers at once, so this is no race against a clock.
fn lock_free(dir: &Path, exclusive: bool) -> bool {
    use std::os::fd::AsRawFd;
    let f = fs::File::open(dir.join("lock")).expect("the lock file");
    let op = if exclusive { libc::LOCK_EX } else { libc::LOCK_SH } | libc::LOCK_NB;
    // SAFETY: flock on a descriptor this function owns; it is released when `f` closes.
    unsafe { libc::flock(f.as_raw_fd(), op) == 0 }
}

/// The consistency above rests on the locks: the space's files are read under its shared
/// lock (no writer can append or compact meanwhile, readers still can) and the journal's
/// under its lock. The backup is stopped while it holds each, and the lock is tried.
#[test]
fn a_backup_reads_under_the_spaces_shared_lock_and_the_journals_lock() {
    let a = Device::init("Ana");
    ok(a.path(), &["journal", "add", "--text", "words"]);
    let hold = tempfile::tempdir().unwrap();
    let file = hold.path().join("b.mendbackup");
    let mut child = std::process::Command::new(MEND)
        .arg("--profile")
        .arg(a.path())
        .args(["backup", "--out", file.to_str().unwrap()])
        .env("MEND_BACKUP_PASSPHRASE", BACKUP_PASS)
        .env("MEND_BACKUP_INSECURE_TEST_KDF", "1")
        .env("MEND_BACKUP_TEST_HOLD", hold.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    assert!(wait_until(60, || hold.path().join("space.held").exists()), "the backup reached the space");
    assert!(!lock_free(&a.path().join("space"), true), "no writer can take the space's lock while the backup reads it");
    assert!(lock_free(&a.path().join("space"), false), "readers still can: the backup's lock is shared");
    fs::write(hold.path().join("space.go"), b"").unwrap();
    assert!(wait_until(60, || hold.path().join("journal.held").exists()), "the backup reached the journal");
    assert!(!lock_free(&a.path().join("journal"), false), "no one can write the journal while the backup reads it");
    assert!(lock_free(&a.path().join("space"), true), "the space's lock was let go once its files were read");
    fs::write(hold.path().join("journal.go"), b"").unwrap();
    assert!(child.wait().unwrap().success());
    assert!(file.exists());
}

#[test]
fn without_the_device_key_the_restore_is_added_again_as_a_new_device_of_the_same_partner() {
    let (a, b) = paired_couple();
    a.create(&["gratitude", "add", "--text", "before the laptop was lost"]);
    ok(a.path(), &["journal", "add", "--text", "my own words"]);
    let place = tempfile::tempdir().unwrap();
    let file = place.path().join("b.mendbackup");
    backup(&a, &file, &[]);
    let r = Device { dir: tempfile::tempdir().unwrap() };
    let said = restore(&file, r.path());
    assert!(said.contains("mend pair invite --as own-device"), "the restore names the step: {said}");
    assert!(said.contains(&format!("mend --profile {} pair join", r.path().display())), "{said}");
    assert!(!r.path().join("device.key").exists());

    // Until it is added again it reads, and does not write.
    assert!(r.show()["gratitude"].as_array().unwrap().iter().any(|g| g["text"] == "before the laptop was lost"));
    refused(&r, &["gratitude", "add", "--text", "too soon"], "add this device");

    // The one step: an invitation from another device of Ana's (here, her laptop itself).
    let (inv, ticket) = a.invite("own-device", 60);
    r.local_ok(&["pair", "join", &ticket]);
    inv.stop();
    assert_ne!(r.device_id(), a.device_id(), "a new device, with a key of its own");
    assert_eq!(r.show()["me"]["partner"], a.show()["me"]["partner"], "of the same partner");
    let id = r.create(&["gratitude", "add", "--text", "written on the restored device"]);
    assert_eq!(journal_json(r.path()).as_array().unwrap().len(), 1, "the journal came along");
    let serve = a.serve();
    r.local_ok(&["sync", "--once", "--timeout", "20"]);
    drop(serve);
    assert!(a.ids("gratitude").contains(&id), "Ana's laptop has what the restored device wrote");
    let _ = b;
}

#[test]
fn with_the_device_key_the_restore_is_the_same_device_and_says_the_old_one_must_stop() {
    let a = Device::init("Ana");
    a.create(&["gratitude", "add", "--text", "one"]);
    let place = tempfile::tempdir().unwrap();
    let file = place.path().join("b.mendbackup");
    let said = backup(&a, &file, &["--with-device-key"]);
    assert!(said.contains("key is in it"), "{said}");
    let into: PathBuf = place.path().join("same");
    let said = restore(&file, &into);
    assert!(said.contains("do not run Mend on the old device"), "the warning is printed: {said}");
    assert_eq!(fs::read(into.join("device.key")).unwrap(), fs::read(a.path().join("device.key")).unwrap());
    assert_eq!(mode(&into.join("device.key")), 0o600);
    let (devices, _) = ok(&into, &["devices", "--json"]);
    let devices: serde_json::Value = serde_json::from_str(&devices).unwrap();
    let this = devices.as_array().unwrap().iter().find(|d| d["this_device"] == true).expect("this device is listed");
    assert_eq!(this["id"].as_str().unwrap(), a.device_id(), "the same device");
    // It writes as that device at once.
    ok(&into, &["gratitude", "add", "--text", "from the restored laptop"]);
    let settings = |d: &Path| -> serde_json::Value { serde_json::from_slice(&fs::read(d.join("profile.json")).unwrap()).unwrap() };
    assert_eq!(settings(&into)["device_id"], settings(a.path())["device_id"]);
}
