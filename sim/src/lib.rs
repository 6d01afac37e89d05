//! agora-sim: a strict local Discord (REST v10 and gateway v10) plus an OpenAI-compatible
//! LLM, for end-to-end tests, benchmarks and sandboxes of Discord bots.
//!
//! What it is for: running a real bot (any library, any language) against a Discord that
//! lives in the test process, rejects what Discord rejects, and can act as the people in
//! a guild — run slash commands, click buttons, submit modals, send messages — and then
//! show what the bot answered. What it is not: a Discord clone for people (no voice, no
//! OAuth2 user flows, no CDN beyond attachments), or a load test of Discord itself.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let sim = agora_sim::Sim::start(agora_sim::SimConfig::demo()).await?;
//! println!("{}", sim.ready_line());
//! # Ok(()) }
//! ```
//!
//! It does not use twilight (or any Discord library) to build what it sends or parse
//! what it receives, so it cannot share a bug with a bot built on one.

pub mod actions;
pub mod audit;
pub mod control;
pub mod error;
pub mod faults;
pub mod gateway;
pub mod interactions;
pub mod llm;
pub mod moderation;
pub mod permissions;
pub mod requests;
pub mod rest;
pub mod scenario;
pub mod snowflake;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use parking_lot::Mutex;
use rand::Rng;
use serde::Deserialize;
use serde_json::json;

pub use actions::{CommandOption, Sim};
pub use error::ApiError;
pub use gateway::GatewayConfig;
pub use interactions::WaitFor;
pub use rest::ratelimit::RateLimitConfig;
pub use scenario::{DemoWorld, Scenario};

use crate::faults::Faults;
use crate::gateway::GatewayHub;
use crate::interactions::InteractionRegistry;
use crate::llm::LlmSim;
use crate::requests::RequestLog;
use crate::rest::ratelimit::RateLimiter;
use crate::snowflake::SnowflakeGenerator;
use crate::world::{Event, User, World};

/// How to start a sim.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The world to start with.
    pub scenario: Scenario,
    /// The bot token; random when `None`.
    pub token: Option<String>,
    /// The LLM API key; random when `None`.
    pub llm_api_key: Option<String>,
    pub gateway: GatewayConfig,
    pub rate_limits: RateLimitConfig,
    /// Discord's deadline for the first callback of an interaction (3 s).
    pub interaction_deadline: Duration,
    /// How long an interaction token takes follow-ups (15 min).
    pub interaction_token_lifetime: Duration,
    /// Largest upload accepted per message (Discord's default is 10 MiB).
    pub attachment_size_limit: usize,
}

impl SimConfig {
    /// An empty world on a free loopback port.
    pub fn empty() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            scenario: Scenario::Empty,
            token: None,
            llm_api_key: None,
            gateway: GatewayConfig::default(),
            rate_limits: RateLimitConfig::default(),
            interaction_deadline: Duration::from_secs(3),
            interaction_token_lifetime: Duration::from_secs(15 * 60),
            attachment_size_limit: 10 * 1024 * 1024,
        }
    }

    /// The demo world (see [`scenario`]) on a free loopback port.
    pub fn demo() -> Self {
        Self {
            scenario: Scenario::Demo,
            ..Self::empty()
        }
    }
}

/// Everything the sim's servers share.
pub struct SimState {
    pub config: SimConfig,
    pub token: String,
    pub application_id: u64,
    pub http_url: String,
    pub gateway_url: String,
    pub ids: SnowflakeGenerator,
    pub world: Mutex<World>,
    pub gateway: GatewayHub,
    pub interactions: InteractionRegistry,
    pub requests: RequestLog,
    pub faults: Faults,
    pub rate_limiter: RateLimiter,
    pub llm: Arc<LlmSim>,
    pub llm_api_key: String,
    /// Files people attached to slash commands (served like message attachments).
    pub uploads: Mutex<std::collections::HashMap<u64, world::Attachment>>,
    /// Ids of the demo world, when it was loaded.
    pub demo: Mutex<Option<DemoWorld>>,
    /// Where the last paced flood's message times ended (Unix ms): the next paced flood
    /// goes on from there, so one conversation's times never run backwards.
    pub paced_until_ms: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState")
            .field("http_url", &self.http_url)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

impl SimState {
    /// Changes the world and dispatches the events the change caused, in order, while
    /// still holding the world lock, so every session sees changes in the order made.
    pub fn mutate<T>(
        &self,
        change: impl FnOnce(&mut World, &SnowflakeGenerator) -> (T, Vec<Event>),
    ) -> T {
        let mut world = self.world.lock();
        let (result, events) = change(&mut world, &self.ids);
        for event in &events {
            self.gateway.dispatch(event);
        }
        result
    }

    /// Like [`SimState::mutate`] for changes that can fail: nothing is dispatched on error.
    pub fn try_mutate<T, E>(
        &self,
        change: impl FnOnce(&mut World, &SnowflakeGenerator) -> Result<(T, Vec<Event>), E>,
    ) -> Result<T, E> {
        let mut world = self.world.lock();
        let (result, events) = change(&mut world, &self.ids)?;
        for event in &events {
            self.gateway.dispatch(event);
        }
        Ok(result)
    }
}

/// Random lowercase hex of `bytes` bytes.
pub fn random_hex(bytes: usize) -> String {
    let mut rng = rand::rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.random::<u8>()))
        .collect()
}

/// A token shaped like Discord's: base64 of the bot id, a timestamp part and an HMAC part.
fn make_bot_token(bot_id: u64) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut rng = rand::rng();
    let secret: Vec<u8> = (0..27).map(|_| rng.random()).collect();
    let stamp: Vec<u8> = (0..4).map(|_| rng.random()).collect();
    format!(
        "{}.{}.{}",
        engine.encode(bot_id.to_string()),
        engine.encode(stamp),
        engine.encode(secret)
    )
}

pub(crate) async fn start_servers(
    config: SimConfig,
) -> anyhow::Result<(Arc<SimState>, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let http_url = format!("http://{addr}");
    let gateway_url = format!("ws://{addr}/gateway");
    let ids = SnowflakeGenerator::new();
    let bot_id = ids.next();
    let token = config
        .token
        .clone()
        .unwrap_or_else(|| make_bot_token(bot_id));
    let llm_key = config
        .llm_api_key
        .clone()
        .unwrap_or_else(|| format!("sk-sim-{}", random_hex(16)));
    let bot = User {
        id: bot_id,
        username: "Agora".into(),
        global_name: None,
        bot: true,
        accepts_dms: true,
        locale: actions::DEFAULT_LOCALE.to_owned(),
        avatar: None,
    };
    let mut world = World::new(bot, bot_id);
    world.cdn_base = http_url.clone();
    let state = Arc::new(SimState {
        gateway: GatewayHub::new(config.gateway.clone(), bot_id),
        rate_limiter: RateLimiter::new(config.rate_limits.clone()),
        config: config.clone(),
        token,
        application_id: bot_id,
        http_url,
        gateway_url,
        ids,
        world: Mutex::new(world),
        interactions: InteractionRegistry::default(),
        requests: RequestLog::default(),
        faults: Faults::default(),
        llm: LlmSim::new(llm_key.clone()),
        llm_api_key: llm_key,
        uploads: Mutex::new(std::collections::HashMap::new()),
        demo: Mutex::new(None),
        paced_until_ms: std::sync::atomic::AtomicU64::new(0),
    });
    let demo = scenario::load(&state, config.scenario);
    *state.demo.lock() = demo;

    let app = router(state.clone());
    let server = tokio::spawn(async move {
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            // Without TCP_NODELAY consecutive gateway frames wait on Nagle (~40 ms).
            let _ = tcp.set_nodelay(true);
        });
        if let Err(error) = axum::serve(listener, app).await {
            tracing::error!(%error, "agora-sim server stopped");
        }
    });
    Ok((state, server))
}

fn router(state: Arc<SimState>) -> Router {
    // Discord takes files up to the attachment limit in one request; the REST handler
    // answers a larger upload with Discord's 40005, so axum's own 2 MiB default must not
    // refuse first (a margin for the multipart framing and payload_json).
    let body_limit = state.config.attachment_size_limit + 1024 * 1024;
    Router::new()
        .route(
            "/api/v10/{*path}",
            any(rest::handle).layer(axum::extract::DefaultBodyLimit::max(body_limit)),
        )
        .route("/gateway", get(gateway_upgrade))
        .route("/gateway/", get(gateway_upgrade))
        .route(
            "/attachments/{channel_id}/{attachment_id}/{filename}",
            get(serve_attachment),
        )
        .nest("/_sim", control::router())
        .fallback(|| async { ApiError::not_found() })
        .with_state(state.clone())
        .nest("/_sim/llm", state.llm.control_router())
        .merge(state.llm.router())
}

#[derive(Debug, Deserialize)]
struct GatewayQuery {
    v: Option<String>,
    encoding: Option<String>,
    compress: Option<String>,
}

async fn gateway_upgrade(
    State(state): State<Arc<SimState>>,
    Query(query): Query<GatewayQuery>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let compression = gateway::compress::Compression::from_query(query.compress.as_deref())
        .map_err(|unknown| format!("{unknown:?}"));
    upgrade
        .max_message_size(64 * 1024 * 1024)
        .on_upgrade(move |socket| {
            gateway::serve_connection(state, socket, compression, query.v, query.encoding)
        })
}

async fn serve_attachment(
    State(state): State<Arc<SimState>>,
    Path((channel_id, attachment_id, _filename)): Path<(u64, u64, String)>,
) -> Response {
    let world = state.world.lock();
    let found = world.messages.get(&channel_id).and_then(|messages| {
        messages
            .values()
            .flat_map(|m| m.attachments.iter())
            .find(|a| a.id == attachment_id)
            .cloned()
    });
    drop(world);
    let found = found.or_else(|| state.uploads.lock().get(&attachment_id).cloned());
    match found {
        Some(attachment) => {
            let content_type = attachment
                .content_type
                .clone()
                .unwrap_or_else(|| "application/octet-stream".into());
            (
                [(axum::http::header::CONTENT_TYPE, content_type)],
                attachment.data,
            )
                .into_response()
        }
        None => ApiError::not_found().into_response(),
    }
}

/// The one JSON line `agora-sim serve` prints once ready.
pub fn ready_line(state: &SimState) -> String {
    json!({
        "http": state.http_url,
        "gateway": state.gateway_url,
        "control": format!("{}/_sim", state.http_url),
        "llm": format!("{}/v1", state.http_url),
        "llm_api_key": state.llm_api_key,
        "token": state.token,
        "application_id": state.application_id.to_string(),
    })
    .to_string()
}
