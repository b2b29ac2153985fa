//! Two windows, two profiles, paired through their First run screens over loopback (local-
//! only networking bound to 127.0.0.1: no relays, no discovery, nothing leaves this
//! machine). A note written in one window appears in the other without a click.

mod common;

use common::*;
use mend_gui::Phase;

type Window = egui_kittest::Harness<'static, mend_gui::MendApp>;

/// Ana invites from her First run, Sam joins from his: both windows end at Today, paired.
fn pair(a_dir: &std::path::Path, b_dir: &std::path::Path) -> (Window, Window) {
    let mut a = window(a_dir, loopback());
    let mut b = window(b_dir, loopback());
    settle(&mut a, "first run", |s| s.snapshot().phase == Phase::FirstRun);
    settle(&mut b, "first run", |s| s.snapshot().phase == Phase::FirstRun);

    type_into(&mut a, "Your name", "Ana");
    click(&mut a, "Invite my partner");
    settle(&mut a, "the invitation", |s| s.snapshot().invite.is_some());
    let ticket = a.state().snapshot().invite.clone().unwrap().text;
    assert!(shows(&a, "Expires in"));
    assert!(ticket.starts_with("mend"));

    type_into(&mut b, "Your name", "Sam");
    click(&mut b, "Join my partner");
    type_into(&mut b, "Invitation", &ticket);
    click(&mut b, "Join");
    settle(&mut b, "joining", |s| s.snapshot().phase == Phase::Ready && s.is_idle());
    assert!(b.state().error_of("first_run.join").is_none(), "{:?}", b.state().error_of("first_run.join"));
    settle(&mut a, "Sam to arrive", |s| s.snapshot().view.partners.len() == 2);
    settle(&mut b, "Ana to arrive", |s| s.snapshot().view.partners.len() == 2);
    assert_eq!(b.state().screen, mend_gui::Screen::Today);
    settle(&mut a, "the invitation to close", |s| s.snapshot().invite.is_none());
    click(&mut a, "Continue to Mend");
    assert_eq!(a.state().screen, mend_gui::Screen::Today);
    (a, b)
}

#[test]
fn two_windows_pair_on_loopback_and_a_note_appears_in_the_other() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, mut b) = pair(a_dir.path(), b_dir.path());

    go(&mut b, "Gratitude");
    go(&mut a, "Gratitude");
    type_into(&mut a, "Thank-you note", "Thank you for coming home early");
    click(&mut a, "Save note");
    idle(&mut a);
    settle(&mut b, "the note to arrive", |s| s.snapshot().view.gratitude.len() == 1);
    assert!(shows(&b, "Thank you for coming home early"), "the note is drawn in the partner's window");
    assert!(shows(&b, "Ana, "), "attributed to Ana");

    // Sam's devices screen says honestly when it last synced with Ana, and how.
    go(&mut b, "Devices");
    settle(&mut b, "a sync time", |s| s.snapshot().peers.values().any(|p| p.last_synced.is_some()));
    assert!(shows(&b, "(direct)"));
    drop(a);
    drop(b);
    let e = reopen(b_dir.path());
    assert!(e.view().gratitude.values().any(|g| g.text == "Thank you for coming home early"));
}

#[test]
fn the_partner_accepts_acknowledges_answers_and_sees_the_pause() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, mut b) = pair(a_dir.path(), b_dir.path());

    // Ana proposes, promises, keeps it, writes a repair and pauses.
    go(&mut a, "Agreements");
    type_into(&mut a, "Agreement text", "No phones at dinner");
    click(&mut a, "Propose");
    idle(&mut a);
    go(&mut a, "Promises");
    type_into(&mut a, "What I promise", "Cook on Friday");
    click(&mut a, "Make promise");
    idle(&mut a);
    click(&mut a, "Kept: Cook on Friday");
    idle(&mut a);
    go(&mut a, "Repairs");
    for (field, text) in [
        ("1. What happened", "I was late"),
        ("2. What I did", "I didn't call"),
        ("3. The impact I understand it had on you", "You worried"),
        ("4. What I will do differently", "Call at six"),
    ] {
        type_into(&mut a, field, text);
    }
    click(&mut a, "Share repair");
    idle(&mut a);
    go(&mut a, "Pause");
    type_into(&mut a, "A note (optional)", "Back after a walk");
    click(&mut a, "I need a pause");
    idle(&mut a);

    // Sam sees it all arrive, and answers from his window.
    settle(&mut b, "Ana's records", |s| {
        let v = &s.snapshot().view;
        v.agreements.len() == 1 && v.repairs.len() == 1 && v.promises.values().any(|p| !p.occurrences.is_empty()) && !v.pauses.is_empty()
    });
    assert!(shows(&b, "Ana is taking a pause until"), "the partner's pause is on Sam's screen");
    assert!(shows(&b, "Nothing needs an answer until then"), "and what to do with the time");
    assert!(shows(&b, "Back after a walk"));

    // Today says first what waits for Sam, in words, and counts it calmly in the sidebar.
    assert_eq!(b.state().screen, mend_gui::Screen::Today);
    for said in ["Ana asked for a pause until", "Ana shared a repair with you", "Ana proposed an agreement", "Ana kept a promise"] {
        assert!(shows(&b, said), "For you says {said:?}");
    }
    assert!(!shows(&b, "I was late"), "For you names what waits, not a repair's words");
    let counts = |w: &Window| {
        let l = w.state().snapshot().lists.clone();
        [mend_gui::Screen::Agreements, mend_gui::Screen::Promises, mend_gui::Screen::Repairs].map(|s| l.waiting_count(s.waits()))
    };
    assert_eq!(counts(&b), [1, 1, 1]);
    assert_eq!(counts(&a), [0, 0, 0], "what Ana did waits for Sam, not for her");
    click(&mut b, "Open Repairs");
    assert_eq!(b.state().screen, mend_gui::Screen::Repairs, "an item opens where it is answered");

    go(&mut b, "Agreements");
    assert!(shows(&b, "Waiting for you"));
    click(&mut b, "Accept: No phones at dinner");
    idle(&mut b);
    go(&mut b, "Promises");
    click(&mut b, "Acknowledge: Cook on Friday");
    idle(&mut b);
    go(&mut b, "Repairs");
    click(&mut b, "I need time");
    idle(&mut b);

    // Answered is gone: only Ana's pause still waits for Sam.
    let kinds: Vec<_> = b.state().snapshot().lists.waiting.iter().map(|(w, _)| w.kind).collect();
    assert_eq!(kinds, [mend_engine::core::WaitingKind::Pause]);
    assert_eq!(counts(&b), [0, 0, 0]);

    settle(&mut a, "Sam's answers", |s| {
        let v = &s.snapshot().view;
        v.repairs.values().all(|r| r.answer.is_some()) && v.promises.values().all(|p| p.unacknowledged().is_none())
    });
    let e = reopen(a_dir.path());
    let v = e.view();
    let agreement = v.agreements.values().next().unwrap();
    assert_eq!(agreement.state(&v.partner_ids()), mend_engine::core::AgreementState::Agreed);
    assert_eq!(v.repairs.values().next().unwrap().answer.as_ref().unwrap().response, mend_engine::core::RepairResponse::NeedTime);
    go(&mut a, "Agreements");
    assert!(shows(&a, "Agreed"));
}

/// A device whose key is gone (a restored backup without it, a damaged key file) opens
/// read-only; Devices lets it join again with an invitation from another device of the
/// same partner, and it keeps everything it held.
#[test]
fn a_device_without_its_key_joins_again_from_devices() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    profile(a_dir.path(), "Ana");
    reopen(a_dir.path()).execute(mend_engine::Command::AddGratitude { text: "kept through it all".into(), about: None }).unwrap();
    // The same profile on a second computer, without its device key.
    for entry in ["profile.json", "space"] {
        let from = a_dir.path().join(entry);
        let status = std::process::Command::new("cp").arg("-a").arg(&from).arg(b_dir.path()).status().unwrap();
        assert!(status.success());
    }
    let mut a = window(a_dir.path(), loopback());
    let mut b = window(b_dir.path(), loopback());
    ready(&mut a);
    ready(&mut b);
    assert!(b.state().snapshot().key_lost);
    go(&mut a, "Devices");
    click(&mut a, "Add another device of mine");
    settle(&mut a, "the invitation", |s| s.snapshot().invite.is_some());
    let ticket = a.state().snapshot().invite.clone().unwrap().text;

    go(&mut b, "Devices");
    assert!(shows(&b, "This device is not syncing yet"));
    type_into(&mut b, "Invitation to join", &ticket);
    click(&mut b, "Join with this invitation");
    settle(&mut b, "joining", |s| !s.snapshot().key_lost && s.is_idle());
    assert!(b.state().error_of("devices.join").is_none(), "{:?}", b.state().error_of("devices.join"));
    settle(&mut a, "the new device", |s| s.snapshot().view.trusted_devices().count() == 2);
    assert!(b.state().snapshot().view.gratitude.values().any(|g| g.text == "kept through it all"), "everything stays");
}
