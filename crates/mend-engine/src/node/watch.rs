//! Noticing what another Mend process on this profile saved, through the file system's
//! change notification (inotify on Linux) instead of a timer: an idle node sleeps.

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Notify;

/// Watches the profile's `space/` folder and pokes `wake` when a file in it was written,
/// created, renamed or removed. Reads (our own included) are not news, or every refresh
/// would wake the next.
pub(super) fn watch_space(profile: &Path, wake: Arc<Notify>) -> notify::Result<RecommendedWatcher> {
    let mut w = notify::recommended_watcher(move |res: notify::Result<notify::Event>| match res {
        Ok(ev) if written(&ev.kind) => wake.notify_one(),
        Ok(_) => {}
        // The watcher lost events (its queue overflowed): look at the files to be sure.
        Err(_) => wake.notify_one(),
    })?;
    w.watch(&profile.join(mend_store::SPACE_DIR), RecursiveMode::NonRecursive)?;
    Ok(w)
}

fn written(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
    }
}
