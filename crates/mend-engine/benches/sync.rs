//! Sync speed on loopback, local-only (nothing leaves the machine):
//!
//! 1. live propagation: a change on A until B's view shows it, both online, against the
//!    QUIC path round-trip time of the same connection;
//! 2. catch-up after N offline changes per side (default 10,000), over iroh, against the
//!    same two documents synced in memory with Automerge's sync protocol;
//! 3. and 4. the same two through a real iroh relay on 127.0.0.1 (plain HTTP), with no
//!    direct path at all (relay-only endpoints), against the direct figures of this run.
//!
//! Run: `cargo bench -p mend-engine --bench sync` (MEND_BENCH_CHANGES=N to change N).

use automerge::sync::SyncDoc as _;
use mend_engine::{Command, Engine};
use mend_sync::Hub;
use mend_sync::{NetConfig, PAIR_ALPN, SYNC_ALPN, tap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

fn lock(e: &Arc<Mutex<Engine>>) -> std::sync::MutexGuard<'_, Engine> {
    e.lock().unwrap_or_else(|p| p.into_inner())
}

/// Two profiles that trust each other, as after pairing.
fn couple(dir: &std::path::Path) -> (Engine, Engine) {
    let mut a = Engine::init(&dir.join("a"), "Ana", "laptop").unwrap();
    let mut b = Engine::init(&dir.join("b"), "Ben", "laptop").unwrap();
    let (ad, ap) = (a.me().device.clone(), a.me().partner.clone());
    let (bd, bp) = (b.me().device.clone(), b.me().partner.clone());
    a.execute(Command::TrustDevice { device: bd, partner: bp, name: "Ben's laptop".into() }).unwrap();
    b.execute(Command::TrustDevice { device: ad, partner: ap, name: "Ana's laptop".into() }).unwrap();
    (a, b)
}

async fn online(e: Engine, net: &NetConfig) -> (Arc<Mutex<Engine>>, Arc<Hub<Engine>>, mend_sync::Endpoint) {
    let key = e.secret_key().expect("a bench profile has its key");
    let e = Arc::new(Mutex::new(e));
    let (tx, _rx) = mpsc::unbounded_channel();
    std::mem::forget(_rx);
    let hub = Hub::new(e.clone(), tx);
    let ep = mend_sync::net::bind(key, net, vec![SYNC_ALPN.to_vec(), PAIR_ALPN.to_vec()], None).await.unwrap();
    (e, hub, ep)
}

/// Tells `hub` where `ep`'s device is: its sockets, or (relay-only) its relay.
fn introduce(hub: &Hub<Engine>, dev: &mend_engine::core::DeviceId, ep: &mend_sync::Endpoint) {
    if ep.bound_sockets().is_empty() {
        hub.remember_endpoint_addr(dev, &ep.addr());
    } else {
        hub.remember_addrs(dev, ep.bound_sockets());
    }
}

/// A relay on 127.0.0.1, plain HTTP: the couple's own, as a test runs it.
async fn relay() -> (iroh_relay::server::Server, NetConfig) {
    let mut config = iroh_relay::server::ServerConfig::default();
    config.relay = Some(iroh_relay::server::RelayConfig::new((std::net::Ipv4Addr::LOCALHOST, 0)));
    let server = iroh_relay::server::Server::spawn(config).await.expect("the relay starts");
    let url = format!("http://{}", server.http_addr().expect("the relay serves HTTP")).parse().expect("a relay URL");
    (server, NetConfig { mode: mend_sync::NetMode::LocalOnly, bind: None, relay: Some(url), relay_only: true })
}

/// Live propagation (n=100) between two online profiles; returns the latencies and, for a
/// direct path, the QUIC round-trip time of a connection between the same endpoints.
async fn live(net: &NetConfig) -> (Vec<Duration>, Option<Duration>) {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = couple(t.path());
    let (ea, ha, pa) = online(a, net).await;
    let (eb, hb, pb) = online(b, net).await;
    let (bdev, adev) = (lock(&eb).me().device.clone(), lock(&ea).me().device.clone());
    introduce(&ha, &bdev, &pb);
    introduce(&hb, &adev, &pa);
    let sa = tokio::spawn({
        let h = ha.clone();
        let p = pa.clone();
        async move { h.serve(p, std::future::pending()).await }
    });
    let sb = tokio::spawn({
        let h = hb.clone();
        let p = pb.clone();
        async move { h.serve(p, std::future::pending()).await }
    });
    while !(ha.is_live(&bdev) || hb.is_live(&adev)) {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut lat = vec![];
    for i in 0..100 {
        let start = Instant::now();
        let id = lock(&ea).execute(Command::AddGratitude { text: format!("live {i}"), about: None }).unwrap().created.unwrap();
        ha.notify_change();
        loop {
            if lock(&eb).view().gratitude.contains_key(&id) {
                break;
            }
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
        lat.push(start.elapsed());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The reference: a QUIC round trip on a connection between the same endpoints, while
    // both still answer.
    let mut rtt = None;
    if !pb.bound_sockets().is_empty() {
        let conn = pa
            .connect(iroh::EndpointAddr::from_parts(pb.id(), pb.bound_sockets().into_iter().map(iroh::TransportAddr::Ip)), SYNC_ALPN)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        rtt = conn.paths().iter().find(|p| p.is_selected()).map(|p| p.rtt());
        conn.close(0u32.into(), b"");
    }
    sa.abort();
    sb.abort();
    (lat, rtt)
}

/// Catch-up of two seeded profiles (copies of `seeded`) over `net`; returns the time and
/// the bytes of frames.
async fn catch_up(seeded: &std::path::Path, n: usize, net: &NetConfig) -> (Duration, f64) {
    let t = tempfile::tempdir().unwrap();
    for who in ["a", "b"] {
        copy_dir(&seeded.join(who), &t.path().join(who));
    }
    let (a, b) = (Engine::open(&t.path().join("a")).unwrap(), Engine::open(&t.path().join("b")).unwrap());
    let (ea, ha, pa) = online(a, net).await;
    let (eb, hb, pb) = online(b, net).await;
    let adev = lock(&ea).me().device.clone();
    introduce(&hb, &adev, &pa);
    let _router = ha.router(pa.clone());
    let (s0, _) = tap::totals();
    let start = Instant::now();
    let res = hb.sync_once(&pb, Duration::from_secs(600)).await;
    let took = start.elapsed();
    let (s1, _) = tap::totals();
    assert!(res.iter().all(|(_, _, r)| r.is_ok()), "{:?}", res.iter().map(|r| r.2.as_ref().err().map(|e| e.to_string())).collect::<Vec<_>>());
    assert_eq!(lock(&ea).view().gratitude.len(), 2 * n);
    assert_eq!(lock(&eb).view().gratitude.len(), 2 * n);
    // Both sides run in this process, so each frame is counted once sent and once received.
    (took, (s1 - s0) as f64)
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if e.file_type().unwrap().is_dir() {
            copy_dir(&src, &dst)
        } else if e.file_type().unwrap().is_file() {
            std::fs::copy(&src, &dst).map(drop).unwrap()
        }
    }
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v[((v.len() - 1) as f64 * p) as usize].as_secs_f64() * 1e3
}

fn main() {
    let n: usize = std::env::var("MEND_BENCH_CHANGES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async move {
        let direct = NetConfig::local_only(None);
        let (_relay, relayed) = relay().await;

        // 1. Live propagation, direct.
        let (mut lat, rtt) = live(&direct).await;
        let rtt = rtt.unwrap_or_default();
        let direct_p50 = pct(&mut lat, 0.5);
        println!(
            "live propagation, change on A until B's view shows it (n=100): p50 {:.2} ms  p90 {:.2} ms  max {:.2} ms; QUIC path RTT {:.3} ms; p50/RTT {:.1}x",
            direct_p50, pct(&mut lat, 0.9), pct(&mut lat, 1.0), rtt.as_secs_f64() * 1e3, direct_p50 / (rtt.as_secs_f64() * 1e3).max(1e-6)
        );
        // 3. Live propagation through the relay, nothing direct.
        let (mut lat, _) = live(&relayed).await;
        let relay_p50 = pct(&mut lat, 0.5);
        println!(
            "live propagation through the relay (relay-only, n=100): p50 {:.2} ms  p90 {:.2} ms  max {:.2} ms; p50 relayed/direct {:.2}x",
            relay_p50, pct(&mut lat, 0.9), pct(&mut lat, 1.0), relay_p50 / direct_p50.max(1e-6)
        );

        // 2. Catch-up after N offline changes per side.
        let t = tempfile::tempdir().unwrap();
        let (mut a, mut b) = couple(t.path());
        let seed = Instant::now();
        for (e, who) in [(&mut a, "ana"), (&mut b, "ben")] {
            let cmds: Vec<Command> = (0..n).map(|i| Command::AddGratitude { text: format!("offline {who} {i}: thank you for today"), about: None }).collect();
            // One change per save, as people make them.
            for c in cmds {
                e.execute(c).unwrap();
            }
        }
        drop((a, b));
        println!("seeded {n} offline changes per side in {:.1} s", seed.elapsed().as_secs_f64());
        // Reference: the same two documents, in memory, Automerge's sync protocol alone.
        let (mut ma, mut mb) = (doc_of(&t.path().join("a")), doc_of(&t.path().join("b")));
        let (mut s1, mut s2) = (automerge::sync::State::new(), automerge::sync::State::new());
        let start = Instant::now();
        let mut mem_bytes = 0usize;
        loop {
            let m1 = ma.sync().generate_sync_message(&mut s1);
            let m2 = mb.sync().generate_sync_message(&mut s2);
            if m1.is_none() && m2.is_none() {
                break;
            }
            if let Some(m) = m1 {
                let b = m.encode();
                mem_bytes += b.len();
                mb.sync().receive_sync_message(&mut s2, automerge::sync::Message::decode(&b).unwrap()).unwrap();
            }
            if let Some(m) = m2 {
                let b = m.encode();
                mem_bytes += b.len();
                ma.sync().receive_sync_message(&mut s1, automerge::sync::Message::decode(&b).unwrap()).unwrap();
            }
        }
        let mem_time = start.elapsed();
        let (net_time, wire) = catch_up(t.path(), n, &direct).await;
        println!(
            "catch-up after {n} offline changes per side: over iroh {:.2} s, {:.2} MB of frames; in memory {:.2} s, {:.2} MB; ratio time {:.2}x, bytes {:.2}x (iroh time includes applying, view updates and fsync on both sides)",
            net_time.as_secs_f64(), wire / 1e6, mem_time.as_secs_f64(), mem_bytes as f64 / 1e6, net_time.as_secs_f64() / mem_time.as_secs_f64(), wire / mem_bytes as f64
        );
        // 4. The same catch-up through the relay.
        let (relay_time, relay_wire) = catch_up(t.path(), n, &relayed).await;
        println!(
            "catch-up after {n} offline changes per side through the relay (relay-only): {:.2} s, {:.2} MB of frames; relayed/direct time {:.2}x, bytes {:.2}x",
            relay_time.as_secs_f64(), relay_wire / 1e6, relay_time.as_secs_f64() / net_time.as_secs_f64(), relay_wire / wire
        );
    });
}

fn doc_of(profile: &std::path::Path) -> automerge::AutoCommit {
    let (_s, doc, _) = mend_store::DocStore::open(profile).unwrap();
    doc
}
