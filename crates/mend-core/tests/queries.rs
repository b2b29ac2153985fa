//! The shared queries, on real documents: what the window, the CLI and the exports show.

mod common;
use common::*;
use mend_core::queries::{agreement_groups, due_by};
use mend_core::stats::{KEEP_RATE_WINDOWS, keep_rates};
use mend_core::*;

fn propose(r: &mut Replica, id: u128, text: &str) -> RecordId {
    r.act(T0, Action::ProposeAgreement { id: rid(id), revision: rid(id + 1000), category: Category::Time, text: text.into() })
        .unwrap()
        .created
        .unwrap()
}

#[test]
fn agreements_are_grouped_by_whose_turn_it_is_and_reviews_only_once_agreed() {
    let (mut a, mut b) = couple();
    let mine = propose(&mut a, 10, "Date night on Fridays");
    let agreed = propose(&mut a, 20, "Phones away at dinner");
    let review_while_proposed = propose(&mut a, 30, "Walk together on Sundays");
    let withdrawn = propose(&mut a, 40, "Separate hobbies night");
    a.act(T0, Action::ArchiveAgreement { id: withdrawn.clone() }).unwrap();
    let theirs = propose(&mut b, 50, "Call when late");
    b.merge_from(&mut a);
    b.act(T0, Action::AcceptAgreement { id: agreed.clone() }).unwrap();
    a.merge_from(&mut b);
    a.act(T0, Action::ScheduleReview { id: agreed.clone(), at: Some(T0.plus_ms(10)) }).unwrap();
    a.act(T0, Action::ScheduleReview { id: review_while_proposed.clone(), at: Some(T0.plus_ms(10)) }).unwrap();

    let me = a.me.partner.clone();
    let before_review = agreement_groups(a.view(), &me, T0);
    assert_eq!(
        before_review,
        vec![
            (AgreementGroup::WaitingForYou, vec![theirs.clone()]),
            (AgreementGroup::Agreed, vec![agreed.clone()]),
            (AgreementGroup::WaitingForPartner, vec![mine.clone(), review_while_proposed.clone()]),
            (AgreementGroup::Withdrawn, vec![withdrawn.clone()]),
        ]
    );
    let at_review = agreement_groups(a.view(), &me, T0.plus_ms(10));
    assert_eq!(at_review[1], (AgreementGroup::UpForReview, vec![agreed]));
    assert_eq!(at_review[2], (AgreementGroup::WaitingForPartner, vec![mine, review_while_proposed]), "a proposal is not up for review");
    assert_eq!(agreement_groups(b.view(), &b.me.partner, T0)[0].0, AgreementGroup::WaitingForYou, "Ben sees Ana's proposals waiting");
}

#[test]
fn due_by_lists_open_promises_due_by_then_soonest_first_overdue_included() {
    let (mut a, _) = couple();
    let make = |a: &mut Replica, n: u128, due: Option<Timestamp>| {
        a.act(T0, Action::MakePromise { id: rid(n), text: format!("promise {n}"), due, repeat: Repeat::None, from_repair: None }).unwrap();
        rid(n)
    };
    let later = make(&mut a, 1, Some(T0.plus_ms(5 * Timestamp::HOUR)));
    let overdue = make(&mut a, 2, Some(T0.plus_ms(-Timestamp::HOUR)));
    make(&mut a, 3, Some(T0.plus_ms(2 * Timestamp::DAY)));
    make(&mut a, 4, None);
    let kept = make(&mut a, 5, Some(T0));
    a.act(T0, Action::KeepPromise { id: kept }).unwrap();
    let ids: Vec<RecordId> = due_by(a.view(), T0.plus_ms(Timestamp::DAY)).iter().map(|p| p.id.clone()).collect();
    assert_eq!(ids, vec![overdue, later]);
}

#[test]
fn keep_rates_cover_each_window_in_order() {
    let (mut a, _) = couple();
    let now = T0.plus_ms(60 * Timestamp::DAY);
    for (n, days_ago, keep) in [(1u128, 1, true), (2, 20, false), (3, 50, true)] {
        let at = now.plus_ms(-days_ago * Timestamp::DAY);
        a.act(at, Action::MakePromise { id: rid(n), text: "call".into(), due: None, repeat: Repeat::None, from_repair: None }).unwrap();
        a.act(at, if keep { Action::KeepPromise { id: rid(n) } } else { Action::MissPromise { id: rid(n) } }).unwrap();
    }
    let rates = keep_rates(a.view(), &a.me.partner, now);
    assert_eq!(rates.map(|r| r.days), KEEP_RATE_WINDOWS);
    assert_eq!(rates.map(|r| (r.kept, r.missed)), [(1, 0), (1, 1), (2, 1)]);
}

#[test]
fn promise_state_is_settled_due_or_open() {
    let (mut a, _) = couple();
    a.act(T0, Action::MakePromise { id: rid(1), text: "call".into(), due: Some(T0.plus_ms(10)), repeat: Repeat::None, from_repair: None }).unwrap();
    let p = |a: &Replica| a.view().promises[&rid(1)].clone();
    assert_eq!(p(&a).state(T0).as_str(), "open");
    assert_eq!(p(&a).state(T0.plus_ms(10)).as_str(), "due");
    a.act(T0, Action::KeepPromise { id: rid(1) }).unwrap();
    assert_eq!(p(&a).state(T0.plus_ms(10)).as_str(), "settled");
}
