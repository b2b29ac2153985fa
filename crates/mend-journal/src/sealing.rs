//! The journal's two primitives, for the one other file of a profile that a passphrase
//! protects: a backup (`mend-backup`). Argon2id from a passphrase to a key, and
//! XChaCha20-Poly1305 with a fresh random nonce per sealed message. Kept here, not copied,
//! so that one reviewed implementation (and one set of cost settings) serves both.
//!
//! Nothing in this module touches the journal's files or its keys.

use crate::error::JournalError;
use zeroize::Zeroizing;

pub use crate::cipher::{NONCE_LEN, TAG_LEN};
pub use crate::kdf::{KdfParams, Key, SALT_LEN};

/// Argon2id (v1.3) of `passphrase` with `salt` under `params`: a 256-bit key, wiped on drop.
pub fn derive_key(passphrase: &[u8], salt: &[u8; SALT_LEN], params: KdfParams) -> Result<Key, JournalError> {
    crate::kdf::derive(passphrase, salt, params)
}

/// A fresh random salt.
pub fn random_salt() -> Result<[u8; SALT_LEN], JournalError> {
    crate::kdf::random_salt()
}

/// `nonce || ciphertext || tag`, with `aad` authenticated but not encrypted.
pub fn seal(key: &Key, aad: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, JournalError> {
    crate::cipher::seal(key, aad, plaintext)
}

/// The plaintext, or None when the key is wrong or any byte of `sealed` or `aad` changed.
pub fn open(key: &Key, aad: &[u8], sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    crate::cipher::open(key, aad, sealed)
}
