//! Mend's files on one device. A profile is a folder:
//!
//! ```text
//! profile.json     which device and partner this is (written last at set-up)
//! device.key       the device's iroh secret key, owner-only
//! space/           the shared document: snapshot-N.am + log-N.log generations, a lock, and
//!                  view.cache (the view of one exact state of those files; only a cache)
//! sync/            sync's own small files: per-peer sync state, peer addresses, invitations
//! damaged/         files that failed to load, kept aside untouched for the user
//! ```
//!
//! Everything here is crash-safe: appends are fsynced before an action is reported done,
//! snapshots are written to a temporary file, fsynced, renamed and the folder fsynced.

mod blobs;
mod docstore;
mod error;
mod key;
pub mod log;
mod profile;
mod recovery;
mod viewcache;

/// The folder of a profile that holds the shared space (its snapshot, log and view cache).
pub const SPACE_DIR: &str = "space";

pub use blobs::Blobs;
pub use docstore::{Cached, DocStore, LoadedDoc, LockGuard, Opening, PendingDoc, forge_cached_view_for_tests, restamp_view_cache_for_tests};
pub use error::StoreError;
pub use key::DeviceKey;
pub use profile::{KeyProblem, Profile, Settings, refuse_unless_empty, set_up};
pub use recovery::Recovery;
