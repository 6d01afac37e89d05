//! `/shift drop|drop-slot|edit|cancel|unclaim` and the Claim button. Moderators drop and
//! claim; a shift's dropper or an admin edits (unclaimed only) and cancels; the claimer
//! unclaims before the start. Every change updates the posted message.

use chrono::Duration;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::commands::ShiftCommand;
use super::fairness::{decide_claim, ClaimDecision, ROLLING_WINDOW};
use super::render::{self, hours_text, when};
use super::schedule::{weekday_name, weekly_slot};
use super::settings::ShiftSettings;
use super::store::{NewShift, Shift, ShiftState};
use super::{private, refresh_message, time, zone_for, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::kernel::Kernel;
use crate::t;

const MIN_MINUTES: i64 = 15;
const MAX_MINUTES: i64 = super::store::LONGEST_SHIFT.num_minutes();

fn duration_problem(locale: Locale, minutes: i64) -> Option<Reply> {
    (!(MIN_MINUTES..=MAX_MINUTES).contains(&minutes))
        .then(|| private(t!(locale, "shift-duration-out-of-range", minutes = minutes)))
}

/// What a shift cannot undergo in its state; the wording of each in the catalogue.
#[derive(Debug, Clone, Copy)]
enum Doing {
    Edited,
    Cancelled,
    Unclaimed,
    Claimed,
}

fn state_refusal(locale: Locale, shift: &Shift, state: ShiftState, doing: Doing) -> Reply {
    let doing = match doing {
        Doing::Edited => t!(locale, "shift-doing-edited"),
        Doing::Cancelled => t!(locale, "shift-doing-cancelled"),
        Doing::Unclaimed => t!(locale, "shift-doing-unclaimed"),
        Doing::Claimed => t!(locale, "shift-doing-claimed"),
    };
    let id = shift.id;
    private(match state {
        ShiftState::Cancelled => t!(locale, "shift-refused-cancelled", id = id, doing = doing),
        ShiftState::Done => t!(locale, "shift-refused-done", id = id, doing = doing),
        ShiftState::Started => t!(locale, "shift-refused-started", id = id, doing = doing),
        ShiftState::Claimed => t!(
            locale,
            "shift-refused-claimed",
            id = id,
            user = shift.claimed_by.map_or(0, |user| user.get()),
            doing = doing
        ),
        ShiftState::Open => t!(locale, "shift-refused-open", id = id, doing = doing),
    })
}

async fn load(
    kernel: &Kernel,
    locale: Locale,
    guild: Id<GuildMarker>,
    id: i64,
) -> Result<Shift, Reply> {
    match kernel.store.shift(guild, id).await {
        Ok(Some(shift)) => Ok(shift),
        Ok(None) => Err(private(t!(locale, "shift-not-found", id = id))),
        Err(error) => Err(TEXTS.database_trouble(locale, &error)),
    }
}

/// Saves a new shift and posts it in the shift channel.
async fn drop_and_post(
    kernel: &Kernel,
    locale: Locale,
    settings: &ShiftSettings,
    new: NewShift,
) -> Reply {
    let Some(channel) = settings.channel_id else {
        return private(t!(locale, "shift-no-channel"));
    };
    let shift = match kernel.store.insert_shift(&new).await {
        Ok(Some(shift)) => shift,
        Ok(None) => return private(t!(locale, "shift-slot-taken", when = when(new.start))),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    match super::post_message(kernel, &shift, channel).await {
        Ok(()) => private(t!(
            locale,
            "shift-posted",
            id = shift.id,
            channel = channel,
            when = when(shift.start),
            duration = render::duration_text(locale, shift.duration().num_minutes())
        )),
        Err(error) => {
            // Not posted means nobody can claim it: take it back.
            let taken_back = kernel
                .store
                .cancel_shift(
                    shift.guild_id,
                    shift.id,
                    shift.dropped_by,
                    kernel.clock.now(),
                )
                .await;
            if let Err(cancel_error) = taken_back {
                // The shift stays open without a message; the person is told to cancel it.
                tracing::error!(%cancel_error, %error, shift = shift.id, "a shift that could not be posted could not be taken back either");
                return private(t!(
                    locale,
                    "shift-post-failed-kept",
                    id = shift.id,
                    channel = channel,
                    error = error.to_string()
                ));
            }
            private(t!(
                locale,
                "shift-post-failed",
                channel = channel,
                error = error.to_string()
            ))
        }
    }
}

pub(crate) async fn run(
    kernel: &Kernel,
    request: &InteractionRequest,
    settings: &ShiftSettings,
) -> Reply {
    let command = match TEXTS.options::<ShiftCommand>(request) {
        Ok(command) => command,
        Err(refusal) => return refusal,
    };
    let guild = match super::guild_of(request) {
        Ok(guild) => guild,
        Err(refusal) => return refusal,
    };
    let me = request.user_id;
    let now = kernel.clock.now();
    let admin = request.level >= AccessLevel::Admin;
    let locale = request.language();
    match command {
        ShiftCommand::Drop(drop) => {
            if let Some(problem) = duration_problem(locale, drop.duration_minutes) {
                return problem;
            }
            let zone = match zone_for(kernel, locale, me, drop.zone.as_deref()).await {
                Ok(zone) => zone,
                Err(refusal) => return refusal,
            };
            let start = match time::parse_local_start(&drop.start, zone) {
                Ok(start) => start,
                Err(error) => return private(error.message(locale)),
            };
            if start <= now {
                return private(t!(locale, "shift-start-past-drop", when = when(start)));
            }
            let description = drop.description.trim().to_owned();
            if description.is_empty() {
                return private(t!(locale, "shift-no-description"));
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
            drop_and_post(kernel, locale, settings, new).await
        }
        ShiftCommand::DropSlot(drop) => {
            let target = drop.user.unwrap_or(me);
            if target != me && !admin {
                return private(t!(locale, "shift-drop-slot-admins-only"));
            }
            let minutes = drop.duration_minutes.unwrap_or(60);
            if let Some(problem) = duration_problem(locale, minutes) {
                return problem;
            }
            let slots = match kernel.store.schedule_slots(guild, target).await {
                Ok(slots) => slots,
                Err(error) => return TEXTS.database_trouble(locale, &error),
            };
            let next = slots
                .iter()
                .map(|slot| (time::next_occurrence(&weekly_slot(slot), now), slot))
                .min_by_key(|(start, _)| *start);
            let Some((start, slot)) = next else {
                return private(if target == me {
                    t!(locale, "shift-no-slots-own")
                } else {
                    t!(locale, "shift-no-slots-other", user = target)
                });
            };
            let weekly = weekly_slot(slot);
            let new = NewShift {
                guild_id: guild,
                description: t!(
                    locale,
                    "shift-slot-description",
                    weekday = weekday_name(locale, slot.weekday),
                    time = weekly.time.format("%H:%M").to_string(),
                    zone = slot.zone.as_str()
                ),
                start,
                end: start + Duration::minutes(minutes),
                dropped_by: me,
                assigned_user_id: Some(target),
                schedule_id: Some(slot.id),
            };
            drop_and_post(kernel, locale, settings, new).await
        }
        ShiftCommand::Edit(edit) => {
            let shift = match load(kernel, locale, guild, edit.id).await {
                Ok(shift) => shift,
                Err(refusal) => return refusal,
            };
            if shift.dropped_by != me && !admin {
                return private(t!(locale, "shift-edit-not-allowed", id = shift.id));
            }
            let state = shift.state(now);
            if state != ShiftState::Open {
                return state_refusal(locale, &shift, state, Doing::Edited);
            }
            let start = match &edit.start {
                Some(text) => {
                    let zone = match zone_for(kernel, locale, me, edit.zone.as_deref()).await {
                        Ok(zone) => zone,
                        Err(refusal) => return refusal,
                    };
                    match time::parse_local_start(text, zone) {
                        Ok(start) => start,
                        Err(error) => return private(error.message(locale)),
                    }
                }
                None => shift.start,
            };
            if start <= now {
                return private(t!(locale, "shift-start-past-edit", when = when(start)));
            }
            let minutes = edit
                .duration_minutes
                .unwrap_or(shift.duration().num_minutes());
            if let Some(problem) = duration_problem(locale, minutes) {
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
                Ok(false) => return private(t!(locale, "shift-edit-conflict", id = shift.id)),
                Err(error) => return TEXTS.database_trouble(locale, &error),
            }
            if let Ok(Some(updated)) = kernel.store.shift(guild, shift.id).await {
                refresh_message(kernel, &updated).await;
            }
            private(t!(
                locale,
                "shift-edited",
                id = shift.id,
                when = when(start),
                duration = render::duration_text(locale, minutes)
            ))
        }
        ShiftCommand::Cancel(cancel) => {
            let shift = match load(kernel, locale, guild, cancel.id).await {
                Ok(shift) => shift,
                Err(refusal) => return refusal,
            };
            if shift.dropped_by != me && !admin {
                return private(t!(locale, "shift-cancel-not-allowed", id = shift.id));
            }
            let state = shift.state(now);
            if matches!(state, ShiftState::Cancelled | ShiftState::Done) {
                return state_refusal(locale, &shift, state, Doing::Cancelled);
            }
            match kernel.store.cancel_shift(guild, shift.id, me, now).await {
                Ok(true) => {}
                Ok(false) => return private(t!(locale, "shift-already-cancelled", id = shift.id)),
                Err(error) => return TEXTS.database_trouble(locale, &error),
            }
            if let Ok(Some(updated)) = kernel.store.shift(guild, shift.id).await {
                refresh_message(kernel, &updated).await;
            }
            if let Some(claimer) = shift.claimed_by.filter(|c| *c != me) {
                // A DM to someone else: the guild's language, not the canceller's.
                let note = ReplyMessage::text(t!(
                    Locale::for_guild(&request.settings.locale),
                    "shift-cancelled-note",
                    id = shift.id,
                    description = shift.description.as_str(),
                    when = when(shift.start),
                    user = me
                ));
                if let Err(error) = kernel.discord.send_dm(claimer, &note).await {
                    tracing::info!(%error, shift = shift.id, "could not tell the claimer about the cancellation");
                }
            }
            private(t!(locale, "shift-cancelled", id = shift.id))
        }
        ShiftCommand::Unclaim(unclaim) => {
            let shift = match load(kernel, locale, guild, unclaim.id).await {
                Ok(shift) => shift,
                Err(refusal) => return refusal,
            };
            if shift.claimed_by != Some(me) {
                return private(t!(locale, "shift-not-your-claim", id = shift.id));
            }
            let state = shift.state(now);
            if state != ShiftState::Claimed {
                return state_refusal(locale, &shift, state, Doing::Unclaimed);
            }
            match kernel.store.unclaim_shift(guild, shift.id, me, now).await {
                Ok(true) => {}
                Ok(false) => return private(t!(locale, "shift-unclaim-too-late", id = shift.id)),
                Err(error) => return TEXTS.database_trouble(locale, &error),
            }
            if let Ok(Some(updated)) = kernel.store.shift(guild, shift.id).await {
                refresh_message(kernel, &updated).await;
            }
            private(t!(locale, "shift-unclaimed", id = shift.id))
        }
        ShiftCommand::Stats(_)
        | ShiftCommand::Leaderboard(_)
        | ShiftCommand::Upcoming(_)
        | ShiftCommand::Export(_) => private(t!(locale, "shift-answered-elsewhere")),
    }
}

/// The Claim button: exactly one claimer however many click at once.
pub(crate) async fn claim(
    kernel: &Kernel,
    request: &InteractionRequest,
    settings: &ShiftSettings,
    shift_id: i64,
) -> Reply {
    let guild = match super::guild_of(request) {
        Ok(guild) => guild,
        Err(refusal) => return refusal,
    };
    let me = request.user_id;
    let now = kernel.clock.now();
    let locale = request.language();
    let shift = match load(kernel, locale, guild, shift_id).await {
        Ok(shift) => shift,
        Err(refusal) => return refusal,
    };
    let state = shift.state(now);
    if state == ShiftState::Claimed {
        let user = shift.claimed_by.map_or(0, |user| user.get());
        return private(t!(locale, "shift-claim-taken", user = user, id = shift.id));
    }
    if state != ShiftState::Open {
        return state_refusal(locale, &shift, state, Doing::Claimed);
    }
    let own = shift.dropped_by == me || shift.assigned_user_id == Some(me);
    if own && !settings.allow_self_claim {
        return private(t!(locale, "shift-own-claim"));
    }
    let minutes = match kernel
        .store
        .minutes_claimed_since(guild, me, now - ROLLING_WINDOW)
        .await
    {
        Ok(minutes) => minutes,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if let ClaimDecision::TooEarly { from, .. } = decide_claim(
        minutes,
        settings.max_hours_7d,
        settings.lock_window_minutes,
        shift.start,
        now,
    ) {
        return private(t!(
            locale,
            "shift-claim-too-early",
            hours = hours_text(locale, minutes),
            limit = locale.decimal(&settings.max_hours_7d.to_string()),
            from = when(from),
            minutes = settings.lock_window_minutes
        ));
    }
    match kernel.store.claim_shift(guild, shift.id, me, now).await {
        // The clicked message is the posted one, read by the channel: the callback
        // updates it in the guild's language.
        Ok(Some(claimed)) => {
            let channel_locale = Locale::for_guild(&request.settings.locale);
            Reply::Update(render::shift_message_in(channel_locale, &claimed, now))
        }
        Ok(None) => match kernel.store.shift(guild, shift.id).await {
            Ok(Some(current)) if current.claimed_by.is_some() => private(t!(
                locale,
                "shift-claim-taken",
                user = current.claimed_by.map_or(0, |user| user.get()),
                id = shift.id
            )),
            Ok(Some(current)) => {
                state_refusal(locale, &current, current.state(now), Doing::Claimed)
            }
            Ok(None) => private(t!(locale, "shift-not-found", id = shift_id)),
            Err(error) => TEXTS.database_trouble(locale, &error),
        },
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}
