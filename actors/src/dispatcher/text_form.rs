//! Text forms of slash commands for admins: `!tickets category upsert name:"Billing"
//! sla_minutes:30` runs the same handler as `/tickets category upsert`. The words are read
//! against the registered command (subcommands by name, options as `name:value`, quotes
//! for spaces), checked as Discord checks a slash command's options (required, choices,
//! lengths, ranges, mentions), and handed to the feature's actor as a command request.
//! Public answers are replies in the channel; private ones go to the admin by DM, never
//! into the channel. Anyone below admin gets no reply at all (as with `!ping`); admins
//! pass every role a guild requires for a command, so `/config permissions` never
//! refuses a text form. The prefix is the guild's own (`/config prefix`) or the default,
//! and the bot's mention always works too.

use std::sync::Arc;

use futures::FutureExt;
use serde_json::{json, Value};
use twilight_gateway::{Event, EventTypeFlags};
use twilight_interactions::command::ApplicationCommandData;
use twilight_model::application::command::{CommandOption, CommandOptionType};
use twilight_model::application::interaction::Interaction;
use twilight_model::channel::Message;
use twilight_model::guild::Permissions;
use twilight_model::id::marker::UserMarker;
use twilight_model::id::Id;

use super::request::{decode, InteractionRequest};
use super::Outcome;
use crate::bus::{Deliver, EventBus};
use crate::kernel::guild_config::FeatureValues;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::{access_level, AccessLevel, Actor, StaffRoles};
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::kernel::Kernel;
use crate::t;

/// How a feature's actor takes a request made from text.
pub type Handler = Arc<
    dyn Fn(InteractionRequest) -> futures::future::BoxFuture<'static, Option<Reply>> + Send + Sync,
>;

/// Subscribes the text forms of `commands` (slash command names the feature owns) to
/// MESSAGE_CREATE; `prefix` is the admins' prefix (`!`).
pub fn subscribe(
    bus: &EventBus,
    kernel: Kernel,
    prefix: String,
    commands: &'static [&'static str],
    handler: Handler,
) {
    let main = tokio::runtime::Handle::current();
    let deliver: Deliver = Arc::new(move |event| {
        let Event::MessageCreate(message) = event.event.as_ref() else {
            return crate::bus::delivered();
        };
        // Most messages are not commands: tell at once (this runs for every message).
        if message.author.bot
            || message.guild_id.is_none()
            || !may_be_text_command(&message.content, &prefix, |word| commands.contains(&word))
        {
            return crate::bus::delivered();
        }
        let (kernel, handler, prefix) = (kernel.clone(), handler.clone(), prefix.clone());
        let run = async move {
            if let Event::MessageCreate(message) = event.event.as_ref() {
                run(&kernel, &prefix, commands, message, &handler).await;
            }
        };
        let handled = main.spawn(run);
        async move {
            if let Err(error) = handled.await {
                tracing::error!(%error, "a text command's handling stopped");
            }
        }
        .boxed()
    });
    bus.subscribe("text-forms", EventTypeFlags::MESSAGE_CREATE, deliver);
}

/// The longest prefix a guild may choose.
pub const MAX_PREFIX_CHARS: usize = 5;

/// Whether a message may be a text command with some prefix — `default`, any a guild may
/// choose, or a mention — naming a command `is_name` knows: a cheap look, without the
/// guild's settings, before anything is cloned or read.
pub fn may_be_text_command(content: &str, default: &str, is_name: impl Fn(&str) -> bool) -> bool {
    let mut words = content.split_whitespace();
    let Some(first) = words.next() else {
        return false;
    };
    // This runs for every message: the lower-case copy lives on the stack (an ASCII word;
    // one too long for the buffer is longer than any prefix and name together, so it reads
    // as empty; only a word with other letters is lowered on the heap).
    let mut buffer = [0u8; LOWERED_ON_STACK];
    let lowered;
    let first: &str = match lower_on_stack(first, &mut buffer) {
        Some(first) => first,
        None => {
            lowered = first.to_lowercase();
            &lowered
        }
    };
    // `<prefix><name>`: a name after the default or after 1 to 5 characters.
    let glued = first
        .strip_prefix(default)
        .filter(|_| !default.is_empty())
        .is_some_and(&is_name)
        || first
            .char_indices()
            .skip(1)
            .take(MAX_PREFIX_CHARS)
            .any(|(at, _)| is_name(&first[at..]));
    // `<prefix> <name>` or `<@bot> <name>`.
    let apart = (first.chars().count() <= MAX_PREFIX_CHARS.max(default.chars().count())
        || (first.starts_with("<@") && first.ends_with('>')))
        && words.next().is_some_and(|word| {
            let mut buffer = [0u8; LOWERED_ON_STACK];
            match lower_on_stack(word, &mut buffer) {
                Some(word) => is_name(word),
                None => is_name(&word.to_lowercase()),
            }
        });
    glued || apart
}

/// Bytes of a word lowered on the stack by [`may_be_text_command`].
const LOWERED_ON_STACK: usize = 64;

/// `word` in lower case in `buffer` when it is ASCII (empty when it does not fit: no
/// prefix and command name are that long); `None` for a word with other letters.
fn lower_on_stack<'b>(word: &str, buffer: &'b mut [u8; LOWERED_ON_STACK]) -> Option<&'b str> {
    if !word.is_ascii() {
        return None;
    }
    if word.len() > LOWERED_ON_STACK {
        return Some("");
    }
    let lowered = &mut buffer[..word.len()];
    lowered.copy_from_slice(word.as_bytes());
    lowered.make_ascii_lowercase();
    std::str::from_utf8(lowered).ok()
}

/// What follows the guild's prefix or the bot's mention in `content`, spaces after it
/// trimmed; `None` when the message starts with neither.
pub fn after_prefix<'a>(
    content: &'a str,
    prefix: &str,
    bot: Option<Id<UserMarker>>,
) -> Option<&'a str> {
    if let Some(bot) = bot {
        for mention in [format!("<@{bot}>"), format!("<@!{bot}>")] {
            if let Some(rest) = content.strip_prefix(mention.as_str()) {
                return Some(rest.trim_start());
            }
        }
    }
    if prefix.is_empty() {
        return None;
    }
    content.strip_prefix(prefix).map(str::trim_start)
}

/// The prefix in force in a guild: its own, else the default.
pub fn guild_prefix<'a>(features: &'a FeatureValues, default: &'a str) -> &'a str {
    features.prefix().unwrap_or(default)
}

async fn run(
    kernel: &Kernel,
    default_prefix: &str,
    commands: &[&'static str],
    message: &Message,
    handler: &Handler,
) {
    let received = std::time::Instant::now();
    let Some(guild_id) = message.guild_id else {
        return;
    };
    let config = match kernel.guild_config(guild_id).await {
        Ok(config) => config,
        Err(error) => {
            tracing::warn!(%error, guild = guild_id.get(), "text command: guild settings unavailable");
            return;
        }
    };
    let prefix = guild_prefix(&config.features, default_prefix);
    let Some(after) = after_prefix(&message.content, prefix, kernel.discord.known_bot_user())
    else {
        return;
    };
    let word = after
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let Some(name) = commands.iter().copied().find(|name| *name == word) else {
        return;
    };
    let Some(entry) = kernel.catalogue.command(name) else {
        return;
    };
    let roles: Vec<_> = message
        .member
        .as_ref()
        .map(|member| member.roles.clone())
        .unwrap_or_default();
    let permissions = kernel
        .guilds
        .member_permissions(guild_id, message.author.id, &roles)
        .unwrap_or(Permissions::empty());
    let actor = Actor {
        user_id: message.author.id.get(),
        role_ids: roles.iter().map(|role| role.get()).collect(),
        permissions: permissions.bits(),
        in_guild: true,
    };
    let staff = StaffRoles {
        admin_role_id: config.settings.admin_role_id,
        moderator_role_id: config.settings.moderator_role_id,
    };
    let level = access_level(&kernel.owners, &actor, staff);
    // Text forms are the admins'; everyone else is not told they exist.
    if level < AccessLevel::Admin {
        return;
    }
    // From here on it is an admin's command: how it ends is told to the observers (usage
    // statistics), as the slash command's would be.
    let finish = |command: String, outcome: Outcome| {
        super::observe_text_command(kernel, guild_id, command, outcome, received.elapsed())
    };
    let locale = Locale::for_guild(&config.settings.locale);
    let tidy_after = config.features.tidy_replies();
    // Public answers go into the channel as replies; confirmations and errors are tidied
    // away where the guild wants it.
    let post = |answer: ReplyMessage| async move {
        match kernel
            .discord
            .send_message(message.channel_id, &answer, Some(message.id))
            .await
        {
            Ok(posted) => {
                if let Some(after) = tidy_after.filter(|_| answer.is_tidied()) {
                    super::tidy_message(&kernel.discord, message.channel_id, posted, after);
                }
            }
            Err(error) => tracing::info!(%error, "could not answer a text command"),
        }
    };
    let say = |text: String| post(ReplyMessage::confirmation(text));
    if !config.features.is_on(entry.feature) {
        say(t!(
            locale,
            "feature-off",
            title = entry.feature,
            feature = entry.feature
        ))
        .await;
        finish(name.to_owned(), Outcome::Refused);
        return;
    }
    let words = after.get(name.len()..).unwrap_or_default().to_owned();
    let options = match read_options(&entry.definition, &words) {
        Ok(options) => options,
        Err(problem) => {
            say(t!(
                locale,
                "text-form-unusable",
                command = name,
                problem = problem
            ))
            .await;
            finish(name.to_owned(), Outcome::Refused);
            return;
        }
    };
    let interaction = match interaction_for(message, name, options, permissions) {
        Ok(interaction) => Arc::new(interaction),
        Err(error) => {
            tracing::warn!(%error, "could not build a text command's request");
            finish(name.to_owned(), Outcome::Failed);
            return;
        }
    };
    let Ok(decoded) = decode(&interaction) else {
        finish(name.to_owned(), Outcome::Failed);
        return;
    };
    let kind = decoded.into_kind();
    let path: Vec<String> = match &kind {
        super::RequestKind::Command { path, .. } => path.clone(),
        _ => Vec::new(),
    };
    let command = std::iter::once(name)
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(" ");
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    if level < entry.access_for(&path) {
        finish(command, Outcome::Refused);
        return;
    }
    let request = InteractionRequest {
        interaction,
        kind,
        guild_id: Some(guild_id),
        channel_id: Some(message.channel_id),
        user_id: message.author.id,
        level,
        settings: config.settings,
        features: Arc::new(config.features),
        // Text forms are the admins', and admins pass every command role.
        command_roles: Arc::new(config.command_roles),
        // A text command's answer is a message of its own: there is no `@original`.
        delivered: super::request::Delivered::pending().1,
    };
    let Some(reply) = handler(request).await else {
        say(t!(locale, "busy")).await;
        finish(command, Outcome::Busy);
        return;
    };
    finish(command, Outcome::Answered);
    match reply {
        Reply::Message(answer) | Reply::Update(answer) if answer.ephemeral => {
            // Private answers (staff data, notes) never go into the channel.
            let mut answer = answer;
            answer.ephemeral = false;
            if kernel
                .discord
                .send_dm(message.author.id, &answer)
                .await
                .is_err()
            {
                say(t!(locale, "text-form-private")).await;
            }
        }
        Reply::Message(answer) | Reply::Update(answer) => post(answer).await,
        Reply::Modal { .. } => say(t!(locale, "text-form-needs-slash", command = name)).await,
        Reply::Choices(_) | Reply::Acknowledge => {}
    }
}

/// Splits `a b:"c d" e` into words, keeping quoted parts together (quotes removed).
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return Err("a quote is not closed".into());
    }
    if started {
        words.push(current);
    }
    Ok(words)
}

/// The command's options (Discord's `data.options` shape) from the words after its name.
pub fn read_options(command: &ApplicationCommandData, text: &str) -> Result<Vec<Value>, String> {
    let words = words(text)?;
    let mut words = words.as_slice();
    let mut level: &[CommandOption] = &command.options;
    // Subcommand groups and subcommands by name, outermost first.
    let mut path: Vec<(String, CommandOptionType)> = Vec::new();
    while level.iter().any(|o| {
        matches!(
            o.kind,
            CommandOptionType::SubCommand | CommandOptionType::SubCommandGroup
        )
    }) {
        let names: Vec<&str> = level.iter().map(|o| o.name.as_str()).collect();
        let Some((first, rest)) = words.split_first() else {
            return Err(format!("say one of: {}", names.join(", ")));
        };
        let Some(option) = level.iter().find(|o| o.name == first.to_lowercase()) else {
            return Err(format!(
                "{:?} is not one of: {}",
                clip(first, 30),
                names.join(", ")
            ));
        };
        path.push((option.name.clone(), option.kind));
        level = option.options.as_deref().unwrap_or(&[]);
        words = rest;
    }
    let mut values = Vec::new();
    for word in words {
        let Some((key, raw)) = word.split_once(':') else {
            return Err(format!(
                "write options as name:value ({:?}); options: {}",
                clip(word, 30),
                option_names(level)
            ));
        };
        let Some(option) = level.iter().find(|o| o.name == key.to_lowercase()) else {
            return Err(format!(
                "no option {:?}; options: {}",
                clip(key, 30),
                option_names(level)
            ));
        };
        if values
            .iter()
            .any(|v: &Value| v["name"] == option.name.as_str())
        {
            return Err(format!("{} is given twice", option.name));
        }
        values.push(json!({
            "name": option.name,
            "type": option.kind as u8,
            "value": value_of(option, raw)?,
        }));
    }
    for option in level {
        if option.required == Some(true)
            && !values.iter().any(|v| v["name"] == option.name.as_str())
        {
            return Err(format!("{} is required", option.name));
        }
    }
    // Wrap in the subcommands, innermost last.
    let mut options = values;
    for (name, kind) in path.into_iter().rev() {
        options = vec![json!({"name": name, "type": kind as u8, "options": options})];
    }
    Ok(options)
}

fn option_names(options: &[CommandOption]) -> String {
    let names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

/// An id from `<@1>`, `<@!1>`, `<@&1>`, `<#1>` or `1`.
fn mentioned_id(raw: &str) -> Option<u64> {
    let digits = raw
        .trim_start_matches(['<', '@', '!', '&', '#'])
        .trim_end_matches('>');
    digits.parse::<u64>().ok().filter(|id| *id > 0)
}

/// One option's value as Discord would send it, checked as Discord checks it.
fn value_of(option: &CommandOption, raw: &str) -> Result<Value, String> {
    use twilight_model::application::command::{CommandOptionChoiceValue, CommandOptionValue};
    let name = &option.name;
    let choices = option.choices.as_deref().unwrap_or(&[]);
    if !choices.is_empty() {
        let picked = choices.iter().find(|choice| {
            choice.name.eq_ignore_ascii_case(raw)
                || match &choice.value {
                    CommandOptionChoiceValue::String(value) => value.eq_ignore_ascii_case(raw),
                    CommandOptionChoiceValue::Integer(value) => value.to_string() == raw,
                    CommandOptionChoiceValue::Number(value) => value.to_string() == raw,
                }
        });
        let Some(picked) = picked else {
            let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
            return Err(format!("{name} is one of: {}", names.join(", ")));
        };
        return Ok(match &picked.value {
            CommandOptionChoiceValue::String(value) => json!(value),
            CommandOptionChoiceValue::Integer(value) => json!(value),
            CommandOptionChoiceValue::Number(value) => json!(value),
        });
    }
    let bound = |value: &Option<CommandOptionValue>| match value {
        Some(CommandOptionValue::Integer(n)) => Some(*n as f64),
        Some(CommandOptionValue::Number(n)) => Some(*n),
        None => None,
    };
    match option.kind {
        CommandOptionType::String => {
            let length = raw.chars().count() as u16;
            if option.min_length.is_some_and(|min| length < min)
                || option.max_length.is_some_and(|max| length > max)
            {
                return Err(format!(
                    "{name} takes {} to {} characters",
                    option.min_length.unwrap_or(0),
                    option.max_length.unwrap_or(6000)
                ));
            }
            Ok(json!(raw))
        }
        CommandOptionType::Integer | CommandOptionType::Number => {
            let number: f64 = raw
                .parse()
                .map_err(|_| format!("{name} takes a number, not {:?}", clip(raw, 20)))?;
            if option.kind == CommandOptionType::Integer && number.fract() != 0.0 {
                return Err(format!("{name} takes a whole number"));
            }
            let (min, max) = (bound(&option.min_value), bound(&option.max_value));
            if min.is_some_and(|min| number < min) || max.is_some_and(|max| number > max) {
                return Err(format!(
                    "{name} goes from {} to {}",
                    min.map_or("…".into(), |m| m.to_string()),
                    max.map_or("…".into(), |m| m.to_string())
                ));
            }
            Ok(if option.kind == CommandOptionType::Integer {
                json!(number as i64)
            } else {
                json!(number)
            })
        }
        CommandOptionType::Boolean => match raw.to_lowercase().as_str() {
            "true" | "yes" | "on" => Ok(json!(true)),
            "false" | "no" | "off" => Ok(json!(false)),
            _ => Err(format!("{name} takes yes or no")),
        },
        CommandOptionType::User
        | CommandOptionType::Channel
        | CommandOptionType::Role
        | CommandOptionType::Mentionable => mentioned_id(raw)
            .map(|id| json!(id.to_string()))
            .ok_or_else(|| format!("{name} takes a mention or an id")),
        _ => Err(format!(
            "{name} needs the slash command (files cannot be typed)"
        )),
    }
}

/// The request Discord would have sent for the slash command, from the message.
fn interaction_for(
    message: &Message,
    name: &str,
    options: Vec<Value>,
    permissions: Permissions,
) -> Result<Interaction, serde_json::Error> {
    let roles: Vec<String> = message
        .member
        .as_ref()
        .map(|m| m.roles.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default();
    let joined = message
        .member
        .as_ref()
        .and_then(|m| m.joined_at)
        .map_or_else(
            || "2015-05-13T00:00:00+00:00".to_owned(),
            |at| at.iso_8601().to_string(),
        );
    serde_json::from_value(json!({
        "id": message.id.to_string(),
        "application_id": "1",
        "type": 2,
        "token": "text-form",
        "version": 1,
        "attachment_size_limit": 10 * 1024 * 1024,
        "authorizing_integration_owners": {},
        "guild_id": message.guild_id.map(|g| g.to_string()),
        "channel_id": message.channel_id.to_string(),
        "channel": {"id": message.channel_id.to_string(), "type": 0},
        "member": {
            "user": {
                "id": message.author.id.to_string(),
                "username": message.author.name,
                "discriminator": "0000",
                "avatar": null,
            },
            "roles": roles,
            "joined_at": joined,
            "deaf": false,
            "mute": false,
            "flags": 0,
            "permissions": permissions.bits().to_string(),
        },
        "data": {"id": "1", "name": name, "type": 1, "options": options},
        "entitlements": [],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_interactions::command::CreateCommand;

    #[allow(dead_code)]
    #[derive(twilight_interactions::command::CommandModel, CreateCommand, Debug)]
    #[command(name = "demo", desc = "A demo")]
    enum Demo {
        #[command(name = "set")]
        Set(DemoSet),
    }

    #[allow(dead_code)]
    #[derive(twilight_interactions::command::CommandModel, CreateCommand, Debug)]
    #[command(name = "set", desc = "Set it")]
    struct DemoSet {
        /// A name
        #[command(min_length = 2, max_length = 10)]
        name: String,
        /// Minutes
        #[command(min_value = 0, max_value = 60)]
        minutes: Option<i64>,
        /// Who
        user: Option<twilight_model::id::Id<twilight_model::id::marker::UserMarker>>,
    }

    #[test]
    fn words_become_options_as_discord_would_send_them() {
        let command = Demo::create_command();
        let options =
            read_options(&command, r#" set name:"Two words" minutes:30 user:<@!42>"#).unwrap();
        assert_eq!(
            options,
            vec![json!({"name": "set", "type": 1, "options": [
                {"name": "name", "type": 3, "value": "Two words"},
                {"name": "minutes", "type": 4, "value": 30},
                {"name": "user", "type": 6, "value": "42"},
            ]})]
        );
    }

    #[test]
    fn what_discord_would_refuse_is_named() {
        let command = Demo::create_command();
        for (text, problem) in [
            ("", "say one of: set"),
            ("nope", "is not one of: set"),
            ("set", "name is required"),
            ("set name:x", "name takes 2 to 10 characters"),
            ("set name:ok minutes:61", "minutes goes from 0 to 60"),
            ("set name:ok minutes:1.5", "whole number"),
            ("set name:ok colour:red", "no option \"colour\""),
            ("set name:ok oops", "write options as name:value"),
            ("set name:\"open", "a quote is not closed"),
        ] {
            let error = read_options(&command, text).unwrap_err();
            assert!(error.contains(problem), "{text:?}: {error}");
        }
    }
}
