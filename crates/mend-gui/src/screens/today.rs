//! Today: the partner's pause, how fresh the sync is, what is due, the newest thanks.

use crate::snapshot::Snapshot;
use crate::widgets::{section, when};
use mend_engine::core::Timestamp;

pub fn show(ui: &mut egui::Ui, snap: &Snapshot) {
    let now = mend_engine::when::now();
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    ui.heading("Today");
    sync_line(ui, snap);

    section(ui, "Promises due today");
    let end_of_day = end_of_today(now);
    let mut any = false;
    for p in v.promises.values().filter(|p| p.is_due_by(end_of_day)) {
        any = true;
        let who = if p.promiser == me.partner { "You" } else { v.partner_name(&p.promiser) };
        ui.label(format!("{who}: {} (due {})", p.text, p.next_due.map(when).unwrap_or_default()));
    }
    if !any {
        ui.label("Nothing is due today.");
    }

    section(ui, "Newest thanks from your partner");
    match v.gratitude.values().rev().find(|g| g.author != me.partner) {
        Some(g) => {
            ui.label(format!("\u{201c}{}\u{201d}", g.text));
            ui.label(egui::RichText::new(format!("{}, {}", v.partner_name(&g.author), when(g.at))).weak());
        }
        None => {
            ui.label("No note from your partner yet.");
        }
    }

    section(ui, "Today's check-in");
    let start = end_of_day.plus_ms(-Timestamp::DAY);
    let today: Vec<_> = v.checkins.values().filter(|c| c.at > start && c.at <= end_of_day).collect();
    if today.is_empty() {
        ui.label("No check-in yet today. Check-ins is in the sidebar when you are ready.");
    }
    for c in today {
        ui.label(format!("{}: connection {}, trust {}, feeling heard {}", v.partner_name(&c.author), c.connection, c.trust, c.heard));
    }
    for n in &snap.notes {
        ui.label(egui::RichText::new(n).weak());
    }
}

/// "Last synced with Sam at 18:30 (direct)": honest, never a green tick nobody checked.
pub fn sync_line(ui: &mut egui::Ui, snap: &Snapshot) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    let others: Vec<_> = v.trusted_devices().filter(|d| d.id != me.device).collect();
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
                when(Timestamp(t)),
                if p.and_then(|p| p.link) == Some(mend_engine::sync::peers::Link::Relay) { "relayed" } else { "direct" },
                if live { ", connected now" } else { "" }
            ),
            None => format!("Not synced with {} yet", d.name),
        };
        ui.label(egui::RichText::new(text).weak());
    }
}

fn end_of_today(now: Timestamp) -> Timestamp {
    let tz = jiff::tz::TimeZone::system();
    let midnight = jiff::Timestamp::from_millisecond(now.0)
        .ok()
        .map(|t| t.to_zoned_datetime(tz.clone()))
        .and_then(|z| z.date().tomorrow().ok())
        .and_then(|d| d.to_datetime(jiff::civil::Time::MIN).to_zoned_datetime(tz).ok());
    midnight.map(|z| Timestamp(z.timestamp().as_millisecond() - 1)).unwrap_or(now.plus_ms(Timestamp::DAY))
}
