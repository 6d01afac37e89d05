//! The in-process cache backend: one map behind one lock, expiry measured with the
//! injected clock. A key holds bytes, a hash of integer counters or a sorted set, and an
//! operation meant for another kind of value fails with [`CacheError::WrongType`], as in
//! Redis.
//!
//! Expired entries are invisible at once and removed lazily: a read that meets one drops
//! it, and a sweep over the whole map runs after as many writes as the map held live
//! entries at the previous sweep (at least [`SWEEP_AFTER_WRITES`]), so the map cannot
//! grow without bound and the sweep costs O(1) per write amortised. Every operation holds
//! the lock for its whole read-modify-write, which makes `set_if_absent` and `incr`
//! atomic.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use chrono::{DateTime, Utc};
use parking_lot::Mutex;

use super::{BatchWrite, CacheBatch, CacheError};
use crate::kernel::clock::SharedClock;

/// The fewest writes between two sweeps.
const SWEEP_AFTER_WRITES: usize = 1024;

pub(super) struct MemoryCache {
    clock: SharedClock,
    entries: Mutex<Entries>,
}

struct Entries {
    by_key: HashMap<String, Entry>,
    writes_since_sweep: usize,
    next_sweep_after: usize,
}

struct Entry {
    value: Value,
    expires_at: Option<DateTime<Utc>>,
}

/// What a key holds.
enum Value {
    Bytes(Vec<u8>),
    /// Field → integer counter (Redis keeps them as decimal text; the API reads integers).
    Hash(HashMap<String, i64>),
    /// Member → score.
    SortedSet(HashMap<String, f64>),
}

/// The kind of value a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bytes,
    Hash,
    SortedSet,
}

impl Value {
    fn kind(&self) -> Kind {
        match self {
            Value::Bytes(_) => Kind::Bytes,
            Value::Hash(_) => Kind::Hash,
            Value::SortedSet(_) => Kind::SortedSet,
        }
    }

    fn bytes(&self, key: &str) -> Result<&Vec<u8>, CacheError> {
        match self {
            Value::Bytes(bytes) => Ok(bytes),
            _ => Err(CacheError::WrongType {
                key: key.to_owned(),
            }),
        }
    }
}

impl Entry {
    fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|expires_at| expires_at > now)
    }
}

impl MemoryCache {
    pub(super) fn new(clock: SharedClock) -> MemoryCache {
        MemoryCache {
            clock,
            entries: Mutex::new(Entries {
                by_key: HashMap::new(),
                writes_since_sweep: 0,
                next_sweep_after: SWEEP_AFTER_WRITES,
            }),
        }
    }

    pub(super) fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        match entries.live(key, now) {
            None => Ok(None),
            Some(entry) => entry.value.bytes(key).map(|bytes| Some(bytes.clone())),
        }
    }

    pub(super) fn set(&self, key: String, value: &[u8], ttl_millis: Option<u64>) {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        entries.insert(
            key,
            Entry {
                value: Value::Bytes(value.to_vec()),
                expires_at: expiry(now, ttl_millis),
            },
            now,
        );
    }

    pub(super) fn set_if_absent(&self, key: String, value: &[u8], ttl_millis: Option<u64>) -> bool {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        if entries.live(&key, now).is_some() {
            return false;
        }
        entries.insert(
            key,
            Entry {
                value: Value::Bytes(value.to_vec()),
                expires_at: expiry(now, ttl_millis),
            },
            now,
        );
        true
    }

    pub(super) fn delete(&self, key: &str) -> bool {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        entries
            .by_key
            .remove(key)
            .is_some_and(|entry| entry.is_live(now))
    }

    pub(super) fn incr(
        &self,
        key: String,
        by: i64,
        ttl_millis: Option<u64>,
    ) -> Result<i64, CacheError> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        let (current, expires_at) = match entries.live(&key, now) {
            None => (0, expiry(now, ttl_millis)),
            Some(entry) => {
                let current = std::str::from_utf8(entry.value.bytes(&key)?)
                    .ok()
                    .and_then(|text| text.parse::<i64>().ok())
                    .ok_or_else(|| CacheError::NotAnInteger { key: key.clone() })?;
                (current, entry.expires_at)
            }
        };
        let updated = current
            .checked_add(by)
            .ok_or_else(|| CacheError::IntegerOverflow { key: key.clone() })?;
        entries.insert(
            key,
            Entry {
                value: Value::Bytes(updated.to_string().into_bytes()),
                expires_at,
            },
            now,
        );
        Ok(updated)
    }

    pub(super) fn ttl(&self, key: &str) -> Option<Duration> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        let expires_at = entries.live(key, now)?.expires_at?;
        // Cannot fail: a live entry expires after `now`, so the difference is positive.
        (expires_at - now).to_std().ok()
    }

    pub(super) fn delete_prefix(&self, prefix: &str) -> u64 {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        let mut deleted = 0;
        entries.by_key.retain(|key, entry| {
            if !key.starts_with(prefix) {
                return true;
            }
            if entry.is_live(now) {
                deleted += 1;
            }
            false
        });
        deleted
    }

    /// Applies a batch under one lock. Every write's key is checked for its kind first (as
    /// the writes before it leave it), so a batch that would meet the wrong kind changes
    /// nothing.
    pub(super) fn write_batch(
        &self,
        batch: &CacheBatch,
        stored_key: impl Fn(&str) -> String,
    ) -> Result<(), CacheError> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        // What each key will hold after the writes before (None: absent), as Redis would
        // meet them one after another.
        let mut kinds: HashMap<String, Option<Kind>> = HashMap::new();
        for write in &batch.writes {
            let key = stored_key(write.key());
            let current = match kinds.get(&key) {
                Some(kind) => *kind,
                None => entries.live(&key, now).map(|entry| entry.value.kind()),
            };
            let after = match (current, write) {
                (_, BatchWrite::Delete { .. }) => None,
                (
                    None | Some(Kind::Hash),
                    BatchWrite::HashIncr { .. }
                    | BatchWrite::HashSet { .. }
                    | BatchWrite::HashDelete { .. },
                ) => Some(Kind::Hash),
                (
                    None | Some(Kind::SortedSet),
                    BatchWrite::SortedSetRaise { .. } | BatchWrite::SortedSetRemove { .. },
                ) => Some(Kind::SortedSet),
                _ => return Err(CacheError::WrongType { key }),
            };
            kinds.insert(key, after);
        }
        for write in &batch.writes {
            let key = stored_key(write.key());
            match write {
                BatchWrite::Delete { .. } => {
                    entries.by_key.remove(&key);
                }
                BatchWrite::HashIncr { field, by, .. } => {
                    let counters = entries
                        .hash(key.clone())
                        .ok_or(CacheError::WrongType { key })?;
                    let counter = counters.entry(field.clone()).or_insert(0);
                    *counter = counter
                        .checked_add(*by)
                        .ok_or_else(|| CacheError::IntegerOverflow { key: field.clone() })?;
                }
                BatchWrite::HashSet { field, value, .. } => {
                    entries
                        .hash(key.clone())
                        .ok_or(CacheError::WrongType { key })?
                        .insert(field.clone(), *value);
                }
                BatchWrite::HashDelete { fields, .. } => {
                    if let Some(Entry {
                        value: Value::Hash(counters),
                        ..
                    }) = entries.by_key.get_mut(&key)
                    {
                        for field in fields {
                            counters.remove(field);
                        }
                        if counters.is_empty() {
                            entries.by_key.remove(&key);
                        }
                    }
                }
                BatchWrite::SortedSetRaise { member, score, .. } => {
                    let set = entries
                        .sorted_set(key.clone())
                        .ok_or(CacheError::WrongType { key })?;
                    let current = set.entry(member.clone()).or_insert(*score);
                    if *score > *current {
                        *current = *score;
                    }
                }
                BatchWrite::SortedSetRemove { member, .. } => {
                    if let Some(Entry {
                        value: Value::SortedSet(set),
                        ..
                    }) = entries.by_key.get_mut(&key)
                    {
                        set.remove(member);
                        if set.is_empty() {
                            entries.by_key.remove(&key);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Each key's counters (empty for a missing key).
    pub(super) fn hash_counters(
        &self,
        keys: &[String],
    ) -> Result<Vec<BTreeMap<String, i64>>, CacheError> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        keys.iter()
            .map(
                |key| match entries.live(key, now).map(|entry| &entry.value) {
                    None => Ok(BTreeMap::new()),
                    Some(Value::Hash(counters)) => Ok(counters
                        .iter()
                        .map(|(field, value)| (field.clone(), *value))
                        .collect()),
                    Some(_) => Err(CacheError::WrongType { key: key.clone() }),
                },
            )
            .collect()
    }

    /// A sorted set's members and scores, lowest score first (ties by member).
    pub(super) fn sorted_set(&self, key: &str) -> Result<Vec<(String, f64)>, CacheError> {
        let now = self.clock.now();
        let mut entries = self.entries.lock();
        match entries.live(key, now).map(|entry| &entry.value) {
            None => Ok(Vec::new()),
            Some(Value::SortedSet(set)) => {
                let mut members: Vec<(String, f64)> =
                    set.iter().map(|(m, s)| (m.clone(), *s)).collect();
                members.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
                Ok(members)
            }
            Some(_) => Err(CacheError::WrongType {
                key: key.to_owned(),
            }),
        }
    }

    #[cfg(test)]
    fn stored_entries(&self) -> usize {
        self.entries.lock().by_key.len()
    }
}

impl Entries {
    /// The entry under `key` if it has not expired; an expired one is dropped.
    fn live(&mut self, key: &str, now: DateTime<Utc>) -> Option<&Entry> {
        if self
            .by_key
            .get(key)
            .is_some_and(|entry| !entry.is_live(now))
        {
            self.by_key.remove(key);
        }
        self.by_key.get(key)
    }

    /// The hash under `key`, made when absent; `None` when it holds another kind.
    fn hash(&mut self, key: String) -> Option<&mut HashMap<String, i64>> {
        self.writes_since_sweep += 1;
        let entry = self.by_key.entry(key).or_insert_with(|| Entry {
            value: Value::Hash(HashMap::new()),
            expires_at: None,
        });
        match &mut entry.value {
            Value::Hash(counters) => Some(counters),
            _ => None,
        }
    }

    /// The sorted set under `key`, made when absent; `None` when it holds another kind.
    fn sorted_set(&mut self, key: String) -> Option<&mut HashMap<String, f64>> {
        self.writes_since_sweep += 1;
        let entry = self.by_key.entry(key).or_insert_with(|| Entry {
            value: Value::SortedSet(HashMap::new()),
            expires_at: None,
        });
        match &mut entry.value {
            Value::SortedSet(set) => Some(set),
            _ => None,
        }
    }

    fn insert(&mut self, key: String, entry: Entry, now: DateTime<Utc>) {
        self.by_key.insert(key, entry);
        self.writes_since_sweep += 1;
        if self.writes_since_sweep >= self.next_sweep_after {
            self.sweep(now);
        }
    }

    fn sweep(&mut self, now: DateTime<Utc>) {
        let before = self.by_key.len();
        self.by_key.retain(|_, entry| entry.is_live(now));
        self.writes_since_sweep = 0;
        self.next_sweep_after = self.by_key.len().max(SWEEP_AFTER_WRITES);
        tracing::trace!(
            removed = before - self.by_key.len(),
            kept = self.by_key.len(),
            "memory cache swept"
        );
    }
}

fn expiry(now: DateTime<Utc>, ttl_millis: Option<u64>) -> Option<DateTime<Utc>> {
    // Cannot overflow: ttl_millis is capped at MAX_TTL (100 years) by the caller.
    ttl_millis.map(|millis| {
        now + chrono::Duration::milliseconds(i64::try_from(millis).unwrap_or(i64::MAX))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::kernel::clock::ManualClock;

    fn start() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn expired_entries_are_swept_without_being_read() {
        let clock = ManualClock::new(start());
        let cache = MemoryCache::new(clock.clone());
        for n in 0..SWEEP_AFTER_WRITES {
            cache.set(format!("event:{n}"), b"seen", Some(1_000));
        }
        assert!(cache.stored_entries() <= SWEEP_AFTER_WRITES);

        clock.advance(chrono::Duration::seconds(2));
        for n in 0..SWEEP_AFTER_WRITES {
            cache.set(format!("other:{n}"), b"seen", None);
        }
        assert!(
            cache.stored_entries() <= SWEEP_AFTER_WRITES + 1,
            "expired entries linger: {}",
            cache.stored_entries()
        );
    }

    #[test]
    fn reading_an_expired_entry_removes_it() {
        let clock = ManualClock::new(start());
        let cache = MemoryCache::new(clock.clone());
        cache.set("lock".to_owned(), b"1", Some(10));
        clock.advance(chrono::Duration::milliseconds(10));
        assert_eq!(cache.get("lock").unwrap(), None);
        assert_eq!(cache.stored_entries(), 0);
    }

    #[test]
    fn incr_rejects_text_and_overflow() {
        let cache = MemoryCache::new(ManualClock::new(start()));
        cache.set("name".to_owned(), b"agora", None);
        assert!(matches!(
            cache.incr("name".to_owned(), 1, None),
            Err(CacheError::NotAnInteger { .. })
        ));
        cache.set("big".to_owned(), i64::MAX.to_string().as_bytes(), None);
        assert!(matches!(
            cache.incr("big".to_owned(), 1, None),
            Err(CacheError::IntegerOverflow { .. })
        ));
    }

    #[test]
    fn delete_prefix_counts_only_live_keys() {
        let clock = ManualClock::new(start());
        let cache = Arc::new(MemoryCache::new(clock.clone()));
        cache.set("guild:1:a".to_owned(), b"1", Some(5));
        cache.set("guild:1:b".to_owned(), b"1", None);
        cache.set("guild:2:a".to_owned(), b"1", None);
        clock.advance(chrono::Duration::milliseconds(5));
        assert_eq!(cache.delete_prefix("guild:1:"), 1);
        assert_eq!(cache.stored_entries(), 1);
    }
}
