//! Boot and wiring: from a [`Config`] to a running Agora — store (migrated), cache, Discord
//! REST, the catalogue, the supervised concerns, the dispatcher, the event bus, one
//! gateway session per shard and the ops server — and back down again in order.
//!
//! Boot walks one list of features — `core`, the built-in ones, then a bot developer's
//! own ([`BootOptions::extensions`]) — each declared by an [`agora_actors::feature::Feature`]:
//! its commands join the catalogue (registration, `/help`, routing and policy come with
//! it), its migrations run with the others, its intents are asked for, and its actors and
//! tickers start under supervisors like the built-in ones.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use agora_actors::bus::{Deliver, EventBus};
use agora_actors::cluster::{Cluster, Leadership, Membership};
use agora_actors::core::status::RuntimeInfo;
use agora_actors::core::CoreFeature;
use agora_actors::dispatcher::{
    Dispatch, DispatcherSettings, InFlight, InteractionDispatcher, Routes, StopIntake,
};
use agora_actors::feature::{start_tickers, Feature, FeatureStart, LimitsFor, ShutdownHook};
use agora_actors::gateway::{
    GatewaySession, SessionStore, ShardSettings, ShardStatus, StopGracefully,
};
use agora_actors::identify::{IdentifyQueue, IdentifyStatus, LimitSource, SessionStartLimit};
use agora_actors::kernel::cache::Cache;
use agora_actors::kernel::catalogue::Catalogue;
use agora_actors::kernel::clock::{SharedClock, SystemClock};
use agora_actors::kernel::discord::DiscordRest;
use agora_actors::kernel::i18n::Locale;
use agora_actors::kernel::reply::ReplyMessage;
use agora_actors::kernel::store::{Backend as StoreBackend, Store, StoreOptions};
use agora_actors::kernel::supervision::{HealthRegistry, Limits};
use agora_actors::kernel::ticker::{TickNow, Ticker};
use agora_actors::kernel::{guild_directory, Kernel};
use agora_actors::t;
use anyhow::{bail, Context as _};
use figment::Figment;
use futures::FutureExt;
use twilight_gateway::{Event, EventTypeFlags, Intents};
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use crate::backup::{BackupPlan, BACKUP_TICKER};
use crate::config::{Config, ConfigSection, RegisterCommands};
use crate::ops::{OpsServer, OpsState};

/// The version `/status` shows.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A bot developer's feature, started after the built-in ones.
pub type Extension = Box<dyn Feature>;

/// What a start may vary besides the configuration.
pub struct BootOptions {
    pub clock: SharedClock,
    pub extensions: Vec<Extension>,
    /// Post the "online" notice to each guild's log channel.
    pub announce: bool,
    /// Tickers tick only when told to ([`Agora::tick_now`]): for tests that move a manual
    /// clock and then prove what one tick did. Never in production.
    pub manual_ticks: bool,
    /// When another process runs this one's shards, wait and take over when it stops
    /// (`agora run --standby`) instead of refusing to start.
    pub standby: bool,
    /// This process's name among the bot's processes; host name and process id when
    /// `None`.
    pub process_name: Option<String>,
}

impl Default for BootOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            extensions: Vec::new(),
            announce: true,
            manual_ticks: false,
            standby: false,
            process_name: None,
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
    /// This process's place among the bot's processes (locks, leadership, heartbeat).
    cluster: Cluster,
    shard_total: u32,
    own_shards: std::ops::Range<u32>,
    shards: Vec<(Addr<GatewaySession>, Arc<ShardStatus>)>,
    dispatcher: Addr<InteractionDispatcher>,
    in_flight: InFlight,
    ops: Option<OpsServer>,
    grace: Duration,
    tickers: Vec<(&'static str, Addr<Ticker>)>,
    /// What the features run at a clean stop, before the store closes.
    shutdown_hooks: Vec<ShutdownHook>,
    /// The SQLite backups (`database.backup_directory`): one at a clean stop.
    backups: Option<BackupPlan>,
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

        let shard_statuses: Vec<(u32, Arc<ShardStatus>)> = config
            .discord
            .shard_ids()
            .map(|id| (id, Arc::new(ShardStatus::default())))
            .collect();
        let runtime = Arc::new(RuntimeInfo::new(started, VERSION, shard_statuses.clone()));
        let features = features(config, &runtime, options.extensions)?;
        let intents = features.iter().fold(Intents::empty(), |intents, feature| {
            intents | feature.intents()
        });

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
            let migrations: Vec<_> = features.iter().map(|f| f.migrations()).collect();
            let applied = store
                .migrate_with(&migrations)
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

        let catalogue = catalogue_of(&features);
        let mut kernel = Kernel {
            store: store.clone(),
            cache,
            discord,
            clock: options.clock.clone(),
            catalogue: Arc::new(catalogue),
            health: HealthRegistry::default(),
            guilds: Default::default(),
            serial: Default::default(),
            owners: config.discord.owners.clone().into(),
            leadership: Leadership::contender(),
            services: Default::default(),
        };
        // Features send gateway commands (a presence) to every shard through this.
        kernel
            .services
            .provide(agora_actors::gateway::Shards(shard_statuses.clone()));

        // Which shards, and whether this process may run them: before anything else
        // touches Discord, so a refused process changes nothing.
        let (shard_total, identify_queue) =
            identify_gate(config, &kernel, runtime.identify.clone()).await?;
        let rest_share = config.discord.rest_share(shard_total);
        kernel.discord = kernel
            .discord
            .with_global_limit(&token, rest_url.as_deref(), rest_share);
        tracing::info!(
            per_second = rest_share,
            "this process's share of Discord's global REST limit"
        );
        let cluster = join_cluster(
            config,
            &kernel,
            shard_total,
            options.standby,
            options.process_name.clone(),
        )
        .await?;

        // Guilds over REST: a cold resume brings no GUILD_CREATE.
        let resuming = resumes_a_session(&store, config.discord.shard_ids(), shard_total).await;
        let guilds = load_guilds(&kernel, config.discord.shard_ids(), shard_total, resuming).await;
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

        let bus = EventBus::default();
        let mut routes = Routes::default();
        let runtime_config = config.runtime.clone();
        let limits: LimitsFor = Arc::new(move |concern| Limits {
            max_in_flight: runtime_config.max_in_flight_for(concern),
            queue: runtime_config.mailbox_capacity,
        });
        let mut tickers = Vec::new();
        let mut shutdown_hooks = Vec::new();
        for feature in features {
            let feature_tickers = feature.tickers();
            let mut start = FeatureStart {
                feature: feature.name(),
                kernel: &kernel,
                routes: &mut routes,
                bus: &bus,
                limits: limits.clone(),
                prefix: &config.discord.prefix,
                section: feature
                    .config_section()
                    .map_or_else(Figment::new, |section| config.section_data(&section)),
                shutdown: &mut shutdown_hooks,
            };
            feature.start(&mut start);
            tickers.extend(start_tickers(
                feature_tickers,
                &kernel,
                !options.manual_ticks,
            ));
        }
        let backups = BackupPlan::from_config(config)?;
        if let Some(plan) = &backups {
            let ticker = Ticker::start(plan.ticker(), &kernel, !options.manual_ticks);
            tickers.push((BACKUP_TICKER, ticker));
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

        let ops = match OpsServer::start(
            config.ops.listen,
            OpsState {
                kernel: kernel.clone(),
                shards: shard_statuses.clone(),
                identify: runtime.identify.clone(),
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
                        shard_count: shard_total,
                        token: token.clone(),
                        intents,
                        gateway_url: gateway_url.clone(),
                        identify_queue: identify_queue.clone(),
                    },
                    bus.clone(),
                    sessions.clone(),
                    status.clone(),
                );
                (session.start(), status.clone())
            })
            .collect();

        // Each guild hears from the process that runs its shard.
        let guilds: Vec<_> = guilds
            .into_iter()
            .filter(|guild| {
                config
                    .discord
                    .shard_ids()
                    .contains(&shard_of(*guild, shard_total))
            })
            .collect();
        if options.announce {
            let text = |locale: Locale| t!(locale, "notice-online", version = VERSION);
            let posted = notify_log_channels(&kernel, &guilds, text).await;
            tracing::info!(posted, "online notices posted");
        }
        Ok(Agora {
            kernel,
            cluster,
            shard_total,
            own_shards: config.discord.shard_ids(),
            shards,
            dispatcher,
            in_flight,
            ops,
            grace: config.runtime.shutdown_grace(),
            tickers,
            shutdown_hooks,
            backups,
        })
    }

    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// Resolves when this process lost its shard locks (its dedicated database connection
    /// failed): it must stop, as another process may now run its shards.
    pub async fn fence_lost(&mut self) -> String {
        self.cluster.fence_lost().await
    }

    /// Whether this process runs the tickers now.
    pub fn is_leader(&self) -> bool {
        self.kernel.leadership.is_leader()
    }

    /// Runs one tick of the ticker `name` now and returns when it has finished (after a
    /// tick already running): how tests drive tickers on the injectable clock. False when
    /// no ticker has that name or it has stopped.
    pub async fn tick_now(&self, name: &str) -> bool {
        match self.ticker(name) {
            Some(ticker) => ticker.send(TickNow).await.is_ok(),
            None => false,
        }
    }

    /// The ticker called `name`, to send it [`TickNow`] without waiting.
    pub fn ticker(&self, name: &str) -> Option<Addr<Ticker>> {
        self.tickers
            .iter()
            .find(|(ticker, _)| *ticker == name)
            .map(|(_, ticker)| ticker.clone())
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
    /// closed, then a backup of the SQLite database when `database.backup_directory` is set.
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
            .filter(|guild| {
                self.own_shards
                    .contains(&shard_of(*guild, self.shard_total))
            })
            .collect();
        for hook in self.shutdown_hooks {
            if tokio::time::timeout(Duration::from_secs(5), hook())
                .await
                .is_err()
            {
                tracing::warn!("a feature's shutdown work did not finish within 5 s");
            }
        }
        let text = |locale: Locale| t!(locale, "notice-shutdown");
        let notices = notify_log_channels(&self.kernel, &guilds, text).await;
        if let Some(ops) = self.ops {
            ops.stop().await;
        }
        self.cluster.leave().await;
        self.kernel.store.close();
        // Every write is done: the backup holds the state the next start resumes from.
        if let Some(plan) = &self.backups {
            plan.back_up_now("shutdown", self.kernel.clock.now()).await;
        }
        tracing::info!(sessions_saved, unfinished, notices, "stopped");
        ShutdownReport {
            sessions_saved,
            unfinished,
            notices,
        }
    }
}

/// The catalogue `agora run` would register with this configuration (for
/// `agora register-commands`).
pub fn catalogue(config: &Config) -> anyhow::Result<Catalogue> {
    let runtime = Arc::new(RuntimeInfo::new(Instant::now(), VERSION, Vec::new()));
    Ok(catalogue_of(&features(config, &runtime, Vec::new())?))
}

fn catalogue_of(features: &[Box<dyn Feature>]) -> Catalogue {
    features
        .iter()
        .fold(Catalogue::new(), |catalogue, feature| {
            catalogue.with_feature(feature.as_ref())
        })
        .finish()
}

/// The features this process runs, in boot order: `core`, the built-in ones, then the
/// extensions — less those `[features] enabled` leaves out (`core` always runs).
fn features(
    config: &Config,
    runtime: &Arc<RuntimeInfo>,
    extensions: Vec<Extension>,
) -> anyhow::Result<Vec<Box<dyn Feature>>> {
    let core: Box<dyn Feature> = Box::new(CoreFeature {
        runtime: runtime.clone(),
        sync_guild: match config.discord.register_commands {
            RegisterCommands::Guild(id) => Id::new_checked(id),
            _ => None,
        },
        prefix: config.discord.prefix.clone(),
    });
    let all: Vec<Box<dyn Feature>> = std::iter::once(core)
        .chain(agora_actors::built_in_features())
        .chain(extensions)
        .collect();
    let Some(enabled) = &config.features.enabled else {
        return Ok(all);
    };
    let known: Vec<&str> = all.iter().map(|feature| feature.name()).collect();
    let unknown: Vec<&String> = enabled
        .iter()
        .filter(|name| !known.contains(&name.as_str()))
        .collect();
    if !unknown.is_empty() {
        anyhow::bail!(
            "features.enabled names {}, which this Agora does not have (it has: {})",
            unknown
                .iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        );
    }
    Ok(all
        .into_iter()
        .filter(|feature| {
            !feature.can_be_disabled() || enabled.iter().any(|name| name == feature.name())
        })
        .collect())
}

fn registration_target(register: RegisterCommands) -> Option<Option<Id<GuildMarker>>> {
    match register {
        RegisterCommands::Off => None,
        RegisterCommands::Global => Some(None),
        RegisterCommands::Guild(id) => Some(Id::new_checked(id)),
    }
}

/// Whether a shard of this process has a session to resume (then no GUILD_CREATE comes,
/// and the guilds are fetched over REST).
async fn resumes_a_session(
    store: &Store,
    own_shards: std::ops::Range<u32>,
    shard_total: u32,
) -> bool {
    match store.load_gateway_sessions().await {
        Ok(sessions) => sessions
            .iter()
            .any(|s| own_shards.contains(&s.shard_id) && s.shard_count == shard_total),
        // Unknown: fetch, as a resume would need.
        Err(_) => true,
    }
}

/// Discord lists at most this many guilds a page.
const GUILD_PAGE: u16 = 200;

/// Every guild of this process's shards the bot is in, listed page by page (`after=` the
/// last id); when a session is to be resumed each is also fetched and recorded in the
/// directory (a resume brings no GUILD_CREATE).
async fn load_guilds(
    kernel: &Kernel,
    own_shards: std::ops::Range<u32>,
    shard_total: u32,
    fetch_each: bool,
) -> Vec<Id<GuildMarker>> {
    let client = kernel.discord.client();
    let mut listed = Vec::new();
    loop {
        let mut request = client.current_user_guilds().limit(GUILD_PAGE);
        if let Some(last) = listed
            .last()
            .map(|g: &twilight_model::user::CurrentUserGuild| g.id)
        {
            request = request.after(last);
        }
        let page = match request.await {
            Ok(response) => response.models().await.unwrap_or_default(),
            Err(error) => {
                tracing::warn!(%error, "could not list the bot's guilds; the rest are learnt from the gateway");
                break;
            }
        };
        let full = page.len() == usize::from(GUILD_PAGE);
        listed.extend(page);
        if !full {
            break;
        }
    }
    let mut ids = Vec::new();
    // Only the guilds of this process's shards: the others are another process's.
    let own = listed
        .into_iter()
        .filter(|summary| own_shards.contains(&shard_of(summary.id, shard_total)));
    if !fetch_each {
        // An IDENTIFY brings every guild as GUILD_CREATE: the ids are enough (for the
        // notices), and a bot in many guilds does not spend minutes of REST on them.
        return own.map(|summary| summary.id).collect();
    }
    for summary in own {
        // With its counts: the member count is the census's too (no second fetch).
        match client.guild(summary.id).with_counts(true).await {
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

/// Posts a notice in each guild's log channel, in the guild's language (else English).
async fn notify_log_channels(
    kernel: &Kernel,
    guilds: &[Id<GuildMarker>],
    text: impl Fn(Locale) -> String,
) -> usize {
    let mut posted = 0;
    for guild in guilds {
        let settings = match kernel.store.guild_settings(*guild).await {
            Ok(Some(settings)) => settings,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(%error, guild = guild.get(), "could not read the guild's settings");
                continue;
            }
        };
        let Some(channel) = settings.log_channel_id else {
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

/// The shard that receives a guild's events: `(guild_id >> 22) % shard_total`.
pub fn shard_of(guild: Id<GuildMarker>, shard_total: u32) -> u32 {
    ((guild.get() >> 22) % u64::from(shard_total.max(1))) as u32
}

/// Takes this process's place among the bot's: on PostgreSQL the shard locks (refusing,
/// or waiting as a standby, when another process holds them) and a chance at the leader
/// lock; on SQLite the only place.
async fn join_cluster(
    config: &Config,
    kernel: &Kernel,
    shard_total: u32,
    standby: bool,
    name: Option<String>,
) -> anyhow::Result<Cluster> {
    let member = Membership {
        name: name.unwrap_or_else(process_name),
        shards: config.discord.shard_ids(),
        shard_total,
        version: VERSION,
        started_at: chrono::Utc::now(),
    };
    let leadership = kernel.leadership.clone();
    match kernel.store.backend() {
        StoreBackend::Sqlite => Ok(Cluster::sole(kernel.store.clone(), member, leadership)),
        StoreBackend::Postgres => Cluster::join(
            config.database.connection_url().expose(),
            kernel.store.clone(),
            member,
            standby,
            leadership,
        )
        .await
        .map_err(anyhow::Error::from),
    }
}

/// `<host name>:<process id>`: unique among processes on one machine and across pods.
pub fn process_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "agora".to_owned());
    format!("{host}:{}", std::process::id())
}

/// The shards across all processes and the IDENTIFY gate, from `GET /gateway/bot`: the
/// shard count when `discord.shard_total = "auto"`, and the session start limits
/// (`max_concurrency`, starts left today). Without an answer a fixed shard total still
/// starts, at a small bot's limits.
async fn identify_gate(
    config: &Config,
    kernel: &Kernel,
    identify_status: Arc<IdentifyStatus>,
) -> anyhow::Result<(u32, IdentifyQueue)> {
    let discord = &config.discord;
    let (recommended, limits) = match kernel.discord.gateway_bot().await {
        Ok(answer) => (Some(answer.0), answer.1),
        Err(error) if discord.total_shards().is_none() => {
            return Err(error)
                .context("discord.shard_total is \"auto\" but GET /gateway/bot did not answer");
        }
        Err(error) => {
            tracing::warn!(%error, "GET /gateway/bot did not answer: identifying at one shard per 5 s");
            (None, SessionStartLimit::default())
        }
    };
    let shard_total = discord
        .total_shards()
        .or(recommended)
        .unwrap_or(discord.shard_count)
        .max(1);
    let shards = discord.shard_ids();
    if shards.end > shard_total {
        bail!(
            "this process is to run shards {}..{} but Discord recommends {shard_total} shards in all \
             (discord.shard_total = \"auto\"): give this process a range inside 0..{shard_total}, \
             or set discord.shard_total",
            shards.start,
            shards.end
        );
    }
    let every_shard = shards.start == 0 && shards.end == shard_total;
    if !every_shard && config.database.backend() == crate::config::DatabaseBackend::Sqlite {
        bail!(
            "SQLite keeps the store in one process's file, so one process runs every shard; \
             this one would run shards {}..{} of {shard_total}: use PostgreSQL shared by every \
             process, or run all {shard_total} shards here (discord.shard_count)",
            shards.start,
            shards.end
        );
    }
    tracing::info!(
        shard_total,
        first = shards.start,
        count = discord.shard_count,
        max_concurrency = limits.max_concurrency,
        session_starts_left = limits.remaining,
        "shards"
    );
    let rest = kernel.discord.clone();
    let refresh: LimitSource = Arc::new(move || {
        let rest = rest.clone();
        async move { rest.gateway_bot().await.ok().map(|(_, limits)| limits) }.boxed()
    });
    let gate = IdentifyQueue::new(
        kernel.cache.scoped("gateway:"),
        limits,
        Duration::from_millis(discord.identify_window_ms),
        discord.identify_floor,
        refresh,
        identify_status,
    );
    Ok((shard_total, gate))
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

/// The features' own config tables, `[<feature>]`: each declared in its feature's folder
/// (`Feature::config_section`), the built-in features' and then `extensions`'. Pass them
/// to [`Config::load_with_sections`] so their keys are checked with the others.
pub fn config_sections(extensions: &[Extension]) -> Vec<ConfigSection> {
    agora_actors::built_in_features()
        .iter()
        .chain(extensions)
        .filter_map(|feature| feature.config_section())
        .collect()
}
