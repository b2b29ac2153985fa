//! Keeping in sync with the window closed, with the real binary: the start-at-login entry
//! (in a temporary XDG_CONFIG_HOME), the background `serve` the window leaves when it
//! closes, and the window taking over from it when it opens. Every `serve` here is
//! local-only and stopped before the test ends.

mod util;

use mend_engine::background::{PROFILE_KEY, exec_argv, key};
use std::path::{Path, PathBuf};
use std::process::Command;
use util::*;

/// A profile in a folder whose name needs every kind of quoting in a desktop entry.
fn awkward_device(root: &Path) -> (PathBuf, impl Fn(&[&str]) -> Command) {
    let dir = root.join("Ana's \"notes\" $HOME 100% back\\slash");
    std::fs::create_dir_all(&dir).expect("profile folder");
    let config = root.join("config");
    let (d, c) = (dir.clone(), config.clone());
    let cmd = move |args: &[&str]| {
        let mut m = Command::new(MEND);
        m.arg("--profile").arg(&d).args(args).env("XDG_CONFIG_HOME", &c).env_remove("MEND_PROFILE").env_remove("DBUS_SESSION_BUS_ADDRESS");
        m.stdin(std::process::Stdio::null());
        m
    };
    let o = cmd(&["init", "--name", "Ana"]).output().expect("run mend");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (dir, cmd)
}

fn ok(mut c: Command) -> (String, String) {
    let o = c.output().expect("run mend");
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn refused_with(mut c: Command, says: &str) {
    let o = c.output().expect("run mend");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "should be refused: {err}");
    assert_person_error(&err);
    assert!(err.contains(says), "expected {says:?} in {err:?}");
}

fn alive(pid: u32) -> bool {
    // A zombie (ended, not yet reaped) has an empty command line.
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
}

fn cmdline(pid: u32) -> Vec<String> {
    std::fs::read(format!("/proc/{pid}/cmdline"))
        .unwrap_or_default()
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// Stops a process this test started indirectly, whatever happens to the test.
struct Stop(u32);
impl Drop for Stop {
    fn drop(&mut self) {
        if alive(self.0) {
            unsafe {
                libc::kill(self.0 as i32, libc::SIGKILL);
            }
        }
    }
}

/// Whether a program is on PATH (the desktop tools are optional here).
fn tool(name: &str) -> bool {
    Command::new(name).arg("--help").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).status().is_ok()
}

fn noted_pid(dir: &Path) -> Option<u32> {
    mend_engine::background::noted_running(dir)
}

#[test]
fn start_at_login_writes_an_entry_that_runs_serve_for_this_profile_and_off_removes_only_mends() {
    let root = tempfile::tempdir().expect("temp dir");
    let (dir, mend) = awkward_device(root.path());
    let file = root.path().join("config/autostart/app.mend.Mend.desktop");
    assert_eq!(ok(mend(&["autostart", "status"])).0.trim(), "start at login: off");
    let (_, said) = ok(mend(&["--local-only", "autostart", "on"]));
    assert!(said.contains("starts in the background when you log in"), "{said}");
    let text = std::fs::read_to_string(&file).expect("the entry is written");
    let absolute = std::fs::canonicalize(&dir).expect("absolute");
    assert_eq!(key(&text, PROFILE_KEY).as_deref(), absolute.to_str());
    let exec = text.lines().find_map(|l| l.strip_prefix("Exec=")).expect("an Exec line");
    let argv = exec_argv(exec).expect("a well-formed Exec");
    assert_eq!(argv[1..], ["--profile", absolute.to_str().expect("utf-8"), "--local-only", "serve", "--background"]);
    assert!(ok(mend(&["autostart", "status"])).0.contains("on: "), "status says on");
    assert!(mend_engine::background::settings(&dir).at_login);

    // What a session would start at login: run the Exec line as a launcher reads it.
    let mut login = Command::new(&argv[0]);
    login.args(&argv[1..]).env_remove("DBUS_SESSION_BUS_ADDRESS").stdin(std::process::Stdio::null());
    let (serve, _) = Background::spawn(login);
    let pid = serve.child.id();
    assert!(wait_until(20, || noted_pid(&dir) == Some(pid)), "the serve started at login notes itself: {}", serve.log_text());
    let status = ok(mend(&["background", "status"])).0;
    assert!(status.contains(&format!("yes (process {pid})")), "{status}");
    let log = serve.stop();
    assert!(log.is_empty(), "a background serve is quiet on stderr: {log}");
    assert!(wait_until(5, || noted_pid(&dir).is_none()), "a stopped serve forgets its note");

    // Read by GLib and the freedesktop validator too, when they are installed: their
    // reading of the Exec line is the one a desktop session uses.
    if tool("desktop-file-validate") {
        let o = Command::new("desktop-file-validate").arg(&file).output().expect("run desktop-file-validate");
        let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success() && said.trim().is_empty(), "desktop-file-validate: {said}");
    } else {
        eprintln!("desktop-file-validate is not installed: the entry is checked by Mend's own reading only");
    }
    if tool("gio") {
        // Not `output()`: the launched serve inherits gio's stdout and stderr, and would keep
        // those pipes open until it stops.
        let status = Command::new("gio")
            .arg("launch")
            .arg(&file)
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run gio launch");
        assert!(status.success(), "gio launch failed");
        assert!(wait_until(20, || noted_pid(&dir).is_some()), "the serve GLib started notes itself");
        let pid = noted_pid(&dir).expect("a pid");
        let _stop = Stop(pid);
        let argv = cmdline(pid);
        assert_eq!(argv[1..], ["--profile", absolute.to_str().expect("utf-8"), "--local-only", "serve", "--background"], "as GLib read it");
        unsafe {
            libc::kill(pid as i32, libc::SIGTERM);
        }
        assert!(wait_until(10, || noted_pid(&dir).is_none()), "a stopped serve forgets its note");
    } else {
        eprintln!("gio is not installed: the entry was not launched the way a desktop session does");
    }

    // Off removes Mend's entry; a file of the same name that Mend did not write stays.
    let (_, said) = ok(mend(&["autostart", "off"]));
    assert!(said.contains("no longer starts at login"), "{said}");
    assert!(!file.exists());
    assert!(!mend_engine::background::settings(&dir).at_login);
    let foreign = "[Desktop Entry]\nType=Application\nExec=someone-elses-mend\n";
    std::fs::write(&file, foreign).expect("a foreign entry");
    let (_, said) = ok(mend(&["autostart", "off"]));
    assert!(said.contains("left it alone"), "{said}");
    refused_with(mend(&["autostart", "on"]), "was not written by Mend, so Mend leaves it alone");
    assert_eq!(std::fs::read_to_string(&file).expect("still there"), foreign);
}

#[test]
fn no_home_and_an_unwritable_autostart_folder_get_a_calm_sentence() {
    let root = tempfile::tempdir().expect("temp dir");
    let (_, mend) = awkward_device(root.path());
    let mut c = mend(&["autostart", "on"]);
    c.env_remove("XDG_CONFIG_HOME").env_remove("HOME");
    refused_with(c, "neither XDG_CONFIG_HOME nor HOME is set");
    // A config "folder" that is a file: nothing can be made below it.
    let blocked = root.path().join("blocked");
    std::fs::write(&blocked, "a file").expect("a file");
    let mut c = mend(&["autostart", "on"]);
    c.env("XDG_CONFIG_HOME", &blocked);
    refused_with(c, "can't be written to. Nothing was changed");
    let d = Device { dir: tempfile::tempdir().expect("temp dir") };
    let mut c = d.cmd();
    c.args(["background", "on"]);
    refused_with(c, "there is no Mend profile in");
}

#[test]
fn closing_the_window_with_background_on_leaves_serve_running_and_the_next_window_takes_over() {
    let d = Device::init("Ana");
    // Off (the default): closing the window leaves nothing running.
    assert_eq!(d.local_ok(&["debug", "window-closed"]).trim(), "");
    let o = d.run(&["background", "on"]);
    assert!(o.status.success());
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("keeps syncing and notifying in the background"), "{said}");
    let pid: u32 = d.local_ok(&["debug", "window-closed"]).trim().parse().expect("the process id it left");
    let _stop = Stop(pid);
    assert!(wait_until(20, || noted_pid(d.path()) == Some(pid)), "the background serve runs and notes itself");
    let argv = cmdline(pid);
    assert!(argv.iter().any(|a| a == "serve") && argv.iter().any(|a| a == "--background") && argv.iter().any(|a| a == "--local-only"), "{argv:?}");
    // A process group of its own: Ctrl-C or a closing terminal does not reach it.
    assert_eq!(unsafe { libc::getpgid(pid as i32) }, pid as i32);
    assert!(wait_until(20, || std::fs::read_to_string(d.path().join("logs/mend.log")).unwrap_or_default().contains("serving in the background")));
    // A second close leaves no second one: the first is enough.
    assert_eq!(d.local_ok(&["debug", "window-closed"]).trim(), pid.to_string());
    // The next window takes over: the background serve stops and forgets its note.
    assert_eq!(d.local_ok(&["debug", "window-opens"]).trim(), "took over");
    assert!(wait_until(10, || !alive(pid)), "the background serve stepped aside");
    assert_eq!(noted_pid(d.path()), None);
    assert_eq!(d.local_ok(&["debug", "window-opens"]).trim(), "", "nothing left to take over");
}

#[test]
fn with_only_start_at_login_on_the_window_hands_back_the_mend_it_took_over() {
    let d = Device::init("Ana");
    let s = mend_engine::background::BackgroundSettings { keep_running: false, at_login: true };
    mend_engine::background::save_settings(d.path(), &s).expect("settings");
    // No background Mend was running when the window opened: none is left.
    assert_eq!(d.local_ok(&["debug", "window-closed"]).trim(), "");
    // One was (started at login), and the window stopped it: it is handed back.
    let pid: u32 = d.local_ok(&["debug", "window-closed", "--took-over"]).trim().parse().expect("the process id it left");
    let _stop = Stop(pid);
    assert!(wait_until(20, || noted_pid(d.path()) == Some(pid)));
    assert_eq!(d.local_ok(&["debug", "window-opens"]).trim(), "took over");
    assert!(wait_until(10, || !alive(pid)));
    // Start at login turned off too: closing the window leaves nothing running.
    mend_engine::background::save_settings(d.path(), &Default::default()).expect("settings");
    assert_eq!(d.local_ok(&["debug", "window-closed", "--took-over"]).trim(), "");
}

#[test]
fn inside_a_flatpak_start_at_login_says_why_it_cannot_instead_of_writing_where_no_one_reads() {
    let root = tempfile::tempdir().expect("temp dir");
    let (_, mend) = awkward_device(root.path());
    let mut c = mend(&["autostart", "on"]);
    c.env("FLATPAK_ID", "app.mend.Mend");
    refused_with(c, "runs as a Flatpak");
    assert!(!root.path().join("config/autostart").exists());
}

#[test]
fn a_window_that_cannot_open_hands_the_background_mend_back() {
    let d = Device::init("Ana");
    d.ok(&["background", "on"]);
    let first: u32 = d.local_ok(&["debug", "window-closed"]).trim().parse().expect("the process id it left");
    let _stop_first = Stop(first);
    assert!(wait_until(20, || noted_pid(d.path()) == Some(first)));
    // No display (a terminal over ssh, say): the window can't open, and sync must not stop.
    let o = d.cmd().arg("--local-only").env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY").output().expect("run mend");
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!alive(first), "the window took over before it tried to open");
    assert!(wait_until(20, || noted_pid(d.path()).is_some_and(alive)), "a background Mend runs again");
    let _stop_second = Stop(noted_pid(d.path()).expect("a pid"));
}
