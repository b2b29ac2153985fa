//! Helpers shared by the journal's tests: real files in a temporary profile folder.
#![allow(dead_code)]

use mend_journal::{Journal, KdfParams, NewEntry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const PASS: &str = "correct horse battery staple";

/// Cheap Argon2 settings, named explicitly: the tests open journals hundreds of times.
pub const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;

pub fn profile() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn new_journal(profile: &Path) -> Journal {
    Journal::create(profile, PASS, FAST).expect("create the journal")
}

pub fn add(j: &mut Journal, text: &str) -> String {
    j.add(NewEntry::text(text)).expect("add").id.clone()
}

pub fn texts(j: &Journal) -> Vec<String> {
    j.list().expect("list").iter().map(|e| e.text.clone()).collect()
}

/// Every file below `dir`.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() { stack.push(p) } else { out.push(p) }
        }
    }
    out.sort();
    out
}

/// Every file below `dir` with its bytes: to prove that something changed nothing.
pub fn disk(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_below(dir)
        .into_iter()
        .map(|p| {
            let b = std::fs::read(&p).expect("read");
            (p, b)
        })
        .collect()
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Files below `dir` whose bytes contain `needle`.
pub fn holding(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    files_below(dir).into_iter().filter(|p| std::fs::read(p).map(|b| contains(&b, needle)).unwrap_or(false)).collect()
}

fn current(profile: &Path, prefix: &str) -> PathBuf {
    files_below(&Journal::dir_of(profile))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix)))
        .max()
        .expect("a journal file")
}

pub fn snapshot_file(profile: &Path) -> PathBuf {
    current(profile, "snapshot-")
}

pub fn log_file(profile: &Path) -> PathBuf {
    current(profile, "log-")
}

/// The sealed bytes (nonce, ciphertext, tag) of each frame of a journal file, in order.
pub fn sealed_records(path: &Path) -> Vec<Vec<u8>> {
    let b = std::fs::read(path).expect("read");
    mend_journal::format::scan(&b).frames.iter().map(|f| b[f.body.clone()].to_vec()).collect()
}

pub fn damaged_files(profile: &Path) -> Vec<PathBuf> {
    files_below(&profile.join("damaged"))
}
