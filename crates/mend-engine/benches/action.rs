//! One action end to end (check, change, fsync, view updated) on a profile of 10,000
//! records, and opening that profile. A bench binary: `cargo bench -p mend-engine --bench action`.
//! Prints min / median / max; the records are a fixed mix so runs compare.

use mend_engine::core::{Category, CheckInKind, Repeat, Timestamp};
use mend_engine::{Command, Engine};
use std::time::{Duration, Instant};

fn seed(n: usize) -> Vec<Command> {
    (0..n)
        .map(|i| match i % 4 {
            0 => Command::AddGratitude { text: format!("Thank you for the walk, day {i}"), about: None },
            1 => Command::AddCheckIn {
                kind: CheckInKind::Daily,
                prompt: None,
                connection: 1 + (i % 5) as i64,
                trust: 3,
                heard: 4,
                note: Some(format!("day {i}")),
            },
            2 => Command::MakePromise {
                text: format!("Promise {i}"),
                due: Some(Timestamp(1_790_000_000_000 + i as i64 * 60_000)),
                repeat: Repeat::None,
                from_repair: None,
            },
            _ => Command::ProposeAgreement { category: Category::ALL[i % 6], text: format!("Agreement number {i}: we talk before deciding") },
        })
        .collect()
}

fn stats(name: &str, mut v: Vec<Duration>) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("{name:<44} n={:<4} min {:>8.3} ms   median {:>8.3} ms   max {:>8.3} ms", v.len(), ms(v[0]), ms(v[v.len() / 2]), ms(v[v.len() - 1]));
}

fn main() {
    let records: usize = std::env::var("MEND_BENCH_RECORDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let t = tempfile::tempdir().expect("temp dir");
    let mut e = Engine::init(t.path(), "Ana", "bench").expect("init");
    let started = Instant::now();
    // One action per save, as people write: the log and its compactions are as in real use.
    for cmd in seed(records) {
        e.execute(cmd).expect("seed");
    }
    println!("seeded {records} records in {:.1} s", started.elapsed().as_secs_f64());
    drop(e);

    // How the same records open from the log alone (as left by seeding) and from a snapshot.
    let s = Instant::now();
    let (_st, mut raw, _) = mend_store::DocStore::open(t.path()).expect("store open");
    println!("store open (log replay) {:.1} ms", s.elapsed().as_secs_f64() * 1e3);
    let bytes = raw.save();
    let s = Instant::now();
    let loaded = automerge::AutoCommit::load(&bytes).expect("load");
    println!("bare Automerge::load of the same document ({} KiB) {:.1} ms", bytes.len() / 1024, s.elapsed().as_secs_f64() * 1e3);
    let s = Instant::now();
    let _shared = mend_engine::core::SharedDoc::from_doc(loaded).expect("view");
    println!("view built from it {:.1} ms", s.elapsed().as_secs_f64() * 1e3);
    drop(_st);
    let mut opens = vec![];
    for _ in 0..5 {
        let s = Instant::now();
        let e = Engine::open(t.path()).expect("open");
        opens.push(s.elapsed());
        assert_eq!(e.view().record_count(), records);
    }
    stats(&format!("open a profile of {records} records"), opens);

    let mut e = Engine::open(t.path()).expect("open");
    let mut actions = vec![];
    for i in 0..200 {
        let s = Instant::now();
        let out = e.execute(Command::AddGratitude { text: format!("one more thank you {i}"), about: None }).expect("action");
        actions.push(s.elapsed());
        assert!(e.view().gratitude.contains_key(&out.created.expect("created")));
    }
    stats("one action (check, change, fsync, view)", actions);

    let mut refresh = vec![];
    for _ in 0..200 {
        let s = Instant::now();
        e.refresh().expect("refresh");
        refresh.push(s.elapsed());
    }
    stats("refresh with nothing new", refresh);
}
