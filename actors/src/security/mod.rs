//! AntiRaidMonitor: server protection — raid detection from joins, spam rules on messages,
//! anti-nuke from the audit log, lockdowns that give every channel back exactly the
//! permissions it had, security events stored and queried, and an optional verification
//! gate — seed 003's security group, our way.
//!
//! Detection runs where the gateway hands the event over, on plain data behind one lock
//! per guild (`detect`), so the monitor keeps up when a raid floods it; only a verdict
//! (an account to handle, messages to remove) goes on to the main runtime and to Discord.
//! The store keeps what must outlive the process: raids and their accounts, lockdown
//! snapshots, events, members at the gate.

mod admin;
pub mod commands;
pub mod detect;
mod lockdown;
mod monitor;
mod respond;
pub mod schema;
pub mod settings;
pub mod store;
mod verify;

use crate::dispatcher::TextArea;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::{Mutex, RwLock};
use twilight_model::id::marker::{GuildMarker, RoleMarker, UserMarker};
use twilight_model::id::Id;

use self::detect::{JoinWindow, NukeWatch, SpamWatch};
use self::settings::GuardSettings;
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::feature::{Feature, FeatureStart, HelpCategory, Migrations};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::custom_id::CustomId;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::supervision::Concern;
use crate::kernel::Kernel;
use crate::t;

pub(crate) use crate::kernel::reply::private;

crate::translations!("security");

/// The `security-…` keys of the answers every feature gives (see [`TextArea`]).
pub(crate) const TEXTS: TextArea = TextArea("security");

/// The concern's name: catalogue routing, custom_ids (`security:1:raid-ban:<id>`), logs.
pub const SECURITY: &str = "security";

pub const CATEGORY: HelpCategory = HelpCategory {
    key: "security",
    title: "Server protection",
    blurb: "Raid and spam protection, anti-nuke, lockdowns, the verification gate",
};

/// The feature: its command, tables, ticker, event watcher and actor.
#[derive(Default)]
pub struct SecurityFeature {
    shared: Arc<std::sync::OnceLock<Arc<Shared>>>,
}

impl Feature for SecurityFeature {
    fn name(&self) -> &'static str {
        SECURITY
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![CATEGORY]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        commands::entries()
    }

    fn migrations(&self) -> Migrations {
        use diesel_migrations::{embed_migrations, EmbeddedMigrations};
        static SQLITE: EmbeddedMigrations = embed_migrations!("src/security/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations = embed_migrations!("src/security/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn tickers(&self) -> Vec<crate::kernel::ticker::TickerSpec> {
        vec![ticker(self.shared.clone())]
    }

    fn intents(&self) -> twilight_gateway::Intents {
        use twilight_gateway::Intents;
        // Joins (raids, the gate), messages with their text (spam), audit log entries
        // (anti-nuke). GUILD_MEMBERS and MESSAGE_CONTENT are privileged: the application
        // must have them switched on in Discord's developer portal.
        Intents::GUILDS
            | Intents::GUILD_MEMBERS
            | Intents::GUILD_MESSAGES
            | Intents::MESSAGE_CONTENT
            | Intents::GUILD_MODERATION
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let shared = Arc::new(Shared {
            kernel: start.kernel.clone(),
            main: tokio::runtime::Handle::current(),
            guards: RwLock::new(HashMap::new()),
            told_missing: Mutex::new(HashSet::new()),
            lanes: Mutex::new(HashMap::new()),
            incidents_pending: Mutex::new(HashSet::new()),
            pacing: Mutex::new(HashMap::new()),
            last_action: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        });
        if self.shared.set(shared.clone()).is_err() {
            tracing::error!("the security feature started twice");
        }
        monitor::subscribe(start.bus, shared.clone());
        let manager = start.concern(
            move || AntiRaidMonitor {
                shared: shared.clone(),
            },
            component_access,
        );
        start.text_forms(&["security"], manager);
    }
}

/// Every 15 s, on the leader: raids quiet for their guild's quiet period end; lockdowns
/// whose time is up are undone; members who did not pass the gate in time are kicked.
fn ticker(shared: Arc<std::sync::OnceLock<Arc<Shared>>>) -> crate::kernel::ticker::TickerSpec {
    crate::kernel::ticker::TickerSpec::new(
        "security-ticker",
        std::time::Duration::from_secs(15),
        move |_kernel| {
            let shared = shared.get().cloned();
            async move {
                if let Some(shared) = shared {
                    monitor::end_quiet_raids(&shared).await;
                    lockdown::undo_due(&shared).await;
                    verify::kick_overdue(&shared).await;
                }
            }
        },
    )
}

/// The security buttons are for staff; the verification buttons for everyone.
pub fn component_access(id: &CustomId) -> AccessLevel {
    if id.action.starts_with("verify") {
        AccessLevel::Everyone
    } else {
        AccessLevel::Moderator
    }
}

/// One guild as the monitor follows it.
#[derive(Debug)]
pub(crate) struct Guard {
    pub settings: Arc<GuardSettings>,
    /// Whether `settings` came from the store (until then: the defaults).
    pub loaded: bool,
    /// Bumped by every change made here: a read from the store that began before it does
    /// not overwrite it with what it read.
    pub generation: u64,
    /// When the settings (and raid state) were last read from the store: another process
    /// sharing the database may have changed them.
    pub read_at: Instant,
    pub reading: bool,
    /// Roles whose holders are staff here (the moderator and admin roles).
    pub staff_roles: Vec<Id<RoleMarker>>,
    pub members: u64,
    /// Whether `members` came from Discord (GUILD_CREATE, or the guild's counts over REST
    /// after a resume, which brings no GUILD_CREATE).
    pub members_known: bool,
    pub joins: JoinWindow,
    pub spam: SpamWatch,
    pub nuke: NukeWatch,
    /// The raid on, as stored.
    pub raid_id: Option<i64>,
    /// Each invite code's uses when last read, and when that was (`monitor::read_invites`).
    pub invite_uses: HashMap<String, u64>,
    pub invites_read: Option<Instant>,
    /// The code that brought most of the window's joins, and how many, when there is one.
    pub hot_invite: Option<(String, u64)>,
}

impl Guard {
    fn new() -> Guard {
        Guard {
            settings: Arc::new(GuardSettings::default()),
            loaded: false,
            generation: 0,
            read_at: Instant::now(),
            reading: false,
            staff_roles: Vec::new(),
            members: 0,
            members_known: false,
            joins: JoinWindow::default(),
            spam: SpamWatch::default(),
            nuke: NukeWatch::default(),
            raid_id: None,
            invite_uses: HashMap::new(),
            invites_read: None,
            hot_invite: None,
        }
    }
}

/// What the watcher, the actor and the ticker share.
pub(crate) struct Shared {
    pub kernel: Kernel,
    /// The main runtime: deliveries run on a shard's reader thread and hand work here.
    pub main: tokio::runtime::Handle,
    pub guards: RwLock<HashMap<Id<GuildMarker>, Arc<Mutex<Guard>>>>,
    /// (guild, permission) already reported missing by this process: said once.
    pub told_missing: Mutex<HashSet<(Id<GuildMarker>, &'static str)>>,
    /// One lane per guild for the monitor's REST actions: they go one after another, so
    /// twilight learns each bucket from the first answer and queues the rest within
    /// Discord's limits instead of a burst of 429s.
    lanes: Mutex<HashMap<Id<GuildMarker>, Arc<tokio::sync::Mutex<()>>>>,
    /// Raids whose incident is due to be rewritten.
    incidents_pending: Mutex<HashSet<i64>>,
    /// Until when each shared bucket is known to be empty ([`respond::paced`]).
    pub pacing: Mutex<HashMap<String, Instant>>,
    /// When the monitor last sent an action ([`respond::paced`] spaces them).
    pub last_action: tokio::sync::Mutex<tokio::time::Instant>,
}

/// How long settings read from the store are trusted before they are read again.
const SETTINGS_FRESH: std::time::Duration = std::time::Duration::from_secs(60);

impl Shared {
    /// The guild's guard, made (and its settings read) on first use.
    pub fn guard(self: &Arc<Self>, guild: Id<GuildMarker>) -> Arc<Mutex<Guard>> {
        if let Some(guard) = self.guards.read().get(&guild) {
            return guard.clone();
        }
        let guard = self
            .guards
            .write()
            .entry(guild)
            .or_insert_with(|| Arc::new(Mutex::new(Guard::new())))
            .clone();
        self.refresh(guild, &guard);
        guard
    }

    /// Reads the guild's settings and raid state again when they are stale.
    pub fn refresh_if_stale(self: &Arc<Self>, guild: Id<GuildMarker>, guard: &mut Guard) {
        let stale =
            !guard.loaded || !guard.members_known || guard.read_at.elapsed() > SETTINGS_FRESH;
        if !guard.reading && stale {
            guard.reading = true;
            let shared = self.clone();
            self.main.spawn(async move { shared.reload(guild).await });
        }
    }

    fn refresh(self: &Arc<Self>, guild: Id<GuildMarker>, guard: &Arc<Mutex<Guard>>) {
        let mut guard = guard.lock();
        self.refresh_if_stale(guild, &mut guard);
    }

    /// Reads a guild's settings, staff roles and raid state from the store into its guard.
    pub async fn reload(self: &Arc<Self>, guild: Id<GuildMarker>) {
        let store = &self.kernel.store;
        let generation = self.guard_entry(guild).lock().generation;
        let settings = store.guard_settings(guild).await;
        let roles = store.guild_settings(guild).await;
        let raid = store.active_raid(guild).await;
        // The server's size matters only to raid detection: asked of Discord only then.
        let known = self.guard_entry(guild).lock().members_known;
        let raid_on = settings.as_ref().is_ok_and(|s| s.raid_enabled);
        let counted = if known || !raid_on {
            None
        } else {
            self.member_count(guild).await
        };
        let guard = self.guard_entry(guild);
        let mut guard = guard.lock();
        guard.reading = false;
        // Discord's count replaces the joins counted meanwhile: it is approximate and may
        // or may not hold them, and a count too low errs on the side of seeing a raid.
        if let (Some(count), false) = (counted, guard.members_known) {
            guard.members = count;
            guard.members_known = true;
        }
        match (settings, roles, raid) {
            (Ok(settings), Ok(roles), Ok(raid)) => {
                if guard.generation == generation {
                    guard.settings = Arc::new(settings);
                }
                guard.staff_roles = roles
                    .iter()
                    .flat_map(|r| [r.admin_role_id, r.moderator_role_id])
                    .flatten()
                    .collect();
                match raid {
                    Some(raid) => {
                        guard.raid_id = Some(raid.id);
                        if guard.joins.raid.is_none() {
                            guard.joins.raid = Some(detect::RaidMode {
                                started: raid.started_at.timestamp_millis(),
                                last_join: raid.last_join_at.timestamp_millis(),
                            });
                        }
                    }
                    None if guard.raid_id.is_some() => {
                        guard.raid_id = None;
                        guard.joins.end_raid();
                    }
                    None => {}
                }
                guard.loaded = true;
                guard.read_at = Instant::now();
                // The invites' uses before any raid: what a raid's joins are compared with.
                if guard.settings.raid_enabled && guard.invites_read.is_none() {
                    guard.invites_read = Some(Instant::now());
                    let shared = self.clone();
                    self.main
                        .spawn(async move { monitor::read_invites(&shared, guild).await });
                }
            }
            (settings, roles, raid) => {
                let error = settings.err().or(roles.err()).or(raid.err());
                tracing::warn!(
                    guild = guild.get(),
                    ?error,
                    "could not read the protection settings; trying again soon"
                );
                guard.read_at = Instant::now() - SETTINGS_FRESH + std::time::Duration::from_secs(5);
            }
        }
        // Settings changed while this read ran (raid detection turned on, say, after it
        // decided the server's size was not needed): read again if the size is still
        // unknown, else the next join would be the first to ask.
        if guard.generation != generation {
            self.refresh_if_stale(guild, &mut guard);
        }
    }

    /// The guild's member count as Discord gives it over REST (`with_counts`).
    async fn member_count(&self, guild: Id<GuildMarker>) -> Option<u64> {
        let request = self.kernel.discord.client().guild(guild).with_counts(true);
        let response = crate::kernel::discord::send("GET /guilds/{id}", request)
            .await
            .ok()?;
        let guild = response.model().await.ok()?;
        guild.approximate_member_count
    }

    /// An incident's outcome is rewritten at most every 2 s while its accounts are handled.
    pub fn incident_changed(self: &Arc<Self>, guild: Id<GuildMarker>, raid: i64) {
        if !self.incidents_pending.lock().insert(raid) {
            return;
        }
        let shared = self.clone();
        self.main.spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
            shared.incidents_pending.lock().remove(&raid);
            respond::update_incident(&shared, guild, raid).await;
        });
    }

    fn guard_entry(&self, guild: Id<GuildMarker>) -> Arc<Mutex<Guard>> {
        self.guards
            .write()
            .entry(guild)
            .or_insert_with(|| Arc::new(Mutex::new(Guard::new())))
            .clone()
    }

    /// The settings the guard holds now (the defaults until the store answered).
    pub fn settings_of(self: &Arc<Self>, guild: Id<GuildMarker>) -> Arc<GuardSettings> {
        self.guard(guild).lock().settings.clone()
    }

    /// Settings were changed here: every guard of this process uses them at once.
    pub fn settings_changed(self: &Arc<Self>, guild: Id<GuildMarker>, settings: GuardSettings) {
        let guard = self.guard_entry(guild);
        let mut guard = guard.lock();
        guard.settings = Arc::new(settings);
        guard.generation += 1;
        guard.loaded = true;
        guard.read_at = Instant::now();
        // The server's size is needed before the next join is judged, and the invites'
        // uses before a raid.
        if guard.settings.raid_enabled && guard.invites_read.is_none() {
            guard.invites_read = Some(Instant::now());
            let shared = self.clone();
            self.main
                .spawn(async move { monitor::read_invites(&shared, guild).await });
        }
        self.refresh_if_stale(guild, &mut guard);
    }

    /// Forgets members whose messages are too old for any rule (every process, every 30 s).
    pub fn sweep(&self) {
        let now = self.kernel.clock.now().timestamp_millis();
        for guard in self.guards.read().values() {
            let mut guard = guard.lock();
            guard.spam.sweep(now);
            guard.nuke.sweep(now);
        }
    }

    /// The guild's action lane (see [`Shared::lanes`]).
    pub fn lane(&self, guild: Id<GuildMarker>) -> Arc<tokio::sync::Mutex<()>> {
        self.lanes.lock().entry(guild).or_default().clone()
    }

    /// The bot's standing in a guild, read from Discord now: its guild permissions, the
    /// guild's roles, and its highest role's position.
    pub async fn bot_standing(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<
        (
            twilight_model::guild::Permissions,
            Vec<twilight_model::guild::Role>,
            i64,
        ),
        String,
    > {
        use crate::kernel::discord::send;
        use twilight_model::guild::Permissions;
        let client = self.kernel.discord.client();
        let bot = self.bot_user().await.map_err(|e| e.to_string())?;
        let member = send(
            "GET /guilds/{id}/members/{id}",
            client.guild_member(guild, bot),
        )
        .await
        .map_err(|e| e.to_string())?
        .model()
        .await
        .map_err(|e| e.to_string())?;
        let roles = send("GET /guilds/{id}/roles", client.roles(guild))
            .await
            .map_err(|e| e.to_string())?
            .models()
            .await
            .map_err(|e| e.to_string())?;
        let permissions = roles
            .iter()
            .filter(|r| r.id == guild.cast() || member.roles.contains(&r.id))
            .fold(Permissions::empty(), |all, r| all | r.permissions);
        let permissions = if permissions.contains(Permissions::ADMINISTRATOR) {
            Permissions::all()
        } else {
            permissions
        };
        let top = roles
            .iter()
            .filter(|r| member.roles.contains(&r.id))
            .map(|r| r.position)
            .max()
            .unwrap_or(0);
        Ok((permissions, roles, top))
    }

    /// The bot's user id.
    pub async fn bot_user(&self) -> Result<Id<UserMarker>, crate::kernel::discord::DiscordError> {
        self.kernel.discord.bot_user().await
    }
}

/// The actor; see the module documentation.
pub struct AntiRaidMonitor {
    shared: Arc<Shared>,
}

impl Concern for AntiRaidMonitor {
    const NAME: &'static str = SECURITY;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let shared = self.shared.clone();
        async move { interaction(&shared, request).await }.boxed_local()
    }
}

async fn interaction(shared: &Arc<Shared>, request: InteractionRequest) -> Reply {
    let locale = request.language();
    let Some(guild) = request.guild_id else {
        return private(t!(locale, "guild-only"));
    };
    match &request.kind {
        RequestKind::Component { id, .. } => {
            let arg = id.args.first().and_then(|arg| arg.parse::<i64>().ok());
            match (id.action.as_str(), arg) {
                (respond::RAID_BAN | respond::RAID_RELEASE | respond::RAID_END, Some(raid)) => {
                    monitor::raid_button(shared, &request, guild, &id.action, raid).await
                }
                (verify::VERIFY, _) => verify::start(shared, &request, guild).await,
                (verify::ANSWER, _) => verify::answered(shared, &request, guild, id).await,
                _ => private(t!(locale, "security-stale")),
            }
        }
        RequestKind::Command { .. } => admin::command(shared, &request, guild).await,
        _ => private(t!(locale, "security-stale")),
    }
}
