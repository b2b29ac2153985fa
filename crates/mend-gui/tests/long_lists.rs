//! Years of records: every long list lays out only the rows in view, so a frame costs the
//! same with ten years of data as with ten days (the frame times themselves are measured by
//! `mend-bench --frames`, not here). Drawing every row would put thousands of nodes in the
//! accessibility tree; these tests count them.

mod common;

use common::*;
use egui_kittest::kittest::Queryable as _;
use mend_engine::Command;
use mend_engine::core::{CheckInKind, Repeat, Timestamp};

const NOTES: usize = 1200;
const PROMISES: usize = 600;
const AGREEMENTS: usize = 300;
const CHECKINS: usize = 800;
const REPAIRS: usize = 150;
const ENTRIES: usize = 400;
const PASSPHRASE: &str = "long lists passphrase";

/// More nodes than this on one screen means rows out of view were laid out.
const MAX_NODES: usize = 600;

fn years_of_records(dir: &std::path::Path) {
    profile(dir, "Ana");
    let mut e = reopen(dir);
    let now = e.now();
    let mut cmds = vec![];
    for i in 0..NOTES {
        cmds.push(Command::AddGratitude { text: format!("Thanks number {i:04}"), about: None });
    }
    for i in 0..PROMISES {
        // Due one after the other, so the list's order (soonest first) is known.
        let due = Some(now.plus_ms((i as i64 + 1) * Timestamp::MINUTE / 6));
        cmds.push(Command::MakePromise { text: format!("Promise number {i:04}"), due, repeat: Repeat::None, from_repair: None });
    }
    for i in 0..AGREEMENTS {
        cmds.push(Command::ProposeAgreement { category: mend_engine::core::Category::Communication, text: format!("Agreement number {i:04}") });
    }
    for i in 0..CHECKINS {
        cmds.push(Command::AddCheckIn {
            kind: CheckInKind::Daily,
            prompt: None,
            connection: 1 + (i % 5) as i64,
            trust: 3,
            heard: 4,
            note: Some(format!("Check-in number {i:04}")),
        });
    }
    for i in 0..REPAIRS {
        cmds.push(Command::AddRepair {
            what_happened: format!("Repair number {i:04}"),
            what_i_did: "I left early".into(),
            impact: "You felt alone".into(),
            next_time: "I will stay".into(),
        });
    }
    e.execute_many(cmds).expect("the records are saved");
    let mut j = mend_journal::Journal::create(dir, PASSPHRASE, mend_journal::KdfParams::INSECURE_FAST_FOR_TESTS).expect("a journal");
    for i in 0..ENTRIES {
        j.add(mend_journal::NewEntry::text(format!("Journal entry number {i:04}"))).expect("an entry");
    }
}

#[test]
fn long_lists_lay_out_only_the_rows_in_view() {
    let dir = tempfile::tempdir().unwrap();
    years_of_records(dir.path());
    let mut h = window(dir.path(), None);
    ready(&mut h);
    // (screen, a record that must show, a record at the far end of the same list that must not)
    let cases = [
        ("Gratitude", format!("Thanks number {:04}", NOTES - 1), "Thanks number 0000".to_owned()),
        ("Promises", "Promise number 0000".to_owned(), format!("Promise number {:04}", PROMISES - 1)),
        ("Agreements", "Agreement number 0000".to_owned(), format!("Agreement number {:04}", AGREEMENTS - 1)),
        ("Check-ins", format!("Check-in number {:04}", CHECKINS - 1), "Check-in number 0000".to_owned()),
        ("Repairs", format!("Repair number {:04}", REPAIRS - 1), "Repair number 0000".to_owned()),
        ("Today", String::new(), String::new()),
    ];
    for (screen, first, last) in cases {
        go(&mut h, screen);
        h.run_ok();
        let nodes = h.query_all_by(|_| true).count();
        assert!(nodes < MAX_NODES, "{screen}: {nodes} accessibility nodes: rows out of view were laid out");
        if !first.is_empty() {
            assert!(shows(&h, &first), "{screen}: the list starts with {first}");
            assert!(!shows(&h, &last), "{screen}: {last}, far down the list, is not laid out");
        }
    }
    go(&mut h, "Journal");
    type_into(&mut h, "Passphrase", PASSPHRASE);
    click(&mut h, "Unlock");
    settle(&mut h, "the journal to open", |a| a.snapshot().journal.entries.len() == ENTRIES);
    h.run_ok();
    let nodes = h.query_all_by(|_| true).count();
    assert!(nodes < MAX_NODES, "Journal: {nodes} accessibility nodes: rows out of view were laid out");
    assert!(shows(&h, &format!("Journal entry number {:04}", ENTRIES - 1)));
    assert!(!shows(&h, "Journal entry number 0000"));

    // The trend chart is averaged down to a bounded number of points however many check-ins.
    let snap = h.state().snapshot();
    let t = snap.lists.trends.first().expect("a trend of the check-ins");
    assert_eq!(t.count, CHECKINS);
    assert!(t.lines.iter().all(|l| l.len() <= mend_gui::lists::TREND_POINTS && !l.is_empty()));
}

#[test]
fn a_row_far_down_a_long_list_is_reached_by_scrolling() {
    let dir = tempfile::tempdir().unwrap();
    years_of_records(dir.path());
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Gratitude");
    let oldest = "Thanks number 0000";
    assert!(!shows(&h, oldest));
    // Scroll the notes list to its end: the oldest note is laid out there.
    let newest = format!("Thanks number {:04}", NOTES - 1);
    h.get_by_label(&newest).hover();
    for _ in 0..200 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Page,
            delta: egui::vec2(0.0, -1.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_ok();
        if shows(&h, oldest) {
            break;
        }
    }
    assert!(shows(&h, oldest), "scrolling reaches the oldest note");
    assert!(!shows(&h, &newest), "and the newest has left the view");
}
