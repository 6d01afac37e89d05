//! What a handler answers: a typed [`Reply`] (a message, an update of the clicked message,
//! a modal, autocomplete choices), which the dispatcher turns into Discord's interaction
//! callback — or, after it had to defer, into an edit of the deferred response. Handlers
//! never build HTTP requests for the callback themselves.
//!
//! A public message is a record (a shift post, a ticket notice, a log line: it stays) or a
//! confirmation (a "done", a public error answer: it may go). A guild with tidy replies
//! on has the bot delete its public confirmations after a while; records and private
//! answers are never touched. Every message is a record unless its feature says
//! otherwise with [`ReplyMessage::confirmation`] or [`ReplyMessage::as_confirmation`].

use twilight_model::application::command::{CommandOptionChoice, CommandOptionChoiceValue};
use twilight_model::channel::message::component::{
    ActionRow, Component, TextInput, TextInputStyle,
};
use twilight_model::channel::message::{Embed, MessageFlags};
use twilight_model::http::attachment::Attachment;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

/// A private answer: only the person who acted sees `text`.
pub fn private(text: impl Into<String>) -> Reply {
    Reply::Message(ReplyMessage::private(text))
}

/// A message as a handler wants it shown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplyMessage {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    pub components: Vec<Component>,
    pub attachments: Vec<Attachment>,
    /// Only the person who acted sees it.
    pub ephemeral: bool,
    /// A confirmation or an error answer, not a record: a guild with tidy replies on has
    /// it deleted after a while when it is public (see the module documentation).
    pub confirmation: bool,
}

impl ReplyMessage {
    /// A plain text answer everyone in the channel sees.
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ..Self::default()
        }
    }

    /// A text answer only the person who acted sees.
    pub fn private(content: impl Into<String>) -> Self {
        Self {
            content: Some(content.into()),
            ephemeral: true,
            ..Self::default()
        }
    }

    /// A public confirmation ("done", a public error answer): a guild with tidy replies on
    /// has it deleted after a while.
    pub fn confirmation(content: impl Into<String>) -> Self {
        Self::text(content).as_confirmation()
    }

    /// Marks the message a confirmation rather than a record.
    pub fn as_confirmation(mut self) -> Self {
        self.confirmation = true;
        self
    }

    /// Whether a guild's tidy replies delete it: public, and a confirmation.
    pub fn is_tidied(&self) -> bool {
        self.confirmation && !self.ephemeral
    }

    pub fn with_embed(mut self, embed: Embed) -> Self {
        self.embeds.push(embed);
        self
    }

    pub fn with_components(mut self, components: Vec<Component>) -> Self {
        self.components = components;
        self
    }

    fn into_data(self) -> InteractionResponseData {
        InteractionResponseData {
            content: self.content,
            embeds: Some(self.embeds),
            components: Some(self.components),
            attachments: (!self.attachments.is_empty()).then_some(self.attachments),
            flags: self.ephemeral.then_some(MessageFlags::EPHEMERAL),
            ..InteractionResponseData::default()
        }
    }
}

/// One field of a modal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModalField {
    pub custom_id: String,
    pub label: String,
    pub paragraph: bool,
    pub required: bool,
    pub min_length: Option<u16>,
    pub max_length: Option<u16>,
    pub value: Option<String>,
    pub placeholder: Option<String>,
}

/// What a handler answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// A new message (the response to a command, or a new message for a component).
    Message(ReplyMessage),
    /// Replace the message a component sits on (buttons, selects).
    Update(ReplyMessage),
    /// Show a modal (up to five fields).
    Modal {
        custom_id: String,
        title: String,
        fields: Vec<ModalField>,
    },
    /// Autocomplete suggestions (at most 25).
    Choices(Vec<(String, String)>),
    /// Acknowledge a component without changing anything visible.
    Acknowledge,
}

impl Reply {
    /// Discord's callback for this reply.
    pub fn into_response(self) -> InteractionResponse {
        match self {
            Reply::Message(message) => InteractionResponse {
                kind: InteractionResponseType::ChannelMessageWithSource,
                data: Some(message.into_data()),
            },
            Reply::Update(message) => InteractionResponse {
                kind: InteractionResponseType::UpdateMessage,
                data: Some(message.into_data()),
            },
            Reply::Modal {
                custom_id,
                title,
                fields,
            } => InteractionResponse {
                kind: InteractionResponseType::Modal,
                data: Some(InteractionResponseData {
                    custom_id: Some(custom_id),
                    title: Some(title),
                    components: Some(fields.into_iter().take(5).map(modal_row).collect()),
                    ..InteractionResponseData::default()
                }),
            },
            Reply::Choices(choices) => InteractionResponse {
                kind: InteractionResponseType::ApplicationCommandAutocompleteResult,
                data: Some(InteractionResponseData {
                    choices: Some(
                        choices
                            .into_iter()
                            .take(25)
                            .map(|(name, value)| CommandOptionChoice {
                                name,
                                name_localizations: None,
                                value: CommandOptionChoiceValue::String(value),
                            })
                            .collect(),
                    ),
                    ..InteractionResponseData::default()
                }),
            },
            Reply::Acknowledge => InteractionResponse {
                kind: InteractionResponseType::DeferredUpdateMessage,
                data: None,
            },
        }
    }
}

#[allow(deprecated)]
fn modal_row(field: ModalField) -> Component {
    Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::TextInput(TextInput {
            id: None,
            custom_id: field.custom_id,
            label: Some(field.label),
            max_length: field.max_length,
            min_length: field.min_length,
            placeholder: field.placeholder,
            required: Some(field.required),
            style: if field.paragraph {
                TextInputStyle::Paragraph
            } else {
                TextInputStyle::Short
            },
            value: field.value,
        })],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_messages_are_ephemeral_callbacks() {
        let response = Reply::Message(ReplyMessage::private("only you")).into_response();
        assert_eq!(
            response.kind,
            InteractionResponseType::ChannelMessageWithSource
        );
        let data = response.data.unwrap();
        assert_eq!(data.content.as_deref(), Some("only you"));
        assert_eq!(data.flags, Some(MessageFlags::EPHEMERAL));
    }

    #[test]
    fn choices_are_capped_at_25_and_modals_at_5_fields() {
        let many: Vec<(String, String)> = (0..40)
            .map(|n| (format!("n{n}"), format!("v{n}")))
            .collect();
        let data = Reply::Choices(many).into_response().data.unwrap();
        assert_eq!(data.choices.unwrap().len(), 25);
        let field = |n: u8| ModalField {
            custom_id: format!("f{n}"),
            label: "Label".into(),
            paragraph: false,
            required: true,
            min_length: None,
            max_length: None,
            value: None,
            placeholder: None,
        };
        let modal = Reply::Modal {
            custom_id: "m".into(),
            title: "T".into(),
            fields: (0..7).map(field).collect(),
        };
        assert_eq!(
            modal
                .into_response()
                .data
                .unwrap()
                .components
                .unwrap()
                .len(),
            5
        );
    }
}

/// How much of a reason built from a person's input (a parse error quoting what they
/// typed) an answer repeats: enough to recognise it, far below Discord's 2,000.
pub const QUOTED_INPUT_CHARS: usize = 300;

/// `text` cut to at most `max_chars` characters (Discord counts characters), with "…" in
/// place of what was cut: how text from people or from Discord's errors fits a field.
pub fn clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{kept}…")
}

#[cfg(test)]
mod clip_tests {
    use super::clip;

    #[test]
    fn clips_by_characters_not_bytes() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("ääääää", 4), "äää…");
        assert_eq!(clip("ääääää", 4).chars().count(), 4);
    }
}
