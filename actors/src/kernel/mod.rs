//! What every actor shares: the clock, the store, the cache, Discord I/O, the command
//! catalogue, the permission policy and the custom_id codec — bundled in [`Kernel`].

pub mod attachments;
pub mod bounded;
pub mod cache;
pub mod catalogue;
pub mod clock;
pub mod custom_id;
pub mod discord;
pub mod discord_raw;
pub mod guild_config;
pub mod guild_directory;
pub mod i18n;
pub mod log_throttle;
pub mod metrics;
pub mod policy;
pub mod reply;
pub mod serial;
pub mod services;
pub mod single_flight;
pub mod store;
pub mod supervision;
pub mod ticker;

use std::sync::Arc;

/// The services every actor is built with; cheap to clone.
#[derive(Debug, Clone)]
pub struct Kernel {
    pub store: store::Store,
    pub cache: cache::Cache,
    pub discord: discord::DiscordRest,
    pub clock: clock::SharedClock,
    pub catalogue: Arc<catalogue::Catalogue>,
    pub health: supervision::HealthRegistry,
    pub guilds: guild_directory::GuildDirectory,
    /// Turns by key for read-modify-writes that must not interleave (`settings:<guild>`).
    pub serial: serial::KeyedSerial<String>,
    /// The bot's owners (configuration): they may do everything, everywhere.
    pub owners: Arc<[u64]>,
    /// Whether this process runs the tickers (one process of the bot at a time).
    pub leadership: crate::cluster::Leadership,
    /// What features offer one another (a handle by its type) and their `/status` lines.
    pub services: services::Services,
}
