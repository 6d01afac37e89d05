//! What governance looks like in Discord: the admin log's full records, the queue's two
//! messages, the approval panel with its buttons and the name modal, the announcement
//! from the guild's template — with the custom_ids the buttons carry.

use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle, Component};
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder, ImageSource};

use super::store::{Proposal, ProposalKind, ProposalStatus, Report, ReportStatus};
use super::GOVERNANCE;
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, ModalField, Reply, ReplyMessage};
use crate::t;

/// `governance:1:approve:<proposal>:<name>`: approve under this name.
pub const APPROVE: &str = "approve";
/// `governance:1:override:<proposal>`: the name modal.
pub const OVERRIDE: &str = "override";
/// `governance:1:override-name:<proposal>`: the modal's submission.
pub const OVERRIDE_NAME: &str = "override-name";
pub const NAME_FIELD: &str = "name";
/// `governance:1:rerun:<proposal>`: ask the model again.
pub const RERUN: &str = "rerun";

const LOG_COLOUR: u32 = 0x5865F2;
const QUEUE_COLOUR: u32 = 0xFEE75C;
const DONE_COLOUR: u32 = 0x57F287;
/// How much of an embed description the queue fills (Discord's limit is 4096).
const QUEUE_CHARS: usize = 3800;

fn id_for(action: &str, proposal: i64) -> CustomId {
    CustomId::new(GOVERNANCE, 1, action).arg(proposal)
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

fn embed_message(embed: Embed) -> ReplyMessage {
    ReplyMessage {
        embeds: vec![embed],
        ..ReplyMessage::default()
    }
}

pub fn kind_label(locale: Locale, kind: ProposalKind) -> String {
    match kind {
        ProposalKind::Channel => t!(locale, "governance-kind-channel"),
        ProposalKind::Emoji => t!(locale, "governance-kind-emoji"),
    }
}

fn report_status(locale: Locale, status: ReportStatus) -> String {
    match status {
        ReportStatus::Pending => t!(locale, "governance-report-status-pending"),
        ReportStatus::Investigating => t!(locale, "governance-report-status-investigating"),
        ReportStatus::Resolved => t!(locale, "governance-report-status-resolved"),
    }
}

/// The suggestion as staff read it: the name, or "no suggestion" and why.
pub fn suggestion_text(locale: Locale, proposal: &Proposal) -> String {
    match (&proposal.suggestion, &proposal.suggestion_note) {
        (Some(name), _) => format!("`#{name}`"),
        (None, Some(note)) => t!(
            locale,
            "governance-no-suggestion-because",
            reason = clip(note, 200)
        ),
        (None, None) => t!(locale, "governance-no-suggestion"),
    }
}

/// A proposal in full: the admin log's record and the approval panel's head.
pub fn proposal_embed(locale: Locale, proposal: &Proposal) -> Embed {
    let kind = kind_label(locale, proposal.kind);
    let mut embed = EmbedBuilder::new()
        .title(t!(
            locale,
            "governance-proposal-title",
            id = proposal.id,
            kind = kind.as_str()
        ))
        .color(LOG_COLOUR)
        .field(EmbedFieldBuilder::new(
            t!(locale, "governance-field-member"),
            format!("<@{}> ({})", proposal.user, proposal.user),
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "governance-field-submitted"),
            format!("<t:{}:F>", proposal.created_at.timestamp()),
        ));
    match proposal.kind {
        ProposalKind::Channel => {
            embed = embed
                .description(clip(&proposal.idea, 4000))
                .field(EmbedFieldBuilder::new(
                    t!(locale, "governance-field-suggestion"),
                    suggestion_text(locale, proposal),
                ));
        }
        ProposalKind::Emoji => {
            embed = embed.description(format!(":{}:", proposal.idea));
            if let Some(url) = &proposal.file_url {
                embed = embed.field(EmbedFieldBuilder::new(
                    t!(locale, "governance-field-file"),
                    clip(url, 1000),
                ));
                if let Ok(image) = ImageSource::url(url) {
                    embed = embed.image(image);
                }
            }
        }
    }
    embed.validate().map(|e| e.build()).unwrap_or_else(|_| {
        EmbedBuilder::new()
            .title(t!(
                locale,
                "governance-proposal-title",
                id = proposal.id,
                kind = kind.as_str()
            ))
            .build()
    })
}

/// A report in full: the admin log's record and what `/reports view` shows.
pub fn report_embed(locale: Locale, report: &Report) -> Embed {
    let mut embed = EmbedBuilder::new()
        .title(t!(locale, "governance-report-title", id = report.id))
        .color(0xED4245)
        .description(clip(&report.description, 4000))
        .field(EmbedFieldBuilder::new(
            t!(locale, "governance-field-reporter"),
            format!("<@{}> ({})", report.user, report.user),
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "governance-field-submitted"),
            format!("<t:{}:F>", report.created_at.timestamp()),
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "governance-field-status"),
            report_status(locale, report.status),
        ));
    if let Some(url) = &report.file_url {
        embed = embed.field(EmbedFieldBuilder::new(
            t!(locale, "governance-field-file"),
            clip(url, 1000),
        ));
        if let Ok(image) = ImageSource::url(url) {
            embed = embed.image(image);
        }
    }
    embed.validate().map(|e| e.build()).unwrap_or_else(|_| {
        EmbedBuilder::new()
            .title(t!(locale, "governance-report-title", id = report.id))
            .build()
    })
}

/// A full record for the admin log.
pub fn log_message(embed: Embed) -> ReplyMessage {
    embed_message(embed)
}

/// A decision for the admin log (a new message: the log is never edited).
pub fn decision_message(locale: Locale, text: String) -> ReplyMessage {
    embed_message(
        EmbedBuilder::new()
            .title(t!(locale, "governance-decision-title"))
            .color(DONE_COLOUR)
            .description(clip(&text, 4000))
            .build(),
    )
}

/// Lines up to the queue's length, then "… and N more".
fn fill(locale: Locale, lines: Vec<String>) -> String {
    if lines.is_empty() {
        return t!(locale, "governance-queue-empty");
    }
    let total = lines.len();
    let mut text = String::new();
    for (shown, line) in lines.into_iter().enumerate() {
        if text.chars().count() + line.chars().count() + 1 > QUEUE_CHARS {
            text.push_str(&t!(locale, "governance-queue-more", count = total - shown));
            break;
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

/// The queue's "Pending proposals" message.
pub fn proposals_queue(locale: Locale, proposals: &[Proposal]) -> ReplyMessage {
    let lines = proposals
        .iter()
        .map(|proposal| {
            let name = match proposal.kind {
                ProposalKind::Emoji => format!(":{}:", proposal.idea),
                ProposalKind::Channel => proposal
                    .suggestion
                    .as_ref()
                    .map(|name| format!("#{name}"))
                    .unwrap_or_else(|| clip(&proposal.idea.replace('\n', " "), 60)),
            };
            let approving = if proposal.status == ProposalStatus::Approving {
                format!(" · {}", t!(locale, "governance-queue-approving"))
            } else {
                String::new()
            };
            format!(
                "**#{}** · {} · <@{}> · {}{approving}",
                proposal.id,
                kind_label(locale, proposal.kind),
                proposal.user,
                name
            )
        })
        .collect();
    embed_message(
        EmbedBuilder::new()
            .title(t!(locale, "governance-queue-proposals-title"))
            .color(QUEUE_COLOUR)
            .description(fill(locale, lines))
            .build(),
    )
}

/// The queue's "Pending reports" message.
pub fn reports_queue(locale: Locale, reports: &[Report]) -> ReplyMessage {
    let lines = reports
        .iter()
        .map(|report| {
            format!(
                "**#{}** · <@{}> · {} · {}",
                report.id,
                report.user,
                report_status(locale, report.status),
                clip(&report.description.replace('\n', " "), 60)
            )
        })
        .collect();
    embed_message(
        EmbedBuilder::new()
            .title(t!(locale, "governance-queue-reports-title"))
            .color(QUEUE_COLOUR)
            .description(fill(locale, lines))
            .build(),
    )
}

/// The approval panel: the proposal in full, "Approve as <name>" (when there is a name),
/// "Override name", and for channels "Re-run suggestion".
pub fn approval_panel(locale: Locale, proposal: &Proposal, note: Option<String>) -> ReplyMessage {
    let name = match proposal.kind {
        ProposalKind::Channel => proposal.suggestion.clone(),
        ProposalKind::Emoji => Some(proposal.idea.clone()),
    };
    let mut buttons = Vec::new();
    if let Some(name) = &name {
        if let Ok(custom_id) = id_for(APPROVE, proposal.id).arg(name).encode() {
            buttons.push(button(
                custom_id,
                clip(
                    &t!(locale, "governance-button-approve-as", name = name.as_str()),
                    80,
                ),
                ButtonStyle::Success,
            ));
        }
    }
    if let Ok(custom_id) = id_for(OVERRIDE, proposal.id).encode() {
        buttons.push(button(
            custom_id,
            t!(locale, "governance-button-override"),
            ButtonStyle::Primary,
        ));
    }
    if proposal.kind == ProposalKind::Channel {
        if let Ok(custom_id) = id_for(RERUN, proposal.id).encode() {
            buttons.push(button(
                custom_id,
                t!(locale, "governance-button-rerun"),
                ButtonStyle::Secondary,
            ));
        }
    }
    ReplyMessage::private(
        note.unwrap_or_else(|| t!(locale, "governance-approve-choose", id = proposal.id)),
    )
    .with_embed(proposal_embed(locale, proposal))
    .with_components(vec![Component::ActionRow(ActionRow {
        id: None,
        components: buttons,
    })])
}

/// The modal asking an admin for the name to approve under.
pub fn name_modal(locale: Locale, proposal: &Proposal) -> Reply {
    let (max, value) = match proposal.kind {
        ProposalKind::Channel => (super::naming::NAME_MAX_CHARS, proposal.suggestion.clone()),
        ProposalKind::Emoji => (32, Some(proposal.idea.clone())),
    };
    Reply::Modal {
        custom_id: id_for(OVERRIDE_NAME, proposal.id)
            .encode()
            .unwrap_or_default(),
        title: clip(&t!(locale, "governance-modal-title", id = proposal.id), 45),
        fields: vec![ModalField {
            custom_id: NAME_FIELD.to_owned(),
            label: t!(locale, "governance-modal-name"),
            paragraph: false,
            required: true,
            min_length: Some(2),
            max_length: Some(max as u16),
            value,
            placeholder: None,
        }],
    }
}

/// The announcement from the guild's template (else the built-in text): `{name}`,
/// `{mention}`, `{proposer}`, `{idea}`, `{kind}` filled in.
pub fn announcement(
    locale: Locale,
    template: Option<&str>,
    proposal: &Proposal,
    name: &str,
    mention: &str,
) -> ReplyMessage {
    let proposer = format!("<@{}>", proposal.user);
    let text = match template {
        Some(template) => template
            .replace("{name}", name)
            .replace("{mention}", mention)
            .replace("{proposer}", &proposer)
            .replace("{idea}", &proposal.idea)
            .replace("{kind}", &kind_label(locale, proposal.kind)),
        None => match proposal.kind {
            ProposalKind::Channel => t!(
                locale,
                "governance-announce-channel",
                mention = mention,
                proposer = proposer.as_str(),
                idea = proposal.idea.as_str()
            ),
            ProposalKind::Emoji => t!(
                locale,
                "governance-announce-emoji",
                mention = mention,
                name = name,
                proposer = proposer.as_str()
            ),
        },
    };
    let title = match proposal.kind {
        ProposalKind::Channel => t!(locale, "governance-announce-channel-title"),
        ProposalKind::Emoji => t!(locale, "governance-announce-emoji-title"),
    };
    embed_message(
        EmbedBuilder::new()
            .title(title)
            .color(DONE_COLOUR)
            .description(clip(&text, 4000))
            .build(),
    )
}

/// A direct message to a member.
pub fn dm(text: String) -> ReplyMessage {
    ReplyMessage::text(clip(&text, 2000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_carry_the_proposal_and_the_name() {
        assert_eq!(
            id_for(APPROVE, 12).arg("retro-games").encode().unwrap(),
            "governance:1:approve:12:retro-games"
        );
        let longest = id_for(APPROVE, i64::MAX)
            .arg("x".repeat(super::super::naming::NAME_MAX_CHARS))
            .encode();
        assert!(longest.is_ok(), "the longest name fits a custom_id");
    }

    #[test]
    fn a_long_queue_says_how_many_more_wait() {
        let lines: Vec<String> = (0..500)
            .map(|n| format!("**#{n}** · {}", "x".repeat(40)))
            .collect();
        let text = fill(Locale::English, lines);
        assert!(text.chars().count() <= 4096);
        assert!(text.contains("**#0**"));
        assert!(text.trim_end().ends_with("more"), "{text}");
        assert_eq!(fill(Locale::English, Vec::new()), "Nothing is waiting.");
    }
}
