//! Mend's desktop window. Shaped like rerun's viewer: the UI never changes the store. It
//! sends requests to a [`Backend`] that owns the engine on a background thread (with the
//! network running there too), and each frame it draws the newest read-only [`Snapshot`]
//! the backend published. The backend asks egui for a repaint whenever it publishes, so a
//! partner's changes appear without a click.

mod app;
mod backend;
mod dialog;
mod error;
mod forms;
pub mod lists;
mod qr;
mod screens;
mod snapshot;
mod style;
mod widgets;

pub use app::{MendApp, Screen};
pub use backend::{Backend, BackendConfig, Reply, Request};
pub use error::GuiError;
pub use lists::{AgreementGroup, Lists};
/// The breathing guide's pacing, for tests that check it without a clock.
pub use screens::pause::breath_at;
pub use snapshot::{InviteInfo, JournalState, NetStatus, Phase, Snapshot};

pub use mend_engine::APP_ID;

/// Opens the window and runs until it is closed.
pub fn run_window(cfg: BackendConfig, screen: Option<Screen>) -> Result<(), GuiError> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Mend")
            .with_app_id(APP_ID)
            .with_inner_size([1000.0, 720.0])
            .with_min_inner_size([640.0, 480.0]),
        // Return when the window closes (eframe's default, said here because the app relies
        // on it: it then leaves a background Mend running, when that was chosen).
        run_and_return: true,
        ..Default::default()
    };
    eframe::run_native(
        "Mend",
        options,
        Box::new(move |_cc| Ok(Box::new(MendApp::new(cfg).with_screen(screen.unwrap_or(Screen::Today))) as Box<dyn eframe::App>)),
    )
    .map_err(|e| GuiError::Window(e.to_string()))
}
