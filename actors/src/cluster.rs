//! Many processes of one bot over one PostgreSQL: each holds an advisory lock per shard it
//! runs (fencing: a second process given the same shards refuses, or waits as a standby),
//! one holds the leader lock and runs the tickers (failover when its connection dies), and
//! each writes a heartbeat row. The locks live on a dedicated connection, not a pooled one:
//! a session-level advisory lock is released exactly when that connection closes, which is
//! when the process dies. On SQLite there is one process: it is the leader.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{Bool, Integer};
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use tokio::sync::{oneshot, watch};

use crate::kernel::store::{ProcessBeat, Store};

/// The advisory-lock class of the shard locks (`pg_try_advisory_lock(class, shard_id)`).
const SHARD_LOCK_CLASS: i32 = 0x4167_0001;
/// The advisory-lock class of the leader lock (one key, 0).
const LEADER_LOCK_CLASS: i32 = 0x4167_0002;
/// How often the keeper checks its connection and, when not leader, asks for the lock.
const KEEP_EVERY: Duration = Duration::from_secs(1);
/// How often the heartbeat row is written.
pub const BEAT_EVERY: Duration = Duration::from_secs(5);
/// A process whose heartbeat is older than this is shown as silent.
pub const SILENT_AFTER: Duration = Duration::from_secs(30);
/// How often a standby says it is still waiting.
const STANDBY_NOTE_EVERY: Duration = Duration::from_secs(30);

/// Whether this process runs the tickers now. Cloned into the kernel; tickers look before
/// each tick.
#[derive(Debug, Clone)]
pub struct Leadership(Arc<AtomicBool>);

impl Leadership {
    /// The only process (SQLite, tests): always the leader.
    pub fn sole() -> Leadership {
        Leadership(Arc::new(AtomicBool::new(true)))
    }

    /// Not the leader until the lock is taken.
    pub fn contender() -> Leadership {
        Leadership(Arc::new(AtomicBool::new(false)))
    }

    pub fn is_leader(&self) -> bool {
        AtomicBool::load(&self.0, Ordering::Acquire)
    }

    fn set(&self, leader: bool) {
        self.0.store(leader, Ordering::Release);
    }
}

impl Default for Leadership {
    fn default() -> Self {
        Leadership::sole()
    }
}

/// Who this process is among the bot's processes.
#[derive(Debug, Clone)]
pub struct Membership {
    /// Unique among the processes (host name and process id by default).
    pub name: String,
    pub shards: Range<u32>,
    pub shard_total: u32,
    pub version: &'static str,
    pub started_at: DateTime<Utc>,
}

impl Membership {
    fn beat(&self, leader: bool) -> ProcessBeat {
        ProcessBeat {
            name: self.name.clone(),
            shard_first: self.shards.start,
            shard_count: self.shards.end - self.shards.start,
            shard_total: self.shard_total,
            leader,
            version: self.version.to_owned(),
            started_at: self.started_at,
            heartbeat_at: self.started_at,
        }
    }
}

/// Why the process may not run its shards.
#[derive(Debug, thiserror::Error)]
pub enum FenceError {
    #[error(
        "shards {} are run by another process ({holders}); this one does not start them. \
         Give it another range, stop the other process, or start this one with --standby \
         to take over when the other stops",
        shard_list(.busy)
    )]
    Taken { busy: Vec<u32>, holders: String },
    #[error("could not open the dedicated database connection for the shard locks: {0}")]
    Connection(String),
    #[error("the shard locks could not be queried: {0}")]
    Query(String),
}

fn shard_list(shards: &[u32]) -> String {
    shards
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(QueryableByName)]
struct Locked {
    #[diesel(sql_type = Bool)]
    locked: bool,
}

async fn try_lock(
    connection: &mut AsyncPgConnection,
    class: i32,
    key: i32,
) -> Result<bool, diesel::result::Error> {
    let row: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1, $2) AS locked")
        .bind::<Integer, _>(class)
        .bind::<Integer, _>(key)
        .get_result(connection)
        .await?;
    Ok(row.locked)
}

async fn unlock_all(connection: &mut AsyncPgConnection) -> Result<(), diesel::result::Error> {
    diesel::sql_query("SELECT pg_advisory_unlock_all()")
        .execute(connection)
        .await?;
    Ok(())
}

/// The shard range's locks, all or none: `Ok(Err(busy))` names the shards another
/// connection holds (the ones taken here are let go again).
async fn lock_shards(
    connection: &mut AsyncPgConnection,
    shards: Range<u32>,
) -> Result<Result<(), Vec<u32>>, diesel::result::Error> {
    let mut busy = Vec::new();
    for shard in shards {
        let key = i32::try_from(shard).unwrap_or(i32::MAX);
        if !try_lock(connection, SHARD_LOCK_CLASS, key).await? {
            busy.push(shard);
        }
    }
    if busy.is_empty() {
        Ok(Ok(()))
    } else {
        unlock_all(connection).await?;
        Ok(Err(busy))
    }
}

/// This process's place among the bot's processes, kept up by a background task: the
/// shard locks (PostgreSQL), the leader lock, the heartbeat row.
pub struct Cluster {
    pub leadership: Leadership,
    /// Says why, when the shard locks were lost (the dedicated connection died): the
    /// process must stop its shards, as another may now run them.
    pub fence_lost: watch::Receiver<Option<String>>,
    stop: Option<oneshot::Sender<()>>,
    keeper: Option<tokio::task::JoinHandle<()>>,
    store: Store,
    name: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("name", &self.name)
            .field("leader", &self.leadership.is_leader())
            .finish()
    }
}

impl Cluster {
    /// The only process (SQLite): the leader, with a heartbeat row.
    pub fn sole(store: Store, member: Membership, leadership: Leadership) -> Cluster {
        leadership.set(true);
        let (lost_sender, fence_lost) = watch::channel(None);
        let (stop, stopped) = oneshot::channel();
        let (beat_store, beat_member) = (store.clone(), member.clone());
        let keeper = tokio::spawn(async move {
            // Never reports a lost fence (there is none to lose), but keeps the channel open.
            let _lost_sender = lost_sender;
            beat_until_stopped(beat_store, beat_member, stopped).await
        });
        Cluster {
            leadership,
            fence_lost,
            stop: Some(stop),
            keeper: Some(keeper),
            store,
            name: member.name,
        }
    }

    /// Takes the shard locks of `member.shards` on a connection of its own to
    /// `database_url` (PostgreSQL). When another process holds any of them: an error, or,
    /// as a `standby`, waits until they are all free. Then contends for the leader lock
    /// every second for as long as the process runs.
    pub async fn join(
        database_url: &str,
        store: Store,
        member: Membership,
        standby: bool,
        leadership: Leadership,
    ) -> Result<Cluster, FenceError> {
        let mut connection = AsyncPgConnection::establish(database_url)
            .await
            .map_err(|error| FenceError::Connection(error.to_string()))?;
        let mut waited_since: Option<tokio::time::Instant> = None;
        let mut noted = tokio::time::Instant::now();
        loop {
            let outcome = lock_shards(&mut connection, member.shards.clone())
                .await
                .map_err(|error| FenceError::Query(error.to_string()))?;
            let busy = match outcome {
                Ok(()) => break,
                Err(busy) => busy,
            };
            if !standby {
                let holders = holders_of(&store, &busy).await;
                return Err(FenceError::Taken { busy, holders });
            }
            if waited_since.is_none() || noted.elapsed() >= STANDBY_NOTE_EVERY {
                tracing::warn!(
                    shards = %shard_list(&busy),
                    "standby: another process runs these shards; waiting to take over"
                );
                noted = tokio::time::Instant::now();
            }
            waited_since.get_or_insert_with(tokio::time::Instant::now);
            tokio::time::sleep(KEEP_EVERY).await;
        }
        if let Some(since) = waited_since {
            tracing::warn!(
                waited_ms = since.elapsed().as_millis() as u64,
                "standby: took over shards {}..{}",
                member.shards.start,
                member.shards.end
            );
        } else {
            tracing::info!(
                "shards {}..{} locked for this process",
                member.shards.start,
                member.shards.end
            );
        }
        leadership.set(false);
        let (lost_sender, fence_lost) = watch::channel(None);
        let (stop, stopped) = oneshot::channel();
        let keeper = tokio::spawn(keep(
            connection,
            store.clone(),
            member.clone(),
            leadership.clone(),
            lost_sender,
            stopped,
        ));
        Ok(Cluster {
            leadership,
            fence_lost,
            stop: Some(stop),
            keeper: Some(keeper),
            store,
            name: member.name,
        })
    }

    /// Resolves when the shard locks are lost, with the reason; never for the sole process.
    pub async fn fence_lost(&mut self) -> String {
        match self.fence_lost.wait_for(Option::is_some).await {
            Ok(reason) => reason.clone().unwrap_or_default(),
            Err(_) => std::future::pending().await,
        }
    }

    /// Lets go of every lock (the connection closes) and removes the heartbeat row.
    pub async fn leave(mut self) {
        self.leadership.set(false);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(keeper) = self.keeper.take() {
            let _ = keeper.await;
        }
        if let Err(error) = self.store.forget_process(&self.name).await {
            tracing::warn!(%error, "could not remove this process's heartbeat row");
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(keeper) = self.keeper.take() {
            keeper.abort();
        }
    }
}

/// Who holds these shards, from the heartbeat table.
async fn holders_of(store: &Store, shards: &[u32]) -> String {
    let since = Utc::now() - chrono::Duration::from_std(SILENT_AFTER).unwrap_or_default();
    match store.processes_since(since).await {
        Ok(processes) => {
            let holders: Vec<String> = processes
                .iter()
                .filter(|p| {
                    shards
                        .iter()
                        .any(|s| (p.shard_first..p.shard_first + p.shard_count).contains(s))
                })
                .map(|p| {
                    format!(
                        "{} with shards {}..{}, last heartbeat {} s ago",
                        p.name,
                        p.shard_first,
                        p.shard_first + p.shard_count,
                        (Utc::now() - p.heartbeat_at).num_seconds().max(0)
                    )
                })
                .collect();
            if holders.is_empty() {
                "no heartbeat in the last 30 s names it".to_owned()
            } else {
                holders.join("; ")
            }
        }
        Err(error) => format!("the heartbeat table could not be read: {error}"),
    }
}

/// The heartbeat alone (SQLite).
async fn beat_until_stopped(store: Store, member: Membership, mut stopped: oneshot::Receiver<()>) {
    let mut every = tokio::time::interval(BEAT_EVERY);
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            _ = every.tick() => {
                if let Err(error) = store.beat(&member.beat(true)).await {
                    tracing::warn!(%error, "could not write this process's heartbeat");
                }
            }
        }
    }
}

/// Keeps the dedicated connection: checks it every second (the leader lock attempt is the
/// check when not leader), writes the heartbeat every few seconds, and on a lost
/// connection drops the leadership at once and reports the fence lost.
async fn keep(
    mut connection: AsyncPgConnection,
    store: Store,
    member: Membership,
    leadership: Leadership,
    lost: watch::Sender<Option<String>>,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut every = tokio::time::interval(KEEP_EVERY);
    let mut last_beat: Option<tokio::time::Instant> = None;
    loop {
        tokio::select! {
            _ = &mut stopped => {
                let _ = unlock_all(&mut connection).await;
                return;
            }
            _ = every.tick() => {}
        }
        let checked = if leadership.is_leader() {
            diesel::sql_query("SELECT 1")
                .execute(&mut connection)
                .await
                .map(|_| ())
        } else {
            match try_lock(&mut connection, LEADER_LOCK_CLASS, 0).await {
                Ok(true) => {
                    leadership.set(true);
                    tracing::warn!("this process is the leader now: it runs the tickers");
                    // Say so in the heartbeat table at once.
                    last_beat = None;
                    Ok(())
                }
                Ok(false) => Ok(()),
                Err(error) => Err(error),
            }
        };
        if let Err(error) = checked {
            leadership.set(false);
            let reason = format!(
                "the database connection that holds the shard locks failed ({error}); another \
                 process may take these shards over, so this one stops"
            );
            tracing::error!("{reason}");
            let _ = lost.send(Some(reason));
            return;
        }
        if last_beat.is_none_or(|at| at.elapsed() >= BEAT_EVERY) {
            last_beat = Some(tokio::time::Instant::now());
            if let Err(error) = store.beat(&member.beat(leadership.is_leader())).await {
                tracing::warn!(%error, "could not write this process's heartbeat");
            }
        }
    }
}
