//! A guild's ticket settings — the log and transcript channels, the default staff role,
//! and the opening limits — declared once ([`specs`]: `/config tickets …` is built from
//! them), stored as feature settings (`feature = "tickets"`) and read typed.

use serde_json::{json, Value};
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker};
use twilight_model::id::Id;

use crate::feature::{setting_value, SettingKind, SettingSpec};
use crate::kernel::guild_config::FeatureValues;
use crate::kernel::store::StoreError;
use crate::kernel::Kernel;

pub const FEATURE: &str = "tickets";

pub const LOG_CHANNEL: &str = "log-channel";
pub const TRANSCRIPT_CHANNEL: &str = "transcript-channel";
pub const STAFF_ROLE: &str = "staff-role";
pub const MAX_OPEN: &str = "max-open";
pub const COOLDOWN: &str = "cooldown";
pub const HOURLY_CAP: &str = "hourly-cap";
pub const DM_TRANSCRIPT: &str = "dm-transcript";
pub const FEEDBACK: &str = "feedback";

/// What `/config tickets …` offers, with each default.
pub fn specs() -> Vec<SettingSpec> {
    vec![
        SettingSpec {
            key: LOG_CHANNEL,
            description: "Where ticket openings, claims and closes are logged",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: TRANSCRIPT_CHANNEL,
            description: "Where transcripts of closed tickets are posted",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: STAFF_ROLE,
            description:
                "Staff of categories that name no staff role (default: the moderator role)",
            kind: SettingKind::Role,
            default: Value::Null,
        },
        SettingSpec {
            key: MAX_OPEN,
            description: "Open tickets one member may have at once",
            kind: SettingKind::Integer {
                min: 1,
                max: 10,
                unit: "tickets",
            },
            default: json!(1),
        },
        SettingSpec {
            key: COOLDOWN,
            description: "Minutes a member waits between opening tickets (0 = no wait)",
            kind: SettingKind::Integer {
                min: 0,
                max: 1440,
                unit: "minutes",
            },
            default: json!(0),
        },
        SettingSpec {
            key: HOURLY_CAP,
            description: "Tickets the whole server may open per hour (0 = no cap)",
            kind: SettingKind::Integer {
                min: 0,
                max: 10_000,
                unit: "tickets",
            },
            default: json!(0),
        },
        SettingSpec {
            key: DM_TRANSCRIPT,
            description: "Whether the opener gets the transcript by DM when a ticket closes",
            kind: SettingKind::Boolean,
            default: json!(true),
        },
        SettingSpec {
            key: FEEDBACK,
            description: "Whether the opener is asked by DM for 1-5 stars when a ticket closes",
            kind: SettingKind::Boolean,
            default: json!(true),
        },
    ]
}

/// The settings, with their defaults for a guild that changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketSettings {
    pub log_channel: Option<Id<ChannelMarker>>,
    pub transcript_channel: Option<Id<ChannelMarker>>,
    pub staff_role: Option<Id<RoleMarker>>,
    pub max_open: i32,
    pub cooldown_minutes: i64,
    /// 0: no cap.
    pub hourly_cap: i64,
    pub dm_transcript: bool,
    pub feedback: bool,
}

impl Default for TicketSettings {
    fn default() -> Self {
        TicketSettings::from_values(&FeatureValues::default())
    }
}

impl TicketSettings {
    /// The typed settings from a guild's stored values (defaults where none is stored).
    pub fn from_values(values: &FeatureValues) -> TicketSettings {
        let specs = specs();
        let value = |key: &str| -> Value { setting_value(values, FEATURE, &specs, key) };
        TicketSettings {
            log_channel: value(LOG_CHANNEL).as_u64().and_then(Id::new_checked),
            transcript_channel: value(TRANSCRIPT_CHANNEL).as_u64().and_then(Id::new_checked),
            staff_role: value(STAFF_ROLE).as_u64().and_then(Id::new_checked),
            max_open: value(MAX_OPEN)
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or(1),
            cooldown_minutes: value(COOLDOWN).as_i64().unwrap_or(0),
            hourly_cap: value(HOURLY_CAP).as_i64().unwrap_or(0),
            dm_transcript: value(DM_TRANSCRIPT).as_bool().unwrap_or(true),
            feedback: value(FEEDBACK).as_bool().unwrap_or(true),
        }
    }

    /// A guild's settings, outside an interaction.
    pub async fn load(
        kernel: &Kernel,
        guild_id: Id<GuildMarker>,
    ) -> Result<TicketSettings, StoreError> {
        let config = kernel.guild_config(guild_id).await?;
        Ok(TicketSettings::from_values(&config.features))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_from_the_declarations_and_stored_values_win() {
        let defaults = TicketSettings::default();
        assert_eq!((defaults.max_open, defaults.cooldown_minutes), (1, 0));
        assert!(defaults.dm_transcript);
        let mut values = FeatureValues::default();
        values.insert(FEATURE, MAX_OPEN, json!(3));
        values.insert(FEATURE, LOG_CHANNEL, json!(42));
        let settings = TicketSettings::from_values(&values);
        assert_eq!(
            (settings.max_open, settings.log_channel),
            (3, Some(Id::new(42)))
        );
        for spec in specs() {
            assert!(spec.description.len() <= 100, "{}", spec.key);
            if !spec.default.is_null() {
                assert!(spec.validate(&spec.default).is_ok(), "{}", spec.key);
            }
        }
    }
}
