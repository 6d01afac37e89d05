//! The `agora-sim` binary: serve a local Discord and LLM and print one JSON line with
//! their URLs once ready; logs go to stderr.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand};

use agora_sim::{Scenario, Sim, SimConfig};

#[derive(Parser)]
#[command(
    name = "agora-sim",
    version,
    about = "A strict local Discord (REST v10 + gateway v10) and an OpenAI-compatible LLM"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve until interrupted.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: SocketAddr,
        /// The world to start with: demo or empty.
        #[arg(long, default_value = "empty")]
        scenario: Scenario,
        /// Bot token to accept (random by default).
        #[arg(long, env = "AGORA_SIM_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// LLM API key to accept (random by default).
        #[arg(long, env = "AGORA_SIM_LLM_KEY", hide_env_values = true)]
        llm_key: Option<String>,
        /// HELLO's heartbeat interval in milliseconds.
        #[arg(long, default_value_t = 41_250)]
        heartbeat_ms: u64,
        /// Discord's global REST limit (requests per second; 0 turns it off).
        #[arg(long, default_value_t = 50)]
        global_rate_limit: u32,
        /// Turn per-route rate limits off.
        #[arg(long)]
        no_rate_limits: bool,
        /// The shard count `GET /gateway/bot` recommends.
        #[arg(long, default_value_t = 1)]
        shards: u32,
        /// IDENTIFYs allowed per window, one per bucket `shard_id % max_concurrency`.
        #[arg(long, default_value_t = 1)]
        max_concurrency: u32,
        /// The IDENTIFY window in milliseconds (Discord's is 5,000).
        #[arg(long, default_value_t = 5_000)]
        identify_window_ms: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "agora_sim=info".into()),
        )
        .init();
    let Cli { command } = Cli::parse();
    let Command::Serve {
        listen,
        scenario,
        token,
        llm_key,
        heartbeat_ms,
        global_rate_limit,
        no_rate_limits,
        shards,
        max_concurrency,
        identify_window_ms,
    } = command;
    let mut config = SimConfig {
        listen,
        scenario,
        token,
        llm_api_key: llm_key,
        ..SimConfig::empty()
    };
    config.gateway.heartbeat_interval = Duration::from_millis(heartbeat_ms);
    config.gateway.heartbeat_timeout = Duration::from_millis(heartbeat_ms * 3 / 2);
    config.rate_limits.global_per_second = global_rate_limit;
    config.rate_limits.enabled = !no_rate_limits;
    config.gateway.recommended_shards = shards.max(1);
    config.gateway.max_concurrency = max_concurrency.max(1);
    config.gateway.identify_window = Duration::from_millis(identify_window_ms);
    let sim = Sim::start(config).await?;
    println!("{}", sim.ready_line());
    tracing::info!(
        http = sim.http_url(),
        "agora-sim is serving; Ctrl-C stops it"
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
