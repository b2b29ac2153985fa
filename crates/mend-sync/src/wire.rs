//! The messages of both protocols, one per frame.

use crate::frame::{self, FrameError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub schema: u64,
    /// For log lines only ("mend 0.1.0").
    pub app: String,
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
    PairRequest(PairRequest),
    PairAccept(PairAccept),
    PairReject(String),
}

const HELLO: u8 = 1;
const SYNC: u8 = 2;
const DONE: u8 = 3;
const ERROR: u8 = 4;
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
            Msg::Hello(Hello { protocol: 1, schema: 1, app: "mend".into() }),
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

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert_eq!(Msg::decode(99, vec![]), Err(WireError::UnknownTag(99)));
        assert!(matches!(Msg::decode(HELLO, b"{not json".to_vec()), Err(WireError::Malformed(_))));
        assert!(matches!(Msg::decode(ERROR, vec![0xff, 0xfe]), Err(WireError::Malformed(_))));
    }
}
