//! Scale-out figures against agora-sim's large scenario (`large:<guilds>x<members>`,
//! default 1,000 guilds of 1,000 members: `AGORA_BENCH_GUILDS`, `AGORA_BENCH_MEMBERS`),
//! the sim recommending 8 shards with `max_concurrency` 2 and Discord's 5 s IDENTIFY
//! window, in this process on threads of its own; the bots are real processes:
//!
//! 1. **Memory**: one `agora run` (the release binary, every shard, SQLite, its default
//!    intents) until it has every guild's GUILD_CREATE, then its peak RSS (VmHWM); beside
//!    it, in the same run, a plain discord.py 2.7.1 client (`benches/discordpy/client.py`:
//!    AutoShardedClient, members intent, default cache) until `on_ready`, then its peak
//!    RSS. discord.py is skipped with a note when `python3 -c "import discord"` fails
//!    (`pip install discord.py==2.7.1`).
//! 2. **Start**: three `agora run` processes (shards 0–2, 3–5, 6–7) over PostgreSQL and
//!    Redis, from spawning them to all 8 sessions READY, and the op 9s the sim sent (0:
//!    the time is the IDENTIFY rules', not ours).
//! 3. **Load across processes**: with the three running, the platform's mixed load, open
//!    loop, 200 interactions per second for 30 s (`AGORA_BENCH_RATE`,
//!    `AGORA_BENCH_SECONDS`): a quarter each of `/status`, `/help` and `/shift upcoming`
//!    by members of 200 guilds spread over all shards, and of Claim clicks by 200
//!    moderators on 500 shifts dropped in the demo guild (added to the large world,
//!    configured through `/config`); latency from the dispatch to the answer the sim
//!    received. The sim's REST rate limits are off for the drops and the load, as in
//!    `cargo bench --bench mixed`.
//! 4. **Failover**: `AGORA_BENCH_REPEATS` times (default 5), the ticker leader is SIGKILLed
//!    and the time until another process's heartbeat row says it leads is taken; a
//!    replacement is started for the killed range before the next kill.
//!
//! Needs `AGORA_TEST_POSTGRES_URL` and `AGORA_TEST_REDIS_URL` for 2 and 3 (skipped with a
//! note when unset).
//!
//! ```sh
//! AGORA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test \
//! AGORA_TEST_REDIS_URL=redis://127.0.0.1:6379/ cargo bench --bench scale
//! ```

use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_actors::kernel::store::{Store, StoreOptions};
use agora_sim::{Scenario, Sim, SimConfig};
use agora_testkit::bench::{env_number, load_average, median_range, start_sim};
use agora_testkit::services::configured;
use agora_testkit::{waited_until, FreshPostgres, Scratch};
use anyhow::{bail, Context as _};

const SHARDS: u32 = 8;
const SIM_THREADS: &str = "agora-sim";

fn main() -> anyhow::Result<()> {
    let guilds: u32 = env_number("AGORA_BENCH_GUILDS", 1000);
    let members: u32 = env_number("AGORA_BENCH_MEMBERS", 1000);
    let repeats: usize = env_number("AGORA_BENCH_REPEATS", 5);
    println!("# Scale-out: large:{guilds}x{members}, {SHARDS} shards, max_concurrency 2");
    println!("load average before: {}", load_average());
    let mut config = SimConfig::empty();
    config.scenario = Scenario::Large { guilds, members };
    config.gateway.recommended_shards = SHARDS;
    config.gateway.max_concurrency = 2;
    // Three starts and every replacement's: far below Discord's 1,000 a day.
    let built = Instant::now();
    let (sim_runtime, sim) = start_sim(config, SIM_THREADS)?;
    let sim = Arc::new(sim);
    println!(
        "the sim built the world in {:.1} s; its RSS with it: {:.0} MiB",
        built.elapsed().as_secs_f64(),
        rss_mib(std::process::id(), "VmRSS:")
    );
    let scratch = Scratch::new("agora-bench-scale");
    let outcome = sim_runtime.block_on(async {
        memory(&sim, &scratch, guilds).await?;
        match (
            configured("AGORA_TEST_POSTGRES_URL"),
            configured("AGORA_TEST_REDIS_URL"),
        ) {
            (Some(_), Some(redis)) => start_and_failover(&sim, &scratch, &redis, repeats).await,
            _ => {
                println!("start and failover: skipped (set AGORA_TEST_POSTGRES_URL and AGORA_TEST_REDIS_URL)");
                Ok(())
            }
        }
    });
    sim_runtime.shutdown_timeout(Duration::from_secs(1));
    println!("load average after: {}", load_average());
    outcome
}

/// VmHWM or VmRSS of a process, in MiB.
fn rss_mib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// `agora run` with these shards, pointed at the sim.
fn agora(
    sim: &Sim,
    database: &str,
    redis: Option<&str>,
    shards: std::ops::Range<u32>,
    scratch: &Scratch,
    name: &str,
) -> anyhow::Result<(tokio::process::Child, u16)> {
    let port = free_port();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_agora"));
    for (key, _) in std::env::vars() {
        if key.starts_with("AGORA_") {
            command.env_remove(key);
        }
    }
    command
        .arg("run")
        .env("AGORA_DISCORD__TOKEN", sim.token())
        .env("AGORA_DISCORD__REST_URL", sim.http_url())
        .env("AGORA_DISCORD__GATEWAY_URL", sim.gateway_url())
        .env(
            "AGORA_DISCORD__APPLICATION_ID",
            sim.application_id().to_string(),
        )
        .env("AGORA_DISCORD__SHARD_FIRST", shards.start.to_string())
        .env(
            "AGORA_DISCORD__SHARD_COUNT",
            (shards.end - shards.start).to_string(),
        )
        .env("AGORA_DISCORD__SHARD_TOTAL", SHARDS.to_string())
        .env("AGORA_DISCORD__REGISTER_COMMANDS", "global")
        .env("AGORA_RUNTIME__COOLDOWN_SECS", "0")
        .env("AGORA_DATABASE__URL", database)
        .env("AGORA_OPS__LISTEN", format!("127.0.0.1:{port}"))
        .env("AGORA_LOG__LEVEL", "warn")
        .current_dir(&scratch.0)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(
            scratch.0.join(format!("{name}.stderr")),
        )?)
        .kill_on_drop(true);
    if let Some(redis) = redis {
        command.env("AGORA_CACHE__REDIS_URL", redis).env(
            "AGORA_CACHE__KEY_PREFIX",
            format!("agora-bench:{}:", std::process::id()),
        );
    }
    Ok((command.spawn().context("agora starts")?, port))
}

/// GUILD_CREATEs a process has read, from its `/metrics`.
async fn guild_creates(port: u16) -> u64 {
    let Ok(response) = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await else {
        return 0;
    };
    let text = response.text().await.unwrap_or_default();
    text.lines()
        .filter(|line| {
            line.starts_with("agora_gateway_events_total{")
                && line.contains("type=\"GUILD_CREATE\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

fn connected(sim: &Sim) -> usize {
    sim.gateway().connected_sessions(None).len()
}

async fn memory(sim: &Sim, scratch: &Scratch, guilds: u32) -> anyhow::Result<()> {
    let database = format!("sqlite://{}", scratch.0.join("memory.db").display());
    let started = Instant::now();
    let (mut child, port) = agora(sim, &database, None, 0..SHARDS, scratch, "memory")?;
    let pid = child.id().context("agora runs")?;
    let mut seen = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    while seen < u64::from(guilds) {
        if Instant::now() > deadline {
            bail!("agora had {seen} of {guilds} guilds after 300 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        seen = guild_creates(port).await;
    }
    let loaded = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let agora_peak = rss_mib(pid, "VmHWM:");
    let agora_now = rss_mib(pid, "VmRSS:");
    let _ = child.start_kill();
    let _ = child.wait().await;
    println!(
        "agora run: all {guilds} guilds in {:.1} s; peak RSS {agora_peak:.1} MiB (now {agora_now:.1} MiB)",
        loaded.as_secs_f64()
    );
    // Let the sim forget the sessions before the next client connects.
    tokio::time::sleep(Duration::from_secs(6)).await;

    let python_ok = std::process::Command::new("python3")
        .args([
            "-c",
            "import discord; assert discord.__version__ == '2.7.1'",
        ])
        .status()
        .is_ok_and(|status| status.success());
    if !python_ok {
        println!("discord.py 2.7.1: not measured (pip install discord.py==2.7.1)");
        println!("| client | guilds | peak RSS |");
        println!("| --- | --- | --- |");
        println!("| agora run | {guilds} | {agora_peak:.1} MiB |");
        return Ok(());
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/discordpy/client.py");
    let started = Instant::now();
    let mut python = tokio::process::Command::new("python3")
        .arg(script)
        .env("SIM_HTTP", sim.http_url())
        .env("SIM_GATEWAY", sim.gateway_url())
        .env("SIM_TOKEN", sim.token())
        .env("SHARDS", SHARDS.to_string())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(scratch.0.join("discordpy.stderr"))?)
        .kill_on_drop(true)
        .spawn()
        .context("python3 starts")?;
    let pid = python.id().context("python runs")?;
    let stdout = python.stdout.take().context("python's stdout")?;
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let ready = tokio::time::timeout(Duration::from_secs(600), lines.next_line())
        .await
        .context("discord.py was not ready within 600 s")??
        .unwrap_or_default();
    let python_loaded = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let python_peak = rss_mib(pid, "VmHWM:");
    let _ = python.start_kill();
    let _ = python.wait().await;
    println!(
        "discord.py 2.7.1: {ready} in {:.1} s; peak RSS {python_peak:.1} MiB",
        python_loaded.as_secs_f64()
    );
    println!();
    println!("| client | guilds × members | time to every guild | peak RSS | ÷ discord.py |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| agora run (its intents) | {guilds} | {:.1} s | {agora_peak:.1} MiB | {:.3} |",
        loaded.as_secs_f64(),
        agora_peak / python_peak
    );
    println!(
        "| discord.py 2.7.1 (members intent) | {guilds} | {:.1} s | {python_peak:.1} MiB | 1 |",
        python_loaded.as_secs_f64()
    );
    println!(
        "RESULT: Agora's peak RSS is {:.3} of discord.py's (goal ≤ 0.1)",
        agora_peak / python_peak
    );
    tokio::time::sleep(Duration::from_secs(6)).await;
    Ok(())
}

async fn start_and_failover(
    sim: &Arc<Sim>,
    scratch: &Scratch,
    redis: &str,
    repeats: usize,
) -> anyhow::Result<()> {
    let database = FreshPostgres::create().await;
    let ranges = [0..3, 3..6, 6..8];
    let stats = &sim.gateway().stats;
    let (identifies, early) = (
        stats.identifies.load(Ordering::Relaxed),
        stats.identifies_too_early.load(Ordering::Relaxed),
    );
    let started = Instant::now();
    let mut processes = Vec::new();
    for (n, range) in ranges.iter().enumerate() {
        let (child, _) = agora(
            sim,
            database.url(),
            Some(redis),
            range.clone(),
            scratch,
            &format!("p{n}"),
        )?;
        processes.push((child, range.clone()));
    }
    // Every shard identified anew (the earlier clients' sessions are gone) and is connected.
    waited_until("8 sessions", Duration::from_secs(120), || {
        connected(sim) == SHARDS as usize
            && stats.identifies.load(Ordering::Relaxed) - identifies >= u64::from(SHARDS)
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ready = started.elapsed();
    println!(
        "3 processes: all {SHARDS} shards READY {:.1} s after the spawn ({} IDENTIFYs, {} op 9)",
        ready.as_secs_f64(),
        stats.identifies.load(Ordering::Relaxed) - identifies,
        stats.identifies_too_early.load(Ordering::Relaxed) - early
    );

    let store = Store::connect(database.url(), StoreOptions::default()).await?;
    let board = claim_board(sim, &store).await?;
    let load = load_across(sim, &board).await?;

    let mut failovers = Vec::new();
    for round in 0..repeats {
        // The leader now, by its heartbeat.
        let leader = loop {
            let since = chrono::Utc::now() - chrono::Duration::seconds(3);
            let rows = store.processes_since(since).await?;
            if let Some(row) = rows.into_iter().find(|p| p.leader) {
                break row;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let index = processes
            .iter()
            .position(|(child, _)| {
                child
                    .id()
                    .is_some_and(|pid| leader.name.ends_with(&format!(":{pid}")))
            })
            .context("the leader is one of ours")?;
        let killed_at = chrono::Utc::now();
        let killed = Instant::now();
        processes[index].0.start_kill()?;
        processes[index].0.wait().await?;
        loop {
            let rows = store.processes_since(killed_at).await?;
            if rows.iter().any(|p| p.leader && p.name != leader.name) {
                break;
            }
            if killed.elapsed() > Duration::from_secs(30) {
                bail!("no new leader within 30 s of the kill");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let failover = killed.elapsed();
        failovers.push(failover.as_secs_f64());
        println!("failover {}: {:.2} s", round + 1, failover.as_secs_f64());
        // A replacement for the killed range, then all shards again.
        let range = processes[index].1.clone();
        let (child, _) = agora(
            sim,
            database.url(),
            Some(redis),
            range.clone(),
            scratch,
            &format!("r{round}"),
        )?;
        processes[index] = (child, range);
        waited_until("8 sessions again", Duration::from_secs(120), || {
            connected(sim) == SHARDS as usize
        })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    println!();
    println!("| measure | samples | median (range) | goal |");
    println!("| --- | --- | --- | --- |");
    println!("| 3 processes, spawn → 8 shards READY | 1 | {:.1} s | bounded by IDENTIFY (4 rounds of 5 s) |", ready.as_secs_f64());
    println!(
        "| ticker leader failover (SIGKILL → new leader's row) | {} | {} s | ≤ 5 s |",
        failovers.len(),
        median_range(&failovers)
    );
    println!(
        "| 3 processes, {} interactions at {}/s (answered; p50 / p99 / max) | {} | {:.1} / {:.1} / {:.1} ms, {} failed | p99 ≤ 15 ms (PostgreSQL, one process) |",
        load.sent, load.rate, load.answered, load.p50, load.p99, load.max, load.failed
    );
    println!(
        "RESULT: op 9 through the starts and takeovers: {}",
        stats.identifies_too_early.load(Ordering::Relaxed) - early
    );
    store.close();
    for (mut child, _) in processes {
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
    database.remove().await;
    Ok(())
}

/// What the open-loop load across the processes came to.
struct LoadFigures {
    sent: usize,
    rate: u32,
    answered: usize,
    failed: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

/// `/status`, `/help`, `/shift upcoming` in turn at a fixed rate, each sent at its planned
/// instant, by members of guilds spread over every shard; latency as the sim measured it.
/// Open shifts to click Claim on: the demo guild added to the world, its moderator role
/// and shift channel set by its admin, 200 moderators, 500 shifts dropped with
/// `/shift drop`; (shift id, posted message id) each, and the moderators.
struct ClaimBoard {
    targets: Vec<(i64, u64)>,
    moderators: Vec<u64>,
}

async fn claim_board(sim: &Arc<Sim>, store: &Store) -> anyhow::Result<ClaimBoard> {
    use agora_testkit::bench::{configure_shift_staff, drop_shifts, BenchSim};
    let demo = agora_sim::scenario::load(sim.state(), Scenario::Demo).context("the demo guild")?;
    *sim.state().demo.lock() = Some(demo.clone());
    // Its GUILD_CREATE reaches the process of its shard.
    tokio::time::sleep(Duration::from_secs(1)).await;
    configure_shift_staff(sim, &demo).await?;
    let moderators: Vec<u64> = (0..200)
        .map(|n| {
            let user = sim.create_user(&format!("moderator{n}"));
            sim.join_guild(demo.guild_id, user, &[demo.moderator_role_id])
                .map(|()| user)
        })
        .collect::<Result<_, _>>()
        .context("a moderator could not join")?;
    sim.rate_limiter().set_enabled(false);
    let harness = BenchSim {
        sim: sim.clone(),
        sim_runtime: tokio::runtime::Handle::current(),
    };
    let first = chrono::Utc::now() + chrono::Duration::days(2);
    let ids = drop_shifts(&harness, &demo, first, 0, 500, 30).await?;
    let guild = twilight_model::id::Id::new(demo.guild_id);
    let mut targets = Vec::with_capacity(ids.len());
    for id in ids {
        let shift = store.shift(guild, id).await?.context("a dropped shift")?;
        let message = shift.message_id.context("a posted shift")?;
        targets.push((id, message.get()));
    }
    println!(
        "claim board: {} shifts posted in the demo guild",
        targets.len()
    );
    Ok(ClaimBoard {
        targets,
        moderators,
    })
}

async fn load_across(sim: &Arc<Sim>, board: &ClaimBoard) -> anyhow::Result<LoadFigures> {
    use agora_sim::actions::CommandRun;
    use agora_sim::WaitFor;
    let rate: u32 = env_number("AGORA_BENCH_RATE", 200);
    let seconds: u32 = env_number("AGORA_BENCH_SECONDS", 30);
    // Who runs commands where: the first text channel and a few members of 200 guilds.
    let targets: Vec<(u64, u64, Vec<u64>)> = {
        let world = sim.state().world.lock();
        let bot = world.bot_user_id;
        world
            .guilds
            .values()
            .take(200)
            .filter_map(|guild| {
                let channel = world
                    .guild_channels(guild.id)
                    .into_iter()
                    .find(|c| c.kind == 0)?
                    .id;
                let members: Vec<u64> = guild
                    .members
                    .keys()
                    .copied()
                    .filter(|m| *m != bot)
                    .take(20)
                    .collect();
                Some((guild.id, channel, members))
            })
            .collect()
    };
    if targets.is_empty() {
        bail!("no guild to send commands in");
    }
    // The commands were registered globally at start; wait until the sim has them.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let total = (rate * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let started = tokio::time::Instant::now();
    let mut waiting = Vec::with_capacity(total);
    for n in 0..total {
        tokio::time::sleep_until(started + interval * n as u32).await;
        let sent = if n % 4 == 3 {
            // A Claim click on a random shift of the board ("too late" is an answer).
            let (shift_id, message_id) = board.targets[(n * 7919) % board.targets.len()];
            let user = board.moderators[(n / 4) % board.moderators.len()];
            sim.use_component(agora_sim::actions::ComponentUse {
                message_id,
                user_id: user,
                custom_id: format!("shifts:1:claim:{shift_id}"),
                values: vec![],
                unchecked: true,
            })
        } else {
            let (guild, channel, members) = &targets[n % targets.len()];
            let user = members[(n / targets.len()) % members.len()];
            let name = ["status", "help", "shift"][n % 4];
            let options = if name == "shift" {
                vec![agora_sim::actions::CommandOption::sub("upcoming", vec![])]
            } else {
                vec![]
            };
            sim.run_command(CommandRun {
                guild_id: Some(*guild),
                channel_id: *channel,
                user_id: user,
                name: name.into(),
                options,
                unchecked: false,
            })
        };
        let sim_state = sim.clone();
        waiting.push(tokio::spawn(async move {
            let id = sent.ok()?;
            let record = sim_state
                .interaction(id, WaitFor::Answer, Duration::from_secs(10))
                .await
                .ok()?;
            if !record.errors.is_empty() {
                return None;
            }
            let callback = record.callback.as_ref()?;
            if matches!(callback.kind, 5 | 6) {
                record.edits.last().map(|edit| edit.after_ms)
            } else {
                Some(callback.after_ms)
            }
        }));
    }
    let mut latencies = Vec::new();
    let mut failed = 0;
    for task in waiting {
        match task.await {
            Ok(Some(ms)) => latencies.push(ms),
            _ => failed += 1,
        }
    }
    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| agora_testkit::bench::percentile(&latencies, q);
    let figures = LoadFigures {
        sent: total,
        rate,
        answered: latencies.len(),
        failed,
        p50: pick(0.5),
        p99: pick(0.99),
        max: latencies.last().copied().unwrap_or(0.0),
    };
    println!(
        "3 processes under the mixed load (a quarter Claim clicks): {} sent at {}/s, {} answered, {} failed; p50 {:.1} / p99 {:.1} / max {:.1} ms",
        figures.sent, figures.rate, figures.answered, figures.failed, figures.p50, figures.p99, figures.max
    );
    Ok(figures)
}
