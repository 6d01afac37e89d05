//! Acting as the people in the sim's guilds, from Rust: build the world, run slash
//! commands, click, pick, submit modals, send messages, react, join, talk in voice —
//! and read back what the bot did. The HTTP control API (`/_sim`) calls these same
//! functions, so a script and a Rust test see the same sim.
//!
//! Like the Discord client, the sim refuses what a person could not do: run a command
//! that is not registered or that `default_member_permissions` hides from them, leave
//! out a required option, click a disabled button, submit a modal nobody opened. Set
//! `unchecked` on an action to skip the client-side checks (a modified client).

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::gateway::flood::{self, FloodError, FloodReport, FloodRequest};
use crate::interactions::{interaction_kind, Interaction, InteractionState, WaitFor};
use crate::permissions as perm;
use crate::rest::messages::EPHEMERAL;
use crate::rest::UploadedFile;
use crate::world::{
    channel_kind, intents, member_json_without_user, presence_json, voice_state_json, Attachment,
    Channel, EmojiKey, Event, Member, Message, Presence, Role, User, VoiceState, World,
};
use crate::{SimConfig, SimState};

/// Why the sim refused an action (what the Discord client would not let a person do).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ActionError {
    #[error("unknown {0} {1}")]
    Unknown(&'static str, u64),
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    Invalid(String),
}

impl ActionError {
    fn invalid(message: impl Into<String>) -> Self {
        ActionError::Invalid(message.into())
    }
    fn not_allowed(message: impl Into<String>) -> Self {
        ActionError::NotAllowed(message.into())
    }
}

pub type ActionResult<T> = Result<T, ActionError>;

/// One option of a slash command as a person fills it in: Discord's `data.options`
/// shape, where `type` may be left out (the registered command says it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CommandOption {
    pub name: String,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<CommandOption>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub focused: bool,
}

impl CommandOption {
    /// A leaf option with a value.
    pub fn value(name: &str, value: impl Into<Value>) -> Self {
        Self {
            name: name.into(),
            kind: None,
            value: Some(value.into()),
            options: Vec::new(),
            focused: false,
        }
    }
    /// A subcommand (or subcommand group) with its options.
    pub fn sub(name: &str, options: Vec<CommandOption>) -> Self {
        Self {
            name: name.into(),
            kind: None,
            value: None,
            options,
            focused: false,
        }
    }
    /// The option being typed into, for autocomplete.
    pub fn focused(name: &str, partial: &str) -> Self {
        Self {
            name: name.into(),
            kind: None,
            value: Some(Value::String(partial.into())),
            options: Vec::new(),
            focused: true,
        }
    }
}

/// A person running a slash command (or typing into its autocomplete).
#[derive(Debug, Clone, Deserialize)]
pub struct CommandRun {
    #[serde(default, deserialize_with = "crate::control::opt_id")]
    pub guild_id: Option<u64>,
    #[serde(deserialize_with = "crate::control::id")]
    pub channel_id: u64,
    #[serde(deserialize_with = "crate::control::id")]
    pub user_id: u64,
    pub name: String,
    #[serde(default)]
    pub options: Vec<CommandOption>,
    /// Skip the Discord client's checks (required options, choices, ranges, permissions).
    #[serde(default)]
    pub unchecked: bool,
}

/// A person clicking a button or picking from a select menu.
#[derive(Debug, Clone, Deserialize)]
pub struct ComponentUse {
    #[serde(deserialize_with = "crate::control::id")]
    pub message_id: u64,
    #[serde(deserialize_with = "crate::control::id")]
    pub user_id: u64,
    pub custom_id: String,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub unchecked: bool,
}

/// A person submitting a modal.
#[derive(Debug, Clone, Deserialize)]
pub struct ModalSubmit {
    #[serde(default, deserialize_with = "crate::control::opt_id")]
    pub guild_id: Option<u64>,
    #[serde(default, deserialize_with = "crate::control::opt_id")]
    pub channel_id: Option<u64>,
    #[serde(deserialize_with = "crate::control::id")]
    pub user_id: u64,
    pub custom_id: String,
    /// Text input custom_id → what the person typed.
    #[serde(default)]
    pub fields: Map<String, Value>,
    #[serde(default)]
    pub unchecked: bool,
}

/// A file a person attaches to a message or a command option.
#[derive(Debug, Clone, Deserialize)]
pub struct FileUpload {
    pub filename: String,
    #[serde(default)]
    pub content_type: Option<String>,
    /// The file's bytes, base64.
    pub data_base64: String,
}

/// A person's account as it is made: name, age (from the id, as on Discord), avatar.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserSpec {
    pub username: String,
    /// When the account was made (unix ms); the user id's timestamp. Now when `None`.
    #[serde(default)]
    pub created_at_ms: Option<u64>,
    /// Avatar hash as Discord makes them (32 hex digits, `a_` first when animated);
    /// `None` is the default avatar.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Whether the user accepts DMs from the bot.
    #[serde(default = "crate::control::yes")]
    pub accepts_dms: bool,
}

impl UserSpec {
    pub fn named(username: &str) -> Self {
        Self {
            username: username.into(),
            accepts_dms: true,
            ..Self::default()
        }
    }
}

/// What a person does to a guild in the client that leaves an audit log entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModerationKind {
    DeleteChannel,
    DeleteRole,
    Ban,
    Kick,
}

/// A person moderating: `actor_id` does `action` to `target_id` (a channel, role or user).
#[derive(Debug, Clone, Deserialize)]
pub struct Moderation {
    #[serde(deserialize_with = "crate::control::id")]
    pub actor_id: u64,
    pub action: ModerationKind,
    #[serde(deserialize_with = "crate::control::id")]
    pub target_id: u64,
    #[serde(default)]
    pub reason: Option<String>,
    /// For `ban`: how many seconds of the member's messages to delete (0–604800).
    #[serde(default)]
    pub delete_message_seconds: u64,
}

/// A channel webhook as its creator sees it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WebhookInfo {
    pub id: String,
    pub token: String,
    /// `https://discord.com/api/webhooks/{id}/{token}`
    pub url: String,
}

/// What the control API shows of an interaction.
#[derive(Debug, Clone, Serialize)]
pub struct InteractionRecord {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: u8,
    pub user_id: String,
    pub guild_id: Option<String>,
    pub channel_id: String,
    /// Callback type and data, or null while the bot has not answered.
    pub callback: Option<crate::interactions::CallbackRecord>,
    /// The response message as it is now (after edits), if there is one.
    pub original: Option<Value>,
    pub followups: Vec<Value>,
    pub edits: Vec<crate::interactions::EditRecord>,
    pub original_deleted: bool,
    pub errors: Vec<crate::interactions::ErrorRecord>,
    /// What the person sees: the callback's content, or the final message content.
    pub payload: Value,
}

/// A running sim: its servers and the handle to drive it.
pub struct Sim {
    state: Arc<SimState>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Sim {
    /// Starts the REST, gateway, control and LLM servers on one port.
    pub async fn start(config: SimConfig) -> anyhow::Result<Sim> {
        let (state, server) = crate::start_servers(config).await?;
        Ok(Sim { state, server })
    }

    pub fn state(&self) -> &Arc<SimState> {
        &self.state
    }
    /// `http://127.0.0.1:P`
    pub fn http_url(&self) -> &str {
        &self.state.http_url
    }
    /// `127.0.0.1:P`, the form twilight-http's `proxy` wants.
    pub fn http_authority(&self) -> &str {
        self.state.http_url.trim_start_matches("http://")
    }
    /// `ws://127.0.0.1:P/gateway`
    pub fn gateway_url(&self) -> &str {
        &self.state.gateway_url
    }
    pub fn control_url(&self) -> String {
        format!("{}/_sim", self.state.http_url)
    }
    pub fn llm_url(&self) -> String {
        format!("{}/v1", self.state.http_url)
    }
    pub fn llm_api_key(&self) -> &str {
        &self.state.llm_api_key
    }
    pub fn token(&self) -> &str {
        &self.state.token
    }
    pub fn application_id(&self) -> u64 {
        self.state.application_id
    }
    pub fn bot_user_id(&self) -> u64 {
        self.state.world.lock().bot_user_id
    }
    /// The one JSON line `agora-sim serve` prints.
    pub fn ready_line(&self) -> String {
        crate::ready_line(&self.state)
    }
    /// Ids of the demo world (None unless started with the demo scenario).
    pub fn demo(&self) -> Option<crate::DemoWorld> {
        self.state.demo.lock().clone()
    }
    pub fn llm(&self) -> &Arc<crate::llm::LlmSim> {
        &self.state.llm
    }

    // ---- building the world -------------------------------------------------------

    pub fn create_user(&self, username: &str) -> u64 {
        create_user(&self.state, username, true)
    }

    /// A user with an account age (the id's timestamp) and an avatar.
    pub fn create_user_with(&self, spec: &UserSpec) -> ActionResult<u64> {
        create_user_with(&self.state, spec)
    }

    /// A person's invite to a guild channel; returns its code.
    pub fn create_invite(
        &self,
        guild_id: u64,
        channel_id: u64,
        inviter_id: Option<u64>,
    ) -> ActionResult<String> {
        create_invite(&self.state, guild_id, channel_id, inviter_id)
    }

    /// A person joins through an invite code (refused while the guild pauses invites).
    pub fn join_guild_with_invite(
        &self,
        guild_id: u64,
        user_id: u64,
        invite: &str,
    ) -> ActionResult<()> {
        join_guild_via(&self.state, guild_id, user_id, &[], Some(invite))
    }

    /// A guild's invites as `{code, channel_id, inviter_id, uses, max_uses, created_at}`.
    pub fn invites(&self, guild_id: u64) -> ActionResult<Vec<Value>> {
        invites(&self.state, guild_id)
    }

    /// A guild's incident actions (`incidents_data`; null when none was ever set).
    pub fn incidents(&self, guild_id: u64) -> ActionResult<crate::world::Incidents> {
        let world = self.state.world.lock();
        let guild = world
            .guild(guild_id)
            .ok_or(ActionError::Unknown("guild", guild_id))?;
        Ok(guild.incidents.clone())
    }

    /// A person deletes a channel or role, bans or kicks, in the client.
    pub fn moderate(&self, guild_id: u64, action: &Moderation) -> ActionResult<()> {
        moderate(&self.state, guild_id, action)
    }

    /// A guild's audit log entries, newest first (as REST returns them).
    pub fn audit_log(&self, guild_id: u64) -> ActionResult<Vec<Value>> {
        let world = self.state.world.lock();
        let guild = world
            .guild(guild_id)
            .ok_or(ActionError::Unknown("guild", guild_id))?;
        Ok(guild.audit_log.iter().rev().map(|e| e.to_json()).collect())
    }

    /// A channel webhook (not an interaction's), made by a person.
    pub fn create_webhook(&self, channel_id: u64, name: &str) -> ActionResult<WebhookInfo> {
        create_webhook(&self.state, channel_id, name)
    }

    /// A channel's `permission_overwrites` exactly as its JSON carries them.
    pub fn channel_overwrites(&self, channel_id: u64) -> Option<Value> {
        let world = self.state.world.lock();
        let channel = world.channel(channel_id)?;
        Some(channel.to_json(&world)["permission_overwrites"].clone())
    }

    /// A guild owned by a new user, with the bot in it holding `bot_permissions`
    /// through its managed role. Returns (guild id, owner id).
    pub fn create_guild(&self, name: &str, owner_name: &str, bot_permissions: u64) -> (u64, u64) {
        create_guild(&self.state, name, owner_name, bot_permissions)
    }

    pub fn create_role(&self, guild_id: u64, name: &str, permissions: u64) -> ActionResult<u64> {
        create_role(&self.state, guild_id, name, permissions)
    }

    pub fn create_channel(
        &self,
        guild_id: u64,
        name: &str,
        kind: u8,
        parent_id: Option<u64>,
    ) -> ActionResult<u64> {
        create_channel(&self.state, guild_id, name, kind, parent_id)
    }

    /// A person joins a guild (GUILD_MEMBER_ADD).
    pub fn join_guild(&self, guild_id: u64, user_id: u64, roles: &[u64]) -> ActionResult<()> {
        join_guild(&self.state, guild_id, user_id, roles)
    }

    /// A person joins at a given time of the simulated world (see [`join_guild_at`]).
    pub fn join_guild_at(
        &self,
        guild_id: u64,
        user_id: u64,
        joined_at_ms: u64,
    ) -> ActionResult<()> {
        join_guild_at(
            &self.state,
            guild_id,
            user_id,
            &[],
            None,
            Some(joined_at_ms),
        )
    }

    /// Adds `count` members who joined before the bot looked (no events: the bot learns of
    /// them from the next GUILD_CREATE's `member_count`, as with a large guild it joins);
    /// their ids.
    pub fn populate_guild(&self, guild_id: u64, count: usize) -> ActionResult<Vec<u64>> {
        populate_guild(&self.state, guild_id, count)
    }

    /// A person leaves a guild (GUILD_MEMBER_REMOVE).
    pub fn leave_guild(&self, guild_id: u64, user_id: u64) -> ActionResult<()> {
        leave_guild(&self.state, guild_id, user_id)
    }

    /// Gives or takes a role from a member, as an admin would in the client.
    pub fn set_member_roles(&self, guild_id: u64, user_id: u64, roles: &[u64]) -> ActionResult<()> {
        set_member_roles(&self.state, guild_id, user_id, roles)
    }

    /// Whether a user accepts DMs from the bot (false makes DM sends fail with 50007).
    pub fn set_accepts_dms(&self, user_id: u64, accepts: bool) -> ActionResult<()> {
        let mut world = self.state.world.lock();
        let user = world
            .users
            .get_mut(&user_id)
            .ok_or(ActionError::Unknown("user", user_id))?;
        user.accepts_dms = accepts;
        Ok(())
    }

    /// The language of a user's Discord client (`en-US` until changed, e.g. `de`, `fr`):
    /// what their interactions carry as `locale`.
    pub fn set_user_locale(&self, user_id: u64, locale: &str) -> ActionResult<()> {
        let mut world = self.state.world.lock();
        let user = world
            .users
            .get_mut(&user_id)
            .ok_or(ActionError::Unknown("user", user_id))?;
        user.locale = locale.to_owned();
        Ok(())
    }

    // ---- acting as people -----------------------------------------------------------

    /// A person runs a slash command; returns the interaction id.
    pub fn run_command(&self, run: CommandRun) -> ActionResult<u64> {
        run_command(&self.state, run, false)
    }

    /// A person types into an option with autocomplete; returns the interaction id.
    pub fn autocomplete(&self, run: CommandRun) -> ActionResult<u64> {
        run_command(&self.state, run, true)
    }

    /// A person clicks a button or picks from a select; returns the interaction id.
    pub fn use_component(&self, action: ComponentUse) -> ActionResult<u64> {
        use_component(&self.state, action)
    }

    /// A person submits a modal the bot showed them; returns the interaction id.
    pub fn submit_modal(&self, action: ModalSubmit) -> ActionResult<u64> {
        submit_modal(&self.state, action)
    }

    /// A person sends a message; returns its id.
    pub fn send_message(&self, channel_id: u64, user_id: u64, content: &str) -> ActionResult<u64> {
        send_message(&self.state, channel_id, user_id, content, &[])
    }

    /// A person sends a message with files; returns its id.
    pub fn send_message_with_files(
        &self,
        channel_id: u64,
        user_id: u64,
        content: &str,
        files: &[FileUpload],
    ) -> ActionResult<u64> {
        send_message(&self.state, channel_id, user_id, content, files)
    }

    /// A person adds (or removes) a reaction.
    pub fn react(
        &self,
        channel_id: u64,
        message_id: u64,
        user_id: u64,
        emoji: &str,
        add: bool,
    ) -> ActionResult<()> {
        react(&self.state, channel_id, message_id, user_id, emoji, add)
    }

    /// A person joins, moves to (Some) or leaves (None) a voice channel.
    pub fn set_voice(
        &self,
        guild_id: u64,
        user_id: u64,
        channel_id: Option<u64>,
    ) -> ActionResult<()> {
        set_voice(&self.state, guild_id, user_id, channel_id)
    }

    /// A person's presence changes (online/idle/dnd/offline, with activities).
    pub fn set_presence(
        &self,
        guild_id: u64,
        user_id: u64,
        status: &str,
        activities: Value,
    ) -> ActionResult<()> {
        set_presence(&self.state, guild_id, user_id, status, activities)
    }

    // ---- reading what happened ------------------------------------------------------

    /// What the bot answered to an interaction, waiting up to `timeout` for `until`.
    pub async fn interaction(
        &self,
        id: u64,
        until: WaitFor,
        timeout: Duration,
    ) -> ActionResult<InteractionRecord> {
        interaction_record(&self.state, id, until, timeout).await
    }

    /// The callback (or final answer) of an interaction, failing when none came in time.
    pub async fn answer(&self, id: u64, timeout: Duration) -> ActionResult<InteractionRecord> {
        let record = self.interaction(id, WaitFor::Answer, timeout).await?;
        if record.callback.is_none() {
            return Err(ActionError::invalid(format!(
                "interaction {id} got no callback in {timeout:?}"
            )));
        }
        Ok(record)
    }

    /// Messages of a channel as its members see them, oldest first (no ephemerals).
    pub fn channel_messages(&self, channel_id: u64) -> Vec<Value> {
        channel_messages(&self.state, channel_id, false)
    }

    /// One message, as stored (including ephemeral ones).
    pub fn message(&self, message_id: u64) -> Option<Value> {
        let world = self.state.world.lock();
        find_message(&world, message_id).map(|m| m.to_json(&world))
    }

    /// Messages the bot sent a person in DMs, oldest first.
    pub fn dms(&self, user_id: u64) -> Vec<Value> {
        dms(&self.state, user_id)
    }

    /// Registered commands (global and guild).
    pub fn commands(&self) -> Vec<Value> {
        self.state
            .world
            .lock()
            .commands
            .iter()
            .map(|c| c.body.clone())
            .collect()
    }

    /// REST requests with `seq > since`.
    pub fn requests(&self, since: u64) -> Vec<crate::requests::RequestRecord> {
        self.state.requests.since(since, None, None)
    }

    // ---- faults and load ------------------------------------------------------------

    pub fn gateway(&self) -> &crate::gateway::GatewayHub {
        &self.state.gateway
    }

    pub fn faults(&self) -> &crate::faults::Faults {
        &self.state.faults
    }

    pub fn rate_limiter(&self) -> &crate::rest::ratelimit::RateLimiter {
        &self.state.rate_limiter
    }

    /// Floods every connected shard serving the guild with synthetic events.
    /// Fills a channel's history with `count` messages by `authors` (in turn), spread
    /// evenly from `from_ms` to `to_ms` (Unix ms): stored at once, with no gateway event, as
    /// if they had been written before the bot came. Returns how many each author wrote.
    pub fn seed_history(
        &self,
        channel_id: u64,
        authors: &[u64],
        count: usize,
        from_ms: u64,
        to_ms: u64,
    ) -> ActionResult<Vec<(u64, usize)>> {
        seed_history(&self.state, channel_id, authors, count, from_ms, to_ms)
    }

    pub async fn flood(&self, request: FloodRequest) -> Result<FloodReport, FloodError> {
        flood::flood(&self.state, request).await
    }
}

// ---- world building ---------------------------------------------------------------

/// The client language of a user who has not changed it.
pub const DEFAULT_LOCALE: &str = "en-US";

pub fn create_user(state: &SimState, username: &str, accepts_dms: bool) -> u64 {
    let id = state.ids.next();
    state.world.lock().users.insert(
        id,
        User {
            id,
            username: username.to_string(),
            global_name: Some(username.to_string()),
            bot: false,
            accepts_dms,
            locale: DEFAULT_LOCALE.to_owned(),
            avatar: None,
        },
    );
    id
}

pub fn create_user_with(state: &SimState, spec: &UserSpec) -> ActionResult<u64> {
    let now = crate::snowflake::now_unix_ms();
    if let Some(at) = spec.created_at_ms {
        if at < crate::snowflake::DISCORD_EPOCH_MS || at > now {
            return Err(ActionError::invalid(
                "created_at_ms is between 2015-01-01 (Discord's epoch) and now",
            ));
        }
    }
    if let Some(avatar) = &spec.avatar {
        let hash = avatar.strip_prefix("a_").unwrap_or(avatar);
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if hash.len() != 32 || !hash.chars().all(hex) {
            return Err(ActionError::invalid(
                "an avatar hash is 32 lowercase hex digits, \"a_\" first when animated",
            ));
        }
    }
    let mut world = state.world.lock();
    let id = match spec.created_at_ms {
        Some(at) => crate::snowflake::backdated(at, |id| {
            world.users.contains_key(&id)
                || world.guilds.contains_key(&id)
                || world.channels.contains_key(&id)
        }),
        None => state.ids.next(),
    };
    world.users.insert(
        id,
        User {
            id,
            username: spec.username.clone(),
            global_name: Some(spec.username.clone()),
            bot: false,
            accepts_dms: spec.accepts_dms,
            locale: DEFAULT_LOCALE.to_owned(),
            avatar: spec.avatar.clone(),
        },
    );
    Ok(id)
}

pub fn create_guild(
    state: &SimState,
    name: &str,
    owner_name: &str,
    bot_permissions: u64,
) -> (u64, u64) {
    let owner_id = create_user(state, owner_name, true);
    let guild_id = state.ids.next();
    let bot_role_id = state.ids.next();
    state.mutate(|world, _| {
        let now = crate::snowflake::now_unix_ms();
        let mut guild = crate::world::Guild {
            id: guild_id,
            name: name.to_string(),
            owner_id,
            roles: Default::default(),
            members: Default::default(),
            emojis: Default::default(),
            bans: Default::default(),
            voice_states: Default::default(),
            presences: Default::default(),
            ..Default::default()
        };
        guild.roles.insert(
            guild_id,
            Role {
                id: guild_id,
                name: "@everyone".into(),
                permissions: perm::DEFAULT_EVERYONE,
                position: 0,
                color: 0,
                hoist: false,
                mentionable: false,
                managed: false,
            },
        );
        guild.roles.insert(
            bot_role_id,
            Role {
                id: bot_role_id,
                name: "Agora".into(),
                permissions: bot_permissions,
                position: 1,
                color: 0,
                hoist: false,
                mentionable: false,
                managed: true,
            },
        );
        guild.members.insert(
            owner_id,
            Member {
                user_id: owner_id,
                nick: None,
                roles: Vec::new(),
                joined_at_ms: now,
                communication_disabled_until: None,
            },
        );
        let bot_id = world.bot_user_id;
        guild.members.insert(
            bot_id,
            Member {
                user_id: bot_id,
                nick: None,
                roles: vec![bot_role_id],
                joined_at_ms: now,
                communication_disabled_until: None,
            },
        );
        world.guilds.insert(guild_id, guild);
        // A guild the bot joins arrives as GUILD_CREATE on the shards serving it.
        let events: Vec<Event> = state
            .gateway
            .sessions()
            .into_iter()
            .filter(|s| s.serves_guild(Some(guild_id)) && s.is_connected())
            .filter_map(|s| {
                let data = world.guild_create_json(guild_id, s.intents)?;
                state
                    .gateway
                    .send_dispatch(&s, "GUILD_CREATE", &data.to_string());
                None
            })
            .collect();
        ((), events)
    });
    (guild_id, owner_id)
}

pub fn create_role(
    state: &SimState,
    guild_id: u64,
    name: &str,
    permissions: u64,
) -> ActionResult<u64> {
    let id = state.ids.next();
    state.mutate(|world, _| {
        let Some(guild) = world.guilds.get_mut(&guild_id) else {
            return (Err(ActionError::Unknown("guild", guild_id)), Vec::new());
        };
        // New roles go right above @everyone, below the bot's role (like in the client).
        for role in guild.roles.values_mut().filter(|r| r.id != guild_id) {
            role.position += 1;
        }
        let role = Role {
            id,
            name: name.to_string(),
            permissions,
            position: 1,
            color: 0,
            hoist: false,
            mentionable: true,
            managed: false,
        };
        guild.roles.insert(id, role.clone());
        let event = Event::new(
            "GUILD_ROLE_CREATE",
            json!({"guild_id": guild_id.to_string(), "role": role.to_json()}),
            Some(guild_id),
            intents::GUILDS,
        );
        (Ok(id), vec![event])
    })
}

pub fn create_channel(
    state: &SimState,
    guild_id: u64,
    name: &str,
    kind: u8,
    parent_id: Option<u64>,
) -> ActionResult<u64> {
    let id = state.ids.next();
    state.mutate(|world, _| {
        if !world.guilds.contains_key(&guild_id) {
            return (Err(ActionError::Unknown("guild", guild_id)), Vec::new());
        }
        let position = world.guild_channels(guild_id).len() as i32;
        let channel = Channel {
            id,
            kind,
            guild_id: Some(guild_id),
            name: Some(crate::rest::limits::normalize_channel_name(kind, name)),
            parent_id,
            position,
            topic: None,
            nsfw: false,
            rate_limit_per_user: 0,
            permission_overwrites: Vec::new(),
            recipient_id: None,
            last_message_id: None,
            bitrate: (kind == channel_kind::GUILD_VOICE).then_some(64_000),
            user_limit: (kind == channel_kind::GUILD_VOICE).then_some(0),
        };
        world.channels.insert(id, channel.clone());
        let event = world.channel_event("CHANNEL_CREATE", &channel);
        (Ok(id), vec![event])
    })
}

pub fn join_guild(
    state: &SimState,
    guild_id: u64,
    user_id: u64,
    roles: &[u64],
) -> ActionResult<()> {
    join_guild_via(state, guild_id, user_id, roles, None)
}

/// A person joins, through an invite code when given (its `uses` goes up by one).
pub fn join_guild_via(
    state: &SimState,
    guild_id: u64,
    user_id: u64,
    roles: &[u64],
    invite: Option<&str>,
) -> ActionResult<()> {
    join_guild_at(state, guild_id, user_id, roles, invite, None)
}

/// A person joins, at `joined_at_ms` of the simulated world when given (a test that plays
/// an hour of joins out in seconds: GUILD_MEMBER_ADD's `joined_at` says when), else now.
pub fn join_guild_at(
    state: &SimState,
    guild_id: u64,
    user_id: u64,
    roles: &[u64],
    invite: Option<&str>,
    joined_at_ms: Option<u64>,
) -> ActionResult<()> {
    state.mutate(|world, _| {
        if !world.users.contains_key(&user_id) {
            return (Err(ActionError::Unknown("user", user_id)), Vec::new());
        }
        let Some(guild) = world.guilds.get_mut(&guild_id) else {
            return (Err(ActionError::Unknown("guild", guild_id)), Vec::new());
        };
        if guild.bans.contains_key(&user_id) {
            return (
                Err(ActionError::not_allowed(
                    "the user is banned from this guild",
                )),
                Vec::new(),
            );
        }
        if guild.members.contains_key(&user_id) {
            return (Err(ActionError::invalid("already a member")), Vec::new());
        }
        if let Some(missing) = roles.iter().find(|r| !guild.roles.contains_key(r)) {
            return (Err(ActionError::Unknown("role", *missing)), Vec::new());
        }
        if let Some(code) = invite {
            if let Err(error) = use_invite(guild, code) {
                return (Err(error), Vec::new());
            }
        }
        guild.members.insert(
            user_id,
            Member {
                user_id,
                nick: None,
                roles: roles.to_vec(),
                joined_at_ms: joined_at_ms.unwrap_or_else(crate::snowflake::now_unix_ms),
                communication_disabled_until: None,
            },
        );
        let mut data = world.member_json(guild_id, user_id).unwrap_or(Value::Null);
        data["guild_id"] = json!(guild_id.to_string());
        (
            Ok(()),
            vec![Event::new(
                "GUILD_MEMBER_ADD",
                data,
                Some(guild_id),
                intents::GUILD_MEMBERS,
            )],
        )
    })
}

/// See [`Sim::populate_guild`].
pub fn populate_guild(state: &SimState, guild_id: u64, count: usize) -> ActionResult<Vec<u64>> {
    state.mutate(|world, ids| {
        if !world.guilds.contains_key(&guild_id) {
            return (Err(ActionError::Unknown("guild", guild_id)), Vec::new());
        }
        let joined_at_ms = crate::snowflake::now_unix_ms().saturating_sub(86_400_000);
        let mut added = Vec::with_capacity(count);
        for n in 0..count {
            let id = ids.next();
            world.users.insert(
                id,
                crate::world::User {
                    id,
                    username: format!("member{n}"),
                    global_name: None,
                    bot: false,
                    accepts_dms: false,
                    locale: "en-US".into(),
                    avatar: None,
                },
            );
            added.push(id);
        }
        let guild = world.guilds.get_mut(&guild_id).expect("checked above");
        for id in &added {
            guild.members.insert(
                *id,
                Member {
                    user_id: *id,
                    nick: None,
                    roles: Vec::new(),
                    joined_at_ms,
                    communication_disabled_until: None,
                },
            );
        }
        (Ok(added), Vec::new())
    })
}

/// Counts one use of an invite, if it exists in the guild, is valid and not paused.
fn use_invite(guild: &mut crate::world::Guild, code: &str) -> ActionResult<()> {
    let paused = guild.incidents.invites_paused();
    let invite = guild
        .invites
        .get_mut(code)
        .ok_or_else(|| ActionError::invalid(format!("unknown invite {code:?} in this guild")))?;
    let now = crate::snowflake::now_unix_ms();
    let expired =
        invite.max_age > 0 && invite.created_at_ms + u64::from(invite.max_age) * 1000 <= now;
    if expired || (invite.max_uses > 0 && invite.uses >= invite.max_uses) {
        return Err(ActionError::invalid(format!(
            "invite {code:?} is no longer valid"
        )));
    }
    if paused {
        return Err(ActionError::not_allowed(
            "invites to this guild are paused (incident actions)",
        ));
    }
    invite.uses += 1;
    Ok(())
}

/// Random letters and digits, like an invite code or a webhook token.
pub fn random_code(length: usize) -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..length)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Stores a new invite and returns it with its INVITE_CREATE (which Discord sends only
/// to bots with MANAGE_CHANNELS in the channel). Checks are the caller's.
pub(crate) fn add_invite(
    world: &mut World,
    guild_id: u64,
    channel_id: u64,
    inviter_id: Option<u64>,
    max_uses: u32,
    max_age: u32,
    temporary: bool,
) -> (crate::world::Invite, Vec<Event>) {
    let mut code = random_code(8);
    while world.guilds.values().any(|g| g.invites.contains_key(&code)) {
        code = random_code(8);
    }
    let invite = crate::world::Invite {
        code: code.clone(),
        channel_id,
        inviter_id,
        uses: 0,
        max_uses,
        max_age,
        temporary,
        created_at_ms: crate::snowflake::now_unix_ms(),
    };
    let data = invite.create_event_json(world, guild_id);
    let visible = world
        .channel(channel_id)
        .is_some_and(|c| world.bot_channel_permissions(c) & perm::MANAGE_CHANNELS != 0);
    if let Some(guild) = world.guilds.get_mut(&guild_id) {
        guild.invites.insert(code, invite.clone());
    }
    let events = if visible {
        vec![Event::new(
            "INVITE_CREATE",
            data,
            Some(guild_id),
            intents::GUILD_INVITES,
        )]
    } else {
        Vec::new()
    };
    (invite, events)
}

/// A person makes an invite (7 days, unlimited uses, as the client's default); the
/// guild owner when no inviter is named.
pub fn create_invite(
    state: &SimState,
    guild_id: u64,
    channel_id: u64,
    inviter_id: Option<u64>,
) -> ActionResult<String> {
    create_invite_with(state, guild_id, channel_id, inviter_id, 0, 604_800)
}

pub fn create_invite_with(
    state: &SimState,
    guild_id: u64,
    channel_id: u64,
    inviter_id: Option<u64>,
    max_uses: u32,
    max_age: u32,
) -> ActionResult<String> {
    state.try_mutate(|world, _| {
        let guild = world
            .guild(guild_id)
            .ok_or(ActionError::Unknown("guild", guild_id))?;
        let inviter = inviter_id.unwrap_or(guild.owner_id);
        if !guild.members.contains_key(&inviter) {
            return Err(ActionError::Unknown("member", inviter));
        }
        let channel = world
            .channel(channel_id)
            .filter(|c| c.guild_id == Some(guild_id))
            .ok_or(ActionError::Unknown("channel", channel_id))?;
        if world.member_channel_permissions(channel, inviter) & perm::CREATE_INSTANT_INVITE == 0 {
            return Err(ActionError::not_allowed(format!(
                "user {inviter} may not create invites to channel {channel_id}"
            )));
        }
        let (invite, events) = add_invite(
            world,
            guild_id,
            channel_id,
            Some(inviter),
            max_uses,
            max_age,
            false,
        );
        Ok((invite.code, events))
    })
}

pub fn invites(state: &SimState, guild_id: u64) -> ActionResult<Vec<Value>> {
    let world = state.world.lock();
    let guild = world
        .guild(guild_id)
        .ok_or(ActionError::Unknown("guild", guild_id))?;
    Ok(guild
        .invites
        .values()
        .map(|i| {
            json!({
                "code": i.code,
                "channel_id": i.channel_id.to_string(),
                "inviter_id": i.inviter_id.map(|id| id.to_string()),
                "uses": i.uses,
                "max_uses": i.max_uses,
                "created_at": crate::snowflake::iso_from_unix_ms(i.created_at_ms),
            })
        })
        .collect())
}

/// A person moderates in the client, with the permission and hierarchy checks Discord
/// applies, the same world change and events as the REST route, and an audit entry.
pub fn moderate(state: &SimState, guild_id: u64, action: &Moderation) -> ActionResult<()> {
    use crate::moderation;
    if action.delete_message_seconds > 604_800 {
        return Err(ActionError::invalid(
            "delete_message_seconds is at most 604800",
        ));
    }
    let (actor, target) = (action.actor_id, action.target_id);
    let reason = action.reason.clone();
    state.try_mutate(|world, ids| {
        let guild = world
            .guild(guild_id)
            .ok_or(ActionError::Unknown("guild", guild_id))?;
        if !guild.members.contains_key(&actor) {
            return Err(ActionError::Unknown("member", actor));
        }
        let perms = perm::guild_permissions(guild, actor);
        let refuse = |what: &str| {
            Err(ActionError::not_allowed(format!(
                "user {actor} may not {what} {target}"
            )))
        };
        let events = match action.action {
            ModerationKind::DeleteChannel => {
                let channel = world
                    .channel(target)
                    .filter(|c| c.guild_id == Some(guild_id))
                    .ok_or(ActionError::Unknown("channel", target))?;
                if world.member_channel_permissions(channel, actor) & perm::MANAGE_CHANNELS == 0 {
                    return refuse("delete channel");
                }
                moderation::delete_channel(world, ids, target, actor, reason)
                    .map(|(_, events)| events)
                    .unwrap_or_default()
            }
            ModerationKind::DeleteRole => {
                if !guild.roles.contains_key(&target) {
                    return Err(ActionError::Unknown("role", target));
                }
                if perms & perm::MANAGE_ROLES == 0
                    || !moderation::may_manage_role(guild, actor, target)
                {
                    return refuse("delete role");
                }
                moderation::delete_role(world, ids, guild_id, target, actor, reason)
            }
            ModerationKind::Ban => {
                if !world.users.contains_key(&target) {
                    return Err(ActionError::Unknown("user", target));
                }
                let member = guild.members.contains_key(&target);
                if perms & perm::BAN_MEMBERS == 0
                    || actor == target
                    || (member && !moderation::may_act_on_member(guild, actor, target))
                {
                    return refuse("ban");
                }
                let seconds = action.delete_message_seconds;
                moderation::ban(world, ids, guild_id, target, actor, reason, seconds)
            }
            ModerationKind::Kick => {
                if !guild.members.contains_key(&target) {
                    return Err(ActionError::Unknown("member", target));
                }
                if perms & perm::KICK_MEMBERS == 0
                    || actor == target
                    || !moderation::may_act_on_member(guild, actor, target)
                {
                    return refuse("kick");
                }
                moderation::kick(world, ids, guild_id, target, actor, reason)
            }
        };
        Ok(((), events))
    })
}

/// A channel webhook made by the guild owner (WEBHOOKS_UPDATE).
pub fn create_webhook(state: &SimState, channel_id: u64, name: &str) -> ActionResult<WebhookInfo> {
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ActionError::invalid("a webhook name is 1 to 80 characters"));
    }
    state.try_mutate(|world, ids| {
        let channel = world
            .channel(channel_id)
            .ok_or(ActionError::Unknown("channel", channel_id))?;
        let guild_id = channel
            .guild_id
            .ok_or_else(|| ActionError::invalid("webhooks live in guild channels"))?;
        if ![
            channel_kind::GUILD_TEXT,
            channel_kind::GUILD_VOICE,
            channel_kind::GUILD_ANNOUNCEMENT,
            channel_kind::GUILD_FORUM,
        ]
        .contains(&channel.kind)
        {
            return Err(ActionError::invalid("this channel type takes no webhooks"));
        }
        let owner = world.guild(guild_id).map(|g| g.owner_id);
        let webhook = crate::world::Webhook {
            id: ids.next(),
            channel_id,
            guild_id: Some(guild_id),
            name: name.to_string(),
            token: random_code(68),
            user_id: owner,
        };
        let info = WebhookInfo {
            id: webhook.id.to_string(),
            url: format!(
                "https://discord.com/api/webhooks/{}/{}",
                webhook.id, webhook.token
            ),
            token: webhook.token.clone(),
        };
        world.webhooks.insert(webhook.id, webhook);
        let event = Event::new(
            "WEBHOOKS_UPDATE",
            json!({"guild_id": guild_id.to_string(), "channel_id": channel_id.to_string()}),
            Some(guild_id),
            intents::GUILD_WEBHOOKS,
        );
        Ok((info, vec![event]))
    })
}

pub fn leave_guild(state: &SimState, guild_id: u64, user_id: u64) -> ActionResult<()> {
    state.mutate(|world, _| {
        if !world
            .guilds
            .get(&guild_id)
            .is_some_and(|g| g.members.contains_key(&user_id))
        {
            return (Err(ActionError::Unknown("member", user_id)), Vec::new());
        }
        let events = crate::rest::remove_member(world, guild_id, user_id);
        (Ok(()), events)
    })
}

pub fn set_member_roles(
    state: &SimState,
    guild_id: u64,
    user_id: u64,
    roles: &[u64],
) -> ActionResult<()> {
    state.mutate(|world, _| {
        let Some(guild) = world.guilds.get_mut(&guild_id) else {
            return (Err(ActionError::Unknown("guild", guild_id)), Vec::new());
        };
        if let Some(missing) = roles.iter().find(|r| !guild.roles.contains_key(r)) {
            return (Err(ActionError::Unknown("role", *missing)), Vec::new());
        }
        let Some(member) = guild.members.get_mut(&user_id) else {
            return (Err(ActionError::Unknown("member", user_id)), Vec::new());
        };
        member.roles = roles.to_vec();
        let event = world.member_update_event(guild_id, user_id);
        (Ok(()), event.into_iter().collect())
    })
}

// ---- interactions -----------------------------------------------------------------

fn partial_channel_json(world: &World, channel: &Channel, user_id: u64) -> Value {
    let mut json = channel.to_json(world);
    json["permissions"] = json!(world
        .member_channel_permissions(channel, user_id)
        .to_string());
    json
}

/// The member object of an interaction: with the user and `permissions` in the channel.
fn interaction_member_json(
    world: &World,
    guild_id: u64,
    user_id: u64,
    channel: &Channel,
) -> Option<Value> {
    let mut member = world.member_json(guild_id, user_id)?;
    member["permissions"] = json!(world
        .member_channel_permissions(channel, user_id)
        .to_string());
    Some(member)
}

/// Builds, registers and dispatches an INTERACTION_CREATE.
#[allow(clippy::too_many_arguments)]
fn start_interaction(
    state: &SimState,
    world: &World,
    kind: u8,
    channel: &Channel,
    user_id: u64,
    data: Value,
    source_message: Option<&Message>,
) -> ActionResult<u64> {
    let id = state.ids.next();
    let token = format!("aW50ZXJhY3Rpb246{}:{}", id, crate::random_hex(32));
    let guild_id = channel.guild_id;
    let mut payload = json!({
        "id": id.to_string(),
        "application_id": state.application_id.to_string(),
        "type": kind,
        "data": data,
        "channel_id": channel.id.to_string(),
        "channel": partial_channel_json(world, channel, user_id),
        "token": token,
        "version": 1,
        "app_permissions": world.bot_channel_permissions(channel).to_string(),
        "locale": world
            .users
            .get(&user_id)
            .map_or(DEFAULT_LOCALE, |u| u.locale.as_str()),
        "entitlements": [],
        "attachment_size_limit": state.config.attachment_size_limit,
    });
    match guild_id {
        Some(guild_id) => {
            payload["guild_id"] = json!(guild_id.to_string());
            payload["guild"] =
                json!({"id": guild_id.to_string(), "locale": "en-US", "features": []});
            payload["guild_locale"] = json!("en-US");
            payload["member"] = interaction_member_json(world, guild_id, user_id, channel)
                .ok_or(ActionError::Unknown("member", user_id))?;
            payload["authorizing_integration_owners"] = json!({"0": guild_id.to_string()});
            payload["context"] = json!(0);
        }
        None => {
            payload["user"] = world
                .users
                .get(&user_id)
                .map(|u| u.to_json())
                .ok_or(ActionError::Unknown("user", user_id))?;
            payload["authorizing_integration_owners"] = json!({"0": "0"});
            payload["context"] = json!(1);
        }
    }
    if let Some(message) = source_message {
        payload["message"] = message.to_json(world);
    }
    let interaction = Interaction::new(
        id,
        token,
        kind,
        guild_id,
        channel.id,
        user_id,
        source_message.map(|m| m.id),
        payload.clone(),
    );
    state.interactions.insert(interaction);
    state.gateway.dispatch(&Event::new(
        "INTERACTION_CREATE",
        payload,
        guild_id,
        intents::ALWAYS,
    ));
    Ok(id)
}

fn find_command<'a>(
    world: &'a World,
    guild_id: Option<u64>,
    name: &str,
) -> Option<&'a crate::world::Command> {
    // A guild command shadows a global one of the same name in that guild.
    world
        .commands
        .iter()
        .filter(|c| c.kind() == 1 && c.name() == name)
        .find(|c| c.guild_id.is_some() && c.guild_id == guild_id)
        .or_else(|| {
            world
                .commands
                .iter()
                .find(|c| c.kind() == 1 && c.name() == name && c.guild_id.is_none())
        })
}

/// Everything `resolved` needs, collected while checking options.
#[derive(Default)]
struct Resolved {
    users: Map<String, Value>,
    members: Map<String, Value>,
    roles: Map<String, Value>,
    channels: Map<String, Value>,
    attachments: Map<String, Value>,
}

impl Resolved {
    fn to_json(&self) -> Option<Value> {
        let mut resolved = Map::new();
        for (key, map) in [
            ("users", &self.users),
            ("members", &self.members),
            ("roles", &self.roles),
            ("channels", &self.channels),
            ("attachments", &self.attachments),
        ] {
            if !map.is_empty() {
                resolved.insert(key.into(), Value::Object(map.clone()));
            }
        }
        (!resolved.is_empty()).then_some(Value::Object(resolved))
    }
}

struct OptionContext<'a> {
    state: &'a SimState,
    world: &'a World,
    guild_id: Option<u64>,
    channel: &'a Channel,
    autocomplete: bool,
    unchecked: bool,
    focused_seen: usize,
    resolved: Resolved,
}

impl OptionContext<'_> {
    /// Checks the options a person gave against the command's definitions and returns
    /// them in Discord's shape (with types), collecting resolved objects.
    fn options(
        &mut self,
        given: &[CommandOption],
        defined: &[Value],
        path: &str,
    ) -> ActionResult<Vec<Value>> {
        let mut out = Vec::new();
        for option in given {
            let definition = defined
                .iter()
                .find(|d| d["name"].as_str() == Some(option.name.as_str()))
                .ok_or_else(|| {
                    ActionError::invalid(format!("/{path} has no option {:?}", option.name))
                })?;
            let kind = definition["type"].as_u64().unwrap_or(3) as u8;
            if let Some(given_kind) = option.kind {
                if given_kind != kind {
                    return Err(ActionError::invalid(format!(
                        "option {:?} is of type {kind}, not {given_kind}",
                        option.name
                    )));
                }
            }
            let nested: Vec<Value> = definition["options"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if kind == 1 || kind == 2 {
                let sub_path = format!("{path} {}", option.name);
                let options = self.options(&option.options, &nested, &sub_path)?;
                out.push(json!({"name": option.name, "type": kind, "options": options}));
                continue;
            }
            let value = option.value.clone().ok_or_else(|| {
                ActionError::invalid(format!("option {:?} needs a value", option.name))
            })?;
            let mut entry = json!({"name": option.name, "type": kind});
            if option.focused {
                if !self.autocomplete {
                    return Err(ActionError::invalid("`focused` is only for autocomplete"));
                }
                if definition["autocomplete"].as_bool() != Some(true) {
                    return Err(ActionError::invalid(format!(
                        "option {:?} has no autocomplete",
                        option.name
                    )));
                }
                self.focused_seen += 1;
                entry["focused"] = json!(true);
                entry["value"] = Value::String(
                    value
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| value.to_string()),
                );
            } else {
                entry["value"] = self.option_value(&option.name, kind, definition, value)?;
            }
            out.push(entry);
        }
        if !self.autocomplete && !self.unchecked {
            for definition in defined {
                let kind = definition["type"].as_u64().unwrap_or(3);
                let name = definition["name"].as_str().unwrap_or("");
                if kind > 2
                    && definition["required"].as_bool() == Some(true)
                    && !given.iter().any(|o| o.name == name)
                {
                    return Err(ActionError::invalid(format!(
                        "/{path} needs the option {name:?}"
                    )));
                }
            }
            let has_subcommands = defined
                .iter()
                .any(|d| matches!(d["type"].as_u64(), Some(1 | 2)));
            if has_subcommands && given.len() != 1 {
                return Err(ActionError::invalid(format!(
                    "/{path} needs exactly one subcommand"
                )));
            }
        }
        Ok(out)
    }

    fn option_value(
        &mut self,
        name: &str,
        kind: u8,
        definition: &Value,
        value: Value,
    ) -> ActionResult<Value> {
        let wrong =
            |expected: &str| ActionError::invalid(format!("option {name:?} takes {expected}"));
        let checked = !self.unchecked;
        let value = match kind {
            3 => {
                let text = value.as_str().ok_or_else(|| wrong("a string"))?.to_string();
                let length = text.chars().count() as u64;
                if checked {
                    if let Some(min) = definition["min_length"]
                        .as_u64()
                        .filter(|min| length < *min)
                    {
                        return Err(ActionError::invalid(format!(
                            "option {name:?} needs at least {min} characters"
                        )));
                    }
                    if let Some(max) = definition["max_length"]
                        .as_u64()
                        .filter(|max| length > *max)
                    {
                        return Err(ActionError::invalid(format!(
                            "option {name:?} takes at most {max} characters"
                        )));
                    }
                }
                Value::String(text)
            }
            4 | 10 => {
                let number = if kind == 4 {
                    value
                        .as_i64()
                        .map(|n| n as f64)
                        .ok_or_else(|| wrong("an integer"))?
                } else {
                    value.as_f64().ok_or_else(|| wrong("a number"))?
                };
                if checked {
                    if let Some(min) = definition["min_value"].as_f64().filter(|min| number < *min)
                    {
                        return Err(ActionError::invalid(format!(
                            "option {name:?} must be at least {min}"
                        )));
                    }
                    if let Some(max) = definition["max_value"].as_f64().filter(|max| number > *max)
                    {
                        return Err(ActionError::invalid(format!(
                            "option {name:?} must be at most {max}"
                        )));
                    }
                }
                value
            }
            5 => Value::Bool(value.as_bool().ok_or_else(|| wrong("true or false"))?),
            6 => {
                let user_id = crate::rest::id_of(&value).ok_or_else(|| wrong("a user id"))?;
                self.resolve_user(user_id)?;
                Value::String(user_id.to_string())
            }
            7 => {
                let channel_id = crate::rest::id_of(&value).ok_or_else(|| wrong("a channel id"))?;
                let channel = self
                    .world
                    .channel(channel_id)
                    .filter(|c| c.guild_id == self.guild_id)
                    .ok_or(ActionError::Unknown("channel", channel_id))?;
                if let Some(types) = definition["channel_types"].as_array().filter(|_| checked) {
                    if !types
                        .iter()
                        .any(|t| t.as_u64() == Some(channel.kind as u64))
                    {
                        return Err(ActionError::invalid(format!(
                            "option {name:?} does not take channels of type {}",
                            channel.kind
                        )));
                    }
                }
                let user_view = partial_channel_json(self.world, channel, 0);
                self.resolved
                    .channels
                    .insert(channel_id.to_string(), user_view);
                Value::String(channel_id.to_string())
            }
            8 => {
                let role_id = crate::rest::id_of(&value).ok_or_else(|| wrong("a role id"))?;
                self.resolve_role(role_id)?;
                Value::String(role_id.to_string())
            }
            9 => {
                let id = crate::rest::id_of(&value).ok_or_else(|| wrong("a user or role id"))?;
                if self.world.users.contains_key(&id) {
                    self.resolve_user(id)?;
                } else {
                    self.resolve_role(id)?;
                }
                Value::String(id.to_string())
            }
            11 => {
                let upload: FileUpload = serde_json::from_value(value)
                    .map_err(|_| wrong("a file {filename, content_type, data_base64}"))?;
                let attachment = store_upload(self.state, &upload)?;
                let id = attachment["id"].as_str().unwrap_or_default().to_string();
                self.resolved.attachments.insert(id.clone(), attachment);
                Value::String(id)
            }
            other => {
                return Err(ActionError::invalid(format!(
                    "option type {other} is not supported"
                )))
            }
        };
        if checked {
            if let Some(choices) = definition["choices"].as_array() {
                if !choices.iter().any(|c| c["value"] == value) {
                    return Err(ActionError::invalid(format!(
                        "option {name:?} must be one of its choices"
                    )));
                }
            }
        }
        Ok(value)
    }

    fn resolve_user(&mut self, user_id: u64) -> ActionResult<()> {
        let user = self
            .world
            .users
            .get(&user_id)
            .ok_or(ActionError::Unknown("user", user_id))?;
        self.resolved
            .users
            .insert(user_id.to_string(), user.to_json());
        if let Some(guild_id) = self.guild_id {
            if let Some(member) = self
                .world
                .guilds
                .get(&guild_id)
                .and_then(|g| g.members.get(&user_id))
            {
                let mut member = member_json_without_user(member);
                member["permissions"] = json!(self
                    .world
                    .member_channel_permissions(self.channel, user_id)
                    .to_string());
                self.resolved.members.insert(user_id.to_string(), member);
            }
        }
        Ok(())
    }

    fn resolve_role(&mut self, role_id: u64) -> ActionResult<()> {
        let role = self
            .guild_id
            .and_then(|g| self.world.guilds.get(&g))
            .and_then(|g| g.roles.get(&role_id))
            .ok_or(ActionError::Unknown("role", role_id))?;
        self.resolved
            .roles
            .insert(role_id.to_string(), role.to_json());
        Ok(())
    }
}

fn store_upload(state: &SimState, upload: &FileUpload) -> ActionResult<Value> {
    let data = base64::engine::general_purpose::STANDARD
        .decode(upload.data_base64.trim())
        .map_err(|_| ActionError::invalid("data_base64 is not base64"))?;
    if data.len() > state.config.attachment_size_limit {
        return Err(ActionError::not_allowed(format!(
            "the file is larger than {} bytes",
            state.config.attachment_size_limit
        )));
    }
    let attachment = Attachment {
        id: state.ids.next(),
        filename: upload.filename.clone(),
        content_type: upload.content_type.clone(),
        description: None,
        data: data.into(),
    };
    let url = format!(
        "{}/attachments/0/{}/{}",
        state.http_url, attachment.id, attachment.filename
    );
    let json = json!({
        "id": attachment.id.to_string(),
        "filename": attachment.filename,
        "size": attachment.data.len(),
        "url": url,
        "proxy_url": url,
        "content_type": attachment.content_type,
        "ephemeral": true,
    });
    state.uploads.lock().insert(attachment.id, attachment);
    Ok(json)
}

/// The channel an action happens in, and that the person may use it.
fn usable_channel(
    world: &World,
    channel_id: u64,
    user_id: u64,
    guild_id: Option<u64>,
) -> ActionResult<Channel> {
    let channel = world
        .channel(channel_id)
        .cloned()
        .ok_or(ActionError::Unknown("channel", channel_id))?;
    if !world.users.contains_key(&user_id) {
        return Err(ActionError::Unknown("user", user_id));
    }
    if guild_id.is_some() && channel.guild_id != guild_id {
        return Err(ActionError::invalid(format!(
            "channel {channel_id} is not in guild {}",
            guild_id.unwrap_or(0)
        )));
    }
    match channel.guild_id {
        Some(guild) => {
            if !world
                .guilds
                .get(&guild)
                .is_some_and(|g| g.members.contains_key(&user_id))
            {
                return Err(ActionError::not_allowed(format!(
                    "user {user_id} is not a member of guild {guild}"
                )));
            }
            if world.member_channel_permissions(&channel, user_id) & perm::VIEW_CHANNEL == 0 {
                return Err(ActionError::not_allowed(format!(
                    "user {user_id} cannot see channel {channel_id}"
                )));
            }
        }
        None => {
            if channel.recipient_id != Some(user_id) {
                return Err(ActionError::not_allowed("that DM belongs to someone else"));
            }
        }
    }
    Ok(channel)
}

pub fn run_command(state: &SimState, run: CommandRun, autocomplete: bool) -> ActionResult<u64> {
    let world = state.world.lock();
    let channel = usable_channel(&world, run.channel_id, run.user_id, run.guild_id)?;
    let command = find_command(&world, channel.guild_id, &run.name)
        .ok_or_else(|| {
            ActionError::invalid(format!("/{} is not registered for this guild", run.name))
        })?
        .clone();
    if let (Some(guild_id), false) = (channel.guild_id, run.unchecked) {
        if let Some(required) = crate::rest::id_of(&command.body["default_member_permissions"]) {
            let guild = &world.guilds[&guild_id];
            let have = perm::guild_permissions(guild, run.user_id);
            if have & perm::ADMINISTRATOR == 0 && have & required != required {
                return Err(ActionError::not_allowed(format!(
                    "/{} is hidden from this member (default_member_permissions)",
                    run.name
                )));
            }
        }
        if world.member_channel_permissions(&channel, run.user_id) & perm::USE_APPLICATION_COMMANDS
            == 0
        {
            return Err(ActionError::not_allowed(
                "the member may not use application commands here",
            ));
        }
    }
    let mut context = OptionContext {
        state,
        world: &world,
        guild_id: channel.guild_id,
        channel: &channel,
        autocomplete,
        unchecked: run.unchecked,
        focused_seen: 0,
        resolved: Resolved::default(),
    };
    let defined = command.body["options"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let options = context.options(&run.options, &defined, &run.name)?;
    if autocomplete && context.focused_seen != 1 {
        return Err(ActionError::invalid(
            "autocomplete needs exactly one focused option",
        ));
    }
    let mut data = json!({
        "id": command.id.to_string(),
        "name": command.name(),
        "type": 1,
        "options": options,
    });
    if let Some(guild_id) = command.guild_id {
        data["guild_id"] = json!(guild_id.to_string());
    }
    if let Some(resolved) = context.resolved.to_json() {
        data["resolved"] = resolved;
    }
    let kind = if autocomplete {
        interaction_kind::AUTOCOMPLETE
    } else {
        interaction_kind::APPLICATION_COMMAND
    };
    start_interaction(state, &world, kind, &channel, run.user_id, data, None)
}

fn find_message(world: &World, message_id: u64) -> Option<&Message> {
    world
        .messages
        .values()
        .find_map(|messages| messages.get(&message_id))
}

/// Finds a component by custom_id anywhere in a message's components (rows,
/// containers, sections' accessories, labels).
fn find_component<'a>(components: &'a [Value], custom_id: &str) -> Option<&'a Value> {
    for component in components {
        if component["custom_id"].as_str() == Some(custom_id) {
            return Some(component);
        }
        if let Some(found) = component["components"]
            .as_array()
            .and_then(|children| find_component(children, custom_id))
        {
            return Some(found);
        }
        for key in ["accessory", "component"] {
            let child = &component[key];
            if child.is_object() {
                if let Some(found) = find_component(std::slice::from_ref(child), custom_id) {
                    return Some(found);
                }
            }
        }
    }
    None
}

pub fn use_component(state: &SimState, action: ComponentUse) -> ActionResult<u64> {
    let world = state.world.lock();
    let message = find_message(&world, action.message_id)
        .ok_or(ActionError::Unknown("message", action.message_id))?
        .clone();
    let channel = usable_channel(&world, message.channel_id, action.user_id, None)?;
    if message.flags & EPHEMERAL != 0 {
        let owner = message.interaction.map(|(_, _, user)| user);
        if owner != Some(action.user_id) {
            return Err(ActionError::not_allowed(
                "that ephemeral message is only visible to someone else",
            ));
        }
    }
    let component = find_component(&message.components, &action.custom_id)
        .ok_or_else(|| {
            ActionError::invalid(format!(
                "message {} has no component {:?}",
                message.id, action.custom_id
            ))
        })?
        .clone();
    let component_type = component["type"].as_u64().unwrap_or(0) as u8;
    let checked = !action.unchecked;
    if checked && component["disabled"].as_bool() == Some(true) {
        return Err(ActionError::not_allowed(format!(
            "component {:?} is disabled",
            action.custom_id
        )));
    }
    let mut data = json!({"custom_id": action.custom_id, "component_type": component_type});
    match component_type {
        2 => {
            if checked && matches!(component["style"].as_u64(), Some(5 | 6)) {
                return Err(ActionError::not_allowed(
                    "link and premium buttons do not send interactions",
                ));
            }
        }
        3 | 5 | 6 | 7 | 8 => {
            let min = component["min_values"].as_u64().unwrap_or(1) as usize;
            let max = component["max_values"].as_u64().unwrap_or(1) as usize;
            if checked && (action.values.len() < min || action.values.len() > max) {
                return Err(ActionError::invalid(format!(
                    "pick between {min} and {max} values"
                )));
            }
            let mut resolved = OptionContext {
                state,
                world: &world,
                guild_id: channel.guild_id,
                channel: &channel,
                autocomplete: false,
                unchecked: action.unchecked,
                focused_seen: 0,
                resolved: Resolved::default(),
            };
            for value in &action.values {
                match component_type {
                    3 => {
                        let known = component["options"].as_array().is_some_and(|o| {
                            o.iter().any(|opt| opt["value"].as_str() == Some(value))
                        });
                        if checked && !known {
                            return Err(ActionError::invalid(format!(
                                "{value:?} is not one of the select's options"
                            )));
                        }
                    }
                    5 => resolved.resolve_user(
                        value
                            .parse()
                            .map_err(|_| ActionError::invalid("user ids only"))?,
                    )?,
                    6 => resolved.resolve_role(
                        value
                            .parse()
                            .map_err(|_| ActionError::invalid("role ids only"))?,
                    )?,
                    7 => {
                        let id: u64 = value
                            .parse()
                            .map_err(|_| ActionError::invalid("user or role ids only"))?;
                        if world.users.contains_key(&id) {
                            resolved.resolve_user(id)?
                        } else {
                            resolved.resolve_role(id)?
                        }
                    }
                    _ => {
                        let id: u64 = value
                            .parse()
                            .map_err(|_| ActionError::invalid("channel ids only"))?;
                        let target = world
                            .channel(id)
                            .ok_or(ActionError::Unknown("channel", id))?;
                        resolved
                            .resolved
                            .channels
                            .insert(id.to_string(), partial_channel_json(&world, target, 0));
                    }
                }
            }
            data["values"] = json!(action.values);
            if let Some(resolved) = resolved.resolved.to_json() {
                data["resolved"] = resolved;
            }
        }
        other => {
            return Err(ActionError::invalid(format!(
                "component type {other} does not send interactions"
            )))
        }
    }
    start_interaction(
        state,
        &world,
        interaction_kind::MESSAGE_COMPONENT,
        &channel,
        action.user_id,
        data,
        Some(&message),
    )
}

/// Every text input (type 4) in a modal, wherever it sits (action rows or labels).
fn text_inputs(components: &Value, out: &mut Vec<Value>) {
    for component in components.as_array().into_iter().flatten() {
        if component["type"].as_u64() == Some(4) {
            out.push(component.clone());
        }
        text_inputs(&component["components"], out);
        if component["component"].is_object() {
            text_inputs(&json!([component["component"].clone()]), out);
        }
    }
}

/// What Discord sends back for a modal: each shown action row (or label) that holds an
/// answered text input, with the integer `id` every component carries — the modal's own,
/// or, where it gave none, the one Discord numbers in order (1, 2, …) — and then, for a
/// modified client, any field the modal did not have.
fn submitted_components(shown: &Value, fields: &serde_json::Map<String, Value>) -> Vec<Value> {
    let mut next_id = 1;
    let mut id_of = |component: &Value| {
        let id = component["id"].as_u64().unwrap_or(next_id);
        next_id = id.max(next_id) + 1;
        id
    };
    let answer = |input: &Value, id: u64| {
        let custom_id = input["custom_id"].as_str().unwrap_or_default();
        let value = fields.get(custom_id).and_then(Value::as_str)?;
        Some(json!({"type": 4, "id": id, "custom_id": custom_id, "value": value}))
    };
    let mut rows = Vec::new();
    let mut seen = Vec::new();
    for container in shown.as_array().into_iter().flatten() {
        let container_id = id_of(container);
        match container["type"].as_u64() {
            Some(1) => {
                let mut answered = Vec::new();
                for input in container["components"].as_array().into_iter().flatten() {
                    let id = id_of(input);
                    if let Some(answer) = answer(input, id) {
                        seen.push(input["custom_id"].clone());
                        answered.push(answer);
                    }
                }
                if !answered.is_empty() {
                    rows.push(json!({"type": 1, "id": container_id, "components": answered}));
                }
            }
            Some(18) => {
                let input = &container["component"];
                let id = id_of(input);
                if let Some(answer) = answer(input, id) {
                    seen.push(input["custom_id"].clone());
                    rows.push(json!({"type": 18, "id": container_id, "component": answer}));
                }
            }
            _ => {}
        }
    }
    for (field, value) in fields {
        if seen.iter().any(|id| id.as_str() == Some(field)) {
            continue;
        }
        let (row_id, input_id) = (id_of(&Value::Null), id_of(&Value::Null));
        rows.push(json!({"type": 1, "id": row_id, "components": [
            {"type": 4, "id": input_id, "custom_id": field, "value": value}
        ]}));
    }
    rows
}

pub fn submit_modal(state: &SimState, action: ModalSubmit) -> ActionResult<u64> {
    let opened = state
        .interactions
        .open_modal(action.user_id, &action.custom_id);
    let world = state.world.lock();
    let (channel_id, source_message) = match &opened {
        Some((origin, _)) => (
            origin.channel_id,
            origin
                .source_message_id
                .and_then(|id| find_message(&world, id).cloned()),
        ),
        None if action.unchecked => (
            action
                .channel_id
                .ok_or_else(|| ActionError::invalid("channel_id is needed"))?,
            None,
        ),
        None => {
            return Err(ActionError::not_allowed(format!(
                "no modal {:?} is open for user {}",
                action.custom_id, action.user_id
            )))
        }
    };
    if let Some(given) = action.channel_id.filter(|c| *c != channel_id) {
        return Err(ActionError::invalid(format!(
            "the modal was opened in channel {channel_id}, not {given}"
        )));
    }
    let channel = usable_channel(&world, channel_id, action.user_id, action.guild_id)?;
    let mut inputs = Vec::new();
    if let Some((_, modal)) = &opened {
        text_inputs(&modal["components"], &mut inputs);
    }
    for (field, value) in &action.fields {
        let text = value
            .as_str()
            .ok_or_else(|| ActionError::invalid(format!("field {field:?} takes text")))?;
        if !action.unchecked {
            let input = inputs
                .iter()
                .find(|i| i["custom_id"].as_str() == Some(field))
                .ok_or_else(|| ActionError::invalid(format!("the modal has no field {field:?}")))?;
            let length = text.chars().count() as u64;
            if let Some(min) = input["min_length"].as_u64().filter(|min| length < *min) {
                return Err(ActionError::invalid(format!(
                    "field {field:?} needs at least {min} characters"
                )));
            }
            if let Some(max) = input["max_length"].as_u64().filter(|max| length > *max) {
                return Err(ActionError::invalid(format!(
                    "field {field:?} takes at most {max} characters"
                )));
            }
        }
    }
    let empty = json!([]);
    let shown = opened
        .as_ref()
        .map_or(&empty, |(_, modal)| &modal["components"]);
    let rows = submitted_components(shown, &action.fields);
    if !action.unchecked {
        for input in &inputs {
            let id = input["custom_id"].as_str().unwrap_or("");
            let required = input["required"].as_bool().unwrap_or(true);
            let answered = action
                .fields
                .get(id)
                .and_then(Value::as_str)
                .is_some_and(|t| !t.is_empty());
            if required && !answered {
                return Err(ActionError::invalid(format!("field {id:?} is required")));
            }
        }
    }
    let data = json!({"custom_id": action.custom_id, "components": rows});
    start_interaction(
        state,
        &world,
        interaction_kind::MODAL_SUBMIT,
        &channel,
        action.user_id,
        data,
        source_message.as_ref(),
    )
}

// ---- messages, reactions, voice, presence -----------------------------------------

pub fn send_message(
    state: &SimState,
    channel_id: u64,
    user_id: u64,
    content: &str,
    files: &[FileUpload],
) -> ActionResult<u64> {
    if content.chars().count() > 2000 {
        return Err(ActionError::invalid(
            "messages are limited to 2000 characters",
        ));
    }
    if content.is_empty() && files.is_empty() {
        return Err(ActionError::invalid("an empty message cannot be sent"));
    }
    let mut uploads = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let data = base64::engine::general_purpose::STANDARD
            .decode(file.data_base64.trim())
            .map_err(|_| ActionError::invalid("data_base64 is not base64"))?;
        uploads.push(UploadedFile {
            index,
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            data: data.into(),
        });
    }
    state.try_mutate(|world, ids| {
        let channel = usable_channel(world, channel_id, user_id, None)?;
        if channel.kind == channel_kind::GUILD_CATEGORY {
            return Err(ActionError::invalid("categories have no messages"));
        }
        if let Some(guild_id) = channel.guild_id {
            let perms = world.member_channel_permissions(&channel, user_id);
            if perms & perm::SEND_MESSAGES == 0 {
                return Err(ActionError::not_allowed(format!(
                    "user {user_id} cannot send messages in channel {channel_id}"
                )));
            }
            let timed_out = world.guilds[&guild_id].members[&user_id]
                .communication_disabled_until
                .as_deref()
                .and_then(|until| chrono::DateTime::parse_from_rfc3339(until).ok())
                .is_some_and(|until| until > chrono::Utc::now());
            if timed_out {
                return Err(ActionError::not_allowed("the member is timed out"));
            }
        }
        let attachments = crate::rest::messages::attachments_from(ids, &Value::Null, &uploads)
            .map_err(|e| ActionError::invalid(e.message))?;
        let message = Message {
            id: ids.next(),
            channel_id,
            guild_id: channel.guild_id,
            author_id: user_id,
            content: content.to_string(),
            embeds: Vec::new(),
            components: Vec::new(),
            attachments,
            edited_at_ms: None,
            history: Vec::new(),
            pinned: false,
            flags: 0,
            kind: 0,
            reactions: Vec::new(),
            webhook_id: None,
            application_id: None,
            interaction: None,
            message_reference: None,
            tts: false,
        };
        let id = message.id;
        let event = world.insert_message(message);
        Ok((id, vec![event]))
    })
}

pub fn react(
    state: &SimState,
    channel_id: u64,
    message_id: u64,
    user_id: u64,
    emoji: &str,
    add: bool,
) -> ActionResult<()> {
    let emoji = EmojiKey::parse(emoji).ok_or_else(|| ActionError::invalid("empty emoji"))?;
    state.try_mutate(|world, _| {
        let channel = usable_channel(world, channel_id, user_id, None)?;
        if add
            && channel.guild_id.is_some()
            && world.member_channel_permissions(&channel, user_id) & perm::ADD_REACTIONS == 0
        {
            return Err(ActionError::not_allowed(
                "the member may not add reactions here",
            ));
        }
        let event = crate::rest::channels::set_reaction(
            world, channel_id, message_id, user_id, &emoji, add,
        )
        .map_err(|_| ActionError::Unknown("message", message_id))?;
        Ok(((), event.into_iter().collect()))
    })
}

pub fn set_voice(
    state: &SimState,
    guild_id: u64,
    user_id: u64,
    channel_id: Option<u64>,
) -> ActionResult<()> {
    state.try_mutate(|world, _| {
        let guild = world
            .guilds
            .get(&guild_id)
            .ok_or(ActionError::Unknown("guild", guild_id))?;
        if !guild.members.contains_key(&user_id) {
            return Err(ActionError::Unknown("member", user_id));
        }
        if let Some(channel_id) = channel_id {
            let channel = world
                .channel(channel_id)
                .filter(|c| c.guild_id == Some(guild_id))
                .ok_or(ActionError::Unknown("channel", channel_id))?;
            if channel.kind != channel_kind::GUILD_VOICE {
                return Err(ActionError::invalid("not a voice channel"));
            }
            if world.member_channel_permissions(channel, user_id) & perm::CONNECT == 0 {
                return Err(ActionError::not_allowed(
                    "the member may not connect to that channel",
                ));
            }
        }
        let member = world.member_json(guild_id, user_id);
        let guild = world
            .guilds
            .get_mut(&guild_id)
            .ok_or(ActionError::Unknown("guild", guild_id))?;
        let data = match channel_id {
            Some(channel_id) => {
                let session_id = guild
                    .voice_states
                    .get(&user_id)
                    .map(|v| v.session_id.clone())
                    .unwrap_or_else(|| crate::random_hex(16));
                let state = VoiceState {
                    user_id,
                    channel_id,
                    session_id,
                };
                let data = voice_state_json(guild_id, &state, member);
                guild.voice_states.insert(user_id, state);
                data
            }
            None => {
                let previous = guild
                    .voice_states
                    .remove(&user_id)
                    .ok_or_else(|| ActionError::invalid("the member is not in voice"))?;
                let mut data = voice_state_json(guild_id, &previous, member);
                data["channel_id"] = Value::Null;
                data
            }
        };
        let event = Event::new(
            "VOICE_STATE_UPDATE",
            data,
            Some(guild_id),
            intents::GUILD_VOICE_STATES,
        );
        Ok(((), vec![event]))
    })
}

pub fn set_presence(
    state: &SimState,
    guild_id: u64,
    user_id: u64,
    status: &str,
    activities: Value,
) -> ActionResult<()> {
    if !["online", "idle", "dnd", "offline"].contains(&status) {
        return Err(ActionError::invalid(
            "status is online, idle, dnd or offline",
        ));
    }
    let activities = if activities.is_null() {
        json!([])
    } else {
        activities
    };
    state.mutate(|world, _| {
        let Some(guild) = world.guilds.get_mut(&guild_id) else {
            return (Err(ActionError::Unknown("guild", guild_id)), Vec::new());
        };
        if !guild.members.contains_key(&user_id) {
            return (Err(ActionError::Unknown("member", user_id)), Vec::new());
        }
        let presence = Presence {
            user_id,
            status: status.to_string(),
            activities,
        };
        let data = presence_json(guild_id, &presence);
        guild.presences.insert(user_id, presence);
        (
            Ok(()),
            vec![Event::new(
                "PRESENCE_UPDATE",
                data,
                Some(guild_id),
                intents::GUILD_PRESENCES,
            )],
        )
    })
}

// ---- reading ----------------------------------------------------------------------

pub fn channel_messages(state: &SimState, channel_id: u64, include_ephemeral: bool) -> Vec<Value> {
    let world = state.world.lock();
    world
        .messages
        .get(&channel_id)
        .map(|messages| {
            messages
                .values()
                .filter(|m| include_ephemeral || m.flags & EPHEMERAL == 0)
                .map(|m| m.to_json(&world))
                .collect()
        })
        .unwrap_or_default()
}

pub fn dms(state: &SimState, user_id: u64) -> Vec<Value> {
    let channel = state.world.lock().dm_channels.get(&user_id).copied();
    channel
        .map(|c| channel_messages(state, c, true))
        .unwrap_or_default()
}

pub async fn interaction_record(
    state: &SimState,
    id: u64,
    until: WaitFor,
    timeout: Duration,
) -> ActionResult<InteractionRecord> {
    let interaction = state
        .interactions
        .get(id)
        .ok_or(ActionError::Unknown("interaction", id))?;
    interaction.wait(until, timeout).await;
    let snapshot: InteractionState = interaction.state();
    let world = state.world.lock();
    let message_json =
        |message_id: u64| find_message(&world, message_id).map(|m| m.to_json(&world));
    let original = snapshot
        .original_message_id
        .filter(|_| !snapshot.original_deleted)
        .and_then(message_json);
    let followups: Vec<Value> = snapshot
        .followup_message_ids
        .iter()
        .filter_map(|id| message_json(*id))
        .collect();
    let payload = match (&snapshot.callback, &original) {
        (Some(callback), _) if matches!(callback.kind, 1 | 8 | 9) => callback.data.clone(),
        (_, Some(message)) => message.clone(),
        (Some(callback), None) => callback.data.clone(),
        (None, _) => Value::Null,
    };
    Ok(InteractionRecord {
        id: id.to_string(),
        kind: interaction.kind,
        user_id: interaction.user_id.to_string(),
        guild_id: interaction.guild_id.map(|g| g.to_string()),
        channel_id: interaction.channel_id.to_string(),
        callback: snapshot.callback,
        original,
        followups,
        edits: snapshot.edits,
        original_deleted: snapshot.original_deleted,
        errors: snapshot.errors,
        payload,
    })
}

/// See [`Sim::seed_history`]. The ids use worker 4 (apart from the generator's 1, backdated
/// accounts' 2 and paced floods' 3), so they never meet another id.
pub fn seed_history(
    state: &SimState,
    channel_id: u64,
    authors: &[u64],
    count: usize,
    from_ms: u64,
    to_ms: u64,
) -> ActionResult<Vec<(u64, usize)>> {
    if authors.is_empty() {
        return Err(ActionError::invalid("history needs at least one author"));
    }
    if to_ms < from_ms {
        return Err(ActionError::invalid("the history must end after it begins"));
    }
    let mut world = state.world.lock();
    let channel = world
        .channel(channel_id)
        .cloned()
        .ok_or(ActionError::Unknown("channel", channel_id))?;
    if channel.kind == channel_kind::GUILD_CATEGORY {
        return Err(ActionError::invalid("categories have no messages"));
    }
    let span = (to_ms - from_ms) as f64;
    let mut written = vec![0usize; authors.len()];
    let mut newest = None;
    let messages = world.messages.entry(channel_id).or_default();
    for n in 0..count {
        let at = from_ms
            + if count > 1 {
                (span * n as f64 / (count - 1) as f64) as u64
            } else {
                0
            };
        let id = crate::snowflake::from_unix_ms(at) | (4 << 17) | (n as u64 & 0x1_ffff);
        let author = n % authors.len();
        written[author] += 1;
        newest = newest.max(Some(id));
        messages.insert(
            id,
            Message {
                id,
                channel_id,
                guild_id: channel.guild_id,
                author_id: authors[author],
                content: format!("history message {n}"),
                embeds: Vec::new(),
                components: Vec::new(),
                attachments: Vec::new(),
                edited_at_ms: None,
                history: Vec::new(),
                pinned: false,
                flags: 0,
                kind: 0,
                reactions: Vec::new(),
                webhook_id: None,
                application_id: None,
                interaction: None,
                message_reference: None,
                tts: false,
            },
        );
    }
    if let Some(channel) = world.channels.get_mut(&channel_id) {
        channel.last_message_id = channel.last_message_id.max(newest);
    }
    Ok(authors.iter().copied().zip(written).collect())
}
