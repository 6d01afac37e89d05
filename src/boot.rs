//! Boot and wiring: from a [`Config`] to a running Agora — store (migrated), cache, Discord
//! REST, the catalogue, the supervised concerns, the dispatcher, the event bus, one
//! gateway session per shard and the ops server — and back down again in order.
//!
//! Bot developers add their own concerns with an [`Extension`]: its commands join the
//! catalogue (registration, `/help`, routing and policy come with it) and its actor is
//! started under a supervisor like the built-in ones.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use agora_actors::bus::{Deliver, EventBus};
use agora_actors::core::status::RuntimeInfo;
use agora_actors::core::{self, CoreCommands};
use agora_actors::dispatcher::{
    Dispatch, DispatcherSettings, InFlight, InteractionDispatcher, Routes, StopIntake,
};
use agora_actors::gateway::{
    GatewaySession, SessionStore, ShardSettings, ShardStatus, StopGracefully,
};
use agora_actors::kernel::cache::Cache;
use agora_actors::kernel::catalogue::Catalogue;
use agora_actors::kernel::clock::{SharedClock, SystemClock};
use agora_actors::kernel::discord::DiscordRest;
use agora_actors::kernel::i18n::Locale;
use agora_actors::kernel::reply::ReplyMessage;
use agora_actors::kernel::store::{Store, StoreOptions};
use agora_actors::kernel::supervision::{ConcernHandle, HealthRegistry};
use agora_actors::kernel::{guild_directory, Kernel};
use agora_actors::shifts;
use agora_actors::t;
use anyhow::Context as _;
use futures::FutureExt;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use crate::config::{Config, RegisterCommands};
use crate::ops::{OpsServer, OpsState};

/// The version `/status` shows.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The gateway intents Agora asks for. MESSAGE_CONTENT is privileged: enable it in the
/// developer portal (the prefix commands read message text).
pub const INTENTS: Intents = Intents::GUILDS
    .union(Intents::GUILD_MESSAGES)
    .union(Intents::MESSAGE_CONTENT);

/// Starts a bot developer's concern: adds its routes and bus subscriptions.
pub type StartExtension = Box<dyn FnOnce(&Kernel, &mut Routes, &EventBus) + Send>;

/// A concern added from outside the core: its catalogue entries and how to start it.
pub struct Extension {
    pub catalogue: fn(Catalogue) -> Catalogue,
    pub start: StartExtension,
}

/// What a start may vary besides the configuration.
pub struct BootOptions {
    pub clock: SharedClock,
    pub extensions: Vec<Extension>,
    /// Post the "online" notice to each guild's log channel.
    pub announce: bool,
}

impl Default for BootOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            extensions: Vec::new(),
            announce: true,
        }
    }
}

/// What a shutdown did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Shards whose session was saved for a resume on the next start.
    pub sessions_saved: usize,
    /// Interactions still running when the grace period ended.
    pub unfinished: usize,
    /// Log channels told "shutting down".
    pub notices: usize,
}

/// A running Agora.
pub struct Agora {
    kernel: Kernel,
    shards: Vec<(Addr<GatewaySession>, Arc<ShardStatus>)>,
    dispatcher: Addr<InteractionDispatcher>,
    in_flight: InFlight,
    ops: Option<OpsServer>,
    grace: Duration,
}

impl Agora {
    /// Connects everything and starts the shards. Must run inside an actix `System`.
    pub async fn start(config: &Config, options: BootOptions) -> anyhow::Result<Agora> {
        let started = Instant::now();
        let _ = rustls::crypto::ring::default_provider().install_default();
        let token = config
            .discord_token()
            .context("no Discord bot token: set AGORA_DISCORD__TOKEN or discord.token_file")?
            .expose()
            .to_owned();

        let store = Store::connect(
            config.database.connection_url().expose(),
            StoreOptions {
                max_connections: config.database.max_connections,
                clock: options.clock.clone(),
                ..StoreOptions::default()
            },
        )
        .await
        .context("could not open the database")?;
        if config.database.migrate_on_start {
            let applied = store
                .migrate()
                .await
                .context("could not migrate the database")?;
            if !applied.is_empty() {
                tracing::info!(?applied, "database migrated");
            }
        }
        let cache = Cache::connect(
            config.cache.redis_url.as_ref().map(|url| url.expose()),
            &config.cache.key_prefix,
            options.clock.clone(),
        )
        .await
        .context("could not connect to the cache")?;
        let rest_url = config
            .discord
            .rest_url
            .as_ref()
            .map(|url| url.as_str().to_owned());
        let discord =
            DiscordRest::connect(&token, rest_url.as_deref(), config.discord.application_id)
                .await
                .context("could not reach Discord's REST API")?;

        let mut catalogue = shifts::catalogue(core::catalogue(Catalogue::new()));
        for extension in &options.extensions {
            catalogue = (extension.catalogue)(catalogue);
        }
        let kernel = Kernel {
            store: store.clone(),
            cache,
            discord,
            clock: options.clock.clone(),
            catalogue: Arc::new(catalogue),
            health: HealthRegistry::default(),
            guilds: Default::default(),
            owners: config.discord.owners.clone().into(),
        };

        // Guilds over REST: a cold resume brings no GUILD_CREATE.
        let guilds = load_guilds(&kernel).await;
        tracing::info!(guilds = guilds.len(), "guilds loaded");

        if let Some(target) = registration_target(config.discord.register_commands) {
            let commands = kernel.catalogue.slash_commands();
            let count = kernel
                .discord
                .register_commands(target, &commands)
                .await
                .context("could not register the slash commands")?;
            tracing::info!(count, guild = ?target.map(|g| g.get()), "slash commands registered");
        }

        let shard_statuses: Vec<(u32, Arc<ShardStatus>)> = config
            .discord
            .shard_ids()
            .map(|id| (id, Arc::new(ShardStatus::default())))
            .collect();
        let runtime = Arc::new(RuntimeInfo {
            started,
            version: VERSION,
            shards: shard_statuses.clone(),
        });
        let capacity = config.runtime.mailbox_capacity;
        let sync_guild = match config.discord.register_commands {
            RegisterCommands::Guild(id) => Id::new_checked(id),
            _ => None,
        };
        let core_handle = {
            let kernel = kernel.clone();
            let health = kernel.health.clone();
            let runtime = runtime.clone();
            ConcernHandle::start(
                move || CoreCommands::new(kernel.clone(), runtime.clone(), sync_guild),
                capacity,
                &health,
            )
        };
        let bus = EventBus::default();
        let mut routes = Routes::default();
        routes.add(core_handle.clone(), core::component_access);
        shifts::start(&kernel, &mut routes, capacity);
        for extension in options.extensions {
            (extension.start)(&kernel, &mut routes, &bus);
        }
        let dispatcher = InteractionDispatcher::new(
            kernel.clone(),
            routes,
            DispatcherSettings {
                defer_after: config.runtime.defer_after(),
                cooldown: config.runtime.cooldown(),
            },
        );
        let in_flight = dispatcher.in_flight();
        let dispatcher = dispatcher.start();
        subscribe_interactions(&bus, dispatcher.clone());
        subscribe_directory(&bus, &kernel);
        core::prefix::subscribe(
            &bus,
            kernel.clone(),
            core_handle,
            config.discord.prefix.clone(),
        );

        let ops = match OpsServer::start(
            config.ops.listen,
            OpsState {
                kernel: kernel.clone(),
                shards: shard_statuses.clone(),
            },
        )
        .await
        {
            Ok(server) => Some(server),
            Err(error) => {
                return Err(error).with_context(|| {
                    format!(
                        "could not listen on {} for the ops endpoint",
                        config.ops.listen
                    )
                })
            }
        };

        let sessions: Arc<dyn SessionStore> = Arc::new(store);
        let gateway_url = config
            .discord
            .gateway_url
            .as_ref()
            .map(|url| url.as_str().trim_end_matches('/').to_owned());
        let shards = shard_statuses
            .iter()
            .map(|(shard_id, status)| {
                let session = GatewaySession::new(
                    ShardSettings {
                        shard_id: *shard_id,
                        shard_count: config.discord.total_shards(),
                        token: token.clone(),
                        intents: INTENTS,
                        gateway_url: gateway_url.clone(),
                    },
                    bus.clone(),
                    sessions.clone(),
                    status.clone(),
                );
                (session.start(), status.clone())
            })
            .collect();

        if options.announce {
            let text = |locale: Locale| t!(locale, "notice-online", version = VERSION);
            let posted = notify_log_channels(&kernel, &guilds, text).await;
            tracing::info!(posted, "online notices posted");
        }
        Ok(Agora {
            kernel,
            shards,
            dispatcher,
            in_flight,
            ops,
            grace: config.runtime.shutdown_grace(),
        })
    }

    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// Where the ops endpoint listens (the port is chosen by the OS for `:0`).
    pub fn ops_addr(&self) -> Option<SocketAddr> {
        self.ops.as_ref().map(OpsServer::local_addr)
    }

    /// Whether every shard has a live gateway connection.
    pub fn connected(&self) -> bool {
        self.shards
            .iter()
            .all(|(_, s)| s.connected.load(Ordering::Relaxed))
    }

    /// Stops in order: no new interactions, shards closed with their sessions saved (so
    /// no event read is lost: the next start resumes after the last one processed),
    /// in-flight work finished within the grace period, "shutting down" posted, pools
    /// closed.
    pub async fn shutdown(self) -> ShutdownReport {
        tracing::info!("shutting down");
        let _ = self.dispatcher.send(StopIntake).await;
        let mut sessions_saved = 0;
        for (shard, _) in &self.shards {
            match tokio::time::timeout(Duration::from_secs(5), shard.send(StopGracefully)).await {
                Ok(Ok(Some(_))) => sessions_saved += 1,
                Ok(_) => tracing::warn!("a shard stopped without a session to save"),
                Err(_) => tracing::warn!("a shard did not stop within 5 s"),
            }
        }
        let unfinished = self.in_flight.drained(self.grace).await;
        if unfinished > 0 {
            tracing::warn!(
                unfinished,
                "interactions still running at the end of the grace period"
            );
        }
        let guilds: Vec<_> = self
            .kernel
            .guilds
            .guilds()
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        let text = |locale: Locale| t!(locale, "notice-shutdown");
        let notices = notify_log_channels(&self.kernel, &guilds, text).await;
        if let Some(ops) = self.ops {
            ops.stop().await;
        }
        self.kernel.store.close();
        tracing::info!(sessions_saved, unfinished, notices, "stopped");
        ShutdownReport {
            sessions_saved,
            unfinished,
            notices,
        }
    }
}

fn registration_target(register: RegisterCommands) -> Option<Option<Id<GuildMarker>>> {
    match register {
        RegisterCommands::Off => None,
        RegisterCommands::Global => Some(None),
        RegisterCommands::Guild(id) => Some(Id::new_checked(id)),
    }
}

/// Every guild the bot is in, recorded in the directory.
async fn load_guilds(kernel: &Kernel) -> Vec<Id<GuildMarker>> {
    let client = kernel.discord.client();
    let listed = match client.current_user_guilds().limit(200).await {
        Ok(response) => response.models().await.unwrap_or_default(),
        Err(error) => {
            tracing::warn!(%error, "could not list the bot's guilds; they are learnt from the gateway");
            return Vec::new();
        }
    };
    let mut ids = Vec::new();
    for summary in listed {
        match client.guild(summary.id).await {
            Ok(response) => match response.model().await {
                Ok(guild) => {
                    kernel.guilds.record(&guild);
                    ids.push(guild.id);
                }
                Err(error) => tracing::warn!(%error, guild = summary.id.get(), "unreadable guild"),
            },
            Err(error) => {
                tracing::warn!(%error, guild = summary.id.get(), "could not fetch a guild")
            }
        }
    }
    ids
}

/// Posts `text` to the log channel of each guild that has one; returns how many took it.
/// Posts a notice in each guild's log channel, in the guild's language (else English).
async fn notify_log_channels(
    kernel: &Kernel,
    guilds: &[Id<GuildMarker>],
    text: impl Fn(Locale) -> String,
) -> usize {
    let mut posted = 0;
    for guild in guilds {
        let settings = match kernel.store.guild_settings(guild.get() as i64).await {
            Ok(Some(settings)) => settings,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(%error, guild = guild.get(), "could not read the guild's settings");
                continue;
            }
        };
        let Some(channel) = settings
            .log_channel_id
            .and_then(|id| Id::new_checked(id as u64))
        else {
            continue;
        };
        match kernel
            .discord
            .send_message(
                channel,
                &ReplyMessage::text(text(Locale::for_guild(&settings.locale))),
                None,
            )
            .await
        {
            Ok(_) => posted += 1,
            Err(error) => {
                tracing::warn!(%error, guild = guild.get(), "could not post to the log channel")
            }
        }
    }
    posted
}

/// INTERACTION_CREATE → the dispatcher, awaited (its bounded mailbox is the backpressure).
fn subscribe_interactions(bus: &EventBus, dispatcher: Addr<InteractionDispatcher>) {
    let deliver: Deliver = Arc::new(move |event| {
        let dispatcher = dispatcher.clone();
        async move {
            if let Event::InteractionCreate(create) = event.event.as_ref() {
                let interaction = Arc::new(create.0.clone());
                if dispatcher.send(Dispatch(interaction)).await.is_err() {
                    tracing::error!("the interaction dispatcher has stopped");
                }
            }
        }
        .boxed()
    });
    bus.subscribe(
        "interaction-dispatcher",
        EventTypeFlags::INTERACTION_CREATE,
        deliver,
    );
}

/// GUILD_* and ROLE_* → the guild directory.
fn subscribe_directory(bus: &EventBus, kernel: &Kernel) {
    let directory = kernel.guilds.clone();
    let deliver: Deliver = Arc::new(move |event| {
        if let Some(guild) = directory.apply(&event.event) {
            tracing::info!(guild = guild.get(), "joined a guild");
        }
        async {}.boxed()
    });
    bus.subscribe("guild-directory", guild_directory::EVENTS, deliver);
}
