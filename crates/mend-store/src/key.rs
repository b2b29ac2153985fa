use crate::error::StoreError;

use iroh_base::SecretKey;
use mend_core::DeviceId;
use std::path::Path;

/// The device's iroh secret key. Its public half is the device id and the Automerge actor.
pub struct DeviceKey(SecretKey);

impl DeviceKey {
    pub fn generate() -> Self {
        DeviceKey(SecretKey::generate())
    }

    /// A key from known bytes: for generated benchmark data that must be the same each run.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Self {
        DeviceKey(SecretKey::from_bytes(bytes))
    }

    pub fn device_id(&self) -> DeviceId {
        DeviceId::from_public_key(self.0.public().as_bytes())
    }

    pub fn secret(&self) -> &SecretKey {
        &self.0
    }

    pub(crate) fn save(&self, path: &Path) -> Result<(), StoreError> {
        Ok(mend_fs::atomic_write(path, &self.0.to_bytes())?)
    }
}
