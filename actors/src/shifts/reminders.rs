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
use crate::kernel::reply::ReplyMessage;
use crate::kernel::Kernel;

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
    // Per guild: its settings, or `None` to leave its shifts for a later tick (shifts
    // turned off there, or settings that could not be read: never guess at defaults).
    let mut settings: HashMap<i64, Option<ShiftSettings>> = HashMap::new();
    for shift in due {
        if let std::collections::hash_map::Entry::Vacant(entry) = settings.entry(shift.guild_id) {
            let loaded = match kernel.guild_config(shift.guild_id).await {
                Ok(config) if config.features.is_on(super::SHIFTS) => {
                    Some(ShiftSettings::from_values(&config.features))
                }
                Ok(_) => None,
                Err(error) => {
                    tracing::warn!(%error, guild = shift.guild_id, "could not read the guild's settings; its shifts wait for the next tick");
                    None
                }
            };
            entry.insert(loaded);
        }
        let Some(guild_settings) = &settings[&shift.guild_id] else {
            continue;
        };
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
                    let reminder = ReplyMessage::text(format!(
                        "⏰ Your shift #{} ({}) starts {}.",
                        shift.id,
                        shift.description,
                        when(shift.start)
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
                    ping_unclaimed(kernel, guild_settings, &shift).await;
                }
            }
        }
    }
}

async fn ping_unclaimed(kernel: &Kernel, settings: &ShiftSettings, shift: &super::store::Shift) {
    let Some(channel) = settings
        .channel_id
        .or(shift.channel_id)
        .and_then(|c| Id::new_checked(c as u64))
    else {
        return;
    };
    let role = match kernel.store.guild_settings(shift.guild_id).await {
        Ok(Some(guild)) => guild
            .moderator_role_id
            .and_then(|r| Id::new_checked(r as u64)),
        _ => None,
    };
    let mention = role.map(|r| format!("<@&{r}> ")).unwrap_or_default();
    let text = ReplyMessage::text(format!(
        "{mention}⚠️ Shift #{} ({}) is still unclaimed and starts {}.",
        shift.id,
        shift.description,
        when(shift.start)
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
