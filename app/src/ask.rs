//! Asking before what cannot be taken back. At a terminal the person answers; a script
//! (no terminal) must say `--yes`, so that nothing harmful ever happens by default.

use anyhow::{Result, bail};
use std::io::{BufRead, IsTerminal, Write};

/// Says what the action does and asks `question`; Ok only for a yes (or `--yes`).
pub fn go_ahead(yes: bool, what_it_does: &str, question: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        bail!("{what_it_does} Nothing was changed: to go ahead, run the same command again with --yes");
    }
    let mut err = std::io::stderr().lock();
    writeln!(err, "{what_it_does}")?;
    write!(err, "{question} Type yes to go ahead, anything else to stop: ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "yes" | "y") { Ok(()) } else { bail!("Nothing was changed.") }
}
