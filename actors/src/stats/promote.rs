//! `/channels promote channel`: a proposed channel moves to the permanent category (its
//! counts go with it: they are kept by channel) and is announced. What Discord says of the
//! channel decides, not what was last seen of it: a channel moved by hand meanwhile is
//! judged where it is now.

use std::sync::Arc;

use twilight_model::id::marker::{ChannelMarker, GuildMarker};
use twilight_model::id::Id;
use twilight_util::builder::embed::EmbedBuilder;

use super::store::TrackedChannel;
use super::tally::Kind;
use super::{private, Shared, StatsSettings};
use crate::dispatcher::InteractionRequest;
use crate::kernel::discord::send;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::t;

/// Discord's "Missing Permissions" and "Missing Access".
const MISSING_PERMISSIONS: [u64; 2] = [50013, 50001];

pub async fn run(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    settings: StatsSettings,
    channel: Id<ChannelMarker>,
) -> Reply {
    let locale = request.language();
    let (Some(proposed), Some(permanent)) = (settings.proposed, settings.permanent) else {
        return private(t!(locale, "stats-promote-no-categories"));
    };
    let client = shared.kernel.discord.client();
    let found = match send("GET /channels/{id}", client.channel(channel)).await {
        Ok(response) => response.model().await.ok(),
        Err(error) if error.code() == Some(10003) => None,
        Err(error)
            if error
                .code()
                .is_some_and(|code| MISSING_PERMISSIONS.contains(&code)) =>
        {
            return private(t!(
                locale,
                "stats-promote-no-permission",
                channel = format!("<#{channel}>")
            ));
        }
        Err(error) => {
            return private(t!(
                locale,
                "stats-discord-trouble",
                problem = error.to_string()
            ))
        }
    };
    let Some(found) = found.filter(|found| found.guild_id == Some(guild)) else {
        return private(t!(
            locale,
            "stats-promote-not-proposed",
            channel = format!("<#{channel}>")
        ));
    };
    if found.parent_id == Some(permanent) {
        return private(t!(
            locale,
            "stats-promote-already",
            channel = format!("<#{channel}>")
        ));
    }
    if found.parent_id != Some(proposed) {
        return private(t!(
            locale,
            "stats-promote-not-proposed",
            channel = format!("<#{channel}>")
        ));
    }
    let moved = send(
        "PATCH /channels/{id}",
        client.update_channel(channel).parent_id(Some(permanent)),
    )
    .await;
    match moved {
        Ok(_) => {}
        Err(error)
            if error
                .code()
                .is_some_and(|code| MISSING_PERMISSIONS.contains(&code)) =>
        {
            return private(t!(
                locale,
                "stats-promote-no-permission",
                channel = format!("<#{channel}>")
            ));
        }
        Err(error) => {
            return private(t!(
                locale,
                "stats-discord-trouble",
                problem = error.to_string()
            ))
        }
    }
    // The CHANNEL_UPDATE does the same; recorded now so the next ranking has it right.
    shared.tally.lock().track(guild.get(), channel.get());
    let tracked = TrackedChannel {
        id: channel,
        kind: Kind::Permanent,
        name: found.name.clone().unwrap_or_default(),
    };
    if let Err(error) = shared
        .kernel
        .store
        .stats_track_channel(guild, &tracked)
        .await
    {
        tracing::warn!(%error, "could not record a promoted channel");
    }
    let done = t!(locale, "stats-promoted", channel = format!("<#{channel}>"));
    let Some(announce) = settings.announce else {
        return private(format!(
            "{done} {}",
            t!(locale, "stats-promoted-no-announce")
        ));
    };
    let guild_locale = shared.kernel.guild_locale(guild).await;
    let embed = EmbedBuilder::new()
        .title(t!(guild_locale, "stats-announce-title"))
        .color(0x57_F2_87)
        .description(t!(
            guild_locale,
            "stats-announce",
            channel = format!("<#{channel}>"),
            by = format!("<@{}>", request.user_id)
        ))
        .build();
    let message = ReplyMessage::default().with_embed(embed);
    match shared
        .kernel
        .discord
        .send_message(announce, &message, None)
        .await
    {
        Ok(_) => private(format!(
            "{done} {}",
            t!(
                locale,
                "stats-promoted-announced",
                announce = format!("<#{announce}>")
            )
        )),
        Err(error) => {
            tracing::warn!(%error, "could not announce a promotion");
            private(format!(
                "{done} {}",
                t!(
                    locale,
                    "stats-promoted-announce-failed",
                    announce = format!("<#{announce}>")
                )
            ))
        }
    }
}
