//! A guild's protection settings — raid thresholds, spam rules and their actions, the
//! anti-nuke limit, exemptions, the security log, the incident webhook and the
//! verification gate — one typed document per guild, checked whole before it is stored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What is done to an account a rule caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Only its messages are removed (spam rules).
    Delete,
    /// The quarantine role: it sees nothing but what that role may see.
    Quarantine,
    /// Discord's timeout (`communication_disabled_until`).
    Timeout,
    Kick,
    Ban,
}

impl Action {
    pub const ALL: [Action; 5] = [
        Action::Delete,
        Action::Quarantine,
        Action::Timeout,
        Action::Kick,
        Action::Ban,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Delete => "delete",
            Action::Quarantine => "quarantine",
            Action::Timeout => "timeout",
            Action::Kick => "kick",
            Action::Ban => "ban",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// The spam rules, each with its own action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum SpamRule {
    /// Too many messages from one member in a few seconds.
    Rate,
    /// The same text again and again, or across channels.
    Duplicates,
    /// Too many mentions in one message.
    Mentions,
    /// A Discord invite link.
    Invites,
    /// Too many links in a short time.
    Links,
    /// A wall of newlines or emoji.
    Walls,
}

impl SpamRule {
    pub const ALL: [SpamRule; 6] = [
        SpamRule::Rate,
        SpamRule::Duplicates,
        SpamRule::Mentions,
        SpamRule::Invites,
        SpamRule::Links,
        SpamRule::Walls,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SpamRule::Rate => "rate",
            SpamRule::Duplicates => "duplicates",
            SpamRule::Mentions => "mentions",
            SpamRule::Invites => "invites",
            SpamRule::Links => "links",
            SpamRule::Walls => "walls",
        }
    }

    pub fn parse(text: &str) -> Option<SpamRule> {
        SpamRule::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// What a rule does unless the guild chose otherwise.
    pub fn default_action(self) -> Action {
        match self {
            SpamRule::Rate | SpamRule::Duplicates | SpamRule::Mentions => Action::Timeout,
            SpamRule::Invites | SpamRule::Links | SpamRule::Walls => Action::Delete,
        }
    }
}

/// A guild's protection settings; every field has a default that suits a server of 50
/// and one of 50,000 members (the raid threshold scales with the member count). Raid,
/// spam and nuke protection start switched off: an admin turns each on
/// (`/security config raid enabled:True`), as in every protection bot, so a server that
/// only wanted tickets never has members timed out by surprise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GuardSettings {
    /// Where incidents and actions are posted.
    pub log_channel: Option<u64>,
    /// A Discord webhook that also gets every incident.
    pub webhook_url: Option<String>,
    /// Who last changed the settings: told once when an action lacks a permission.
    pub configured_by: Option<u64>,

    pub raid_enabled: bool,
    /// Weighted joins in the window that always make a raid (the floor of the threshold).
    pub raid_min_joins: u32,
    /// The threshold's share of the member count, per mille per window.
    pub raid_per_mille: u32,
    pub raid_window_seconds: u32,
    /// Raid mode ends by itself after this long without a join.
    pub raid_quiet_minutes: u32,
    pub raid_action: Action,
    /// Accounts younger than this weigh double.
    pub new_account_days: u32,
    pub quarantine_role: Option<u64>,
    /// Whether a raid also locks every channel down (and pauses invites).
    pub raid_lockdown: bool,

    pub spam_enabled: bool,
    /// Messages per `spam_rate_seconds` that count as flooding.
    pub spam_rate: u32,
    pub spam_rate_seconds: u32,
    /// The same text this many times in 30 s (or in 3 channels).
    pub spam_duplicates: u32,
    /// Mentions of members or roles in one message.
    pub spam_mentions: u32,
    /// Links in 30 s.
    pub spam_links: u32,
    /// Lines or emoji in one message.
    pub spam_wall: u32,
    pub spam_timeout_minutes: u32,
    /// Each rule's action (rules not named here use their default).
    pub spam_actions: BTreeMap<SpamRule, Action>,
    /// Rules switched off in this guild.
    pub spam_off: Vec<SpamRule>,

    pub nuke_enabled: bool,
    /// Destructive actions (channel or role deleted, member banned or kicked) one person
    /// may take per window; the next one strips their dangerous roles.
    pub nuke_limit: u32,
    pub nuke_window_seconds: u32,

    /// Roles and channels the spam rules leave alone (staff always are).
    pub exempt_roles: Vec<u64>,
    pub exempt_channels: Vec<u64>,

    pub verify_enabled: bool,
    /// The role new members hold until they pass; it should see only the verify channel.
    pub verify_role: Option<u64>,
    pub verify_channel: Option<u64>,
    /// Members who do not pass within this long are kicked.
    pub verify_timeout_minutes: u32,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            log_channel: None,
            webhook_url: None,
            configured_by: None,
            raid_enabled: false,
            raid_min_joins: 10,
            raid_per_mille: 5,
            raid_window_seconds: 60,
            raid_quiet_minutes: 10,
            raid_action: Action::Quarantine,
            new_account_days: 7,
            quarantine_role: None,
            raid_lockdown: false,
            spam_enabled: false,
            spam_rate: 7,
            spam_rate_seconds: 5,
            spam_duplicates: 4,
            spam_mentions: 8,
            spam_links: 6,
            spam_wall: 30,
            spam_timeout_minutes: 10,
            spam_actions: BTreeMap::new(),
            spam_off: Vec::new(),
            nuke_enabled: false,
            nuke_limit: 3,
            nuke_window_seconds: 10,
            exempt_roles: Vec::new(),
            exempt_channels: Vec::new(),
            verify_enabled: false,
            verify_role: None,
            verify_channel: None,
            verify_timeout_minutes: 30,
        }
    }
}

/// A number's allowed range, as `/security config` checks it.
pub struct Bound {
    pub name: &'static str,
    pub min: u32,
    pub max: u32,
}

pub const RAID_MIN_JOINS: Bound = Bound {
    name: "min-joins",
    min: 3,
    max: 10_000,
};
pub const RAID_PER_MILLE: Bound = Bound {
    name: "per-mille",
    min: 0,
    max: 1000,
};
pub const RAID_WINDOW: Bound = Bound {
    name: "window-seconds",
    min: 5,
    max: 3600,
};
pub const RAID_QUIET: Bound = Bound {
    name: "quiet-minutes",
    min: 1,
    max: 1440,
};
pub const NEW_ACCOUNT_DAYS: Bound = Bound {
    name: "new-account-days",
    min: 0,
    max: 365,
};
pub const SPAM_RATE: Bound = Bound {
    name: "rate",
    min: 3,
    max: 100,
};
pub const SPAM_RATE_SECONDS: Bound = Bound {
    name: "rate-seconds",
    min: 1,
    max: 60,
};
pub const SPAM_DUPLICATES: Bound = Bound {
    name: "duplicates",
    min: 2,
    max: 50,
};
pub const SPAM_MENTIONS: Bound = Bound {
    name: "mentions",
    min: 2,
    max: 100,
};
pub const SPAM_LINKS: Bound = Bound {
    name: "links",
    min: 2,
    max: 100,
};
pub const SPAM_WALL: Bound = Bound {
    name: "wall",
    min: 5,
    max: 500,
};
/// Discord's timeout is at most 28 days.
pub const SPAM_TIMEOUT: Bound = Bound {
    name: "timeout-minutes",
    min: 1,
    max: 40_320,
};
pub const NUKE_LIMIT: Bound = Bound {
    name: "limit",
    min: 1,
    max: 100,
};
pub const NUKE_WINDOW: Bound = Bound {
    name: "window-seconds",
    min: 1,
    max: 3600,
};
pub const VERIFY_TIMEOUT: Bound = Bound {
    name: "timeout-minutes",
    min: 1,
    max: 10_080,
};

impl Bound {
    /// The value when it is in range; else which setting, its range and what was given.
    pub fn check(&self, value: i64) -> Result<u32, (String, u32, u32, i64)> {
        if (i64::from(self.min)..=i64::from(self.max)).contains(&value) {
            Ok(value as u32)
        } else {
            Err((self.name.to_owned(), self.min, self.max, value))
        }
    }
}

impl GuardSettings {
    /// The defaults with raid, spam and nuke protection on.
    pub fn protecting() -> Self {
        GuardSettings {
            raid_enabled: true,
            spam_enabled: true,
            nuke_enabled: true,
            ..GuardSettings::default()
        }
    }

    /// The action a spam rule takes here.
    pub fn spam_action(&self, rule: SpamRule) -> Action {
        self.spam_actions
            .get(&rule)
            .copied()
            .unwrap_or_else(|| rule.default_action())
    }

    pub fn spam_rule_on(&self, rule: SpamRule) -> bool {
        self.spam_enabled && !self.spam_off.contains(&rule)
    }

    /// Weighted joins per window that make a raid on a server of `members`.
    pub fn raid_threshold(&self, members: u64) -> f64 {
        let scaled = (members as f64 * f64::from(self.raid_per_mille) / 1000.0).ceil();
        scaled.max(f64::from(self.raid_min_joins))
    }
}

/// Whether `url` is a Discord webhook (`https://discord.com/api/webhooks/<id>/<token>`,
/// also the `discordapp.com`, `ptb.` and `canary.` hosts and a `/v10` path); its id and
/// token.
pub fn parse_webhook_url(url: &str) -> Option<(u64, String)> {
    let rest = url.trim().strip_prefix("https://")?;
    let (host, path) = rest.split_once('/')?;
    let hosts = [
        "discord.com",
        "discordapp.com",
        "ptb.discord.com",
        "canary.discord.com",
    ];
    if !hosts.contains(&host) {
        return None;
    }
    let path = path.strip_prefix("api/")?;
    let path = path
        .strip_prefix("v10/")
        .or_else(|| path.strip_prefix("v9/"))
        .unwrap_or(path);
    let path = path.strip_prefix("webhooks/")?;
    let path = path.split(['?', '#']).next()?;
    let mut parts = path.trim_end_matches('/').split('/');
    let id = parts.next()?.parse::<u64>().ok().filter(|id| *id > 0)?;
    let token = parts.next()?;
    let token_ok = (10..=100).contains(&token.len())
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if parts.next().is_some() || !token_ok {
        return None;
    }
    Some((id, token.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raid_threshold_scales_with_the_server() {
        let settings = GuardSettings::protecting();
        assert_eq!(settings.raid_threshold(50), 10.0);
        assert_eq!(settings.raid_threshold(500), 10.0);
        assert_eq!(settings.raid_threshold(50_000), 250.0);
    }

    #[test]
    fn only_discord_webhooks_are_accepted() {
        let token = "abcdefghijklmnopqrstuvwxyz_ABCDEFGH-1234567890";
        let good = format!("https://discord.com/api/webhooks/123456789012345678/{token}");
        assert_eq!(
            parse_webhook_url(&good),
            Some((123_456_789_012_345_678, token.to_owned()))
        );
        let v10 = format!("https://canary.discord.com/api/v10/webhooks/42/{token}?wait=true");
        assert!(parse_webhook_url(&v10).is_some());
        for bad in [
            format!("http://discord.com/api/webhooks/1/{token}"),
            format!("https://evil.example/api/webhooks/1/{token}"),
            format!("https://discord.com.evil.example/api/webhooks/1/{token}"),
            "https://discord.com/api/webhooks/1/".to_owned(),
            format!("https://discord.com/api/webhooks/abc/{token}"),
            format!("https://discord.com/api/webhooks/1/{token}/extra"),
            "not a url".to_owned(),
        ] {
            assert_eq!(parse_webhook_url(&bad), None, "{bad}");
        }
    }

    #[test]
    fn stored_settings_missing_new_keys_read_with_defaults() {
        let stored = r#"{"raid_min_joins": 20}"#;
        let settings: GuardSettings = serde_json::from_str(stored).unwrap();
        assert_eq!(settings.raid_min_joins, 20);
        assert_eq!(settings.spam_rate, 7);
        assert_eq!(settings.spam_action(SpamRule::Rate), Action::Timeout);
    }
}
