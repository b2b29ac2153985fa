//! "What I heard": on a repair or on a check-in's shared answer, the other partner writes
//! back a short reflection of what they understood, and the one who wrote it says "yes,
//! that's it" or "not quite", with a line if they like. Listening, written down.

use super::{Room, misrouted, unknown};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{Broke, Check};
use crate::validate::{self, MAX_SHORT, MAX_TEXT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

word_enum!(HeardAbout { Repair = "repair", CheckIn = "checkin" });
word_enum!(
    /// The first partner's answer to a reflection.
    HeardAnswer {
        Yes = "yes",
        NotQuite = "not-quite",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heard {
    pub id: RecordId,
    /// The repair or check-in it reflects.
    pub about: RecordId,
    pub about_kind: HeardAbout,
    /// Whose words it reflects: the one who answers it.
    pub to: PartnerId,
    pub text: String,
    pub author: PartnerId,
    pub at: Timestamp,
    pub answer: Option<HeardReply>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeardReply {
    pub answer: HeardAnswer,
    pub note: Option<String>,
    pub at: Timestamp,
}

/// None when a required field is missing, or when it reflects its author's own words: such
/// a record is left out of the view. Whether `to` really wrote `about` is for the query
/// that puts the two together ([`crate::View::heard_on`]).
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Heard> {
    let f = read::Fields::read(doc, o);
    let author = PartnerId::from_key(&f.string("author")?);
    let to = PartnerId::from_key(&f.string("to")?);
    if author == to || !ck.authored(o, &author, "reflection") {
        return None;
    }
    let text = ck.as_written(doc, o, &f, "text", "reflection").and_then(|(v, _)| read::as_string(&v))?;
    let answer = match (f.string("answer"), f.time("answer_at"), f.writer("answer")) {
        (Some(answer), Some(at), Some(op)) => {
            // An answer another device wrote over is the one `to` gave before it, if any.
            let answer = if ck.acted(&op, &to, || Broke::ActedFor { partner: to.clone(), what: "answered a reflection".into() }) {
                Some(answer)
            } else {
                ck.restore(doc, o, "answer", &op, |ck, b| ck.may_be(b, &to)).as_ref().and_then(read::as_string)
            };
            // The line too must be theirs; one written by another device is left out.
            let note = f
                .string("answer_note")
                .filter(|n| !crate::validate::is_blank(n))
                .filter(|_| f.writer("answer_note").is_some_and(|w| ck.may_be(&w, &to)));
            answer.and_then(|a| HeardAnswer::parse(&a)).map(|answer| HeardReply { answer, note, at })
        }
        _ => None,
    };
    Some(Heard {
        id: RecordId::from_key(key),
        about: RecordId::from_key(&f.string("about")?),
        about_kind: HeardAbout::parse(&f.string("about_kind")?)?,
        to,
        text,
        author,
        at: f.time("at")?,
        answer,
    })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let me = actor.partner.as_str();
    match action {
        Action::WriteHeard { id, about, text } => {
            let text = validate::text("what I heard", &text, MAX_TEXT)?;
            let (kind, to) = if let Some(rep) = r.view.repairs.get(&about) {
                (HeardAbout::Repair, rep.author.clone())
            } else if let Some(c) = r.view.checkins.get(&about) {
                if c.note.as_deref().is_none_or(crate::validate::is_blank) {
                    return Err(CoreError::NotAllowed(
                        "that check-in has no shared answer to reflect: reflect on a repair, or a check-in with words",
                    ));
                }
                (HeardAbout::CheckIn, c.author.clone())
            } else {
                return Err(unknown("repair or check-in", &about));
            };
            if to == actor.partner {
                return Err(CoreError::NotAllowed("\"what I heard\" is for your partner's words: they can write back what they heard in yours"));
            }
            let coll = r.coll(Collection::Heard)?;
            let d = &mut *r.doc;
            let o = write::map(d, &coll, id.as_str())?;
            write::text(d, &o, "about", about.as_str())?;
            write::text(d, &o, "about_kind", kind.as_str())?;
            write::text(d, &o, "to", to.as_str())?;
            write::text(d, &o, "text", &text)?;
            write::text(d, &o, "author", me)?;
            write::time(d, &o, "at", now)?;
            r.touch(Collection::Heard, id.to_string());
            Ok(Some(id))
        }
        Action::AnswerHeard { id, answer, note } => {
            let note = validate::optional_text("note", note.as_deref(), MAX_SHORT)?;
            let o = r.record(Collection::Heard, id.as_str(), "reflection")?;
            let shown = r.view.heard.get(&id).ok_or_else(|| unknown("reflection", &id))?;
            if shown.to != actor.partner {
                return Err(CoreError::NotAllowed("this reflection is for your partner to answer: it is about their words"));
            }
            let d = &mut *r.doc;
            write::text(d, &o, "answer", answer.as_str())?;
            match &note {
                Some(n) => write::text(d, &o, "answer_note", n)?,
                // A new answer without a line must not keep the line of an earlier one.
                None => write::text(d, &o, "answer_note", "")?,
            }
            write::time(d, &o, "answer_at", now)?;
            r.touch(Collection::Heard, id.to_string());
            Ok(None)
        }
        other => Err(misrouted("heard", &other)),
    }
}
