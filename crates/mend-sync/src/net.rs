//! Building this device's iroh endpoint, for real use or for local-only use (tests, CI, a
//! couple on one home network who want nothing to leave it).

use crate::error::SyncError;
use iroh::endpoint::{NetReportConfig, PortmapperConfig, presets};
use iroh::{Endpoint, RelayMode, SecretKey};
use std::net::{Ipv4Addr, SocketAddr};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetMode {
    /// iroh's relays and DNS address lookup, plus mDNS on the local network: partners in
    /// different houses find each other.
    Default,
    /// Relays off, no DNS, no mDNS, no port mapping: only addresses this device already
    /// knows. Nothing is sent anywhere else.
    LocalOnly,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetConfig {
    pub mode: NetMode,
    /// The socket to listen on. In local-only mode it defaults to 127.0.0.1.
    pub bind: Option<SocketAddr>,
}

impl NetConfig {
    pub fn local_only(bind: Option<SocketAddr>) -> NetConfig {
        NetConfig { mode: NetMode::LocalOnly, bind }
    }
}

/// Binds the endpoint. `preferred_port` is the port this device used last time: tried first
/// (when the configured port is 0), so that peers find it again without discovery.
pub async fn bind(secret: SecretKey, cfg: &NetConfig, alpns: Vec<Vec<u8>>, preferred_port: Option<u16>) -> Result<Endpoint, SyncError> {
    let default_ip = match cfg.mode {
        NetMode::LocalOnly => Ipv4Addr::LOCALHOST.into(),
        NetMode::Default => Ipv4Addr::UNSPECIFIED.into(),
    };
    let addr = cfg.bind.unwrap_or(SocketAddr::new(default_ip, 0));
    if addr.port() == 0
        && let Some(p) = preferred_port.filter(|p| *p != 0)
        && let Ok(ep) = bind_at(secret.clone(), cfg.mode, alpns.clone(), SocketAddr::new(addr.ip(), p)).await
    {
        return Ok(ep);
    }
    bind_at(secret, cfg.mode, alpns, addr).await
}

async fn bind_at(secret: SecretKey, mode: NetMode, alpns: Vec<Vec<u8>>, addr: SocketAddr) -> Result<Endpoint, SyncError> {
    let bad = |e: String| SyncError::Bind(format!("{e} (address {addr})"));
    let builder = match mode {
        NetMode::LocalOnly => Endpoint::builder(presets::Minimal)
            .relay_mode(RelayMode::Disabled)
            .clear_address_lookup()
            .portmapper_config(PortmapperConfig::Disabled)
            .net_report_config(NetReportConfig::minimal())
            .clear_ip_transports()
            .bind_addr(addr)
            .map_err(|e| bad(e.to_string()))?,
        NetMode::Default => {
            let b = Endpoint::builder(presets::N0).address_lookup(iroh_mdns_address_lookup::MdnsAddressLookup::builder());
            if addr.port() != 0 || !addr.ip().is_unspecified() {
                b.clear_ip_transports().bind_addr(addr).map_err(|e| bad(e.to_string()))?
            } else {
                b
            }
        }
    };
    builder.secret_key(secret).alpns(alpns).bind().await.map_err(|e| bad(e.to_string()))
}
