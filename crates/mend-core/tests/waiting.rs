//! Whose turn it is, on real documents merged between two replicas.

mod common;
use common::*;
use mend_core::waiting::{THANKS_NEW_FOR, thanks_seen};
use mend_core::*;

fn kinds(w: &[Waiting]) -> Vec<WaitingKind> {
    w.iter().map(|w| w.kind).collect()
}

#[test]
fn what_the_partner_did_waits_for_me_in_order_and_leaves_once_answered() {
    let (mut a, mut b) = couple();
    let ben = b.me.partner.clone();
    let ana = a.me.partner.clone();
    let t = T0.plus_ms(Timestamp::HOUR);
    // Ben: a repair, a proposal, a promise he marks missed, a note of thanks, then a pause.
    b.act(t, Action::AddRepair { id: rid(1), what_happened: "w".into(), what_i_did: "x".into(), impact: "y".into(), next_time: "z".into() }).unwrap();
    b.act(t, Action::ProposeAgreement { id: rid(2), revision: rid(3), category: Category::Time, text: "Fridays".into() }).unwrap();
    b.act(t, Action::MakePromise { id: rid(4), text: "call at lunch".into(), due: Some(t), repeat: Repeat::None, from_repair: None }).unwrap();
    b.act(t.plus_ms(1), Action::MissPromise { id: rid(4) }).unwrap();
    b.act(t.plus_ms(2), Action::AddGratitude { id: rid(5), text: "for the tea".into(), about: None }).unwrap();
    b.act(t.plus_ms(3), Action::StartPause { minutes: 30, note: None }).unwrap();
    a.merge_from(&mut b);

    let now = t.plus_ms(10 * Timestamp::MINUTE);
    let w = waiting_for(a.view(), &ana, now, thanks_seen(None, now));
    assert_eq!(kinds(&w), [WaitingKind::Pause, WaitingKind::Repair, WaitingKind::Agreement, WaitingKind::Acknowledge, WaitingKind::Thanks]);
    assert!(w.iter().all(|w| w.from.as_ref() == Some(&ben)), "all from Ben: {w:?}");
    assert_eq!(w[0].until, Some(t.plus_ms(3 + 30 * Timestamp::MINUTE)), "the pause says when it ends");
    assert_eq!(w[1].record, Some(rid(1)));
    // Nothing of Ben's own waits for Ben.
    assert_eq!(waiting_for(b.view(), &ben, now, thanks_seen(None, now)), vec![], "what I did never waits for me");

    // Ana answers each; each leaves the list.
    a.act(now, Action::RespondRepair { id: rid(1), response: RepairResponse::ReadyToTalk }).unwrap();
    a.act(now, Action::AcceptAgreement { id: rid(2) }).unwrap();
    a.act(now, Action::AcknowledgePromise { id: rid(4) }).unwrap();
    let w = waiting_for(a.view(), &ana, now, now);
    assert_eq!(kinds(&w), [WaitingKind::Pause], "answered is gone; thanks seen now are not new");
    // The pause ends by itself.
    assert_eq!(waiting_for(a.view(), &ana, t.plus_ms(31 * Timestamp::MINUTE), now), vec![]);
}

#[test]
fn a_review_waits_for_both_once_agreed_and_due() {
    let (mut a, mut b) = couple();
    a.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Time, text: "Sundays".into() }).unwrap();
    b.merge_from(&mut a);
    b.act(T0, Action::AcceptAgreement { id: rid(1) }).unwrap();
    b.act(T0, Action::ScheduleReview { id: rid(1), at: Some(T0.plus_ms(Timestamp::DAY)) }).unwrap();
    a.merge_from(&mut b);
    for r in [&a, &b] {
        assert_eq!(waiting_for(r.view(), &r.me.partner, T0, T0), vec![], "not due yet");
        let w = waiting_for(r.view(), &r.me.partner, T0.plus_ms(Timestamp::DAY), T0);
        assert_eq!(kinds(&w), [WaitingKind::Review]);
        assert_eq!(w[0].from, None, "a review is the two partners' together");
    }
}

#[test]
fn thanks_are_new_for_a_week_at_most_and_until_seen() {
    let now = T0.plus_ms(30 * Timestamp::DAY);
    assert_eq!(thanks_seen(None, now), now.plus_ms(-THANKS_NEW_FOR));
    assert_eq!(thanks_seen(Some(T0), now), now.plus_ms(-THANKS_NEW_FOR), "seen a month ago: only last week is new");
    let yesterday = now.plus_ms(-Timestamp::DAY);
    assert_eq!(thanks_seen(Some(yesterday), now), yesterday);
}

/// Measured at ten years: every promise mark never acknowledged waited forever, so "For
/// you" held thousands of items and Today took ~9 ms a frame. A mark is something to
/// acknowledge for two weeks; after that it is history.
#[test]
fn a_promise_mark_waits_for_acknowledgement_two_weeks_not_forever() {
    let (mut a, mut b) = couple();
    let ana = a.me.partner.clone();
    let t = T0.plus_ms(Timestamp::HOUR);
    b.act(t, Action::MakePromise { id: rid(4), text: "call at lunch".into(), due: Some(t), repeat: Repeat::None, from_repair: None }).unwrap();
    b.act(t.plus_ms(1), Action::KeepPromise { id: rid(4) }).unwrap();
    a.merge_from(&mut b);
    let at = |days: i64| t.plus_ms(days * Timestamp::DAY);
    assert_eq!(kinds(&waiting_for(a.view(), &ana, at(13), at(13))), [WaitingKind::Acknowledge]);
    assert_eq!(kinds(&waiting_for(a.view(), &ana, at(15), at(15))), [], "two weeks on, it no longer waits");
}
