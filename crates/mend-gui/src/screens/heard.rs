//! "What I heard", under a repair or a check-in's shared answer: the other partner writes
//! back what they understood, and the one who wrote says "yes, that's it" or "not quite".

use crate::app::Io;
use crate::forms::HeardForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, field, named_button, when};
use mend_engine::Command;
use mend_engine::core::{HeardAnswer, PartnerId, RecordId};

pub const WRITE: &str = "heard.write";
pub const ANSWER: &str = "heard.answer";

/// The reflections on `about` (written by `author`), and what this partner can do with them.
pub fn block(ui: &mut egui::Ui, snap: &Snapshot, about: &RecordId, author: &PartnerId, f: &mut HeardForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    let key = about.to_string();
    for h in v.heard_on(about) {
        ui.label(format!("{} heard: {}", v.partner_name(&h.author), h.text));
        match &h.answer {
            Some(a) => {
                let said = match a.answer {
                    HeardAnswer::Yes => "Yes, that's it".to_owned(),
                    HeardAnswer::NotQuite => format!("Not quite{}", a.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default()),
                };
                ui.label(egui::RichText::new(format!("{}: {said} ({})", v.partner_name(&h.to), when(&snap.clock, a.at))).weak());
            }
            None if h.to == me.partner => {
                ui.horizontal_wrapped(|ui| {
                    if named_button(ui, "Yes, that's it", "Yes, that's it").clicked() {
                        io.exec(ANSWER, Command::AnswerHeard { about: key.clone(), answer: HeardAnswer::Yes, note: None });
                    }
                });
                let line = f.not_quite.entry(key.clone()).or_default();
                field(ui, "Not quite: what I meant (optional)", line);
                if named_button(ui, "Not quite", "Not quite").clicked() {
                    let note = Some(line.trim().to_owned()).filter(|n| !n.is_empty());
                    f.sent_for = Some(key.clone());
                    io.exec(ANSWER, Command::AnswerHeard { about: key.clone(), answer: HeardAnswer::NotQuite, note });
                }
                io.feedback(ui, ANSWER);
            }
            None => {
                ui.label(egui::RichText::new("Not answered yet, and nothing needs an answer.").weak());
            }
        }
    }
    if author != &me.partner {
        let text = f.text.entry(key.clone()).or_default();
        area(ui, "What I heard (in my own words)", text);
        ui.horizontal(|ui| {
            if ui.add_enabled(!io.busy(WRITE), crate::widgets::primary(ui, "Share what I heard")).clicked() {
                f.sent_for = Some(key.clone());
                io.exec(WRITE, Command::WriteHeard { about: key.clone(), text: text.clone() });
            }
            io.feedback(ui, WRITE);
        });
    }
    if (io.succeeded(WRITE) | io.succeeded(ANSWER))
        && let Some(k) = f.sent_for.take()
    {
        f.text.remove(&k);
        f.not_quite.remove(&k);
    }
}
