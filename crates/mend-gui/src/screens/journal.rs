//! Journal: private, on this device only, locked until the passphrase is given.

use crate::app::Io;
use crate::backend::Request;
use crate::forms::JournalForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, field, section};
use mend_journal::{NewEntry, feel, prompts};

pub const UNLOCK: &str = "journal.unlock";
pub const ADD: &str = "journal.add";
pub const DELETE: &str = "journal.delete";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut JournalForm, io: &mut Io) {
    ui.heading("Journal");
    ui.label("Private: it stays on this device, encrypted with your passphrase, and is never synced. Your partner cannot see it.");
    if !snap.journal.unlocked {
        let label = if snap.journal.exists { "Passphrase" } else { "Choose a passphrase (a few unrelated words)" };
        let l = ui.label(label);
        let r = ui.add(egui::TextEdit::singleline(&mut *f.passphrase).password(true).desired_width(320.0)).labelled_by(l.id);
        let mut enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        // A new passphrase is typed twice: a typo here would lock the journal for good.
        if !snap.journal.exists {
            let l = ui.label("Type it again");
            let r = ui.add(egui::TextEdit::singleline(&mut *f.again).password(true).desired_width(320.0)).labelled_by(l.id);
            enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        }
        ui.horizontal(|ui| {
            let word = if snap.journal.exists { "Unlock" } else { "Start my journal" };
            if ui.add_enabled(!io.busy(UNLOCK), egui::Button::new(word)).clicked() || enter {
                let again = (!snap.journal.exists).then(|| f.again.clone());
                io.send(UNLOCK, Request::JournalUnlock { passphrase: f.passphrase.clone(), again });
            }
            io.feedback(ui, UNLOCK);
        });
        ui.label(egui::RichText::new("Mend cannot recover a forgotten passphrase.").weak());
        return;
    }
    if io.succeeded(UNLOCK) {
        // The passphrase is not kept in the form once it has done its job.
        *f.passphrase = String::new();
        *f.again = String::new();
    }
    if ui.button("Lock journal").clicked() {
        io.send(UNLOCK, Request::JournalLock);
    }

    section(ui, "Write");
    let today = prompts::for_day(snap.clock.now().0 / mend_engine::core::Timestamp::DAY);
    let chosen = f.prompt.and_then(prompts::find).unwrap_or(today);
    egui::ComboBox::from_label("Prompt").selected_text(crate::widgets::short(chosen.text)).show_ui(ui, |ui| {
        for p in prompts::PROMPTS {
            ui.selectable_value(&mut f.prompt, Some(p.id), p.text);
        }
    });
    ui.label(egui::RichText::new(chosen.text).italics());
    area(ui, "Entry", &mut f.text);
    ui.horizontal(|ui| {
        ui.label("Mood");
        for m in 1..=5u8 {
            ui.selectable_value(&mut f.mood, Some(m), format!("Mood {m}"));
        }
    });
    ui.label(egui::RichText::new("1 is very low, 5 very good. Your mood stays in your journal, on this device only, like the entry.").weak());
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(ADD), crate::widgets::primary(ui, "Save entry")).clicked() {
            let entry = NewEntry { text: f.text.clone(), mood: f.mood, prompt: Some(chosen.text.to_owned()), tags: vec![] };
            io.send(ADD, Request::JournalAdd { entry });
        }
        io.feedback(ui, ADD);
    });
    if io.succeeded(ADD) {
        f.text.clear();
        f.mood = None;
    }

    section(ui, "The \"I feel\" helper");
    ui.label("Write what you want to say; Mend suggests a way your partner can hear. Nothing here is saved.");
    area(ui, "Draft", &mut f.feel_draft);
    if !f.feel_draft.trim().is_empty() {
        let g = feel::guide(&f.feel_draft);
        for found in &g.found {
            ui.label(format!("\u{201c}{}\u{201d}: {}", found.words, found.why));
        }
        ui.label(egui::RichText::new(&g.sentence).strong());
        for q in &g.questions {
            ui.label(format!("• {q}"));
        }
    }

    section(ui, "Entries");
    field(ui, "Search entries", &mut f.search);
    let shown: Vec<&mend_journal::Entry> = snap.journal.entries.iter().filter(|e| e.matches(&f.search)).collect();
    if shown.is_empty() {
        if snap.journal.entries.is_empty() {
            crate::widgets::empty(
                ui,
                &format!(
                    "No entries yet. This journal is yours alone, locked with your passphrase; {} never sees it. A few lines about today are a start.",
                    snap.partner_name()
                ),
            );
        } else {
            ui.label("No entry matches.");
        }
        io.feedback(ui, DELETE);
        return;
    }
    // The entry open to read in full: the one picked below, or else the newest that matches.
    let open = f.open.as_ref().and_then(|id| shown.iter().find(|e| &e.id == id)).or(shown.first()).copied();
    if let Some(e) = open {
        crate::widgets::card(ui, |ui| {
            ui.label(egui::RichText::new(heading(&snap.clock, e)).weak());
            ui.label(&e.text);
            let asking = ui.scope_id().with(("journal.delete.confirm", e.id.as_str()));
            if !ui.data(|m| m.get_temp::<bool>(asking).unwrap_or(false)) {
                if ui.button(format!("Delete entry: {}", crate::widgets::short(&e.text))).clicked() {
                    ui.data_mut(|m| m.insert_temp(asking, true));
                }
            } else {
                ui.label(mend_engine::asking::DELETING_ENTRY);
                ui.horizontal_wrapped(|ui| {
                    if ui.button("Yes, delete it for good").clicked() {
                        io.send(DELETE, Request::JournalDelete { id: e.id.clone() });
                        ui.data_mut(|m| m.insert_temp(asking, false));
                    }
                    if ui.button("Keep it").clicked() {
                        ui.data_mut(|m| m.insert_temp(asking, false));
                    }
                });
            }
        });
    }
    io.feedback(ui, DELETE);
    if shown.len() < 2 {
        return;
    }
    ui.label(egui::RichText::new(format!("{} entries. Pick one to read it in full.", shown.len())).weak());
    let row = crate::widgets::button_row_height(ui);
    crate::widgets::rows(ui, "journal entries", shown.len(), row, 360.0, |ui, i| {
        let e = shown[i];
        let picked = open.is_some_and(|o| o.id == e.id);
        if ui.add(egui::Button::selectable(picked, format!("{}: {}", heading(&snap.clock, e), e.text)).truncate()).clicked() {
            f.open = Some(e.id.clone());
        }
    });
}

fn heading(clock: &mend_engine::when::Clock, e: &mend_journal::Entry) -> String {
    let at = mend_engine::core::Timestamp(e.created_at);
    format!("{}{}", crate::widgets::when(clock, at), e.mood.map(|m| format!(", mood {m}")).unwrap_or_default())
}
