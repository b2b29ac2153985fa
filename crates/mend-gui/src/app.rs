//! The window: a sidebar of screens and the screen itself, drawn from the newest snapshot.

use crate::backend::{Backend, BackendConfig, Form, Request};
use crate::forms::Forms;
use crate::screens;
use crate::snapshot::{Phase, Snapshot};
use mend_engine::Command;
use mend_engine::core::WaitingKind;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    FirstRun,
    Today,
    Agreements,
    Promises,
    Gratitude,
    CheckIns,
    Repairs,
    Together,
    Pause,
    Journal,
    Devices,
    Settings,
    Help,
}

impl Screen {
    /// The screen whose label is `name` (case does not matter).
    pub fn named(name: &str) -> Option<Screen> {
        Screen::SIDEBAR.into_iter().find(|s| s.label().eq_ignore_ascii_case(name.trim()))
    }

    /// The sidebar, in order.
    pub const SIDEBAR: [Screen; 12] = [
        Screen::Today,
        Screen::Agreements,
        Screen::Promises,
        Screen::Gratitude,
        Screen::CheckIns,
        Screen::Repairs,
        Screen::Together,
        Screen::Pause,
        Screen::Journal,
        Screen::Devices,
        Screen::Settings,
        Screen::Help,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Screen::FirstRun => "First run",
            Screen::Today => "Today",
            Screen::Agreements => "Agreements",
            Screen::Promises => "Promises",
            Screen::Gratitude => "Gratitude",
            Screen::CheckIns => "Check-ins",
            Screen::Repairs => "Repairs",
            Screen::Together => "Together",
            Screen::Pause => "Pause",
            Screen::Journal => "Journal",
            Screen::Devices => "Devices",
            Screen::Settings => "Settings",
            Screen::Help => "Help",
        }
    }

    /// What waits for this partner on this screen.
    pub fn waits(self) -> &'static [WaitingKind] {
        match self {
            Screen::Agreements => &[WaitingKind::Agreement, WaitingKind::Review],
            Screen::Promises => &[WaitingKind::Acknowledge],
            Screen::Gratitude => &[WaitingKind::Thanks],
            Screen::Repairs => &[WaitingKind::Repair, WaitingKind::Heard],
            Screen::Together => &[WaitingKind::Question],
            Screen::Pause => &[WaitingKind::Pause],
            _ => &[],
        }
    }

    /// Where a thing that waits is answered.
    pub fn of(kind: WaitingKind) -> Screen {
        Screen::SIDEBAR.into_iter().find(|s| s.waits().contains(&kind)).unwrap_or(Screen::Today)
    }
}

/// The form that tells the backend the notes of thanks were seen.
const THANKS_SEEN: Form = "thanks seen";
const IN_VIEW: Form = "in view";

/// What came back for each form: kept on the UI side so a refused command leaves what was
/// typed in place, with the reason beside it.
#[derive(Default)]
pub struct Answers {
    pending: HashSet<Form>,
    errors: HashMap<Form, String>,
    said: HashMap<Form, String>,
    done: HashSet<Form>,
}

/// What a screen uses to act: send a request, and read the answer for its form.
pub struct Io<'a> {
    backend: &'a Backend,
    answers: &'a mut Answers,
}

impl Io<'_> {
    pub fn send(&mut self, form: Form, req: Request) {
        self.answers.pending.insert(form);
        self.answers.errors.remove(form);
        self.answers.said.remove(form);
        self.backend.send(form, req);
    }

    pub fn exec(&mut self, form: Form, cmd: Command) {
        self.send(form, Request::Execute { form, cmd });
    }

    /// Whether the form's last request just succeeded (once): the screen clears its fields.
    pub fn succeeded(&mut self, form: Form) -> bool {
        self.answers.done.remove(form)
    }

    pub fn busy(&self, form: Form) -> bool {
        self.answers.pending.contains(form)
    }

    /// Whether the form's last request was refused (its reason is still shown or kept).
    pub fn failed(&self, form: Form) -> bool {
        self.answers.errors.contains_key(form)
    }

    /// A refusal the UI found itself (a time it cannot read), shown like the engine's.
    pub fn refuse(&mut self, form: Form, why: impl Into<String>) {
        self.answers.errors.insert(form, why.into());
        self.answers.said.remove(form);
    }

    /// The form's state in words, beside its button: saving, the reason it was refused, or
    /// what was done.
    pub fn feedback(&self, ui: &mut egui::Ui, form: Form) {
        if self.busy(form) {
            ui.label("Saving…");
        } else if let Some(e) = self.answers.errors.get(form) {
            ui.colored_label(ui.visuals().error_fg_color, e);
        } else if let Some(s) = self.answers.said.get(form).filter(|s| !s.is_empty()) {
            ui.label(s);
        }
    }
}

pub struct MendApp {
    cfg: BackendConfig,
    backend: Option<Backend>,
    pub screen: Screen,
    forms: Forms,
    answers: Answers,
    styled: bool,
    /// Whether the window was in front of the person, as last told to the backend.
    in_view: Option<bool>,
}

impl MendApp {
    /// The backend starts with the first frame, when egui's context is known.
    pub fn new(cfg: BackendConfig) -> MendApp {
        MendApp { cfg, backend: None, screen: Screen::Today, forms: Forms::default(), answers: Answers::default(), styled: false, in_view: None }
    }

    /// Opens on `screen` instead of Today (scripts/screenshot.sh uses it). First run still
    /// comes first when there is no profile.
    pub fn with_screen(mut self, screen: Screen) -> MendApp {
        self.screen = screen;
        self
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.backend.as_ref().map(|b| b.snapshot()).unwrap_or_default()
    }

    /// The answer shown for a form right now: its error, if it was refused.
    pub fn error_of(&self, form: &str) -> Option<&str> {
        self.answers.errors.get(form).map(String::as_str)
    }

    pub fn is_idle(&self) -> bool {
        self.answers.pending.is_empty()
    }

    fn drain_replies(&mut self) {
        let Some(b) = &self.backend else { return };
        while let Some(r) = b.try_reply() {
            self.answers.pending.remove(r.form);
            match r.result {
                Ok(said) => {
                    self.answers.errors.remove(r.form);
                    self.answers.done.insert(r.form);
                    self.answers.said.insert(r.form, said);
                }
                Err(e) => {
                    self.answers.errors.insert(r.form, e);
                }
            }
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) {
        if !self.styled {
            crate::style::apply(ui.ctx());
            // This frame's `ui` was made with the style from before: without this, its first
            // frame looked for the title's text style in a style that had none, and panicked
            // whenever the profile was ready by then (a rare snapshot test failure).
            ui.set_style(ui.ctx().style_of(ui.ctx().theme()));
            self.styled = true;
        }
        if self.backend.is_none() {
            self.backend = Some(Backend::start(self.cfg.clone(), ui.ctx().clone()));
        }
        self.drain_replies();
        let snap = self.snapshot();
        let Some(backend) = self.backend.as_ref() else { return };
        // News that comes while the person looks at the window shows here, not as a
        // notification on top of it.
        let in_view = ui.ctx().input(|i| i.viewport().focused.unwrap_or(i.focused));
        if self.in_view != Some(in_view) {
            self.in_view = Some(in_view);
            backend.send(IN_VIEW, Request::InView { in_view });
        }
        let mut io = Io { backend, answers: &mut self.answers };
        match &snap.phase {
            Phase::Starting => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.heading("Mend");
                    ui.label("Opening your profile…");
                });
                return;
            }
            Phase::Failed(why) => {
                egui::CentralPanel::default().show(ui, |ui| {
                    ui.heading("Mend could not start");
                    ui.label(why);
                    ui.label("Nothing was changed. Mend's Help, and `mend --help` on the command line, say more.");
                });
                return;
            }
            Phase::FirstRun => self.screen = Screen::FirstRun,
            Phase::Ready => {}
        }
        let first_run = self.screen == Screen::FirstRun;
        // Ctrl+1 … Ctrl+9 open the first nine screens of the sidebar, in its order.
        if !first_run {
            const KEYS: [egui::Key; 9] = [
                egui::Key::Num1,
                egui::Key::Num2,
                egui::Key::Num3,
                egui::Key::Num4,
                egui::Key::Num5,
                egui::Key::Num6,
                egui::Key::Num7,
                egui::Key::Num8,
                egui::Key::Num9,
            ];
            let picked = ui.ctx().input_mut(|i| KEYS.iter().position(|k| i.consume_key(egui::Modifiers::COMMAND, *k)));
            if let Some(n) = picked {
                self.screen = Screen::SIDEBAR[n];
            }
        }
        if !first_run {
            egui::Panel::left("sidebar").resizable(false).exact_size(180.0).show(ui, |ui| {
                ui.add_space(8.0);
                let accent = crate::style::Palette::of(ui.visuals()).accent;
                ui.label(egui::RichText::new("Mend").text_style(egui::TextStyle::Name("Title".into())).color(accent));
                ui.label(egui::RichText::new(snap.my_name()).weak());
                ui.add_space(8.0);
                for s in Screen::SIDEBAR {
                    ui.horizontal(|ui| {
                        let shortcut = Screen::SIDEBAR.iter().position(|x| *x == s).filter(|i| *i < 9).map(|i| format!(" (Ctrl+{})", i + 1));
                        let r = ui.selectable_label(self.screen == s, s.label());
                        let r = match shortcut {
                            Some(k) => r.on_hover_text(format!("{}{k}", s.label())),
                            None => r,
                        };
                        if r.clicked() {
                            self.screen = s;
                        }
                        // A calm count of what waits there, gone once answered: a quiet
                        // number, never red, never "overdue".
                        let n = snap.lists.waiting_count(s.waits());
                        if n > 0 {
                            ui.label(egui::RichText::new(n.to_string()).weak()).on_hover_text(format!("{n} waiting for you"));
                        }
                    });
                }
                ui.add_space(16.0);
                crate::style::theme_switch(ui);
            });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            if let Some(b) = &snap.busy {
                ui.label(b);
            }
            screens::pause::banner(ui, &snap);
            egui::ScrollArea::vertical().id_salt("screen").auto_shrink([false, false]).show(ui, |ui| {
                // Lines of text stay short enough to read comfortably on a wide window.
                ui.set_max_width(ui.available_width().min(820.0) - 12.0);
                let f = &mut self.forms;
                match self.screen {
                    Screen::FirstRun => {
                        if screens::first_run::show(ui, &snap, &mut f.first_run, &mut io) {
                            self.screen = Screen::Today;
                        }
                    }
                    Screen::Today => {
                        if let Some(s) = screens::today::show(ui, &snap, &mut f.together, &mut io) {
                            self.screen = s;
                        }
                    }
                    Screen::Agreements => screens::agreements::show(ui, &snap, &mut f.agreements, &mut io),
                    Screen::Promises => screens::promises::show(ui, &snap, &mut f.promises, &mut io),
                    Screen::Gratitude => {
                        // Shown is seen: the new notes leave "For you". Asked once per window
                        // if it fails (a read-only profile): they simply stay new.
                        if snap.lists.waiting_count(&[WaitingKind::Thanks]) > 0 && !io.busy(THANKS_SEEN) && !io.failed(THANKS_SEEN) {
                            io.send(THANKS_SEEN, Request::MarkThanksSeen);
                        }
                        screens::gratitude::show(ui, &snap, &mut f.gratitude, &mut io)
                    }
                    Screen::CheckIns => screens::checkins::show(ui, &snap, &mut f.checkins, &mut f.heard, &mut io),
                    Screen::Repairs => screens::repairs::show(ui, &snap, &mut f.repairs, &mut f.heard, &mut io),
                    Screen::Together => screens::together::show(ui, &snap, &mut f.together, &mut io),
                    Screen::Pause => screens::pause::show(ui, &snap, &mut f.pause, &mut io),
                    Screen::Journal => screens::journal::show(ui, &snap, &mut f.journal, &mut io),
                    Screen::Devices => screens::devices::show(ui, &snap, &mut f.devices_ticket, &mut io),
                    Screen::Settings => screens::settings::show(ui, &snap, &mut f.settings, &mut io),
                    Screen::Help => screens::help::show(ui),
                }
            });
        });
        // Countdowns (an invitation's expiry, a pause's end) move on their own.
        if snap.invite.is_some() || snap.view.active_pauses(snap.clock.now()).next().is_some() {
            ui.ctx().request_repaint_after(std::time::Duration::from_secs(1));
        }
    }
}

impl eframe::App for MendApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        MendApp::ui(self, ui);
    }
}
