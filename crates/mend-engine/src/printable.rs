//! Text that another person wrote (a partner's name, a note, a device name, a ticket's
//! inviter), made safe to show in a terminal or a Markdown file. Every human printer goes
//! through here; JSON output keeps the text exact.
//!
//! A terminal acts on control characters: an ESC sequence can recolour the screen, hide
//! lines or retitle the window, and bidirectional overrides can make a sentence read
//! differently from what is stored. None of that should reach the screen of the partner
//! reading it.

/// Characters that change how the terminal or the text around them behaves, rather than
/// showing something: C0 and C1 controls (ESC among them), DEL, and bidirectional
/// embeddings, overrides, isolates and marks.
fn is_steering(c: char) -> bool {
    c.is_control() || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line: any line break or tab becomes a single space, runs of spaces collapse, and
/// steering characters are dropped. For list rows and names in sentences.
pub fn line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c == '\u{2028}' || c == '\u{2029}') {
        let word: String = word.chars().filter(|c| !is_steering(*c)).collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&word);
    }
    out
}

/// Paragraphs: line breaks are kept (as `\n`), tabs become spaces, and every other
/// steering character is dropped. For texts shown whole, like an agreement.
pub fn block(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' | '\u{0B}' | '\u{0C}' => Some('\n'),
            '\t' => Some(' '),
            c if is_steering(c) => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "Sam\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202E}evil\u{2066}x\u{2069}\u{200F}\u{7f}\u{0}";

    fn steering_left(s: &str) -> Vec<char> {
        s.chars().filter(|c| is_steering(*c) && *c != '\n').collect()
    }

    #[test]
    fn no_control_or_bidi_character_survives() {
        assert_eq!(steering_left(&line(HOSTILE)), Vec::<char>::new());
        assert_eq!(steering_left(&block(HOSTILE)), Vec::<char>::new());
        assert_eq!(line(HOSTILE), "Sam[2J]0;owned31mevilx");
    }

    #[test]
    fn line_is_one_line_and_block_keeps_paragraphs() {
        assert_eq!(line("  a\nb\r\n\tc\u{2028}d  "), "a b c d");
        assert_eq!(block("first\r\nsecond\n\nthird\u{1b}"), "first\nsecond\n\nthird");
    }

    #[test]
    fn ordinary_writing_is_unchanged() {
        for s in ["Ana", "ثقة ووعد", "שלום", "Zoë 💛", "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "日本語のメモ"] {
            assert_eq!(line(s), s);
            assert_eq!(block(s), s);
        }
    }
}
