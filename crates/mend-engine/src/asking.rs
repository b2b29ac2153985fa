//! What an action that cannot be taken back does, said before it is taken: the same words
//! in the window's second step and in the CLI's question (which `--yes` skips).

use crate::printable;
use mend_core::{Actor, Device, View};

/// Before removing `d`: what stops, on both sides, and what stays.
pub fn removing_device(view: &View, me: &Actor, d: &Device) -> String {
    let name = printable::line(&d.name);
    if d.partner == me.partner {
        return format!(
            "{name} is one of your devices. Removed, it stops syncing with this space at once, on every device; what it holds stays on it. To use it again, add it as a new device."
        );
    }
    let partner = printable::line(view.partner_name(&d.partner));
    let others = view.trusted_devices().filter(|o| o.partner == d.partner && o.id != d.id).count();
    if others == 0 {
        format!(
            "{name} is {partner}'s only device. Removed, you and {partner} no longer sync at all until {partner} is invited again; {partner} keeps a copy of everything shared until now."
        )
    } else {
        format!("{name} is one of {partner}'s devices. Removed, it stops syncing with you at once; {partner}'s other devices go on syncing.")
    }
}

/// Before leaving the space.
pub const LEAVING: &str = "Leaving stops sync with every other device, your partner's and your own. Everything stays on this device, and your partner's devices keep their copy of everything shared until now. No one is told; sync simply stops.";

/// Before deleting a journal entry.
pub const DELETING_ENTRY: &str =
    "The entry is erased from your journal's files for good; there is no undo. Your journal is on this device only, so nothing else changes.";
