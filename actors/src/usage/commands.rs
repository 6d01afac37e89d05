//! `/usage …` as Discord sees it (twilight-interactions), and the catalogue entry that says
//! who may run what: everyone sees the overview of their own server, only the bot's owners
//! see the errors of every server.

use twilight_interactions::command::{CommandModel, CreateCommand};

use crate::kernel::catalogue::CommandEntry;
use crate::kernel::policy::AccessLevel;

/// The days a view covers unless asked otherwise.
pub const DEFAULT_DAYS: i64 = 7;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "usage", desc = "How the bot is used", contexts = "guild")]
pub enum UsageCommand {
    #[command(name = "overview")]
    Overview(UsageOverview),
    #[command(name = "errors")]
    Errors(UsageErrors),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "overview",
    desc = "Uptime, servers, members, and this server's commands"
)]
pub struct UsageOverview {
    /// Days the top commands cover (default 7)
    #[command(min_value = 1, max_value = 365)]
    pub days: Option<i64>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "errors",
    desc = "Failed and busy commands across all servers (bot owners)"
)]
pub struct UsageErrors {
    /// Days covered (default 7)
    #[command(min_value = 1, max_value = 365)]
    pub days: Option<i64>,
}

/// The catalogue entry.
pub fn entries() -> Vec<CommandEntry> {
    vec![CommandEntry {
        stricter: &[("errors", AccessLevel::Owner)],
        ..CommandEntry::new(
            super::USAGE,
            super::CATEGORY.key,
            AccessLevel::Everyone,
            UsageCommand::create_command(),
        )
    }]
}
