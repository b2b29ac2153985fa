//! The question of the day, with answers sealed until both have answered.
//!
//! Each answer is sealed on the device that wrote it (XChaCha20-Poly1305, the journal's
//! reviewed primitive) under a fresh key that only that device keeps, in
//! `answer-keys.json` next to its key. Only the sealed bytes go into the shared document, so
//! the partner's devices, the wire and every copy of the space hold no word of it. Once the
//! other partner's answer to the same question is in the space, the answering device
//! publishes its key there ([`mend_core::Action::OpenAnswer`]) and both read both.
//!
//! What it does not hide, and from whom: that an answer exists, when, and roughly how long
//! it is (padded to 256 bytes). If the answering device is away (a laptop closed), its
//! answer stays sealed until that device is back: no other device holds the key. A partner
//! running a changed Mend could publish a pretend answer to make the other device open
//! theirs; it cannot read an answer before something of its own is in the space.

use mend_core::decks::questions::{self, Question};
use mend_core::{PartnerId, QuestionAnswer, RecordId, Timestamp, View, answer_key};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a device keeps the keys of its own sealed answers (hex, by answer id).
pub const KEYS_FILE: &str = "answer-keys.json";
/// Sealed answers are padded to a multiple of this, so their length tells little.
const PAD: usize = 256;

/// The local date, as the question of the day is keyed: `YYYY-MM-DD`.
pub fn day_of(t: Timestamp) -> String {
    day_in(t, &jiff::tz::TimeZone::system())
}

pub fn day_in(t: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(t.0) {
        Ok(ts) => ts.to_zoned_datetime(tz.clone()).date().to_string(),
        Err(_) => "1970-01-01".to_owned(),
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` day.
fn day_number(day: &str) -> i64 {
    let Ok(d) = day.parse::<jiff::civil::Date>() else { return 0 };
    // Days from civil (Howard Hinnant's algorithm): exact for every date jiff reads.
    let (y, m, dd) = (i64::from(d.year()), i64::from(d.month()), i64::from(d.day()));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + dd - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A seed from both partners' ids (FNV-1a over them, sorted): the same on both devices.
pub fn couple_seed(v: &View) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for id in v.partner_ids() {
        for b in id.as_str().bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The couple's question on `day`.
pub fn question_on(v: &View, day: &str) -> &'static Question {
    questions::for_day(day_number(day), couple_seed(v))
}

/// How one answer reads on this device.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "text")]
pub enum Shown {
    /// Both answered and the key is out: the words.
    Open(String),
    /// This device's own answer, not yet opened to the partner: only this device reads it.
    MineSealed(String),
    /// Sealed: the partner has not opened it yet (or it is yours, written on another device).
    Sealed,
    /// A key was published but does not open the answer (a changed Mend wrote it).
    Unreadable,
}

/// One question and what each partner answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Asked {
    pub day: String,
    pub question: String,
    pub text: String,
    pub depth: &'static str,
    pub mine: Option<(Timestamp, Shown)>,
    pub theirs: Option<(Timestamp, Shown)>,
}

/// The keys this device holds for its own answers.
#[derive(Debug, Default)]
pub struct Keys {
    path: PathBuf,
    keys: BTreeMap<String, String>,
}

impl Keys {
    /// Reads the keys file; a missing one holds nothing. A damaged one is kept aside and
    /// read as empty: its answers stay sealed, nothing else is touched.
    pub fn load(profile: &Path) -> Keys {
        let path = profile.join(KEYS_FILE);
        let keys = match std::fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the keys of sealed answers did not read; kept aside, those answers stay sealed");
                if let Err(e) = mend_fs::keep_bytes_aside(profile, KEYS_FILE, &b) {
                    tracing::warn!(error = %e, "could not keep the damaged keys file aside");
                }
                BTreeMap::new()
            }),
            Err(_) => BTreeMap::new(),
        };
        Keys { path, keys }
    }

    pub fn get(&self, id: &str) -> Option<[u8; 32]> {
        let v = hex::decode(self.keys.get(id)?).ok()?;
        <[u8; 32]>::try_from(v.as_slice()).ok()
    }

    /// Adds a key and writes the file, fsynced, before the answer it opens is saved: a
    /// crash then never leaves an answer that nobody can open.
    pub fn add(&mut self, id: &str, key: &[u8; 32]) -> Result<(), mend_fs::FsError> {
        self.keys.insert(id.to_owned(), hex::encode(key));
        let bytes = serde_json::to_vec_pretty(&self.keys).unwrap_or_default();
        mend_fs::atomic_write(&self.path, &bytes)
    }
}

/// A new random key.
pub fn new_key() -> [u8; 32] {
    rand::random()
}

/// `text` sealed under `key`, bound to the answer's id (a sealed answer moved to another
/// question or partner does not open).
pub fn seal(key: &[u8; 32], id: &str, text: &str) -> Result<Vec<u8>, mend_journal::JournalError> {
    let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
    let mut plain = zeroize::Zeroizing::new(Vec::with_capacity(text.len() + 4 + PAD));
    plain.extend_from_slice(&len.to_le_bytes());
    plain.extend_from_slice(text.as_bytes());
    let padded = plain.len().div_ceil(PAD) * PAD;
    plain.resize(padded, 0);
    mend_journal::sealing::seal(&zeroize::Zeroizing::new(*key), id.as_bytes(), &plain)
}

/// The words of a sealed answer, or None if `key` does not open it.
pub fn open(key: &[u8], id: &str, sealed: &[u8]) -> Option<String> {
    let key = zeroize::Zeroizing::new(<[u8; 32]>::try_from(key).ok()?);
    let plain = mend_journal::sealing::open(&key, id.as_bytes(), sealed)?;
    let len = u32::from_le_bytes(plain.get(..4)?.try_into().ok()?) as usize;
    String::from_utf8(plain.get(4..4 + len)?.to_vec()).ok()
}

/// How `a` reads on this device.
pub fn shown(a: &QuestionAnswer, me: &PartnerId, keys: &Keys) -> Shown {
    let id = a.id.as_str();
    match &a.key {
        Some(k) => open(k, id, &a.sealed).map(Shown::Open).unwrap_or(Shown::Unreadable),
        None if &a.partner == me => keys.get(id).and_then(|k| open(&k, id, &a.sealed)).map(Shown::MineSealed).unwrap_or(Shown::Sealed),
        None => Shown::Sealed,
    }
}

/// What was asked on `day` and what each answered.
pub fn asked(v: &View, me: &PartnerId, keys: &Keys, day: &str, question: &'static Question) -> Asked {
    let mut mine = None;
    let mut theirs = None;
    for a in v.answers_to(day, question.id) {
        let s = Some((a.at, shown(a, me, keys)));
        if &a.partner == me { mine = s } else { theirs = s }
    }
    Asked { day: day.to_owned(), question: question.id.to_owned(), text: question.text.to_owned(), depth: question.depth.label(), mine, theirs }
}

/// The questions either of them answered, newest first, at most `limit`: grouped in one
/// pass, so ten years of daily answers cost one walk, not one per day.
pub fn all_asked(v: &View, me: &PartnerId, keys: &Keys, limit: usize) -> Vec<Asked> {
    type Pair<'a> = (Option<&'a QuestionAnswer>, Option<&'a QuestionAnswer>);
    let mut days: BTreeMap<(&str, &str), Pair> = BTreeMap::new();
    for a in v.answers.values() {
        let e = days.entry((a.day.as_str(), a.question.as_str())).or_default();
        if &a.partner == me { e.0 = Some(a) } else { e.1 = Some(a) }
    }
    days.into_iter()
        .rev()
        .filter_map(|((day, q), (mine, theirs))| {
            let q = questions::by_id(q)?;
            let show = |a: Option<&QuestionAnswer>| a.map(|a| (a.at, shown(a, me, keys)));
            Some(Asked {
                day: day.to_owned(),
                question: q.id.to_owned(),
                text: q.text.to_owned(),
                depth: q.depth.label(),
                mine: show(mine),
                theirs: show(theirs),
            })
        })
        .take(limit)
        .collect()
}

/// This device's sealed answers whose partner answer is in the space: time to publish
/// their keys. Only answers whose key this device holds.
pub fn due_to_open(v: &View, me: &PartnerId, keys: &Keys) -> Vec<(RecordId, [u8; 32])> {
    let waiting: Vec<&QuestionAnswer> = v.answers.values().filter(|a| &a.partner == me && a.key.is_none()).collect();
    if waiting.is_empty() {
        return vec![];
    }
    let theirs: std::collections::HashSet<(&str, &str)> =
        v.answers.values().filter(|a| &a.partner != me).map(|a| (a.day.as_str(), a.question.as_str())).collect();
    waiting
        .into_iter()
        .filter(|a| theirs.contains(&(a.day.as_str(), a.question.as_str())))
        .filter_map(|a| keys.get(a.id.as_str()).map(|k| (a.id.clone(), k)))
        .collect()
}

/// The id an answer of `me` on `day` gets.
pub fn answer_id(day: &str, question: &str, me: &PartnerId) -> String {
    answer_key(day, question, me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_hides_words_and_length() {
        let key = new_key();
        let s = seal(&key, "2026-12-07~q~p", "the lake at dawn").unwrap();
        assert!(!s.windows(8).any(|w| w == b"the lake"));
        assert_eq!(open(&key, "2026-12-07~q~p", &s).as_deref(), Some("the lake at dawn"));
        assert_eq!(open(&key, "2026-12-07~q~other", &s), None, "moved to another answer");
        assert_eq!(open(&new_key(), "2026-12-07~q~p", &s), None);
        let short = seal(&key, "x", "a").unwrap();
        let longer = seal(&key, "x", &"a".repeat(200)).unwrap();
        assert_eq!(short.len(), longer.len(), "lengths within one pad look alike");
        assert_eq!(open(&key, "x", &[]), None);
    }

    #[test]
    fn the_day_number_follows_the_date() {
        assert_eq!(day_number("1970-01-01"), 0);
        assert_eq!(day_number("1970-01-02"), 1);
        assert_eq!(day_number("2000-03-01"), 11_017);
        assert_eq!(day_number("2026-12-07") - day_number("2026-12-06"), 1);
        assert_eq!(day_number("not a day"), 0);
    }
}
