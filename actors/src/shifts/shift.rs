//! `/shift drop|drop-slot|edit|cancel|unclaim` and the Claim button. Moderators drop and
//! claim; a shift's dropper or an admin edits (unclaimed only) and cancels; the claimer
//! unclaims before the start. Every change updates the posted message.

use chrono::Duration;
use twilight_model::id::Id;

use super::commands::ShiftCommand;
use super::fairness::{decide_claim, ClaimDecision, ROLLING_WINDOW};
use super::render::{self, hours_text, when};
use super::schedule::{weekday_name, weekly_slot};
use super::settings::ShiftSettings;
use super::store::{NewShift, Shift, ShiftState};
use super::{database_trouble, private, refresh_message, time, zone_for};
use crate::dispatcher::InteractionRequest;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::kernel::Kernel;

const MIN_MINUTES: i64 = 15;
const MAX_MINUTES: i64 = 24 * 60;

fn duration_problem(minutes: i64) -> Option<Reply> {
    (!(MIN_MINUTES..=MAX_MINUTES).contains(&minutes)).then(|| {
        private(format!(
            "A shift lasts from 15 minutes to 24 hours; {minutes} minutes is outside that. Nothing changed."
        ))
    })
}

fn state_refusal(shift: &Shift, state: ShiftState, doing: &str) -> Reply {
    private(match state {
        ShiftState::Cancelled => format!("Shift #{} was cancelled; it can't be {doing}.", shift.id),
        ShiftState::Done => format!("Shift #{} is over; it can't be {doing}.", shift.id),
        ShiftState::Started => format!("Shift #{} has already started; it can't be {doing}.", shift.id),
        ShiftState::Claimed => format!(
            "Shift #{} is claimed by <@{}>; it can't be {doing}. Ask them to `/shift unclaim` it first.",
            shift.id,
            shift.claimed_by.unwrap_or_default()
        ),
        ShiftState::Open => format!("Shift #{} can't be {doing}.", shift.id),
    })
}

async fn load(kernel: &Kernel, guild: i64, id: i64) -> Result<Shift, Reply> {
    match kernel.store.shift(guild, id).await {
        Ok(Some(shift)) => Ok(shift),
        Ok(None) => Err(private(format!("There is no shift #{id} in this server."))),
        Err(error) => Err(database_trouble(&error)),
    }
}

/// Saves a new shift and posts it in the shift channel.
async fn drop_and_post(kernel: &Kernel, settings: &ShiftSettings, new: NewShift) -> Reply {
    let Some(channel) = settings.channel_id.and_then(|c| Id::new_checked(c as u64)) else {
        return private(
            "No shift channel is set here yet: an admin can choose one with `/config shifts channel`.",
        );
    };
    let shift = match kernel.store.insert_shift(&new).await {
        Ok(Some(shift)) => shift,
        Ok(None) => {
            return private(format!(
                "That slot ({}) is already dropped; see the shift channel.",
                when(new.start)
            ))
        }
        Err(error) => return database_trouble(&error),
    };
    match super::post_message(kernel, &shift, channel).await {
        Ok(()) => private(format!(
            "Shift #{} is posted in <#{channel}>: starts {}, {}.",
            shift.id,
            when(shift.start),
            render::duration_text(shift.duration().num_minutes())
        )),
        Err(error) => {
            // Not posted means nobody can claim it: take it back.
            let _ = kernel
                .store
                .cancel_shift(
                    shift.guild_id,
                    shift.id,
                    shift.dropped_by,
                    kernel.clock.now(),
                )
                .await;
            private(format!(
                "I couldn't post in <#{channel}> ({error}), so the shift was not dropped. Give me Send Messages there and try again."
            ))
        }
    }
}

pub(crate) async fn run(
    kernel: &Kernel,
    request: &InteractionRequest,
    settings: &ShiftSettings,
) -> Reply {
    let command = match super::parse::<ShiftCommand>(request) {
        Ok(command) => command,
        Err(refusal) => return refusal,
    };
    let guild = request.guild_id.map(|g| g.get() as i64).unwrap_or_default();
    let me = request.user_id.get() as i64;
    let now = kernel.clock.now();
    let admin = request.level >= AccessLevel::Admin;
    match command {
        ShiftCommand::Drop(drop) => {
            if let Some(problem) = duration_problem(drop.duration_minutes) {
                return problem;
            }
            let zone = match zone_for(kernel, me, drop.zone.as_deref()).await {
                Ok(zone) => zone,
                Err(refusal) => return refusal,
            };
            let start = match time::parse_local_start(&drop.start, zone) {
                Ok(start) => start,
                Err(error) => return private(error.to_string()),
            };
            if start <= now {
                return private(format!(
                    "That start ({}) is in the past; pick a time in the future. Nothing was dropped.",
                    when(start)
                ));
            }
            let description = drop.description.trim().to_owned();
            if description.is_empty() {
                return private("Give the shift a description.");
            }
            let new = NewShift {
                guild_id: guild,
                description,
                start,
                end: start + Duration::minutes(drop.duration_minutes),
                dropped_by: me,
                assigned_user_id: None,
                schedule_id: None,
            };
            drop_and_post(kernel, settings, new).await
        }
        ShiftCommand::DropSlot(drop) => {
            let target = drop.user.map(|u| u.get() as i64).unwrap_or(me);
            if target != me && !admin {
                return private("Only server admins can drop someone else's scheduled slot.");
            }
            let minutes = drop.duration_minutes.unwrap_or(60);
            if let Some(problem) = duration_problem(minutes) {
                return problem;
            }
            let slots = match kernel.store.schedule_slots(guild, target).await {
                Ok(slots) => slots,
                Err(error) => return database_trouble(&error),
            };
            let next = slots
                .iter()
                .map(|slot| (time::next_occurrence(&weekly_slot(slot), now), slot))
                .min_by_key(|(start, _)| *start);
            let Some((start, slot)) = next else {
                return private(if target == me {
                    "You have no weekly slots to drop; add one with `/schedule add`.".to_owned()
                } else {
                    format!("<@{target}> has no weekly slots to drop.")
                });
            };
            let weekly = weekly_slot(slot);
            let new = NewShift {
                guild_id: guild,
                description: format!(
                    "scheduled slot, {} {} ({})",
                    weekday_name(slot.weekday),
                    weekly.time.format("%H:%M"),
                    slot.zone
                ),
                start,
                end: start + Duration::minutes(minutes),
                dropped_by: me,
                assigned_user_id: Some(target),
                schedule_id: Some(slot.id),
            };
            drop_and_post(kernel, settings, new).await
        }
        ShiftCommand::Edit(edit) => {
            let shift = match load(kernel, guild, edit.id).await {
                Ok(shift) => shift,
                Err(refusal) => return refusal,
            };
            if shift.dropped_by != me && !admin {
                return private(format!(
                    "Only the moderator who dropped shift #{} or an admin can edit it.",
                    shift.id
                ));
            }
            let state = shift.state(now);
            if state != ShiftState::Open {
                return state_refusal(&shift, state, "edited");
            }
            let start = match &edit.start {
                Some(text) => {
                    let zone = match zone_for(kernel, me, edit.zone.as_deref()).await {
                        Ok(zone) => zone,
                        Err(refusal) => return refusal,
                    };
                    match time::parse_local_start(text, zone) {
                        Ok(start) => start,
                        Err(error) => return private(error.to_string()),
                    }
                }
                None => shift.start,
            };
            if start <= now {
                return private(format!(
                    "That start ({}) is in the past; nothing changed.",
                    when(start)
                ));
            }
            let minutes = edit
                .duration_minutes
                .unwrap_or(shift.duration().num_minutes());
            if let Some(problem) = duration_problem(minutes) {
                return problem;
            }
            let description = edit
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .unwrap_or(&shift.description)
                .to_owned();
            let end = start + Duration::minutes(minutes);
            match kernel
                .store
                .edit_shift(guild, shift.id, &description, start, end, now)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    return private(format!(
                        "Shift #{} changed meanwhile (claimed or cancelled); nothing was edited.",
                        shift.id
                    ))
                }
                Err(error) => return database_trouble(&error),
            }
            if let Ok(Some(updated)) = kernel.store.shift(guild, shift.id).await {
                refresh_message(kernel, &updated).await;
            }
            private(format!(
                "Shift #{} now starts {} and lasts {}.",
                shift.id,
                when(start),
                render::duration_text(minutes)
            ))
        }
        ShiftCommand::Cancel(cancel) => {
            let shift = match load(kernel, guild, cancel.id).await {
                Ok(shift) => shift,
                Err(refusal) => return refusal,
            };
            if shift.dropped_by != me && !admin {
                return private(format!(
                    "Only the moderator who dropped shift #{} or an admin can cancel it.",
                    shift.id
                ));
            }
            let state = shift.state(now);
            if matches!(state, ShiftState::Cancelled | ShiftState::Done) {
                return state_refusal(&shift, state, "cancelled");
            }
            match kernel.store.cancel_shift(guild, shift.id, me, now).await {
                Ok(true) => {}
                Ok(false) => {
                    return private(format!(
                        "Shift #{} was already cancelled or is over.",
                        shift.id
                    ))
                }
                Err(error) => return database_trouble(&error),
            }
            if let Ok(Some(updated)) = kernel.store.shift(guild, shift.id).await {
                refresh_message(kernel, &updated).await;
            }
            if let Some(claimer) = shift.claimed_by.filter(|c| *c != me) {
                let note = ReplyMessage::text(format!(
                    "Shift #{} ({}) that you claimed, starting {}, was cancelled by <@{me}>.",
                    shift.id,
                    shift.description,
                    when(shift.start)
                ));
                if let Some(user) = Id::new_checked(claimer as u64) {
                    if let Err(error) = kernel.discord.send_dm(user, &note).await {
                        tracing::info!(%error, "could not tell the claimer about the cancellation");
                    }
                }
            }
            private(format!("Shift #{} is cancelled.", shift.id))
        }
        ShiftCommand::Unclaim(unclaim) => {
            let shift = match load(kernel, guild, unclaim.id).await {
                Ok(shift) => shift,
                Err(refusal) => return refusal,
            };
            if shift.claimed_by != Some(me) {
                return private(format!("You haven't claimed shift #{}.", shift.id));
            }
            let state = shift.state(now);
            if state != ShiftState::Claimed {
                return state_refusal(&shift, state, "unclaimed");
            }
            match kernel.store.unclaim_shift(guild, shift.id, me, now).await {
                Ok(true) => {}
                Ok(false) => {
                    return private(format!("Shift #{} can no longer be unclaimed.", shift.id))
                }
                Err(error) => return database_trouble(&error),
            }
            if let Ok(Some(updated)) = kernel.store.shift(guild, shift.id).await {
                refresh_message(kernel, &updated).await;
            }
            private(format!(
                "You gave shift #{} back; it is open for claims again.",
                shift.id
            ))
        }
        ShiftCommand::Stats(_)
        | ShiftCommand::Leaderboard(_)
        | ShiftCommand::Upcoming(_)
        | ShiftCommand::Export(_) => private("That is answered elsewhere."),
    }
}

/// The Claim button: exactly one claimer however many click at once.
pub(crate) async fn claim(
    kernel: &Kernel,
    request: &InteractionRequest,
    settings: &ShiftSettings,
    shift_id: i64,
) -> Reply {
    let guild = request.guild_id.map(|g| g.get() as i64).unwrap_or_default();
    let me = request.user_id.get() as i64;
    let now = kernel.clock.now();
    let shift = match load(kernel, guild, shift_id).await {
        Ok(shift) => shift,
        Err(refusal) => return refusal,
    };
    let state = shift.state(now);
    if state == ShiftState::Claimed {
        return private(format!(
            "Too late: <@{}> has already claimed shift #{}.",
            shift.claimed_by.unwrap_or_default(),
            shift.id
        ));
    }
    if state != ShiftState::Open {
        return state_refusal(&shift, state, "claimed");
    }
    let own = shift.dropped_by == me || shift.assigned_user_id == Some(me);
    if own && !settings.allow_self_claim {
        return private("You dropped this shift yourself; another moderator has to claim it.");
    }
    let minutes = match kernel
        .store
        .minutes_claimed_since(guild, me, now - ROLLING_WINDOW)
        .await
    {
        Ok(minutes) => minutes,
        Err(error) => return database_trouble(&error),
    };
    if let ClaimDecision::TooEarly { from, .. } = decide_claim(
        minutes,
        settings.max_hours_7d,
        settings.lock_window_minutes,
        shift.start,
        now,
    ) {
        return private(format!(
            "You've claimed {} h in the last 7 days (the limit here is {} h), so you can claim this shift only from {}, {} minutes before it starts.",
            hours_text(minutes),
            settings.max_hours_7d,
            when(from),
            settings.lock_window_minutes
        ));
    }
    match kernel.store.claim_shift(guild, shift.id, me, now).await {
        // The clicked message is the posted one: the callback updates it.
        Ok(Some(claimed)) => Reply::Update(render::shift_message(&claimed, now)),
        Ok(None) => match kernel.store.shift(guild, shift.id).await {
            Ok(Some(current)) if current.claimed_by.is_some() => private(format!(
                "Too late: <@{}> has already claimed shift #{}.",
                current.claimed_by.unwrap_or_default(),
                shift.id
            )),
            Ok(Some(current)) => state_refusal(&current, current.state(now), "claimed"),
            Ok(None) => private(format!("There is no shift #{shift_id} in this server.")),
            Err(error) => database_trouble(&error),
        },
        Err(error) => database_trouble(&error),
    }
}
