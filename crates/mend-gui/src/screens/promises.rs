//! Promises: make one; keep, miss or renegotiate mine; acknowledge my partner's; keep-rates.

use crate::app::Io;
use crate::forms::PromisesForm;
use crate::screens::agreements::short;
use crate::snapshot::Snapshot;
use crate::widgets::{field, section, when};
use mend_engine::Command;
use mend_engine::core::{Promise, Repeat, stats};

pub const MAKE: &str = "promises.make";
pub const MARK: &str = "promises.mark";
pub const RENEGOTIATE: &str = "promises.renegotiate";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut PromisesForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    let now = mend_engine::when::now();
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
        if ui.add_enabled(!io.busy(MAKE), egui::Button::new("Make promise")).clicked() {
            match parse_due(&f.due, now) {
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

    section(ui, "My promises");
    let mine: Vec<&Promise> = v.promises.values().filter(|p| p.promiser == me.partner && p.open).collect();
    if mine.is_empty() {
        ui.label("No open promises.");
    }
    for p in mine {
        let id = p.id.to_string();
        crate::widgets::card(ui, |ui| {
            ui.label(&p.text);
            ui.label(egui::RichText::new(due_words(p)).weak());
            ui.horizontal_wrapped(|ui| {
                if ui.button(format!("Kept: {}", short(&p.text))).clicked() {
                    io.exec(MARK, Command::KeepPromise { id: id.clone() });
                }
                if ui.button(format!("Missed: {}", short(&p.text))).clicked() {
                    io.exec(MARK, Command::MissPromise { id: id.clone() });
                }
                if p.next_due.is_some() && ui.button(format!("Renegotiate: {}", short(&p.text))).clicked() {
                    f.renegotiating = Some((id.clone(), String::new()));
                }
            });
            if let Some((_, due)) = f.renegotiating.as_mut().filter(|(rid, _)| *rid == id) {
                field(ui, "New time", due);
                ui.horizontal_wrapped(|ui| {
                    if ui.button("Agree new time").clicked() {
                        match mend_engine::when::parse(due, now) {
                            Ok(t) => io.exec(RENEGOTIATE, Command::RenegotiatePromise { id: id.clone(), due: t }),
                            Err(e) => io.refuse(RENEGOTIATE, e.to_string()),
                        }
                    }
                    io.feedback(ui, RENEGOTIATE);
                });
            }
        });
    }
    io.feedback(ui, MARK);

    section(ui, "My partner's promises");
    let theirs: Vec<&Promise> = v.promises.values().filter(|p| p.promiser != me.partner).collect();
    if theirs.is_empty() {
        ui.label("None yet.");
    }
    for p in theirs {
        crate::widgets::card(ui, |ui| {
            ui.label(&p.text);
            ui.label(egui::RichText::new(due_words(p)).weak());
            if let Some(o) = p.unacknowledged() {
                ui.horizontal_wrapped(|ui| {
                    ui.label(format!("Marked {} on {}", o.outcome, when(o.marked_at)));
                    if ui.button(format!("Acknowledge: {}", short(&p.text))).clicked() {
                        io.exec(MARK, Command::AcknowledgePromise { id: p.id.to_string() });
                    }
                });
            }
        });
    }

    section(ui, "Keep-rate");
    ui.horizontal_wrapped(|ui| {
        for d in [7u32, 30, 90] {
            ui.selectable_value(&mut f.window, d, format!("{d} days"));
        }
    });
    let mut bars = Vec::new();
    for (i, p) in v.partners.values().enumerate() {
        let r = stats::keep_rate(v, &p.id, f.window, now);
        let words = match r.rate() {
            Some(x) => format!("{}: {:.0}% kept ({} kept, {} missed, {} renegotiated)", p.name, x * 100.0, r.kept, r.missed, r.renegotiated),
            None => format!("{}: nothing settled in the last {} days", p.name, f.window),
        };
        ui.label(words);
        bars.push(egui_plot::Bar::new(i as f64, r.rate().unwrap_or(0.0) * 100.0).name(&p.name).width(0.6));
    }
    let resp = egui_plot::Plot::new(("keep-rate", f.window))
        .height(160.0)
        .include_y(0.0)
        .include_y(100.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .show(ui, |pl| pl.bar_chart(egui_plot::BarChart::new("Kept, %", bars)));
    resp.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, "Keep-rate chart"));
}

fn parse_due(s: &str, now: mend_engine::core::Timestamp) -> Result<Option<mend_engine::core::Timestamp>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    mend_engine::when::parse(s, now).map(Some).map_err(|e| e.to_string())
}

fn due_words(p: &Promise) -> String {
    let repeat = match p.repeat {
        Repeat::None => "",
        Repeat::Daily => ", every day",
        Repeat::Weekly => ", every week",
    };
    match p.next_due {
        Some(d) => format!("due {}{repeat}", when(d)),
        None if p.open => "no set time".into(),
        None => "settled".into(),
    }
}
