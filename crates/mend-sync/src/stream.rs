//! Messages over one QUIC stream. Incoming bytes go through [`Decoder`], the decoder
//! the fuzz target feeds with hostile bytes, so what is fuzzed is what peers reach.

use crate::frame::Decoder;
use crate::tap;
use crate::wire::Msg;
use iroh::endpoint::{Connection, RecvStream, SendStream};
use std::time::Duration;

/// Why no message could be read. The two need different answers: a broken connection is
/// the network's doing and is retried; a malformed message is the peer's, and the peer is
/// told and disconnected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    Broken(String),
    Malformed(String),
}

/// The reading half: whole messages out of whatever chunks the network delivers.
pub(crate) struct Incoming {
    recv: RecvStream,
    decoder: Decoder,
    chunk: Vec<u8>,
}

impl Incoming {
    /// `max` bounds one frame: [`crate::frame::MAX_FRAME`] for trusted devices, much less for
    /// pairing requests, which come from strangers.
    pub(crate) fn new(recv: RecvStream, max: usize) -> Incoming {
        Incoming { recv, decoder: Decoder::with_limit(max), chunk: vec![0; 64 << 10] }
    }

    /// The next message; None when the peer finished the stream cleanly between frames.
    pub(crate) async fn next(&mut self) -> Result<Option<Msg>, ReadError> {
        loop {
            if let Some((tag, payload)) = self.decoder.next_frame().map_err(|e| ReadError::Malformed(e.to_string()))? {
                tap::record_received(tag, &payload);
                return Msg::decode(tag, payload).map(Some).map_err(|e| ReadError::Malformed(e.to_string()));
            }
            match self.recv.read(&mut self.chunk).await {
                Ok(Some(n)) => self.decoder.push(&self.chunk[..n]),
                Ok(None) if self.decoder.is_between_frames() => return Ok(None),
                Ok(None) => return Err(ReadError::Malformed("the stream ended in the middle of a message".into())),
                // The connection went (the peer quit, the network dropped): nobody sent
                // anything wrong, so this is not the peer's fault.
                Err(e) => return Err(ReadError::Broken(format!("the connection was lost ({e})"))),
            }
        }
    }
}

pub(crate) async fn write(send: &mut SendStream, m: &Msg) -> Result<(), String> {
    let bytes = m.encode();
    tap::record(tap::Dir::Sent, &bytes);
    send.write_all(&bytes).await.map_err(|e| e.to_string())
}

/// Finishes our side and waits (briefly) until the peer has read it: closing the connection
/// before that would throw away the last frames, such as an error telling the peer why.
pub(crate) async fn linger(send: &mut SendStream) {
    // Already finished or reset: then there is nothing left to wait for.
    let _ = send.finish();
    // A peer that never acknowledges is given up on after two seconds; nothing is lost.
    let _ = tokio::time::timeout(Duration::from_secs(2), send.stopped()).await;
}

/// A last word to a peer before the connection goes (an error, a refusal). The peer may be
/// busy writing to us when it arrives, and a connection closed under it would throw the
/// word away unread: so wait (briefly) for the peer to close first, which it does once it
/// has read it. If it cannot be sent, the peer sees the close code instead.
pub(crate) async fn say_last(conn: &Connection, send: &mut SendStream, m: &Msg) {
    if write(send, m).await.is_ok() {
        // Already finished or reset: the wait below still applies.
        let _ = send.finish();
        // A peer that never closes is given up on; the caller closes the connection then.
        let _ = tokio::time::timeout(Duration::from_secs(3), conn.closed()).await;
    }
}
