//! The two partners' profiles: name, love languages, needs. Keyed by partner id; a partner
//! is written when their first device registers.

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

word_enum!(
    LoveLanguage {
        Words = "words-of-affirmation",
        Acts = "acts-of-service",
        Gifts = "receiving-gifts",
        Time = "quality-time",
        Touch = "physical-touch",
    }
);

impl LoveLanguage {
    /// As a person reads it, in every front end and the export.
    pub fn label(self) -> &'static str {
        match self {
            LoveLanguage::Words => "Words of affirmation",
            LoveLanguage::Acts => "Acts of service",
            LoveLanguage::Gifts => "Receiving gifts",
            LoveLanguage::Time => "Quality time",
            LoveLanguage::Touch => "Physical touch",
        }
    }
}

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

/// None without a name: such a record is left out of the view. A profile is its partner's
/// own: a field another partner's device set is not shown (a name falls back to one that
/// the partner's own devices wrote concurrently, if any).
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Partner> {
    let f = read::Fields::read(doc, o);
    let id = PartnerId::from_key(key);
    // Each field as the partner's own devices wrote it: one another device wrote over is
    // shown as it was before.
    let mut own = |k: &str| -> Option<String> {
        let by = f.writer(k)?;
        let v = f.string(k)?;
        if ck.owned(&by, &id, || Broke::ChangedProfileOf { partner: id.clone() }) {
            return Some(v);
        }
        ck.restore(doc, o, k, &by, |ck, b| ck.may_be(b, &id)).as_ref().and_then(read::as_string)
    };
    let name = own("name").unwrap_or_default();
    let love_languages = own("love_languages").unwrap_or_default().split(',').filter_map(LoveLanguage::parse).collect();
    let needs = own("needs").unwrap_or_default();
    f.string("name")?;
    let name_conflicts = if f.conflicted("name") {
        let all = read::strings_all_by(doc, o, "name");
        all.into_iter().filter(|(n, by)| n != &name && ck.may_be(by, &id)).map(|(n, _)| n).collect()
    } else {
        vec![]
    };
    Some(Partner { id, name, name_conflicts, love_languages, needs, joined_at: f.time("joined_at").unwrap_or(Timestamp(0)) })
}

/// Writes the acting partner's profile the first time one of their devices registers;
/// a partner already in the space is left as they wrote it.
pub(crate) fn join(r: &mut Room, actor: &Actor, now: Timestamp, name: Option<&str>) -> Result<(), CoreError> {
    if r.view.partners.contains_key(&actor.partner) {
        return Ok(());
    }
    let me = actor.partner.as_str();
    let name = validate::text("your name", name.unwrap_or(""), MAX_SHORT)?;
    let coll = r.coll(Collection::Partners)?;
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
