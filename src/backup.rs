//! Backups of the SQLite store, and putting one back: a consistent snapshot (`VACUUM INTO`,
//! safe while the bot writes) into `database.backup_directory`, the newest
//! `database.backup_keep` kept; `agora restore FILE` checks the file is an Agora database
//! this build can run, refuses while a process runs on the database, keeps a copy of the
//! database it replaces and swaps the contents in one transaction. PostgreSQL has its own
//! tools (`pg_dump`, `pg_restore`); this module says so and does nothing there.
//!
//! The running bot takes a backup when one is due (a ticker, [`BackupPlan::ticker`]) and at
//! a clean stop ([`BackupPlan::back_up_now`] from `Agora::shutdown`).

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use agora_actors::feature::Migrations;
use agora_actors::kernel::metrics;
use agora_actors::kernel::store::{Store, StoreOptions};
use agora_actors::kernel::ticker::TickerSpec;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::config::{Config, DatabaseBackend, DatabaseConfig};

/// A process whose heartbeat row is younger than this runs on the database: `agora
/// restore` refuses. Every process writes its row every 5 s and removes it at a clean stop;
/// one that crashed is taken for stopped once its row is this old.
pub const RUNNING_WITHIN: Duration = agora_actors::cluster::SILENT_AFTER;

/// The ticker's name in logs and `/status`.
pub const BACKUP_TICKER: &str = "database-backup";

/// How often the ticker looks whether a backup is due: a restart never delays the next
/// backup by more than this past `database.backup_every_hours`.
const LOOK_EVERY: Duration = Duration::from_secs(10 * 60);

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How a backup's time is written in its name: sortable, and unique to the millisecond.
const STAMP: &str = "%Y%m%dT%H%M%S%.3fZ";

/// Where the pg_dump advice points.
const POSTGRES_ADVICE: &str = "the database is PostgreSQL, whose backups are taken with its own \
     tools: `pg_dump --format=custom --file=agora.dump \"$DATABASE_URL\"`, put back with \
     `pg_restore --clean --if-exists --dbname=\"$DATABASE_URL\" agora.dump` while the bot is \
     stopped (README, \"Backups\")";

/// Why a backup was not taken.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{POSTGRES_ADVICE}")]
    Postgres,
    #[error("the database is in memory (`database.url` = {0:?}): there is no file to back up")]
    InMemory(String),
    #[error(
        "no backup directory: set `database.backup_directory` \
         (AGORA_DATABASE__BACKUP_DIRECTORY) or pass --directory"
    )]
    NoDirectory,
    #[error("the database {0} does not exist: nothing to back up")]
    NoDatabase(PathBuf),
    #[error("the backup directory {path} is not writable ({detail}); nothing was written")]
    DirectoryNotWritable { path: PathBuf, detail: String },
    #[error("the snapshot of {database} into {path} failed: {detail}")]
    Snapshot {
        database: PathBuf,
        path: PathBuf,
        detail: String,
    },
}

/// Why a restore did not happen; in every case the database is as it was.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("{POSTGRES_ADVICE}")]
    Postgres,
    #[error("the database is in memory (`database.url` = {0:?}): there is no file to restore")]
    InMemory(String),
    #[error("cannot read {path}: {detail}; the database is unchanged")]
    Unreadable { path: PathBuf, detail: String },
    #[error("{path} is not a SQLite database ({detail}); the database is unchanged")]
    NotSqlite { path: PathBuf, detail: String },
    #[error("{path} is not an Agora database: {reason}; the database is unchanged")]
    NotAgora { path: PathBuf, reason: String },
    #[error(
        "{path} comes from a newer Agora: it has migrations this build does not know ({}); \
         restore it with that version or a later one; the database is unchanged",
        .unknown.join(", ")
    )]
    Newer { path: PathBuf, unknown: Vec<String> },
    #[error("{0} is the database itself; the database is unchanged")]
    SameFile(PathBuf),
    #[error(
        "Agora is running on {database} ({processes}): stop it first (a process that \
         crashed counts as stopped once its heartbeat is {} s old); the database is unchanged",
        RUNNING_WITHIN.as_secs()
    )]
    Running {
        database: PathBuf,
        processes: String,
    },
    #[error("the restore into {database} failed ({detail}); the database is unchanged")]
    Failed { database: PathBuf, detail: String },
}

/// One backup written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub path: PathBuf,
    pub bytes: u64,
    pub took: Duration,
    /// Older backups removed to keep `database.backup_keep`.
    pub removed: Vec<PathBuf>,
}

/// One restore done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The copy of the database the restore replaced (`None` when there was none).
    pub previous: Option<PathBuf>,
}

/// The SQLite file `database.url` names (relative to the working directory unless
/// absolute), or why there is none.
pub fn sqlite_file(database: &DatabaseConfig) -> Result<PathBuf, BackupError> {
    if database.backend() == DatabaseBackend::Postgres {
        return Err(BackupError::Postgres);
    }
    let url = database.url.expose().trim();
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or_default();
    if path.is_empty() || path == ":memory:" || url == "sqlite::memory:" {
        return Err(BackupError::InMemory(url.to_owned()));
    }
    Ok(PathBuf::from(path))
}

/// What the running bot backs up, where, how many it keeps and how often.
#[derive(Debug, Clone)]
pub struct BackupPlan {
    pub database: PathBuf,
    pub directory: PathBuf,
    pub keep: usize,
    pub every: Duration,
}

impl BackupPlan {
    /// The plan `config` asks for: `None` when `database.backup_directory` is empty (the
    /// configuration checks refuse a directory on PostgreSQL or an in-memory database).
    pub fn from_config(config: &Config) -> Result<Option<BackupPlan>, BackupError> {
        let database = &config.database;
        let Some(directory) = database.backup_directory.clone() else {
            return Ok(None);
        };
        Ok(Some(BackupPlan {
            database: sqlite_file(database)?,
            directory,
            keep: database.backup_keep.max(1) as usize,
            every: Duration::from_secs(u64::from(database.backup_every_hours) * 3600),
        }))
    }

    /// Takes a backup now, off the async threads, and logs it (file, size, duration) and
    /// counts it in the metrics; a failure is logged, never raised: the bot goes on.
    pub async fn back_up_now(&self, reason: &'static str, now: DateTime<Utc>) -> Option<Snapshot> {
        let plan = self.clone();
        let taken = tokio::task::spawn_blocking(move || {
            take_backup(&plan.database, &plan.directory, plan.keep, now)
        })
        .await;
        match taken {
            Ok(Ok(snapshot)) => {
                tracing::info!(
                    reason,
                    file = %snapshot.path.display(),
                    bytes = snapshot.bytes,
                    took_ms = snapshot.took.as_millis() as u64,
                    removed = snapshot.removed.len(),
                    "database backed up"
                );
                metrics::database_backup(true, snapshot.bytes, snapshot.took);
                Some(snapshot)
            }
            Ok(Err(error)) => {
                tracing::error!(reason, %error, "database backup failed");
                metrics::database_backup(false, 0, Duration::ZERO);
                None
            }
            Err(join_error) => {
                tracing::error!(reason, %join_error, "database backup task failed");
                metrics::database_backup(false, 0, Duration::ZERO);
                None
            }
        }
    }

    /// Whether a backup is due at `now`: none yet, or the newest is `every` old.
    pub fn due(&self, now: DateTime<Utc>) -> bool {
        let every = chrono::Duration::from_std(self.every).unwrap_or(chrono::Duration::MAX);
        newest_backup(&self.directory, &stem_of(&self.database))
            .is_none_or(|newest| now - newest >= every)
    }

    /// The ticker that takes a backup whenever one is due (it looks every 10 minutes, or
    /// every `every` when that is shorter).
    pub fn ticker(&self) -> TickerSpec {
        let plan = self.clone();
        TickerSpec::new(BACKUP_TICKER, LOOK_EVERY.min(self.every), move |kernel| {
            let plan = plan.clone();
            async move {
                let now = kernel.clock.now();
                if plan.due(now) {
                    plan.back_up_now("scheduled", now).await;
                }
            }
        })
    }
}

/// Snapshots `database` into `directory` as `<stem>-<UTC time>.db` and removes the oldest
/// of its backups there beyond `keep`. A directory that cannot be written is reported
/// before anything is written or removed. Blocking.
pub fn take_backup(
    database: &Path,
    directory: &Path,
    keep: usize,
    now: DateTime<Utc>,
) -> Result<Snapshot, BackupError> {
    let started = Instant::now();
    if !database.is_file() {
        return Err(BackupError::NoDatabase(database.to_owned()));
    }
    let not_writable = |error: std::io::Error| BackupError::DirectoryNotWritable {
        path: directory.to_owned(),
        detail: crate::config::describe_io_error(&error),
    };
    fs::create_dir_all(directory).map_err(not_writable)?;
    let stem = stem_of(database);
    let target = free_name(directory, &stem, now);
    let partial = target.with_extension("db.partial");
    // Creating a file proves the directory writable before SQLite is asked to.
    fs::File::create(&partial).map_err(not_writable)?;
    let _ = fs::remove_file(&partial);
    let snapshot_failed = |detail: String| BackupError::Snapshot {
        database: database.to_owned(),
        path: target.clone(),
        detail,
    };
    let written = open(database).and_then(|mut connection| {
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(partial.to_string_lossy().into_owned())
            .execute(&mut connection)
            .map_err(|error| error.to_string())
    });
    if let Err(detail) = written {
        let _ = fs::remove_file(&partial);
        return Err(snapshot_failed(detail));
    }
    fs::rename(&partial, &target).map_err(|error| {
        let _ = fs::remove_file(&partial);
        snapshot_failed(error.to_string())
    })?;
    let bytes = fs::metadata(&target).map_or(0, |metadata| metadata.len());
    let removed = prune(directory, &stem, keep);
    Ok(Snapshot {
        path: target,
        bytes,
        took: started.elapsed(),
        removed,
    })
}

/// The versions of the migrations this build knows (the kernel's and `features'`), read
/// by migrating a scratch database in memory: digits only, as diesel records them.
pub async fn known_migration_versions(features: &[Migrations]) -> anyhow::Result<Vec<String>> {
    let scratch = Store::connect("sqlite::memory:", StoreOptions::default()).await?;
    let names = scratch.migrate_with(features).await;
    scratch.close();
    Ok(names?.iter().map(|name| migration_version(name)).collect())
}

/// `2026-11-22-000000_core` → `20261122000000`.
fn migration_version(name: &str) -> String {
    let version = name.split('_').next().unwrap_or(name);
    version.chars().filter(char::is_ascii_digit).collect()
}

/// Puts `file` (a backup) in place of the database at `database`, in one transaction, after
/// checking it is an Agora database whose migrations are all in `known` and that no
/// process runs on `database`; the database it replaces is kept beside it as
/// `<stem>-before-restore-<UTC time>.db`. Blocking.
pub fn restore(
    database: &Path,
    file: &Path,
    known: &[String],
    now: DateTime<Utc>,
) -> Result<Restored, RestoreError> {
    let failed = |detail: String| RestoreError::Failed {
        database: database.to_owned(),
        detail,
    };
    check_header(file)?;
    if database.exists() && same_file(database, file) {
        return Err(RestoreError::SameFile(file.to_owned()));
    }
    let folder = database
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(|error| failed(error.to_string()))?;
    // A private copy to check and read from: the backup itself is never opened for writing.
    let staging = Staging(folder.join(format!(
        ".{}-restoring-{}.db",
        stem_of(database),
        now.format(STAMP)
    )));
    fs::copy(file, &staging.0).map_err(|error| {
        failed(format!(
            "could not copy {} beside it: {}",
            file.display(),
            crate::config::describe_io_error(&error)
        ))
    })?;
    check_candidate(&staging.0, file, known)?;

    let existed = database.exists();
    let mut live = open(database).map_err(failed)?;
    if existed {
        let running = running_processes(&mut live, now).map_err(failed)?;
        if !running.is_empty() {
            return Err(RestoreError::Running {
                database: database.to_owned(),
                processes: running.join("; "),
            });
        }
    }
    let previous = if existed {
        let copy = folder.join(format!(
            "{}-before-restore-{}.db",
            stem_of(database),
            now.format(STAMP)
        ));
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(copy.to_string_lossy().into_owned())
            .execute(&mut live)
            .map_err(|error| failed(format!("could not keep a copy of it: {error}")))?;
        Some(copy)
    } else {
        None
    };
    if let Err(detail) = replace_contents(&mut live, &staging.0) {
        drop(live);
        // Nothing of this attempt stays: not the copy, not a database file it created.
        match &previous {
            Some(copy) => {
                let _ = fs::remove_file(copy);
            }
            None => {
                let _ = fs::remove_file(database);
            }
        }
        return Err(failed(detail));
    }
    Ok(Restored { previous })
}

/// Removes the staging copy (and SQLite's files beside it) however the restore ends.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = fs::remove_file(path);
        }
    }
}

fn check_header(file: &Path) -> Result<(), RestoreError> {
    let unreadable = |error: std::io::Error| RestoreError::Unreadable {
        path: file.to_owned(),
        detail: crate::config::describe_io_error(&error),
    };
    let mut header = [0_u8; 16];
    let mut opened = fs::File::open(file).map_err(unreadable)?;
    let read = opened.read(&mut header).map_err(unreadable)?;
    if read < header.len() || &header != SQLITE_HEADER {
        return Err(RestoreError::NotSqlite {
            path: file.to_owned(),
            detail: "it does not start with SQLite's header".to_owned(),
        });
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    text: String,
}

/// Whether `candidate` (the staging copy of `file`) is sound, is Agora's, and holds no
/// migration outside `known`.
fn check_candidate(candidate: &Path, file: &Path, known: &[String]) -> Result<(), RestoreError> {
    let not_sqlite = |detail: String| RestoreError::NotSqlite {
        path: file.to_owned(),
        detail,
    };
    let mut connection = open(candidate).map_err(not_sqlite)?;
    let check: Vec<Line> = diesel::sql_query("SELECT quick_check AS text FROM pragma_quick_check")
        .load(&mut connection)
        .map_err(|error| not_sqlite(error.to_string()))?;
    if check.first().is_none_or(|line| line.text != "ok") {
        let problems: Vec<String> = check.into_iter().take(3).map(|line| line.text).collect();
        return Err(not_sqlite(format!(
            "it is damaged: {}",
            problems.join("; ")
        )));
    }
    if !has_table(&mut connection, "__diesel_schema_migrations").map_err(not_sqlite)? {
        return Err(RestoreError::NotAgora {
            path: file.to_owned(),
            reason: "it has no migrations table".to_owned(),
        });
    }
    let applied: Vec<Line> =
        diesel::sql_query("SELECT version AS text FROM __diesel_schema_migrations")
            .load(&mut connection)
            .map_err(|error| not_sqlite(error.to_string()))?;
    let versions: Vec<String> = applied
        .into_iter()
        .map(|line| line.text.chars().filter(char::is_ascii_digit).collect())
        .collect();
    if !versions.iter().any(|version| known.contains(version)) {
        return Err(RestoreError::NotAgora {
            path: file.to_owned(),
            reason: "none of its migrations is one of Agora's".to_owned(),
        });
    }
    let mut unknown: Vec<String> = versions
        .into_iter()
        .filter(|version| !known.contains(version))
        .collect();
    if !unknown.is_empty() {
        unknown.sort();
        return Err(RestoreError::Newer {
            path: file.to_owned(),
            unknown,
        });
    }
    Ok(())
}

fn has_table(connection: &mut SqliteConnection, name: &str) -> Result<bool, String> {
    let found: Count = diesel::sql_query(
        "SELECT count(*) AS count FROM sqlite_master WHERE type = 'table' AND name = ?",
    )
    .bind::<Text, _>(name)
    .get_result(connection)
    .map_err(|error| error.to_string())?;
    Ok(found.count > 0)
}

#[derive(QueryableByName)]
struct Heartbeat {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Timestamp)]
    heartbeat_at: NaiveDateTime,
}

/// The processes whose heartbeat row is younger than [`RUNNING_WITHIN`] at `now`.
fn running_processes(
    connection: &mut SqliteConnection,
    now: DateTime<Utc>,
) -> Result<Vec<String>, String> {
    if !has_table(connection, "agora_processes")? {
        return Ok(Vec::new());
    }
    let beats: Vec<Heartbeat> = diesel::sql_query("SELECT name, heartbeat_at FROM agora_processes")
        .load(connection)
        .map_err(|error| error.to_string())?;
    let within = chrono::Duration::from_std(RUNNING_WITHIN).unwrap_or_default();
    Ok(beats
        .into_iter()
        .filter(|beat| now - beat.heartbeat_at.and_utc() < within)
        .map(|beat| {
            let age = (now - beat.heartbeat_at.and_utc()).num_seconds().max(0);
            format!("process {} wrote its heartbeat {age} s ago", beat.name)
        })
        .collect())
}

#[derive(QueryableByName)]
struct SchemaObject {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Replaces every table, index, trigger and view of `live` with those of `staging`, in one
/// immediate transaction: SQLite's own locking keeps it atomic, and an error leaves `live`
/// as it was.
fn replace_contents(live: &mut SqliteConnection, staging: &Path) -> Result<(), String> {
    let error = |error: diesel::result::Error| error.to_string();
    live.batch_execute("PRAGMA foreign_keys = OFF")
        .map_err(error)?;
    diesel::sql_query("ATTACH DATABASE ? AS restored")
        .bind::<Text, _>(staging.to_string_lossy().into_owned())
        .execute(live)
        .map_err(error)?;
    let replaced = live.immediate_transaction(|connection| {
        let objects = |connection: &mut SqliteConnection, schema: &str| {
            diesel::sql_query(format!(
                "SELECT type AS kind, name, coalesce(sql, '') AS sql FROM {schema}.sqlite_master \
                 WHERE name NOT LIKE 'sqlite_%' ORDER BY rowid"
            ))
            .load::<SchemaObject>(connection)
        };
        let old = objects(connection, "main")?;
        for kind in ["view", "table"] {
            for object in old.iter().filter(|object| object.kind == kind) {
                let drop = format!("DROP {} IF EXISTS main.{}", kind.to_uppercase(), quoted(&object.name));
                connection.batch_execute(&drop)?;
            }
        }
        let new = objects(connection, "restored")?;
        let with_sql = |kind: &'static str| {
            new.iter()
                .filter(move |object| object.kind == kind && !object.sql.is_empty())
        };
        for table in with_sql("table") {
            connection.batch_execute(&table.sql)?;
            let name = quoted(&table.name);
            connection.batch_execute(&format!(
                "INSERT INTO main.{name} SELECT * FROM restored.{name}"
            ))?;
        }
        let sequences = |connection: &mut SqliteConnection, schema: &str| {
            diesel::sql_query(format!(
                "SELECT count(*) AS count FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'"
            ))
            .get_result::<Count>(connection)
            .map(|found| found.count > 0)
        };
        if sequences(connection, "main")? {
            connection.batch_execute("DELETE FROM main.sqlite_sequence")?;
            if sequences(connection, "restored")? {
                connection.batch_execute(
                    "INSERT INTO main.sqlite_sequence SELECT * FROM restored.sqlite_sequence",
                )?;
            }
        }
        for kind in ["index", "trigger", "view"] {
            for object in with_sql(kind) {
                connection.batch_execute(&object.sql)?;
            }
        }
        // The heartbeat rows describe processes, not data: none runs now (checked above).
        if new.iter().any(|object| object.name == "agora_processes") {
            connection.batch_execute("DELETE FROM main.agora_processes")?;
        }
        Ok::<_, diesel::result::Error>(())
    });
    let detached = live.batch_execute("DETACH DATABASE restored");
    let _ = live.batch_execute("PRAGMA foreign_keys = ON");
    replaced.map_err(error)?;
    detached.map_err(error)
}

/// A name as an SQL identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Opens a SQLite file the way the store does (waiting up to 5 s for another writer).
fn open(path: &Path) -> Result<SqliteConnection, String> {
    let name = path.to_string_lossy();
    let mut connection = SqliteConnection::establish(&name).map_err(|error| error.to_string())?;
    connection
        .batch_execute("PRAGMA busy_timeout = 5000")
        .map_err(|error| error.to_string())?;
    Ok(connection)
}

fn same_file(left: &Path, right: &Path) -> bool {
    match (fs::canonicalize(left), fs::canonicalize(right)) {
        (Ok(left), Ok(right)) => left == right,
        _ => false,
    }
}

/// The database file's name without `.db`: the prefix of its backups' names.
fn stem_of(database: &Path) -> String {
    database.file_stem().map_or_else(
        || "agora".to_owned(),
        |stem| stem.to_string_lossy().into_owned(),
    )
}

/// `<stem>-<stamp>.db` in `directory` for `now`, or a millisecond past the newest backup
/// there when that is later: the names sort in the order the backups were taken.
fn free_name(directory: &Path, stem: &str, now: DateTime<Utc>) -> PathBuf {
    let mut at = newest_backup(directory, stem).map_or(now, |newest| {
        now.max(newest + chrono::Duration::milliseconds(1))
    });
    loop {
        let path = directory.join(format!("{stem}-{}.db", at.format(STAMP)));
        if !path.exists() {
            return path;
        }
        at += chrono::Duration::milliseconds(1);
    }
}

/// The backups of `stem` in `directory` (named by [`free_name`]), oldest first.
fn backups_in(directory: &Path, stem: &str) -> Vec<(DateTime<Utc>, PathBuf)> {
    let Ok(entries) = fs::read_dir(directory) else {
        return Vec::new();
    };
    let prefix = format!("{stem}-");
    let mut backups: Vec<(DateTime<Utc>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let stamp = name.strip_prefix(&prefix)?.strip_suffix(".db")?;
            let at = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?.and_utc();
            Some((at, entry.path()))
        })
        .collect();
    backups.sort();
    backups
}

/// When the newest backup of `stem` in `directory` was taken.
pub fn newest_backup(directory: &Path, stem: &str) -> Option<DateTime<Utc>> {
    backups_in(directory, stem).last().map(|(at, _)| *at)
}

/// Removes all but the newest `keep` backups of `stem`; returns those removed.
fn prune(directory: &Path, stem: &str, keep: usize) -> Vec<PathBuf> {
    let backups = backups_in(directory, stem);
    let excess = backups.len().saturating_sub(keep.max(1));
    let mut removed = Vec::new();
    for (_, path) in backups.into_iter().take(excess) {
        match fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(error) => {
                tracing::warn!(file = %path.display(), %error, "could not remove an old backup")
            }
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_migration_name_becomes_the_version_diesel_records() {
        assert_eq!(
            migration_version("2026-11-22-000000_core"),
            "20261122000000"
        );
        assert_eq!(
            migration_version("20261201200000_processes"),
            "20261201200000"
        );
    }

    #[test]
    fn backups_are_named_sortably_and_found_again() {
        let dir = tempfile::tempdir().unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-04T17:31:50.123Z")
            .unwrap()
            .with_timezone(&Utc);
        let first = free_name(dir.path(), "agora", at);
        assert!(
            first.ends_with("agora-20261204T173150.123Z.db"),
            "{first:?}"
        );
        fs::write(&first, b"x").unwrap();
        let second = free_name(dir.path(), "agora", at);
        assert!(
            second.ends_with("agora-20261204T173150.124Z.db"),
            "{second:?}"
        );
        fs::write(&second, b"x").unwrap();
        fs::write(dir.path().join("agora-before-restore-x.db"), b"x").unwrap();
        fs::write(dir.path().join("other-20261204T173150.123Z.db"), b"x").unwrap();
        let found = backups_in(dir.path(), "agora");
        assert_eq!(
            found.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(),
            vec![first.clone(), second.clone()]
        );
        assert_eq!(prune(dir.path(), "agora", 1), vec![first]);
        assert!(second.exists());
        assert!(dir.path().join("other-20261204T173150.123Z.db").exists());
    }
}
