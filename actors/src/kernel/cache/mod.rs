//! The shared cache: cooldowns, short-lived locks, dedup of processed events, counters
//! in fixed windows and small cached values, in memory by default or in Redis when
//! `redis_url` is set.
//!
//! One API, two backends behind it. Both speak bytes, millisecond TTLs and the same
//! edge cases, so a contract suite (`actors/tests/cache_contract.rs`) runs unchanged on
//! each:
//!
//! - every key is stored under the cache's key prefix (`"agora:"` in production), so
//!   processes sharing one Redis never see each other's keys by accident, and
//!   [`Cache::scoped`] narrows it further for one concern;
//! - a TTL shorter than a millisecond counts as one millisecond, a longer one than
//!   [`MAX_TTL`] is capped to it;
//! - `set` replaces the value and its TTL (no TTL means the key lives until deleted),
//!   `incr` keeps the TTL it had (a fixed window) and sets one only when it creates the
//!   key;
//! - counters are stored as decimal text, as Redis does, so `get_string` reads them;
//! - besides plain values a key may hold a hash of integer counters or a sorted set,
//!   written in a [`CacheBatch`] (one pipeline in Redis, one lock in memory) and read with
//!   [`Cache::hash_counters`] and [`Cache::sorted_set`]; an operation meant for another
//!   kind of value fails with [`CacheError::WrongType`]; a hash or sorted set left empty
//!   is gone.
//!
//! The memory backend measures expiry with the injected [`SharedClock`]; the Redis
//! backend uses the server's clock.
//!
//! It is not a store: anything in it may vanish (restart, eviction, Redis flush), and
//! the database stays the source of truth.

mod memory;
mod redis;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::kernel::clock::SharedClock;

use self::memory::MemoryCache;
use self::redis::RedisCache;

/// The longest TTL the cache keeps (100 years); longer ones are capped to it.
pub const MAX_TTL: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// The cache every actor shares. Cloning is cheap and clones share the same entries.
#[derive(Clone)]
pub struct Cache {
    backend: Backend,
    key_prefix: Arc<str>,
}

#[derive(Clone)]
enum Backend {
    Memory(Arc<MemoryCache>),
    Redis(RedisCache),
}

/// Which backend a [`Cache`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheBackend {
    Memory,
    Redis,
}

/// Why a cache operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The backend cannot be reached: connection refused or dropped, timeout, failed
    /// authentication. `endpoint` never carries credentials.
    #[error("cache at {endpoint} is unavailable: {reason}")]
    Unavailable { endpoint: String, reason: String },
    /// The configuration cannot be used (a malformed Redis URL, for instance).
    #[error("invalid cache configuration: {reason}")]
    InvalidConfig { reason: String },
    /// `incr` on a key whose value is not a decimal integer.
    #[error("cache key {key:?} does not hold an integer")]
    NotAnInteger { key: String },
    /// `incr` would leave the `i64` range.
    #[error("incrementing cache key {key:?} would overflow")]
    IntegerOverflow { key: String },
    /// The key holds another kind of value (bytes, a hash, a sorted set) than the
    /// operation is for.
    #[error("cache key {key:?} holds another kind of value")]
    WrongType { key: String },
    /// `get_string` on a value that is not UTF-8.
    #[error("cache key {key:?} does not hold UTF-8 text")]
    NotUtf8 { key: String },
    /// `delete_prefix` with an empty prefix on a cache without a key prefix: that would
    /// empty the whole backend, which is never what a caller means.
    #[error("refusing to delete every key: the cache has no key prefix and none was given")]
    EmptyPrefix,
    /// The backend answered with an error.
    #[error("cache command {command} failed: {reason}")]
    CommandFailed {
        command: &'static str,
        reason: String,
    },
}

impl CacheError {
    /// True when the backend could not be reached, as opposed to refusing an operation.
    /// Callers usually degrade (skip the cooldown, allow the event) rather than fail.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, CacheError::Unavailable { .. })
    }
}

impl Cache {
    /// An in-process cache whose TTLs follow `clock`. It has no key prefix.
    pub fn memory(clock: SharedClock) -> Cache {
        Cache {
            backend: Backend::Memory(Arc::new(MemoryCache::new(clock))),
            key_prefix: Arc::from(""),
        }
    }

    /// Connects to Redis at `url` and pings it; every key is stored as
    /// `key_prefix + key`. An unreachable server fails within about a second with an
    /// error for which [`CacheError::is_unavailable`] is true.
    pub async fn redis(url: &str, key_prefix: &str) -> Result<Cache, CacheError> {
        let redis = RedisCache::connect(url).await?;
        Ok(Cache {
            backend: Backend::Redis(redis),
            key_prefix: Arc::from(key_prefix),
        })
    }

    /// Redis when `redis_url` is set (and not blank), memory otherwise. The key prefix
    /// applies to both backends; `clock` only to memory (Redis keeps its own time).
    pub async fn connect(
        redis_url: Option<&str>,
        key_prefix: &str,
        clock: SharedClock,
    ) -> Result<Cache, CacheError> {
        match redis_url.map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => Cache::redis(url, key_prefix).await,
            None => Ok(Cache {
                key_prefix: Arc::from(key_prefix),
                ..Cache::memory(clock)
            }),
        }
    }

    /// The same cache with `sub_prefix` appended to the key prefix: a namespace for one
    /// concern (`cache.scoped("cooldown:")`) sharing the same entries and connections.
    pub fn scoped(&self, sub_prefix: &str) -> Cache {
        Cache {
            backend: self.backend.clone(),
            key_prefix: Arc::from(format!("{}{sub_prefix}", self.key_prefix)),
        }
    }

    /// The prefix every key is stored under.
    pub fn key_prefix(&self) -> &str {
        &self.key_prefix
    }

    pub fn backend(&self) -> CacheBackend {
        match self.backend {
            Backend::Memory(_) => CacheBackend::Memory,
            Backend::Redis(_) => CacheBackend::Redis,
        }
    }

    /// Checks that the backend answers (always true in memory).
    pub async fn ping(&self) -> Result<(), CacheError> {
        match &self.backend {
            Backend::Memory(_) => Ok(()),
            Backend::Redis(redis) => redis.ping().await,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let key = self.stored_key(key);
        match &self.backend {
            Backend::Memory(memory) => memory.get(&key),
            Backend::Redis(redis) => redis.get(&key).await,
        }
    }

    /// [`Cache::get`] for values stored as text.
    pub async fn get_string(&self, key: &str) -> Result<Option<String>, CacheError> {
        match self.get(key).await? {
            None => Ok(None),
            Some(bytes) => String::from_utf8(bytes)
                .map(Some)
                .map_err(|_| CacheError::NotUtf8 {
                    key: key.to_owned(),
                }),
        }
    }

    /// Stores `value`, replacing any value and TTL the key had; `None` keeps it until
    /// deleted.
    pub async fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let key = self.stored_key(key);
        let ttl = ttl.map(ttl_millis);
        match &self.backend {
            Backend::Memory(memory) => {
                memory.set(key, value, ttl);
                Ok(())
            }
            Backend::Redis(redis) => redis.set(&key, value, ttl).await,
        }
    }

    /// Sets only if absent (SET NX PX); true when this call set it. For locks, cooldowns, dedup.
    ///
    /// Atomic: of many concurrent callers on one key, exactly one gets `true`.
    pub async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl: Option<Duration>,
    ) -> Result<bool, CacheError> {
        let key = self.stored_key(key);
        let ttl = ttl.map(ttl_millis);
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.set_if_absent(key, value, ttl)),
            Backend::Redis(redis) => redis.set_if_absent(&key, value, ttl).await,
        }
    }

    /// Removes the key; true when it existed.
    pub async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let key = self.stored_key(key);
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.delete(&key)),
            Backend::Redis(redis) => redis.delete(&key).await,
        }
    }

    /// Adds `by` and returns the new value; the TTL is set only when the key is created
    /// (a fixed window).
    ///
    /// A missing key counts as 0. Later increments keep the window's TTL whatever
    /// `ttl_on_create` they pass, so a counter restarts only when its window expires.
    /// Atomic in both backends (Redis: one Lua script, see `redis.rs`).
    pub async fn incr(
        &self,
        key: &str,
        by: i64,
        ttl_on_create: Option<Duration>,
    ) -> Result<i64, CacheError> {
        let key = self.stored_key(key);
        let ttl = ttl_on_create.map(ttl_millis);
        match &self.backend {
            Backend::Memory(memory) => memory.incr(key, by, ttl),
            Backend::Redis(redis) => redis.incr(&key, by, ttl).await,
        }
    }

    /// Remaining time to live (None when absent or without TTL).
    pub async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        let key = self.stored_key(key);
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.ttl(&key)),
            Backend::Redis(redis) => redis.ttl(&key).await,
        }
    }

    /// Deletes every key under a prefix (for tests and guild removal): SCAN + DEL in Redis.
    ///
    /// Returns how many keys it removed. The prefix is taken literally (glob characters
    /// are escaped). Refuses ([`CacheError::EmptyPrefix`]) when both the cache's key
    /// prefix and `prefix` are empty. Keys written while it runs may survive it.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        let prefix = self.stored_key(prefix);
        if prefix.is_empty() {
            return Err(CacheError::EmptyPrefix);
        }
        match &self.backend {
            Backend::Memory(memory) => Ok(memory.delete_prefix(&prefix)),
            Backend::Redis(redis) => redis.delete_prefix(&prefix).await,
        }
    }

    /// Applies a batch of hash and sorted-set writes in order, in one round trip: one
    /// `MULTI`/`EXEC` pipeline in Redis, one lock in memory. When it fails, which of its
    /// writes were done is not said (memory does none when a key holds the wrong kind).
    pub async fn write_batch(&self, batch: &CacheBatch) -> Result<(), CacheError> {
        if batch.writes.is_empty() {
            return Ok(());
        }
        match &self.backend {
            Backend::Memory(memory) => memory.write_batch(batch, |key| self.stored_key(key)),
            Backend::Redis(redis) => redis.write_batch(batch, |key| self.stored_key(key)).await,
        }
    }

    /// The counters of each hash in `keys`, in order (an empty map for a missing key), read
    /// in one round trip.
    pub async fn hash_counters(
        &self,
        keys: &[String],
    ) -> Result<Vec<BTreeMap<String, i64>>, CacheError> {
        let keys: Vec<String> = keys.iter().map(|key| self.stored_key(key)).collect();
        match &self.backend {
            Backend::Memory(memory) => memory.hash_counters(&keys),
            Backend::Redis(redis) => redis.hash_counters(&keys).await,
        }
    }

    /// A sorted set's members with their scores, lowest score first (ties by member).
    pub async fn sorted_set(&self, key: &str) -> Result<Vec<(String, f64)>, CacheError> {
        let key = self.stored_key(key);
        match &self.backend {
            Backend::Memory(memory) => memory.sorted_set(&key),
            Backend::Redis(redis) => redis.sorted_set(&key).await,
        }
    }

    fn stored_key(&self, key: &str) -> String {
        format!("{}{key}", self.key_prefix)
    }
}

/// Writes to hashes of integer counters and to sorted sets, applied together by
/// [`Cache::write_batch`]. Keys are given as to every other operation (the cache's prefix
/// is added).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CacheBatch {
    writes: Vec<BatchWrite>,
}

/// One write of a [`CacheBatch`].
#[derive(Debug, Clone, PartialEq)]
enum BatchWrite {
    /// `HINCRBY`: adds to a counter (0 when absent).
    HashIncr { key: String, field: String, by: i64 },
    /// `HSET`: replaces a counter.
    HashSet {
        key: String,
        field: String,
        value: i64,
    },
    /// `HDEL`.
    HashDelete { key: String, fields: Vec<String> },
    /// `ZADD GT`: sets the member's score unless it already has a higher one.
    SortedSetRaise {
        key: String,
        member: String,
        score: f64,
    },
    /// `ZREM`.
    SortedSetRemove { key: String, member: String },
    /// `DEL`.
    Delete { key: String },
}

impl BatchWrite {
    fn key(&self) -> &str {
        match self {
            BatchWrite::HashIncr { key, .. }
            | BatchWrite::HashSet { key, .. }
            | BatchWrite::HashDelete { key, .. }
            | BatchWrite::SortedSetRaise { key, .. }
            | BatchWrite::SortedSetRemove { key, .. }
            | BatchWrite::Delete { key } => key,
        }
    }
}

impl CacheBatch {
    pub fn new() -> CacheBatch {
        CacheBatch::default()
    }

    /// How many writes it holds.
    pub fn len(&self) -> usize {
        self.writes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.writes.is_empty()
    }

    /// Adds `by` to the hash's counter `field`.
    pub fn hash_incr(&mut self, key: &str, field: &str, by: i64) -> &mut CacheBatch {
        self.writes.push(BatchWrite::HashIncr {
            key: key.to_owned(),
            field: field.to_owned(),
            by,
        });
        self
    }

    /// Sets the hash's counter `field` to `value`.
    pub fn hash_set(&mut self, key: &str, field: &str, value: i64) -> &mut CacheBatch {
        self.writes.push(BatchWrite::HashSet {
            key: key.to_owned(),
            field: field.to_owned(),
            value,
        });
        self
    }

    /// Removes counters from the hash (the hash is gone when none is left).
    pub fn hash_delete(&mut self, key: &str, fields: Vec<String>) -> &mut CacheBatch {
        if !fields.is_empty() {
            self.writes.push(BatchWrite::HashDelete {
                key: key.to_owned(),
                fields,
            });
        }
        self
    }

    /// Gives `member` the score `score` unless it has a higher one already.
    pub fn sorted_set_raise(&mut self, key: &str, member: &str, score: f64) -> &mut CacheBatch {
        self.writes.push(BatchWrite::SortedSetRaise {
            key: key.to_owned(),
            member: member.to_owned(),
            score,
        });
        self
    }

    /// Removes `member` from the sorted set.
    pub fn sorted_set_remove(&mut self, key: &str, member: &str) -> &mut CacheBatch {
        self.writes.push(BatchWrite::SortedSetRemove {
            key: key.to_owned(),
            member: member.to_owned(),
        });
        self
    }

    /// Removes the key, whatever it holds.
    pub fn delete(&mut self, key: &str) -> &mut CacheBatch {
        self.writes.push(BatchWrite::Delete {
            key: key.to_owned(),
        });
        self
    }
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Cache");
        debug
            .field("backend", &self.backend())
            .field("key_prefix", &self.key_prefix);
        if let Backend::Redis(redis) = &self.backend {
            debug.field("endpoint", &redis.endpoint());
        }
        debug.finish()
    }
}

/// A TTL in whole milliseconds, at least 1 and at most [`MAX_TTL`].
fn ttl_millis(ttl: Duration) -> u64 {
    let millis = ttl.min(MAX_TTL).as_millis().max(1);
    // Cannot fail: MAX_TTL is about 3.2e12 ms, far below u64::MAX.
    u64::try_from(millis).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_millis_rounds_sub_millisecond_up_and_caps_huge() {
        assert_eq!(ttl_millis(Duration::ZERO), 1);
        assert_eq!(ttl_millis(Duration::from_micros(1500)), 1);
        assert_eq!(ttl_millis(Duration::from_secs(2)), 2000);
        assert_eq!(ttl_millis(Duration::MAX), MAX_TTL.as_millis() as u64);
    }
}
