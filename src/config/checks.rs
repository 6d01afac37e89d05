//! The checks that run once the values have their types: ranges, URL schemes, shard ranges,
//! secrets set twice, and reading the secret files. Every problem is collected; none stops
//! the others.

use super::MAX_REST_PER_SECOND;
use std::fs;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use url::Url;

use super::secret::url_without_password;
use super::sources::{describe_io_error, Origins};
use super::{Config, ConfigProblem, ConnectionUrl, DatabaseBackend, Secret, ShardTotal};

/// The highest shard count or id accepted: far past what any bot runs, low enough to catch typos.
const MAX_SHARDS: u64 = 1 << 20;

/// Discord drops an interaction not answered within 3 s; the defer must get there first.
const MAX_DEFER_AFTER_MS: u64 = 2500;

/// How many requests one concern actor may handle at once.
const IN_FLIGHT: RangeInclusive<u64> = 1..=10_000;

/// The smallest log file size limit (1 KiB, in MiB): below it every line would be a file.
const MIN_LOG_FILE_MB: f64 = 0.001;

/// The largest log file size limit (1 TiB, in MiB).
const MAX_LOG_FILE_MB: f64 = 1_048_576.0;

/// What a URL key accepts.
struct UrlRule {
    schemes: &'static [&'static str],
    /// "an http:// or https:// URL such as …", completing "must be …".
    expected: &'static str,
    needs_host: bool,
}

const HTTP_URL: UrlRule = UrlRule {
    schemes: &["http", "https"],
    expected: "an http:// or https:// URL such as http://127.0.0.1:8080",
    needs_host: true,
};

const WEBSOCKET_URL: UrlRule = UrlRule {
    schemes: &["ws", "wss"],
    expected: "a ws:// or wss:// URL such as ws://127.0.0.1:8080/gateway",
    needs_host: true,
};

const DATABASE_URL: UrlRule = UrlRule {
    schemes: &["sqlite", "postgres", "postgresql"],
    expected: "a sqlite:// or postgres:// URL such as sqlite://data/agora.db",
    needs_host: false,
};

const REDIS_URL: UrlRule = UrlRule {
    schemes: &["redis", "rediss"],
    expected: "a redis:// or rediss:// URL such as redis://127.0.0.1:6379",
    needs_host: true,
};

/// Checks `config`, reading its secret files into it.
pub(super) fn check(config: &mut Config, origins: &Origins, problems: &mut Vec<ConfigProblem>) {
    let mut checker = Checker { origins, problems };
    checker.discord(config);
    checker.database(config);
    checker.cache(config);
    checker.log(config);
    checker.runtime(config);
    checker.features(config);
}

struct Checker<'a> {
    origins: &'a Origins,
    problems: &'a mut Vec<ConfigProblem>,
}

impl Checker<'_> {
    fn discord(&mut self, config: &mut Config) {
        let sqlite = config.database.backend() == DatabaseBackend::Sqlite;
        let discord = &mut config.discord;
        let token_key = if discord.token.is_some() {
            "discord.token"
        } else {
            "discord.token_file"
        };
        discord.token = self.secret(
            ("discord.token", discord.token.take()),
            ("discord.token_file", &discord.token_file),
        );
        if discord
            .token
            .as_ref()
            .is_some_and(|token| token.expose().contains(char::is_whitespace))
        {
            let message = format!(
                "the bot token from `{token_key}` contains spaces or line breaks: give the bare \
                 token, without a \"Bot \" prefix"
            );
            self.report(token_key, message);
        }
        self.url("discord.rest_url", discord.rest_url.as_ref(), &HTTP_URL);
        self.url(
            "discord.gateway_url",
            discord.gateway_url.as_ref(),
            &WEBSOCKET_URL,
        );
        let mut shards_ok = vec![
            self.range("discord.shard_count", discord.shard_count, 1..=MAX_SHARDS),
            self.range("discord.shard_first", discord.shard_first, 0..=MAX_SHARDS),
        ];
        if let ShardTotal::Fixed(total) = discord.shard_total {
            shards_ok.push(self.range("discord.shard_total", total, 1..=MAX_SHARDS));
        }
        if let Some(ordinal) = discord.shard_ordinal {
            shards_ok.push(self.range("discord.shard_ordinal", ordinal, 0..=MAX_SHARDS));
            if discord.shard_first != 0 {
                self.report(
                    "discord.shard_ordinal",
                    "`discord.shard_ordinal` and `discord.shard_first` are both set: the \
                     ordinal gives the first shard (ordinal × `discord.shard_count`), so set \
                     only one of them",
                );
            }
        }
        let shard_end = u64::from(discord.first_shard()) + u64::from(discord.shard_count);
        let total = discord.total_shards();
        if shards_ok.iter().all(|ok| *ok) && total.is_some_and(|total| shard_end > u64::from(total))
        {
            let first_key = if discord.shard_ordinal.is_some() {
                "discord.shard_ordinal"
            } else {
                "discord.shard_first"
            };
            let message = format!(
                "this process would run shards {}..{} but there are {} shards in all \
                 (`discord.shard_total`, 0 = same as `discord.shard_count`); set \
                 `discord.shard_total` to the number of shards across all processes, or \
                 \"auto\"",
                discord.first_shard(),
                shard_end,
                total.unwrap_or(0)
            );
            let keys = [first_key, "discord.shard_count", "discord.shard_total"];
            let problem = self.origins.problem_at_first_set(&keys, message);
            self.problems.push(problem);
        }
        let part_of_the_shards =
            discord.first_shard() > 0 || total.is_some_and(|total| total > discord.shard_count);
        if part_of_the_shards && sqlite {
            self.report(
                "discord.shard_total",
                format!(
                    "SQLite keeps the store in one process's file, so one process runs every \
                     shard; this one would run shards {}..{shard_end} of {}: use PostgreSQL \
                     (database.url = \"postgres://…\") shared by every process",
                    discord.first_shard(),
                    total.unwrap_or(0)
                ),
            );
        }
        self.range(
            "discord.rest_per_second",
            discord.rest_per_second,
            0..=u64::from(MAX_REST_PER_SECOND),
        );
        self.range(
            "discord.identify_window_ms",
            discord.identify_window_ms,
            1..=60_000,
        );
        if discord.prefix.is_empty() {
            self.report("discord.prefix", "`discord.prefix` must not be empty");
        }
    }

    fn database(&mut self, config: &mut Config) {
        let database = &mut config.database;
        self.connection_url("database.url", Some(&database.url), &DATABASE_URL);
        database.password = self.secret(
            ("database.password", database.password.take()),
            ("database.password_file", &database.password_file),
        );
        let url_has_password =
            Url::parse(database.url.expose()).is_ok_and(|url| url.password().is_some());
        if database.password.is_some() && url_has_password {
            let password_key = if self.origins.of("database.password").is_some() {
                "database.password"
            } else {
                "database.password_file"
            };
            let message = format!(
                "`database.url` ({}) already holds a password and `database.password` is set too \
                 ({}); keep one",
                self.origins.where_set("database.url"),
                self.origins.where_set(password_key),
            );
            let keys = ["database.password", "database.password_file"];
            let problem = self.origins.problem_at_first_set(&keys, message);
            self.problems.push(problem);
        }
        self.range(
            "database.max_connections",
            database.max_connections,
            1..=1000,
        );
        self.range("database.backup_keep", database.backup_keep, 1..=10_000);
        let every = database.backup_every_hours;
        self.range("database.backup_every_hours", every, 1..=8_760);
        if database.backup_directory.is_some() {
            let url = database.url.expose().trim();
            if database.backend() == DatabaseBackend::Postgres {
                self.report(
                    "database.backup_directory",
                    "`database.backup_directory` backs up a SQLite database; PostgreSQL is \
                     backed up with pg_dump (see the README, \"Backups\"): leave it empty",
                );
            } else if url.contains(":memory:") {
                self.report(
                    "database.backup_directory",
                    "`database.backup_directory` is set but the database is in memory \
                     (`database.url` = \"sqlite::memory:\"): there is no file to back up",
                );
            }
        }
    }

    fn cache(&mut self, config: &Config) {
        let redis_url = config.cache.redis_url.as_ref();
        self.connection_url("cache.redis_url", redis_url, &REDIS_URL);
    }

    fn log(&mut self, config: &Config) {
        let level = &config.log.level;
        if level.trim().is_empty() {
            let message = "`log.level` must not be empty; \"info\" is the usual choice";
            self.report("log.level", message);
        } else if let Err(error) = tracing_subscriber::EnvFilter::builder().parse(level) {
            let message = format!(
                "`log.level` is not a tracing filter such as \"info,agora_actors=debug\" \
                 ({error}), got {level:?}"
            );
            self.report("log.level", message);
        }
        let size = config.log.max_size_mb;
        if size != 0.0 && !(MIN_LOG_FILE_MB..=MAX_LOG_FILE_MB).contains(&size) {
            let message = format!(
                "`log.max_size_mb` must be 0 (no size limit) or between {MIN_LOG_FILE_MB} and \
                 {MAX_LOG_FILE_MB} (MiB, fractions allowed), got {size}"
            );
            self.report("log.max_size_mb", message);
        }
        self.range("log.keep", config.log.keep, 0..=100_000);
    }

    fn runtime(&mut self, config: &Config) {
        let runtime = &config.runtime;
        let capacity = runtime.mailbox_capacity;
        self.range("runtime.mailbox_capacity", capacity, 1..=1_000_000);
        let defer = runtime.defer_after_ms;
        self.range("runtime.defer_after_ms", defer, 0..=MAX_DEFER_AFTER_MS);
        let grace = runtime.shutdown_grace_secs;
        self.range("runtime.shutdown_grace_secs", grace, 0..=3600);
        self.range("runtime.cooldown_secs", runtime.cooldown_secs, 0..=86_400);
        self.range("runtime.max_in_flight", runtime.max_in_flight, IN_FLIGHT);
        for (concern, limit) in &runtime.max_in_flight_per_concern {
            let key = format!("runtime.max_in_flight_per_concern.{concern}");
            self.range(&key, *limit, IN_FLIGHT);
        }
    }

    fn features(&mut self, config: &Config) {
        let Some(enabled) = &config.features.enabled else {
            return;
        };
        let mut seen = Vec::new();
        for name in enabled {
            if seen.contains(&name) {
                let message = format!("`features.enabled` names {name:?} twice");
                self.report("features.enabled", message);
            }
            seen.push(name);
        }
    }

    /// The secret set directly, or read from its file; setting both is a problem.
    fn secret(
        &mut self,
        (key, value): (&str, Option<Secret>),
        (file_key, file): (&str, &Option<PathBuf>),
    ) -> Option<Secret> {
        match (value, file) {
            (Some(value), Some(_)) => {
                let message = format!(
                    "both `{key}` ({}) and `{file_key}` ({}) are set; keep one",
                    self.origins.where_set(key),
                    self.origins.where_set(file_key)
                );
                let problem = self.origins.problem_at_first_set(&[file_key, key], message);
                self.problems.push(problem);
                Some(value)
            }
            (Some(value), None) => Some(value),
            (None, Some(path)) => self.read_secret_file(file_key, path),
            (None, None) => None,
        }
    }

    /// Reads a secret file, dropping the trailing newline most tools write.
    fn read_secret_file(&mut self, file_key: &str, path: &Path) -> Option<Secret> {
        match fs::read_to_string(path) {
            Err(error) => {
                let message = format!(
                    "cannot read `{file_key}` {}: {}",
                    path.display(),
                    describe_io_error(&error)
                );
                self.report(file_key, message);
                None
            }
            Ok(contents) => {
                let secret = contents.trim_end_matches(['\n', '\r']);
                if secret.is_empty() {
                    let message = format!("`{file_key}` {} is empty", path.display());
                    self.report(file_key, message);
                    return None;
                }
                Some(Secret::new(secret))
            }
        }
    }

    /// Whether `value` is within `range`; reports it when not.
    fn range<T: TryInto<u64>>(&mut self, key: &str, value: T, range: RangeInclusive<u64>) -> bool {
        // A value past u64 (a usize on a 128-bit machine) is past every range here too.
        let value = value.try_into().unwrap_or(u64::MAX);
        if range.contains(&value) {
            return true;
        }
        let message = format!(
            "`{key}` must be between {} and {}, got {value}",
            range.start(),
            range.end()
        );
        self.report(key, message);
        false
    }

    fn url(&mut self, key: &str, url: Option<&Url>, rule: &UrlRule) {
        let Some(url) = url else {
            return;
        };
        if let Some(problem) = url_problem(key, url, url.as_str(), rule) {
            self.report(key, problem);
        }
    }

    /// Like [`Checker::url`] for a URL that may hold a password: it is never shown with it.
    fn connection_url(&mut self, key: &str, url: Option<&ConnectionUrl>, rule: &UrlRule) {
        let Some(url) = url else {
            return;
        };
        let problem = match Url::parse(url.expose()) {
            Err(error) => Some(format!("`{key}` is not a valid URL ({error})")),
            Ok(parsed) => url_problem(key, &parsed, &url_without_password(url.expose()), rule),
        };
        if let Some(problem) = problem {
            self.report(key, problem);
        }
    }

    fn report(&mut self, key: &str, message: impl std::fmt::Display) {
        self.problems.push(self.origins.problem(key, message));
    }
}

/// What is wrong with `url` for `rule`, if anything; `shown` is how a message may quote it.
fn url_problem(key: &str, url: &Url, shown: &str, rule: &UrlRule) -> Option<String> {
    if !rule.schemes.contains(&url.scheme()) {
        return Some(format!("`{key}` must be {}, got {shown:?}", rule.expected));
    }
    if rule.needs_host && url.host_str().is_none_or(str::is_empty) {
        return Some(format!(
            "`{key}` must name a host, as in {}, got {shown:?}",
            rule.expected
        ));
    }
    None
}
