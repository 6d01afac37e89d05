//! Where the counts live in the cache, under `stats:` (the process's key prefix first):
//!
//! - `stats:<guild>:<channel>` — a hash of the messages counted live: `total` and one
//!   `d<day>` field per UTC day (days since 1970-01-01), written by the flush with
//!   `HINCRBY`;
//! - `stats:<guild>:<channel>:history` — the same fields as a recalculation read them
//!   from Discord's history, written whole (`DEL` + `HSET`, so writing them twice after a
//!   restart counts nothing twice);
//! - `stats:<guild>:last` — a sorted set of the guild's channels by their newest message
//!   (Unix ms), raised with `ZADD GT`.
//!
//! A channel's activity is the two hashes summed. Day fields older than the window are
//! trimmed when the rankings are refreshed; `total` keeps everything.

use std::collections::BTreeMap;

use super::tally::{score, DayCount};
use crate::kernel::cache::{Cache, CacheBatch, CacheError};

/// The field of all messages.
const TOTAL: &str = "total";
/// The partial counts' field of the newest message's time (not written to a hash).
pub const LAST: &str = "last";

fn live_key(guild: u64, channel: u64) -> String {
    format!("{guild}:{channel}")
}

fn history_key(guild: u64, channel: u64) -> String {
    format!("{guild}:{channel}:history")
}

fn last_key(guild: u64) -> String {
    format!("{guild}:last")
}

/// A day's field name.
pub fn day_field(day: i64) -> String {
    format!("d{day}")
}

/// The stats namespace of the cache.
pub fn scope(cache: &Cache) -> Cache {
    cache.scoped("stats:")
}

/// Writes what a flush took, in one batch.
pub async fn write(cache: &Cache, counts: &[DayCount]) -> Result<(), CacheError> {
    let mut batch = CacheBatch::new();
    for count in counts {
        let key = live_key(count.guild, count.channel);
        batch
            .hash_incr(&key, TOTAL, i64::from(count.count))
            .hash_incr(&key, &day_field(count.day), i64::from(count.count))
            .sorted_set_raise(
                &last_key(count.guild),
                &count.channel.to_string(),
                count.last_ms as f64,
            );
    }
    cache.write_batch(&batch).await
}

/// One channel's activity as the cache holds it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub channel: u64,
    pub total: i64,
    /// Day → messages.
    pub days: BTreeMap<i64, i64>,
    /// The newest message's time (Unix ms).
    pub last_ms: Option<i64>,
}

impl Activity {
    /// Messages of the `days` days up to and including `today`.
    pub fn recent(&self, today: i64, days: i64) -> i64 {
        self.days
            .range(today - days + 1..=today)
            .map(|(_, n)| n)
            .sum()
    }

    /// The ranking score on `today` (see [`score`]).
    pub fn score(&self, today: i64) -> f64 {
        score(self.total, self.recent(today, 7))
    }
}

/// The activity of `channels` of a guild, in their order; two pipelined reads.
pub async fn read(
    cache: &Cache,
    guild: u64,
    channels: &[u64],
) -> Result<Vec<Activity>, CacheError> {
    let keys: Vec<String> = channels
        .iter()
        .flat_map(|channel| [live_key(guild, *channel), history_key(guild, *channel)])
        .collect();
    let hashes = cache.hash_counters(&keys).await?;
    let last: BTreeMap<u64, i64> = cache
        .sorted_set(&last_key(guild))
        .await?
        .into_iter()
        .filter_map(|(member, score)| Some((member.parse().ok()?, score as i64)))
        .collect();
    Ok(channels
        .iter()
        .zip(hashes.chunks(2))
        .map(|(channel, pair)| {
            let mut activity = Activity {
                channel: *channel,
                last_ms: last.get(channel).copied(),
                ..Activity::default()
            };
            for (field, value) in pair.iter().flatten() {
                if field == TOTAL {
                    activity.total += value;
                } else if let Some(day) = field.strip_prefix('d').and_then(|d| d.parse().ok()) {
                    *activity.days.entry(day).or_insert(0) += value;
                }
            }
            activity
        })
        .collect())
}

/// Removes the day fields before `first_day` of the given channels (both hashes).
pub async fn trim(
    cache: &Cache,
    guild: u64,
    activities: &[Activity],
    first_day: i64,
) -> Result<(), CacheError> {
    let mut batch = CacheBatch::new();
    for activity in activities {
        let old: Vec<String> = activity
            .days
            .range(..first_day)
            .map(|(day, _)| day_field(*day))
            .collect();
        if !old.is_empty() {
            batch.hash_delete(&live_key(guild, activity.channel), old.clone());
            batch.hash_delete(&history_key(guild, activity.channel), old);
        }
    }
    cache.write_batch(&batch).await
}

/// Forgets everything counted for a channel (a recalculation starts it again).
pub async fn clear(cache: &Cache, guild: u64, channel: u64) -> Result<(), CacheError> {
    let mut batch = CacheBatch::new();
    batch
        .delete(&live_key(guild, channel))
        .delete(&history_key(guild, channel))
        .sorted_set_remove(&last_key(guild), &channel.to_string());
    cache.write_batch(&batch).await
}

/// Writes a channel's counts read from the history, replacing any written before.
pub async fn write_history(
    cache: &Cache,
    guild: u64,
    channel: u64,
    counts: &BTreeMap<String, i64>,
) -> Result<(), CacheError> {
    let key = history_key(guild, channel);
    cache
        .write_batch(&counts_batch(guild, channel, &key, counts, Put::Replace))
        .await
}

/// How [`counts_batch`] puts counts into a hash.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Put {
    /// The hash is the counts.
    Replace,
    /// The counts are added to the hash.
    Add,
}

/// A batch putting a channel's counts into the hash at `key`, and [`LAST`] raised in the
/// guild's set of newest messages.
fn counts_batch(
    guild: u64,
    channel: u64,
    key: &str,
    counts: &BTreeMap<String, i64>,
    put: Put,
) -> CacheBatch {
    let mut batch = CacheBatch::new();
    if put == Put::Replace {
        batch.delete(key);
    }
    for (field, value) in counts {
        if field == LAST {
            batch.sorted_set_raise(&last_key(guild), &channel.to_string(), *value as f64);
        } else if put == Put::Replace {
            batch.hash_set(key, field, *value);
        } else {
            batch.hash_incr(key, field, *value);
        }
    }
    batch
}

/// The live counts of `channels` (those with any), each with its newest message's time
/// as [`LAST`]: what an embedded cache would lose at a restart.
pub async fn read_live(
    cache: &Cache,
    guild: u64,
    channels: &[u64],
) -> Result<Vec<super::store::ChannelCounts>, CacheError> {
    let keys: Vec<String> = channels
        .iter()
        .map(|channel| live_key(guild, *channel))
        .collect();
    let hashes = cache.hash_counters(&keys).await?;
    let last: BTreeMap<String, f64> = cache
        .sorted_set(&last_key(guild))
        .await?
        .into_iter()
        .collect();
    Ok(channels
        .iter()
        .zip(hashes)
        .filter(|(_, counts)| !counts.is_empty())
        .map(|(channel, mut counts)| {
            if let Some(at) = last.get(&channel.to_string()) {
                counts.insert(LAST.to_owned(), *at as i64);
            }
            (*channel, counts)
        })
        .collect())
}

/// Adds live counts kept elsewhere (the store's snapshot, at start) to a channel's live
/// count: added, not set, so messages counted meanwhile stay counted.
pub async fn add_live(
    cache: &Cache,
    guild: u64,
    channel: u64,
    counts: &BTreeMap<String, i64>,
) -> Result<(), CacheError> {
    let key = live_key(guild, channel);
    cache
        .write_batch(&counts_batch(guild, channel, &key, counts, Put::Add))
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_counts_the_last_days_and_the_score_follows() {
        let activity = Activity {
            channel: 1,
            total: 100,
            days: [(10, 5), (14, 10), (20, 20)].into_iter().collect(),
            last_ms: None,
        };
        assert_eq!(activity.recent(20, 7), 30);
        assert_eq!(activity.recent(20, 1), 20);
        assert_eq!(activity.recent(13, 7), 5);
        assert!((activity.score(20) - (40.0 + 18.0)).abs() < 1e-9);
    }
}
