//! The gate in front of the shared document: changes from another device are read and
//! judged *before* any of them is applied or saved. A change that lands and only then turns
//! out to be unreadable is in the log for good, and every later open and command fails on
//! it: a partner locked out of her own space. So nothing that can do that gets in.
//!
//! The rules follow from how Mend writes (see `schema`):
//! - The document root is written by two changes only, genesis and the second layout change
//!   (the practices' collections), each identical everywhere and pinned by its hash. Mend
//!   never writes the root otherwise, so any other change that touches it (a schema
//!   version, a collection replaced or deleted, a new root key) did not come from this Mend.
//! - Every record is a map put straight into its collection; Mend never deletes a record and
//!   never puts anything else there. A scalar or list in place of a record would hide it,
//!   and a deleted record is lost words.
//!
//! - A partner's profile is made once, by their first device, and a device's record is
//!   never made again for another partner or after the device was removed: the record that
//!   says who a device belongs to, and who added it, is what proves whose it is (see
//!   `trust`). A change that writes one over is refused.
//! - Mend deletes only a few optional times (a review date, a due date); a change that
//!   deletes anything else (words, an answer, a removal) erases what a partner did.
//!
//! Anything deeper in a record (a field of the wrong type, a value written by a device that
//! may not) needs no gate: the view checks who wrote each value (`trust`), leaves out what
//! breaks a rule, and every command keeps working.

use crate::schema::{self, Collection, SCHEMA_KEY, SCHEMA_VERSION};
use automerge::legacy::{Key, ObjectId, OpId, OpType};
use automerge::{Automerge, Change, ChangeHash, LoadOptions, OnPartialLoad, ScalarValue, VerificationMode};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Why changes from another device were refused. Nothing of them was applied or saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("changes made by a newer Mend (schema {found}; this Mend reads up to {supported})")]
    NewerMend { found: u64, supported: u64 },
    #[error("changes Mend cannot read ({0})")]
    Unreadable(String),
}

struct Genesis {
    /// Genesis and the second layout change: the only changes that write the root.
    layout: [ChangeHash; 2],
    /// The collection maps, as the operations that made them are named in other changes.
    collections: HashMap<OpId, Collection>,
}

static GENESIS: LazyLock<Genesis> = LazyLock::new(|| {
    let mut doc = schema::genesis();
    let genesis = doc.get_changes(&[]);
    let practices = schema::practices();
    // Both built in this crate and pinned by tests: genesis always has its change.
    let changes = [genesis.first().expect("genesis has its change"), &practices];
    let mut collections = HashMap::new();
    for change in changes {
        let expanded = change.decode();
        let start = change.start_op().get();
        collections.extend(
            expanded
                .operations
                .iter()
                .zip(start..)
                .filter(|(op, _)| op.obj == ObjectId::Root && op.action == OpType::Make(automerge::ObjType::Map))
                .filter_map(|(op, counter)| match &op.key {
                    Key::Map(k) => Collection::from_key(k).map(|c| (OpId(counter, change.actor_id().clone()), c)),
                    Key::Seq(_) => None,
                }),
        );
    }
    Genesis { layout: [changes[0].hash(), practices.hash()], collections }
});

/// A record this device already holds, as far as the gate needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// For a device: the partner its record names.
    pub partner: Option<String>,
    /// For a device: whether it was removed.
    pub removed: bool,
}

/// The keys Mend ever deletes: optional times that can be cleared.
const DELETABLE: [&str; 4] = ["review_at", "next_due", "due", "new_due"];

/// Judges changes about to be applied, against nothing held yet (a new space).
pub fn check_incoming<'a>(changes: impl IntoIterator<Item = &'a Change>) -> Result<(), Refusal> {
    check_incoming_against(changes, |_, _| None)
}

/// Judges changes about to be applied. Ok when Mend can take every one of them. `held`
/// tells which partner and device records this device already has.
pub fn check_incoming_against<'a>(
    changes: impl IntoIterator<Item = &'a Change>,
    held: impl Fn(Collection, &str) -> Option<Held>,
) -> Result<(), Refusal> {
    let genesis = &*GENESIS;
    let mut unreadable = None;
    let mut partners_made: HashSet<String> = HashSet::new();
    for change in changes {
        if genesis.layout.contains(&change.hash()) {
            continue;
        }
        // Decoding trusts what parsing verified; should a peer's bytes still reach a panic
        // inside Automerge, that is a refusal, not a crash of the sync service.
        let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) else {
            unreadable.get_or_insert_with(|| "a change that could not be decoded".to_owned());
            continue;
        };
        let start = change.start_op().get();
        for (op, counter) in expanded.operations.iter().zip(start..) {
            if op.action == OpType::Delete
                && let Key::Map(k) = &op.key
                && !DELETABLE.contains(&k.as_str())
            {
                unreadable.get_or_insert_with(|| format!("something a partner wrote deleted (its {k})"));
            }
            match &op.obj {
                ObjectId::Root => {
                    if let (Key::Map(k), OpType::Put(v)) = (&op.key, &op.action)
                        && k == SCHEMA_KEY
                        && let Some(found) = as_version(v)
                        && found > SCHEMA_VERSION
                    {
                        // The most useful thing to say: updating Mend here fixes it.
                        return Err(Refusal::NewerMend { found, supported: SCHEMA_VERSION });
                    }
                    unreadable.get_or_insert_with(|| match &op.key {
                        Key::Map(k) if k == SCHEMA_KEY => "the space's schema version rewritten".to_owned(),
                        Key::Map(k) if Collection::from_key(k).is_some() => format!("the space's {k} replaced or removed"),
                        _ => "a change to the layout of the space".to_owned(),
                    });
                }
                ObjectId::Id(id) if genesis.collections.contains_key(id) => {
                    let record = matches!((&op.action, &op.key, op.insert), (OpType::Make(automerge::ObjType::Map), Key::Map(_), false));
                    if !record {
                        unreadable.get_or_insert_with(|| "a record removed or replaced by something that is not a record".to_owned());
                        continue;
                    }
                    let Key::Map(key) = &op.key else { continue };
                    match genesis.collections[id] {
                        Collection::Partners if held(Collection::Partners, key).is_some() || !partners_made.insert(key.to_string()) => {
                            unreadable.get_or_insert_with(|| "a partner's profile made a second time".to_owned());
                        }
                        Collection::Devices => {
                            if let Some(h) = held(Collection::Devices, key) {
                                let made = OpId(counter, change.actor_id().clone());
                                let partner = expanded.operations.iter().find_map(|o| match (&o.obj, &o.key, &o.action) {
                                    (ObjectId::Id(obj), Key::Map(k), OpType::Put(ScalarValue::Str(p))) if obj == &made && k == "partner" => {
                                        Some(p.to_string())
                                    }
                                    _ => None,
                                });
                                if h.removed {
                                    unreadable.get_or_insert_with(|| "a removed device brought back".to_owned());
                                } else if partner != h.partner {
                                    unreadable.get_or_insert_with(|| "a device's record written over for another partner".to_owned());
                                }
                            }
                        }
                        _ => {}
                    }
                }
                ObjectId::Id(_) => {}
            }
        }
    }
    match unreadable {
        Some(why) => Err(Refusal::Unreadable(why)),
        None => Ok(()),
    }
}

fn as_version(v: &ScalarValue) -> Option<u64> {
    match v {
        ScalarValue::Uint(u) => Some(*u),
        ScalarValue::Int(i) => u64::try_from(*i).ok(),
        _ => None,
    }
}

/// The changes a sync message carries, skipping those `known` already holds. A message
/// carries change chunks, or (when it sends much of a document) a whole saved document,
/// one after another in each of its byte runs; both are read here without touching any
/// document of ours.
pub fn changes_in(msg: &automerge::sync::Message, known: impl Fn(&ChangeHash) -> bool) -> Result<Vec<Change>, Refusal> {
    let mut out = Vec::new();
    for run in msg.changes.iter() {
        for chunk in chunks(run)? {
            match Change::try_from(chunk) {
                Ok(c) => {
                    if !known(&c.hash()) {
                        out.push(c);
                    }
                }
                Err(automerge::LoadChangeError::WrongChunkType) => {
                    let opts = LoadOptions::new().on_partial_load(OnPartialLoad::Error).verification_mode(VerificationMode::Check);
                    let doc =
                        Automerge::load_with_options(chunk, opts).map_err(|e| Refusal::Unreadable(format!("a document that did not load: {e}")))?;
                    out.extend(doc.get_changes(&[]).into_iter().filter(|c| !known(&c.hash())));
                }
                Err(e) => return Err(Refusal::Unreadable(format!("a change that did not load: {e}"))),
            }
        }
    }
    Ok(out)
}

/// Automerge's storage chunks: magic bytes, a 4-byte checksum, a type byte, the length of
/// the data (unsigned LEB128), the data.
fn chunks(mut bytes: &[u8]) -> Result<Vec<&[u8]>, Refusal> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let bad = || Refusal::Unreadable("bytes that are not Automerge changes".into());
    let mut out = Vec::new();
    while !bytes.is_empty() {
        if bytes.len() < 9 || bytes[..4] != MAGIC {
            return Err(bad());
        }
        let (len, leb) = uleb128(&bytes[9..]).ok_or_else(bad)?;
        let total = usize::try_from(len).ok().and_then(|l| l.checked_add(9 + leb)).filter(|t| *t <= bytes.len()).ok_or_else(bad)?;
        out.push(&bytes[..total]);
        bytes = &bytes[total..];
    }
    Ok(out)
}

fn uleb128(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, b) in bytes.iter().enumerate().take(10) {
        v |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};

    /// A raw change a modified device could write, as a test case.
    type Forgery = Box<dyn FnOnce(&mut AutoCommit)>;
    type RecordForgery = Box<dyn Fn(&mut AutoCommit, &automerge::ObjId)>;

    fn forged(f: impl FnOnce(&mut AutoCommit)) -> Vec<Change> {
        let mut doc = schema::genesis().with_actor(automerge::ActorId::from(&[7u8; 16][..]));
        let before = doc.get_heads();
        f(&mut doc);
        doc.commit();
        doc.get_changes(&before)
    }

    #[test]
    fn genesis_passes_the_gate() {
        let mut g = schema::genesis();
        assert_eq!(check_incoming(&g.get_changes(&[])), Ok(()));
        assert_eq!(GENESIS.collections.len(), Collection::ALL.len());
    }

    #[test]
    fn the_practices_layout_passes_the_gate_and_its_collections_are_guarded() {
        assert_eq!(check_incoming([&schema::practices()]), Ok(()));
        let mut d = schema::genesis().with_actor(automerge::ActorId::from(&[7u8; 16][..]));
        schema::with_practices(&mut d).unwrap();
        let Some((_, goals)) = d.get(ROOT, "goals").unwrap() else { panic!("no goals") };
        let before = d.get_heads();
        let g = d.put_object(&goals, "g1", ObjType::Map).unwrap();
        d.put(&g, "text", "walk more").unwrap();
        d.commit();
        assert_eq!(check_incoming(&d.get_changes(&before)), Ok(()));
        let before = d.get_heads();
        d.delete(&goals, "g1").unwrap();
        d.commit();
        assert!(matches!(check_incoming(&d.get_changes(&before)), Err(Refusal::Unreadable(_))));
        // The same collections made by another actor are not the layout: refused.
        let forged = forged(|d| {
            d.put_object(ROOT, "goals", ObjType::Map).unwrap();
        });
        assert!(matches!(check_incoming(&forged), Err(Refusal::Unreadable(_))));
    }

    #[test]
    fn a_record_put_into_its_collection_passes() {
        let changes = forged(|d| {
            let coll = match d.get(ROOT, "gratitude").unwrap() {
                Some((_, id)) => id,
                None => panic!("no gratitude"),
            };
            let r = d.put_object(&coll, "r1", ObjType::Map).unwrap();
            d.put(&r, "text", "thank you").unwrap();
        });
        assert_eq!(check_incoming(&changes), Ok(()));
    }

    #[test]
    fn a_larger_schema_version_is_a_newer_mend() {
        let changes = forged(|d| d.put(ROOT, SCHEMA_KEY, 99u64).unwrap());
        assert_eq!(check_incoming(&changes), Err(Refusal::NewerMend { found: 99, supported: SCHEMA_VERSION }));
    }

    #[test]
    fn any_other_write_to_the_root_cannot_be_read() {
        let cases: Vec<Forgery> = vec![
            Box::new(|d| d.put(ROOT, SCHEMA_KEY, "one").unwrap()),
            Box::new(|d| d.put(ROOT, SCHEMA_KEY, -1i64).unwrap()),
            Box::new(|d| d.delete(ROOT, SCHEMA_KEY).unwrap()),
            Box::new(|d| {
                d.put_object(ROOT, "agreements", ObjType::List).unwrap();
            }),
            Box::new(|d| {
                d.put_object(ROOT, "promises", ObjType::Map).unwrap();
            }),
            Box::new(|d| d.delete(ROOT, "promises").unwrap()),
            Box::new(|d| d.put(ROOT, "extra", 1).unwrap()),
        ];
        for (i, f) in cases.into_iter().enumerate() {
            let changes = forged(f);
            assert!(
                matches!(check_incoming(&changes), Err(Refusal::Unreadable(_))),
                "case {i}: {:?}",
                changes.iter().map(|c| c.decode()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_record_replaced_by_a_scalar_a_list_or_deleted_cannot_be_read() {
        let cases: Vec<RecordForgery> = vec![
            Box::new(|d, c| d.put(c, "someone", "not a record").unwrap()),
            Box::new(|d, c| {
                d.put_object(c, "someone", ObjType::List).unwrap();
            }),
            Box::new(|d, c| {
                d.put_object(c, "someone", ObjType::Text).unwrap();
            }),
            Box::new(|d, c| d.delete(c, "someone").unwrap()),
        ];
        for f in cases {
            for coll in ["devices", "partners"] {
                let mut d = schema::genesis().with_actor(automerge::ActorId::from(&[7u8; 16][..]));
                let Some((_, c)) = d.get(ROOT, coll).unwrap() else { panic!("no {coll}") };
                d.put_object(&c, "someone", ObjType::Map).unwrap();
                d.commit();
                let before = d.get_heads();
                f(&mut d, &c);
                d.commit();
                let changes = d.get_changes(&before);
                assert_eq!(changes.len(), 1);
                assert!(matches!(check_incoming(&changes), Err(Refusal::Unreadable(_))), "{coll}");
            }
        }
    }

    #[test]
    fn runs_of_several_changes_are_read_one_by_one() {
        let mut doc = schema::genesis();
        let before = doc.get_heads();
        for i in 0..3 {
            doc.put(ROOT, format!("k{i}"), 1).unwrap();
            doc.commit();
        }
        let run: Vec<u8> = doc.get_changes(&before).iter().flat_map(|c| c.raw_bytes().to_vec()).collect();
        assert_eq!(chunks(&run).unwrap().len(), 3);
        assert!(chunks(&run[..run.len() - 1]).is_err(), "a cut run is refused");
        assert!(chunks(b"garbage!!").is_err());
    }
}
