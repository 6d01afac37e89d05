//! Faults on demand for REST: fail the next N calls on a route with a 5xx, and add
//! latency. (Gateway faults live on the hub; 429s and tight buckets on the rate limiter.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

/// "Fail the next `remaining` calls matching `route` with `status`".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailRule {
    /// `METHOD /template` (e.g. `POST /channels/{channel_id}/messages`), a bare template
    /// for any method, or `*` for every route.
    pub route: String,
    /// 500, 502 or 503 (or any 4xx/5xx).
    pub status: u16,
    pub remaining: u32,
}

#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<FailRule>>,
    rest_latency_ms: AtomicU64,
    /// Latency of single routes, by `METHOD /path`.
    route_latency: Mutex<Vec<(String, Duration)>>,
}

impl Faults {
    pub fn fail_next(&self, rule: FailRule) {
        self.rules.lock().push(rule);
    }

    /// If a rule matches this call, uses it up by one and returns its status.
    pub fn take_failure(&self, method: &str, template: &str) -> Option<u16> {
        let mut rules = self.rules.lock();
        let key = format!("{method} {template}");
        let index = rules.iter().position(|rule| {
            rule.remaining > 0 && (rule.route == "*" || rule.route == template || rule.route == key)
        })?;
        let rule = &mut rules[index];
        rule.remaining -= 1;
        let status = rule.status;
        if rule.remaining == 0 {
            rules.remove(index);
        }
        Some(status)
    }

    pub fn pending(&self) -> Vec<FailRule> {
        self.rules.lock().clone()
    }

    pub fn clear(&self) {
        self.rules.lock().clear();
        self.rest_latency_ms.store(0, Ordering::Relaxed);
        self.route_latency.lock().clear();
    }

    pub fn set_rest_latency(&self, latency: Duration) {
        self.rest_latency_ms
            .store(latency.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn rest_latency(&self) -> Duration {
        Duration::from_millis(self.rest_latency_ms.load(Ordering::Relaxed))
    }

    /// Delays the answers of one route (`METHOD /path`, e.g. `POST /users/@me/channels`)
    /// by `latency`, on top of the latency of every route; zero removes it.
    pub fn set_route_latency(&self, route: &str, latency: Duration) {
        let mut routes = self.route_latency.lock();
        routes.retain(|(known, _)| known != route);
        if !latency.is_zero() {
            routes.push((route.to_owned(), latency));
        }
    }

    /// How long a call of `method` on `path` waits before it is handled.
    pub fn latency_for(&self, method: &str, path: &str) -> Duration {
        let key = format!("{method} {path}");
        let route = self
            .route_latency
            .lock()
            .iter()
            .find(|(route, _)| *route == key)
            .map(|(_, latency)| *latency)
            .unwrap_or_default();
        self.rest_latency() + route
    }
}
