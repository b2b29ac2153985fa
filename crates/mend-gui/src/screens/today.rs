//! Today: first what waits for this partner ("For you"), then how fresh the sync is, what
//! is due, the newest thanks.

use crate::app::Io;
use crate::app::Screen;
use crate::backend::Request;
use crate::snapshot::Snapshot;
use crate::widgets::{rows, section, when};
use mend_engine::core::Timestamp;

/// Things a device did that Mend did not count (see `mend_core::trust`): said calmly,
/// naming the device, above everything else that is routine. Told once: what was read stays
/// one click away, folded.
fn noticed(ui: &mut egui::Ui, snap: &Snapshot, io: &mut Io) {
    // Worked out on the backend with the other lists, not in every frame.
    let all = &snap.lists.noticed;
    if all.is_empty() {
        return;
    }
    let (read, new): (Vec<_>, Vec<_>) = all.iter().partition(|n| snap.doubts_seen.contains(&mend_engine::doubts::key(n)));
    if !new.is_empty() {
        section(ui, "Something Mend could not verify");
        for n in &new {
            ui.label(&n.says);
        }
        ui.label(egui::RichText::new(mend_engine::doubts::WHY).weak());
        if ui.button("I have read this").clicked() {
            io.send(DOUBTS_SEEN, Request::MarkDoubtsSeen);
        }
        io.feedback(ui, DOUBTS_SEEN);
    }
    if !read.is_empty() {
        egui::CollapsingHeader::new(format!("What Mend did not count ({})", read.len())).id_salt("today.doubts.read").show(ui, |ui| {
            for n in &read {
                ui.label(&n.says);
            }
        });
    }
}

const DOUBTS_SEEN: &str = "today.doubts_seen";

/// Returns the screen to open when an item of "For you" was chosen.
pub fn show(ui: &mut egui::Ui, snap: &Snapshot, together: &mut crate::forms::TogetherForm, io: &mut Io) -> Option<Screen> {
    let me = snap.me.as_ref()?;
    let v = &snap.view;
    ui.heading("Today");
    sync_line(ui, snap);

    let l = &snap.lists;
    let mut open = for_you(ui, snap);
    noticed(ui, snap, io);
    if snap.backup.due {
        ui.add_space(6.0);
        ui.horizontal_wrapped(|ui| {
            ui.label(match snap.backup.last {
                Some(t) => format!(
                    "Your last backup was on {}. When you have a moment, a fresh one keeps everything safe.",
                    crate::widgets::when(&snap.clock, t)
                ),
                None => {
                    "You asked to be reminded about backups, and there is none yet. When you have a moment, one keeps everything safe.".to_owned()
                }
            });
            if ui.button("Back up in Settings").clicked() {
                open = Some(Screen::Settings);
            }
        });
    }
    section(ui, "Today's question");
    super::together::question_card(ui, snap, together, io);

    section(ui, "Promises due today");
    let line = ui.text_style_height(&egui::TextStyle::Body);
    rows(ui, "due today", l.due_today.len(), line, 240.0, |ui, i| {
        let Some(p) = v.promises.get(&l.due_today[i]) else { return };
        let who = if p.promiser == me.partner { "You" } else { v.partner_name(&p.promiser) };
        ui.add(egui::Label::new(format!("{who}: {} (due {})", p.text, p.next_due.map(|t| when(&snap.clock, t)).unwrap_or_default())).truncate());
    });
    if l.due_today.is_empty() {
        ui.label("Nothing is due today.");
    }

    section(ui, &format!("Newest thanks from {}", snap.partner_name()));
    match l.newest_thanks_from_partner.as_ref().and_then(|id| v.gratitude.get(id)) {
        Some(g) => {
            ui.label(format!("\u{201c}{}\u{201d}", g.text));
            crate::widgets::byline(ui, snap, &g.author, "", &format!(", {}", when(&snap.clock, g.at)));
        }
        None => {
            ui.label(format!("No note from {} yet.", snap.partner_name()));
        }
    }

    section(ui, "Today's check-in");
    if l.checkins_today.is_empty() {
        ui.label("No check-in yet today. Check-ins is in the sidebar when you are ready.");
    }
    rows(ui, "checkins today", l.checkins_today.len(), line, 160.0, |ui, i| {
        let Some(c) = v.checkins.get(&l.checkins_today[i]) else { return };
        ui.label(format!("{}: connection {}, trust {}, feeling heard {}", v.partner_name(&c.author), c.connection, c.trust, c.heard));
    });
    for n in &snap.notes {
        ui.label(egui::RichText::new(n).weak());
    }
    open
}

/// What waits for this partner, each with what to do and a way to it; a calm line when
/// nothing does. Never a count that scolds: the list is simply what is there.
fn for_you(ui: &mut egui::Ui, snap: &Snapshot) -> Option<Screen> {
    section(ui, "For you");
    let waiting = &snap.lists.waiting;
    if waiting.is_empty() {
        crate::widgets::empty(
            ui,
            &format!(
                "Nothing waits for you right now. When {} shares a repair, proposes an agreement or thanks you, it shows here first.",
                snap.partner_name()
            ),
        );
        return None;
    }
    let mut open = None;
    // The first few in full; the rest one click away, laid out only when opened.
    const SHOWN: usize = 8;
    let mut row = |ui: &mut egui::Ui, w: &mend_engine::core::Waiting, said: &String| {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{said}."));
            ui.label(egui::RichText::new(mend_engine::waiting::next_step(w)).weak());
            // A reflection on a check-in is answered where the check-in is.
            let on_checkin = w.kind == mend_engine::core::WaitingKind::Heard && w.record.as_ref().is_some_and(|r| snap.view.checkins.contains_key(r));
            let to = if on_checkin { Screen::CheckIns } else { Screen::of(w.kind) };
            if to != Screen::Today && ui.button(format!("Open {}", to.label())).on_hover_text(said.as_str()).clicked() {
                open = Some(to);
            }
        });
    };
    for (w, said) in waiting.iter().take(SHOWN) {
        row(ui, w, said);
    }
    if waiting.len() > SHOWN {
        egui::CollapsingHeader::new(format!("{} more", waiting.len() - SHOWN)).id_salt("today.for_you.more").show(ui, |ui| {
            for (w, said) in waiting.iter().skip(SHOWN).take(200) {
                row(ui, w, said);
            }
        });
    }
    open
}

/// "Last synced with Sam at 18:30 (direct)": honest, never a green tick nobody checked.
pub fn sync_line(ui: &mut egui::Ui, snap: &Snapshot) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    if v.devices.get(&me.device).is_some_and(|d| d.removed_at.is_some()) {
        ui.label(egui::RichText::new("You left the space: this device keeps its copy and syncs with no one.").weak());
        return;
    }
    // The devices this one really syncs with (`View::syncs_with`), not every listed one.
    let others: Vec<_> = v.devices.values().filter(|d| d.id != me.device && v.syncs_with(me, &d.id)).collect();
    if others.is_empty() {
        ui.label(egui::RichText::new("Not paired yet: Devices has an invitation when you are ready.").weak());
        return;
    }
    for d in others {
        let p = snap.peers.get(d.id.as_str());
        let live = snap.net.connected.contains(d.id.as_str());
        let text = match p.and_then(|p| p.last_synced) {
            Some(t) => format!(
                "Last synced with {} at {} ({}){}",
                d.name,
                when(&snap.clock, Timestamp(t)),
                mend_engine::node::path_word(p.and_then(|p| p.link).unwrap_or(mend_engine::Link::Direct), p.and_then(|p| p.addrs.first())),
                if live { ", connected now" } else { "" }
            ),
            None => format!("Not synced with {} yet", d.name),
        };
        ui.label(egui::RichText::new(text).weak());
    }
}
