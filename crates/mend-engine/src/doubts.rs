//! What the checks of who wrote what found (`mend_core::trust`), in words for a person:
//! which device did what it may not, and that Mend did not count it. Said plainly, without
//! accusing anyone: a changed copy of Mend, or a script, is the likely cause.

use crate::printable;
use mend_core::{Broke, DeviceId, View};
use serde::Serialize;

/// One thing a device did that Mend did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Noticed {
    /// The record it concerns, like `agreements/<id>`.
    pub record: String,
    pub device: DeviceId,
    pub rule: Broke,
    /// The sentence to show.
    pub says: String,
}

/// Everything the checks found, one entry per device and rule (the records named are the
/// first of each), oldest record first.
pub fn noticed(v: &View) -> Vec<Noticed> {
    let mut out: Vec<Noticed> = vec![];
    for (record, check) in &v.checks {
        for d in &check.doubts {
            if out.iter().any(|n| n.device == d.by && n.rule == d.what) {
                continue;
            }
            out.push(Noticed { record: record.clone(), device: d.by.clone(), rule: d.what.clone(), says: sentence(v, &d.by, &d.what) });
        }
    }
    out
}

/// What names one thing a device did, the same on every read: for remembering that it was
/// read.
pub fn key(n: &Noticed) -> String {
    format!("{}:{}", n.device, serde_json::to_string(&n.rule).unwrap_or_default())
}

/// The records written (in part) on a device not proved to be their author's.
pub fn unverified(v: &View) -> Vec<&str> {
    v.checks.iter().filter(|(_, c)| c.unverified).map(|(k, _)| k.as_str()).collect()
}

/// A sentence about one thing a device did that Mend did not count.
pub fn sentence(v: &View, by: &DeviceId, what: &Broke) -> String {
    let device = match v.devices.get(by) {
        Some(d) if !d.name.trim().is_empty() => printable::line(&d.name),
        _ => "A device Mend does not know".to_owned(),
    };
    let name = |p| printable::line(v.partner_name(p));
    match what {
        Broke::WroteAs { partner, kind } => {
            format!("{device} wrote a {kind} in {}'s name. Mend does not show it as {}'s.", name(partner), name(partner))
        }
        Broke::AcceptedFor { partner } => format!("{device} tried to accept an agreement for {}. Mend did not count it.", name(partner)),
        Broke::ChangedWords { kind } => {
            format!("{device} changed the words of a {kind} after they were written. Mend shows the words as they were first written.")
        }
        Broke::AnsweredRepair => {
            format!("{device} answered a repair it may not answer (its own, or in the other partner's name). Mend did not count the answer.")
        }
        Broke::MarkedPromiseOf { partner } => {
            format!("{device} marked a promise of {}'s. Only {} marks their own promises; Mend did not count it.", name(partner), name(partner))
        }
        Broke::AcknowledgedOwn => {
            format!("{device} acknowledged a promise of its own partner. That is the other partner's to do; Mend did not count it.")
        }
        Broke::Withdrew => format!("{device} withdrew an agreement that only the one who proposed it may withdraw. Mend did not count it."),
        Broke::ChangedProfileOf { partner } => format!("{device} changed {}'s profile. Mend shows it as {} wrote it.", name(partner), name(partner)),
        Broke::ChangedDeviceOf { partner } => {
            format!("{device} renamed or removed a device of {}'s. Only {} does that; Mend did not count it.", name(partner), name(partner))
        }
        Broke::PausedFor { partner } => format!("{device} started or ended a pause for {}. Mend did not count it.", name(partner)),
        Broke::ActedFor { partner, what } => {
            format!("{device} {} in {}'s name. Only {} does that; Mend did not count it.", printable::line(what), name(partner), name(partner))
        }
    }
}

/// What to say after the list: why this can happen, and that nothing was lost.
pub const WHY: &str = "Mend itself never does this: it may come from a changed copy of Mend, or a program writing to the space. Nothing either of you wrote was lost, and you can go on as before. If it keeps happening, talk it over with your partner, or leave the space from Devices.";
