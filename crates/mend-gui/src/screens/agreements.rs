//! Agreements: proposed by me, waiting for me, agreed, up for review; propose, revise, accept.

use crate::app::Io;
use crate::forms::AgreementsForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, section, when};
use mend_engine::Command;
use mend_engine::core::{Agreement, AgreementState, Category};

pub const PROPOSE: &str = "agreements.propose";
pub const REVISE: &str = "agreements.revise";
pub const ACCEPT: &str = "agreements.accept";
pub const REVIEW: &str = "agreements.review";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut AgreementsForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    let now = mend_engine::when::now();
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
        if ui.add_enabled(!io.busy(PROPOSE), egui::Button::new("Propose")).clicked() {
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
    let partners = v.partner_ids();
    let groups: [(&str, Box<dyn Fn(&Agreement) -> bool>); 5] = [
        ("Waiting for you", Box::new(|a: &Agreement| a.state(&partners) == AgreementState::Proposed && a.waiting_for(&me.partner))),
        ("Up for review", Box::new(|a: &Agreement| a.state(&partners) == AgreementState::Agreed && a.due_for_review(now))),
        ("Agreed", Box::new(|a: &Agreement| a.state(&partners) == AgreementState::Agreed && !a.due_for_review(now))),
        (
            "Proposed, waiting for your partner",
            Box::new(|a: &Agreement| a.state(&partners) == AgreementState::Proposed && !a.waiting_for(&me.partner)),
        ),
        ("Withdrawn", Box::new(|a: &Agreement| a.state(&partners) == AgreementState::Archived)),
    ];
    for (title, pick) in groups.iter() {
        let list: Vec<&Agreement> = v.agreements.values().filter(|a| pick(a)).collect();
        if list.is_empty() {
            continue;
        }
        section(ui, title);
        for a in list {
            agreement(ui, snap, a, f, io);
        }
    }
    io.feedback(ui, ACCEPT);
}

fn agreement(ui: &mut egui::Ui, snap: &Snapshot, a: &Agreement, f: &mut AgreementsForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    let Some(cur) = a.current() else { return };
    let id = a.id.to_string();
    crate::widgets::card(ui, |ui| {
        ui.label(egui::RichText::new(a.category.label()).weak());
        ui.label(&cur.text);
        let agreed = a.last_agreed(&v.partner_ids());
        if let Some(prev) = agreed.filter(|r| r.id != cur.id) {
            ui.label(egui::RichText::new(format!("Agreed before: \u{201c}{}\u{201d}", prev.text)).weak());
        }
        ui.label(egui::RichText::new(format!("by {}, {}", v.partner_name(&cur.author), when(cur.at))).weak());
        ui.horizontal_wrapped(|ui| {
            if a.waiting_for(&me.partner) && ui.button(format!("Accept: {}", short(&cur.text))).clicked() {
                io.exec(ACCEPT, Command::AcceptAgreement { id: id.clone() });
            }
            if !a.archived && f.revising.is_none() && ui.button(format!("Revise: {}", short(&cur.text))).clicked() {
                f.revising = Some((id.clone(), cur.text.clone()));
            }
        });
        review(ui, a, f, io);
        let mut cancel = false;
        if let Some((_, text)) = f.revising.as_mut().filter(|(rid, _)| *rid == id) {
            area(ui, "Revised text", text);
            ui.horizontal_wrapped(|ui| {
                if ui.button("Propose revision").clicked() {
                    io.exec(REVISE, Command::ReviseAgreement { id: id.clone(), text: text.clone() });
                }
                cancel = ui.button("Cancel revision").clicked();
                io.feedback(ui, REVISE);
            });
        }
        if cancel {
            f.revising = None;
        }
        if a.revisions.len() > 1 {
            egui::CollapsingHeader::new(format!("{} revisions", a.revisions.len())).id_salt(("revs", &id)).show(ui, |ui| {
                for r in a.revisions.iter().rev() {
                    ui.label(format!("{}, {}: {}", when(r.at), v.partner_name(&r.author), r.text));
                }
            });
        }
    });
}

/// A few words of a text, so each button names what it acts on.
pub fn short(text: &str) -> String {
    let t: String = text.chars().take(40).collect();
    if t.len() < text.len() { format!("{t}…") } else { t }
}

/// "How does this feel now?": a date when the agreement comes up for review.
fn review(ui: &mut egui::Ui, a: &Agreement, f: &mut AgreementsForm, io: &mut Io) {
    if a.archived {
        return;
    }
    let id = a.id.to_string();
    if let Some(at) = a.review_at {
        ui.label(egui::RichText::new(format!("Review planned for {}", when(at))).weak());
    }
    if f.reviewing.is_none() {
        if ui.button(format!("Plan a review: {}", a.current().map(|r| short(&r.text)).unwrap_or_default())).clicked() {
            f.reviewing = Some((id, String::new()));
        }
        return;
    }
    let mut cancel = false;
    if let Some((_, at)) = f.reviewing.as_mut().filter(|(rid, _)| *rid == id) {
        crate::widgets::field(ui, "Review on (2026-12-01, +30d)", at);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Plan review").clicked() {
                match mend_engine::when::parse(at, mend_engine::when::now()) {
                    Ok(t) => io.exec(REVIEW, Command::ScheduleReview { id: id.clone(), at: Some(t) }),
                    Err(e) => io.refuse(REVIEW, e.to_string()),
                }
            }
            cancel = ui.button("Cancel review").clicked();
            io.feedback(ui, REVIEW);
        });
    }
    if cancel {
        f.reviewing = None;
    }
}
