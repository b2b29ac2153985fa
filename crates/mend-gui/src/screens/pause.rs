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
        });
    }
}

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut PauseForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    ui.heading("Pause");
    ui.label("When things get heated, take a break. Your partner sees it on their devices until it ends.");
    ui.add(egui::Slider::new(&mut f.minutes, 5..=240).text("Minutes"));
    field(ui, "A note (optional)", &mut f.note);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(START), egui::Button::new("I need a pause")).clicked() {
            io.exec(START, Command::StartPause { minutes: f.minutes, note: none_opt(&f.note) });
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
