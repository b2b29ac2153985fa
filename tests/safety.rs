//! Issue 10, "never lose a word, never lock anyone out", end to end on the real binary: what
//! the other partner wrote can't steer this terminal, a reader who leaves a pipe early is not
//! an error, times beyond what Mend keeps are refused before anything is written, and every
//! command a message names exists.

mod util;
use util::*;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// Characters that steer a terminal or reorder the text around them.
fn steering(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn assert_printable(what: &str, text: &str) {
    let found: Vec<char> = text.chars().filter(|c| steering(*c)).collect();
    assert!(found.is_empty(), "{what} carries raw control or bidi characters {found:?}:\n{text}");
}

/// Clears the screen, retitles the window, turns text red, then reverses what follows.
const ESCAPES: &str = "\u{1b}[2J\u{1b}]0;gotcha\u{7}\u{9b}31m\u{202E}\u{2066}\u{200F}\u{7f}";

fn hostile(word: &str) -> String {
    format!("{word}{ESCAPES} end")
}

#[test]
fn terminal_output_never_carries_escape_sequences_from_the_partner() {
    // Ben writes every kind of text with escapes in it, on a device whose name has them too.
    let ana = Device::init("Ana");
    let ben = Device { dir: tempfile::tempdir().expect("temp dir") };
    ben.ok(&["init", "--name", &hostile("Ben"), "--device-name", &hostile("phone")]);
    let (inv, ticket) = ana.invite("partner", 60);
    ben.local_ok(&["pair", "join", &ticket]);
    assert!(inv.stop().contains("paired with"));

    let agreement = format!("first line {ESCAPES}\nsecond line");
    ben.create(&["agreement", "propose", "--category", "phones", "--text", &agreement]);
    ben.create(&["promise", "make", "--text", &hostile("promise"), "--due", "+2d"]);
    ben.create(&["gratitude", "add", "--text", &hostile("thanks")]);
    ben.create(&["checkin", "add", "--connection", "4", "--trust", "4", "--heard", "4", "--note", &hostile("note")]);
    ben.create(&[
        "repair",
        "add",
        "--what-happened",
        &hostile("happened"),
        "--what-i-did",
        &hostile("did"),
        "--impact",
        &hostile("impact"),
        "--next-time",
        &hostile("next"),
    ]);
    ben.ok(&["pause", "start", "--minutes", "60", "--note", &hostile("pause")]);

    let serve = ana.serve();
    ben.local_ok(&["sync", "--once", "--timeout", "20"]);
    let log = serve.stop();
    assert_printable("serve's log", &log);

    // Every human view on Ana's side: what Ben wrote is there, and nothing of it steers.
    let md = ana.ok(&["show"]);
    assert!(md.contains("first line") && md.contains("second line") && md.contains("thanks"), "{md}");
    assert_printable("mend show", &md);
    for args in [
        &["history"][..],
        &["devices"],
        &["agreement", "list"],
        &["promise", "list"],
        &["gratitude", "list"],
        &["checkin", "list"],
        &["repair", "list"],
        &["pause", "status"],
    ] {
        let out = ana.ok(args);
        assert!(out.contains("Ben") || out.contains("phone") || out.contains("first line"), "mend {args:?} shows Ben's words:\n{out}");
        assert_printable(&format!("mend {args:?}"), &out);
    }
    // A text of two paragraphs stays in its one row.
    let rows = ana.ok(&["agreement", "list"]);
    assert_eq!(rows.lines().count(), 1, "one agreement, one row:\n{rows}");

    // The Markdown file a counsellor may open is as clean; the JSON keeps every byte.
    let file = ana.path().join("space.md");
    ana.ok(&["export", "--format", "markdown", "--out", file.to_str().expect("utf-8 path")]);
    assert_printable("the Markdown export", &std::fs::read_to_string(&file).expect("export written"));
    let json = ana.ok(&["show", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let texts: Vec<&str> = v["agreements"].as_array().expect("agreements").iter().filter_map(|a| a["text"].as_str()).collect();
    assert_eq!(texts, vec![agreement.as_str()], "JSON output is exact");
    assert!(v["partners"].as_array().expect("partners").iter().any(|p| p["name"] == hostile("Ben")));
}

#[test]
fn text_made_only_of_invisible_characters_is_refused_as_empty() {
    let d = Device::init("Ana");
    let before = d.show();
    let invisible = "\u{200B}\u{200C}\u{200D}\u{2060}\u{FEFF}\u{200E}\u{202E}\u{2066} \t";
    let cases: &[&[&str]] = &[
        &["gratitude", "add", "--text", invisible],
        &["promise", "make", "--text", invisible],
        &["agreement", "propose", "--category", "time", "--text", invisible],
        &["profile", "set", "--name", invisible],
        &["repair", "add", "--what-happened", invisible, "--what-i-did", "x", "--impact", "x", "--next-time", "x"],
    ];
    for args in cases {
        refused(&d, args, "is empty: write something before saving");
    }
    assert_eq!(d.show(), before, "nothing was written");
    // An optional note of nothing visible is no note, as a blank one is.
    d.create(&["checkin", "add", "--connection", "3", "--trust", "3", "--heard", "3", "--note", invisible]);
    assert!(d.show()["checkins"][0]["note"].is_null(), "{}", d.show()["checkins"][0]);
}

/// Runs `mend args` with its stdout read by no one: the read end is closed before Mend
/// writes, so its first write meets a closed pipe.
fn into_closed_pipe(d: &Device, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = d.cmd();
    c.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, v) in envs {
        c.env(k, v);
    }
    let mut child = c.spawn().expect("run mend");
    drop(child.stdout.take());
    child.wait_with_output().expect("wait for mend")
}

fn assert_quiet_success(args: &[&str], o: &Output) {
    let err = stderr(o);
    assert!(o.status.success(), "mend {args:?} into a closed pipe must succeed; status {:?}, stderr: {err}", o.status);
    for bad in ["panicked", "Broken pipe", "broken pipe", "os error", "mend:"] {
        assert!(!err.contains(bad), "mend {args:?} into a closed pipe said something ({bad}): {err}");
    }
}

#[test]
fn a_reader_that_leaves_early_is_not_an_error() {
    let d = Device::init("Ana");
    // Enough notes that every listing is larger than a pipe's buffer.
    let seeded = d.ok(&["debug", "stress", "--count", "1200", "--size", "80"]);
    assert_eq!(seeded.lines().count(), 1200);
    let a = d.create(&["agreement", "propose", "--category", "time", "--text", "Dinner without phones"]);
    d.create(&["promise", "make", "--text", "Call at noon", "--due", "+1d"]);
    d.create(&["checkin", "add", "--connection", "4", "--trust", "4", "--heard", "4"]);
    d.create(&["repair", "add", "--what-happened", "x", "--what-i-did", "y", "--impact", "z", "--next-time", "w"]);
    d.ok(&["pause", "start", "--minutes", "5"]);
    assert!(!a.is_empty());
    let commands: &[&[&str]] = &[
        &["show"],
        &["show", "--json"],
        &["history"],
        &["history", "--json"],
        &["gratitude", "list"],
        &["gratitude", "list", "--json"],
        &["agreement", "list"],
        &["agreement", "list", "--json"],
        &["promise", "list"],
        &["promise", "list", "--json"],
        &["checkin", "list"],
        &["checkin", "list", "--json"],
        &["repair", "list"],
        &["repair", "list", "--json"],
        &["pause", "status"],
        &["profile", "show"],
        &["devices"],
        &["devices", "--json"],
        &["gratitude", "add", "--text", "printed after the reader left"],
    ];
    for args in commands {
        assert_quiet_success(args, &into_closed_pipe(&d, args, &[]));
    }
    // The note whose id could not be printed was still saved: a closed pipe loses nothing.
    assert!(d.ok(&["gratitude", "list"]).contains("printed after the reader left"));

    // And the journal's printing commands.
    let journal_env = [("MEND_JOURNAL_PASSPHRASE", "a long enough passphrase"), ("MEND_JOURNAL_INSECURE_TEST_KDF", "1")];
    let o = into_closed_pipe(&d, &["journal", "stress", "--count", "300", "--size", "200"], &journal_env);
    assert_quiet_success(&["journal", "stress"], &o);
    let journal: &[&[&str]] = &[
        &["journal", "add", "--text", "a quiet evening"],
        &["journal", "list"],
        &["journal", "list", "--json"],
        &["journal", "search", "evening"],
        &["journal", "prompts"],
        &["journal", "prompts", "--json"],
        &["journal", "feel", "You never listen to me"],
        &["journal", "feel", "You never listen to me", "--json"],
    ];
    for args in journal {
        assert_quiet_success(args, &into_closed_pipe(&d, args, &journal_env));
    }

    // `pair invite` whose ticket can't be printed stops at once, quietly.
    let args = ["--local-only", "--bind", "127.0.0.1:0", "pair", "invite", "--timeout", "30"];
    let started = std::time::Instant::now();
    assert_quiet_success(&args, &into_closed_pipe(&d, &args, &[]));
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "it did not wait for a joiner no one was told about");
}

#[test]
fn a_reader_that_takes_one_line_then_leaves_is_not_an_error() {
    let d = Device::init("Ana");
    d.ok(&["debug", "stress", "--count", "800", "--size", "120"]);
    for args in [&["show"][..], &["history"], &["gratitude", "list"]] {
        let mut child = d.cmd().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("run mend");
        let mut first = [0u8; 1];
        std::io::Read::read_exact(child.stdout.as_mut().expect("stdout"), &mut first).expect("read one byte");
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        assert_quiet_success(args, &o);
    }
}

#[test]
fn times_beyond_1970_to_2200_are_refused_and_nothing_is_written() {
    let d = Device::init("Ana");
    let p = d.create(&["promise", "make", "--text", "Walk together", "--due", "+1d"]);
    let a = d.create(&["agreement", "propose", "--category", "time", "--text", "Sunday walks"]);
    let before = d.show();
    let range = "between 1 January 1970 and 1 January 2200";
    for due in ["+99999999999d", "+99999999999999999999999d", "+9999999999999h", "2300-01-01", "1969-07-20", "9000-12-31T00:00:00Z"] {
        refused(&d, &["promise", "make", "--text", "Someday", "--due", due], range);
        refused(&d, &["promise", "renegotiate", &p, "--due", due], range);
        refused(&d, &["agreement", "review", &a, "--at", due], range);
    }
    // Minutes: the core's bound, and a number too large for any clock.
    refused(&d, &["pause", "start", "--minutes", "9223372036854775807"], "between 1 minute and 24 hours");
    let o = d.run(&["pause", "start", "--minutes", "99999999999999999999999"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("between 1 minute and 24 hours"), "{}", stderr(&o));
    assert_eq!(d.show(), before, "nothing was written");
}

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = vec![];
    for dir in [
        "app/src",
        "crates/mend-core/src",
        "crates/mend-engine/src",
        "crates/mend-sync/src",
        "crates/mend-store/src",
        "crates/mend-journal/src",
        "crates/mend-gui/src",
    ] {
        out.extend(files_below(&root.join(dir)).into_iter().filter(|p| p.extension().is_some_and(|e| e == "rs")));
    }
    assert!(out.len() > 20, "found the sources");
    out
}

/// Every `mend …` a message quotes, as written in the source (comments left out).
fn quoted_commands() -> Vec<(String, String)> {
    let mut out = vec![];
    for file in sources() {
        let text = std::fs::read_to_string(&file).expect("read source");
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            let mut rest = line;
            while let Some(i) = rest.find("`mend ") {
                let after = &rest[i + 1..];
                let Some(end) = after.find('`') else { break };
                out.push((file.display().to_string(), after[..end].to_owned()));
                rest = &after[end + 1..];
            }
        }
    }
    out
}

fn help(words: &[&str]) -> Output {
    std::process::Command::new(MEND).args(words).arg("--help").env_remove("MEND_PROFILE").output().expect("run mend --help")
}

#[test]
fn every_mend_command_named_in_a_message_exists() {
    let quoted = quoted_commands();
    assert!(quoted.len() > 10, "found the quoted commands: {quoted:?}");
    for (file, cmd) in quoted {
        let mut tokens = cmd.split_whitespace().skip(1);
        let mut words: Vec<&str> = vec![];
        let mut flags: Vec<&str> = vec![];
        let mut words_over = false;
        while let Some(t) = tokens.next() {
            if t.starts_with('|') {
                break;
            }
            if t.starts_with("--") {
                flags.push(t);
                // Global options come before the subcommand and take a value that is not one.
                if ["--profile", "--bind"].contains(&t) {
                    tokens.next();
                } else if t != "--local-only" {
                    words_over = true;
                }
            } else if !words_over && t.chars().all(|c| c.is_ascii_lowercase() || c == '-') {
                words.push(t);
            } else {
                // A value or a placeholder: the command's own words are over.
                words_over = true;
            }
        }
        let o = help(&words);
        let text = stdout(&o);
        assert!(o.status.success(), "{file}: `{cmd}` names `mend {}`, which does not exist:\n{}", words.join(" "), stderr(&o));
        for f in flags {
            assert!(text.contains(f), "{file}: `{cmd}` names {f}, which `mend {}` does not have", words.join(" "));
        }
    }
}

#[test]
fn a_record_that_is_not_found_names_a_list_command_that_exists() {
    let d = Device::init("Ana");
    for (args, names) in [
        (&["promise", "keep", "deadbeef"][..], "mend promise list"),
        (&["agreement", "accept", "deadbeef"], "mend agreement list"),
        (&["repair", "respond", "deadbeef", "--response", "received"], "mend repair list"),
        (&["devices", "remove", "deadbeef"], "mend devices"),
        (&["gratitude", "add", "--text", "thanks", "--for", "deadbeef"], "mend promise list"),
    ] {
        let err = refused(&d, args, names);
        assert!(!err.contains("mend device list") && !err.contains("mend promise or agreement"), "{err}");
    }
}

#[test]
fn a_mistyped_invitation_says_what_is_wrong_and_never_blames_the_version() {
    let a = Device::init("Ana");
    let (inv, ticket) = a.invite("partner", 30);
    drop(inv);
    let b = Device { dir: tempfile::tempdir().expect("temp dir") };
    let cut = &ticket[..ticket.len() / 2];
    let mut typo: Vec<char> = ticket.chars().collect();
    let i = typo.len() / 2;
    typo[i] = if typo[i] == '1' { '0' } else { '1' };
    let typo: String = typo.into_iter().collect();
    for (given, says) in [("", "the invitation is empty"), ("hello, it's me", "not a Mend invitation"), (cut, "missing"), (typo.as_str(), "typo")] {
        let o = b.local(&["pair", "join", given, "--name", "Ben"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{given:?}: {err}");
        assert_person_error(&err);
        assert!(err.contains(says), "{given:?}: expected {says:?} in {err}");
        assert!(!err.contains("version"), "{given:?}: {err}");
        assert!(!err.contains("10 minutes"), "{given:?}: {err}");
    }
    assert!(!b.path().join("profile.json").exists(), "a refused invitation leaves no profile behind");
}
