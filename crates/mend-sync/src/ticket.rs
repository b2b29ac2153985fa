//! The invitation a device shows (as text and as a QR code): where to reach it, a one-time
//! secret, what the joiner becomes, and until when it is valid.

use iroh::EndpointAddr;
use iroh_tickets::{ParseError, Ticket as _};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The joiner is the other partner, with their own device.
    Partner,
    /// The joiner is another device of the inviting partner.
    OwnDevice,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "partner" => Some(Role::Partner),
            "own-device" => Some(Role::OwnDevice),
            _ => None,
        }
    }
}

pub const SECRET_LEN: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub addr: EndpointAddr,
    pub secret: [u8; SECRET_LEN],
    /// Seconds since the Unix epoch.
    pub expires_at: u64,
    pub role: Role,
    /// The inviting partner's name, so the joiner sees whose space this is.
    pub inviter: String,
}

const FORMAT: u8 = 1;

impl iroh_tickets::Ticket for Ticket {
    const KIND: &'static str = "mend";

    fn encode_bytes(&self) -> Vec<u8> {
        let mut out = vec![FORMAT];
        // A plain struct of owned fields: postcard cannot fail on it.
        out.extend(postcard::to_stdvec(self).unwrap_or_default());
        out
    }

    fn decode_bytes(bytes: &[u8]) -> Result<Self, ParseError> {
        match bytes.split_first() {
            Some((&FORMAT, rest)) => Ok(postcard::from_bytes(rest)?),
            Some(_) => Err(ParseError::verification_failed("made by a different version of Mend")),
            None => Err(ParseError::verification_failed("empty")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("that is not a Mend invitation: invitations start with \"mend\". Copy the whole invitation from your partner's screen")]
    NotMend,
    #[error("that invitation is incomplete or has a typo ({0}): copy all of it again, or ask for a new one")]
    Garbled(String),
    #[error("that invitation was made by a different version of Mend: update Mend on both devices, then make a new invitation")]
    Version,
    #[error("that invitation expired {0}: ask for a new one (invitations last 10 minutes)")]
    Expired(String),
}

impl Ticket {
    pub fn new(addr: EndpointAddr, role: Role, inviter: String, valid_secs: u64, now_secs: u64) -> Ticket {
        let secret: [u8; SECRET_LEN] = rand::random();
        Ticket { addr, secret, expires_at: now_secs.saturating_add(valid_secs), role, inviter }
    }

    pub fn to_text(&self) -> String {
        self.encode_string()
    }

    /// Parses what a person pasted, checking everything that can be checked without the
    /// network: a garbled or expired ticket is refused before any traffic.
    pub fn parse(text: &str, now_secs: u64) -> Result<Ticket, TicketError> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if !t.starts_with("mend") {
            return Err(TicketError::NotMend);
        }
        let ticket = <Ticket as iroh_tickets::Ticket>::decode_string(&t).map_err(|e| match e {
            ParseError::Verify { message, .. } if message.contains("version") => TicketError::Version,
            ParseError::Encoding { .. } => TicketError::Garbled("it has characters that can't be in an invitation".into()),
            ParseError::Postcard { .. } => TicketError::Garbled("part of it is missing or changed".into()),
            other => TicketError::Garbled(other.to_string()),
        })?;
        if ticket.expires_at <= now_secs {
            let ago = now_secs - ticket.expires_at;
            return Err(TicketError::Expired(if ago < 120 { format!("{ago} seconds ago") } else { format!("{} minutes ago", ago / 60) }));
        }
        Ok(ticket)
    }
}

/// The fuzz target's body: any bytes, as text a person might paste.
pub fn fuzz_entry(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(t) = Ticket::parse(&text, 0) {
        // Whatever parses must survive a round trip.
        assert_eq!(Ticket::parse(&t.to_text(), 0).ok(), Some(t), "a parsed ticket did not round-trip");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        let key = iroh::SecretKey::from_bytes(&[7; 32]);
        let addr = EndpointAddr::new(key.public()).with_ip_addr("127.0.0.1:4040".parse().unwrap());
        Ticket::new(addr, Role::Partner, "Ana".into(), 600, 1_000)
    }

    #[test]
    fn round_trip_and_whitespace_is_forgiven() {
        let t = ticket();
        let text = t.to_text();
        assert!(text.starts_with("mend"));
        assert_eq!(Ticket::parse(&text, 1_001).unwrap(), t);
        let wrapped: String = text.chars().enumerate().flat_map(|(i, c)| if i % 20 == 19 { vec![c, '\n'] } else { vec![c] }).collect();
        assert_eq!(Ticket::parse(&format!("  {}  ", wrapped.to_uppercase()), 1_001).unwrap(), t);
    }

    #[test]
    fn garbled_tickets_say_what_is_wrong() {
        let text = ticket().to_text();
        assert_eq!(Ticket::parse("hello", 0), Err(TicketError::NotMend));
        assert_eq!(Ticket::parse("", 0), Err(TicketError::NotMend));
        assert!(matches!(Ticket::parse(&text[..text.len() - 9], 0), Err(TicketError::Garbled(_))));
        assert!(matches!(Ticket::parse(&format!("{text}!"), 0), Err(TicketError::Garbled(_))));
        assert!(matches!(Ticket::parse("mend", 0), Err(TicketError::Garbled(_)) | Err(TicketError::Version)));
        let mut changed = text.clone().into_bytes();
        changed[10] = if changed[10] == b'a' { b'b' } else { b'a' };
        // A changed character either fails to parse or yields a different ticket: the
        // secret and the inviter's identity are then checked by the inviter.
        if let Ok(t) = Ticket::parse(&String::from_utf8(changed).unwrap(), 0) {
            assert_ne!(t, ticket());
        }
    }

    #[test]
    fn expired_tickets_are_refused_before_any_traffic() {
        let text = ticket().to_text();
        assert!(matches!(Ticket::parse(&text, 1_600), Err(TicketError::Expired(_))));
        assert!(Ticket::parse(&text, 1_599).is_ok());
    }
}
