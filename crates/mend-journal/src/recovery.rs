use std::path::PathBuf;

/// Something the journal had to repair while opening, told to its owner in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovery {
    /// The last save was cut off (a crash or power loss mid-save). The unfinished bytes
    /// held no entry that Mend had confirmed; they were kept anyway, still encrypted.
    InterruptedWrite { file: PathBuf, bytes: usize, kept: PathBuf },
    /// A file was damaged: every entry that could be read was recovered, and a copy of the
    /// file, still encrypted, was kept aside.
    Damaged { file: PathBuf, kept: PathBuf, detail: String },
    /// A file that should be there was not.
    Missing { file: PathBuf },
}

impl std::fmt::Display for Recovery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Recovery::InterruptedWrite { bytes, kept, .. } => write!(
                f,
                "Mend finished repairing an interrupted journal save: every entry it confirmed is here. The {bytes} unfinished bytes (still encrypted) were kept in {}.",
                kept.display()
            ),
            Recovery::Damaged { file, kept, detail } => write!(
                f,
                "Part of your journal on disk was damaged ({}: {detail}). Mend recovered every entry it could read and kept a copy of the damaged file, untouched and still encrypted, at {}. Entries that were only in the damaged part can't be recovered.",
                file.display(),
                kept.display()
            ),
            Recovery::Missing { file } => write!(
                f,
                "A journal file was missing ({}). Mend rebuilt the journal from the files that are there; entries that were only in the missing file are gone.",
                file.display()
            ),
        }
    }
}
