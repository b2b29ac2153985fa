//! Goals: something the two of them want to grow towards, in small steps that either
//! partner adds and marks done, celebrated when they feel it is reached. No deadlines and no
//! streaks: a step not done yet is simply not done yet.

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub id: RecordId,
    pub text: String,
    pub author: PartnerId,
    pub at: Timestamp,
    /// In the order they were added.
    pub steps: Vec<Step>,
    pub celebrated: Option<Done>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub id: RecordId,
    pub text: String,
    pub author: PartnerId,
    pub at: Timestamp,
    pub done: Option<Done>,
}

/// Who did something shared (a step done, a goal celebrated), and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub by: PartnerId,
    pub at: Timestamp,
}

impl Goal {
    pub fn steps_done(&self) -> usize {
        self.steps.iter().filter(|s| s.done.is_some()).count()
    }

    /// The goal a step belongs to, for commands that name only the step.
    pub fn has_step(&self, step: &RecordId) -> bool {
        self.steps.iter().any(|s| &s.id == step)
    }
}

/// Who did something and when, as far as it counts: `by` must be the partner whose device
/// wrote it.
fn done(f: &read::Fields, at: &str, by: &str, what: &str, ck: &mut Check) -> Option<Done> {
    let (at, by, op) = (f.time(at)?, PartnerId::from_key(&f.string(by)?), f.writer(at)?);
    ck.acted(&op, &by, || Broke::ActedFor { partner: by.clone(), what: what.to_owned() }).then_some(Done { by, at })
}

/// None when a required field is missing: such a goal is left out of the view. A step
/// missing its words, or written in another partner's name, is left out of its goal.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Goal> {
    let f = read::Fields::read(doc, o);
    let author = PartnerId::from_key(&f.string("author")?);
    if !ck.authored(o, &author, "goal") {
        return None;
    }
    let text = ck.as_written(doc, o, &f, "text", "goal").and_then(|(v, _)| read::as_string(&v))?;
    let mut steps = vec![];
    if let Some(s) = f.map("steps") {
        for (id, so) in read::Fields::read(doc, &s).maps() {
            let sf = read::Fields::read(doc, &so);
            let Some(by) = sf.string("author").map(|a| PartnerId::from_key(&a)) else { continue };
            if !ck.authored(&so, &by, "step of a goal") {
                continue;
            }
            let Some(text) = ck.as_written(doc, &so, &sf, "text", "step of a goal").and_then(|(v, _)| read::as_string(&v)) else { continue };
            let Some(at) = sf.time("at") else { continue };
            let done = done(&sf, "done_at", "done_by", "marked a step of a goal done", ck);
            steps.push(Step { id: RecordId::from_key(id), text, author: by, at, done });
        }
    }
    // Ids are made from the time (UUIDv7), and equal times fall back to the id: the order
    // they were added, the same on both devices.
    steps.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let celebrated = done(&f, "celebrated_at", "celebrated_by", "celebrated a goal", ck);
    Some(Goal { id: RecordId::from_key(key), text, author, at: f.time("at")?, steps, celebrated })
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let me = actor.partner.as_str();
    match action {
        Action::AddGoal { id, text } => {
            let text = validate::text("goal", &text, MAX_SHORT)?;
            let coll = r.coll(Collection::Goals)?;
            let d = &mut *r.doc;
            let g = write::map(d, &coll, id.as_str())?;
            write::text(d, &g, "text", &text)?;
            write::text(d, &g, "author", me)?;
            write::time(d, &g, "at", now)?;
            // Made with the goal, never later: two devices adding the first step at once
            // would each make a `steps` map, and one would hide the other's step.
            write::map(d, &g, "steps")?;
            r.touch(Collection::Goals, id.to_string());
            Ok(Some(id))
        }
        Action::AddGoalStep { goal, id, text } => {
            let text = validate::text("step", &text, MAX_SHORT)?;
            let g = r.record(Collection::Goals, goal.as_str(), "goal")?;
            r.view.goals.get(&goal).ok_or_else(|| unknown("goal", &goal))?;
            let steps = read::Fields::read(&*r.doc, &g).map("steps").ok_or_else(|| unknown("goal", &goal))?;
            let d = &mut *r.doc;
            let s = write::map(d, &steps, id.as_str())?;
            write::text(d, &s, "text", &text)?;
            write::text(d, &s, "author", me)?;
            write::time(d, &s, "at", now)?;
            r.touch(Collection::Goals, goal.to_string());
            Ok(Some(id))
        }
        Action::DoneGoalStep { goal, step } => {
            let g = r.record(Collection::Goals, goal.as_str(), "goal")?;
            let shown = r.view.goals.get(&goal).ok_or_else(|| unknown("goal", &goal))?;
            let s = shown.steps.iter().find(|s| s.id == step).ok_or_else(|| unknown("step", &step))?;
            if s.done.is_some() {
                // Done twice, on two devices say: nothing to write.
                return Ok(None);
            }
            let steps = read::Fields::read(&*r.doc, &g).map("steps").ok_or_else(|| unknown("step", &step))?;
            let so = read::map(&*r.doc, &steps, step.as_str()).ok_or_else(|| unknown("step", &step))?;
            let d = &mut *r.doc;
            write::time(d, &so, "done_at", now)?;
            write::text(d, &so, "done_by", me)?;
            r.touch(Collection::Goals, goal.to_string());
            Ok(None)
        }
        Action::CelebrateGoal { id } => {
            let g = r.record(Collection::Goals, id.as_str(), "goal")?;
            let shown = r.view.goals.get(&id).ok_or_else(|| unknown("goal", &id))?;
            if shown.celebrated.is_some() {
                return Ok(None);
            }
            let d = &mut *r.doc;
            write::time(d, &g, "celebrated_at", now)?;
            write::text(d, &g, "celebrated_by", me)?;
            r.touch(Collection::Goals, id.to_string());
            Ok(None)
        }
        other => Err(misrouted("goal", &other)),
    }
}
