//! Check-ins: how connected, trusting and heard each of you feels (1 to 5), and the trend.

use crate::app::Io;
use crate::forms::CheckInsForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, none_opt, rating, rows, section, when};
use mend_engine::Command;
use mend_engine::core::CheckInKind;

pub const ADD: &str = "checkins.add";

/// What the numbers mean, the same words as `mend checkin add --help`.
pub const SCALE: &str = "From 1 to 5: 1 means not at all, 5 means very much. Connection: 1 is feeling far apart, 5 feeling close. Trust: 1 is finding it hard to trust right now, 5 trusting fully. Feeling heard: 1 is not feeling listened to, 5 feeling fully heard.";

const DAILY_PROMPT: &str = "How are you really doing today? What is one thing that helped, and one that was hard?";
const WEEKLY_PROMPT: &str = "Looking back on this week: when did you feel close? What would you like more of next week?";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut CheckInsForm, heard: &mut crate::forms::HeardForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    ui.heading("Check-ins");
    ui.horizontal(|ui| {
        ui.selectable_value(&mut f.kind, CheckInKind::Daily, "Daily (15 minutes)");
        ui.selectable_value(&mut f.kind, CheckInKind::Weekly, "Weekly (longer)");
    });
    let prompt = if f.kind == CheckInKind::Daily { DAILY_PROMPT } else { WEEKLY_PROMPT };
    ui.label(egui::RichText::new(prompt).italics());
    // Said before anything is typed: a check-in is not a diary, and a low rating is seen.
    let them = snap.partner().map(|p| p.name.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "your partner".into());
    ui.label(format!(
        "Shared with {them}: your three ratings, the question and your answer all show on {them}'s devices too. Thoughts just for you belong in your Journal."
    ));
    ui.label(egui::RichText::new(SCALE).weak());
    rating(ui, "Connection", &mut f.connection);
    rating(ui, "Trust", &mut f.trust);
    rating(ui, "Feeling heard", &mut f.heard);
    area(ui, "Shared answer (optional)", &mut f.note);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(ADD), crate::widgets::primary(ui, "Save check-in")).clicked() {
            io.exec(
                ADD,
                Command::AddCheckIn {
                    kind: f.kind,
                    prompt: Some(prompt.to_owned()),
                    connection: f.connection,
                    trust: f.trust,
                    heard: f.heard,
                    note: none_opt(&f.note),
                },
            );
        }
        io.feedback(ui, ADD);
    });
    if io.succeeded(ADD) {
        f.note.clear();
    }

    let l = &snap.lists;
    section(ui, "Trend");
    let lines = crate::style::Palette::of(ui.visuals()).chart;
    for t in l.trends.iter().filter(|t| t.kind == f.kind) {
        let who = if t.partner == me.partner { "You" } else { v.partner_name(&t.partner) };
        ui.label(format!("{who}: {} check-ins", t.count));
        let resp = egui_plot::Plot::new(("trend", t.partner.to_string(), t.kind.to_string()))
            .height(140.0)
            .include_y(1.0)
            .include_y(5.0)
            .legend(egui_plot::Legend::default())
            .x_axis_label("check-ins, oldest to newest")
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .allow_boxed_zoom(false)
            .allow_double_click_reset(false)
            .show(ui, |pl| {
                for ((name, colour), points) in ["connection", "trust", "heard"].iter().zip(lines).zip(&t.lines) {
                    pl.line(egui_plot::Line::new(*name, points.clone()).color(colour));
                }
            });
        resp.response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, "Check-in trend chart"));
    }

    // Listening, written down: the partner's newest shared answer, and what was heard of it.
    let latest = l
        .checkins_newest_first
        .iter()
        .filter_map(|id| v.checkins.get(id))
        .find(|c| c.author != me.partner && c.note.as_deref().is_some_and(|n| !n.trim().is_empty()));
    if let Some(c) = latest {
        section(ui, &format!("{}'s latest answer", v.partner_name(&c.author)));
        crate::widgets::card(ui, |ui| {
            ui.label(egui::RichText::new(when(&snap.clock, c.at)).weak());
            ui.label(c.note.as_deref().unwrap_or_default());
            super::heard::block(ui, snap, &c.id, &c.author, heard, io);
        });
    }
    // My own newest answer with a reflection waiting for my word.
    // From the reflections (few), not the check-ins (ten years of them), in every frame.
    let mine = v
        .heard
        .values()
        .filter(|h| h.to == me.partner && h.about_kind == mend_engine::core::HeardAbout::CheckIn)
        .max_by_key(|h| h.at)
        .and_then(|h| v.checkins.get(&h.about))
        .filter(|c| c.author == me.partner);
    if let Some(c) = mine {
        section(ui, "What was heard in your answer");
        crate::widgets::card(ui, |ui| {
            ui.label(egui::RichText::new(format!("{}: {}", when(&snap.clock, c.at), c.note.as_deref().unwrap_or_default())).weak());
            super::heard::block(ui, snap, &c.id, &c.author, heard, io);
        });
    }

    section(ui, "Recent check-ins");
    let all = &l.checkins_newest_first;
    if all.is_empty() {
        crate::widgets::empty(
            ui,
            &format!(
                "No check-ins yet. A check-in takes a minute: three ratings and a line if you like, shared with {}. Over the weeks, the trend above shows how you both are.",
                snap.partner_name()
            ),
        );
    }
    let row = ui.text_style_height(&egui::TextStyle::Body);
    rows(ui, "checkins", all.len(), row, 320.0, |ui, i| {
        let Some(c) = v.checkins.get(&all[i]) else { return };
        let note = c.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        ui.add(
            egui::Label::new(format!(
                "{}  {} ({})  connection {}, trust {}, heard {}{note}",
                when(&snap.clock, c.at),
                v.partner_name(&c.author),
                c.kind,
                c.connection,
                c.trust,
                c.heard
            ))
            .truncate(),
        );
    });
}
