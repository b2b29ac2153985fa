//! A starter list for time together: small, mostly free things that give two people easy company
//! without asking them to talk about anything hard.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Idea {
    /// Stored in shared documents when a couple picks or plans an idea, so it never changes once written.
    pub id: &'static str,
    pub text: &'static str,
}

const fn idea(id: &'static str, text: &'static str) -> Idea {
    Idea { id, text }
}

/// Read as a list to pick from, so each is a short phrase without a closing full stop.
pub const IDEAS: &[Idea] = &[
    idea("walk-no-phones", "A walk with no phones"),
    idea("cook-new-meal", "Cook a meal neither of us has made before"),
    idea("tech-free-evening", "A tech-free evening"),
    idea("indoor-picnic", "A picnic, even if it's on the living room floor"),
    idea("watch-sunrise", "Get up early and watch the sunrise together"),
    idea("stargazing", "Lie outside on a clear night and look at the stars"),
    idea("board-game", "Play a board game or a card game"),
    idea("new-cafe", "Try a café neither of us has been to"),
    idea("museum-wander", "Wander round a museum or gallery at our own pace"),
    idea("bake-together", "Bake something together, mess allowed"),
    idea("old-photos", "Look through old photos and share the stories behind them"),
    idea("read-aloud", "Read aloud to each other for half an hour"),
    idea("swap-playlists", "Make a playlist for each other"),
    idea("bookshop-pick", "Browse a bookshop and choose a book for each other"),
    idea("plant-something", "Plant something we can look after together"),
    idea("bike-ride", "A bike ride with no set route"),
    idea("local-tourists", "Be tourists in our own town for an afternoon"),
    idea("swim", "Go for a swim together"),
    idea("market-treat", "Browse a local market and pick one treat each"),
    idea("slow-breakfast", "A slow breakfast, eaten somewhere new"),
    idea("film-night", "A film night with blankets and homemade popcorn"),
    idea("dance-steps", "Learn a few dance steps from a video"),
    idea("class-together", "Take a class together, like pottery or cooking"),
    idea("volunteer", "Volunteer together for a few hours"),
    idea("letters-for-later", "Write each other a short letter to open later"),
    idea("jigsaw", "Do a jigsaw puzzle together"),
    idea("sunset-view", "Catch the sunset somewhere with a view"),
    idea("day-trip", "A day trip to a place neither of us knows"),
    idea("candlelit-dinner", "A candlelit dinner at home"),
    idea("tea-tasting", "Try a few new teas or coffees and pick a favourite"),
    idea("green-walk", "A walk somewhere green, pointing out what we notice"),
    idea("tidy-with-music", "Sort out one corner of our home together, with music on"),
    idea("childhood-film", "Share a favourite film from when we were young"),
    idea("draw-side-by-side", "Draw or paint side by side, no skill needed"),
    idea("sing-along", "Sing along to songs we both know, badly is fine"),
    idea("home-spa", "A home spa evening: a warm bath, candles and quiet"),
    idea("quiet-reading", "Sit together quietly for an hour, each with a book"),
    idea("three-good-things", "Share three things we appreciated about today"),
    idea("childhood-dish", "Cook a dish one of us grew up with"),
    idea("dream-trip-plan", "Plan a dream trip, just for fun"),
    idea("gentle-stretch", "Follow a gentle stretching video together"),
    idea("rainy-afternoon-in", "A cosy afternoon in while it rains outside"),
    idea("photo-walk", "A photo walk, then show each other our favourite shots"),
    idea("fly-a-kite", "Fly a kite in the park"),
    idea("pick-fruit", "Pick fruit at a farm when it's in season"),
    idea("free-local-event", "Go to a free local talk, concert or event"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_list_is_long_enough() {
        assert!(IDEAS.len() >= 30, "{} ideas", IDEAS.len());
    }

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for idea in IDEAS {
            assert!(!idea.id.is_empty() && idea.id.len() <= 40, "{}", idea.id);
            assert!(idea.id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'), "{}", idea.id);
            assert!(!idea.id.starts_with('-') && !idea.id.ends_with('-'), "{}", idea.id);
            assert!(seen.insert(idea.id), "duplicate id {}", idea.id);
        }
    }

    #[test]
    fn texts_are_short_phrases() {
        let mut seen = HashSet::new();
        for idea in IDEAS {
            assert!(!idea.text.trim().is_empty(), "{}", idea.id);
            assert!(idea.text.chars().count() <= 80, "{}", idea.id);
            assert!(!idea.text.ends_with('.'), "{}", idea.id);
            assert_eq!(idea.text.trim(), idea.text, "{}", idea.id);
            assert!(!idea.text.contains("  "), "{}", idea.id);
            assert!(seen.insert(idea.text), "duplicate text {}", idea.id);
        }
    }
}
