//! Ready-made worlds: `empty`, and `demo` — one guild with an owner, an Admin role with
//! one member, a Moderator role with two, three plain members, the text channels
//! general, shifts, tickets, admin-log and announcements, a "Proposed" category and a
//! voice channel.

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
}

impl std::str::FromStr for Scenario {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        match name {
            "empty" => Ok(Scenario::Empty),
            "demo" => Ok(Scenario::Demo),
            other => Err(format!("unknown scenario {other:?}: use demo or empty")),
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
    | perm::USE_APPLICATION_COMMANDS;

/// Loads a scenario into a fresh sim; returns the demo's ids for `Demo`.
pub fn load(state: &SimState, scenario: Scenario) -> Option<DemoWorld> {
    match scenario {
        Scenario::Empty => None,
        Scenario::Demo => Some(load_demo(state)),
    }
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
