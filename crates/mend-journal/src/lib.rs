//! Mend's private journal: one partner's reflections, encrypted at rest in their own profile
//! folder, never synced. No crate that syncs may depend on this one (a test reads `cargo
//! metadata` to prove it), and this one depends on nothing that touches the network.
//!
//! ```text
//! <profile>/journal/lock             flock: one writer at a time
//! <profile>/journal/snapshot-N.enc   every entry when generation N began, one sealed record each
//! <profile>/journal/log-N.enc        every add, edit and delete since, one fsynced frame each
//! ```
//!
//! The key comes from the passphrase through Argon2id (64 MiB, 3 passes, see
//! [`KdfParams::STRONG`]) with a random salt per journal; every record is sealed with
//! XChaCha20-Poly1305 under a fresh random nonce. The passphrase is never stored.
//! `docs/architecture.md` describes the format byte by byte; `docs/privacy.md` what it
//! protects and what it does not.
//!
//! ```no_run
//! # fn main() -> Result<(), mend_journal::JournalError> {
//! use mend_journal::{Journal, KdfParams, NewEntry};
//! let profile = std::path::Path::new("/tmp/ana");
//! let mut j = Journal::open_or_create(profile, "a long passphrase", KdfParams::default())?;
//! let e = j.add(NewEntry::text("Today I noticed I go quiet when I'm hurt."))?;
//! j.delete(&e.id)?; // gone from disk when this returns
//! j.lock();
//! # Ok(()) }
//! ```

mod cipher;
mod entry;
mod error;
pub mod export;
pub mod feel;
mod files;
pub mod format;
mod ids;
mod journal;
mod kdf;
mod layout;
mod load;
pub mod prompts;
mod recovery;
pub mod sealing;
mod write;

pub use entry::{Edit, Entry, MAX_TEXT, NewEntry};
pub use error::JournalError;
pub use journal::{DEFAULT_COMPACT_BYTES, Journal, MIN_PASSPHRASE_CHARS, add_entry};
pub use kdf::KdfParams;
pub use recovery::Recovery;
