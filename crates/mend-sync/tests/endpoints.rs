//! Real iroh endpoints on 127.0.0.1 (local-only: relays off, no discovery, no port mapping).

mod common;
use common::*;
use iroh::endpoint::VarInt;
use iroh::{Endpoint, EndpointAddr, SecretKey, TransportAddr};
use mend_core::DeviceId;
use mend_sync::wire::Msg;
use mend_sync::{Event, Hub};
use mend_sync::{NetConfig, SharedSpace, frame};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

async fn endpoint(key: SecretKey) -> Endpoint {
    let alpns = vec![mend_sync::SYNC_ALPN.to_vec(), mend_sync::PAIR_ALPN.to_vec()];
    mend_sync::net::bind(key, &NetConfig::local_only(None), alpns, None).await.unwrap()
}

fn addr_of(ep: &Endpoint) -> EndpointAddr {
    EndpointAddr::from_parts(ep.id(), ep.bound_sockets().into_iter().map(TransportAddr::Ip))
}

struct Server {
    space: Arc<Mutex<Mem>>,
    ep: Endpoint,
    events: mpsc::UnboundedReceiver<Event>,
    hub: Arc<Hub<Mem>>,
    _router: iroh::protocol::Router,
}

async fn server(trust: &[&SecretKey]) -> Server {
    let key = SecretKey::from_bytes(&[9; 32]);
    let mut mem = Mem::new(actor(1, &key), "Ana");
    mem.note(1, "a private thought between us");
    // The peers are the other partner's devices (partner 2), as a partner's pairing adds them.
    for (i, k) in trust.iter().enumerate() {
        mem.trust(&DeviceId::from_public_key(k.public().as_bytes()), &actor(2, k).partner, &format!("device {i}")).unwrap();
    }
    let space = Arc::new(Mutex::new(mem));
    let (tx, events) = mpsc::unbounded_channel();
    let hub = Hub::new(space.clone(), tx);
    let ep = endpoint(key).await;
    let _router = hub.router(ep.clone());
    Server { space, ep, events, hub, _router }
}

/// Connects as a raw peer and returns everything the server sent before closing.
async fn raw_session(server: &Server, key: SecretKey, send_bytes: Vec<u8>) -> (Vec<u8>, Option<String>) {
    let ep = endpoint(key).await;
    let conn = ep.connect(addr_of(&server.ep), mend_sync::SYNC_ALPN).await.unwrap();
    // A refusal can close the connection before our stream opens: that counts as nothing received.
    let got = match conn.open_bi().await {
        Ok((mut send, mut recv)) => {
            let _ = send.write_all(&send_bytes).await;
            let _ = send.finish();
            tokio::time::timeout(Duration::from_secs(10), recv.read_to_end(1 << 20)).await.ok().and_then(|r| r.ok()).unwrap_or_default()
        }
        Err(_) => vec![],
    };
    let reason = tokio::time::timeout(Duration::from_secs(5), conn.closed()).await.ok().map(|e| e.to_string());
    ep.close().await;
    (got, reason)
}

fn frames(bytes: &[u8]) -> Vec<Msg> {
    let mut d = frame::Decoder::default();
    d.push(bytes);
    let mut out = vec![];
    while let Ok(Some((t, p))) = d.next_frame() {
        out.push(Msg::decode(t, p).unwrap());
    }
    out
}

#[tokio::test]
async fn a_stranger_is_refused_before_a_single_byte_of_the_document() {
    let mut s = server(&[]).await;
    let stranger = SecretKey::from_bytes(&[5; 32]);
    let (got, reason) = raw_session(&s, stranger, Session::hello_bytes()).await;
    assert!(got.is_empty(), "nothing was sent to the stranger, not even a hello: {got:?}");
    assert!(reason.unwrap_or_default().contains("not a trusted device"));
    let ev = tokio::time::timeout(Duration::from_secs(5), s.events.recv()).await.unwrap().unwrap();
    assert!(matches!(ev, Event::Refused { .. }), "{ev:?}");
}

struct Session;
impl Session {
    fn hello_bytes() -> Vec<u8> {
        mend_sync::session::Session::hello(1).encode()
    }
}

#[tokio::test]
async fn a_protocol_version_mismatch_is_reported_to_the_peer() {
    let peer = SecretKey::from_bytes(&[6; 32]);
    let s = server(&[&peer]).await;
    let hello = Msg::Hello(mend_sync::wire::Hello { protocol: 2, schema: 1, app: "mend 9".into(), features: vec![] }).encode();
    let (got, _) = raw_session(&s, peer, hello).await;
    let msgs = frames(&got);
    assert!(msgs.iter().any(|m| matches!(m, Msg::Error(e) if e.contains("different versions of Mend"))), "{msgs:?}");
}

#[tokio::test]
async fn garbage_and_oversized_frames_disconnect_and_leave_the_document_untouched() {
    let peer = SecretKey::from_bytes(&[7; 32]);
    let s = server(&[&peer]).await;
    let before = s.space.lock().unwrap().heads();
    let mut garbage = Session::hello_bytes();
    garbage.extend(frame::encode(2, &[0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5]));
    let (got, _) = raw_session(&s, peer.clone(), garbage).await;
    assert!(frames(&got).iter().any(|m| matches!(m, Msg::Error(e) if e.contains("could not understand"))));
    let mut oversized = Session::hello_bytes();
    oversized.extend_from_slice(&((frame::MAX_FRAME + 1) as u32).to_be_bytes());
    oversized.extend_from_slice(&[0; 64]);
    let (got, _) = raw_session(&s, peer.clone(), oversized).await;
    assert!(frames(&got).iter().any(|m| matches!(m, Msg::Error(e) if e.contains("could not understand"))), "{:?}", frames(&got));
    let mut unknown = Session::hello_bytes();
    unknown.extend(frame::encode(200, b"?"));
    let (got, _) = raw_session(&s, peer, unknown).await;
    assert!(frames(&got).iter().any(|m| matches!(m, Msg::Error(_))));
    assert_eq!(s.space.lock().unwrap().heads(), before, "nothing the peer sent was kept");
}

/// A trusted device that sends a megabyte of "addresses" is neither believed nor cut off:
/// the list is ignored, the session goes on (the server sends its document and its own list,
/// no Error) and ends as the peer ends it, and nothing of it reaches the address book.
#[tokio::test]
async fn a_megabyte_of_addresses_is_ignored_and_the_session_goes_on() {
    let peer = SecretKey::from_bytes(&[10; 32]);
    let mut s = server(&[&peer]).await;
    let mut bytes = Session::hello_bytes();
    bytes.extend(Msg::Addresses(vec![b' '; 1 << 20]).encode());
    let (got, _) = raw_session(&s, peer, bytes).await;
    let msgs = frames(&got);
    assert!(!msgs.iter().any(|m| matches!(m, Msg::Error(_))), "{msgs:?}");
    assert!(msgs.iter().any(|m| matches!(m, Msg::Sync(_))), "the server went on syncing: {msgs:?}");
    assert!(msgs.iter().any(|m| matches!(m, Msg::Addresses(_))), "and told its own list: {msgs:?}");
    let why = loop {
        match tokio::time::timeout(Duration::from_secs(10), s.events.recv()).await.unwrap().unwrap() {
            Event::Disconnected { why, .. } => break why,
            _ => continue,
        }
    };
    assert_eq!(why, "closed", "the session ended as the peer ended it");
    let book = mend_sync::peers::Peers::from_blob(s.space.lock().unwrap().load_blob(mend_sync::peers::BLOB));
    assert!(book.peers.values().all(|p| p.heard.is_none()), "{book:?}");
}

/// CI saw "Ben's laptop sent something Mend does not understand (the stream broke
/// (connection lost))" when a partner's `pair invite` simply quit: a peer that goes away
/// sent nothing wrong, and must not be reported as if it had.
#[tokio::test]
async fn a_peer_that_goes_away_is_not_said_to_send_something_wrong() {
    let peer = SecretKey::from_bytes(&[8; 32]);
    let mut s = server(&[&peer]).await;
    let ep = endpoint(peer).await;
    let conn = ep.connect(addr_of(&s.ep), mend_sync::SYNC_ALPN).await.unwrap();
    let (mut send, mut recv) = conn.open_bi().await.unwrap();
    send.write_all(&Session::hello_bytes()).await.unwrap();
    // Half a frame, then the connection goes: the server is mid-read when it breaks.
    send.write_all(&[0, 0, 0, 9, 2]).await.unwrap();
    let mut first = [0u8; 1];
    recv.read_exact(&mut first).await.unwrap();
    conn.close(VarInt::from_u32(0), b"bye");
    ep.close().await;
    let why = loop {
        match tokio::time::timeout(Duration::from_secs(10), s.events.recv()).await.unwrap().unwrap() {
            Event::Disconnected { why, .. } => break why,
            _ => continue,
        }
    };
    assert!(!why.contains("does not understand"), "{why}");
    assert!(why.contains("connection"), "{why}");
}

#[tokio::test]
async fn two_hubs_sync_live_and_leaving_cuts_the_other_off_at_once() {
    let kb = SecretKey::from_bytes(&[8; 32]);
    let mut s = server(&[&kb]).await;
    // Ben's side trusts Ana's device too.
    let mut ben = Mem::new(actor(2, &kb), "Ben");
    let ana_dev = s.space.lock().unwrap().device();
    let ana_partner = s.space.lock().unwrap().partner();
    ben.trust(&ana_dev, &ana_partner, "Ana's device").unwrap();
    let ben = Arc::new(Mutex::new(ben));
    let (tx, mut bev) = mpsc::unbounded_channel();
    let bhub = Hub::new(ben.clone(), tx);
    let bep = endpoint(kb).await;
    bhub.remember_addrs(&ana_dev, s.ep.bound_sockets());
    let dialer = {
        let (h, e, d) = (bhub.clone(), bep.clone(), ana_dev.clone());
        tokio::spawn(async move { h.dial(&e, &d, true).await })
    };
    // In step: Ben has Ana's note.
    let synced = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            if ben.lock().unwrap().doc.view().gratitude.len() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(synced.is_ok(), "the note arrived");
    // A live change travels without a new connection.
    s.space.lock().unwrap().note(2, "live");
    s.hub.notify_change();
    let live = tokio::time::timeout(Duration::from_secs(5), async {
        while ben.lock().unwrap().doc.view().gratitude.len() < 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(live.is_ok(), "the live change arrived");
    // Ana leaves the space (one partner never removes the other's devices): the connection
    // drops at once.
    s.space.lock().unwrap().act(mend_core::Action::LeaveSpace);
    s.hub.drop_revoked();
    let ended = tokio::time::timeout(Duration::from_secs(5), dialer).await;
    assert!(ended.is_ok(), "Ben's session ended");
    let mut saw = false;
    while let Ok(e) = bev.try_recv() {
        saw |= matches!(e, Event::InStep { .. });
    }
    assert!(saw);
    while let Ok(e) = s.events.try_recv() {
        let _ = e;
    }
    let _ = VarInt::from_u32(0);
}

/// Two hubs in a live session: when Ana's device adds another device of hers and knows where
/// it is, Ben's device learns both in the same open session, without reconnecting.
#[tokio::test]
async fn a_live_session_passes_on_where_a_new_device_is() {
    let kb = SecretKey::from_bytes(&[11; 32]);
    let s = server(&[&kb]).await;
    let mut ben = Mem::new(actor(2, &kb), "Ben");
    let ana_dev = s.space.lock().unwrap().device();
    let ana_partner = s.space.lock().unwrap().partner();
    ben.trust(&ana_dev, &ana_partner, "Ana's device").unwrap();
    let ben = Arc::new(Mutex::new(ben));
    let (tx, _bev) = mpsc::unbounded_channel();
    let bhub = Hub::new(ben.clone(), tx);
    let bep = endpoint(kb).await;
    bhub.remember_addrs(&ana_dev, s.ep.bound_sockets());
    let dialer = {
        let (h, e, d) = (bhub.clone(), bep.clone(), ana_dev.clone());
        tokio::spawn(async move { h.dial(&e, &d, true).await })
    };
    let in_step = tokio::time::timeout(Duration::from_secs(10), async {
        while ben.lock().unwrap().doc.view().gratitude.is_empty() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(in_step.is_ok(), "the first sync finished");
    // Ana's device pairs her home device, which it reached at 127.0.0.1:4999.
    let home = DeviceId::from_public_key(SecretKey::from_bytes(&[12; 32]).public().as_bytes());
    s.space.lock().unwrap().trust(&home, &ana_partner, "Ana's home").unwrap();
    s.hub.remember_addrs(&home, ["127.0.0.1:4999".parse().unwrap()]);
    s.hub.notify_change();
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let book = mend_sync::peers::Peers::from_blob(ben.lock().unwrap().load_blob(mend_sync::peers::BLOB));
            if let Some(h) = book.peers.get(home.as_str()).and_then(|p| p.heard.clone()) {
                break h;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("Ben's device learned where the home device is");
    assert_eq!(heard.addrs, vec!["127.0.0.1:4999".parse().unwrap()]);
    assert_eq!(heard.from, ana_dev.to_string());
    assert!(ben.lock().unwrap().is_trusted(&home), "from the same session's sync");
    assert!(!dialer.is_finished(), "the same live session");
    dialer.abort();
    bep.close().await;
}
