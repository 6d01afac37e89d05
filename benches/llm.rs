//! The LLM client's overhead per call over agora-sim's instant reply.
//!
//! The sim's LLM answers every request at once with a scripted tool call, on a tokio
//! runtime of its own (two threads named `agora-sim`). Two ways of asking it are timed in
//! Agora's actor system, one after the other in each repeat:
//!
//! - **raw**: a bare HTTP POST of the same request body (reqwest, keep-alive), its answer
//!   read and parsed as JSON — what any client must do at least;
//! - **client**: `LlmClient::call_tool` — the prompt template rendered, the breaker asked,
//!   the admission gate, the hop to the client actor and back, the request built, the
//!   answer parsed, the tool call found and its arguments checked against the schema,
//!   the metrics recorded.
//!
//! The overhead is client − raw, in microseconds per call: sequentially (one call at a
//! time, `AGORA_BENCH_CALLS` calls, default 2,000) and at `max_concurrent` (default 4,
//! `AGORA_BENCH_CONCURRENT`) callers at once, where the figure is wall time per call.
//! `AGORA_BENCH_REPEATS` repeats (default 5); each figure is the median (range) over them.
//!
//! ```sh
//! cargo bench --bench llm
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_actors::kernel::clock::SystemClock;
use agora_actors::kernel::supervision::HealthRegistry;
use agora_actors::llm::config::ApiKeyText;
use agora_actors::llm::{LlmClient, LlmConfig, ToolSpec};
use agora_sim::llm::{ScriptedReply, ScriptedToolCall};
use agora_sim::SimConfig;
use agora_testkit::bench::{cpu_model, env_number, load_average, median_range, start_sim};
use anyhow::{ensure, Context as _};
use serde_json::{json, Value};

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

fn context() -> Value {
    json!({"idea": "a place to plan board game nights", "existing": ["general", "memes", "support"]})
}

fn reply() -> ScriptedReply {
    ScriptedReply::ToolCalls {
        calls: vec![ScriptedToolCall {
            name: "suggest_channel_name".into(),
            arguments: json!({"name": "board-games", "reason": "says what it is"}),
        }],
        content: None,
        delay_ms: 0,
    }
}

/// A bare HTTP client of the same request.
struct Raw {
    client: reqwest::Client,
    url: String,
    key: String,
    body: Value,
}

impl Raw {
    async fn call(&self) -> anyhow::Result<()> {
        let response = self
            .client
            .post(&self.url)
            .bearer_auth(&self.key)
            .json(&self.body)
            .send()
            .await?;
        ensure!(response.status().is_success(), "raw: {}", response.status());
        let answer: Value = serde_json::from_slice(&response.bytes().await?)?;
        ensure!(
            answer["choices"][0]["message"]["tool_calls"].is_array(),
            "raw: no tool call"
        );
        Ok(())
    }
}

/// Microseconds per call of `calls` calls by `callers` callers at once (wall time).
async fn timed<F, Fut>(calls: usize, callers: usize, call: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut + Clone + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + 'static,
{
    let started = Instant::now();
    let per_caller = calls / callers;
    let workers: Vec<_> = (0..callers)
        .map(|_| {
            let call = call.clone();
            actix::spawn(async move {
                for _ in 0..per_caller {
                    call().await?;
                }
                anyhow::Ok(())
            })
        })
        .collect();
    for worker in workers {
        worker.await.context("a caller stopped")??;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / (per_caller * callers) as f64)
}

fn main() -> anyhow::Result<()> {
    let calls: usize = env_number("AGORA_BENCH_CALLS", 2000);
    let repeats: usize = env_number("AGORA_BENCH_REPEATS", 5);
    let concurrent: usize = env_number("AGORA_BENCH_CONCURRENT", 4).max(1);
    let (sim_runtime, sim) = start_sim(SimConfig::empty(), "agora-sim")?;
    let sim = Arc::new(sim);
    let results = agora::actor_system().block_on({
        let sim = sim.clone();
        async move {
            let config = LlmConfig {
                base_url: sim.http_url().to_owned(),
                model: "sim-small".into(),
                api_key: ApiKeyText::new(sim.llm_api_key()),
                max_concurrent: concurrent,
                max_queued: concurrent,
                ..LlmConfig::default()
            };
            let client = LlmClient::start(config.clone(), &HealthRegistry::default(), Arc::new(SystemClock));
            let _ = rustls::crypto::ring::default_provider().install_default();
            let raw = Arc::new(Raw {
                client: reqwest::Client::new(),
                url: config.chat_url(),
                key: sim.llm_api_key().to_owned(),
                body: json!({
                    "model": "sim-small",
                    "messages": [
                        {"role": "system", "content": "You name Discord channels for a community."},
                        {"role": "user", "content": "A member proposed this channel:\na place to plan board game nights"},
                    ],
                    "tools": [{"type": "function", "function": {
                        "name": "suggest_channel_name",
                        "description": "Suggest a name for the proposed channel",
                        "parameters": tool().parameters,
                    }}],
                    "tool_choice": {"type": "function", "function": {"name": "suggest_channel_name"}},
                }),
            });
            let mut figures: Vec<[f64; 4]> = Vec::new();
            for repeat in 0..repeats {
                let mut row = [0.0; 4];
                for (slot, callers) in [(0, 1), (2, concurrent)] {
                    let llm = sim.llm().clone();
                    llm.clear_requests();
                    for _ in 0..calls * 2 {
                        llm.push(reply());
                    }
                    let raw = raw.clone();
                    row[slot] = timed(calls, callers, move || {
                        let raw = raw.clone();
                        async move { raw.call().await }
                    })
                    .await?;
                    let client = client.clone();
                    row[slot + 1] = timed(calls, callers, move || {
                        let client = client.clone();
                        async move {
                            let arguments = client
                                .call_tool("suggest_channel_name", context(), tool(), Duration::from_secs(10))
                                .await
                                .map_err(|failure| anyhow::anyhow!("client: {failure}"))?;
                            ensure!(arguments["name"] == "board-games", "client: {arguments}");
                            Ok(())
                        }
                    })
                    .await?;
                    llm.clear_script();
                }
                eprintln!("repeat {}: {row:.1?}", repeat + 1);
                figures.push(row);
            }
            anyhow::Ok(figures)
        }
    });
    sim_runtime.shutdown_timeout(Duration::from_secs(1));
    let figures = results?;
    let column = |index: usize| figures.iter().map(|row| row[index]).collect::<Vec<_>>();
    let overhead = |raw: usize, client: usize| {
        figures
            .iter()
            .map(|row| row[client] - row[raw])
            .collect::<Vec<_>>()
    };
    println!("LLM client overhead per call over the sim's instant reply");
    println!("machine: {} · load average {}", cpu_model(), load_average());
    println!("{calls} calls per measurement, {repeats} repeats, median (range), µs per call");
    println!("| callers | raw HTTP | LlmClient::call_tool | overhead |");
    println!("|---|---|---|---|");
    println!(
        "| 1 (sequential) | {} | {} | {} |",
        median_range(&column(0)),
        median_range(&column(1)),
        median_range(&overhead(0, 1))
    );
    println!(
        "| {concurrent} (max_concurrent) | {} | {} | {} |",
        median_range(&column(2)),
        median_range(&column(3)),
        median_range(&overhead(2, 3))
    );
    Ok(())
}
