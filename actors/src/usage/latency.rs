//! Latency percentiles that stay honest when stored per command and day and added up
//! later: a fixed log-scale histogram. Bucket 0 holds answers under 1 ms; bucket `i`
//! (1 ≤ i < 64) holds `[2^((i-1)/4), 2^(i/4))` ms; bucket 64 holds 65.5 s and more. Four
//! buckets per doubling: a percentile read from it is the upper edge of the bucket that
//! holds that rank, never below the true value and at most 19 % (2^¼ − 1) above it.
//! Histograms of any days, guilds or processes merge by adding their buckets, which no
//! running average or stored percentile could do.
//!
//! Pure data; the store keeps one row per non-empty bucket.

use std::time::Duration;

/// How many buckets a histogram has.
pub const BUCKETS: usize = 65;

/// Buckets per doubling of the latency.
const PER_DOUBLING: f64 = 4.0;

/// The bucket an answer's latency falls in.
pub fn bucket_of(elapsed: Duration) -> usize {
    let millis = elapsed.as_secs_f64() * 1000.0;
    if millis < 1.0 {
        return 0;
    }
    let index = (millis.log2() * PER_DOUBLING).floor() as usize + 1;
    index.min(BUCKETS - 1)
}

/// The upper edge of a bucket, in milliseconds (the last bucket's lower edge: it is open).
pub fn upper_edge_ms(bucket: usize) -> f64 {
    let bucket = bucket.min(BUCKETS - 1);
    let exponent = if bucket == BUCKETS - 1 {
        bucket - 1
    } else {
        bucket
    };
    2f64.powf(exponent as f64 / PER_DOUBLING)
}

/// How many answers fell in each bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram(pub [u64; BUCKETS]);

impl Default for Histogram {
    fn default() -> Self {
        Histogram([0; BUCKETS])
    }
}

impl Histogram {
    /// Counts one answer.
    pub fn record(&mut self, elapsed: Duration) {
        self.0[bucket_of(elapsed)] += 1;
    }

    /// Adds `count` answers to a bucket (a stored row); a bucket out of range is ignored.
    pub fn add(&mut self, bucket: usize, count: u64) {
        if let Some(place) = self.0.get_mut(bucket) {
            *place += count;
        }
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// The non-empty buckets with their counts.
    pub fn buckets(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(bucket, count)| (bucket, *count))
    }

    /// The `q` quantile (0 < q ≤ 1) in milliseconds: the upper edge of the bucket holding
    /// the answer of rank ⌈q·n⌉; `None` without answers.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (bucket, count) in self.buckets() {
            seen += count;
            if seen >= rank {
                return Some(upper_edge_ms(bucket));
            }
        }
        None
    }
}

/// A latency as people read it: `840 µs`, `38 ms`, `1.2 s`; `—` for none.
pub fn format_ms(millis: Option<f64>) -> String {
    match millis {
        None => "—".to_owned(),
        Some(ms) if ms < 1.0 => format!("{:.0} µs", ms * 1000.0),
        Some(ms) if ms < 1000.0 => format!("{ms:.0} ms"),
        Some(ms) => format!("{:.1} s", ms / 1000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_four_per_doubling_with_open_ends() {
        assert_eq!(bucket_of(Duration::from_micros(300)), 0);
        assert_eq!(bucket_of(Duration::from_millis(1)), 1);
        assert_eq!(bucket_of(Duration::from_millis(2)), 5);
        assert_eq!(bucket_of(Duration::from_millis(4)), 9);
        assert_eq!(bucket_of(Duration::from_secs(3600)), BUCKETS - 1);
        assert_eq!(upper_edge_ms(0), 1.0);
        assert_eq!(upper_edge_ms(4), 2.0);
    }

    #[test]
    fn a_quantile_is_never_below_the_truth_and_at_most_a_fifth_above() {
        let mut histogram = Histogram::default();
        let mut exact: Vec<f64> = Vec::new();
        for n in 1..=1000u64 {
            let ms = (n * 7919 % 3000 + 1) as f64 / 3.0;
            exact.push(ms);
            histogram.record(Duration::from_secs_f64(ms / 1000.0));
        }
        exact.sort_by(f64::total_cmp);
        for q in [0.5, 0.95, 0.99] {
            let truth = exact[(q * 1000.0f64).ceil() as usize - 1];
            let read = histogram.quantile_ms(q).unwrap();
            assert!(read >= truth, "q {q}: {read} < {truth}");
            assert!(read <= truth * 1.19, "q {q}: {read} vs {truth}");
        }
        assert_eq!(Histogram::default().quantile_ms(0.5), None);
    }

    #[test]
    fn histograms_merge_by_adding_buckets() {
        let mut a = Histogram::default();
        a.record(Duration::from_millis(10));
        let mut b = Histogram::default();
        b.record(Duration::from_millis(500));
        b.record(Duration::from_millis(600));
        for (bucket, count) in b.buckets() {
            a.add(bucket, count);
        }
        assert_eq!(a.total(), 3);
        assert!(a.quantile_ms(0.5).unwrap() >= 500.0);
        assert!(a.quantile_ms(0.3).unwrap() < 20.0);
        assert_eq!(format_ms(Some(0.5)), "500 µs");
        assert_eq!(format_ms(Some(38.2)), "38 ms");
        assert_eq!(format_ms(Some(1234.0)), "1.2 s");
    }
}
