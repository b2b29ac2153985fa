//! The records of the shared space, as the view presents them. Each is read from its own map
//! in the document, so one record can be refreshed without touching the others.

use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$m])*
        // Serialized as the same words the document and the CLI use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $word)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($word => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(
    /// What an agreement is about (the areas counsellors suggest couples cover).
    Category {
        Privacy = "privacy",
        Communication = "communication",
        Intimacy = "intimacy",
        Phones = "phones",
        Time = "time",
        Other = "other",
    }
);

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Privacy => "Privacy and personal space",
            Category::Communication => "Communication",
            Category::Intimacy => "Intimacy",
            Category::Phones => "Phones and social media",
            Category::Time => "Time together and apart",
            Category::Other => "Other",
        }
    }
}

word_enum!(Repeat { None = "none", Daily = "daily", Weekly = "weekly" });

word_enum!(
    /// How one occurrence of a promise ended. Marked only by the partner who promised.
    Outcome { Kept = "kept", Missed = "missed", Renegotiated = "renegotiated" }
);

word_enum!(CheckInKind { Daily = "daily", Weekly = "weekly" });

word_enum!(
    /// The partner's answer to a repair, given whenever they are ready; it may change later.
    RepairResponse {
        Received = "received",
        NeedTime = "need-time",
        ReadyToTalk = "ready-to-talk",
        Forgiven = "forgiven",
    }
);

word_enum!(
    LoveLanguage {
        Words = "words-of-affirmation",
        Acts = "acts-of-service",
        Gifts = "receiving-gifts",
        Time = "quality-time",
        Touch = "physical-touch",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    /// Other names written concurrently on two devices: shown, not silently dropped.
    /// (Always serialized: the view cache's binary format needs every field in place.)
    #[serde(default)]
    pub name_conflicts: Vec<String>,
    pub love_languages: Vec<LoveLanguage>,
    pub needs: String,
    pub joined_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    pub id: DeviceId,
    pub name: String,
    pub partner: PartnerId,
    pub added_at: Timestamp,
    pub removed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: RecordId,
    pub text: String,
    pub author: PartnerId,
    pub device: DeviceId,
    pub at: Timestamp,
    pub accepted_by: BTreeMap<PartnerId, Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgreementState {
    /// Both partners accepted the current revision.
    Agreed,
    /// Waiting for someone's acceptance of the current revision.
    Proposed,
    Archived,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: RecordId,
    pub category: Category,
    pub created_by: PartnerId,
    pub created_at: Timestamp,
    pub review_at: Option<Timestamp>,
    pub archived: bool,
    /// Oldest first. Concurrent revisions are all kept; the newest (by time, then id) is current.
    pub revisions: Vec<Revision>,
}

impl Agreement {
    pub fn current(&self) -> Option<&Revision> {
        self.revisions.last()
    }
    /// The newest revision that both partners accepted, if any.
    pub fn last_agreed<'a>(&'a self, partners: &[&PartnerId]) -> Option<&'a Revision> {
        self.revisions.iter().rev().find(|r| partners.len() >= 2 && partners.iter().all(|p| r.accepted_by.contains_key(*p)))
    }
    pub fn state(&self, partners: &[&PartnerId]) -> AgreementState {
        if self.archived {
            return AgreementState::Archived;
        }
        match self.current() {
            Some(r) if partners.len() >= 2 && partners.iter().all(|p| r.accepted_by.contains_key(*p)) => AgreementState::Agreed,
            _ => AgreementState::Proposed,
        }
    }
    pub fn waiting_for(&self, partner: &PartnerId) -> bool {
        !self.archived && self.current().is_some_and(|r| !r.accepted_by.contains_key(partner))
    }
    pub fn due_for_review(&self, now: Timestamp) -> bool {
        !self.archived && self.review_at.is_some_and(|t| t <= now)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occurrence {
    /// The key of this occurrence in the document (its due time, or "once"). Left out of
    /// JSON; the view cache keeps it on the side (`View::to_cache`).
    #[serde(skip)]
    pub key: String,
    /// The due time this occurrence was for (None for a promise without a time).
    pub due: Option<Timestamp>,
    pub outcome: Outcome,
    pub marked_at: Timestamp,
    pub marked_on: DeviceId,
    /// For a renegotiation: the time agreed instead.
    pub new_due: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    pub id: RecordId,
    pub text: String,
    pub promiser: PartnerId,
    pub created_at: Timestamp,
    pub repeat: Repeat,
    /// When the next open occurrence is due. None with `open` means "no set time".
    pub next_due: Option<Timestamp>,
    /// False once a one-off promise is kept or missed.
    pub open: bool,
    pub from_repair: Option<RecordId>,
    /// Oldest first.
    pub occurrences: Vec<Occurrence>,
}

impl Promise {
    pub fn is_due_by(&self, t: Timestamp) -> bool {
        self.open && self.next_due.is_some_and(|d| d <= t)
    }
    /// The newest marked occurrence that the partner has not acknowledged yet.
    pub fn unacknowledged(&self) -> Option<&Occurrence> {
        self.occurrences.iter().rev().find(|o| o.acknowledged_at.is_none())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gratitude {
    pub id: RecordId,
    pub text: String,
    pub author: PartnerId,
    pub at: Timestamp,
    /// A promise or agreement this note is about.
    pub about: Option<RecordId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckIn {
    pub id: RecordId,
    pub kind: CheckInKind,
    pub prompt: Option<String>,
    pub connection: u8,
    pub trust: u8,
    pub heard: u8,
    pub note: Option<String>,
    pub author: PartnerId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub response: RepairResponse,
    pub by: PartnerId,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    pub id: RecordId,
    pub author: PartnerId,
    pub at: Timestamp,
    pub what_happened: String,
    pub what_i_did: String,
    pub impact: String,
    pub next_time: String,
    pub answer: Option<Answer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub partner: PartnerId,
    pub started_at: Timestamp,
    pub until: Timestamp,
    pub note: Option<String>,
    pub ended_at: Option<Timestamp>,
}

impl Pause {
    /// A pause ends by itself at `until`; nobody has to lift it.
    pub fn is_active(&self, now: Timestamp) -> bool {
        self.ended_at.is_none() && now < self.until
    }
}
