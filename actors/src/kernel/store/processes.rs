//! The heartbeat table: every process sharing the database writes its row (shard range,
//! whether it runs the tickers) every few seconds, so `/status` can list them all and show
//! which one went silent.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::agora_processes;
use super::{with_connection, Store, StoreError};

/// One process as its last heartbeat described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessBeat {
    /// Unique among the bot's processes (host name and process id by default).
    pub name: String,
    pub shard_first: u32,
    pub shard_count: u32,
    pub shard_total: u32,
    /// Whether it runs the tickers.
    pub leader: bool,
    pub version: String,
    pub started_at: DateTime<Utc>,
    /// Set by the store when saving.
    pub heartbeat_at: DateTime<Utc>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = agora_processes)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ProcessRow {
    name: String,
    shard_first: i32,
    shard_count: i32,
    shard_total: i32,
    leader: bool,
    version: String,
    started_at: NaiveDateTime,
    heartbeat_at: NaiveDateTime,
}

fn column(what: &'static str, value: u32) -> Result<i32, StoreError> {
    i32::try_from(value).map_err(|_| StoreError::InvalidData {
        what,
        detail: format!("{value} does not fit the column"),
    })
}

fn number(what: &'static str, value: i32) -> Result<u32, StoreError> {
    u32::try_from(value).map_err(|_| StoreError::InvalidData {
        what,
        detail: format!("stored {value} is negative"),
    })
}

impl ProcessRow {
    fn into_beat(self) -> Result<ProcessBeat, StoreError> {
        Ok(ProcessBeat {
            name: self.name,
            shard_first: number("agora_processes.shard_first", self.shard_first)?,
            shard_count: number("agora_processes.shard_count", self.shard_count)?,
            shard_total: number("agora_processes.shard_total", self.shard_total)?,
            leader: self.leader,
            version: self.version,
            started_at: self.started_at.and_utc(),
            heartbeat_at: self.heartbeat_at.and_utc(),
        })
    }
}

impl Store {
    /// Writes this process's heartbeat (its row, replaced), stamped now.
    pub async fn beat(&self, beat: &ProcessBeat) -> Result<(), StoreError> {
        let row = ProcessRow {
            name: beat.name.clone(),
            shard_first: column("agora_processes.shard_first", beat.shard_first)?,
            shard_count: column("agora_processes.shard_count", beat.shard_count)?,
            shard_total: column("agora_processes.shard_total", beat.shard_total)?,
            leader: beat.leader,
            version: beat.version.clone(),
            started_at: beat.started_at.naive_utc(),
            heartbeat_at: self.now(),
        };
        with_connection!(self, connection => {
            diesel::insert_into(agora_processes::table)
                .values(&row)
                .on_conflict(agora_processes::name)
                .do_update()
                .set((
                    agora_processes::shard_first.eq(row.shard_first),
                    agora_processes::shard_count.eq(row.shard_count),
                    agora_processes::shard_total.eq(row.shard_total),
                    agora_processes::leader.eq(row.leader),
                    agora_processes::version.eq(&row.version),
                    agora_processes::started_at.eq(row.started_at),
                    agora_processes::heartbeat_at.eq(row.heartbeat_at),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Every process that beat since `since`, by first shard.
    pub async fn processes_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<ProcessBeat>, StoreError> {
        let since = since.naive_utc();
        let rows: Vec<ProcessRow> = with_connection!(self, connection => {
            agora_processes::table
                .filter(agora_processes::heartbeat_at.ge(since))
                .order((agora_processes::shard_first.asc(), agora_processes::name.asc()))
                .select(ProcessRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(ProcessRow::into_beat).collect()
    }

    /// Removes a process's row (it stopped cleanly); true when there was one.
    pub async fn forget_process(&self, name: &str) -> Result<bool, StoreError> {
        let removed = with_connection!(self, connection => {
            diesel::delete(agora_processes::table.find(name))
                .execute(connection)
                .await
        })?;
        Ok(removed == 1)
    }
}
