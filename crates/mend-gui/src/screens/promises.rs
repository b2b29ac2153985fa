//! Promises: make one; keep, miss or renegotiate mine; acknowledge my partner's; keep-rates.

use crate::app::Io;
use crate::forms::PromisesForm;
use crate::lists::WINDOWS;
use crate::snapshot::Snapshot;
use crate::widgets::{button_row_height, field, named_button, rows, section, short, when};
use mend_engine::Command;
use mend_engine::core::{Promise, Repeat};

pub const MAKE: &str = "promises.make";
pub const MARK: &str = "promises.mark";
pub const RENEGOTIATE: &str = "promises.renegotiate";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut PromisesForm, io: &mut Io) {
    if snap.me.is_none() {
        return;
    }
    let v = &snap.view;
    ui.heading("Promises");
    ui.label("Clear promises, kept or honestly missed. Missing one never resets anything.");

    section(ui, "Make a promise");
    field(ui, "What I promise", &mut f.text);
    field(ui, "By when (optional: 18:30, 2026-12-01 18:30, +2h)", &mut f.due);
    egui::ComboBox::from_label("Repeat").selected_text(f.repeat.as_str()).show_ui(ui, |ui| {
        for r in Repeat::ALL {
            ui.selectable_value(&mut f.repeat, *r, r.as_str());
        }
    });
    ui.horizontal_wrapped(|ui| {
        if ui.add_enabled(!io.busy(MAKE), crate::widgets::primary(ui, "Make promise")).clicked() {
            match parse_due(&f.due, &snap.clock) {
                Ok(due) => io.exec(MAKE, Command::MakePromise { text: f.text.clone(), due, repeat: f.repeat, from_repair: None }),
                Err(e) => io.refuse(MAKE, e),
            }
        }
        io.feedback(ui, MAKE);
    });
    if io.succeeded(MAKE) {
        f.text.clear();
        f.due.clear();
        f.repeat = Repeat::None;
    }
    if io.succeeded(RENEGOTIATE) {
        f.renegotiating = None;
    }
    let l = &snap.lists;
    let row = button_row_height(ui);

    section(ui, &format!("My promises ({} open)", l.my_open_promises.len()));
    renegotiating(ui, snap, f, io);
    if l.my_open_promises.is_empty() {
        crate::widgets::empty(
            ui,
            "No open promises. A promise is one small thing you say you will do, with a time if you like: \u{201c}Call when I will be late.\u{201d} Small ones kept build trust.",
        );
    }
    rows(ui, "my promises", l.my_open_promises.len(), row, 320.0, |ui, i| {
        let Some(p) = v.promises.get(&l.my_open_promises[i]) else { return };
        let id = p.id.to_string();
        let s = short(&p.text);
        ui.horizontal(|ui| {
            if named_button(ui, "Kept", &format!("Kept: {s}")).clicked() {
                io.exec(MARK, Command::KeepPromise { id: id.clone() });
            }
            if named_button(ui, "Missed", &format!("Missed: {s}")).clicked() {
                io.exec(MARK, Command::MissPromise { id: id.clone() });
            }
            if p.next_due.is_some() && named_button(ui, "New time", &format!("Renegotiate: {s}")).clicked() {
                f.renegotiating = Some((id.clone(), String::new()));
            }
            ui.add(egui::Label::new(format!("{} ({})", p.text, due_words(&snap.clock, p))).truncate());
        });
    });
    io.feedback(ui, MARK);

    section(ui, "My partner's promises");
    if l.partner_promises.is_empty() {
        let name = snap.partner_name();
        crate::widgets::empty(ui, &format!("No promises from {name} yet. When {name} makes one, it shows here, and you can say you saw it kept."));
    }
    rows(ui, "partner promises", l.partner_promises.len(), row, 320.0, |ui, i| {
        let Some(p) = v.promises.get(&l.partner_promises[i]) else { return };
        ui.horizontal(|ui| match p.unacknowledged() {
            Some(o) => {
                if named_button(ui, "Acknowledge", &format!("Acknowledge: {}", short(&p.text))).clicked() {
                    io.exec(MARK, Command::AcknowledgePromise { id: p.id.to_string() });
                }
                ui.add(egui::Label::new(format!("{} (marked {} on {})", p.text, o.outcome, when(&snap.clock, o.marked_at))).truncate());
            }
            None => {
                ui.add(egui::Label::new(format!("{} ({})", p.text, due_words(&snap.clock, p))).truncate());
            }
        });
    });

    section(ui, "Keep-rate");
    ui.horizontal_wrapped(|ui| {
        for d in WINDOWS {
            ui.selectable_value(&mut f.window, d, format!("{d} days"));
        }
    });
    let w = WINDOWS.iter().position(|d| *d == f.window).unwrap_or(0);
    let mut bars = Vec::new();
    for (i, (name, rates)) in l.keep_rates.iter().enumerate() {
        let r = rates[w];
        let words = match r.rate() {
            Some(x) => format!("{name}: {:.0}% kept ({} kept, {} missed, {} renegotiated)", x * 100.0, r.kept, r.missed, r.renegotiated),
            None => format!("{name}: nothing settled in the last {} days", r.days),
        };
        ui.label(words);
        bars.push(egui_plot::Bar::new(i as f64, r.rate().unwrap_or(0.0) * 100.0).name(name).width(0.6));
    }
    // Kept in the calm accent: a rate is not a verdict.
    let kept = crate::style::Palette::of(ui.visuals()).accent;
    let resp = egui_plot::Plot::new(("keep-rate", f.window))
        .height(160.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show(ui, |pl| pl.bar_chart(egui_plot::BarChart::new("Kept, %", bars).color(kept)));
    resp.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, "Keep-rate chart"));
}

/// The one promise being given a new time, above the list so the list keeps one line a row.
fn renegotiating(ui: &mut egui::Ui, snap: &Snapshot, f: &mut PromisesForm, io: &mut Io) {
    let Some((id, due)) = f.renegotiating.as_mut() else { return };
    let Some(p) = snap.view.promises.get(&mend_engine::core::RecordId::from_key(id)) else { return };
    let mut cancel = false;
    crate::widgets::card(ui, |ui| {
        ui.label(format!("A new time for \u{201c}{}\u{201d} ({})", p.text, due_words(&snap.clock, p)));
        field(ui, "New time", due);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Agree new time").clicked() {
                match snap.clock.parse(due) {
                    Ok(t) => io.exec(RENEGOTIATE, Command::RenegotiatePromise { id: id.clone(), due: t }),
                    Err(e) => io.refuse(RENEGOTIATE, e.to_string()),
                }
            }
            cancel = ui.button("Cancel").clicked();
            io.feedback(ui, RENEGOTIATE);
        });
    });
    if cancel {
        f.renegotiating = None;
    }
}

fn parse_due(s: &str, clock: &mend_engine::when::Clock) -> Result<Option<mend_engine::core::Timestamp>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    clock.parse(s).map(Some).map_err(|e| e.to_string())
}

fn due_words(clock: &mend_engine::when::Clock, p: &Promise) -> String {
    let repeat = match p.repeat {
        Repeat::None => "",
        Repeat::Daily => ", every day",
        Repeat::Weekly => ", every week",
    };
    match p.next_due {
        Some(d) => format!("due {}{repeat}", when(clock, d)),
        None if p.open => "no set time".into(),
        None => "settled".into(),
    }
}
