//! LlmClient: the one supervised actor every feature asks for model work — an
//! OpenAI-compatible chat-completions server (OpenAI, Open WebUI's `/api/chat/completions`,
//! a local server), configured in `[llm]`.
//!
//! A feature gets the handle with [`LlmClient::of`] and asks with typed calls: a tool call
//! whose arguments come back checked against the tool's JSON schema
//! ([`LlmClient::call_tool`]), or a text answer streamed piece by piece
//! ([`LlmClient::stream_text`]). Every call answers by the caller's deadline, with the
//! value or an [`LlmFailure`] that says what went wrong: not configured, the circuit
//! breaker open, timed out, rate-limited, the server failing, a malformed answer, or too
//! many calls already waiting. The prompts are minijinja templates (`templates`), built in
//! and overridable from a folder.
//!
//! The actor (`client`) owns the HTTP client, the retries and the circuit breaker
//! (`breaker`), and reports to `/metrics` and `/status`. Staff watch it work with
//! `/llm ask` (`ask`), whose reply is edited as the answer is written.

mod ask;
pub mod breaker;
mod client;
pub mod config;
pub mod metrics;
pub mod schema;
pub mod templates;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use parking_lot::Mutex;
use serde_json::Value;

use self::breaker::{Admit, Breaker};
use self::client::{Done, Engine, LlmActor, Trial, Work};
pub use self::config::LlmConfig;
use self::templates::Templates;
use crate::feature::{ConfigSection, Feature, FeatureStart, HelpCategory};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::clock::SharedClock;
use crate::kernel::i18n::Locale;
use crate::kernel::services::{StatusLine, StatusSource};
use crate::kernel::single_flight::SingleFlight;
use crate::kernel::supervision::{CallError, ConcernHandle, HealthRegistry, Limits};
use crate::kernel::Kernel;
use crate::t;

crate::translations!("llm");

/// The feature's name, its `[llm]` table and the `/llm` command's concern.
pub const LLM: &str = "llm";

pub const CATEGORY: HelpCategory = HelpCategory {
    key: "llm",
    title: "Language model",
    blurb: "Ask the configured language model; watch its answer being written",
};

/// A tool the model is asked to call: its name, what it is for, and the JSON schema of
/// its arguments (which the answer is checked against).
#[derive(Clone, Debug)]
pub struct ToolSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub parameters: Value,
}

/// Why a call to the model gave no usable answer.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum LlmFailure {
    /// No `[llm]` base_url configured.
    #[error("no language model is configured")]
    NotConfigured,
    /// The circuit breaker is open after repeated failures: not asked, until this time.
    #[error("the language model is unavailable after repeated failures; retry in {}s", .retry_after.as_secs())]
    Unavailable { retry_after: Duration },
    #[error("the language model did not answer in time")]
    Timeout,
    /// 429 after the retries (or a Retry-After beyond the deadline).
    #[error("the language model is rate-limiting us")]
    RateLimited,
    /// 5xx after the retries, or a connection error.
    #[error("the language model's server failed: {0}")]
    Server(String),
    /// Not JSON, no tool call, the wrong tool, arguments that fail the schema.
    #[error("the language model's answer is unusable: {0}")]
    Malformed(String),
    /// Too many requests already waiting (max concurrent + queue full).
    #[error("the language model has too many requests waiting")]
    Busy,
}

impl LlmFailure {
    /// What a person is told, in plain words, in `locale`.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            LlmFailure::NotConfigured => t!(locale, "llm-failure-not-configured"),
            LlmFailure::Unavailable { retry_after } => t!(
                locale,
                "llm-failure-unavailable",
                seconds = retry_after.as_secs().max(1)
            ),
            LlmFailure::Timeout => t!(locale, "llm-failure-timeout"),
            LlmFailure::RateLimited => t!(locale, "llm-failure-rate-limited"),
            LlmFailure::Server(_) => t!(locale, "llm-failure-server"),
            LlmFailure::Malformed(_) => t!(locale, "llm-failure-malformed"),
            LlmFailure::Busy => t!(locale, "llm-failure-busy"),
        }
    }

    /// The label `/metrics` counts it under.
    pub fn label(&self) -> &'static str {
        match self {
            LlmFailure::NotConfigured => "not_configured",
            LlmFailure::Unavailable { .. } => "unavailable",
            LlmFailure::Timeout => "timeout",
            LlmFailure::RateLimited => "rate_limited",
            LlmFailure::Server(_) => "server",
            LlmFailure::Malformed(_) => "malformed",
            LlmFailure::Busy => "busy",
        }
    }

    /// Whether it says the model is down or overloaded (what the circuit breaker counts).
    fn counts_against_the_model(&self) -> bool {
        matches!(
            self,
            LlmFailure::Timeout | LlmFailure::RateLimited | LlmFailure::Server(_)
        )
    }
}

/// A handle to the one supervised LlmClient actor of the process (cheap to clone).
#[derive(Clone)]
pub struct LlmClient {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for LlmClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmClient")
            .field("model", &self.shared.config.model)
            .field("configured", &self.shared.actor.is_some())
            .finish_non_exhaustive()
    }
}

/// What the handles share with the actor.
pub(crate) struct Shared {
    config: LlmConfig,
    templates: Templates,
    /// `None` when no model is configured.
    actor: Option<ConcernHandle<LlmActor>>,
    breaker: Arc<Mutex<Breaker>>,
    /// The kernel's clock: the breaker's cool-down is measured on it.
    clock: SharedClock,
    /// The probe in flight, joined by every `/status` asked while it runs (a crowd
    /// asking `/status` makes one request to the model's server, not one each).
    probes: SingleFlight<Probe>,
}

/// How long a probe in flight may be joined (longer than `/status` lets it take).
const PROBE_JOINED_WITHIN: Duration = Duration::from_secs(3);

impl LlmClient {
    /// The process's client, or None when the `llm` feature is not running.
    pub fn of(kernel: &Kernel) -> Option<LlmClient> {
        kernel.services.get::<LlmClient>()
    }

    /// Starts the actor for `config` (none when no model is configured) under the kernel's
    /// supervision (`health`: the kernel's registry), the breaker timed by `clock`.
    /// `[llm] max_concurrent` calls run at once and `max_queued` wait; one more is `Busy`.
    /// An API key that cannot be read leaves the client unconfigured. Call it inside the
    /// actix system.
    pub fn start(config: LlmConfig, health: &HealthRegistry, clock: SharedClock) -> LlmClient {
        let breaker = Arc::new(Mutex::new(Breaker::new(
            config.breaker_failures,
            config.breaker_cooldown(),
        )));
        metrics::breaker(breaker.lock().state());
        let templates = Templates::load(config.templates_dir().as_deref());
        if !templates.overridden.is_empty() {
            tracing::info!(templates = ?templates.overridden, "prompt templates overridden from the templates folder");
        }
        let actor = if config.configured() {
            match Engine::new(&config, breaker.clone(), clock.clone()) {
                Ok(engine) => {
                    let engine = Arc::new(engine);
                    let limits = Limits {
                        max_in_flight: config.max_concurrent.max(1),
                        queue: config.max_queued,
                    };
                    Some(ConcernHandle::start(
                        move || LlmActor {
                            engine: engine.clone(),
                        },
                        limits,
                        health,
                    ))
                }
                Err(problem) => {
                    tracing::error!(%problem, "the LLM client is off");
                    None
                }
            }
        } else {
            None
        };
        LlmClient {
            shared: Arc::new(Shared {
                config,
                templates,
                actor,
                breaker,
                clock,
                probes: SingleFlight::new(PROBE_JOINED_WITHIN),
            }),
        }
    }

    /// The model named in requests (`[llm] model`).
    pub fn model(&self) -> &str {
        &self.shared.config.model
    }

    /// Whether a model is configured (else every call is `NotConfigured`).
    pub fn configured(&self) -> bool {
        self.shared.actor.is_some()
    }

    /// Renders the prompt template `template` (a minijinja file, built in or overridden
    /// from config) with `context`, asks the model to call `tool`, and returns the tool
    /// call's arguments validated against `tool.parameters` (a JSON schema).
    /// Always returns by `deadline` (the failure is `LlmFailure::Timeout` then).
    pub async fn call_tool(
        &self,
        template: &str,
        context: Value,
        tool: ToolSpec,
        deadline: Duration,
    ) -> Result<Value, LlmFailure> {
        let started = Instant::now();
        let result = self
            .ask(
                template,
                &context,
                deadline_after(started, deadline),
                |prompt, deadline, trial| Work::Tool {
                    prompt,
                    tool,
                    deadline,
                    trial,
                },
            )
            .await
            .and_then(|done| match done {
                Done::Tool(result) => result,
                _ => Err(LlmFailure::Server("the client answered out of turn".into())),
            });
        metrics::request("tool", &result, started.elapsed());
        result
    }

    /// Renders `template` with `context` and streams the model's text answer: each piece
    /// as it arrives goes to `pieces`; the whole text is returned at the end.
    /// Read `pieces` as they come: the stream waits while the channel is full.
    pub async fn stream_text(
        &self,
        template: &str,
        context: Value,
        pieces: tokio::sync::mpsc::Sender<String>,
        deadline: Duration,
    ) -> Result<String, LlmFailure> {
        let started = Instant::now();
        let result = self
            .ask(
                template,
                &context,
                deadline_after(started, deadline),
                |prompt, deadline, trial| Work::Stream {
                    prompt,
                    pieces,
                    deadline,
                    trial,
                },
            )
            .await
            .and_then(|done| match done {
                Done::Text(result) => result,
                _ => Err(LlmFailure::Server("the client answered out of turn".into())),
            });
        metrics::request("stream", &result, started.elapsed());
        result
    }

    /// Renders the prompt, asks the breaker, and hands the work to the actor; answers by
    /// `deadline` whatever happens.
    async fn ask(
        &self,
        template: &str,
        context: &Value,
        deadline: Instant,
        work: impl FnOnce(templates::Prompt, Instant, Option<Trial>) -> Work,
    ) -> Result<Done, LlmFailure> {
        let Some(actor) = &self.shared.actor else {
            return Err(LlmFailure::NotConfigured);
        };
        let prompt = self
            .shared
            .templates
            .render(template, context)
            .map_err(|problem| {
                tracing::error!(%problem, "a prompt template failed");
                LlmFailure::Malformed(problem)
            })?;
        let admitted = self.shared.breaker.lock().admit(self.shared.clock.now());
        let trial = match admitted {
            Admit::Call => None,
            Admit::Trial => Some(Trial::new(
                self.shared.breaker.clone(),
                self.shared.clock.clone(),
            )),
            Admit::Refuse { retry_after } => {
                return Err(LlmFailure::Unavailable { retry_after });
            }
        };
        let answer = match actor.try_call(work(prompt, deadline, trial)) {
            Ok(answer) => answer,
            Err(CallError::Busy(_)) => return Err(LlmFailure::Busy),
            Err(error) => return Err(LlmFailure::Server(error.to_string())),
        };
        match tokio::time::timeout_at(deadline.into(), answer).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(error)) => Err(LlmFailure::Server(error.to_string())),
            Err(_) => Err(LlmFailure::Timeout),
        }
    }

    /// Whether the model answers now: the server's model list asked within `limit`
    /// (no tokens spent), through the actor like every call; callers while a probe runs
    /// share it.
    pub async fn probe(&self, limit: Duration) -> Probe {
        let Some(actor) = &self.shared.actor else {
            return Probe::NotConfigured;
        };
        let open_for = self.shared.breaker.lock().open_for(self.shared.clock.now());
        if let Some(retry_after) = open_for {
            return Probe::BreakerOpen { retry_after };
        }
        let actor = actor.clone();
        let run = move || async move {
            let deadline = Instant::now() + limit;
            let answer = match actor.try_call(Work::Probe { deadline }) {
                Ok(answer) => answer,
                Err(_) => return Probe::Busy,
            };
            match tokio::time::timeout_at(deadline.into(), answer).await {
                Ok(Ok(Done::Probe(Ok(took)))) => Probe::Answers { took },
                Ok(Ok(Done::Probe(Err(reason)))) => Probe::Down(reason),
                Ok(Ok(_)) | Ok(Err(_)) => Probe::Down("the client failed".into()),
                Err(_) => Probe::Down(format!("no answer within {} s", limit.as_secs())),
            }
        };
        self.shared.probes.run(run).await
    }

    /// The `/status` line: the model and whether it answers, in `locale`.
    pub async fn status_line(&self, locale: Locale) -> StatusLine {
        let model = self.model().to_owned();
        let text = match self.probe(Duration::from_millis(1900)).await {
            Probe::NotConfigured => t!(locale, "llm-status-off"),
            Probe::Answers { took } => t!(
                locale,
                "llm-status-up",
                model = model,
                ms = took.as_millis() as u64
            ),
            Probe::BreakerOpen { retry_after } => t!(
                locale,
                "llm-status-breaker-open",
                model = model,
                seconds = retry_after.as_secs().max(1)
            ),
            Probe::Busy => t!(locale, "llm-status-busy", model = model),
            Probe::Down(reason) => t!(locale, "llm-status-down", model = model, reason = reason),
        };
        StatusLine {
            title: t!(locale, "llm-status-title"),
            text,
        }
    }
}

/// `started + deadline`, or a year on for a deadline too far to add.
fn deadline_after(started: Instant, deadline: Duration) -> Instant {
    started
        .checked_add(deadline)
        .unwrap_or_else(|| started + Duration::from_secs(365 * 86_400))
}

/// What [`LlmClient::probe`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Probe {
    NotConfigured,
    Answers {
        took: Duration,
    },
    BreakerOpen {
        retry_after: Duration,
    },
    /// Every turn and queue place taken by calls.
    Busy,
    Down(String),
}

/// The feature: the `[llm]` table, the client actor (offered to the others through
/// `kernel.services`), its `/status` line, and `/llm ask`.
#[derive(Default)]
pub struct LlmFeature;

impl Feature for LlmFeature {
    fn name(&self) -> &'static str {
        LLM
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![CATEGORY]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        ask::entries()
    }

    fn config_section(&self) -> Option<ConfigSection> {
        Some(config::section())
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let config = start.config::<LlmConfig>();
        let client = LlmClient::start(config, &start.kernel.health, start.kernel.clock.clone());
        start.kernel.services.provide(client.clone());
        let status_client = client.clone();
        let source: StatusSource = Arc::new(move |locale| {
            let client = status_client.clone();
            async move { client.status_line(locale).await }.boxed()
        });
        start.kernel.services.add_status_line(LLM, source);
        let discord = start.kernel.discord.clone();
        start.concern(
            move || ask::AskConcern::new(client.clone(), discord.clone()),
            |_| crate::kernel::policy::AccessLevel::Moderator,
        );
    }
}
