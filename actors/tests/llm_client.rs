//! The LLM client against agora-sim's OpenAI-compatible LLM, scripted: a tool call
//! answered and checked against its schema; malformed output, the wrong tool and no tool
//! refused; 429 with Retry-After waited out (and one beyond the deadline not waited for);
//! 5xx retried; a slow model cut off at the caller's deadline; the circuit breaker opening
//! after failures in a row and closing after a good trial once the (manual) clock passed
//! its cool-down; Open WebUI's path; the key read from a file; the concurrency limit
//! answering `Busy`; and text streamed piece by piece.

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_actors::kernel::clock::{ManualClock, SharedClock, SystemClock};
use agora_actors::kernel::supervision::HealthRegistry;
use agora_actors::llm::config::ApiKeyText;
use agora_actors::llm::{LlmClient, LlmConfig, LlmFailure, Probe, ToolSpec};
use agora_sim::llm::{ScriptedReply, ScriptedToolCall};
use agora_sim::{Sim, SimConfig};
use serde_json::{json, Value};

const DEADLINE: Duration = Duration::from_secs(10);

fn tool() -> ToolSpec {
    ToolSpec {
        name: "suggest_channel_name",
        description: "Suggest a name for the proposed channel",
        parameters: json!({
            "type": "object",
            "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
            "required": ["name"],
        }),
    }
}

fn idea() -> Value {
    json!({"idea": "a place to plan board game nights", "existing": ["general", "memes"]})
}

fn calls(name: &str, arguments: Value) -> ScriptedReply {
    ScriptedReply::ToolCalls {
        calls: vec![ScriptedToolCall {
            name: name.into(),
            arguments,
        }],
        content: None,
        delay_ms: 0,
    }
}

/// The sim and the client's configuration pointing at it (fast backoff, no key yet).
struct Setup {
    sim: Sim,
    config: LlmConfig,
}

async fn setup() -> Setup {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let sim = Sim::start(SimConfig::empty())
        .await
        .expect("the sim starts");
    let config = LlmConfig {
        base_url: sim.http_url().to_owned(),
        model: "sim-small".into(),
        api_key: ApiKeyText::new(sim.llm_api_key()),
        backoff_ms: 20,
        ..LlmConfig::default()
    };
    Setup { sim, config }
}

fn start(config: LlmConfig) -> LlmClient {
    LlmClient::start(config, &HealthRegistry::default(), Arc::new(SystemClock))
}

#[actix::test]
async fn a_tool_call_comes_back_checked_and_the_request_is_openais() {
    let Setup { sim, config } = setup().await;
    let client = start(config);
    sim.llm().push(calls(
        "suggest_channel_name",
        json!({"name": "board-games", "reason": "says what it is"}),
    ));
    let arguments = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await
        .expect("a suggestion");
    assert_eq!(arguments["name"], "board-games");
    let requests = sim.llm().requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert!(request.authorized, "the key went as a bearer token");
    assert_eq!(request.path, "/v1/chat/completions");
    assert_eq!(request.model.as_deref(), Some("sim-small"));
    let body = &request.body;
    assert_eq!(body["tools"][0]["function"]["name"], "suggest_channel_name");
    assert_eq!(
        body["tools"][0]["function"]["parameters"],
        tool().parameters
    );
    assert_eq!(
        body["tool_choice"]["function"]["name"],
        "suggest_channel_name"
    );
    assert_eq!(body["messages"][0]["role"], "system");
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("a place to plan board game nights"), "{user}");
    assert!(user.contains("general, memes"), "{user}");
}

#[actix::test]
async fn malformed_output_the_wrong_tool_no_tool_and_bad_arguments_are_malformed() {
    let Setup { sim, config } = setup().await;
    let client = start(config);
    let llm = sim.llm();
    llm.push(ScriptedReply::Malformed);
    llm.push(calls("delete_channel", json!({"name": "general"})));
    llm.push(ScriptedReply::Text {
        content: "board-games".into(),
        delay_ms: 0,
    });
    llm.push(calls("suggest_channel_name", json!({"reason": "no name"})));
    llm.push(calls("suggest_channel_name", json!({"name": 42})));
    let mut reasons = Vec::new();
    for _ in 0..5 {
        match client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await
        {
            Err(LlmFailure::Malformed(reason)) => reasons.push(reason),
            other => panic!("expected malformed, got {other:?}"),
        }
    }
    assert!(reasons[0].contains("not JSON"), "{reasons:?}");
    assert!(reasons[1].contains("delete_channel"), "{reasons:?}");
    assert!(reasons[2].contains("no tool"), "{reasons:?}");
    assert!(reasons[3].contains("name"), "{reasons:?}");
    assert!(reasons[4].contains("/name"), "{reasons:?}");
    assert_eq!(llm.requests().len(), 5, "a malformed answer is not retried");
    // The model answered each time: the breaker stays closed.
    llm.push(calls("suggest_channel_name", json!({"name": "ok"})));
    assert!(client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await
        .is_ok());
}

#[actix::test]
async fn a_429_is_retried_after_its_retry_after_and_not_past_the_deadline() {
    let Setup { sim, config } = setup().await;
    let client = start(config);
    let llm = sim.llm();
    // The sim's 429 says `Retry-After: 1`; the backoff alone would be 20 ms.
    llm.push(ScriptedReply::Error {
        status: 429,
        message: None,
    });
    llm.push(calls("suggest_channel_name", json!({"name": "games"})));
    let arguments = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await
        .expect("answered on the retry");
    assert_eq!(arguments["name"], "games");
    let requests = llm.requests();
    assert_eq!(requests.len(), 2);
    let waited = (requests[1].at - requests[0].at).to_std().unwrap();
    assert!(waited >= Duration::from_millis(950), "waited {waited:?}");

    // A Retry-After longer than the deadline allows: told at once, not waited for.
    llm.clear_requests();
    llm.push(ScriptedReply::RateLimited {
        retry_after_secs: 30,
    });
    let started = Instant::now();
    let failure = client
        .call_tool(
            "suggest_channel_name",
            idea(),
            tool(),
            Duration::from_secs(5),
        )
        .await;
    assert_eq!(failure, Err(LlmFailure::RateLimited));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(llm.requests().len(), 1);
}

#[actix::test]
async fn server_errors_are_retried_then_reported() {
    let Setup { sim, config } = setup().await;
    let client = start(LlmConfig {
        retries: 2,
        ..config
    });
    let llm = sim.llm();
    llm.push(ScriptedReply::Error {
        status: 503,
        message: None,
    });
    llm.push(ScriptedReply::Error {
        status: 500,
        message: None,
    });
    llm.push(calls("suggest_channel_name", json!({"name": "third-time"})));
    let arguments = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await
        .expect("answered on the second retry");
    assert_eq!(arguments["name"], "third-time");
    assert_eq!(llm.requests().len(), 3);

    for _ in 0..3 {
        llm.push(ScriptedReply::Error {
            status: 502,
            message: Some("upstream down".into()),
        });
    }
    let failure = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await;
    assert!(
        matches!(&failure, Err(LlmFailure::Server(reason)) if reason.contains("502") && reason.contains("upstream down")),
        "{failure:?}"
    );
    assert_eq!(
        llm.requests().len(),
        6,
        "three attempts: the first and two retries"
    );
}

#[actix::test]
async fn a_slow_model_is_cut_off_at_the_callers_deadline() {
    let Setup { sim, config } = setup().await;
    let client = start(config);
    sim.llm().push(ScriptedReply::Slow {
        delay_ms: 5_000,
        content: "too late".into(),
    });
    let deadline = Duration::from_millis(400);
    let started = Instant::now();
    let failure = client
        .call_tool("suggest_channel_name", idea(), tool(), deadline)
        .await;
    let took = started.elapsed();
    assert_eq!(failure, Err(LlmFailure::Timeout));
    assert!(
        took >= deadline && took < deadline + Duration::from_millis(300),
        "{took:?}"
    );
}

#[actix::test]
async fn the_breaker_opens_after_failures_in_a_row_and_closes_after_a_good_trial() {
    let Setup { sim, config } = setup().await;
    let clock = ManualClock::new(chrono::Utc::now());
    let shared: SharedClock = clock.clone();
    let client = LlmClient::start(
        LlmConfig {
            retries: 0,
            breaker_failures: 3,
            breaker_cooldown_secs: 30,
            ..config
        },
        &HealthRegistry::default(),
        shared,
    );
    let llm = sim.llm();
    for _ in 0..3 {
        llm.push(ScriptedReply::Error {
            status: 503,
            message: None,
        });
    }
    for _ in 0..3 {
        let failure = client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await;
        assert!(matches!(failure, Err(LlmFailure::Server(_))), "{failure:?}");
    }
    // Open: answered at once, the model not asked.
    let started = Instant::now();
    let failure = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await;
    assert_eq!(
        failure,
        Err(LlmFailure::Unavailable {
            retry_after: Duration::from_secs(30)
        })
    );
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(llm.requests().len(), 3);
    assert!(matches!(
        client.probe(Duration::from_secs(1)).await,
        Probe::BreakerOpen { .. }
    ));

    // Still open later in the cool-down.
    clock.advance(chrono::Duration::seconds(20));
    assert_eq!(
        client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await,
        Err(LlmFailure::Unavailable {
            retry_after: Duration::from_secs(10)
        })
    );
    // After it, one trial: it fails, and the breaker opens again at once.
    clock.advance(chrono::Duration::seconds(10));
    llm.push(ScriptedReply::Error {
        status: 500,
        message: None,
    });
    assert!(matches!(
        client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await,
        Err(LlmFailure::Server(_))
    ));
    assert!(matches!(
        client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await,
        Err(LlmFailure::Unavailable { .. })
    ));
    // The next trial succeeds: closed, calls go through again.
    clock.advance(chrono::Duration::seconds(30));
    llm.push(calls("suggest_channel_name", json!({"name": "back"})));
    llm.push(calls("suggest_channel_name", json!({"name": "again"})));
    for expected in ["back", "again"] {
        let arguments = client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await
            .expect("closed again");
        assert_eq!(arguments["name"], expected);
    }
    assert_eq!(llm.requests().len(), 6);
}

#[actix::test]
async fn open_webui_path_and_a_key_from_a_file() {
    let Setup { sim, config } = setup().await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let key_file = dir.path().join("llm_api_key");
    std::fs::write(&key_file, format!("{}\n", sim.llm_api_key())).expect("written");
    let client = start(LlmConfig {
        chat_path: "/api/chat/completions".into(),
        api_key: ApiKeyText::default(),
        api_key_file: key_file.display().to_string(),
        ..config
    });
    sim.llm()
        .push(calls("suggest_channel_name", json!({"name": "webui"})));
    let arguments = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await
        .expect("answered");
    assert_eq!(arguments["name"], "webui");
    let request = &sim.llm().requests()[0];
    assert_eq!(request.path, "/api/chat/completions");
    assert!(
        request.authorized,
        "the key from the file, without its newline"
    );
    assert!(matches!(
        client.probe(Duration::from_secs(2)).await,
        Probe::Answers { .. }
    ));
    assert!(!format!("{client:?}").contains(sim.llm_api_key()));
}

#[actix::test]
async fn beyond_the_concurrent_calls_and_the_queue_the_answer_is_busy() {
    let Setup { sim, config } = setup().await;
    let client = start(LlmConfig {
        max_concurrent: 2,
        max_queued: 1,
        ..config
    });
    for _ in 0..3 {
        sim.llm().push(ScriptedReply::ToolCalls {
            calls: vec![ScriptedToolCall {
                name: "suggest_channel_name".into(),
                arguments: json!({"name": "slow"}),
            }],
            content: None,
            delay_ms: 1_000,
        });
    }
    let running: Vec<_> = (0..3)
        .map(|_| {
            let client = client.clone();
            actix::spawn(async move {
                client
                    .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
                    .await
            })
        })
        .collect();
    // Two are with the model, one waits for a turn.
    sim.llm().wait_for_requests(2, DEADLINE).await;
    let started = Instant::now();
    let failure = client
        .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
        .await;
    assert_eq!(failure, Err(LlmFailure::Busy));
    assert!(started.elapsed() < Duration::from_millis(50));
    for call in running {
        assert_eq!(call.await.unwrap().unwrap()["name"], "slow");
    }
    assert_eq!(sim.llm().requests().len(), 3);
}

#[actix::test]
async fn text_streams_piece_by_piece_and_whole() {
    let Setup { sim, config } = setup().await;
    let client = start(config);
    sim.llm().push(ScriptedReply::Trickle {
        pieces: vec!["Board ".into(), "games ".into(), "on Friday.".into()],
        interval_ms: 50,
    });
    let (sender, mut pieces) = tokio::sync::mpsc::channel(16);
    let whole = client
        .stream_text("ask", json!({"question": "When?"}), sender, DEADLINE)
        .await
        .expect("streamed");
    assert_eq!(whole, "Board games on Friday.");
    let mut received = Vec::new();
    while let Some(piece) = pieces.recv().await {
        received.push(piece);
    }
    assert_eq!(received, ["Board ", "games ", "on Friday."]);
    assert_eq!(sim.llm().requests()[0].body["stream"], true);

    sim.llm().push(ScriptedReply::Malformed);
    let (sender, _pieces) = tokio::sync::mpsc::channel(16);
    assert!(matches!(
        client
            .stream_text("ask", json!({"question": "?"}), sender, DEADLINE)
            .await,
        Err(LlmFailure::Malformed(_))
    ));
}

#[actix::test]
async fn without_a_base_url_every_call_is_not_configured_at_once() {
    let client = start(LlmConfig::default());
    assert!(!client.configured());
    assert_eq!(
        client
            .call_tool("suggest_channel_name", idea(), tool(), DEADLINE)
            .await,
        Err(LlmFailure::NotConfigured)
    );
    assert_eq!(client.probe(DEADLINE).await, Probe::NotConfigured);
}
