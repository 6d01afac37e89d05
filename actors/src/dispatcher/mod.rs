//! InteractionDispatcher: every slash command, autocomplete, button, select and modal goes
//! through here. It decodes the route (command name or custom_id concern), loads the
//! guild's settings, applies the permission policy, the allowed channels and the cooldown
//! before the owner sees the request, hands it to the owner's admission gate ("busy"
//! when full), sends the callback — deferring by itself when the owner has not answered
//! within the defer window and following up later — and answers every failure with an
//! ephemeral message carrying an incident id that is also in the log.
//!
//! Three guild-wide rules live here, for every feature alike: a role a guild requires for
//! a command (`/config permissions`, see [`crate::kernel::policy`]); a component marked
//! for its requester only (see [`crate::kernel::custom_id`]) answers anyone else that it
//! is someone else's; and in a guild with tidy replies on, a public confirmation (see
//! [`crate::kernel::reply`]) is deleted after the chosen seconds by a task of its own
//! (through the interaction's token, which Discord keeps 15 minutes; a restart in
//! between leaves that one message in place).

mod request;
mod respond;
pub mod text_form;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use futures::future::BoxFuture;
use futures::FutureExt;
use twilight_model::application::interaction::{Interaction, InteractionType};

use self::request::{actor_of, decode, DecodeError, Decoded};
pub use self::request::{Delivered, InteractionRequest, RequestKind, TextArea};
use self::respond::{deferral_for, fit, Answering, AFTER_DEFERRAL, AUTOCOMPLETE_DEADLINE};
use crate::kernel::custom_id::CustomId;
use crate::kernel::discord::DiscordError;
use crate::kernel::guild_config::GuildConfig;
use crate::kernel::i18n::Locale;
use crate::kernel::log_throttle::LogThrottle;
use crate::kernel::metrics;
use crate::kernel::policy::{access_level, missing_command_role, refusal, AccessLevel, StaffRoles};
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::kernel::store::GuildSettings;
use crate::kernel::supervision::{new_incident_id, CallError, Concern, ConcernHandle};
use crate::kernel::Kernel;
use crate::t;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::marker::UserMarker;
use twilight_model::id::Id;

/// Discord's codes for an interaction that can take no answer any more: it expired, or
/// it was answered already. Any other refusal of our payload (4xx with a code: invalid
/// form body, a file too large…) leaves it open for a safe answer; a 5xx or a network
/// error does not say the payload was wrong.
const UNKNOWN_INTERACTION: u64 = 10062;
const ALREADY_ACKNOWLEDGED: u64 = 40060;

/// A queued request's answer, to be awaited.
pub type Answer = BoxFuture<'static, Result<Reply, CallError>>;

type Submit = Arc<dyn Fn(InteractionRequest) -> Result<Answer, CallError> + Send + Sync>;

/// An actor that owns interactions: how to hand it a request, and who may
/// use its components and modals.
#[derive(Clone)]
pub struct Owner {
    /// The feature whose on/off switch applies to its components and modals.
    feature: &'static str,
    submit: Submit,
    component_access: fn(&CustomId) -> AccessLevel,
}

/// Which owner handles which concern (the catalogue's `concern`, the custom_id's first part).
#[derive(Clone, Default)]
pub struct Routes {
    owners: HashMap<&'static str, Owner>,
}

impl Routes {
    /// Routes a concern's commands, components and modals to its supervised actor.
    /// `component_access` says who may use each of its components and modals.
    pub fn add<C>(
        &mut self,
        feature: &'static str,
        handle: ConcernHandle<C>,
        component_access: fn(&CustomId) -> AccessLevel,
    ) -> &mut Self
    where
        C: Concern,
        C::Request: From<InteractionRequest>,
        C::Response: Into<Reply>,
    {
        let submit: Submit = Arc::new(move |request: InteractionRequest| {
            let answer = handle.try_call(C::Request::from(request))?;
            Ok(async move { answer.await.map(Into::into) }.boxed())
        });
        self.owners.insert(
            C::NAME,
            Owner {
                feature,
                submit,
                component_access,
            },
        );
        self
    }
}

/// The dispatcher's tunables (from `[runtime]` in the configuration).
#[derive(Debug, Clone)]
pub struct DispatcherSettings {
    /// Defer when the owner has not answered by then (Discord allows 3 s in all).
    pub defer_after: Duration,
    /// Per-user cooldown between runs of the same command; zero for none.
    pub cooldown: Duration,
}

/// An interaction from the gateway.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Dispatch(pub Arc<Interaction>);

/// Stop taking new interactions (shutdown): they are told Agora is restarting.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopIntake;

/// Interactions being handled right now; shutdown waits for them to finish.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }

    /// Waits until nothing is in flight or `limit` passes; returns how many were left.
    pub async fn drained(&self, limit: Duration) -> usize {
        let deadline = tokio::time::Instant::now() + limit;
        while self.count() > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.count()
    }
}

struct InFlightGuard(InFlight);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        (self.0).0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Shared {
    kernel: Kernel,
    routes: Routes,
    settings: DispatcherSettings,
    stopping: AtomicBool,
    in_flight: InFlight,
}

/// The actor; see the module documentation.
pub struct InteractionDispatcher {
    shared: Arc<Shared>,
}

impl InteractionDispatcher {
    pub fn new(kernel: Kernel, routes: Routes, settings: DispatcherSettings) -> Self {
        Self {
            shared: Arc::new(Shared {
                kernel,
                routes,
                settings,
                stopping: AtomicBool::new(false),
                in_flight: InFlight::default(),
            }),
        }
    }

    /// The in-flight counter, for shutdown.
    pub fn in_flight(&self) -> InFlight {
        self.shared.in_flight.clone()
    }
}

impl Actor for InteractionDispatcher {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(256);
    }
}

impl Handler<Dispatch> for InteractionDispatcher {
    type Result = ();

    fn handle(&mut self, Dispatch(interaction): Dispatch, _ctx: &mut Self::Context) {
        let shared = self.shared.clone();
        shared.in_flight.0.fetch_add(1, Ordering::SeqCst);
        let guard = InFlightGuard(shared.in_flight.clone());
        // Each interaction runs on its own: a slow owner delays only its own answers.
        tokio::spawn(async move {
            let _guard = guard;
            handle_interaction(&shared, interaction).await;
        });
    }
}

impl Handler<StopIntake> for InteractionDispatcher {
    type Result = ();

    fn handle(&mut self, _: StopIntake, _ctx: &mut Self::Context) {
        self.shared.stopping.store(true, Ordering::SeqCst);
    }
}

/// How one interaction ended, for the metrics and the [`InteractionObserver`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Deferred,
    Refused,
    Cooldown,
    Busy,
    Failed,
    Stale,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Deferred => "deferred",
            Outcome::Refused => "refused",
            Outcome::Cooldown => "cooldown",
            Outcome::Busy => "busy",
            Outcome::Failed => "failed",
            Outcome::Stale => "stale",
        }
    }
}

/// One finished interaction as [`InteractionObserver`]s see it.
#[derive(Debug, Clone)]
pub struct FinishedInteraction {
    /// The guild it came from (`None` in a direct message).
    pub guild_id: Option<Id<GuildMarker>>,
    /// For a slash command (not its autocomplete): its name and subcommand path, `"ticket
    /// open"`; `None` for components, modals and autocomplete.
    pub command: Option<String>,
    /// The metrics' route (`/ticket`, `help:category`).
    pub route: String,
    pub outcome: Outcome,
    /// From arrival to the answer delivered (or refused).
    pub elapsed: Duration,
}

/// Called once per finished interaction, after its answer went out, on the interaction's
/// own task: it must be quick (count in memory, write later) and must not block.
pub type InteractionObserver = Arc<dyn Fn(&FinishedInteraction) + Send + Sync>;

/// The observers a feature registered (kept in the kernel's services registry).
#[derive(Clone, Default)]
struct InteractionObservers(Arc<parking_lot::RwLock<Vec<InteractionObserver>>>);

/// Has `observer` told of every interaction the dispatcher finishes from now on (a
/// feature calls this when it starts; the dispatcher names none).
pub fn observe_interactions(kernel: &Kernel, observer: InteractionObserver) {
    let observers = kernel
        .services
        .get::<InteractionObservers>()
        .unwrap_or_else(|| {
            let observers = InteractionObservers::default();
            kernel.services.provide(observers.clone());
            observers
        });
    observers.0.write().push(observer);
}

async fn handle_interaction(shared: &Shared, interaction: Arc<Interaction>) {
    let received = Instant::now();
    let decoded = decode(&interaction);
    let route = match &decoded {
        Ok(decoded) => decoded.route(),
        Err(_) => "unknown".to_owned(),
    };
    let (command, guild_id) = match &decoded {
        Ok(Decoded::Command {
            name,
            path,
            autocomplete: false,
            ..
        }) => (
            Some(
                std::iter::once(name)
                    .chain(path)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            interaction.guild_id,
        ),
        Ok(decoded) => (
            None,
            interaction
                .guild_id
                .or_else(|| direct_message_guild(decoded)),
        ),
        Err(_) => (None, interaction.guild_id),
    };
    let outcome = run(shared, &interaction, decoded, received).await;
    let elapsed = received.elapsed();
    metrics::interaction(&route, outcome.label(), elapsed);
    tracing::debug!(%route, outcome = outcome.label(), elapsed_ms = elapsed.as_millis() as u64, "interaction handled");
    tell_observers(
        &shared.kernel,
        FinishedInteraction {
            guild_id,
            command,
            route,
            outcome,
            elapsed,
        },
    );
}

/// Tells every registered observer how a command or interaction ended.
fn tell_observers(kernel: &Kernel, finished: FinishedInteraction) {
    if let Some(observers) = kernel.services.get::<InteractionObservers>() {
        for observer in observers.0.read().iter() {
            observer(&finished);
        }
    }
}

/// Tells the observers of a slash command an admin ran as text (`!ticket close …`): it
/// counts as the command it stands for (`command` with its subcommand path).
fn observe_text_command(
    kernel: &Kernel,
    guild_id: Id<GuildMarker>,
    command: String,
    outcome: Outcome,
    elapsed: Duration,
) {
    let route = format!("text:{}", command.split(' ').next().unwrap_or_default());
    tell_observers(
        kernel,
        FinishedInteraction {
            guild_id: Some(guild_id),
            command: Some(command),
            route,
            outcome,
            elapsed,
        },
    );
}

/// Decides and answers; returns how it ended.
async fn run(
    shared: &Shared,
    interaction: &Arc<Interaction>,
    decoded: Result<Decoded, DecodeError>,
    received: Instant,
) -> Outcome {
    let answering = match interaction.kind {
        InteractionType::ApplicationCommandAutocomplete => Answering::Autocomplete,
        InteractionType::MessageComponent => Answering::Component,
        InteractionType::ModalSubmit => Answering::Modal {
            from_component: interaction.message.is_some(),
        },
        _ => Answering::Command,
    };
    // Until the guild's settings are loaded, the person's own language (else English).
    let person = interaction.locale.as_deref();
    let locale = Locale::resolve(None, person);
    let say = |text: String| {
        fit(
            Reply::Message(ReplyMessage::private(text)),
            answering,
            locale,
        )
    };
    if shared.stopping.load(Ordering::SeqCst) {
        answer_now(shared, interaction, say(t!(locale, "restarting")), locale).await;
        return Outcome::Busy;
    }
    let decoded = match decoded {
        Ok(decoded) => decoded,
        Err(error) => {
            tracing::info!(%error, "undecodable interaction");
            answer_now(shared, interaction, say(t!(locale, "stale")), locale).await;
            return Outcome::Stale;
        }
    };

    // Where does it go, and who may do it?
    let (owner, required, command) = match &decoded {
        Decoded::Command { name, path, .. } => {
            let Some(entry) = shared.kernel.catalogue.command(name) else {
                let text = t!(locale, "unknown-command", name = name);
                answer_now(shared, interaction, say(text), locale).await;
                return Outcome::Stale;
            };
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            (
                shared.routes.owners.get(entry.concern),
                entry.access_for(&path),
                Some(entry),
            )
        }
        Decoded::Component { id, .. } | Decoded::Modal { id, .. } => {
            let owner = shared.routes.owners.get(id.concern.as_str());
            let required = owner
                .map(|o| (o.component_access)(id))
                .unwrap_or(AccessLevel::Owner);
            (owner, required, None)
        }
    };
    let Some(owner) = owner.cloned() else {
        answer_now(shared, interaction, say(t!(locale, "stale")), locale).await;
        return Outcome::Stale;
    };
    let (Some(actor), Some(user_id)) = (actor_of(interaction), interaction.author_id()) else {
        answer_now(shared, interaction, say(t!(locale, "stale")), locale).await;
        return Outcome::Stale;
    };
    let Some(guild_id) = interaction
        .guild_id
        .or_else(|| direct_message_guild(&decoded))
    else {
        let text = t!(locale, "guild-only");
        answer_now(shared, interaction, say(text), locale).await;
        return Outcome::Refused;
    };
    let (config, settings_problem) = match shared.kernel.guild_config(guild_id).await {
        Ok(config) => (config, None),
        Err(error) => (GuildConfig::defaults(guild_id), Some(error)),
    };
    let GuildConfig {
        settings,
        features,
        command_roles,
    } = config;
    // From here on, the guild's choice first.
    let locale = Locale::resolve(Some(&settings.locale), person);
    let say = |text: String| {
        fit(
            Reply::Message(ReplyMessage::private(text)),
            answering,
            locale,
        )
    };
    let roles = StaffRoles {
        admin_role_id: settings.admin_role_id,
        moderator_role_id: settings.moderator_role_id,
    };
    let level = access_level(&shared.kernel.owners, &actor, roles);
    if let Some(requester) = someone_elses(&decoded, user_id) {
        let text = t!(locale, "not-your-menu", requester = requester.get());
        answer_now(shared, interaction, say(text), locale).await;
        return Outcome::Refused;
    }
    if let Some(error) = settings_problem.filter(|_| required > AccessLevel::Everyone) {
        // Without the settings we cannot know the configured roles, and what staff do
        // needs the database anyway; what everyone may do goes on with the defaults.
        let incident = new_incident_id();
        tracing::error!(%incident, %error, guild = guild_id.get(), "guild settings unavailable");
        let text = t!(locale, "database-down", incident = incident.to_string());
        answer_now(shared, interaction, say(text), locale).await;
        return Outcome::Failed;
    }
    if level < required {
        let text = refusal_text(required, &settings, locale);
        answer_now(shared, interaction, say(text), locale).await;
        return Outcome::Refused;
    }
    if let Decoded::Command { name, path, .. } = &decoded {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let rules = command_roles.for_path(name, &path);
        if let Some((command, role)) = missing_command_role(level, &actor.role_ids, &rules) {
            let text = t!(
                locale,
                "refusal-command-role",
                command = command,
                role = role.get()
            );
            answer_now(shared, interaction, say(text), locale).await;
            return Outcome::Refused;
        }
    }
    let feature = command.map_or(owner.feature, |entry| entry.feature);
    if !features.is_on(feature) {
        let title = shared
            .kernel
            .catalogue
            .feature(feature)
            .map_or_else(|| feature.to_owned(), |info| info.title_in(locale));
        let text = t!(locale, "feature-off", title = title, feature = feature);
        answer_now(shared, interaction, say(text), locale).await;
        return Outcome::Refused;
    }
    if let Some(entry) = command {
        let channel = interaction.channel.as_ref().map(|c| c.id);
        let allowed = &settings.allowed_channel_ids;
        if answering == Answering::Command
            && !allowed.is_empty()
            && level < AccessLevel::Admin
            && !channel.is_some_and(|c| allowed.contains(&c))
        {
            let channels: Vec<String> = allowed.iter().map(|id| format!("<#{id}>")).collect();
            let text = t!(locale, "channels-only", channels = channels.join(", "));
            answer_now(shared, interaction, say(text), locale).await;
            return Outcome::Refused;
        }
        if answering == Answering::Command && entry.cooldown && level < AccessLevel::Moderator {
            if let Some(wait) =
                cooldown_wait(shared, guild_id.get(), actor.user_id, entry.name()).await
            {
                let text = t!(
                    locale,
                    "cooldown",
                    command = entry.name(),
                    seconds = wait.as_secs().max(1)
                );
                answer_now(shared, interaction, say(text), locale).await;
                return Outcome::Cooldown;
            }
        }
    }

    // Hand it to the owner; with every turn and queue place taken it is "busy", at once.
    let private = command.is_none_or(|entry| entry.private);
    let tidy_after = features.tidy_replies();
    let (delivered, delivered_signal) = Delivered::pending();
    let request = InteractionRequest {
        interaction: interaction.clone(),
        kind: decoded.into_kind(),
        guild_id: Some(guild_id),
        channel_id: interaction.channel.as_ref().map(|c| c.id),
        user_id,
        level,
        settings,
        features: Arc::new(features),
        command_roles: Arc::new(command_roles),
        delivered: delivered_signal,
    };
    let answer = match (owner.submit)(request) {
        Ok(answer) => answer,
        Err(error) => {
            // Under a crowd this comes hundreds of times a second: one line per 10 s,
            // with the count (`/metrics` has every one).
            static BUSY_LINES: LogThrottle = LogThrottle::new(Duration::from_secs(10));
            if let Some(refused) = BUSY_LINES.admit() {
                tracing::warn!(
                    %error,
                    refused,
                    "interactions refused: the owner is busy (refused: how many since the last such line)"
                );
            }
            let text = match error {
                CallError::Stopped(_) => t!(locale, "restarting"),
                _ => t!(locale, "busy"),
            };
            answer_now(shared, interaction, say(text), locale).await;
            return Outcome::Busy;
        }
    };
    let asked = Asked {
        answering,
        private,
        locale,
        tidy_after,
    };
    let outcome = await_and_deliver(shared, interaction, answer, asked, received).await;
    if matches!(outcome, Outcome::Answered | Outcome::Deferred) {
        delivered.send_replace(true);
    }
    outcome
}

/// What the dispatcher knows about how to answer: the kind of interaction, whether a
/// deferral is private, the reader's language, and after how long the guild has its
/// public confirmations deleted (`None`: never).
#[derive(Debug, Clone, Copy)]
struct Asked {
    answering: Answering,
    private: bool,
    locale: Locale,
    tidy_after: Option<Duration>,
}

/// Waits for the owner, deferring when it is slow, and delivers its answer.
async fn await_and_deliver(
    shared: &Shared,
    interaction: &Arc<Interaction>,
    mut answer: Answer,
    asked: Asked,
    received: Instant,
) -> Outcome {
    let Asked {
        answering,
        private,
        locale,
        tidy_after,
    } = asked;
    let discord = &shared.kernel.discord;
    let window = if answering == Answering::Autocomplete {
        AUTOCOMPLETE_DEADLINE
    } else {
        shared.settings.defer_after
    };
    let remaining = window.saturating_sub(received.elapsed());
    let mut deferred = None;
    let result = match tokio::time::timeout(remaining, &mut answer).await {
        Ok(result) => result,
        Err(_) => {
            let Some(deferral) = deferral_for(answering, private) else {
                tracing::warn!("autocomplete was not answered in time");
                return Outcome::Busy;
            };
            if let Err(error) = respond::defer(discord, interaction, deferral).await {
                tracing::warn!(%error, "could not defer the interaction");
            }
            deferred = Some(deferral);
            match tokio::time::timeout(AFTER_DEFERRAL, answer).await {
                Ok(result) => result,
                Err(_) => Err(CallError::Failed {
                    actor: "dispatcher",
                    incident: new_incident_id(),
                }),
            }
        }
    };
    let (reply, outcome) = match result {
        Ok(reply) => (
            fit(reply, answering, locale),
            if deferred.is_some() {
                Outcome::Deferred
            } else {
                Outcome::Answered
            },
        ),
        Err(error) => (
            fit(failure_reply(&error, locale), answering, locale),
            failure_outcome(&error),
        ),
    };
    // A change to the clicked message must reach people even when the callback cannot
    // (too late, a network error): then the message is edited through the channel.
    let update = match (&reply, interaction.message.as_ref()) {
        (Reply::Update(message), Some(clicked)) => {
            Some((message.clone(), clicked.channel_id, clicked.id))
        }
        _ => None,
    };
    // A public confirmation that is the interaction's own response (`@original`) goes
    // after the guild's delay; one that went out as a follow-up stays.
    let tidy = tidy_after.filter(|_| {
        matches!(&reply, Reply::Message(message) if message.is_tidied())
            && respond::answer_is_original(deferred, private)
    });
    if let Err(error) = respond::deliver(discord, interaction, reply, deferred, locale).await {
        let incident = new_incident_id();
        tracing::warn!(%incident, %error, "could not deliver the answer to Discord");
        let refused_payload = matches!(
            &error,
            DiscordError::Refused { status: 400..=499, code: Some(code), .. }
                if !matches!(*code, UNKNOWN_INTERACTION | ALREADY_ACKNOWLEDGED)
        );
        if refused_payload {
            // Discord refused what we built (text from people made it too long, a file
            // too large, say): the interaction is still open, so the person gets a safe
            // answer, not "This interaction failed".
            let failed = CallError::Failed {
                actor: "dispatcher",
                incident: incident.clone(),
            };
            let safe = fit(failure_reply(&failed, locale), answering, locale);
            if let Err(error) = respond::deliver(discord, interaction, safe, deferred, locale).await
            {
                tracing::warn!(%incident, %error, "could not deliver the safe answer either");
            }
            return Outcome::Failed;
        }
        if let Some((message, channel_id, message_id)) = update {
            if let Err(error) = discord.edit_message(channel_id, message_id, &message).await {
                tracing::warn!(%incident, %error, "could not update the clicked message either");
            }
        }
        return Outcome::Failed;
    }
    if let Some(after) = tidy {
        tidy_original(discord.clone(), interaction.token.clone(), after);
    }
    outcome
}

/// Deletes an interaction's response after `after`, on a task of its own (nobody waits
/// for it). A response already gone (someone deleted it) is fine.
fn tidy_original(discord: crate::kernel::discord::DiscordRest, token: String, after: Duration) {
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        match discord.delete_original(&token).await {
            Ok(()) => tracing::debug!("tidied away a confirmation"),
            Err(error) => tracing::info!(%error, "could not tidy away a confirmation"),
        }
    });
}

/// Deletes a message the bot posted in a channel after `after` (a text command's public
/// confirmation in a guild with tidy replies on), on a task of its own.
pub fn tidy_message(
    discord: &crate::kernel::discord::DiscordRest,
    channel: Id<twilight_model::id::marker::ChannelMarker>,
    message: Id<twilight_model::id::marker::MessageMarker>,
    after: Duration,
) {
    let discord = discord.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        let request = discord.client().delete_message(channel, message);
        match crate::kernel::discord::send("DELETE /channels/{id}/messages/{id}", request).await {
            Ok(_) => tracing::debug!("tidied away a confirmation"),
            Err(error) => tracing::info!(%error, "could not tidy away a confirmation"),
        }
    });
}

/// The person a component or modal is reserved for, when that is someone other than
/// `clicker`.
fn someone_elses(decoded: &Decoded, clicker: Id<UserMarker>) -> Option<Id<UserMarker>> {
    match decoded {
        Decoded::Component { id, .. } | Decoded::Modal { id, .. } => id
            .requester
            .filter(|requester| *requester != clicker.get())
            .and_then(Id::new_checked),
        Decoded::Command { .. } => None,
    }
}

fn failure_outcome(error: &CallError) -> Outcome {
    match error {
        CallError::Busy(_) | CallError::Stopped(_) => Outcome::Busy,
        CallError::Failed { .. } => Outcome::Failed,
    }
}

/// What a person is told when their request failed on our side.
pub fn failure_reply(error: &CallError, locale: Locale) -> Reply {
    let text = match error {
        CallError::Failed { incident, actor } => {
            tracing::error!(%incident, %actor, "an interaction failed");
            t!(locale, "failure", incident = incident.to_string())
        }
        CallError::Busy(_) => t!(locale, "busy"),
        CallError::Stopped(_) => t!(locale, "restarting"),
    };
    Reply::Message(ReplyMessage::private(text))
}

fn refusal_text(required: AccessLevel, settings: &GuildSettings, locale: Locale) -> String {
    let mut text = refusal(required, locale);
    // Admins have Administrator without any setting; moderators need the role chosen.
    if required == AccessLevel::Moderator && settings.moderator_role_id.is_none() {
        text.push(' ');
        text.push_str(&t!(locale, "refusal-no-moderator-role"));
    }
    text
}

/// `None` when the person may run the command now (and starts their cooldown); otherwise
/// how long they still have to wait. A cache that does not answer skips the cooldown.
async fn cooldown_wait(
    shared: &Shared,
    guild_id: u64,
    user_id: u64,
    command: &str,
) -> Option<Duration> {
    let cooldown = shared.settings.cooldown;
    if cooldown.is_zero() {
        return None;
    }
    let key = format!("cooldown:{guild_id}:{user_id}:{command}");
    match shared
        .kernel
        .cache
        .set_if_absent(&key, b"1", Some(cooldown))
        .await
    {
        Ok(true) => None,
        Ok(false) => Some(
            shared
                .kernel
                .cache
                .ttl(&key)
                .await
                .ok()
                .flatten()
                .unwrap_or(cooldown),
        ),
        Err(error) => {
            tracing::warn!(%error, "cooldown skipped: the cache is not answering");
            None
        }
    }
}

/// Answers at once (refusals, busy, stale): the callback, logged when Discord refuses it.
async fn answer_now(shared: &Shared, interaction: &Interaction, reply: Reply, locale: Locale) {
    let discord = &shared.kernel.discord;
    if let Err(error) = respond::deliver(discord, interaction, reply, None, locale).await {
        tracing::warn!(%error, "could not answer the interaction");
    }
}

/// The one way in from a direct message: a component or modal whose action starts with
/// `dm-` and whose first argument is the guild it belongs to (a feedback button the bot
/// sent someone after their ticket closed). The person acts as a plain member of that
/// guild (no roles: a DM carries none); the feature checks who they are (the opener).
/// Discord only sends custom_ids of messages the bot itself sent, so the guild is the
/// bot's own word, not the clicker's.
fn direct_message_guild(decoded: &Decoded) -> Option<Id<GuildMarker>> {
    match decoded {
        Decoded::Component { id, .. } | Decoded::Modal { id, .. }
            if id.action.starts_with("dm-") =>
        {
            id.arg_as::<u64>(0).and_then(Id::new_checked)
        }
        _ => None,
    }
}
