//! A calm look: readable sizes, soft colours, room to breathe. Light and dark both.

use egui::{FontId, TextStyle};

pub fn apply(ctx: &egui::Context) {
    ctx.all_styles_mut(|s| {
        s.text_styles.insert(TextStyle::Body, FontId::proportional(16.0));
        s.text_styles.insert(TextStyle::Button, FontId::proportional(16.0));
        s.text_styles.insert(TextStyle::Heading, FontId::proportional(24.0));
        s.text_styles.insert(TextStyle::Small, FontId::proportional(13.0));
        s.text_styles.insert(TextStyle::Monospace, FontId::monospace(14.0));
        s.spacing.item_spacing = egui::vec2(10.0, 8.0);
        s.spacing.button_padding = egui::vec2(10.0, 5.0);
        s.spacing.interact_size.y = 28.0;
    });
}

/// Light or dark, as the person prefers; egui follows the system until they choose.
pub fn theme_switch(ui: &mut egui::Ui) {
    let dark = ui.ctx().theme() == egui::Theme::Dark;
    let label = if dark { "Light theme" } else { "Dark theme" };
    if ui.button(label).clicked() {
        ui.ctx().set_theme(if dark { egui::Theme::Light } else { egui::Theme::Dark });
    }
}
