//! The ticket commands as Discord sees them (twilight-interactions): `/ticket …` for
//! openers and staff, `/tickets …` for admins, and the catalogue entries that say who may
//! run each (staff of a category are checked per ticket, in the handlers).

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::id::marker::{ChannelMarker, RoleMarker, UserMarker};
use twilight_model::id::Id;

use super::store::Priority;
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::policy::AccessLevel;

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorityChoice {
    #[option(name = "Low", value = "low")]
    Low,
    #[option(name = "Normal", value = "normal")]
    Normal,
    #[option(name = "High", value = "high")]
    High,
    #[option(name = "Urgent", value = "urgent")]
    Urgent,
    #[option(name = "Critical", value = "critical")]
    Critical,
}

impl From<PriorityChoice> for Priority {
    fn from(choice: PriorityChoice) -> Priority {
        match choice {
            PriorityChoice::Low => Priority::Low,
            PriorityChoice::Normal => Priority::Normal,
            PriorityChoice::High => Priority::High,
            PriorityChoice::Urgent => Priority::Urgent,
            PriorityChoice::Critical => Priority::Critical,
        }
    }
}

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListChoice {
    #[option(name = "Open tickets", value = "open")]
    Open,
    #[option(name = "Claimed by me", value = "mine")]
    Mine,
    #[option(name = "Open and closed", value = "all")]
    All,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "ticket", desc = "Support tickets", contexts = "guild")]
pub enum TicketCommand {
    #[command(name = "create")]
    Create(TicketCreate),
    #[command(name = "claim")]
    Claim(TicketClaim),
    #[command(name = "unclaim")]
    Unclaim(TicketUnclaim),
    #[command(name = "close")]
    Close(TicketClose),
    #[command(name = "reopen")]
    Reopen(TicketReopen),
    #[command(name = "add")]
    Add(TicketAdd),
    #[command(name = "remove")]
    Remove(TicketRemove),
    #[command(name = "priority")]
    Priority(TicketPriority),
    #[command(name = "note")]
    Note(TicketNote),
    #[command(name = "info")]
    Info(TicketInfo),
    #[command(name = "list")]
    List(TicketList),
    #[command(name = "transcript")]
    Transcript(TicketTranscript),
    #[command(name = "rename")]
    Rename(TicketRename),
    #[command(name = "schedule-close")]
    ScheduleClose(TicketScheduleClose),
    #[command(name = "transfer")]
    Transfer(TicketTransfer),
    #[command(name = "lock")]
    Lock(TicketLock),
    #[command(name = "unlock")]
    Unlock(TicketUnlock),
    #[command(name = "tags")]
    Tags(TicketTags),
    #[command(name = "department")]
    Department(TicketDepartment),
    #[command(name = "escalate")]
    Escalate(TicketEscalate),
    #[command(name = "soft-delete")]
    SoftDelete(TicketSoftDelete),
    #[command(name = "hard-delete")]
    HardDelete(TicketHardDelete),
    #[command(name = "force-close")]
    ForceClose(TicketForceClose),
    #[command(name = "feedback")]
    Feedback(TicketFeedback),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "lock", desc = "Let the opener read but not write here (staff)")]
pub struct TicketLock;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "unlock", desc = "Let the opener write here again (staff)")]
pub struct TicketUnlock;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "tags", desc = "Show or change this ticket's tags (staff)")]
pub struct TicketTags {
    /// Tags to add, separated by commas
    #[command(max_length = 200)]
    pub add: Option<String>,
    /// Tags to take off, separated by commas
    #[command(max_length = 200)]
    pub remove: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "department",
    desc = "Say which team has this ticket; no name clears it (staff)"
)]
pub struct TicketDepartment {
    /// The team (for instance Billing)
    #[command(max_length = 50)]
    pub name: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "escalate",
    desc = "Raise this ticket's escalation; level 2 and up calls the admins (staff)"
)]
pub struct TicketEscalate {
    /// The level (default: one up)
    #[command(min_value = 1, max_value = 3)]
    pub level: Option<i64>,
    /// Why
    #[command(max_length = 300)]
    pub reason: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "soft-delete",
    desc = "Delete this ticket's channel, keeping its record and transcript (staff)"
)]
pub struct TicketSoftDelete;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "hard-delete",
    desc = "Erase a ticket: record, timeline, transcript and channel (admins)"
)]
pub struct TicketHardDelete {
    /// The ticket's number (default: this channel's ticket)
    #[command(min_value = 1)]
    pub number: Option<i64>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "force-close",
    desc = "Close a ticket at once, also from outside its channel (admins)"
)]
pub struct TicketForceClose {
    /// The ticket's number (default: this channel's ticket)
    #[command(min_value = 1)]
    pub number: Option<i64>,
    /// Why
    #[command(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "feedback", desc = "Rate a ticket of yours that was closed")]
pub struct TicketFeedback {
    /// The ticket's number (ticket-0042 is 42)
    #[command(min_value = 1)]
    pub number: i64,
    /// 1 to 5 stars
    #[command(min_value = 1, max_value = 5)]
    pub stars: i64,
    /// Anything you want to tell us
    #[command(max_length = 1000)]
    pub text: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "schedule-close",
    desc = "Close this ticket in N minutes unless someone writes first; 0 cancels (staff)"
)]
pub struct TicketScheduleClose {
    /// Minutes from now (0 cancels a scheduled close)
    #[command(min_value = 0, max_value = 10080)]
    pub minutes: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "rename", desc = "Rename this ticket's channel (staff)")]
pub struct TicketRename {
    /// The new name (lower case, dashes; Discord tidies it)
    #[command(min_length = 1, max_length = 90)]
    pub name: String,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "transfer", desc = "Hand this ticket to another member (staff)")]
pub struct TicketTransfer {
    /// The member who owns the ticket from now on
    pub user: Id<UserMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "create", desc = "Open a support ticket")]
pub struct TicketCreate {
    /// The kind of ticket (default: the server's first category)
    #[command(autocomplete = true, max_length = 50)]
    pub category: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "claim", desc = "Take this ticket on (staff)")]
pub struct TicketClaim;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "unclaim", desc = "Give this ticket back (staff)")]
pub struct TicketUnclaim;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "close", desc = "Close this ticket")]
pub struct TicketClose {
    /// Why (shown in the log and the transcript)
    #[command(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "reopen", desc = "Reopen this closed ticket (staff)")]
pub struct TicketReopen;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "add", desc = "Let someone else into this ticket (staff)")]
pub struct TicketAdd {
    /// Who
    pub user: Id<UserMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "remove", desc = "Take someone out of this ticket (staff)")]
pub struct TicketRemove {
    /// Who
    pub user: Id<UserMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "priority", desc = "Set this ticket's priority (staff)")]
pub struct TicketPriority {
    /// How urgent
    pub level: PriorityChoice,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "note",
    desc = "Add an internal note (staff only, never shown in the channel)"
)]
pub struct TicketNote {
    /// The note
    #[command(min_length = 1, max_length = 1000)]
    pub text: String,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "info", desc = "This ticket's details and timeline (staff)")]
pub struct TicketInfo;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "list", desc = "List the server's tickets (staff)")]
pub struct TicketList {
    /// Which tickets (default: open ones)
    pub show: Option<ListChoice>,
    /// Only this priority
    pub priority: Option<PriorityChoice>,
    /// Only this category
    #[command(autocomplete = true, max_length = 50)]
    pub category: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "transcript",
    desc = "Write this ticket's transcript now (staff)"
)]
pub struct TicketTranscript;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "tickets",
    desc = "Set up support tickets (admins)",
    contexts = "guild"
)]
pub enum TicketsCommand {
    #[command(name = "category")]
    Category(CategoryGroup),
    #[command(name = "panel")]
    Panel(PanelGroup),
    #[command(name = "blacklist")]
    Blacklist(BlacklistGroup),
    #[command(name = "channels")]
    Channels(TicketsChannels),
    #[command(name = "setup")]
    Setup(TicketsSetup),
    #[command(name = "backup")]
    Backup(TicketsBackup),
    #[command(name = "restore")]
    Restore(TicketsRestore),
    #[command(name = "staff-warn")]
    StaffWarn(StaffWarn),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "channels",
    desc = "Set the ticket log and transcript channels, or show them"
)]
pub struct TicketsChannels {
    /// Where openings, claims and closes are logged
    #[command(channel_types = "guild_text")]
    pub log: Option<Id<ChannelMarker>>,
    /// Where transcripts of closed tickets are posted
    #[command(channel_types = "guild_text")]
    pub transcripts: Option<Id<ChannelMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "setup",
    desc = "Set up tickets step by step: channels, staff role, a first category and panel"
)]
pub struct TicketsSetup;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "backup",
    desc = "Download this server's ticket configuration as a file"
)]
pub struct TicketsBackup;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "restore",
    desc = "Restore a ticket configuration file (checked in full before anything changes)"
)]
pub struct TicketsRestore {
    /// A file from /tickets backup
    pub file: twilight_model::channel::Attachment,
}

/// The longest reason a staff warning takes.
pub const MAX_WARNING_REASON: usize = 500;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "staff-warn",
    desc = "Warn a staff member: recorded, sent to them by DM, counted on the leaderboard"
)]
pub struct StaffWarn {
    /// The staff member
    pub member: Id<UserMarker>,
    /// Why (sent to them)
    #[command(min_length = 1, max_length = 500)]
    pub reason: String,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "blacklist", desc = "Members who may not open tickets")]
pub enum BlacklistGroup {
    #[command(name = "add")]
    Add(BlacklistAdd),
    #[command(name = "remove")]
    Remove(BlacklistRemove),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "add", desc = "Bar a member from opening tickets")]
pub struct BlacklistAdd {
    /// Who
    pub user: Id<UserMarker>,
    /// For how many days (default: until removed)
    #[command(min_value = 1, max_value = 3650)]
    pub days: Option<i64>,
    /// Why (shown to them when they try)
    #[command(max_length = 300)]
    pub reason: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "remove", desc = "Let a member open tickets again")]
pub struct BlacklistRemove {
    /// Who
    pub user: Id<UserMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "category", desc = "Ticket categories")]
pub enum CategoryGroup {
    #[command(name = "upsert")]
    Upsert(CategoryUpsert),
    #[command(name = "list")]
    List(CategoryList),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "upsert",
    desc = "Create a category, or change the one of that name"
)]
pub struct CategoryUpsert {
    /// Its name, as openers see it
    #[command(min_length = 2, max_length = 50)]
    pub name: String,
    /// Who handles its tickets (default: the tickets staff role, else moderators)
    pub staff_role: Option<Id<RoleMarker>>,
    /// The Discord category its ticket channels go under
    #[command(channel_types = "guild_category")]
    pub parent: Option<Id<ChannelMarker>>,
    /// Minutes within which staff should first answer (0 = none)
    #[command(min_value = 0, max_value = 10080)]
    pub sla_minutes: Option<i64>,
    /// A new ticket's priority (default: normal)
    pub priority: Option<PriorityChoice>,
    /// Hide the opener from staff (admins can reveal)
    pub anonymous: Option<bool>,
    /// Up to 5 questions asked before opening, separated by | (mark one "(optional)")
    #[command(max_length = 400)]
    pub questions: Option<String>,
    /// Tags a new ticket starts with, separated by commas
    #[command(max_length = 200)]
    pub tags: Option<String>,
    /// Close an open ticket after this many silent minutes (0 = never)
    #[command(min_value = 0, max_value = 43200)]
    pub inactive_close_minutes: Option<i64>,
    /// Ask openers to solve a small sum first (keeps bots out)
    pub captcha: Option<bool>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "list", desc = "List the ticket categories")]
pub struct CategoryList;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "panel", desc = "Panels people open tickets from")]
pub enum PanelGroup {
    #[command(name = "create")]
    Create(PanelCreate),
    #[command(name = "deploy")]
    Deploy(PanelDeploy),
    #[command(name = "list")]
    List(PanelList),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "create", desc = "Create a panel")]
pub struct PanelCreate {
    /// The panel's title
    #[command(min_length = 1, max_length = 256)]
    pub title: String,
    /// What it says
    #[command(min_length = 1, max_length = 2000)]
    pub description: String,
    /// The category its button opens (default: a menu of every category)
    #[command(autocomplete = true, max_length = 50)]
    pub category: Option<String>,
    /// The button's label (default: Open a ticket)
    #[command(min_length = 1, max_length = 80)]
    pub label: Option<String>,
    /// The button's colour (default: blurple)
    pub style: Option<StyleChoice>,
    /// An emoji on the button or menu: 🎫, or one of this server's (<:name:id>)
    #[command(max_length = 64)]
    pub emoji: Option<String>,
}

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StyleChoice {
    #[option(name = "Blurple", value = "primary")]
    Primary,
    #[option(name = "Grey", value = "secondary")]
    Secondary,
    #[option(name = "Green", value = "success")]
    Success,
    #[option(name = "Red", value = "danger")]
    Danger,
}

impl StyleChoice {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            StyleChoice::Primary => "primary",
            StyleChoice::Secondary => "secondary",
            StyleChoice::Success => "success",
            StyleChoice::Danger => "danger",
        }
    }
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "deploy", desc = "Post a panel in a channel")]
pub struct PanelDeploy {
    /// The panel's number (see /tickets panel list)
    #[command(min_value = 1)]
    pub panel: i64,
    /// Where
    #[command(channel_types = "guild_text guild_announcement")]
    pub channel: Id<ChannelMarker>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "list", desc = "List the panels")]
pub struct PanelList;

/// The catalogue entries.
pub fn entries() -> Vec<CommandEntry> {
    vec![
        CommandEntry {
            concern: super::TICKETS,
            feature: super::TICKETS,
            category: super::CATEGORY.key,
            // Openers and staff alike; staff actions are checked per ticket and category.
            access: AccessLevel::Everyone,
            stricter: &[],
            private: true,
            cooldown: false,
            definition: TicketCommand::create_command(),
            complete: None,
        },
        CommandEntry {
            concern: super::TICKETS,
            feature: super::TICKETS,
            category: super::CATEGORY.key,
            access: AccessLevel::Admin,
            stricter: &[],
            private: true,
            cooldown: false,
            definition: TicketsCommand::create_command(),
            complete: None,
        },
    ]
}
