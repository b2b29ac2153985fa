//! Reflection prompts, drawn from what counsellors ask of a partner rebuilding trust: own
//! your part, notice your patterns, know what you need, notice what is good.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    MyPart,
    Patterns,
    Needs,
    Gratitude,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::MyPart => "my part",
            Theme::Patterns => "patterns",
            Theme::Needs => "needs",
            Theme::Gratitude => "gratitude",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Prompt {
    /// Short and stable, to type: `mend journal add --prompt my-part`.
    pub id: &'static str,
    pub theme: Theme,
    pub text: &'static str,
}

const fn p(id: &'static str, theme: Theme, text: &'static str) -> Prompt {
    Prompt { id, theme, text }
}

pub const PROMPTS: &[Prompt] = &[
    p("my-part", Theme::MyPart, "What was my part in what happened? Not the whole story: only the part that was mine."),
    p("next-time", Theme::MyPart, "What did I say or do that I wish I had done differently, and what will I do next time?"),
    p("their-side", Theme::MyPart, "How might my partner have felt in that moment? What did my words or actions do to them?"),
    p("patterns", Theme::Patterns, "What pattern did I notice in myself today? What usually sets it off?"),
    p("body", Theme::Patterns, "When I felt hurt or defensive today, what did my body do, and what did I do next?"),
    p("calm", Theme::Patterns, "What helped me calm down when things got heated? What could I try earlier next time?"),
    p("needs", Theme::Needs, "What do I need right now? Can I say it as a request rather than a complaint?"),
    p("boundary", Theme::Needs, "Is there a boundary I need to name? How could I say it kindly and clearly?"),
    p("before-talking", Theme::Needs, "Before we talk: what do I most want my partner to understand, in one sentence?"),
    p("trust", Theme::Needs, "What would help me trust a little more this week, and what can I do to be trustworthy?"),
    p("grateful", Theme::Gratitude, "What am I grateful for in my partner today, however small?"),
    p("effort", Theme::Gratitude, "What effort did my partner make this week that I could thank them for out loud?"),
];

/// The prompt with this id (ignoring case), if any.
pub fn find(id: &str) -> Option<&'static Prompt> {
    let id = id.trim();
    PROMPTS.iter().find(|p| p.id.eq_ignore_ascii_case(id))
}

/// One prompt per day, going round all of them: `day` is days since the epoch.
pub fn for_day(day: i64) -> &'static Prompt {
    &PROMPTS[day.rem_euclid(PROMPTS.len() as i64) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_is_there_and_ids_are_unique() {
        assert!((8..=12).contains(&PROMPTS.len()));
        for t in [Theme::MyPart, Theme::Patterns, Theme::Needs, Theme::Gratitude] {
            assert!(PROMPTS.iter().filter(|p| p.theme == t).count() >= 2, "{t:?}");
        }
        for (i, a) in PROMPTS.iter().enumerate() {
            assert!(PROMPTS[i + 1..].iter().all(|b| b.id != a.id), "{} twice", a.id);
            assert!(a.text.contains('?'), "{} asks a question", a.id);
        }
    }

    #[test]
    fn found_by_id_and_by_day() {
        assert_eq!(find(" My-Part ").map(|p| p.theme), Some(Theme::MyPart));
        assert!(find("nothing").is_none());
        assert_eq!(for_day(0).id, PROMPTS[0].id);
        assert_eq!(for_day(PROMPTS.len() as i64 + 1).id, PROMPTS[1].id);
        assert_eq!(for_day(-1).id, PROMPTS[PROMPTS.len() - 1].id);
    }
}
