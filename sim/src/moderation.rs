//! Moderation as one world change whoever does it: delete a channel or a role, kick,
//! ban — the same change, the same gateway events and an audit log entry naming the
//! actor, whether the bot does it over REST or a person does it in the client.
//!
//! Callers check permissions first (the REST routes the bot's, the control API the
//! person's, with [`may_act_on_member`] and [`may_manage_role`] for the hierarchy).

use serde_json::{json, Value};

use crate::audit::{action, change};
use crate::permissions as perm;
use crate::snowflake::SnowflakeGenerator;
use crate::world::{intents, Event, Guild, World};

/// Whether `actor` may kick, ban or time out `target`: never the owner, and only from a
/// highest role above the target's (the owner is above everyone).
pub fn may_act_on_member(guild: &Guild, actor: u64, target: u64) -> bool {
    if guild.owner_id == target {
        return false;
    }
    actor == target
        || perm::highest_role_position(guild, actor) > perm::highest_role_position(guild, target)
}

/// Whether `actor` may manage (assign, edit, delete) a role: not @everyone, not a
/// managed role, and below the actor's highest role.
pub fn may_manage_role(guild: &Guild, actor: u64, role_id: u64) -> bool {
    let Some(role) = guild.roles.get(&role_id) else {
        return false;
    };
    !role.managed
        && role_id != guild.id
        && perm::highest_role_position(guild, actor) > i64::from(role.position)
}

/// GUILD_BAN_ADD/REMOVE reach only bots with BAN_MEMBERS or VIEW_AUDIT_LOG.
fn ban_event_visible(world: &World, guild_id: u64) -> bool {
    world.guild(guild_id).is_some_and(|g| {
        perm::guild_permissions(g, world.bot_user_id) & (perm::BAN_MEMBERS | perm::VIEW_AUDIT_LOG)
            != 0
    })
}

/// Deletes a channel; returns its JSON (as it was) and CHANNEL_DELETE (+ audit entry).
pub fn delete_channel(
    world: &mut World,
    ids: &SnowflakeGenerator,
    channel_id: u64,
    actor: u64,
    reason: Option<String>,
) -> Option<(Value, Vec<Event>)> {
    let channel = world.channels.get(&channel_id)?.clone();
    let json = channel.to_json(world);
    let event = world.channel_event("CHANNEL_DELETE", &channel);
    world.channels.remove(&channel_id);
    world.messages.remove(&channel_id);
    world.webhooks.retain(|_, w| w.channel_id != channel_id);
    if let Some(recipient) = channel.recipient_id {
        world.dm_channels.remove(&recipient);
    }
    for child in world
        .channels
        .values_mut()
        .filter(|c| c.parent_id == Some(channel_id))
    {
        child.parent_id = None;
    }
    // A DM channel's removal is not a guild event.
    let Some(guild_id) = channel.guild_id else {
        return Some((json, Vec::new()));
    };
    let changes = vec![
        change("name", json!(channel.name), Value::Null),
        change("type", json!(channel.kind), Value::Null),
        change(
            "permission_overwrites",
            json["permission_overwrites"].clone(),
            Value::Null,
        ),
        change("nsfw", json!(channel.nsfw), Value::Null),
        change(
            "rate_limit_per_user",
            json!(channel.rate_limit_per_user),
            Value::Null,
        ),
    ];
    let mut events = vec![event];
    events.extend(world.record_audit(
        ids,
        guild_id,
        actor,
        action::CHANNEL_DELETE,
        Some(channel_id),
        reason,
        changes,
    ));
    Some((json, events))
}

/// Deletes a role (taking it from every member); GUILD_ROLE_DELETE (+ audit entry).
pub fn delete_role(
    world: &mut World,
    ids: &SnowflakeGenerator,
    guild_id: u64,
    role_id: u64,
    actor: u64,
    reason: Option<String>,
) -> Vec<Event> {
    let Some(guild) = world.guilds.get_mut(&guild_id) else {
        return Vec::new();
    };
    let Some(role) = guild.roles.remove(&role_id) else {
        return Vec::new();
    };
    for member in guild.members.values_mut() {
        member.roles.retain(|r| *r != role_id);
    }
    let mut events = vec![Event::new(
        "GUILD_ROLE_DELETE",
        json!({"guild_id": guild_id.to_string(), "role_id": role_id.to_string()}),
        Some(guild_id),
        intents::GUILDS,
    )];
    let changes = vec![
        change("name", json!(role.name), Value::Null),
        change(
            "permissions",
            json!(role.permissions.to_string()),
            Value::Null,
        ),
        change("color", json!(role.color), Value::Null),
        change("hoist", json!(role.hoist), Value::Null),
        change("mentionable", json!(role.mentionable), Value::Null),
    ];
    events.extend(world.record_audit(
        ids,
        guild_id,
        actor,
        action::ROLE_DELETE,
        Some(role_id),
        reason,
        changes,
    ));
    events
}

/// Kicks a member: GUILD_MEMBER_REMOVE (+ audit entry).
pub fn kick(
    world: &mut World,
    ids: &SnowflakeGenerator,
    guild_id: u64,
    user_id: u64,
    actor: u64,
    reason: Option<String>,
) -> Vec<Event> {
    let mut events = crate::rest::remove_member(world, guild_id, user_id);
    if !events.is_empty() {
        events.extend(world.record_audit(
            ids,
            guild_id,
            actor,
            action::MEMBER_KICK,
            Some(user_id),
            reason,
            Vec::new(),
        ));
    }
    events
}

/// Bans a user (a member or not): GUILD_MEMBER_REMOVE if a member, one
/// MESSAGE_DELETE_BULK per channel for their messages of the last `delete_seconds`,
/// GUILD_BAN_ADD, and the audit entry.
pub fn ban(
    world: &mut World,
    ids: &SnowflakeGenerator,
    guild_id: u64,
    user_id: u64,
    actor: u64,
    reason: Option<String>,
    delete_seconds: u64,
) -> Vec<Event> {
    let mut events = crate::rest::remove_member(world, guild_id, user_id);
    if delete_seconds > 0 {
        let cutoff_ms = crate::snowflake::now_unix_ms().saturating_sub(delete_seconds * 1000);
        let channel_ids: Vec<u64> = world
            .guild_channels(guild_id)
            .iter()
            .map(|c| c.id)
            .collect();
        for channel_id in channel_ids {
            let doomed: Vec<u64> = world
                .messages
                .get(&channel_id)
                .map(|m| {
                    m.values()
                        .filter(|m| {
                            m.author_id == user_id
                                && crate::snowflake::unix_ms_of(m.id) >= cutoff_ms
                        })
                        .map(|m| m.id)
                        .collect()
                })
                .unwrap_or_default();
            if doomed.is_empty() {
                continue;
            }
            for id in &doomed {
                world.delete_message(channel_id, *id);
            }
            events.push(Event::new(
                "MESSAGE_DELETE_BULK",
                json!({
                    "ids": doomed.iter().map(|id| id.to_string()).collect::<Vec<_>>(),
                    "channel_id": channel_id.to_string(),
                    "guild_id": guild_id.to_string(),
                }),
                Some(guild_id),
                intents::GUILD_MESSAGES,
            ));
        }
    }
    let visible = ban_event_visible(world, guild_id);
    let Some(guild) = world.guilds.get_mut(&guild_id) else {
        return events;
    };
    guild.bans.insert(user_id, reason.clone());
    if visible {
        let user = world.users.get(&user_id).map(|u| u.to_json());
        events.push(Event::new(
            "GUILD_BAN_ADD",
            json!({"guild_id": guild_id.to_string(), "user": user}),
            Some(guild_id),
            intents::GUILD_MODERATION,
        ));
    }
    events.extend(world.record_audit(
        ids,
        guild_id,
        actor,
        action::MEMBER_BAN_ADD,
        Some(user_id),
        reason,
        Vec::new(),
    ));
    events
}

/// MEMBER_ROLE_UPDATE's `$add`/`$remove` changes between two role lists.
pub fn role_changes(guild: &Guild, before: &[u64], after: &[u64]) -> Vec<Value> {
    let named = |ids: Vec<&u64>| -> Value {
        ids.into_iter()
            .map(|id| {
                let name = guild.roles.get(id).map(|r| r.name.clone());
                json!({"id": id.to_string(), "name": name})
            })
            .collect()
    };
    let added: Vec<&u64> = after.iter().filter(|r| !before.contains(r)).collect();
    let removed: Vec<&u64> = before.iter().filter(|r| !after.contains(r)).collect();
    let mut changes = Vec::new();
    if !added.is_empty() {
        changes.push(change("$add", Value::Null, named(added)));
    }
    if !removed.is_empty() {
        changes.push(change("$remove", Value::Null, named(removed)));
    }
    changes
}
