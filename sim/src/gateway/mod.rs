//! Gateway v10 over WebSocket: sessions, dispatch by shard and intents, resume with
//! replay, heartbeats and zombie closes, the send limit, faults and floods.
//!
//! The hub ([`GatewayHub`]) owns every session. A session outlives its connection so a
//! client can RESUME and get every dispatch after its last sequence number. World
//! changes reach clients through [`GatewayHub::dispatch`], which never blocks: frames go
//! to each connection's writer through an unbounded queue whose depth is tracked, and a
//! flood paces itself on that depth, so a slow client slows the flood, not the REST API.

pub mod compress;
mod connection;
pub mod flood;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::{mpsc, Notify};

pub use connection::serve_connection;

use crate::world::{intents, Event};

/// Gateway opcodes.
pub mod op {
    pub const DISPATCH: u8 = 0;
    pub const HEARTBEAT: u8 = 1;
    pub const IDENTIFY: u8 = 2;
    pub const PRESENCE_UPDATE: u8 = 3;
    pub const VOICE_STATE_UPDATE: u8 = 4;
    pub const RESUME: u8 = 6;
    pub const RECONNECT: u8 = 7;
    pub const REQUEST_GUILD_MEMBERS: u8 = 8;
    pub const INVALID_SESSION: u8 = 9;
    pub const HELLO: u8 = 10;
    pub const HEARTBEAT_ACK: u8 = 11;
}

/// Gateway close codes the sim uses.
pub mod close_code {
    pub const UNKNOWN_ERROR: u16 = 4000;
    pub const UNKNOWN_OPCODE: u16 = 4001;
    pub const DECODE_ERROR: u16 = 4002;
    pub const NOT_AUTHENTICATED: u16 = 4003;
    pub const AUTHENTICATION_FAILED: u16 = 4004;
    pub const ALREADY_AUTHENTICATED: u16 = 4005;
    pub const INVALID_SEQ: u16 = 4007;
    pub const RATE_LIMITED: u16 = 4008;
    pub const SESSION_TIMED_OUT: u16 = 4009;
    pub const INVALID_SHARD: u16 = 4010;
    pub const INVALID_API_VERSION: u16 = 4012;
    pub const INVALID_INTENTS: u16 = 4013;
    pub const DISALLOWED_INTENTS: u16 = 4014;
}

/// How the gateway behaves; tests shorten the heartbeat and the limits.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Sent in HELLO. Discord sends 41250.
    pub heartbeat_interval: Duration,
    /// A connection with no heartbeat for this long after the last one is closed (4009).
    /// Discord allows about one and a half intervals.
    pub heartbeat_timeout: Duration,
    /// Gateway commands a connection may send per window (Discord: 120 per 60 s).
    pub send_limit: u32,
    pub send_window: Duration,
    /// Dispatches kept per session for RESUME; older ones cannot be replayed.
    pub replay_capacity: usize,
    /// Whether the application may use privileged intents (else 4014 when asked).
    pub privileged_intents_allowed: bool,
    /// `shards` in `GET /gateway/bot`: how many shards Discord recommends.
    pub recommended_shards: u32,
    /// IDENTIFYs allowed per `identify_window`, one per bucket `shard_id % max_concurrency`;
    /// one more in a bucket within the window is answered with op 9 (Invalid Session).
    pub max_concurrency: u32,
    /// Discord's is 5 s; tests shorten it.
    pub identify_window: Duration,
    /// Session starts per day (`session_start_limit.total`); each IDENTIFY counts one, and
    /// with none left IDENTIFY is answered with op 9.
    pub session_start_total: u32,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            heartbeat_interval: Duration::from_millis(41_250),
            heartbeat_timeout: Duration::from_millis(41_250 * 3 / 2),
            send_limit: 120,
            send_window: Duration::from_secs(60),
            replay_capacity: 250_000,
            privileged_intents_allowed: true,
            recommended_shards: 1,
            max_concurrency: 1,
            identify_window: Duration::from_secs(5),
            session_start_total: 1000,
        }
    }
}

/// Why an IDENTIFY was refused with op 9.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifyRefusal {
    /// Another IDENTIFY of the same bucket came less than a window earlier.
    TooEarly,
    /// No session starts are left today.
    NoSessionStarts,
}

/// The session start limits as Discord keeps them for the bot token: the last IDENTIFY per
/// bucket and the starts left today.
#[derive(Debug)]
pub struct IdentifyLimits {
    last_per_bucket: HashMap<u32, Instant>,
    remaining: u32,
    resets_at: Instant,
}

/// What a connection's writer is told to do.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A serialized payload; `seq` is set for dispatches.
    Frame { json: Arc<str>, seq: Option<u64> },
    /// Send a close frame with this code and end the connection.
    Close { code: u16, reason: String },
    /// End the connection without a close frame (a dropped TCP connection).
    Drop,
}

/// The writer side of a live connection, as the hub sees it.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionHandle {
    pub id: u64,
    pub tx: mpsc::UnboundedSender<Outbound>,
    /// Frames queued but not yet written to the socket.
    pub pending: Arc<AtomicUsize>,
    /// Highest dispatch sequence number written to the socket.
    pub written_seq: Arc<AtomicU64>,
    /// Woken whenever the writer makes progress.
    pub progress: Arc<Notify>,
}

impl ConnectionHandle {
    fn send(&self, outbound: Outbound) {
        if matches!(outbound, Outbound::Frame { .. }) {
            self.pending.fetch_add(1, Ordering::Relaxed);
        }
        // A closed receiver means the connection is already gone; the frame stays in
        // the replay buffer for a RESUME.
        let _ = self.tx.send(outbound);
    }
}

/// One identified session: which shard it is, what it asked for, what it was sent.
#[derive(Debug)]
pub struct Session {
    pub id: String,
    pub shard_id: u32,
    pub shard_count: u32,
    pub intents: u64,
    inner: Mutex<SessionInner>,
}

#[derive(Debug, Default)]
struct SessionInner {
    seq: u64,
    replay: VecDeque<(u64, Arc<str>)>,
    connection: Option<ConnectionHandle>,
    invalidated: bool,
}

impl Session {
    /// Whether this session receives events of `guild_id` (DMs go to shard 0).
    pub fn serves_guild(&self, guild_id: Option<u64>) -> bool {
        let shard = match guild_id {
            Some(id) => ((id >> 22) % self.shard_count.max(1) as u64) as u32,
            None => 0,
        };
        shard == self.shard_id
    }

    pub fn last_seq(&self) -> u64 {
        self.inner.lock().seq
    }

    pub fn is_connected(&self) -> bool {
        self.inner.lock().connection.is_some()
    }
}

/// Counters the control API reports.
#[derive(Debug, Default)]
pub struct GatewayStats {
    pub identifies: AtomicU64,
    pub resumes: AtomicU64,
    pub connections: AtomicU64,
    /// IDENTIFYs answered with op 9 because their bucket's window was not over.
    pub identifies_too_early: AtomicU64,
    /// IDENTIFYs answered with op 9 because no session starts were left.
    pub identifies_over_daily_limit: AtomicU64,
}

/// Every gateway session of the sim, and the switches tests flip.
#[derive(Debug)]
pub struct GatewayHub {
    pub config: GatewayConfig,
    sessions: Mutex<HashMap<String, Arc<Session>>>,
    next_connection_id: AtomicU64,
    pub stats: GatewayStats,
    /// When set, heartbeats get no ACK (a zombied connection, from the client's side).
    pub(crate) heartbeat_acks_paused: AtomicBool,
    /// Added before every frame the gateway writes.
    pub(crate) latency_ms: AtomicU64,
    bot_user_id: u64,
    identify_limits: Mutex<IdentifyLimits>,
    /// Every valid Presence Update (op 3) received, in order.
    presences: Mutex<Vec<PresenceUpdate>>,
}

/// A Presence Update (op 3) a client sent on one of its sessions, as Discord accepted it.
#[derive(Debug, Clone, PartialEq)]
pub struct PresenceUpdate {
    pub shard_id: u32,
    pub session_id: String,
    /// `online`, `dnd`, `idle`, `invisible` or `offline`.
    pub status: String,
    /// The first activity, if any: its type (0 playing, 1 streaming, 2 listening,
    /// 3 watching, 4 custom, 5 competing), name and state.
    pub activity: Option<PresenceActivity>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresenceActivity {
    pub kind: u8,
    pub name: String,
    pub state: Option<String>,
}

impl PresenceActivity {
    /// What a member sees under the bot's name: the custom status's `state`, else the
    /// name after the type's verb (`Watching 2 servers`).
    pub fn shown(&self) -> String {
        let verb = match self.kind {
            0 => "Playing ",
            1 => "Streaming ",
            2 => "Listening to ",
            3 => "Watching ",
            5 => "Competing in ",
            _ => "",
        };
        match (self.kind, &self.state) {
            (4, Some(state)) => state.clone(),
            _ => format!("{verb}{}", self.name),
        }
    }
}

/// Checks an op 3 payload as Discord does: `since` a number or null, `activities` an
/// array of objects each with a non-empty `name` and a `type` 0–5 (a custom status, 4,
/// carries its text in `state`; streaming, 1, needs a `url`), `status` one of Discord's
/// five, `afk` a boolean. The refusal says what is wrong.
pub fn validate_presence(data: &Value) -> Result<(String, Option<PresenceActivity>), String> {
    if !(data["since"].is_null() || data["since"].is_u64()) {
        return Err("`since` must be a Unix time in milliseconds or null".into());
    }
    if !data["afk"].is_boolean() {
        return Err("`afk` must be a boolean".into());
    }
    let status = data["status"].as_str().unwrap_or_default();
    if !["online", "dnd", "idle", "invisible", "offline"].contains(&status) {
        return Err(format!("`status` {status:?} is not one of Discord's"));
    }
    let Some(activities) = data["activities"].as_array() else {
        return Err("`activities` must be an array".into());
    };
    let mut first = None;
    for activity in activities {
        let name = activity["name"].as_str().unwrap_or_default();
        if name.is_empty() {
            return Err("an activity needs a `name`".into());
        }
        let kind = match activity["type"].as_u64() {
            Some(kind) if kind <= 5 => kind as u8,
            other => return Err(format!("activity type {other:?} is not 0 to 5")),
        };
        if kind == 1 && !activity["url"].is_string() {
            return Err("a streaming activity needs a `url`".into());
        }
        let state = activity["state"].as_str().map(str::to_owned);
        if kind == 4 && state.as_deref().is_none_or(str::is_empty) {
            return Err("a custom status carries its text in `state`".into());
        }
        first.get_or_insert(PresenceActivity {
            kind,
            name: name.to_owned(),
            state,
        });
    }
    Ok((status.to_owned(), first))
}

/// A day, after which the session starts are counted anew.
const SESSION_START_PERIOD: Duration = Duration::from_secs(24 * 60 * 60);

impl GatewayHub {
    pub fn new(config: GatewayConfig, bot_user_id: u64) -> Self {
        Self {
            sessions: Mutex::new(HashMap::new()),
            next_connection_id: AtomicU64::new(1),
            stats: GatewayStats::default(),
            heartbeat_acks_paused: AtomicBool::new(false),
            latency_ms: AtomicU64::new(0),
            bot_user_id,
            identify_limits: Mutex::new(IdentifyLimits {
                last_per_bucket: HashMap::new(),
                remaining: config.session_start_total,
                resets_at: Instant::now() + SESSION_START_PERIOD,
            }),
            presences: Mutex::new(Vec::new()),
            config,
        }
    }

    /// Every Presence Update received so far, in order.
    pub fn presence_updates(&self) -> Vec<PresenceUpdate> {
        self.presences.lock().clone()
    }

    pub(crate) fn record_presence(&self, update: PresenceUpdate) {
        self.presences.lock().push(update);
    }

    /// Counts an IDENTIFY of `shard_id` against the bucket and daily limits, or says why
    /// Discord would answer it with op 9.
    pub(crate) fn admit_identify(&self, shard_id: u32) -> Result<(), IdentifyRefusal> {
        let now = Instant::now();
        let mut limits = self.identify_limits.lock();
        if now >= limits.resets_at {
            limits.remaining = self.config.session_start_total;
            limits.resets_at = now + SESSION_START_PERIOD;
        }
        if limits.remaining == 0 {
            self.stats
                .identifies_over_daily_limit
                .fetch_add(1, Ordering::Relaxed);
            return Err(IdentifyRefusal::NoSessionStarts);
        }
        let bucket = shard_id % self.config.max_concurrency.max(1);
        if let Some(last) = limits.last_per_bucket.get(&bucket) {
            if now.duration_since(*last) < self.config.identify_window {
                self.stats
                    .identifies_too_early
                    .fetch_add(1, Ordering::Relaxed);
                return Err(IdentifyRefusal::TooEarly);
            }
        }
        limits.last_per_bucket.insert(bucket, now);
        limits.remaining -= 1;
        Ok(())
    }

    /// `session_start_limit` of `GET /gateway/bot`: (total, remaining, reset_after in ms).
    pub fn session_start_limit(&self) -> (u32, u32, u64) {
        let limits = self.identify_limits.lock();
        let reset_after = limits
            .resets_at
            .saturating_duration_since(Instant::now())
            .as_millis() as u64;
        (
            self.config.session_start_total,
            limits.remaining,
            reset_after,
        )
    }

    pub(crate) fn new_connection_id(&self) -> u64 {
        self.next_connection_id.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn create_session(
        &self,
        id: String,
        shard_id: u32,
        shard_count: u32,
        intents: u64,
    ) -> Arc<Session> {
        let session = Arc::new(Session {
            id: id.clone(),
            shard_id,
            shard_count,
            intents,
            inner: Mutex::new(SessionInner::default()),
        });
        self.sessions.lock().insert(id, session.clone());
        session
    }

    pub fn session(&self, id: &str) -> Option<Arc<Session>> {
        self.sessions.lock().get(id).cloned()
    }

    /// Every session, connected or not.
    pub fn sessions(&self) -> Vec<Arc<Session>> {
        let mut sessions: Vec<_> = self.sessions.lock().values().cloned().collect();
        sessions.sort_by_key(|s| (s.shard_id, s.id.clone()));
        sessions
    }

    /// Sessions with a live connection serving this shard.
    pub fn connected_sessions(&self, shard_id: Option<u32>) -> Vec<Arc<Session>> {
        self.sessions()
            .into_iter()
            .filter(|s| s.is_connected() && shard_id.is_none_or(|id| s.shard_id == id))
            .collect()
    }

    /// Sends a world event to every session that serves its guild and has its intent.
    pub fn dispatch(&self, event: &Event) {
        let sessions: Vec<Arc<Session>> = self.sessions.lock().values().cloned().collect();
        let mut full: Option<String> = None;
        let mut stripped: Option<String> = None;
        for session in sessions {
            if !session.serves_guild(event.guild_id) {
                continue;
            }
            if event.intent != intents::ALWAYS && session.intents & event.intent == 0 {
                continue;
            }
            let data = if self.needs_content_stripped(&session, event) {
                stripped.get_or_insert_with(|| strip_message_content(&event.data).to_string())
            } else {
                full.get_or_insert_with(|| event.data.to_string())
            };
            self.send_dispatch(&session, event.name, data);
        }
    }

    fn needs_content_stripped(&self, session: &Session, event: &Event) -> bool {
        if session.intents & intents::MESSAGE_CONTENT != 0 || event.guild_id.is_none() {
            return false;
        }
        if event.name != "MESSAGE_CREATE" && event.name != "MESSAGE_UPDATE" {
            return false;
        }
        let bot = self.bot_user_id.to_string();
        let authored_by_bot = event.data["author"]["id"].as_str() == Some(bot.as_str());
        let mentions_bot = event.data["mentions"]
            .as_array()
            .is_some_and(|m| m.iter().any(|u| u["id"].as_str() == Some(bot.as_str())));
        !(authored_by_bot || mentions_bot)
    }

    /// Assigns the next sequence number, keeps the frame for RESUME and queues it on the
    /// live connection, if any. Returns the sequence number.
    pub(crate) fn send_dispatch(&self, session: &Session, name: &str, data: &str) -> u64 {
        let mut inner = session.inner.lock();
        inner.seq += 1;
        let seq = inner.seq;
        let json: Arc<str> = format!(r#"{{"op":0,"s":{seq},"t":"{name}","d":{data}}}"#).into();
        inner.replay.push_back((seq, json.clone()));
        while inner.replay.len() > self.config.replay_capacity {
            inner.replay.pop_front();
        }
        if let Some(connection) = &inner.connection {
            connection.send(Outbound::Frame {
                json,
                seq: Some(seq),
            });
        }
        seq
    }

    /// Attaches a fresh connection to a session (after IDENTIFY), replacing any other.
    pub(crate) fn attach(&self, session: &Session, connection: ConnectionHandle) {
        let mut inner = session.inner.lock();
        if let Some(old) = inner.connection.replace(connection) {
            old.send(Outbound::Close {
                code: close_code::UNKNOWN_ERROR,
                reason: "Session taken over".into(),
            });
        }
    }

    /// Resumes a session on a new connection: queues every dispatch after `seq`, then
    /// RESUMED. Fails when the session is unknown, invalidated, or `seq` is older than
    /// the replay buffer.
    pub(crate) fn resume(
        &self,
        session_id: &str,
        seq: u64,
        connection: ConnectionHandle,
    ) -> Result<Arc<Session>, ()> {
        let session = self.session(session_id).ok_or(())?;
        {
            let mut inner = session.inner.lock();
            if inner.invalidated || seq > inner.seq {
                return Err(());
            }
            let oldest_kept = inner
                .replay
                .front()
                .map(|(s, _)| *s)
                .unwrap_or(inner.seq + 1);
            if seq + 1 < oldest_kept {
                return Err(());
            }
            for (frame_seq, json) in inner.replay.iter().filter(|(s, _)| *s > seq) {
                connection.send(Outbound::Frame {
                    json: json.clone(),
                    seq: Some(*frame_seq),
                });
            }
            if let Some(old) = inner.connection.replace(connection) {
                old.send(Outbound::Close {
                    code: close_code::UNKNOWN_ERROR,
                    reason: "Session resumed elsewhere".into(),
                });
            }
        }
        self.send_dispatch(&session, "RESUMED", "{}");
        self.stats.resumes.fetch_add(1, Ordering::Relaxed);
        Ok(session)
    }

    /// Forgets the live connection (it ended); the session stays resumable.
    pub(crate) fn detach(&self, session: &Session, connection_id: u64) {
        let mut inner = session.inner.lock();
        if inner
            .connection
            .as_ref()
            .is_some_and(|c| c.id == connection_id)
        {
            inner.connection = None;
        }
    }

    /// Makes a session impossible to resume.
    pub fn invalidate(&self, session_id: &str) {
        if let Some(session) = self.sessions.lock().remove(session_id) {
            session.inner.lock().invalidated = true;
        }
    }

    fn connections_of(&self, shard_id: Option<u32>) -> Vec<(Arc<Session>, ConnectionHandle)> {
        self.sessions()
            .into_iter()
            .filter(|s| shard_id.is_none_or(|id| s.shard_id == id))
            .filter_map(|s| {
                let connection = s.inner.lock().connection.clone();
                connection.map(|c| (s, c))
            })
            .collect()
    }

    /// Fault: drop the connection(s) of a shard (all shards when `None`), with a close
    /// frame when `code` is given, else like a broken TCP connection. Returns how many.
    pub fn drop_connections(&self, shard_id: Option<u32>, code: Option<u16>) -> usize {
        let connections = self.connections_of(shard_id);
        for (_, connection) in &connections {
            connection.send(match code {
                Some(code) => Outbound::Close {
                    code,
                    reason: "Dropped by the sim".into(),
                },
                None => Outbound::Drop,
            });
        }
        connections.len()
    }

    /// Fault: send RECONNECT (op 7). Returns how many connections got it.
    pub fn send_reconnect(&self, shard_id: Option<u32>) -> usize {
        let connections = self.connections_of(shard_id);
        for (_, connection) in &connections {
            connection.send(Outbound::Frame {
                json: r#"{"op":7,"d":null,"s":null,"t":null}"#.into(),
                seq: None,
            });
        }
        connections.len()
    }

    /// Fault: send INVALID_SESSION (op 9). When not resumable the session is forgotten.
    pub fn send_invalid_session(&self, shard_id: Option<u32>, resumable: bool) -> usize {
        let connections = self.connections_of(shard_id);
        for (session, connection) in &connections {
            if !resumable {
                self.invalidate(&session.id);
            }
            connection.send(Outbound::Frame {
                json: format!(r#"{{"op":9,"d":{resumable},"s":null,"t":null}}"#).into(),
                seq: None,
            });
        }
        connections.len()
    }

    /// Fault: stop (or resume) acknowledging heartbeats.
    pub fn pause_heartbeat_acks(&self, paused: bool) {
        self.heartbeat_acks_paused.store(paused, Ordering::Relaxed);
    }

    /// Fault: add latency before every frame the gateway writes.
    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms
            .store(latency.as_millis() as u64, Ordering::Relaxed);
    }
}

/// Empties content, embeds, attachments and components, as Discord does for sessions
/// without the MESSAGE_CONTENT intent.
fn strip_message_content(data: &Value) -> Value {
    let mut data = data.clone();
    data["content"] = Value::String(String::new());
    for key in ["embeds", "attachments", "components"] {
        if data.get(key).is_some() {
            data[key] = Value::Array(Vec::new());
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn presence(activities: Value) -> Value {
        json!({"since": null, "activities": activities, "status": "online", "afk": false})
    }

    #[test]
    fn presence_updates_are_checked_as_discord_checks_them() {
        let (status, activity) =
            validate_presence(&presence(json!([{"name": "2 servers", "type": 3}]))).unwrap();
        assert_eq!(status, "online");
        assert_eq!(activity.unwrap().shown(), "Watching 2 servers");
        let custom = json!([{"name": "Custom Status", "type": 4, "state": "Helping 2 servers"}]);
        let (_, activity) = validate_presence(&presence(custom)).unwrap();
        assert_eq!(activity.unwrap().shown(), "Helping 2 servers");
        assert!(validate_presence(&presence(json!([]))).unwrap().1.is_none());
        for bad in [
            presence(json!([{"name": "x", "type": 9}])),
            presence(json!([{"type": 0}])),
            presence(json!([{"name": "", "type": 0}])),
            presence(json!([{"name": "Custom Status", "type": 4}])),
            presence(json!([{"name": "live", "type": 1}])),
            json!({"since": null, "activities": [], "status": "busy", "afk": false}),
            json!({"since": null, "activities": [], "status": "online"}),
        ] {
            assert!(validate_presence(&bad).is_err(), "{bad}");
        }
    }
}
