//! StatsAggregator: channel activity — messages of the channels in each guild's proposed
//! and permanent categories counted from the gateway, per channel and per day, in the
//! cache (Redis hash + sorted set in production, the memory cache embedded); two ranking
//! messages kept current (proposed channels by score, permanent ones by last activity);
//! promotion of a proposed channel; a chart of a channel's days; and a recalculation from
//! Discord's message history that survives a restart — seed 002's activity scores, our
//! way, per guild.
//!
//! Counting happens where the gateway hands the message over, behind one short lock
//! (`tally`); a flush writes the counts to the cache at least every second and at a clean
//! stop (`counts`). The store keeps what must outlive the cache: the tracked channels, the
//! ranking messages' ids, a recalculation's progress and, with the embedded memory cache,
//! the live counts (`live_snapshot`).

mod chart;
pub mod commands;
pub mod counts;
mod live_snapshot;
mod promote;
mod rankings;
mod recalculate;
pub mod schema;
pub mod store;
pub mod tally;
mod tracking;

use crate::dispatcher::TextArea;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_model::id::Id;

use self::commands::{ChannelsCommand, StatsCommand};
use self::tally::{DayCount, Tally};
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::feature::{
    setting_value, ConfigSection, Feature, FeatureStart, HelpCategory, Migrations, SettingKind,
    SettingSpec,
};
use crate::kernel::cache::{Cache, CacheError};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::custom_id::CustomId;
use crate::kernel::guild_config::FeatureValues;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::store::StoreError;
use crate::kernel::supervision::Concern;
use crate::kernel::Kernel;
use crate::t;

pub(crate) use crate::kernel::reply::private;

crate::translations!("stats");

/// The `stats-…` keys of the answers every feature gives (see [`TextArea`]).
pub(crate) const TEXTS: TextArea = TextArea("stats");

/// The feature's and the concern's name: `/config stats …`, routing, logs.
pub const STATS: &str = "stats";

pub const CATEGORY: HelpCategory = HelpCategory {
    key: "stats",
    title: "Channel activity",
    blurb: "Activity rankings, channel promotion, charts and recalculation",
};

/// The category proposed channels live in (the governance feature creates approved
/// channel proposals there, reading this key of the `stats` settings).
pub const PROPOSED_CATEGORY: &str = "proposed-category";
/// The category promoted channels move to.
pub const PERMANENT_CATEGORY: &str = "permanent-category";
/// Where the two ranking messages live.
pub const RANKINGS_CHANNEL: &str = "rankings-channel";
/// Where promotions are announced.
pub const ANNOUNCE_CHANNEL: &str = "announce-channel";

/// What `/config stats …` offers.
pub fn settings() -> Vec<SettingSpec> {
    vec![
        SettingSpec {
            key: PROPOSED_CATEGORY,
            description: "The category of proposed channels (ranked by score)",
            kind: SettingKind::Category,
            default: Value::Null,
        },
        SettingSpec {
            key: PERMANENT_CATEGORY,
            description: "The category promoted channels move to (ranked by last activity)",
            kind: SettingKind::Category,
            default: Value::Null,
        },
        SettingSpec {
            key: RANKINGS_CHANNEL,
            description: "Where the two activity rankings are posted and kept current",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
        SettingSpec {
            key: ANNOUNCE_CHANNEL,
            description: "Where promoted channels are announced",
            kind: SettingKind::Channel,
            default: Value::Null,
        },
    ]
}

/// A guild's proposed and permanent categories.
pub type Categories = (Option<Id<ChannelMarker>>, Option<Id<ChannelMarker>>);

/// A guild's stats settings, typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSettings {
    pub proposed: Option<Id<ChannelMarker>>,
    pub permanent: Option<Id<ChannelMarker>>,
    pub rankings: Option<Id<ChannelMarker>>,
    pub announce: Option<Id<ChannelMarker>>,
    /// Whether the feature is on in the guild.
    pub on: bool,
}

impl StatsSettings {
    pub fn of(values: &FeatureValues) -> StatsSettings {
        let specs = settings();
        let channel = |key: &str| {
            setting_value(values, STATS, &specs, key)
                .as_u64()
                .and_then(Id::new_checked)
        };
        StatsSettings {
            proposed: channel(PROPOSED_CATEGORY),
            permanent: channel(PERMANENT_CATEGORY),
            rankings: channel(RANKINGS_CHANNEL),
            announce: channel(ANNOUNCE_CHANNEL),
            on: values.is_on(STATS),
        }
    }

    /// The two categories, as tracking uses them (none while the feature is off).
    pub fn categories(&self) -> Categories {
        if self.on {
            (self.proposed, self.permanent)
        } else {
            (None, None)
        }
    }
}

/// `[stats]` in config.toml: what is the same for every guild of this process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatsConfig {
    /// How often the ranking messages are refreshed.
    pub refresh_minutes: u64,
    /// Days of daily counts kept (the chart and the last-7-days part of the score read
    /// them; the all-time total is kept whole).
    pub window_days: i64,
    /// Days the `/stats channel` chart shows.
    pub chart_days: i64,
    /// How often counts go from memory to the cache, in milliseconds (at most 1000).
    pub flush_millis: u64,
    /// Pages of 100 messages a recalculation reads per second, at most (Discord's own
    /// limits apply on top; the rest of the bot keeps the remaining room).
    pub recalculate_pages_per_second: u32,
}

impl Default for StatsConfig {
    fn default() -> Self {
        StatsConfig {
            refresh_minutes: 10,
            window_days: 90,
            chart_days: 30,
            flush_millis: 1000,
            recalculate_pages_per_second: 5,
        }
    }
}

/// The feature: its commands, settings, tables, ticker, event intake and actor.
#[derive(Default)]
pub struct StatsFeature {
    shared: Arc<std::sync::OnceLock<Arc<Shared>>>,
}

impl Feature for StatsFeature {
    fn name(&self) -> &'static str {
        STATS
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![CATEGORY]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        commands::entries()
    }

    fn settings(&self) -> Vec<SettingSpec> {
        settings()
    }

    fn migrations(&self) -> Migrations {
        use diesel_migrations::{embed_migrations, EmbeddedMigrations};
        static SQLITE: EmbeddedMigrations = embed_migrations!("src/stats/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations = embed_migrations!("src/stats/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn config_section(&self) -> Option<ConfigSection> {
        Some(ConfigSection::of::<StatsConfig>(STATS))
    }

    fn intents(&self) -> twilight_gateway::Intents {
        // Messages (no content needed: only their channel and id are read) and the
        // guilds' channels.
        twilight_gateway::Intents::GUILDS | twilight_gateway::Intents::GUILD_MESSAGES
    }

    fn tickers(&self) -> Vec<crate::kernel::ticker::TickerSpec> {
        vec![rankings::ticker(self.shared.clone())]
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let config = start.config::<StatsConfig>();
        let shared = Arc::new(Shared {
            counts: counts::scope(&start.kernel.cache),
            kernel: start.kernel.clone(),
            main: tokio::runtime::Handle::current(),
            config,
            tally: Mutex::new(Tally::default()),
            flushing: tokio::sync::Mutex::new(Vec::new()),
            categories: Mutex::new(HashMap::new()),
            recalculating: Mutex::new(HashSet::new()),
            last_refresh: Mutex::new(None),
            stopping: std::sync::atomic::AtomicBool::new(false),
            loaded: tokio::sync::watch::channel(false).0,
            is_loaded: std::sync::atomic::AtomicBool::new(false),
            restored: live_snapshot::Restored::default(),
        });
        if self.shared.set(shared.clone()).is_err() {
            tracing::error!("the stats feature started twice");
        }
        tracking::subscribe(start.bus, shared.clone());
        start_flushing(&shared);
        recalculate::resume_all(&shared);
        let stopping = shared.clone();
        start.on_shutdown(move || async move {
            // Recalculations stop after their page (their progress is stored); the
            // flush loop stops; what is counted goes to the cache.
            stopping
                .stopping
                .store(true, std::sync::atomic::Ordering::SeqCst);
            recalculate::wait_stopped(&stopping).await;
            if let Err(error) = flush(&stopping).await {
                tracing::error!(%error, "the last counts could not be written to the cache");
            }
            // An embedded cache's counts go with the process: the store keeps them.
            if live_snapshot::needed(&stopping) {
                match stopping.kernel.store.stats_guilds().await {
                    Ok(guilds) => live_snapshot::save(&stopping, &guilds).await,
                    Err(error) => {
                        tracing::error!(%error, "the live counts could not be saved: the tracked guilds could not be read")
                    }
                }
            }
        });
        let aggregator = start.concern(
            move || StatsAggregator {
                shared: shared.clone(),
            },
            component_access,
        );
        start.text_forms(&["channels", "stats"], aggregator);
    }
}

/// The feature has no buttons; anything routed to it is out of date.
pub fn component_access(_id: &CustomId) -> AccessLevel {
    AccessLevel::Everyone
}

/// What the intake, the flush, the actor and the ticker share.
pub(crate) struct Shared {
    pub kernel: Kernel,
    /// The main runtime: the intake runs on a shard's thread and hands I/O here.
    pub main: tokio::runtime::Handle,
    pub config: StatsConfig,
    /// The stats namespace of the cache.
    pub counts: Cache,
    /// What was counted since the last flush.
    pub tally: Mutex<Tally>,
    /// Held by a flush from taking the counts to writing them (and by a recalculation
    /// starting a channel, so no flush of older counts lands after it cleared them, and by
    /// a save of the live counts to the store, so no older snapshot does); the buffer is
    /// reused.
    pub flushing: tokio::sync::Mutex<Vec<DayCount>>,
    /// The categories each guild's tracked channels were found with.
    pub categories: Mutex<HashMap<Id<GuildMarker>, Categories>>,
    /// Guilds whose recalculation runs in this process.
    pub recalculating: Mutex<HashSet<Id<GuildMarker>>>,
    /// When the ticker last refreshed the rankings.
    pub last_refresh: Mutex<Option<chrono::DateTime<chrono::Utc>>>,
    /// Set at a clean stop: background work ends.
    pub stopping: std::sync::atomic::AtomicBool,
    /// True once the tracked channels were read from the store at start (a resumed
    /// session brings no GUILD_CREATE): messages wait for it.
    pub loaded: tokio::sync::watch::Sender<bool>,
    /// The same, read without a lock on the hot path.
    pub is_loaded: std::sync::atomic::AtomicBool,
    /// Guilds whose saved live counts this process gave back to its cache
    /// ([`live_snapshot`]).
    pub(crate) restored: live_snapshot::Restored,
}

impl Shared {
    /// A guild's stats settings now.
    pub async fn settings(&self, guild: Id<GuildMarker>) -> Result<StatsSettings, StoreError> {
        let config = self.kernel.guild_config(guild).await?;
        Ok(StatsSettings::of(&config.features))
    }

    /// Whether the process is stopping.
    pub fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Today's UTC day.
    pub fn today(&self) -> i64 {
        tally::day_of(self.kernel.clock.now().timestamp_millis())
    }
}

/// Writes what was counted since the last flush; on failure the counts go back to the
/// tally for the next one. How many (channel, day) counts were written.
pub(crate) async fn flush(shared: &Shared) -> Result<usize, CacheError> {
    let mut buffer = shared.flushing.lock().await;
    shared.tally.lock().take(&mut buffer);
    if buffer.is_empty() {
        return Ok(0);
    }
    match counts::write(&shared.counts, &buffer).await {
        Ok(()) => Ok(buffer.len()),
        Err(error) => {
            shared.tally.lock().restore(&buffer);
            Err(error)
        }
    }
}

/// Flushes every `flush_millis` (at most a second) on every process, for as long as the
/// feature runs.
fn start_flushing(shared: &Arc<Shared>) {
    let period = Duration::from_millis(shared.config.flush_millis.clamp(10, 1000));
    let weak = Arc::downgrade(shared);
    shared.main.spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut failing = false;
        loop {
            every.tick().await;
            let Some(shared) = weak.upgrade() else {
                return;
            };
            if shared.is_stopping() {
                return;
            }
            match flush(&shared).await {
                Ok(_) if failing => {
                    failing = false;
                    tracing::info!("activity counts reach the cache again");
                }
                Ok(_) => {}
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!(%error, "activity counts could not be written; kept in memory until the cache answers");
                }
                Err(_) => {}
            }
        }
    });
}

/// The actor; see the module documentation.
pub struct StatsAggregator {
    shared: Arc<Shared>,
}

impl Concern for StatsAggregator {
    const NAME: &'static str = STATS;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let shared = self.shared.clone();
        async move { interaction(&shared, request).await }.boxed_local()
    }
}

/// What a person is told when the cache does not answer.
pub(crate) fn cache_trouble(locale: Locale, error: &CacheError) -> Reply {
    tracing::error!(%error, "stats cache error");
    private(t!(locale, "stats-cache-trouble"))
}

async fn interaction(shared: &Arc<Shared>, request: InteractionRequest) -> Reply {
    let locale = request.language();
    let Some(guild) = request.guild_id else {
        return private(t!(locale, "guild-only"));
    };
    let RequestKind::Command { name, .. } = &request.kind else {
        return private(t!(locale, "stats-stale"));
    };
    let settings = StatsSettings::of(&request.features);
    match name.as_str() {
        "channels" => match TEXTS.options::<ChannelsCommand>(&request) {
            Ok(ChannelsCommand::Promote(promote)) => {
                promote::run(shared, &request, guild, settings, promote.channel).await
            }
            Ok(ChannelsCommand::Refresh(_)) => refresh(shared, &request, guild, settings).await,
            Err(reply) => reply,
        },
        _ => match TEXTS.options::<StatsCommand>(&request) {
            Ok(StatsCommand::Channel(command)) => {
                let channel = command.channel.or(request.channel_id);
                chart::run(shared, &request, guild, channel).await
            }
            Ok(StatsCommand::Recalculate(command)) => {
                recalculate::start(shared, &request, guild, command.months).await
            }
            Err(reply) => reply,
        },
    }
}

/// `/channels refresh`: the categories rescanned, then the rankings redrawn.
async fn refresh(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    settings: StatsSettings,
) -> Reply {
    let locale = request.language();
    if settings.proposed.is_none() && settings.permanent.is_none() {
        return private(t!(locale, "stats-no-categories"));
    }
    let found = match tracking::rescan(shared, guild, settings, None).await {
        Ok(found) => found,
        Err(problem) => return private(t!(locale, "stats-rescan-failed", problem = problem)),
    };
    // What was counted so far shows in the rankings.
    let _ = flush(shared).await;
    let rankings = match rankings::refresh_guild(shared, guild, settings).await {
        Ok(true) => t!(locale, "stats-rankings-refreshed"),
        Ok(false) => t!(locale, "stats-no-rankings-channel"),
        Err(problem) => t!(locale, "stats-rankings-failed", problem = problem),
    };
    private(format!(
        "{}\n{rankings}",
        t!(
            locale,
            "stats-refreshed",
            proposed = found.proposed,
            permanent = found.permanent
        )
    ))
}
