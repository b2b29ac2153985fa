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
    #[error("the peer sent a frame of {0} bytes, over the limit of {MAX_FRAME}")]
    TooLarge(usize),
    #[error("the peer sent an empty frame")]
    Empty,
}

/// Checks a frame header; returns the length of tag + payload that follows.
pub fn check_len(header: [u8; 4]) -> Result<usize, FrameError> {
    let len = u32::from_be_bytes(header) as usize;
    if len == 0 {
        return Err(FrameError::Empty);
    }
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    Ok(len)
}

/// Splits a byte stream into frames. Feed it bytes as they arrive.
#[derive(Debug, Default)]
pub struct Decoder {
    buf: Vec<u8>,
}

impl Decoder {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame as (tag, payload), None if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<(u8, Vec<u8>)>, FrameError> {
        if self.buf.len() < 4 {
            return Ok(None);
        }
        let len = check_len([self.buf[0], self.buf[1], self.buf[2], self.buf[3]])?;
        if self.buf.len() < 4 + len {
            return Ok(None);
        }
        let frame: Vec<u8> = self.buf.drain(..4 + len).collect();
        Ok(Some((frame[4], frame[5..].to_vec())))
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
                    let _ = crate::wire::Msg::decode(tag, payload);
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
        assert_eq!(d.next_frame(), Err(FrameError::TooLarge(MAX_FRAME + 1)));
        let mut d = Decoder::default();
        d.push(&[0, 0, 0, 0, 9]);
        assert_eq!(d.next_frame(), Err(FrameError::Empty));
    }
}
