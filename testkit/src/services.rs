//! The services some suites need, from the environment: `AGORA_TEST_POSTGRES_URL` and
//! `AGORA_TEST_REDIS_URL`. Unset, a test says it was skipped (on stderr) and passes;
//! with `AGORA_TEST_REQUIRE_SERVICES=1` (CI, see `.ci/run`) an unset URL fails it.

/// The PostgreSQL server tests create their databases on.
pub const POSTGRES_URL: &str = "AGORA_TEST_POSTGRES_URL";
/// The Redis server cache tests use.
pub const REDIS_URL: &str = "AGORA_TEST_REDIS_URL";
/// Set to `1`, an unset service URL fails the test instead of skipping it.
pub const REQUIRE_SERVICES: &str = "AGORA_TEST_REQUIRE_SERVICES";

/// A service URL from `variable`, or `None` after saying the test is skipped.
///
/// # Panics
///
/// When the URL is unset and `AGORA_TEST_REQUIRE_SERVICES=1`.
pub fn service_url(variable: &str) -> Option<String> {
    match configured(variable) {
        Some(url) => Some(url),
        None if std::env::var(REQUIRE_SERVICES).as_deref() == Ok("1") => {
            panic!("{REQUIRE_SERVICES}=1 but {variable} is not set")
        }
        None => {
            eprintln!("skipped: {variable} is not set");
            None
        }
    }
}

/// [`service_url`] for `AGORA_TEST_POSTGRES_URL`.
pub fn postgres_url() -> Option<String> {
    service_url(POSTGRES_URL)
}

/// [`service_url`] for `AGORA_TEST_REDIS_URL`.
pub fn redis_url() -> Option<String> {
    service_url(REDIS_URL)
}

/// The variable's value when it is set and not blank, with no skip note and no panic
/// (for benchmarks, which say themselves what they leave out).
pub fn configured(variable: &str) -> Option<String> {
    std::env::var(variable)
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// `PGPASSWORD`, when set and not empty.
pub fn pg_password() -> Option<String> {
    std::env::var("PGPASSWORD")
        .ok()
        .filter(|password| !password.is_empty())
}
