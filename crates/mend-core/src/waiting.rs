//! Whose turn it is: what waits for one partner, asked of the view alone, so that the
//! window's "For you", `mend waiting` and the notifications can never disagree.

use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::records::AgreementGroup;
use crate::view::View;
use serde::Serialize;

/// What kind of thing waits, in the order a person meets them: the partner's pause first
/// (it changes how to talk right now), then what only this partner can answer, then what
/// the two share, then good news.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaitingKind {
    /// The partner asked for a pause that is still on.
    Pause,
    /// A repair the partner shared, not answered yet.
    Repair,
    /// A proposal or a new text of an agreement this partner has not accepted.
    Agreement,
    /// The partner marked one of their promises (kept, missed, renegotiated) and this
    /// partner has not acknowledged it.
    Acknowledge,
    /// An agreement both accepted whose review date has come.
    Review,
    /// The partner wrote what they heard in this partner's repair or check-in, and this
    /// partner has not said whether that was it.
    Heard,
    /// The partner answered today's question (sealed) and this partner has not yet: their
    /// answer opens once this one is in. Never the other way round: Mend does not tell
    /// anyone that their partner has not answered.
    Question,
    /// A note of thanks from the partner, new since it was last seen.
    Thanks,
}

impl WaitingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WaitingKind::Pause => "pause",
            WaitingKind::Repair => "repair",
            WaitingKind::Agreement => "agreement",
            WaitingKind::Acknowledge => "acknowledge",
            WaitingKind::Review => "review",
            WaitingKind::Heard => "heard",
            WaitingKind::Question => "question",
            WaitingKind::Thanks => "thanks",
        }
    }
}

/// One thing that waits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub kind: WaitingKind,
    /// The record to open; None for a pause (one per partner, no id of its own).
    pub record: Option<RecordId>,
    /// Who it comes from; None for a review, which is the two partners' together.
    pub from: Option<PartnerId>,
    /// Since when it waits.
    pub since: Timestamp,
    /// When it stops waiting by itself: a pause's end.
    pub until: Option<Timestamp>,
}

/// Everything that waits for `me` at `now`, in [`WaitingKind`] order, oldest first within a
/// kind. Notes of thanks count as new when written after `thanks_seen` (the caller keeps
/// when this partner last looked at them).
pub fn waiting_for(view: &View, me: &PartnerId, now: Timestamp, thanks_seen: Timestamp) -> Vec<Waiting> {
    let mut all = Vec::new();
    let item = |kind, record: Option<&RecordId>, from: Option<&PartnerId>, since, until| Waiting {
        kind,
        record: record.cloned(),
        from: from.cloned(),
        since,
        until,
    };
    for p in view.pauses.values().filter(|p| &p.partner != me && p.is_active(now)) {
        all.push(item(WaitingKind::Pause, None, Some(&p.partner), p.started_at, Some(p.until)));
    }
    for r in view.repairs.values().filter(|r| &r.author != me && r.answer.is_none()) {
        all.push(item(WaitingKind::Repair, Some(&r.id), Some(&r.author), r.at, None));
    }
    let partners = view.partner_ids();
    for a in view.agreements.values() {
        match a.group(&partners, me, now) {
            AgreementGroup::WaitingForYou => {
                if let Some(rev) = a.current() {
                    all.push(item(WaitingKind::Agreement, Some(&a.id), Some(&rev.author), rev.at, None));
                }
            }
            AgreementGroup::UpForReview => {
                all.push(item(WaitingKind::Review, Some(&a.id), None, a.review_at.unwrap_or(a.created_at), None));
            }
            _ => {}
        }
    }
    for p in view.promises.values().filter(|p| &p.promiser != me) {
        if let Some(o) = p.unacknowledged().filter(|o| o.marked_at.0 > now.0 - ACKNOWLEDGE_FOR) {
            all.push(item(WaitingKind::Acknowledge, Some(&p.id), Some(&p.promiser), o.marked_at, None));
        }
    }
    for h in view.heard.values().filter(|h| &h.to == me && h.answer.is_none()) {
        if view.heard_on(&h.about).iter().any(|x| x.id == h.id) {
            all.push(item(WaitingKind::Heard, Some(&h.about), Some(&h.author), h.at, None));
        }
    }
    // Only the newest question the partner answered, and only for a day or so: yesterday's
    // question is not a debt.
    if let Some(a) = view.answers.values().filter(|a| &a.partner != me && a.at.0 > now.0 - 36 * Timestamp::HOUR).max_by_key(|a| a.at)
        && !view.answers_to(&a.day, &a.question).iter().any(|x| &x.partner == me)
    {
        all.push(item(WaitingKind::Question, Some(&a.id), Some(&a.partner), a.at, None));
    }
    for g in view.gratitude.values().filter(|g| &g.author != me && g.at > thanks_seen && g.at <= now) {
        all.push(item(WaitingKind::Thanks, Some(&g.id), Some(&g.author), g.at, None));
    }
    all.sort_by(|a, b| (a.kind, a.since, &a.record).cmp(&(b.kind, b.since, &b.record)));
    all
}

/// How long a promise the partner marked waits for an acknowledgement: two weeks. After
/// that it is history, not something owed: years of marks never pile up as "waiting".
pub const ACKNOWLEDGE_FOR: i64 = 14 * Timestamp::DAY;

/// How far back a note of thanks counts as new when this partner never looked: a week.
/// Older news is no longer news, and ten years of notes must not arrive as one heap.
pub const THANKS_NEW_FOR: i64 = 7 * Timestamp::DAY;

/// The moment after which notes of thanks are new: when they were last seen, but never
/// more than [`THANKS_NEW_FOR`] ago.
pub fn thanks_seen(last_seen: Option<Timestamp>, now: Timestamp) -> Timestamp {
    let floor = now.plus_ms(-THANKS_NEW_FOR);
    last_seen.map_or(floor, |t| t.max(floor))
}
