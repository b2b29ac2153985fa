//! One Mend profile, opened: the store and the shared document behind the API that the GUI
//! and the CLI share. Front ends send [`Command`]s and read the [`View`]; a running profile
//! is a [`node::Node`]. They never touch Automerge, iroh or files themselves: what they need
//! of the network comes re-exported here as plain types.

pub mod asking;
pub mod background;
mod command;
pub mod doubts;
mod engine;
mod error;
pub mod export;
mod history;
mod ids;
pub mod node;
pub mod notices;
mod pairing;
pub mod printable;
mod proofs;
pub mod questions;
mod seen;
mod sync_space;
pub mod waiting;
pub mod when;

/// The app id: the window's Wayland app id and X11 class, the name of the desktop entry,
/// icon and metainfo files in `packaging/linux/` (docks and window lists match them), and
/// what a notification names as its sender.
pub const APP_ID: &str = "app.mend.Mend";

/// A device's name until the person chooses one: "Ana's laptop", never the host name.
pub fn default_device_name(person: Option<&str>) -> String {
    match person.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{n}'s laptop"),
        None => "another laptop".to_owned(),
    }
}

pub use command::Command;
pub use engine::{Engine, Outcome};
pub use error::EngineError;
pub use history::HistoryEntry;
pub use mend_core::{self as core, View};
pub use mend_store::{DeviceKey, Recovery, SPACE_DIR};
pub use mend_sync::net::{RelayUrlError, parse_relay_url};
pub use mend_sync::peers::{Link, PeerInfo};
pub use mend_sync::{NetConfig, NetMode, Role};

/// Whether `dir` holds a finished Mend profile.
pub fn profile_exists(dir: &std::path::Path) -> bool {
    mend_store::Profile::exists(dir)
}

/// Where the network mode chosen in Settings is kept (in the profile's `sync/` folder).
const NETWORK_BLOB: &str = "network.json";

fn saved_network(dir: &std::path::Path) -> serde_json::Value {
    mend_store::Blobs::new(dir).load(NETWORK_BLOB).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(serde_json::Value::Null)
}

/// The network mode this profile chose in Settings: `Some(true)` for local-only.
pub fn saved_local_only(dir: &std::path::Path) -> Option<bool> {
    saved_network(dir)["local_only"].as_bool()
}

/// The couple's own relay as this profile saved it in Settings, if any.
pub fn saved_relay(dir: &std::path::Path) -> Option<String> {
    saved_network(dir)["relay"].as_str().map(str::to_owned)
}

/// The network for a command or the window: local-only when the flag, `MEND_NET=local`, or
/// the profile's saved choice says so; otherwise relays and discovery. The relay saved in
/// Settings, if any (a `--relay` given to a command replaces it). A saved relay that no
/// longer reads as one is left out, and logged: the device then uses the usual relays.
///
/// Local-only from the flag or `MEND_NET` (tests, diagnosis) listens on 127.0.0.1 unless
/// `bind` says otherwise. Local-only chosen in Settings is a couple's "only our home
/// network": it listens on every interface, or the partner's device in the next room could
/// never reach this one.
pub fn net_config(dir: &std::path::Path, flag: bool, env: Option<&str>, bind: Option<std::net::SocketAddr>) -> NetConfig {
    let saved = saved_local_only(dir) == Some(true);
    let local = flag || env == Some("local") || saved;
    let relay = saved_relay(dir)
        .and_then(|r| parse_relay_url(&r).map_err(|e| tracing::warn!(error = %e, "the saved relay does not read as one; using none")).ok());
    let bind = bind.or_else(|| saved.then(|| std::net::SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, 0))));
    NetConfig { mode: if local { NetMode::LocalOnly } else { NetMode::Default }, bind, relay, relay_only: false }
}

impl Engine {
    /// What this device remembers of each peer (where and when it last synced), by device id.
    pub fn peer_infos(&self) -> std::collections::BTreeMap<String, PeerInfo> {
        mend_sync::peers::Peers::from_blob(self.blobs().load(mend_sync::peers::BLOB)).peers
    }

    /// Saves the network mode for the next start (Settings), keeping the saved relay.
    pub fn set_local_only(&self, local_only: bool) -> Result<(), EngineError> {
        let mut n = saved_network(self.dir());
        if !n.is_object() {
            n = serde_json::json!({});
        }
        n["local_only"] = serde_json::json!(local_only);
        Ok(self.blobs().save(NETWORK_BLOB, n.to_string().as_bytes())?)
    }

    /// Saves the couple's own relay for the next start (Settings), or clears it. The text
    /// must read as a relay's address; it is checked here so that a typo is said at once,
    /// not found at the next start.
    pub fn set_relay(&self, relay: Option<&str>) -> Result<(), EngineError> {
        let relay = relay.map(str::trim).filter(|r| !r.is_empty());
        if let Some(r) = relay {
            parse_relay_url(r).map_err(|e| EngineError::Pairing(format!("that relay address does not work: {e}")))?;
        }
        let mut n = saved_network(self.dir());
        if !n.is_object() {
            n = serde_json::json!({});
        }
        n["relay"] = relay.map_or(serde_json::Value::Null, |r| serde_json::json!(r));
        Ok(self.blobs().save(NETWORK_BLOB, n.to_string().as_bytes())?)
    }
}

#[cfg(test)]
mod net_tests {
    use super::*;

    #[test]
    fn the_saved_network_choice_makes_every_start_local_only() {
        let t = tempfile::tempdir().unwrap();
        let e = Engine::init(t.path(), "Ana", "laptop").unwrap();
        let mode = |flag, env| net_config(t.path(), flag, env, None).mode;
        assert_eq!(mode(false, None), mend_sync::NetMode::Default);
        assert_eq!(mode(true, None), mend_sync::NetMode::LocalOnly);
        assert_eq!(mode(false, Some("local")), mend_sync::NetMode::LocalOnly);
        e.set_local_only(true).unwrap();
        assert_eq!(saved_local_only(t.path()), Some(true));
        assert_eq!(mode(false, None), mend_sync::NetMode::LocalOnly);
        e.set_local_only(false).unwrap();
        assert_eq!(mode(false, None), mend_sync::NetMode::Default);
    }

    #[test]
    fn local_only_chosen_in_settings_listens_on_the_home_network_and_the_test_flag_on_loopback_only() {
        let t = tempfile::tempdir().unwrap();
        let e = Engine::init(t.path(), "Ana", "laptop").unwrap();
        // The flag and MEND_NET=local leave the address to the endpoint: 127.0.0.1.
        assert_eq!(net_config(t.path(), true, None, None).bind, None);
        assert_eq!(net_config(t.path(), false, Some("local"), None).bind, None);
        e.set_local_only(true).unwrap();
        let every = "0.0.0.0:0".parse().unwrap();
        assert_eq!(net_config(t.path(), false, None, None).bind, Some(every), "reachable from the partner's device at home");
        let given = "192.168.1.5:7842".parse().unwrap();
        assert_eq!(net_config(t.path(), false, None, Some(given)).bind, Some(given), "--bind still decides");
        e.set_local_only(false).unwrap();
        assert_eq!(net_config(t.path(), false, None, None).bind, None, "the default mode binds as iroh does");
    }

    #[test]
    fn the_saved_relay_is_used_at_every_start_until_cleared_and_keeps_the_mode() {
        let t = tempfile::tempdir().unwrap();
        let e = Engine::init(t.path(), "Ana", "laptop").unwrap();
        assert_eq!(net_config(t.path(), false, None, None).relay, None);
        assert!(e.set_relay(Some("relay.example.org")).is_err(), "an address without its scheme is refused at once");
        e.set_local_only(true).unwrap();
        e.set_relay(Some("https://relay.example.org")).unwrap();
        let n = net_config(t.path(), false, None, None);
        assert_eq!(n.relay.map(|r| r.to_string()), Some("https://relay.example.org/".to_owned()));
        assert_eq!(n.mode, mend_sync::NetMode::LocalOnly, "saving the relay kept the mode");
        e.set_local_only(false).unwrap();
        assert_eq!(saved_relay(t.path()).as_deref(), Some("https://relay.example.org"), "saving the mode kept the relay");
        e.set_relay(None).unwrap();
        assert_eq!(net_config(t.path(), false, None, None).relay, None);
    }
}
