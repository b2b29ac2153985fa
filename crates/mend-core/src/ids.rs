use serde::{Deserialize, Serialize};
use std::fmt;

/// Milliseconds since the Unix epoch, UTC. Callers supply it: the core has no clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    pub const MINUTE: i64 = 60_000;
    pub const HOUR: i64 = 60 * Self::MINUTE;
    pub const DAY: i64 = 24 * Self::HOUR;

    pub fn plus_ms(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

macro_rules! string_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

string_id!(
    /// A record's stable key in the shared document: a UUIDv7, so keys sort by creation time.
    RecordId
);
string_id!(
    /// One partner of the couple (a UUID made when their first device was set up).
    PartnerId
);
string_id!(
    /// A device: the lowercase hex of its iroh public key, which is also its Automerge actor.
    DeviceId
);

impl RecordId {
    pub fn from_uuid(u: uuid::Uuid) -> Self {
        RecordId(u.hyphenated().to_string())
    }
    /// For keys read back from the document: any non-empty key is accepted, so a record that
    /// a future Mend keys differently is still shown rather than dropped.
    pub fn from_key(k: &str) -> Self {
        RecordId(k.to_owned())
    }
}

impl PartnerId {
    pub fn from_uuid(u: uuid::Uuid) -> Self {
        PartnerId(u.hyphenated().to_string())
    }
    pub fn from_key(k: &str) -> Self {
        PartnerId(k.to_owned())
    }
}

impl DeviceId {
    pub fn from_public_key(bytes: &[u8; 32]) -> Self {
        DeviceId(hex::encode(bytes))
    }
    pub fn from_key(k: &str) -> Self {
        DeviceId(k.to_owned())
    }
    /// The Automerge actor id of this device: its public key bytes, so every change in the
    /// history names the device that made it.
    pub fn actor(&self) -> Option<automerge::ActorId> {
        hex::decode(&self.0).ok().map(automerge::ActorId::from)
    }
    pub fn from_actor(actor: &automerge::ActorId) -> Self {
        DeviceId(actor.to_hex_string())
    }
    pub fn short(&self) -> &str {
        &self.0[..self.0.len().min(8)]
    }
}
