//! The frames both append-only logs are made of (the shared space's change log and the
//! journal's sealed records): `[len u32 LE][crc32 u32 LE][payload]`, appended and fsynced
//! one at a time. Pure functions, so the decoder can be tested (and fuzzed) on any bytes.

use std::ops::{Range, RangeInclusive};

pub const FRAME_HEADER: usize = 8;

pub fn encode_frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER + payload.len());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameProblem {
    /// A frame whose checksum does not match, at this offset; scanning went on after it.
    Checksum { at: usize },
    /// A length that cannot be right at this offset; nothing after it is readable.
    BadLength { at: usize },
    /// The file ends inside a frame that starts at this offset: an interrupted append.
    Incomplete { at: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Its place among the frames scanned, damaged ones included.
    pub index: u64,
    pub body: Range<usize>,
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Frames {
    /// Frames whose checksum matches.
    pub frames: Vec<Frame>,
    /// Frames seen, damaged ones included: the index of the next frame to append.
    pub count: u64,
    /// Where the readable frames end (the append position after a repair).
    pub good_end: usize,
    pub problems: Vec<FrameProblem>,
}

impl Frames {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
    /// Only an interrupted append at the very end: the common aftermath of a crash.
    pub fn only_torn_tail(&self) -> bool {
        matches!(self.problems.as_slice(), [FrameProblem::Incomplete { .. }])
    }
}

/// Scans the frames from `start` (a frame boundary) to the end. A length outside `lengths`
/// means the length itself is damaged: nothing after it can be found.
pub fn scan_frames(bytes: &[u8], start: usize, lengths: RangeInclusive<usize>) -> Frames {
    let mut s = Frames { good_end: start.min(bytes.len()), ..Frames::default() };
    let mut at = start;
    while at < bytes.len() {
        let (Some(len), Some(crc)) = (le_u32(bytes, at), le_u32(bytes, at + 4)) else {
            s.problems.push(FrameProblem::Incomplete { at });
            break;
        };
        let len = len as usize;
        if !lengths.contains(&len) {
            s.problems.push(FrameProblem::BadLength { at });
            break;
        }
        let body = at + FRAME_HEADER;
        if bytes.len() - body < len {
            s.problems.push(FrameProblem::Incomplete { at });
            break;
        }
        if crc32fast::hash(&bytes[body..body + len]) == crc {
            s.frames.push(Frame { index: s.count, body: body..body + len });
        } else {
            s.problems.push(FrameProblem::Checksum { at });
        }
        s.count += 1;
        at = body + len;
        s.good_end = at;
    }
    s
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at + 4).and_then(|s| s.try_into().ok()).map(u32::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_and_every_cut_is_an_interrupted_append() {
        let mut log = b"HEAD".to_vec();
        log.extend(encode_frame(b"first"));
        log.extend(encode_frame(b"second, longer"));
        let whole = scan_frames(&log, 4, 0..=1024);
        assert!(whole.problems.is_empty());
        assert_eq!(whole.frames.iter().map(|f| &log[f.body.clone()]).collect::<Vec<_>>(), [&b"first"[..], &b"second, longer"[..]]);
        assert_eq!((whole.count, whole.good_end), (2, log.len()));
        let first_end = 4 + FRAME_HEADER + 5;
        for cut in 5..log.len() {
            let s = scan_frames(&log[..cut], 4, 0..=1024);
            if cut == first_end {
                assert!(s.is_clean() && s.count == 1, "a cut between frames is a shorter log");
                continue;
            }
            let at = if cut < first_end { 4 } else { first_end };
            assert_eq!(s.problems, [FrameProblem::Incomplete { at }], "cut at {cut}");
            assert_eq!(s.good_end, at, "cut at {cut}");
        }
    }

    #[test]
    fn a_bad_checksum_is_skipped_and_a_bad_length_ends_the_scan() {
        let mut log = encode_frame(b"one");
        log.extend(encode_frame(b"two"));
        log.extend(encode_frame(b"three"));
        log[FRAME_HEADER] ^= 1; // the first payload
        let s = scan_frames(&log, 0, 0..=1024);
        assert_eq!(s.problems, [FrameProblem::Checksum { at: 0 }]);
        assert_eq!(s.frames.iter().map(|f| f.index).collect::<Vec<_>>(), [1, 2], "indexes count the damaged frame");
        assert_eq!(s.count, 3);
        let s = scan_frames(&log, 0, 4..=1024);
        assert_eq!(s.problems, [FrameProblem::BadLength { at: 0 }], "a length under the minimum is damage");
        assert!(s.frames.is_empty() && s.good_end == 0);
    }
}
