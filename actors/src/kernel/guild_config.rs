//! A guild's whole configuration — its [`GuildSettings`] and every feature's settings —
//! read together, cached in the cache layer (memory or Redis, so processes sharing Redis
//! agree) and forgotten on every change. The dispatcher reads it once per interaction.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::store::{GuildSettings, StoreError};
use super::Kernel;

/// How long a cached configuration lives even if a change was somehow not announced.
const CACHED_FOR: Duration = Duration::from_secs(300);

/// The stored key under a feature's namespace that turns it off in a guild.
pub const ENABLED_KEY: &str = "enabled";

/// Every feature's stored settings in one guild: feature → key → value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureValues(BTreeMap<String, BTreeMap<String, Value>>);

impl FeatureValues {
    /// A stored value, or `None` when the guild never set it.
    pub fn get(&self, feature: &str, key: &str) -> Option<&Value> {
        self.0.get(feature).and_then(|values| values.get(key))
    }

    /// Whether a feature is on in this guild (every feature is, until an admin turns it
    /// off).
    pub fn is_on(&self, feature: &str) -> bool {
        self.get(feature, ENABLED_KEY).and_then(Value::as_bool) != Some(false)
    }

    pub fn insert(&mut self, feature: &str, key: &str, value: Value) {
        self.0
            .entry(feature.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
    }
}

/// A guild's settings and its features' settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildConfig {
    pub settings: GuildSettings,
    pub features: FeatureValues,
}

/// The cache key; the version names the cached shape (v2: typed ids), so a process of
/// an older release sharing Redis never reads this one's entries or the reverse.
fn cache_key(guild_id: Id<GuildMarker>) -> String {
    format!("guild-config:v2:{guild_id}")
}

impl Kernel {
    /// The language a guild's channels read (its choice, else English; English, logged,
    /// when its settings cannot be read).
    pub async fn guild_locale(&self, guild_id: Id<GuildMarker>) -> crate::kernel::i18n::Locale {
        match self.guild_config(guild_id).await {
            Ok(config) => crate::kernel::i18n::Locale::for_guild(&config.settings.locale),
            Err(error) => {
                tracing::warn!(%error, guild = guild_id.get(), "could not read the guild's language; writing in English");
                crate::kernel::i18n::Locale::English
            }
        }
    }

    /// The guild's configuration (defaults for a guild that changed nothing), from the
    /// cache when it is there, else from the store (and then cached).
    pub async fn guild_config(&self, guild_id: Id<GuildMarker>) -> Result<GuildConfig, StoreError> {
        let key = cache_key(guild_id);
        match self.cache.get(&key).await {
            Ok(Some(bytes)) => match serde_json::from_slice(&bytes) {
                Ok(config) => return Ok(config),
                Err(error) => {
                    tracing::warn!(%error, guild = guild_id.get(), "unreadable cached guild configuration; reading the store")
                }
            },
            Ok(None) => {}
            Err(error) => {
                tracing::debug!(%error, "the cache is not answering; reading the store")
            }
        }
        let settings = self
            .store
            .guild_settings(guild_id)
            .await?
            .unwrap_or_else(|| GuildSettings::new(guild_id));
        let mut features = FeatureValues::default();
        for (feature, key, value) in self.store.all_feature_settings(guild_id).await? {
            features.insert(&feature, &key, value);
        }
        let config = GuildConfig { settings, features };
        if let Ok(bytes) = serde_json::to_vec(&config) {
            if let Err(error) = self.cache.set(&key, &bytes, Some(CACHED_FOR)).await {
                tracing::debug!(%error, "could not cache a guild configuration");
            }
        }
        Ok(config)
    }

    /// Forgets the cached configuration after a change (every process reads it afresh).
    /// A reader that loaded the old values just before the change may cache them just
    /// after it, so the key is forgotten once more a moment later.
    pub async fn forget_guild_config(&self, guild_id: Id<GuildMarker>) {
        let key = cache_key(guild_id);
        if let Err(error) = self.cache.delete(&key).await {
            tracing::warn!(%error, guild = guild_id.get(), "could not forget a cached guild configuration; it expires within 5 minutes");
        }
        let cache = self.cache.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let _ = cache.delete(&key).await;
        });
    }
}
