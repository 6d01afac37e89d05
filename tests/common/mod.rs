//! What the end-to-end tests share: agora-sim's demo world and the real Agora (the same
//! boot as `agora run`) connected to it, and helpers that act as the demo's people.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use agora::boot::{Agora, BootOptions, Extension};
use agora::config::{Config, ConfigSource};
use agora_actors::kernel::clock::SystemClock;
use agora_sim::actions::{CommandOption, CommandRun, ComponentUse, InteractionRecord};
use agora_sim::{DemoWorld, Sim, SimConfig};
use serde_json::Value;

/// How long a person waits for an answer before the test fails.
pub const ANSWER: Duration = Duration::from_secs(10);

/// A folder no other test uses, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(prefix: &str) -> Scratch {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        Scratch(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The configuration pointing at the sim, with `extra` environment overrides.
pub fn config_for(sim: &Sim, database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut env: HashMap<String, String> =
        agora::sandbox::sim_overrides(sim, std::path::Path::new("unused.db"));
    env.insert("AGORA_DATABASE__URL".into(), database_url.to_owned());
    env.insert("AGORA_OPS__LISTEN".into(), "127.0.0.1:0".into());
    env.insert("AGORA_LOG__LEVEL".into(), "warn".into());
    for (key, value) in extra {
        env.insert((*key).to_owned(), (*value).to_owned());
    }
    Config::load(ConfigSource::Default, &env).expect("the test configuration is valid")
}

/// The sim and a running Agora.
pub struct Harness {
    pub sim: Sim,
    pub demo: DemoWorld,
    pub agora: Option<Agora>,
    pub config: Config,
    pub scratch: Scratch,
    /// The clock every actor reads (the system's unless a test drives a manual one).
    pub clock: agora_actors::kernel::clock::SharedClock,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(&[], Vec::new()).await
    }

    /// Starts the sim's demo world and Agora on a fresh SQLite file.
    pub async fn start_with(extra: &[(&str, &str)], extensions: Vec<Extension>) -> Harness {
        Harness::start_with_clock(extra, extensions, Arc::new(SystemClock)).await
    }

    /// [`Harness::start_with`] with the clock the actors read.
    pub async fn start_with_clock(
        extra: &[(&str, &str)],
        extensions: Vec<Extension>,
        clock: agora_actors::kernel::clock::SharedClock,
    ) -> Harness {
        let sim = Sim::start(SimConfig::demo()).await.expect("the sim starts");
        let demo = sim.demo().expect("the demo world");
        let scratch = Scratch::new("agora-e2e");
        let url = format!("sqlite://{}", scratch.0.join("agora.db").display());
        let config = config_for(&sim, &url, extra);
        let mut harness = Harness {
            sim,
            demo,
            agora: None,
            config,
            scratch,
            clock,
        };
        harness.boot(extensions).await;
        harness
    }

    /// Starts Agora (again) with the harness's configuration and waits for the gateway.
    pub async fn boot(&mut self, extensions: Vec<Extension>) {
        let options = BootOptions {
            extensions,
            clock: self.clock.clone(),
            ..BootOptions::default()
        };
        let agora = Agora::start(&self.config, options)
            .await
            .expect("Agora starts");
        wait_until("the gateway connection", Duration::from_secs(10), || {
            agora.connected()
        })
        .await;
        self.agora = Some(agora);
    }

    pub fn agora(&self) -> &Agora {
        self.agora.as_ref().expect("Agora is running")
    }

    /// Runs a slash command as `user` in `channel` and waits for what they see.
    pub async fn run(
        &self,
        user: u64,
        channel: u64,
        name: &str,
        options: Vec<CommandOption>,
    ) -> InteractionRecord {
        let id = self.send(user, channel, name, options);
        self.sim.answer(id, ANSWER).await.expect("an answer")
    }

    /// Sends a slash command without waiting; returns the interaction id.
    pub fn send(&self, user: u64, channel: u64, name: &str, options: Vec<CommandOption>) -> u64 {
        self.sim
            .run_command(CommandRun {
                guild_id: Some(self.demo.guild_id),
                channel_id: channel,
                user_id: user,
                name: name.to_owned(),
                options,
                unchecked: false,
            })
            .unwrap_or_else(|error| panic!("/{name} could not be run: {error}"))
    }

    /// Clicks a component (or picks `values` from a select) on a message.
    pub async fn click(
        &self,
        user: u64,
        message_id: u64,
        custom_id: &str,
        values: &[&str],
    ) -> InteractionRecord {
        let id = self
            .sim
            .use_component(ComponentUse {
                message_id,
                user_id: user,
                custom_id: custom_id.to_owned(),
                values: values.iter().map(|v| (*v).to_owned()).collect(),
                unchecked: false,
            })
            .unwrap_or_else(|error| panic!("{custom_id} could not be used: {error}"));
        self.sim.answer(id, ANSWER).await.expect("an answer")
    }

    pub async fn stop(&mut self) -> agora::boot::ShutdownReport {
        let agora = self.agora.take().expect("Agora is running");
        agora.shutdown().await
    }

    /// Sets this guild's settings as an admin would, through `/config`.
    pub async fn configure(&self, subcommand: &str, option: &str, value: u64) {
        let record = self
            .run(
                self.demo.admin_id,
                self.demo.general_id,
                "config",
                vec![CommandOption::sub(
                    subcommand,
                    vec![CommandOption::value(option, value.to_string())],
                )],
            )
            .await;
        let text = content(&record);
        assert!(text.starts_with("Done"), "/config {subcommand}: {text}");
    }
}

/// What the person reads: the message content and every embed's title, description and
/// fields, one per line.
pub fn content(record: &InteractionRecord) -> String {
    message_text(shown(record))
}

/// The message the person ends up seeing: after a public deferral that the bot replaced
/// with a private follow-up (the original deleted), that follow-up.
fn shown(record: &InteractionRecord) -> &Value {
    match record.followups.last() {
        Some(followup) if record.original_deleted => followup,
        _ => &record.payload,
    }
}

pub fn message_text(message: &Value) -> String {
    let mut text = message["content"].as_str().unwrap_or_default().to_owned();
    for embed in message["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            if let Some(part) = embed[key].as_str() {
                text.push('\n');
                text.push_str(part);
            }
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            text.push_str(&format!(
                "\n{}: {}",
                field["name"].as_str().unwrap_or_default(),
                field["value"].as_str().unwrap_or_default()
            ));
        }
    }
    text
}

/// Whether only the person who acted sees the answer.
pub fn is_private(record: &InteractionRecord) -> bool {
    shown(record)["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// Every custom_id in a message's components.
pub fn custom_ids(message: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        if let Some(id) = value["custom_id"].as_str() {
            out.push(id.to_owned());
        }
        for child in value["components"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let mut ids = Vec::new();
    for component in message["components"].as_array().into_iter().flatten() {
        walk(component, &mut ids);
    }
    ids
}

/// The answer's message id (the original response), for clicking its components.
pub fn message_id(record: &InteractionRecord) -> u64 {
    record
        .original
        .as_ref()
        .and_then(|m| m["id"].as_str())
        .and_then(|id| id.parse().ok())
        .or_else(|| record.payload["id"].as_str().and_then(|id| id.parse().ok()))
        .expect("the answer is a message")
}

pub async fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while !done() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A service URL from the environment, or `None` (after saying so) when its suites skip;
/// with `AGORA_TEST_REQUIRE_SERVICES=1` (CI) a missing URL fails the test instead.
pub fn service_url(variable: &str) -> Option<String> {
    match std::env::var(variable) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("AGORA_TEST_REQUIRE_SERVICES").as_deref() == Ok("1") => {
            panic!("AGORA_TEST_REQUIRE_SERVICES=1 but {variable} is not set")
        }
        _ => {
            eprintln!("skipped: {variable} is not set");
            None
        }
    }
}

/// A fresh PostgreSQL database on the test server, dropped afterwards.
pub struct FreshPostgres {
    pub url: String,
    name: String,
    admin: tokio_postgres::Config,
}

impl FreshPostgres {
    pub async fn create() -> Option<FreshPostgres> {
        let base = service_url("AGORA_TEST_POSTGRES_URL")?;
        let mut admin: tokio_postgres::Config = base.parse().expect("a PostgreSQL URL");
        if let Ok(password) = std::env::var("PGPASSWORD") {
            if admin.get_password().is_none() && !password.is_empty() {
                admin.password(password);
            }
        }
        admin.dbname("postgres");
        let name = format!(
            "agora_e2e_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        );
        let (client, connection) = admin
            .connect(tokio_postgres::NoTls)
            .await
            .expect("PostgreSQL answers");
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE");
        let (base_url, _) = base.rsplit_once('/').expect("a URL with a database");
        Some(FreshPostgres {
            url: format!("{base_url}/{name}"),
            name,
            admin,
        })
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let (client, connection) = admin.connect(tokio_postgres::NoTls).await?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })?;
            Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
    }
}

/// Runs an async test inside the actix system Agora uses.
pub fn run_test<F: std::future::Future<Output = ()>>(test: F) {
    agora::actor_system().block_on(test);
}
