//! PNG snapshots of every screen, light and dark, of a couple's profile with a small,
//! realistic week of records, seen by Ana's window on a fixed clock read in UTC: the pixels
//! change only when the window does, never with the minute or the machine's time zone. Also
//! First run and a few screens with nothing yet, to keep their kind words in view.
//!
//! Rendered with wgpu (Mesa's llvmpipe on CI; `.ci/run` installs it) and compared with
//! `tests/snapshots/*.png`. After an intended change:
//! `UPDATE_SNAPSHOTS=1 cargo test -p mend-gui --test snapshots`, then look at the images.

mod common;

use common::*;
use egui_kittest::SnapshotResults;
use mend_engine::core::{Category, CheckInKind, PartnerId, RecordId, RepairResponse, Repeat, Timestamp};
use mend_engine::when::Clock;
use mend_engine::{Command, DeviceKey, Engine};
use mend_gui::{BackendConfig, MendApp, Phase, Screen};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Tuesday 24 November 2026, 12:00 UTC: "now" for every window here.
const NOW: Timestamp = Timestamp(1_795_521_600_000);
const MIN: i64 = Timestamp::MINUTE;
const HOUR: i64 = Timestamp::HOUR;
const DAY: i64 = Timestamp::DAY;

fn fixed_config(dir: &Path) -> BackendConfig {
    BackendConfig { clock: Clock::fixed(NOW, jiff::tz::TimeZone::UTC), ..config(dir, None) }
}

/// An engine whose clock the seeding moves along, so each record has the time it would
/// have had in a real week.
struct Seeded {
    engine: Engine,
    at: Arc<AtomicI64>,
}

impl Seeded {
    /// A profile with a fixed device key and partner id: the question of the day and the
    /// order of devices follow from them, so they must not change between runs.
    fn new(dir: &Path, name: &str, seed: u8) -> Seeded {
        let key = DeviceKey::from_secret_bytes(&[seed; 32]);
        let partner = PartnerId::from_key(&format!("0190c0de-0000-7000-8000-00000000000{seed}"));
        let mut engine = Engine::init_as(dir, key, partner, name, &format!("{name}'s laptop")).expect("a profile");
        let at = Arc::new(AtomicI64::new(NOW.0 - 14 * DAY));
        let clock = at.clone();
        engine.set_clock(Clock::new(move || Timestamp(clock.load(Ordering::SeqCst)), jiff::tz::TimeZone::UTC));
        Seeded { engine, at }
    }

    /// Does `cmd` at `ago` before [`NOW`]; returns the record it made, if any.
    fn at(&mut self, ago: i64, cmd: Command) -> String {
        self.at.store(NOW.0 - ago, Ordering::SeqCst);
        let out = self.engine.execute(cmd).expect("a seeded command");
        out.created.as_ref().map(RecordId::to_string).unwrap_or_default()
    }
}

/// Ana's folder (the window's) and Ben's: a couple some two weeks into using Mend.
/// `pause`: Ben asked for a pause a few minutes ago.
fn couple_with_a_week(pause: bool) -> (tempfile::TempDir, tempfile::TempDir) {
    let (ta, tb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ana = Seeded::new(ta.path(), "Ana", 1);
    let mut ben = Seeded::new(tb.path(), "Ben", 2);
    let (am, bm) = (ana.engine.me().clone(), ben.engine.me().clone());
    ana.at(14 * DAY, Command::TrustDevice { device: bm.device.clone(), partner: bm.partner.clone(), name: "Ben's laptop".into() });
    ben.at(14 * DAY, Command::TrustDevice { device: am.device.clone(), partner: am.partner.clone(), name: "Ana's laptop".into() });
    sync_engines(&mut ana.engine, &mut ben.engine);

    // Agreements: one both accepted, one of Ben's waiting for Ana.
    let pause_rule = ana.at(
        12 * DAY,
        Command::ProposeAgreement {
            category: Category::Communication,
            text: "Either of us can ask for a pause; we come back to talk within the hour.".into(),
        },
    );
    sync_engines(&mut ana.engine, &mut ben.engine);
    ben.at(11 * DAY, Command::AcceptAgreement { id: pause_rule.clone() });
    ana.at(11 * DAY - HOUR, Command::ScheduleReview { id: pause_rule, at: Some(Timestamp(NOW.0 + 20 * DAY)) });
    ben.at(2 * DAY, Command::ProposeAgreement { category: Category::Phones, text: "Phones stay in the kitchen after ten in the evening.".into() });

    // Promises: Ana's open ones, and one of Ben's kept that Ana has not seen yet.
    ana.at(
        3 * DAY,
        Command::MakePromise {
            text: "Call when I will be late".into(),
            due: Some(Timestamp(NOW.0 + 6 * HOUR)),
            repeat: Repeat::Daily,
            from_repair: None,
        },
    );
    ana.at(
        2 * DAY,
        Command::MakePromise {
            text: "Book the table for Saturday".into(),
            due: Some(Timestamp(NOW.0 + 2 * DAY)),
            repeat: Repeat::None,
            from_repair: None,
        },
    );
    let bins = ben.at(
        6 * DAY,
        Command::MakePromise {
            text: "Take the bins out on Thursday".into(),
            due: Some(Timestamp(NOW.0 - 5 * DAY)),
            repeat: Repeat::None,
            from_repair: None,
        },
    );
    ben.at(5 * DAY, Command::KeepPromise { id: bins });

    // Notes of thanks, both ways.
    ana.at(4 * DAY, Command::AddGratitude { text: "Thank you for the coffee in bed on Sunday.".into(), about: None });
    ben.at(20 * HOUR, Command::AddGratitude { text: "Thank you for listening last night without trying to fix anything.".into(), about: None });

    // A week of daily check-ins from each.
    for (day, (c, t, h)) in [(6, (3, 3, 2)), (5, (3, 3, 3)), (4, (4, 3, 3)), (3, (3, 4, 4)), (2, (4, 4, 4)), (1, (4, 4, 5))] {
        let note = (day == 1).then(|| "Better since we talked on Sunday.".to_owned());
        ana.at(day * DAY + 2 * HOUR, Command::AddCheckIn { kind: CheckInKind::Daily, prompt: None, connection: c, trust: t, heard: h, note });
        let note = (day == 1).then(|| "Tired, but glad we walked.".to_owned());
        ben.at(
            day * DAY + 3 * HOUR,
            Command::AddCheckIn { kind: CheckInKind::Daily, prompt: None, connection: c + 1, trust: t, heard: h.min(4), note },
        );
    }

    // Repairs: one of Ana's that Ben answered, and one of Ben's waiting for her.
    let ana_repair = ana.at(
        9 * DAY,
        Command::AddRepair {
            what_happened: "I checked your phone while you were in the shower".into(),
            what_i_did: "I read your messages without asking".into(),
            impact: "You felt watched in your own home".into(),
            next_time: "When I feel unsure, I will ask you, not your phone".into(),
        },
    );
    sync_engines(&mut ana.engine, &mut ben.engine);
    ben.at(8 * DAY, Command::RespondRepair { id: ana_repair, response: RepairResponse::ReadyToTalk });
    ben.at(
        30 * HOUR,
        Command::AddRepair {
            what_happened: "I came home two hours late on Friday".into(),
            what_i_did: "I did not call or write".into(),
            impact: "You waited and worried, and dinner went cold".into(),
            next_time: "I will call before six when I am running late".into(),
        },
    );

    // Together: a goal under way, and an evening planned.
    let goal = ana.at(10 * DAY, Command::AddGoal { text: "A walk together every Sunday".into() });
    let route = ana.at(10 * DAY, Command::AddGoalStep { goal: goal.clone(), text: "Pick a route by the river".into() });
    ana.at(10 * DAY, Command::AddGoalStep { goal, text: "Walk four Sundays in a row".into() });
    ana.at(9 * DAY, Command::DoneGoalStep { step: route });
    ben.at(DAY, Command::PlanTogether { text: "Dinner at the little Italian place".into(), when: Some(Timestamp(NOW.0 + 4 * DAY + 7 * HOUR)) });

    if pause {
        ben.at(5 * MIN, Command::StartPause { minutes: 45, note: Some("I need a walk to calm down. I will be back.".into()) });
    }
    sync_engines(&mut ana.engine, &mut ben.engine);
    (ta, tb)
}

fn shoot(name: &str, theme: egui::Theme, dir: &Path, screen: Option<Screen>, want: Phase) -> SnapshotResults {
    let app = MendApp::new(fixed_config(dir));
    let app = match screen {
        Some(s) => app.with_screen(s),
        None => app,
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1000.0, 760.0))
        .with_theme(theme)
        .build_ui_state(|ui, app: &mut MendApp| app.ui(ui), app);
    settle(&mut h, "the window to open", move |a| a.snapshot().phase == want && (want != Phase::Ready || a.snapshot().lists.at.is_some()));
    // What a screen asks by being shown (Gratitude marks the notes seen) is answered first.
    settle(&mut h, "the backend to answer", |a| a.is_idle());
    h.run_ok();
    h.snapshot(name);
    h.take_snapshot_results()
}

/// Both themes of one screen of Ana's window on `dir`; fails (naming every differing image)
/// if either differs.
fn both(name: &str, dir: &Path, screen: Option<Screen>, want: Phase) {
    let mut results = SnapshotResults::new();
    results.extend(shoot(&format!("{name}_light"), egui::Theme::Light, dir, screen, want.clone()));
    results.extend(shoot(&format!("{name}_dark"), egui::Theme::Dark, dir, screen, want));
    results.unwrap();
}

/// One screen of the seeded couple, as Ana sees it.
fn with_a_week(name: &str, screen: Screen) {
    let (ta, _tb) = couple_with_a_week(false);
    both(name, ta.path(), Some(screen), Phase::Ready);
}

/// One screen of a profile of Ana's alone, with nothing in it yet.
fn empty(name: &str, screen: Screen) {
    let dir = tempfile::tempdir().unwrap();
    Seeded::new(dir.path(), "Ana", 1);
    both(name, dir.path(), Some(screen), Phase::Ready);
}

#[test]
fn first_run() {
    let dir = tempfile::tempdir().unwrap();
    both("first_run", dir.path(), None, Phase::FirstRun);
}

#[test]
fn today() {
    with_a_week("today", Screen::Today);
}

#[test]
fn agreements() {
    with_a_week("agreements", Screen::Agreements);
}

#[test]
fn promises() {
    with_a_week("promises", Screen::Promises);
}

#[test]
fn gratitude() {
    with_a_week("gratitude", Screen::Gratitude);
}

#[test]
fn checkins() {
    with_a_week("checkins", Screen::CheckIns);
}

#[test]
fn repairs() {
    with_a_week("repairs", Screen::Repairs);
}

#[test]
fn together() {
    with_a_week("together", Screen::Together);
}

/// Ben asked for a pause five minutes ago: the banner, and what to do meanwhile.
#[test]
fn pause() {
    let (ta, _tb) = couple_with_a_week(true);
    both("pause", ta.path(), Some(Screen::Pause), Phase::Ready);
}

#[test]
fn journal_locked() {
    with_a_week("journal_locked", Screen::Journal);
}

#[test]
fn devices() {
    with_a_week("devices", Screen::Devices);
}

#[test]
fn settings() {
    with_a_week("settings", Screen::Settings);
}

#[test]
fn help() {
    with_a_week("help", Screen::Help);
}

#[test]
fn empty_today() {
    empty("empty_today", Screen::Today);
}

#[test]
fn empty_agreements() {
    empty("empty_agreements", Screen::Agreements);
}

#[test]
fn empty_promises() {
    empty("empty_promises", Screen::Promises);
}

#[test]
fn empty_gratitude() {
    empty("empty_gratitude", Screen::Gratitude);
}

#[test]
fn empty_repairs() {
    empty("empty_repairs", Screen::Repairs);
}
