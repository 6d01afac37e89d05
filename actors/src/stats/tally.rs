//! The counting path: messages of tracked channels counted in memory, per channel and per
//! day, until the next flush takes them. It runs on the shard's thread for every
//! MESSAGE_CREATE, so it is one short lock, one map lookup and a few additions — no
//! allocation (a third day pending in one channel before a flush, which takes a cache
//! outage of days, is the one exception).
//!
//! Pure data: the flush (`counts::flush`) and the tracking (`tracking`) do the I/O.

use std::collections::HashMap;

/// Discord's epoch (2015-01-01) in Unix milliseconds: a snowflake's time is its top 42 bits
/// after it.
pub const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

const DAY_MS: i64 = 86_400_000;

/// When a snowflake (message id) was made, in Unix milliseconds.
pub fn snowflake_ms(id: u64) -> i64 {
    (id >> 22) as i64 + DISCORD_EPOCH_MS
}

/// The smallest snowflake made at `unix_ms` (a `before=` cursor for that moment).
pub fn snowflake_at(unix_ms: i64) -> u64 {
    ((unix_ms - DISCORD_EPOCH_MS).max(0) as u64) << 22
}

/// The UTC day (days since 1970-01-01) of a Unix time in milliseconds.
pub fn day_of(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(DAY_MS)
}

/// Which category a tracked channel is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Proposed,
    Permanent,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Proposed => "proposed",
            Kind::Permanent => "permanent",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        match text {
            "proposed" => Some(Kind::Proposed),
            "permanent" => Some(Kind::Permanent),
            _ => None,
        }
    }
}

/// One tracked channel's counts since the last flush.
#[derive(Debug, Clone)]
struct Slot {
    guild: u64,
    /// False once the channel left the tracked categories: flushed once more, then dropped.
    tracked: bool,
    /// Messages with a smaller id are not counted live: a recalculation reads them from
    /// the history (0: every message counts).
    ignore_before: u64,
    /// Up to two days' counts (a flush takes them every second, so two is plenty).
    days: [(i64, u32); 2],
    /// The newest message's time (Unix ms), 0 when none since the last flush.
    last_ms: i64,
}

impl Slot {
    fn new(guild: u64) -> Slot {
        Slot {
            guild,
            tracked: true,
            ignore_before: 0,
            days: [(0, 0); 2],
            last_ms: 0,
        }
    }

    fn pending(&self) -> bool {
        self.days.iter().any(|(_, count)| *count > 0)
    }
}

/// One channel's messages on one day, as a flush writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub guild: u64,
    pub channel: u64,
    pub day: i64,
    pub count: u32,
    /// The newest message's time among them (Unix ms).
    pub last_ms: i64,
}

/// Every tracked channel of this process's guilds and what was counted since the last
/// flush.
#[derive(Debug, Default)]
pub struct Tally {
    slots: HashMap<u64, Slot>,
    /// Counts that found both day places of their channel taken (rare; see the module).
    spilled: Vec<DayCount>,
}

impl Tally {
    /// Counts one message; false when its channel is not tracked (or the message is one a
    /// running recalculation reads from the history).
    #[inline]
    pub fn count(&mut self, channel: u64, message: u64) -> bool {
        let Some(slot) = self.slots.get_mut(&channel) else {
            return false;
        };
        if !slot.tracked || message < slot.ignore_before {
            return false;
        }
        let at = snowflake_ms(message);
        let day = day_of(at);
        slot.last_ms = slot.last_ms.max(at);
        if let Some(place) = slot
            .days
            .iter_mut()
            .find(|(d, count)| *count > 0 && *d == day)
        {
            place.1 += 1;
        } else if let Some(place) = slot.days.iter_mut().find(|(_, count)| *count == 0) {
            *place = (day, 1);
        } else {
            let guild = slot.guild;
            self.spilled.push(DayCount {
                guild,
                channel,
                day,
                count: 1,
                last_ms: at,
            });
        }
        true
    }

    /// Whether a channel is counted.
    pub fn is_tracked(&self, channel: u64) -> bool {
        self.slots.get(&channel).is_some_and(|slot| slot.tracked)
    }

    /// Makes a guild's tracked channels exactly `channels`: new ones are counted from now,
    /// ones no longer among them are flushed once more and dropped.
    pub fn set_guild_channels(&mut self, guild: u64, channels: &[u64]) {
        for (id, slot) in self.slots.iter_mut() {
            if slot.guild == guild && !channels.contains(id) {
                slot.tracked = false;
            }
        }
        for channel in channels {
            self.track(guild, *channel);
        }
    }

    /// Starts counting a channel (kept as it is when already counted).
    pub fn track(&mut self, guild: u64, channel: u64) {
        let slot = self
            .slots
            .entry(channel)
            .or_insert_with(|| Slot::new(guild));
        slot.guild = guild;
        slot.tracked = true;
    }

    /// Stops counting a channel; what it counted is still flushed.
    pub fn untrack(&mut self, channel: u64) {
        if let Some(slot) = self.slots.get_mut(&channel) {
            slot.tracked = false;
        }
    }

    /// The channels tracked in a guild.
    pub fn guild_channels(&self, guild: u64) -> Vec<u64> {
        let mut channels: Vec<u64> = self
            .slots
            .iter()
            .filter(|(_, slot)| slot.guild == guild && slot.tracked)
            .map(|(id, _)| *id)
            .collect();
        channels.sort_unstable();
        channels
    }

    /// From now on a channel's messages older than `message` are left to a recalculation
    /// reading the history; what is pending of them is dropped (the history has them).
    /// `0` counts everything again.
    pub fn ignore_before(&mut self, guild: u64, channel: u64, message: u64) {
        let slot = self
            .slots
            .entry(channel)
            .or_insert_with(|| Slot::new(guild));
        slot.ignore_before = message;
        if message > 0 {
            slot.days = [(0, 0); 2];
            slot.last_ms = 0;
        }
        if message > 0 {
            self.spilled.retain(|count| count.channel != channel);
        }
    }

    /// Takes everything counted since the last take into `into` (cleared first), and
    /// forgets channels no longer tracked once their counts are out.
    pub fn take(&mut self, into: &mut Vec<DayCount>) {
        into.clear();
        into.append(&mut self.spilled);
        for (channel, slot) in self.slots.iter_mut() {
            if !slot.pending() {
                continue;
            }
            for (day, count) in slot.days.iter_mut() {
                if *count > 0 {
                    into.push(DayCount {
                        guild: slot.guild,
                        channel: *channel,
                        day: *day,
                        count: *count,
                        last_ms: slot.last_ms,
                    });
                    *count = 0;
                }
            }
            slot.last_ms = 0;
        }
        self.slots.retain(|_, slot| slot.tracked || slot.pending());
    }

    /// Puts back counts a flush could not write (the cache did not answer): they go out
    /// with the next flush.
    pub fn restore(&mut self, counts: &[DayCount]) {
        for count in counts {
            let placed = self.slots.get_mut(&count.channel).and_then(|slot| {
                slot.last_ms = slot.last_ms.max(count.last_ms);
                if let Some(place) = slot
                    .days
                    .iter_mut()
                    .find(|(d, n)| *n > 0 && *d == count.day)
                {
                    place.1 += count.count;
                    Some(())
                } else if let Some(place) = slot.days.iter_mut().find(|(_, n)| *n == 0) {
                    *place = (count.day, count.count);
                    Some(())
                } else {
                    None
                }
            });
            if placed.is_none() {
                self.spilled.push(*count);
            }
        }
    }

    /// Whether anything waits for a flush.
    pub fn has_pending(&self) -> bool {
        !self.spilled.is_empty() || self.slots.values().any(Slot::pending)
    }
}

/// A proposed channel's score, as seed 002 has it: 0.4 × all its messages + 0.6 × those of
/// the last 7 days.
pub fn score(total: i64, last_week: i64) -> f64 {
    0.4 * total as f64 + 0.6 * last_week as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A message id made at `unix_ms`.
    fn id_at(unix_ms: i64, n: u64) -> u64 {
        snowflake_at(unix_ms) | n
    }

    const DAY0: i64 = 20_000 * DAY_MS;

    #[test]
    fn snowflakes_carry_their_time_and_day() {
        let id = id_at(DAY0 + 5_000, 7);
        assert_eq!(snowflake_ms(id), DAY0 + 5_000);
        assert_eq!(day_of(snowflake_ms(id)), 20_000);
        assert_eq!(day_of(-1), -1);
        // A real Discord id: 2015-01-01 + its top bits.
        assert_eq!(snowflake_ms(175_928_847_299_117_063), 1_462_015_105_796);
    }

    #[test]
    fn only_tracked_channels_count_and_days_are_kept_apart() {
        let mut tally = Tally::default();
        tally.set_guild_channels(1, &[10, 11]);
        assert!(tally.count(10, id_at(DAY0 + 1, 1)));
        assert!(tally.count(10, id_at(DAY0 + 2, 2)));
        assert!(tally.count(10, id_at(DAY0 + DAY_MS, 3)));
        assert!(tally.count(11, id_at(DAY0 + 3, 4)));
        assert!(!tally.count(12, id_at(DAY0 + 3, 5)));
        let mut taken = Vec::new();
        tally.take(&mut taken);
        taken.sort_by_key(|c| (c.channel, c.day));
        assert_eq!(
            taken,
            vec![
                DayCount {
                    guild: 1,
                    channel: 10,
                    day: 20_000,
                    count: 2,
                    last_ms: DAY0 + DAY_MS
                },
                DayCount {
                    guild: 1,
                    channel: 10,
                    day: 20_001,
                    count: 1,
                    last_ms: DAY0 + DAY_MS
                },
                DayCount {
                    guild: 1,
                    channel: 11,
                    day: 20_000,
                    count: 1,
                    last_ms: DAY0 + 3
                },
            ]
        );
        tally.take(&mut taken);
        assert!(taken.is_empty(), "a take empties the tally");
        assert!(!tally.has_pending());
    }

    #[test]
    fn a_third_day_spills_and_nothing_is_lost() {
        let mut tally = Tally::default();
        tally.track(1, 10);
        for day in 0..5 {
            for n in 0..=day as u64 {
                tally.count(10, id_at(DAY0 + day * DAY_MS, n));
            }
        }
        let mut taken = Vec::new();
        tally.take(&mut taken);
        let mut per_day: Vec<(i64, u32)> = Vec::new();
        for count in &taken {
            match per_day.iter_mut().find(|(d, _)| *d == count.day) {
                Some(place) => place.1 += count.count,
                None => per_day.push((count.day, count.count)),
            }
        }
        per_day.sort();
        assert_eq!(
            per_day,
            vec![
                (20_000, 1),
                (20_001, 2),
                (20_002, 3),
                (20_003, 4),
                (20_004, 5)
            ]
        );
    }

    #[test]
    fn untracked_channels_flush_once_more_then_go() {
        let mut tally = Tally::default();
        tally.set_guild_channels(1, &[10, 11]);
        tally.count(10, id_at(DAY0, 1));
        tally.set_guild_channels(1, &[11]);
        assert!(!tally.count(10, id_at(DAY0, 2)), "no longer counted");
        let mut taken = Vec::new();
        tally.take(&mut taken);
        assert_eq!(taken.len(), 1);
        assert_eq!(tally.guild_channels(1), vec![11]);
        tally.take(&mut taken);
        assert!(taken.is_empty());
    }

    #[test]
    fn restored_counts_go_out_with_the_next_flush() {
        let mut tally = Tally::default();
        tally.track(1, 10);
        tally.count(10, id_at(DAY0, 1));
        let mut failed = Vec::new();
        tally.take(&mut failed);
        tally.count(10, id_at(DAY0 + 10, 2));
        tally.restore(&failed);
        let mut taken = Vec::new();
        tally.take(&mut taken);
        assert_eq!(taken.iter().map(|c| c.count).sum::<u32>(), 2);
        assert_eq!(taken[0].last_ms, DAY0 + 10);
    }

    #[test]
    fn a_recalculation_leaves_older_messages_to_the_history() {
        let mut tally = Tally::default();
        tally.track(1, 10);
        tally.count(10, id_at(DAY0, 1));
        let anchor = id_at(DAY0 + 1_000, 0);
        tally.ignore_before(1, 10, anchor);
        assert!(!tally.has_pending(), "the history has the pending ones");
        assert!(!tally.count(10, id_at(DAY0 + 999, 2)));
        assert!(tally.count(10, id_at(DAY0 + 1_000, 3)));
        tally.ignore_before(1, 10, 0);
        assert!(tally.count(10, id_at(DAY0 + 5, 4)));
    }

    /// Counts the allocations made on the thread that asks (the other tests' threads are
    /// left out).
    struct CountingAllocator;

    thread_local! {
        static ALLOCATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
        unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
            let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
            // SAFETY: forwarded as given.
            unsafe { std::alloc::System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
            // SAFETY: forwarded as given.
            unsafe { std::alloc::System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static ALLOCATOR: CountingAllocator = CountingAllocator;

    #[test]
    fn counting_a_message_allocates_nothing() {
        let mut tally = Tally::default();
        let channels: Vec<u64> = (1..=50).collect();
        tally.set_guild_channels(1, &channels);
        let before = ALLOCATIONS.with(std::cell::Cell::get);
        for n in 0..10_000u64 {
            // Tracked and untracked channels, over two days.
            tally.count(n % 60 + 1, id_at(DAY0 + (n as i64) * 10_000, n & 0xfff));
        }
        let after = ALLOCATIONS.with(std::cell::Cell::get);
        assert_eq!(after - before, 0, "allocations while counting");
        let mut taken = Vec::new();
        tally.take(&mut taken);
        assert_eq!(
            taken.iter().map(|c| u64::from(c.count)).sum::<u64>(),
            10_000 / 60 * 50 + 40
        );
    }

    #[test]
    fn the_score_weighs_the_last_week_more() {
        assert!((score(100, 0) - 40.0).abs() < 1e-9);
        assert!((score(100, 100) - 100.0).abs() < 1e-9);
        assert!(score(10, 10) > score(14, 0));
    }
}
