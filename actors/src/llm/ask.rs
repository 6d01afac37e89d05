//! `/llm ask question` (moderators and admins): the model's answer streamed into the reply.
//! The reply ("asking…") goes out at once; once Discord has it, it is edited as the
//! answer is written — at most once every [`EDIT_INTERVAL`], well inside what Discord
//! allows an interaction's webhook — and last with the whole answer (longer than one
//! message: the rest in follow-ups), or with what went wrong in plain words.

use std::time::Duration;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use serde_json::json;
use twilight_interactions::command::{CommandModel, CreateCommand};

use super::{LlmClient, CATEGORY, LLM};
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::discord::DiscordRest;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::private;
use crate::kernel::reply::{clip, Reply, ReplyMessage, QUOTED_INPUT_CHARS};
use crate::kernel::supervision::Concern;
use crate::t;

/// The least time between two edits of the streamed reply.
pub const EDIT_INTERVAL: Duration = Duration::from_secs(1);

/// How long an answer may take in all.
pub const ASK_DEADLINE: Duration = Duration::from_secs(120);

/// Discord's limit on a message's content, in characters.
const MESSAGE_CHARS: usize = 2000;

/// Shown after the text while it is still being written.
const WRITING: &str = " ▌";

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "llm",
    desc = "The language model: ask it, watch the answer being written",
    contexts = "guild"
)]
pub enum LlmCommand {
    #[command(name = "ask")]
    Ask(LlmAsk),
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "ask",
    desc = "Ask the model; its answer appears as it is written"
)]
pub struct LlmAsk {
    /// Your question
    #[command(min_length = 2, max_length = 1500)]
    pub question: String,
}

pub fn entries() -> Vec<CommandEntry> {
    vec![CommandEntry::new(
        LLM,
        CATEGORY.key,
        AccessLevel::Moderator,
        LlmCommand::create_command(),
    )]
}

/// The concern that answers `/llm`.
pub struct AskConcern {
    client: LlmClient,
    discord: DiscordRest,
}

impl AskConcern {
    pub fn new(client: LlmClient, discord: DiscordRest) -> Self {
        AskConcern { client, discord }
    }
}

impl Concern for AskConcern {
    const NAME: &'static str = LLM;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let (client, discord) = (self.client.clone(), self.discord.clone());
        async move { answer(client, discord, request) }.boxed_local()
    }
}

/// Answers at once and leaves the streaming running.
fn answer(client: LlmClient, discord: DiscordRest, request: InteractionRequest) -> Reply {
    let locale = request.language();
    if !matches!(request.kind, RequestKind::Command { .. }) {
        return private(t!(locale, "llm-stale"));
    }
    let Some(input) = request.command_input() else {
        return private(t!(locale, "llm-stale"));
    };
    let question = match LlmCommand::from_interaction(input) {
        Ok(LlmCommand::Ask(ask)) => ask.question,
        Err(error) => {
            let error = clip(&error.to_string(), QUOTED_INPUT_CHARS);
            return private(t!(locale, "llm-unusable", error = error));
        }
    };
    let question = question.trim().to_owned();
    if question.chars().count() < 2 {
        return private(t!(locale, "llm-ask-empty"));
    }
    if !client.configured() {
        return private(super::LlmFailure::NotConfigured.describe(locale));
    }
    let model = client.model().to_owned();
    actix::spawn(stream_into_reply(
        client, discord, request, question, locale,
    ));
    private(t!(locale, "llm-ask-thinking", model = model))
}

/// Streams the answer and edits the reply as it grows, then shows it whole.
async fn stream_into_reply(
    client: LlmClient,
    discord: DiscordRest,
    request: InteractionRequest,
    question: String,
    locale: Locale,
) {
    // The reply must be with Discord before it can be edited.
    if !matches!(
        tokio::time::timeout(Duration::from_secs(10), request.delivered.wait()).await,
        Ok(true)
    ) {
        tracing::warn!("the /llm ask reply never reached Discord; not asking the model");
        return;
    }
    let token = request.interaction.token.clone();
    let (pieces, mut arriving) = tokio::sync::mpsc::channel::<String>(256);
    let asking = client.stream_text("ask", json!({ "question": question }), pieces, ASK_DEADLINE);
    tokio::pin!(asking);
    let mut text = String::new();
    let mut shown_len = 0;
    let mut next_edit = tokio::time::Instant::now() + EDIT_INTERVAL;
    let result = loop {
        tokio::select! {
            result = &mut asking => break result,
            Some(piece) = arriving.recv() => text.push_str(&piece),
            _ = tokio::time::sleep_until(next_edit), if text.len() != shown_len => {
                let showing = format!("{}{WRITING}", clip(&text, MESSAGE_CHARS - WRITING.chars().count()));
                if let Err(error) = discord.edit_original(&token, &ReplyMessage::private(showing)).await {
                    tracing::warn!(%error, "could not show the answer so far");
                }
                shown_len = text.len();
                next_edit = tokio::time::Instant::now() + EDIT_INTERVAL;
            }
        }
    };
    // The last edit keeps its distance from the one before too.
    tokio::time::sleep_until(next_edit).await;
    let final_text = match result {
        Ok(answer) if answer.trim().is_empty() => t!(locale, "llm-ask-no-answer"),
        Ok(answer) => answer,
        Err(failure) => {
            tracing::info!(%failure, "/llm ask failed");
            let reason = failure.describe(locale);
            if text.trim().is_empty() {
                reason
            } else {
                format!("{text}\n\n⚠️ {reason}")
            }
        }
    };
    let mut parts = split_message(&final_text, MESSAGE_CHARS).into_iter();
    let first = parts.next().unwrap_or_default();
    if let Err(error) = discord
        .edit_original(&token, &ReplyMessage::private(first))
        .await
    {
        tracing::warn!(%error, "could not show the answer");
        return;
    }
    for part in parts {
        tokio::time::sleep(EDIT_INTERVAL).await;
        if let Err(error) = discord
            .follow_up(&token, &ReplyMessage::private(part))
            .await
        {
            tracing::warn!(%error, "could not show the rest of the answer");
            return;
        }
    }
}

/// `text` in pieces of at most `max_chars` characters, cut at a line break (else a space)
/// where one is near the end of a piece.
pub fn split_message(text: &str, max_chars: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > max_chars {
        let window = &rest[..max_chars];
        let cut = window
            .iter()
            .rposition(|c| *c == '\n')
            .or_else(|| window.iter().rposition(|c| *c == ' '))
            .filter(|at| *at >= max_chars / 2)
            .map_or(max_chars, |at| at + 1);
        parts.push(rest[..cut].iter().collect::<String>().trim_end().to_owned());
        rest.drain(..cut);
    }
    parts.push(rest.into_iter().collect());
    parts.retain(|part| !part.trim().is_empty());
    if parts.is_empty() {
        parts.push(String::new());
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_answers_are_split_at_line_breaks_within_the_limit() {
        let text = format!("{}\n{}", "a".repeat(1500), "b".repeat(1000));
        let parts = split_message(&text, 2000);
        assert_eq!(parts, ["a".repeat(1500), "b".repeat(1000)]);
        let unbroken = "c".repeat(4500);
        let parts = split_message(&unbroken, 2000);
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [2000, 2000, 500]
        );
        assert_eq!(split_message("short", 2000), ["short"]);
    }
}
