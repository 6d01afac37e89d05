//! The control API under `/_sim`: JSON over HTTP for scripts and tests outside Rust —
//! read the world, act as people, read what the bot answered, inject faults, flood.
//! Every endpoint is documented with an example in sim/README.md.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Deserializer};
use serde_json::{json, Value};

use crate::actions::{self, ActionError, CommandRun, ComponentUse, FileUpload, ModalSubmit};
use crate::error::json_response;
use crate::faults::FailRule;
use crate::gateway::flood::{self, FloodRequest};
use crate::interactions::WaitFor;
use crate::rest::ratelimit::RateScope;
use crate::world::channel_kind;
use crate::SimState;

/// Accepts a snowflake as a string (Discord's way) or a number.
pub fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = Value::deserialize(deserializer)?;
    crate::rest::id_of(&value)
        .ok_or_else(|| serde::de::Error::custom(format!("expected a snowflake id, got {value}")))
}

/// Like [`id`] for optional fields.
pub fn opt_id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = Value::deserialize(deserializer)?;
    if value.is_null() {
        return Ok(None);
    }
    crate::rest::id_of(&value)
        .map(Some)
        .ok_or_else(|| serde::de::Error::custom(format!("expected a snowflake id, got {value}")))
}

fn ids<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u64>, D::Error> {
    let values = Vec::<Value>::deserialize(deserializer)?;
    values
        .iter()
        .map(|v| {
            crate::rest::id_of(v).ok_or_else(|| {
                serde::de::Error::custom(format!("expected a snowflake id, got {v}"))
            })
        })
        .collect()
}

/// A control API error: `{"error": "…"}`.
struct ControlError(StatusCode, String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        json_response(self.0, &json!({"error": self.1}))
    }
}

impl From<ActionError> for ControlError {
    fn from(error: ActionError) -> Self {
        let status = match error {
            ActionError::Unknown(..) => StatusCode::NOT_FOUND,
            ActionError::NotAllowed(_) => StatusCode::FORBIDDEN,
            ActionError::Invalid(_) => StatusCode::BAD_REQUEST,
        };
        ControlError(status, error.to_string())
    }
}

type ControlResult = Result<Response, ControlError>;

fn ok(value: Value) -> ControlResult {
    Ok(json_response(StatusCode::OK, &value))
}

pub fn router() -> Router<Arc<SimState>> {
    Router::new()
        .route("/state", get(state_snapshot))
        .route("/users", post(create_user))
        .route("/guilds", post(create_guild))
        .route("/guilds/{guild_id}/members", post(join_guild))
        .route(
            "/guilds/{guild_id}/members/{user_id}",
            delete(leave_guild).patch(set_member_roles),
        )
        .route("/guilds/{guild_id}/roles", post(create_role))
        .route(
            "/guilds/{guild_id}/invites",
            post(create_invite).get(list_invites),
        )
        .route("/guilds/{guild_id}/incidents", get(incidents))
        .route("/guilds/{guild_id}/moderation", post(moderate))
        .route("/guilds/{guild_id}/audit-log", get(audit_log))
        .route("/channels/{id}/webhooks", post(create_webhook))
        .route("/channels/{id}/overwrites", get(channel_overwrites))
        .route("/guilds/{guild_id}/channels", post(create_channel))
        .route("/interactions", post(create_interaction))
        .route("/interactions/{id}", get(read_interaction))
        .route("/messages", post(send_message))
        .route("/reactions", post(react))
        .route("/voice", post(set_voice))
        .route("/presence", post(set_presence))
        .route("/channels/{id}/messages", get(channel_messages))
        .route("/users/{id}/dms", get(user_dms))
        .route("/users/{id}", axum::routing::patch(update_user))
        .route("/commands", get(commands))
        .route("/requests", get(requests).delete(clear_requests))
        .route("/gateway/sessions", get(gateway_sessions))
        .route("/gateway/flood", post(gateway_flood))
        .route("/faults/gateway", post(gateway_fault))
        .route("/faults/rest", post(rest_fault))
        .route("/faults", get(list_faults).delete(clear_faults))
}

async fn state_snapshot(State(state): State<Arc<SimState>>) -> ControlResult {
    let world = state.world.lock();
    let guilds: Vec<Value> = world
        .guilds
        .values()
        .map(|guild| {
            let members: Vec<Value> = guild
                .members
                .values()
                .map(|m| {
                    let user = world.users.get(&m.user_id);
                    json!({
                        "id": m.user_id.to_string(),
                        "username": user.map(|u| u.username.clone()),
                        "bot": user.is_some_and(|u| u.bot),
                        "nick": m.nick,
                        "roles": m.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            json!({
                "id": guild.id.to_string(),
                "name": guild.name,
                "owner_id": guild.owner_id.to_string(),
                "roles": guild.roles.values().map(|r| json!({"id": r.id.to_string(), "name": r.name, "permissions": r.permissions.to_string(), "position": r.position})).collect::<Vec<_>>(),
                "channels": world.guild_channels(guild.id).iter().map(|c| json!({"id": c.id.to_string(), "name": c.name, "type": c.kind, "parent_id": c.parent_id.map(|p| p.to_string())})).collect::<Vec<_>>(),
                "members": members,
            })
        })
        .collect();
    let demo = state.demo.lock().clone();
    ok(json!({
        "application_id": state.application_id.to_string(),
        "bot_user_id": world.bot_user_id.to_string(),
        "guilds": guilds,
        "demo": demo,
    }))
}

pub fn yes() -> bool {
    true
}

async fn create_user(
    State(state): State<Arc<SimState>>,
    Json(body): Json<actions::UserSpec>,
) -> ControlResult {
    let id = actions::create_user_with(&state, &body)?;
    ok(json!({"id": id.to_string()}))
}

#[derive(Deserialize)]
struct UserUpdate {
    accepts_dms: Option<bool>,
}

async fn update_user(
    State(state): State<Arc<SimState>>,
    Path(id): Path<u64>,
    Json(body): Json<UserUpdate>,
) -> ControlResult {
    let mut world = state.world.lock();
    let user = world
        .users
        .get_mut(&id)
        .ok_or(ActionError::Unknown("user", id))?;
    if let Some(accepts) = body.accepts_dms {
        user.accepts_dms = accepts;
    }
    ok(json!({"id": id.to_string(), "accepts_dms": user.accepts_dms}))
}

#[derive(Deserialize)]
struct NewGuild {
    name: String,
    #[serde(default = "default_owner")]
    owner: String,
    /// The bot's permissions there (decimal string or number); Administrator by default.
    #[serde(default, deserialize_with = "opt_id")]
    bot_permissions: Option<u64>,
}

fn default_owner() -> String {
    "owner".into()
}

async fn create_guild(
    State(state): State<Arc<SimState>>,
    Json(body): Json<NewGuild>,
) -> ControlResult {
    let permissions = body
        .bot_permissions
        .unwrap_or(crate::permissions::ADMINISTRATOR);
    let (guild_id, owner_id) = actions::create_guild(&state, &body.name, &body.owner, permissions);
    ok(json!({"id": guild_id.to_string(), "owner_id": owner_id.to_string()}))
}

#[derive(Deserialize)]
struct Join {
    #[serde(deserialize_with = "id")]
    user_id: u64,
    #[serde(default, deserialize_with = "ids")]
    roles: Vec<u64>,
    /// The invite code the person joins through.
    #[serde(default)]
    invite: Option<String>,
}

async fn join_guild(
    State(state): State<Arc<SimState>>,
    Path(guild_id): Path<u64>,
    Json(body): Json<Join>,
) -> ControlResult {
    actions::join_guild_via(
        &state,
        guild_id,
        body.user_id,
        &body.roles,
        body.invite.as_deref(),
    )?;
    ok(json!({"ok": true}))
}

async fn leave_guild(
    State(state): State<Arc<SimState>>,
    Path((guild_id, user_id)): Path<(u64, u64)>,
) -> ControlResult {
    actions::leave_guild(&state, guild_id, user_id)?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct Roles {
    #[serde(deserialize_with = "ids")]
    roles: Vec<u64>,
}

async fn set_member_roles(
    State(state): State<Arc<SimState>>,
    Path((guild_id, user_id)): Path<(u64, u64)>,
    Json(body): Json<Roles>,
) -> ControlResult {
    actions::set_member_roles(&state, guild_id, user_id, &body.roles)?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct NewInvite {
    #[serde(deserialize_with = "id")]
    channel_id: u64,
    /// Who makes it; the guild owner when left out.
    #[serde(default, deserialize_with = "opt_id")]
    inviter_id: Option<u64>,
    /// 0 for unlimited (the default).
    #[serde(default)]
    max_uses: u32,
    /// Seconds; 7 days by default, 0 for never expiring.
    #[serde(default = "week")]
    max_age: u32,
}

fn week() -> u32 {
    604_800
}

async fn create_invite(
    State(state): State<Arc<SimState>>,
    Path(guild_id): Path<u64>,
    Json(body): Json<NewInvite>,
) -> ControlResult {
    let code = actions::create_invite_with(
        &state,
        guild_id,
        body.channel_id,
        body.inviter_id,
        body.max_uses,
        body.max_age,
    )?;
    ok(json!({ "code": code }))
}

async fn list_invites(
    State(state): State<Arc<SimState>>,
    Path(guild_id): Path<u64>,
) -> ControlResult {
    ok(Value::Array(actions::invites(&state, guild_id)?))
}

async fn incidents(State(state): State<Arc<SimState>>, Path(guild_id): Path<u64>) -> ControlResult {
    let world = state.world.lock();
    let guild = world
        .guild(guild_id)
        .ok_or(ActionError::Unknown("guild", guild_id))?;
    let incidents = &guild.incidents;
    ok(json!({
        "incidents_data": incidents.to_json(),
        "invites_paused": incidents.invites_paused(),
        "dms_paused": incidents.dms_paused(),
    }))
}

async fn moderate(
    State(state): State<Arc<SimState>>,
    Path(guild_id): Path<u64>,
    Json(body): Json<actions::Moderation>,
) -> ControlResult {
    actions::moderate(&state, guild_id, &body)?;
    ok(json!({"ok": true}))
}

async fn audit_log(State(state): State<Arc<SimState>>, Path(guild_id): Path<u64>) -> ControlResult {
    let world = state.world.lock();
    let guild = world
        .guild(guild_id)
        .ok_or(ActionError::Unknown("guild", guild_id))?;
    ok(Value::Array(
        guild.audit_log.iter().rev().map(|e| e.to_json()).collect(),
    ))
}

#[derive(Deserialize)]
struct NewWebhook {
    name: String,
}

async fn create_webhook(
    State(state): State<Arc<SimState>>,
    Path(channel_id): Path<u64>,
    Json(body): Json<NewWebhook>,
) -> ControlResult {
    let info = actions::create_webhook(&state, channel_id, &body.name)?;
    ok(serde_json::to_value(info).unwrap_or(Value::Null))
}

async fn channel_overwrites(
    State(state): State<Arc<SimState>>,
    Path(channel_id): Path<u64>,
) -> ControlResult {
    let world = state.world.lock();
    let channel = world
        .channel(channel_id)
        .ok_or(ActionError::Unknown("channel", channel_id))?;
    ok(channel.to_json(&world)["permission_overwrites"].clone())
}

#[derive(Deserialize)]
struct NewRole {
    name: String,
    #[serde(default, deserialize_with = "opt_id")]
    permissions: Option<u64>,
}

async fn create_role(
    State(state): State<Arc<SimState>>,
    Path(guild_id): Path<u64>,
    Json(body): Json<NewRole>,
) -> ControlResult {
    let id = actions::create_role(&state, guild_id, &body.name, body.permissions.unwrap_or(0))?;
    ok(json!({"id": id.to_string()}))
}

#[derive(Deserialize)]
struct NewChannel {
    name: String,
    #[serde(default, rename = "type")]
    kind: u8,
    #[serde(default, deserialize_with = "opt_id")]
    parent_id: Option<u64>,
}

async fn create_channel(
    State(state): State<Arc<SimState>>,
    Path(guild_id): Path<u64>,
    Json(body): Json<NewChannel>,
) -> ControlResult {
    if ![
        channel_kind::GUILD_TEXT,
        channel_kind::GUILD_VOICE,
        channel_kind::GUILD_CATEGORY,
        channel_kind::GUILD_ANNOUNCEMENT,
        channel_kind::GUILD_FORUM,
    ]
    .contains(&body.kind)
    {
        return Err(ControlError(
            StatusCode::BAD_REQUEST,
            "type is 0, 2, 4, 5 or 15".into(),
        ));
    }
    let id = actions::create_channel(&state, guild_id, &body.name, body.kind, body.parent_id)?;
    ok(json!({"id": id.to_string()}))
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum NewInteraction {
    Command(CommandRun),
    Autocomplete(CommandRun),
    Component(ComponentUse),
    Modal(ModalSubmit),
}

async fn create_interaction(
    State(state): State<Arc<SimState>>,
    Json(body): Json<NewInteraction>,
) -> ControlResult {
    let id = match body {
        NewInteraction::Command(run) => actions::run_command(&state, run, false)?,
        NewInteraction::Autocomplete(run) => actions::run_command(&state, run, true)?,
        NewInteraction::Component(action) => actions::use_component(&state, action)?,
        NewInteraction::Modal(action) => actions::submit_modal(&state, action)?,
    };
    ok(json!({"id": id.to_string()}))
}

#[derive(Deserialize)]
struct WaitQuery {
    #[serde(default)]
    wait_ms: u64,
    #[serde(default)]
    until: WaitFor,
}

async fn read_interaction(
    State(state): State<Arc<SimState>>,
    Path(id): Path<u64>,
    Query(query): Query<WaitQuery>,
) -> ControlResult {
    let timeout = Duration::from_millis(query.wait_ms.min(120_000));
    let record = actions::interaction_record(&state, id, query.until, timeout).await?;
    ok(serde_json::to_value(record).unwrap_or(Value::Null))
}

#[derive(Deserialize)]
struct NewMessage {
    #[serde(deserialize_with = "id")]
    channel_id: u64,
    #[serde(deserialize_with = "id")]
    user_id: u64,
    #[serde(default)]
    content: String,
    #[serde(default)]
    files: Vec<FileUpload>,
}

async fn send_message(
    State(state): State<Arc<SimState>>,
    Json(body): Json<NewMessage>,
) -> ControlResult {
    let id = actions::send_message(
        &state,
        body.channel_id,
        body.user_id,
        &body.content,
        &body.files,
    )?;
    ok(json!({"id": id.to_string()}))
}

#[derive(Deserialize)]
struct NewReaction {
    #[serde(deserialize_with = "id")]
    channel_id: u64,
    #[serde(deserialize_with = "id")]
    message_id: u64,
    #[serde(deserialize_with = "id")]
    user_id: u64,
    emoji: String,
    #[serde(default)]
    remove: bool,
}

async fn react(State(state): State<Arc<SimState>>, Json(body): Json<NewReaction>) -> ControlResult {
    actions::react(
        &state,
        body.channel_id,
        body.message_id,
        body.user_id,
        &body.emoji,
        !body.remove,
    )?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct VoiceChange {
    #[serde(deserialize_with = "id")]
    guild_id: u64,
    #[serde(deserialize_with = "id")]
    user_id: u64,
    #[serde(default, deserialize_with = "opt_id")]
    channel_id: Option<u64>,
}

async fn set_voice(
    State(state): State<Arc<SimState>>,
    Json(body): Json<VoiceChange>,
) -> ControlResult {
    actions::set_voice(&state, body.guild_id, body.user_id, body.channel_id)?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct PresenceChange {
    #[serde(deserialize_with = "id")]
    guild_id: u64,
    #[serde(deserialize_with = "id")]
    user_id: u64,
    status: String,
    #[serde(default)]
    activities: Value,
}

async fn set_presence(
    State(state): State<Arc<SimState>>,
    Json(body): Json<PresenceChange>,
) -> ControlResult {
    actions::set_presence(
        &state,
        body.guild_id,
        body.user_id,
        &body.status,
        body.activities,
    )?;
    ok(json!({"ok": true}))
}

#[derive(Deserialize)]
struct MessagesQuery {
    #[serde(default)]
    include_ephemeral: bool,
}

async fn channel_messages(
    State(state): State<Arc<SimState>>,
    Path(id): Path<u64>,
    Query(query): Query<MessagesQuery>,
) -> ControlResult {
    if state.world.lock().channel(id).is_none() {
        return Err(ActionError::Unknown("channel", id).into());
    }
    ok(Value::Array(actions::channel_messages(
        &state,
        id,
        query.include_ephemeral,
    )))
}

async fn user_dms(State(state): State<Arc<SimState>>, Path(id): Path<u64>) -> ControlResult {
    if !state.world.lock().users.contains_key(&id) {
        return Err(ActionError::Unknown("user", id).into());
    }
    ok(Value::Array(actions::dms(&state, id)))
}

#[derive(Deserialize)]
struct CommandsQuery {
    #[serde(default, deserialize_with = "opt_id")]
    guild_id: Option<u64>,
}

async fn commands(
    State(state): State<Arc<SimState>>,
    Query(query): Query<CommandsQuery>,
) -> ControlResult {
    let world = state.world.lock();
    let list: Vec<Value> = world
        .commands
        .iter()
        .filter(|c| {
            query.guild_id.is_none() || c.guild_id == query.guild_id || c.guild_id.is_none()
        })
        .map(|c| c.body.clone())
        .collect();
    ok(Value::Array(list))
}

#[derive(Deserialize)]
struct RequestsQuery {
    #[serde(default)]
    since: u64,
    path_prefix: Option<String>,
    method: Option<String>,
}

async fn requests(
    State(state): State<Arc<SimState>>,
    Query(query): Query<RequestsQuery>,
) -> ControlResult {
    let records = state.requests.since(
        query.since,
        query.path_prefix.as_deref(),
        query.method.as_deref(),
    );
    ok(json!({"total": state.requests.total(), "requests": records}))
}

async fn clear_requests(State(state): State<Arc<SimState>>) -> ControlResult {
    state.requests.clear();
    ok(json!({"ok": true}))
}

async fn gateway_sessions(State(state): State<Arc<SimState>>) -> ControlResult {
    let hub = &state.gateway;
    let sessions: Vec<Value> = hub
        .sessions()
        .iter()
        .map(|s| json!({"session_id": s.id, "shard": [s.shard_id, s.shard_count], "intents": s.intents, "seq": s.last_seq(), "connected": s.is_connected()}))
        .collect();
    use std::sync::atomic::Ordering::Relaxed;
    ok(json!({
        "sessions": sessions,
        "identifies": hub.stats.identifies.load(Relaxed),
        "resumes": hub.stats.resumes.load(Relaxed),
        "connections": hub.stats.connections.load(Relaxed),
        "identifies_too_early": hub.stats.identifies_too_early.load(Relaxed),
        "identifies_over_daily_limit": hub.stats.identifies_over_daily_limit.load(Relaxed),
    }))
}

async fn gateway_flood(
    State(state): State<Arc<SimState>>,
    Json(body): Json<FloodRequest>,
) -> ControlResult {
    let report = flood::flood(&state, body)
        .await
        .map_err(|e| ControlError(StatusCode::BAD_REQUEST, e.to_string()))?;
    ok(serde_json::to_value(report).unwrap_or(Value::Null))
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
enum GatewayFault {
    /// Drop connections; with `code` a close frame is sent, without it the TCP drops.
    Drop {
        shard_id: Option<u32>,
        code: Option<u16>,
    },
    Reconnect {
        shard_id: Option<u32>,
    },
    InvalidSession {
        shard_id: Option<u32>,
        #[serde(default)]
        resumable: bool,
    },
    PauseAcks,
    ResumeAcks,
    Latency {
        latency_ms: u64,
    },
}

async fn gateway_fault(
    State(state): State<Arc<SimState>>,
    Json(body): Json<GatewayFault>,
) -> ControlResult {
    let hub = &state.gateway;
    let affected = match body {
        GatewayFault::Drop { shard_id, code } => hub.drop_connections(shard_id, code),
        GatewayFault::Reconnect { shard_id } => hub.send_reconnect(shard_id),
        GatewayFault::InvalidSession {
            shard_id,
            resumable,
        } => hub.send_invalid_session(shard_id, resumable),
        GatewayFault::PauseAcks => {
            hub.pause_heartbeat_acks(true);
            hub.connected_sessions(None).len()
        }
        GatewayFault::ResumeAcks => {
            hub.pause_heartbeat_acks(false);
            hub.connected_sessions(None).len()
        }
        GatewayFault::Latency { latency_ms } => {
            hub.set_latency(Duration::from_millis(latency_ms));
            hub.connected_sessions(None).len()
        }
    };
    ok(json!({"affected": affected}))
}

#[derive(Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
enum RestFault {
    /// The next `count` calls on `route` answer `status` (500, 502, 503, …).
    Fail {
        route: String,
        status: u16,
        count: u32,
    },
    /// The next `count` calls on `route` answer 429 with Discord's headers.
    RateLimit {
        route: String,
        count: u32,
        #[serde(default)]
        scope: Option<String>,
    },
    /// Tighten the bucket of `route` to `limit` per `window_ms`.
    ShrinkBucket {
        route: String,
        limit: u32,
        window_ms: u64,
    },
    /// Delay every REST answer, or (with `route`, `METHOD /path` such as
    /// `POST /users/@me/channels`) only that route's.
    Latency {
        latency_ms: u64,
        #[serde(default)]
        route: Option<String>,
    },
    /// Turn rate limiting on or off.
    RateLimits { enabled: bool },
}

async fn rest_fault(
    State(state): State<Arc<SimState>>,
    Json(body): Json<RestFault>,
) -> ControlResult {
    match body {
        RestFault::Fail {
            route,
            status,
            count,
        } => {
            if !(400..600).contains(&status) {
                return Err(ControlError(
                    StatusCode::BAD_REQUEST,
                    "status must be 4xx or 5xx".into(),
                ));
            }
            state.faults.fail_next(FailRule {
                route,
                status,
                remaining: count,
            });
        }
        RestFault::RateLimit {
            route,
            count,
            scope,
        } => {
            let scope = match scope.as_deref() {
                None | Some("user") => RateScope::User,
                Some("shared") => RateScope::Shared,
                Some("global") => RateScope::Global,
                Some(other) => {
                    return Err(ControlError(
                        StatusCode::BAD_REQUEST,
                        format!("unknown scope {other:?}"),
                    ))
                }
            };
            state.rate_limiter.force_429(&route, count, scope);
        }
        RestFault::ShrinkBucket {
            route,
            limit,
            window_ms,
        } => state
            .rate_limiter
            .shrink(&route, limit, Duration::from_millis(window_ms)),
        RestFault::Latency {
            latency_ms,
            route: None,
        } => state
            .faults
            .set_rest_latency(Duration::from_millis(latency_ms)),
        RestFault::Latency {
            latency_ms,
            route: Some(route),
        } => state
            .faults
            .set_route_latency(&route, Duration::from_millis(latency_ms)),
        RestFault::RateLimits { enabled } => state.rate_limiter.set_enabled(enabled),
    }
    ok(json!({"ok": true}))
}

async fn list_faults(State(state): State<Arc<SimState>>) -> ControlResult {
    ok(json!({
        "rest_failures": state.faults.pending(),
        "rest_latency_ms": state.faults.rest_latency().as_millis() as u64,
    }))
}

async fn clear_faults(State(state): State<Arc<SimState>>) -> ControlResult {
    state.faults.clear();
    state.gateway.pause_heartbeat_acks(false);
    state.gateway.set_latency(Duration::ZERO);
    ok(json!({"ok": true}))
}
