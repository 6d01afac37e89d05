//! The shift Claim button under contention, measured through the real path: agora-sim's
//! people click **Claim** (`shifts:1:claim:<id>`) → INTERACTION_CREATE on the gateway →
//! the dispatcher → the ShiftScheduler → the store's conditional claim → the callback.
//!
//! What runs, per backend (one child process each):
//!
//! 1. The real Agora (`Agora::start`, the same boot as `agora run`) against the sim's demo
//!    world, set up as an admin would through `/config`: the moderator role, the shift
//!    channel, and a claim limit of 168 h with no lock window (the default 3 h limit would
//!    turn busy claimers away: fairness is not what this measures).
//! 2. `AGORA_BENCH_CLAIMERS` moderators (default 200) join the guild, and the demo's
//!    moderators drop `AGORA_BENCH_SHIFTS` open shifts (default 1,000) with `/shift drop`,
//!    30 minutes each, back to back from two days ahead (real clock). The sim's REST rate
//!    limits are off for the setup (posting 1,000 messages in one channel at Discord's
//!    5 per 5 s would take an hour); its time is printed.
//! 3. The load: every claimer at once, repeatedly clicking Claim on a random shift of the
//!    board (the shifts not yet seen claimed), until the board is empty. Shifts someone
//!    else is claiming at that moment answer "Too late": that is the contention. The
//!    latency of a click is the sim's own `after_ms`, from the INTERACTION_CREATE dispatch
//!    to the callback (for a deferred click, to the edit that answered it).
//! 4. Checks: every shift ends up claimed, by exactly the one claimer whose click got the
//!    message update (type 7), the store agrees, and the posted message shows it.
//!
//! Agora runs at its default settings except those printed with the figures: in particular
//! the default `runtime.max_in_flight` (32) and `runtime.mailbox_capacity` (64) give the
//! ShiftScheduler 96 places, fewer than 200 claimers clicking at once, so some clicks are
//! answered "busy" (counted and shown, kept out of the latency; the claimer clicks again).
//! `AGORA_BENCH_MAILBOX_CAPACITY=512` gives every click a place (printed as non-default).
//!
//! By default the sim's REST rate limits are off during the load too: the sim keeps one
//! 50-per-second bucket for every interaction callback (and twilight-http queues every
//! callback behind it), which would make the figure the sim's limit rather than the bot's.
//! `AGORA_BENCH_SIM_RATE_LIMITS=1` keeps them on: clicks whose callback misses Discord's
//! 3 s deadline then fail (they have no latency and are counted as failed), and a claim
//! the store took whose callback failed is counted as "stored, claimer never told".
//!
//! 5. The floor (`AGORA_BENCH_BARE=0` leaves it out): the same board and claimers, but
//!    after the setup Agora steps aside and a bare twilight responder answers the load
//!    (`testkit::bench::BareResponder`: a shard on a thread of its own, twilight-http, the
//!    claims in a map in memory; no database, no actors). What it measures is what the sim
//!    and the machine cost any bot; Agora's figures above it are the bot's share.
//! 6. CPU per click: each thread's CPU time over the load (`testkit::bench::CpuTime`), the
//!    sim's threads (the claimers, its gateway and REST) apart from the rest (the bot, or
//!    the bare responder). From the floor's sim share the bench prints the most clicks per
//!    second these cores could answer for a bot that cost nothing, and what that means for
//!    the claimers' round trip (Little's law).
//!
//! Both on **SQLite** (a temporary file) and on **PostgreSQL** (a fresh database created
//! and dropped on the server of `AGORA_TEST_POSTGRES_URL`; skipped with a note when unset).
//!
//! Each backend runs `AGORA_BENCH_REPEATS` times (default 5), each run in a fresh child
//! process on a fresh database; the tables show every run (with its sample count) and the
//! median (range) over them. Failed clicks or claims whose claimer was never told make the
//! result say so and the benchmark exit with an error.
//!
//! Run:
//!
//! ```sh
//! cargo bench --bench shifts
//! AGORA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench shifts
//! AGORA_BENCH_CLAIMERS=50 AGORA_BENCH_SHIFTS=200 cargo bench --bench shifts
//! ```

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use agora::boot::Agora;
use agora_sim::actions::{CommandOption, ComponentUse, InteractionRecord};
use agora_sim::{DemoWorld, Sim, WaitFor};
use agora_testkit::bench::*;
use agora_testkit::message_text;
use agora_testkit::waited_until;
use anyhow::{bail, ensure, Context as _};
use chrono::{DateTime, DurationRound, Utc};
use serde::{Deserialize, Serialize};

/// The floor's "backend": the board set up by Agora on SQLite, then the load answered by
/// [`BareResponder`] (a twilight shard and client with a map in memory) instead of Agora.
const BARE: &str = "bare";
/// The name of the sim's threads.
const SIM_THREADS: &str = "agora-sim";
/// How long a claimer waits for the answer to a click (the sim refuses callbacks after
/// Discord's 3 s deadline).
const CLICK_ANSWER: Duration = Duration::from_secs(5);
/// Minutes per dropped shift.
const SHIFT_MINUTES: i64 = 30;
/// The load stops here even when shifts are left (then the run fails).
const LOAD_DEADLINE: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy)]
struct Settings {
    claimers: usize,
    shifts: usize,
    /// `AGORA_BENCH_REPEATS` (default 5): whole runs per backend, each in a fresh child
    /// process with a fresh database; the tables give the median and range over them.
    repeats: usize,
    sim_rate_limits: bool,
    /// `AGORA_BENCH_MAILBOX_CAPACITY`: `runtime.mailbox_capacity` when set (a non-default
    /// setting, printed with the figures); unset, the default (64).
    mailbox_capacity: Option<usize>,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            claimers: env_number("AGORA_BENCH_CLAIMERS", 200usize).max(1),
            shifts: env_number("AGORA_BENCH_SHIFTS", 1_000usize).max(1),
            repeats: env_number("AGORA_BENCH_REPEATS", 5usize).max(1),
            sim_rate_limits: matches!(
                std::env::var("AGORA_BENCH_SIM_RATE_LIMITS").as_deref(),
                Ok("1" | "true" | "on")
            ),
            mailbox_capacity: std::env::var("AGORA_BENCH_MAILBOX_CAPACITY")
                .ok()
                .and_then(|value| value.trim().parse().ok()),
        }
    }
}

/// What one backend's run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BackendResult {
    backend: String,
    claimers: usize,
    shifts: usize,
    setup_seconds: f64,
    clicks: usize,
    /// Type-7 callbacks (or deferred clicks answered with the update).
    wins: usize,
    too_late: usize,
    busy: usize,
    deferred: usize,
    /// No callback, a refused callback, or an answer of another kind.
    failed: usize,
    /// Claims the store took whose click failed: the claimer was never told.
    unanswered_claims: usize,
    load_seconds: f64,
    /// Clicks with a latency: every answered click but the "busy" ones.
    latency_samples: usize,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    win_p50_ms: f64,
    win_p99_ms: f64,
    too_late_p50_ms: f64,
    too_late_p99_ms: f64,
    /// Wall time from the click to the claimer holding the answer, as the claimer saw it.
    seen_p50_ms: f64,
    seen_p99_ms: f64,
    sim_rate_limits: bool,
    /// CPU time of the sim's threads during the load (the claimers clicking, the sim's
    /// gateway and REST), per click, in µs.
    sim_cpu_us_per_click: f64,
    /// CPU time of every other thread (the bot, or the bare responder), per click, in µs.
    bot_cpu_us_per_click: f64,
    /// CPU seconds of all threads per second of the load: how many cores were busy.
    cores_busy: f64,
}

impl BackendResult {
    fn clicks_per_second(&self) -> f64 {
        self.clicks as f64 / self.load_seconds
    }
}

// ---------------------------------------------------------------------------------------
// The parent: one child process per backend, then the tables
// ---------------------------------------------------------------------------------------

fn main() {
    if let Ok(backend) = std::env::var(CHILD_ENV) {
        std::process::exit(child(&backend));
    }
    let settings = Settings::from_env();
    println!("# Agora shift-claim benchmark");
    println!();
    println!(
        "{} claimers over {} open shifts; {} run(s) per backend; {} cores, {}; the sim's REST rate limits {} during the load",
        settings.claimers,
        settings.shifts,
        settings.repeats,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        if settings.sim_rate_limits { "on" } else { "off" },
    );
    println!(
        "non-default settings: runtime.mailbox_capacity = {}; runtime.cooldown_secs = 0 (clicks have no cooldown \
         anyway); [log] level = \"warn\", [ops] listen = \"127.0.0.1:0\", Discord's URLs pointed at the sim; \
         the guild's claim limit 168 h and lock window 0 (through /config); max_in_flight = 32 (default); load \
         average at start {}",
        settings
            .mailbox_capacity
            .map_or("64 (default)".to_owned(), |c| c.to_string()),
        load_average(),
    );
    let mut backends = backends();
    if env_number("AGORA_BENCH_BARE", 1usize) > 0 {
        backends.push(BARE);
    } else {
        println!("The bare responder's floor skipped (AGORA_BENCH_BARE=0).");
    }
    println!();

    let mut results: Vec<BackendResult> = Vec::new();
    let mut failed = false;
    for backend in &backends {
        for _ in 0..settings.repeats {
            match run_child(backend) {
                Ok(result) => results.push(result),
                Err(error) => {
                    eprintln!("{backend}: {error:#}");
                    failed = true;
                }
            }
        }
    }

    println!();
    println!("## Each run");
    println!();
    println!("| backend | # | clicks | latency samples | winning claims | p50 ms | p99 ms | max ms | clicks/s | \"too late\" | busy | deferred | failed | claims stored, claimer never told | seen by the claimer p50 / p99 ms | CPU per click: sim / bot µs | cores busy | load s | setup s |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (n, r) in results.iter().enumerate() {
        println!(
            "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {:.0} | {} | {} | {} | {} | {} | {:.1} / {:.1} | {:.0} / {:.0} | {:.2} | {:.1} | {:.1} |",
            shown_name(&r.backend),
            n % settings.repeats + 1,
            r.clicks,
            r.latency_samples,
            r.wins,
            r.p50_ms,
            r.p99_ms,
            r.max_ms,
            r.clicks_per_second(),
            r.too_late,
            r.busy,
            r.deferred,
            r.failed,
            r.unanswered_claims,
            r.seen_p50_ms,
            r.seen_p99_ms,
            r.sim_cpu_us_per_click,
            r.bot_cpu_us_per_click,
            r.cores_busy,
            r.load_seconds,
            r.setup_seconds
        );
    }
    println!();
    println!("## Median (range) over the runs");
    println!();
    println!("| backend | runs | latency samples per run | p50 ms | p99 ms | max ms | clicks/s | sim CPU per click µs | bot CPU per click µs | busy (all runs) | failed (all runs) | claims stored, claimer never told (all runs) |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut trouble = 0;
    for backend in &backends {
        let runs: Vec<&BackendResult> = results.iter().filter(|r| r.backend == *backend).collect();
        if runs.is_empty() {
            continue;
        }
        let figure = |value: fn(&BackendResult) -> f64| -> String {
            median_range(&runs.iter().map(|r| value(r)).collect::<Vec<_>>())
        };
        let failures: usize = runs.iter().map(|r| r.failed + r.unanswered_claims).sum();
        trouble += failures;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            shown_name(backend),
            runs.len(),
            figure(|r| r.latency_samples as f64),
            figure(|r| r.p50_ms),
            figure(|r| r.p99_ms),
            figure(|r| r.max_ms),
            figure(BackendResult::clicks_per_second),
            figure(|r| r.sim_cpu_us_per_click),
            figure(|r| r.bot_cpu_us_per_click),
            runs.iter().map(|r| r.busy).sum::<usize>(),
            runs.iter().map(|r| r.failed).sum::<usize>(),
            runs.iter().map(|r| r.unanswered_claims).sum::<usize>(),
        );
    }
    println!();
    if trouble > 0 {
        println!("RESULT: {trouble} FAILED CLICKS OR UNTOLD CLAIMS — these figures do not stand.");
        failed = true;
    } else {
        println!("RESULT: no failed clicks, no untold claims.");
    }
    println!();
    println!(
        "Latency: from the INTERACTION_CREATE dispatch to the callback, as the sim records it, over every click \
         (wins and \"too late\" answers alike; \"busy\" answers are counted apart, not in the latency). clicks/s: clicks over the load's wall time. The sim runs in the \
         same process, on the same cores. The bare twilight responder (the board set up by Agora, the load answered \
         by a twilight shard and client claiming in a map in memory) is the floor: what the sim and this machine \
         cost any bot under the same claimers. CPU per click: each thread's CPU time during the load \
         (`/proc/self/task/*/schedstat`) over the clicks; \"sim\" is the sim's threads (the claimers clicking, its \
         gateway and REST), \"bot\" every other thread (Agora, or the bare responder)."
    );
    let mut floor_sim_us: Vec<f64> = results
        .iter()
        .filter(|r| r.backend == BARE)
        .map(|r| r.sim_cpu_us_per_click)
        .collect();
    if !floor_sim_us.is_empty() {
        floor_sim_us.sort_by(f64::total_cmp);
        let sim_us = percentile(&floor_sim_us, 0.5);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        let most = cores * 1e6 / sim_us;
        println!();
        println!(
            "The sim's own cost: {sim_us:.0} µs of CPU per click (median of the floor's runs). On {cores} cores that \
             is at most {most:.0} clicks/s even for a bot that cost nothing, so {} claimers who click again at once \
             go round (click, dispatch, answer) in at least {:.1} ms on average (Little's law); the latency above is \
             the part of that round from the dispatch to the callback.",
            settings.claimers,
            settings.claimers as f64 / most * 1e3,
        );
    }
    if failed {
        std::process::exit(1);
    }
}

/// A backend's name in the tables.
fn shown_name(backend: &str) -> &str {
    if backend == BARE {
        "bare twilight responder (floor)"
    } else {
        backend_name(backend)
    }
}

// ---------------------------------------------------------------------------------------
// The child: one backend
// ---------------------------------------------------------------------------------------

fn child(backend: &str) -> i32 {
    let settings = Settings::from_env();
    child_with_sim(backend, SIM_THREADS, |harness| async move {
        measure(backend, settings, &harness).await
    })
}

async fn measure(
    backend: &str,
    settings: Settings,
    harness: &BenchSim,
) -> anyhow::Result<BackendResult> {
    let sim = &harness.sim;
    let demo = sim.demo().context("the demo world")?;
    // The bare responder's board is set up by Agora on SQLite, which then steps aside.
    let database = Database::create(if backend == BARE { "sqlite" } else { backend }).await?;
    let mut env = agora_env(sim, &database);
    if let Some(capacity) = settings.mailbox_capacity {
        env.insert(
            "AGORA_RUNTIME__MAILBOX_CAPACITY".into(),
            capacity.to_string(),
        );
    }
    let running = BenchAgora::start(database, &env).await?;
    let setup = match set_up(harness, &demo, &running.agora, settings).await {
        Ok(setup) => setup,
        Err(error) => {
            running.stop().await;
            return Err(error);
        }
    };
    let mut result = if backend == BARE {
        running.stop().await;
        let responder = BareResponder::start(sim, &[])?;
        waited_until(
            "the bare responder's shard",
            Duration::from_secs(20),
            || responder.is_ready(),
        )
        .await?;
        let outcome = load_and_check(
            harness,
            setup,
            settings,
            Claimers::Bare(responder.claims.clone()),
        )
        .await;
        responder.stop();
        outcome?
    } else {
        let guild = twilight_model::id::Id::new(demo.guild_id);
        let outcome = load_and_check(
            harness,
            setup,
            settings,
            Claimers::Store(&running.agora, guild),
        )
        .await;
        running.stop().await;
        outcome?
    };
    result.backend = backend.to_owned();
    Ok(result)
}

/// The board as the admin and the demo's moderators left it, and who will click.
struct Setup {
    claimers: Vec<u64>,
    shifts: Vec<i64>,
    board: Vec<Target>,
    setup_seconds: f64,
}

/// Who holds each shift after the load: Agora's store, or the bare responder's map.
enum Claimers<'a> {
    Store(
        &'a Agora,
        twilight_model::id::Id<twilight_model::id::marker::GuildMarker>,
    ),
    Bare(Claims),
}

impl Claimers<'_> {
    /// The claimer of `target`'s shift (if any) and the message that shows it.
    async fn of(&self, target: &Target) -> anyhow::Result<(Option<u64>, Option<u64>)> {
        match self {
            Claimers::Store(agora, guild) => {
                let shift = agora
                    .kernel()
                    .store
                    .shift(*guild, target.shift_id)
                    .await?
                    .with_context(|| format!("shift #{} is stored", target.shift_id))?;
                Ok((
                    shift.claimed_by.map(|user| user.get()),
                    shift.message_id.map(|id| id.get()),
                ))
            }
            Claimers::Bare(claims) => {
                let claims = claims.lock().unwrap_or_else(|p| p.into_inner());
                Ok((
                    claims.get(&claim_button(target.shift_id)).copied(),
                    Some(target.message_id),
                ))
            }
        }
    }
}

/// The Claim button's custom id.
fn claim_button(shift_id: i64) -> String {
    format!("shifts:1:claim:{shift_id}")
}

async fn set_up(
    harness: &BenchSim,
    demo: &DemoWorld,
    agora: &Agora,
    settings: Settings,
) -> anyhow::Result<Setup> {
    let sim = &harness.sim;
    waited_until("the shard's connection", Duration::from_secs(20), || {
        agora.connected()
    })
    .await?;
    // GUILD_CREATE and the online notice settle.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // ---- the setup, as an admin and the demo's moderators would do it -------------------
    let setup_started = Instant::now();
    sim.rate_limiter().set_enabled(false);
    configure_shift_staff(sim, demo).await?;
    configure(
        sim,
        demo,
        vec![CommandOption::sub(
            "shifts",
            vec![CommandOption::sub(
                "claim-limit",
                vec![CommandOption::value("value", 168.0)],
            )],
        )],
    )
    .await?;
    configure(
        sim,
        demo,
        vec![CommandOption::sub(
            "shifts",
            vec![CommandOption::sub(
                "lock-window",
                vec![CommandOption::value("value", 0)],
            )],
        )],
    )
    .await?;
    let claimers: Vec<u64> = (0..settings.claimers)
        .map(|n| {
            let user = sim.create_user(&format!("claimer{n}"));
            sim.join_guild(demo.guild_id, user, &[demo.moderator_role_id])
                .map(|()| user)
        })
        .collect::<Result<_, _>>()
        .context("a claimer could not join the guild")?;
    let drops_started = Instant::now();
    let first: DateTime<Utc> = (Utc::now() + chrono::Duration::days(2))
        .duration_trunc(chrono::Duration::hours(1))
        .context("rounding the first start")?;
    let shifts = drop_shifts(harness, demo, first, 0, settings.shifts, SHIFT_MINUTES).await?;
    let drop_seconds = drops_started.elapsed().as_secs_f64();
    let board: Vec<Target> = posted(agora, demo, &shifts)
        .await?
        .into_iter()
        .map(|(shift_id, message_id)| Target {
            shift_id,
            message_id,
        })
        .collect();
    let setup_seconds = setup_started.elapsed().as_secs_f64();
    println!(
        "setup: {} claimers joined, {} shifts dropped with /shift drop in {drop_seconds:.1} s ({:.0} drops/s, {DROPS_IN_FLIGHT} in flight); setup {setup_seconds:.1} s",
        claimers.len(),
        shifts.len(),
        shifts.len() as f64 / drop_seconds
    );
    // The ticker and the last posts settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(Setup {
        claimers,
        shifts,
        board,
        setup_seconds,
    })
}

async fn load_and_check(
    harness: &BenchSim,
    setup: Setup,
    settings: Settings,
    holders: Claimers<'_>,
) -> anyhow::Result<BackendResult> {
    let sim = &harness.sim;
    let Setup {
        claimers,
        shifts,
        board,
        setup_seconds,
    } = setup;
    let messages: HashMap<i64, Target> = board.iter().map(|t| (t.shift_id, *t)).collect();

    // ---- the load ---------------------------------------------------------------------------
    sim.rate_limiter().set_enabled(settings.sim_rate_limits);
    let board = Arc::new(Board {
        open: Mutex::new(board),
    });
    let deadline = tokio::time::Instant::now() + LOAD_DEADLINE;
    let load_started = Instant::now();
    let cpu_started = CpuTime::now();
    let profiled = ProfiledWindow::open();
    let tasks: Vec<_> = claimers
        .iter()
        .enumerate()
        .map(|(n, user)| {
            let sim = harness.sim.clone();
            let board = board.clone();
            let user = *user;
            harness
                .sim_runtime
                .spawn(async move { claimer(&sim, &board, user, seed(n), deadline).await })
        })
        .collect();
    let mut clicks = Vec::new();
    for task in tasks {
        clicks.extend(task.await.context("a claimer's task")?);
    }
    let load_seconds = load_started.elapsed().as_secs_f64();
    let cpu = CpuTime::now().since(cpu_started);
    drop(profiled);
    sim.rate_limiter().set_enabled(true);
    let left = board.open().len();
    ensure!(
        left == 0,
        "{left} shifts were still on the board when the load stopped after {LOAD_DEADLINE:?}"
    );

    // ---- what happened ----------------------------------------------------------------------
    let mut latencies = Vec::new();
    let mut seen = Vec::new();
    let mut win_latencies = Vec::new();
    let mut late_latencies = Vec::new();
    let (mut too_late, mut busy, mut deferred, mut failed) = (0, 0, 0, 0);
    let mut winners: HashMap<i64, Vec<u64>> = HashMap::new();
    let mut problems: Vec<String> = Vec::new();
    for click in &clicks {
        // A "busy" answer is quick by design: counted apart, not in the latency.
        if !matches!(click.outcome, Outcome::Busy) {
            seen.push(click.seen_ms);
            latencies.extend(click.after_ms);
        }
        deferred += usize::from(click.deferred);
        match &click.outcome {
            Outcome::Won => {
                winners.entry(click.shift_id).or_default().push(click.user);
                win_latencies.extend(click.after_ms);
            }
            Outcome::TooLate => {
                too_late += 1;
                late_latencies.extend(click.after_ms);
            }
            Outcome::Busy => busy += 1,
            Outcome::Failed(problem) => {
                failed += 1;
                if problems.len() < 5 {
                    problems.push(problem.clone());
                }
            }
        }
    }
    for problem in &problems {
        println!("  a failed click: {problem}");
    }
    let wins: usize = winners.values().map(Vec::len).sum();

    let distinct_winners: HashSet<u64> = winners.values().flatten().copied().collect();
    println!(
        "load: {} clicks by {} claimers in {load_seconds:.1} s; {wins} won (type-7 update), {too_late} \"too late\", \
         {busy} busy, {deferred} deferred, {failed} failed; {} claimers won at least one shift",
        clicks.len(),
        claimers.len(),
        distinct_winners.len()
    );

    // Exactly one winner per shift, the one the store and the posted message name. A
    // claim the store took whose click then failed (its callback refused or never sent)
    // is counted, not failed: the claimer was never told, the message never updated.
    let failed_clicks: HashSet<(i64, u64)> = clicks
        .iter()
        .filter(|click| matches!(click.outcome, Outcome::Failed(_)))
        .map(|click| (click.shift_id, click.user))
        .collect();
    let mut claimed = 0;
    let mut unanswered_claims = 0;
    let mut checked_messages = 0;
    for shift_id in &shifts {
        let target = messages
            .get(shift_id)
            .with_context(|| format!("shift #{shift_id} was posted"))?;
        let (claimed_by, message_id) = holders.of(target).await?;
        let Some(claimer) = claimed_by else {
            bail!("shift #{shift_id} is not claimed after the load");
        };
        claimed += 1;
        let won = winners.get(shift_id).map(Vec::as_slice).unwrap_or(&[]);
        if won.is_empty() && failed_clicks.contains(&(*shift_id, claimer)) {
            unanswered_claims += 1;
            continue;
        }
        ensure!(
            won == [claimer],
            "shift #{shift_id}: <@{claimer}> holds it (store or responder), the callbacks say {won:?}"
        );
        if let Some(message) = message_id.and_then(|id| sim.message(id)) {
            let text = message_text(&message);
            ensure!(
                text.contains(&format!("Claimed by <@{claimer}>")),
                "shift #{shift_id}'s message does not show its claimer: {text}"
            );
            checked_messages += 1;
        }
    }
    ensure!(
        claimed == shifts.len(),
        "{claimed} of {} shifts claimed",
        shifts.len()
    );
    ensure!(
        claimed == wins + unanswered_claims,
        "{claimed} shifts are claimed in the store but {wins} clicks won ({unanswered_claims} unanswered)"
    );
    println!(
        "checked: every shift has exactly one claimer; the store and {checked_messages} posted messages agree with \
         the winning callbacks{}",
        if unanswered_claims > 0 {
            format!(
                "; {unanswered_claims} claims were stored but their claimer's click failed (never told, message not updated)"
            )
        } else {
            String::new()
        }
    );

    latencies.sort_by(f64::total_cmp);
    seen.sort_by(f64::total_cmp);
    win_latencies.sort_by(f64::total_cmp);
    late_latencies.sort_by(f64::total_cmp);
    Ok(BackendResult {
        backend: String::new(),
        claimers: claimers.len(),
        shifts: shifts.len(),
        setup_seconds,
        clicks: clicks.len(),
        wins,
        too_late,
        busy,
        deferred,
        failed,
        unanswered_claims,
        load_seconds,
        latency_samples: latencies.len(),
        p50_ms: percentile(&latencies, 0.50),
        p90_ms: percentile(&latencies, 0.90),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        win_p50_ms: percentile(&win_latencies, 0.50),
        win_p99_ms: percentile(&win_latencies, 0.99),
        too_late_p50_ms: percentile(&late_latencies, 0.50),
        too_late_p99_ms: percentile(&late_latencies, 0.99),
        seen_p50_ms: percentile(&seen, 0.50),
        seen_p99_ms: percentile(&seen, 0.99),
        sim_rate_limits: settings.sim_rate_limits,
        sim_cpu_us_per_click: cpu.sim / clicks.len().max(1) as f64 * 1e6,
        bot_cpu_us_per_click: (cpu.bot + cpu.bare) / clicks.len().max(1) as f64 * 1e6,
        cores_busy: (cpu.sim + cpu.bot + cpu.bare) / load_seconds,
    })
}

/// A shift as the claimers see it in the channel.
#[derive(Debug, Clone, Copy)]
struct Target {
    shift_id: i64,
    message_id: u64,
}

/// The shifts nobody has been seen to claim yet.
struct Board {
    open: Mutex<Vec<Target>>,
}

impl Board {
    /// The open shifts (a panicking claimer fails the run anyway: poisoning is ignored).
    fn open(&self) -> MutexGuard<'_, Vec<Target>> {
        self.open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn pick(&self, random: u64) -> Option<Target> {
        let open = self.open();
        (!open.is_empty()).then(|| open[(random % open.len() as u64) as usize])
    }

    fn taken(&self, shift_id: i64) {
        let mut open = self.open();
        if let Some(index) = open.iter().position(|t| t.shift_id == shift_id) {
            open.swap_remove(index);
        }
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    /// The message update: this click claimed the shift.
    Won,
    /// "Too late: <@…> has already claimed shift #…"
    TooLate,
    /// "Agora is busy right now" (a full mailbox).
    Busy,
    Failed(String),
}

/// One click on Claim.
#[derive(Debug, Clone)]
struct Click {
    user: u64,
    shift_id: i64,
    outcome: Outcome,
    /// The sim's figure: dispatch to callback (to the answering edit when deferred).
    after_ms: Option<f64>,
    deferred: bool,
    /// The claimer's own wall clock, click to answer in hand.
    seen_ms: f64,
}

/// One moderator clicking Claim on random shifts of the board until it is empty.
async fn claimer(
    sim: &Sim,
    board: &Board,
    user: u64,
    mut random: u64,
    deadline: tokio::time::Instant,
) -> Vec<Click> {
    let mut clicks = Vec::new();
    while tokio::time::Instant::now() < deadline {
        random = xorshift(random);
        let Some(target) = board.pick(random) else {
            break;
        };
        let clicked = Instant::now();
        let id = match sim.use_component(ComponentUse {
            message_id: target.message_id,
            user_id: user,
            custom_id: claim_button(target.shift_id),
            values: vec![],
            unchecked: true,
        }) {
            Ok(id) => id,
            Err(error) => {
                clicks.push(Click {
                    user,
                    shift_id: target.shift_id,
                    outcome: Outcome::Failed(format!("the sim refused the click: {error}")),
                    after_ms: None,
                    deferred: false,
                    seen_ms: clicked.elapsed().as_secs_f64() * 1e3,
                });
                continue;
            }
        };
        let answer = sim.interaction(id, WaitFor::Answer, CLICK_ANSWER).await;
        let seen_ms = clicked.elapsed().as_secs_f64() * 1e3;
        let (outcome, after_ms, deferred) = match answer {
            Ok(record) => classify(&record),
            Err(error) => (Outcome::Failed(error.to_string()), None, false),
        };
        if matches!(outcome, Outcome::Won | Outcome::TooLate) {
            board.taken(target.shift_id);
        }
        clicks.push(Click {
            user,
            shift_id: target.shift_id,
            outcome,
            after_ms,
            deferred,
            seen_ms,
        });
    }
    clicks
}

/// What a click came to, its latency, and whether it was deferred.
fn classify(record: &InteractionRecord) -> (Outcome, Option<f64>, bool) {
    let errors = || {
        record
            .errors
            .iter()
            .map(|e| format!("{} {} {}", e.route, e.code, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let Some(callback) = &record.callback else {
        return (
            Outcome::Failed(format!("no callback (refused: {})", errors())),
            None,
            false,
        );
    };
    if !record.errors.is_empty() {
        return (
            Outcome::Failed(format!("the sim refused: {}", errors())),
            Some(callback.after_ms),
            false,
        );
    }
    let text = message_text(&record.payload);
    match callback.kind {
        7 => (Outcome::Won, Some(callback.after_ms), false),
        6 => {
            // Deferred: the answer is an edit of the message (a win) or a follow-up.
            let answered_ms = record
                .edits
                .last()
                .map_or(callback.after_ms, |edit| edit.after_ms);
            let outcome = if !record.edits.is_empty() && text.contains("Claimed by") {
                Outcome::Won
            } else {
                outcome_of_text(&text)
            };
            (outcome, Some(answered_ms), true)
        }
        4 => (outcome_of_text(&text), Some(callback.after_ms), false),
        kind => (
            Outcome::Failed(format!("callback type {kind}: {text}")),
            Some(callback.after_ms),
            false,
        ),
    }
}

fn outcome_of_text(text: &str) -> Outcome {
    if text.starts_with("Too late: <@") {
        Outcome::TooLate
    } else if text.starts_with("Agora is busy") {
        Outcome::Busy
    } else {
        Outcome::Failed(format!("answered: {text}"))
    }
}
