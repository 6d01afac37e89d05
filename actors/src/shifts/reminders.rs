//! What is due, once a second: record the claimer's reminder N minutes before the start and
//! the "still unclaimed" ping T minutes before (each once: `notices`, which then delivers
//! them with retries), disable the button at the start and mark the shift done at its end.
//! Each step is a conditional update, so it happens exactly once across restarts and
//! processes; time comes from the kernel's clock. A guild whose settings cannot be read is
//! skipped for this tick, never served with guessed defaults.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::notices::{self, NoticeTo};
use super::refresh_message;
use super::settings::ShiftSettings;
use super::store::Shift;
use crate::kernel::store::StoreError;
use crate::kernel::Kernel;

/// The furthest ahead a reminder can be (the settings allow up to 24 h).
const HORIZON: Duration = Duration::hours(24);

pub(crate) async fn tick(kernel: &Kernel) {
    let now = kernel.clock.now();
    match kernel.store.shifts_due(now + HORIZON).await {
        Ok(due) => record_due(kernel, due, now).await,
        Err(error) => tracing::warn!(%error, "could not read due shifts; trying next tick"),
    }
    notices::deliver_due(kernel).await;
}

async fn record_due(kernel: &Kernel, due: Vec<Shift>, now: DateTime<Utc>) {
    // Per guild: its shift settings, or `None` to leave its shifts for a later tick
    // (shifts turned off there, or settings that could not be read: never guess).
    let mut settings: HashMap<Id<GuildMarker>, Option<ShiftSettings>> = HashMap::new();
    for shift in due {
        if let std::collections::hash_map::Entry::Vacant(entry) = settings.entry(shift.guild_id) {
            let loaded = match kernel.guild_config(shift.guild_id).await {
                Ok(config) if config.features.is_on(super::SHIFTS) => {
                    Some(ShiftSettings::from_values(&config.features))
                }
                Ok(_) => None,
                Err(error) => {
                    tracing::warn!(%error, guild = shift.guild_id.get(), "could not read the guild's settings; its shifts wait for the next tick");
                    None
                }
            };
            entry.insert(loaded);
        }
        let Some(guild_settings) = &settings[&shift.guild_id] else {
            continue;
        };
        if let Err(error) = step(kernel, guild_settings, &shift, now).await {
            tracing::warn!(%error, shift = shift.id, "a shift's timed step failed; trying next tick");
        }
    }
}

/// The one thing due for `shift` now, if any.
async fn step(
    kernel: &Kernel,
    settings: &ShiftSettings,
    shift: &Shift,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let store = &kernel.store;
    if shift.end <= now {
        if store.mark_done(shift.id, now).await? {
            if let Some(done) = store.shift(shift.guild_id, shift.id).await? {
                refresh_message(kernel, &done).await;
            }
        }
        return Ok(());
    }
    if shift.start <= now {
        if shift.started_marked_at.is_none() && store.mark_started(shift.id, now).await? {
            refresh_message(kernel, shift).await;
        }
        return Ok(());
    }
    match shift.claimed_by {
        Some(claimer) => {
            let offset = settings.reminder_minutes;
            if offset > 0
                && shift.reminded_at.is_none()
                && now >= shift.start - Duration::minutes(offset)
            {
                // Recorded first, then flagged: a crash between the two records it again,
                // which the notice's key makes a no-op.
                store
                    .record_notice(shift.guild_id, shift.id, NoticeTo::Claimer(claimer), now)
                    .await?;
                store.mark_reminded(shift.id, claimer, now).await?;
            }
        }
        None => {
            let offset = settings.unclaimed_ping_minutes;
            if offset > 0
                && shift.unclaimed_ping_at.is_none()
                && now >= shift.start - Duration::minutes(offset)
            {
                match notices::ping_channel(settings, shift) {
                    Some(channel) => {
                        store
                            .record_notice(
                                shift.guild_id,
                                shift.id,
                                NoticeTo::Channel(channel),
                                now,
                            )
                            .await?;
                    }
                    None => {
                        tracing::info!(
                            shift = shift.id,
                            "no shift channel to ping about an unclaimed shift"
                        )
                    }
                }
                store.mark_unclaimed_ping(shift.id, now).await?;
            }
        }
    }
    Ok(())
}
