//! The IDENTIFY gate every shard of a process goes through (twilight's `Queue`): one
//! IDENTIFY per bucket (`shard_id % max_concurrency`) per window, and none once the day's
//! session starts fall to the safety floor. With Redis the gate is the bot's, shared by
//! every process (`SET … NX PX` per bucket, one counter of the starts left); without, it
//! is the process's, in memory on the real clock.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::{oneshot, Mutex};
use twilight_gateway::queue::Queue;

use crate::kernel::cache::{Cache, CacheBackend, CacheError};

/// Discord's session start limits, as `GET /gateway/bot` gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionStartLimit {
    pub max_concurrency: u32,
    pub remaining: u32,
    pub total: u32,
    pub reset_after: Duration,
}

impl Default for SessionStartLimit {
    /// A small bot's limits: one IDENTIFY per window, 1,000 a day.
    fn default() -> Self {
        Self {
            max_concurrency: 1,
            remaining: 1000,
            total: 1000,
            reset_after: Duration::from_secs(24 * 60 * 60),
        }
    }
}

/// Reads the limits anew (from `GET /gateway/bot`) when the day's counter has expired.
pub type LimitSource = Arc<dyn Fn() -> BoxFuture<'static, Option<SessionStartLimit>> + Send + Sync>;

/// What `/status` and `/metrics` show of the gate.
#[derive(Debug, Default)]
pub struct IdentifyStatus {
    /// Session starts left today, as last counted.
    pub remaining: AtomicI64,
    /// True while IDENTIFYs are held back at the floor.
    pub held_back: AtomicBool,
    /// IDENTIFYs let through by this process.
    pub granted: AtomicU64,
    pub max_concurrency: AtomicU64,
    /// The session starts kept in reserve.
    pub floor: AtomicU64,
}

/// The gate; cloned into every shard's configuration.
#[derive(Clone)]
pub struct IdentifyQueue {
    inner: Arc<Gate>,
}

impl std::fmt::Debug for IdentifyQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentifyQueue")
            .field("max_concurrency", &self.inner.max_concurrency)
            .field("window", &self.inner.window)
            .field("floor", &self.inner.floor)
            .finish()
    }
}

/// Where the gate's state lives.
enum Ledger {
    /// Redis, through the cache layer: every process of the bot.
    Shared(Cache),
    /// This process only.
    Local(parking_lot::Mutex<LocalLedger>),
}

#[derive(Default)]
struct LocalLedger {
    /// Starts left and when the count expires.
    left: Option<(i64, tokio::time::Instant)>,
    /// When each bucket is free again.
    bucket_free_at: std::collections::HashMap<u32, tokio::time::Instant>,
}

struct Gate {
    ledger: Ledger,
    max_concurrency: u32,
    window: Duration,
    floor: u32,
    limits: SessionStartLimit,
    refresh: LimitSource,
    /// Shards of one bucket take turns in this process, in the order they asked.
    turns: Vec<Mutex<()>>,
    status: Arc<IdentifyStatus>,
    /// Where the waiting happens: the main runtime, whose cache connections these are
    /// (shards call `enqueue` from their own threads).
    runtime: tokio::runtime::Handle,
}

/// How long to wait before asking again when the cache cannot be reached or the starts are
/// held back.
const RETRY: Duration = Duration::from_secs(1);
const HELD_BACK_RECHECK: Duration = Duration::from_secs(60);
const LEFT_KEY: &str = "identify:left";

/// How long a bucket is held after an IDENTIFY is let through: the window and a margin.
/// Discord counts the window from when each IDENTIFY arrives, and the one let through
/// first may be sent later than the next (a busy thread, a slow connection); without the
/// margin the second could arrive inside the window and get op 9.
fn bucket_hold(window: Duration) -> Duration {
    window + (window / 10).max(Duration::from_millis(250))
}

impl IdentifyQueue {
    /// The gate for these limits; `window` is Discord's 5 s (lower only against agora-sim);
    /// `floor` the session starts kept in reserve. Shared through `cache` when it is Redis.
    /// Must be called inside the main runtime.
    pub fn new(
        cache: Cache,
        limits: SessionStartLimit,
        window: Duration,
        floor: u32,
        refresh: LimitSource,
        status: Arc<IdentifyStatus>,
    ) -> IdentifyQueue {
        let ledger = match cache.backend() {
            CacheBackend::Redis => Ledger::Shared(cache),
            CacheBackend::Memory => Ledger::Local(Default::default()),
        };
        IdentifyQueue::with_ledger(ledger, limits, window, floor, refresh, status)
    }

    /// A gate of this process only, at a small bot's limits (tests and tools).
    pub fn local(window: Duration) -> IdentifyQueue {
        IdentifyQueue::with_ledger(
            Ledger::Local(Default::default()),
            SessionStartLimit::default(),
            window,
            0,
            Arc::new(|| Box::pin(async { None })),
            Arc::default(),
        )
    }

    fn with_ledger(
        ledger: Ledger,
        limits: SessionStartLimit,
        window: Duration,
        floor: u32,
        refresh: LimitSource,
        status: Arc<IdentifyStatus>,
    ) -> IdentifyQueue {
        let max_concurrency = limits.max_concurrency.max(1);
        status
            .remaining
            .store(i64::from(limits.remaining), Ordering::Relaxed);
        status
            .max_concurrency
            .store(u64::from(max_concurrency), Ordering::Relaxed);
        status.floor.store(u64::from(floor), Ordering::Relaxed);
        IdentifyQueue {
            inner: Arc::new(Gate {
                ledger,
                max_concurrency,
                window,
                floor,
                limits,
                refresh,
                turns: (0..max_concurrency).map(|_| Mutex::new(())).collect(),
                status,
                runtime: tokio::runtime::Handle::current(),
            }),
        }
    }

    pub fn status(&self) -> Arc<IdentifyStatus> {
        self.inner.status.clone()
    }

    pub fn max_concurrency(&self) -> u32 {
        self.inner.max_concurrency
    }
}

impl Queue for IdentifyQueue {
    fn enqueue(&self, shard: u32) -> oneshot::Receiver<()> {
        let (go, wait) = oneshot::channel();
        let gate = self.inner.clone();
        self.inner.runtime.spawn(async move {
            gate.admit(shard).await;
            // The shard may have stopped waiting (then twilight asks again).
            let _ = go.send(());
        });
        wait
    }
}

impl Gate {
    /// Waits for the shard's turn in its bucket and for a session start above the floor,
    /// then takes both.
    async fn admit(&self, shard: u32) {
        let bucket = shard % self.max_concurrency;
        let _turn = self.turns[bucket as usize].lock().await;
        self.take_session_start(shard).await;
        self.take_bucket(shard, bucket).await;
        self.status.granted.fetch_add(1, Ordering::Relaxed);
        tracing::info!(shard, bucket, "IDENTIFY let through");
    }

    /// Counts one session start off the day's, holding back at the floor.
    async fn take_session_start(&self, shard: u32) {
        loop {
            match self.starts_left().await {
                Ok(left) if left > i64::from(self.floor) => match self.count_start().await {
                    Ok(now_left) => {
                        self.status.remaining.store(now_left, Ordering::Relaxed);
                        self.status.held_back.store(false, Ordering::Relaxed);
                        return;
                    }
                    Err(error) => {
                        tracing::warn!(shard, %error, "IDENTIFY gate: could not count the session start; retrying");
                        tokio::time::sleep(RETRY).await;
                    }
                },
                Ok(left) => {
                    self.status.remaining.store(left, Ordering::Relaxed);
                    if !self.status.held_back.swap(true, Ordering::Relaxed) {
                        tracing::error!(
                            shard,
                            left,
                            floor = self.floor,
                            "IDENTIFY held back: only {left} of Discord's daily session starts are left (the floor is {}); shards wait for the daily reset",
                            self.floor
                        );
                    }
                    tokio::time::sleep(HELD_BACK_RECHECK).await;
                }
                Err(error) => {
                    tracing::warn!(shard, %error, "IDENTIFY gate: could not read the session starts left; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }

    /// The limits to seed a new day's count with: Discord's at start, read anew later.
    async fn seed(&self) -> SessionStartLimit {
        if self.status.granted.load(Ordering::Relaxed) == 0 {
            self.limits
        } else {
            (self.refresh)().await.unwrap_or(self.limits)
        }
    }

    /// The starts left today; seeded from Discord's `session_start_limit` when the
    /// counter is new or its day has passed.
    async fn starts_left(&self) -> Result<i64, CacheError> {
        match &self.ledger {
            Ledger::Local(ledger) => {
                let now = tokio::time::Instant::now();
                if let Some((left, until)) = ledger.lock().left {
                    if now < until {
                        return Ok(left);
                    }
                }
                let limits = self.seed().await;
                let left = i64::from(limits.remaining);
                ledger.lock().left = Some((left, now + limits.reset_after));
                Ok(left)
            }
            Ledger::Shared(cache) => {
                if let Some(left) = cache.get_string(LEFT_KEY).await? {
                    if let Ok(left) = left.parse() {
                        return Ok(left);
                    }
                }
                let limits = self.seed().await;
                let seed = limits.remaining.to_string();
                // Of many processes seeding at once one wins; all count on its counter.
                cache
                    .set_if_absent(
                        LEFT_KEY,
                        seed.as_bytes(),
                        Some(limits.reset_after.max(RETRY)),
                    )
                    .await?;
                Ok(cache
                    .get_string(LEFT_KEY)
                    .await?
                    .and_then(|left| left.parse().ok())
                    .unwrap_or(i64::from(limits.remaining)))
            }
        }
    }

    /// Counts one start; returns the starts left after it.
    async fn count_start(&self) -> Result<i64, CacheError> {
        match &self.ledger {
            Ledger::Local(ledger) => {
                let mut ledger = ledger.lock();
                let (left, until) = ledger.left.unwrap_or((0, tokio::time::Instant::now()));
                ledger.left = Some((left - 1, until));
                Ok(left - 1)
            }
            // The counter keeps its expiry (the day's reset).
            Ledger::Shared(cache) => cache.incr(LEFT_KEY, -1, None).await,
        }
    }

    /// Takes the bucket for one window (Redis: `SET … NX PX window`), waiting out whoever
    /// holds it.
    async fn take_bucket(&self, shard: u32, bucket: u32) {
        loop {
            match self.try_bucket(shard, bucket).await {
                Ok(None) => return,
                Ok(Some(wait)) => tokio::time::sleep(wait.max(Duration::from_millis(5))).await,
                Err(error) => {
                    tracing::warn!(shard, %error, "IDENTIFY gate: the cache is unreachable; retrying");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }

    /// Takes the bucket, or says how long until it may be free.
    async fn try_bucket(&self, shard: u32, bucket: u32) -> Result<Option<Duration>, CacheError> {
        match &self.ledger {
            Ledger::Local(ledger) => {
                let now = tokio::time::Instant::now();
                let mut ledger = ledger.lock();
                match ledger.bucket_free_at.get(&bucket) {
                    Some(free_at) if *free_at > now => Ok(Some(*free_at - now)),
                    _ => {
                        ledger
                            .bucket_free_at
                            .insert(bucket, now + bucket_hold(self.window));
                        Ok(None)
                    }
                }
            }
            Ledger::Shared(cache) => {
                let key = format!("identify:bucket:{bucket}");
                let value = shard.to_string();
                if cache
                    .set_if_absent(&key, value.as_bytes(), Some(bucket_hold(self.window)))
                    .await?
                {
                    return Ok(None);
                }
                Ok(Some(
                    cache.ttl(&key).await?.unwrap_or(Duration::from_millis(50)),
                ))
            }
        }
    }
}
