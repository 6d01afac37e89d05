//! The command catalogue: one list of every slash command and prefix command, who may run
//! each (and each subcommand), which concern owns it and how it is shown in `/help`. Slash
//! command registration, the help menu, the dispatcher's routing and policy, and the
//! prefix commands are all built from it, so they cannot disagree.

use twilight_interactions::command::ApplicationCommandData;
use twilight_model::application::command::{Command, CommandOptionType};

use super::policy::AccessLevel;
use crate::feature::{Feature, HelpCategory, SettingSpec};

/// Completes a command's definition from the whole catalogue.
pub type CompleteDefinition = fn(&Catalogue, &mut ApplicationCommandData);

/// One slash command.
#[derive(Debug, Clone)]
pub struct CommandEntry {
    /// The concern that handles it (the dispatcher routes by it).
    pub concern: &'static str,
    /// The feature it belongs to (set when the feature is added to the catalogue).
    pub feature: &'static str,
    /// The key of its `/help` category.
    pub category: &'static str,
    /// Who may run the command at all.
    pub access: AccessLevel,
    /// Subcommands that need more than `access`, as `"group subcommand"` or `"subcommand"`.
    pub stricter: &'static [(&'static str, AccessLevel)],
    /// Whether its answers are for the caller only (decides how a slow answer is deferred).
    pub private: bool,
    /// Whether the per-user cooldown applies.
    pub cooldown: bool,
    /// Discord's definition (from twilight-interactions' `CreateCommand`).
    pub definition: ApplicationCommandData,
    /// Completes the definition from the whole catalogue once every feature is in it
    /// (`/config` adds each feature's settings group this way).
    pub complete: Option<CompleteDefinition>,
}

impl CommandEntry {
    /// An entry with the usual defaults: private answers, no cooldown, no stricter
    /// subcommands; the feature is filled in by the catalogue.
    pub fn new(
        concern: &'static str,
        category: &'static str,
        access: AccessLevel,
        definition: ApplicationCommandData,
    ) -> Self {
        Self {
            concern,
            feature: "",
            category,
            access,
            stricter: &[],
            private: true,
            cooldown: false,
            definition,
            complete: None,
        }
    }
}

/// What the catalogue knows of one running feature.
#[derive(Debug, Clone)]
pub struct FeatureInfo {
    pub name: &'static str,
    pub settings: Vec<SettingSpec>,
    pub can_be_disabled: bool,
    /// What `/config` and refusals call it: its first help category's title, else its name.
    pub title: &'static str,
    /// That first help category (its title is translated where the catalogue has it).
    pub category: Option<HelpCategory>,
}

impl FeatureInfo {
    /// [`FeatureInfo::title`] in `locale`, as `/help` shows it.
    pub fn title_in(&self, locale: crate::kernel::i18n::Locale) -> String {
        self.category.map_or_else(
            || self.name.to_owned(),
            |category| category.title_in(locale),
        )
    }
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
    pub fn name(&self) -> &str {
        &self.definition.name
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
        let definition = &self.definition;
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
                description: definition.description.clone(),
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

/// Every command Agora knows, and the features they come from.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    commands: Vec<CommandEntry>,
    prefix: Vec<PrefixEntry>,
    categories: Vec<(HelpCategory, &'static str)>,
    features: Vec<FeatureInfo>,
    /// Every command's help lines with their category, in catalogue order: built at the
    /// first `/help` (each one asks for them per category several times), forgotten when
    /// the catalogue changes.
    help: std::sync::OnceLock<Vec<(&'static str, HelpLine)>>,
}

impl Catalogue {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a feature: its help categories, commands, prefix commands and settings.
    pub fn with_feature(mut self, feature: &dyn Feature) -> Self {
        self.help = std::sync::OnceLock::new();
        let name = feature.name();
        let categories = feature.help_categories();
        self.features.push(FeatureInfo {
            name,
            settings: feature.settings(),
            can_be_disabled: feature.can_be_disabled(),
            title: categories.first().map_or(name, |category| category.title),
            category: categories.first().copied(),
        });
        self.categories
            .extend(categories.into_iter().map(|category| (category, name)));
        for mut entry in feature.commands() {
            entry.feature = name;
            self.commands.push(entry);
        }
        self.prefix.extend(feature.prefix_commands());
        self
    }

    /// Lets each command complete its definition from the whole catalogue; call once
    /// every feature is in.
    pub fn finish(mut self) -> Self {
        self.help = std::sync::OnceLock::new();
        let completions: Vec<(usize, CompleteDefinition)> = self
            .commands
            .iter()
            .enumerate()
            .filter_map(|(index, entry)| entry.complete.map(|complete| (index, complete)))
            .collect();
        for (index, complete) in completions {
            let mut definition = self.commands[index].definition.clone();
            complete(&self, &mut definition);
            self.commands[index].definition = definition;
        }
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

    /// Whether `name` with subcommand `path` (group, subcommand; or fewer) is a command
    /// or a part of one in the catalogue.
    pub fn knows_path(&self, name: &str, path: &[&str]) -> bool {
        let Some(entry) = self.command(name) else {
            return false;
        };
        let mut level = entry.definition.options.as_slice();
        for word in path {
            let found = level.iter().find(|option| {
                option.name == *word
                    && matches!(
                        option.kind,
                        CommandOptionType::SubCommand | CommandOptionType::SubCommandGroup
                    )
            });
            match found {
                Some(option) => level = option.options.as_deref().unwrap_or(&[]),
                None => return false,
            }
        }
        true
    }

    pub fn prefix_command(&self, name: &str) -> Option<&PrefixEntry> {
        self.prefix.iter().find(|entry| entry.name == name)
    }

    /// The running features, in the order they were added.
    pub fn features(&self) -> &[FeatureInfo] {
        &self.features
    }

    pub fn feature(&self, name: &str) -> Option<&FeatureInfo> {
        self.features.iter().find(|feature| feature.name == name)
    }

    /// A help category by its key, and the feature it belongs to.
    pub fn category(&self, key: &str) -> Option<(&HelpCategory, &'static str)> {
        self.categories
            .iter()
            .find(|(category, _)| category.key == key)
            .map(|(category, feature)| (category, *feature))
    }

    /// What `PUT /applications/{id}/commands` receives.
    pub fn slash_commands(&self) -> Vec<Command> {
        self.commands
            .iter()
            .map(|entry| entry.definition.clone().into())
            .collect()
    }

    /// The help lines of a category someone at `level` may run, in catalogue order.
    pub fn help_lines(&self, category: &str, level: AccessLevel) -> Vec<&HelpLine> {
        self.help
            .get_or_init(|| {
                self.commands
                    .iter()
                    .flat_map(|entry| {
                        entry
                            .help_lines()
                            .into_iter()
                            .map(|line| (entry.category, line))
                    })
                    .collect()
            })
            .iter()
            .filter(|(of, line)| *of == category && line.access <= level)
            .map(|(_, line)| line)
            .collect()
    }

    /// The categories in which someone at `level` may run something, leaving out those
    /// of features `is_on` says are off.
    pub fn categories_for(
        &self,
        level: AccessLevel,
        is_on: impl Fn(&str) -> bool,
    ) -> Vec<&HelpCategory> {
        self.categories
            .iter()
            .filter(|(_, feature)| is_on(feature))
            .map(|(category, _)| category)
            .filter(|category| !self.help_lines(category.key, level).is_empty())
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

    struct Demo;

    impl Feature for Demo {
        fn name(&self) -> &'static str {
            "demo"
        }

        fn help_categories(&self) -> Vec<HelpCategory> {
            vec![HelpCategory {
                key: "demo",
                title: "Demo",
                blurb: "A demo",
            }]
        }

        fn commands(&self) -> Vec<CommandEntry> {
            vec![CommandEntry {
                stricter: &[("change", AccessLevel::Admin)],
                ..CommandEntry::new(
                    "demo",
                    "demo",
                    AccessLevel::Everyone,
                    DemoCommand::create_command(),
                )
            }]
        }

        fn start(self: Box<Self>, _start: &mut crate::feature::FeatureStart<'_>) {}
    }

    fn catalogue() -> Catalogue {
        Catalogue::new().with_feature(&Demo).finish()
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
    fn knows_commands_and_their_subcommand_paths_only() {
        let catalogue = catalogue();
        assert!(catalogue.knows_path("demo", &[]));
        assert!(catalogue.knows_path("demo", &["look"]));
        assert!(!catalogue.knows_path("demo", &["looks"]));
        assert!(!catalogue.knows_path("demo", &["look", "deeper"]));
        assert!(!catalogue.knows_path("nope", &[]));
    }

    #[test]
    fn help_lists_only_what_the_level_may_run() {
        let catalogue = catalogue();
        let everyone = catalogue.help_lines("demo", AccessLevel::Everyone);
        assert_eq!(everyone.len(), 1);
        assert_eq!(everyone[0].usage, "/demo look");
        let admin = catalogue.help_lines("demo", AccessLevel::Admin);
        assert_eq!(admin.len(), 2);
        let keys = |on: bool| -> Vec<&str> {
            catalogue
                .categories_for(AccessLevel::Everyone, |_| on)
                .iter()
                .map(|c| c.key)
                .collect()
        };
        assert_eq!(keys(true), vec!["demo"]);
        assert!(keys(false).is_empty(), "a feature that is off is hidden");
        assert_eq!(catalogue.command("demo").unwrap().feature, "demo");
        assert_eq!(catalogue.slash_commands()[0].name, "demo");
    }
}
