//! `cargo run --release -p mend-bench [-- --years 1,3,10 --seed 7] [--practices]`
//!
//! Generates years of a couple's data, builds real profiles from them, and measures each
//! figure against a reference taken in the same run (these machines are noisy: the ratio
//! is the figure that carries over). Prints Markdown for docs/performance.md.

use automerge::transaction::Transactable;
use mend_engine::{Command, Engine};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

struct Stats {
    min: f64,
    median: f64,
    max: f64,
}

fn stats(mut v: Vec<Duration>) -> Stats {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Stats { min: ms(v[0]), median: ms(v[v.len() / 2]), max: ms(v[v.len() - 1]) }
}

fn fmt(s: &Stats) -> String {
    format!("{:.2} / {:.2} / {:.2}", s.min, s.median, s.max)
}

fn newest(dir: &Path, ext: &str) -> PathBuf {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join("space"))
        .expect("space")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v.pop().expect("a snapshot")
}

/// Peak resident memory of this process, in MB (Linux: VmHWM).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Opens a profile in a fresh process and reports its peak memory, so that generating the
/// data in this process does not count.
fn peak_of_open(profile: &Path) -> f64 {
    let out =
        std::process::Command::new(std::env::current_exe().expect("self")).arg("--measure-open").arg(profile).output().expect("run the memory probe");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(f64::NAN)
}

/// Figure 5: CPU time of one frame of each main screen, in the kittest harness (no GPU).
fn frame_ms(profile: &Path) -> Vec<(&'static str, Stats)> {
    use mend_gui::{BackendConfig, MendApp, Phase, Screen};
    let mut out = vec![];
    for screen in
        [Screen::Today, Screen::Agreements, Screen::Promises, Screen::Gratitude, Screen::CheckIns, Screen::Repairs, Screen::Together, Screen::Devices]
    {
        let cfg = BackendConfig {
            dir: profile.to_path_buf(),
            net: None,
            device_name: "bench".into(),
            journal_kdf: mend_journal::KdfParams::INSECURE_FAST_FOR_TESTS,
            notifications: false,
            launch: None,
            autostart_dir: None,
            clock: mend_engine::when::Clock::system(),
        };
        let app = MendApp::new(cfg).with_screen(screen);
        let mut h = egui_kittest::Harness::builder().with_size(egui::vec2(1100.0, 900.0)).build_ui_state(|ui, app: &mut MendApp| app.ui(ui), app);
        let deadline = Instant::now() + Duration::from_secs(120);
        while h.state().snapshot().phase != Phase::Ready && Instant::now() < deadline {
            h.step();
            std::thread::sleep(Duration::from_millis(20));
        }
        // Let layout settle (first frames measure text and images), then time frames.
        for _ in 0..10 {
            h.step();
        }
        let mut v = vec![];
        for _ in 0..40 {
            let s = Instant::now();
            h.step();
            v.push(s.elapsed());
        }
        out.push((screen.label(), stats(v)));
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--measure-open") {
        let mut e = Engine::open(Path::new(&args[i + 1])).expect("open");
        assert!(e.view().partners.len() <= 2);
        // Open means the document too, not only the cached view.
        e.wait_loaded().expect("load");
        println!("{:.1}", peak_mb());
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--write-profiles") {
        // Two real profiles of the same generated space (Ana's and Ben's devices), for the
        // figures measured on running processes: idle cost, memory, a CLI action.
        let out = Path::new(args.get(i + 1).expect("--write-profiles DIR"));
        let years: f64 = args.iter().position(|a| a == "--years").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(10.0);
        let mut g = mend_bench::generate(years, 7);
        if args.iter().any(|a| a == "--practices") {
            mend_bench::add_practices(&mut g, years, 7);
        }
        let ben_doc = mend_core::SharedDoc::from_doc(g.doc.doc().clone()).expect("a copy of the space");
        drop(Engine::import(&out.join("ana"), g.ana, g.doc).expect("import Ana's profile"));
        drop(Engine::import(&out.join("ben"), g.ben, ben_doc).expect("import Ben's profile"));
        println!("wrote {} and {}", out.join("ana").display(), out.join("ben").display());
        return;
    }
    let years: Vec<f64> = args
        .iter()
        .position(|a| a == "--years")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.split(',').filter_map(|y| y.parse().ok()).collect())
        .unwrap_or_else(|| vec![1.0, 3.0, 10.0]);
    let seed: u64 = args.iter().position(|a| a == "--seed").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(7);
    // The practices (goals, time together, what I heard, daily sealed answers) on top of the
    // reference data set: the same figures, to compare with a run without them.
    let practices = args.iter().any(|a| a == "--practices");

    let empty = tempfile::tempdir().expect("temp");
    drop(Engine::init(&empty.path().join("p"), "Ana", "laptop").expect("init"));
    let empty_peak = peak_of_open(&empty.path().join("p"));

    if args.iter().any(|a| a == "--pickup") {
        // How long the view takes to catch up with one change made elsewhere (another
        // process on the profile, or a peer): what `serve` pays before it can send it on.
        // Against a reference in the same run: applying the same change to the document.
        let y = years.last().copied().unwrap_or(10.0);
        let mut g = mend_bench::generate(y, seed);
        if practices {
            mend_bench::add_practices(&mut g, y, seed);
        }
        let device = g.ben.device_id();
        let ben = mend_core::Actor { partner: g.doc.view().devices[&device].partner.clone(), device };
        let mut elsewhere = mend_core::SharedDoc::from_doc(g.doc.doc().clone()).expect("a copy of the space");
        elsewhere.set_device(&ben.device).expect("Ben's device");
        let (mut catch_up, mut apply) = (vec![], vec![]);
        for i in 0..20u128 {
            let before = elsewhere.heads();
            let at = mend_core::Timestamp(1_900_000_000_000 + i as i64);
            let id = mend_core::RecordId::from_uuid(uuid::Uuid::from_u128(0xbe9c_0000 + i));
            elsewhere.apply(&ben, at, mend_core::Action::AddGratitude { id, text: format!("thanks {i}"), about: None }).expect("a note");
            let changes = elsewhere.doc_mut().get_changes(&before);
            let mut bare = g.doc.doc().clone();
            let s = Instant::now();
            bare.apply_changes(changes.clone()).expect("apply");
            apply.push(s.elapsed());
            let heads = g.doc.heads();
            let s = Instant::now();
            g.doc.doc_mut().apply_changes(changes).expect("apply");
            g.doc.absorb(&heads).expect("absorb");
            catch_up.push(s.elapsed());
        }
        println!(
            "catch up with one change made elsewhere, {y} years: {} ms (min / median / max); applying it alone: {} ms",
            fmt(&stats(catch_up)),
            fmt(&stats(apply))
        );
        return;
    }
    if args.iter().any(|a| a == "--frames") {
        let ten = tempfile::tempdir().expect("temp");
        let y = years.last().copied().unwrap_or(10.0);
        let mut g = mend_bench::generate(y, seed);
        if practices {
            mend_bench::add_practices(&mut g, y, seed);
        }
        drop(Engine::import(&ten.path().join("p"), g.ana, g.doc).expect("import"));
        let busy = frame_ms(&ten.path().join("p"));
        let quiet = frame_ms(&empty.path().join("p"));
        println!("| screen | {y} years: min / median / max ms | empty profile median ms |");
        println!("|---|---|---|");
        for ((name, b), (_, q)) in busy.iter().zip(quiet.iter()) {
            println!("| {name} | {} | {:.2} |", fmt(b), q.median);
        }
        // What the frames no longer do: the lists, worked out on the backend thread after
        // each change of the document (and once a minute).
        let mut e = Engine::open(&ten.path().join("p")).expect("open");
        e.wait_loaded().expect("load");
        let mut v = vec![];
        for _ in 0..20 {
            let clock = mend_engine::when::Clock::system();
            let s = Instant::now();
            let lists = mend_gui::lists::Lists::new(e.view(), e.me(), &clock, e.thanks_seen());
            v.push(s.elapsed());
            assert!(!lists.gratitude_newest_first.is_empty());
        }
        println!("\nlists worked out on the backend after a change, {y} years: {} ms (min / median / max)", fmt(&stats(v)));
        return;
    }
    println!(
        "| years | records | changes | snapshot | open to a ready view: min / median / max ms | document loaded (background) median ms | bare load median ms | ratio | open with a 100-action log tail median ms (ratio) | action median ms (max) | bare change+fsync median ms | peak MB open (empty) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for y in years {
        let t0 = Instant::now();
        let mut g = mend_bench::generate(y, seed);
        if practices {
            mend_bench::add_practices(&mut g, y, seed);
        }
        let gen_s = t0.elapsed().as_secs_f64();
        let records = g.doc.view().record_count();
        let occurrences: usize = g.doc.view().promises.values().map(|p| p.occurrences.len()).sum();
        let revisions: usize = g.doc.view().agreements.values().map(|a| a.revisions.len()).sum();
        let changes = g.doc.doc_mut().get_changes(&[]).len();
        let dir = tempfile::tempdir().expect("temp");
        let profile = dir.path().join("ana");
        let journal = g.journal.clone();
        drop(Engine::import(&profile, g.ana, g.doc).expect("import"));
        // Ana's journal, in the same profile (cheap key derivation: this measures the store).
        let mut j =
            mend_journal::Journal::create(&profile, "benchmark passphrase", mend_journal::KdfParams::INSECURE_FAST_FOR_TESTS).expect("journal");
        j.set_compact_bytes(u64::MAX);
        for (_, text) in &journal {
            j.add(mend_journal::NewEntry::text(text)).expect("journal entry");
        }
        drop(j);
        eprintln!(
            "{y} years: generated {records} records ({occurrences} promise occurrences, {revisions} revisions, {} journal entries), {changes} changes in {gen_s:.1} s",
            journal.len()
        );

        // Figure 1: open to a ready view, against a bare Automerge::load of the same bytes.
        // Ready = Engine::open returned with the view (from the view cache, which import
        // wrote); the document then finishes loading on its own thread: that time is
        // reported too, and each round waits for it so rounds do not overlap.
        let bytes = std::fs::read(newest(&profile, "am")).expect("snapshot");
        let cache_mb = std::fs::metadata(profile.join("space").join("view.cache")).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
        let mut opens = vec![];
        let mut docs = vec![];
        let mut loads = vec![];
        let mut uncached = vec![];
        let mut checks = vec![];
        let mut from_cache = 0;
        for _ in 0..5 {
            let s = Instant::now();
            let mut e = Engine::open(&profile).expect("open");
            opens.push(s.elapsed());
            from_cache += usize::from(!e.is_loaded());
            assert_eq!(e.view().record_count(), records);
            e.wait_loaded().expect("load");
            docs.push(s.elapsed());
            // The window and `serve` then check the cached view against the document once.
            let s = Instant::now();
            assert!(!e.verify_view().expect("check"), "the cache is true");
            checks.push(s.elapsed());
            drop(e);
            let s = Instant::now();
            let d = automerge::AutoCommit::load(&bytes).expect("load");
            loads.push(s.elapsed());
            drop(d);
            // The open as it was before the cache: load the files, build the view.
            let s = Instant::now();
            let (_store, doc, _) = mend_store::DocStore::open(&profile).expect("open");
            let v = mend_core::SharedDoc::from_doc(doc).expect("view");
            uncached.push(s.elapsed());
            drop(v);
        }
        let (open, doc_loaded, load, uncached, check) = (stats(opens), stats(docs), stats(loads), stats(uncached), stats(checks));
        eprintln!(
            "{y} years: the view check after a cached open (window and serve, once, off the UI): {} ms, {:.2}x the bare load",
            fmt(&check),
            check.median / load.median
        );
        eprintln!(
            "{y} years: {from_cache} of 5 opens used the view cache ({cache_mb:.1} MB); without it (load + build the view): {} ms, {:.2}x the bare load",
            fmt(&uncached),
            uncached.median / load.median
        );

        // Figure 2: one action end to end, against a bare change + fsync of the same size.
        let mut e = Engine::open(&profile).expect("open");
        e.wait_loaded().expect("load");
        let mut acts = vec![];
        for i in 0..100 {
            let s = Instant::now();
            e.execute(Command::AddGratitude { text: format!("Thank you for the walk this evening ({i})"), about: None }).expect("action");
            acts.push(s.elapsed());
        }
        drop(e);
        let mut bare = automerge::AutoCommit::load(&bytes).expect("load");
        let path = dir.path().join("bare.log");
        let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&path).expect("bare log");
        let mut heads = bare.get_heads();
        let mut bares = vec![];
        for i in 0..100 {
            let s = Instant::now();
            let m = bare.put_object(automerge::ROOT, format!("k{i}"), automerge::ObjType::Map).expect("put");
            bare.put(&m, "text", format!("Thank you for the walk this evening ({i})")).expect("put");
            bare.commit();
            let b = bare.save_after(&heads);
            heads = bare.get_heads();
            f.write_all(&b).expect("write");
            f.sync_data().expect("fsync");
            bares.push(s.elapsed());
        }
        let (act, bare_s) = (stats(acts), stats(bares));

        // Figure 1 again, the first open after a day of use: the cache was written at the
        // last compaction and the log holds the 100 actions above since. Open waits for the
        // document, catches the cached view up with them and writes a new cache (the next
        // open is then the quick one above). Each round puts the old cache back first.
        let cache_path = profile.join("space").join("view.cache");
        let stale = std::fs::read(&cache_path).expect("the cache of the last compaction");
        let mut tails = vec![];
        for _ in 0..5 {
            std::fs::write(&cache_path, &stale).expect("cache");
            let s = Instant::now();
            let e = Engine::open(&profile).expect("open");
            tails.push(s.elapsed());
            assert!(e.is_loaded());
            assert_eq!(e.view().record_count(), records + 100);
        }
        let tail = stats(tails);

        // Figure 6: peak memory of a process that opens the profile.
        let peak = peak_of_open(&profile);
        println!(
            "| {y} | {records} | {changes} | {:.1} MB | {} | {:.1} | {:.2} | {:.2}x | {:.1} ({:.2}x) | {:.3} ({:.2}) | {:.3} | {:.0} ({:.0}) |",
            bytes.len() as f64 / 1e6,
            fmt(&open),
            doc_loaded.median,
            load.median,
            open.median / load.median,
            tail.median,
            tail.median / load.median,
            act.median,
            act.max,
            bare_s.median,
            peak,
            empty_peak
        );
    }
}
