//! The two ranking messages of each guild, in its `rankings-channel`: proposed channels by
//! score (0.4 × all messages + 0.6 × the last 7 days), permanent channels by their last
//! message. Refreshed every `refresh_minutes` by the ticker (on the leader) and by
//! `/channels refresh`; their ids are stored, so a restart edits the same messages, and
//! one deleted by hand is posted again.

use std::sync::Arc;

use twilight_model::channel::message::Embed;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;
use twilight_util::builder::embed::EmbedBuilder;

use super::counts::{self, Activity};
use super::store::TrackedChannel;
use super::tally::Kind;
use super::{Shared, StatsSettings};
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, ReplyMessage};
use crate::kernel::ticker::TickerSpec;
use crate::t;

/// The stored names of the two messages.
pub const PROPOSED: &str = "proposed_scores";
pub const PERMANENT: &str = "permanent_activity";

/// Channels listed per ranking (an embed's description holds 4096 characters).
const LISTED: usize = 25;

/// Every minute, on the leader: the guilds' rankings when `refresh_minutes` have passed.
pub fn ticker(shared: Arc<std::sync::OnceLock<Arc<Shared>>>) -> TickerSpec {
    TickerSpec::new(
        "stats-rankings",
        std::time::Duration::from_secs(60),
        move |_kernel| {
            let shared = shared.get().cloned();
            async move {
                if let Some(shared) = shared {
                    refresh_due(&shared).await;
                }
            }
        },
    )
}

async fn refresh_due(shared: &Arc<Shared>) {
    let now = shared.kernel.clock.now();
    let period = chrono::Duration::minutes(shared.config.refresh_minutes.max(1) as i64);
    let due = shared
        .last_refresh
        .lock()
        .is_none_or(|last| now - last >= period);
    if !due {
        return;
    }
    *shared.last_refresh.lock() = Some(now);
    // What was counted up to now shows.
    let _ = super::flush(shared).await;
    let guilds = match shared.kernel.store.stats_guilds().await {
        Ok(guilds) => guilds,
        Err(error) => {
            tracing::warn!(%error, "could not read the guilds with tracked channels");
            return;
        }
    };
    for guild in guilds.iter().copied() {
        match shared.settings(guild).await {
            Ok(settings) if settings.on => {
                if let Err(problem) = refresh_guild(shared, guild, settings).await {
                    tracing::warn!(guild = guild.get(), %problem, "could not refresh the rankings");
                }
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, guild = guild.get(), "could not read the stats settings")
            }
        }
    }
    // An embedded cache's counts, kept in the store against a crash.
    super::live_snapshot::save(shared, &guilds).await;
}

/// One ranking line's data: a channel and its activity.
type Ranked<'a> = (&'a TrackedChannel, &'a Activity);

/// Brings a guild's two ranking messages up to date; false when it has no rankings
/// channel. Old day counts are trimmed on the way.
pub async fn refresh_guild(
    shared: &Shared,
    guild: Id<GuildMarker>,
    settings: StatsSettings,
) -> Result<bool, String> {
    let Some(channel) = settings.rankings else {
        return Ok(false);
    };
    // One refresh per guild at a time, so two never post the same message twice.
    let _turn = shared
        .kernel
        .serial
        .turn(format!("stats-rankings:{guild}"))
        .await;
    let tracked = shared
        .kernel
        .store
        .stats_channels(guild)
        .await
        .map_err(|error| error.to_string())?;
    let ids: Vec<u64> = tracked.iter().map(|channel| channel.id.get()).collect();
    let activity = counts::read(&shared.counts, guild.get(), &ids)
        .await
        .map_err(|error| error.to_string())?;
    let today = shared.today();
    let first_day = today - shared.config.window_days.max(7) + 1;
    if let Err(error) = counts::trim(&shared.counts, guild.get(), &activity, first_day).await {
        tracing::warn!(%error, "could not trim old day counts");
    }
    let locale = shared.kernel.guild_locale(guild).await;
    let rows: Vec<Ranked> = tracked.iter().zip(activity.iter()).collect();
    let now_ms = shared.kernel.clock.now().timestamp_millis();
    let proposed = proposed_embed(locale, &rows, today, now_ms);
    let permanent = permanent_embed(locale, &rows, now_ms);
    for (name, embed) in [(PROPOSED, proposed), (PERMANENT, permanent)] {
        keep_posted(shared, guild, channel, name, embed).await?;
    }
    Ok(true)
}

/// Edits the stored message `name`, or posts it (again) when there is none, it was
/// deleted, or the rankings channel changed.
async fn keep_posted(
    shared: &Shared,
    guild: Id<GuildMarker>,
    channel: Id<twilight_model::id::marker::ChannelMarker>,
    name: &str,
    embed: Embed,
) -> Result<(), String> {
    let discord = &shared.kernel.discord;
    let store = &shared.kernel.store;
    let message = ReplyMessage::default().with_embed(embed);
    let stored = store
        .stats_embed(guild, name)
        .await
        .map_err(|error| error.to_string())?;
    if let Some((posted_in, id)) = stored {
        if posted_in == channel {
            match discord.edit_message(channel, id, &message).await {
                Ok(()) => return Ok(()),
                Err(error) if error.code() == Some(10008) => {
                    tracing::info!(
                        guild = guild.get(),
                        name,
                        "a ranking message was deleted; posting it again"
                    );
                }
                Err(error) => return Err(error.to_string()),
            }
        }
    }
    let id = discord
        .send_message(channel, &message, None)
        .await
        .map_err(|error| error.to_string())?;
    store
        .stats_set_embed(guild, name, channel, id)
        .await
        .map_err(|error| error.to_string())
}

/// The proposed channels, highest score first (ties: more messages this week, then by
/// name).
pub fn proposed_embed(locale: Locale, rows: &[Ranked], today: i64, now_ms: i64) -> Embed {
    let mut ranked: Vec<(&TrackedChannel, f64, i64, i64)> = rows
        .iter()
        .filter(|(channel, _)| channel.kind == Kind::Proposed)
        .map(|(channel, activity)| {
            (
                *channel,
                activity.score(today),
                activity.total,
                activity.recent(today, 7),
            )
        })
        .collect();
    ranked.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then(b.3.cmp(&a.3))
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    let lines: Vec<String> = ranked
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(place, (channel, score, total, week))| {
            t!(
                locale,
                "stats-proposed-line",
                place = place + 1,
                channel = format!("<#{}>", channel.id),
                score = locale.decimal(&format!("{score:.1}")),
                total = *total,
                week = *week
            )
        })
        .collect();
    ranking_embed(
        t!(locale, "stats-proposed-title"),
        lines,
        t!(locale, "stats-proposed-empty"),
        locale,
        now_ms,
    )
}

/// The permanent channels, most recently active first (never active ones last).
pub fn permanent_embed(locale: Locale, rows: &[Ranked], now_ms: i64) -> Embed {
    let mut ranked: Vec<Ranked> = rows
        .iter()
        .filter(|(channel, _)| channel.kind == Kind::Permanent)
        .copied()
        .collect();
    ranked.sort_by(|a, b| {
        b.1.last_ms
            .cmp(&a.1.last_ms)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    let lines: Vec<String> = ranked
        .iter()
        .take(LISTED)
        .enumerate()
        .map(|(place, (channel, activity))| match activity.last_ms {
            Some(last) => t!(
                locale,
                "stats-permanent-line",
                place = place + 1,
                channel = format!("<#{}>", channel.id),
                last = last.div_euclid(1000),
                total = activity.total
            ),
            None => t!(
                locale,
                "stats-permanent-line-quiet",
                place = place + 1,
                channel = format!("<#{}>", channel.id)
            ),
        })
        .collect();
    ranking_embed(
        t!(locale, "stats-permanent-title"),
        lines,
        t!(locale, "stats-permanent-empty"),
        locale,
        now_ms,
    )
}

fn ranking_embed(
    title: String,
    lines: Vec<String>,
    empty: String,
    locale: Locale,
    now_ms: i64,
) -> Embed {
    let body = if lines.is_empty() {
        empty
    } else {
        lines.join("\n")
    };
    let updated = t!(
        locale,
        "stats-rankings-updated",
        at = now_ms.div_euclid(1000)
    );
    EmbedBuilder::new()
        .title(title)
        .color(0x58_65_F2)
        .description(clip(&format!("{body}\n\n{updated}"), 4000))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use twilight_model::id::Id;

    fn channel(id: u64, kind: Kind, name: &str) -> TrackedChannel {
        TrackedChannel {
            id: Id::new(id),
            kind,
            name: name.to_owned(),
        }
    }

    #[test]
    fn proposed_channels_rank_by_score_and_permanent_ones_by_last_message() {
        let channels = [
            channel(1, Kind::Proposed, "old-but-big"),
            channel(2, Kind::Proposed, "busy-this-week"),
            channel(3, Kind::Permanent, "quiet"),
            channel(4, Kind::Permanent, "lively"),
            channel(5, Kind::Permanent, "never"),
        ];
        let today = 20_000;
        let activity = [
            Activity {
                channel: 1,
                total: 100,
                days: [(today - 30, 100)].into_iter().collect(),
                last_ms: Some(1_000),
            },
            Activity {
                channel: 2,
                total: 60,
                days: [(today, 60)].into_iter().collect(),
                last_ms: Some(2_000),
            },
            Activity {
                channel: 3,
                total: 5,
                days: Default::default(),
                last_ms: Some(1_000_000),
            },
            Activity {
                channel: 4,
                total: 1,
                days: Default::default(),
                last_ms: Some(9_000_000),
            },
            Activity {
                channel: 5,
                total: 0,
                days: Default::default(),
                last_ms: None,
            },
        ];
        let rows: Vec<Ranked> = channels.iter().zip(activity.iter()).collect();
        let proposed = proposed_embed(Locale::English, &rows, today, 0);
        let text = proposed.description.unwrap();
        // 0.4 × 60 + 0.6 × 60 = 60 beats 0.4 × 100 = 40.
        let busy = text.find("<#2>").unwrap();
        let big = text.find("<#1>").unwrap();
        assert!(busy < big, "{text}");
        assert!(text.contains("60.0"), "{text}");
        assert!(!text.contains("<#3>"));
        let permanent = permanent_embed(Locale::English, &rows, 0)
            .description
            .unwrap();
        let order: Vec<usize> = ["<#4>", "<#3>", "<#5>"]
            .iter()
            .map(|needle| permanent.find(needle).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{permanent}");
    }
}
