//! Pauses: "I need a pause, back at 20:30". One per partner, shown on both sides until it
//! ends by itself or is lifted.

use super::{Room, misrouted};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{Broke, Check};
use crate::validate::{self, MAX_SHORT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

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

/// None when a required field is missing: such a pause is left out of the view.
/// A pause is its partner's own: one started or ended by the other partner's device does
/// not count.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Pause> {
    let f = read::Fields::read(doc, o);
    let partner = PartnerId::from_key(key);
    if !ck.owned(o, &partner, || Broke::PausedFor { partner: partner.clone() }) {
        return None;
    }
    let ended_at = match (f.time("ended_at"), f.writer("ended_at")) {
        (Some(at), Some(by)) if ck.owned(&by, &partner, || Broke::PausedFor { partner: partner.clone() }) => Some(at),
        _ => None,
    };
    Some(Pause { partner, started_at: f.time("started_at")?, until: f.time("until")?, note: f.string("note"), ended_at })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let me = actor.partner.as_str();
    match action {
        Action::StartPause { minutes, note } => {
            let minutes = validate::pause_minutes(minutes)?;
            let note = validate::optional_text("note", note.as_deref(), MAX_SHORT)?;
            let coll = r.coll(Collection::Pauses)?;
            let d = &mut *r.doc;
            // Keyed by partner: one pause per partner; a new one replaces the last.
            let p = write::map(d, &coll, me)?;
            write::time(d, &p, "started_at", now)?;
            write::time(d, &p, "until", now.plus_ms(minutes * Timestamp::MINUTE))?;
            write::opt_text(d, &p, "note", note.as_deref())?;
            r.touch(Collection::Pauses, me);
            Ok(None)
        }
        Action::EndPause => {
            let active = r.view.pauses.get(&actor.partner).is_some_and(|p| p.is_active(now));
            if !active {
                return Err(CoreError::NoActivePause);
            }
            let p = r.record(Collection::Pauses, me, "pause")?;
            write::time(r.doc, &p, "ended_at", now)?;
            r.touch(Collection::Pauses, me);
            Ok(None)
        }
        other => Err(misrouted("pause", &other)),
    }
}
