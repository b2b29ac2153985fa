//! Agreements: a text in a category, agreed only when both partners accept that exact
//! revision. Every revision is kept, so the history shows what changed and who accepted it.

use super::{Room, misrouted, unknown};
use crate::action::{Action, Actor};
use crate::error::CoreError;
use crate::ids::{DeviceId, PartnerId, RecordId, Timestamp};
use crate::read;
use crate::schema::Collection;
use crate::trust::{self, Broke, Check};
use crate::validate::{self, MAX_TEXT};
use crate::write;
use automerge::{AutoCommit, ObjId, ReadDoc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

word_enum!(
    /// What an agreement is about (the areas counsellors suggest couples cover).
    Category {
        Privacy = "privacy",
        Communication = "communication",
        Intimacy = "intimacy",
        Phones = "phones",
        Time = "time",
        Other = "other",
    }
);

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Privacy => "Privacy and personal space",
            Category::Communication => "Communication",
            Category::Intimacy => "Intimacy",
            Category::Phones => "Phones and social media",
            Category::Time => "Time together and apart",
            Category::Other => "Other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: RecordId,
    pub text: String,
    pub author: PartnerId,
    pub device: DeviceId,
    pub at: Timestamp,
    pub accepted_by: BTreeMap<PartnerId, Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgreementState {
    /// Both partners accepted the current revision.
    Agreed,
    /// Waiting for someone's acceptance of the current revision.
    Proposed,
    Archived,
}

/// Where an agreement stands for one partner, at one time: what the lists of agreements are
/// grouped by, in every front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AgreementGroup {
    WaitingForYou,
    UpForReview,
    Agreed,
    WaitingForPartner,
    Withdrawn,
}

impl AgreementGroup {
    /// What needs this partner first, what is settled last.
    pub const ORDER: [AgreementGroup; 5] = [
        AgreementGroup::WaitingForYou,
        AgreementGroup::UpForReview,
        AgreementGroup::Agreed,
        AgreementGroup::WaitingForPartner,
        AgreementGroup::Withdrawn,
    ];

    pub fn title(self) -> &'static str {
        match self {
            AgreementGroup::WaitingForYou => "Waiting for you",
            AgreementGroup::UpForReview => "Up for review",
            AgreementGroup::Agreed => "Agreed",
            AgreementGroup::WaitingForPartner => "Proposed, waiting for your partner",
            AgreementGroup::Withdrawn => "Withdrawn",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub id: RecordId,
    pub category: Category,
    pub created_by: PartnerId,
    pub created_at: Timestamp,
    pub review_at: Option<Timestamp>,
    pub archived: bool,
    /// Oldest first. Concurrent revisions are all kept; the newest (by time, then id) is current.
    pub revisions: Vec<Revision>,
}

impl Agreement {
    pub fn current(&self) -> Option<&Revision> {
        self.revisions.last()
    }
    /// The newest revision that both partners accepted, if any.
    pub fn last_agreed<'a>(&'a self, partners: &[&PartnerId]) -> Option<&'a Revision> {
        self.revisions.iter().rev().find(|r| partners.len() >= 2 && partners.iter().all(|p| r.accepted_by.contains_key(*p)))
    }
    pub fn state(&self, partners: &[&PartnerId]) -> AgreementState {
        if self.archived {
            return AgreementState::Archived;
        }
        match self.current() {
            Some(r) if partners.len() >= 2 && partners.iter().all(|p| r.accepted_by.contains_key(*p)) => AgreementState::Agreed,
            _ => AgreementState::Proposed,
        }
    }
    pub fn waiting_for(&self, partner: &PartnerId) -> bool {
        !self.archived && self.current().is_some_and(|r| !r.accepted_by.contains_key(partner))
    }
    pub fn due_for_review(&self, now: Timestamp) -> bool {
        !self.archived && self.review_at.is_some_and(|t| t <= now)
    }
    /// Where this agreement stands for `me` at `now`. A review comes up only once both
    /// agreed: a proposal still waiting is settled by accepting it, not by reviewing it.
    pub fn group(&self, partners: &[&PartnerId], me: &PartnerId, now: Timestamp) -> AgreementGroup {
        match self.state(partners) {
            AgreementState::Proposed if self.waiting_for(me) => AgreementGroup::WaitingForYou,
            AgreementState::Proposed => AgreementGroup::WaitingForPartner,
            AgreementState::Agreed if self.due_for_review(now) => AgreementGroup::UpForReview,
            AgreementState::Agreed => AgreementGroup::Agreed,
            AgreementState::Archived => AgreementGroup::Withdrawn,
        }
    }
}

/// None when a required field is missing or no revision is readable: a half-written or
/// foreign record is left out of the view instead of crashing it. Each part is checked
/// against the device that really wrote it (see `trust`): a revision in the other partner's
/// name, words changed after they were written, or an acceptance not made on the accepting
/// partner's own device are left out, and `ck` says so.
pub(crate) fn read(doc: &impl ReadDoc, key: &str, o: &ObjId, ck: &mut Check) -> Option<Agreement> {
    let f = read::Fields::read(doc, o);
    let created_by = PartnerId::from_key(&f.string("created_by")?);
    if !ck.authored(o, &created_by, "agreement") {
        return None;
    }
    let revs = read::Fields::read(doc, &f.map("revisions")?);
    let mut read: Vec<(Revision, Clocks)> = revs.maps().filter_map(|(rk, r)| revision(doc, rk, &r, ck)).collect();
    if read.is_empty() {
        return None;
    }
    read.sort_by(|(a, _), (b, _)| (a.at, &a.id).cmp(&(b.at, &b.id)));
    // Only the proposer withdraws an agreement, and only while it is proposed: one both had
    // agreed to before (the revision current then, accepted by two, all before the
    // withdrawal) changes only by mutual agreement.
    let archived = match (f.boolean("archived"), f.writer("archived")) {
        (Some(true), Some(by)) => {
            let at = trust::counter(&by);
            let current_then = read.iter().filter(|(_, c)| c.made < at).max_by_key(|(_, c)| c.made);
            let agreed_then = current_then.is_some_and(|(_, c)| c.accepted.iter().filter(|a| **a < at).count() >= 2);
            if agreed_then {
                // Not counted, and not called a forgery: a withdrawal made at the same time
                // as the other partner's acceptance looks just like this, and both meant
                // it. Agreed wins: it changes only by mutual agreement.
                false
            } else {
                ck.acted(&by, &created_by, || Broke::Withdrew)
            }
        }
        _ => false,
    };
    let revisions: Vec<Revision> = read.into_iter().map(|(r, _)| r).collect();
    Some(Agreement {
        id: RecordId::from_key(key),
        category: f.string("category").and_then(|c| Category::parse(&c)).unwrap_or(Category::Other),
        created_by,
        created_at: f.time("created_at")?,
        review_at: f.time("review_at"),
        archived,
        revisions,
    })
}

/// When a revision was made and accepted, as Lamport counters: what a withdrawal is
/// ordered against.
struct Clocks {
    made: u64,
    accepted: Vec<u64>,
}

fn revision(doc: &impl ReadDoc, key: &str, r: &ObjId, ck: &mut Check) -> Option<(Revision, Clocks)> {
    let rf = read::Fields::read(doc, r);
    let author = PartnerId::from_key(&rf.string("author")?);
    if !ck.authored(r, &author, "agreement") {
        return None;
    }
    // The words as the author's device wrote them (restored if another wrote over them).
    let (mut text, mut words) = ck.as_written(doc, r, &rf, "text", "agreement")?;
    let acceptances: Vec<(PartnerId, Timestamp, ObjId)> = match rf.map("accepted_by") {
        Some(a) => {
            let af = read::Fields::read(doc, &a);
            af.items_keys().filter_map(|pk| Some((PartnerId::from_key(pk), af.time(pk)?, af.writer(pk)?))).collect()
        }
        None => vec![],
    };
    // An acceptance holds for the words its device had seen. Words set after one (by the
    // author, over words already accepted) are not those words: the first ones are shown.
    if acceptances.iter().any(|(_, _, by)| trust::counter(by) < trust::counter(&words)) {
        ck.doubt(&words, Broke::ChangedWords { kind: "agreement".into() });
        (text, words) = ck.first_written(doc, r, r, "text", &words)?;
    }
    let text = read::as_string(&text)?;
    let mut accepted_by = BTreeMap::new();
    let mut accepted = vec![];
    for (partner, at, by) in acceptances {
        if !ck.acted(&by, &partner, || Broke::AcceptedFor { partner: partner.clone() }) || trust::counter(&by) < trust::counter(&words) {
            continue;
        }
        accepted.push(trust::counter(&by));
        accepted_by.insert(partner, at);
    }
    let rev = Revision {
        id: RecordId::from_key(key),
        text,
        author,
        // The device that really wrote it, not the one the record names.
        device: trust::device_of(r).unwrap_or_else(|| DeviceId::from_key(&rf.string("device").unwrap_or_default())),
        at: rf.time("at")?,
        accepted_by,
    };
    Some((rev, Clocks { made: trust::counter(r), accepted }))
}

pub(crate) fn apply(r: &mut Room, actor: &Actor, now: Timestamp, action: Action) -> Result<Option<RecordId>, CoreError> {
    let me = actor.partner.as_str();
    match action {
        Action::ProposeAgreement { id, revision, category, text } => {
            let text = validate::text("agreement text", &text, MAX_TEXT)?;
            let coll = r.coll(Collection::Agreements)?;
            let d = &mut *r.doc;
            let a = write::map(d, &coll, id.as_str())?;
            write::text(d, &a, "category", category.as_str())?;
            write::text(d, &a, "created_by", me)?;
            write::time(d, &a, "created_at", now)?;
            write::boolean(d, &a, "archived", false)?;
            let revs = write::map(d, &a, "revisions")?;
            new_revision(d, &revs, &revision, &text, actor, now)?;
            r.touch(Collection::Agreements, id.to_string());
            Ok(Some(id))
        }
        Action::ReviseAgreement { id, revision, text } => {
            let text = validate::text("agreement text", &text, MAX_TEXT)?;
            let a = r.record(Collection::Agreements, id.as_str(), "agreement")?;
            let current = r.view.agreements.get(&id).ok_or_else(|| unknown("agreement", &id))?;
            if current.archived {
                return Err(CoreError::Archived);
            }
            if current.current().is_some_and(|rev| rev.text == text) {
                return Err(CoreError::Unchanged);
            }
            let revs = read::map(&*r.doc, &a, "revisions").ok_or_else(|| unknown("agreement", &id))?;
            new_revision(r.doc, &revs, &revision, &text, actor, now)?;
            r.touch(Collection::Agreements, id.to_string());
            Ok(None)
        }
        Action::AcceptAgreement { id } => {
            let a = r.record(Collection::Agreements, id.as_str(), "agreement")?;
            let agreement = r.view.agreements.get(&id).ok_or_else(|| unknown("agreement", &id))?;
            if agreement.archived {
                return Err(CoreError::Archived);
            }
            let rev = agreement.current().ok_or_else(|| unknown("agreement", &id))?;
            if rev.accepted_by.contains_key(&actor.partner) {
                return Ok(None);
            }
            let acc = read::map(&*r.doc, &a, "revisions")
                .and_then(|revs| read::map(&*r.doc, &revs, rev.id.as_str()))
                .and_then(|rev| read::map(&*r.doc, &rev, "accepted_by"))
                .ok_or_else(|| unknown("agreement", &id))?;
            write::time(r.doc, &acc, me, now)?;
            r.touch(Collection::Agreements, id.to_string());
            Ok(None)
        }
        Action::ScheduleReview { id, at } => {
            let at = at.map(|t| validate::time("the review time", t)).transpose()?;
            let a = r.record(Collection::Agreements, id.as_str(), "agreement")?;
            write::opt_time(r.doc, &a, "review_at", at)?;
            r.touch(Collection::Agreements, id.to_string());
            Ok(None)
        }
        Action::ArchiveAgreement { id } => {
            let a = r.record(Collection::Agreements, id.as_str(), "agreement")?;
            let agreement = r.view.agreements.get(&id).ok_or_else(|| unknown("agreement", &id))?;
            match agreement.state(&r.view.partner_ids()) {
                AgreementState::Archived => return Ok(None),
                AgreementState::Agreed => {
                    return Err(CoreError::NotAllowed("an agreed agreement changes only by mutual agreement: propose a revision instead"));
                }
                AgreementState::Proposed if agreement.created_by != actor.partner => {
                    return Err(CoreError::NotYours("only the partner who proposed this agreement can withdraw it"));
                }
                AgreementState::Proposed => {}
            }
            write::boolean(r.doc, &a, "archived", true)?;
            r.touch(Collection::Agreements, id.to_string());
            Ok(None)
        }
        other => Err(misrouted("agreement", &other)),
    }
}

fn new_revision(d: &mut AutoCommit, revs: &ObjId, rev: &RecordId, text: &str, actor: &Actor, now: Timestamp) -> Result<(), CoreError> {
    let r = write::map(d, revs, rev.as_str())?;
    write::text(d, &r, "text", text)?;
    write::text(d, &r, "author", actor.partner.as_str())?;
    write::text(d, &r, "device", actor.device.as_str())?;
    write::time(d, &r, "at", now)?;
    // Proposing a text is accepting it: the proposer's acceptance is recorded with it.
    let acc = write::map(d, &r, "accepted_by")?;
    write::time(d, &acc, actor.partner.as_str(), now)?;
    Ok(())
}
