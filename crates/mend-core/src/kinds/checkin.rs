//! Check-ins: three ratings from 1 to 5 and an optional shared answer, daily or weekly.

use super::{Room, misrouted};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::Check;
use crate::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

word_enum!(CheckInKind { Daily = "daily", Weekly = "weekly" });

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

/// None when a required field is missing or a rating is out of range (only another
/// program writes one): such a record is left out of the view, never drawn off the chart.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<CheckIn> {
    let f = read::Fields::read(doc, o);
    let author = PartnerId::from_key(&f.string("author")?);
    if !ck.authored(o, &author, "check-in") {
        return None;
    }
    let mut written = |k: &str| ck.as_written(doc, o, &f, k, "check-in").map(|(v, _)| v);
    let rating = |v: Option<automerge::ScalarValue>| v.as_ref().and_then(read::as_int).filter(|v| (1..=5).contains(v)).map(|v| v as u8);
    let (connection, trust, heard) = (rating(written("connection")), rating(written("trust")), rating(written("heard")));
    let note = written("note").as_ref().and_then(read::as_string);
    Some(CheckIn {
        id: RecordId::from_key(key),
        kind: f.string("kind").and_then(|k| CheckInKind::parse(&k)).unwrap_or(CheckInKind::Daily),
        prompt: f.string("prompt"),
        connection: connection?,
        trust: trust?,
        heard: heard?,
        note,
        author,
        at: f.time("at")?,
    })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let Action::AddCheckIn { id, kind, prompt, connection, trust, heard, note } = action else {
        return Err(misrouted("check-in", &action));
    };
    let connection = validate::rating("connection", connection)?;
    let trust = validate::rating("trust", trust)?;
    let heard = validate::rating("feeling heard", heard)?;
    let prompt = validate::optional_text("prompt", prompt.as_deref(), MAX_SHORT)?;
    let note = validate::optional_text("note", note.as_deref(), MAX_TEXT)?;
    let coll = r.coll(Collection::CheckIns)?;
    let d = &mut *r.doc;
    let c = write::map(d, &coll, id.as_str())?;
    write::text(d, &c, "kind", kind.as_str())?;
    write::opt_text(d, &c, "prompt", prompt.as_deref())?;
    write::int(d, &c, "connection", connection.into())?;
    write::int(d, &c, "trust", trust.into())?;
    write::int(d, &c, "heard", heard.into())?;
    write::opt_text(d, &c, "note", note.as_deref())?;
    write::text(d, &c, "author", actor.partner.as_str())?;
    write::time(d, &c, "at", now)?;
    r.touch(Collection::CheckIns, id.to_string());
    Ok(Some(id))
}
