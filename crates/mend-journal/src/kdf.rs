//! From a passphrase to the journal's key: Argon2id.

use crate::error::JournalError;
use zeroize::Zeroizing;

/// The 256-bit key that encrypts every record. Wiped from memory when dropped.
pub type Key = Zeroizing<[u8; 32]>;

pub const SALT_LEN: usize = 16;

/// Argon2id's cost settings, stored in the journal's files so that a journal made with one
/// setting still opens after the default changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes over that memory.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// What every journal gets unless a test asks otherwise: 64 MiB, 3 passes, 1 lane.
    ///
    /// This is RFC 9106's second recommended setting (64 MiB, t=3), above OWASP's minimum
    /// for Argon2id (19 MiB, t=2). A thief with a copy of the files must spend 64 MiB and
    /// three passes on every guess, which makes GPU and ASIC guessing costly, while the
    /// owner pays it once per unlock (about a quarter to half a second on a desktop core).
    /// One lane, not RFC 9106's four: this argon2 build computes lanes one after another,
    /// so more lanes would cost the owner the same time without slowing an attacker.
    pub const STRONG: KdfParams = KdfParams { m_kib: 64 * 1024, t: 3, p: 1 };

    /// For tests only, about a thousand times cheaper than [`KdfParams::STRONG`]. Nothing
    /// chooses it unless a caller names it.
    pub const INSECURE_FAST_FOR_TESTS: KdfParams = KdfParams { m_kib: 64, t: 1, p: 1 };

    /// Bounds for settings read from disk: a damaged or tampered file must not make Mend
    /// allocate gigabytes or spin for hours before it can say the file is bad.
    pub fn plausible(&self) -> bool {
        (1..=16).contains(&self.p) && (1..=16).contains(&self.t) && self.m_kib >= 8 * self.p && self.m_kib <= 4 << 20
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::STRONG
    }
}

pub(crate) fn derive(passphrase: &[u8], salt: &[u8; SALT_LEN], params: KdfParams) -> Result<Key, JournalError> {
    let p = argon2::Params::new(params.m_kib, params.t, params.p, Some(32)).map_err(|e| JournalError::Kdf(e.to_string()))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut key: Key = Zeroizing::new([0u8; 32]);
    a.hash_password_into(passphrase, salt, key.as_mut()).map_err(|e| JournalError::Kdf(e.to_string()))?;
    Ok(key)
}

pub(crate) fn random_salt() -> Result<[u8; SALT_LEN], JournalError> {
    use chacha20poly1305::aead::Generate;
    <[u8; SALT_LEN]>::try_generate().map_err(|e| JournalError::Random(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_inputs_same_key_and_any_change_gives_another() {
        let salt = [7u8; SALT_LEN];
        let p = KdfParams::INSECURE_FAST_FOR_TESTS;
        let k = derive(b"correct horse", &salt, p).expect("derive");
        assert_eq!(*k, *derive(b"correct horse", &salt, p).expect("derive"));
        assert_ne!(*k, *derive(b"correct horsf", &salt, p).expect("derive"));
        assert_ne!(*k, *derive(b"correct horse", &[8u8; SALT_LEN], p).expect("derive"));
        assert_ne!(*k, *derive(b"correct horse", &salt, KdfParams { t: 2, ..p }).expect("derive"));
    }

    #[test]
    fn the_default_is_the_strong_setting() {
        assert_eq!(KdfParams::default(), KdfParams::STRONG);
        assert_eq!(KdfParams::STRONG, KdfParams { m_kib: 64 * 1024, t: 3, p: 1 });
        assert!(KdfParams::STRONG.plausible() && KdfParams::INSECURE_FAST_FOR_TESTS.plausible());
        assert!(!KdfParams { m_kib: u32::MAX, t: 3, p: 1 }.plausible());
        assert!(!KdfParams { m_kib: 64, t: 0, p: 1 }.plausible());
    }

    #[test]
    fn salts_are_random() {
        assert_ne!(random_salt().expect("salt"), random_salt().expect("salt"));
    }
}
