//! The network steps that every front end needs in the same order: binding this device's
//! endpoint on the port it used last time, and joining a space with a ticket. The CLI and
//! the window both call these, so a change to how Mend pairs is made once.

use crate::{Command, Engine, EngineError};
use mend_core::{DeviceId, PartnerId};
use mend_store::DeviceKey;
use mend_sync::Hub;
use mend_sync::wire::PairRequest;
use mend_sync::{Endpoint, NetConfig, Role, Ticket};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

const NET_BLOB: &str = "net.json";

fn lock(e: &Arc<Mutex<Engine>>) -> MutexGuard<'_, Engine> {
    // A panic elsewhere must not lock the user out: what is behind the mutex is still whole.
    e.lock().unwrap_or_else(|p| p.into_inner())
}

/// The ALPNs a Mend device answers on.
pub(crate) fn alpns() -> Vec<Vec<u8>> {
    vec![mend_sync::SYNC_ALPN.to_vec(), mend_sync::PAIR_ALPN.to_vec()]
}

/// Binds this device's endpoint, on the port it used last time when it can, so peers find
/// it again without discovery.
pub(crate) async fn bind(engine: &Arc<Mutex<Engine>>, net: &NetConfig) -> Result<Endpoint, EngineError> {
    let (key, port) = {
        let e = lock(engine);
        let port = e
            .blobs()
            .load(NET_BLOB)
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["port"].as_u64())
            .and_then(|p| u16::try_from(p).ok());
        (e.secret_key()?, port)
    };
    let ep = mend_sync::net::bind(key, net, alpns(), port).await?;
    save_port(&lock(engine), &ep);
    Ok(ep)
}

/// Keeping the port across runs lets peers find this device again without discovery.
pub(crate) fn save_port(engine: &Engine, ep: &Endpoint) {
    if let Some(p) = ep.bound_sockets().first().map(|s| s.port()) {
        // Best effort: without it the next run picks a new port and peers relearn it.
        if let Err(e) = engine.blobs().save(NET_BLOB, serde_json::json!({ "port": p }).to_string().as_bytes()) {
            tracing::debug!(error = %e, "the port is not kept for the next run");
        }
    }
}

/// What joining produced: the opened profile, and how the first sync went.
pub struct Joined {
    pub engine: Engine,
    /// Whether the first sync with the inviting device finished.
    pub in_sync: bool,
    /// Other trusted devices that could not be synced yet, in words.
    pub notes: Vec<String>,
}

/// Joins the space of the device that made `ticket`: as a partner (opening this profile, or
/// creating it with `name`), or as another device of the inviter (a new profile).
///
/// Nothing is written until the inviter accepts: a used, expired or wrong ticket, or an
/// inviter out of reach, leaves the folder as it was. A join stopped after that (killed,
/// or the first sync cut off) leaves a profile that the next `pair join` on the same folder
/// takes up again, with the same device key, so the inviter does not list a second device.
pub(crate) async fn join(dir: &Path, net: &NetConfig, ticket: &Ticket, name: Option<&str>, device_name: &str) -> Result<Joined, EngineError> {
    let mut device_name = device_name.to_owned();
    // What the profile will be: opened now when it exists, created once the inviter accepts.
    enum Start {
        Existing(Box<Engine>),
        /// A profile whose device key is lost: it joins as a new device (a new key) and
        /// keeps everything it holds; the key is replaced only once the inviter accepted.
        Rejoin {
            key: DeviceKey,
            partner: PartnerId,
        },
        New {
            key: DeviceKey,
            partner: Option<(PartnerId, String)>,
        },
    }
    let start = if crate::profile_exists(dir) {
        let e = Engine::open(dir)?;
        if e.key_lost().is_some() {
            device_name = e.device_name().to_owned();
            Start::Rejoin { key: DeviceKey::generate(), partner: e.me().partner.clone() }
        } else if ticket.role == Role::OwnDevice && !unfinished_own_device_join(&e) {
            return Err(EngineError::Pairing(format!(
                "{} already holds a Mend profile; to add this computer as another of your devices, join from a new, empty profile folder (--profile NEW_DIR)",
                dir.display()
            )));
        } else {
            device_name = e.device_name().to_owned();
            Start::Existing(Box::new(e))
        }
    } else {
        let partner = match ticket.role {
            Role::Partner => {
                let name = name
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .ok_or(EngineError::Pairing("joining as a partner from a new profile needs your name: add --name YOUR_NAME".into()))?;
                Some((PartnerId::from_uuid(uuid::Uuid::now_v7()), name.to_owned()))
            }
            Role::OwnDevice => None,
        };
        Start::New { key: DeviceKey::generate(), partner }
    };
    let (secret_key, partner) = match &start {
        Start::Existing(e) => (e.secret_key()?, (ticket.role == Role::Partner).then(|| e.me().partner.clone())),
        Start::Rejoin { key, partner, .. } => (key.secret().clone(), (ticket.role == Role::Partner).then(|| partner.clone())),
        Start::New { key, partner } => (key.secret().clone(), partner.as_ref().map(|(p, _)| p.clone())),
    };
    let ep = mend_sync::net::bind(secret_key, net, alpns(), None).await?;
    let req =
        PairRequest { secret: hex(&ticket.secret), role: ticket.role, device_name: device_name.clone(), partner: partner.map(|p| p.to_string()) };
    let accept = match mend_sync::request_pairing(&ep, ticket, req).await {
        Ok(a) => a,
        Err(e) => {
            ep.close().await;
            return Err(e.into());
        }
    };
    let accepted_as = PartnerId::from_key(&accept.partner);
    let made = match start {
        Start::Existing(e) if ticket.role == Role::OwnDevice && e.me().partner != accepted_as => Err(EngineError::Pairing(format!(
            "{} holds the start of a join to another person's space, so it cannot join {}'s: join from a new, empty profile folder (--profile NEW_DIR)",
            dir.display(),
            ticket.inviter
        ))),
        Start::Existing(e) => Ok(*e),
        // Another person's space is never taken into this profile (an unknown partner is
        // the empty id: both profile.json and the key were lost, so anyone's may fit).
        Start::Rejoin { partner, .. } if !partner.as_str().is_empty() && partner != accepted_as => Err(EngineError::Pairing(format!(
            "this profile belongs to another person than the one {} added, so it cannot join with this invitation: ask for an invitation from a device of yours or of your partner",
            ticket.inviter
        ))),
        Start::Rejoin { key, .. } => Engine::adopt_new_key(dir, key, accepted_as, &device_name),
        Start::New { key, partner: Some((partner, name)) } => Engine::init_as(dir, key, partner, &name, &device_name),
        Start::New { key, partner: None } => Engine::create_joined(dir, key, accepted_as, &device_name),
    };
    let mut engine = match made {
        Ok(e) => e,
        Err(e) => {
            ep.close().await;
            return Err(e);
        }
    };
    save_port(&engine, &ep);
    let inviter = DeviceId::from_public_key(ticket.addr.id.as_bytes());
    let trusted = engine.execute(Command::TrustDevice {
        device: inviter.clone(),
        partner: PartnerId::from_key(&accept.inviter_partner),
        name: accept.inviter_device_name.clone(),
    });
    if let Err(e) = trusted {
        ep.close().await;
        return Err(e);
    }
    let engine = Arc::new(Mutex::new(engine));
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let hub = Hub::new(engine.clone(), tx);
    hub.remember_endpoint_addr(&inviter, &ticket.addr);
    // The first sync is with the inviter alone: it is online (it just answered) and holds
    // the space. Other devices (a re-joining profile trusts many, some long gone) sync at
    // the next `serve` or `sync --once`, instead of each holding the join up to a timeout.
    let first = tokio::time::timeout(Duration::from_secs(60), hub.dial(&ep, &inviter, false)).await;
    ep.close().await;
    drop(hub);
    let (in_sync, notes) = match first {
        Ok(Ok(())) => (true, vec![]),
        Ok(Err(e)) => (false, vec![format!("could not sync with {} yet: {e}", accept.inviter_device_name)]),
        Err(_) => (false, vec![format!("could not sync with {} yet: it took longer than a minute", accept.inviter_device_name)]),
    };
    // The hub and its tasks are gone, so this is the last handle.
    let engine = match Arc::try_unwrap(engine) {
        Ok(m) => m.into_inner().unwrap_or_else(|p| p.into_inner()),
        Err(_) => return Err(EngineError::Pairing("internal: the network still holds the profile".into())),
    };
    Ok(Joined { engine, in_sync, notes })
}

/// A profile made by joining as another device, whose first sync never finished: the
/// device's own entry in the space comes only with that sync (the inviter writes it), so
/// until then the profile holds nothing but the genesis and its trust in the inviter, and a
/// new `pair join` takes it up again instead of refusing the folder.
fn unfinished_own_device_join(e: &Engine) -> bool {
    !e.view().devices.contains_key(&e.me().device) && e.view().record_count() == 0
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Why a ticket cannot be used, or what it is for.
pub(crate) fn parse_ticket(text: &str) -> Result<Ticket, EngineError> {
    Ticket::parse(text.trim(), mend_sync::now_secs()).map_err(|e| EngineError::Pairing(e.to_string()))
}
