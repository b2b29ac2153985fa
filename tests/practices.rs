//! Issue 15's practices between two real `mend` processes that sync over loopback: goals in
//! small steps, time together, "what I heard", the love-languages quiz. Each is in
//! `show --json`, the export and `history` on both sides. (The sealed question of the day is
//! in tests/privacy.rs, where its words are searched for on the wire and on disk.)

mod util;
use util::*;

/// Ben fetches what Ana has, and Ana what Ben has.
fn exchange(a: &Device, b: &Device) {
    let sa = a.serve();
    b.local_ok(&["sync", "--once", "--timeout", "20"]);
    drop(sa);
}

#[test]
fn goals_in_small_steps_reach_the_partner_and_either_can_mark_them_done() {
    let (a, b) = paired_couple();
    let goal = a.create(&["goal", "add", "--text", "Walk together on Sundays"]);
    let step = a.create(&["goal", "step", &goal, "--text", "Pick a route"]);
    exchange(&a, &b);
    let his = b.create(&["goal", "step", &goal[..13], "--text", "Buy a thermos"]);
    b.ok(&["goal", "done", &step]);
    exchange(&a, &b);
    a.ok(&["goal", "done", &his]);
    a.ok(&["goal", "celebrate", &goal]);
    exchange(&a, &b);
    for d in [&a, &b] {
        let g = &d.show()["goals"][0];
        assert_eq!(g["text"], "Walk together on Sundays");
        let steps = g["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert!(steps.iter().all(|s| !s["done"].is_null()), "{g}");
        assert!(!g["celebrated"].is_null());
        assert!(d.ok(&["goal", "list"]).contains("celebrated"));
        assert!(d.ok(&["history"]).contains("celebrated the goal \"Walk together on Sundays\""));
    }
    assert_ne!(a.show()["goals"][0]["steps"][0]["done"]["by"], a.show()["goals"][0]["steps"][1]["done"]["by"], "each marked one");
    refused(&a, &["goal", "step", "nope", "--text", "x"], "no goal matches");
    refused(&a, &["goal", "add", "--text", " "], "");
}

#[test]
fn time_together_plans_and_ideas_are_shared_and_marked_done() {
    let (a, b) = paired_couple();
    let plan = a.create(&["together", "plan", "--text", "Dinner by the lake", "--when", "2030-06-01 19:00"]);
    a.create(&["together", "idea", "--text", "A tech-free evening"]);
    exchange(&a, &b);
    b.ok(&["together", "done", &plan]);
    exchange(&a, &b);
    let t = a.show()["together"].clone();
    let p = t.as_array().unwrap().iter().find(|x| x["id"] == plan.as_str()).unwrap();
    assert_eq!(p["kind"], "plan");
    assert!(!p["done"].is_null(), "{t}");
    let listed = b.ok(&["together", "list"]);
    assert!(listed.contains("Dinner by the lake") && listed.contains("(done)") && listed.contains("A tech-free evening"), "{listed}");
    assert!(listed.contains("Ideas to start from"), "a starter list to pick from");
    let idea = t.as_array().unwrap().iter().find(|x| x["kind"] == "idea").unwrap()["id"].as_str().unwrap().to_owned();
    refused(&b, &["together", "done", &idea], "plan it first");
}

#[test]
fn what_i_heard_goes_back_to_the_one_who_wrote_and_they_say_if_it_was_it() {
    let (a, b) = paired_couple();
    let repair = b.create(&[
        "repair",
        "add",
        "--what-happened",
        "I came home late without calling",
        "--what-i-did",
        "I forgot to call",
        "--impact",
        "You worried all evening",
        "--next-time",
        "I will call before six",
    ]);
    exchange(&a, &b);
    refused(&b, &["heard", "write", &repair, "--text", "x"], "your partner's words");
    a.create(&["heard", "write", &repair, "--text", "You felt you let me down, and you want me to feel safe"]);
    exchange(&a, &b);
    b.ok(&["heard", "confirm", &repair, "--not-quite", "More that I was careless with your evening"]);
    exchange(&a, &b);
    let h = &a.show()["heard"][0];
    assert_eq!(h["answer"]["answer"], "not-quite", "{h}");
    assert_eq!(h["answer"]["note"], "More that I was careless with your evening");
    let out = tempfile::tempdir().unwrap();
    let md = out.path().join("space.md");
    b.ok(&["export", "--format", "markdown", "--out", md.to_str().unwrap()]);
    let md = std::fs::read_to_string(md).unwrap();
    assert!(md.contains("## What we heard") && md.contains("said not quite: More that I was careless"), "{md}");
    assert!(a.ok(&["history"]).contains("answered what their partner heard"));
    refused(&a, &["heard", "confirm", &repair], "no reflection matches");
}

#[test]
fn the_love_languages_quiz_suggests_an_order_the_partner_then_sees() {
    let (a, b) = paired_couple();
    // Always choosing quality time when it is offered: it comes first.
    let answers: String = mend_engine::core::decks::quiz::QUIZ
        .iter()
        .map(|q| if q.choices[1].0 == mend_engine::core::LoveLanguage::Time { '2' } else { '1' })
        .collect();
    let printed = a.ok(&["profile", "quiz", "--answers", &answers, "--save"]);
    assert!(printed.starts_with("quality-time,"), "{printed}");
    exchange(&a, &b);
    let partners = b.show()["partners"].clone();
    let ana = partners.as_array().unwrap().iter().find(|p| p["name"] == "Ana").unwrap();
    assert_eq!(ana["love_languages"][0], "quality-time", "{ana}");
    assert_eq!(ana["love_languages"].as_array().unwrap().len(), 5);
    refused(&a, &["profile", "quiz", "--answers", "12"], "give one 1 or 2 for each");
    refused(&a, &["profile", "quiz"], "--answers");
}

#[test]
fn during_a_pause_either_can_suggest_a_time_to_talk_and_both_see_it() {
    let (a, b) = paired_couple();
    a.ok(&["pause", "start", "--minutes", "30", "--note", "need a walk"]);
    exchange(&a, &b);
    b.create(&["pause", "talk", "--at", "+2h"]);
    exchange(&a, &b);
    let status = a.ok(&["pause", "status"]);
    assert!(status.contains("Ana is pausing until") && status.contains("Ben suggested talking at"), "{status}");
    assert!(a.ok(&["history"]).contains("suggested a time to talk"));
    refused(&b, &["pause", "talk", "--at", "whenever"], "not a time Mend understands");
}
