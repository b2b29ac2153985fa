//! Two devices with no direct path between them (no IP socket of their own: relay only)
//! pair, sync what they wrote apart, and stay live, through a real iroh relay on 127.0.0.1
//! (plain HTTP). Nothing here leaves this machine: the relay binds loopback, the endpoints
//! are local-only (no DNS, no mDNS, no port mapping) with that relay as their only relay.

mod common;
use common::*;
use iroh::{Endpoint, RelayUrl, SecretKey};
use iroh_relay::server::{RelayConfig, Server, ServerConfig};
use mend_core::{DeviceId, PartnerId};
use mend_sync::peers::{Link, Peers};
use mend_sync::wire::PairRequest;
use mend_sync::{Event, Hub, NetConfig, NetMode, Role, SharedSpace};
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// A relay on 127.0.0.1, plain HTTP, no QUIC address discovery: the smallest real relay.
async fn relay() -> (Server, RelayUrl) {
    let mut config = ServerConfig::default();
    config.relay = Some(RelayConfig::new((Ipv4Addr::LOCALHOST, 0)));
    let server = Server::spawn(config).await.expect("the relay starts");
    let addr = server.http_addr().expect("the relay serves HTTP");
    assert!(addr.ip().is_loopback(), "the test relay listens on loopback only: {addr}");
    (server, format!("http://{addr}").parse().expect("a relay URL"))
}

fn relay_only(url: &RelayUrl) -> NetConfig {
    NetConfig { mode: NetMode::LocalOnly, bind: None, relay: Some(url.clone()), relay_only: true }
}

async fn endpoint(key: SecretKey, net: &NetConfig) -> Endpoint {
    let alpns = vec![mend_sync::SYNC_ALPN.to_vec(), mend_sync::PAIR_ALPN.to_vec()];
    mend_sync::net::bind(key, net, alpns, None).await.expect("bind")
}

struct Device {
    space: Arc<Mutex<Mem>>,
    hub: Arc<Hub<Mem>>,
    ep: Endpoint,
    events: mpsc::UnboundedReceiver<Event>,
}

async fn device(seed: u8, partner: u128, name: &str, net: &NetConfig) -> Device {
    let key = SecretKey::from_bytes(&[seed; 32]);
    let space = Arc::new(Mutex::new(Mem::new(actor(partner, &key), name)));
    let (tx, events) = mpsc::unbounded_channel();
    let hub = Hub::new(space.clone(), tx);
    let ep = endpoint(key, net).await;
    Device { space, hub, ep, events }
}

impl Device {
    fn notes(&self) -> usize {
        self.space.lock().unwrap().doc.view().gratitude.len()
    }

    fn peer_info(&self, peer: &DeviceId) -> mend_sync::peers::PeerInfo {
        Peers::from_blob(self.space.lock().unwrap().load_blob(mend_sync::peers::BLOB)).peers.remove(peer.as_str()).unwrap_or_default()
    }

    /// The link of the first connection this device reported.
    async fn connected_link(&mut self) -> Link {
        loop {
            match tokio::time::timeout(Duration::from_secs(20), self.events.recv()).await {
                Ok(Some(Event::Connected { link, .. })) => return link,
                Ok(Some(_)) => continue,
                other => panic!("no connection reported: {other:?}"),
            }
        }
    }
}

/// Ben's side of pairing with Ana's invitation, as `pair join` does it: present the
/// secret, trust the inviter, remember where the invitation says she is.
async fn join(ben: &Device, ticket: &mend_sync::Ticket) {
    let ben_partner = ben.space.lock().unwrap().partner();
    let req = PairRequest {
        secret: hex::encode(ticket.secret),
        role: Role::Partner,
        device_name: "Ben's laptop".into(),
        partner: Some(ben_partner.to_string()),
    };
    let accept = tokio::time::timeout(Duration::from_secs(30), mend_sync::request_pairing(&ben.ep, ticket, req))
        .await
        .expect("pairing answers in time")
        .expect("Ana accepts");
    let ana_dev = DeviceId::from_public_key(ticket.addr.id.as_bytes());
    ben.space.lock().unwrap().trust(&ana_dev, &PartnerId::from_key(&accept.inviter_partner), &accept.inviter_device_name).unwrap();
    ben.hub.remember_endpoint_addr(&ana_dev, &ticket.addr);
}

async fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) {
    let done = tokio::time::timeout(Duration::from_secs(secs), async {
        while !f() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(done.is_ok(), "{what} within {secs} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_with_no_direct_path_pair_sync_and_stay_live_through_a_relay() {
    let (_relay, url) = relay().await;
    let net = relay_only(&url);
    let mut ana = device(21, 1, "Ana", &net).await;
    let mut ben = device(22, 2, "Ben", &net).await;
    // No direct path can exist: neither device has a socket of its own.
    assert!(ana.ep.bound_sockets().is_empty() && ben.ep.bound_sockets().is_empty(), "relay-only endpoints bind no IP socket");

    // Ana invites; the invitation says where she is: her relay, and no IP address.
    let _router = ana.hub.router(ana.ep.clone());
    let ticket = ana.hub.invite(&ana.ep, Role::Partner, 60).expect("an invitation");
    assert_eq!(ticket.addr.relay_urls().collect::<Vec<_>>(), vec![&url], "the invitation names Ana's relay");
    assert_eq!(ticket.addr.ip_addrs().count(), 0, "the invitation reveals no IP address");
    let ticket = mend_sync::Ticket::parse(&ticket.to_text(), mend_sync::now_secs()).expect("the text round-trips");

    // Both write while apart.
    for i in 0..3 {
        ana.space.lock().unwrap().note(100 + i, &format!("from Ana, offline {i}"));
        ben.space.lock().unwrap().note(200 + i, &format!("from Ben, offline {i}"));
    }

    // Ben joins with the invitation alone: it is his only way to reach Ana.
    join(&ben, &ticket).await;
    let ana_dev = ana.space.lock().unwrap().device();
    let ben_dev = ben.space.lock().unwrap().device();
    assert_eq!(ben.peer_info(&ana_dev).relay.as_ref(), Some(&url), "Ben remembers Ana's relay from the invitation");

    // Ben dials live; the offline work crosses both ways.
    let _ben_router = ben.hub.router(ben.ep.clone());
    let dialer = {
        let (h, e, d) = (ben.hub.clone(), ben.ep.clone(), ana_dev.clone());
        tokio::spawn(async move { h.dial(&e, &d, true).await })
    };
    assert_eq!(ben.connected_link().await, Link::Relay, "Ben's side says the link is relayed");
    assert_eq!(ana.connected_link().await, Link::Relay, "Ana's side says the link is relayed");
    wait_for("both hold all six notes", 20, || ana.notes() == 6 && ben.notes() == 6).await;

    // Live: a change written after connecting arrives on the same link.
    ana.space.lock().unwrap().note(300, "written while connected");
    ana.hub.notify_change();
    wait_for("Ana's live note reaches Ben", 10, || ben.notes() == 7).await;
    ben.space.lock().unwrap().note(301, "and an answer");
    ben.hub.notify_change();
    wait_for("Ben's live note reaches Ana", 10, || ana.notes() == 8).await;
    assert!(!dialer.is_finished(), "the session is still live");

    // What `mend devices` shows comes from here: relayed, through this relay.
    for (who, d, peer) in [("Ben", &ben, &ana_dev), ("Ana", &ana, &ben_dev)] {
        let info = d.peer_info(peer);
        assert_eq!(info.link, Some(Link::Relay), "{who}'s record of the link");
        assert_eq!(info.relay.as_ref(), Some(&url), "{who} remembers the relay the peer was reached through");
        assert!(info.addrs.is_empty(), "{who} learned no IP address of the peer: {:?}", info.addrs);
        // Nor from what the peer told of itself: a relay-only device has no IP address to tell.
        assert!(info.heard.as_ref().is_none_or(|h| h.addrs.is_empty()), "{who} heard no IP address of the peer: {:?}", info.heard);
    }
    dialer.abort();
    ana.ep.close().await;
    ben.ep.close().await;
}

/// The invitation carries the inviter's relay: Ben, relay-only on a relay of his own,
/// reaches Ana only through hers, which he learns from the invitation alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitation_carries_the_inviters_relay_to_a_device_on_another() {
    let (_relay_a, url_a) = relay().await;
    let (_relay_b, url_b) = relay().await;
    let ana = device(41, 1, "Ana", &relay_only(&url_a)).await;
    let mut ben = device(42, 2, "Ben", &relay_only(&url_b)).await;
    let _router = ana.hub.router(ana.ep.clone());
    let ticket = ana.hub.invite(&ana.ep, Role::Partner, 60).expect("an invitation");
    assert_eq!(ticket.addr.relay_urls().collect::<Vec<_>>(), vec![&url_a]);
    ana.space.lock().unwrap().note(500, "across two relays");
    join(&ben, &ticket).await;
    let ana_dev = ana.space.lock().unwrap().device();
    let outcomes = ben.hub.sync_once(&ben.ep, Duration::from_secs(20)).await;
    assert!(outcomes.iter().all(|(_, _, r)| r.is_ok()), "{outcomes:?}");
    assert_eq!(ben.notes(), 1, "Ana's note reached Ben");
    assert_eq!(ben.connected_link().await, Link::Relay);
    assert_eq!(ben.peer_info(&ana_dev).relay.as_ref(), Some(&url_a), "Ben reached Ana through her relay, not his");
    ana.ep.close().await;
    ben.ep.close().await;
}

/// With a socket each on 127.0.0.1 as well as the relay, a link that starts on the relay
/// (Ben knows only Ana's relay) turns direct once iroh opens the direct path, and the
/// status follows: an event, and the address book that `mend devices` reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_link_turns_direct_once_a_direct_path_opens() {
    let (_relay, url) = relay().await;
    let net = NetConfig { mode: NetMode::LocalOnly, bind: None, relay: Some(url.clone()), relay_only: false };
    let mut ana = device(31, 1, "Ana", &net).await;
    let mut ben = device(32, 2, "Ben", &net).await;
    assert!(!ana.ep.bound_sockets().is_empty() && !ben.ep.bound_sockets().is_empty(), "both have a socket on loopback");
    let (ana_dev, ana_partner) = {
        let s = ana.space.lock().unwrap();
        (s.device(), s.partner())
    };
    let (ben_dev, ben_partner) = {
        let s = ben.space.lock().unwrap();
        (s.device(), s.partner())
    };
    ana.space.lock().unwrap().trust(&ben_dev, &ben_partner, "Ben's laptop").unwrap();
    ben.space.lock().unwrap().trust(&ana_dev, &ana_partner, "Ana's laptop").unwrap();
    ben.hub.remember_endpoint_addr(&ana_dev, &iroh::EndpointAddr::new(ana.ep.id()).with_relay_url(url.clone()));
    let _router = ana.hub.router(ana.ep.clone());
    let dialer = {
        let (h, e, d) = (ben.hub.clone(), ben.ep.clone(), ana_dev.clone());
        tokio::spawn(async move { h.dial(&e, &d, true).await })
    };
    assert_eq!(ben.connected_link().await, Link::Relay, "the first path is the only one Ben knows: the relay");
    let _ = ana.connected_link().await;
    let turned = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            match ben.events.recv().await {
                Some(Event::LinkChanged { link: Link::Direct, .. }) => return,
                Some(_) => continue,
                None => panic!("Ben's hub went away"),
            }
        }
    })
    .await;
    if turned.is_err() {
        eprintln!("BEN: {:#?}", ben.ep.remote_info(ana.ep.id()).await);
        eprintln!("ANA: {:#?}", ana.ep.remote_info(ben.ep.id()).await);
        eprintln!("ANA ADDR: {:?}", ana.ep.addr());
    }
    assert!(turned.is_ok(), "the link turned direct within 20 s");
    let info = ben.peer_info(&ana_dev);
    assert_eq!(info.link, Some(Link::Direct));
    assert!(info.addrs.iter().all(|a| a.ip().is_loopback()) && !info.addrs.is_empty(), "Ben learned Ana's loopback address: {:?}", info.addrs);
    ana.space.lock().unwrap().note(400, "on the direct path");
    ana.hub.notify_change();
    wait_for("the note crosses on the direct path", 10, || ben.notes() == 1).await;
    dialer.abort();
    ana.ep.close().await;
    ben.ep.close().await;
}

/// Relay-only with no relay at all could reach nobody: refused before binding, in words.
#[tokio::test]
async fn relay_only_without_a_relay_is_refused() {
    let net = NetConfig { mode: NetMode::LocalOnly, bind: None, relay: None, relay_only: true };
    let err = mend_sync::net::bind(SecretKey::from_bytes(&[23; 32]), &net, vec![], None).await.expect_err("refused");
    assert!(err.to_string().contains("relay-only needs a relay"), "{err}");
}
