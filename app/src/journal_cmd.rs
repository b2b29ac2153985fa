//! `mend journal …`: the private journal from the command line. It opens the journal
//! alone: not the shared space, not the engine, nothing that touches the network.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use mend_engine::core::Timestamp;
use mend_engine::when;
use mend_journal::{Edit, Entry, Journal, KdfParams, NewEntry, feel, prompts};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const PASSPHRASE_VAR: &str = "MEND_JOURNAL_PASSPHRASE";
const NEW_PASSPHRASE_VAR: &str = "MEND_JOURNAL_NEW_PASSPHRASE";
/// Read by debug builds only (the ones `cargo test` runs): release builds always use
/// [`KdfParams::STRONG`] for a new key.
const TEST_KDF_VAR: &str = "MEND_JOURNAL_INSECURE_TEST_KDF";

#[derive(Subcommand, Debug)]
pub enum JournalCmd {
    /// Write an entry; the first one starts your journal. Prints the entry's id.
    Add {
        /// The entry. `-` reads it from standard input, which keeps it out of your shell history.
        #[arg(long)]
        text: String,
        /// How you feel, from 1 (very low) to 5 (very good). Private, like the entry: it
        /// stays in your journal on this device.
        #[arg(long)]
        mood: Option<u8>,
        /// The prompt it answers: an id from `mend journal prompts`, or your own words.
        #[arg(long)]
        prompt: Option<String>,
        /// A tag; repeat it for several.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Your entries, newest first.
    List {
        /// As JSON: every entry with its id, text, mood, prompt, tags and times.
        #[arg(long)]
        json: bool,
    },
    /// Entries whose text or tags contain QUERY (case does not matter), newest first.
    Search {
        query: String,
        #[arg(long)]
        json: bool,
    },
    /// Change an entry. The earlier version is erased from disk.
    Edit {
        /// The entry's id, or a unique start or end of it (4 characters or more).
        id: String,
        /// The new text (`-` reads standard input).
        #[arg(long)]
        text: Option<String>,
        /// A new mood, from 1 (very low) to 5 (very good); private, like the entry.
        #[arg(long)]
        mood: Option<u8>,
        /// Replaces the tags; repeat it for several.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
    },
    /// Delete an entry. It is erased from the journal's files before this returns.
    /// Asks first; `--yes` skips the question.
    Delete {
        /// The entry's id, or a unique start or end of it (4 characters or more).
        id: String,
        #[arg(long)]
        yes: bool,
    },
    /// Change the passphrase: everything is re-encrypted under a new key.
    Passphrase,
    /// Write your journal to a Markdown file that only you can read.
    Export {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Reflection prompts to write from.
    Prompts {
        #[arg(long)]
        json: bool,
    },
    /// Turn a draft like "You never listen" into "I feel … when … I need …". Saves nothing.
    Feel {
        /// The draft; `-` reads it from standard input.
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// For Mend's crash test: adds entries until killed, printing each id once it is on disk.
    #[command(hide = true)]
    Stress {
        #[arg(long, default_value_t = 1_000_000)]
        count: usize,
        #[arg(long, default_value_t = 200)]
        size: usize,
        #[arg(long)]
        compact_bytes: Option<u64>,
        /// Delete every Nth entry right after adding it (a compaction each time).
        #[arg(long, default_value_t = 0)]
        delete_every: usize,
        /// Every Nth entry, change the passphrase to this one, then back, and so on.
        #[arg(long, requires = "rekey_every")]
        other_passphrase: Option<String>,
        #[arg(long)]
        rekey_every: Option<usize>,
    },
}

pub fn run(profile: &Path, cmd: JournalCmd) -> Result<()> {
    // The prompts and the helper touch no file, so they work without a profile.
    let cmd = match cmd {
        JournalCmd::Prompts { json } => return show_prompts(json),
        JournalCmd::Feel { text, json } => return show_feel(&read_text(text)?, json),
        other => other,
    };
    check_profile(profile)?;
    match cmd {
        JournalCmd::Prompts { .. } | JournalCmd::Feel { .. } => Ok(()),
        JournalCmd::Add { text, mood, prompt, tags } => {
            let text = read_text(text)?;
            let prompt = prompt.map(|p| prompts::find(&p).map(|found| found.text.to_owned()).unwrap_or(p));
            let mut j = open_or_start(profile)?;
            let e = j.add(NewEntry { text, mood, prompt, tags })?;
            writeln!(std::io::stdout(), "{}", e.id)?;
            eprintln!("Saved to your private journal.");
            Ok(())
        }
        JournalCmd::List { json } => {
            let Some(j) = open_if_any(profile, json)? else { return Ok(()) };
            print_entries(&j.list()?, json)
        }
        JournalCmd::Search { query, json } => {
            let Some(j) = open_if_any(profile, json)? else { return Ok(()) };
            let hits = j.search(&query)?;
            if hits.is_empty() && !json {
                eprintln!("No entry matches \"{query}\".");
            }
            print_entries(&hits, json)
        }
        JournalCmd::Edit { id, text, mood, tags } => {
            let text = text.map(read_text).transpose()?;
            if text.is_none() && mood.is_none() && tags.is_empty() {
                bail!("nothing to change: give --text, --mood or --tag");
            }
            let mut j = open(profile)?;
            j.edit(&id, Edit { text, mood, prompt: None, tags: Some(tags).filter(|t| !t.is_empty()) })?;
            if j.erase_pending() {
                eprintln!(
                    "Entry updated. The earlier version is still in your journal's files: the disk is full. Free some space; Mend erases it the next time the journal opens."
                );
            } else {
                eprintln!("Entry updated. The earlier version is erased from disk.");
            }
            Ok(())
        }
        JournalCmd::Delete { id, yes } => {
            let mut j = open(profile)?;
            // An id that matches nothing is said before any question.
            let id = j.resolve(&id)?;
            crate::ask::go_ahead(yes, mend_engine::asking::DELETING_ENTRY, "Delete this entry?")?;
            j.delete(&id)?;
            if j.erase_pending() {
                eprintln!(
                    "Deleted. Its words are still in your journal's files: the disk is full. Free some space; Mend erases them the next time the journal opens."
                );
            } else {
                eprintln!("Deleted. It is erased from your journal's files.");
            }
            Ok(())
        }
        JournalCmd::Passphrase => {
            if !Journal::exists(profile) {
                return Err(mend_journal::JournalError::NoJournal { path: profile.to_owned() }.into());
            }
            let current = passphrase("Current journal passphrase: ")?;
            let mut j = Journal::open(profile, &current)?;
            print_notes(&mut j);
            let new = new_passphrase("New journal passphrase: ")?;
            j.change_passphrase(&current, &new, new_key_params())?;
            eprintln!("Passphrase changed. Everything was re-encrypted; the old passphrase no longer opens your journal.");
            Ok(())
        }
        JournalCmd::Export { out } => {
            let j = open(profile)?;
            let entries = j.list()?;
            let md = Zeroizing::new(mend_journal::export::markdown(&entries, &|t| when::format(Timestamp(t))));
            mend_fs::write_export(&out, md.as_bytes())?;
            eprintln!(
                "Exported {} entries to {} (readable by you only). It is plain text: keep it private, and delete it when you no longer need it.",
                entries.len(),
                out.display()
            );
            Ok(())
        }
        JournalCmd::Stress { count, size, compact_bytes, delete_every, other_passphrase, rekey_every } => {
            stress(profile, count, size, compact_bytes, delete_every, other_passphrase.zip(rekey_every))
        }
    }
}

/// The journal lives in a profile: refuse a mistyped folder instead of starting one there.
fn check_profile(profile: &Path) -> Result<()> {
    if profile.join("profile.json").is_file() || profile.join("space").is_dir() {
        return Ok(());
    }
    bail!("{} is not a Mend profile yet: run `mend --profile {} init --name YOUR_NAME` to create one", profile.display(), profile.display())
}

fn read_text(t: String) -> Result<String> {
    if t == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("could not read the text from standard input")?;
        return Ok(s);
    }
    Ok(t)
}

pub(crate) fn new_key_params() -> KdfParams {
    #[cfg(debug_assertions)]
    if std::env::var_os(TEST_KDF_VAR).is_some_and(|v| v == "1") {
        return KdfParams::INSECURE_FAST_FOR_TESTS;
    }
    let _ = TEST_KDF_VAR;
    KdfParams::STRONG
}

pub(crate) fn from_env(var: &str) -> Result<Option<Zeroizing<String>>> {
    match std::env::var_os(var) {
        None => Ok(None),
        Some(v) => match v.into_string() {
            Ok(s) => Ok(Some(Zeroizing::new(s))),
            Err(_) => bail!("{var} is not valid UTF-8: set it to your passphrase as plain text"),
        },
    }
}

pub(crate) fn can_ask() -> bool {
    // rpassword talks to the terminal itself (/dev/tty), so a piped stdin (`--text -`) is fine.
    std::io::stdin().is_terminal() || std::io::stderr().is_terminal()
}

pub(crate) fn ask(prompt: &str) -> Result<Zeroizing<String>> {
    let p = rpassword::prompt_password(prompt).context("could not read the passphrase from the terminal")?;
    Ok(Zeroizing::new(p))
}

fn passphrase(prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(p) = from_env(PASSPHRASE_VAR)? {
        return Ok(p);
    }
    if !can_ask() {
        bail!("your journal needs its passphrase: set {PASSPHRASE_VAR}, or run this in a terminal to type it (it is not shown)");
    }
    ask(prompt)
}

/// A new passphrase: from the environment, or typed twice.
fn new_passphrase(prompt: &str) -> Result<Zeroizing<String>> {
    if let Some(p) = from_env(NEW_PASSPHRASE_VAR)? {
        return Ok(p);
    }
    if !can_ask() {
        bail!("choosing a new passphrase needs a terminal to type it twice, or {NEW_PASSPHRASE_VAR}");
    }
    eprintln!("Mend can't recover a forgotten passphrase: choose one you will remember, or keep it somewhere safe.");
    twice(prompt)
}

pub(crate) fn twice(prompt: &str) -> Result<Zeroizing<String>> {
    let first = ask(prompt)?;
    let second = ask("Type it again: ")?;
    if *first != *second {
        bail!("the two passphrases differ; nothing was changed. Try again");
    }
    Ok(first)
}

fn print_notes(j: &mut Journal) {
    for note in j.take_notes() {
        eprintln!("mend: note: {note}");
    }
}

fn open(profile: &Path) -> Result<Journal> {
    if !Journal::exists(profile) {
        return Err(mend_journal::JournalError::NoJournal { path: profile.to_owned() }.into());
    }
    let p = passphrase("Journal passphrase: ")?;
    let mut j = Journal::open(profile, &p)?;
    print_notes(&mut j);
    Ok(j)
}

/// For reading: no journal yet is an empty journal, not an error.
fn open_if_any(profile: &Path, json: bool) -> Result<Option<Journal>> {
    if Journal::exists(profile) {
        return open(profile).map(Some);
    }
    if json {
        writeln!(std::io::stdout(), "[]")?;
    } else {
        eprintln!("Your journal is empty: `mend journal add --text ...` writes the first entry.");
    }
    Ok(None)
}

fn open_or_start(profile: &Path) -> Result<Journal> {
    if Journal::exists(profile) {
        return open(profile);
    }
    let p = match from_env(PASSPHRASE_VAR)? {
        Some(p) => p,
        None if can_ask() => {
            eprintln!("This starts your private journal, encrypted with a passphrase that only you know.");
            eprintln!("Mend can't recover a forgotten passphrase: choose one you will remember, or keep it somewhere safe.");
            twice("Choose a journal passphrase: ")?
        }
        None => bail!("starting your journal needs a passphrase: set {PASSPHRASE_VAR}, or run this in a terminal to type it twice (it is not shown)"),
    };
    let existed = Journal::exists(profile);
    let mut j = Journal::open_or_create(profile, &p, new_key_params())?;
    print_notes(&mut j);
    if !existed {
        eprintln!("Started your private journal in {}. Only your passphrase opens it.", j.dir().display());
    }
    Ok(j)
}

/// Journal text is the user's own, but it may be pasted from anywhere: printable all the same.
fn one_line(s: &str) -> String {
    mend_engine::printable::line(s)
}

fn print_entries(entries: &[&Entry], json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, entries).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    for e in entries {
        let mood = e.mood.map(|m| format!("  mood {m}/5")).unwrap_or_default();
        let tags: String = e.tags.iter().map(|t| format!("  #{}", one_line(t))).collect();
        writeln!(out, "{}  {}{}{}  {}", e.id, when::format(Timestamp(e.created_at)), mood, tags, one_line(&e.text))?;
    }
    Ok(())
}

fn show_prompts(json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, prompts::PROMPTS).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    for p in prompts::PROMPTS {
        writeln!(out, "{:<15} ({})  {}", p.id, p.theme.as_str(), p.text)?;
    }
    Ok(())
}

fn show_feel(draft: &str, json: bool) -> Result<()> {
    if draft.trim().is_empty() {
        bail!("write the sentence you want to say, for example: mend journal feel \"You never listen to me\"");
    }
    let g = feel::guide(draft);
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, &g).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    if g.found.is_empty() {
        writeln!(out, "No blaming words found. You can still shape it:")?;
    } else {
        writeln!(out, "Noticed:")?;
        for f in &g.found {
            writeln!(out, "  \"{}\": {}", f.words, f.why)?;
        }
    }
    writeln!(out, "\nTry:\n  {}", g.sentence)?;
    if g.feel.is_some() || g.when.is_some() || g.need.is_some() {
        writeln!(out, "\nSuggestions (change anything that isn't true for you):")?;
        let blank = |o: &Option<String>| o.clone().unwrap_or_else(|| "___".to_owned());
        writeln!(out, "  I feel: {}\n  when:   {}\n  I need: {}", blank(&g.feel), blank(&g.when), blank(&g.need))?;
    }
    writeln!(out, "\nBefore you talk:")?;
    for (i, q) in g.questions.iter().enumerate() {
        writeln!(out, "  {}. {q}", i + 1)?;
    }
    Ok(())
}

fn stress(profile: &Path, count: usize, size: usize, compact_bytes: Option<u64>, delete_every: usize, rekey: Option<(String, usize)>) -> Result<()> {
    let mut j = open_or_start(profile)?;
    if let Some(b) = compact_bytes {
        j.set_compact_bytes(b);
    }
    let mut current = from_env(PASSPHRASE_VAR)?.map(|p| p.to_string()).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    for i in 1..=count {
        let mut text = format!("stress entry {i} ");
        while text.len() < size {
            text.push_str("a quiet evening ");
        }
        let e = j.add(NewEntry::text(text))?;
        // Printed only once the entry is fsynced: the crash test's record of what was promised.
        writeln!(out, "add {}", e.id)?;
        out.flush()?;
        if delete_every > 0 && i % delete_every == 0 {
            writeln!(out, "deleting {}", e.id)?;
            out.flush()?;
            j.delete(&e.id)?;
            writeln!(out, "deleted {}", e.id)?;
            out.flush()?;
        }
        if let Some((other, every)) = &rekey
            && *every > 0
            && i % every == 0
        {
            let next = if current == *other { std::env::var(PASSPHRASE_VAR).unwrap_or_default() } else { other.clone() };
            writeln!(out, "rekeying {next}")?;
            out.flush()?;
            j.change_passphrase(&current, &next, new_key_params())?;
            current = next;
            writeln!(out, "rekeyed {current}")?;
            out.flush()?;
        }
    }
    Ok(())
}
