//! The owners' and admins' text commands — `!ping`, `!status`, `!sync` — read from
//! MESSAGE_CREATE (this needs the MESSAGE_CONTENT intent). Anyone below the command's
//! level gets no reply at all: the bot does not reveal that the command exists.
//!
//! A guild may choose its own prefix (`/config prefix`, 1 to 5 characters, no spaces, not
//! a mention); the bot's mention (`<@id>` or `<@!id>`) always works as a prefix too. The
//! same rules serve the text forms of slash commands ([`crate::dispatcher::text_form`]).

use std::sync::Arc;

use futures::FutureExt;
use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_model::guild::Permissions;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_model::id::Id;

use super::feature_settings::{Change, Outcome};
use super::{CoreCommands, CoreRequest};
use crate::bus::{Deliver, EventBus};
use crate::dispatcher::text_form::{
    after_prefix, guild_prefix, may_be_text_command, MAX_PREFIX_CHARS,
};
use crate::dispatcher::InteractionRequest;
use crate::kernel::guild_config::{GUILD_NAMESPACE, PREFIX_KEY};
use crate::kernel::i18n::Locale;
use crate::kernel::policy::{access_level, AccessLevel, Actor, StaffRoles};
use crate::kernel::reply::clip;
use crate::kernel::supervision::ConcernHandle;
use crate::kernel::Kernel;
use crate::t;

/// One prefix command someone allowed to run it sent.
#[derive(Debug, Clone)]
pub struct PrefixRequest {
    pub guild_id: Id<GuildMarker>,
    pub channel_id: Id<ChannelMarker>,
    pub message_id: Id<MessageMarker>,
    pub author_id: Id<UserMarker>,
    pub name: String,
    pub args: Vec<String>,
    /// The guild's language: a message carries no Discord locale of its author.
    pub locale: Locale,
    /// When the guild has public confirmations deleted (`None`: never).
    pub tidy_after: Option<std::time::Duration>,
}

/// Subscribes the prefix commands to the bus; `prefix` is the default (config.toml).
pub fn subscribe(
    bus: &EventBus,
    kernel: Kernel,
    core: ConcernHandle<CoreCommands>,
    prefix: String,
) {
    let prefix: Arc<str> = prefix.into();
    // Deliveries run on the shard's reader thread; a possible command is judged and run on
    // the main runtime, where the store's and the cache's connections live.
    let main = tokio::runtime::Handle::current();
    let deliver: Deliver = Arc::new(move |event| {
        // Most messages are not commands: tell at once, before cloning anything (this runs
        // for every MESSAGE_CREATE).
        let Event::MessageCreate(message) = event.event.as_ref() else {
            return crate::bus::delivered();
        };
        let is_name = |word: &str| kernel.catalogue.prefix_command(word).is_some();
        if message.author.bot
            || message.guild_id.is_none()
            || !may_be_text_command(&message.content, &prefix, is_name)
        {
            return crate::bus::delivered();
        }
        let kernel = kernel.clone();
        let core = core.clone();
        let prefix = prefix.clone();
        let command = async move {
            let Event::MessageCreate(message) = event.event.as_ref() else {
                return;
            };
            let Some(request) = parse(&kernel, &prefix, message).await else {
                return;
            };
            // Awaited: a busy core actor slows intake rather than piling messages up.
            if let Err(error) = core.call(CoreRequest::Prefix(request)).await {
                tracing::warn!(%error, "a prefix command failed");
            }
        };
        let handled = main.spawn(command);
        async move {
            if let Err(error) = handled.await {
                tracing::error!(%error, "a prefix command's handling stopped");
            }
        }
        .boxed()
    });
    bus.subscribe("prefix-commands", EventTypeFlags::MESSAGE_CREATE, deliver);
}

/// Why `raw` cannot be a prefix (the translation key), if it cannot; the prefix otherwise.
pub fn check_prefix(raw: &str) -> Result<&str, &'static str> {
    if raw.trim().is_empty() {
        return Err("config-prefix-blank");
    }
    if raw.chars().any(char::is_whitespace) {
        return Err("config-prefix-spaces");
    }
    if raw.chars().count() > MAX_PREFIX_CHARS {
        return Err("config-prefix-too-long");
    }
    if raw.contains("<@") || raw.contains("<#") || raw.contains('@') {
        return Err("config-prefix-mention");
    }
    Ok(raw)
}

/// `/config prefix [value]`: the guild's own prefix, or (left out) back to the default.
pub async fn configure(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Outcome {
    let locale = request.language();
    let asked = match request.leaf_option("value") {
        None => None,
        Some(CommandOptionValue::String(raw)) => Some(raw.clone()),
        Some(_) => return Outcome::Refused(t!(locale, "config-prefix-blank")),
    };
    let stored = match &asked {
        None => kernel
            .store
            .delete_feature_setting(guild, GUILD_NAMESPACE, PREFIX_KEY)
            .await
            .map(drop),
        Some(raw) => {
            let prefix = match check_prefix(raw) {
                Ok(prefix) => prefix,
                Err(key) => {
                    let shown = clip(raw, 30);
                    let length = raw.chars().count();
                    return Outcome::Refused(match key {
                        "config-prefix-blank" => t!(locale, "config-prefix-blank"),
                        "config-prefix-spaces" => {
                            t!(locale, "config-prefix-spaces", prefix = shown)
                        }
                        "config-prefix-too-long" => t!(
                            locale,
                            "config-prefix-too-long",
                            length = length,
                            max = MAX_PREFIX_CHARS
                        ),
                        _ => t!(locale, "config-prefix-mention"),
                    });
                }
            };
            kernel
                .store
                .set_feature_setting(guild, GUILD_NAMESPACE, PREFIX_KEY, &prefix.into())
                .await
        }
    };
    if let Err(error) = stored {
        return Outcome::Refused(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        ));
    }
    kernel.forget_guild_config(guild).await;
    let change: Change = Box::new(move |locale| match &asked {
        Some(prefix) => t!(locale, "config-changed-prefix", prefix = prefix.as_str()),
        None => t!(locale, "config-changed-prefix-default"),
    });
    Outcome::Changed(change)
}

/// The request, when the message is a known prefix command from someone who may run it.
async fn parse(
    kernel: &Kernel,
    default: &str,
    message: &twilight_model::channel::Message,
) -> Option<PrefixRequest> {
    if message.author.bot {
        return None;
    }
    let guild_id = message.guild_id?;
    let config = match kernel.guild_config(guild_id).await {
        Ok(config) => Some(config),
        Err(error) => {
            // Without the settings the configured roles are unknown: Administrator and the
            // bot's owners still pass, and the log says why a role holder was not let in.
            tracing::warn!(%error, guild = guild_id.get(), "prefix command: guild settings unavailable, judging without the configured roles and with the default prefix");
            None
        }
    };
    let prefix = config
        .as_ref()
        .map_or(default, |config| guild_prefix(&config.features, default));
    let rest = after_prefix(&message.content, prefix, kernel.discord.known_bot_user())?;
    let mut words = rest.split_whitespace();
    let name = words.next()?.to_lowercase();
    let entry = kernel.catalogue.prefix_command(&name)?;
    let roles: Vec<_> = message
        .member
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    let permissions = kernel
        .guilds
        .member_permissions(guild_id, message.author.id, &roles)
        .unwrap_or(Permissions::empty());
    let settings = config.as_ref().map(|config| &config.settings);
    let staff = StaffRoles {
        admin_role_id: settings.and_then(|s| s.admin_role_id),
        moderator_role_id: settings.and_then(|s| s.moderator_role_id),
    };
    let actor = Actor {
        user_id: message.author.id.get(),
        role_ids: roles.iter().map(|r| r.get()).collect(),
        permissions: permissions.bits(),
        in_guild: true,
    };
    let level = access_level(&kernel.owners, &actor, staff);
    if level < entry.access {
        tracing::debug!(command = %name, user = message.author.id.get(), "prefix command ignored: not allowed");
        return None;
    }
    Some(PrefixRequest {
        guild_id,
        channel_id: message.channel_id,
        message_id: message.id,
        author_id: message.author.id,
        name,
        args: words.map(str::to_owned).collect(),
        locale: settings.map_or(Locale::English, |s| Locale::for_guild(&s.locale)),
        tidy_after: config.and_then(|config| config.features.tidy_replies()),
    })
}

/// The prefix commands in the catalogue.
pub fn entries() -> Vec<crate::kernel::catalogue::PrefixEntry> {
    use crate::kernel::catalogue::PrefixEntry;
    vec![
        PrefixEntry {
            name: "ping",
            summary: "Is the bot alive? Gateway heartbeat and REST round trip",
            access: AccessLevel::Admin,
        },
        PrefixEntry {
            name: "status",
            summary: "The /status report as text",
            access: AccessLevel::Admin,
        },
        PrefixEntry {
            name: "sync",
            summary: "Register the slash commands again (`!sync here`: only in this server)",
            access: AccessLevel::Admin,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_is_short_spaceless_and_not_a_mention() {
        assert_eq!(check_prefix("?"), Ok("?"));
        assert_eq!(check_prefix("agora"), Ok("agora"));
        assert_eq!(check_prefix("   "), Err("config-prefix-blank"));
        assert_eq!(check_prefix("a b"), Err("config-prefix-spaces"));
        assert_eq!(check_prefix(&"x".repeat(20)), Err("config-prefix-too-long"));
        assert_eq!(check_prefix("<@1>"), Err("config-prefix-mention"));
        assert_eq!(check_prefix("<@123456789>"), Err("config-prefix-too-long"));
        assert_eq!(check_prefix("äöü!"), Ok("äöü!"));
    }

    #[test]
    fn the_cheap_look_finds_commands_behind_any_prefix_or_a_mention() {
        let is_name = |word: &str| word == "ping";
        assert!(may_be_text_command("!ping", "!", is_name));
        assert!(may_be_text_command("?ping now", "!", is_name));
        assert!(may_be_text_command("agora ping", "!", is_name));
        assert!(may_be_text_command("<@!123> ping", "!", is_name));
        assert!(!may_be_text_command("hello there", "!", is_name));
        assert!(!may_be_text_command("ping", "!", is_name));
        assert!(!may_be_text_command("", "!", is_name));
        // Upper case and other letters read the same; an over-long word is no command.
        assert!(may_be_text_command("!PING", "!", is_name));
        assert!(may_be_text_command("§Ping", "!", is_name));
        assert!(may_be_text_command("ß ping", "!", is_name));
        assert!(!may_be_text_command(
            &format!("!{}", "p".repeat(80)),
            "!",
            is_name
        ));
    }

    #[test]
    fn the_mention_always_works_and_the_prefix_must_lead() {
        let bot = Some(Id::new(123));
        assert_eq!(after_prefix("<@123> ping", "?", bot), Some("ping"));
        assert_eq!(after_prefix("<@!123>ping", "?", bot), Some("ping"));
        assert_eq!(after_prefix("?ping", "?", bot), Some("ping"));
        assert_eq!(after_prefix("!ping", "?", bot), None);
        assert_eq!(after_prefix("<@999> ping", "?", bot), None);
    }
}
