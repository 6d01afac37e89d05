//! Discord permission bits and the computation of a member's permissions in a guild
//! and in a channel (roles, then overwrites: @everyone, roles, member), as Discord does it.

use crate::world::{Channel, Guild};

pub const CREATE_INSTANT_INVITE: u64 = 1 << 0;
pub const KICK_MEMBERS: u64 = 1 << 1;
pub const BAN_MEMBERS: u64 = 1 << 2;
pub const ADMINISTRATOR: u64 = 1 << 3;
pub const MANAGE_CHANNELS: u64 = 1 << 4;
pub const MANAGE_GUILD: u64 = 1 << 5;
pub const ADD_REACTIONS: u64 = 1 << 6;
pub const VIEW_AUDIT_LOG: u64 = 1 << 7;
pub const VIEW_CHANNEL: u64 = 1 << 10;
pub const SEND_MESSAGES: u64 = 1 << 11;
pub const MANAGE_MESSAGES: u64 = 1 << 13;
pub const EMBED_LINKS: u64 = 1 << 14;
pub const ATTACH_FILES: u64 = 1 << 15;
pub const READ_MESSAGE_HISTORY: u64 = 1 << 16;
pub const MENTION_EVERYONE: u64 = 1 << 17;
pub const USE_EXTERNAL_EMOJIS: u64 = 1 << 18;
pub const CONNECT: u64 = 1 << 20;
pub const SPEAK: u64 = 1 << 21;
pub const MOVE_MEMBERS: u64 = 1 << 24;
pub const CHANGE_NICKNAME: u64 = 1 << 26;
pub const MANAGE_NICKNAMES: u64 = 1 << 27;
pub const MANAGE_ROLES: u64 = 1 << 28;
pub const MANAGE_WEBHOOKS: u64 = 1 << 29;
pub const MANAGE_GUILD_EXPRESSIONS: u64 = 1 << 30;
pub const USE_APPLICATION_COMMANDS: u64 = 1 << 31;
pub const MANAGE_THREADS: u64 = 1 << 34;
pub const MODERATE_MEMBERS: u64 = 1 << 40;
pub const CREATE_GUILD_EXPRESSIONS: u64 = 1 << 43;
pub const PIN_MESSAGES: u64 = 1 << 51;

/// Every permission bit Discord defines today (used for Administrator and owners).
pub const ALL: u64 = (1 << 52) - 1;

/// What @everyone gets in a new guild, as Discord sets it.
pub const DEFAULT_EVERYONE: u64 = CREATE_INSTANT_INVITE
    | ADD_REACTIONS
    | VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_EXTERNAL_EMOJIS
    | CONNECT
    | SPEAK
    | CHANGE_NICKNAME
    | USE_APPLICATION_COMMANDS;

/// A member's guild-level permissions: @everyone plus each of their roles;
/// everything for the owner or anyone with Administrator.
pub fn guild_permissions(guild: &Guild, user_id: u64) -> u64 {
    if guild.owner_id == user_id {
        return ALL;
    }
    let Some(member) = guild.members.get(&user_id) else {
        return 0;
    };
    let mut perms = guild
        .roles
        .get(&guild.id)
        .map(|everyone| everyone.permissions)
        .unwrap_or(0);
    for role_id in &member.roles {
        if let Some(role) = guild.roles.get(role_id) {
            perms |= role.permissions;
        }
    }
    if perms & ADMINISTRATOR != 0 {
        return ALL;
    }
    perms
}

/// A member's permissions in a channel: guild permissions, then the @everyone overwrite,
/// then role overwrites together, then the member's own overwrite. A member who cannot
/// view the channel has no permissions in it.
pub fn channel_permissions(guild: &Guild, channel: &Channel, user_id: u64) -> u64 {
    let base = guild_permissions(guild, user_id);
    if base & ADMINISTRATOR != 0 || guild.owner_id == user_id {
        return ALL;
    }
    let Some(member) = guild.members.get(&user_id) else {
        return 0;
    };
    let mut perms = base;
    let overwrites = &channel.permission_overwrites;
    if let Some(everyone) = overwrites.iter().find(|o| o.id == guild.id) {
        perms &= !everyone.deny;
        perms |= everyone.allow;
    }
    let (mut allow, mut deny) = (0u64, 0u64);
    for overwrite in overwrites
        .iter()
        .filter(|o| o.kind == 0 && member.roles.contains(&o.id))
    {
        allow |= overwrite.allow;
        deny |= overwrite.deny;
    }
    perms &= !deny;
    perms |= allow;
    if let Some(own) = overwrites.iter().find(|o| o.kind == 1 && o.id == user_id) {
        perms &= !own.deny;
        perms |= own.allow;
    }
    if perms & VIEW_CHANNEL == 0 {
        return 0;
    }
    perms
}

/// The position of a member's highest role (0 for @everyone only); the owner is above all.
pub fn highest_role_position(guild: &Guild, user_id: u64) -> i64 {
    if guild.owner_id == user_id {
        return i64::MAX;
    }
    guild
        .members
        .get(&user_id)
        .map(|member| {
            member
                .roles
                .iter()
                .filter_map(|id| guild.roles.get(id))
                .map(|role| role.position as i64)
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Names of the bits set in `required` but missing from `have`, for error logs.
pub fn missing(have: u64, required: u64) -> u64 {
    required & !have
}
