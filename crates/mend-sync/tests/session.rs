//! The sync session on a deterministic in-memory network: no sockets, no timing, just the
//! protocol between two real documents.

mod common;
use common::*;
use mend_sync::session::Session;
use mend_sync::wire::Msg;

/// Delivers messages alternately until neither side has anything to say. Returns the bytes
/// that crossed.
fn pump(a: &mut Mem, b: &mut Mem) -> usize {
    pump_with(a, b, None, None).0
}

/// Like `pump`, starting from saved sync states; returns the bytes and the states after.
fn pump_with(a: &mut Mem, b: &mut Mem, state_a: Option<&[u8]>, state_b: Option<&[u8]>) -> (usize, Vec<u8>, Vec<u8>) {
    let (mut sa, mut sb) = (Session::new(state_a), Session::new(state_b));
    let mut to_b = vec![Session::hello(1)];
    let mut to_a = vec![Session::hello(1)];
    let mut bytes = 0;
    for _ in 0..1000 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        for m in std::mem::take(&mut to_b) {
            bytes += m.encode().len();
            to_a.extend(sb.handle(b, m).unwrap().replies);
        }
        for m in std::mem::take(&mut to_a) {
            bytes += m.encode().len();
            to_b.extend(sa.handle(a, m).unwrap().replies);
        }
    }
    assert!(sa.in_step(a) && sb.in_step(b), "both sides report in step");
    (bytes, sa.state_bytes(), sb.state_bytes())
}

fn couple() -> (Mem, Mem) {
    let ka = iroh::SecretKey::from_bytes(&[1; 32]);
    let kb = iroh::SecretKey::from_bytes(&[2; 32]);
    (Mem::new(actor(1, &ka), "Ana"), Mem::new(actor(2, &kb), "Ben"))
}

#[test]
fn thousands_of_offline_changes_on_each_side_converge() {
    let (mut a, mut b) = couple();
    for i in 0..3000 {
        a.note(10_000 + i, &format!("from ana {i}"));
        b.note(20_000 + i, &format!("from ben {i}"));
    }
    let (bytes, sa, sb) = pump_with(&mut a, &mut b, None, None);
    assert_eq!(a.doc.view(), b.doc.view());
    assert_eq!(a.doc.view().gratitude.len(), 6000);
    assert!(bytes > 0);
    // Meeting again with the saved per-peer state costs only the handshake and heads...
    let (again, _, _) = pump_with(&mut a, &mut b, Some(&sa), Some(&sb));
    assert!(again < 1_000, "a reconnect with saved state is small: {again} bytes");
    // ...while a fresh state sends a filter of the whole history: why the state is saved.
    let fresh = pump(&mut a, &mut b);
    assert!(fresh > 5 * again, "fresh {fresh} bytes vs saved {again} bytes");
}

#[test]
fn a_newer_or_older_peer_is_told_to_update() {
    let (mut a, _b) = couple();
    let mut s = Session::new(None);
    let newer = Msg::Hello(mend_sync::wire::Hello { protocol: 1, schema: 99, app: "future".into(), features: vec![] });
    let e = s.handle(&mut a, newer).unwrap_err().to_string();
    assert!(e.contains("newer Mend") && e.contains("update Mend on this device"), "{e}");
    let other_protocol = Msg::Hello(mend_sync::wire::Hello { protocol: 7, schema: 1, app: "x".into(), features: vec![] });
    assert!(s.handle(&mut a, other_protocol).unwrap_err().to_string().contains("protocol 7"));
}

#[test]
fn malformed_sync_bytes_are_refused_and_change_nothing() {
    let (mut a, _b) = couple();
    let before = a.doc.heads();
    let mut s = Session::new(None);
    assert!(s.handle(&mut a, Msg::Sync(vec![1, 2, 3])).is_err(), "sync before hello is out of order");
    s.handle(&mut a, Session::hello(1)).unwrap();
    let e = s.handle(&mut a, Msg::Sync(vec![0x42; 64])).unwrap_err();
    assert!(e.to_string().contains("does not understand"), "{e}");
    assert_eq!(a.doc.heads(), before);
}

/// A peer whose changes write the document root is refused at the message that carries
/// them: the session ends with [`SessionError::Refused`], nothing of it is applied, and the
/// words each side is told are true from that side.
#[test]
fn changes_that_rewrite_the_root_end_the_session_before_any_is_applied() {
    use automerge::transaction::Transactable as _;
    use mend_sync::session::{SessionError, refused_note, refused_reply};
    let (mut a, mut b) = couple();
    pump(&mut a, &mut b);
    b.note(30_000, "rides along with the bad change");
    b.doc.doc_mut().put(automerge::ROOT, "schema_version", 5u64).unwrap();
    b.doc.doc_mut().commit();
    let heads = a.doc.heads();
    let (mut sa, mut sb) = (Session::new(None), Session::new(None));
    let mut to_a = vec![Session::hello(1)];
    let mut to_b = vec![Session::hello(1)];
    let mut refused = None;
    'talk: for _ in 0..100 {
        for m in std::mem::take(&mut to_b) {
            to_a.extend(sb.handle(&mut b, m).unwrap().replies);
        }
        for m in std::mem::take(&mut to_a) {
            match sa.handle(&mut a, m) {
                Ok(h) => to_b.extend(h.replies),
                Err(SessionError::Refused(r)) => {
                    refused = Some(r);
                    break 'talk;
                }
                Err(e) => panic!("not a refusal: {e}"),
            }
        }
    }
    let r = refused.expect("the change was refused");
    assert_eq!(r, mend_core::Refusal::NewerMend { found: 5, supported: 1 });
    assert_eq!(a.doc.heads(), heads, "nothing of the message was applied");
    assert_eq!(a.doc.view().gratitude.len(), 0);
    let note = refused_note("Ben's laptop", &r);
    assert!(note.starts_with("Ben's laptop sent changes made by a newer Mend (schema 5; this Mend reads up to 1): update Mend here"), "{note}");
    assert!(note.contains("Nothing it sent was kept"), "{note}");
    let reply = refused_reply("Ana's laptop", &r);
    assert!(reply.contains("Ana's laptop reads Mend spaces up to schema 1, so it could not accept what this device sent (schema 5)"), "{reply}");
    let unreadable = refused_reply("Ana's laptop", &mend_core::Refusal::Unreadable("a record deleted".into()));
    assert_eq!(unreadable, "Ana's laptop could not accept what this device sent and kept none of it: changes Mend cannot read (a record deleted)");
}
