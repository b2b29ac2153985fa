//! An audit log of everything this process says on the wire, before encryption: with
//! `MEND_WIRE_LOG=FILE`, every frame sent or received is appended to FILE as
//! `[S|R][len u32 BE][frame]`. QUIC encrypts the traffic, so a packet capture cannot show
//! what Mend sends; this can. The privacy test uses it to prove the journal never leaves.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

pub enum Dir {
    Sent,
    Received,
}

static TAP: OnceLock<Option<Mutex<std::fs::File>>> = OnceLock::new();
static SENT: AtomicU64 = AtomicU64::new(0);
static RECEIVED: AtomicU64 = AtomicU64::new(0);

/// Frame bytes this process has sent and received so far (for benchmarks and status).
pub fn totals() -> (u64, u64) {
    (SENT.load(Ordering::Relaxed), RECEIVED.load(Ordering::Relaxed))
}

/// The log holds the shared space in clear: readable by its owner only, from its first byte.
fn open_log(path: &std::path::Path) -> Option<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).ok()
}

pub fn record(dir: Dir, frame: &[u8]) {
    let len = frame.len();
    record_with(dir, len, |rec| rec.extend_from_slice(frame));
}

/// A received frame, as the decoder split it: logged as the bytes that came in.
pub fn record_received(tag: u8, payload: &[u8]) {
    let len = 5 + payload.len();
    record_with(Dir::Received, len, |rec| {
        rec.extend_from_slice(&((payload.len() + 1) as u32).to_be_bytes());
        rec.push(tag);
        rec.extend_from_slice(payload);
    });
}

fn record_with(dir: Dir, len: usize, fill: impl FnOnce(&mut Vec<u8>)) {
    match dir {
        Dir::Sent => SENT.fetch_add(len as u64, Ordering::Relaxed),
        Dir::Received => RECEIVED.fetch_add(len as u64, Ordering::Relaxed),
    };
    let tap = TAP.get_or_init(|| open_log(std::path::Path::new(&std::env::var_os("MEND_WIRE_LOG")?)).map(Mutex::new));
    if let Some(f) = tap {
        let mut rec = vec![match dir {
            Dir::Sent => b'S',
            Dir::Received => b'R',
        }];
        rec.extend_from_slice(&(len as u32).to_be_bytes());
        fill(&mut rec);
        let mut f = f.lock().unwrap_or_else(|p| p.into_inner());
        // The audit log is for tests and the curious; a failed write must not end a sync.
        let _ = f.write_all(&rec);
    }
}
