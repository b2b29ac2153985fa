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

pub fn when(t: Timestamp) -> String {
    mend_engine::when::format(t)
}

pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(12.0);
    ui.label(egui::RichText::new(title).strong().size(18.0));
}

/// A rating from 1 to 5, named by its label.
pub fn rating(ui: &mut Ui, label: &str, value: &mut i64) -> Response {
    ui.add(egui::Slider::new(value, 1..=5).text(label))
}

pub fn none_opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A record, framed the full width of the screen.
pub fn card<R>(ui: &mut Ui, add: impl FnOnce(&mut Ui) -> R) -> R {
    egui::Frame::group(ui.style())
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            add(ui)
        })
        .inner
}
