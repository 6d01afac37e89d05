//! Channel ideas and names: an idea is sanitized before anyone (staff, the model) reads it;
//! a channel name is made to Discord's rules; the model is asked for a name with the tool
//! `suggest_channel_name` within a few seconds, and any failure is "no suggestion" — the
//! proposal goes on without one.

use std::time::Duration;

use serde_json::{json, Value};

use crate::kernel::Kernel;
use crate::llm::{LlmClient, LlmFailure, ToolSpec};

/// The longest idea kept (characters).
pub const IDEA_MAX_CHARS: usize = 500;
/// The longest channel name made (Discord allows 100; shorter names read better).
pub const NAME_MAX_CHARS: usize = 50;
/// How long a member waits for the model at most.
pub const SUGGESTION_DEADLINE: Duration = Duration::from_secs(4);
/// The prompt template and tool (shipped by the LLM client).
pub const TEMPLATE: &str = "suggest_channel_name";

/// Why an idea is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdeaProblem {
    /// Fewer than 3 letters or digits once cleaned.
    TooShort,
}

/// The idea cleaned: control characters gone, whitespace runs made one space (newlines
/// kept, at most two in a row), mentions defused, clipped to [`IDEA_MAX_CHARS`].
pub fn sanitize_idea(raw: &str) -> Result<String, IdeaProblem> {
    let mut cleaned = String::with_capacity(raw.len());
    let mut newlines = 0;
    let mut pending_space = false;
    for c in raw.trim().chars() {
        if c == '\n' {
            newlines += 1;
            pending_space = false;
            if newlines <= 2 {
                cleaned.push('\n');
            }
            continue;
        }
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if c.is_control() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}') {
            continue;
        }
        if pending_space && !cleaned.is_empty() && !cleaned.ends_with('\n') {
            cleaned.push(' ');
        }
        pending_space = false;
        newlines = 0;
        cleaned.push(c);
    }
    // `@everyone`, `@here` and `<@…>` read as text wherever the idea is shown.
    let cleaned = cleaned.replace('@', "@\u{200B}");
    let cleaned: String = cleaned.trim().chars().take(IDEA_MAX_CHARS).collect();
    if cleaned.chars().filter(|c| c.is_alphanumeric()).count() < 3 {
        return Err(IdeaProblem::TooShort);
    }
    Ok(cleaned)
}

/// `text` as a text channel's name: lower case, letters, digits, `-` and `_`, words joined
/// by `-`, at most [`NAME_MAX_CHARS`]; `None` when nothing is left.
pub fn channel_name(text: &str) -> Option<String> {
    let mut name = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            name.push(c);
        } else if (c.is_whitespace() || c == '-') && !name.is_empty() && !name.ends_with('-') {
            name.push('-');
        }
    }
    let name: String = name
        .trim_matches('-')
        .chars()
        .take(NAME_MAX_CHARS)
        .collect();
    let name = name.trim_end_matches('-').to_owned();
    (!name.is_empty()).then_some(name)
}

/// The tool the model is asked to call.
pub fn tool() -> ToolSpec {
    ToolSpec {
        name: "suggest_channel_name",
        description: "Suggest one short Discord text channel name (lower case, words joined by hyphens) for a community member's channel idea.",
        parameters: json!({
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "reason": {"type": "string"}
            },
            "required": ["name"]
        }),
    }
}

/// What the model suggested, or why there is no suggestion.
#[derive(Debug, Clone, PartialEq)]
pub enum Suggestion {
    Name(String),
    /// No suggestion; the note says why (for staff).
    None(String),
}

impl Suggestion {
    pub fn name(&self) -> Option<&str> {
        match self {
            Suggestion::Name(name) => Some(name),
            Suggestion::None(_) => None,
        }
    }

    pub fn note(&self) -> Option<&str> {
        match self {
            Suggestion::Name(_) => None,
            Suggestion::None(note) => Some(note),
        }
    }
}

/// The channel name in the model's tool arguments, made to the rules.
pub fn name_from_arguments(arguments: &Value) -> Option<String> {
    arguments["name"].as_str().and_then(channel_name)
}

/// Asks the model for a channel name for `idea` (the guild's channels in `existing`).
pub async fn suggest(kernel: &Kernel, idea: &str, existing: &[String]) -> Suggestion {
    let Some(client) = LlmClient::of(kernel) else {
        return Suggestion::None(LlmFailure::NotConfigured.to_string());
    };
    let context = json!({ "idea": idea, "existing": existing });
    match client
        .call_tool(TEMPLATE, context, tool(), SUGGESTION_DEADLINE)
        .await
    {
        Ok(arguments) => match name_from_arguments(&arguments) {
            Some(name) => Suggestion::Name(name),
            None => Suggestion::None("the model's name was empty or unusable".to_owned()),
        },
        Err(failure) => {
            tracing::info!(%failure, "no channel name suggestion");
            Suggestion::None(failure.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ideas_are_cleaned_and_mentions_defused() {
        assert_eq!(
            sanitize_idea("  A   place\tfor\u{0007} retro   games  ").unwrap(),
            "A place for retro games"
        );
        let pinged = sanitize_idea("hi @everyone and <@123>").unwrap();
        assert!(!pinged.contains("@everyone"), "{pinged}");
        assert_eq!(sanitize_idea(" !! "), Err(IdeaProblem::TooShort));
        assert_eq!(
            sanitize_idea(&"word ".repeat(300)).unwrap().chars().count(),
            IDEA_MAX_CHARS
        );
        assert_eq!(sanitize_idea("a\n\n\n\nb c d").unwrap(), "a\n\nb c d");
    }

    #[test]
    fn channel_names_follow_discords_rules() {
        assert_eq!(channel_name("Retro Games!").as_deref(), Some("retro-games"));
        assert_eq!(
            channel_name("  --Über  Café--  ").as_deref(),
            Some("über-café")
        );
        assert_eq!(channel_name("🎮🎮"), None);
        assert_eq!(
            channel_name(&"a".repeat(80)).unwrap().chars().count(),
            NAME_MAX_CHARS
        );
        assert_eq!(
            name_from_arguments(&json!({"name": "Board Games Night"})).as_deref(),
            Some("board-games-night")
        );
        assert_eq!(name_from_arguments(&json!({"nom": "x"})), None);
    }
}
