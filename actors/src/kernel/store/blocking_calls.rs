//! Where SQLite calls run: tokio's blocking pool, like diesel-async's own runtime, except
//! that a call given up half-way is waited for without panicking on a current-thread
//! runtime (an actor's arbiter).
//!
//! diesel-async must see a call end before its future is gone (the connection is shared
//! with the blocking thread until then, and the pool checks it when it comes back), so
//! its own runtime waits in `Drop` with `block_in_place` — which panics on a
//! current-thread runtime. A store call dropped there by a timeout, a `select!`, a
//! `try_join!` or an actor stopping was a panic; here it is a short wait for the
//! statement to end (on a multi-thread runtime still inside `block_in_place`, so the
//! worker's other tasks move on meanwhile).

use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use diesel_async::sync_connection_wrapper::SpawnBlocking;
use futures::future::BoxFuture;
use futures::FutureExt;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::task::{JoinError, JoinHandle};

/// The blocking pool a SQLite connection runs its calls on.
#[doc(hidden)]
pub enum BlockingCalls {
    /// The runtime the connection was opened on.
    Handle(Handle),
    /// Opened outside any runtime: one of its own (as diesel-async does).
    Runtime(tokio::runtime::Runtime),
}

impl BlockingCalls {
    fn handle(&self) -> &Handle {
        match self {
            BlockingCalls::Handle(handle) => handle,
            BlockingCalls::Runtime(runtime) => runtime.handle(),
        }
    }
}

impl SpawnBlocking for BlockingCalls {
    fn spawn_blocking<'a, R>(
        &mut self,
        task: impl FnOnce() -> R + Send + 'static,
    ) -> BoxFuture<'a, Result<R, Box<dyn Error + Send + Sync + 'static>>>
    where
        R: Send + 'static,
    {
        FinishedBeforeDropped(Some(self.handle().spawn_blocking(task)))
            .map(|joined| joined.map_err(Box::from))
            .boxed()
    }

    fn get_runtime() -> Self {
        match Handle::try_current() {
            Ok(handle) => BlockingCalls::Handle(handle),
            Err(_) => BlockingCalls::Runtime(
                tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("a runtime for SQLite calls opened outside any runtime"),
            ),
        }
    }
}

/// A call on the blocking pool; dropped before it ends, it waits for the end.
struct FinishedBeforeDropped<R>(Option<JoinHandle<R>>);

impl<R> Future for FinishedBeforeDropped<R> {
    type Output = Result<R, JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let call = self.0.as_mut().expect("polled after it ended");
        let outcome = std::task::ready!(call.poll_unpin(cx));
        self.0 = None;
        Poll::Ready(outcome)
    }
}

impl<R> Drop for FinishedBeforeDropped<R> {
    fn drop(&mut self) {
        let Some(call) = self.0.take() else { return };
        if call.is_finished() {
            return;
        }
        // The call runs on a blocking-pool thread, never on this one: waiting here cannot
        // wait for ourselves. An error means the runtime is shutting down: nothing to wait for.
        let wait = move || {
            let _ = futures::executor::block_on(call);
        };
        match Handle::try_current().map(|handle| handle.runtime_flavor()) {
            Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(wait),
            _ => wait(),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use diesel::sql_types::BigInt;
    use diesel_async::{RunQueryDsl, SimpleAsyncConnection};

    use crate::kernel::store::{with_connection, Store, StoreOptions};

    /// A query that takes a while: counting to five million.
    const SLOW_COUNT: &str = "WITH RECURSIVE c(x) AS \
        (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000000) SELECT count(*) AS n FROM c";

    #[derive(diesel::QueryableByName)]
    struct Counted {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }

    /// Counts to five million on the store (a SQLite query that takes a while).
    pub(crate) async fn slow_count(store: Store) -> i64 {
        let counted: Counted = with_connection!(store, connection => {
            diesel::sql_query(SLOW_COUNT).get_result(connection).await
        })
        .expect("the count");
        counted.n
    }

    /// Writes one row holding the slow count: a write that takes a while.
    async fn slow_write(store: &Store) {
        with_connection!(store, connection => {
            diesel::sql_query(format!("INSERT INTO marks(n) {SLOW_COUNT}"))
                .execute(connection)
                .await
        })
        .expect("the slow write");
    }

    async fn marks(store: &Store) -> Vec<i64> {
        let rows: Vec<Counted> = with_connection!(store, connection => {
            diesel::sql_query("SELECT n FROM marks").load(connection).await
        })
        .expect("the marks");
        rows.into_iter().map(|row| row.n).collect()
    }

    /// Gives up on a slow write after 5 ms with a plain timeout: no panic, the write has
    /// ended by the time the timeout returns, and the store goes on answering.
    async fn give_up_on_a_write_half_way() {
        let store = Store::connect("sqlite::memory:", StoreOptions::default())
            .await
            .unwrap();
        with_connection!(store, connection => {
            connection.batch_execute("CREATE TABLE marks (n BIGINT NOT NULL)").await
        })
        .unwrap();
        let gave_up = tokio::time::timeout(Duration::from_millis(5), slow_write(&store)).await;
        assert!(gave_up.is_err(), "the write should take longer than 5 ms");
        assert_eq!(marks(&store).await, vec![5_000_000]);
        slow_write(&store).await;
        assert_eq!(marks(&store).await, vec![5_000_000, 5_000_000]);
        store.ping().await.expect("the store still answers");
    }

    /// On a current-thread runtime, as an actor's arbiter is (diesel-async's own runtime
    /// panicked here).
    #[test]
    fn a_call_given_up_half_way_on_a_current_thread_runtime_ends_first() {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(give_up_on_a_write_half_way());
    }

    /// On a multi-thread runtime (the wait lets the worker's other tasks move on).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_call_given_up_half_way_on_a_multi_thread_runtime_ends_first() {
        give_up_on_a_write_half_way().await;
    }
}
