//! Everything wrong with a configuration, in plain words, all at once: unknown keys and
//! variables with a "did you mean", and values serde cannot read ("must be a whole number,
//! got \"lots\""), each saying where it was written. Secrets are never quoted.

use std::fmt;

use figment::error::{Actual, Kind};
use figment::providers::Serialized;
use figment::value::{Dict, Num, Value};
use figment::Figment;
use serde::de::DeserializeOwned;

use super::secret::{is_secret_key, url_without_password};
use super::sources::{variable_hint, Origin, Origins};

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

/// The candidate closest to `written`, when one is close enough to be a likely typo.
pub(super) fn closest<'c>(
    written: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(written, candidate), candidate))
        .filter(|(similarity, _)| *similarity >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// Every `table.key` leaf of a tree of known keys (an open table, such as a per-concern map,
/// counts as one key).
pub(super) fn dotted_keys(known: &Dict) -> Vec<String> {
    let mut keys = Vec::new();
    collect_keys(known, "", &mut keys);
    keys
}

fn collect_keys(known: &Dict, prefix: &str, keys: &mut Vec<String>) {
    for (key, value) in known {
        let dotted = format!("{prefix}{key}");
        match value.as_dict() {
            Some(inner) if !inner.is_empty() => collect_keys(inner, &format!("{dotted}."), keys),
            _ => keys.push(dotted),
        }
    }
}

/// Removes from `data` every key `known` does not have, reporting each with a suggestion.
/// A table that is empty in `known` is open: any key may go in it.
pub(super) fn remove_unknown_keys(
    data: &mut Dict,
    known: &Dict,
    origins: &Origins,
    problems: &mut Vec<ConfigProblem>,
) {
    let all_keys = dotted_keys(known);
    let mut found = Vec::new();
    walk_unknown(data, known, "", &mut found);
    let mut located: Vec<(Option<usize>, ConfigProblem)> = found
        .into_iter()
        .flat_map(|(path, value)| describe_unknown(&path, &value, known, &all_keys, origins))
        .collect();
    // File problems in line order, then the variables (already in name order).
    located.sort_by_key(|(line, _)| line.unwrap_or(usize::MAX));
    problems.extend(located.into_iter().map(|(_, problem)| problem));
}

/// Takes the unknown entries out of `data`, with their dotted paths.
fn walk_unknown(data: &mut Dict, known: &Dict, prefix: &str, found: &mut Vec<(String, Value)>) {
    let keys: Vec<String> = data.keys().cloned().collect();
    for key in keys {
        let dotted = format!("{prefix}{key}");
        match known.get(&key) {
            None => {
                if let Some(value) = data.remove(&key) {
                    found.push((dotted, value));
                }
            }
            Some(Value::Dict(_, known_inner)) if !known_inner.is_empty() => {
                if let Some(Value::Dict(_, inner)) = data.get_mut(&key) {
                    walk_unknown(inner, known_inner, &format!("{dotted}."), found);
                }
            }
            Some(_) => {}
        }
    }
}

/// The problems for one unknown entry: the file's key or table, and each variable under it.
fn describe_unknown(
    path: &str,
    value: &Value,
    known: &Dict,
    all_keys: &[String],
    origins: &Origins,
) -> Vec<(Option<usize>, ConfigProblem)> {
    let mut problems = Vec::new();
    let mut leaves = Vec::new();
    collect_leaves(value, path, &mut leaves);
    for leaf in &leaves {
        if let Some(Origin::Env { variable }) = origins.of(leaf) {
            let message = format!(
                "unknown variable {variable}: there is no key `{leaf}`{}",
                variable_hint(leaf, all_keys)
            );
            let key = variable.clone();
            problems.push((None, ConfigProblem { key, message }));
        }
    }
    if let Some(Origin::File { name, line }) = origins.of(path) {
        let (parent, key) = match path.rsplit_once('.') {
            Some((parent, key)) => (Some(parent), key),
            None => (None, path),
        };
        let message = match parent {
            None if value.as_dict().is_some() => {
                let hint = closest(key, known.keys().map(String::as_str))
                    .map(|table| format!(" (did you mean `[{table}]`?)"))
                    .unwrap_or_default();
                format!("unknown table `[{key}]` in {name} line {line}{hint}")
            }
            None => format!(
                "unknown key `{key}` in {name} line {line}: every key belongs in a table{}",
                same_name_elsewhere(key, all_keys)
            ),
            Some(parent) => {
                let siblings = all_keys
                    .iter()
                    .filter_map(|known| known.strip_prefix(&format!("{parent}.")));
                let hint = closest(key, siblings)
                    .map(|sibling| format!(" (did you mean `{sibling}`?)"))
                    .unwrap_or_else(|| same_name_elsewhere(key, all_keys));
                format!("unknown key `{path}` in {name} line {line}{hint}")
            }
        };
        let problem = ConfigProblem {
            key: path.to_owned(),
            message,
        };
        problems.push((Some(*line), problem));
    }
    problems
}

/// " (did you mean `ops.listen`?)" when a known key has this name in another table.
fn same_name_elsewhere(key: &str, all_keys: &[String]) -> String {
    all_keys
        .iter()
        .find(|known| known.rsplit('.').next() == Some(key))
        .map(|known| format!(" (did you mean `{known}`?)"))
        .unwrap_or_default()
}

fn collect_leaves(value: &Value, path: &str, leaves: &mut Vec<String>) {
    match value.as_dict() {
        Some(inner) => {
            for (key, value) in inner {
                collect_leaves(value, &format!("{path}.{key}"), leaves);
            }
        }
        None => leaves.push(path.to_owned()),
    }
}

/// Deserializes `data` (the keys under `prefix`) as `T`, reporting every value that does not
/// fit. serde stops at the first; each bad value is reported, taken out (so its key keeps
/// its default) and the rest read again, until all that is left reads.
pub(super) fn extract_reporting<T: DeserializeOwned + Default>(
    data: Dict,
    prefix: &str,
    origins: &Origins,
    problems: &mut Vec<ConfigProblem>,
) -> T {
    report_until_clean(data, prefix, origins, problems, |figment| {
        figment.extract_lossy::<T>().map_err(Box::new)
    })
    .unwrap_or_default()
}

/// [`extract_reporting`] for a type known only by its check (a feature's declared
/// section, `ConfigSection::extract`): every problem reported, nothing kept.
pub(super) fn check_reporting(
    data: Dict,
    prefix: &str,
    origins: &Origins,
    problems: &mut Vec<ConfigProblem>,
    extract: fn(&Figment) -> Result<(), Box<figment::Error>>,
) {
    report_until_clean(data, prefix, origins, problems, extract);
}

/// Reads `data` with `extract`, reporting each value it refuses and taking that value out,
/// until what is left reads cleanly (`Some`) or nothing more can be taken out (`None`).
fn report_until_clean<R>(
    mut data: Dict,
    prefix: &str,
    origins: &Origins,
    problems: &mut Vec<ConfigProblem>,
    extract: impl Fn(&Figment) -> Result<R, Box<figment::Error>>,
) -> Option<R> {
    // Each round takes out at least one value, so this bounds the rounds by the values given.
    let rounds = count_values(&data) + 1;
    for _ in 0..rounds {
        let errors = match extract(&Figment::from(Serialized::defaults(&data))) {
            Ok(value) => return Some(value),
            Err(errors) => *errors,
        };
        let mut removed_any = false;
        for error in errors {
            let key = prefix_key(prefix, &error.path.join("."));
            let written = find(&data, &error.path);
            problems.push(origins.problem(&key, describe_kind(&key, &error.kind, written)));
            removed_any |= remove(&mut data, &error.path);
        }
        if !removed_any {
            break;
        }
    }
    None
}

fn prefix_key(prefix: &str, key: &str) -> String {
    match (prefix.is_empty(), key.is_empty()) {
        (true, _) => key.to_owned(),
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}.{key}"),
    }
}

fn count_values(data: &Dict) -> usize {
    data.values()
        .map(|value| value.as_dict().map_or(1, |inner| 1 + count_values(inner)))
        .sum()
}

fn find<'d>(data: &'d Dict, path: &[String]) -> Option<&'d Value> {
    let (first, rest) = path.split_first()?;
    let value = data.get(first)?;
    if rest.is_empty() {
        return Some(value);
    }
    find(value.as_dict()?, rest)
}

fn remove(data: &mut Dict, path: &[String]) -> bool {
    match path {
        [] => false,
        [key] => data.remove(key).is_some(),
        [key, rest @ ..] => match data.get_mut(key) {
            Some(Value::Dict(_, inner)) => remove(inner, rest),
            _ => false,
        },
    }
}

/// "`runtime.mailbox_capacity` must be a whole number, got \"lots\"".
fn describe_kind(key: &str, kind: &Kind, written: Option<&Value>) -> String {
    let got = match written {
        Some(_) if is_secret_key(key) => String::new(),
        Some(value) => format!(", got {}", Shown(value)),
        None => String::new(),
    };
    let what = match kind {
        Kind::InvalidType(_, expected) => format!("must be {}{got}", in_words(expected)),
        Kind::InvalidValue(Actual::Signed(_), _) => {
            format!("must be a whole number, 0 or more{got}")
        }
        Kind::InvalidValue(_, expected) => format!("is too large for {expected}{got}"),
        Kind::UnknownVariant(_, options) => format!("must be one of {}{got}", options.join(", ")),
        // The list readers name the items that are wrong themselves.
        Kind::Message(message) if message.contains(", got ") => message.clone(),
        Kind::Message(message) => format!("{message}{got}"),
        other => format!("is not valid: {other}{got}"),
    };
    format!("`{key}` {what}")
}

/// serde's name for the expected type, as an operator says it.
fn in_words(expected: &str) -> String {
    let whole_numbers = [
        "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
    ];
    if whole_numbers.contains(&expected) {
        "a whole number".to_owned()
    } else if expected == "f32" || expected == "f64" {
        "a number".to_owned()
    } else if expected == "a boolean" {
        "true or false".to_owned()
    } else if expected == "a string" {
        "text in quotes".to_owned()
    } else if expected == "a sequence" {
        "a list".to_owned()
    } else if expected == "a map" || expected.starts_with("struct ") {
        "a table".to_owned()
    } else {
        expected.to_owned()
    }
}

/// A written value as a problem quotes it: a URL's password as `***`, a table as "a table".
struct Shown<'v>(&'v Value);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Value::String(_, text) => write!(formatter, "{:?}", url_without_password(text)),
            Value::Char(_, character) => write!(formatter, "{:?}", character.to_string()),
            Value::Bool(_, boolean) => write!(formatter, "{boolean}"),
            Value::Num(_, number) => write_number(formatter, *number),
            Value::Empty(_, _) => formatter.write_str("nothing"),
            Value::Dict(_, _) => formatter.write_str("a table"),
            Value::Array(_, _) => formatter.write_str("a list"),
        }
    }
}

fn write_number(formatter: &mut fmt::Formatter<'_>, number: Num) -> fmt::Result {
    if let Some(whole) = number.to_i128() {
        write!(formatter, "{whole}")
    } else if let Some(whole) = number.to_u128() {
        write!(formatter, "{whole}")
    } else if let Some(float) = number.to_f64() {
        write!(formatter, "{float}")
    } else {
        formatter.write_str("a number")
    }
}
