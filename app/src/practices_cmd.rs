//! The practices' commands: goals, time together, "what I heard", the question of the day
//! and the love-languages quiz. Each prints the id of what it creates on stdout (for
//! scripts) and a calm sentence on stderr.

use crate::cli::TextArg;
use crate::run::{created, done, one_line, print_json, text, time};
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use mend_engine::core::decks::{ideas::IDEAS, quiz};
use mend_engine::core::{HeardAnswer, TogetherKind};
use mend_engine::questions::{Asked, Shown};
use mend_engine::{Command, Engine, printable, when};
use std::io::{BufRead, IsTerminal, Write};

#[derive(Subcommand, Debug)]
pub enum GoalCmd {
    /// Set a goal for the two of you (prints its id).
    Add {
        #[command(flatten)]
        text: TextArg,
    },
    /// Add a small step to a goal (prints the step's id). Either of you can.
    Step {
        /// The goal's id (or a unique part of it).
        goal: String,
        #[command(flatten)]
        text: TextArg,
    },
    /// Mark a step done.
    Done {
        /// The step's id (or a unique part of it).
        step: String,
    },
    /// Celebrate a goal you reached together.
    Celebrate { id: String },
    /// The goals and their steps.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum TogetherCmd {
    /// Plan time together (prints its id).
    Plan {
        #[command(flatten)]
        text: TextArg,
        /// When, if you like: 18:30, 2026-12-01 18:30, 2026-12-01, +2h, +3d.
        #[arg(long)]
        when: Option<String>,
    },
    /// Mark time together as done.
    Done { id: String },
    /// Add an idea to your shared list (prints its id).
    Idea {
        #[command(flatten)]
        text: TextArg,
    },
    /// Your plans and ideas, and a few ideas to start from.
    List {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum HeardCmd {
    /// Write back what you heard in your partner's repair or check-in (prints its id).
    Write {
        /// The repair or check-in (its id, or a unique part of it).
        record: String,
        #[command(flatten)]
        text: TextArg,
    },
    /// Say whether your partner heard you right, on your repair or check-in RECORD.
    Confirm {
        record: String,
        /// It was not quite it: say what you meant, in a line.
        #[arg(long, value_name = "TEXT")]
        not_quite: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum QuestionCmd {
    /// Today's question and its id.
    Today,
    /// Answer a question (today's unless --id). Your answer stays sealed, on your
    /// partner's devices too, until they have answered the same question.
    Answer {
        #[command(flatten)]
        text: TextArg,
        /// The question's id as `mend question` prints it (DAY~QUESTION).
        #[arg(long)]
        id: Option<String>,
    },
    /// The questions you answered, with both answers once both of you answered.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub fn goal(engine: &mut Engine, cmd: GoalCmd) -> Result<()> {
    match cmd {
        GoalCmd::Add { text: t } => created(engine, Command::AddGoal { text: text(t)? }),
        GoalCmd::Step { goal, text: t } => created(engine, Command::AddGoalStep { goal, text: text(t)? }),
        GoalCmd::Done { step } => done(engine, Command::DoneGoalStep { step }, "Step done. One more small step behind you both."),
        GoalCmd::Celebrate { id } => done(engine, Command::CelebrateGoal { id }, "Celebrated. Well done, the two of you."),
        GoalCmd::List { json } => {
            if json {
                return print_json(&engine.show_json()["goals"]);
            }
            let v = engine.view();
            let mut out = std::io::stdout().lock();
            if v.goals.is_empty() {
                writeln!(out, "No goals yet. Set one with: mend goal add --text \"...\"")?;
            }
            for g in v.goals.values() {
                let state =
                    if g.celebrated.is_some() { "celebrated".to_owned() } else { format!("{} of {} steps done", g.steps_done(), g.steps.len()) };
                writeln!(out, "{}  {}  [{state}]  set by {}", g.id, one_line(&g.text), one_line(v.partner_name(&g.author)))?;
                for s in &g.steps {
                    writeln!(out, "  {} [{}] {}", s.id, if s.done.is_some() { "x" } else { " " }, one_line(&s.text))?;
                }
            }
            Ok(())
        }
    }
}

pub fn together(engine: &mut Engine, cmd: TogetherCmd) -> Result<()> {
    match cmd {
        TogetherCmd::Plan { text: t, when: w } => {
            let when = w.as_deref().map(|w| time(engine, w)).transpose()?;
            created(engine, Command::PlanTogether { text: text(t)?, when })
        }
        TogetherCmd::Done { id } => done(engine, Command::DoneTogether { id }, "Marked as done. We hope it was good time together."),
        TogetherCmd::Idea { text: t } => created(engine, Command::AddIdea { text: text(t)? }),
        TogetherCmd::List { json } => {
            if json {
                return print_json(&engine.show_json()["together"]);
            }
            let v = engine.view();
            let mut out = std::io::stdout().lock();
            let plans: Vec<_> = v.together.values().filter(|t| t.kind != TogetherKind::Idea).collect();
            let ideas: Vec<_> = v.together.values().filter(|t| t.kind == TogetherKind::Idea).collect();
            writeln!(out, "Plans:")?;
            if plans.is_empty() {
                writeln!(out, "  none yet")?;
            }
            for p in plans {
                let w = p.when.map(|w| format!("  {}", when::format(w))).unwrap_or_default();
                writeln!(out, "  {}{}  {}{}", p.id, w, one_line(&p.text), if p.done.is_some() { "  (done)" } else { "" })?;
            }
            writeln!(out, "Your ideas:")?;
            if ideas.is_empty() {
                writeln!(out, "  none yet")?;
            }
            for i in ideas {
                writeln!(out, "  {}  {}", i.id, one_line(&i.text))?;
            }
            writeln!(out, "Ideas to start from:")?;
            for i in IDEAS.iter().take(8) {
                writeln!(out, "  {}", i.text)?;
            }
            Ok(())
        }
    }
}

pub fn heard(engine: &mut Engine, cmd: HeardCmd) -> Result<()> {
    match cmd {
        HeardCmd::Write { record, text: t } => created(engine, Command::WriteHeard { about: record, text: text(t)? }),
        HeardCmd::Confirm { record, not_quite } => {
            let (answer, said) = match &not_quite {
                None => (HeardAnswer::Yes, "Shared: \"yes, that's it\"."),
                Some(_) => (HeardAnswer::NotQuite, "Shared: \"not quite\", with your words."),
            };
            done(engine, Command::AnswerHeard { about: record, answer, note: not_quite }, said)
        }
    }
}

pub fn question(engine: &mut Engine, cmd: Option<QuestionCmd>) -> Result<()> {
    match cmd.unwrap_or(QuestionCmd::Today) {
        QuestionCmd::Today => {
            let a = engine.question_today();
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}~{}", a.day, a.question)?;
            writeln!(out, "{}", a.text)?;
            print_answers(&mut out, engine, &a)?;
            Ok(())
        }
        QuestionCmd::Answer { text: t, id } => {
            let (day, q) = match id {
                None => {
                    let a = engine.question_today();
                    (a.day, a.question)
                }
                Some(id) => {
                    let (d, q) = id
                        .split_once('~')
                        .ok_or_else(|| anyhow!("\"{id}\" is not a question id: copy it from `mend question`, like 2026-12-07~l-smile-today"))?;
                    (d.to_owned(), q.to_owned())
                }
            };
            let out = engine.execute(Command::AnswerQuestion { day: day.clone(), question: q.clone(), text: text(t)? })?;
            if let Some(id) = out.created {
                writeln!(std::io::stdout(), "{id}")?;
            }
            let a = engine.question_on(&day);
            eprintln!(
                "{}",
                match a.theirs {
                    Some(_) => "Your answer is shared. You can both read both answers now.",
                    None => "Your answer is sealed: no one can read it until you have both answered.",
                }
            );
            Ok(())
        }
        QuestionCmd::List { json } => {
            let all = engine.questions_asked(usize::MAX);
            if json {
                return print_json(&serde_json::to_value(&all)?);
            }
            let mut out = std::io::stdout().lock();
            if all.is_empty() {
                writeln!(out, "No answers yet. See today's question with: mend question")?;
            }
            for a in &all {
                writeln!(out, "{}~{}  {}", a.day, a.question, a.text)?;
                print_answers(&mut out, engine, a)?;
            }
            Ok(())
        }
    }
}

fn print_answers(out: &mut impl Write, engine: &Engine, a: &Asked) -> Result<()> {
    let v = engine.view();
    let partner = v.other_partner(&engine.me().partner).map(|p| printable::line(v.partner_name(&p.id))).unwrap_or_else(|| "your partner".into());
    match &a.mine {
        Some((_, Shown::Open(t) | Shown::MineSealed(t))) => writeln!(out, "  you: {}", one_line(t))?,
        Some((_, Shown::Sealed)) => writeln!(out, "  you: answered on another of your devices (sealed until both answered)")?,
        Some((_, Shown::Unreadable)) => writeln!(out, "  you: answered, but this answer could not be opened")?,
        None => writeln!(out, "  you: not answered yet")?,
    }
    match (&a.theirs, &a.mine) {
        (Some((_, Shown::Open(t))), _) => writeln!(out, "  {partner}: {}", one_line(t))?,
        (Some((_, Shown::Unreadable)), _) => writeln!(out, "  {partner}: answered, but the answer could not be opened")?,
        (Some(_), None) => writeln!(out, "  {partner}: sealed until you answer")?,
        (Some(_), Some(_)) => writeln!(out, "  {partner}: answered; it opens when their device next syncs")?,
        (None, _) => writeln!(out, "  waiting for {partner}")?,
    }
    Ok(())
}

/// The love-languages quiz: at a terminal it asks each question; a script gives the
/// answers with --answers (one digit per question, 1 or 2). Prints the suggested order;
/// with --save (or a yes at the terminal) it becomes the profile's, to edit any time.
pub fn quiz(engine: &mut Engine, answers: Option<String>, save: bool) -> Result<()> {
    let interactive = answers.is_none();
    let picked: Vec<u8> = match answers {
        Some(a) => {
            let d: Vec<u8> = a
                .chars()
                .filter(|c| !matches!(c, ',' | ' '))
                .map(|c| {
                    if c == '1' {
                        Ok(0)
                    } else if c == '2' {
                        Ok(1)
                    } else {
                        Err(c)
                    }
                })
                .collect::<Result<_, char>>()
                .map_err(|c| anyhow!("\"{c}\" is not an answer: give 1 or 2 for each question"))?;
            if d.len() != quiz::QUIZ.len() {
                bail!("the quiz has {} questions and {} answers were given: give one 1 or 2 for each", quiz::QUIZ.len(), d.len());
            }
            d
        }
        None => {
            if !std::io::stdin().is_terminal() {
                bail!(
                    "the quiz asks its questions at a terminal; a script gives the answers with --answers (one 1 or 2 per question, {} in all)",
                    quiz::QUIZ.len()
                );
            }
            ask_quiz()?
        }
    };
    let order = quiz::suggest(&picked);
    let labels: Vec<&str> = order.iter().map(|l| l.label()).collect();
    writeln!(std::io::stdout(), "{}", order.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(","))?;
    eprintln!("Your answers suggest: {}. It's only a suggestion: change it any time.", labels.join(", "));
    let save =
        save || (interactive && crate::ask::go_ahead(false, "Your partner sees your love languages in your profile.", "Save this order?").is_ok());
    if save {
        done(engine, Command::UpdateProfile { name: None, love_languages: Some(order), needs: None }, "Saved to your profile.")?;
    }
    Ok(())
}

fn ask_quiz() -> Result<Vec<u8>> {
    let mut err = std::io::stderr().lock();
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut out = vec![];
    writeln!(err, "{} short questions. There are no right answers: pick what would mean more to you.\n", quiz::QUIZ.len())?;
    for (i, q) in quiz::QUIZ.iter().enumerate() {
        writeln!(err, "{}. {}\n   1) {}\n   2) {}", i + 1, q.prompt, q.choices[0].1, q.choices[1].1)?;
        loop {
            write!(err, "   1 or 2: ")?;
            err.flush()?;
            let Some(line) = lines.next() else { bail!("the quiz stopped before the end; nothing was saved") };
            match line?.trim() {
                "1" => break out.push(0),
                "2" => break out.push(1),
                _ => continue,
            }
        }
    }
    Ok(out)
}
