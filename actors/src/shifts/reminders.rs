//! What is due, once a second: DM the claimer N minutes before the start, ping the
//! moderator role when a shift is still unclaimed T minutes before, disable the button at
//! the start and mark the shift done at its end. Each is a conditional update first, so it
//! happens exactly once across restarts and processes; time comes from the kernel's clock.

use std::collections::HashMap;

use chrono::Duration;
use twilight_model::id::Id;

use super::refresh_message;
use super::render::when;
use super::settings::ShiftSettings;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::ReplyMessage;
use crate::kernel::store::GuildSettings;
use crate::kernel::Kernel;
use crate::t;

/// The furthest ahead a reminder can be (the settings allow up to 24 h).
const HORIZON: Duration = Duration::hours(24);

pub(crate) async fn tick(kernel: &Kernel) {
    let now = kernel.clock.now();
    let due = match kernel.store.shifts_due(now + HORIZON).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not read due shifts");
            return;
        }
    };
    // Per guild: its shift settings and its own, or `None` to leave its shifts for a later
    // tick (shifts turned off there, or settings that could not be read: never guess).
    let mut settings: HashMap<i64, Option<(ShiftSettings, GuildSettings)>> = HashMap::new();
    for shift in due {
        if let std::collections::hash_map::Entry::Vacant(entry) = settings.entry(shift.guild_id) {
            let loaded = match kernel.guild_config(shift.guild_id).await {
                Ok(config) if config.features.is_on(super::SHIFTS) => Some((
                    ShiftSettings::from_values(&config.features),
                    config.settings,
                )),
                Ok(_) => None,
                Err(error) => {
                    tracing::warn!(%error, guild = shift.guild_id, "could not read the guild's settings; its shifts wait for the next tick");
                    None
                }
            };
            entry.insert(loaded);
        }
        let Some((guild_settings, guild)) = &settings[&shift.guild_id] else {
            continue;
        };
        // Nobody asked: reminders and pings speak the guild's language, else English.
        let locale = Locale::for_guild(&guild.locale);
        if shift.end <= now {
            if kernel.store.mark_done(shift.id, now).await.unwrap_or(false) {
                if let Ok(Some(done)) = kernel.store.shift(shift.guild_id, shift.id).await {
                    refresh_message(kernel, &done).await;
                }
            }
            continue;
        }
        if shift.start <= now {
            if shift.started_marked_at.is_none()
                && kernel
                    .store
                    .mark_started(shift.id, now)
                    .await
                    .unwrap_or(false)
            {
                refresh_message(kernel, &shift).await;
            }
            continue;
        }
        match shift.claimed_by {
            Some(claimer) => {
                let offset = guild_settings.reminder_minutes;
                if offset > 0
                    && shift.reminded_at.is_none()
                    && now >= shift.start - Duration::minutes(offset)
                    && kernel
                        .store
                        .mark_reminded(shift.id, claimer, now)
                        .await
                        .unwrap_or(false)
                {
                    let reminder = ReplyMessage::text(t!(
                        locale,
                        "shift-reminder",
                        id = shift.id,
                        description = shift.description.as_str(),
                        when = when(shift.start)
                    ));
                    if let Some(user) = Id::new_checked(claimer as u64) {
                        if let Err(error) = kernel.discord.send_dm(user, &reminder).await {
                            tracing::info!(%error, shift = shift.id, "could not DM the claimer");
                        }
                    }
                }
            }
            None => {
                let offset = guild_settings.unclaimed_ping_minutes;
                if offset > 0
                    && shift.unclaimed_ping_at.is_none()
                    && now >= shift.start - Duration::minutes(offset)
                    && kernel
                        .store
                        .mark_unclaimed_ping(shift.id, now)
                        .await
                        .unwrap_or(false)
                {
                    let role = guild.moderator_role_id;
                    ping_unclaimed(kernel, locale, guild_settings, role, &shift).await;
                }
            }
        }
    }
}

async fn ping_unclaimed(
    kernel: &Kernel,
    locale: Locale,
    settings: &ShiftSettings,
    moderator_role: Option<i64>,
    shift: &super::store::Shift,
) {
    let Some(channel) = settings
        .channel_id
        .or(shift.channel_id)
        .and_then(|c| Id::new_checked(c as u64))
    else {
        return;
    };
    let role = moderator_role.and_then(|r| Id::new_checked(r as u64));
    let mention = role.map(|r| format!("<@&{r}> ")).unwrap_or_default();
    let text = ReplyMessage::text(t!(
        locale,
        "shift-unclaimed-ping",
        mention = mention,
        id = shift.id,
        description = shift.description.as_str(),
        when = when(shift.start)
    ));
    let roles: Vec<_> = role.into_iter().collect();
    if let Err(error) = kernel
        .discord
        .send_message_pinging_roles(channel, &text, &roles)
        .await
    {
        tracing::warn!(%error, shift = shift.id, "could not post the unclaimed-shift ping");
    }
}
