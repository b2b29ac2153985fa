//! The shared space as JSON (for tools and `mend show --json`) and as Markdown that a person
//! can read, say a counsellor the couple chooses to show it to. Only shared records: the
//! private journal is never part of an export of the space. The Markdown is read in a
//! terminal or an editor, so every text in it goes through [`printable`]; the JSON is exact.

use crate::{printable, when};
use mend_core::stats::keep_rates;
use mend_core::{Actor, AgreementState, PartnerId, Timestamp, View};
use serde_json::{Value, json};
use std::fmt::Write;

pub use mend_core::stats::KEEP_RATE_WINDOWS;

pub fn json(v: &View, me: &Actor, now: Timestamp) -> Value {
    let partners: Vec<&PartnerId> = v.partner_ids();
    json!({
        "schema_version": v.schema_version,
        "me": { "partner": me.partner, "device": me.device },
        "partners": v.partners.values().map(|p| json!({
            "id": p.id, "name": p.name, "name_conflicts": p.name_conflicts,
            "love_languages": p.love_languages, "needs": p.needs, "joined_at": p.joined_at,
            "keep_rate": keep_rates(v, &p.id, now).iter().map(|k| {
                (k.days.to_string(), json!({ "kept": k.kept, "missed": k.missed, "renegotiated": k.renegotiated, "rate": k.rate() }))
            }).collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "devices": v.devices.values().map(|d| json!({
            "id": d.id, "name": d.name, "partner": d.partner, "added_at": d.added_at,
            "this_device": d.id == me.device, "verified": d.verified,
        })).collect::<Vec<_>>(),
        // What the checks of who wrote what found: things a device did that were not
        // counted, and records written on devices not proved to be their author's.
        "checks": {
            "noticed": crate::doubts::noticed(v),
            "unverified": crate::doubts::unverified(v),
        },
        "agreements": v.agreements.values().map(|a| json!({
            "id": a.id, "category": a.category, "state": a.state(&partners),
            "text": a.current().map(|r| r.text.as_str()),
            "author": a.created_by, "created_at": a.created_at, "review_at": a.review_at,
            "due_for_review": a.due_for_review(now),
            "revisions": a.revisions,
        })).collect::<Vec<_>>(),
        "promises": v.promises.values().map(|p| json!({
            "id": p.id, "text": p.text, "author": p.promiser, "created_at": p.created_at,
            "repeat": p.repeat, "due": p.next_due, "open": p.open, "from_repair": p.from_repair,
            "state": p.state(now).as_str(),
            "occurrences": p.occurrences,
        })).collect::<Vec<_>>(),
        "gratitude": v.gratitude.values().collect::<Vec<_>>(),
        "checkins": v.checkins.values().collect::<Vec<_>>(),
        "repairs": v.repairs.values().map(|r| json!({
            "id": r.id, "author": r.author, "at": r.at,
            "what_happened": r.what_happened, "what_i_did": r.what_i_did,
            "impact": r.impact, "next_time": r.next_time,
            "state": r.answer.as_ref().map(|a| a.response.as_str()).unwrap_or("waiting"),
            "answer": r.answer,
        })).collect::<Vec<_>>(),
        "pauses": v.pauses.values().map(|p| json!({
            "partner": p.partner, "started_at": p.started_at, "until": p.until,
            "note": p.note, "ended_at": p.ended_at, "active": p.is_active(now),
        })).collect::<Vec<_>>(),
        "goals": v.goals.values().collect::<Vec<_>>(),
        "together": v.together.values().collect::<Vec<_>>(),
        "heard": v.heard.values().collect::<Vec<_>>(),
        // Sealed answers carry no words here until both answered and the key is out; the
        // sealed bytes themselves are of no use to a reader and are left out.
        "answers": v.answers.values().map(|a| json!({
            "id": a.id, "day": a.day, "question": a.question,
            "question_text": mend_core::decks::questions::by_id(&a.question).map(|q| q.text),
            "partner": a.partner, "at": a.at,
            "text": a.key.as_ref().and_then(|k| crate::questions::open(k, a.id.as_str(), &a.sealed)),
            "sealed": a.key.is_none(),
        })).collect::<Vec<_>>(),
    })
}

pub fn markdown(v: &View, now: Timestamp) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail; `fmt::Write` only says it might.
    let _: std::fmt::Result = write_markdown(&mut s, v, now);
    // One empty line between blocks, however the sections end: a counsellor reads it.
    while s.contains("\n\n\n") {
        s = s.replace("\n\n\n", "\n\n");
    }
    s
}

fn write_markdown(s: &mut String, v: &View, now: Timestamp) -> std::fmt::Result {
    let name = |p: &PartnerId| printable::line(v.partner_name(p));
    let partners: Vec<&PartnerId> = v.partner_ids();
    let names: Vec<String> = v.partners.keys().map(name).collect();
    writeln!(s, "# Our shared space in Mend\n")?;
    writeln!(s, "{}. Exported {}.\n", names.join(" and "), when::format(now))?;
    writeln!(s, "This export holds what the two of us wrote together. Private journals are not in it.\n")?;

    writeln!(s, "## The two of us\n")?;
    for p in v.partners.values() {
        let langs: Vec<&str> = p.love_languages.iter().map(|l| l.label()).collect();
        writeln!(s, "**{}**", name(&p.id))?;
        writeln!(s, "- Love languages: {}", if langs.is_empty() { "not written yet".to_owned() } else { langs.join(", ") })?;
        writeln!(s, "- Needs: {}\n", if p.needs.trim().is_empty() { "not written yet".to_owned() } else { one_line(&p.needs) })?;
    }

    writeln!(s, "## Agreements\n")?;
    if v.agreements.is_empty() {
        writeln!(s, "_None yet._\n")?;
    }
    for a in v.agreements.values() {
        let state = match a.state(&partners) {
            AgreementState::Agreed => "agreed by both",
            AgreementState::Proposed => "proposed",
            AgreementState::Archived => "withdrawn",
        };
        let text = a.current().map(|r| r.text.as_str()).unwrap_or("");
        writeln!(s, "### {} ({state})\n", a.category.label())?;
        writeln!(s, "{}\n", quote(text))?;
        writeln!(s, "Proposed by {} on {}.", name(&a.created_by), when::format(a.created_at))?;
        if a.revisions.len() > 1 {
            writeln!(
                s,
                "{} revisions; the latest by {} on {}.",
                a.revisions.len(),
                a.current().map(|r| name(&r.author)).unwrap_or_default(),
                a.current().map(|r| when::format(r.at)).unwrap_or_default()
            )?;
        }
        if let Some(r) = a.current()
            && !r.accepted_by.is_empty()
        {
            let when_each: Vec<String> = r.accepted_by.iter().map(|(p, t)| format!("{} on {}", name(p), when::format(*t))).collect();
            writeln!(s, "These words accepted by {}.", when_each.join(" and "))?;
        }
        if let Some(r) = a.review_at {
            writeln!(s, "Review planned for {}.", when::format(r))?;
        }
        writeln!(s)?;
    }

    writeln!(s, "## Promises\n")?;
    if v.promises.is_empty() {
        writeln!(s, "_None yet._\n")?;
    }
    for p in v.promises.values() {
        let due = p.next_due.filter(|_| p.open).map(|d| format!(", next due {}", when::format(d))).unwrap_or_default();
        writeln!(
            s,
            "- **{}** promised: {}{} ({}{})",
            name(&p.promiser),
            one_line(&p.text),
            if p.repeat == mend_core::Repeat::None { String::new() } else { format!(", {}", p.repeat) },
            if p.open { "open" } else { "settled" },
            due
        )?;
        for o in &p.occurrences {
            writeln!(s, "  - {} on {}{}", o.outcome, when::format(o.marked_at), if o.acknowledged_at.is_some() { ", acknowledged" } else { "" })?;
        }
    }
    writeln!(s)?;
    for p in v.partners.values() {
        let rates: Vec<String> = keep_rates(v, &p.id, now)
            .iter()
            .map(|k| {
                let d = k.days;
                match k.rate() {
                    Some(r) => format!("{:.0}% over {d} days ({} kept, {} missed)", r * 100.0, k.kept, k.missed),
                    None => format!("nothing settled in {d} days"),
                }
            })
            .collect();
        writeln!(s, "{}'s promises: {}.", name(&p.id), rates.join("; "))?;
    }
    writeln!(s)?;

    writeln!(s, "## Gratitude\n")?;
    if v.gratitude.is_empty() {
        writeln!(s, "_None yet._\n")?;
    }
    for g in v.gratitude.values() {
        writeln!(s, "- {} — {}, {}", one_line(&g.text), name(&g.author), when::format(g.at))?;
    }
    writeln!(s)?;

    writeln!(s, "## Check-ins\n")?;
    if v.checkins.is_empty() {
        writeln!(s, "_None yet._\n")?;
    } else {
        writeln!(s, "| when | who | kind | connection | trust | feeling heard | question | answer |\n|---|---|---|---|---|---|---|---|")?;
        let cell = |t: Option<&str>| t.map(one_line).unwrap_or_default().replace('|', "\\|");
        for c in v.checkins.values() {
            writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                when::format(c.at),
                name(&c.author),
                c.kind,
                c.connection,
                c.trust,
                c.heard,
                cell(c.prompt.as_deref()),
                cell(c.note.as_deref())
            )?;
        }
    }
    writeln!(s)?;

    writeln!(s, "## Pauses\n")?;
    if v.pauses.is_empty() {
        writeln!(s, "_None yet._\n")?;
    }
    for p in v.pauses.values() {
        let end = match p.ended_at {
            Some(e) => format!("ended {}", when::format(e)),
            None => format!("until {}", when::format(p.until)),
        };
        let note = p.note.as_deref().map(|n| format!(": {}", one_line(n))).unwrap_or_default();
        writeln!(s, "- {} asked for a pause on {}, {end}{note}", name(&p.partner), when::format(p.started_at))?;
    }
    writeln!(s)?;

    writeln!(s, "## Repairs\n")?;
    if v.repairs.is_empty() {
        writeln!(s, "_None yet._\n")?;
    }
    for r in v.repairs.values() {
        writeln!(s, "### From {}, {}\n", name(&r.author), when::format(r.at))?;
        writeln!(s, "**What happened:** {}\n", one_line(&r.what_happened))?;
        writeln!(s, "**What I did:** {}\n", one_line(&r.what_i_did))?;
        writeln!(s, "**The impact I understand:** {}\n", one_line(&r.impact))?;
        writeln!(s, "**What I will do differently:** {}\n", one_line(&r.next_time))?;
        match &r.answer {
            Some(a) => {
                writeln!(s, "_{} answered: {}, {}._\n", name(&a.by), a.response.as_str().replace('-', " "), when::format(a.at))?;
            }
            None => {
                writeln!(s, "_Not answered yet._\n")?;
            }
        }
    }
    write_practices(s, v)?;
    let noticed = crate::doubts::noticed(v);
    let unverified = crate::doubts::unverified(v).len();
    if !noticed.is_empty() || unverified > 0 {
        writeln!(s, "## What Mend could not verify\n")?;
        for n in &noticed {
            writeln!(s, "- {}", n.says)?;
        }
        if unverified > 0 {
            writeln!(
                s,
                "- {unverified} record(s) above were written on a device that no device of their author added, so Mend cannot say for sure who wrote them."
            )?;
        }
        writeln!(s, "\n{}", crate::doubts::WHY)?;
    }
    Ok(())
}

/// The goals, time together, reflections and the questions both answered.
fn write_practices(s: &mut String, v: &View) -> std::fmt::Result {
    let name = |p: &PartnerId| printable::line(v.partner_name(p));
    if !v.goals.is_empty() {
        writeln!(s, "## Goals\n")?;
        for g in v.goals.values() {
            let done = g.celebrated.as_ref().map(|c| format!(" (celebrated by {} on {})", name(&c.by), when::format(c.at))).unwrap_or_default();
            writeln!(s, "### {}{done}\n", one_line(&g.text))?;
            writeln!(s, "Set by {} on {}.\n", name(&g.author), when::format(g.at))?;
            for st in &g.steps {
                let mark = if st.done.is_some() { "x" } else { " " };
                let by = st.done.as_ref().map(|d| format!(", done by {} on {}", name(&d.by), when::format(d.at))).unwrap_or_default();
                writeln!(s, "- [{mark}] {} (added by {}{by})", one_line(&st.text), name(&st.author))?;
            }
            writeln!(s)?;
        }
    }
    if !v.together.is_empty() {
        writeln!(s, "## Time together\n")?;
        for t in v.together.values().filter(|t| t.kind != mend_core::TogetherKind::Idea) {
            let when_ = t.when.map(|w| format!(", for {}", when::format(w))).unwrap_or_default();
            let done = t.done.as_ref().map(|d| format!(", done {}", when::format(d.at))).unwrap_or_default();
            writeln!(s, "- {} (planned by {}{when_}{done})", one_line(&t.text), name(&t.author))?;
        }
        let ideas: Vec<String> = v.together.values().filter(|t| t.kind == mend_core::TogetherKind::Idea).map(|t| one_line(&t.text)).collect();
        if !ideas.is_empty() {
            writeln!(s, "\nIdeas: {}.", ideas.join("; "))?;
        }
        writeln!(s)?;
    }
    if !v.heard.is_empty() {
        writeln!(s, "## What we heard\n")?;
        for h in v.heard.values() {
            if !v.heard_on(&h.about).iter().any(|x| x.id == h.id) {
                continue;
            }
            let on = match h.about_kind {
                mend_core::HeardAbout::Repair => "repair",
                mend_core::HeardAbout::CheckIn => "check-in",
            };
            writeln!(s, "- {} heard, on {}'s {on} ({}): {}", name(&h.author), name(&h.to), when::format(h.at), one_line(&h.text))?;
            if let Some(a) = &h.answer {
                let said = match a.answer {
                    mend_core::HeardAnswer::Yes => "yes, that's it",
                    mend_core::HeardAnswer::NotQuite => "not quite",
                };
                let note = a.note.as_deref().map(|n| format!(": {}", one_line(n))).unwrap_or_default();
                writeln!(s, "  - {} said {said}{note}", name(&h.to))?;
            }
        }
        writeln!(s)?;
    }
    // Only questions both answered and opened: a sealed answer has no words to export.
    let mut open: Vec<(&str, &str)> = v.answers.values().filter(|a| a.key.is_some()).map(|a| (a.day.as_str(), a.question.as_str())).collect();
    open.sort();
    open.dedup();
    let both: Vec<(&str, &str)> = open.into_iter().filter(|(d, q)| v.answers_to(d, q).iter().filter(|a| a.key.is_some()).count() >= 2).collect();
    if !both.is_empty() {
        writeln!(s, "## Questions we both answered\n")?;
        for (day, q) in both {
            let text = mend_core::decks::questions::by_id(q).map(|q| q.text).unwrap_or(q);
            writeln!(s, "### {day}: {}\n", one_line(text))?;
            for a in v.answers_to(day, q) {
                let words = a.key.as_ref().and_then(|k| crate::questions::open(k, a.id.as_str(), &a.sealed)).unwrap_or_default();
                writeln!(s, "- {}: {}", name(&a.partner), one_line(&words))?;
            }
            writeln!(s)?;
        }
    }
    Ok(())
}

fn one_line(s: &str) -> String {
    printable::line(s)
}

fn quote(s: &str) -> String {
    printable::block(s).lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
}
