//! One sync session with one peer, IO-free: feed it the peer's messages and local changes,
//! send what it returns. The async shell ([`crate::drive`]) and the in-memory network in the tests
//! drive the same code.

use crate::space::{SharedSpace, SpaceError};
use crate::wire::{DeviceAddrs, FEATURE_ADDRESSES, FEATURE_ATTEST, Hello, Known, Msg};
use automerge::sync;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("{0}")]
    Version(String),
    #[error("the other device sent something Mend does not understand ({0}); Mend disconnected it without applying that message")]
    Malformed(String),
    #[error("the other device stopped: {0}")]
    Remote(String),
    #[error(transparent)]
    Space(#[from] SpaceError),
    #[error("the other device sent a message out of order")]
    Unexpected,
    /// The peer's changes were refused before any was kept; see [`refused_note`] and
    /// [`refused_reply`] for what each side is told.
    #[error("the other device sent {0}; nothing it sent was kept")]
    Refused(mend_core::Refusal),
}

/// What this device says about a peer whose changes it refused. `peer` is the peer's name.
pub fn refused_note(peer: &str, why: &mend_core::Refusal) -> String {
    match why {
        mend_core::Refusal::NewerMend { .. } => {
            format!("{peer} sent {why}: update Mend here to keep syncing with it. Nothing it sent was kept; everything here is as it was")
        }
        mend_core::Refusal::Unreadable(_) => format!("{peer} sent {why}. Nothing it sent was kept; everything here is as it was"),
    }
}

/// What the refusing device tells the peer, true from the peer's side. `me` is the name of
/// the refusing device.
pub fn refused_reply(me: &str, why: &mend_core::Refusal) -> String {
    match why {
        mend_core::Refusal::NewerMend { found, supported } => format!(
            "{me} reads Mend spaces up to schema {supported}, so it could not accept what this device sent (schema {found}) and kept none of it: update Mend on {me} to keep syncing with it"
        ),
        mend_core::Refusal::Unreadable(_) => format!("{me} could not accept what this device sent and kept none of it: {why}"),
    }
}

impl SessionError {
    /// What the other device is told before the connection closes. The Display texts speak
    /// from this device's side ("the other device sent…", "update Mend on this device"), so
    /// sending them as they are would tell the other person something untrue about theirs.
    pub fn for_peer(&self) -> String {
        match self {
            SessionError::Version(_) => "the other device could not sync with this one: the two run different versions of Mend. Update Mend on both devices".into(),
            SessionError::Malformed(_) | SessionError::Unexpected => {
                "the other device could not understand what this device sent and ended the sync; nothing on this device was changed. Update Mend on both devices if it happens again".into()
            }
            SessionError::Space(_) => "the other device could not save what this device sent and ended the sync; nothing on this device was changed, and the next sync tries again".into(),
            SessionError::Remote(why) => why.clone(),
            // Where the device's name is known, the shell sends `refused_reply` with it.
            SessionError::Refused(why) => refused_reply("the other device", why),
        }
    }
}

/// How many lists of addresses one session sends, and reads: the first, and the updates a
/// live session sends when where the devices are changes. A couple's devices change places
/// far less often than that within one connection.
pub const MAX_LISTS: u8 = 8;

pub struct Session {
    state: sync::State,
    got_hello: bool,
    /// The last time we were asked, we had nothing to send.
    idle: bool,
    /// The peer said it is in step and closing.
    pub peer_done: bool,
    /// What this device tells the peer about where the space's devices are, once the
    /// peer's Hello says it understands it.
    offer: Option<Known>,
    /// The peer's Hello listed [`FEATURE_ADDRESSES`].
    peer_reads_lists: bool,
    /// The last list sent, so that a live session sends another only when it says
    /// something new; and how many were sent.
    sent: Option<Known>,
    lists_sent: u8,
    /// How many lists came from the peer: at most [`MAX_LISTS`] are read, so a peer
    /// cannot keep this device busy rewriting its address book.
    lists_read: u8,
    /// Entries of the peer's list for devices this device does not trust (yet). A device
    /// that is joining learns the space's devices only from the sync that follows the
    /// list, so they are looked at again whenever the document changes, and forgotten
    /// with the session: a list never adds a device.
    pending: Vec<DeviceAddrs>,
    /// The device at the other end, as the connection proves it: its own changes need no
    /// attestation.
    peer: Option<mend_core::DeviceId>,
    /// The peer's Hello listed [`FEATURE_ATTEST`].
    peer_reads_attestations: bool,
    /// The attestations last sent, so that one is sent again only when it changed.
    attested: Option<Vec<u8>>,
}

/// What handling one message did.
#[derive(Debug, Default)]
pub struct Handled {
    pub replies: Vec<Msg>,
    /// The shared document changed (so other sessions may have something to send).
    pub changed: bool,
    /// Where trusted devices of the space can be reached, as the peer says: for the
    /// address book ([`crate::peers::Peers::hear`]). Never this device itself.
    pub learned: Vec<DeviceAddrs>,
    /// Something the peer sent was ignored, in words for the log; the session goes on.
    pub note: Option<String>,
}

impl Session {
    /// `saved` is this peer's persisted sync state: with it, a reconnect does not resend the
    /// whole history.
    pub fn new(saved: Option<&[u8]>) -> Session {
        let state = saved.and_then(|b| sync::State::decode(b).ok()).unwrap_or_default();
        Session {
            state,
            got_hello: false,
            idle: false,
            peer_done: false,
            offer: None,
            peer_reads_lists: false,
            sent: None,
            lists_sent: 0,
            lists_read: 0,
            pending: vec![],
            peer: None,
            peer_reads_attestations: false,
            attested: None,
        }
    }

    /// The device at the other end of the connection (its key is the connection's).
    pub fn with_peer(mut self, peer: mend_core::DeviceId) -> Session {
        self.peer = Some(peer);
        self
    }

    /// Where the devices are changed while the session is open (a live session: a device
    /// was added, or one was reached somewhere new): the list to send now, if the peer
    /// reads lists and this one tells it something the last did not.
    pub fn update_offer(&mut self, known: Known) -> Option<Msg> {
        if !self.got_hello {
            self.offer = Some(known);
            return None;
        }
        if !self.peer_reads_lists {
            return None;
        }
        self.send_list(known)
    }

    fn send_list(&mut self, known: Known) -> Option<Msg> {
        // When each address was seen moves on with every list; only the places matter.
        let places = |k: &Known| k.devices.iter().map(|d| (d.device.clone(), d.addrs.clone(), d.relay.clone())).collect::<Vec<_>>();
        if self.lists_sent >= MAX_LISTS || self.sent.as_ref().is_some_and(|s| places(s) == places(&known)) {
            return None;
        }
        self.lists_sent += 1;
        let m = Msg::Addresses(known.to_bytes());
        self.sent = Some(known);
        Some(m)
    }

    /// What to tell the peer about where the space's devices are (see [`Msg::Addresses`]).
    pub fn offering(mut self, known: Known) -> Session {
        self.offer = Some(known);
        self
    }

    pub fn hello(schema: u64) -> Msg {
        Msg::Hello(Hello {
            protocol: crate::PROTOCOL_VERSION,
            schema,
            app: format!("mend {}", env!("CARGO_PKG_VERSION")),
            features: vec![FEATURE_ADDRESSES.into(), FEATURE_ATTEST.into()],
        })
    }

    pub fn state_bytes(&self) -> Vec<u8> {
        self.state.encode()
    }

    pub fn handle<S: SharedSpace + ?Sized>(&mut self, space: &mut S, msg: Msg) -> Result<Handled, SessionError> {
        match msg {
            Msg::Hello(h) => {
                if h.protocol != crate::PROTOCOL_VERSION {
                    return Err(SessionError::Version(format!(
                        "the other device speaks sync protocol {} and this one {}: update Mend on both devices",
                        h.protocol,
                        crate::PROTOCOL_VERSION
                    )));
                }
                let ours = space.schema_version();
                if h.schema > ours {
                    return Err(SessionError::Version(format!(
                        "the other device runs a newer Mend (schema {}; this one reads up to {ours}): update Mend on this device to keep syncing",
                        h.schema
                    )));
                }
                if h.schema < ours {
                    return Err(SessionError::Version(format!(
                        "the other device runs an older Mend (schema {}; this space is schema {ours}): update Mend on that device to keep syncing",
                        h.schema
                    )));
                }
                self.got_hello = true;
                self.peer_reads_attestations = h.features.iter().any(|f| f == FEATURE_ATTEST);
                let mut replies = self.generate(space);
                // Only to a peer that said it reads it: an older Mend of this protocol would
                // take the unknown message for garbage and end the sync.
                self.peer_reads_lists = h.features.iter().any(|f| f == FEATURE_ADDRESSES);
                if self.peer_reads_lists
                    && let Some(known) = self.offer.take()
                {
                    replies.extend(self.send_list(known));
                }
                Ok(Handled { replies, ..Handled::default() })
            }
            Msg::Sync(bytes) => {
                if !self.got_hello {
                    return Err(SessionError::Unexpected);
                }
                let m = sync::Message::decode(&bytes).map_err(|e| SessionError::Malformed(e.to_string()))?;
                let changed = space.receive(self.peer.as_ref(), &mut self.state, m).map_err(|e| match e {
                    crate::SpaceError::Refused(r) => SessionError::Refused(r),
                    e => SessionError::Space(e),
                })?;
                let learned = if changed { self.trusted_now(space) } else { vec![] };
                Ok(Handled { replies: self.generate(space), changed, learned, note: None })
            }
            Msg::Addresses(bytes) => {
                if !self.got_hello {
                    return Err(SessionError::Unexpected);
                }
                self.lists_read = self.lists_read.saturating_add(1);
                if self.lists_read > MAX_LISTS {
                    // Said once; the ones after are dropped without a word.
                    let note = (self.lists_read == MAX_LISTS + 1).then(|| {
                        format!("the other device sent more than {MAX_LISTS} lists of addresses in one session; Mend reads no more of them until the next session")
                    });
                    return Ok(Handled { note, ..Handled::default() });
                }
                match Known::parse(&bytes) {
                    Ok(known) => {
                        self.pending = known.devices;
                        Ok(Handled { learned: self.trusted_now(space), ..Handled::default() })
                    }
                    Err(e) => {
                        Ok(Handled { note: Some(format!("the other device sent {e}; Mend ignored it and went on syncing")), ..Handled::default() })
                    }
                }
            }
            Msg::Attest(bytes) => {
                if !self.got_hello {
                    return Err(SessionError::Unexpected);
                }
                match crate::wire::parse_attestations(&bytes) {
                    Ok(list) => {
                        space.hear_attestations(list);
                        Ok(Handled::default())
                    }
                    Err(e) => Ok(Handled {
                        note: Some(format!("the other device sent proofs Mend could not read ({e}); what they would prove waits for the next sync")),
                        ..Handled::default()
                    }),
                }
            }
            Msg::Done => {
                self.peer_done = true;
                Ok(Handled::default())
            }
            Msg::Error(why) => Err(SessionError::Remote(why)),
            Msg::PairRequest(_) | Msg::PairAccept(_) | Msg::PairReject(_) => Err(SessionError::Unexpected),
        }
    }

    /// The entries of the peer's list that name devices this device trusts now (never
    /// itself); the others wait for the document to change.
    fn trusted_now<S: SharedSpace + ?Sized>(&mut self, space: &mut S) -> Vec<DeviceAddrs> {
        if self.pending.is_empty() {
            return vec![];
        }
        let me = space.device();
        self.pending.retain(|d| d.device != me);
        let (now, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending).into_iter().partition(|d| space.is_trusted(&d.device));
        self.pending = later;
        now
    }

    /// Something changed locally: anything new for this peer?
    pub fn local_change<S: SharedSpace + ?Sized>(&mut self, space: &mut S) -> Vec<Msg> {
        if !self.got_hello {
            return vec![];
        }
        self.generate(space)
    }

    fn generate<S: SharedSpace + ?Sized>(&mut self, space: &mut S) -> Vec<Msg> {
        match space.generate(&mut self.state) {
            Some(m) => {
                self.idle = false;
                // The proofs of who wrote what this message may carry, before it, when they
                // changed: the peer needs them to take changes this device passes on.
                let mut out = vec![];
                if self.peer_reads_attestations {
                    let list = space.attestations();
                    let bytes = serde_json::to_vec(&list).unwrap_or_default();
                    if !list.is_empty() && self.attested.as_ref() != Some(&bytes) {
                        out.push(Msg::Attest(bytes.clone()));
                        self.attested = Some(bytes);
                    }
                }
                out.push(Msg::Sync(m.encode()));
                out
            }
            None => {
                self.idle = true;
                vec![]
            }
        }
    }

    /// Both sides hold the same document and nothing is left to send.
    pub fn in_step<S: SharedSpace + ?Sized>(&self, space: &mut S) -> bool {
        let mut ours = space.heads();
        ours.sort();
        let theirs = self.state.their_heads.clone().map(|mut h| {
            h.sort();
            h
        });
        self.got_hello && self.idle && theirs.as_ref() == Some(&ours)
    }
}

#[cfg(test)]
mod peer_words {
    use super::SessionError;

    #[test]
    fn what_the_other_device_is_told_is_true_from_its_side() {
        let errors = [
            SessionError::Version(
                "the other device runs a newer Mend (schema 3; this one reads up to 2): update Mend on this device to keep syncing".into(),
            ),
            SessionError::Malformed("bad bytes".into()),
            SessionError::Unexpected,
            SessionError::Space(crate::space::SpaceError::Failed("disk full".into())),
        ];
        for e in errors {
            let told = e.for_peer();
            // The receiver reads these about itself: it sent, the other device refused.
            assert!(!told.contains("the other device sent"), "{told}");
            assert!(!told.contains("nothing it sent"), "{told}");
            assert!(!told.contains("on this device to keep"), "{told}");
            assert!(told.starts_with("the other device could not"), "{told}");
        }
    }
}
