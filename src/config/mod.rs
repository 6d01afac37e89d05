//! Agora's configuration: `config.toml`, `AGORA_…` environment overrides and secret files,
//! merged by figment into one typed [`Config`] (serde derive), with every problem reported at
//! once in plain words.
//!
//! Where a value comes from, later wins:
//! 1. the built-in defaults: each section's `Default`, the one place a default is written
//!    (`config.toml` at the repository root spells them out; a test keeps the two equal);
//! 2. the config file: `config.toml` in the working directory when it exists
//!    ([`ConfigSource::Default`]), or a file that must exist ([`ConfigSource::File`]);
//! 3. environment variables `AGORA_<TABLE>__<KEY>` (`[ops] listen` → `AGORA_OPS__LISTEN`,
//!    `[runtime.max_in_flight_per_concern] shifts` →
//!    `AGORA_RUNTIME__MAX_IN_FLIGHT_PER_CONCERN__SHIFTS`). Every key lives in a table.
//!
//! Secrets (the bot token, the database password) are set directly or read
//! from the file named by the matching `*_file` key, such as a Docker secret under
//! `/run/secrets`. They are held in [`Secret`], which never prints or serializes its value.
//!
//! A feature keeps its own settings in its own folder: a serde struct for its `[name]` table,
//! declared by its descriptor (`Feature::config_section`, a [`ConfigSection::of`]), passed
//! to [`Config::load_with_sections`] by boot and read back by the feature at start. Its
//! keys are checked like the built-in ones.
//!
//! This module reads and checks the configuration; it does not act on it (opening the
//! database, installing the log subscriber and binding the ops listener belong to boot).

mod checks;
mod problems;
mod secret;
mod sources;
mod values;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::SocketAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::providers::{Format, Serialized, Toml};
use figment::value::{Dict, Value};
use figment::Figment;
use serde::{Deserialize, Serialize};
use url::Url;

pub use agora_actors::feature::ConfigSection;

pub use problems::{ConfigProblem, ConfigProblems};
pub use secret::{ConnectionUrl, Secret};
pub use sources::describe_io_error;

/// The highest `discord.rest_per_second`: Discord raises a large bot's global limit on
/// request; nobody gets more than this.
pub const MAX_REST_PER_SECOND: u32 = 10_000;

/// The config file read when none is given: `config.toml` in the working directory.
pub const DEFAULT_CONFIG_PATH: &str = "config.toml";

/// Prefix of the environment variables that override config keys.
pub const ENV_PREFIX: &str = "AGORA_";

/// Agora's whole configuration, typed and checked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub discord: DiscordConfig,
    pub database: DatabaseConfig,
    pub cache: CacheConfig,
    pub ops: OpsConfig,
    pub log: LogConfig,
    pub runtime: RuntimeConfig,
    pub features: FeaturesConfig,
    /// The features' own tables, read with [`Config::section`].
    #[serde(skip)]
    sections: FeatureSections,
}

/// `[discord]`: the bot's identity, where Discord is, and which shards this process runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiscordConfig {
    /// The bot token, set directly or read from `token_file`.
    #[serde(with = "values::optional")]
    pub token: Option<Secret>,
    #[serde(with = "values::optional")]
    pub token_file: Option<PathBuf>,
    /// `None`: ask Discord at start.
    #[serde(with = "values::optional")]
    pub application_id: Option<u64>,
    /// `None`: <https://discord.com>.
    #[serde(with = "values::optional")]
    pub rest_url: Option<Url>,
    /// `None`: the URL `GET /gateway/bot` gives.
    #[serde(with = "values::optional")]
    pub gateway_url: Option<Url>,
    /// How many shards this process runs; see [`DiscordConfig::shard_ids`].
    pub shard_count: u32,
    /// The first shard this process runs, unless `shard_ordinal` is set.
    pub shard_first: u32,
    /// This process's place among identical processes (a Kubernetes StatefulSet pod's
    /// index): its first shard is `shard_ordinal × shard_count`.
    #[serde(with = "values::optional")]
    pub shard_ordinal: Option<u32>,
    /// Shards across all processes. See [`DiscordConfig::total_shards`].
    #[serde(with = "values::text")]
    pub shard_total: ShardTotal,
    /// Discord's IDENTIFY window, 5,000 ms; lower only against a local Discord whose window
    /// is lower (agora-sim's `--identify-window-ms`).
    pub identify_window_ms: u64,
    /// Session starts (IDENTIFYs) kept in reserve of Discord's daily limit: below this many
    /// left, shards do not IDENTIFY and `/status` says so (a bot that runs out has its
    /// token reset by Discord).
    pub identify_floor: u32,
    /// This process's share of Discord's global REST limit (50 requests per second per
    /// bot token, interaction callbacks exempt); 0 = its part by shards, 50 × `shard_count`
    /// ÷ shard total.
    pub rest_per_second: u32,
    #[serde(with = "values::text")]
    pub register_commands: RegisterCommands,
    #[serde(with = "values::discord_ids")]
    pub owners: Vec<u64>,
    pub prefix: String,
}

impl Default for DiscordConfig {
    fn default() -> Self {
        Self {
            token: None,
            token_file: None,
            application_id: None,
            rest_url: None,
            gateway_url: None,
            shard_count: 1,
            shard_first: 0,
            shard_ordinal: None,
            shard_total: ShardTotal::SameAsCount,
            identify_window_ms: 5_000,
            identify_floor: 20,
            rest_per_second: 0,
            register_commands: RegisterCommands::Off,
            owners: Vec::new(),
            prefix: "!".to_owned(),
        }
    }
}

impl DiscordConfig {
    /// The first shard id this process runs: `shard_ordinal × shard_count` when the
    /// ordinal is set, else `shard_first`.
    pub fn first_shard(&self) -> u32 {
        match self.shard_ordinal {
            Some(ordinal) => ordinal.saturating_mul(self.shard_count),
            None => self.shard_first,
        }
    }

    /// The shard ids this process runs.
    pub fn shard_ids(&self) -> Range<u32> {
        let first = self.first_shard();
        first..first.saturating_add(self.shard_count)
    }

    /// This process's share of Discord's global REST limit: `rest_per_second` when set (a
    /// bot Discord granted a higher global limit sets that limit, up to
    /// [`MAX_REST_PER_SECOND`]), else its part by shards of the default 50 per second (at
    /// least 1).
    pub fn rest_share(&self, shard_total: u32) -> u16 {
        const DISCORD_GLOBAL_PER_SECOND: u32 = 50;
        let share = if self.rest_per_second > 0 {
            self.rest_per_second.min(MAX_REST_PER_SECOND)
        } else {
            (DISCORD_GLOBAL_PER_SECOND * self.shard_count / shard_total.max(1))
                .min(DISCORD_GLOBAL_PER_SECOND)
        };
        share.max(1) as u16
    }

    /// The number of shards across all processes, as sent in IDENTIFY, when the
    /// configuration says it; `None` for `"auto"` (then `GET /gateway/bot` says it).
    pub fn total_shards(&self) -> Option<u32> {
        match self.shard_total {
            ShardTotal::SameAsCount => Some(self.shard_count),
            ShardTotal::Fixed(total) => Some(total),
            ShardTotal::Auto => None,
        }
    }
}

/// `discord.shard_total`: a number, 0 (the same as `shard_count`: one process runs every
/// shard), or `"auto"` (Discord's recommendation from `GET /gateway/bot`, read at start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShardTotal {
    #[default]
    SameAsCount,
    Fixed(u32),
    Auto,
}

impl fmt::Display for ShardTotal {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SameAsCount => formatter.write_str("0"),
            Self::Fixed(total) => write!(formatter, "{total}"),
            Self::Auto => formatter.write_str("auto"),
        }
    }
}

/// `discord.register_commands`: whether and where to bulk-overwrite slash commands at start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegisterCommands {
    #[default]
    Off,
    Global,
    /// In one guild only: changes show at once, handy while developing.
    Guild(u64),
}

impl fmt::Display for RegisterCommands {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => formatter.write_str("off"),
            Self::Global => formatter.write_str("global"),
            Self::Guild(guild_id) => write!(formatter, "guild:{guild_id}"),
        }
    }
}

/// `[database]`: where the store lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`, as written; see [`DatabaseConfig::connection_url`].
    pub url: ConnectionUrl,
    /// The PostgreSQL password when `url` has none, set directly or read from `password_file`.
    #[serde(with = "values::optional")]
    pub password: Option<Secret>,
    #[serde(with = "values::optional")]
    pub password_file: Option<PathBuf>,
    pub max_connections: u32,
    pub migrate_on_start: bool,
    /// Where SQLite backups go (at a clean stop and every `backup_every_hours`); `None`
    /// (empty): none are taken. PostgreSQL is backed up with `pg_dump`.
    #[serde(with = "values::optional")]
    pub backup_directory: Option<PathBuf>,
    /// How many backups the directory keeps: the newest.
    pub backup_keep: u32,
    /// How old the newest backup may get before the running bot takes another.
    pub backup_every_hours: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: ConnectionUrl::new("sqlite://data/agora.db"),
            password: None,
            password_file: None,
            max_connections: 8,
            migrate_on_start: true,
            backup_directory: None,
            backup_keep: 7,
            backup_every_hours: 24,
        }
    }
}

/// Which database backend `database.url` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

impl DatabaseConfig {
    pub fn backend(&self) -> DatabaseBackend {
        if self.url.expose().starts_with("sqlite:") {
            DatabaseBackend::Sqlite
        } else {
            DatabaseBackend::Postgres
        }
    }

    /// The URL to connect with: `url`, with `password` filled in when it has none.
    pub fn connection_url(&self) -> Secret {
        let written = self.url.expose();
        let Some(password) = &self.password else {
            return Secret::new(written);
        };
        match Url::parse(written) {
            Ok(mut url) if url.password().is_none() => {
                match url.set_password(Some(password.expose())) {
                    Ok(()) => Secret::new(url.as_str()),
                    Err(()) => Secret::new(written),
                }
            }
            _ => Secret::new(written),
        }
    }
}

/// `[cache]`: Redis, or the in-memory cache when `redis_url` is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CacheConfig {
    #[serde(with = "values::optional")]
    pub redis_url: Option<ConnectionUrl>,
    pub key_prefix: String,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            redis_url: None,
            key_prefix: "agora:".to_owned(),
        }
    }
}

/// `[ops]`: the ops HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OpsConfig {
    #[serde(with = "values::text")]
    pub listen: SocketAddr,
}

impl Default for OpsConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
        }
    }
}

/// `[log]`: what is logged, how, and where.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogConfig {
    /// A `tracing_subscriber::EnvFilter` directive, checked at load.
    pub level: String,
    #[serde(with = "values::text")]
    pub format: LogFormat,
    /// When set, logs also go to rotating files in this directory.
    #[serde(with = "values::optional")]
    pub directory: Option<PathBuf>,
    #[serde(with = "values::text")]
    pub rotation: LogRotation,
    /// A file reaching this size (in MiB, fractions allowed) is closed and a new one begun;
    /// 0: no size limit.
    pub max_size_mb: f64,
    /// How many closed log files are kept besides the one being written; 0: all.
    pub keep: u32,
}

impl LogConfig {
    /// `max_size_mb` in bytes; `None` when there is no size limit.
    pub fn max_size_bytes(&self) -> Option<u64> {
        (self.max_size_mb > 0.0).then(|| (self.max_size_mb * 1024.0 * 1024.0).round() as u64)
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Pretty,
            directory: None,
            rotation: LogRotation::Daily,
            max_size_mb: 0.0,
            keep: 14,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogRotation {
    Hourly,
    #[default]
    Daily,
    Never,
}

/// `[runtime]`: how the actor system behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuntimeConfig {
    pub mailbox_capacity: usize,
    pub defer_after_ms: u64,
    pub shutdown_grace_secs: u64,
    pub cooldown_secs: u64,
    /// How many requests one concern actor handles at once; see
    /// [`RuntimeConfig::max_in_flight_for`].
    pub max_in_flight: usize,
    /// `max_in_flight` for some concerns, by concern name (`shifts = 64`).
    pub max_in_flight_per_concern: BTreeMap<String, usize>,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            mailbox_capacity: 64,
            defer_after_ms: 2000,
            shutdown_grace_secs: 10,
            cooldown_secs: 2,
            max_in_flight: 32,
            max_in_flight_per_concern: BTreeMap::new(),
        }
    }
}

impl RuntimeConfig {
    /// How long an interaction waits for its actor before Agora answers "thinking…".
    pub fn defer_after(&self) -> Duration {
        Duration::from_millis(self.defer_after_ms)
    }

    /// How long actors get to finish their work at shutdown.
    pub fn shutdown_grace(&self) -> Duration {
        Duration::from_secs(self.shutdown_grace_secs)
    }

    /// The default per-user cooldown between commands.
    pub fn cooldown(&self) -> Duration {
        Duration::from_secs(self.cooldown_secs)
    }

    /// How many requests the actor of `concern` (such as "shifts") handles at once: its own
    /// `max_in_flight_per_concern` entry, else `max_in_flight`.
    pub fn max_in_flight_for(&self, concern: &str) -> usize {
        self.max_in_flight_per_concern
            .get(concern)
            .copied()
            .unwrap_or(self.max_in_flight)
    }
}

/// `[features]`: which features this process runs.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FeaturesConfig {
    /// The names of the features to run; `None` (written "all") runs every built-in feature.
    /// The names are checked by boot, which knows the features.
    #[serde(with = "values::feature_names")]
    pub enabled: Option<Vec<String>>,
}

/// The keys of a declared section and their defaults, as a tree of tables.
fn section_keys(section: &ConfigSection) -> Dict {
    // A value that does not serialize to a table has no keys to know.
    match Value::serialize((section.defaults)()) {
        Ok(Value::Dict(_, keys)) => keys,
        _ => Dict::new(),
    }
}

/// The keys of `T` and their defaults, as a tree of tables.
fn known_keys<T: Serialize + Default>() -> Dict {
    match Value::serialize(T::default()) {
        Ok(Value::Dict(_, keys)) => keys,
        _ => Dict::new(),
    }
}

/// The declared features' tables as written (checked at load).
#[derive(Clone, Default, PartialEq)]
struct FeatureSections {
    tables: Dict,
}

/// Only the names: a feature's table may hold a secret.
impl fmt::Debug for FeatureSections {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_list().entries(self.tables.keys()).finish()
    }
}

/// Which config file to read.
#[derive(Debug, Clone, Copy)]
pub enum ConfigSource<'a> {
    /// [`DEFAULT_CONFIG_PATH`] when it exists, else the built-in defaults alone.
    Default,
    /// This file, which must exist (`--config PATH`).
    File(&'a Path),
}

impl Config {
    /// Loads the config file and the environment variables in `env`, reads secret files and
    /// checks everything, collecting every problem rather than stopping at the first. A
    /// table no feature declares is a problem; see [`Config::load_with_sections`].
    pub fn load(
        source: ConfigSource<'_>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigProblems> {
        Config::load_with_sections(source, env, &built_in_sections())
    }

    /// [`Config::load`], where the features' `sections` may also have their tables.
    pub fn load_with_sections(
        source: ConfigSource<'_>,
        env: &HashMap<String, String>,
        sections: &[ConfigSection],
    ) -> Result<Config, ConfigProblems> {
        load_with_default_path(source, env, sections, Path::new(DEFAULT_CONFIG_PATH))
    }

    /// [`Config::load_with_sections`] with this process's environment.
    pub fn load_from_process_env(
        source: ConfigSource<'_>,
        sections: &[ConfigSection],
    ) -> Result<Config, ConfigProblems> {
        let mut env = HashMap::new();
        let mut not_unicode = Vec::new();
        for (name, value) in std::env::vars_os() {
            match (name.into_string(), value.into_string()) {
                (Ok(name), Ok(value)) => {
                    env.insert(name, value);
                }
                (Ok(name), Err(_)) if name.starts_with(ENV_PREFIX) => {
                    not_unicode.push(ConfigProblem {
                        message: format!("{name} is not valid UTF-8 text"),
                        key: name,
                    })
                }
                _ => {}
            }
        }
        match (
            Config::load_with_sections(source, &env, sections),
            not_unicode.is_empty(),
        ) {
            (loaded, true) => loaded,
            (Ok(_), false) => Err(ConfigProblems(not_unicode)),
            (Err(mut problems), false) => {
                problems.0.extend(not_unicode);
                Err(problems)
            }
        }
    }

    /// A declared section as its feature reads it: the declared defaults, under what is
    /// written in the file and the environment.
    pub fn section_data(&self, section: &ConfigSection) -> Figment {
        let written = match self.sections.tables.get(section.name) {
            Some(Value::Dict(_, table)) => table.clone(),
            _ => Dict::new(),
        };
        Figment::from(Serialized::defaults(section_keys(section)))
            .merge(Serialized::defaults(written))
    }

    /// The bot token, from `discord.token` or `discord.token_file`.
    pub fn discord_token(&self) -> Option<&Secret> {
        self.discord.token.as_ref()
    }

    /// The checks only commands that talk to Discord need (`run`, `register-commands`):
    /// a bot token must be set.
    pub fn validate_for_run(&self) -> Result<(), ConfigProblems> {
        if self.discord_token().is_some() {
            return Ok(());
        }
        let message = "missing Discord bot token: set AGORA_DISCORD__TOKEN, or \
                       `discord.token_file` to a file holding it (e.g. /run/secrets/discord_token)";
        Err(ConfigProblems(vec![ConfigProblem {
            key: "discord.token".to_owned(),
            message: message.to_owned(),
        }]))
    }

    /// The effective configuration as TOML, secrets and URL passwords shown as `***`.
    pub fn to_redacted_toml(&self) -> String {
        // Every value is a string, a bool, an integer no larger than its key's bound, a list of
        // strings or a table, all of which TOML can hold; the fallback keeps this total anyway.
        toml::to_string(self)
            .unwrap_or_else(|error| format!("# cannot render the configuration: {error}\n"))
    }
}

/// The tables of the built-in features (`[tickets]`), which every load knows.
pub fn built_in_sections() -> Vec<ConfigSection> {
    agora_actors::built_in_features()
        .iter()
        .filter_map(|feature| feature.config_section())
        .collect()
}

/// The built-in tables and the declared sections, each key with its default.
fn known_tables(sections: &[ConfigSection]) -> Dict {
    let mut known = known_keys::<Config>();
    for section in sections {
        known.insert(section.name.to_owned(), Value::from(section_keys(section)));
    }
    known
}

fn load_with_default_path(
    source: ConfigSource<'_>,
    env: &HashMap<String, String>,
    sections: &[ConfigSection],
    default_path: &Path,
) -> Result<Config, ConfigProblems> {
    let known = known_tables(sections);
    let known_keys = problems::dotted_keys(&known);
    let mut problems = Vec::new();
    let mut origins = sources::Origins::default();
    let mut figment = Figment::new();
    let mut file_name = DEFAULT_CONFIG_PATH.to_owned();
    match sources::read_config_file(source, default_path) {
        Ok(Some(file)) => match sources::check_syntax(&file, &mut origins) {
            Ok(()) => {
                figment = figment.merge(Toml::string(&file.text));
                file_name = file.name;
            }
            Err(syntax) => problems.extend(syntax),
        },
        Ok(None) => {}
        Err(problem) => problems.push(problem),
    }
    let environment = sources::Environment::read(env, &known_keys, &mut origins, &mut problems);
    figment = figment.merge(environment);
    let mut data = figment.extract::<Dict>().unwrap_or_else(|error| {
        // The syntax was checked above; this is figment's TOML reader disagreeing with it.
        problems.push(ConfigProblem {
            message: format!("{file_name} cannot be read: {}", error.kind),
            key: file_name.clone(),
        });
        Dict::new()
    });
    problems::remove_unknown_keys(&mut data, &known, &origins, &mut problems);

    let mut tables = Dict::new();
    for section in sections {
        if let Some(table) = data.remove(section.name) {
            if let Some(written) = table.as_dict() {
                problems::check_reporting(
                    written.clone(),
                    section.name,
                    &origins,
                    &mut problems,
                    section.extract,
                );
            } else {
                let message = format!("`{}` must be a table (`[{}]`)", section.name, section.name);
                problems.push(origins.problem(section.name, message));
            }
            tables.insert(section.name.to_owned(), table);
        }
    }
    let mut config: Config = problems::extract_reporting(data, "", &origins, &mut problems);
    checks::check(&mut config, &origins, &mut problems);
    config.sections = FeatureSections { tables };
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigProblems(problems))
    }
}
