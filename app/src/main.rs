//! `mend`: the desktop app and its command line, over one engine.

mod ask;
mod background_cmd;
mod backup_cmd;
mod cli;
mod install_cmd;
mod journal_cmd;
mod logging;
mod net_cmd;
mod notices_cmd;
mod practices_cmd;
mod run;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug in Mend, never the user's doing; what was saved stays saved.
        eprintln!("mend: something went wrong inside Mend ({}). Everything you saved before this is safe. Please report this.", panic_words(info));
    }));
    let cli = cli::Cli::parse();
    // A folder that cannot be found is reported by `run`, once; the log then has no file.
    logging::start(run::profile_dir(cli.profile.clone()).ok().as_deref(), cli.verbose);
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `mend show --json | head`: the reader left; that is not an error for a person.
        Err(e) if reader_left(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Errors can quote what others wrote (an inviter's name, a peer's refusal).
            eprintln!("mend: {}", mend_engine::printable::block(&format!("{e:#}")));
            ExitCode::FAILURE
        }
    }
}

/// Whether the error is stdout's reader having gone (`mend show | head -1`), however many
/// contexts were added on the way up.
fn reader_left(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The panic's message, and where it happened when that is in Mend's own code: a location
/// inside a dependency is a path under the cargo registry, which says nothing to a person.
fn panic_words(info: &std::panic::PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let msg = payload.downcast_ref::<&str>().copied().or_else(|| payload.downcast_ref::<String>().map(String::as_str)).unwrap_or("a bug");
    match info.location() {
        Some(l) if !std::path::Path::new(l.file()).is_absolute() => format!("{msg}, at {}:{}", l.file(), l.line()),
        _ => msg.to_owned(),
    }
}
