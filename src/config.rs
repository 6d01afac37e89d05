//! Agora's configuration: `config.toml`, `AGORA_…` environment overrides and secret files,
//! checked into one typed [`Config`], with every problem reported in plain words.
//!
//! Where a value comes from, later wins:
//! 1. the built-in defaults ([`Config::default`]), which `config.toml` at the repository root
//!    spells out key by key (a test keeps the two equal);
//! 2. the config file: `config.toml` in the working directory when it exists
//!    ([`ConfigSource::Default`]), or a file that must exist ([`ConfigSource::File`]);
//! 3. environment variables `AGORA_<TABLE>__<KEY>` (`[ops] listen` → `AGORA_OPS__LISTEN`).
//!    Every key lives in a table; there are no top-level keys.
//!
//! Secrets (the bot token, the database password, the LLM API key) are set directly or read
//! from the file named by the matching `*_file` key, such as a Docker secret under
//! `/run/secrets`. They are held in [`Secret`], which never prints or serializes its value.
//!
//! This module reads and checks the configuration; it does not act on it (opening the
//! database, installing the log subscriber and binding the ops listener belong to boot).

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::net::SocketAddr;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Serialize, Serializer};
use toml::de::{DeTable, DeValue};
use url::Url;

/// The config file read when none is given: `config.toml` in the working directory.
pub const DEFAULT_CONFIG_PATH: &str = "config.toml";

/// Prefix of the environment variables that override config keys.
pub const ENV_PREFIX: &str = "AGORA_";

/// Agora's whole configuration, typed and checked.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Config {
    pub discord: DiscordConfig,
    pub database: DatabaseConfig,
    pub cache: CacheConfig,
    pub ops: OpsConfig,
    pub log: LogConfig,
    pub runtime: RuntimeConfig,
    pub llm: LlmConfig,
    pub features: FeaturesConfig,
}

/// `[features]`: which features this process runs (`None`: all it has).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FeaturesConfig {
    pub enabled: Option<Vec<String>>,
}

/// `[discord]`: the bot's identity, where Discord is, and which shards this process runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscordConfig {
    /// The bot token, set directly or read from `token_file`.
    #[serde(serialize_with = "display_or_empty")]
    pub token: Option<Secret>,
    #[serde(serialize_with = "path_or_empty")]
    pub token_file: Option<PathBuf>,
    /// `None`: ask Discord at start.
    #[serde(serialize_with = "display_or_empty")]
    pub application_id: Option<u64>,
    /// `None`: <https://discord.com>.
    #[serde(serialize_with = "display_or_empty")]
    pub rest_url: Option<Url>,
    /// `None`: the URL `GET /gateway/bot` gives.
    #[serde(serialize_with = "display_or_empty")]
    pub gateway_url: Option<Url>,
    /// How many shards this process runs; see [`DiscordConfig::shard_ids`].
    pub shards: u32,
    pub shard_first: u32,
    /// Shards across all processes; 0 means the same as `shards`. See
    /// [`DiscordConfig::total_shards`].
    pub shard_total: u32,
    pub register_commands: RegisterCommands,
    #[serde(serialize_with = "ids_as_strings")]
    pub owners: Vec<u64>,
    pub prefix: String,
}

impl DiscordConfig {
    /// The shard ids this process runs.
    pub fn shard_ids(&self) -> Range<u32> {
        self.shard_first..self.shard_first.saturating_add(self.shards)
    }

    /// The number of shards across all processes, as sent in IDENTIFY.
    pub fn total_shards(&self) -> u32 {
        if self.shard_total == 0 {
            self.shards
        } else {
            self.shard_total
        }
    }
}

impl Default for DiscordConfig {
    fn default() -> Self {
        Self {
            token: None,
            token_file: None,
            application_id: None,
            rest_url: None,
            gateway_url: None,
            shards: 1,
            shard_first: 0,
            shard_total: 0,
            register_commands: RegisterCommands::Off,
            owners: Vec::new(),
            prefix: "!".to_owned(),
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

impl Serialize for RegisterCommands {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// `[database]`: where the store lives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DatabaseConfig {
    /// `sqlite://…` or `postgres://…`, as written; see [`DatabaseConfig::connection_url`].
    pub url: ConnectionUrl,
    /// The PostgreSQL password when `url` has none, set directly or read from `password_file`.
    #[serde(serialize_with = "display_or_empty")]
    pub password: Option<Secret>,
    #[serde(serialize_with = "path_or_empty")]
    pub password_file: Option<PathBuf>,
    pub max_connections: u32,
    pub migrate_on_start: bool,
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

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: ConnectionUrl("sqlite://data/agora.db".to_owned()),
            password: None,
            password_file: None,
            max_connections: 8,
            migrate_on_start: true,
        }
    }
}

/// `[cache]`: Redis, or the in-memory cache when `redis_url` is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CacheConfig {
    #[serde(serialize_with = "display_or_empty")]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OpsConfig {
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
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogConfig {
    /// A `tracing_subscriber::EnvFilter` directive, checked at load.
    pub level: String,
    pub format: LogFormat,
    /// When set, logs also go to rotating files in this directory.
    #[serde(serialize_with = "path_or_empty")]
    pub directory: Option<PathBuf>,
    pub rotation: LogRotation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogRotation {
    Hourly,
    #[default]
    Daily,
    Never,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".to_owned(),
            format: LogFormat::Pretty,
            directory: None,
            rotation: LogRotation::Daily,
        }
    }
}

/// `[runtime]`: how the actor system behaves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuntimeConfig {
    pub mailbox_capacity: usize,
    pub defer_after_ms: u64,
    pub shutdown_grace_secs: u64,
    pub cooldown_secs: u64,
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

    /// How many requests the concern `concern` handles at once.
    pub fn max_in_flight_for(&self, _concern: &str) -> usize {
        32
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            mailbox_capacity: 64,
            defer_after_ms: 2000,
            shutdown_grace_secs: 10,
            cooldown_secs: 2,
        }
    }
}

/// `[llm]`: the OpenAI-compatible model behind LLM features; off when `base_url` is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LlmConfig {
    #[serde(serialize_with = "display_or_empty")]
    pub base_url: Option<Url>,
    /// The API key, set directly or read from `api_key_file`.
    #[serde(serialize_with = "display_or_empty")]
    pub api_key: Option<Secret>,
    #[serde(serialize_with = "path_or_empty")]
    pub api_key_file: Option<PathBuf>,
    pub model: String,
    pub timeout_secs: u64,
}

impl LlmConfig {
    /// The time limit of one LLM request.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            api_key: None,
            api_key_file: None,
            model: "gpt-4o-mini".to_owned(),
            timeout_secs: 30,
        }
    }
}

/// A secret value: `Debug`, `Display` and serde show `***`; [`Secret::expose`] gives the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: hand it to what needs it, never to a log line.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("***")
    }
}

/// A database or Redis URL, which may hold a password: `Debug`, `Display` and serde show it
/// with the password as `***`; [`ConnectionUrl::expose`] gives it as written.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionUrl(String);

impl ConnectionUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ConnectionUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&url_without_password(&self.0))
    }
}

impl fmt::Debug for ConnectionUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{:?}", url_without_password(&self.0))
    }
}

impl Serialize for ConnectionUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
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

/// Everything wrong with a configuration; `Display` gives one plain sentence per line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", one_per_line(.0))]
pub struct ConfigProblems(pub Vec<ConfigProblem>);

impl ConfigProblems {
    /// The exit status of `agora check-config`, and of any command, when there are problems.
    pub const EXIT_CODE: u8 = 2;
}

/// One thing wrong with the configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigProblem {
    /// What to fix: a key such as `ops.listen`, the variable `AGORA_OPS__LISTEN` when the
    /// value came from there, or the config file's path.
    pub key: String,
    /// A plain sentence naming the key and where its value came from.
    pub message: String,
}

fn one_per_line(problems: &[ConfigProblem]) -> String {
    let lines: Vec<&str> = problems
        .iter()
        .map(|problem| problem.message.as_str())
        .collect();
    lines.join("\n")
}

impl Config {
    /// Loads the config file and the environment variables in `env`, reads secret files and
    /// checks everything, collecting every problem rather than stopping at the first.
    pub fn load(
        source: ConfigSource<'_>,
        env: &HashMap<String, String>,
    ) -> Result<Config, ConfigProblems> {
        load_with_default_path(source, env, Path::new(DEFAULT_CONFIG_PATH))
    }

    /// [`Config::load`] with this process's environment.
    pub fn load_from_process_env(source: ConfigSource<'_>) -> Result<Config, ConfigProblems> {
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
        match (Config::load(source, &env), not_unicode.is_empty()) {
            (loaded, true) => loaded,
            (Ok(_), false) => Err(ConfigProblems(not_unicode)),
            (Err(mut problems), false) => {
                problems.0.extend(not_unicode);
                Err(problems)
            }
        }
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

fn load_with_default_path(
    source: ConfigSource<'_>,
    env: &HashMap<String, String>,
    default_path: &Path,
) -> Result<Config, ConfigProblems> {
    let mut problems = Vec::new();
    let file = match read_config_file(source, default_path) {
        Ok(file) => file,
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let mut settings = RawSettings::default();
    if let Some(file) = &file {
        settings.add_file(file, &mut problems);
    }
    settings.add_environment(env, &mut problems);

    let mut resolver = Resolver::new(settings, problems);
    let config = resolver.resolve();
    if resolver.problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigProblems(resolver.problems))
    }
}

/// Every table and its keys, in the order `config.toml` lists them.
const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "discord",
        &[
            "token",
            "token_file",
            "application_id",
            "rest_url",
            "gateway_url",
            "shards",
            "shard_first",
            "shard_total",
            "register_commands",
            "owners",
            "prefix",
        ],
    ),
    (
        "database",
        &[
            "url",
            "password",
            "password_file",
            "max_connections",
            "migrate_on_start",
        ],
    ),
    ("cache", &["redis_url", "key_prefix"]),
    ("ops", &["listen"]),
    ("log", &["level", "format", "directory", "rotation"]),
    (
        "runtime",
        &[
            "mailbox_capacity",
            "defer_after_ms",
            "shutdown_grace_secs",
            "cooldown_secs",
        ],
    ),
    (
        "llm",
        &[
            "base_url",
            "api_key",
            "api_key_file",
            "model",
            "timeout_secs",
        ],
    ),
];

fn keys_of_table(table: &str) -> Option<&'static [&'static str]> {
    KNOWN_KEYS
        .iter()
        .find(|(name, _)| *name == table)
        .map(|(_, keys)| *keys)
}

fn is_known_key(table: &str, key: &str) -> bool {
    keys_of_table(table).is_some_and(|keys| keys.contains(&key))
}

/// Every key as `table.key`.
fn dotted_keys() -> impl Iterator<Item = String> {
    KNOWN_KEYS
        .iter()
        .flat_map(|(table, keys)| keys.iter().map(move |key| format!("{table}.{key}")))
}

/// `discord.token` → `AGORA_DISCORD__TOKEN`.
fn env_variable_for(dotted_key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        dotted_key.to_ascii_uppercase().replace('.', "__")
    )
}

/// The candidate closest to `written`, when one is close enough to be a likely typo.
fn closest<'c>(written: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(written, candidate), candidate))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The config file's text and the name problems call it by.
struct ConfigFile {
    name: String,
    text: String,
}

fn read_config_file(
    source: ConfigSource<'_>,
    default_path: &Path,
) -> Result<Option<ConfigFile>, ConfigProblem> {
    let (path, must_exist) = match source {
        ConfigSource::Default => (default_path, false),
        ConfigSource::File(path) => (path, true),
    };
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(ConfigFile {
            name: path.display().to_string(),
            text,
        })),
        Err(error) if error.kind() == io::ErrorKind::NotFound && !must_exist => Ok(None),
        Err(error) => Err(ConfigProblem {
            key: path.display().to_string(),
            message: format!(
                "cannot read config file {}: {}",
                path.display(),
                describe_io_error(&error)
            ),
        }),
    }
}

/// An I/O error in plain words: "No such file or directory", without "(os error 2)".
fn describe_io_error(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

/// A value as the operator wrote it, before it is given its key's type. No `Debug`: it may
/// be a secret.
enum RawValue<'text> {
    /// From the config file, typed by TOML.
    Toml(DeValue<'text>),
    /// From an environment variable: text, parsed by the key's type.
    Text(String),
}

/// Where a value was written.
#[derive(Debug, Clone)]
enum Origin {
    File { name: String, line: usize },
    Env { variable: String },
}

impl fmt::Display for Origin {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File { name, line } => write!(formatter, "{name} line {line}"),
            Origin::Env { variable } => formatter.write_str(variable),
        }
    }
}

struct RawSetting<'text> {
    value: RawValue<'text>,
    origin: Origin,
}

/// The settings from the file and the environment by `table.key`; the environment wins.
#[derive(Default)]
struct RawSettings<'text> {
    by_key: HashMap<String, RawSetting<'text>>,
}

impl<'text> RawSettings<'text> {
    /// Takes the known keys of the file; reports syntax errors and unknown tables and keys.
    fn add_file(&mut self, file: &'text ConfigFile, problems: &mut Vec<ConfigProblem>) {
        let text = file.text.as_str();
        let (document, syntax_errors) = DeTable::parse_recoverable(text);
        if !syntax_errors.is_empty() {
            // What the parser recovered may be half a document: report only the errors.
            problems.extend(syntax_problems(file, &syntax_errors));
            return;
        }
        let mut located_problems = Vec::new();
        for (table_name, table_value) in document.get_ref().iter() {
            let table_name_span = table_name.span();
            let table_name: &str = table_name.get_ref();
            let line = line_and_column(text, table_name_span.start).0;
            let Some(known_keys) = keys_of_table(table_name) else {
                located_problems.push((
                    line,
                    unknown_top_level_problem(file, table_name, table_value.get_ref(), line),
                ));
                continue;
            };
            let DeValue::Table(entries) = table_value.get_ref() else {
                let message = format!(
                    "`{table_name}` must be a table (`[{table_name}]`), got {} in {} line {line}",
                    describe_toml_value(table_value.get_ref()),
                    file.name
                );
                located_problems.push((
                    line,
                    ConfigProblem {
                        key: table_name.to_owned(),
                        message,
                    },
                ));
                continue;
            };
            for (key, value) in entries.iter() {
                let line = line_and_column(text, key.span().start).0;
                let key: &str = key.get_ref();
                let dotted_key = format!("{table_name}.{key}");
                if known_keys.contains(&key) {
                    let origin = Origin::File {
                        name: file.name.clone(),
                        line,
                    };
                    let value = RawValue::Toml(value.get_ref().clone());
                    self.by_key.insert(dotted_key, RawSetting { value, origin });
                    continue;
                }
                let hint = closest(key, known_keys.iter().copied())
                    .map(|suggestion| format!(" (did you mean `{suggestion}`?)"))
                    .or_else(|| {
                        let elsewhere =
                            dotted_keys().find(|known| known.rsplit('.').next() == Some(key))?;
                        Some(format!(" (did you mean `{elsewhere}`?)"))
                    })
                    .unwrap_or_default();
                let message = format!(
                    "unknown key `{dotted_key}` in {} line {line}{hint}",
                    file.name
                );
                located_problems.push((
                    line,
                    ConfigProblem {
                        key: dotted_key,
                        message,
                    },
                ));
            }
        }
        located_problems.sort_by_key(|(line, _)| *line);
        problems.extend(located_problems.into_iter().map(|(_, problem)| problem));
    }

    /// Takes the `AGORA_<TABLE>__<KEY>` variables; reports those that name no key.
    ///
    /// Other tools share the prefix (`AGORA_SIM_TOKEN`, `AGORA_TEST_POSTGRES_URL`), so a
    /// variable without `__` is left alone unless it is a key written with one underscore.
    fn add_environment(
        &mut self,
        env: &HashMap<String, String>,
        problems: &mut Vec<ConfigProblem>,
    ) {
        let mut variables: Vec<(&String, &String)> = env
            .iter()
            .filter(|(variable, _)| variable.starts_with(ENV_PREFIX))
            .collect();
        variables.sort();
        for (variable, value) in variables {
            let path = &variable[ENV_PREFIX.len()..];
            let Some((table, key)) = path.split_once("__") else {
                let intended = dotted_keys()
                    .map(|dotted_key| env_variable_for(&dotted_key))
                    .find(|known| known.replace("__", "_").eq_ignore_ascii_case(variable));
                if let Some(intended) = intended {
                    problems.push(ConfigProblem {
                        key: variable.clone(),
                        message: format!(
                            "{variable} is not read: table and key are joined by two underscores \
                             (did you mean {intended}?)"
                        ),
                    });
                }
                continue;
            };
            let (table, key) = (table.to_ascii_lowercase(), key.to_ascii_lowercase());
            if is_known_key(&table, &key) {
                let setting = RawSetting {
                    value: RawValue::Text(value.clone()),
                    origin: Origin::Env {
                        variable: variable.clone(),
                    },
                };
                self.by_key.insert(format!("{table}.{key}"), setting);
                continue;
            }
            let dotted_key = format!("{table}.{key}");
            let known: Vec<String> = dotted_keys().collect();
            let hint = closest(&dotted_key, known.iter().map(String::as_str))
                .map(|suggestion| format!(" (did you mean {}?)", env_variable_for(suggestion)))
                .unwrap_or_default();
            problems.push(ConfigProblem {
                key: variable.clone(),
                message: format!(
                    "unknown variable {variable}: there is no key `{dotted_key}`{hint}"
                ),
            });
        }
    }
}

/// TOML syntax errors as problems, in the order they appear in the file.
fn syntax_problems(file: &ConfigFile, errors: &[toml::de::Error]) -> Vec<ConfigProblem> {
    let mut located: Vec<(usize, String)> = errors
        .iter()
        .map(|error| {
            let span = error.span().unwrap_or(0..0);
            let mut what = error.message().to_owned();
            // A duplicate key's span is the key itself, safe to show; other spans may fall
            // inside a secret value, so their text is never shown.
            if what == "duplicate key" {
                if let Some(key) = file.text.get(span.clone()) {
                    what = format!("duplicate key `{key}`");
                }
            }
            (span.start, what)
        })
        .collect();
    located.sort();
    located
        .into_iter()
        .map(|(offset, what)| {
            let (line, column) = line_and_column(&file.text, offset);
            ConfigProblem {
                key: file.name.clone(),
                message: format!(
                    "{} line {line}, column {column}: not valid TOML: {what}",
                    file.name
                ),
            }
        })
        .collect()
}

/// The problem with a top-level entry that is not a known table.
fn unknown_top_level_problem(
    file: &ConfigFile,
    name: &str,
    value: &DeValue<'_>,
    line: usize,
) -> ConfigProblem {
    let message = if let DeValue::Table(_) = value {
        let hint = closest(name, KNOWN_KEYS.iter().map(|(table, _)| *table))
            .map(|suggestion| format!(" (did you mean `[{suggestion}]`?)"))
            .unwrap_or_default();
        format!(
            "unknown table `[{name}]` in {} line {line}{hint}",
            file.name
        )
    } else {
        let hint = dotted_keys()
            .find(|known| known.rsplit('.').next() == Some(name))
            .map(|suggestion| format!(" (did you mean `{suggestion}`?)"))
            .unwrap_or_default();
        format!(
            "unknown key `{name}` in {} line {line}: every key belongs in a table{hint}",
            file.name
        )
    };
    ConfigProblem {
        key: name.to_owned(),
        message,
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A TOML value as a problem message shows it.
fn describe_toml_value(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => format!("{:?}", text.as_ref()),
        DeValue::Integer(integer) => integer.to_string(),
        DeValue::Float(float) => float.to_string(),
        DeValue::Boolean(boolean) => boolean.to_string(),
        DeValue::Datetime(datetime) => datetime.to_string(),
        DeValue::Array(_) => "a list".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

fn describe_raw_value(value: &RawValue<'_>) -> String {
    match value {
        RawValue::Toml(value) => describe_toml_value(value),
        RawValue::Text(text) => format!("{text:?}"),
    }
}

/// `url` with its password, if any, shown as `***`.
fn url_without_password(written: &str) -> String {
    match Url::parse(written) {
        Ok(mut url) if url.password().is_some() => match url.set_password(Some("***")) {
            Ok(()) => url.to_string(),
            Err(()) => "***".to_owned(),
        },
        _ => written.to_owned(),
    }
}

/// What a URL key accepts.
struct UrlRule {
    schemes: &'static [&'static str],
    /// "an http:// or https:// URL such as …", completing "must be …".
    expected: &'static str,
    needs_host: bool,
    /// Whether the URL may hold a password, so a value that does not parse is not shown.
    may_hold_password: bool,
}

const HTTP_URL: UrlRule = UrlRule {
    schemes: &["http", "https"],
    expected: "an http:// or https:// URL such as http://127.0.0.1:8080",
    needs_host: true,
    may_hold_password: false,
};

const WEBSOCKET_URL: UrlRule = UrlRule {
    schemes: &["ws", "wss"],
    expected: "a ws:// or wss:// URL such as ws://127.0.0.1:8080/gateway",
    needs_host: true,
    may_hold_password: false,
};

const DATABASE_URL: UrlRule = UrlRule {
    schemes: &["sqlite", "postgres", "postgresql"],
    expected: "a sqlite:// or postgres:// URL such as sqlite://data/agora.db",
    needs_host: false,
    may_hold_password: true,
};

const REDIS_URL: UrlRule = UrlRule {
    schemes: &["redis", "rediss"],
    expected: "a redis:// or rediss:// URL such as redis://127.0.0.1:6379",
    needs_host: true,
    may_hold_password: true,
};

/// The highest shard count or id accepted: far past what any bot runs, low enough to catch typos.
const MAX_SHARDS: u64 = 1 << 20;

/// Discord drops an interaction not answered within 3 s; the defer must get there first.
const MAX_DEFER_AFTER_MS: u64 = 2500;

/// Turns raw settings into a typed [`Config`], collecting problems as it goes.
struct Resolver<'text> {
    settings: HashMap<String, RawSetting<'text>>,
    /// Where each key read so far came from; absent for a default.
    origins: HashMap<&'static str, Origin>,
    problems: Vec<ConfigProblem>,
}

impl<'text> Resolver<'text> {
    fn new(settings: RawSettings<'text>, problems: Vec<ConfigProblem>) -> Self {
        Self {
            settings: settings.by_key,
            origins: HashMap::new(),
            problems,
        }
    }

    fn resolve(&mut self) -> Config {
        let defaults = Config::default();
        Config {
            discord: self.discord(defaults.discord),
            database: self.database(defaults.database),
            cache: self.cache(defaults.cache),
            ops: self.ops(defaults.ops),
            log: self.log(defaults.log),
            runtime: self.runtime(defaults.runtime),
            llm: self.llm(defaults.llm),
            features: defaults.features,
        }
    }

    fn discord(&mut self, defaults: DiscordConfig) -> DiscordConfig {
        let token = self.secret("discord.token");
        let token_key = if token.is_some() {
            "discord.token"
        } else {
            "discord.token_file"
        };
        let token_file = self.path("discord.token_file");
        let token = self.secret_from_value_or_file(
            "discord.token",
            token,
            "discord.token_file",
            &token_file,
        );
        if token
            .as_ref()
            .is_some_and(|token| token.expose().contains(char::is_whitespace))
        {
            let message = format!(
                "the bot token from `{token_key}` contains spaces or line breaks: give the bare \
                 token, without a \"Bot \" prefix"
            );
            self.report(token_key, message);
        }
        let config = DiscordConfig {
            token,
            token_file,
            application_id: self.discord_id("discord.application_id"),
            rest_url: self.url("discord.rest_url", &HTTP_URL).map(|(_, url)| url),
            gateway_url: self
                .url("discord.gateway_url", &WEBSOCKET_URL)
                .map(|(_, url)| url),
            shards: self.whole_number("discord.shards", defaults.shards, 1..=MAX_SHARDS),
            shard_first: self.whole_number(
                "discord.shard_first",
                defaults.shard_first,
                0..=MAX_SHARDS,
            ),
            shard_total: self.whole_number(
                "discord.shard_total",
                defaults.shard_total,
                0..=MAX_SHARDS,
            ),
            register_commands: self
                .register_commands("discord.register_commands", defaults.register_commands),
            owners: self.discord_ids("discord.owners"),
            prefix: self.text("discord.prefix", defaults.prefix),
        };
        let shard_end = u64::from(config.shard_first) + u64::from(config.shards);
        if shard_end > u64::from(config.total_shards()) {
            let message = format!(
                "`discord.shard_first` + `discord.shards` ({} + {}) go past the {} shards in all \
                 (`discord.shard_total`, 0 = same as `discord.shards`); set `discord.shard_total` \
                 to the number of shards across all processes",
                config.shard_first,
                config.shards,
                config.total_shards()
            );
            self.report_at_origins(
                &[
                    "discord.shard_first",
                    "discord.shards",
                    "discord.shard_total",
                ],
                message,
            );
        }
        if config.prefix.is_empty() {
            self.report("discord.prefix", "`discord.prefix` must not be empty");
        }
        config
    }

    fn database(&mut self, defaults: DatabaseConfig) -> DatabaseConfig {
        let url = self
            .url("database.url", &DATABASE_URL)
            .map_or(defaults.url, |(written, _)| ConnectionUrl(written));
        let password = self.secret("database.password");
        let password_file = self.path("database.password_file");
        let password = self.secret_from_value_or_file(
            "database.password",
            password,
            "database.password_file",
            &password_file,
        );
        if password.is_some() {
            let url_has_password =
                Url::parse(url.expose()).is_ok_and(|parsed| parsed.password().is_some());
            if url_has_password {
                let message = format!(
                    "`database.url` ({}) already holds a password and `database.password` is set too ({}); keep one",
                    self.where_set("database.url"),
                    self.where_set_either("database.password", "database.password_file")
                );
                self.report_at_origins(&["database.password", "database.password_file"], message);
            }
        }
        DatabaseConfig {
            url,
            password,
            password_file,
            max_connections: self.whole_number(
                "database.max_connections",
                defaults.max_connections,
                1..=1000,
            ),
            migrate_on_start: self.boolean("database.migrate_on_start", defaults.migrate_on_start),
        }
    }

    fn cache(&mut self, defaults: CacheConfig) -> CacheConfig {
        CacheConfig {
            redis_url: self
                .url("cache.redis_url", &REDIS_URL)
                .map(|(written, _)| ConnectionUrl(written)),
            key_prefix: self.text("cache.key_prefix", defaults.key_prefix),
        }
    }

    fn ops(&mut self, defaults: OpsConfig) -> OpsConfig {
        let key = "ops.listen";
        let Some(written) = self.optional_text(key) else {
            return defaults;
        };
        match written.trim().parse::<SocketAddr>() {
            Ok(listen) => OpsConfig { listen },
            Err(_) => {
                let message = format!(
                    "`{key}` must be an IP address and port such as 127.0.0.1:9090 or [::]:9090, got {written:?}"
                );
                self.report(key, message);
                defaults
            }
        }
    }

    fn log(&mut self, defaults: LogConfig) -> LogConfig {
        let level = self.text("log.level", defaults.level.clone());
        let level = if level.trim().is_empty() {
            self.report(
                "log.level",
                "`log.level` must not be empty; \"info\" is the usual choice",
            );
            defaults.level
        } else if let Err(error) = tracing_subscriber::EnvFilter::builder().parse(&level) {
            let message = format!("`log.level` is not a tracing filter such as \"info,agora_actors=debug\" ({error}), got {level:?}");
            self.report("log.level", message);
            defaults.level
        } else {
            level
        };
        LogConfig {
            level,
            format: self.choice(
                "log.format",
                defaults.format,
                &[("pretty", LogFormat::Pretty), ("json", LogFormat::Json)],
            ),
            directory: self.path("log.directory"),
            rotation: self.choice(
                "log.rotation",
                defaults.rotation,
                &[
                    ("hourly", LogRotation::Hourly),
                    ("daily", LogRotation::Daily),
                    ("never", LogRotation::Never),
                ],
            ),
        }
    }

    fn runtime(&mut self, defaults: RuntimeConfig) -> RuntimeConfig {
        RuntimeConfig {
            mailbox_capacity: self.whole_number(
                "runtime.mailbox_capacity",
                defaults.mailbox_capacity,
                1..=1_000_000,
            ),
            defer_after_ms: self.whole_number(
                "runtime.defer_after_ms",
                defaults.defer_after_ms,
                0..=MAX_DEFER_AFTER_MS,
            ),
            shutdown_grace_secs: self.whole_number(
                "runtime.shutdown_grace_secs",
                defaults.shutdown_grace_secs,
                0..=3600,
            ),
            cooldown_secs: self.whole_number(
                "runtime.cooldown_secs",
                defaults.cooldown_secs,
                0..=86_400,
            ),
        }
    }

    fn llm(&mut self, defaults: LlmConfig) -> LlmConfig {
        let base_url = self.url("llm.base_url", &HTTP_URL).map(|(_, url)| url);
        let api_key = self.secret("llm.api_key");
        let api_key_file = self.path("llm.api_key_file");
        let api_key = self.secret_from_value_or_file(
            "llm.api_key",
            api_key,
            "llm.api_key_file",
            &api_key_file,
        );
        let model = self.text("llm.model", defaults.model);
        if base_url.is_some() && model.trim().is_empty() {
            self.report(
                "llm.model",
                "`llm.model` must name a model when `llm.base_url` is set",
            );
        }
        LlmConfig {
            base_url,
            api_key,
            api_key_file,
            model,
            timeout_secs: self.whole_number("llm.timeout_secs", defaults.timeout_secs, 1..=600),
        }
    }

    // Reading one key. Each reader returns the default when the key is not set or its value is
    // wrong; a wrong value is reported, so that config is never used.

    /// Removes the key's raw value, remembering where it came from.
    fn take(&mut self, key: &'static str) -> Option<RawValue<'text>> {
        let setting = self.settings.remove(key)?;
        self.origins.insert(key, setting.origin);
        Some(setting.value)
    }

    fn text(&mut self, key: &'static str, default: String) -> String {
        match self.take(key) {
            None => default,
            Some(RawValue::Text(text)) => text,
            Some(RawValue::Toml(DeValue::String(text))) => text.into_owned(),
            Some(RawValue::Toml(other)) => {
                let message = format!(
                    "`{key}` must be text in quotes, got {}",
                    describe_toml_value(&other)
                );
                self.report(key, message);
                default
            }
        }
    }

    /// Text where "" means not set.
    fn optional_text(&mut self, key: &'static str) -> Option<String> {
        Some(self.text(key, String::new())).filter(|text| !text.is_empty())
    }

    fn path(&mut self, key: &'static str) -> Option<PathBuf> {
        self.optional_text(key).map(PathBuf::from)
    }

    /// Like [`Resolver::optional_text`], but a wrong value is never shown.
    fn secret(&mut self, key: &'static str) -> Option<Secret> {
        match self.take(key)? {
            RawValue::Text(text) => Some(text),
            RawValue::Toml(DeValue::String(text)) => Some(text.into_owned()),
            RawValue::Toml(_) => {
                self.report(key, format!("`{key}` must be text in quotes"));
                None
            }
        }
        .filter(|text| !text.is_empty())
        .map(Secret)
    }

    /// The secret set directly or read from its file; setting both is a problem.
    fn secret_from_value_or_file(
        &mut self,
        key: &'static str,
        value: Option<Secret>,
        file_key: &'static str,
        file: &Option<PathBuf>,
    ) -> Option<Secret> {
        match (value, file) {
            (Some(value), Some(_)) => {
                let message = format!(
                    "both `{key}` ({}) and `{file_key}` ({}) are set; keep one",
                    self.where_set(key),
                    self.where_set(file_key)
                );
                self.report_at_origins(&[file_key, key], message);
                Some(value)
            }
            (Some(value), None) => Some(value),
            (None, Some(path)) => self.read_secret_file(file_key, path),
            (None, None) => None,
        }
    }

    /// Reads a secret file, dropping the trailing newline most tools write.
    fn read_secret_file(&mut self, file_key: &'static str, path: &Path) -> Option<Secret> {
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
                    self.report(
                        file_key,
                        format!("`{file_key}` {} is empty", path.display()),
                    );
                    return None;
                }
                Some(Secret::new(secret))
            }
        }
    }

    /// A whole number within `range`; `T` must hold every number in `range`.
    fn whole_number<T>(&mut self, key: &'static str, default: T, range: RangeInclusive<u64>) -> T
    where
        T: TryFrom<u64> + Copy,
    {
        let Some(raw) = self.take(key) else {
            return default;
        };
        let number = match &raw {
            RawValue::Text(text) => text.trim().parse::<i128>().ok(),
            RawValue::Toml(DeValue::Integer(integer)) => {
                i128::from_str_radix(integer.as_str(), integer.radix()).ok()
            }
            RawValue::Toml(_) => None,
        };
        let Some(number) = number else {
            let quoted_number = matches!(&raw, RawValue::Toml(DeValue::String(text)) if text.trim().parse::<i128>().is_ok());
            let hint = if quoted_number { " without quotes" } else { "" };
            let message = format!(
                "`{key}` must be a whole number{hint}, got {}",
                describe_raw_value(&raw)
            );
            self.report(key, message);
            return default;
        };
        let in_range = u64::try_from(number)
            .ok()
            .filter(|number| range.contains(number));
        match in_range.and_then(|number| T::try_from(number).ok()) {
            Some(value) => value,
            None => {
                let message = format!(
                    "`{key}` must be between {} and {}, got {number}",
                    range.start(),
                    range.end()
                );
                self.report(key, message);
                default
            }
        }
    }

    fn boolean(&mut self, key: &'static str, default: bool) -> bool {
        let Some(raw) = self.take(key) else {
            return default;
        };
        let value = match &raw {
            RawValue::Toml(DeValue::Boolean(value)) => Some(*value),
            RawValue::Text(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Some(true),
                "false" | "no" | "off" | "0" => Some(false),
                _ => None,
            },
            RawValue::Toml(_) => None,
        };
        value.unwrap_or_else(|| {
            let message = format!(
                "`{key}` must be true or false, got {}",
                describe_raw_value(&raw)
            );
            self.report(key, message);
            default
        })
    }

    /// One of `options`, by name (any case).
    fn choice<T: Copy>(&mut self, key: &'static str, default: T, options: &[(&str, T)]) -> T {
        let Some(written) = self.optional_text(key) else {
            return default;
        };
        let wanted = written.trim().to_ascii_lowercase();
        if let Some((_, value)) = options.iter().find(|(name, _)| *name == wanted) {
            return *value;
        }
        let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
        self.report(
            key,
            format!(
                "`{key}` must be one of {}, got {written:?}",
                names.join(", ")
            ),
        );
        default
    }

    fn register_commands(
        &mut self,
        key: &'static str,
        default: RegisterCommands,
    ) -> RegisterCommands {
        let Some(written) = self.optional_text(key) else {
            return default;
        };
        let wanted = written.trim().to_ascii_lowercase();
        let parsed = match wanted.as_str() {
            "off" => Some(RegisterCommands::Off),
            "global" => Some(RegisterCommands::Global),
            _ => wanted
                .strip_prefix("guild:")
                .and_then(|guild_id| parse_discord_id(guild_id.trim()))
                .map(RegisterCommands::Guild),
        };
        parsed.unwrap_or_else(|| {
            let message =
                format!("`{key}` must be off, global or guild:<numeric guild id>, got {written:?}");
            self.report(key, message);
            default
        })
    }

    /// An optional Discord id: digits, in a string or as a number; "" means not set.
    fn discord_id(&mut self, key: &'static str) -> Option<u64> {
        let raw = self.take(key)?;
        let id = match &raw {
            RawValue::Text(text) if text.trim().is_empty() => return None,
            RawValue::Toml(DeValue::String(text)) if text.trim().is_empty() => return None,
            RawValue::Text(text) => parse_discord_id(text.trim()),
            RawValue::Toml(value) => discord_id_in_toml(value),
        };
        if id.is_none() {
            let message = format!(
                "`{key}` must be a Discord id (digits such as \"123456789012345678\"), got {}",
                describe_raw_value(&raw)
            );
            self.report(key, message);
        }
        id
    }

    /// A list of Discord ids: a TOML list, or from the environment `1,2` or `["1", "2"]`.
    fn discord_ids(&mut self, key: &'static str) -> Vec<u64> {
        let Some(raw) = self.take(key) else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        let mut not_ids = Vec::new();
        match &raw {
            RawValue::Text(text) if text.trim_start().starts_with('[') => {
                match DeValue::parse(text) {
                    Ok(value) => collect_discord_ids(value.get_ref(), &mut ids, &mut not_ids),
                    Err(error) => not_ids.push(format!("{text:?} ({})", error.message())),
                }
            }
            RawValue::Text(text) => {
                for item in text
                    .split(',')
                    .map(str::trim)
                    .filter(|item| !item.is_empty())
                {
                    match parse_discord_id(item) {
                        Some(id) => ids.push(id),
                        None => not_ids.push(format!("{item:?}")),
                    }
                }
            }
            RawValue::Toml(value @ DeValue::Array(_)) => {
                collect_discord_ids(value, &mut ids, &mut not_ids)
            }
            RawValue::Toml(other) => {
                let message = format!(
                    "`{key}` must be a list of Discord ids such as [\"123456789012345678\"], got {}",
                    describe_toml_value(other)
                );
                self.report(key, message);
                return Vec::new();
            }
        }
        if !not_ids.is_empty() {
            let message = format!(
                "`{key}` must list Discord ids (digits such as \"123456789012345678\"), got {}",
                not_ids.join(", ")
            );
            self.report(key, message);
        }
        ids
    }

    /// A URL following `rule`, as written and parsed; "" means not set.
    fn url(&mut self, key: &'static str, rule: &UrlRule) -> Option<(String, Url)> {
        let written = self.optional_text(key)?;
        let shown = if rule.may_hold_password {
            url_without_password(&written)
        } else {
            written.clone()
        };
        let problem = match Url::parse(written.trim()) {
            Err(error) if rule.may_hold_password => format!("`{key}` is not a valid URL ({error})"),
            Err(error) => format!("`{key}` is not a valid URL ({error}), got {shown:?}"),
            Ok(url) if !rule.schemes.contains(&url.scheme()) => {
                format!("`{key}` must be {}, got {shown:?}", rule.expected)
            }
            Ok(url) if rule.needs_host && url.host_str().is_none_or(str::is_empty) => {
                format!(
                    "`{key}` must name a host, as in {}, got {shown:?}",
                    rule.expected
                )
            }
            Ok(url) => return Some((written.trim().to_owned(), url)),
        };
        self.report(key, problem);
        None
    }

    // Reporting.

    /// Where a key's value came from, for a message: "config.toml line 3", the variable, or
    /// "the default".
    fn where_set(&self, key: &str) -> String {
        self.origins
            .get(key)
            .map_or_else(|| "the default".to_owned(), Origin::to_string)
    }

    /// Where the first of two keys that is set came from.
    fn where_set_either(&self, key: &str, other_key: &str) -> String {
        match self.origins.get(key) {
            Some(origin) => origin.to_string(),
            None => self.where_set(other_key),
        }
    }

    /// What the operator edits to fix `key`: the variable it came from, or the key itself.
    fn key_to_fix(&self, key: &str) -> String {
        match self.origins.get(key) {
            Some(Origin::Env { variable }) => variable.clone(),
            _ => key.to_owned(),
        }
    }

    /// Reports a problem with one key, adding where its value came from.
    fn report(&mut self, key: &'static str, message: impl fmt::Display) {
        let message = match self.origins.get(key) {
            Some(Origin::File { name, line }) => format!("{message} ({name} line {line})"),
            Some(Origin::Env { variable }) => format!("{message} (from {variable})"),
            None => message.to_string(),
        };
        let key = self.key_to_fix(key);
        self.problems.push(ConfigProblem { key, message });
    }

    /// Reports a problem that involves several keys and says itself where they were set; it
    /// is filed under the first of `keys` that was set.
    fn report_at_origins(&mut self, keys: &[&str], message: String) {
        let key = keys
            .iter()
            .find(|key| self.origins.contains_key(*key))
            .or(keys.first())
            .map_or_else(String::new, |key| self.key_to_fix(key));
        self.problems.push(ConfigProblem { key, message });
    }
}

/// Discord ids are positive integers (snowflakes).
fn parse_discord_id(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().filter(|id| *id > 0)
}

fn discord_id_in_toml(value: &DeValue<'_>) -> Option<u64> {
    match value {
        DeValue::String(text) => parse_discord_id(text.trim()),
        DeValue::Integer(integer) => u64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .filter(|id| *id > 0),
        _ => None,
    }
}

/// Sorts the items of a TOML list into ids and the descriptions of items that are not ids.
fn collect_discord_ids(value: &DeValue<'_>, ids: &mut Vec<u64>, not_ids: &mut Vec<String>) {
    let DeValue::Array(items) = value else {
        not_ids.push(describe_toml_value(value));
        return;
    };
    for item in items.iter() {
        match discord_id_in_toml(item.get_ref()) {
            Some(id) => ids.push(id),
            None => not_ids.push(describe_toml_value(item.get_ref())),
        }
    }
}

// Serializing for `to_redacted_toml`: TOML has no null, so an unset value is written "".

fn display_or_empty<T: fmt::Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_str(""),
    }
}

fn path_or_empty<S: Serializer>(path: &Option<PathBuf>, serializer: S) -> Result<S::Ok, S::Error> {
    display_or_empty(&path.as_ref().map(|path| path.display()), serializer)
}

/// Ids as strings, as `config.toml` writes them.
fn ids_as_strings<S: Serializer>(ids: &[u64], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(ids.iter().map(u64::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The delivered `config.toml`, which must stay equal to the built-in defaults.
    const DELIVERED_CONFIG_TOML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml");

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn no_env() -> HashMap<String, String> {
        HashMap::new()
    }

    fn write_file(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
        let path = dir.path().join(name);
        fs::write(&path, contents).expect("write a test file");
        path
    }

    /// Loads `text` as the config file given with `--config`.
    fn load_text(text: &str, env: &HashMap<String, String>) -> Result<Config, ConfigProblems> {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let path = write_file(&dir, "config.toml", text);
        Config::load(ConfigSource::File(&path), env)
    }

    fn problems_of(result: Result<Config, ConfigProblems>) -> Vec<ConfigProblem> {
        match result {
            Ok(config) => panic!("expected problems, got {config:#?}"),
            Err(problems) => problems.0,
        }
    }

    /// The one problem filed under `key`.
    fn problem_for<'p>(problems: &'p [ConfigProblem], key: &str) -> &'p ConfigProblem {
        let matching: Vec<&ConfigProblem> = problems
            .iter()
            .filter(|problem| problem.key == key)
            .collect();
        match matching.as_slice() {
            [problem] => problem,
            _ => panic!("expected one problem for {key}, got {problems:#?}"),
        }
    }

    fn assert_mentions(problem: &ConfigProblem, parts: &[&str]) {
        for part in parts {
            assert!(
                problem.message.contains(part),
                "{:?} should mention {part:?}",
                problem.message
            );
        }
    }

    #[test]
    fn built_in_defaults_when_the_default_file_is_missing() {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let missing = dir.path().join("config.toml");
        let config = load_with_default_path(ConfigSource::Default, &no_env(), &missing);
        assert_eq!(config, Ok(Config::default()));
    }

    #[test]
    fn the_default_file_is_read_when_it_exists() {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let path = write_file(&dir, "config.toml", "[runtime]\ncooldown_secs = 5\n");
        let config =
            load_with_default_path(ConfigSource::Default, &no_env(), &path).expect("valid config");
        assert_eq!(config.runtime.cooldown(), Duration::from_secs(5));
    }

    #[test]
    fn a_missing_file_given_explicitly_is_a_problem() {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let missing = dir.path().join("elsewhere.toml");
        let problems = problems_of(Config::load(ConfigSource::File(&missing), &no_env()));
        let problem = problem_for(&problems, &missing.display().to_string());
        assert_mentions(
            problem,
            &["cannot read config file", "No such file or directory"],
        );
        assert!(!problem.message.contains("os error"), "{problem:?}");
    }

    #[test]
    fn file_values_are_read_with_their_types() {
        let text = r#"
            [discord]
            token = "file-token"
            application_id = "42"
            rest_url = "http://127.0.0.1:3000"
            gateway_url = "ws://127.0.0.1:3000/gateway"
            shards = 2
            shard_first = 2
            shard_total = 4
            register_commands = "guild:123"
            owners = ["1", 2]
            prefix = "?"
            [database]
            url = "postgres://agora@db/agora"
            max_connections = 4
            migrate_on_start = false
            [cache]
            redis_url = "redis://127.0.0.1:6379"
            key_prefix = "test:"
            [ops]
            listen = "0.0.0.0:8080"
            [log]
            level = "info,agora_actors=debug"
            format = "json"
            directory = "/var/log/agora"
            rotation = "never"
            [runtime]
            mailbox_capacity = 16
            defer_after_ms = 1500
            shutdown_grace_secs = 3
            cooldown_secs = 0
            [llm]
            base_url = "http://127.0.0.1:4000/v1"
            api_key = "file-key"
            model = "small"
            timeout_secs = 5
        "#;
        let config = load_text(text, &no_env()).expect("valid config");
        let discord = &config.discord;
        assert_eq!(
            discord.token.as_ref().map(Secret::expose),
            Some("file-token")
        );
        assert_eq!(discord.application_id, Some(42));
        assert_eq!(
            discord.rest_url.as_ref().map(Url::as_str),
            Some("http://127.0.0.1:3000/")
        );
        assert_eq!(
            discord.gateway_url.as_ref().map(Url::as_str),
            Some("ws://127.0.0.1:3000/gateway")
        );
        assert_eq!(discord.shard_ids(), 2..4);
        assert_eq!(discord.total_shards(), 4);
        assert_eq!(discord.register_commands, RegisterCommands::Guild(123));
        assert_eq!(discord.owners, vec![1, 2]);
        assert_eq!(discord.prefix, "?");
        assert_eq!(config.database.backend(), DatabaseBackend::Postgres);
        assert_eq!(config.database.url.expose(), "postgres://agora@db/agora");
        assert_eq!(config.database.max_connections, 4);
        assert!(!config.database.migrate_on_start);
        assert_eq!(
            config.cache.redis_url.as_ref().map(ConnectionUrl::expose),
            Some("redis://127.0.0.1:6379")
        );
        assert_eq!(config.cache.key_prefix, "test:");
        assert_eq!(config.ops.listen, SocketAddr::from(([0, 0, 0, 0], 8080)));
        assert_eq!(config.log.level, "info,agora_actors=debug");
        assert_eq!(config.log.format, LogFormat::Json);
        assert_eq!(config.log.directory, Some(PathBuf::from("/var/log/agora")));
        assert_eq!(config.log.rotation, LogRotation::Never);
        assert_eq!(config.runtime.mailbox_capacity, 16);
        assert_eq!(config.runtime.defer_after(), Duration::from_millis(1500));
        assert_eq!(config.runtime.shutdown_grace(), Duration::from_secs(3));
        assert_eq!(config.runtime.cooldown(), Duration::ZERO);
        assert_eq!(
            config.llm.base_url.as_ref().map(Url::as_str),
            Some("http://127.0.0.1:4000/v1")
        );
        assert_eq!(
            config.llm.api_key.as_ref().map(Secret::expose),
            Some("file-key")
        );
        assert_eq!(config.llm.model, "small");
        assert_eq!(config.llm.timeout(), Duration::from_secs(5));
    }

    #[test]
    fn environment_variables_beat_file_values() {
        let text = "[ops]\nlisten = \"127.0.0.1:1111\"\n[discord]\nowners = [\"9\"]\n\
                    [database]\nmax_connections = 4\n";
        let env = env(&[
            ("AGORA_OPS__LISTEN", "0.0.0.0:9999"),
            ("AGORA_DISCORD__OWNERS", "1,2"),
            ("AGORA_DATABASE__MAX_CONNECTIONS", "20"),
            ("AGORA_DISCORD__TOKEN", "env-token"),
            ("AGORA_LOG__FORMAT", "JSON"),
        ]);
        let config = load_text(text, &env).expect("valid config");
        assert_eq!(config.ops.listen, SocketAddr::from(([0, 0, 0, 0], 9999)));
        assert_eq!(config.discord.owners, vec![1, 2]);
        assert_eq!(config.database.max_connections, 20);
        assert_eq!(
            config.discord_token().map(Secret::expose),
            Some("env-token")
        );
        assert_eq!(config.log.format, LogFormat::Json);
    }

    #[test]
    fn environment_lists_take_commas_or_toml_syntax() {
        for (written, expected) in [
            ("1,2", vec![1, 2]),
            (" 1 , 2 ,", vec![1, 2]),
            ("[\"1\", \"2\"]", vec![1, 2]),
            ("[1, 2]", vec![1, 2]),
            ("", vec![]),
            ("[]", vec![]),
        ] {
            let env = env(&[("AGORA_DISCORD__OWNERS", written)]);
            let config = Config::load(ConfigSource::File(Path::new(DELIVERED_CONFIG_TOML)), &env);
            assert_eq!(
                config.map(|config| config.discord.owners),
                Ok(expected),
                "{written:?}"
            );
        }
    }

    #[test]
    fn environment_booleans_take_the_usual_spellings() {
        for (written, expected) in [
            ("false", false),
            ("no", false),
            ("0", false),
            ("True", true),
            ("on", true),
        ] {
            let env = env(&[("AGORA_DATABASE__MIGRATE_ON_START", written)]);
            let config = load_text("", &env).expect("valid config");
            assert_eq!(config.database.migrate_on_start, expected, "{written:?}");
        }
    }

    #[test]
    fn an_empty_variable_unsets_a_file_value() {
        let env = env(&[("AGORA_LLM__BASE_URL", "")]);
        let config = load_text("[llm]\nbase_url = \"http://127.0.0.1:4000/v1\"\n", &env)
            .expect("valid config");
        assert_eq!(config.llm.base_url, None);
    }

    #[test]
    fn secrets_are_read_from_files_without_the_trailing_newline() {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let token_file = write_file(&dir, "discord_token", "token-from-file\n");
        let password_file = write_file(&dir, "db_password", "p@ss word\r\n");
        let api_key_file = write_file(&dir, "llm_api_key", "key-from-file");
        let text = format!(
            "[discord]\ntoken_file = {:?}\n[database]\nurl = \"postgres://agora@db/agora\"\npassword_file = {:?}\n",
            token_file.display().to_string(),
            password_file.display().to_string(),
        );
        let env = env(&[(
            "AGORA_LLM__API_KEY_FILE",
            &api_key_file.display().to_string(),
        )]);
        let config = load_text(&text, &env).expect("valid config");
        assert_eq!(
            config.discord_token().map(Secret::expose),
            Some("token-from-file")
        );
        assert_eq!(
            config.database.password.as_ref().map(Secret::expose),
            Some("p@ss word")
        );
        assert_eq!(
            config.llm.api_key.as_ref().map(Secret::expose),
            Some("key-from-file")
        );
        assert_eq!(config.validate_for_run(), Ok(()));
        assert_eq!(
            config.database.connection_url().expose(),
            "postgres://agora:p%40ss%20word@db/agora"
        );
    }

    #[test]
    fn unknown_file_keys_are_named_with_their_line_and_a_suggestion() {
        let text = "listen = 1\n[ops]\nlisen = \"0.0.0.0:9090\"\n\n[opz]\nlisten = \"x\"\n";
        let problems = problems_of(load_text(text, &no_env()));
        assert_mentions(
            problem_for(&problems, "ops.lisen"),
            &[
                "unknown key `ops.lisen` in",
                "config.toml line 3",
                "(did you mean `listen`?)",
            ],
        );
        assert_mentions(
            problem_for(&problems, "opz"),
            &["unknown table `[opz]`", "line 5", "(did you mean `[ops]`?)"],
        );
        assert_mentions(
            problem_for(&problems, "listen"),
            &[
                "unknown key `listen`",
                "line 1",
                "(did you mean `ops.listen`?)",
            ],
        );
    }

    #[test]
    fn unknown_agora_variables_are_named_with_a_suggestion() {
        let env = env(&[
            ("AGORA_OPS__LISEN", "0.0.0.0:9090"),
            ("AGORA_OPS_LISTEN", "0.0.0.0:9090"),
            ("AGORA_SIM_TOKEN", "belongs to agora-sim"),
            ("AGORA_TEST_POSTGRES_URL", "belongs to the test suite"),
        ]);
        let problems = problems_of(load_text("", &env));
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_mentions(
            problem_for(&problems, "AGORA_OPS__LISEN"),
            &[
                "unknown variable AGORA_OPS__LISEN",
                "(did you mean AGORA_OPS__LISTEN?)",
            ],
        );
        assert_mentions(
            problem_for(&problems, "AGORA_OPS_LISTEN"),
            &["two underscores", "(did you mean AGORA_OPS__LISTEN?)"],
        );
    }

    #[test]
    fn wrong_types_are_named_with_what_was_given() {
        let problems = problems_of(load_text(
            "[runtime]\nmailbox_capacity = \"lots\"\ncooldown_secs = \"5\"\n[database]\nmigrate_on_start = \"maybe\"\n[discord]\nprefix = 1\n",
            &no_env(),
        ));
        assert_mentions(
            problem_for(&problems, "runtime.mailbox_capacity"),
            &[
                "`runtime.mailbox_capacity` must be a whole number, got \"lots\"",
                "line 2",
            ],
        );
        assert_mentions(
            problem_for(&problems, "runtime.cooldown_secs"),
            &["must be a whole number without quotes, got \"5\""],
        );
        assert_mentions(
            problem_for(&problems, "database.migrate_on_start"),
            &["must be true or false, got \"maybe\""],
        );
        assert_mentions(
            problem_for(&problems, "discord.prefix"),
            &["must be text in quotes, got 1"],
        );

        let env = env(&[
            ("AGORA_RUNTIME__MAILBOX_CAPACITY", "lots"),
            ("AGORA_RUNTIME__DEFER_AFTER_MS", "5000"),
        ]);
        let problems = problems_of(load_text("", &env));
        assert_mentions(
            problem_for(&problems, "AGORA_RUNTIME__MAILBOX_CAPACITY"),
            &[
                "`runtime.mailbox_capacity` must be a whole number, got \"lots\"",
                "(from AGORA_RUNTIME__MAILBOX_CAPACITY)",
            ],
        );
        assert_mentions(
            problem_for(&problems, "AGORA_RUNTIME__DEFER_AFTER_MS"),
            &["must be between 0 and 2500, got 5000"],
        );
    }

    #[test]
    fn bad_urls_are_named_with_the_schemes_they_take() {
        let text = r#"
            [discord]
            rest_url = "ws://127.0.0.1:3000"
            gateway_url = "http://127.0.0.1:3000/gateway"
            [database]
            url = "mysql://agora:hunter2@db/agora"
            [cache]
            redis_url = "http://127.0.0.1:6379"
            [llm]
            base_url = "not a url"
        "#;
        let problems = problems_of(load_text(text, &no_env()));
        assert_eq!(problems.len(), 5, "{problems:#?}");
        assert_mentions(
            problem_for(&problems, "discord.rest_url"),
            &["http:// or https://"],
        );
        assert_mentions(
            problem_for(&problems, "discord.gateway_url"),
            &["ws:// or wss://"],
        );
        let database = problem_for(&problems, "database.url");
        assert_mentions(database, &["sqlite:// or postgres://", "agora:***@db"]);
        assert!(!database.message.contains("hunter2"), "{database:?}");
        assert_mentions(
            problem_for(&problems, "cache.redis_url"),
            &["redis:// or rediss://"],
        );
        assert_mentions(
            problem_for(&problems, "llm.base_url"),
            &["is not a valid URL", "\"not a url\""],
        );
    }

    #[test]
    fn bad_addresses_choices_and_ids_are_named() {
        let text = r#"
            [discord]
            application_id = "my-bot"
            register_commands = "guild:abc"
            owners = ["bob", "123"]
            [ops]
            listen = "localhost"
            [log]
            level = "info,agora=loud"
            format = "xml"
            rotation = "weekly"
        "#;
        let problems = problems_of(load_text(text, &no_env()));
        assert_eq!(problems.len(), 7, "{problems:#?}");
        assert_mentions(
            problem_for(&problems, "discord.application_id"),
            &["must be a Discord id", "got \"my-bot\""],
        );
        assert_mentions(
            problem_for(&problems, "discord.register_commands"),
            &["must be off, global or guild:<numeric guild id>, got \"guild:abc\""],
        );
        let owners = problem_for(&problems, "discord.owners");
        assert_mentions(owners, &["got \"bob\""]);
        assert!(!owners.message.contains("\"123\""), "{owners:?}");
        assert_mentions(
            problem_for(&problems, "ops.listen"),
            &["IP address and port", "got \"localhost\""],
        );
        assert_mentions(
            problem_for(&problems, "log.level"),
            &["tracing filter", "\"info,agora=loud\""],
        );
        assert_mentions(
            problem_for(&problems, "log.format"),
            &["must be one of pretty, json, got \"xml\""],
        );
        assert_mentions(
            problem_for(&problems, "log.rotation"),
            &["must be one of hourly, daily, never, got \"weekly\""],
        );
    }

    #[test]
    fn a_shard_range_past_the_total_is_a_problem() {
        let env = env(&[
            ("AGORA_DISCORD__SHARD_FIRST", "2"),
            ("AGORA_DISCORD__SHARDS", "2"),
        ]);
        let problems = problems_of(load_text("", &env));
        assert_mentions(
            problem_for(&problems, "AGORA_DISCORD__SHARD_FIRST"),
            &["(2 + 2) go past the 2 shards in all"],
        );
    }

    #[test]
    fn secret_file_problems_are_named() {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let empty = write_file(&dir, "empty", "\n");
        let missing = dir.path().join("missing");
        let text = format!(
            "[discord]\ntoken = \"direct\"\ntoken_file = {:?}\n[llm]\napi_key_file = {:?}\n",
            empty.display().to_string(),
            missing.display().to_string(),
        );
        let env = env(&[(
            "AGORA_DATABASE__PASSWORD_FILE",
            &empty.display().to_string(),
        )]);
        let problems = problems_of(load_text(&text, &env));
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert_mentions(
            problem_for(&problems, "discord.token_file"),
            &[
                "both `discord.token` (",
                "config.toml line 2) and `discord.token_file` (",
                "keep one",
            ],
        );
        assert_mentions(
            problem_for(&problems, "llm.api_key_file"),
            &[&format!(
                "cannot read `llm.api_key_file` {}: No such file or directory",
                missing.display()
            )],
        );
        assert_mentions(
            problem_for(&problems, "AGORA_DATABASE__PASSWORD_FILE"),
            &["is empty", "(from AGORA_DATABASE__PASSWORD_FILE)"],
        );
    }

    #[test]
    fn a_missing_token_is_a_problem_only_for_run() {
        let config = load_text("", &no_env()).expect("valid config");
        let problems = config.validate_for_run().expect_err("no token").0;
        assert_mentions(
            problem_for(&problems, "discord.token"),
            &[
                "missing Discord bot token",
                "AGORA_DISCORD__TOKEN",
                "discord.token_file",
            ],
        );
    }

    #[test]
    fn toml_syntax_errors_give_line_and_column() {
        let text = "[ops]\nlisten = \"127.0.0.1:1\"\nlisten = \"127.0.0.1:2\"\n[log\n";
        let problems = problems_of(load_text(text, &no_env()));
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems
            .iter()
            .all(|problem| problem.key.ends_with("config.toml")));
        assert_mentions(
            &problems[0],
            &["config.toml line 3, column 1: not valid TOML: duplicate key `listen`"],
        );
        assert_mentions(
            &problems[1],
            &["config.toml line 4, column 5: not valid TOML"],
        );
    }

    #[test]
    fn every_problem_is_reported_at_once_one_per_line() {
        let text = "[ops]\nlisen = \"x\"\n[runtime]\nmailbox_capacity = \"lots\"\n[log]\nformat = \"xml\"\n";
        let env = env(&[
            ("AGORA_DATABASE__URL", "mysql://db/agora"),
            ("AGORA_DISCORD__OWNERS", "bob"),
        ]);
        let problems = load_text(text, &env).expect_err("five problems");
        let keys: Vec<&str> = problems
            .0
            .iter()
            .map(|problem| problem.key.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "ops.lisen",
                "AGORA_DISCORD__OWNERS",
                "AGORA_DATABASE__URL",
                "log.format",
                "runtime.mailbox_capacity"
            ]
        );
        let shown = problems.to_string();
        assert_eq!(shown.lines().count(), 5, "{shown}");
        assert!(shown.lines().all(|line| !line.is_empty()), "{shown}");
    }

    #[test]
    fn secrets_never_show_in_debug_or_redacted_toml() {
        let dir = tempfile::tempdir().expect("make a temp dir");
        let token_file = write_file(&dir, "token", "token-in-a-file\n");
        let env = env(&[
            (
                "AGORA_DISCORD__TOKEN_FILE",
                &token_file.display().to_string(),
            ),
            ("AGORA_DATABASE__URL", "postgres://agora@db/agora"),
            ("AGORA_DATABASE__PASSWORD", "database-password"),
            (
                "AGORA_CACHE__REDIS_URL",
                "redis://:redis-password@cache:6379",
            ),
            ("AGORA_LLM__API_KEY", "llm-api-key"),
        ]);
        let config = load_text("", &env).expect("valid config");
        let debug = format!("{config:?} {config:#?}");
        let redacted = config.to_redacted_toml();
        for secret in [
            "token-in-a-file",
            "database-password",
            "redis-password",
            "llm-api-key",
        ] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
            assert!(!redacted.contains(secret), "{secret} in {redacted}");
        }
        assert_eq!(format!("{}", Secret::new("x")), "***");
        assert_eq!(format!("{:?}", Secret::new("x")), "***");
        let shown: toml::Table = toml::from_str(&redacted).expect("redacted TOML parses");
        assert_eq!(shown["discord"]["token"].as_str(), Some("***"));
        assert_eq!(shown["database"]["password"].as_str(), Some("***"));
        assert_eq!(shown["llm"]["api_key"].as_str(), Some("***"));
        assert_eq!(
            shown["cache"]["redis_url"].as_str(),
            Some("redis://:***@cache:6379")
        );
    }

    #[test]
    fn the_delivered_config_toml_equals_the_built_in_defaults() {
        let config = Config::load(
            ConfigSource::File(Path::new(DELIVERED_CONFIG_TOML)),
            &no_env(),
        );
        assert_eq!(config, Ok(Config::default()));
    }

    #[test]
    fn the_delivered_config_toml_lists_every_key_with_a_comment() {
        let text = fs::read_to_string(DELIVERED_CONFIG_TOML).expect("read config.toml");
        let document: toml::Table = toml::from_str(&text).expect("config.toml parses");
        assert_eq!(keys_in(&document), dotted_keys().collect::<Vec<_>>());
        for line in text
            .lines()
            .filter(|line| line.contains(" = ") && !line.starts_with('#'))
        {
            assert!(line.contains(" # "), "no comment on {line:?}");
        }
    }

    #[test]
    fn redacted_toml_lists_every_key_and_reads_back_as_the_defaults() {
        let redacted = Config::default().to_redacted_toml();
        let document: toml::Table = toml::from_str(&redacted).expect("redacted TOML parses");
        assert_eq!(keys_in(&document), dotted_keys().collect::<Vec<_>>());
        assert_eq!(load_text(&redacted, &no_env()), Ok(Config::default()));
    }

    #[test]
    fn every_known_key_is_read() {
        let variables: Vec<(String, String)> = dotted_keys()
            .map(|key| (env_variable_for(&key), String::new()))
            .collect();
        let mut settings = RawSettings::default();
        settings.add_environment(&variables.into_iter().collect(), &mut Vec::new());
        assert_eq!(settings.by_key.len(), dotted_keys().count());
        let mut resolver = Resolver::new(settings, Vec::new());
        resolver.resolve();
        let unread: Vec<&String> = resolver.settings.keys().collect();
        assert!(unread.is_empty(), "never read: {unread:?}");
    }

    /// The `table.key` names in a document, in `KNOWN_KEYS` order where they match it.
    fn keys_in(document: &toml::Table) -> Vec<String> {
        let mut keys: Vec<String> = document
            .iter()
            .flat_map(|(table, value)| {
                let entries = value.as_table().cloned().unwrap_or_default();
                let table = table.clone();
                entries
                    .into_iter()
                    .map(move |(key, _)| format!("{table}.{key}"))
            })
            .collect();
        let order: Vec<String> = dotted_keys().collect();
        keys.sort_by_key(|key| {
            order
                .iter()
                .position(|known| known == key)
                .unwrap_or(usize::MAX)
        });
        keys
    }
}
