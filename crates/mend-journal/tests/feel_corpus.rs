//! The "I feel" helper on drafts people really write when hurt: every suggestion it makes
//! is a sentence a person could say. A feeling word after "I feel" (or a blank to fill),
//! never a verb or a thought; no "you always / you never / you make me" left in it.
//!
//! The regression that started it: "You always make me wait" became "I feel wait when…".

use mend_journal::feel::{FEELINGS, TEMPLATE, guide};

const DRAFTS: &[&str] = &[
    "You always make me wait",
    "You always make me wait and then act like it's nothing",
    "You never listen to me",
    "You never listen, you just wait for your turn to talk",
    "You make me so angry when you do that",
    "You make me feel like I'm crazy",
    "You make me feel stupid in front of your friends",
    "You make me do everything around here",
    "You make me wait every single night",
    "you make me want to scream",
    "You make me feel so small",
    "You made me look like an idiot",
    "Why can't you just call when you're late?",
    "Why don't you ever ask about my day?",
    "Why do you always have to be on your phone?",
    "Why didn't you tell me about the money?",
    "You're so selfish",
    "You're being ridiculous about this",
    "You are such a liar",
    "You're impossible to talk to",
    "It's all your fault we're in this mess",
    "Because of you we missed the flight",
    "You ruined my birthday",
    "You should have told me sooner",
    "You need to stop yelling at me",
    "You have to help more with the kids",
    "I feel like you don't care about us anymore",
    "I feel that you are hiding something",
    "I feel you don't respect me",
    "You never help with the dishes",
    "You always leave the laundry for me",
    "You're always working, even on weekends",
    "We never spend time together anymore",
    "You never text back",
    "You don't ever answer my calls when you're out",
    "You lied to me again",
    "I can't trust you after what you did",
    "You always criticize how I cook",
    "You mock me when I'm upset",
    "You never apologize for anything",
    "you ignore me the moment you get home",
    "u never listen",
    "ur always late",
    "You're ALWAYS on instagram",
    "you constantly interrupt me",
    "Every time you drink you get mean",
    "You won't ever admit you're wrong",
    "You make me so sad when you forget our plans",
    "You make me anxious when you don't come home",
    "You make me feel invisible",
    "You make me really tired of trying",
    "You made me miss my train",
    "You never notice when I try",
    "I feel lonely when we eat apart. I need us to have dinner together.",
    "Thank you for making breakfast",
    "I am hurt about last night",
    "",
    "???",
    "You you you always always",
];

#[test]
fn every_suggestion_is_a_sentence_a_person_could_say() {
    assert!(DRAFTS.len() >= 50, "the corpus holds at least 50 drafts");
    for draft in DRAFTS {
        let g = guide(draft);
        let s = &g.sentence;
        assert!(s.starts_with("I feel ") && s.ends_with('.'), "{draft:?} → {s:?}");
        let lower = s.to_lowercase();
        for left in ["you always", "you never", "you make me", "you're so", "your fault"] {
            assert!(!lower.contains(left), "{draft:?} → {s:?} still says {left:?}");
        }
        assert!(!s.contains("  ") && !s.contains(" ."), "{draft:?} → {s:?}");
        match &g.feel {
            // A blank the person fills is always fine; a filled one must be a feeling.
            None => assert!(s.starts_with("I feel ___ when"), "{draft:?} → {s:?}"),
            Some(feel) => {
                for word in feel.split(' ').filter(|w| *w != "and") {
                    assert!(FEELINGS.contains(&word), "{draft:?} → \"I feel {feel}\": {word:?} is not a feeling");
                }
                assert!(s.starts_with(&format!("I feel {feel} when ")), "{draft:?} → {s:?}");
            }
        }
    }
}

#[test]
fn blaming_drafts_are_named_and_kind_ones_left_alone() {
    for draft in DRAFTS.iter().filter(|d| {
        let l = d.to_lowercase();
        ["you always", "you never", "you make me", "you're so", "your fault", "why can't you", "you should"].iter().any(|p| l.contains(p))
    }) {
        assert!(guide(draft).is_blaming(), "{draft:?} is blaming and should be named");
    }
    for draft in ["Thank you for making breakfast", "I am hurt about last night", ""] {
        let g = guide(draft);
        assert!(!g.is_blaming(), "{draft:?}");
        assert_eq!(g.sentence, TEMPLATE, "{draft:?}: nothing invented");
    }
}

#[test]
fn you_always_make_me_wait_no_longer_becomes_i_feel_wait() {
    let g = guide("You always make me wait");
    assert_ne!(g.feel.as_deref(), Some("wait"), "{}", g.sentence);
    assert!(!g.sentence.starts_with("I feel wait"), "{}", g.sentence);
    assert_eq!(guide("You make me so angry").feel.as_deref(), Some("angry"), "a feeling they named is still kept");
}
