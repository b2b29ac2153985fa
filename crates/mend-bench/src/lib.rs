//! A seeded, deterministic generator of years of a couple's life in Mend, for benchmarks.
//! Ten years is about: 3,650 daily and 520 weekly check-ins, 7,000 gratitude notes, 1,500
//! promises settled 20,000 times, 300 agreements with 1,000 revisions, 200 repairs and
//! 2,000 journal entries. Records are written through the real rules (mend-core), in time
//! order, by both partners, so the document has the history real use would give it.

use mend_core::{Action, Actor, Category, CheckInKind, DeviceId, HeardAnswer, PartnerId, RecordId, RepairResponse, Repeat, SharedDoc, Timestamp};
use mend_store::DeviceKey;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const DAY: i64 = Timestamp::DAY;
/// 2016-11-24: ten years before the day this suite was written.
pub const START: Timestamp = Timestamp(1_479_945_600_000);

/// How much of each kind ten years holds.
pub struct PerTenYears;
impl PerTenYears {
    pub const DAILY_CHECKINS: f64 = 3_650.0;
    pub const WEEKLY_CHECKINS: f64 = 520.0;
    pub const GRATITUDE: f64 = 7_000.0;
    pub const PROMISES: f64 = 1_500.0;
    pub const SETTLES: f64 = 20_000.0;
    pub const AGREEMENTS: f64 = 300.0;
    pub const REVISIONS: f64 = 700.0;
    pub const REPAIRS: f64 = 200.0;
    pub const JOURNAL: f64 = 2_000.0;
}

pub struct Generated {
    pub doc: SharedDoc,
    /// Ana's laptop: the device the benchmark profile belongs to.
    pub ana: DeviceKey,
    pub ben: DeviceKey,
    /// Ana's private journal entries (time, text), written separately.
    pub journal: Vec<(Timestamp, String)>,
    pub actions: usize,
    pub refused: usize,
}

#[derive(Clone, Copy)]
enum Ev {
    CheckIn(bool),
    Gratitude,
    Promise,
    Settle,
    Agreement,
    Revise,
    Repair,
    Pause,
}

const WORDS: &[&str] = &[
    "walk",
    "dinner",
    "listening",
    "patience",
    "the kids",
    "your mother",
    "money",
    "phone",
    "morning",
    "coffee",
    "the call",
    "honesty",
    "space",
    "time together",
    "the weekend",
    "work",
    "trust",
    "the garden",
    "a hug",
    "the dishes",
    "laughing",
];

fn sentence(rng: &mut StdRng, min_words: usize) -> String {
    let n = rng.random_range(min_words..min_words * 3);
    let mut s = String::from(["Thank you for", "I noticed", "I felt", "We agreed on", "I will", "Today"][rng.random_range(0..6)]);
    for _ in 0..n {
        s.push(' ');
        s.push_str(WORDS[rng.random_range(0..WORDS.len())]);
    }
    s.push('.');
    s
}

fn id(rng: &mut StdRng) -> RecordId {
    RecordId::from_uuid(uuid::Uuid::from_u128(rng.random()))
}

/// Generates `years` of data from `seed`. The same inputs give the same document.
pub fn generate(years: f64, seed: u64) -> Generated {
    let mut rng = StdRng::seed_from_u64(seed);
    let ana_key = DeviceKey::from_secret_bytes(&rng.random());
    let ben_key = DeviceKey::from_secret_bytes(&rng.random());
    let ana = Actor { partner: PartnerId::from_uuid(uuid::Uuid::from_u128(rng.random())), device: ana_key.device_id() };
    let ben = Actor { partner: PartnerId::from_uuid(uuid::Uuid::from_u128(rng.random())), device: ben_key.device_id() };
    let span = (years * 365.0 * DAY as f64) as i64;
    let scale = years / 10.0;
    let mut events: Vec<(i64, Ev)> = Vec::new();
    let sprinkle = |n: f64, ev: Ev, events: &mut Vec<(i64, Ev)>, rng: &mut StdRng| {
        for _ in 0..(n * scale).round() as usize {
            events.push((rng.random_range(DAY..span.max(DAY + 1)), ev));
        }
    };
    let days = (years * 365.0) as i64;
    for d in 0..days {
        events.push((d * DAY + 20 * Timestamp::HOUR, Ev::CheckIn(false)));
        if d % 7 == 6 && (d / 7) < (PerTenYears::WEEKLY_CHECKINS * scale) as i64 {
            events.push((d * DAY + 21 * Timestamp::HOUR, Ev::CheckIn(true)));
        }
    }
    sprinkle(PerTenYears::GRATITUDE, Ev::Gratitude, &mut events, &mut rng);
    sprinkle(PerTenYears::PROMISES, Ev::Promise, &mut events, &mut rng);
    sprinkle(PerTenYears::SETTLES, Ev::Settle, &mut events, &mut rng);
    sprinkle(PerTenYears::AGREEMENTS, Ev::Agreement, &mut events, &mut rng);
    sprinkle(PerTenYears::REVISIONS, Ev::Revise, &mut events, &mut rng);
    sprinkle(PerTenYears::REPAIRS, Ev::Repair, &mut events, &mut rng);
    sprinkle(60.0, Ev::Pause, &mut events, &mut rng);
    events.sort_by_key(|e| e.0);

    let mut doc = SharedDoc::new_space().expect("genesis");
    let mut actions = 0;
    let mut refused = 0;
    let mut apply = |doc: &mut SharedDoc, who: &Actor, t: Timestamp, a: Action| {
        // Each partner writes from their own device: set the actor per change.
        let _ = doc.set_device(&who.device);
        actions += 1;
        if doc.apply(who, t, a).is_err() {
            refused += 1;
        }
    };
    apply(&mut doc, &ana, START, Action::RegisterDevice { partner_name: Some("Ana".into()), device_name: "Ana's laptop".into() });
    apply(&mut doc, &ben, START, Action::RegisterDevice { partner_name: Some("Ben".into()), device_name: "Ben's laptop".into() });
    let mut promises: Vec<(RecordId, PartnerId)> = Vec::new();
    let mut agreements: Vec<RecordId> = Vec::new();
    let both = [ana.clone(), ben.clone()];
    for (k, (offset, ev)) in events.into_iter().enumerate() {
        let t = START.plus_ms(offset);
        let who = &both[k % 2];
        let other = &both[1 - k % 2];
        match ev {
            Ev::CheckIn(weekly) => {
                let a = Action::AddCheckIn {
                    id: id(&mut rng),
                    kind: if weekly { CheckInKind::Weekly } else { CheckInKind::Daily },
                    prompt: weekly.then(|| "How are we really doing?".to_owned()),
                    connection: rng.random_range(1..=5),
                    trust: rng.random_range(1..=5),
                    heard: rng.random_range(1..=5),
                    note: rng.random_bool(0.3).then(|| sentence(&mut rng, 4)),
                };
                apply(&mut doc, who, t, a);
            }
            Ev::Gratitude => {
                let about = (rng.random_bool(0.2) && !promises.is_empty()).then(|| promises[rng.random_range(0..promises.len())].0.clone());
                let a = Action::AddGratitude { id: id(&mut rng), text: sentence(&mut rng, 3), about };
                apply(&mut doc, who, t, a);
            }
            Ev::Promise => {
                let repeat = [Repeat::None, Repeat::None, Repeat::Daily, Repeat::Weekly][rng.random_range(0..4)];
                let pid = id(&mut rng);
                let a = Action::MakePromise { id: pid.clone(), text: sentence(&mut rng, 2), due: Some(t.plus_ms(DAY)), repeat, from_repair: None };
                apply(&mut doc, who, t, a);
                promises.push((pid, who.partner.clone()));
            }
            Ev::Settle => {
                let open: Vec<&(RecordId, PartnerId)> = promises.iter().filter(|(p, _)| doc.view().promises.get(p).is_some_and(|p| p.open)).collect();
                if let Some((pid, owner)) = open.get(rng.random_range(0..open.len().max(1))).map(|x| (*x).clone()) {
                    let by = if owner == ana.partner { &ana } else { &ben };
                    let a = match rng.random_range(0..20) {
                        0..=15 => Action::KeepPromise { id: pid.clone() },
                        16..=18 => Action::MissPromise { id: pid.clone() },
                        _ => Action::RenegotiatePromise { id: pid.clone(), due: t.plus_ms(rng.random_range(1..72) * Timestamp::HOUR) },
                    };
                    apply(&mut doc, by, t, a);
                    if rng.random_bool(0.3) {
                        let ack_by = if owner == ana.partner { &ben } else { &ana };
                        apply(&mut doc, ack_by, t.plus_ms(Timestamp::HOUR), Action::AcknowledgePromise { id: pid });
                    }
                }
            }
            Ev::Agreement => {
                let aid = id(&mut rng);
                let rev = id(&mut rng);
                let a = Action::ProposeAgreement {
                    id: aid.clone(),
                    revision: rev,
                    category: Category::ALL[rng.random_range(0..6)],
                    text: sentence(&mut rng, 5),
                };
                apply(&mut doc, who, t, a);
                apply(&mut doc, other, t.plus_ms(DAY), Action::AcceptAgreement { id: aid.clone() });
                agreements.push(aid);
            }
            Ev::Revise => {
                if let Some(aid) = agreements.get(rng.random_range(0..agreements.len().max(1))).cloned() {
                    let a = Action::ReviseAgreement { id: aid.clone(), revision: id(&mut rng), text: sentence(&mut rng, 5) };
                    apply(&mut doc, who, t, a);
                    apply(&mut doc, other, t.plus_ms(2 * DAY), Action::AcceptAgreement { id: aid });
                }
            }
            Ev::Repair => {
                let rid = id(&mut rng);
                let a = Action::AddRepair {
                    id: rid.clone(),
                    what_happened: sentence(&mut rng, 6),
                    what_i_did: sentence(&mut rng, 4),
                    impact: sentence(&mut rng, 4),
                    next_time: sentence(&mut rng, 4),
                };
                apply(&mut doc, who, t, a);
                let r = RepairResponse::ALL[rng.random_range(0..4)];
                apply(&mut doc, other, t.plus_ms(3 * DAY), Action::RespondRepair { id: rid, response: r });
            }
            Ev::Pause => {
                apply(&mut doc, who, t, Action::StartPause { minutes: rng.random_range(15..120), note: Some("I need a walk".into()) });
            }
        }
    }
    let journal = (0..(PerTenYears::JOURNAL * scale).round() as usize)
        .map(|_| (START.plus_ms(rng.random_range(0..span.max(1))), sentence(&mut rng, 12)))
        .collect();
    Generated { doc, ana: ana_key, ben: ben_key, journal, actions, refused }
}

/// The practices added later, over the same years (`--practices`): the question of the
/// day answered by each partner on three days in five (and opened when both answered), 80
/// goals of four steps, 600 plans and 50 ideas, and a reflection on most repairs. Kept
/// apart from [`generate`] so the reference data set stays the one every earlier figure
/// was measured on. Answers are sealed for real (random nonces): the heads differ from run
/// to run, the counts do not.
pub fn add_practices(g: &mut Generated, years: f64, seed: u64) {
    use mend_engine::questions;
    let mut rng = StdRng::seed_from_u64(seed ^ 0x9e37_79b9);
    let scale = years / 10.0;
    let v = g.doc.view().clone();
    let actor_of = |k: &DeviceKey| v.devices.get(&k.device_id()).map(|d| Actor { partner: d.partner.clone(), device: d.id.clone() });
    let (Some(ana), Some(ben)) = (actor_of(&g.ana), actor_of(&g.ben)) else { return };
    let both = [ana, ben];
    let doc = &mut g.doc;
    let mut apply = |doc: &mut SharedDoc, who: &Actor, t: Timestamp, a: Action| {
        let _ = doc.set_device(&who.device);
        g.actions += 1;
        if doc.apply(who, t, a).is_err() {
            g.refused += 1;
        }
    };
    let days = (years * 365.0) as i64;
    for d in 0..days {
        let t = START.plus_ms(d * DAY + 21 * Timestamp::HOUR);
        let day = questions::day_of(t);
        let q = questions::question_on(doc.view(), &day).id;
        let mut keys = vec![];
        for who in &both {
            if rng.random_bool(0.6) {
                let key: [u8; 32] = rng.random();
                let id = questions::answer_id(&day, q, &who.partner);
                let text = sentence(&mut rng, 8);
                let Ok(sealed) = questions::seal(&key, &id, &text) else { continue };
                apply(doc, who, t, Action::AnswerQuestion { day: day.clone(), question: q.to_owned(), sealed });
                keys.push((who, id, key));
            }
        }
        if keys.len() == 2 {
            for (who, id, key) in keys {
                apply(doc, who, t.plus_ms(Timestamp::HOUR), Action::OpenAnswer { id: RecordId::from_key(&id), key: key.to_vec() });
            }
        }
    }
    let span = (years * 365.0 * DAY as f64) as i64;
    let at = |rng: &mut StdRng| START.plus_ms(rng.random_range(DAY..span.max(DAY + 1)));
    for _ in 0..(80.0 * scale).round() as usize {
        let t = at(&mut rng);
        let gid = id(&mut rng);
        apply(doc, &both[rng.random_range(0..2)], t, Action::AddGoal { id: gid.clone(), text: sentence(&mut rng, 4) });
        for s in 0..4 {
            let sid = id(&mut rng);
            apply(
                doc,
                &both[rng.random_range(0..2)],
                t.plus_ms(s * DAY),
                Action::AddGoalStep { goal: gid.clone(), id: sid.clone(), text: sentence(&mut rng, 3) },
            );
            if s < 3 {
                apply(doc, &both[rng.random_range(0..2)], t.plus_ms((s + 7) * DAY), Action::DoneGoalStep { goal: gid.clone(), step: sid });
            }
        }
        if rng.random_bool(0.5) {
            apply(doc, &both[rng.random_range(0..2)], t.plus_ms(30 * DAY), Action::CelebrateGoal { id: gid });
        }
    }
    for _ in 0..(600.0 * scale).round() as usize {
        let t = at(&mut rng);
        let pid = id(&mut rng);
        apply(
            doc,
            &both[rng.random_range(0..2)],
            t,
            Action::PlanTogether { id: pid.clone(), text: sentence(&mut rng, 3), when: Some(t.plus_ms(3 * DAY)) },
        );
        if rng.random_bool(0.7) {
            apply(doc, &both[rng.random_range(0..2)], t.plus_ms(4 * DAY), Action::DoneTogether { id: pid });
        }
    }
    for _ in 0..(50.0 * scale).round() as usize {
        let t = at(&mut rng);
        apply(doc, &both[rng.random_range(0..2)], t, Action::AddIdea { id: id(&mut rng), text: sentence(&mut rng, 3) });
    }
    let repairs: Vec<(RecordId, PartnerId, Timestamp)> = doc.view().repairs.values().map(|r| (r.id.clone(), r.author.clone(), r.at)).collect();
    for (rid, author, t) in repairs {
        if !rng.random_bool(0.75) {
            continue;
        }
        let (by, to) = if author == both[0].partner { (&both[1], &both[0]) } else { (&both[0], &both[1]) };
        let hid = id(&mut rng);
        apply(doc, by, t.plus_ms(DAY), Action::WriteHeard { id: hid.clone(), about: rid, text: sentence(&mut rng, 6) });
        if rng.random_bool(0.8) {
            let answer = HeardAnswer::ALL[rng.random_range(0..2)];
            apply(doc, to, t.plus_ms(2 * DAY), Action::AnswerHeard { id: hid, answer, note: None });
        }
    }
}

/// Ana's device id, for tests.
pub fn device_of(k: &DeviceKey) -> DeviceId {
    k.device_id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_space_and_the_counts_scale() {
        let mut a = generate(0.3, 42);
        let mut b = generate(0.3, 42);
        assert_eq!(a.doc.heads(), b.doc.heads(), "deterministic");
        let v = a.doc.view();
        let days = (0.3f64 * 365.0) as usize;
        assert_eq!(v.checkins.values().filter(|c| c.kind == CheckInKind::Daily).count(), days);
        assert!((v.gratitude.len() as f64 - 210.0).abs() < 1.0);
        assert_eq!(v.partners.len(), 2);
        let occurrences: usize = v.promises.values().map(|p| p.occurrences.len()).sum();
        assert!(occurrences > 300, "promises get settled: {occurrences}");
        assert!(a.refused * 10 < a.actions, "most generated actions pass the rules: {} of {}", a.refused, a.actions);
        assert_ne!(generate(0.3, 43).doc.heads(), b.doc.heads());
    }

    #[test]
    fn the_practices_are_added_through_the_rules() {
        let mut g = generate(0.3, 42);
        let before = g.refused;
        add_practices(&mut g, 0.3, 42);
        let v = g.doc.view();
        assert!(v.answers.len() > 80, "about 1.2 answers a day: {}", v.answers.len());
        assert!(v.answers.values().any(|a| a.key.is_some()), "some opened");
        assert!(v.goals.len() >= 2 && v.together.len() > 10, "{} goals, {} plans", v.goals.len(), v.together.len());
        assert_eq!(g.refused, before, "every practice action passed the rules");
    }
}
