//! The activity tables: each guild's tracked channels, its two ranking messages, and the
//! recalculation running in it with its progress. Starting a recalculation is conditional
//! (one per guild at a time, across processes).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_model::id::Id;

use super::schema::{
    stats_channels, stats_embeds, stats_history, stats_live, stats_recalculations,
};
use super::tally::Kind;
use crate::kernel::store::ids::{column, id, nullable, optional_id};
use crate::kernel::store::{with_connection, Store, StoreError};

fn naive(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.trunc_subsecs(6).naive_utc()
}

/// A channel counted for the rankings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackedChannel {
    pub id: Id<ChannelMarker>,
    pub kind: Kind,
    pub name: String,
}

/// A recalculation as stored: what it was asked, where it is, where it shows its progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Recalculation {
    pub guild: Id<GuildMarker>,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub months: i32,
    pub started_at: DateTime<Utc>,
    pub started_by: Id<UserMarker>,
    /// Messages older than this (Unix ms) are not read.
    pub cutoff_ms: i64,
    /// The channels still to read; the first is the one being read.
    pub pending: Vec<u64>,
    pub channels_total: i32,
    pub channels_done: i32,
    pub messages_read: i64,
    /// The current channel's first message not read from the history (0: not begun).
    pub anchor: u64,
    /// The oldest message of the current channel read so far (0: none yet).
    pub cursor: u64,
    /// The current channel's counts so far (`total`, `last`, `d<day>`).
    pub partial: BTreeMap<String, i64>,
    /// The interaction whose reply shows the progress, while its token lasts.
    pub reply_token: Option<String>,
    pub reply_until: Option<DateTime<Utc>>,
    /// Where a progress message goes once the token is gone (or for a text command).
    pub reply_channel: Id<ChannelMarker>,
    pub reply_message: Option<Id<MessageMarker>>,
    pub locale: String,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = stats_recalculations)]
struct RecalculationRow {
    guild_id: i64,
    status: String,
    months: i32,
    started_at: NaiveDateTime,
    started_by: i64,
    cutoff_ms: i64,
    pending_channels: String,
    channels_total: i32,
    channels_done: i32,
    messages_read: i64,
    anchor: i64,
    cursor: i64,
    partial: String,
    reply_token: Option<String>,
    reply_until: Option<NaiveDateTime>,
    reply_channel_id: i64,
    reply_message_id: Option<i64>,
    locale: String,
    updated_at: NaiveDateTime,
}

fn as_column(raw: u64) -> i64 {
    i64::from_ne_bytes(raw.to_ne_bytes())
}

fn as_raw(stored: i64) -> u64 {
    u64::from_ne_bytes(stored.to_ne_bytes())
}

/// A channel and its counts by field (`total`, `d<day>`, …), as the cache holds them.
pub type ChannelCounts = (u64, BTreeMap<String, i64>);

/// Stored (channel, JSON counts) rows, decoded.
fn counts_of(rows: Vec<(i64, String)>) -> Result<Vec<ChannelCounts>, StoreError> {
    rows.into_iter()
        .map(|(channel, text)| {
            let counts = serde_json::from_str(&text).map_err(|error| StoreError::InvalidData {
                what: "counts",
                detail: error.to_string(),
            })?;
            Ok((as_raw(channel), counts))
        })
        .collect()
}

impl RecalculationRow {
    fn of(job: &Recalculation, now: NaiveDateTime) -> RecalculationRow {
        RecalculationRow {
            guild_id: column(job.guild),
            status: job.status.clone(),
            months: job.months,
            started_at: naive(job.started_at),
            started_by: column(job.started_by),
            cutoff_ms: job.cutoff_ms,
            pending_channels: job
                .pending
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            channels_total: job.channels_total,
            channels_done: job.channels_done,
            messages_read: job.messages_read,
            anchor: as_column(job.anchor),
            cursor: as_column(job.cursor),
            partial: serde_json::to_string(&job.partial).unwrap_or_else(|_| "{}".to_owned()),
            reply_token: job.reply_token.clone(),
            reply_until: job.reply_until.map(naive),
            reply_channel_id: column(job.reply_channel),
            reply_message_id: nullable(job.reply_message),
            locale: job.locale.clone(),
            updated_at: now,
        }
    }
}

impl TryFrom<RecalculationRow> for Recalculation {
    type Error = StoreError;
    fn try_from(row: RecalculationRow) -> Result<Self, StoreError> {
        let pending = row
            .pending_channels
            .split(',')
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<u64>().map_err(|_| StoreError::InvalidData {
                    what: "pending_channels",
                    detail: format!("{part:?} is not a channel id"),
                })
            })
            .collect::<Result<Vec<u64>, StoreError>>()?;
        let partial =
            serde_json::from_str(&row.partial).map_err(|error| StoreError::InvalidData {
                what: "partial",
                detail: error.to_string(),
            })?;
        Ok(Recalculation {
            guild: id("guild_id", row.guild_id)?,
            status: row.status,
            months: row.months,
            started_at: row.started_at.and_utc(),
            started_by: id("started_by", row.started_by)?,
            cutoff_ms: row.cutoff_ms,
            pending,
            channels_total: row.channels_total,
            channels_done: row.channels_done,
            messages_read: row.messages_read,
            anchor: as_raw(row.anchor),
            cursor: as_raw(row.cursor),
            partial,
            reply_token: row.reply_token,
            reply_until: row.reply_until.map(|at| at.and_utc()),
            reply_channel: id("reply_channel_id", row.reply_channel_id)?,
            reply_message: optional_id("reply_message_id", row.reply_message_id)?,
            locale: row.locale,
        })
    }
}

impl Store {
    // ---- tracked channels ----------------------------------------------------------------

    /// Makes a guild's tracked channels exactly `channels`.
    pub async fn stats_set_channels(
        &self,
        guild: Id<GuildMarker>,
        channels: &[TrackedChannel],
    ) -> Result<(), StoreError> {
        let guild = column(guild);
        with_connection!(self, connection => {
            connection.transaction::<(), diesel::result::Error, _>(async |connection| {
                diesel::delete(stats_channels::table.filter(stats_channels::guild_id.eq(guild)))
                    .execute(connection)
                    .await?;
                for channel in channels {
                    // A channel moved here from another guild's rows cannot happen; a
                    // stale row of this channel is replaced.
                    diesel::delete(
                        stats_channels::table.filter(stats_channels::channel_id.eq(column(channel.id))),
                    )
                    .execute(connection)
                    .await?;
                    diesel::insert_into(stats_channels::table)
                        .values((
                            stats_channels::channel_id.eq(column(channel.id)),
                            stats_channels::guild_id.eq(guild),
                            stats_channels::kind.eq(channel.kind.as_str()),
                            stats_channels::name.eq(&channel.name),
                        ))
                        .execute(connection)
                        .await?;
                }
                Ok(())
            })
            .await
        })
    }

    /// Tracks one channel (or changes its kind or name).
    pub async fn stats_track_channel(
        &self,
        guild: Id<GuildMarker>,
        channel: &TrackedChannel,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::insert_into(stats_channels::table)
                .values((
                    stats_channels::channel_id.eq(column(channel.id)),
                    stats_channels::guild_id.eq(column(guild)),
                    stats_channels::kind.eq(channel.kind.as_str()),
                    stats_channels::name.eq(&channel.name),
                ))
                .on_conflict(stats_channels::channel_id)
                .do_update()
                .set((
                    stats_channels::guild_id.eq(column(guild)),
                    stats_channels::kind.eq(channel.kind.as_str()),
                    stats_channels::name.eq(&channel.name),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Stops tracking a channel; true when it was tracked.
    pub async fn stats_untrack_channel(
        &self,
        channel: Id<ChannelMarker>,
    ) -> Result<bool, StoreError> {
        let removed = with_connection!(self, connection => {
            diesel::delete(stats_channels::table.filter(stats_channels::channel_id.eq(column(channel))))
                .execute(connection)
                .await
        })?;
        Ok(removed > 0)
    }

    /// A guild's tracked channels, by name.
    pub async fn stats_channels(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<Vec<TrackedChannel>, StoreError> {
        let rows: Vec<(i64, String, String)> = with_connection!(self, connection => {
            stats_channels::table
                .filter(stats_channels::guild_id.eq(column(guild)))
                .order((stats_channels::name.asc(), stats_channels::channel_id.asc()))
                .select((stats_channels::channel_id, stats_channels::kind, stats_channels::name))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(
                |(channel, kind, name)| -> Result<TrackedChannel, StoreError> {
                    Ok(TrackedChannel {
                        id: id("channel_id", channel)?,
                        kind: Kind::parse(&kind).ok_or(StoreError::InvalidData {
                            what: "kind",
                            detail: format!("{kind:?} is not a channel kind"),
                        })?,
                        name,
                    })
                },
            )
            .collect()
    }

    /// Every guild with a tracked channel.
    pub async fn stats_guilds(&self) -> Result<Vec<Id<GuildMarker>>, StoreError> {
        let guilds: Vec<i64> = with_connection!(self, connection => {
            stats_channels::table
                .select(stats_channels::guild_id)
                .distinct()
                .order(stats_channels::guild_id.asc())
                .load(connection)
                .await
        })?;
        guilds
            .into_iter()
            .map(|guild| id("guild_id", guild))
            .collect()
    }

    // ---- ranking messages ----------------------------------------------------------------

    /// Where a guild's ranking message `name` is.
    pub async fn stats_embed(
        &self,
        guild: Id<GuildMarker>,
        name: &str,
    ) -> Result<Option<(Id<ChannelMarker>, Id<MessageMarker>)>, StoreError> {
        let row: Option<(i64, i64)> = with_connection!(self, connection => {
            stats_embeds::table
                .filter(stats_embeds::guild_id.eq(column(guild)))
                .filter(stats_embeds::name.eq(name))
                .select((stats_embeds::channel_id, stats_embeds::message_id))
                .first(connection)
                .await
                .optional()
        })?;
        row.map(
            |(channel, message)| -> Result<(Id<ChannelMarker>, Id<MessageMarker>), StoreError> {
                Ok((id("channel_id", channel)?, id("message_id", message)?))
            },
        )
        .transpose()
    }

    /// Records where a guild's ranking message `name` is now.
    pub async fn stats_set_embed(
        &self,
        guild: Id<GuildMarker>,
        name: &str,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::insert_into(stats_embeds::table)
                .values((
                    stats_embeds::guild_id.eq(column(guild)),
                    stats_embeds::name.eq(name),
                    stats_embeds::channel_id.eq(column(channel)),
                    stats_embeds::message_id.eq(column(message)),
                ))
                .on_conflict((stats_embeds::guild_id, stats_embeds::name))
                .do_update()
                .set((
                    stats_embeds::channel_id.eq(column(channel)),
                    stats_embeds::message_id.eq(column(message)),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    // ---- history counts and live snapshots ----------------------------------------------

    /// Keeps a channel's counts read from its history (replacing any kept before).
    pub async fn stats_save_history(
        &self,
        guild: Id<GuildMarker>,
        channel: u64,
        counts: &BTreeMap<String, i64>,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(counts).unwrap_or_else(|_| "{}".to_owned());
        with_connection!(self, connection => {
            diesel::insert_into(stats_history::table)
                .values((
                    stats_history::guild_id.eq(column(guild)),
                    stats_history::channel_id.eq(as_column(channel)),
                    stats_history::counts.eq(&text),
                ))
                .on_conflict((stats_history::guild_id, stats_history::channel_id))
                .do_update()
                .set(stats_history::counts.eq(&text))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Forgets a channel's history counts and its live snapshot (a recalculation reads
    /// them again; the live count starts afresh).
    pub async fn stats_forget_history(
        &self,
        guild: Id<GuildMarker>,
        channel: u64,
    ) -> Result<(), StoreError> {
        let (guild, channel) = (column(guild), as_column(channel));
        with_connection!(self, connection => {
            connection.transaction::<usize, diesel::result::Error, _>(async |connection| {
                diesel::delete(
                    stats_history::table
                        .filter(stats_history::guild_id.eq(guild))
                        .filter(stats_history::channel_id.eq(channel)),
                )
                .execute(connection)
                .await?;
                diesel::delete(
                    stats_live::table
                        .filter(stats_live::guild_id.eq(guild))
                        .filter(stats_live::channel_id.eq(channel)),
                )
                .execute(connection)
                .await
            })
            .await
        })?;
        Ok(())
    }

    /// Every kept history count of a guild: (channel, counts).
    pub async fn stats_histories(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<Vec<ChannelCounts>, StoreError> {
        let rows: Vec<(i64, String)> = with_connection!(self, connection => {
            stats_history::table
                .filter(stats_history::guild_id.eq(column(guild)))
                .order(stats_history::channel_id.asc())
                .select((stats_history::channel_id, stats_history::counts))
                .load(connection)
                .await
        })?;
        counts_of(rows)
    }

    /// Replaces a guild's snapshot of live counts (an embedded cache's, which a restart
    /// empties) with `live`: one row per channel, in one transaction.
    pub async fn stats_save_live(
        &self,
        guild: Id<GuildMarker>,
        live: &[ChannelCounts],
    ) -> Result<(), StoreError> {
        let guild = column(guild);
        let rows: Vec<_> = live
            .iter()
            .map(|(channel, counts)| {
                (
                    stats_live::guild_id.eq(guild),
                    stats_live::channel_id.eq(as_column(*channel)),
                    stats_live::counts
                        .eq(serde_json::to_string(counts).unwrap_or_else(|_| "{}".to_owned())),
                )
            })
            .collect();
        with_connection!(self, connection => {
            connection.transaction::<usize, diesel::result::Error, _>(async |connection| {
                diesel::delete(stats_live::table.filter(stats_live::guild_id.eq(guild)))
                    .execute(connection)
                    .await?;
                // One statement per channel: SQLite takes no multi-row insert of these.
                for row in &rows {
                    diesel::insert_into(stats_live::table)
                        .values(row)
                        .execute(connection)
                        .await?;
                }
                Ok(rows.len())
            })
            .await
        })?;
        Ok(())
    }

    /// A guild's snapshot of live counts: (channel, counts).
    pub async fn stats_live(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<Vec<ChannelCounts>, StoreError> {
        let rows: Vec<(i64, String)> = with_connection!(self, connection => {
            stats_live::table
                .filter(stats_live::guild_id.eq(column(guild)))
                .order(stats_live::channel_id.asc())
                .select((stats_live::channel_id, stats_live::counts))
                .load(connection)
                .await
        })?;
        counts_of(rows)
    }

    // ---- recalculations ------------------------------------------------------------------

    /// Starts a recalculation unless one is running in the guild; true when this call
    /// started it.
    pub async fn stats_start_recalculation(&self, job: &Recalculation) -> Result<bool, StoreError> {
        let row = RecalculationRow::of(job, self.now());
        let guild = row.guild_id;
        let inserted = with_connection!(self, connection => {
            connection.transaction::<usize, diesel::result::Error, _>(async |connection| {
                diesel::delete(
                    stats_recalculations::table
                        .filter(stats_recalculations::guild_id.eq(guild))
                        .filter(stats_recalculations::status.ne("running")),
                )
                .execute(connection)
                .await?;
                diesel::insert_into(stats_recalculations::table)
                    .values(&row)
                    .on_conflict_do_nothing()
                    .execute(connection)
                    .await
            })
            .await
        })?;
        Ok(inserted == 1)
    }

    /// The guild's last recalculation, running or not.
    pub async fn stats_recalculation(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<Option<Recalculation>, StoreError> {
        let row: Option<RecalculationRow> = with_connection!(self, connection => {
            stats_recalculations::table
                .filter(stats_recalculations::guild_id.eq(column(guild)))
                .select(RecalculationRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Recalculation::try_from).transpose()
    }

    /// Every recalculation still running (to resume after a restart).
    pub async fn stats_running_recalculations(&self) -> Result<Vec<Recalculation>, StoreError> {
        let rows: Vec<RecalculationRow> = with_connection!(self, connection => {
            stats_recalculations::table
                .filter(stats_recalculations::status.eq("running"))
                .order(stats_recalculations::guild_id.asc())
                .select(RecalculationRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Recalculation::try_from).collect()
    }

    /// Saves a recalculation's progress (and status) whole.
    pub async fn stats_save_recalculation(&self, job: &Recalculation) -> Result<(), StoreError> {
        let row = RecalculationRow::of(job, self.now());
        with_connection!(self, connection => {
            diesel::update(stats_recalculations::table.filter(stats_recalculations::guild_id.eq(row.guild_id)))
                .set((
                    stats_recalculations::status.eq(&row.status),
                    stats_recalculations::pending_channels.eq(&row.pending_channels),
                    stats_recalculations::channels_done.eq(row.channels_done),
                    stats_recalculations::messages_read.eq(row.messages_read),
                    stats_recalculations::anchor.eq(row.anchor),
                    stats_recalculations::cursor.eq(row.cursor),
                    stats_recalculations::partial.eq(&row.partial),
                    stats_recalculations::reply_token.eq(&row.reply_token),
                    stats_recalculations::reply_until.eq(row.reply_until),
                    stats_recalculations::reply_message_id.eq(row.reply_message_id),
                    stats_recalculations::updated_at.eq(row.updated_at),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }
}
