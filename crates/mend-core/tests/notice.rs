//! Which news becomes a notification, on real documents merged between two replicas: told
//! once, never while the window shows it, never for a kind turned off, held through quiet
//! hours, never a heap of old news.

mod common;
use common::*;
use mend_core::notice::*;
use mend_core::*;
use std::collections::BTreeSet;

const DAYTIME: Moment = Moment { minute: 14 * 60, in_view: false };

fn kinds(n: &[Notice]) -> Vec<NoticeKind> {
    n.iter().map(|n| n.kind).collect()
}

fn repair(id: u128) -> Action {
    Action::AddRepair { id: rid(id), what_happened: "w".into(), what_i_did: "x".into(), impact: "y".into(), next_time: "z".into() }
}

#[test]
fn each_piece_of_news_is_told_once_and_a_new_one_is_told_again() {
    let (mut a, mut b) = couple();
    let ana = a.me.partner.clone();
    let settings = NoticeSettings::default();
    let t = T0.plus_ms(Timestamp::HOUR);
    // The first decision ever: nothing waits yet, so nothing is told.
    let first = decide(news(a.view(), &ana, t, t), None, &settings, DAYTIME);
    assert!(first.post.is_empty() && first.told.is_empty());

    b.act(t, repair(1)).unwrap();
    b.act(t, Action::ProposeAgreement { id: rid(2), revision: rid(3), category: Category::Time, text: "Fridays".into() }).unwrap();
    b.act(t.plus_ms(1), Action::AddGratitude { id: rid(5), text: "for the tea".into(), about: None }).unwrap();
    b.act(t.plus_ms(2), Action::StartPause { minutes: 30, note: None }).unwrap();
    a.merge_from(&mut b);
    let now = t.plus_ms(Timestamp::MINUTE);
    let d = decide(news(a.view(), &ana, now, t), Some(&first.told), &settings, DAYTIME);
    assert_eq!(kinds(&d.post), [NoticeKind::Pause, NoticeKind::Repair, NoticeKind::Agreement, NoticeKind::Thanks]);
    assert_eq!(d.post[0].until, Some(t.plus_ms(2 + 30 * Timestamp::MINUTE)), "the pause says until when");
    assert!(d.post.iter().all(|n| n.from.as_ref() == Some(&b.me.partner)));

    // The same news again (the next change, a restart): nothing more.
    let again = decide(news(a.view(), &ana, now, t), Some(&d.told), &settings, DAYTIME);
    assert!(again.post.is_empty(), "{:?}", again.post);
    assert_eq!(again.told, d.told);

    // New words for the same agreement are news; the answered repair leaves the list.
    b.act(now, Action::ReviseAgreement { id: rid(2), revision: rid(4), text: "Fridays, after dinner".into() }).unwrap();
    a.merge_from(&mut b);
    a.act(now.plus_ms(5), Action::RespondRepair { id: rid(1), response: RepairResponse::Received }).unwrap();
    let later = now.plus_ms(Timestamp::MINUTE);
    let d2 = decide(news(a.view(), &ana, later, t), Some(&again.told), &settings, DAYTIME);
    assert_eq!(kinds(&d2.post), [NoticeKind::Agreement]);
    assert!(!d2.told.iter().any(|k| k.starts_with("repair:")), "what no longer waits is forgotten: {:?}", d2.told);
}

#[test]
fn an_answer_to_my_repair_is_news_for_me_and_nothing_of_mine_is() {
    let (mut a, mut b) = couple();
    let ana = a.me.partner.clone();
    a.act(T0, repair(1)).unwrap();
    a.act(T0, Action::AddGratitude { id: rid(2), text: "mine".into(), about: None }).unwrap();
    b.merge_from(&mut a);
    let told = Some(BTreeSet::new());
    assert!(news(a.view(), &ana, T0, T0).is_empty(), "what I wrote is never news to me");
    b.act(T0.plus_ms(10), Action::RespondRepair { id: rid(1), response: RepairResponse::Forgiven }).unwrap();
    a.merge_from(&mut b);
    let d = decide(news(a.view(), &ana, T0.plus_ms(20), T0), told.as_ref(), &NoticeSettings::default(), DAYTIME);
    assert_eq!(kinds(&d.post), [NoticeKind::Answered]);
    assert_eq!(d.post[0].from.as_ref(), Some(&b.me.partner));
    // A week later it is old news: not told to a device that was away all that time.
    let late = T0.plus_ms(8 * Timestamp::DAY);
    assert!(news(a.view(), &ana, late, T0).is_empty());
}

#[test]
fn nothing_is_told_for_a_kind_turned_off_or_while_the_window_shows_it_even_later() {
    let (mut a, mut b) = couple();
    let ana = a.me.partner.clone();
    b.act(T0, repair(1)).unwrap();
    b.act(T0, Action::AddGratitude { id: rid(2), text: "thanks".into(), about: None }).unwrap();
    a.merge_from(&mut b);
    let empty = BTreeSet::new();
    let off = NoticeSettings { off: [NoticeKind::Repair].into(), ..Default::default() };
    let d = decide(news(a.view(), &ana, T0, T0.plus_ms(-1)), Some(&empty), &off, DAYTIME);
    assert_eq!(kinds(&d.post), [NoticeKind::Thanks]);
    // Turned on again: the repair that came while it was off is not told late.
    let d2 = decide(news(a.view(), &ana, T0, T0.plus_ms(-1)), Some(&d.told), &NoticeSettings::default(), DAYTIME);
    assert!(d2.post.is_empty(), "{:?}", d2.post);

    let in_view = Moment { in_view: true, ..DAYTIME };
    let d3 = decide(news(a.view(), &ana, T0, T0.plus_ms(-1)), Some(&empty), &NoticeSettings::default(), in_view);
    assert!(d3.post.is_empty() && d3.told.len() == 2, "seen in the window counts as told: {d3:?}");
}

#[test]
fn news_in_quiet_hours_waits_for_their_end_and_is_told_then_if_it_still_waits() {
    let (mut a, mut b) = couple();
    let ana = a.me.partner.clone();
    b.act(T0, repair(1)).unwrap();
    a.merge_from(&mut b);
    let quiet = NoticeSettings { quiet: QuietHours::parse("22:00 - 07:30"), ..Default::default() };
    let empty = BTreeSet::new();
    let night = Moment { minute: 23 * 60, in_view: false };
    let d = decide(news(a.view(), &ana, T0, T0), Some(&empty), &quiet, night);
    assert!(d.post.is_empty() && d.told.is_empty());
    assert_eq!(d.again_in_minutes, Some(8 * 60 + 30), "decide again when quiet hours end");
    let morning = Moment { minute: 7 * 60 + 30, in_view: false };
    let d2 = decide(news(a.view(), &ana, T0, T0), Some(&d.told), &quiet, morning);
    assert_eq!(kinds(&d2.post), [NoticeKind::Repair]);
    assert_eq!(d2.again_in_minutes, None);
}

#[test]
fn quiet_hours_read_as_people_write_them() {
    let q = QuietHours::parse("22:00-07:00").unwrap();
    assert_eq!((q.from, q.until), (22 * 60, 7 * 60));
    assert!(q.contains(23 * 60) && q.contains(0) && q.contains(6 * 60 + 59) && !q.contains(7 * 60) && !q.contains(12 * 60));
    assert_eq!(q.minutes_left(6 * 60), 60);
    assert_eq!(q.to_string(), "22:00-07:00");
    let day = QuietHours::parse("9:15-17:00").unwrap();
    assert!(day.contains(12 * 60) && !day.contains(8 * 60) && !day.contains(17 * 60));
    assert_eq!(day.minutes_left(17 * 60 - 1), 1);
    for bad in ["", "22:00", "25:00-07:00", "22:00-07:60", "07:00-07:00", "ten-eleven", "22:00-07:00-08:00"] {
        assert_eq!(QuietHours::parse(bad), None, "{bad:?}");
    }
    assert_eq!(NoticeKind::ALL.map(|k| NoticeKind::parse(k.as_str())), NoticeKind::ALL.map(Some));
}

/// Issue 13: one's own reminders are opt-in, come once at their time, and say when the next
/// one comes so the notifier wakes for it.
#[test]
fn own_reminders_are_off_unless_chosen_and_come_at_their_time() {
    let (mut a, _b) = couple();
    let ana = a.me.partner.clone();
    let due = T0.plus_ms(3 * Timestamp::HOUR);
    a.act(T0, Action::MakePromise { id: rid(1), text: "Call mum".into(), due: Some(due), repeat: Repeat::None, from_repair: None }).unwrap();
    let midnight = T0;
    let off = NoticeSettings::default();
    assert_eq!(reminders(a.view(), &ana, T0, &off, 14 * 60, midnight), (vec![], None), "off by default: nothing, and no wake-up");

    let on = NoticeSettings { reminders: [NoticeKind::PromiseDue, NoticeKind::CheckIn].into(), checkin_at: Some(20 * 60), ..Default::default() };
    // Two hours before: nothing yet; wake in 110 minutes (ten before the time), or for the
    // check-in at 20:00 if that is sooner.
    let (now, next) = reminders(a.view(), &ana, T0.plus_ms(Timestamp::HOUR), &on, 14 * 60, midnight);
    assert!(now.is_empty());
    assert_eq!(next, Some(110));
    // Five minutes before it is due: told, with its time, never its words.
    let (now, _) = reminders(a.view(), &ana, due.plus_ms(-5 * Timestamp::MINUTE), &on, 16 * 60, midnight);
    assert_eq!(kinds(&now), [NoticeKind::PromiseDue]);
    assert_eq!(now[0].until, Some(due));
    let told = decide(now.clone(), Some(&BTreeSet::new()), &on, DAYTIME);
    assert_eq!(told.post.len(), 1);
    assert!(decide(now, Some(&told.told), &on, DAYTIME).post.is_empty(), "told once");
    // Long past, or kept: no reminder.
    assert!(reminders(a.view(), &ana, due.plus_ms(2 * Timestamp::HOUR), &on, 19 * 60, midnight).0.is_empty());
    // The check-in reminder at 20:00 on a day without a check-in, and not once there is one.
    let (now, _) = reminders(a.view(), &ana, due.plus_ms(2 * Timestamp::HOUR), &on, 20 * 60 + 5, midnight);
    assert_eq!(kinds(&now), [NoticeKind::CheckIn]);
    a.act(
        T0.plus_ms(Timestamp::HOUR),
        Action::AddCheckIn { id: rid(2), kind: CheckInKind::Daily, prompt: None, connection: 3, trust: 3, heard: 3, note: None },
    )
    .unwrap();
    assert!(reminders(a.view(), &ana, due.plus_ms(2 * Timestamp::HOUR), &on, 20 * 60 + 5, midnight).0.is_empty());
    // The partner's promises are never one's own reminders.
    let ben = actor(2, 2).partner;
    assert!(reminders(a.view(), &ben, due, &on, 10 * 60, midnight).0.iter().all(|n| n.kind != NoticeKind::PromiseDue));
    assert_eq!(NoticeKind::parse("promise-due"), Some(NoticeKind::PromiseDue));
}
