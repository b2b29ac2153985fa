//! Gratitude: notes of thanks, newest first; write one.

use crate::app::Io;
use crate::forms::GratitudeForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, rows, section, short, when};
use mend_engine::Command;
use mend_engine::core::RecordId;

pub const ADD: &str = "gratitude.add";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut GratitudeForm, io: &mut Io) {
    let v = &snap.view;
    ui.heading("Gratitude");
    ui.label("Notice the effort. A short thank-you, for something small, counts.");
    area(ui, "Thank-you note", &mut f.text);
    let l = &snap.lists;
    let about_text = f.about.as_ref().and_then(|id| {
        let id = RecordId::from_key(id);
        v.promises.get(&id).map(|p| p.text.clone()).or_else(|| v.agreements.get(&id).and_then(|a| a.current()).map(|r| r.text.clone()))
    });
    egui::ComboBox::from_label("About (optional)")
        .selected_text(about_text.as_deref().map(short).unwrap_or_else(|| "Nothing in particular".into()))
        .height(320.0)
        .show_ui(ui, |ui| {
            ui.selectable_value(&mut f.about, None, "Nothing in particular");
            for (id, label) in &l.thanks_about {
                ui.selectable_value(&mut f.about, Some(id.to_string()), label);
            }
        });
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(ADD), crate::widgets::primary(ui, "Save note")).clicked() {
            io.exec(ADD, Command::AddGratitude { text: f.text.clone(), about: f.about.clone() });
        }
        io.feedback(ui, ADD);
    });
    if io.succeeded(ADD) {
        f.text.clear();
        f.about = None;
    }
    section(ui, "Notes");
    let notes = &l.gratitude_newest_first;
    if notes.is_empty() {
        crate::widgets::empty(
            ui,
            &format!("No notes yet. Noticing one kind thing today is a start: write it above, and {} will see it.", snap.partner_name()),
        );
        return;
    }
    let line = ui.text_style_height(&egui::TextStyle::Body);
    let row = 2.0 * line + ui.spacing().item_spacing.y;
    // Ten years of notes: only the visible rows are laid out. One line per note keeps rows
    // the same height; the whole note shows on hover.
    rows(ui, "gratitude", notes.len(), row, 420.0, |ui, i| {
        let Some(g) = v.gratitude.get(&notes[i]) else { return };
        ui.add(egui::Label::new(&g.text).truncate());
        crate::widgets::byline(ui, snap, &g.author, "", &format!(", {}", when(&snap.clock, g.at)));
    });
}
