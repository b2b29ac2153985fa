//! The rules of each record kind, on real Automerge documents.

mod common;
use common::*;
use mend_core::stats::keep_rate;
use mend_core::*;

fn propose(r: &mut Replica, id: u128, text: &str) -> RecordId {
    r.act(T0, Action::ProposeAgreement { id: rid(id), revision: rid(id + 1000), category: Category::Phones, text: text.into() })
        .unwrap()
        .created
        .unwrap()
}

#[test]
fn agreement_is_agreed_only_when_both_accept_the_current_revision() {
    let (mut a, mut b) = couple();
    let id = propose(&mut a, 10, "No phones at dinner");
    b.merge_from(&mut a);
    let partners = |r: &Replica| r.view().partner_ids().into_iter().cloned().collect::<Vec<_>>();
    let ag = |r: &Replica| r.view().agreements[&id].clone();
    let ps = partners(&b);
    let refs: Vec<&PartnerId> = ps.iter().collect();
    assert_eq!(ag(&b).state(&refs), AgreementState::Proposed);
    assert!(ag(&b).waiting_for(&b.me.partner));
    assert!(!ag(&b).waiting_for(&a.me.partner));

    b.act(T0.plus_ms(1), Action::AcceptAgreement { id: id.clone() }).unwrap();
    assert_eq!(ag(&b).state(&refs), AgreementState::Agreed);
    // Accepting again changes nothing and writes nothing.
    assert_eq!(b.act(T0.plus_ms(2), Action::AcceptAgreement { id: id.clone() }).unwrap().change, None);

    a.merge_from(&mut b);
    a.act(T0.plus_ms(3), Action::ReviseAgreement { id: id.clone(), revision: rid(99), text: "No phones at dinner or in bed".into() }).unwrap();
    let now = ag(&a);
    assert_eq!(now.revisions.len(), 2);
    assert_eq!(now.state(&refs), AgreementState::Proposed, "a new revision clears the agreement");
    assert!(now.waiting_for(&b.me.partner));
    assert_eq!(now.last_agreed(&refs).unwrap().text, "No phones at dinner");
    assert_eq!(
        a.act(T0, Action::ReviseAgreement { id: id.clone(), revision: rid(98), text: " No phones at dinner or in bed ".into() }),
        Err(CoreError::Unchanged)
    );
}

#[test]
fn agreed_agreement_cannot_be_archived_alone_and_proposals_only_by_their_author() {
    let (mut a, mut b) = couple();
    let id = propose(&mut a, 10, "Weekly date night");
    b.merge_from(&mut a);
    assert!(matches!(b.act(T0, Action::ArchiveAgreement { id: id.clone() }), Err(CoreError::NotYours(_))));
    b.act(T0, Action::AcceptAgreement { id: id.clone() }).unwrap();
    a.merge_from(&mut b);
    assert!(matches!(a.act(T0, Action::ArchiveAgreement { id: id.clone() }), Err(CoreError::NotAllowed(_))));
    let id2 = propose(&mut a, 20, "Separate hobbies night");
    a.act(T0, Action::ArchiveAgreement { id: id2.clone() }).unwrap();
    assert!(a.view().agreements[&id2].archived);
    assert_eq!(a.act(T0, Action::AcceptAgreement { id: id2 }), Err(CoreError::Archived));
}

#[test]
fn only_the_promiser_marks_and_only_the_partner_acknowledges() {
    let (mut a, mut b) = couple();
    let due = T0.plus_ms(Timestamp::HOUR);
    let id = a
        .act(T0, Action::MakePromise { id: rid(5), text: "Call at 6 PM".into(), due: Some(due), repeat: Repeat::None, from_repair: None })
        .unwrap()
        .created
        .unwrap();
    b.merge_from(&mut a);
    assert!(matches!(b.act(T0, Action::KeepPromise { id: id.clone() }), Err(CoreError::NotYours(_))));
    assert!(matches!(b.act(T0, Action::AcknowledgePromise { id: id.clone() }), Err(CoreError::NotAllowed(_))), "nothing to acknowledge yet");
    a.act(due, Action::KeepPromise { id: id.clone() }).unwrap();
    assert!(matches!(a.act(due, Action::AcknowledgePromise { id: id.clone() }), Err(CoreError::NotAllowed(_))));
    assert_eq!(a.act(due, Action::KeepPromise { id: id.clone() }), Err(CoreError::PromiseClosed));
    b.merge_from(&mut a);
    b.act(due.plus_ms(5), Action::AcknowledgePromise { id: id.clone() }).unwrap();
    let p = &b.view().promises[&id];
    assert!(!p.open);
    assert_eq!(p.occurrences.len(), 1);
    assert_eq!(p.occurrences[0].outcome, Outcome::Kept);
    assert_eq!(p.occurrences[0].acknowledged_at, Some(due.plus_ms(5)));
}

#[test]
fn repeating_promise_moves_on_and_renegotiation_sets_a_new_time() {
    let (mut a, _b) = couple();
    let due = T0.plus_ms(Timestamp::HOUR);
    assert_eq!(
        a.act(T0, Action::MakePromise { id: rid(6), text: "Walk together".into(), due: None, repeat: Repeat::Daily, from_repair: None }),
        Err(CoreError::RepeatNeedsDue)
    );
    let id = a
        .act(T0, Action::MakePromise { id: rid(6), text: "Walk together".into(), due: Some(due), repeat: Repeat::Daily, from_repair: None })
        .unwrap()
        .created
        .unwrap();
    a.act(due, Action::KeepPromise { id: id.clone() }).unwrap();
    assert_eq!(a.view().promises[&id].next_due, Some(due.plus_ms(Timestamp::DAY)));
    a.act(due, Action::MissPromise { id: id.clone() }).unwrap();
    assert_eq!(a.view().promises[&id].next_due, Some(due.plus_ms(2 * Timestamp::DAY)));
    let later = due.plus_ms(2 * Timestamp::DAY + 3 * Timestamp::HOUR);
    a.act(due, Action::RenegotiatePromise { id: id.clone(), due: later }).unwrap();
    let p = &a.view().promises[&id];
    assert!(p.open, "a missed day never ends a repeating promise");
    assert_eq!(p.next_due, Some(later));
    assert_eq!(p.occurrences.iter().map(|o| o.outcome).collect::<Vec<_>>(), vec![Outcome::Kept, Outcome::Missed, Outcome::Renegotiated]);
    assert_eq!(a.act(due, Action::RenegotiatePromise { id: id.clone(), due: later }), Err(CoreError::SameDue));
}

#[test]
fn keep_rate_counts_a_window_and_never_resets() {
    let (mut a, b) = couple();
    let day = Timestamp::DAY;
    let id = a
        .act(T0, Action::MakePromise { id: rid(7), text: "Text when late".into(), due: Some(T0), repeat: Repeat::Daily, from_repair: None })
        .unwrap()
        .created
        .unwrap();
    // 20 days ago: missed; then kept on 9 of the last 10 days.
    a.act(T0, Action::MissPromise { id: id.clone() }).unwrap();
    for i in 0..10 {
        let act = if i == 4 { Action::MissPromise { id: id.clone() } } else { Action::KeepPromise { id: id.clone() } };
        a.act(T0.plus_ms((11 + i) * day), act).unwrap();
    }
    let now = T0.plus_ms(21 * day);
    let me = a.me.partner.clone();
    let w7 = keep_rate(a.view(), &me, 7, now);
    assert_eq!((w7.kept, w7.missed), (5, 1));
    let w30 = keep_rate(a.view(), &me, 30, now);
    assert_eq!((w30.kept, w30.missed), (9, 2));
    assert!((w30.rate().unwrap() - 9.0 / 11.0).abs() < 1e-9);
    assert_eq!(keep_rate(a.view(), &b.me.partner, 30, now).rate(), None);
}

#[test]
fn repair_is_answered_by_the_other_partner_whenever_ready() {
    let (mut a, mut b) = couple();
    let id = a
        .act(
            T0,
            Action::AddRepair {
                id: rid(8),
                what_happened: "I read your messages".into(),
                what_i_did: "I broke your privacy".into(),
                impact: "You felt watched".into(),
                next_time: "I will ask instead".into(),
            },
        )
        .unwrap()
        .created
        .unwrap();
    assert!(matches!(a.act(T0, Action::RespondRepair { id: id.clone(), response: RepairResponse::Forgiven }), Err(CoreError::NotAllowed(_))));
    b.merge_from(&mut a);
    b.act(T0, Action::RespondRepair { id: id.clone(), response: RepairResponse::NeedTime }).unwrap();
    b.act(T0.plus_ms(Timestamp::DAY), Action::RespondRepair { id: id.clone(), response: RepairResponse::ReadyToTalk }).unwrap();
    let ans = b.view().repairs[&id].answer.clone().unwrap();
    assert_eq!((ans.response, ans.by), (RepairResponse::ReadyToTalk, b.me.partner.clone()));
    // A promise from a repair: only from one's own.
    assert!(matches!(
        b.act(T0, Action::MakePromise { id: rid(9), text: "x".into(), due: None, repeat: Repeat::None, from_repair: Some(id.clone()) }),
        Err(CoreError::NotYours(_))
    ));
    a.act(T0, Action::MakePromise { id: rid(9), text: "Ask before looking".into(), due: None, repeat: Repeat::None, from_repair: Some(id.clone()) })
        .unwrap();
    assert!(matches!(
        a.act(T0, Action::AddRepair { id: rid(10), what_happened: "x".into(), what_i_did: " ".into(), impact: "y".into(), next_time: "z".into() }),
        Err(CoreError::EmptyText { .. })
    ));
}

#[test]
fn pause_is_one_per_partner_and_ends_by_itself() {
    let (mut a, _b) = couple();
    assert_eq!(a.act(T0, Action::EndPause), Err(CoreError::NoActivePause));
    a.act(T0, Action::StartPause { minutes: 30, note: Some("back at 20:30".into()) }).unwrap();
    let p = a.view().pauses[&a.me.partner].clone();
    assert!(p.is_active(T0.plus_ms(29 * Timestamp::MINUTE)));
    assert!(!p.is_active(T0.plus_ms(30 * Timestamp::MINUTE)), "expires by itself");
    a.act(T0, Action::StartPause { minutes: 60, note: None }).unwrap();
    assert_eq!(a.view().pauses.len(), 1, "a new pause replaces the last");
    a.act(T0.plus_ms(1), Action::EndPause).unwrap();
    assert!(a.view().active_pauses(T0.plus_ms(2)).next().is_none());
    assert_eq!(a.act(T0, Action::StartPause { minutes: 0, note: None }), Err(CoreError::PauseLength { minutes: 0 }));
}

#[test]
fn checkins_validate_ratings_and_gratitude_links_must_exist() {
    let (mut a, _b) = couple();
    let bad = a.act(T0, Action::AddCheckIn { id: rid(11), kind: CheckInKind::Daily, prompt: None, connection: 6, trust: 3, heard: 3, note: None });
    assert_eq!(bad, Err(CoreError::RatingOutOfRange { field: "connection", value: 6 }));
    a.act(
        T0,
        Action::AddCheckIn {
            id: rid(11),
            kind: CheckInKind::Weekly,
            prompt: Some("How are you really?".into()),
            connection: 4,
            trust: 2,
            heard: 5,
            note: Some("ok".into()),
        },
    )
    .unwrap();
    assert_eq!(a.view().checkins[&rid(11)].trust, 2);
    assert!(matches!(
        a.act(T0, Action::AddGratitude { id: rid(12), text: "thanks".into(), about: Some(rid(404)) }),
        Err(CoreError::UnknownId { .. })
    ));
    let big = "x".repeat(validate::MAX_TEXT + 1);
    assert!(matches!(a.act(T0, Action::AddGratitude { id: rid(12), text: big, about: None }), Err(CoreError::TextTooLong { .. })));
}

#[test]
fn a_refused_action_writes_nothing() {
    let (mut a, _b) = couple();
    let before = a.doc.heads();
    let _ = a.act(T0, Action::AddGratitude { id: rid(12), text: "   ".into(), about: None });
    let _ = a.act(T0, Action::KeepPromise { id: rid(404) });
    assert_eq!(a.doc.heads(), before);
    assert_eq!(a.view().gratitude.len(), 0);
}

#[test]
fn two_spaces_started_apart_merge_with_nothing_hidden() {
    let mut a = Replica::new(actor(1, 1), "Ana");
    let mut b = Replica::new(actor(2, 2), "Ben");
    a.act(T0, Action::AddGratitude { id: rid(1), text: "from Ana".into(), about: None }).unwrap();
    b.act(T0, Action::AddGratitude { id: rid(2), text: "from Ben".into(), about: None }).unwrap();
    propose(&mut b, 30, "Ben's proposal");
    a.merge_from(&mut b);
    assert_eq!(a.view().gratitude.len(), 2);
    assert_eq!(a.view().partners.len(), 2);
    assert_eq!(a.view().agreements.len(), 1);
    let fresh = a.fresh_view();
    assert_eq!(a.view(), &fresh);
}

#[test]
fn concurrent_name_edits_are_shown_as_conflicts() {
    let (mut a, mut b) = couple();
    // Ana's second device edits her name while her first device does too.
    let mut a2 = Replica { doc: SharedDoc::from_doc(automerge::AutoCommit::load(&a.doc.doc_mut().save()).unwrap()).unwrap(), me: actor(1, 3) };
    a2.doc.set_device(&a2.me.device).unwrap();
    a.act(T0, Action::UpdateProfile { name: Some("Ana M".into()), love_languages: Some(vec![LoveLanguage::Time]), needs: None }).unwrap();
    a2.act(T0, Action::UpdateProfile { name: Some("Anna".into()), love_languages: None, needs: Some("quiet mornings".into()) }).unwrap();
    b.merge_from(&mut a);
    b.merge_from(&mut a2);
    let p = &b.view().partners[&a.me.partner];
    let mut all = vec![p.name.clone()];
    all.extend(p.name_conflicts.clone());
    all.sort();
    assert_eq!(all, vec!["Ana M".to_string(), "Anna".to_string()]);
    assert_eq!(p.love_languages, vec![LoveLanguage::Time]);
    assert_eq!(p.needs, "quiet mornings");
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    use automerge::transaction::Transactable;
    let mut doc = mend_core::schema::genesis();
    doc.put(automerge::ROOT, mend_core::schema::SCHEMA_KEY, 2u64).unwrap();
    doc.commit();
    let heads = doc.get_heads();
    let err = SharedDoc::from_doc(doc.clone()).err().unwrap();
    assert_eq!(err, CoreError::NewerSchema { found: 2, supported: 1 });
    assert!(err.to_string().contains("Update Mend"));
    assert_eq!(doc.get_heads(), heads);
    // Arriving through a merge, it is refused too.
    let mut a = Replica::new(actor(1, 1), "Ana");
    let before = a.doc.heads();
    a.doc.doc_mut().merge(&mut doc).unwrap();
    assert!(matches!(a.doc.absorb(&before), Err(CoreError::NewerSchema { .. })));
}

#[test]
fn history_attributes_every_change_to_a_device() {
    let (mut a, _b) = couple();
    propose(&mut a, 40, "Honesty about money");
    let changes = a.doc.doc_mut().get_changes(&[]);
    let devices: Vec<DeviceId> =
        changes.iter().filter(|c| !schema::is_genesis_actor(c.actor_id())).map(|c| DeviceId::from_actor(c.actor_id())).collect();
    assert!(devices.iter().all(|d| a.view().devices.contains_key(d)));
    let last = changes.iter().max_by_key(|c| c.timestamp()).unwrap();
    assert_eq!(last.message().unwrap(), format!("agreement.propose {}", rid(40)));
}

/// Regression: love languages were serialized by variant name ("time") instead of the word
/// the CLI and the document use ("quality-time").
#[test]
fn enums_serialize_as_their_words() {
    for l in LoveLanguage::ALL {
        assert_eq!(serde_json::to_value(l).unwrap(), serde_json::Value::String(l.as_str().into()));
    }
    for r in RepairResponse::ALL {
        assert_eq!(serde_json::to_value(r).unwrap(), serde_json::Value::String(r.as_str().into()));
    }
    for c in Category::ALL {
        assert_eq!(serde_json::to_value(c).unwrap(), serde_json::Value::String(c.as_str().into()));
    }
}

#[test]
fn each_partner_names_only_their_own_devices() {
    let (mut a, mut b) = couple();
    let (ana_laptop, ben_laptop) = (a.me.device.clone(), b.me.device.clone());
    a.act(T0, Action::RenameDevice { device: ana_laptop.clone(), name: "Ana's phone".into() }).unwrap();
    assert_eq!(a.view().devices[&ana_laptop].name, "Ana's phone");
    assert!(matches!(a.act(T0, Action::RenameDevice { device: ben_laptop.clone(), name: "Ben's toy".into() }), Err(CoreError::NotAllowed(_))));
    assert!(a.act(T0, Action::RenameDevice { device: ana_laptop.clone(), name: "  ".into() }).is_err(), "a blank name");
    b.merge_from(&mut a);
    assert_eq!(b.view().devices[&ana_laptop].name, "Ana's phone", "the partner sees the new name");
    assert_eq!(b.view().devices[&ben_laptop].name, "Ben's laptop");
}
