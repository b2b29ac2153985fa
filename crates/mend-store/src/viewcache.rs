//! The view cache, `space/view.cache`: the view of the shared document at one exact state of
//! the files, so that opening can show it before the document has loaded.
//!
//! ```text
//! "MENDVIEW" · format u32 LE · crc32 u32 LE of everything after it · stamp length u32 LE
//! stamp (postcard: what the view was made from) · the view (mend_core `View::to_cache`)
//! ```
//!
//! It is only a cache. A file that is missing, cut short, damaged, written by another Mend
//! build or view layout, or stamped with any state other than the one on disk is ignored
//! (the profile opens the usual way and writes a new one); deleting it is always harmless.

use serde::{Deserialize, Serialize};

pub(crate) const FILE: &str = "view.cache";
const MAGIC: &[u8; 8] = b"MENDVIEW";
/// This file's own layout. (The view's layout is `mend_core::view::CACHE_FORMAT`, stamped too.)
pub(crate) const FORMAT: u32 = 1;
const HEADER: usize = MAGIC.len() + 4 + 4 + 4;

/// Exactly what the view was made from: the files' bytes and the document's heads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stamp {
    /// The Mend build that wrote it and its view layout: another build's cache is not used,
    /// even when the files match, since it may read records differently.
    pub mend: String,
    pub view_format: u32,
    /// The generation, and the length and crc32 of its snapshot file.
    pub generation: u64,
    pub snapshot_len: u64,
    pub snapshot_crc: u32,
    /// How many bytes of the generation's log (header included) the view covers, and the
    /// crc32 of the frames among them.
    pub log_len: u64,
    pub log_crc: u32,
    /// The document's heads at that state.
    pub heads: Vec<[u8; 32]>,
}

impl Stamp {
    pub(crate) fn current(generation: u64, snapshot: (u64, u32), log: (u64, u32), heads: Vec<[u8; 32]>) -> Stamp {
        Stamp {
            mend: env!("CARGO_PKG_VERSION").to_owned(),
            view_format: mend_core::view::CACHE_FORMAT,
            generation,
            snapshot_len: snapshot.0,
            snapshot_crc: snapshot.1,
            log_len: log.0,
            log_crc: log.1,
            heads,
        }
    }

    fn is_this_build(&self) -> bool {
        self.mend == env!("CARGO_PKG_VERSION") && self.view_format == mend_core::view::CACHE_FORMAT
    }
}

pub(crate) fn encode(stamp: &Stamp, view: &[u8]) -> Vec<u8> {
    // A struct of owned plain fields: postcard cannot fail on it.
    let stamp = postcard::to_stdvec(stamp).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER + stamp.len() + view.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(stamp.len() as u32).to_le_bytes());
    out.extend_from_slice(&stamp);
    out.extend_from_slice(view);
    let crc = crc32fast::hash(&out[MAGIC.len() + 8..]);
    out[MAGIC.len() + 4..MAGIC.len() + 8].copy_from_slice(&crc.to_le_bytes());
    out
}

/// The stamp and the view's bytes, if `bytes` is a whole, intact cache of this build.
pub(crate) fn decode(bytes: &[u8]) -> Option<(Stamp, &[u8])> {
    if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
        return None;
    }
    let word = |at: usize| bytes.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
    if word(MAGIC.len())? != FORMAT || word(MAGIC.len() + 4)? != crc32fast::hash(&bytes[MAGIC.len() + 8..]) {
        return None;
    }
    let stamp_len = usize::try_from(word(MAGIC.len() + 8)?).ok()?;
    let stamp_bytes = bytes.get(HEADER..HEADER.checked_add(stamp_len)?)?;
    let (stamp, rest) = postcard::take_from_bytes::<Stamp>(stamp_bytes).ok()?;
    if !rest.is_empty() || !stamp.is_this_build() {
        return None;
    }
    Some((stamp, &bytes[HEADER + stamp_len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp() -> Stamp {
        Stamp::current(3, (1234, 0xdead_beef), (8, 0), vec![[7; 32], [9; 32]])
    }

    #[test]
    fn round_trip() {
        let bytes = encode(&stamp(), b"the view");
        let (s, view) = decode(&bytes).unwrap();
        assert_eq!(s, stamp());
        assert_eq!(view, b"the view");
    }

    #[test]
    fn every_cut_and_every_flipped_bit_is_refused() {
        let bytes = encode(&stamp(), b"the view");
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(decode(&b).is_none(), "bit {bit} of byte {i}");
            }
        }
    }

    #[test]
    fn another_build_or_layout_is_refused() {
        let mut s = stamp();
        s.mend = "0.0.1-other".into();
        assert!(decode(&encode(&s, b"v")).is_none());
        let mut s = stamp();
        s.view_format += 1;
        assert!(decode(&encode(&s, b"v")).is_none());
        let mut b = encode(&stamp(), b"v");
        b[MAGIC.len()] = 2; // this file's format
        assert!(decode(&b).is_none());
    }
}
