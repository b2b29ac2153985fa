//! The layout of the shared document (schema version 1).
//!
//! ```text
//! ROOT
//!   schema_version: uint
//!   partners/<partner id>     { name, needs, love_languages ("a,b"), joined_at }
//!   devices/<device id>       { name, partner, added_at, removed_at? }
//!   agreements/<id>           { category, created_by, created_at, review_at?, archived,
//!                               revisions/<revision id> { text, author, device, at,
//!                                                         accepted_by/<partner id>: at } }
//!   promises/<id>             { text, promiser, created_at, repeat, next_due?, open, from_repair?,
//!                               occurrences/<due key> { due?, outcome, marked_at, marked_on,
//!                                                       new_due?, acknowledged_at? } }
//!   gratitude/<id>            { text, author, at, about? }
//!   checkins/<id>             { kind, prompt?, connection, trust, heard, note?, author, at }
//!   repairs/<id>              { author, at, what_happened, what_i_did, impact, next_time,
//!                               response?, response_by?, response_at? }
//!   pauses/<partner id>       { started_at, until, note?, ended_at? }
//!
//!   (made by the second layout change, the first time a device writes one of them)
//!   goals/<id>                { text, author, at, celebrated_at?, celebrated_by?,
//!                               steps/<step id> { text, author, at, done_at?, done_by? } }
//!   together/<id>             { kind (plan | idea), text, author, at, when?, done_at?, done_by? }
//!   heard/<id>                { about, about_kind (repair | checkin), to, text, author, at,
//!                               answer? (yes | not-quite), answer_note?, answer_at? }
//!   answers/<day>~<question>~<partner id>
//!                             { question, day, partner, sealed (bytes), at, key? (bytes) }
//! ```
//!
//! Every record is its own map under a stable key, so concurrent edits to different records
//! never touch the same object. Times are integer milliseconds since the epoch, UTC.

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjType, ROOT};

/// The schema this Mend writes and the newest it can read.
pub const SCHEMA_VERSION: u64 = 1;
pub const SCHEMA_KEY: &str = "schema_version";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Collection {
    Partners,
    Devices,
    Agreements,
    Promises,
    Gratitude,
    CheckIns,
    Repairs,
    Pauses,
    Goals,
    Together,
    Heard,
    Answers,
}

impl Collection {
    pub const ALL: [Collection; 12] = [
        Collection::Partners,
        Collection::Devices,
        Collection::Agreements,
        Collection::Promises,
        Collection::Gratitude,
        Collection::CheckIns,
        Collection::Repairs,
        Collection::Pauses,
        Collection::Goals,
        Collection::Together,
        Collection::Heard,
        Collection::Answers,
    ];

    /// The collections the genesis change made. Never change this list: genesis is pinned.
    pub const GENESIS: [Collection; 8] = [
        Collection::Partners,
        Collection::Devices,
        Collection::Agreements,
        Collection::Promises,
        Collection::Gratitude,
        Collection::CheckIns,
        Collection::Repairs,
        Collection::Pauses,
    ];

    /// The collections the second layout change made (see [`practices`]).
    pub const PRACTICES: [Collection; 4] = [Collection::Goals, Collection::Together, Collection::Heard, Collection::Answers];

    pub fn key(self) -> &'static str {
        match self {
            Collection::Partners => "partners",
            Collection::Devices => "devices",
            Collection::Agreements => "agreements",
            Collection::Promises => "promises",
            Collection::Gratitude => "gratitude",
            Collection::CheckIns => "checkins",
            Collection::Repairs => "repairs",
            Collection::Pauses => "pauses",
            Collection::Goals => "goals",
            Collection::Together => "together",
            Collection::Heard => "heard",
            Collection::Answers => "answers",
        }
    }

    pub fn from_key(k: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == k)
    }
}

/// The first change of every Mend space, identical on every device: a fixed actor and time
/// make it byte-for-byte the same change with the same hash. Because every space starts from
/// it, the collection maps are the *same* objects everywhere, so two spaces started apart
/// (two partners who each wrote before pairing) merge into one with nothing hidden: had each
/// device created its own `agreements` map, Automerge would keep one and hide the other.
pub fn genesis() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&[0u8; 16][..]));
    // Infallible on a fresh document: the keys are new and ROOT is a map.
    doc.put(ROOT, SCHEMA_KEY, SCHEMA_VERSION).expect("genesis: put schema");
    for c in Collection::GENESIS {
        doc.put_object(ROOT, c.key(), ObjType::Map).expect("genesis: put collection");
    }
    doc.commit_with(CommitOptions::default().with_time(0).with_message("genesis"));
    doc
}

/// The second layout change: the collections of the practices added later (goals, time
/// together, what I heard, answers to the question of the day). Built like genesis, by the
/// same fixed actor at the same time, on top of it, so it too is the same change with the
/// same hash everywhere, and two devices that each made it share its maps. A device makes
/// it only when it first writes one of these records (applied, not written, see
/// [`with_practices`]): a space that never uses them stays exactly as older Mend wrote it.
pub fn practices() -> automerge::Change {
    static CHANGE: std::sync::OnceLock<automerge::Change> = std::sync::OnceLock::new();
    CHANGE
        .get_or_init(|| {
            let mut doc = genesis();
            for c in Collection::PRACTICES {
                doc.put_object(ROOT, c.key(), ObjType::Map).expect("practices: put collection");
            }
            doc.commit_with(CommitOptions::default().with_time(0).with_message("practices"));
            let heads = doc.get_heads();
            // Infallible: the change was committed just above.
            doc.get_change_by_hash(&heads[0]).expect("practices: its change").clone()
        })
        .clone()
}

pub fn practices_hash() -> automerge::ChangeHash {
    static HASH: std::sync::OnceLock<automerge::ChangeHash> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| practices().hash())
}

/// Adds the second layout change to `doc` if it does not hold it yet. Returns whether it
/// was added. Every Mend space holds genesis, which the change depends on.
pub fn with_practices(doc: &mut AutoCommit) -> Result<bool, automerge::AutomergeError> {
    if doc.get_change_by_hash(&practices_hash()).is_some() {
        return Ok(false);
    }
    doc.apply_changes([practices()])?;
    Ok(true)
}

/// The hash of the genesis change: every Mend space holds it, so a snapshot that does not
/// is no Mend space (an empty or foreign file), whatever Automerge made of its bytes.
pub fn genesis_hash() -> automerge::ChangeHash {
    static HASH: std::sync::OnceLock<automerge::ChangeHash> = std::sync::OnceLock::new();
    *HASH.get_or_init(|| genesis().get_heads()[0])
}

/// The actor of the genesis change: history shows it as Mend itself, not as a person.
pub fn is_genesis_actor(actor: &ActorId) -> bool {
    actor.to_bytes().iter().all(|b| *b == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// If this hash changes, spaces created by different Mend builds stop sharing their
    /// collection maps and a merge would hide one partner's records. Never change genesis.
    #[test]
    fn genesis_is_identical_everywhere() {
        let a = genesis().get_heads();
        let b = genesis().get_heads();
        assert_eq!(a, b);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].to_string(), GENESIS_HASH);
    }

    /// The same for the second layout change: the practices' collections are shared only
    /// while every Mend builds this very change.
    #[test]
    fn the_practices_layout_is_identical_everywhere() {
        assert_eq!(practices().hash().to_string(), PRACTICES_HASH);
        assert_eq!(practices().deps(), &[genesis_hash()]);
        let mut a = genesis();
        assert!(with_practices(&mut a).unwrap());
        assert!(!with_practices(&mut a).unwrap());
        for c in Collection::ALL {
            assert!(automerge::ReadDoc::get(&a, ROOT, c.key()).unwrap().is_some(), "{c:?}");
        }
    }

    const GENESIS_HASH: &str = include_str!("genesis.hash").trim_ascii();
    const PRACTICES_HASH: &str = include_str!("practices.hash").trim_ascii();
}
