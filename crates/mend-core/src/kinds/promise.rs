//! Promises: what, by when, how often. Each occurrence ends kept, missed or renegotiated,
//! marked by the partner who promised; the other partner may acknowledge it.

use super::{Room, misrouted, unknown};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{self, Broke, Check, Writer};
use crate::validate::{self, MAX_TEXT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

word_enum!(Repeat { None = "none", Daily = "daily", Weekly = "weekly" });

word_enum!(
    /// How one occurrence of a promise ended. Marked only by the partner who promised.
    Outcome { Kept = "kept", Missed = "missed", Renegotiated = "renegotiated" }
);

word_enum!(
    /// Where a promise stands at one time, in the words the CLI and the JSON export show.
    PromiseState { Open = "open", Due = "due", Settled = "settled" }
);

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
    pub fn state(&self, now: Timestamp) -> PromiseState {
        if !self.open {
            PromiseState::Settled
        } else if self.is_due_by(now) {
            PromiseState::Due
        } else {
            PromiseState::Open
        }
    }
}

/// Occurrences are keyed by their due time, so two devices of the promiser marking the same
/// occurrence write to the same key instead of recording it twice.
pub(crate) fn occurrence_key(due: Option<Timestamp>) -> String {
    match due {
        Some(t) => format!("{:020}", t.0),
        None => "once".to_owned(),
    }
}

/// None when a required field is missing: such a record is left out of the view. An
/// unreadable occurrence is left out of its promise, which stays.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Promise> {
    let f = read::Fields::read(doc, o);
    let promiser = PartnerId::from_key(&f.string("promiser")?);
    if !ck.authored(o, &promiser, "promise") {
        return None;
    }
    let text = ck.as_written(doc, o, &f, "text", "promise").and_then(|(v, _)| read::as_string(&v))?;
    let mut occurrences: Vec<Occurrence> = f
        .map("occurrences")
        .map(|occ| {
            let of = read::Fields::read(doc, &occ);
            of.maps().filter_map(|(k, e)| occurrence(doc, k, &e, &promiser, ck)).collect()
        })
        .unwrap_or_default();
    occurrences.sort_by_key(|o| (o.marked_at, o.due));
    // Whether it is still open and when it is due next move only with the promiser's marks.
    let by_promiser = |ck: &mut Check, k: &str| match f.writer(k) {
        Some(by) => trust::actor_of(&by) == trust::actor_of(o) || ck.owned(&by, &promiser, || Broke::MarkedPromiseOf { partner: promiser.clone() }),
        None => true,
    };
    let open = if by_promiser(ck, "open") { f.boolean("open").unwrap_or(true) } else { true };
    let next_due = if by_promiser(ck, "next_due") { f.time("next_due") } else { None };
    Some(Promise {
        id: RecordId::from_key(key),
        text,
        promiser,
        created_at: f.time("created_at")?,
        repeat: f.string("repeat").and_then(|r| Repeat::parse(&r)).unwrap_or(Repeat::None),
        next_due,
        open,
        from_repair: f.string("from_repair").map(|r| RecordId::from_key(&r)),
        occurrences,
    })
}

/// One mark: only the promiser's devices mark a promise, and only the other partner's
/// acknowledge it.
fn occurrence(doc: &impl ReadDoc, key: &str, e: &ObjId, promiser: &PartnerId, ck: &mut Check) -> Option<Occurrence> {
    if !ck.owned(e, promiser, || Broke::MarkedPromiseOf { partner: promiser.clone() }) {
        return None;
    }
    let ef = read::Fields::read(doc, e);
    let acknowledged_at = match (ef.time("acknowledged_at"), ef.writer("acknowledged_at")) {
        (Some(at), Some(by)) => match ck.trust.writer(&by) {
            Writer::Verified(p) if p != promiser => Some(at),
            Writer::Verified(_) => {
                ck.doubt(&by, Broke::AcknowledgedOwn);
                None
            }
            Writer::Claimed(_) | Writer::Unknown => {
                ck.found.unverified = true;
                None
            }
        },
        _ => None,
    };
    Some(Occurrence {
        key: key.to_owned(),
        due: ef.time("due"),
        outcome: Outcome::parse(&ef.string("outcome")?)?,
        marked_at: ef.time("marked_at")?,
        marked_on: trust::device_of(e).unwrap_or_else(|| DeviceId::from_key(&ef.string("marked_on").unwrap_or_default())),
        new_due: ef.time("new_due"),
        acknowledged_at,
    })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    match action {
        Action::MakePromise { id, text, due, repeat, from_repair } => {
            let text = validate::text("promise", &text, MAX_TEXT)?;
            let due = due.map(|t| validate::time("the due time", t)).transpose()?;
            if repeat != Repeat::None && due.is_none() {
                return Err(CoreError::RepeatNeedsDue);
            }
            if let Some(rep) = &from_repair {
                let repair = r.view.repairs.get(rep).ok_or_else(|| unknown("repair", rep))?;
                if repair.author != actor.partner {
                    return Err(CoreError::NotYours("promises can come only from your own repairs"));
                }
            }
            let coll = r.coll(Collection::Promises)?;
            let d = &mut *r.doc;
            let p = write::map(d, &coll, id.as_str())?;
            write::text(d, &p, "text", &text)?;
            write::text(d, &p, "promiser", actor.partner.as_str())?;
            write::time(d, &p, "created_at", now)?;
            write::text(d, &p, "repeat", repeat.as_str())?;
            write::opt_time(d, &p, "next_due", due)?;
            write::boolean(d, &p, "open", true)?;
            write::opt_text(d, &p, "from_repair", from_repair.as_ref().map(|r| r.as_str()))?;
            write::map(d, &p, "occurrences")?;
            r.touch(Collection::Promises, id.to_string());
            Ok(Some(id))
        }
        Action::KeepPromise { id } => settle(r, actor, now, &id, Outcome::Kept, None),
        Action::MissPromise { id } => settle(r, actor, now, &id, Outcome::Missed, None),
        Action::RenegotiatePromise { id, due } => {
            let due = validate::time("the new due time", due)?;
            settle(r, actor, now, &id, Outcome::Renegotiated, Some(due))
        }
        Action::AcknowledgePromise { id } => {
            let p = r.record(Collection::Promises, id.as_str(), "promise")?;
            let promise = r.view.promises.get(&id).ok_or_else(|| unknown("promise", &id))?;
            if promise.promiser == actor.partner {
                return Err(CoreError::NotAllowed("you can't acknowledge your own promise; that is your partner's to do"));
            }
            let occ = promise.unacknowledged().ok_or(CoreError::NotAllowed("there is nothing new to acknowledge on this promise yet"))?;
            let o = read::map(&*r.doc, &p, "occurrences").and_then(|m| read::map(&*r.doc, &m, &occ.key)).ok_or_else(|| unknown("promise", &id))?;
            write::time(r.doc, &o, "acknowledged_at", now)?;
            r.touch(Collection::Promises, id.to_string());
            Ok(None)
        }
        other => Err(misrouted("promise", &other)),
    }
}

fn settle(
    r: &mut Room,
    actor: &Actor,
    now: Timestamp,
    id: &RecordId,
    outcome: Outcome,
    new_due: Option<Timestamp>,
) -> Result<Option<RecordId>, CoreError> {
    let p = r.record(Collection::Promises, id.as_str(), "promise")?;
    let promise = r.view.promises.get(id).ok_or_else(|| unknown("promise", id))?;
    if promise.promiser != actor.partner {
        return Err(CoreError::NotYours("only the partner who made a promise can mark it; you can acknowledge it instead"));
    }
    if !promise.open {
        return Err(CoreError::PromiseClosed);
    }
    let due = promise.next_due;
    if let Some(nd) = new_due {
        let taken = promise.occurrences.iter().any(|o| o.due == Some(nd));
        if Some(nd) == due || taken {
            return Err(CoreError::SameDue);
        }
    }
    let repeat = promise.repeat;
    let occs = read::map(&*r.doc, &p, "occurrences").ok_or_else(|| unknown("promise", id))?;
    let d = &mut *r.doc;
    let o = write::map(d, &occs, &occurrence_key(due))?;
    write::opt_time(d, &o, "due", due)?;
    write::text(d, &o, "outcome", outcome.as_str())?;
    write::time(d, &o, "marked_at", now)?;
    write::text(d, &o, "marked_on", actor.device.as_str())?;
    write::opt_time(d, &o, "new_due", new_due)?;
    match (outcome, repeat, due) {
        (Outcome::Renegotiated, _, _) => write::opt_time(d, &p, "next_due", new_due)?,
        (_, Repeat::None, _) | (_, _, None) => write::boolean(d, &p, "open", false)?,
        (_, Repeat::Daily, Some(t)) => write::time(d, &p, "next_due", t.plus_ms(Timestamp::DAY))?,
        (_, Repeat::Weekly, Some(t)) => write::time(d, &p, "next_due", t.plus_ms(7 * Timestamp::DAY))?,
    }
    r.touch(Collection::Promises, id.to_string());
    Ok(None)
}
