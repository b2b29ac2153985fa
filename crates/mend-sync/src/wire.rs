//! The messages of both protocols, one per frame.

use crate::frame::{self, FrameError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub schema: u64,
    /// For log lines only ("mend 0.1.0").
    pub app: String,
    /// Optional messages this device understands, beyond those of its protocol version
    /// ([`FEATURE_ADDRESSES`]). A device sends such a message only to a peer whose Hello
    /// lists it, so an older Mend of the same protocol, which leaves this field out and
    /// ignores it when reading, never receives a tag it would refuse.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// The feature of [`Msg::Addresses`]: "tell me where the space's devices can be reached".
pub const FEATURE_ADDRESSES: &str = "addresses";
/// The feature of [`Msg::Attest`]: "I send, and read, the proofs of who wrote what I relay".
pub const FEATURE_ATTEST: &str = "attest";

/// One device's proof that its changes up to `heads` are its own: an Ed25519 signature by
/// the device's key over [`mend_core::attest::attestation_message`]. Hex throughout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub device: mend_core::DeviceId,
    pub heads: Vec<String>,
    pub sig: String,
}

/// The most attestations one message carries, and the most heads each may name: a couple's
/// devices, a few proofs each.
pub const MAX_ATTESTATIONS: usize = 256;
pub const MAX_ATTESTED_HEADS: usize = 16;
pub const MAX_ATTEST_BYTES: usize = 256 << 10;

/// Reads a peer's attestations, bounded before they are parsed. Their signatures are the
/// engine's to check.
pub fn parse_attestations(bytes: &[u8]) -> Result<Vec<Attestation>, KnownError> {
    if bytes.len() > MAX_ATTEST_BYTES {
        return Err(KnownError::TooLarge { len: bytes.len(), max: MAX_ATTEST_BYTES });
    }
    let mut list: Vec<Attestation> = serde_json::from_slice(bytes).map_err(|e| KnownError::Malformed(e.to_string()))?;
    if list.len() > MAX_ATTESTATIONS {
        return Err(KnownError::TooMany { count: list.len(), max: MAX_ATTESTATIONS });
    }
    list.retain(|a| a.heads.len() <= MAX_ATTESTED_HEADS);
    Ok(list)
}

/// The longest list of addresses a device reads. Thirty-two devices with four addresses
/// and a relay each take about 8 KiB; anything much longer is not a couple's devices.
pub const MAX_KNOWN_BYTES: usize = 64 << 10;
/// The most devices one list may name.
pub const MAX_KNOWN_DEVICES: usize = 64;
/// The most addresses kept from one list for one device.
pub const MAX_ADDRS_PER_DEVICE: usize = 4;

/// Where one device of the space can be reached, as the sender knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceAddrs {
    pub device: mend_core::DeviceId,
    #[serde(default)]
    pub addrs: Vec<std::net::SocketAddr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<iroh::RelayUrl>,
    /// When the sender last reached the device at these addresses (milliseconds since the
    /// epoch); for the sender's own entry, now. None: never seen working (an invitation's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen: Option<i64>,
}

/// What a device knows of where the space's devices are: its own addresses first, then
/// what its address book holds for the other trusted devices. Sent over the authenticated
/// sync session, never written into the shared document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    pub devices: Vec<DeviceAddrs>,
}

/// Why a list of addresses was not read. None of these ends the session: the addresses
/// are only hints for the next dial, and the sync goes on without them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KnownError {
    #[error("a list of addresses of {len} bytes, over the limit of {max}")]
    TooLarge { len: usize, max: usize },
    #[error("a list of addresses naming {count} devices, over the limit of {max}")]
    TooMany { count: usize, max: usize },
    #[error("a list of addresses Mend could not read ({0})")]
    Malformed(String),
}

impl Known {
    pub fn to_bytes(&self) -> Vec<u8> {
        json(self)
    }

    /// Reads a peer's list, checking its size before parsing it. Each device's addresses
    /// are cut to [`MAX_ADDRS_PER_DEVICE`].
    pub fn parse(bytes: &[u8]) -> Result<Known, KnownError> {
        if bytes.len() > MAX_KNOWN_BYTES {
            return Err(KnownError::TooLarge { len: bytes.len(), max: MAX_KNOWN_BYTES });
        }
        let mut k: Known = serde_json::from_slice(bytes).map_err(|e| KnownError::Malformed(e.to_string()))?;
        if k.devices.len() > MAX_KNOWN_DEVICES {
            return Err(KnownError::TooMany { count: k.devices.len(), max: MAX_KNOWN_DEVICES });
        }
        for d in &mut k.devices {
            d.addrs.truncate(MAX_ADDRS_PER_DEVICE);
        }
        Ok(k)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairRequest {
    /// The ticket's secret, hex.
    pub secret: String,
    pub role: crate::Role,
    pub device_name: String,
    /// The joiner's partner, when joining as a partner with a profile of their own.
    pub partner: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairAccept {
    /// The partner the joining device belongs to now.
    pub partner: String,
    pub inviter_partner: String,
    pub inviter_device_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Hello(Hello),
    /// An Automerge sync message.
    Sync(Vec<u8>),
    /// The sender is in step with us and will close.
    Done,
    /// The sender stops the session, with a sentence for a person.
    Error(String),
    /// Where the space's devices can be reached ([`Known`], read by [`Known::parse`] in the
    /// session, so that a list too long or unreadable is ignored without ending the sync).
    /// Sent only to a peer whose Hello lists [`FEATURE_ADDRESSES`].
    Addresses(Vec<u8>),
    /// The sender's attestations ([`Attestation`], JSON), sent before sync messages to a
    /// peer whose Hello lists [`FEATURE_ATTEST`].
    Attest(Vec<u8>),
    PairRequest(PairRequest),
    PairAccept(PairAccept),
    PairReject(String),
}

const HELLO: u8 = 1;
const SYNC: u8 = 2;
const DONE: u8 = 3;
const ERROR: u8 = 4;
const ADDRESSES: u8 = 5;
const ATTEST: u8 = 6;
const PAIR_REQUEST: u8 = 16;
const PAIR_ACCEPT: u8 = 17;
const PAIR_REJECT: u8 = 18;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error(transparent)]
    Frame(#[from] FrameError),
    #[error("the peer sent a message Mend does not understand (type {0})")]
    UnknownTag(u8),
    #[error("the peer sent a malformed message: {0}")]
    Malformed(String),
}

impl Msg {
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Msg::Hello(h) => frame::encode(HELLO, &json(h)),
            Msg::Sync(b) => frame::encode(SYNC, b),
            Msg::Done => frame::encode(DONE, &[]),
            Msg::Error(s) => frame::encode(ERROR, s.as_bytes()),
            Msg::Addresses(b) => frame::encode(ADDRESSES, b),
            Msg::Attest(b) => frame::encode(ATTEST, b),
            Msg::PairRequest(r) => frame::encode(PAIR_REQUEST, &json(r)),
            Msg::PairAccept(a) => frame::encode(PAIR_ACCEPT, &json(a)),
            Msg::PairReject(s) => frame::encode(PAIR_REJECT, s.as_bytes()),
        }
    }

    pub fn decode(tag: u8, payload: Vec<u8>) -> Result<Msg, WireError> {
        let text = |p: Vec<u8>| String::from_utf8(p).map_err(|_| WireError::Malformed("text is not UTF-8".into()));
        Ok(match tag {
            HELLO => Msg::Hello(from_json(&payload)?),
            SYNC => Msg::Sync(payload),
            DONE => Msg::Done,
            ERROR => Msg::Error(text(payload)?),
            ADDRESSES => Msg::Addresses(payload),
            ATTEST => Msg::Attest(payload),
            PAIR_REQUEST => Msg::PairRequest(from_json(&payload)?),
            PAIR_ACCEPT => Msg::PairAccept(from_json(&payload)?),
            PAIR_REJECT => Msg::PairReject(text(payload)?),
            other => return Err(WireError::UnknownTag(other)),
        })
    }
}

/// Serializing these plain structs cannot fail.
fn json<T: Serialize>(v: &T) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

fn from_json<T: for<'de> Deserialize<'de>>(b: &[u8]) -> Result<T, WireError> {
    serde_json::from_slice(b).map_err(|e| WireError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_round_trips() {
        let msgs = vec![
            Msg::Hello(Hello { protocol: 1, schema: 1, app: "mend".into(), features: vec![] }),
            Msg::Hello(Hello { protocol: 1, schema: 1, app: "mend".into(), features: vec![FEATURE_ADDRESSES.into()] }),
            Msg::Addresses(Known::default().to_bytes()),
            Msg::Attest(b"[]".to_vec()),
            Msg::Sync(vec![1, 2, 3]),
            Msg::Done,
            Msg::Error("no".into()),
            Msg::PairRequest(PairRequest { secret: "ab".into(), role: crate::Role::Partner, device_name: "d".into(), partner: Some("p".into()) }),
            Msg::PairAccept(PairAccept { partner: "p".into(), inviter_partner: "q".into(), inviter_device_name: "x".into() }),
            Msg::PairReject("expired".into()),
        ];
        for m in msgs {
            let mut d = crate::frame::Decoder::default();
            d.push(&m.encode());
            let (tag, payload) = d.next_frame().unwrap().unwrap();
            assert_eq!(Msg::decode(tag, payload).unwrap(), m);
        }
    }

    /// The Hello of the Mend before addresses (protocol 1 too) has no `features`: each
    /// side reads the other's Hello, so neither refuses the other.
    #[test]
    fn a_hello_with_features_and_one_without_read_each_other() {
        #[derive(Deserialize, Serialize)]
        struct OldHello {
            protocol: u32,
            schema: u64,
            app: String,
        }
        let new = Hello { protocol: 1, schema: 1, app: "mend".into(), features: vec![FEATURE_ADDRESSES.into()] };
        let old: OldHello = serde_json::from_slice(&json(&new)).unwrap();
        assert_eq!((old.protocol, old.schema), (1, 1));
        let back: Hello = serde_json::from_slice(&json(&old)).unwrap();
        assert!(back.features.is_empty());
    }

    #[test]
    fn a_list_of_addresses_is_bounded_before_it_is_read() {
        let huge = vec![b' '; MAX_KNOWN_BYTES + 1];
        assert_eq!(Known::parse(&huge), Err(KnownError::TooLarge { len: MAX_KNOWN_BYTES + 1, max: MAX_KNOWN_BYTES }));
        let one =
            DeviceAddrs { device: mend_core::DeviceId::from_key("ab"), addrs: vec!["127.0.0.1:1".parse().unwrap(); 9], relay: None, seen: Some(1) };
        let many = Known { devices: vec![one.clone(); MAX_KNOWN_DEVICES + 1] };
        assert_eq!(Known::parse(&many.to_bytes()), Err(KnownError::TooMany { count: MAX_KNOWN_DEVICES + 1, max: MAX_KNOWN_DEVICES }));
        let k = Known::parse(&Known { devices: vec![one] }.to_bytes()).unwrap();
        assert_eq!(k.devices[0].addrs.len(), MAX_ADDRS_PER_DEVICE);
        assert!(matches!(Known::parse(b"{\"devices\": 3}"), Err(KnownError::Malformed(_))));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(Msg::decode(99, vec![]), Err(WireError::UnknownTag(99)));
        assert!(matches!(Msg::decode(HELLO, b"{not json".to_vec()), Err(WireError::Malformed(_))));
        assert!(matches!(Msg::decode(ERROR, vec![0xff, 0xfe]), Err(WireError::Malformed(_))));
    }
}
