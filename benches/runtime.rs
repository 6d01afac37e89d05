//! Agora's runtime figures, measured through the real boot path (`Agora::start`) against
//! agora-sim running in the same process:
//!
//! 1. **Gateway intake**, twice: a flood of MESSAGE_CREATE events (`AGORA_BENCH_EVENTS`,
//!    default 100,000) read by the shard, decompressed, parsed and published on the event
//!    bus to `agora run`'s own subscribers, counted first by a bus callback (the production
//!    path: nothing but the count added) and then, in a second flood, by a supervised actor
//!    (awaited with `ConcernHandle::call`, as a feature's concern would be). Events per second from the first to the last event counted. The
//!    transport compression is the one twilight-gateway asks for: it is chosen at compile
//!    time by its features, and with its default `zstd` feature (this workspace) that is
//!    `zstd-stream`; `zlib-stream` would need twilight-gateway built without `zstd`.
//!    In the same flood a bare twilight-gateway shard (a second connection, on a thread
//!    of its own) only reads, inflates and parses each MESSAGE_CREATE: its CPU time per
//!    event is the floor the bot's own (every thread but the sim's and the bare shard's)
//!    is set beside. The sim writes every event to both connections.
//! 2. **Interaction round trip**: `/status` run at a fixed rate (`AGORA_BENCH_RATE` per
//!    second, default 50, for `AGORA_BENCH_SECONDS`, default 20: 1,000 samples) by the demo guild's
//!    people in turn, with the per-user cooldown off. The latency is the sim's own
//!    `after_ms`: from the INTERACTION_CREATE dispatch to the callback's arrival.
//! 3. Both on **SQLite** (a temporary file) and on **PostgreSQL** (a fresh database per
//!    run, created and dropped on the server of `AGORA_TEST_POSTGRES_URL`; skipped with a
//!    note when it is unset).
//! 4. **Peak memory** (VmHWM) of each backend's run: every backend runs in a child process
//!    of its own (this binary, re-executed with `AGORA_BENCH_CHILD=<backend>`), and the
//!    peak is reset between phases (`/proc/self/clear_refs`) so each phase gets its own.
//!    The process also holds the sim; its gateway replay buffer is cut to
//!    `SIM_REPLAY_CAPACITY` events so a flood does not count as the bot's memory.
//!
//! The sim runs on a tokio runtime of its own (threads named `agora-sim`), so the CPU time
//! of each thread tells the bot's work from the sim's: the bench reports the bot's CPU
//! time per event and per `/status`, how busy the shard's reader thread (`agora-shard-0`)
//! and the thread that runs the actix actors (the main thread, where
//! `actor_system().block_on` runs) were. The sim and the bot still
//! share the machine's cores, so the rates are lower bounds of the bot alone.
//!
//! Each backend runs `AGORA_BENCH_REPEATS` times (default 5), each in a fresh child; the
//! tables show every run and the median (range) over them. A run with failed `/status`
//! samples says so, and the benchmark exits with an error.
//!
//! Run:
//!
//! ```sh
//! cargo bench --bench runtime
//! AGORA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench runtime
//! AGORA_BENCH_EVENTS=100000 AGORA_BENCH_RATE=50 AGORA_BENCH_SECONDS=20 cargo bench --bench runtime
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::boot::{Agora, BootOptions, Extension};
use agora::config::{Config, ConfigSource};
use agora_actors::bus::GatewayEvent;
use agora_actors::feature::{Feature, FeatureStart};
use agora_actors::kernel::supervision::{Concern, ConcernHandle};
use agora_sim::actions::CommandRun;
use agora_sim::gateway::flood::FloodRequest;
use agora_sim::{GatewayConfig, Sim, SimConfig};
use agora_testkit::bench::*;
use agora_testkit::waited_until;
use anyhow::{bail, Context as _};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use twilight_gateway::{Event, EventTypeFlags};

/// The name of the sim's threads.
const SIM_THREADS: &str = "agora-sim";
/// The names of the bot's shard reader threads (`agora-shard-<id>`).
const SHARD_THREADS: &str = "agora-shard-";
/// The transport compression twilight-gateway 0.18 asks for with its `zstd` feature on.
const COMPRESSION: &str = "zstd-stream";
/// Dispatches the sim keeps for RESUME (250,000 by default: a flood would fill it).
const SIM_REPLAY_CAPACITY: usize = 1_000;
/// How long the bot's idle CPU use is sampled before the `/status` runs.
const IDLE_SAMPLE: Duration = Duration::from_secs(2);
/// `/status` runs before the measured ones (connections and caches warm up).
const WARM_UP_COMMANDS: usize = 5;

#[derive(Debug, Clone, Copy)]
struct Settings {
    events: u64,
    rate: f64,
    seconds: f64,
    /// `AGORA_BENCH_REPEATS` (default 5): whole runs per backend, each in a fresh child.
    repeats: usize,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            events: env_number("AGORA_BENCH_EVENTS", 100_000u64).max(2),
            // 50/s for 20 s: 1,000 samples, so the p99 is not the third largest of 200.
            rate: env_number("AGORA_BENCH_RATE", 50.0f64).max(0.1),
            seconds: env_number("AGORA_BENCH_SECONDS", 20.0f64).max(0.1),
            repeats: env_number("AGORA_BENCH_REPEATS", 5usize).max(1),
        }
    }
}

/// What one backend's run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BackendResult {
    backend: String,
    compression: String,
    events: u64,
    /// First to last event counted.
    intake_seconds: f64,
    intake_events_per_second: f64,
    /// From the flood's start to the last event counted.
    intake_total_seconds: f64,
    /// The sim's own figure: until the last event was written to the socket.
    sim_flood_events_per_second: f64,
    /// The bot's CPU time (every thread but the sim's) per event, in µs, counted by a
    /// supervised actor.
    intake_bot_cpu_us_per_event: f64,
    /// The production path (`agora run`'s own subscribers, the count a bus callback): its
    /// events/s, the bot's CPU per event and the bare shard's in the same flood.
    production_events_per_second: f64,
    production_bot_cpu_us_per_event: f64,
    production_bare_cpu_us_per_event: f64,
    /// CPU time of the actix thread over wall time during the intake (1.0 = saturated).
    intake_actix_thread_busy: f64,
    /// CPU time of the shard's reader thread over wall time during the intake.
    intake_shard_thread_busy: f64,
    /// CPU time of the sim's threads over wall time during the intake, in cores.
    intake_sim_cores: f64,
    /// A bare twilight-gateway shard beside the bot's, in the same flood: events it parsed
    /// and its thread's CPU time per event, in µs.
    bare_shard_events: u64,
    bare_shard_cpu_us_per_event: f64,
    status_rate: f64,
    status_sent: usize,
    /// Answered with the status embed.
    status_answered: usize,
    status_deferred: usize,
    /// Refused by the sim, unanswered, or answered with something else.
    status_failed: usize,
    /// The bot's CPU time per `/status`, in ms.
    status_bot_cpu_ms: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// VmRSS with the sim alone, before the bot starts (kB).
    sim_baseline_kb: u64,
    /// Peaks (kB): per phase when the kernel lets us reset VmHWM, else cumulative.
    boot_peak_kb: u64,
    intake_peak_kb: u64,
    status_peak_kb: u64,
    peak_kb: u64,
    per_phase_peaks: bool,
}

// ---------------------------------------------------------------------------------------
// The parent: one child process per backend, then the table
// ---------------------------------------------------------------------------------------

fn main() {
    if let Ok(backend) = std::env::var(CHILD_ENV) {
        std::process::exit(child(&backend));
    }
    let settings = Settings::from_env();
    println!("# Agora runtime benchmark");
    println!();
    println!(
        "{} MESSAGE_CREATE events; /status at {}/s for {} s; {} run(s) per backend; {} cores, {}; load average at start {}",
        settings.events,
        settings.rate,
        settings.seconds,
        settings.repeats,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        load_average(),
    );
    println!(
        "non-default settings: [log] level = \"warn\", [ops] listen = \"127.0.0.1:0\", Discord's URLs pointed at \
         the sim, runtime.cooldown_secs = 0 (one /status per person would else be refused); everything else at its default"
    );
    let backends = backends();
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
    println!("## Median (range) over the runs");
    println!();
    println!("| backend | runs | production path: events/s ({COMPRESSION}) | bot CPU µs per event | bare shard CPU µs per event | bot ÷ bare shard | through an actor: events/s | bot CPU µs per event | bare shard CPU µs per event | bot ÷ bare shard | /status samples per run | /status p50 ms | /status p99 ms | failed /status (all runs) | peak RSS MiB |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut trouble = 0;
    for backend in &backends {
        let runs: Vec<&BackendResult> = results.iter().filter(|r| r.backend == *backend).collect();
        if runs.is_empty() {
            continue;
        }
        let figure = |value: fn(&BackendResult) -> f64| -> String {
            median_range(&runs.iter().map(|r| value(r)).collect::<Vec<_>>())
        };
        // Ratios to two decimals: 1.04 and 1.14 are both "1.1" to one.
        let ratio = |value: fn(&BackendResult) -> f64| -> String {
            median_range_to(&runs.iter().map(|r| value(r)).collect::<Vec<_>>(), 2)
        };
        let failures: usize = runs.iter().map(|r| r.status_failed).sum();
        trouble += failures;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            backend,
            runs.len(),
            figure(|r| r.production_events_per_second),
            figure(|r| r.production_bot_cpu_us_per_event),
            figure(|r| r.production_bare_cpu_us_per_event),
            ratio(|r| r.production_bot_cpu_us_per_event / r.production_bare_cpu_us_per_event),
            figure(|r| r.intake_events_per_second),
            figure(|r| r.intake_bot_cpu_us_per_event),
            figure(|r| r.bare_shard_cpu_us_per_event),
            ratio(|r| r.intake_bot_cpu_us_per_event / r.bare_shard_cpu_us_per_event),
            figure(|r| r.status_sent as f64),
            figure(|r| r.p50_ms),
            figure(|r| r.p99_ms),
            failures,
            figure(|r| mib(r.peak_kb)),
        );
    }
    println!();
    println!("## Each run");
    println!();
    println!("| backend | intake events/s ({COMPRESSION}) | /status p50 | /status p99 | answered | peak RSS |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for r in &results {
        println!(
            "| {} | {:.0} | {:.1} ms | {:.1} ms | {}/{} | {:.1} MiB |",
            r.backend,
            r.intake_events_per_second,
            r.p50_ms,
            r.p99_ms,
            r.status_answered,
            r.status_sent,
            mib(r.peak_kb)
        );
    }
    println!();
    println!("| backend | peak RSS: sim alone | boot | intake | /status | /status p90 | /status max | deferred | bot CPU per event | bare twilight shard CPU per event | shard thread busy | actix thread busy | sim CPU | sim flood events/s | bot CPU per /status (idle excluded) |");
    println!(
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for r in &results {
        println!(
            "| {} | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} MiB | {:.1} ms | {:.1} ms | {} | {:.1} µs | {:.1} µs | {:.0} % | {:.0} % | {:.2} cores | {:.0} | {:.2} ms |",
            r.backend,
            mib(r.sim_baseline_kb),
            mib(r.boot_peak_kb),
            mib(r.intake_peak_kb),
            mib(r.status_peak_kb),
            r.p90_ms,
            r.max_ms,
            r.status_deferred,
            r.intake_bot_cpu_us_per_event,
            r.bare_shard_cpu_us_per_event,
            r.intake_shard_thread_busy * 100.0,
            r.intake_actix_thread_busy * 100.0,
            r.intake_sim_cores,
            r.sim_flood_events_per_second,
            r.status_bot_cpu_ms
        );
    }
    println!();
    println!(
        "Intake: first to last of {} events counted by a supervised actor through the bus; the sim runs \
         in the same process on the same cores, so a rate close to the sim's own is a lower bound of the bot's.",
        settings.events
    );
    println!(
        "/status: from the INTERACTION_CREATE dispatch to the callback, as the sim records it ({} runs after {WARM_UP_COMMANDS} warm-up runs).",
        (settings.rate * settings.seconds).round()
    );
    println!(
        "Peak RSS: VmHWM of the backend's own process, which also holds the sim (its replay buffer cut to {SIM_REPLAY_CAPACITY} events)."
    );
    if results.iter().any(|r| !r.per_phase_peaks) {
        println!();
        println!("(/proc/self/clear_refs was refused: the phase peaks are cumulative.)");
    }
    println!();
    if trouble > 0 {
        println!("RESULT: {trouble} FAILED /status SAMPLES — these figures do not stand.");
        failed = true;
    } else {
        println!("RESULT: no failed /status samples.");
    }
    if failed {
        std::process::exit(1);
    }
}

fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

// ---------------------------------------------------------------------------------------
// The child: one backend, every phase
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
        let harness = Harness {
            sim: Arc::new(sim),
            sim_runtime: sim_runtime.handle().clone(),
        };
        let outcome = agora::actor_system().block_on(measure(backend, settings, harness));
        sim_runtime.shutdown_timeout(Duration::from_secs(1));
        outcome
    });
    child_report(backend, outcome)
}

/// The sim, and where to run what its people do.
struct Harness {
    sim: Arc<Sim>,
    sim_runtime: tokio::runtime::Handle,
}

/// CPU time so far (user and system, in seconds) of the threads alive now, by owner.
#[derive(Debug, Clone, Copy, Default)]
struct CpuTime {
    /// The main thread: `block_on` and every actix actor.
    actix: f64,
    /// The gateway shards' reader threads.
    shards: f64,
    /// The bot's other threads (tokio workers and blocking threads).
    bot_others: f64,
    /// The sim's threads.
    sim: f64,
    /// The bare shard's thread (not the bot's).
    bare: f64,
}

impl CpuTime {
    /// From `/proc/self/task/*/stat` (clock ticks of 1/100 s, as on every x86_64 and
    /// aarch64 Linux). A thread that ended takes its time with it.
    fn now() -> Self {
        let main = std::process::id().to_string();
        let mut time = CpuTime::default();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return time;
        };
        for task in tasks.flatten() {
            let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                continue;
            };
            let name = &stat[open + 1..close];
            let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
            let ticks = |index: usize| {
                fields
                    .get(index)
                    .and_then(|t| t.parse::<u64>().ok())
                    .unwrap_or(0)
            };
            let seconds = (ticks(11) + ticks(12)) as f64 / 100.0;
            if task.file_name().to_string_lossy() == main {
                time.actix += seconds;
            } else if name.starts_with(SHARD_THREADS) {
                time.shards += seconds;
            } else if name.starts_with(SIM_THREADS) {
                time.sim += seconds;
            } else if name.starts_with(BARE_SHARD_THREAD) {
                time.bare += seconds;
            } else {
                time.bot_others += seconds;
            }
        }
        time
    }

    fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            actix: (self.actix - earlier.actix).max(0.0),
            shards: (self.shards - earlier.shards).max(0.0),
            bot_others: (self.bot_others - earlier.bot_others).max(0.0),
            sim: (self.sim - earlier.sim).max(0.0),
            bare: (self.bare - earlier.bare).max(0.0),
        }
    }

    fn bot(self) -> f64 {
        self.actix + self.shards + self.bot_others
    }
}

/// Resets VmHWM to the current RSS; false when the kernel refuses.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// MESSAGE_CREATE events counted, and when the first and the last arrived.
struct Tally {
    base: Instant,
    /// Which subscriber counts: the supervised actor (true) or the bus callback (false).
    via_actor: AtomicBool,
    count: AtomicU64,
    first_ns: AtomicU64,
    last_ns: AtomicU64,
}

impl Tally {
    fn new() -> Self {
        Self {
            base: Instant::now(),
            via_actor: AtomicBool::new(false),
            count: AtomicU64::new(0),
            first_ns: AtomicU64::new(0),
            last_ns: AtomicU64::new(0),
        }
    }

    fn reset(&self) {
        self.count.store(0, Ordering::SeqCst);
        self.first_ns.store(0, Ordering::SeqCst);
        self.last_ns.store(0, Ordering::SeqCst);
    }

    fn record(&self) {
        let now = self.base.elapsed().as_nanos() as u64;
        if self.count.fetch_add(1, Ordering::SeqCst) == 0 {
            self.first_ns.store(now, Ordering::SeqCst);
        }
        self.last_ns.store(now, Ordering::SeqCst);
    }

    fn count(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }

    fn first(&self) -> Instant {
        self.base + Duration::from_nanos(self.first_ns.load(Ordering::SeqCst))
    }

    fn last(&self) -> Instant {
        self.base + Duration::from_nanos(self.last_ns.load(Ordering::SeqCst))
    }
}

/// The counting concern: a supervised actor like any bot developer's.
struct MessageCounter {
    tally: Arc<Tally>,
}

impl Concern for MessageCounter {
    const NAME: &'static str = "bench-message-counter";
    type Request = GatewayEvent;
    type Response = ();

    fn handle(&mut self, request: GatewayEvent) -> LocalBoxFuture<'static, ()> {
        if let Event::MessageCreate(_) = request.event.as_ref() {
            self.tally.record();
        }
        async {}.boxed_local()
    }
}

/// A feature with no commands that counts every MESSAGE_CREATE, either on the bus itself
/// (a callback, as `agora run`'s own subscribers are: the production path) or in an actor of
/// its own (awaited, as a feature's supervised concern would be), as the tally says.
struct MessageCounting {
    tally: Arc<Tally>,
}

impl Feature for MessageCounting {
    fn name(&self) -> &'static str {
        "bench-message-counter"
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let tally = self.tally;
        let counted_by_actor = tally.clone();
        let counter = ConcernHandle::start(
            move || MessageCounter {
                tally: counted_by_actor.clone(),
            },
            (start.limits)("bench-message-counter"),
            &start.kernel.health,
        );
        let on_bus = tally.clone();
        start.bus.subscribe(
            "bench-message-counter-bus",
            EventTypeFlags::MESSAGE_CREATE,
            Arc::new(move |event| {
                if !on_bus.via_actor.load(Ordering::Relaxed) {
                    if let Event::MessageCreate(_) = event.event.as_ref() {
                        on_bus.record();
                    }
                }
                async {}.boxed()
            }),
        );
        let via_actor = tally.clone();
        start.bus.subscribe(
            "bench-message-counter",
            EventTypeFlags::MESSAGE_CREATE,
            Arc::new(move |event| {
                if !via_actor.via_actor.load(Ordering::Relaxed) {
                    return async {}.boxed();
                }
                let counter = counter.clone();
                async move {
                    let _ = counter.call(event).await;
                }
                .boxed()
            }),
        );
    }
}

fn counting_extension(tally: Arc<Tally>) -> Extension {
    Box::new(MessageCounting { tally })
}

async fn measure(
    backend: &str,
    settings: Settings,
    harness: Harness,
) -> anyhow::Result<BackendResult> {
    let sim = &harness.sim;
    let demo = sim.demo().context("the demo world")?;
    let sim_baseline_kb = proc_status_kb("VmRSS:");
    let per_phase_peaks = reset_peak();

    let database = Database::create(backend).await?;
    let env = agora_env(sim, &database);
    let config = match Config::load(ConfigSource::Default, &env) {
        Ok(config) => config,
        Err(problems) => {
            database.remove().await;
            bail!("the configuration has problems:\n{problems}");
        }
    };
    let _log = agora::telemetry::init(&config.log)?;

    let tally = Arc::new(Tally::new());
    let running = Instant::now();
    let agora = match Agora::start(
        &config,
        BootOptions {
            extensions: vec![counting_extension(tally.clone())],
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
    let outcome = phases(&harness, &demo, &agora, &tally, settings).await;
    let run_seconds = running.elapsed().as_secs_f64();
    let report = agora.shutdown().await;
    database.remove().await;
    let (production, intake, status) = outcome?;
    println!(
        "ran {run_seconds:.1} s; shutdown: {} session(s) saved, {} unfinished",
        report.sessions_saved, report.unfinished
    );

    let peak_kb = intake
        .peak_kb
        .max(production.peak_kb)
        .max(status.peak_kb)
        .max(production.boot_peak_kb);
    Ok(BackendResult {
        backend: backend.to_owned(),
        compression: COMPRESSION.to_owned(),
        events: settings.events,
        intake_seconds: intake.seconds,
        intake_events_per_second: intake.events_per_second,
        intake_total_seconds: intake.total_seconds,
        sim_flood_events_per_second: intake.sim_events_per_second,
        intake_bot_cpu_us_per_event: intake.cpu.bot() / settings.events as f64 * 1e6,
        production_events_per_second: production.events_per_second,
        production_bot_cpu_us_per_event: production.cpu.bot() / settings.events as f64 * 1e6,
        production_bare_cpu_us_per_event: production.cpu.bare
            / production.bare_events.max(1) as f64
            * 1e6,
        intake_actix_thread_busy: intake.cpu.actix / intake.total_seconds,
        intake_shard_thread_busy: intake.cpu.shards / intake.total_seconds,
        intake_sim_cores: intake.cpu.sim / intake.total_seconds,
        bare_shard_events: intake.bare_events,
        bare_shard_cpu_us_per_event: intake.cpu.bare / intake.bare_events.max(1) as f64 * 1e6,
        status_rate: settings.rate,
        status_sent: status.sent,
        status_answered: status.answered,
        status_deferred: status.deferred,
        status_failed: status.failed,
        status_bot_cpu_ms: status.bot_cpu_ms_per_run,
        p50_ms: status.p50,
        p90_ms: status.p90,
        p99_ms: status.p99,
        max_ms: status.max,
        sim_baseline_kb,
        boot_peak_kb: production.boot_peak_kb,
        intake_peak_kb: intake.peak_kb,
        status_peak_kb: status.peak_kb,
        peak_kb,
        per_phase_peaks,
    })
}

struct IntakeFigures {
    seconds: f64,
    events_per_second: f64,
    total_seconds: f64,
    sim_events_per_second: f64,
    cpu: CpuTime,
    bare_events: u64,
    boot_peak_kb: u64,
    peak_kb: u64,
}

struct StatusFigures {
    sent: usize,
    answered: usize,
    deferred: usize,
    failed: usize,
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
    /// The bot's CPU time per run, its idle CPU taken out.
    bot_cpu_ms_per_run: f64,
    /// The bot's CPU use when idle, in cores.
    idle_cpu: f64,
    peak_kb: u64,
}

async fn phases(
    harness: &Harness,
    demo: &agora_sim::DemoWorld,
    agora: &Agora,
    tally: &Arc<Tally>,
    settings: Settings,
) -> anyhow::Result<(IntakeFigures, IntakeFigures, StatusFigures)> {
    waited_until("the shard's connection", Duration::from_secs(20), || {
        agora.connected() && !harness.sim.gateway().connected_sessions(None).is_empty()
    })
    .await?;
    // GUILD_CREATE and the online notice settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let production = intake(harness, tally, settings, false).await?;
    let intake = intake(harness, tally, settings, true).await?;
    let status = status_round_trips(harness, demo, settings).await?;
    Ok((production, intake, status))
}

/// One flood of MESSAGE_CREATE, counted on the bus (`via_actor` false: the production
/// path) or by the supervised actor.
async fn intake(
    harness: &Harness,
    tally: &Arc<Tally>,
    settings: Settings,
    via_actor: bool,
) -> anyhow::Result<IntakeFigures> {
    let path = if via_actor {
        "through an actor"
    } else {
        "on the bus"
    };
    let boot_peak_kb = proc_status_kb("VmHWM:");
    let bare = BareShard::start(&harness.sim)?;
    waited_until("the bare shard's READY", Duration::from_secs(20), || {
        bare.is_ready()
    })
    .await?;
    reset_peak();
    tally.reset();
    tally.via_actor.store(via_actor, Ordering::SeqCst);
    let cpu_before = CpuTime::now();
    let started = Instant::now();
    let flooding = {
        let sim = harness.sim.clone();
        let count = settings.events;
        harness.sim_runtime.spawn(async move {
            sim.flood(FloodRequest {
                event: "MESSAGE_CREATE".into(),
                count,
                rate_per_s: None,
                guild_id: None,
                spacing_ms: None,
            })
            .await
        })
    };
    let timeout = Duration::from_secs(60.max(settings.events / 500));
    let all = waited_until("every event", timeout, || {
        tally.count() >= settings.events && bare.count.load(Ordering::Relaxed) >= settings.events
    })
    .await
    .is_ok();
    let total_seconds = started.elapsed().as_secs_f64();
    let cpu = CpuTime::now().since(cpu_before);
    let bare_events = bare.stop();
    let flood = flooding
        .await
        .context("the flood task")?
        .context("the flood")?;
    let counted = tally.count();
    if !all {
        bail!(
            "only {counted} of {} events reached the counter (and {bare_events} the bare shard) within {timeout:?}",
            settings.events
        );
    }
    let seconds = tally.last().duration_since(tally.first()).as_secs_f64();
    let events_per_second = (counted - 1) as f64 / seconds;
    let peak_kb = proc_status_kb("VmHWM:");
    println!(
        "intake, counted {path}: {counted} MESSAGE_CREATE ({COMPRESSION}) counted in {seconds:.2} s = {events_per_second:.0} events/s \
         ({total_seconds:.2} s from the flood's start; the sim wrote them at {:.0} events/s; \
         the bot used {:.1} µs of CPU per event, its shard thread was {:.0} % busy and its actix thread {:.0} %, the sim used {:.2} cores); \
         peak RSS {:.1} MiB",
        flood.events_per_second,
        cpu.bot() / counted as f64 * 1e6,
        cpu.shards / total_seconds * 100.0,
        cpu.actix / total_seconds * 100.0,
        cpu.sim / total_seconds,
        mib(peak_kb)
    );
    println!(
        "intake, same flood: a bare twilight-gateway shard (parse MESSAGE_CREATE, count, nothing else) parsed \
         {bare_events} events with {:.1} µs of CPU per event on its own thread",
        cpu.bare / bare_events.max(1) as f64 * 1e6
    );
    Ok(IntakeFigures {
        seconds,
        events_per_second,
        total_seconds,
        sim_events_per_second: flood.events_per_second,
        cpu,
        bare_events,
        boot_peak_kb,
        peak_kb,
    })
}

/// What one `/status` run came to.
enum Answer {
    /// Callback latency in ms, and whether it was a deferral.
    Status {
        after_ms: f64,
        deferred: bool,
    },
    Other(String),
}

async fn run_status(sim: &Sim, run: CommandRun) -> Answer {
    let id = match sim.run_command(run) {
        Ok(id) => id,
        Err(error) => return Answer::Other(format!("the sim refused the command: {error}")),
    };
    let record = match sim.answer(id, Duration::from_secs(10)).await {
        Ok(record) => record,
        Err(error) => return Answer::Other(error.to_string()),
    };
    let Some(callback) = record.callback else {
        return Answer::Other("no callback".into());
    };
    let has_embed = record.payload["embeds"]
        .as_array()
        .is_some_and(|embeds| !embeds.is_empty());
    if !has_embed {
        return Answer::Other(format!("not the status embed: {}", record.payload));
    }
    Answer::Status {
        after_ms: callback.after_ms,
        deferred: callback.kind == 5,
    }
}

async fn status_round_trips(
    harness: &Harness,
    demo: &agora_sim::DemoWorld,
    settings: Settings,
) -> anyhow::Result<StatusFigures> {
    let mut users: Vec<u64> = demo.member_ids.clone();
    users.extend(&demo.moderator_ids);
    users.push(demo.admin_id);
    let command = |n: usize| CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id: demo.general_id,
        user_id: users[n % users.len()],
        name: "status".into(),
        options: Vec::new(),
        unchecked: false,
    };
    let spawn_run = |n: usize| {
        let sim = harness.sim.clone();
        let run = command(n);
        harness
            .sim_runtime
            .spawn(async move { run_status(&sim, run).await })
    };
    // What the bot spends doing nothing (heartbeats, timers), taken out of the per-run CPU.
    let idle_before = CpuTime::now();
    tokio::time::sleep(IDLE_SAMPLE).await;
    let idle_per_second = CpuTime::now().since(idle_before).bot() / IDLE_SAMPLE.as_secs_f64();
    for n in 0..WARM_UP_COMMANDS {
        if let Answer::Other(problem) = spawn_run(n).await.context("a /status task")? {
            bail!("the warm-up /status failed: {problem}");
        }
    }

    reset_peak();
    let cpu_before = CpuTime::now();
    let total = (settings.rate * settings.seconds).round().max(1.0) as usize;
    let interval = Duration::from_secs_f64(1.0 / settings.rate);
    let started = tokio::time::Instant::now();
    let mut running = Vec::with_capacity(total);
    for n in 0..total {
        tokio::time::sleep_until(started + interval.mul_f64(n as f64)).await;
        running.push(spawn_run(n));
    }
    let mut latencies = Vec::with_capacity(total);
    let mut deferred = 0;
    let mut problems: Vec<String> = Vec::new();
    for task in running {
        match task.await.context("a /status task")? {
            Answer::Status {
                after_ms,
                deferred: was_deferred,
            } => {
                latencies.push(after_ms);
                deferred += usize::from(was_deferred);
            }
            Answer::Other(problem) => problems.push(problem),
        }
    }
    let cpu = CpuTime::now().since(cpu_before);
    let busy_cpu = (cpu.bot() - idle_per_second * started.elapsed().as_secs_f64()).max(0.0);
    latencies.sort_by(f64::total_cmp);
    let figures = StatusFigures {
        sent: total,
        answered: latencies.len(),
        deferred,
        failed: problems.len(),
        p50: percentile(&latencies, 0.50),
        p90: percentile(&latencies, 0.90),
        p99: percentile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or(f64::NAN),
        bot_cpu_ms_per_run: busy_cpu / total as f64 * 1e3,
        idle_cpu: idle_per_second,
        peak_kb: proc_status_kb("VmHWM:"),
    };
    println!(
        "/status: {} at {}/s, {} answered ({} deferred), p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         the bot used {:.2} ms of CPU per /status beyond its idle {:.1} % of a core; peak RSS {:.1} MiB",
        figures.sent,
        settings.rate,
        figures.answered,
        figures.deferred,
        figures.p50,
        figures.p90,
        figures.p99,
        figures.max,
        figures.bot_cpu_ms_per_run,
        figures.idle_cpu * 100.0,
        mib(figures.peak_kb)
    );
    for problem in problems.iter().take(5) {
        println!("  /status problem: {problem}");
    }
    Ok(figures)
}
