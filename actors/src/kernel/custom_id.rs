//! The custom_id codec: buttons, selects and modals carry everything they need in their
//! custom_id — `<concern>:<version>:<action>[:<arg>…]`, at most 100 characters — so they
//! keep working after any restart or redeploy.

use std::fmt;

/// Discord's limit on a custom_id.
pub const MAX_LEN: usize = 100;

/// A decoded custom_id, e.g. `shift:1:claim:4711` → concern `shift`, version 1, action
/// `claim`, args `["4711"]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomId {
    pub concern: String,
    pub version: u16,
    pub action: String,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomIdError {
    #[error("the custom_id is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("the custom_id is not `<concern>:<version>:<action>[:<arg>…]`")]
    Malformed,
    #[error("a part of the custom_id contains `:` or is empty")]
    BadPart,
}

impl CustomId {
    pub fn new(concern: &str, version: u16, action: &str) -> Self {
        Self {
            concern: concern.into(),
            version,
            action: action.into(),
            args: Vec::new(),
        }
    }

    /// Adds an argument (anything that displays without a `:`).
    pub fn arg(mut self, arg: impl fmt::Display) -> Self {
        self.args.push(arg.to_string());
        self
    }

    /// The wire form, checked against Discord's limit.
    pub fn encode(&self) -> Result<String, CustomIdError> {
        let parts = std::iter::once(self.concern.as_str())
            .chain(std::iter::once(self.action.as_str()))
            .chain(self.args.iter().map(String::as_str));
        for part in parts {
            if part.is_empty() || part.contains(':') {
                return Err(CustomIdError::BadPart);
            }
        }
        let mut encoded = format!("{}:{}:{}", self.concern, self.version, self.action);
        for arg in &self.args {
            encoded.push(':');
            encoded.push_str(arg);
        }
        if encoded.chars().count() > MAX_LEN {
            return Err(CustomIdError::TooLong);
        }
        Ok(encoded)
    }

    pub fn decode(raw: &str) -> Result<Self, CustomIdError> {
        if raw.chars().count() > MAX_LEN {
            return Err(CustomIdError::TooLong);
        }
        let mut parts = raw.split(':');
        let concern = parts
            .next()
            .filter(|p| !p.is_empty())
            .ok_or(CustomIdError::Malformed)?;
        let version = parts
            .next()
            .and_then(|v| v.parse().ok())
            .ok_or(CustomIdError::Malformed)?;
        let action = parts
            .next()
            .filter(|p| !p.is_empty())
            .ok_or(CustomIdError::Malformed)?;
        let args: Vec<String> = parts.map(str::to_string).collect();
        if args.iter().any(String::is_empty) {
            return Err(CustomIdError::BadPart);
        }
        Ok(Self {
            concern: concern.into(),
            version,
            action: action.into(),
            args,
        })
    }

    /// The nth argument parsed as `T`, if present and well-formed.
    pub fn arg_as<T: std::str::FromStr>(&self, index: usize) -> Option<T> {
        self.args.get(index)?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let id = CustomId::new("shift", 1, "claim").arg(4711).arg("x");
        let encoded = id.encode().unwrap();
        assert_eq!(encoded, "shift:1:claim:4711:x");
        assert_eq!(CustomId::decode(&encoded).unwrap(), id);
        assert_eq!(
            CustomId::decode(&encoded).unwrap().arg_as::<u64>(0),
            Some(4711)
        );
    }

    #[test]
    fn rejects_what_discord_or_the_format_would_not_take() {
        assert_eq!(
            CustomId::new("a", 1, "b").arg("x".repeat(100)).encode(),
            Err(CustomIdError::TooLong)
        );
        assert_eq!(
            CustomId::new("a", 1, "b:c").encode(),
            Err(CustomIdError::BadPart)
        );
        assert_eq!(CustomId::decode("help"), Err(CustomIdError::Malformed));
        assert_eq!(
            CustomId::decode("help:x:page"),
            Err(CustomIdError::Malformed)
        );
        assert_eq!(
            CustomId::decode("help:1:page::2"),
            Err(CustomIdError::BadPart)
        );
        assert_eq!(
            CustomId::decode(&"a".repeat(101)),
            Err(CustomIdError::TooLong)
        );
    }
}
