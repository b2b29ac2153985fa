//! The inviter's side of pairing, IO-free: which invitations are open, and whether a
//! presented secret opens one. Secrets are compared in constant time and work once.

use crate::ticket::{Role, SECRET_LEN};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    pub secret: String,
    pub role: Role,
    pub expires_at: u64,
    pub used: bool,
}

/// The invitations a device has made, persisted so that `serve` can answer them too and a
/// used one stays used across restarts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitations {
    pub open: Vec<Open>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    // Read by the joiner after "<inviter>'s device refused:", so "this device" would point at the wrong one.
    #[error("the invitation does not match one it made (a character may have changed): copy it again, or ask for a new one")]
    Wrong,
    #[error("that invitation has expired: ask for a new one")]
    Expired,
    #[error("that invitation was already used: invitations work once, ask for a new one")]
    Used,
}

impl Invitations {
    pub fn add(&mut self, secret: &[u8; SECRET_LEN], role: Role, expires_at: u64, now: u64) {
        self.forget_expired(now);
        self.open.push(Open { secret: hex::encode(secret), role, expires_at, used: false });
    }

    /// Checks a presented secret; on success marks it used and returns its role.
    pub fn redeem(&mut self, presented: &str, now: u64) -> Result<Role, Refusal> {
        let Ok(p) = hex::decode(presented.trim()) else { return Err(Refusal::Wrong) };
        if p.len() != SECRET_LEN {
            return Err(Refusal::Wrong);
        }
        // Compare against every invitation, so the time taken does not tell which matched.
        let mut found: Option<usize> = None;
        for (i, o) in self.open.iter().enumerate() {
            let stored = hex::decode(&o.secret).unwrap_or_default();
            if stored.len() == SECRET_LEN && bool::from(stored.ct_eq(&p)) {
                found = Some(i);
            }
        }
        let i = found.ok_or(Refusal::Wrong)?;
        let o = &mut self.open[i];
        if o.used {
            return Err(Refusal::Used);
        }
        if o.expires_at <= now {
            return Err(Refusal::Expired);
        }
        o.used = true;
        Ok(o.role)
    }

    /// Used and expired invitations are kept a day, so a late retry still hears why.
    fn forget_expired(&mut self, now: u64) {
        self.open.retain(|o| o.expires_at + 86_400 > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_works_once_and_not_after_expiry() {
        let mut inv = Invitations::default();
        let s = [3u8; SECRET_LEN];
        inv.add(&s, Role::Partner, 100, 0);
        assert_eq!(inv.redeem(&hex::encode([4u8; SECRET_LEN]), 10), Err(Refusal::Wrong));
        assert_eq!(inv.redeem("zz", 10), Err(Refusal::Wrong));
        assert_eq!(inv.redeem(&hex::encode([3u8; 8]), 10), Err(Refusal::Wrong));
        assert_eq!(inv.redeem(&hex::encode(s), 10), Ok(Role::Partner));
        assert_eq!(inv.redeem(&hex::encode(s), 11), Err(Refusal::Used));
        let t = [5u8; SECRET_LEN];
        inv.add(&t, Role::OwnDevice, 100, 0);
        assert_eq!(inv.redeem(&hex::encode(t), 100), Err(Refusal::Expired));
    }
}
