//! Building this device's iroh endpoint, for real use or for local-only use (tests, CI, a
//! couple on one home network who want nothing to leave it), through n0's relays or the
//! couple's own, with or without direct paths. docs/network.md says what each choice
//! reveals to whom.

use crate::error::SyncError;
use iroh::endpoint::{IdleTimeout, NetReportConfig, PortmapperConfig, QuicTransportConfig, VarInt, presets};
use iroh::{Endpoint, RelayConfig, RelayMap, RelayMode, RelayUrl, SecretKey};
use std::net::{Ipv4Addr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetMode {
    /// Relays (n0's, or [`NetConfig::relay`]) and DNS address lookup, plus mDNS on the local
    /// network: partners in different houses find each other.
    Default,
    /// No DNS, no mDNS, no port mapping, and no relay unless [`NetConfig::relay`] names one:
    /// only addresses this device already knows, and that relay. Nothing is sent anywhere
    /// else.
    LocalOnly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    pub mode: NetMode,
    /// The socket to listen on. In local-only mode it defaults to 127.0.0.1.
    pub bind: Option<SocketAddr>,
    /// The couple's own relay. It replaces n0's relays in the default mode; in local-only
    /// mode it is the one place off this device's known addresses that Mend talks to.
    pub relay: Option<RelayUrl>,
    /// No direct path at all (no UDP socket of its own): every link goes through the relay,
    /// so a peer never learns this device's IP address, only the relay does.
    pub relay_only: bool,
}

impl NetConfig {
    pub fn local_only(bind: Option<SocketAddr>) -> NetConfig {
        NetConfig { mode: NetMode::LocalOnly, bind, relay: None, relay_only: false }
    }

    /// The relays this configuration uses; `None` when it uses none.
    fn relay_mode(&self) -> RelayMode {
        match (&self.relay, self.mode) {
            (Some(url), _) => RelayMode::Custom(own_relay_map(url)),
            (None, NetMode::Default) => RelayMode::Default,
            (None, NetMode::LocalOnly) => RelayMode::Disabled,
        }
    }

    /// Whether the configuration can reach anyone at all: relay-only needs a relay.
    pub fn check(&self) -> Result<(), SyncError> {
        if self.relay_only && self.relay_mode() == RelayMode::Disabled {
            return Err(SyncError::Bind("relay-only needs a relay, and local-only mode uses none unless one is named".into()));
        }
        Ok(())
    }
}

/// What can be wrong with a relay address a person typed, each with what to do. The words
/// never include the URL parser's own text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelayUrlError {
    #[error("the relay address is empty: give the address of your relay, such as https://relay.example.org")]
    Empty,
    #[error("that is not a relay address: give it whole, with https:// or http:// at the start, such as https://relay.example.org")]
    NotAnAddress,
    #[error("a relay address starts with https:// (or http:// for a relay on your own network), such as https://relay.example.org")]
    Scheme,
}

/// Reads the address of the couple's own relay, as a person gives it.
pub fn parse_relay_url(text: &str) -> Result<RelayUrl, RelayUrlError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RelayUrlError::Empty);
    }
    // "relay.example.org" alone parses as nothing: it lacks its scheme, which is the advice.
    let url: RelayUrl = text.parse().map_err(|_| if text.contains("://") { RelayUrlError::NotAnAddress } else { RelayUrlError::Scheme })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RelayUrlError::Scheme);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(RelayUrlError::NotAnAddress);
    }
    Ok(url)
}

/// A map of one relay. QUIC address discovery needs TLS on the relay, so a plain-HTTP relay
/// (a test's, or one on a home network) is not asked for it: that would only be a probe to a
/// port nobody listens on.
fn own_relay_map(url: &RelayUrl) -> RelayMap {
    let cfg = RelayConfig::from(url.clone());
    let cfg = if url.scheme() == "http" { RelayConfig::new(url.clone(), None) } else { cfg };
    RelayMap::from(cfg)
}

/// Binds the endpoint. `preferred_port` is the port this device used last time: tried first
/// (when the configured port is 0), so that peers find it again without discovery.
pub async fn bind(secret: SecretKey, cfg: &NetConfig, alpns: Vec<Vec<u8>>, preferred_port: Option<u16>) -> Result<Endpoint, SyncError> {
    cfg.check()?;
    let ep = bind_any(secret, cfg, alpns, preferred_port).await?;
    if cfg.relay.is_some() && tokio::time::timeout(RELAY_WAIT, ep.online()).await.is_err() {
        // Not fatal: iroh keeps trying, and direct paths (if any) work meanwhile. But an
        // invitation made now would not name the relay.
        tracing::warn!(relay = ?cfg.relay.as_ref().map(|u| u.to_string()), "the relay did not answer yet");
    }
    Ok(ep)
}

/// How long binding waits for the couple's own relay. An invitation carries the relay and a
/// dial names it only once this device is connected to it; on a working relay that takes
/// one round trip. n0's relays are not waited for: discovery finds peers there anyway.
const RELAY_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

async fn bind_any(secret: SecretKey, cfg: &NetConfig, alpns: Vec<Vec<u8>>, preferred_port: Option<u16>) -> Result<Endpoint, SyncError> {
    if cfg.relay_only {
        return bind_at(secret, cfg, alpns, None).await;
    }
    let default_ip = match cfg.mode {
        NetMode::LocalOnly => Ipv4Addr::LOCALHOST.into(),
        NetMode::Default => Ipv4Addr::UNSPECIFIED.into(),
    };
    let addr = cfg.bind.unwrap_or(SocketAddr::new(default_ip, 0));
    if addr.port() == 0
        && let Some(p) = preferred_port.filter(|p| *p != 0)
        && let Ok(ep) = bind_at(secret.clone(), cfg, alpns.clone(), Some(SocketAddr::new(addr.ip(), p))).await
    {
        return Ok(ep);
    }
    bind_at(secret, cfg, alpns, Some(addr)).await
}

/// Local-only probes nothing, except the one relay it was given: iroh picks its home relay
/// from the answer to that probe (a plain HTTP request to the relay, nowhere else), and
/// without a home relay nobody could reach this device through it.
fn local_net_report(cfg: &NetConfig) -> NetReportConfig {
    let mut report = NetReportConfig::minimal();
    report.https_probes = cfg.relay.is_some();
    report
}

/// The mDNS service Mend devices announce themselves under
/// (`<id>._mendv1._udp.local`), instead of iroh's shared `irohv1`: other iroh apps on the
/// same network do not list Mend devices, and Mend does not list theirs. The version is
/// that of the sync protocol's ALPN; a new wire format may take a new name.
pub const MDNS_SERVICE: &str = "mendv1";

/// Finding devices on the local network: mDNS under Mend's own service name.
pub fn mdns() -> iroh_mdns_address_lookup::MdnsAddressLookupBuilder {
    iroh_mdns_address_lookup::MdnsAddressLookup::builder().service_name(MDNS_SERVICE)
}

/// How long a connection may hear nothing before it counts as gone. QUIC's default, 30 s,
/// kept a link that a partition had cut "connected" in the status for all of a 30-second
/// outage. iroh sends a keep-alive after 5 s of quiet (retransmitted like any packet when
/// lost), so a live link is never this quiet; both sides use the shorter of their two.
pub const IDLE_TIMEOUT_MS: u32 = 10_000;

fn transport_config() -> QuicTransportConfig {
    QuicTransportConfig::builder().max_idle_timeout(Some(IdleTimeout::from(VarInt::from_u32(IDLE_TIMEOUT_MS)))).build()
}

/// Binds at `addr`, or with no IP socket at all when `addr` is `None` (relay only).
async fn bind_at(secret: SecretKey, cfg: &NetConfig, alpns: Vec<Vec<u8>>, addr: Option<SocketAddr>) -> Result<Endpoint, SyncError> {
    let at = addr.map_or_else(|| "through the relay only".to_owned(), |a| format!("address {a}"));
    let bad = |e: String| SyncError::Bind(format!("{e} ({at})"));
    let builder = match cfg.mode {
        NetMode::LocalOnly => Endpoint::builder(presets::Minimal)
            .clear_address_lookup()
            .portmapper_config(PortmapperConfig::Disabled)
            .net_report_config(local_net_report(cfg)),
        // mDNS announces this device's addresses on the LAN: pointless, and against the
        // point, for a device that wants no direct path.
        NetMode::Default if cfg.relay_only => Endpoint::builder(presets::N0),
        NetMode::Default => Endpoint::builder(presets::N0).address_lookup(mdns()),
    }
    .relay_mode(cfg.relay_mode())
    .transport_config(transport_config());
    // iroh's own sockets (every interface, IPv4 and IPv6) only where the default mode asks
    // for no address in particular; otherwise exactly the one asked for, or none at all.
    let iroh_defaults = cfg.mode == NetMode::Default && addr.is_some_and(|a| a.port() == 0 && a.ip().is_unspecified());
    let builder = match addr {
        _ if iroh_defaults => builder,
        Some(a) => builder.clear_ip_transports().bind_addr(a).map_err(|e| bad(e.to_string()))?,
        None => builder.clear_ip_transports(),
    };
    builder.secret_key(secret).alpns(alpns).bind().await.map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: NetMode, relay: Option<&str>, relay_only: bool) -> NetConfig {
        NetConfig { mode, bind: None, relay: relay.map(|r| r.parse().unwrap()), relay_only }
    }

    #[test]
    fn an_own_relay_replaces_n0s_and_local_only_uses_it_alone() {
        assert_eq!(cfg(NetMode::Default, None, false).relay_mode(), RelayMode::Default);
        assert_eq!(cfg(NetMode::LocalOnly, None, false).relay_mode(), RelayMode::Disabled);
        for mode in [NetMode::Default, NetMode::LocalOnly] {
            let RelayMode::Custom(map) = cfg(mode, Some("http://127.0.0.1:3340"), false).relay_mode() else { panic!("{mode:?}: not custom") };
            let urls: Vec<String> = map.urls::<Vec<_>>().iter().map(|u| u.to_string()).collect();
            assert_eq!(urls, vec!["http://127.0.0.1:3340/"]);
            // Plain HTTP: no QUIC address discovery probe to a port nobody listens on.
            assert!(map.get(&"http://127.0.0.1:3340".parse().unwrap()).is_some_and(|c| c.quic.is_none()));
        }
    }

    #[test]
    fn a_relay_address_is_read_calmly() {
        assert_eq!(parse_relay_url(" https://relay.example.org ").unwrap().to_string(), "https://relay.example.org/");
        assert_eq!(parse_relay_url("http://127.0.0.1:3340").unwrap().to_string(), "http://127.0.0.1:3340/");
        assert_eq!(parse_relay_url(""), Err(RelayUrlError::Empty));
        assert_eq!(parse_relay_url("relay.example.org"), Err(RelayUrlError::Scheme));
        assert_eq!(parse_relay_url("ftp://relay.example.org"), Err(RelayUrlError::Scheme));
        assert_eq!(parse_relay_url("https://"), Err(RelayUrlError::NotAnAddress));
        assert_eq!(parse_relay_url("http://[::1"), Err(RelayUrlError::NotAnAddress));
        for e in [RelayUrlError::Empty, RelayUrlError::Scheme, RelayUrlError::NotAnAddress] {
            assert!(!e.to_string().to_lowercase().contains("parse"), "{e}");
        }
    }

    #[test]
    fn relay_only_without_any_relay_is_refused_before_binding() {
        assert!(cfg(NetMode::LocalOnly, None, true).check().is_err());
        assert!(cfg(NetMode::LocalOnly, Some("http://127.0.0.1:3340"), true).check().is_ok());
        assert!(cfg(NetMode::Default, None, true).check().is_ok());
    }
}
