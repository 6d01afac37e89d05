//! The Redis cache backend: a bb8 pool of multiplexed connections and one command per
//! operation.
//!
//! - `set_if_absent` is `SET key value NX [PX ms]`, atomic in Redis itself.
//! - `incr` runs [`INCR_WITH_TTL_ON_CREATE`], a three-line Lua script (`EXISTS`,
//!   `INCRBY`, `PEXPIRE` only if the key did not exist), so "TTL only on create" holds even
//!   when the window expires between two commands and whatever the counter's value. It
//!   is sent with `EVAL` each time: Redis caches the compiled script by its hash, and the
//!   `redis` crate's `Script` helper is behind a feature bb8-redis leaves off.
//! - `write_batch` sends its writes as one `MULTI`/`EXEC` pipeline (`HINCRBY`, `HSET`,
//!   `HDEL`, `ZADD GT`, `ZREM`, `DEL`); `hash_counters` reads many hashes with one
//!   pipeline of `HGETALL`s.
//! - `delete_prefix` walks `SCAN MATCH <escaped prefix>* COUNT 500` and `DEL`s each
//!   batch, so it never blocks the server the way `KEYS` would.
//!
//! Connection failures (refused, dropped, timed out, no connection from the pool within
//! [`POOL_CHECKOUT_TIMEOUT`], failed authentication) become
//! [`CacheError::Unavailable`]. The URL's credentials never reach an error or a log:
//! both name the server by [`redacted_endpoint`], and the `redis` crate does not echo
//! the URL in its own errors.

use std::time::Duration;

use bb8_redis::bb8::{self, ErrorSink, RunError};
use bb8_redis::redis::{self, ErrorKind, RedisError, Value};
use bb8_redis::RedisConnectionManager;

use std::collections::BTreeMap;

use super::{BatchWrite, CacheBatch, CacheError};

/// How long an operation waits for a pooled connection before the cache counts as
/// unavailable.
const POOL_CHECKOUT_TIMEOUT: Duration = Duration::from_secs(1);

/// How long `connect` waits for the first connection and its PING (the `redis` crate
/// gives up on a TCP connect after 1 s on its own).
const FIRST_CONNECTION_TIMEOUT: Duration = Duration::from_secs(3);

/// Connections in the pool; each one multiplexes many concurrent commands.
const POOL_SIZE: u32 = 8;

/// Keys asked for per `SCAN` step in `delete_prefix`.
const SCAN_BATCH: usize = 500;

/// `INCRBY` that sets a TTL only when it creates the key. KEYS[1] = key, ARGV[1] = by,
/// ARGV[2] = TTL in milliseconds, 0 for none.
const INCR_WITH_TTL_ON_CREATE: &str = "\
local created = redis.call('EXISTS', KEYS[1]) == 0
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value";

#[derive(Clone)]
pub(super) struct RedisCache {
    pool: bb8::Pool<RedisConnectionManager>,
    /// The URL without credentials, for errors and logs.
    endpoint: String,
}

impl RedisCache {
    /// Opens one connection, PINGs through it and keeps it as the pool's first; fails
    /// fast when the server cannot be reached.
    pub(super) async fn connect(url: &str) -> Result<RedisCache, CacheError> {
        let endpoint = redacted_endpoint(url);
        let manager =
            RedisConnectionManager::new(url).map_err(|error| CacheError::InvalidConfig {
                reason: format!("redis url {endpoint}: {error}"),
            })?;
        let pool = bb8::Pool::builder()
            .max_size(POOL_SIZE)
            .connection_timeout(POOL_CHECKOUT_TIMEOUT)
            .error_sink(Box::new(LogConnectionErrors {
                endpoint: endpoint.clone(),
            }))
            .build_unchecked(manager);
        let redis = RedisCache { pool, endpoint };

        let first_connection = async {
            let mut connection = redis.pool.dedicated_connection().await?;
            redis::cmd("PING")
                .query_async::<()>(&mut connection)
                .await?;
            Ok::<_, RedisError>(connection)
        };
        let connection =
            match tokio::time::timeout(FIRST_CONNECTION_TIMEOUT, first_connection).await {
                Ok(Ok(connection)) => connection,
                Ok(Err(error)) => return Err(redis.error("PING", error)),
                Err(_) => {
                    return Err(
                        redis.unavailable(format!("no answer within {FIRST_CONNECTION_TIMEOUT:?}"))
                    )
                }
            };
        // A full pool just drops the extra connection; nothing is lost either way.
        let _ = redis.pool.add(connection);
        tracing::info!(endpoint = %redis.endpoint, "cache connected to redis");
        Ok(redis)
    }

    pub(super) fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub(super) async fn ping(&self) -> Result<(), CacheError> {
        self.query::<()>("PING", &redis::cmd("PING")).await
    }

    pub(super) async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut connection = self.connection("GET").await?;
        redis::cmd("GET")
            .arg(key)
            .query_async(&mut *connection)
            .await
            .map_err(|error| self.typed_error("GET", key, error))
    }

    pub(super) async fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl_millis: Option<u64>,
    ) -> Result<(), CacheError> {
        let mut command = redis::cmd("SET");
        command.arg(key).arg(value);
        if let Some(millis) = ttl_millis {
            command.arg("PX").arg(millis);
        }
        self.query::<()>("SET", &command).await
    }

    pub(super) async fn set_if_absent(
        &self,
        key: &str,
        value: &[u8],
        ttl_millis: Option<u64>,
    ) -> Result<bool, CacheError> {
        let mut command = redis::cmd("SET");
        command.arg(key).arg(value).arg("NX");
        if let Some(millis) = ttl_millis {
            command.arg("PX").arg(millis);
        }
        // OK when set, nil when the key already existed.
        let reply: Value = self.query("SET", &command).await?;
        Ok(!matches!(reply, Value::Nil))
    }

    pub(super) async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let deleted: u64 = self.query("DEL", redis::cmd("DEL").arg(key)).await?;
        Ok(deleted > 0)
    }

    pub(super) async fn incr(
        &self,
        key: &str,
        by: i64,
        ttl_millis: Option<u64>,
    ) -> Result<i64, CacheError> {
        let mut command = redis::cmd("EVAL");
        command
            .arg(INCR_WITH_TTL_ON_CREATE)
            .arg(1)
            .arg(key)
            .arg(by)
            .arg(ttl_millis.unwrap_or(0));
        self.query("INCRBY", &command)
            .await
            .map_err(|error| match error {
                CacheError::CommandFailed { reason, .. } if reason.contains("WRONGTYPE") => {
                    CacheError::WrongType {
                        key: key.to_owned(),
                    }
                }
                CacheError::CommandFailed { reason, .. } if reason.contains("not an integer") => {
                    CacheError::NotAnInteger {
                        key: key.to_owned(),
                    }
                }
                CacheError::CommandFailed { reason, .. } if reason.contains("overflow") => {
                    CacheError::IntegerOverflow {
                        key: key.to_owned(),
                    }
                }
                other => other,
            })
    }

    pub(super) async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        // -2: no such key, -1: no TTL.
        let millis: i64 = self.query("PTTL", redis::cmd("PTTL").arg(key)).await?;
        Ok(u64::try_from(millis).ok().map(Duration::from_millis))
    }

    pub(super) async fn delete_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        let pattern = format!("{}*", escape_glob(prefix));
        let mut cursor: u64 = 0;
        let mut deleted = 0;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(SCAN_BATCH);
            let (next_cursor, keys): (u64, Vec<Vec<u8>>) = self.query("SCAN", &scan).await?;
            if !keys.is_empty() {
                let mut del = redis::cmd("DEL");
                for key in &keys {
                    del.arg(key);
                }
                deleted += self.query::<u64>("DEL", &del).await?;
            }
            if next_cursor == 0 {
                return Ok(deleted);
            }
            cursor = next_cursor;
        }
    }

    pub(super) async fn write_batch(
        &self,
        batch: &CacheBatch,
        stored_key: impl Fn(&str) -> String,
    ) -> Result<(), CacheError> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        for write in &batch.writes {
            let key = stored_key(write.key());
            match write {
                BatchWrite::HashIncr { field, by, .. } => {
                    pipe.cmd("HINCRBY").arg(&key).arg(field).arg(*by).ignore();
                }
                BatchWrite::HashSet { field, value, .. } => {
                    pipe.cmd("HSET").arg(&key).arg(field).arg(*value).ignore();
                }
                BatchWrite::HashDelete { fields, .. } => {
                    pipe.cmd("HDEL").arg(&key).arg(fields).ignore();
                }
                BatchWrite::SortedSetRaise { member, score, .. } => {
                    pipe.cmd("ZADD")
                        .arg(&key)
                        .arg("GT")
                        .arg(*score)
                        .arg(member)
                        .ignore();
                }
                BatchWrite::SortedSetRemove { member, .. } => {
                    pipe.cmd("ZREM").arg(&key).arg(member).ignore();
                }
                BatchWrite::Delete { .. } => {
                    pipe.cmd("DEL").arg(&key).ignore();
                }
            }
        }
        let mut connection = self.connection("EXEC").await?;
        pipe.query_async::<()>(&mut *connection)
            .await
            .map_err(|error| self.typed_error("EXEC", "(batch)", error))
    }

    pub(super) async fn hash_counters(
        &self,
        keys: &[String],
    ) -> Result<Vec<BTreeMap<String, i64>>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for key in keys {
            pipe.cmd("HGETALL").arg(key);
        }
        let mut connection = self.connection("HGETALL").await?;
        let hashes: Vec<BTreeMap<String, String>> = pipe
            .query_async(&mut *connection)
            .await
            .map_err(|error| self.typed_error("HGETALL", "(hashes)", error))?;
        keys.iter()
            .zip(hashes)
            .map(|(key, fields)| {
                fields
                    .into_iter()
                    .map(|(field, value)| match value.parse::<i64>() {
                        Ok(value) => Ok((field, value)),
                        Err(_) => Err(CacheError::NotAnInteger { key: key.clone() }),
                    })
                    .collect()
            })
            .collect()
    }

    pub(super) async fn sorted_set(&self, key: &str) -> Result<Vec<(String, f64)>, CacheError> {
        let mut command = redis::cmd("ZRANGE");
        command.arg(key).arg(0).arg(-1).arg("WITHSCORES");
        let mut connection = self.connection("ZRANGE").await?;
        command
            .query_async(&mut *connection)
            .await
            .map_err(|error| self.typed_error("ZRANGE", key, error))
    }

    async fn connection(
        &self,
        name: &'static str,
    ) -> Result<bb8::PooledConnection<'_, RedisConnectionManager>, CacheError> {
        self.pool.get().await.map_err(|error| match error {
            RunError::User(error) => self.error(name, error),
            RunError::TimedOut => self.unavailable(format!(
                "no connection within {POOL_CHECKOUT_TIMEOUT:?} (see the logged connection errors)"
            )),
        })
    }

    /// [`RedisCache::error`], with `WRONGTYPE` as [`CacheError::WrongType`].
    fn typed_error(&self, command: &'static str, key: &str, error: RedisError) -> CacheError {
        if error.code() == Some("WRONGTYPE") || error.to_string().contains("WRONGTYPE") {
            return CacheError::WrongType {
                key: key.to_owned(),
            };
        }
        self.error(command, error)
    }

    async fn query<T: redis::FromRedisValue>(
        &self,
        name: &'static str,
        command: &redis::Cmd,
    ) -> Result<T, CacheError> {
        let mut connection = self.pool.get().await.map_err(|error| match error {
            RunError::User(error) => self.error(name, error),
            RunError::TimedOut => self.unavailable(format!(
                "no connection within {POOL_CHECKOUT_TIMEOUT:?} (see the logged connection errors)"
            )),
        })?;
        command
            .query_async(&mut *connection)
            .await
            .map_err(|error| self.error(name, error))
    }

    fn error(&self, command: &'static str, error: RedisError) -> CacheError {
        if is_connection_failure(&error) {
            self.unavailable(error.to_string())
        } else {
            CacheError::CommandFailed {
                command,
                reason: error.to_string(),
            }
        }
    }

    fn unavailable(&self, reason: String) -> CacheError {
        CacheError::Unavailable {
            endpoint: self.endpoint.clone(),
            reason,
        }
    }
}

fn is_connection_failure(error: &RedisError) -> bool {
    error.is_io_error()
        || error.is_timeout()
        || error.is_connection_dropped()
        || error.is_connection_refusal()
        || error.is_unrecoverable_error()
        || error.kind() == ErrorKind::AuthenticationFailed
}

/// Logs the connection errors bb8 meets in the background (replenishing the pool), which
/// no caller would otherwise see.
#[derive(Debug, Clone)]
struct LogConnectionErrors {
    endpoint: String,
}

impl ErrorSink<RedisError> for LogConnectionErrors {
    fn sink(&self, error: RedisError) {
        tracing::warn!(endpoint = %self.endpoint, %error, "redis cache connection failed");
    }

    fn boxed_clone(&self) -> Box<dyn ErrorSink<RedisError>> {
        Box::new(self.clone())
    }
}

/// `url` with any user name and password replaced by `***`:
/// `redis://user:secret@host:6379/0` → `redis://***@host:6379/0`.
pub(super) fn redacted_endpoint(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_owned(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{host}{path}"),
        None => format!("{host}{path}"),
    }
}

/// `prefix` with Redis glob characters escaped, so `SCAN MATCH` takes it literally.
fn escape_glob(prefix: &str) -> String {
    let mut escaped = String::with_capacity(prefix.len());
    for character in prefix.chars() {
        if matches!(character, '*' | '?' | '[' | ']' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacted_endpoint_drops_credentials() {
        assert_eq!(
            redacted_endpoint("redis://user:hunter2@cache:6379/0"),
            "redis://***@cache:6379/0"
        );
        assert_eq!(
            redacted_endpoint("redis://:p%40ss@cache"),
            "redis://***@cache"
        );
        assert_eq!(
            redacted_endpoint("rediss://cache:6380/?protocol=resp3"),
            "rediss://cache:6380/?protocol=resp3"
        );
        assert_eq!(
            redacted_endpoint("redis://a:b@c@host/1"),
            "redis://***@host/1"
        );
        assert_eq!(redacted_endpoint("user:secret@host"), "***@host");
    }

    #[test]
    fn escape_glob_makes_prefix_literal() {
        assert_eq!(escape_glob("agora:guild:1:"), "agora:guild:1:");
        assert_eq!(escape_glob("a*b?[c]\\"), "a\\*b\\?\\[c\\]\\\\");
    }

    #[tokio::test]
    async fn malformed_url_is_a_config_error_without_the_password() {
        let error = match RedisCache::connect("redis://user:hunter2secret@:notaport/").await {
            Ok(_) => panic!("a malformed url connected"),
            Err(error) => error,
        };
        assert!(
            matches!(error, CacheError::InvalidConfig { .. }),
            "{error:?}"
        );
        assert!(!format!("{error} {error:?}").contains("hunter2secret"));
    }
}
