//! Notifications for this profile: this device's choices (`sync/notices.json`), what was
//! already told (`sync/told.json`), and the words of each one. Which news to tell is
//! decided by [`mend_core::notice`]; posting it is the node's ([`crate::node`]).
//!
//! The window and `mend serve` may both run on one profile: deciding holds `sync/lock`, so
//! whichever decides first tells, and the other finds the news told.

use crate::error::EngineError;
use crate::{Engine, printable, when};
use mend_core::notice::{self, Moment, Notice, NoticeKind, NoticeSettings};
use mend_core::{Timestamp, View};
use mend_core::{Waiting, WaitingKind};
use std::collections::BTreeSet;

const SETTINGS: &str = "notices.json";
const TOLD: &str = "told.json";

/// One notification, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    pub kind: NoticeKind,
    /// The line a person reads: "Sam shared a repair with you".
    pub summary: String,
}

/// What to post now, and when to decide again even if nothing changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Told {
    pub post: Vec<Posting>,
    pub again_in_minutes: Option<u16>,
}

/// "Sam shared a repair with you", or, discreetly, "Something from Sam". Never the words
/// of a record: a notification can be read over a shoulder or on a locked screen.
pub fn summary(view: &View, n: &Notice, now: Timestamp, discreet: bool) -> String {
    let name = n.from.as_ref().map(|p| printable::line(view.partner_name(p))).filter(|s| !s.trim().is_empty());
    if discreet {
        return format!("Something from {}", name.as_deref().unwrap_or("your partner"));
    }
    // The same sentence as on Today and in `mend waiting`; only an answer is news that
    // does not wait for anyone.
    let kind = match n.kind {
        NoticeKind::Pause => WaitingKind::Pause,
        NoticeKind::Repair => WaitingKind::Repair,
        NoticeKind::Agreement => WaitingKind::Agreement,
        NoticeKind::Thanks => WaitingKind::Thanks,
        NoticeKind::Answered => return format!("{} answered your repair", name.as_deref().unwrap_or("Your partner")),
        // Your own reminders: what and when, never the promise's words.
        NoticeKind::PromiseDue => {
            return match n.until {
                Some(due) => format!("A promise of yours is due {}", when::near(due, now)),
                None => "A promise of yours is due".to_owned(),
            };
        }
        NoticeKind::CheckIn => return "Time for your check-in, if you'd like".to_owned(),
    };
    let w = Waiting { kind, record: n.record.clone(), from: n.from.clone(), since: now, until: n.until };
    crate::waiting::sentence(view, &w, now)
}

impl Engine {
    /// This device's choices about notifications; the defaults when none were made (or the
    /// file cannot be read: then the defaults are what the person would have seen anyway).
    pub fn notice_settings(&self) -> NoticeSettings {
        self.blobs().load(SETTINGS).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn set_notice_settings(&self, s: &NoticeSettings) -> Result<(), EngineError> {
        self.blobs().save(SETTINGS, serde_json::json!(s).to_string().as_bytes())?;
        Ok(())
    }

    /// Decides which news to tell now, and notes it as told before returning it, so that
    /// no other Mend on this profile tells it too. `in_view`: the window is in front of
    /// the person, who sees the news there.
    pub fn take_news(&self, in_view: bool) -> Result<Told, EngineError> {
        let now = self.now();
        let sync = self.dir().join("sync");
        mend_fs::create_private_dir(&sync).map_err(mend_store::StoreError::from)?;
        let lock = mend_fs::open_lock(&sync).map_err(mend_store::StoreError::from)?;
        let _held = mend_fs::exclusive(&lock, &sync).map_err(mend_store::StoreError::from)?;
        // Unreadable counts as never decided: the news there is now is then taken as told,
        // which costs at most a notification, never a flood.
        let told: Option<BTreeSet<String>> = self.blobs().load(TOLD).and_then(|b| serde_json::from_slice(&b).ok());
        let settings = self.notice_settings();
        let view = self.view();
        let mut news = notice::news(view, &self.me().partner, now, self.thanks_seen());
        let minute = when::minute_of_day_in(now, self.clock().tz());
        let today_from = now.plus_ms(-i64::from(minute) * Timestamp::MINUTE - now.0.rem_euclid(Timestamp::MINUTE));
        let (due, next) = notice::reminders(view, &self.me().partner, now, &settings, minute, today_from);
        news.extend(due);
        let moment = Moment { minute, in_view };
        let mut d = notice::decide(news, told.as_ref(), &settings, moment);
        d.again_in_minutes = match (d.again_in_minutes, next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if told.as_ref() != Some(&d.told) {
            self.blobs().save(TOLD, serde_json::json!(d.told).to_string().as_bytes())?;
        }
        let post = d.post.iter().map(|n| Posting { kind: n.kind, summary: summary(view, n, now, settings.discreet) }).collect();
        Ok(Told { post, again_in_minutes: d.again_in_minutes })
    }
}
