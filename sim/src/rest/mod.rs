//! REST v10: one pipeline every request goes through — route (from Discord's OpenAPI
//! spec), auth, injected faults, rate limits, body parsing, validation against the spec
//! and the documented limits — then the handler for the route, and the request log.

mod applications;
pub(crate) mod channels;
mod guilds;
mod interactions;
pub mod limits;
pub(crate) mod messages;
pub mod ratelimit;
mod users;
pub mod validate;
mod webhooks;

pub(crate) use guilds::remove_member;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::error::{json_response, ApiError, ApiResult};
use crate::permissions;
use crate::requests::RequestRecord;
use crate::world::{Channel, World};
use crate::SimState;

use self::ratelimit::{RateDecision, RouteCall};
use self::validate::OpenApiSpec;

/// A file sent as `files[n]` in a multipart request.
#[derive(Debug, Clone)]
pub struct UploadedFile {
    /// The `n` of `files[n]`.
    pub index: usize,
    pub filename: String,
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// One decoded, validated REST call, as handlers see it.
#[derive(Debug)]
pub struct Call {
    pub method: Method,
    pub template: String,
    pub params: HashMap<String, String>,
    pub query: HashMap<String, String>,
    pub body: Value,
    pub files: Vec<UploadedFile>,
    pub headers: HeaderMap,
}

impl Call {
    /// A snowflake path parameter (`channel_id`, …); 404 when it is not a number.
    pub fn id(&self, name: &str) -> ApiResult<u64> {
        self.params
            .get(name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(ApiError::not_found)
    }

    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }

    /// A numeric query parameter, with Discord's 50035 when it is not a number.
    pub fn query_u64(&self, name: &str) -> ApiResult<Option<u64>> {
        match self.query.get(name) {
            None => Ok(None),
            Some(value) => value.parse().map(Some).map_err(|_| {
                ApiError::invalid_field(
                    &[name],
                    "NUMBER_TYPE_COERCE",
                    format!("Value \"{value}\" is not snowflake."),
                )
            }),
        }
    }

    pub fn query_flag(&self, name: &str) -> bool {
        self.query
            .get(name)
            .is_some_and(|v| v == "true" || v == "1")
    }

    /// `X-Audit-Log-Reason`, if given, URL-decoded as Discord reads it (a `+` stays).
    pub fn audit_reason(&self) -> Option<String> {
        self.headers
            .get("x-audit-log-reason")
            .and_then(|v| v.to_str().ok())
            .map(|v| percent_decode(&v.replace('+', "%2B")))
    }
}

/// What a handler answers.
#[derive(Debug)]
pub enum Reply {
    Json(StatusCode, Value),
    NoContent,
}

impl Reply {
    pub fn ok(value: Value) -> ApiResult<Reply> {
        Ok(Reply::Json(StatusCode::OK, value))
    }
    pub fn created(value: Value) -> ApiResult<Reply> {
        Ok(Reply::Json(StatusCode::CREATED, value))
    }
    pub fn no_content() -> ApiResult<Reply> {
        Ok(Reply::NoContent)
    }
}

/// Routes that take no bot token: interaction callbacks and interaction webhooks.
fn route_needs_token(template: &str) -> bool {
    !(template.starts_with("/interactions/")
        || template.starts_with("/webhooks/{webhook_id}/{webhook_token}"))
}

/// The axum handler for everything under `/api/v10`.
pub async fn handle(
    State(state): State<Arc<SimState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let at_ms = crate::snowflake::now_unix_ms();
    let path = uri
        .path()
        .strip_prefix("/api/v10")
        .unwrap_or(uri.path())
        .to_string();
    let query = uri.query().map(str::to_string);

    let latency = state.faults.latency_for(method.as_str(), &path);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }

    let mut logged_body = Value::Null;
    let mut template = None;
    let mut error_body = None;
    let response = match run_pipeline(
        &state,
        &method,
        &path,
        query.as_deref(),
        headers,
        &body,
        &mut logged_body,
        &mut template,
    )
    .await
    {
        Ok(response) => response,
        Err(error) => {
            error_body = Some(error.body());
            error.into_response()
        }
    };

    let status = response.status().as_u16();
    state.requests.push(RequestRecord {
        seq: 0,
        method: method.to_string(),
        path,
        query,
        route: template,
        status,
        body: logged_body,
        error: error_body,
        at_ms,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    });
    response
}

#[allow(clippy::too_many_arguments)]
async fn run_pipeline(
    state: &Arc<SimState>,
    method: &Method,
    path: &str,
    query: Option<&str>,
    headers: HeaderMap,
    raw_body: &Bytes,
    logged_body: &mut Value,
    logged_template: &mut Option<String>,
) -> Result<Response, ApiError> {
    let spec = OpenApiSpec::discord();
    let route = spec.match_route(path).ok_or_else(ApiError::not_found)?;
    *logged_template = Some(route.template.clone());
    let template = route.template.clone();

    if route_needs_token(&template) {
        let expected = format!("Bot {}", state.token);
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        if given != Some(expected.as_str()) {
            return Err(ApiError::unauthorized());
        }
    }

    if let Some(status) = state.faults.take_failure(method.as_str(), &template) {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return Err(ApiError::injected(status));
    }

    let decision = state.rate_limiter.check(
        &RouteCall {
            method: method.as_str(),
            template: &template,
            params: &route.params,
        },
        Instant::now(),
        std::time::SystemTime::now(),
    );
    let headers_to_apply = match decision {
        RateDecision::Allowed(headers) => headers,
        limited => {
            return Ok(limited.into_429_response().unwrap_or_else(|| {
                ApiError::injected(StatusCode::TOO_MANY_REQUESTS).into_response()
            }))
        }
    };

    let (body, files) = parse_body(state, &headers, raw_body)?;
    *logged_body = if files.is_empty() {
        body.clone()
    } else {
        json!({
            "payload_json": body,
            "files": files.iter().map(|f| json!({"name": format!("files[{}]", f.index), "filename": f.filename, "size": f.data.len()})).collect::<Vec<_>>(),
        })
    };

    let has_body = !body.is_null();
    if has_body {
        spec.validate_json(method.as_str(), path, &body)?;
        let problems = limits::check(method.as_str(), &template, &body);
        if !problems.is_empty() {
            return Err(ApiError::invalid_form_body(problems));
        }
    }

    let call = Call {
        method: method.clone(),
        template,
        params: route.params.into_iter().collect(),
        query: query.map(|q| url_pairs(q).collect()).unwrap_or_default(),
        body,
        files,
        headers,
    };
    let reply = dispatch(state, &call).await?;
    let mut response = match reply {
        Reply::Json(status, value) => json_response(status, &value),
        Reply::NoContent => StatusCode::NO_CONTENT.into_response(),
    };
    headers_to_apply.apply(response.headers_mut());
    Ok(response)
}

/// `a=1&b=two` → pairs, percent-decoded.
fn url_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(key), percent_decode(value))
    })
}

/// Decodes `%XX` escapes (and `+` as space) in a query component or path segment.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// JSON or multipart (`payload_json` + `files[n]`) bodies; `Null` for an empty body.
fn parse_body(
    state: &SimState,
    headers: &HeaderMap,
    raw: &Bytes,
) -> ApiResult<(Value, Vec<UploadedFile>)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("multipart/form-data") {
        return parse_multipart(state, content_type, raw.clone());
    }
    if raw.is_empty() {
        return Ok((Value::Null, Vec::new()));
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            50035,
            "Invalid Form Body: Content-Type must be application/json or multipart/form-data",
        ));
    }
    let body = serde_json::from_slice(raw).map_err(|_| ApiError::invalid_json())?;
    Ok((body, Vec::new()))
}

fn parse_multipart(
    state: &SimState,
    content_type: &str,
    raw: Bytes,
) -> ApiResult<(Value, Vec<UploadedFile>)> {
    let boundary = multer::parse_boundary(content_type).map_err(|_| ApiError::invalid_json())?;
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(raw) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let limit = state.config.attachment_size_limit;
    // The multipart stream is in memory already, so polling it never waits on I/O.
    futures::executor::block_on(async move {
        let mut payload = Value::Null;
        let mut files = Vec::new();
        let mut total = 0usize;
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|_| ApiError::invalid_json())?
        {
            let name = field.name().unwrap_or("").to_string();
            let filename = field.file_name().map(str::to_string);
            let field_type = field.content_type().map(|m| m.to_string());
            let data = field.bytes().await.map_err(|_| ApiError::invalid_json())?;
            if name == "payload_json" {
                payload = serde_json::from_slice(&data).map_err(|_| ApiError::invalid_json())?;
            } else if let Some(index) = name
                .strip_prefix("files[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|n| n.parse::<usize>().ok())
            {
                total += data.len();
                if total > limit {
                    return Err(ApiError::file_too_large());
                }
                files.push(UploadedFile {
                    index,
                    filename: filename.unwrap_or_else(|| format!("file{index}")),
                    content_type: field_type,
                    data,
                });
            }
        }
        if files.len() > 10 {
            return Err(ApiError::invalid_field(
                &["files"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 10 or fewer in length.",
            ));
        }
        Ok((payload, files))
    })
}

/// Sends a call to the handler for its route.
async fn dispatch(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    let method = call.method.as_str();
    let template = call.template.as_str();
    match (method, template) {
        ("GET", "/gateway") => Reply::ok(json!({"url": state.gateway_url})),
        ("GET", "/gateway/bot") => {
            let (total, remaining, reset_after) = state.gateway.session_start_limit();
            Reply::ok(json!({
                "url": state.gateway_url,
                "shards": state.gateway.config.recommended_shards,
                "session_start_limit": {
                    "total": total,
                    "remaining": remaining,
                    "reset_after": reset_after,
                    "max_concurrency": state.gateway.config.max_concurrency,
                },
            }))
        }
        (_, t)
            if t.starts_with("/users") || t.starts_with("/oauth2") || t == "/applications/@me" =>
        {
            users::handle(state, call)
        }
        (_, t) if t.starts_with("/applications/") => applications::handle(state, call),
        (_, t) if t.starts_with("/webhooks/") && webhooks::is_channel_webhook(state, call) => {
            webhooks::handle(state, call)
        }
        (_, t) if t.starts_with("/interactions/") || t.starts_with("/webhooks/") => {
            interactions::handle(state, call).await
        }
        (_, t) if t.starts_with("/channels/") => channels::handle(state, call),
        (_, t) if t.starts_with("/guilds/") => guilds::handle(state, call),
        _ => Err(ApiError::not_found()),
    }
}

/// The bot must see the channel (50001 otherwise) and hold `required` in it (50013).
pub(crate) fn require_channel_permissions(
    world: &World,
    channel: &Channel,
    required: u64,
) -> ApiResult<()> {
    let have = world.bot_channel_permissions(channel);
    if have & permissions::VIEW_CHANNEL == 0 {
        return Err(ApiError::missing_access());
    }
    if have & required != required {
        tracing::debug!(
            channel = channel.id,
            missing = permissions::missing(have, required),
            "bot lacks channel permissions"
        );
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

/// The bot must hold `required` in the guild (50013).
pub(crate) fn require_guild_permissions(
    world: &World,
    guild_id: u64,
    required: u64,
) -> ApiResult<()> {
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let have = permissions::guild_permissions(guild, world.bot_user_id);
    if have & required != required {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

/// A channel the bot can address (exists; in a guild the bot is in, or a DM).
pub(crate) fn find_channel(world: &World, channel_id: u64) -> ApiResult<Channel> {
    world
        .channel(channel_id)
        .cloned()
        .ok_or_else(ApiError::unknown_channel)
}

pub(crate) fn id_of(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}
