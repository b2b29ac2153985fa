//! Answers to the question of the day, sealed until both have answered. Each answer is its
//! partner's own record (`<day>~<question>~<partner id>`): two partners answering at once
//! never write into one map. The words are sealed on the answering device with a key that
//! only that device holds; it publishes the key here once the other partner's answer is in
//! the space. The sealing and opening are the engine's (it holds the keys and the
//! randomness); the core only keeps the sealed bytes, and the rules.

use super::{Room, misrouted};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{Broke, Check};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

/// The most a sealed answer may weigh: a long answer, padded, with its nonce and tag.
pub const MAX_SEALED: usize = 16 * 1024;
pub const KEY_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionAnswer {
    /// `<day>~<question>~<partner id>`.
    pub id: RecordId,
    /// The local date the question was asked, `YYYY-MM-DD`.
    pub day: String,
    /// The question's id in the deck.
    pub question: String,
    pub partner: PartnerId,
    pub at: Timestamp,
    pub sealed: Vec<u8>,
    /// Published by the answering device once the other answer was there.
    pub key: Option<Vec<u8>>,
}

/// The record key of `partner`'s answer to `question` on `day`.
pub fn answer_key(day: &str, question: &str, partner: &PartnerId) -> String {
    format!("{day}~{question}~{partner}")
}

/// Whether `day` reads as a date `YYYY-MM-DD`.
pub fn is_day(day: &str) -> bool {
    let b = day.as_bytes();
    b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

fn bytes(f: &read::Fields, key: &str) -> Option<(Vec<u8>, ObjId)> {
    match f.scalar_by(key)? {
        (automerge::ScalarValue::Bytes(b), by) => Some((b, by)),
        _ => None,
    }
}

/// None when a field is missing, the key does not say what the fields say, or the answer
/// was written in another partner's name: such an answer is left out of the view.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<QuestionAnswer> {
    let f = read::Fields::read(doc, o);
    let (day, question, partner) = (f.string("day")?, f.string("question")?, PartnerId::from_key(&f.string("partner")?));
    if answer_key(&day, &question, &partner) != key || !ck.authored(o, &partner, "answer to the question of the day") {
        return None;
    }
    let (sealed, by) = bytes(&f, "sealed")?;
    // Sealed words another device wrote over are not the partner's answer.
    if crate::trust::actor_of(&by) != crate::trust::actor_of(o) {
        ck.doubt(&by, Broke::ChangedWords { kind: "answer to the question of the day".into() });
        return None;
    }
    let key_bytes = bytes(&f, "key").and_then(|(k, by)| {
        ck.acted(&by, &partner, || Broke::ActedFor { partner: partner.clone(), what: "opened a sealed answer".into() }).then_some(k)
    });
    Some(QuestionAnswer { id: RecordId::from_key(key), day, question, partner, at: f.time("at")?, sealed, key: key_bytes })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    match action {
        Action::AnswerQuestion { day, question, sealed } => {
            if !is_day(&day) {
                return Err(CoreError::Document(format!("{day} is not a day (YYYY-MM-DD)")));
            }
            if crate::decks::questions::by_id(&question).is_none() {
                return Err(CoreError::UnknownId { kind: "question", id: question });
            }
            if sealed.is_empty() || sealed.len() > MAX_SEALED {
                return Err(CoreError::TextTooLong { field: "answer", len: sealed.len(), max: MAX_SEALED });
            }
            let id = answer_key(&day, &question, &actor.partner);
            if r.view.answers.contains_key(&RecordId::from_key(&id)) {
                return Err(CoreError::NotAllowed("you have already answered this question: your answer stays as you wrote it"));
            }
            let coll = r.coll(Collection::Answers)?;
            let d = &mut *r.doc;
            let o = write::map(d, &coll, &id)?;
            write::text(d, &o, "day", &day)?;
            write::text(d, &o, "question", &question)?;
            write::text(d, &o, "partner", actor.partner.as_str())?;
            write::time(d, &o, "at", now)?;
            write::bytes(d, &o, "sealed", &sealed)?;
            r.touch(Collection::Answers, id.clone());
            Ok(Some(RecordId::from_key(&id)))
        }
        Action::OpenAnswer { id, key } => {
            let shown = r.view.answers.get(&id).ok_or_else(|| CoreError::UnknownId { kind: "answer", id: id.to_string() })?;
            if shown.partner != actor.partner {
                return Err(CoreError::NotYours("this answer is your partner's: only their device opens it"));
            }
            if key.len() != KEY_LEN {
                return Err(CoreError::Document("an answer's key is 32 bytes".into()));
            }
            if shown.key.is_some() {
                return Ok(None);
            }
            let o = r.record(Collection::Answers, id.as_str(), "answer")?;
            write::bytes(r.doc, &o, "key", &key)?;
            r.touch(Collection::Answers, id.to_string());
            Ok(None)
        }
        other => Err(misrouted("answer", &other)),
    }
}
