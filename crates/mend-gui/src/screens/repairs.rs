//! Repairs: a guided apology, and the partner's answer whenever they are ready. Nothing here
//! reminds, counts days or asks for an answer.

use crate::app::Io;
use crate::forms::RepairsForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, button_row_height, rows, section, when};
use mend_engine::Command;
use mend_engine::core::{RecordId, RepairResponse};

pub const ADD: &str = "repairs.add";
pub const RESPOND: &str = "repairs.respond";

fn response_words(r: RepairResponse) -> &'static str {
    match r {
        RepairResponse::Received => "Received",
        RepairResponse::NeedTime => "I need time",
        RepairResponse::ReadyToTalk => "Ready to talk",
        RepairResponse::Forgiven => "Forgiven",
    }
}

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut RepairsForm, heard: &mut crate::forms::HeardForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    ui.heading("Repairs");
    ui.label("A genuine apology names what you did and its impact, and says what you will do differently. It does not ask for forgiveness.");

    section(ui, "Write a repair");
    area(ui, "1. What happened", &mut f.what_happened);
    area(ui, "2. What I did", &mut f.what_i_did);
    area(ui, "3. The impact I understand it had on you", &mut f.impact);
    area(ui, "4. What I will do differently", &mut f.next_time);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(ADD), crate::widgets::primary(ui, "Share repair")).clicked() {
            io.exec(
                ADD,
                Command::AddRepair {
                    what_happened: f.what_happened.clone(),
                    what_i_did: f.what_i_did.clone(),
                    impact: f.impact.clone(),
                    next_time: f.next_time.clone(),
                },
            );
        }
        io.feedback(ui, ADD);
    });
    if io.succeeded(ADD) {
        *f = RepairsForm::default();
    }

    let l = &snap.lists;
    section(ui, &format!("Repairs between you ({})", l.repairs.len()));
    if l.repairs.is_empty() {
        crate::widgets::empty(
            ui,
            &format!(
                "No repairs yet. When something went wrong between you, the steps above help you say what happened, what you did, how it landed and what you will do next time. {} answers whenever ready.",
                snap.partner_name()
            ),
        );
        return;
    }
    // One repair is open to read and answer: the one picked below, or else the first of the
    // list (one still waiting for my answer, or the newest).
    let open = f.open.as_deref().map(RecordId::from_key).filter(|id| v.repairs.contains_key(id)).or_else(|| l.repairs.first().cloned());
    if let Some(r) = open.as_ref().and_then(|id| v.repairs.get(id)) {
        crate::widgets::card(ui, |ui| {
            crate::widgets::byline(ui, snap, &r.author, "From ", &format!(", {}", when(&snap.clock, r.at)));
            ui.label(format!("What happened: {}", r.what_happened));
            ui.label(format!("What I did: {}", r.what_i_did));
            ui.label(format!("The impact: {}", r.impact));
            ui.label(format!("Next time: {}", r.next_time));
            match &r.answer {
                Some(a) => ui.label(format!("{} answered: {} ({})", v.partner_name(&a.by), response_words(a.response), when(&snap.clock, a.at))),
                None => ui.label(egui::RichText::new("No answer yet, and none is needed until they are ready.").weak()),
            };
            if r.author != me.partner {
                ui.horizontal_wrapped(|ui| {
                    for resp in RepairResponse::ALL {
                        if ui.button(response_words(*resp)).clicked() {
                            io.exec(RESPOND, Command::RespondRepair { id: r.id.to_string(), response: *resp });
                        }
                    }
                });
            }
            ui.add_space(6.0);
            super::heard::block(ui, snap, &r.id, &r.author, heard, io);
        });
    }
    io.feedback(ui, RESPOND);
    if l.repairs.len() < 2 {
        return;
    }
    ui.label(egui::RichText::new("Pick one to read it in full.").weak());
    let row = button_row_height(ui);
    rows(ui, "repairs", l.repairs.len(), row, 320.0, |ui, i| {
        let Some(r) = v.repairs.get(&l.repairs[i]) else { return };
        let answer = match &r.answer {
            Some(a) => format!("answered: {}", response_words(a.response)),
            None => "no answer yet".into(),
        };
        let text = format!("From {}, {}: {} ({answer})", v.partner_name(&r.author), when(&snap.clock, r.at), r.what_happened);
        let picked = open.as_ref() == Some(&r.id);
        if ui.add(egui::Button::selectable(picked, text).truncate()).clicked() {
            f.open = Some(r.id.to_string());
        }
    });
}
