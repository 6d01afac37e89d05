//! Reading a database URL: which backend it names, where the SQLite file lives, and how
//! to print it without its password.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

/// Where a store's data lives, as read from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DatabaseTarget {
    /// A SQLite database file (`sqlite://PATH`), relative to the working directory
    /// unless absolute.
    SqliteFile(PathBuf),
    /// A SQLite database in memory (`sqlite::memory:`), shared by the connections of one
    /// store and gone when the store closes. `name` is unique within the process.
    SqliteMemory { name: String },
    /// A PostgreSQL server (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DatabaseTarget {
    /// Reads `url`; an unknown scheme is an error that names it.
    pub(crate) fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if url == "sqlite::memory:" || url == "sqlite://:memory:" {
            return Ok(DatabaseTarget::SqliteMemory {
                name: unique_memory_name(),
            });
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(StoreError::InvalidUrl {
                    url: redact_url(url),
                    reason: "a SQLite URL needs a file path, as in `sqlite://data/agora.db`".into(),
                });
            }
            return Ok(DatabaseTarget::SqliteFile(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_owned()));
        }
        let scheme = match url.split_once(':') {
            Some((scheme, _)) if is_scheme(scheme) => scheme.to_owned(),
            _ => return Err(StoreError::InvalidUrl {
                url: redact_url(url),
                reason:
                    "no URL scheme; expected `sqlite://PATH`, `sqlite::memory:` or `postgres://…`"
                        .into(),
            }),
        };
        Err(StoreError::UnsupportedScheme { scheme })
    }
}

/// RFC 3986 scheme syntax: a letter, then letters, digits, `+`, `-` or `.`.
fn is_scheme(candidate: &str) -> bool {
    let mut chars = candidate.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// A process-unique name for one store's in-memory SQLite database.
fn unique_memory_name() -> String {
    static NEXT_MEMORY_DATABASE: AtomicU64 = AtomicU64::new(1);
    let number = NEXT_MEMORY_DATABASE.fetch_add(1, Ordering::Relaxed);
    format!("agora-memory-{}-{number}", std::process::id())
}

/// `url` with any password replaced by `***`, fit for errors and logs: the password of
/// the user-info part (`scheme://user:PASSWORD@host`) and any `password=` query
/// parameter. When in doubt it hides more, never less.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return redact_password_parameters(url);
    };
    let authority_start = scheme_end + 3;
    let after_scheme = &url[authority_start..];
    let mut redacted = String::with_capacity(url.len());
    redacted.push_str(&url[..authority_start]);
    // The last `@` ends the user info even when an unescaped `@`, `/` or `?` sits in the
    // password; should the `@` really belong to the query, we hide too much, not too little.
    let rest = match after_scheme.rfind('@') {
        Some(at) => {
            let user_info = &after_scheme[..at];
            match user_info.find(':') {
                Some(colon) => {
                    redacted.push_str(&user_info[..colon]);
                    redacted.push_str(":***");
                }
                None => redacted.push_str(user_info),
            }
            &after_scheme[at..]
        }
        None => after_scheme,
    };
    redacted.push_str(&redact_password_parameters(rest));
    redacted
}

/// Replaces the value of every `password=` parameter (query string or key=value list).
fn redact_password_parameters(text: &str) -> String {
    const KEY: &str = "password=";
    let mut redacted = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(position) = find_ignore_ascii_case(rest, KEY) {
        let starts_parameter = position == 0
            || matches!(
                rest.as_bytes()[position - 1],
                b'?' | b'&' | b' ' | b'\t' | b';'
            );
        let value_start = position + KEY.len();
        redacted.push_str(&rest[..value_start]);
        rest = &rest[value_start..];
        if starts_parameter {
            let value_end = rest.find(['&', ' ', '\t', '#', ';']).unwrap_or(rest.len());
            redacted.push_str("***");
            rest = &rest[value_end..];
        }
    }
    redacted.push_str(rest);
    redacted
}

fn find_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_user_info_passwords() {
        assert_eq!(
            redact_url("postgres://agora:s3cret@db:5432/agora"),
            "postgres://agora:***@db:5432/agora"
        );
        assert_eq!(
            redact_url("postgres://agora@db/agora"),
            "postgres://agora@db/agora"
        );
        assert_eq!(redact_url("postgres://db/agora"), "postgres://db/agora");
        assert_eq!(
            redact_url("postgres://u:p@ss/w?rd@db/x"),
            "postgres://u:***@db/x"
        );
        assert_eq!(
            redact_url("sqlite://data/agora.db"),
            "sqlite://data/agora.db"
        );
    }

    #[test]
    fn redaction_hides_password_parameters() {
        assert_eq!(
            redact_url("postgres://db/agora?user=a&password=s3cret&sslmode=disable"),
            "postgres://db/agora?user=a&password=***&sslmode=disable"
        );
        assert_eq!(
            redact_url("postgres://db/agora?PASSWORD=s3cret"),
            "postgres://db/agora?PASSWORD=***"
        );
        assert_eq!(
            redact_url("host=db password=s3cret user=a"),
            "host=db password=*** user=a"
        );
        assert_eq!(
            redact_url("postgres://db/x?oldpassword=keep"),
            "postgres://db/x?oldpassword=keep"
        );
    }

    #[test]
    fn schemes_are_read() {
        assert_eq!(
            DatabaseTarget::parse("sqlite://data/agora.db").unwrap(),
            DatabaseTarget::SqliteFile(PathBuf::from("data/agora.db"))
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite:///var/lib/agora.db").unwrap(),
            DatabaseTarget::SqliteFile(PathBuf::from("/var/lib/agora.db"))
        );
        assert!(matches!(
            DatabaseTarget::parse("sqlite::memory:").unwrap(),
            DatabaseTarget::SqliteMemory { .. }
        ));
        assert!(matches!(
            DatabaseTarget::parse("postgresql://db/x").unwrap(),
            DatabaseTarget::Postgres(_)
        ));
        match DatabaseTarget::parse("mysql://u:pw@db/x") {
            Err(StoreError::UnsupportedScheme { scheme }) => assert_eq!(scheme, "mysql"),
            other => panic!("expected an unsupported scheme, got {other:?}"),
        }
        assert!(matches!(
            DatabaseTarget::parse("agora.db"),
            Err(StoreError::InvalidUrl { .. })
        ));
        assert!(matches!(
            DatabaseTarget::parse("sqlite://"),
            Err(StoreError::InvalidUrl { .. })
        ));
    }
}
