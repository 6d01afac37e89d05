//! How a written value becomes a typed one, for the keys serde cannot read on its own: text
//! values such as URLs and `guild:<id>` ([`TextValue`]), "" as "not set" ([`optional`]), and
//! lists that the environment may write with commas ([`discord_ids`], [`feature_names`]).
//!
//! A parse error is a phrase such as "must be a Discord id (…)"; the problem that reports it
//! adds the key, the value given (never a secret's) and where it was set.

use std::fmt;
use std::marker::PhantomData;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use url::Url;

use super::{ConnectionUrl, LogFormat, LogRotation, RegisterCommands, Secret, ShardTotal};

/// A value written as text (a number is taken as its digits): parsed from it, shown as it.
pub(super) trait TextValue: Sized {
    /// The value, or what it must be ("must be …").
    fn parse(text: &str) -> Result<Self, String>;
    fn show(&self) -> String;
}

impl TextValue for Secret {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(Secret::new(text))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl TextValue for ConnectionUrl {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(ConnectionUrl::new(text.trim()))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl TextValue for PathBuf {
    fn parse(text: &str) -> Result<Self, String> {
        Ok(PathBuf::from(text))
    }
    fn show(&self) -> String {
        self.display().to_string()
    }
}

impl TextValue for Url {
    fn parse(text: &str) -> Result<Self, String> {
        Url::parse(text.trim()).map_err(|error| format!("is not a valid URL ({error})"))
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

/// A count or an index: a whole number from 0, written with or without quotes.
impl TextValue for u32 {
    fn parse(text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| "must be a whole number from 0 to 4294967295".into())
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl TextValue for ShardTotal {
    fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("auto") {
            return Ok(ShardTotal::Auto);
        }
        match text.parse::<u32>() {
            Ok(0) => Ok(ShardTotal::SameAsCount),
            Ok(total) => Ok(ShardTotal::Fixed(total)),
            Err(_) => Err("must be a number of shards, 0 (the same as `discord.shard_count`) or \"auto\" (what Discord recommends)".into()),
        }
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

/// A Discord id (a snowflake): a positive whole number, written with or without quotes.
impl TextValue for u64 {
    fn parse(text: &str) -> Result<Self, String> {
        parse_discord_id(text.trim())
            .ok_or_else(|| "must be a Discord id (digits such as \"123456789012345678\")".into())
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl TextValue for SocketAddr {
    fn parse(text: &str) -> Result<Self, String> {
        text.trim().parse().map_err(|_| {
            "must be an IP address and port such as 127.0.0.1:9090 or [::]:9090".to_owned()
        })
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl TextValue for RegisterCommands {
    fn parse(text: &str) -> Result<Self, String> {
        let wanted = text.trim().to_ascii_lowercase();
        match wanted.as_str() {
            "off" => Some(RegisterCommands::Off),
            "global" => Some(RegisterCommands::Global),
            _ => wanted
                .strip_prefix("guild:")
                .and_then(|guild_id| parse_discord_id(guild_id.trim()))
                .map(RegisterCommands::Guild),
        }
        .ok_or_else(|| "must be off, global or guild:<numeric guild id>".to_owned())
    }
    fn show(&self) -> String {
        self.to_string()
    }
}

impl TextValue for LogFormat {
    fn parse(text: &str) -> Result<Self, String> {
        choose(text, &[("pretty", Self::Pretty), ("json", Self::Json)])
    }
    fn show(&self) -> String {
        format!("{self:?}").to_ascii_lowercase()
    }
}

impl TextValue for LogRotation {
    fn parse(text: &str) -> Result<Self, String> {
        let options = [
            ("hourly", Self::Hourly),
            ("daily", Self::Daily),
            ("never", Self::Never),
        ];
        choose(text, &options)
    }
    fn show(&self) -> String {
        format!("{self:?}").to_ascii_lowercase()
    }
}

/// One of `options` by name, in any case.
fn choose<T: Copy>(text: &str, options: &[(&str, T)]) -> Result<T, String> {
    let wanted = text.trim().to_ascii_lowercase();
    match options.iter().find(|(name, _)| *name == wanted) {
        Some((_, value)) => Ok(*value),
        None => {
            let names: Vec<&str> = options.iter().map(|(name, _)| *name).collect();
            Err(format!("must be one of {}", names.join(", ")))
        }
    }
}

/// Discord ids are positive integers (snowflakes).
pub(super) fn parse_discord_id(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse::<u64>().ok().filter(|id| *id > 0)
}

/// The text of a value written as text or as a whole number.
struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<String, E> {
        Ok(text.to_owned())
    }
    fn visit_u64<E: de::Error>(self, number: u64) -> Result<String, E> {
        Ok(number.to_string())
    }
    fn visit_i64<E: de::Error>(self, number: i64) -> Result<String, E> {
        Ok(number.to_string())
    }
}

/// A [`TextValue`] key: `#[serde(with = "values::text")]`.
pub(super) mod text {
    use super::*;

    pub fn serialize<T: TextValue, S: Serializer>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.show())
    }

    pub fn deserialize<'de, T: TextValue, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let text = deserializer.deserialize_any(TextVisitor)?;
        T::parse(&text).map_err(de::Error::custom)
    }
}

/// An optional [`TextValue`] key where "" means not set (TOML has no null, and an empty
/// variable unsets a file value): `#[serde(with = "values::optional")]`.
pub(super) mod optional {
    use super::*;

    pub fn serialize<T: TextValue, S: Serializer>(
        value: &Option<T>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&value.as_ref().map(T::show).unwrap_or_default())
    }

    pub fn deserialize<'de, T: TextValue, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<T>, D::Error> {
        let text = deserializer.deserialize_any(TextVisitor)?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        T::parse(&text).map(Some).map_err(de::Error::custom)
    }
}

/// Items of a list written as a TOML list, or (from the environment) as `a,b`.
struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: TextValue> Visitor<'de> for ListVisitor<T> {
    /// The items that parsed, and the others as written.
    type Value = (Vec<T>, Vec<String>);

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a sequence")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        Ok(sort_items(
            text.split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned),
        ))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Self::Value, A::Error> {
        let mut written = Vec::new();
        while let Some(item) = items.next_element::<ItemText>()? {
            written.push(item.0);
        }
        Ok(sort_items(written))
    }
}

fn sort_items<T: TextValue>(written: impl IntoIterator<Item = String>) -> (Vec<T>, Vec<String>) {
    let mut parsed = Vec::new();
    let mut not_parsed = Vec::new();
    for item in written {
        match T::parse(item.trim()) {
            Ok(value) => parsed.push(value),
            Err(_) => not_parsed.push(format!("{item:?}")),
        }
    }
    (parsed, not_parsed)
}

/// One list item as text: a string or a number; anything else is shown as what it is.
struct ItemText(String);

impl<'de> de::Deserialize<'de> for ItemText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor).map(ItemText)
    }
}

/// `discord.owners`: Discord ids, as strings or numbers; every item that is not one is named.
pub(super) mod discord_ids {
    use super::*;

    pub fn serialize<S: Serializer>(ids: &[u64], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(ids.iter().map(u64::to_string))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
        let (ids, not_ids) = deserializer.deserialize_any(ListVisitor::<u64>(PhantomData))?;
        if not_ids.is_empty() {
            return Ok(ids);
        }
        Err(de::Error::custom(format!(
            "must list Discord ids (digits such as \"123456789012345678\"), got {}",
            not_ids.join(", ")
        )))
    }
}

/// A feature name: a word in lower case, digits, `-` or `_`.
struct FeatureName(String);

impl TextValue for FeatureName {
    fn parse(text: &str) -> Result<Self, String> {
        let valid = !text.is_empty()
            && text.bytes().all(|byte| {
                byte.is_ascii_lowercase() || byte.is_ascii_digit() || b"-_".contains(&byte)
            });
        valid
            .then(|| FeatureName(text.to_owned()))
            .ok_or_else(|| "must be a feature name".to_owned())
    }
    fn show(&self) -> String {
        self.0.clone()
    }
}

/// `features.enabled`: "all" (written as `None`), or a list of names such as
/// `["core", "shifts"]` (`core,shifts` from the environment).
pub(super) mod feature_names {
    use super::*;

    /// What `None` is written as.
    pub const ALL: &str = "all";

    pub fn serialize<S: Serializer>(
        names: &Option<Vec<String>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match names {
            None => serializer.serialize_str(ALL),
            Some(names) => serializer.collect_seq(names),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Vec<String>>, D::Error> {
        struct AllOrList;
        impl<'de> Visitor<'de> for AllOrList {
            type Value = Option<(Vec<FeatureName>, Vec<String>)>;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("\"all\" or a list of feature names")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
                if text.trim().eq_ignore_ascii_case(ALL) {
                    return Ok(None);
                }
                ListVisitor(PhantomData).visit_str(text).map(Some)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, items: A) -> Result<Self::Value, A::Error> {
                ListVisitor(PhantomData).visit_seq(items).map(Some)
            }
        }
        match deserializer.deserialize_any(AllOrList)? {
            None => Ok(None),
            Some((names, not_names)) if not_names.is_empty() => {
                Ok(Some(names.into_iter().map(|name| name.0).collect()))
            }
            Some((_, not_names)) => Err(de::Error::custom(format!(
                "must be \"all\" or list feature names (lower case, such as \"shifts\"), got {}",
                not_names.join(", ")
            ))),
        }
    }
}
