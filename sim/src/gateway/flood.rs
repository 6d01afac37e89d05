//! Load: a flood of synthetic gateway events (messages from rotating members across
//! channels, joins, reactions, voice moves) sent as fast as the sockets take them or at a
//! set rate, for benchmarks of whatever is connected.
//!
//! Flooded events are not stored in the world (a 100,000-message flood would otherwise
//! fill it); they are dispatched, kept for RESUME like any other, and counted.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::snowflake::iso_timestamp_of;
use crate::world::{channel_kind, intents, Event};
use crate::SimState;

/// Queued-but-unwritten frames per connection above which the flood waits.
const MAX_PENDING_PER_CONNECTION: usize = 2_048;

#[derive(Debug, Clone, Deserialize)]
pub struct FloodRequest {
    /// MESSAGE_CREATE, GUILD_MEMBER_ADD, MESSAGE_REACTION_ADD or VOICE_STATE_UPDATE.
    pub event: String,
    pub count: u64,
    /// Events per second; `None` for as fast as the sockets allow.
    #[serde(default)]
    pub rate_per_s: Option<f64>,
    /// The guild the events belong to; the first guild when omitted.
    #[serde(default, deserialize_with = "crate::control::opt_id")]
    pub guild_id: Option<u64>,
    /// Simulated milliseconds between messages: MESSAGE_CREATE ids (and so timestamps)
    /// run from now (or a second after the previous paced flood's last message, if later)
    /// at this pace, as if people chatted that slowly, while the events are still written
    /// as fast as `rate_per_s` says. `None`: each id is the moment it is made.
    #[serde(default)]
    pub spacing_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FloodReport {
    pub event: String,
    pub sent: u64,
    /// From the first event queued to the last written to every connected shard.
    pub seconds: f64,
    pub events_per_second: f64,
    /// How many connections received the flood.
    pub connections: usize,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// MESSAGE_CREATE: how many messages went to each channel (channel id → count).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub per_channel: std::collections::BTreeMap<u64, u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum FloodError {
    #[error("unknown flood event {0:?}: use MESSAGE_CREATE, GUILD_MEMBER_ADD, MESSAGE_REACTION_ADD or VOICE_STATE_UPDATE")]
    UnknownEvent(String),
    #[error("unknown guild")]
    UnknownGuild,
    #[error("the guild has no {0} to make events from")]
    NothingToUse(&'static str),
}

/// What the generator rotates through.
struct FloodMaterial {
    guild_id: u64,
    members: Vec<Value>,
    member_ids: Vec<u64>,
    text_channels: Vec<u64>,
    voice_channels: Vec<u64>,
    target_message: Option<(u64, u64)>,
    /// From when and how many milliseconds apart the messages' ids run (`spacing_ms`).
    spacing: Option<(u64, f64)>,
}

pub async fn flood(
    state: &Arc<SimState>,
    request: FloodRequest,
) -> Result<FloodReport, FloodError> {
    let mut material = gather_material(state, request.guild_id)?;
    // Paced floods follow each other in the guild's time: the next one starts a second
    // after the previous one's last message (or now, if later), never overlapping it; a
    // member's messages would otherwise run backwards in time, which Discord never sends.
    material.spacing = request.spacing_ms.filter(|ms| *ms > 0.0).map(|ms| {
        let span = (request.count as f64 * ms) as u64;
        let mut start = crate::snowflake::now_unix_ms();
        let _ = state.paced_until_ms.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |until| {
                start = start.max(until + 1_000);
                Some(start + span)
            },
        );
        (start, ms)
    });
    let kind = request.event.as_str();
    let intent = match kind {
        "MESSAGE_CREATE" => intents::GUILD_MESSAGES,
        "GUILD_MEMBER_ADD" => intents::GUILD_MEMBERS,
        "MESSAGE_REACTION_ADD" => intents::GUILD_MESSAGE_REACTIONS,
        "VOICE_STATE_UPDATE" => intents::GUILD_VOICE_STATES,
        other => return Err(FloodError::UnknownEvent(other.to_string())),
    };
    let name: &'static str = match kind {
        "MESSAGE_CREATE" => "MESSAGE_CREATE",
        "GUILD_MEMBER_ADD" => "GUILD_MEMBER_ADD",
        "MESSAGE_REACTION_ADD" => "MESSAGE_REACTION_ADD",
        _ => "VOICE_STATE_UPDATE",
    };
    if kind == "MESSAGE_CREATE" && material.text_channels.is_empty() {
        return Err(FloodError::NothingToUse("text channels"));
    }
    if kind == "VOICE_STATE_UPDATE" && material.voice_channels.is_empty() {
        return Err(FloodError::NothingToUse("voice channels"));
    }
    if material.member_ids.is_empty() {
        return Err(FloodError::NothingToUse("members"));
    }

    let hub = &state.gateway;
    let targets: Vec<_> = hub
        .sessions()
        .into_iter()
        .filter(|s| s.serves_guild(Some(material.guild_id)) && s.intents & intent != 0)
        .filter_map(|s| {
            let connection = s.inner.lock().connection.clone();
            connection.map(|c| (s, c))
        })
        .collect();

    let started = Instant::now();
    let interval = request
        .rate_per_s
        .filter(|r| *r > 0.0)
        .map(|r| Duration::from_secs_f64(1.0 / r));
    let mut first_seq = None;
    let mut last_seq = None;
    let mut per_channel = std::collections::BTreeMap::new();
    if name == "MESSAGE_CREATE" {
        for n in 0..request.count {
            let channel = material.text_channels[(n as usize) % material.text_channels.len()];
            *per_channel.entry(channel).or_insert(0) += 1;
        }
    }
    for n in 0..request.count {
        if let Some(interval) = interval {
            let due = started + interval.mul_f64(n as f64);
            tokio::time::sleep_until(due.into()).await;
        }
        for (_, connection) in &targets {
            while connection.pending.load(Ordering::Relaxed) > MAX_PENDING_PER_CONNECTION
                && !connection.tx.is_closed()
            {
                let progressed = connection.progress.notified();
                if connection.pending.load(Ordering::Relaxed) <= MAX_PENDING_PER_CONNECTION {
                    break;
                }
                let _ = tokio::time::timeout(Duration::from_millis(50), progressed).await;
            }
        }
        let event = make_event(state, &material, name, intent, n);
        let data = event.data.to_string();
        for (session, _) in &targets {
            let seq = hub.send_dispatch(session, name, &data);
            first_seq.get_or_insert(seq);
            last_seq = Some(seq);
        }
    }
    // Done when every target has written its last frame (or its connection ended).
    for (session, connection) in &targets {
        let last = session.last_seq();
        loop {
            let progressed = connection.progress.notified();
            if connection.written_seq.load(Ordering::Relaxed) >= last
                || connection.pending.load(Ordering::Relaxed) == 0 && connection.tx.is_closed()
            {
                break;
            }
            let _ = tokio::time::timeout(Duration::from_millis(50), progressed).await;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(FloodReport {
        event: name.to_string(),
        sent: request.count,
        seconds,
        events_per_second: if seconds > 0.0 {
            request.count as f64 / seconds
        } else {
            0.0
        },
        connections: targets.len(),
        first_seq,
        last_seq,
        per_channel,
    })
}

fn gather_material(state: &SimState, guild_id: Option<u64>) -> Result<FloodMaterial, FloodError> {
    let world = state.world.lock();
    let guild_id = match guild_id {
        Some(id) => id,
        None => *world.guilds.keys().next().ok_or(FloodError::UnknownGuild)?,
    };
    let guild = world
        .guilds
        .get(&guild_id)
        .ok_or(FloodError::UnknownGuild)?;
    let member_ids: Vec<u64> = guild
        .members
        .keys()
        .copied()
        .filter(|id| *id != world.bot_user_id)
        .collect();
    let members = member_ids
        .iter()
        .filter_map(|id| world.member_json(guild_id, *id))
        .collect();
    let channels = world.guild_channels(guild_id);
    let text_channels: Vec<u64> = channels
        .iter()
        .filter(|c| c.kind == channel_kind::GUILD_TEXT)
        .map(|c| c.id)
        .collect();
    let voice_channels = channels
        .iter()
        .filter(|c| c.kind == channel_kind::GUILD_VOICE)
        .map(|c| c.id)
        .collect();
    let target_message = text_channels.iter().find_map(|channel_id| {
        world
            .messages
            .get(channel_id)
            .and_then(|m| m.keys().next_back())
            .map(|message_id| (*channel_id, *message_id))
    });
    Ok(FloodMaterial {
        guild_id,
        members,
        member_ids,
        text_channels,
        voice_channels,
        target_message,
        spacing: None,
    })
}

fn make_event(
    state: &SimState,
    material: &FloodMaterial,
    name: &'static str,
    intent: u64,
    n: u64,
) -> Event {
    let who = (n as usize) % material.member_ids.len();
    let member = &material.members[who];
    let user = member["user"].clone();
    let user_id = material.member_ids[who];
    let guild_id = material.guild_id.to_string();
    let data = match name {
        "MESSAGE_CREATE" => {
            let channel_id = material.text_channels[(n as usize) % material.text_channels.len()];
            // Paced ids use worker 3: apart from the generator's (1) and backdated ids (2).
            let id = match material.spacing {
                Some((start, ms)) => {
                    crate::snowflake::from_unix_ms(start + (n as f64 * ms) as u64)
                        | (3 << 17)
                        | (n & 0xfff)
                }
                None => state.ids.next(),
            };
            let mut member_only = member.clone();
            if let Some(object) = member_only.as_object_mut() {
                object.remove("user");
            }
            json!({
                "id": id.to_string(),
                "channel_id": channel_id.to_string(),
                "guild_id": guild_id,
                "author": user,
                "member": member_only,
                "content": format!("flood message {n}"),
                "timestamp": iso_timestamp_of(id),
                "edited_timestamp": null,
                "tts": false,
                "mention_everyone": false,
                "mentions": [],
                "mention_roles": [],
                "attachments": [],
                "embeds": [],
                "components": [],
                "pinned": false,
                "type": 0,
                "flags": 0,
                "nonce": n.to_string(),
            })
        }
        "GUILD_MEMBER_ADD" => {
            let id = state.ids.next();
            json!({
                "guild_id": guild_id,
                "user": {"id": id.to_string(), "username": format!("flood-{n}"), "discriminator": "0", "global_name": null, "avatar": null},
                "nick": null,
                "roles": [],
                "joined_at": iso_timestamp_of(id),
                "deaf": false,
                "mute": false,
                "flags": 0,
                "pending": false,
            })
        }
        "MESSAGE_REACTION_ADD" => {
            let (channel_id, message_id) = material
                .target_message
                .unwrap_or((material.text_channels.first().copied().unwrap_or(0), 0));
            json!({
                "user_id": user_id.to_string(),
                "channel_id": channel_id.to_string(),
                "message_id": message_id.to_string(),
                "guild_id": guild_id,
                "member": member,
                "emoji": {"id": null, "name": "👍"},
                "burst": false,
                "type": 0,
            })
        }
        _ => {
            let channel_id = material.voice_channels[(n as usize) % material.voice_channels.len()];
            json!({
                "guild_id": guild_id,
                "channel_id": channel_id.to_string(),
                "user_id": user_id.to_string(),
                "member": member,
                "session_id": format!("flood{n}"),
                "deaf": false,
                "mute": false,
                "self_deaf": false,
                "self_mute": false,
                "self_video": false,
                "suppress": false,
                "request_to_speak_timestamp": null,
            })
        }
    };
    Event::new(name, data, Some(material.guild_id), intent)
}
