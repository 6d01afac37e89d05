//! Waiting for work at most so long without cancelling it: the work runs as a task of its
//! own, and a wait that ends first leaves it to finish unobserved. Store calls must not be
//! dropped half-way: diesel-async waits for an abandoned SQLite call's blocking thread with
//! `block_in_place`, which panics on a current-thread runtime (an actor's arbiter).

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
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl;

    use super::*;
    use crate::kernel::store::{with_connection, Store, StoreOptions};

    #[derive(diesel::QueryableByName)]
    struct Counted {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// A SQLite query that takes a while (counting to ten million).
    async fn slow_count(store: Store) -> i64 {
        let counted: Counted = with_connection!(store, connection => {
            diesel::sql_query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000000) \
                 SELECT count(*) AS n FROM c",
            )
            .get_result(connection)
            .await
        })
        .expect("the count");
        counted.n
    }

    /// On a current-thread runtime, as on an actor's arbiter: giving up on a SQLite query
    /// half-way neither panics nor spoils the store, and the query still ends.
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
                Some(10_000_000)
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
