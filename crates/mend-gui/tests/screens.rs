//! Each screen driven through the real window against a real engine on a temporary
//! profile; the engine's state is checked afterwards from a second opener of the profile,
//! as another Mend process would see it.

mod common;

use common::*;
use egui::accesskit::Role;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use mend_engine::Command;
use mend_engine::core::notice::NoticeKind;
use mend_engine::core::{AgreementState, Outcome};
use mend_gui::Phase;

#[test]
fn first_run_start_on_my_own_creates_the_profile() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(dir.path(), None);
    settle(&mut h, "first run", |a| a.snapshot().phase == Phase::FirstRun);
    assert!(shows(&h, "Welcome to Mend"));
    // An empty name is refused beside the form, and nothing is created.
    click(&mut h, "Start on my own for now");
    idle(&mut h);
    assert!(h.state().error_of("first_run.start").is_some_and(|e| e.contains("name is empty")), "{:?}", h.state().error_of("first_run.start"));
    assert!(shows(&h, "Your name is empty"));
    assert!(!mend_engine::profile_exists(dir.path()));

    type_into(&mut h, "Your name", "Ana");
    click(&mut h, "Start on my own for now");
    idle(&mut h);
    ready(&mut h);
    h.run_ok();
    assert_eq!(h.state().screen, mend_gui::Screen::Today);
    let e = reopen(dir.path());
    assert_eq!(e.view().partner_name(&e.me().partner), "Ana");
    assert_eq!(e.device_name(), "test laptop");
}

#[test]
fn today_shows_what_another_mend_saved_without_a_click() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    assert!(shows(&h, "Nothing is due today"));
    // Another process (the CLI, say) writes to the same profile while the window is open.
    let mut other = reopen(dir.path());
    let due = other.now().plus_ms(mend_engine::core::Timestamp::MINUTE);
    other
        .execute(Command::MakePromise { text: "Call at six".into(), due: Some(due), repeat: mend_engine::core::Repeat::None, from_repair: None })
        .unwrap();
    other
        .execute(Command::AddCheckIn { kind: mend_engine::core::CheckInKind::Daily, prompt: None, connection: 4, trust: 3, heard: 5, note: None })
        .unwrap();
    // Two saves, picked up as they come (one event each, or one for both).
    settle(&mut h, "the promise and the check-in to appear", |a| {
        let s = a.snapshot();
        s.view.promises.len() == 1 && s.view.checkins.len() == 1
    });
    assert!(shows(&h, "You: Call at six"));
    assert!(shows(&h, "connection 4, trust 3, feeling heard 5"));
    assert!(!shows(&h, "Nothing is due today"));
}

#[test]
fn agreements_propose_refuse_empty_and_revise() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Agreements");
    click(&mut h, "Propose");
    idle(&mut h);
    assert!(h.state().error_of("agreements.propose").is_some_and(|e| e.contains("empty")));
    assert!(reopen(dir.path()).view().agreements.is_empty());

    type_into(&mut h, "Agreement text", "No phones at dinner");
    click(&mut h, "Propose");
    idle(&mut h);
    let e = reopen(dir.path());
    let a = e.view().agreements.values().next().expect("one agreement");
    assert_eq!(a.current().unwrap().text, "No phones at dinner");
    assert_eq!(a.state(&e.view().partner_ids()), AgreementState::Proposed);
    assert_eq!(h.get_by_label("Agreement text").value().as_deref(), Some(""), "the form is cleared once saved");

    click(&mut h, "Revise: No phones at dinner");
    type_into(&mut h, "Revised text", ", except on Sundays");
    click(&mut h, "Propose revision");
    idle(&mut h);
    let e = reopen(dir.path());
    let a = e.view().agreements.values().next().unwrap();
    assert_eq!(a.revisions.len(), 2);
    assert_eq!(a.current().unwrap().text, "No phones at dinner, except on Sundays");
    assert!(shows(&h, "2 revisions"));

    // "How does this feel now?": a review date, checked like every other time.
    let text = "No phones at dinner, except on Sundays";
    click(&mut h, &format!("Plan a review: {text}"));
    type_into(&mut h, "Review on (2026-12-01, +30d)", "someday");
    click(&mut h, "Plan review");
    assert!(h.state().error_of("agreements.review").is_some_and(|e| e.contains("not a time Mend understands")));
    h.get_by_label("Review on (2026-12-01, +30d)").focus();
    h.run_ok();
    for _ in 0.."someday".len() {
        h.key_press(egui::Key::Backspace);
    }
    type_into(&mut h, "Review on (2026-12-01, +30d)", "+30d");
    click(&mut h, "Plan review");
    idle(&mut h);
    let e = reopen(dir.path());
    let a = e.view().agreements.values().next().unwrap();
    let at = a.review_at.expect("a review is planned");
    let days = (at.0 - e.now().0) as f64 / mend_engine::core::Timestamp::DAY as f64;
    assert!((29.9..30.1).contains(&days), "{days}");
    assert!(shows(&h, "Review planned for"));
}

#[test]
fn promises_make_keep_and_a_bad_time_keeps_the_text() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Promises");
    type_into(&mut h, "What I promise", "Call when I'm late");
    type_into(&mut h, "By when (optional: 18:30, 2026-12-01 18:30, +2h)", "tomorrowish");
    click(&mut h, "Make promise");
    h.run_ok();
    assert!(h.state().error_of("promises.make").is_some_and(|e| e.contains("not a time Mend understands")));
    assert_eq!(h.get_by_label("What I promise").value().as_deref(), Some("Call when I'm late"), "nothing typed is lost");
    assert!(reopen(dir.path()).view().promises.is_empty());

    h.get_by_label("By when (optional: 18:30, 2026-12-01 18:30, +2h)").focus();
    h.run_ok();
    for _ in 0.."tomorrowish".len() {
        h.key_press(egui::Key::Backspace);
    }
    h.run_ok();
    type_into(&mut h, "By when (optional: 18:30, 2026-12-01 18:30, +2h)", "+2h");
    click(&mut h, "Make promise");
    idle(&mut h);
    let e = reopen(dir.path());
    let p = e.view().promises.values().next().expect("a promise");
    assert_eq!(p.text, "Call when I'm late");
    assert!(p.next_due.is_some());

    click(&mut h, "Kept: Call when I'm late");
    idle(&mut h);
    let e = reopen(dir.path());
    let p = e.view().promises.values().next().unwrap();
    assert_eq!(p.occurrences.len(), 1);
    assert_eq!(p.occurrences[0].outcome, Outcome::Kept);
    assert!(shows(&h, "Ana: 100% kept (1 kept, 0 missed, 0 renegotiated)"));
}

/// Closing the window leaves a view cache of everything written in it, so the next start
/// shows the space at once instead of loading the whole document to catch up first.
#[test]
fn closing_the_window_leaves_a_view_cache_for_a_quick_start() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Gratitude");
    type_into(&mut h, "Thank-you note", "Thank you for waiting up");
    click(&mut h, "Save note");
    idle(&mut h);
    drop(h);
    let mut e = reopen(dir.path());
    assert!(!e.is_loaded(), "the open used the view cache: the document is still loading");
    assert!(e.view().gratitude.values().any(|g| g.text == "Thank you for waiting up"), "and the cache holds the note");
    e.wait_loaded().unwrap();
    assert!(e.view().gratitude.values().any(|g| g.text == "Thank you for waiting up"));
}

#[test]
fn gratitude_note_is_saved_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Gratitude");
    assert!(shows(&h, "No notes yet"));
    type_into(&mut h, "Thank-you note", "Thank you for the tea this morning");
    click(&mut h, "Save note");
    idle(&mut h);
    let e = reopen(dir.path());
    assert!(e.view().gratitude.values().any(|g| g.text == "Thank you for the tea this morning"));
    assert_eq!(h.get_by_label("Thank-you note").value().as_deref(), Some(""));
    assert!(shows(&h, "Thank you for the tea this morning"));
}

#[test]
fn checkin_ratings_are_saved() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Check-ins");
    h.get_by_role_and_label(Role::Slider, "Trust").increment_accesskit();
    h.run_ok();
    h.get_by_role_and_label(Role::Slider, "Trust").increment_accesskit();
    h.run_ok();
    h.get_by_role_and_label(Role::Slider, "Feeling heard").decrement_accesskit();
    h.run_ok();
    type_into(&mut h, "Shared answer (optional)", "A calmer day");
    click(&mut h, "Save check-in");
    idle(&mut h);
    let e = reopen(dir.path());
    let c = e.view().checkins.values().next().expect("a check-in");
    assert_eq!((c.connection, c.trust, c.heard), (3, 5, 2));
    assert_eq!(c.note.as_deref(), Some("A calmer day"));
    assert!(shows(&h, "You: 1 check-ins"));
}

#[test]
fn checkins_say_what_is_shared_with_my_partner_and_what_1_and_5_mean() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Check-ins");
    assert!(shows(&h, "Shared with your partner: your three ratings, the question and your answer all show on your partner's devices too."));
    assert!(shows(&h, "1 means not at all, 5 means very much"));
    assert!(shows(&h, "Connection: 1 is feeling far apart, 5 feeling close."));
    assert!(shows(&h, "Feeling heard: 1 is not feeling listened to, 5 feeling fully heard."));
    // Each rating is still a slider named for what it rates.
    for r in ["Connection", "Trust", "Feeling heard"] {
        h.get_by_role_and_label(Role::Slider, r);
    }
}

#[test]
fn repair_guided_form_is_shared_and_asks_nothing_of_its_author() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Repairs");
    type_into(&mut h, "1. What happened", "I missed dinner");
    type_into(&mut h, "2. What I did", "I stayed late without calling");
    type_into(&mut h, "3. The impact I understand it had on you", "You waited and worried");
    click(&mut h, "Share repair");
    idle(&mut h);
    // Step 4 is missing: refused beside the form, and the three steps typed are kept.
    assert!(h.state().error_of("repairs.add").is_some_and(|e| e.contains("empty")), "{:?}", h.state().error_of("repairs.add"));
    assert_eq!(h.get_by_label("1. What happened").value().as_deref(), Some("I missed dinner"));
    assert!(reopen(dir.path()).view().repairs.is_empty());
    type_into(&mut h, "4. What I will do differently", "Call before six");
    click(&mut h, "Share repair");
    idle(&mut h);
    let e = reopen(dir.path());
    let r = e.view().repairs.values().next().expect("a repair");
    assert_eq!(r.what_happened, "I missed dinner");
    assert_eq!(r.next_time, "Call before six");
    assert!(r.answer.is_none());
    // The author never answers their own repair: the buttons are for the partner.
    assert!(h.query_by_label("Forgiven").is_none());
}

#[test]
fn pause_shows_a_banner_until_it_is_ended() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Pause");
    // A time that is not one is said beside its field; nothing starts.
    click(&mut h, "Until a time");
    type_into(&mut h, "Back at (for example 20:30)", "soon");
    click(&mut h, "I need a pause");
    assert!(shows(&h, "Type the time you will be back as hours and minutes"));
    assert!(reopen(dir.path()).view().pauses.is_empty());
    click(&mut h, "1 hour");
    type_into(&mut h, "A note (optional)", "I need a walk");
    click(&mut h, "I need a pause");
    idle(&mut h);
    let e = reopen(dir.path());
    let p = e.view().pauses.get(&e.me().partner).expect("a pause");
    assert!(p.is_active(e.now()));
    assert_eq!(p.note.as_deref(), Some("I need a walk"));
    assert_eq!(p.until.0 - p.started_at.0, 60 * 60 * 1000, "the preset chosen");
    assert!(shows(&h, "You are taking a pause until"));
    go(&mut h, "Today");
    assert!(shows(&h, "You are taking a pause until"), "the banner is on every screen");
    go(&mut h, "Pause");
    click(&mut h, "End my pause");
    idle(&mut h);
    let e = reopen(dir.path());
    assert!(!e.view().pauses.get(&e.me().partner).unwrap().is_active(e.now()));
    assert!(!shows(&h, "You are taking a pause until"));
}

#[test]
fn journal_is_locked_private_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Journal");
    assert!(h.query_by_label("Entry").is_none(), "locked by default");
    type_into(&mut h, "Choose a passphrase (a few unrelated words)", "short");
    type_into(&mut h, "Type it again", "short");
    click(&mut h, "Start my journal");
    idle(&mut h);
    assert!(h.state().error_of("journal.unlock").is_some_and(|e| e.contains("at least")));
    type_into(&mut h, "Choose a passphrase (a few unrelated words)", " river lamp");
    // A new passphrase is typed twice; two that differ start nothing.
    type_into(&mut h, "Type it again", " river lamb");
    click(&mut h, "Start my journal");
    idle(&mut h);
    assert!(h.state().error_of("journal.unlock").is_some_and(|e| e.contains("The two passphrases differ")));
    assert!(!mend_journal::Journal::exists(dir.path()), "no journal from a mistyped passphrase");
    replace_text(&mut h, "Type it again", "short river lamp");
    click(&mut h, "Start my journal");
    idle(&mut h);
    assert!(
        shows(&h, "1 is very low, 5 very good. Your mood stays in your journal, on this device only"),
        "mood says what it means and that it is private"
    );
    let canary = "canary-7f3a quiet when hurt";
    type_into(&mut h, "Entry", canary);
    click(&mut h, "Save entry");
    idle(&mut h);
    type_into(&mut h, "Entry", "a second thought");
    click(&mut h, "Save entry");
    idle(&mut h);
    let j = mend_journal::Journal::open(dir.path(), "short river lamp").expect("the passphrase opens it");
    assert_eq!(j.list().unwrap().len(), 2);
    assert!(j.list().unwrap().iter().any(|e| e.text == canary));
    // Private: not one word of it in the shared space.
    assert!(!reopen(dir.path()).export_markdown().contains("canary-7f3a"));

    type_into(&mut h, "Search entries", "canary");
    assert!(shows(&h, canary));
    assert!(!shows(&h, "a second thought"));

    type_into(&mut h, "Draft", "You never listen to me");
    assert!(shows(&h, "I feel"));

    click(&mut h, "Lock journal");
    idle(&mut h);
    assert!(!shows(&h, canary), "locking hides the entries");
    assert!(h.query_by_label("Passphrase").is_some());
}

#[test]
fn devices_lists_this_device_and_invites_another_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), loopback());
    ready(&mut h);
    // The window shows the space first and goes online right after.
    settle(&mut h, "the network", |a| !a.snapshot().net.listening.is_empty());
    go(&mut h, "Devices");
    assert!(shows(&h, "This device"));
    assert!(shows(&h, "listening on 127.0.0.1:"));
    click(&mut h, "Add another device of mine");
    idle(&mut h);
    settle(&mut h, "the invitation", |a| a.snapshot().invite.is_some());
    let text = h.state().snapshot().invite.clone().unwrap().text;
    let t = mend_sync::Ticket::parse(&text, mend_sync::now_secs()).expect("the shown ticket parses");
    assert_eq!(t.role, mend_engine::Role::OwnDevice);
    assert!(t.addr.ip_addrs().all(|a| a.ip().is_loopback()), "local-only tickets name loopback only");
    assert!(shows(&h, "Expires in"));
    assert!(h.query_by_label("QR code of the invitation").is_some());
    assert_eq!(h.get_by_label("Invitation text").value().as_deref(), Some(text.as_str()));
}

#[test]
fn settings_profile_and_export() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Settings");
    type_into(&mut h, "My name", "lia");
    click(&mut h, "Quality time");
    type_into(&mut h, "What I need", "Time to talk after work");
    click(&mut h, "Save profile");
    idle(&mut h);
    let e = reopen(dir.path());
    let me = e.view().partners.get(&e.me().partner).unwrap();
    assert_eq!(me.name, "Analia");
    assert_eq!(me.love_languages, vec![mend_engine::core::LoveLanguage::Time]);
    assert_eq!(me.needs, "Time to talk after work");

    let out = dir.path().join("export.md");
    replace_text(&mut h, "Export to file", out.to_str().unwrap());
    click(&mut h, "Export");
    idle(&mut h);
    let md = std::fs::read_to_string(&out).expect("the export was written");
    assert!(md.contains("Analia"), "{md}");
}

fn replace_text(h: &mut egui_kittest::Harness<'static, mend_gui::MendApp>, field: &str, text: &str) {
    h.get_by_label(field).focus();
    h.run_ok();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_ok();
    type_into(h, field, text);
}

#[test]
fn settings_backs_up_and_first_run_restores_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    reopen(dir.path()).execute(Command::AddGratitude { text: "Thank you for the walk".into(), about: None }).unwrap();
    let mut h = window(dir.path(), None);
    ready(&mut h);
    assert!(!shows(&h, "Back up in Settings"), "the reminder is off unless chosen");
    go(&mut h, "Settings");
    click(&mut h, "Remind me on Today to back up once a month");
    idle(&mut h);
    go(&mut h, "Today");
    assert!(shows(&h, "there is none yet"), "on, and no backup yet: Today says so");
    go(&mut h, "Settings");
    click_in_view(&mut h, "Back up now…");
    let out = dir.path().join("ana.mendbackup");
    replace_text(&mut h, "Save the backup to", out.to_str().unwrap());
    type_into(&mut h, "Backup passphrase", "a lamp by the window");
    type_into(&mut h, "The same passphrase again", "a lamp by the door");
    click_in_view(&mut h, "Back up");
    idle(&mut h);
    assert!(h.state().error_of("settings.backup").is_some_and(|e| e.contains("not the same")), "{:?}", h.state().error_of("settings.backup"));
    assert!(!out.exists(), "nothing was written");
    replace_text(&mut h, "The same passphrase again", "a lamp by the window");
    click_in_view(&mut h, "Back up");
    idle(&mut h);
    assert!(out.exists(), "{:?}", h.state().error_of("settings.backup"));
    assert!(shows(&h, &format!("Backed up to {}", out.display())));
    go(&mut h, "Today");
    assert!(!shows(&h, "Back up in Settings"), "backed up just now: no reminder for a month");
    drop(h);

    // A new computer: First run restores it, and the one step left is to join.
    let place = tempfile::tempdir().unwrap();
    let new = place.path().join("profile");
    let mut h = window(&new, None);
    settle(&mut h, "first run", |a| a.snapshot().phase == Phase::FirstRun);
    click(&mut h, "Restore from a backup");
    type_into(&mut h, "Backup file", out.to_str().unwrap());
    type_into(&mut h, "Backup passphrase", "not the passphrase");
    click(&mut h, "Restore");
    idle(&mut h);
    assert!(h.state().error_of("first_run.restore").is_some_and(|e| e.contains("does not open")), "{:?}", h.state().error_of("first_run.restore"));
    assert!(!new.exists(), "nothing was written");
    replace_text(&mut h, "Backup passphrase", "a lamp by the window");
    click(&mut h, "Restore");
    idle(&mut h);
    h.run_ok();
    assert!(shows(&h, "Add this device again"), "{:?}", h.state().error_of("first_run.restore"));
    let e = reopen(&new);
    assert!(e.key_lost().is_some(), "a new device until another adds it");
    assert!(e.view().gratitude.values().any(|g| g.text == "Thank you for the walk"));
}

#[test]
fn help_says_mend_is_not_therapy_and_what_is_private() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Help");
    assert!(shows(&h, "Mend is not therapy"));
    assert!(shows(&h, "Your journal stays on this device"));
    assert!(shows(&h, "counsellor"));
}

#[test]
fn the_sidebar_works_from_the_keyboard() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    let focused = |h: &egui_kittest::Harness<'static, mend_gui::MendApp>, label: &str| {
        h.query_all_by_label(label).any(|n| n.accesskit_node().role() != Role::Label && n.is_focused())
    };
    let mut presses = 0;
    while !focused(&h, "Promises") {
        h.key_press(egui::Key::Tab);
        h.run_ok();
        presses += 1;
        assert!(presses < 30, "Tab never reached Promises");
    }
    h.key_press(egui::Key::Enter);
    h.run_ok();
    assert_eq!(h.state().screen, mend_gui::Screen::Promises);
    assert!(shows(&h, "Make a promise"));
    // Ctrl+N opens the Nth screen of the sidebar.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num7);
    h.run_ok();
    assert_eq!(h.state().screen, mend_gui::Screen::SIDEBAR[6]);
    assert_eq!(h.state().screen, mend_gui::Screen::Together);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    h.run_ok();
    assert_eq!(h.state().screen, mend_gui::Screen::Today);
}

#[test]
fn leaving_stops_sync_with_every_other_device_and_keeps_my_copy() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    {
        let mut e = reopen(dir.path());
        let ben = mend_engine::core::DeviceId::from_public_key(&[7; 32]);
        e.execute(mend_engine::Command::TrustDevice {
            device: ben,
            partner: mend_engine::core::PartnerId::from_key("ben"),
            name: "Ben's laptop".into(),
        })
        .unwrap();
        e.execute(mend_engine::Command::AddGratitude { text: "ours, before leaving".into(), about: None }).unwrap();
        assert_eq!(e.view().trusted_devices().count(), 2);
    }
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Devices");
    click(&mut h, "Leave this space");
    // One click only asks; nothing is done yet.
    assert_eq!(reopen(dir.path()).view().trusted_devices().count(), 2);
    click(&mut h, "Yes, stop syncing and keep my copy");
    idle(&mut h);
    let e = reopen(dir.path());
    let ben = mend_engine::core::DeviceId::from_public_key(&[7; 32]);
    assert!(e.view().devices[&e.me().device].removed_at.is_some(), "this device has left");
    assert!(!e.view().syncs_with(e.me(), &ben), "and syncs with no one");
    assert!(e.view().devices[&ben].removed_at.is_none(), "the partner's devices stay as they are: theirs");
    go(&mut h, "Today");
    assert!(shows(&h, "You left the space: this device keeps its copy and syncs with no one."), "Today says so");
    assert_eq!(e.view().gratitude.len(), 1, "everything stays on this device");
}

#[test]
fn settings_saves_the_network_mode_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Settings");
    assert_eq!(mend_engine::saved_local_only(dir.path()), None);
    click(&mut h, "Use local-only from the next start");
    idle(&mut h);
    assert_eq!(mend_engine::saved_local_only(dir.path()), Some(true));
    assert_eq!(mend_engine::net_config(dir.path(), false, None, None).mode, mend_engine::NetMode::LocalOnly);
    click(&mut h, "Use the normal network from the next start");
    idle(&mut h);
    assert_eq!(mend_engine::saved_local_only(dir.path()), Some(false));
}

#[test]
fn settings_keeps_the_couple_s_own_relay_for_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Settings");
    let field = "Our own relay (optional, like https://relay.example.org)";
    type_into(&mut h, field, "relay.example.org");
    click_in_view(&mut h, "Use this relay from the next start");
    idle(&mut h);
    // No scheme: refused beside the field, in words, and nothing saved.
    assert!(h.state().error_of("settings.relay").is_some_and(|e| e.contains("https://")), "{:?}", h.state().error_of("settings.relay"));
    assert_eq!(mend_engine::saved_relay(dir.path()), None);
    replace_text(&mut h, field, "https://relay.example.org");
    click_in_view(&mut h, "Use this relay from the next start");
    idle(&mut h);
    assert_eq!(mend_engine::saved_relay(dir.path()).as_deref(), Some("https://relay.example.org"));
    let net = mend_engine::net_config(dir.path(), false, None, None);
    assert_eq!(net.relay.map(|r| r.host_str().unwrap_or_default().to_owned()).as_deref(), Some("relay.example.org"));
    click_in_view(&mut h, "Use the usual relays from the next start");
    idle(&mut h);
    assert_eq!(mend_engine::saved_relay(dir.path()), None);
}

#[test]
fn settings_saves_which_notifications_and_when_they_are_quiet() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Settings");
    assert_eq!(reopen(dir.path()).notice_settings(), Default::default(), "all on, no quiet hours, by default");
    click(&mut h, "When your partner shares a repair with you");
    click(&mut h, "Quiet hours: nothing in this span of the day");
    replace_text(&mut h, "Quiet from and until", "nonsense");
    click(&mut h, "Save notifications");
    idle(&mut h);
    assert!(shows(&h, "Quiet hours need two times of the day, like 22:00-07:30. Nothing was changed."));
    assert_eq!(reopen(dir.path()).notice_settings(), Default::default(), "nothing saved from a bad time");
    replace_text(&mut h, "Quiet from and until", "23:00-07:00");
    click(&mut h, "Say only who, not what (\"Something from your partner\")");
    click(&mut h, "Save notifications");
    idle(&mut h);
    let s = reopen(dir.path()).notice_settings();
    assert_eq!(s.off, [NoticeKind::Repair].into());
    assert_eq!(s.quiet.map(|q| q.to_string()).as_deref(), Some("23:00-07:00"));
    assert!(s.discreet);
    assert!(s.reminders.is_empty(), "reminders stay off unless chosen");
}

#[test]
fn settings_turns_on_my_own_reminders_only_when_i_choose_them() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Settings");
    click_in_view(&mut h, "Remind me of my check-in on days I haven't done one");
    replace_text(&mut h, "Check-in time", "eight");
    click_in_view(&mut h, "Save notifications");
    idle(&mut h);
    assert!(shows(&h, "The check-in time needs hours and minutes, like 20:00. Nothing was changed."));
    assert!(reopen(dir.path()).notice_settings().reminders.is_empty());
    replace_text(&mut h, "Check-in time", "21:15");
    click_in_view(&mut h, "Remind me when a promise of mine is due");
    click_in_view(&mut h, "Save notifications");
    idle(&mut h);
    let s = reopen(dir.path()).notice_settings();
    assert_eq!(s.reminders, [NoticeKind::PromiseDue, NoticeKind::CheckIn].into());
    assert_eq!(s.checkin_at, Some(21 * 60 + 15));
}

#[test]
fn removing_my_device_asks_first_and_my_partner_s_are_not_mine_to_remove() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    {
        let mut e = reopen(dir.path());
        let me = e.me().partner.clone();
        let phone = mend_engine::core::DeviceId::from_public_key(&[6; 32]);
        e.execute(mend_engine::Command::TrustDevice { device: phone, partner: me, name: "Ana's phone".into() }).unwrap();
        let ben = mend_engine::core::DeviceId::from_public_key(&[7; 32]);
        let partner = mend_engine::core::PartnerId::from_key("ben");
        e.execute(mend_engine::Command::TrustDevice { device: ben, partner, name: "Ben's laptop".into() }).unwrap();
    }
    let mut h = window(dir.path(), None);
    ready(&mut h);
    go(&mut h, "Devices");
    assert!(h.query_by_label("Remove Ben's laptop").is_none(), "the partner's devices are theirs to remove");
    click(&mut h, "Remove Ana's phone");
    assert!(shows(&h, "Ana's phone is one of your devices. Removed, it stops syncing"), "the second step says what happens");
    click(&mut h, "Keep Ana's phone");
    assert_eq!(reopen(dir.path()).view().trusted_devices().count(), 3, "one click, or keeping it, removes nothing");
    click(&mut h, "Remove Ana's phone");
    click(&mut h, "Yes, remove Ana's phone");
    idle(&mut h);
    assert_eq!(reopen(dir.path()).view().trusted_devices().count(), 2);
}

#[test]
fn my_device_is_named_after_me_and_can_be_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = mend_gui::BackendConfig { device_name: String::new(), ..config(dir.path(), None) };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1000.0, 900.0))
        .build_ui_state(|ui, app: &mut mend_gui::MendApp| app.ui(ui), mend_gui::MendApp::new(cfg));
    settle(&mut h, "first run", |a| a.snapshot().phase == Phase::FirstRun);
    type_into(&mut h, "Your name", "Ana");
    click(&mut h, "Start on my own for now");
    settle(&mut h, "the profile", |a| a.snapshot().phase == Phase::Ready && a.is_idle());
    assert_eq!(reopen(dir.path()).device_name(), "Ana's laptop", "named after the person, not the computer");
    go(&mut h, "Devices");
    click(&mut h, "Rename Ana's laptop");
    replace_text(&mut h, "New name for Ana's laptop", "Ana's phone");
    click(&mut h, "Save the name");
    idle(&mut h);
    let e = reopen(dir.path());
    assert_eq!(e.view().devices[&e.me().device].name, "Ana's phone");
    assert!(shows(&h, "Ana's phone (yours)"));
}

#[test]
fn settings_keeps_mend_running_and_starts_it_at_login_and_both_undo() {
    use mend_engine::background::{self, Entry, Launch};
    let dir = tempfile::tempdir().unwrap();
    let config_home = tempfile::tempdir().unwrap();
    let autostart = config_home.path().join("autostart");
    profile(dir.path(), "Ana");
    let cfg = mend_gui::BackendConfig {
        launch: Some(Launch { exe: "/usr/bin/mend".into(), net_args: vec!["--local-only".into()] }),
        autostart_dir: Some(autostart.clone()),
        ..config(dir.path(), None)
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1100.0, 1600.0))
        .build_ui_state(|ui, app: &mut mend_gui::MendApp| app.ui(ui), mend_gui::MendApp::new(cfg));
    ready(&mut h);
    go(&mut h, "Settings");
    let keep = "Keep Mend running in the background after I close the window";
    let login = "Start Mend when I log in";
    assert_eq!(h.get_by_label(keep).accesskit_node().role(), Role::CheckBox);
    assert_eq!(background::settings(dir.path()), Default::default(), "both off by default");

    click_in_view(&mut h, keep);
    idle(&mut h);
    assert!(shows(&h, "when you close the window, Mend keeps syncing"));
    click_in_view(&mut h, login);
    idle(&mut h);
    assert!(shows(&h, "Mend starts in the background when you log in"));
    let s = background::settings(dir.path());
    assert!(s.keep_running && s.at_login, "{s:?}");
    assert_eq!(background::autostart_entry(&autostart, dir.path()), Entry::Ours);
    let text = std::fs::read_to_string(background::autostart_file(&autostart)).unwrap();
    assert!(text.contains("serve --background"), "{text}");

    // Unticking undoes each: the setting is off and Mend's entry is gone.
    click_in_view(&mut h, keep);
    idle(&mut h);
    click_in_view(&mut h, login);
    idle(&mut h);
    assert!(shows(&h, "Mend no longer starts when you log in"));
    assert_eq!(background::settings(dir.path()), Default::default());
    assert_eq!(background::autostart_entry(&autostart, dir.path()), Entry::None);
}

#[test]
fn first_run_names_this_device_after_me_until_i_choose_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = mend_gui::BackendConfig { device_name: String::new(), ..config(dir.path(), None) };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1100.0, 1600.0))
        .build_ui_state(|ui, app: &mut mend_gui::MendApp| app.ui(ui), mend_gui::MendApp::new(cfg));
    settle(&mut h, "first run", |a| a.snapshot().phase == Phase::FirstRun);
    let device = "This device's name";
    assert_eq!(h.get_by_label(device).accesskit_node().role(), Role::TextInput);
    type_into(&mut h, "Your name", "Ana");
    assert_eq!(h.get_by_label(device).value().as_deref(), Some("Ana's laptop"), "named after the person as typed");
    replace_text(&mut h, device, "Ana's desktop");
    // Once chosen, the name stays when the person's own name changes.
    type_into(&mut h, "Your name", "a");
    assert_eq!(h.get_by_label(device).value().as_deref(), Some("Ana's desktop"));
    click(&mut h, "Start on my own for now");
    settle(&mut h, "the profile", |a| a.snapshot().phase == Phase::Ready && a.is_idle());
    let e = reopen(dir.path());
    assert_eq!(e.device_name(), "Ana's desktop");
    assert_eq!(e.view().partner_name(&e.me().partner), "Anaa");
}

/// Nothing yet is not a blank page: each list says what it is for and how to begin.
#[test]
fn every_list_says_what_it_is_for_while_it_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    profile(dir.path(), "Ana");
    let mut h = window(dir.path(), None);
    ready(&mut h);
    for (screen, words) in [
        ("Today", "Nothing waits for you right now. When your partner shares a repair"),
        ("Agreements", "No agreements yet. An agreement is a boundary you both accept"),
        ("Promises", "No open promises. A promise is one small thing you say you will do"),
        ("Promises", "No promises from your partner yet"),
        ("Gratitude", "No notes yet. Noticing one kind thing today is a start"),
        ("Check-ins", "No check-ins yet. A check-in takes a minute"),
        ("Repairs", "No repairs yet. When something went wrong between you"),
        ("Together", "No goals yet. A goal is something you grow toward together"),
        ("Together", "Nothing planned yet"),
    ] {
        go(&mut h, screen);
        assert!(shows(&h, words), "{screen} says: {words}");
    }
}
