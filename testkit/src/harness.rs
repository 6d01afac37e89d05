//! The end-to-end harness: agora-sim's demo world and the real Agora (the same boot as
//! `agora run`) connected to it, and the demo's people acting through it: slash commands,
//! clicks, `/config`.
//!
//! Every [`Harness::run`] and [`Harness::click`] fails the test when the sim refused one
//! of the bot's calls while the bot answered: a status ≥ 400 in the sim's request log
//! since the interaction was sent, or an error recorded on the interaction. The sim
//! refuses what Discord refuses, so such a refusal is a bug the person may not see. A
//! test that provokes one on purpose says which with [`Harness::expect_refusal`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use agora::boot::{Agora, BootOptions, Extension, ShutdownReport};
use agora::config::{Config, ConfigSource};
use agora_actors::kernel::clock::{SharedClock, SystemClock};
use agora_sim::actions::{CommandOption, CommandRun, ComponentUse, InteractionRecord};
use agora_sim::interactions::ErrorRecord;
use agora_sim::requests::RequestRecord;
use agora_sim::{DemoWorld, Sim, SimConfig};

use crate::read::content;
use crate::scratch::Scratch;
use crate::wait::wait_until;

/// How long a person waits for an answer before the test fails.
pub const ANSWER: Duration = Duration::from_secs(10);

/// Runs an async test inside the actix system Agora uses.
pub fn run_test<F: std::future::Future<Output = ()>>(test: F) {
    agora::actor_system().block_on(test);
}

/// The configuration pointing at the sim, on `database_url`, with `extra` environment
/// overrides (`AGORA_…` names, as in production).
pub fn config_for(sim: &Sim, database_url: &str, extra: &[(&str, &str)]) -> Config {
    config_with_sections(sim, database_url, extra, &[])
}

/// [`config_for`] where `extensions`' own config tables may be written (their keys are
/// checked as in production: `agora::boot::config_sections`).
pub fn config_with_sections(
    sim: &Sim,
    database_url: &str,
    extra: &[(&str, &str)],
    extensions: &[Extension],
) -> Config {
    let mut env: HashMap<String, String> =
        agora::sandbox::sim_overrides(sim, std::path::Path::new("unused.db"));
    env.insert("AGORA_DATABASE__URL".into(), database_url.to_owned());
    env.insert("AGORA_OPS__LISTEN".into(), "127.0.0.1:0".into());
    env.insert("AGORA_LOG__LEVEL".into(), "warn".into());
    // Transcripts go to a folder of the test's own, never into the working tree.
    let transcripts =
        std::env::temp_dir().join(crate::scratch::unique_name("agora-transcripts", '-'));
    env.insert(
        "AGORA_TICKETS__TRANSCRIPT_DIRECTORY".into(),
        transcripts.display().to_string(),
    );
    for (key, value) in extra {
        env.insert((*key).to_owned(), (*value).to_owned());
    }
    let sections = agora::boot::config_sections(extensions);
    Config::load_with_sections(ConfigSource::Default, &env, &sections)
        .expect("the test configuration is valid")
}

/// The sim and a running Agora.
pub struct Harness {
    pub sim: Sim,
    pub demo: DemoWorld,
    pub agora: Option<Agora>,
    pub config: Config,
    /// Holds the SQLite file (unless a test points `AGORA_DATABASE__URL` elsewhere).
    pub scratch: Scratch,
    /// The clock every actor reads (the system's unless a test drives a manual one).
    pub clock: SharedClock,
    /// Refusals the next `run`, `click` or `tick` may (and must) see.
    expected: Mutex<Vec<Refusal>>,
    /// Whether tickers wait for [`Harness::tick`] (on a manual clock).
    manual_ticks: bool,
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(&[], Vec::new()).await
    }

    /// Starts the sim's demo world and Agora on a fresh SQLite file.
    pub async fn start_with(extra: &[(&str, &str)], extensions: Vec<Extension>) -> Harness {
        Harness::start_on(extra, extensions, Arc::new(SystemClock), false).await
    }

    /// [`Harness::start_with`] with the clock the actors read (a manual one, in tests that
    /// move time): tickers then tick only when the test calls [`Harness::tick`], so each
    /// step of the test is one whole tick at one known time.
    pub async fn start_with_clock(
        extra: &[(&str, &str)],
        extensions: Vec<Extension>,
        clock: SharedClock,
    ) -> Harness {
        Harness::start_on(extra, extensions, clock, true).await
    }

    async fn start_on(
        extra: &[(&str, &str)],
        extensions: Vec<Extension>,
        clock: SharedClock,
        manual_ticks: bool,
    ) -> Harness {
        let sim = Sim::start(SimConfig::demo()).await.expect("the sim starts");
        let demo = sim.demo().expect("the demo world");
        let scratch = Scratch::new("agora-e2e");
        let config =
            config_with_sections(&sim, &scratch.sqlite_url("agora.db"), extra, &extensions);
        let mut harness = Harness {
            sim,
            demo,
            agora: None,
            config,
            scratch,
            clock,
            expected: Mutex::new(Vec::new()),
            manual_ticks,
        };
        harness.boot(extensions).await;
        harness
    }

    /// Starts Agora (again) with the harness's configuration and waits for the gateway.
    pub async fn boot(&mut self, extensions: Vec<Extension>) {
        let options = BootOptions {
            extensions,
            clock: self.clock.clone(),
            manual_ticks: self.manual_ticks,
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

    /// Shuts Agora down (the sim keeps running; [`Harness::boot`] starts it again).
    pub async fn stop(&mut self) -> ShutdownReport {
        let agora = self.agora.take().expect("Agora is running");
        agora.shutdown().await
    }

    /// Runs a slash command as `user` in `channel` and waits for what they see.
    ///
    /// # Panics
    ///
    /// When no answer comes within [`ANSWER`], or the sim refused a call of the bot's
    /// meanwhile that the test did not expect (see [`Harness::expect_refusal`]).
    pub async fn run(
        &self,
        user: u64,
        channel: u64,
        name: &str,
        options: Vec<CommandOption>,
    ) -> InteractionRecord {
        let since = self.sim.state().requests.total();
        let id = self.send(user, channel, name, options);
        let record = self.sim.answer(id, ANSWER).await.expect("an answer");
        self.check_refusals(&format!("/{name}"), since, &record);
        record
    }

    /// Sends a slash command without waiting; returns the interaction id. Nothing is
    /// checked: the test reads the answer with `sim.answer` itself.
    pub fn send(&self, user: u64, channel: u64, name: &str, options: Vec<CommandOption>) -> u64 {
        self.send_as(self.demo.guild_id, user, channel, name, options, false)
    }

    /// Runs a slash command as a modified client would, past the Discord client's own
    /// checks (choices, ranges), in the demo guild; checked like [`Harness::run`].
    pub async fn run_unchecked(
        &self,
        user: u64,
        channel: u64,
        name: &str,
        options: Vec<CommandOption>,
    ) -> InteractionRecord {
        let since = self.sim.state().requests.total();
        let id = self.send_as(self.demo.guild_id, user, channel, name, options, true);
        let record = self.sim.answer(id, ANSWER).await.expect("an answer");
        self.check_refusals(&format!("/{name}"), since, &record);
        record
    }

    /// Runs a slash command in another guild the sim holds; checked like [`Harness::run`].
    pub async fn run_in(
        &self,
        guild: u64,
        user: u64,
        channel: u64,
        name: &str,
        options: Vec<CommandOption>,
    ) -> InteractionRecord {
        let since = self.sim.state().requests.total();
        let id = self.send_as(guild, user, channel, name, options, false);
        let record = self.sim.answer(id, ANSWER).await.expect("an answer");
        self.check_refusals(&format!("/{name}"), since, &record);
        record
    }

    fn send_as(
        &self,
        guild: u64,
        user: u64,
        channel: u64,
        name: &str,
        options: Vec<CommandOption>,
        unchecked: bool,
    ) -> u64 {
        self.sim
            .run_command(CommandRun {
                guild_id: Some(guild),
                channel_id: channel,
                user_id: user,
                name: name.to_owned(),
                options,
                unchecked,
            })
            .unwrap_or_else(|error| panic!("/{name} could not be run: {error}"))
    }

    /// Clicks a component (or picks `values` from a select) on a message and waits for
    /// what the person sees; checked like [`Harness::run`].
    pub async fn click(
        &self,
        user: u64,
        message_id: u64,
        custom_id: &str,
        values: &[&str],
    ) -> InteractionRecord {
        let since = self.sim.state().requests.total();
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
        let record = self.sim.answer(id, ANSWER).await.expect("an answer");
        self.check_refusals(custom_id, since, &record);
        record
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

    /// Lets the next [`Harness::run`], [`Harness::click`] or [`Harness::tick`] see `refusal` (and fails it
    /// when it does not): for a test that provokes a refusal on purpose.
    pub fn expect_refusal(&self, refusal: Refusal) -> &Harness {
        self.expected
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(refusal);
        self
    }

    /// The refusals of the bot's calls since request `since` and on `record`, failing the
    /// test on any the test did not expect, and on any expectation left unmet.
    fn check_refusals(&self, action: &str, since: u64, record: &InteractionRecord) {
        self.check_refusals_of(action, since, &record.errors);
    }

    /// Runs one tick of the ticker `name` on the harness's clock and returns when it has
    /// finished (`Agora::tick_now`): "nothing was due" is a finished tick, not a sleep.
    /// Checked like [`Harness::run`]: the sim refusing a call of the tick's fails the test
    /// unless [`Harness::expect_refusal`] said so.
    pub async fn tick(&self, name: &str) {
        let since = self.sim.state().requests.total();
        assert!(
            self.agora().tick_now(name).await,
            "no running ticker is called {name}"
        );
        self.check_refusals_of(&format!("the {name} tick"), since, &[]);
    }

    fn check_refusals_of(&self, action: &str, since: u64, errors: &[ErrorRecord]) {
        let expected = std::mem::take(
            &mut *self
                .expected
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        let mut met = vec![false; expected.len()];
        let mut unexpected = Vec::new();
        let refused = self
            .sim
            .requests(since)
            .into_iter()
            .filter(|request| request.status >= 400);
        for request in refused {
            match expected.iter().position(|e| e.matches_request(&request)) {
                Some(index) => met[index] = true,
                None => unexpected.push(describe_request(&request)),
            }
        }
        for error in errors {
            match expected.iter().position(|e| e.matches_error(error)) {
                Some(index) => met[index] = true,
                None => unexpected.push(describe_error(error)),
            }
        }
        assert!(
            unexpected.is_empty(),
            "{action}: the sim refused the bot (as Discord would):\n  {}\n\
             (a test that provokes this on purpose says so with Harness::expect_refusal)",
            unexpected.join("\n  ")
        );
        let unmet: Vec<String> = expected
            .iter()
            .zip(&met)
            .filter(|(_, met)| !**met)
            .map(|(refusal, _)| format!("{refusal:?}"))
            .collect();
        assert!(
            unmet.is_empty(),
            "{action}: expected refusals that did not happen: {}",
            unmet.join(", ")
        );
    }
}

/// A refusal a test expects: any of an HTTP status, a Discord error code and a piece of
/// the route (`"DELETE /channels"`, `"/messages/"`); what is left out matches anything.
#[derive(Debug, Clone, Default)]
pub struct Refusal {
    status: Option<u16>,
    code: Option<u32>,
    route: Option<String>,
}

impl Refusal {
    /// A refusal with this HTTP status (e.g. 403, 404).
    pub fn status(status: u16) -> Refusal {
        Refusal {
            status: Some(status),
            ..Refusal::default()
        }
    }

    /// A refusal with this Discord JSON error code (e.g. 10008 Unknown Message).
    pub fn code(code: u32) -> Refusal {
        Refusal {
            code: Some(code),
            ..Refusal::default()
        }
    }

    /// Only on a call whose `METHOD path` or `METHOD route template` contains `route`.
    pub fn on(mut self, route: &str) -> Refusal {
        self.route = Some(route.to_owned());
        self
    }

    fn matches_request(&self, request: &RequestRecord) -> bool {
        let code = request
            .error
            .as_ref()
            .and_then(|error| error["code"].as_u64());
        self.status.is_none_or(|status| status == request.status)
            && self
                .code
                .is_none_or(|wanted| code == Some(u64::from(wanted)))
            && self.route.as_deref().is_none_or(|route| {
                format!("{} {}", request.method, request.path).contains(route)
                    || request.route.as_deref().is_some_and(|template| {
                        format!("{} {template}", request.method).contains(route)
                    })
            })
    }

    /// An error on the interaction is the shadow of a refused request: it has no status,
    /// so only the code and the route are compared.
    fn matches_error(&self, error: &ErrorRecord) -> bool {
        self.code.is_none_or(|code| code == error.code)
            && self
                .route
                .as_deref()
                .is_none_or(|route| error.route.contains(route))
    }
}

fn describe_request(request: &RequestRecord) -> String {
    let error = request
        .error
        .as_ref()
        .map_or_else(String::new, |error| format!(": {error}"));
    format!(
        "{} {} {}{error}",
        request.status, request.method, request.path
    )
}

fn describe_error(error: &ErrorRecord) -> String {
    format!(
        "on the interaction: {} {} ({}) after {:.0} ms",
        error.route, error.code, error.message, error.after_ms
    )
}
