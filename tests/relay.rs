//! Real `mend` processes with no direct path between them (`--relay-only`: no socket of
//! their own) pair, sync what they wrote apart and stay live through a real iroh relay that
//! this test runs on 127.0.0.1 (plain HTTP). Local-only besides: no DNS, no mDNS, no port
//! mapping, and no relay but that one, so nothing leaves this machine.

mod util;
use std::collections::BTreeSet;
use std::process::Output;
use util::*;

/// A relay on 127.0.0.1, plain HTTP, on a runtime of its own that lives as long as it.
struct Relay {
    url: String,
    _server: iroh_relay::server::Server,
    _rt: tokio::runtime::Runtime,
}

fn relay() -> Relay {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("a runtime");
    let server = rt.block_on(async {
        let mut config = iroh_relay::server::ServerConfig::default();
        config.relay = Some(iroh_relay::server::RelayConfig::new((std::net::Ipv4Addr::LOCALHOST, 0)));
        iroh_relay::server::Server::spawn(config).await.expect("the relay starts")
    });
    let addr = server.http_addr().expect("the relay serves HTTP");
    assert!(addr.ip().is_loopback(), "{addr}");
    Relay { url: format!("http://{addr}"), _server: server, _rt: rt }
}

/// `mend` through the relay only.
fn via<'a>(relay: &'a Relay, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = vec!["--local-only", "--relay", relay.url.as_str(), "--relay-only"];
    all.extend_from_slice(args);
    all
}

fn run_ok(d: &Device, args: &[&str]) -> String {
    let o: Output = d.run(args);
    assert!(o.status.success(), "mend {args:?} failed:\n{}\n{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf-8")
}

fn background(d: &Device, args: &[&str]) -> (Background, std::process::ChildStdout) {
    let mut c = d.cmd();
    c.args(args);
    Background::spawn(c)
}

fn notes(d: &Device) -> BTreeSet<String> {
    d.ids("gratitude")
}

fn link_to(d: &Device, other: &Device) -> serde_json::Value {
    let list: serde_json::Value = serde_json::from_str(&d.ok(&["devices", "--json"])).expect("JSON");
    let id = other.device_id();
    list.as_array().expect("a list").iter().find(|r| r["id"] == id.as_str()).expect("the other device is listed")["link"].clone()
}

#[test]
fn partners_with_no_direct_path_pair_sync_and_stay_live_through_their_own_relay() {
    let relay = relay();
    let a = Device::init("Ana");
    let b = Device::init("Ben");

    // Pairing: the invitation is Ben's only way to Ana, and it names her relay.
    let (inv, out) = background(&a, &via(&relay, &["pair", "invite", "--as", "partner", "--timeout", "60"]));
    let mut ticket = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut ticket).expect("read the ticket");
    assert!(ticket.starts_with("mend"), "no ticket printed: {ticket:?} {}", inv.log_text());
    run_ok(&b, &via(&relay, &["pair", "join", ticket.trim()]));
    let log = inv.stop();
    assert!(log.contains("paired with"), "{log}");
    assert!(log.contains("(relayed)"), "the inviter saw a relayed link: {log}");

    // Both write apart; Ana serves through the relay, Ben syncs once through it.
    for (d, who) in [(&a, "ana"), (&b, "ben")] {
        for i in 0..3 {
            d.create(&["gratitude", "add", "--text", &format!("offline {who} {i}")]);
        }
    }
    let all: BTreeSet<String> = notes(&a).union(&notes(&b)).cloned().collect();
    let (sa, _) = background(&a, &via(&relay, &["serve"]));
    assert!(sa.wait_for_log("serving as", 20), "serve did not start: {}", sa.log_text());
    assert!(sa.log_text().contains("through the relay"), "{}", sa.log_text());
    let once = run_ok(&b, &via(&relay, &["sync", "--once", "--timeout", "20"]));
    assert!(once.contains("synced with") && once.contains("(relayed)"), "{once}");
    assert!(wait_until(10, || notes(&a) == all && notes(&b) == all), "the offline notes crossed both ways");
    assert_eq!(link_to(&b, &a), "relayed", "Ben's `devices` says the link to Ana is relayed");
    assert_eq!(link_to(&a, &b), "relayed", "Ana's `devices` says the link to Ben is relayed");
    let shown = b.ok(&["devices"]);
    assert!(shown.contains("(relayed)"), "{shown}");

    // Live: both serve; a note written now reaches the other through the relay.
    let (sb, _) = background(&b, &via(&relay, &["serve"]));
    assert!(sb.wait_for_log("in sync with", 20), "{}", sb.log_text());
    assert!(sb.log_text().contains("(relayed)"), "{}", sb.log_text());
    let id = a.create(&["gratitude", "add", "--text", "live, through the relay"]);
    assert!(wait_until(10, || notes(&b).contains(&id)), "Ana's live note reached Ben");
    let id = b.create(&["gratitude", "add", "--text", "and back"]);
    assert!(wait_until(10, || notes(&a).contains(&id)), "Ben's live note reached Ana");
    drop(sb);
    drop(sa);
}

#[test]
fn a_relay_address_that_is_not_one_is_refused_in_words() {
    let a = Device::init("Ana");
    refused(&a, &["--relay", "relay.example.org", "devices"], "starts with https://");
    refused(&a, &["--relay", "https://", "devices"], "not a relay address");
    refused(&a, &["--relay", "", "devices"], "empty");
    refused(&a, &["--local-only", "--relay-only", "devices"], "add --relay URL");
    refused(&a, &["--relay", "http://127.0.0.1:1", "--relay-only", "--bind", "127.0.0.1:0", "devices"], "--bind");
}
