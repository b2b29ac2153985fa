//! Sealing one record: XChaCha20-Poly1305 under the journal key, a fresh random 24-byte
//! nonce per record (random nonces of this size never repeat in practice, so no counter has
//! to survive crashes), and associated data that binds the record to its file and place.

use crate::error::JournalError;
use crate::kdf::Key;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

pub const NONCE_LEN: usize = 24;
pub const TAG_LEN: usize = 16;

fn cipher(key: &Key) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&chacha20poly1305::Key::from(**key))
}

/// `nonce || ciphertext || tag`.
pub(crate) fn seal(key: &Key, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, JournalError> {
    let nonce = XNonce::try_generate().map_err(|e| JournalError::Random(e.to_string()))?;
    let ct = cipher(key).encrypt(&nonce, Payload { msg: plaintext, aad }).map_err(|_| JournalError::Encrypt)?;
    let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// The plaintext, or None when the key is wrong or a single bit of the record, its nonce or
/// its associated data changed.
pub(crate) fn open(key: &Key, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return None;
    }
    let nonce = <[u8; NONCE_LEN]>::try_from(&sealed[..NONCE_LEN]).ok()?;
    cipher(key).decrypt(&XNonce::from(nonce), Payload { msg: &sealed[NONCE_LEN..], aad }).ok().map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Key {
        Zeroizing::new([b; 32])
    }

    #[test]
    fn round_trip_and_every_tamper_is_caught() {
        let sealed = seal(&key(1), b"place", b"dear diary").expect("seal");
        assert_eq!(open(&key(1), b"place", &sealed).as_deref().map(|v| v.as_slice()), Some(&b"dear diary"[..]));
        assert!(!sealed.windows(10).any(|w| w == b"dear diary"), "the plaintext must not be in the sealed bytes");
        assert!(open(&key(2), b"place", &sealed).is_none(), "wrong key");
        assert!(open(&key(1), b"other place", &sealed).is_none(), "moved to another place");
        for i in 0..sealed.len() {
            let mut t = sealed.clone();
            t[i] ^= 0x01;
            assert!(open(&key(1), b"place", &t).is_none(), "flipped bit in byte {i} went unnoticed");
        }
        assert!(open(&key(1), b"place", &sealed[..sealed.len() - 1]).is_none());
        assert!(open(&key(1), b"place", &[]).is_none());
    }

    #[test]
    fn nonces_are_fresh() {
        let a = seal(&key(1), b"", b"same").expect("seal");
        let b = seal(&key(1), b"", b"same").expect("seal");
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_ne!(a, b);
    }
}
