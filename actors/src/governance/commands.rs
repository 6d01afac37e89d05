//! `/propose`, `/report` (members), `/proposal` (admins) and `/reports` (staff) as Discord
//! sees them (twilight-interactions), and the catalogue entries that say who may run what.

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::Attachment;

use crate::kernel::catalogue::CommandEntry;
use crate::kernel::policy::AccessLevel;

// Parsed once per command and dropped at once: the attachment's size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "propose",
    desc = "Propose a new channel or emoji to the server's admins",
    contexts = "guild"
)]
pub enum ProposeCommand {
    #[command(name = "channel")]
    Channel(ProposeChannel),
    #[command(name = "emoji")]
    Emoji(ProposeEmoji),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "channel",
    desc = "Propose a new channel: say what it would be for"
)]
pub struct ProposeChannel {
    /// What the channel would be about
    #[command(max_length = 500)]
    pub idea: String,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "emoji",
    desc = "Propose a new emoji: PNG, JPEG or GIF, square, 32-256 px, at most 256 KB"
)]
pub struct ProposeEmoji {
    /// The emoji's name: 2-32 letters, digits or underscores
    #[command(max_length = 32)]
    pub name: String,
    /// The image: PNG, JPEG or GIF (animated too), square, 32-256 px, at most 256 KB
    pub file: Attachment,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "proposal",
    desc = "Decide on members' channel and emoji proposals",
    contexts = "guild"
)]
pub enum ProposalCommand {
    #[command(name = "approve")]
    Approve(ProposalApprove),
    #[command(name = "reject")]
    Reject(ProposalReject),
    #[command(name = "template")]
    Template(ProposalTemplate),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "approve",
    desc = "Approve a proposal: choose its name, then it is created and announced"
)]
pub struct ProposalApprove {
    /// The proposal's number (#) from the queue
    #[command(min_value = 1)]
    pub id: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "reject",
    desc = "Reject a proposal; the member gets the reason by DM"
)]
pub struct ProposalReject {
    /// The proposal's number (#) from the queue
    #[command(min_value = 1)]
    pub id: i64,
    /// Why (sent to the member)
    #[command(max_length = 500)]
    pub reason: String,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "template",
    desc = "Set the announcement of approved proposals: {name} {mention} {proposer} {idea} {kind}"
)]
pub struct ProposalTemplate {
    /// The announcement; leave out to go back to the built-in one
    #[command(max_length = 1500)]
    pub text: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "report",
    desc = "Report something to the staff in confidence (scams, harassment, ...)",
    contexts = "guild"
)]
pub struct ReportCommand {
    /// What happened: only staff will read it
    #[command(min_length = 5, max_length = 1500)]
    pub description: String,
    /// A screenshot or other evidence (optional)
    pub file: Option<Attachment>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "reports",
    desc = "Handle members' confidential reports",
    contexts = "guild"
)]
pub enum ReportsCommand {
    #[command(name = "view")]
    View(ReportsView),
    #[command(name = "resolve")]
    Resolve(ReportsResolve),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "view",
    desc = "Read a report in full; it is marked as being investigated and the reporter told"
)]
pub struct ReportsView {
    /// The report's number (#) from the queue
    #[command(min_value = 1)]
    pub id: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "resolve",
    desc = "Close a report; the reporter gets the explanation by DM"
)]
pub struct ReportsResolve {
    /// The report's number (#) from the queue
    #[command(min_value = 1)]
    pub id: i64,
    /// What was done (sent to the reporter)
    #[command(max_length = 1000)]
    pub explanation: String,
}

fn entry(
    access: AccessLevel,
    definition: twilight_interactions::command::ApplicationCommandData,
) -> CommandEntry {
    CommandEntry::new(super::GOVERNANCE, super::CATEGORY.key, access, definition)
}

pub fn entries() -> Vec<CommandEntry> {
    vec![
        entry(AccessLevel::Everyone, ProposeCommand::create_command()),
        entry(AccessLevel::Admin, ProposalCommand::create_command()),
        entry(AccessLevel::Everyone, ReportCommand::create_command()),
        entry(AccessLevel::Moderator, ReportsCommand::create_command()),
    ]
}
