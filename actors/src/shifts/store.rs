//! The shift tables: moderators' weekly slots, each person's default zone, and dropped
//! shifts — with the conditional updates that make a claim, an unclaim, a cancel, an edit,
//! a reminder and a "done" happen exactly once however many ask at the same moment.

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_model::id::Id;

use crate::kernel::store::ids::{column, id, nullable, optional_id};
use crate::kernel::store::schema::{shift_schedules, shifts, user_time_zones};
use crate::kernel::store::{with_connection, FixedSql, Store, StoreError, StoredTime};

fn naive(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.trunc_subsecs(6).naive_utc()
}

/// One weekly slot of a moderator's schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleSlot {
    pub id: i64,
    pub guild_id: Id<GuildMarker>,
    pub user_id: Id<UserMarker>,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: i32,
    /// Minutes after local midnight.
    pub minute_of_day: i32,
    /// An IANA zone name.
    pub zone: String,
    pub created_at: NaiveDateTime,
}

/// A `shift_schedules` row as stored.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = shift_schedules)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ScheduleSlotRow {
    id: i64,
    guild_id: i64,
    user_id: i64,
    weekday: i32,
    minute_of_day: i32,
    zone: String,
    created_at: NaiveDateTime,
}

impl TryFrom<ScheduleSlotRow> for ScheduleSlot {
    type Error = StoreError;

    fn try_from(row: ScheduleSlotRow) -> Result<Self, StoreError> {
        Ok(ScheduleSlot {
            id: row.id,
            guild_id: id("shift_schedules.guild_id", row.guild_id)?,
            user_id: id("shift_schedules.user_id", row.user_id)?,
            weekday: row.weekday,
            minute_of_day: row.minute_of_day,
            zone: row.zone,
            created_at: row.created_at,
        })
    }
}

fn slots(rows: Vec<ScheduleSlotRow>) -> Result<Vec<ScheduleSlot>, StoreError> {
    rows.into_iter().map(ScheduleSlot::try_from).collect()
}

#[derive(Debug, Insertable)]
#[diesel(table_name = shift_schedules)]
struct NewScheduleSlot<'a> {
    guild_id: i64,
    user_id: i64,
    weekday: i32,
    minute_of_day: i32,
    zone: &'a str,
    created_at: NaiveDateTime,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = shifts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct ShiftRow {
    id: i64,
    guild_id: i64,
    description: String,
    start_at: StoredTime,
    end_at: StoredTime,
    dropped_by: i64,
    assigned_user_id: Option<i64>,
    schedule_id: Option<i64>,
    claimed_by: Option<i64>,
    claimed_at: Option<StoredTime>,
    cancelled_by: Option<i64>,
    cancelled_at: Option<StoredTime>,
    channel_id: Option<i64>,
    message_id: Option<i64>,
    reminded_at: Option<StoredTime>,
    unclaimed_ping_at: Option<StoredTime>,
    started_marked_at: Option<StoredTime>,
    done_at: Option<StoredTime>,
}

/// A dropped shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub id: i64,
    pub guild_id: Id<GuildMarker>,
    pub description: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub dropped_by: Id<UserMarker>,
    /// Whose scheduled slot this was, for drops of a schedule slot.
    pub assigned_user_id: Option<Id<UserMarker>>,
    pub schedule_id: Option<i64>,
    pub claimed_by: Option<Id<UserMarker>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<Id<UserMarker>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub channel_id: Option<Id<ChannelMarker>>,
    pub message_id: Option<Id<MessageMarker>>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub unclaimed_ping_at: Option<DateTime<Utc>>,
    /// When the posted message was updated for the shift's start (button disabled).
    pub started_marked_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
}

impl TryFrom<ShiftRow> for Shift {
    type Error = StoreError;

    fn try_from(row: ShiftRow) -> Result<Self, StoreError> {
        Ok(Shift {
            id: row.id,
            guild_id: id("shifts.guild_id", row.guild_id)?,
            description: row.description,
            start: row.start_at.utc(),
            end: row.end_at.utc(),
            dropped_by: id("shifts.dropped_by", row.dropped_by)?,
            assigned_user_id: optional_id("shifts.assigned_user_id", row.assigned_user_id)?,
            schedule_id: row.schedule_id,
            claimed_by: optional_id("shifts.claimed_by", row.claimed_by)?,
            claimed_at: row.claimed_at.map(StoredTime::utc),
            cancelled_by: optional_id("shifts.cancelled_by", row.cancelled_by)?,
            cancelled_at: row.cancelled_at.map(StoredTime::utc),
            channel_id: optional_id("shifts.channel_id", row.channel_id)?,
            message_id: optional_id("shifts.message_id", row.message_id)?,
            reminded_at: row.reminded_at.map(StoredTime::utc),
            unclaimed_ping_at: row.unclaimed_ping_at.map(StoredTime::utc),
            started_marked_at: row.started_marked_at.map(StoredTime::utc),
            done_at: row.done_at.map(StoredTime::utc),
        })
    }
}

fn shifts_from(rows: Vec<ShiftRow>) -> Result<Vec<Shift>, StoreError> {
    rows.into_iter().map(Shift::try_from).collect()
}

/// The next shifts as `/shift upcoming` shows them ([`Store::upcoming`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpcomingShifts {
    /// The earliest ones, whole.
    pub first: Vec<Shift>,
    /// How many there are in all.
    pub count: usize,
    /// When each claimed one runs, earliest first.
    pub claimed: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// What a shift is, at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShiftState {
    Open,
    Claimed,
    Started,
    Done,
    Cancelled,
}

impl Shift {
    pub fn duration(&self) -> Duration {
        self.end - self.start
    }

    pub fn state(&self, now: DateTime<Utc>) -> ShiftState {
        if self.cancelled_at.is_some() {
            ShiftState::Cancelled
        } else if self.done_at.is_some() || self.end <= now {
            ShiftState::Done
        } else if self.start <= now {
            ShiftState::Started
        } else if self.claimed_by.is_some() {
            ShiftState::Claimed
        } else {
            ShiftState::Open
        }
    }
}

/// A shift about to be dropped.
#[derive(Debug, Clone)]
pub struct NewShift {
    pub guild_id: Id<GuildMarker>,
    pub description: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub dropped_by: Id<UserMarker>,
    pub assigned_user_id: Option<Id<UserMarker>>,
    pub schedule_id: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = shifts)]
struct ShiftInsert {
    guild_id: i64,
    description: String,
    start_at: NaiveDateTime,
    end_at: NaiveDateTime,
    dropped_by: i64,
    assigned_user_id: Option<i64>,
    schedule_id: Option<i64>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// One person's totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClaimTotals {
    pub shifts: i64,
    pub minutes: i64,
}

fn unique_violation<T>(result: Result<T, DieselError>) -> Result<Option<T>, DieselError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(None),
        Err(error) => Err(error),
    }
}

impl Store {
    // ---- schedules ---------------------------------------------------------------------

    /// Adds a slot; `None` when the person already has one at that weekday and time.
    pub async fn add_schedule_slot(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        weekday: i32,
        minute_of_day: i32,
        zone: &str,
    ) -> Result<Option<ScheduleSlot>, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let row = NewScheduleSlot {
            guild_id,
            user_id,
            weekday,
            minute_of_day,
            zone,
            created_at: self.now(),
        };
        let inserted = with_connection!(self, connection => {
            unique_violation(
                diesel::insert_into(shift_schedules::table)
                    .values(&row)
                    .returning(ScheduleSlotRow::as_returning())
                    .get_result(connection)
                    .await,
            )
        })?;
        inserted.map(ScheduleSlot::try_from).transpose()
    }

    /// Removes a slot; false when there was none.
    pub async fn remove_schedule_slot(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        weekday: i32,
        minute_of_day: i32,
    ) -> Result<bool, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let removed = with_connection!(self, connection => {
            diesel::delete(
                shift_schedules::table
                    .filter(shift_schedules::guild_id.eq(guild_id))
                    .filter(shift_schedules::user_id.eq(user_id))
                    .filter(shift_schedules::weekday.eq(weekday))
                    .filter(shift_schedules::minute_of_day.eq(minute_of_day)),
            )
            .execute(connection)
            .await
        })?;
        Ok(removed > 0)
    }

    /// A person's slots in a guild, Monday first, earliest first.
    pub async fn schedule_slots(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Result<Vec<ScheduleSlot>, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let rows = with_connection!(self, connection => {
            shift_schedules::table
                .filter(shift_schedules::guild_id.eq(guild_id))
                .filter(shift_schedules::user_id.eq(user_id))
                .order((shift_schedules::weekday, shift_schedules::minute_of_day))
                .select(ScheduleSlotRow::as_select())
                .load(connection)
                .await
        })?;
        slots(rows)
    }

    /// Every slot of a guild.
    pub async fn guild_schedule_slots(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<Vec<ScheduleSlot>, StoreError> {
        let guild_id = column(guild_id);
        let rows = with_connection!(self, connection => {
            shift_schedules::table
                .filter(shift_schedules::guild_id.eq(guild_id))
                .order((shift_schedules::user_id, shift_schedules::weekday, shift_schedules::minute_of_day))
                .select(ScheduleSlotRow::as_select())
                .load(connection)
                .await
        })?;
        slots(rows)
    }

    /// Removes all of a person's slots; returns how many.
    pub async fn clear_schedule(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Result<usize, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        with_connection!(self, connection => {
            diesel::delete(
                shift_schedules::table
                    .filter(shift_schedules::guild_id.eq(guild_id))
                    .filter(shift_schedules::user_id.eq(user_id)),
            )
            .execute(connection)
            .await
        })
    }

    // ---- time zones ----------------------------------------------------------------------

    pub async fn set_user_zone(
        &self,
        user_id: Id<UserMarker>,
        zone: &str,
    ) -> Result<(), StoreError> {
        let user_id = column(user_id);
        let now = self.now();
        with_connection!(self, connection => {
            diesel::insert_into(user_time_zones::table)
                .values((
                    user_time_zones::user_id.eq(user_id),
                    user_time_zones::zone.eq(zone),
                    user_time_zones::updated_at.eq(now),
                ))
                .on_conflict(user_time_zones::user_id)
                .do_update()
                .set((user_time_zones::zone.eq(zone), user_time_zones::updated_at.eq(now)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    pub async fn user_zone(&self, user_id: Id<UserMarker>) -> Result<Option<String>, StoreError> {
        let user_id = column(user_id);
        with_connection!(self, connection => {
            user_time_zones::table
                .find(user_id)
                .select(user_time_zones::zone)
                .first::<String>(connection)
                .await
                .optional()
        })
    }

    // ---- shifts ----------------------------------------------------------------------------

    /// Drops a shift; `None` when this schedule slot's occurrence is already dropped.
    pub async fn insert_shift(&self, shift: &NewShift) -> Result<Option<Shift>, StoreError> {
        check_length(shift.start, shift.end)?;
        let now = self.now();
        let row = ShiftInsert {
            guild_id: column(shift.guild_id),
            description: shift.description.clone(),
            start_at: naive(shift.start),
            end_at: naive(shift.end),
            dropped_by: column(shift.dropped_by),
            assigned_user_id: nullable(shift.assigned_user_id),
            schedule_id: shift.schedule_id,
            created_at: now,
            updated_at: now,
        };
        let inserted = with_connection!(self, connection => {
            unique_violation(
                diesel::insert_into(shifts::table)
                    .values(&row)
                    .returning(ShiftRow::as_returning())
                    .get_result(connection)
                    .await,
            )
        })?;
        inserted.map(Shift::try_from).transpose()
    }

    /// A guild's shift by id (never another guild's).
    pub async fn shift(
        &self,
        guild_id: Id<GuildMarker>,
        shift_id: i64,
    ) -> Result<Option<Shift>, StoreError> {
        let guild_id = column(guild_id);
        let row = with_connection!(self, connection => {
            // By its key: no `LIMIT ?` (`first`), whose bound value SQLite's planner looks
            // at, so it would prepare the statement again on every call.
            shifts::table
                .filter(shifts::id.eq(shift_id))
                .filter(shifts::guild_id.eq(guild_id))
                .select(ShiftRow::as_select())
                .get_result(connection)
                .await
                .optional()
        })?;
        row.map(Shift::try_from).transpose()
    }

    /// Remembers where a shift is posted.
    pub async fn set_shift_message(
        &self,
        shift_id: i64,
        channel_id: Option<Id<ChannelMarker>>,
        message_id: Option<Id<MessageMarker>>,
    ) -> Result<(), StoreError> {
        let (channel_id, message_id) = (nullable(channel_id), nullable(message_id));
        let now = self.now();
        with_connection!(self, connection => {
            diesel::update(shifts::table.find(shift_id))
                .set((
                    shifts::channel_id.eq(channel_id),
                    shifts::message_id.eq(message_id),
                    shifts::updated_at.eq(now),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Claims an open shift for `user_id`: one statement that succeeds for exactly one of
    /// any number of concurrent claimers, returning the claimed shift (no second read).
    /// `None` when it is taken, cancelled or started.
    pub async fn claim_shift(
        &self,
        guild_id: Id<GuildMarker>,
        shift_id: i64,
        user_id: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<Option<Shift>, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let now = naive(now);
        let claimed = with_connection!(self, connection => {
            FixedSql(
                diesel::update(open_shift(shift_id, guild_id, now))
                .set((
                    shifts::claimed_by.eq(user_id),
                    shifts::claimed_at.eq(now),
                    shifts::updated_at.eq(now),
                ))
                .returning(ShiftRow::as_returning()),
            )
            .get_result(connection)
            .await
            .optional()
        })?;
        claimed.map(Shift::try_from).transpose()
    }

    /// Gives a claimed shift back, by its claimer, before it starts.
    pub async fn unclaim_shift(
        &self,
        guild_id: Id<GuildMarker>,
        shift_id: i64,
        user_id: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let now = naive(now);
        let released = with_connection!(self, connection => {
            diesel::update(
                shifts::table
                    .filter(shifts::id.eq(shift_id))
                    .filter(shifts::guild_id.eq(guild_id))
                    .filter(shifts::claimed_by.eq(user_id))
                    .filter(shifts::cancelled_at.is_null())
                    .filter(shifts::start_at.gt(now)),
            )
            .set((
                shifts::claimed_by.eq(None::<i64>),
                shifts::claimed_at.eq(None::<NaiveDateTime>),
                shifts::reminded_at.eq(None::<NaiveDateTime>),
                shifts::updated_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(released == 1)
    }

    /// Cancels a shift that has not ended; false when it was already cancelled or over.
    pub async fn cancel_shift(
        &self,
        guild_id: Id<GuildMarker>,
        shift_id: i64,
        by: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (guild_id, by) = (column(guild_id), column(by));
        let now = naive(now);
        let cancelled = with_connection!(self, connection => {
            diesel::update(
                shifts::table
                    .filter(shifts::id.eq(shift_id))
                    .filter(shifts::guild_id.eq(guild_id))
                    .filter(shifts::cancelled_at.is_null())
                    .filter(shifts::end_at.gt(now)),
            )
            .set((
                shifts::cancelled_at.eq(now),
                shifts::cancelled_by.eq(by),
                shifts::updated_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(cancelled == 1)
    }

    /// Changes an unclaimed shift that has not started; false otherwise.
    pub async fn edit_shift(
        &self,
        guild_id: Id<GuildMarker>,
        shift_id: i64,
        description: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        check_length(start, end)?;
        let guild_id = column(guild_id);
        let now = naive(now);
        let (start, end) = (naive(start), naive(end));
        let edited = with_connection!(self, connection => {
            diesel::update(open_shift(shift_id, guild_id, now))
            .set((
                shifts::description.eq(description),
                shifts::start_at.eq(start),
                shifts::end_at.eq(end),
                shifts::unclaimed_ping_at.eq(None::<NaiveDateTime>),
                shifts::updated_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(edited == 1)
    }

    /// Minutes of the person's claimed, not cancelled shifts claimed since `since`.
    pub async fn minutes_claimed_since(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let totals = self.claim_totals(guild_id, user_id, Some(since)).await?;
        Ok(totals.minutes)
    }

    /// How many shifts the person claimed (not cancelled) and their minutes, since `since`
    /// or ever.
    pub async fn claim_totals(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        since: Option<DateTime<Utc>>,
    ) -> Result<ClaimTotals, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let since = naive(since.unwrap_or(DateTime::UNIX_EPOCH));
        let rows: Vec<(StoredTime, StoredTime)> = with_connection!(self, connection => {
            shifts::table
                .filter(shifts::guild_id.eq(guild_id))
                .filter(shifts::claimed_by.eq(user_id))
                .filter(shifts::cancelled_at.is_null())
                .filter(shifts::claimed_at.ge(since))
                .select((shifts::start_at, shifts::end_at))
                .load(connection)
                .await
        })?;
        Ok(ClaimTotals {
            shifts: rows.len() as i64,
            minutes: rows
                .iter()
                .map(|(start, end)| (end.0 - start.0).num_minutes())
                .sum(),
        })
    }

    /// How many shifts the person dropped, and how many of those were cancelled.
    pub async fn drop_counts(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Result<(i64, i64), StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let rows: Vec<bool> = with_connection!(self, connection => {
            shifts::table
                .filter(shifts::guild_id.eq(guild_id))
                .filter(shifts::dropped_by.eq(user_id))
                .select(shifts::cancelled_at.is_not_null())
                .load(connection)
                .await
        })?;
        let cancelled = rows.iter().filter(|cancelled| **cancelled).count() as i64;
        Ok((rows.len() as i64, cancelled))
    }

    /// Claimed (not cancelled) shifts per person since `since`: (user, shifts, minutes),
    /// most minutes first.
    pub async fn claim_leaderboard(
        &self,
        guild_id: Id<GuildMarker>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<(Id<UserMarker>, ClaimTotals)>, StoreError> {
        let guild_id = column(guild_id);
        let since = naive(since.unwrap_or(DateTime::UNIX_EPOCH));
        let rows: Vec<(Option<i64>, StoredTime, StoredTime)> = with_connection!(self, connection => {
            shifts::table
                .filter(shifts::guild_id.eq(guild_id))
                .filter(shifts::claimed_by.is_not_null())
                .filter(shifts::cancelled_at.is_null())
                .filter(shifts::claimed_at.ge(since))
                .select((shifts::claimed_by, shifts::start_at, shifts::end_at))
                .load(connection)
                .await
        })?;
        let mut totals: std::collections::BTreeMap<i64, ClaimTotals> = Default::default();
        for (user, start, end) in rows {
            if let Some(user) = user {
                let entry = totals.entry(user).or_default();
                entry.shifts += 1;
                entry.minutes += (end.0 - start.0).num_minutes();
            }
        }
        let mut board = totals
            .into_iter()
            .map(|(user, totals)| Ok((id("shifts.claimed_by", user)?, totals)))
            .collect::<Result<Vec<(Id<UserMarker>, ClaimTotals)>, StoreError>>()?;
        board.sort_by(|a, b| b.1.minutes.cmp(&a.1.minutes).then(a.0.cmp(&b.0)));
        Ok(board)
    }

    /// The guild's not cancelled shifts overlapping `from..to` as `/shift upcoming` shows
    /// them: the first `shown` whole, and of every one only its times and whether it is
    /// claimed (a busy guild has hundreds in a week; reading all their columns was most
    /// of the command's work). Two queries on one connection.
    pub async fn upcoming(
        &self,
        guild_id: Id<GuildMarker>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        shown: i64,
    ) -> Result<UpcomingShifts, StoreError> {
        let guild_id = column(guild_id);
        let (from, to) = (naive(from), naive(to));
        let (first, all) = with_connection!(self, connection => {
            async {
                let first = shifts_overlapping(guild_id, from, to)
                    .order(shifts::start_at)
                    .limit(shown)
                    .select(ShiftRow::as_select())
                    .load(&mut *connection)
                    .await?;
                let all: Vec<(StoredTime, StoredTime, bool)> =
                    shifts_overlapping(guild_id, from, to)
                        .order(shifts::start_at)
                        .select((
                            shifts::start_at,
                            shifts::end_at,
                            shifts::claimed_by.is_not_null(),
                        ))
                        .load(&mut *connection)
                        .await?;
                Ok((first, all))
            }
            .await
        })?;
        Ok(UpcomingShifts {
            first: shifts_from(first)?,
            count: all.len(),
            claimed: all
                .into_iter()
                .filter(|(.., claimed)| *claimed)
                .map(|(start, end, _)| (start.utc(), end.utc()))
                .collect(),
        })
    }

    /// The person's claimed, not cancelled shifts, earliest first.
    pub async fn shifts_claimed_by(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Result<Vec<Shift>, StoreError> {
        let (guild_id, user_id) = (column(guild_id), column(user_id));
        let rows = with_connection!(self, connection => {
            shifts::table
                .filter(shifts::guild_id.eq(guild_id))
                .filter(shifts::claimed_by.eq(user_id))
                .filter(shifts::cancelled_at.is_null())
                .order(shifts::start_at)
                .select(ShiftRow::as_select())
                .load(connection)
                .await
        })?;
        shifts_from(rows)
    }

    /// Shifts (any guild) that may need a timed action by `horizon`: not cancelled, not
    /// done, starting before `horizon` or already ended.
    pub async fn shifts_due(&self, horizon: DateTime<Utc>) -> Result<Vec<Shift>, StoreError> {
        let horizon = naive(horizon);
        let rows = with_connection!(self, connection => {
            shifts::table
                .filter(shifts::cancelled_at.is_null())
                .filter(shifts::done_at.is_null())
                .filter(shifts::start_at.le(horizon))
                .order(shifts::start_at)
                .select(ShiftRow::as_select())
                .load(connection)
                .await
        })?;
        shifts_from(rows)
    }

    /// Marks the claimer's reminder sent; true for exactly one caller.
    pub async fn mark_reminded(
        &self,
        shift_id: i64,
        claimer: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let claimer = column(claimer);
        let now = naive(now);
        let marked = with_connection!(self, connection => {
            diesel::update(
                shifts::table
                    .filter(shifts::id.eq(shift_id))
                    .filter(shifts::claimed_by.eq(claimer))
                    .filter(shifts::reminded_at.is_null()),
            )
            .set(shifts::reminded_at.eq(now))
            .execute(connection)
            .await
        })?;
        Ok(marked == 1)
    }

    /// Marks the "still unclaimed" ping sent; true for exactly one caller.
    pub async fn mark_unclaimed_ping(
        &self,
        shift_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = naive(now);
        let marked = with_connection!(self, connection => {
            diesel::update(
                shifts::table
                    .filter(shifts::id.eq(shift_id))
                    .filter(shifts::claimed_by.is_null())
                    .filter(shifts::unclaimed_ping_at.is_null()),
            )
            .set(shifts::unclaimed_ping_at.eq(now))
            .execute(connection)
            .await
        })?;
        Ok(marked == 1)
    }

    /// Marks a shift's start handled (its message updated); true for exactly one caller.
    pub async fn mark_started(
        &self,
        shift_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = naive(now);
        let marked = with_connection!(self, connection => {
            diesel::update(
                shifts::table
                    .filter(shifts::id.eq(shift_id))
                    .filter(shifts::started_marked_at.is_null()),
            )
            .set(shifts::started_marked_at.eq(now))
            .execute(connection)
            .await
        })?;
        Ok(marked == 1)
    }

    /// Marks a shift done; true for exactly one caller.
    pub async fn mark_done(&self, shift_id: i64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let now = naive(now);
        let marked = with_connection!(self, connection => {
            diesel::update(
                shifts::table
                    .filter(shifts::id.eq(shift_id))
                    .filter(shifts::done_at.is_null())
                    .filter(shifts::cancelled_at.is_null()),
            )
            .set(shifts::done_at.eq(now))
            .execute(connection)
            .await
        })?;
        Ok(marked == 1)
    }

    /// How many shifts there are (for tests and benchmarks).
    pub async fn count_shifts(&self, guild_id: Id<GuildMarker>) -> Result<i64, StoreError> {
        let guild_id = column(guild_id);
        with_connection!(self, connection => {
            shifts::table
                .filter(shifts::guild_id.eq(guild_id))
                .count()
                .get_result(connection)
                .await
        })
    }
}

/// The longest a shift lasts. The store refuses a longer one, and finding the shifts that
/// overlap a window relies on it: none that started more than this before the window can
/// reach into it, so the guild's past is not scanned.
pub const LONGEST_SHIFT: Duration = Duration::hours(24);

/// The guild's not cancelled shifts that overlap `from..to`: the index on (guild, start)
/// is read from `from - LONGEST_SHIFT` on, whatever the length of the guild's history.
#[diesel::dsl::auto_type]
pub(super) fn shifts_overlapping(guild_id: i64, from: NaiveDateTime, to: NaiveDateTime) -> _ {
    let earliest_start: NaiveDateTime = from - LONGEST_SHIFT;
    shifts::table
        .filter(shifts::guild_id.eq(guild_id))
        .filter(shifts::cancelled_at.is_null())
        .filter(shifts::start_at.ge(earliest_start))
        .filter(shifts::start_at.lt(to))
        .filter(shifts::end_at.gt(from))
}

/// Refuses a shift that ends before it starts or lasts longer than [`LONGEST_SHIFT`]
/// (the commands check first, with their own answer; this keeps the store's promise).
fn check_length(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<(), StoreError> {
    if end <= start || end - start > LONGEST_SHIFT {
        return Err(StoreError::InvalidData {
            what: "shift",
            detail: format!(
                "a shift lasts more than nothing and at most {} hours ({start} to {end})",
                LONGEST_SHIFT.num_hours()
            ),
        });
    }
    Ok(())
}

/// The guild's shift `shift_id` while it is open: nobody claimed it, it is not cancelled
/// and it has not started. A claim and an edit change it only in this state, in the same
/// statement that checks it.
#[diesel::dsl::auto_type]
fn open_shift(shift_id: i64, guild_id: i64, now: NaiveDateTime) -> _ {
    shifts::table
        .filter(shifts::id.eq(shift_id))
        .filter(shifts::guild_id.eq(guild_id))
        .filter(shifts::claimed_by.is_null())
        .filter(shifts::cancelled_at.is_null())
        .filter(shifts::start_at.gt(now))
}
