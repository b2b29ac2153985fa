//! What this device remembers about each peer: where it was last reached, when it last
//! synced, and how. Shown by `mend devices`; used to reconnect without discovery.

use iroh::RelayUrl;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::SocketAddr;

pub const BLOB: &str = "peers.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Link {
    Direct,
    Relay,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    pub addrs: Vec<SocketAddr>,
    /// Milliseconds since the epoch.
    pub last_synced: Option<i64>,
    pub link: Option<Link>,
    /// The relay the peer was last reached through (or that its invitation named): dialled
    /// with its addresses, so a peer with no direct path is found without discovery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<RelayUrl>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Peers {
    pub peers: BTreeMap<String, PeerInfo>,
}

impl Peers {
    pub fn from_blob(b: Option<Vec<u8>>) -> Peers {
        b.and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
    }

    pub fn to_blob(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}
