//! The backup file, byte by byte (IO-free: bytes in, bytes out).
//!
//! ```text
//! header   "MENDBAK\0" · format u32 LE · header length u32 LE · crc32 u32 LE
//!          kdf u8 (1 = Argon2id v1.3) · m_kib u32 LE · t u32 LE · p u32 LE · salt [16]
//!          key check: nonce [24] + Poly1305 tag [16], sealing nothing
//! body     nonce [24] · XChaCha20-Poly1305 ciphertext of the archive · tag [16]
//! archive  "MENDARC1" · count u32 LE · count × (path length u16 LE · path (UTF-8, '/')
//!          · mode u32 LE · length u64 LE · bytes)
//! ```
//!
//! The first 20 bytes keep their meaning in every future format, so any Mend can tell a
//! backup from a newer Mend (a good checksum, a higher format) from a damaged one (a bad
//! checksum). The crc32 covers the whole header but itself: damage to the header is told
//! from a wrong passphrase, which only the key check catches. The key check and the body
//! are sealed with the header's fields (all but the crc) as associated data, so no field can
//! be changed unnoticed.

use crate::BackupError;
use mend_journal::sealing::{self, KdfParams, Key, NONCE_LEN, SALT_LEN, TAG_LEN};
use std::path::Path;
use zeroize::Zeroizing;

pub const MAGIC: &[u8; 8] = b"MENDBAK\0";
/// The format this Mend writes, and the newest it reads.
pub const FORMAT: u32 = 1;
const KDF_ARGON2ID_13: u8 = 1;
/// Where the crc32 sits; the fields before it are the same in every format.
const CRC_AT: usize = 16;
const KDF_AT: usize = 20;
const SALT_AT: usize = KDF_AT + 1 + 12;
const CHECK_AT: usize = SALT_AT + SALT_LEN;
/// The length of a format-1 header.
pub const HEADER_LEN: usize = CHECK_AT + NONCE_LEN + TAG_LEN;

const ARCHIVE_MAGIC: &[u8; 8] = b"MENDARC1";
/// Bounds for what a backup may claim, so that a hostile or damaged file cannot make
/// Mend allocate without end before it is found out.
pub const MAX_FILES: usize = 1 << 20;
pub const MAX_PATH: usize = 1024;

/// One file of the profile: its path relative to the profile folder ('/' between parts),
/// its Unix mode bits and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub path: String,
    pub mode: u32,
    pub bytes: Zeroizing<Vec<u8>>,
}

/// The parts of a profile a backup may hold (the same names the store knows), and nothing
/// else: a path outside them is damage or forgery, and is never written.
const TOP: &[&str] = &["profile.json", "device.key", "space", "journal", "sync", "damaged"];

/// Whether `path` may be restored: relative, inside one of the profile's parts, no `..`,
/// no hidden names, no more than four levels deep.
pub fn path_is_allowed(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let Some(first) = parts.first() else { return false };
    let file_only = matches!(*first, "profile.json" | "device.key");
    TOP.contains(first)
        && (if file_only { parts.len() == 1 } else { (2..=4).contains(&parts.len()) })
        && parts.iter().all(|p| !p.is_empty() && !p.starts_with('.') && !p.contains(['\\', '\0']) && p.len() <= 255)
}

pub fn encode_archive(files: &[FileEntry]) -> Zeroizing<Vec<u8>> {
    let total: usize = files.iter().map(|f| 2 + f.path.len() + 4 + 8 + f.bytes.len()).sum();
    let mut out = Zeroizing::new(Vec::with_capacity(12 + total));
    out.extend_from_slice(ARCHIVE_MAGIC);
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for f in files {
        out.extend_from_slice(&(f.path.len() as u16).to_le_bytes());
        out.extend_from_slice(f.path.as_bytes());
        out.extend_from_slice(&f.mode.to_le_bytes());
        out.extend_from_slice(&(f.bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&f.bytes);
    }
    out
}

/// The files of an archive, or None when anything about it is off: a length past the end,
/// a path that is not allowed or comes twice, bytes left over.
pub fn decode_archive(bytes: &[u8]) -> Option<Vec<FileEntry>> {
    let mut r = Reader { bytes, at: 0 };
    if r.take(8)? != ARCHIVE_MAGIC {
        return None;
    }
    let count = r.u32()? as usize;
    if count > MAX_FILES {
        return None;
    }
    let mut files: Vec<FileEntry> = Vec::with_capacity(count.min(1024));
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..count {
        let len = r.u16()? as usize;
        if len > MAX_PATH {
            return None;
        }
        let path = std::str::from_utf8(r.take(len)?).ok()?.to_owned();
        if !path_is_allowed(&path) || !seen.insert(path.clone()) {
            return None;
        }
        let mode = r.u32()?;
        let n = usize::try_from(r.u64()?).ok()?;
        let data = Zeroizing::new(r.take(n)?.to_vec());
        files.push(FileEntry { path, mode, bytes: data });
    }
    // A file may not be a folder of another ("space" and "space/x").
    if files.iter().any(|f| seen.range(format!("{}/", f.path)..).next().is_some_and(|p| p.starts_with(&format!("{}/", f.path)))) {
        return None;
    }
    (r.at == bytes.len()).then_some(files)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// The header's fields that the key check and the body are bound to: all of it but the crc
/// and the key check, with a word saying which of the two is sealed.
fn aad(header: &[u8], what: &[u8]) -> Vec<u8> {
    let mut a = Vec::with_capacity(CHECK_AT + what.len());
    a.extend_from_slice(&header[..CRC_AT]);
    a.extend_from_slice(&header[KDF_AT..CHECK_AT]);
    a.extend_from_slice(what);
    a
}

fn header_crc(header: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&header[..CRC_AT]);
    h.update(&header[KDF_AT..]);
    h.finalize()
}

fn map_crypto(e: mend_journal::JournalError) -> BackupError {
    match e {
        mend_journal::JournalError::Random(why) => BackupError::Random(why),
        other => BackupError::Kdf(other.to_string()),
    }
}

/// Seals an archive with a key derived from `passphrase`: the whole backup file.
pub fn seal(passphrase: &str, params: KdfParams, archive: &[u8]) -> Result<Vec<u8>, BackupError> {
    let salt = sealing::random_salt().map_err(map_crypto)?;
    let key = sealing::derive_key(passphrase.as_bytes(), &salt, params).map_err(map_crypto)?;
    let mut out = Vec::with_capacity(HEADER_LEN + NONCE_LEN + archive.len() + TAG_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT.to_le_bytes());
    out.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.push(KDF_ARGON2ID_13);
    for v in [params.m_kib, params.t, params.p] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&salt);
    let check = sealing::seal(&key, &aad(&out, b"check"), b"").map_err(|_| BackupError::Encrypt)?;
    out.extend_from_slice(&check);
    let crc = header_crc(&out);
    out[CRC_AT..KDF_AT].copy_from_slice(&crc.to_le_bytes());
    let body = sealing::seal(&key, &aad(&out, b"body"), archive).map_err(|_| BackupError::Encrypt)?;
    out.extend_from_slice(&body);
    Ok(out)
}

/// What reading a header found, before any key is derived.
pub struct Header {
    params: KdfParams,
    salt: [u8; SALT_LEN],
}

/// Reads and checks the header: a Mend backup, of a format this Mend reads, undamaged.
pub fn read_header(file: &[u8], path: &Path) -> Result<Header, BackupError> {
    let damaged = || BackupError::Damaged { path: path.to_owned() };
    if file.len() < MAGIC.len() || &file[..MAGIC.len()] != MAGIC {
        // A file cut before its magic's end was a backup once, or was never one: either
        // way, the same words fit.
        return Err(BackupError::NotABackup { path: path.to_owned() });
    }
    let u32_at = |at: usize| file.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_le_bytes);
    let (Some(format), Some(header_len), Some(crc)) = (u32_at(8), u32_at(12), u32_at(CRC_AT)) else { return Err(damaged()) };
    let header_len = header_len as usize;
    // Bounded so that a damaged length cannot send the crc over gigabytes.
    if !(KDF_AT..=64 * 1024).contains(&header_len) || file.len() < header_len {
        return Err(damaged());
    }
    let header = &file[..header_len];
    if header_crc(header) != crc {
        return Err(damaged());
    }
    if format > FORMAT {
        return Err(BackupError::Newer { path: path.to_owned(), found: format, supported: FORMAT });
    }
    if format != FORMAT || header_len != HEADER_LEN || header[KDF_AT] != KDF_ARGON2ID_13 {
        return Err(damaged());
    }
    let params = KdfParams { m_kib: u32_at(KDF_AT + 1).unwrap_or(0), t: u32_at(KDF_AT + 5).unwrap_or(0), p: u32_at(KDF_AT + 9).unwrap_or(0) };
    if !params.plausible() {
        return Err(damaged());
    }
    let salt: [u8; SALT_LEN] = header[SALT_AT..CHECK_AT].try_into().map_err(|_| damaged())?;
    Ok(Header { params, salt })
}

/// The key from the passphrase, proven against the header's key check.
pub fn unlock(file: &[u8], header: &Header, passphrase: &str, path: &Path) -> Result<Key, BackupError> {
    let key = sealing::derive_key(passphrase.as_bytes(), &header.salt, header.params).map_err(map_crypto)?;
    let h = &file[..HEADER_LEN];
    match sealing::open(&key, &aad(h, b"check"), &h[CHECK_AT..]) {
        Some(empty) if empty.is_empty() => Ok(key),
        _ => Err(BackupError::WrongPassphrase { path: path.to_owned() }),
    }
}

/// The archive's files, once the key is proven: any damage past the header is caught here.
pub fn open_body(file: &[u8], key: &Key, path: &Path) -> Result<Vec<FileEntry>, BackupError> {
    let damaged = || BackupError::Damaged { path: path.to_owned() };
    let h = &file[..HEADER_LEN];
    let archive = sealing::open(key, &aad(h, b"body"), &file[HEADER_LEN..]).ok_or_else(damaged)?;
    decode_archive(&archive).ok_or_else(damaged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, bytes: &[u8]) -> FileEntry {
        FileEntry { path: path.to_owned(), mode: 0o600, bytes: Zeroizing::new(bytes.to_vec()) }
    }

    fn sample() -> Vec<FileEntry> {
        vec![entry("profile.json", b"{}"), entry("space/snapshot-1.am", b"words"), entry("journal/log-1.enc", &[0u8; 40])]
    }

    const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;

    fn open_all(file: &[u8], pass: &str) -> Result<Vec<FileEntry>, BackupError> {
        let p = Path::new("b.mendbackup");
        let h = read_header(file, p)?;
        let k = unlock(file, &h, pass, p)?;
        open_body(file, &k, p)
    }

    #[test]
    fn round_trip() {
        let file = seal("correct horse", FAST, &encode_archive(&sample())).unwrap();
        assert_eq!(open_all(&file, "correct horse").unwrap(), sample());
        assert!(!file.windows(5).any(|w| w == b"words"), "sealed, not stored");
    }

    #[test]
    fn wrong_passphrase_damage_and_newer_are_told_apart() {
        let file = seal("correct horse", FAST, &encode_archive(&sample())).unwrap();
        assert!(matches!(open_all(&file, "correct horsf"), Err(BackupError::WrongPassphrase { .. })));
        for i in 0..file.len() {
            let mut f = file.clone();
            f[i] ^= 0x10;
            let r = open_all(&f, "correct horse");
            assert!(matches!(r, Err(BackupError::Damaged { .. }) | Err(BackupError::NotABackup { .. })), "byte {i}: {:?}", r.err());
        }
        for n in 0..file.len() {
            let r = open_all(&file[..n], "correct horse");
            assert!(matches!(r, Err(BackupError::Damaged { .. }) | Err(BackupError::NotABackup { .. })), "cut at {n}: {:?}", r.err());
        }
        let mut newer = file.clone();
        newer[8..12].copy_from_slice(&2u32.to_le_bytes());
        let crc = header_crc(&newer[..HEADER_LEN]);
        newer[CRC_AT..KDF_AT].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(open_all(&newer, "correct horse"), Err(BackupError::Newer { found: 2, .. })));
    }

    #[test]
    fn archives_refuse_what_could_escape_or_lie() {
        for bad in
            ["../x", "/etc/passwd", "space/../../x", "logs/mend.log", "space", "device.key/x", "space/.hidden", "", "space//x", "journal/a/b/c/d"]
        {
            assert!(!path_is_allowed(bad), "{bad}");
            let a = encode_archive(&[entry(bad, b"x")]);
            assert!(decode_archive(&a).is_none(), "{bad}");
        }
        for good in ["profile.json", "device.key", "space/log-1.log", "damaged/123-0-log-1.log", "sync/peers.json"] {
            assert!(path_is_allowed(good), "{good}");
        }
        let twice = encode_archive(&[entry("space/a", b"1"), entry("space/a", b"2")]);
        assert!(decode_archive(&twice).is_none());
        let mut extra = encode_archive(&sample()).to_vec();
        extra.push(0);
        assert!(decode_archive(&extra).is_none());
        let mut huge = ARCHIVE_MAGIC.to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_archive(&huge).is_none());
    }
}
