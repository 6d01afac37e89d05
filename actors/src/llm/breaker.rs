//! The circuit breaker: after `failures` failed calls in a row the model is not asked for
//! `cooldown` (callers hear `Unavailable` at once); then one trial call goes through
//! (half-open) — its success closes the breaker, its failure opens it for another
//! cool-down. Plain state, and the time passed in (the kernel's injectable clock), so
//! tests move time instead of waiting for it.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A moment, as the kernel's clock tells it.
pub type Instant = DateTime<Utc>;

/// `later - earlier`, zero when it is not later.
fn between(earlier: Instant, later: Instant) -> Duration {
    (later - earlier).to_std().unwrap_or_default()
}

/// Where the breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused until `until`.
    Open { until: Instant },
    /// The cool-down is over and one trial call is out; others are refused meanwhile.
    HalfOpen,
}

impl BreakerState {
    /// The number `/metrics` shows: 0 closed, 1 open, 2 half-open.
    pub fn gauge(self) -> f64 {
        match self {
            BreakerState::Closed => 0.0,
            BreakerState::Open { .. } => 1.0,
            BreakerState::HalfOpen => 2.0,
        }
    }
}

/// What the breaker says to a call about to be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    /// Go ahead.
    Call,
    /// Go ahead: the trial call after the cool-down.
    Trial,
    /// Do not ask the model; it may be asked again after this long.
    Refuse { retry_after: Duration },
}

/// See the module documentation.
#[derive(Debug, Clone)]
pub struct Breaker {
    failures_to_open: u32,
    cooldown: Duration,
    failures_in_a_row: u32,
    state: BreakerState,
}

impl Breaker {
    pub fn new(failures_to_open: u32, cooldown: Duration) -> Breaker {
        Breaker {
            failures_to_open: failures_to_open.max(1),
            cooldown,
            failures_in_a_row: 0,
            state: BreakerState::Closed,
        }
    }

    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// How long until the open breaker lets a trial call through (`None`: not open).
    pub fn open_for(&self, now: Instant) -> Option<Duration> {
        match self.state {
            BreakerState::Open { until } if until > now => Some(between(now, until)),
            _ => None,
        }
    }

    /// Whether a call may be made now (a trial call when the cool-down just ended).
    pub fn admit(&mut self, now: Instant) -> Admit {
        match self.state {
            BreakerState::Closed => Admit::Call,
            BreakerState::Open { until } if now >= until => {
                self.state = BreakerState::HalfOpen;
                Admit::Trial
            }
            BreakerState::Open { until } => Admit::Refuse {
                retry_after: between(now, until),
            },
            // The trial is out: the others wait for its outcome, a cool-down at most.
            BreakerState::HalfOpen => Admit::Refuse {
                retry_after: Duration::from_secs(1),
            },
        }
    }

    /// The model answered (even if what it said was malformed: it is up).
    pub fn succeeded(&mut self) {
        self.failures_in_a_row = 0;
        self.state = BreakerState::Closed;
    }

    /// The model did not answer usefully (timeout, 429 or 5xx after the retries, no
    /// connection). Opens the breaker after enough in a row, or at once after a trial.
    pub fn failed(&mut self, now: Instant) {
        self.failures_in_a_row = self.failures_in_a_row.saturating_add(1);
        let trial_failed = self.state == BreakerState::HalfOpen;
        if trial_failed || self.failures_in_a_row >= self.failures_to_open {
            self.state = BreakerState::Open {
                until: now
                    + chrono::Duration::from_std(self.cooldown).unwrap_or(chrono::Duration::MAX),
            };
        }
    }

    /// A call admitted as the trial ended without a verdict on the model (the caller's
    /// own deadline was too short to tell, the call was dropped): another may try.
    pub fn trial_abandoned(&mut self, now: Instant) {
        if self.state == BreakerState::HalfOpen {
            self.state = BreakerState::Open { until: now };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_in_a_row_and_closes_after_a_good_trial() {
        let start = Utc::now();
        let mut breaker = Breaker::new(3, Duration::from_secs(30));
        breaker.failed(start);
        breaker.failed(start);
        breaker.succeeded();
        breaker.failed(start);
        breaker.failed(start);
        assert_eq!(
            breaker.admit(start),
            Admit::Call,
            "a success reset the count"
        );
        breaker.failed(start);
        assert_eq!(
            breaker.admit(start + chrono::Duration::seconds(10)),
            Admit::Refuse {
                retry_after: Duration::from_secs(20)
            }
        );
        let later = start + chrono::Duration::seconds(30);
        assert_eq!(breaker.admit(later), Admit::Trial);
        assert!(
            matches!(breaker.admit(later), Admit::Refuse { .. }),
            "one trial"
        );
        breaker.succeeded();
        assert_eq!(breaker.admit(later), Admit::Call);
        assert_eq!(breaker.state(), BreakerState::Closed);
    }

    #[test]
    fn a_failed_trial_opens_it_again_for_a_whole_cool_down() {
        let start = Utc::now();
        let mut breaker = Breaker::new(1, Duration::from_secs(5));
        breaker.failed(start);
        let after = start + chrono::Duration::seconds(5);
        assert_eq!(breaker.admit(after), Admit::Trial);
        breaker.failed(after);
        assert_eq!(
            breaker.admit(after + chrono::Duration::seconds(1)),
            Admit::Refuse {
                retry_after: Duration::from_secs(4)
            }
        );
        assert_eq!(breaker.state().gauge(), 1.0);
        breaker.trial_abandoned(after);
        assert!(
            matches!(breaker.admit(after), Admit::Refuse { .. }),
            "not a trial"
        );
    }
}
