//! TicketManager: support tickets — categories and panels set up by admins, private
//! ticket channels opened from a panel or `/ticket create`, the staff workflow (claim,
//! close with a reason, reopen, delete, participants, priority, internal notes), an event
//! timeline per ticket, and transcripts written as HTML and TXT on close — seed 003, our
//! way.
//!
//! The database is the source of truth: the actor keeps nothing between requests, buttons
//! carry the ticket's (or panel's) id, and every change is a conditional update, so two
//! clicks open one ticket and two staff claiming at once give one claim.

mod admin;
pub mod analytics;
pub mod backup;
pub mod commands;
mod lifecycle;
pub mod render;
pub mod schema;
pub mod settings;
mod setup;
pub mod store;
pub mod transcript;
mod watch;
mod workflow;

use crate::dispatcher::TextArea;
use std::path::PathBuf;
use std::sync::Arc;

use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker};
use twilight_model::id::Id;

use self::settings::TicketSettings;
use self::store::Category;
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::feature::{ConfigSection, Feature, FeatureStart, HelpCategory, Migrations, SettingSpec};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::custom_id::CustomId;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::supervision::Concern;
use crate::kernel::Kernel;
use crate::t;

pub(crate) use crate::kernel::reply::private;

crate::translations!("tickets");

/// The `ticket-…` keys of the answers every feature gives (see [`TextArea`]).
pub(crate) const TEXTS: TextArea = TextArea("ticket");

/// The concern's name: catalogue routing, custom_ids (`tickets:1:claim:<id>`), logs.
pub const TICKETS: &str = "tickets";

/// The help category of the ticket commands.
pub const CATEGORY: HelpCategory = HelpCategory {
    key: "tickets",
    title: "Support tickets",
    blurb: "Private ticket channels, staff workflow, transcripts",
};

/// `[tickets]` in config.toml: what is the same for every guild of this process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TicketsConfig {
    /// Where transcripts are kept (created when missing).
    pub transcript_directory: PathBuf,
}

impl Default for TicketsConfig {
    fn default() -> Self {
        TicketsConfig {
            transcript_directory: PathBuf::from("data/transcripts"),
        }
    }
}

/// The feature: its commands, settings, migrations, ticker and actor.
#[derive(Default)]
pub struct TicketsFeature {
    /// What the actor and the ticker share, set when the feature starts.
    shared: Arc<std::sync::OnceLock<Arc<Shared>>>,
}

impl Feature for TicketsFeature {
    fn name(&self) -> &'static str {
        TICKETS
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![CATEGORY]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        let mut entries = commands::entries();
        entries.push(analytics::entry());
        entries
    }

    fn settings(&self) -> Vec<SettingSpec> {
        settings::specs()
    }

    fn migrations(&self) -> Migrations {
        static SQLITE: EmbeddedMigrations = embed_migrations!("src/tickets/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations = embed_migrations!("src/tickets/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn tickers(&self) -> Vec<crate::kernel::ticker::TickerSpec> {
        vec![ticker(self.shared.clone())]
    }

    fn intents(&self) -> twilight_gateway::Intents {
        // Direct messages: an anonymous ticket's opener writes to the bot.
        twilight_gateway::Intents::GUILDS
            | twilight_gateway::Intents::GUILD_MESSAGES
            | twilight_gateway::Intents::DIRECT_MESSAGES
    }

    fn config_section(&self) -> Option<ConfigSection> {
        Some(ConfigSection::of::<TicketsConfig>(TICKETS))
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let shared = Arc::new(Shared {
            kernel: start.kernel.clone(),
            config: start.config::<TicketsConfig>(),
            awaiting_response: Default::default(),
            open_channels: Default::default(),
            anonymous_channels: Default::default(),
            captchas: Default::default(),
            panel_places: Default::default(),
            closing: Default::default(),
        });
        if self.shared.set(shared.clone()).is_err() {
            tracing::error!("the tickets feature started twice");
        }
        watch::subscribe(start.bus, shared.clone());
        let manager = start.concern(
            move || TicketManager {
                shared: shared.clone(),
            },
            component_access,
        );
        // Admins also type `!ticket …` and `!tickets …`: the same handlers.
        start.text_forms(&["ticket", "tickets"], manager);
    }
}

/// How long an opening may take before the ticker treats it as abandoned (a process that
/// stopped between admitting the opener and recording the channel).
pub const OPENING_TIMEOUT: chrono::Duration = chrono::Duration::minutes(2);

/// Every 30 s, on the leader: openings that never finished are undone, so the opener is
/// not held back by a ticket that does not exist; scheduled closes that are due happen;
/// tickets silent for longer than their category allows close; tickets waiting longer than
/// their category's SLA for a first answer are called out to staff, once.
fn ticker(shared: Arc<std::sync::OnceLock<Arc<Shared>>>) -> crate::kernel::ticker::TickerSpec {
    crate::kernel::ticker::TickerSpec::new(
        "tickets-ticker",
        std::time::Duration::from_secs(30),
        move |kernel| {
            let shared = shared.get().cloned();
            async move {
                let before = kernel.clock.now() - OPENING_TIMEOUT;
                match kernel.store.abandon_stale_openings(before).await {
                    Ok(abandoned) => {
                        for (guild, opener, ticket) in abandoned {
                            tracing::warn!(
                                guild = guild.get(),
                                opener = opener.get(),
                                ticket,
                                "an opening never finished; its opener may open again"
                            );
                        }
                    }
                    Err(error) => tracing::warn!(%error, "could not look for abandoned openings"),
                }
                if let Some(shared) = shared {
                    lifecycle::close_due(&shared).await;
                    workflow::close_inactive(&shared).await;
                    workflow::alert_sla_breaches(&shared).await;
                }
            }
        },
    )
}

/// Who may use the ticket buttons at all; staff buttons are checked per ticket.
pub fn component_access(_id: &CustomId) -> AccessLevel {
    AccessLevel::Everyone
}

/// What every request of the actor shares.
pub(crate) struct Shared {
    pub kernel: Kernel,
    pub config: TicketsConfig,
    /// Open ticket channels still waiting for a first staff answer: the watcher looks a
    /// message's channel up here before it touches the store.
    pub awaiting_response: parking_lot::RwLock<std::collections::HashSet<Id<ChannelMarker>>>,
    /// Every open ticket channel, with when the watcher last wrote its activity (it writes
    /// at most once a minute per channel: the inactivity close needs no finer clock).
    pub open_channels: parking_lot::RwLock<
        std::collections::HashMap<Id<ChannelMarker>, chrono::DateTime<chrono::Utc>>,
    >,
    /// Open anonymous ticket channels and their openers: staff's messages there are relayed
    /// to the opener by DM.
    pub anonymous_channels:
        parking_lot::RwLock<std::collections::HashMap<Id<ChannelMarker>, Id<UserMarker>>>,
    /// Where each admin's setup wizard posts the first panel.
    pub panel_places: setup::PanelPlaces,
    /// Captchas asked and passed (in memory: a restart asks again).
    pub captchas: workflow::Captchas,
    /// Open ticket channels with a scheduled close, which any new message cancels.
    pub closing: parking_lot::RwLock<std::collections::HashSet<Id<ChannelMarker>>>,
}

impl Shared {
    /// A ticket channel is open (opened or reopened): the watcher follows its activity.
    pub fn channel_opened(&self, channel: Id<ChannelMarker>) {
        let now = self.kernel.clock.now();
        self.open_channels.write().insert(channel, now);
    }

    /// An anonymous ticket's channel is open: staff's messages there go to its opener.
    pub fn anonymous_opened(&self, channel: Id<ChannelMarker>, opener: Id<UserMarker>) {
        self.anonymous_channels.write().insert(channel, opener);
    }

    /// A ticket channel is closed or gone: the watcher forgets it.
    pub fn channel_closed(&self, channel: Id<ChannelMarker>) {
        self.open_channels.write().remove(&channel);
        self.anonymous_channels.write().remove(&channel);
        self.awaiting_response.write().remove(&channel);
        self.closing.write().remove(&channel);
    }

    /// The guild's name as the gateway last told it (its id when it never did).
    pub fn guild_name(&self, guild_id: Id<GuildMarker>) -> String {
        self.kernel
            .guilds
            .guilds()
            .into_iter()
            .find(|(id, _)| *id == guild_id)
            .map_or_else(|| guild_id.to_string(), |(_, name)| name)
    }

    /// The bot's user id.
    pub async fn bot_user(&self) -> Result<Id<UserMarker>, crate::kernel::discord::DiscordError> {
        self.kernel.discord.bot_user().await
    }
}

/// The actor; see the module documentation.
pub struct TicketManager {
    shared: Arc<Shared>,
}

impl Concern for TicketManager {
    const NAME: &'static str = TICKETS;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let shared = self.shared.clone();
        async move { interaction(&shared, request).await }.boxed_local()
    }
}

/// The guild a request came from (tickets live only in guilds).
pub(crate) fn guild_of(request: &InteractionRequest) -> Result<Id<GuildMarker>, Reply> {
    request
        .guild_id
        .ok_or_else(|| private(t!(request.language(), "guild-only")))
}

/// The role that handles a category's tickets: its own, else the guild's ticket staff
/// role, else the moderator role.
pub(crate) fn staff_role(
    request_settings: &crate::kernel::store::GuildSettings,
    settings: &TicketSettings,
    category: &Category,
) -> Option<Id<RoleMarker>> {
    category
        .staff_role_id
        .or(settings.staff_role)
        .or(request_settings.moderator_role_id)
}

/// Whether the person acting is staff for this category: moderators and admins always,
/// and members holding its staff role.
pub(crate) fn is_staff(
    request: &InteractionRequest,
    settings: &TicketSettings,
    category: &Category,
) -> bool {
    if request.level >= AccessLevel::Moderator {
        return true;
    }
    let Some(role) = staff_role(&request.settings, settings, category) else {
        return false;
    };
    request
        .interaction
        .member
        .as_ref()
        .is_some_and(|member| member.roles.contains(&role))
}

async fn interaction(shared: &Shared, request: InteractionRequest) -> Reply {
    let locale = request.language();
    if request.guild_id.is_none() {
        return private(t!(locale, "guild-only"));
    }
    match &request.kind {
        RequestKind::Autocomplete { .. } => admin::complete_category(shared, &request).await,
        RequestKind::Component { id, values } => {
            let arg = id.args.first().and_then(|arg| arg.parse::<i64>().ok());
            match (id.action.as_str(), arg) {
                (render::OPEN, Some(panel)) => {
                    lifecycle::from_panel(shared, &request, panel, None).await
                }
                (render::CHOOSE, Some(panel)) => {
                    let chosen = values.first().and_then(|value| value.parse().ok());
                    lifecycle::from_panel(shared, &request, panel, chosen).await
                }
                (render::CLAIM, Some(ticket)) => {
                    lifecycle::claim(shared, &request, Some(ticket)).await
                }
                (render::CLOSE, Some(ticket)) => {
                    lifecycle::ask_close_reason(shared, &request, ticket).await
                }
                (render::REOPEN, Some(ticket)) => {
                    lifecycle::reopen(shared, &request, Some(ticket)).await
                }
                (render::DELETE, Some(ticket)) => lifecycle::delete(shared, &request, ticket).await,
                (render::PURGE, Some(ticket)) => {
                    workflow::hard_delete(shared, &request, ticket).await
                }
                (render::CAPTCHA, Some(category)) => {
                    let choice = id.arg_as::<u8>(1).unwrap_or(0);
                    lifecycle::captcha_answered(shared, &request, category, choice).await
                }
                (render::RATE, Some(_guild)) => match (id.arg_as::<i64>(1), id.arg_as::<i64>(2)) {
                    (Some(ticket), Some(stars)) => {
                        workflow::rate(shared, &request, ticket, stars).await
                    }
                    _ => private(t!(locale, "ticket-stale")),
                },
                (setup::LOG | setup::TRANSCRIPTS | setup::STAFF | setup::PANEL_CHANNEL, _) => {
                    let value = values.first().and_then(|value| value.parse().ok());
                    setup::chosen(shared, &request, &id.action, value).await
                }
                (setup::FIRST, _) => setup::ask_first(&request),
                _ => private(t!(locale, "ticket-stale")),
            }
        }
        RequestKind::Modal { id, .. } => {
            let arg = id.args.first().and_then(|arg| arg.parse::<i64>().ok());
            match (id.action.as_str(), arg) {
                (render::ANSWERS, Some(category)) => {
                    lifecycle::open_with_answers(shared, &request, category).await
                }
                (render::FEEDBACK_WORDS, Some(_guild)) => match id.arg_as::<i64>(1) {
                    Some(ticket) => workflow::feedback_words(shared, &request, ticket).await,
                    None => private(t!(locale, "ticket-stale")),
                },
                (setup::FIRST_ANSWERS, _) => setup::create_first(shared, &request).await,
                (render::CLOSE_REASON, Some(ticket)) => {
                    let reason = request.field("reason").map(str::to_owned);
                    lifecycle::close(shared, &request, Some(ticket), reason).await
                }
                _ => private(t!(locale, "ticket-stale")),
            }
        }
        RequestKind::Command { name, .. } if name == "tickets" => {
            admin::run(shared, &request).await
        }
        RequestKind::Command { name, .. } if name == "ticket" => {
            lifecycle::run(shared, &request).await
        }
        RequestKind::Command { name, .. } if name == "analytics" => {
            analytics::run(shared, &request).await
        }
        RequestKind::Command { .. } => private(t!(locale, "ticket-stale")),
    }
}
