//! `/help`: a select menu of the categories in which the caller may run something, and
//! for the chosen category a page of the commands they may run, with Previous / Next
//! buttons. Built from the catalogue, the caller's level and the features on in their
//! guild at each click.

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Component, SelectMenu, SelectMenuOption, SelectMenuType,
};
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::EmbedBuilder;

use crate::feature::HelpCategory;
use crate::kernel::catalogue::Catalogue;
use crate::kernel::custom_id::CustomId;
use crate::kernel::guild_config::FeatureValues;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::ReplyMessage;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "help",
    desc = "What you can do with Agora here",
    contexts = "guild"
)]
pub struct HelpCommand;

/// Commands per page.
pub const PAGE_SIZE: usize = 6;

/// The custom_id action of the category menu and of the page buttons.
pub const MENU_ACTION: &str = "help";
pub const PAGE_ACTION: &str = "help-page";

fn menu_id() -> String {
    CustomId::new(super::CORE, 1, MENU_ACTION)
        .encode()
        .unwrap_or_default()
}

/// Who is looking: their level, and which features are on in their guild.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub level: AccessLevel,
    pub features: &'a FeatureValues,
}

impl Viewer<'_> {
    fn categories<'c>(&self, catalogue: &'c Catalogue) -> Vec<&'c HelpCategory> {
        catalogue.categories_for(self.level, |feature| self.features.is_on(feature))
    }
}

fn page_id(category: &HelpCategory, page: usize, direction: &str) -> String {
    CustomId::new(super::CORE, 1, PAGE_ACTION)
        .arg(category.key)
        .arg(page)
        .arg(direction)
        .encode()
        .unwrap_or_default()
}

#[allow(deprecated)]
fn category_menu(catalogue: &Catalogue, viewer: Viewer<'_>, chosen: Option<&str>) -> Component {
    let options = viewer
        .categories(catalogue)
        .into_iter()
        .map(|category| SelectMenuOption {
            default: Some(category.key) == chosen,
            description: Some(category.blurb.to_owned()),
            emoji: None,
            label: category.title.to_owned(),
            value: category.key.to_owned(),
        })
        .collect();
    Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::SelectMenu(SelectMenu {
            id: None,
            channel_types: None,
            custom_id: menu_id(),
            default_values: None,
            disabled: false,
            kind: SelectMenuType::Text,
            max_values: Some(1),
            min_values: Some(1),
            options: Some(options),
            placeholder: Some("Choose a category".to_owned()),
            required: None,
        })],
    })
}

fn button(custom_id: String, label: &str, disabled: bool) -> Component {
    Component::Button(Button {
        id: None,
        custom_id: Some(custom_id),
        disabled,
        emoji: None,
        label: Some(label.to_owned()),
        style: ButtonStyle::Secondary,
        url: None,
        sku_id: None,
    })
}

/// The first answer to `/help`: the categories, no page yet.
pub fn overview(catalogue: &Catalogue, viewer: Viewer<'_>) -> ReplyMessage {
    let level = viewer.level;
    let categories = viewer.categories(catalogue);
    let role = match level {
        AccessLevel::Everyone => "a member",
        AccessLevel::Moderator => "a moderator",
        AccessLevel::Admin => "a server admin",
        AccessLevel::Owner => "a bot owner",
    };
    let mut description = format!(
        "Here is what you can run in this server, as **{role}**. Pick a category to see its commands.\n"
    );
    for category in &categories {
        let count = catalogue.help_lines(category.key, level).len();
        description.push_str(&format!(
            "\n**{}** — {} ({count} command{})",
            category.title,
            category.blurb,
            if count == 1 { "" } else { "s" }
        ));
    }
    let embed = EmbedBuilder::new()
        .title("Agora help")
        .description(description)
        .color(0x58_65_f2)
        .build();
    let mut message = ReplyMessage::private(String::new()).with_embed(embed);
    message.content = None;
    message.with_components(vec![category_menu(catalogue, viewer, None)])
}

/// One page of a category (`key`); the overview when there is no such category or its
/// feature is off in the viewer's guild (an old menu). `page` is clamped to the pages
/// there are.
pub fn page(catalogue: &Catalogue, viewer: Viewer<'_>, key: &str, page: usize) -> ReplyMessage {
    let Some((category, feature)) = catalogue.category(key) else {
        return overview(catalogue, viewer);
    };
    if !viewer.features.is_on(feature) {
        return overview(catalogue, viewer);
    }
    let level = viewer.level;
    let lines = catalogue.help_lines(category.key, level);
    let pages = lines.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let shown = lines.iter().skip(page * PAGE_SIZE).take(PAGE_SIZE);
    let mut description = String::new();
    for line in shown {
        description.push_str(&format!("`{}` — {}", line.usage, line.description));
        if line.access > AccessLevel::Everyone {
            description.push_str(&format!(" *({})*", line.access.describe()));
        }
        description.push('\n');
    }
    if lines.is_empty() {
        description.push_str("Nothing here you can run.");
    }
    let embed: Embed = EmbedBuilder::new()
        .title(format!("{} — page {} of {pages}", category.title, page + 1))
        .description(description)
        .color(0x58_65_f2)
        .build();
    let mut components = vec![category_menu(catalogue, viewer, Some(category.key))];
    if pages > 1 {
        components.push(Component::ActionRow(ActionRow {
            id: None,
            components: vec![
                button(
                    page_id(category, page.saturating_sub(1), "prev"),
                    "Previous",
                    page == 0,
                ),
                button(
                    page_id(category, page + 1, "next"),
                    "Next",
                    page + 1 >= pages,
                ),
            ],
        }));
    }
    let mut message = ReplyMessage::private(String::new())
        .with_embed(embed)
        .with_components(components);
    message.content = None;
    message
}
