//! One gateway WebSocket connection: HELLO, IDENTIFY or RESUME, heartbeats, the send
//! limit, and writing queued frames (compressed as the client asked).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::stream::SplitSink;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

use super::compress::{Compression, EncodedFrame, GatewayEncoder};
use super::{close_code, op, ConnectionHandle, Outbound, Session};
use crate::world::intents;
use crate::SimState;

/// What to do after handling one payload from the client.
enum Next {
    Continue,
    Close(u16, &'static str),
    /// Answer with op 9 (Invalid Session, not resumable) and keep the connection.
    InvalidSession,
}

struct Connection {
    state: Arc<SimState>,
    handle: ConnectionHandle,
    sink: SplitSink<WebSocket, Message>,
    encoder: GatewayEncoder,
    session: Option<Arc<Session>>,
    last_heartbeat: Instant,
    /// When each of the recent client payloads arrived (for the 120 per 60 s limit).
    recent_payloads: VecDeque<Instant>,
}

/// Serves one accepted WebSocket until it closes. `version` and `encoding` are the
/// query parameters the client connected with.
pub async fn serve_connection(
    state: Arc<SimState>,
    socket: WebSocket,
    compression: Result<Compression, String>,
    version: Option<String>,
    encoding: Option<String>,
) {
    let hub = &state.gateway;
    hub.stats.connections.fetch_add(1, Ordering::Relaxed);
    let (sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let handle = ConnectionHandle {
        id: hub.new_connection_id(),
        tx,
        pending: Arc::new(AtomicUsize::new(0)),
        written_seq: Arc::new(AtomicU64::new(0)),
        progress: Arc::new(Notify::new()),
    };
    let mut connection = Connection {
        state: state.clone(),
        handle,
        sink,
        encoder: GatewayEncoder::new(*compression.as_ref().unwrap_or(&Compression::None)),
        session: None,
        last_heartbeat: Instant::now(),
        recent_payloads: VecDeque::new(),
    };

    if version.as_deref() != Some("10") {
        connection
            .close(close_code::INVALID_API_VERSION, "Invalid API version")
            .await;
        return;
    }
    if encoding.as_deref().is_some_and(|e| e != "json") {
        connection
            .close(close_code::DECODE_ERROR, "Only encoding=json is served")
            .await;
        return;
    }
    if let Err(unknown) = compression {
        tracing::debug!(%unknown, "unknown gateway compression");
        connection
            .close(close_code::DECODE_ERROR, "Unknown compression")
            .await;
        return;
    }

    let hello = json!({
        "op": op::HELLO,
        "d": {"heartbeat_interval": hub.config.heartbeat_interval.as_millis() as u64, "_trace": ["agora-sim"]},
        "s": null,
        "t": null,
    });
    if connection.write(&hello.to_string(), None).await.is_err() {
        return;
    }

    loop {
        let deadline = connection.last_heartbeat + hub.config.heartbeat_timeout;
        tokio::select! {
            inbound = stream.next() => {
                let text = match inbound {
                    Some(Ok(Message::Text(text))) => text.to_string(),
                    Some(Ok(Message::Binary(_))) => {
                        connection.close(close_code::DECODE_ERROR, "Binary payloads are not accepted").await;
                        break;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(frame))) => {
                        // Complete the closing handshake, as Discord does.
                        let _ = connection.sink.send(Message::Close(frame)).await;
                        let _ = connection.sink.close().await;
                        break;
                    }
                    Some(Err(_)) | None => break,
                };
                match connection.handle_payload(&text).await {
                    Next::Continue | Next::InvalidSession => {}
                    Next::Close(code, reason) => {
                        connection.close(code, reason).await;
                        break;
                    }
                }
            }
            outbound = rx.recv() => {
                let Some(outbound) = outbound else { break };
                match outbound {
                    Outbound::Frame { json, seq } => {
                        let written = connection.write(&json, seq).await;
                        connection.handle.pending.fetch_sub(1, Ordering::Relaxed);
                        connection.handle.progress.notify_waiters();
                        if written.is_err() {
                            break;
                        }
                    }
                    Outbound::Close { code, reason } => {
                        connection.close_owned(code, reason).await;
                        break;
                    }
                    Outbound::Drop => break,
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                connection.close(close_code::SESSION_TIMED_OUT, "Session timed out").await;
                break;
            }
        }
    }

    if let Some(session) = &connection.session {
        hub.detach(session, connection.handle.id);
    }
    // Whatever is still queued will never be written; release waiting floods.
    connection.handle.pending.store(0, Ordering::Relaxed);
    connection.handle.progress.notify_waiters();
}

impl Connection {
    async fn write(&mut self, json: &str, seq: Option<u64>) -> Result<(), axum::Error> {
        let latency = self.state.gateway.latency_ms.load(Ordering::Relaxed);
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        let message = match self.encoder.encode(json) {
            EncodedFrame::Text(text) => Message::Text(text.into()),
            EncodedFrame::Binary(bytes) => Message::Binary(bytes.into()),
        };
        self.sink.send(message).await?;
        if let Some(seq) = seq {
            self.handle.written_seq.store(seq, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn close(&mut self, code: u16, reason: &str) {
        self.close_owned(code, reason.to_string()).await;
    }

    async fn close_owned(&mut self, code: u16, reason: String) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = self.sink.send(Message::Close(Some(frame))).await;
        let _ = self.sink.close().await;
    }

    async fn handle_payload(&mut self, text: &str) -> Next {
        let now = Instant::now();
        let config = &self.state.gateway.config;
        while self
            .recent_payloads
            .front()
            .is_some_and(|t| now.duration_since(*t) >= config.send_window)
        {
            self.recent_payloads.pop_front();
        }
        self.recent_payloads.push_back(now);
        if self.recent_payloads.len() > config.send_limit as usize {
            return Next::Close(close_code::RATE_LIMITED, "You are being rate limited.");
        }

        let Ok(payload) = serde_json::from_str::<Value>(text) else {
            return Next::Close(close_code::DECODE_ERROR, "Error while decoding payload.");
        };
        let Some(opcode) = payload["op"].as_u64() else {
            return Next::Close(close_code::DECODE_ERROR, "Error while decoding payload.");
        };
        let data = &payload["d"];
        match opcode as u8 {
            op::HEARTBEAT => {
                self.last_heartbeat = now;
                if !self
                    .state
                    .gateway
                    .heartbeat_acks_paused
                    .load(Ordering::Relaxed)
                {
                    let ack = r#"{"op":11,"d":null,"s":null,"t":null}"#;
                    if self.write(ack, None).await.is_err() {
                        return Next::Close(close_code::UNKNOWN_ERROR, "write failed");
                    }
                }
                Next::Continue
            }
            op::IDENTIFY => match self.identify(data) {
                // Discord answers an IDENTIFY over its limits with op 9, not a close.
                Next::InvalidSession => {
                    let invalid = r#"{"op":9,"d":false,"s":null,"t":null}"#;
                    if self.write(invalid, None).await.is_err() {
                        return Next::Close(close_code::UNKNOWN_ERROR, "write failed");
                    }
                    Next::Continue
                }
                next => next,
            },
            op::RESUME => self.resume(data).await,
            _ if self.session.is_none() => {
                Next::Close(close_code::NOT_AUTHENTICATED, "Not authenticated.")
            }
            op::PRESENCE_UPDATE => self.presence_update(data),
            op::VOICE_STATE_UPDATE => Next::Continue,
            op::REQUEST_GUILD_MEMBERS => {
                self.request_guild_members(data);
                Next::Continue
            }
            _ => Next::Close(close_code::UNKNOWN_OPCODE, "Unknown opcode."),
        }
    }

    /// Op 3: checked as Discord checks it (a bad one closes with 4002, as Discord's
    /// decode error does) and recorded for tests.
    fn presence_update(&self, data: &Value) -> Next {
        let Some(session) = &self.session else {
            return Next::Close(close_code::NOT_AUTHENTICATED, "Not authenticated.");
        };
        match super::validate_presence(data) {
            Ok((status, activity)) => {
                self.state.gateway.record_presence(super::PresenceUpdate {
                    shard_id: session.shard_id,
                    session_id: session.id.clone(),
                    status,
                    activity,
                });
                Next::Continue
            }
            Err(problem) => {
                tracing::warn!(shard_id = session.shard_id, %problem, "presence update refused");
                Next::Close(close_code::DECODE_ERROR, "Error while decoding payload.")
            }
        }
    }

    fn token_matches(&self, token: Option<&str>) -> bool {
        let Some(token) = token else { return false };
        let token = token.strip_prefix("Bot ").unwrap_or(token);
        token == self.state.token
    }

    fn identify(&mut self, data: &Value) -> Next {
        if self.session.is_some() {
            return Next::Close(close_code::ALREADY_AUTHENTICATED, "Already authenticated.");
        }
        if !data.is_object() || !data["properties"].is_object() {
            return Next::Close(close_code::DECODE_ERROR, "Error while decoding payload.");
        }
        if !self.token_matches(data["token"].as_str()) {
            return Next::Close(close_code::AUTHENTICATION_FAILED, "Authentication failed.");
        }
        let Some(requested_intents) = data["intents"].as_u64() else {
            return Next::Close(close_code::INVALID_INTENTS, "Invalid intent(s).");
        };
        if requested_intents >= 1 << 26 {
            return Next::Close(close_code::INVALID_INTENTS, "Invalid intent(s).");
        }
        let hub = &self.state.gateway;
        if requested_intents & intents::PRIVILEGED != 0 && !hub.config.privileged_intents_allowed {
            return Next::Close(close_code::DISALLOWED_INTENTS, "Disallowed intent(s).");
        }
        let (shard_id, shard_count) = match &data["shard"] {
            Value::Null => (0, 1),
            Value::Array(pair) if pair.len() == 2 => match (pair[0].as_u64(), pair[1].as_u64()) {
                (Some(id), Some(count)) if count >= 1 && id < count => (id as u32, count as u32),
                _ => return Next::Close(close_code::INVALID_SHARD, "Invalid shard."),
            },
            _ => return Next::Close(close_code::INVALID_SHARD, "Invalid shard."),
        };
        if let Err(refusal) = hub.admit_identify(shard_id) {
            tracing::info!(shard_id, ?refusal, "IDENTIFY refused with op 9");
            return Next::InvalidSession;
        }

        // Under the world lock, so READY and GUILD_CREATE are a consistent snapshot and
        // no event slips in before them.
        let world = self.state.world.lock();
        let session_id = crate::random_hex(16);
        let session =
            hub.create_session(session_id.clone(), shard_id, shard_count, requested_intents);
        let served_guilds: Vec<u64> = world
            .guilds
            .keys()
            .copied()
            .filter(|id| session.serves_guild(Some(*id)))
            .collect();
        let bot = world
            .users
            .get(&world.bot_user_id)
            .map(|u| {
                let mut user = u.to_json();
                user["mfa_enabled"] = json!(false);
                user["verified"] = json!(true);
                user["email"] = Value::Null;
                user
            })
            .unwrap_or(Value::Null);
        let application_flags: u64 = if hub.config.privileged_intents_allowed {
            (1 << 12) | (1 << 14) | (1 << 18)
        } else {
            0
        };
        let ready = json!({
            "v": 10,
            "user": bot,
            "guilds": served_guilds.iter().map(|id| json!({"id": id.to_string(), "unavailable": true})).collect::<Vec<_>>(),
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": self.state.gateway_url.clone(),
            "shard": [shard_id, shard_count],
            "application": {"id": world.application_id.to_string(), "flags": application_flags},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "user_settings": {},
            "auth": {},
            "geo_ordered_rtc_regions": ["local"],
            "guild_join_requests": [],
            "_trace": ["agora-sim"],
        });
        hub.attach(&session, self.handle.clone());
        hub.send_dispatch(&session, "READY", &ready.to_string());
        for guild_id in served_guilds {
            if let Some(guild) = world.guild_create_json(guild_id, requested_intents) {
                hub.send_dispatch(&session, "GUILD_CREATE", &guild.to_string());
            }
        }
        drop(world);
        hub.stats.identifies.fetch_add(1, Ordering::Relaxed);
        self.session = Some(session);
        Next::Continue
    }

    async fn resume(&mut self, data: &Value) -> Next {
        if self.session.is_some() {
            return Next::Close(close_code::ALREADY_AUTHENTICATED, "Already authenticated.");
        }
        if !self.token_matches(data["token"].as_str()) {
            return Next::Close(close_code::AUTHENTICATION_FAILED, "Authentication failed.");
        }
        let (Some(session_id), Some(seq)) = (data["session_id"].as_str(), data["seq"].as_u64())
        else {
            return Next::Close(close_code::DECODE_ERROR, "Error while decoding payload.");
        };
        match self
            .state
            .gateway
            .resume(session_id, seq, self.handle.clone())
        {
            Ok(session) => {
                self.session = Some(session);
                Next::Continue
            }
            Err(()) => {
                let invalid = r#"{"op":9,"d":false,"s":null,"t":null}"#;
                if self.write(invalid, None).await.is_err() {
                    return Next::Close(close_code::UNKNOWN_ERROR, "write failed");
                }
                Next::Continue
            }
        }
    }

    fn request_guild_members(&mut self, data: &Value) {
        let Some(session) = self.session.clone() else {
            return;
        };
        let Some(guild_id) = data["guild_id"]
            .as_str()
            .and_then(|id| id.parse::<u64>().ok())
        else {
            return;
        };
        let query = data["query"].as_str().unwrap_or("").to_lowercase();
        let limit = data["limit"].as_u64().unwrap_or(0) as usize;
        let wanted: Option<Vec<u64>> = data["user_ids"].as_array().map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().and_then(|s| s.parse().ok()))
                .collect()
        });
        let world = self.state.world.lock();
        let Some(guild) = world.guilds.get(&guild_id) else {
            return;
        };
        let mut members: Vec<Value> = guild
            .members
            .keys()
            .filter(|id| wanted.as_ref().is_none_or(|w| w.contains(id)))
            .filter(|id| {
                query.is_empty()
                    || world
                        .users
                        .get(id)
                        .is_some_and(|u| u.username.to_lowercase().starts_with(&query))
            })
            .filter_map(|id| world.member_json(guild_id, *id))
            .collect();
        if limit > 0 {
            members.truncate(limit);
        }
        let mut chunk = json!({
            "guild_id": guild_id.to_string(),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
        });
        if let Some(nonce) = data.get("nonce") {
            chunk["nonce"] = nonce.clone();
        }
        self.state
            .gateway
            .send_dispatch(&session, "GUILD_MEMBERS_CHUNK", &chunk.to_string());
    }
}
