//! Waiting for work at most so long without cancelling it: the work runs as a task of its
//! own, and a wait that ends first leaves it to finish unobserved. A store call dropped
//! half-way would hold up the thread that drops it until its SQLite statement ends
//! (`kernel::store`'s blocking calls); handed to [`within`], the caller moves on at the
//! limit and the call ends on its own.

use std::future::Future;
use std::time::Duration;

/// `work`'s output if it ends within `limit`, else `None` (the work goes on to its end). A
/// panic in the work is the caller's panic, as if it had run inline.
pub async fn within<T, F>(limit: Duration, work: F) -> Option<T>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let task = tokio::spawn(work);
    match tokio::time::timeout(limit, task).await {
        Ok(Ok(output)) => Some(output),
        Ok(Err(failed)) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        // Cancelled: the runtime is shutting down.
        Ok(Err(_)) => None,
        Err(_elapsed) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::store::blocking_calls::tests::slow_count;
    use crate::kernel::store::{Store, StoreOptions};

    /// On a current-thread runtime, as on an actor's arbiter: the wait ends at the limit
    /// while the SQLite query goes on to its end, and the store answers afterwards.
    #[test]
    fn giving_up_on_a_sqlite_query_half_way_on_a_current_thread_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = Store::connect("sqlite::memory:", StoreOptions::default())
                .await
                .unwrap();
            let gave_up = within(Duration::from_millis(5), slow_count(store.clone())).await;
            assert_eq!(gave_up, None);
            assert_eq!(
                within(Duration::from_secs(60), slow_count(store.clone())).await,
                Some(5_000_000)
            );
            store.ping().await.expect("the store still answers");
        });
    }

    #[tokio::test]
    #[should_panic(expected = "the work's own panic")]
    async fn a_panic_in_the_work_is_the_callers() {
        within(Duration::from_secs(1), async {
            panic!("the work's own panic")
        })
        .await;
    }
}
