//! Length-prefixed frames: `[len u32 BE][tag u8][payload]`, `len` counting tag and payload.
//! The decoder is pure, so it is tested and fuzzed on any bytes.

/// Larger than any sync message of a ten-year space, small enough that a hostile peer
/// cannot make us allocate without bound.
pub const MAX_FRAME: usize = 64 << 20;

pub fn encode(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + payload.len());
    out.extend_from_slice(&((payload.len() + 1) as u32).to_be_bytes());
    out.push(tag);
    out.extend_from_slice(payload);
    out
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("the peer sent a frame of {len} bytes, over the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("the peer sent an empty frame")]
    Empty,
}

/// Splits a byte stream into frames. Feed it bytes as they arrive. The network reads every
/// stream through this decoder, so the code the fuzz target exercises is the code peers reach.
#[derive(Debug)]
pub struct Decoder {
    buf: Vec<u8>,
    max: usize,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::with_limit(MAX_FRAME)
    }
}

impl Decoder {
    /// A decoder that refuses frames longer than `max` (pairing requests come from strangers
    /// and get small ones). Never more than [`MAX_FRAME`].
    pub fn with_limit(max: usize) -> Self {
        Decoder { buf: Vec::new(), max: max.min(MAX_FRAME) }
    }

    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Whether no part of a frame is waiting: a stream that ends here ended cleanly.
    pub fn is_between_frames(&self) -> bool {
        self.buf.is_empty()
    }

    /// The next whole frame as (tag, payload), None if more bytes are needed. The length is
    /// checked as soon as the header is in, before the body is waited for.
    pub fn next_frame(&mut self) -> Result<Option<(u8, Vec<u8>)>, FrameError> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let len = u32::from_be_bytes([self.buf[0], self.buf[1], self.buf[2], self.buf[3]]) as usize;
        if len == 0 {
            return Err(FrameError::Empty);
        }
        if len > self.max {
            return Err(FrameError::TooLarge { len, max: self.max });
        }
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let rest = self.buf.split_off(4 + len);
        let mut frame = std::mem::replace(&mut self.buf, rest);
        let tag = frame[4];
        frame.drain(..5);
        Ok(Some((tag, frame)))
    }
}

/// The fuzz target's body: feeds arbitrary bytes through the decoder and the message parser.
/// Panics only if an invariant breaks (a frame over the limit came out).
pub fn fuzz_entry(data: &[u8]) {
    // Feed in two pieces, so frames split across reads are exercised too.
    let cut = data.first().map(|b| usize::from(*b) % (data.len() + 1)).unwrap_or(0);
    let mut d = Decoder::default();
    for part in [&data[..cut], &data[cut..]] {
        d.push(part);
        loop {
            match d.next_frame() {
                Ok(Some((tag, payload))) => {
                    assert!(payload.len() < MAX_FRAME, "a frame over the limit was accepted");
                    // Only that decoding never panics matters here, not what it finds.
                    if let Ok(crate::wire::Msg::Addresses(b)) = crate::wire::Msg::decode(tag, payload) {
                        let _ = crate::wire::Known::parse(&b);
                    }
                }
                Ok(None) => break,
                // The connection would be closed here: nothing after an error is read.
                Err(_) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_across_any_split() {
        let mut bytes = encode(1, b"hello");
        bytes.extend(encode(2, b""));
        bytes.extend(encode(3, &[7; 300]));
        for split in 0..bytes.len() {
            let mut d = Decoder::default();
            let mut got = vec![];
            d.push(&bytes[..split]);
            while let Some(f) = d.next_frame().unwrap() {
                got.push(f);
            }
            d.push(&bytes[split..]);
            while let Some(f) = d.next_frame().unwrap() {
                got.push(f);
            }
            assert_eq!(got, vec![(1, b"hello".to_vec()), (2, vec![]), (3, vec![7; 300])], "split at {split}");
        }
    }

    #[test]
    fn oversized_and_empty_frames_are_errors() {
        let mut d = Decoder::default();
        d.push(&((MAX_FRAME + 1) as u32).to_be_bytes());
        assert_eq!(d.next_frame(), Err(FrameError::TooLarge { len: MAX_FRAME + 1, max: MAX_FRAME }));
        let mut d = Decoder::with_limit(10);
        d.push(&encode(1, &[0; 10]));
        assert_eq!(d.next_frame(), Err(FrameError::TooLarge { len: 11, max: 10 }));
        let mut d = Decoder::default();
        d.push(&[0, 0, 0, 0, 9]);
        assert_eq!(d.next_frame(), Err(FrameError::Empty));
    }
}
