//! The command catalogue: one list of every slash command and prefix command, who may run
//! each (and each subcommand), which concern owns it and how it is shown in `/help`. Slash
//! command registration, the help menu, the dispatcher's routing and policy, and the
//! prefix commands are all built from it, so they cannot disagree.

use twilight_interactions::command::ApplicationCommandData;
use twilight_model::application::command::{Command, CommandOptionType};

use super::policy::AccessLevel;

/// A group of commands in `/help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    General,
    Settings,
    Shifts,
}

impl Category {
    pub const ALL: [Category; 3] = [Category::General, Category::Settings, Category::Shifts];

    /// The value carried by the help menu's select options and buttons.
    pub fn key(self) -> &'static str {
        match self {
            Category::General => "general",
            Category::Settings => "settings",
            Category::Shifts => "shifts",
        }
    }

    pub fn from_key(key: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.key() == key)
    }

    pub fn title(self) -> &'static str {
        match self {
            Category::General => "General",
            Category::Settings => "Server settings",
            Category::Shifts => "Moderator shifts",
        }
    }

    pub fn blurb(self) -> &'static str {
        match self {
            Category::General => "Help and the bot's health",
            Category::Settings => "Roles, log channel, channels and language",
            Category::Shifts => "Schedules, dropped shifts, claims and coverage",
        }
    }
}

/// One slash command.
#[derive(Debug, Clone)]
pub struct CommandEntry {
    /// What the concern that owns the command is called (the dispatcher routes by it).
    pub concern: &'static str,
    pub category: Category,
    /// Who may run the command at all.
    pub access: AccessLevel,
    /// Subcommands that need more than `access`, as `"group subcommand"` or `"subcommand"`.
    pub stricter: &'static [(&'static str, AccessLevel)],
    /// Whether its answers are for the caller only (decides how a slow answer is deferred).
    pub private: bool,
    /// Whether the per-user cooldown applies.
    pub cooldown: bool,
    /// Discord's definition (from twilight-interactions' `CreateCommand`).
    pub definition: fn() -> ApplicationCommandData,
}

/// One line of `/help`: a command or one of its subcommands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLine {
    /// `/config log-channel`
    pub usage: String,
    pub description: String,
    pub access: AccessLevel,
}

impl CommandEntry {
    pub fn name(&self) -> String {
        (self.definition)().name
    }

    /// The level needed for a path of subcommand names (empty for the command itself).
    pub fn access_for(&self, path: &[&str]) -> AccessLevel {
        let joined = path.join(" ");
        self.stricter
            .iter()
            .filter(|(prefix, _)| joined == *prefix || joined.starts_with(&format!("{prefix} ")))
            .map(|(_, level)| *level)
            .fold(self.access, AccessLevel::max)
    }

    /// The command and each of its subcommands as help lines.
    pub fn help_lines(&self) -> Vec<HelpLine> {
        let definition = (self.definition)();
        let mut lines = Vec::new();
        for option in &definition.options {
            match option.kind {
                CommandOptionType::SubCommand => lines.push(HelpLine {
                    usage: format!("/{} {}", definition.name, option.name),
                    description: option.description.clone(),
                    access: self.access_for(&[&option.name]),
                }),
                CommandOptionType::SubCommandGroup => {
                    for sub in option.options.iter().flatten() {
                        lines.push(HelpLine {
                            usage: format!("/{} {} {}", definition.name, option.name, sub.name),
                            description: sub.description.clone(),
                            access: self.access_for(&[&option.name, &sub.name]),
                        });
                    }
                }
                _ => {}
            }
        }
        if lines.is_empty() {
            lines.push(HelpLine {
                usage: format!("/{}", definition.name),
                description: definition.description,
                access: self.access,
            });
        }
        lines
    }
}

/// One prefix command (`!ping`): for bot owners and guild admins.
#[derive(Debug, Clone)]
pub struct PrefixEntry {
    pub name: &'static str,
    pub summary: &'static str,
    pub access: AccessLevel,
}

/// Every command Agora knows.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    commands: Vec<CommandEntry>,
    prefix: Vec<PrefixEntry>,
}

impl Catalogue {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_command(mut self, entry: CommandEntry) -> Self {
        self.commands.push(entry);
        self
    }

    pub fn with_prefix(mut self, entry: PrefixEntry) -> Self {
        self.prefix.push(entry);
        self
    }

    pub fn commands(&self) -> &[CommandEntry] {
        &self.commands
    }

    pub fn prefix_commands(&self) -> &[PrefixEntry] {
        &self.prefix
    }

    pub fn command(&self, name: &str) -> Option<&CommandEntry> {
        self.commands.iter().find(|entry| entry.name() == name)
    }

    pub fn prefix_command(&self, name: &str) -> Option<&PrefixEntry> {
        self.prefix.iter().find(|entry| entry.name == name)
    }

    /// What `PUT /applications/{id}/commands` receives.
    pub fn slash_commands(&self) -> Vec<Command> {
        self.commands
            .iter()
            .map(|entry| (entry.definition)().into())
            .collect()
    }

    /// The help lines of a category someone at `level` may run, in catalogue order.
    pub fn help_lines(&self, category: Category, level: AccessLevel) -> Vec<HelpLine> {
        self.commands
            .iter()
            .filter(|entry| entry.category == category)
            .flat_map(CommandEntry::help_lines)
            .filter(|line| line.access <= level)
            .collect()
    }

    /// The categories in which someone at `level` may run something.
    pub fn categories_for(&self, level: AccessLevel) -> Vec<Category> {
        Category::ALL
            .into_iter()
            .filter(|category| !self.help_lines(*category, level).is_empty())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use twilight_interactions::command::{CommandModel, CreateCommand};

    use super::*;

    #[derive(CommandModel, CreateCommand)]
    #[command(name = "demo", desc = "A demo")]
    #[allow(dead_code)]
    enum DemoCommand {
        #[command(name = "look")]
        Look(Look),
        #[command(name = "change")]
        Change(Change),
    }

    #[derive(CommandModel, CreateCommand)]
    #[command(name = "look", desc = "Look at it")]
    struct Look;

    #[derive(CommandModel, CreateCommand)]
    #[command(name = "change", desc = "Change it")]
    struct Change;

    fn catalogue() -> Catalogue {
        Catalogue::new().with_command(CommandEntry {
            concern: "demo",
            category: Category::Settings,
            access: AccessLevel::Everyone,
            stricter: &[("change", AccessLevel::Admin)],
            private: true,
            cooldown: false,
            definition: DemoCommand::create_command,
        })
    }

    #[test]
    fn subcommands_can_need_more_than_their_command() {
        let catalogue = catalogue();
        let demo = catalogue.command("demo").unwrap();
        assert_eq!(demo.access_for(&["look"]), AccessLevel::Everyone);
        assert_eq!(demo.access_for(&["change"]), AccessLevel::Admin);
        assert_eq!(demo.access_for(&["changes"]), AccessLevel::Everyone);
    }

    #[test]
    fn help_lists_only_what_the_level_may_run() {
        let catalogue = catalogue();
        let everyone = catalogue.help_lines(Category::Settings, AccessLevel::Everyone);
        assert_eq!(everyone.len(), 1);
        assert_eq!(everyone[0].usage, "/demo look");
        let admin = catalogue.help_lines(Category::Settings, AccessLevel::Admin);
        assert_eq!(admin.len(), 2);
        assert_eq!(
            catalogue.categories_for(AccessLevel::Everyone),
            vec![Category::Settings]
        );
        assert_eq!(catalogue.slash_commands()[0].name, "demo");
    }
}
