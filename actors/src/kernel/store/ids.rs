//! Discord ids at the store boundary: typed `Id<…>` at the API, `BIGINT` in the columns.
//!
//! A snowflake is a `u64`; the columns are signed 64-bit on both backends. The store
//! keeps the same 64 bits (`u64` → `i64` → `u64` is the identity), so every id Discord
//! can send round-trips exactly. This is the only place the two meet: callers never cast.
//! A feature with tables of its own converts its ids here too (see `tests/kudos`).

use twilight_model::id::Id;

use super::StoreError;

/// The column value of `id`.
pub fn column<T>(id: Id<T>) -> i64 {
    i64::from_ne_bytes(id.get().to_ne_bytes())
}

/// The column value of an optional id.
pub fn nullable<T>(id: Option<Id<T>>) -> Option<i64> {
    id.map(column)
}

/// The id a column holds; a zero (never written by this store) is reported as invalid
/// data rather than trusted.
pub fn id<T>(what: &'static str, stored: i64) -> Result<Id<T>, StoreError> {
    Id::new_checked(u64::from_ne_bytes(stored.to_ne_bytes())).ok_or(StoreError::InvalidData {
        what,
        detail: "a Discord id of 0".to_owned(),
    })
}

/// The optional id a nullable column holds.
pub fn optional_id<T>(
    what: &'static str,
    stored: Option<i64>,
) -> Result<Option<Id<T>>, StoreError> {
    stored.map(|stored| id(what, stored)).transpose()
}

#[cfg(test)]
mod tests {
    use twilight_model::id::marker::GuildMarker;

    use super::*;

    #[test]
    fn every_snowflake_round_trips() {
        for raw in [
            1,
            81_384_788_765_712_384,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u64::MAX,
        ] {
            let guild: Id<GuildMarker> = Id::new(raw);
            assert_eq!(id::<GuildMarker>("test", column(guild)).unwrap(), guild);
        }
    }

    #[test]
    fn a_zero_is_invalid_data_not_a_panic() {
        let error = id::<GuildMarker>("shifts.guild_id", 0).unwrap_err();
        assert!(error.to_string().contains("shifts.guild_id"), "{error}");
    }
}
