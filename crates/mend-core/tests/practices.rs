//! The practices added after the first layout (goals, time together, what I heard, the
//! sealed question of the day): their rules on the writing side, the same rules on the
//! receiving side against a partner's device that writes raw changes, and the second
//! layout change that makes their collections, which two devices must make alike.

mod common;
use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use common::*;
use mend_core::*;

/// The view kept up to date equals the one rebuilt from the saved document.
fn whole(r: &mut Replica) {
    let fresh = r.fresh_view();
    assert_eq!(*r.view(), fresh);
}

fn ana_id() -> PartnerId {
    actor(1, 1).partner
}

fn ben_id() -> PartnerId {
    actor(2, 2).partner
}

fn question() -> &'static str {
    decks::questions::QUESTIONS[0].id
}

#[test]
fn goals_in_small_steps_that_either_partner_adds_and_marks_done() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::AddGoal { id: rid(1), text: "Walk together on Sundays".into() }).unwrap();
    ana.act(T0.plus_ms(1), Action::AddGoalStep { goal: rid(1), id: rid(2), text: "Pick a route".into() }).unwrap();
    ben.merge_from(&mut ana);
    ben.act(T0.plus_ms(2), Action::AddGoalStep { goal: rid(1), id: rid(3), text: "Buy a thermos".into() }).unwrap();
    ben.act(T0.plus_ms(3), Action::DoneGoalStep { goal: rid(1), step: rid(2) }).unwrap();
    // Concurrently, on her side: a step of her own and the same step done.
    ana.act(T0.plus_ms(4), Action::AddGoalStep { goal: rid(1), id: rid(4), text: "Ask about weather".into() }).unwrap();
    ana.act(T0.plus_ms(5), Action::DoneGoalStep { goal: rid(1), step: rid(2) }).unwrap();
    ana.merge_from(&mut ben);
    ben.merge_from(&mut ana);
    assert_eq!(ana.view(), ben.view());
    let g = &ana.view().goals[&rid(1)];
    assert_eq!(g.steps.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["Pick a route", "Buy a thermos", "Ask about weather"]);
    assert_eq!(g.steps[1].author, ben_id());
    assert_eq!(g.steps_done(), 1);
    ana.act(T0.plus_ms(6), Action::CelebrateGoal { id: rid(1) }).unwrap();
    assert_eq!(ana.view().goals[&rid(1)].celebrated.as_ref().map(|d| &d.by), Some(&ana_id()));
    // Doing it twice writes nothing.
    assert_eq!(ana.act(T0.plus_ms(7), Action::CelebrateGoal { id: rid(1) }).unwrap().change, None);
    assert!(matches!(ana.act(T0, Action::AddGoal { id: rid(9), text: "  ".into() }), Err(CoreError::EmptyText { .. })));
    assert!(matches!(ana.act(T0, Action::AddGoalStep { goal: rid(77), id: rid(9), text: "x".into() }), Err(CoreError::UnknownId { .. })));
    whole(&mut ana);
}

#[test]
fn a_step_marked_done_in_her_name_by_his_device_does_not_count() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::AddGoal { id: rid(1), text: "Cook on Fridays".into() }).unwrap();
    ana.act(T0.plus_ms(1), Action::AddGoalStep { goal: rid(1), id: rid(2), text: "Find a recipe".into() }).unwrap();
    ben.merge_from(&mut ana);
    let her = ana_id().to_string();
    forge(&mut ben, |d| {
        let s = at(d, &["goals", &rid(1).to_string(), "steps", &rid(2).to_string()]);
        d.put(&s, "done_at", T0.0 + 5).unwrap();
        d.put(&s, "done_by", her.as_str()).unwrap();
        // And a step of his, written as hers.
        let steps = at(d, &["goals", &rid(1).to_string(), "steps"]);
        let s = d.put_object(&steps, rid(3).to_string(), automerge::ObjType::Map).unwrap();
        d.put(&s, "text", "FORGED").unwrap();
        d.put(&s, "author", her.as_str()).unwrap();
        d.put(&s, "at", T0.0 + 6).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let g = &ana.view().goals[&rid(1)];
    assert_eq!(g.steps.len(), 1, "the step written in her name is not shown: {g:?}");
    assert!(g.steps[0].done.is_none());
    let found = doubts(ana.view());
    assert!(
        found.contains(&(ben.me.device.clone(), Broke::ActedFor { partner: ana_id(), what: "marked a step of a goal done".into() })),
        "{found:?}"
    );
    assert!(found.contains(&(ben.me.device.clone(), Broke::WroteAs { partner: ana_id(), kind: "step of a goal".into() })), "{found:?}");
    whole(&mut ana);
}

#[test]
fn time_together_plans_ideas_and_plans_marked_done() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::AddIdea { id: rid(1), text: "A tech-free evening".into() }).unwrap();
    ana.act(T0, Action::PlanTogether { id: rid(2), text: "Dinner at the lake".into(), when: Some(T0.plus_ms(Timestamp::DAY)) }).unwrap();
    ben.merge_from(&mut ana);
    ben.act(T0.plus_ms(2 * Timestamp::DAY), Action::DoneTogether { id: rid(2) }).unwrap();
    assert!(matches!(ben.act(T0, Action::DoneTogether { id: rid(1) }), Err(CoreError::NotAllowed(_))));
    ana.merge_from(&mut ben);
    let v = ana.view();
    assert_eq!(v.together[&rid(1)].kind, TogetherKind::Idea);
    assert_eq!(v.together[&rid(2)].when, Some(T0.plus_ms(Timestamp::DAY)));
    assert_eq!(v.together[&rid(2)].done.as_ref().map(|d| &d.by), Some(&ben_id()));
    // His device moving her plan to another time does not count: the time is hers.
    forge(&mut ben, |d| {
        let p = at(d, &["together", &rid(2).to_string()]);
        d.put(&p, "when", 7i64).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    assert_eq!(ana.view().together[&rid(2)].when, Some(T0.plus_ms(Timestamp::DAY)));
    whole(&mut ana);
}

#[test]
fn what_i_heard_is_for_the_other_partner_s_words_and_answered_by_their_author() {
    let (mut ana, mut ben) = couple();
    ben.act(
        T0,
        Action::AddRepair {
            id: rid(1),
            what_happened: "I was late".into(),
            what_i_did: "I forgot".into(),
            impact: "You waited".into(),
            next_time: "Alarm".into(),
        },
    )
    .unwrap();
    ana.merge_from(&mut ben);
    assert!(matches!(ben.act(T0, Action::WriteHeard { id: rid(2), about: rid(1), text: "x".into() }), Err(CoreError::NotAllowed(_))));
    ana.act(T0.plus_ms(1), Action::WriteHeard { id: rid(2), about: rid(1), text: "You felt you let me down".into() }).unwrap();
    assert!(matches!(ana.act(T0, Action::AnswerHeard { id: rid(2), answer: HeardAnswer::Yes, note: None }), Err(CoreError::NotAllowed(_))));
    ben.merge_from(&mut ana);
    ben.act(T0.plus_ms(2), Action::AnswerHeard { id: rid(2), answer: HeardAnswer::NotQuite, note: Some("More that I was careless".into()) }).unwrap();
    ana.merge_from(&mut ben);
    let on = ana.view().heard_on(&rid(1));
    assert_eq!(on.len(), 1);
    let reply = on[0].answer.as_ref().unwrap();
    assert_eq!((reply.answer, reply.note.as_deref()), (HeardAnswer::NotQuite, Some("More that I was careless")));
    // A check-in without a shared answer has nothing to reflect.
    ben.act(T0, Action::AddCheckIn { id: rid(5), kind: CheckInKind::Daily, prompt: None, connection: 3, trust: 3, heard: 3, note: None }).unwrap();
    ana.merge_from(&mut ben);
    assert!(matches!(ana.act(T0, Action::WriteHeard { id: rid(6), about: rid(5), text: "x".into() }), Err(CoreError::NotAllowed(_))));

    // Her device answering, for him, her own reflection of his words: not counted; his
    // own answer stands.
    forge(&mut ana, |d| {
        let h = at(d, &["heard", &rid(2).to_string()]);
        d.put(&h, "answer", "yes").unwrap();
    });
    ben.sync_from(&mut ana).unwrap();
    assert_eq!(ben.view().heard[&rid(2)].answer.as_ref().map(|a| a.answer), Some(HeardAnswer::NotQuite));
    assert!(doubts(ben.view()).contains(&(ana.me.device.clone(), Broke::ActedFor { partner: ben_id(), what: "answered a reflection".into() })));
    whole(&mut ben);
}

#[test]
fn a_reflection_that_names_the_wrong_author_is_not_shown_on_the_record() {
    let (mut ana, mut ben) = couple();
    ben.act(T0, Action::AddRepair { id: rid(1), what_happened: "a".into(), what_i_did: "b".into(), impact: "c".into(), next_time: "d".into() })
        .unwrap();
    ana.merge_from(&mut ben);
    let her = ana_id().to_string();
    let his = ben_id().to_string();
    // His device writes a reflection "to" her on his own repair, in his name.
    forge(&mut ben, |d| {
        schema::with_practices(d).unwrap();
        let coll = at(d, &["heard"]);
        let h = d.put_object(&coll, rid(2).to_string(), automerge::ObjType::Map).unwrap();
        for (k, v) in
            [("about", rid(1).to_string()), ("about_kind", "repair".into()), ("to", her.clone()), ("text", "FORGED".into()), ("author", his.clone())]
        {
            d.put(&h, k, v).unwrap();
        }
        d.put(&h, "at", T0.0).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    assert!(ana.view().heard_on(&rid(1)).is_empty());
}

/// Bytes standing in for a sealed answer: the engine seals; the core only keeps them.
fn sealed(tag: u8) -> Vec<u8> {
    vec![tag; 64]
}

#[test]
fn answers_to_the_question_are_each_partner_s_own_and_only_they_publish_the_key() {
    let (mut ana, mut ben) = couple();
    let day = "2026-12-07";
    ana.act(T0, Action::AnswerQuestion { day: day.into(), question: question().into(), sealed: sealed(1) }).unwrap();
    // Both answer while apart: two records, nothing hidden.
    ben.act(T0, Action::AnswerQuestion { day: day.into(), question: question().into(), sealed: sealed(2) }).unwrap();
    ana.merge_from(&mut ben);
    ben.merge_from(&mut ana);
    assert_eq!(ana.view().answers_to(day, question()).len(), 2);
    assert!(matches!(
        ana.act(T0, Action::AnswerQuestion { day: day.into(), question: question().into(), sealed: sealed(3) }),
        Err(CoreError::NotAllowed(_))
    ));
    assert!(ana.act(T0, Action::AnswerQuestion { day: "7 dec".into(), question: question().into(), sealed: sealed(3) }).is_err());
    assert!(matches!(
        ana.act(T0, Action::AnswerQuestion { day: day.into(), question: "no-such-question".into(), sealed: sealed(3) }),
        Err(CoreError::UnknownId { .. })
    ));
    let his_id = RecordId::from_key(&answer_key(day, question(), &ben_id()));
    let her_id = RecordId::from_key(&answer_key(day, question(), &ana_id()));
    assert!(matches!(ana.act(T0, Action::OpenAnswer { id: his_id.clone(), key: vec![0; 32] }), Err(CoreError::NotYours(_))));
    ana.act(T0, Action::OpenAnswer { id: her_id.clone(), key: vec![9; 32] }).unwrap();
    ben.merge_from(&mut ana);
    assert_eq!(ben.view().answers[&her_id].key.as_deref(), Some(&[9u8; 32][..]));

    // Her device publishing a key for his answer, or rewriting his sealed words: neither counts.
    forge(&mut ana, |d| {
        let a = at(d, &["answers", his_id.as_str()]);
        d.put(&a, "key", automerge::ScalarValue::Bytes(vec![1; 32])).unwrap();
    });
    ben.sync_from(&mut ana).unwrap();
    assert_eq!(ben.view().answers[&his_id].key, None);
    forge(&mut ana, |d| {
        let a = at(d, &["answers", his_id.as_str()]);
        d.put(&a, "sealed", automerge::ScalarValue::Bytes(vec![5; 64])).unwrap();
    });
    ben.sync_from(&mut ana).unwrap();
    assert!(!ben.view().answers.contains_key(&his_id), "sealed words written over are not his answer");
    whole(&mut ben);
}

#[test]
fn the_practices_layout_is_made_once_and_alike_by_two_devices_that_both_made_it() {
    // Each partner's device makes the new collections on its own before they ever sync:
    // nothing either wrote is hidden after they do.
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::AddGoal { id: rid(1), text: "hers".into() }).unwrap();
    ben.act(T0, Action::AddGoal { id: rid(2), text: "his".into() }).unwrap();
    ana.sync_from(&mut ben).unwrap();
    ben.sync_from(&mut ana).unwrap();
    assert_eq!(ana.view().goals.len(), 2);
    assert_eq!(ana.view(), ben.view());
    whole(&mut ana);
    // A device that never wrote one receives them all, and its view follows.
    let mut third = Replica::new(actor(1, 3), "Ana");
    third.merge_from(&mut ana);
    assert_eq!(third.view().goals.len(), 2);
    whole(&mut third);
}

#[test]
fn a_space_that_never_used_the_practices_stays_as_older_mend_wrote_it() {
    let (mut ana, _ben) = couple();
    ana.act(T0, Action::AddGratitude { id: rid(1), text: "thanks".into(), about: None }).unwrap();
    assert!(ana.doc.doc().get(ROOT, "goals").unwrap().is_none());
    assert!(ana.doc.doc().get_change_by_hash(&schema::practices_hash()).is_none());
}

#[test]
fn a_reflection_and_the_partner_s_answer_to_the_question_wait_for_me_and_never_the_reverse() {
    let (mut ana, mut ben) = couple();
    let now = T0.plus_ms(10);
    ben.act(T0, Action::AddRepair { id: rid(1), what_happened: "a".into(), what_i_did: "b".into(), impact: "c".into(), next_time: "d".into() })
        .unwrap();
    ana.merge_from(&mut ben);
    ana.act(T0, Action::WriteHeard { id: rid(2), about: rid(1), text: "I heard you".into() }).unwrap();
    ana.act(T0, Action::AnswerQuestion { day: "2026-12-07".into(), question: question().into(), sealed: sealed(1) }).unwrap();
    ben.merge_from(&mut ana);
    let kinds = |v: &View, me: &PartnerId| waiting_for(v, me, now, now).into_iter().map(|w| w.kind).collect::<Vec<_>>();
    // Ben: a reflection on his repair waits, and Ana's answer to today's question.
    assert_eq!(kinds(ben.view(), &ben_id()), [WaitingKind::Heard, WaitingKind::Question]);
    // Ana: nothing of hers waits on Ben (her repair-answer aside): no "Ben has not answered".
    assert!(!kinds(ana.view(), &ana_id()).contains(&WaitingKind::Question));
    assert!(!kinds(ana.view(), &ana_id()).contains(&WaitingKind::Heard));
    ben.act(now, Action::AnswerHeard { id: rid(2), answer: HeardAnswer::Yes, note: None }).unwrap();
    ben.act(now, Action::AnswerQuestion { day: "2026-12-07".into(), question: question().into(), sealed: sealed(2) }).unwrap();
    assert!(kinds(ben.view(), &ben_id()).is_empty(), "answered is gone");
    // A day and a half later, an unanswered question no longer waits.
    let mut carl = Replica::new(actor(3, 3), "Carl");
    carl.merge_from(&mut ana);
    let later = T0.plus_ms(37 * Timestamp::HOUR);
    assert!(!waiting_for(carl.view(), &actor(3, 3).partner, later, later).iter().any(|w| w.kind == WaitingKind::Question));
}
