//! Where values come from: the config file (checked for TOML syntax here, with every error's
//! line, before figment reads it) and the `AGORA_<TABLE>__<KEY>` variables (a figment
//! provider over a map, so tests and the sandbox pass their own), and [`Origins`], which
//! remembers where each key was written so a problem can say so.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::Path;

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};
use toml::de::{DeTable, DeValue};

use super::problems::closest;
use super::{ConfigProblem, ConfigSource, ENV_PREFIX};

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Origin {
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

/// Where each `table.key` (and each table of the file) was written; the environment wins.
#[derive(Debug, Clone, Default)]
pub(super) struct Origins(HashMap<String, Origin>);

impl Origins {
    pub(super) fn of(&self, key: &str) -> Option<&Origin> {
        self.0.get(key)
    }

    /// "config.toml line 3", the variable, or "the default".
    pub(super) fn where_set(&self, key: &str) -> String {
        self.of(key)
            .map_or_else(|| "the default".to_owned(), Origin::to_string)
    }

    /// A problem with `key`: filed under the variable it came from, or the key itself, and
    /// saying where its value was written.
    pub(super) fn problem(&self, key: &str, message: impl fmt::Display) -> ConfigProblem {
        match self.of(key) {
            Some(Origin::File { name, line }) => ConfigProblem {
                key: key.to_owned(),
                message: format!("{message} ({name} line {line})"),
            },
            Some(Origin::Env { variable }) => ConfigProblem {
                key: variable.clone(),
                message: format!("{message} (from {variable})"),
            },
            None => ConfigProblem {
                key: key.to_owned(),
                message: message.to_string(),
            },
        }
    }

    /// A problem involving several keys whose message says where they were set: filed
    /// under the first of `keys` that was set (its variable when it came from there).
    pub(super) fn problem_at_first_set(&self, keys: &[&str], message: String) -> ConfigProblem {
        let key = keys
            .iter()
            .find(|key| self.of(key).is_some())
            .or(keys.first())
            .copied()
            .unwrap_or_default();
        let key = match self.of(key) {
            Some(Origin::Env { variable }) => variable.clone(),
            _ => key.to_owned(),
        };
        ConfigProblem { key, message }
    }
}

/// The config file's text and the name problems call it by.
pub(super) struct ConfigFile {
    pub(super) name: String,
    pub(super) text: String,
}

/// The config file to read, if any: a missing default file means the built-in defaults.
pub(super) fn read_config_file(
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
pub fn describe_io_error(error: &io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error ") {
        Some(end) => text[..end].to_owned(),
        None => text,
    }
}

/// Checks the file's TOML syntax and records the line of every key. Every syntax error is
/// reported with its line and column, and never with the text around it (it may be a secret):
/// figment's TOML provider would stop at the first and quote the line.
pub(super) fn check_syntax(
    file: &ConfigFile,
    origins: &mut Origins,
) -> Result<(), Vec<ConfigProblem>> {
    let (document, errors) = DeTable::parse_recoverable(&file.text);
    if !errors.is_empty() {
        return Err(syntax_problems(file, &errors));
    }
    record_lines(file, document.get_ref(), "", origins);
    Ok(())
}

fn record_lines(file: &ConfigFile, table: &DeTable<'_>, prefix: &str, origins: &mut Origins) {
    for (key, value) in table.iter() {
        let dotted = format!("{prefix}{}", key.get_ref());
        let line = line_and_column(&file.text, key.span().start).0;
        let origin = Origin::File {
            name: file.name.clone(),
            line,
        };
        origins.0.insert(dotted.clone(), origin);
        if let DeValue::Table(inner) = value.get_ref() {
            record_lines(file, inner, &format!("{dotted}."), origins);
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

/// The 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// `discord.token` → `AGORA_DISCORD__TOKEN`.
pub(super) fn env_variable_for(dotted_key: &str) -> String {
    format!(
        "{ENV_PREFIX}{}",
        dotted_key.to_ascii_uppercase().replace('.', "__")
    )
}

/// The `AGORA_<TABLE>__<KEY>[__<KEY>…]` variables as a figment provider. Values stay text
/// (figment's lossy extraction reads numbers and booleans from it) except a value written
/// as a TOML list (`["1", "2"]`), which becomes that list.
///
/// figment's own `Env` reads only the process environment; this reads a map, so the
/// sandbox and the tests can pass theirs.
pub(super) struct Environment(Dict);

impl Environment {
    /// Other tools share the prefix (`AGORA_SIM_TOKEN`, `AGORA_TEST_POSTGRES_URL`), so a
    /// variable without `__` is left alone, unless it is a known key written with one
    /// underscore: that is reported with the right spelling.
    pub(super) fn read(
        env: &HashMap<String, String>,
        known_keys: &[String],
        origins: &mut Origins,
        problems: &mut Vec<ConfigProblem>,
    ) -> Self {
        let mut variables: Vec<(&String, &String)> = env
            .iter()
            .filter(|(variable, _)| variable.starts_with(ENV_PREFIX))
            .collect();
        variables.sort();
        let mut values = Dict::new();
        for (variable, value) in variables {
            let path = &variable[ENV_PREFIX.len()..];
            if !path.contains("__") {
                let intended = known_keys
                    .iter()
                    .map(|key| env_variable_for(key))
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
            }
            let keys: Vec<String> = path.split("__").map(str::to_ascii_lowercase).collect();
            origins.0.insert(
                keys.join("."),
                Origin::Env {
                    variable: variable.clone(),
                },
            );
            insert(&mut values, &keys, env_value(value));
        }
        Environment(values)
    }
}

/// Text, or the list it writes in TOML syntax.
fn env_value(text: &str) -> Value {
    if text.trim_start().starts_with('[') {
        let list = toml::from_str::<toml::Table>(&format!("list = {text}"))
            .ok()
            .and_then(|mut table| table.remove("list"))
            .and_then(|list| Value::serialize(list).ok());
        if let Some(list) = list {
            return list;
        }
    }
    Value::from(text.to_owned())
}

/// Sets `keys` (a path of nested tables) to `value`.
fn insert(dict: &mut Dict, keys: &[String], value: Value) {
    match keys {
        [] => {}
        [key] => {
            dict.insert(key.clone(), value);
        }
        [key, rest @ ..] => {
            let entry = dict
                .entry(key.clone())
                .or_insert_with(|| Value::from(Dict::new()));
            if entry.as_dict().is_none() {
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

impl Provider for Environment {
    fn metadata(&self) -> Metadata {
        Metadata::named("AGORA_ environment variables")
    }

    fn data(&self) -> figment::Result<Map<Profile, Dict>> {
        Ok(Profile::Default.collect(self.0.clone()))
    }
}

/// A hint for an unknown variable: the variable of the closest known key.
pub(super) fn variable_hint(dotted_key: &str, known_keys: &[String]) -> String {
    closest(dotted_key, known_keys.iter().map(String::as_str))
        .map(|suggestion| format!(" (did you mean {}?)", env_variable_for(suggestion)))
        .unwrap_or_default()
}
