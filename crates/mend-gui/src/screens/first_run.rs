//! First run: your name, then invite your partner, join them, or start on your own.

use crate::app::Io;
use crate::backend::Request;
use crate::forms::{FirstRunChoice, FirstRunForm};
use crate::snapshot::{Phase, Snapshot};
use crate::widgets::field;
use mend_engine::Role;

pub const START: &str = "first_run.start";
pub const INVITE: &str = "first_run.invite";
pub const JOIN: &str = "first_run.join";
pub const RESTORE: &str = "first_run.restore";

/// Returns true when First run is over and the window should go to Today.
pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut FirstRunForm, io: &mut Io) -> bool {
    ui.heading("Welcome to Mend");
    ui.label(
        "A calm, private space for the two of you. Nothing you write goes to a server: it stays on your devices, and syncs straight between them.",
    );
    ui.add_space(8.0);
    if snap.phase == Phase::FirstRun && !f.restored {
        field(ui, "Your name", &mut f.name);
        ui.label(egui::RichText::new("As your partner will see it.").weak());
        device_name(ui, snap, f);
        ui.add_space(8.0);
        ui.horizontal_wrapped(|ui| {
            if ui.button("Invite my partner").clicked() {
                f.choice = Some(FirstRunChoice::Invite);
                io.send(START, Request::Start { name: f.name.clone(), device_name: Some(f.device_name.clone()) });
                io.send(INVITE, Request::Invite { role: Role::Partner });
            }
            if ui.button("Join my partner").clicked() {
                f.choice = Some(FirstRunChoice::Join);
            }
            if ui.button("Start on my own for now").clicked() {
                f.choice = None;
                io.send(START, Request::Start { name: f.name.clone(), device_name: Some(f.device_name.clone()) });
            }
            if ui.button("Restore from a backup").clicked() {
                f.choice = Some(FirstRunChoice::Restore);
            }
        });
        io.feedback(ui, START);
    }
    if io.succeeded(START) && f.choice.is_none() {
        return true;
    }
    if f.choice == Some(FirstRunChoice::Restore) && restore(ui, snap, f, io) {
        return true;
    }
    if f.restored {
        io.feedback(ui, RESTORE);
    }
    match f.choice {
        Some(FirstRunChoice::Restore) => {}
        Some(FirstRunChoice::Invite) => invite(ui, snap, io),
        Some(FirstRunChoice::Join) => {
            if f.restored {
                crate::widgets::section(ui, "Add this device again");
                ui.label("Paste the invitation that your other device (or your partner's) shows; it starts with \"mend\".");
            } else {
                crate::widgets::section(ui, "Join my partner");
                ui.label("Paste the invitation your partner's Mend shows (it starts with \"mend\").");
            }
            crate::widgets::area(ui, "Invitation", &mut f.ticket);
            if ui.add_enabled(!f.qr_image.running(), egui::Button::new("Read a QR code picture…")).clicked() {
                f.qr_error = None;
                f.qr_image.start(ui.ctx(), || {
                    rfd::FileDialog::new().add_filter("Pictures", &["png", "jpg", "jpeg"]).pick_file().map(|p| crate::qr::read(&p))
                });
            }
            match f.qr_image.take() {
                Some(Some(Ok(text))) => f.ticket = text,
                Some(Some(Err(e))) => f.qr_error = Some(e),
                _ => {}
            }
            if let Some(e) = &f.qr_error {
                ui.colored_label(ui.visuals().error_fg_color, e);
            }
            if ui.add_enabled(!io.busy(JOIN), egui::Button::new("Join")).clicked() {
                io.send(JOIN, Request::Join { ticket: f.ticket.clone(), name: f.name.clone(), device_name: Some(f.device_name.clone()) });
            }
            io.feedback(ui, JOIN);
            if io.succeeded(JOIN) {
                return true;
            }
        }
        None => {}
    }
    if snap.phase == Phase::Ready && f.choice.is_some() && ui.button("Continue to Mend").clicked() {
        return true;
    }
    false
}

/// This device's name: "Ana's laptop" as the person types their name, until they write
/// one of their own (emptied, it follows the name again).
fn device_name(ui: &mut egui::Ui, snap: &Snapshot, f: &mut FirstRunForm) {
    if !f.device_name_edited {
        f.device_name = if snap.set_up_device_name.trim().is_empty() {
            if f.name.trim().is_empty() { String::new() } else { mend_engine::default_device_name(Some(&f.name)) }
        } else {
            snap.set_up_device_name.clone()
        };
    }
    if field(ui, "This device's name", &mut f.device_name).changed() {
        f.device_name_edited = !f.device_name.trim().is_empty();
    }
    ui.label(egui::RichText::new("How your devices and your partner's tell this one apart. You can rename it later in Devices.").weak());
}

/// Restoring a backup into this new profile. Returns true when the window may go on to
/// Today (a backup with the device key); without the key, joining comes next.
fn restore(ui: &mut egui::Ui, snap: &Snapshot, f: &mut FirstRunForm, io: &mut Io) -> bool {
    crate::widgets::section(ui, "Restore from a backup");
    ui.label("Choose the backup file Mend wrote, and type the passphrase chosen when it was made.");
    field(ui, "Backup file", &mut f.backup_path);
    if ui.add_enabled(!f.open_dialog.running(), egui::Button::new("Choose the file…")).clicked() {
        f.open_dialog.start(ui.ctx(), || rfd::FileDialog::new().add_filter("Mend backups", &["mendbackup"]).pick_file());
    }
    if let Some(Some(p)) = f.open_dialog.take() {
        f.backup_path = p.display().to_string();
    }
    let l = ui.label("Backup passphrase");
    ui.add(egui::TextEdit::singleline(&mut *f.backup_passphrase).password(true).desired_width(320.0)).labelled_by(l.id);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(RESTORE), egui::Button::new("Restore")).clicked() {
            io.send(RESTORE, Request::Restore { path: f.backup_path.trim().into(), passphrase: f.backup_passphrase.clone() });
        }
        io.feedback(ui, RESTORE);
    });
    if io.succeeded(RESTORE) {
        f.backup_passphrase.clear();
        if snap.phase == Phase::Ready {
            return true;
        }
        // No device key in the backup: the profile is there, and another device adds it.
        f.restored = true;
        f.choice = Some(FirstRunChoice::Join);
    }
    false
}

/// The open invitation: QR code, text to copy, and how long it stays valid.
pub fn invite(ui: &mut egui::Ui, snap: &Snapshot, io: &mut Io) {
    io.feedback(ui, INVITE);
    let Some(inv) = &snap.invite else {
        if !io.busy(INVITE) && !io.busy(START) {
            ui.label("No invitation is open.");
        }
        return;
    };
    crate::widgets::section(ui, if inv.role == Role::Partner { "Invite my partner" } else { "Add a device of mine" });
    ui.label("Show this code to the other device, or send the text privately. It works once.");
    crate::qr::show(ui, &inv.text);
    let mut text = inv.text.clone();
    let l = ui.label("Invitation text");
    ui.add(egui::TextEdit::multiline(&mut text).desired_width(f32::INFINITY).desired_rows(3).font(egui::TextStyle::Monospace)).labelled_by(l.id);
    ui.horizontal(|ui| {
        if ui.button("Copy").clicked() {
            ui.ctx().copy_text(inv.text.clone());
        }
        let left = inv.expires_at.saturating_sub((snap.clock.now().0 / 1000).max(0) as u64);
        ui.label(format!("Expires in {}:{:02}", left / 60, left % 60));
        if ui.button("Cancel invitation").clicked() {
            io.send(INVITE, Request::CancelInvite);
        }
    });
}
