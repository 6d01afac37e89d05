//! The services some suites need, from the environment: `AGORA_TEST_POSTGRES_URL` and
//! `AGORA_TEST_REDIS_URL`. Those tests are `#[ignore = "needs …"]`, so a plain
//! `cargo test` lists them as ignored, with the reason, instead of passing them unrun;
//! `cargo test --workspace -- --include-ignored` (CI, see `.ci/run`) runs them, and there
//! an unset URL fails the test.

/// The PostgreSQL server tests create their databases on.
pub const POSTGRES_URL: &str = "AGORA_TEST_POSTGRES_URL";
/// The Redis server cache tests use.
pub const REDIS_URL: &str = "AGORA_TEST_REDIS_URL";

/// A service URL from `variable`.
///
/// # Panics
///
/// When the variable is unset or blank: the test needs the service, and it runs only when
/// asked for (`--include-ignored`).
pub fn service_url(variable: &str) -> String {
    configured(variable).unwrap_or_else(|| {
        panic!(
            "{variable} is not set: this test needs that service. Set it (see the README's \
             \"Test it\") or run only the tests that need no service: `cargo test --workspace`"
        )
    })
}

/// [`service_url`] for `AGORA_TEST_POSTGRES_URL`.
pub fn postgres_url() -> String {
    service_url(POSTGRES_URL)
}

/// [`service_url`] for `AGORA_TEST_REDIS_URL`.
pub fn redis_url() -> String {
    service_url(REDIS_URL)
}

/// The variable's value when it is set and not blank, with no panic (for benchmarks,
/// which say themselves what they leave out).
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
