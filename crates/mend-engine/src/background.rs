//! Keeping a profile in sync with the window closed: this device's two choices (keep
//! running after the window closes; start at login), the XDG autostart entry that starts
//! `mend serve --background` at login, and the note a background `serve` leaves of itself
//! so that the next window can take over from it.
//!
//! Both choices are this device's, kept in `sync/background.json` (replaced atomically,
//! like `sync/notices.json`). They need no open engine: the window's last step after it
//! closes, and its first before it opens, read them from the folder alone.

use crate::APP_ID;
use std::path::{Path, PathBuf};

const SETTINGS: &str = "background.json";
const RUNNING: &str = "background-serve.json";
/// The key of Mend's own in the autostart entry: the profile it starts. An entry without
/// it was not written by Mend, and Mend never changes or removes it.
pub const PROFILE_KEY: &str = "X-Mend-Profile";

#[derive(Debug, thiserror::Error)]
pub enum BackgroundError {
    #[error("Mend can't tell where your settings folder is: neither XDG_CONFIG_HOME nor HOME is set")]
    NoHome,
    #[error(
        "this Mend runs as a Flatpak, which can't add itself to the programs your desktop starts at login yet. Your desktop's own settings for startup programs can: add `flatpak run app.mend.Mend serve --background` there"
    )]
    InFlatpak,
    #[error("Mend could not save this choice in your profile folder. Nothing else was changed; try again in a moment")]
    Save(#[from] mend_store::StoreError),
    #[error("Mend could not write the start-at-login entry in {}: the folder can't be written to. Nothing was changed", .0.display())]
    Unwritable(PathBuf),
    #[error("Mend could not remove its start-at-login entry {}. Remove that file yourself to stop Mend starting at login", .0.display())]
    Unremovable(PathBuf),
    #[error("{} was not written by Mend, so Mend leaves it alone. Rename or remove it yourself, then try again", .0.display())]
    Foreign(PathBuf),
    #[error("Mend can't start at login from a folder whose name has control characters or is not UTF-8: {}. Move the profile to a plainer folder name", .0.display())]
    BadPath(PathBuf),
}

/// This device's choices about running without the window. Both are off until chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackgroundSettings {
    /// After the window closes, a `mend serve --background` keeps this profile in sync and
    /// tells what comes.
    #[serde(default)]
    pub keep_running: bool,
    /// An XDG autostart entry starts `mend serve --background` at login.
    #[serde(default)]
    pub at_login: bool,
}

/// This device's choices; the defaults (both off) when none were made or the file can't be
/// read: then Mend does what it did before, and nothing runs unasked.
pub fn settings(profile: &Path) -> BackgroundSettings {
    mend_store::Blobs::new(profile).load(SETTINGS).and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

pub fn save_settings(profile: &Path, s: &BackgroundSettings) -> Result<(), BackgroundError> {
    mend_store::Blobs::new(profile).save(SETTINGS, serde_json::json!(s).to_string().as_bytes())?;
    Ok(())
}

/// A `serve --background` notes its process id here while it runs, so the next window can
/// ask it to step aside (two processes online as one device would fight over its identity).
pub fn note_running(profile: &Path, pid: u32) -> Result<(), BackgroundError> {
    mend_store::Blobs::new(profile).save(RUNNING, serde_json::json!({ "pid": pid }).to_string().as_bytes())?;
    Ok(())
}

/// The process id a `serve --background` noted, if any. It may have ended since: check it
/// before acting on it.
pub fn noted_running(profile: &Path) -> Option<u32> {
    let b = mend_store::Blobs::new(profile).load(RUNNING)?;
    let v: serde_json::Value = serde_json::from_slice(&b).ok()?;
    v["pid"].as_u64().and_then(|p| u32::try_from(p).ok()).filter(|p| *p > 1)
}

/// Forgets the note, if it is still `pid`'s (a newer `serve` may have replaced it).
pub fn clear_running(profile: &Path, pid: u32) {
    if noted_running(profile) == Some(pid) {
        // Best effort: a stale note is checked against the process before anyone acts on it.
        let _ = std::fs::remove_file(profile.join("sync").join(RUNNING));
    }
}

/// How to start `mend serve --background` for a profile: the `mend` binary and the network
/// options the window was started with (`--local-only`, `--relay URL`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub exe: PathBuf,
    pub net_args: Vec<String>,
}

impl Launch {
    /// The arguments after the binary: `--profile DIR serve --background` and the network's.
    pub fn args(&self, profile: &Path) -> Vec<std::ffi::OsString> {
        let mut a: Vec<std::ffi::OsString> = vec!["--profile".into(), profile.into()];
        a.extend(self.net_args.iter().map(Into::into));
        a.push("serve".into());
        a.push("--background".into());
        a
    }
}

/// The profile folder as an absolute path: an entry started at login does not run in the
/// folder the person typed a relative path in.
pub fn absolute(profile: &Path) -> PathBuf {
    std::fs::canonicalize(profile).or_else(|_| std::path::absolute(profile)).unwrap_or_else(|_| profile.to_owned())
}

/// The autostart folder: `$XDG_CONFIG_HOME/autostart`, else `~/.config/autostart`. Inside
/// a Flatpak, XDG_CONFIG_HOME is the sandbox's own folder, which the desktop never reads:
/// an entry there would say "on" and start nothing, so Mend says so instead.
pub fn autostart_dir_from_env() -> Result<PathBuf, BackgroundError> {
    if std::env::var_os("FLATPAK_ID").is_some_and(|v| !v.is_empty()) {
        return Err(BackgroundError::InFlatpak);
    }
    let non_empty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(c) = non_empty("XDG_CONFIG_HOME") {
        return Ok(c.join("autostart"));
    }
    non_empty("HOME").map(|h| h.join(".config").join("autostart")).ok_or(BackgroundError::NoHome)
}

/// Mend's autostart entry in `dir`.
pub fn autostart_file(dir: &Path) -> PathBuf {
    dir.join(format!("{APP_ID}.desktop"))
}

/// What the autostart folder holds under Mend's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    None,
    /// Mend's entry, for this profile.
    Ours,
    /// Mend's entry, for another profile (only one profile can start at login).
    OtherProfile(String),
    /// A file Mend did not write.
    Foreign,
}

/// Looks at the entry in `dir` for `profile`.
pub fn autostart_entry(dir: &Path, profile: &Path) -> Entry {
    let Ok(text) = std::fs::read_to_string(autostart_file(dir)) else {
        return if autostart_file(dir).exists() { Entry::Foreign } else { Entry::None };
    };
    match key(&text, PROFILE_KEY) {
        None => Entry::Foreign,
        Some(p) if Path::new(&p) == absolute(profile) => Entry::Ours,
        Some(p) => Entry::OtherProfile(p),
    }
}

/// The unescaped value of `key` in the `[Desktop Entry]` group.
pub fn key(text: &str, key: &str) -> Option<String> {
    let mut in_main = false;
    for line in text.lines() {
        let line = line.trim_start();
        if line.starts_with('[') {
            in_main = line.trim_end() == "[Desktop Entry]";
            continue;
        }
        if !in_main {
            continue;
        }
        if let Some((k, v)) = line.split_once('=')
            && k.trim_end() == key
        {
            return Some(unescape_value(v.trim_start()));
        }
    }
    None
}

/// Writes Mend's autostart entry for `profile` into `dir` (made if missing), replacing an
/// earlier one of Mend's, never a file Mend did not write.
pub fn install_autostart(dir: &Path, profile: &Path, launch: &Launch) -> Result<PathBuf, BackgroundError> {
    let file = autostart_file(dir);
    if autostart_entry(dir, profile) == Entry::Foreign {
        return Err(BackgroundError::Foreign(file));
    }
    let text = desktop_entry(profile, launch)?;
    std::fs::create_dir_all(dir).map_err(|_| BackgroundError::Unwritable(dir.to_owned()))?;
    mend_fs::write_export(&file, text.as_bytes()).map_err(|_| BackgroundError::Unwritable(dir.to_owned()))?;
    Ok(file)
}

/// What turning start-at-login off did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    Removed(PathBuf),
    /// There was no entry.
    Nothing,
    /// The file there is not Mend's (or is another profile's): left alone.
    LeftAlone(PathBuf),
}

/// Removes Mend's autostart entry for `profile` from `dir`, and only that.
pub fn remove_autostart(dir: &Path, profile: &Path) -> Result<Removed, BackgroundError> {
    let file = autostart_file(dir);
    match autostart_entry(dir, profile) {
        Entry::None => Ok(Removed::Nothing),
        Entry::Foreign | Entry::OtherProfile(_) => Ok(Removed::LeftAlone(file)),
        Entry::Ours => match std::fs::remove_file(&file) {
            Ok(()) => Ok(Removed::Removed(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Removed::Nothing),
            Err(_) => Err(BackgroundError::Unremovable(file)),
        },
    }
}

/// The entry's text. Its `Exec` follows the Desktop Entry spec: every argument quoted, with
/// `"`, `` ` ``, `$` and `\` escaped inside the quotes, `%` doubled, and then the string
/// escapes of any value (`\\`), so a folder named `Ana's "notes" $HOME` starts as itself.
pub fn desktop_entry(profile: &Path, launch: &Launch) -> Result<String, BackgroundError> {
    let profile = absolute(profile);
    let text = |p: &Path| p.to_str().filter(|s| !s.chars().any(char::is_control)).map(str::to_owned);
    let dir = text(&profile).ok_or_else(|| BackgroundError::BadPath(profile.clone()))?;
    let exe = text(&launch.exe).ok_or_else(|| BackgroundError::BadPath(launch.exe.clone()))?;
    let mut argv = vec![exe];
    for a in launch.args(&profile) {
        argv.push(a.into_string().map_err(|_| BackgroundError::BadPath(profile.clone()))?);
    }
    let exec: Vec<String> = argv.iter().map(|a| quote_arg(a)).collect();
    Ok(format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Name=Mend in the background\n\
         Comment=Keeps your shared space in sync and tells you what waits for you\n\
         Exec={}\n\
         Icon={APP_ID}\n\
         Terminal=false\n\
         NoDisplay=true\n\
         X-GNOME-Autostart-enabled=true\n\
         {PROFILE_KEY}={}\n",
        escape_value(&exec.join(" ")),
        escape_value(&dir),
    ))
}

/// An argument as the spec wants it: as it is when it has no reserved character, else in
/// double quotes. `%` is doubled either way.
fn quote_arg(a: &str) -> String {
    const RESERVED: &[char] = &[' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')', '`'];
    if !a.is_empty() && !a.contains(RESERVED) {
        return a.replace('%', "%%");
    }
    let mut out = String::from("\"");
    for c in a.chars() {
        match c {
            '"' | '`' | '$' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The string escapes every value has (spec: "Possible value types").
fn escape_value(v: &str) -> String {
    let mut out = String::new();
    for (i, c) in v.chars().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' ' if i == 0 => out.push_str("\\s"),
            c => out.push(c),
        }
    }
    out
}

fn unescape_value(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('s') => out.push(' '),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// The arguments an `Exec` value runs, as a launcher reads them (string escapes, then
/// quoting, then `%%`). Field codes other than `%%` are left as they are: Mend writes none.
pub fn exec_argv(exec_value: &str) -> Option<Vec<String>> {
    let s = unescape_value(exec_value);
    let mut args = vec![];
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        let mut arg = String::new();
        if first == '"' {
            chars.next();
            loop {
                match chars.next()? {
                    '"' => break,
                    '\\' => arg.push(chars.next()?),
                    '%' if chars.peek() == Some(&'%') => {
                        chars.next();
                        arg.push('%');
                    }
                    c => arg.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ' ' {
                    break;
                }
                chars.next();
                if c == '%' && chars.peek() == Some(&'%') {
                    chars.next();
                }
                arg.push(c);
            }
        }
        args.push(arg);
    }
    Some(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch() -> Launch {
        Launch { exe: "/opt/my apps/mend".into(), net_args: vec!["--local-only".into()] }
    }

    #[test]
    fn exec_reads_back_as_the_same_arguments_for_any_folder_name() {
        let t = tempfile::tempdir().unwrap();
        for name in ["plain", "with space", "Ana's \"notes\" $HOME `x` 100% back\\slash", " leading", "ünïcode ❤"] {
            let profile = t.path().join(name);
            std::fs::create_dir_all(&profile).unwrap();
            let text = desktop_entry(&profile, &launch()).unwrap();
            let exec = key(&text, "Exec").unwrap_or_default();
            let raw = text.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap();
            let argv = exec_argv(raw).unwrap();
            let dir = absolute(&profile).to_str().unwrap().to_owned();
            assert_eq!(argv, ["/opt/my apps/mend", "--profile", &dir, "--local-only", "serve", "--background"], "{exec}");
            assert_eq!(key(&text, PROFILE_KEY).as_deref(), Some(dir.as_str()));
        }
    }

    #[test]
    fn a_folder_name_with_a_newline_is_refused_calmly() {
        let err = desktop_entry(Path::new("/tmp/a\nb"), &launch()).unwrap_err();
        assert!(err.to_string().contains("plainer folder name"), "{err}");
    }

    #[test]
    fn only_mends_own_entry_for_this_profile_is_removed() {
        let t = tempfile::tempdir().unwrap();
        let (dir, profile, other) = (t.path().join("autostart"), t.path().join("p"), t.path().join("q"));
        assert_eq!(remove_autostart(&dir, &profile).unwrap(), Removed::Nothing);
        install_autostart(&dir, &profile, &launch()).unwrap();
        assert_eq!(autostart_entry(&dir, &profile), Entry::Ours);
        assert_eq!(remove_autostart(&dir, &other).unwrap(), Removed::LeftAlone(autostart_file(&dir)));
        assert!(matches!(remove_autostart(&dir, &profile).unwrap(), Removed::Removed(_)));
        std::fs::write(autostart_file(&dir), "[Desktop Entry]\nExec=someone-else\n").unwrap();
        assert_eq!(remove_autostart(&dir, &profile).unwrap(), Removed::LeftAlone(autostart_file(&dir)));
        assert!(matches!(install_autostart(&dir, &profile, &launch()), Err(BackgroundError::Foreign(_))));
        assert_eq!(std::fs::read_to_string(autostart_file(&dir)).unwrap(), "[Desktop Entry]\nExec=someone-else\n");
    }

    #[test]
    fn settings_start_off_and_round_trip() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(settings(t.path()), BackgroundSettings::default());
        let s = BackgroundSettings { keep_running: true, at_login: false };
        save_settings(t.path(), &s).unwrap();
        assert_eq!(settings(t.path()), s);
        note_running(t.path(), 1234).unwrap();
        assert_eq!(noted_running(t.path()), Some(1234));
        clear_running(t.path(), 999);
        assert_eq!(noted_running(t.path()), Some(1234));
        clear_running(t.path(), 1234);
        assert_eq!(noted_running(t.path()), None);
    }
}
