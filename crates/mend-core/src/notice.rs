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

/// What a notification can be about: what the partner did (on unless turned off), and two
/// reminders of one's own that are off unless chosen (a promise of yours is due, the time
/// you chose for your check-in). Never a count, never what the partner has not done.
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
    /// One of this partner's own promises is due (opt-in).
    PromiseDue,
    /// The time this partner chose for their check-in, on a day without one yet (opt-in).
    CheckIn,
}

impl NoticeKind {
    /// What the partner did: on unless turned off.
    pub const ALL: [NoticeKind; 5] = [NoticeKind::Pause, NoticeKind::Repair, NoticeKind::Answered, NoticeKind::Agreement, NoticeKind::Thanks];
    /// One's own reminders: off unless turned on.
    pub const REMINDERS: [NoticeKind; 2] = [NoticeKind::PromiseDue, NoticeKind::CheckIn];

    pub fn is_reminder(self) -> bool {
        NoticeKind::REMINDERS.contains(&self)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Pause => "pause",
            NoticeKind::Repair => "repair",
            NoticeKind::Answered => "answered",
            NoticeKind::Agreement => "agreement",
            NoticeKind::Thanks => "thanks",
            NoticeKind::PromiseDue => "promise-due",
            NoticeKind::CheckIn => "checkin",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().chain(NoticeKind::REMINDERS).find(|k| k.as_str() == s.trim())
    }

    /// What it is about, for a settings list: "Your partner asks for a pause".
    pub fn describe(self) -> &'static str {
        match self {
            NoticeKind::Pause => "your partner asks for a pause",
            NoticeKind::Repair => "your partner shares a repair with you",
            NoticeKind::Answered => "your partner answers your repair",
            NoticeKind::Agreement => "an agreement waits for you",
            NoticeKind::Thanks => "a note of thanks",
            NoticeKind::PromiseDue => "a promise of yours is due (a reminder; off unless you turn it on)",
            NoticeKind::CheckIn => "your check-in time, on a day without one (a reminder; off unless you turn it on)",
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

/// "20:30" as minutes since midnight.
pub fn minute_of_day(t: &str) -> Option<u16> {
    let (h, m) = t.trim().split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl QuietHours {
    /// Accepts "22:00-07:00" (spaces allowed around the dash).
    pub fn parse(s: &str) -> Option<QuietHours> {
        let (a, b) = s.split_once('-')?;
        let q = QuietHours { from: minute_of_day(a)?, until: minute_of_day(b)? };
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
    /// The reminders turned on (none unless chosen).
    pub reminders: BTreeSet<NoticeKind>,
    /// The check-in reminder's time, in minutes since local midnight.
    pub checkin_at: Option<u16>,
}

/// The check-in reminder's time when none was chosen: 20:00.
pub const DEFAULT_CHECKIN_AT: u16 = 20 * 60;

impl NoticeSettings {
    pub fn is_on(&self, kind: NoticeKind) -> bool {
        if kind.is_reminder() { self.reminders.contains(&kind) } else { !self.off.contains(&kind) }
    }
}

/// How early a promise's reminder comes, and how long after its time it is still worth it.
const DUE_BEFORE: i64 = 10 * Timestamp::MINUTE;
const DUE_AFTER: i64 = Timestamp::HOUR;

/// This partner's own reminders that are due now (only the kinds turned on), and in how
/// many minutes the next one comes, so the caller can decide again then. `minute` is the
/// local minute of the day and `today_from` the start of the local day.
pub fn reminders(
    view: &View,
    me: &PartnerId,
    now: Timestamp,
    settings: &NoticeSettings,
    minute: u16,
    today_from: Timestamp,
) -> (Vec<Notice>, Option<u16>) {
    let mut out = vec![];
    let mut next: Option<i64> = None;
    let mut sooner = |ms: i64| next = Some(next.map_or(ms, |n: i64| n.min(ms)));
    if settings.is_on(NoticeKind::PromiseDue) {
        for p in view.promises.values().filter(|p| &p.promiser == me && p.open) {
            let Some(due) = p.next_due else { continue };
            if now.0 >= due.0 - DUE_BEFORE && now.0 < due.0 + DUE_AFTER {
                out.push(Notice {
                    key: format!("due:{}:{}", p.id, due.0),
                    kind: NoticeKind::PromiseDue,
                    from: None,
                    record: Some(p.id.clone()),
                    until: Some(due),
                });
            } else if due.0 - DUE_BEFORE > now.0 {
                sooner(due.0 - DUE_BEFORE - now.0);
            }
        }
    }
    if settings.is_on(NoticeKind::CheckIn) {
        let at = settings.checkin_at.unwrap_or(DEFAULT_CHECKIN_AT);
        let done_today = view.checkins.values().any(|c| &c.author == me && c.at >= today_from);
        if minute >= at && !done_today {
            out.push(Notice { key: format!("checkin:{}", today_from.0), kind: NoticeKind::CheckIn, from: None, record: None, until: None });
        } else if minute < at {
            sooner(i64::from(at - minute) * Timestamp::MINUTE);
        }
    }
    // Minutes, rounded up, at most a day (a decision is cheap; a missed reminder is not).
    let again = next.map(|ms| ((ms + Timestamp::MINUTE - 1) / Timestamp::MINUTE).clamp(1, i64::from(MINUTES_A_DAY)) as u16);
    (out, again)
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
