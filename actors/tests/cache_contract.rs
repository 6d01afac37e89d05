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
