//! PNG snapshots of the screens whose pixels do not depend on the clock or the time zone
//! (First run, a locked Journal, Help), in light and dark. Rendered with wgpu (Mesa's
//! llvmpipe on CI; `.ci/run` installs it) and compared with `tests/snapshots/*.png`.
//! After an intended change: `UPDATE_SNAPSHOTS=1 cargo test -p mend-gui --test snapshots`.

mod common;

use common::*;
use egui_kittest::SnapshotResults;
use mend_gui::{MendApp, Phase, Screen};

fn shoot(name: &str, theme: egui::Theme, screen: Option<Screen>, with_profile: bool) -> SnapshotResults {
    let dir = tempfile::tempdir().unwrap();
    if with_profile {
        profile(dir.path(), "Ana");
    }
    let app = MendApp::new(config(dir.path(), None));
    let app = match screen {
        Some(s) => app.with_screen(s),
        None => app,
    };
    let mut h = egui_kittest::Harness::builder()
        .with_size(egui::vec2(900.0, 640.0))
        .with_theme(theme)
        .build_ui_state(|ui, app: &mut MendApp| app.ui(ui), app);
    let want = if with_profile { Phase::Ready } else { Phase::FirstRun };
    settle(&mut h, "the window to open", move |a| a.snapshot().phase == want);
    h.run_ok();
    h.snapshot(name);
    h.take_snapshot_results()
}

/// Both themes of one screen; fails (listing every differing image) if either differs.
fn both(name: &str, screen: Option<Screen>, with_profile: bool) {
    let mut results = SnapshotResults::new();
    results.extend(shoot(&format!("{name}_light"), egui::Theme::Light, screen, with_profile));
    results.extend(shoot(&format!("{name}_dark"), egui::Theme::Dark, screen, with_profile));
    results.unwrap();
}

#[test]
fn first_run() {
    both("first_run", None, false);
}

#[test]
fn journal_locked() {
    both("journal_locked", Some(Screen::Journal), true);
}

#[test]
fn help() {
    both("help", Some(Screen::Help), true);
}
