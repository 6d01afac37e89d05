//! Getting an answer to Discord in time: the callback when the owner answered within the
//! defer window; otherwise a deferral ("thinking…" for commands and modals, a silent
//! update for components) followed by an edit of the deferred response or a follow-up.

use std::time::Duration;

use twilight_model::application::interaction::Interaction;
use twilight_model::channel::message::MessageFlags;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};

use crate::kernel::discord::{DiscordError, DiscordRest};
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::t;

/// How the interaction was acknowledged before the answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Deferral {
    /// "thinking…", visible to the caller only when `private`.
    Thinking { private: bool },
    /// A component's message will be updated (or left as it is).
    Update,
}

/// What kind of interaction is being answered (what Discord allows in reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answering {
    Command,
    Autocomplete,
    Component,
    Modal { from_component: bool },
}

/// Makes a reply fit what Discord accepts for this kind of interaction.
pub(crate) fn fit(reply: Reply, answering: Answering, locale: Locale) -> Reply {
    let done = || Reply::Message(ReplyMessage::private(t!(locale, "done")));
    match (answering, reply) {
        (Answering::Autocomplete, reply @ Reply::Choices(_)) => reply,
        (Answering::Autocomplete, _) => Reply::Choices(Vec::new()),
        (_, Reply::Choices(_)) => done(),
        (Answering::Command, Reply::Update(message)) => Reply::Message(message),
        (Answering::Command, Reply::Acknowledge) => done(),
        (
            Answering::Modal {
                from_component: false,
            },
            Reply::Update(message),
        ) => Reply::Message(message),
        (
            Answering::Modal {
                from_component: false,
            },
            Reply::Acknowledge,
        ) => done(),
        (Answering::Modal { .. }, Reply::Modal { .. }) => done(),
        (_, reply) => reply,
    }
}

/// The deferral this interaction gets when its owner is slow.
pub(crate) fn deferral_for(answering: Answering, private: bool) -> Option<Deferral> {
    match answering {
        Answering::Autocomplete => None,
        Answering::Component
        | Answering::Modal {
            from_component: true,
        } => Some(Deferral::Update),
        Answering::Command
        | Answering::Modal {
            from_component: false,
        } => Some(Deferral::Thinking { private }),
    }
}

pub(crate) async fn defer(
    discord: &DiscordRest,
    interaction: &Interaction,
    deferral: Deferral,
) -> Result<(), DiscordError> {
    let response = match deferral {
        Deferral::Thinking { private } => InteractionResponse {
            kind: InteractionResponseType::DeferredChannelMessageWithSource,
            data: private.then(|| InteractionResponseData {
                flags: Some(MessageFlags::EPHEMERAL),
                ..InteractionResponseData::default()
            }),
        },
        Deferral::Update => InteractionResponse {
            kind: InteractionResponseType::DeferredUpdateMessage,
            data: None,
        },
    };
    discord
        .respond(interaction.id, &interaction.token, &response)
        .await
}

/// Sends the answer: the callback itself, or after a deferral the edit or follow-up that
/// shows it as the owner meant it.
pub(crate) async fn deliver(
    discord: &DiscordRest,
    interaction: &Interaction,
    reply: Reply,
    deferred: Option<Deferral>,
    locale: Locale,
) -> Result<(), DiscordError> {
    let token = interaction.token.as_str();
    let Some(deferral) = deferred else {
        return discord
            .respond(interaction.id, token, &reply.into_response())
            .await;
    };
    match (deferral, reply) {
        (Deferral::Thinking { private }, Reply::Message(message))
        | (Deferral::Thinking { private }, Reply::Update(message)) => {
            if message.ephemeral == private {
                discord.edit_original(token, &message).await
            } else if private {
                // The deferral was private; a public answer goes out as a follow-up.
                discord
                    .edit_original(token, &ReplyMessage::text(t!(locale, "done-see-below")))
                    .await?;
                discord.follow_up(token, &message).await
            } else {
                // The deferral was public; a private answer must not be shown to all.
                discord.delete_original(token).await?;
                discord.follow_up(token, &message).await
            }
        }
        (Deferral::Update, Reply::Update(message)) => discord.edit_original(token, &message).await,
        (Deferral::Update, Reply::Message(message)) => discord.follow_up(token, &message).await,
        (_, Reply::Acknowledge) => Ok(()),
        (_, Reply::Modal { .. } | Reply::Choices(_)) => {
            // A modal cannot follow a deferral: say so instead of failing silently.
            discord
                .follow_up(token, &ReplyMessage::private(t!(locale, "form-too-late")))
                .await
        }
    }
}

/// Whether a message answer ends up as the interaction's own response (`@original`,
/// which the token can delete later) rather than as a follow-up: answered in time, or
/// after a public "thinking…". (A public answer after a private deferral, or a new
/// message after a component's silent deferral, is a follow-up.)
pub(crate) fn answer_is_original(deferred: Option<Deferral>, private: bool) -> bool {
    match deferred {
        None => true,
        Some(Deferral::Thinking { .. }) => !private,
        Some(Deferral::Update) => false,
    }
}

/// How long an owner may take after a deferral (Discord keeps the token 15 minutes).
pub(crate) const AFTER_DEFERRAL: Duration = Duration::from_secs(14 * 60);

/// How long autocomplete may take before the person's client gives up anyway.
pub(crate) const AUTOCOMPLETE_DEADLINE: Duration = Duration::from_millis(2500);
