//! Which news becomes a desktop notification: decided from the view, what was already told
//! and the time, with no bus and no clock of its own, so the window and `mend serve` decide
//! alike and every rule is tested without a desktop.
//!
//! The rules: each piece of news is told at most once; a kind turned off, or news that
//! arrives while the window is in front of the person, is never told later (it would come
//! as a heap when turned on again); news in quiet hours waits for their end, and is told
//! then only if it still waits.

use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::view::View;
use crate::waiting::{THANKS_NEW_FOR, WaitingKind, waiting_for};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a notification can be about. Only what the partner did: Mend never notifies
/// about a person's own records, and never counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    /// The partner asked for a pause.
    Pause,
    /// The partner shared a repair with this partner.
    Repair,
    /// The partner answered this partner's repair.
    Answered,
    /// An agreement (or new words for one) waits for this partner's acceptance.
    Agreement,
    /// A note of thanks from the partner.
    Thanks,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 5] = [NoticeKind::Pause, NoticeKind::Repair, NoticeKind::Answered, NoticeKind::Agreement, NoticeKind::Thanks];

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Pause => "pause",
            NoticeKind::Repair => "repair",
            NoticeKind::Answered => "answered",
            NoticeKind::Agreement => "agreement",
            NoticeKind::Thanks => "thanks",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// What it is about, for a settings list: "Your partner asks for a pause".
    pub fn describe(self) -> &'static str {
        match self {
            NoticeKind::Pause => "your partner asks for a pause",
            NoticeKind::Repair => "your partner shares a repair with you",
            NoticeKind::Answered => "your partner answers your repair",
            NoticeKind::Agreement => "an agreement waits for you",
            NoticeKind::Thanks => "a note of thanks",
        }
    }
}

/// A span of the day without notifications, in minutes since local midnight; `from` after
/// `until` spans midnight (22:00 to 07:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuietHours {
    pub from: u16,
    pub until: u16,
}

pub const MINUTES_A_DAY: u16 = 24 * 60;

impl QuietHours {
    /// Accepts "22:00-07:00" (spaces allowed around the dash).
    pub fn parse(s: &str) -> Option<QuietHours> {
        let (a, b) = s.split_once('-')?;
        let minute = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 60 + m)
        };
        let q = QuietHours { from: minute(a)?, until: minute(b)? };
        (q.from != q.until).then_some(q)
    }

    pub fn contains(self, minute: u16) -> bool {
        if self.from < self.until { (self.from..self.until).contains(&minute) } else { minute >= self.from || minute < self.until }
    }

    /// Minutes from `minute` until quiet hours end (0 when they are not on).
    pub fn minutes_left(self, minute: u16) -> u16 {
        if !self.contains(minute) {
            return 0;
        }
        (self.until + MINUTES_A_DAY - minute) % MINUTES_A_DAY
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}-{:02}:{:02}", self.from / 60, self.from % 60, self.until / 60, self.until % 60)
    }
}

/// This device's choices about notifications. Everything is on by default, without quiet
/// hours, naming who and what (never the words).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoticeSettings {
    /// The kinds turned off.
    pub off: BTreeSet<NoticeKind>,
    pub quiet: Option<QuietHours>,
    /// Say only "something from Sam", not what it is.
    pub discreet: bool,
}

impl NoticeSettings {
    pub fn is_on(&self, kind: NoticeKind) -> bool {
        !self.off.contains(&kind)
    }
}

/// One piece of news that could be told. `key` names it for good: the same news has the
/// same key on every evaluation, and new news (a second pause, new words for an agreement)
/// has a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub key: String,
    pub kind: NoticeKind,
    pub from: Option<PartnerId>,
    pub record: Option<RecordId>,
    /// A pause's end.
    pub until: Option<Timestamp>,
}

/// Everything that is news for `me` now: what waits for them from the partner (see
/// [`waiting_for`]), and the answers to their own repairs of the last week.
pub fn news(view: &View, me: &PartnerId, now: Timestamp, thanks_seen: Timestamp) -> Vec<Notice> {
    let mut all = Vec::new();
    for w in waiting_for(view, me, now, thanks_seen) {
        let id = w.record.as_ref().map(|r| r.as_str()).unwrap_or("");
        let (kind, key) = match w.kind {
            WaitingKind::Pause => (NoticeKind::Pause, format!("pause:{}:{}", w.from.as_ref().map(|p| p.as_str()).unwrap_or(""), w.since.0)),
            WaitingKind::Repair => (NoticeKind::Repair, format!("repair:{id}")),
            // New words for an agreement are news again: the revision's time tells them apart.
            WaitingKind::Agreement => (NoticeKind::Agreement, format!("agreement:{id}:{}", w.since.0)),
            WaitingKind::Thanks => (NoticeKind::Thanks, format!("thanks:{id}")),
            // A promise marked and a review due show on Today; neither is worth a
            // notification that interrupts.
            // A reflection and the partner's answer to the question show on Today; a
            // notification about either would press for an answer.
            WaitingKind::Acknowledge | WaitingKind::Review | WaitingKind::Heard | WaitingKind::Question => continue,
        };
        all.push(Notice { key, kind, from: w.from, record: w.record, until: w.until });
    }
    let since = now.plus_ms(-THANKS_NEW_FOR);
    for r in view.repairs.values().filter(|r| &r.author == me) {
        if let Some(a) = r.answer.as_ref().filter(|a| &a.by != me && a.at > since && a.at <= now) {
            // A changed answer is news again, so its time is part of the key.
            let key = format!("answered:{}:{}", r.id.as_str(), a.at.0);
            all.push(Notice { key, kind: NoticeKind::Answered, from: Some(a.by.clone()), record: Some(r.id.clone()), until: None });
        }
    }
    all
}

/// What to do now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    /// Tell these, in order.
    pub post: Vec<Notice>,
    /// What counts as told from now on: only keys of current news, so it never grows
    /// beyond what waits.
    pub told: BTreeSet<String>,
    /// Decide again in this many minutes (quiet hours end), even if nothing changes.
    pub again_in_minutes: Option<u16>,
}

/// Where the person is when news comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// Minutes since local midnight.
    pub minute: u16,
    /// The window is in front of the person: they see the news there.
    pub in_view: bool,
}

/// Decides which of `news` to tell. `told` is None the first time this profile ever
/// decides: then everything already there counts as told, so that turning Mend on does
/// not bring a heap of old news at once (Today lists it).
pub fn decide(news: Vec<Notice>, told: Option<&BTreeSet<String>>, settings: &NoticeSettings, at: Moment) -> Decision {
    let mut d = Decision::default();
    let quiet = settings.quiet.filter(|q| q.contains(at.minute));
    for n in news {
        let already = told.is_none_or(|t| t.contains(&n.key));
        if already || !settings.is_on(n.kind) || at.in_view {
            d.told.insert(n.key);
        } else if let Some(q) = quiet {
            d.again_in_minutes = Some(q.minutes_left(at.minute));
        } else {
            d.told.insert(n.key.clone());
            d.post.push(n);
        }
    }
    d
}
