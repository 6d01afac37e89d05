//! Kudos: a small, complete feature as a bot developer writes one — a folder with its
//! descriptor, its actor, its table (migrations for both backends), a setting, and a help
//! category — started with one line (`extensions: vec![Box::new(KudosFeature)]`).
//! `/kudos give user` thanks someone; `/kudos count [user]` shows a tally;
//! `/config kudos goal` sets when a tally earns a trophy (per guild); `[kudos] emoji` in
//! config.toml (or `AGORA_KUDOS__EMOJI`) is what every guild of this process sees.

use agora_actors::dispatcher::InteractionRequest;
use agora_actors::feature::{
    ConfigSection, Feature, FeatureStart, HelpCategory, Migrations, SettingKind, SettingSpec,
};
use agora_actors::kernel::catalogue::CommandEntry;
use agora_actors::kernel::policy::AccessLevel;
use agora_actors::kernel::reply::{Reply, ReplyMessage};
use agora_actors::kernel::store::ids::column;
use agora_actors::kernel::store::{Store, StoreError};
use agora_actors::kernel::supervision::Concern;
use agora_actors::kernel::Kernel;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use twilight_interactions::command::{CommandModel, CreateCommand, ResolvedUser};
use twilight_model::id::marker::{GuildMarker, UserMarker};
use twilight_model::id::Id;

pub const KUDOS: &str = "kudos";

diesel::table! {
    kudos (guild_id, receiver_id) {
        guild_id -> BigInt,
        receiver_id -> BigInt,
        count -> BigInt,
    }
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "kudos", desc = "Thank someone", contexts = "guild")]
pub enum KudosCommand {
    #[command(name = "give")]
    Give(KudosGive),
    #[command(name = "count")]
    Count(KudosCount),
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "give", desc = "Give someone kudos")]
pub struct KudosGive {
    /// Who earned it
    user: ResolvedUser,
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "count", desc = "How many kudos someone has")]
pub struct KudosCount {
    /// Whose tally (yours if left out)
    user: Option<ResolvedUser>,
}

/// `[kudos]` in config.toml: what kudos look like in every guild of this process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KudosConfig {
    /// Shown before each thank-you.
    pub emoji: String,
}

impl Default for KudosConfig {
    fn default() -> Self {
        KudosConfig {
            emoji: "🎉".to_owned(),
        }
    }
}

/// The descriptor: everything boot needs to know about kudos.
pub struct KudosFeature;

impl Feature for KudosFeature {
    fn name(&self) -> &'static str {
        KUDOS
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![HelpCategory {
            key: KUDOS,
            title: "Kudos",
            blurb: "Thank the people who help",
        }]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        vec![CommandEntry {
            private: false,
            ..CommandEntry::new(
                KUDOS,
                KUDOS,
                AccessLevel::Everyone,
                KudosCommand::create_command(),
            )
        }]
    }

    fn settings(&self) -> Vec<SettingSpec> {
        vec![SettingSpec {
            key: "goal",
            description: "Kudos that earn a trophy",
            kind: SettingKind::Integer {
                min: 1,
                max: 1000,
                unit: "kudos",
            },
            default: 10.into(),
        }]
    }

    fn migrations(&self) -> Migrations {
        static SQLITE: EmbeddedMigrations = embed_migrations!("tests/kudos/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations = embed_migrations!("tests/kudos/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn config_section(&self) -> Option<ConfigSection> {
        Some(ConfigSection::of::<KudosConfig>(KUDOS))
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let kernel = start.kernel.clone();
        let config: KudosConfig = start.config();
        start.concern(
            move || Kudos {
                kernel: kernel.clone(),
                config: config.clone(),
            },
            |_| AccessLevel::Everyone,
        );
    }
}

/// The actor.
pub struct Kudos {
    kernel: Kernel,
    config: KudosConfig,
}

impl Concern for Kudos {
    const NAME: &'static str = KUDOS;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let (kernel, emoji) = (self.kernel.clone(), self.config.emoji.clone());
        async move { answer(&kernel, &emoji, request).await }.boxed_local()
    }
}

async fn answer(kernel: &Kernel, emoji: &str, request: InteractionRequest) -> Reply {
    let (Some(guild), Some(input)) = (request.guild_id, request.command_input()) else {
        return Reply::Message(ReplyMessage::private("Kudos live in a server."));
    };
    let outcome = match KudosCommand::from_interaction(input) {
        Ok(KudosCommand::Give(KudosGive { user })) if user.resolved.id == request.user_id => {
            return Reply::Message(ReplyMessage::private("Kudos are for someone else."));
        }
        Ok(KudosCommand::Give(KudosGive { user })) => {
            let goal = request
                .features
                .get(KUDOS, "goal")
                .and_then(|value| value.as_i64())
                .unwrap_or(10);
            give(&kernel.store, guild, user.resolved.id)
                .await
                .map(|count| {
                    let trophy = if count == goal { " 🏆" } else { "" };
                    format!(
                        "{emoji} <@{}> now has {count} kudos.{trophy}",
                        user.resolved.id
                    )
                })
        }
        Ok(KudosCommand::Count(KudosCount { user })) => {
            let id = user.map_or(request.user_id, |user| user.resolved.id);
            tally(&kernel.store, guild, id)
                .await
                .map(|count| format!("<@{id}> has {count} kudos."))
        }
        Err(error) => Ok(format!("I could not read that: {error}.")),
    };
    match outcome {
        Ok(text) => Reply::Message(ReplyMessage::text(text)),
        Err(error) => Reply::Message(ReplyMessage::private(format!(
            "The database is not answering ({error}); nothing changed."
        ))),
    }
}

/// One more kudos for `receiver`; the new tally, in one statement.
async fn give(
    store: &Store,
    guild: Id<GuildMarker>,
    receiver: Id<UserMarker>,
) -> Result<i64, StoreError> {
    let (guild, receiver) = (column(guild), column(receiver));
    agora_actors::with_connection!(store, connection => {
        diesel::insert_into(kudos::table)
            .values((kudos::guild_id.eq(guild), kudos::receiver_id.eq(receiver), kudos::count.eq(1)))
            .on_conflict((kudos::guild_id, kudos::receiver_id))
            .do_update()
            .set(kudos::count.eq(kudos::count + 1))
            .returning(kudos::count)
            .get_result(connection)
            .await
    })
}

async fn tally(
    store: &Store,
    guild: Id<GuildMarker>,
    receiver: Id<UserMarker>,
) -> Result<i64, StoreError> {
    let (guild, receiver) = (column(guild), column(receiver));
    agora_actors::with_connection!(store, connection => {
        kudos::table
            .find((guild, receiver))
            .select(kudos::count)
            .first(connection)
            .await
            .optional()
    })
    .map(Option::unwrap_or_default)
}
