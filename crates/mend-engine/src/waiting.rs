//! What waits for this partner, in words: one sentence per item, the same in the window, in
//! `mend waiting` and in a notification. Names come from the other device and are made
//! printable; no record's own words appear (a notification must never show a repair).

use crate::{printable, when};
use mend_core::records::Outcome;
use mend_core::{Timestamp, View, Waiting, WaitingKind};

/// "Sam shared a repair with you", "Sam asked for a pause until 20:30".
pub fn sentence(view: &View, w: &Waiting, now: Timestamp) -> String {
    sentence_in(view, w, now, &jiff::tz::TimeZone::system())
}

/// [`sentence`], with times read in `tz`.
pub fn sentence_in(view: &View, w: &Waiting, now: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let who = w.from.as_ref().map(|p| printable::line(view.partner_name(p))).unwrap_or_else(|| "Your partner".into());
    let record = w.record.as_ref();
    match w.kind {
        WaitingKind::Pause => match w.until {
            Some(until) => format!("{who} asked for a pause until {}", when::near_in(until, now, tz)),
            None => format!("{who} asked for a pause"),
        },
        WaitingKind::Repair => format!("{who} shared a repair with you"),
        WaitingKind::Agreement => {
            let revised = record.and_then(|id| view.agreements.get(id)).is_some_and(|a| a.revisions.len() > 1);
            if revised { format!("{who} proposed new words for an agreement") } else { format!("{who} proposed an agreement") }
        }
        WaitingKind::Acknowledge => {
            let outcome = record.and_then(|id| view.promises.get(id)).and_then(|p| p.unacknowledged()).map(|o| o.outcome);
            match outcome {
                Some(Outcome::Kept) => format!("{who} kept a promise"),
                Some(Outcome::Missed) => format!("{who} marked a promise as missed"),
                Some(Outcome::Renegotiated) => format!("{who} asked to move a promise"),
                None => format!("{who} marked a promise"),
            }
        }
        WaitingKind::Review => "An agreement is up for review".into(),
        WaitingKind::Heard => {
            let on = record.filter(|id| view.checkins.contains_key(*id)).map_or("your repair", |_| "your check-in");
            format!("{who} wrote what they heard in {on}")
        }
        WaitingKind::Question => format!("{who} answered today's question"),
        WaitingKind::Thanks => format!("{who} thanked you"),
    }
}

/// What to do about it, briefly, for the window and the CLI (never for a notification).
pub fn next_step(w: &Waiting) -> &'static str {
    match w.kind {
        WaitingKind::Pause => "Take the time; nothing needs an answer until it ends.",
        WaitingKind::Repair => "Read it when you are ready, and answer when you can.",
        WaitingKind::Agreement => "Read it, and accept it if it feels right.",
        WaitingKind::Acknowledge => "Let them know you saw it.",
        WaitingKind::Review => "Look at it together and see whether it still fits.",
        WaitingKind::Heard => "Say whether that's it, when you like.",
        WaitingKind::Question => "Answer it too, if you like, and you'll read each other's answers.",
        WaitingKind::Thanks => "Read it.",
    }
}
