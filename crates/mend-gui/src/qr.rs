//! The invitation as a QR code, drawn square by square (no image crate needed).

use qrcode::{Color, QrCode};

pub fn show(ui: &mut egui::Ui, text: &str) {
    let Ok(code) = QrCode::new(text.as_bytes()) else {
        ui.label("This invitation is too long for a QR code: copy the text instead.");
        return;
    };
    let n = code.width();
    let quiet = 4;
    let cells = n + 2 * quiet;
    let side = 260.0_f32;
    let cell = side / cells as f32;
    let (resp, painter) = ui.allocate_painter(egui::vec2(side, side), egui::Sense::hover());
    resp.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, "QR code of the invitation"));
    let r = resp.rect;
    painter.rect_filled(r, 0.0, egui::Color32::WHITE);
    for (i, c) in code.to_colors().iter().enumerate() {
        if *c == Color::Dark {
            let (x, y) = ((i % n + quiet) as f32, (i / n + quiet) as f32);
            let min = r.min + egui::vec2(x * cell, y * cell);
            painter.rect_filled(egui::Rect::from_min_size(min, egui::vec2(cell, cell)), 0.0, egui::Color32::BLACK);
        }
    }
}

/// Reads an invitation from a picture of its QR code (a screenshot or a photo).
pub fn read(path: &std::path::Path) -> Result<String, String> {
    let img = image::open(path).map_err(|e| format!("could not open {} as a picture: {e}", path.display()))?.to_luma8();
    decode(img)
}

fn decode(img: image::GrayImage) -> Result<String, String> {
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let none = || "no QR code was found in that picture: try a sharper one, or paste the invitation text".to_owned();
    let grid = prepared.detect_grids().into_iter().next().ok_or_else(none)?;
    let (_, text) = grid.decode().map_err(|e| format!("the QR code could not be read ({e}): try a sharper picture, or paste the text"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `show` draws, as pixels: a code drawn by Mend is read back by Mend.
    fn render(text: &str) -> image::GrayImage {
        let code = QrCode::new(text.as_bytes()).expect("encodes");
        let (n, quiet, px) = (code.width(), 4, 6);
        let side = ((n + 2 * quiet) * px) as u32;
        let colors = code.to_colors();
        image::GrayImage::from_fn(side, side, |x, y| {
            let (cx, cy) = (x as usize / px, y as usize / px);
            let dark = cx >= quiet && cy >= quiet && cx < n + quiet && cy < n + quiet && colors[(cy - quiet) * n + cx - quiet] == Color::Dark;
            image::Luma([if dark { 0 } else { 255 }])
        })
    }

    #[test]
    fn an_invitation_drawn_as_a_qr_code_reads_back() {
        let text = "mendaaaqxyz2345abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwxyz";
        assert_eq!(decode(render(text)).unwrap(), text);
    }

    #[test]
    fn a_picture_without_a_code_says_so() {
        let blank = image::GrayImage::from_pixel(200, 200, image::Luma([255]));
        assert!(decode(blank).unwrap_err().contains("no QR code was found"));
    }
}
