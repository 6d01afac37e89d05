//! Saved gateway sessions: each shard's session id, last sequence and resume URL, so a
//! restarted process resumes instead of identifying again.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::schema::gateway_sessions;
use super::{with_connection, Store, StoreError};

/// What a shard needs to resume its gateway session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedSession {
    pub shard_id: u32,
    /// How many shards the process ran; a session is only resumable with the same count.
    pub shard_count: u32,
    pub session_id: String,
    /// The last sequence number received.
    pub sequence: u64,
    /// Where Discord asked resumes to go (`resume_gateway_url` of READY).
    pub resume_url: String,
    /// When it was saved. Set by the store; ignored when saving.
    pub saved_at: DateTime<Utc>,
}

/// A `gateway_sessions` row as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = gateway_sessions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct GatewaySessionRow {
    shard_id: i32,
    shard_count: i32,
    session_id: String,
    sequence: i64,
    resume_url: String,
    saved_at: NaiveDateTime,
}

impl GatewaySessionRow {
    fn new(session: &SavedSession, saved_at: NaiveDateTime) -> Result<Self, StoreError> {
        Ok(GatewaySessionRow {
            shard_id: to_column("gateway_sessions.shard_id", session.shard_id)?,
            shard_count: to_column("gateway_sessions.shard_count", session.shard_count)?,
            session_id: session.session_id.clone(),
            sequence: to_column("gateway_sessions.sequence", session.sequence)?,
            resume_url: session.resume_url.clone(),
            saved_at,
        })
    }

    fn into_session(self) -> Result<SavedSession, StoreError> {
        Ok(SavedSession {
            shard_id: from_column("gateway_sessions.shard_id", self.shard_id)?,
            shard_count: from_column("gateway_sessions.shard_count", self.shard_count)?,
            session_id: self.session_id,
            sequence: from_column("gateway_sessions.sequence", self.sequence)?,
            resume_url: self.resume_url,
            saved_at: self.saved_at.and_utc(),
        })
    }
}

/// An unsigned number into its signed column, or an error naming the column.
fn to_column<U, S>(what: &'static str, value: U) -> Result<S, StoreError>
where
    U: Copy + std::fmt::Display,
    S: TryFrom<U>,
{
    S::try_from(value).map_err(|_| StoreError::InvalidData {
        what,
        detail: format!("{value} does not fit the column"),
    })
}

/// A signed column back into its unsigned number, or an error naming the column.
fn from_column<S, U>(what: &'static str, value: S) -> Result<U, StoreError>
where
    S: Copy + std::fmt::Display,
    U: TryFrom<S>,
{
    U::try_from(value).map_err(|_| StoreError::InvalidData {
        what,
        detail: format!("stored {value} is negative"),
    })
}

impl Store {
    /// Saves the session of `session.shard_id`, replacing the one saved before.
    pub async fn save_gateway_session(&self, session: &SavedSession) -> Result<(), StoreError> {
        let row = GatewaySessionRow::new(session, self.now())?;
        with_connection!(self, connection => {
            diesel::insert_into(gateway_sessions::table)
                .values(&row)
                .on_conflict(gateway_sessions::shard_id)
                .do_update()
                .set((
                    gateway_sessions::shard_count.eq(row.shard_count),
                    gateway_sessions::session_id.eq(&row.session_id),
                    gateway_sessions::sequence.eq(row.sequence),
                    gateway_sessions::resume_url.eq(&row.resume_url),
                    gateway_sessions::saved_at.eq(row.saved_at),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// The session saved for `shard_id`, if any.
    pub async fn load_gateway_session(
        &self,
        shard_id: u32,
    ) -> Result<Option<SavedSession>, StoreError> {
        let shard_id: i32 = to_column("gateway_sessions.shard_id", shard_id)?;
        let row = with_connection!(self, connection => {
            gateway_sessions::table
                .find(shard_id)
                .select(GatewaySessionRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(GatewaySessionRow::into_session).transpose()
    }

    /// Every saved session, by shard id: what a process resumes at boot.
    pub async fn load_gateway_sessions(&self) -> Result<Vec<SavedSession>, StoreError> {
        let rows = with_connection!(self, connection => {
            gateway_sessions::table
                .select(GatewaySessionRow::as_select())
                .order(gateway_sessions::shard_id.asc())
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(GatewaySessionRow::into_session)
            .collect()
    }

    /// Forgets the session of `shard_id` (after Discord invalidated it); true if one was saved.
    pub async fn delete_gateway_session(&self, shard_id: u32) -> Result<bool, StoreError> {
        let shard_id: i32 = to_column("gateway_sessions.shard_id", shard_id)?;
        let deleted = with_connection!(self, connection => {
            diesel::delete(gateway_sessions::table.find(shard_id)).execute(connection).await
        })?;
        Ok(deleted > 0)
    }
}
