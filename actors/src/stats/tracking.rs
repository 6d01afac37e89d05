//! Which channels are counted: the text channels of each guild's proposed and permanent
//! categories, found from GUILD_CREATE, kept current from CHANNEL_CREATE, _UPDATE and
//! _DELETE, rescanned over REST when an admin asks (`/channels refresh`) or when the
//! guild's categories change, and recorded in the store for the ranking ticker. Also the
//! counting itself: MESSAGE_CREATE, on the shard's thread, into the tally.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::channel::{Channel, ChannelType};
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_model::id::Id;

use super::store::TrackedChannel;
use super::tally::Kind;
use super::{Categories, Shared, StatsSettings};
use crate::bus::{Deliver, EventBus};

/// The events the intake reads.
pub const EVENTS: EventTypeFlags = EventTypeFlags::MESSAGE_CREATE
    .union(EventTypeFlags::GUILD_CREATE)
    .union(EventTypeFlags::CHANNEL_CREATE)
    .union(EventTypeFlags::CHANNEL_UPDATE)
    .union(EventTypeFlags::CHANNEL_DELETE);

/// How often each guild's categories are compared with its settings.
const SETTINGS_CHECK: Duration = Duration::from_secs(30);

/// What a channel is, as far as tracking cares.
#[derive(Debug, Clone)]
pub struct ChannelFacts {
    pub id: Id<ChannelMarker>,
    pub kind: ChannelType,
    pub parent: Option<Id<ChannelMarker>>,
    pub name: String,
}

impl ChannelFacts {
    fn of(channel: &Channel) -> ChannelFacts {
        ChannelFacts {
            id: channel.id,
            kind: channel.kind,
            parent: channel.parent_id,
            name: channel.name.clone().unwrap_or_default(),
        }
    }

    /// Which tracked kind the channel is under these categories, if any.
    fn kind_under(&self, (proposed, permanent): Categories) -> Option<Kind> {
        if !matches!(
            self.kind,
            ChannelType::GuildText | ChannelType::GuildAnnouncement
        ) {
            return None;
        }
        match self.parent {
            Some(parent) if Some(parent) == proposed => Some(Kind::Proposed),
            Some(parent) if Some(parent) == permanent => Some(Kind::Permanent),
            _ => None,
        }
    }
}

/// How many channels a rescan found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Found {
    pub proposed: usize,
    pub permanent: usize,
}

/// Subscribes the intake to the gateway, reads the tracked channels the store has (a
/// resumed session brings no GUILD_CREATE), and checks the guilds' categories every 30 s.
pub fn subscribe(bus: &EventBus, shared: Arc<Shared>) {
    let loading = shared.clone();
    shared.main.spawn(async move {
        load(&loading).await;
        loading
            .is_loaded
            .store(true, std::sync::atomic::Ordering::Release);
        loading.loaded.send_replace(true);
    });
    let watching = Arc::downgrade(&shared);
    shared.main.spawn(async move {
        let mut every = tokio::time::interval(SETTINGS_CHECK);
        every.tick().await;
        loop {
            every.tick().await;
            let Some(shared) = watching.upgrade() else {
                return;
            };
            if shared.is_stopping() {
                return;
            }
            check_settings(&shared).await;
        }
    });
    let deliver: Deliver = Arc::new(move |event| {
        match event.event.as_ref() {
            Event::MessageCreate(message) => {
                if message.author.bot || message.webhook_id.is_some() {
                    return crate::bus::delivered();
                }
                let (channel, id) = (message.channel_id.get(), message.id.get());
                // The hot path: no allocation, one short lock.
                if shared.is_loaded.load(std::sync::atomic::Ordering::Acquire) {
                    shared.tally.lock().count(channel, id);
                } else {
                    // Only while the store is read at start: the message waits for it.
                    let (shared, mut loaded) = (shared.clone(), shared.loaded.subscribe());
                    return async move {
                        let _ = loaded.wait_for(|loaded| *loaded).await;
                        shared.tally.lock().count(channel, id);
                    }
                    .boxed();
                }
            }
            Event::GuildCreate(create) => {
                if let GuildCreate::Available(guild) = create.as_ref() {
                    let channels: Vec<ChannelFacts> =
                        guild.channels.iter().map(ChannelFacts::of).collect();
                    let (task_shared, guild) = (shared.clone(), guild.id);
                    shared.main.spawn(async move {
                        match task_shared.settings(guild).await {
                            Ok(settings) => {
                                if let Err(problem) =
                                    rescan(&task_shared, guild, settings, Some(channels)).await
                                {
                                    tracing::warn!(guild = guild.get(), %problem, "could not record the tracked channels");
                                }
                            }
                            Err(error) => {
                                tracing::warn!(%error, guild = guild.get(), "could not read the stats settings")
                            }
                        }
                    });
                }
            }
            Event::ChannelCreate(channel) => changed(&shared, &channel.0),
            Event::ChannelUpdate(channel) => changed(&shared, &channel.0),
            Event::ChannelDelete(channel) => {
                let id = channel.0.id;
                shared.tally.lock().untrack(id.get());
                let task_shared = shared.clone();
                shared.main.spawn(async move {
                    if let Err(error) = task_shared.kernel.store.stats_untrack_channel(id).await {
                        tracing::warn!(%error, "could not forget a deleted channel");
                    }
                });
            }
            _ => {}
        }
        crate::bus::delivered()
    });
    bus.subscribe("stats-intake", EVENTS, deliver);
}

/// A channel was made or changed: tracked or not under its guild's categories.
fn changed(shared: &Arc<Shared>, channel: &Channel) {
    let Some(guild) = channel.guild_id else {
        return;
    };
    let facts = ChannelFacts::of(channel);
    let task_shared = shared.clone();
    shared.main.spawn(async move {
        let known = task_shared.categories.lock().get(&guild).copied();
        let categories = match known {
            Some(categories) => categories,
            None => match task_shared.settings(guild).await {
                Ok(settings) => settings.categories(),
                Err(error) => {
                    tracing::warn!(%error, guild = guild.get(), "could not read the stats settings");
                    return;
                }
            },
        };
        let store = &task_shared.kernel.store;
        let outcome = match facts.kind_under(categories) {
            Some(kind) => {
                task_shared.tally.lock().track(guild.get(), facts.id.get());
                let tracked = TrackedChannel {
                    id: facts.id,
                    kind,
                    name: facts.name,
                };
                store.stats_track_channel(guild, &tracked).await
            }
            None => {
                task_shared.tally.lock().untrack(facts.id.get());
                store.stats_untrack_channel(facts.id).await.map(drop)
            }
        };
        if let Err(error) = outcome {
            tracing::warn!(%error, "could not record a channel's tracking");
        }
    });
}

/// Finds a guild's tracked channels again — from `channels` (GUILD_CREATE's), else from
/// Discord — and makes the tally and the store hold exactly them.
pub async fn rescan(
    shared: &Shared,
    guild: Id<GuildMarker>,
    settings: StatsSettings,
    channels: Option<Vec<ChannelFacts>>,
) -> Result<Found, String> {
    let categories = settings.categories();
    let channels = match (channels, categories) {
        (_, (None, None)) => Vec::new(),
        (Some(channels), _) => channels,
        (None, _) => {
            let request = shared.kernel.discord.client().guild_channels(guild);
            crate::kernel::discord::send("GET /guilds/{id}/channels", request)
                .await
                .map_err(|error| error.to_string())?
                .models()
                .await
                .map_err(|error| error.to_string())?
                .iter()
                .map(ChannelFacts::of)
                .collect()
        }
    };
    let tracked: Vec<TrackedChannel> = channels
        .into_iter()
        .filter_map(|facts| {
            let kind = facts.kind_under(categories)?;
            Some(TrackedChannel {
                id: facts.id,
                kind,
                name: facts.name,
            })
        })
        .collect();
    let ids: Vec<u64> = tracked.iter().map(|channel| channel.id.get()).collect();
    shared.tally.lock().set_guild_channels(guild.get(), &ids);
    shared.categories.lock().insert(guild, categories);
    shared
        .kernel
        .store
        .stats_set_channels(guild, &tracked)
        .await
        .map_err(|error| error.to_string())?;
    Ok(Found {
        proposed: tracked.iter().filter(|c| c.kind == Kind::Proposed).count(),
        permanent: tracked.iter().filter(|c| c.kind == Kind::Permanent).count(),
    })
}

/// Reads every guild's tracked channels and categories from the store into the tally.
async fn load(shared: &Shared) {
    let store = &shared.kernel.store;
    let guilds = match store.stats_guilds().await {
        Ok(guilds) => guilds,
        Err(error) => {
            tracing::warn!(%error, "could not read the tracked channels; GUILD_CREATE and /channels refresh find them");
            return;
        }
    };
    for guild in guilds {
        // The live counts an embedded cache held at the last save.
        super::live_snapshot::restore(shared, guild).await;
        match (
            store.stats_channels(guild).await,
            shared.settings(guild).await,
        ) {
            (Ok(channels), Ok(settings)) => {
                let ids: Vec<u64> = channels.iter().map(|channel| channel.id.get()).collect();
                {
                    let mut tally = shared.tally.lock();
                    for id in ids {
                        tally.track(guild.get(), id);
                    }
                }
                shared
                    .categories
                    .lock()
                    .entry(guild)
                    .or_insert(settings.categories());
                // The history counts of the last recalculations (lost with an embedded
                // cache at a restart; the same values again in Redis).
                match store.stats_histories(guild).await {
                    Ok(histories) => {
                        for (channel, counts) in histories {
                            if let Err(error) = super::counts::write_history(
                                &shared.counts,
                                guild.get(),
                                channel,
                                &counts,
                            )
                            .await
                            {
                                tracing::warn!(%error, "could not write the history counts to the cache");
                            }
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, guild = guild.get(), "could not read the history counts")
                    }
                }
            }
            (Err(error), _) => {
                tracing::warn!(%error, guild = guild.get(), "could not read the tracked channels")
            }
            (_, Err(error)) => {
                tracing::warn!(%error, guild = guild.get(), "could not read the stats settings")
            }
        }
    }
}

/// Rescans the guilds whose categories changed since their channels were found (an admin
/// ran `/config stats proposed-category` …).
async fn check_settings(shared: &Shared) {
    let guilds: Vec<Id<GuildMarker>> = shared.categories.lock().keys().copied().collect();
    for guild in guilds {
        let Ok(settings) = shared.settings(guild).await else {
            continue;
        };
        let known = shared.categories.lock().get(&guild).copied();
        if known != Some(settings.categories()) {
            if let Err(problem) = rescan(shared, guild, settings, None).await {
                tracing::warn!(guild = guild.get(), %problem, "could not rescan the categories");
            }
        }
    }
}
