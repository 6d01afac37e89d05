//! What the gateway tells tickets outside interactions: a ticket channel deleted by hand
//! closes its ticket (with a note in its timeline and the log) and frees the opener's
//! place, so the record never claims a channel that is gone.

use std::sync::Arc;

use futures::FutureExt;
use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_model::id::Id;

use super::render;
use super::settings::TicketSettings;
use super::store::Status;
use super::Shared;
use crate::bus::{Deliver, EventBus};
use crate::kernel::i18n::Locale;
use crate::t;

/// Subscribes the ticket manager's watcher to CHANNEL_DELETE.
pub fn subscribe(bus: &EventBus, shared: Arc<Shared>) {
    // Deliveries run on the shard's reader thread; the store is read on the main runtime.
    let main = tokio::runtime::Handle::current();
    let deliver: Deliver = Arc::new(move |event| {
        let Event::ChannelDelete(deleted) = event.event.as_ref() else {
            return async {}.boxed();
        };
        let Some(guild_id) = deleted.guild_id else {
            return async {}.boxed();
        };
        let (shared, channel_id) = (shared.clone(), deleted.id);
        let handled = main.spawn(async move { channel_gone(&shared, guild_id, channel_id).await });
        async move {
            if let Err(error) = handled.await {
                tracing::error!(%error, "handling a deleted ticket channel stopped");
            }
        }
        .boxed()
    });
    bus.subscribe("tickets-watch", EventTypeFlags::CHANNEL_DELETE, deliver);
}

/// A channel is gone: if it was a ticket's, the ticket is closed and marked deleted.
pub(crate) async fn channel_gone(
    shared: &Shared,
    guild_id: Id<GuildMarker>,
    channel_id: Id<ChannelMarker>,
) {
    let kernel = &shared.kernel;
    let store = &kernel.store;
    let ticket = match store.ticket_in_channel(guild_id, channel_id).await {
        Ok(Some(ticket)) if ticket.status != Status::Deleted => ticket,
        Ok(_) => return,
        Err(error) => {
            tracing::warn!(%error, channel = channel_id.get(), "could not look up a deleted channel's ticket");
            return;
        }
    };
    let now = kernel.clock.now();
    let bot = match shared.bot_user().await {
        Ok(bot) => bot,
        Err(error) => {
            tracing::warn!(%error, "could not learn the bot's own id; the ticket is marked by its opener");
            ticket.opener_id
        }
    };
    let locale = match kernel.guild_config(guild_id).await {
        Ok(config) => Locale::for_guild(&config.settings.locale),
        Err(_) => Locale::English,
    };
    let note = t!(locale, "ticket-channel-deleted-reason");
    if ticket.status == Status::Open {
        match store.close_ticket(ticket.id, bot, Some(&note), now).await {
            Ok(Some(_)) => {
                if let Err(error) = store
                    .release_ticket_opener(guild_id, ticket.opener_id, false)
                    .await
                {
                    tracing::warn!(%error, ticket = ticket.id, "could not free the opener's place");
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, ticket = ticket.id, "could not close a ticket whose channel is gone");
                return;
            }
        }
    }
    match store.ticket_deleted(ticket.id, now).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not mark a ticket's channel gone");
            return;
        }
    }
    if let Err(error) = store
        .add_ticket_event(&ticket, bot, "channel-deleted", &note, now)
        .await
    {
        tracing::warn!(%error, ticket = ticket.id, "could not record the deleted channel");
    }
    let settings = match TicketSettings::load(kernel, guild_id).await {
        Ok(settings) => settings,
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not read the ticket settings");
            return;
        }
    };
    if let Some(log_channel) = settings.log_channel {
        let message = render::log_message(
            locale,
            &ticket,
            t!(locale, "ticket-log-channel-deleted", label = ticket.label()),
        );
        if let Err(error) = kernel
            .discord
            .send_message(log_channel, &message, None)
            .await
        {
            tracing::info!(%error, ticket = ticket.id, "could not write to the ticket log");
        }
    }
}
