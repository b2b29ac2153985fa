//! Help: how to use Mend, what is private, where to find a professional. Works offline.

use crate::widgets::section;

pub fn show(ui: &mut egui::Ui) {
    ui.heading("Help");
    ui.label(egui::RichText::new("Mend is not therapy. It is a place to keep what you agree, promise and notice, and it works best alongside honest conversation and, where you can, a counsellor.").strong());
    section(ui, "How to use Mend");
    for line in [
        "Agreements: write a boundary together. It is agreed when you both accept the same text; either of you can propose a revision.",
        "Promises: say what you will do and by when. Mark it kept or missed honestly; missing one never resets anything.",
        "Gratitude: notice the effort. Small things count.",
        "Check-ins: a few minutes a day, a longer one each week. Your partner sees all of it, the ratings too. The charts show the trend, not a score.",
        "Repairs: name what you did, its impact, and what you will do differently. Your partner answers when they are ready.",
        "Together: one question a day for the two of you (your answer stays sealed until your partner has answered too), goals in small steps, and time together.",
        "What I heard: under your partner's repair or check-in, write back what you understood. They say whether that's it.",
        "Pause: when things get heated, take a break. Your partner sees when you will be back. A breathing guide is there if it helps, and either of you can suggest a time to talk afterwards.",
        "Journal: write for yourself first. The \"I feel\" helper turns blame into something your partner can hear.",
        "Keys: Ctrl+1 to Ctrl+9 open the screens of the sidebar, in order; Tab moves between controls.",
        "With the window closed: in Settings, Mend can keep syncing and telling you what comes after you close it, or start when you log in. Both are off until you choose them.",
    ] {
        ui.label(format!("• {line}"));
    }
    section(ui, "What is private");
    ui.label("Your journal stays on this device, encrypted with your passphrase, and is never sent anywhere. Everything else you write is shared with your partner's devices, directly, with no server and no account. Mend has no location tracking, no read receipts, no hidden mode: you are equals, and either of you can leave and keep your own copy.");
    section(ui, "Professional help");
    for line in [
        "A couples counsellor or therapist: ask your doctor, or look for a registered counsellor in your country's professional body.",
        "If you are in danger or afraid of your partner, Mend is not the right tool: contact your local emergency number or a domestic-abuse helpline.",
        "If you are thinking about harming yourself, call your local emergency number or a crisis line now.",
    ] {
        ui.label(format!("• {line}"));
    }
}
