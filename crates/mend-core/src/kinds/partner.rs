//! The two partners' profiles: name, love languages, needs. Keyed by partner id; a partner
//! is written when their first device registers.

use super::{Room, misrouted};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::validate::{self, MAX_SHORT};
use crate::write;
use automerge::{ObjId, ReadDoc};
use serde::{Deserialize, Serialize};

word_enum!(
    LoveLanguage {
        Words = "words-of-affirmation",
        Acts = "acts-of-service",
        Gifts = "receiving-gifts",
        Time = "quality-time",
        Touch = "physical-touch",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    /// Other names written concurrently on two devices: shown, not silently dropped.
    /// (Always serialized: the view cache's binary format needs every field in place.)
    #[serde(default)]
    pub name_conflicts: Vec<String>,
    pub love_languages: Vec<LoveLanguage>,
    pub needs: String,
    pub joined_at: Timestamp,
}

/// None without a name: such a record is left out of the view.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId) -> Option<Partner> {
    let f = read::Fields::read(doc, o);
    let name = f.string("name")?;
    let name_conflicts = if f.conflicted("name") { read::strings_all(doc, o, "name").into_iter().filter(|n| n != &name).collect() } else { vec![] };
    Some(Partner {
        id: PartnerId::from_key(key),
        name,
        name_conflicts,
        love_languages: f.string("love_languages").unwrap_or_default().split(',').filter_map(LoveLanguage::parse).collect(),
        needs: f.string("needs").unwrap_or_default(),
        joined_at: f.time("joined_at").unwrap_or(Timestamp(0)),
    })
}

/// Writes the acting partner's profile the first time one of their devices registers;
/// a partner already in the space is left as they wrote it.
pub(crate) fn join(r: &mut Room, actor: &Actor, now: Timestamp, name: Option<&str>) -> Result<(), CoreError> {
    if r.view.partners.contains_key(&actor.partner) {
        return Ok(());
    }
    let me = actor.partner.as_str();
    let name = validate::text("your name", name.unwrap_or(""), MAX_SHORT)?;
    let coll = r.coll(Collection::Partners);
    let d = &mut *r.doc;
    let p = write::map(d, &coll, me)?;
    write::text(d, &p, "name", &name)?;
    write::text(d, &p, "needs", "")?;
    write::text(d, &p, "love_languages", "")?;
    write::time(d, &p, "joined_at", now)?;
    r.touch(Collection::Partners, me);
    Ok(())
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, _now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let Action::UpdateProfile { name, love_languages, needs } = action else { return Err(misrouted("partner", &action)) };
    let me = actor.partner.as_str();
    let p = r.record(Collection::Partners, me, "partner")?;
    let name = name.map(|n| validate::text("name", &n, MAX_SHORT)).transpose()?;
    let needs = needs.map(|n| validate::optional_text("needs", Some(&n), 2_000)).transpose()?;
    let d = &mut *r.doc;
    if let Some(n) = name {
        write::text(d, &p, "name", &n)?;
    }
    if let Some(ls) = love_languages {
        let s: Vec<&str> = ls.iter().map(|l| l.as_str()).collect();
        write::text(d, &p, "love_languages", &s.join(","))?;
    }
    if let Some(n) = needs {
        write::text(d, &p, "needs", n.as_deref().unwrap_or(""))?;
    }
    r.touch(Collection::Partners, me);
    Ok(None)
}
