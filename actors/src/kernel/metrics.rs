//! The metrics every actor reports, named in one place: gateway events by type,
//! interactions by command and outcome with their latency, REST calls by route and status
//! (429s counted apart), each actor's admission counts, database backups. They go through the `metrics`
//! facade; the binary installs the Prometheus recorder that `/metrics` renders.

use std::time::Duration;

use super::supervision::HealthSnapshot;

pub const GATEWAY_EVENTS: &str = "agora_gateway_events_total";
pub const INTERACTIONS: &str = "agora_interactions_total";
pub const INTERACTION_SECONDS: &str = "agora_interaction_seconds";
pub const REST_REQUESTS: &str = "agora_discord_requests_total";
pub const REST_RATE_LIMITED: &str = "agora_discord_rate_limited_total";
pub const REST_SECONDS: &str = "agora_discord_request_seconds";
pub const ACTOR_RESTARTS: &str = "agora_actor_restarts";
pub const ACTOR_ACCEPTED: &str = "agora_actor_accepted";
pub const ACTOR_BUSY: &str = "agora_actor_busy";
pub const ACTOR_QUEUED: &str = "agora_actor_queued";
pub const ACTOR_IN_FLIGHT: &str = "agora_actor_in_flight";
pub const ACTOR_DONE: &str = "agora_actor_done";
pub const SHARD_CONNECTED: &str = "agora_shard_connected";
pub const SHARD_LATENCY_SECONDS: &str = "agora_shard_latency_seconds";
pub const IDENTIFY_STARTS_LEFT: &str = "agora_identify_session_starts_left";
pub const IDENTIFY_HELD_BACK: &str = "agora_identify_held_back";
pub const IDENTIFY_GRANTED: &str = "agora_identify_granted";
pub const DATABASE_BACKUPS: &str = "agora_database_backups_total";
pub const DATABASE_BACKUP_BYTES: &str = "agora_database_backup_bytes";
pub const DATABASE_BACKUP_DURATION: &str = "agora_database_backup_duration_seconds";
pub const DATABASE_BACKUP_LAST: &str = "agora_database_backup_last_success_timestamp_seconds";

/// The gateway-event counters of one shard, registered once per event type: counting an
/// event is then one atomic add, not a registry lookup (this runs for every event).
#[derive(Default)]
pub struct GatewayEventCounters(std::collections::HashMap<&'static str, metrics::Counter>);

impl GatewayEventCounters {
    /// One gateway event of a type (`MESSAGE_CREATE`, …).
    pub fn count(&mut self, kind: &'static str) {
        self.0
            .entry(kind)
            .or_insert_with(|| metrics::counter!(GATEWAY_EVENTS, "type" => kind))
            .increment(1);
    }
}

/// One interaction handled: its route (`/status`, `help:category`, …), how it ended
/// (`answered`, `deferred`, `refused`, `busy`, `failed`, `cooldown`, `stale`) and how
/// long it took from arrival to the callback.
pub fn interaction(route: &str, outcome: &'static str, elapsed: Duration) {
    metrics::counter!(INTERACTIONS, "route" => route.to_owned(), "outcome" => outcome).increment(1);
    metrics::histogram!(INTERACTION_SECONDS, "route" => route.to_owned())
        .record(elapsed.as_secs_f64());
}

/// One REST call (status 0 when no answer came back).
pub fn rest_call(route: &'static str, status: u16, elapsed: Duration) {
    metrics::counter!(REST_REQUESTS, "route" => route, "status" => status.to_string()).increment(1);
    metrics::histogram!(REST_SECONDS, "route" => route).record(elapsed.as_secs_f64());
    if status == 429 {
        metrics::counter!(REST_RATE_LIMITED, "route" => route).increment(1);
    }
}

/// Publishes each actor's requests accepted, refused busy, queued, in flight and done, and
/// its restarts (at scrape time).
pub fn actor_health(actors: &[HealthSnapshot]) {
    for actor in actors {
        let name = actor.name;
        metrics::gauge!(ACTOR_ACCEPTED, "actor" => name).set(actor.accepted as f64);
        metrics::gauge!(ACTOR_BUSY, "actor" => name).set(actor.busy as f64);
        metrics::gauge!(ACTOR_QUEUED, "actor" => name).set(actor.queued as f64);
        metrics::gauge!(ACTOR_IN_FLIGHT, "actor" => name).set(actor.in_flight as f64);
        metrics::gauge!(ACTOR_DONE, "actor" => name).set(actor.done as f64);
        metrics::gauge!(ACTOR_RESTARTS, "actor" => name).set(actor.restarts as f64);
    }
}

/// Publishes a shard's connection state and heartbeat latency.
pub fn shard(shard_id: u32, connected: bool, latency: Duration) {
    let shard = shard_id.to_string();
    metrics::gauge!(SHARD_CONNECTED, "shard" => shard.clone()).set(f64::from(u8::from(connected)));
    metrics::gauge!(SHARD_LATENCY_SECONDS, "shard" => shard).set(latency.as_secs_f64());
}

/// One database backup: counted by outcome (`ok`, `failed`); a successful one also sets
/// its size, how long it took and when it ended (Unix seconds).
pub fn database_backup(succeeded: bool, bytes: u64, took: Duration) {
    let outcome = if succeeded { "ok" } else { "failed" };
    metrics::counter!(DATABASE_BACKUPS, "outcome" => outcome).increment(1);
    if succeeded {
        metrics::gauge!(DATABASE_BACKUP_BYTES).set(bytes as f64);
        metrics::gauge!(DATABASE_BACKUP_DURATION).set(took.as_secs_f64());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        metrics::gauge!(DATABASE_BACKUP_LAST).set(now.as_secs_f64());
    }
}

/// Publishes the IDENTIFY gate's count of Discord's session starts.
pub fn identify(status: &crate::identify::IdentifyStatus) {
    use std::sync::atomic::Ordering::Relaxed;
    metrics::gauge!(IDENTIFY_STARTS_LEFT).set(status.remaining.load(Relaxed) as f64);
    metrics::gauge!(IDENTIFY_HELD_BACK).set(f64::from(u8::from(status.held_back.load(Relaxed))));
    metrics::gauge!(IDENTIFY_GRANTED).set(status.granted.load(Relaxed) as f64);
}
