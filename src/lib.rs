//! agora: the binary's library — configuration, boot and wiring, the ops endpoint, logging,
//! database backups and the sandbox — so the end-to-end tests start exactly what `agora run` starts.
//!
//! The actors themselves live in `agora-actors`; the local Discord in `agora-sim`.

pub mod backup;
pub mod boot;
pub mod config;
pub mod ops;
pub mod sandbox;
pub mod telemetry;

/// The actix system Agora runs in. Each gateway shard is read on a thread of its own; the
/// dispatcher runs on the system's arbiter thread; each concern actor and each ticker runs on an arbiter (thread)
/// of its own; the work handed off with `tokio::spawn` (each interaction's handling, the
/// ops server) runs on the runtime's worker threads.
pub fn actor_system() -> actix::SystemRunner {
    actix::System::with_tokio_rt(|| {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("agora")
            .build()
            .expect("the tokio runtime starts (it fails only when threads cannot be spawned)")
    })
}

/// Waits for SIGTERM (docker stop, systemd) or SIGINT (Ctrl-C).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => tracing::info!("SIGTERM received"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
