//! `mend notifications`: this device's choices about desktop notifications. Only what the
//! partner does is ever notified, never the words of a record.

use anyhow::Result;
use clap::Subcommand;
use mend_engine::Engine;
use mend_engine::core::notice::{NoticeKind, NoticeSettings, QuietHours};
use std::io::Write;

#[derive(Subcommand, Debug)]
pub enum NotificationsCmd {
    /// Which kinds are on, the quiet hours, and how much a notification says.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Turn kinds on (all of the partner's when none is named): pause, repair, answered,
    /// agreement, thanks; and your own reminders, only when named: promise-due, checkin.
    On {
        #[arg(value_parser = kind)]
        kinds: Vec<NoticeKind>,
    },
    /// Turn kinds off (all of them when none is named).
    Off {
        #[arg(value_parser = kind)]
        kinds: Vec<NoticeKind>,
    },
    /// No notifications between two times of the day, such as 22:00-07:30 (what comes
    /// meanwhile is told when they end, if it still waits); `off` ends quiet hours.
    Quiet {
        #[arg(value_parser = quiet)]
        hours: Quiet,
    },
    /// `on`: say only "Something from Sam", not what it is; `off`: say what it is.
    Discreet {
        #[arg(value_parser = on_off, action = clap::ArgAction::Set)]
        on: bool,
    },
    /// The time of your check-in reminder, like 20:00 (turns the reminder on), or `off`.
    CheckinAt {
        #[arg(value_parser = time_or_off)]
        at: TimeOrOff,
    },
}

/// A time of the day (minutes since midnight), or `off`.
#[derive(Debug, Clone, Copy)]
pub enum TimeOrOff {
    Off,
    At(u16),
}

fn time_or_off(s: &str) -> Result<TimeOrOff, String> {
    if s.trim() == "off" {
        return Ok(TimeOrOff::Off);
    }
    mend_engine::core::notice::minute_of_day(s)
        .map(TimeOrOff::At)
        .ok_or_else(|| format!("\"{s}\" is not a time of the day: write it like 20:00, or `off`"))
}

#[derive(Debug, Clone, Copy)]
pub enum Quiet {
    Off,
    Hours(QuietHours),
}

fn kind(s: &str) -> Result<NoticeKind, String> {
    NoticeKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = NoticeKind::ALL.iter().chain(&NoticeKind::REMINDERS).map(|k| k.as_str()).collect();
        format!("Mend has no notifications called \"{s}\": choose from {}", all.join(", "))
    })
}

fn quiet(s: &str) -> Result<Quiet, String> {
    if s.trim() == "off" {
        return Ok(Quiet::Off);
    }
    QuietHours::parse(s)
        .map(Quiet::Hours)
        .ok_or_else(|| format!("\"{s}\" is not a span of the day Mend understands: write it like 22:00-07:30, or `off` for no quiet hours"))
}

fn on_off(s: &str) -> Result<bool, String> {
    match s.trim() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(format!("\"{s}\": write on or off")),
    }
}

pub fn run(engine: &Engine, cmd: NotificationsCmd) -> Result<()> {
    let mut s = engine.notice_settings();
    let said = match cmd {
        NotificationsCmd::Status { json } => return status(&s, json),
        NotificationsCmd::On { kinds } => {
            // Reminders are opt-in: "on" alone turns on what the partner does, not them.
            let kinds = if kinds.is_empty() { NoticeKind::ALL.to_vec() } else { kinds };
            for k in &kinds {
                if k.is_reminder() {
                    s.reminders.insert(*k);
                } else {
                    s.off.remove(k);
                }
            }
            format!("On: {}.", names(&kinds))
        }
        NotificationsCmd::Off { kinds } => {
            let kinds = if kinds.is_empty() { NoticeKind::ALL.into_iter().chain(NoticeKind::REMINDERS).collect() } else { kinds };
            for k in &kinds {
                if k.is_reminder() {
                    s.reminders.remove(k);
                } else {
                    s.off.insert(*k);
                }
            }
            format!("Off: {}. What waits still shows on Today and in `mend waiting`.", names(&kinds))
        }
        NotificationsCmd::CheckinAt { at: TimeOrOff::At(m) } => {
            s.checkin_at = Some(m);
            s.reminders.insert(NoticeKind::CheckIn);
            format!("Your check-in reminder comes at {:02}:{:02} on days without a check-in.", m / 60, m % 60)
        }
        NotificationsCmd::CheckinAt { at: TimeOrOff::Off } => {
            s.reminders.remove(&NoticeKind::CheckIn);
            "No check-in reminder.".to_owned()
        }
        NotificationsCmd::Quiet { hours: Quiet::Off } => {
            s.quiet = None;
            "No quiet hours.".to_owned()
        }
        NotificationsCmd::Quiet { hours: Quiet::Hours(q) } => {
            s.quiet = Some(q);
            format!("Quiet hours {q}: what comes meanwhile is told when they end, if it still waits.")
        }
        NotificationsCmd::Discreet { on: true } => {
            s.discreet = true;
            "Notifications now say only who: \"Something from …\".".to_owned()
        }
        NotificationsCmd::Discreet { on: false } => {
            s.discreet = false;
            "Notifications say who and what, never the words.".to_owned()
        }
    };
    engine.set_notice_settings(&s)?;
    eprintln!("{said} `mend serve` and the window use this at once.");
    Ok(())
}

fn names(kinds: &[NoticeKind]) -> String {
    kinds.iter().map(|k| k.describe()).collect::<Vec<_>>().join("; ")
}

fn status(s: &NoticeSettings, json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        let kinds: serde_json::Map<String, serde_json::Value> =
            NoticeKind::ALL.iter().chain(&NoticeKind::REMINDERS).map(|k| (k.as_str().to_owned(), s.is_on(*k).into())).collect();
        let at = s.checkin_at.unwrap_or(mend_engine::core::notice::DEFAULT_CHECKIN_AT);
        let v = serde_json::json!({ "kinds": kinds, "quiet": s.quiet.map(|q| q.to_string()), "discreet": s.discreet,
            "checkin_at": format!("{:02}:{:02}", at / 60, at % 60) });
        serde_json::to_writer_pretty(&mut out, &v).map_err(std::io::Error::from)?;
        writeln!(out)?;
        return Ok(());
    }
    for k in NoticeKind::ALL.into_iter().chain(NoticeKind::REMINDERS) {
        writeln!(out, "{:<11} {}  ({})", k.as_str(), if s.is_on(k) { "on " } else { "off" }, k.describe())?;
    }
    if s.is_on(NoticeKind::CheckIn) {
        let at = s.checkin_at.unwrap_or(mend_engine::core::notice::DEFAULT_CHECKIN_AT);
        writeln!(out, "checkin at  {:02}:{:02}", at / 60, at % 60)?;
    }
    match s.quiet {
        Some(q) => writeln!(out, "quiet      {q}")?,
        None => writeln!(out, "quiet      none")?,
    }
    writeln!(out, "discreet   {}", if s.discreet { "on (only who)" } else { "off (who and what, never the words)" })?;
    Ok(())
}
