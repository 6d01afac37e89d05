//! What the gateway tells tickets outside interactions: a ticket channel deleted by hand
//! closes its ticket (with a note in its timeline and the log) and frees the opener's
//! place, so the record never claims a channel that is gone; the first message of a staff
//! member in a ticket channel is its first response time.

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
use crate::t;

/// Subscribes the ticket manager's watcher to CHANNEL_DELETE and MESSAGE_CREATE, and
/// loads the channels waiting for a first answer.
pub fn subscribe(bus: &EventBus, shared: Arc<Shared>) {
    // Deliveries run on the shard's reader thread; the store is read on the main runtime.
    let main = tokio::runtime::Handle::current();
    let loading = shared.clone();
    main.spawn(async move {
        match loading.kernel.store.tickets_awaiting_response().await {
            Ok(channels) => loading.awaiting_response.write().extend(channels),
            Err(error) => {
                tracing::warn!(%error, "could not load the tickets waiting for an answer")
            }
        }
        match loading.kernel.store.open_ticket_channels().await {
            Ok(channels) => {
                let now = loading.kernel.clock.now();
                let mut open = loading.open_channels.write();
                open.extend(channels.into_iter().map(|channel| (channel, now)));
            }
            Err(error) => tracing::warn!(%error, "could not load the open ticket channels"),
        }
        match loading.kernel.store.anonymous_ticket_channels().await {
            Ok(channels) => loading.anonymous_channels.write().extend(channels),
            Err(error) => tracing::warn!(%error, "could not load the anonymous ticket channels"),
        }
        match loading.kernel.store.tickets_closing().await {
            Ok(channels) => loading.closing.write().extend(channels),
            Err(error) => tracing::warn!(%error, "could not load the scheduled ticket closes"),
        }
    });
    let deliver: Deliver = Arc::new(move |event| {
        let handled = match event.event.as_ref() {
            Event::ChannelDelete(deleted) => {
                let Some(guild_id) = deleted.guild_id else {
                    return crate::bus::delivered();
                };
                let (shared, channel_id) = (shared.clone(), deleted.id);
                main.spawn(async move { channel_gone(&shared, guild_id, channel_id).await })
            }
            // Every message passes here: one map lookup before anything else.
            Event::MessageCreate(message)
                if !message.author.bot
                    && shared
                        .open_channels
                        .read()
                        .contains_key(&message.channel_id) =>
            {
                let (shared, event) = (shared.clone(), event.clone());
                main.spawn(async move {
                    if let Event::MessageCreate(message) = event.event.as_ref() {
                        maybe_cancel_close(&shared, message).await;
                        maybe_first_response(&shared, message).await;
                        note_activity(&shared, message).await;
                        relay_to_opener(&shared, message).await;
                    }
                })
            }
            // A direct message to the bot: an anonymous opener writing to their ticket.
            Event::MessageCreate(message) if !message.author.bot && message.guild_id.is_none() => {
                let (shared, event) = (shared.clone(), event.clone());
                main.spawn(async move {
                    if let Event::MessageCreate(message) = event.event.as_ref() {
                        relay_from_opener(&shared, message).await;
                    }
                })
            }
            _ => return crate::bus::delivered(),
        };
        async move {
            if let Err(error) = handled.await {
                tracing::error!(%error, "handling a deleted ticket channel stopped");
            }
        }
        .boxed()
    });
    bus.subscribe(
        "tickets-watch",
        EventTypeFlags::CHANNEL_DELETE | EventTypeFlags::MESSAGE_CREATE,
        deliver,
    );
}

/// A message's text with its attachments' links, for a relay.
fn relayed_text(message: &twilight_model::channel::Message) -> String {
    let mut text = message.content.clone();
    for attachment in &message.attachments {
        text.push_str(&format!("\n{}", attachment.url));
    }
    crate::kernel::reply::clip(&text, 1800)
}

/// Staff wrote in an anonymous ticket: the opener gets it by DM.
async fn relay_to_opener(shared: &Shared, message: &twilight_model::channel::Message) {
    let Some(opener) = shared
        .anonymous_channels
        .read()
        .get(&message.channel_id)
        .copied()
    else {
        return;
    };
    let Some(guild_id) = message.guild_id else {
        return;
    };
    let kernel = &shared.kernel;
    let label = match kernel
        .store
        .ticket_in_channel(guild_id, message.channel_id)
        .await
    {
        Ok(Some(ticket)) => ticket.label(),
        _ => return,
    };
    let locale = kernel.guild_locale(guild_id).await;
    let relay = crate::kernel::reply::ReplyMessage::text(t!(
        locale,
        "ticket-relay-to-opener",
        label = label,
        text = relayed_text(message)
    ));
    if let Err(error) = kernel.discord.send_dm(opener, &relay).await {
        tracing::info!(%error, "could not relay a staff message to an anonymous opener");
    }
}

/// An anonymous opener wrote to the bot: their newest open anonymous ticket gets it,
/// without their name.
async fn relay_from_opener(shared: &Shared, message: &twilight_model::channel::Message) {
    let kernel = &shared.kernel;
    let ticket = match kernel
        .store
        .open_anonymous_ticket_of(message.author.id)
        .await
    {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "could not look up an anonymous opener's ticket");
            return;
        }
    };
    let Some(channel) = ticket.channel_id else {
        return;
    };
    let locale = kernel.guild_locale(ticket.guild_id).await;
    if ticket.locked {
        let refused = crate::kernel::reply::ReplyMessage::text(t!(
            locale,
            "ticket-relay-locked",
            label = ticket.label()
        ));
        if let Err(error) = kernel.discord.send_dm(message.author.id, &refused).await {
            tracing::info!(%error, "could not tell an anonymous opener their ticket is locked");
        }
        return;
    }
    let relay = crate::kernel::reply::ReplyMessage::text(t!(
        locale,
        "ticket-relay-from-opener",
        text = relayed_text(message)
    ));
    if let Err(error) = kernel.discord.send_message(channel, &relay, None).await {
        tracing::info!(%error, ticket = ticket.id, "could not relay an anonymous opener's message");
        return;
    }
    // The opener's message counts as activity, as it would in the channel.
    if let Err(error) = kernel.store.touch_ticket(channel, kernel.clock.now()).await {
        tracing::warn!(%error, "could not note a ticket channel's activity");
    }
}

/// How often at most the watcher writes a channel's last activity.
const ACTIVITY_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// A message in an open ticket channel keeps it from the inactivity close (written at most
/// once a minute per channel).
async fn note_activity(shared: &Shared, message: &twilight_model::channel::Message) {
    let now = shared.kernel.clock.now();
    {
        let mut open = shared.open_channels.write();
        match open.get_mut(&message.channel_id) {
            Some(last) if now - *last >= ACTIVITY_EVERY => *last = now,
            _ => return,
        }
    }
    if let Err(error) = shared
        .kernel
        .store
        .touch_ticket(message.channel_id, now)
        .await
    {
        tracing::warn!(%error, "could not note a ticket channel's activity");
    }
}

/// A message in a ticket channel with a scheduled close cancels it.
async fn maybe_cancel_close(shared: &Shared, message: &twilight_model::channel::Message) {
    let Some(guild_id) = message.guild_id else {
        return;
    };
    if !shared.closing.write().remove(&message.channel_id) {
        return;
    }
    let kernel = &shared.kernel;
    let ticket = match kernel
        .store
        .ticket_in_channel(guild_id, message.channel_id)
        .await
    {
        Ok(Some(ticket)) if ticket.close_at.is_some() => ticket,
        Ok(_) => return,
        Err(error) => {
            tracing::warn!(%error, "could not look up a ticket channel's ticket");
            return;
        }
    };
    match kernel.store.cancel_ticket_close(ticket.id).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not cancel a scheduled close");
            return;
        }
    }
    let now = kernel.clock.now();
    if let Err(error) = kernel
        .store
        .add_ticket_event(&ticket, message.author.id, "close-cancelled", "", now)
        .await
    {
        tracing::warn!(%error, ticket = ticket.id, "could not record the cancelled close");
    }
    let locale = kernel.guild_locale(guild_id).await;
    let notice =
        crate::kernel::reply::ReplyMessage::text(t!(locale, "ticket-close-cancelled-notice"));
    if let Err(error) = kernel
        .discord
        .send_message(message.channel_id, &notice, None)
        .await
    {
        tracing::info!(%error, ticket = ticket.id, "could not announce the cancelled close");
    }
}

/// A message in a ticket channel waiting for its first answer: if a staff member wrote it,
/// that is the ticket's first response.
async fn maybe_first_response(shared: &Shared, message: &twilight_model::channel::Message) {
    let Some(guild_id) = message.guild_id else {
        return;
    };
    if !shared
        .awaiting_response
        .read()
        .contains(&message.channel_id)
    {
        return;
    }
    let kernel = &shared.kernel;
    let store = &kernel.store;
    let ticket = match store.ticket_in_channel(guild_id, message.channel_id).await {
        Ok(Some(ticket)) if ticket.status == Status::Open && ticket.first_response_at.is_none() => {
            ticket
        }
        Ok(_) => {
            shared.awaiting_response.write().remove(&message.channel_id);
            return;
        }
        Err(error) => {
            tracing::warn!(%error, "could not look up a ticket channel's ticket");
            return;
        }
    };
    if message.author.id == ticket.opener_id {
        return;
    }
    let roles = message
        .member
        .as_ref()
        .map(|member| member.roles.clone())
        .unwrap_or_default();
    let (settings, config, category) = match (
        TicketSettings::load(kernel, guild_id).await,
        kernel.guild_config(guild_id).await,
        store.ticket_category(guild_id, ticket.category_id).await,
    ) {
        (Ok(settings), Ok(config), Ok(category)) => (settings, config, category),
        _ => return,
    };
    let staff_roles = [
        category.and_then(|category| category.staff_role_id),
        settings.staff_role,
        config.settings.moderator_role_id,
        config.settings.admin_role_id,
    ];
    let administrator = kernel
        .guilds
        .member_permissions(guild_id, message.author.id, &roles)
        .is_some_and(|permissions| {
            permissions.contains(twilight_model::guild::Permissions::ADMINISTRATOR)
        });
    let staff = administrator
        || staff_roles
            .iter()
            .flatten()
            .any(|role| roles.contains(role));
    if !staff {
        return;
    }
    let at = chrono::DateTime::from_timestamp_micros(message.timestamp.as_micros())
        .unwrap_or_else(|| kernel.clock.now());
    match store.ticket_first_response(ticket.id, at).await {
        Ok(true) => {
            shared.awaiting_response.write().remove(&message.channel_id);
            let minutes = (at - ticket.created_at).num_minutes().max(0).to_string();
            if let Err(error) = store
                .add_ticket_event(&ticket, message.author.id, "first-response", &minutes, at)
                .await
            {
                tracing::warn!(%error, ticket = ticket.id, "could not record the first response");
            }
        }
        Ok(false) => {
            shared.awaiting_response.write().remove(&message.channel_id);
        }
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not record the first response")
        }
    }
}

/// A channel is gone: if it was a ticket's, the ticket is closed and marked deleted.
pub(crate) async fn channel_gone(
    shared: &Shared,
    guild_id: Id<GuildMarker>,
    channel_id: Id<ChannelMarker>,
) {
    shared.channel_closed(channel_id);
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
    let locale = kernel.guild_locale(guild_id).await;
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
