//! The cache contract: one suite of cases, each run on the memory backend (time driven
//! by a `ManualClock`, so nothing sleeps) and on Redis (real time, a random key prefix
//! per test, keys deleted afterwards).
//!
//! Redis cases read `AGORA_TEST_REDIS_URL`. They are ignored by a plain `cargo test` (it
//! lists them, with the reason) and run with `-- --include-ignored`, where an unset URL
//! fails them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_actors::kernel::cache::*;
use agora_actors::kernel::clock::*;
use agora_testkit::redis_url;
use chrono::{DateTime, Utc};

/// A short TTL, on the manual clock (memory): stepped over to the millisecond.
const MANUAL_SHORT_TTL: Duration = Duration::from_millis(80);

/// A short TTL on real time (Redis): long enough that the few calls a case makes right
/// after setting a key finish well inside it on a loaded machine, short enough to wait out.
const REAL_SHORT_TTL: Duration = Duration::from_secs(1);

/// How long a Redis case waits, past the TTL, for a key to be gone before failing.
const EXPIRY_GRACE: Duration = Duration::from_secs(3);

const UNREACHABLE_REDIS: &str = "redis://127.0.0.1:1/";

/// A cache under test and the way time moves for it.
struct Fixture {
    cache: Cache,
    time: TimeControl,
}

enum TimeControl {
    Manual(Arc<ManualClock>),
    Real,
}

fn test_start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-29T00:30:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn unique_test_prefix() -> String {
    format!("agora-test:{:016x}:", rand::random::<u64>())
}

impl Fixture {
    fn memory() -> Fixture {
        let clock = ManualClock::new(test_start());
        Fixture {
            cache: Cache::memory(clock.clone()),
            time: TimeControl::Manual(clock),
        }
    }

    async fn redis() -> Fixture {
        let url = redis_url();
        let cache = Cache::redis(&url, &unique_test_prefix())
            .await
            .expect("connect to AGORA_TEST_REDIS_URL");
        Fixture {
            cache,
            time: TimeControl::Real,
        }
    }

    /// The TTL a case uses for keys it then waits out.
    fn short_ttl(&self) -> Duration {
        match self.time {
            TimeControl::Manual(_) => MANUAL_SHORT_TTL,
            TimeControl::Real => REAL_SHORT_TTL,
        }
    }

    /// Lets a key set with [`Fixture::short_ttl`] expire and asserts that it is gone.
    async fn wait_out_short_ttl(&self, key: &str) {
        match &self.time {
            TimeControl::Manual(clock) => {
                clock.advance(chrono::Duration::milliseconds(
                    MANUAL_SHORT_TTL.as_millis() as i64 - 1,
                ));
                assert!(
                    self.cache.get(key).await.unwrap().is_some(),
                    "{key} expired early"
                );
                clock.advance(chrono::Duration::milliseconds(1));
                assert_eq!(
                    self.cache.get(key).await.unwrap(),
                    None,
                    "{key} outlived its TTL"
                );
            }
            TimeControl::Real => {
                let deadline = Instant::now() + REAL_SHORT_TTL + EXPIRY_GRACE;
                while self.cache.get(key).await.unwrap().is_some() {
                    assert!(
                        Instant::now() < deadline,
                        "{key} still present {EXPIRY_GRACE:?} after its {REAL_SHORT_TTL:?} TTL"
                    );
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }

    /// Moves a manual clock forward; real time is left alone.
    fn advance_manual_clock(&self, by: Duration) {
        if let TimeControl::Manual(clock) = &self.time {
            clock.advance(chrono::Duration::from_std(by).unwrap());
        }
    }

    async fn clean_up(self) {
        self.cache
            .delete_prefix("")
            .await
            .expect("delete the test's keys");
    }
}

// ---- the cases ----------------------------------------------------------------------

async fn get_set_delete_round_trip(fixture: &Fixture) {
    let cache = &fixture.cache;
    assert_eq!(cache.get("greeting").await.unwrap(), None);
    assert!(!cache.delete("greeting").await.unwrap());

    cache.set("greeting", b"hello", None).await.unwrap();
    assert_eq!(
        cache.get("greeting").await.unwrap(),
        Some(b"hello".to_vec())
    );
    assert_eq!(
        cache.get_string("greeting").await.unwrap().as_deref(),
        Some("hello")
    );

    cache.set("greeting", b"bonjour", None).await.unwrap();
    assert_eq!(
        cache.get_string("greeting").await.unwrap().as_deref(),
        Some("bonjour")
    );

    assert!(cache.delete("greeting").await.unwrap());
    assert!(!cache.delete("greeting").await.unwrap());
    assert_eq!(cache.get("greeting").await.unwrap(), None);

    let bytes = [0u8, 159, 146, 150, 255];
    cache.set("binary", &bytes, None).await.unwrap();
    assert_eq!(cache.get("binary").await.unwrap(), Some(bytes.to_vec()));
    let error = cache.get_string("binary").await.unwrap_err();
    assert!(matches!(error, CacheError::NotUtf8 { .. }), "{error:?}");
    assert!(!error.is_unavailable());

    cache.set("empty", b"", None).await.unwrap();
    assert_eq!(cache.get("empty").await.unwrap(), Some(Vec::new()));
}

async fn set_with_ttl_expires(fixture: &Fixture) {
    let cache = &fixture.cache;
    cache
        .set("cached-profile", b"{}", Some(fixture.short_ttl()))
        .await
        .unwrap();
    assert_eq!(
        cache.get("cached-profile").await.unwrap(),
        Some(b"{}".to_vec())
    );
    fixture.wait_out_short_ttl("cached-profile").await;
    assert_eq!(cache.ttl("cached-profile").await.unwrap(), None);
    assert!(
        !cache.delete("cached-profile").await.unwrap(),
        "an expired key counts as absent"
    );

    // A plain `set` replaces the TTL along with the value.
    cache
        .set("pinned", b"1", Some(Duration::from_secs(60)))
        .await
        .unwrap();
    cache.set("pinned", b"2", None).await.unwrap();
    assert_eq!(cache.ttl("pinned").await.unwrap(), None);
}

async fn set_if_absent_claims_once_until_expiry(fixture: &Fixture) {
    let cache = &fixture.cache;
    assert!(cache
        .set_if_absent("lock:shift:7", b"worker-a", Some(fixture.short_ttl()))
        .await
        .unwrap());
    assert!(!cache
        .set_if_absent("lock:shift:7", b"worker-b", Some(fixture.short_ttl()))
        .await
        .unwrap());
    assert_eq!(
        cache.get_string("lock:shift:7").await.unwrap().as_deref(),
        Some("worker-a")
    );

    fixture.wait_out_short_ttl("lock:shift:7").await;
    assert!(cache
        .set_if_absent("lock:shift:7", b"worker-b", Some(fixture.short_ttl()))
        .await
        .unwrap());
    assert_eq!(
        cache.get_string("lock:shift:7").await.unwrap().as_deref(),
        Some("worker-b")
    );

    assert!(cache
        .set_if_absent("dedup:event:1", b"", None)
        .await
        .unwrap());
    assert!(!cache
        .set_if_absent("dedup:event:1", b"", None)
        .await
        .unwrap());
    assert_eq!(cache.ttl("dedup:event:1").await.unwrap(), None);
}

async fn concurrent_set_if_absent_has_one_winner(fixture: &Fixture) {
    let claims: Vec<_> = (0..50)
        .map(|worker| {
            let cache = fixture.cache.clone();
            tokio::spawn(async move {
                cache
                    .set_if_absent(
                        "lock:tournament:3",
                        worker.to_string().as_bytes(),
                        Some(Duration::from_secs(30)),
                    )
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for claim in claims {
        if claim.await.unwrap().unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
}

async fn incr_counts_in_a_fixed_window(fixture: &Fixture) {
    let cache = &fixture.cache;
    let window = Duration::from_secs(60);
    assert_eq!(cache.incr("spam:user:1", 1, Some(window)).await.unwrap(), 1);
    let ttl_at_create = cache
        .ttl("spam:user:1")
        .await
        .unwrap()
        .expect("a window TTL");
    assert!(
        ttl_at_create <= window && ttl_at_create > window - Duration::from_secs(5),
        "{ttl_at_create:?}"
    );

    fixture.advance_manual_clock(Duration::from_secs(20));
    assert_eq!(
        cache
            .incr("spam:user:1", 2, Some(Duration::from_secs(600)))
            .await
            .unwrap(),
        3
    );
    assert_eq!(cache.incr("spam:user:1", -1, None).await.unwrap(), 2);
    let ttl_later = cache
        .ttl("spam:user:1")
        .await
        .unwrap()
        .expect("the window TTL survives increments");
    assert!(
        ttl_later <= ttl_at_create,
        "the window was extended: {ttl_at_create:?} then {ttl_later:?}"
    );
    if let TimeControl::Manual(_) = fixture.time {
        assert_eq!(ttl_later, Duration::from_secs(40));
    }
    assert_eq!(
        cache.get_string("spam:user:1").await.unwrap().as_deref(),
        Some("2")
    );

    // When the window ends the count starts over, with a new window.
    assert_eq!(
        cache
            .incr("joins:guild:9", 1, Some(fixture.short_ttl()))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        cache
            .incr("joins:guild:9", 1, Some(fixture.short_ttl()))
            .await
            .unwrap(),
        2
    );
    fixture.wait_out_short_ttl("joins:guild:9").await;
    assert_eq!(
        cache.incr("joins:guild:9", 5, Some(window)).await.unwrap(),
        5
    );
    assert!(cache.ttl("joins:guild:9").await.unwrap().is_some());

    // Without a TTL the counter lives until deleted.
    assert_eq!(cache.incr("total", 10, None).await.unwrap(), 10);
    assert_eq!(cache.ttl("total").await.unwrap(), None);

    cache.set("name", b"agora", None).await.unwrap();
    let error = cache.incr("name", 1, None).await.unwrap_err();
    assert!(
        matches!(error, CacheError::NotAnInteger { .. }),
        "{error:?}"
    );
}

async fn concurrent_incr_loses_no_count(fixture: &Fixture) {
    let increments: Vec<_> = (0..50)
        .map(|_| {
            let cache = fixture.cache.clone();
            tokio::spawn(async move {
                cache
                    .incr("messages:channel:4", 1, Some(Duration::from_secs(30)))
                    .await
            })
        })
        .collect();
    for increment in increments {
        increment.await.unwrap().unwrap();
    }
    assert_eq!(
        fixture
            .cache
            .get_string("messages:channel:4")
            .await
            .unwrap()
            .as_deref(),
        Some("50")
    );
}

async fn ttl_reports_remaining_time(fixture: &Fixture) {
    let cache = &fixture.cache;
    assert_eq!(cache.ttl("absent").await.unwrap(), None);
    cache.set("forever", b"1", None).await.unwrap();
    assert_eq!(cache.ttl("forever").await.unwrap(), None);

    cache
        .set("cooldown:user:1:roll", b"1", Some(Duration::from_secs(60)))
        .await
        .unwrap();
    let remaining = cache
        .ttl("cooldown:user:1:roll")
        .await
        .unwrap()
        .expect("a TTL");
    assert!(
        remaining <= Duration::from_secs(60) && remaining > Duration::from_secs(55),
        "{remaining:?}"
    );

    fixture.advance_manual_clock(Duration::from_secs(15));
    if let TimeControl::Manual(_) = fixture.time {
        assert_eq!(
            cache.ttl("cooldown:user:1:roll").await.unwrap(),
            Some(Duration::from_secs(45))
        );
    }
}

async fn delete_prefix_removes_only_that_prefix(fixture: &Fixture) {
    let cache = &fixture.cache;
    for key in ["guild:1:a", "guild:1:b", "guild:10:a", "guild:2:a", "other"] {
        cache.set(key, b"1", None).await.unwrap();
    }
    assert_eq!(cache.delete_prefix("guild:1:").await.unwrap(), 2);
    assert_eq!(cache.get("guild:1:a").await.unwrap(), None);
    assert_eq!(cache.get("guild:1:b").await.unwrap(), None);
    for key in ["guild:10:a", "guild:2:a", "other"] {
        assert!(cache.get(key).await.unwrap().is_some(), "{key} was deleted");
    }

    // Glob characters in the prefix are taken literally.
    cache.set("odd*key", b"1", None).await.unwrap();
    cache.set("oddXkey", b"1", None).await.unwrap();
    assert_eq!(cache.delete_prefix("odd*").await.unwrap(), 1);
    assert!(cache.get("oddXkey").await.unwrap().is_some());

    // More keys than one SCAN step returns.
    for member in 0..1200 {
        cache
            .set(&format!("guild:3:member:{member}"), b"1", None)
            .await
            .unwrap();
    }
    assert_eq!(cache.delete_prefix("guild:3:").await.unwrap(), 1200);
    assert_eq!(cache.delete_prefix("guild:3:").await.unwrap(), 0);
}

async fn scoped_prefixes_do_not_collide(fixture: &Fixture) {
    let tickets = fixture.cache.scoped("tickets:");
    let stats = fixture.cache.scoped("stats:");
    assert_eq!(
        tickets.key_prefix(),
        format!("{}tickets:", fixture.cache.key_prefix())
    );

    tickets.set("counter", b"from tickets", None).await.unwrap();
    assert_eq!(stats.get("counter").await.unwrap(), None);
    assert!(stats
        .set_if_absent("counter", b"from stats", None)
        .await
        .unwrap());
    assert_eq!(
        tickets.get_string("counter").await.unwrap().as_deref(),
        Some("from tickets")
    );

    assert_eq!(stats.delete_prefix("").await.unwrap(), 1);
    assert_eq!(
        tickets.get_string("counter").await.unwrap().as_deref(),
        Some("from tickets")
    );
    assert_eq!(
        fixture
            .cache
            .get_string("tickets:counter")
            .await
            .unwrap()
            .as_deref(),
        Some("from tickets")
    );
}

async fn batches_count_in_hashes_and_raise_sorted_sets(fixture: &Fixture) {
    let cache = &fixture.cache;
    let keys = vec!["stats:1:10".to_owned(), "stats:1:11".to_owned()];
    assert_eq!(
        cache.hash_counters(&keys).await.unwrap(),
        vec![Default::default(), Default::default()]
    );
    assert_eq!(cache.sorted_set("stats:1:last").await.unwrap(), vec![]);

    let mut batch = CacheBatch::new();
    batch
        .hash_incr("stats:1:10", "total", 3)
        .hash_incr("stats:1:10", "d20000", 2)
        .hash_incr("stats:1:10", "d20001", 1)
        .hash_incr("stats:1:11", "total", 1)
        .hash_set("stats:1:11", "d20001", 7)
        .sorted_set_raise("stats:1:last", "10", 2000.0)
        .sorted_set_raise("stats:1:last", "11", 1000.0);
    cache.write_batch(&batch).await.unwrap();
    let mut again = CacheBatch::new();
    again
        .hash_incr("stats:1:10", "total", 2)
        .hash_set("stats:1:11", "d20001", 1)
        // Lower than what it has: kept at 2000.
        .sorted_set_raise("stats:1:last", "10", 1500.0)
        .sorted_set_raise("stats:1:last", "11", 3000.0)
        .sorted_set_raise("stats:1:last", "12", 1000.0);
    cache.write_batch(&again).await.unwrap();

    let counters = cache.hash_counters(&keys).await.unwrap();
    let pairs = |map: &std::collections::BTreeMap<String, i64>| -> Vec<(String, i64)> {
        map.iter().map(|(k, v)| (k.clone(), *v)).collect()
    };
    assert_eq!(
        pairs(&counters[0]),
        vec![
            ("d20000".to_owned(), 2),
            ("d20001".to_owned(), 1),
            ("total".to_owned(), 5)
        ]
    );
    assert_eq!(
        pairs(&counters[1]),
        vec![("d20001".to_owned(), 1), ("total".to_owned(), 1)]
    );
    // Lowest score first; a tie is ordered by member.
    assert_eq!(
        cache.sorted_set("stats:1:last").await.unwrap(),
        vec![
            ("12".to_owned(), 1000.0),
            ("10".to_owned(), 2000.0),
            ("11".to_owned(), 3000.0)
        ]
    );

    let mut trim = CacheBatch::new();
    trim.hash_delete(
        "stats:1:10",
        vec!["d20000".to_owned(), "nothing".to_owned()],
    )
    .hash_delete("stats:1:11", vec!["d20001".to_owned(), "total".to_owned()])
    .sorted_set_remove("stats:1:last", "12")
    .sorted_set_remove("stats:1:last", "absent");
    cache.write_batch(&trim).await.unwrap();
    let counters = cache.hash_counters(&keys).await.unwrap();
    assert_eq!(
        pairs(&counters[0]),
        vec![("d20001".to_owned(), 1), ("total".to_owned(), 5)]
    );
    assert!(counters[1].is_empty());
    // A hash left empty is gone: the key can hold a plain value again.
    assert!(cache.set_if_absent("stats:1:11", b"x", None).await.unwrap());
    assert_eq!(cache.sorted_set("stats:1:last").await.unwrap().len(), 2);

    let mut gone = CacheBatch::new();
    gone.delete("stats:1:10").delete("stats:1:last");
    cache.write_batch(&gone).await.unwrap();
    assert!(cache.hash_counters(&keys[..1]).await.unwrap()[0].is_empty());
    assert_eq!(cache.sorted_set("stats:1:last").await.unwrap(), vec![]);
    cache.write_batch(&CacheBatch::new()).await.unwrap();
}

async fn the_wrong_kind_of_value_is_refused(fixture: &Fixture) {
    let cache = &fixture.cache;
    cache.set("plain", b"text", None).await.unwrap();
    let mut batch = CacheBatch::new();
    batch.hash_incr("plain", "total", 1);
    assert!(matches!(
        cache.write_batch(&batch).await,
        Err(CacheError::WrongType { .. })
    ));
    assert!(matches!(
        cache.hash_counters(&["plain".to_owned()]).await,
        Err(CacheError::WrongType { .. })
    ));
    assert!(matches!(
        cache.sorted_set("plain").await,
        Err(CacheError::WrongType { .. })
    ));
    assert_eq!(
        cache.get_string("plain").await.unwrap().as_deref(),
        Some("text")
    );

    let mut counters = CacheBatch::new();
    counters.hash_incr("counters", "total", 1);
    cache.write_batch(&counters).await.unwrap();
    assert!(matches!(
        cache.get("counters").await,
        Err(CacheError::WrongType { .. })
    ));
    assert!(matches!(
        cache.incr("counters", 1, None).await,
        Err(CacheError::WrongType { .. })
    ));
    let mut raise = CacheBatch::new();
    raise.sorted_set_raise("counters", "a", 1.0);
    assert!(matches!(
        cache.write_batch(&raise).await,
        Err(CacheError::WrongType { .. })
    ));
    // Writes are met in order: a key deleted earlier in the batch may become a hash.
    cache.set("reused", b"text", None).await.unwrap();
    let mut reuse = CacheBatch::new();
    reuse.delete("reused").hash_incr("reused", "n", 4);
    cache.write_batch(&reuse).await.unwrap();
    assert_eq!(
        cache.hash_counters(&["reused".to_owned()]).await.unwrap()[0]["n"],
        4
    );
    // `set` replaces whatever the key held, as Redis's SET does.
    cache.set("counters", b"plain now", None).await.unwrap();
    assert_eq!(
        cache.get_string("counters").await.unwrap().as_deref(),
        Some("plain now")
    );
    // delete_prefix removes hashes and sorted sets too.
    let mut both = CacheBatch::new();
    both.hash_incr("kinds:hash", "n", 1)
        .sorted_set_raise("kinds:set", "m", 1.0);
    cache.write_batch(&both).await.unwrap();
    assert_eq!(cache.delete_prefix("kinds:").await.unwrap(), 2);
}

async fn concurrent_batches_lose_no_count(fixture: &Fixture) {
    let writers: Vec<_> = (0..20)
        .map(|writer| {
            let cache = fixture.cache.clone();
            tokio::spawn(async move {
                for n in 0..25 {
                    let mut batch = CacheBatch::new();
                    batch
                        .hash_incr("busy", "total", 2)
                        .hash_incr("busy", &format!("w{writer}"), 1)
                        .sorted_set_raise("busy:last", "channel", f64::from(writer * 100 + n));
                    cache.write_batch(&batch).await.unwrap();
                }
            })
        })
        .collect();
    for writer in writers {
        writer.await.unwrap();
    }
    let counters = fixture
        .cache
        .hash_counters(&["busy".to_owned()])
        .await
        .unwrap();
    assert_eq!(counters[0]["total"], 1000);
    assert!((0..20).all(|w| counters[0][&format!("w{w}")] == 25));
    assert_eq!(
        fixture.cache.sorted_set("busy:last").await.unwrap(),
        vec![("channel".to_owned(), 1924.0)]
    );
}

macro_rules! cache_contract {
    ($($case:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let fixture = super::Fixture::memory();
                    assert_eq!(fixture.cache.backend(), super::CacheBackend::Memory);
                    super::$case(&fixture).await;
                }
            )*
        }

        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs Redis: set AGORA_TEST_REDIS_URL, run with --include-ignored"]
                async fn $case() {
                    let fixture = super::Fixture::redis().await;
                    assert_eq!(fixture.cache.backend(), super::CacheBackend::Redis);
                    super::$case(&fixture).await;
                    fixture.clean_up().await;
                }
            )*
        }
    };
}

cache_contract!(
    get_set_delete_round_trip,
    set_with_ttl_expires,
    set_if_absent_claims_once_until_expiry,
    concurrent_set_if_absent_has_one_winner,
    incr_counts_in_a_fixed_window,
    concurrent_incr_loses_no_count,
    ttl_reports_remaining_time,
    delete_prefix_removes_only_that_prefix,
    scoped_prefixes_do_not_collide,
    batches_count_in_hashes_and_raise_sorted_sets,
    the_wrong_kind_of_value_is_refused,
    concurrent_batches_lose_no_count,
);

// ---- connecting ---------------------------------------------------------------------

#[tokio::test]
async fn unreachable_redis_fails_fast_as_unavailable() {
    let started = Instant::now();
    let error = Cache::redis(UNREACHABLE_REDIS, "agora:").await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );

    let clock: SharedClock = ManualClock::new(test_start());
    let error = Cache::connect(Some(UNREACHABLE_REDIS), "agora:", clock)
        .await
        .unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
}

#[tokio::test]
async fn errors_never_show_the_url_password() {
    let error = Cache::redis("redis://agora:hunter2secret@127.0.0.1:1/", "agora:")
        .await
        .unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("hunter2secret"), "{shown}");
    assert!(shown.contains("127.0.0.1:1"), "{shown}");
}

#[tokio::test]
async fn connect_without_url_uses_memory_with_the_prefix() {
    for redis_url in [None, Some(""), Some("  ")] {
        let cache = Cache::connect(redis_url, "agora:", ManualClock::new(test_start()))
            .await
            .unwrap();
        assert_eq!(cache.backend(), CacheBackend::Memory);
        assert_eq!(cache.key_prefix(), "agora:");
        cache.ping().await.unwrap();
    }
}

#[tokio::test]
async fn delete_prefix_refuses_to_empty_an_unprefixed_cache() {
    let cache = Cache::memory(ManualClock::new(test_start()));
    cache.set("anything", b"1", None).await.unwrap();
    assert!(matches!(
        cache.delete_prefix("").await,
        Err(CacheError::EmptyPrefix)
    ));
    assert!(cache.get("anything").await.unwrap().is_some());
}

#[tokio::test]
#[ignore = "needs Redis: set AGORA_TEST_REDIS_URL, run with --include-ignored"]
async fn redis_caches_with_different_prefixes_do_not_collide() {
    let url = redis_url();
    let clock: SharedClock = Arc::new(SystemClock);
    let first = Cache::connect(Some(&url), &unique_test_prefix(), clock.clone())
        .await
        .unwrap();
    let second = Cache::connect(Some(&url), &unique_test_prefix(), clock)
        .await
        .unwrap();
    assert_eq!(first.backend(), CacheBackend::Redis);
    first.ping().await.unwrap();

    first.set("cooldown", b"first", None).await.unwrap();
    assert_eq!(second.get("cooldown").await.unwrap(), None);
    assert!(second
        .set_if_absent("cooldown", b"second", None)
        .await
        .unwrap());
    assert_eq!(second.incr("count", 1, None).await.unwrap(), 1);
    assert_eq!(first.incr("count", 1, None).await.unwrap(), 1);
    assert_eq!(
        first.get_string("cooldown").await.unwrap().as_deref(),
        Some("first")
    );

    assert_eq!(first.delete_prefix("").await.unwrap(), 2);
    assert_eq!(
        second.get_string("cooldown").await.unwrap().as_deref(),
        Some("second")
    );
    assert_eq!(second.delete_prefix("").await.unwrap(), 2);
}
