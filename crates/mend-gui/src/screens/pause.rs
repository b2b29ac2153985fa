//! Pause: "I need a pause, back at 20:30". Both devices show it until it ends.

use crate::app::Io;
use crate::forms::PauseForm;
use crate::snapshot::Snapshot;
use crate::widgets::{field, none_opt};
use mend_engine::Command;

pub const START: &str = "pause.start";
pub const END: &str = "pause.end";
pub const TALK: &str = "pause.talk";

/// Paced breathing: in for 4 seconds, hold for 4, out for 6. Slower out than in calms.
const BREATH: [(&str, f64); 3] = [("Breathe in", 4.0), ("Hold", 4.0), ("Breathe out", 6.0)];

/// Where in the breath `t` (seconds) falls: the words, the seconds left, and how full the
/// circle is (0 empty, 1 full).
pub fn breath_at(t: f64) -> (&'static str, u32, f32) {
    let cycle: f64 = BREATH.iter().map(|(_, s)| s).sum();
    let mut x = t.rem_euclid(cycle);
    for (i, (word, secs)) in BREATH.iter().enumerate() {
        if x < *secs {
            let p = (x / secs) as f32;
            let full = match i {
                0 => p,
                1 => 1.0,
                _ => 1.0 - p,
            };
            // Eased, so the circle starts and stops gently.
            let eased = 0.5 - 0.5 * (std::f32::consts::PI * full).cos();
            return (word, (secs - x).ceil() as u32, eased);
        }
        x -= secs;
    }
    ("Breathe in", 4, 0.0)
}

/// A circle that grows as you breathe in and shrinks as you breathe out, with the words.
/// No sound; it moves only while it is open.
pub fn breathing_guide(ui: &mut egui::Ui) {
    let t = ui.input(|i| i.time);
    let (word, left, full) = breath_at(t);
    let size = 180.0;
    let (rect, resp) = ui.allocate_exact_size(egui::vec2(size, size), egui::Sense::hover());
    let r = 24.0 + full * (size / 2.0 - 28.0);
    let color = ui.visuals().selection.bg_fill;
    ui.painter().circle(rect.center(), r, color.gamma_multiply(0.55), egui::Stroke::new(2.0, color));
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "Breathing guide"));
    ui.label(egui::RichText::new(format!("{word}… {left}")).size(20.0));
    ui.label(egui::RichText::new("In for 4, hold for 4, out for 6. A few rounds are enough.").weak());
    ui.ctx().request_repaint_after(std::time::Duration::from_millis(50));
}

/// The banner at the top of every screen while someone is pausing.
pub fn banner(ui: &mut egui::Ui, snap: &Snapshot) {
    let Some(me) = &snap.me else { return };
    let now = snap.clock.now();
    for p in snap.view.active_pauses(now) {
        let who = if p.partner == me.partner { "You are".to_owned() } else { format!("{} is", snap.view.partner_name(&p.partner)) };
        let note = p.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        egui::Frame::group(ui.style()).fill(ui.visuals().faint_bg_color).show(ui, |ui| {
            // "until 20:30": no date when it ends today, no year this year.
            let until = snap.clock.near(p.until);
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
        if ui.add_enabled(!io.busy(START), crate::widgets::primary(ui, "I need a pause")).clicked() {
            f.until_error = None;
            let minutes = if f.until_mode { minutes_until(&snap.clock, &f.until) } else { Ok(f.minutes) };
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
    let now = snap.clock.now();
    if snap.view.pauses.get(&me.partner).is_some_and(|p| p.is_active(now)) {
        ui.horizontal(|ui| {
            if ui.button("End my pause").clicked() {
                io.exec(END, Command::EndPause);
            }
            io.feedback(ui, END);
        });
    }

    crate::widgets::section(ui, "Breathe");
    if ui.button(if f.breathing { "Close the breathing guide" } else { "Breathe with me" }).clicked() {
        f.breathing = !f.breathing;
    }
    if f.breathing {
        breathing_guide(ui);
    }

    // Either of them may suggest when to talk once it is over.
    let Some(pause) = snap.view.active_pauses(now).next() else { return };
    crate::widgets::section(ui, "Afterwards");
    let talks: Vec<_> = snap
        .view
        .together
        .values()
        .filter(|t| t.kind == mend_engine::core::TogetherKind::Talk && t.at >= pause.started_at && t.done.is_none())
        .collect();
    for t in &talks {
        let who = if t.author == me.partner { "You".to_owned() } else { snap.view.partner_name(&t.author).to_owned() };
        ui.label(format!("{who} suggested talking at {}.", t.when.map(|w| snap.clock.near(w)).unwrap_or_default()));
    }
    field(ui, "Suggest a time to talk (for example 21:00)", &mut f.talk_at);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(TALK), egui::Button::new("Suggest this time")).clicked() {
            match snap.clock.parse(&f.talk_at) {
                Ok(when) if !f.talk_at.trim().is_empty() => io.exec(TALK, Command::SuggestTalk { when, note: None }),
                _ => io.refuse(TALK, "Type the time as hours and minutes, like 21:00."),
            }
        }
        io.feedback(ui, TALK);
    });
    if io.succeeded(TALK) {
        f.talk_at.clear();
    }
}

/// Minutes from now until the next `HH:MM` (today, or tomorrow once it has passed), as a
/// pause of 1 minute to 24 hours.
fn minutes_until(clock: &mend_engine::when::Clock, typed: &str) -> Result<i64, String> {
    let now = clock.now();
    let said = "Type the time you will be back as hours and minutes, like 20:30.";
    if typed.trim().is_empty() || !typed.contains(':') {
        return Err(said.into());
    }
    let at = clock.parse(typed).map_err(|_| said.to_owned())?;
    let minutes = (at.0 - now.0 + 59_999) / 60_000;
    Ok(minutes.clamp(1, 24 * 60))
}
