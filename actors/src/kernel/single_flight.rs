//! One run of a measurement shared by everyone who asks while it runs: when a crowd asks
//! `/status` at once, the database is pinged once for all of them, not once each.
//!
//! [`SingleFlight::run`] starts the measurement when none is in flight and otherwise
//! joins the one in flight (a `futures` `Shared` future: whoever polls it drives it). Each
//! caller gets a value measured after it asked or while it was asking — never an older
//! one: nothing is kept once the run ends. A run older than the join window is not
//! joined (a measurement whose callers all gave up is started afresh rather than
//! finished late for someone else).

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures::future::{BoxFuture, FutureExt, Shared};
use parking_lot::Mutex;

/// See the module's note.
pub struct SingleFlight<T: Clone> {
    join_window: Duration,
    in_flight: Mutex<Option<Flight<T>>>,
    /// The next run's number: never reused, even after the slot was emptied.
    next_number: AtomicU64,
}

struct Flight<T: Clone> {
    started: Instant,
    /// Tells this run from a later one, so only its own callers clear it.
    number: u64,
    run: Shared<BoxFuture<'static, T>>,
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    /// Runs started less than `join_window` ago are joined.
    pub fn new(join_window: Duration) -> Self {
        Self {
            join_window,
            in_flight: Mutex::new(None),
            next_number: AtomicU64::new(0),
        }
    }

    /// The value of the run in flight, or of a new one `start` makes.
    pub async fn run<F>(&self, start: impl FnOnce() -> F) -> T
    where
        F: Future<Output = T> + Send + 'static,
    {
        let (number, run) = {
            let mut in_flight = self.in_flight.lock();
            match &*in_flight {
                Some(flight) if flight.started.elapsed() < self.join_window => {
                    (flight.number, flight.run.clone())
                }
                _ => {
                    let number = self.next_number.fetch_add(1, Ordering::Relaxed);
                    let run = start().boxed().shared();
                    *in_flight = Some(Flight {
                        started: Instant::now(),
                        number,
                        run: run.clone(),
                    });
                    (number, run)
                }
            }
        };
        let value = run.await;
        let mut in_flight = self.in_flight.lock();
        if in_flight
            .as_ref()
            .is_some_and(|flight| flight.number == number)
        {
            *in_flight = None;
        }
        value
    }
}

impl<T: Clone> fmt::Debug for SingleFlight<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SingleFlight")
            .field("join_window", &self.join_window)
            .field("in_flight", &self.in_flight.lock().is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// A measurement that counts its runs and waits for `release` before answering.
    fn counted(
        runs: &Arc<AtomicUsize>,
        release: &Arc<tokio::sync::Notify>,
    ) -> impl FnOnce() -> BoxFuture<'static, usize> {
        let (runs, release) = (runs.clone(), release.clone());
        move || {
            async move {
                let number = runs.fetch_add(1, Ordering::SeqCst) + 1;
                release.notified().await;
                number
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn callers_while_it_runs_share_one_run_and_later_ones_start_another() {
        let flight = Arc::new(SingleFlight::new(Duration::from_secs(60)));
        let runs = Arc::new(AtomicUsize::new(0));
        let release = Arc::new(tokio::sync::Notify::new());
        let callers: Vec<_> = (0..20)
            .map(|_| {
                let (flight, start) = (flight.clone(), counted(&runs, &release));
                tokio::spawn(async move { flight.run(start).await })
            })
            .collect();
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        release.notify_waiters();
        for caller in callers {
            assert_eq!(caller.await.unwrap(), 1, "every caller got the one run");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Nothing is kept: the next caller measures again.
        let next = {
            let (flight, start) = (flight.clone(), counted(&runs, &release));
            tokio::spawn(async move { flight.run(start).await })
        };
        while runs.load(Ordering::SeqCst) == 1 {
            tokio::task::yield_now().await;
        }
        release.notify_waiters();
        assert_eq!(next.await.unwrap(), 2);
    }

    #[tokio::test]
    async fn a_run_older_than_the_window_is_not_joined() {
        let flight = Arc::new(SingleFlight::new(Duration::from_millis(10)));
        let runs = Arc::new(AtomicUsize::new(0));
        let release = Arc::new(tokio::sync::Notify::new());
        // Its caller gives up; the run stays in flight, unpolled.
        let abandoned = tokio::time::timeout(
            Duration::from_millis(20),
            flight.run(counted(&runs, &release)),
        )
        .await;
        assert!(abandoned.is_err());
        let fresh = {
            let (flight, start) = (flight.clone(), counted(&runs, &release));
            tokio::spawn(async move { flight.run(start).await })
        };
        while runs.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        release.notify_waiters();
        assert_eq!(fresh.await.unwrap(), 2, "a new run, not the abandoned one");
    }
}
