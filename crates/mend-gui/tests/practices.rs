//! Issue 15's practices in the real window: the question of the day (answered and sealed
//! from Today), goals and time together, "what I heard" between two profiles, the
//! breathing guide and a time to talk during a pause, and the love-languages quiz.

mod common;

use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::Queryable as _;
use mend_engine::core::{HeardAnswer, LoveLanguage};
use mend_engine::{Command, Engine};

/// Two profiles of a couple that synced once: Ana's folder and Ben's.
fn couple() -> (tempfile::TempDir, tempfile::TempDir) {
    let (ta, tb) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut ana = Engine::init(ta.path(), "Ana", "Ana's laptop").unwrap();
    let mut ben = Engine::init(tb.path(), "Ben", "Ben's laptop").unwrap();
    let (am, bm) = (ana.me().clone(), ben.me().clone());
    ana.execute(Command::TrustDevice { device: bm.device.clone(), partner: bm.partner.clone(), name: "Ben's laptop".into() }).unwrap();
    ben.execute(Command::TrustDevice { device: am.device.clone(), partner: am.partner.clone(), name: "Ana's laptop".into() }).unwrap();
    sync_engines(&mut ana, &mut ben);
    (ta, tb)
}

#[test]
fn today_s_question_is_answered_from_today_and_stays_sealed_until_both_answered() {
    let (ta, tb) = couple();
    let mut h = window(ta.path(), None);
    ready(&mut h);
    let q = reopen(ta.path()).question_today();
    assert!(shows(&h, &q.text), "Today shows today's question: {}", q.text);
    type_into(&mut h, "Your answer", "The walk by the river");
    click(&mut h, "Share my answer");
    idle(&mut h);
    settle(&mut h, "the answer to show", |a| a.snapshot().asked.as_ref().is_some_and(|x| x.0.mine.is_some()));
    assert!(shows(&h, "You: The walk by the river"));
    assert!(shows(&h, "Sealed until Ben answers"));
    drop(h);
    // Ben's side has it sealed; once he answers, both read both.
    let (mut ana, mut ben) = (reopen(ta.path()), reopen(tb.path()));
    sync_engines(&mut ana, &mut ben);
    assert_eq!(ben.question_today().theirs.map(|t| t.1), Some(mend_engine::questions::Shown::Sealed));
    ben.execute(Command::AnswerQuestion { day: q.day.clone(), question: q.question.clone(), text: "Cooking together".into() }).unwrap();
    sync_engines(&mut ana, &mut ben);
    drop((ana, ben));
    let mut h = window(ta.path(), None);
    ready(&mut h);
    go(&mut h, "Together");
    assert!(shows(&h, "Ben: Cooking together"), "both answers show once both answered");
    assert!(shows(&h, "You: The walk by the river"));
}

#[test]
fn goals_grow_step_by_step_and_are_celebrated_and_time_together_is_planned() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Together");
    assert!(shows(&h, "No goals yet"));
    type_into(&mut h, "A new goal", "Sunday walks");
    click(&mut h, "Set goal");
    idle(&mut h);
    type_into(&mut h, "A small step", "Pick a route");
    click(&mut h, "Add step to: Sunday walks");
    idle(&mut h);
    assert!(shows(&h, "0 of 1 steps done"));
    click(&mut h, "Done: Pick a route");
    idle(&mut h);
    click(&mut h, "Celebrate: Sunday walks");
    idle(&mut h);
    let e = reopen(dir.path());
    let g = e.view().goals.values().next().expect("a goal");
    assert_eq!((g.text.as_str(), g.steps.len(), g.steps_done()), ("Sunday walks", 1, 1));
    assert!(g.celebrated.is_some());

    // An idea from the starter list fills the plan; a time Mend cannot read keeps it.
    h.get_by_label("Ideas").click();
    h.run_ok();
    click_in_view(&mut h, "Plan this: A tech-free evening");
    assert_eq!(h.get_by_label("What").value().as_deref(), Some("A tech-free evening"));
    type_into(&mut h, "When (optional, like 2026-12-12 18:00, 18:30 or +3d)", "someday");
    click(&mut h, "Plan it");
    assert!(h.state().error_of("together.plan").is_some_and(|e| e.contains("could not read that time")));
    replace_text(&mut h, "When (optional, like 2026-12-12 18:00, 18:30 or +3d)", "+3d");
    click(&mut h, "Plan it");
    idle(&mut h);
    let e = reopen(dir.path());
    let plan = e.view().together.values().next().expect("a plan");
    assert_eq!(plan.text, "A tech-free evening");
    assert!(plan.when.is_some());
    click_in_view(&mut h, "We did it: A tech-free evening");
    idle(&mut h);
    assert!(reopen(dir.path()).view().together.values().all(|t| t.done.is_some()));
}

#[test]
fn what_i_heard_is_written_under_the_partner_s_repair_and_answered_by_its_author() {
    let (ta, tb) = couple();
    let (mut ana, mut ben) = (reopen(ta.path()), reopen(tb.path()));
    ben.execute(Command::AddRepair {
        what_happened: "I was late again".into(),
        what_i_did: "I did not call".into(),
        impact: "You worried".into(),
        next_time: "I will call".into(),
    })
    .unwrap();
    sync_engines(&mut ana, &mut ben);
    drop((ana, ben));
    let mut h = window(ta.path(), None);
    ready(&mut h);
    go(&mut h, "Repairs");
    type_into(&mut h, "What I heard (in my own words)", "You felt careless, and you want me to feel safe");
    click(&mut h, "Share what I heard");
    idle(&mut h);
    drop(h);
    let (mut ana, mut ben) = (reopen(ta.path()), reopen(tb.path()));
    sync_engines(&mut ana, &mut ben);
    let repair = ben.view().repairs.keys().next().unwrap().to_string();
    ben.execute(Command::AnswerHeard { about: repair, answer: HeardAnswer::NotQuite, note: Some("More that I forgot you".into()) }).unwrap();
    sync_engines(&mut ana, &mut ben);
    drop((ana, ben));
    let mut h = window(ta.path(), None);
    ready(&mut h);
    go(&mut h, "Repairs");
    assert!(shows(&h, "Ana heard: You felt careless"));
    assert!(shows(&h, "Ben: Not quite: More that I forgot you"));
    // On his own repair, Ben is the one who answers: no "what I heard" form for him there.
    let mut hb = window(tb.path(), None);
    ready(&mut hb);
    go(&mut hb, "Repairs");
    assert!(hb.query_by_label("What I heard (in my own words)").is_none());
}

#[test]
fn a_pause_offers_a_breathing_guide_and_a_time_to_talk() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Pause");
    click(&mut h, "Breathe with me");
    assert!(shows(&h, "Breathe in…") || shows(&h, "Hold…") || shows(&h, "Breathe out…"), "the guide says what to do");
    assert!(shows(&h, "In for 4, hold for 4, out for 6"));
    click(&mut h, "Close the breathing guide");
    assert!(!shows(&h, "In for 4, hold for 4, out for 6"));
    click(&mut h, "I need a pause");
    idle(&mut h);
    type_into(&mut h, "Suggest a time to talk (for example 21:00)", "+2h");
    click(&mut h, "Suggest this time");
    idle(&mut h);
    assert!(shows(&h, "You suggested talking at"));
    let e = reopen(dir.path());
    assert!(e.view().together.values().any(|t| t.kind == mend_engine::core::TogetherKind::Talk && t.when.is_some()));
}

#[test]
fn the_breath_goes_in_holds_and_goes_out() {
    use mend_gui::breath_at;
    assert_eq!(breath_at(0.0).0, "Breathe in");
    assert!(breath_at(3.9).2 > 0.95, "full at the end of the breath in");
    assert_eq!(breath_at(5.0).0, "Hold");
    assert_eq!(breath_at(9.0).0, "Breathe out");
    assert!(breath_at(13.9).2 < 0.05, "empty at the end of the breath out");
    assert_eq!(breath_at(14.0).0, "Breathe in", "and again");
    assert_eq!(breath_at(0.5).1, 4, "seconds left, counted down");
}

#[test]
fn the_love_languages_quiz_fills_the_profile_which_is_saved_as_chosen() {
    use mend_engine::core::decks::quiz::QUIZ;
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Settings");
    h.get_by_label("Not sure? A short quiz").click();
    h.run_ok();
    // Always the choice for physical touch when it is offered, else the first.
    for q in QUIZ {
        let pick = q.choices.iter().find(|c| c.0 == LoveLanguage::Touch).unwrap_or(&q.choices[0]).1;
        let radio = h.query_all(egui_kittest::kittest::by().label(pick).role(Role::RadioButton)).next().expect("a radio for each choice");
        radio.scroll_to_me();
        radio.click();
        h.run_ok();
    }
    click_in_view(&mut h, "Use the suggested order");
    click_in_view(&mut h, "Save profile");
    idle(&mut h);
    let e = reopen(dir.path());
    let me = e.me().partner.clone();
    assert_eq!(e.view().partners[&me].love_languages.first(), Some(&LoveLanguage::Touch));
    assert_eq!(e.view().partners[&me].love_languages.len(), 5);
}

/// Measured at ten years: "For you" laid out every waiting item in every frame (thousands of
/// unacknowledged marks), ~9 ms a frame. The first eight show; the rest wait one click away.
#[test]
fn for_you_shows_the_first_few_and_folds_the_rest() {
    let (ta, tb) = couple();
    let (mut ana, mut ben) = (reopen(ta.path()), reopen(tb.path()));
    for i in 0..11 {
        ben.execute(Command::AddGratitude { text: format!("thank you {i}"), about: None }).unwrap();
    }
    sync_engines(&mut ana, &mut ben);
    drop((ana, ben));
    let mut h = window(ta.path(), None);
    ready(&mut h);
    settle(&mut h, "the lists", |a| a.snapshot().lists.waiting.len() == 11);
    assert_eq!(h.query_all_by_label_contains("Ben thanked you").count(), 8, "eight in full");
    h.get_by_label("3 more").click();
    h.run_ok();
    assert_eq!(h.query_all_by_label_contains("Ben thanked you").count(), 11, "the rest once opened");
}
