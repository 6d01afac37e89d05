//! Feature settings: what each feature lets a guild configure, one JSON value per
//! (guild, feature, key), so a new feature needs no new table for its knobs.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::Value;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::ids::column;
use super::schema::feature_settings;
use super::{with_connection, Store, StoreError};

/// A `feature_settings` row as written.
#[derive(Debug, Insertable)]
#[diesel(table_name = feature_settings)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct NewFeatureSetting<'a> {
    guild_id: i64,
    feature: &'a str,
    key: &'a str,
    value: String,
    updated_at: NaiveDateTime,
}

fn decode_value(
    guild_id: Id<GuildMarker>,
    feature: &str,
    key: &str,
    stored: &str,
) -> Result<Value, StoreError> {
    serde_json::from_str(stored).map_err(|error| StoreError::InvalidData {
        what: "feature_settings.value",
        detail: format!("guild {guild_id}, {feature}.{key}: {error}"),
    })
}

impl Store {
    /// The value of `feature`'s setting `key` in `guild_id`, or `None` if never set.
    pub async fn feature_setting(
        &self,
        guild_id: Id<GuildMarker>,
        feature: &str,
        key: &str,
    ) -> Result<Option<Value>, StoreError> {
        let stored = with_connection!(self, connection => {
            feature_settings::table
                .find((column(guild_id), feature, key))
                .select(feature_settings::value)
                .first::<String>(connection)
                .await
                .optional()
        })?;
        stored
            .map(|stored| decode_value(guild_id, feature, key, &stored))
            .transpose()
    }

    /// Sets `feature`'s setting `key` in `guild_id` to `value`, replacing any before.
    pub async fn set_feature_setting(
        &self,
        guild_id: Id<GuildMarker>,
        feature: &str,
        key: &str,
        value: &Value,
    ) -> Result<(), StoreError> {
        let row = NewFeatureSetting {
            guild_id: column(guild_id),
            feature,
            key,
            value: value.to_string(),
            updated_at: self.now(),
        };
        with_connection!(self, connection => {
            diesel::insert_into(feature_settings::table)
                .values(&row)
                .on_conflict((feature_settings::guild_id, feature_settings::feature, feature_settings::key))
                .do_update()
                .set((feature_settings::value.eq(&row.value), feature_settings::updated_at.eq(row.updated_at)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Every setting of `feature` in `guild_id`, as (key, value), sorted by key (byte
    /// order, the same on both backends whatever the database's collation).
    pub async fn feature_settings(
        &self,
        guild_id: Id<GuildMarker>,
        feature: &str,
    ) -> Result<Vec<(String, Value)>, StoreError> {
        let stored = with_connection!(self, connection => {
            feature_settings::table
                .filter(feature_settings::guild_id.eq(column(guild_id)))
                .filter(feature_settings::feature.eq(feature))
                .select((feature_settings::key, feature_settings::value))
                .load::<(String, String)>(connection)
                .await
        })?;
        let mut settings = stored
            .into_iter()
            .map(|(key, stored)| {
                let value = decode_value(guild_id, feature, &key, &stored)?;
                Ok((key, value))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        settings.sort_by(|(left, _), (right, _)| left.cmp(right));
        Ok(settings)
    }

    /// Removes `feature`'s setting `key` in `guild_id`; true if it was set.
    pub async fn delete_feature_setting(
        &self,
        guild_id: Id<GuildMarker>,
        feature: &str,
        key: &str,
    ) -> Result<bool, StoreError> {
        let deleted = with_connection!(self, connection => {
            diesel::delete(feature_settings::table.find((column(guild_id), feature, key))).execute(connection).await
        })?;
        Ok(deleted > 0)
    }
}

impl Store {
    /// Every feature setting of `guild_id`, as (feature, key, value), sorted.
    pub async fn all_feature_settings(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<Vec<(String, String, Value)>, StoreError> {
        let stored = with_connection!(self, connection => {
            feature_settings::table
                .filter(feature_settings::guild_id.eq(column(guild_id)))
                .select((feature_settings::feature, feature_settings::key, feature_settings::value))
                .load::<(String, String, String)>(connection)
                .await
        })?;
        let mut settings = stored
            .into_iter()
            .map(|(feature, key, stored)| {
                let value = decode_value(guild_id, &feature, &key, &stored)?;
                Ok((feature, key, value))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        settings.sort_by(|left, right| (&left.0, &left.1).cmp(&(&right.0, &right.1)));
        Ok(settings)
    }

    /// Removes every feature setting of `guild_id` (`/config reset`); how many there were.
    pub async fn delete_all_feature_settings(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<usize, StoreError> {
        with_connection!(self, connection => {
            diesel::delete(feature_settings::table.filter(feature_settings::guild_id.eq(column(guild_id))))
                .execute(connection)
                .await
        })
    }
}
