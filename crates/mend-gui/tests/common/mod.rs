//! Driving the real window in tests: a real engine on a temporary profile, the backend on
//! its own thread, widgets found by role and label through AccessKit.

#![allow(dead_code)]

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use mend_engine::Engine;
use mend_engine::NetConfig;
use mend_gui::{BackendConfig, MendApp, Phase};
use std::path::Path;
use std::time::{Duration, Instant};

pub fn config(dir: &Path, net: Option<NetConfig>) -> BackendConfig {
    BackendConfig {
        dir: dir.to_path_buf(),
        net,
        device_name: "test laptop".into(),
        journal_kdf: mend_journal::KdfParams::INSECURE_FAST_FOR_TESTS,
        notifications: false,
        launch: None,
        autostart_dir: None,
        clock: mend_engine::when::Clock::system(),
    }
}

/// A window on `dir`. `net` None: no sockets at all. Tests that network use
/// `NetConfig::local_only` on 127.0.0.1 only.
pub fn window(dir: &Path, net: Option<NetConfig>) -> Harness<'static, MendApp> {
    Harness::builder().with_size(egui::vec2(1100.0, 1600.0)).build_ui_state(|ui, app: &mut MendApp| app.ui(ui), MendApp::new(config(dir, net)))
}

pub fn loopback() -> Option<NetConfig> {
    Some(NetConfig::local_only(Some("127.0.0.1:0".parse().expect("a loopback address"))))
}

/// A profile made before the window opens, so the test starts at Today.
pub fn profile(dir: &Path, name: &str) {
    Engine::init(dir, name, "test laptop").expect("init a profile");
}

/// Steps the window until `cond` holds (the backend works on its own thread).
pub fn settle(h: &mut Harness<'static, MendApp>, what: &str, cond: impl Fn(&MendApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        h.step();
        if cond(h.state()) {
            h.run_ok();
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn ready(h: &mut Harness<'static, MendApp>) {
    settle(h, "the profile to open", |a| a.snapshot().phase == Phase::Ready);
}

/// Waits until every request the window sent has been answered.
pub fn idle(h: &mut Harness<'static, MendApp>) {
    h.run_ok();
    settle(h, "the backend to answer", |a| a.is_idle());
}

/// Clicks the control (not a plain label) named `label`.
pub fn click(h: &mut Harness<'static, MendApp>, label: &str) {
    let l = label.to_owned();
    h.get_by(move |n| n.label().as_deref() == Some(l.as_str()) && n.role() != Role::Label).click();
    h.run_ok();
}

/// Scrolls the control named `label` into view first (a long screen's end lies below the
/// window), then clicks it.
pub fn click_in_view(h: &mut Harness<'static, MendApp>, label: &str) {
    let l = label.to_owned();
    h.get_by(move |n| n.label().as_deref() == Some(l.as_str()) && n.role() != Role::Label).scroll_to_me();
    h.run_ok();
    click(h, label);
}

/// Opens a screen from the sidebar.
pub fn go(h: &mut Harness<'static, MendApp>, screen: &str) {
    click(h, screen);
}

/// Types into the text field named `label`.
pub fn type_into(h: &mut Harness<'static, MendApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_ok();
    h.get_by_label(label).type_text(text);
    h.run_ok();
}

/// Selects all of a field's text and types `text` over it.
pub fn replace_text(h: &mut Harness<'static, MendApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run_ok();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.run_ok();
    type_into(h, label, text);
}

pub fn shows(h: &Harness<'static, MendApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

pub fn reopen(dir: &Path) -> Engine {
    Engine::open(dir).expect("the profile opens from another process")
}

/// Syncs two profiles' engines directly until neither has anything to send.
pub fn sync_engines(a: &mut Engine, b: &mut Engine) {
    let (mut sa, mut sb) = (automerge::sync::State::new(), automerge::sync::State::new());
    // Each side's own changes are proved by "the connection", as in a real session.
    let (da, db) = (a.me().device.clone(), b.me().device.clone());
    for _ in 0..20 {
        let mut quiet = true;
        if let Some(m) = a.generate_sync(&mut sa) {
            quiet = false;
            b.receive_sync(&da, &mut sb, m).unwrap();
        }
        if let Some(m) = b.generate_sync(&mut sb) {
            quiet = false;
            a.receive_sync(&db, &mut sa, m).unwrap();
        }
        if quiet {
            return;
        }
    }
    panic!("the two profiles did not settle");
}
