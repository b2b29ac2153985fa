//! The wall clock, read in one place: invitations expire and peers are stamped with it.

pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

pub fn now_secs() -> u64 {
    (now_ms() / 1000).max(0) as u64
}
