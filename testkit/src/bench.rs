//! What the benchmarks share: each backend measured in a child process of its own (so
//! its peak memory is its own), the sim on a runtime of its own (so its CPU time is not
//! the bot's), a fresh SQLite file or PostgreSQL database per run, Agora's environment
//! for a run, the machine's name and percentiles, and the shift board the shift benchmarks
//! set up through the sim as people would (`configure`, `drop_shifts`, `posted`).
//!
//! A benchmark's `main` is: `if let Ok(backend) = std::env::var(CHILD_ENV)` measure that
//! backend and `exit(child_report(backend, outcome))`; else `for backend in backends()`
//! collect `run_child(backend)` and print the table.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::boot::Agora;
use agora_actors::feature::{Feature, FeatureStart};
use agora_sim::actions::{CommandOption, CommandRun};
use agora_sim::gateway::flood::{FloodReport, FloodRequest};
use agora_sim::{DemoWorld, Sim, SimConfig};
use anyhow::{bail, ensure, Context as _};
use chrono::{DateTime, Utc};
use twilight_gateway::{
    ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId, StreamExt as _,
};

use crate::postgres::FreshPostgres;
use crate::read::message_text;
use crate::scratch::unique_name;
use crate::services::{configured, POSTGRES_URL};
use crate::wait::waited_until;

/// Set in a child process: the backend it measures.
pub const CHILD_ENV: &str = "AGORA_BENCH_CHILD";

/// How a child's stdout line with its figures starts.
pub const RESULT_PREFIX: &str = "AGORA_BENCH_RESULT ";

/// A number from the environment, or `default` when unset or not a number.
pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}

/// The CPU's model name from `/proc/cpuinfo`, for the figures' caption.
pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, model)| model.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// `AGORA_TEST_POSTGRES_URL` when set: a benchmark measures PostgreSQL only then (and
/// says itself that it left it out).
pub fn postgres_url() -> Option<String> {
    configured(POSTGRES_URL)
}

/// The backends to measure: SQLite, and PostgreSQL when `AGORA_TEST_POSTGRES_URL` is
/// set (a line says it was skipped when not).
pub fn backends() -> Vec<&'static str> {
    let mut backends = vec!["sqlite"];
    match postgres_url() {
        Some(_) => backends.push("postgres"),
        None => println!(
            "PostgreSQL skipped: set AGORA_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)."
        ),
    }
    backends
}

/// The child's side of [`run_child`]: prints the figures for the parent (or why there
/// are none) and returns the process's exit code.
pub fn child_report<R: serde::Serialize>(backend: &str, outcome: anyhow::Result<R>) -> i32 {
    match outcome {
        Ok(result) => {
            let json = serde_json::to_string(&result).expect("the figures serialize");
            println!("{RESULT_PREFIX}{json}");
            0
        }
        Err(error) => {
            eprintln!("[{backend}] failed: {error:#}");
            1
        }
    }
}

/// Starts the sim on a tokio runtime of its own, two threads named `thread_name`, so the
/// CPU time of each thread tells the bot's work from the sim's.
pub fn start_sim(
    config: SimConfig,
    thread_name: &str,
) -> anyhow::Result<(tokio::runtime::Runtime, Sim)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(thread_name)
        .enable_all()
        .build()
        .context("the sim's runtime")?;
    let sim = runtime
        .block_on(Sim::start(config))
        .context("starting agora-sim")?;
    Ok((runtime, sim))
}

/// The sim of one benchmark child, on its runtime of its own: the sim's people (the load)
/// run there too, so the bot's threads do only the bot's work.
pub struct BenchSim {
    pub sim: std::sync::Arc<Sim>,
    pub sim_runtime: tokio::runtime::Handle,
}

/// A benchmark child's whole life: the demo sim on threads named `thread_name`, `measure`
/// run inside Agora's actor system, the sim stopped, the figures (or the error) reported
/// for the parent. Returns the child's exit code.
pub fn child_with_sim<R, F, Fut>(backend: &str, thread_name: &str, measure: F) -> i32
where
    R: serde::Serialize,
    F: FnOnce(BenchSim) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<R>>,
{
    let outcome = start_sim(SimConfig::demo(), thread_name).and_then(|(sim_runtime, sim)| {
        let harness = BenchSim {
            sim: std::sync::Arc::new(sim),
            sim_runtime: sim_runtime.handle().clone(),
        };
        let outcome = agora::actor_system().block_on(measure(harness));
        sim_runtime.shutdown_timeout(std::time::Duration::from_secs(1));
        outcome
    });
    child_report(backend, outcome)
}

/// Agora's environment for one run: pointed at the sim and at `database`, its ops
/// endpoint on a free port, logging warnings only, with no per-user cooldown (the load
/// repeats commands on purpose).
pub fn agora_env(sim: &Sim, database: &Database) -> HashMap<String, String> {
    let mut env = agora::sandbox::sim_overrides(sim, &database.sqlite_path());
    env.insert("AGORA_OPS__LISTEN".into(), "127.0.0.1:0".into());
    env.insert("AGORA_LOG__LEVEL".into(), "warn".into());
    env.insert("AGORA_RUNTIME__COOLDOWN_SECS".into(), "0".into());
    if let Database::Postgres(database) = database {
        env.insert("AGORA_DATABASE__URL".into(), database.url().to_owned());
    }
    let given = settings_from_env();
    if !given.is_empty() {
        let listed: Vec<String> = given.iter().map(|(k, v)| format!("{k}={v}")).collect();
        eprintln!(
            "non-default settings from the environment: {}",
            listed.join(" ")
        );
    }
    env.extend(given);
    env
}

/// Agora settings given to a bench as `AGORA_<TABLE>__<KEY>` environment variables (say
/// `AGORA_DATABASE__MAX_CONNECTIONS=4`): passed on to the Agora it starts, over the bench's
/// own, and printed with the figures as non-default settings.
pub fn settings_from_env() -> Vec<(String, String)> {
    let mut settings: Vec<(String, String)> = std::env::vars()
        .filter(|(name, _)| name.starts_with("AGORA_") && name.contains("__"))
        .collect();
    settings.sort();
    settings
}

/// Agora started for one run on its own database; [`BenchAgora::stop`] shuts it down
/// (printing what the shutdown left) and removes the database.
pub struct BenchAgora {
    pub agora: agora::boot::Agora,
    database: Database,
    _log: agora::telemetry::LogGuard,
}

impl BenchAgora {
    /// Starts Agora (the same boot as `agora run`) with `env` on `database`; the database
    /// is removed when the start fails.
    pub async fn start(database: Database, env: &HashMap<String, String>) -> anyhow::Result<Self> {
        use agora::config::{Config, ConfigSource};
        let config = match Config::load(ConfigSource::Default, env) {
            Ok(config) => config,
            Err(problems) => {
                database.remove().await;
                bail!("the configuration has problems:\n{problems}");
            }
        };
        let log = agora::telemetry::init(&config.log)?;
        match agora::boot::Agora::start(&config, agora::boot::BootOptions::default()).await {
            Ok(agora) => Ok(BenchAgora {
                agora,
                database,
                _log: log,
            }),
            Err(error) => {
                database.remove().await;
                Err(error.context("Agora did not start"))
            }
        }
    }

    pub async fn stop(self) {
        let report = self.agora.shutdown().await;
        self.database.remove().await;
        println!(
            "shutdown: {} session(s) saved, {} unfinished",
            report.sessions_saved, report.unfinished
        );
    }
}

/// Runs one backend in a child process (this executable with `AGORA_BENCH_CHILD` set);
/// echoes its lines and returns the figures it printed after [`RESULT_PREFIX`].
pub fn run_child<R: serde::de::DeserializeOwned>(backend: &str) -> anyhow::Result<R> {
    let exe = std::env::current_exe().context("finding this benchmark's executable")?;
    let mut child = Command::new(exe)
        .env(CHILD_ENV, backend)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting the child process")?;
    let stdout = child.stdout.take().context("the child's stdout")?;
    let mut result = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.context("reading the child's output")?;
        match line.strip_prefix(RESULT_PREFIX) {
            Some(json) => result = Some(serde_json::from_str(json).context("the child's figures")?),
            None => println!("[{backend}] {line}"),
        }
    }
    let status = child.wait().context("waiting for the child")?;
    if !status.success() {
        bail!("the {backend} run failed ({status})");
    }
    result.context("the child printed no figures")
}

/// Where one run's data lives, removed by [`Database::remove`].
pub enum Database {
    Sqlite(PathBuf),
    Postgres(Box<FreshPostgres>),
}

impl Database {
    /// A fresh SQLite file (`"sqlite"`) or PostgreSQL database (`"postgres"`, on the
    /// server of `AGORA_TEST_POSTGRES_URL`).
    pub async fn create(backend: &str) -> anyhow::Result<Database> {
        match backend {
            "sqlite" => Ok(Database::Sqlite(
                std::env::temp_dir().join(format!("{}.db", unique_name("agora_bench", '_'))),
            )),
            "postgres" => {
                let base = postgres_url().context("AGORA_TEST_POSTGRES_URL is not set")?;
                Ok(Database::Postgres(Box::new(
                    FreshPostgres::on(&base, "agora_bench").await?,
                )))
            }
            other => bail!("unknown backend {other:?}"),
        }
    }

    /// The file `sim_overrides` names (unused for PostgreSQL, whose URL overrides it).
    pub fn sqlite_path(&self) -> PathBuf {
        match self {
            Database::Sqlite(path) => path.clone(),
            Database::Postgres(database) => {
                std::env::temp_dir().join(format!("{}.db", database.name()))
            }
        }
    }

    pub async fn remove(self) {
        match self {
            Database::Sqlite(path) => agora::sandbox::remove_database(&path),
            Database::Postgres(database) => database.remove().await,
        }
    }
}

/// Nearest-rank percentile of sorted values (`q` in 0..=1); NaN for no values.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// "median (min–max)" of the repetitions' figures.
pub fn median_range(values: &[f64]) -> String {
    median_range_to(values, 1)
}

/// [`median_range`] with `decimals` places.
pub fn median_range_to(values: &[f64], decimals: usize) -> String {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => "–".into(),
        1 => format!("{:.decimals$} (one run)", sorted[0]),
        n => format!(
            "{:.decimals$} ({:.decimals$}–{:.decimals$})",
            percentile(&sorted, 0.5),
            sorted[0],
            sorted[n - 1]
        ),
    }
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

/// "SQLite" or "PostgreSQL", as the tables print a backend.
pub fn backend_name(backend: &str) -> &str {
    match backend {
        "sqlite" => "SQLite",
        "postgres" => "PostgreSQL",
        other => other,
    }
}

/// A deterministic random sequence's start for stream `n` (a claimer, a repetition): no
/// two alike, the same on every run.
pub fn seed(n: usize) -> u64 {
    0x9e37_79b9_7f4a_7c15_u64.wrapping_mul(n as u64 + 1) | 1
}

/// The next number of a xorshift sequence.
pub fn xorshift(mut x: u64) -> u64 {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    x
}

/// How long a setup command may take to be answered.
const SETUP_ANSWER: Duration = Duration::from_secs(15);
/// How many `/shift drop`s are in flight at once while setting up.
pub const DROPS_IN_FLIGHT: usize = 8;

/// `/config …` run by the demo's admin; fails unless the answer starts with "Done".
pub async fn configure(
    sim: &Sim,
    demo: &DemoWorld,
    options: Vec<CommandOption>,
) -> anyhow::Result<()> {
    let id = sim.run_command(CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id: demo.general_id,
        user_id: demo.admin_id,
        name: "config".into(),
        options,
        unchecked: false,
    })?;
    let record = sim.answer(id, SETUP_ANSWER).await?;
    let text = message_text(&record.payload);
    ensure!(text.starts_with("Done"), "/config answered: {text}");
    Ok(())
}

/// The shift staff as the demo's admin sets them up: the Moderator role and the `shifts`
/// channel (`/config moderator-role`, `/config shifts channel`).
pub async fn configure_shift_staff(sim: &Sim, demo: &DemoWorld) -> anyhow::Result<()> {
    configure(
        sim,
        demo,
        vec![CommandOption::sub(
            "moderator-role",
            vec![CommandOption::value(
                "role",
                demo.moderator_role_id.to_string(),
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
                "channel",
                vec![CommandOption::value("value", demo.shifts_id.to_string())],
            )],
        )],
    )
    .await
}

/// Drops `count` shifts of `minutes` with `/shift drop`, the demo's moderators in turn,
/// back to back from `first` + `offset` shifts (named "Bench cover <n>"); their ids.
pub async fn drop_shifts(
    harness: &BenchSim,
    demo: &DemoWorld,
    first: DateTime<Utc>,
    offset: usize,
    count: usize,
    minutes: i64,
) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(count);
    let mut next = 0;
    while next < count {
        let batch: Vec<_> = (next..(next + DROPS_IN_FLIGHT).min(count))
            .map(|n| {
                let sim = harness.sim.clone();
                let start = first + chrono::Duration::minutes(minutes * (offset + n) as i64);
                let run = CommandRun {
                    guild_id: Some(demo.guild_id),
                    channel_id: demo.general_id,
                    user_id: demo.moderator_ids[n % demo.moderator_ids.len()],
                    name: "shift".into(),
                    options: vec![CommandOption::sub(
                        "drop",
                        vec![
                            CommandOption::value(
                                "description",
                                format!("Bench cover {}", offset + n),
                            ),
                            CommandOption::value(
                                "start",
                                start.format("%Y-%m-%d %H:%M").to_string(),
                            ),
                            CommandOption::value("duration_minutes", minutes),
                            CommandOption::value("zone", "UTC"),
                        ],
                    )],
                    unchecked: false,
                };
                harness.sim_runtime.spawn(async move {
                    let id = sim.run_command(run)?;
                    let record = sim.answer(id, SETUP_ANSWER).await?;
                    let text = message_text(&record.payload);
                    text.strip_prefix("Shift #")
                        .and_then(|rest| rest.split_whitespace().next())
                        .and_then(|id| id.parse::<i64>().ok())
                        .with_context(|| format!("/shift drop answered: {text}"))
                })
            })
            .collect();
        next += batch.len();
        for task in batch {
            ids.push(task.await.context("a drop's task")??);
        }
    }
    Ok(ids)
}

/// Each shift's posted message id, as stored: (shift id, message id).
pub async fn posted(
    agora: &Agora,
    demo: &DemoWorld,
    ids: &[i64],
) -> anyhow::Result<Vec<(i64, u64)>> {
    let store = &agora.kernel().store;
    let guild = twilight_model::id::Id::new(demo.guild_id);
    let mut board = Vec::with_capacity(ids.len());
    for &id in ids {
        let shift = store
            .shift(guild, id)
            .await?
            .with_context(|| format!("shift #{id} is stored"))?;
        let message_id = shift
            .message_id
            .with_context(|| format!("shift #{id} is posted"))?;
        board.push((id, message_id.get()));
    }
    Ok(board)
}

/// The name of the bare twilight-gateway shard's thread (its CPU time is told apart by it).
pub const BARE_SHARD_THREAD: &str = "bare-shard";

/// A twilight-gateway shard connected to the sim on a thread of its own (named `name`,
/// so its CPU time is told apart), on a single-threaded runtime as Agora's shards are:
/// each event of `wanted` but READY goes to `on_event` until [`ShardThread::stop`].
struct ShardThread {
    ready: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl ShardThread {
    fn start(
        sim: &Sim,
        name: &str,
        intents: Intents,
        wanted: EventTypeFlags,
        mut on_event: impl FnMut(Event) + Send + 'static,
    ) -> anyhow::Result<ShardThread> {
        let ready = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let config = ConfigBuilder::new(sim.token().to_owned(), intents)
            .proxy_url(sim.gateway_url().trim_end_matches('/').to_owned())
            .build();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .with_context(|| format!("the {name} thread's runtime"))?;
        let thread = {
            let (ready, stop) = (ready.clone(), stop.clone());
            std::thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    runtime.block_on(async {
                        let mut shard = Shard::with_config(ShardId::ONE, config);
                        while !stop.load(Ordering::Relaxed) {
                            let next = tokio::time::timeout(
                                Duration::from_millis(100),
                                shard.next_event(wanted | EventTypeFlags::READY),
                            )
                            .await;
                            match next {
                                Ok(Some(Ok(Event::Ready(_)))) => {
                                    ready.store(true, Ordering::Relaxed)
                                }
                                Ok(Some(Ok(event))) => on_event(event),
                                Ok(None) => break,
                                Ok(Some(Err(_))) | Err(_) => {}
                            }
                        }
                    });
                    // Whatever `on_event` holds (a runtime, say) is dropped here, outside
                    // the shard's runtime.
                    drop(on_event);
                })
                .with_context(|| format!("the {name} thread"))?
        };
        Ok(ShardThread {
            ready,
            stop,
            thread,
        })
    }

    fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }

    /// Stops the shard (its connection just drops) and waits for its thread.
    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}

/// A bare twilight-gateway shard connected to the sim beside the bot's: it reads, inflates
/// and parses MESSAGE_CREATE into twilight's model and counts it, nothing else, on a
/// thread of its own (named `BARE_SHARD_THREAD`) so its CPU time is told from the bot's.
pub struct BareShard {
    pub count: Arc<AtomicU64>,
    shard: ShardThread,
}

impl BareShard {
    pub fn start(sim: &Sim) -> anyhow::Result<BareShard> {
        let count = Arc::new(AtomicU64::new(0));
        let counted = count.clone();
        // The bot's intents for messages (core's prefix commands).
        let shard = ShardThread::start(
            sim,
            BARE_SHARD_THREAD,
            Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
            EventTypeFlags::MESSAGE_CREATE,
            move |event| {
                if matches!(event, Event::MessageCreate(_)) {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            },
        )?;
        Ok(BareShard { count, shard })
    }

    /// Whether the shard has its READY.
    pub fn is_ready(&self) -> bool {
        self.shard.is_ready()
    }

    /// Stops the shard (its connection just drops) and returns the events it counted.
    pub fn stop(self) -> u64 {
        self.shard.stop();
        self.count.load(Ordering::Relaxed)
    }
}

/// A field of /proc/self/status, in kB.
pub fn proc_status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Floods measured beside a bare shard: the CPU per MESSAGE_CREATE of the bot and of a
// bare twilight shard in the same run (benches/security.rs, benches/governance.rs)
// ---------------------------------------------------------------------------------------

/// The name of the sim's threads when started by [`start_sim`] for a CPU measurement.
pub const SIM_THREADS: &str = "agora-sim";

/// One flood's figures.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Flood {
    /// The bot's CPU time (every thread but the sim's and the bare shard's) per event, µs.
    pub bot_us: f64,
    /// The bare shard's, µs per event it parsed.
    pub bare_us: f64,
    pub events_per_second: f64,
    /// Calls the bot made to Discord during the flood other than GETs (should be none).
    pub actions: usize,
}

/// CPU time so far (seconds) of the threads alive now: the bot's, the sim's, the bare
/// shard's. From `/proc/self/task/*/schedstat` (nanoseconds on the CPU), else `stat`'s
/// clock ticks.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpuTime {
    pub bot: f64,
    pub sim: f64,
    pub bare: f64,
}

impl CpuTime {
    pub fn now() -> Self {
        let mut time = CpuTime::default();
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return time;
        };
        for task in tasks.flatten() {
            let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            let seconds = std::fs::read_to_string(task.path().join("schedstat"))
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .map(|ns| ns as f64 / 1e9)
                .unwrap_or_else(|| stat_seconds(&task.path()));
            if name.starts_with(SIM_THREADS) {
                time.sim += seconds;
            } else if name.starts_with(BARE_SHARD_THREAD) {
                time.bare += seconds;
            } else {
                time.bot += seconds;
            }
        }
        time
    }

    pub fn since(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            bot: (self.bot - earlier.bot).max(0.0),
            sim: (self.sim - earlier.sim).max(0.0),
            bare: (self.bare - earlier.bare).max(0.0),
        }
    }
}

/// User and system time from a task's `stat`, in clock ticks of 1/100 s.
fn stat_seconds(task: &std::path::Path) -> f64 {
    let Ok(stat) = std::fs::read_to_string(task.join("stat")) else {
        return 0.0;
    };
    let Some(close) = stat.rfind(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks = |index: usize| {
        fields
            .get(index)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (ticks(11) + ticks(12)) as f64 / 100.0
}

/// MESSAGE_CREATE the bot's bus delivered, counted by a callback (the production path).
pub struct MessageCounting {
    pub count: Arc<AtomicU64>,
}

impl Feature for MessageCounting {
    fn name(&self) -> &'static str {
        "bench-message-counter"
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let count = self.count;
        start.bus.subscribe(
            "bench-message-counter",
            EventTypeFlags::MESSAGE_CREATE,
            Arc::new(move |event| {
                if let Event::MessageCreate(_) = event.event.as_ref() {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                agora_actors::bus::delivered()
            }),
        );
    }
}

/// One flood of `events` MESSAGE_CREATE of ordinary chat in the sim's first guild (its
/// text channels in turn, ids `spacing_ms` simulated ms apart), with a bare shard beside
/// the bot: the bot's and the bare shard's CPU per event, and what the sim sent where.
/// `count` is the bot's [`MessageCounting`]; every event must reach both.
pub async fn measured_flood(
    harness: &BenchSim,
    count: &Arc<AtomicU64>,
    events: u64,
    spacing_ms: f64,
    what: &str,
) -> anyhow::Result<(Flood, FloodReport)> {
    let sim = &harness.sim;
    let bare = BareShard::start(sim)?;
    waited_until("the bare shard's READY", Duration::from_secs(20), || {
        bare.is_ready()
    })
    .await?;
    // The bare shard's GUILD_CREATEs and the settings' answer settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    count.store(0, Ordering::SeqCst);
    let requests_before = sim.state().requests.total();
    let cpu_before = CpuTime::now();
    let started = Instant::now();
    let flooding = {
        let sim = sim.clone();
        harness.sim_runtime.spawn(async move {
            sim.flood(FloodRequest {
                event: "MESSAGE_CREATE".into(),
                count: events,
                rate_per_s: None,
                guild_id: None,
                spacing_ms: Some(spacing_ms),
            })
            .await
        })
    };
    let timeout = Duration::from_secs(60.max(events / 500));
    let all = waited_until("every event", timeout, || {
        count.load(Ordering::Relaxed) >= events && bare.count.load(Ordering::Relaxed) >= events
    })
    .await
    .is_ok();
    let seconds = started.elapsed().as_secs_f64();
    let cpu = CpuTime::now().since(cpu_before);
    let bare_events = bare.stop();
    let report = flooding
        .await
        .context("the flood task")?
        .context("the flood")?;
    let counted = count.load(Ordering::SeqCst);
    ensure!(
        all,
        "{what}: only {counted} of {} events reached the bot (and {bare_events} the bare shard) within {timeout:?}",
        events
    );
    // Anything the monitor did would show as a call: a deletion, a timeout, a log post.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let actions: Vec<String> = sim
        .requests(requests_before)
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let figures = Flood {
        bot_us: cpu.bot / counted as f64 * 1e6,
        bare_us: cpu.bare / bare_events.max(1) as f64 * 1e6,
        events_per_second: counted as f64 / seconds,
        actions: actions.len(),
    };
    println!(
        "flood, {what}: {counted} MESSAGE_CREATE in {seconds:.2} s ({:.0}/s); bot {:.2} µs of CPU per event, bare shard {:.2} µs, sim {:.2} cores; {} Discord call(s) {:?}",
        figures.events_per_second,
        figures.bot_us,
        figures.bare_us,
        cpu.sim / seconds,
        actions.len(),
        actions.iter().take(5).collect::<Vec<_>>()
    );
    Ok((figures, report))
}

/// `perf record --control fifo:<path>` while a bench's measured window runs: with
/// `AGORA_BENCH_PERF_FIFO` set, [`ProfiledWindow::open`] writes `enable` to that fifo and
/// dropping the window writes `disable`, so a profile holds the load and not the setup:
///
/// ```sh
/// mkfifo /tmp/perf.ctl
/// AGORA_BENCH_PERF_FIFO=/tmp/perf.ctl perf record -D -1 --control fifo:/tmp/perf.ctl -g \
///     target/release/deps/shifts-<hash> --bench
/// ```
pub struct ProfiledWindow {
    fifo: Option<std::fs::File>,
}

impl ProfiledWindow {
    /// Starts the profile (a no-op without `AGORA_BENCH_PERF_FIFO`).
    pub fn open() -> Self {
        let fifo = std::env::var_os("AGORA_BENCH_PERF_FIFO").and_then(|path| {
            let mut fifo = std::fs::OpenOptions::new().write(true).open(path).ok()?;
            std::io::Write::write_all(&mut fifo, b"enable\n").ok()?;
            Some(fifo)
        });
        Self { fifo }
    }
}

impl Drop for ProfiledWindow {
    fn drop(&mut self) {
        if let Some(fifo) = &mut self.fifo {
            let _ = std::io::Write::write_all(fifo, b"disable\n");
        }
    }
}

// ---------------------------------------------------------------------------------------
// The floor: a bare twilight responder answering Claim clicks (benches/shifts.rs)
// ---------------------------------------------------------------------------------------

/// The name of the bare responder's threads (its shard's and its workers').
pub const BARE_RESPONDER_THREAD: &str = "bare-responder";

/// `components` with every button disabled (a claimed shift's Claim button stays, greyed).
fn disabled(
    mut components: Vec<twilight_model::channel::message::Component>,
) -> Vec<twilight_model::channel::message::Component> {
    use twilight_model::channel::message::Component;
    for component in &mut components {
        match component {
            Component::ActionRow(row) => {
                row.components = disabled(std::mem::take(&mut row.components))
            }
            Component::Button(button) => button.disabled = true,
            _ => {}
        }
    }
    components
}

/// The least any bot could do for the claim load: a twilight-gateway shard on a thread of
/// its own (as Agora's) hands each INTERACTION_CREATE to a two-thread tokio runtime, which
/// claims the shift in a map in memory (or, for a slash command it was given, takes the
/// fixed text) and answers with twilight-http (no rate limiter,
/// as Agora's interaction client): the winner with the message updated (type 7: its embeds
/// kept, "✅ Claimed by <@…>", its buttons disabled), everyone else with an ephemeral "Too late". No
/// database, no actors, no translations, no permission checks: what the sim and the
/// machine cost, measured with the same claimers, so the bot's share can be told apart.
pub struct BareResponder {
    /// Shift custom ids → the user who claimed it.
    pub claims: Claims,
    shard: ShardThread,
}

/// The bare responder's claims: a Claim button's custom id → who holds that shift.
pub type Claims = Arc<std::sync::Mutex<HashMap<String, u64>>>;

impl BareResponder {
    /// Starts the responder; `commands` are the slash commands it answers (by name) with
    /// the text given, as an ephemeral message (say `("status", "Agora is healthy")`).
    pub fn start(sim: &Sim, commands: &[(&str, &str)]) -> anyhow::Result<BareResponder> {
        let claims = Claims::default();
        let answers = Arc::new(Answers {
            http: twilight_http::Client::builder()
                .token(sim.token().to_owned())
                .proxy(sim.http_authority().to_owned(), true)
                .ratelimiter(None)
                .build(),
            application: twilight_model::id::Id::new(sim.application_id()),
            commands: commands
                .iter()
                .map(|(name, text)| (name.to_string(), text.to_string()))
                .collect(),
            claims: claims.clone(),
        });
        let workers = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(BARE_RESPONDER_THREAD)
            .enable_all()
            .build()
            .context("the bare responder's runtime")?;
        let shard = ShardThread::start(
            sim,
            BARE_RESPONDER_THREAD,
            Intents::GUILDS,
            EventTypeFlags::INTERACTION_CREATE,
            move |event| {
                if let Event::InteractionCreate(interaction) = event {
                    workers.spawn(answers.clone().answer(interaction.0));
                }
            },
        )?;
        Ok(BareResponder { claims, shard })
    }

    /// Whether the responder's shard has its READY.
    pub fn is_ready(&self) -> bool {
        self.shard.is_ready()
    }

    /// Stops the responder (its connection just drops).
    pub fn stop(self) {
        self.shard.stop();
    }
}

/// What the bare responder answers with.
struct Answers {
    http: twilight_http::Client,
    application: twilight_model::id::Id<twilight_model::id::marker::ApplicationMarker>,
    /// Slash command name → its fixed text.
    commands: HashMap<String, String>,
    claims: Claims,
}

impl Answers {
    /// Answers one interaction: a command it knows with its text, a Claim click with the
    /// message updated (the first click on that button) or "Too late"; anything else not.
    async fn answer(
        self: Arc<Self>,
        interaction: twilight_model::application::interaction::Interaction,
    ) {
        use twilight_model::application::interaction::InteractionData;
        use twilight_model::channel::message::MessageFlags;
        use twilight_model::http::interaction::{
            InteractionResponse, InteractionResponseData, InteractionResponseType,
        };

        let private = |text: String| InteractionResponse {
            kind: InteractionResponseType::ChannelMessageWithSource,
            data: Some(InteractionResponseData {
                content: Some(text),
                flags: Some(MessageFlags::EPHEMERAL),
                ..Default::default()
            }),
        };
        let response = match (&interaction.data, interaction.author_id()) {
            (Some(InteractionData::ApplicationCommand(command)), _) => {
                let Some(text) = self.commands.get(&command.name) else {
                    return;
                };
                private(text.clone())
            }
            (Some(InteractionData::MessageComponent(data)), Some(user)) => {
                let holder = *self
                    .claims
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .entry(data.custom_id.clone())
                    .or_insert(user.get());
                if holder == user.get() {
                    let message = interaction.message.as_ref();
                    InteractionResponse {
                        kind: InteractionResponseType::UpdateMessage,
                        data: Some(InteractionResponseData {
                            content: Some(format!("✅ Claimed by <@{user}>")),
                            embeds: message.map(|message| message.embeds.clone()),
                            components: message.map(|message| disabled(message.components.clone())),
                            ..Default::default()
                        }),
                    }
                } else {
                    let shift = data.custom_id.rsplit(':').next().unwrap_or("?");
                    private(format!(
                        "Too late: <@{holder}> has already claimed shift #{shift}."
                    ))
                }
            }
            _ => return,
        };
        let _ = self
            .http
            .interaction(self.application)
            .create_response(interaction.id, &interaction.token, &response)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn percentiles_are_nearest_rank() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile(&values, 0.5), 5.0);
        assert_eq!(percentile(&values, 0.9), 9.0);
        assert_eq!(percentile(&values, 0.99), 10.0);
        assert_eq!(percentile(&values, 0.0), 1.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
