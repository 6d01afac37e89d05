//! The custom_id codec: buttons, selects and modals carry everything they need in their
//! custom_id — `<concern>:<version>:<action>[:<arg>…]`, at most 100 characters — so they
//! keep working after any restart or redeploy.
//!
//! A component only the person who asked for it may use (a menu, pagination, a confirm
//! button on a public message) carries that person as a marked first argument,
//! `@<user id>` ([`CustomId::for_requester`]); the dispatcher answers anyone else that
//! it is someone else's, and hands the owner the id without the mark. Components meant
//! for everyone (a claim button on a shift post, a ticket panel) carry no mark.

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
    /// The only person who may use it (see the module documentation).
    pub requester: Option<u64>,
}

/// What marks the requester's argument.
const REQUESTER_MARK: char = '@';

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
            requester: None,
        }
    }

    /// Makes the component usable by `user` only.
    pub fn for_requester(mut self, user: impl Into<u64>) -> Self {
        self.requester = Some(user.into());
        self
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
        if let Some(requester) = self.requester {
            encoded.push(':');
            encoded.push(REQUESTER_MARK);
            encoded.push_str(&requester.to_string());
        }
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
        let mut args: Vec<String> = parts.map(str::to_string).collect();
        if args.iter().any(String::is_empty) {
            return Err(CustomIdError::BadPart);
        }
        let requester = match args
            .first()
            .and_then(|arg| arg.strip_prefix(REQUESTER_MARK))
        {
            Some(user) => {
                let user = user.parse().map_err(|_| CustomIdError::BadPart)?;
                args.remove(0);
                Some(user)
            }
            None => None,
        };
        Ok(Self {
            concern: concern.into(),
            version,
            action: action.into(),
            args,
            requester,
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
    fn the_requester_rides_first_and_is_not_an_argument() {
        let id = CustomId::new("core", 1, "help-page")
            .for_requester(42u64)
            .arg("general")
            .arg(2);
        let encoded = id.encode().unwrap();
        assert_eq!(encoded, "core:1:help-page:@42:general:2");
        let decoded = CustomId::decode(&encoded).unwrap();
        assert_eq!(decoded.requester, Some(42));
        assert_eq!(decoded.args, vec!["general", "2"]);
        assert_eq!(decoded.arg_as::<u64>(1), Some(2));
        assert_eq!(CustomId::decode("core:1:help").unwrap().requester, None);
        assert_eq!(
            CustomId::decode("core:1:help:@x"),
            Err(CustomIdError::BadPart)
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
