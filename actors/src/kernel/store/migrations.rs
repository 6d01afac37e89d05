//! The schema migrations — the kernel's, embedded from `migrations/<backend>/`, and each
//! feature's, embedded from its own folder — run together in version order on tokio's
//! blocking pool with diesel's sync migration harness: over a sync connection for
//! SQLite, over a pooled async one (wrapped) for PostgreSQL.

use diesel::backend::Backend as DieselBackend;
use diesel::migration::MigrationSource;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{BackendPool, Store, StoreError};
use crate::feature::Migrations;

/// The SQLite migrations, from `migrations/sqlite/` at the workspace root.
static SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
/// The PostgreSQL migrations, from `migrations/postgres/` at the workspace root.
static POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// The PostgreSQL advisory lock held while migrating, so that processes starting
/// together over one database migrate one after another. ("agoramig" in ASCII.)
const POSTGRES_MIGRATION_LOCK: i64 = 0x6167_6f72_616d_6967;

impl Store {
    /// Applies the kernel's migrations this database has not seen yet (see
    /// [`Store::migrate_with`]).
    pub async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        self.migrate_with(&[]).await
    }

    /// Applies the kernel's and these features' migrations this database has not seen yet,
    /// in version order, and returns their names (`<timestamp>_<name>`), oldest first; an
    /// up-to-date database returns none.
    pub async fn migrate_with(&self, features: &[Migrations]) -> Result<Vec<String>, StoreError> {
        let backend = self.backend();
        let sqlite = AllMigrations(
            std::iter::once(&SQLITE_MIGRATIONS)
                .chain(features.iter().filter_map(|m| m.sqlite))
                .collect(),
        );
        let postgres = AllMigrations(
            std::iter::once(&POSTGRES_MIGRATIONS)
                .chain(features.iter().filter_map(|m| m.postgres))
                .collect(),
        );
        let migrating = match self.backend_pool()? {
            BackendPool::Sqlite { target, .. } => {
                tokio::task::spawn_blocking(move || {
                    let mut connection = target.open().map_err(|error| error.to_string())?;
                    // One writer at a time: another process migrating the same file
                    // finishes first, and this one then finds nothing pending.
                    connection
                        .immediate_transaction(|connection| {
                            apply_pending(connection, sqlite).map_err(MigrationFailure)
                        })
                        .map_err(|failure| failure.0)
                })
                .await
            }
            BackendPool::Postgres(pool) => {
                // A connection of its own, closed afterwards, so the advisory lock can
                // never stay behind in the pool.
                let connection =
                    pool.dedicated_connection()
                        .await
                        .map_err(|error| StoreError::Unavailable {
                            backend,
                            detail: error.to_string(),
                        })?;
                tokio::task::spawn_blocking(move || {
                    use diesel::connection::SimpleConnection;

                    let mut connection: AsyncConnectionWrapper<_> =
                        AsyncConnectionWrapper::from(connection);
                    connection
                        .batch_execute(&format!(
                            "SELECT pg_advisory_lock({POSTGRES_MIGRATION_LOCK})"
                        ))
                        .map_err(|error| error.to_string())?;
                    // The lock goes with the session when `connection` drops.
                    apply_pending(&mut connection, postgres)
                })
                .await
            }
        };
        let applied = match migrating {
            Ok(Ok(applied)) => applied,
            Ok(Err(detail)) => return Err(StoreError::Migration { backend, detail }),
            Err(join_error) => {
                return Err(StoreError::Migration {
                    backend,
                    detail: format!("the migration task failed: {join_error}"),
                })
            }
        };
        if applied.is_empty() {
            tracing::debug!(backend = %backend, "database schema is up to date");
        } else {
            tracing::info!(backend = %backend, migrations = ?applied, "applied database migrations");
        }
        Ok(applied)
    }
}

/// Several embedded sets of migrations as one source, in version order.
struct AllMigrations(Vec<&'static EmbeddedMigrations>);

impl<DB: DieselBackend> MigrationSource<DB> for AllMigrations
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    fn migrations(
        &self,
    ) -> diesel::migration::Result<Vec<Box<dyn diesel::migration::Migration<DB>>>> {
        let mut all = Vec::new();
        for set in &self.0 {
            all.extend(MigrationSource::<DB>::migrations(*set)?);
        }
        all.sort_by(|left, right| left.name().version().cmp(&right.name().version()));
        Ok(all)
    }
}

/// Why migrating failed, as the error of SQLite's migration transaction.
struct MigrationFailure(String);

impl From<diesel::result::Error> for MigrationFailure {
    fn from(error: diesel::result::Error) -> Self {
        MigrationFailure(error.to_string())
    }
}

/// Runs each pending migration in turn (each in its own transaction, or savepoint
/// inside SQLite's) and returns the names of those applied. Blocking.
fn apply_pending<Connection, DB>(
    connection: &mut Connection,
    migrations: AllMigrations,
) -> Result<Vec<String>, String>
where
    DB: DieselBackend,
    Connection: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let pending = connection
        .pending_migrations(migrations)
        .map_err(|error| error.to_string())?;
    let mut applied = Vec::with_capacity(pending.len());
    for migration in pending {
        let name = migration.name().to_string();
        connection
            .run_migration(&*migration)
            .map_err(|error| format!("{name}: {error}"))?;
        applied.push(name);
    }
    Ok(applied)
}
