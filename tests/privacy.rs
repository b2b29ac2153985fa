//! The journal is private by construction: the network code cannot reach it (the dependency
//! graph proves it), and a canary written in the journal never crosses the wire, never
//! reaches the partner's profile, and is nowhere in plaintext on the owner's disk.

mod util;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use util::*;

fn cargo_metadata() -> serde_json::Value {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = std::process::Command::new(env!("CARGO"))
        // --no-deps: offline, and enough: mend-journal is not published, so only a
        // workspace crate could bring it in, and their declared dependencies are all here.
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(&root)
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("metadata is JSON")
}

/// Every dependency name reachable from workspace package `name`, through workspace
/// packages, with any kind of dependency (normal, build, dev).
fn closure(meta: &serde_json::Value, name: &str) -> BTreeSet<String> {
    let deps: HashMap<&str, Vec<&str>> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["dependencies"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect()))
        .collect();
    assert!(deps.contains_key(name), "{name} is in the workspace");
    let mut seen = BTreeSet::new();
    let mut stack = vec![name];
    while let Some(p) = stack.pop() {
        for d in deps.get(p).into_iter().flatten() {
            if seen.insert((*d).to_owned()) && deps.contains_key(d) {
                stack.push(d);
            }
        }
    }
    seen
}

#[test]
fn the_network_code_cannot_reach_the_journal() {
    let meta = cargo_metadata();
    let sync = closure(&meta, "mend-sync");
    assert!(sync.contains("iroh"), "the closure is real: mend-sync uses iroh");
    assert!(!sync.contains("mend-journal"), "mend-sync must not depend on mend-journal, directly or not");
    assert!(!sync.contains("mend-engine") && !sync.contains("mend-store"), "mend-sync sees the profile only through its SharedSpace trait");
    let journal = closure(&meta, "mend-journal");
    assert!(!journal.contains("iroh") && !journal.contains("mend-sync"), "the journal has no way onto the network");
    // A backup holds the journal's files (sealed twice) and reads them itself: it too has
    // no way onto the network.
    let backup = closure(&meta, "mend-backup");
    assert!(backup.contains("mend-journal"), "the closure is real: mend-backup uses the journal's sealing");
    assert!(!backup.contains("iroh") && !backup.contains("mend-sync") && !backup.contains("mend-engine"), "mend-backup has no way onto the network");

    // The one Mend crate the journal shares with the store is mend-fs, the crash-safe file
    // primitives: a leaf, with no other Mend crate and nothing of iroh behind it.
    let workspace: BTreeSet<String> = meta["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect();
    assert!(workspace.contains("mend-store") && workspace.contains("mend-fs"), "the workspace list is real: {workspace:?}");
    let fs = closure(&meta, "mend-fs");
    assert!(fs.contains("thiserror"), "the closure is real: mend-fs uses thiserror");
    let ours: Vec<&String> = fs.intersection(&workspace).collect();
    assert!(ours.is_empty(), "mend-fs is a leaf: it may depend on no workspace crate, but has {ours:?}");
    let iroh: Vec<&String> = fs.iter().filter(|d| d.starts_with("iroh")).collect();
    assert!(iroh.is_empty(), "mend-fs has no network code, but depends on {iroh:?}");
    let shared: Vec<&String> = journal.intersection(&workspace).collect();
    assert_eq!(shared, ["mend-fs"], "mend-journal may depend on no Mend crate but mend-fs");
}

/// Renders a wire log (see mend-sync's tap) as searchable text: each frame's bytes, and for
/// sync messages every change decoded to its operations (changes are often compressed, so
/// the raw bytes alone would hide a leak).
fn render_wire_log(path: &Path) -> (String, String) {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut raw = String::new();
    let mut decoded = String::new();
    let mut i = 0;
    while i + 5 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[i + 1..i + 5].try_into().unwrap()) as usize;
        let frame = &bytes[i + 5..i + 5 + len];
        i += 5 + len;
        raw.push_str(&String::from_utf8_lossy(frame));
        if frame.len() > 5 && frame[4] == 2 {
            let msg = automerge::sync::Message::decode(&frame[5..]).expect("captured sync message decodes");
            // Read as the gate reads them: single changes, and runs of changes sent as a
            // document (which may lack their dependencies, so no document loads them).
            let changes = mend_engine::core::incoming::changes_in(&msg, |_| false).expect("captured changes decode");
            for change in changes {
                decoded.push_str(&serde_json::to_string(&change.decode()).unwrap());
            }
        }
    }
    assert_eq!(i, bytes.len(), "the wire log is whole");
    (raw, decoded)
}

fn journal(d: &Device, args: &[&str]) -> String {
    let o = d
        .cmd()
        .arg("journal")
        .args(args)
        .env("MEND_JOURNAL_PASSPHRASE", "correct horse battery staple")
        .env("MEND_JOURNAL_INSECURE_TEST_KDF", "1")
        .output()
        .expect("run mend journal");
    assert!(o.status.success(), "journal {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn files_containing(dir: &Path, needle: &[u8]) -> Vec<std::path::PathBuf> {
    files_below(dir).into_iter().filter(|p| std::fs::read(p).map(|b| b.windows(needle.len()).any(|w| w == needle)).unwrap_or(false)).collect()
}

#[test]
fn a_journal_canary_never_crosses_the_wire_nor_reaches_the_partner() {
    let canary = format!("CANARY-{}-private", uuid_like());
    // Long enough that Automerge compresses it on the wire.
    let shared = format!("SHARED-{}-{}", uuid_like(), "we promised to talk before deciding ".repeat(40).trim_end());
    let wire = tempfile::tempdir().unwrap();
    let log = |name: &str| wire.path().join(name);

    let a = Device::init("Ana");
    let b = Device::init("Ben");
    journal(&a, &["add", "--text", &format!("I wrote {canary} where only I can read it"), "--mood", "2"]);
    assert!(journal(&a, &["search", "CANARY"]).contains(&canary), "the canary is really in the journal");
    a.create(&["gratitude", "add", "--text", &shared]);

    // Pair and sync with every frame recorded on both sides.
    let mut inv = a.cmd();
    inv.args(["--local-only", "pair", "invite", "--timeout", "60"])
        .env("MEND_WIRE_LOG", log("ana-invite"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null());
    let mut inv = inv.spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(inv.stdout.take().unwrap()), &mut line).unwrap();
    let o = b.cmd().args(["--local-only", "pair", "join", line.trim()]).env("MEND_WIRE_LOG", log("ben-join")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = inv.wait();
    journal(&a, &["add", "--text", &format!("and again {canary} after pairing")]);
    let mut serve = a.cmd();
    serve
        .args(["--local-only", "serve"])
        .env("MEND_WIRE_LOG", log("ana-serve"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut serve = serve.spawn().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    a.create(&["checkin", "add", "--connection", "4", "--trust", "3", "--heard", "4", "--note", "a shared note after pairing"]);
    let o = b.cmd().args(["--local-only", "sync", "--once", "--timeout", "20"]).env("MEND_WIRE_LOG", log("ben-sync")).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    unsafe { libc::kill(serve.id() as i32, libc::SIGTERM) };
    let _ = serve.wait();

    // What crossed: the shared records did (so the capture would have caught a leak)...
    let mut all_raw = String::new();
    let mut all_decoded = String::new();
    for name in ["ana-invite", "ben-join", "ana-serve", "ben-sync"] {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(log(name)).expect("wire log exists").permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{name}: the wire log holds the space in clear; it must be owner-only");
        }
        let (raw, decoded) = render_wire_log(&log(name));
        assert!(!raw.is_empty(), "{name} recorded traffic");
        all_raw.push_str(&raw);
        all_decoded.push_str(&decoded);
    }
    assert!(all_decoded.contains(&shared), "the shared note crossed, and decoding finds it");
    assert!(!all_raw.contains(&shared), "it crossed compressed: a raw byte search alone would have missed a leak");
    assert!(all_decoded.contains("a shared note after pairing"));
    // ...the journal did not.
    assert!(!all_raw.contains("CANARY") && !all_decoded.contains("CANARY"), "the canary crossed the wire");

    // Not in the partner's profile, in any file.
    assert!(b.ids("gratitude").len() == 1, "Ben got the shared note");
    assert!(files_containing(b.path(), b"CANARY").is_empty(), "the canary reached the partner's profile");
    // Not in the shared document, and nowhere in plaintext on the owner's disk.
    assert!(!a.ok(&["show", "--json"]).contains("CANARY"));
    assert!(!a.ok(&["export", "--format", "json", "--out", wire.path().join("export.json").to_str().unwrap()]).contains("CANARY"));
    assert!(!std::fs::read_to_string(wire.path().join("export.json")).unwrap().contains("CANARY"));
    assert!(files_containing(a.path(), b"CANARY").is_empty(), "the canary is in plaintext on the owner's disk");
    assert!(files_containing(a.path(), canary.as_bytes()).is_empty());
}

fn uuid_like() -> String {
    format!("{:016x}", rand::random::<u64>())
}

fn profile_log(d: &Device) -> String {
    let logs = d.path().join("logs");
    let mut all = String::new();
    for p in files_below(&logs) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}: a log is owner-only", p.display());
        }
        all.push_str(&std::fs::read_to_string(&p).unwrap());
    }
    all
}

#[test]
fn the_log_holds_what_mend_did_but_no_word_anyone_wrote() {
    let secret = format!("WORDS-{}", uuid_like());
    let (a, b) = paired_couple();
    a.create(&["gratitude", "add", "--text", &format!("thank you {secret}")]);
    a.create(&["agreement", "propose", "--category", "time", "--text", &format!("Sundays {secret}")]);
    a.create(&["repair", "add", "--what-happened", &secret, "--what-i-did", &secret, "--impact", &secret, "--next-time", &secret]);
    a.create(&["checkin", "add", "--connection", "4", "--trust", "3", "--heard", "4", "--note", &secret]);
    journal(&a, &["add", "--text", &format!("private {secret}")]);
    let serve = a.serve();
    let o = b.cmd().args(["--local-only", "-v", "sync", "--once", "--timeout", "20"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("INFO") && stderr.contains("in sync"), "-v says what Mend does on stderr: {stderr}");
    serve.stop();
    assert_eq!(b.ids("repairs").len(), 1, "the records really crossed");

    let (ana, ben) = (profile_log(&a), profile_log(&b));
    // The log is real: it says what happened on each side...
    for (who, log, says) in [("Ana", &ana, "saved an action"), ("Ana", &ana, "paired"), ("Ben", &ben, "in sync"), ("Ben", &ben, "profile opened")] {
        assert!(log.contains(says), "{who}'s log says {says:?}:\n{log}");
    }
    // ...in ids and Mend's own words: no record text, no journal text, no one's name.
    for (who, log) in [("Ana", &ana), ("Ben", &ben)] {
        for word in [secret.as_str(), "Ana's laptop", "Ben's laptop"] {
            assert!(!log.contains(word), "{who}'s log holds {word:?}:\n{log}");
        }
    }
    // A plain command writes nothing on stderr unless asked.
    let quiet = b.run(&["show"]);
    assert!(quiet.status.success() && quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
}

/// Issue 15: an answer to the question of the day is sealed until the partner answered the
/// same question. Before that, its words are nowhere in plaintext: not in anything that
/// crossed the wire (decoded change by change), not in any file of the partner's profile,
/// not in the shared document on the answering side either. Once both answered, both read
/// both, on both devices.
#[test]
fn a_sealed_answer_is_nowhere_in_plaintext_until_the_partner_answered_too() {
    let hers = format!("HERS-{}-the lake at dawn", uuid_like());
    let his = format!("HIS-{}-our first kitchen", uuid_like());
    let wire = tempfile::tempdir().unwrap();
    let log = |name: &str| wire.path().join(name);
    let (a, b) = paired_couple();
    let qa: serde_json::Value = serde_json::from_str(&a.ok(&["question", "list", "--json"])).unwrap();
    assert_eq!(qa, serde_json::json!([]));
    let today = a.ok(&["question"]);
    let id = today.lines().next().unwrap().to_owned();
    assert_eq!(b.ok(&["question"]).lines().next(), Some(id.as_str()), "the same question on both devices");
    a.create(&["question", "answer", "--id", &id, "--text", &hers]);
    assert!(a.ok(&["question", "list"]).contains(&hers), "she reads her own answer on her device");

    let serve = |d: &Device, name: &str| {
        let mut c = d.cmd();
        c.args(["--local-only", "serve"]).env("MEND_WIRE_LOG", log(name));
        let (bg, _) = Background::spawn(c);
        assert!(bg.wait_for_log("serving as", 20), "{}", bg.log_text());
        bg
    };
    let sync = |d: &Device, name: &str| {
        let o = d.cmd().args(["--local-only", "sync", "--once", "--timeout", "20"]).env("MEND_WIRE_LOG", log(name)).output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    let sa = serve(&a, "ana-serve-1");
    sync(&b, "ben-sync-1");
    drop(sa);

    // He has her answer, sealed: it says so, and its words are nowhere on his side.
    let listed: serde_json::Value = serde_json::from_str(&b.ok(&["question", "list", "--json"])).unwrap();
    assert_eq!(listed[0]["theirs"][1]["state"], "sealed", "{listed}");
    assert!(b.ok(&["question", "list"]).contains("sealed until you answer"));
    let secret = hers.split('-').nth(1).unwrap().to_owned();
    assert!(files_containing(b.path(), secret.as_bytes()).is_empty(), "her answer is in plaintext in his profile");
    assert!(!b.ok(&["show", "--json"]).contains(&secret));
    for name in ["ana-serve-1", "ben-sync-1"] {
        let (raw, decoded) = render_wire_log(&log(name));
        assert!(decoded.contains("question.answer"), "{name}: the sealed answer crossed, and decoding finds its change");
        assert!(!raw.contains(&secret) && !decoded.contains(&secret), "{name}: her answer crossed the wire in plaintext");
    }
    // Nor in the shared document on her side: only her own device's key file opens it.
    let on_her_disk: Vec<_> = files_containing(a.path(), secret.as_bytes());
    assert!(on_her_disk.is_empty(), "her answer is in plaintext on her disk: {on_her_disk:?}");

    // He answers: his answer opens at once (hers is there); hers opens when her device
    // hears of his.
    b.create(&["question", "answer", "--id", &id, "--text", &his]);
    let sa = serve(&a, "ana-serve-2");
    sync(&b, "ben-sync-2");
    drop(sa);
    for d in [&a, &b] {
        let out = d.ok(&["question", "list"]);
        assert!(out.contains(&hers) && out.contains(&his), "both read both: {out}");
    }
    let exported = wire.path().join("export.md");
    a.ok(&["export", "--format", "markdown", "--out", exported.to_str().unwrap()]);
    let md = std::fs::read_to_string(&exported).unwrap();
    assert!(md.contains("## Questions we both answered") && md.contains(&hers) && md.contains(&his), "{md}");
    assert!(b.ok(&["history"]).contains("answered the question of the day"));
}
