//! The question of the day: one gentle prompt the two partners answer, the same on both devices.
//!
//! Every question can be answered briefly or passed over: none asks a person to retell what hurt
//! them, to explain themselves, or to share more than they choose.

use Depth::{Deep, Future, Light, Repair};

/// How much a question asks of a couple, so a front end can let them choose a lighter day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Depth {
    Light,
    Deep,
    Future,
    Repair,
}

impl Depth {
    /// As a person reads it: "Mending" rather than "Repair", which can sound like something is broken.
    pub fn label(self) -> &'static str {
        match self {
            Depth::Light => "Light",
            Depth::Deep => "Deeper",
            Depth::Future => "Our future",
            Depth::Repair => "Mending",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Question {
    /// Stored in shared documents with the couple's answers, so it never changes once written.
    pub id: &'static str,
    pub depth: Depth,
    pub text: &'static str,
}

/// Keeps each entry of the deck on one short line.
const fn q(depth: Depth, id: &'static str, text: &'static str) -> Question {
    Question { id, depth, text }
}

/// The whole deck. Adding or removing a question reorders every couple's days, so both partners
/// should be on the same version of Mend to see the same question; ids stay valid either way.
pub const QUESTIONS: &[Question] = &[
    // Light: the day-to-day, small joys and good memories.
    q(Light, "l-smile-today", "What made you smile today, even just a little?"),
    q(Light, "l-best-meal-lately", "What's the best thing you've eaten lately?"),
    q(Light, "l-childhood-snack", "Which snack from your childhood would you love to taste again?"),
    q(Light, "l-song-stuck", "What song has been playing in your head this week?"),
    q(Light, "l-perfect-sunday", "What would a perfect slow Sunday look like for you?"),
    q(Light, "l-first-noticed", "What's something you remember noticing about me when we first met?"),
    q(Light, "l-small-joy", "What small thing brought you joy this week?"),
    q(Light, "l-easy-spot-home", "Where in our home do you feel most at ease?"),
    q(Light, "l-weather-mood", "What kind of weather puts you in the best mood?"),
    q(Light, "l-comfort-show", "Which film or show do you go back to when you want some comfort?"),
    q(Light, "l-tiny-win", "What's one tiny win you had today?"),
    q(Light, "l-laugh-memory", "What's a moment of ours that still makes you laugh?"),
    q(Light, "l-day-anywhere", "If we could spend next Saturday anywhere at all, where would you pick?"),
    q(Light, "l-morning-part", "Which part of your morning do you enjoy most?"),
    q(Light, "l-childhood-game", "What game did you love playing as a child?"),
    q(Light, "l-silly-skill", "What's a small, silly skill you're secretly proud of?"),
    q(Light, "l-favourite-smell", "Which smell always takes you somewhere good?"),
    q(Light, "l-stayed-with-you", "What have you read, watched or listened to lately that stayed with you?"),
    q(Light, "l-food-to-try", "Is there a food you've always wanted to try but never have?"),
    q(Light, "l-best-small-gift", "What's the best small gift anyone has ever given you?"),
    q(Light, "l-teacher", "Which teacher or mentor do you still think about sometimes?"),
    q(Light, "l-season", "Which season feels most like you, and what do you love about it?"),
    q(Light, "l-animal-week", "If you could look after any animal for a week, which would you choose?"),
    q(Light, "l-simple-pleasure", "What simple pleasure do you never get tired of?"),
    q(Light, "l-rainy-afternoon", "How would you like to spend a rainy afternoon together?"),
    q(Light, "l-kind-stranger", "When did a stranger last do something kind for you?"),
    q(Light, "l-small-treat", "What's a harmless little treat you enjoy more than you let on?"),
    q(Light, "l-grateful-now", "What's one thing you feel grateful for right now?"),
    q(Light, "l-free-month", "If you had a free month, what would you love to learn?"),
    q(Light, "l-favourite-walk", "What's your favourite walk or route near here?"),
    q(Light, "l-glad-this-week", "What's something you did this week that you're glad about?"),
    q(Light, "l-first-job", "What do you remember most about your first job?"),
    q(Light, "l-favourite-photo", "Which photo of us do you like best, and what do you like about it?"),
    q(Light, "l-cosy-evening", "What makes an evening feel cosy to you?"),
    q(Light, "l-ideal-breakfast", "What would your ideal breakfast be tomorrow?"),
    q(Light, "l-childhood-home", "What's one happy thing you remember about the home you grew up in?"),
    q(Light, "l-friend-laugh", "Which friend can always make you laugh?"),
    q(Light, "l-teenage-music", "What music takes you straight back to being a teenager?"),
    q(Light, "l-little-luxury", "What little luxury would make this week feel lighter?"),
    q(Light, "l-day-highlight", "What was the best moment of your day?"),
    q(Light, "l-everyday-power", "If you could have one everyday superpower, what would it be?"),
    q(Light, "l-favourite-word", "Is there a word you love the sound of?"),
    q(Light, "l-holiday-memory", "What's a holiday memory you love to go back to?"),
    q(Light, "l-my-little-habit", "Which of my little habits makes you smile?"),
    q(Light, "l-look-forward-week", "What are you looking forward to this week, however small?"),
    q(Light, "l-grow-one-thing", "If we grew one thing together, a herb, a flower or a tree, what would you choose?"),
    q(Light, "l-comfort-food", "What food feels like a hug to you?"),
    // Deeper: feelings, values, and what helps each of them feel safe and heard.
    q(Deep, "d-feel-heard", "What helps you feel truly heard when you talk to me?"),
    q(Deep, "d-most-at-ease", "When do you feel most at ease with me?"),
    q(Deep, "d-hard-day-need", "On a hard day, what do you need most from me?"),
    q(Deep, "d-value-most", "Which value matters most to you in how we treat each other?"),
    q(Deep, "d-time-alone", "How do you know when you need time to yourself, and how can I make that easier?"),
    q(Deep, "d-quietly-proud", "What's something about yourself you're quietly proud of?"),
    q(Deep, "d-on-your-mind", "Is there anything on your mind lately that you'd like me to know about?"),
    q(Deep, "d-show-care", "How do you most like me to show that I care?"),
    q(Deep, "d-shapes-how-you-love", "What did you learn growing up that still shapes how you love?"),
    q(Deep, "d-felt-understood", "When did you last feel really understood by someone?"),
    q(Deep, "d-listen-fix-stay", "When you're upset, would you rather I listen, help fix it, or simply stay close?"),
    q(Deep, "d-strength-in-me", "What's a strength you see in me that I might not see myself?"),
    q(Deep, "d-more-of", "What's one thing you'd like a little more of in your life right now?"),
    q(Deep, "d-running-low", "How can I tell when you're running low, and what helps you recharge?"),
    q(Deep, "d-easier-to-say", "What makes it easier for you to say hard things to me?"),
    q(Deep, "d-kind-disagreement", "What helps a disagreement between us stay kind?"),
    q(Deep, "d-let-go-small", "What helps you let go of a small frustration?"),
    q(Deep, "d-feel-respected", "What's one way I show respect that matters to you?"),
    q(Deep, "d-changed-mind", "What's something you've changed your mind about in the last few years?"),
    q(Deep, "d-meaningful-day", "What makes a day feel meaningful to you?"),
    q(Deep, "d-calmer-anxious", "What helps you feel calmer when you're anxious?"),
    q(Deep, "d-dream-support", "Is there a dream of yours you'd like more support with?"),
    q(Deep, "d-wish-people-knew", "What's something about who you are that you wish more people knew?"),
    q(Deep, "d-closeness-low", "What kind of closeness comforts you most when you're feeling low?"),
    q(Deep, "d-boundary-honour", "What's a boundary that matters to you, and how can I help honour it?"),
    q(Deep, "d-felt-appreciated", "When did you last feel really appreciated by me?"),
    q(Deep, "d-family-keep", "What's something from your family that you'd like to carry into our life together?"),
    q(Deep, "d-stress-notice", "How does stress tend to show up in you, and how can I notice it kindly?"),
    q(Deep, "d-felt-close", "What moment recently made you feel close to me?"),
    q(Deep, "d-gentle-with-self", "What helps you be gentle with yourself when you make a mistake?"),
    q(Deep, "d-most-yourself", "When do you feel most like yourself?"),
    q(Deep, "d-quiet-need", "Is there a need you tend to keep quiet about that you'd like to share?"),
    q(Deep, "d-hug-or-space", "After a tense moment, do you usually want a hug, some space, or a bit of both?"),
    q(Deep, "d-home-means", "What does home mean to you?"),
    q(Deep, "d-felt-brave", "When have you felt brave lately?"),
    q(Deep, "d-kindness-remembered", "What's a kindness you still remember, years later?"),
    q(Deep, "d-listen-better", "What's one thing I could do to listen to you better?"),
    // Our future: hopes, plans, and how they want the relationship to grow.
    q(Future, "f-next-year", "What would you love us to be doing a year from now?"),
    q(Future, "f-five-years", "When you picture us in five years, what do you hope it feels like between us?"),
    q(Future, "f-new-tradition", "What's a small tradition you'd like us to start?"),
    q(Future, "f-travel-someday", "Where would you like us to travel together someday?"),
    q(Future, "f-dream-home", "What would our dream home have in it?"),
    q(Future, "f-grow-together", "What's one way you'd like us to grow together?"),
    q(Future, "f-learn-side-by-side", "What would you like us to learn side by side?"),
    q(Future, "f-weekends", "What kind of weekends would you like us to have more often?"),
    q(Future, "f-old-together", "What do you hope we're like when we're old together?"),
    q(Future, "f-celebrate", "How would you like us to celebrate the good things ahead?"),
    q(Future, "f-cheer-on", "What's a personal goal you'd like me to cheer you on with?"),
    q(Future, "f-next-month", "What's one thing you'd like us to look forward to next month?"),
    q(Future, "f-feel-secure", "What would help you feel settled and secure about the years ahead?"),
    q(Future, "f-people-around", "What kind of friends and community would you like around us?"),
    q(Future, "f-habit-together", "What's one healthy habit we could build together?"),
    q(Future, "f-small-adventure", "What small adventure could we plan for this season?"),
    q(Future, "f-daily-moment", "What daily moment would you like us to share, however short?"),
    q(Future, "f-remember-this-year", "Looking back one day, what would you like us to remember about this year?"),
    q(Future, "f-chapter-name", "If we're starting a new chapter together, what would you call it?"),
    q(Future, "f-make-possible", "Is there something you've always wanted to do that I could help make possible?"),
    q(Future, "f-people-we-love", "How would you like us to spend time with the people we love?"),
    q(Future, "f-room-for-rest", "How can we make more room for rest in the months ahead?"),
    q(Future, "f-say-yes-to", "What would you like us to say yes to more often?"),
    q(Future, "f-say-no-to", "What could we say no to, so we have more time for each other?"),
    q(Future, "f-one-word", "What one word would you choose for our future?"),
    q(Future, "f-never-stop", "What are we doing now that you hope we never stop?"),
    // Mending: trust and repair, looking at what helps now rather than at what happened.
    q(Repair, "r-small-thing-safer", "What's one small thing I did this week that helped you feel safer?"),
    q(Repair, "r-feel-reassured", "When worry comes up, what could I do that would help you feel reassured?"),
    q(Repair, "r-promise-kept", "Is there a promise I kept recently that meant something to you?"),
    q(Repair, "r-pace-right", "Does the pace of our mending feel right to you, or would you like it gentler?"),
    q(Repair, "r-check-in-how", "How would you like me to check in with you on harder days?"),
    q(Repair, "r-trust-ordinary-day", "What does trust look like for you on an ordinary day?"),
    q(Repair, "r-keep-doing", "What's one thing I'm doing that you'd like me to keep doing?"),
    q(Repair, "r-painful-moment-help", "When a painful moment comes up, what would help you most from me?"),
    q(Repair, "r-feel-openness", "What would help you feel that I'm being open with you?"),
    q(Repair, "r-way-back", "After a tense moment, what helps us find our way back to each other?"),
    q(Repair, "r-apology-real", "What helps an apology feel real to you?"),
    q(Repair, "r-space-not-distance", "How can I give you space without it feeling like distance?"),
    q(Repair, "r-hope-now", "What gives you hope about us right now?"),
    q(Repair, "r-proud-of-us", "What's something about how we're getting through this that you feel proud of?"),
    q(Repair, "r-understand-better", "Is there something about how you're feeling that you'd like me to understand better?"),
    q(Repair, "r-comforting-words", "What words from me would feel comforting right now?"),
    q(Repair, "r-steady-thing", "What small, steady thing could I do each day that would matter to you?"),
    q(Repair, "r-moment-of-ease", "When did you last feel a moment of ease between us?"),
    q(Repair, "r-more-careful", "Is there a need or boundary you'd like me to be more careful with?"),
    q(Repair, "r-caring-for-self", "What's helping you look after yourself through all of this?"),
    q(Repair, "r-steady-outside", "Who or what outside the two of us is helping you feel steady?"),
    q(Repair, "r-healing-takes", "What would you like me to know about what healing takes for you?"),
    q(Repair, "r-step-this-week", "What's one small step we could take together this week?"),
    q(Repair, "r-feel-chosen", "What helps you feel chosen by me?"),
    q(Repair, "r-share-freely", "Is there anything I could share more freely that would help you feel at ease?"),
    q(Repair, "r-listening-not-defending", "What helps you feel I'm listening, rather than defending myself?"),
    q(Repair, "r-pause-heavy", "If a conversation gets too heavy, how would you like us to pause?"),
    q(Repair, "r-both-hurting", "How can we look after each other when we're both hurting?"),
];

/// Today's question for a couple: the same on both devices, from the day and the couple alone.
/// `day` is days since 1970-01-01 in local time, `couple` a stable seed from both partners (the caller hashes their ids).
///
/// An affine map over the deck's indices is a permutation, so a couple meets every question once
/// before any comes back, and no state needs to be shared or stored to get there.
pub fn for_day(day: i64, couple: u64) -> &'static Question {
    let n = QUESTIONS.len() as u64;
    let s1 = splitmix64(couple);
    let s2 = splitmix64(s1);
    let s3 = splitmix64(s2);
    // A step away from both ends of the deck, so that consecutive days land in different depths
    // rather than walking through the deck in its written order.
    let low = n / 5;
    let span = (n - 2 * low).max(1);
    let a = coprime_from(low + s1 % span, n);
    let offset = s2 % n;
    let b = s3 % n;
    let x = (day.rem_euclid(n as i64) as u64 + offset) % n;
    &QUESTIONS[((a * x + b) % n) as usize]
}

/// The question with this id, for an answer that was stored with it; None for an id this version does not know.
pub fn by_id(id: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.id == id)
}

/// Spreads nearby seeds (two couples whose hashes differ by one bit) into unrelated values.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The first step at or after `start` (wrapping, skipping 0) that shares no factor with `n`, so the map
/// stays a permutation; 1 always qualifies, so the search ends.
fn coprime_from(start: u64, n: u64) -> u64 {
    (0..n).map(|k| (start + k) % n).find(|&a| a != 0 && gcd(a, n) == 1).unwrap_or(1)
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const SEEDS: &[u64] = &[0, 1, 2, 42, 0xDEAD_BEEF, 1 << 63, u64::MAX - 1, u64::MAX];

    fn n() -> i64 {
        QUESTIONS.len() as i64
    }

    fn well_formed_id(id: &str) -> bool {
        !id.is_empty() && id.len() <= 40 && id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    }

    #[test]
    fn the_deck_is_big_enough() {
        assert!(QUESTIONS.len() >= 120, "{} questions", QUESTIONS.len());
    }

    #[test]
    fn ids_are_unique_well_formed_and_prefixed_by_depth() {
        let mut seen = HashSet::new();
        for q in QUESTIONS {
            assert!(well_formed_id(q.id), "{}", q.id);
            assert!(seen.insert(q.id), "duplicate id {}", q.id);
            let prefix = match q.depth {
                Depth::Light => "l-",
                Depth::Deep => "d-",
                Depth::Future => "f-",
                Depth::Repair => "r-",
            };
            assert!(q.id.starts_with(prefix), "{} is not {:?}", q.id, q.depth);
        }
    }

    #[test]
    fn texts_are_single_short_questions() {
        for q in QUESTIONS {
            assert!(q.text.ends_with('?'), "{}", q.id);
            assert_eq!(q.text.matches('?').count(), 1, "{}", q.id);
            assert!(q.text.chars().count() <= 140, "{}", q.id);
            assert!(!q.text.contains("  "), "{}", q.id);
            assert_eq!(q.text.trim(), q.text, "{}", q.id);
            assert!(!q.text.contains('"'), "{}", q.id);
        }
    }

    #[test]
    fn every_depth_has_enough_questions() {
        for depth in [Depth::Light, Depth::Deep, Depth::Future, Depth::Repair] {
            let count = QUESTIONS.iter().filter(|q| q.depth == depth).count();
            assert!(count >= 20, "{:?} has {count}", depth);
            assert!(!depth.label().is_empty());
        }
    }

    #[test]
    fn by_id_finds_each_question_and_nothing_else() {
        for q in QUESTIONS {
            assert_eq!(by_id(q.id), Some(q));
        }
        assert_eq!(by_id("no-such-question"), None);
        assert_eq!(by_id(""), None);
    }

    #[test]
    fn consecutive_days_visit_every_question_once() {
        let starts = [0, 1, 19_000, 20_123, -1, -n(), -100_000, i64::MIN, i64::MAX - n() + 1];
        for &couple in SEEDS {
            for start in starts {
                let seen: HashSet<&str> = (0..n()).map(|k| for_day(start + k, couple).id).collect();
                assert_eq!(seen.len(), QUESTIONS.len(), "couple {couple}, from day {start}");
            }
        }
    }

    #[test]
    fn the_deck_repeats_only_after_a_full_round() {
        for &couple in SEEDS {
            for day in -300..300 {
                assert_eq!(for_day(day, couple), for_day(day + n(), couple));
            }
        }
    }

    #[test]
    fn the_same_day_and_couple_give_the_same_question() {
        for &couple in SEEDS {
            for day in [-5, 0, 20_000, i64::MIN, i64::MAX] {
                assert_eq!(for_day(day, couple).id, for_day(day, couple).id);
            }
        }
    }

    #[test]
    fn different_couples_get_different_orders() {
        for pair in SEEDS.windows(2) {
            let differs = (0..n()).any(|day| for_day(day, pair[0]).id != for_day(day, pair[1]).id);
            assert!(differs, "{:?}", pair);
        }
    }

    #[test]
    fn consecutive_days_do_not_keep_to_one_depth() {
        for &couple in SEEDS {
            let depths: HashSet<Depth> = (0..7).map(|day| for_day(day, couple).depth).collect();
            assert!(depths.len() >= 2, "couple {couple}");
        }
    }
}
