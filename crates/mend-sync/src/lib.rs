//! Mend's networking. Device identity is the profile's iroh key; devices pair by a one-time
//! ticket; only devices on the shared document's trusted list may sync; the shared document
//! travels as Automerge sync messages in length-prefixed frames over QUIC.
//!
//! The protocol logic is IO-free ([`frame`], [`wire`], [`session`], [`invite`], [`ticket`]).
//! The thin async shell around it is in rooms named for what they hold: the [`Hub`] (the
//! space, live connections, events), `drive` (one session on one stream), `dial` (dialing
//! and backoff), `pairing` (both sides of it), `address_book` (where peers were reached),
//! and `stream` (framed messages, read through the fuzzed decoder). This crate reaches the profile only through
//! the [`SharedSpace`] trait, so it never sees anything private: it does not and must not
//! depend on the journal.

pub mod frame;
pub mod invite;
pub mod net;
pub mod peers;
pub mod session;
pub mod space;
pub mod tap;
pub mod ticket;
pub mod wire;

mod address_book;
mod clock;
mod dial;
mod drive;
mod error;
mod hub;
mod pairing;
mod stream;

pub use clock::{now_ms, now_secs};
pub use dial::{Outcome, parse_device};
pub use error::SyncError;
pub use hub::{Event, Hub};
pub use iroh::Endpoint;
pub use net::{NetConfig, NetMode};
pub use pairing::request_pairing;
pub use space::{SharedSpace, SpaceError};
pub use ticket::{Role, Ticket};

/// The ALPN of the sync protocol. A new wire format gets a new number.
pub const SYNC_ALPN: &[u8] = b"mend/sync/1";
/// The ALPN of the pairing exchange.
pub const PAIR_ALPN: &[u8] = b"mend/pair/1";
/// The version carried in the hello; a mismatch is refused with a message.
pub const PROTOCOL_VERSION: u32 = 1;
