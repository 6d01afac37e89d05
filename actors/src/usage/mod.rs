//! UsageRecorder: how the bot is used — every slash command counted per command, guild and
//! day with how it ended (answered, refused, failed, busy) and the latency of its answers,
//! kept `[usage] keep_days`; `/usage overview` for everyone (uptime, servers, members, and
//! their own server's commands today, in all, and the top ones with p50/p95), `/usage
//! errors` for the bot's owners (failed and busy commands of every server).
//!
//! The dispatcher tells every registered observer of each finished interaction
//! ([`crate::dispatcher::observe_interactions`]); this feature's observer counts it in
//! memory (`tally`) and a flush writes the counts every `flush_secs` and at a clean stop
//! (`store`), so counting never waits for the database. Latency percentiles come from a
//! log-scale histogram stored per row (`latency`). A daily ticker deletes rows older than
//! `keep_days`; the all-time totals are kept.
//!
//! Named `/usage`, not `/stats`: `/stats` is channel activity's (`/stats channel`).

pub mod census;
pub mod commands;
pub mod latency;
pub mod schema;
pub mod store;
pub mod tally;

use crate::dispatcher::TextArea;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use twilight_interactions::command::CommandModel;

use self::census::Census;
use self::commands::{UsageCommand, DEFAULT_DAYS};
use self::latency::format_ms;
use self::store::CommandUsage;
use self::tally::{UsageKey, UsageTally};
use crate::dispatcher::{
    observe_interactions, FinishedInteraction, InteractionObserver, InteractionRequest,
};
use crate::feature::{ConfigSection, Feature, FeatureStart, HelpCategory, Migrations};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{clip, Reply, QUOTED_INPUT_CHARS};
use crate::kernel::store::StoreError;
use crate::kernel::supervision::Concern;
use crate::kernel::ticker::TickerSpec;
use crate::kernel::Kernel;
use crate::t;

pub(crate) use crate::kernel::reply::private;

crate::translations!("usage");

/// The `usage-…` keys of the answers every feature gives (see [`TextArea`]).
pub(crate) const TEXTS: TextArea = TextArea("usage");

/// The feature's and the concern's name.
pub const USAGE: &str = "usage";

pub const CATEGORY: HelpCategory = HelpCategory {
    key: "usage",
    title: "Usage statistics",
    blurb: "Uptime, servers, members, commands run and how they went",
};

/// How many commands the overview lists.
const TOP_COMMANDS: usize = 10;

const DAY_MS: i64 = 86_400_000;

/// `[usage]` in config.toml.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UsageConfig {
    /// Days of daily rows kept (today included, 1 to 3650); older ones are deleted by the
    /// hourly trim. The all-time totals are kept whole.
    #[serde(deserialize_with = "keep_days")]
    pub keep_days: u32,
    /// How often the counts go from memory to the database, in seconds (1 to 3600).
    #[serde(deserialize_with = "flush_secs")]
    pub flush_secs: u64,
}

fn keep_days<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let days = u32::deserialize(deserializer)?;
    if (1..=3650).contains(&days) {
        Ok(days)
    } else {
        Err(serde::de::Error::custom("must be from 1 to 3650 days"))
    }
}

fn flush_secs<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let secs = u64::deserialize(deserializer)?;
    if (1..=3600).contains(&secs) {
        Ok(secs)
    } else {
        Err(serde::de::Error::custom("must be from 1 to 3600 seconds"))
    }
}

impl Default for UsageConfig {
    fn default() -> Self {
        UsageConfig {
            keep_days: 90,
            flush_secs: 5,
        }
    }
}

/// The feature.
#[derive(Default)]
pub struct UsageFeature {
    shared: Arc<std::sync::OnceLock<Arc<Shared>>>,
}

impl Feature for UsageFeature {
    fn name(&self) -> &'static str {
        USAGE
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![CATEGORY]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        commands::entries()
    }

    fn migrations(&self) -> Migrations {
        use diesel_migrations::{embed_migrations, EmbeddedMigrations};
        static SQLITE: EmbeddedMigrations = embed_migrations!("src/usage/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations = embed_migrations!("src/usage/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn config_section(&self) -> Option<ConfigSection> {
        Some(ConfigSection::of::<UsageConfig>(USAGE))
    }

    fn intents(&self) -> twilight_gateway::Intents {
        twilight_gateway::Intents::GUILDS
    }

    fn tickers(&self) -> Vec<TickerSpec> {
        let shared = self.shared.clone();
        vec![TickerSpec::new(
            "usage-trim",
            Duration::from_secs(3600),
            move |_kernel| {
                let shared = shared.get().cloned();
                async move {
                    if let Some(shared) = shared {
                        trim(&shared).await;
                    }
                }
            },
        )]
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let config = start.config::<UsageConfig>();
        let shared = Arc::new(Shared {
            kernel: start.kernel.clone(),
            census: Census::follow(start.kernel, start.bus, "usage-census"),
            config,
            started: Instant::now(),
            tally: Mutex::new(UsageTally::default()),
            flushing: tokio::sync::Mutex::new(()),
            stopping: std::sync::atomic::AtomicBool::new(false),
        });
        if self.shared.set(shared.clone()).is_err() {
            tracing::error!("the usage feature started twice");
        }
        let observing = shared.clone();
        let observer: InteractionObserver = Arc::new(move |finished| observing.observe(finished));
        observe_interactions(start.kernel, observer);
        start.kernel.services.provide(UsageTotals(shared.clone()));
        start_flushing(&shared);
        let stopping = shared.clone();
        start.on_shutdown(move || async move {
            stopping
                .stopping
                .store(true, std::sync::atomic::Ordering::SeqCst);
            if let Err(error) = flush(&stopping).await {
                tracing::error!(%error, "the last usage counts could not be written");
            }
        });
        start.concern(
            move || UsageRecorder {
                shared: shared.clone(),
            },
            component_access,
        );
    }
}

/// The feature has no buttons; anything routed to it is out of date.
pub fn component_access(_id: &CustomId) -> AccessLevel {
    AccessLevel::Everyone
}

/// What the observer, the flush, the ticker and the actor share.
pub(crate) struct Shared {
    kernel: Kernel,
    census: Census,
    config: UsageConfig,
    /// When the feature started (at boot): the uptime `/usage` shows.
    started: Instant,
    tally: Mutex<UsageTally>,
    /// Held by a flush from taking the counts to writing them, and by a reader of the
    /// total, so it never sees counts that are in neither place.
    flushing: tokio::sync::Mutex<()>,
    stopping: std::sync::atomic::AtomicBool,
}

impl Shared {
    /// Counts one finished slash command of a guild (the catalogue's commands only).
    fn observe(&self, finished: &FinishedInteraction) {
        let (Some(command), Some(guild)) = (&finished.command, finished.guild_id) else {
            return;
        };
        let name = command.split(' ').next().unwrap_or_default();
        if self.kernel.catalogue.command(name).is_none() {
            return;
        }
        let key = UsageKey {
            day: self.today(),
            guild: guild.get(),
            command: command.clone(),
        };
        self.tally
            .lock()
            .count(key, finished.outcome, finished.elapsed);
    }

    /// Today's UTC day, on the kernel's clock.
    fn today(&self) -> i64 {
        self.kernel
            .clock
            .now()
            .timestamp_millis()
            .div_euclid(DAY_MS)
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// What other features (the presence) and tests read of usage, from the services
/// registry.
#[derive(Clone)]
pub struct UsageTotals(Arc<Shared>);

impl UsageTotals {
    /// Slash commands run in every guild since counting began: what the database holds
    /// and what this process counted since its last flush.
    pub async fn commands_run(&self) -> Result<u64, StoreError> {
        let _turn = self.0.flushing.lock().await;
        let stored = store::total_runs(&self.0.kernel.store, None).await?;
        Ok(stored + self.0.tally.lock().unflushed())
    }

    /// Slash commands this process counted since it started.
    pub fn counted_here(&self) -> u64 {
        self.0.tally.lock().counted()
    }

    /// Writes what was counted now (tests; the flush loop does it on its own).
    pub async fn flush(&self) -> Result<usize, StoreError> {
        flush(&self.0).await
    }
}

/// Writes what was counted since the last flush; on failure the counts go back to the
/// tally for the next one. How many rows were added to.
async fn flush(shared: &Shared) -> Result<usize, StoreError> {
    let _turn = shared.flushing.lock().await;
    let taken = shared.tally.lock().take();
    if taken.is_empty() {
        return Ok(0);
    }
    match store::write(&shared.kernel.store, &taken).await {
        Ok(()) => Ok(taken.len()),
        Err(error) => {
            shared.tally.lock().restore(taken);
            Err(error)
        }
    }
}

/// Flushes every `flush_secs` on every process, for as long as the feature runs.
fn start_flushing(shared: &Arc<Shared>) {
    let period = Duration::from_secs(shared.config.flush_secs.clamp(1, 3600));
    let weak = Arc::downgrade(shared);
    tokio::spawn(async move {
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
                    tracing::info!("usage counts reach the database again");
                }
                Ok(_) => {}
                Err(error) if !failing => {
                    failing = true;
                    tracing::warn!(%error, "usage counts could not be written; kept in memory until the database answers");
                }
                Err(_) => {}
            }
        }
    });
}

/// Deletes the daily rows older than `keep_days` (the ticker's work).
async fn trim(shared: &Shared) {
    let before = shared.today() - i64::from(shared.config.keep_days.max(1)) + 1;
    match store::trim(&shared.kernel.store, before).await {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, before_day = before, "old usage rows deleted"),
        Err(error) => tracing::warn!(%error, "old usage rows could not be deleted"),
    }
}

/// The actor; see the module documentation.
pub struct UsageRecorder {
    shared: Arc<Shared>,
}

impl Concern for UsageRecorder {
    const NAME: &'static str = USAGE;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let shared = self.shared.clone();
        async move { interaction(&shared, request).await }.boxed_local()
    }
}

async fn interaction(shared: &Arc<Shared>, request: InteractionRequest) -> Reply {
    let locale = request.language();
    let Some(guild) = request.guild_id else {
        return private(t!(locale, "guild-only"));
    };
    let Some(input) = request.command_input() else {
        return private(t!(locale, "usage-stale"));
    };
    let command = match UsageCommand::from_interaction(input) {
        Ok(command) => command,
        Err(error) => {
            let error = clip(&error.to_string(), QUOTED_INPUT_CHARS);
            return private(t!(locale, "usage-unusable", error = error));
        }
    };
    let days = match &command {
        UsageCommand::Overview(overview) => overview.days,
        UsageCommand::Errors(errors) => errors.days,
    }
    .unwrap_or(DEFAULT_DAYS);
    let keep = i64::from(shared.config.keep_days.max(1));
    if !(1..=keep).contains(&days) {
        return private(t!(
            locale,
            "usage-days-out-of-range",
            days = days,
            keep = keep
        ));
    }
    // What was counted up to now shows.
    if let Err(error) = flush(shared).await {
        return TEXTS.database_trouble(locale, &error);
    }
    let from_day = shared.today() - days + 1;
    let result = match command {
        UsageCommand::Overview(_) => overview(shared, guild.get(), days, from_day, locale).await,
        UsageCommand::Errors(_) => errors(shared, days, from_day, locale).await,
    };
    match result {
        Ok(text) => private(text),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// `/usage overview`: the bot-wide figures and this guild's commands, never another's.
async fn overview(
    shared: &Shared,
    guild: u64,
    days: i64,
    from_day: i64,
    locale: Locale,
) -> Result<String, StoreError> {
    let store = &shared.kernel.store;
    let today = store::per_command(store, Some(guild), shared.today()).await?;
    let window = store::per_command(store, Some(guild), from_day).await?;
    let total = store::total_runs(store, Some(guild)).await?;
    let counts = shared.census.counts().await;
    let uptime = crate::core::status::format_uptime(shared.started.elapsed(), locale);
    let mut lines = vec![
        t!(locale, "usage-overview-title"),
        t!(
            locale,
            "usage-overview-bot",
            uptime = uptime,
            guilds = counts.guilds,
            members = counts.members
        ),
        t!(
            locale,
            "usage-overview-guild",
            today = today.values().map(|usage| usage.runs).sum::<u64>(),
            total = total
        ),
        t!(locale, "usage-overview-top", days = days),
    ];
    let mut top: Vec<(&String, &CommandUsage)> = window.iter().collect();
    top.sort_by(|a, b| b.1.runs.cmp(&a.1.runs).then(a.0.cmp(b.0)));
    if top.is_empty() {
        lines.push(t!(locale, "usage-overview-none"));
    }
    for (place, (command, usage)) in top.into_iter().take(TOP_COMMANDS).enumerate() {
        lines.push(t!(
            locale,
            "usage-overview-line",
            place = place + 1,
            command = command.as_str(),
            runs = usage.runs,
            p50 = format_ms(usage.latency.quantile_ms(0.5)),
            p95 = format_ms(usage.latency.quantile_ms(0.95))
        ));
    }
    Ok(lines.join("\n"))
}

/// `/usage errors` (the bot's owners): failed and busy commands of every guild.
async fn errors(
    shared: &Shared,
    days: i64,
    from_day: i64,
    locale: Locale,
) -> Result<String, StoreError> {
    let window = store::per_command(&shared.kernel.store, None, from_day).await?;
    let mut failing: Vec<(&String, &CommandUsage)> = window
        .iter()
        .filter(|(_, usage)| usage.failed + usage.busy > 0)
        .collect();
    failing.sort_by(|a, b| {
        (b.1.failed + b.1.busy)
            .cmp(&(a.1.failed + a.1.busy))
            .then(a.0.cmp(b.0))
    });
    let mut lines = vec![t!(
        locale,
        "usage-errors-title",
        days = days,
        runs = window.values().map(|usage| usage.runs).sum::<u64>()
    )];
    if failing.is_empty() {
        lines.push(t!(locale, "usage-errors-none"));
    }
    for (command, usage) in failing {
        lines.push(t!(
            locale,
            "usage-errors-line",
            command = command.as_str(),
            failed = usage.failed,
            busy = usage.busy,
            runs = usage.runs,
            refused = usage.refused,
            p50 = format_ms(usage.latency.quantile_ms(0.5)),
            p95 = format_ms(usage.latency.quantile_ms(0.95))
        ));
    }
    Ok(clip(&lines.join("\n"), 2000))
}
