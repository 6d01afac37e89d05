//! `/help`: a select menu of the categories in which the caller may run something, and
//! for the chosen category a page of the commands they may run, with Previous / Next
//! buttons. Built from the catalogue, the caller's level and the features on in their
//! guild at each click; a command the guild requires a role for says which. The menu and
//! the buttons are the caller's only (their custom_ids name them).

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Component, SelectMenu, SelectMenuOption, SelectMenuType,
};
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::EmbedBuilder;

use crate::feature::HelpCategory;
use crate::kernel::catalogue::Catalogue;
use crate::kernel::custom_id::CustomId;
use crate::kernel::guild_config::{CommandRoles, FeatureValues};
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::ReplyMessage;
use crate::t;

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

fn menu_id(requester: u64) -> String {
    CustomId::new(super::CORE, 1, MENU_ACTION)
        .for_requester(requester)
        .encode()
        .unwrap_or_default()
}

/// Who is looking: their level, which features are on in their guild, which roles it
/// requires for commands, their language, and who they are (the menu is theirs).
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub level: AccessLevel,
    pub features: &'a FeatureValues,
    pub command_roles: &'a CommandRoles,
    pub locale: Locale,
    pub requester: u64,
}

impl Viewer<'_> {
    fn categories<'c>(&self, catalogue: &'c Catalogue) -> Vec<&'c HelpCategory> {
        catalogue.categories_for(self.level, |feature| self.features.is_on(feature))
    }
}

fn page_id(requester: u64, category: &HelpCategory, page: usize, direction: &str) -> String {
    CustomId::new(super::CORE, 1, PAGE_ACTION)
        .for_requester(requester)
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
            description: Some(category.blurb_in(viewer.locale)),
            emoji: None,
            label: category.title_in(viewer.locale),
            value: category.key.to_owned(),
        })
        .collect();
    Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::SelectMenu(SelectMenu {
            id: None,
            channel_types: None,
            custom_id: menu_id(viewer.requester),
            default_values: None,
            disabled: false,
            kind: SelectMenuType::Text,
            max_values: Some(1),
            min_values: Some(1),
            options: Some(options),
            placeholder: Some(t!(viewer.locale, "help-choose-category")),
            required: None,
        })],
    })
}

fn button(custom_id: String, label: String, disabled: bool) -> Component {
    Component::Button(Button {
        id: None,
        custom_id: Some(custom_id),
        disabled,
        emoji: None,
        label: Some(label),
        style: ButtonStyle::Secondary,
        url: None,
        sku_id: None,
    })
}

/// The first answer to `/help`: the categories, no page yet.
pub fn overview(catalogue: &Catalogue, viewer: Viewer<'_>) -> ReplyMessage {
    let (level, locale) = (viewer.level, viewer.locale);
    let categories = viewer.categories(catalogue);
    let role = match level {
        AccessLevel::Everyone => t!(locale, "help-role-member"),
        AccessLevel::Moderator => t!(locale, "help-role-moderator"),
        AccessLevel::Admin => t!(locale, "help-role-admin"),
        AccessLevel::Owner => t!(locale, "help-role-owner"),
    };
    let mut description = t!(locale, "help-intro", role = role);
    description.push('\n');
    for category in &categories {
        let count = catalogue.help_lines(category.key, level).len();
        description.push('\n');
        description.push_str(&t!(
            locale,
            "help-category-line",
            title = category.title_in(locale),
            blurb = category.blurb_in(locale),
            count = count
        ));
    }
    let embed = EmbedBuilder::new()
        .title(t!(locale, "help-title"))
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
    let (level, locale) = (viewer.level, viewer.locale);
    let lines = catalogue.help_lines(category.key, level);
    let pages = lines.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.min(pages - 1);
    let shown = lines.iter().skip(page * PAGE_SIZE).take(PAGE_SIZE);
    let mut description = String::new();
    for line in shown {
        description.push_str(&format!("`{}` — {}", line.usage, line.description));
        if line.access > AccessLevel::Everyone {
            description.push_str(&format!(" *({})*", line.access.describe_in(locale)));
        }
        let words: Vec<&str> = line.usage.trim_start_matches('/').split(' ').collect();
        if let Some((name, path)) = words.split_first() {
            let roles: Vec<String> = viewer
                .command_roles
                .for_path(name, path)
                .iter()
                .map(|(_, role)| format!("<@&{role}>"))
                .collect();
            if !roles.is_empty() {
                let roles = roles.join(", ");
                description.push_str(&format!(
                    " *({})*",
                    t!(locale, "help-needs-role", roles = roles)
                ));
            }
        }
        description.push('\n');
    }
    if lines.is_empty() {
        description.push_str(&t!(locale, "help-nothing"));
    }
    let embed: Embed = EmbedBuilder::new()
        .title(t!(
            locale,
            "help-page-title",
            title = category.title_in(locale),
            page = page + 1,
            pages = pages
        ))
        .description(description)
        .color(0x58_65_f2)
        .build();
    let mut components = vec![category_menu(catalogue, viewer, Some(category.key))];
    if pages > 1 {
        components.push(Component::ActionRow(ActionRow {
            id: None,
            components: vec![
                button(
                    page_id(viewer.requester, category, page.saturating_sub(1), "prev"),
                    t!(locale, "help-previous"),
                    page == 0,
                ),
                button(
                    page_id(viewer.requester, category, page + 1, "next"),
                    t!(locale, "help-next"),
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
