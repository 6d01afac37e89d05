//! Everyday load and a sudden crowd, measured through the real path: agora-sim's people
//! run commands and click Claim → INTERACTION_CREATE on the gateway → the dispatcher →
//! the owning concern actor → the store → the callback.
//!
//! What runs, per backend (one child process each):
//!
//! 1. The real Agora (`Agora::start`, the same boot as `agora run`) against the sim's demo
//!    world, at the default settings except the ones printed with the figures (the
//!    benchmark plumbing's: the sim's URLs, logging at `warn`, the ops endpoint on a free
//!    port). The per-user cooldown stays at its default (2 s): the load comes from many
//!    people instead. Set up as an admin would through `/config`: the moderator role and
//!    the shift channel; nothing else.
//! 2. `AGORA_BENCH_MEMBERS` members (default 1,000) and `AGORA_BENCH_MODERATORS`
//!    moderators (default 1,000) join the guild. Before each repetition the demo's
//!    moderators drop `AGORA_BENCH_SHIFTS` open shifts (default 500) with `/shift drop`.
//! 3. **Mixed load**, open loop: `AGORA_BENCH_RATE` interactions per second (default 200)
//!    for `AGORA_BENCH_SECONDS` (default 30), each sent at its planned instant whether or
//!    not earlier ones were answered. The mix, in turn: `/status`, `/help`,
//!    `/shift upcoming`, a Claim click (a quarter each). Commands come from the members in
//!    turn (each member runs one every ~7 s, well outside the cooldown), clicks from the
//!    moderators in turn, each on a random shift of this repetition's board (a click on a
//!    shift already taken is answered "Too late", a claim past the 7-day limit is refused:
//!    both are answers, counted apart).
//! 4. **Crowd**: `AGORA_BENCH_CROWD` distinct members (default 100) each run one command
//!    (`/status`, `/help`, `/shift upcoming` in turn) at the same instant; the next round
//!    waits for every answer, then 0.5 s; `AGORA_BENCH_CROWD_ROUNDS` rounds (default 10),
//!    each with other members.
//! 5. The crowd's floor (SQLite child only; `AGORA_BENCH_BARE=0` leaves it out): after the
//!    repetitions Agora steps aside and a bare twilight responder
//!    (`testkit::bench::BareResponder`: a shard on a thread of its own, twilight-http, a
//!    fixed ephemeral line per command; no database, no actors) answers the same crowd
//!    rounds as many times, so the figure shows what the sim and the machine cost any bot.
//! 6. Steps 3 and 4 are one repetition; `AGORA_BENCH_REPEATS` repetitions (default 5; 1
//!    for a quick run) in the same process. The figures: per kind and overall over every
//!    repetition's samples, and the median and range of the repetitions' p99.
//!
//! Latency is the sim's own `after_ms`: from the INTERACTION_CREATE dispatch to the
//! callback (for a deferred answer, to the edit that answered it). Percentiles are over
//! the answered samples only; answers "busy" and "slow down" (the cooldown) and failures
//! (no callback, a callback the sim refused, an answer of another kind) are counted apart
//! and shown, never folded into the latency.
//!
//! The sim's REST rate limits are off during the load, as in the shifts benchmark: the sim
//! keeps one 50-per-second bucket for every interaction callback, which 200 interactions
//! per second would exceed by design.
//!
//! Run:
//!
//! ```sh
//! AGORA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench mixed
//! AGORA_BENCH_REPEATS=1 AGORA_BENCH_SECONDS=10 cargo bench --bench mixed   # a quick run
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::boot::Agora;
use agora_sim::actions::{CommandOption, CommandRun, ComponentUse, InteractionRecord};
use agora_sim::{DemoWorld, Sim, WaitFor};
use agora_testkit::bench::*;
use agora_testkit::message_text;
use agora_testkit::waited_until;
use anyhow::{ensure, Context as _};
use chrono::{DateTime, DurationRound, Utc};
use serde::{Deserialize, Serialize};

/// The name of the sim's threads.
const SIM_THREADS: &str = "agora-sim";
/// How long a sample waits for its answer (the sim refuses callbacks after Discord's 3 s
/// deadline; a deferred answer may come later).
const SAMPLE_ANSWER: Duration = Duration::from_secs(20);
/// Minutes per dropped shift.
const SHIFT_MINUTES: i64 = 30;
/// The pause between phases: longer than the default cooldown, so no member's command
/// is turned away by their previous phase.
const BETWEEN_PHASES: Duration = Duration::from_millis(2_500);
/// The pause between crowd rounds.
const BETWEEN_ROUNDS: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Settings {
    rate: f64,
    seconds: f64,
    repeats: usize,
    members: usize,
    moderators: usize,
    shifts: usize,
    crowd: usize,
    crowd_rounds: usize,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            rate: env_number("AGORA_BENCH_RATE", 200.0f64).max(1.0),
            seconds: env_number("AGORA_BENCH_SECONDS", 30.0f64).max(1.0),
            repeats: env_number("AGORA_BENCH_REPEATS", 5usize).max(1),
            members: env_number("AGORA_BENCH_MEMBERS", 1_000usize).max(1),
            moderators: env_number("AGORA_BENCH_MODERATORS", 1_000usize).max(1),
            shifts: env_number("AGORA_BENCH_SHIFTS", 500usize).max(1),
            crowd: env_number("AGORA_BENCH_CROWD", 100usize).max(1),
            crowd_rounds: env_number("AGORA_BENCH_CROWD_ROUNDS", 10usize).max(1),
        }
    }

    fn mixed_samples(self) -> usize {
        (self.rate * self.seconds).round() as usize
    }
}

/// The four kinds of the mix, in the order they are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Kind {
    Status,
    Help,
    Upcoming,
    Claim,
}

const KINDS: [Kind; 4] = [Kind::Status, Kind::Help, Kind::Upcoming, Kind::Claim];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Status => "/status",
            Kind::Help => "/help",
            Kind::Upcoming => "/shift upcoming",
            Kind::Claim => "Claim click",
        }
    }
}

/// What one interaction came to.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// A real answer (for a click: the claim, "too late" or the limit's refusal).
    Answered(Answer),
    Busy,
    Cooldown,
    Failed(String),
}

/// What kind of real answer it was.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// A command's answer.
    Command,
    Won,
    TooLate,
    Limited,
}

#[derive(Debug, Clone)]
struct Sample {
    kind: Kind,
    outcome: Outcome,
    after_ms: Option<f64>,
    deferred: bool,
}

/// The figures of a set of samples.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Stats {
    sent: usize,
    /// Answered samples: the latency's sample count.
    answered: usize,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    failed: usize,
    busy: usize,
    cooldown: usize,
    deferred: usize,
    claims_won: usize,
    claims_too_late: usize,
    claims_limited: usize,
}

impl Stats {
    fn of<'a>(samples: impl IntoIterator<Item = &'a Sample>) -> Stats {
        let mut stats = Stats::default();
        let mut latencies = Vec::new();
        for sample in samples {
            stats.sent += 1;
            stats.deferred += usize::from(sample.deferred);
            match &sample.outcome {
                Outcome::Answered(claim) => {
                    stats.answered += 1;
                    latencies.extend(sample.after_ms);
                    match claim {
                        Answer::Won => stats.claims_won += 1,
                        Answer::TooLate => stats.claims_too_late += 1,
                        Answer::Limited => stats.claims_limited += 1,
                        Answer::Command => {}
                    }
                }
                Outcome::Busy => stats.busy += 1,
                Outcome::Cooldown => stats.cooldown += 1,
                Outcome::Failed(_) => stats.failed += 1,
            }
        }
        latencies.sort_by(f64::total_cmp);
        stats.p50_ms = percentile(&latencies, 0.50);
        stats.p90_ms = percentile(&latencies, 0.90);
        stats.p99_ms = percentile(&latencies, 0.99);
        stats.max_ms = latencies.last().copied().unwrap_or(f64::NAN);
        stats
    }
}

/// One repetition's figures.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Repetition {
    /// Per kind, in `KINDS` order, then overall.
    mixed: Vec<Stats>,
    crowd: Stats,
    /// How far the open-loop sender fell behind its plan at worst.
    mixed_send_lag_max_ms: f64,
    mixed_seconds: f64,
    load_average: String,
}

/// What one backend's run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BackendResult {
    backend: String,
    settings: Settings,
    setup_seconds: f64,
    repetitions: Vec<Repetition>,
    /// Over every repetition: per kind, then overall.
    mixed: Vec<Stats>,
    crowd: Stats,
    /// The crowd answered by the bare responder (the floor), pooled, and each
    /// repetition's p99; none when left out.
    bare_crowd: Option<(Stats, Vec<f64>)>,
    load_average_start: String,
    load_average_end: String,
}

// ---------------------------------------------------------------------------------------
// The parent: one child process per backend, then the tables
// ---------------------------------------------------------------------------------------

fn main() {
    if let Ok(backend) = std::env::var(CHILD_ENV) {
        std::process::exit(child(&backend));
    }
    let settings = Settings::from_env();
    println!("# Agora mixed load and crowd benchmark");
    println!();
    println!(
        "mixed: {}/s for {} s open loop ({} interactions: /status, /help, /shift upcoming, Claim a quarter each) \
         from {} members and {} moderators; crowd: {} members at once × {} rounds; {} repetition(s); \
         {} shifts dropped per repetition; {} cores, {}; load average at start {}",
        settings.rate,
        settings.seconds,
        settings.mixed_samples(),
        settings.members,
        settings.moderators,
        settings.crowd,
        settings.crowd_rounds,
        settings.repeats,
        settings.shifts,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        load_average(),
    );
    println!(
        "non-default settings: [log] level = \"warn\", [ops] listen = \"127.0.0.1:0\", Discord's URLs pointed at \
         the sim; the sim's REST rate limits off during the load; everything else (runtime.cooldown_secs = 2, \
         max_in_flight = 32, mailbox_capacity = 64, …) at its default"
    );
    let backends = backends();
    println!();

    let mut results: Vec<BackendResult> = Vec::new();
    let mut failed = false;
    for backend in backends {
        match run_child(backend) {
            Ok(result) => results.push(result),
            Err(error) => {
                eprintln!("{backend}: {error:#}");
                failed = true;
            }
        }
    }

    println!();
    println!("## Mixed load (all repetitions pooled)");
    println!();
    println!("| backend | kind | samples | answered | p50 ms | p90 ms | p99 ms | max ms | failed | busy | cooldown | deferred | p99 median (range) over repetitions |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &results {
        for (index, stats) in r.mixed.iter().enumerate() {
            let kind = KINDS.get(index).map_or("all", |k| k.name());
            let p99s: Vec<f64> = r
                .repetitions
                .iter()
                .map(|rep| rep.mixed[index].p99_ms)
                .collect();
            println!(
                "| {} | {kind} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
                backend_name(&r.backend),
                stats.sent,
                stats.answered,
                stats.p50_ms,
                stats.p90_ms,
                stats.p99_ms,
                stats.max_ms,
                stats.failed,
                stats.busy,
                stats.cooldown,
                stats.deferred,
                median_range(&p99s),
            );
        }
    }
    println!();
    println!("## Crowd (all repetitions pooled)");
    println!();
    println!("| backend | samples | answered | p50 ms | p90 ms | p99 ms | max ms | failed | busy | cooldown | deferred | p99 median (range) over repetitions |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &results {
        let p99s: Vec<f64> = r.repetitions.iter().map(|rep| rep.crowd.p99_ms).collect();
        crowd_row(backend_name(&r.backend), &r.crowd, &p99s);
        if let Some((bare, p99s)) = &r.bare_crowd {
            crowd_row("bare twilight responder (floor)", bare, p99s);
        }
    }
    println!();
    println!("## Each repetition");
    println!();
    println!("| backend | # | mixed p50 / p99 / max ms | mixed failed / busy / cooldown | sender lag max ms | crowd p50 / p99 / max ms | crowd failed / busy | claims won / too late / limited | load average |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in &results {
        for (n, rep) in r.repetitions.iter().enumerate() {
            let all = rep.mixed.last().cloned().unwrap_or_default();
            let claims = &rep.mixed[3];
            println!(
                "| {} | {} | {:.1} / {:.1} / {:.1} | {} / {} / {} | {:.1} | {:.1} / {:.1} / {:.1} | {} / {} | {} / {} / {} | {} |",
                backend_name(&r.backend),
                n + 1,
                all.p50_ms,
                all.p99_ms,
                all.max_ms,
                all.failed,
                all.busy,
                all.cooldown,
                rep.mixed_send_lag_max_ms,
                rep.crowd.p50_ms,
                rep.crowd.p99_ms,
                rep.crowd.max_ms,
                rep.crowd.failed,
                rep.crowd.busy,
                claims.claims_won,
                claims.claims_too_late,
                claims.claims_limited,
                rep.load_average,
            );
        }
    }
    println!();
    for r in &results {
        let all = r.mixed.last().cloned().unwrap_or_default();
        let trouble = all.failed
            + all.busy
            + all.cooldown
            + r.crowd.failed
            + r.crowd.busy
            + r.crowd.cooldown
            + r.bare_crowd.as_ref().map_or(0, |(bare, _)| bare.failed);
        println!(
            "{}: setup {:.1} s; load average {} at the start, {} at the end{}",
            backend_name(&r.backend),
            r.setup_seconds,
            r.load_average_start,
            r.load_average_end,
            if trouble > 0 {
                format!("; THIS RUN HAD {trouble} FAILED, BUSY OR COOLDOWN ANSWERS")
            } else {
                "; no failed, busy or cooldown answers".into()
            }
        );
    }
    println!(
        "Latency: from the INTERACTION_CREATE dispatch to the callback (to the answering edit when deferred), as the \
         sim records it, over answered samples only. The sim runs in the same process, on the same cores."
    );
    if failed {
        std::process::exit(1);
    }
}

/// One row of the crowd table: pooled figures and the repetitions' p99 median (range).
fn crowd_row(name: &str, s: &Stats, p99s: &[f64]) {
    println!(
        "| {name} | {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
        s.sent,
        s.answered,
        s.p50_ms,
        s.p90_ms,
        s.p99_ms,
        s.max_ms,
        s.failed,
        s.busy,
        s.cooldown,
        s.deferred,
        median_range(p99s),
    );
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
    let database = Database::create(backend).await?;
    let mut env = agora_env(sim, &database);
    // The cooldown stays at its default: many people make the load, not one repeating.
    env.remove("AGORA_RUNTIME__COOLDOWN_SECS");
    let running = BenchAgora::start(database, &env).await?;
    let outcome = run(harness, &demo, &running.agora, settings).await;
    running.stop().await;
    let (mut result, people) = outcome?;
    result.backend = backend.to_owned();
    if backend == "sqlite" && env_number("AGORA_BENCH_BARE", 1usize) > 0 {
        result.bare_crowd = Some(bare_crowd(harness, &demo, &people, settings).await?);
    }
    Ok(result)
}

/// The crowd's rounds, `repeats` times over, answered by the bare responder instead of
/// Agora (which has stopped): the pooled figures and each repetition's p99.
async fn bare_crowd(
    harness: &BenchSim,
    demo: &DemoWorld,
    people: &Arc<People>,
    settings: Settings,
) -> anyhow::Result<(Stats, Vec<f64>)> {
    // The first line each classification looks for, so its answers count as answered.
    let responder = BareResponder::start(
        &harness.sim,
        &[
            ("status", "Agora is healthy (the bare responder)"),
            ("help", "Agora help (the bare responder)"),
            ("shift", "Coverage, next 7 days (the bare responder)"),
        ],
    )?;
    waited_until(
        "the bare responder's shard",
        Duration::from_secs(20),
        || responder.is_ready(),
    )
    .await?;
    harness.sim.rate_limiter().set_enabled(false);
    let mut pooled = Vec::new();
    let mut p99s = Vec::new();
    let outcome = async {
        for _ in 0..settings.repeats {
            let crowd = crowd(harness, demo, people, settings).await?;
            report_problems("bare crowd", &crowd);
            p99s.push(Stats::of(&crowd).p99_ms);
            pooled.extend(crowd);
            tokio::time::sleep(BETWEEN_ROUNDS).await;
        }
        anyhow::Ok(())
    }
    .await;
    harness.sim.rate_limiter().set_enabled(true);
    responder.stop();
    outcome?;
    let stats = Stats::of(&pooled);
    println!(
        "bare responder's crowd: {} sent, p50 {:.1} / p99 {:.1} / max {:.1} ms, {} failed",
        stats.sent, stats.p50_ms, stats.p99_ms, stats.max_ms, stats.failed
    );
    Ok((stats, p99s))
}

async fn run(
    harness: &BenchSim,
    demo: &DemoWorld,
    agora: &Agora,
    settings: Settings,
) -> anyhow::Result<(BackendResult, Arc<People>)> {
    let sim = &harness.sim;
    let load_average_start = load_average();
    waited_until("the shard's connection", Duration::from_secs(20), || {
        agora.connected()
    })
    .await?;
    // GUILD_CREATE and the online notice settle.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // ---- the setup, as an admin would do it -------------------------------------------------
    let setup_started = Instant::now();
    sim.rate_limiter().set_enabled(false);
    configure_shift_staff(sim, demo).await?;
    let members: Vec<u64> = (0..settings.members)
        .map(|n| {
            let user = sim.create_user(&format!("member{n}"));
            sim.join_guild(demo.guild_id, user, &[]).map(|()| user)
        })
        .collect::<Result<_, _>>()
        .context("a member could not join the guild")?;
    let moderators: Vec<u64> = (0..settings.moderators)
        .map(|n| {
            let user = sim.create_user(&format!("moderator{n}"));
            sim.join_guild(demo.guild_id, user, &[demo.moderator_role_id])
                .map(|()| user)
        })
        .collect::<Result<_, _>>()
        .context("a moderator could not join the guild")?;
    let setup_seconds = setup_started.elapsed().as_secs_f64();
    println!(
        "setup: {} members and {} moderators joined in {setup_seconds:.1} s",
        members.len(),
        moderators.len()
    );
    let people = Arc::new(People {
        members,
        moderators,
    });
    let first_shift: DateTime<Utc> = (Utc::now() + chrono::Duration::days(2))
        .duration_trunc(chrono::Duration::hours(1))
        .context("rounding the first start")?;

    let mut repetitions = Vec::new();
    let mut all_mixed: Vec<Sample> = Vec::new();
    let mut all_crowd: Vec<Sample> = Vec::new();
    for repetition in 0..settings.repeats {
        // This repetition's board, dropped with the sim's rate limits off.
        sim.rate_limiter().set_enabled(false);
        let drops_started = Instant::now();
        let ids = drop_shifts(
            harness,
            demo,
            first_shift,
            repetition * settings.shifts,
            settings.shifts,
            SHIFT_MINUTES,
        )
        .await?;
        let board: Vec<Target> = posted(agora, demo, &ids)
            .await?
            .into_iter()
            .map(|(shift_id, message_id)| Target {
                shift_id,
                message_id,
            })
            .collect();
        println!(
            "repetition {}: {} shifts dropped in {:.1} s",
            repetition + 1,
            board.len(),
            drops_started.elapsed().as_secs_f64()
        );
        tokio::time::sleep(BETWEEN_PHASES).await;

        let mixed_started = Instant::now();
        let (mixed, lag_ms) = mixed_load(
            harness,
            demo,
            &people,
            Arc::new(board),
            settings,
            repetition,
        )
        .await?;
        let mixed_seconds = mixed_started.elapsed().as_secs_f64();
        report_problems("mixed", &mixed);
        tokio::time::sleep(BETWEEN_PHASES).await;
        let profiled = ProfiledWindow::open();
        let crowd = crowd(harness, demo, &people, settings).await?;
        drop(profiled);
        report_problems("crowd", &crowd);
        tokio::time::sleep(BETWEEN_PHASES).await;

        let rep = Repetition {
            mixed: stats_per_kind(&mixed),
            crowd: Stats::of(&crowd),
            mixed_send_lag_max_ms: lag_ms,
            mixed_seconds,
            load_average: load_average(),
        };
        let all = rep.mixed.last().cloned().unwrap_or_default();
        println!(
            "repetition {}: mixed {} sent in {:.1} s, p50 {:.1} / p99 {:.1} / max {:.1} ms, {} failed, {} busy, {} cooldown, \
             sender lag ≤ {:.1} ms; crowd {} sent, p50 {:.1} / p99 {:.1} / max {:.1} ms, {} failed, {} busy; load average {}",
            repetition + 1,
            all.sent,
            rep.mixed_seconds,
            all.p50_ms,
            all.p99_ms,
            all.max_ms,
            all.failed,
            all.busy,
            all.cooldown,
            rep.mixed_send_lag_max_ms,
            rep.crowd.sent,
            rep.crowd.p50_ms,
            rep.crowd.p99_ms,
            rep.crowd.max_ms,
            rep.crowd.failed,
            rep.crowd.busy,
            rep.load_average,
        );
        repetitions.push(rep);
        all_mixed.extend(mixed);
        all_crowd.extend(crowd);
    }
    sim.rate_limiter().set_enabled(true);
    ensure!(
        all_mixed.len() == settings.mixed_samples() * settings.repeats,
        "{} mixed samples, {} planned",
        all_mixed.len(),
        settings.mixed_samples() * settings.repeats
    );

    Ok((
        BackendResult {
            backend: String::new(),
            settings,
            setup_seconds,
            repetitions,
            mixed: stats_per_kind(&all_mixed),
            crowd: Stats::of(&all_crowd),
            bare_crowd: None,
            load_average_start,
            load_average_end: load_average(),
        },
        people,
    ))
}

/// Per kind in `KINDS` order, then overall.
fn stats_per_kind(samples: &[Sample]) -> Vec<Stats> {
    let mut stats: Vec<Stats> = KINDS
        .iter()
        .map(|kind| Stats::of(samples.iter().filter(|s| s.kind == *kind)))
        .collect();
    stats.push(Stats::of(samples));
    stats
}

fn report_problems(phase: &str, samples: &[Sample]) {
    for sample in samples
        .iter()
        .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
        .take(5)
    {
        if let Outcome::Failed(problem) = &sample.outcome {
            println!("  {phase}: a failed {}: {problem}", sample.kind.name());
        }
    }
}

struct People {
    members: Vec<u64>,
    moderators: Vec<u64>,
}

/// A shift as the moderators see it in the channel.
#[derive(Debug, Clone, Copy)]
struct Target {
    shift_id: i64,
    message_id: u64,
}

/// The mixed load: one interaction every `1 / rate` s, sent at its planned instant; the
/// answers are awaited by tasks of their own. Returns the samples and how far the sender
/// fell behind its plan at worst.
async fn mixed_load(
    harness: &BenchSim,
    demo: &DemoWorld,
    people: &Arc<People>,
    board: Arc<Vec<Target>>,
    settings: Settings,
    repetition: usize,
) -> anyhow::Result<(Vec<Sample>, f64)> {
    let sim = harness.sim.clone();
    let people = people.clone();
    let demo = demo.clone();
    let total = settings.mixed_samples();
    let period = Duration::from_secs_f64(1.0 / settings.rate);
    let sender = harness.sim_runtime.spawn(async move {
        let start = tokio::time::Instant::now() + Duration::from_millis(50);
        let mut random = seed(repetition);
        let mut lag_ms: f64 = 0.0;
        let mut waiting = Vec::with_capacity(total);
        let (mut commands, mut clicks) = (0usize, 0usize);
        for n in 0..total {
            let planned = start + period.mul_f64(n as f64);
            tokio::time::sleep_until(planned).await;
            lag_ms = lag_ms.max(planned.elapsed().as_secs_f64() * 1e3);
            let kind = KINDS[n % KINDS.len()];
            let sent = if kind == Kind::Claim {
                random = xorshift(random);
                let target = board[(random % board.len() as u64) as usize];
                let user = people.moderators[clicks % people.moderators.len()];
                clicks += 1;
                click(&sim, target, user)
            } else {
                let user = people.members[commands % people.members.len()];
                commands += 1;
                command(&sim, &demo, kind, user)
            };
            let sim = sim.clone();
            waiting.push(tokio::spawn(async move { sample(&sim, kind, sent).await }));
        }
        let mut samples = Vec::with_capacity(total);
        for task in waiting {
            samples.push(task.await?);
        }
        anyhow::Ok((samples, lag_ms))
    });
    sender.await.context("the mixed load's sender")?
}

/// The crowd: `settings.crowd` members at once, `settings.crowd_rounds` times.
async fn crowd(
    harness: &BenchSim,
    demo: &DemoWorld,
    people: &Arc<People>,
    settings: Settings,
) -> anyhow::Result<Vec<Sample>> {
    let mut samples = Vec::new();
    for round in 0..settings.crowd_rounds {
        let sim = harness.sim.clone();
        let people = people.clone();
        let demo = demo.clone();
        let task = harness.sim_runtime.spawn(async move {
            // Everyone sends first, in one go; then the answers are awaited.
            let sent: Vec<_> = (0..settings.crowd)
                .map(|n| {
                    let kind = KINDS[n % 3];
                    let user = people.members[(round * settings.crowd + n) % people.members.len()];
                    (kind, command(&sim, &demo, kind, user))
                })
                .collect();
            let waiting: Vec<_> = sent
                .into_iter()
                .map(|(kind, sent)| {
                    let sim = sim.clone();
                    tokio::spawn(async move { sample(&sim, kind, sent).await })
                })
                .collect();
            let mut samples = Vec::with_capacity(waiting.len());
            for task in waiting {
                samples.push(task.await?);
            }
            anyhow::Ok(samples)
        });
        samples.extend(task.await.context("a crowd round")??);
        tokio::time::sleep(BETWEEN_ROUNDS).await;
    }
    Ok(samples)
}

/// Runs one of the three commands as `user`; the interaction's id or why the sim refused.
fn command(sim: &Sim, demo: &DemoWorld, kind: Kind, user: u64) -> Result<u64, String> {
    let (name, options, channel_id) = match kind {
        Kind::Status => ("status", vec![], demo.general_id),
        Kind::Help => ("help", vec![], demo.general_id),
        Kind::Upcoming => (
            "shift",
            vec![CommandOption::sub("upcoming", vec![])],
            demo.shifts_id,
        ),
        Kind::Claim => unreachable!("a click is not a command"),
    };
    sim.run_command(CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id,
        user_id: user,
        name: name.into(),
        options,
        unchecked: false,
    })
    .map_err(|error| format!("the sim refused the command: {error}"))
}

fn click(sim: &Sim, target: Target, user: u64) -> Result<u64, String> {
    sim.use_component(ComponentUse {
        message_id: target.message_id,
        user_id: user,
        custom_id: format!("shifts:1:claim:{}", target.shift_id),
        values: vec![],
        unchecked: true,
    })
    .map_err(|error| format!("the sim refused the click: {error}"))
}

async fn sample(sim: &Sim, kind: Kind, sent: Result<u64, String>) -> Sample {
    let id = match sent {
        Ok(id) => id,
        Err(problem) => {
            return Sample {
                kind,
                outcome: Outcome::Failed(problem),
                after_ms: None,
                deferred: false,
            }
        }
    };
    match sim.interaction(id, WaitFor::Answer, SAMPLE_ANSWER).await {
        Ok(record) => classify(kind, &record),
        Err(error) => Sample {
            kind,
            outcome: Outcome::Failed(error.to_string()),
            after_ms: None,
            deferred: false,
        },
    }
}

/// What an interaction came to, its latency, and whether it was deferred.
fn classify(kind: Kind, record: &InteractionRecord) -> Sample {
    let failed = |problem: String, after_ms: Option<f64>| Sample {
        kind,
        outcome: Outcome::Failed(problem),
        after_ms,
        deferred: false,
    };
    let errors = || {
        record
            .errors
            .iter()
            .map(|e| format!("{} {} {}", e.route, e.code, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let Some(callback) = &record.callback else {
        return failed(format!("no callback (refused: {})", errors()), None);
    };
    if !record.errors.is_empty() {
        return failed(
            format!("the sim refused: {}", errors()),
            Some(callback.after_ms),
        );
    }
    let text = message_text(&record.payload);
    let deferred = matches!(callback.kind, 5 | 6);
    let after_ms = if deferred {
        match record.edits.last() {
            Some(edit) => edit.after_ms,
            None => return failed(format!("deferred, never answered: {text}"), None),
        }
    } else {
        callback.after_ms
    };
    let outcome = if text.starts_with("Agora is busy") {
        Outcome::Busy
    } else if text.starts_with("Slow down a little") {
        Outcome::Cooldown
    } else {
        match (kind, callback.kind) {
            (Kind::Claim, 7) => Outcome::Answered(Answer::Won),
            (Kind::Claim, 6) if text.contains("Claimed by") => Outcome::Answered(Answer::Won),
            (Kind::Claim, _) if text.starts_with("Too late: <@") => {
                Outcome::Answered(Answer::TooLate)
            }
            (Kind::Claim, _) if text.starts_with("You've claimed") => {
                Outcome::Answered(Answer::Limited)
            }
            (Kind::Claim, kind) => Outcome::Failed(format!("callback type {kind}: {text}")),
            (Kind::Status, 4 | 5)
                if text.contains("Agora is healthy") || text.contains("Agora is degraded") =>
            {
                Outcome::Answered(Answer::Command)
            }
            (Kind::Help, 4 | 5) if text.contains("Agora help") => {
                Outcome::Answered(Answer::Command)
            }
            (Kind::Upcoming, 4 | 5) if text.contains("Coverage, next 7 days") => {
                Outcome::Answered(Answer::Command)
            }
            (_, kind) => Outcome::Failed(format!("callback type {kind}: {text}")),
        }
    };
    Sample {
        kind,
        outcome,
        after_ms: Some(after_ms),
        deferred,
    }
}
