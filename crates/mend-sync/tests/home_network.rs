//! The home network: two devices that know only each other's ids find each other by mDNS,
//! under Mend's own service name, and sync.
//!
//! mDNS is multicast on a real network interface, so it never runs in this machine's own
//! network namespace (it would announce to, and hear from, whatever shares the host's
//! network). The test makes two network namespaces joined by a veth pair (which needs root:
//! it skips, saying why, without it) and runs each device as a child process inside one
//! (`ip netns exec NS <this test binary> --exact <helper>`). Nothing else is in those
//! namespaces: no route leads out of them, so no packet can leave the pair. The namespaces
//! go away when the test ends, however it ends.

mod common;
use common::*;
use iroh::endpoint::{NetReportConfig, PortmapperConfig, presets};
use iroh::{Endpoint, RelayMode, SecretKey};
use mend_core::{DeviceId, PartnerId};
use mend_sync::peers::Peers;
use mend_sync::{Hub, SharedSpace};
use n0_future::StreamExt as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// The helper test that runs one device inside a namespace.
const HELPER: &str = "device_inside_a_namespace_started_by_the_mdns_test";
const ROLE: &str = "MEND_NETNS_ROLE";
const ADDR: &str = "MEND_NETNS_ADDR";
const HOST_NS: &str = "MEND_HOST_NETNS";
const ANA_IP: Ipv4Addr = Ipv4Addr::new(10, 201, 0, 1);
const BEN_IP: Ipv4Addr = Ipv4Addr::new(10, 201, 0, 2);
const ANA_SEED: u8 = 71;
const BEN_SEED: u8 = 72;

fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip").args(args).output().map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if out.status.success() { Ok(()) } else { Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim())) }
}

/// Two namespaces joined by a veth pair; deleted on drop (a panic included), which takes
/// the veth pair with them.
struct Namespaces {
    names: Vec<String>,
}

impl Namespaces {
    fn create() -> Namespaces {
        sweep_stale();
        let tag = std::process::id();
        let (a, b) = (format!("mend-mdns-{tag}-a"), format!("mend-mdns-{tag}-b"));
        // Made before the first `ip` call, so that whatever was made is removed again.
        let ns = Namespaces { names: vec![a.clone(), b.clone()] };
        let (va, vb) = (format!("mv{tag}a"), format!("mv{tag}b"));
        let steps: Vec<Vec<String>> = vec![
            vec!["netns".into(), "add".into(), a.clone()],
            vec!["netns".into(), "add".into(), b.clone()],
            vec![
                "link".into(),
                "add".into(),
                va.clone(),
                "netns".into(),
                a.clone(),
                "type".into(),
                "veth".into(),
                "peer".into(),
                "name".into(),
                vb.clone(),
                "netns".into(),
                b.clone(),
            ],
        ];
        for s in &steps {
            ip(&s.iter().map(String::as_str).collect::<Vec<_>>()).expect("making the test's network namespaces (as root)");
        }
        for (n, dev, addr) in [(&a, &va, ANA_IP), (&b, &vb, BEN_IP)] {
            let inside = |rest: &[&str]| {
                let mut args = vec!["-n", n.as_str()];
                args.extend_from_slice(rest);
                ip(&args).expect("setting up a test namespace");
            };
            inside(&["link", "set", "lo", "up"]);
            inside(&["addr", "add", &format!("{addr}/24"), "dev", dev]);
            inside(&["link", "set", dev, "up"]);
            // Multicast (mDNS) goes out of the veth: the pair's only link, and no other route.
            inside(&["route", "add", "224.0.0.0/4", "dev", dev]);
        }
        ns
    }
}

/// A run that was killed outright (no unwinding) leaves its namespaces behind: those of a
/// test process that no longer exists are removed. Another run's, still going, are left.
fn sweep_stale() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else { return };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or_default();
        let Some(pid) = name.strip_prefix("mend-mdns-").and_then(|r| r.split('-').next()) else { continue };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = ip(&["netns", "del", name]);
        }
    }
}

impl Drop for Namespaces {
    fn drop(&mut self) {
        for n in &self.names {
            if let Err(e) = ip(&["netns", "del", n]) {
                eprintln!("could not remove the test namespace {n}: {e}");
            }
        }
    }
}

/// A child process, killed on drop if it is still running.
struct Running(Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Running {
    fn wait(&mut self, deadline: Instant) -> Option<Output> {
        let child = self.0.as_mut()?;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                return self.0.take().and_then(|c| c.wait_with_output().ok());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

fn this_netns() -> String {
    std::fs::read_link("/proc/self/ns/net").map(|p| p.display().to_string()).unwrap_or_default()
}

/// Ana and Ben, each in a namespace of their own, know only each other's device ids (as
/// two devices that paired long ago on another network, and whose addresses have all
/// changed). Each finds the other by mDNS under Mend's service name, they sync what each
/// wrote, and an iroh app on the same network looking under iroh's default name sees
/// neither.
#[test]
fn two_devices_that_know_only_each_others_ids_find_each_other_on_the_home_network() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: this test makes network namespaces for mDNS, which needs root (CI runs it as root)");
        return;
    }
    let started = Instant::now();
    let ns = Namespaces::create();
    let exe = std::env::current_exe().expect("the test binary's path");
    let spawn = |n: &str, role: &str, at: Ipv4Addr| {
        let child = Command::new("ip")
            .args(["netns", "exec", n])
            .arg(&exe)
            .args(["--exact", HELPER, "--nocapture", "--test-threads=1"])
            .env(ROLE, role)
            .env(ADDR, at.to_string())
            .env(HOST_NS, this_netns())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting a device in its namespace");
        Running(Some(child))
    };
    let mut ana = spawn(&ns.names[0], "ana", ANA_IP);
    let mut ben = spawn(&ns.names[1], "ben", BEN_IP);
    let deadline = Instant::now() + Duration::from_secs(60);
    let ben_out = ben.wait(deadline);
    let ana_out = ana.wait(deadline);
    let show = |who: &str, o: &Option<Output>| match o {
        Some(o) => format!("--- {who}: {}\n{}{}", o.status, String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)),
        None => format!("--- {who}: still running after 60 s (killed)"),
    };
    let report = format!("{}\n{}", show("Ben", &ben_out), show("Ana", &ana_out));
    let ok = |o: &Option<Output>| o.as_ref().is_some_and(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("1 passed"));
    assert!(ok(&ben_out) && ok(&ana_out), "both devices did their part:\n{report}");
    // libtest may print its own words on the same line first.
    for line in report.lines().filter_map(|l| l.find("mdns:").map(|i| &l[i..])) {
        eprintln!("{line}");
    }
    eprintln!("mdns: the whole test (namespaces, two processes, discovery, sync) took {:.1} s", started.elapsed().as_secs_f64());
    drop(ns);
}

fn key(seed: u8) -> SecretKey {
    SecretKey::from_bytes(&[seed; 32])
}

fn device_of(seed: u8) -> DeviceId {
    DeviceId::from_public_key(key(seed).public().as_bytes())
}

/// One device, run by the test above inside a namespace; does nothing anywhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn device_inside_a_namespace_started_by_the_mdns_test() {
    let Ok(role) = std::env::var(ROLE) else { return };
    // The mDNS endpoints never run in the host's namespace.
    let host = std::env::var(HOST_NS).unwrap_or_default();
    assert!(!host.is_empty() && this_netns() != host, "a device runs inside its own network namespace, not the host's ({host})");
    let at: IpAddr = std::env::var(ADDR).unwrap().parse().unwrap();
    let (me, other, partner, other_partner, name) = match role.as_str() {
        "ana" => (ANA_SEED, BEN_SEED, 1, 2, "Ana"),
        _ => (BEN_SEED, ANA_SEED, 2, 1, "Ben"),
    };
    let mut mem = Mem::new(actor(partner, &key(me)), name);
    // Trusted as after pairing; no address is known for the other device.
    let other_dev = device_of(other);
    mem.trust(&other_dev, &PartnerId::from_uuid(uuid::Uuid::from_u128(other_partner)), "the other's laptop").unwrap();
    mem.note(u128::from(me), &format!("from {name}, on the home network"));
    let space = Arc::new(Mutex::new(mem));
    let (tx, _events) = mpsc::unbounded_channel();
    let hub = Hub::new(space.clone(), tx);
    // Nothing but mDNS under Mend's name: no relay, no DNS, no port mapping, no probes.
    let ep = Endpoint::builder(presets::Minimal)
        .clear_address_lookup()
        .address_lookup(mend_sync::net::mdns())
        .portmapper_config(PortmapperConfig::Disabled)
        .net_report_config(NetReportConfig::minimal())
        .relay_mode(RelayMode::Disabled)
        .clear_ip_transports()
        .bind_addr(SocketAddr::new(at, 0))
        .unwrap()
        .secret_key(key(me))
        .alpns(vec![mend_sync::SYNC_ALPN.to_vec()])
        .bind()
        .await
        .unwrap();
    // An iroh app on the same network, looking under iroh's default service name.
    let other_app = iroh_mdns_address_lookup::MdnsAddressLookup::builder().advertise(false).build(SecretKey::from_bytes(&[99; 32]).public()).unwrap();
    let mut other_app_sees = other_app.subscribe().await;
    // And a listener under Mend's name, which must hear what the other one does not.
    let mend_listener = mend_sync::net::mdns().advertise(false).build(SecretKey::from_bytes(&[98; 32]).public()).unwrap();
    let mut mend_listener_hears = mend_listener.subscribe().await;
    let start = Instant::now();
    let serving = {
        let (h, e) = (hub.clone(), ep.clone());
        tokio::spawn(async move { h.serve(e, std::future::pending()).await })
    };
    let notes = || space.lock().unwrap().doc.view().gratitude.len();
    let both = tokio::time::timeout(Duration::from_secs(40), async {
        while notes() < 2 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
    assert!(both.is_ok(), "{name} holds both notes within 40 s (holds {})", notes());
    let took = start.elapsed();
    let info = Peers::from_blob(space.lock().unwrap().load_blob(mend_sync::peers::BLOB)).peers.remove(other_dev.as_str()).unwrap_or_default();
    println!("mdns: {name} found the other device and synced in {:.1} s; reached it at {:?}", took.as_secs_f64(), info.addrs);
    assert!(
        info.addrs.iter().all(|a| matches!(a.ip(), IpAddr::V4(v4) if v4.octets()[..3] == [10, 201, 0])) && !info.addrs.is_empty(),
        "found on the namespaces' network: {:?}",
        info.addrs
    );
    // Let the other side finish too, then: did the iroh app see either Mend device?
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut seen = vec![];
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(100), other_app_sees.next()).await {
        seen.push(e);
    }
    assert!(seen.is_empty(), "an iroh app looking under iroh's default name saw a Mend device: {seen:?}");
    let mut heard = vec![];
    while let Ok(Some(e)) = tokio::time::timeout(Duration::from_millis(100), mend_listener_hears.next()).await {
        heard.push(e);
    }
    let other_id = key(other).public();
    assert!(
        heard.iter().any(
            |e| matches!(e, iroh_mdns_address_lookup::DiscoveryEvent::Discovered { endpoint_info, .. } if endpoint_info.endpoint_id == other_id)
        ),
        "a listener under Mend's name heard the other device: {heard:?}"
    );
    println!(
        "mdns: {name}'s network: a listener under Mend's service name heard the other device; one under iroh's default name heard no Mend device"
    );
    serving.abort();
    ep.close().await;
}
