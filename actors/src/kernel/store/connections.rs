//! Opening connections and pooling them: the per-connection setup of SQLite (WAL,
//! foreign keys, busy timeout) and of PostgreSQL (password, connect timeout), and the
//! bb8 pools that hand them out.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use diesel::{Connection, ConnectionError, ConnectionResult, SqliteConnection};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, PoolError, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::AsyncPgConnection;
use parking_lot::Mutex;

use super::blocking_calls::BlockingCalls;
use super::{redact_url, Backend, StoreError, StoreOptions};

/// An async SQLite connection: diesel's sync connection, run on tokio's blocking pool
/// (a call given up half-way is waited for, see [`BlockingCalls`]).
pub(crate) type AsyncSqliteConnection = SyncConnectionWrapper<SqliteConnection, BlockingCalls>;
/// The pool of SQLite connections.
pub(crate) type SqlitePool = bb8::Pool<AsyncDieselConnectionManager<AsyncSqliteConnection>>;
/// The pool of PostgreSQL connections.
pub(crate) type PostgresPool = bb8::Pool<AsyncDieselConnectionManager<AsyncPgConnection>>;

/// How long a SQLite connection waits for another writer before giving up with
/// "database is locked".
pub(crate) const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_millis(5_000);

/// What `sqlite3_open_v2` is given for one store, and how to set each connection up.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct SqliteTarget {
    /// A file path, or a `file:` URI for the in-memory database.
    open_name: String,
    /// In-memory databases cannot use WAL.
    in_memory: bool,
}

impl SqliteTarget {
    /// A database file; a relative path is resolved against the working directory now,
    /// so connections opened later land in the same file whatever the directory then.
    pub(crate) fn file(path: &Path, url: &str) -> Result<Self, StoreError> {
        let absolute = if path.is_absolute() {
            path.to_path_buf()
        } else {
            let working_directory = std::env::current_dir().map_err(|source| StoreError::Io {
                path: PathBuf::from("."),
                source,
            })?;
            working_directory.join(path)
        };
        let open_name = absolute.to_str().ok_or_else(|| StoreError::InvalidUrl {
            url: redact_url(url),
            reason: "the SQLite path is not valid UTF-8 once made absolute".into(),
        })?;
        Ok(SqliteTarget {
            open_name: open_name.to_owned(),
            in_memory: false,
        })
    }

    /// An in-memory database shared by every connection that opens the same `name`
    /// (SQLite's `memdb` VFS), alive while at least one of them is open.
    pub(crate) fn memory(name: &str) -> Self {
        SqliteTarget {
            open_name: format!("file:/{name}?vfs=memdb"),
            in_memory: true,
        }
    }

    pub(crate) fn is_in_memory(&self) -> bool {
        self.in_memory
    }

    /// The folder that must exist before the file can be created.
    pub(crate) fn parent_folder(&self) -> Option<&Path> {
        if self.in_memory {
            return None;
        }
        Path::new(&self.open_name)
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
    }

    /// Opens one connection and sets it up. Blocking: call it off the async threads.
    pub(crate) fn open(&self) -> ConnectionResult<SqliteConnection> {
        use diesel::connection::SimpleConnection;
        use diesel::RunQueryDsl;

        let mut connection = SqliteConnection::establish(&self.open_name)?;
        // busy_timeout first, so switching the journal mode waits for other connections.
        connection
            .batch_execute(&format!(
                "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON;",
                SQLITE_BUSY_TIMEOUT.as_millis()
            ))
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        if !self.in_memory {
            let mode = diesel::sql_query("PRAGMA journal_mode = WAL")
                .get_result::<JournalMode>(&mut connection)
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            if !mode.journal_mode.eq_ignore_ascii_case("wal") {
                tracing::warn!(
                    journal_mode = %mode.journal_mode,
                    path = %self.open_name,
                    "SQLite refused WAL mode; writers will block readers"
                );
            }
            // Safe with WAL: a crash may lose the last commits, never corrupt the file.
            connection
                .batch_execute("PRAGMA synchronous = NORMAL")
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
        }
        Ok(connection)
    }

    /// Opens one connection on tokio's blocking pool.
    pub(crate) async fn open_async(&self) -> ConnectionResult<AsyncSqliteConnection> {
        let target = self.clone();
        match tokio::task::spawn_blocking(move || target.open()).await {
            Ok(opened) => opened.map(SyncConnectionWrapper::new),
            Err(join_error) => Err(ConnectionError::BadConnection(format!(
                "opening the SQLite database was interrupted: {join_error}"
            ))),
        }
    }
}

/// The answer to `PRAGMA journal_mode`.
#[derive(diesel::QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = diesel::sql_types::Text)]
    journal_mode: String,
}

/// A pool of SQLite connections, each set up by [`SqliteTarget::open`]. The pool is
/// seeded with `first`, a connection already opened, so that opening errors surface
/// at connect time with their real cause.
pub(crate) fn sqlite_pool(
    target: SqliteTarget,
    first: AsyncSqliteConnection,
    options: &StoreOptions,
    last_error: LastConnectError,
) -> SqlitePool {
    let mut manager_config = ManagerConfig::<AsyncSqliteConnection>::default();
    manager_config.custom_setup = Box::new(move |_url| {
        let target = target.clone();
        Box::pin(async move { target.open_async().await })
    });
    // A SQLite connection does not go stale: checking it out needs no test query.
    manager_config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::new_with_config("sqlite", manager_config);
    let pool = bb8::Pool::builder()
        .max_size(options.max_connections)
        .connection_timeout(options.connect_timeout)
        .test_on_check_out(false)
        .error_sink(Box::new(last_error))
        .build_unchecked(manager);
    if pool.add(first).is_err() {
        // Only a full or broken-connection pool refuses; a fresh pool of max_size ≥ 1
        // is neither, so this is unexpected but harmless: the pool opens its own.
        tracing::debug!("the SQLite pool did not take its first connection");
    }
    pool
}

/// Reads a PostgreSQL URL into a client configuration, adding the password from the
/// options when the URL has none, and the connect timeout when the URL sets none.
pub(crate) fn postgres_config(
    url: &str,
    options: &StoreOptions,
) -> Result<tokio_postgres::Config, StoreError> {
    let mut config: tokio_postgres::Config =
        url.parse()
            .map_err(|error: tokio_postgres::Error| StoreError::InvalidUrl {
                url: redact_url(url),
                reason: error.to_string(),
            })?;
    if config.get_password().is_none() {
        if let Some(password) = &options.password {
            config.password(password.as_str());
        }
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(options.connect_timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("agora");
    }
    Ok(config)
}

/// A pool of PostgreSQL connections, opened lazily: building it contacts no server, so
/// a store can be made while the database is down and [`Store::ping`](super::Store::ping)
/// tells when it is back.
pub(crate) fn postgres_pool(
    config: tokio_postgres::Config,
    options: &StoreOptions,
    last_error: LastConnectError,
) -> PostgresPool {
    let config = Arc::new(config);
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    manager_config.custom_setup = Box::new(move |_url| {
        let config = Arc::clone(&config);
        Box::pin(async move { open_postgres(&config).await })
    });
    // Checking a connection out runs `SELECT 1`, so one the server dropped is replaced.
    manager_config.recycling_method = RecyclingMethod::Verified;
    let manager = AsyncDieselConnectionManager::new_with_config("postgres", manager_config);
    bb8::Pool::builder()
        .max_size(options.max_connections)
        .connection_timeout(options.connect_timeout)
        .test_on_check_out(true)
        .error_sink(Box::new(last_error))
        .build_unchecked(manager)
}

/// Opens one PostgreSQL connection (plain TCP or Unix socket, no TLS).
pub(crate) async fn open_postgres(
    config: &tokio_postgres::Config,
) -> ConnectionResult<AsyncPgConnection> {
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|error| ConnectionError::BadConnection(with_causes(&error)))?;
    AsyncPgConnection::try_from_client_and_connection(client, connection).await
}

/// An error's message followed by those of its causes ("error connecting to server:
/// Connection refused (os error 111)"), as tokio-postgres shows only the outermost.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let inner_message = inner.to_string();
        if !message.ends_with(&inner_message) {
            message.push_str(": ");
            message.push_str(&inner_message);
        }
        cause = inner.source();
    }
    message
}

/// Remembers the last error the pool met while opening a connection. bb8 reports only
/// "timed out" to the waiting caller, so this is how the caller learns why.
#[derive(Debug, Clone)]
pub(crate) struct LastConnectError {
    backend: Backend,
    last: Arc<Mutex<Option<String>>>,
}

impl LastConnectError {
    pub(crate) fn new(backend: Backend) -> Self {
        LastConnectError {
            backend,
            last: Arc::new(Mutex::new(None)),
        }
    }

    /// The cause of the latest failure, if any connection attempt failed yet.
    pub(crate) fn latest(&self) -> Option<String> {
        self.last.lock().clone()
    }
}

impl bb8::ErrorSink<PoolError> for LastConnectError {
    fn sink(&self, error: PoolError) {
        let message = error.to_string();
        tracing::debug!(backend = %self.backend, error = %message, "opening a database connection failed");
        *self.last.lock() = Some(message);
    }

    fn boxed_clone(&self) -> Box<dyn bb8::ErrorSink<PoolError>> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use diesel::sql_types::{BigInt, Text};
    use diesel::{QueryableByName, RunQueryDsl};

    use super::*;

    #[derive(QueryableByName, Debug, PartialEq)]
    struct ConnectionSettings {
        #[diesel(sql_type = BigInt)]
        foreign_keys: i64,
        #[diesel(sql_type = BigInt)]
        busy_timeout: i64,
        #[diesel(sql_type = Text)]
        journal_mode: String,
        #[diesel(sql_type = BigInt)]
        synchronous: i64,
    }

    fn settings_of(connection: &mut SqliteConnection) -> ConnectionSettings {
        diesel::sql_query(
            "SELECT (SELECT foreign_keys FROM pragma_foreign_keys) AS foreign_keys, \
                    (SELECT timeout FROM pragma_busy_timeout) AS busy_timeout, \
                    (SELECT journal_mode FROM pragma_journal_mode) AS journal_mode, \
                    (SELECT synchronous FROM pragma_synchronous) AS synchronous",
        )
        .get_result(connection)
        .unwrap()
    }

    #[test]
    fn every_sqlite_file_connection_is_set_up() {
        let folder = std::env::temp_dir().join(format!("agora_store_unit_{}", std::process::id()));
        std::fs::create_dir_all(&folder).unwrap();
        let target = SqliteTarget::file(&folder.join("unit.db"), "sqlite://unit.db").unwrap();
        let mut first = target.open().unwrap();
        let mut second = target.open().unwrap();
        for connection in [&mut first, &mut second] {
            // synchronous = 1 is NORMAL.
            let expected = ConnectionSettings {
                foreign_keys: 1,
                busy_timeout: 5000,
                journal_mode: "wal".into(),
                synchronous: 1,
            };
            assert_eq!(settings_of(connection), expected);
        }
        drop((first, second));
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn sqlite_memory_connections_share_one_database() {
        use diesel::connection::SimpleConnection;

        let target = SqliteTarget::memory(&format!("agora-unit-{}", std::process::id()));
        let mut first = target.open().unwrap();
        let mut second = target.open().unwrap();
        assert_eq!(settings_of(&mut first).foreign_keys, 1);
        first
            .batch_execute("CREATE TABLE shared (x INTEGER); INSERT INTO shared VALUES (1);")
            .unwrap();
        second
            .batch_execute("INSERT INTO shared VALUES (2);")
            .unwrap();
        #[derive(QueryableByName)]
        struct Total {
            #[diesel(sql_type = BigInt)]
            total: i64,
        }
        let total = diesel::sql_query("SELECT SUM(x) AS total FROM shared")
            .get_result::<Total>(&mut first)
            .unwrap();
        assert_eq!(total.total, 3);
    }
}
