//! What is typed into each screen's forms. It lives here, outside the snapshot, so nothing
//! typed is lost when a command is refused or the snapshot changes underneath.

use crate::dialog::Pending;
use mend_engine::core::{Category, CheckInKind, Repeat};

#[derive(Default)]
pub struct Forms {
    pub first_run: FirstRunForm,
    pub agreements: AgreementsForm,
    pub promises: PromisesForm,
    pub gratitude: GratitudeForm,
    pub checkins: CheckInsForm,
    pub repairs: RepairsForm,
    pub pause: PauseForm,
    pub journal: JournalForm,
    pub settings: SettingsForm,
    pub together: TogetherForm,
    /// "What I heard" typed on a repair or check-in, and the line of a "not quite".
    pub heard: HeardForm,
    /// Devices: an invitation pasted to join (again) from an open profile.
    pub devices_ticket: String,
}

#[derive(Default)]
pub struct FirstRunForm {
    pub name: String,
    /// This device's name; follows the person's name ("Ana's laptop") until edited.
    pub device_name: String,
    pub device_name_edited: bool,
    pub ticket: String,
    pub choice: Option<FirstRunChoice>,
    /// A picture of a QR code being chosen and read: None if no file was chosen.
    pub qr_image: Pending<Option<Result<String, String>>>,
    pub qr_error: Option<String>,
    /// Restoring from a backup: the file, its passphrase, and the file dialog.
    pub backup_path: String,
    pub backup_passphrase: zeroize::Zeroizing<String>,
    pub open_dialog: Pending<Option<std::path::PathBuf>>,
    /// A backup without the device key was restored: what is left is to join.
    pub restored: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstRunChoice {
    Invite,
    Join,
    Restore,
}

pub struct AgreementsForm {
    pub category: Category,
    pub text: String,
    /// The agreement being revised, and the new text.
    pub revising: Option<(String, String)>,
    /// The agreement whose review is being planned, and the date typed.
    pub reviewing: Option<(String, String)>,
    /// The agreement whose revisions are shown.
    pub history: Option<String>,
}

impl Default for AgreementsForm {
    fn default() -> Self {
        AgreementsForm { category: Category::Communication, text: String::new(), revising: None, reviewing: None, history: None }
    }
}

pub struct PromisesForm {
    pub text: String,
    pub due: String,
    pub repeat: Repeat,
    /// A promise being renegotiated, and the new time typed for it.
    pub renegotiating: Option<(String, String)>,
    pub window: u32,
}

impl Default for PromisesForm {
    fn default() -> Self {
        PromisesForm { text: String::new(), due: String::new(), repeat: Repeat::None, renegotiating: None, window: 30 }
    }
}

#[derive(Default)]
pub struct GratitudeForm {
    pub text: String,
    /// A promise or agreement the note is about.
    pub about: Option<String>,
}

pub struct CheckInsForm {
    pub kind: CheckInKind,
    pub connection: i64,
    pub trust: i64,
    pub heard: i64,
    pub note: String,
}

impl Default for CheckInsForm {
    fn default() -> Self {
        CheckInsForm { kind: CheckInKind::Daily, connection: 3, trust: 3, heard: 3, note: String::new() }
    }
}

#[derive(Default)]
pub struct RepairsForm {
    pub what_happened: String,
    pub what_i_did: String,
    pub impact: String,
    pub next_time: String,
    /// The repair open to read and answer.
    pub open: Option<String>,
}

pub struct PauseForm {
    pub minutes: i64,
    /// "Until a time" was chosen: the time typed ("20:30").
    pub until_mode: bool,
    pub until: String,
    /// Why the typed time could not be used, beside its field.
    pub until_error: Option<String>,
    pub note: String,
    /// The breathing guide is open.
    pub breathing: bool,
    /// A time to talk, as typed ("21:00").
    pub talk_at: String,
}

impl Default for PauseForm {
    fn default() -> Self {
        PauseForm {
            minutes: 30,
            until_mode: false,
            until: String::new(),
            until_error: None,
            note: String::new(),
            breathing: false,
            talk_at: String::new(),
        }
    }
}

#[derive(Default)]
pub struct JournalForm {
    pub passphrase: zeroize::Zeroizing<String>,
    /// A new passphrase, typed again.
    pub again: zeroize::Zeroizing<String>,
    pub text: String,
    pub mood: Option<u8>,
    pub prompt: Option<&'static str>,
    pub search: String,
    /// The entry open to read in full.
    pub open: Option<String>,
    pub feel_draft: String,
}

#[derive(Default)]
pub struct SettingsForm {
    /// Filled from the profile the first time the screen opens.
    pub loaded: bool,
    pub name: String,
    pub needs: String,
    pub love: Vec<mend_engine::core::LoveLanguage>,
    pub export_path: String,
    pub export_json: bool,
    pub save_dialog: Pending<Option<std::path::PathBuf>>,
    /// The notification choices, filled from the snapshot the first time.
    pub notices_loaded: bool,
    pub notices_off: std::collections::BTreeSet<mend_engine::core::notice::NoticeKind>,
    pub quiet_on: bool,
    pub quiet: String,
    pub discreet: bool,
    /// One's own reminders turned on, and the check-in time typed.
    pub reminders: std::collections::BTreeSet<mend_engine::core::notice::NoticeKind>,
    pub checkin_at: String,
    /// "Back up now…" was chosen: the passphrase (twice) and the file are asked for.
    pub backup_open: bool,
    pub backup_path: String,
    pub backup_passphrase: zeroize::Zeroizing<String>,
    pub backup_again: zeroize::Zeroizing<String>,
    pub backup_dialog: Pending<Option<std::path::PathBuf>>,
    /// The love-languages quiz: which choice of each question (None: not answered yet).
    pub quiz: Vec<Option<u8>>,
    /// The couple's own relay, as typed (filled from the one in use at first show).
    pub relay: String,
}

#[derive(Default)]
pub struct TogetherForm {
    /// The answer to today's question, before it is sealed and shared.
    pub answer: String,
    pub goal: String,
    /// A step typed under each goal (by goal id).
    pub steps: std::collections::HashMap<String, String>,
    /// The goal whose step was just sent, to clear its field once saved.
    pub step_for: Option<String>,
    pub plan: String,
    pub plan_when: String,
    pub idea: String,
}

#[derive(Default)]
pub struct HeardForm {
    /// What I heard, by the record it is about.
    pub text: std::collections::HashMap<String, String>,
    /// The line of a "not quite", by the record.
    pub not_quite: std::collections::HashMap<String, String>,
    /// The record whose form was just sent.
    pub sent_for: Option<String>,
}
