//! Tests of the sim's OpenAI-compatible LLM over real HTTP: replies, faults, validation,
//! streaming, recording and the control routes.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_sim::llm::*;
use serde_json::{json, Value};

const API_KEY: &str = "sk-sim-test-key-0123456789";

/// A running sim: public routes at the root, control routes under `/_sim/llm`.
struct RunningSim {
    sim: Arc<LlmSim>,
    base_url: String,
    client: reqwest::Client,
}

async fn start_sim() -> RunningSim {
    let sim = LlmSim::new(API_KEY);
    let app = sim.router().nest("/_sim/llm", sim.control_router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    RunningSim {
        sim,
        base_url: format!("http://{address}"),
        client: reqwest::Client::new(),
    }
}

impl RunningSim {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// POSTs `body` to `path` with the right key.
    async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(API_KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    async fn chat(&self, body: &Value) -> reqwest::Response {
        self.post("/v1/chat/completions", body).await
    }

    /// A valid chat request's answer, as JSON, after checking it is a 200 JSON reply.
    async fn chat_ok(&self, body: &Value) -> Value {
        let response = self.chat(body).await;
        assert_eq!(response.status(), 200);
        assert_eq!(content_type(&response), "application/json");
        response.json().await.unwrap()
    }
}

fn content_type(response: &reqwest::Response) -> String {
    response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn user_request(text: &str) -> Value {
    json!({"model": "gpt-test", "messages": [{"role": "user", "content": text}]})
}

fn weather_tool() -> Value {
    json!({
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    })
}

/// The `data:` payloads of an SSE body, in order.
fn sse_data(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter(|event| !event.trim().is_empty())
        .map(|event| {
            event
                .strip_prefix("data: ")
                .unwrap_or_else(|| panic!("event without data: {event:?}"))
                .to_owned()
        })
        .collect()
}

/// The chunks of a streamed reply, after checking the stream ends with `[DONE]`.
async fn stream_chunks(response: reqwest::Response) -> Vec<Value> {
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "text/event-stream");
    let data = sse_data(&response.text().await.unwrap());
    assert_eq!(data.last().map(String::as_str), Some("[DONE]"));
    data[..data.len() - 1]
        .iter()
        .map(|chunk| serde_json::from_str(chunk).unwrap())
        .collect()
}

#[tokio::test]
async fn default_reply_echoes_the_last_user_message() {
    let running = start_sim().await;
    let body = json!({
        "model": "gpt-test",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "first question"},
            {"role": "assistant", "content": "first answer"},
            {"role": "user", "content": "hello there"},
        ],
    });
    let completion = running.chat_ok(&body).await;

    assert_eq!(completion["object"], "chat.completion");
    assert!(completion["id"].as_str().unwrap().starts_with("chatcmpl-"));
    assert_eq!(completion["model"], "gpt-test");
    let now = chrono::Utc::now().timestamp();
    assert!((now - completion["created"].as_i64().unwrap()).abs() <= 5);
    let choice = &completion["choices"][0];
    assert_eq!(choice["index"], 0);
    assert_eq!(choice["finish_reason"], "stop");
    assert_eq!(choice["message"]["role"], "assistant");
    assert_eq!(choice["message"]["content"], "sim: hello there");
    assert!(choice["message"].get("tool_calls").is_none());
    // 8 + 14 + 12 + 11 = 45 prompt chars → 12 tokens; "sim: hello there" is 16 chars → 4.
    assert_eq!(
        completion["usage"],
        json!({"prompt_tokens": 12, "completion_tokens": 4, "total_tokens": 16})
    );
}

#[tokio::test]
async fn default_reply_truncates_the_echo_to_200_chars_and_reads_text_parts() {
    let running = start_sim().await;
    let long_text: String = (0..300)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let completion = running.chat_ok(&user_request(&long_text)).await;
    let expected = format!("sim: {}", &long_text[..200]);
    assert_eq!(completion["choices"][0]["message"]["content"], expected);

    let parts = json!({"model": "m", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "look at"},
        {"type": "image_url", "image_url": {"url": "https://example.invalid/cat.png"}},
        {"type": "text", "text": "this"},
    ]}]});
    let completion = running.chat_ok(&parts).await;
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "sim: look at\nthis"
    );
}

#[tokio::test]
async fn scripted_text_replies_are_consumed_in_order() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::Text {
        content: "one".into(),
        delay_ms: 0,
    });
    running.sim.push(ScriptedReply::Text {
        content: "two".into(),
        delay_ms: 0,
    });
    assert_eq!(running.sim.pending_replies(), 2);

    let mut contents = Vec::new();
    for _ in 0..3 {
        let completion = running.chat_ok(&user_request("ping")).await;
        contents.push(completion["choices"][0]["message"]["content"].clone());
    }
    assert_eq!(
        contents,
        vec![json!("one"), json!("two"), json!("sim: ping")]
    );
    assert_eq!(running.sim.pending_replies(), 0);
}

#[tokio::test]
async fn tool_calls_send_arguments_as_a_json_string() {
    let running = start_sim().await;
    let arguments = json!({"city": "Paris", "days": 3, "units": ["c"]});
    running.sim.push(ScriptedReply::ToolCalls {
        calls: vec![ScriptedToolCall {
            name: "get_weather".into(),
            arguments: arguments.clone(),
        }],
        content: None,
        delay_ms: 0,
    });
    let body = json!({
        "model": "gpt-test",
        "messages": [{"role": "user", "content": "weather in Paris?"}],
        "tools": [weather_tool()],
    });
    let completion = running.chat_ok(&body).await;

    let choice = &completion["choices"][0];
    assert_eq!(choice["finish_reason"], "tool_calls");
    assert_eq!(choice["message"]["content"], Value::Null);
    let calls = choice["message"]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 1);
    assert!(calls[0]["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(calls[0]["type"], "function");
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    let sent_arguments = calls[0]["function"]["arguments"].as_str().unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(sent_arguments).unwrap(),
        arguments
    );
}

#[tokio::test]
async fn tool_calls_for_undeclared_tools_are_still_sent_with_content() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::ToolCalls {
        calls: vec![
            ScriptedToolCall {
                name: "not_declared".into(),
                arguments: json!({}),
            },
            ScriptedToolCall {
                name: "get_weather".into(),
                arguments: json!({"city": "Oslo"}),
            },
        ],
        content: Some("checking".into()),
        delay_ms: 0,
    });
    let completion = running.chat_ok(&user_request("go")).await;
    let message = &completion["choices"][0]["message"];
    assert_eq!(message["content"], "checking");
    let names: Vec<&str> = message["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["not_declared", "get_weather"]);
    let first_id = message["tool_calls"][0]["id"].as_str().unwrap();
    let second_id = message["tool_calls"][1]["id"].as_str().unwrap();
    assert_ne!(first_id, second_id);
}

#[tokio::test]
async fn wrong_or_missing_key_is_401_and_still_recorded() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::Text {
        content: "kept for the authorized request".into(),
        delay_ms: 0,
    });
    let body = user_request("hi");

    let wrong = running
        .client
        .post(running.url("/v1/chat/completions"))
        .bearer_auth("sk-wrong-key-abcdefgh")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(content_type(&wrong), "application/json");
    let error: Value = wrong.json().await.unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Incorrect API key provided"),
        "{message}"
    );
    assert!(!message.contains("sk-wrong-key-abcdefgh"), "{message}");
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["param"], Value::Null);
    assert_eq!(error["error"]["code"], "invalid_api_key");

    let missing = running
        .client
        .post(running.url("/v1/chat/completions"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 401);
    let error: Value = missing.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_api_key");

    let models = running
        .client
        .get(running.url("/v1/models"))
        .send()
        .await
        .unwrap();
    assert_eq!(models.status(), 401);

    let recorded = running.sim.requests();
    assert_eq!(recorded.len(), 2);
    assert!(recorded.iter().all(|request| !request.authorized));
    assert_eq!(recorded[0].body, body);
    // Rejected requests do not consume the script.
    let completion = running.chat_ok(&body).await;
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "kept for the authorized request"
    );
    assert!(running.sim.requests()[2].authorized);
}

#[tokio::test]
async fn missing_messages_is_400_in_openai_shape() {
    let running = start_sim().await;
    let response = running.chat(&json!({"model": "gpt-test"})).await;
    assert_eq!(response.status(), 400);
    assert_eq!(content_type(&response), "application/json");
    let error: Value = response.json().await.unwrap();
    assert_eq!(
        error,
        json!({"error": {
            "message": "Missing required parameter: 'messages'.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "missing_required_parameter",
        }})
    );
    let recorded = running.sim.requests();
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].authorized);
}

#[tokio::test]
async fn invalid_requests_are_rejected_with_the_offending_param() {
    let running = start_sim().await;
    let user = json!({"role": "user", "content": "hi"});
    let call = json!({"id": "call_1", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{}"}});
    let cases: Vec<(Value, Option<&str>, Option<&str>)> = vec![
        (
            json!({"messages": [user]}),
            Some("model"),
            Some("missing_required_parameter"),
        ),
        (
            json!({"model": 5, "messages": [user]}),
            Some("model"),
            Some("invalid_type"),
        ),
        (
            json!({"model": "m", "messages": []}),
            Some("messages"),
            Some("empty_array"),
        ),
        (
            json!({"model": "m", "messages": "hi"}),
            Some("messages"),
            Some("invalid_type"),
        ),
        (
            json!({"model": "m", "messages": [{"role": "robot", "content": "x"}]}),
            Some("messages[0].role"),
            Some("invalid_value"),
        ),
        (
            json!({"model": "m", "messages": [{"role": "user"}]}),
            Some("messages[0].content"),
            Some("missing_required_parameter"),
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": null}]}),
            Some("messages[0].content"),
            Some("invalid_type"),
        ),
        (
            json!({"model": "m", "messages": [{"role": "assistant", "content": null}]}),
            Some("messages[0].content"),
            Some("invalid_type"),
        ),
        (
            json!({"model": "m", "messages": [{"role": "system", "content": [
                {"type": "image_url", "image_url": {"url": "x"}}]}]}),
            Some("messages[0].content[0].type"),
            Some("invalid_value"),
        ),
        (
            json!({"model": "m", "messages": [user, {"role": "assistant", "content": null,
                "tool_calls": [call]}, {"role": "tool", "content": "sunny"}]}),
            Some("messages[2].tool_call_id"),
            Some("missing_required_parameter"),
        ),
        (
            json!({"model": "m", "messages": [user,
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny"}]}),
            Some("messages[1].role"),
            None,
        ),
        (
            json!({"model": "m", "messages": [user, {"role": "assistant", "content": null,
                "tool_calls": [call]}, user]}),
            Some("messages[1].role"),
            None,
        ),
        (
            json!({"model": "m", "messages": [user, {"role": "assistant", "content": null,
                "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "call_9", "content": "sunny"}]}),
            Some("messages[2].tool_call_id"),
            None,
        ),
        (
            json!({"model": "m", "messages": [user], "tools": {}}),
            Some("tools"),
            Some("invalid_type"),
        ),
        (
            json!({"model": "m", "messages": [user], "tools": []}),
            Some("tools"),
            Some("empty_array"),
        ),
        (
            json!({"model": "m", "messages": [user], "tools": [{"type": "retrieval"}]}),
            Some("tools[0].type"),
            Some("invalid_value"),
        ),
        (
            json!({"model": "m", "messages": [user], "tools": [{"type": "function"}]}),
            Some("tools[0].function"),
            Some("missing_required_parameter"),
        ),
        (
            json!({"model": "m", "messages": [user],
                   "tools": [{"type": "function", "function": {"name": "has space"}}]}),
            Some("tools[0].function.name"),
            Some("invalid_value"),
        ),
        (
            json!({"model": "m", "messages": [user], "temperature": 2.5}),
            Some("temperature"),
            Some("decimal_above_max_value"),
        ),
        (
            json!({"model": "m", "messages": [user], "temperature": -0.1}),
            Some("temperature"),
            Some("decimal_below_min_value"),
        ),
        (
            json!({"model": "m", "messages": [user], "max_tokens": 0}),
            Some("max_tokens"),
            Some("integer_below_min_value"),
        ),
        (
            json!({"model": "m", "messages": [user], "max_completion_tokens": -3}),
            Some("max_completion_tokens"),
            Some("integer_below_min_value"),
        ),
        (
            json!({"model": "m", "messages": [user], "max_tokens": 1.5}),
            Some("max_tokens"),
            Some("invalid_type"),
        ),
        (
            json!({"model": "m", "messages": [user], "stream_options": {"include_usage": true}}),
            Some("stream_options"),
            None,
        ),
    ];
    for (body, param, code) in cases {
        let response = running.chat(&body).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["type"], "invalid_request_error", "{body}");
        assert_eq!(error["error"]["param"], json!(param), "{body}: {error}");
        assert_eq!(error["error"]["code"], json!(code), "{body}: {error}");
    }

    let not_json = running
        .client
        .post(running.url("/v1/chat/completions"))
        .bearer_auth(API_KEY)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
    let error: Value = not_json.json().await.unwrap();
    assert!(error["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("We could not parse the JSON body of your request."));
    assert_eq!(
        running.sim.requests().last().unwrap().body,
        json!("{not json")
    );
}

#[tokio::test]
async fn valid_edge_cases_are_accepted() {
    let running = start_sim().await;
    let call = json!({"id": "call_1", "type": "function",
                      "function": {"name": "get_weather", "arguments": "{\"city\":\"Oslo\"}"}});
    let body = json!({
        "model": "m",
        "messages": [
            {"role": "developer", "content": "rules"},
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": null, "tool_calls": [call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
            {"role": "assistant", "content": [{"type": "text", "text": "It is sunny."}]},
            {"role": "user", "content": [{"type": "text", "text": "thanks"}]},
        ],
        "tools": [weather_tool()],
        "temperature": 2,
        "max_tokens": 1,
        "max_completion_tokens": 4096,
        "stream": false,
    });
    let completion = running.chat_ok(&body).await;
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "sim: thanks"
    );
}

#[tokio::test]
async fn scripted_server_error_malformed_and_empty_choices() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::Error {
        status: 500,
        message: Some("boom".into()),
    });
    running.sim.push(ScriptedReply::Malformed);
    running.sim.push(ScriptedReply::EmptyChoices);

    let server_error = running.chat(&user_request("a")).await;
    assert_eq!(server_error.status(), 500);
    assert_eq!(content_type(&server_error), "application/json");
    let error: Value = server_error.json().await.unwrap();
    assert_eq!(
        error,
        json!({"error": {"message": "boom", "type": "server_error", "param": null, "code": null}})
    );

    let malformed = running.chat(&user_request("b")).await;
    assert_eq!(malformed.status(), 200);
    let text = malformed.text().await.unwrap();
    assert!(!text.is_empty());
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    let empty = running.chat_ok(&user_request("c")).await;
    assert_eq!(empty["object"], "chat.completion");
    assert_eq!(empty["choices"], json!([]));

    let after = running.chat_ok(&user_request("d")).await;
    assert_eq!(after["choices"][0]["message"]["content"], "sim: d");
}

#[tokio::test]
async fn rate_limit_error_has_retry_after() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::Error {
        status: 429,
        message: None,
    });
    running.sim.push(ScriptedReply::Error {
        status: 401,
        message: None,
    });

    let limited = running.chat(&user_request("a")).await;
    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "1");
    let error: Value = limited.json().await.unwrap();
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");
    assert_eq!(error["error"]["type"], "requests");

    let unauthorized = running.chat(&user_request("b")).await;
    assert_eq!(unauthorized.status(), 401);
    assert!(unauthorized.headers().get("retry-after").is_none());
    let error: Value = unauthorized.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_api_key");
}

#[tokio::test]
async fn delays_are_slept_before_answering() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::Text {
        content: "late".into(),
        delay_ms: 300,
    });
    running.sim.push(ScriptedReply::Slow {
        delay_ms: 400,
        content: "later".into(),
    });

    let started = Instant::now();
    let completion = running.chat_ok(&user_request("a")).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(completion["choices"][0]["message"]["content"], "late");

    let started = Instant::now();
    let completion = running.chat_ok(&user_request("b")).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    assert_eq!(completion["choices"][0]["message"]["content"], "later");
}

#[tokio::test]
async fn streaming_text_concatenates_to_the_scripted_content() {
    let running = start_sim().await;
    let content = "Hello from the streaming sim, in several pieces!";
    running.sim.push(ScriptedReply::Text {
        content: content.into(),
        delay_ms: 0,
    });
    let mut body = user_request("stream please");
    body["stream"] = json!(true);
    let chunks = stream_chunks(running.chat(&body).await).await;

    assert!(chunks.len() >= 4, "{chunks:?}");
    let id = chunks[0]["id"].as_str().unwrap();
    assert!(id.starts_with("chatcmpl-"));
    for chunk in &chunks {
        assert_eq!(chunk["object"], "chat.completion.chunk");
        assert_eq!(chunk["id"], id);
        assert_eq!(chunk["model"], "gpt-test");
        assert!(chunk.get("usage").is_none());
    }
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let pieces: Vec<&str> = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert!(pieces.len() >= 3, "{pieces:?}");
    assert_eq!(pieces.concat(), content);
    let last = chunks.last().unwrap();
    assert_eq!(last["choices"][0]["finish_reason"], "stop");
    assert_eq!(last["choices"][0]["delta"], json!({}));
    let unfinished = &chunks[..chunks.len() - 1];
    assert!(unfinished
        .iter()
        .all(|chunk| chunk["choices"][0]["finish_reason"].is_null()));
}

#[tokio::test]
async fn streaming_includes_usage_only_when_asked() {
    let running = start_sim().await;
    let mut body = user_request("abcdefgh");
    body["stream"] = json!(true);
    body["stream_options"] = json!({"include_usage": true});
    let chunks = stream_chunks(running.chat(&body).await).await;

    let usage_chunk = chunks.last().unwrap();
    assert_eq!(usage_chunk["choices"], json!([]));
    // 8 prompt chars → 2 tokens; "sim: abcdefgh" is 13 chars → 4 tokens.
    assert_eq!(
        usage_chunk["usage"],
        json!({"prompt_tokens": 2, "completion_tokens": 4, "total_tokens": 6})
    );
    let finish_chunk = &chunks[chunks.len() - 2];
    assert_eq!(finish_chunk["choices"][0]["finish_reason"], "stop");
    assert!(chunks[..chunks.len() - 1]
        .iter()
        .all(|chunk| chunk["usage"].is_null()));
    let content: String = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(content, "sim: abcdefgh");
}

#[tokio::test]
async fn streaming_tool_calls_arrive_as_deltas() {
    let running = start_sim().await;
    let arguments = json!({"city": "Lisbon", "days": 2});
    running.sim.push(ScriptedReply::ToolCalls {
        calls: vec![ScriptedToolCall {
            name: "get_weather".into(),
            arguments: arguments.clone(),
        }],
        content: None,
        delay_ms: 0,
    });
    let body = json!({
        "model": "gpt-test",
        "messages": [{"role": "user", "content": "weather?"}],
        "tools": [weather_tool()],
        "stream": true,
    });
    let chunks = stream_chunks(running.chat(&body).await).await;

    let deltas: Vec<&Value> = chunks
        .iter()
        .flat_map(|chunk| chunk["choices"][0]["delta"]["tool_calls"].as_array())
        .flatten()
        .collect();
    assert!(deltas.len() >= 2, "{deltas:?}");
    assert!(deltas.iter().all(|delta| delta["index"] == 0));
    assert!(deltas[0]["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(deltas[0]["type"], "function");
    assert_eq!(deltas[0]["function"]["name"], "get_weather");
    let sent_arguments: String = deltas
        .iter()
        .map(|delta| delta["function"]["arguments"].as_str().unwrap())
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&sent_arguments).unwrap(),
        arguments
    );
    assert_eq!(
        chunks.last().unwrap()["choices"][0]["finish_reason"],
        "tool_calls"
    );
}

#[tokio::test]
async fn streaming_faults_are_streamed_too() {
    let running = start_sim().await;
    running.sim.push(ScriptedReply::Malformed);
    running.sim.push(ScriptedReply::EmptyChoices);
    running.sim.push(ScriptedReply::Error {
        status: 503,
        message: None,
    });
    let mut body = user_request("x");
    body["stream"] = json!(true);

    let malformed = running.chat(&body).await;
    assert_eq!(malformed.status(), 200);
    assert_eq!(content_type(&malformed), "text/event-stream");
    let data = sse_data(&malformed.text().await.unwrap());
    assert_eq!(data.len(), 2);
    assert!(serde_json::from_str::<Value>(&data[0]).is_err());
    assert_eq!(data[1], "[DONE]");

    let empty = stream_chunks(running.chat(&body).await).await;
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0]["choices"], json!([]));

    let unavailable = running.chat(&body).await;
    assert_eq!(unavailable.status(), 503);
    let error: Value = unavailable.json().await.unwrap();
    assert_eq!(error["error"]["type"], "server_error");
}

#[tokio::test]
async fn open_webui_paths_work() {
    let running = start_sim().await;
    let response = running
        .post("/api/chat/completions", &user_request("from open webui"))
        .await;
    assert_eq!(response.status(), 200);
    let completion: Value = response.json().await.unwrap();
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "sim: from open webui"
    );
    assert_eq!(running.sim.requests()[0].path, "/api/chat/completions");

    for path in ["/v1/models", "/api/models"] {
        let models = running
            .client
            .get(running.url(path))
            .bearer_auth(API_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(models.status(), 200);
        assert_eq!(content_type(&models), "application/json");
        let list: Value = models.json().await.unwrap();
        assert_eq!(
            list,
            json!({"object": "list", "data": [{
                "id": "sim-small", "object": "model", "created": 1_700_000_000,
                "owned_by": "agora-sim",
            }]})
        );
    }
}

#[tokio::test]
async fn requests_are_recorded_with_their_body() {
    let running = start_sim().await;
    let body = json!({
        "model": "gpt-recorded",
        "messages": [{"role": "user", "content": "remember me"}],
        "temperature": 0.5,
    });
    let before = chrono::Utc::now();
    running.chat_ok(&body).await;

    let recorded = running.sim.requests();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].path, "/v1/chat/completions");
    assert_eq!(recorded[0].model.as_deref(), Some("gpt-recorded"));
    assert_eq!(recorded[0].body, body);
    assert!(recorded[0].authorized);
    assert!(recorded[0].at >= before && recorded[0].at <= chrono::Utc::now());
}

#[tokio::test]
async fn wait_for_requests_wakes_on_arrival_and_times_out() {
    let running = start_sim().await;
    let waiter = {
        let sim = Arc::clone(&running.sim);
        tokio::spawn(async move { sim.wait_for_requests(2, Duration::from_secs(10)).await })
    };
    running.chat_ok(&user_request("one")).await;
    running.chat_ok(&user_request("two")).await;
    let started = Instant::now();
    let seen = waiter.await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].body["messages"][0]["content"], "two");

    let started = Instant::now();
    let seen = running
        .sim
        .wait_for_requests(3, Duration::from_millis(200))
        .await;
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(seen.len(), 2);

    running.sim.clear_requests();
    assert!(running.sim.requests().is_empty());
    let seen = running
        .sim
        .wait_for_requests(1, Duration::from_millis(100))
        .await;
    assert!(seen.is_empty());
}

#[tokio::test]
async fn control_routes_push_clear_and_list() {
    let running = start_sim().await;
    let queued: Value = running
        .post(
            "/_sim/llm/script",
            &json!({"kind": "text", "content": "from control"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queued, json!({"queued": 1, "pending": 1}));

    let queued: Value = running
        .post(
            "/_sim/llm/script",
            &json!([
                {"kind": "tool_calls", "calls": [{"name": "get_weather", "arguments": {"city": "Rome"}}]},
                {"kind": "error", "status": 429},
            ]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queued, json!({"queued": 2, "pending": 3}));

    let completion = running.chat_ok(&user_request("hi")).await;
    assert_eq!(
        completion["choices"][0]["message"]["content"],
        "from control"
    );

    let cleared = running
        .client
        .delete(running.url("/_sim/llm/script"))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 200);
    assert_eq!(
        cleared.json::<Value>().await.unwrap(),
        json!({"cleared": 2})
    );
    let completion = running.chat_ok(&user_request("hi")).await;
    assert_eq!(completion["choices"][0]["message"]["content"], "sim: hi");

    let bad_script = running
        .post("/_sim/llm/script", &json!({"kind": "poem"}))
        .await;
    assert_eq!(bad_script.status(), 400);
    assert_eq!(running.sim.pending_replies(), 0);

    let listed = running
        .client
        .get(running.url("/_sim/llm/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    let listed: Vec<RecordedRequest> = listed.json().await.unwrap();
    assert_eq!(listed, running.sim.requests());
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].body, user_request("hi"));

    let cleared = running
        .client
        .delete(running.url("/_sim/llm/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        cleared.json::<Value>().await.unwrap(),
        json!({"cleared": 2})
    );
    let listed: Value = running
        .client
        .get(running.url("/_sim/llm/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed, json!([]));
}

#[test]
fn scripted_replies_use_kind_tags() {
    let replies: Vec<ScriptedReply> = serde_json::from_value(json!([
        {"kind": "text", "content": "a"},
        {"kind": "tool_calls", "calls": [{"name": "f", "arguments": {"x": 1}}]},
        {"kind": "error", "status": 500},
        {"kind": "malformed"},
        {"kind": "empty_choices"},
        {"kind": "slow", "delay_ms": 5, "content": "b"},
    ]))
    .unwrap();
    assert_eq!(
        replies,
        vec![
            ScriptedReply::Text {
                content: "a".into(),
                delay_ms: 0
            },
            ScriptedReply::ToolCalls {
                calls: vec![ScriptedToolCall {
                    name: "f".into(),
                    arguments: json!({"x": 1})
                }],
                content: None,
                delay_ms: 0,
            },
            ScriptedReply::Error {
                status: 500,
                message: None
            },
            ScriptedReply::Malformed,
            ScriptedReply::EmptyChoices,
            ScriptedReply::Slow {
                delay_ms: 5,
                content: "b".into()
            },
        ]
    );
    assert_eq!(
        serde_json::to_value(ScriptedReply::Malformed).unwrap(),
        json!({"kind": "malformed"})
    );
}
