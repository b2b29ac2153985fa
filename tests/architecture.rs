//! The front ends are thin clients of the engine: the window and the CLI send commands and
//! draw or print what the engine shows, and never reach the network, the document format or
//! the store themselves. Checked on the manifests and on every line of their code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a front end must not name: the network (iroh, and Mend's sync crate that wraps it),
/// the document format (Automerge), the runtime the node owns, and the store's files.
const FORBIDDEN: &[&str] = &["iroh", "iroh_base", "automerge", "tokio", "mend_sync", "mend_store"];
/// The front ends: the binary (CLI and window launcher) and the window.
const FRONT_ENDS: &[(&str, &str)] = &[("mend", "app/src"), ("mend-gui", "crates/mend-gui/src")];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn normal_deps(package: &str) -> BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .expect("run cargo metadata");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
    let p = meta["packages"].as_array().unwrap().iter().find(|p| p["name"] == package).unwrap_or_else(|| panic!("{package} is in the workspace"));
    p["dependencies"].as_array().unwrap().iter().filter(|d| d["kind"].is_null()).map(|d| d["name"].as_str().unwrap().replace('-', "_")).collect()
}

/// Each place a forbidden crate is named in code (comments left out), as `file:line: text`.
fn named_in(src: &Path) -> Vec<String> {
    let mut found = vec![];
    let mut dirs = vec![src.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).unwrap();
                for (i, line) in text.lines().enumerate() {
                    if names_forbidden(line) {
                        found.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                    }
                }
            }
        }
    }
    found
}

/// Whether the code part of a line names a forbidden crate as a path (`tokio::…`, `use iroh`),
/// or reaches the network through the engine's old door (`mend_engine::sync`).
fn names_forbidden(line: &str) -> bool {
    let code = line.split("//").next().unwrap_or("");
    if code.contains("mend_engine::sync") {
        return true;
    }
    code.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).any(|word| {
        let first = word.split("::").next().unwrap_or("");
        FORBIDDEN.contains(&first) && (word.contains("::") || code.trim_start().starts_with(&format!("use {first}")))
    })
}

#[test]
fn the_scanner_sees_what_it_must_refuse() {
    assert!(names_forbidden("use iroh::Endpoint;"));
    assert!(names_forbidden("    let rt = tokio::runtime::Builder::new_multi_thread();"));
    assert!(names_forbidden("use mend_engine::sync::node::Hub;"));
    assert!(names_forbidden("fn f(s: &automerge::sync::State) {}"));
    assert!(!names_forbidden("// tokio::spawn in a comment is not code"));
    assert!(!names_forbidden("let tokio_like = 1; // a name that only starts like one"));
}

#[test]
fn the_window_and_the_cli_reach_neither_the_network_nor_the_document_format() {
    for (package, src) in FRONT_ENDS {
        let deps = normal_deps(package);
        assert!(deps.contains("mend_engine"), "the list is real: {package} uses the engine ({deps:?})");
        let reached: Vec<&&str> = FORBIDDEN.iter().filter(|f| deps.contains(**f)).collect();
        assert!(reached.is_empty(), "{package} depends on {reached:?}: front ends go through mend-engine");
        let named = named_in(&root().join(src));
        assert!(named.is_empty(), "{package} names what only the engine may:\n{}", named.join("\n"));
    }
}
