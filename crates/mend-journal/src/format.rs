//! The bytes of the journal's files. Both kinds (a snapshot and a log) start with the same
//! fixed-size preamble, then hold frames:
//!
//! ```text
//! preamble (90 bytes)
//!   "MENDJNL" format(u8 = 1) kind(u8: 1 snapshot, 2 log) generation(u64 LE)
//!   kdf(u8: 1 = Argon2id v1.3) m_kib(u32 LE) t(u32 LE) p(u32 LE) salt(16 bytes)
//!   key check: nonce(24) + Poly1305 tag(16) sealing nothing, with every field above as
//!              associated data: it proves a key right or wrong, and the fields untouched
//!   crc32 (u32 LE) of everything above: tells disk damage from a wrong passphrase
//! frames
//!   [len u32 LE][crc32 u32 LE][nonce(24) + ciphertext + tag(16)]
//! ```
//!
//! Each frame seals one record (JSON) with associated data naming the file's kind, its
//! generation and the frame's index, so a record can't be moved between files or places
//! unnoticed. Pure functions: they can be tested on any bytes.

use crate::cipher::{self, NONCE_LEN, TAG_LEN};
use crate::error::JournalError;
use crate::kdf::{KdfParams, Key, SALT_LEN};

pub const MAGIC: &[u8; 7] = b"MENDJNL";
pub const FORMAT: u8 = 1;
const KDF_ARGON2ID_13: u8 = 1;
const FIELDS_LEN: usize = 7 + 1 + 1 + 8 + 1 + 12 + SALT_LEN;
const CHECK_LEN: usize = NONCE_LEN + TAG_LEN;
pub const PREAMBLE_LEN: usize = FIELDS_LEN + CHECK_LEN + 4;
/// Far above the largest record (an entry's text is capped at 1 MiB); a larger length means
/// the length itself is damaged.
pub const MAX_FRAME: usize = 16 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Snapshot = 1,
    Log = 2,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preamble {
    pub kind: Kind,
    pub generation: u64,
    pub params: KdfParams,
    pub salt: [u8; SALT_LEN],
    check: [u8; CHECK_LEN],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreambleProblem {
    /// Shorter than a preamble.
    Short,
    /// Does not start with the journal's magic bytes.
    NotJournal,
    /// A format this Mend does not know.
    Newer(u8),
    /// The checksum does not match: the bytes were damaged.
    Checksum,
    /// Intact, but its settings make no sense (or it names another kind of file).
    Implausible,
}

fn fields(kind: Kind, generation: u64, params: KdfParams, salt: &[u8; SALT_LEN]) -> Vec<u8> {
    let mut f = Vec::with_capacity(FIELDS_LEN);
    f.extend_from_slice(MAGIC);
    f.push(FORMAT);
    f.push(kind as u8);
    f.extend_from_slice(&generation.to_le_bytes());
    f.push(KDF_ARGON2ID_13);
    f.extend_from_slice(&params.m_kib.to_le_bytes());
    f.extend_from_slice(&params.t.to_le_bytes());
    f.extend_from_slice(&params.p.to_le_bytes());
    f.extend_from_slice(salt);
    f
}

fn check_aad(fields: &[u8]) -> Vec<u8> {
    let mut a = b"mend-journal key check".to_vec();
    a.extend_from_slice(fields);
    a
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}

impl Preamble {
    pub fn new(kind: Kind, generation: u64, params: KdfParams, salt: [u8; SALT_LEN], key: &Key) -> Result<Preamble, JournalError> {
        let sealed = cipher::seal(key, &check_aad(&fields(kind, generation, params, &salt)), b"")?;
        let mut check = [0u8; CHECK_LEN];
        check.copy_from_slice(&sealed);
        Ok(Preamble { kind, generation, params, salt, check })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut b = fields(self.kind, self.generation, self.params, &self.salt);
        b.extend_from_slice(&self.check);
        let crc = crc32fast::hash(&b);
        b.extend_from_slice(&crc.to_le_bytes());
        b
    }

    /// Reads the preamble at the start of `bytes`; `kind` is what the file's name says it is.
    pub fn decode(bytes: &[u8], kind: Kind) -> Result<Preamble, PreambleProblem> {
        if bytes.len() >= MAGIC.len() && &bytes[..MAGIC.len()] != MAGIC {
            return Err(PreambleProblem::NotJournal);
        }
        if bytes.len() > MAGIC.len() && bytes[MAGIC.len()] > FORMAT && bytes.len() >= PREAMBLE_LEN {
            return Err(PreambleProblem::Newer(bytes[MAGIC.len()]));
        }
        if bytes.len() < PREAMBLE_LEN {
            return Err(PreambleProblem::Short);
        }
        let body = &bytes[..PREAMBLE_LEN - 4];
        if crc32fast::hash(body) != le_u32(bytes, PREAMBLE_LEN - 4) {
            return Err(PreambleProblem::Checksum);
        }
        let found_kind = match bytes[8] {
            1 => Kind::Snapshot,
            2 => Kind::Log,
            _ => return Err(PreambleProblem::Implausible),
        };
        let params = KdfParams { m_kib: le_u32(bytes, 18), t: le_u32(bytes, 22), p: le_u32(bytes, 26) };
        if bytes[MAGIC.len()] != FORMAT || found_kind != kind || bytes[17] != KDF_ARGON2ID_13 || !params.plausible() {
            return Err(PreambleProblem::Implausible);
        }
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(&bytes[30..30 + SALT_LEN]);
        let mut check = [0u8; CHECK_LEN];
        check.copy_from_slice(&bytes[FIELDS_LEN..FIELDS_LEN + CHECK_LEN]);
        Ok(Preamble { kind, generation: le_u64(bytes, 9), params, salt, check })
    }

    /// An authenticated check: true only for the key this preamble was made with, and only
    /// if none of its fields changed.
    pub fn key_opens(&self, key: &Key) -> bool {
        cipher::open(key, &check_aad(&fields(self.kind, self.generation, self.params, &self.salt)), &self.check).is_some()
    }
}

/// Associated data of one record: which kind of file, which generation, which place in it.
pub fn record_aad(kind: Kind, generation: u64, index: u64) -> Vec<u8> {
    let mut a = Vec::with_capacity(25);
    a.extend_from_slice(MAGIC);
    a.push(FORMAT);
    a.push(kind as u8);
    a.extend_from_slice(&generation.to_le_bytes());
    a.extend_from_slice(&index.to_le_bytes());
    a
}

/// The journal's frames are mend-fs's (`[len][crc32][nonce | ciphertext | tag]`); a frame's
/// index among them, damaged ones included, is part of its record's associated data.
pub use mend_fs::frames::{FRAME_HEADER, Frame, FrameProblem, Frames as Scan, encode_frame};

/// Scans the frames of a file; they start right after the preamble, whether or not the
/// preamble itself is readable.
pub fn scan(bytes: &[u8]) -> Scan {
    mend_fs::frames::scan_frames(bytes, PREAMBLE_LEN, NONCE_LEN + TAG_LEN..=MAX_FRAME)
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    fn key(b: u8) -> Key {
        Zeroizing::new([b; 32])
    }

    fn preamble() -> Preamble {
        Preamble::new(Kind::Log, 3, KdfParams::INSECURE_FAST_FOR_TESTS, [9; SALT_LEN], &key(1)).expect("preamble")
    }

    #[test]
    fn a_preamble_reads_back_and_checks_its_key() {
        let p = preamble();
        let b = p.encode();
        assert_eq!(b.len(), PREAMBLE_LEN);
        let back = Preamble::decode(&b, Kind::Log).expect("decodes");
        assert_eq!(back, p);
        assert!(back.key_opens(&key(1)));
        assert!(!back.key_opens(&key(2)));
        assert_eq!(Preamble::decode(&b, Kind::Snapshot), Err(PreambleProblem::Implausible));
    }

    #[test]
    fn every_flipped_bit_in_a_preamble_is_damage_not_a_wrong_key() {
        let b = preamble().encode();
        for i in 0..b.len() {
            for bit in 0..8 {
                let mut t = b.clone();
                t[i] ^= 1 << bit;
                // Whatever a flip does, it never decodes into a preamble the key opens with other settings.
                if let Ok(p) = Preamble::decode(&t, Kind::Log) {
                    panic!("byte {i} bit {bit}: damaged preamble accepted: {p:?}");
                }
            }
        }
        assert_eq!(Preamble::decode(&b[..PREAMBLE_LEN - 1], Kind::Log), Err(PreambleProblem::Short));
        assert_eq!(
            Preamble::decode(b"not a journal at all, just some text that is long enough to be one", Kind::Log),
            Err(PreambleProblem::NotJournal)
        );
    }

    #[test]
    fn a_newer_format_is_named() {
        let mut b = preamble().encode();
        b[7] = 2;
        assert_eq!(Preamble::decode(&b, Kind::Log), Err(PreambleProblem::Newer(2)));
    }

    fn file(frames: &[&[u8]]) -> Vec<u8> {
        let mut v = preamble().encode();
        for f in frames {
            v.extend(encode_frame(f));
        }
        v
    }

    #[test]
    fn frames_read_back_and_a_cut_is_a_torn_tail() {
        let a = [1u8; 50];
        let b = [2u8; 60];
        let bytes = file(&[&a, &b]);
        let s = scan(&bytes);
        assert!(s.is_clean());
        assert_eq!(s.count, 2);
        assert_eq!(&bytes[s.frames[1].body.clone()], &b[..]);
        let first_end = PREAMBLE_LEN + FRAME_HEADER + 50;
        for cut in PREAMBLE_LEN + 1..bytes.len() {
            let s = scan(&bytes[..cut]);
            if cut == first_end {
                assert!(s.is_clean() && s.count == 1);
                continue;
            }
            assert!(s.only_torn_tail(), "cut at {cut}: {:?}", s.problems);
            assert_eq!(s.good_end, if cut >= first_end { first_end } else { PREAMBLE_LEN });
            assert_eq!(s.count, if cut >= first_end { 1 } else { 0 });
        }
    }

    #[test]
    fn a_flipped_bit_costs_only_its_frame_and_keeps_the_indexes() {
        let mut bytes = file(&[&[1u8; 50], &[2u8; 50], &[3u8; 50]]);
        let second = PREAMBLE_LEN + FRAME_HEADER + 50 + FRAME_HEADER + 10;
        bytes[second] ^= 0x40;
        let s = scan(&bytes);
        assert_eq!(s.problems, vec![FrameProblem::Checksum { at: PREAMBLE_LEN + FRAME_HEADER + 50 }]);
        assert_eq!(s.frames.iter().map(|f| f.index).collect::<Vec<_>>(), vec![0, 2]);
        assert_eq!(s.count, 3);
    }

    #[test]
    fn garbage_after_frames_is_a_bad_length() {
        let mut bytes = file(&[&[1u8; 50]]);
        bytes.extend_from_slice(&[0xff; 40]);
        assert!(matches!(scan(&bytes).problems.as_slice(), [FrameProblem::BadLength { .. }]));
    }
}
