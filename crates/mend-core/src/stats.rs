//! Figures drawn from the records: keep-rates and check-in series. Nothing here resets or
//! punishes: a missed promise lowers a rate over a window and then ages out of it.

use crate::ids::{PartnerId, Timestamp};
use crate::records::{CheckIn, CheckInKind, Outcome};
use crate::view::View;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct KeepRate {
    pub days: u32,
    pub kept: u32,
    pub missed: u32,
    /// Renegotiating in time is part of keeping one's word: counted, but not as a miss.
    pub renegotiated: u32,
}

impl KeepRate {
    /// Kept out of kept + missed, as a fraction; None when nothing was settled in the window.
    pub fn rate(&self) -> Option<f64> {
        let n = self.kept + self.missed;
        (n > 0).then(|| f64::from(self.kept) / f64::from(n))
    }
}

/// The keep-rate windows every front end and export shows, in days.
pub const KEEP_RATE_WINDOWS: [u32; 3] = [7, 30, 90];

/// The promiser's keep-rates over each of [`KEEP_RATE_WINDOWS`], in that order.
pub fn keep_rates(view: &View, partner: &PartnerId, now: Timestamp) -> [KeepRate; 3] {
    KEEP_RATE_WINDOWS.map(|d| keep_rate(view, partner, d, now))
}

/// The promiser's keep-rate over the last `days` days, by when each occurrence was marked.
pub fn keep_rate(view: &View, partner: &PartnerId, days: u32, now: Timestamp) -> KeepRate {
    let since = now.plus_ms(-i64::from(days) * Timestamp::DAY);
    let mut r = KeepRate { days, kept: 0, missed: 0, renegotiated: 0 };
    for p in view.promises.values().filter(|p| &p.promiser == partner) {
        for o in p.occurrences.iter().filter(|o| o.marked_at > since && o.marked_at <= now) {
            match o.outcome {
                Outcome::Kept => r.kept += 1,
                Outcome::Missed => r.missed += 1,
                Outcome::Renegotiated => r.renegotiated += 1,
            }
        }
    }
    r
}

/// One partner's check-ins of one kind, oldest first, for trend charts.
pub fn checkin_series<'a>(view: &'a View, partner: &'a PartnerId, kind: CheckInKind) -> impl Iterator<Item = &'a CheckIn> + 'a {
    // Keys are UUIDv7, so key order is creation order; sort by time anyway for merged data.
    let mut v: Vec<&CheckIn> = view.checkins.values().filter(|c| &c.author == partner && c.kind == kind).collect();
    v.sort_by_key(|c| c.at);
    v.into_iter()
}
