//! What a running node tells its owner: one stream of plain events, each with the words a
//! person reads in the window's activity list and in `serve`'s log.

use crate::printable;
use mend_core::DeviceId;
use mend_sync::Role;
use mend_sync::peers::Link;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The shared space changed under this node (a partner's changes arrived, or another
    /// Mend on this profile saved something): whatever shows it should read it again. It
    /// names the records that changed (empty when it could not tell: read everything).
    Changed(mend_core::Changed),
    Connected {
        peer: DeviceId,
        name: String,
        link: Link,
    },
    /// Both devices hold the same space now.
    InStep {
        peer: DeviceId,
        name: String,
    },
    /// A live connection moved to another path (relayed to direct, or back).
    LinkChanged {
        peer: DeviceId,
        name: String,
        link: Link,
    },
    Disconnected {
        peer: DeviceId,
        name: String,
        why: String,
    },
    Unreachable {
        peer: DeviceId,
        name: String,
        why: String,
    },
    /// A device that is not (or no longer) trusted tried to sync, and was turned away.
    Refused {
        peer: String,
        why: String,
    },
    Paired {
        device: DeviceId,
        name: String,
        role: Role,
    },
    PairRefused {
        why: String,
    },
    /// Something the person should hear about that no request asked for.
    Problem(String),
}

impl From<mend_sync::Event> for Event {
    fn from(e: mend_sync::Event) -> Event {
        use mend_sync::Event as S;
        match e {
            S::Changed => Event::Changed(mend_core::Changed::default()),
            S::Connected { peer, name, link } => Event::Connected { peer, name, link },
            S::InStep { peer, name } => Event::InStep { peer, name },
            S::LinkChanged { peer, name, link } => Event::LinkChanged { peer, name, link },
            S::Disconnected { peer, name, why } => Event::Disconnected { peer, name, why },
            S::Unreachable { peer, name, why } => Event::Unreachable { peer, name, why },
            S::Refused { peer, why } => Event::Refused { peer, why },
            S::Paired { device, name, role } => Event::Paired { device, name, role },
            S::PairRefused { why } => Event::PairRefused { why },
        }
    }
}

/// A reason as the log may keep it: the reasons Mend writes name the device ("Ben's laptop
/// sent..."), and a name is a person's words, which the log never holds. The device's id
/// stands in for it.
fn unnamed(why: &str, name: &str, peer: &DeviceId) -> String {
    let line = printable::line(why);
    if name.trim().is_empty() { line } else { line.replace(&printable::line(name), &format!("device {}", peer.short())) }
}

pub fn link_word(l: Link) -> &'static str {
    match l {
        Link::Direct => "direct",
        Link::Relay => "relayed",
    }
}

/// The path to a peer in `mend devices`: `lan` for a direct path to an address of the home
/// network (a private, link-local or unique-local one: what a router hands out, and what
/// mDNS finds), else as [`link_word`]. `addr` is where the peer was last reached.
pub fn path_word(l: Link, addr: Option<&std::net::SocketAddr>) -> &'static str {
    let lan = match addr.map(std::net::SocketAddr::ip) {
        Some(std::net::IpAddr::V4(ip)) => ip.is_private() || ip.is_link_local(),
        // fe80::/10 link-local, fc00::/7 unique local.
        Some(std::net::IpAddr::V6(ip)) => (ip.segments()[0] & 0xffc0) == 0xfe80 || (ip.segments()[0] & 0xfe00) == 0xfc00,
        None => false,
    };
    if l == Link::Direct && lan { "lan" } else { link_word(l) }
}

#[cfg(test)]
mod path_tests {
    use super::*;

    #[test]
    fn a_direct_path_on_the_home_network_is_lan_and_nothing_else_is() {
        let word = |l, a: &str| path_word(l, Some(&a.parse().unwrap()));
        for a in ["192.168.1.20:4000", "10.0.0.7:1", "172.20.3.4:9", "169.254.1.1:5", "[fe80::1]:5", "[fd12:3456::1]:5"] {
            assert_eq!(word(Link::Direct, a), "lan", "{a}");
            assert_eq!(word(Link::Relay, a), "relayed", "{a}");
        }
        for a in ["127.0.0.1:5", "[::1]:5", "203.0.113.9:5", "172.32.0.1:5", "[2001:db8::1]:5"] {
            assert_eq!(word(Link::Direct, a), "direct", "{a}");
        }
        assert_eq!(path_word(Link::Direct, None), "direct");
    }
}

impl Event {
    /// The event in the log file: device ids and Mend's own words, never a person's name
    /// or anything they wrote (docs/privacy.md).
    pub(crate) fn log(&self) {
        use tracing::{debug, info, warn};
        match self {
            Event::Changed(c) => debug!(records = c.records.len(), whole = c.whole.len(), "the shared space changed"),
            Event::Connected { peer, link, .. } => info!(peer = peer.short(), link = link_word(*link), "connected"),
            Event::InStep { peer, .. } => info!(peer = peer.short(), "in sync"),
            Event::LinkChanged { peer, link, .. } => info!(peer = peer.short(), link = link_word(*link), "the link changed"),
            Event::Disconnected { peer, name, why } => info!(peer = peer.short(), why = %unnamed(why, name, peer), "disconnected"),
            Event::Unreachable { peer, name, why } => info!(peer = peer.short(), why = %unnamed(why, name, peer), "unreachable"),
            Event::Refused { peer, why } => {
                warn!(peer = %printable::line(&peer.chars().take(8).collect::<String>()), why = %printable::line(why), "refused a device")
            }
            Event::Paired { device, role, .. } => info!(device = device.short(), role = ?role, "paired"),
            Event::PairRefused { why } => info!(why = %printable::line(why), "refused a pairing attempt"),
            Event::Problem(why) => warn!(why = %printable::line(why), "problem"),
        }
    }

    /// The line for an activity list or a log, made printable (names and reasons come from
    /// other devices). None for what is not news to a person (the space changed: the view
    /// shows it).
    pub fn describe(&self) -> Option<String> {
        let line = match self {
            Event::Changed(_) => return None,
            Event::Connected { name, link, .. } => format!("connected to {name} ({})", link_word(*link)),
            Event::InStep { name, .. } => format!("in sync with {name}"),
            Event::LinkChanged { name, link, .. } => format!("the link to {name} is {} now", link_word(*link)),
            Event::Disconnected { name, why, .. } => format!("disconnected from {name}: {why}"),
            Event::Unreachable { name, why, .. } => format!("could not reach {name}: {why}"),
            Event::Refused { peer, why } => format!("refused device {}: {why}", peer.chars().take(8).collect::<String>()),
            Event::Paired { name, role, .. } => {
                format!("paired with {name} ({})", if *role == Role::Partner { "your partner" } else { "another device of yours" })
            }
            Event::PairRefused { why } => format!("refused a pairing attempt: {why}"),
            Event::Problem(why) => why.clone(),
        };
        Some(printable::line(&line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_in_the_log_names_the_device_by_its_id_not_its_name() {
        let peer = DeviceId::from_public_key(&[7; 32]);
        let why = "Ben's laptop sent something Mend does not understand; Ben's laptop was disconnected";
        let logged = unnamed(why, "Ben's laptop", &peer);
        assert!(!logged.contains("Ben"), "{logged}");
        assert_eq!(logged.matches(&format!("device {}", peer.short())).count(), 2, "{logged}");
        assert_eq!(unnamed("closed", "", &peer), "closed");
    }
}
