//! Discord's REST rate limits: per-route buckets, the global limit, their headers and 429s.
//!
//! Every REST call asks [`RateLimiter::check`] before it runs. The answer is either
//! [`RateDecision::Allowed`], whose [`RateHeaders`] go on the response whatever its status,
//! or [`RateDecision::Limited`], which [`RateDecision::into_429_response`] turns into
//! Discord's 429 (headers plus `{"message", "retry_after", "global"}`, no `code`, exactly
//! as the examples in `docs/topics/rate-limits.mdx`).
//!
//! # Buckets
//!
//! A call's route key is its method and spec template, e.g.
//! `POST /channels/{channel_id}/messages`. Each route belongs to a bucket group; the group
//! has a limit per window and an opaque, stable `X-RateLimit-Bucket` id (32 hex digits,
//! a hash of the group's name). Counters are kept per (group, top-level resource), the
//! resource being the value of `channel_id`, `guild_id`, `webhook_id` + `webhook_token`, or
//! `interaction_id` + `interaction_token`
//! when the route has one, so `/channels/1/…` and `/channels/2/…` never share a counter.
//! A window opens with the first call and closes `window` later (Discord's reset-timer
//! model); the counter then starts again from zero.
//!
//! Default groups (Discord-like; anything can be changed through
//! [`RateLimitConfig::overrides`] or [`RateLimiter::shrink`]):
//!
//! | group (bucket name)    | routes                                                            | limit | window | resource  |
//! |------------------------|-------------------------------------------------------------------|-------|--------|-----------|
//! | `message-create`       | `POST /channels/{channel_id}/messages`                            | 5     | 5 s    | channel   |
//! | `message-edit`         | `PATCH /channels/{channel_id}/messages/{message_id}`              | 5     | 5 s    | channel   |
//! | `message-delete`       | `DELETE /channels/{channel_id}/messages/{message_id}`             | 5     | 1 s    | channel   |
//! | `message-bulk-delete`  | `POST /channels/{channel_id}/messages/bulk-delete`                | 1     | 1 s    | channel   |
//! | `reactions`            | `PUT`/`DELETE …/reactions/{emoji_name}/@me`, `DELETE …/reactions/{emoji_name}/{user_id}`, `DELETE …/reactions/{emoji_name}`, `DELETE …/reactions` (shared) | 1 | 250 ms | channel |
//! | `typing`               | `POST /channels/{channel_id}/typing`                              | 5     | 5 s    | channel   |
//! | `channel-modify`       | `PATCH /channels/{channel_id}`                                    | 10    | 10 s   | channel   |
//! | `member-modify`        | `PATCH /guilds/{guild_id}/members/{user_id}`, `PATCH /guilds/{guild_id}/members/@me` (shared) | 10 | 10 s | guild |
//! | `member-roles`         | `PUT`/`DELETE /guilds/{guild_id}/members/{user_id}/roles/{role_id}` (shared) | 10 | 10 s | guild |
//! | `webhook-execute`      | `POST /webhooks/{webhook_id}/{webhook_token}`                     | 5     | 2 s    | webhook + token |
//! | `interaction-callback` | `POST /interactions/{interaction_id}/{interaction_token}/callback` | 50   | 1 s    | interaction + token |
//! | (the route key itself) | every other route: a bucket of its own                            | 50    | 1 s    | as above  |
//!
//! Discord's real limit for renaming a channel is 2 per 10 minutes; `channel-modify` is a
//! friendlier 10 per 10 s so tests that edit channels do not stall, while still being a
//! limit a bot can trip. Overriding or shrinking a route that is in a shared group changes
//! the whole group, because the group *is* the bucket.
//!
//! # The global limit
//!
//! [`RateLimitConfig::global_per_second`] calls per one-second window (the window opens
//! with the first call), across all routes, for the bot token. Interaction endpoints are
//! not bound to it (`docs/interactions/receiving-and-responding.mdx`, "Endpoints"): the
//! callback route and every route with a `{webhook_token}` (interaction follow-ups use the
//! webhook routes, and token-authenticated webhook calls carry no bot token). They still
//! have their bucket. twilight-http-ratelimiting 0.18 draws the same line (`webhooks/…`
//! and `interactions/…` skip its global counter).
//!
//! # Headers
//!
//! Every bucketed response carries `X-RateLimit-Limit`, `-Remaining`, `-Reset` (epoch
//! seconds, 3 decimals), `-Reset-After` (seconds, 3 decimals) and `-Bucket`; times are
//! rounded *up* to the millisecond so a client that waits exactly that long is never early.
//! A 429 adds `X-RateLimit-Scope` and `Retry-After` (whole seconds, rounded up); the global
//! 429 carries only `Retry-After`, `X-RateLimit-Global: true` and `X-RateLimit-Scope:
//! global`, like Discord's example.
//!
//! `X-RateLimit-Scope: user` on *allowed* responses: Discord's docs list the scope header
//! as 429-only, but twilight-http 0.18 (`response/future.rs`, `parse_ratelimit_headers`)
//! reads a response's bucket headers only when `x-ratelimit-scope` is present, on every
//! response. Without it twilight learns nothing from 2xx answers and discovers each
//! exhausted bucket by taking a 429. So by default allowed responses also carry
//! `X-RateLimit-Scope: user`, which clients that follow the docs ignore;
//! [`RateLimiter::set_scope_on_success`] turns that off for a docs-literal sim.
//!
//! # Faults for tests
//!
//! [`RateLimiter::shrink`] tightens a bucket at once; [`RateLimiter::force_429`] makes the
//! next N calls on a route answer 429 whatever the counters say; [`RateLimiter::set_enabled`]
//! (false) lets everything through while still sending headers. Time is passed in
//! (`now` for the counters, `wall` for `X-RateLimit-Reset`), so tests never sleep.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use parking_lot::Mutex;
use serde_json::json;

use crate::error::json_response;

/// Discord's global limit for a bot token: requests per second.
pub const DISCORD_GLOBAL_PER_SECOND: u32 = 50;

/// Limit and window of a route that has no group of its own in the default table.
pub const DEFAULT_ROUTE_LIMIT: u32 = 50;
/// Window of a route that has no group of its own in the default table.
pub const DEFAULT_ROUTE_WINDOW: Duration = Duration::from_secs(1);

/// Length of one global-limit window.
const GLOBAL_WINDOW: Duration = Duration::from_secs(1);

/// Counters a group keeps before closed windows are first swept out.
const SWEEP_THRESHOLD: usize = 4096;

/// Body message of a user or global 429.
const MESSAGE_USER: &str = "You are being rate limited.";
/// Body message of a shared-resource 429 (Discord's example).
const MESSAGE_SHARED: &str = "The resource is being rate limited.";

/// The default bucket groups: name, limit, window.
const DEFAULT_GROUPS: &[(&str, u32, Duration)] = &[
    ("message-create", 5, Duration::from_secs(5)),
    ("message-edit", 5, Duration::from_secs(5)),
    ("message-delete", 5, Duration::from_secs(1)),
    ("message-bulk-delete", 1, Duration::from_secs(1)),
    ("reactions", 1, Duration::from_millis(250)),
    ("typing", 5, Duration::from_secs(5)),
    ("channel-modify", 10, Duration::from_secs(10)),
    ("member-modify", 10, Duration::from_secs(10)),
    ("member-roles", 10, Duration::from_secs(10)),
    ("webhook-execute", 5, Duration::from_secs(2)),
    ("interaction-callback", 50, Duration::from_secs(1)),
];

/// Routes of the default groups: method, spec template, group name.
const DEFAULT_ROUTES: &[(&str, &str, &str)] = &[
    ("POST", "/channels/{channel_id}/messages", "message-create"),
    (
        "PATCH",
        "/channels/{channel_id}/messages/{message_id}",
        "message-edit",
    ),
    (
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}",
        "message-delete",
    ),
    (
        "POST",
        "/channels/{channel_id}/messages/bulk-delete",
        "message-bulk-delete",
    ),
    (
        "PUT",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        "reactions",
    ),
    (
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me",
        "reactions",
    ),
    (
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}",
        "reactions",
    ),
    (
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}",
        "reactions",
    ),
    (
        "DELETE",
        "/channels/{channel_id}/messages/{message_id}/reactions",
        "reactions",
    ),
    ("POST", "/channels/{channel_id}/typing", "typing"),
    ("PATCH", "/channels/{channel_id}", "channel-modify"),
    (
        "PATCH",
        "/guilds/{guild_id}/members/{user_id}",
        "member-modify",
    ),
    ("PATCH", "/guilds/{guild_id}/members/@me", "member-modify"),
    (
        "PUT",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        "member-roles",
    ),
    (
        "DELETE",
        "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
        "member-roles",
    ),
    (
        "POST",
        "/webhooks/{webhook_id}/{webhook_token}",
        "webhook-execute",
    ),
    (
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        "interaction-callback",
    ),
];

/// How the limiter starts.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimitConfig {
    /// false: every call is allowed (headers are still sent).
    pub enabled: bool,
    /// Calls per second across all routes for the bot token; 0 turns the global limit off.
    pub global_per_second: u32,
    /// Per-route limits replacing the defaults (a route in a shared group changes the group).
    pub overrides: Vec<BucketOverride>,
}

impl Default for RateLimitConfig {
    /// Discord-like: enabled, 50 calls per second globally, the default bucket table.
    fn default() -> Self {
        Self {
            enabled: true,
            global_per_second: DISCORD_GLOBAL_PER_SECOND,
            overrides: Vec::new(),
        }
    }
}

/// A route's limit replacing its default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketOverride {
    /// Route key (`"POST /channels/{channel_id}/messages"`), group name or bucket id.
    pub route: String,
    /// Calls allowed per window.
    pub limit: u32,
    /// Window length.
    pub window: Duration,
}

/// One REST call as the limiter sees it.
#[derive(Debug, Clone, Copy)]
pub struct RouteCall<'a> {
    /// HTTP method in upper case: `GET`, `POST`, …
    pub method: &'a str,
    /// Spec template of the route, e.g. `/channels/{channel_id}/messages` (an `/api/vN`
    /// prefix is ignored).
    pub template: &'a str,
    /// Path parameters by template name, e.g. `("channel_id", "123")`.
    pub params: &'a [(String, String)],
}

/// Which limit a 429 is about, as `X-RateLimit-Scope` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateScope {
    /// The bot's own per-route limit.
    User,
    /// The bot's global limit.
    Global,
    /// A limit on a shared resource (does not count against the bot).
    Shared,
}

impl RateScope {
    /// The header value: `user`, `global` or `shared`.
    pub fn as_str(self) -> &'static str {
        match self {
            RateScope::User => "user",
            RateScope::Global => "global",
            RateScope::Shared => "shared",
        }
    }
}

/// The state of the bucket a call went to, as the `X-RateLimit-*` headers report it.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketHeaders {
    /// `X-RateLimit-Bucket`: the group's opaque id.
    pub bucket: Arc<str>,
    /// `X-RateLimit-Limit`.
    pub limit: u32,
    /// `X-RateLimit-Remaining`.
    pub remaining: u32,
    /// Time until the window closes, rounded up to the millisecond (`X-RateLimit-Reset-After`).
    pub reset_after: Duration,
    /// Wall-clock time at which the window closes, rounded up to the millisecond
    /// (`X-RateLimit-Reset`, as epoch seconds).
    pub reset_at: SystemTime,
}

/// Every rate-limit header of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct RateHeaders {
    /// Bucket headers; `None` on a global 429.
    pub bucket: Option<BucketHeaders>,
    /// `X-RateLimit-Scope`.
    pub scope: Option<RateScope>,
    /// `Retry-After` (written as whole seconds, rounded up); 429 only.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Global: true`; global 429 only.
    pub global: bool,
}

impl RateHeaders {
    /// Writes the headers onto a response's header map.
    pub fn apply(&self, headers: &mut HeaderMap) {
        if let Some(bucket) = &self.bucket {
            headers.insert("x-ratelimit-limit", HeaderValue::from(bucket.limit));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(bucket.remaining));
            let reset_epoch = bucket
                .reset_at
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            insert_text(headers, "x-ratelimit-reset", &seconds_3dp(reset_epoch));
            insert_text(
                headers,
                "x-ratelimit-reset-after",
                &seconds_3dp(bucket.reset_after),
            );
            insert_text(headers, "x-ratelimit-bucket", &bucket.bucket);
        }
        if let Some(scope) = self.scope {
            headers.insert(
                "x-ratelimit-scope",
                HeaderValue::from_static(scope.as_str()),
            );
        }
        if let Some(retry_after) = self.retry_after {
            headers.insert(
                "retry-after",
                HeaderValue::from(whole_seconds_up(retry_after)),
            );
        }
        if self.global {
            headers.insert("x-ratelimit-global", HeaderValue::from_static("true"));
        }
    }
}

/// What the limiter says about one call.
#[derive(Debug, Clone, PartialEq)]
pub enum RateDecision {
    /// Run the call and put these headers on its response.
    Allowed(RateHeaders),
    /// Answer 429.
    Limited {
        headers: RateHeaders,
        /// Seconds to wait (the body's `retry_after`), millisecond precision, rounded up.
        retry_after: f64,
        /// Whether this is the global limit (the body's `global`).
        global: bool,
        scope: RateScope,
    },
}

impl RateDecision {
    /// The headers to send, allowed or not.
    pub fn headers(&self) -> &RateHeaders {
        match self {
            RateDecision::Allowed(headers) | RateDecision::Limited { headers, .. } => headers,
        }
    }

    /// Whether the call may run.
    pub fn is_allowed(&self) -> bool {
        matches!(self, RateDecision::Allowed(_))
    }

    /// Discord's 429 for a limited call; `None` when the call is allowed.
    pub fn into_429_response(self) -> Option<Response> {
        match self {
            RateDecision::Allowed(_) => None,
            RateDecision::Limited {
                headers,
                retry_after,
                global,
                scope,
            } => {
                let message = match scope {
                    RateScope::Shared => MESSAGE_SHARED,
                    RateScope::User | RateScope::Global => MESSAGE_USER,
                };
                let body = json!({
                    "message": message,
                    "retry_after": retry_after,
                    "global": global,
                });
                let mut response = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
                headers.apply(response.headers_mut());
                Some(response)
            }
        }
    }
}

/// Discord's REST rate limiter for one bot token. Share it behind an `Arc`.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<LimiterState>,
    /// Whether allowed responses carry `X-RateLimit-Scope: user` (see the module docs).
    scope_on_success: AtomicBool,
}

/// One open counting window.
#[derive(Debug, Clone, Copy)]
struct Window {
    opened: Instant,
    used: u32,
}

impl Window {
    fn fresh(now: Instant) -> Self {
        Self {
            opened: now,
            used: 0,
        }
    }

    fn closes(&self, length: Duration) -> Instant {
        self.opened + length
    }
}

/// A bucket group: routes sharing one limit and one bucket id.
#[derive(Debug)]
struct Group {
    bucket: Arc<str>,
    limit: u32,
    window: Duration,
    /// Open windows by top-level resource.
    windows: HashMap<String, Window>,
    /// Size of `windows` at which closed windows are next swept out.
    sweep_at: usize,
}

impl Group {
    /// Starts a window for `resource` with this call counted, sweeping out closed windows
    /// now and then so the map holds about as many entries as there are open windows.
    fn open_window(&mut self, resource: String, now: Instant) {
        if self.windows.len() >= self.sweep_at {
            let length = self.window;
            self.windows.retain(|_, open| open.closes(length) > now);
            self.sweep_at = (self.windows.len() * 2).max(SWEEP_THRESHOLD);
        }
        self.windows.insert(
            resource,
            Window {
                opened: now,
                used: 1,
            },
        );
    }
}

/// A pending `force_429` on a route.
#[derive(Debug, Clone, Copy)]
struct Forced {
    remaining: u32,
    scope: RateScope,
}

/// One method of one template.
#[derive(Debug)]
struct RouteEntry {
    method: String,
    group: usize,
    /// Not bound to the global limit (interaction endpoints).
    global_exempt: bool,
    forced: Option<Forced>,
}

/// Where a call goes, as [`LimiterState::route_for_call`] finds it.
#[derive(Debug, Clone, Copy)]
struct RouteTarget {
    group: usize,
    global_exempt: bool,
    /// The scope of a forced 429 this call consumes.
    forced: Option<RateScope>,
}

#[derive(Debug)]
struct LimiterState {
    enabled: bool,
    global_per_second: u32,
    global: Option<Window>,
    groups: Vec<Group>,
    /// Group index by group name and by bucket id.
    group_by_name: HashMap<String, usize>,
    /// Routes by normalised template, then method.
    routes: HashMap<String, Vec<RouteEntry>>,
}

impl RateLimiter {
    pub fn new(config: RateLimitConfig) -> Self {
        let mut state = LimiterState {
            enabled: config.enabled,
            global_per_second: config.global_per_second,
            global: None,
            groups: Vec::new(),
            group_by_name: HashMap::new(),
            routes: HashMap::new(),
        };
        for &(name, limit, window) in DEFAULT_GROUPS {
            state.add_group(name, limit, window);
        }
        for &(method, template, group_name) in DEFAULT_ROUTES {
            if let Some(&group) = state.group_by_name.get(group_name) {
                state.add_route(method, template, group);
            }
        }
        for over in &config.overrides {
            if let Some(group) = state.resolve_group(&over.route) {
                state.groups[group].limit = over.limit;
                state.groups[group].window = over.window;
            }
        }
        Self {
            state: Mutex::new(state),
            scope_on_success: AtomicBool::new(true),
        }
    }

    /// Decides one call and counts it when it is allowed. `now` drives the counters;
    /// `wall` is only read for `X-RateLimit-Reset`.
    pub fn check(&self, call: &RouteCall<'_>, now: Instant, wall: SystemTime) -> RateDecision {
        let success_scope = self
            .scope_on_success
            .load(Ordering::Relaxed)
            .then_some(RateScope::User);
        let resource = resource_key(call.params);
        let mut guard = self.state.lock();
        let state = &mut *guard;
        let target = state.route_for_call(call);
        if let Some(scope) = target.forced {
            return state.forced_decision(target.group, &resource, scope, now, wall);
        }

        let LimiterState {
            enabled,
            global_per_second,
            global,
            groups,
            ..
        } = state;
        let group = &mut groups[target.group];
        let (limit, length) = (group.limit, group.window);

        if !*enabled {
            // Nothing is counted and the bucket reads as untouched, so a client that
            // honours the headers never holds back.
            let bucket = bucket_headers(&group.bucket, limit, limit, length, wall);
            return RateDecision::Allowed(RateHeaders {
                bucket: Some(bucket),
                scope: success_scope,
                retry_after: None,
                global: false,
            });
        }

        // The route's bucket. A call that is turned away opens no window.
        let open = group
            .windows
            .get_mut(resource.as_str())
            .filter(|open| open.closes(length) > now);
        let (opened, used) = open
            .as_ref()
            .map_or((now, 0), |open| (open.opened, open.used));
        let reset_after = (opened + length).saturating_duration_since(now);
        if used >= limit {
            let bucket = bucket_headers(&group.bucket, limit, 0, reset_after, wall);
            return limited(Some(bucket), RateScope::User, reset_after);
        }

        // The global limit, counted only for calls the route allows.
        if *global_per_second > 0 && !target.global_exempt {
            let global = global.get_or_insert_with(|| Window::fresh(now));
            if global.closes(GLOBAL_WINDOW) <= now {
                *global = Window::fresh(now);
            }
            if global.used >= *global_per_second {
                let wait = global.closes(GLOBAL_WINDOW).saturating_duration_since(now);
                return limited(None, RateScope::Global, wait);
            }
            global.used += 1;
        }

        match open {
            Some(open) => open.used += 1,
            None => group.open_window(resource, now),
        }
        let bucket = bucket_headers(&group.bucket, limit, limit - (used + 1), reset_after, wall);
        RateDecision::Allowed(RateHeaders {
            bucket: Some(bucket),
            scope: success_scope,
            retry_after: None,
            global: false,
        })
    }

    /// Tightens a bucket now. `route` is a route key (`"POST /channels/{channel_id}/messages"`),
    /// a group name (`"reactions"`) or a bucket id. Open windows keep what they counted and
    /// are re-read with the new window length, as if the bucket had always had these
    /// numbers. An unknown group name or bucket id does nothing; an unknown route key gets
    /// a bucket of its own.
    pub fn shrink(&self, route: &str, limit: u32, window: Duration) {
        let mut state = self.state.lock();
        if let Some(group) = state.resolve_group(route) {
            state.groups[group].limit = limit;
            state.groups[group].window = window;
        }
    }

    /// Makes the next `count` calls on `route` (a route key) answer 429 with `scope`,
    /// whatever the counters say and even while the limiter is disabled. Forced 429s count
    /// nothing. `count` 0 cancels a pending one.
    pub fn force_429(&self, route: &str, count: u32, scope: RateScope) {
        let mut state = self.state.lock();
        let Some((method, template)) = split_route_key(route) else {
            return;
        };
        let template = normalise_template(template);
        state.route_entry(method, template).forced = (count > 0).then_some(Forced {
            remaining: count,
            scope,
        });
    }

    /// Turns limiting on or off. Off: every call is allowed and counts nothing, and the
    /// headers show untouched buckets. Forced 429s still fire.
    pub fn set_enabled(&self, on: bool) {
        self.state.lock().enabled = on;
    }

    /// Changes the global limit (calls per second; 0 turns it off).
    pub fn set_global_per_second(&self, per_second: u32) {
        let mut state = self.state.lock();
        state.global_per_second = per_second;
        state.global = None;
    }

    /// Whether allowed responses carry `X-RateLimit-Scope: user` (default true; see the
    /// module docs for why twilight needs it).
    pub fn set_scope_on_success(&self, on: bool) {
        self.scope_on_success.store(on, Ordering::Relaxed);
    }

    /// The `X-RateLimit-Bucket` id of a route key or group name.
    pub fn bucket_id(&self, route: &str) -> Option<Arc<str>> {
        let mut state = self.state.lock();
        let group = state.resolve_group(route)?;
        Some(state.groups[group].bucket.clone())
    }

    /// The limit and window of a route key, group name or bucket id.
    pub fn bucket_limit(&self, route: &str) -> Option<(u32, Duration)> {
        let mut state = self.state.lock();
        let group = state.resolve_group(route)?;
        Some((state.groups[group].limit, state.groups[group].window))
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(RateLimitConfig::default())
    }
}

impl LimiterState {
    fn add_group(&mut self, name: &str, limit: u32, window: Duration) -> usize {
        let index = self.groups.len();
        let bucket = bucket_id_of(name);
        self.group_by_name.insert(name.to_string(), index);
        self.group_by_name.insert(bucket.clone(), index);
        self.groups.push(Group {
            bucket: bucket.into(),
            limit,
            window,
            windows: HashMap::new(),
            sweep_at: SWEEP_THRESHOLD,
        });
        index
    }

    fn add_route(&mut self, method: &str, template: &str, group: usize) -> &mut RouteEntry {
        let entries = self.routes.entry(template.to_string()).or_default();
        entries.push(RouteEntry {
            method: method.to_ascii_uppercase(),
            group,
            global_exempt: is_global_exempt(template),
            forced: None,
        });
        let last = entries.len() - 1;
        &mut entries[last]
    }

    /// The route entry for a method and normalised template, made (with a bucket of its
    /// own) if the route was never seen.
    fn route_entry(&mut self, method: &str, template: &str) -> &mut RouteEntry {
        let position = self.routes.get(template).and_then(|entries| {
            entries
                .iter()
                .position(|entry| entry.method.eq_ignore_ascii_case(method))
        });
        match position {
            Some(index) => match self.routes.get_mut(template) {
                Some(entries) => &mut entries[index],
                // The lookup above found the template and nothing has changed since.
                None => unreachable!("route template vanished under the lock"),
            },
            None => {
                let key = format!("{} {}", method.to_ascii_uppercase(), template);
                let group = match self.group_by_name.get(&key) {
                    Some(&group) => group,
                    None => self.add_group(&key, DEFAULT_ROUTE_LIMIT, DEFAULT_ROUTE_WINDOW),
                };
                self.add_route(method, template, group)
            }
        }
    }

    fn route_for_call(&mut self, call: &RouteCall<'_>) -> RouteTarget {
        let entry = self.route_entry(call.method, normalise_template(call.template));
        let forced = match &mut entry.forced {
            Some(forced) => {
                let scope = forced.scope;
                forced.remaining -= 1;
                if forced.remaining == 0 {
                    entry.forced = None;
                }
                Some(scope)
            }
            None => None,
        };
        RouteTarget {
            group: entry.group,
            global_exempt: entry.global_exempt,
            forced,
        }
    }

    /// A route key, group name or bucket id to a group index.
    fn resolve_group(&mut self, key: &str) -> Option<usize> {
        if let Some(&group) = self.group_by_name.get(key) {
            return Some(group);
        }
        let (method, template) = split_route_key(key)?;
        Some(self.route_entry(method, normalise_template(template)).group)
    }

    /// The 429 of a forced fault: the bucket as it stands, counting nothing.
    fn forced_decision(
        &self,
        group_index: usize,
        resource: &str,
        scope: RateScope,
        now: Instant,
        wall: SystemTime,
    ) -> RateDecision {
        if scope == RateScope::Global {
            let wait = self
                .global
                .map(|open| open.closes(GLOBAL_WINDOW).saturating_duration_since(now))
                .filter(|wait| !wait.is_zero())
                .unwrap_or(GLOBAL_WINDOW);
            return limited(None, RateScope::Global, wait);
        }
        let group = &self.groups[group_index];
        let open = group
            .windows
            .get(resource)
            .filter(|open| open.closes(group.window) > now);
        let (reset_after, used) = match open {
            Some(open) => (open.closes(group.window) - now, open.used),
            None => (group.window, 0),
        };
        let remaining = match scope {
            RateScope::Shared => group.limit.saturating_sub(used),
            RateScope::User | RateScope::Global => 0,
        };
        let bucket = bucket_headers(&group.bucket, group.limit, remaining, reset_after, wall);
        limited(Some(bucket), scope, reset_after)
    }
}

/// A 429 decision waiting `wait` (at least a millisecond).
fn limited(bucket: Option<BucketHeaders>, scope: RateScope, wait: Duration) -> RateDecision {
    let wait = ceil_millis(wait).max(Duration::from_millis(1));
    let global = scope == RateScope::Global;
    RateDecision::Limited {
        headers: RateHeaders {
            bucket,
            scope: Some(scope),
            retry_after: Some(wait),
            global,
        },
        retry_after: wait.as_millis() as f64 / 1000.0,
        global,
        scope,
    }
}

fn bucket_headers(
    bucket: &Arc<str>,
    limit: u32,
    remaining: u32,
    reset_after: Duration,
    wall: SystemTime,
) -> BucketHeaders {
    let reset_after = ceil_millis(reset_after);
    BucketHeaders {
        bucket: bucket.clone(),
        limit,
        remaining,
        reset_after,
        reset_at: wall + reset_after,
    }
}

/// The counter key of a call: its channel, guild, or webhook id + token; empty for none.
fn resource_key(params: &[(String, String)]) -> String {
    let find = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if let Some(channel) = find("channel_id") {
        return channel.to_string();
    }
    if let Some(guild) = find("guild_id") {
        return guild.to_string();
    }
    // An interaction's callback is authenticated by its own token, like a webhook call:
    // each interaction has its counter (a bot answers each once; Discord does not make
    // thousands of people clicking at once share one 50-per-second callback bucket).
    if let (Some(id), Some(token)) = (find("interaction_id"), find("interaction_token")) {
        return format!("{id}/{token}");
    }
    match (find("webhook_id"), find("webhook_token")) {
        (Some(id), Some(token)) => format!("{id}/{token}"),
        (Some(id), None) => id.to_string(),
        (None, _) => String::new(),
    }
}

/// Interaction endpoints, which Discord does not bind to the global limit.
fn is_global_exempt(template: &str) -> bool {
    template.starts_with("/interactions/") || template.contains("{webhook_token}")
}

/// `"POST /channels/{channel_id}/messages"` → `("POST", "/channels/{channel_id}/messages")`.
fn split_route_key(key: &str) -> Option<(&str, &str)> {
    let (method, template) = key.trim().split_once(' ')?;
    let template = template.trim();
    (!method.is_empty() && template.starts_with('/')).then_some((method, template))
}

/// Drops an `/api/vN` prefix and a trailing slash.
fn normalise_template(template: &str) -> &str {
    let mut template = template;
    if let Some(rest) = template.strip_prefix("/api/v") {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && (rest.len() == digits || rest.as_bytes()[digits] == b'/') {
            template = &rest[digits..];
        }
    }
    if template.len() > 1 {
        template = template.strip_suffix('/').unwrap_or(template);
    }
    template
}

/// The opaque bucket id of a group: 32 hex digits, stable across runs (two FNV-1a hashes).
fn bucket_id_of(name: &str) -> String {
    fn fnv1a(seed: u64, bytes: &[u8]) -> u64 {
        bytes.iter().fold(seed, |hash, &byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
    let high = fnv1a(0xcbf2_9ce4_8422_2325, name.as_bytes());
    let low = fnv1a(0x6c62_272e_07bb_0142, name.as_bytes());
    format!("{high:016x}{low:016x}")
}

/// Rounds up to the next whole millisecond.
fn ceil_millis(duration: Duration) -> Duration {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

/// Whole seconds, rounded up (`Retry-After`).
fn whole_seconds_up(duration: Duration) -> u64 {
    let seconds = duration.as_nanos().div_ceil(1_000_000_000);
    u64::try_from(seconds).unwrap_or(u64::MAX)
}

/// Seconds with exactly three decimals, rounded up: `1470173023.123`, `0.250`.
fn seconds_3dp(duration: Duration) -> String {
    let millis = ceil_millis(duration).as_millis();
    format!("{}.{:03}", millis / 1000, millis % 1000)
}

fn insert_text(headers: &mut HeaderMap, name: &'static str, value: &str) {
    // Digits, dots and hex only ever reach here, which are always valid header bytes.
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGES: &str = "POST /channels/{channel_id}/messages";
    const CALLBACK: &str = "POST /interactions/{interaction_id}/{interaction_token}/callback";

    /// A fixed wall clock: 1470173022.5 s after the epoch.
    fn wall() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(1_470_173_022_500)
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect()
    }

    fn call<'a>(
        method: &'a str,
        template: &'a str,
        params: &'a [(String, String)],
    ) -> RouteCall<'a> {
        RouteCall {
            method,
            template,
            params,
        }
    }

    fn send(limiter: &RateLimiter, channel: &str, at: Instant) -> RateDecision {
        let params = params(&[("channel_id", channel)]);
        limiter.check(
            &call("POST", "/channels/{channel_id}/messages", &params),
            at,
            wall(),
        )
    }

    fn header_map(decision: &RateDecision) -> HeaderMap {
        let mut headers = HeaderMap::new();
        decision.headers().apply(&mut headers);
        headers
    }

    fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
        headers.get(name).map(|value| value.to_str().unwrap())
    }

    fn body_of(response: Response) -> serde_json::Value {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let bytes = runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn allowed_calls_count_down_in_the_headers() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        let bucket = limiter.bucket_id(MESSAGES).unwrap();
        for (step, remaining) in [4, 3, 2, 1, 0].into_iter().enumerate() {
            let at = start + Duration::from_millis(100 * step as u64);
            let decision = send(&limiter, "1", at);
            assert!(decision.is_allowed());
            let headers = header_map(&decision);
            assert_eq!(header(&headers, "x-ratelimit-limit"), Some("5"));
            assert_eq!(
                header(&headers, "x-ratelimit-remaining"),
                Some(remaining.to_string().as_str())
            );
            // The window opened with the first call and lasts 5 s.
            let after = 5000 - 100 * step as u64;
            let expected_after = format!("{}.{:03}", after / 1000, after % 1000);
            assert_eq!(
                header(&headers, "x-ratelimit-reset-after"),
                Some(expected_after.as_str())
            );
            let reset = 1_470_173_022_500 + after;
            let expected_reset = format!("{}.{:03}", reset / 1000, reset % 1000);
            assert_eq!(
                header(&headers, "x-ratelimit-reset"),
                Some(expected_reset.as_str())
            );
            assert_eq!(header(&headers, "x-ratelimit-bucket"), Some(&*bucket));
            assert_eq!(header(&headers, "x-ratelimit-scope"), Some("user"));
            assert_eq!(header(&headers, "retry-after"), None);
            assert_eq!(header(&headers, "x-ratelimit-global"), None);
        }
    }

    #[test]
    fn the_call_past_the_limit_is_a_429_with_every_header_and_discords_body() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(send(&limiter, "1", start).is_allowed());
        }
        let decision = send(&limiter, "1", start + Duration::from_millis(1500));
        let RateDecision::Limited {
            retry_after,
            global,
            scope,
            ..
        } = &decision
        else {
            panic!("6th call allowed: {decision:?}");
        };
        assert_eq!(
            (*retry_after, *global, *scope),
            (3.5, false, RateScope::User)
        );

        let response = decision.into_429_response().unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "content-type"), Some("application/json"));
        assert_eq!(header(&headers, "x-ratelimit-limit"), Some("5"));
        assert_eq!(header(&headers, "x-ratelimit-remaining"), Some("0"));
        assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("3.500"));
        assert_eq!(
            header(&headers, "x-ratelimit-reset"),
            Some("1470173026.000")
        );
        assert_eq!(
            header(&headers, "x-ratelimit-bucket"),
            Some(&*limiter.bucket_id(MESSAGES).unwrap())
        );
        assert_eq!(header(&headers, "x-ratelimit-scope"), Some("user"));
        assert_eq!(header(&headers, "retry-after"), Some("4"));
        assert_eq!(header(&headers, "x-ratelimit-global"), None);
        assert_eq!(
            body_of(response),
            json!({"message": "You are being rate limited.", "retry_after": 3.5, "global": false})
        );

        // A 429 counts nothing: still limited, and only until the same reset.
        let again = send(&limiter, "1", start + Duration::from_millis(4999));
        assert!(!again.is_allowed());
        assert_eq!(
            header(&header_map(&again), "x-ratelimit-reset-after"),
            Some("0.001")
        );
    }

    #[test]
    fn the_window_resets_with_time() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(send(&limiter, "1", start).is_allowed());
        }
        assert!(!send(&limiter, "1", start + Duration::from_millis(4999)).is_allowed());
        let fresh = send(&limiter, "1", start + Duration::from_secs(5));
        assert!(fresh.is_allowed());
        let headers = header_map(&fresh);
        assert_eq!(header(&headers, "x-ratelimit-remaining"), Some("4"));
        assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("5.000"));
    }

    #[test]
    fn sub_millisecond_times_round_up() {
        let limiter = RateLimiter::new(RateLimitConfig {
            overrides: vec![BucketOverride {
                route: MESSAGES.into(),
                limit: 1,
                window: Duration::from_secs(1),
            }],
            ..RateLimitConfig::default()
        });
        let start = Instant::now();
        assert!(send(&limiter, "1", start).is_allowed());
        let decision = send(&limiter, "1", start + Duration::from_micros(400_300));
        let headers = header_map(&decision);
        // 0.5997 s left: reported as 0.600 so a client waiting that long is never early.
        assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("0.600"));
        assert_eq!(header(&headers, "retry-after"), Some("1"));
        let RateDecision::Limited { retry_after, .. } = decision else {
            panic!("not limited");
        };
        assert_eq!(retry_after, 0.6);
    }

    #[test]
    fn different_channels_have_their_own_counters() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        for _ in 0..5 {
            assert!(send(&limiter, "1", start).is_allowed());
        }
        assert!(!send(&limiter, "1", start).is_allowed());
        let other = send(&limiter, "2", start);
        assert!(other.is_allowed());
        let headers = header_map(&other);
        assert_eq!(header(&headers, "x-ratelimit-remaining"), Some("4"));
        // Same bucket id: the id never includes the top-level resource.
        assert_eq!(
            header(&headers, "x-ratelimit-bucket"),
            Some(&*limiter.bucket_id(MESSAGES).unwrap())
        );
    }

    #[test]
    fn a_shared_group_is_one_bucket_for_all_its_routes() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        let put = "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/@me";
        let delete_user =
            "/channels/{channel_id}/messages/{message_id}/reactions/{emoji_name}/{user_id}";
        let on_one = params(&[
            ("channel_id", "1"),
            ("message_id", "9"),
            ("emoji_name", "a"),
        ]);
        let on_two = params(&[
            ("channel_id", "2"),
            ("message_id", "9"),
            ("emoji_name", "a"),
        ]);

        let first = limiter.check(&call("PUT", put, &on_one), start, wall());
        assert!(first.is_allowed());
        // DELETE of someone's reaction shares the 1-per-250-ms reactions bucket.
        let second = limiter.check(&call("DELETE", delete_user, &on_one), start, wall());
        assert!(!second.is_allowed());
        assert_eq!(
            header_map(&first).get("x-ratelimit-bucket"),
            header_map(&second).get("x-ratelimit-bucket")
        );
        assert_eq!(
            &*limiter.bucket_id(&format!("PUT {put}")).unwrap(),
            &*limiter.bucket_id("reactions").unwrap()
        );
        // Another channel has its own counter.
        assert!(limiter
            .check(&call("DELETE", delete_user, &on_two), start, wall())
            .is_allowed());
        // 250 ms later the bucket is open again.
        assert!(limiter
            .check(
                &call("DELETE", delete_user, &on_one),
                start + Duration::from_millis(250),
                wall()
            )
            .is_allowed());
        // Routes outside a group each have their own bucket id.
        assert_ne!(
            limiter.bucket_id("GET /channels/{channel_id}"),
            limiter.bucket_id("GET /guilds/{guild_id}")
        );
    }

    #[test]
    fn bucket_ids_are_stable_opaque_hex() {
        let one = RateLimiter::default();
        let two = RateLimiter::default();
        for key in [MESSAGES, CALLBACK, "GET /users/@me", "reactions"] {
            let id = one.bucket_id(key).unwrap();
            assert_eq!(id.len(), 32);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            assert_eq!(Some(id), two.bucket_id(key));
        }
        // A bucket id resolves to its own group.
        let id = one.bucket_id(MESSAGES).unwrap();
        assert_eq!(one.bucket_id(&id), Some(id));
    }

    #[test]
    fn the_global_limit_trips_with_the_global_headers() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        // 50 calls on 50 channels: no bucket is full, the global limit is.
        for channel in 0..50 {
            let at = start + Duration::from_millis(channel);
            assert!(send(&limiter, &channel.to_string(), at).is_allowed());
        }
        let decision = send(&limiter, "999", start + Duration::from_millis(600));
        let RateDecision::Limited {
            retry_after,
            global,
            scope,
            ..
        } = &decision
        else {
            panic!("51st call allowed");
        };
        assert_eq!(
            (*retry_after, *global, *scope),
            (0.4, true, RateScope::Global)
        );
        let response = decision.into_429_response().unwrap();
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "x-ratelimit-global"), Some("true"));
        assert_eq!(header(&headers, "x-ratelimit-scope"), Some("global"));
        assert_eq!(header(&headers, "retry-after"), Some("1"));
        // Like Discord's example: no bucket headers on a global 429.
        assert_eq!(header(&headers, "x-ratelimit-bucket"), None);
        assert_eq!(header(&headers, "x-ratelimit-remaining"), None);
        assert_eq!(
            body_of(response),
            json!({"message": "You are being rate limited.", "retry_after": 0.4, "global": true})
        );
        // The global 429 did not count against channel 999's bucket.
        let later = send(&limiter, "999", start + Duration::from_secs(1));
        assert!(later.is_allowed());
        assert_eq!(
            header(&header_map(&later), "x-ratelimit-remaining"),
            Some("4")
        );
    }

    #[test]
    fn each_interaction_has_its_own_callback_bucket() {
        let limiter = RateLimiter::new(RateLimitConfig::default());
        let start = Instant::now();
        let route = "/interactions/{interaction_id}/{interaction_token}/callback";
        let answer = |id: &str| {
            let params = params(&[("interaction_id", id), ("interaction_token", "tok")]);
            limiter
                .check(&call("POST", route, &params), start, wall())
                .is_allowed()
        };
        // Two hundred people clicking at once: every interaction can be answered.
        assert!((0..200).all(|id| answer(&id.to_string())));
        // One interaction hammered: its own bucket runs out.
        assert!((0..49).all(|_| answer("7")));
        assert!(!answer("7"));
        assert!(answer("8"));
    }

    #[test]
    fn interaction_callbacks_bypass_the_global_limit() {
        let limiter = RateLimiter::new(RateLimitConfig {
            global_per_second: 5,
            ..RateLimitConfig::default()
        });
        let start = Instant::now();
        for channel in 0..5 {
            assert!(send(&limiter, &channel.to_string(), start).is_allowed());
        }
        assert!(!send(&limiter, "5", start).is_allowed());
        for id in 0..20 {
            let id = id.to_string();
            let params = params(&[("interaction_id", &id), ("interaction_token", "tok")]);
            let decision = limiter.check(
                &call(
                    "POST",
                    "/interactions/{interaction_id}/{interaction_token}/callback",
                    &params,
                ),
                start,
                wall(),
            );
            assert!(decision.is_allowed(), "callback {id}: {decision:?}");
            // ... but they do have a bucket.
            assert_eq!(
                header(&header_map(&decision), "x-ratelimit-bucket"),
                Some(&*limiter.bucket_id(CALLBACK).unwrap())
            );
        }
        // So do follow-ups on the interaction token (webhook routes).
        let followup = params(&[("webhook_id", "77"), ("webhook_token", "tok")]);
        for _ in 0..5 {
            assert!(limiter
                .check(
                    &call("POST", "/webhooks/{webhook_id}/{webhook_token}", &followup),
                    start,
                    wall()
                )
                .is_allowed());
        }
        // The callback bucket still limits (50 per second per interaction by default).
        limiter.shrink(CALLBACK, 1, Duration::from_secs(1));
        let params = params(&[("interaction_id", "1"), ("interaction_token", "t")]);
        let route = "/interactions/{interaction_id}/{interaction_token}/callback";
        assert!(limiter
            .check(&call("POST", route, &params), start, wall())
            .is_allowed());
        let decision = limiter.check(
            &call(
                "POST",
                "/interactions/{interaction_id}/{interaction_token}/callback",
                &params,
            ),
            start,
            wall(),
        );
        assert!(matches!(
            decision,
            RateDecision::Limited {
                scope: RateScope::User,
                ..
            }
        ));
    }

    #[test]
    fn shrink_tightens_a_bucket_now() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        assert!(send(&limiter, "1", start).is_allowed());
        assert!(send(&limiter, "1", start).is_allowed());
        // 2 used of 5; shrink to 2 per 10 s: the open window is now full, and closes 10 s
        // after it opened.
        limiter.shrink(MESSAGES, 2, Duration::from_secs(10));
        let decision = send(&limiter, "1", start + Duration::from_secs(6));
        assert!(!decision.is_allowed());
        let headers = header_map(&decision);
        assert_eq!(header(&headers, "x-ratelimit-limit"), Some("2"));
        assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("4.000"));
        assert!(send(&limiter, "1", start + Duration::from_secs(10)).is_allowed());
        assert_eq!(
            limiter.bucket_limit(MESSAGES),
            Some((2, Duration::from_secs(10)))
        );

        // By bucket id too, and on a route never seen before.
        let id = limiter.bucket_id("reactions").unwrap();
        limiter.shrink(&id, 3, Duration::from_secs(2));
        assert_eq!(
            limiter.bucket_limit("reactions"),
            Some((3, Duration::from_secs(2)))
        );
        limiter.shrink("GET /guilds/{guild_id}/roles", 1, Duration::from_secs(1));
        let guild = params(&[("guild_id", "5")]);
        let roles = call("GET", "/guilds/{guild_id}/roles", &guild);
        assert!(limiter.check(&roles, start, wall()).is_allowed());
        assert!(!limiter.check(&roles, start, wall()).is_allowed());
    }

    #[test]
    fn force_429_answers_the_next_calls_with_the_given_scope() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        assert!(send(&limiter, "1", start).is_allowed());
        limiter.force_429(MESSAGES, 2, RateScope::Shared);

        let first = send(&limiter, "1", start + Duration::from_secs(1));
        let RateDecision::Limited { scope, global, .. } = &first else {
            panic!("forced call allowed");
        };
        assert_eq!((*scope, *global), (RateScope::Shared, false));
        let response = first.into_429_response().unwrap();
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "x-ratelimit-scope"), Some("shared"));
        // A shared limit is not the bot's: its own bucket still shows 4 left.
        assert_eq!(header(&headers, "x-ratelimit-remaining"), Some("4"));
        assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("4.000"));
        assert_eq!(header(&headers, "retry-after"), Some("4"));
        assert_eq!(
            body_of(response),
            json!({"message": "The resource is being rate limited.", "retry_after": 4.0, "global": false})
        );
        // Even on another channel, and even while disabled.
        limiter.set_enabled(false);
        assert!(!send(&limiter, "2", start).is_allowed());
        assert!(send(&limiter, "2", start).is_allowed());
        limiter.set_enabled(true);
        // Forced 429s counted nothing.
        assert_eq!(
            header(
                &header_map(&send(&limiter, "1", start + Duration::from_secs(1))),
                "x-ratelimit-remaining"
            ),
            Some("3")
        );

        limiter.force_429(MESSAGES, 1, RateScope::User);
        let user = send(&limiter, "3", start);
        let headers = header_map(&user);
        assert_eq!(header(&headers, "x-ratelimit-scope"), Some("user"));
        assert_eq!(header(&headers, "x-ratelimit-remaining"), Some("0"));
        assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("5.000"));

        limiter.force_429(MESSAGES, 1, RateScope::Global);
        let global = send(&limiter, "3", start);
        assert!(matches!(
            global,
            RateDecision::Limited {
                global: true,
                scope: RateScope::Global,
                ..
            }
        ));
        let headers = header_map(&global);
        assert_eq!(header(&headers, "x-ratelimit-global"), Some("true"));
        assert_eq!(header(&headers, "x-ratelimit-bucket"), None);

        // Count 0 cancels.
        limiter.force_429(MESSAGES, 5, RateScope::User);
        limiter.force_429(MESSAGES, 0, RateScope::User);
        assert!(send(&limiter, "3", start).is_allowed());
    }

    #[test]
    fn a_disabled_limiter_allows_everything_but_still_sends_headers() {
        let limiter = RateLimiter::new(RateLimitConfig {
            enabled: false,
            ..RateLimitConfig::default()
        });
        let start = Instant::now();
        for _ in 0..200 {
            let decision = send(&limiter, "1", start);
            assert!(decision.is_allowed());
            let headers = header_map(&decision);
            assert_eq!(header(&headers, "x-ratelimit-limit"), Some("5"));
            assert_eq!(header(&headers, "x-ratelimit-remaining"), Some("5"));
            assert_eq!(header(&headers, "x-ratelimit-reset-after"), Some("5.000"));
            assert!(headers.contains_key("x-ratelimit-reset"));
            assert!(headers.contains_key("x-ratelimit-bucket"));
        }
        // Turned on, it starts counting from nothing.
        limiter.set_enabled(true);
        assert_eq!(
            header(
                &header_map(&send(&limiter, "1", start)),
                "x-ratelimit-remaining"
            ),
            Some("4")
        );
    }

    #[test]
    fn scope_on_success_can_be_turned_off() {
        let limiter = RateLimiter::default();
        limiter.set_scope_on_success(false);
        let start = Instant::now();
        let allowed = send(&limiter, "1", start);
        assert_eq!(header(&header_map(&allowed), "x-ratelimit-scope"), None);
        limiter.shrink(MESSAGES, 1, Duration::from_secs(1));
        let limited = send(&limiter, "1", start);
        assert_eq!(
            header(&header_map(&limited), "x-ratelimit-scope"),
            Some("user")
        );
    }

    #[test]
    fn overrides_and_global_setting_come_from_the_config() {
        let limiter = RateLimiter::new(RateLimitConfig {
            enabled: true,
            global_per_second: 0,
            overrides: vec![BucketOverride {
                route: MESSAGES.into(),
                limit: 2,
                window: Duration::from_secs(1),
            }],
        });
        let start = Instant::now();
        assert!(send(&limiter, "1", start).is_allowed());
        assert!(send(&limiter, "1", start).is_allowed());
        assert!(!send(&limiter, "1", start).is_allowed());
        // Global off: 500 calls on 500 channels in the same instant.
        for channel in 0..500 {
            assert!(send(&limiter, &format!("c{channel}"), start).is_allowed());
        }
        limiter.set_global_per_second(3);
        for channel in 0..3 {
            assert!(send(&limiter, &format!("d{channel}"), start).is_allowed());
        }
        assert!(!send(&limiter, "d3", start).is_allowed());
    }

    #[test]
    fn api_prefixes_and_unknown_routes_are_handled() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        let channel = params(&[("channel_id", "1")]);
        for _ in 0..5 {
            let prefixed = call("post", "/api/v10/channels/{channel_id}/messages/", &channel);
            assert!(limiter.check(&prefixed, start, wall()).is_allowed());
        }
        assert!(!send(&limiter, "1", start).is_allowed());

        // An unknown route gets its own default bucket (50 per second).
        let me = call("GET", "/users/@me", &[]);
        let decision = limiter.check(&me, start, wall());
        assert_eq!(
            header(&header_map(&decision), "x-ratelimit-limit"),
            Some("50")
        );
        assert_eq!(
            header(&header_map(&decision), "x-ratelimit-bucket"),
            Some(&*limiter.bucket_id("GET /users/@me").unwrap())
        );
    }

    #[test]
    fn webhook_buckets_are_per_webhook_and_token() {
        let limiter = RateLimiter::default();
        let start = Instant::now();
        let execute = "/webhooks/{webhook_id}/{webhook_token}";
        let one = params(&[("webhook_id", "1"), ("webhook_token", "a")]);
        let other_token = params(&[("webhook_id", "1"), ("webhook_token", "b")]);
        for _ in 0..5 {
            assert!(limiter
                .check(&call("POST", execute, &one), start, wall())
                .is_allowed());
        }
        assert!(!limiter
            .check(&call("POST", execute, &one), start, wall())
            .is_allowed());
        assert!(limiter
            .check(&call("POST", execute, &other_token), start, wall())
            .is_allowed());
    }

    #[test]
    fn closed_windows_are_swept_out() {
        let limiter = RateLimiter::new(RateLimitConfig {
            global_per_second: 0,
            ..RateLimitConfig::default()
        });
        let start = Instant::now();
        // 20 000 channels, one call each, a second apart: at most 5 windows are ever open.
        for channel in 0..20_000u64 {
            let at = start + Duration::from_secs(channel);
            assert!(send(&limiter, &channel.to_string(), at).is_allowed());
        }
        let state = limiter.state.lock();
        let group = &state.groups[state.group_by_name["message-create"]];
        assert!(
            group.windows.len() <= SWEEP_THRESHOLD,
            "{}",
            group.windows.len()
        );
    }

    #[test]
    fn formats_seconds_with_three_decimals() {
        assert_eq!(seconds_3dp(Duration::from_millis(64_570)), "64.570");
        assert_eq!(seconds_3dp(Duration::from_nanos(1)), "0.001");
        assert_eq!(seconds_3dp(Duration::ZERO), "0.000");
        assert_eq!(whole_seconds_up(Duration::from_millis(64_570)), 65);
        assert_eq!(whole_seconds_up(Duration::from_secs(2)), 2);
        assert_eq!(normalise_template("/api/v10/users/@me"), "/users/@me");
        assert_eq!(normalise_template("/api/vx/users"), "/api/vx/users");
        assert_eq!(normalise_template("/"), "/");
    }
}
