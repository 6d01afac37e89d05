//! The LlmClient actor: it owns the HTTP client and speaks OpenAI's chat-completions
//! protocol — one request per call, retried with backoff on 429 and 5xx (a `Retry-After`
//! honoured, never past the caller's deadline), the answer read whole (tool calls) or as
//! server-sent events (streamed text) — and tells the circuit breaker how each call went.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use parking_lot::Mutex;
use serde_json::{json, Value};

use super::breaker::Breaker;
use super::config::{ApiKey, LlmConfig};
use super::templates::Prompt;
use super::{metrics, schema, LlmFailure, ToolSpec};
use crate::kernel::clock::SharedClock;
use crate::kernel::supervision::Concern;

/// The concern's name in logs, metrics and `/status`.
pub const CLIENT: &str = "llm-client";

/// How much of an error body a failure repeats.
const ERROR_BODY_CHARS: usize = 200;

/// One piece of model work.
pub(crate) enum Work {
    Tool {
        prompt: Prompt,
        tool: ToolSpec,
        deadline: Instant,
        trial: Option<Trial>,
    },
    Stream {
        prompt: Prompt,
        pieces: tokio::sync::mpsc::Sender<String>,
        deadline: Instant,
        trial: Option<Trial>,
    },
    /// Ask for the model list: does the server answer?
    Probe { deadline: Instant },
}

/// What the work gave.
pub(crate) enum Done {
    Tool(Result<Value, LlmFailure>),
    Text(Result<String, LlmFailure>),
    Probe(Result<Duration, String>),
}

/// The breaker's trial call after a cool-down: if it ends without a verdict (dropped
/// while it waited for a turn), the breaker lets another call try.
pub(crate) struct Trial {
    breaker: Arc<Mutex<Breaker>>,
    clock: SharedClock,
    settled: bool,
}

impl Trial {
    pub fn new(breaker: Arc<Mutex<Breaker>>, clock: SharedClock) -> Trial {
        Trial {
            breaker,
            clock,
            settled: false,
        }
    }
}

impl Drop for Trial {
    fn drop(&mut self) {
        if !self.settled {
            let mut breaker = self.breaker.lock();
            breaker.trial_abandoned(self.clock.now());
            metrics::breaker(breaker.state());
        }
    }
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// The HTTP side: the client, where to send, the key, and the breaker to tell.
pub(crate) struct Engine {
    http: Client<Https, Full<Bytes>>,
    config: LlmConfig,
    chat_url: String,
    models_url: Option<String>,
    key: Option<ApiKey>,
    breaker: Arc<Mutex<Breaker>>,
    clock: SharedClock,
}

impl Engine {
    pub fn new(
        config: &LlmConfig,
        breaker: Arc<Mutex<Breaker>>,
        clock: SharedClock,
    ) -> Result<Engine, String> {
        use hyper_rustls::ConfigBuilderExt;
        let key = config.api_key(|name| std::env::var(name).ok())?;
        let tls = rustls::ClientConfig::builder()
            .try_with_platform_verifier()
            .map_err(|error| format!("cannot set up TLS: {error}"))?
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let http = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Engine {
            http,
            chat_url: config.chat_url(),
            models_url: config.models_url(),
            config: config.clone(),
            key,
            breaker,
            clock,
        })
    }

    /// A request to `url` with the key and `body` (JSON, or nothing).
    fn request(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Request<Full<Bytes>>, LlmFailure> {
        let mut request = Request::builder()
            .method(method)
            .uri(url)
            .header(USER_AGENT, concat!("agora/", env!("CARGO_PKG_VERSION")));
        if let Some(key) = &self.key {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                    LlmFailure::Server("the API key is not a valid header value".into())
                })?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let body = match body {
            Some(body) => {
                request = request.header(CONTENT_TYPE, "application/json");
                Bytes::from(body.to_string())
            }
            None => Bytes::new(),
        };
        request
            .body(Full::new(body))
            .map_err(|error| LlmFailure::Server(format!("cannot build the request: {error}")))
    }

    /// Sends `body`, retrying 429 and 5xx answers and connection errors with backoff
    /// while the deadline allows; the successful response, headers read.
    async fn send(
        &self,
        body: &Value,
        deadline: Instant,
    ) -> Result<Response<Incoming>, LlmFailure> {
        let mut attempt: u32 = 0;
        loop {
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(LlmFailure::Timeout);
            }
            let limit = remaining.min(self.config.timeout());
            let request = self.request(Method::POST, &self.chat_url, Some(body))?;
            let (failure, retry_after) = match tokio::time::timeout(
                limit,
                self.http.request(request),
            )
            .await
            {
                Err(_) => return Err(LlmFailure::Timeout),
                Ok(Err(error)) => {
                    metrics::attempt("error");
                    let reason = describe_error(&error);
                    (LlmFailure::Server(reason), None)
                }
                Ok(Ok(response)) => {
                    let status = response.status();
                    metrics::attempt(status.as_str());
                    if status.is_success() {
                        return Ok(response);
                    }
                    let retry_after = retry_after(response.headers());
                    let text = tokio::time::timeout(
                        remaining.min(Duration::from_secs(2)),
                        response.into_body().collect(),
                    )
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .map(|body| String::from_utf8_lossy(&body.to_bytes()).into_owned())
                    .unwrap_or_default();
                    let message = error_message(&text);
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        (LlmFailure::RateLimited, retry_after)
                    } else if status.is_server_error() {
                        (
                            LlmFailure::Server(format!("{status}: {message}")),
                            retry_after,
                        )
                    } else {
                        // 400, 401, 404…: asking again changes nothing.
                        tracing::warn!(%status, %message, "the model server refused the request");
                        return Err(LlmFailure::Server(format!("{status}: {message}")));
                    }
                }
            };
            if attempt >= self.config.retries {
                return Err(failure);
            }
            let backoff = self
                .config
                .backoff()
                .saturating_mul(2u32.saturating_pow(attempt));
            let wait = retry_after.unwrap_or(backoff);
            if Instant::now()
                .checked_add(wait)
                .is_none_or(|retry_at| retry_at >= deadline)
            {
                // Waiting would outlast the caller's deadline: say what happened now.
                return Err(failure);
            }
            tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, %failure, "retrying the model");
            metrics::retry();
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// A tool call: the request with the one tool, required; the arguments checked.
    async fn call_tool(
        &self,
        prompt: &Prompt,
        tool: &ToolSpec,
        deadline: Instant,
    ) -> Result<Value, LlmFailure> {
        let body = json!({
            "model": self.config.model,
            "messages": prompt.messages(),
            "tools": [{
                "type": "function",
                "function": {
                    "name": tool.name,
                    "description": tool.description,
                    "parameters": tool.parameters,
                },
            }],
            "tool_choice": {"type": "function", "function": {"name": tool.name}},
        });
        let response = self.send(&body, deadline).await?;
        let remaining = deadline.saturating_duration_since(Instant::now());
        let bytes = match tokio::time::timeout(remaining, response.into_body().collect()).await {
            Err(_) => return Err(LlmFailure::Timeout),
            Ok(Err(error)) => {
                return Err(LlmFailure::Server(format!("the answer broke off: {error}")))
            }
            Ok(Ok(body)) => body.to_bytes(),
        };
        let completion: Value = serde_json::from_slice(&bytes)
            .map_err(|_| LlmFailure::Malformed("the answer is not JSON".into()))?;
        usage(&completion);
        tool_arguments(&completion, tool)
    }

    /// A streamed text answer: each content piece to `pieces` as it comes.
    async fn stream_text(
        &self,
        prompt: &Prompt,
        pieces: &tokio::sync::mpsc::Sender<String>,
        deadline: Instant,
    ) -> Result<String, LlmFailure> {
        let body = json!({
            "model": self.config.model,
            "messages": prompt.messages(),
            "stream": true,
            "stream_options": {"include_usage": true},
        });
        let started = Instant::now();
        let mut body = self.send(&body, deadline).await?.into_body();
        let until = deadline.min(started + self.config.timeout());
        let mut events = EventReader::default();
        let mut text = String::new();
        loop {
            let frame = match tokio::time::timeout_at(until.into(), body.frame()).await {
                Err(_) => return Err(LlmFailure::Timeout),
                Ok(Some(Err(error))) => {
                    return Err(LlmFailure::Server(format!("the answer broke off: {error}")))
                }
                Ok(None) => return Ok(text),
                Ok(Some(Ok(frame))) => frame,
            };
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            for data in events.push(&chunk) {
                if data == "[DONE]" {
                    return Ok(text);
                }
                let event: Value = serde_json::from_str(&data)
                    .map_err(|_| LlmFailure::Malformed("a streamed event is not JSON".into()))?;
                usage(&event);
                let piece = event
                    .pointer("/choices/0/delta/content")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if piece.is_empty() {
                    continue;
                }
                text.push_str(piece);
                // A caller that stopped reading still gets the whole text at the end.
                let sent =
                    tokio::time::timeout_at(until.into(), pieces.send(piece.to_owned())).await;
                if sent.is_err() {
                    return Err(LlmFailure::Timeout);
                }
            }
        }
    }

    /// `GET …/models`: how long the server took to answer, or why it did not.
    async fn probe(&self, deadline: Instant) -> Result<Duration, String> {
        let Some(url) = &self.models_url else {
            return Err("no model list to ask at this chat_path".into());
        };
        let started = Instant::now();
        let request = self
            .request(Method::GET, url, None)
            .map_err(|failure| failure.to_string())?;
        let remaining = deadline.saturating_duration_since(started);
        match tokio::time::timeout(remaining, self.http.request(request)).await {
            Err(_) => Err("no answer in time".into()),
            Ok(Err(error)) => Err(describe_error(&error)),
            Ok(Ok(response)) if response.status().is_success() => Ok(started.elapsed()),
            Ok(Ok(response)) => Err(format!("HTTP {}", response.status())),
        }
    }

    /// Tells the breaker how a call went (the trial call settles it).
    fn settle<T>(&self, result: &Result<T, LlmFailure>, trial: Option<Trial>) {
        let mut breaker = self.breaker.lock();
        match result {
            Err(failure) if failure.counts_against_the_model() => breaker.failed(self.clock.now()),
            _ => breaker.succeeded(),
        }
        metrics::breaker(breaker.state());
        drop(breaker);
        if let Some(mut trial) = trial {
            trial.settled = true;
        }
    }
}

/// The actor; see the module documentation.
pub(crate) struct LlmActor {
    pub engine: Arc<Engine>,
}

impl Concern for LlmActor {
    const NAME: &'static str = CLIENT;
    type Request = Work;
    type Response = Done;

    fn handle(&mut self, work: Work) -> LocalBoxFuture<'static, Done> {
        let engine = self.engine.clone();
        async move {
            match work {
                Work::Tool {
                    prompt,
                    tool,
                    deadline,
                    trial,
                } => {
                    let result = match tokio::time::timeout_at(
                        deadline.into(),
                        engine.call_tool(&prompt, &tool, deadline),
                    )
                    .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(LlmFailure::Timeout),
                    };
                    engine.settle(&result, trial);
                    Done::Tool(result)
                }
                Work::Stream {
                    prompt,
                    pieces,
                    deadline,
                    trial,
                } => {
                    let result = match tokio::time::timeout_at(
                        deadline.into(),
                        engine.stream_text(&prompt, &pieces, deadline),
                    )
                    .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(LlmFailure::Timeout),
                    };
                    engine.settle(&result, trial);
                    Done::Text(result)
                }
                Work::Probe { deadline } => Done::Probe(engine.probe(deadline).await),
            }
        }
        .boxed_local()
    }
}

/// The arguments of the completion's call of `tool`, parsed and checked against its schema.
pub(crate) fn tool_arguments(completion: &Value, tool: &ToolSpec) -> Result<Value, LlmFailure> {
    let message = completion
        .pointer("/choices/0/message")
        .ok_or_else(|| LlmFailure::Malformed("the answer has no message".into()))?;
    let calls = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .filter(|calls| !calls.is_empty())
        .ok_or_else(|| LlmFailure::Malformed("the model called no tool".into()))?;
    let call = calls
        .iter()
        .find(|call| call.pointer("/function/name").and_then(Value::as_str) == Some(tool.name))
        .ok_or_else(|| {
            let called = calls
                .iter()
                .filter_map(|call| call.pointer("/function/name").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(", ");
            LlmFailure::Malformed(format!("the model called `{called}`, not `{}`", tool.name))
        })?;
    let arguments = match call.pointer("/function/arguments") {
        Some(Value::String(text)) => serde_json::from_str::<Value>(text)
            .map_err(|_| LlmFailure::Malformed("the tool's arguments are not JSON".into()))?,
        // Some servers send the object itself.
        Some(object @ Value::Object(_)) => object.clone(),
        _ => {
            return Err(LlmFailure::Malformed(
                "the tool call has no arguments".into(),
            ))
        }
    };
    schema::check(&tool.parameters, &arguments).map_err(LlmFailure::Malformed)?;
    Ok(arguments)
}

/// Counts a completion's (or the last streamed event's) tokens.
fn usage(completion: &Value) {
    let Some(usage) = completion.get("usage").filter(|usage| usage.is_object()) else {
        return;
    };
    let count = |name: &str| usage.get(name).and_then(Value::as_u64).unwrap_or(0);
    metrics::tokens(count("prompt_tokens"), count("completion_tokens"));
}

/// `Retry-After` in seconds (the form model servers use); a date is left to the backoff.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    value
        .parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
}

/// OpenAI's `error.message`, else the start of the body.
fn error_message(body: &str) -> String {
    let message = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|body| {
            body.pointer("/error/message")
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| body.to_owned());
    crate::kernel::reply::clip(message.trim(), ERROR_BODY_CHARS)
}

/// What went wrong with a request that got no answer (the key is never in it: it goes
/// in a header marked sensitive).
fn describe_error(error: &hyper_util::client::legacy::Error) -> String {
    let kind = if error.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    match std::error::Error::source(error) {
        Some(source) => format!("{kind}: {source}"),
        None => kind.to_owned(),
    }
}

/// Server-sent events from byte chunks: each complete `data:` payload, in order.
#[derive(Default)]
pub(crate) struct EventReader {
    buffer: Vec<u8>,
}

impl EventReader {
    /// Adds a chunk; returns the data of every line completed by it.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.buffer.extend_from_slice(chunk);
        let mut data = Vec::new();
        while let Some(end) = self.buffer.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            if let Some(payload) = line.strip_prefix("data:") {
                data.push(payload.trim_start().to_owned());
            }
        }
        data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tool() -> ToolSpec {
        ToolSpec {
            name: "suggest_channel_name",
            description: "d",
            parameters: json!({
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["name"],
            }),
        }
    }

    fn completion(calls: Value) -> Value {
        json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": calls}}]})
    }

    #[test]
    fn the_right_tool_with_fitting_arguments_is_the_only_answer_taken() {
        let call = |name: &str, arguments: &str| json!([{"id": "c", "type": "function", "function": {"name": name, "arguments": arguments}}]);
        let good = completion(call("suggest_channel_name", r#"{"name":"board-games"}"#));
        assert_eq!(
            tool_arguments(&good, &tool()),
            Ok(json!({"name": "board-games"}))
        );
        let wrong = completion(call("delete_everything", r#"{"name":"x"}"#));
        assert!(
            matches!(tool_arguments(&wrong, &tool()), Err(LlmFailure::Malformed(m)) if m.contains("delete_everything"))
        );
        let not_json = completion(call("suggest_channel_name", "{name:"));
        assert!(matches!(
            tool_arguments(&not_json, &tool()),
            Err(LlmFailure::Malformed(_))
        ));
        let missing = completion(call("suggest_channel_name", r#"{"reason":"fun"}"#));
        assert!(
            matches!(tool_arguments(&missing, &tool()), Err(LlmFailure::Malformed(m)) if m.contains("name"))
        );
        let text_only =
            json!({"choices": [{"message": {"role": "assistant", "content": "board-games"}}]});
        assert!(matches!(
            tool_arguments(&text_only, &tool()),
            Err(LlmFailure::Malformed(_))
        ));
    }

    #[test]
    fn events_are_read_across_chunk_boundaries() {
        let mut reader = EventReader::default();
        assert!(reader.push(b"data: {\"a\"").is_empty());
        assert_eq!(
            reader.push(b":1}\r\n\r\ndata: [DONE]\n\n"),
            [r#"{"a":1}"#, "[DONE]"]
        );
        assert!(reader.push(b": a comment\n").is_empty());
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
