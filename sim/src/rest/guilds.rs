//! Guild routes: the guild, its channels, members (roles, nick, timeout, kick), bans,
//! roles and emojis — with Discord's permission and role-hierarchy checks.

use std::sync::Arc;

use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};

use super::channels::{check_overwrites_grantable, overwrites_from};
use super::{id_of, require_guild_permissions, Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::permissions as perm;
use crate::world::{channel_kind, intents, Channel, Emoji, Event, Guild, Role, World};
use crate::SimState;
use crate::{audit, moderation};

pub fn handle(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    let guild_id = call.id("guild_id")?;
    {
        let world = state.world.lock();
        let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
        if !guild.members.contains_key(&world.bot_user_id) {
            return Err(ApiError::missing_access());
        }
    }
    let template = call
        .template
        .strip_prefix("/guilds/{guild_id}")
        .unwrap_or("");
    match (call.method.as_str(), template) {
        ("GET", "") => {
            let world = state.world.lock();
            let mut guild = world
                .guild_json(guild_id)
                .ok_or_else(ApiError::unknown_guild)?;
            // `with_counts=true`: Discord adds the approximate member and online counts.
            if call.query_flag("with_counts") {
                let members = world.guilds[&guild_id].members.len();
                let online = world.guilds[&guild_id].presences.len();
                guild["approximate_member_count"] = json!(members);
                guild["approximate_presence_count"] = json!(online);
            }
            Reply::ok(guild)
        }
        ("GET", "/channels") => {
            let world = state.world.lock();
            let channels: Vec<Value> = world
                .guild_channels(guild_id)
                .into_iter()
                .map(|c| c.to_json(&world))
                .collect();
            Reply::ok(Value::Array(channels))
        }
        ("POST", "/channels") => create_channel(state, call, guild_id),
        ("PATCH", "/channels") => reorder_channels(state, call, guild_id),
        ("GET", "/members") => list_members(state, call, guild_id),
        ("GET", "/members/search") => search_members(state, call, guild_id),
        ("GET", "/members/{user_id}") => {
            let world = state.world.lock();
            Reply::ok(
                world
                    .member_json(guild_id, call.id("user_id")?)
                    .ok_or_else(ApiError::unknown_member)?,
            )
        }
        ("PATCH", "/members/{user_id}") => {
            modify_member(state, call, guild_id, call.id("user_id")?)
        }
        ("PATCH", "/members/@me") => {
            let bot = state.world.lock().bot_user_id;
            modify_member(state, call, guild_id, bot)
        }
        ("DELETE", "/members/{user_id}") => kick(state, call, guild_id),
        ("PUT", "/members/{user_id}/roles/{role_id}") => toggle_role(state, call, guild_id, true),
        ("DELETE", "/members/{user_id}/roles/{role_id}") => {
            toggle_role(state, call, guild_id, false)
        }
        ("GET", "/bans") => {
            let world = state.world.lock();
            require_guild_permissions(&world, guild_id, perm::BAN_MEMBERS)?;
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            let bans: Vec<Value> = guild
                .bans
                .iter()
                .map(|(id, reason)| json!({"reason": reason, "user": world.users.get(id).map(|u| u.to_json())}))
                .collect();
            Reply::ok(Value::Array(bans))
        }
        ("GET", "/bans/{user_id}") => {
            let world = state.world.lock();
            require_guild_permissions(&world, guild_id, perm::BAN_MEMBERS)?;
            let user_id = call.id("user_id")?;
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            let reason = guild.bans.get(&user_id).ok_or_else(ApiError::unknown_ban)?;
            Reply::ok(
                json!({"reason": reason, "user": world.users.get(&user_id).map(|u| u.to_json())}),
            )
        }
        ("PUT", "/bans/{user_id}") => ban(state, call, guild_id),
        ("DELETE", "/bans/{user_id}") => unban(state, call, guild_id),
        ("GET", "/roles") => {
            let world = state.world.lock();
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            Reply::ok(Value::Array(
                guild.roles.values().map(Role::to_json).collect(),
            ))
        }
        ("GET", "/roles/{role_id}") => {
            let world = state.world.lock();
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            Reply::ok(
                guild
                    .roles
                    .get(&call.id("role_id")?)
                    .ok_or_else(ApiError::unknown_role)?
                    .to_json(),
            )
        }
        ("POST", "/roles") => create_role(state, call, guild_id),
        ("PATCH", "/roles/{role_id}") => modify_role(state, call, guild_id),
        ("DELETE", "/roles/{role_id}") => delete_role(state, call, guild_id),
        ("GET", "/invites") => list_invites(state, guild_id),
        ("PUT", "/incident-actions") => incident_actions(state, call, guild_id),
        ("GET", "/audit-logs") => audit_logs(state, call, guild_id),
        ("GET", "/emojis") => {
            let world = state.world.lock();
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            Reply::ok(Value::Array(
                guild.emojis.values().map(Emoji::to_json).collect(),
            ))
        }
        ("GET", "/emojis/{emoji_id}") => {
            let world = state.world.lock();
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            Reply::ok(
                guild
                    .emojis
                    .get(&call.id("emoji_id")?)
                    .ok_or_else(ApiError::unknown_emoji)?
                    .to_json(),
            )
        }
        ("POST", "/emojis") => create_emoji(state, call, guild_id),
        ("PATCH", "/emojis/{emoji_id}") => modify_emoji(state, call, guild_id),
        ("DELETE", "/emojis/{emoji_id}") => delete_emoji(state, call, guild_id),
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn guild_mut(world: &mut World, guild_id: u64) -> ApiResult<&mut Guild> {
    world
        .guilds
        .get_mut(&guild_id)
        .ok_or_else(ApiError::unknown_guild)
}

/// The bot may act on a member only if the member is not the owner and the bot's
/// highest role is above the member's.
fn require_above_member(world: &World, guild_id: u64, user_id: u64) -> ApiResult<()> {
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    if guild.owner_id == user_id {
        return Err(ApiError::missing_permissions());
    }
    if user_id != world.bot_user_id
        && perm::highest_role_position(guild, world.bot_user_id)
            <= perm::highest_role_position(guild, user_id)
    {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

/// The bot may manage a role only below its own highest role (and never a managed one).
fn require_role_manageable(world: &World, guild_id: u64, role_id: u64) -> ApiResult<()> {
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let role = guild
        .roles
        .get(&role_id)
        .ok_or_else(ApiError::unknown_role)?;
    if role.managed || role_id == guild_id {
        return Err(ApiError::missing_permissions());
    }
    if perm::highest_role_position(guild, world.bot_user_id) <= role.position as i64 {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

fn create_channel(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let body = &call.body;
    let kind = body["type"].as_u64().unwrap_or(0) as u8;
    if ![
        channel_kind::GUILD_TEXT,
        channel_kind::GUILD_VOICE,
        channel_kind::GUILD_CATEGORY,
        channel_kind::GUILD_ANNOUNCEMENT,
        13,
        channel_kind::GUILD_FORUM,
    ]
    .contains(&kind)
    {
        return Err(ApiError::invalid_field(
            &["type"],
            "BASE_TYPE_CHOICES",
            "Value must be one of {0, 2, 4, 5, 13, 15}.",
        ));
    }
    state
        .try_mutate(|world, ids| {
            let overwrites = overwrites_from(&body["permission_overwrites"]);
            let mut required = perm::MANAGE_CHANNELS;
            if !overwrites.is_empty() {
                required |= perm::MANAGE_ROLES;
            }
            require_guild_permissions(world, guild_id, required)?;
            check_overwrites_grantable(world, guild_id, &overwrites)?;
            let parent_id = id_of(&body["parent_id"]);
            if let Some(parent_id) = parent_id {
                let parent_ok = world.channel(parent_id).is_some_and(|p| {
                    p.kind == channel_kind::GUILD_CATEGORY && p.guild_id == Some(guild_id)
                });
                if !parent_ok || kind == channel_kind::GUILD_CATEGORY {
                    return Err(ApiError::invalid_field(
                        &["parent_id"],
                        "CHANNEL_PARENT_INVALID_TYPE",
                        "Not a category",
                    ));
                }
            }
            if world.guild_channels(guild_id).len() >= 500 {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    30013,
                    "Maximum number of guild channels reached (500)",
                ));
            }
            let position = body["position"].as_i64().unwrap_or_else(|| {
                world
                    .guild_channels(guild_id)
                    .iter()
                    .map(|c| c.position as i64 + 1)
                    .max()
                    .unwrap_or(0)
            });
            let channel = Channel {
                id: ids.next(),
                kind,
                guild_id: Some(guild_id),
                name: Some(super::limits::normalize_channel_name(
                    kind,
                    body["name"].as_str().unwrap_or(""),
                )),
                parent_id,
                position: position as i32,
                topic: body["topic"].as_str().map(str::to_string),
                nsfw: body["nsfw"].as_bool().unwrap_or(false),
                rate_limit_per_user: body["rate_limit_per_user"].as_u64().unwrap_or(0) as u32,
                permission_overwrites: overwrites,
                recipient_id: None,
                last_message_id: None,
                bitrate: body["bitrate"].as_u64().map(|b| b as u32),
                user_limit: body["user_limit"].as_u64().map(|b| b as u32),
            };
            world.channels.insert(channel.id, channel.clone());
            Ok((
                channel.to_json(world),
                vec![world.channel_event("CHANNEL_CREATE", &channel)],
            ))
        })
        .and_then(Reply::created)
}

fn reorder_channels(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    state.try_mutate(|world, _| {
        require_guild_permissions(world, guild_id, perm::MANAGE_CHANNELS)?;
        let mut events = Vec::new();
        for entry in call.body.as_array().into_iter().flatten() {
            let Some(id) = id_of(&entry["id"]) else {
                continue;
            };
            let channel = world
                .channels
                .get_mut(&id)
                .filter(|c| c.guild_id == Some(guild_id))
                .ok_or_else(ApiError::unknown_channel)?;
            if let Some(position) = entry["position"].as_i64() {
                channel.position = position as i32;
            }
            if entry.get("parent_id").is_some() {
                channel.parent_id = id_of(&entry["parent_id"]);
            }
            let channel = channel.clone();
            events.push(world.channel_event("CHANNEL_UPDATE", &channel));
        }
        Ok(((), events))
    })?;
    Reply::no_content()
}

fn list_members(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    if !state.config.gateway.privileged_intents_allowed {
        return Err(ApiError::missing_access());
    }
    let limit = call.query_u64("limit")?.unwrap_or(1).clamp(1, 1000) as usize;
    let after = call.query_u64("after")?.unwrap_or(0);
    let world = state.world.lock();
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let members: Vec<Value> = guild
        .members
        .keys()
        .filter(|id| **id > after)
        .take(limit)
        .filter_map(|id| world.member_json(guild_id, *id))
        .collect();
    Reply::ok(Value::Array(members))
}

fn search_members(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let query = call.query.get("query").cloned().ok_or_else(|| {
        ApiError::invalid_field(&["query"], "BASE_TYPE_REQUIRED", "This field is required")
    })?;
    let query = query.to_lowercase();
    let limit = call.query_u64("limit")?.unwrap_or(1).clamp(1, 1000) as usize;
    let world = state.world.lock();
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let members: Vec<Value> = guild
        .members
        .values()
        .filter(|m| {
            let user = world.users.get(&m.user_id);
            let names = [
                user.map(|u| u.username.to_lowercase()),
                user.and_then(|u| u.global_name.as_ref().map(|n| n.to_lowercase())),
                m.nick.as_ref().map(|n| n.to_lowercase()),
            ];
            names.iter().flatten().any(|n| n.starts_with(&query))
        })
        .take(limit)
        .filter_map(|m| world.member_json(guild_id, m.user_id))
        .collect();
    Reply::ok(Value::Array(members))
}

fn modify_member(state: &SimState, call: &Call, guild_id: u64, user_id: u64) -> ApiResult<Reply> {
    let body = &call.body;
    state
        .try_mutate(|world, ids| {
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            if !guild.members.contains_key(&user_id) {
                return Err(ApiError::unknown_member());
            }
            let is_self = user_id == world.bot_user_id;
            if body.get("nick").is_some() {
                let needed = if is_self { perm::CHANGE_NICKNAME } else { perm::MANAGE_NICKNAMES };
                require_guild_permissions(world, guild_id, needed)?;
                if !is_self {
                    require_above_member(world, guild_id, user_id)?;
                }
            }
            let new_roles: Option<Vec<u64>> = body.get("roles").filter(|r| !r.is_null()).map(|roles| {
                roles.as_array().map(|list| list.iter().filter_map(id_of).collect()).unwrap_or_default()
            });
            if let Some(roles) = &new_roles {
                require_guild_permissions(world, guild_id, perm::MANAGE_ROLES)?;
                let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
                let current = &guild.members[&user_id].roles;
                for role_id in roles {
                    if !guild.roles.contains_key(role_id) || *role_id == guild_id {
                        return Err(ApiError::invalid_field(&["roles"], "INVALID_ROLE", format!("Role {role_id} is not valid")));
                    }
                }
                // Every role added or removed must be below the bot's highest role.
                for changed in roles.iter().filter(|r| !current.contains(r)).chain(current.iter().filter(|r| !roles.contains(r))) {
                    require_role_manageable(world, guild_id, *changed)?;
                }
            }
            if body.get("communication_disabled_until").is_some() {
                require_guild_permissions(world, guild_id, perm::MODERATE_MEMBERS)?;
                require_above_member(world, guild_id, user_id)?;
                let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
                if perm::guild_permissions(guild, user_id) & perm::ADMINISTRATOR != 0 {
                    return Err(ApiError::missing_permissions());
                }
                if let Some(until) = body["communication_disabled_until"].as_str() {
                    let parsed = chrono::DateTime::parse_from_rfc3339(until).map_err(|_| {
                        ApiError::invalid_field(&["communication_disabled_until"], "DATE_TIME_TYPE_PARSE", "Could not parse datetime.")
                    })?;
                    let max = chrono::Utc::now() + chrono::Duration::days(28);
                    if parsed > max {
                        return Err(ApiError::invalid_field(
                            &["communication_disabled_until"],
                            "COMMUNICATION_DISABLED_TIMESTAMP_TOO_LARGE",
                            "Communication disabled timestamp cannot be more than 28 days in the future.",
                        ));
                    }
                }
            }
            if let Some(channel) = body.get("channel_id") {
                require_guild_permissions(world, guild_id, perm::MOVE_MEMBERS)?;
                if let Some(channel_id) = id_of(channel) {
                    if world.channel(channel_id).is_none_or(|c| c.kind != channel_kind::GUILD_VOICE) {
                        return Err(ApiError::invalid_field(&["channel_id"], "CHANNEL_TYPE_INVALID", "Not a voice channel"));
                    }
                }
            }
            let guild = guild_mut(world, guild_id)?;
            let mut events = Vec::new();
            let member = guild.members.get_mut(&user_id).ok_or_else(ApiError::unknown_member)?;
            let before = member.clone();
            if body.get("nick").is_some() {
                member.nick = body["nick"].as_str().filter(|n| !n.is_empty()).map(str::to_string);
            }
            if let Some(roles) = new_roles {
                member.roles = roles;
            }
            if body.get("communication_disabled_until").is_some() {
                member.communication_disabled_until = body["communication_disabled_until"].as_str().and_then(crate::snowflake::normalize_iso);
            }
            if let Some(channel) = body.get("channel_id") {
                match id_of(channel) {
                    Some(channel_id) => {
                        let session_id = guild
                            .voice_states
                            .get(&user_id)
                            .map(|v| v.session_id.clone())
                            .unwrap_or_else(|| crate::random_hex(16));
                        guild.voice_states.insert(user_id, crate::world::VoiceState { user_id, channel_id, session_id });
                    }
                    None => {
                        guild.voice_states.remove(&user_id);
                    }
                }
            }
            events.extend(world.member_update_event(guild_id, user_id));
            events.extend(member_audit(world, ids, guild_id, &before, call.audit_reason()));
            let json = world.member_json(guild_id, user_id).ok_or_else(ApiError::unknown_member)?;
            Ok((json, events))
        })
        .and_then(Reply::ok)
}

/// The audit entries a member edit leaves: MEMBER_ROLE_UPDATE for roles, MEMBER_UPDATE
/// for nick and timeout.
fn member_audit(
    world: &mut World,
    ids: &crate::snowflake::SnowflakeGenerator,
    guild_id: u64,
    before: &crate::world::Member,
    reason: Option<String>,
) -> Vec<Event> {
    let Some(guild) = world.guild(guild_id) else {
        return Vec::new();
    };
    let Some(after) = guild.members.get(&before.user_id).cloned() else {
        return Vec::new();
    };
    let bot = world.bot_user_id;
    let target = Some(before.user_id);
    let mut events = Vec::new();
    let role_changes = moderation::role_changes(guild, &before.roles, &after.roles);
    let mut changes = Vec::new();
    if before.nick != after.nick {
        changes.push(audit::change("nick", json!(before.nick), json!(after.nick)));
    }
    if before.communication_disabled_until != after.communication_disabled_until {
        changes.push(audit::change(
            "communication_disabled_until",
            json!(before.communication_disabled_until),
            json!(after.communication_disabled_until),
        ));
    }
    if !role_changes.is_empty() {
        let kind = audit::action::MEMBER_ROLE_UPDATE;
        events.extend(world.record_audit(
            ids,
            guild_id,
            bot,
            kind,
            target,
            reason.clone(),
            role_changes,
        ));
    }
    if !changes.is_empty() {
        let kind = audit::action::MEMBER_UPDATE;
        events.extend(world.record_audit(ids, guild_id, bot, kind, target, reason, changes));
    }
    events
}

fn kick(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let user_id = call.id("user_id")?;
    state.try_mutate(|world, ids| {
        require_guild_permissions(world, guild_id, perm::KICK_MEMBERS)?;
        if !world
            .guild(guild_id)
            .is_some_and(|g| g.members.contains_key(&user_id))
        {
            return Err(ApiError::unknown_member());
        }
        require_above_member(world, guild_id, user_id)?;
        let bot = world.bot_user_id;
        let events = moderation::kick(world, ids, guild_id, user_id, bot, call.audit_reason());
        Ok(((), events))
    })?;
    Reply::no_content()
}

/// Removes a member (kick, ban or leave) and returns GUILD_MEMBER_REMOVE.
pub fn remove_member(world: &mut World, guild_id: u64, user_id: u64) -> Vec<Event> {
    let Some(guild) = world.guilds.get_mut(&guild_id) else {
        return Vec::new();
    };
    if guild.members.remove(&user_id).is_none() {
        return Vec::new();
    }
    guild.voice_states.remove(&user_id);
    guild.presences.remove(&user_id);
    let user = world.users.get(&user_id).map(|u| u.to_json());
    vec![Event::new(
        "GUILD_MEMBER_REMOVE",
        json!({"guild_id": guild_id.to_string(), "user": user}),
        Some(guild_id),
        intents::GUILD_MEMBERS,
    )]
}

fn ban(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let user_id = call.id("user_id")?;
    let seconds = call.body["delete_message_seconds"].as_u64().unwrap_or(0);
    if seconds > 604_800 {
        return Err(ApiError::invalid_field(
            &["delete_message_seconds"],
            "NUMBER_TYPE_MAX",
            "int value should be less than or equal to 604800.",
        ));
    }
    state.try_mutate(|world, ids| {
        require_guild_permissions(world, guild_id, perm::BAN_MEMBERS)?;
        if !world.users.contains_key(&user_id) {
            return Err(ApiError::unknown_user());
        }
        if world
            .guild(guild_id)
            .is_some_and(|g| g.members.contains_key(&user_id))
        {
            require_above_member(world, guild_id, user_id)?;
        }
        let bot = world.bot_user_id;
        let reason = call.audit_reason();
        let events = moderation::ban(world, ids, guild_id, user_id, bot, reason, seconds);
        Ok(((), events))
    })?;
    Reply::no_content()
}

fn unban(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let user_id = call.id("user_id")?;
    state.try_mutate(|world, _| {
        require_guild_permissions(world, guild_id, perm::BAN_MEMBERS)?;
        if guild_mut(world, guild_id)?.bans.remove(&user_id).is_none() {
            return Err(ApiError::unknown_ban());
        }
        let user = world.users.get(&user_id).map(|u| u.to_json());
        Ok((
            (),
            vec![Event::new(
                "GUILD_BAN_REMOVE",
                json!({"guild_id": guild_id.to_string(), "user": user}),
                Some(guild_id),
                intents::GUILD_MODERATION,
            )],
        ))
    })?;
    Reply::no_content()
}

fn toggle_role(state: &SimState, call: &Call, guild_id: u64, add: bool) -> ApiResult<Reply> {
    let user_id = call.id("user_id")?;
    let role_id = call.id("role_id")?;
    state.try_mutate(|world, ids| {
        require_guild_permissions(world, guild_id, perm::MANAGE_ROLES)?;
        require_role_manageable(world, guild_id, role_id)?;
        let member = guild_mut(world, guild_id)?
            .members
            .get_mut(&user_id)
            .ok_or_else(ApiError::unknown_member)?;
        let before = member.roles.clone();
        let had = member.roles.contains(&role_id);
        if add && !had {
            member.roles.push(role_id);
        } else if !add && had {
            member.roles.retain(|r| *r != role_id);
        } else {
            return Ok(((), Vec::new()));
        }
        let after = member.roles.clone();
        let mut events: Vec<Event> = world
            .member_update_event(guild_id, user_id)
            .into_iter()
            .collect();
        let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
        let changes = moderation::role_changes(guild, &before, &after);
        let bot = world.bot_user_id;
        events.extend(world.record_audit(
            ids,
            guild_id,
            bot,
            audit::action::MEMBER_ROLE_UPDATE,
            Some(user_id),
            call.audit_reason(),
            changes,
        ));
        Ok(((), events))
    })?;
    Reply::no_content()
}

fn role_event(name: &'static str, guild_id: u64, role: &Role) -> Event {
    Event::new(
        name,
        json!({"guild_id": guild_id.to_string(), "role": role.to_json()}),
        Some(guild_id),
        intents::GUILDS,
    )
}

fn create_role(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let body = &call.body;
    state
        .try_mutate(|world, ids| {
            require_guild_permissions(world, guild_id, perm::MANAGE_ROLES)?;
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            let have = perm::guild_permissions(guild, world.bot_user_id);
            let permissions = id_of(&body["permissions"]).unwrap_or(
                guild
                    .roles
                    .get(&guild_id)
                    .map(|r| r.permissions)
                    .unwrap_or(0),
            );
            if permissions & !have != 0 {
                return Err(ApiError::missing_permissions());
            }
            if guild.roles.len() >= 250 {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    30005,
                    "Maximum number of guild roles reached (250)",
                ));
            }
            let role = Role {
                id: ids.next(),
                name: body["name"].as_str().unwrap_or("new role").to_string(),
                permissions,
                position: 1,
                color: body["color"].as_u64().unwrap_or(0) as u32,
                hoist: body["hoist"].as_bool().unwrap_or(false),
                mentionable: body["mentionable"].as_bool().unwrap_or(false),
                managed: false,
            };
            let guild = guild_mut(world, guild_id)?;
            for other in guild.roles.values_mut().filter(|r| r.id != guild_id) {
                other.position += 1;
            }
            guild.roles.insert(role.id, role.clone());
            Ok((
                role.to_json(),
                vec![role_event("GUILD_ROLE_CREATE", guild_id, &role)],
            ))
        })
        .and_then(Reply::ok)
}

fn modify_role(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let role_id = call.id("role_id")?;
    let body = &call.body;
    state
        .try_mutate(|world, _| {
            require_guild_permissions(world, guild_id, perm::MANAGE_ROLES)?;
            if role_id != guild_id {
                require_role_manageable(world, guild_id, role_id)?;
            }
            let have = perm::guild_permissions(
                world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?,
                world.bot_user_id,
            );
            if let Some(permissions) = id_of(&body["permissions"]) {
                if permissions & !have != 0 {
                    return Err(ApiError::missing_permissions());
                }
            }
            let role = guild_mut(world, guild_id)?
                .roles
                .get_mut(&role_id)
                .ok_or_else(ApiError::unknown_role)?;
            if let Some(name) = body["name"].as_str() {
                role.name = name.to_string();
            }
            if let Some(permissions) = id_of(&body["permissions"]) {
                role.permissions = permissions;
            }
            if let Some(color) = body["color"].as_u64() {
                role.color = color as u32;
            }
            if let Some(hoist) = body["hoist"].as_bool() {
                role.hoist = hoist;
            }
            if let Some(mentionable) = body["mentionable"].as_bool() {
                role.mentionable = mentionable;
            }
            let role = role.clone();
            Ok((
                role.to_json(),
                vec![role_event("GUILD_ROLE_UPDATE", guild_id, &role)],
            ))
        })
        .and_then(Reply::ok)
}

fn delete_role(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let role_id = call.id("role_id")?;
    state.try_mutate(|world, ids| {
        require_guild_permissions(world, guild_id, perm::MANAGE_ROLES)?;
        require_role_manageable(world, guild_id, role_id)?;
        let bot = world.bot_user_id;
        let events =
            moderation::delete_role(world, ids, guild_id, role_id, bot, call.audit_reason());
        Ok(((), events))
    })?;
    Reply::no_content()
}

/// MANAGE_GUILD or VIEW_AUDIT_LOG; the metadata (uses, …) only with MANAGE_GUILD.
fn list_invites(state: &SimState, guild_id: u64) -> ApiResult<Reply> {
    let world = state.world.lock();
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let have = perm::guild_permissions(guild, world.bot_user_id);
    if have & (perm::MANAGE_GUILD | perm::VIEW_AUDIT_LOG) == 0 {
        return Err(ApiError::missing_permissions());
    }
    let metadata = have & perm::MANAGE_GUILD != 0;
    Reply::ok(Value::Array(
        guild
            .invites
            .values()
            .map(|i| {
                let mut json = i.to_json(&world, guild_id);
                if !metadata {
                    if let Some(object) = json.as_object_mut() {
                        for key in ["uses", "max_uses", "max_age", "temporary", "created_at"] {
                            object.remove(key);
                        }
                    }
                }
                json
            })
            .collect(),
    ))
}

/// `invites_disabled_until`/`dms_disabled_until`: null, or a time at most 24 hours ahead.
fn incident_time(body: &Value, key: &str) -> ApiResult<Option<String>> {
    let Some(text) = body.get(key).and_then(Value::as_str) else {
        return Ok(None);
    };
    let parsed = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        ApiError::invalid_field(&[key], "DATE_TIME_TYPE_PARSE", "Could not parse datetime.")
    })?;
    if parsed > chrono::Utc::now() + chrono::Duration::hours(24) {
        return Err(ApiError::invalid_field(
            &[key],
            "BASE_TYPE_BAD_TIME",
            "Incident actions can be enabled for at most 24 hours.",
        ));
    }
    Ok(crate::snowflake::normalize_iso(text))
}

/// Pauses (or resumes) invites and DMs. A PUT: a field left out is null (resumed).
fn incident_actions(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let invites = incident_time(&call.body, "invites_disabled_until")?;
    let dms = incident_time(&call.body, "dms_disabled_until")?;
    state
        .try_mutate(|world, _| {
            require_guild_permissions(world, guild_id, perm::MANAGE_GUILD)?;
            let guild = guild_mut(world, guild_id)?;
            guild.incidents = crate::world::Incidents {
                invites_disabled_until: invites,
                dms_disabled_until: dms,
            };
            let incidents = &guild.incidents;
            let answer = json!({
                "invites_disabled_until": incidents.invites_disabled_until,
                "dms_disabled_until": incidents.dms_disabled_until,
                "dm_spam_detected_at": null,
                "raid_detected_at": null,
            });
            let guild_json = world
                .guild_json(guild_id)
                .ok_or_else(ApiError::unknown_guild)?;
            let event = Event::new("GUILD_UPDATE", guild_json, Some(guild_id), intents::GUILDS);
            Ok((answer, vec![event]))
        })
        .and_then(Reply::ok)
}

fn audit_logs(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let limit = call.query_u64("limit")?.unwrap_or(50);
    if limit == 0 {
        return Err(ApiError::invalid_field(
            &["limit"],
            "NUMBER_TYPE_MIN",
            "int value should be greater than or equal to 1.",
        ));
    }
    if limit > 100 {
        return Err(ApiError::invalid_field(
            &["limit"],
            "NUMBER_TYPE_MAX",
            "int value should be less than or equal to 100.",
        ));
    }
    let user_id = call.query_u64("user_id")?;
    let action_type = call.query_u64("action_type")?;
    let before = call.query_u64("before")?;
    let after = call.query_u64("after")?;
    let world = state.world.lock();
    require_guild_permissions(&world, guild_id, perm::VIEW_AUDIT_LOG)?;
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let matching = guild.audit_log.iter().filter(|e| {
        user_id.is_none_or(|u| e.user_id == u)
            && action_type.is_none_or(|a| u64::from(e.action_type) == a)
            && before.is_none_or(|b| e.id < b)
            && after.is_none_or(|a| e.id > a)
    });
    // Newest first; with `after` (and no `before`) the page just above `after`.
    let mut picked: Vec<&crate::audit::AuditEntry> = if after.is_some() && before.is_none() {
        matching.take(limit as usize).collect()
    } else {
        let mut newest: Vec<_> = matching.rev().take(limit as usize).collect();
        newest.reverse();
        newest
    };
    picked.reverse();
    let mut user_ids: Vec<u64> = Vec::new();
    for entry in &picked {
        user_ids.push(entry.user_id);
        if let Some(target) = entry.target_id.filter(|t| world.users.contains_key(t)) {
            user_ids.push(target);
        }
    }
    user_ids.sort_unstable();
    user_ids.dedup();
    Reply::ok(json!({
        "application_commands": [],
        "audit_log_entries": picked.iter().map(|e| e.to_json()).collect::<Vec<_>>(),
        "auto_moderation_rules": [],
        "guild_scheduled_events": [],
        "integrations": [],
        "threads": [],
        "users": user_ids.iter().filter_map(|id| world.users.get(id)).map(|u| u.to_json()).collect::<Vec<_>>(),
        "webhooks": [],
    }))
}

fn emojis_event(world: &World, guild_id: u64) -> Event {
    let emojis: Vec<Value> = world
        .guild(guild_id)
        .map(|g| g.emojis.values().map(Emoji::to_json).collect())
        .unwrap_or_default();
    Event::new(
        "GUILD_EMOJIS_UPDATE",
        json!({"guild_id": guild_id.to_string(), "emojis": emojis}),
        Some(guild_id),
        intents::GUILD_EXPRESSIONS,
    )
}

fn require_expression_permission(world: &World, guild_id: u64) -> ApiResult<()> {
    let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
    let have = perm::guild_permissions(guild, world.bot_user_id);
    if have & (perm::MANAGE_GUILD_EXPRESSIONS | perm::CREATE_GUILD_EXPRESSIONS) == 0 {
        return Err(ApiError::missing_permissions());
    }
    Ok(())
}

fn create_emoji(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let body = &call.body;
    let image = body["image"].as_str().unwrap_or("");
    let (animated, data) = decode_data_uri(image)?;
    state
        .try_mutate(|world, ids| {
            require_expression_permission(world, guild_id)?;
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            if guild
                .emojis
                .values()
                .filter(|e| e.animated == animated)
                .count()
                >= 50
            {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    30008,
                    "Maximum number of emojis reached (50)",
                ));
            }
            let emoji = Emoji {
                id: ids.next(),
                name: body["name"].as_str().unwrap_or("").to_string(),
                animated,
                image: data,
            };
            guild_mut(world, guild_id)?
                .emojis
                .insert(emoji.id, emoji.clone());
            let mut json = emoji.to_json();
            json["user"] = world
                .users
                .get(&world.bot_user_id)
                .map(|u| u.to_json())
                .unwrap_or(Value::Null);
            Ok((json, vec![emojis_event(world, guild_id)]))
        })
        .and_then(Reply::created)
}

/// Decodes `data:image/png;base64,…`; `(animated, bytes)`.
fn decode_data_uri(uri: &str) -> ApiResult<(bool, bytes::Bytes)> {
    let invalid = || ApiError::invalid_field(&["image"], "IMAGE_INVALID", "Invalid image data");
    let rest = uri.strip_prefix("data:").ok_or_else(invalid)?;
    let (mime, data) = rest.split_once(";base64,").ok_or_else(invalid)?;
    if ![
        "image/png",
        "image/jpeg",
        "image/jpg",
        "image/gif",
        "image/webp",
        "image/avif",
    ]
    .contains(&mime)
    {
        return Err(invalid());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .map_err(|_| invalid())?;
    if bytes.len() > 256 * 1024 {
        return Err(ApiError::invalid_field(
            &["image"],
            "BINARY_TYPE_MAX_SIZE",
            "File cannot be larger than 256.0 kb.",
        ));
    }
    // Discord reads the content: a data URI whose bytes are not the type it names (or no
    // image at all) is refused.
    let matches = match mime {
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" | "image/jpg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/gif" => bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
        "image/webp" => bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP",
        _ => bytes.len() > 12 && &bytes[4..8] == b"ftyp",
    };
    if !matches {
        return Err(invalid());
    }
    Ok((mime == "image/gif", bytes.into()))
}

fn modify_emoji(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let emoji_id = call.id("emoji_id")?;
    state
        .try_mutate(|world, _| {
            require_expression_permission(world, guild_id)?;
            let emoji = guild_mut(world, guild_id)?
                .emojis
                .get_mut(&emoji_id)
                .ok_or_else(ApiError::unknown_emoji)?;
            if let Some(name) = call.body["name"].as_str() {
                emoji.name = name.to_string();
            }
            let json = emoji.to_json();
            Ok((json, vec![emojis_event(world, guild_id)]))
        })
        .and_then(Reply::ok)
}

fn delete_emoji(state: &SimState, call: &Call, guild_id: u64) -> ApiResult<Reply> {
    let emoji_id = call.id("emoji_id")?;
    state.try_mutate(|world, _| {
        require_expression_permission(world, guild_id)?;
        if guild_mut(world, guild_id)?
            .emojis
            .remove(&emoji_id)
            .is_none()
        {
            return Err(ApiError::unknown_emoji());
        }
        Ok(((), vec![emojis_event(world, guild_id)]))
    })?;
    Reply::no_content()
}
