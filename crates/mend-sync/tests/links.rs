//! Bad links: real Mend sync (real Automerge documents, real hubs, real iroh endpoints)
//! through a UDP proxy on loopback that loses, delays and cuts packets (`lossy`), since
//! this kernel has no `netem`. Nothing leaves this machine: the endpoints are local-only
//! (relays off, no discovery, no port mapping) and bound to loopback.
//!
//! The only way between the two devices is the proxy. Ana's endpoint listens on IPv6
//! loopback and Ben's on IPv4 loopback, so neither can reach the address the other
//! announces inside QUIC (iroh opens direct paths to announced addresses by itself, which
//! on one machine would go around the proxy); Ben knows Ana only as the proxy's address.
//!
//! `MEND_LOSSY_CHANGES=N` changes the number of offline changes per side of the catch-up
//! test (default 10,000, as the issue asks).

mod common;
mod lossy;
use common::*;
use iroh::{Endpoint, SecretKey};
use lossy::{Faults, Proxy};
use mend_core::{DeviceId, RecordId};
use mend_sync::peers::{Link, Peers};
use mend_sync::{Event, Hub, NetConfig, SharedSpace};
use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

struct Device {
    space: Arc<Mutex<Mem>>,
    hub: Arc<Hub<Mem>>,
    ep: Endpoint,
    events: mpsc::UnboundedReceiver<Event>,
    dev: DeviceId,
}

async fn device(seed: u8, partner: u128, name: &str, at: SocketAddr) -> Device {
    let key = SecretKey::from_bytes(&[seed; 32]);
    let space = Arc::new(Mutex::new(Mem::new(actor(partner, &key), name)));
    let (tx, events) = mpsc::unbounded_channel();
    let hub = Hub::new(space.clone(), tx);
    let alpns = vec![mend_sync::SYNC_ALPN.to_vec(), mend_sync::PAIR_ALPN.to_vec()];
    let ep = mend_sync::net::bind(key, &NetConfig::local_only(Some(at)), alpns, None).await.expect("bind on loopback");
    assert!(ep.bound_sockets().iter().all(|a| a.ip().is_loopback()), "bound to loopback only: {:?}", ep.bound_sockets());
    let dev = space.lock().unwrap().device();
    Device { space, hub, ep, events, dev }
}

/// Ana and Ben, trusting each other as after pairing. Behind a proxy, Ana listens on IPv6
/// loopback, out of reach of Ben's IPv4 endpoint but through the proxy.
async fn couple(seed: u8, behind_proxy: bool) -> (Device, Device) {
    let ana_ip: std::net::IpAddr = if behind_proxy { Ipv6Addr::LOCALHOST.into() } else { Ipv4Addr::LOCALHOST.into() };
    let ana = device(seed, 1, "Ana", (ana_ip, 0).into()).await;
    let ben = device(seed + 1, 2, "Ben", (Ipv4Addr::LOCALHOST, 0).into()).await;
    let (ana_partner, ben_partner) = (ana.space.lock().unwrap().partner(), ben.space.lock().unwrap().partner());
    ana.space.lock().unwrap().trust(&ben.dev, &ben_partner, "Ben's laptop").unwrap();
    ben.space.lock().unwrap().trust(&ana.dev, &ana_partner, "Ana's laptop").unwrap();
    (ana, ben)
}

const ANA_IDS: u128 = 1_000_000;
const BEN_IDS: u128 = 2_000_000;

fn note_text(id: u128) -> String {
    format!("note {id}: thank you for today")
}

impl Device {
    fn write(&self, ids: std::ops::Range<u128>) {
        let mut s = self.space.lock().unwrap();
        for id in ids {
            s.note(id, &note_text(id));
        }
    }

    fn notes(&self) -> usize {
        self.space.lock().unwrap().doc.view().gratitude.len()
    }

    /// Every note's id, each checked against its text: a note that arrived garbled or
    /// under another id would not count.
    fn note_ids(&self) -> BTreeSet<RecordId> {
        let s = self.space.lock().unwrap();
        let view = s.doc.view();
        for (id, g) in &view.gratitude {
            assert_eq!(&g.id, id);
        }
        view.gratitude.keys().cloned().collect()
    }

    fn peer_info(&self, peer: &DeviceId) -> mend_sync::peers::PeerInfo {
        Peers::from_blob(self.space.lock().unwrap().load_blob(mend_sync::peers::BLOB)).peers.remove(peer.as_str()).unwrap_or_default()
    }

    fn drain(&mut self) -> Vec<Event> {
        let mut out = vec![];
        while let Ok(e) = self.events.try_recv() {
            out.push(e);
        }
        out
    }

    /// Keeps this device online (answering, and dialing with backoff) until dropped.
    fn serve(&self) -> tokio::task::JoinHandle<()> {
        let (h, e) = (self.hub.clone(), self.ep.clone());
        tokio::spawn(async move { h.serve(e, std::future::pending()).await })
    }
}

fn expected_ids(ranges: &[std::ops::Range<u128>]) -> BTreeSet<RecordId> {
    ranges.iter().flat_map(|r| r.clone()).map(|i| RecordId::from_uuid(uuid::Uuid::from_u128(i))).collect()
}

async fn wait_for(what: &str, secs: u64, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    let done = tokio::time::timeout(Duration::from_secs(secs), async {
        while !f() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(done.is_ok(), "{what} within {secs} s");
    start.elapsed()
}

/// Both hold exactly the notes both wrote: the same ids, each once, nothing else.
fn assert_identical(ana: &Device, ben: &Device, expected: &BTreeSet<RecordId>) {
    let (a, b) = (ana.note_ids(), ben.note_ids());
    assert_eq!(a.len(), expected.len(), "Ana's count");
    assert_eq!(b.len(), expected.len(), "Ben's count");
    assert!(a == *expected, "Ana holds exactly the notes both wrote");
    assert!(b == *expected, "Ben holds exactly the notes both wrote");
    let (mut sa, mut sb) = (ana.space.lock().unwrap(), ben.space.lock().unwrap());
    assert_eq!(sa.heads(), sb.heads(), "both documents have the same heads");
    let (va, vb) = (sa.doc.view(), sb.doc.view());
    assert!(va.gratitude == vb.gratitude, "both views are identical, texts and authors included");
    for (id, g) in &va.gratitude {
        assert!(expected.contains(id) && g.text.starts_with("note "), "{g:?}");
    }
}

/// `n` offline notes per side, then Ben dials Ana (directly, or through a proxy with these
/// faults and RNG seed); returns how long until both views hold all 2n, and the proxy's
/// counts.
async fn catch_up(seed: u8, n: u128, proxy_faults: Option<(Faults, u64)>) -> (Duration, Option<String>) {
    let (ana, ben) = couple(seed, proxy_faults.is_some()).await;
    let t = Instant::now();
    ana.write(ANA_IDS..ANA_IDS + n);
    ben.write(BEN_IDS..BEN_IDS + n);
    eprintln!("seeded {n} offline notes per side in {:.1} s", t.elapsed().as_secs_f64());
    let ana_real = ana.ep.bound_sockets()[0];
    let proxy = match proxy_faults {
        Some((f, rng_seed)) => Some(Proxy::start(ana_real, f, rng_seed).await),
        None => None,
    };
    let ana_at = proxy.as_ref().map_or(ana_real, |p| p.addr());
    ben.hub.remember_addrs(&ana.dev, [ana_at]);
    let _router = ana.hub.router(ana.ep.clone());
    let serving = ben.serve();
    let total = 2 * n as usize;
    let took = wait_for("both hold every note", 600, || ana.notes() == total && ben.notes() == total).await;
    assert_identical(&ana, &ben, &expected_ids(&[ANA_IDS..ANA_IDS + n, BEN_IDS..BEN_IDS + n]));
    let info = ben.peer_info(&ana.dev);
    assert_eq!(info.addrs, vec![ana_at], "Ben reached Ana only at the address he was given");
    assert_eq!(info.link, Some(Link::Direct));
    serving.abort();
    ana.ep.close().await;
    ben.ep.close().await;
    (took, proxy.map(|p| p.stats().summary()))
}

fn changes_per_side() -> u128 {
    std::env::var("MEND_LOSSY_CHANGES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000)
}

/// 10,000 offline notes per side (MEND_LOSSY_CHANGES) converge through a link that loses
/// 10% of packets and adds 50 ms each way, both views identical, nothing lost or doubled;
/// against the same catch-up on a clean direct link in the same run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_offline_changes_per_side_converge_at_ten_percent_loss_and_fifty_ms() {
    let n = changes_per_side();
    let (clean, _) = catch_up(51, n, None).await;
    // The proxy with no faults: what the proxy itself costs, apart from loss and delay.
    let (proxied, _) = catch_up(55, n, Some((Faults::default(), 7))).await;
    let faults = Faults::lossy(0.10, Duration::from_millis(50));
    let (lossy, stats) = catch_up(53, n, Some((faults, 7))).await;
    let stats = stats.unwrap_or_default();
    let secs = |d: Duration| d.as_secs_f64();
    eprintln!(
        "catch-up of {n} offline notes per side: clean direct {:.2} s; through the proxy, no faults {:.2} s ({:.2}x); at 10% loss + 50 ms each way {:.2} s ({:.2}x clean direct; {stats})",
        secs(clean),
        secs(proxied),
        secs(proxied) / secs(clean),
        secs(lossy),
        secs(lossy) / secs(clean)
    );
}

/// A link that shuffles and repeats: jitter, packets held back so that later ones
/// overtake them, duplicates, and some loss. QUIC puts the stream back in order and drops
/// what it saw twice; the documents end identical, each note once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_that_reorders_and_duplicates_loses_and_doubles_nothing() {
    let faults = Faults {
        loss: 0.02,
        delay: Duration::from_millis(10),
        jitter: Duration::from_millis(20),
        reorder: 0.10,
        reorder_by: Duration::from_millis(30),
        duplicate: 0.10,
    };
    let (took, stats) = catch_up(57, 3_000, Some((faults, 3))).await;
    let stats = stats.unwrap_or_default();
    eprintln!("catch-up of 3000 notes per side through jitter, reordering and duplicates: {:.2} s ({stats})", took.as_secs_f64());
    assert!(!stats.contains(" 0 duplicated") && !stats.contains(" 0 held back"), "the link did shuffle and repeat: {stats}");
}

/// The proxy itself, on plain UDP sockets: it loses about the share asked, delays by at
/// least what was asked, duplicates, lets packets overtake, and a partition drops all until
/// it heals by itself. Seeded: the same seed gives the same decisions.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_loses_delays_reorders_duplicates_and_partitions_as_asked() {
    use tokio::net::UdpSocket;
    let target = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    lossy::roomy_receive_buffer(&target);
    let client = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.unwrap();
    let faults = Faults {
        loss: 0.2,
        delay: Duration::from_millis(30),
        jitter: Duration::from_millis(5),
        reorder: 0.2,
        reorder_by: Duration::from_millis(20),
        duplicate: 0.1,
    };
    let proxy = Proxy::start(target.local_addr().unwrap(), faults, 42).await;
    let client = Arc::new(client);
    let sent_at = Instant::now();
    // Sent while the target reads (a full receive buffer would lose packets that the
    // proxy did not drop), paced for the same reason.
    let sender = tokio::spawn({
        let (client, to) = (client.clone(), proxy.addr());
        async move {
            for i in 0..1000u32 {
                client.send_to(&i.to_be_bytes(), to).await.unwrap();
                if i % 20 == 19 {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    });
    let mut got = vec![];
    let mut buf = [0u8; 16];
    let mut first_after = None;
    let mut seen_from = None;
    while let Ok(Ok((n, from))) = tokio::time::timeout(Duration::from_millis(300), target.recv_from(&mut buf)).await {
        first_after.get_or_insert(sent_at.elapsed());
        seen_from = Some(from);
        assert_eq!(n, 4);
        got.push(u32::from_be_bytes(buf[..4].try_into().unwrap()));
    }
    sender.await.unwrap();
    let unique: BTreeSet<u32> = got.iter().copied().collect();
    let lost = 1000 - unique.len();
    let doubled = got.len() - unique.len();
    let overtaken = got.windows(2).filter(|w| w[1] < w[0]).count();
    eprintln!("1000 sent: {lost} lost, {doubled} doubled, {overtaken} overtaken; first after {first_after:?}; {}", proxy.stats().summary());
    assert!((120..=280).contains(&lost), "about 20% lost: {lost}");
    let g = |a: &std::sync::atomic::AtomicU64| a.load(std::sync::atomic::Ordering::Relaxed) as usize;
    assert_eq!((lost, doubled), (g(&proxy.stats().lost), g(&proxy.stats().duplicated)), "what was lost and doubled is what the proxy decided");
    assert!((40..=160).contains(&doubled), "about 10% of what passed doubled: {doubled}");
    assert!(overtaken > 50, "packets overtook each other: {overtaken}");
    assert!(first_after.is_some_and(|d| d >= Duration::from_millis(30)), "nothing arrives before the delay: {first_after:?}");
    // The target answers the address it saw; the answer reaches the client (retried, as
    // the link still loses a fifth).
    let answered = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            target.send_to(b"ok", seen_from.unwrap()).await.unwrap();
            if let Ok(Ok((n, from))) = tokio::time::timeout(Duration::from_millis(200), client.recv_from(&mut buf)).await {
                return (n, from);
            }
        }
    })
    .await;
    assert!(answered.is_ok_and(|(n, from)| n == 2 && from == proxy.addr()), "the target's answers reach the client, from the proxy's address");

    // A partition drops everything, then heals by itself.
    proxy.set_faults(Faults::default());
    proxy.partition(Duration::from_millis(500));
    client.send_to(b"cut", proxy.addr()).await.unwrap();
    assert!(tokio::time::timeout(Duration::from_millis(300), target.recv_from(&mut buf)).await.is_err(), "nothing crosses a partition");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!proxy.is_cut(), "the partition heals by itself");
    client.send_to(b"healed", proxy.addr()).await.unwrap();
    let (n, _) = tokio::time::timeout(Duration::from_secs(1), target.recv_from(&mut buf)).await.expect("through again").unwrap();
    assert_eq!(&buf[..n], b"healed");
}

/// A 30-second partition in the middle of a sync: both devices keep writing, the link
/// heals by itself (the dialer's backoff finds Ana again), and both end with exactly the
/// same notes. Meanwhile the status tells the truth: during the partition neither side
/// says the other is connected, Ben's record of Ana carries the last error, and after it
/// both are connected again and the error is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thirty_second_partition_mid_sync_heals_by_itself_and_the_status_tells_the_truth() {
    const N: u128 = 2_000;
    const LIVE: u128 = 5;
    const CUT: Duration = Duration::from_secs(30);
    let (mut ana, mut ben) = couple(61, true).await;
    ana.write(ANA_IDS..ANA_IDS + N);
    ben.write(BEN_IDS..BEN_IDS + N);
    let proxy = Proxy::start(ana.ep.bound_sockets()[0], Faults::lossy(0.0, Duration::from_millis(50)), 11).await;
    ben.hub.remember_addrs(&ana.dev, [proxy.addr()]);
    let _ana_serving = ana.serve();
    let _ben_serving = ben.serve();

    // Mid-sync: Ben is connected, and not everything has crossed yet.
    let connected = tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            if let Some(Event::Connected { .. }) = ben.events.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(connected.is_ok(), "Ben connects through the proxy");
    // Cut while the notes are on the wire: the handshake and hellos take about a dozen
    // packets; the notes of both, about two hundred.
    let total = 2 * N as usize;
    let on_the_wire = || proxy.stats().received.load(std::sync::atomic::Ordering::Relaxed);
    wait_for("the sync is under way", 20, || on_the_wire() >= 40).await;
    let cut_at = Instant::now();
    let carried = on_the_wire();
    proxy.partition(CUT);
    let (had_a, had_b) = (ana.notes(), ben.notes());
    assert!(had_a < total || had_b < total, "the partition comes mid-sync: Ana {had_a}, Ben {had_b}");
    ana.drain();
    ben.drain();

    // Both write while apart.
    ana.write(ANA_IDS + N..ANA_IDS + N + LIVE);
    ana.hub.notify_change();
    ben.write(BEN_IDS + N..BEN_IDS + N + LIVE);
    ben.hub.notify_change();

    // During the partition: neither says the other is connected (once the connection has
    // timed out), and Ben's record of Ana says what went wrong.
    let left = || 29 - cut_at.elapsed().as_secs().min(28);
    wait_for("Ben no longer says Ana is connected", left(), || !ben.hub.is_live(&ana.dev)).await;
    let ben_down = cut_at.elapsed();
    wait_for("Ana no longer says Ben is connected", left(), || !ana.hub.is_live(&ben.dev)).await;
    let ana_down = cut_at.elapsed();
    wait_for("Ben's record of Ana carries the error", left(), || ben.peer_info(&ana.dev).last_error.is_some()).await;
    assert!(proxy.is_cut(), "all this happened during the partition");
    let ben_events = ben.drain();
    let ana_events = ana.drain();
    assert!(ben_events.iter().any(|e| matches!(e, Event::Disconnected { .. } | Event::Unreachable { .. })), "Ben was told: {ben_events:?}");
    assert!(ana_events.iter().any(|e| matches!(e, Event::Disconnected { .. })), "Ana was told: {ana_events:?}");
    let error = ben.peer_info(&ana.dev).last_error.unwrap_or_default();
    eprintln!("cut mid-sync, after {carried} packets: Ana held {had_a} of {total} notes, Ben {had_b}");
    eprintln!(
        "during the partition: Ben saw Ana gone after {:.1} s, Ana saw Ben gone after {:.1} s; Ben's last error: {error}",
        ben_down.as_secs_f64(),
        ana_down.as_secs_f64()
    );
    // Ben's dial attempts through the cut, with when each ended: what the backoff did.
    let mut attempts = vec![];
    while ben.hub.is_live(&ana.dev) || proxy.is_cut() {
        assert!(!ben.hub.is_live(&ana.dev), "no connection through a partition");
        for e in ben.drain() {
            if let Event::Unreachable { why, .. } | Event::Disconnected { why, .. } = e {
                attempts.push(format!("{:.1} s: {why}", cut_at.elapsed().as_secs_f64()));
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    eprintln!("the partition lasted {:.1} s; Ben's attempts that failed meanwhile: {attempts:?}", cut_at.elapsed().as_secs_f64());

    // After: the dialer finds Ana again by itself, and everything crosses.
    let total = 2 * (N + LIVE) as usize;
    let back = wait_for("both hold every note after the partition", 90, || ana.notes() == total && ben.notes() == total).await;
    assert_identical(&ana, &ben, &expected_ids(&[ANA_IDS..ANA_IDS + N + LIVE, BEN_IDS..BEN_IDS + N + LIVE]));
    wait_for("both say connected", 10, || ben.hub.is_live(&ana.dev) && ana.hub.is_live(&ben.dev)).await;
    wait_for("the error is cleared once in step", 10, || ben.peer_info(&ana.dev).last_error.is_none()).await;
    assert!(ben.drain().iter().any(|e| matches!(e, Event::Connected { .. })), "Ben was told he is connected again");
    eprintln!("after the partition healed: in step again after {:.1} s ({})", back.as_secs_f64(), proxy.stats().summary());
    ana.ep.close().await;
    ben.ep.close().await;
}

/// Ana and Ben dial each other at the same moment (as two devices do that start together):
/// both end with one connection, the same one on both sides, with no disconnection or error
/// to tell, and it carries the sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devices_that_dial_each_other_at_once_keep_one_connection() {
    let (mut ana, mut ben) = couple(71, false).await;
    ana.hub.remember_addrs(&ben.dev, ben.ep.bound_sockets());
    ben.hub.remember_addrs(&ana.dev, ana.ep.bound_sockets());
    let (_ra, _rb) = (ana.hub.router(ana.ep.clone()), ben.hub.router(ben.ep.clone()));
    let (ha, ea, db) = (ana.hub.clone(), ana.ep.clone(), ben.dev.clone());
    let (hb, eb, da) = (ben.hub.clone(), ben.ep.clone(), ana.dev.clone());
    let a = tokio::spawn(async move { ha.dial(&ea, &db, true).await });
    let b = tokio::spawn(async move { hb.dial(&eb, &da, true).await });
    wait_for("one dial to be let go", 20, || a.is_finished() || b.is_finished()).await;
    // Given time to open a second one, neither side does.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!((ana.hub.connections_to(&ben.dev), ben.hub.connections_to(&ana.dev)), (1, 1));
    assert!(a.is_finished() != b.is_finished(), "exactly one dial goes on");
    let let_go = if a.is_finished() { a.await.unwrap() } else { b.await.unwrap() };
    assert!(matches!(let_go, Err(mend_sync::SyncError::Superseded { .. })), "{let_go:?}");
    let notes = ANA_IDS + 1..ANA_IDS + 3;
    ana.write(notes.clone());
    ana.hub.notify_change();
    let want = expected_ids(&[notes]);
    wait_for("Ana's note to reach Ben over the one kept", 20, || ben.note_ids() == want).await;
    for (who, events) in [("Ana", ana.drain()), ("Ben", ben.drain())] {
        assert!(events.iter().any(|e| matches!(e, Event::Connected { .. })), "{who}: {events:?}");
        assert!(!events.iter().any(|e| matches!(e, Event::Disconnected { .. } | Event::Unreachable { .. })), "{who}: {events:?}");
    }
    assert_eq!(ana.peer_info(&ben.dev).last_error, None);
    assert_eq!(ben.peer_info(&ana.dev).last_error, None);
}
