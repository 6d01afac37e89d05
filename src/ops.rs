//! The ops HTTP endpoint (axum) on `[ops] listen`: `/healthz` (the process answers),
//! `/readyz` (every shard connected, the database and the cache answer) and `/metrics`
//! (Prometheus text: events by type, interactions by route and outcome with latency
//! histograms, each actor's admission counts and restarts, REST calls by route and status, 429s).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use agora_actors::gateway::ShardStatus;
use agora_actors::kernel::{metrics as names, Kernel};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde_json::json;
use tokio::sync::oneshot;

/// What the endpoints read.
#[derive(Clone)]
pub struct OpsState {
    pub kernel: Kernel,
    pub shards: Vec<(u32, Arc<ShardStatus>)>,
    pub identify: Arc<agora_actors::identify::IdentifyStatus>,
}

/// The process-wide Prometheus recorder (installed once; later calls share it). Every
/// series carries `process="<host name>:<process id>"`, the name the heartbeat table and
/// `/status` give the process, so one Prometheus can scrape all of a bot's processes.
pub fn prometheus() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let buckets = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0,
        ];
        let builder = PrometheusBuilder::new()
            .add_global_label("process", crate::boot::process_name())
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &buckets)
            .unwrap_or_else(|_| PrometheusBuilder::new());
        match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (a test harness): render an empty one.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        }
    })
}

/// The running endpoint.
pub struct OpsServer {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
}

impl OpsServer {
    pub async fn start(listen: SocketAddr, state: OpsState) -> std::io::Result<OpsServer> {
        prometheus();
        let listener = tokio::net::TcpListener::bind(listen).await?;
        let local_addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(state);
        let served = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            if let Err(error) = axum::serve(listener, app)
                .with_graceful_shutdown(shutdown)
                .await
            {
                tracing::error!(%error, "the ops endpoint stopped");
            }
        });
        tracing::info!(%local_addr, "ops endpoint listening");
        Ok(OpsServer {
            local_addr,
            stop,
            served,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(2), self.served).await;
    }
}

pub fn router(state: OpsState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<OpsState>) -> impl IntoResponse {
    let limit = Duration::from_secs(2);
    let database = match tokio::time::timeout(limit, state.kernel.store.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer within 2 s".to_owned()),
    };
    let cache = match tokio::time::timeout(limit, state.kernel.cache.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer within 2 s".to_owned()),
    };
    let shards: Vec<_> = state
        .shards
        .iter()
        .map(|(id, status)| {
            json!({
                "shard": id,
                "connected": status.connected.load(Ordering::Relaxed),
                "fatal": status.fatal.lock().clone(),
            })
        })
        .collect();
    let gateway_ready = state
        .shards
        .iter()
        .all(|(_, s)| s.connected.load(Ordering::Relaxed));
    let ready = gateway_ready && database.is_ok() && cache.is_ok();
    let describe = |check: &Result<(), String>| match check {
        Ok(()) => json!({"ok": true}),
        Err(reason) => json!({"ok": false, "error": reason}),
    };
    let body = json!({
        "ready": ready,
        "gateway": shards,
        "database": describe(&database),
        "cache": describe(&cache),
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

async fn metrics(State(state): State<OpsState>) -> impl IntoResponse {
    names::actor_health(&state.kernel.health.snapshot());
    names::identify(&state.identify);
    for (id, status) in &state.shards {
        names::shard(
            *id,
            status.connected.load(Ordering::Relaxed),
            Duration::from_millis(status.latency_ms.load(Ordering::Relaxed)),
        );
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        prometheus().render(),
    )
}
