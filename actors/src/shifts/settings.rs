//! A guild's shift settings — the shift channel, the fairness limit and lock window,
//! reminder offsets, self-claims, and whether shift commands are kept to the shift
//! channel — stored as feature settings (`feature = "shifts"`), changed with
//! `/config shifts …`.

use serde_json::Value;
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::application::interaction::InteractionChannel;

use crate::kernel::store::{Store, StoreError};

pub const FEATURE: &str = "shifts";

/// The settings, with their defaults for a guild that changed nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftSettings {
    pub channel_id: Option<i64>,
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
        Self {
            channel_id: None,
            max_hours_7d: 3.0,
            lock_window_minutes: 60,
            reminder_minutes: 15,
            unclaimed_ping_minutes: 60,
            allow_self_claim: false,
            restrict_to_channel: false,
        }
    }
}

impl ShiftSettings {
    pub async fn load(store: &Store, guild_id: i64) -> Result<ShiftSettings, StoreError> {
        let stored = store.feature_settings(guild_id, FEATURE).await?;
        let mut settings = ShiftSettings::default();
        for (key, value) in stored {
            match key.as_str() {
                "channel_id" => settings.channel_id = value.as_i64(),
                "max_hours_7d" => {
                    settings.max_hours_7d = value.as_f64().unwrap_or(settings.max_hours_7d)
                }
                "lock_window_minutes" => {
                    settings.lock_window_minutes =
                        value.as_i64().unwrap_or(settings.lock_window_minutes)
                }
                "reminder_minutes" => {
                    settings.reminder_minutes = value.as_i64().unwrap_or(settings.reminder_minutes)
                }
                "unclaimed_ping_minutes" => {
                    settings.unclaimed_ping_minutes =
                        value.as_i64().unwrap_or(settings.unclaimed_ping_minutes)
                }
                "allow_self_claim" => settings.allow_self_claim = value.as_bool().unwrap_or(false),
                "restrict_to_channel" => {
                    settings.restrict_to_channel = value.as_bool().unwrap_or(false)
                }
                _ => {}
            }
        }
        Ok(settings)
    }
}

/// `/config shifts …`: a subcommand group of `/config`.
#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "shifts", desc = "Moderator shift settings")]
pub enum ShiftConfigCommand {
    #[command(name = "channel")]
    Channel(ShiftChannel),
    #[command(name = "claim-limit")]
    ClaimLimit(ShiftClaimLimit),
    #[command(name = "reminders")]
    Reminders(ShiftReminders),
    #[command(name = "self-claim")]
    SelfClaim(ShiftSelfClaim),
    #[command(name = "restrict")]
    Restrict(ShiftRestrict),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "channel", desc = "Where shifts are posted")]
pub struct ShiftChannel {
    /// The shift channel
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: InteractionChannel,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "claim-limit",
    desc = "Fairness: hours in 7 days before claims wait for the lock window"
)]
pub struct ShiftClaimLimit {
    /// Claimed hours in the last 7 days that make a moderator wait (default 3)
    #[command(min_value = 0.5, max_value = 168.0)]
    pub hours: f64,
    /// Minutes before the start from which a moderator over the limit may claim (default 60)
    #[command(min_value = 0, max_value = 1440)]
    pub lock_window_minutes: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "reminders",
    desc = "When to remind the claimer and ping for unclaimed shifts (0 = off)"
)]
pub struct ShiftReminders {
    /// Minutes before the start to DM the claimer (default 15)
    #[command(min_value = 0, max_value = 1440)]
    pub claimer_minutes: i64,
    /// Minutes before the start to ping moderators about an unclaimed shift (default 60)
    #[command(min_value = 0, max_value = 1440)]
    pub unclaimed_minutes: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "self-claim",
    desc = "Whether moderators may claim shifts they dropped themselves"
)]
pub struct ShiftSelfClaim {
    /// Allow it
    pub allowed: bool,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "restrict",
    desc = "Whether /schedule and /shift answer only in the shift channel"
)]
pub struct ShiftRestrict {
    /// Only in the shift channel
    pub only_in_shift_channel: bool,
}

/// Applies `/config shifts …`; returns what changed, in words.
pub async fn apply(
    store: &Store,
    guild_id: i64,
    command: ShiftConfigCommand,
) -> Result<String, StoreError> {
    let set = |key: &'static str, value: Value| async move {
        store
            .set_feature_setting(guild_id, FEATURE, key, &value)
            .await
    };
    Ok(match command {
        ShiftConfigCommand::Channel(ShiftChannel { channel }) => {
            set("channel_id", Value::from(channel.id.get() as i64)).await?;
            format!("set the shift channel to <#{}>", channel.id)
        }
        ShiftConfigCommand::ClaimLimit(limit) => {
            set("max_hours_7d", Value::from(limit.hours)).await?;
            set(
                "lock_window_minutes",
                Value::from(limit.lock_window_minutes),
            )
            .await?;
            format!(
                "set the claim limit to {} h in 7 days, with a {}-minute lock window",
                limit.hours, limit.lock_window_minutes
            )
        }
        ShiftConfigCommand::Reminders(reminders) => {
            set("reminder_minutes", Value::from(reminders.claimer_minutes)).await?;
            set(
                "unclaimed_ping_minutes",
                Value::from(reminders.unclaimed_minutes),
            )
            .await?;
            format!(
                "set shift reminders to {} min before (claimer) and {} min before (unclaimed)",
                reminders.claimer_minutes, reminders.unclaimed_minutes
            )
        }
        ShiftConfigCommand::SelfClaim(ShiftSelfClaim { allowed }) => {
            set("allow_self_claim", Value::from(allowed)).await?;
            if allowed {
                "allowed claiming one's own dropped shifts".into()
            } else {
                "forbade claiming one's own dropped shifts".into()
            }
        }
        ShiftConfigCommand::Restrict(ShiftRestrict {
            only_in_shift_channel,
        }) => {
            set("restrict_to_channel", Value::from(only_in_shift_channel)).await?;
            if only_in_shift_channel {
                "kept shift commands to the shift channel".into()
            } else {
                "allowed shift commands in every channel".into()
            }
        }
    })
}
