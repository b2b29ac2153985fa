//! `mend backup` and `mend restore`: the whole profile in one sealed file, and back into a
//! new folder. Neither opens the shared space or the network (mend-backup reads the files
//! under the profile's locks, so this works while the window or `mend serve` runs).

use anyhow::{Result, bail};
use mend_journal::KdfParams;
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

const PASSPHRASE_VAR: &str = "MEND_BACKUP_PASSPHRASE";
/// Read by debug builds only (the ones `cargo test` runs): release builds always use
/// [`KdfParams::STRONG`].
const TEST_KDF_VAR: &str = "MEND_BACKUP_INSECURE_TEST_KDF";

fn kdf() -> KdfParams {
    #[cfg(debug_assertions)]
    if std::env::var_os(TEST_KDF_VAR).is_some_and(|v| v == "1") {
        return KdfParams::INSECURE_FAST_FOR_TESTS;
    }
    let _ = TEST_KDF_VAR;
    KdfParams::STRONG
}

use crate::journal_cmd::{ask, can_ask, from_env, twice};

pub fn backup(profile: &Path, out: &Path, with_device_key: bool) -> Result<()> {
    if !profile.join("profile.json").is_file() && !profile.join("space").is_dir() {
        // Before asking for a passphrase: there would be nothing to seal.
        return Err(mend_backup::BackupError::NotAProfile { path: profile.to_owned() }.into());
    }
    let passphrase = match from_env(PASSPHRASE_VAR)? {
        Some(p) => p,
        None if can_ask() => {
            eprintln!(
                "Choose a passphrase for this backup. It is needed to restore it; Mend can't recover a forgotten one, so keep it somewhere safe."
            );
            twice("Backup passphrase: ")?
        }
        None => bail!(
            "a backup needs a passphrase: set {PASSPHRASE_VAR}, or run this in a terminal to type it twice (it is not shown). Nothing was written"
        ),
    };
    mend_backup::check_passphrase(&passphrase)?;
    let w = mend_backup::backup(profile, out, &passphrase, mend_backup::Options { with_device_key, kdf: kdf() })?;
    writeln!(std::io::stdout(), "{}", w.path.display())?;
    eprintln!(
        "Backed up this profile to {} ({}): your shared space, your journal (still locked with its own passphrase) and your settings, sealed with the backup passphrase.",
        w.path.display(),
        size(w.bytes)
    );
    if w.with_device_key {
        eprintln!(
            "This device's key is in it, so a restore is this very device: keep the file as safe as this computer, and restore it only once this device is gone."
        );
    } else {
        eprintln!(
            "This device's key is not in it: a restore becomes a new device of yours, which another device of the two of you adds once (the restore says how)."
        );
    }
    eprintln!("Keep the file somewhere other than this computer, such as a USB stick or another disk.");
    Ok(())
}

pub fn restore(file: &Path, dir: &Path) -> Result<()> {
    // The folder before the passphrase: asking for it only to refuse the folder is unkind.
    mend_backup::check_target(dir)?;
    let passphrase: Zeroizing<String> = match from_env(PASSPHRASE_VAR)? {
        Some(p) => p,
        None if can_ask() => ask("Backup passphrase: ")?,
        None => bail!("restoring needs the backup's passphrase: set {PASSPHRASE_VAR}, or run this in a terminal to type it (it is not shown)"),
    };
    let r = mend_backup::restore(file, &passphrase, dir)?;
    let d = dir.display();
    let name =
        r.device_name.as_deref().map(|n| format!("\"{}\"", mend_engine::printable::line(n))).unwrap_or_else(|| "the device it was made on".into());
    writeln!(std::io::stdout(), "{d}")?;
    if r.with_device_key {
        eprintln!("Restored the backup into {d}, with its device key: this profile is {name} itself, with everything it held.");
        eprintln!(
            "Important: do not run Mend on the old device (or on its old profile folder) anymore. Two copies of one device writing at once would tangle the shared space. If the old device still works and you wanted another device, delete {d} and restore a backup made without --with-device-key instead."
        );
    } else {
        eprintln!(
            "Restored the backup into {d}: your shared space, your journal (it opens with its own passphrase) and your settings. The device key was not in the backup, so this profile is a new device of yours, and one step adds it:"
        );
        eprintln!("  1. On another device of yours, run:  mend pair invite --as own-device");
        eprintln!("     (or, if none of yours is left, your partner runs  mend pair invite --as partner  on theirs)");
        eprintln!("  2. Here, with the invitation it shows, run:  mend --profile {d} pair join INVITATION");
        eprintln!("Until then everything here can be read (mend --profile {d} show), and nothing can be written or synced.");
    }
    Ok(())
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 10 << 20 => format!("{} MB", b / 1_000_000),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b => format!("{} KB", b.div_ceil(1000)),
    }
}
