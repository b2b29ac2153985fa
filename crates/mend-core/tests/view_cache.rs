//! The view cache's encoding, and a cached view given back to its document.

mod common;
use common::*;
use mend_core::*;

fn busy_couple() -> (Replica, Replica) {
    let (mut a, mut b) = couple();
    let now = T0.plus_ms(Timestamp::HOUR);
    let p = a
        .act(now, Action::MakePromise { id: rid(10), text: "call at six".into(), due: Some(now), repeat: Repeat::Daily, from_repair: None })
        .unwrap();
    assert_eq!(p.created, Some(rid(10)));
    a.act(now, Action::KeepPromise { id: rid(10) }).unwrap();
    a.act(now, Action::ProposeAgreement { id: rid(20), revision: rid(21), category: Category::Phones, text: "no phones at dinner".into() }).unwrap();
    a.act(now, Action::AddGratitude { id: rid(30), text: "thank you".into(), about: Some(rid(10)) }).unwrap();
    b.merge_from(&mut a);
    b.act(now, Action::AcceptAgreement { id: rid(20) }).unwrap();
    b.act(now, Action::AcknowledgePromise { id: rid(10) }).unwrap();
    b.act(
        now,
        Action::AddCheckIn { id: rid(40), kind: CheckInKind::Weekly, prompt: Some("how".into()), connection: 4, trust: 3, heard: 5, note: None },
    )
    .unwrap();
    a.merge_from(&mut b);
    (a, b)
}

#[test]
fn the_cache_encoding_round_trips_every_field() {
    let (a, _) = busy_couple();
    let v = a.view().clone();
    assert!(v.record_count() >= 4);
    assert_eq!(View::from_cache(&v.to_cache()), Some(v.clone()));

    // Occurrence keys are not serialized with the records; one that its due time does not
    // give (a foreign document's) must still come back.
    let mut odd = v.clone();
    let p = odd.promises.values_mut().next().unwrap();
    p.occurrences[0].key = "someone-elses-key".into();
    let back = View::from_cache(&odd.to_cache()).unwrap();
    assert_eq!(back.promises.values().next().unwrap().occurrences[0].key, "someone-elses-key");
    assert_eq!(back, odd);

    // Name conflicts, which JSON leaves out when empty, are kept either way.
    let mut named = v;
    named.partners.values_mut().next().unwrap().name_conflicts = vec!["Anna".into()];
    assert_eq!(View::from_cache(&named.to_cache()), Some(named));
}

#[test]
fn damaged_cache_bytes_never_decode_into_a_view() {
    let (a, _) = busy_couple();
    let bytes = a.view().to_cache();
    assert_eq!(View::from_cache(&[]), None);
    for cut in 0..bytes.len() {
        assert_eq!(View::from_cache(&bytes[..cut]), None, "a cache cut at {cut} decoded");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(View::from_cache(&longer), None, "trailing bytes are refused");
}

#[test]
fn a_cached_view_of_the_same_state_is_used_as_is() {
    let (mut a, _) = busy_couple();
    let heads = a.doc.heads();
    let mut view = std::sync::Arc::new(a.view().clone());
    let doc = automerge::AutoCommit::load(&a.doc.doc_mut().save()).unwrap();
    let (shared, fit) = SharedDoc::with_view(doc, &mut view, &heads).unwrap();
    assert_eq!(fit, ViewFit::Same);
    assert_eq!(shared.view(), a.view());
}

#[test]
fn a_cached_view_of_an_older_state_catches_up_with_the_newer_changes() {
    let (mut a, mut b) = busy_couple();
    let old_heads = a.doc.heads();
    let mut old_view = std::sync::Arc::new(a.view().clone());
    let later = T0.plus_ms(2 * Timestamp::HOUR);
    a.act(later, Action::KeepPromise { id: rid(10) }).unwrap();
    a.act(later, Action::AddGratitude { id: rid(31), text: "for the walk".into(), about: None }).unwrap();
    b.act(later, Action::UpdateProfile { name: Some("Benjamin".into()), love_languages: None, needs: None }).unwrap();
    a.merge_from(&mut b);
    let doc = automerge::AutoCommit::load(&a.doc.doc_mut().save()).unwrap();
    let (shared, fit) = SharedDoc::with_view(doc, &mut old_view, &old_heads).unwrap();
    assert!(matches!(fit, ViewFit::CaughtUp { records } if records >= 2), "{fit:?}");
    assert_eq!(shared.view(), &a.fresh_view());
    assert_eq!(shared.view().gratitude.len(), 2);
}

#[test]
fn a_cached_view_from_another_history_is_rebuilt_not_shown() {
    let (mut a, _) = busy_couple();
    // A view and heads of a different space altogether.
    let mut stranger = Replica::new(actor(7, 7), "Zoe");
    let mut wrong_view = std::sync::Arc::new(stranger.view().clone());
    let wrong_heads = stranger.doc.heads();
    let doc = automerge::AutoCommit::load(&a.doc.doc_mut().save()).unwrap();
    let (shared, fit) = SharedDoc::with_view(doc, &mut wrong_view, &wrong_heads).unwrap();
    assert_eq!(fit, ViewFit::Rebuilt);
    assert_eq!(shared.view(), a.view());

    // No heads at all: rebuilt too.
    let mut v = std::sync::Arc::new(a.view().clone());
    let doc = automerge::AutoCommit::load(&a.doc.doc_mut().save()).unwrap();
    assert_eq!(SharedDoc::with_view(doc, &mut v, &[]).unwrap().1, ViewFit::Rebuilt);
}

#[test]
fn a_refused_document_leaves_the_cached_view_in_place() {
    let (a, _) = busy_couple();
    let mut v = std::sync::Arc::new(a.view().clone());
    let not_a_space = automerge::AutoCommit::new();
    assert!(SharedDoc::with_view(not_a_space, &mut v, &[]).is_err());
    assert_eq!(&*v, a.view());
}
