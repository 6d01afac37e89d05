//! A `TIMESTAMP` column read quickly: [`StoredTime`] parses SQLite's stored text in one
//! pass over its digits instead of diesel's loop over 18 strftime patterns.
//!
//! diesel writes a `NaiveDateTime` to SQLite as `YYYY-MM-DD HH:MM:SS[.ffffff]` and reads
//! it back by trying `NaiveDateTime::parse_from_str` with each pattern it accepts, which
//! interprets the pattern string on every value. Where a query reads hundreds of rows
//! (`/shift upcoming` reads every shift of the coming week) that parsing was the largest
//! piece of the bot's own work in a profile. A row type takes `StoredTime` (or
//! `Option<StoredTime>`) for its timestamp fields and converts with [`StoredTime::utc`];
//! any text this parser does not recognise (a `T` separator written by hand, an offset,
//! a Julian day number) goes to diesel's parser, so it reads everything diesel reads. On
//! PostgreSQL the value is binary and diesel's own conversion is used as is.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::pg::{Pg, PgValue};
use diesel::sql_types::Timestamp;
use diesel::sqlite::{Sqlite, SqliteValue};

/// A stored UTC time as a row reads it (see the module's note).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, FromSqlRow)]
pub struct StoredTime(pub NaiveDateTime);

impl StoredTime {
    /// The time, in UTC (the store keeps every time in UTC).
    pub fn utc(self) -> DateTime<Utc> {
        self.0.and_utc()
    }
}

impl From<StoredTime> for NaiveDateTime {
    fn from(stored: StoredTime) -> Self {
        stored.0
    }
}

impl FromSql<Timestamp, Sqlite> for StoredTime {
    fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        if value.value_type() == Some(diesel::sqlite::SqliteType::Text) {
            if let Some(parsed) = parse_stored_text(value.read_text().as_bytes()) {
                return Ok(StoredTime(parsed));
            }
        }
        <NaiveDateTime as FromSql<Timestamp, Sqlite>>::from_sql(value).map(StoredTime)
    }
}

impl FromSql<Timestamp, Pg> for StoredTime {
    fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
        <NaiveDateTime as FromSql<Timestamp, Pg>>::from_sql(value).map(StoredTime)
    }
}

/// `YYYY-MM-DD HH:MM:SS` with an optional fraction of 1–9 digits — what diesel writes —
/// or `None` for anything else (left to diesel's parser).
fn parse_stored_text(text: &[u8]) -> Option<NaiveDateTime> {
    if text.len() < 19
        || text[4] != b'-'
        || text[7] != b'-'
        || text[10] != b' '
        || text[13] != b':'
        || text[16] != b':'
    {
        return None;
    }
    let year = digits(&text[0..4])?;
    let month = digits(&text[5..7])?;
    let day = digits(&text[8..10])?;
    let hour = digits(&text[11..13])?;
    let minute = digits(&text[14..16])?;
    let second = digits(&text[17..19])?;
    let nanos = match &text[19..] {
        [] => 0,
        [b'.', fraction @ ..] if (1..=9).contains(&fraction.len()) => {
            digits(fraction)? * 10u32.pow(9 - fraction.len() as u32)
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some(date.and_time(time))
}

/// The number ASCII digits spell, or `None` if any byte is not a digit.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |number, byte| {
        byte.is_ascii_digit()
            .then(|| number * 10 + u32::from(byte - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel::sql_types::{Nullable, Text};

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn parses_what_diesel_writes() {
        assert_eq!(
            parse_stored_text(b"2026-12-05 01:30:44"),
            Some(at("2026-12-05 01:30:44"))
        );
        assert_eq!(
            parse_stored_text(b"2026-12-05 01:30:44.123456"),
            Some(at("2026-12-05 01:30:44.123456"))
        );
        assert_eq!(
            parse_stored_text(b"2024-02-29 23:59:59.5"),
            Some(at("2024-02-29 23:59:59.500"))
        );
        assert_eq!(
            parse_stored_text(b"2026-12-05 01:30:44.123456789"),
            Some(at("2026-12-05 01:30:44.123456789"))
        );
    }

    #[test]
    fn leaves_everything_else_to_diesel() {
        for text in [
            "2026-12-05T01:30:44",
            "2026-12-05 01:30",
            "2026-12-05 01:30:44Z",
            "2026-12-05 01:30:44+01:00",
            "2026-12-05 01:30:44.",
            "2026-12-05 01:30:44.1234567890",
            "2026-02-30 01:30:44",
            "2026-12-05 24:00:00",
            "2026-1a-05 01:30:44",
            "2461014.5",
        ] {
            assert_eq!(parse_stored_text(text.as_bytes()), None, "{text}");
        }
    }

    /// Every text SQLite may hold reads as diesel's own parser reads it, through a real
    /// connection (the fast path and the fallback alike), and NULL stays NULL.
    #[test]
    fn reads_as_diesel_reads_through_sqlite() {
        let mut connection = SqliteConnection::establish(":memory:").unwrap();
        connection
            .batch_execute("CREATE TABLE t (id INTEGER PRIMARY KEY, at TIMESTAMP)")
            .unwrap();
        let stored = [
            "2026-12-05 01:30:44",
            "2026-12-05 01:30:44.123456",
            "2026-12-05T01:30:44.25",
            "2026-12-05 01:30",
            "2026-12-05 01:30:44Z",
            "2461014.5",
        ];
        for text in stored {
            diesel::sql_query("INSERT INTO t (at) VALUES (?)")
                .bind::<Text, _>(text)
                .execute(&mut connection)
                .unwrap();
        }
        diesel::sql_query("INSERT INTO t (at) VALUES (NULL)")
            .execute(&mut connection)
            .unwrap();
        diesel::table! { t (id) { id -> Integer, at -> Nullable<Timestamp>, } }
        let ours: Vec<Option<StoredTime>> = t::table
            .order(t::id)
            .select(t::at)
            .load(&mut connection)
            .unwrap();
        let diesels: Vec<Option<NaiveDateTime>> = t::table
            .order(t::id)
            .select(t::at)
            .load(&mut connection)
            .unwrap();
        assert_eq!(ours.len(), stored.len() + 1);
        assert_eq!(
            ours.into_iter().map(|o| o.map(|s| s.0)).collect::<Vec<_>>(),
            diesels
        );
        let bad = diesel::select(diesel::dsl::sql::<Nullable<Timestamp>>("'not a time'"))
            .get_result::<Option<StoredTime>>(&mut connection);
        assert!(
            bad.is_err(),
            "a text that is no time is an error, as diesel's"
        );
    }
}
