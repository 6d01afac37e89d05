//! A guild's shift settings — the shift channel, the fairness limit and lock window,
//! reminder offsets, self-claims, and whether shift commands are kept to the shift
//! channel — declared once ([`specs`]: `/config shifts …` is built from them), stored as
//! feature settings (`feature = "shifts"`) and read typed ([`ShiftSettings`]).

use serde_json::{json, Value};
use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_model::id::Id;

use crate::feature::{setting_value, SettingKind, SettingSpec};
use crate::kernel::guild_config::FeatureValues;
use crate::kernel::store::StoreError;
use crate::kernel::Kernel;

pub const FEATURE: &str = "shifts";

pub const CHANNEL: &str = "channel";
pub const CLAIM_LIMIT: &str = "claim-limit";
pub const LOCK_WINDOW: &str = "lock-window";
pub const REMINDER: &str = "reminder";
pub const UNCLAIMED_PING: &str = "unclaimed-ping";
pub const SELF_CLAIM: &str = "self-claim";
pub const RESTRICT: &str = "restrict";

const MINUTES_IN_A_DAY: SettingKind = SettingKind::Integer {
    min: 0,
    max: 1440,
    unit: "minutes",
};

/// What `/config shifts …` offers, with each default.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec {
            key: CHANNEL,
            description: "Where shifts are posted",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: CLAIM_LIMIT,
            description:
                "Fairness: claimed hours in 7 days after which claims wait for the lock window",
            kind: SettingKind::Number {
                min: 0.5,
                max: 168.0,
                unit: "hours",
            },
            default: json!(3.0),
        },
        SettingSpec {
            key: LOCK_WINDOW,
            description: "Minutes before the start from which a moderator over the limit may claim",
            kind: MINUTES_IN_A_DAY,
            default: json!(60),
        },
        SettingSpec {
            key: REMINDER,
            description: "Minutes before the start to DM the claimer (0 = never)",
            kind: MINUTES_IN_A_DAY,
            default: json!(15),
        },
        SettingSpec {
            key: UNCLAIMED_PING,
            description:
                "Minutes before the start to ping moderators about an unclaimed shift (0 = never)",
            kind: MINUTES_IN_A_DAY,
            default: json!(60),
        },
        SettingSpec {
            key: SELF_CLAIM,
            description: "Whether moderators may claim shifts they dropped themselves",
            kind: SettingKind::Boolean,
            default: json!(false),
        },
        SettingSpec {
            key: RESTRICT,
            description: "Whether /schedule and /shift answer only in the shift channel",
            kind: SettingKind::Boolean,
            default: json!(false),
        },
    ]
}

/// The settings, with their defaults for a guild that changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftSettings {
    pub channel_id: Option<Id<ChannelMarker>>,
    /// At or above this many claimed hours in 7 days a moderator is "heavy".
    pub max_hours_7d: f64,
    /// Heavy moderators may claim only shifts starting within this many minutes.
    pub lock_window_minutes: i64,
    /// DM the claimer this many minutes before the start (0 = never).
    pub reminder_minutes: i64,
    /// Ping the moderator role when a shift is unclaimed this many minutes before (0 = never).
    pub unclaimed_ping_minutes: i64,
    /// Whether one may claim a shift one dropped (or that was one's own slot).
    pub allow_self_claim: bool,
    /// Whether `/schedule` and `/shift` answer only in the shift channel.
    pub restrict_to_channel: bool,
}

impl Default for ShiftSettings {
    fn default() -> Self {
        ShiftSettings::from_values(&FeatureValues::default())
    }
}

impl ShiftSettings {
    /// The typed settings from a guild's stored values (defaults where none is stored).
    pub fn from_values(values: &FeatureValues) -> ShiftSettings {
        let specs = specs();
        let value = |key: &str| -> Value { setting_value(values, FEATURE, &specs, key) };
        ShiftSettings {
            channel_id: value(CHANNEL).as_u64().and_then(Id::new_checked),
            max_hours_7d: value(CLAIM_LIMIT).as_f64().unwrap_or(3.0),
            lock_window_minutes: value(LOCK_WINDOW).as_i64().unwrap_or(60),
            reminder_minutes: value(REMINDER).as_i64().unwrap_or(15),
            unclaimed_ping_minutes: value(UNCLAIMED_PING).as_i64().unwrap_or(60),
            allow_self_claim: value(SELF_CLAIM).as_bool().unwrap_or(false),
            restrict_to_channel: value(RESTRICT).as_bool().unwrap_or(false),
        }
    }

    /// A guild's settings, outside an interaction (the ticker, a repost).
    pub async fn load(
        kernel: &Kernel,
        guild_id: Id<GuildMarker>,
    ) -> Result<ShiftSettings, StoreError> {
        let config = kernel.guild_config(guild_id).await?;
        Ok(ShiftSettings::from_values(&config.features))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_declarations_and_stored_values_win() {
        let defaults = ShiftSettings::default();
        assert_eq!(defaults.max_hours_7d, 3.0);
        assert_eq!(defaults.reminder_minutes, 15);
        assert_eq!(defaults.channel_id, None);
        let mut values = FeatureValues::default();
        values.insert(FEATURE, REMINDER, json!(5));
        values.insert(FEATURE, CHANNEL, json!(42));
        let settings = ShiftSettings::from_values(&values);
        assert_eq!(
            (settings.reminder_minutes, settings.channel_id),
            (5, Some(Id::new(42)))
        );
        for spec in specs() {
            assert!(spec.description.len() <= 100, "{}", spec.key);
            if !spec.default.is_null() {
                assert!(spec.validate(&spec.default).is_ok(), "{}", spec.key);
            }
        }
    }
}
