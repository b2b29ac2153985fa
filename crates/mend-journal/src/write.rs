//! Writing: one fsynced frame per change, and compaction into a new generation.

use crate::cipher;
use crate::entry::Entry;
use crate::error::JournalError;
use crate::files;
use crate::format::{self, Kind, PREAMBLE_LEN, Preamble};
use crate::kdf::{KdfParams, Key, SALT_LEN};
use crate::layout;
use crate::load::Unlocked;
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use zeroize::Zeroizing;

/// A record as written; the borrowed twin of `entry::Record`, which is what is read.
#[derive(Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub(crate) enum Out<'a> {
    Put { entry: &'a Entry },
    Delete { id: &'a str },
    Seal { count: u64 },
}

fn sealed_frame(key: &Key, kind: Kind, generation: u64, index: u64, record: &Out<'_>) -> Result<Vec<u8>, JournalError> {
    // The plaintext lives only in this buffer, which is wiped when it goes.
    let mut plain = Zeroizing::new(Vec::with_capacity(match record {
        Out::Put { entry } => entry.text.len() + 512,
        _ => 128,
    }));
    serde_json::to_writer(&mut *plain, record).map_err(|_| JournalError::Encrypt)?;
    let sealed = cipher::seal(key, &format::record_aad(kind, generation, index), &plain)?;
    Ok(format::encode_frame(&sealed))
}

/// Appends one record to the current log and fsyncs it. Call with the exclusive lock held,
/// after catching up. When this returns Ok, the record survives any crash.
pub(crate) fn append(profile: &Path, dir: &Path, u: &mut Unlocked, record: &Out<'_>) -> Result<(), JournalError> {
    let frame = sealed_frame(&u.key, Kind::Log, u.generation, u.log_frames, record)?;
    let path = layout::log_path(dir, u.generation);
    let mut f = OpenOptions::new().read(true).write(true).open(&path).map_err(JournalError::io("open", &path))?;
    let len = f.metadata().map_err(JournalError::io("read", &path))?.len();
    if len > u.log_len {
        // Bytes past what we read can only be an append of ours that failed halfway (a full
        // disk); frames after them would be unreadable. Keep them aside, then trim them.
        let mut tail = Vec::new();
        f.seek(SeekFrom::Start(u.log_len)).and_then(|_| f.read_to_end(&mut tail)).map_err(JournalError::io("read", &path))?;
        files::keep_bytes_aside(profile, "log.tail", &tail)?;
        f.set_len(u.log_len).map_err(JournalError::io("trim", &path))?;
    }
    f.seek(SeekFrom::Start(u.log_len)).map_err(JournalError::io("write", &path))?;
    let written =
        f.write_all(&frame).map_err(JournalError::io("write", &path)).and_then(|_| f.sync_data().map_err(JournalError::io("flush to disk", &path)));
    if let Err(e) = written {
        // Nothing of this record was acknowledged: take its bytes back off at once (the
        // lock is held), so a full disk does not leave a torn tail for every later write.
        if f.set_len(u.log_len).and_then(|_| f.sync_data()).is_err() {
            // Then the next append (or open) trims them, keeping one copy aside.
        }
        return Err(e);
    }
    u.log_len += frame.len() as u64;
    u.log_frames += 1;
    Ok(())
}

/// Writes every entry as generation N+1, optionally under a new key, then deletes
/// generation N and everything older. Call with the exclusive lock held.
///
/// Crash-safe at every step: `log-N+1` is written first and is ignored until
/// `snapshot-N+1` exists; the snapshot's atomic rename is the moment the new generation
/// (and a new passphrase) takes over; old files left by a crash after it are deleted at
/// the next open. After it returns, no file of the journal holds an entry (or an old
/// version of one) that is no longer in `u.entries`.
pub(crate) fn compact(dir: &Path, u: &mut Unlocked, rekey: Option<(Key, [u8; SALT_LEN], KdfParams)>) -> Result<(), JournalError> {
    let g = u.generation + 1;
    let (key, salt, params) = match &rekey {
        Some((k, s, p)) => (k, *s, *p),
        None => (&u.key, u.salt, u.params),
    };
    let log_preamble = Preamble::new(Kind::Log, g, params, salt, key)?;
    files::atomic_write(&layout::log_path(dir, g), &log_preamble.encode())?;

    let mut snap = Preamble::new(Kind::Snapshot, g, params, salt, key)?.encode();
    let mut index = 0u64;
    for entry in u.entries.values() {
        snap.extend(sealed_frame(key, Kind::Snapshot, g, index, &Out::Put { entry })?);
        index += 1;
    }
    snap.extend(sealed_frame(key, Kind::Snapshot, g, index, &Out::Seal { count: index })?);
    files::atomic_write(&layout::snapshot_path(dir, g), &snap)?;

    // Generation g is the journal now.
    if let Some((k, s, p)) = rekey {
        u.key = k;
        u.salt = s;
        u.params = p;
    }
    u.generation = g;
    u.log_len = PREAMBLE_LEN as u64;
    u.log_frames = 0;
    u.check = log_preamble;
    let listing = layout::list(dir)?;
    for (old, p) in listing.snapshots.iter().chain(listing.logs.iter()) {
        if *old < g {
            files::remove(p)?;
        }
    }
    Ok(files::sync_dir(dir)?)
}

/// The size of the current log, to notice what another process appended.
pub(crate) fn log_size(dir: &Path, generation: u64) -> Option<u64> {
    File::open(layout::log_path(dir, generation)).and_then(|f| f.metadata()).map(|m| m.len()).ok()
}
