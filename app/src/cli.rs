//! The command line: names here are a contract that scripts and tests rely on.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "mend", version, about = "Mend: a calm, private space for two people rebuilding trust.", long_about = None)]
pub struct Cli {
    /// The profile folder (default: this user's data folder).
    #[arg(long, global = true, env = "MEND_PROFILE", value_name = "DIR")]
    pub profile: Option<PathBuf>,
    /// Never use relays or discovery: reach peers only at known addresses (used by tests).
    #[arg(long, global = true)]
    pub local_only: bool,
    /// Use your own relay (a server running `iroh-relay`) instead of n0's public ones, e.g.
    /// https://relay.example.org. With --local-only it is the only relay, and the one place
    /// besides known addresses that Mend talks to. Invitations made with it carry it.
    #[arg(long, global = true, value_name = "URL")]
    pub relay: Option<String>,
    /// Never use a direct path: every link goes through the relay, so the other device never
    /// learns this one's IP address (the relay does). Uses n0's relays, or the one of --relay.
    #[arg(long, global = true)]
    pub relay_only: bool,
    /// The socket address to listen on (with --local-only, e.g. 127.0.0.1:0).
    #[arg(long, global = true, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// Say what Mend does on stderr: -v for the main steps, -vv for more (RUST_LOG works
    /// too). The profile's own log, logs/mend.log, is kept either way.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Create a new profile with a new shared space.
    Init {
        /// Your name, as your partner will see it.
        #[arg(long)]
        name: String,
        /// A name for this device (default: "NAME's laptop"; rename it any time).
        #[arg(long)]
        device_name: Option<String>,
    },
    /// Your name, love languages and needs.
    #[command(subcommand)]
    Profile(ProfileCmd),
    /// Agreements: written together, agreed only when both accept the same text.
    #[command(subcommand)]
    Agreement(AgreementCmd),
    /// Promises: what you will do, and whether you did.
    #[command(subcommand)]
    Promise(PromiseCmd),
    /// Short notes of thanks to your partner.
    #[command(subcommand)]
    Gratitude(GratitudeCmd),
    /// How you are doing: connection, trust, feeling heard (1 to 5).
    #[command(subcommand)]
    Checkin(CheckinCmd),
    /// A guided apology, and your partner's answer when they are ready.
    #[command(subcommand)]
    Repair(RepairCmd),
    /// Ask for a pause when things get heated.
    #[command(subcommand)]
    Pause(PauseCmd),
    /// Goals for the two of you, in small steps either of you adds and marks done.
    #[command(subcommand)]
    Goal(crate::practices_cmd::GoalCmd),
    /// Time together: plans, and a shared list of ideas.
    #[command(subcommand)]
    Together(crate::practices_cmd::TogetherCmd),
    /// "What I heard": write back what you understood of your partner's repair or check-in.
    #[command(subcommand)]
    Heard(crate::practices_cmd::HeardCmd),
    /// The question of the day: both answer, and each answer stays sealed until both have.
    Question {
        #[command(subcommand)]
        cmd: Option<crate::practices_cmd::QuestionCmd>,
    },
    /// What waits for you: a pause, a repair to answer, an agreement to accept, a promise
    /// to acknowledge, a review, new notes of thanks.
    Waiting {
        /// As JSON: kind, record id, from whom, since when (and until when, for a pause).
        #[arg(long)]
        json: bool,
    },
    /// Desktop notifications on this device: which kinds, quiet hours, how much they say.
    /// They are posted by `mend serve` or the window, whichever runs.
    #[command(subcommand)]
    Notifications(crate::notices_cmd::NotificationsCmd),
    /// The whole shared space.
    Show {
        /// As JSON: every record with its id, author, times and state.
        #[arg(long)]
        json: bool,
    },
    /// Who changed what, and when.
    History {
        #[arg(long)]
        json: bool,
    },
    /// Write the shared space to a file (Markdown a person can read, or JSON).
    Export {
        #[arg(long, value_parser = ["json", "markdown"])]
        format: String,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Pair with your partner's device, or add another device of yours.
    #[command(subcommand)]
    Pair(crate::net_cmd::PairCmd),
    /// The devices that share this space, or remove one.
    Devices {
        #[command(subcommand)]
        cmd: Option<crate::net_cmd::DevicesCmd>,
        /// As JSON.
        #[arg(long)]
        json: bool,
    },
    /// Sync with every paired device that can be reached, then stop.
    Sync {
        /// Sync once and exit (the only mode; `mend serve` stays online).
        #[arg(long)]
        once: bool,
        /// Give up on a device after this many seconds.
        #[arg(long, default_value_t = 30, value_name = "SECS")]
        timeout: u64,
    },
    /// Stay online: sync with paired devices as they come and go, until stopped (Ctrl-C).
    Serve {
        /// As Mend's own background process (left by the window, or started at login):
        /// quiet on stderr (the profile's log keeps every line), and the window takes over
        /// from it when it opens.
        #[arg(long)]
        background: bool,
    },
    /// Keep syncing and notifying after you close the window: `on`, `off` or `status`
    /// (off until you turn it on). Stored for this device in the profile.
    #[command(subcommand)]
    Background(crate::background_cmd::SwitchCmd),
    /// Start Mend in the background when you log in (an XDG autostart entry,
    /// $XDG_CONFIG_HOME/autostart/app.mend.Mend.desktop): `on`, `off` or `status`.
    #[command(subcommand)]
    Autostart(crate::background_cmd::SwitchCmd),
    /// Back up the whole profile into one file, sealed with a backup passphrase.
    Backup {
        /// The backup file to write (replaced if it exists).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Put this device's key in the backup too: a restore is then this very device,
        /// and the old one must not run anymore. Without it, a restore is a new device
        /// that another device of yours adds once.
        #[arg(long)]
        with_device_key: bool,
    },
    /// Restore a backup into a new, empty profile folder (--profile DIR).
    Restore {
        /// The backup file that `mend backup` wrote.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Your private journal: encrypted on this device, never synced.
    #[command(subcommand)]
    Journal(crate::journal_cmd::JournalCmd),
    /// Print a completion script for your shell (bash, zsh, fish, elvish or powershell).
    Completions {
        /// The shell the script is for.
        shell: clap_complete::Shell,
    },
    /// Write Mend's manual pages (one per command) into a folder.
    Man {
        /// The folder to write them into (made if it does not exist).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Tools for Mend's own tests; not for everyday use.
    #[command(subcommand, hide = true)]
    Debug(DebugCmd),
}

// Text arguments: `-` reads the text from standard input. (A plain comment: clap would
// take a doc comment here as the about text of every command that flattens this.)
#[derive(Args, Debug)]
pub struct TextArg {
    /// The text (or - to read it from standard input).
    #[arg(long)]
    pub text: String,
}

#[derive(Subcommand, Debug)]
pub enum ProfileCmd {
    /// Show your name, love languages and needs.
    Show,
    /// Change your name, love languages or needs.
    Set {
        #[arg(long)]
        name: Option<String>,
        /// Comma-separated: words-of-affirmation, acts-of-service, receiving-gifts, quality-time, physical-touch.
        #[arg(long, value_name = "LIST")]
        love_languages: Option<String>,
        #[arg(long)]
        needs: Option<String>,
    },
    /// A short love-languages quiz that suggests an order for your profile.
    Quiz {
        /// For scripts: one answer per question, 1 or 2 (like 12211...).
        #[arg(long, value_name = "DIGITS")]
        answers: Option<String>,
        /// Save the suggested order to your profile without asking.
        #[arg(long)]
        save: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum AgreementCmd {
    /// Propose a new agreement (you accept it by proposing it).
    Propose {
        /// privacy, communication, intimacy, phones, time or other.
        #[arg(long)]
        category: String,
        #[command(flatten)]
        text: TextArg,
    },
    /// Propose a new text for an agreement; both accept it again.
    Revise {
        id: String,
        #[command(flatten)]
        text: TextArg,
    },
    /// Accept the current text of an agreement.
    Accept { id: String },
    /// Plan a check on how an agreement feels.
    Review {
        id: String,
        #[arg(long, value_name = "TIME", conflicts_with = "clear", required_unless_present = "clear")]
        at: Option<String>,
        #[arg(long)]
        clear: bool,
    },
    /// Withdraw a proposal of yours that is not agreed yet.
    Archive { id: String },
    /// List the agreements and where each one stands.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PromiseCmd {
    /// Make a promise: what you will do, and by when.
    Make {
        #[command(flatten)]
        text: TextArg,
        /// 18:30, 2026-12-01 18:30, 2026-12-01, +2h …
        #[arg(long, value_name = "TIME")]
        due: Option<String>,
        #[arg(long, value_parser = ["none", "daily", "weekly"], default_value = "none")]
        repeat: String,
        /// The repair this promise comes from.
        #[arg(long, value_name = "ID")]
        from_repair: Option<String>,
    },
    /// Mark the current occurrence of your promise as kept.
    Keep { id: String },
    /// Mark the current occurrence of your promise as missed (no streak is lost).
    Miss { id: String },
    /// Agree a new time for your promise.
    Renegotiate {
        id: String,
        #[arg(long, value_name = "TIME")]
        due: String,
    },
    /// Acknowledge what your partner marked on their promise.
    Ack { id: String },
    /// List the promises.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum GratitudeCmd {
    /// Write a note of thanks to your partner.
    Add {
        #[command(flatten)]
        text: TextArg,
        /// A promise or agreement this note is about.
        #[arg(long = "for", value_name = "ID")]
        about: Option<String>,
    },
    /// List the notes of thanks, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CheckinCmd {
    /// Say how you are doing: connection, trust and feeling heard, from 1 to 5.
    ///
    /// Shared with your partner: the three ratings, the prompt and the note all show on
    /// their devices too. Thoughts just for you belong in `mend journal`.
    ///
    /// From 1 to 5: 1 means not at all, 5 means very much.
    Add {
        /// How close you feel: 1 is feeling far apart, 5 feeling close.
        #[arg(long, value_name = "1-5", allow_hyphen_values = true)]
        connection: i64,
        /// How much you trust right now: 1 is finding it hard to trust, 5 trusting fully.
        #[arg(long, value_name = "1-5", allow_hyphen_values = true)]
        trust: i64,
        /// How heard you feel: 1 is not feeling listened to, 5 feeling fully heard.
        #[arg(long, value_name = "1-5", allow_hyphen_values = true)]
        heard: i64,
        /// Your answer in your own words (shared with your partner, like the ratings).
        #[arg(long)]
        note: Option<String>,
        /// The prompt you answered.
        #[arg(long)]
        prompt: Option<String>,
        /// A longer weekly check-in rather than the daily one.
        #[arg(long)]
        weekly: bool,
    },
    /// List the check-ins.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RepairCmd {
    /// Write a repair: what happened, what you did, its impact, what you will do differently.
    Add {
        #[arg(long)]
        what_happened: String,
        #[arg(long)]
        what_i_did: String,
        #[arg(long)]
        impact: String,
        #[arg(long)]
        next_time: String,
    },
    /// Answer your partner's repair, whenever you are ready.
    Respond {
        id: String,
        #[arg(long, value_parser = ["received", "need-time", "ready-to-talk", "forgiven"])]
        response: String,
    },
    /// List the repairs and their answers.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum PauseCmd {
    /// Ask for a pause, and say when you will be back.
    Start {
        /// From 1 to 1440 (24 hours).
        #[arg(long, allow_hyphen_values = true, value_parser = pause_minutes)]
        minutes: i64,
        #[arg(long)]
        note: Option<String>,
    },
    /// End the pause.
    End,
    /// Whether a pause is on, until when, and any time to talk suggested for afterwards.
    Status,
    /// Suggest a time to talk once the pause is over (either of you can; prints its id).
    Talk {
        /// When: 21:00, 2026-12-01 21:00, +2h.
        #[arg(long)]
        at: String,
        /// A line to go with it.
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum DebugCmd {
    /// Does what the window does once it is closed (leaves a background `serve` when that
    /// is on), printing the process id it left, if any.
    WindowClosed {
        /// As a window that stopped a background Mend when it opened.
        #[arg(long)]
        took_over: bool,
    },
    /// Does what the window does before it opens (a background `serve` steps aside).
    WindowOpens,
    /// Writes gratitude notes one by one, printing each id once it is on disk.
    Stress {
        #[arg(long)]
        count: u64,
        /// Compact after this many log bytes (small values exercise compaction).
        #[arg(long)]
        compact_bytes: Option<u64>,
        /// Make each note this many characters long (long notes make partial writes likely).
        #[arg(long, default_value_t = 40)]
        size: usize,
    },
}

/// Clap's own words for a number too large ("too large to fit in target type") say nothing
/// about what a pause may be; the core checks the range of any number that does parse.
fn pause_minutes(s: &str) -> Result<i64, String> {
    s.trim().parse().map_err(|_| "the pause must last between 1 minute and 24 hours: give the minutes as a whole number from 1 to 1440".to_owned())
}
