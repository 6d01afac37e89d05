//! The store: one repository API over diesel-async for SQLite (the embedded default, one
//! file in WAL mode) and PostgreSQL (production), behind a cheap `Clone` handle.
//!
//! What it is for: every actor's durable state. The database is the source of truth; an
//! actor keeps only what it can rebuild from here. What it is not: a cache (that is
//! `kernel::cache`) nor a place for business rules (those live with their concern).
//!
//! - URLs: `sqlite://PATH` (relative to the working directory at connect time; folders
//!   and file are created on first run), `sqlite::memory:` (one private in-memory
//!   database per store, shared by all its pooled connections), `postgres://…` or
//!   `postgresql://…` (connected lazily, plain TCP or Unix socket, no TLS).
//! - Discord ids are typed `Id<…>` at this API and `BIGINT` in the columns, converted in
//!   one place (`ids.rs`, lossless for every snowflake). Times are UTC: `DateTime<Utc>`
//!   at this API, `NaiveDateTime` holding UTC in the `TIMESTAMP` columns, truncated to microseconds
//!   (PostgreSQL's precision) so both backends give back what was stored. Stored times
//!   come from the injected [`Clock`](crate::kernel::clock::Clock). A row read in
//!   bulk takes [`StoredTime`] for its times (SQLite's text parsed in one pass).
//! - Errors: [`StoreError`]; [`StoreError::is_unavailable`] tells "the database is not
//!   there right now" from every other failure. Passwords never appear in errors or
//!   logs ([`redact_url`]).
//!
//! ## Adding a table
//! 1. One migration per backend: `migrations/sqlite/<timestamp>_<name>/{up,down}.sql`
//!    and the same under `migrations/postgres/`, using only types that map alike
//!    (BIGINT, INTEGER, TEXT, BOOLEAN, TIMESTAMP; JSON as TEXT).
//! 2. Its `diesel::table!` in `schema.rs`, with `BigInt`, `Integer`, `Text`, `Bool`,
//!    `Timestamp` and `Nullable<…>` only.
//! 3. A row type deriving `Queryable, Selectable, Insertable` with
//!    `#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]`, and
//!    `impl Store` methods whose queries are written once inside
//!    `with_connection!(self, connection => …)` — see
//!    `gateway_sessions.rs` for the smallest example. Scope every query by `guild_id`.
//! 4. Cover it in `actors/tests/store_contract.rs`, which runs on both backends.

pub(crate) mod blocking_calls;
mod command_roles;
mod connections;
mod database_url;
mod error;
mod feature_settings;
mod gateway_sessions;
mod guild_settings;
pub mod ids;
mod migrations;
mod processes;
pub(crate) mod schema;
mod stored_time;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, SubsecRound};
use diesel::SqliteConnection;
use parking_lot::{Mutex, RwLock};

use self::connections::{LastConnectError, PostgresPool, SqlitePool, SqliteTarget};
use self::database_url::DatabaseTarget;
use crate::kernel::clock::{SharedClock, SystemClock};

pub use self::database_url::redact_url;
pub use self::error::StoreError;
pub use self::gateway_sessions::SavedSession;
pub use self::guild_settings::{GuildSettings, GuildSettingsPatch, DEFAULT_LOCALE};
pub use self::processes::ProcessBeat;
pub use self::stored_time::StoredTime;

/// A statement whose SQL never varies with its values, which diesel may keep prepared on
/// each connection. diesel prepares every `UPDATE` afresh on each call (a changeset may
/// skip `None` fields, so it cannot know the SQL is fixed); on a hot path such as the
/// shift claim that parse and plan was more work than running the statement. Wrap only
/// statements whose changeset has no optional fields: `FixedSql(diesel::update(…).set(…))`.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
pub struct FixedSql<Q>(pub Q);

impl<Q, DB> diesel::query_builder::QueryFragment<DB> for FixedSql<Q>
where
    Q: diesel::query_builder::QueryFragment<DB>,
    DB: diesel::backend::Backend,
{
    fn walk_ast<'b>(
        &'b self,
        pass: diesel::query_builder::AstPass<'_, 'b, DB>,
    ) -> diesel::QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &DB) -> diesel::QueryResult<bool> {
        Ok(true)
    }
}

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for FixedSql<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, Conn> diesel::query_dsl::RunQueryDsl<Conn> for FixedSql<Q> {}

/// Runs one block of diesel-async code against a pooled connection of whichever backend
/// the store uses. The block is compiled once per backend, so a query written once
/// serves both; it must evaluate to `Result<T, diesel::result::Error>`, and the macro
/// evaluates to `Result<T, StoreError>` (pool and connection failures become
/// [`StoreError::Unavailable`]). Use it inside an `async fn`:
///
/// ```text
/// with_connection!(self, connection => {
///     gateway_sessions::table.find(shard_id).first::<Row>(connection).await.optional()
/// })
/// ```
///
/// Several statements that must land together go in a transaction inside the block
/// (`use diesel_async::AsyncConnection;`):
///
/// ```text
/// with_connection!(self, connection => {
///     connection.transaction(async |connection| { …; …; Ok(()) }).await
/// })
/// ```
/// Features outside this crate (a bot developer's) write their queries with it too:
/// `agora_actors::with_connection!(store, connection => { … })`.
#[macro_export]
macro_rules! with_connection {
    ($store:expr, $connection:ident => $body:expr) => {{
        let store: &$crate::kernel::store::Store = &$store;
        match store.backend_pool() {
            ::core::result::Result::Err(error) => ::core::result::Result::Err(error),
            ::core::result::Result::Ok($crate::kernel::store::BackendPool::Sqlite {
                pool, ..
            }) => match pool.get().await {
                ::core::result::Result::Err(error) => {
                    ::core::result::Result::Err(store.pool_error(error))
                }
                ::core::result::Result::Ok(mut pooled) => {
                    let $connection = &mut *pooled;
                    let result: ::core::result::Result<_, ::diesel::result::Error> = $body;
                    result.map_err(|error| {
                        $crate::kernel::store::StoreError::from_query(
                            $crate::kernel::store::Backend::Sqlite,
                            error,
                        )
                    })
                }
            },
            ::core::result::Result::Ok($crate::kernel::store::BackendPool::Postgres(pool)) => {
                match pool.get().await {
                    ::core::result::Result::Err(error) => {
                        ::core::result::Result::Err(store.pool_error(error))
                    }
                    ::core::result::Result::Ok(mut pooled) => {
                        let $connection = &mut *pooled;
                        let result: ::core::result::Result<_, ::diesel::result::Error> = $body;
                        result.map_err(|error| {
                            $crate::kernel::store::StoreError::from_query(
                                $crate::kernel::store::Backend::Postgres,
                                error,
                            )
                        })
                    }
                }
            }
        }
    }};
}

pub use crate::with_connection;

/// Which database a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// How a store connects.
#[derive(Clone)]
pub struct StoreOptions {
    /// The most connections the pool opens (at least 1).
    pub max_connections: u32,
    /// The PostgreSQL password, used when the URL carries none. Ignored by SQLite.
    pub password: Option<String>,
    /// How long opening a connection, or waiting for a free one, or a [`Store::ping`]
    /// may take before the database counts as unavailable (more than zero).
    pub connect_timeout: Duration,
    /// Where `created_at`, `updated_at` and `saved_at` come from.
    pub clock: SharedClock,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            password: None,
            connect_timeout: Duration::from_secs(5),
            clock: Arc::new(SystemClock),
        }
    }
}

impl fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreOptions")
            .field("max_connections", &self.max_connections)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("connect_timeout", &self.connect_timeout)
            .field("clock", &self.clock)
            .finish()
    }
}

/// A handle on the database: clone it freely, every clone shares one pool.
#[derive(Clone)]
pub struct Store {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    backend: Backend,
    /// The URL as given, password hidden.
    redacted_url: String,
    /// `None` once [`Store::close`] has run.
    pool: RwLock<Option<BackendPool>>,
    connect_timeout: Duration,
    clock: SharedClock,
    last_connect_error: LastConnectError,
    /// For `sqlite::memory:`, a connection that keeps the database alive while the pool
    /// opens and drops its own.
    memory_keeper: Mutex<Option<SqliteConnection>>,
}

/// The pool of one backend, as [`with_connection!`] matches on it.
#[derive(Clone)]
#[doc(hidden)]
pub enum BackendPool {
    Sqlite {
        pool: SqlitePool,
        /// How to open a connection outside the pool (migrations do).
        target: Arc<SqliteTarget>,
    },
    Postgres(PostgresPool),
}

impl BackendPool {
    fn backend(&self) -> Backend {
        match self {
            BackendPool::Sqlite { .. } => Backend::Sqlite,
            BackendPool::Postgres(_) => Backend::Postgres,
        }
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.inner.backend)
            .field("url", &self.inner.redacted_url)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens a store on `url` (see the module docs for the accepted forms). SQLite opens
    /// and sets up its file now, so a bad path fails here; PostgreSQL connects lazily,
    /// so a server that is down fails the first query or [`Store::ping`], not this.
    pub async fn connect(url: &str, options: StoreOptions) -> Result<Store, StoreError> {
        if options.max_connections == 0 {
            return Err(StoreError::InvalidOptions {
                reason: "max_connections must be at least 1".into(),
            });
        }
        if options.connect_timeout.is_zero() {
            return Err(StoreError::InvalidOptions {
                reason: "connect_timeout must be more than zero".into(),
            });
        }
        let opened = match DatabaseTarget::parse(url)? {
            DatabaseTarget::SqliteFile(path) => {
                open_sqlite(SqliteTarget::file(&path, url)?, &options).await?
            }
            DatabaseTarget::SqliteMemory { name } => {
                open_sqlite(SqliteTarget::memory(&name), &options).await?
            }
            DatabaseTarget::Postgres(url) => {
                let config = connections::postgres_config(&url, &options)?;
                let last_connect_error = LastConnectError::new(Backend::Postgres);
                let pool = connections::postgres_pool(config, &options, last_connect_error.clone());
                OpenedPool {
                    pool: BackendPool::Postgres(pool),
                    last_connect_error,
                    memory_keeper: None,
                }
            }
        };
        let store = Store {
            inner: Arc::new(StoreInner {
                backend: opened.pool.backend(),
                redacted_url: redact_url(url),
                pool: RwLock::new(Some(opened.pool)),
                connect_timeout: options.connect_timeout,
                clock: options.clock,
                last_connect_error: opened.last_connect_error,
                memory_keeper: Mutex::new(opened.memory_keeper),
            }),
        };
        tracing::info!(backend = %store.backend(), url = %store.redacted_url(), "store opened");
        Ok(store)
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.inner.backend
    }

    /// The URL this store was opened with, password hidden.
    pub fn redacted_url(&self) -> &str {
        &self.inner.redacted_url
    }

    /// Checks the database answers `SELECT 1` within the connect timeout (a late answer is
    /// waited for by a task of its own, see [`crate::kernel::bounded`]).
    pub async fn ping(&self) -> Result<(), StoreError> {
        use diesel::IntoSql;
        use diesel_async::RunQueryDsl;

        let store = self.clone();
        let answer = crate::kernel::bounded::within(self.inner.connect_timeout, async move {
            with_connection!(store, connection => {
                diesel::select(1_i32.into_sql::<diesel::sql_types::Integer>())
                    .get_result::<i32>(connection)
                    .await
            })
        })
        .await;
        match answer {
            Some(Ok(_)) => Ok(()),
            Some(Err(error)) => Err(error),
            None => Err(self.unavailable_after_timeout()),
        }
    }

    /// Closes the store for every clone: later calls fail with [`StoreError::Closed`].
    /// Idle connections close now, busy ones when their query ends.
    pub fn close(&self) {
        let pool = self.inner.pool.write().take();
        let keeper = self.inner.memory_keeper.lock().take();
        drop((pool, keeper));
        tracing::debug!(backend = %self.inner.backend, "store closed");
    }

    /// Whether [`Store::close`] was called (on this store or a clone).
    pub fn is_closed(&self) -> bool {
        self.inner.pool.read().is_none()
    }

    /// The pool, unless the store is closed. Used by [`with_connection!`].
    #[doc(hidden)]
    pub fn backend_pool(&self) -> Result<BackendPool, StoreError> {
        self.inner.pool.read().clone().ok_or(StoreError::Closed)
    }

    /// Why no connection could be had from the pool. Used by [`with_connection!`].
    #[doc(hidden)]
    pub fn pool_error<E: fmt::Display>(&self, error: bb8::RunError<E>) -> StoreError {
        match error {
            bb8::RunError::User(error) => StoreError::Unavailable {
                backend: self.inner.backend,
                detail: error.to_string(),
            },
            bb8::RunError::TimedOut => self.unavailable_after_timeout(),
        }
    }

    fn unavailable_after_timeout(&self) -> StoreError {
        let waited = self.inner.connect_timeout;
        let detail = match self.inner.last_connect_error.latest() {
            Some(cause) => format!("no connection within {waited:?}; last error: {cause}"),
            None => format!("no connection within {waited:?}"),
        };
        StoreError::Unavailable {
            backend: self.inner.backend,
            detail,
        }
    }

    /// Now, as stored: UTC, truncated to microseconds.
    pub(crate) fn now(&self) -> NaiveDateTime {
        self.inner.clock.now().trunc_subsecs(6).naive_utc()
    }
}

/// A pool just built, and what the store keeps beside it.
struct OpenedPool {
    pool: BackendPool,
    last_connect_error: LastConnectError,
    memory_keeper: Option<SqliteConnection>,
}

/// Creates the folder, opens the first connection (which creates the file and turns WAL
/// on) and builds the pool around it; for an in-memory database, also opens the
/// connection that keeps it alive.
async fn open_sqlite(
    target: SqliteTarget,
    options: &StoreOptions,
) -> Result<OpenedPool, StoreError> {
    if let Some(folder) = target.parent_folder() {
        let folder = folder.to_path_buf();
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|source| StoreError::Io {
                path: folder,
                source,
            })?;
    }
    let cannot_open = |error: diesel::ConnectionError| StoreError::Unavailable {
        backend: Backend::Sqlite,
        detail: format!("cannot open the database: {error}"),
    };
    let first = target.open_async().await.map_err(cannot_open)?;
    let memory_keeper = if target.is_in_memory() {
        let keeper_target = target.clone();
        let opened = tokio::task::spawn_blocking(move || keeper_target.open())
            .await
            .map_err(|join_error| StoreError::Unavailable {
                backend: Backend::Sqlite,
                detail: join_error.to_string(),
            })?;
        Some(opened.map_err(cannot_open)?)
    } else {
        None
    };
    let last_connect_error = LastConnectError::new(Backend::Sqlite);
    let pool = connections::sqlite_pool(target.clone(), first, options, last_connect_error.clone());
    Ok(OpenedPool {
        pool: BackendPool::Sqlite {
            pool,
            target: Arc::new(target),
        },
        last_connect_error,
        memory_keeper,
    })
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel_async::{AsyncConnection, RunQueryDsl};

    use super::schema::gateway_sessions;
    use super::*;

    /// Transactions go through `with_connection!` like single queries, written once.
    #[tokio::test]
    async fn a_transaction_that_fails_writes_nothing() {
        let store = Store::connect("sqlite::memory:", StoreOptions::default())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        let now = store.now();
        let outcome = with_connection!(store, connection => {
            connection
                .transaction::<(), diesel::result::Error, _>(async |connection| {
                    diesel::insert_into(gateway_sessions::table)
                        .values((
                            gateway_sessions::shard_id.eq(0),
                            gateway_sessions::shard_count.eq(1),
                            gateway_sessions::session_id.eq("abandoned"),
                            gateway_sessions::sequence.eq(1_i64),
                            gateway_sessions::resume_url.eq("wss://example.invalid"),
                            gateway_sessions::saved_at.eq(now),
                        ))
                        .execute(connection)
                        .await?;
                    Err(diesel::result::Error::RollbackTransaction)
                })
                .await
        });
        assert!(matches!(
            outcome,
            Err(StoreError::Query {
                source: diesel::result::Error::RollbackTransaction,
                ..
            })
        ));
        assert_eq!(store.load_gateway_session(0).await.unwrap(), None);
    }
}
