//! The command line's contract (issue 2), end to end: every test runs the real `mend` binary
//! against a profile in a temporary folder, one process per command, and checks what it
//! printed and what `mend show --json` says was saved.

mod util;
use util::*;

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// `mend` with no profile option and no MEND_PROFILE from the environment running the tests.
fn bare() -> Command {
    let mut c = Command::new(MEND);
    c.env_remove("MEND_PROFILE").stdin(Stdio::null());
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

fn parse(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// A command line that clap itself rejects: exit code 2 and a message naming the problem.
fn usage_error(d: &Device, args: &[&str], says: &str) {
    let o = d.run(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "mend {args:?} should be a usage error; stderr: {err}");
    assert!(err.contains("error:") && err.contains(says), "mend {args:?}: expected {says:?} in {err:?}");
    assert!(!err.contains("panicked"), "{err}");
}

/// Runs a command with `input` on its standard input.
fn with_stdin(d: &Device, args: &[&str], input: &[u8]) -> Output {
    let mut child = d.cmd().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run mend");
    // A command that fails before reading may close its end early: that is not our error.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("wait for mend")
}

/// Runs a command that must succeed with the time zone set to UTC; returns its stdout.
fn ok_utc(d: &Device, args: &[&str]) -> String {
    let o = d.cmd().env("TZ", "UTC").args(args).output().expect("run mend");
    assert!(o.status.success(), "mend {args:?} failed:\n{}", stderr(&o));
    stdout(&o)
}

fn me(v: &Value) -> String {
    v["me"]["partner"].as_str().expect("me.partner").to_owned()
}

/// The record with this id in one of `show --json`'s arrays.
fn record<'a>(v: &'a Value, coll: &str, id: &str) -> &'a Value {
    v[coll]
        .as_array()
        .unwrap_or_else(|| panic!("{coll} is not an array in {v}"))
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {coll} record {id} in {v}"))
}

fn count(v: &Value, coll: &str) -> usize {
    v[coll].as_array().unwrap_or_else(|| panic!("{coll} is not an array")).len()
}

fn history(d: &Device) -> Vec<Value> {
    parse(&d.ok(&["history", "--json"])).as_array().expect("history --json is an array").clone()
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("expected a number, got {v}"))
}

fn is_record_id(id: &str) -> bool {
    id.len() == 36
        && id.chars().enumerate().all(|(i, c)| if [8, 13, 18, 23].contains(&i) { c == '-' } else { c.is_ascii_hexdigit() && !c.is_ascii_uppercase() })
}

#[test]
fn init_prints_the_device_id_and_refuses_to_run_twice() {
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("alex");
    let o = bare().arg("--profile").arg(&profile).args(["init", "--name", "Alex", "--device-name", "Alex's laptop"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_owned();
    assert_eq!(stdout(&o), format!("{id}\n"), "init prints the device id alone on stdout");
    assert!(id.len() == 64 && id.chars().all(|c| c.is_ascii_hexdigit()), "device id is 64 hex characters: {id:?}");
    assert!(stderr(&o).contains("Created your profile"), "{}", stderr(&o));

    let d = Device { dir };
    let run = |args: &[&str]| bare().arg("--profile").arg(&profile).args(args).output().unwrap();
    let show = parse(&stdout(&run(&["show", "--json"])));
    assert_eq!(show["me"]["device"], id.as_str());
    assert_eq!(count(&show, "devices"), 1);
    assert_eq!(show["devices"][0]["id"], id.as_str());
    assert_eq!(show["devices"][0]["name"], "Alex's laptop");
    assert_eq!(show["devices"][0]["this_device"], true);
    assert_eq!(show["devices"][0]["partner"], me(&show).as_str());
    assert_eq!(count(&show, "partners"), 1);
    assert_eq!(show["partners"][0]["name"], "Alex");
    assert_eq!(show["partners"][0]["id"], me(&show).as_str());
    for coll in ["agreements", "promises", "gratitude", "checkins", "repairs", "pauses"] {
        assert_eq!(count(&show, coll), 0, "a new space has no {coll}");
    }

    // A second init on the same folder is refused and changes nothing.
    let again = run(&["init", "--name", "Someone else"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(again.stdout.is_empty());
    let err = stderr(&again);
    assert_person_error(&err);
    assert!(err.contains("already holds a Mend profile"), "{err}");
    let after = parse(&stdout(&run(&["show", "--json"])));
    assert_eq!(after, show, "a refused init leaves the profile as it was");

    // The device key is readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(profile.join("device.key")).expect("device.key").permissions().mode();
        assert_eq!(mode & 0o077, 0, "device.key must be owner-only, mode {mode:o}");
    }

    // A folder holding someone else's files is not taken over.
    let other = d.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("thesis.txt"), "mine").unwrap();
    let o = bare().arg("--profile").arg(&other).args(["init", "--name", "Alex"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_person_error(&stderr(&o));
    assert!(stderr(&o).contains("not a Mend profile"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(other.join("thesis.txt")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1, "init wrote nothing into a foreign folder");

    // An empty name is refused before anything is created.
    let blank = d.path().join("blank");
    let o = bare().arg("--profile").arg(&blank).args(["init", "--name", "  "]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_person_error(&stderr(&o));
    assert!(stderr(&o).contains("is empty"), "{}", stderr(&o));
    let o = bare().arg("--profile").arg(&blank).args(["show", "--json"]).output().unwrap();
    assert!(!o.status.success(), "a refused init must not leave a profile behind");
}

#[test]
fn a_folder_that_is_not_a_profile_says_to_run_init() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nobody");
    for profile in [dir.path().to_path_buf(), missing.clone()] {
        for args in [
            &["show", "--json"][..],
            &["show"],
            &["agreement", "list"],
            &["gratitude", "add", "--text", "thanks"],
            &["history"],
            &["pause", "status"],
        ] {
            let o = bare().arg("--profile").arg(&profile).args(args).output().unwrap();
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(1), "{args:?} on {}: {err}", profile.display());
            assert_person_error(&err);
            assert!(err.contains("is not a Mend profile yet") && err.contains("init --name"), "{args:?}: {err}");
            assert!(o.stdout.is_empty());
        }
    }
    assert!(!missing.exists(), "reading a profile that doesn't exist must not create its folder");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing was written into a folder that is not a profile");

    // An empty --profile is refused by the command line parser, before any folder is touched.
    let o = bare().args(["--profile", "", "show"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--profile"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn mend_without_a_subcommand_opens_the_window_or_says_why() {
    // No display here: the window cannot open, and Mend says so plainly, without a panic
    // and without creating a profile.
    let dir = tempfile::tempdir().unwrap();
    let profile = dir.path().join("p");
    let o = bare().env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").arg("--profile").arg(&profile).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("could not open Mend's window"), "{}", stderr(&o));
    assert!(stderr(&o).contains("mend --help"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("panicked") && !stderr(&o).contains("something went wrong"), "{}", stderr(&o));
    assert!(!profile.exists(), "nothing is written before the window opens");
}

#[test]
fn mend_help_prints_usage() {
    let o = bare().arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Usage:"), "{out}");
    for cmd in ["init", "agreement", "promise", "gratitude", "checkin", "repair", "pause", "show", "history", "export"] {
        assert!(out.contains(cmd), "usage lists {cmd}: {out}");
    }
    for opt in ["--profile", "--local-only", "--bind"] {
        assert!(out.contains(opt), "usage lists {opt}: {out}");
    }
    assert!(!out.contains("debug"), "the test-only debug command stays hidden: {out}");

    // Usage needs no profile: an unusable MEND_PROFILE doesn't matter.
    let o = bare().env("MEND_PROFILE", "/nonexistent/mend/profile").arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("Usage:"));

    let o = bare().arg("--version").output().unwrap();
    assert!(o.status.success() && stdout(&o).starts_with("mend "), "{}", stdout(&o));
}

#[test]
fn global_options_go_before_or_after_the_subcommand_and_mend_profile_works() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sam");
    let p_str = p.to_str().unwrap();

    // MEND_PROFILE chooses the profile when --profile is absent.
    let o = bare().env("MEND_PROFILE", &p).args(["init", "--name", "Sam"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let device = stdout(&o).trim().to_owned();
    let o =
        bare().env("MEND_PROFILE", &p).args(["agreement", "propose", "--category", "time", "--text", "Sunday mornings are ours"]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let a1 = stdout(&o).trim().to_owned();

    // --profile after the subcommand.
    let o = bare().args(["show", "--json", "--profile", p_str]).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v = parse(&stdout(&o));
    assert_eq!(v["me"]["device"], device.as_str(), "--profile after the subcommand opens the MEND_PROFILE profile");
    assert_eq!(record(&v, "agreements", &a1)["text"], "Sunday mornings are ours");

    // --profile wins over MEND_PROFILE, before or after the subcommand.
    let empty = tempfile::tempdir().unwrap();
    for args in [vec!["--profile", p_str, "agreement", "list"], vec!["agreement", "list", "--profile", p_str]] {
        let o = bare().env("MEND_PROFILE", empty.path()).args(&args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains(&a1), "{args:?}: {}", stdout(&o));
    }
    // And MEND_PROFILE alone, pointing elsewhere, really is used.
    let o = bare().env("MEND_PROFILE", empty.path()).args(["agreement", "list"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is not a Mend profile yet"), "{}", stderr(&o));

    // --local-only and --bind are accepted anywhere, alone or together.
    let variants: Vec<Vec<&str>> = vec![
        vec!["--local-only", "--profile", p_str, "agreement", "propose", "--category", "other", "--text", "one"],
        vec!["--profile", p_str, "agreement", "propose", "--category", "other", "--text", "two", "--local-only"],
        vec!["--bind", "127.0.0.1:0", "--profile", p_str, "agreement", "propose", "--category", "other", "--text", "three"],
        vec!["agreement", "propose", "--bind", "127.0.0.1:0", "--category", "other", "--text", "four", "--profile", p_str],
        vec!["--local-only", "--bind", "127.0.0.1:0", "agreement", "propose", "--category", "other", "--text", "five", "--profile", p_str],
        vec!["agreement", "propose", "--category", "other", "--text", "six", "--profile", p_str, "--local-only", "--bind", "127.0.0.1:0"],
    ];
    let mut made = vec![];
    for args in &variants {
        let o = bare().args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        made.push(stdout(&o).trim().to_owned());
    }
    for args in [
        vec!["--local-only", "show", "--json", "--profile", p_str],
        vec!["show", "--json", "--bind", "127.0.0.1:0", "--local-only", "--profile", p_str],
    ] {
        let o = bare().args(&args).output().unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let v = parse(&stdout(&o));
        assert_eq!(count(&v, "agreements"), 7);
        for (id, text) in made.iter().zip(["one", "two", "three", "four", "five", "six"]) {
            assert_eq!(record(&v, "agreements", id)["text"], text);
        }
    }

    // A --bind that is not a socket address is a usage error.
    let o = bare().args(["--bind", "not-an-address", "--profile", p_str, "agreement", "list"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--bind"), "{}", stderr(&o));
}

#[test]
fn agreements_propose_revise_accept_list_and_archive() {
    let d = Device::init("Alex");
    let a = d.create(&["agreement", "propose", "--category", "phones", "--text", "No phones at dinner"]);
    assert!(is_record_id(&a), "agreement ids are UUIDs: {a}");
    let v = d.show();
    let me = me(&v);
    let ag = record(&v, "agreements", &a);
    assert_eq!(ag["category"], "phones");
    assert_eq!(ag["text"], "No phones at dinner");
    assert_eq!(ag["author"], me.as_str());
    assert_eq!(ag["state"], "proposed", "one partner alone can't agree");
    assert!(int(&ag["created_at"]) > 0);
    assert_eq!(ag["revisions"].as_array().unwrap().len(), 1);
    assert_eq!(ag["revisions"][0]["author"], me.as_str());
    assert_eq!(ag["revisions"][0]["device"], v["me"]["device"]);
    assert!(ag["revisions"][0]["accepted_by"][&me].is_i64(), "proposing is accepting: {ag}");

    // Accepting your own proposal is a no-op success that writes nothing.
    let h = history(&d).len();
    let o = d.run(&["agreement", "accept", &a]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    assert!(stderr(&o).contains("Nothing to change"), "{}", stderr(&o));
    assert_eq!(history(&d).len(), h, "a no-op accept writes no change");
    assert_eq!(d.show(), v);

    // A revision: the new text is current, the old one kept, the reviser's acceptance recorded.
    let o = d.run(&["agreement", "revise", &a, "--text", "No phones at dinner, except on call nights"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "revise creates no record, so prints no id");
    assert!(stderr(&o).contains("Revision proposed"), "{}", stderr(&o));
    let v = d.show();
    let ag = record(&v, "agreements", &a);
    assert_eq!(ag["text"], "No phones at dinner, except on call nights");
    let revs = ag["revisions"].as_array().unwrap();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0]["text"], "No phones at dinner");
    assert_eq!(revs[1]["text"], "No phones at dinner, except on call nights");
    assert_ne!(revs[0]["id"], revs[1]["id"]);
    assert!(revs[1]["accepted_by"][&me].is_i64());
    assert_eq!(ag["state"], "proposed");
    refused(&d, &["agreement", "revise", &a, "--text", "No phones at dinner, except on call nights"], "nothing changed");

    // list, in words and as JSON.
    let b = d.create(&["agreement", "propose", "--category", "communication", "--text", "We say when we need a break"]);
    let list = d.ok(&["agreement", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    let line = list.lines().find(|l| l.contains(&a)).expect("agreement a listed");
    assert!(line.contains("[proposed]") && line.contains("phones") && line.contains("except on call nights"), "{line}");
    assert!(list.lines().any(|l| l.contains(&b) && l.contains("communication") && l.contains("We say when we need a break")), "{list}");
    assert_eq!(parse(&d.ok(&["agreement", "list", "--json"])), d.show()["agreements"]);

    // Archive (withdraw) a proposal: it stays, marked archived, and can't be accepted or revised.
    let o = d.run(&["agreement", "archive", &b]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("withdrawn"), "{}", stderr(&o));
    let v = d.show();
    assert_eq!(record(&v, "agreements", &b)["state"], "archived");
    assert_eq!(record(&v, "agreements", &a)["state"], "proposed", "archiving one leaves the other alone");
    refused(&d, &["agreement", "accept", &b], "archived");
    refused(&d, &["agreement", "revise", &b, "--text", "Something new"], "archived");
    let o = d.run(&["agreement", "archive", &b]);
    assert!(o.status.success() && stderr(&o).contains("Nothing to change"), "archiving twice is a no-op: {}", stderr(&o));
    assert!(d.ok(&["agreement", "list"]).lines().any(|l| l.contains(&b) && l.contains("[withdrawn]")));
    assert_eq!(d.show(), v);
}

#[test]
fn agreement_review_can_be_planned_and_cleared() {
    let d = Device::init("Alex");
    let a = d.create(&["agreement", "propose", "--category", "privacy", "--text", "We knock before coming in"]);
    ok_utc(&d, &["agreement", "review", &a, "--at", "2030-12-01 18:30"]);
    let ag = d.show()["agreements"][0].clone();
    assert_eq!(ag["review_at"], 1_922_380_200_000_i64);
    assert_eq!(ag["due_for_review"], false);
    assert!(!d.ok(&["agreement", "list"]).contains("up for review"));

    d.ok(&["agreement", "review", &a, "--at", "+0m"]);
    let ag = d.show()["agreements"][0].clone();
    assert_eq!(ag["due_for_review"], true, "a review time now or past is due: {ag}");
    assert!(d.ok(&["agreement", "list"]).contains("(up for review)"));

    d.ok(&["agreement", "review", &a, "--clear"]);
    let ag = d.show()["agreements"][0].clone();
    assert_eq!(ag["review_at"], Value::Null);
    assert_eq!(ag["due_for_review"], false);

    usage_error(&d, &["agreement", "review", &a], "--at");
    usage_error(&d, &["agreement", "review", &a, "--at", "+1d", "--clear"], "cannot be used with");
    refused(&d, &["agreement", "review", &a, "--at", "next week"], "not a time Mend understands");
    assert_eq!(d.show()["agreements"][0]["review_at"], Value::Null);
}

#[test]
fn a_daily_promise_is_kept_missed_and_renegotiated() {
    let d = Device::init("Alex");
    let p = d.create(&["promise", "make", "--text", "Call you at lunch", "--due", "+2h", "--repeat", "daily"]);
    assert!(is_record_id(&p), "{p}");
    let v = d.show();
    let me = me(&v);
    let pr = record(&v, "promises", &p).clone();
    assert_eq!(pr["text"], "Call you at lunch");
    assert_eq!(pr["author"], me.as_str());
    assert_eq!(pr["repeat"], "daily");
    assert_eq!(pr["open"], true);
    assert_eq!(pr["state"], "open");
    assert_eq!(pr["occurrences"], serde_json::json!([]));
    let due0 = int(&pr["due"]);
    let made = int(&pr["created_at"]);
    assert!((due0 - made - 2 * HOUR).abs() < MINUTE, "+2h is two hours after now: due {due0}, made {made}");

    let o = d.run(&["promise", "keep", &p]);
    assert!(o.status.success() && o.stdout.is_empty(), "{}", stderr(&o));
    assert!(stderr(&o).contains("kept"), "{}", stderr(&o));
    let v = d.show();
    let pr = record(&v, "promises", &p);
    assert_eq!(pr["open"], true, "a daily promise stays open");
    assert_eq!(int(&pr["due"]), due0 + DAY, "keeping moves the daily promise to the next day");
    let occ = pr["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 1);
    assert_eq!(occ[0]["outcome"], "kept");
    assert_eq!(int(&occ[0]["due"]), due0);
    assert_eq!(occ[0]["marked_on"], v["me"]["device"]);
    assert_eq!(occ[0]["acknowledged_at"], Value::Null);

    let o = d.run(&["promise", "miss", &p]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing resets"), "{}", stderr(&o));
    let v = d.show();
    let pr = record(&v, "promises", &p);
    assert_eq!(int(&pr["due"]), due0 + 2 * DAY);
    assert_eq!(pr["open"], true);
    let occ = pr["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 2);
    assert_eq!(occ[1]["outcome"], "missed");
    assert_eq!(int(&occ[1]["due"]), due0 + DAY);

    ok_utc(&d, &["promise", "renegotiate", &p, "--due", "2030-12-01 18:30"]);
    let v = d.show();
    let pr = record(&v, "promises", &p);
    assert_eq!(int(&pr["due"]), 1_922_380_200_000, "the renegotiated time is the next due time");
    let occ = pr["occurrences"].as_array().unwrap();
    assert_eq!(occ.len(), 3);
    assert_eq!(occ[2]["outcome"], "renegotiated");
    assert_eq!(int(&occ[2]["due"]), due0 + 2 * DAY);
    assert_eq!(int(&occ[2]["new_due"]), 1_922_380_200_000);
    refused(&d, &["promise", "renegotiate", &p, "--due", "2030-12-01T18:30:00Z"], "same as the current one");

    // Keep-rate: one kept, one missed, one renegotiated (not a miss).
    let kr = &v["partners"][0]["keep_rate"];
    for window in ["7", "30", "90"] {
        assert_eq!(kr[window]["kept"], 1, "{kr}");
        assert_eq!(kr[window]["missed"], 1, "{kr}");
        assert_eq!(kr[window]["renegotiated"], 1, "{kr}");
        assert_eq!(kr[window]["rate"], 0.5, "{kr}");
    }

    // You can't acknowledge your own promise: that's your partner's to do.
    let err = refused(&d, &["promise", "ack", &p], "can't acknowledge your own promise");
    assert!(err.contains("partner"), "{err}");
    assert_eq!(d.show(), v, "a refused ack writes nothing");

    let list = d.ok(&["promise", "list"]);
    let line = list.lines().find(|l| l.contains(&p)).unwrap_or_else(|| panic!("{list}"));
    assert!(
        line.contains("Alex") && line.contains("(daily)") && line.contains("[open]") && line.contains("due ") && line.contains("Call you at lunch"),
        "{line}"
    );
    assert_eq!(parse(&d.ok(&["promise", "list", "--json"])), d.show()["promises"]);
}

#[test]
fn a_one_off_promise_settles_once() {
    let d = Device::init("Alex");
    let p = d.create(&["promise", "make", "--text", "Wash the dishes tonight"]);
    let v = d.show();
    let pr = record(&v, "promises", &p);
    assert_eq!(pr["due"], Value::Null);
    assert_eq!(pr["repeat"], "none");
    assert_eq!(pr["state"], "open");
    refused(&d, &["promise", "ack", &p], "can't acknowledge your own promise");

    d.ok(&["promise", "keep", &p]);
    let v = d.show();
    let pr = record(&v, "promises", &p);
    assert_eq!(pr["open"], false);
    assert_eq!(pr["state"], "settled");
    assert_eq!(pr["occurrences"][0]["outcome"], "kept");
    assert_eq!(pr["occurrences"][0]["due"], Value::Null);
    assert_eq!(v["partners"][0]["keep_rate"]["7"]["rate"], 1.0);
    refused(&d, &["promise", "keep", &p], "already settled");
    refused(&d, &["promise", "miss", &p], "already settled");
    refused(&d, &["promise", "renegotiate", &p, "--due", "+1d"], "already settled");
    assert_eq!(d.show(), v);
    assert!(d.ok(&["promise", "list"]).lines().any(|l| l.contains(&p) && l.contains("[settled]")));

    // A promise with a time that is already past is listed as due.
    let late = d.create(&["promise", "make", "--text", "Reply to the message", "--due", "2020-01-01T00:00:00Z"]);
    assert_eq!(record(&d.show(), "promises", &late)["state"], "due");
    assert!(d.ok(&["promise", "list"]).lines().any(|l| l.contains(&late) && l.contains("[due]")));
    d.ok(&["promise", "miss", &late]);
    let v = d.show();
    assert_eq!(record(&v, "promises", &late)["state"], "settled");
    assert_eq!(v["partners"][0]["keep_rate"]["30"]["kept"], 1);
    assert_eq!(v["partners"][0]["keep_rate"]["30"]["missed"], 1);
}

#[test]
fn gratitude_notes_can_point_at_a_promise_or_an_agreement() {
    let d = Device::init("Alex");
    let p = d.create(&["promise", "make", "--text", "Cook on Friday"]);
    let a = d.create(&["agreement", "propose", "--category", "time", "--text", "One evening a week for us"]);
    let r = d.create(&["repair", "add", "--what-happened", "x", "--what-i-did", "y", "--impact", "z", "--next-time", "w"]);

    let g1 = d.create(&["gratitude", "add", "--text", "Thank you for listening last night"]);
    let g2 = d.create(&["gratitude", "add", "--text", "Dinner was lovely", "--for", &p[p.len() - 6..]]);
    let g3 = d.create(&["gratitude", "add", "--text", "Thanks for keeping our evening", "--for", &a]);
    let v = d.show();
    let me = me(&v);
    assert_eq!(count(&v, "gratitude"), 3);
    let n1 = record(&v, "gratitude", &g1);
    assert_eq!(n1["text"], "Thank you for listening last night");
    assert_eq!(n1["author"], me.as_str());
    assert_eq!(n1["about"], Value::Null);
    assert!(int(&n1["at"]) > 0);
    assert_eq!(record(&v, "gratitude", &g2)["about"], p.as_str(), "--for resolves a suffix to the whole id");
    assert_eq!(record(&v, "gratitude", &g3)["about"], a.as_str());

    refused(&d, &["gratitude", "add", "--text", "hm", "--for", &r], "no promise or agreement matches");
    refused(&d, &["gratitude", "add", "--text", "hm", "--for", "ffffffffffff"], "no promise or agreement matches");
    assert_eq!(d.show(), v);

    let list = d.ok(&["gratitude", "list"]);
    assert_eq!(list.lines().count(), 3, "{list}");
    for (id, text) in [(&g1, "Thank you for listening last night"), (&g2, "Dinner was lovely"), (&g3, "Thanks for keeping our evening")] {
        assert!(list.lines().any(|l| l.contains(id.as_str()) && l.contains("Alex") && l.contains(text)), "{list}");
    }
    assert_eq!(parse(&d.ok(&["gratitude", "list", "--json"])), v["gratitude"]);
}

#[test]
fn checkins_record_three_ratings_and_an_optional_note() {
    let d = Device::init("Alex");
    let c1 = d.create(&[
        "checkin",
        "add",
        "--connection",
        "4",
        "--trust",
        "3",
        "--heard",
        "5",
        "--note",
        "Better after our walk",
        "--prompt",
        "How are you really doing?",
        "--weekly",
    ]);
    let c2 = d.create(&["checkin", "add", "--connection", "1", "--trust", "5", "--heard", "2"]);
    let v = d.show();
    let me = me(&v);
    let a = record(&v, "checkins", &c1);
    assert_eq!((a["connection"].clone(), a["trust"].clone(), a["heard"].clone()), (4.into(), 3.into(), 5.into()));
    assert_eq!(a["kind"], "weekly");
    assert_eq!(a["note"], "Better after our walk");
    assert_eq!(a["prompt"], "How are you really doing?");
    assert_eq!(a["author"], me.as_str());
    assert!(int(&a["at"]) > 0);
    let b = record(&v, "checkins", &c2);
    assert_eq!((b["connection"].clone(), b["trust"].clone(), b["heard"].clone()), (1.into(), 5.into(), 2.into()));
    assert_eq!(b["kind"], "daily");
    assert_eq!(b["note"], Value::Null);
    assert_eq!(b["prompt"], Value::Null);

    let list = d.ok(&["checkin", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.lines()
            .any(|l| l.contains(&c1) && l.contains("connection 4  trust 3  heard 5") && l.contains("Better after our walk") && l.contains("weekly")),
        "{list}"
    );
    assert!(list.lines().any(|l| l.contains(&c2) && l.contains("connection 1  trust 5  heard 2") && l.contains("daily")), "{list}");
    assert_eq!(parse(&d.ok(&["checkin", "list", "--json"])), v["checkins"]);
}

#[test]
fn repairs_wait_for_the_partner_and_can_become_promises() {
    let d = Device::init("Alex");
    let r = d.create(&[
        "repair",
        "add",
        "--what-happened",
        "I read your messages",
        "--what-i-did",
        "I broke your privacy",
        "--impact",
        "You felt watched and unsafe",
        "--next-time",
        "I will ask you instead",
    ]);
    let v = d.show();
    let me = me(&v);
    let rep = record(&v, "repairs", &r);
    assert_eq!(rep["author"], me.as_str());
    assert_eq!(rep["what_happened"], "I read your messages");
    assert_eq!(rep["what_i_did"], "I broke your privacy");
    assert_eq!(rep["impact"], "You felt watched and unsafe");
    assert_eq!(rep["next_time"], "I will ask you instead");
    assert_eq!(rep["state"], "waiting");
    assert_eq!(rep["answer"], Value::Null);
    assert!(int(&rep["at"]) > 0);

    // Only the partner answers a repair: answering your own is refused, for every answer.
    for response in ["received", "need-time", "ready-to-talk", "forgiven"] {
        let err = refused(&d, &["repair", "respond", &r, "--response", response], "can't answer your own repair");
        assert!(err.contains("partner"), "{err}");
    }
    usage_error(&d, &["repair", "respond", &r, "--response", "whatever"], "whatever");
    refused(&d, &["repair", "respond", "0000dead", "--response", "received"], "no repair matches");
    assert_eq!(d.show(), v, "refused answers write nothing");
    assert!(d.ok(&["repair", "list"]).lines().any(|l| l.contains(&r) && l.contains("[no answer yet]") && l.contains("I read your messages")));

    // What I'll do next time can become a promise that points back at the repair.
    let p = d.create(&["promise", "make", "--text", "Ask before looking at your phone", "--from-repair", &r[r.len() - 5..]]);
    assert_eq!(record(&d.show(), "promises", &p)["from_repair"], r.as_str());
    refused(&d, &["promise", "make", "--text", "x", "--from-repair", "abcdabcd"], "no repair matches");
    assert_eq!(parse(&d.ok(&["repair", "list", "--json"])), d.show()["repairs"]);
}

#[test]
fn a_pause_starts_shows_and_ends() {
    let d = Device::init("Alex");
    assert_eq!(d.ok(&["pause", "status"]).trim(), "No pause is active.");
    refused(&d, &["pause", "end"], "no active pause");

    let o = d.run(&["pause", "start", "--minutes", "30", "--note", "Back after a walk"]);
    assert!(o.status.success() && o.stdout.is_empty(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Pause shared until"), "{}", stderr(&o));
    let v = d.show();
    assert_eq!(count(&v, "pauses"), 1);
    let p = &v["pauses"][0];
    assert_eq!(p["partner"], me(&v).as_str());
    assert_eq!(int(&p["until"]) - int(&p["started_at"]), 30 * MINUTE);
    assert_eq!(p["note"], "Back after a walk");
    assert_eq!(p["active"], true);
    assert_eq!(p["ended_at"], Value::Null);
    let status = d.ok(&["pause", "status"]);
    assert!(status.contains("Alex is pausing until") && status.contains("Back after a walk"), "{status}");

    let o = d.run(&["pause", "end"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("Pause ended"), "{}", stderr(&o));
    let v = d.show();
    let p = &v["pauses"][0];
    assert_eq!(p["active"], false);
    assert!(int(&p["ended_at"]) >= int(&p["started_at"]));
    assert_eq!(d.ok(&["pause", "status"]).trim(), "No pause is active.");
    refused(&d, &["pause", "end"], "no active pause");

    // A new pause replaces the last: one per partner.
    d.ok(&["pause", "start", "--minutes", "1440"]);
    let v = d.show();
    assert_eq!(count(&v, "pauses"), 1);
    assert_eq!(v["pauses"][0]["active"], true);
    assert_eq!(v["pauses"][0]["note"], Value::Null);
    assert_eq!(int(&v["pauses"][0]["until"]) - int(&v["pauses"][0]["started_at"]), DAY);
}

#[test]
fn bad_input_is_refused_with_a_sentence_and_nothing_is_written() {
    let d = Device::init("Alex");
    let a = d.create(&["agreement", "propose", "--category", "phones", "--text", "No phones at dinner"]);
    let a2 = d.create(&["agreement", "propose", "--category", "other", "--text", "Dishes the same evening"]);
    let p = d.create(&["promise", "make", "--text", "Call at six", "--due", "+1d"]);
    let r = d.create(&["repair", "add", "--what-happened", "a", "--what-i-did", "b", "--impact", "c", "--next-time", "d"]);
    let before = d.show();
    let history_before = history(&d).len();

    let long = "x".repeat(10_001);
    let long_chars = "é".repeat(10_001); // 20,002 bytes but 10,001 characters
    let common = a.chars().zip(a2.chars()).take_while(|(x, y)| x == y).count();
    assert!(common >= 4, "two ids made in the same minute share a prefix: {a} {a2}");
    let shared_prefix = &a[..common];

    let cases: Vec<(Vec<&str>, &str)> = vec![
        // Empty, whitespace-only and over-long text.
        (vec!["agreement", "propose", "--category", "phones", "--text", ""], "agreement text is empty"),
        (vec!["agreement", "propose", "--category", "phones", "--text", "  \n\t "], "agreement text is empty"),
        (vec!["agreement", "propose", "--category", "phones", "--text", &long], "too long (10001 characters); the limit is 10000"),
        (vec!["agreement", "propose", "--category", "phones", "--text", &long_chars], "too long (10001 characters)"),
        (vec!["agreement", "revise", &a, "--text", " "], "agreement text is empty"),
        (vec!["agreement", "revise", &a, "--text", &long], "too long"),
        (vec!["promise", "make", "--text", ""], "promise is empty"),
        (vec!["promise", "make", "--text", &long], "too long"),
        (vec!["gratitude", "add", "--text", "\t"], "gratitude note is empty"),
        (vec!["gratitude", "add", "--text", &long], "too long"),
        (vec!["repair", "add", "--what-happened", " ", "--what-i-did", "b", "--impact", "c", "--next-time", "d"], "what happened is empty"),
        (vec!["repair", "add", "--what-happened", "a", "--what-i-did", "", "--impact", "c", "--next-time", "d"], "what I did is empty"),
        (
            vec!["repair", "add", "--what-happened", "a", "--what-i-did", "b", "--impact", "  ", "--next-time", "d"],
            "the impact I understand is empty",
        ),
        (
            vec!["repair", "add", "--what-happened", "a", "--what-i-did", "b", "--impact", "c", "--next-time", ""],
            "what I will do differently is empty",
        ),
        (vec!["repair", "add", "--what-happened", &long, "--what-i-did", "b", "--impact", "c", "--next-time", "d"], "too long"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "3", "--heard", "3", "--note", &long], "note is too long"),
        // Ratings out of range, in each field.
        (vec!["checkin", "add", "--connection", "0", "--trust", "3", "--heard", "3"], "connection must be between 1 and 5 (got 0)"),
        (vec!["checkin", "add", "--connection", "6", "--trust", "3", "--heard", "3"], "connection must be between 1 and 5 (got 6)"),
        (vec!["checkin", "add", "--connection", "-1", "--trust", "3", "--heard", "3"], "connection must be between 1 and 5 (got -1)"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "0", "--heard", "3"], "trust must be between 1 and 5 (got 0)"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "6", "--heard", "3"], "trust must be between 1 and 5 (got 6)"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "-1", "--heard", "3"], "trust must be between 1 and 5 (got -1)"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "3", "--heard", "0"], "feeling heard must be between 1 and 5 (got 0)"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "3", "--heard", "6"], "feeling heard must be between 1 and 5 (got 6)"),
        (vec!["checkin", "add", "--connection", "3", "--trust", "3", "--heard", "-1"], "feeling heard must be between 1 and 5 (got -1)"),
        // Unknown ids.
        (vec!["agreement", "accept", "deadbeef"], "no agreement matches \"deadbeef\""),
        (vec!["agreement", "revise", "deadbeef", "--text", "new"], "no agreement matches"),
        (vec!["agreement", "archive", "deadbeef"], "no agreement matches"),
        (vec!["agreement", "review", "deadbeef", "--at", "+1d"], "no agreement matches"),
        (vec!["promise", "keep", "deadbeef"], "no promise matches"),
        (vec!["promise", "miss", "deadbeef"], "no promise matches"),
        (vec!["promise", "renegotiate", "deadbeef", "--due", "+1d"], "no promise matches"),
        (vec!["promise", "ack", "deadbeef"], "no promise matches"),
        (vec!["repair", "respond", "deadbeef", "--response", "received"], "no repair matches"),
        (vec!["gratitude", "add", "--text", "thanks", "--for", "deadbeef"], "no promise or agreement matches"),
        // An id of another kind is not an id of this kind.
        (vec!["promise", "keep", &a], "no promise matches"),
        (vec!["agreement", "accept", &p], "no agreement matches"),
        (vec!["repair", "respond", &p, "--response", "received"], "no repair matches"),
        // Too short, and ambiguous.
        (vec!["agreement", "accept", &a[a.len() - 3..]], "no agreement matches"),
        (vec!["promise", "keep", &p[p.len() - 3..]], "no promise matches"),
        (vec!["agreement", "accept", ""], "no agreement matches"),
        (vec!["agreement", "revise", shared_prefix, "--text", "which one?"], "matches 2 agreements: give more of the id"),
        // Times Mend doesn't understand.
        (vec!["promise", "make", "--text", "ok", "--due", "tomorrowish"], "is not a time Mend understands"),
        (vec!["promise", "make", "--text", "ok", "--due", "25:99"], "is not a time Mend understands"),
        (vec!["promise", "make", "--text", "ok", "--due", "2026-13-01"], "is not a time Mend understands"),
        (vec!["promise", "make", "--text", "ok", "--due", "+5y"], "is not a time Mend understands"),
        (vec!["promise", "make", "--text", "ok", "--due", ""], "is not a time Mend understands"),
        (vec!["promise", "make", "--text", "ok", "--due", "+99999999999999d"], "between 1 January 1970 and 1 January 2200"),
        (vec!["promise", "renegotiate", &p, "--due", "soonish"], "is not a time Mend understands"),
        (vec!["agreement", "review", &a, "--at", "later"], "is not a time Mend understands"),
        (vec!["promise", "make", "--text", "ok", "--repeat", "daily"], "needs a first due time"),
        // Pauses from a minute to a day.
        (vec!["pause", "start", "--minutes", "0"], "between 1 minute and 24 hours (got 0 minutes)"),
        (vec!["pause", "start", "--minutes", "-5"], "between 1 minute and 24 hours (got -5 minutes)"),
        (vec!["pause", "start", "--minutes", "1441"], "between 1 minute and 24 hours (got 1441 minutes)"),
        (vec!["pause", "start", "--minutes", "10", "--note", &long], "note is too long"),
        // Categories.
        (
            vec!["agreement", "propose", "--category", "finances", "--text", "We share a budget"],
            "\"finances\" is not a category: use privacy, communication, intimacy, phones, time, other",
        ),
        (vec!["agreement", "propose", "--category", "", "--text", "We share a budget"], "is not a category"),
        // Profile.
        (vec!["profile", "set", "--love-languages", "chocolate"], "\"chocolate\" is not a love language"),
        (vec!["profile", "set", "--name", " "], "name is empty"),
    ];
    for (args, says) in &cases {
        refused(&d, args, says);
    }

    // Mistakes that clap catches before Mend runs: exit code 2 and a message.
    usage_error(&d, &["promise", "make", "--text", "ok", "--repeat", "monthly"], "monthly");
    usage_error(&d, &["checkin", "add", "--connection", "lots", "--trust", "3", "--heard", "3"], "lots");
    usage_error(&d, &["checkin", "add", "--trust", "3", "--heard", "3"], "--connection");
    usage_error(&d, &["pause", "start", "--minutes", "ten"], "ten");
    usage_error(&d, &["agreement", "propose", "--category", "phones"], "--text");
    usage_error(&d, &["export", "--format", "pdf", "--out", "x.pdf"], "pdf");
    usage_error(&d, &["agreement", "frobnicate"], "frobnicate");

    assert_eq!(d.show(), before, "no refused command may change the shared space");
    assert_eq!(history(&d).len(), history_before, "no refused command may write a change");
    assert_eq!(record(&d.show(), "repairs", &r)["state"], "waiting");

    // The limits are limits, not off by one: exactly 10,000 characters is fine.
    let max = "é".repeat(10_000);
    let g = d.create(&["gratitude", "add", "--text", &max]);
    assert_eq!(record(&d.show(), "gratitude", &g)["text"].as_str().unwrap().chars().count(), 10_000);
    let c = d.create(&["checkin", "add", "--connection", "1", "--trust", "5", "--heard", "1"]);
    assert_eq!(record(&d.show(), "checkins", &c)["trust"], 5);
    d.ok(&["pause", "start", "--minutes", "1"]);
    assert_eq!(history(&d).len(), history_before + 3);
}

#[test]
fn text_dash_reads_standard_input() {
    let d = Device::init("Alex");
    let o =
        with_stdin(&d, &["agreement", "propose", "--category", "communication", "--text", "-"], "We talk before\nbuying anything big.\n".as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    let a = stdout(&o).trim().to_owned();
    assert!(is_record_id(&a), "{a}");
    assert_eq!(record(&d.show(), "agreements", &a)["text"], "We talk before\nbuying anything big.", "stdin text is kept whole, trimmed at the ends");

    let o = with_stdin(&d, &["agreement", "revise", &a, "--text", "-"], "We talk before buying anything over 100.".as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(record(&d.show(), "agreements", &a)["text"], "We talk before buying anything over 100.");

    for args in [&["gratitude", "add", "--text", "-"][..], &["promise", "make", "--text", "-", "--due", "+1h"]] {
        let o = with_stdin(&d, args, "From a pipe: ünïcode ✓".as_bytes());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let id = stdout(&o).trim().to_owned();
        let coll = if args[0] == "gratitude" { "gratitude" } else { "promises" };
        assert_eq!(record(&d.show(), coll, &id)["text"], "From a pipe: ünïcode ✓");
    }

    // Empty or unreadable input is refused like empty text, and nothing is written.
    let before = d.show();
    let o = with_stdin(&d, &["gratitude", "add", "--text", "-"], b"  \n");
    assert_eq!(o.status.code(), Some(1));
    assert_person_error(&stderr(&o));
    assert!(stderr(&o).contains("gratitude note is empty"), "{}", stderr(&o));
    refused(&d, &["gratitude", "add", "--text", "-"], "gratitude note is empty"); // stdin is /dev/null here
    let o = with_stdin(&d, &["gratitude", "add", "--text", "-"], b"\xff\xfe not utf-8");
    assert_eq!(o.status.code(), Some(1));
    assert_person_error(&stderr(&o));
    assert!(stderr(&o).contains("standard input"), "{}", stderr(&o));
    let o = with_stdin(&d, &["gratitude", "add", "--text", "-"], "y".repeat(10_001).as_bytes());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("too long"), "{}", stderr(&o));
    assert_eq!(d.show(), before);
}

#[test]
fn ids_resolve_by_a_unique_prefix_or_suffix_of_four_or_more() {
    let d = Device::init("Alex");
    let a = d.create(&["agreement", "propose", "--category", "other", "--text", "first"]);
    let b = d.create(&["agreement", "propose", "--category", "other", "--text", "second"]);
    assert_ne!(a, b);
    let text = |id: &str| record(&d.show(), "agreements", id)["text"].as_str().unwrap().to_owned();

    let mut n = 0;
    let mut revise = |given: &str, id: &str| {
        n += 1;
        let t = format!("revision {n} via {}", given.trim());
        d.ok(&["agreement", "revise", given, "--text", &t]);
        assert_eq!(text(id), t, "{given:?} should resolve to {id}");
    };
    revise(&a, &a);
    revise(&a[a.len() - 4..], &a);
    revise(&b[b.len() - 4..], &b);
    revise(&a[a.len() - 12..], &a);
    revise(&a[a.len() - 4..].to_ascii_uppercase(), &a);
    revise(&format!("  {}  ", &b[b.len() - 6..]), &b);
    // A prefix long enough to tell them apart (UUIDv7s share their time-ordered start).
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    assert!((4..36).contains(&common), "{a} {b}");
    revise(&a[..common + 1], &a);
    revise(&b[..common + 1], &b);

    let v = d.show();
    refused(&d, &["agreement", "revise", &a[a.len() - 3..], "--text", "too short"], "no agreement matches");
    refused(&d, &["agreement", "revise", &a[..common], "--text", "ambiguous"], "matches 2 agreements");
    refused(&d, &["agreement", "revise", &a[1..a.len() - 1], "--text", "a middle is neither start nor end"], "no agreement matches");
    assert_eq!(d.show(), v);

    // Each kind has its own ids: suffixes resolve for every kind of record.
    let p = d.create(&["promise", "make", "--text", "Walk the dog"]);
    d.ok(&["promise", "keep", &p[p.len() - 4..]]);
    assert_eq!(record(&d.show(), "promises", &p)["open"], false);
    let r = d.create(&["repair", "add", "--what-happened", "a", "--what-i-did", "b", "--impact", "c", "--next-time", "d"]);
    refused(&d, &["repair", "respond", &r[r.len() - 4..], "--response", "received"], "can't answer your own repair");
}

#[test]
fn due_times_accept_the_documented_forms() {
    let d = Device::init("Alex");
    let due = |spec: &str| -> (i64, i64) {
        let id = ok_utc(&d, &["promise", "make", "--text", &format!("due {spec}"), "--due", spec]).trim().to_owned();
        let v = d.show();
        let p = record(&v, "promises", &id);
        (int(&p["due"]), int(&p["created_at"]))
    };
    assert_eq!(due("2030-12-01 18:30").0, 1_922_380_200_000);
    assert_eq!(due("2030-12-01").0, 1_922_399_940_000, "a date alone means the end of that day (23:59)");
    assert_eq!(due("2030-12-01T18:30:00Z").0, 1_922_380_200_000);
    assert_eq!(due("2030-12-01T18:30:00+02:00").0, 1_922_373_000_000);
    let (t, now) = due("18:30");
    assert_eq!(t.rem_euclid(DAY), 18 * HOUR + 30 * MINUTE, "18:30 in the device's time zone (UTC here)");
    assert!(t > now - MINUTE && t <= now + DAY, "a bare time is the next such time: {t} vs {now}");
    for (spec, ms) in [("+45m", 45 * MINUTE), ("+45min", 45 * MINUTE), ("+2h", 2 * HOUR), ("+3d", 3 * DAY), (" +1h ", HOUR)] {
        let (t, now) = due(spec);
        assert!((t - now - ms).abs() < MINUTE, "{spec}: due {t}, now {now}");
    }
    // The time zone is the device's: the same words mean another instant elsewhere.
    let id = d
        .cmd()
        .env("TZ", "Etc/GMT-2") // POSIX sign: two hours ahead of UTC
        .args(["promise", "make", "--text", "tz", "--due", "2030-12-01 18:30"])
        .output()
        .unwrap();
    assert!(id.status.success(), "{}", stderr(&id));
    let id = stdout(&id).trim().to_owned();
    assert_eq!(int(&record(&d.show(), "promises", &id)["due"]), 1_922_373_000_000);
}

#[test]
fn history_says_who_did_what() {
    let d = Device::init("Alex");
    let a = d.create(&["agreement", "propose", "--category", "phones", "--text", "No phones at dinner"]);
    let long = d.create(&["agreement", "propose", "--category", "other", "--text", &"We will always talk it through calmly before bed ".repeat(3)]);
    let p = d.create(&["promise", "make", "--text", "Call at six"]);
    d.ok(&["promise", "keep", &p]);
    d.ok(&["agreement", "revise", &a, "--text", "No phones at dinner or in bed"]);
    d.create(&["gratitude", "add", "--text", "Thanks"]);
    d.create(&["checkin", "add", "--connection", "3", "--trust", "3", "--heard", "3"]);
    d.create(&["repair", "add", "--what-happened", "a", "--what-i-did", "b", "--impact", "c", "--next-time", "d"]);
    d.ok(&["pause", "start", "--minutes", "5"]);
    d.ok(&["pause", "end"]);
    d.ok(&["profile", "set", "--needs", "Quiet evenings"]);

    let text = d.ok(&["history"]);
    let lines: Vec<&str> = text.lines().collect();
    let expected = [
        "set up a device",
        "proposed the agreement \"No phones at dinner or in bed\"",
        "proposed the agreement \"We will always talk it through calmly before be…\"",
        "promised \"Call at six\"",
        "kept the promise \"Call at six\"",
        "revised the agreement \"No phones at dinner or in bed\"",
        "wrote a gratitude note",
        "checked in",
        "offered a repair",
        "asked for a pause",
        "ended their pause",
        "updated their profile",
    ];
    assert_eq!(lines.len(), expected.len(), "{text}");
    for (line, what) in lines.iter().zip(expected) {
        assert!(line.contains("Alex") && line.ends_with(what), "expected Alex … {what:?}, got {line:?}");
        assert!(line.split("  ").next().is_some_and(|t| t.chars().any(|c| c.is_ascii_digit())), "each line starts with when: {line}");
    }

    let v = d.show();
    let h = history(&d);
    assert_eq!(h.len(), expected.len());
    let mut last = 0;
    for (e, what) in h.iter().zip(expected) {
        assert_eq!(e["who"], "Alex");
        assert_eq!(e["partner"], v["me"]["partner"]);
        assert_eq!(e["device"], v["me"]["device"]);
        assert_eq!(e["summary"], what);
        assert!(int(&e["at"]) >= last, "history is oldest first");
        last = int(&e["at"]);
    }
    assert_eq!(h[0]["action"], "device.register");
    assert_eq!(h[1]["action"], format!("agreement.propose {a}"));
    assert_eq!(h[2]["action"], format!("agreement.propose {long}"));
    assert_eq!(h[4]["action"], format!("promise.keep {p}"));
}

#[test]
fn export_writes_readable_markdown_and_json_equal_to_show() {
    let d = Device::init("Alex");
    let a = d.create(&["agreement", "propose", "--category", "phones", "--text", "No phones at dinner"]);
    let p = d.create(&["promise", "make", "--text", "Call at six", "--due", "+3d", "--repeat", "weekly"]);
    d.ok(&["promise", "keep", &p]);
    let g = d.create(&["gratitude", "add", "--text", "Thank you for the flowers", "--for", &p]);
    d.create(&["checkin", "add", "--connection", "4", "--trust", "2", "--heard", "5", "--note", "a | b"]);
    d.create(&[
        "checkin",
        "add",
        "--connection",
        "3",
        "--trust",
        "3",
        "--heard",
        "4",
        "--weekly",
        "--prompt",
        "What felt good this week?",
        "--note",
        "the walk",
    ]);
    d.ok(&["profile", "set", "--love-languages", "quality-time,physical-touch", "--needs", "A quiet evening after hard days"]);
    d.ok(&["pause", "start", "--minutes", "30", "--note", "I need a walk"]);
    d.create(&[
        "repair",
        "add",
        "--what-happened",
        "I was late again",
        "--what-i-did",
        "I didn't call",
        "--impact",
        "You worried",
        "--next-time",
        "I'll text if I'm late",
    ]);

    let out = tempfile::tempdir().unwrap();
    let md_path = out.path().join("space.md");
    let o = d.run(&["export", "--format", "markdown", "--out", md_path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "export creates no record: nothing on stdout");
    assert!(stderr(&o).contains("Exported to"), "{}", stderr(&o));
    let md = std::fs::read_to_string(&md_path).expect("markdown written");
    for part in [
        "# Our shared space in Mend",
        "## Agreements",
        "## Promises",
        "## Gratitude",
        "## Check-ins",
        "## Repairs",
        "### Phones and social media (proposed)",
        "> No phones at dinner",
        "Proposed by Alex",
        "**Alex** promised: Call at six, weekly",
        "kept on",
        "Thank you for the flowers — Alex",
        "| 4 | 2 | 5 |  | a \\| b |",
        "| weekly | 3 | 3 | 4 | What felt good this week? | the walk |",
        "## The two of us",
        "- Love languages: Quality time, Physical touch",
        "- Needs: A quiet evening after hard days",
        "These words accepted by Alex on",
        "## Pauses",
        "- Alex asked for a pause on",
        ": I need a walk",
        "### From Alex",
        "**What happened:** I was late again",
        "**The impact I understand:** You worried",
        "**What I will do differently:** I'll text if I'm late",
        "_Not answered yet._",
        "Private journals are not in it",
    ] {
        assert!(md.contains(part), "the Markdown export lacks {part:?}:\n{md}");
    }
    for id in [&a, &p, &g] {
        assert!(!md.contains(id.as_str()), "Markdown is for a person: no raw ids ({id})");
    }
    assert!(!md.trim_start().starts_with('{'));
    assert!(!md.contains("\n\n\n"), "one empty line between blocks, never more:\n{md}");
    let leftovers: Vec<_> = files_below(out.path()).into_iter().filter(|f| f != &md_path).collect();
    assert!(leftovers.is_empty(), "export leaves no temporary files: {leftovers:?}");

    // `show` without --json shows the same readable text.
    let shown = d.ok(&["show"]);
    assert!(shown.contains("## Agreements") && shown.contains("> No phones at dinner"), "{shown}");

    let json_path = out.path().join("space.json");
    d.ok(&["export", "--format", "json", "--out", json_path.to_str().unwrap()]);
    let exported = parse(&std::fs::read_to_string(&json_path).expect("json written"));
    let shown = d.show();
    assert_eq!(exported["agreements"], shown["agreements"]);
    assert_eq!(record(&exported, "agreements", &a)["text"], "No phones at dinner");
    assert_eq!(exported, shown, "the JSON export is what show --json prints");

    // Exporting again replaces the file; a folder that doesn't exist is a clear error.
    d.ok(&["agreement", "revise", &a, "--text", "No phones at dinner, please"]);
    d.ok(&["export", "--format", "markdown", "--out", md_path.to_str().unwrap()]);
    assert!(std::fs::read_to_string(&md_path).unwrap().contains("> No phones at dinner, please"));
    let missing = out.path().join("no/such/folder/space.md");
    let err = refused(&d, &["export", "--format", "markdown", "--out", missing.to_str().unwrap()], "could not write");
    assert!(err.contains("space.md"), "{err}");
    assert!(!missing.exists());
}

#[test]
fn stdout_has_ids_stderr_has_messages_and_exit_codes_tell_the_outcome() {
    let d = Device::init("Alex");
    let creates: Vec<Vec<&str>> = vec![
        vec!["agreement", "propose", "--category", "intimacy", "--text", "We ask, every time"],
        vec!["promise", "make", "--text", "Text when I leave work"],
        vec!["gratitude", "add", "--text", "Thanks for today"],
        vec!["checkin", "add", "--connection", "2", "--trust", "2", "--heard", "2"],
        vec!["repair", "add", "--what-happened", "a", "--what-i-did", "b", "--impact", "c", "--next-time", "d"],
    ];
    let mut ids = vec![];
    for args in &creates {
        let o = d.run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        let out = stdout(&o);
        let id = out.trim_end();
        assert_eq!(out, format!("{id}\n"), "{args:?} prints exactly one line: its id");
        assert!(is_record_id(id), "{args:?} printed {id:?}");
        assert!(stderr(&o).is_empty(), "{args:?}: nothing else to say: {}", stderr(&o));
        ids.push(id.to_owned());
    }
    let v = d.show();
    for (coll, id) in ["agreements", "promises", "gratitude", "checkins", "repairs"].iter().zip(&ids) {
        assert_eq!(record(&v, coll, id)["id"], id.as_str(), "the printed id is the record's id");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids are unique");

    // Changes that create nothing say so on stderr and print nothing on stdout.
    for args in [
        vec!["promise", "keep", ids[1].as_str()],
        vec!["pause", "start", "--minutes", "10"],
        vec!["pause", "end"],
        vec!["agreement", "accept", &ids[0]],
    ] {
        let o = d.run(&args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}: {}", stdout(&o));
        assert!(!stderr(&o).trim().is_empty(), "{args:?} says what happened");
    }
    // Errors: exit code 1 from Mend, 2 from the command line parser.
    refused(&d, &["promise", "keep", ids[1].as_str()], "already settled");
    usage_error(&d, &["promise", "keep"], "<ID>");
    usage_error(&d, &["no-such-command"], "no-such-command");

    // Everything above was separate processes: it all survived between them.
    assert_eq!(count(&d.show(), "promises"), 1);
    assert_eq!(record(&d.show(), "promises", &ids[1])["state"], "settled");
}

#[test]
fn profile_set_and_show() {
    let d = Device::init("Alex");
    let o = d.run(&["profile", "set", "--name", "Alexandra", "--love-languages", "quality-time, acts-of-service", "--needs", "Quiet evenings"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = d.show();
    let p = &v["partners"][0];
    assert_eq!(p["name"], "Alexandra");
    assert_eq!(p["love_languages"], serde_json::json!(["quality-time", "acts-of-service"]));
    assert_eq!(p["needs"], "Quiet evenings");
    let shown = d.ok(&["profile", "show"]);
    assert!(
        shown.contains("name: Alexandra") && shown.contains("quality-time, acts-of-service") && shown.contains("needs: Quiet evenings"),
        "{shown}"
    );
    assert!(shown.contains(d.path().to_str().unwrap()), "profile show names the folder: {shown}");
    let history = d.ok(&["history"]);
    assert!(history.lines().all(|l| l.contains("Alexandra")), "history uses the current name: {history}");
}

#[test]
fn a_device_is_named_after_its_person_and_renamed_with_devices_rename() {
    let dir = tempfile::tempdir().unwrap();
    let d = Device { dir };
    d.ok(&["init", "--name", "Ana"]);
    let name = |d: &Device| d.show()["devices"][0]["name"].as_str().unwrap_or_default().to_owned();
    assert_eq!(name(&d), "Ana's laptop", "not the computer's host name");
    let id = d.device_id();
    let o = d.run(&["devices", "rename", &id[..8], "--name", "Ana's desk"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Renamed"));
    assert_eq!(name(&d), "Ana's desk");
    refused(&d, &["devices", "rename", "zzzz", "--name", "x"], "no device matches");
}

#[test]
fn checkin_add_help_says_what_is_shared_and_what_1_and_5_mean() {
    let o = bare().args(["checkin", "add", "--help"]).output().expect("run mend");
    assert!(o.status.success());
    let help = stdout(&o);
    for words in [
        "Shared with your partner: the three ratings, the prompt and the note",
        "1 means not at all, 5 means very much",
        "1 is feeling far apart, 5 feeling close",
        "5 trusting fully",
        "5 feeling fully heard",
    ] {
        assert!(help.contains(words), "{words:?} missing from:\n{help}");
    }
}
