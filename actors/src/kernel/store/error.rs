//! What can go wrong in the store, sorted so a caller can tell "the database is not
//! there right now, try later" from every other failure.

use std::path::PathBuf;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::Backend;

/// Every failure of the store. Messages never carry a password: URLs in them are
/// redacted (see [`redact_url`](super::redact_url)).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names a database this store does not speak.
    #[error(
        "unsupported database URL scheme `{scheme}` (expected `sqlite://PATH`, `sqlite::memory:`, \
         `postgres://…` or `postgresql://…`)"
    )]
    UnsupportedScheme { scheme: String },

    /// The URL has a supported scheme but cannot be used as written.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL with its password replaced by `***`.
        url: String,
        reason: String,
    },

    /// [`StoreOptions`](super::StoreOptions) that cannot work (a pool of zero, a zero timeout).
    #[error("invalid store options: {reason}")]
    InvalidOptions { reason: String },

    /// The database could not be reached or did not answer in time: connection refused,
    /// no pooled connection free within the timeout, a connection lost mid-query, or
    /// SQLite still locked by another writer after its busy timeout. Retrying later may
    /// succeed.
    #[error("{backend} database unavailable: {detail}")]
    Unavailable { backend: Backend, detail: String },

    /// A query reached the database and failed there.
    #[error("{backend} query failed: {source}")]
    Query {
        backend: Backend,
        #[source]
        source: DieselError,
    },

    /// The embedded migrations could not be applied.
    #[error("{backend} migrations failed: {detail}")]
    Migration { backend: Backend, detail: String },

    /// A stored value could not be decoded (for example a JSON column that no longer
    /// parses), or a value does not fit its column.
    #[error("invalid {what}: {detail}")]
    InvalidData { what: &'static str, detail: String },

    /// The folder of a SQLite database file could not be created.
    #[error("cannot prepare the SQLite database folder {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// [`Store::close`](super::Store::close) was called on this store (or a clone of it).
    #[error("the store is closed")]
    Closed,
}

impl StoreError {
    /// True when the database could not be reached or did not answer in time, so the
    /// caller should report "try again later" rather than a bug.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Unavailable { .. } => true,
            StoreError::Query { source, .. } => diesel_error_means_unavailable(source),
            _ => false,
        }
    }

    /// Sorts a diesel error from a query into "unavailable" or "query failed".
    #[doc(hidden)]
    pub fn from_query(backend: Backend, source: DieselError) -> Self {
        if diesel_error_means_unavailable(&source) {
            StoreError::Unavailable {
                backend,
                detail: source.to_string(),
            }
        } else {
            StoreError::Query { backend, source }
        }
    }
}

/// Whether a diesel error says the connection, not the query, failed.
fn diesel_error_means_unavailable(error: &DieselError) -> bool {
    match error {
        DieselError::DatabaseError(kind, info) => match kind {
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand => true,
            // SQLite reports SQLITE_BUSY / SQLITE_LOCKED (after busy_timeout) this way.
            DatabaseErrorKind::Unknown => {
                let message = info.message();
                message.contains("database is locked")
                    || message.contains("database table is locked")
            }
            _ => false,
        },
        DieselError::BrokenTransactionManager => true,
        _ => false,
    }
}
