//! Property: whatever three replicas do and in whatever order they merge, they end with the
//! same view, and every incrementally kept view equals one rebuilt from the document. Ben's
//! device also writes raw forged changes (see tests/forgery.rs), each marked so it can be
//! recognised: no view ever shows one as valid.

mod common;
use common::*;
use mend_core::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

#[derive(Debug, Clone)]
enum Step {
    Act {
        replica: usize,
        op: Op,
    },
    /// Ben's device (replica 1) writes a raw change that breaks a rule.
    Forge {
        kind: u8,
        n: u8,
    },
    Merge {
        into: usize,
        from: usize,
    },
}

#[derive(Debug, Clone)]
enum Op {
    Propose(u8),
    Revise(u8, u8),
    Accept(u8),
    MakePromise(u8, bool),
    Keep(u8),
    Miss(u8),
    Renegotiate(u8, u8),
    Ack(u8),
    Gratitude(u8),
    CheckIn(u8, u8),
    Repair(u8),
    Respond(u8, u8),
    Pause(u8),
    EndPause,
    Rename(u8),
    Goal(u8),
    Step(u8),
    StepDone(u8),
    Celebrate(u8),
    Plan(u8),
    PlanDone(u8),
    Heard(u8),
    HeardAnswer(u8, u8),
    Answer(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        any::<u8>().prop_map(Op::Propose),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Revise(a, b)),
        any::<u8>().prop_map(Op::Accept),
        (any::<u8>(), any::<bool>()).prop_map(|(a, b)| Op::MakePromise(a, b)),
        any::<u8>().prop_map(Op::Keep),
        any::<u8>().prop_map(Op::Miss),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Renegotiate(a, b)),
        any::<u8>().prop_map(Op::Ack),
        any::<u8>().prop_map(Op::Gratitude),
        (1u8..=5, 0u8..=6).prop_map(|(a, b)| Op::CheckIn(a, b)),
        any::<u8>().prop_map(Op::Repair),
        (any::<u8>(), 0u8..4).prop_map(|(a, b)| Op::Respond(a, b)),
        (1u8..=90).prop_map(Op::Pause),
        Just(Op::EndPause),
        any::<u8>().prop_map(Op::Rename),
        any::<u8>().prop_map(Op::Goal),
        any::<u8>().prop_map(Op::Step),
        any::<u8>().prop_map(Op::StepDone),
        any::<u8>().prop_map(Op::Celebrate),
        any::<u8>().prop_map(Op::Plan),
        any::<u8>().prop_map(Op::PlanDone),
        any::<u8>().prop_map(Op::Heard),
        (any::<u8>(), 0u8..2).prop_map(|(a, b)| Op::HeardAnswer(a, b)),
        any::<u8>().prop_map(Op::Answer),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..3, op()).prop_map(|(replica, op)| Step::Act { replica, op }),
        1 => (0u8..13, any::<u8>()).prop_map(|(kind, n)| Step::Forge { kind, n }),
        1 => (0usize..3, 0usize..3).prop_map(|(into, from)| Step::Merge { into, from }),
    ]
}

/// Picks an existing record by index, so actions mostly hit real records.
fn pick<V>(m: &std::collections::BTreeMap<RecordId, V>, n: u8) -> RecordId {
    if m.is_empty() { rid(u128::from(n) + 1_000_000) } else { m.keys().nth(usize::from(n) % m.len()).unwrap().clone() }
}

fn to_action(r: &Replica, op: &Op, seq: u128) -> Action {
    let v = r.view();
    let fresh = rid(seq);
    match op {
        Op::Propose(n) => Action::ProposeAgreement {
            id: fresh,
            revision: rid(seq + 1),
            category: Category::ALL[usize::from(*n) % 6],
            text: format!("agreement {n}"),
        },
        Op::Revise(n, t) => Action::ReviseAgreement { id: pick(&v.agreements, *n), revision: fresh, text: format!("revised {t}") },
        Op::Accept(n) => Action::AcceptAgreement { id: pick(&v.agreements, *n) },
        Op::MakePromise(n, daily) => Action::MakePromise {
            id: fresh,
            text: format!("promise {n}"),
            due: Some(T0.plus_ms(i64::from(*n) * Timestamp::HOUR)),
            repeat: if *daily { Repeat::Daily } else { Repeat::None },
            from_repair: None,
        },
        Op::Keep(n) => Action::KeepPromise { id: pick(&v.promises, *n) },
        Op::Miss(n) => Action::MissPromise { id: pick(&v.promises, *n) },
        Op::Renegotiate(n, h) => Action::RenegotiatePromise { id: pick(&v.promises, *n), due: T0.plus_ms(i64::from(*h) * Timestamp::MINUTE * 7) },
        Op::Ack(n) => Action::AcknowledgePromise { id: pick(&v.promises, *n) },
        Op::Gratitude(n) => Action::AddGratitude { id: fresh, text: format!("thanks {n}"), about: None },
        Op::CheckIn(c, t) => Action::AddCheckIn {
            id: fresh,
            kind: CheckInKind::Daily,
            prompt: None,
            connection: i64::from(*c),
            trust: i64::from(*t),
            heard: 3,
            note: None,
        },
        Op::Repair(n) => {
            Action::AddRepair { id: fresh, what_happened: format!("h{n}"), what_i_did: "d".into(), impact: "i".into(), next_time: "n".into() }
        }
        Op::Respond(n, k) => Action::RespondRepair { id: pick(&v.repairs, *n), response: RepairResponse::ALL[usize::from(*k)] },
        Op::Pause(m) => Action::StartPause { minutes: i64::from(*m), note: None },
        Op::EndPause => Action::EndPause,
        Op::Rename(n) => Action::UpdateProfile { name: Some(format!("name {n}")), love_languages: None, needs: None },
        Op::Goal(n) => Action::AddGoal { id: fresh, text: format!("goal {n}") },
        Op::Step(n) => Action::AddGoalStep { goal: pick(&v.goals, *n), id: fresh, text: format!("step {n}") },
        Op::StepDone(n) => {
            let steps: Vec<(RecordId, RecordId)> = v.goals.values().flat_map(|g| g.steps.iter().map(|s| (g.id.clone(), s.id.clone()))).collect();
            match steps.get(usize::from(*n) % steps.len().max(1)) {
                Some((goal, step)) => Action::DoneGoalStep { goal: goal.clone(), step: step.clone() },
                None => Action::DoneGoalStep { goal: pick(&v.goals, *n), step: fresh },
            }
        }
        Op::Celebrate(n) => Action::CelebrateGoal { id: pick(&v.goals, *n) },
        Op::Plan(n) => Action::PlanTogether { id: fresh, text: format!("plan {n}"), when: Some(T0.plus_ms(i64::from(*n) * Timestamp::HOUR)) },
        Op::PlanDone(n) => Action::DoneTogether { id: pick(&v.together, *n) },
        Op::Heard(n) => Action::WriteHeard { id: fresh, about: pick(&v.repairs, *n), text: format!("heard {n}") },
        Op::HeardAnswer(n, k) => Action::AnswerHeard { id: pick(&v.heard, *n), answer: HeardAnswer::ALL[usize::from(*k)], note: None },
        Op::Answer(n) => {
            let q = mend_core::decks::questions::QUESTIONS[usize::from(*n) % 4].id;
            Action::AnswerQuestion { day: format!("2026-12-{:02}", n % 3 + 1), question: q.into(), sealed: vec![*n; 64] }
        }
    }
}

/// What forged values carry, to be recognised in any view.
const FORGED: &str = "FORGED";
const FORGED_AT: i64 = 7;

/// Ben's device writes, past Mend's rules, something only Ana may do.
fn forge(r: &mut Replica, kind: u8, n: u8) {
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT, ReadDoc};
    let ana = actor(1, 1).partner;
    let v = r.view().clone();
    let before = r.doc.heads();
    let d = r.doc.doc_mut();
    let map = |d: &automerge::AutoCommit, path: &[&str]| -> Option<automerge::ObjId> {
        let mut obj = ROOT;
        for k in path {
            obj = match d.get(&obj, *k).ok()?? {
                (automerge::Value::Object(ObjType::Map), id) => id,
                _ => return None,
            };
        }
        Some(obj)
    };
    let nth = |n: u8, len: usize| usize::from(n) % len.max(1);
    let a = ana.to_string();
    match kind {
        0 => {
            if let Some(ag) = v.agreements.values().nth(nth(n, v.agreements.len()))
                && let Some(rev) = ag.current()
                && let Some(acc) = map(d, &["agreements", ag.id.as_str(), "revisions", rev.id.as_str(), "accepted_by"])
            {
                d.put(&acc, a.as_str(), FORGED_AT).unwrap();
            }
        }
        1 => {
            if let Some(rp) = v.repairs.values().nth(nth(n, v.repairs.len()))
                && let Some(o) = map(d, &["repairs", rp.id.as_str()])
            {
                d.put(&o, "response", "forgiven").unwrap();
                d.put(&o, "response_by", a.as_str()).unwrap();
                d.put(&o, "response_at", FORGED_AT).unwrap();
            }
        }
        2 => {
            let hers: Vec<_> = v.promises.values().filter(|p| p.promiser == ana).collect();
            if let Some(p) = hers.get(nth(n, hers.len()))
                && let Some(occ) = map(d, &["promises", p.id.as_str(), "occurrences"])
            {
                let o = d.put_object(&occ, format!("forged{n}"), ObjType::Map).unwrap();
                d.put(&o, "outcome", "missed").unwrap();
                d.put(&o, "marked_at", FORGED_AT).unwrap();
            }
        }
        3 => {
            if let Some(g) = map(d, &["gratitude"]) {
                let o = d.put_object(&g, format!("forged-{n}-{}", v.gratitude.len()), ObjType::Map).unwrap();
                d.put(&o, "text", FORGED).unwrap();
                d.put(&o, "author", a.as_str()).unwrap();
                d.put(&o, "at", FORGED_AT).unwrap();
            }
        }
        4 => {
            let hers: Vec<_> =
                v.agreements.values().flat_map(|ag| ag.revisions.iter().map(move |r| (ag, r))).filter(|(_, r)| r.author == ana).collect();
            if let Some((ag, rev)) = hers.get(nth(n, hers.len()))
                && let Some(o) = map(d, &["agreements", ag.id.as_str(), "revisions", rev.id.as_str()])
            {
                d.put(&o, "text", FORGED).unwrap();
            }
        }
        5 => {
            let dev = actor(1, 1).device;
            if let Some(o) = map(d, &["devices", dev.as_str()]) {
                d.put(&o, "removed_at", FORGED_AT).unwrap();
            }
        }
        6 => {
            if let Some(o) = map(d, &["partners", a.as_str()]) {
                d.put(&o, "name", FORGED).unwrap();
            }
        }
        8 => {
            // A device of Ben's choosing, listed as Ana's, accepts for her with its own key.
            let x = DeviceId::from_public_key(&[0xEE; 32]);
            if let (Some(devs), Some(ag)) = (map(d, &["devices"]), v.agreements.values().nth(nth(n, v.agreements.len())))
                && let Some(rev) = ag.current()
                && let Some(acc) = map(d, &["agreements", ag.id.as_str(), "revisions", rev.id.as_str(), "accepted_by"])
            {
                if !v.devices.contains_key(&x) {
                    let o = d.put_object(&devs, x.as_str(), ObjType::Map).unwrap();
                    d.put(&o, "partner", a.as_str()).unwrap();
                    d.put(&o, "name", FORGED).unwrap();
                    d.commit();
                }
                d.set_actor(x.actor().unwrap());
                d.put(&acc, a.as_str(), FORGED_AT).unwrap();
                d.commit();
                d.set_actor(actor(2, 2).device.actor().unwrap());
            }
        }
        9 => {
            let steps: Vec<(RecordId, RecordId)> = v.goals.values().flat_map(|g| g.steps.iter().map(|s| (g.id.clone(), s.id.clone()))).collect();
            if let Some((g, s)) = steps.get(nth(n, steps.len()))
                && let Some(o) = map(d, &["goals", g.as_str(), "steps", s.as_str()])
            {
                d.put(&o, "done_at", FORGED_AT).unwrap();
                d.put(&o, "done_by", a.as_str()).unwrap();
            }
        }
        10 => {
            let hers: Vec<_> = v.heard.values().filter(|h| h.to == ana).collect();
            if let Some(h) = hers.get(nth(n, hers.len()))
                && let Some(o) = map(d, &["heard", h.id.as_str()])
            {
                d.put(&o, "answer", "yes").unwrap();
                d.put(&o, "answer_at", FORGED_AT).unwrap();
            }
        }
        11 => {
            let hers: Vec<_> = v.goals.values().filter(|g| g.author == ana).collect();
            if let Some(g) = hers.get(nth(n, hers.len()))
                && let Some(o) = map(d, &["goals", g.id.as_str()])
            {
                d.put(&o, "text", FORGED).unwrap();
            }
        }
        12 => {
            let hers: Vec<_> = v.answers.values().filter(|x| x.partner == ana).collect();
            if let Some(x) = hers.get(nth(n, hers.len()))
                && let Some(o) = map(d, &["answers", x.id.as_str()])
            {
                d.put(&o, "key", automerge::ScalarValue::Bytes(FORGED.as_bytes().to_vec())).unwrap();
            }
        }
        _ => {
            if let Some(p) = map(d, &["pauses"]) {
                let o = d.put_object(&p, a.as_str(), ObjType::Map).unwrap();
                d.put(&o, "started_at", FORGED_AT).unwrap();
                d.put(&o, "until", i64::MAX / 2).unwrap();
            }
        }
    }
    d.commit();
    r.doc.absorb(&before).unwrap();
}

/// Whether a view shows any forged value as valid.
fn shows_forgery(v: &View) -> Option<String> {
    let at = Timestamp(FORGED_AT);
    for a in v.agreements.values() {
        for r in &a.revisions {
            if r.text == FORGED || r.accepted_by.values().any(|t| *t == at) {
                return Some(format!("agreement {a:?}"));
            }
        }
    }
    if let Some(r) = v.repairs.values().find(|r| r.answer.as_ref().is_some_and(|x| x.at == at)) {
        return Some(format!("repair {r:?}"));
    }
    if let Some(p) = v.promises.values().find(|p| p.occurrences.iter().any(|o| o.marked_at == at)) {
        return Some(format!("promise {p:?}"));
    }
    if let Some(g) = v.gratitude.values().find(|g| g.text == FORGED) {
        return Some(format!("note {g:?}"));
    }
    if let Some(d) = v.devices.values().find(|d| d.removed_at == Some(at)) {
        return Some(format!("device {d:?}"));
    }
    if let Some(p) = v.partners.values().find(|p| p.name == FORGED || p.name_conflicts.iter().any(|n| n == FORGED)) {
        return Some(format!("partner {p:?}"));
    }
    if let Some(g) = v.goals.values().find(|g| g.text == FORGED || g.steps.iter().any(|s| s.done.as_ref().is_some_and(|d| d.at == at))) {
        return Some(format!("goal {g:?}"));
    }
    if let Some(h) = v.heard.values().find(|h| h.answer.as_ref().is_some_and(|x| x.at == at)) {
        return Some(format!("reflection {h:?}"));
    }
    if let Some(x) = v.answers.values().find(|x| x.key.as_deref() == Some(FORGED.as_bytes())) {
        return Some(format!("answer {x:?}"));
    }
    v.pauses.values().find(|p| p.started_at == at).map(|p| format!("pause {p:?}"))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("MEND_PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64),
        // Integration tests are outside the crate's source root, where proptest looks by default.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct("proptest-regressions/merge_prop.txt"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn replicas_converge_whatever_the_merge_order(steps in prop::collection::vec(step(), 1..60), final_order in Just(()).prop_perturb(|_, mut rng| {
        let mut v = vec![0usize, 1, 2];
        for i in (1..3).rev() { v.swap(i, (rng.next_u32() as usize) % (i + 1)); }
        v
    })) {
        // Ana on two devices, Ben on one.
        let mut rs = [Replica::new(actor(1, 1), "Ana"), Replica::new(actor(2, 2), "Ben"), Replica::new(actor(1, 3), "Ana")];
        let mut seq = 10u128;
        let mut now = T0;
        for s in &steps {
            now = now.plus_ms(Timestamp::MINUTE);
            match s {
                Step::Act { replica, op } => {
                    seq += 2;
                    let a = to_action(&rs[*replica], op, seq);
                    // Refusals are part of the property: a refused action must write nothing of
                    // its own. (The first practice action may bring in the fixed layout change
                    // that makes their collections, the same on every device, even if refused.)
                    let before = rs[*replica].doc.heads();
                    if rs[*replica].act(now, a).is_err() {
                        let after = rs[*replica].doc.heads();
                        let new: Vec<_> = rs[*replica].doc.doc_mut().get_changes(&before).iter().map(|c| c.hash()).collect();
                        let layout = new == [mend_core::schema::practices_hash()];
                        prop_assert!(after == before || layout, "a refused action wrote a change");
                    }
                }
                Step::Merge { into, from } if into != from => {
                    let (i, f) = (*into, *from);
                    let mut other = std::mem::replace(&mut rs[f], Replica::new(actor(9, 9), "tmp"));
                    rs[i].merge_from(&mut other);
                    rs[f] = other;
                }
                Step::Merge { .. } => {}
                Step::Forge { kind, n } => forge(&mut rs[1], *kind, *n),
            }
        }
        for r in rs.iter_mut() {
            let fresh = r.fresh_view();
            prop_assert_eq!(r.view(), &fresh, "incremental view drifted from the document");
            let cached = View::from_cache(&r.view().to_cache());
            prop_assert_eq!(cached.as_ref(), Some(r.view()), "the view cache's encoding lost something");
        }
        // Everyone meets everyone, in a random order, twice around.
        for _ in 0..2 {
            for w in final_order.windows(2) {
                for (i, f) in [(w[0], w[1]), (w[1], w[0])] {
                    let mut other = std::mem::replace(&mut rs[f], Replica::new(actor(9, 9), "tmp"));
                    rs[i].merge_from(&mut other);
                    rs[f] = other;
                }
            }
        }
        prop_assert_eq!(rs[0].view(), rs[1].view());
        prop_assert_eq!(rs[1].view(), rs[2].view());
        for r in &rs {
            prop_assert_eq!(shows_forgery(r.view()), None);
        }
        let fresh = rs[0].fresh_view();
        prop_assert_eq!(rs[0].view(), &fresh);
    }
}
