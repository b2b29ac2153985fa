use std::path::PathBuf;

/// Every error is a sentence for a person: what happened, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("could not {action} {}: {source}", path.display())]
    Io { action: &'static str, path: PathBuf, source: std::io::Error },
    #[error(
        "the disk is full, so Mend could not save this to your journal. Everything saved before is safe; free some space on this disk, then try again"
    )]
    DiskFull { path: PathBuf },
    #[error("That passphrase doesn't open this journal. Check it and try again; Mend can't recover a forgotten passphrase.")]
    WrongPassphrase,
    #[error(
        "That passphrase doesn't open this journal. A passphrase change was finishing when Mend last stopped, and it went through: try your new passphrase. Mend can't recover a forgotten passphrase."
    )]
    WrongPassphraseAfterChange,
    #[error("the journal is locked: unlock it with your passphrase first")]
    Locked,
    #[error("the journal's passphrase was changed in another Mend window: open the journal again with the new passphrase")]
    ChangedElsewhere,
    #[error("there is no journal in {} yet: `mend journal add --text ...` starts one", path.display())]
    NoJournal { path: PathBuf },
    #[error("a journal already exists in {}: open it with its passphrase", path.display())]
    AlreadyExists { path: PathBuf },
    #[error("this journal was written by a newer version of Mend (format {found}): update Mend to open it. Nothing was changed.")]
    NewerFormat { found: u8 },
    #[error(
        "the journal in {} is too damaged to open: no copy of its key settings can be read. Mend kept its files, untouched and still encrypted, in {}. A new, empty journal starts when you next add an entry.",
        dir.display(),
        kept.display()
    )]
    Unreadable { dir: PathBuf, kept: PathBuf },
    #[error("the entry is empty: write something first")]
    EmptyText,
    #[error("the {what} is too long ({len} bytes; at most {max}): split it into several entries")]
    TooLong { what: &'static str, len: usize, max: usize },
    #[error("mood {0} is not between 1 and 5: use 1 (very low) to 5 (very good), or leave it out")]
    BadMood(u8),
    #[error("\"{0}\" is not a usable tag: a tag is one to 40 characters on one line")]
    BadTag(String),
    #[error("an entry can have at most {max} tags")]
    TooManyTags { max: usize },
    #[error("choose a passphrase of at least {min} characters: a few unrelated words are strong and easy to remember")]
    WeakPassphrase { min: usize },
    #[error("that passphrase is too long (at most {max} bytes)")]
    PassphraseTooLong { max: usize },
    #[error("no journal entry matches \"{given}\": copy the id from `mend journal list`")]
    NoMatch { given: String },
    #[error("\"{given}\" matches {count} journal entries: give more of the id")]
    Ambiguous { given: String, count: usize },
    #[error("this computer's random number generator failed ({0}); nothing was written. Try again")]
    Random(String),
    #[error("could not derive the journal's key ({0}); nothing was written. Close other programs and try again")]
    Kdf(String),
    #[error("could not encrypt the entry; nothing was written. Try again")]
    Encrypt,
}

/// The same sentence as before mend-fs did the file operations: "could not {action} {path}: …".
impl From<mend_fs::FsError> for JournalError {
    fn from(e: mend_fs::FsError) -> JournalError {
        if e.is_disk_full() {
            return JournalError::DiskFull { path: e.path };
        }
        JournalError::Io { action: e.action, path: e.path, source: e.source }
    }
}

impl JournalError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> JournalError {
        let path = path.into();
        move |source| {
            if mend_fs::is_disk_full(&source) {
                return JournalError::DiskFull { path };
            }
            JournalError::Io { action, path, source }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_error_reads_as_it_always_did() {
        let e = mend_fs::FsError { action: "flush folder", path: PathBuf::from("/p/space"), source: std::io::Error::other("disk gone") };
        let e = JournalError::from(e);
        assert!(matches!(e, JournalError::Io { action: "flush folder", .. }));
        assert_eq!(e.to_string(), "could not flush folder /p/space: disk gone");
    }
}
