//! `mend`: the desktop app and its command line, over one engine.

mod cli;
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
        Err(e) => {
            eprintln!("mend: {e:#}");
            ExitCode::FAILURE
        }
    }
}
