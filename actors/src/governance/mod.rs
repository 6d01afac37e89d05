//! Community governance — seed 002's proposals and confidential reports, our way, per
//! guild. Members propose channels (the LLM suggests a name; without it the proposal goes
//! on) and emojis (checked in memory: real type by content, size, square), and file
//! confidential reports only staff read. Every proposal and report goes to the admin log
//! in full; the queue channel holds two persistent messages ("Pending proposals", "Pending
//! reports") kept up to date, found again after a restart and posted again when deleted by
//! hand. Admins approve from a panel (the suggested name, their own, or a new suggestion);
//! the approval is a conditional update, so two admins at once make one channel.
//!
//! The database is the source of truth: the actor keeps nothing between requests but the
//! ids of the queue messages (to notice a hand deletion), rebuilt from the store at start.

pub mod commands;
pub mod emoji;
pub mod naming;
mod proposals;
mod queue;
mod render;
mod reports;
pub mod schema;
pub mod settings;
pub mod store;

use crate::dispatcher::TextArea;
use std::collections::HashSet;
use std::sync::Arc;

use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::RwLock;
use twilight_model::id::marker::MessageMarker;
use twilight_model::id::Id;

use self::settings::GovernanceSettings;
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::feature::{Feature, FeatureStart, HelpCategory, Migrations, SettingSpec};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::custom_id::CustomId;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::supervision::Concern;
use crate::kernel::Kernel;
use crate::t;

pub(crate) use crate::kernel::reply::private;

crate::translations!("governance");

/// The `governance-…` keys of the answers every feature gives (see [`TextArea`]).
pub(crate) const TEXTS: TextArea = TextArea("governance");

/// The concern's name: catalogue routing, custom_ids (`governance:1:approve:<id>:<name>`),
/// the stored settings' namespace, logs.
pub const GOVERNANCE: &str = "governance";

pub const CATEGORY: HelpCategory = HelpCategory {
    key: "governance",
    title: "Proposals and reports",
    blurb: "Propose channels and emojis, report problems to staff in confidence",
};

/// The feature: its commands, settings, tables, ticker, watcher and actor.
#[derive(Default)]
pub struct GovernanceFeature {
    shared: Arc<std::sync::OnceLock<Arc<Shared>>>,
}

impl Feature for GovernanceFeature {
    fn name(&self) -> &'static str {
        GOVERNANCE
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![CATEGORY]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        commands::entries()
    }

    fn settings(&self) -> Vec<SettingSpec> {
        settings::specs()
    }

    fn migrations(&self) -> Migrations {
        static SQLITE: EmbeddedMigrations = embed_migrations!("src/governance/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations =
            embed_migrations!("src/governance/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn tickers(&self) -> Vec<crate::kernel::ticker::TickerSpec> {
        vec![ticker(self.shared.clone())]
    }

    fn intents(&self) -> twilight_gateway::Intents {
        // MESSAGE_DELETE: a queue message deleted by hand is posted again at once.
        twilight_gateway::Intents::GUILDS | twilight_gateway::Intents::GUILD_MESSAGES
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let shared = Arc::new(Shared {
            kernel: start.kernel.clone(),
            queue_messages: RwLock::new(HashSet::new()),
        });
        if self.shared.set(shared.clone()).is_err() {
            tracing::error!("the governance feature started twice");
        }
        queue::subscribe(start.bus, shared.clone());
        start.concern(
            move || Governance {
                shared: shared.clone(),
            },
            component_access,
        );
    }
}

/// Every 5 minutes, on the leader: approvals cut off by a stop are settled (see
/// [`proposals::settle_cut_off_approvals`]), then each guild's queue messages are checked
/// and posted again where they were deleted while no process watched.
fn ticker(shared: Arc<std::sync::OnceLock<Arc<Shared>>>) -> crate::kernel::ticker::TickerSpec {
    crate::kernel::ticker::TickerSpec::new(
        "governance-ticker",
        std::time::Duration::from_secs(300),
        move |_kernel| {
            let shared = shared.get().cloned();
            async move {
                if let Some(shared) = shared {
                    proposals::settle_cut_off_approvals(&shared).await;
                    queue::check_all(&shared).await;
                }
            }
        },
    )
}

/// The approval panel's buttons and modal are for admins.
pub fn component_access(_id: &CustomId) -> AccessLevel {
    AccessLevel::Admin
}

/// What the actor, the watcher and the ticker share.
pub(crate) struct Shared {
    pub kernel: Kernel,
    /// The queue messages of every guild: a MESSAGE_DELETE of one is noticed at once.
    pub queue_messages: RwLock<HashSet<Id<MessageMarker>>>,
}

impl Shared {
    /// A guild's settings as the request read them.
    pub fn settings(request: &InteractionRequest) -> GovernanceSettings {
        GovernanceSettings::from_values(&request.features)
    }
}

/// The actor; see the module documentation.
pub struct Governance {
    shared: Arc<Shared>,
}

impl Concern for Governance {
    const NAME: &'static str = GOVERNANCE;
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
        RequestKind::Command { name, .. } => match name.as_str() {
            "propose" => proposals::propose(shared, &request, guild).await,
            "proposal" => proposals::command(shared, &request, guild).await,
            "report" => reports::report(shared, &request, guild).await,
            "reports" => reports::command(shared, &request, guild).await,
            _ => private(t!(locale, "governance-stale")),
        },
        RequestKind::Component { id, .. } => {
            let proposal = id.arg_as::<i64>(0);
            match (id.action.as_str(), proposal) {
                (render::APPROVE, Some(proposal)) => match id.args.get(1) {
                    Some(name) => proposals::approve(shared, &request, guild, proposal, name).await,
                    None => private(t!(locale, "governance-stale")),
                },
                (render::OVERRIDE, Some(proposal)) => {
                    proposals::ask_name(shared, &request, guild, proposal).await
                }
                (render::RERUN, Some(proposal)) => {
                    proposals::rerun(shared, &request, guild, proposal).await
                }
                _ => private(t!(locale, "governance-stale")),
            }
        }
        RequestKind::Modal { id, .. } => match (id.action.as_str(), id.arg_as::<i64>(0)) {
            (render::OVERRIDE_NAME, Some(proposal)) => {
                let name = request
                    .field(render::NAME_FIELD)
                    .unwrap_or_default()
                    .to_owned();
                proposals::approve(shared, &request, guild, proposal, &name).await
            }
            _ => private(t!(locale, "governance-stale")),
        },
        RequestKind::Autocomplete { .. } => Reply::Choices(Vec::new()),
    }
}
