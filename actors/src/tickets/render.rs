//! What tickets look like in Discord: the panel, the welcome message with its Claim and
//! Close buttons, the closed notice with Reopen and Delete, and the log lines — with the
//! custom_ids their buttons carry.

use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Component, SelectMenu, SelectMenuOption, SelectMenuType,
};
use twilight_model::channel::message::{Embed, EmojiReactionType};
use twilight_model::id::Id;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, EmbedFooterBuilder};

use super::store::{Category, Panel, Priority, Status, Ticket};
use super::TICKETS;
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, ReplyMessage};
use crate::t;

pub const OPEN: &str = "open";
pub const CHOOSE: &str = "choose";
pub const ANSWERS: &str = "answers";
pub const CLAIM: &str = "claim";
pub const CLOSE: &str = "close";
pub const CLOSE_REASON: &str = "close-reason";
pub const REOPEN: &str = "reopen";
pub const DELETE: &str = "delete";
pub const PURGE: &str = "purge";
pub const CAPTCHA: &str = "captcha";
/// The feedback buttons and modal live in the opener's DMs: their custom_ids carry the
/// guild (`tickets:1:dm-rate:<guild>:<ticket>:<stars>`), see the dispatcher's `dm-` rule.
pub const RATE: &str = "dm-rate";
pub const FEEDBACK_WORDS: &str = "dm-words";

/// `tickets:1:<action>:<arg>:<arg>…`.
pub fn custom_id(action: &str, args: &[i64]) -> String {
    args.iter()
        .fold(CustomId::new(TICKETS, 1, action), |id, arg| id.arg(arg))
        .encode()
        .unwrap_or_default()
}

/// Five star buttons asking the opener how it went (in their DMs, after the close).
pub fn feedback_buttons(ticket: &Ticket) -> Vec<Component> {
    let stars = (1..=5)
        .map(|stars| {
            button(
                custom_id(RATE, &[ticket.guild_id.get() as i64, ticket.id, stars]),
                "★".repeat(stars as usize),
                ButtonStyle::Secondary,
            )
        })
        .collect();
    vec![row(stars)]
}

/// The one button that confirms a hard delete.
pub fn purge_button(locale: Locale, ticket: &Ticket) -> Vec<Component> {
    vec![row(vec![button(
        button_id(PURGE, ticket.id),
        t!(locale, "ticket-button-purge", label = ticket.label()),
        ButtonStyle::Danger,
    )])]
}

/// The captcha's answers as buttons (which one is right is kept by the actor, never in a
/// custom_id a client could read).
pub fn captcha_buttons(category: i64, choices: &[u8]) -> Vec<Component> {
    let buttons = choices
        .iter()
        .map(|choice| {
            button(
                custom_id(CAPTCHA, &[category, i64::from(*choice)]),
                choice.to_string(),
                ButtonStyle::Secondary,
            )
        })
        .collect();
    vec![row(buttons)]
}

/// `tickets:1:<action>:<arg>`.
pub fn button_id(action: &str, arg: i64) -> String {
    CustomId::new(TICKETS, 1, action)
        .arg(arg)
        .encode()
        .unwrap_or_default()
}

fn button(custom_id: String, label: String, style: ButtonStyle) -> Component {
    Component::Button(Button {
        id: None,
        custom_id: Some(custom_id),
        disabled: false,
        emoji: None,
        label: Some(label),
        style,
        url: None,
        sku_id: None,
    })
}

fn row(components: Vec<Component>) -> Component {
    Component::ActionRow(ActionRow {
        id: None,
        components,
    })
}

fn embed_only(embed: Embed, components: Vec<Component>) -> ReplyMessage {
    let mut message = ReplyMessage::text(String::new())
        .with_embed(embed)
        .with_components(components);
    message.content = None;
    message
}

/// A priority as people read it.
pub fn priority_text(locale: Locale, priority: Priority) -> String {
    match priority {
        Priority::Low => t!(locale, "ticket-priority-low"),
        Priority::Normal => t!(locale, "ticket-priority-normal"),
        Priority::High => t!(locale, "ticket-priority-high"),
        Priority::Urgent => t!(locale, "ticket-priority-urgent"),
        Priority::Critical => t!(locale, "ticket-priority-critical"),
    }
}

/// A status as people read it.
pub fn status_text(locale: Locale, status: Status) -> String {
    match status {
        Status::Opening => t!(locale, "ticket-status-opening"),
        Status::Open => t!(locale, "ticket-status-open"),
        Status::Closed => t!(locale, "ticket-status-closed"),
        Status::Deleted => t!(locale, "ticket-status-deleted"),
    }
}

/// A panel's button emoji as stored: a Unicode emoji (`🎫`) or a server's own
/// (`<:name:id>`, `<a:name:id>` animated); `None` for anything else.
pub fn panel_emoji(text: &str) -> Option<EmojiReactionType> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        let (animated, rest) = match inner.strip_prefix("a:") {
            Some(rest) => (true, rest),
            None => (false, inner.strip_prefix(':')?),
        };
        let (name, id) = rest.split_once(':')?;
        let valid_name = (2..=32).contains(&name.len())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return None;
        }
        return Some(EmojiReactionType::Custom {
            animated,
            id: id.parse::<u64>().ok().and_then(Id::new_checked)?,
            name: Some(name.to_owned()),
        });
    }
    // A Unicode emoji: a few code points, none of them plain text.
    let count = text.chars().count();
    let plain = text
        .chars()
        .any(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || c == '<' || c == ':');
    ((1..=8).contains(&count) && !plain).then(|| EmojiReactionType::Unicode {
        name: text.to_owned(),
    })
}

/// A panel's button style as stored.
fn panel_style(style: &str) -> ButtonStyle {
    match style {
        "secondary" => ButtonStyle::Secondary,
        "success" => ButtonStyle::Success,
        "danger" => ButtonStyle::Danger,
        _ => ButtonStyle::Primary,
    }
}

/// The panel as posted: a button for one category, a select of every category otherwise.
pub fn panel_message(panel: &Panel, categories: &[Category]) -> ReplyMessage {
    let embed = EmbedBuilder::new()
        .title(clip(&panel.title, 256))
        .description(clip(&panel.description, 4000))
        .color(0x5865F2)
        .build();
    let component = match panel.category_id {
        Some(_) => {
            let mut open = button(
                button_id(OPEN, panel.id),
                clip(&panel.button_label, 80),
                panel_style(&panel.button_style),
            );
            if let Component::Button(open) = &mut open {
                open.emoji = panel.emoji.as_deref().and_then(panel_emoji);
            }
            open
        }
        None => Component::SelectMenu(SelectMenu {
            id: None,
            custom_id: button_id(CHOOSE, panel.id),
            default_values: None,
            disabled: false,
            kind: SelectMenuType::Text,
            max_values: Some(1),
            min_values: Some(1),
            options: Some(
                categories
                    .iter()
                    .take(25)
                    .map(|category| SelectMenuOption {
                        default: false,
                        description: None,
                        emoji: panel.emoji.as_deref().and_then(panel_emoji),
                        label: clip(&category.name, 100),
                        value: category.id.to_string(),
                    })
                    .collect(),
            ),
            placeholder: Some(clip(&panel.button_label, 150)),
            channel_types: None,
            required: None,
        }),
    };
    embed_only(embed, vec![row(vec![component])])
}

/// The first message of a ticket channel: who opened it (unless anonymous), the answers,
/// and the staff's buttons; `pings` (`<@opener> <@&staff>`, or empty) is its content.
pub fn welcome_message(
    locale: Locale,
    ticket: &Ticket,
    category: &Category,
    pings: String,
) -> ReplyMessage {
    let opener = if category.anonymous {
        t!(locale, "ticket-anonymous")
    } else {
        format!("<@{}>", ticket.opener_id)
    };
    let mut embed = EmbedBuilder::new()
        .title(t!(
            locale,
            "ticket-welcome-title",
            label = ticket.label(),
            category = category.name.as_str()
        ))
        .description(t!(locale, "ticket-welcome-body", opener = opener.as_str()))
        .color(0x57F287)
        .field(
            EmbedFieldBuilder::new(
                t!(locale, "ticket-field-priority"),
                priority_text(locale, ticket.priority),
            )
            .inline(),
        );
    if category.sla_minutes > 0 {
        embed = embed.field(
            EmbedFieldBuilder::new(
                t!(locale, "ticket-field-sla"),
                t!(locale, "ticket-sla-minutes", minutes = category.sla_minutes),
            )
            .inline(),
        );
    }
    if !ticket.tags.is_empty() {
        embed = embed.field(
            EmbedFieldBuilder::new(t!(locale, "ticket-field-tags"), ticket.tags.join(", "))
                .inline(),
        );
    }
    for (question, answer) in &ticket.answers {
        let answer = if answer.is_empty() {
            "—".to_owned()
        } else {
            clip(answer, 1024)
        };
        embed = embed.field(EmbedFieldBuilder::new(clip(question, 256), answer));
    }
    let mut message = ReplyMessage::text(pings)
        .with_embed(embed.build())
        .with_components(vec![row(vec![
            button(
                button_id(CLAIM, ticket.id),
                t!(locale, "ticket-button-claim"),
                ButtonStyle::Success,
            ),
            button(
                button_id(CLOSE, ticket.id),
                t!(locale, "ticket-button-close"),
                ButtonStyle::Danger,
            ),
        ])]);
    if message.content.as_deref() == Some("") {
        message.content = None;
    }
    message
}

/// The notice posted when a ticket closes, with Reopen and Delete for staff.
pub fn closed_message(locale: Locale, ticket: &Ticket) -> ReplyMessage {
    let closer = ticket
        .closed_by
        .map_or_else(String::new, |user| format!("<@{user}>"));
    let mut embed = EmbedBuilder::new()
        .title(t!(locale, "ticket-closed-title", label = ticket.label()))
        .description(t!(locale, "ticket-closed-body", closer = closer.as_str()))
        .color(0xED4245);
    if let Some(reason) = ticket.close_reason.as_deref() {
        embed = embed.field(EmbedFieldBuilder::new(
            t!(locale, "ticket-field-reason"),
            clip(reason, 1024),
        ));
    }
    embed_only(
        embed.build(),
        vec![row(vec![
            button(
                button_id(REOPEN, ticket.id),
                t!(locale, "ticket-button-reopen"),
                ButtonStyle::Secondary,
            ),
            button(
                button_id(DELETE, ticket.id),
                t!(locale, "ticket-button-delete"),
                ButtonStyle::Danger,
            ),
        ])],
    )
}

/// One line in the guild's ticket log.
pub fn log_message(locale: Locale, ticket: &Ticket, what: String) -> ReplyMessage {
    let embed = EmbedBuilder::new()
        .description(what)
        .footer(EmbedFooterBuilder::new(t!(
            locale,
            "ticket-log-footer",
            label = ticket.label(),
            id = ticket.id
        )))
        .color(0x5865F2)
        .build();
    embed_only(embed, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_carry_the_ticket() {
        assert_eq!(button_id(CLAIM, 42), "tickets:1:claim:42");
        assert_eq!(button_id(OPEN, 7), "tickets:1:open:7");
    }
}

#[cfg(test)]
mod emoji_tests {
    use super::*;

    #[test]
    fn panel_emojis_are_unicode_or_the_servers_own() {
        assert!(matches!(
            panel_emoji("🎫"),
            Some(EmojiReactionType::Unicode { name }) if name == "🎫"
        ));
        assert!(matches!(
            panel_emoji("<a:party_parrot:123>"),
            Some(EmojiReactionType::Custom { animated: true, name: Some(name), .. }) if name == "party_parrot"
        ));
        for bad in ["ticket", ":ticket:", "<:x:1>", "<:name:abc>", "", "🎫 open"] {
            assert!(panel_emoji(bad).is_none(), "{bad:?}");
        }
    }
}
