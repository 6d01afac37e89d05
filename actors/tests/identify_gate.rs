//! The IDENTIFY gate as twilight's shards use it (`Queue::enqueue`): per bucket
//! (`shard_id % max_concurrency`) one IDENTIFY per window — within one process, and across
//! processes sharing Redis — and none once the day's session starts reach the floor.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_actors::identify::{IdentifyQueue, LimitSource, SessionStartLimit};
use agora_actors::kernel::cache::Cache;
use agora_testkit::redis_url;
use futures::future::join_all;
use twilight_gateway::queue::Queue;

const WINDOW: Duration = Duration::from_millis(300);

fn limits(max_concurrency: u32, remaining: u32) -> SessionStartLimit {
    SessionStartLimit {
        max_concurrency,
        remaining,
        total: 1000,
        reset_after: Duration::from_secs(60),
    }
}

fn no_refresh() -> LimitSource {
    Arc::new(|| Box::pin(async { None }))
}

/// Asks for `shards` at once through the given gates (shard `n` through gate `n % gates`)
/// and returns when each was let through, since the start.
async fn admitted(gates: &[IdentifyQueue], shards: &[u32]) -> Vec<(u32, Duration)> {
    let started = Instant::now();
    let waits = shards.iter().enumerate().map(|(n, shard)| {
        let wait = gates[n % gates.len()].enqueue(*shard);
        async move {
            tokio::time::timeout(Duration::from_secs(10), wait)
                .await
                .expect("let through within 10 s")
                .expect("the gate answers");
            (*shard, started.elapsed())
        }
    });
    join_all(waits).await
}

/// Within each bucket, IDENTIFYs come at least a window apart (a little slack for Redis'
/// millisecond TTLs); different buckets go at once.
fn assert_buckets_spaced(mut times: Vec<(u32, Duration)>, max_concurrency: u32) {
    times.sort_by_key(|(_, at)| *at);
    for bucket in 0..max_concurrency {
        let in_bucket: Vec<Duration> = times
            .iter()
            .filter(|(shard, _)| shard % max_concurrency == bucket)
            .map(|(_, at)| *at)
            .collect();
        for pair in in_bucket.windows(2) {
            assert!(
                pair[1] - pair[0] >= WINDOW - Duration::from_millis(5),
                "bucket {bucket}: IDENTIFYs {:?} apart in {times:?}",
                pair[1] - pair[0]
            );
        }
    }
    let first_of_each: Vec<Duration> = (0..max_concurrency)
        .filter_map(|bucket| {
            times
                .iter()
                .find(|(shard, _)| shard % max_concurrency == bucket)
                .map(|(_, at)| *at)
        })
        .collect();
    assert!(
        first_of_each.iter().all(|at| *at < WINDOW),
        "every bucket's first IDENTIFY goes at once: {times:?}"
    );
}

#[tokio::test]
async fn one_process_spaces_each_bucket_by_the_window() {
    let cache = Cache::memory(std::sync::Arc::new(
        agora_actors::kernel::clock::SystemClock,
    ));
    let gate = IdentifyQueue::new(
        cache,
        limits(2, 1000),
        WINDOW,
        0,
        no_refresh(),
        Default::default(),
    );
    let times = admitted(std::slice::from_ref(&gate), &[0, 1, 2, 3, 4, 5]).await;
    assert_buckets_spaced(times, 2);
    assert_eq!(
        gate.status()
            .remaining
            .load(std::sync::atomic::Ordering::Relaxed),
        994
    );
}

#[tokio::test]
#[ignore = "needs Redis: set AGORA_TEST_REDIS_URL, run with --include-ignored"]
async fn processes_sharing_redis_take_turns_per_bucket() {
    let prefix = format!("agora-test:{:016x}:", rand::random::<u64>());
    let mut gates = Vec::new();
    // Three "processes": each its own gate and connection, one Redis.
    for _ in 0..3 {
        let cache = Cache::redis(&redis_url(), &prefix).await.expect("Redis");
        gates.push(IdentifyQueue::new(
            cache,
            limits(2, 1000),
            WINDOW,
            0,
            no_refresh(),
            Default::default(),
        ));
    }
    let times = admitted(&gates, &[0, 1, 2, 3, 4, 5, 6, 7]).await;
    assert_buckets_spaced(times, 2);
    // One counter for the bot: 8 starts taken from the 1,000.
    let cache = Cache::redis(&redis_url(), &prefix).await.expect("Redis");
    assert_eq!(
        cache.get_string("identify:left").await.unwrap().as_deref(),
        Some("992")
    );
    cache.delete_prefix("").await.expect("clean up");
}

#[tokio::test]
async fn the_floor_holds_identifies_back_and_says_so() {
    let cache = Cache::memory(std::sync::Arc::new(
        agora_actors::kernel::clock::SystemClock,
    ));
    // 21 left, floor 20: one more IDENTIFY, then none.
    let gate = IdentifyQueue::new(
        cache,
        limits(1, 21),
        Duration::from_millis(10),
        20,
        no_refresh(),
        Default::default(),
    );
    admitted(std::slice::from_ref(&gate), &[0]).await;
    let held = gate.enqueue(0);
    let outcome = tokio::time::timeout(Duration::from_millis(500), held).await;
    assert!(outcome.is_err(), "the IDENTIFY below the floor waits");
    let status = gate.status();
    assert!(status.held_back.load(std::sync::atomic::Ordering::Relaxed));
    assert_eq!(
        status.remaining.load(std::sync::atomic::Ordering::Relaxed),
        20
    );
}
