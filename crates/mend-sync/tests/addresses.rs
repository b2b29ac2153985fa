//! Devices telling each other where the space's devices are, on the in-memory network: the
//! IO-free session between two real documents, and the address book it fills.

mod common;
use common::*;
use mend_core::DeviceId;
use mend_sync::peers::{self, Heard, PeerInfo, Peers};
use mend_sync::session::Session;
use mend_sync::wire::{DeviceAddrs, Hello, Known, Msg};
use mend_sync::{SharedSpace, SpaceError};
use std::net::SocketAddr;

/// "Now" for these tests, in milliseconds since the epoch.
const NOW: i64 = 1_800_000_000_000;

fn dev(k: &iroh::SecretKey) -> DeviceId {
    DeviceId::from_public_key(k.public().as_bytes())
}

fn at(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn book(space: &Mem) -> Peers {
    Peers::from_blob(space.load_blob(peers::BLOB))
}

fn set_book(space: &mut Mem, p: &Peers) {
    space.save_blob(peers::BLOB, &p.to_blob()).unwrap();
}

/// What a space says about itself and its address book, as the node does.
fn offer(space: &Mem, own: &str, to: &DeviceId) -> Known {
    let me = DeviceAddrs { device: space.device(), addrs: vec![at(own)], relay: None, seen: Some(NOW) };
    peers::offer_of(space, me, to)
}

/// Both sides of one session, messages delivered alternately until both are quiet, with
/// `extra_to_a` delivered to Ana after the hellos. Each side keeps what it learned in its
/// address book. Returns the notes each side logged (Ana's, Ben's).
fn talk(a: &mut Mem, mut sa: Session, b: &mut Mem, mut sb: Session, extra_to_a: Vec<Msg>) -> Result<(Vec<String>, Vec<String>), SpaceError> {
    let (da, db) = (a.device(), b.device());
    let mut to_a = vec![Session::hello(1)];
    to_a.extend(extra_to_a);
    let mut to_b = vec![Session::hello(1)];
    let (mut notes_a, mut notes_b) = (vec![], vec![]);
    for _ in 0..1000 {
        if to_a.is_empty() && to_b.is_empty() {
            break;
        }
        for m in std::mem::take(&mut to_a) {
            let h = sa.handle(a, m).unwrap();
            peers::keep_heard(a, &db, &h.learned, NOW)?;
            notes_a.extend(h.note);
            to_b.extend(h.replies);
        }
        for m in std::mem::take(&mut to_b) {
            let h = sb.handle(b, m).unwrap();
            peers::keep_heard(b, &da, &h.learned, NOW)?;
            notes_b.extend(h.note);
            to_a.extend(h.replies);
        }
    }
    assert!(sa.in_step(a) && sb.in_step(b), "both sides report in step");
    Ok((notes_a, notes_b))
}

struct Space {
    ana: Mem,
    ben: Mem,
    home: DeviceId,
    stranger: DeviceId,
}

/// Ana's laptop has paired her home device (it reached it at 127.0.0.1:4001 at NOW - 60 s)
/// and then Ben, who so far knows only Ana's laptop: the state after `mend pair join`
/// accepted, before the first sync.
fn space() -> Space {
    let (ka, kb, kh, ks) = (
        iroh::SecretKey::from_bytes(&[1; 32]),
        iroh::SecretKey::from_bytes(&[2; 32]),
        iroh::SecretKey::from_bytes(&[3; 32]),
        iroh::SecretKey::from_bytes(&[4; 32]),
    );
    let mut ana = Mem::new(actor(1, &ka), "Ana");
    let mut ben = Mem::new(actor(2, &kb), "Ben");
    ana.trust(&dev(&kh), &ana.partner(), "Ana's home").unwrap();
    ana.trust(&dev(&kb), &ben.partner(), "Ben's laptop").unwrap();
    ben.trust(&dev(&ka), &ana.partner(), "Ana's laptop").unwrap();
    let mut p = Peers::default();
    p.peers.insert(dev(&kh).to_string(), PeerInfo { addrs: vec![at("127.0.0.1:4001")], seen: Some(NOW - 60_000), ..PeerInfo::default() });
    p.peers.insert(dev(&kb).to_string(), PeerInfo { addrs: vec![at("127.0.0.1:4002")], seen: Some(NOW - 1_000), ..PeerInfo::default() });
    set_book(&mut ana, &p);
    let mut q = Peers::default();
    q.peers.insert(dev(&ka).to_string(), PeerInfo { addrs: vec![at("127.0.0.1:4000")], seen: Some(NOW - 1_000), ..PeerInfo::default() });
    set_book(&mut ben, &q);
    Space { ana, ben, home: dev(&kh), stranger: dev(&ks) }
}

#[test]
fn a_joining_partner_learns_where_the_inviters_other_devices_are_and_nothing_else() {
    let Space { mut ana, mut ben, home, stranger } = space();
    let (da, db) = (ana.device(), ben.device());
    assert!(!ben.is_trusted(&home), "before the sync Ben's device has not heard of Ana's home device");
    // What Ana's laptop says: itself, her home device, nothing about Ben (he is the one told).
    let told = offer(&ana, "127.0.0.1:4000", &db);
    let named: Vec<&DeviceId> = told.devices.iter().map(|d| &d.device).collect();
    assert_eq!(named, vec![&da, &home]);
    // A changed Mend might also name a device nobody trusts: it is not taken in.
    let mut told = told;
    told.devices.push(DeviceAddrs { device: stranger.clone(), addrs: vec![at("127.0.0.1:6666")], relay: None, seen: Some(NOW) });
    let sa = Session::new(None).offering(told);
    let sb = Session::new(None).offering(offer(&ben, "127.0.0.1:4002", &da));
    talk(&mut ana, sa, &mut ben, sb, vec![]).unwrap();
    assert_eq!(ana.doc.view(), ben.doc.view());

    let got = book(&ben);
    // The home device arrived in Ben's document with the same sync as the list: its
    // address was kept once the document said Ben's device may sync with it.
    assert!(ben.is_trusted(&home));
    let h = &got.peers[home.as_str()];
    assert!(h.addrs.is_empty(), "hearsay is not taken for an address seen working: {h:?}");
    assert_eq!(h.heard, Some(Heard { addrs: vec![at("127.0.0.1:4001")], relay: None, seen: Some(NOW - 60_000), from: da.to_string() }));
    // Ana's laptop said where it is; Ben's device had reached it there itself (first-hand,
    // fresher), so nothing of it is hearsay.
    assert_eq!(got.peers[da.as_str()].addrs, vec![at("127.0.0.1:4000")]);
    assert_eq!(got.peers[da.as_str()].heard, None);
    // Never a device nobody trusts, in the book or in the space.
    assert!(!got.peers.contains_key(stranger.as_str()));
    assert!(!ben.is_trusted(&stranger));
    assert_eq!(ben.doc.view().devices.len(), 3);
    // And Ana's book learned nothing new about Ben: it had seen him itself, later.
    assert_eq!(book(&ana).peers[db.as_str()].heard, None);
}

#[test]
fn hearsay_never_replaces_what_a_device_saw_itself_and_fresher_hearsay_wins() {
    let home = DeviceId::from_key("h");
    let (ana, ben) = (DeviceId::from_key("a"), DeviceId::from_key("b"));
    let mut p = Peers::default();
    p.peers.insert(home.to_string(), PeerInfo { addrs: vec![at("127.0.0.1:4001")], seen: Some(NOW - 10_000), ..PeerInfo::default() });
    let said = |port: u16, seen: Option<i64>| DeviceAddrs { device: home.clone(), addrs: vec![at(&format!("127.0.0.1:{port}"))], relay: None, seen };
    // Older than what this device saw itself: dropped.
    assert_eq!(p.hear(&ana, &[said(5000, Some(NOW - 20_000))], NOW), 0);
    assert_eq!(p.hear(&ana, &[said(5000, None)], NOW), 0);
    // Fresher: kept beside it, never over it.
    assert_eq!(p.hear(&ana, &[said(5001, Some(NOW - 5_000))], NOW), 1);
    // Older than earlier hearsay: dropped; fresher: replaces it.
    assert_eq!(p.hear(&ben, &[said(5002, Some(NOW - 6_000))], NOW), 0);
    assert_eq!(p.hear(&ben, &[said(5003, Some(NOW - 1_000))], NOW), 1);
    // A time in the future counts as now, so it cannot outlast later news.
    assert_eq!(p.hear(&ana, &[said(5004, Some(i64::MAX))], NOW), 1);
    let info = &p.peers[home.as_str()];
    assert_eq!(info.addrs, vec![at("127.0.0.1:4001")]);
    assert_eq!(info.heard, Some(Heard { addrs: vec![at("127.0.0.1:5004")], relay: None, seen: Some(NOW), from: ana.to_string() }));
    assert_eq!(p.hear(&ben, &[said(5005, Some(NOW))], NOW + 1), 1, "news as fresh replaces it");
    // Addresses nobody can dial are not kept; nor is an entry left with none.
    let useless =
        DeviceAddrs { device: home.clone(), addrs: vec![at("0.0.0.0:1"), at("127.0.0.1:0"), at("127.0.0.1:4001")], relay: None, seen: Some(NOW + 1) };
    assert_eq!(p.hear(&ana, &[useless], NOW + 1), 0);
    // What this device then tells others: what it saw itself, with when.
    let told = p.offer(DeviceAddrs { device: ben.clone(), addrs: vec![], relay: None, seen: Some(NOW) }, &ana, &[home.clone(), ana.clone()]);
    assert_eq!(told.devices[1], DeviceAddrs { device: home, addrs: vec![at("127.0.0.1:4001")], relay: None, seen: Some(NOW - 10_000) });
    assert_eq!(told.devices.len(), 2, "nothing about the device told, nor about one with no address");
}

#[test]
fn a_megabyte_of_addresses_is_refused_calmly_and_the_sync_goes_on() {
    let Space { mut ana, mut ben, .. } = space();
    ben.note(7, "written while apart");
    let before = book(&ana);
    // Ben's device, changed, sends a list of a megabyte after its hello, then a stream of
    // small ones.
    let mut extra = vec![Msg::Addresses(vec![b' '; 1 << 20])];
    extra.extend((0..20).map(|_| Msg::Addresses(Known { devices: vec![] }.to_bytes())));
    let (notes_a, _) = talk(&mut ana, Session::new(None), &mut ben, Session::new(None), extra).unwrap();
    assert_eq!(notes_a.len(), 2, "{notes_a:?}");
    assert!(
        notes_a[0].contains("a list of addresses of 1048576 bytes, over the limit of 65536") && notes_a[0].contains("went on syncing"),
        "{notes_a:?}"
    );
    assert!(notes_a[1].contains("more than 8 lists of addresses in one session"), "said once: {notes_a:?}");
    assert_eq!(book(&ana), before, "nothing of it was kept");
    assert_eq!(ana.doc.view(), ben.doc.view(), "the sync went on and nothing was lost");
    assert_eq!(ana.doc.view().gratitude.len(), 1);
}

#[test]
fn an_older_mend_without_the_feature_is_never_sent_a_list() {
    let Space { mut ana, .. } = space();
    let mut s = Session::new(None).offering(offer(&ana, "127.0.0.1:4000", &DeviceId::from_key("old")));
    let old = Msg::Hello(Hello { protocol: 1, schema: 1, app: "mend 0.1.0".into(), features: vec![] });
    let h = s.handle(&mut ana, old).unwrap();
    assert!(h.replies.iter().all(|m| !matches!(m, Msg::Addresses(_))), "{:?}", h.replies);
    // One that lists it gets the list, after the sync's own first message.
    let mut s = Session::new(None).offering(offer(&ana, "127.0.0.1:4000", &DeviceId::from_key("new")));
    let h = s.handle(&mut ana, Session::hello(1)).unwrap();
    assert!(matches!(h.replies.last(), Some(Msg::Addresses(_))), "{:?}", h.replies);
    // A list before the hello is out of order, as a sync message would be.
    let mut s = Session::new(None);
    assert!(s.handle(&mut ana, Msg::Addresses(Known::default().to_bytes())).is_err());
}

/// A live session tells the peer again when where the devices are changes, and only then.
#[test]
fn a_live_session_sends_a_new_list_only_when_it_says_something_new() {
    let Space { mut ana, ben, home, .. } = space();
    let db = ben.device();
    let mut s = Session::new(None).offering(offer(&ana, "127.0.0.1:4000", &db));
    let first = s.handle(&mut ana, Session::hello(1)).unwrap().replies;
    assert!(matches!(first.last(), Some(Msg::Addresses(_))));
    // Later, the same places (only the times moved on): nothing to send.
    assert!(s.update_offer(offer(&ana, "127.0.0.1:4000", &db)).is_none());
    // Ana's laptop reached her home device somewhere new: Ben's device is told.
    let mut p = book(&ana);
    p.peers.get_mut(home.as_str()).unwrap().addrs.insert(0, at("127.0.0.1:4101"));
    set_book(&mut ana, &p);
    let Some(Msg::Addresses(b)) = s.update_offer(offer(&ana, "127.0.0.1:4000", &db)) else { panic!("a new list") };
    let told = Known::parse(&b).unwrap();
    assert_eq!(told.devices.iter().find(|d| d.device == home).unwrap().addrs, vec![at("127.0.0.1:4101"), at("127.0.0.1:4001")]);
    // What Ben's device said is not told back to it.
    let ben_said = DeviceAddrs { device: home.clone(), addrs: vec![at("127.0.0.1:4200")], relay: None, seen: Some(NOW) };
    let mut p = Peers::default();
    p.peers.insert(home.to_string(), PeerInfo::default());
    p.hear(&db, &[ben_said], NOW);
    let back = p.offer(DeviceAddrs { device: ana.device(), addrs: vec![], relay: None, seen: Some(NOW) }, &db, &[home.clone(), db.clone()]);
    assert_eq!(back.devices.len(), 1, "{back:?}");
    // A peer that does not read lists is never sent one, however things change.
    let mut old = Session::new(None);
    old.handle(&mut ana, Msg::Hello(Hello { protocol: 1, schema: 1, app: "mend 0.1.0".into(), features: vec![] })).unwrap();
    assert!(old.update_offer(offer(&ana, "127.0.0.1:4000", &db)).is_none());
}
