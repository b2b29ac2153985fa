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
/// A later Mend would number its formats 2, 3 and so on. A changed first character of the
/// text makes the first byte 8 or more, so that reads as a typo, not as a newer Mend.
const LATER_FORMATS: std::ops::RangeInclusive<u8> = 2..=7;
const NEWER: &str = "newer format";
const CHANGED: &str = "changed format byte";

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
            Some((b, _)) if LATER_FORMATS.contains(b) => Err(ParseError::verification_failed(NEWER)),
            Some(_) => Err(ParseError::verification_failed(CHANGED)),
            None => Err(ParseError::verification_failed("empty")),
        }
    }
}

/// What can be wrong with a pasted invitation, each with what to do about it. The words never
/// include a dependency's own error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    #[error("the invitation is empty: paste the whole invitation shown on the other device")]
    Empty,
    #[error("that is not a Mend invitation: a Mend invitation starts with \"mend\". Copy the whole invitation from the other device's screen")]
    NotMend,
    #[error(
        "that invitation is cut short: part of it is missing. Copy all of it again (it is long, so check its end came along too), or ask for a new one"
    )]
    CutShort,
    #[error("that invitation has a typo: {0}. Copy it again instead of typing it, or ask for a new one")]
    Mistyped(&'static str),
    #[error(
        "that invitation looks like it comes from another version of Mend (or a character near its start changed): copy it again; if it still fails, update Mend on both devices and make a new invitation"
    )]
    Version,
    #[error("that invitation expired {0}: ask for a new one")]
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
    /// network: a garbled or expired ticket is refused before any traffic. Whether it was
    /// already used only the inviting device knows; it says so when asked.
    pub fn parse(text: &str, now_secs: u64) -> Result<Ticket, TicketError> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if t.is_empty() {
            return Err(TicketError::Empty);
        }
        let Some(body) = t.strip_prefix(<Ticket as iroh_tickets::Ticket>::KIND) else { return Err(TicketError::NotMend) };
        if body.is_empty() {
            return Err(TicketError::CutShort);
        }
        if !body.chars().all(|c| matches!(c, 'a'..='z' | '2'..='7')) {
            return Err(TicketError::Mistyped("it has a character that is never in an invitation (they use only letters and the digits 2 to 7)"));
        }
        // Base32 without padding: these lengths can't be whole, so characters are missing.
        if matches!(body.len() % 8, 1 | 3 | 6) {
            return Err(TicketError::CutShort);
        }
        let ticket = <Ticket as iroh_tickets::Ticket>::decode_string(&t).map_err(|e| match e {
            ParseError::Verify { message, .. } if message == NEWER => TicketError::Version,
            ParseError::Postcard { source: postcard::Error::DeserializeUnexpectedEnd, .. } => TicketError::CutShort,
            ParseError::Encoding { .. } => TicketError::Mistyped("a character near its end is wrong or missing"),
            ParseError::Kind { .. } => TicketError::NotMend,
            _ => TicketError::Mistyped("part of it is changed"),
        })?;
        // Whatever decodes is written back the same way: extra characters mean a changed ticket.
        if ticket.to_text() != t {
            return Err(TicketError::Mistyped("it has characters that do not belong to it"));
        }
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
        assert_eq!(Ticket::parse("", 0), Err(TicketError::Empty));
        assert_eq!(Ticket::parse(" \n ", 0), Err(TicketError::Empty));
        assert_eq!(Ticket::parse("hello", 0), Err(TicketError::NotMend));
        assert_eq!(Ticket::parse("https://example.com/mend", 0), Err(TicketError::NotMend));
        assert_eq!(Ticket::parse("mend", 0), Err(TicketError::CutShort));
        assert!(matches!(Ticket::parse(&format!("{text}!"), 0), Err(TicketError::Mistyped(_))));
        assert!(matches!(Ticket::parse(&format!("{}0{}", &text[..20], &text[21..]), 0), Err(TicketError::Mistyped(_))));
    }

    #[test]
    fn a_ticket_cut_short_says_part_is_missing_never_another_version() {
        let text = ticket().to_text();
        for end in 5..text.len() {
            let e = Ticket::parse(&text[..end], 0).unwrap_err();
            assert!(e.to_string().contains("missing"), "cut at {end}: {e}");
            assert_ne!(e, TicketError::Version, "cut at {end}");
        }
    }

    #[test]
    fn one_changed_character_is_a_typo_not_another_version() {
        let text = ticket().to_text();
        let alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        // Position 5 holds the low bits of the format byte: a change there reads as a format
        // number, which is why the version message also mentions a changed character.
        for i in (4..text.len()).filter(|i| *i != 5) {
            for c in alphabet.chars().filter(|c| *c != text.as_bytes()[i] as char).step_by(7) {
                let changed = format!("{}{c}{}", &text[..i], &text[i + 1..]);
                match Ticket::parse(&changed, 0) {
                    // The secret or an address changed: the inviting device refuses it.
                    Ok(t) => assert_ne!(t, ticket()),
                    Err(e) => assert!(matches!(e, TicketError::Mistyped(_) | TicketError::CutShort), "{i} -> {c}: {e}"),
                }
            }
        }
    }

    #[test]
    fn a_ticket_from_a_later_format_is_named_as_such() {
        let mut bytes = <Ticket as iroh_tickets::Ticket>::encode_bytes(&ticket());
        bytes[0] = 2;
        let mut text = "mend".to_owned();
        text.push_str(&data_encoding_free_base32(&bytes));
        assert_eq!(Ticket::parse(&text, 0), Err(TicketError::Version));
    }

    /// RFC 4648 base32, lowercase, no padding (what iroh tickets use), kept here so the test
    /// needs no dependency of its own.
    fn data_encoding_free_base32(bytes: &[u8]) -> String {
        const A: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
        let (mut out, mut acc, mut bits) = (String::new(), 0u32, 0);
        for b in bytes {
            acc = (acc << 8) | u32::from(*b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(A[((acc >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(A[((acc << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    #[test]
    fn messages_never_promise_a_fixed_lifetime() {
        for e in [TicketError::Expired("2 minutes ago".into()), TicketError::Version, TicketError::CutShort] {
            assert!(!e.to_string().contains("10 minutes") && !e.to_string().contains("ten minutes"), "{e}");
        }
    }

    #[test]
    fn expired_tickets_are_refused_before_any_traffic() {
        let text = ticket().to_text();
        assert!(matches!(Ticket::parse(&text, 1_600), Err(TicketError::Expired(_))));
        assert!(Ticket::parse(&text, 1_599).is_ok());
    }
}
