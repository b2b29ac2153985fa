//! Repairs: a guided apology, answered by the other partner whenever they are ready.

use super::{Room, misrouted, unknown};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{Broke, Check};
use crate::validate::{self, MAX_TEXT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

word_enum!(
    /// The partner's answer to a repair, given whenever they are ready; it may change later.
    RepairResponse {
        Received = "received",
        NeedTime = "need-time",
        ReadyToTalk = "ready-to-talk",
        Forgiven = "forgiven",
    }
);

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

/// None when a required field is missing: such a record is left out of the view. An answer
/// missing any of its three fields counts as no answer yet.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Repair> {
    let f = read::Fields::read(doc, o);
    let author = PartnerId::from_key(&f.string("author")?);
    if !ck.authored(o, &author, "repair") {
        return None;
    }
    // The words as the author's device wrote them, whoever wrote over them since.
    let mut words = |k: &str| ck.as_written(doc, o, &f, k, "repair").and_then(|(v, _)| read::as_string(&v));
    let what_happened = words("what_happened")?;
    let (what_i_did, impact, next_time) =
        (words("what_i_did").unwrap_or_default(), words("impact").unwrap_or_default(), words("next_time").unwrap_or_default());
    // An answer counts only from a device of the partner it names, who is not the author.
    let answer =
        match (f.string("response").and_then(|r| RepairResponse::parse(&r)), f.string("response_by"), f.time("response_at"), f.writer("response")) {
            (Some(response), Some(by), Some(at), Some(op)) => {
                let by = PartnerId::from_key(&by);
                if by == author {
                    ck.doubt(&op, Broke::AnsweredRepair);
                    None
                } else if ck.acted(&op, &by, || Broke::AnsweredRepair) {
                    Some(Answer { response, by, at })
                } else {
                    None
                }
            }
            _ => None,
        };
    Some(Repair { id: RecordId::from_key(key), author, at: f.time("at")?, what_happened, what_i_did, impact, next_time, answer })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let me = actor.partner.as_str();
    match action {
        Action::AddRepair { id, what_happened, what_i_did, impact, next_time } => {
            let what_happened = validate::text("what happened", &what_happened, MAX_TEXT)?;
            let what_i_did = validate::text("what I did", &what_i_did, MAX_TEXT)?;
            let impact = validate::text("the impact I understand", &impact, MAX_TEXT)?;
            let next_time = validate::text("what I will do differently", &next_time, MAX_TEXT)?;
            let coll = r.coll(Collection::Repairs)?;
            let d = &mut *r.doc;
            let o = write::map(d, &coll, id.as_str())?;
            write::text(d, &o, "author", me)?;
            write::time(d, &o, "at", now)?;
            write::text(d, &o, "what_happened", &what_happened)?;
            write::text(d, &o, "what_i_did", &what_i_did)?;
            write::text(d, &o, "impact", &impact)?;
            write::text(d, &o, "next_time", &next_time)?;
            r.touch(Collection::Repairs, id.to_string());
            Ok(Some(id))
        }
        Action::RespondRepair { id, response } => {
            let o = r.record(Collection::Repairs, id.as_str(), "repair")?;
            let repair = r.view.repairs.get(&id).ok_or_else(|| unknown("repair", &id))?;
            if repair.author == actor.partner {
                return Err(CoreError::NotAllowed("you can't answer your own repair: it is your partner's to answer, when they are ready"));
            }
            let d = &mut *r.doc;
            write::text(d, &o, "response", response.as_str())?;
            write::text(d, &o, "response_by", me)?;
            write::time(d, &o, "response_at", now)?;
            r.touch(Collection::Repairs, id.to_string());
            Ok(None)
        }
        other => Err(misrouted("repair", &other)),
    }
}
