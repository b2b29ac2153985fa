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
    /// profile.json was damaged and rebuilt from the device key and the shared document.
    SettingsRebuilt { kept: PathBuf },
    /// The view cache was stamped with the files on disk, yet the document they hold is not
    /// the one it was made from: the view was built again from the document.
    ViewRebuilt,
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recovery::InterruptedWrite { bytes, kept, .. } => write!(
                f,
                "Mend finished repairing an interrupted save: everything you saved is here. The {bytes} unfinished bytes were kept in {}.",
                kept.display()
            ),
            Recovery::Damaged { file, kept, detail } => write!(
                f,
                "Part of your space on disk was damaged ({}: {detail}). Mend recovered everything it could read and kept the damaged file, untouched, at {}. If your partner's device is paired, syncing with it brings back what is missing.",
                file.display(),
                kept.display()
            ),
            Recovery::Incomplete { missing } => {
                write!(f, "{missing} saved change(s) depend on damaged data and are waiting; syncing with your partner's device can complete them.")
            }
            Recovery::SettingsRebuilt { kept } => write!(
                f,
                "This profile's settings file was damaged; Mend rebuilt it from your device key and shared space, and kept the old one at {}.",
                kept.display()
            ),
            Recovery::ViewRebuilt => write!(
                f,
                "Mend's quick-start copy of your space did not match the space on disk, so Mend built it again from the space itself. Nothing was lost."
            ),
        }
    }
}
