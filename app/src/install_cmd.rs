//! What an installed Mend needs from its own command line: shell completions and man pages,
//! both made from the same definitions as `mend --help`.

use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Prints the completion script for `shell` on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = without_hidden(&Cli::command());
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "mend", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(())
}

/// A copy of the command line without its hidden commands (`mend debug`): clap_complete
/// offers hidden commands like any other.
fn without_hidden(cmd: &clap::Command) -> clap::Command {
    let mut c = clap::Command::new(cmd.get_name().to_owned())
        .args(cmd.get_arguments().cloned())
        .subcommands(cmd.get_subcommands().filter(|s| !s.is_hide_set()).map(without_hidden));
    if let Some(about) = cmd.get_about() {
        c = c.about(about.clone());
    }
    if let Some(version) = cmd.get_version() {
        c = c.version(version.to_owned());
    }
    c
}

/// Writes one man page for `mend` and one for each of its commands (`mend-promise-keep.1`),
/// leaving out the hidden ones, into `out`; prints each file's path on stdout.
pub fn man(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("could not make the folder {}", out.display()))?;
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    write_pages(cmd, out, &mut written)?;
    let mut stdout = std::io::stdout().lock();
    for p in &written {
        writeln!(stdout, "{}", p.display())?;
    }
    eprintln!("Wrote {} man pages to {}.", written.len(), out.display());
    Ok(())
}

fn write_pages(cmd: clap::Command, out: &Path, written: &mut Vec<PathBuf>) -> Result<()> {
    let page = clap_mangen::Man::new(cmd.clone()).manual("Mend").source(format!("Mend {}", env!("CARGO_PKG_VERSION")));
    let path = out.join(page.get_filename());
    let mut text = Vec::new();
    page.render(&mut text)?;
    std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), out, written)?;
    }
    Ok(())
}
