//! Devices: this one, the partner's and my others, with how fresh their sync is; add one
//! (an own-device invitation) or remove one.

use crate::app::Io;
use crate::backend::Request;
use crate::snapshot::Snapshot;
use crate::widgets::{section, when};
use mend_engine::Command;
use mend_engine::Role;
use mend_engine::core::Timestamp;

pub const INVITE: &str = crate::screens::first_run::INVITE;
pub const REMOVE: &str = "devices.remove";
pub const LEAVE: &str = "devices.leave";
pub const JOIN: &str = "devices.join";
pub const RENAME: &str = "devices.rename";

/// Renaming one of my devices: a button, then the name to type (kept in the ui's memory
/// while it is open, so that several cards never share one field).
fn rename(ui: &mut egui::Ui, d: &mend_engine::core::Device, io: &mut Io) {
    let open = ui.scope_id().with(("devices.rename.open", d.id.as_str()));
    match ui.data(|m| m.get_temp::<String>(open)) {
        None => {
            if ui.button(format!("Rename {}", d.name)).clicked() {
                ui.data_mut(|m| m.insert_temp(open, d.name.clone()));
            }
        }
        Some(mut name) => {
            let l = ui.label(format!("New name for {}", d.name));
            ui.add(egui::TextEdit::singleline(&mut name).desired_width(320.0)).labelled_by(l.id);
            let mut keep = true;
            ui.horizontal(|ui| {
                if ui.add_enabled(!name.trim().is_empty(), egui::Button::new("Save the name")).clicked() {
                    io.exec(RENAME, Command::RenameDevice { id: d.id.to_string(), name: name.trim().to_owned() });
                    keep = false;
                }
                if ui.button("Keep the old name").clicked() {
                    keep = false;
                }
            });
            ui.data_mut(|m| {
                if keep {
                    m.insert_temp(open, name);
                } else {
                    m.remove::<String>(open);
                }
            });
        }
    }
}

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, ticket: &mut String, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    ui.heading("Devices");
    if snap.net.enabled {
        ui.label(egui::RichText::new(online_words(&snap.net)).weak());
    } else if let Some(e) = &snap.net.error {
        ui.colored_label(ui.visuals().warn_fg_color, e);
    } else {
        ui.label(egui::RichText::new("Networking is off in this window.").weak());
    }
    for d in v.devices.values() {
        crate::widgets::card(ui, |ui| {
            let whose = if d.partner == me.partner { "yours".to_owned() } else { format!("{}'s", v.partner_name(&d.partner)) };
            ui.label(egui::RichText::new(format!("{} ({whose})", d.name)).strong());
            if !d.verified && d.removed_at.is_none() {
                // Listed for a partner by a device that is not theirs (or before its own
                // records arrived): what it writes is shown as not verified.
                ui.label(egui::RichText::new("Not added by one of their own devices yet, so what it writes is shown as not verified.").weak());
            }
            if d.id == me.device {
                ui.label("This device");
            } else if let Some(at) = d.removed_at {
                ui.label(format!("Removed {}", when(&snap.clock, at)));
            } else if d.removed_by.as_ref() == Some(&me.partner) {
                ui.label("You stopped syncing with it.");
            } else {
                let p = snap.peers.get(d.id.as_str());
                let synced = match p.and_then(|p| p.last_synced) {
                    Some(t) => format!(
                        "Last synced {} ({})",
                        when(&snap.clock, Timestamp(t)),
                        // As `mend devices` says it: direct, on the home network, or relayed.
                        mend_engine::node::path_word(p.and_then(|p| p.link).unwrap_or(mend_engine::Link::Direct), p.and_then(|p| p.addrs.first()))
                    ),
                    None => "Never synced".to_owned(),
                };
                ui.label(synced);
                if snap.net.connected.contains(d.id.as_str()) {
                    ui.label("Connected now");
                }
                if let Some(e) = p.and_then(|p| p.last_error.as_ref()) {
                    ui.label(egui::RichText::new(format!("Last problem: {e}")).weak());
                }
                // Two steps, the second saying what removing does on both sides. Only one's
                // own devices: the partner's are theirs to remove (leaving is the way to stop
                // syncing with them).
                let asking = ui.scope_id().with(("devices.remove.confirm", d.id.as_str()));
                if d.partner != me.partner {
                } else if !ui.data(|m| m.get_temp::<bool>(asking).unwrap_or(false)) {
                    if ui.button(format!("Remove {}", d.name)).clicked() {
                        ui.data_mut(|m| m.insert_temp(asking, true));
                    }
                } else {
                    ui.label(mend_engine::asking::removing_device(d));
                    ui.horizontal_wrapped(|ui| {
                        if ui.button(format!("Yes, remove {}", d.name)).clicked() {
                            io.exec(REMOVE, Command::RemoveDevice { id: d.id.to_string() });
                            ui.data_mut(|m| m.insert_temp(asking, false));
                        }
                        if ui.button(format!("Keep {}", d.name)).clicked() {
                            ui.data_mut(|m| m.insert_temp(asking, false));
                        }
                    });
                }
            }
            if d.partner == me.partner && d.removed_at.is_none() {
                rename(ui, d, io);
            }
            ui.label(egui::RichText::new(d.id.to_string()).small().weak());
        });
    }
    io.feedback(ui, REMOVE);
    io.feedback(ui, RENAME);

    section(ui, "Add a device");
    ui.horizontal_wrapped(|ui| {
        if ui.button("Add another device of mine").clicked() {
            io.send(INVITE, Request::Invite { role: Role::OwnDevice });
        }
        if v.partners.len() < 2 && ui.button("Invite my partner").clicked() {
            io.send(INVITE, Request::Invite { role: Role::Partner });
        }
    });
    crate::screens::first_run::invite(ui, snap, io);

    // Pairing is never only for First run: a device whose key was lost (or restored from a
    // backup without it), or a space left alone after leaving, pairs again from here.
    section(ui, "Join with an invitation");
    ui.label(if snap.key_lost {
        "This device is not syncing yet. On another device of yours choose \"Add another device of mine\" (or ask your partner to invite you), then paste that invitation here. Everything here stays."
    } else {
        "Paste an invitation from your partner's Mend (it starts with \"mend\") to sync with them again. Everything here stays."
    });
    crate::widgets::area(ui, "Invitation to join", ticket);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(JOIN) && !ticket.trim().is_empty(), egui::Button::new("Join with this invitation")).clicked() {
            io.send(JOIN, Request::Join { ticket: ticket.trim().to_owned(), name: snap.my_name().to_owned(), device_name: None });
        }
        io.feedback(ui, JOIN);
    });
    if io.succeeded(JOIN) {
        ticket.clear();
    }

    section(ui, "Leaving");
    ui.label(format!("{} You can remove a device of your own above instead.", mend_engine::asking::LEAVING));
    // Two steps: leaving is never one stray click.
    let confirm = ui.scope_id().with("devices.leave.confirm");
    if !ui.data(|d| d.get_temp::<bool>(confirm).unwrap_or(false)) {
        if ui.button("Leave this space").clicked() {
            ui.data_mut(|d| d.insert_temp(confirm, true));
        }
    } else {
        ui.label("Leave now?");
        ui.horizontal_wrapped(|ui| {
            if ui.button("Yes, stop syncing and keep my copy").clicked() {
                io.exec(LEAVE, Command::LeaveSpace);
                ui.data_mut(|d| d.insert_temp(confirm, false));
            }
            if ui.button("Stay in the space").clicked() {
                ui.data_mut(|d| d.insert_temp(confirm, false));
            }
        });
    }
    io.feedback(ui, LEAVE);

    if !snap.events.is_empty() {
        egui::CollapsingHeader::new("Network log").show(ui, |ui| {
            for e in snap.events.iter().rev().take(20) {
                ui.label(egui::RichText::new(e).small());
            }
        });
    }
}

/// How this device is online, in words: the mode, the couple's own relay if any, and where
/// it listens (nowhere, when every link goes through the relay).
fn online_words(net: &crate::snapshot::NetStatus) -> String {
    let mode = match (&net.relay, net.local_only) {
        (None, true) => "local-only (no relays, no discovery)".to_owned(),
        (None, false) => "normal (relays and discovery on)".to_owned(),
        (Some(r), true) => format!("local-only (your relay {r}, no discovery)"),
        (Some(r), false) => format!("normal (your relay {r}, discovery on)"),
    };
    if net.relay_only {
        format!("Online, {mode}, through the relay only: no direct path, so other devices never learn this one's address")
    } else {
        format!("Online, {mode}, listening on {}", net.listening.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_online_line_names_the_relay_and_a_relay_only_link() {
        let mut net = crate::snapshot::NetStatus { enabled: true, local_only: true, listening: vec!["127.0.0.1:4040".into()], ..Default::default() };
        assert_eq!(online_words(&net), "Online, local-only (no relays, no discovery), listening on 127.0.0.1:4040");
        net.relay = Some("https://relay.example.org/".into());
        assert!(online_words(&net).contains("your relay https://relay.example.org/"));
        net.relay_only = true;
        net.listening.clear();
        assert!(online_words(&net).contains("through the relay only"), "{}", online_words(&net));
    }
}
