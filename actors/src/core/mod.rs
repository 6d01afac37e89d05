//! CoreCommands: the commands every Agora has — `/status`, `/help`, `/config` and the
//! admins' prefix commands — as one supervised concern, `core`, and the feature that
//! declares them ([`CoreFeature`], always on).

pub mod access;
pub mod feature_settings;
pub mod help;
pub mod prefix;
pub mod settings;
pub mod status;

use std::sync::Arc;
use std::time::Instant;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use twilight_interactions::command::CreateCommand;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use self::prefix::PrefixRequest;
use self::status::RuntimeInfo;
use twilight_gateway::Intents;

use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::feature::{Feature, FeatureStart, HelpCategory};
use crate::kernel::catalogue::{CommandEntry, PrefixEntry};
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::kernel::supervision::Concern;
use crate::kernel::Kernel;
use crate::t;

crate::translations!("core");

/// The concern's name: the catalogue's `concern` and the custom_ids' first part.
pub const CORE: &str = "core";

/// The help categories of the core's commands.
pub const GENERAL: HelpCategory = HelpCategory {
    key: "general",
    title: "General",
    blurb: "Help and the bot's health",
};
pub const SETTINGS: HelpCategory = HelpCategory {
    key: "settings",
    title: "Server settings",
    blurb: "Roles, log channel, channels, language and features",
};

/// The feature every Agora has: `/help`, `/status`, `/config`, the prefix commands.
pub struct CoreFeature {
    pub runtime: Arc<RuntimeInfo>,
    /// Where `!sync` registers the commands (`None`: globally).
    pub sync_guild: Option<Id<GuildMarker>>,
    /// The prefix of the text commands.
    pub prefix: String,
}

impl Feature for CoreFeature {
    fn name(&self) -> &'static str {
        CORE
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![GENERAL, SETTINGS]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        vec![
            CommandEntry {
                cooldown: true,
                ..CommandEntry::new(
                    CORE,
                    GENERAL.key,
                    AccessLevel::Everyone,
                    help::HelpCommand::create_command(),
                )
            },
            CommandEntry {
                cooldown: true,
                ..CommandEntry::new(
                    CORE,
                    GENERAL.key,
                    AccessLevel::Everyone,
                    status::StatusCommand::create_command(),
                )
            },
            CommandEntry {
                complete: Some(feature_settings::complete_config_command),
                ..CommandEntry::new(
                    CORE,
                    SETTINGS.key,
                    AccessLevel::Admin,
                    settings::ConfigCommand::create_command(),
                )
            },
        ]
    }

    fn prefix_commands(&self) -> Vec<PrefixEntry> {
        prefix::entries()
    }

    /// Guild events for the directory of roles; message content for the prefix commands.
    fn intents(&self) -> Intents {
        Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT
    }

    fn can_be_disabled(&self) -> bool {
        false
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let CoreFeature {
            runtime,
            sync_guild,
            prefix,
        } = *self;
        let kernel = start.kernel.clone();
        let core = start.concern(
            move || CoreCommands::new(kernel.clone(), runtime.clone(), sync_guild),
            component_access,
        );
        prefix::subscribe(start.bus, start.kernel.clone(), core, prefix);
    }
}

/// Who may use the core's components: the help menu is for everyone (it shows each
/// person only what they may run).
pub fn component_access(_id: &CustomId) -> AccessLevel {
    AccessLevel::Everyone
}

/// What the core concern is asked to do.
#[derive(Debug)]
pub enum CoreRequest {
    Interaction(InteractionRequest),
    Prefix(PrefixRequest),
}

impl From<InteractionRequest> for CoreRequest {
    fn from(request: InteractionRequest) -> Self {
        CoreRequest::Interaction(request)
    }
}

/// The concern; see the module documentation.
pub struct CoreCommands {
    kernel: Kernel,
    runtime: Arc<RuntimeInfo>,
    /// Where `!sync` registers the commands (`None`: globally).
    sync_guild: Option<Id<GuildMarker>>,
}

impl CoreCommands {
    pub fn new(
        kernel: Kernel,
        runtime: Arc<RuntimeInfo>,
        sync_guild: Option<Id<GuildMarker>>,
    ) -> Self {
        Self {
            kernel,
            runtime,
            sync_guild,
        }
    }
}

impl Concern for CoreCommands {
    const NAME: &'static str = CORE;
    type Request = CoreRequest;
    type Response = Reply;

    fn handle(&mut self, request: CoreRequest) -> LocalBoxFuture<'static, Reply> {
        let kernel = self.kernel.clone();
        let runtime = self.runtime.clone();
        let sync_guild = self.sync_guild;
        match request {
            CoreRequest::Interaction(request) => {
                async move { interaction(&kernel, &runtime, request).await }.boxed_local()
            }
            CoreRequest::Prefix(request) => async move {
                prefix_command(&kernel, &runtime, sync_guild, request).await;
                Reply::Acknowledge
            }
            .boxed_local(),
        }
    }
}

async fn interaction(kernel: &Kernel, runtime: &RuntimeInfo, request: InteractionRequest) -> Reply {
    let catalogue = &kernel.catalogue;
    let locale = request.language();
    let viewer = help::Viewer {
        level: request.level,
        features: &request.features,
        command_roles: &request.command_roles,
        locale,
        requester: request.user_id.get(),
    };
    match &request.kind {
        RequestKind::Command { name, .. } => match name.as_str() {
            "help" => Reply::Message(help::overview(catalogue, viewer)),
            "status" => {
                let report = status::collect(kernel, runtime, locale).await;
                let mut message =
                    ReplyMessage::private(String::new()).with_embed(report.embed(locale));
                message.content = None;
                Reply::Message(message)
            }
            "config" => settings::run(kernel, &request).await,
            other => Reply::Message(ReplyMessage::private(t!(
                locale,
                "core-not-mine",
                name = other
            ))),
        },
        RequestKind::Component { id, values } => match id.action.as_str() {
            help::MENU_ACTION => match values.first() {
                Some(key) => Reply::Update(help::page(catalogue, viewer, key, 0)),
                None => Reply::Update(help::overview(catalogue, viewer)),
            },
            help::PAGE_ACTION => {
                let key = id.args.first();
                let page = id.args.get(1).and_then(|p| p.parse().ok());
                match (key, page) {
                    (Some(key), Some(page)) => {
                        Reply::Update(help::page(catalogue, viewer, key, page))
                    }
                    _ => Reply::Update(help::overview(catalogue, viewer)),
                }
            }
            _ => Reply::Message(ReplyMessage::private(t!(locale, "core-stale-button"))),
        },
        RequestKind::Autocomplete { .. } => Reply::Choices(Vec::new()),
        RequestKind::Modal { .. } => {
            Reply::Message(ReplyMessage::private(t!(locale, "core-stale-form")))
        }
    }
}

async fn prefix_command(
    kernel: &Kernel,
    runtime: &RuntimeInfo,
    sync_guild: Option<Id<GuildMarker>>,
    request: PrefixRequest,
) {
    let locale: Locale = request.locale;
    let text = match request.name.as_str() {
        "ping" => {
            let started = Instant::now();
            let rest = match kernel.discord.client().current_user().await {
                Ok(_) => t!(
                    locale,
                    "prefix-round-trip",
                    ms = started.elapsed().as_millis() as u64
                ),
                Err(_) => t!(locale, "prefix-no-answer"),
            };
            let heartbeat = runtime
                .shards
                .iter()
                .map(|(id, s)| {
                    let ms = s.latency_ms.load(std::sync::atomic::Ordering::Relaxed);
                    t!(
                        locale,
                        "prefix-shard-latency",
                        shard = id.to_string(),
                        ms = ms
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            t!(locale, "prefix-pong", heartbeat = heartbeat, rest = rest)
        }
        "status" => status::collect(kernel, runtime, locale).await.text(locale),
        "sync" => {
            let target = if request.args.first().map(String::as_str) == Some("here") {
                Some(request.guild_id)
            } else {
                sync_guild
            };
            let commands = kernel.catalogue.slash_commands();
            match kernel.discord.register_commands(target, &commands).await {
                Ok(count) => match target {
                    Some(guild) if guild == request.guild_id => {
                        t!(locale, "prefix-synced-here", count = count)
                    }
                    Some(guild) => t!(locale, "prefix-synced-guild", count = count, guild = guild),
                    None => t!(locale, "prefix-synced-global", count = count),
                },
                Err(error) => t!(locale, "prefix-sync-failed", error = error.to_string()),
            }
        }
        _ => return,
    };
    // An answer to an admin's check, not a record: tidied away where the guild wants it.
    let reply = ReplyMessage::confirmation(text);
    match kernel
        .discord
        .send_message(request.channel_id, &reply, Some(request.message_id))
        .await
    {
        Ok(posted) => {
            if let Some(after) = request.tidy_after {
                crate::dispatcher::tidy_message(&kernel.discord, request.channel_id, posted, after);
            }
        }
        Err(error) => {
            tracing::warn!(%error, command = %request.name, "could not answer a prefix command")
        }
    }
}
