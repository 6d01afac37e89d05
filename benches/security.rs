//! Server protection's cost and speed, measured through the real boot path
//! (`Agora::start`, every feature at its defaults) against agora-sim in the same process:
//!
//! 1. **CPU per MESSAGE_CREATE added by the monitor.** A flood of `AGORA_BENCH_EVENTS`
//!    (default 100,000) MESSAGE_CREATE from the demo guild's `AGORA_BENCH_MEMBERS` (default
//!    1,000) members in turn, with raid, spam and nuke protection on at their defaults and a
//!    security log set, then the same flood with the guild's spam rules off (the feature
//!    still on: its monitor still takes each message and finds the guild's guard). The
//!    messages are ordinary chat that trips no rule: each text is different, with no link,
//!    mention, invite or wall, and the flood's ids are spread `AGORA_BENCH_CHAT_MS` (default
//!    3) simulated milliseconds apart (`FloodRequest::spacing_ms`), so each member posts one
//!    message every 3 s of the guild's time while the sim still writes them as fast as the
//!    sockets take them. The measured path is detection, not Discord actions: a flood that
//!    made the bot call Discord is counted as a failure. A bare twilight-gateway shard (a
//!    second connection on a thread of its own that only reads, inflates and parses each
//!    MESSAGE_CREATE) takes the same flood; CPU time is each thread's own
//!    (`/proc/self/task/*/schedstat`, nanoseconds): the bot's is every thread but the sim's
//!    and the bare shard's, as in `benches/runtime.rs`. The order of the two floods
//!    alternates between runs. A third flood, after the others, goes to a fresh Agora with
//!    the security feature left out of `features.enabled`: what the rest of the bot costs,
//!    so the monitor's intake (the bus delivery, the guard's lookup and lock) is the
//!    difference to the "spam off" flood.
//! 2. **Raid detection latency.** `AGORA_BENCH_RAIDS` (default 100) raids, each in a fresh
//!    guild (so one raid's paced quarantines, 10 role changes per 10 s per guild on
//!    Discord, do not delay the next): raid protection on with a quarantine role and a
//!    security log, then new accounts without avatars and with look-alike names join. The
//!    join that crosses the threshold is known beforehand (the bench weighs the same joins
//!    with `detect::JoinWindow`); two latencies run from just before the sim dispatches that
//!    GUILD_MEMBER_ADD: to raid mode on (the raid's row in the bot's store, polled: from then
//!    on every joiner is handled as a raider) and to the incident ("raid mode on")
//!    appearing in the security log, which the bot posts after it has stored the raid; the
//!    second waits for Discord's global REST limit when the bot's calls fill it. Quarantining the raiders is not part
//!    of it, and the next raid starts once this one's accounts hold the quarantine role:
//!    back to back (`AGORA_BENCH_RAIDS_BACK_TO_BACK=1`), the earlier raids' role changes
//!    take the bot's global REST budget (50 calls per second, twilight's window) and an
//!    incident's post may wait up to a second for it. A raid not seen within 10 s is a
//!    failure.
//! 3. **Memory per tracked guild.** `AGORA_BENCH_GUILDS` (default 1,000) guilds of
//!    `AGORA_BENCH_GUILD_MEMBERS` (default 100) members. Every member first posts once with
//!    spam off (the guilds' guards, the bot's caches and the message path warm up), then
//!    spam is turned on in every guild and every member posts `AGORA_BENCH_GUILD_MESSAGES`
//!    (default 5) messages 3 s apart in the guild's time (all within the rules' 30 s
//!    memory: each member is tracked with 5 recent messages). VmRSS growth over that second
//!    round, per guild.
//!
//! Each run is a fresh child process (SQLite, and PostgreSQL when
//! `AGORA_TEST_POSTGRES_URL` is set); `AGORA_BENCH_REPEATS` (default 3) runs per backend;
//! the table shows the median (range) over the runs.
//!
//! Run:
//!
//! ```sh
//! cargo bench --bench security
//! AGORA_BENCH_REPEATS=5 AGORA_BENCH_RAIDS=200 cargo bench --bench security
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::boot::{Agora, BootOptions, Extension};
use agora::config::{Config, ConfigSource};
use agora_actors::security::detect::{snowflake_time, Join, JoinVerdict, JoinWindow};
use agora_actors::security::settings::GuardSettings;
use agora_sim::actions::{CommandOption, CommandRun, UserSpec};
use agora_sim::gateway::flood::FloodRequest;
use agora_sim::{GatewayConfig, Sim, SimConfig};
use agora_testkit::bench::*;
use agora_testkit::{content, message_text, waited_until};
use anyhow::{bail, ensure, Context as _};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Dispatches the sim keeps for RESUME (250,000 by default: a flood would fill it).
const SIM_REPLAY_CAPACITY: usize = 1_000;
/// Which run this child is (the parent sets it): the order of the two floods alternates.
const RUN_ENV: &str = "AGORA_BENCH_RUN";
/// How long a setup command may take to be answered.
const ANSWER: Duration = Duration::from_secs(15);
/// How long a raid may take to show in the security log before it counts as failed.
const RAID_TIMEOUT: Duration = Duration::from_secs(10);
/// Simulated milliseconds between one member's messages in the memory phase.
const MEMORY_CHAT_MS: f64 = 3_000.0;
/// Setup commands in flight at once.
const COMMANDS_IN_FLIGHT: usize = 8;
/// Discord's ADMINISTRATOR permission (the bot's role in the raid and memory guilds).
const ADMINISTRATOR: u64 = 1 << 3;
/// GUILD_TEXT.
const TEXT_CHANNEL: u8 = 0;

#[derive(Debug, Clone, Copy)]
struct Settings {
    events: u64,
    members: usize,
    chat_ms: f64,
    raids: usize,
    guilds: usize,
    guild_members: usize,
    guild_messages: u64,
    repeats: usize,
    /// `AGORA_BENCH_RAIDS_BACK_TO_BACK=1`: each raid starts as soon as the previous one
    /// is detected, its quarantines still under way.
    raids_back_to_back: bool,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            events: env_number("AGORA_BENCH_EVENTS", 100_000u64).max(1),
            members: env_number("AGORA_BENCH_MEMBERS", 1_000usize).max(1),
            chat_ms: env_number("AGORA_BENCH_CHAT_MS", 3.0f64).max(0.001),
            raids: env_number("AGORA_BENCH_RAIDS", 100usize),
            guilds: env_number("AGORA_BENCH_GUILDS", 1_000usize),
            guild_members: env_number("AGORA_BENCH_GUILD_MEMBERS", 100usize).max(2),
            guild_messages: env_number("AGORA_BENCH_GUILD_MESSAGES", 5u64).max(1),
            repeats: env_number("AGORA_BENCH_REPEATS", 3usize).max(1),
            raids_back_to_back: env_number("AGORA_BENCH_RAIDS_BACK_TO_BACK", 0u8) == 1,
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RunResult {
    backend: String,
    on: Flood,
    off: Flood,
    /// The same flood with the security feature not running at all (its intake's share).
    without: Flood,
    /// Crossing join → the incident in the security log.
    raid_latencies_ms: Vec<f64>,
    /// Crossing join → raid mode on (the raid stored: later joiners are handled as raiders).
    raid_mode_ms: Vec<f64>,
    raid_failures: usize,
    memory_guilds: usize,
    /// VmRSS (kB) before and after the warm-up round, and after the tracked round.
    rss_start_kb: u64,
    rss_warm_kb: u64,
    rss_tracked_kb: u64,
}

impl RunResult {
    fn added_us(&self) -> f64 {
        self.on.bot_us - self.off.bot_us
    }

    /// The added CPU with each flood's noise taken out: the ratios to the bare shard in
    /// the same flood, their difference in µs of the bare shard's mean.
    fn added_normalised_us(&self) -> f64 {
        (self.on_over_bare() - self.off_over_bare()) * (self.on.bare_us + self.off.bare_us) / 2.0
    }

    fn on_over_bare(&self) -> f64 {
        self.on.bot_us / self.on.bare_us
    }

    fn off_over_bare(&self) -> f64 {
        self.off.bot_us / self.off.bare_us
    }

    fn without_over_bare(&self) -> f64 {
        self.without.bot_us / self.without.bare_us
    }

    fn latency(&self, q: f64) -> f64 {
        let mut sorted = self.raid_latencies_ms.clone();
        sorted.sort_by(f64::total_cmp);
        percentile(&sorted, q)
    }

    fn mode_latency(&self, q: f64) -> f64 {
        let mut sorted = self.raid_mode_ms.clone();
        sorted.sort_by(f64::total_cmp);
        percentile(&sorted, q)
    }

    fn kib_per_guild(&self) -> f64 {
        self.rss_tracked_kb.saturating_sub(self.rss_warm_kb) as f64
            / self.memory_guilds.max(1) as f64
    }

    fn warm_kib_per_guild(&self) -> f64 {
        self.rss_warm_kb.saturating_sub(self.rss_start_kb) as f64 / self.memory_guilds.max(1) as f64
    }
}

// ---------------------------------------------------------------------------------------
// The parent: one child process per run, then the table
// ---------------------------------------------------------------------------------------

fn main() {
    if let Ok(backend) = std::env::var(CHILD_ENV) {
        std::process::exit(child(&backend));
    }
    let settings = Settings::from_env();
    println!("# Agora server protection benchmark");
    println!();
    println!(
        "{} MESSAGE_CREATE from {} members, {} simulated ms apart; {} raids{}; {} guilds × {} members × {} messages; \
         {} run(s) per backend; {} cores, {}; load average at start {}",
        settings.events,
        settings.members,
        settings.chat_ms,
        settings.raids,
        if settings.raids_back_to_back {
            " back to back"
        } else {
            ", each after the previous one's accounts are quarantined"
        },
        settings.guilds,
        settings.guild_members,
        settings.guild_messages,
        settings.repeats,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        load_average(),
    );
    println!(
        "non-default settings: [log] level = \"warn\", [ops] listen = \"127.0.0.1:0\", Discord's URLs pointed at the sim, \
         runtime.cooldown_secs = 0, discord.register_commands = \"global\" (the guilds made during the run need /security); per guild, as its admin sets them: /security config log, raid enabled:True \
         quarantine_role, spam enabled:True, nuke enabled:True (every threshold at its default); the sim's replay \
         buffer {SIM_REPLAY_CAPACITY} events"
    );
    let backends = backends();
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
    println!("| backend | runs | bot CPU µs/event, protection on | protection off | bare twilight shard | added by the monitor (on − off) | added, per bare shard µs ((on÷bare − off÷bare) × bare) | on ÷ bare | off ÷ bare | security not running ÷ bare | Discord calls during the floods | raid mode on p50 ms | p99 ms | max ms | incident in the log p50 ms | p99 ms | max ms | raids (all runs) | raids failed | KiB per tracked guild |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
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
            .map(|r| r.on.actions + r.off.actions + r.without.actions)
            .sum();
        let raids: usize = runs.iter().map(|r| r.raid_latencies_ms.len()).sum();
        let raid_failures: usize = runs.iter().map(|r| r.raid_failures).sum();
        trouble += actions + raid_failures;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            backend_name(backend),
            runs.len(),
            precise(&|r| r.on.bot_us),
            precise(&|r| r.off.bot_us),
            precise(&|r| r.on.bare_us),
            precise(&|r| r.added_us()),
            precise(&|r| r.added_normalised_us()),
            precise(&|r| r.on_over_bare()),
            precise(&|r| r.off_over_bare()),
            precise(&|r| r.without_over_bare()),
            actions,
            figure(&|r| r.mode_latency(0.50)),
            figure(&|r| r.mode_latency(0.99)),
            figure(&|r| r.mode_latency(1.0)),
            figure(&|r| r.latency(0.50)),
            figure(&|r| r.latency(0.99)),
            figure(&|r| r.latency(1.0)),
            raids,
            raid_failures,
            figure(&|r| r.kib_per_guild()),
        );
    }
    println!();
    println!("## Each run");
    println!();
    println!("| backend | on: bot µs/event | bare µs | events/s | off: bot µs/event | bare µs | events/s | raids | p50 ms | p99 ms | max ms | RSS before | after warm-up round | after tracked round | KiB/guild (warm-up round) |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &results {
        println!(
            "| {} | {:.2} | {:.2} | {:.0} | {:.2} | {:.2} | {:.0} | {}/{} | {:.1} | {:.1} | {:.1} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} |",
            backend_name(&r.backend),
            r.on.bot_us,
            r.on.bare_us,
            r.on.events_per_second,
            r.off.bot_us,
            r.off.bare_us,
            r.off.events_per_second,
            r.raid_latencies_ms.len(),
            r.raid_latencies_ms.len() + r.raid_failures,
            r.latency(0.50),
            r.latency(0.99),
            r.latency(1.0),
            r.rss_start_kb as f64 / 1024.0,
            r.rss_warm_kb as f64 / 1024.0,
            r.rss_tracked_kb as f64 / 1024.0,
            r.warm_kib_per_guild(),
        );
    }
    println!();
    for (what, pick) in [
        (
            "raid mode on",
            (|r: &RunResult| &r.raid_mode_ms) as fn(&RunResult) -> &Vec<f64>,
        ),
        ("incident in the log", |r: &RunResult| &r.raid_latencies_ms),
    ] {
        let mut pooled: Vec<f64> = results
            .iter()
            .flat_map(|r| pick(r).iter().copied())
            .collect();
        pooled.sort_by(f64::total_cmp);
        println!(
            "Crossing join → {what}, every run's samples pooled: {} raids, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms.",
            pooled.len(),
            percentile(&pooled, 0.50),
            percentile(&pooled, 0.99),
            percentile(&pooled, 1.0)
        );
    }
    println!(
        "Goals: ≤ 2 µs of CPU added per MESSAGE_CREATE, protection on ÷ bare shard ≤ 1.15×, raid detection p99 ≤ 200 ms."
    );
    println!();
    if trouble > 0 || failed_runs > 0 {
        println!(
            "RESULT: {failed_runs} failed run(s), {trouble} failed sample(s) (raids unseen, Discord calls during a flood) — these figures do not stand."
        );
        std::process::exit(1);
    }
    println!("RESULT: no failed runs, no raid unseen, no Discord call during the floods.");
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

async fn measure(
    backend: &str,
    settings: Settings,
    harness: BenchSim,
) -> anyhow::Result<RunResult> {
    let sim = &harness.sim;
    let demo = sim.demo().context("the demo world")?;
    // The flood's guild: `members` people besides the bot, a quarantine role.
    let existing = sim.state().world.lock().guilds[&demo.guild_id]
        .members
        .len()
        .saturating_sub(1);
    sim.populate_guild(demo.guild_id, settings.members.saturating_sub(existing))?;
    let quarantine = sim.create_role(demo.guild_id, "Quarantine", 0)?;

    let database = Database::create(backend).await?;
    let mut env = agora_env(sim, &database);
    // Slash commands for every guild, the raid and memory guilds made after the start too.
    env.insert("AGORA_DISCORD__REGISTER_COMMANDS".into(), "global".into());
    let config = match Config::load(ConfigSource::Default, &env) {
        Ok(config) => config,
        Err(problems) => {
            database.remove().await;
            bail!("the configuration has problems:\n{problems}");
        }
    };
    let _log = agora::telemetry::init(&config.log)?;
    let count = Arc::new(AtomicU64::new(0));
    let extension: Extension = Box::new(MessageCounting {
        count: count.clone(),
    });
    let agora = match Agora::start(
        &config,
        BootOptions {
            extensions: vec![extension],
            ..BootOptions::default()
        },
    )
    .await
    {
        Ok(agora) => agora,
        Err(error) => {
            database.remove().await;
            return Err(error.context("Agora did not start"));
        }
    };
    let outcome = phases(&harness, &demo, &agora, &count, quarantine, settings).await;
    let report = agora.shutdown().await;
    database.remove().await;
    println!(
        "shutdown: {} session(s) saved, {} unfinished",
        report.sessions_saved, report.unfinished
    );
    let without = match &outcome {
        Ok(_) => without_security(&harness, backend, settings).await?,
        Err(_) => Flood::default(),
    };
    let (
        on,
        off,
        (raid_latencies_ms, raid_mode_ms, raid_failures),
        (rss_start_kb, rss_warm_kb, rss_tracked_kb),
    ) = outcome?;
    Ok(RunResult {
        backend: backend.to_owned(),
        on,
        off,
        without,
        raid_latencies_ms,
        raid_mode_ms,
        raid_failures,
        memory_guilds: settings.guilds,
        rss_start_kb,
        rss_warm_kb,
        rss_tracked_kb,
    })
}

type Phases = (Flood, Flood, (Vec<f64>, Vec<f64>, usize), (u64, u64, u64));

async fn phases(
    harness: &BenchSim,
    demo: &agora_sim::DemoWorld,
    agora: &Agora,
    count: &Arc<AtomicU64>,
    quarantine: u64,
    settings: Settings,
) -> anyhow::Result<Phases> {
    let sim = &harness.sim;
    waited_until("the shard's connection", Duration::from_secs(30), || {
        agora.connected() && !sim.gateway().connected_sessions(None).is_empty()
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Every protection on, as the demo guild's admin sets it.
    let (guild, channel, admin) = (demo.guild_id, demo.general_id, demo.admin_id);
    let log = demo.admin_log_id.to_string();
    security(
        sim,
        guild,
        channel,
        admin,
        "log",
        vec![value("channel", log)],
    )
    .await?;
    security(
        sim,
        guild,
        channel,
        admin,
        "raid",
        vec![
            value("enabled", true),
            value("quarantine_role", quarantine.to_string()),
        ],
    )
    .await?;
    security(
        sim,
        guild,
        channel,
        admin,
        "nuke",
        vec![value("enabled", true)],
    )
    .await?;
    let spam = |on: bool| {
        security(
            sim,
            guild,
            channel,
            admin,
            "spam",
            vec![value("enabled", on)],
        )
    };

    let on_first = env_number(RUN_ENV, 0usize).is_multiple_of(2);
    let (on, off) = if on_first {
        spam(true).await?;
        let on = flood(harness, count, settings, "protection on").await?;
        spam(false).await?;
        let off = flood(harness, count, settings, "protection off").await?;
        (on, off)
    } else {
        spam(false).await?;
        let off = flood(harness, count, settings, "protection off").await?;
        spam(true).await?;
        let on = flood(harness, count, settings, "protection on").await?;
        (on, off)
    };
    println!(
        "CPU per MESSAGE_CREATE: protection on {:.2} µs (bare shard {:.2} µs), off {:.2} µs (bare {:.2} µs): the monitor adds {:.2} µs; on ÷ bare {:.2}",
        on.bot_us,
        on.bare_us,
        off.bot_us,
        off.bare_us,
        on.bot_us - off.bot_us,
        on.bot_us / on.bare_us
    );

    let raids = raids(harness, agora, settings).await?;
    let memory = memory(harness, agora, count, settings).await?;
    Ok((on, off, raids, memory))
}

fn value(name: &str, value: impl Into<Value>) -> CommandOption {
    CommandOption::value(name, value)
}

/// `/security config <part> …` as `user`; fails unless the settings were saved.
async fn security(
    sim: &Sim,
    guild: u64,
    channel: u64,
    user: u64,
    part: &str,
    options: Vec<CommandOption>,
) -> anyhow::Result<()> {
    // The commands are registered globally at start: the sim may not have them yet.
    let asked = Instant::now();
    let id = loop {
        let run = CommandRun {
            guild_id: Some(guild),
            channel_id: channel,
            user_id: user,
            name: "security".into(),
            options: vec![CommandOption::sub(
                "config",
                vec![CommandOption::sub(part, options.clone())],
            )],
            unchecked: false,
        };
        match sim.run_command(run) {
            Ok(id) => break id,
            Err(error)
                if error.to_string().contains("is not registered")
                    && asked.elapsed() < Duration::from_secs(30) =>
            {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => return Err(error.into()),
        }
    };
    let record = sim.answer(id, ANSWER).await?;
    let text = content(&record);
    ensure!(
        text.contains("Protection settings"),
        "/security config {part} answered: {text}"
    );
    Ok(())
}

/// The chat flood of `settings` in the demo guild, beside a bare shard.
async fn flood(
    harness: &BenchSim,
    count: &Arc<AtomicU64>,
    settings: Settings,
    what: &str,
) -> anyhow::Result<Flood> {
    let (figures, _) =
        measured_flood(harness, count, settings.events, settings.chat_ms, what).await?;
    Ok(figures)
}

/// The same flood against Agora with the security feature left out of `features.enabled`
/// (a fresh database, a fresh session): what the rest of the bot costs per MESSAGE_CREATE,
/// so the monitor's intake (the bus delivery, the guard's lookup and lock) shows as the
/// difference to the "spam off" flood.
async fn without_security(
    harness: &BenchSim,
    backend: &str,
    settings: Settings,
) -> anyhow::Result<Flood> {
    let sim = &harness.sim;
    let database = Database::create(backend).await?;
    let env = agora_env(sim, &database);
    let mut config = match Config::load(ConfigSource::Default, &env) {
        Ok(config) => config,
        Err(problems) => {
            database.remove().await;
            bail!("the configuration has problems:\n{problems}");
        }
    };
    // Every feature this Agora has but security (and the bench's counter).
    config.features.enabled = Some(
        agora_actors::built_in_features()
            .iter()
            .map(|feature| feature.name().to_owned())
            .filter(|name| name != "security")
            .chain(["bench-message-counter".to_owned()])
            .collect(),
    );
    let count = Arc::new(AtomicU64::new(0));
    let extension: Extension = Box::new(MessageCounting {
        count: count.clone(),
    });
    let started = Agora::start(
        &config,
        BootOptions {
            extensions: vec![extension],
            ..BootOptions::default()
        },
    )
    .await;
    let outcome = match started {
        Ok(agora) => {
            let flooded = async {
                waited_until("the shard's connection", Duration::from_secs(30), || {
                    agora.connected()
                })
                .await?;
                tokio::time::sleep(Duration::from_millis(500)).await;
                flood(harness, &count, settings, "security not running").await
            }
            .await;
            agora.shutdown().await;
            flooded
        }
        Err(error) => Err(error.context("Agora without security did not start")),
    };
    database.remove().await;
    outcome
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Waits until the bot knows every one of `guilds` (their GUILD_CREATE was read).
async fn known(agora: &Agora, guilds: &[u64]) -> anyhow::Result<()> {
    waited_until("the guilds' GUILD_CREATE", Duration::from_secs(60), || {
        let known: std::collections::HashSet<u64> = agora
            .kernel()
            .guilds
            .guilds()
            .into_iter()
            .map(|(id, _)| id.get())
            .collect();
        guilds.iter().all(|g| known.contains(g))
    })
    .await?;
    Ok(())
}

/// Raids in fresh guilds, one after another: each one's detection latency (ms), and how
/// many were not seen in time.
async fn raids(
    harness: &BenchSim,
    agora: &Agora,
    settings: Settings,
) -> anyhow::Result<(Vec<f64>, Vec<f64>, usize)> {
    let sim = &harness.sim;
    let store = &agora.kernel().store;
    let mut latencies = Vec::with_capacity(settings.raids);
    let mut mode_latencies = Vec::with_capacity(settings.raids);
    let mut routes: std::collections::BTreeMap<String, usize> = Default::default();
    let raids_began = sim.state().requests.total();
    let mut failures = 0;
    let guard_settings = GuardSettings {
        raid_enabled: true,
        ..GuardSettings::default()
    };
    for raid in 0..settings.raids {
        let (guild, owner) = sim.create_guild(
            &format!("Raid {raid}"),
            &format!("owner{raid}"),
            ADMINISTRATOR,
        );
        let general = sim.create_channel(guild, "general", TEXT_CHANNEL, None)?;
        let log = sim.create_channel(guild, "security-log", TEXT_CHANNEL, None)?;
        let quarantine = sim.create_role(guild, "Quarantine", 0)?;
        known(agora, &[guild]).await?;
        security(
            sim,
            guild,
            general,
            owner,
            "log",
            vec![value("channel", log.to_string())],
        )
        .await?;
        security(
            sim,
            guild,
            general,
            owner,
            "raid",
            vec![
                value("enabled", true),
                value("quarantine_role", quarantine.to_string()),
            ],
        )
        .await?;
        // The accounts, and which join crosses the threshold (weighed as the bot will).
        let members = sim.state().world.lock().guilds[&guild].members.len() as u64;
        let mut window = JoinWindow::default();
        let mut raiders = Vec::new();
        let mut crossing = None;
        for n in 0..50usize {
            let name = format!("free_nitro_{raid}_{n}");
            let user = sim.create_user_with(&UserSpec {
                username: name.clone(),
                created_at_ms: Some(now_ms() - 86_400_000),
                avatar: None,
                accepts_dms: true,
            })?;
            let join = Join {
                user,
                at: now_ms() as i64,
                account_created: snowflake_time(user),
                name,
                avatar: None,
            };
            raiders.push(user);
            let verdict = window.join(&join, &guard_settings, members + n as u64 + 1, true);
            if matches!(verdict, JoinVerdict::RaidStarts { .. }) {
                crossing = Some(n);
                break;
            }
        }
        let crossing = crossing.context("no join crosses the raid threshold")?;
        for user in &raiders[..crossing] {
            sim.join_guild_at(guild, *user, now_ms())?;
        }
        let requests_before = sim.state().requests.total();
        let dispatched = Instant::now();
        let dispatched_ms = now_ms();
        sim.join_guild_at(guild, raiders[crossing], dispatched_ms)?;
        let guild_id = twilight_model::id::Id::new(guild);
        let mut mode_on = None;
        let seen = loop {
            if mode_on.is_none() && store.active_raid(guild_id).await?.is_some() {
                mode_on = Some(dispatched.elapsed());
            }
            let on = sim
                .channel_messages(log)
                .iter()
                .any(|m| message_text(m).contains("raid mode on"));
            if on {
                break Some(dispatched.elapsed());
            }
            if dispatched.elapsed() > RAID_TIMEOUT {
                break None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        match seen {
            Some(latency) => {
                let ms = latency.as_secs_f64() * 1e3;
                // Stored at the latest when the incident is posted (it is posted after).
                let mode = mode_on.unwrap_or(latency);
                mode_latencies.push(mode.as_secs_f64() * 1e3);
                if ms > 100.0 {
                    // What the bot asked Discord for before the incident: the slow part.
                    let calls: Vec<String> = sim
                        .requests(requests_before)
                        .into_iter()
                        .map(|r| {
                            format!(
                                "{} {} at +{} ms",
                                r.method,
                                r.route.unwrap_or(r.path),
                                r.at_ms.saturating_sub(dispatched_ms)
                            )
                        })
                        .collect();
                    println!(
                        "raid {raid} (dispatched at {dispatched_ms}): {ms:.1} ms; the bot's {} calls to Discord meanwhile began {:?}",
                        calls.len(),
                        &calls[..calls.len().min(3)]
                    );
                }
                latencies.push(ms);
            }
            None => {
                failures += 1;
                println!("raid {raid}: no incident in the security log within {RAID_TIMEOUT:?}");
            }
        }
        // The next raid starts when this one's accounts are quarantined: back to back, the
        // raids' quarantines would hold the bot's global REST budget (50 calls per second)
        // and the next incident's post would wait for it.
        if settings.raids_back_to_back {
            continue;
        }
        let handled = waited_until(
            "the raid's accounts quarantined",
            Duration::from_secs(30),
            || {
                let world = sim.state().world.lock();
                world.guilds[&guild]
                    .members
                    .iter()
                    .filter(|(_, m)| m.roles.contains(&quarantine))
                    .count()
                    > crossing
            },
        )
        .await;
        if handled.is_err() {
            println!("raid {raid}: its accounts were not all quarantined within 30 s");
        }
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let mut modes = mode_latencies.clone();
    modes.sort_by(f64::total_cmp);
    println!(
        "raids: {} detected, {failures} not; raid mode on p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         incident in the log p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&modes, 0.5),
        percentile(&modes, 0.99),
        percentile(&modes, 1.0),
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        percentile(&sorted, 1.0)
    );
    for request in sim.requests(raids_began) {
        *routes
            .entry(format!(
                "{} {}",
                request.method,
                request.route.unwrap_or(request.path)
            ))
            .or_default() += 1;
    }
    println!("REST calls during the raids, by route: {routes:?}");
    Ok((latencies, mode_latencies, failures))
}

/// Floods `per_member` messages from every member of each guild, `spacing` simulated ms
/// apart, and waits until the bot has read them all.
async fn chat(
    harness: &BenchSim,
    count: &Arc<AtomicU64>,
    guilds: &[u64],
    members: usize,
    per_member: u64,
    spacing: f64,
) -> anyhow::Result<()> {
    count.store(0, Ordering::SeqCst);
    let per_guild = members as u64 * per_member;
    for guild in guilds {
        let sim = harness.sim.clone();
        let guild = *guild;
        harness
            .sim_runtime
            .spawn(async move {
                sim.flood(FloodRequest {
                    event: "MESSAGE_CREATE".into(),
                    count: per_guild,
                    rate_per_s: None,
                    guild_id: Some(guild),
                    spacing_ms: Some(spacing),
                })
                .await
            })
            .await
            .context("a flood task")?
            .context("a guild's flood")?;
    }
    let total = per_guild * guilds.len() as u64;
    waited_until("every message read", Duration::from_secs(300), || {
        count.load(Ordering::Relaxed) >= total
    })
    .await?;
    // The monitor reads each message on the shard's thread; let the last ones through.
    tokio::time::sleep(Duration::from_secs(1)).await;
    Ok(())
}

/// RSS (kB) before, after every member of every guild posted once with spam off, and
/// after they chatted with spam on.
async fn memory(
    harness: &BenchSim,
    agora: &Agora,
    count: &Arc<AtomicU64>,
    settings: Settings,
) -> anyhow::Result<(u64, u64, u64)> {
    let sim = &harness.sim;
    if settings.guilds == 0 {
        return Ok((0, 0, 0));
    }
    let mut guilds = Vec::with_capacity(settings.guilds);
    let mut channels: HashMap<u64, (u64, u64)> = HashMap::new();
    for n in 0..settings.guilds {
        let (guild, owner) =
            sim.create_guild(&format!("Chat {n}"), &format!("host{n}"), ADMINISTRATOR);
        let general = sim.create_channel(guild, "general", TEXT_CHANNEL, None)?;
        // The owner is one of the chatting members.
        sim.populate_guild(guild, settings.guild_members - 1)?;
        guilds.push(guild);
        channels.insert(guild, (general, owner));
    }
    known(agora, &guilds).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let start = proc_status_kb("VmRSS:");
    // Warm-up round, spam off: guards, caches and the message path.
    chat(
        harness,
        count,
        &guilds,
        settings.guild_members,
        1,
        MEMORY_CHAT_MS / settings.guild_members as f64,
    )
    .await?;
    for batch in guilds.chunks(COMMANDS_IN_FLIGHT) {
        let mut running = Vec::new();
        for guild in batch {
            let (general, owner) = channels[guild];
            let sim = sim.clone();
            let guild = *guild;
            running.push(harness.sim_runtime.spawn(async move {
                security(
                    &sim,
                    guild,
                    general,
                    owner,
                    "spam",
                    vec![value("enabled", true)],
                )
                .await
            }));
        }
        for task in running {
            task.await.context("a settings task")??;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let warm = proc_status_kb("VmRSS:");
    chat(
        harness,
        count,
        &guilds,
        settings.guild_members,
        settings.guild_messages,
        MEMORY_CHAT_MS / settings.guild_members as f64,
    )
    .await?;
    let tracked = proc_status_kb("VmRSS:");
    println!(
        "memory: {} guilds × {} members; RSS {:.1} MiB at the start, {:.1} MiB after the warm-up round (spam off), \
         {:.1} MiB after {} messages per member with spam on: {:.1} KiB per tracked guild",
        settings.guilds,
        settings.guild_members,
        start as f64 / 1024.0,
        warm as f64 / 1024.0,
        tracked as f64 / 1024.0,
        settings.guild_messages,
        tracked.saturating_sub(warm) as f64 / settings.guilds as f64
    );
    Ok((start, warm, tracked))
}
