//! What the benchmarks share: each backend measured in a child process of its own (so
//! its peak memory is its own), the sim on a runtime of its own (so its CPU time is not
//! the bot's), a fresh SQLite file or PostgreSQL database per run, Agora's environment
//! for a run, the machine's name and percentiles.
//!
//! A benchmark's `main` is: `if let Ok(backend) = std::env::var(CHILD_ENV)` measure that
//! backend and `exit(child_report(backend, outcome))`; else `for backend in backends()`
//! collect `run_child(backend)` and print the table.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use agora_sim::{Sim, SimConfig};
use anyhow::{bail, Context as _};

use crate::postgres::FreshPostgres;
use crate::scratch::unique_name;
use crate::services::{configured, POSTGRES_URL};

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
    env
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
