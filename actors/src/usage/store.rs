//! The usage tables: a flush adds its counts to each (day, guild, command) row, its
//! latency buckets and the all-time totals — additions only, so processes sharing one
//! database never overwrite each other — and the views read them back, summed in Rust
//! (a sum of BIGINTs is NUMERIC on PostgreSQL).

use std::collections::BTreeMap;

use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::latency::Histogram;
use super::schema::{usage_daily, usage_latency, usage_totals};
use super::tally::{UsageCounts, UsageKey};
use crate::kernel::store::{with_connection, Store, StoreError};

/// A Discord id as the column holds it.
fn guild_column(guild: u64) -> i64 {
    i64::from_ne_bytes(guild.to_ne_bytes())
}

fn count_column(count: u64) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

fn count_of(stored: i64) -> u64 {
    u64::try_from(stored).unwrap_or(0)
}

/// One command's counts over some days (of one guild or of all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandUsage {
    pub runs: u64,
    pub refused: u64,
    pub failed: u64,
    pub busy: u64,
    pub latency: Histogram,
}

/// Adds a flush's counts to the tables, in one transaction.
pub async fn write(store: &Store, counts: &[(UsageKey, UsageCounts)]) -> Result<(), StoreError> {
    with_connection!(store, connection => {
        connection.transaction::<(), diesel::result::Error, _>(async |connection| {
            for (key, counts) in counts {
                let guild = guild_column(key.guild);
                diesel::insert_into(usage_daily::table)
                    .values((
                        usage_daily::day.eq(key.day),
                        usage_daily::guild_id.eq(guild),
                        usage_daily::command.eq(&key.command),
                        usage_daily::runs.eq(count_column(counts.runs)),
                        usage_daily::refused.eq(count_column(counts.refused)),
                        usage_daily::failed.eq(count_column(counts.failed)),
                        usage_daily::busy.eq(count_column(counts.busy)),
                    ))
                    .on_conflict((usage_daily::day, usage_daily::guild_id, usage_daily::command))
                    .do_update()
                    .set((
                        usage_daily::runs.eq(usage_daily::runs + excluded(usage_daily::runs)),
                        usage_daily::refused.eq(usage_daily::refused + excluded(usage_daily::refused)),
                        usage_daily::failed.eq(usage_daily::failed + excluded(usage_daily::failed)),
                        usage_daily::busy.eq(usage_daily::busy + excluded(usage_daily::busy)),
                    ))
                    .execute(connection)
                    .await?;
                for (bucket, count) in counts.latency.buckets() {
                    diesel::insert_into(usage_latency::table)
                        .values((
                            usage_latency::day.eq(key.day),
                            usage_latency::guild_id.eq(guild),
                            usage_latency::command.eq(&key.command),
                            usage_latency::bucket.eq(bucket as i32),
                            usage_latency::count.eq(count_column(count)),
                        ))
                        .on_conflict((
                            usage_latency::day,
                            usage_latency::guild_id,
                            usage_latency::command,
                            usage_latency::bucket,
                        ))
                        .do_update()
                        .set(usage_latency::count.eq(usage_latency::count + excluded(usage_latency::count)))
                        .execute(connection)
                        .await?;
                }
                diesel::insert_into(usage_totals::table)
                    .values((
                        usage_totals::guild_id.eq(guild),
                        usage_totals::command.eq(&key.command),
                        usage_totals::runs.eq(count_column(counts.runs)),
                    ))
                    .on_conflict((usage_totals::guild_id, usage_totals::command))
                    .do_update()
                    .set(usage_totals::runs.eq(usage_totals::runs + excluded(usage_totals::runs)))
                    .execute(connection)
                    .await?;
            }
            Ok(())
        }).await
    })
}

/// Each command's counts from `from_day` on, of one guild (or of every guild).
pub async fn per_command(
    store: &Store,
    guild: Option<u64>,
    from_day: i64,
) -> Result<BTreeMap<String, CommandUsage>, StoreError> {
    type DailyRow = (String, i64, i64, i64, i64);
    let (daily, latency) = with_connection!(store, connection => {
        let mut daily = usage_daily::table
            .filter(usage_daily::day.ge(from_day))
            .select((
                usage_daily::command,
                usage_daily::runs,
                usage_daily::refused,
                usage_daily::failed,
                usage_daily::busy,
            ))
            .into_boxed();
        let mut latency = usage_latency::table
            .filter(usage_latency::day.ge(from_day))
            .select((usage_latency::command, usage_latency::bucket, usage_latency::count))
            .into_boxed();
        if let Some(guild) = guild {
            daily = daily.filter(usage_daily::guild_id.eq(guild_column(guild)));
            latency = latency.filter(usage_latency::guild_id.eq(guild_column(guild)));
        }
        match daily.load::<DailyRow>(connection).await {
            Ok(daily) => latency
                .load::<(String, i32, i64)>(connection)
                .await
                .map(|latency| (daily, latency)),
            Err(error) => Err(error),
        }
    })?;
    let mut usage: BTreeMap<String, CommandUsage> = BTreeMap::new();
    for (command, runs, refused, failed, busy) in daily {
        let entry = usage.entry(command).or_default();
        entry.runs += count_of(runs);
        entry.refused += count_of(refused);
        entry.failed += count_of(failed);
        entry.busy += count_of(busy);
    }
    for (command, bucket, count) in latency {
        let entry = usage.entry(command).or_default();
        entry.latency.add(
            usize::try_from(bucket).unwrap_or(usize::MAX),
            count_of(count),
        );
    }
    Ok(usage)
}

/// Runs since counting began, of one guild (or of every guild).
pub async fn total_runs(store: &Store, guild: Option<u64>) -> Result<u64, StoreError> {
    let runs = with_connection!(store, connection => {
        let mut query = usage_totals::table.select(usage_totals::runs).into_boxed();
        if let Some(guild) = guild {
            query = query.filter(usage_totals::guild_id.eq(guild_column(guild)));
        }
        query.load::<i64>(connection).await
    })?;
    Ok(runs.into_iter().map(count_of).sum())
}

/// Deletes the daily rows of days before `before_day`; how many rows went.
pub async fn trim(store: &Store, before_day: i64) -> Result<usize, StoreError> {
    with_connection!(store, connection => {
        connection.transaction::<usize, diesel::result::Error, _>(async |connection| {
            let daily = diesel::delete(usage_daily::table.filter(usage_daily::day.lt(before_day)))
                .execute(connection)
                .await?;
            let latency =
                diesel::delete(usage_latency::table.filter(usage_latency::day.lt(before_day)))
                    .execute(connection)
                    .await?;
            Ok(daily + latency)
        }).await
    })
}

/// The oldest day with a daily row (tests and operators check the trim with it).
pub async fn oldest_day(store: &Store) -> Result<Option<i64>, StoreError> {
    with_connection!(store, connection => {
        usage_daily::table
            .select(diesel::dsl::min(usage_daily::day))
            .first::<Option<i64>>(connection)
            .await
    })
}
