//! A short love-languages quiz: twenty either-or moments, so a person can notice what helps them
//! feel cared for without having to name it from nothing.
//!
//! Every pair of languages is weighed twice, once with each listed first, so no language gains
//! from being offered more often or from always coming first.

use std::cmp::Reverse;

use crate::records::LoveLanguage::{self, Acts, Gifts, Time, Touch, Words};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct QuizQuestion {
    /// Kept stable so a saved set of answers can be matched to its questions later.
    pub id: &'static str,
    pub prompt: &'static str,
    pub choices: [(LoveLanguage, &'static str); 2],
}

type Choice = (LoveLanguage, &'static str);

const fn ask(id: &'static str, prompt: &'static str, first: Choice, second: Choice) -> QuizQuestion {
    QuizQuestion { id, prompt, choices: [first, second] }
}

pub const QUIZ: &[QuizQuestion] = &[
    ask(
        "after-hard-day",
        "After a hard day, what would mean more?",
        (Words, "You tell me you're proud of me"),
        (Acts, "You make dinner so I can rest"),
    ),
    ask(
        "ordinary-morning",
        "On an ordinary morning, which would warm you more?",
        (Time, "We share ten unhurried minutes over a cup of tea"),
        (Touch, "You give me a long hug before the day starts"),
    ),
    ask(
        "back-from-away",
        "When one of us has been away for a few days, which would you love more?",
        (Gifts, "You bring back something small that made you think of me"),
        (Words, "You tell me how much you missed me"),
    ),
    ask(
        "busy-week",
        "When life feels busy, what would help you feel loved?",
        (Acts, "You take a task off my list without my asking"),
        (Time, "You set aside an evening just for the two of us"),
    ),
    ask(
        "watching-together",
        "While we watch something together, which feels nicer?",
        (Touch, "We sit close, with your arm around me"),
        (Gifts, "You surprise me with my favourite snack"),
    ),
    ask(
        "worked-hard",
        "When you've finished something you worked hard on, what would mean more?",
        (Words, "You tell me exactly what you admired about it"),
        (Time, "You spend the evening celebrating it with me"),
    ),
    ask(
        "tired-evening",
        "On a tired evening, which would you choose?",
        (Acts, "You tidy up so I can sit down"),
        (Touch, "You rub my shoulders for a while"),
    ),
    ask(
        "birthday",
        "On your birthday, which would touch you more?",
        (Gifts, "A present you clearly chose with care"),
        (Time, "A whole day planned around being together"),
    ),
    ask(
        "unsure-of-self",
        "When you feel unsure of yourself, what helps more?",
        (Touch, "You hold my hand and stay close"),
        (Words, "You remind me what you love about me"),
    ),
    ask(
        "small-surprise",
        "Which small surprise would brighten your week?",
        (Acts, "You sort out the thing I've been meaning to get to"),
        (Gifts, "You leave a little treat where I'll find it"),
    ),
    ask(
        "after-time-apart",
        "After a long day apart, what would you want first?",
        (Time, "A quiet walk together to catch up"),
        (Words, "You tell me something you appreciated about me today"),
    ),
    ask(
        "stressful-week",
        "In a stressful week, which would help more?",
        (Gifts, "You pick up something you know will cheer me up"),
        (Acts, "You handle an errand I've been dreading"),
    ),
    ask(
        "feeling-low",
        "When you're feeling low, which would comfort you more?",
        (Touch, "A long, quiet hug"),
        (Time, "You put your phone away and give me your full attention"),
    ),
    ask(
        "coming-home",
        "Which would you rather come home to?",
        (Words, "A message saying you were thinking of me"),
        (Gifts, "A small gift you picked up on your way home"),
    ),
    ask(
        "out-together",
        "When we're out together, what helps you feel connected?",
        (Touch, "You reach for my hand"),
        (Acts, "You look after the little details so I can relax"),
    ),
    ask(
        "end-of-week",
        "At the end of a long week, which would you pick?",
        (Time, "An evening just for us, with no screens"),
        (Acts, "You take care of the chores so I don't have to"),
    ),
    ask(
        "nervous",
        "When you're nervous about something, which helps more?",
        (Words, "You tell me you believe in me"),
        (Touch, "You squeeze my hand before I go in"),
    ),
    ask(
        "ordinary-day",
        "Which would feel more special on an ordinary day?",
        (Gifts, "You bring home flowers for no reason"),
        (Touch, "You pull me in for a hug for no reason"),
    ),
    ask(
        "anniversary",
        "Which would mean more on a day that matters to us?",
        (Time, "We go back to a place we both love"),
        (Gifts, "A small keepsake to mark how far we've come"),
    ),
    ask(
        "unwell",
        "When you're unwell, which would you rather?",
        (Acts, "You bring me tea and take care of things"),
        (Words, "You tell me kindly not to worry about anything"),
    ),
];

/// The order the answers suggest: most chosen first; ties keep the fixed order Words, Acts, Gifts, Time, Touch.
/// Every language appears once.
/// `answers[i]` is 0 or 1: which choice of QUIZ[i] the person picked; answers beyond the quiz or not 0/1 are ignored.
///
/// A suggestion, not a verdict: the person chooses their own languages, and this only offers a starting order.
pub fn suggest(answers: &[u8]) -> Vec<LoveLanguage> {
    let picked: Vec<LoveLanguage> =
        QUIZ.iter().zip(answers).filter_map(|(q, &a)| q.choices.get(usize::from(a)).map(|&(language, _)| language)).collect();
    let mut order = vec![Words, Acts, Gifts, Time, Touch];
    // A stable sort, so ties stay in the fixed order above.
    order.sort_by_key(|l| Reverse(picked.iter().filter(|p| *p == l).count()));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const ALL: [LoveLanguage; 5] = [Words, Acts, Gifts, Time, Touch];

    #[test]
    fn there_are_twenty_questions() {
        assert_eq!(QUIZ.len(), 20);
    }

    #[test]
    fn every_pair_is_weighed_twice_once_each_way_round() {
        for (i, &x) in ALL.iter().enumerate() {
            for &y in &ALL[i + 1..] {
                let both = |q: &&QuizQuestion| {
                    let [a, b] = [q.choices[0].0, q.choices[1].0];
                    (a == x && b == y) || (a == y && b == x)
                };
                assert_eq!(QUIZ.iter().filter(both).count(), 2, "{x:?} and {y:?}");
                let x_first = QUIZ.iter().filter(both).filter(|q| q.choices[0].0 == x).count();
                assert_eq!(x_first, 1, "{x:?} and {y:?}");
            }
        }
    }

    #[test]
    fn no_question_pairs_a_language_with_itself() {
        for q in QUIZ {
            assert_ne!(q.choices[0].0, q.choices[1].0, "{}", q.id);
        }
    }

    #[test]
    fn each_language_appears_in_eight_questions() {
        for l in ALL {
            let count = QUIZ.iter().filter(|q| q.choices.iter().any(|c| c.0 == l)).count();
            assert_eq!(count, 8, "{l:?}");
        }
    }

    #[test]
    fn words_are_short_and_well_formed() {
        let mut ids = HashSet::new();
        for q in QUIZ {
            assert!(!q.id.is_empty() && q.id.len() <= 40, "{}", q.id);
            assert!(q.id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'), "{}", q.id);
            assert!(ids.insert(q.id), "duplicate id {}", q.id);
            assert!(q.prompt.ends_with('?') && q.prompt.chars().count() <= 140, "{}", q.id);
            for (_, text) in q.choices {
                assert!(!text.is_empty() && text.chars().count() <= 70, "{}: {text}", q.id);
                assert!(!text.ends_with('.') && !text.contains("  "), "{}: {text}", q.id);
            }
        }
    }

    #[test]
    fn no_answers_still_give_every_language_once() {
        let zeros = suggest(&[0; 20]);
        assert_eq!(zeros.len(), 5);
        assert_eq!(zeros.iter().collect::<HashSet<_>>().len(), 5);
        assert_eq!(suggest(&[]), ALL.to_vec());
    }

    #[test]
    fn always_choosing_time_puts_time_first() {
        let answers: Vec<u8> = QUIZ.iter().map(|q| if q.choices[1].0 == Time { 1 } else { 0 }).collect();
        let order = suggest(&answers);
        assert_eq!(order[0], Time);
        assert_eq!(order.len(), 5);
    }

    #[test]
    fn ties_keep_the_fixed_order() {
        // Each language chosen four times: every question answered for the language listed first.
        let order = suggest(&[0; 20]);
        let counts: Vec<usize> = ALL.iter().map(|&l| QUIZ.iter().filter(|q| q.choices[0].0 == l).count()).collect();
        assert!(counts.iter().all(|&c| c == 4), "{counts:?}");
        assert_eq!(order, ALL.to_vec());
    }

    #[test]
    fn odd_answers_are_ignored_without_panicking() {
        let long = vec![1u8; 100];
        assert_eq!(suggest(&long).len(), 5);
        let odd = [7u8, 255, 2, 0, 1, 9];
        let order = suggest(&odd);
        assert_eq!(order.len(), 5);
        assert_eq!(order.iter().collect::<HashSet<_>>().len(), 5);
        assert_eq!(suggest(&[7; 20]), ALL.to_vec());
    }
}
