//! Agora's test kit: what the end-to-end tests (`tests/`), the actor crate's tests
//! (`actors/tests/`) and the benchmarks (`benches/`) share, written once.
//!
//! - [`scratch`]: a folder of one's own, removed afterwards.
//! - [`services`]: the PostgreSQL and Redis URLs from the environment, and the visible
//!   skip (or, in CI, the failure) when one is unset.
//! - [`postgres`]: a fresh PostgreSQL database per test, dropped afterwards.
//! - [`wait`]: `wait_until`, the one way a test waits for something to happen.
//! - [`harness`] (feature `harness`): agora-sim's demo world and the real Agora booted
//!   against it, acting as the demo's people, failing a test when the sim refused the bot.
//! - [`read`] (feature `harness`): what a person reads in an answer or a message.
//! - [`bench`] (feature `bench`): child processes per backend, percentiles, the machine.
//!
//! What it is not for: production code (it is a dev-dependency only and is never
//! published), or the sim's own tests, which test the sim without Agora.
//!
//! `agora-actors` uses it without features: its tests need the databases, the service
//! URLs and `wait_until`, not `agora` itself.

pub mod postgres;
pub mod scratch;
pub mod services;
pub mod wait;

#[cfg(feature = "harness")]
pub mod harness;
#[cfg(feature = "harness")]
pub mod read;

#[cfg(feature = "bench")]
pub mod bench;

pub use postgres::FreshPostgres;
pub use scratch::Scratch;
pub use services::{postgres_url, redis_url, service_url};
pub use wait::{wait_until, waited_until, TimedOut};

#[cfg(feature = "harness")]
pub use harness::{config_for, run_test, Harness, Refusal, ANSWER};
#[cfg(feature = "harness")]
pub use read::{content, custom_ids, is_private, message_id, message_text};
