//! `/timezone set|show` and `/schedule add|remove|view|clear`: a person's default zone
//! and moderators' weekly slots. Moderators manage their own schedule; admins anyone's;
//! everyone may look.

use chrono::{Datelike, NaiveTime, Timelike, Weekday};
use chrono_tz::Tz;
use twilight_model::id::marker::UserMarker;
use twilight_model::id::Id;

use super::commands::{ScheduleCommand, TimezoneCommand, WeekdayChoice};
use super::render::when;
use super::store::ScheduleSlot;
use super::time::{self, WeeklySlot};
use super::{private, zone_for, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::Reply;
use crate::kernel::Kernel;
use crate::t;

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

/// The day's name in `locale` (0 = Monday … 6 = Sunday, as stored).
pub(crate) fn weekday_name(locale: Locale, index: i32) -> String {
    match weekday_of(index) {
        Weekday::Mon => t!(locale, "weekday-monday"),
        Weekday::Tue => t!(locale, "weekday-tuesday"),
        Weekday::Wed => t!(locale, "weekday-wednesday"),
        Weekday::Thu => t!(locale, "weekday-thursday"),
        Weekday::Fri => t!(locale, "weekday-friday"),
        Weekday::Sat => t!(locale, "weekday-saturday"),
        Weekday::Sun => t!(locale, "weekday-sunday"),
    }
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

fn slot_line(locale: Locale, slot: &ScheduleSlot, now: chrono::DateTime<chrono::Utc>) -> String {
    let weekly = weekly_slot(slot);
    t!(
        locale,
        "schedule-slot-line",
        weekday = weekday_name(locale, slot.weekday),
        time = clock_text(weekly.time),
        zone = slot.zone.as_str(),
        when = when(time::next_occurrence(&weekly, now))
    )
}

/// `09:30`
fn clock_text(time: NaiveTime) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// Whose schedule a text is about: the catalogue's `$whose` (`own` or `other`) and `$user`.
fn whose(target: Id<UserMarker>, me: Id<UserMarker>) -> &'static str {
    if target == me {
        "own"
    } else {
        "other"
    }
}

pub(crate) async fn timezone(kernel: &Kernel, request: &InteractionRequest) -> Reply {
    let command = match TEXTS.options::<TimezoneCommand>(request) {
        Ok(command) => command,
        Err(refusal) => return refusal,
    };
    let user = request.user_id;
    let locale = request.language();
    match command {
        TimezoneCommand::Set(set) => {
            let zone = match time::parse_zone(&set.zone) {
                Ok(zone) => zone,
                Err(error) => return private(error.message(locale)),
            };
            if let Err(error) = kernel.store.set_user_zone(user, zone.name()).await {
                return TEXTS.database_trouble(locale, &error);
            }
            let now = kernel.clock.now().with_timezone(&zone);
            private(t!(
                locale,
                "timezone-set",
                zone = zone.name(),
                time = clock_text(now.time()),
                weekday = weekday_name(locale, now.weekday().num_days_from_monday() as i32)
            ))
        }
        TimezoneCommand::Show(_) => match kernel.store.user_zone(user).await {
            Ok(Some(zone)) => private(t!(locale, "timezone-show", zone = zone)),
            Ok(None) => private(t!(locale, "timezone-unset")),
            Err(error) => TEXTS.database_trouble(locale, &error),
        },
    }
}

/// Whose schedule a command is about; refuses moderators acting for someone else.
fn target(
    request: &InteractionRequest,
    user: Option<Id<UserMarker>>,
) -> Result<Id<UserMarker>, Reply> {
    let me = request.user_id;
    match user {
        Some(other) if other != me && request.level < AccessLevel::Admin => {
            Err(private(t!(request.language(), "schedule-admins-only")))
        }
        Some(other) => Ok(other),
        None => Ok(me),
    }
}

pub(crate) async fn schedule(kernel: &Kernel, request: &InteractionRequest) -> Reply {
    let command = match TEXTS.options::<ScheduleCommand>(request) {
        Ok(command) => command,
        Err(refusal) => return refusal,
    };
    let guild = match super::guild_of(request) {
        Ok(guild) => guild,
        Err(refusal) => return refusal,
    };
    let me = request.user_id;
    let now = kernel.clock.now();
    let locale = request.language();
    match command {
        ScheduleCommand::Add(add) => {
            let target = match target(request, add.user) {
                Ok(target) => target,
                Err(refusal) => return refusal,
            };
            let clock = match time::parse_clock(&add.time) {
                Ok(clock) => clock,
                Err(error) => return private(error.message(locale)),
            };
            let zone = match zone_for(kernel, locale, me, add.zone.as_deref()).await {
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
                Ok(Some(slot)) => private(t!(
                    locale,
                    "schedule-added",
                    whose = whose(target, me),
                    user = target,
                    line = slot_line(locale, &slot, now)
                )),
                Ok(None) => private(t!(
                    locale,
                    "schedule-slot-exists",
                    whose = whose(target, me),
                    user = target,
                    weekday = weekday_name(locale, weekday),
                    time = clock_text(clock)
                )),
                Err(error) => TEXTS.database_trouble(locale, &error),
            }
        }
        ScheduleCommand::Remove(remove) => {
            let target = match target(request, remove.user) {
                Ok(target) => target,
                Err(refusal) => return refusal,
            };
            let clock = match time::parse_clock(&remove.time) {
                Ok(clock) => clock,
                Err(error) => return private(error.message(locale)),
            };
            let minute = (clock.hour() * 60 + clock.minute()) as i32;
            let weekday = weekday_index(remove.weekday);
            match kernel
                .store
                .remove_schedule_slot(guild, target, weekday, minute)
                .await
            {
                Ok(true) => private(t!(
                    locale,
                    "schedule-removed",
                    weekday = weekday_name(locale, weekday),
                    time = clock_text(clock),
                    whose = whose(target, me),
                    user = target
                )),
                Ok(false) => private(t!(
                    locale,
                    "schedule-no-such-slot",
                    weekday = weekday_name(locale, weekday),
                    time = clock_text(clock),
                    whose = whose(target, me),
                    user = target
                )),
                Err(error) => TEXTS.database_trouble(locale, &error),
            }
        }
        ScheduleCommand::View(view) => {
            let target = view.user.unwrap_or(me);
            match kernel.store.schedule_slots(guild, target).await {
                Ok(slots) if slots.is_empty() => private(t!(
                    locale,
                    "schedule-empty",
                    whose = whose(target, me),
                    user = target
                )),
                Ok(slots) => {
                    let title = t!(
                        locale,
                        "schedule-view",
                        whose = whose(target, me),
                        user = target
                    );
                    let lines: Vec<String> = std::iter::once(title)
                        .chain(slots.iter().map(|slot| slot_line(locale, slot, now)))
                        .collect();
                    private(lines.join("\n"))
                }
                Err(error) => TEXTS.database_trouble(locale, &error),
            }
        }
        ScheduleCommand::Clear(clear) => {
            let target = match target(request, clear.user) {
                Ok(target) => target,
                Err(refusal) => return refusal,
            };
            match kernel.store.clear_schedule(guild, target).await {
                Ok(0) => private(t!(
                    locale,
                    "schedule-already-empty",
                    whose = whose(target, me),
                    user = target
                )),
                Ok(count) => private(t!(
                    locale,
                    "schedule-cleared",
                    count = count,
                    whose = whose(target, me),
                    user = target
                )),
                Err(error) => TEXTS.database_trouble(locale, &error),
            }
        }
    }
}
