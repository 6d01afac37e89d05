//! `/security …` as Discord sees it (twilight-interactions), and the catalogue entry that
//! says who may run what: moderators see the state and lock channels down; admins change
//! the settings.

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::channel::ChannelType;
use twilight_model::id::marker::{ChannelMarker, RoleMarker, UserMarker};
use twilight_model::id::Id;

use super::settings::{Action, SpamRule};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::policy::AccessLevel;

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionChoice {
    #[option(name = "Quarantine role", value = "quarantine")]
    Quarantine,
    #[option(name = "Timeout", value = "timeout")]
    Timeout,
    #[option(name = "Kick", value = "kick")]
    Kick,
    #[option(name = "Ban", value = "ban")]
    Ban,
    #[option(name = "Delete the messages only", value = "delete")]
    Delete,
}

impl From<ActionChoice> for Action {
    fn from(choice: ActionChoice) -> Action {
        match choice {
            ActionChoice::Quarantine => Action::Quarantine,
            ActionChoice::Timeout => Action::Timeout,
            ActionChoice::Kick => Action::Kick,
            ActionChoice::Ban => Action::Ban,
            ActionChoice::Delete => Action::Delete,
        }
    }
}

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleChoice {
    #[option(name = "Message rate", value = "rate")]
    Rate,
    #[option(name = "Repeated text", value = "duplicates")]
    Duplicates,
    #[option(name = "Mention flood", value = "mentions")]
    Mentions,
    #[option(name = "Invite links", value = "invites")]
    Invites,
    #[option(name = "Link flood", value = "links")]
    Links,
    #[option(name = "Newline or emoji wall", value = "walls")]
    Walls,
}

impl From<RuleChoice> for SpamRule {
    fn from(choice: RuleChoice) -> SpamRule {
        match choice {
            RuleChoice::Rate => SpamRule::Rate,
            RuleChoice::Duplicates => SpamRule::Duplicates,
            RuleChoice::Mentions => SpamRule::Mentions,
            RuleChoice::Invites => SpamRule::Invites,
            RuleChoice::Links => SpamRule::Links,
            RuleChoice::Walls => SpamRule::Walls,
        }
    }
}

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindChoice {
    #[option(name = "Raids", value = "raid")]
    Raid,
    #[option(name = "Spam", value = "spam")]
    Spam,
    #[option(name = "Nukes", value = "nuke")]
    Nuke,
    #[option(name = "Lockdowns", value = "lockdown")]
    Lockdown,
    #[option(name = "Unlockdowns", value = "unlockdown")]
    Unlockdown,
    #[option(name = "Verification", value = "verification")]
    Verification,
    #[option(name = "Setting changes", value = "config")]
    Config,
    #[option(name = "Missing permissions", value = "permission")]
    Permission,
}

impl KindChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            KindChoice::Raid => "raid",
            KindChoice::Spam => "spam",
            KindChoice::Nuke => "nuke",
            KindChoice::Lockdown => "lockdown",
            KindChoice::Unlockdown => "unlockdown",
            KindChoice::Verification => "verification",
            KindChoice::Config => "config",
            KindChoice::Permission => "permission",
        }
    }
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "security",
    desc = "Server protection: raids, spam, nukes, lockdowns",
    contexts = "guild"
)]
pub enum SecurityCommand {
    #[command(name = "status")]
    Status(SecurityStatus),
    #[command(name = "events")]
    Events(SecurityEvents),
    #[command(name = "lockdown")]
    Lockdown(SecurityLockdown),
    #[command(name = "unlockdown")]
    Unlockdown(SecurityUnlockdown),
    #[command(name = "end-raid")]
    EndRaid(SecurityEndRaid),
    #[command(name = "config")]
    Config(SecurityConfig),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "status",
    desc = "Raid mode, lockdown, thresholds and the last events"
)]
pub struct SecurityStatus;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "events", desc = "Security events, newest first")]
pub struct SecurityEvents {
    /// Only events about this member
    pub user: Option<Id<UserMarker>>,
    /// Only this kind of event
    pub kind: Option<KindChoice>,
    /// Only since then: 30m, 6h, 2d or a date (2026-12-01)
    #[command(max_length = 40)]
    pub since: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "lockdown",
    desc = "Stop @everyone sending in a channel or everywhere"
)]
pub struct SecurityLockdown {
    /// The channel to lock (default: this one)
    #[command(channel_types = "guild_text guild_announcement guild_forum")]
    pub channel: Option<Id<ChannelMarker>>,
    /// Lock every text channel and pause invites
    pub all: Option<bool>,
    /// Why (shown in the log)
    #[command(max_length = 300)]
    pub reason: Option<String>,
    /// Undo by itself after this long: 30m, 2h, 1d
    #[command(max_length = 20)]
    pub duration: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "unlockdown",
    desc = "Give every locked channel back its permissions exactly"
)]
pub struct SecurityUnlockdown;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "end-raid", desc = "End raid mode now")]
pub struct SecurityEndRaid;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "config", desc = "Protection settings (admins)")]
pub enum SecurityConfig {
    #[command(name = "show")]
    Show(ConfigShow),
    #[command(name = "raid")]
    Raid(ConfigRaid),
    #[command(name = "spam")]
    Spam(ConfigSpam),
    #[command(name = "nuke")]
    Nuke(ConfigNuke),
    #[command(name = "exempt")]
    Exempt(ConfigExempt),
    #[command(name = "log")]
    Log(ConfigLog),
    #[command(name = "webhook")]
    Webhook(ConfigWebhook),
    #[command(name = "verification")]
    Verification(ConfigVerification),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "show", desc = "Every protection setting of this server")]
pub struct ConfigShow;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "raid",
    desc = "Raid detection: thresholds and what happens to raiders"
)]
pub struct ConfigRaid {
    /// Raid detection on or off
    pub enabled: Option<bool>,
    /// Weighted joins per window that always make a raid (3–10000)
    pub min_joins: Option<i64>,
    /// Joins per window per 1000 members (0–1000): the threshold grows with the server
    pub per_mille: Option<i64>,
    /// The join window in seconds (5–3600)
    pub window_seconds: Option<i64>,
    /// Minutes without a join that end raid mode (1–1440)
    pub quiet_minutes: Option<i64>,
    /// Accounts younger than this many days weigh double (0–365)
    pub new_account_days: Option<i64>,
    /// What raiders get (default: the quarantine role)
    pub action: Option<ActionChoice>,
    /// The quarantine role (below the bot's highest role)
    pub quarantine_role: Option<Id<RoleMarker>>,
    /// Also lock every channel down and pause invites during a raid
    pub lockdown: Option<bool>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "spam", desc = "Spam rules: limits, and each rule's action")]
pub struct ConfigSpam {
    /// Spam detection on or off (with rule: only that rule)
    pub enabled: Option<bool>,
    /// The rule whose action or switch this changes
    pub rule: Option<RuleChoice>,
    /// What the rule does to the author (their messages are removed in any case)
    pub action: Option<ActionChoice>,
    /// Messages per rate-seconds that count as flooding (3–100)
    pub rate: Option<i64>,
    /// The rate window in seconds (1–60)
    pub rate_seconds: Option<i64>,
    /// The same text this many times in 30 s (2–50)
    pub duplicates: Option<i64>,
    /// Mentions in one message (2–100)
    pub mentions: Option<i64>,
    /// Links in 30 s (2–100)
    pub links: Option<i64>,
    /// Lines or emoji in one message (5–500)
    pub wall: Option<i64>,
    /// Minutes a timeout lasts (1–40320)
    pub timeout_minutes: Option<i64>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "nuke",
    desc = "Anti-nuke: destructive actions one person may take"
)]
pub struct ConfigNuke {
    /// Anti-nuke on or off
    pub enabled: Option<bool>,
    /// Channel or role deletions, bans and kicks allowed per window (1–100)
    pub limit: Option<i64>,
    /// The window in seconds (1–3600)
    pub window_seconds: Option<i64>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "exempt",
    desc = "Roles and channels the spam rules leave alone"
)]
pub struct ConfigExempt {
    /// A role whose members the spam rules leave alone
    pub role: Option<Id<RoleMarker>>,
    /// A channel the spam rules leave alone
    #[command(channel_types = "guild_text guild_announcement guild_forum")]
    pub channel: Option<Id<ChannelMarker>>,
    /// Take them off the list instead
    pub remove: Option<bool>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "log", desc = "Where incidents and actions are posted")]
pub struct ConfigLog {
    /// The security log channel
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Id<ChannelMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "webhook",
    desc = "A Discord webhook that also gets every incident"
)]
pub struct ConfigWebhook {
    /// https://discord.com/api/webhooks/… (leave empty with remove to stop)
    #[command(max_length = 200)]
    pub url: Option<String>,
    /// Stop posting to the webhook
    pub remove: Option<bool>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "verification", desc = "The verification gate for new members")]
pub struct ConfigVerification {
    /// The gate on or off
    pub enabled: Option<bool>,
    /// The role new members hold until they pass (it should see only the verify channel)
    pub role: Option<Id<RoleMarker>>,
    /// Where the Verify button is posted
    #[command(channel_types = "guild_text")]
    pub channel: Option<Id<ChannelMarker>>,
    /// Minutes before someone who has not passed is kicked (1–10080)
    pub timeout_minutes: Option<i64>,
}

/// Channel types a lockdown covers when it covers everything.
pub const LOCKABLE: [ChannelType; 4] = [
    ChannelType::GuildText,
    ChannelType::GuildAnnouncement,
    ChannelType::GuildForum,
    ChannelType::GuildVoice,
];

pub fn entries() -> Vec<CommandEntry> {
    vec![CommandEntry {
        concern: super::SECURITY,
        feature: super::SECURITY,
        category: super::CATEGORY.key,
        access: AccessLevel::Moderator,
        stricter: &[("config", AccessLevel::Admin)],
        private: true,
        cooldown: false,
        definition: SecurityCommand::create_command(),
        complete: None,
    }]
}
