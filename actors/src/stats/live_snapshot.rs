//! The live counts of an embedded (memory) cache, kept in the store so a restart loses
//! none of them: saved at a clean stop and with every rankings refresh, added back to the
//! cache at start. With Redis the cache keeps them itself and nothing here runs.
//!
//! A guild's saved counts are added back once per process, before its first save (at
//! start, or at the first save if reading them failed then: a save before it would
//! overwrite them with a cache that lacks them). A save runs under the flush lock, so a
//! recalculation clearing a channel (which holds it too) never sees an older snapshot
//! land after its clear.

use std::collections::HashSet;

use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::{counts, Shared};
use crate::kernel::cache::CacheBackend;

/// Whether this process's cache forgets at a restart.
pub(crate) fn needed(shared: &Shared) -> bool {
    shared.kernel.cache.backend() == CacheBackend::Memory
}

/// The guilds whose saved counts this process gave back to its cache.
#[derive(Debug, Default)]
pub(crate) struct Restored(tokio::sync::Mutex<HashSet<Id<GuildMarker>>>);

/// Adds a guild's saved live counts to the cache unless this process already did; false
/// when they could not be read (nothing was added).
pub(crate) async fn restore(shared: &Shared, guild: Id<GuildMarker>) -> bool {
    if !needed(shared) {
        return true;
    }
    let mut restored = shared.restored.0.lock().await;
    if restored.contains(&guild) {
        return true;
    }
    let saved = match shared.kernel.store.stats_live(guild).await {
        Ok(saved) => saved,
        Err(error) => {
            tracing::warn!(%error, guild = guild.get(), "could not read the saved live counts; they are not saved over until read");
            return false;
        }
    };
    for (channel, counts) in &saved {
        if let Err(error) = counts::add_live(&shared.counts, guild.get(), *channel, counts).await {
            tracing::warn!(%error, guild = guild.get(), channel, "could not give a channel's live counts back to the cache");
        }
    }
    restored.insert(guild);
    true
}

/// Saves the live counts of each guild's tracked channels as the cache holds them now.
pub(crate) async fn save(shared: &Shared, guilds: &[Id<GuildMarker>]) {
    if !needed(shared) || !shared.is_loaded.load(std::sync::atomic::Ordering::Acquire) {
        return;
    }
    for &guild in guilds {
        if !restore(shared, guild).await {
            continue;
        }
        if let Err(problem) = save_guild(shared, guild).await {
            tracing::warn!(guild = guild.get(), %problem, "could not save the live counts");
        }
    }
}

async fn save_guild(shared: &Shared, guild: Id<GuildMarker>) -> Result<(), String> {
    let store = &shared.kernel.store;
    let tracked = store
        .stats_channels(guild)
        .await
        .map_err(|error| error.to_string())?;
    let ids: Vec<u64> = tracked.iter().map(|channel| channel.id.get()).collect();
    let _flushing = shared.flushing.lock().await;
    let live = counts::read_live(&shared.counts, guild.get(), &ids)
        .await
        .map_err(|error| error.to_string())?;
    store
        .stats_save_live(guild, &live)
        .await
        .map_err(|error| error.to_string())
}
