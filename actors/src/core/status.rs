//! `/status` and `!status`: the database, the cache, each shard's gateway connection and
//! latency, uptime, version, and each actor's health — measured when asked.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use crate::gateway::ShardStatus;
use crate::kernel::supervision::HealthSnapshot;
use crate::kernel::Kernel;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "status",
    desc = "How Agora is doing: database, cache, gateway, uptime and each actor",
    contexts = "guild"
)]
pub struct StatusCommand;

/// What the process knows about itself: when it started, its version, its shards.
#[derive(Debug)]
pub struct RuntimeInfo {
    pub started: Instant,
    pub version: &'static str,
    pub shards: Vec<(u32, Arc<ShardStatus>)>,
}

/// One dependency's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Up { detail: String, took: Duration },
    Down(String),
}

impl Check {
    pub fn is_up(&self) -> bool {
        matches!(self, Check::Up { .. })
    }

    fn describe(&self) -> String {
        match self {
            Check::Up { detail, took } => {
                format!("✅ {detail}, answered in {} ms", took.as_millis())
            }
            Check::Down(reason) => format!("❌ not answering: {reason}"),
        }
    }
}

/// One shard as `/status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardReport {
    pub id: u32,
    pub connected: bool,
    pub latency: Duration,
    pub events: u64,
}

/// Everything `/status` shows.
#[derive(Debug, Clone)]
pub struct StatusReport {
    pub version: &'static str,
    pub uptime: Duration,
    pub database: Check,
    pub cache: Check,
    pub shards: Vec<ShardReport>,
    pub actors: Vec<HealthSnapshot>,
}

/// Asks the database and the cache (each bounded to 2 s) and reads the rest.
pub async fn collect(kernel: &Kernel, runtime: &RuntimeInfo) -> StatusReport {
    let limit = Duration::from_secs(2);
    let started = Instant::now();
    let database = match tokio::time::timeout(limit, kernel.store.ping()).await {
        Ok(Ok(())) => Check::Up {
            detail: format!("{}", kernel.store.backend()),
            took: started.elapsed(),
        },
        Ok(Err(error)) => Check::Down(error.to_string()),
        Err(_) => Check::Down("no answer within 2 s".into()),
    };
    let started = Instant::now();
    let cache = match tokio::time::timeout(limit, kernel.cache.ping()).await {
        Ok(Ok(())) => Check::Up {
            detail: format!("{:?}", kernel.cache.backend()).to_lowercase(),
            took: started.elapsed(),
        },
        Ok(Err(error)) => Check::Down(error.to_string()),
        Err(_) => Check::Down("no answer within 2 s".into()),
    };
    StatusReport {
        version: runtime.version,
        uptime: runtime.started.elapsed(),
        database,
        cache,
        shards: runtime
            .shards
            .iter()
            .map(|(id, status)| ShardReport {
                id: *id,
                connected: status.connected.load(Ordering::Relaxed),
                latency: Duration::from_millis(status.latency_ms.load(Ordering::Relaxed)),
                events: status.events.load(Ordering::Relaxed),
            })
            .collect(),
        actors: kernel.health.snapshot(),
    }
}

/// `3d 4h 5m` / `4h 5m 6s` / `5m 6s`.
pub fn format_uptime(uptime: Duration) -> String {
    let secs = uptime.as_secs();
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        format!("{days}d {hours}h {minutes}m")
    } else if hours > 0 {
        format!("{hours}h {minutes}m {seconds}s")
    } else {
        format!("{minutes}m {seconds}s")
    }
}

impl StatusReport {
    pub fn healthy(&self) -> bool {
        self.database.is_up() && self.cache.is_up() && self.shards.iter().all(|s| s.connected)
    }

    fn gateway_lines(&self) -> String {
        if self.shards.is_empty() {
            return "no shards".into();
        }
        self.shards
            .iter()
            .map(|shard| {
                if shard.connected && shard.latency.is_zero() {
                    format!(
                        "✅ shard {}: connected, {} events (no heartbeat yet)",
                        shard.id, shard.events
                    )
                } else if shard.connected {
                    format!(
                        "✅ shard {}: connected, heartbeat {} ms, {} events",
                        shard.id,
                        shard.latency.as_millis(),
                        shard.events
                    )
                } else {
                    format!("❌ shard {}: disconnected", shard.id)
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn actor_lines(&self) -> String {
        self.actors
            .iter()
            .map(|actor| {
                let mark = if actor.restarts == 0 { "✅" } else { "⚠️" };
                let mut line = format!(
                    "{mark} {}: {} accepted, {} in flight, {} queued, {} done, {} busy, {} restarts",
                    actor.name,
                    actor.accepted,
                    actor.in_flight,
                    actor.queued,
                    actor.done,
                    actor.busy,
                    actor.restarts
                );
                if let Some(incident) = &actor.last_incident {
                    line.push_str(&format!(" (last incident `{incident}`)"));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The `/status` embed.
    pub fn embed(&self) -> Embed {
        let (title, color) = if self.healthy() {
            ("Agora is healthy", 0x2e_cc_71)
        } else {
            ("Agora is degraded", 0xe6_7e_22)
        };
        EmbedBuilder::new()
            .title(title)
            .color(color)
            .field(EmbedFieldBuilder::new("Version", self.version).inline())
            .field(EmbedFieldBuilder::new("Uptime", format_uptime(self.uptime)).inline())
            .field(EmbedFieldBuilder::new("Database", self.database.describe()))
            .field(EmbedFieldBuilder::new("Cache", self.cache.describe()))
            .field(EmbedFieldBuilder::new("Gateway", self.gateway_lines()))
            .field(EmbedFieldBuilder::new("Actors", self.actor_lines()))
            .build()
    }

    /// The `!status` text.
    pub fn text(&self) -> String {
        format!(
            "**{}** · version {} · up {}\nDatabase: {}\nCache: {}\nGateway:\n{}\nActors:\n{}",
            if self.healthy() {
                "Agora is healthy"
            } else {
                "Agora is degraded"
            },
            self.version,
            format_uptime(self.uptime),
            self.database.describe(),
            self.cache.describe(),
            self.gateway_lines(),
            self.actor_lines()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_naturally() {
        assert_eq!(format_uptime(Duration::from_secs(65)), "1m 5s");
        assert_eq!(
            format_uptime(Duration::from_secs(3 * 3600 + 65)),
            "3h 1m 5s"
        );
        assert_eq!(
            format_uptime(Duration::from_secs(2 * 86_400 + 3600)),
            "2d 1h 0m"
        );
    }

    #[test]
    fn a_disconnected_shard_or_a_down_database_is_degraded() {
        let report = StatusReport {
            version: "1.0.0",
            uptime: Duration::from_secs(5),
            database: Check::Down("connection refused".into()),
            cache: Check::Up {
                detail: "memory".into(),
                took: Duration::ZERO,
            },
            shards: vec![ShardReport {
                id: 0,
                connected: true,
                latency: Duration::from_millis(40),
                events: 3,
            }],
            actors: Vec::new(),
        };
        assert!(!report.healthy());
        assert!(report.text().contains("not answering: connection refused"));
        assert_eq!(report.embed().title.as_deref(), Some("Agora is degraded"));
    }
}
