//! Times as people type and read them, in the device's time zone.

use crate::error::EngineError;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use mend_core::Timestamp;

pub fn now() -> Timestamp {
    Timestamp(jiff::Timestamp::now().as_millisecond())
}

/// What time it is, and the clock face it is read on. A front end keeps one and asks it
/// instead of the system, so that a test can fix both (the window's snapshots would
/// otherwise change with every minute and with the time zone of the machine they run on).
#[derive(Clone)]
pub struct Clock {
    now: std::sync::Arc<dyn Fn() -> Timestamp + Send + Sync>,
    tz: TimeZone,
}

impl Clock {
    /// The computer's own clock and time zone.
    pub fn system() -> Clock {
        Clock { now: std::sync::Arc::new(now), tz: TimeZone::system() }
    }

    /// `now` read in `tz` (a test that moves its own time along).
    pub fn new(now: impl Fn() -> Timestamp + Send + Sync + 'static, tz: TimeZone) -> Clock {
        Clock { now: std::sync::Arc::new(now), tz }
    }

    /// Always `at`, read in `tz`.
    pub fn fixed(at: Timestamp, tz: TimeZone) -> Clock {
        Clock { now: std::sync::Arc::new(move || at), tz }
    }

    pub fn now(&self) -> Timestamp {
        (self.now)()
    }

    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// Like [`format`], on this clock's face.
    pub fn format(&self, t: Timestamp) -> String {
        format_in(t, &self.tz)
    }

    /// Like [`near`], from this clock's now.
    pub fn near(&self, t: Timestamp) -> String {
        near_in(t, self.now(), &self.tz)
    }

    /// Like [`parse`], from this clock's now.
    pub fn parse(&self, input: &str) -> Result<Timestamp, EngineError> {
        parse_in(input, self.now(), &self.tz)
    }

    /// The last millisecond of today on this clock's face.
    pub fn end_of_today(&self) -> Timestamp {
        let now = self.now();
        let midnight = jiff::Timestamp::from_millisecond(now.0)
            .ok()
            .map(|t| t.to_zoned_datetime(self.tz.clone()))
            .and_then(|z| z.date().tomorrow().ok())
            .and_then(|d| d.to_datetime(Time::MIN).to_zoned_datetime(self.tz.clone()).ok());
        midnight.map(|z| Timestamp(z.timestamp().as_millisecond() - 1)).unwrap_or(now.plus_ms(Timestamp::DAY))
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock").field("now", &self.now()).field("tz", &self.tz.iana_name()).finish()
    }
}

/// Accepts `18:30` (the next 18:30), `2026-12-01 18:30`, `2026-12-01` (end of that day),
/// `+45m` / `+2h` / `+3d` (from now), and RFC 3339 (`2026-12-01T18:30:00Z`).
pub fn parse(input: &str, now: Timestamp) -> Result<Timestamp, EngineError> {
    parse_in(input, now, &TimeZone::system())
}

pub fn parse_in(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, EngineError> {
    let t = parse_any(input, now, tz)?;
    // The core refuses these too; saying so here names what the person typed.
    mend_core::validate::time("the time", t).map_err(|_| out_of_range(input))
}

fn out_of_range(input: &str) -> EngineError {
    EngineError::TimeOutOfRange { given: input.to_owned() }
}

fn parse_any(input: &str, now: Timestamp, tz: &TimeZone) -> Result<Timestamp, EngineError> {
    let s = input.trim();
    let bad = || EngineError::BadTime { given: input.to_owned() };
    if let Some(rel) = s.strip_prefix('+') {
        let (num, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit()).unwrap_or(rel.len()));
        let ms = match unit {
            "m" | "min" => Timestamp::MINUTE,
            "h" => Timestamp::HOUR,
            "d" => Timestamp::DAY,
            _ => return Err(bad()),
        };
        if num.is_empty() {
            return Err(bad());
        }
        // Only digits are left, so a number that does not parse is one too large for any date.
        let n: i64 = num.parse().map_err(|_| out_of_range(input))?;
        return n.checked_mul(ms).and_then(|d| now.0.checked_add(d)).map(Timestamp).ok_or_else(|| out_of_range(input));
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

/// A time near `now`, as briefly as it stays clear: "20:30" today, "tomorrow 08:00",
/// "Tue 24 Nov 18:30" this year, the full date otherwise.
/// Minutes since midnight on this device's clock face, for quiet hours.
pub fn minute_of_day(t: Timestamp) -> u16 {
    minute_of_day_in(t, &TimeZone::system())
}

pub fn minute_of_day_in(t: Timestamp, tz: &TimeZone) -> u16 {
    let Ok(ts) = jiff::Timestamp::from_millisecond(t.0) else { return 0 };
    let z = ts.to_zoned_datetime(tz.clone());
    // Both are small and non-negative: hour < 24, minute < 60.
    (z.hour() as u16) * 60 + z.minute() as u16
}

pub fn near(t: Timestamp, now: Timestamp) -> String {
    near_in(t, now, &TimeZone::system())
}

pub fn near_in(t: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let (Ok(t_z), Ok(now_z)) = (jiff::Timestamp::from_millisecond(t.0), jiff::Timestamp::from_millisecond(now.0)) else {
        return format_in(t, tz);
    };
    let (t_z, now_z) = (t_z.to_zoned_datetime(tz.clone()), now_z.to_zoned_datetime(tz.clone()));
    if t_z.date() == now_z.date() {
        t_z.strftime("%H:%M").to_string()
    } else if now_z.date().tomorrow().is_ok_and(|d| d == t_z.date()) {
        t_z.strftime("tomorrow %H:%M").to_string()
    } else if t_z.year() == now_z.year() {
        t_z.strftime("%a %-d %b %H:%M").to_string()
    } else {
        format_in(t, tz)
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
    fn the_minute_of_the_day_is_read_on_the_clock_face() {
        assert_eq!(minute_of_day_in(NOON, &utc()), 12 * 60);
        assert_eq!(minute_of_day_in(NOON.plus_ms(90 * Timestamp::MINUTE), &utc()), 13 * 60 + 30);
        let paris = TimeZone::get("Europe/Paris").unwrap_or(TimeZone::fixed(jiff::tz::offset(1)));
        assert_eq!(minute_of_day_in(NOON, &paris), 13 * 60);
    }

    #[test]
    fn a_fixed_clock_reads_its_own_time_zone() {
        let c = Clock::fixed(NOON, utc());
        assert_eq!(c.now(), NOON);
        assert_eq!(c.format(NOON), "Tue 24 Nov 2026 12:00");
        assert_eq!(c.near(NOON.plus_ms(2 * Timestamp::HOUR)), "14:00");
        assert_eq!(c.parse("+45m").map(|t| c.format(t)).ok().as_deref(), Some("Tue 24 Nov 2026 12:45"));
        assert_eq!(c.format(c.end_of_today()), "Tue 24 Nov 2026 23:59");
        assert_eq!(c.end_of_today().0 % Timestamp::DAY, Timestamp::DAY - 1);
        let tokyo = Clock::fixed(NOON, TimeZone::fixed(jiff::tz::offset(9)));
        assert_eq!(tokyo.format(NOON), "Tue 24 Nov 2026 21:00");
    }

    #[test]
    fn near_times_say_no_more_than_they_must() {
        let n = |ms: i64| near_in(NOON.plus_ms(ms), NOON, &utc());
        assert_eq!(n(8 * Timestamp::HOUR + 30 * Timestamp::MINUTE), "20:30");
        assert_eq!(n(20 * Timestamp::HOUR), "tomorrow 08:00");
        assert_eq!(n(3 * Timestamp::DAY), "Fri 27 Nov 12:00");
        assert_eq!(n(60 * Timestamp::DAY), "Sat 23 Jan 2027 12:00");
    }

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
        for s in ["", "tomorrowish", "+", "+d", "+5y", "25:99", "2026-13-01"] {
            let e = parse_in(s, NOON, &utc()).unwrap_err();
            assert!(e.to_string().contains("not a time Mend understands"), "{s}: {e}");
        }
    }

    #[test]
    fn times_beyond_1970_to_2200_are_refused_with_the_range() {
        for s in ["+99999999999d", "+99999999999999999999999d", "+9999999999999h", "1969-12-31", "2200-01-02", "9999-01-01T00:00:00Z", "+73000d"] {
            let e = parse_in(s, NOON, &utc()).unwrap_err();
            assert!(matches!(e, EngineError::TimeOutOfRange { .. }), "{s}: {e}");
            assert!(e.to_string().contains("between 1 January 1970 and 1 January 2200"), "{s}: {e}");
        }
        assert!(parse_in("2199-12-31", NOON, &utc()).is_ok());
        assert!(parse_in("1970-01-02", NOON, &utc()).is_ok());
    }
}
