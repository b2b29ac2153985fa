//! Times as people type and read them, in the device's time zone.

use crate::error::EngineError;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use mend_core::Timestamp;

pub fn now() -> Timestamp {
    Timestamp(jiff::Timestamp::now().as_millisecond())
}

/// Accepts `18:30` (the next 18:30), `2026-12-01 18:30`, `2026-12-01` (end of that day),
/// `+45m` / `+2h` / `+3d` (from now), and RFC 3339 (`2026-12-01T18:30:00Z`).
pub fn parse(input: &str, now: Timestamp) -> Result<Timestamp, EngineError> {
    parse_in(input, now, &TimeZone::system())
}

pub fn parse_in(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, EngineError> {
    let s = input.trim();
    let bad = || EngineError::BadTime { given: input.to_owned() };
    if let Some(rel) = s.strip_prefix('+') {
        let (num, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len()));
        let n: i64 = num.parse().map_err(|_| bad())?;
        let ms = match unit {
            "m" | "min" => Timestamp::MINUTE,
            "h" => Timestamp::HOUR,
            "d" => Timestamp::DAY,
            _ => return Err(bad()),
        };
        return n.checked_mul(ms).map(|d| now.plus_ms(d)).ok_or_else(bad);
    }
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Ok(Timestamp(t.as_millisecond()));
    }
    let to_ts = |dt: DateTime| dt.to_zoned_datetime(tz.clone()).map(|z| Timestamp(z.timestamp().as_millisecond())).map_err(|_| bad());
    if let Ok(dt) = s.replacen(' ', "T", 1).parse::<DateTime>()
        && s.len() > 10
    {
        return to_ts(dt);
    }
    if let Ok(d) = s.parse::<Date>() {
        return to_ts(d.to_datetime(Time::new(23, 59, 0, 0).map_err(|_| bad())?));
    }
    if let Ok(t) = s.parse::<Time>() {
        let now_z = jiff::Timestamp::from_millisecond(now.0).map_err(|_| bad())?.to_zoned_datetime(tz.clone());
        let today = to_ts(now_z.date().to_datetime(t))?;
        return Ok(if today > now { today } else { to_ts(now_z.date().tomorrow().map_err(|_| bad())?.to_datetime(t))? });
    }
    Err(bad())
}

/// "Tue 24 Nov 2026 18:30", in the device's time zone.
pub fn format(t: Timestamp) -> String {
    format_in(t, &TimeZone::system())
}

pub fn format_in(t: Timestamp, tz: &TimeZone) -> String {
    match jiff::Timestamp::from_millisecond(t.0) {
        Ok(ts) => ts.to_zoned_datetime(tz.clone()).strftime("%a %-d %b %Y %H:%M").to_string(),
        Err(_) => format!("{} ms", t.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> TimeZone {
        TimeZone::UTC
    }
    // 2026-11-24T12:00:00Z
    const NOON: Timestamp = Timestamp(1_795_521_600_000);

    #[test]
    fn forms_people_type() {
        let p = |s| parse_in(s, NOON, &utc()).map(|t| format_in(t, &utc()));
        assert_eq!(p("18:30").unwrap(), "Tue 24 Nov 2026 18:30");
        assert_eq!(p("09:00").unwrap(), "Wed 25 Nov 2026 09:00", "a time already past means tomorrow");
        assert_eq!(p("2026-12-01 18:30").unwrap(), "Tue 1 Dec 2026 18:30");
        assert_eq!(p("2026-12-01").unwrap(), "Tue 1 Dec 2026 23:59");
        assert_eq!(p("+45m").unwrap(), "Tue 24 Nov 2026 12:45");
        assert_eq!(p("+3d").unwrap(), "Fri 27 Nov 2026 12:00");
        assert_eq!(p("2026-12-01T18:30:00Z").unwrap(), "Tue 1 Dec 2026 18:30");
    }

    #[test]
    fn nonsense_is_a_clear_error() {
        for s in ["", "tomorrowish", "+", "+5y", "25:99", "2026-13-01", "+99999999999999d"] {
            let e = parse_in(s, NOON, &utc()).unwrap_err();
            assert!(e.to_string().contains("not a time Mend understands"), "{s}: {e}");
        }
    }
}
