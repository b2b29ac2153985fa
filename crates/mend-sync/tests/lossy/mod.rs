//! A bad link for tests, since this kernel has no `netem`: a UDP proxy on loopback that
//! loses, delays (fixed plus jitter), reorders and duplicates packets, and can cut the link
//! entirely for a while (a partition) and heal it.
//!
//! It lives here, as a module of the tests that use it, rather than in a crate of its own:
//! only mend-sync's tests need it, and a module costs no manifest, no dependency and no
//! build of its own. Should the engine's or the app's tests need a bad link, it moves to a
//! small dev-only crate unchanged (it uses nothing but tokio and rand).
//!
//! How it sits between two iroh endpoints: the dialing side is given the proxy's address
//! as the other's address. Each address that sends to the proxy (a "client") gets its own
//! upstream socket towards the target, so the target sees one distinct address per client
//! and its replies, arriving on that socket, go back to that client. Whatever reaches an
//! upstream socket goes to its client, so the target can dial back through the address it
//! saw. Faults apply to each direction on its own; decisions come from one seeded RNG, so
//! a run's sequence of decisions is reproducible (the arrival order of packets is not).
#![allow(dead_code)]

use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// What the link does to each packet, in each direction.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Probability (0 to 1) that a packet is dropped.
    pub loss: f64,
    /// Added to every packet.
    pub delay: Duration,
    /// Up to this much more, uniformly: packets closer together than this overtake each other.
    pub jitter: Duration,
    /// Probability that a packet is held back by `reorder_by` besides, so that later ones
    /// overtake it.
    pub reorder: f64,
    pub reorder_by: Duration,
    /// Probability that a packet is delivered twice (the copy after its own delay).
    pub duplicate: f64,
}

impl Faults {
    /// A train on a bad day: `loss` and `delay` each way, nothing else.
    pub fn lossy(loss: f64, delay: Duration) -> Faults {
        Faults { loss, delay, ..Faults::default() }
    }
}

/// What the proxy did, counted over both directions.
#[derive(Debug, Default)]
pub struct Stats {
    pub received: AtomicU64,
    pub delivered: AtomicU64,
    pub lost: AtomicU64,
    pub partitioned: AtomicU64,
    pub duplicated: AtomicU64,
    pub reordered: AtomicU64,
}

impl Stats {
    pub fn summary(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        format!(
            "{} packets in, {} delivered, {} lost, {} dropped by the partition, {} duplicated, {} held back",
            g(&self.received),
            g(&self.delivered),
            g(&self.lost),
            g(&self.partitioned),
            g(&self.duplicated),
            g(&self.reordered)
        )
    }
}

struct Link {
    faults: Faults,
    rng: StdRng,
    /// Everything is dropped until then.
    cut_until: Option<Instant>,
}

impl Link {
    fn cut(&self, now: Instant) -> bool {
        self.cut_until.is_some_and(|t| now < t)
    }
}

struct Shared {
    link: Mutex<Link>,
    stats: Stats,
    front: UdpSocket,
    target: SocketAddr,
}

pub struct Proxy {
    shared: Arc<Shared>,
    addr: SocketAddr,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

impl Proxy {
    /// A proxy on 127.0.0.1 in front of `target` (a loopback address, IPv4 or IPv6).
    pub async fn start(target: SocketAddr, faults: Faults, seed: u64) -> Proxy {
        assert!(target.ip().is_loopback(), "the proxy only forwards on loopback: {target}");
        let front = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).await.expect("the proxy binds 127.0.0.1");
        roomy_receive_buffer(&front);
        let addr = front.local_addr().unwrap();
        let shared = Arc::new(Shared {
            link: Mutex::new(Link { faults, rng: StdRng::seed_from_u64(seed), cut_until: None }),
            stats: Stats::default(),
            front,
            target,
        });
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let front_task = tokio::spawn(front_loop(shared.clone(), tasks.clone()));
        tasks.lock().unwrap().push(front_task);
        Proxy { shared, addr, tasks }
    }

    /// The address to give the dialing side as the target's.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    pub fn set_faults(&self, faults: Faults) {
        self.shared.link.lock().unwrap().faults = faults;
    }

    /// Drops everything, both ways, for `how_long` from now (packets already on their way
    /// included), then heals by itself.
    pub fn partition(&self, how_long: Duration) {
        self.shared.link.lock().unwrap().cut_until = Some(Instant::now() + how_long);
    }

    pub fn heal(&self) {
        self.shared.link.lock().unwrap().cut_until = None;
    }

    pub fn is_cut(&self) -> bool {
        self.shared.link.lock().unwrap().cut(Instant::now())
    }
}

async fn front_loop(shared: Arc<Shared>, tasks: Arc<Mutex<Vec<JoinHandle<()>>>>) {
    let mut upstreams: HashMap<SocketAddr, Arc<UdpSocket>> = HashMap::new();
    let mut buf = vec![0u8; 65536];
    loop {
        let Ok((n, client)) = shared.front.recv_from(&mut buf).await else { continue };
        let up = match upstreams.get(&client) {
            Some(up) => up.clone(),
            None => {
                let local: SocketAddr = match shared.target {
                    SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST, 0).into(),
                    SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST, 0).into(),
                };
                let up = Arc::new(UdpSocket::bind(local).await.expect("the proxy binds an upstream socket"));
                roomy_receive_buffer(&up);
                upstreams.insert(client, up.clone());
                let back = tokio::spawn(back_loop(shared.clone(), up.clone(), client));
                tasks.lock().unwrap().push(back);
                up
            }
        };
        let to = shared.target;
        forward(&shared, buf[..n].to_vec(), up, to);
    }
}

/// Whatever reaches a client's upstream socket (the target's replies, or the target
/// dialing back the address it saw) goes to that client.
async fn back_loop(shared: Arc<Shared>, up: Arc<UdpSocket>, client: SocketAddr) {
    let mut buf = vec![0u8; 65536];
    loop {
        let Ok((n, _)) = up.recv_from(&mut buf).await else { continue };
        let front = FrontSocket(shared.clone());
        forward(&shared, buf[..n].to_vec(), front, client);
    }
}

/// The socket a packet leaves by: an upstream one, or the proxy's front.
trait Out: Send + Sync + 'static {
    fn socket(&self) -> &UdpSocket;
}
impl Out for Arc<UdpSocket> {
    fn socket(&self) -> &UdpSocket {
        self
    }
}
struct FrontSocket(Arc<Shared>);
impl Out for FrontSocket {
    fn socket(&self) -> &UdpSocket {
        &self.0.front
    }
}

/// Decides one packet's fate and sends it (and its copy) when its delay is over.
fn forward(shared: &Arc<Shared>, packet: Vec<u8>, out: impl Out, to: SocketAddr) {
    let stats = &shared.stats;
    stats.received.fetch_add(1, Ordering::Relaxed);
    let now = Instant::now();
    let delays: Vec<Duration> = {
        let mut link = shared.link.lock().unwrap();
        if link.cut(now) {
            stats.partitioned.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let f = link.faults;
        if link.rng.random::<f64>() < f.loss {
            stats.lost.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let one = |link: &mut Link| {
            let jitter = if f.jitter.is_zero() { Duration::ZERO } else { f.jitter.mul_f64(link.rng.random::<f64>()) };
            let held = if link.rng.random::<f64>() < f.reorder {
                stats.reordered.fetch_add(1, Ordering::Relaxed);
                f.reorder_by
            } else {
                Duration::ZERO
            };
            f.delay + jitter + held
        };
        let mut d = vec![one(&mut link)];
        if link.rng.random::<f64>() < f.duplicate {
            stats.duplicated.fetch_add(1, Ordering::Relaxed);
            d.push(one(&mut link));
        }
        d
    };
    let shared = shared.clone();
    tokio::spawn(async move {
        let mut delays = delays;
        delays.sort();
        for d in delays {
            tokio::time::sleep_until(now + d).await;
            // A partition cuts what is on the wire too.
            if shared.link.lock().unwrap().cut(Instant::now()) {
                shared.stats.partitioned.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // A full socket buffer is a lost packet, as on a real link.
            if out.socket().send_to(&packet, to).await.is_ok() {
                shared.stats.delivered.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
}

/// A receive buffer of several megabytes: a packet the kernel drops for want of room (a
/// busy machine, the reader not scheduled for a while) would be a loss the proxy did not
/// decide, and the tests count on the proxy's decisions being all the loss there is. Forced past the system's limit where allowed (as
/// root), else as large as that limit lets it be.
pub fn roomy_receive_buffer(socket: &tokio::net::UdpSocket) {
    use std::os::fd::AsRawFd as _;
    let size: libc::c_int = 8 << 20;
    for option in [libc::SO_RCVBUFFORCE, libc::SO_RCVBUF] {
        // SAFETY: a valid socket and a pointer to an int of the size given.
        let r = unsafe {
            libc::setsockopt(
                socket.as_raw_fd(),
                libc::SOL_SOCKET,
                option,
                (&size as *const libc::c_int).cast(),
                size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if r == 0 {
            return;
        }
    }
}
