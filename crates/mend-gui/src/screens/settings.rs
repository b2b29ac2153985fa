//! Settings: names, love languages and needs; export; where the data lives.

use crate::app::Io;
use crate::backend::Request;
use crate::forms::SettingsForm;
use crate::snapshot::Snapshot;
use crate::widgets::{area, field, section};
use mend_engine::Command;
use mend_engine::core::LoveLanguage;
use mend_engine::core::notice::NoticeKind;

pub const PROFILE: &str = "settings.profile";
pub const EXPORT: &str = "settings.export";
pub const BACKUP: &str = "settings.backup";
pub const REMINDER: &str = "settings.backup_reminder";
pub const RELAY: &str = "settings.relay";

pub fn show(ui: &mut egui::Ui, snap: &Snapshot, f: &mut SettingsForm, io: &mut Io) {
    let Some(me) = &snap.me else { return };
    let v = &snap.view;
    if !f.loaded {
        if let Some(p) = v.partners.get(&me.partner) {
            f.name = p.name.clone();
            f.needs = p.needs.clone();
            f.love = p.love_languages.clone();
        }
        f.export_path = snap.profile_dir.join("mend-export.md").display().to_string();
        f.relay = snap.net.relay.clone().unwrap_or_default();
        f.backup_path = home_or(&snap.profile_dir).join("mend.mendbackup").display().to_string();
        f.loaded = true;
    }
    ui.heading("Settings");
    section(ui, "About me");
    field(ui, "My name", &mut f.name);
    if let Some(p) = v.partners.get(&me.partner).filter(|p| !p.name_conflicts.is_empty()) {
        ui.label(format!("Also written on another device: {}", p.name_conflicts.join(", ")));
    }
    ui.label("My love languages");
    for l in LoveLanguage::ALL {
        let mut on = f.love.contains(l);
        if ui.checkbox(&mut on, LoveLanguage::label(*l)).changed() {
            if on {
                f.love.push(*l);
            } else {
                f.love.retain(|x| x != l);
            }
        }
    }
    if f.love.len() > 1 {
        let order: Vec<&str> = f.love.iter().map(|l| l.label()).collect();
        ui.label(egui::RichText::new(format!("In this order: {}", order.join(", "))).weak());
    }
    quiz(ui, f);
    area(ui, "What I need", &mut f.needs);
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(PROFILE), egui::Button::new("Save profile")).clicked() {
            io.exec(
                PROFILE,
                Command::UpdateProfile { name: Some(f.name.clone()), love_languages: Some(f.love.clone()), needs: Some(f.needs.clone()) },
            );
        }
        io.feedback(ui, PROFILE);
    });
    if let Some(p) = snap.partner() {
        section(ui, &format!("About {}", p.name));
        let langs: Vec<&str> = p.love_languages.iter().map(|l| LoveLanguage::label(*l)).collect();
        ui.label(format!("Love languages: {}", if langs.is_empty() { "not written yet".into() } else { langs.join(", ") }));
        ui.label(format!("Needs: {}", if p.needs.is_empty() { "not written yet" } else { &p.needs }));
    }

    notifications(ui, snap, f, io);

    section(ui, "Export");
    ui.label("Everything you share, as a file you may choose to take to a counsellor. Your journal is not in it.");
    field(ui, "Export to file", &mut f.export_path);
    ui.horizontal(|ui| {
        ui.radio_value(&mut f.export_json, false, "Markdown");
        ui.radio_value(&mut f.export_json, true, "JSON");
    });
    if ui.add_enabled(!f.save_dialog.running(), egui::Button::new("Choose a file…")).clicked() {
        let name = if f.export_json { "mend-export.json" } else { "mend-export.md" };
        f.save_dialog.start(ui.ctx(), move || rfd::FileDialog::new().set_file_name(name).save_file());
    }
    if let Some(Some(p)) = f.save_dialog.take() {
        f.export_path = p.display().to_string();
    }
    ui.horizontal(|ui| {
        if ui.button("Export").clicked() {
            io.send(EXPORT, Request::Export { path: f.export_path.trim().into(), json: f.export_json });
        }
        io.feedback(ui, EXPORT);
    });

    backup(ui, snap, f, io);

    section(ui, "Where your data lives");
    ui.label(format!("Profile folder: {}", snap.profile_dir.display()));
    ui.label(format!("This device: {}", snap.device_name));
    section(ui, "Network");
    ui.label(if snap.net.local_only {
        "Now: local-only. Mend reaches your devices only at addresses it already knows: no relays, no discovery."
    } else {
        "Now: normal. Mend uses relays and discovery, so your devices find each other anywhere."
    });
    ui.horizontal_wrapped(|ui| {
        if ui.button("Use local-only from the next start").clicked() {
            io.send(NETWORK, Request::SetLocalOnly { local_only: true });
        }
        if ui.button("Use the normal network from the next start").clicked() {
            io.send(NETWORK, Request::SetLocalOnly { local_only: false });
        }
    });
    io.feedback(ui, NETWORK);
    ui.add_space(6.0);
    ui.label(match &snap.net.relay {
        Some(r) => format!("Relay: your own, at {r}. Only it sees when your devices connect."),
        None => "Relay: the usual ones (run by n0). They pass encrypted traffic when your devices cannot reach each other directly.".into(),
    });
    field(ui, "Our own relay (optional, like https://relay.example.org)", &mut f.relay);
    ui.horizontal_wrapped(|ui| {
        if ui.add_enabled(!io.busy(RELAY), egui::Button::new("Use this relay from the next start")).clicked() {
            io.send(RELAY, Request::SetRelay { relay: Some(f.relay.clone()) });
        }
        if ui.add_enabled(!io.busy(RELAY), egui::Button::new("Use the usual relays from the next start")).clicked() {
            f.relay.clear();
            io.send(RELAY, Request::SetRelay { relay: None });
        }
    });
    io.feedback(ui, RELAY);
    ui.label(egui::RichText::new("docs/network.md says how to run a relay of your own, and what each choice shows to whom.").weak());
    in_the_background(ui, snap, io);
}

pub const KEEP_RUNNING: &str = "settings.keep_running";
pub const AT_LOGIN: &str = "settings.at_login";

/// Two switches that act at once, like the backup reminder: unticking one undoes it.
fn in_the_background(ui: &mut egui::Ui, snap: &Snapshot, io: &mut Io) {
    section(ui, "With the window closed");
    ui.label("Mend can keep your shared space in sync, and tell you what comes, while its window is closed. Both are off until you choose them.");
    let mut keep = snap.background.keep_running;
    ui.horizontal_wrapped(|ui| {
        if ui
            .add_enabled(!io.busy(KEEP_RUNNING), egui::Checkbox::new(&mut keep, "Keep Mend running in the background after I close the window"))
            .changed()
        {
            io.send(KEEP_RUNNING, Request::SetKeepRunning { on: keep });
        }
        io.feedback(ui, KEEP_RUNNING);
    });
    let mut login = snap.background.at_login;
    ui.horizontal_wrapped(|ui| {
        if ui.add_enabled(!io.busy(AT_LOGIN), egui::Checkbox::new(&mut login, "Start Mend when I log in")).changed() {
            io.send(AT_LOGIN, Request::SetAtLogin { on: login });
        }
        io.feedback(ui, AT_LOGIN);
    });
}

pub const NETWORK: &str = "settings.network";
pub const NOTICES: &str = "settings.notifications";

fn notifications(ui: &mut egui::Ui, snap: &Snapshot, f: &mut SettingsForm, io: &mut Io) {
    if !f.notices_loaded {
        f.notices_off = snap.notices.off.clone();
        f.quiet_on = snap.notices.quiet.is_some();
        f.quiet = snap.notices.quiet.map(|q| q.to_string()).unwrap_or_else(|| "22:00-07:30".into());
        f.discreet = snap.notices.discreet;
        f.reminders = snap.notices.reminders.clone();
        let at = snap.notices.checkin_at.unwrap_or(mend_engine::core::notice::DEFAULT_CHECKIN_AT);
        f.checkin_at = format!("{:02}:{:02}", at / 60, at % 60);
        f.notices_loaded = true;
    }
    let them = snap.partner().map(|p| p.name.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "your partner".into());
    section(ui, "Notifications");
    ui.label(format!(
        "While Mend is open, or runs in the background, it can tell you when {them} does something for you. A notification says who and what, never the words."
    ));
    for k in NoticeKind::ALL {
        let mut on = !f.notices_off.contains(&k);
        let label = match k {
            NoticeKind::Pause => format!("When {them} asks for a pause"),
            NoticeKind::Repair => format!("When {them} shares a repair with you"),
            NoticeKind::Answered => format!("When {them} answers your repair"),
            NoticeKind::Agreement => "When an agreement waits for you".to_owned(),
            NoticeKind::Thanks => format!("When {them} thanks you"),
            NoticeKind::PromiseDue | NoticeKind::CheckIn => continue,
        };
        if ui.checkbox(&mut on, label).changed() {
            if on {
                f.notices_off.remove(&k);
            } else {
                f.notices_off.insert(k);
            }
        }
    }
    ui.label(egui::RichText::new("Reminders for yourself, off unless you want them. They never repeat.").weak());
    for (k, label) in [
        (NoticeKind::PromiseDue, "Remind me when a promise of mine is due"),
        (NoticeKind::CheckIn, "Remind me of my check-in on days I haven't done one"),
    ] {
        let mut on = f.reminders.contains(&k);
        if ui.checkbox(&mut on, label).changed() {
            if on {
                f.reminders.insert(k);
            } else {
                f.reminders.remove(&k);
            }
        }
    }
    if f.reminders.contains(&NoticeKind::CheckIn) {
        field(ui, "Check-in time", &mut f.checkin_at);
    }
    ui.checkbox(&mut f.quiet_on, "Quiet hours: nothing in this span of the day");
    if f.quiet_on {
        field(ui, "Quiet from and until", &mut f.quiet);
        ui.label(egui::RichText::new("What comes meanwhile is told when they end, if it still waits.").weak());
    }
    ui.checkbox(&mut f.discreet, format!("Say only who, not what (\"Something from {them}\")"));
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(NOTICES), egui::Button::new("Save notifications")).clicked() {
            io.send(
                NOTICES,
                Request::SetNotices {
                    off: f.notices_off.clone(),
                    quiet: f.quiet_on.then(|| f.quiet.clone()),
                    discreet: f.discreet,
                    reminders: f.reminders.clone(),
                    checkin_at: f.checkin_at.clone(),
                },
            );
        }
        io.feedback(ui, NOTICES);
    });
}

/// Where a backup goes unless the person chooses: their home folder (not the profile
/// folder, which a lost laptop takes with it).
fn home_or(profile: &std::path::Path) -> std::path::PathBuf {
    std::env::var_os("HOME").map(std::path::PathBuf::from).filter(|h| h.is_dir()).unwrap_or_else(|| profile.to_owned())
}

fn backup(ui: &mut egui::Ui, snap: &Snapshot, f: &mut SettingsForm, io: &mut Io) {
    section(ui, "Backup");
    ui.label(
        "One file with everything in this profile: your shared space, your journal (still locked with its own passphrase) and your settings, sealed with a passphrase you choose. Keep it somewhere other than this computer.",
    );
    if let Some(t) = snap.backup.last {
        ui.label(egui::RichText::new(format!("Last backup: {}", crate::widgets::when(&snap.clock, t))).weak());
    }
    let mut monthly = snap.backup.monthly;
    ui.horizontal(|ui| {
        if ui.checkbox(&mut monthly, "Remind me on Today to back up once a month").changed() {
            io.send(REMINDER, Request::SetBackupReminder { monthly });
        }
        io.feedback(ui, REMINDER);
    });
    if !f.backup_open {
        ui.horizontal(|ui| {
            if ui.button("Back up now…").clicked() {
                f.backup_open = true;
            }
            io.feedback(ui, BACKUP);
        });
        return;
    }
    ui.label(egui::RichText::new("A few unrelated words are strong and easy to remember. Mend can't recover a forgotten passphrase.").weak());
    let l = ui.label("Backup passphrase");
    ui.add(egui::TextEdit::singleline(&mut *f.backup_passphrase).password(true).desired_width(320.0)).labelled_by(l.id);
    let l = ui.label("The same passphrase again");
    ui.add(egui::TextEdit::singleline(&mut *f.backup_again).password(true).desired_width(320.0)).labelled_by(l.id);
    field(ui, "Save the backup to", &mut f.backup_path);
    if ui.add_enabled(!f.backup_dialog.running(), egui::Button::new("Choose where…")).clicked() {
        f.backup_dialog.start(ui.ctx(), || rfd::FileDialog::new().set_file_name("mend.mendbackup").save_file());
    }
    if let Some(Some(p)) = f.backup_dialog.take() {
        f.backup_path = p.display().to_string();
    }
    ui.horizontal(|ui| {
        if ui.add_enabled(!io.busy(BACKUP), egui::Button::new("Back up")).clicked() {
            io.send(
                BACKUP,
                Request::Backup { path: f.backup_path.trim().into(), passphrase: f.backup_passphrase.clone(), again: f.backup_again.clone() },
            );
        }
        if ui.button("Cancel").clicked() {
            f.backup_open = false;
            f.backup_passphrase.clear();
            f.backup_again.clear();
        }
        io.feedback(ui, BACKUP);
    });
    if io.succeeded(BACKUP) {
        f.backup_open = false;
        f.backup_passphrase.clear();
        f.backup_again.clear();
    }
}

/// A short quiz that suggests an order of love languages: it fills the choices above, which
/// the person can still change before saving.
fn quiz(ui: &mut egui::Ui, f: &mut SettingsForm) {
    use mend_engine::core::decks::quiz::{QUIZ, suggest};
    egui::CollapsingHeader::new("Not sure? A short quiz").id_salt("settings.quiz").show(ui, |ui| {
        ui.label(egui::RichText::new("There are no right answers: pick what would mean more to you.").weak());
        f.quiz.resize(QUIZ.len(), None);
        for (i, q) in QUIZ.iter().enumerate() {
            ui.label(format!("{}. {}", i + 1, q.prompt));
            ui.horizontal_wrapped(|ui| {
                for (c, (_, words)) in q.choices.iter().enumerate() {
                    ui.radio_value(&mut f.quiz[i], Some(c as u8), *words);
                }
            });
        }
        let answered = f.quiz.iter().filter(|a| a.is_some()).count();
        ui.horizontal(|ui| {
            if ui.add_enabled(answered == QUIZ.len(), egui::Button::new("Use the suggested order")).clicked() {
                let picked: Vec<u8> = f.quiz.iter().map(|a| a.unwrap_or(0)).collect();
                f.love = suggest(&picked);
            }
            if answered < QUIZ.len() {
                ui.label(egui::RichText::new(format!("{answered} of {} answered", QUIZ.len())).weak());
            } else {
                ui.label(egui::RichText::new("Then save your profile: your partner sees the order.").weak());
            }
        });
    });
}
