//! The owners' and admins' text commands — `!ping`, `!status`, `!sync` — read from
//! MESSAGE_CREATE (this needs the MESSAGE_CONTENT intent). Anyone below the command's
//! level gets no reply at all: the bot does not reveal that the command exists.

use std::sync::Arc;

use futures::FutureExt;
use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::guild::Permissions;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_model::id::Id;

use super::{CoreCommands, CoreRequest};
use crate::bus::{Deliver, EventBus};
use crate::kernel::i18n::Locale;
use crate::kernel::policy::{access_level, AccessLevel, Actor, StaffRoles};
use crate::kernel::supervision::ConcernHandle;
use crate::kernel::Kernel;

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
}

/// Subscribes the prefix commands to the bus.
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
        if !could_be_command(message, &prefix) {
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

/// Whether a message may be a prefix command at all: a person's, in a guild, starting with
/// the prefix.
fn could_be_command(message: &twilight_model::channel::Message, prefix: &str) -> bool {
    !message.author.bot
        && !prefix.is_empty()
        && message.guild_id.is_some()
        && message.content.starts_with(prefix)
}

/// The request, when the message is a known prefix command from someone who may run it.
async fn parse(
    kernel: &Kernel,
    prefix: &str,
    message: &twilight_model::channel::Message,
) -> Option<PrefixRequest> {
    if message.author.bot || prefix.is_empty() {
        return None;
    }
    let guild_id = message.guild_id?;
    let rest = message.content.strip_prefix(prefix)?;
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
    let settings = match kernel.guild_config(guild_id).await {
        Ok(config) => Some(config.settings),
        Err(error) => {
            // Without the settings the configured roles are unknown: Administrator and the
            // bot's owners still pass, and the log says why a role holder was not let in.
            tracing::warn!(%error, guild = guild_id.get(), command = %name, "prefix command: guild settings unavailable, judging without the configured roles");
            None
        }
    };
    let staff = StaffRoles {
        admin_role_id: settings.as_ref().and_then(|s| s.admin_role_id),
        moderator_role_id: settings.as_ref().and_then(|s| s.moderator_role_id),
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
        locale: settings
            .as_ref()
            .map_or(Locale::English, |s| Locale::for_guild(&s.locale)),
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
