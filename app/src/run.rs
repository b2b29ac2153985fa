use crate::cli::*;
use anyhow::{Context, Result, anyhow, bail};
use mend_engine::core::{AgreementGroup, Category, CheckInKind, LoveLanguage, PartnerId, RepairResponse, Repeat, Timestamp, TogetherKind};
use mend_engine::{Command, Engine, printable, when};
use std::io::{Read, Write};
use std::path::PathBuf;

pub fn run(cli: Cli) -> Result<()> {
    let flags = crate::net_cmd::NetFlags { local_only: cli.local_only, bind: cli.bind, relay: cli.relay.clone(), relay_only: cli.relay_only };
    let Some(cmd) = cli.command else {
        // No subcommand: the desktop window, on the same profile and network options.
        let dir = profile_dir(cli.profile)?;
        let net = crate::net_cmd::net_config(&dir, &flags)?;
        return open_window(dir, net, &flags);
    };
    // Completions and man pages describe the command line: no profile needed.
    let cmd = match cmd {
        Cmd::Completions { shell } => return crate::install_cmd::completions(shell),
        Cmd::Man { out } => return crate::install_cmd::man(&out),
        other => other,
    };
    let dir = profile_dir(cli.profile)?;
    // The private journal opens alone: not the shared space, not the network.
    let cmd = match cmd {
        Cmd::Journal(j) => return crate::journal_cmd::run(&dir, j),
        // Backups read the profile's files under its locks, and a restore makes a new
        // profile: neither opens the shared space.
        Cmd::Backup { out, with_device_key } => return crate::backup_cmd::backup(&dir, &out, with_device_key),
        Cmd::Restore { file } => return crate::backup_cmd::restore(&file, &dir),
        // This device's own choices about running without the window: no shared space.
        Cmd::Background(c) => {
            need_profile(&dir)?;
            return crate::background_cmd::background(&dir, c);
        }
        Cmd::Autostart(c) => {
            need_profile(&dir)?;
            return crate::background_cmd::autostart(&dir, &flags, c);
        }
        Cmd::Debug(DebugCmd::WindowClosed { took_over }) => {
            if let Some(pid) = crate::background_cmd::after_window(&dir, &flags, took_over)? {
                writeln!(std::io::stdout(), "{pid}")?;
            }
            return Ok(());
        }
        Cmd::Debug(DebugCmd::WindowOpens) => {
            if crate::background_cmd::take_over(&dir) {
                writeln!(std::io::stdout(), "took over")?;
            }
            return Ok(());
        }
        other => other,
    };
    let net = crate::net_cmd::net_config(&dir, &flags)?;
    // Joining may create the profile, so it runs before a profile is opened.
    if let Cmd::Pair(crate::net_cmd::PairCmd::Join { ticket, name, device_name }) = &cmd {
        return crate::net_cmd::join(&dir, &net, ticket, name.as_deref(), device_name.clone());
    }
    if let Cmd::Init { name, device_name } = &cmd {
        let device = device_name.clone().unwrap_or_else(|| mend_engine::default_device_name(Some(name)));
        let engine = Engine::init(&dir, name, &device)?;
        writeln!(std::io::stdout(), "{}", engine.me().device)?;
        eprintln!("Created your profile in {}. Your device id is above.", dir.display());
        return Ok(());
    }
    let mut engine = Engine::open(&dir)?;
    for note in engine.recovery_notes() {
        eprintln!("mend: note: {note}");
    }
    // A write goes to the Mend that already runs on this profile, if one does: it holds the
    // document (a command would otherwise load all of it) and sends the change on at once.
    if !matches!(cmd, Cmd::Pair(_) | Cmd::Sync { .. } | Cmd::Serve { .. }) {
        engine.hand_to_running_node();
    }
    let out = match cmd {
        // These hand the engine to the network side, which reports its own warnings.
        Cmd::Pair(p) => return crate::net_cmd::pair(engine, &net, p),
        Cmd::Sync { once: _, timeout } => return crate::net_cmd::sync_once(engine, &net, timeout),
        Cmd::Serve { background } => return crate::net_cmd::serve(engine, &net, background),
        Cmd::Devices { cmd, json } => crate::net_cmd::devices(&mut engine, cmd, json),
        Cmd::Notifications(n) => crate::notices_cmd::run(&engine, n),
        other => dispatch(&mut engine, other),
    };
    for w in engine.take_warnings() {
        eprintln!("mend: warning: {w}");
    }
    out
}

fn open_window(dir: PathBuf, net: mend_engine::NetConfig, flags: &crate::net_cmd::NetFlags) -> Result<()> {
    // A background Mend of this profile steps aside: the window syncs and notifies now.
    let took_over = crate::background_cmd::take_over(&dir);
    let cfg = mend_gui::BackendConfig {
        dir: dir.clone(),
        net: Some(net),
        // Empty: the window names the device after the person once it knows their name.
        device_name: String::new(),
        journal_kdf: crate::journal_cmd::new_key_params(),
        notifications: true,
        // Settings writes the start-at-login entry with this program and these options.
        launch: crate::background_cmd::launch(flags).ok(),
        autostart_dir: None,
        clock: mend_engine::when::Clock::system(),
    };
    // MEND_SCREEN=Gratitude opens on that screen (scripts/screenshot.sh uses it).
    let screen = std::env::var("MEND_SCREEN").ok().and_then(|s| mend_gui::Screen::named(&s));
    let shown = mend_gui::run_window(cfg, screen);
    // Closed (or it could not open, without a display): with "keep running" on, a
    // background Mend goes on syncing and notifying, and one stopped above is handed back.
    if let Err(e) = crate::background_cmd::after_window(&dir, flags, took_over) {
        eprintln!("mend: {e:#}. Your space is saved; it syncs again when you open Mend.");
    }
    shown?;
    Ok(())
}

fn need_profile(dir: &std::path::Path) -> Result<()> {
    if !mend_engine::profile_exists(dir) {
        bail!("there is no Mend profile in {} yet: open Mend, or run `mend init --name NAME`, first", dir.display());
    }
    Ok(())
}

pub(crate) fn profile_dir(given: Option<PathBuf>) -> Result<PathBuf> {
    match given {
        Some(p) if p.as_os_str().is_empty() => bail!("--profile is empty: give the folder of your profile"),
        Some(p) => Ok(p),
        None => directories::ProjectDirs::from("", "", "Mend")
            .map(|d| d.data_dir().to_path_buf())
            .ok_or_else(|| anyhow!("could not find a data folder for this user: pass --profile DIR")),
    }
}

pub(crate) fn text(t: TextArg) -> Result<String> {
    if t.text == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("could not read the text from standard input")?;
        return Ok(s);
    }
    Ok(t.text)
}

pub(crate) fn time(engine: &Engine, s: &str) -> Result<Timestamp> {
    Ok(when::parse(s, engine.now())?)
}

pub(crate) fn created(engine: &mut Engine, cmd: Command) -> Result<()> {
    let out = engine.execute(cmd)?;
    match out.created {
        Some(id) => writeln!(std::io::stdout(), "{id}")?,
        None => bail!("the record was not created"),
    }
    Ok(())
}

pub(crate) fn done(engine: &mut Engine, cmd: Command, said: &str) -> Result<()> {
    let out = engine.execute(cmd)?;
    eprintln!("{}", if out.changed { said } else { "Nothing to change: that was already done." });
    Ok(())
}

/// Exact JSON: texts are not made printable here, tools get what was written.
pub(crate) fn print_json(v: &serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout().lock();
    // Into an io::Error, so that a reader who left (`| head`) is recognised as such in main.
    serde_json::to_writer_pretty(&mut out, v).map_err(std::io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

fn dispatch(engine: &mut Engine, cmd: Cmd) -> Result<()> {
    match cmd {
        Cmd::Init { .. }
        | Cmd::Backup { .. }
        | Cmd::Restore { .. }
        | Cmd::Pair(_)
        | Cmd::Devices { .. }
        | Cmd::Sync { .. }
        | Cmd::Serve { .. }
        | Cmd::Background(_)
        | Cmd::Autostart(_)
        | Cmd::Debug(DebugCmd::WindowClosed { .. } | DebugCmd::WindowOpens)
        | Cmd::Notifications(_)
        | Cmd::Completions { .. }
        | Cmd::Man { .. } => {
            unreachable!("handled before dispatch")
        }
        Cmd::Journal(_) => unreachable!("the journal is handled before the shared space opens"),
        Cmd::Profile(ProfileCmd::Show) => {
            let v = engine.view();
            let p = v.partners.get(&engine.me().partner).ok_or_else(|| anyhow!("your partner record is missing"))?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "name: {}", printable::line(&p.name))?;
            for c in &p.name_conflicts {
                writeln!(out, "  (also written on another device: {})", printable::line(c))?;
            }
            writeln!(out, "love languages: {}", p.love_languages.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", "))?;
            writeln!(out, "needs: {}", printable::line(&p.needs))?;
            writeln!(out, "profile folder: {}", engine.dir().display())?;
            Ok(())
        }
        Cmd::Profile(ProfileCmd::Set { name, love_languages, needs }) => {
            let love_languages = love_languages
                .map(|l| {
                    l.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| LoveLanguage::parse(s).ok_or_else(|| anyhow!("\"{s}\" is not a love language: use {}", words(LoveLanguage::ALL))))
                        .collect::<Result<Vec<_>>>()
                })
                .transpose()?;
            done(engine, Command::UpdateProfile { name, love_languages, needs }, "Profile updated.")
        }
        Cmd::Profile(ProfileCmd::Quiz { answers, save }) => crate::practices_cmd::quiz(engine, answers, save),
        Cmd::Goal(c) => crate::practices_cmd::goal(engine, c),
        Cmd::Together(c) => crate::practices_cmd::together(engine, c),
        Cmd::Heard(c) => crate::practices_cmd::heard(engine, c),
        Cmd::Question { cmd } => crate::practices_cmd::question(engine, cmd),
        Cmd::Agreement(a) => agreement(engine, a),
        Cmd::Promise(p) => promise(engine, p),
        Cmd::Gratitude(GratitudeCmd::Add { text: t, about }) => created(engine, Command::AddGratitude { text: text(t)?, about }),
        Cmd::Gratitude(GratitudeCmd::List { json }) => {
            if json {
                print_json(&engine.show_json()["gratitude"])?;
            } else {
                let v = engine.view();
                let mut out = std::io::stdout().lock();
                for g in v.gratitude.values().rev() {
                    writeln!(out, "{}  {}  {}: {}", g.id, when::format(g.at), one_line(v.partner_name(&g.author)), one_line(&g.text))?;
                }
            }
            // Listed is seen: these notes are no longer new in `mend waiting`.
            if let Err(e) = engine.mark_thanks_seen() {
                tracing::warn!(error = %e, "notes of thanks stay new until the next look");
            }
            Ok(())
        }
        Cmd::Waiting { json } => waiting(engine, json),
        Cmd::Checkin(CheckinCmd::Add { connection, trust, heard, note, prompt, weekly }) => {
            let kind = if weekly { CheckInKind::Weekly } else { CheckInKind::Daily };
            created(engine, Command::AddCheckIn { kind, prompt, connection, trust, heard, note })
        }
        Cmd::Checkin(CheckinCmd::List { json }) => {
            if json {
                return print_json(&engine.show_json()["checkins"]);
            }
            let v = engine.view();
            let mut out = std::io::stdout().lock();
            for c in v.checkins.values() {
                writeln!(
                    out,
                    "{}  {}  {} ({})  connection {}  trust {}  heard {}{}",
                    c.id,
                    when::format(c.at),
                    one_line(v.partner_name(&c.author)),
                    c.kind,
                    c.connection,
                    c.trust,
                    c.heard,
                    c.note.as_deref().map(|n| format!("  {}", one_line(n))).unwrap_or_default()
                )?;
            }
            Ok(())
        }
        Cmd::Repair(RepairCmd::Add { what_happened, what_i_did, impact, next_time }) => {
            created(engine, Command::AddRepair { what_happened, what_i_did, impact, next_time })
        }
        Cmd::Repair(RepairCmd::Respond { id, response }) => {
            let response = RepairResponse::parse(&response).ok_or_else(|| anyhow!("unknown response {response}"))?;
            done(engine, Command::RespondRepair { id, response }, "Your answer is shared. You can change it whenever you want.")
        }
        Cmd::Repair(RepairCmd::List { json }) => {
            if json {
                return print_json(&engine.show_json()["repairs"]);
            }
            let v = engine.view();
            let mut out = std::io::stdout().lock();
            for r in v.repairs.values() {
                let state = r.answer.as_ref().map(|a| a.response.as_str()).unwrap_or("no answer yet");
                writeln!(
                    out,
                    "{}  {}  from {}  [{}]  {}",
                    r.id,
                    when::format(r.at),
                    one_line(v.partner_name(&r.author)),
                    state,
                    one_line(&r.what_happened)
                )?;
            }
            Ok(())
        }
        Cmd::Pause(PauseCmd::Start { minutes, note }) => {
            engine.execute(Command::StartPause { minutes, note })?;
            let until = engine.view().pauses.get(&engine.me().partner).map(|p| p.until);
            eprintln!("Pause shared{}. Take the time you need.", until.map(|u| format!(" until {}", when::format(u))).unwrap_or_default());
            Ok(())
        }
        Cmd::Pause(PauseCmd::End) => done(engine, Command::EndPause, "Pause ended."),
        Cmd::Pause(PauseCmd::Status) => {
            let now = engine.now();
            let v = engine.view();
            let mut any = false;
            let mut out = std::io::stdout().lock();
            for p in v.active_pauses(now) {
                any = true;
                writeln!(
                    out,
                    "{} is pausing until {}{}",
                    one_line(v.partner_name(&p.partner)),
                    when::format(p.until),
                    p.note.as_deref().map(|n| format!(": {}", one_line(n))).unwrap_or_default()
                )?;
            }
            if !any {
                writeln!(out, "No pause is active.")?;
            }
            // Times to talk suggested during the pauses still on, and not yet had.
            let started = v.active_pauses(now).map(|p| p.started_at).min();
            for t in v.together.values().filter(|t| t.kind == TogetherKind::Talk && t.done.is_none() && started.is_some_and(|s| t.at >= s)) {
                let who = if t.author == engine.me().partner { "You".to_owned() } else { one_line(v.partner_name(&t.author)) };
                writeln!(out, "{who} suggested talking at {}", t.when.map(when::format).unwrap_or_default())?;
            }
            Ok(())
        }
        Cmd::Pause(PauseCmd::Talk { at, note }) => {
            let when = time(engine, &at)?;
            created(engine, Command::SuggestTalk { when, note })
        }
        Cmd::Show { json } => {
            if json {
                return print_json(&engine.show_json());
            }
            // The Markdown export already made every text printable.
            std::io::stdout().lock().write_all(engine.export_markdown().as_bytes())?;
            Ok(())
        }
        Cmd::History { json } => {
            let h = engine.history();
            if json {
                return print_json(&serde_json::to_value(&h)?);
            }
            let mut out = std::io::stdout().lock();
            for e in h {
                writeln!(out, "{}  {}  {}", when::format(e.at), one_line(&e.who), one_line(&e.summary))?;
            }
            Ok(())
        }
        Cmd::Export { format, out } => {
            let bytes = match format.as_str() {
                "json" => serde_json::to_vec_pretty(&engine.show_json())?,
                _ => engine.export_markdown().into_bytes(),
            };
            mend_fs::write_export(&out, &bytes)?;
            eprintln!("Exported to {}. It holds your shared space only: keep it somewhere private.", out.display());
            Ok(())
        }
        Cmd::Debug(DebugCmd::Stress { count, compact_bytes, size }) => {
            if let Some(b) = compact_bytes {
                engine.set_compact_bytes(b);
            }
            let mut out = std::io::stdout().lock();
            for i in 0..count {
                let mut t = format!("stress note {i} ");
                while t.len() < size {
                    t.push_str("thank you ");
                }
                let o = engine.execute(Command::AddGratitude { text: t, about: None })?;
                // Printed only once the note is fsynced: the crash test's record of what was promised.
                writeln!(out, "{}", o.created.map(|c| c.to_string()).unwrap_or_default())?;
                out.flush()?;
            }
            Ok(())
        }
    }
}

fn agreement(engine: &mut Engine, cmd: AgreementCmd) -> Result<()> {
    match cmd {
        AgreementCmd::Propose { category, text: t } => {
            let category = Category::parse(&category).ok_or_else(|| anyhow!("\"{category}\" is not a category: use {}", words(Category::ALL)))?;
            created(engine, Command::ProposeAgreement { category, text: text(t)? })
        }
        AgreementCmd::Revise { id, text: t } => {
            done(engine, Command::ReviseAgreement { id, text: text(t)? }, "Revision proposed. It is agreed once you both accept it.")
        }
        AgreementCmd::Accept { id } => done(engine, Command::AcceptAgreement { id }, "Accepted."),
        AgreementCmd::Review { id, at, clear } => {
            let at = if clear { None } else { Some(time(engine, at.as_deref().unwrap_or(""))?) };
            done(engine, Command::ScheduleReview { id, at }, "Review planned.")
        }
        AgreementCmd::Archive { id } => done(engine, Command::ArchiveAgreement { id }, "Proposal withdrawn."),
        AgreementCmd::List { json } => {
            if json {
                return print_json(&engine.show_json()["agreements"]);
            }
            let v = engine.view();
            let me = &engine.me().partner;
            let partners: Vec<&PartnerId> = v.partner_ids();
            let mut out = std::io::stdout().lock();
            for a in v.agreements.values() {
                let state = match a.group(&partners, me, engine.now()) {
                    AgreementGroup::Agreed | AgreementGroup::UpForReview => "agreed",
                    AgreementGroup::Withdrawn => "withdrawn",
                    AgreementGroup::WaitingForYou => "waiting for you",
                    AgreementGroup::WaitingForPartner => "proposed",
                };
                let review = if a.due_for_review(engine.now()) { "  (up for review)" } else { "" };
                writeln!(out, "{}  [{}]  {}: {}{}", a.id, state, a.category, a.current().map(|r| one_line(&r.text)).unwrap_or_default(), review)?;
            }
            Ok(())
        }
    }
}

fn promise(engine: &mut Engine, cmd: PromiseCmd) -> Result<()> {
    match cmd {
        PromiseCmd::Make { text: t, due, repeat, from_repair } => {
            let due = due.map(|d| time(engine, &d)).transpose()?;
            let repeat = Repeat::parse(&repeat).unwrap_or(Repeat::None);
            created(engine, Command::MakePromise { text: text(t)?, due, repeat, from_repair })
        }
        PromiseCmd::Keep { id } => done(engine, Command::KeepPromise { id }, "Marked as kept."),
        PromiseCmd::Miss { id } => done(engine, Command::MissPromise { id }, "Marked as missed. That's honest, and nothing resets."),
        PromiseCmd::Renegotiate { id, due } => {
            let due = time(engine, &due)?;
            done(engine, Command::RenegotiatePromise { id, due }, "New time agreed.")
        }
        PromiseCmd::Ack { id } => done(engine, Command::AcknowledgePromise { id }, "Acknowledged."),
        PromiseCmd::List { json } => {
            if json {
                return print_json(&engine.show_json()["promises"]);
            }
            let now = engine.now();
            let v = engine.view();
            let mut out = std::io::stdout().lock();
            for p in v.promises.values() {
                let state = p.state(now);
                let due = p.next_due.filter(|_| p.open).map(|d| format!("  due {}", when::format(d))).unwrap_or_default();
                let rep = if p.repeat == Repeat::None { String::new() } else { format!(" ({})", p.repeat) };
                writeln!(out, "{}  {}  [{}]{}{}  {}", p.id, one_line(v.partner_name(&p.promiser)), state, rep, due, one_line(&p.text))?;
            }
            Ok(())
        }
    }
}

fn waiting(engine: &mut Engine, json: bool) -> Result<()> {
    let all = engine.waiting();
    let v = engine.view();
    let now = engine.now();
    if json {
        let items: Vec<serde_json::Value> = all
            .iter()
            .map(|w| {
                serde_json::json!({
                    "kind": w.kind.as_str(),
                    "record": w.record,
                    "from": w.from,
                    "from_name": w.from.as_ref().map(|p| v.partner_name(p)),
                    "since": w.since,
                    "until": w.until,
                    "says": mend_engine::waiting::sentence(v, w, now),
                })
            })
            .collect();
        return print_json(&serde_json::Value::Array(items));
    }
    let mut out = std::io::stdout().lock();
    if all.is_empty() {
        writeln!(out, "Nothing waits for you right now.")?;
    }
    for w in &all {
        let id = w.record.as_ref().map(|r| r.to_string()).unwrap_or_else(|| "-".into());
        writeln!(out, "{id}  {}  {}. {}", when::format(w.since), mend_engine::waiting::sentence(v, w, now), mend_engine::waiting::next_step(w))?;
    }
    Ok(())
}

fn words<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", ")
}

/// Every text a person wrote, in a one-line row: printable, whoever wrote it.
pub(crate) fn one_line(s: &str) -> String {
    printable::line(s)
}
