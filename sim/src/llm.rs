//! The sim's OpenAI-compatible LLM: a chat-completions server that answers from a script of
//! replies and injected faults, and records every request, so LLM calls can be tested offline.
//!
//! Requests are checked the way OpenAI checks them (bearer key, then body shape) and answered
//! with OpenAI's JSON shapes, streamed (`text/event-stream`) when the request asks for it.
//! Replies come from a FIFO script filled through [`LlmSim::push`] or `POST /_sim/llm/script`;
//! with nothing queued the sim answers `"sim: " + <the last user message>`.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, OriginalUri, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use parking_lot::Mutex;
use rand::distr::{Alphanumeric, SampleString};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use tokio::sync::watch;

/// The one model `GET /v1/models` lists (any model name is accepted in requests).
pub const SIM_MODEL_ID: &str = "sim-small";

/// `created` of the listed model: a fixed time so the list is deterministic.
const SIM_MODEL_CREATED: i64 = 1_700_000_000;

/// How many characters of the last user message the default reply echoes.
const DEFAULT_REPLY_ECHO_CHARS: usize = 200;

/// Largest request body accepted (image parts inflate bodies well past axum's 2 MB default).
const MAX_REQUEST_BODY_BYTES: usize = 32 * 1024 * 1024;

/// The body of a [`ScriptedReply::Malformed`] reply: the start of a completion, cut off.
const MALFORMED_BODY: &str =
    r#"{"id":"chatcmpl-sim","object":"chat.completion","choices":[ <this body is not JSON>"#;

/// Roles OpenAI accepts in `messages[].role`.
const MESSAGE_ROLES: [&str; 5] = ["system", "user", "assistant", "tool", "developer"];

/// The simulated LLM: its API key, the queue of scripted replies and the recorded requests.
pub struct LlmSim {
    api_key: String,
    script: Mutex<VecDeque<ScriptedReply>>,
    recorded: Mutex<Vec<RecordedRequest>>,
    /// How many requests are recorded, published so [`LlmSim::wait_for_requests`] wakes up.
    recorded_count: watch::Sender<usize>,
}

/// One scripted answer, consumed by one valid, authorized chat-completions request.
///
/// In JSON the variant is named by `"kind"`, e.g. `{"kind": "text", "content": "hi"}`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScriptedReply {
    /// An assistant message with `content`, sent after `delay_ms`.
    Text {
        content: String,
        #[serde(default)]
        delay_ms: u64,
    },
    /// An assistant message calling tools (`finish_reason: "tool_calls"`), sent after `delay_ms`.
    ToolCalls {
        calls: Vec<ScriptedToolCall>,
        #[serde(default)]
        content: Option<String>,
        #[serde(default)]
        delay_ms: u64,
    },
    /// An OpenAI error body with this HTTP status; 429 also sends `Retry-After: 1`.
    Error {
        status: u16,
        #[serde(default)]
        message: Option<String>,
    },
    /// HTTP 200 whose body is not JSON (for streams: an event whose data is not JSON).
    Malformed,
    /// HTTP 200 with a completion whose `choices` is empty.
    EmptyChoices,
    /// Same as [`ScriptedReply::Text`]; reads better in scripts that test timeouts.
    Slow { delay_ms: u64, content: String },
    /// HTTP 429 with `Retry-After: <retry_after_secs>` (a server that asks for a longer
    /// wait than [`ScriptedReply::Error`]'s one second).
    RateLimited { retry_after_secs: u64 },
    /// A text answer that arrives piece by piece: streamed, each piece is its own event
    /// `interval_ms` after the one before (a model generating slowly); not streamed, the
    /// whole text after all the intervals.
    Trickle {
        pieces: Vec<String>,
        #[serde(default)]
        interval_ms: u64,
    },
}

/// One tool call of a [`ScriptedReply::ToolCalls`]; `arguments` is sent as a JSON string.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ScriptedToolCall {
    pub name: String,
    pub arguments: Value,
}

/// A chat-completions request as the sim received it, rejected ones included.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    /// Path it was sent to, e.g. `/v1/chat/completions`.
    pub path: String,
    /// The body's `model`, when it is a string.
    pub model: Option<String>,
    /// The body as JSON; a body that is not JSON is kept as a JSON string of its text.
    pub body: Value,
    /// Whether it carried `Authorization: Bearer <api key>`.
    pub authorized: bool,
    pub at: DateTime<Utc>,
}

impl LlmSim {
    /// A sim that accepts requests bearing `api_key`, with an empty script.
    pub fn new(api_key: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            api_key: api_key.into(),
            script: Mutex::default(),
            recorded: Mutex::default(),
            recorded_count: watch::Sender::new(0),
        })
    }

    /// Public routes: `POST /v1/chat/completions`, `POST /api/chat/completions` (Open WebUI's
    /// path), `GET /v1/models`, `GET /api/models`.
    pub fn router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .route("/api/chat/completions", post(chat_completions))
            .route("/v1/models", get(list_models))
            .route("/api/models", get(list_models))
            .layer(DefaultBodyLimit::max(MAX_REQUEST_BODY_BYTES))
            .with_state(Arc::clone(self))
    }

    /// Control routes, for the caller to nest under `/_sim/llm`: `POST /script` (queue one
    /// reply or an array), `DELETE /script`, `GET /requests`, `DELETE /requests`.
    pub fn control_router(self: &Arc<Self>) -> Router {
        Router::new()
            .route("/script", post(push_script).delete(clear_script))
            .route("/requests", get(list_requests).delete(clear_requests))
            .with_state(Arc::clone(self))
    }

    /// Queues a reply; replies are consumed first in, first out, one per answered request.
    pub fn push(&self, reply: ScriptedReply) {
        self.script.lock().push_back(reply);
    }

    /// Drops every queued reply.
    pub fn clear_script(&self) {
        self.script.lock().clear();
    }

    /// How many scripted replies are still queued.
    pub fn pending_replies(&self) -> usize {
        self.script.lock().len()
    }

    /// Every recorded chat-completions request, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.recorded.lock().clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        let mut recorded = self.recorded.lock();
        recorded.clear();
        self.recorded_count.send_replace(0);
    }

    /// Waits until at least `n` requests were recorded or `timeout` passes; returns them.
    pub async fn wait_for_requests(&self, n: usize, timeout: Duration) -> Vec<RecordedRequest> {
        let mut count = self.recorded_count.subscribe();
        // Both outcomes end the wait: a timeout returns what is there, and `wait_for` can only
        // fail once the sender is dropped, which cannot happen while `self` is borrowed.
        let _ = tokio::time::timeout(timeout, count.wait_for(|recorded| *recorded >= n)).await;
        self.requests()
    }

    fn record(&self, request: RecordedRequest) {
        let mut recorded = self.recorded.lock();
        recorded.push(request);
        self.recorded_count.send_replace(recorded.len());
    }

    fn next_reply(&self) -> Option<ScriptedReply> {
        self.script.lock().pop_front()
    }

    fn is_authorized(&self, headers: &HeaderMap) -> bool {
        bearer_token(headers) == Some(self.api_key.as_str())
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// An error answered in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.
#[derive(Debug, Clone, PartialEq)]
struct OpenAiError {
    status: StatusCode,
    message: String,
    error_type: &'static str,
    param: Option<String>,
    code: Option<&'static str>,
}

impl OpenAiError {
    /// A 400 `invalid_request_error`.
    fn bad_request(
        message: impl Into<String>,
        param: Option<&str>,
        code: Option<&'static str>,
    ) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            error_type: "invalid_request_error",
            param: param.map(str::to_owned),
            code,
        }
    }

    fn missing(param: &str) -> Self {
        Self::bad_request(
            format!("Missing required parameter: '{param}'."),
            Some(param),
            Some("missing_required_parameter"),
        )
    }

    fn invalid_type(param: &str, expected: &str, got: &Value) -> Self {
        Self::bad_request(
            format!(
                "Invalid type for '{param}': expected {expected}, but got {} instead.",
                json_kind(got)
            ),
            Some(param),
            Some("invalid_type"),
        )
    }

    fn invalid_value(param: &str, got: &str, supported: &[&str]) -> Self {
        Self::bad_request(
            format!(
                "Invalid value: '{got}'. Supported values are: {}.",
                quoted_list(supported)
            ),
            Some(param),
            Some("invalid_value"),
        )
    }

    fn empty_array(param: &str) -> Self {
        Self::bad_request(
            format!(
                "Invalid '{param}': empty array. Expected an array with minimum length 1, \
                 but got an empty array instead."
            ),
            Some(param),
            Some("empty_array"),
        )
    }

    fn unparseable_body() -> Self {
        Self::bad_request(
            "We could not parse the JSON body of your request. (HINT: This likely means you \
             aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, \
             but what was sent was not valid JSON.)",
            None,
            None,
        )
    }

    /// 401 for a missing or wrong key; like OpenAI, only a masked form of the key is echoed.
    fn invalid_api_key(provided: Option<&str>) -> Self {
        let message = match provided {
            Some(key) => format!(
                "Incorrect API key provided: {}. Send the sim's key as \
                 `Authorization: Bearer <key>`.",
                masked_key(key)
            ),
            None => "Incorrect API key provided: no key was sent. Send the sim's key as \
                     `Authorization: Bearer <key>`."
                .to_owned(),
        };
        Self {
            status: StatusCode::UNAUTHORIZED,
            message,
            error_type: "invalid_request_error",
            param: None,
            code: Some("invalid_api_key"),
        }
    }

    /// The error a [`ScriptedReply::Error`] answers with: OpenAI's type, code and message for
    /// the status unless the script gives its own message.
    fn scripted(status: StatusCode, message: Option<String>) -> Self {
        let (error_type, code, default_message) = match status.as_u16() {
            401 => (
                "invalid_request_error",
                Some("invalid_api_key"),
                "Incorrect API key provided.",
            ),
            404 => (
                "invalid_request_error",
                Some("model_not_found"),
                "The model does not exist or you do not have access to it.",
            ),
            429 => (
                "requests",
                Some("rate_limit_exceeded"),
                "Rate limit reached for requests. Please try again in 1s.",
            ),
            500..=599 => (
                "server_error",
                None,
                "The server had an error while processing your request. Sorry about that!",
            ),
            _ => ("invalid_request_error", None, "The request failed."),
        };
        Self {
            status,
            message: message.unwrap_or_else(|| default_message.to_owned()),
            error_type,
            param: None,
            code,
        }
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let body = json!({
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        });
        (self.status, Json(body)).into_response()
    }
}

/// How OpenAI names a JSON value's type in its messages ("a string", "an array", …).
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(number) if number.is_f64() => "a decimal",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `'a', 'b', and 'c'`.
fn quoted_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|value| format!("'{value}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if rest.len() > 1 => format!("{}, and {last}", rest.join(", ")),
        Some((last, [only])) => format!("{only} and {last}"),
        _ => quoted.join(""),
    }
}

/// The first 3 and last 4 characters of a key, the rest starred (all starred if short).
fn masked_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

// ---------------------------------------------------------------------------------------------
// Request validation
// ---------------------------------------------------------------------------------------------

/// What the sim needs from a valid chat-completions request.
#[derive(Debug, Clone, PartialEq)]
struct ChatRequest {
    model: String,
    stream: bool,
    include_usage: bool,
    /// Names of the functions in `tools`.
    tool_names: Vec<String>,
    /// Text of the last `user` message (text parts joined by newlines).
    last_user_text: String,
    /// Characters of text in all messages, for the approximate `prompt_tokens`.
    prompt_chars: usize,
}

impl ChatRequest {
    /// Checks `body` the way OpenAI does and extracts what the reply needs.
    fn parse(body: &Value) -> Result<Self, OpenAiError> {
        let Some(fields) = body.as_object() else {
            return Err(OpenAiError::bad_request(
                format!(
                    "Invalid type for request body: expected an object, but got {} instead.",
                    json_kind(body)
                ),
                None,
                Some("invalid_type"),
            ));
        };
        let model = parse_model(fields)?;
        let messages = parse_messages(fields)?;
        let tool_names = parse_tools(fields)?;
        check_temperature(fields)?;
        for name in ["max_tokens", "max_completion_tokens"] {
            check_positive_integer(fields, name)?;
        }
        let stream = match fields.get("stream") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(stream)) => *stream,
            Some(other) => return Err(OpenAiError::invalid_type("stream", "a boolean", other)),
        };
        let include_usage = parse_include_usage(fields, stream)?;
        Ok(Self {
            model,
            stream,
            include_usage,
            tool_names,
            last_user_text: messages.last_user_text,
            prompt_chars: messages.prompt_chars,
        })
    }

    /// `"sim: "` + the last user message, cut to [`DEFAULT_REPLY_ECHO_CHARS`] characters.
    fn default_reply_text(&self) -> String {
        let echoed: String = self
            .last_user_text
            .chars()
            .take(DEFAULT_REPLY_ECHO_CHARS)
            .collect();
        format!("sim: {echoed}")
    }
}

fn parse_model(fields: &Map<String, Value>) -> Result<String, OpenAiError> {
    match fields.get("model") {
        None | Some(Value::Null) => Err(OpenAiError::missing("model")),
        Some(Value::String(model)) if model.is_empty() => Err(OpenAiError::bad_request(
            "you must provide a model parameter",
            None,
            None,
        )),
        Some(Value::String(model)) => Ok(model.clone()),
        Some(other) => Err(OpenAiError::invalid_type("model", "a string", other)),
    }
}

/// What the reply needs from `messages`.
struct MessagesSummary {
    last_user_text: String,
    prompt_chars: usize,
}

/// The tool calls of the latest assistant message that still await `tool` answers.
struct UnansweredToolCalls {
    assistant_index: usize,
    ids: Vec<String>,
}

impl UnansweredToolCalls {
    /// OpenAI's error when an assistant's tool calls are not all answered before the next
    /// non-tool message (or the end of the conversation).
    fn check_all_answered(&self) -> Result<(), OpenAiError> {
        if self.ids.is_empty() {
            return Ok(());
        }
        Err(OpenAiError::bad_request(
            format!(
                "An assistant message with 'tool_calls' must be followed by tool messages \
                 responding to each 'tool_call_id'. The following tool_call_ids did not have \
                 response messages: {}",
                self.ids.join(", ")
            ),
            Some(&format!("messages[{}].role", self.assistant_index)),
            None,
        ))
    }
}

fn parse_messages(fields: &Map<String, Value>) -> Result<MessagesSummary, OpenAiError> {
    let messages = match fields.get("messages") {
        None | Some(Value::Null) => return Err(OpenAiError::missing("messages")),
        Some(Value::Array(messages)) if messages.is_empty() => {
            return Err(OpenAiError::empty_array("messages"))
        }
        Some(Value::Array(messages)) => messages,
        Some(other) => return Err(OpenAiError::invalid_type("messages", "an array", other)),
    };
    let mut summary = MessagesSummary {
        last_user_text: String::new(),
        prompt_chars: 0,
    };
    let mut unanswered: Option<UnansweredToolCalls> = None;
    for (index, message) in messages.iter().enumerate() {
        let param = format!("messages[{index}]");
        let Some(message) = message.as_object() else {
            return Err(OpenAiError::invalid_type(&param, "an object", message));
        };
        let role_param = format!("{param}.role");
        let role = match message.get("role") {
            None | Some(Value::Null) => return Err(OpenAiError::missing(&role_param)),
            Some(Value::String(role)) => role.as_str(),
            Some(other) => return Err(OpenAiError::invalid_type(&role_param, "a string", other)),
        };
        if !MESSAGE_ROLES.contains(&role) {
            return Err(OpenAiError::invalid_value(
                &role_param,
                role,
                &MESSAGE_ROLES,
            ));
        }

        if role == "tool" {
            answer_tool_call(message, &param, unanswered.as_mut())?;
        } else if let Some(previous) = unanswered.take() {
            previous.check_all_answered()?;
        }
        let tool_call_ids = if role == "assistant" {
            parse_assistant_tool_calls(message.get("tool_calls"), &param)?
        } else {
            Vec::new()
        };
        let has_tool_calls = !tool_call_ids.is_empty();
        if has_tool_calls {
            unanswered = Some(UnansweredToolCalls {
                assistant_index: index,
                ids: tool_call_ids,
            });
        }

        let content_param = format!("{param}.content");
        let text = match message.get("content") {
            None | Some(Value::Null) if has_tool_calls => String::new(),
            None => return Err(OpenAiError::missing(&content_param)),
            Some(Value::String(text)) => text.clone(),
            Some(Value::Array(parts)) => content_parts_text(parts, role, &content_param)?,
            Some(other) => {
                return Err(OpenAiError::invalid_type(
                    &content_param,
                    "one of a string or array of objects",
                    other,
                ))
            }
        };
        summary.prompt_chars += text.chars().count();
        if role == "user" {
            summary.last_user_text = text;
        }
    }
    if let Some(last) = unanswered {
        last.check_all_answered()?;
    }
    Ok(summary)
}

/// Checks a `tool` message's `tool_call_id` against the preceding assistant's tool calls.
fn answer_tool_call(
    message: &Map<String, Value>,
    param: &str,
    unanswered: Option<&mut UnansweredToolCalls>,
) -> Result<(), OpenAiError> {
    let id_param = format!("{param}.tool_call_id");
    let id = match message.get("tool_call_id") {
        None | Some(Value::Null) => {
            return Err(OpenAiError::bad_request(
                "Missing parameter 'tool_call_id': messages with role 'tool' must have a \
                 'tool_call_id'.",
                Some(&id_param),
                Some("missing_required_parameter"),
            ))
        }
        Some(Value::String(id)) => id,
        Some(other) => return Err(OpenAiError::invalid_type(&id_param, "a string", other)),
    };
    let Some(unanswered) = unanswered else {
        return Err(OpenAiError::bad_request(
            "Invalid parameter: messages with role 'tool' must be a response to a preceeding \
             message with 'tool_calls'.",
            Some(&format!("{param}.role")),
            None,
        ));
    };
    let Some(position) = unanswered.ids.iter().position(|pending| pending == id) else {
        return Err(OpenAiError::bad_request(
            format!(
                "Invalid parameter: 'tool_call_id' of '{id}' not found in 'tool_calls' of \
                 previous message."
            ),
            Some(&id_param),
            None,
        ));
    };
    unanswered.ids.remove(position);
    Ok(())
}

/// The ids of an assistant message's `tool_calls`, after checking their shape.
fn parse_assistant_tool_calls(
    tool_calls: Option<&Value>,
    param: &str,
) -> Result<Vec<String>, OpenAiError> {
    let calls_param = format!("{param}.tool_calls");
    let calls = match tool_calls {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(calls)) if calls.is_empty() => {
            return Err(OpenAiError::empty_array(&calls_param))
        }
        Some(Value::Array(calls)) => calls,
        Some(other) => return Err(OpenAiError::invalid_type(&calls_param, "an array", other)),
    };
    let mut ids = Vec::with_capacity(calls.len());
    for (index, call) in calls.iter().enumerate() {
        let call_param = format!("{calls_param}[{index}]");
        let Some(call) = call.as_object() else {
            return Err(OpenAiError::invalid_type(&call_param, "an object", call));
        };
        ids.push(required_string(call, &call_param, "id")?.to_owned());
        match call.get("type") {
            None | Some(Value::Null) => {}
            Some(Value::String(kind)) if kind == "function" => {}
            Some(Value::String(kind)) => {
                return Err(OpenAiError::invalid_value(
                    &format!("{call_param}.type"),
                    kind,
                    &["function"],
                ))
            }
            Some(other) => {
                return Err(OpenAiError::invalid_type(
                    &format!("{call_param}.type"),
                    "a string",
                    other,
                ))
            }
        }
        let function_param = format!("{call_param}.function");
        let function = match call.get("function") {
            None | Some(Value::Null) => return Err(OpenAiError::missing(&function_param)),
            Some(Value::Object(function)) => function,
            Some(other) => {
                return Err(OpenAiError::invalid_type(
                    &function_param,
                    "an object",
                    other,
                ))
            }
        };
        required_string(function, &function_param, "name")?;
        required_string(function, &function_param, "arguments")?;
    }
    Ok(ids)
}

/// `object[key]` as a string, or the error OpenAI gives for `parent.key`.
fn required_string<'a>(
    object: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<&'a str, OpenAiError> {
    let param = format!("{parent}.{key}");
    match object.get(key) {
        None | Some(Value::Null) => Err(OpenAiError::missing(&param)),
        Some(Value::String(value)) => Ok(value),
        Some(other) => Err(OpenAiError::invalid_type(&param, "a string", other)),
    }
}

/// The text of an array of content parts (text parts joined by newlines), after checking
/// each part's type is one the role allows.
fn content_parts_text(parts: &[Value], role: &str, param: &str) -> Result<String, OpenAiError> {
    if parts.is_empty() {
        return Err(OpenAiError::empty_array(param));
    }
    let allowed_types: &[&str] = match role {
        "user" => &["text", "image_url", "input_audio", "file"],
        "assistant" => &["text", "refusal"],
        _ => &["text"],
    };
    let mut texts = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let part_param = format!("{param}[{index}]");
        let Some(part) = part.as_object() else {
            return Err(OpenAiError::invalid_type(&part_param, "an object", part));
        };
        let part_type = required_string(part, &part_param, "type")?;
        if !allowed_types.contains(&part_type) {
            return Err(OpenAiError::invalid_value(
                &format!("{part_param}.type"),
                part_type,
                allowed_types,
            ));
        }
        match part_type {
            "text" => texts.push(required_string(part, &part_param, "text")?),
            "refusal" => {
                required_string(part, &part_param, "refusal")?;
            }
            _ => {}
        }
    }
    Ok(texts.join("\n"))
}

/// The function names of `tools`, after checking each tool's shape.
fn parse_tools(fields: &Map<String, Value>) -> Result<Vec<String>, OpenAiError> {
    let tools = match fields.get("tools") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(tools)) if tools.is_empty() => {
            return Err(OpenAiError::empty_array("tools"))
        }
        Some(Value::Array(tools)) => tools,
        Some(other) => return Err(OpenAiError::invalid_type("tools", "an array", other)),
    };
    let mut names = Vec::with_capacity(tools.len());
    for (index, tool) in tools.iter().enumerate() {
        let tool_param = format!("tools[{index}]");
        let Some(tool) = tool.as_object() else {
            return Err(OpenAiError::invalid_type(&tool_param, "an object", tool));
        };
        let tool_type = required_string(tool, &tool_param, "type")?;
        if tool_type != "function" {
            return Err(OpenAiError::invalid_value(
                &format!("{tool_param}.type"),
                tool_type,
                &["function"],
            ));
        }
        let function_param = format!("{tool_param}.function");
        let function = match tool.get("function") {
            None | Some(Value::Null) => return Err(OpenAiError::missing(&function_param)),
            Some(Value::Object(function)) => function,
            Some(other) => {
                return Err(OpenAiError::invalid_type(
                    &function_param,
                    "an object",
                    other,
                ))
            }
        };
        let name = required_string(function, &function_param, "name")?;
        if !is_valid_function_name(name) {
            return Err(OpenAiError::bad_request(
                format!(
                    "Invalid '{function_param}.name': string does not match pattern. Expected a \
                     string that matches the pattern '^[a-zA-Z0-9_-]{{1,64}}$'."
                ),
                Some(&format!("{function_param}.name")),
                Some("invalid_value"),
            ));
        }
        match function.get("description") {
            None | Some(Value::Null) | Some(Value::String(_)) => {}
            Some(other) => {
                return Err(OpenAiError::invalid_type(
                    &format!("{function_param}.description"),
                    "a string",
                    other,
                ))
            }
        }
        match function.get("parameters") {
            None | Some(Value::Null) | Some(Value::Object(_)) => {}
            Some(other) => {
                return Err(OpenAiError::invalid_type(
                    &format!("{function_param}.parameters"),
                    "an object",
                    other,
                ))
            }
        }
        names.push(name.to_owned());
    }
    Ok(names)
}

/// OpenAI's rule for function names: 1 to 64 of `a-z A-Z 0-9 _ -`.
fn is_valid_function_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

fn check_temperature(fields: &Map<String, Value>) -> Result<(), OpenAiError> {
    let temperature = match fields.get("temperature") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Number(temperature)) => temperature,
        Some(other) => return Err(OpenAiError::invalid_type("temperature", "a decimal", other)),
    };
    let (problem, code, bound) = match temperature.as_f64() {
        Some(value) if value < 0.0 => ("below minimum", "decimal_below_min_value", ">= 0"),
        Some(value) if value > 2.0 => ("above maximum", "decimal_above_max_value", "<= 2"),
        _ => return Ok(()),
    };
    Err(OpenAiError::bad_request(
        format!(
            "Invalid 'temperature': decimal {problem} value. Expected a value {bound}, but got \
             {temperature} instead."
        ),
        Some("temperature"),
        Some(code),
    ))
}

fn check_positive_integer(fields: &Map<String, Value>, name: &str) -> Result<(), OpenAiError> {
    let value = match fields.get(name) {
        None | Some(Value::Null) => return Ok(()),
        Some(value) => value,
    };
    match value {
        Value::Number(number) if number.as_u64().is_some_and(|count| count >= 1) => Ok(()),
        Value::Number(number) if number.as_i64().is_some() => Err(OpenAiError::bad_request(
            format!(
                "Invalid '{name}': integer below minimum value. Expected a value >= 1, but got \
                 {number} instead."
            ),
            Some(name),
            Some("integer_below_min_value"),
        )),
        other => Err(OpenAiError::invalid_type(name, "an integer", other)),
    }
}

fn parse_include_usage(fields: &Map<String, Value>, stream: bool) -> Result<bool, OpenAiError> {
    let options = match fields.get("stream_options") {
        None | Some(Value::Null) => return Ok(false),
        Some(Value::Object(options)) => options,
        Some(other) => {
            return Err(OpenAiError::invalid_type(
                "stream_options",
                "an object",
                other,
            ))
        }
    };
    if !stream {
        return Err(OpenAiError::bad_request(
            "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            Some("stream_options"),
            None,
        ));
    }
    match options.get("include_usage") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(include_usage)) => Ok(*include_usage),
        Some(other) => Err(OpenAiError::invalid_type(
            "stream_options.include_usage",
            "a boolean",
            other,
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

async fn chat_completions(
    State(sim): State<Arc<LlmSim>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    raw_body: Bytes,
) -> Response {
    let parsed_body = serde_json::from_slice::<Value>(&raw_body).ok();
    let authorized = sim.is_authorized(&headers);
    let recorded_body = parsed_body
        .clone()
        .unwrap_or_else(|| Value::String(String::from_utf8_lossy(&raw_body).into_owned()));
    tracing::debug!(
        path = uri.path(),
        authorized,
        "llm sim: chat completions request"
    );
    sim.record(RecordedRequest {
        path: uri.path().to_owned(),
        model: recorded_body
            .get("model")
            .and_then(Value::as_str)
            .map(str::to_owned),
        body: recorded_body,
        authorized,
        at: Utc::now(),
    });

    if !authorized {
        return OpenAiError::invalid_api_key(bearer_token(&headers)).into_response();
    }
    let Some(body) = parsed_body else {
        return OpenAiError::unparseable_body().into_response();
    };
    let request = match ChatRequest::parse(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    answer(&request, sim.next_reply()).await
}

/// The assistant message a reply carries.
struct AssistantAnswer {
    content: Option<String>,
    tool_calls: Vec<AnsweredToolCall>,
}

struct AnsweredToolCall {
    id: String,
    name: String,
    /// The scripted arguments serialized to a JSON string, as OpenAI sends them.
    arguments: String,
}

impl AssistantAnswer {
    fn text(content: String) -> Self {
        Self {
            content: Some(content),
            tool_calls: Vec::new(),
        }
    }

    fn finish_reason(&self) -> &'static str {
        if self.tool_calls.is_empty() {
            "stop"
        } else {
            "tool_calls"
        }
    }

    /// Characters the answer generated, for the approximate `completion_tokens`.
    fn generated_chars(&self) -> usize {
        let content_chars = self.content.as_deref().map_or(0, |c| c.chars().count());
        let call_chars: usize = self
            .tool_calls
            .iter()
            .map(|call| call.name.chars().count() + call.arguments.chars().count())
            .sum();
        content_chars + call_chars
    }

    fn message_json(&self) -> Value {
        let mut message = json!({
            "role": "assistant",
            "content": self.content,
            "refusal": null,
        });
        if !self.tool_calls.is_empty() {
            let calls: Vec<Value> = self
                .tool_calls
                .iter()
                .map(|call| {
                    json!({
                        "id": call.id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": call.arguments},
                    })
                })
                .collect();
            message["tool_calls"] = Value::Array(calls);
        }
        message
    }
}

/// Builds the response a scripted reply (or the default reply, for `None`) calls for.
async fn answer(request: &ChatRequest, reply: Option<ScriptedReply>) -> Response {
    let assistant_answer = match reply {
        None => AssistantAnswer::text(request.default_reply_text()),
        Some(ScriptedReply::Text { content, delay_ms })
        | Some(ScriptedReply::Slow { delay_ms, content }) => {
            sleep_ms(delay_ms).await;
            AssistantAnswer::text(content)
        }
        Some(ScriptedReply::ToolCalls {
            calls,
            content,
            delay_ms,
        }) => {
            sleep_ms(delay_ms).await;
            AssistantAnswer {
                content,
                tool_calls: calls
                    .into_iter()
                    .map(|call| answered_tool_call(request, call))
                    .collect(),
            }
        }
        Some(ScriptedReply::Error { status, message }) => return scripted_error(status, message),
        Some(ScriptedReply::RateLimited { retry_after_secs }) => {
            return rate_limited(retry_after_secs)
        }
        Some(ScriptedReply::Trickle {
            pieces,
            interval_ms,
        }) => return trickle(request, pieces, interval_ms).await,
        Some(ScriptedReply::Malformed) => return malformed(request.stream),
        Some(ScriptedReply::EmptyChoices) => return empty_choices(request),
    };
    if request.stream {
        streamed_completion(request, &assistant_answer)
    } else {
        Json(completion_json(request, &assistant_answer)).into_response()
    }
}

async fn sleep_ms(delay_ms: u64) {
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
}

fn answered_tool_call(request: &ChatRequest, call: ScriptedToolCall) -> AnsweredToolCall {
    if !request.tool_names.contains(&call.name) {
        tracing::warn!(
            tool = %call.name,
            declared = ?request.tool_names,
            "llm sim: scripted tool call names a tool the request did not declare; sending it anyway"
        );
    }
    AnsweredToolCall {
        id: random_id("call_"),
        name: call.name,
        arguments: call.arguments.to_string(),
    }
}

fn scripted_error(status: u16, message: Option<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or_else(|_| {
        tracing::warn!(
            status,
            "llm sim: scripted error status is not an HTTP status; sending 500"
        );
        StatusCode::INTERNAL_SERVER_ERROR
    });
    let mut response = OpenAiError::scripted(status, message).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

fn rate_limited(retry_after_secs: u64) -> Response {
    let mut response = OpenAiError::scripted(StatusCode::TOO_MANY_REQUESTS, None).into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// A [`ScriptedReply::Trickle`]: one content event per piece, `interval_ms` apart.
async fn trickle(request: &ChatRequest, pieces: Vec<String>, interval_ms: u64) -> Response {
    let whole = AssistantAnswer::text(pieces.concat());
    if !request.stream {
        sleep_ms(interval_ms.saturating_mul(pieces.len() as u64)).await;
        return Json(completion_json(request, &whole)).into_response();
    }
    let id = random_id("chatcmpl-");
    let created = Utc::now().timestamp();
    let model = request.model.clone();
    let chunk = move |delta: Value, finish: Value| {
        json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": null,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        })
    };
    let mut events = vec![(
        0,
        chunk(json!({"role": "assistant", "content": ""}), Value::Null),
    )];
    events.extend(
        pieces
            .into_iter()
            .map(|piece| (interval_ms, chunk(json!({"content": piece}), Value::Null))),
    );
    events.push((0, chunk(json!({}), json!("stop"))));
    let usage = request.include_usage.then(|| {
        json!({
            "id": "chatcmpl-usage",
            "object": "chat.completion.chunk",
            "created": created,
            "model": request.model,
            "choices": [],
            "usage": usage_json(request.prompt_chars, whole.generated_chars()),
        })
    });
    events.extend(usage.map(|usage| (0, usage)));
    let stream = futures::stream::unfold(events.into_iter(), |mut events| async move {
        let (delay_ms, chunk) = events.next()?;
        sleep_ms(delay_ms).await;
        Some((
            Ok::<Event, Infallible>(Event::default().data(chunk.to_string())),
            events,
        ))
    })
    .chain(futures::stream::once(async {
        Ok::<Event, Infallible>(Event::default().data("[DONE]"))
    }));
    Sse::new(stream).into_response()
}

fn malformed(stream: bool) -> Response {
    let (content_type, body) = if stream {
        (
            "text/event-stream",
            format!("data: {MALFORMED_BODY}\n\ndata: [DONE]\n\n"),
        )
    } else {
        ("application/json", MALFORMED_BODY.to_owned())
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap_or_else(|error| {
            // Unreachable: the status and header are constants that are valid.
            tracing::error!(%error, "llm sim: could not build the malformed reply");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        })
}

fn empty_choices(request: &ChatRequest) -> Response {
    let id = random_id("chatcmpl-");
    let created = Utc::now().timestamp();
    if request.stream {
        let chunk = json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": request.model,
            "choices": [],
        });
        return sse_response(vec![chunk]);
    }
    Json(json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": request.model,
        "choices": [],
        "usage": usage_json(request.prompt_chars, 0),
    }))
    .into_response()
}

/// A `chat.completion` object carrying `answer`.
fn completion_json(request: &ChatRequest, answer: &AssistantAnswer) -> Value {
    json!({
        "id": random_id("chatcmpl-"),
        "object": "chat.completion",
        "created": Utc::now().timestamp(),
        "model": request.model,
        "choices": [{
            "index": 0,
            "message": answer.message_json(),
            "logprobs": null,
            "finish_reason": answer.finish_reason(),
        }],
        "usage": usage_json(request.prompt_chars, answer.generated_chars()),
        "system_fingerprint": null,
    })
}

/// `usage` with tokens approximated as a quarter of the characters, rounded up.
fn usage_json(prompt_chars: usize, completion_chars: usize) -> Value {
    let prompt_tokens = prompt_chars.div_ceil(4);
    let completion_tokens = completion_chars.div_ceil(4);
    json!({
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    })
}

/// The answer as `chat.completion.chunk` events: the role, the content in a few pieces, each
/// tool call (its id and name, then its arguments in pieces), the chunk with `finish_reason`,
/// then, when `stream_options.include_usage` is set, OpenAI's usage chunk (`choices: []`).
fn streamed_completion(request: &ChatRequest, answer: &AssistantAnswer) -> Response {
    let id = random_id("chatcmpl-");
    let created = Utc::now().timestamp();
    let chunk = |choices: Value| {
        let mut chunk = json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": request.model,
            "system_fingerprint": null,
            "choices": choices,
        });
        if request.include_usage {
            chunk["usage"] = Value::Null;
        }
        chunk
    };
    let delta_chunk = |delta: Value| {
        chunk(json!([{"index": 0, "delta": delta, "logprobs": null, "finish_reason": null}]))
    };

    let mut chunks = Vec::new();
    let first_content = answer.content.as_ref().map(|_| "");
    chunks.push(delta_chunk(
        json!({"role": "assistant", "content": first_content, "refusal": null}),
    ));
    if let Some(content) = &answer.content {
        for piece in split_into_pieces(content, 4) {
            chunks.push(delta_chunk(json!({"content": piece})));
        }
    }
    for (index, call) in answer.tool_calls.iter().enumerate() {
        chunks.push(delta_chunk(json!({"tool_calls": [{
            "index": index,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }]})));
        for piece in split_into_pieces(&call.arguments, 2) {
            chunks.push(delta_chunk(json!({"tool_calls": [{
                "index": index,
                "function": {"arguments": piece},
            }]})));
        }
    }
    chunks.push(chunk(json!([{
        "index": 0,
        "delta": {},
        "logprobs": null,
        "finish_reason": answer.finish_reason(),
    }])));
    if request.include_usage {
        let mut usage_chunk = chunk(json!([]));
        usage_chunk["usage"] = usage_json(request.prompt_chars, answer.generated_chars());
        chunks.push(usage_chunk);
    }
    sse_response(chunks)
}

/// `data: <chunk>` events followed by `data: [DONE]`.
fn sse_response(chunks: Vec<Value>) -> Response {
    let events = chunks
        .into_iter()
        .map(|chunk| Event::default().data(chunk.to_string()))
        .chain(std::iter::once(Event::default().data("[DONE]")))
        .map(Ok::<Event, Infallible>);
    Sse::new(futures::stream::iter(events)).into_response()
}

/// `text` cut into at most `max_pieces` pieces of about equal length (none if it is empty).
fn split_into_pieces(text: &str, max_pieces: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let piece_len = chars.len().div_ceil(max_pieces.max(1));
    chars
        .chunks(piece_len)
        .map(|piece| piece.iter().collect())
        .collect()
}

/// `prefix` followed by 24 random letters and digits, like OpenAI's ids.
fn random_id(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        Alphanumeric.sample_string(&mut rand::rng(), 24)
    )
}

async fn list_models(State(sim): State<Arc<LlmSim>>, headers: HeaderMap) -> Response {
    if !sim.is_authorized(&headers) {
        return OpenAiError::invalid_api_key(bearer_token(&headers)).into_response();
    }
    Json(json!({
        "object": "list",
        "data": [{
            "id": SIM_MODEL_ID,
            "object": "model",
            "created": SIM_MODEL_CREATED,
            "owned_by": "agora-sim",
        }],
    }))
    .into_response()
}

// ---------------------------------------------------------------------------------------------
// Control routes
// ---------------------------------------------------------------------------------------------

/// `POST /script`: one reply or an array of them → `{"queued": n, "pending": total}`.
async fn push_script(State(sim): State<Arc<LlmSim>>, raw_body: Bytes) -> Response {
    let replies = match parse_script(&raw_body) {
        Ok(replies) => replies,
        Err(message) => {
            return OpenAiError::bad_request(format!("invalid script: {message}"), None, None)
                .into_response()
        }
    };
    let queued = replies.len();
    let pending = {
        let mut script = sim.script.lock();
        script.extend(replies);
        script.len()
    };
    Json(json!({"queued": queued, "pending": pending})).into_response()
}

fn parse_script(raw_body: &[u8]) -> Result<Vec<ScriptedReply>, serde_json::Error> {
    match serde_json::from_slice::<Value>(raw_body)? {
        Value::Array(replies) => replies.into_iter().map(serde_json::from_value).collect(),
        reply => Ok(vec![serde_json::from_value(reply)?]),
    }
}

/// `DELETE /script` → `{"cleared": n}`.
async fn clear_script(State(sim): State<Arc<LlmSim>>) -> Json<Value> {
    let cleared = {
        let mut script = sim.script.lock();
        let cleared = script.len();
        script.clear();
        cleared
    };
    Json(json!({ "cleared": cleared }))
}

/// `GET /requests` → the recorded requests, oldest first.
async fn list_requests(State(sim): State<Arc<LlmSim>>) -> Json<Vec<RecordedRequest>> {
    Json(sim.requests())
}

/// `DELETE /requests` → `{"cleared": n}`.
async fn clear_requests(State(sim): State<Arc<LlmSim>>) -> Json<Value> {
    let cleared = {
        let mut recorded = sim.recorded.lock();
        let cleared = recorded.len();
        recorded.clear();
        sim.recorded_count.send_replace(0);
        cleared
    };
    Json(json!({ "cleared": cleared }))
}
