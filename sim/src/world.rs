//! The sim's world in memory: users, guilds, roles, members, channels, messages,
//! reactions, emojis, voice states and presences, and their JSON as Discord sends it.
//!
//! The world does no I/O. Mutations return the gateway [`Event`]s they cause, and the
//! caller dispatches them; so REST handlers and the control API change the world the
//! same way and the bot sees the same events for both.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use crate::permissions;
use crate::snowflake::{iso_from_unix_ms, iso_timestamp_of, now_unix_ms};

/// Gateway intent bits (what an identify asks for decides which events it gets).
pub mod intents {
    pub const GUILDS: u64 = 1 << 0;
    pub const GUILD_MEMBERS: u64 = 1 << 1;
    pub const GUILD_MODERATION: u64 = 1 << 2;
    pub const GUILD_EXPRESSIONS: u64 = 1 << 3;
    pub const GUILD_WEBHOOKS: u64 = 1 << 5;
    pub const GUILD_INVITES: u64 = 1 << 6;
    pub const GUILD_VOICE_STATES: u64 = 1 << 7;
    pub const GUILD_PRESENCES: u64 = 1 << 8;
    pub const GUILD_MESSAGES: u64 = 1 << 9;
    pub const GUILD_MESSAGE_REACTIONS: u64 = 1 << 10;
    pub const DIRECT_MESSAGES: u64 = 1 << 12;
    pub const DIRECT_MESSAGE_REACTIONS: u64 = 1 << 13;
    pub const MESSAGE_CONTENT: u64 = 1 << 15;
    /// Intents that need approval in the developer portal.
    pub const PRIVILEGED: u64 = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;
    /// Sentinel for events every session gets (INTERACTION_CREATE, READY, …).
    pub const ALWAYS: u64 = 0;
}

/// Channel types used by the sim.
pub mod channel_kind {
    pub const GUILD_TEXT: u8 = 0;
    pub const DM: u8 = 1;
    pub const GUILD_VOICE: u8 = 2;
    pub const GUILD_CATEGORY: u8 = 4;
    pub const GUILD_ANNOUNCEMENT: u8 = 5;
    pub const GUILD_FORUM: u8 = 15;
}

/// A gateway dispatch caused by a change in the world.
#[derive(Debug, Clone)]
pub struct Event {
    /// Dispatch name, e.g. `MESSAGE_CREATE`.
    pub name: &'static str,
    pub data: Value,
    /// The guild it belongs to (decides the shard); `None` for DMs (shard 0).
    pub guild_id: Option<u64>,
    /// The intent a session needs to receive it; [`intents::ALWAYS`] for none.
    pub intent: u64,
}

impl Event {
    pub fn new(name: &'static str, data: Value, guild_id: Option<u64>, intent: u64) -> Self {
        Self {
            name,
            data,
            guild_id,
            intent,
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: u64,
    pub username: String,
    pub global_name: Option<String>,
    pub bot: bool,
    /// Whether the user accepts DMs from this bot (false → 50007 on send).
    pub accepts_dms: bool,
    /// The language of the user's Discord client: each interaction's `locale`.
    pub locale: String,
    /// Avatar hash; `None` is the default avatar.
    pub avatar: Option<String>,
}

/// Members above which GUILD_CREATE is a large guild's (Discord's highest threshold).
pub const LARGE_THRESHOLD: usize = 250;

impl User {
    pub fn to_json(&self) -> Value {
        let mut user = json!({
            "id": self.id.to_string(),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": self.avatar,
            "public_flags": 0,
            "flags": 0,
        });
        if self.bot {
            user["bot"] = json!(true);
        }
        user
    }
}

#[derive(Debug, Clone)]
pub struct Role {
    pub id: u64,
    pub name: String,
    pub permissions: u64,
    pub position: i32,
    pub color: u32,
    pub hoist: bool,
    pub mentionable: bool,
    pub managed: bool,
}

impl Role {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "name": self.name,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": null, "tertiary_color": null},
            "hoist": self.hoist,
            "icon": null,
            "unicode_emoji": null,
            "position": self.position,
            "permissions": self.permissions.to_string(),
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        })
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: u64,
    pub nick: Option<String>,
    pub roles: Vec<u64>,
    pub joined_at_ms: u64,
    pub communication_disabled_until: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overwrite {
    pub id: u64,
    /// 0 role, 1 member.
    pub kind: u8,
    pub allow: u64,
    pub deny: u64,
}

impl Overwrite {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "type": self.kind,
            "allow": self.allow.to_string(),
            "deny": self.deny.to_string(),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Channel {
    pub id: u64,
    pub kind: u8,
    pub guild_id: Option<u64>,
    pub name: Option<String>,
    pub parent_id: Option<u64>,
    pub position: i32,
    pub topic: Option<String>,
    pub nsfw: bool,
    pub rate_limit_per_user: u32,
    pub permission_overwrites: Vec<Overwrite>,
    /// DM recipient (the person, not the bot).
    pub recipient_id: Option<u64>,
    pub last_message_id: Option<u64>,
    pub bitrate: Option<u32>,
    pub user_limit: Option<u32>,
}

impl Channel {
    pub fn to_json(&self, world: &World) -> Value {
        let mut channel = json!({
            "id": self.id.to_string(),
            "type": self.kind,
            "last_message_id": self.last_message_id.map(|id| id.to_string()),
            "flags": 0,
        });
        if let Some(guild_id) = self.guild_id {
            channel["guild_id"] = json!(guild_id.to_string());
            channel["name"] = json!(self.name);
            channel["position"] = json!(self.position);
            channel["parent_id"] = json!(self.parent_id.map(|id| id.to_string()));
            channel["permission_overwrites"] = Value::Array(
                self.permission_overwrites
                    .iter()
                    .map(Overwrite::to_json)
                    .collect(),
            );
            channel["nsfw"] = json!(self.nsfw);
            if self.kind == channel_kind::GUILD_VOICE {
                channel["bitrate"] = json!(self.bitrate.unwrap_or(64_000));
                channel["user_limit"] = json!(self.user_limit.unwrap_or(0));
                channel["rtc_region"] = Value::Null;
            } else if self.kind != channel_kind::GUILD_CATEGORY {
                channel["topic"] = json!(self.topic);
                channel["rate_limit_per_user"] = json!(self.rate_limit_per_user);
            }
        } else if let Some(recipient) = self.recipient_id.and_then(|id| world.users.get(&id)) {
            channel["recipients"] = json!([recipient.to_json()]);
        }
        channel
    }
}

#[derive(Debug, Clone)]
pub struct Attachment {
    pub id: u64,
    pub filename: String,
    pub content_type: Option<String>,
    pub description: Option<String>,
    pub data: bytes::Bytes,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EmojiKey {
    Unicode(String),
    Custom { id: u64, name: String },
}

impl EmojiKey {
    /// Parses the `{emoji}` path segment of the reaction routes: `🔥` or `name:id`.
    pub fn parse(segment: &str) -> Option<Self> {
        if segment.is_empty() {
            return None;
        }
        match segment.rsplit_once(':') {
            Some((name, id)) => id.parse().ok().map(|id| EmojiKey::Custom {
                id,
                name: name.trim_start_matches("a:").to_string(),
            }),
            None => Some(EmojiKey::Unicode(segment.to_string())),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            EmojiKey::Unicode(name) => json!({"id": null, "name": name}),
            EmojiKey::Custom { id, name } => json!({"id": id.to_string(), "name": name}),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Reaction {
    pub emoji: EmojiKey,
    pub user_ids: Vec<u64>,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub id: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub author_id: u64,
    pub content: String,
    pub embeds: Vec<Value>,
    pub components: Vec<Value>,
    pub attachments: Vec<Attachment>,
    pub edited_at_ms: Option<u64>,
    /// Every earlier version's content/embeds/components, oldest first.
    pub history: Vec<Value>,
    pub pinned: bool,
    pub flags: u64,
    pub kind: u8,
    pub reactions: Vec<Reaction>,
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    /// For messages sent in answer to an interaction: (interaction id, type, user id).
    pub interaction: Option<(u64, u8, u64)>,
    pub message_reference: Option<Value>,
    pub tts: bool,
}

impl Message {
    /// Full JSON as REST returns it and as MESSAGE_CREATE carries it (with content).
    pub fn to_json(&self, world: &World) -> Value {
        let webhook_author = || {
            let webhook = world.webhooks.get(&self.webhook_id?)?;
            let name = world.webhook_names.get(&self.id).unwrap_or(&webhook.name);
            Some(json!({
                "id": webhook.id.to_string(),
                "username": name,
                "avatar": null,
                "discriminator": "0000",
                "public_flags": 0,
                "flags": 0,
                "bot": true,
                "global_name": null,
            }))
        };
        let author = world
            .users
            .get(&self.author_id)
            .map(User::to_json)
            .or_else(webhook_author)
            .unwrap_or_else(|| json!({"id": self.author_id.to_string(), "username": "unknown", "discriminator": "0", "avatar": null, "global_name": null}));
        let attachments: Vec<Value> = self
            .attachments
            .iter()
            .map(|a| {
                let url = format!(
                    "{}/attachments/{}/{}/{}",
                    world.cdn_base, self.channel_id, a.id, a.filename
                );
                json!({
                    "id": a.id.to_string(),
                    "filename": a.filename,
                    "description": a.description,
                    "content_type": a.content_type,
                    "size": a.data.len(),
                    "url": url,
                    "proxy_url": url,
                })
            })
            .collect();
        let mut mentioned = mentioned_user_ids(&self.content);
        mentioned.sort_unstable();
        mentioned.dedup();
        let mentions: Vec<Value> = mentioned
            .into_iter()
            .filter_map(|id| world.users.get(&id).map(User::to_json))
            .collect();
        let guild = self.guild_id.and_then(|g| world.guilds.get(&g));
        let mut mention_roles = mentioned_role_ids(&self.content);
        mention_roles.sort_unstable();
        mention_roles.dedup();
        let mention_roles: Vec<String> = mention_roles
            .into_iter()
            .filter(|id| guild.is_some_and(|g| g.roles.contains_key(id) && *id != g.id))
            .map(|id| id.to_string())
            .collect();
        let mut message = json!({
            "id": self.id.to_string(),
            "channel_id": self.channel_id.to_string(),
            "author": author,
            "content": self.content,
            "timestamp": iso_timestamp_of(self.id),
            "edited_timestamp": self.edited_at_ms.map(iso_from_unix_ms),
            "tts": self.tts,
            "mention_everyone": self.mentions_everyone(world),
            "mentions": mentions,
            "mention_roles": mention_roles,
            "attachments": attachments,
            "embeds": self.embeds,
            "components": self.components,
            "pinned": self.pinned,
            "type": self.kind,
            "flags": self.flags,
        });
        if let Some(guild_id) = self.guild_id {
            message["guild_id"] = json!(guild_id.to_string());
        }
        if !self.reactions.is_empty() {
            let bot_id = world.bot_user_id;
            message["reactions"] = Value::Array(
                self.reactions
                    .iter()
                    .map(|r| {
                        json!({
                            "count": r.user_ids.len(),
                            "count_details": {"burst": 0, "normal": r.user_ids.len()},
                            "me": r.user_ids.contains(&bot_id),
                            "me_burst": false,
                            "burst_colors": [],
                            "emoji": r.emoji.to_json(),
                        })
                    })
                    .collect(),
            );
        }
        if let Some(webhook_id) = self.webhook_id {
            message["webhook_id"] = json!(webhook_id.to_string());
        }
        if let Some(application_id) = self.application_id {
            message["application_id"] = json!(application_id.to_string());
        }
        if let Some((interaction_id, kind, user_id)) = self.interaction {
            let user = world.users.get(&user_id).map(User::to_json);
            message["interaction_metadata"] = json!({
                "id": interaction_id.to_string(),
                "type": kind,
                "user": user,
                "authorizing_integration_owners": {"0": self.guild_id.map(|g| g.to_string()).unwrap_or_else(|| "0".into())},
            });
        }
        if let Some(reference) = &self.message_reference {
            message["message_reference"] = reference.clone();
        }
        message
    }

    /// Whether `@everyone`/`@here` in the content pings: only in a guild, and only when
    /// the author may mention everyone in the channel (a webhook always may).
    pub fn mentions_everyone(&self, world: &World) -> bool {
        if !(self.content.contains("@everyone") || self.content.contains("@here")) {
            return false;
        }
        let Some(channel) = self.guild_id.and(world.channels.get(&self.channel_id)) else {
            return false;
        };
        self.webhook_id.is_some()
            || world.member_channel_permissions(channel, self.author_id)
                & permissions::MENTION_EVERYONE
                != 0
    }

    /// The current content, embeds and components (for edit history).
    pub fn snapshot(&self) -> Value {
        json!({"content": self.content, "embeds": self.embeds, "components": self.components})
    }
}

/// `<@123>` and `<@!123>` mentions in a message's content.
pub fn mentioned_user_ids(content: &str) -> Vec<u64> {
    mention_ids(content, "<@")
        .into_iter()
        .chain(mention_ids(content, "<@!"))
        .collect()
}

/// `<@&123>` role mentions in a message's content.
pub fn mentioned_role_ids(content: &str) -> Vec<u64> {
    mention_ids(content, "<@&")
}

fn mention_ids(content: &str, prefix: &str) -> Vec<u64> {
    let mut ids = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find(prefix) {
        let after = &rest[start + prefix.len()..];
        let digits: String = after.chars().take_while(|c| c.is_ascii_digit()).collect();
        if !digits.is_empty() && after[digits.len()..].starts_with('>') {
            if let Ok(id) = digits.parse() {
                ids.push(id);
            }
        }
        rest = after;
    }
    ids
}

#[derive(Debug, Clone)]
pub struct Emoji {
    pub id: u64,
    pub name: String,
    pub animated: bool,
    pub image: bytes::Bytes,
}

impl Emoji {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id.to_string(),
            "name": self.name,
            "roles": [],
            "require_colons": true,
            "managed": false,
            "animated": self.animated,
            "available": true,
        })
    }
}

#[derive(Debug, Clone)]
pub struct VoiceState {
    pub user_id: u64,
    pub channel_id: u64,
    pub session_id: String,
}

#[derive(Debug, Clone)]
pub struct Presence {
    pub user_id: u64,
    /// online, idle, dnd, offline
    pub status: String,
    /// Activities as Discord sends them (`[{"name": "…", "type": 0}]`).
    pub activities: Value,
}

/// A guild invite (`discord.gg/{code}`).
#[derive(Debug, Clone)]
pub struct Invite {
    pub code: String,
    pub channel_id: u64,
    pub inviter_id: Option<u64>,
    pub uses: u32,
    /// 0 for unlimited.
    pub max_uses: u32,
    /// Seconds the invite lives; 0 for forever.
    pub max_age: u32,
    pub temporary: bool,
    pub created_at_ms: u64,
}

impl Invite {
    /// `expires_at`, or null for an invite that never expires.
    fn expires_at(&self) -> Value {
        if self.max_age == 0 {
            return Value::Null;
        }
        json!(iso_from_unix_ms(
            self.created_at_ms + u64::from(self.max_age) * 1000
        ))
    }

    /// The invite object with metadata, as the invite REST routes return it.
    pub fn to_json(&self, world: &World, guild_id: u64) -> Value {
        let guild = world.guild(guild_id);
        let channel = world.channel(self.channel_id);
        json!({
            "type": 0,
            "code": self.code,
            "guild": guild.map(|g| json!({
                "id": g.id.to_string(),
                "name": g.name,
                "splash": null,
                "banner": null,
                "description": null,
                "icon": null,
                "features": [],
                "verification_level": 0,
                "vanity_url_code": null,
                "nsfw_level": 0,
                "premium_subscription_count": 0,
            })),
            "channel": channel.map(|c| json!({"id": c.id.to_string(), "name": c.name, "type": c.kind})),
            "inviter": self.inviter_id.and_then(|id| world.users.get(&id)).map(User::to_json),
            "expires_at": self.expires_at(),
            "uses": self.uses,
            "max_uses": self.max_uses,
            "max_age": self.max_age,
            "temporary": self.temporary,
            "created_at": iso_from_unix_ms(self.created_at_ms),
        })
    }

    /// INVITE_CREATE's payload.
    pub fn create_event_json(&self, world: &World, guild_id: u64) -> Value {
        json!({
            "channel_id": self.channel_id.to_string(),
            "code": self.code,
            "created_at": iso_from_unix_ms(self.created_at_ms),
            "guild_id": guild_id.to_string(),
            "inviter": self.inviter_id.and_then(|id| world.users.get(&id)).map(User::to_json),
            "max_age": self.max_age,
            "max_uses": self.max_uses,
            "temporary": self.temporary,
            "uses": self.uses,
            "expires_at": self.expires_at(),
        })
    }
}

/// A guild's incident actions (paused invites / DMs), ISO 8601 timestamps as given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incidents {
    pub invites_disabled_until: Option<String>,
    pub dms_disabled_until: Option<String>,
}

impl Incidents {
    /// The guild's `incidents_data`: null while no action was ever set.
    pub fn to_json(&self) -> Value {
        if self.invites_disabled_until.is_none() && self.dms_disabled_until.is_none() {
            return Value::Null;
        }
        json!({
            "invites_disabled_until": self.invites_disabled_until,
            "dms_disabled_until": self.dms_disabled_until,
            "dm_spam_detected_at": null,
            "raid_detected_at": null,
        })
    }

    /// Whether joining through an invite is paused right now.
    pub fn invites_paused(&self) -> bool {
        Self::in_future(self.invites_disabled_until.as_deref())
    }

    /// Whether DMs between members are paused right now.
    pub fn dms_paused(&self) -> bool {
        Self::in_future(self.dms_disabled_until.as_deref())
    }

    fn in_future(until: Option<&str>) -> bool {
        until
            .and_then(|u| chrono::DateTime::parse_from_rfc3339(u).ok())
            .is_some_and(|u| u > chrono::Utc::now())
    }
}

#[derive(Debug, Clone, Default)]
pub struct Guild {
    pub id: u64,
    pub name: String,
    pub owner_id: u64,
    pub roles: BTreeMap<u64, Role>,
    pub members: BTreeMap<u64, Member>,
    pub emojis: BTreeMap<u64, Emoji>,
    /// Banned user → reason.
    pub bans: BTreeMap<u64, Option<String>>,
    pub voice_states: BTreeMap<u64, VoiceState>,
    pub presences: BTreeMap<u64, Presence>,
    /// Invites by code.
    pub invites: BTreeMap<String, Invite>,
    pub incidents: Incidents,
    /// Audit log entries, oldest first.
    pub audit_log: Vec<crate::audit::AuditEntry>,
}

/// A channel webhook that is not an interaction's (made by a person or an integration).
#[derive(Debug, Clone)]
pub struct Webhook {
    pub id: u64,
    pub channel_id: u64,
    pub guild_id: Option<u64>,
    pub name: String,
    pub token: String,
    /// Who made it.
    pub user_id: Option<u64>,
}

/// A registered application command (global when `guild_id` is None).
#[derive(Debug, Clone)]
pub struct Command {
    pub id: u64,
    pub guild_id: Option<u64>,
    /// The command as the bot sent it, with the id fields Discord adds.
    pub body: Value,
}

impl Command {
    pub fn name(&self) -> &str {
        self.body["name"].as_str().unwrap_or("")
    }
    pub fn kind(&self) -> u64 {
        self.body["type"].as_u64().unwrap_or(1)
    }
}

/// Everything the sim knows. Guarded by one lock in [`crate::Sim`].
#[derive(Debug)]
pub struct World {
    pub bot_user_id: u64,
    pub application_id: u64,
    /// Base URL for attachment downloads (`http://127.0.0.1:P`).
    pub cdn_base: String,
    pub users: HashMap<u64, User>,
    pub guilds: BTreeMap<u64, Guild>,
    pub channels: HashMap<u64, Channel>,
    /// Channel → messages by id (ids increase with time, so the map is in send order).
    pub messages: HashMap<u64, BTreeMap<u64, Message>>,
    /// Person → DM channel with the bot.
    pub dm_channels: HashMap<u64, u64>,
    pub commands: Vec<Command>,
    /// Pinned message → when it was pinned (unix ms, strictly increasing).
    pub pinned_at_ms: HashMap<u64, u64>,
    /// Channel webhooks by id.
    pub webhooks: HashMap<u64, Webhook>,
    /// Webhook message → the `username` it was executed with, overriding the webhook's.
    pub webhook_names: HashMap<u64, String>,
}

impl World {
    pub fn new(bot: User, application_id: u64) -> Self {
        let bot_user_id = bot.id;
        let mut users = HashMap::new();
        users.insert(bot.id, bot);
        Self {
            bot_user_id,
            application_id,
            cdn_base: String::new(),
            users,
            guilds: BTreeMap::new(),
            channels: HashMap::new(),
            messages: HashMap::new(),
            dm_channels: HashMap::new(),
            commands: Vec::new(),
            pinned_at_ms: HashMap::new(),
            webhooks: HashMap::new(),
            webhook_names: HashMap::new(),
        }
    }

    pub fn guild(&self, id: u64) -> Option<&Guild> {
        self.guilds.get(&id)
    }

    pub fn channel(&self, id: u64) -> Option<&Channel> {
        self.channels.get(&id)
    }

    pub fn message(&self, channel_id: u64, message_id: u64) -> Option<&Message> {
        self.messages.get(&channel_id)?.get(&message_id)
    }

    /// Guild channels in Discord's order (position, then id).
    pub fn guild_channels(&self, guild_id: u64) -> Vec<&Channel> {
        let mut channels: Vec<&Channel> = self
            .channels
            .values()
            .filter(|c| c.guild_id == Some(guild_id))
            .collect();
        channels.sort_by_key(|c| (c.position, c.id));
        channels
    }

    /// The bot's permissions in a channel (all for DMs).
    pub fn bot_channel_permissions(&self, channel: &Channel) -> u64 {
        match channel.guild_id.and_then(|g| self.guilds.get(&g)) {
            Some(guild) => permissions::channel_permissions(guild, channel, self.bot_user_id),
            None => permissions::ALL,
        }
    }

    /// A member's permissions in a channel (used for `member.permissions` and
    /// `app_permissions` in interactions).
    pub fn member_channel_permissions(&self, channel: &Channel, user_id: u64) -> u64 {
        match channel.guild_id.and_then(|g| self.guilds.get(&g)) {
            Some(guild) => permissions::channel_permissions(guild, channel, user_id),
            None => permissions::ALL,
        }
    }

    pub fn member_json(&self, guild_id: u64, user_id: u64) -> Option<Value> {
        let guild = self.guilds.get(&guild_id)?;
        let member = guild.members.get(&user_id)?;
        let mut json = member_json_without_user(member);
        json["user"] = self.users.get(&user_id)?.to_json();
        Some(json)
    }

    /// GUILD_CREATE's payload for a session with these intents.
    pub fn guild_create_json(&self, guild_id: u64, session_intents: u64) -> Option<Value> {
        let guild = self.guilds.get(&guild_id)?;
        let channels: Vec<Value> = self
            .guild_channels(guild_id)
            .into_iter()
            .map(|c| {
                let mut json = c.to_json(self);
                // GUILD_CREATE's channels carry no guild_id, like Discord.
                if let Some(object) = json.as_object_mut() {
                    object.remove("guild_id");
                }
                json
            })
            .collect();
        // A large guild (over 250 members, Discord's highest `large_threshold`) comes with
        // only the bot's own member and those in voice: the rest are asked for.
        let large = guild.members.len() > LARGE_THRESHOLD;
        let members: Vec<Value> = guild
            .members
            .keys()
            .filter(|id| {
                (session_intents & intents::GUILD_MEMBERS != 0 && !large)
                    || **id == self.bot_user_id
                    || guild.voice_states.contains_key(id)
            })
            .filter_map(|id| self.member_json(guild_id, *id))
            .collect();
        let presences: Vec<Value> = if session_intents & intents::GUILD_PRESENCES != 0 {
            guild
                .presences
                .values()
                .map(|p| presence_json(guild_id, p))
                .collect()
        } else {
            Vec::new()
        };
        let voice_states: Vec<Value> = guild
            .voice_states
            .values()
            .map(|v| voice_state_json(guild_id, v, None))
            .collect();
        let joined_at = guild
            .members
            .get(&self.bot_user_id)
            .map(|m| iso_from_unix_ms(m.joined_at_ms))
            .unwrap_or_else(|| iso_timestamp_of(guild_id));
        let mut created = json!({
            "id": guild_id.to_string(),
            "name": guild.name,
            "icon": null,
            "splash": null,
            "discovery_splash": null,
            "owner_id": guild.owner_id.to_string(),
            "afk_channel_id": null,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": guild.roles.values().map(Role::to_json).collect::<Vec<_>>(),
            "emojis": guild.emojis.values().map(Emoji::to_json).collect::<Vec<_>>(),
            "features": [],
            "mfa_level": 0,
            "application_id": null,
            "system_channel_id": null,
            "system_channel_flags": 0,
            "rules_channel_id": null,
            "vanity_url_code": null,
            "description": null,
            "banner": null,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": null,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": false,
            "stickers": [],
            "joined_at": joined_at,
            "large": large,
            "unavailable": false,
            "member_count": guild.members.len(),
            "voice_states": voice_states,
            "members": members,
            "channels": channels,
            "threads": [],
            "presences": presences,
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        });
        // Nullable fields Discord sends too (the json! macro takes no more keys at once).
        for key in ["safety_alerts_channel_id", "hub_type"] {
            created[key] = Value::Null;
        }
        created["incidents_data"] = guild.incidents.to_json();
        Some(created)
    }

    /// REST's guild object (no members, channels or presences).
    pub fn guild_json(&self, guild_id: u64) -> Option<Value> {
        let mut guild = self.guild_create_json(guild_id, 0)?;
        if let Some(object) = guild.as_object_mut() {
            for key in [
                "joined_at",
                "large",
                "unavailable",
                "member_count",
                "voice_states",
                "members",
                "channels",
                "threads",
                "presences",
                "stage_instances",
                "guild_scheduled_events",
                "soundboard_sounds",
            ] {
                object.remove(key);
            }
        }
        Some(guild)
    }

    /// MESSAGE_CREATE for a new message (the caller has stored it).
    pub fn message_create_event(&self, message: &Message) -> Event {
        let intent = if message.guild_id.is_some() {
            intents::GUILD_MESSAGES
        } else {
            intents::DIRECT_MESSAGES
        };
        let mut data = message.to_json(self);
        // The gateway's MESSAGE_CREATE also carries the author's member in a guild.
        if let Some(member) = message
            .guild_id
            .and_then(|g| self.guilds.get(&g))
            .and_then(|g| g.members.get(&message.author_id))
        {
            data["member"] = member_json_without_user(member);
        }
        Event::new("MESSAGE_CREATE", data, message.guild_id, intent)
    }

    /// Stores a message and returns its MESSAGE_CREATE.
    pub fn insert_message(&mut self, message: Message) -> Event {
        let event = self.message_create_event(&message);
        if let Some(channel) = self.channels.get_mut(&message.channel_id) {
            channel.last_message_id = Some(message.id);
        }
        self.messages
            .entry(message.channel_id)
            .or_default()
            .insert(message.id, message);
        event
    }

    /// Applies an edit (content, embeds, components, flags, attachments kept unless
    /// given) and returns the MESSAGE_UPDATE.
    pub fn edit_message(
        &mut self,
        channel_id: u64,
        message_id: u64,
        edit: &Value,
        new_attachments: Option<Vec<Attachment>>,
    ) -> Option<(Value, Event)> {
        let message = self.messages.get_mut(&channel_id)?.get_mut(&message_id)?;
        let before = message.snapshot();
        message.history.push(before);
        if let Some(content) = edit.get("content") {
            message.content = content.as_str().unwrap_or("").to_string();
        }
        if let Some(embeds) = edit.get("embeds") {
            message.embeds = embeds.as_array().cloned().unwrap_or_default();
        }
        if let Some(components) = edit.get("components") {
            message.components = components.as_array().cloned().unwrap_or_default();
        }
        if let Some(flags) = edit.get("flags").and_then(Value::as_u64) {
            // Only SUPPRESS_EMBEDS (1 << 2) can be changed by an edit.
            message.flags = (message.flags & !(1 << 2)) | (flags & (1 << 2));
        }
        if let Some(kept) = edit.get("attachments").and_then(Value::as_array) {
            let keep: Vec<u64> = kept
                .iter()
                .filter_map(|a| a["id"].as_str().and_then(|id| id.parse().ok()))
                .collect();
            message.attachments.retain(|a| keep.contains(&a.id));
        }
        if let Some(mut added) = new_attachments {
            message.attachments.append(&mut added);
        }
        message.edited_at_ms = Some(now_unix_ms());
        let message = message.clone();
        let json = message.to_json(self);
        let intent = if message.guild_id.is_some() {
            intents::GUILD_MESSAGES
        } else {
            intents::DIRECT_MESSAGES
        };
        Some((
            json.clone(),
            Event::new("MESSAGE_UPDATE", json, message.guild_id, intent),
        ))
    }

    /// Deletes a message and returns its MESSAGE_DELETE.
    pub fn delete_message(&mut self, channel_id: u64, message_id: u64) -> Option<Event> {
        let message = self.messages.get_mut(&channel_id)?.remove(&message_id)?;
        self.pinned_at_ms.remove(&message_id);
        let mut data = json!({"id": message_id.to_string(), "channel_id": channel_id.to_string()});
        if let Some(guild_id) = message.guild_id {
            data["guild_id"] = json!(guild_id.to_string());
        }
        let intent = if message.guild_id.is_some() {
            intents::GUILD_MESSAGES
        } else {
            intents::DIRECT_MESSAGES
        };
        Some(Event::new("MESSAGE_DELETE", data, message.guild_id, intent))
    }

    /// The DM channel between the bot and a person, made on first use.
    pub fn dm_channel_for(&mut self, user_id: u64, new_id: impl FnOnce() -> u64) -> u64 {
        if let Some(id) = self.dm_channels.get(&user_id) {
            return *id;
        }
        let id = new_id();
        self.channels.insert(
            id,
            Channel {
                id,
                kind: channel_kind::DM,
                guild_id: None,
                name: None,
                parent_id: None,
                position: 0,
                topic: None,
                nsfw: false,
                rate_limit_per_user: 0,
                permission_overwrites: Vec::new(),
                recipient_id: Some(user_id),
                last_message_id: None,
                bitrate: None,
                user_limit: None,
            },
        );
        self.dm_channels.insert(user_id, id);
        id
    }

    /// The channel event (CHANNEL_CREATE/UPDATE/DELETE) for a guild channel.
    pub fn channel_event(&self, name: &'static str, channel: &Channel) -> Event {
        Event::new(
            name,
            channel.to_json(self),
            channel.guild_id,
            intents::GUILDS,
        )
    }

    /// GUILD_MEMBER_UPDATE for a member as they are now.
    pub fn member_update_event(&self, guild_id: u64, user_id: u64) -> Option<Event> {
        let mut data = self.member_json(guild_id, user_id)?;
        data["guild_id"] = json!(guild_id.to_string());
        Some(Event::new(
            "GUILD_MEMBER_UPDATE",
            data,
            Some(guild_id),
            intents::GUILD_MEMBERS,
        ))
    }
}

pub fn member_json_without_user(member: &Member) -> Value {
    json!({
        "nick": member.nick,
        "avatar": null,
        "banner": null,
        "roles": member.roles.iter().map(|id| id.to_string()).collect::<Vec<_>>(),
        "joined_at": iso_from_unix_ms(member.joined_at_ms),
        "premium_since": null,
        "deaf": false,
        "mute": false,
        "flags": 0,
        "pending": false,
        "communication_disabled_until": member.communication_disabled_until,
    })
}

pub fn presence_json(guild_id: u64, presence: &Presence) -> Value {
    json!({
        "user": {"id": presence.user_id.to_string()},
        "guild_id": guild_id.to_string(),
        "status": presence.status,
        "activities": presence.activities,
        "client_status": {"desktop": presence.status},
    })
}

pub fn voice_state_json(guild_id: u64, state: &VoiceState, member: Option<Value>) -> Value {
    let mut json = json!({
        "guild_id": guild_id.to_string(),
        "channel_id": state.channel_id.to_string(),
        "user_id": state.user_id.to_string(),
        "session_id": state.session_id,
        "deaf": false,
        "mute": false,
        "self_deaf": false,
        "self_mute": false,
        "self_video": false,
        "suppress": false,
        "request_to_speak_timestamp": null,
    });
    if let Some(member) = member {
        json["member"] = member;
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_mentions() {
        assert_eq!(
            mentioned_user_ids("hi <@12> and <@!34> <@&56>"),
            vec![12, 34]
        );
        assert_eq!(mentioned_role_ids("hi <@12> <@&56>"), vec![56]);
        assert!(mentioned_user_ids("<@abc> <@12").is_empty());
    }

    #[test]
    fn parses_reaction_emoji_segments() {
        assert_eq!(EmojiKey::parse("🔥"), Some(EmojiKey::Unicode("🔥".into())));
        assert_eq!(
            EmojiKey::parse("party:123"),
            Some(EmojiKey::Custom {
                id: 123,
                name: "party".into()
            })
        );
        assert_eq!(EmojiKey::parse(""), None);
    }
}
