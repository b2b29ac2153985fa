//! `mend`: the desktop app and its command line, over one engine.

mod cli;
mod journal_cmd;
mod net_cmd;
mod run;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug in Mend, never the user's doing; what was saved stays saved.
        eprintln!("mend: something went wrong inside Mend ({info}). Everything you saved before this is safe. Please report this.");
    }));
    let cli = cli::Cli::parse();
    match run::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `mend show --json | head`: the reader left; that is not an error for a person.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mend: {e:#}");
            ExitCode::FAILURE
        }
    }
}
