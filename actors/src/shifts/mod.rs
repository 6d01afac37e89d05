//! ShiftScheduler: moderators' weekly schedules across time zones, dropped shifts with a
//! Claim button that exactly one moderator wins, fairness, reminders, and insight
//! (stats, leaderboard, upcoming coverage, a calendar export) — seed 000, our way.
//!
//! The database is the source of truth: the actor keeps nothing between requests, buttons
//! carry the shift id, and a ticker of its own does what is due once a second (reminders,
//! "still unclaimed" pings, start and end of shifts), each exactly once.

pub mod calendar;
pub mod commands;
pub mod fairness;
mod insight;
pub mod notices;
mod reminders;
pub mod render;
mod schedule;
pub mod settings;
mod shift;
pub mod store;
pub mod time;

use crate::dispatcher::TextArea;
use std::time::Duration;

use chrono_tz::Tz;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::id::Id;

use self::settings::ShiftSettings;
use self::store::Shift;
use diesel_migrations::{embed_migrations, EmbeddedMigrations};

use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::feature::{Feature, FeatureStart, HelpCategory, Migrations, SettingSpec};
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::custom_id::CustomId;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::supervision::Concern;
use crate::kernel::ticker::TickerSpec;
use crate::kernel::Kernel;
use crate::t;

pub(crate) use crate::kernel::reply::private;

crate::translations!("shifts");

/// The `shift-…` keys of the answers every feature gives (see [`TextArea`]).
pub(crate) const TEXTS: TextArea = TextArea("shift");

/// The concern's name: catalogue routing, custom_ids (`shifts:1:claim:<id>`), logs.
pub const SHIFTS: &str = "shifts";

/// How often the ticker asks for due work.
pub const TICK: Duration = Duration::from_secs(1);

/// The help category of the shift commands.
pub const CATEGORY: HelpCategory = HelpCategory {
    key: "shifts",
    title: "Moderator shifts",
    blurb: "Schedules, dropped shifts, claims and coverage",
};

/// The feature: its commands, settings, migrations and ticker.
pub struct ShiftsFeature;

impl Feature for ShiftsFeature {
    fn name(&self) -> &'static str {
        SHIFTS
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
        static SQLITE: EmbeddedMigrations = embed_migrations!("src/shifts/migrations/sqlite");
        static POSTGRES: EmbeddedMigrations = embed_migrations!("src/shifts/migrations/postgres");
        Migrations {
            sqlite: Some(&SQLITE),
            postgres: Some(&POSTGRES),
        }
    }

    fn tickers(&self) -> Vec<TickerSpec> {
        vec![ticker()]
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let kernel = start.kernel.clone();
        start.concern(
            move || ShiftScheduler {
                kernel: kernel.clone(),
            },
            component_access,
        );
    }
}

/// Who may use the shift buttons: claiming is for moderators.
pub fn component_access(id: &CustomId) -> AccessLevel {
    match id.action.as_str() {
        render::CLAIM => AccessLevel::Moderator,
        _ => AccessLevel::Everyone,
    }
}

/// Once a second: reminders, "still unclaimed" pings, starts and ends that are due.
pub fn ticker() -> TickerSpec {
    TickerSpec::new("shifts-ticker", TICK, |kernel| async move {
        reminders::tick(&kernel).await;
    })
}

/// The actor; see the module documentation.
pub struct ShiftScheduler {
    kernel: Kernel,
}

impl Concern for ShiftScheduler {
    const NAME: &'static str = SHIFTS;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        let kernel = self.kernel.clone();
        async move { interaction(&kernel, request).await }.boxed_local()
    }
}

/// A private answer.
/// The guild a request came from; shifts live only in guilds (the dispatcher answers
/// direct messages before they get here, so this is a modified client).
pub(crate) fn guild_of(request: &InteractionRequest) -> Result<Id<GuildMarker>, Reply> {
    request
        .guild_id
        .ok_or_else(|| private(t!(request.language(), "guild-only")))
}

async fn interaction(kernel: &Kernel, request: InteractionRequest) -> Reply {
    let locale = request.language();
    if request.guild_id.is_none() {
        return private(t!(locale, "shift-guild-only"));
    }
    let settings = ShiftSettings::from_values(&request.features);
    match &request.kind {
        RequestKind::Autocomplete { .. } => {
            let typed = request
                .focused_option()
                .filter(|(name, _)| name == "zone")
                .map(|(_, typed)| typed)
                .unwrap_or_default();
            Reply::Choices(
                time::zone_choices(&typed)
                    .into_iter()
                    .map(|zone| (zone.to_owned(), zone.to_owned()))
                    .collect(),
            )
        }
        RequestKind::Component { id, .. } if id.action == render::CLAIM => {
            match id.args.first().and_then(|arg| arg.parse::<i64>().ok()) {
                Some(shift_id) => shift::claim(kernel, &request, &settings, shift_id).await,
                None => private(t!(locale, "shift-stale-button")),
            }
        }
        RequestKind::Command { name, path, .. } => {
            let in_channel = request.channel_id;
            if let (true, Some(channel)) = (settings.restrict_to_channel, settings.channel_id) {
                if name != "timezone" && in_channel != Some(channel) {
                    return private(t!(locale, "shift-channel-only", channel = channel));
                }
            }
            match (name.as_str(), path.first().map(String::as_str)) {
                ("timezone", _) => schedule::timezone(kernel, &request).await,
                ("schedule", _) => schedule::schedule(kernel, &request).await,
                ("shift", Some("stats" | "leaderboard" | "upcoming" | "export")) => {
                    insight::run(kernel, &request).await
                }
                ("shift", _) => shift::run(kernel, &request, &settings).await,
                _ => private(t!(locale, "shift-not-mine")),
            }
        }
        _ => private(t!(locale, "shift-stale")),
    }
}

/// The zone a person meant: the one they typed, else their `/timezone`, else UTC; what
/// went wrong in `locale`.
pub(crate) async fn zone_for(
    kernel: &Kernel,
    locale: Locale,
    user_id: Id<UserMarker>,
    typed: Option<&str>,
) -> Result<Tz, Reply> {
    if let Some(typed) = typed.map(str::trim).filter(|t| !t.is_empty()) {
        return time::parse_zone(typed).map_err(|error| private(error.message(locale)));
    }
    match kernel.store.user_zone(user_id).await {
        Ok(Some(zone)) => time::parse_zone(&zone).map_err(|error| {
            // A zone saved by an older tz database that this one no longer knows: say so
            // rather than quietly reading the person's times in UTC.
            tracing::warn!(%error, zone = %zone, user = user_id.get(), "a saved time zone no longer parses");
            private(t!(locale, "timezone-saved-unknown", zone = zone.as_str()))
        }),
        Ok(None) => Ok(Tz::UTC),
        Err(error) => Err(TEXTS.database_trouble(locale, &error)),
    }
}

/// Brings the posted message of a shift up to date; reposts it in the shift channel when
/// someone deleted it by hand.
pub(crate) async fn refresh_message(kernel: &Kernel, shift: &Shift) {
    let now = kernel.clock.now();
    let message = render::shift_message_in(kernel.guild_locale(shift.guild_id).await, shift, now);
    let posted = shift.channel_id.zip(shift.message_id);
    if let Some((channel, message_id)) = posted {
        match kernel
            .discord
            .edit_message(channel, message_id, &message)
            .await
        {
            Ok(()) => return,
            Err(error) if error.code() == Some(10008) => {
                tracing::info!(
                    shift = shift.id,
                    "the shift message was deleted; posting it again"
                );
            }
            Err(error) => {
                tracing::warn!(%error, shift = shift.id, "could not update the shift message");
                return;
            }
        }
    }
    let channel = match ShiftSettings::load(kernel, shift.guild_id).await {
        Ok(settings) => settings.channel_id.or(shift.channel_id),
        Err(error) => {
            tracing::warn!(%error, shift = shift.id, "could not read the shift channel setting; reposting where the shift was");
            shift.channel_id
        }
    };
    let Some(channel) = channel else {
        return;
    };
    if let Err(error) = post_message(kernel, shift, channel).await {
        tracing::warn!(%error, shift = shift.id, "could not repost the shift message");
    }
}

/// Posts a shift's message in `channel` and remembers where it is.
pub(crate) async fn post_message(
    kernel: &Kernel,
    shift: &Shift,
    channel: Id<ChannelMarker>,
) -> Result<(), crate::kernel::discord::DiscordError> {
    let locale = kernel.guild_locale(shift.guild_id).await;
    let message = render::shift_message_in(locale, shift, kernel.clock.now());
    let message_id = kernel.discord.send_message(channel, &message, None).await?;
    let stored = kernel
        .store
        .set_shift_message(shift.id, Some(channel), Some(message_id))
        .await;
    if let Err(error) = stored {
        tracing::warn!(%error, shift = shift.id, "could not remember where the shift message is");
    }
    Ok(())
}
