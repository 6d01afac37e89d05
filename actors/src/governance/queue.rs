//! The queue channel's two persistent messages, "Pending proposals" and "Pending reports":
//! rewritten from the store whenever an item comes or goes, found again after a restart
//! (their ids are stored), and posted again when one was deleted by hand — at once when
//! the gateway says so, else at the next change or the ticker's check. One guild's queue
//! is written by one turn at a time, so two changes at once never post it twice.

use std::sync::Arc;

use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::id::marker::{GuildMarker, MessageMarker};
use twilight_model::id::Id;

use super::render;
use super::settings::GovernanceSettings;
use super::store::QueueMessage;
use super::Shared;
use crate::bus::{Deliver, EventBus};
use crate::kernel::discord::DiscordError;
use crate::kernel::reply::ReplyMessage;

/// Discord's "Unknown Message" and "Unknown Channel".
const UNKNOWN_MESSAGE: u64 = 10008;
const UNKNOWN_CHANNEL: u64 = 10003;

/// Loads the queue messages' ids and watches for their deletion.
pub fn subscribe(bus: &EventBus, shared: Arc<Shared>) {
    let main = tokio::runtime::Handle::current();
    let loading = shared.clone();
    main.spawn(async move {
        match loading.kernel.store.all_queue_messages().await {
            Ok(messages) => loading
                .queue_messages
                .write()
                .extend(messages.into_iter().map(|(_, message)| message)),
            Err(error) => tracing::warn!(%error, "could not load the governance queue messages"),
        }
    });
    let deliver: Deliver = Arc::new(move |event| {
        let deleted: Vec<(Option<Id<GuildMarker>>, Id<MessageMarker>)> = match event.event.as_ref()
        {
            Event::MessageDelete(gone) => vec![(gone.guild_id, gone.id)],
            Event::MessageDeleteBulk(gone) => {
                gone.ids.iter().map(|id| (gone.guild_id, *id)).collect()
            }
            _ => Vec::new(),
        };
        // Every deletion passes here: one set lookup before anything else.
        let ours: Vec<(Id<GuildMarker>, Id<MessageMarker>)> = {
            let known = shared.queue_messages.read();
            deleted
                .into_iter()
                .filter(|(_, message)| known.contains(message))
                .filter_map(|(guild, message)| Some((guild?, message)))
                .collect()
        };
        for (guild, gone) in ours {
            let shared = shared.clone();
            main.spawn(async move { rewrite(&shared, guild, Some(gone)).await });
        }
        crate::bus::delivered()
    });
    bus.subscribe(
        "governance-queue",
        EventTypeFlags::MESSAGE_DELETE | EventTypeFlags::MESSAGE_DELETE_BULK,
        deliver,
    );
}

/// The ticker's check: every guild with queue messages gets them rewritten (and posted
/// again where they are gone).
pub async fn check_all(shared: &Arc<Shared>) {
    let guilds: std::collections::BTreeSet<Id<GuildMarker>> =
        match shared.kernel.store.all_queue_messages().await {
            Ok(messages) => messages.into_iter().map(|(guild, _)| guild).collect(),
            Err(error) => {
                tracing::warn!(%error, "could not read the governance queue messages");
                return;
            }
        };
    for guild in guilds {
        refresh(shared, guild).await;
    }
}

/// Rewrites a guild's two queue messages from the store (posting them where they are not).
pub async fn refresh(shared: &Arc<Shared>, guild: Id<GuildMarker>) {
    rewrite(shared, guild, None).await;
}

/// [`refresh`], knowing that message `gone` was deleted (it is posted anew, not edited).
async fn rewrite(shared: &Arc<Shared>, guild: Id<GuildMarker>, gone: Option<Id<MessageMarker>>) {
    let kernel = &shared.kernel;
    let _turn = kernel
        .serial
        .turn(format!("governance-queue:{guild}"))
        .await;
    let config = match kernel.guild_config(guild).await {
        Ok(config) => config,
        Err(error) => {
            tracing::warn!(%error, guild = guild.get(), "could not read the governance settings");
            return;
        }
    };
    let settings = GovernanceSettings::from_values(&config.features);
    let Some(channel) = settings.queue_channel else {
        return;
    };
    let locale = crate::kernel::i18n::Locale::for_guild(&config.settings.locale);
    for which in QueueMessage::BOTH {
        let message = match which {
            QueueMessage::Proposals => match kernel.store.pending_proposals(guild).await {
                Ok(proposals) => render::proposals_queue(locale, &proposals),
                Err(error) => {
                    tracing::warn!(%error, "could not read the pending proposals");
                    continue;
                }
            },
            QueueMessage::Reports => match kernel.store.open_reports(guild).await {
                Ok(reports) => render::reports_queue(locale, &reports),
                Err(error) => {
                    tracing::warn!(%error, "could not read the open reports");
                    continue;
                }
            },
        };
        write(shared, guild, channel, which, &message, gone).await;
    }
}

/// Edits the stored message in place, or posts it (again) and stores where.
async fn write(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    channel: Id<twilight_model::id::marker::ChannelMarker>,
    which: QueueMessage,
    message: &ReplyMessage,
    gone: Option<Id<MessageMarker>>,
) {
    let kernel = &shared.kernel;
    let stored = match kernel.store.queue_message(guild, which).await {
        Ok(stored) => stored,
        Err(error) => {
            tracing::warn!(%error, "could not read where the queue message is");
            return;
        }
    };
    if let Some((stored_channel, stored_message)) = stored {
        if stored_channel == channel && Some(stored_message) != gone {
            match kernel
                .discord
                .edit_message(channel, stored_message, message)
                .await
            {
                Ok(()) => return,
                Err(DiscordError::Refused {
                    code: Some(UNKNOWN_MESSAGE | UNKNOWN_CHANNEL),
                    ..
                }) => {
                    tracing::info!(
                        guild = guild.get(),
                        which = which.as_str(),
                        "a queue message was deleted; posting it again"
                    );
                }
                Err(error) => {
                    tracing::warn!(%error, "could not update a queue message");
                    return;
                }
            }
        }
        shared.queue_messages.write().remove(&stored_message);
    }
    match kernel.discord.send_message(channel, message, None).await {
        Ok(posted) => {
            shared.queue_messages.write().insert(posted);
            if let Err(error) = kernel
                .store
                .set_queue_message(guild, which, channel, posted)
                .await
            {
                tracing::warn!(%error, "could not remember where the queue message is");
            }
        }
        Err(error) => tracing::warn!(%error, guild = guild.get(), "could not post a queue message"),
    }
}
