//! Values that must never be printed: [`Secret`] (tokens, passwords, API keys) and
//! [`ConnectionUrl`] (database and Redis URLs, which may hold a password).

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

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

/// From text, so a feature's own section can hold a secret too.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret)
    }
}

impl FromStr for Secret {
    type Err = Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(text))
    }
}

/// A database or Redis URL, which may hold a password: `Debug`, `Display` and serde show it
/// with the password as `***`; [`ConnectionUrl::expose`] gives it as written.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionUrl(String);

impl ConnectionUrl {
    pub fn new(written: impl Into<String>) -> Self {
        Self(written.into())
    }

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

impl<'de> Deserialize<'de> for ConnectionUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|written| Self(written.trim().to_owned()))
    }
}

/// `written` with its password, if any, shown as `***`; text that is no URL comes back as is.
pub(super) fn url_without_password(written: &str) -> String {
    match Url::parse(written) {
        Ok(mut url) if url.password().is_some() => match url.set_password(Some("***")) {
            Ok(()) => url.to_string(),
            Err(()) => "***".to_owned(),
        },
        _ => written.to_owned(),
    }
}

/// Whether a key holds a secret by its name, so its value is never quoted in a problem: the
/// built-in secrets, and any key a feature names the same way.
pub(super) fn is_secret_key(dotted_key: &str) -> bool {
    let name = dotted_key.rsplit('.').next().unwrap_or(dotted_key);
    ["token", "password", "api_key", "secret"]
        .iter()
        .any(|secret| name == *secret || name.ends_with(&format!("_{secret}")))
}
