//! Fairness: a moderator who claimed at least the guild's limit of hours in the rolling
//! last 7 days may claim only shifts that start within the lock window — so coverage
//! spreads instead of one person hoarding it. Plain functions, no I/O.

use chrono::{DateTime, Duration, Utc};

/// The window the limit counts over.
pub const ROLLING_WINDOW: Duration = Duration::days(7);

/// What the rule says about one claim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ClaimDecision {
    Allowed,
    /// Over the limit and too early: `hours` claimed, may claim from `from`.
    TooEarly {
        hours: f64,
        from: DateTime<Utc>,
    },
}

/// Decides a claim from the minutes the person claimed in the last 7 days.
pub fn decide_claim(
    minutes_claimed_7d: i64,
    max_hours_7d: f64,
    lock_window_minutes: i64,
    shift_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ClaimDecision {
    let hours = minutes_claimed_7d as f64 / 60.0;
    if hours < max_hours_7d {
        return ClaimDecision::Allowed;
    }
    let from = shift_start - Duration::minutes(lock_window_minutes);
    if now >= from {
        ClaimDecision::Allowed
    } else {
        ClaimDecision::TooEarly { hours, from }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, hour, minute, 0).unwrap()
    }

    #[test]
    fn under_the_limit_anything_goes() {
        assert_eq!(
            decide_claim(179, 3.0, 60, at(20, 0), at(8, 0)),
            ClaimDecision::Allowed
        );
    }

    #[test]
    fn at_the_limit_only_within_the_lock_window() {
        let start = at(20, 0);
        assert_eq!(
            decide_claim(180, 3.0, 60, start, at(18, 59)),
            ClaimDecision::TooEarly {
                hours: 3.0,
                from: at(19, 0)
            }
        );
        assert_eq!(
            decide_claim(180, 3.0, 60, start, at(19, 0)),
            ClaimDecision::Allowed
        );
        assert_eq!(
            decide_claim(600, 3.0, 0, start, at(19, 59)),
            ClaimDecision::TooEarly {
                hours: 10.0,
                from: start
            }
        );
    }
}
