//! Mend's own look, light and dark: warm paper and charcoal instead of egui's stock grey, a
//! soft sage for what is chosen and for the one main action of a form, muted clay and ochre
//! for what went wrong (never an alarming red), rounded cards with room to breathe.
//!
//! Contrast (WCAG 2 ratios, worked out from these colours; 4.5:1 is the bar for body text):
//!
//! | text on …                | light  | dark   |
//! |--------------------------|--------|--------|
//! | body on the background   | 11.5:1 | 13.4:1 |
//! | body on a card           | 12.5:1 | 11.9:1 |
//! | quiet text on background | 5.5:1  | 7.6:1  |
//! | quiet text on a card     | 6.0:1  | 6.8:1  |
//! | error on a card          | 6.0:1  | 6.8:1  |
//! | warning on a card        | 5.8:1  | 7.6:1  |
//! | link / accent on a card  | 5.7:1  | 7.6:1  |
//! | the partner's name (plum) on background / card | 5.9 / 6.4:1 | 8.0 / 7.2:1 |
//! | button label on a button | 10.1:1 | 10.0:1 |
//! | main action's label      | 4.9:1  | 6.5:1  |
//! | chosen item's label      | 9.8:1  | 6.5:1  |
//! | a control's edge (3:1 for non-text) on background / card | 3.2 / 3.4:1 | 3.9 / 3.4:1 |

use egui::{Color32, CornerRadius, FontFamily, FontId, Stroke, TextStyle, Theme, Visuals};

/// The colours of one theme, named for what they are for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub background: Color32,
    pub card: Color32,
    pub card_stroke: Color32,
    /// The edge of a control (a field, a box to tick, a button): at least 3:1 against the
    /// background and a card, so it is found without looking for it.
    pub edge: Color32,
    /// Text fields: a little apart from the cards they sit on.
    pub field: Color32,
    pub button: Color32,
    pub button_hover: Color32,
    pub button_press: Color32,
    pub text: Color32,
    pub quiet: Color32,
    /// Sage: links, focus, and the sign of what is chosen.
    pub accent: Color32,
    /// Behind the chosen item (the sidebar's screen, selected text) and the main action.
    pub accent_fill: Color32,
    /// The label on `accent_fill` for the main action.
    pub on_accent: Color32,
    pub chosen_fill: Color32,
    /// The partner's name wherever it stands for who wrote something (plum), as `accent`
    /// stands for this partner's: the same two colours on every screen.
    pub partner: Color32,
    /// Muted clay and ochre: a refusal is said calmly, beside its field.
    pub error: Color32,
    pub warning: Color32,
    /// The three lines of a check-in trend (connection, trust, heard): calm and told apart
    /// by hue and lightness, none of them an alarming red.
    pub chart: [Color32; 3],
}

const fn hex(rgb: u32) -> Color32 {
    Color32::from_rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
}

pub const LIGHT: Palette = Palette {
    background: hex(0xF7F2EA),
    card: hex(0xFFFCF7),
    card_stroke: hex(0xE4D9CB),
    edge: hex(0x978672),
    field: hex(0xFFFFFF),
    button: hex(0xECE3D7),
    button_hover: hex(0xE3D8CA),
    button_press: hex(0xD8CBBA),
    text: hex(0x3A302A),
    quiet: hex(0x6B5F56),
    accent: hex(0x3F6E5E),
    accent_fill: hex(0x4A7A69),
    on_accent: hex(0xFFFFFF),
    chosen_fill: hex(0xD5E5DC),
    partner: hex(0x7A4E7E),
    error: hex(0x9A4A36),
    warning: hex(0x7D5F17),
    chart: [hex(0x3F6E5E), hex(0xB0772E), hex(0x4F6FA8)],
};

pub const DARK: Palette = Palette {
    background: hex(0x221E1B),
    card: hex(0x2C2723),
    card_stroke: hex(0x3D3631),
    edge: hex(0x857869),
    field: hex(0x191614),
    button: hex(0x3A332D),
    button_hover: hex(0x453D36),
    button_press: hex(0x50473F),
    text: hex(0xEEE6DC),
    quiet: hex(0xB9AEA3),
    accent: hex(0x93C5B1),
    accent_fill: hex(0x35574B),
    on_accent: hex(0xEEE6DC),
    chosen_fill: hex(0x35574B),
    partner: hex(0xD3A6D6),
    error: hex(0xE3A08B),
    warning: hex(0xD8B66C),
    chart: [hex(0x93C5B1), hex(0xE0B070), hex(0x9DB4E0)],
};

impl Palette {
    pub fn of(visuals: &Visuals) -> &'static Palette {
        if visuals.dark_mode { &DARK } else { &LIGHT }
    }
}

/// The type scale: a title for the window's name, a heading per screen, a section heading
/// (`widgets::section`), body text and buttons alike, and small print. Steps of about 1.2.
pub const TITLE: f32 = 26.0;
pub const HEADING: f32 = 22.0;
pub const SECTION: f32 = 18.0;
pub const BODY: f32 = 16.0;
pub const SMALL: f32 = 13.0;

/// Rounded, but not bubbly.
pub const WIDGET_RADIUS: u8 = 6;
pub const CARD_RADIUS: u8 = 10;

pub fn apply(ctx: &egui::Context) {
    ctx.set_visuals_of(Theme::Light, visuals(&LIGHT, Visuals::light()));
    ctx.set_visuals_of(Theme::Dark, visuals(&DARK, Visuals::dark()));
    ctx.all_styles_mut(|s| {
        s.text_styles.insert(TextStyle::Body, FontId::proportional(BODY));
        s.text_styles.insert(TextStyle::Button, FontId::proportional(BODY));
        s.text_styles.insert(TextStyle::Heading, FontId::proportional(HEADING));
        s.text_styles.insert(TextStyle::Small, FontId::proportional(SMALL));
        s.text_styles.insert(TextStyle::Monospace, FontId::monospace(14.0));
        s.text_styles.insert(TextStyle::Name("Title".into()), FontId::new(TITLE, FontFamily::Proportional));
        s.spacing.item_spacing = egui::vec2(10.0, 8.0);
        s.spacing.button_padding = egui::vec2(12.0, 5.0);
        s.spacing.interact_size.y = 28.0;
        s.spacing.window_margin = egui::Margin::same(14);
        s.spacing.menu_margin = egui::Margin::same(8);
    });
}

fn visuals(p: &Palette, mut v: Visuals) -> Visuals {
    let widget = CornerRadius::same(WIDGET_RADIUS);
    v.override_text_color = None;
    v.weak_text_color = Some(p.quiet);
    v.panel_fill = p.background;
    v.window_fill = p.card;
    v.window_stroke = Stroke::new(1.0, p.card_stroke);
    v.window_corner_radius = CornerRadius::same(CARD_RADIUS);
    v.menu_corner_radius = widget;
    v.faint_bg_color = p.card;
    v.extreme_bg_color = p.field;
    v.text_edit_bg_color = Some(p.field);
    v.code_bg_color = p.button;
    v.hyperlink_color = p.accent;
    v.error_fg_color = p.error;
    v.warn_fg_color = p.warning;
    v.selection.bg_fill = p.chosen_fill;
    v.selection.stroke = Stroke::new(1.0, p.text);
    v.text_cursor.stroke = Stroke::new(2.0, p.accent);

    let w = &mut v.widgets;
    // Labels, frames and separators.
    w.noninteractive.bg_fill = p.card;
    w.noninteractive.weak_bg_fill = p.card;
    w.noninteractive.bg_stroke = Stroke::new(1.0, p.card_stroke);
    w.noninteractive.fg_stroke = Stroke::new(1.0, p.text);
    w.noninteractive.corner_radius = widget;
    // Buttons and fields at rest, under the pointer, pressed, and open (a combo box).
    for (state, fill) in
        [(&mut w.inactive, p.button), (&mut w.hovered, p.button_hover), (&mut w.active, p.button_press), (&mut w.open, p.button_hover)]
    {
        state.bg_fill = fill;
        state.weak_bg_fill = fill;
        state.fg_stroke = Stroke::new(1.0, p.text);
        state.corner_radius = widget;
    }
    w.inactive.bg_stroke = Stroke::new(1.0, p.edge);
    w.hovered.bg_stroke = Stroke::new(1.0, p.accent);
    w.active.bg_stroke = Stroke::new(1.5, p.accent);
    w.open.bg_stroke = Stroke::new(1.0, p.card_stroke);
    v
}

/// Light or dark, as the person prefers; egui follows the system until they choose.
pub fn theme_switch(ui: &mut egui::Ui) {
    let dark = ui.ctx().theme() == egui::Theme::Dark;
    let label = if dark { "Light theme" } else { "Dark theme" };
    if ui.button(label).clicked() {
        ui.ctx().set_theme(if dark { egui::Theme::Light } else { egui::Theme::Dark });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(c: Color32) -> f64 {
        let lin = |v: u8| {
            let c = f64::from(v) / 255.0;
            if c <= 0.03928 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) }
        };
        0.2126 * lin(c.r()) + 0.7152 * lin(c.g()) + 0.0722 * lin(c.b())
    }

    fn contrast(a: Color32, b: Color32) -> f64 {
        let (la, lb) = (luminance(a), luminance(b));
        (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
    }

    /// The ratios the module's table promises hold for every text on every surface it meets.
    #[test]
    fn every_text_is_readable_on_what_it_sits_on() {
        for p in [&LIGHT, &DARK] {
            for surface in [p.background, p.card, p.field, p.button] {
                for text in [p.text, p.quiet, p.error, p.warning, p.accent, p.partner] {
                    let r = contrast(text, surface);
                    assert!(r >= 4.5, "{text:?} on {surface:?}: {r:.2}");
                }
            }
            assert!(contrast(p.on_accent, p.accent_fill) >= 4.5);
            assert!(contrast(p.text, p.chosen_fill) >= 4.5);
            for surface in [p.background, p.card] {
                assert!(contrast(p.edge, surface) >= 3.0, "a control's edge on {surface:?}");
            }
        }
    }
}
