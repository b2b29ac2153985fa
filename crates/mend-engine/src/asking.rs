//! What an action that cannot be taken back does, said before it is taken: the same words
//! in the window's second step and in the CLI's question (which `--yes` skips).

use crate::printable;
use mend_core::Device;

/// Before removing `d`, one of this partner's own devices (the other partner's devices are
/// theirs to remove): what stops, and what stays.
pub fn removing_device(d: &Device) -> String {
    let name = printable::line(&d.name);
    format!(
        "{name} is one of your devices. Removed, it stops syncing with this space at once, on every device; what it holds stays on it. To use it again, add it as a new device."
    )
}

/// Before leaving the space.
pub const LEAVING: &str = "Leaving stops sync with every other device, your partner's and your own. Everything stays on this device, and your partner's devices keep their copy of everything shared until now. No one is told; sync simply stops.";

/// Before deleting a journal entry.
pub const DELETING_ENTRY: &str =
    "The entry is erased from your journal's files for good; there is no undo. Your journal is on this device only, so nothing else changes.";
