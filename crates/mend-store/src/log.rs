//! The append-only change log: a header, then frames of `[len u32 LE][crc32 u32 LE][bytes]`.
//! Pure functions, so the decoder can be tested (and fuzzed) on any bytes.

pub const HEADER: &[u8; 8] = b"MENDLOG\x01";
pub use mend_fs::frames::{FRAME_HEADER, encode_frame};
use mend_fs::frames::{FrameProblem, scan_frames};
/// No single save is ever this big; a larger length means the length itself is damaged.
pub const MAX_FRAME: usize = 256 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file does not start with the log header.
    BadHeader,
    /// A frame whose checksum does not match, at this offset; scanning went on after it.
    Checksum { at: usize },
    /// A length that cannot be right (over MAX_FRAME) at this offset; nothing after it is readable.
    BadLength { at: usize },
    /// The file ends inside a frame that starts at this offset: an interrupted append.
    Incomplete { at: usize },
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Scan {
    /// Byte ranges of intact payloads.
    pub frames: Vec<std::ops::Range<usize>>,
    /// Where the readable log ends (the append position after a repair).
    pub good_end: usize,
    pub problems: Vec<Problem>,
}

impl Scan {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
    /// Only an interrupted append at the very end: the common aftermath of a crash.
    pub fn only_torn_tail(&self) -> bool {
        matches!(self.problems.as_slice(), [Problem::Incomplete { .. }])
    }
}

/// Scans a whole log file.
pub fn scan(bytes: &[u8]) -> Scan {
    if bytes.len() < HEADER.len() || &bytes[..HEADER.len()] != HEADER {
        if bytes.is_empty() || HEADER.starts_with(bytes) {
            // A log created by a crashed set-up before its header reached the disk.
            return Scan { frames: vec![], good_end: 0, problems: vec![Problem::Incomplete { at: 0 }] };
        }
        return Scan { frames: vec![], good_end: 0, problems: vec![Problem::BadHeader] };
    }
    scan_from(bytes, HEADER.len())
}

/// Scans frames starting at `start` (a frame boundary).
pub fn scan_from(bytes: &[u8], start: usize) -> Scan {
    let f = scan_frames(bytes, start, 0..=MAX_FRAME);
    let problems = f
        .problems
        .into_iter()
        .map(|p| match p {
            FrameProblem::Checksum { at } => Problem::Checksum { at },
            FrameProblem::BadLength { at } => Problem::BadLength { at },
            FrameProblem::Incomplete { at } => Problem::Incomplete { at },
        })
        .collect();
    Scan { frames: f.frames.into_iter().map(|f| f.body).collect(), good_end: f.good_end, problems }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(frames: &[&[u8]]) -> Vec<u8> {
        let mut v = HEADER.to_vec();
        for f in frames {
            v.extend(encode_frame(f));
        }
        v
    }

    #[test]
    fn reads_back_what_was_written() {
        let b = log(&[b"one", b"", b"three"]);
        let s = scan(&b);
        assert!(s.is_clean());
        assert_eq!(s.frames.iter().map(|r| &b[r.clone()]).collect::<Vec<_>>(), vec![&b"one"[..], b"", b"three"]);
        assert_eq!(s.good_end, b.len());
    }

    #[test]
    fn a_cut_append_is_a_torn_tail_and_keeps_what_came_before() {
        let b = log(&[b"one", b"two"]);
        for cut in HEADER.len() + 1..b.len() {
            let s = scan(&b[..cut]);
            assert!(s.only_torn_tail() || s.is_clean(), "cut at {cut}: {:?}", s.problems);
            assert!(s.frames.len() <= 2);
            if cut >= HEADER.len() + FRAME_HEADER + 3 {
                assert_eq!(&b[s.frames[0].clone()], b"one");
            }
        }
    }

    #[test]
    fn a_flipped_bit_loses_only_its_frame() {
        let mut b = log(&[b"one", b"two", b"three"]);
        let second = HEADER.len() + FRAME_HEADER + 3 + FRAME_HEADER;
        b[second] ^= 0x10;
        let s = scan(&b);
        assert_eq!(s.problems, vec![Problem::Checksum { at: second - FRAME_HEADER }]);
        assert_eq!(s.frames.iter().map(|r| &b[r.clone()]).collect::<Vec<_>>(), vec![&b"one"[..], b"three"]);
    }

    #[test]
    fn garbage_is_not_a_log() {
        assert_eq!(scan(b"hello, this is not a log at all").problems, vec![Problem::BadHeader]);
        let mut b = log(&[b"one"]);
        b.extend_from_slice(&[0xff; 16]);
        assert!(matches!(scan(&b).problems.as_slice(), [Problem::BadLength { .. }]));
    }
}
