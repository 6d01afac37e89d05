//! What the benchmarks share: each backend measured in a child process of its own (so
//! its peak memory is its own), a fresh SQLite file or PostgreSQL database per run, the
//! machine's name, percentiles and polling. Included by each bench with `mod support;`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context as _};
use std::collections::HashMap;

/// Set in a child process: the backend it measures.
pub const CHILD_ENV: &str = "AGORA_BENCH_CHILD";

/// How a child's stdout line with its figures starts.
pub const RESULT_PREFIX: &str = "AGORA_BENCH_RESULT ";

pub fn env_number<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(default)
}

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

pub fn postgres_url() -> Option<String> {
    std::env::var("AGORA_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// Runs one backend in a child process; echoes its lines and returns its figures.
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

/// Where this run's data lives, removed by [`Database::remove`].
pub enum Database {
    Sqlite(PathBuf),
    Postgres {
        admin: Box<tokio_postgres::Config>,
        name: String,
        url: String,
    },
}

impl Database {
    pub async fn create(backend: &str) -> anyhow::Result<Database> {
        let unique = format!(
            "agora_bench_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        match backend {
            "sqlite" => Ok(Database::Sqlite(
                std::env::temp_dir().join(format!("{unique}.db")),
            )),
            "postgres" => {
                let base = postgres_url().context("AGORA_TEST_POSTGRES_URL is not set")?;
                let mut admin: tokio_postgres::Config = base
                    .parse()
                    .context("AGORA_TEST_POSTGRES_URL does not parse")?;
                if admin.get_password().is_none() {
                    if let Some(password) = pg_password() {
                        admin.password(password);
                    }
                }
                let client = match admin_client(&admin).await {
                    Ok(client) => client,
                    Err(first) => {
                        // The URL's database may not exist yet: `postgres` always does.
                        admin.dbname("postgres");
                        admin_client(&admin)
                            .await
                            .with_context(|| format!("cannot reach PostgreSQL ({first})"))?
                    }
                };
                client
                    .batch_execute(&format!("CREATE DATABASE {unique}"))
                    .await
                    .context("CREATE DATABASE")?;
                Ok(Database::Postgres {
                    admin: Box::new(admin),
                    url: with_database(&base, &unique),
                    name: unique,
                })
            }
            other => bail!("unknown backend {other:?}"),
        }
    }

    /// The file `sim_overrides` names (unused for PostgreSQL, whose URL overrides it).
    pub fn sqlite_path(&self) -> PathBuf {
        match self {
            Database::Sqlite(path) => path.clone(),
            Database::Postgres { name, .. } => std::env::temp_dir().join(format!("{name}.db")),
        }
    }

    pub fn overrides(&self, env: &mut HashMap<String, String>) {
        if let Database::Postgres { url, .. } = self {
            env.insert("AGORA_DATABASE__URL".into(), url.clone());
            if let Some(password) = pg_password() {
                env.insert("AGORA_DATABASE__PASSWORD".into(), password);
            }
        }
    }

    pub async fn remove(self) {
        match self {
            Database::Sqlite(path) => agora::sandbox::remove_database(&path),
            Database::Postgres { admin, name, .. } => {
                let dropped = async {
                    admin_client(&admin)
                        .await?
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await
                };
                if let Err(error) = dropped.await {
                    eprintln!("could not drop the benchmark database {name}: {error}");
                }
            }
        }
    }
}

pub fn pg_password() -> Option<String> {
    std::env::var("PGPASSWORD").ok().filter(|p| !p.is_empty())
}

pub async fn admin_client(
    config: &tokio_postgres::Config,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// `url` pointing at database `name` instead of its own.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let without_database = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{without_database}/{name}?{query}"),
        None => format!("{without_database}/{name}"),
    }
}

pub async fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    while !done() {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
