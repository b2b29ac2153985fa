//! Notes of thanks to the partner, optionally about a promise or agreement they honoured.

use super::{Room, misrouted, unknown};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::Check;
use crate::validate::{self, MAX_TEXT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gratitude {
    pub id: RecordId,
    pub text: String,
    pub author: PartnerId,
    pub at: Timestamp,
    /// A promise or agreement this note is about.
    pub about: Option<RecordId>,
}

/// None when a required field is missing: such a record is left out of the view.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Gratitude> {
    let f = read::Fields::read(doc, o);
    let author = PartnerId::from_key(&f.string("author")?);
    if !ck.authored(o, &author, "note of thanks") {
        return None;
    }
    let text = ck.as_written(doc, o, &f, "text", "note of thanks").and_then(|(v, _)| read::as_string(&v))?;
    Some(Gratitude { id: RecordId::from_key(key), text, author, at: f.time("at")?, about: f.string("about").map(|a| RecordId::from_key(&a)) })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let Action::AddGratitude { id, text, about } = action else { return Err(misrouted("gratitude", &action)) };
    let text = validate::text("gratitude note", &text, MAX_TEXT)?;
    if let Some(a) = &about
        && !r.view.promises.contains_key(a)
        && !r.view.agreements.contains_key(a)
    {
        return Err(unknown("promise or agreement", a));
    }
    let coll = r.coll(Collection::Gratitude)?;
    let d = &mut *r.doc;
    let g = write::map(d, &coll, id.as_str())?;
    write::text(d, &g, "text", &text)?;
    write::text(d, &g, "author", actor.partner.as_str())?;
    write::time(d, &g, "at", now)?;
    write::opt_text(d, &g, "about", about.as_ref().map(|a| a.as_str()))?;
    r.touch(Collection::Gratitude, id.to_string());
    Ok(Some(id))
}
