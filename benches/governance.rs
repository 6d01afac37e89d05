//! Channel activity's cost, exactness and recalculation speed, measured through the real
//! boot path (`Agora::start`, every feature at its defaults) against agora-sim in the same
//! process:
//!
//! 1. **CPU per MESSAGE_CREATE added by the StatsAggregator.** The demo guild gets
//!    `AGORA_BENCH_TRACKED` (default 50) text channels in its proposed category, counted
//!    once a moderator runs `/channels refresh`, and server protection on (raid, spam and
//!    nuke at their defaults, a security log), as a busy community runs it. A flood of
//!    `AGORA_BENCH_EVENTS` (default 100,000) MESSAGE_CREATE from `AGORA_BENCH_MEMBERS`
//!    (default 1,000) members goes to the guild's text channels in turn (the tracked ones
//!    and the demo's own, which are not counted), ids `AGORA_BENCH_CHAT_MS` (default 3)
//!    simulated ms apart so no spam rule trips; then the same flood with the proposed
//!    category pointed at an empty one (the aggregator still takes every message and looks
//!    its channel up: nothing is tracked). A bare twilight-gateway shard takes each flood
//!    beside the bot; CPU time is each thread's own (`/proc/self/task/*/schedstat`), the
//!    bot's being every thread but the sim's and the bare shard's. The order of the two
//!    floods alternates between runs. A third flood goes to a fresh Agora with `stats` left
//!    out of `features.enabled` (server protection still on): the aggregator's intake is
//!    the difference to the "nothing tracked" flood. A flood that made the bot call Discord
//!    (other than GETs) counts as failed.
//! 2. **Counts exact.** After the counted flood, the cache's totals for the tracked
//!    channels must equal what the sim sent to each (its flood report), within 15 s (a
//!    flush runs every second); after the "nothing tracked" flood they must not have
//!    moved. Each backend is a cache: memory, and Redis when `AGORA_TEST_REDIS_URL` is set
//!    (the store is SQLite in both). A mismatch is a failed sample.
//! 3. **Recalculation speed.** `AGORA_BENCH_HISTORY` (default 20,000) messages of history
//!    over the last 60 days, spread over the tracked channels, then `/stats recalculate
//!    months:3` as the admin, with the sim's rate limits on and the bot's pace at its
//!    default (`stats.recalculate_pages_per_second` = 5 pages of 100). Messages read per
//!    second from the command's answer to "Recalculation finished"; the totals afterwards
//!    must equal the history per channel (the flood's live messages are not history: the
//!    sim does not store floods).
//!
//! Each run is a fresh child process; `AGORA_BENCH_REPEATS` (default 3) runs per backend;
//! the table shows the median (range) over the runs.
//!
//! Run:
//!
//! ```sh
//! cargo bench --bench governance
//! AGORA_TEST_REDIS_URL=redis://127.0.0.1:6379/ cargo bench --bench governance
//! ```

use std::collections::BTreeMap;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::boot::{Agora, BootOptions, Extension};
use agora::config::{Config, ConfigSource};
use agora_actors::kernel::cache::Cache;
use agora_actors::stats::counts;
use agora_sim::actions::{CommandOption, CommandRun};
use agora_sim::world::channel_kind;
use agora_sim::{DemoWorld, GatewayConfig, Sim, SimConfig, WaitFor};
use agora_testkit::bench::*;
use agora_testkit::{content, message_text, services::configured, waited_until};
use anyhow::{bail, ensure, Context as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Dispatches the sim keeps for RESUME (250,000 by default: a flood would fill it).
const SIM_REPLAY_CAPACITY: usize = 1_000;
/// Which run this child is (the parent sets it): the order of the two floods alternates.
const RUN_ENV: &str = "AGORA_BENCH_RUN";
/// How long a setup command may take to be answered.
const ANSWER: Duration = Duration::from_secs(15);
/// How long the counts may take to reach the cache after a flood.
const COUNTED: Duration = Duration::from_secs(15);
/// How long a recalculation may take before it counts as failed.
const RECALCULATION_TIMEOUT: Duration = Duration::from_secs(600);
/// The Redis URL variable the test suite uses too.
const REDIS_ENV: &str = "AGORA_TEST_REDIS_URL";

#[derive(Debug, Clone, Copy)]
struct Settings {
    events: u64,
    members: usize,
    chat_ms: f64,
    tracked: usize,
    history: usize,
    repeats: usize,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            events: env_number("AGORA_BENCH_EVENTS", 100_000u64).max(1),
            members: env_number("AGORA_BENCH_MEMBERS", 1_000usize).max(1),
            chat_ms: env_number("AGORA_BENCH_CHAT_MS", 3.0f64).max(0.001),
            tracked: env_number("AGORA_BENCH_TRACKED", 50usize).max(1),
            history: env_number("AGORA_BENCH_HISTORY", 20_000usize),
            repeats: env_number("AGORA_BENCH_REPEATS", 3usize).max(1),
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunResult {
    backend: String,
    /// Stats counting the tracked channels, protection on.
    counted: Flood,
    /// The same with nothing tracked (the aggregator still takes every message).
    untracked: Flood,
    /// A fresh Agora with `stats` not running, protection on.
    without: Flood,
    /// Messages the sim sent to the tracked channels in the counted flood.
    tracked_messages: u64,
    /// Tracked channels whose total was wrong after a flood (both floods).
    count_mismatches: usize,
    history_read: u64,
    recalculation_seconds: f64,
    /// Tracked channels whose total was wrong after the recalculation.
    recalculation_mismatches: usize,
}

impl RunResult {
    /// The µs the counting adds, each flood's noise taken out: the ratios to the bare
    /// shard in the same flood, their difference in µs of the bare shard's mean.
    fn counting_us(&self) -> f64 {
        (ratio(&self.counted) - ratio(&self.untracked))
            * (self.counted.bare_us + self.untracked.bare_us)
            / 2.0
    }

    /// The µs the whole aggregator adds (intake and counting), likewise.
    fn aggregator_us(&self) -> f64 {
        (ratio(&self.counted) - ratio(&self.without))
            * (self.counted.bare_us + self.without.bare_us)
            / 2.0
    }

    fn messages_per_second(&self) -> f64 {
        self.history_read as f64 / self.recalculation_seconds.max(f64::EPSILON)
    }

    fn failures(&self) -> usize {
        self.count_mismatches
            + self.recalculation_mismatches
            + self.counted.actions
            + self.untracked.actions
            + self.without.actions
    }
}

fn ratio(flood: &Flood) -> f64 {
    flood.bot_us / flood.bare_us
}

// ---------------------------------------------------------------------------------------
// The parent: one child process per run, then the table
// ---------------------------------------------------------------------------------------

fn main() {
    if let Ok(backend) = std::env::var(CHILD_ENV) {
        std::process::exit(child(&backend));
    }
    let settings = Settings::from_env();
    println!("# Agora channel activity benchmark");
    println!();
    println!(
        "{} MESSAGE_CREATE from {} members, {} simulated ms apart, {} tracked channels; {} messages of history; \
         {} run(s) per backend; {} cores, {}; load average at start {}",
        settings.events,
        settings.members,
        settings.chat_ms,
        settings.tracked,
        settings.history,
        settings.repeats,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        load_average(),
    );
    println!(
        "non-default settings: [log] level = \"warn\", [ops] listen = \"127.0.0.1:0\", Discord's URLs pointed at the sim, \
         runtime.cooldown_secs = 0, cache.key_prefix unique per run (Redis); per guild, as its admin and moderators set \
         them: /config moderator-role, /config stats proposed-category and permanent-category, /channels refresh, \
         /security config log, raid enabled:True quarantine_role, spam enabled:True, nuke enabled:True; the sim's replay \
         buffer {SIM_REPLAY_CAPACITY} events"
    );
    let mut backends = vec!["memory"];
    if configured(REDIS_ENV).is_some() {
        backends.push("redis");
    } else {
        println!("{REDIS_ENV} is not set: the Redis cache is left out.");
    }
    println!();

    let mut results: Vec<RunResult> = Vec::new();
    let mut failed_runs = 0;
    for backend in &backends {
        for run in 0..settings.repeats {
            std::env::set_var(RUN_ENV, run.to_string());
            match run_child(backend) {
                Ok(result) => results.push(result),
                Err(error) => {
                    eprintln!("{backend}: {error:#}");
                    failed_runs += 1;
                }
            }
        }
    }

    println!();
    println!("## Median (range) over the runs");
    println!();
    println!("| cache | runs | bot CPU µs/event, stats counting + protection | nothing tracked | stats not running | bare twilight shard | counting adds, µs (per bare shard) | the aggregator adds (intake + counting), µs | counted ÷ bare | nothing tracked ÷ bare | stats not running ÷ bare | tracked messages per flood | count mismatches | recalculation: messages read | seconds | messages/s | mismatches | Discord calls during the floods |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut trouble = 0;
    for backend in &backends {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.backend == *backend).collect();
        if runs.is_empty() {
            continue;
        }
        let values = |value: &dyn Fn(&RunResult) -> f64| -> Vec<f64> {
            runs.iter().map(|r| value(r)).collect()
        };
        let figure = |value: &dyn Fn(&RunResult) -> f64| median_range(&values(value));
        let precise = |value: &dyn Fn(&RunResult) -> f64| median_range_to(&values(value), 2);
        let actions: usize = runs
            .iter()
            .map(|r| r.counted.actions + r.untracked.actions + r.without.actions)
            .sum();
        trouble += runs.iter().map(|r| r.failures()).sum::<usize>();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            backend,
            runs.len(),
            precise(&|r| r.counted.bot_us),
            precise(&|r| r.untracked.bot_us),
            precise(&|r| r.without.bot_us),
            precise(&|r| r.counted.bare_us),
            precise(&|r| r.counting_us()),
            precise(&|r| r.aggregator_us()),
            precise(&|r| ratio(&r.counted)),
            precise(&|r| ratio(&r.untracked)),
            precise(&|r| ratio(&r.without)),
            figure(&|r| r.tracked_messages as f64),
            runs.iter().map(|r| r.count_mismatches).sum::<usize>(),
            figure(&|r| r.history_read as f64),
            figure(&|r| r.recalculation_seconds),
            figure(&|r| r.messages_per_second()),
            runs.iter().map(|r| r.recalculation_mismatches).sum::<usize>(),
            actions,
        );
    }
    println!();
    println!("## Each run");
    println!();
    println!("| cache | counted: bot µs/event | bare µs | events/s | nothing tracked: bot µs | bare µs | not running: bot µs | bare µs | counting adds µs | recalculation messages/s |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &results {
        println!(
            "| {} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} |",
            r.backend,
            r.counted.bot_us,
            r.counted.bare_us,
            r.counted.events_per_second,
            r.untracked.bot_us,
            r.untracked.bare_us,
            r.without.bot_us,
            r.without.bare_us,
            r.counting_us(),
            r.messages_per_second(),
        );
    }
    println!();
    println!(
        "Goals: ≤ 1 µs of CPU added per MESSAGE_CREATE by the aggregator with 50 tracked channels; \
         stats and protection on ÷ bare shard ≤ 1.25×; counts exact on memory and Redis."
    );
    println!();
    if trouble > 0 || failed_runs > 0 {
        println!(
            "RESULT: {failed_runs} failed run(s), {trouble} failed sample(s) (wrong counts, Discord calls during a flood) — these figures do not stand."
        );
        std::process::exit(1);
    }
    println!("RESULT: no failed runs, every count exact, no Discord call during the floods.");
}

// ---------------------------------------------------------------------------------------
// The child: one run, every phase
// ---------------------------------------------------------------------------------------

fn child(backend: &str) -> i32 {
    let settings = Settings::from_env();
    let sim_config = SimConfig {
        gateway: GatewayConfig {
            replay_capacity: SIM_REPLAY_CAPACITY,
            ..GatewayConfig::default()
        },
        ..SimConfig::demo()
    };
    let outcome = start_sim(sim_config, SIM_THREADS).and_then(|(sim_runtime, sim)| {
        let harness = BenchSim {
            sim: Arc::new(sim),
            sim_runtime: sim_runtime.handle().clone(),
        };
        let outcome = agora::actor_system().block_on(measure(backend, settings, harness));
        sim_runtime.shutdown_timeout(Duration::from_secs(1));
        outcome
    });
    child_report(backend, outcome)
}

/// The guild's channels for activity.
struct Layout {
    /// The tracked channels, in the demo's proposed category.
    tracked: Vec<u64>,
    proposed_category: u64,
    permanent_category: u64,
    /// A category with no channels: pointing the proposed category here tracks nothing.
    empty_category: u64,
    quarantine_role: u64,
}

fn layout(sim: &Sim, demo: &DemoWorld, settings: Settings) -> anyhow::Result<Layout> {
    let guild = demo.guild_id;
    let existing = sim.state().world.lock().guilds[&guild]
        .members
        .len()
        .saturating_sub(1);
    sim.populate_guild(guild, settings.members.saturating_sub(existing))?;
    let tracked = (0..settings.tracked)
        .map(|n| {
            sim.create_channel(
                guild,
                &format!("idea-{n}"),
                channel_kind::GUILD_TEXT,
                Some(demo.proposed_category_id),
            )
        })
        .collect::<Result<Vec<u64>, _>>()?;
    Ok(Layout {
        tracked,
        proposed_category: demo.proposed_category_id,
        permanent_category: sim.create_channel(
            guild,
            "Permanent",
            channel_kind::GUILD_CATEGORY,
            None,
        )?,
        empty_category: sim.create_channel(
            guild,
            "Elsewhere",
            channel_kind::GUILD_CATEGORY,
            None,
        )?,
        quarantine_role: sim.create_role(guild, "Quarantine", 0)?,
    })
}

/// Agora's environment for a run on `backend`'s cache.
fn environment(
    sim: &Sim,
    database: &Database,
    backend: &str,
) -> anyhow::Result<std::collections::HashMap<String, String>> {
    let mut env = agora_env(sim, database);
    if backend == "redis" {
        let url = configured(REDIS_ENV).context("AGORA_TEST_REDIS_URL is not set")?;
        env.insert("AGORA_CACHE__REDIS_URL".into(), url);
        env.insert(
            "AGORA_CACHE__KEY_PREFIX".into(),
            format!("agora-bench:{}:{}:", std::process::id(), now_ms()),
        );
    }
    Ok(env)
}

/// Starts Agora with the bench's message counter beside its features, `enabled` naming
/// the features to run (all when `None`).
async fn start_agora(
    env: &std::collections::HashMap<String, String>,
    enabled: Option<Vec<String>>,
    count: &Arc<AtomicU64>,
) -> anyhow::Result<Agora> {
    let mut config = match Config::load(ConfigSource::Default, env) {
        Ok(config) => config,
        Err(problems) => bail!("the configuration has problems:\n{problems}"),
    };
    if let Some(enabled) = enabled {
        config.features.enabled = Some(enabled);
    }
    let extension: Extension = Box::new(MessageCounting {
        count: count.clone(),
    });
    let agora = Agora::start(
        &config,
        BootOptions {
            extensions: vec![extension],
            ..BootOptions::default()
        },
    )
    .await
    .context("Agora did not start")?;
    waited_until("the shard's connection", Duration::from_secs(30), || {
        agora.connected()
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(agora)
}

async fn measure(
    backend: &str,
    settings: Settings,
    harness: BenchSim,
) -> anyhow::Result<RunResult> {
    let sim = &harness.sim;
    let demo = sim.demo().context("the demo world")?;
    let layout = layout(sim, &demo, settings)?;
    let database = Database::create("sqlite").await?;
    let env = environment(sim, &database, backend)?;
    let config = Config::load(ConfigSource::Default, &env)
        .map_err(|problems| anyhow::anyhow!("the configuration has problems:\n{problems}"))?;
    let _log = agora::telemetry::init(&config.log)?;
    let count = Arc::new(AtomicU64::new(0));
    let outcome = match start_agora(&env, None, &count).await {
        Ok(agora) => {
            let outcome = phases(&harness, &demo, &agora, &layout, &count, settings).await;
            let cache = agora.kernel().cache.clone();
            let report = agora.shutdown().await;
            println!(
                "shutdown: {} session(s) saved, {} unfinished",
                report.sessions_saved, report.unfinished
            );
            if backend == "redis" {
                let _ = cache.delete_prefix("").await;
            }
            outcome
        }
        Err(error) => Err(error),
    };
    database.remove().await;
    let phases = outcome?;
    let without = without_stats(&harness, &demo, &layout, backend, settings).await?;
    Ok(RunResult {
        backend: backend.to_owned(),
        without,
        ..phases
    })
}

async fn phases(
    harness: &BenchSim,
    demo: &DemoWorld,
    agora: &Agora,
    layout: &Layout,
    count: &Arc<AtomicU64>,
    settings: Settings,
) -> anyhow::Result<RunResult> {
    let sim = &harness.sim;
    let cache = &counts::scope(&agora.kernel().cache);
    let guild = demo.guild_id;
    protection_on(sim, demo, layout.quarantine_role).await?;
    config(sim, demo, "moderator-role", "role", demo.moderator_role_id).await?;
    stats_config(sim, demo, "permanent-category", layout.permanent_category).await?;

    let track = |category: u64, expected: usize| async move {
        stats_config(sim, demo, "proposed-category", category).await?;
        let refreshed = command(
            sim,
            demo,
            demo.moderator_ids[0],
            "channels",
            vec![CommandOption::sub("refresh", vec![])],
        )
        .await?;
        ensure!(
            refreshed.contains(&format!("{expected} proposed and 0 permanent")),
            "/channels refresh answered: {refreshed}"
        );
        anyhow::Ok(())
    };
    let mut mismatches = 0;
    let counted_flood = |what: &'static str| async move {
        track(layout.proposed_category, layout.tracked.len()).await?;
        let before = totals(cache, guild, &layout.tracked).await?;
        let (figures, report) =
            measured_flood(harness, count, settings.events, settings.chat_ms, what).await?;
        let expected: Vec<i64> = layout
            .tracked
            .iter()
            .zip(&before)
            .map(|(channel, before)| {
                before + report.per_channel.get(channel).copied().unwrap_or(0) as i64
            })
            .collect();
        let sent: u64 = layout
            .tracked
            .iter()
            .map(|channel| report.per_channel.get(channel).copied().unwrap_or(0))
            .sum();
        let waited = Instant::now();
        let now = loop {
            let now = totals(cache, guild, &layout.tracked).await?;
            if now == expected || waited.elapsed() > COUNTED {
                break now;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let wrong = wrong(&now, &expected);
        println!(
            "{what}: {sent} messages in the {} tracked channels; {} channel(s) counted wrong",
            layout.tracked.len(),
            wrong
        );
        anyhow::Ok((figures, sent, wrong))
    };
    let untracked_flood = |what: &'static str| async move {
        track(layout.empty_category, 0).await?;
        let before = totals(cache, guild, &layout.tracked).await?;
        let (figures, _) =
            measured_flood(harness, count, settings.events, settings.chat_ms, what).await?;
        // Two flushes later nothing has moved.
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let now = totals(cache, guild, &layout.tracked).await?;
        let wrong = wrong(&now, &before);
        println!("{what}: {wrong} channel(s) counted that should not have been");
        anyhow::Ok((figures, wrong))
    };

    let counted_first = env_number(RUN_ENV, 0usize).is_multiple_of(2);
    let ((counted, tracked_messages, counted_wrong), (untracked, untracked_wrong)) =
        if counted_first {
            let counted = counted_flood("stats counting").await?;
            let untracked = untracked_flood("nothing tracked").await?;
            (counted, untracked)
        } else {
            let untracked = untracked_flood("nothing tracked").await?;
            let counted = counted_flood("stats counting").await?;
            (counted, untracked)
        };
    mismatches += counted_wrong + untracked_wrong;
    println!(
        "CPU per MESSAGE_CREATE: counting {:.2} µs (bare {:.2}), nothing tracked {:.2} µs (bare {:.2}); counted ÷ bare {:.2}",
        counted.bot_us,
        counted.bare_us,
        untracked.bot_us,
        untracked.bare_us,
        ratio(&counted)
    );

    let (history_read, recalculation_seconds, recalculation_mismatches) = if settings.history > 0 {
        track(layout.proposed_category, layout.tracked.len()).await?;
        recalculation(sim, demo, cache, layout, settings).await?
    } else {
        (0, 0.0, 0)
    };
    Ok(RunResult {
        backend: String::new(),
        counted,
        untracked,
        without: Flood::default(),
        tracked_messages,
        count_mismatches: mismatches,
        history_read,
        recalculation_seconds,
        recalculation_mismatches,
    })
}

/// How many of `now` differ from `expected`.
fn wrong(now: &[i64], expected: &[i64]) -> usize {
    now.iter().zip(expected).filter(|(a, b)| a != b).count()
}

/// The cache's totals for `channels`.
async fn totals(cache: &Cache, guild: u64, channels: &[u64]) -> anyhow::Result<Vec<i64>> {
    Ok(counts::read(cache, guild, channels)
        .await?
        .iter()
        .map(|activity| activity.total)
        .collect())
}

/// Seeds the history, runs `/stats recalculate months:3` as the admin and waits for it to
/// finish: messages read, seconds, channels whose totals then differ from the history.
async fn recalculation(
    sim: &Sim,
    demo: &DemoWorld,
    cache: &Cache,
    layout: &Layout,
    settings: Settings,
) -> anyhow::Result<(u64, f64, usize)> {
    let now_ms = now_ms();
    let day = 86_400_000;
    let people = demo.member_ids.clone();
    let mut seeded: BTreeMap<u64, i64> = BTreeMap::new();
    let per_channel = settings.history / layout.tracked.len();
    let extra = settings.history % layout.tracked.len();
    for (n, &channel) in layout.tracked.iter().enumerate() {
        let count = per_channel + usize::from(n < extra);
        if count > 0 {
            sim.seed_history(channel, &people, count, now_ms - 60 * day, now_ms - 60_000)?;
        }
        seeded.insert(channel, count as i64);
    }
    let id = sim.run_command(CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id: demo.general_id,
        user_id: demo.admin_id,
        name: "stats".into(),
        options: vec![CommandOption::sub(
            "recalculate",
            vec![CommandOption::value("months", 3)],
        )],
        unchecked: false,
    })?;
    let started = sim.answer(id, ANSWER).await?;
    let began = Instant::now();
    let text = content(&started);
    ensure!(
        text.contains("Recalculating"),
        "/stats recalculate answered: {text}"
    );
    let finished = loop {
        let record = sim
            .interaction(id, WaitFor::Callback, Duration::from_secs(5))
            .await?;
        let shown = record
            .original
            .as_ref()
            .map(message_text)
            .unwrap_or_else(|| content(&record));
        if shown.contains("Recalculation finished") {
            break shown;
        }
        ensure!(
            !shown.contains("stopped"),
            "the recalculation stopped: {shown}"
        );
        ensure!(
            began.elapsed() < RECALCULATION_TIMEOUT,
            "not finished in {RECALCULATION_TIMEOUT:?}: {shown}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let seconds = began.elapsed().as_secs_f64();
    let read = finished
        .split(", ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .map(|n| n.replace([',', '.', '\u{202f}', '\u{a0}'], ""))
        .and_then(|n| n.parse::<u64>().ok())
        .with_context(|| format!("the messages read in: {finished}"))?;
    let now = totals(cache, demo.guild_id, &layout.tracked).await?;
    let expected: Vec<i64> = layout.tracked.iter().map(|c| seeded[c]).collect();
    let mismatches = wrong(&now, &expected);
    println!(
        "recalculation: {read} messages read in {seconds:.1} s ({:.0}/s); {mismatches} channel(s) wrong afterwards",
        read as f64 / seconds
    );
    Ok((read, seconds, mismatches))
}

/// The same flood against a fresh Agora with `stats` left out of `features.enabled` and
/// server protection on (a fresh database, a fresh session).
async fn without_stats(
    harness: &BenchSim,
    demo: &DemoWorld,
    layout: &Layout,
    backend: &str,
    settings: Settings,
) -> anyhow::Result<Flood> {
    let sim = &harness.sim;
    let database = Database::create("sqlite").await?;
    let env = environment(sim, &database, backend)?;
    let enabled: Vec<String> = agora_actors::built_in_features()
        .iter()
        .map(|feature| feature.name().to_owned())
        .filter(|name| name != "stats" && name != "governance")
        .chain(["bench-message-counter".to_owned()])
        .collect();
    let count = Arc::new(AtomicU64::new(0));
    let outcome = match start_agora(&env, Some(enabled), &count).await {
        Ok(agora) => {
            let flooded = async {
                protection_on(sim, demo, layout.quarantine_role).await?;
                let (figures, _) = measured_flood(
                    harness,
                    &count,
                    settings.events,
                    settings.chat_ms,
                    "stats not running",
                )
                .await?;
                anyhow::Ok(figures)
            }
            .await;
            let cache = agora.kernel().cache.clone();
            agora.shutdown().await;
            if backend == "redis" {
                let _ = cache.delete_prefix("").await;
            }
            flooded
        }
        Err(error) => Err(error),
    };
    database.remove().await;
    outcome
}

/// Raid, spam and nuke protection on with a security log, as the admin sets them.
async fn protection_on(sim: &Sim, demo: &DemoWorld, quarantine_role: u64) -> anyhow::Result<()> {
    let parts: [(&str, Vec<CommandOption>); 4] = [
        ("log", vec![value("channel", demo.admin_log_id.to_string())]),
        (
            "raid",
            vec![
                value("enabled", true),
                value("quarantine_role", quarantine_role.to_string()),
            ],
        ),
        ("spam", vec![value("enabled", true)]),
        ("nuke", vec![value("enabled", true)]),
    ];
    for (part, options) in parts {
        let answer = command(
            sim,
            demo,
            demo.admin_id,
            "security",
            vec![CommandOption::sub(
                "config",
                vec![CommandOption::sub(part, options)],
            )],
        )
        .await?;
        ensure!(
            answer.contains("Protection settings"),
            "/security config {part} answered: {answer}"
        );
    }
    Ok(())
}

/// `/config <key> <option>:<id>` as the admin.
async fn config(
    sim: &Sim,
    demo: &DemoWorld,
    key: &str,
    option: &str,
    id: u64,
) -> anyhow::Result<()> {
    configure(
        sim,
        demo,
        vec![CommandOption::sub(
            key,
            vec![CommandOption::value(option, id.to_string())],
        )],
    )
    .await
}

/// `/config stats <key> value:<id>` as the admin.
async fn stats_config(sim: &Sim, demo: &DemoWorld, key: &str, id: u64) -> anyhow::Result<()> {
    configure(
        sim,
        demo,
        vec![CommandOption::sub(
            "stats",
            vec![CommandOption::sub(
                key,
                vec![CommandOption::value("value", id.to_string())],
            )],
        )],
    )
    .await
}

/// `/<name> …` as `user` in #general; what they were told.
async fn command(
    sim: &Sim,
    demo: &DemoWorld,
    user: u64,
    name: &str,
    options: Vec<CommandOption>,
) -> anyhow::Result<String> {
    let id = sim.run_command(CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id: demo.general_id,
        user_id: user,
        name: name.into(),
        options,
        unchecked: false,
    })?;
    let record = sim.answer(id, ANSWER).await?;
    Ok(content(&record))
}

fn value(name: &str, value: impl Into<Value>) -> CommandOption {
    CommandOption::value(name, value)
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}
