//! Waiting for something to happen: poll a condition until it holds or time runs out.
//! Tests use [`wait_until`], which fails the test naming what it waited for; benchmarks
//! use [`waited_until`], which returns the same failure as an error.

use std::fmt;
use std::time::Duration;

/// How often the condition is checked: often enough that a benchmark's timing is not
/// the poll's.
const POLL: Duration = Duration::from_millis(5);

/// Waits until `done()` holds.
///
/// # Panics
///
/// After `timeout`, with "timed out after … waiting for `what`".
pub async fn wait_until(what: &str, timeout: Duration, done: impl FnMut() -> bool) {
    if let Err(timed_out) = waited_until(what, timeout, done).await {
        panic!("{timed_out}");
    }
}

/// Waits until `done()` holds, or returns [`TimedOut`] after `timeout`.
pub async fn waited_until(
    what: &str,
    timeout: Duration,
    mut done: impl FnMut() -> bool,
) -> Result<(), TimedOut> {
    let deadline = tokio::time::Instant::now() + timeout;
    while !done() {
        if tokio::time::Instant::now() >= deadline {
            return Err(TimedOut {
                what: what.to_owned(),
                timeout,
            });
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(())
}

/// What [`waited_until`] waited for, in vain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimedOut {
    pub what: String,
    pub timeout: Duration,
}

impl fmt::Display for TimedOut {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "timed out after {:?} waiting for {}",
            self.timeout, self.what
        )
    }
}

impl std::error::Error for TimedOut {}
