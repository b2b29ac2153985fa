//! Pause: "I need a pause, back at 20:30". Both devices show it until it ends.

use crate::app::Io;
use crate::forms::PauseForm;
use crate::snapshot::Snapshot;
use crate::widgets::{field, none_opt};
use mend_engine::Command;

pub const START: &str = "pause.start";
pub const END: &str = "pause.end";

/// The banner at the top of every screen while someone is pausing.
pub fn banner(ui: &mut egui::Ui, snap: &Snapshot) {
    let Some(me) = &snap.me else { return };
    let now = mend_engine::when::now();
    for p in snap.view.active_pauses(now) {
        let who = if p.partner == me.partner { "You are".to_owned() } else { format!("{} is", snap.view.partner_name(&p.partner)) };
        let note = p.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        egui::Frame::group(ui.style()).fill(ui.visuals().faint_bg_color).show(ui, |ui| {
            // "until 20:30": no date when it ends today, no year this year.
            let until = mend_engine::when::near(p.until, now);
            ui.label(egui::RichText::new(format!("{who} taking a pause until {until}{note}")).strong());
            if p.partner != me.partner {
                // The partner's side: what to do with the time, not just that it is running.
                ui.label("Nothing needs an answer until then. It is a good time to breathe, take a walk, or write in your journal.");
            }
        });
    }
}

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut PauseForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    ui.heading("Pause");
    ui.label("When things get heated, take a break. Your partner sees it on their devices until it ends.");
    ui.label("For how long?");
    ui.horizontal_wrapped(|ui| {
        for (minutes, label) in [(15, "15 minutes"), (30, "30 minutes"), (60, "1 hour")] {
            if ui.selectable_label(!f.until_mode && f.minutes == minutes, label).clicked() {
                f.minutes = minutes;
                f.until_mode = false;
            }
        }
        if ui.selectable_label(f.until_mode, "Until a time").clicked() {
            f.until_mode = true;
        }
    });
    if f.until_mode {
        field(ui, "Back at (for example 20:30)", &mut f.until);
        if let Some(e) = &f.until_error {
            ui.colored_label(ui.visuals().warn_fg_color, e);
        }
    }
    field(ui, "A note (optional)", &mut f.note);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(START), egui::Button::new("I need a pause")).clicked() {
            f.until_error = None;
            let minutes = if f.until_mode { minutes_until(&f.until) } else { Ok(f.minutes) };
            match minutes {
                Ok(minutes) => io.exec(START, Command::StartPause { minutes, note: none_opt(&f.note) }),
                Err(e) => f.until_error = Some(e),
            }
        }
        io.feedback(ui, START);
    });
    if io.succeeded(START) {
        f.note.clear();
    }
    let now = mend_engine::when::now();
    if snap.view.pauses.get(&me.partner).is_some_and(|p| p.is_active(now)) {
        ui.horizontal(|ui| {
            if ui.button("End my pause").clicked() {
                io.exec(END, Command::EndPause);
            }
            io.feedback(ui, END);
        });
    }
}

/// Minutes from now until the next `HH:MM` (today, or tomorrow once it has passed), as a
/// pause of 1 minute to 24 hours.
fn minutes_until(typed: &str) -> Result<i64, String> {
    let now = mend_engine::when::now();
    let said = "Type the time you will be back as hours and minutes, like 20:30.";
    if typed.trim().is_empty() || !typed.contains(':') {
        return Err(said.into());
    }
    let at = mend_engine::when::parse(typed, now).map_err(|_| said.to_owned())?;
    let minutes = (at.0 - now.0 + 59_999) / 60_000;
    Ok(minutes.clamp(1, 24 * 60))
}
