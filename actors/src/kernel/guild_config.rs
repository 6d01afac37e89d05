//! A guild's whole configuration — its [`GuildSettings`], every feature's settings and
//! the roles it requires for commands ([`CommandRoles`]) — read together, cached in the cache layer (memory or Redis, so processes sharing Redis
//! agree) and forgotten on every change. The dispatcher reads it once per interaction.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use twilight_model::id::marker::{GuildMarker, RoleMarker};
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

/// The namespace of the guild-wide settings kept beside the features' (the text
/// commands' prefix, tidy replies): the core's, which is always on.
pub const GUILD_NAMESPACE: &str = "core";
/// The text commands' prefix in this guild (a JSON string; absent: the configured one).
pub const PREFIX_KEY: &str = "prefix";
/// Seconds after which public confirmations are deleted (a JSON number; absent or 0: kept).
pub const TIDY_REPLIES_KEY: &str = "tidy-replies";

/// The roles a guild requires for commands: path (`shift drop`, `tickets`) → role. A rule
/// on a command covers its subcommands; every rule on the way to a path applies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandRoles(BTreeMap<String, Id<RoleMarker>>);

impl CommandRoles {
    pub fn insert(&mut self, path: String, role: Id<RoleMarker>) {
        self.0.insert(path, role);
    }

    /// Every rule, sorted by path.
    pub fn rules(&self) -> impl Iterator<Item = (&str, Id<RoleMarker>)> {
        self.0.iter().map(|(path, role)| (path.as_str(), *role))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The rules that apply to `name` with subcommand `path`: those on the command and on
    /// each path on the way (`shift`, `shift drop`), outermost first.
    pub fn for_path(&self, name: &str, path: &[&str]) -> Vec<(String, Id<RoleMarker>)> {
        let mut key = name.to_owned();
        let mut found = Vec::new();
        for depth in 0..=path.len() {
            if depth > 0 {
                key.push(' ');
                key.push_str(path[depth - 1]);
            }
            if let Some(role) = self.0.get(&key) {
                found.push((key.clone(), *role));
            }
        }
        found
    }
}

/// A guild's settings, its features' settings and its command roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuildConfig {
    pub settings: GuildSettings,
    pub features: FeatureValues,
    pub command_roles: CommandRoles,
}

impl GuildConfig {
    /// The configuration of a guild that changed nothing.
    pub fn defaults(guild_id: Id<GuildMarker>) -> Self {
        GuildConfig {
            settings: GuildSettings::new(guild_id),
            features: FeatureValues::default(),
            command_roles: CommandRoles::default(),
        }
    }
}

impl FeatureValues {
    /// The guild's own prefix for the text commands, if it chose one.
    pub fn prefix(&self) -> Option<&str> {
        self.get(GUILD_NAMESPACE, PREFIX_KEY)
            .and_then(Value::as_str)
    }

    /// How long the bot's public confirmations stay before they are deleted; `None`:
    /// they stay (the default).
    pub fn tidy_replies(&self) -> Option<Duration> {
        self.get(GUILD_NAMESPACE, TIDY_REPLIES_KEY)
            .and_then(Value::as_u64)
            .filter(|seconds| *seconds > 0)
            .map(Duration::from_secs)
    }
}

/// Per guild, how many configuration changes this process has made: a load caches what
/// it read only when the count did not move while it read.
static GUILD_CONFIG_CHANGES: std::sync::LazyLock<
    parking_lot::Mutex<std::collections::HashMap<Id<GuildMarker>, u64>>,
> = std::sync::LazyLock::new(Default::default);

fn changes_of(guild_id: Id<GuildMarker>) -> u64 {
    GUILD_CONFIG_CHANGES
        .lock()
        .get(&guild_id)
        .copied()
        .unwrap_or(0)
}

/// The cache key; the version names the cached shape (v2: typed ids, v3: command
/// roles), so a process of an older release sharing Redis never reads this one's entries
/// or the reverse.
fn cache_key(guild_id: Id<GuildMarker>) -> String {
    format!("guild-config:v3:{guild_id}")
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
        // A change made while this load reads must not be overwritten in the cache by
        // what the load read before it: cache only when no change came in between.
        let changes_before = changes_of(guild_id);
        // The three reads at once: a load takes as long as the slowest, which keeps the
        // window in which a change can overtake it (see `forget_guild_config`) short. Each
        // is awaited to its end even when another fails: a store call dropped half-way
        // holds up this thread until its statement ends (see `kernel::bounded`).
        let (settings, stored_features, stored_roles) = tokio::join!(
            self.store.guild_settings(guild_id),
            self.store.all_feature_settings(guild_id),
            self.store.command_roles(guild_id),
        );
        let (settings, stored_features, stored_roles) =
            (settings?, stored_features?, stored_roles?);
        let settings = settings.unwrap_or_else(|| GuildSettings::new(guild_id));
        let mut features = FeatureValues::default();
        for (feature, key, value) in stored_features {
            features.insert(&feature, &key, value);
        }
        let mut command_roles = CommandRoles::default();
        for (path, role) in stored_roles {
            command_roles.insert(path, role);
        }
        let config = GuildConfig {
            settings,
            features,
            command_roles,
        };
        let unchanged = changes_of(guild_id) == changes_before;
        if let (true, Ok(bytes)) = (unchanged, serde_json::to_vec(&config)) {
            if let Err(error) = self.cache.set(&key, &bytes, Some(CACHED_FOR)).await {
                tracing::debug!(%error, "could not cache a guild configuration");
            }
        }
        Ok(config)
    }

    /// Forgets the cached configuration after a change (every process reads it afresh).
    /// A load of this process that read the old values no longer caches them; one of
    /// another process sharing Redis may, so the key is forgotten once more a moment later.
    pub async fn forget_guild_config(&self, guild_id: Id<GuildMarker>) {
        *GUILD_CONFIG_CHANGES.lock().entry(guild_id).or_default() += 1;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_on_a_command_cover_its_subcommands_and_all_apply() {
        let mut roles = CommandRoles::default();
        roles.insert("shift".into(), Id::new(1));
        roles.insert("shift drop".into(), Id::new(2));
        roles.insert("tickets category".into(), Id::new(3));
        let drop = roles.for_path("shift", &["drop"]);
        assert_eq!(
            drop,
            vec![
                ("shift".into(), Id::new(1)),
                ("shift drop".into(), Id::new(2))
            ]
        );
        assert_eq!(roles.for_path("shift", &["claim"]).len(), 1);
        assert_eq!(roles.for_path("tickets", &["create"]), Vec::new());
        assert_eq!(roles.for_path("tickets", &["category", "upsert"]).len(), 1);
        // A rule is on whole words: `shift` does not cover `shifts`.
        assert!(roles.for_path("shifts", &[]).is_empty());
    }
}
