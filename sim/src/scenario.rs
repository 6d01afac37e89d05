//! Ready-made worlds: `empty`; `demo` — one guild with an owner, an Admin role with
//! one member, a Moderator role with two, three plain members, the text channels
//! general, shifts, tickets, admin-log and announcements, a "Proposed" category and a
//! voice channel; and `large:<guilds>x<members>` — many guilds of many members (roles,
//! channels, a tenth of the members online), built straight into the world for memory and
//! start-up figures.

use serde::Serialize;

use crate::actions;
use crate::permissions as perm;
use crate::world::{channel_kind, Overwrite};
use crate::SimState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    #[default]
    Empty,
    Demo,
    /// `guilds` guilds of `members` members each (the bot included), drawn from a pool of
    /// people a quarter the size of all memberships, so people share guilds as they do.
    Large {
        guilds: u32,
        members: u32,
    },
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "empty" => Ok(Scenario::Empty),
            "demo" => Ok(Scenario::Demo),
            other => {
                let size = other.strip_prefix("large:").and_then(|size| {
                    let (guilds, members) = size.split_once('x')?;
                    Some((guilds.parse().ok()?, members.parse().ok()?))
                });
                match size {
                    Some((guilds, members)) if guilds > 0 && members > 1 => {
                        Ok(Scenario::Large { guilds, members })
                    }
                    _ => Err(format!(
                        "unknown scenario {other:?}: use demo, empty or large:<guilds>x<members> (e.g. large:1000x1000)"
                    )),
                }
            }
        }
    }
}

/// The ids of the demo world (as strings in JSON, like Discord's).
#[derive(Debug, Clone, Serialize)]
pub struct DemoWorld {
    #[serde(with = "id_string")]
    pub guild_id: u64,
    #[serde(with = "id_string")]
    pub owner_id: u64,
    #[serde(with = "id_string")]
    pub admin_role_id: u64,
    #[serde(with = "id_string")]
    pub moderator_role_id: u64,
    #[serde(with = "id_string")]
    pub bot_role_id: u64,
    #[serde(with = "id_string")]
    pub admin_id: u64,
    #[serde(with = "id_list")]
    pub moderator_ids: Vec<u64>,
    #[serde(with = "id_list")]
    pub member_ids: Vec<u64>,
    #[serde(with = "id_string")]
    pub general_id: u64,
    #[serde(with = "id_string")]
    pub shifts_id: u64,
    #[serde(with = "id_string")]
    pub tickets_id: u64,
    #[serde(with = "id_string")]
    pub admin_log_id: u64,
    #[serde(with = "id_string")]
    pub announcements_id: u64,
    #[serde(with = "id_string")]
    pub proposed_category_id: u64,
    #[serde(with = "id_string")]
    pub voice_id: u64,
}

mod id_string {
    pub fn serialize<S: serde::Serializer>(id: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&id.to_string())
    }
}

mod id_list {
    pub fn serialize<S: serde::Serializer>(ids: &[u64], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ids.iter().map(|id| id.to_string()))
    }
}

/// What the bot may do in the demo guild: what a careful admin grants a community bot
/// (no Administrator, so the sim's 50013 checks matter).
pub const DEMO_BOT_PERMISSIONS: u64 = perm::VIEW_CHANNEL
    | perm::SEND_MESSAGES
    | perm::EMBED_LINKS
    | perm::ATTACH_FILES
    | perm::READ_MESSAGE_HISTORY
    | perm::ADD_REACTIONS
    | perm::USE_EXTERNAL_EMOJIS
    | perm::MENTION_EVERYONE
    | perm::MANAGE_MESSAGES
    | perm::PIN_MESSAGES
    | perm::MANAGE_CHANNELS
    | perm::MANAGE_ROLES
    | perm::MANAGE_NICKNAMES
    | perm::KICK_MEMBERS
    | perm::BAN_MEMBERS
    | perm::MODERATE_MEMBERS
    | perm::MANAGE_GUILD_EXPRESSIONS
    | perm::CREATE_GUILD_EXPRESSIONS
    | perm::CONNECT
    | perm::MOVE_MEMBERS
    | perm::VIEW_AUDIT_LOG
    | perm::MANAGE_GUILD
    | perm::USE_APPLICATION_COMMANDS;

/// Loads a scenario into a fresh sim; returns the demo's ids for `Demo`.
pub fn load(state: &SimState, scenario: Scenario) -> Option<DemoWorld> {
    match scenario {
        Scenario::Empty => None,
        Scenario::Demo => Some(load_demo(state)),
        Scenario::Large { guilds, members } => {
            load_large(state, guilds, members);
            None
        }
    }
}

/// Roles and text channels per large guild (and one voice channel).
const LARGE_ROLES: usize = 8;
const LARGE_TEXT_CHANNELS: usize = 6;

/// `guilds` guilds of `members` members, straight into the world under one lock (no events:
/// nobody is connected yet).
fn load_large(state: &SimState, guilds: u32, members: u32) {
    use crate::world::{Channel, Guild, Member, Presence, Role, User};
    let started = std::time::Instant::now();
    let people = (u64::from(guilds) * u64::from(members) / 4).max(u64::from(members)) as usize;
    let mut world = state.world.lock();
    let bot_id = world.bot_user_id;
    let now = crate::snowflake::now_unix_ms();
    let pool: Vec<u64> = (0..people)
        .map(|n| {
            let id = state.ids.next();
            world.users.insert(
                id,
                User {
                    id,
                    username: format!("person{n}"),
                    global_name: Some(format!("Person {n}")),
                    bot: false,
                    accepts_dms: true,
                    locale: "en-US".into(),
                    avatar: None,
                },
            );
            id
        })
        .collect();
    for g in 0..guilds as usize {
        let guild_id = state.ids.next();
        let mut guild = Guild {
            id: guild_id,
            name: format!("Large guild {g}"),
            owner_id: pool[g % pool.len()],
            roles: Default::default(),
            members: Default::default(),
            emojis: Default::default(),
            bans: Default::default(),
            voice_states: Default::default(),
            presences: Default::default(),
            ..Default::default()
        };
        let role = |id: u64, name: String, permissions: u64, position: i32, managed: bool| Role {
            id,
            name,
            permissions,
            position,
            color: 0,
            hoist: false,
            mentionable: false,
            managed,
        };
        guild.roles.insert(
            guild_id,
            role(
                guild_id,
                "@everyone".into(),
                perm::DEFAULT_EVERYONE,
                0,
                false,
            ),
        );
        let bot_role = state.ids.next();
        guild.roles.insert(
            bot_role,
            role(bot_role, "Agora".into(), DEMO_BOT_PERMISSIONS, 1, true),
        );
        let roles: Vec<u64> = (0..LARGE_ROLES)
            .map(|r| {
                let id = state.ids.next();
                guild.roles.insert(
                    id,
                    role(
                        id,
                        format!("Role {r}"),
                        perm::DEFAULT_EVERYONE,
                        r as i32 + 2,
                        false,
                    ),
                );
                id
            })
            .collect();
        guild.members.insert(
            bot_id,
            Member {
                user_id: bot_id,
                nick: None,
                roles: vec![bot_role],
                joined_at_ms: now,
                communication_disabled_until: None,
            },
        );
        let start = g * members as usize / 2;
        for m in 0..(members as usize - 1) {
            let user_id = pool[(start + m) % pool.len()];
            guild.members.insert(
                user_id,
                Member {
                    user_id,
                    nick: (m % 7 == 0).then(|| format!("nick {m}")),
                    roles: vec![roles[m % roles.len()]],
                    joined_at_ms: now,
                    communication_disabled_until: None,
                },
            );
            if m % 10 == 0 {
                guild.presences.insert(
                    user_id,
                    Presence {
                        user_id,
                        status: "online".into(),
                        activities: serde_json::json!([{"name": "Agora", "type": 0}]),
                    },
                );
            }
        }
        for c in 0..=LARGE_TEXT_CHANNELS {
            let id = state.ids.next();
            let voice = c == LARGE_TEXT_CHANNELS;
            let kind = if voice {
                channel_kind::GUILD_VOICE
            } else {
                channel_kind::GUILD_TEXT
            };
            world.channels.insert(
                id,
                Channel {
                    id,
                    kind,
                    guild_id: Some(guild_id),
                    name: Some(if voice {
                        "voice".into()
                    } else {
                        format!("channel-{c}")
                    }),
                    parent_id: None,
                    position: c as i32,
                    topic: None,
                    nsfw: false,
                    rate_limit_per_user: 0,
                    permission_overwrites: Vec::new(),
                    recipient_id: None,
                    last_message_id: None,
                    bitrate: voice.then_some(64_000),
                    user_limit: voice.then_some(0),
                },
            );
        }
        world.guilds.insert(guild_id, guild);
    }
    tracing::info!(
        guilds,
        members,
        people,
        took_ms = started.elapsed().as_millis() as u64,
        "large scenario built"
    );
}

fn load_demo(state: &SimState) -> DemoWorld {
    let (guild_id, owner_id) =
        actions::create_guild(state, "Agora Demo", "olivia", DEMO_BOT_PERMISSIONS);
    let moderator_role_id = actions::create_role(
        state,
        guild_id,
        "Moderator",
        perm::DEFAULT_EVERYONE
            | perm::MANAGE_MESSAGES
            | perm::MODERATE_MEMBERS
            | perm::KICK_MEMBERS,
    )
    .expect("the demo guild was just made");
    let admin_role_id = actions::create_role(state, guild_id, "Admin", perm::ADMINISTRATOR)
        .expect("the demo guild was just made");
    let bot_role_id = {
        let mut world = state.world.lock();
        let guild = world
            .guilds
            .get_mut(&guild_id)
            .expect("the demo guild was just made");
        // The bot's role sits on top, so it can manage Admin and Moderator.
        let top = guild.roles.values().map(|r| r.position).max().unwrap_or(0);
        let bot_role = guild
            .roles
            .values_mut()
            .find(|r| r.managed)
            .expect("create_guild makes the bot's role");
        bot_role.position = top + 1;
        bot_role.id
    };
    let add = |name: &str, roles: &[u64]| {
        let id = actions::create_user(state, name, true);
        actions::join_guild(state, guild_id, id, roles).expect("the demo guild and roles exist");
        id
    };
    let admin_id = add("ada", &[admin_role_id]);
    let moderator_ids = vec![
        add("mona", &[moderator_role_id]),
        add("milo", &[moderator_role_id]),
    ];
    let member_ids = vec![add("pat", &[]), add("quinn", &[]), add("rhea", &[])];
    let text = |name: &str| {
        actions::create_channel(state, guild_id, name, channel_kind::GUILD_TEXT, None)
            .expect("the demo guild exists")
    };
    let general_id = text("general");
    let shifts_id = text("shifts");
    let tickets_id = text("tickets");
    let admin_log_id = text("admin-log");
    let announcements_id = text("announcements");
    let proposed_category_id = actions::create_channel(
        state,
        guild_id,
        "Proposed",
        channel_kind::GUILD_CATEGORY,
        None,
    )
    .expect("the demo guild exists");
    let voice_id =
        actions::create_channel(state, guild_id, "Lounge", channel_kind::GUILD_VOICE, None)
            .expect("the demo guild exists");
    {
        // admin-log is private: staff and the bot only.
        let mut world = state.world.lock();
        let bot_id = world.bot_user_id;
        if let Some(channel) = world.channels.get_mut(&admin_log_id) {
            channel.permission_overwrites = vec![
                Overwrite {
                    id: guild_id,
                    kind: 0,
                    allow: 0,
                    deny: perm::VIEW_CHANNEL,
                },
                Overwrite {
                    id: admin_role_id,
                    kind: 0,
                    allow: perm::VIEW_CHANNEL,
                    deny: 0,
                },
                Overwrite {
                    id: moderator_role_id,
                    kind: 0,
                    allow: perm::VIEW_CHANNEL,
                    deny: 0,
                },
                Overwrite {
                    id: bot_id,
                    kind: 1,
                    allow: perm::VIEW_CHANNEL | perm::SEND_MESSAGES,
                    deny: 0,
                },
            ];
        }
    }
    DemoWorld {
        guild_id,
        owner_id,
        admin_role_id,
        moderator_role_id,
        bot_role_id,
        admin_id,
        moderator_ids,
        member_ids,
        general_id,
        shifts_id,
        tickets_id,
        admin_log_id,
        announcements_id,
        proposed_category_id,
        voice_id,
    }
}
