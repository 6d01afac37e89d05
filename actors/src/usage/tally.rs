//! The counting path: each finished slash command counted in memory per (day, guild,
//! command) — its run, how it ended, its latency — until the next flush takes the counts.
//! It runs on the interaction's own task after the answer went out: one short lock and one
//! map entry, never a database write.
//!
//! Pure data; the flush (`store::write`) does the I/O.

use std::collections::HashMap;
use std::time::Duration;

use super::latency::Histogram;
use crate::dispatcher::Outcome;

/// Which day, guild and command a count belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UsageKey {
    /// UTC days since 1970-01-01.
    pub day: i64,
    pub guild: u64,
    /// The command and its subcommand path, `ticket open`.
    pub command: String,
}

/// One key's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UsageCounts {
    /// Every run, however it ended.
    pub runs: u64,
    /// Refused by the policy: permissions, allowed channels, the feature off, cooldown.
    pub refused: u64,
    /// Failed on our side (an incident id shown) or out of date.
    pub failed: u64,
    /// Answered "busy" (the owner's queue full) or "restarting".
    pub busy: u64,
    /// The latency of the runs that were answered (deferred ones included).
    pub latency: Histogram,
}

impl UsageCounts {
    /// Counts one run that ended with `outcome` after `elapsed`.
    pub fn count(&mut self, outcome: Outcome, elapsed: Duration) {
        self.runs += 1;
        match outcome {
            Outcome::Answered | Outcome::Deferred => self.latency.record(elapsed),
            Outcome::Refused | Outcome::Cooldown => self.refused += 1,
            Outcome::Busy => self.busy += 1,
            Outcome::Failed | Outcome::Stale => self.failed += 1,
        }
    }

    /// Adds another's counts (a failed flush's counts going back).
    pub fn merge(&mut self, other: &UsageCounts) {
        self.runs += other.runs;
        self.refused += other.refused;
        self.failed += other.failed;
        self.busy += other.busy;
        for (bucket, count) in other.latency.buckets() {
            self.latency.add(bucket, count);
        }
    }
}

/// What was counted since the last flush.
#[derive(Debug, Default)]
pub struct UsageTally {
    pending: HashMap<UsageKey, UsageCounts>,
    /// Runs counted by this process since it started (flushed or not).
    counted: u64,
    /// Runs counted and not yet written.
    unflushed: u64,
}

impl UsageTally {
    pub fn count(&mut self, key: UsageKey, outcome: Outcome, elapsed: Duration) {
        self.pending.entry(key).or_default().count(outcome, elapsed);
        self.counted += 1;
        self.unflushed += 1;
    }

    /// Takes everything counted so far, for a flush.
    pub fn take(&mut self) -> Vec<(UsageKey, UsageCounts)> {
        self.unflushed = 0;
        let mut taken: Vec<_> = self.pending.drain().collect();
        taken.sort_by(|a, b| a.0.cmp(&b.0));
        taken
    }

    /// Puts back what a flush could not write.
    pub fn restore(&mut self, counts: Vec<(UsageKey, UsageCounts)>) {
        for (key, counts) in counts {
            self.unflushed += counts.runs;
            self.pending.entry(key).or_default().merge(&counts);
        }
    }

    /// Runs this process counted since it started.
    pub fn counted(&self) -> u64 {
        self.counted
    }

    /// Runs counted and not yet written.
    pub fn unflushed(&self) -> u64 {
        self.unflushed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(command: &str) -> UsageKey {
        UsageKey {
            day: 20_000,
            guild: 1,
            command: command.to_owned(),
        }
    }

    #[test]
    fn outcomes_are_counted_apart_and_only_answers_have_a_latency() {
        let mut tally = UsageTally::default();
        let ms = Duration::from_millis;
        tally.count(key("help"), Outcome::Answered, ms(5));
        tally.count(key("help"), Outcome::Deferred, ms(2500));
        tally.count(key("help"), Outcome::Refused, ms(1));
        tally.count(key("help"), Outcome::Cooldown, ms(1));
        tally.count(key("help"), Outcome::Failed, ms(40));
        tally.count(key("help"), Outcome::Busy, ms(1));
        tally.count(key("status"), Outcome::Answered, ms(9));
        assert_eq!(tally.unflushed(), 7);
        let taken = tally.take();
        assert_eq!(tally.unflushed(), 0);
        assert_eq!(taken.len(), 2);
        let help = &taken[0].1;
        assert_eq!(
            (help.runs, help.refused, help.failed, help.busy),
            (6, 2, 1, 1)
        );
        assert_eq!(help.latency.total(), 2);
        tally.restore(taken);
        assert_eq!(tally.unflushed(), 7);
        assert_eq!(tally.counted(), 7);
        assert_eq!(tally.take().len(), 2);
    }
}
