//! Mend's networking. Device identity is the profile's iroh key; devices pair by a one-time
//! ticket; only devices on the shared document's trusted list may sync; the shared document
//! travels as Automerge sync messages in length-prefixed frames over QUIC.
//!
//! The protocol logic is IO-free ([`frame`], [`wire`], [`session`], [`invite`], [`ticket`]);
//! [`node`] is the thin async shell around it. This crate reaches the profile only through
//! the [`SharedSpace`] trait, so it never sees anything private: it does not and must not
//! depend on the journal.

pub mod frame;
pub mod invite;
pub mod net;
pub mod node;
pub mod peers;
pub mod session;
pub mod space;
pub mod tap;
pub mod ticket;
pub mod wire;

mod error;

pub use error::SyncError;
pub use iroh::Endpoint;
pub use net::{NetConfig, NetMode};
pub use space::{SharedSpace, SpaceError};
pub use ticket::{Role, Ticket};

/// The ALPN of the sync protocol. A new wire format gets a new number.
pub const SYNC_ALPN: &[u8] = b"mend/sync/1";
/// The ALPN of the pairing exchange.
pub const PAIR_ALPN: &[u8] = b"mend/pair/1";
/// The version carried in the hello; a mismatch is refused with a message.
pub const PROTOCOL_VERSION: u32 = 1;
