//! Pairing and sync between real `mend` processes on loopback (local-only mode: nothing
//! leaves this machine).

mod util;
use std::collections::BTreeSet;
use util::*;

fn notes(d: &Device) -> BTreeSet<String> {
    d.ids("gratitude")
}

#[test]
fn partners_and_an_own_device_pair_and_their_offline_edits_converge() {
    let (a, b) = paired_couple();
    // Ana adds her phone as another device of hers, from a new profile.
    let a2 = Device { dir: tempfile::tempdir().unwrap() };
    let (inv, ticket) = a.invite("own-device", 60);
    a2.local_ok(&["pair", "join", &ticket, "--device-name", "Ana's phone"]);
    inv.stop();
    let shown = a2.show();
    assert_eq!(shown["me"]["partner"], a.show()["me"]["partner"], "the phone belongs to Ana");
    assert_eq!(shown["partners"].as_array().unwrap().len(), 2, "the phone got the whole space");

    // Everyone writes while apart.
    for (d, who) in [(&a, "ana"), (&b, "ben"), (&a2, "phone")] {
        for i in 0..5 {
            d.create(&["gratitude", "add", "--text", &format!("offline {who} {i}")]);
        }
    }
    let all: BTreeSet<String> = [&a, &b, &a2].iter().flat_map(|d| notes(d)).collect();
    assert_eq!(all.len(), 15);

    // Ana's laptop comes online; the others sync with it, then once more to get the rest.
    let server = a.serve();
    for d in [&b, &a2, &b] {
        let o = d.local(&["sync", "--once", "--timeout", "20"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("synced with"));
    }
    assert!(wait_until(10, || notes(&a) == all && notes(&b) == all && notes(&a2) == all), "all three converge");
    // Every device learned every other.
    for d in [&a, &b, &a2] {
        assert_eq!(d.show()["devices"].as_array().unwrap().len(), 3);
    }
    drop(server);
    let list = b.local_ok(&["devices", "--json"]);
    let devices: serde_json::Value = serde_json::from_str(&list).unwrap();
    let ana = devices.as_array().unwrap().iter().find(|d| d["id"] == a.device_id().as_str()).unwrap();
    assert!(ana["last_synced"].as_i64().is_some());
    assert_eq!(ana["link"], "direct");
    assert_eq!(devices.as_array().unwrap().iter().filter(|d| d["this_device"] == true).count(), 1);
}

#[test]
fn a_change_reaches_the_partner_live_while_both_serve() {
    let (a, b) = paired_couple();
    let _sa = a.serve();
    let sb = b.serve();
    assert!(sb.wait_for_log("in sync with", 20), "{}", sb.log_text());
    let id = a.create(&["gratitude", "add", "--text", "live thanks"]);
    assert!(wait_until(10, || notes(&b).contains(&id)), "the note reached Ben's device while both served");
    b.ok(&["pause", "start", "--minutes", "30", "--note", "need a walk"]);
    assert!(wait_until(10, || a.show()["pauses"].as_array().unwrap().iter().any(|p| p["active"] == true)), "Ana sees Ben's pause");
    // SIGTERM stops serve cleanly: it says so and exits with success.
    let mut sb = sb;
    unsafe { libc::kill(sb.child.id() as i32, libc::SIGTERM) };
    let status = sb.child.wait().expect("serve exits");
    assert!(status.success(), "serve exits cleanly on SIGTERM: {status:?}");
    assert!(sb.log_text().contains("stopped"), "{}", sb.log_text());
}

#[test]
fn an_unpaired_device_is_refused() {
    let (a, _b) = paired_couple();
    a.create(&["gratitude", "add", "--text", "between the two of us"]);
    let server = a.serve();
    let addr: std::net::SocketAddr = server
        .log_text()
        .split(" on ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .expect("serve prints its address");
    let ana: iroh_base::PublicKey = a.device_id().parse().expect("device id");
    // A stranger with its own key dials Ana's laptop directly and speaks the protocol.
    let got = tokio::runtime::Runtime::new().unwrap().block_on(async move {
        use mend_engine::sync::{NetConfig, SYNC_ALPN, net, session::Session};
        let ep = net::bind(iroh_base::SecretKey::generate(), &NetConfig::local_only(None), vec![SYNC_ALPN.to_vec()], None).await.unwrap();
        let target = iroh_base::EndpointAddr::from_parts(ana, [iroh_base::TransportAddr::Ip(addr)]);
        // The refusal may come before or after our stream opens: either way, nothing arrives.
        let got = match ep.connect(target, SYNC_ALPN).await {
            Ok(conn) => match conn.open_bi().await {
                Ok((mut send, mut recv)) => {
                    let _ = send.write_all(&Session::hello(1).encode()).await;
                    let _ = send.finish();
                    tokio::time::timeout(std::time::Duration::from_secs(10), recv.read_to_end(1 << 20))
                        .await
                        .ok()
                        .and_then(|r| r.ok())
                        .unwrap_or_default()
                }
                Err(e) => {
                    assert!(e.to_string().contains("not a trusted device"), "{e}");
                    vec![]
                }
            },
            Err(e) => {
                assert!(e.to_string().contains("not a trusted device"), "{e}");
                vec![]
            }
        };
        ep.close().await;
        got
    });
    assert!(got.is_empty(), "not one byte of the document reached the stranger: {} bytes", got.len());
    assert!(server.wait_for_log("refused device", 10), "Ana's device logs the refusal: {}", server.log_text());
}

#[test]
fn expired_reused_wrong_and_garbled_tickets_are_refused() {
    let a = Device::init("Ana");
    let b = Device::init("Ben");
    // Expired: refused before any traffic.
    let (inv, ticket) = a.invite("partner", 1);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let o = b.local(&["pair", "join", &ticket]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("expired"), "{}", String::from_utf8_lossy(&o.stderr));
    let log = inv.stop();
    assert!(log.contains("no device joined") || log.contains("expired"), "{log}");

    // Garbled: refused by the parser, saying what is wrong.
    for bad in ["hello", "mend", "mendafvgpxqma3xksb2kkv2o2q!!", ""] {
        let o = b.local(&["pair", "join", bad]);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("invitation"), "{bad:?}: {err}");
        assert_person_error(&err);
    }

    // Wrong secret: a ticket changed after it was made.
    let (inv, ticket) = a.invite("partner", 60);
    let mut t = mend_engine::sync::Ticket::parse(&ticket, 0).unwrap();
    t.secret[0] ^= 1;
    let o = b.local(&["pair", "join", &t.to_text()]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not match one it made"), "{}", String::from_utf8_lossy(&o.stderr));
    // The real one still works after a wrong attempt...
    b.local_ok(&["pair", "join", &ticket]);
    let log = inv.stop();
    assert!(log.contains("refused a pairing attempt"), "the inviter says so too: {log}");

    // ...and only once: Ana's device comes back on the same port and refuses it.
    let server = a.serve();
    let c = Device::init("Cleo");
    let o = c.local(&["pair", "join", &ticket]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("already used"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(server.wait_for_log("already used", 10), "{}", server.log_text());
}

#[test]
fn a_removed_device_is_cut_off_and_refused() {
    let (a, b) = paired_couple();
    let sa = a.serve();
    let sb = b.serve();
    assert!(sb.wait_for_log("in sync with", 20));
    let b_id = b.device_id();
    a.ok(&["devices", "remove", &b_id[b_id.len() - 8..]]);
    assert!(sb.wait_for_log("disconnected", 10), "Ben's device is cut off at once: {}", sb.log_text());
    drop(sb);
    let o = b.local(&["sync", "--once", "--timeout", "10"]);
    assert!(!o.status.success(), "a removed device can no longer sync");
    assert!(sa.wait_for_log("refused device", 10), "{}", sa.log_text());
    let after = a.create(&["gratitude", "add", "--text", "after removal"]);
    assert!(!notes(&b).contains(&after));
    let list = a.local_ok(&["devices"]);
    assert!(list.contains("[removed]"), "{list}");
}

#[test]
fn thousands_of_offline_changes_per_side_converge() {
    let (a, b) = paired_couple();
    for d in [&a, &b] {
        let o = d.run(&["debug", "stress", "--count", "2000"]);
        assert!(o.status.success());
    }
    let all: BTreeSet<String> = notes(&a).union(&notes(&b)).cloned().collect();
    assert_eq!(all.len(), 4000);
    let _server = a.serve();
    b.local_ok(&["sync", "--once", "--timeout", "60"]);
    assert!(wait_until(20, || notes(&a) == all), "Ana has all");
    assert_eq!(notes(&b), all, "Ben has all");
}

#[test]
fn a_peer_killed_mid_sync_leaves_both_loadable_and_a_later_sync_converges() {
    let (a, b) = paired_couple();
    a.run(&["debug", "stress", "--count", "3000", "--size", "2000"]);
    let _server = b.serve();
    for delay in [30u64, 120, 400] {
        let (mut bg, _) = a.background(&["sync", "--once", "--timeout", "30"]);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = bg.child.kill();
        let _ = bg.child.wait();
        for d in [&a, &b] {
            let o = d.run(&["show", "--json"]);
            assert!(o.status.success(), "loadable after a kill: {}", String::from_utf8_lossy(&o.stderr));
        }
    }
    a.local_ok(&["sync", "--once", "--timeout", "60"]);
    assert!(wait_until(20, || notes(&b) == notes(&a)));
}

#[test]
fn sync_with_nobody_reachable_says_so() {
    let (a, _b) = paired_couple();
    let o = a.local(&["sync", "--once", "--timeout", "3"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("could be reached"), "{err}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("unreachable"));
    let lonely = Device::init("Solo");
    let o = lonely.local(&["sync", "--once"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not paired"));
}

#[test]
fn leaving_stops_sync_with_every_device_and_keeps_the_copy() {
    let (a, b) = paired_couple();
    let before = a.create(&["gratitude", "add", "--text", "shared before leaving"]);
    let _sa = a.serve();
    b.local_ok(&["sync", "--once", "--timeout", "20"]);
    assert!(notes(&b).contains(&before));
    b.ok(&["devices", "leave"]);
    assert!(notes(&b).contains(&before), "Ben keeps his copy");
    let o = b.local(&["sync", "--once", "--timeout", "5"]);
    assert!(!o.status.success(), "Ben syncs with no one now");
    let after = a.create(&["gratitude", "add", "--text", "after Ben left"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!notes(&b).contains(&after));
}
