//! Installing Mend: the shell completions and man pages the binary writes about itself, the
//! desktop files in packaging/, and the Debian package that `scripts/package-deb.sh` builds:
//! what it holds (`dpkg-deb -c`) and what `desktop-file-validate`, `appstreamcli` and
//! `lintian` say about it.
//!
//! The package is built from the release binary when there is one at least as new as the
//! test's own build, otherwise from the debug binary (with a note): the test never builds a
//! release itself. A missing tool fails the test when CI=true and skips it otherwise.

mod util;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use util::MEND;

const APP_ID: &str = mend_gui::APP_ID;
const SHELLS: &[&str] = &["bash", "zsh", "fish", "elvish", "powershell"];
const ICON_SIZES: &[u32] = &[16, 24, 32, 48, 64, 128, 256, 512];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn mend(args: &[&str]) -> Output {
    // A profile that does not exist: completions and man pages must not need (or make) one.
    Command::new(MEND).args(args).env("MEND_PROFILE", "/nonexistent/mend-profile").stdin(Stdio::null()).output().expect("run mend")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whether `tool` is an executable file on PATH.
fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|d| {
            let p = d.join(tool);
            p.is_file() && std::fs::metadata(&p).is_ok_and(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0)
        })
    })
}

/// True when every tool is there. Otherwise: under CI (CI=true) the test fails, naming what
/// to install; elsewhere it prints why it is skipped and the caller returns.
fn tools_present(test: &str, tools: &[(&str, &str)]) -> bool {
    let missing: Vec<String> = tools.iter().filter(|(t, _)| !on_path(t)).map(|(t, how)| format!("{t} ({how})")).collect();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("{test}: missing {}", missing.join(", "));
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg}. .ci/run installs these; CI must have them.");
    }
    eprintln!("skipped {msg}. Install them to run this test.");
    false
}

#[test]
fn completions_for_every_shell_know_the_commands() {
    for shell in SHELLS {
        let o = mend(&["completions", shell]);
        assert!(o.status.success(), "mend completions {shell} failed: {}", text(&o.stderr));
        let script = text(&o.stdout);
        assert!(script.len() > 1000, "the {shell} script is too short to be real: {script:?}");
        for word in ["gratitude", "agreement", "journal", "completions"] {
            assert!(script.contains(word), "the {shell} script does not mention {word}");
        }
        assert!(!script.contains("stress"), "the {shell} script offers the hidden test tools");
    }
    // The shells that are here check the scripts' syntax.
    for (shell, file) in [("bash", "mend.bash"), ("zsh", "_mend"), ("fish", "mend.fish")] {
        if !on_path(shell) {
            eprintln!("note: {shell} is not installed; its completion script's syntax is not checked");
            continue;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(file);
        std::fs::write(&path, mend(&["completions", shell]).stdout).expect("write script");
        let o = Command::new(shell).arg("-n").arg(&path).output().expect("run the shell");
        assert!(o.status.success(), "{shell} -n refuses the completion script: {}", text(&o.stderr));
    }
    // In bash, the script completes as a person expects: `mend grat<Tab>`, `mend gratitude <Tab>`,
    // and `mend d<Tab>` offers devices but not the hidden debug tools.
    if on_path("bash") {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("mend.bash");
        std::fs::write(&path, mend(&["completions", "bash"]).stdout).expect("write script");
        let script = r#"source "$1"
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _mend mend "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; echo "${COMPREPLY[*]}"; }
complete_words mend grat
complete_words mend gratitude ""
complete_words mend d"#;
        let o = Command::new("bash").arg("-c").arg(script).arg("bash").arg(&path).output().expect("run bash");
        let lines: Vec<String> = text(&o.stdout).lines().map(str::to_owned).collect();
        assert!(o.status.success() && lines.len() == 3, "bash completion did not run: {lines:?} {}", text(&o.stderr));
        assert_eq!(lines[0], "gratitude");
        assert!(lines[1].split(' ').any(|w| w == "add") && lines[1].split(' ').any(|w| w == "list"), "mend gratitude <Tab>: {}", lines[1]);
        assert_eq!(lines[2], "devices", "mend d<Tab> offers only devices");
    }
    let o = mend(&["completions", "nushell"]);
    assert_eq!(o.status.code(), Some(2), "an unknown shell is a usage error: {}", text(&o.stderr));
    assert!(text(&o.stderr).contains("bash"), "the error lists the shells: {}", text(&o.stderr));
}

#[test]
fn man_pages_one_per_command_each_with_a_name_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("new/man1");
    let o = mend(&["man", "--out", out.to_str().expect("utf-8 path")]);
    assert!(o.status.success(), "mend man failed: {}", text(&o.stderr));
    let listed: BTreeSet<String> = text(&o.stdout).lines().map(str::to_owned).collect();
    let pages: BTreeSet<String> = std::fs::read_dir(&out).expect("the folder was made").flatten().map(|e| e.path().display().to_string()).collect();
    assert_eq!(listed, pages, "stdout lists each page written");
    let names: BTreeSet<String> = pages.iter().filter_map(|p| Path::new(p).file_name()).map(|n| n.to_string_lossy().into_owned()).collect();
    for want in ["mend.1", "mend-serve.1", "mend-gratitude.1", "mend-gratitude-add.1", "mend-journal-add.1", "mend-completions.1", "mend-man.1"] {
        assert!(names.contains(want), "no {want} among {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("mend-debug") || n.starts_with("mend-help")), "hidden commands and `help` get no page: {names:?}");

    for name in &names {
        let page = std::fs::read_to_string(out.join(name)).expect("a page is UTF-8");
        let stem = name.trim_end_matches(".1");
        assert!(page.contains(&format!("\n.TH {stem} 1 ")), "{name} has no .TH header for {stem}");
        // `whatis` and lintian read the line after NAME: it must say what the command does.
        let name_line = page.split(".SH NAME\n").nth(1).and_then(|s| s.lines().next()).unwrap_or("");
        assert!(name_line.contains(" \\- ") && name_line.len() > stem.len() + 8, "{name}'s NAME line says nothing: {name_line:?}");
    }
    let add = std::fs::read_to_string(out.join("mend-gratitude-add.1")).expect("read page");
    assert!(add.contains("thanks") && add.contains("\\-\\-text"), "the page for gratitude add describes it and its --text option");

    // groff reads the pages as `man` would (preconv for UTF-8), with every warning on.
    if on_path("groff") {
        for name in ["mend.1", "mend-gratitude-add.1", "mend-promise-make.1"] {
            let o = Command::new("groff").args(["-k", "-man", "-Tutf8", "-ww", "-z"]).arg(out.join(name)).output().expect("run groff");
            assert!(o.status.success() && o.stderr.is_empty(), "groff warns about {name}: {}", text(&o.stderr));
        }
    } else {
        eprintln!("note: groff is not installed; the man pages' roff is not checked");
    }

    // A folder that cannot be made is a calm error, not a panic.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let o = mend(&["man", "--out", file.join("sub").to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(1));
    util::assert_person_error(&text(&o.stderr));
    assert!(text(&o.stderr).contains("could not make the folder"), "{}", text(&o.stderr));
}

/// A PNG's width and height, from its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    assert!(b.len() > 24 && b.starts_with(b"\x89PNG\r\n\x1a\n") && &b[12..16] == b"IHDR", "{} is not a PNG", path.display());
    let be = |s: &[u8]| u32::from_be_bytes([s[0], s[1], s[2], s[3]]);
    (be(&b[16..20]), be(&b[20..24]))
}

#[test]
fn desktop_files_are_named_by_the_windows_app_id() {
    let linux = root().join("packaging/linux");
    let desktop = std::fs::read_to_string(linux.join(format!("{APP_ID}.desktop"))).expect("the desktop entry is named by the app id");
    for line in [format!("Icon={APP_ID}"), format!("StartupWMClass={APP_ID}"), "Exec=mend".to_owned()] {
        assert!(desktop.lines().any(|l| l == line), "the desktop entry lacks {line}");
    }
    let meta = std::fs::read_to_string(linux.join(format!("{APP_ID}.metainfo.xml"))).expect("the metainfo is named by the app id");
    assert!(meta.contains(&format!("<id>{APP_ID}</id>")), "the metainfo's id is the app id");
    assert!(meta.contains(&format!("<launchable type=\"desktop-id\">{APP_ID}.desktop</launchable>")));
    let version = format!("<release version=\"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(meta.contains(&version), "the metainfo has a release entry for this version ({version})");
    let svg = std::fs::read_to_string(linux.join(format!("icons/{APP_ID}.svg"))).expect("the SVG icon");
    assert!(svg.contains("<svg") && !svg.contains("<text"), "the icon is an SVG with no text in it");
    for s in ICON_SIZES {
        let png = linux.join(format!("icons/hicolor/{s}x{s}/apps/{APP_ID}.png"));
        assert_eq!(png_size(&png), (*s, *s), "{} is not {s}x{s}: run scripts/icons.sh", png.display());
    }
    let unit = std::fs::read_to_string(linux.join("mend-serve.service")).expect("the systemd user unit");
    assert!(unit.lines().any(|l| l == "ExecStart=/usr/bin/mend serve"), "the unit runs mend serve");
    assert!(unit.lines().any(|l| l == "WantedBy=default.target"), "a user unit is wanted by default.target");

    let flatpak: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(format!("packaging/flatpak/{APP_ID}.json"))).expect("the Flatpak manifest"))
            .expect("the Flatpak manifest is JSON");
    assert_eq!(flatpak["id"], APP_ID);
    assert_eq!(flatpak["command"], "mend");
    let args: BTreeSet<&str> = flatpak["finish-args"].as_array().expect("finish-args").iter().filter_map(|a| a.as_str()).collect();
    let want: BTreeSet<&str> =
        ["--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--share=network", "--device=dri", "--talk-name=org.freedesktop.Notifications"]
            .into();
    assert_eq!(args, want, "the Flatpak asks for what Mend needs, and no more");
    let sources = flatpak.to_string();
    assert!(sources.contains("cargo-sources.json") && sources.contains("--offline"), "the Flatpak builds offline from cargo-sources.json");
}

/// The binary to package: release when it is at least as new as this test's own build.
fn binary_to_package() -> (&'static str, PathBuf) {
    let debug = PathBuf::from(MEND);
    let release = debug.parent().and_then(Path::parent).map(|t| t.join("release/mend"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if let Some(release) = release
        && let (Some(r), Some(d)) = (modified(&release), modified(&debug))
        && r >= d
    {
        eprintln!("note: packaging the release binary {}", release.display());
        return ("release", release);
    }
    eprintln!(
        "note: no release binary newer than this build: packaging the debug binary {} (larger, and cargo-deb warns about it). \
         `cargo build --release -p mend` first to test the real package.",
        debug.display()
    );
    ("dev", debug)
}

#[test]
fn the_debian_package_holds_everything_and_passes_the_validators() {
    let tools = [
        ("cargo-deb", "cargo install cargo-deb --locked --version 3.8.0"),
        ("dpkg-deb", "apt-get install dpkg"),
        ("dpkg-shlibdeps", "apt-get install dpkg-dev"),
        ("desktop-file-validate", "apt-get install desktop-file-utils"),
        ("appstreamcli", "apt-get install appstream"),
        ("lintian", "apt-get install lintian"),
    ];
    if !tools_present("the Debian package test", &tools) {
        return;
    }
    let (profile, bin) = binary_to_package();
    let target_dir = bin.parent().and_then(Path::parent).expect("the binary is in target/<profile>/");
    let out = tempfile::tempdir().expect("temp dir");
    let o = Command::new("bash")
        .arg(root().join("scripts/package-deb.sh"))
        .args(["--no-build", "--fast", "--profile", profile, "--out"])
        .arg(out.path())
        .env("CARGO_TARGET_DIR", target_dir)
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/package-deb.sh");
    assert!(o.status.success(), "scripts/package-deb.sh failed:\n{}\n{}", text(&o.stdout), text(&o.stderr));
    let debs: Vec<PathBuf> =
        std::fs::read_dir(out.path()).expect("read out").flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "deb")).collect();
    let [deb] = debs.as_slice() else { panic!("expected one .deb, found {debs:?}") };
    let size = std::fs::metadata(deb).expect("stat deb").len();
    eprintln!("built {} ({:.1} MiB)", deb.display(), size as f64 / 1048576.0);

    // What it holds.
    let o = Command::new("dpkg-deb").arg("-c").arg(deb).output().expect("run dpkg-deb -c");
    assert!(o.status.success(), "dpkg-deb -c: {}", text(&o.stderr));
    let listing = text(&o.stdout);
    let files: BTreeSet<String> = listing
        .lines()
        .filter(|l| !l.starts_with('d'))
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches("./").to_owned())
        .collect();
    let mut want: Vec<String> = vec![
        "usr/bin/mend".into(),
        format!("usr/share/applications/{APP_ID}.desktop"),
        format!("usr/share/metainfo/{APP_ID}.metainfo.xml"),
        format!("usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg"),
        "usr/lib/systemd/user/mend-serve.service".into(),
        "usr/share/bash-completion/completions/mend".into(),
        "usr/share/zsh/vendor-completions/_mend".into(),
        "usr/share/fish/vendor_completions.d/mend.fish".into(),
        "usr/share/doc/mend/copyright".into(),
        "usr/share/doc/mend/changelog.Debian.gz".into(),
    ];
    want.extend(ICON_SIZES.iter().map(|s| format!("usr/share/icons/hicolor/{s}x{s}/apps/{APP_ID}.png")));
    // Every man page the binary writes, compressed.
    let man = tempfile::tempdir().expect("temp dir");
    assert!(mend(&["man", "--out", man.path().to_str().expect("utf-8")]).status.success());
    let pages: Vec<String> =
        std::fs::read_dir(man.path()).expect("read man").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(pages.len() > 20, "mend man wrote {} pages", pages.len());
    want.extend(pages.iter().map(|p| format!("usr/share/man/man1/{p}.gz")));
    let missing: Vec<&String> = want.iter().filter(|w| !files.contains(*w)).collect();
    assert!(missing.is_empty(), "the package lacks {missing:?}; it holds:\n{listing}");
    let bin_line = listing.lines().find(|l| l.ends_with("./usr/bin/mend")).expect("usr/bin/mend");
    assert!(bin_line.starts_with("-rwxr-xr-x"), "usr/bin/mend is not executable: {bin_line}");
    eprintln!("the package holds {} files", files.len());

    // The control file: libc found by dpkg-shlibdeps, and what the window loads at run time
    // recommended (the libraries seen in a running window's memory map, under Xvfb).
    let o = Command::new("dpkg-deb").args(["-f"]).arg(deb).args(["Package", "Depends", "Recommends"]).output().expect("run dpkg-deb -f");
    let control = text(&o.stdout);
    assert!(control.contains("Package: mend") && control.contains("libc6"), "control fields: {control}");
    for lib in ["libgl1", "libxkbcommon0", "libwayland-client0"] {
        assert!(control.contains(lib), "{lib} is not recommended: {control}");
    }

    // The files as installed: the binary runs, and the validators accept the desktop files.
    let root_dir = tempfile::tempdir().expect("temp dir");
    let o = Command::new("dpkg-deb").arg("-x").arg(deb).arg(root_dir.path()).output().expect("run dpkg-deb -x");
    assert!(o.status.success(), "dpkg-deb -x: {}", text(&o.stderr));
    let installed = root_dir.path();
    let o = Command::new(installed.join("usr/bin/mend")).arg("--version").output().expect("run the packaged mend");
    assert_eq!(text(&o.stdout).trim(), format!("mend {}", env!("CARGO_PKG_VERSION")), "the packaged binary runs");

    let desktop = installed.join(format!("usr/share/applications/{APP_ID}.desktop"));
    let o = Command::new("desktop-file-validate").arg(&desktop).output().expect("run desktop-file-validate");
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    eprintln!("desktop-file-validate: {}", if said.trim().is_empty() { "no remarks" } else { said.trim() });
    assert!(o.status.success() && !said.contains("error"), "desktop-file-validate refuses the desktop entry:\n{said}");

    let meta = installed.join(format!("usr/share/metainfo/{APP_ID}.metainfo.xml"));
    let o = Command::new("appstreamcli").args(["validate", "--no-net"]).arg(&meta).output().expect("run appstreamcli");
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    eprintln!("appstreamcli validate --no-net: {}", said.trim());
    assert!(o.status.success(), "appstreamcli refuses the metainfo:\n{said}");

    // lintian: no errors. Warnings are printed for a person to read, not failed on.
    let o = Command::new("lintian").args(["--fail-on", "error"]).arg(deb).output().expect("run lintian");
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    eprintln!("lintian: {}", if said.trim().is_empty() { "no remarks" } else { said.trim() });
    assert!(o.status.success() && !said.lines().any(|l| l.starts_with("E: ")), "lintian finds errors in the package:\n{said}");
}
