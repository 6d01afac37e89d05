//! A guild's governance settings — the queue, admin log and announcement channels, the
//! cap on channels in the proposed category, and the announcement template — declared once
//! ([`specs`]: `/config governance …` is built from them), stored as feature settings
//! (`feature = "governance"`) and read typed. The proposed category itself belongs to the
//! stats feature (`stats` / `proposed-category`): read here, never written.

use serde_json::{json, Value};
use twilight_model::id::marker::ChannelMarker;
use twilight_model::id::Id;

use crate::feature::{setting_value, SettingKind, SettingSpec};
use crate::kernel::guild_config::FeatureValues;

pub const FEATURE: &str = "governance";

pub const QUEUE_CHANNEL: &str = "queue-channel";
pub const LOG_CHANNEL: &str = "log-channel";
pub const ANNOUNCE_CHANNEL: &str = "announce-channel";
pub const MAX_CHANNELS: &str = "max-proposed-channels";
/// Set with `/proposal template` (free text is no `/config` kind).
pub const ANNOUNCE_TEMPLATE: &str = "announce-template";

/// Where the stats feature keeps the category approved channels are created in.
pub const STATS_FEATURE: &str = "stats";
pub const PROPOSED_CATEGORY: &str = "proposed-category";

/// The longest announcement template taken.
pub const TEMPLATE_MAX_CHARS: usize = 1500;

/// What `/config governance …` offers, with each default.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec {
            key: QUEUE_CHANNEL,
            description: "Where the two pending queues (proposals, reports) are kept up to date",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: LOG_CHANNEL,
            description: "Staff-only log: every proposal and report in full, never edited",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: ANNOUNCE_CHANNEL,
            description: "Where approved channels and emojis are announced",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: MAX_CHANNELS,
            description: "Most channels the proposed category may hold",
            kind: SettingKind::Integer {
                min: 1,
                max: 500,
                unit: "channels",
            },
            default: json!(20),
        },
    ]
}

/// The settings, with their defaults for a guild that changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct GovernanceSettings {
    pub queue_channel: Option<Id<ChannelMarker>>,
    pub log_channel: Option<Id<ChannelMarker>>,
    pub announce_channel: Option<Id<ChannelMarker>>,
    pub max_channels: usize,
    /// The admins' own announcement (`None`: the built-in text in the guild's language).
    pub announce_template: Option<String>,
    /// The stats feature's proposed category, when the guild set it.
    pub proposed_category: Option<Id<ChannelMarker>>,
}

impl Default for GovernanceSettings {
    fn default() -> Self {
        GovernanceSettings::from_values(&FeatureValues::default())
    }
}

/// A stored channel id: a number (as `/config` stores it) or its decimal text.
fn channel(value: &Value) -> Option<Id<ChannelMarker>> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|text| text.parse().ok()))
        .and_then(Id::new_checked)
}

impl GovernanceSettings {
    /// The typed settings from a guild's stored values (defaults where none is stored).
    pub fn from_values(values: &FeatureValues) -> GovernanceSettings {
        let specs = specs();
        let value = |key: &str| -> Value { setting_value(values, FEATURE, &specs, key) };
        let proposed_category = values
            .get(STATS_FEATURE, PROPOSED_CATEGORY)
            .or_else(|| values.get(STATS_FEATURE, "proposed-category"))
            .and_then(channel);
        GovernanceSettings {
            queue_channel: channel(&value(QUEUE_CHANNEL)),
            log_channel: channel(&value(LOG_CHANNEL)),
            announce_channel: channel(&value(ANNOUNCE_CHANNEL)),
            max_channels: value(MAX_CHANNELS)
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .unwrap_or(20),
            announce_template: values
                .get(FEATURE, ANNOUNCE_TEMPLATE)
                .and_then(Value::as_str)
                .filter(|text| !text.trim().is_empty())
                .map(str::to_owned),
            proposed_category,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_declarations_and_the_category_from_stats() {
        let defaults = GovernanceSettings::default();
        assert_eq!(defaults.max_channels, 20);
        assert_eq!(defaults.proposed_category, None);
        let mut values = FeatureValues::default();
        values.insert(FEATURE, QUEUE_CHANNEL, json!(42));
        values.insert(STATS_FEATURE, PROPOSED_CATEGORY, json!("77"));
        values.insert(FEATURE, ANNOUNCE_TEMPLATE, json!("New: {name}"));
        let settings = GovernanceSettings::from_values(&values);
        assert_eq!(settings.queue_channel, Some(Id::new(42)));
        assert_eq!(settings.proposed_category, Some(Id::new(77)));
        assert_eq!(settings.announce_template.as_deref(), Some("New: {name}"));
        for spec in specs() {
            assert!(spec.description.len() <= 100, "{}", spec.key);
            if !spec.default.is_null() {
                assert!(spec.validate(&spec.default).is_ok(), "{}", spec.key);
            }
        }
    }
}
