//! Small pieces every screen uses: labelled fields (named for screen readers) and times.

use egui::{Response, TextEdit, Ui, Widget as _};
use mend_engine::core::Timestamp;

/// A one-line text field with a visible label that also names it for AccessKit.
pub fn field(ui: &mut Ui, label: &str, text: &mut String) -> Response {
    let l = ui.label(label);
    TextEdit::singleline(text).desired_width(f32::INFINITY).ui(ui).labelled_by(l.id)
}

/// A few lines of text, labelled the same way.
pub fn area(ui: &mut Ui, label: &str, text: &mut String) -> Response {
    let l = ui.label(label);
    TextEdit::multiline(text).desired_rows(3).desired_width(f32::INFINITY).ui(ui).labelled_by(l.id)
}

/// A time as people read it, on the window's clock (so a test can fix it).
pub fn when(clock: &mend_engine::when::Clock, t: Timestamp) -> String {
    clock.format(t)
}

pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(12.0);
    ui.label(egui::RichText::new(title).strong().size(crate::style::SECTION));
}

/// What a screen shows when it has nothing yet: what the screen is for and how to begin,
/// in a quiet card rather than a blank space.
pub fn empty(ui: &mut Ui, text: &str) {
    card(ui, |ui| {
        ui.label(egui::RichText::new(text).color(ui.visuals().weak_text_color()));
    });
}

/// Who wrote a record, in that person's colour (sage for you, plum for your partner, alike
/// on every screen), between the quiet words around it: "From Ben, Mon 23 Nov".
pub fn byline(ui: &mut Ui, snap: &crate::snapshot::Snapshot, author: &mend_engine::core::PartnerId, before: &str, after: &str) -> Response {
    let p = crate::style::Palette::of(ui.visuals());
    let mine = snap.me.as_ref().is_some_and(|m| &m.partner == author);
    let mut job = egui::text::LayoutJob::default();
    let style = ui.style().clone();
    for (text, color) in [(before, p.quiet), (snap.view.partner_name(author), if mine { p.accent } else { p.partner }), (after, p.quiet)] {
        egui::RichText::new(text).color(color).append_to(&mut job, &style, egui::FontSelection::Default, egui::Align::LEFT);
    }
    ui.label(job)
}

/// The one main action of a form, in the soft accent, so the eye finds it first.
pub fn primary(ui: &Ui, text: &str) -> egui::Button<'static> {
    let p = crate::style::Palette::of(ui.visuals());
    egui::Button::new(egui::RichText::new(text).color(p.on_accent)).fill(p.accent_fill)
}

/// A rating from 1 to 5, named by its label.
pub fn rating(ui: &mut Ui, label: &str, value: &mut i64) -> Response {
    ui.add(egui::Slider::new(value, 1..=5).text(label))
}

pub fn none_opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A record, framed the full width of the screen: a rounded card, a shade apart from the
/// background, with room inside.
pub fn card<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    let p = crate::style::Palette::of(ui.visuals());
    egui::Frame::new()
        .fill(p.card)
        .stroke(egui::Stroke::new(1.0, p.card_stroke))
        .corner_radius(egui::CornerRadius::same(crate::style::CARD_RADIUS))
        .inner_margin(egui::Margin::symmetric(14, 10))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui)
        })
        .inner
}

/// A few words of a text, so each button names what it acts on.
pub fn short(text: &str) -> String {
    let t: String = text.chars().take(40).collect();
    if t.len() < text.len() { format!("{t}…") } else { t }
}

/// The height of a row holding buttons, so long lists can lay out only the rows in view.
pub fn button_row_height(ui: &Ui) -> f32 {
    let text = ui.text_style_height(&egui::TextStyle::Button) + 2.0 * ui.spacing().button_padding.y;
    text.max(ui.spacing().interact_size.y)
}

/// A long list whose rows all have the same height: only the rows in view are laid out, so
/// ten years of records cost a frame no more than ten days.
pub fn rows(
    ui: &mut Ui,
    id: impl std::hash::Hash + std::fmt::Debug,
    count: usize,
    row_height: f32,
    max_height: f32,
    mut add: impl FnMut(&mut Ui, usize),
) {
    egui::ScrollArea::vertical().id_salt(id).max_height(max_height).auto_shrink([false, true]).show_rows(ui, row_height, count, |ui, range| {
        for i in range {
            add(ui, i);
        }
    });
}

/// A button that shows a short word but is named in full for screen readers (and tests):
/// "Kept" in a row about a promise is "Kept: Call when I'm late" to AccessKit.
pub fn named_button(ui: &mut Ui, shown: &str, name: &str) -> Response {
    let r = ui.button(shown);
    let enabled = ui.is_enabled();
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, name));
    r
}
