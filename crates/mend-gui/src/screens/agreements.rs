//! Agreements: proposed by me, waiting for me, agreed, up for review; propose, revise, accept.

use crate::app::Io;
use crate::forms::AgreementsForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, button_row_height, named_button, rows, section, short, when};
use mend_engine::Command;
use mend_engine::core::{Agreement, Category, RecordId};

pub const PROPOSE: &str = "agreements.propose";
pub const REVISE: &str = "agreements.revise";
pub const ACCEPT: &str = "agreements.accept";
pub const REVIEW: &str = "agreements.review";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut AgreementsForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    ui.heading("Agreements");
    ui.label("Boundaries you write together. A text is agreed only when you both accept that exact text.");

    section(ui, "Propose an agreement");
    egui::ComboBox::from_label("Category").selected_text(f.category.label()).show_ui(ui, |ui| {
        for c in Category::ALL {
            ui.selectable_value(&mut f.category, *c, c.label());
        }
    });
    area(ui, "Agreement text", &mut f.text);
    ui.horizontal_wrapped(|ui| {
        if ui.add_enabled(!io.busy(PROPOSE), crate::widgets::primary(ui, "Propose")).clicked() {
            io.exec(PROPOSE, Command::ProposeAgreement { category: f.category, text: f.text.clone() });
        }
        io.feedback(ui, PROPOSE);
    });
    if io.succeeded(PROPOSE) {
        f.text.clear();
    }
    if io.succeeded(REVISE) {
        f.revising = None;
    }
    if io.succeeded(REVIEW) {
        f.reviewing = None;
    }
    let l = &snap.lists;
    revising(ui, snap, f, io);
    reviewing(ui, snap, f, io);
    history(ui, snap, f);
    if l.agreements.is_empty() {
        section(ui, "Your agreements");
        crate::widgets::empty(
            ui,
            &format!(
                "No agreements yet. An agreement is a boundary you both accept, word for word; {} sees what you propose and can accept it or suggest other words. A small one is a good start: \u{201c}We take a pause when either of us asks.\u{201d}",
                snap.partner_name()
            ),
        );
    }
    let row = button_row_height(ui);
    for (group, ids) in &l.agreements {
        section(ui, &format!("{} ({})", group.title(), ids.len()));
        rows(ui, ("agreements", group.title()), ids.len(), row, 320.0, |ui, i| {
            let Some(a) = v.agreements.get(&ids[i]) else { return };
            let Some(cur) = a.current() else { return };
            let id = a.id.to_string();
            let s = short(&cur.text);
            ui.horizontal(|ui| {
                if a.waiting_for(&me.partner) && named_button(ui, "Accept", &format!("Accept: {s}")).clicked() {
                    io.exec(ACCEPT, Command::AcceptAgreement { id: id.clone() });
                }
                if !a.archived {
                    if named_button(ui, "Revise", &format!("Revise: {s}")).clicked() {
                        f.revising = Some((id.clone(), cur.text.clone()));
                    }
                    if named_button(ui, "Review", &format!("Plan a review: {s}")).clicked() {
                        f.reviewing = Some((id.clone(), String::new()));
                    }
                }
                if a.revisions.len() > 1 && named_button(ui, "History", &format!("History: {s}")).clicked() {
                    f.history = Some(id.clone());
                }
                let revisions = if a.revisions.len() > 1 { format!(" \u{b7} {} revisions", a.revisions.len()) } else { String::new() };
                let review =
                    a.review_at.filter(|_| !a.archived).map(|t| format!(" \u{b7} Review planned for {}", when(&snap.clock, t))).unwrap_or_default();
                ui.add(egui::Label::new(format!("{}: {}{revisions}{review}", a.category.label(), cur.text)).truncate());
            });
        });
    }
    io.feedback(ui, ACCEPT);
}

fn find<'a>(snap: &'a Snapshot, id: &str) -> Option<&'a Agreement> {
    snap.view.agreements.get(&RecordId::from_key(id))
}

/// The agreement being revised, with what was last agreed so both can see what changes.
fn revising(ui: &mut egui::Ui, snap: &Snapshot, f: &mut AgreementsForm, io: &mut Io) {
    let Some((id, text)) = f.revising.as_mut() else { return };
    let Some(a) = find(snap, id) else { return };
    let Some(cur) = a.current() else { return };
    let v = &snap.view;
    let mut cancel = false;
    crate::widgets::card(ui, |ui| {
        ui.label(egui::RichText::new(format!("Revising: {}", a.category.label())).strong());
        ui.label(format!("Now: \u{201c}{}\u{201d} (by {}, {})", cur.text, v.partner_name(&cur.author), when(&snap.clock, cur.at)));
        if let Some(prev) = a.last_agreed(&v.partner_ids()).filter(|r| r.id != cur.id) {
            ui.label(egui::RichText::new(format!("Last agreed: \u{201c}{}\u{201d}", prev.text)).weak());
        }
        area(ui, "Revised text", text);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Propose revision").clicked() {
                io.exec(REVISE, Command::ReviseAgreement { id: id.clone(), text: text.clone() });
            }
            cancel = ui.button("Cancel revision").clicked();
            io.feedback(ui, REVISE);
        });
    });
    if cancel {
        f.revising = None;
    }
}

/// Every revision of one agreement, newest first.
fn history(ui: &mut egui::Ui, snap: &Snapshot, f: &mut AgreementsForm) {
    let Some(id) = f.history.as_ref() else { return };
    let Some(a) = find(snap, id) else { return };
    let v = &snap.view;
    let partners = v.partner_ids();
    let mut close = false;
    crate::widgets::card(ui, |ui| {
        ui.label(egui::RichText::new(format!("{}: {} revisions", a.category.label(), a.revisions.len())).strong());
        for r in a.revisions.iter().rev() {
            let agreed = if partners.iter().all(|p| r.accepted_by.contains_key(*p)) { ", agreed by both" } else { "" };
            ui.label(format!("{}, {}{agreed}: {}", when(&snap.clock, r.at), v.partner_name(&r.author), r.text));
        }
        close = ui.button("Close history").clicked();
    });
    if close {
        f.history = None;
    }
}

/// "How does this feel now?": a date when the agreement comes up for review.
fn reviewing(ui: &mut egui::Ui, snap: &Snapshot, f: &mut AgreementsForm, io: &mut Io) {
    let Some((id, at)) = f.reviewing.as_mut() else { return };
    let Some(a) = find(snap, id) else { return };
    let mut cancel = false;
    crate::widgets::card(ui, |ui| {
        let text = a.current().map(|r| r.text.as_str()).unwrap_or_default();
        ui.label(egui::RichText::new(format!("Plan a review of \u{201c}{text}\u{201d}")).strong());
        if let Some(t) = a.review_at {
            ui.label(egui::RichText::new(format!("Review planned for {}", when(&snap.clock, t))).weak());
        }
        crate::widgets::field(ui, "Review on (2026-12-01, +30d)", at);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Plan review").clicked() {
                match snap.clock.parse(at) {
                    Ok(t) => io.exec(REVIEW, Command::ScheduleReview { id: id.clone(), at: Some(t) }),
                    Err(e) => io.refuse(REVIEW, e.to_string()),
                }
            }
            cancel = ui.button("Cancel review").clicked();
            io.feedback(ui, REVIEW);
        });
    });
    if cancel {
        f.reviewing = None;
    }
}
