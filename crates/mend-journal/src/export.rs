//! The journal as Markdown, for its owner alone (`mend journal export`).

use crate::entry::Entry;

/// `entries` in the order given; `when` formats a time (milliseconds since the epoch).
pub fn markdown(entries: &[&Entry], when: &dyn Fn(i64) -> String) -> String {
    let mut s = String::from("# My journal\n\n");
    s.push_str("Exported from Mend. This file holds your private journal in plain text: keep it where only you can open it, and delete it when you no longer need it.\n");
    for e in entries {
        s.push_str(&format!("\n## {}", when(e.created_at)));
        if let Some(m) = e.mood {
            s.push_str(&format!(" · mood {m}/5"));
        }
        s.push('\n');
        if let Some(p) = &e.prompt {
            s.push_str(&format!("\n*{}*\n", p.trim()));
        }
        s.push('\n');
        s.push_str(e.text.trim_end());
        s.push('\n');
        if !e.tags.is_empty() {
            s.push_str(&format!("\nTags: {}\n", e.tags.join(", ")));
        }
        if let Some(t) = e.edited_at {
            s.push_str(&format!("\n(edited {})\n", when(t)));
        }
        s.push_str(&format!("\n<sub>{}</sub>\n", e.id));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_there() {
        let e = Entry {
            id: "0195-beef".into(),
            text: "I went quiet again.".into(),
            mood: Some(2),
            prompt: Some("What pattern did I notice?".into()),
            tags: vec!["quiet".into(), "evening".into()],
            created_at: 1_000,
            edited_at: Some(2_000),
        };
        let md = markdown(&[&e], &|t| format!("T{t}"));
        for want in [
            "# My journal",
            "## T1000 · mood 2/5",
            "*What pattern did I notice?*",
            "I went quiet again.",
            "Tags: quiet, evening",
            "(edited T2000)",
            "0195-beef",
        ] {
            assert!(md.contains(want), "{want:?} missing from:\n{md}");
        }
    }
}
