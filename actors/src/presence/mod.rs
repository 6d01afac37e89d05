//! The bot's presence: what members see under its name ("Watching 12 servers"), from
//! `[presence]` in config.toml — an activity `kind` and a `text` whose `{guilds}`,
//! `{members}` and `{commands}` are filled in — sent as a Presence Update (gateway op 3)
//! on every shard of this process, refreshed every `refresh_secs` and as soon as the bot
//! joins or leaves a guild, and sent again to a shard that identified anew (Discord
//! forgets a presence with its session).
//!
//! `{commands}` is every slash command run since counting began, from the usage feature
//! ([`crate::usage::UsageTotals`]); without that feature it reads 0. A process-level
//! matter, not a guild's: it cannot be turned off per guild; `enabled = false` sends none.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Deserializer, Serialize};
use twilight_model::gateway::payload::outgoing::UpdatePresence;
use twilight_model::gateway::presence::{Activity, ActivityType, MinimalActivity, Status};

use crate::feature::{ConfigSection, Feature, FeatureStart};
use crate::gateway::Shards;
use crate::kernel::Kernel;
use crate::usage::census::Census;
use crate::usage::UsageTotals;

/// The feature's name and its config table's.
pub const PRESENCE: &str = "presence";

/// The placeholders `text` may hold.
pub const PLACEHOLDERS: [&str; 3] = ["{guilds}", "{members}", "{commands}"];

/// Discord shows at most 128 characters of an activity.
const MAX_TEXT: usize = 128;

/// The activity's kind, as `[presence] kind` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceKind {
    Playing,
    Watching,
    Listening,
    Competing,
    /// A custom status: the text alone, with no verb before it.
    Custom,
}

/// `[presence] text`: not empty, at most 128 characters, only the known placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PresenceText(String);

impl PresenceText {
    /// Checks a text as the configuration's loader does; the problem in plain words.
    pub fn parse(text: &str) -> Result<PresenceText, String> {
        if text.trim().is_empty() {
            return Err("must not be empty: write what members should see under the bot's name, such as \"{guilds} servers\" (or set `enabled = false`)".to_owned());
        }
        if text.chars().count() > MAX_TEXT {
            return Err(format!(
                "must be at most {MAX_TEXT} characters (what Discord shows)"
            ));
        }
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let after = &rest[open..];
            let Some(close) = after.find('}') else {
                return Err("must close each `{` with a `}`".to_owned());
            };
            let placeholder = &after[..=close];
            if !PLACEHOLDERS.contains(&placeholder) {
                return Err(format!(
                    "may hold only the placeholders {}, not {placeholder}",
                    PLACEHOLDERS.join(", ")
                ));
            }
            rest = &after[close + 1..];
        }
        Ok(PresenceText(text.to_owned()))
    }

    /// The text with its placeholders filled.
    pub fn fill(&self, guilds: u64, members: u64, commands: u64) -> String {
        self.0
            .replace("{guilds}", &guilds.to_string())
            .replace("{members}", &members.to_string())
            .replace("{commands}", &commands.to_string())
    }
}

impl<'de> Deserialize<'de> for PresenceText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PresenceText::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// `[presence]` in config.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PresenceConfig {
    /// Whether the bot sets a presence at all.
    pub enabled: bool,
    /// `playing`, `watching`, `listening`, `competing` or `custom`.
    pub kind: PresenceKind,
    /// What follows the kind's verb ("Watching …"), or the custom status itself.
    pub text: PresenceText,
    /// How often the placeholders are filled anew (1 s to a day); a shard gets an update
    /// only when the text changed (or it identified anew).
    #[serde(deserialize_with = "refresh_secs")]
    pub refresh_secs: u64,
}

impl Default for PresenceConfig {
    fn default() -> Self {
        PresenceConfig {
            enabled: true,
            kind: PresenceKind::Watching,
            text: PresenceText("{guilds} servers".to_owned()),
            refresh_secs: 300,
        }
    }
}

fn refresh_secs<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let secs = u64::deserialize(deserializer)?;
    if (1..=86_400).contains(&secs) {
        Ok(secs)
    } else {
        Err(serde::de::Error::custom(
            "must be from 1 to 86400 seconds (a day)",
        ))
    }
}

/// The Presence Update that shows `text` as `kind`.
pub fn update_for(kind: PresenceKind, text: &str) -> Option<UpdatePresence> {
    let (kind, name, state) = match kind {
        PresenceKind::Playing => (ActivityType::Playing, text, None),
        PresenceKind::Watching => (ActivityType::Watching, text, None),
        PresenceKind::Listening => (ActivityType::Listening, text, None),
        PresenceKind::Competing => (ActivityType::Competing, text, None),
        // Discord shows a custom status's `state`; its `name` must still be set.
        PresenceKind::Custom => (ActivityType::Custom, "Custom Status", Some(text.to_owned())),
    };
    let mut activity: Activity = MinimalActivity {
        kind,
        name: name.to_owned(),
        url: None,
    }
    .into();
    activity.state = state;
    UpdatePresence::new(vec![activity], false, None, Status::Online).ok()
}

/// The feature.
pub struct PresenceFeature;

impl Feature for PresenceFeature {
    fn name(&self) -> &'static str {
        PRESENCE
    }

    fn config_section(&self) -> Option<ConfigSection> {
        Some(ConfigSection::of::<PresenceConfig>(PRESENCE))
    }

    fn can_be_disabled(&self) -> bool {
        false
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let config = start.config::<PresenceConfig>();
        if !config.enabled {
            return;
        }
        let census = Census::follow(start.kernel, start.bus, "presence-census");
        let kernel = start.kernel.clone();
        let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = stopping.clone();
        start.on_shutdown(move || async move {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        tokio::spawn(keep_presence(kernel, census, config, stopping));
    }
}

/// Fills the text every `refresh_secs` and sends it to each connected shard that has
/// not got it since it identified.
async fn keep_presence(
    kernel: Kernel,
    census: Census,
    config: PresenceConfig,
    stopping: Arc<std::sync::atomic::AtomicBool>,
) {
    let refresh = Duration::from_secs(config.refresh_secs.max(1));
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut filled: Option<(String, Instant)> = None;
    let mut filled_guilds = 0;
    // Per shard: the text it was sent and on which identify.
    let mut sent: HashMap<u32, (String, u64)> = HashMap::new();
    loop {
        every.tick().await;
        if stopping.load(std::sync::atomic::Ordering::SeqCst) || kernel.store.is_closed() {
            return;
        }
        let Some(Shards(shards)) = kernel.services.get::<Shards>() else {
            continue;
        };
        // Due every `refresh_secs`, and at once when the bot joined or left a guild (the
        // first GUILD_CREATEs come after the first fill).
        let guilds = kernel.guilds.guilds().len();
        if filled
            .as_ref()
            .is_none_or(|(_, at)| at.elapsed() >= refresh)
            || guilds != filled_guilds
        {
            filled_guilds = guilds;
            let counts = census.counts().await;
            let commands = match kernel.services.get::<UsageTotals>() {
                Some(totals) => totals.commands_run().await.unwrap_or_else(|error| {
                    tracing::warn!(%error, "the presence could not read the commands run");
                    0
                }),
                None => 0,
            };
            let text = config.text.fill(counts.guilds, counts.members, commands);
            filled = Some((text, Instant::now()));
        }
        let Some((text, _)) = &filled else { continue };
        let Some(update) = update_for(config.kind, text) else {
            continue;
        };
        for (shard, status) in &shards {
            let identified = status.identifies.load(std::sync::atomic::Ordering::Relaxed);
            let current = (text.clone(), identified);
            if sent.get(shard) == Some(&current) {
                continue;
            }
            if status.command(&update) {
                sent.insert(*shard, current);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_checked_and_filled() {
        let text =
            PresenceText::parse("{guilds} servers · {members} members · {commands} commands")
                .unwrap();
        assert_eq!(text.fill(2, 40, 7), "2 servers · 40 members · 7 commands");
        assert!(PresenceText::parse("  ")
            .unwrap_err()
            .contains("must not be empty"));
        assert!(PresenceText::parse("{guild}")
            .unwrap_err()
            .contains("not {guild}"));
        assert!(PresenceText::parse("{guilds").is_err());
        assert!(PresenceText::parse(&"x".repeat(129)).is_err());
    }

    #[test]
    fn bad_values_are_refused_at_load() {
        let load = |value: serde_json::Value| serde_json::from_value::<PresenceConfig>(value);
        assert!(load(serde_json::json!({"kind": "custom", "text": "Hi"})).is_ok());
        let kind = load(serde_json::json!({"kind": "streaming"})).unwrap_err();
        assert!(
            kind.to_string().contains("unknown variant `streaming`"),
            "{kind}"
        );
        assert!(load(serde_json::json!({"text": ""})).is_err());
        assert!(load(serde_json::json!({"refresh_secs": 0})).is_err());
        assert!(load(serde_json::json!({"colour": "red"})).is_err());
    }

    #[test]
    fn a_custom_status_carries_its_text_in_state() {
        let update = update_for(PresenceKind::Custom, "Helping").unwrap();
        let json = serde_json::to_value(&update).unwrap();
        assert_eq!(json["op"], 3);
        assert_eq!(json["d"]["activities"][0]["type"], 4);
        assert_eq!(json["d"]["activities"][0]["state"], "Helping");
        let watching =
            serde_json::to_value(update_for(PresenceKind::Watching, "2 servers")).unwrap();
        assert_eq!(watching["d"]["activities"][0]["type"], 3);
        assert_eq!(watching["d"]["activities"][0]["name"], "2 servers");
    }
}
