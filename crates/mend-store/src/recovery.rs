use std::path::PathBuf;

/// Something the store had to repair while opening, told to the user in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The last write was cut off (a crash or power loss mid-save). The unfinished bytes
    /// held no acknowledged change; they were kept anyway.
    InterruptedWrite { file: PathBuf, bytes: usize, kept: PathBuf },
    /// A file was damaged. Everything intact was recovered; the file was moved aside.
    Damaged { file: PathBuf, kept: PathBuf, detail: String },
    /// Some changes could not be applied because changes they build on were lost.
    Incomplete { missing: usize },
    /// profile.json was missing or damaged and rebuilt from the device key and the shared
    /// document; a damaged one was kept aside.
    SettingsRebuilt { kept: Option<PathBuf> },
    /// device.key is missing or damaged: this device can no longer prove who it is. The
    /// space is readable; writing waits until another device adds this one again.
    KeyLost { missing: bool, device_name: Option<String> },
    /// Saved changes are gone from this device's files (a log deleted or cut short): the
    /// records that went with them, as (kind, written at), oldest first. `kept` holds what
    /// Mend last showed of them.
    ChangesLost { kept: PathBuf, records: Vec<(&'static str, mend_core::Timestamp)> },
    /// The view cache was stamped with the files on disk, yet the document they hold is not
    /// the one it was made from: the view was built again from the document.
    ViewRebuilt,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Said without "everything is here": a crash mid-save and a file cut short later
            // look alike, and a loss is told by its own note (ChangesLost).
            Recovery::InterruptedWrite { bytes, kept, .. } => write!(
                f,
                "Mend repaired a save that was cut off (a crash or power loss while it was writing). The {bytes} unfinished bytes were kept in {}.",
                kept.display()
            ),
            Recovery::ChangesLost { kept, records } => {
                write!(f, "Some changes saved on this device are missing from its files (a file of your space was deleted or cut short). ")?;
                match (records.first(), records.last()) {
                    (Some((_, first)), Some((_, last))) => write!(
                        f,
                        "{} {} gone from this device ({}), written between {} and {}, and changes to other records may be missing too. ",
                        records.len(),
                        if records.len() == 1 { "record is" } else { "records are" },
                        kinds(records),
                        day(*first),
                        day(*last)
                    )?,
                    _ => write!(f, "Changes to your records (such as an acceptance or a promise marked) are missing. ")?,
                }
                write!(
                    f,
                    "If your partner's device or another of yours has them, syncing with it brings them back. What Mend last showed of them was kept in {}.",
                    kept.display()
                )
            }
            Recovery::Damaged { file, kept, detail } => write!(
                f,
                "Part of your space on disk was damaged ({}: {detail}). Mend recovered everything it could read and kept the damaged file, untouched, at {}. If your partner's device is paired, syncing with it brings back what is missing.",
                file.display(),
                kept.display()
            ),
            Recovery::Incomplete { missing } => {
                write!(f, "{missing} saved change(s) depend on damaged data and are waiting; syncing with your partner's device can complete them.")
            }
            Recovery::SettingsRebuilt { kept: Some(kept) } => write!(
                f,
                "This profile's settings file was damaged; Mend rebuilt it from your device key and shared space, and kept the old one at {}.",
                kept.display()
            ),
            Recovery::SettingsRebuilt { kept: None } => {
                write!(f, "This profile's settings file was missing; Mend rebuilt it from your device key and shared space. Nothing was lost.")
            }
            Recovery::KeyLost { missing, device_name } => write!(
                f,
                "This device's key is {}, so this device can no longer prove that it is {}. Everything in your shared space is still here to read and export, and your journal is untouched. To write and sync again, add this device anew from another device of the two of you: make an invitation there for another device of yours (or your partner makes one), and join with it here. This device then gets a new key and keeps everything it holds.",
                if *missing { "missing" } else { "damaged" },
                device_name.as_deref().map(|n| format!("\"{n}\"")).unwrap_or_else(|| "the device it was".to_owned())
            ),
            Recovery::ViewRebuilt => write!(
                f,
                "Mend's quick-start copy of your space did not match the space on disk, so Mend built it again from the space itself. Nothing was lost."
            ),
        }
    }
}

/// "2 notes of thanks, 1 promise".
fn kinds(records: &[(&'static str, mend_core::Timestamp)]) -> String {
    let mut counts: Vec<(&str, usize)> = vec![];
    for (k, _) in records {
        match counts.iter_mut().find(|(c, _)| c == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    counts
        .iter()
        .map(|(k, n)| match (*n, *k) {
            (1, k) => format!("1 {k}"),
            (n, "note of thanks") => format!("{n} notes of thanks"),
            (n, k) => format!("{n} {k}s"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A day, in the user's time zone: "2026-12-02".
fn day(t: mend_core::Timestamp) -> String {
    match jiff::Timestamp::from_millisecond(t.0) {
        Ok(ts) => ts.to_zoned_datetime(jiff::tz::TimeZone::system()).strftime("%Y-%m-%d").to_string(),
        Err(_) => "an unknown day".to_owned(),
    }
}
