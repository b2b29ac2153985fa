//! A paired partner's device that does not run Mend's rules (a modified Mend, a script)
//! writes raw Automerge changes with its own real key. Each test is one forgery: the honest
//! partner's view must not show it as valid, must say which device did it, and must keep
//! working. See `mend_core::trust` for the rules and `mend_core::incoming` for the gate.

mod common;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType};
use common::*;
use mend_core::*;

/// The incremental view equals one rebuilt from the document, and the honest partner can
/// still act.
fn still_whole(r: &mut Replica) {
    let fresh = r.fresh_view();
    assert_eq!(*r.view(), fresh, "the view kept up to date equals the one rebuilt");
    r.act(T0.plus_ms(99_000), Action::AddGratitude { id: rid(9_999), text: "still here".into(), about: None }).unwrap();
    assert!(r.view().gratitude.contains_key(&rid(9_999)));
}

fn ana_id() -> PartnerId {
    actor(1, 1).partner
}

#[test]
fn an_acceptance_written_for_her_by_his_device_does_not_count() {
    let (mut ana, mut ben) = couple();
    ben.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Phones, text: "No phones at dinner".into() }).unwrap();
    let ana_key = ana_id().to_string();
    forge(&mut ben, |d| {
        let acc = at(d, &["agreements", &rid(1).to_string(), "revisions", &rid(2).to_string(), "accepted_by"]);
        d.put(&acc, ana_key.as_str(), T0.0 + 5).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let a = &ana.view().agreements[&rid(1)];
    assert_eq!(a.state(&ana.view().partner_ids()), AgreementState::Proposed, "not agreed: Ana never accepted");
    assert!(a.waiting_for(&ana_id()), "still waits for Ana");
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::AcceptedFor { partner: ana_id() })));
    still_whole(&mut ana);
}

#[test]
fn words_rewritten_after_both_accepted_are_not_what_is_agreed() {
    let (mut ana, mut ben) = couple();
    ben.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Time, text: "Sundays together".into() }).unwrap();
    ana.sync_from(&mut ben).unwrap();
    ana.act(T0.plus_ms(1), Action::AcceptAgreement { id: rid(1) }).unwrap();
    ben.sync_from(&mut ana).unwrap();
    assert_eq!(ben.view().agreements[&rid(1)].state(&ben.view().partner_ids()), AgreementState::Agreed);
    // Ben, the author, changes the words his partner accepted.
    forge(&mut ben, |d| {
        let rev = at(d, &["agreements", &rid(1).to_string(), "revisions", &rid(2).to_string()]);
        d.put(&rev, "text", "Sundays are mine alone").unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    // What both accepted stays what is agreed; the words written over it are not shown.
    let a = &ana.view().agreements[&rid(1)];
    let rev = a.current().unwrap();
    assert_eq!(rev.text, "Sundays together");
    assert_eq!(a.state(&ana.view().partner_ids()), AgreementState::Agreed);
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::ChangedWords { kind: "agreement".into() })));
    still_whole(&mut ana);
}

#[test]
fn words_of_her_revision_changed_by_his_device_are_not_shown_as_hers() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Time, text: "Call when late".into() }).unwrap();
    ben.sync_from(&mut ana).unwrap();
    forge(&mut ben, |d| {
        let rev = at(d, &["agreements", &rid(1).to_string(), "revisions", &rid(2).to_string()]);
        d.put(&rev, "text", "Never call").unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let texts: Vec<&str> = ana.view().agreements.values().flat_map(|a| &a.revisions).map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["Call when late"], "Ana's words are shown again, not the ones written over them");
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::ChangedWords { kind: "agreement".into() })));
    still_whole(&mut ana);
}

#[test]
fn records_written_in_her_name_by_his_device_are_not_shown() {
    let (mut ana, mut ben) = couple();
    let ana_key = ana_id().to_string();
    forge(&mut ben, |d| {
        let g = d.put_object(at(d, &["gratitude"]), rid(10).to_string(), ObjType::Map).unwrap();
        d.put(&g, "text", "I was wrong about everything").unwrap();
        d.put(&g, "author", ana_key.as_str()).unwrap();
        d.put(&g, "at", T0.0).unwrap();
        let c = d.put_object(at(d, &["checkins"]), rid(11).to_string(), ObjType::Map).unwrap();
        for (k, v) in [("connection", 1), ("trust", 1), ("heard", 1)] {
            d.put(&c, k, v as i64).unwrap();
        }
        d.put(&c, "kind", "daily").unwrap();
        d.put(&c, "author", ana_key.as_str()).unwrap();
        d.put(&c, "at", T0.0).unwrap();
        let r = d.put_object(at(d, &["repairs"]), rid(12).to_string(), ObjType::Map).unwrap();
        d.put(&r, "author", ana_key.as_str()).unwrap();
        d.put(&r, "at", T0.0).unwrap();
        d.put(&r, "what_happened", "I lied").unwrap();
        let a = d.put_object(at(d, &["agreements"]), rid(13).to_string(), ObjType::Map).unwrap();
        d.put(&a, "created_by", ana_key.as_str()).unwrap();
        d.put(&a, "created_at", T0.0).unwrap();
        let revs = d.put_object(&a, "revisions", ObjType::Map).unwrap();
        let rev = d.put_object(&revs, rid(14).to_string(), ObjType::Map).unwrap();
        d.put(&rev, "text", "Ana pays for everything").unwrap();
        d.put(&rev, "author", ana_key.as_str()).unwrap();
        d.put(&rev, "at", T0.0).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let v = ana.view();
    assert!(!v.gratitude.contains_key(&rid(10)) && !v.checkins.contains_key(&rid(11)));
    assert!(!v.repairs.contains_key(&rid(12)) && !v.agreements.contains_key(&rid(13)));
    for kind in ["note of thanks", "check-in", "repair", "agreement"] {
        assert!(doubts(v).contains(&(ben.me.device.clone(), Broke::WroteAs { partner: ana_id(), kind: kind.into() })), "{kind}");
    }
    still_whole(&mut ana);
}

#[test]
fn his_answer_to_his_own_repair_or_as_her_does_not_count() {
    let (mut ana, mut ben) = couple();
    ben.act(
        T0,
        Action::AddRepair { id: rid(1), what_happened: "I was late".into(), what_i_did: "I".into(), impact: "you".into(), next_time: "call".into() },
    )
    .unwrap();
    ben.act(
        T0,
        Action::AddRepair { id: rid(2), what_happened: "I shouted".into(), what_i_did: "I".into(), impact: "you".into(), next_time: "pause".into() },
    )
    .unwrap();
    let (ana_key, ben_key) = (ana_id().to_string(), ben.me.partner.to_string());
    forge(&mut ben, |d| {
        let r = at(d, &["repairs", &rid(1).to_string()]);
        d.put(&r, "response", "forgiven").unwrap();
        d.put(&r, "response_by", ana_key.as_str()).unwrap();
        d.put(&r, "response_at", T0.0 + 1).unwrap();
        let r = at(d, &["repairs", &rid(2).to_string()]);
        d.put(&r, "response", "forgiven").unwrap();
        d.put(&r, "response_by", ben_key.as_str()).unwrap();
        d.put(&r, "response_at", T0.0 + 1).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    assert!(ana.view().repairs[&rid(1)].answer.is_none(), "not forgiven: Ana did not answer");
    assert!(ana.view().repairs[&rid(2)].answer.is_none(), "no one answers their own repair");
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::AnsweredRepair)));
    // Ana can still answer it herself.
    ana.act(T0.plus_ms(5), Action::RespondRepair { id: rid(1), response: RepairResponse::NeedTime }).unwrap();
    assert_eq!(ana.view().repairs[&rid(1)].answer.as_ref().map(|a| a.response), Some(RepairResponse::NeedTime));
    still_whole(&mut ana);
}

#[test]
fn her_promise_marked_missed_by_his_device_stays_open_and_unmarked() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::MakePromise { id: rid(1), text: "Home by six".into(), due: Some(T0.plus_ms(1000)), repeat: Repeat::None, from_repair: None })
        .unwrap();
    ben.sync_from(&mut ana).unwrap();
    forge(&mut ben, |d| {
        let p = at(d, &["promises", &rid(1).to_string()]);
        let occ = at(d, &["promises", &rid(1).to_string(), "occurrences"]);
        let o = d.put_object(&occ, "x", ObjType::Map).unwrap();
        d.put(&o, "outcome", "missed").unwrap();
        d.put(&o, "marked_at", T0.0 + 2000).unwrap();
        d.put(&p, "open", false).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let p = &ana.view().promises[&rid(1)];
    assert!(p.open && p.occurrences.is_empty(), "{p:?}");
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::MarkedPromiseOf { partner: ana_id() })));
    still_whole(&mut ana);
}

#[test]
fn his_acknowledgement_of_his_own_promise_does_not_count() {
    let (mut ana, mut ben) = couple();
    ben.act(T0, Action::MakePromise { id: rid(1), text: "Tell you first".into(), due: None, repeat: Repeat::None, from_repair: None }).unwrap();
    ben.act(T0.plus_ms(1), Action::KeepPromise { id: rid(1) }).unwrap();
    forge(&mut ben, |d| {
        let o = at(d, &["promises", &rid(1).to_string(), "occurrences", "once"]);
        d.put(&o, "acknowledged_at", T0.0 + 2).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let p = &ana.view().promises[&rid(1)];
    assert!(p.unacknowledged().is_some(), "still Ana's to acknowledge");
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::AcknowledgedOwn)));
    still_whole(&mut ana);
}

#[test]
fn her_profile_pause_and_proposal_are_hers_alone() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Time, text: "Walks on Sunday".into() }).unwrap();
    ben.sync_from(&mut ana).unwrap();
    let ana_key = ana_id().to_string();
    forge(&mut ben, |d| {
        let p = at(d, &["partners", &ana_key]);
        d.put(&p, "name", "Liar").unwrap();
        d.put(&p, "needs", "nothing").unwrap();
        let pause = d.put_object(at(d, &["pauses"]), ana_key.as_str(), ObjType::Map).unwrap();
        d.put(&pause, "started_at", T0.0).unwrap();
        d.put(&pause, "until", T0.0 + 3_600_000).unwrap();
        let a = at(d, &["agreements", &rid(1).to_string()]);
        d.put(&a, "archived", true).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let v = ana.view();
    assert_eq!(v.partner_name(&ana_id()), "Ana");
    assert!(!v.pauses.contains_key(&ana_id()), "no pause Ana did not start");
    assert!(!v.agreements[&rid(1)].archived, "only its proposer withdraws a proposal");
    let ds = doubts(v);
    assert!(ds.contains(&(ben.me.device.clone(), Broke::ChangedProfileOf { partner: ana_id() })));
    assert!(ds.contains(&(ben.me.device.clone(), Broke::PausedFor { partner: ana_id() })));
    assert!(ds.contains(&(ben.me.device.clone(), Broke::Withdrew)));
    still_whole(&mut ana);
}

#[test]
fn his_device_cannot_rename_or_remove_hers() {
    let (mut ana, mut ben) = couple();
    let mine = ana.me.device.clone();
    // Honest Mend refuses it outright...
    assert!(matches!(ben.act(T0, Action::RemoveDevice { device: mine.clone() }), Err(CoreError::NotYours(_))));
    // ...and written raw, it does not count.
    forge(&mut ben, |d| {
        let o = at(d, &["devices", mine.as_str()]);
        d.put(&o, "removed_at", T0.0).unwrap();
        d.put(&o, "name", "Stolen laptop").unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let me = &ana.view().devices[&mine];
    assert!(me.removed_at.is_none() && me.name == "Ana's laptop", "{me:?}");
    assert!(ana.view().syncs_with(&ana.me, &ben.me.device), "Ana still syncs with Ben");
    assert!(doubts(ana.view()).contains(&(ben.me.device.clone(), Broke::ChangedDeviceOf { partner: ana_id() })));
    still_whole(&mut ana);
}

#[test]
fn a_device_he_adds_as_hers_is_not_hers() {
    let (mut ana, mut ben) = couple();
    let fake = actor(1, 77); // claims to be Ana's
    ben.act(T0, Action::TrustDevice { device: fake.device.clone(), partner: ana_id(), name: "Ana's phone".into() }).unwrap();
    // The fake device writes as Ana, with its own key.
    let mut x = Replica { doc: SharedDoc::new_space().unwrap(), me: fake.clone() };
    x.doc.set_device(&fake.device).unwrap();
    x.sync_from(&mut ben).unwrap();
    x.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Other, text: "Ana gives in".into() }).unwrap();
    x.act(T0, Action::AddGratitude { id: rid(3), text: "from 'Ana'".into(), about: None }).unwrap();
    ben.sync_from(&mut x).unwrap();
    ben.act(T0.plus_ms(1), Action::AcceptAgreement { id: rid(1) }).unwrap();
    ana.sync_from(&mut ben).unwrap();
    let v = ana.view();
    let d = &v.devices[&fake.device];
    assert!(!d.verified, "added by Ben, so not proved to be Ana's");
    assert!(!v.syncs_with(&ana.me, &fake.device), "Ana's devices do not sync with it");
    let a = &v.agreements[&rid(1)];
    assert!(!a.current().unwrap().accepted_by.contains_key(&ana_id()), "its acceptance is not Ana's consent");
    assert_eq!(a.state(&v.partner_ids()), AgreementState::Proposed);
    assert!(v.check(schema::Collection::Gratitude, &rid(3).to_string()).is_some_and(|c| c.unverified), "what it wrote is marked as not verified");
    assert!(v.devices[&ana.me.device].verified && v.devices[&ben.me.device].verified);
    still_whole(&mut ana);
}

#[test]
fn a_device_she_adds_is_hers() {
    let (mut ana, mut ben) = couple();
    let phone = actor(1, 9);
    ana.act(T0, Action::TrustDevice { device: phone.device.clone(), partner: ana_id(), name: "Ana's phone".into() }).unwrap();
    let mut p = Replica { doc: SharedDoc::new_space().unwrap(), me: phone.clone() };
    p.doc.set_device(&phone.device).unwrap();
    p.sync_from(&mut ana).unwrap();
    p.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Other, text: "Tea at four".into() }).unwrap();
    ben.sync_from(&mut p).unwrap();
    let v = ben.view();
    assert!(v.devices[&phone.device].verified);
    assert!(v.syncs_with(&ben.me, &phone.device));
    assert!(v.agreements[&rid(1)].current().unwrap().accepted_by.contains_key(&ana_id()), "her phone's acceptance is hers");
    assert!(v.checks.is_empty(), "{:?}", v.checks);
}

#[test]
fn the_gate_refuses_what_would_erase_or_move_her_records() {
    let (mut ana, mut ben) = couple();
    ana.act(T0, Action::AddGratitude { id: rid(1), text: "Thank you".into(), about: None }).unwrap();
    let phone = actor(1, 9);
    ana.act(T0, Action::TrustDevice { device: phone.device.clone(), partner: ana_id(), name: "Ana's phone".into() }).unwrap();
    ana.act(T0.plus_ms(1), Action::RemoveDevice { device: phone.device.clone() }).unwrap();
    ben.sync_from(&mut ana).unwrap();
    let (ana_key, ben_key, mine, gone) = (ana_id().to_string(), ben.me.partner.to_string(), ana.me.device.to_string(), phone.device.to_string());
    type Forgery = Box<dyn Fn(&mut AutoCommit)>;
    let cases: Vec<(&str, Forgery)> = vec![
        ("her words deleted", Box::new(|d| d.delete(at(d, &["gratitude", &rid(1).to_string()]), "text").unwrap())),
        ("her profile made again", {
            let k = ana_key.clone();
            Box::new(move |d| {
                let p = d.put_object(at(d, &["partners"]), k.as_str(), ObjType::Map).unwrap();
                d.put(&p, "name", "Not Ana").unwrap();
            })
        }),
        ("her device moved to him", {
            let (m, b) = (mine.clone(), ben_key.clone());
            Box::new(move |d| {
                let o = d.put_object(at(d, &["devices"]), m.as_str(), ObjType::Map).unwrap();
                d.put(&o, "partner", b.as_str()).unwrap();
            })
        }),
        ("a removed device brought back by a new record", {
            let (g, k) = (gone.clone(), ana_key.clone());
            Box::new(move |d| {
                let o = d.put_object(at(d, &["devices"]), g.as_str(), ObjType::Map).unwrap();
                d.put(&o, "partner", k.as_str()).unwrap();
            })
        }),
        ("a removal deleted", {
            let g = gone.clone();
            Box::new(move |d| d.delete(at(d, &["devices", g.as_str()]), "removed_at").unwrap())
        }),
    ];
    for (what, f) in cases {
        let mut forger = Replica { doc: SharedDoc::from_doc(ben.doc.doc_mut().fork()).unwrap(), me: ben.me.clone() };
        forger.doc.set_device(&ben.me.device).unwrap();
        forge(&mut forger, |d| f(d));
        let before = ana.view().clone();
        let heads = ana.doc.heads();
        assert!(matches!(ana.sync_from(&mut forger), Err(Refusal::Unreadable(_))), "{what}: refused");
        assert_eq!(ana.doc.heads(), heads, "{what}: nothing applied");
        assert_eq!(*ana.view(), before, "{what}: nothing changed");
    }
    still_whole(&mut ana);
}

/// An older Mend let a partner remove the other's devices (and leaving did that). Such a
/// removal no longer removes the device, but the remover's side still does not sync with it:
/// updating Mend never starts a sync someone had stopped.
#[test]
fn a_removal_by_the_other_partner_from_an_older_mend_still_stops_their_own_sync() {
    let (mut ana, mut ben) = couple();
    let bens = ben.me.device.clone();
    forge(&mut ana, |d| {
        let o = at(d, &["devices", bens.as_str()]);
        d.put(&o, "removed_at", T0.0 + 1).unwrap();
    });
    assert!(!ana.view().syncs_with(&ana.me, &bens), "Ana stopped syncing with it, and still does");
    ben.sync_from(&mut ana).unwrap();
    let d = &ben.view().devices[&bens];
    assert!(d.removed_at.is_none(), "it is Ben's device, and Ben did not remove it");
    assert!(ben.view().syncs_with(&ben.me, &ana.me.device), "Ben's side is as Ben left it: Ana's devices refuse it");
}

#[test]
fn an_agreement_both_agreed_to_is_not_withdrawn_by_its_proposer_alone() {
    let (mut ana, mut ben) = couple();
    ben.act(T0, Action::ProposeAgreement { id: rid(1), revision: rid(2), category: Category::Time, text: "Dinner together on Fridays".into() })
        .unwrap();
    ana.sync_from(&mut ben).unwrap();
    ana.act(T0.plus_ms(1), Action::AcceptAgreement { id: rid(1) }).unwrap();
    ben.sync_from(&mut ana).unwrap();
    // Honest Mend refuses it...
    assert!(ben.act(T0.plus_ms(2), Action::ArchiveAgreement { id: rid(1) }).is_err());
    // ...and written raw by the proposer's own device, it does not count.
    forge(&mut ben, |d| {
        let a = at(d, &["agreements", &rid(1).to_string()]);
        d.put(&a, "archived", true).unwrap();
    });
    ana.sync_from(&mut ben).unwrap();
    let a = &ana.view().agreements[&rid(1)];
    assert!(!a.archived);
    assert_eq!(a.state(&ana.view().partner_ids()), AgreementState::Agreed);
    // A proposal not yet agreed is still its proposer's to withdraw.
    ben.act(T0.plus_ms(3), Action::ProposeAgreement { id: rid(3), revision: rid(4), category: Category::Time, text: "Maybe".into() }).unwrap();
    ben.act(T0.plus_ms(4), Action::ArchiveAgreement { id: rid(3) }).unwrap();
    ana.sync_from(&mut ben).unwrap();
    assert!(ana.view().agreements[&rid(3)].archived);
    still_whole(&mut ana);
}

/// Words written over one by one, in hundreds of changes spread through the history, are
/// all put back: each from the state just before the change that wrote over it.
#[test]
fn hundreds_of_her_notes_written_over_across_the_history_are_all_shown_as_written() {
    let (mut ana, mut ben) = couple();
    for i in 0..200u128 {
        ana.act(T0.plus_ms(i as i64), Action::AddGratitude { id: rid(100 + i), text: format!("thank you {i}"), about: None }).unwrap();
    }
    ben.sync_from(&mut ana).unwrap();
    for i in 0..200u128 {
        forge(&mut ben, |d| {
            let g = at(d, &["gratitude", &rid(100 + i).to_string()]);
            d.put(&g, "text", format!("forged {i}")).unwrap();
        });
        // Honest changes between the forgeries.
        ben.act(T0.plus_ms(1_000 + i as i64), Action::AddGratitude { id: rid(1_000 + i), text: format!("from Ben {i}"), about: None }).unwrap();
    }
    ana.sync_from(&mut ben).unwrap();
    for i in 0..200u128 {
        assert_eq!(ana.view().gratitude[&rid(100 + i)].text, format!("thank you {i}"));
    }
    assert_eq!(ana.view().gratitude.len(), 400);
    still_whole(&mut ana);
}
