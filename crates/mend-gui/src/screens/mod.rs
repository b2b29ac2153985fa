//! One module per screen. Each draws from the snapshot and acts only through `Io`.

pub mod agreements;
pub mod checkins;
pub mod devices;
pub mod first_run;
pub mod gratitude;
pub mod heard;
pub mod help;
pub mod journal;
pub mod pause;
pub mod promises;
pub mod repairs;
pub mod settings;
pub mod today;
pub mod together;
