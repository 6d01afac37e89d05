//! Snowflake ids made like Discord's: milliseconds since the Discord epoch, worker,
//! process and an increment, strictly increasing within one sim.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds from the Unix epoch to the Discord epoch (2015-01-01T00:00:00Z).
pub const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

/// Makes ids for everything the sim creates. Ids are unique and strictly increasing, and
/// their timestamp part is the creation time, so `created_at(id)` works as on Discord.
#[derive(Debug, Default)]
pub struct SnowflakeGenerator {
    last: AtomicU64,
}

impl SnowflakeGenerator {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new id for "now".
    pub fn next(&self) -> u64 {
        let candidate = from_unix_ms(now_unix_ms()) | (1 << 17) | (1 << 12);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let id = candidate.max(last + 1);
            match self
                .last
                .compare_exchange_weak(last, id, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return id,
                Err(seen) => last = seen,
            }
        }
    }
}

/// An id whose timestamp is a past moment (an account made back then), unique among
/// the ids `taken` says are in use. Worker 2 keeps it apart from [`SnowflakeGenerator`]'s
/// ids (worker 1).
pub fn backdated(unix_ms: u64, taken: impl Fn(u64) -> bool) -> u64 {
    let base = from_unix_ms(unix_ms) | (2 << 17);
    (0..(1 << 17))
        .map(|low| base | low)
        .find(|id| !taken(*id))
        .unwrap_or(base)
}

/// The first id of a given Unix millisecond (worker, process and increment zero).
pub fn from_unix_ms(unix_ms: u64) -> u64 {
    unix_ms.saturating_sub(DISCORD_EPOCH_MS) << 22
}

/// When an id was made, in Unix milliseconds.
pub fn unix_ms_of(id: u64) -> u64 {
    (id >> 22) + DISCORD_EPOCH_MS
}

pub fn now_unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// ISO 8601 timestamp (as Discord writes them) of a snowflake's creation time.
pub fn iso_timestamp_of(id: u64) -> String {
    iso_from_unix_ms(unix_ms_of(id))
}

pub fn iso_from_unix_ms(unix_ms: u64) -> String {
    chrono::DateTime::from_timestamp_millis(unix_ms as i64)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// An ISO 8601 time as Discord writes it back (UTC, microseconds, `+00:00`), or `None`
/// when it does not parse.
pub fn normalize_iso(text: &str) -> Option<String> {
    let parsed = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    Some(
        parsed
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%S%.6f+00:00")
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_carry_their_time() {
        let ids = SnowflakeGenerator::new();
        let before = now_unix_ms();
        let a = ids.next();
        let b = ids.next();
        assert!(b > a);
        let t = unix_ms_of(a);
        assert!(t >= before && t <= now_unix_ms());
    }

    #[test]
    fn known_discord_id_decodes() {
        // Discord's docs example: 175928847299117063 → 2016-04-30 11:18:25.796 UTC.
        assert_eq!(unix_ms_of(175_928_847_299_117_063), 1_462_015_105_796);
    }
}
