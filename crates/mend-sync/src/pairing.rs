//! Both sides of pairing: the inviting device opens a one-time invitation and answers the
//! device that presents it; the joining device presents the ticket's secret.

use crate::error::SyncError;
use crate::hub::{Event, Hub};
use crate::invite::Invitations;
use crate::space::SharedSpace;
use crate::stream::{self, Incoming, ReadError};
use crate::ticket::{Role, Ticket};
use crate::wire::{Msg, PairAccept, PairRequest};
use iroh::Endpoint;
use iroh::endpoint::{Connection, VarInt};
use mend_core::{DeviceId, PartnerId};
use std::time::Duration;

/// Pairing requests come from strangers: they get small frames.
const MAX_PAIR_FRAME: usize = 64 << 10;
const INVITES: &str = "invites.json";

impl<S: SharedSpace> Hub<S> {
    /// Opens an invitation and returns its ticket (shown as text and QR code).
    pub fn invite(&self, endpoint: &Endpoint, role: Role, valid_secs: u64) -> Result<Ticket, SyncError> {
        let now = crate::clock::now_secs();
        let addr = crate::address_book::own_addr(endpoint);
        // A partner invitation in a space that has both partners already is how one partner
        // brings the other back after that partner's device lost its key: the join is then
        // accepted only for the partner who is already here (check_pairing), never for a third.
        self.with_space(|space| {
            let ticket = Ticket::new(addr, role, space.partner_name(), valid_secs, now);
            let mut inv = invitations(space);
            inv.add(&ticket.secret, role, ticket.expires_at, now);
            space.save_blob(INVITES, &serde_json::to_vec_pretty(&inv).unwrap_or_default())?;
            Ok(ticket)
        })
    }

    pub(crate) async fn answer_pairing(&self, conn: Connection) -> Result<(), SyncError> {
        let joiner = DeviceId::from_public_key(conn.remote_id().as_bytes());
        let (mut send, recv) = conn.accept_bi().await.map_err(|e| SyncError::Connection { who: "a joining device".into(), why: e.to_string() })?;
        let mut incoming = Incoming::new(recv, MAX_PAIR_FRAME);
        let req = match incoming.next().await {
            Ok(Some(Msg::PairRequest(r))) => r,
            Ok(_) => return Err(SyncError::Protocol("a joining device sent no pairing request".into())),
            Err(ReadError::Broken(e)) => return Err(SyncError::Connection { who: "a joining device".into(), why: e }),
            Err(ReadError::Malformed(e)) => {
                stream::say_last(&conn, &mut send, &Msg::PairReject(e.clone())).await;
                return Err(SyncError::Protocol(e));
            }
        };
        match self.with_space(|space| check_pairing(space, &joiner, &req)) {
            Err(why) => {
                self.emit(Event::PairRefused { why: why.clone() });
                stream::say_last(&conn, &mut send, &Msg::PairReject(why.clone())).await;
                // Give the refusal time to arrive before the connection goes; the joiner's
                // answer (or none) changes nothing.
                let _ = tokio::time::timeout(Duration::from_secs(5), incoming.next()).await;
                Err(SyncError::Refused(why))
            }
            Ok((accept, role)) => {
                self.remember(&joiner, &conn);
                // The joiner is trusted now whether or not it reads this: it syncs next.
                // Whether these arrive or not, the joiner learns the outcome from its first
                // sync: nothing to report here.
                let _ = stream::write(&mut send, &Msg::PairAccept(accept)).await;
                let _ = send.finish();
                self.emit(Event::Paired { device: joiner, name: req.device_name.clone(), role });
                self.notify_change();
                self.emit(Event::Changed);
                // Holds the connection until the joiner has read the answer (it closes
                // first) or ten seconds pass; either way pairing is done.
                let _ = tokio::time::timeout(Duration::from_secs(10), incoming.next()).await;
                Ok(())
            }
        }
    }
}

fn invitations<S: SharedSpace>(space: &S) -> Invitations {
    space.load_blob(INVITES).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn check_pairing<S: SharedSpace>(space: &mut S, joiner: &DeviceId, req: &PairRequest) -> Result<(PairAccept, Role), String> {
    let mut inv = invitations(space);
    let role = inv.redeem(&req.secret, crate::clock::now_secs()).map_err(|r| r.to_string());
    // A used secret stays used even if what follows fails.
    space.save_blob(INVITES, &serde_json::to_vec_pretty(&inv).unwrap_or_default()).map_err(|e| e.to_string())?;
    let role = role?;
    if role != req.role {
        return Err("that invitation was made for a different kind of device: ask for a new one".into());
    }
    let partner = match role {
        Role::OwnDevice => space.partner(),
        Role::Partner => {
            let p = req.partner.clone().ok_or("joining as a partner needs a profile with your name: run `mend init --name NAME` first")?;
            let p = PartnerId::from_key(&p);
            if p == space.partner() {
                return Err("that device belongs to you: invite it with --as own-device".into());
            }
            if space.partner_count() >= 2 && !space.has_partner(&p) {
                return Err(
                    "this space already has two partners: an invitation as a partner can only bring back a device of the partner who is already here"
                        .into(),
                );
            }
            p
        }
    };
    space.trust(joiner, &partner, &req.device_name).map_err(|e| e.to_string())?;
    Ok((PairAccept { partner: partner.to_string(), inviter_partner: space.partner().to_string(), inviter_device_name: space.device_name() }, role))
}

/// The joining side of pairing: presents the ticket's secret and learns the outcome.
pub async fn request_pairing(endpoint: &Endpoint, ticket: &Ticket, req: PairRequest) -> Result<PairAccept, SyncError> {
    let who = format!("{}'s device", ticket.inviter);
    let unreachable = |why: String| SyncError::Unreachable {
        who: who.clone(),
        why: format!(
            "{why}. Check that `mend pair invite` is still running there, that both devices are on the same network, and that the invitation is not used or expired"
        ),
    };
    let conn = tokio::time::timeout(Duration::from_secs(20), endpoint.connect(ticket.addr.clone(), crate::PAIR_ALPN))
        .await
        .map_err(|_| unreachable("no answer within 20 s".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
    let (mut send, recv) = conn.open_bi().await.map_err(|e| unreachable(e.to_string()))?;
    stream::write(&mut send, &Msg::PairRequest(req)).await.map_err(unreachable)?;
    let mut incoming = Incoming::new(recv, MAX_PAIR_FRAME);
    let reply =
        tokio::time::timeout(Duration::from_secs(30), incoming.next()).await.map_err(|_| SyncError::Timeout { who: who.clone(), secs: 30 })?;
    // The answer is in: our side of the stream has nothing more to say.
    let _ = send.finish();
    let out = match reply {
        Ok(Some(Msg::PairAccept(a))) => Ok(a),
        Ok(Some(Msg::PairReject(why))) => Err(SyncError::Refused(format!("{who} refused: {why}"))),
        Ok(_) => Err(SyncError::Protocol(format!("{who} did not answer the pairing request"))),
        Err(ReadError::Broken(e)) => Err(unreachable(e)),
        Err(ReadError::Malformed(e)) => Err(SyncError::Protocol(e)),
    };
    conn.close(VarInt::from_u32(0), b"paired");
    out
}
