//! `[llm]` in config.toml: where the model is, which one, its API key (never printed), and
//! how the client treats it — time limit, concurrency, retries, the circuit breaker, and a
//! folder of prompt templates that override the built-in ones. Checked at load with every
//! other key; an empty `base_url` leaves the client unconfigured (every call answers
//! [`LlmFailure::NotConfigured`](super::LlmFailure::NotConfigured) at once).

use std::path::PathBuf;
use std::time::Duration;

use figment::Figment;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::feature::ConfigSection;

/// The table's name and the feature's.
pub const SECTION: &str = "llm";

/// `[llm]`; see the module documentation and config.toml for each key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LlmConfig {
    /// The server, e.g. `https://api.openai.com` or `http://127.0.0.1:3000`; empty: off.
    pub base_url: String,
    /// The chat-completions path under `base_url` (Open WebUI: `/api/chat/completions`).
    pub chat_path: String,
    pub model: String,
    /// The key itself (prefer `api_key_env` or `api_key_file`).
    pub api_key: ApiKeyText,
    /// The name of an environment variable holding the key.
    pub api_key_env: String,
    /// A file holding the key (a Docker secret under `/run/secrets`).
    pub api_key_file: String,
    /// The time limit of one request to the model (a caller's deadline may be shorter).
    pub timeout_secs: u64,
    /// Requests to the model at the same time.
    pub max_concurrent: usize,
    /// Calls that may wait for a turn; one more is answered `Busy` at once.
    pub max_queued: usize,
    /// Further attempts after a 429 or a 5xx (never past the caller's deadline).
    pub retries: u32,
    /// The first wait before a retry, doubled each time (a `Retry-After` wins).
    pub backoff_ms: u64,
    /// Failures in a row that open the circuit breaker.
    pub breaker_failures: u32,
    /// How long the open breaker answers `Unavailable` before one trial call.
    pub breaker_cooldown_secs: u64,
    /// A folder whose `<name>.j2` files override the built-in prompt templates.
    pub templates_dir: String,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: String::new(),
            chat_path: "/v1/chat/completions".to_owned(),
            model: "gpt-4o-mini".to_owned(),
            api_key: ApiKeyText::default(),
            api_key_env: String::new(),
            api_key_file: String::new(),
            timeout_secs: 30,
            max_concurrent: 4,
            max_queued: 16,
            retries: 2,
            backoff_ms: 500,
            breaker_failures: 5,
            breaker_cooldown_secs: 30,
            templates_dir: String::new(),
        }
    }
}

/// The API key as written in the table: `Debug` and serde show `***` (an empty key shows
/// as empty, so the declared default stays "not set").
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiKeyText(String);

impl ApiKeyText {
    pub fn new(key: impl Into<String>) -> Self {
        ApiKeyText(key.into())
    }
}

impl std::fmt::Debug for ApiKeyText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "***" })
    }
}

impl Serialize for ApiKeyText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(if self.0.is_empty() { "" } else { "***" })
    }
}

impl<'de> Deserialize<'de> for ApiKeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(ApiKeyText)
    }
}

/// The API key the client sends: never in `Debug` output or a log line.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

impl LlmConfig {
    /// Whether a model is configured at all.
    pub fn configured(&self) -> bool {
        !self.base_url.trim().is_empty()
    }

    /// The URL requests go to: `base_url` and `chat_path`.
    pub fn chat_url(&self) -> String {
        join(&self.base_url, &self.chat_path)
    }

    /// Where the model list is (`…/chat/completions` → `…/models`), which `/status` asks
    /// to learn whether the server answers without spending tokens.
    pub fn models_url(&self) -> Option<String> {
        let path = self.chat_path.trim_end_matches('/');
        path.strip_suffix("chat/completions")
            .map(|prefix| join(&self.base_url, &format!("{prefix}models")))
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    pub fn backoff(&self) -> Duration {
        Duration::from_millis(self.backoff_ms)
    }

    pub fn breaker_cooldown(&self) -> Duration {
        Duration::from_secs(self.breaker_cooldown_secs)
    }

    pub fn templates_dir(&self) -> Option<PathBuf> {
        let dir = self.templates_dir.trim();
        (!dir.is_empty()).then(|| PathBuf::from(dir))
    }

    /// The API key from `api_key`, the variable `api_key_env` names (read from `env`), or
    /// the file `api_key_file` (its trailing newline dropped); `Ok(None)` when none is set
    /// (a local server that wants no key). The error says which key is wrong, never the
    /// key itself.
    pub fn api_key(&self, env: impl Fn(&str) -> Option<String>) -> Result<Option<ApiKey>, String> {
        let direct = (!self.api_key.0.is_empty()).then(|| self.api_key.0.clone());
        let variable = self.api_key_env.trim();
        let file = self.api_key_file.trim();
        let set = [direct.is_some(), !variable.is_empty(), !file.is_empty()];
        if set.iter().filter(|set| **set).count() > 1 {
            return Err("set only one of `api_key`, `api_key_env` and `api_key_file`".to_owned());
        }
        let key = if let Some(key) = direct {
            key
        } else if !variable.is_empty() {
            env(variable).ok_or_else(|| {
                format!("the environment variable {variable} that `api_key_env` names is not set")
            })?
        } else if !file.is_empty() {
            let text = std::fs::read_to_string(file)
                .map_err(|error| format!("cannot read `api_key_file` {file}: {error}"))?;
            text.trim_end_matches(['\n', '\r']).to_owned()
        } else {
            return Ok(None);
        };
        if key.trim().is_empty() {
            return Err("the API key is empty".to_owned());
        }
        Ok(Some(ApiKey(key)))
    }

    /// Every problem with the table, as (key, what is wrong); empty when it is fine.
    pub fn problems(&self) -> Vec<(&'static str, String)> {
        let mut problems = Vec::new();
        if self.configured() {
            let url = self.base_url.trim();
            match url.parse::<hyper::Uri>() {
                Ok(parsed)
                    if matches!(parsed.scheme_str(), Some("http" | "https"))
                        && parsed.authority().is_some() => {}
                Ok(parsed) if parsed.scheme_str().is_some() => {
                    problems.push(("base_url", "must be an http:// or https:// URL".into()))
                }
                _ => problems.push(("base_url", "is not a valid URL".into())),
            }
            if self.model.trim().is_empty() {
                problems.push(("model", "must name a model when `base_url` is set".into()));
            }
            if let Err(problem) = self.api_key(|name| std::env::var(name).ok()) {
                let key = if problem.contains("api_key_file") {
                    "api_key_file"
                } else if problem.contains("api_key_env") {
                    "api_key_env"
                } else {
                    "api_key"
                };
                problems.push((key, problem));
            }
        }
        if !self.chat_path.starts_with('/') {
            problems.push(("chat_path", "must start with `/`".into()));
        }
        let ranges: [(&'static str, u64, u64, u64); 7] = [
            ("timeout_secs", self.timeout_secs, 1, 600),
            ("max_concurrent", self.max_concurrent as u64, 1, 256),
            ("max_queued", self.max_queued as u64, 0, 4096),
            ("retries", u64::from(self.retries), 0, 10),
            ("backoff_ms", self.backoff_ms, 1, 60_000),
            (
                "breaker_failures",
                u64::from(self.breaker_failures),
                1,
                1000,
            ),
            (
                "breaker_cooldown_secs",
                self.breaker_cooldown_secs,
                1,
                86_400,
            ),
        ];
        for (key, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                problems.push((key, format!("must be from {min} to {max}")));
            }
        }
        if let Some(dir) = self.templates_dir() {
            if !dir.is_dir() {
                problems.push(("templates_dir", "is not a folder".into()));
            }
        }
        problems
    }
}

fn join(base: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base.trim().trim_end_matches('/'),
        path.trim().trim_start_matches('/')
    )
}

/// The `[llm]` table as boot checks it: read as [`LlmConfig`], then each value that makes
/// no sense reported under its key.
pub fn section() -> ConfigSection {
    ConfigSection {
        extract: check,
        ..ConfigSection::of::<LlmConfig>(SECTION)
    }
}

fn check(figment: &Figment) -> Result<(), Box<figment::Error>> {
    let config = figment.extract_lossy::<LlmConfig>().map_err(Box::new)?;
    let problems = config.problems();
    let mut errors = problems
        .into_iter()
        .map(|(key, problem)| figment::Error::from(problem).with_path(key));
    match errors.next() {
        None => Ok(()),
        Some(first) => Err(Box::new(errors.fold(first, figment::Error::chain))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_urls_are_the_base_and_the_paths() {
        let config = LlmConfig {
            base_url: "http://127.0.0.1:3000/".into(),
            ..LlmConfig::default()
        };
        assert_eq!(
            config.chat_url(),
            "http://127.0.0.1:3000/v1/chat/completions"
        );
        assert_eq!(
            config.models_url().as_deref(),
            Some("http://127.0.0.1:3000/v1/models")
        );
        let webui = LlmConfig {
            chat_path: "/api/chat/completions".into(),
            ..config
        };
        assert_eq!(
            webui.chat_url(),
            "http://127.0.0.1:3000/api/chat/completions"
        );
        assert_eq!(
            webui.models_url().as_deref(),
            Some("http://127.0.0.1:3000/api/models")
        );
    }

    #[test]
    fn the_key_comes_from_one_place_and_never_shows() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let file = dir.path().join("key");
        std::fs::write(&file, "sk-from-file\n").expect("written");
        let from_file = LlmConfig {
            api_key_file: file.display().to_string(),
            ..LlmConfig::default()
        };
        let key = from_file.api_key(|_| None).expect("read").expect("set");
        assert_eq!(key.expose(), "sk-from-file");
        assert!(!format!("{key:?}").contains("sk-"));
        let from_env = LlmConfig {
            api_key_env: "MY_KEY".into(),
            ..LlmConfig::default()
        };
        let env = |name: &str| (name == "MY_KEY").then(|| "sk-env".to_owned());
        assert_eq!(from_env.api_key(env).unwrap().unwrap().expose(), "sk-env");
        assert!(from_env.api_key(|_| None).unwrap_err().contains("MY_KEY"));
        let both = LlmConfig {
            api_key: ApiKeyText::new("sk-direct"),
            ..from_env
        };
        assert!(both.api_key(env).is_err());
        assert!(!format!("{both:?}").contains("sk-direct"));
        assert!(!serde_json::to_string(&both).unwrap().contains("sk-direct"));
        assert_eq!(LlmConfig::default().api_key(|_| None), Ok(None));
    }

    #[test]
    fn nonsense_is_reported_under_its_key() {
        let config = LlmConfig {
            base_url: "ftp://models".into(),
            model: " ".into(),
            max_concurrent: 0,
            ..LlmConfig::default()
        };
        let keys: Vec<&str> = config.problems().iter().map(|(key, _)| *key).collect();
        assert_eq!(keys, ["base_url", "model", "max_concurrent"]);
        assert!(LlmConfig::default().problems().is_empty());
    }
}
