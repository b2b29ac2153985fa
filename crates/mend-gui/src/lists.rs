//! What the screens list, worked out on the backend thread once per change of the shared
//! space (and once a minute, for what depends on the clock: due today, up for review, the
//! keep-rate windows), never per frame. Filtering ten years of records in a frame cost up to
//! 47 ms; a frame now only looks up the rows it draws.

use mend_engine::core::queries;
use mend_engine::core::stats::{self, KeepRate};
use mend_engine::core::{Actor, CheckIn, CheckInKind, PartnerId, RecordId, Timestamp, View, Waiting, WaitingKind};

/// The keep-rate windows the Promises screen offers, in days: the same as every export's.
pub const WINDOWS: [u32; 3] = stats::KEEP_RATE_WINDOWS;

/// At most this many points per line in a trend chart: ten years of daily check-ins are
/// averaged in runs, so the chart keeps its shape and costs the same to draw at any age.
pub const TREND_POINTS: usize = 120;

pub use mend_engine::core::AgreementGroup;

/// One partner's ratings of one kind of check-in, ready to plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub partner: PartnerId,
    pub kind: CheckInKind,
    pub count: usize,
    /// connection, trust, heard: `[check-in number, rating]`, averaged in runs.
    pub lines: [Vec<[f64; 2]>; 3],
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lists {
    /// The clock these lists were worked out at (None before the first listing).
    pub at: Option<Timestamp>,
    /// Open promises due by the end of today (overdue ones too), soonest first.
    pub due_today: Vec<RecordId>,
    pub newest_thanks_from_partner: Option<RecordId>,
    pub checkins_today: Vec<RecordId>,
    /// Every agreement, in the group it belongs to now; empty groups are left out.
    pub agreements: Vec<(AgreementGroup, Vec<RecordId>)>,
    /// My open promises, soonest due first.
    pub my_open_promises: Vec<RecordId>,
    /// My partner's promises: those with an outcome to acknowledge, then open ones (soonest
    /// due first), then settled ones (newest first).
    pub partner_promises: Vec<RecordId>,
    /// Each partner's name and keep-rates over [`WINDOWS`].
    pub keep_rates: Vec<(String, [KeepRate; 3])>,
    /// What a note of thanks can be about: open promises and live agreements, with a label.
    pub thanks_about: Vec<(RecordId, String)>,
    pub gratitude_newest_first: Vec<RecordId>,
    pub checkins_newest_first: Vec<RecordId>,
    pub trends: Vec<Trend>,
    /// Repairs still without an answer from me first, then the rest, newest first.
    pub repairs: Vec<RecordId>,
    /// What waits for me, each with its sentence ("Sam shared a repair with you").
    pub waiting: Vec<(Waiting, String)>,
    /// What a device did that Mend did not count, in words (`mend_engine::doubts`).
    pub noticed: Vec<mend_engine::doubts::Noticed>,
}

impl Lists {
    /// `thanks_seen`: notes of thanks after it are new ([`mend_engine::Engine::thanks_seen`]).
    pub fn new(v: &View, me: &Actor, clock: &mend_engine::when::Clock, thanks_seen: Timestamp) -> Lists {
        let (now, end_of_today) = (clock.now(), clock.end_of_today());
        let mine = &me.partner;
        let waiting = mend_engine::core::waiting_for(v, mine, now, thanks_seen)
            .into_iter()
            .map(|w| {
                let said = mend_engine::waiting::sentence_in(v, &w, now, clock.tz());
                (w, said)
            })
            .collect();
        let due_today = queries::due_by(v, end_of_today);
        let start_of_today = end_of_today.plus_ms(-Timestamp::DAY);
        let agreements = queries::agreement_groups(v, mine, now);

        let soonest = |p: &&mend_engine::core::Promise| (p.next_due.is_none(), p.next_due);
        let mut my_open: Vec<_> = v.promises.values().filter(|p| &p.promiser == mine && p.open).collect();
        my_open.sort_by_key(soonest);
        let theirs = v.promises.values().filter(|p| &p.promiser != mine);
        let (to_ack, rest): (Vec<_>, Vec<_>) = theirs.partition(|p| p.unacknowledged().is_some());
        let (mut open, mut settled): (Vec<_>, Vec<_>) = rest.into_iter().partition(|p| p.open);
        open.sort_by_key(soonest);
        settled.reverse();

        let keep_rates = v.partners.values().map(|p| (p.name.clone(), stats::keep_rates(v, &p.id, now))).collect();

        let mut thanks_about: Vec<(RecordId, String)> =
            v.promises.values().filter(|p| p.open).map(|p| (p.id.clone(), format!("Promise: {}", crate::widgets::short(&p.text)))).collect();
        thanks_about.extend(
            v.agreements
                .values()
                .filter(|a| !a.archived)
                .filter_map(|a| a.current().map(|r| (a.id.clone(), format!("Agreement: {}", crate::widgets::short(&r.text))))),
        );

        let mut trends = vec![];
        for p in v.partners.values() {
            for kind in [CheckInKind::Daily, CheckInKind::Weekly] {
                let series: Vec<&CheckIn> = stats::checkin_series(v, &p.id, kind).collect();
                if !series.is_empty() {
                    trends.push(Trend { partner: p.id.clone(), kind, count: series.len(), lines: trend_lines(&series) });
                }
            }
        }

        let (mut unanswered, mut answered): (Vec<_>, Vec<_>) = v.repairs.values().rev().partition(|r| &r.author != mine && r.answer.is_none());
        unanswered.append(&mut answered);

        Lists {
            at: Some(now),
            due_today: due_today.iter().map(|p| p.id.clone()).collect(),
            newest_thanks_from_partner: v.gratitude.values().rev().find(|g| &g.author != mine).map(|g| g.id.clone()),
            checkins_today: v.checkins.values().filter(|c| c.at > start_of_today && c.at <= end_of_today).map(|c| c.id.clone()).collect(),
            agreements,
            my_open_promises: my_open.iter().map(|p| p.id.clone()).collect(),
            partner_promises: to_ack.iter().chain(open.iter()).chain(settled.iter()).map(|p| p.id.clone()).collect(),
            keep_rates,
            thanks_about,
            gratitude_newest_first: v.gratitude.keys().rev().cloned().collect(),
            checkins_newest_first: v.checkins.keys().rev().cloned().collect(),
            trends,
            repairs: unanswered.iter().map(|r| r.id.clone()).collect(),
            waiting,
            noticed: mend_engine::doubts::noticed(v),
        }
    }

    /// How many things of these kinds wait for me (the sidebar's calm counts).
    pub fn waiting_count(&self, kinds: &[WaitingKind]) -> usize {
        self.waiting.iter().filter(|(w, _)| kinds.contains(&w.kind)).count()
    }
}

/// The three rating lines of a series, averaged over runs of consecutive check-ins so that
/// no line has more than [`TREND_POINTS`] points. Each point sits at the run's last check-in.
fn trend_lines(series: &[&CheckIn]) -> [Vec<[f64; 2]>; 3] {
    let run = series.len().div_ceil(TREND_POINTS).max(1);
    let mut lines: [Vec<[f64; 2]>; 3] = Default::default();
    for (i, chunk) in series.chunks(run).enumerate() {
        let x = (i * run + chunk.len()) as f64;
        let mean = |pick: fn(&CheckIn) -> u8| chunk.iter().map(|c| f64::from(pick(c))).sum::<f64>() / chunk.len() as f64;
        lines[0].push([x, mean(|c| c.connection)]);
        lines[1].push([x, mean(|c| c.trust)]);
        lines[2].push([x, mean(|c| c.heard)]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkin(i: u8) -> CheckIn {
        CheckIn {
            id: RecordId::from_key(&format!("c{i}")),
            kind: CheckInKind::Daily,
            prompt: None,
            connection: 1 + i % 5,
            trust: 5,
            heard: 1,
            note: None,
            author: PartnerId::from_key("ana"),
            at: Timestamp(i64::from(i)),
        }
    }

    #[test]
    fn a_short_series_is_drawn_point_by_point() {
        let cs: Vec<CheckIn> = (0..5).map(checkin).collect();
        let refs: Vec<&CheckIn> = cs.iter().collect();
        let [conn, trust, heard] = trend_lines(&refs);
        assert_eq!(conn, vec![[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0], [5.0, 5.0]]);
        assert!(trust.iter().all(|p| p[1] == 5.0) && heard.iter().all(|p| p[1] == 1.0));
    }

    #[test]
    fn a_long_series_is_averaged_to_at_most_the_point_budget() {
        let cs: Vec<CheckIn> = (0..250).map(|i| checkin(i as u8)).collect();
        let refs: Vec<&CheckIn> = cs.iter().collect();
        let [conn, ..] = trend_lines(&refs);
        assert!(conn.len() <= TREND_POINTS, "{} points", conn.len());
        // Runs of 3: the first averages ratings 1, 2, 3, and the last point is the last check-in.
        assert_eq!(conn[0], [3.0, 2.0]);
        assert_eq!(conn.last().map(|p| p[0]), Some(250.0));
    }
}
