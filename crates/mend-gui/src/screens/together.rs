//! Together: the question of the day (each answer sealed until both answered), goals in
//! small steps, and time together. Nothing here counts days, scolds or reminds: a step not
//! done is simply not done yet, and a question not answered simply waits.

use crate::app::Io;
use crate::forms::TogetherForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, card, field, named_button, none_opt, section, short, when};
use mend_engine::Command;
use mend_engine::core::TogetherKind;
use mend_engine::core::decks::ideas::IDEAS;
use mend_engine::questions::{Asked, Shown};

pub const ANSWER: &str = "together.answer";
pub const GOAL: &str = "together.goal";
pub const STEP: &str = "together.step";
pub const DONE: &str = "together.done";
pub const PLAN: &str = "together.plan";
pub const IDEA: &str = "together.idea";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut TogetherForm, io: &mut Io) {
    ui.heading("Together");
    ui.label("A question for the two of you, goals in small steps, and time together.");
    section(ui, "Today's question");
    question_card(ui, snap, f, io);
    past_questions(ui, snap);
    goals(ui, snap, f, io);
    time_together(ui, snap, f, io);
}

fn partner_name(snap: &Snapshot) -> String {
    snap.partner().map(|p| p.name.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "your partner".into())
}

/// Today's question: answer it (sealed), or read both answers once both answered. Also on
/// Today.
pub fn question_card(ui: &mut egui::Ui, snap: &Snapshot, f: &mut TogetherForm, io: &mut Io) {
    let Some(asked) = snap.asked.as_deref() else { return };
    let today = &asked.0;
    let them = partner_name(snap);
    card(ui, |ui| {
        ui.label(egui::RichText::new(today.depth).weak());
        ui.label(egui::RichText::new(&today.text).size(17.0));
        match &today.mine {
            None => {
                area(ui, "Your answer", &mut f.answer);
                ui.label(
                    egui::RichText::new(format!(
                        "Sealed until {them} has answered this question too: until then no one else can read it, not even on {them}'s devices."
                    ))
                    .weak(),
                );
                ui.horizontal(|ui| {
                    if ui.add_enabled(!io.busy(ANSWER), crate::widgets::primary(ui, "Share my answer")).clicked() {
                        io.exec(ANSWER, Command::AnswerQuestion { day: today.day.clone(), question: today.question.clone(), text: f.answer.clone() });
                    }
                    io.feedback(ui, ANSWER);
                });
                ui.label(egui::RichText::new("Not today? That's fine: there is a new question tomorrow.").weak());
            }
            Some(_) => answers(ui, today, &them),
        }
    });
    if io.succeeded(ANSWER) {
        f.answer.clear();
    }
}

/// Both answers, or what is sealed, in words.
fn answers(ui: &mut egui::Ui, a: &Asked, them: &str) {
    match &a.mine {
        Some((_, Shown::Open(t))) => {
            ui.label(format!("You: {t}"));
        }
        Some((_, Shown::MineSealed(t))) => {
            ui.label(format!("You: {t}"));
            ui.label(egui::RichText::new(format!("Sealed until {them} answers. Only this device can read it until then.")).weak());
        }
        Some((_, Shown::Sealed)) => {
            ui.label("You answered on another of your devices. It opens there once both of you have answered.");
        }
        Some((_, Shown::Unreadable)) | None => {}
    }
    match (&a.theirs, &a.mine) {
        (Some((_, Shown::Open(t))), _) => {
            ui.label(format!("{them}: {t}"));
        }
        (Some(_), Some(_)) => {
            ui.label(egui::RichText::new(format!("{them} answered too. Their answer opens as soon as their device syncs.")).weak());
        }
        (Some(_), None) => {
            ui.label(egui::RichText::new(format!("{them} answered. You'll read it once you have answered too.")).weak());
        }
        (None, _) => {}
    }
}

fn past_questions(ui: &mut egui::Ui, snap: &Snapshot) {
    let Some(asked) = snap.asked.as_deref() else { return };
    let past: Vec<&Asked> = asked.1.iter().filter(|a| a.day != asked.0.day || a.question != asked.0.question).collect();
    if past.is_empty() {
        return;
    }
    let them = partner_name(snap);
    egui::CollapsingHeader::new(format!("Questions you answered before ({})", past.len())).id_salt("together.past").show(ui, |ui| {
        for a in past.iter().take(60) {
            ui.label(egui::RichText::new(format!("{}: {}", a.day, a.text)).strong());
            answers(ui, a, &them);
            ui.add_space(6.0);
        }
    });
}

fn goals(ui: &mut egui::Ui, snap: &Snapshot, f: &mut TogetherForm, io: &mut Io) {
    let v = &snap.view;
    section(ui, "Goals");
    ui.label("Something you want to grow towards together, in small steps. Either of you adds steps and marks them done.");
    ui.horizontal(|ui| {
        let l = ui.label("A new goal");
        ui.add(egui::TextEdit::singleline(&mut f.goal).desired_width(360.0)).labelled_by(l.id);
        if ui.add_enabled(!io.busy(GOAL), crate::widgets::primary(ui, "Set goal")).clicked() {
            io.exec(GOAL, Command::AddGoal { text: f.goal.clone() });
        }
        io.feedback(ui, GOAL);
    });
    if io.succeeded(GOAL) {
        f.goal.clear();
    }
    // Goals still growing, newest first, as cards; celebrated ones folded, one line each:
    // ten years of goals must not be laid out in every frame.
    let mut growing: Vec<_> = v.goals.values().filter(|g| g.celebrated.is_none()).collect();
    growing.sort_by_key(|g| std::cmp::Reverse(g.at));
    if v.goals.is_empty() {
        crate::widgets::empty(
            ui,
            "No goals yet. A goal is something you grow toward together, one small step at a time. A small one is a good start: \u{201c}A walk together every Sunday.\u{201d}",
        );
    }
    let celebrated = v.goals.len() - growing.len();
    if celebrated > 0 {
        egui::CollapsingHeader::new(format!("Celebrated ({celebrated})")).id_salt("together.celebrated").show(ui, |ui| {
            let mut done: Vec<_> = v.goals.values().filter_map(|g| g.celebrated.as_ref().map(|c| (c.at, g))).collect();
            done.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
            for (at, g) in done.into_iter().take(100) {
                ui.label(format!("{}  ({}, {} steps)", g.text, when(&snap.clock, at), g.steps.len()));
            }
        });
    }
    for g in growing.into_iter().take(20) {
        card(ui, |ui| {
            let state = match &g.celebrated {
                Some(c) => format!("celebrated {}", when(&snap.clock, c.at)),
                None if g.steps.is_empty() => "no steps yet".to_owned(),
                None => format!("{} of {} steps done", g.steps_done(), g.steps.len()),
            };
            ui.horizontal_wrapped(|ui| {
                ui.label(egui::RichText::new(&g.text).strong());
                ui.label(egui::RichText::new(state).weak());
            });
            for s in &g.steps {
                ui.horizontal(|ui| match &s.done {
                    Some(d) => {
                        ui.label(&s.text);
                        ui.label(egui::RichText::new(format!("done by {}", v.partner_name(&d.by))).weak());
                    }
                    None => {
                        ui.label(&s.text);
                        if named_button(ui, "Done", &format!("Done: {}", short(&s.text))).clicked() {
                            io.exec(DONE, Command::DoneGoalStep { step: s.id.to_string() });
                        }
                    }
                });
            }
            if g.celebrated.is_none() {
                let typed = f.steps.entry(g.id.to_string()).or_default();
                ui.horizontal(|ui| {
                    let l = ui.label("A small step");
                    ui.add(egui::TextEdit::singleline(typed).desired_width(300.0)).labelled_by(l.id);
                    if named_button(ui, "Add step", &format!("Add step to: {}", short(&g.text))).clicked() {
                        f.step_for = Some(g.id.to_string());
                        io.exec(STEP, Command::AddGoalStep { goal: g.id.to_string(), text: typed.clone() });
                    }
                    let all_done = !g.steps.is_empty() && g.steps_done() == g.steps.len();
                    if all_done && named_button(ui, "Celebrate", &format!("Celebrate: {}", short(&g.text))).clicked() {
                        io.exec(DONE, Command::CelebrateGoal { id: g.id.to_string() });
                    }
                });
            }
        });
    }
    io.feedback(ui, STEP);
    io.feedback(ui, DONE);
    if io.succeeded(STEP)
        && let Some(id) = f.step_for.take()
    {
        f.steps.remove(&id);
    }
}

fn time_together(ui: &mut egui::Ui, snap: &Snapshot, f: &mut TogetherForm, io: &mut Io) {
    let v = &snap.view;
    section(ui, "Time together");
    ui.label("Plan time for the two of you: a walk, a meal, something new.");
    field(ui, "What", &mut f.plan);
    field(ui, "When (optional, like 2026-12-12 18:00, 18:30 or +3d)", &mut f.plan_when);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(PLAN), crate::widgets::primary(ui, "Plan it")).clicked() {
            match none_opt(&f.plan_when).map(|w| snap.clock.parse(&w)).transpose() {
                Ok(when) => io.exec(PLAN, Command::PlanTogether { text: f.plan.clone(), when }),
                Err(_) => io.refuse(PLAN, "Mend could not read that time: try 18:30, 2026-12-12 18:30, 2026-12-12 or +3d."),
            }
        }
        io.feedback(ui, PLAN);
    });
    if io.succeeded(PLAN) {
        f.plan.clear();
        f.plan_when.clear();
    }
    // Plans still ahead, soonest first; the ones done folded, newest first.
    let mut ahead: Vec<_> = v.together.values().filter(|t| t.kind != TogetherKind::Idea && t.done.is_none()).collect();
    if ahead.is_empty() {
        crate::widgets::empty(
            ui,
            "Nothing planned yet. The ideas below are there when you want one: an evening without screens, a walk, a meal cooked together.",
        );
    }
    ahead.sort_by_key(|t| t.when.unwrap_or(t.at));
    for t in ahead.into_iter().take(20) {
        ui.horizontal_wrapped(|ui| {
            let at = t.when.map(|w| format!(" ({})", when(&snap.clock, w))).unwrap_or_default();
            ui.label(format!("{}{at}", t.text));
            if named_button(ui, "We did it", &format!("We did it: {}", short(&t.text))).clicked() {
                io.exec(DONE, Command::DoneTogether { id: t.id.to_string() });
            }
        });
    }
    let done = v.together.values().filter(|t| t.done.is_some()).count();
    if done > 0 {
        egui::CollapsingHeader::new(format!("Done together ({done})")).id_salt("together.done").show(ui, |ui| {
            let mut list: Vec<_> = v.together.values().filter_map(|t| t.done.as_ref().map(|d| (d.at, t))).collect();
            list.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
            for (at, t) in list.into_iter().take(100) {
                ui.label(format!("{}  ({})", t.text, when(&snap.clock, at)));
            }
        });
    }
    egui::CollapsingHeader::new("Ideas").id_salt("together.ideas").show(ui, |ui| {
        ui.horizontal(|ui| {
            let l = ui.label("An idea of yours");
            ui.add(egui::TextEdit::singleline(&mut f.idea).desired_width(300.0)).labelled_by(l.id);
            if ui.add_enabled(!io.busy(IDEA), egui::Button::new("Add idea")).clicked() {
                io.exec(IDEA, Command::AddIdea { text: f.idea.clone() });
            }
            io.feedback(ui, IDEA);
        });
        if io.succeeded(IDEA) {
            f.idea.clear();
        }
        let theirs = v.together.values().filter(|t| t.kind == TogetherKind::Idea).map(|t| t.text.as_str());
        for text in theirs.chain(IDEAS.iter().map(|i| i.text)) {
            ui.horizontal(|ui| {
                ui.label(text);
                if named_button(ui, "Plan this", &format!("Plan this: {}", short(text))).clicked() {
                    f.plan = text.to_owned();
                }
            });
        }
    });
}
