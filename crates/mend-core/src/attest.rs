//! Who really wrote a change that another device passes on. A change names its device (its
//! actor id is the device's public key), but nothing in the change proves it: a changed Mend
//! could write a change under another device's id. Two proofs are accepted:
//!
//! - the connection: a change whose device is the one at the other end of the sync session
//!   came from it (the session's keys are pinned to the device ids);
//! - an attestation: "device D vouches for its changes in the history up to these heads",
//!   signed with D's key. D knows its own changes, and a change's hash covers its
//!   dependencies, so one signature over D's heads covers every earlier change of D. Devices
//!   sign their heads with every sync message and pass on the attestations they hold, so a
//!   device that relays D's changes (a home device, the partner's laptop) also relays D's
//!   proof.
//!
//! A device proved to be a partner's also vouches for the changes of that partner's other
//! devices, through its connection and its attestations: a partner may write in their own
//! name anyway, and it is how a device that lost its key brings back what it wrote before
//! (its new key cannot sign for the old one). The other partner's devices vouch for nothing
//! of hers. And a profile that holds no space yet (a device joining) takes what the device
//! it pairs with sends: pairing is where trust starts.
//!
//! A change that has none of these is held back, never applied: it may be a forgery, or D's proof
//! may simply not have arrived yet (a sync round can skip a change and send it later), and a
//! held-back change is asked for again at the next sync. Only proved changes reach Automerge,
//! so what it keeps aside until its dependencies come was proved too. This module decides; signing and checking signatures is the engine's.

use crate::schema;
use automerge::{ActorId, Change, ChangeHash};
use std::collections::{HashMap, HashSet};

/// An attestation whose signature was checked: `actor`'s changes up to `heads` are its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attested {
    pub actor: ActorId,
    pub heads: Vec<ChangeHash>,
}

/// What may be applied of `changes` (new to this device): the changes proved to be their
/// device's, in the order given, and the hashes held back.
/// `same_partner(a, b)`: both devices are proved to be the same partner's.
pub fn sift<'a>(
    changes: &'a [Change],
    peer: Option<&ActorId>,
    attested: &[Attested],
    same_partner: impl Fn(&ActorId, &ActorId) -> bool,
) -> (Vec<&'a Change>, Vec<ChangeHash>) {
    let by_hash: HashMap<ChangeHash, &Change> = changes.iter().map(|c| (c.hash(), c)).collect();
    // Which changes each actor's attested heads reach, through what this message brings.
    let mut vouched: HashSet<ChangeHash> = HashSet::new();
    let mut by_actor: HashMap<&ActorId, Vec<ChangeHash>> = HashMap::new();
    for a in attested {
        by_actor.entry(&a.actor).or_default().extend(a.heads.iter().copied());
    }
    for (actor, heads) in by_actor {
        let mut stack: Vec<ChangeHash> = heads.into_iter().filter(|h| by_hash.contains_key(h)).collect();
        let mut seen: HashSet<ChangeHash> = HashSet::new();
        while let Some(h) = stack.pop() {
            if !seen.insert(h) {
                continue;
            }
            let Some(c) = by_hash.get(&h) else { continue };
            if c.actor_id() == actor || same_partner(actor, c.actor_id()) {
                vouched.insert(h);
            }
            stack.extend(c.deps().iter().copied().filter(|d| by_hash.contains_key(d)));
        }
    }
    let layout = [schema::genesis_hash(), schema::practices_hash()];
    let by_peer = |c: &Change| peer.is_some_and(|p| p == c.actor_id() || same_partner(p, c.actor_id()));
    let proved = |c: &Change| layout.contains(&c.hash()) || by_peer(c) || vouched.contains(&c.hash());
    // Only proved changes reach Automerge. One whose dependency a sync round skipped is kept
    // aside by Automerge, which asks for the dependency: safe, as it was proved here.
    let (out, back): (Vec<&Change>, Vec<&Change>) = changes.iter().partition(|c| proved(c));
    (out, back.into_iter().map(|c| c.hash()).collect())
}

/// What a device signs: its heads, sorted, after a fixed label (so the signature can never
/// be taken for another kind of signed message).
pub fn attestation_message(heads: &[ChangeHash]) -> Vec<u8> {
    let mut heads = heads.to_vec();
    heads.sort();
    let mut m = b"mend attests its changes up to:".to_vec();
    for h in heads {
        m.extend_from_slice(&h.0);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};

    fn actor(n: u8) -> ActorId {
        ActorId::from(&[n; 32][..])
    }

    /// A space (genesis) and three changes by device 1, then one by device 2 on top.
    fn history() -> (AutoCommit, Vec<Change>) {
        let mut doc = schema::genesis().with_actor(actor(1));
        let base = doc.get_heads();
        for i in 0..3 {
            doc.put(ROOT, format!("k{i}"), i).unwrap();
            doc.commit();
        }
        doc.set_actor(actor(2));
        doc.put(ROOT, "k3", 3).unwrap();
        doc.commit();
        let changes = doc.get_changes(&base);
        (doc, changes)
    }

    #[test]
    fn a_peer_s_own_changes_need_no_attestation_and_relayed_ones_do() {
        let (_, changes) = history();
        // From device 1 itself: its three apply; device 2's, relayed with no proof, is held.
        let (ok, back) = sift(&changes, Some(&actor(1)), &[], |_, _| false);
        assert_eq!(ok.len(), 3);
        assert_eq!(back, [changes[3].hash()]);
        // From device 2: device 1's changes need proof; device 2's own goes to Automerge,
        // which keeps it aside until its dependencies come.
        let (ok, back) = sift(&changes, Some(&actor(2)), &[], |_, _| false);
        assert_eq!(ok.iter().map(|c| c.hash()).collect::<Vec<_>>(), [changes[3].hash()]);
        assert_eq!(back.len(), 3);
        // Device 1's attestation of its newest change covers all three.
        let last_of_1 = changes[2].hash();
        let (ok, back) = sift(&changes, Some(&actor(2)), &[Attested { actor: actor(1), heads: vec![last_of_1] }], |_, _| false);
        assert_eq!((ok.len(), back.len()), (4, 0));
        // From a third device, with device 1's attestation reaching through device 2's heads.
        let heads = vec![changes[3].hash()];
        let (ok, back) =
            sift(&changes, Some(&actor(9)), &[Attested { actor: actor(1), heads: heads.clone() }, Attested { actor: actor(2), heads }], |_, _| false);
        assert_eq!((ok.len(), back.len()), (4, 0));
    }

    #[test]
    fn an_attestation_vouches_only_for_its_own_device_s_changes() {
        let (_, changes) = history();
        // Device 2 "attests" heads that reach device 1's changes: that says nothing about them.
        let (ok, back) = sift(&changes, Some(&actor(9)), &[Attested { actor: actor(2), heads: vec![changes[3].hash()] }], |_, _| false);
        assert_eq!(ok.iter().map(|c| c.hash()).collect::<Vec<_>>(), [changes[3].hash()], "device 1's changes are not device 2's to vouch for");
        assert_eq!(back.len(), 3);
    }

    #[test]
    fn a_forged_change_under_another_device_s_id_is_held_back_and_the_rest_applies() {
        let (_, honest) = history();
        // A forger writes under device 1's id, next to device 1's real changes.
        let mut forged = schema::genesis().with_actor(actor(1));
        forged.put(ROOT, "forged", true).unwrap();
        forged.commit();
        let f = forged.get_changes(&[schema::genesis_hash()]).pop().unwrap();
        let mut all = honest.clone();
        all.push(f.clone());
        let proof = [Attested { actor: actor(1), heads: vec![honest[2].hash()] }, Attested { actor: actor(2), heads: vec![honest[3].hash()] }];
        let (ok, back) = sift(&all, Some(&actor(9)), &proof, |_, _| false);
        assert_eq!(ok.len(), 4);
        assert_eq!(back, [f.hash()]);
    }

    #[test]
    fn a_partner_s_proved_device_vouches_for_that_partner_s_other_devices_only() {
        let (_, changes) = history();
        // Devices 1 and 3 are one partner's; device 2 the other's.
        let same = |a: &ActorId, b: &ActorId| [a, b].iter().all(|x| **x == actor(1) || **x == actor(3));
        // From device 3 (device 1's own partner): device 1's changes are taken; device 2's need
        // device 2's proof.
        let (ok, back) = sift(&changes, Some(&actor(3)), &[], same);
        assert_eq!((ok.len(), back), (3, vec![changes[3].hash()]));
        // Device 3's attestation, relayed by anyone, vouches for device 1's changes too, and
        // not for device 2's.
        let proof = [Attested { actor: actor(3), heads: vec![changes[3].hash()] }];
        let (ok, back) = sift(&changes, Some(&actor(9)), &proof, same);
        assert_eq!((ok.len(), back), (3, vec![changes[3].hash()]));
    }

    #[test]
    fn what_applies_is_in_an_order_that_applies() {
        let (_, mut changes) = history();
        changes.reverse();
        let (ok, _) = sift(&changes, Some(&actor(1)), &[Attested { actor: actor(2), heads: vec![changes[0].hash()] }], |_, _| false);
        let mut doc = schema::genesis();
        for c in ok {
            doc.apply_changes([c.clone()]).unwrap();
        }
        assert_eq!(automerge::ReadDoc::get(&doc, ROOT, "k3").unwrap().map(|v| v.0.to_string()), Some("3".into()));
    }
}
