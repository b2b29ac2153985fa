//! The "I feel" helper: from a draft like "You never listen to me", guidance toward
//! "I feel ___ when ___. I need ___.". A pure function over the words; nothing is stored.

use serde::Serialize;

/// A way of saying things that tends to start a fight instead of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// "you always …"
    Always,
    /// "you never …"
    Never,
    /// "you make me …": my feeling, put on them.
    MakeMe,
    /// "why can't you …": a complaint dressed as a question.
    WhyCantYou,
    /// "you're so selfish": who they are, not what they did.
    Label,
    /// "it's your fault"
    Blame,
    /// "you should …": a demand, not a request.
    Demand,
    /// "I feel like you …": a thought about them, not a feeling.
    ThoughtAsFeeling,
}

impl Pattern {
    /// Why this pattern is worth rewriting, in a sentence.
    pub fn why(self) -> &'static str {
        match self {
            Pattern::Always | Pattern::Never => {
                "\"Always\" and \"never\" invite an argument about the exceptions. One recent moment is harder to dispute and easier to hear."
            }
            Pattern::MakeMe => "Your feeling is real and it is yours. Name it, and what happened, rather than what they did to you.",
            Pattern::WhyCantYou => "A \"why can't you\" question usually lands as an accusation. Say what you would like instead.",
            Pattern::Label => "A label describes the person, and people defend who they are. Describe what they did.",
            Pattern::Blame => "Fault starts a trial. What happened, and how it affected you, starts a conversation.",
            Pattern::Demand => "A demand leaves no room to answer. A request can be met.",
            Pattern::ThoughtAsFeeling => "\"I feel like you…\" is a thought about them. A feeling is a word or two: hurt, lonely, scared.",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub pattern: Pattern,
    /// The words that showed it, lowercased.
    pub words: String,
    pub why: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Guidance {
    pub found: Vec<Found>,
    /// Suggested fills for the three blanks; None where the draft gives no hint.
    pub feel: Option<String>,
    pub when: Option<String>,
    pub need: Option<String>,
    /// "I feel ___ when ___. I need ___." with the suggestions filled in.
    pub sentence: String,
    /// Questions to answer before talking.
    pub questions: Vec<String>,
}

impl Guidance {
    pub fn is_blaming(&self) -> bool {
        !self.found.is_empty()
    }
}

pub const TEMPLATE: &str = "I feel ___ when ___. I need ___.";

const LABELS: &[&str] = &[
    "selfish",
    "lazy",
    "useless",
    "cold",
    "crazy",
    "stupid",
    "impossible",
    "pathetic",
    "liar",
    "mean",
    "heartless",
    "childish",
    "controlling",
    "ridiculous",
    "hopeless",
    "rude",
    "cruel",
    "insensitive",
    "immature",
    "jealous",
    "paranoid",
    "dramatic",
    "difficult",
    "toxic",
    "narcissist",
];

const PHRASES: &[(Pattern, &str)] = &[
    (Pattern::Always, "you always"),
    (Pattern::Always, "you're always"),
    (Pattern::Always, "you constantly"),
    (Pattern::Always, "every time you"),
    (Pattern::Never, "you never"),
    (Pattern::Never, "you're never"),
    (Pattern::Never, "you don't ever"),
    (Pattern::Never, "you won't ever"),
    (Pattern::Never, "you can't ever"),
    (Pattern::MakeMe, "you make me"),
    (Pattern::MakeMe, "you made me"),
    (Pattern::MakeMe, "you're making me"),
    (Pattern::MakeMe, "always make me"),
    (Pattern::MakeMe, "always making me"),
    (Pattern::WhyCantYou, "why can't you"),
    (Pattern::WhyCantYou, "why don't you"),
    (Pattern::WhyCantYou, "why won't you"),
    (Pattern::WhyCantYou, "why didn't you"),
    (Pattern::WhyCantYou, "why couldn't you"),
    (Pattern::WhyCantYou, "why do you always"),
    (Pattern::WhyCantYou, "why do you never"),
    (Pattern::WhyCantYou, "why are you always"),
    (Pattern::Label, "you're so"),
    (Pattern::Label, "you're such"),
    (Pattern::Blame, "your fault"),
    (Pattern::Blame, "because of you"),
    (Pattern::Blame, "thanks to you"),
    (Pattern::Blame, "you ruined"),
    (Pattern::Blame, "you ruin"),
    (Pattern::Demand, "you should"),
    (Pattern::Demand, "you need to"),
    (Pattern::Demand, "you have to"),
    (Pattern::Demand, "you better"),
    (Pattern::Demand, "you'd better"),
    (Pattern::Demand, "you must"),
    (Pattern::ThoughtAsFeeling, "i feel like you"),
    (Pattern::ThoughtAsFeeling, "i feel that you"),
    (Pattern::ThoughtAsFeeling, "i feel you"),
];

/// Every phrase, as words; labels combine with "you're", "you're a" and "you're being".
fn patterns() -> Vec<(Pattern, Vec<String>)> {
    let words = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
    let mut out: Vec<(Pattern, Vec<String>)> = PHRASES.iter().map(|(p, s)| (*p, words(s))).collect();
    for l in LABELS {
        for lead in ["you're", "you're a", "you're being"] {
            out.push((Pattern::Label, words(&format!("{lead} {l}"))));
        }
    }
    out
}

struct Topic {
    words: &'static [&'static str],
    feel: &'static str,
    when: Option<&'static str>,
    need: &'static str,
}

/// Earlier topics win: "you're late again and never call" is first about being late.
const TOPICS: &[Topic] = &[
    Topic {
        words: &["listen", "listens", "listening", "listened", "hear", "hears", "hearing", "heard", "interrupt", "interrupts", "interrupting"],
        feel: "unheard",
        when: Some("I'm talking and ___"),
        need: "to feel listened to, even for five minutes",
    },
    Topic {
        words: &["late", "wait", "waiting", "waited"],
        feel: "unimportant",
        when: Some("you arrive later than we agreed, like ___"),
        need: "a message when you're running late",
    },
    Topic {
        words: &["call", "calls", "called", "text", "texts", "texted", "message", "messages", "reply", "replies", "answer", "answers"],
        feel: "worried",
        when: Some("I don't hear from you after ___"),
        need: "a short message when plans change",
    },
    Topic {
        words: &["phone", "phones", "screen", "scrolling", "instagram", "tiktok"],
        feel: "lonely",
        when: Some("we're together and you're on your phone, like ___"),
        need: "some time together without phones",
    },
    Topic {
        words: &["lie", "lies", "lied", "lying", "truth", "honest", "hide", "hiding", "hid", "secret", "secrets"],
        feel: "hurt and unsafe",
        when: Some("I find out something you didn't tell me, like ___"),
        need: "honesty, even when it's hard to say",
    },
    Topic {
        words: &["help", "helps", "chores", "dishes", "housework", "cleaning", "clean", "laundry", "trash", "cook", "cooking", "kids"],
        feel: "overwhelmed",
        when: Some("I'm doing ___ on my own"),
        need: "us to share it: could we decide together who does what?",
    },
    Topic {
        words: &["yell", "yells", "yelling", "shout", "shouts", "shouting", "scream", "screams", "screaming"],
        feel: "scared",
        when: Some("voices get raised, like ___"),
        need: "us to pause and come back to it when we're both calm",
    },
    Topic {
        words: &[
            "respect",
            "disrespect",
            "criticize",
            "criticise",
            "criticizing",
            "criticising",
            "judge",
            "judging",
            "mock",
            "mocking",
            "insult",
            "insults",
        ],
        feel: "hurt and small",
        when: None,
        need: "to be spoken to with respect, even when we disagree",
    },
    Topic {
        words: &["apologize", "apologise", "apologizing", "apologising", "apology", "sorry"],
        feel: "unacknowledged",
        when: None,
        need: "to hear that you understand how it affected me",
    },
    Topic {
        words: &["care", "cares", "notice", "notices", "ignore", "ignores", "ignoring", "ignored", "appreciate", "appreciates"],
        feel: "invisible",
        when: None,
        need: "to feel noticed, even in small ways",
    },
    Topic {
        words: &["busy", "work", "working", "together", "weekend", "weekends", "spend", "date"],
        feel: "lonely",
        when: Some("we go days without time for just us, like ___"),
        need: "time for just us, on a day we choose together",
    },
    Topic { words: &["trust", "trusts", "believe", "believes"], feel: "unsafe", when: None, need: "to see small promises kept, one at a time" },
];

/// Feeling words a person may name after "you make me (feel)": only these are taken as
/// their feeling. Anything else ("you make me wait", "…feel like I'm crazy") is what they
/// did or a thought, and taking it would write a broken sentence ("I feel wait when…").
pub const FEELINGS: &[&str] = &[
    "afraid",
    "alone",
    "angry",
    "annoyed",
    "anxious",
    "ashamed",
    "bitter",
    "crazy",
    "defensive",
    "desperate",
    "disappointed",
    "disrespected",
    "dismissed",
    "embarrassed",
    "exhausted",
    "foolish",
    "frustrated",
    "furious",
    "guilty",
    "helpless",
    "hopeless",
    "humiliated",
    "hurt",
    "ignored",
    "inadequate",
    "insecure",
    "invisible",
    "irritated",
    "jealous",
    "lonely",
    "mad",
    "miserable",
    "nervous",
    "overwhelmed",
    "powerless",
    "rejected",
    "resentful",
    "sad",
    "scared",
    "sick",
    "small",
    "stupid",
    "tense",
    "terrible",
    "tired",
    "trapped",
    "ugly",
    "uncomfortable",
    "unhappy",
    "unheard",
    "unimportant",
    "unloved",
    "unsafe",
    "unwanted",
    "upset",
    "used",
    "useless",
    "worried",
    "worthless",
    "unacknowledged",
    "confused",
    "crushed",
    "cheap",
    "dumb",
    "uneasy",
    "unseen",
];

fn normalize(draft: &str) -> Vec<String> {
    let lower = draft.to_lowercase().replace(['\u{2019}', '\u{2018}', '`'], "'");
    let words: Vec<String> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')).map(|w| w.trim_matches('\'').to_owned()).filter(|w| !w.is_empty()).collect();
    // Contractions, so that one pattern covers the ways of typing it.
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let next = words.get(i + 1).map(String::as_str);
        let (joined, skip) = match (w, next) {
            ("you", Some("are")) => ("you're", 2),
            ("do", Some("not")) => ("don't", 2),
            ("will", Some("not")) => ("won't", 2),
            ("can", Some("not")) => ("can't", 2),
            ("could", Some("not")) => ("couldn't", 2),
            ("did", Some("not")) => ("didn't", 2),
            ("cannot" | "cant", _) => ("can't", 1),
            ("dont", _) => ("don't", 1),
            ("wont", _) => ("won't", 1),
            ("didnt", _) => ("didn't", 1),
            ("couldnt", _) => ("couldn't", 1),
            ("youre" | "ur", _) => ("you're", 1),
            ("u", _) => ("you", 1),
            _ => (w, 1),
        };
        out.push(joined.to_owned());
        i += skip;
    }
    out
}

/// The feeling named right after "you make me": "(feel) (so) angry" gives "angry"; "feel
/// like I'm crazy", "do everything" or "wait" name no feeling.
fn feeling_after<'a>(rest: &[&'a str]) -> Option<&'a str> {
    let mut words = rest.iter().copied().skip_while(|x| matches!(*x, "feel" | "so" | "really" | "very" | "feeling" | "such" | "totally"));
    words.next().filter(|x| FEELINGS.contains(x))
}

/// Reads a draft and returns what to notice and a gentler way to say it.
pub fn guide(draft: &str) -> Guidance {
    let words = normalize(draft);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();

    // Every match, then drop those inside a longer one ("why do you always" holds "you always").
    let mut matches: Vec<(Pattern, usize, usize)> = Vec::new();
    for (p, phrase) in patterns() {
        if phrase.len() > w.len() {
            continue;
        }
        for start in 0..=w.len() - phrase.len() {
            if w[start..start + phrase.len()].iter().zip(&phrase).all(|(a, b)| a == b) {
                matches.push((p, start, start + phrase.len()));
            }
        }
    }
    matches.sort_by_key(|&(_, s, e)| (s, std::cmp::Reverse(e)));
    let mut kept: Vec<(Pattern, usize, usize)> = Vec::new();
    for m in matches {
        if !kept.iter().any(|k| k.1 <= m.1 && m.2 <= k.2) {
            kept.push(m);
        }
    }
    let mut found: Vec<Found> = Vec::new();
    for &(p, s, e) in &kept {
        if !found.iter().any(|f| f.pattern == p) {
            found.push(Found { pattern: p, words: w[s..e].join(" "), why: p.why() });
        }
    }

    let topic = TOPICS.iter().find(|t| w.iter().any(|x| t.words.contains(x)));
    // "you make me so angry": their own word for the feeling beats any guess.
    let own_feeling = kept.iter().filter(|k| k.0 == Pattern::MakeMe).find_map(|&(_, _, end)| feeling_after(&w[end..]));
    let feel = own_feeling.map(|s| s.to_string()).or_else(|| topic.map(|t| t.feel.to_owned()));
    let when = topic.and_then(|t| t.when).map(str::to_owned);
    let need = topic.map(|t| t.need.to_owned());
    let blank = |o: &Option<String>| o.clone().unwrap_or_else(|| "___".to_owned());
    let sentence = format!("I feel {} when {}. I need {}.", blank(&feel), blank(&when), blank(&need));

    let mut questions: Vec<String> = vec![
        "What happened, the last time? One moment, described the way a camera would see it.".to_owned(),
        "What did you feel in that moment? A word or two: hurt, lonely, scared, unheard, ashamed, tired…".to_owned(),
        "What do you need, as a request your partner can say yes to?".to_owned(),
    ];
    for f in &found {
        let q = match f.pattern {
            Pattern::Always | Pattern::Never => "Can you remember a time it went differently? What was different then?",
            Pattern::MakeMe => "What were you telling yourself about what it meant?",
            Pattern::WhyCantYou | Pattern::Demand => "What would you like them to do instead, if they were free to say no?",
            Pattern::Label => "What did they do, rather than what are they?",
            Pattern::Blame => "Was there a part of it that was yours?",
            Pattern::ThoughtAsFeeling => "What is the feeling under that thought?",
        };
        if !questions.iter().any(|x| x == q) {
            questions.push(q.to_owned());
        }
    }
    Guidance { found, feel, when, need, sentence, questions }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(g: &Guidance) -> Vec<Pattern> {
        g.found.iter().map(|f| f.pattern).collect()
    }

    #[test]
    fn you_never_listen_becomes_i_feel_unheard() {
        let g = guide("You never listen to me");
        assert_eq!(kinds(&g), vec![Pattern::Never]);
        assert_eq!(g.found[0].words, "you never");
        assert_eq!(g.feel.as_deref(), Some("unheard"));
        assert!(g.when.as_deref().is_some_and(|w| w.starts_with("I'm talking and")));
        assert!(g.sentence.starts_with("I feel unheard when I'm talking and"), "{}", g.sentence);
        assert!(g.sentence.contains("I need"));
        assert!(g.questions.len() >= 4);
        assert!(g.is_blaming());
    }

    #[test]
    fn each_blaming_pattern_is_named() {
        let cases: &[(&str, Pattern)] = &[
            ("You ALWAYS leave the dishes for me", Pattern::Always),
            ("you’re never home before nine", Pattern::Never),
            ("You make me so angry", Pattern::MakeMe),
            ("Why can't you just call when you're late?", Pattern::WhyCantYou),
            ("why cant you be normal", Pattern::WhyCantYou),
            ("You are so selfish", Pattern::Label),
            ("you're such a child", Pattern::Label),
            ("You're being ridiculous", Pattern::Label),
            ("It's all your fault", Pattern::Blame),
            ("You should have told me", Pattern::Demand),
            ("I feel like you don't care about us", Pattern::ThoughtAsFeeling),
        ];
        for (draft, want) in cases {
            let g = guide(draft);
            assert!(kinds(&g).contains(want), "{draft:?}: found {:?}, wanted {want:?}", kinds(&g));
            assert!(!g.found[0].why.is_empty());
        }
    }

    #[test]
    fn a_longer_pattern_hides_the_one_inside_it() {
        let g = guide("Why do you always do this?");
        assert_eq!(kinds(&g), vec![Pattern::WhyCantYou]);
    }

    #[test]
    fn their_own_word_for_the_feeling_is_kept() {
        assert_eq!(guide("You make me feel stupid").feel.as_deref(), Some("stupid"));
        assert_eq!(guide("you make me so angry when you yell").feel.as_deref(), Some("angry"));
        // A thought, not a feeling: no feeling word is invented from it.
        assert_ne!(guide("You make me feel like I'm crazy").feel.as_deref(), Some("like"));
        assert_eq!(guide("You make me do everything").feel, None);
    }

    #[test]
    fn topics_suggest_fills() {
        let g = guide("You never call when you're late");
        assert_eq!(g.feel.as_deref(), Some("unimportant"));
        assert!(g.need.as_deref().is_some_and(|n| n.contains("running late")));
        let g = guide("You're always on your phone");
        assert_eq!(g.feel.as_deref(), Some("lonely"));
    }

    #[test]
    fn a_kind_sentence_is_left_alone_and_blanks_stay_blank() {
        let g = guide("I feel lonely when we eat apart. I need us to have dinner together.");
        assert!(!g.is_blaming());
        let g = guide("Thank you for today");
        assert!(g.found.is_empty());
        assert_eq!(g.sentence, TEMPLATE);
        assert_eq!(g.questions.len(), 3);
        let g = guide("");
        assert_eq!(g.sentence, TEMPLATE);
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        // "you never" must be two whole words: "younever" and "your neverland" are not it.
        assert!(guide("younever know").found.is_empty());
        assert!(guide("your neverland trip").found.is_empty());
        assert!(guide("I heard you alwaysbe").found.is_empty());
    }
}
