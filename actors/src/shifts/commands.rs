//! The shift commands as Discord sees them (twilight-interactions): `/timezone`,
//! `/schedule …` and `/shift …`, and the catalogue entries that say who may run each.

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::id::marker::UserMarker;
use twilight_model::id::Id;

use crate::kernel::catalogue::CommandEntry;
use crate::kernel::policy::AccessLevel;

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekdayChoice {
    #[option(name = "Monday", value = 0)]
    Monday,
    #[option(name = "Tuesday", value = 1)]
    Tuesday,
    #[option(name = "Wednesday", value = 2)]
    Wednesday,
    #[option(name = "Thursday", value = 3)]
    Thursday,
    #[option(name = "Friday", value = 4)]
    Friday,
    #[option(name = "Saturday", value = 5)]
    Saturday,
    #[option(name = "Sunday", value = 6)]
    Sunday,
}

#[derive(CommandOption, CreateOption, Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodChoice {
    #[option(name = "Last 7 days", value = "7d")]
    Week,
    #[option(name = "Last 30 days", value = "30d")]
    Month,
    #[option(name = "All time", value = "all")]
    AllTime,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "timezone",
    desc = "Your time zone, used whenever you leave a zone out",
    contexts = "guild"
)]
pub enum TimezoneCommand {
    #[command(name = "set")]
    Set(TimezoneSet),
    #[command(name = "show")]
    Show(TimezoneShow),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "set", desc = "Set your time zone")]
pub struct TimezoneSet {
    /// An IANA time zone, e.g. Europe/London (start typing to search)
    #[command(autocomplete = true)]
    pub zone: String,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "show", desc = "Show your time zone")]
pub struct TimezoneShow;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "schedule",
    desc = "Moderators' weekly schedules",
    contexts = "guild"
)]
pub enum ScheduleCommand {
    #[command(name = "add")]
    Add(ScheduleAdd),
    #[command(name = "remove")]
    Remove(ScheduleRemove),
    #[command(name = "view")]
    View(ScheduleView),
    #[command(name = "clear")]
    Clear(ScheduleClear),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "add",
    desc = "Add a weekly slot to your schedule (admins: anyone's)"
)]
pub struct ScheduleAdd {
    /// The day
    pub weekday: WeekdayChoice,
    /// The time, HH:MM (24 h), in the zone
    #[command(min_length = 3, max_length = 5)]
    pub time: String,
    /// The slot's time zone (default: your /timezone)
    #[command(autocomplete = true)]
    pub zone: Option<String>,
    /// Whose schedule (admins only; default: yours)
    pub user: Option<Id<UserMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "remove",
    desc = "Remove a weekly slot from your schedule (admins: anyone's)"
)]
pub struct ScheduleRemove {
    /// The day
    pub weekday: WeekdayChoice,
    /// The time, HH:MM (24 h), as it was added
    #[command(min_length = 3, max_length = 5)]
    pub time: String,
    /// Whose schedule (admins only; default: yours)
    pub user: Option<Id<UserMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "view", desc = "See a weekly schedule")]
pub struct ScheduleView {
    /// Whose schedule (default: yours)
    pub user: Option<Id<UserMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "clear",
    desc = "Remove every slot of your schedule (admins: anyone's)"
)]
pub struct ScheduleClear {
    /// Whose schedule (admins only; default: yours)
    pub user: Option<Id<UserMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "shift",
    desc = "Dropped shifts: drop, edit, cancel, stats, coverage",
    contexts = "guild"
)]
pub enum ShiftCommand {
    #[command(name = "drop")]
    Drop(ShiftDrop),
    #[command(name = "drop-slot")]
    DropSlot(ShiftDropSlot),
    #[command(name = "edit")]
    Edit(ShiftEdit),
    #[command(name = "cancel")]
    Cancel(ShiftCancel),
    #[command(name = "unclaim")]
    Unclaim(ShiftUnclaim),
    #[command(name = "stats")]
    Stats(ShiftStats),
    #[command(name = "leaderboard")]
    Leaderboard(ShiftLeaderboard),
    #[command(name = "upcoming")]
    Upcoming(ShiftUpcoming),
    #[command(name = "export")]
    Export(ShiftExport),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "drop", desc = "Post a shift for another moderator to claim")]
pub struct ShiftDrop {
    /// What the shift is
    #[command(max_length = 200)]
    pub description: String,
    /// When it starts, YYYY-MM-DD HH:MM in your time zone
    #[command(max_length = 16)]
    pub start: String,
    /// How long, in minutes (15 to 1440)
    #[command(min_value = 15, max_value = 1440)]
    pub duration_minutes: i64,
    /// The start's time zone (default: your /timezone)
    #[command(autocomplete = true)]
    pub zone: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "drop-slot",
    desc = "Drop the next slot of your schedule (admins: anyone's)"
)]
pub struct ShiftDropSlot {
    /// Whose slot (admins only; default: yours)
    pub user: Option<Id<UserMarker>>,
    /// How long, in minutes (default 60)
    #[command(min_value = 15, max_value = 1440)]
    pub duration_minutes: Option<i64>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "edit",
    desc = "Change an unclaimed shift (its dropper or an admin)"
)]
pub struct ShiftEdit {
    /// The shift's number
    #[command(min_value = 1)]
    pub id: i64,
    /// A new description
    #[command(max_length = 200)]
    pub description: Option<String>,
    /// A new start, YYYY-MM-DD HH:MM
    #[command(max_length = 16)]
    pub start: Option<String>,
    /// A new duration in minutes
    #[command(min_value = 15, max_value = 1440)]
    pub duration_minutes: Option<i64>,
    /// The new start's time zone (default: your /timezone)
    #[command(autocomplete = true)]
    pub zone: Option<String>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "cancel", desc = "Cancel a shift (its dropper or an admin)")]
pub struct ShiftCancel {
    /// The shift's number
    #[command(min_value = 1)]
    pub id: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "unclaim",
    desc = "Give back a shift you claimed, before it starts"
)]
pub struct ShiftUnclaim {
    /// The shift's number
    #[command(min_value = 1)]
    pub id: i64,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "stats",
    desc = "Shifts and hours claimed (7 days, 30 days, all time), dropped, cancelled"
)]
pub struct ShiftStats {
    /// Whose (default: yours)
    pub user: Option<Id<UserMarker>>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "leaderboard", desc = "Who covered the most hours")]
pub struct ShiftLeaderboard {
    /// Over which period
    pub period: PeriodChoice,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "upcoming", desc = "The next 7 days of coverage, with the gaps")]
pub struct ShiftUpcoming;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "export",
    desc = "Your claimed shifts as a calendar file (.ics)"
)]
pub struct ShiftExport;

/// The shift commands' catalogue entries.
pub fn entries() -> Vec<CommandEntry> {
    vec![
        CommandEntry {
            concern: super::SHIFTS,
            feature: super::SHIFTS,
            category: super::CATEGORY.key,
            access: AccessLevel::Everyone,
            stricter: &[],
            private: true,
            cooldown: false,
            definition: TimezoneCommand::create_command(),
            complete: None,
        },
        CommandEntry {
            concern: super::SHIFTS,
            feature: super::SHIFTS,
            category: super::CATEGORY.key,
            access: AccessLevel::Everyone,
            stricter: &[
                ("add", AccessLevel::Moderator),
                ("remove", AccessLevel::Moderator),
                ("clear", AccessLevel::Moderator),
            ],
            private: true,
            cooldown: false,
            definition: ScheduleCommand::create_command(),
            complete: None,
        },
        CommandEntry {
            concern: super::SHIFTS,
            feature: super::SHIFTS,
            category: super::CATEGORY.key,
            access: AccessLevel::Everyone,
            stricter: &[
                ("drop", AccessLevel::Moderator),
                ("drop-slot", AccessLevel::Moderator),
                ("edit", AccessLevel::Moderator),
                ("cancel", AccessLevel::Moderator),
                ("unclaim", AccessLevel::Moderator),
            ],
            private: true,
            cooldown: false,
            definition: ShiftCommand::create_command(),
            complete: None,
        },
    ]
}
