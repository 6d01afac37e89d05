//! `/timezone set|show` and `/schedule add|remove|view|clear`: a person's default zone
//! and moderators' weekly slots. Moderators manage their own schedule; admins anyone's;
//! everyone may look.

use chrono::{NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;

use super::commands::{ScheduleCommand, TimezoneCommand, WeekdayChoice};
use super::render::when;
use super::store::ScheduleSlot;
use super::time::{self, WeeklySlot};
use super::{database_trouble, private, zone_for};
use crate::dispatcher::InteractionRequest;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::Kernel;

pub(crate) fn weekday_of(index: i32) -> Weekday {
    match index {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

pub(crate) fn weekday_name(index: i32) -> &'static str {
    [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    .get(index as usize)
    .copied()
    .unwrap_or("Sunday")
}

fn weekday_index(choice: WeekdayChoice) -> i32 {
    choice.value() as i32
}

/// A stored slot as a [`WeeklySlot`] (UTC when its zone is no longer known).
pub(crate) fn weekly_slot(slot: &ScheduleSlot) -> WeeklySlot {
    let minutes = slot.minute_of_day.clamp(0, 1439) as u32;
    WeeklySlot {
        weekday: weekday_of(slot.weekday),
        time: NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).unwrap_or(NaiveTime::MIN),
        zone: time::parse_zone(&slot.zone).unwrap_or(Tz::UTC),
    }
}

fn slot_line(slot: &ScheduleSlot, now: chrono::DateTime<chrono::Utc>) -> String {
    let weekly = weekly_slot(slot);
    format!(
        "**{} {:02}:{:02}** {} — next {}",
        weekday_name(slot.weekday),
        weekly.time.hour(),
        weekly.time.minute(),
        slot.zone,
        when(time::next_occurrence(&weekly, now))
    )
}

pub(crate) async fn timezone(kernel: &Kernel, request: &InteractionRequest) -> Reply {
    let command = match super::parse::<TimezoneCommand>(request) {
        Ok(command) => command,
        Err(refusal) => return refusal,
    };
    let user = request.user_id.get() as i64;
    match command {
        TimezoneCommand::Set(set) => {
            let zone = match time::parse_zone(&set.zone) {
                Ok(zone) => zone,
                Err(error) => return private(error.to_string()),
            };
            if let Err(error) = kernel.store.set_user_zone(user, zone.name()).await {
                return database_trouble(&error);
            }
            let now = kernel.clock.now().with_timezone(&zone);
            private(format!(
                "Your time zone is now **{}** (it is {} there now). Commands use it whenever you leave the zone out.",
                zone.name(),
                now.format("%H:%M on %A")
            ))
        }
        TimezoneCommand::Show(_) => match kernel.store.user_zone(user).await {
            Ok(Some(zone)) => private(format!("Your time zone is **{zone}**.")),
            Ok(None) => private(
                "You have not set a time zone, so UTC is used. Set yours with `/timezone set`.",
            ),
            Err(error) => database_trouble(&error),
        },
    }
}

/// Whose schedule a command is about; refuses moderators acting for someone else.
fn target(
    request: &InteractionRequest,
    user: Option<twilight_model::id::Id<twilight_model::id::marker::UserMarker>>,
) -> Result<i64, Reply> {
    let me = request.user_id.get() as i64;
    match user.map(|u| u.get() as i64) {
        Some(other) if other != me && request.level < AccessLevel::Admin => Err(private(
            "Only server admins can change someone else's schedule.",
        )),
        Some(other) => Ok(other),
        None => Ok(me),
    }
}

fn possessive(target: i64, me: i64) -> String {
    if target == me {
        "your".to_owned()
    } else {
        format!("<@{target}>'s")
    }
}

pub(crate) async fn schedule(kernel: &Kernel, request: &InteractionRequest) -> Reply {
    let command = match super::parse::<ScheduleCommand>(request) {
        Ok(command) => command,
        Err(refusal) => return refusal,
    };
    let guild = request.guild_id.map(|g| g.get() as i64).unwrap_or_default();
    let me = request.user_id.get() as i64;
    let now = kernel.clock.now();
    match command {
        ScheduleCommand::Add(add) => {
            let target = match target(request, add.user) {
                Ok(target) => target,
                Err(refusal) => return refusal,
            };
            let clock = match time::parse_clock(&add.time) {
                Ok(clock) => clock,
                Err(error) => return private(error.to_string()),
            };
            let zone = match zone_for(kernel, me, add.zone.as_deref()).await {
                Ok(zone) => zone,
                Err(refusal) => return refusal,
            };
            let minute = (clock.hour() * 60 + clock.minute()) as i32;
            let weekday = weekday_index(add.weekday);
            match kernel
                .store
                .add_schedule_slot(guild, target, weekday, minute, zone.name())
                .await
            {
                Ok(Some(slot)) => private(format!(
                    "Added to {} schedule: {}",
                    possessive(target, me),
                    slot_line(&slot, now)
                )),
                Ok(None) => private(format!(
                    "{} schedule already has a slot on {} at {:02}:{:02}.",
                    capitalized(&possessive(target, me)),
                    weekday_name(weekday),
                    clock.hour(),
                    clock.minute()
                )),
                Err(error) => database_trouble(&error),
            }
        }
        ScheduleCommand::Remove(remove) => {
            let target = match target(request, remove.user) {
                Ok(target) => target,
                Err(refusal) => return refusal,
            };
            let clock = match time::parse_clock(&remove.time) {
                Ok(clock) => clock,
                Err(error) => return private(error.to_string()),
            };
            let minute = (clock.hour() * 60 + clock.minute()) as i32;
            let weekday = weekday_index(remove.weekday);
            match kernel
                .store
                .remove_schedule_slot(guild, target, weekday, minute)
                .await
            {
                Ok(true) => private(format!(
                    "Removed {} {:02}:{:02} from {} schedule.",
                    weekday_name(weekday),
                    clock.hour(),
                    clock.minute(),
                    possessive(target, me)
                )),
                Ok(false) => private(format!(
                    "There is no slot on {} at {:02}:{:02} in {} schedule; nothing changed.",
                    weekday_name(weekday),
                    clock.hour(),
                    clock.minute(),
                    possessive(target, me)
                )),
                Err(error) => database_trouble(&error),
            }
        }
        ScheduleCommand::View(view) => {
            let target = view.user.map(|u| u.get() as i64).unwrap_or(me);
            match kernel.store.schedule_slots(guild, target).await {
                Ok(slots) if slots.is_empty() => private(format!(
                    "{} schedule has no weekly slots yet.",
                    capitalized(&possessive(target, me))
                )),
                Ok(slots) => {
                    let lines: Vec<String> =
                        slots.iter().map(|slot| slot_line(slot, now)).collect();
                    private(format!(
                        "{} weekly schedule:\n{}",
                        capitalized(&possessive(target, me)),
                        lines.join("\n")
                    ))
                }
                Err(error) => database_trouble(&error),
            }
        }
        ScheduleCommand::Clear(clear) => {
            let target = match target(request, clear.user) {
                Ok(target) => target,
                Err(refusal) => return refusal,
            };
            match kernel.store.clear_schedule(guild, target).await {
                Ok(0) => private(format!(
                    "{} schedule was already empty.",
                    capitalized(&possessive(target, me))
                )),
                Ok(count) => private(format!(
                    "Removed {count} slot{} from {} schedule.",
                    if count == 1 { "" } else { "s" },
                    possessive(target, me)
                )),
                Err(error) => database_trouble(&error),
            }
        }
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
