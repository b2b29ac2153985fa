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
}

impl Collection {
    pub const ALL: [Collection; 8] = [
        Collection::Partners,
        Collection::Devices,
        Collection::Agreements,
        Collection::Promises,
        Collection::Gratitude,
        Collection::CheckIns,
        Collection::Repairs,
        Collection::Pauses,
    ];

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
    for c in Collection::ALL {
        doc.put_object(ROOT, c.key(), ObjType::Map).expect("genesis: put collection");
    }
    doc.commit_with(CommitOptions::default().with_time(0).with_message("genesis"));
    doc
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

    const GENESIS_HASH: &str = include_str!("genesis.hash").trim_ascii();
}
