//! Channel routes: the channel itself, its messages (create, edit, delete, list, bulk
//! delete), reactions, pins, permission overwrites and typing.

use std::sync::Arc;

use serde_json::{json, Value};

use super::messages::{self, Sender, EPHEMERAL};
use super::{find_channel, id_of, require_channel_permissions, Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::permissions as perm;
use crate::world::{channel_kind, intents, EmojiKey, Event, Overwrite, Reaction, World};
use crate::SimState;

pub fn handle(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    let channel_id = call.id("channel_id")?;
    let template = call
        .template
        .strip_prefix("/channels/{channel_id}")
        .unwrap_or("");
    match (call.method.as_str(), template) {
        ("GET", "") => {
            let world = state.world.lock();
            let channel = find_channel(&world, channel_id)?;
            require_channel_permissions(&world, &channel, 0)?;
            Reply::ok(channel.to_json(&world))
        }
        ("PATCH", "") => modify_channel(state, call, channel_id),
        ("DELETE", "") => delete_channel(state, call, channel_id),
        ("GET", "/messages") => list_messages(state, call, channel_id),
        ("POST", "/messages") => create_message(state, call, channel_id),
        ("GET", "/messages/{message_id}") => {
            let world = state.world.lock();
            let channel = find_channel(&world, channel_id)?;
            require_channel_permissions(&world, &channel, perm::READ_MESSAGE_HISTORY)?;
            let message = world
                .message(channel_id, call.id("message_id")?)
                .filter(|m| m.flags & EPHEMERAL == 0)
                .ok_or_else(ApiError::unknown_message)?;
            Reply::ok(message.to_json(&world))
        }
        ("PATCH", "/messages/{message_id}") => edit_message(state, call, channel_id),
        ("DELETE", "/messages/{message_id}") => delete_message(state, call, channel_id),
        ("POST", "/messages/bulk-delete") => bulk_delete(state, call, channel_id),
        ("PUT", "/messages/{message_id}/reactions/{emoji_name}/@me") => {
            react(state, call, channel_id, true)
        }
        ("DELETE", "/messages/{message_id}/reactions/{emoji_name}/@me") => {
            react(state, call, channel_id, false)
        }
        ("DELETE", "/messages/{message_id}/reactions/{emoji_name}/{user_id}") => {
            remove_user_reaction(state, call, channel_id)
        }
        ("GET", "/messages/{message_id}/reactions/{emoji_name}") => {
            list_reactors(state, call, channel_id)
        }
        ("DELETE", "/messages/{message_id}/reactions")
        | ("DELETE", "/messages/{message_id}/reactions/{emoji_name}") => {
            clear_reactions(state, call, channel_id)
        }
        ("GET", "/pins") => list_pins(state, channel_id),
        ("GET", "/messages/pins") => list_channel_pins(state, call, channel_id),
        ("PUT", "/pins/{message_id}") | ("PUT", "/messages/pins/{message_id}") => {
            pin(state, call, channel_id, true)
        }
        ("DELETE", "/pins/{message_id}") | ("DELETE", "/messages/pins/{message_id}") => {
            pin(state, call, channel_id, false)
        }
        ("POST", "/invites") => create_invite(state, call, channel_id),
        ("GET", "/invites") => {
            let world = state.world.lock();
            let channel = find_channel(&world, channel_id)?;
            require_channel_permissions(&world, &channel, perm::MANAGE_CHANNELS)?;
            let guild_id = channel.guild_id.ok_or_else(ApiError::missing_access)?;
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            Reply::ok(Value::Array(
                guild
                    .invites
                    .values()
                    .filter(|i| i.channel_id == channel_id)
                    .map(|i| i.to_json(&world, guild_id))
                    .collect(),
            ))
        }
        ("PUT", "/permissions/{overwrite_id}") => edit_overwrite(state, call, channel_id),
        ("DELETE", "/permissions/{overwrite_id}") => delete_overwrite(state, call, channel_id),
        ("POST", "/typing") => {
            let world = state.world.lock();
            let channel = find_channel(&world, channel_id)?;
            require_channel_permissions(&world, &channel, perm::SEND_MESSAGES)?;
            Reply::no_content()
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn list_messages(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let limit = call.query_u64("limit")?.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid_field(
            &["limit"],
            "NUMBER_TYPE_MAX",
            "int value should be less than or equal to 100.",
        ));
    }
    let limit = limit as usize;
    let world = state.world.lock();
    let channel = find_channel(&world, channel_id)?;
    require_channel_permissions(&world, &channel, perm::READ_MESSAGE_HISTORY)?;
    let Some(all) = world.messages.get(&channel_id) else {
        return Reply::ok(json!([]));
    };
    let visible = all.values().filter(|m| m.flags & EPHEMERAL == 0);
    // Newest first, as Discord returns them.
    let picked: Vec<_> = if let Some(before) = call.query_u64("before")? {
        visible
            .filter(|m| m.id < before)
            .rev()
            .take(limit)
            .collect()
    } else if let Some(after) = call.query_u64("after")? {
        let mut older_first: Vec<_> = visible.filter(|m| m.id > after).take(limit).collect();
        older_first.reverse();
        older_first
    } else if let Some(around) = call.query_u64("around")? {
        let all: Vec<_> = visible.collect();
        let center = all.iter().position(|m| m.id >= around).unwrap_or(all.len());
        let start = center.saturating_sub(limit / 2);
        let end = (start + limit).min(all.len());
        all[start..end].iter().rev().copied().collect()
    } else {
        visible.rev().take(limit).collect()
    };
    Reply::ok(Value::Array(
        picked.into_iter().map(|m| m.to_json(&world)).collect(),
    ))
}

fn create_message(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    state
        .try_mutate(|world, ids| {
            let channel = find_channel(world, channel_id)?;
            if channel.kind == channel_kind::GUILD_CATEGORY {
                return Err(ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    50008,
                    "Cannot send messages in a non-text channel",
                ));
            }
            let mut required = perm::SEND_MESSAGES;
            if call.body["embeds"]
                .as_array()
                .is_some_and(|e| !e.is_empty())
            {
                required |= perm::EMBED_LINKS;
            }
            if !call.files.is_empty() {
                required |= perm::ATTACH_FILES;
            }
            require_channel_permissions(world, &channel, required)?;
            if let Some(recipient) = channel.recipient_id {
                if world.users.get(&recipient).is_some_and(|u| !u.accepts_dms) {
                    return Err(ApiError::cannot_dm());
                }
            }
            if let Some(reference) = call.body.get("message_reference").filter(|r| !r.is_null()) {
                let target = id_of(&reference["message_id"]);
                let target_channel = id_of(&reference["channel_id"]).unwrap_or(channel_id);
                let fail_if_missing = reference["fail_if_not_exists"].as_bool().unwrap_or(true);
                if fail_if_missing
                    && target
                        .and_then(|t| world.message(target_channel, t))
                        .is_none()
                {
                    return Err(ApiError::invalid_field(
                        &["message_reference"],
                        "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                        "Unknown message",
                    ));
                }
            }
            let sender = Sender {
                author_id: world.bot_user_id,
                webhook_id: None,
                application_id: None,
                interaction: None,
                kind: 0,
                may_be_ephemeral: false,
            };
            let message = messages::build(ids, &channel, sender, &call.body, &call.files)?;
            let json = message.to_json(world);
            let (json, event) = (json, world.insert_message(message));
            Ok((json, vec![event]))
        })
        .and_then(Reply::ok)
}

fn edit_message(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    state
        .try_mutate(|world, ids| {
            let channel = find_channel(world, channel_id)?;
            require_channel_permissions(world, &channel, 0)?;
            let message = world
                .message(channel_id, message_id)
                .filter(|m| m.flags & EPHEMERAL == 0)
                .ok_or_else(ApiError::unknown_message)?;
            if message.author_id != world.bot_user_id {
                // Only the flags of someone else's message may be changed.
                let only_flags = call
                    .body
                    .as_object()
                    .is_some_and(|o| o.keys().all(|k| k == "flags"));
                if !only_flags {
                    return Err(ApiError::new(
                        axum::http::StatusCode::FORBIDDEN,
                        50005,
                        "Cannot edit a message authored by another user",
                    ));
                }
                require_channel_permissions(world, &channel, perm::MANAGE_MESSAGES)?;
            }
            let new_files = messages::attachments_from(ids, &call.body, &call.files)?;
            let (json, event) = world
                .edit_message(channel_id, message_id, &call.body, Some(new_files))
                .ok_or_else(ApiError::unknown_message)?;
            Ok((json, vec![event]))
        })
        .and_then(Reply::ok)
}

fn delete_message(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        require_channel_permissions(world, &channel, 0)?;
        let message = world
            .message(channel_id, message_id)
            .filter(|m| m.flags & EPHEMERAL == 0)
            .ok_or_else(ApiError::unknown_message)?;
        if message.author_id != world.bot_user_id && channel.guild_id.is_some() {
            require_channel_permissions(world, &channel, perm::MANAGE_MESSAGES)?;
        } else if message.author_id != world.bot_user_id {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                50003,
                "Cannot execute action on a DM channel",
            ));
        }
        let event = world
            .delete_message(channel_id, message_id)
            .ok_or_else(ApiError::unknown_message)?;
        Ok((Reply::NoContent, vec![event]))
    })
}

fn bulk_delete(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let ids: Vec<u64> = call.body["messages"]
        .as_array()
        .map(|list| list.iter().filter_map(id_of).collect())
        .unwrap_or_default();
    let two_weeks_ago = crate::snowflake::now_unix_ms().saturating_sub(14 * 24 * 3600 * 1000);
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        if channel.guild_id.is_none() {
            return Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                50003,
                "Cannot execute action on a DM channel",
            ));
        }
        require_channel_permissions(world, &channel, perm::MANAGE_MESSAGES)?;
        if ids.iter().any(|id| crate::snowflake::unix_ms_of(*id) < two_weeks_ago) {
            return Err(ApiError::too_old_to_bulk_delete());
        }
        // One MESSAGE_DELETE_BULK for them all, not a MESSAGE_DELETE each.
        let deleted: Vec<String> = ids
            .iter()
            .filter(|id| world.delete_message(channel_id, **id).is_some())
            .map(|id| id.to_string())
            .collect();
        let event = Event::new(
            "MESSAGE_DELETE_BULK",
            json!({"ids": deleted, "channel_id": channel_id.to_string(), "guild_id": channel.guild_id.map(|g| g.to_string())}),
            channel.guild_id,
            intents::GUILD_MESSAGES,
        );
        Ok((Reply::NoContent, vec![event]))
    })
}

fn emoji_of(call: &Call) -> ApiResult<EmojiKey> {
    let raw = super::percent_decode(call.param("emoji_name"));
    EmojiKey::parse(&raw)
        .ok_or_else(|| ApiError::new(axum::http::StatusCode::BAD_REQUEST, 10014, "Unknown Emoji"))
}

/// A custom emoji must exist in one of the bot's guilds.
fn check_emoji_exists(world: &World, emoji: &EmojiKey) -> ApiResult<()> {
    if let EmojiKey::Custom { id, .. } = emoji {
        if !world.guilds.values().any(|g| g.emojis.contains_key(id)) {
            return Err(ApiError::new(
                axum::http::StatusCode::BAD_REQUEST,
                10014,
                "Unknown Emoji",
            ));
        }
    }
    Ok(())
}

fn reaction_event(
    world: &World,
    name: &'static str,
    channel_id: u64,
    message_id: u64,
    user_id: u64,
    emoji: &EmojiKey,
) -> Event {
    let guild_id = world.channel(channel_id).and_then(|c| c.guild_id);
    let mut data = json!({
        "user_id": user_id.to_string(),
        "channel_id": channel_id.to_string(),
        "message_id": message_id.to_string(),
        "emoji": emoji.to_json(),
        "burst": false,
        "type": 0,
    });
    if let Some(guild_id) = guild_id {
        data["guild_id"] = json!(guild_id.to_string());
        if name == "MESSAGE_REACTION_ADD" {
            if let Some(member) = world.member_json(guild_id, user_id) {
                data["member"] = member;
            }
        }
    }
    let intent = if guild_id.is_some() {
        intents::GUILD_MESSAGE_REACTIONS
    } else {
        intents::DIRECT_MESSAGE_REACTIONS
    };
    Event::new(name, data, guild_id, intent)
}

/// Adds or removes a reaction by `user_id` (the bot for `@me`); shared with the control API.
pub fn set_reaction(
    world: &mut World,
    channel_id: u64,
    message_id: u64,
    user_id: u64,
    emoji: &EmojiKey,
    add: bool,
) -> ApiResult<Option<Event>> {
    let message = world
        .messages
        .get_mut(&channel_id)
        .and_then(|m| m.get_mut(&message_id))
        .filter(|m| m.flags & EPHEMERAL == 0)
        .ok_or_else(ApiError::unknown_message)?;
    let changed = if add {
        match message.reactions.iter_mut().find(|r| &r.emoji == emoji) {
            Some(reaction) if reaction.user_ids.contains(&user_id) => false,
            Some(reaction) => {
                reaction.user_ids.push(user_id);
                true
            }
            None => {
                message.reactions.push(Reaction {
                    emoji: emoji.clone(),
                    user_ids: vec![user_id],
                });
                true
            }
        }
    } else {
        let mut removed = false;
        if let Some(reaction) = message.reactions.iter_mut().find(|r| &r.emoji == emoji) {
            let before = reaction.user_ids.len();
            reaction.user_ids.retain(|id| *id != user_id);
            removed = reaction.user_ids.len() != before;
        }
        message.reactions.retain(|r| !r.user_ids.is_empty());
        removed
    };
    let name = if add {
        "MESSAGE_REACTION_ADD"
    } else {
        "MESSAGE_REACTION_REMOVE"
    };
    Ok(changed.then(|| reaction_event(world, name, channel_id, message_id, user_id, emoji)))
}

fn react(state: &SimState, call: &Call, channel_id: u64, add: bool) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    let emoji = emoji_of(call)?;
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        let required = if add {
            perm::ADD_REACTIONS | perm::READ_MESSAGE_HISTORY
        } else {
            perm::READ_MESSAGE_HISTORY
        };
        require_channel_permissions(world, &channel, required)?;
        if add {
            check_emoji_exists(world, &emoji)?;
        }
        let bot = world.bot_user_id;
        let event = set_reaction(world, channel_id, message_id, bot, &emoji, add)?;
        Ok((Reply::NoContent, event.into_iter().collect()))
    })
}

fn remove_user_reaction(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    let user_id = call.id("user_id")?;
    let emoji = emoji_of(call)?;
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        let required = if user_id == world.bot_user_id {
            0
        } else {
            perm::MANAGE_MESSAGES
        };
        require_channel_permissions(world, &channel, required)?;
        let event = set_reaction(world, channel_id, message_id, user_id, &emoji, false)?;
        Ok((Reply::NoContent, event.into_iter().collect()))
    })
}

fn list_reactors(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    let emoji = emoji_of(call)?;
    let limit = call.query_u64("limit")?.unwrap_or(25).clamp(1, 100) as usize;
    let after = call.query_u64("after")?.unwrap_or(0);
    let world = state.world.lock();
    let channel = find_channel(&world, channel_id)?;
    require_channel_permissions(&world, &channel, perm::READ_MESSAGE_HISTORY)?;
    let message = world
        .message(channel_id, message_id)
        .ok_or_else(ApiError::unknown_message)?;
    let mut users: Vec<u64> = message
        .reactions
        .iter()
        .find(|r| r.emoji == emoji)
        .map(|r| r.user_ids.clone())
        .unwrap_or_default();
    users.sort_unstable();
    let list: Vec<Value> = users
        .into_iter()
        .filter(|id| *id > after)
        .take(limit)
        .filter_map(|id| world.users.get(&id).map(|u| u.to_json()))
        .collect();
    Reply::ok(Value::Array(list))
}

fn clear_reactions(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    let only = if call.params.contains_key("emoji_name") {
        Some(emoji_of(call)?)
    } else {
        None
    };
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        require_channel_permissions(world, &channel, perm::MANAGE_MESSAGES)?;
        let message = world
            .messages
            .get_mut(&channel_id)
            .and_then(|m| m.get_mut(&message_id))
            .ok_or_else(ApiError::unknown_message)?;
        match &only {
            Some(emoji) => message.reactions.retain(|r| &r.emoji != emoji),
            None => message.reactions.clear(),
        }
        let mut data = json!({"channel_id": channel_id.to_string(), "message_id": message_id.to_string(), "guild_id": channel.guild_id.map(|g| g.to_string())});
        let name = match &only {
            Some(emoji) => {
                data["emoji"] = emoji.to_json();
                "MESSAGE_REACTION_REMOVE_EMOJI"
            }
            None => "MESSAGE_REACTION_REMOVE_ALL",
        };
        let event = Event::new(name, data, channel.guild_id, intents::GUILD_MESSAGE_REACTIONS);
        Ok((Reply::NoContent, vec![event]))
    })
}

fn list_pins(state: &SimState, channel_id: u64) -> ApiResult<Reply> {
    let world = state.world.lock();
    let channel = find_channel(&world, channel_id)?;
    require_channel_permissions(&world, &channel, perm::READ_MESSAGE_HISTORY)?;
    // Most recently pinned first, like the newer route.
    let mut pinned: Vec<&crate::world::Message> = world
        .messages
        .get(&channel_id)
        .map(|m| m.values().filter(|m| m.pinned).collect())
        .unwrap_or_default();
    pinned.sort_by_key(|m| {
        std::cmp::Reverse((world.pinned_at_ms.get(&m.id).copied().unwrap_or(0), m.id))
    });
    Reply::ok(Value::Array(
        pinned.into_iter().map(|m| m.to_json(&world)).collect(),
    ))
}

/// `GET /channels/{id}/messages/pins`: `{items: [{pinned_at, message}], has_more}`, most
/// recently pinned first, `limit` 1–50 (50) and `before` an ISO8601 timestamp.
fn list_channel_pins(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let limit = call.query_u64("limit")?.unwrap_or(50);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::invalid_field(
            &["limit"],
            "NUMBER_TYPE_MAX",
            "int value should be between 1 and 50.",
        ));
    }
    let before_ms = match call.query.get("before") {
        None => None,
        Some(text) => Some(
            chrono::DateTime::parse_from_rfc3339(text)
                .map_err(|_| {
                    ApiError::invalid_field(
                        &["before"],
                        "DATE_TIME_TYPE_PARSE",
                        "Could not parse datetime.",
                    )
                })?
                .timestamp_millis() as u64,
        ),
    };
    let world = state.world.lock();
    let channel = find_channel(&world, channel_id)?;
    require_channel_permissions(&world, &channel, perm::READ_MESSAGE_HISTORY)?;
    let mut pinned: Vec<(u64, &crate::world::Message)> = world
        .messages
        .get(&channel_id)
        .map(|m| {
            m.values()
                .filter(|m| m.pinned)
                .map(|m| {
                    (
                        world
                            .pinned_at_ms
                            .get(&m.id)
                            .copied()
                            .unwrap_or_else(|| crate::snowflake::unix_ms_of(m.id)),
                        m,
                    )
                })
                .filter(|(at, _)| before_ms.is_none_or(|before| *at < before))
                .collect()
        })
        .unwrap_or_default();
    pinned.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
    let has_more = pinned.len() > limit as usize;
    let items: Vec<Value> = pinned
        .into_iter()
        .take(limit as usize)
        .map(|(at, m)| json!({"pinned_at": crate::snowflake::iso_from_unix_ms(at), "message": m.to_json(&world)}))
        .collect();
    Reply::ok(json!({"items": items, "has_more": has_more}))
}

fn pin(state: &SimState, call: &Call, channel_id: u64, pinned: bool) -> ApiResult<Reply> {
    let message_id = call.id("message_id")?;
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        let have = world.bot_channel_permissions(&channel);
        if channel.guild_id.is_some() && have & (perm::PIN_MESSAGES | perm::MANAGE_MESSAGES) == 0 {
            require_channel_permissions(world, &channel, perm::PIN_MESSAGES)?;
        }
        let already = world.messages.get(&channel_id).map(|m| m.values().filter(|m| m.pinned).count()).unwrap_or(0);
        let message = world
            .messages
            .get_mut(&channel_id)
            .and_then(|m| m.get_mut(&message_id))
            .ok_or_else(ApiError::unknown_message)?;
        if pinned && !message.pinned && already >= 250 {
            return Err(ApiError::new(axum::http::StatusCode::BAD_REQUEST, 30003, "Maximum number of pins reached (250)"));
        }
        let was_pinned = message.pinned;
        message.pinned = pinned;
        let message = message.clone();
        if pinned && !was_pinned {
            let last = world.pinned_at_ms.values().copied().max().unwrap_or(0);
            world.pinned_at_ms.insert(message_id, crate::snowflake::now_unix_ms().max(last + 1));
        } else if !pinned {
            world.pinned_at_ms.remove(&message_id);
        }
        let json = message.to_json(world);
        let events = vec![
            Event::new("MESSAGE_UPDATE", json, channel.guild_id, intents::GUILD_MESSAGES),
            Event::new(
                "CHANNEL_PINS_UPDATE",
                json!({"channel_id": channel_id.to_string(), "guild_id": channel.guild_id.map(|g| g.to_string()), "last_pin_timestamp": crate::snowflake::iso_from_unix_ms(crate::snowflake::now_unix_ms())}),
                channel.guild_id,
                intents::GUILDS,
            ),
        ];
        Ok((Reply::NoContent, events))
    })
}

/// Parses `permission_overwrites` entries from a body.
pub fn overwrites_from(value: &Value) -> Vec<Overwrite> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|o| {
                    Some(Overwrite {
                        id: id_of(&o["id"])?,
                        kind: o["type"].as_u64().unwrap_or(0) as u8,
                        allow: id_of(&o["allow"]).unwrap_or(0),
                        deny: id_of(&o["deny"]).unwrap_or(0),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The bot may only grant or deny permissions it has itself (unless Administrator).
pub fn check_overwrites_grantable(
    world: &World,
    guild_id: u64,
    overwrites: &[Overwrite],
) -> ApiResult<()> {
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let have = perm::guild_permissions(guild, world.bot_user_id);
    if overwrites.iter().any(|o| (o.allow | o.deny) & !have != 0) {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

fn modify_channel(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    state
        .try_mutate(|world, _| {
            let channel = find_channel(world, channel_id)?;
            let guild_id = channel.guild_id.ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    50003,
                    "Cannot execute action on a DM channel",
                )
            })?;
            let mut required = perm::MANAGE_CHANNELS;
            let overwrites = call.body.get("permission_overwrites").map(overwrites_from);
            if overwrites.is_some() {
                required |= perm::MANAGE_ROLES;
            }
            require_channel_permissions(world, &channel, required)?;
            if let Some(overwrites) = &overwrites {
                check_overwrites_grantable(world, guild_id, overwrites)?;
            }
            if let Some(parent) = call.body.get("parent_id") {
                if let Some(parent_id) = id_of(parent) {
                    let parent = world.channel(parent_id).ok_or_else(|| {
                        ApiError::invalid_field(
                            &["parent_id"],
                            "CHANNEL_PARENT_INVALID_TYPE",
                            "Not a category",
                        )
                    })?;
                    if parent.kind != channel_kind::GUILD_CATEGORY
                        || parent.guild_id != Some(guild_id)
                    {
                        return Err(ApiError::invalid_field(
                            &["parent_id"],
                            "CHANNEL_PARENT_INVALID_TYPE",
                            "Not a category",
                        ));
                    }
                }
            }
            let channel = world
                .channels
                .get_mut(&channel_id)
                .ok_or_else(ApiError::unknown_channel)?;
            let body = &call.body;
            if let Some(name) = body["name"].as_str() {
                channel.name = Some(super::limits::normalize_channel_name(channel.kind, name));
            }
            if body.get("topic").is_some() {
                channel.topic = body["topic"].as_str().map(str::to_string);
            }
            if let Some(position) = body["position"].as_i64() {
                channel.position = position as i32;
            }
            if let Some(nsfw) = body["nsfw"].as_bool() {
                channel.nsfw = nsfw;
            }
            if let Some(slowmode) = body["rate_limit_per_user"].as_u64() {
                channel.rate_limit_per_user = slowmode as u32;
            }
            if let Some(parent) = body.get("parent_id") {
                channel.parent_id = id_of(parent);
                if body["lock_permissions"].as_bool() == Some(true) {
                    if let Some(parent) = channel.parent_id {
                        let inherited = world
                            .channels
                            .get(&parent)
                            .map(|p| p.permission_overwrites.clone());
                        if let (Some(inherited), Some(channel)) =
                            (inherited, world.channels.get_mut(&channel_id))
                        {
                            channel.permission_overwrites = inherited;
                        }
                    }
                }
            }
            if let (Some(overwrites), Some(channel)) =
                (overwrites, world.channels.get_mut(&channel_id))
            {
                channel.permission_overwrites = overwrites;
            }
            let channel = world
                .channels
                .get(&channel_id)
                .cloned()
                .ok_or_else(ApiError::unknown_channel)?;
            let (json, event) = (
                channel.to_json(world),
                world.channel_event("CHANNEL_UPDATE", &channel),
            );
            Ok((json, vec![event]))
        })
        .and_then(Reply::ok)
}

fn delete_channel(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    state
        .try_mutate(|world, ids| {
            let channel = find_channel(world, channel_id)?;
            if channel.guild_id.is_some() {
                require_channel_permissions(world, &channel, perm::MANAGE_CHANNELS)?;
            }
            let bot = world.bot_user_id;
            crate::moderation::delete_channel(world, ids, channel_id, bot, call.audit_reason())
                .ok_or_else(ApiError::unknown_channel)
        })
        .and_then(Reply::ok)
}

fn create_invite(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let body = &call.body;
    // The fields are optional, the body is not (`{}` at least).
    if body.is_null() {
        return Err(ApiError::invalid_json());
    }
    let max_age = body["max_age"].as_u64().unwrap_or(86_400) as u32;
    let max_uses = body["max_uses"].as_u64().unwrap_or(0) as u32;
    let temporary = body["temporary"].as_bool().unwrap_or(false);
    let unique = body["unique"].as_bool().unwrap_or(false);
    state
        .try_mutate(|world, _| {
            let channel = find_channel(world, channel_id)?;
            let guild_id = channel.guild_id.ok_or_else(|| {
                ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    50003,
                    "Cannot execute action on a DM channel",
                )
            })?;
            require_channel_permissions(world, &channel, perm::CREATE_INSTANT_INVITE)?;
            let bot = world.bot_user_id;
            // Without `unique`, Discord hands back a matching invite the bot made before.
            if !unique {
                let same = world.guild(guild_id).and_then(|g| {
                    g.invites.values().find(|i| {
                        i.channel_id == channel_id
                            && i.inviter_id == Some(bot)
                            && i.max_age == max_age
                            && i.max_uses == max_uses
                            && i.temporary == temporary
                    })
                });
                if let Some(same) = same {
                    return Ok((same.to_json(world, guild_id), Vec::new()));
                }
            }
            let (invite, events) = crate::actions::add_invite(
                world,
                guild_id,
                channel_id,
                Some(bot),
                max_uses,
                max_age,
                temporary,
            );
            Ok((invite.to_json(world, guild_id), events))
        })
        .and_then(Reply::ok)
}

fn edit_overwrite(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let overwrite_id = call.id("overwrite_id")?;
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        let guild_id = channel.guild_id.ok_or_else(ApiError::missing_access)?;
        require_channel_permissions(world, &channel, perm::MANAGE_ROLES)?;
        let overwrite = Overwrite {
            id: overwrite_id,
            kind: call.body["type"].as_u64().unwrap_or(0) as u8,
            allow: id_of(&call.body["allow"]).unwrap_or(0),
            deny: id_of(&call.body["deny"]).unwrap_or(0),
        };
        check_overwrites_grantable(world, guild_id, &[overwrite])?;
        let channel = world
            .channels
            .get_mut(&channel_id)
            .ok_or_else(ApiError::unknown_channel)?;
        // Replacing an overwrite keeps its place; a new one goes last.
        match channel
            .permission_overwrites
            .iter_mut()
            .find(|o| o.id == overwrite_id)
        {
            Some(existing) => *existing = overwrite,
            None => channel.permission_overwrites.push(overwrite),
        }
        let channel = channel.clone();
        let event = world.channel_event("CHANNEL_UPDATE", &channel);
        Ok((Reply::NoContent, vec![event]))
    })
}

fn delete_overwrite(state: &SimState, call: &Call, channel_id: u64) -> ApiResult<Reply> {
    let overwrite_id = call.id("overwrite_id")?;
    state.try_mutate(|world, _| {
        let channel = find_channel(world, channel_id)?;
        require_channel_permissions(world, &channel, perm::MANAGE_ROLES)?;
        let channel = world
            .channels
            .get_mut(&channel_id)
            .ok_or_else(ApiError::unknown_channel)?;
        channel
            .permission_overwrites
            .retain(|o| o.id != overwrite_id);
        let channel = channel.clone();
        let event = world.channel_event("CHANNEL_UPDATE", &channel);
        Ok((Reply::NoContent, vec![event]))
    })
}
