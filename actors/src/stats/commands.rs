//! `/channels …` and `/stats …` as Discord sees them (twilight-interactions), and the
//! catalogue entries that say who may run what: anyone sees a channel's chart,
//! moderators rescan the categories, admins promote channels and recalculate.

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::id::marker::ChannelMarker;
use twilight_model::id::Id;

use crate::kernel::catalogue::CommandEntry;
use crate::kernel::policy::AccessLevel;

/// The most months a recalculation may read (Discord's history is long; the rate limits
/// make a year of a busy server take hours).
pub const MAX_MONTHS: i64 = 24;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "channels",
    desc = "Proposed and permanent channels",
    contexts = "guild"
)]
pub enum ChannelsCommand {
    #[command(name = "promote")]
    Promote(ChannelsPromote),
    #[command(name = "refresh")]
    Refresh(ChannelsRefresh),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "promote",
    desc = "Move a proposed channel to the permanent category and announce it"
)]
pub struct ChannelsPromote {
    /// The proposed channel
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Id<ChannelMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "refresh",
    desc = "Rescan the proposed and permanent categories and refresh the rankings"
)]
pub struct ChannelsRefresh;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "stats", desc = "Channel activity", contexts = "guild")]
pub enum StatsCommand {
    #[command(name = "channel")]
    Channel(StatsChannel),
    #[command(name = "recalculate")]
    Recalculate(StatsRecalculate),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "channel", desc = "A chart of a channel's messages per day")]
pub struct StatsChannel {
    /// The channel (default: this one)
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Option<Id<ChannelMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "recalculate",
    desc = "Rebuild the counts from the channels' message history"
)]
pub struct StatsRecalculate {
    /// How many months back to read
    #[command(min_value = 1, max_value = 24)]
    pub months: i64,
}

/// The catalogue entries.
pub fn entries() -> Vec<CommandEntry> {
    vec![
        CommandEntry {
            stricter: &[("promote", AccessLevel::Admin)],
            ..CommandEntry::new(
                super::STATS,
                super::CATEGORY.key,
                AccessLevel::Moderator,
                ChannelsCommand::create_command(),
            )
        },
        CommandEntry {
            stricter: &[("recalculate", AccessLevel::Admin)],
            ..CommandEntry::new(
                super::STATS,
                super::CATEGORY.key,
                AccessLevel::Everyone,
                StatsCommand::create_command(),
            )
        },
    ]
}
