//! Time together: plans (what, and when if they like) that either of them marks as done,
//! and a shared list of ideas to pick from. Nothing here is ever late: a plan whose time has
//! passed is simply still a plan.

use super::goal::Done;
use super::{Room, misrouted, unknown};
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

word_enum!(
    /// A plan, an idea to pick from, or a time to talk suggested during a pause (a plan too,
    /// shown on the pause screen).
    TogetherKind {
        Plan = "plan",
        Idea = "idea",
        Talk = "talk",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Together {
    pub id: RecordId,
    pub kind: TogetherKind,
    pub text: String,
    pub author: PartnerId,
    pub at: Timestamp,
    /// For a plan: when, if they chose a time.
    pub when: Option<Timestamp>,
    pub done: Option<Done>,
}

/// None when a required field is missing: such a record is left out of the view.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Together> {
    let f = read::Fields::read(doc, o);
    let author = PartnerId::from_key(&f.string("author")?);
    let kind = TogetherKind::parse(&f.string("kind")?)?;
    let what = match kind {
        TogetherKind::Plan => "plan for time together",
        TogetherKind::Idea => "idea for time together",
        TogetherKind::Talk => "time to talk",
    };
    if !ck.authored(o, &author, what) {
        return None;
    }
    let text = ck.as_written(doc, o, &f, "text", what).and_then(|(v, _)| read::as_string(&v))?;
    // The time is the plan's author's to set, like its words.
    let when = ck.as_written(doc, o, &f, "when", what).and_then(|(v, _)| read::as_int(&v)).map(Timestamp);
    let done = match (f.time("done_at"), f.string("done_by"), f.writer("done_at")) {
        (Some(at), Some(by), Some(op)) => {
            let by = PartnerId::from_key(&by);
            ck.acted(&op, &by, || Broke::ActedFor { partner: by.clone(), what: "marked time together as done".into() }).then_some(Done { by, at })
        }
        _ => None,
    };
    Some(Together { id: RecordId::from_key(key), kind, text, author, at: f.time("at")?, when, done })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let me = actor.partner.as_str();
    let (id, kind, text, when) = match action {
        Action::PlanTogether { id, text, when } => (id, TogetherKind::Plan, text, when),
        Action::SuggestTalk { id, when, note } => {
            let when = validate::time("when", when)?;
            (id, TogetherKind::Talk, note.unwrap_or_else(|| "A time to talk".to_owned()), Some(when))
        }
        Action::AddIdea { id, text } => (id, TogetherKind::Idea, text, None),
        Action::DoneTogether { id } => {
            let o = r.record(Collection::Together, id.as_str(), "plan")?;
            let shown = r.view.together.get(&id).ok_or_else(|| unknown("plan", &id))?;
            if shown.kind == TogetherKind::Idea {
                return Err(CoreError::NotAllowed("that is an idea, not a plan: plan it first, then mark the plan as done"));
            }
            if shown.done.is_some() {
                return Ok(None);
            }
            let d = &mut *r.doc;
            write::time(d, &o, "done_at", now)?;
            write::text(d, &o, "done_by", me)?;
            r.touch(Collection::Together, id.to_string());
            return Ok(None);
        }
        other => return Err(misrouted("together", &other)),
    };
    let text = validate::text(if kind == TogetherKind::Idea { "idea" } else { "plan" }, &text, MAX_SHORT)?;
    let when = when.map(|t| validate::time("when", t)).transpose()?;
    let coll = r.coll(Collection::Together)?;
    let d = &mut *r.doc;
    let o = write::map(d, &coll, id.as_str())?;
    write::text(d, &o, "kind", kind.as_str())?;
    write::text(d, &o, "text", &text)?;
    write::text(d, &o, "author", me)?;
    write::time(d, &o, "at", now)?;
    if let Some(w) = when {
        write::time(d, &o, "when", w)?;
    }
    r.touch(Collection::Together, id.to_string());
    Ok(Some(id))
}
