//! Gratitude: notes of thanks, newest first; write one.

use crate::app::Io;
use crate::forms::GratitudeForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, section, when};
use mend_engine::Command;

pub const ADD: &str = "gratitude.add";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut GratitudeForm, io: &mut Io) {
    let v = &snap.view;
    ui.heading("Gratitude");
    ui.label("Notice the effort. A short thank-you, for something small, counts.");
    area(ui, "Thank-you note", &mut f.text);
    let about_text = f.about.as_ref().and_then(|id| {
        v.promises
            .values()
            .find(|p| p.id.to_string() == *id)
            .map(|p| p.text.clone())
            .or_else(|| v.agreements.values().find(|a| a.id.to_string() == *id).and_then(|a| a.current()).map(|r| r.text.clone()))
    });
    egui::ComboBox::from_label("About (optional)")
        .selected_text(about_text.as_deref().map(crate::screens::agreements::short).unwrap_or_else(|| "Nothing in particular".into()))
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut f.about, None, "Nothing in particular");
            for p in v.promises.values() {
                ui.selectable_value(&mut f.about, Some(p.id.to_string()), format!("Promise: {}", crate::screens::agreements::short(&p.text)));
            }
            for a in v.agreements.values() {
                if let Some(r) = a.current() {
                    ui.selectable_value(&mut f.about, Some(a.id.to_string()), format!("Agreement: {}", crate::screens::agreements::short(&r.text)));
                }
            }
        });
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(ADD), egui::Button::new("Save note")).clicked() {
            io.exec(ADD, Command::AddGratitude { text: f.text.clone(), about: f.about.clone() });
        }
        io.feedback(ui, ADD);
    });
    if io.succeeded(ADD) {
        f.text.clear();
        f.about = None;
    }
    section(ui, "Notes");
    let notes: Vec<_> = v.gratitude.values().rev().collect();
    if notes.is_empty() {
        ui.label("No notes yet.");
        return;
    }
    let row = ui.text_style_height(&egui::TextStyle::Body) * 2.0 + ui.spacing().item_spacing.y;
    // Ten years of notes: only the visible rows are laid out.
    egui::ScrollArea::vertical().id_salt("gratitude").max_height(420.0).auto_shrink([false, true]).show_rows(ui, row, notes.len(), |ui, range| {
        for g in &notes[range] {
            // One line per note keeps rows the same height; the whole note shows on hover.
            ui.add(egui::Label::new(&g.text).truncate());
            ui.label(egui::RichText::new(format!("{}, {}", v.partner_name(&g.author), when(g.at))).weak());
        }
    });
}
