//! Guild settings: the admin and moderator roles, the log channel, the channels the bot
//! answers in and the locale of each guild — read, replaced whole, patched, deleted.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker};
use twilight_model::id::Id;

use super::ids::{column, id, nullable, optional_id};
use super::schema::guild_settings;
use super::{with_connection, Store, StoreError};

/// The locale of a guild that has not chosen one: "auto", each person reads their own
/// Discord language (see `kernel::i18n`). A stored language tag is the guild's choice.
pub const DEFAULT_LOCALE: &str = crate::kernel::i18n::AUTO;

/// One guild's settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GuildSettings {
    pub guild_id: Id<GuildMarker>,
    /// Members with this role may change the bot's settings.
    pub admin_role_id: Option<Id<RoleMarker>>,
    /// Members with this role may moderate.
    pub moderator_role_id: Option<Id<RoleMarker>>,
    /// Where the bot writes its audit log.
    pub log_channel_id: Option<Id<ChannelMarker>>,
    /// The channels the bot answers in; empty means every channel.
    pub allowed_channel_ids: Vec<Id<ChannelMarker>>,
    /// "auto" (each person's own Discord language), or the language the guild chose: a
    /// BCP 47 tag, as Discord spells locales (`en-US`, `de`, `pt-BR`).
    pub locale: String,
    /// When the row was first written. Set by the store; ignored when writing.
    pub created_at: DateTime<Utc>,
    /// When the row was last written. Set by the store; ignored when writing.
    pub updated_at: DateTime<Utc>,
}

impl GuildSettings {
    /// The settings of a guild that has changed nothing: no roles, no log channel,
    /// every channel allowed, [`DEFAULT_LOCALE`]. The times are the Unix epoch until
    /// the store writes the row.
    pub fn new(guild_id: Id<GuildMarker>) -> Self {
        GuildSettings {
            guild_id,
            admin_role_id: None,
            moderator_role_id: None,
            log_channel_id: None,
            allowed_channel_ids: Vec::new(),
            locale: DEFAULT_LOCALE.to_owned(),
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }
}

/// A change to some of a guild's settings. Each field is `None` to leave it as it is;
/// for the optional ones `Some(None)` clears it and `Some(Some(id))` sets it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuildSettingsPatch {
    pub admin_role_id: Option<Option<Id<RoleMarker>>>,
    pub moderator_role_id: Option<Option<Id<RoleMarker>>>,
    pub log_channel_id: Option<Option<Id<ChannelMarker>>>,
    pub allowed_channel_ids: Option<Vec<Id<ChannelMarker>>>,
    pub locale: Option<String>,
}

impl GuildSettingsPatch {
    /// `settings` with this patch applied.
    pub fn apply_to(&self, mut settings: GuildSettings) -> GuildSettings {
        if let Some(admin_role_id) = self.admin_role_id {
            settings.admin_role_id = admin_role_id;
        }
        if let Some(moderator_role_id) = self.moderator_role_id {
            settings.moderator_role_id = moderator_role_id;
        }
        if let Some(log_channel_id) = self.log_channel_id {
            settings.log_channel_id = log_channel_id;
        }
        if let Some(allowed_channel_ids) = &self.allowed_channel_ids {
            settings.allowed_channel_ids.clone_from(allowed_channel_ids);
        }
        if let Some(locale) = &self.locale {
            settings.locale.clone_from(locale);
        }
        settings
    }
}

/// A `guild_settings` row as stored.
#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = guild_settings)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct GuildSettingsRow {
    guild_id: i64,
    admin_role_id: Option<i64>,
    moderator_role_id: Option<i64>,
    log_channel_id: Option<i64>,
    allowed_channel_ids: String,
    locale: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// The columns an update writes; a `None` field is left as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = guild_settings)]
struct GuildSettingsChanges<'a> {
    admin_role_id: Option<Option<i64>>,
    moderator_role_id: Option<Option<i64>>,
    log_channel_id: Option<Option<i64>>,
    allowed_channel_ids: Option<String>,
    locale: Option<&'a str>,
    updated_at: NaiveDateTime,
}

impl GuildSettingsRow {
    fn new(settings: &GuildSettings, now: NaiveDateTime) -> Result<Self, StoreError> {
        Ok(GuildSettingsRow {
            guild_id: column(settings.guild_id),
            admin_role_id: nullable(settings.admin_role_id),
            moderator_role_id: nullable(settings.moderator_role_id),
            log_channel_id: nullable(settings.log_channel_id),
            allowed_channel_ids: encode_channel_ids(&settings.allowed_channel_ids)?,
            locale: settings.locale.clone(),
            created_at: now,
            updated_at: now,
        })
    }

    fn into_settings(self) -> Result<GuildSettings, StoreError> {
        let stored_channel_ids: Vec<i64> = serde_json::from_str(&self.allowed_channel_ids)
            .map_err(|error| StoreError::InvalidData {
                what: "guild_settings.allowed_channel_ids",
                detail: format!("guild {}: {error}", self.guild_id),
            })?;
        let allowed_channel_ids = stored_channel_ids
            .into_iter()
            .map(|channel| id("guild_settings.allowed_channel_ids", channel))
            .collect::<Result<_, _>>()?;
        Ok(GuildSettings {
            guild_id: id("guild_settings.guild_id", self.guild_id)?,
            admin_role_id: optional_id("guild_settings.admin_role_id", self.admin_role_id)?,
            moderator_role_id: optional_id(
                "guild_settings.moderator_role_id",
                self.moderator_role_id,
            )?,
            log_channel_id: optional_id("guild_settings.log_channel_id", self.log_channel_id)?,
            allowed_channel_ids,
            locale: self.locale,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

/// The channel list as stored: a JSON array of numbers.
fn encode_channel_ids(channel_ids: &[Id<ChannelMarker>]) -> Result<String, StoreError> {
    let stored: Vec<i64> = channel_ids.iter().copied().map(column).collect();
    serde_json::to_string(&stored).map_err(|error| StoreError::InvalidData {
        what: "guild_settings.allowed_channel_ids",
        detail: error.to_string(),
    })
}

impl Store {
    /// The settings of `guild_id`, or `None` if it never changed any.
    pub async fn guild_settings(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<Option<GuildSettings>, StoreError> {
        let row = with_connection!(self, connection => {
            guild_settings::table
                .find(column(guild_id))
                .select(GuildSettingsRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(GuildSettingsRow::into_settings).transpose()
    }

    /// Writes every setting of `settings.guild_id`, inserting the row or replacing it,
    /// and returns what is stored. `created_at` is kept from the first write;
    /// `updated_at` is now.
    pub async fn upsert_guild_settings(
        &self,
        settings: &GuildSettings,
    ) -> Result<GuildSettings, StoreError> {
        let row = GuildSettingsRow::new(settings, self.now())?;
        let changes = GuildSettingsChanges {
            admin_role_id: Some(row.admin_role_id),
            moderator_role_id: Some(row.moderator_role_id),
            log_channel_id: Some(row.log_channel_id),
            allowed_channel_ids: Some(row.allowed_channel_ids.clone()),
            locale: Some(&row.locale),
            updated_at: row.updated_at,
        };
        let stored = with_connection!(self, connection => {
            diesel::insert_into(guild_settings::table)
                .values(&row)
                .on_conflict(guild_settings::guild_id)
                .do_update()
                .set(&changes)
                .returning(GuildSettingsRow::as_returning())
                .get_result(connection)
                .await
        })?;
        stored.into_settings()
    }

    /// Changes only the settings `patch` names and returns what is stored; a guild
    /// without a row gets one, with defaults for the rest. One statement, so two
    /// patches of different fields never undo each other.
    pub async fn update_guild_settings(
        &self,
        guild_id: Id<GuildMarker>,
        patch: GuildSettingsPatch,
    ) -> Result<GuildSettings, StoreError> {
        let now = self.now();
        let row_if_new = GuildSettingsRow::new(&patch.apply_to(GuildSettings::new(guild_id)), now)?;
        let changes = GuildSettingsChanges {
            admin_role_id: patch.admin_role_id.map(nullable),
            moderator_role_id: patch.moderator_role_id.map(nullable),
            log_channel_id: patch.log_channel_id.map(nullable),
            allowed_channel_ids: patch
                .allowed_channel_ids
                .as_deref()
                .map(encode_channel_ids)
                .transpose()?,
            locale: patch.locale.as_deref(),
            updated_at: now,
        };
        let stored = with_connection!(self, connection => {
            diesel::insert_into(guild_settings::table)
                .values(&row_if_new)
                .on_conflict(guild_settings::guild_id)
                .do_update()
                .set(&changes)
                .returning(GuildSettingsRow::as_returning())
                .get_result(connection)
                .await
        })?;
        stored.into_settings()
    }

    /// Forgets the settings of `guild_id`; true if it had any.
    pub async fn delete_guild_settings(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<bool, StoreError> {
        let guild_id = column(guild_id);
        let deleted = with_connection!(self, connection => {
            diesel::delete(guild_settings::table.find(guild_id)).execute(connection).await
        })?;
        Ok(deleted > 0)
    }
}
