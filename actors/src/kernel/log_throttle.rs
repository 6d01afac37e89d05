//! Log lines that could come hundreds of times a second (every "busy" answer under a
//! crowd), written at most once per window with how many they stand for.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One kind of repeated log line: the first of a window is written, the rest are counted
/// and their number goes with the next line written.
pub struct LogThrottle {
    window: Duration,
    /// When the last line was written, and how many came since (not written).
    state: Mutex<(Option<Instant>, u64)>,
}

impl LogThrottle {
    pub const fn new(window: Duration) -> Self {
        Self {
            window,
            state: Mutex::new((None, 0)),
        }
    }

    /// Whether to write this occurrence now: `Some(n)` with the occurrences it stands for
    /// (itself and those folded in since the last line written), `None` to only count it.
    pub fn admit(&self) -> Option<u64> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Option<u64> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (last, folded) = &mut *state;
        match last {
            Some(at) if now.duration_since(*at) < self.window => {
                *folded += 1;
                None
            }
            _ => {
                let stands_for = *folded + 1;
                *last = Some(now);
                *folded = 0;
                Some(stands_for)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_of_a_window_is_written_with_how_many_it_stands_for() {
        let throttle = LogThrottle::new(Duration::from_secs(10));
        let start = Instant::now();
        assert_eq!(throttle.admit_at(start), Some(1));
        for n in 1..=250 {
            assert_eq!(
                throttle.admit_at(start + Duration::from_millis(n * 10)),
                None
            );
        }
        // The next window's first line carries the 250 folded in and itself.
        assert_eq!(
            throttle.admit_at(start + Duration::from_secs(10)),
            Some(251)
        );
        assert_eq!(throttle.admit_at(start + Duration::from_secs(30)), Some(1));
    }
}
