/// What can stop the window itself. Everything else (a refused command, a network
/// problem) is shown inside the window, beside what it is about.
#[derive(Debug, thiserror::Error)]
pub enum GuiError {
    #[error("could not open Mend's window: {0}. If you are on a server or over SSH, use the command line instead (`mend --help`)")]
    Window(String),
}
