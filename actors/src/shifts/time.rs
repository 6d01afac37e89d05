//! Wall-clock time for shift scheduling: weekly slots in IANA zones, clock changes, typed times.

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::{Tz, TZ_VARIANTS};

use crate::kernel::i18n::Locale;
use crate::t;

/// A moderator's weekly slot: a weekday and a wall-clock time in an IANA zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySlot {
    /// The day of the week, in `zone`.
    pub weekday: Weekday,
    /// The wall-clock time, in `zone`.
    pub time: NaiveTime,
    /// The zone whose clock the slot follows.
    pub zone: Tz,
}

/// How many local dates [`next_occurrence`] looks at, starting the day before `after`'s local
/// date: three weeks and a day, so a skipped day can never make it miss the next occurrence.
const OCCURRENCE_LOOKAHEAD_DAYS: usize = 22;

/// The first occurrence of `slot` strictly after `after`, in UTC.
///
/// Each local date in the slot's zone that falls on the slot's weekday is turned into an instant
/// with [`resolve_local`]: a slot time skipped by a clock change happens at the first instant
/// after the gap, and a repeated slot time happens at its first occurrence only.
pub fn next_occurrence(slot: &WeeklySlot, after: DateTime<Utc>) -> DateTime<Utc> {
    let local_date_of_after = wall_clock(slot.zone, after).date();
    // A slot on the day before can be pushed past midnight by a skipped hour or day.
    let first_date = local_date_of_after
        .pred_opt()
        .unwrap_or(local_date_of_after);
    first_date
        .iter_days()
        .take(OCCURRENCE_LOOKAHEAD_DAYS)
        .filter(|date| date.weekday() == slot.weekday)
        .map(|date| resolve_local(slot.zone, date.and_time(slot.time)))
        .filter(|occurrence| *occurrence > after)
        .min()
        // Only reachable at the very end of chrono's calendar: the dates above include at least
        // two with the slot's weekday after `after`'s local date, and both resolve after it.
        .unwrap_or_else(|| {
            after
                .checked_add_signed(TimeDelta::weeks(1))
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        })
}

/// A local wall-clock time in `zone` as UTC: a time inside a skipped hour (spring forward,
/// or a skipped day) moves to the first valid instant after the gap; a time inside a
/// repeated hour (fall back) takes its first occurrence.
///
/// The first valid instant after a gap is the instant the clocks changed, exact to the second
/// (America/New_York 2026-03-08 02:30 gives 03:00 EDT, which is 07:00 UTC).
pub fn resolve_local(zone: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(instant) => instant.with_timezone(&Utc),
        LocalResult::Ambiguous(one, other) => one.min(other).with_timezone(&Utc),
        LocalResult::None => end_of_gap(zone, local),
    }
}

/// The wall-clock reading in `zone` at `instant`.
fn wall_clock(zone: Tz, instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// How far apart the local times probed for the end of a gap are.
const GAP_PROBE_STEP: TimeDelta = TimeDelta::minutes(15);
/// How many probes to make: the longest gap in the tz database is a skipped day, so 26 hours.
const GAP_PROBE_COUNT: usize = 26 * 4;

/// The instant a clock change skipped over `skipped` (a local time that does not exist in `zone`).
///
/// Local times are probed every [`GAP_PROBE_STEP`] until one exists; the clocks changed after the
/// last skipped probe and no later than the first existing one, and a binary search over whole
/// seconds (clock changes happen on whole seconds) finds the first instant whose wall clock has
/// reached `skipped`.
fn end_of_gap(zone: Tz, skipped: NaiveDateTime) -> DateTime<Utc> {
    let mut probe = skipped;
    for _ in 0..GAP_PROBE_COUNT {
        probe = match probe.checked_add_signed(GAP_PROBE_STEP) {
            Some(next_probe) => next_probe,
            None => break,
        };
        if let Some(existing) = zone.from_local_datetime(&probe).earliest() {
            let existing = existing.with_timezone(&Utc);
            return match existing.checked_sub_signed(GAP_PROBE_STEP) {
                Some(still_skipped) => {
                    first_instant_reaching(zone, skipped, still_skipped, existing)
                }
                None => existing,
            };
        }
    }
    // Not reached with the tz database (no gap is longer than a day). Read the wall clock with
    // the offset in force at the same-numbered UTC instant rather than fail.
    let offset_seconds = zone
        .offset_from_utc_datetime(&skipped)
        .fix()
        .local_minus_utc();
    skipped
        .and_utc()
        .checked_sub_signed(TimeDelta::seconds(i64::from(offset_seconds)))
        .unwrap_or_else(|| skipped.and_utc())
}

/// The first whole-second instant in `(not_yet, reached]` whose wall clock in `zone` reads
/// `wall` or later, given that `not_yet` reads earlier than `wall` and `reached` reads `wall` or
/// later; `reached` itself when that is not so.
fn first_instant_reaching(
    zone: Tz,
    wall: NaiveDateTime,
    not_yet: DateTime<Utc>,
    reached: DateTime<Utc>,
) -> DateTime<Utc> {
    let has_reached = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0).map(|instant| wall_clock(zone, instant) >= wall)
    };
    let mut low = not_yet.timestamp();
    let mut high = reached.timestamp();
    if has_reached(low) != Some(false) || has_reached(high) != Some(true) {
        return reached;
    }
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        match has_reached(middle) {
            Some(true) => high = middle,
            Some(false) => low = middle,
            None => return reached,
        }
    }
    DateTime::from_timestamp(high, 0).unwrap_or(reached)
}

/// A zone name that matches no zone in the tz database.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "\"{0}\" is not a time zone I know. Pick one from the list as you type, e.g. Europe/London or America/New_York."
)]
pub struct UnknownZone(pub String);

impl UnknownZone {
    /// The answer for the person who typed it, in their language.
    pub fn message(&self, locale: Locale) -> String {
        t!(locale, "zone-unknown", zone = self.0.as_str())
    }
}

/// An IANA zone by name, case-insensitively ("europe/london" → Europe/London). Also accepts
/// "UTC"/"utc", and spaces typed instead of underscores ("America/New York").
pub fn parse_zone(name: &str) -> Result<Tz, UnknownZone> {
    let wanted = name.trim().replace(' ', "_");
    TZ_VARIANTS
        .iter()
        .copied()
        .find(|zone| zone.name().eq_ignore_ascii_case(&wanted))
        .ok_or_else(|| UnknownZone(name.trim().to_owned()))
}

/// The zones most communities use, shown first in autocomplete.
pub const COMMON_ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Manila",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// The most choices Discord shows for an autocomplete option.
pub const MAX_CHOICES: usize = 25;

/// How well a zone name matches what was typed: lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum MatchStrength {
    /// The name, or one of its parts after a `/` (the city), starts with the text.
    Prefix,
    /// The text appears somewhere in the name.
    Contains,
}

/// A zone name folded for matching: lowercase, with underscores read as spaces.
fn fold_for_matching(text: &str) -> String {
    text.trim().to_lowercase().replace('_', " ")
}

/// How `name` matches the folded text `typed`, if at all.
fn match_strength(name: &str, typed: &str) -> Option<MatchStrength> {
    let folded_name = fold_for_matching(name);
    if folded_name.starts_with(typed) || folded_name.split('/').any(|part| part.starts_with(typed))
    {
        Some(MatchStrength::Prefix)
    } else if folded_name.contains(typed) {
        Some(MatchStrength::Contains)
    } else {
        None
    }
}

/// Autocomplete for a zone option: at most 25 names. Empty input → the common zones.
///
/// Otherwise case-insensitive matches: names starting with the text (or whose city part does,
/// "lon" → Europe/London) first, then names containing it; within each, common zones first in
/// [`COMMON_ZONES`] order, then the rest alphabetically. Spaces match underscores
/// ("new york" → America/New_York).
pub fn zone_choices(typed: &str) -> Vec<&'static str> {
    let typed = fold_for_matching(typed);
    if typed.is_empty() {
        return COMMON_ZONES.iter().copied().take(MAX_CHOICES).collect();
    }
    let mut ranked: Vec<(MatchStrength, usize, &'static str)> = TZ_VARIANTS
        .iter()
        .filter_map(|zone| {
            let name = zone.name();
            let strength = match_strength(name, &typed)?;
            let common_rank = COMMON_ZONES
                .iter()
                .position(|common| *common == name)
                .unwrap_or(COMMON_ZONES.len());
            Some((strength, common_rank, name))
        })
        .collect();
    ranked.sort_unstable();
    ranked
        .into_iter()
        .take(MAX_CHOICES)
        .map(|(_, _, name)| name)
        .collect()
}

/// Why a typed clock time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Not of the form H:MM or HH:MM.
    #[error("`{0}` is not a time: write it as HH:MM, e.g. 09:30 or 21:00.")]
    Malformed(String),
    /// The hour is past 23.
    #[error("{0} is not an hour: hours go from 0 to 23.")]
    Hour(u32),
    /// The minute is past 59.
    #[error("{0} is not a minute: minutes go from 0 to 59.")]
    Minute(u32),
}

impl ClockError {
    /// The answer for the person who typed it, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            ClockError::Malformed(text) => t!(locale, "clock-malformed", text = text),
            ClockError::Hour(hour) => t!(locale, "clock-hour", hour = *hour),
            ClockError::Minute(minute) => t!(locale, "clock-minute", minute = *minute),
        }
    }
}

/// The value of a run of ASCII digits whose length is in `lengths`.
fn digits(text: &str, lengths: std::ops::RangeInclusive<usize>) -> Option<u32> {
    if !lengths.contains(&text.len()) || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// "HH:MM" or "H:MM" (24-hour clock) → a time.
pub fn parse_clock(text: &str) -> Result<NaiveTime, ClockError> {
    let trimmed = text.trim();
    let malformed = || ClockError::Malformed(trimmed.to_owned());
    let (hour_text, minute_text) = trimmed.split_once(':').ok_or_else(malformed)?;
    let hour = digits(hour_text, 1..=2).ok_or_else(malformed)?;
    let minute = digits(minute_text, 2..=2).ok_or_else(malformed)?;
    if hour > 23 {
        return Err(ClockError::Hour(hour));
    }
    if minute > 59 {
        return Err(ClockError::Minute(minute));
    }
    NaiveTime::from_hms_opt(hour, minute, 0).ok_or_else(malformed)
}

/// The weekdays, Monday first, with their English names.
const WEEKDAY_NAMES: [(Weekday, &str); 7] = [
    (Weekday::Mon, "monday"),
    (Weekday::Tue, "tuesday"),
    (Weekday::Wed, "wednesday"),
    (Weekday::Thu, "thursday"),
    (Weekday::Fri, "friday"),
    (Weekday::Sat, "saturday"),
    (Weekday::Sun, "sunday"),
];

/// "mon", "Monday", "MON", "tue", "tues", "weds", "thurs", … → a weekday.
///
/// Any start of an English day name of at least two letters is accepted ("tu", "thu", "sat"),
/// as is "weds"; case does not matter.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let typed = text.trim().to_lowercase();
    if typed == "weds" {
        return Some(Weekday::Wed);
    }
    if typed.len() < 2 {
        return None;
    }
    WEEKDAY_NAMES
        .iter()
        .find(|(_, name)| name.starts_with(typed.as_str()))
        .map(|(weekday, _)| *weekday)
}

/// Why a typed start date and time was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// Not of the form YYYY-MM-DD HH:MM.
    #[error("`{0}` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2026-12-24 18:00.")]
    Malformed(String),
    /// Well formed, but the day is not on the calendar (2026-02-30).
    #[error("{0} is not a day on the calendar.")]
    NoSuchDay(String),
    /// Well formed, but the hour or the minute is out of range.
    #[error(transparent)]
    Clock(ClockError),
}

impl StartError {
    /// The answer for the person who typed it, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            StartError::Malformed(text) => t!(locale, "start-malformed", text = text),
            StartError::NoSuchDay(text) => t!(locale, "start-no-such-day", text = text),
            StartError::Clock(error) => error.message(locale),
        }
    }
}

/// A start typed by a person, "YYYY-MM-DD HH:MM" (also "YYYY-MM-DDTHH:MM"), in their zone → UTC
/// (through [`resolve_local`], so a time skipped by a clock change moves to the end of the gap).
pub fn parse_local_start(text: &str, zone: Tz) -> Result<DateTime<Utc>, StartError> {
    let trimmed = text.trim();
    let malformed = || StartError::Malformed(trimmed.to_owned());
    let (date_text, clock_text) = trimmed
        .split_once(['T', 't'])
        .or_else(|| trimmed.split_once(char::is_whitespace))
        .ok_or_else(malformed)?;
    let date = parse_date(date_text.trim()).ok_or_else(malformed)??;
    let time = parse_clock(clock_text.trim()).map_err(|error| match error {
        ClockError::Malformed(_) => malformed(),
        out_of_range => StartError::Clock(out_of_range),
    })?;
    Ok(resolve_local(zone, date.and_time(time)))
}

/// "YYYY-MM-DD" (month and day may have one digit) → a date; `None` when malformed, an error
/// when well formed but not on the calendar.
fn parse_date(text: &str) -> Option<Result<NaiveDate, StartError>> {
    let mut parts = text.split('-');
    let year = digits(parts.next()?, 4..=4)?;
    let month = digits(parts.next()?, 1..=2)?;
    let day = digits(parts.next()?, 1..=2)?;
    if parts.next().is_some() {
        return None;
    }
    let year = i32::try_from(year).ok()?;
    Some(
        NaiveDate::from_ymd_opt(year, month, day)
            .ok_or_else(|| StartError::NoSuchDay(text.to_owned())),
    )
}

/// How a UTC instant reads in a zone, e.g. "Mon 2026-11-23 09:30 GMT".
pub fn local_label(instant: DateTime<Utc>, zone: Tz) -> String {
    instant
        .with_timezone(&zone)
        .format("%a %Y-%m-%d %H:%M %Z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_answers_match_the_error_texts_and_german_ones_exist() {
        let errors = [
            StartError::Malformed("soon".into()),
            StartError::NoSuchDay("2026-02-30".into()),
            StartError::Clock(ClockError::Malformed("9h".into())),
            StartError::Clock(ClockError::Hour(24)),
            StartError::Clock(ClockError::Minute(75)),
        ];
        for error in errors {
            assert_eq!(error.message(Locale::English), error.to_string());
            assert_ne!(error.message(Locale::German), error.to_string());
        }
        let zone = UnknownZone("Mars/Olympus".into());
        assert_eq!(zone.message(Locale::English), zone.to_string());
        assert!(zone.message(Locale::German).starts_with("„Mars/Olympus“"));
    }
    use chrono::Timelike;
    use proptest::prelude::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .expect("a valid RFC 3339 instant")
            .with_timezone(&Utc)
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a valid local time")
    }

    fn clock(text: &str) -> NaiveTime {
        parse_clock(text).expect("a valid clock time")
    }

    fn slot(weekday: Weekday, time: &str, zone: Tz) -> WeeklySlot {
        WeeklySlot {
            weekday,
            time: clock(time),
            zone,
        }
    }

    // ----- resolve_local -----

    #[test]
    fn new_york_spring_forward_moves_to_three_o_clock() {
        let zone = chrono_tz::America::New_York;
        assert_eq!(
            resolve_local(zone, local("2026-03-08 02:30")),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            resolve_local(zone, local("2026-03-08 02:00")),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            resolve_local(zone, local("2026-03-08 02:59")),
            utc("2026-03-08T07:00:00Z")
        );
        assert_eq!(
            resolve_local(zone, local("2026-03-08 01:59")),
            utc("2026-03-08T06:59:00Z")
        );
        assert_eq!(
            resolve_local(zone, local("2026-03-08 03:00")),
            utc("2026-03-08T07:00:00Z")
        );
    }

    #[test]
    fn new_york_fall_back_takes_the_first_occurrence() {
        let zone = chrono_tz::America::New_York;
        // 01:30 EDT (-4), not 01:30 EST (-5).
        assert_eq!(
            resolve_local(zone, local("2026-11-01 01:30")),
            utc("2026-11-01T05:30:00Z")
        );
        assert_eq!(
            resolve_local(zone, local("2026-11-01 02:00")),
            utc("2026-11-01T07:00:00Z")
        );
    }

    #[test]
    fn london_spring_forward_moves_to_two_o_clock() {
        let zone = chrono_tz::Europe::London;
        let resolved = resolve_local(zone, local("2026-03-29 01:30"));
        assert_eq!(resolved, utc("2026-03-29T01:00:00Z"));
        assert_eq!(local_label(resolved, zone), "Sun 2026-03-29 02:00 BST");
    }

    #[test]
    fn london_fall_back_takes_the_first_occurrence() {
        let zone = chrono_tz::Europe::London;
        let resolved = resolve_local(zone, local("2026-10-25 01:30"));
        assert_eq!(resolved, utc("2026-10-25T00:30:00Z"));
        assert_eq!(local_label(resolved, zone), "Sun 2026-10-25 01:30 BST");
    }

    #[test]
    fn lord_howe_half_hour_shifts() {
        let zone = chrono_tz::Australia::Lord_Howe;
        // 2026-10-04 02:00 (+10:30) → 02:30 (+11): 02:00–02:29 are skipped.
        assert_eq!(
            resolve_local(zone, local("2026-10-04 02:15")),
            utc("2026-10-03T15:30:00Z")
        );
        assert_eq!(
            resolve_local(zone, local("2026-10-04 02:30")),
            utc("2026-10-03T15:30:00Z")
        );
        // 2026-04-05 02:00 (+11) → 01:30 (+10:30): 01:30–01:59 happen twice.
        assert_eq!(
            resolve_local(zone, local("2026-04-05 01:45")),
            utc("2026-04-04T14:45:00Z")
        );
    }

    #[test]
    fn apia_skipped_day_moves_to_the_next_midnight() {
        let zone = chrono_tz::Pacific::Apia;
        for time in ["00:00", "10:00", "23:59"] {
            let skipped = NaiveDate::from_ymd_opt(2011, 12, 30)
                .expect("a calendar day")
                .and_time(clock(time));
            assert_eq!(resolve_local(zone, skipped), utc("2011-12-30T10:00:00Z"));
        }
    }

    #[test]
    fn gap_end_is_exact_when_the_zone_changes_on_odd_seconds() {
        // Abidjan kept local mean time (-00:16:08) until 1912-01-01 00:00, then moved to GMT:
        // 00:00:00–00:16:07 local were skipped.
        let zone = chrono_tz::Africa::Abidjan;
        let resolved = resolve_local(zone, local("1912-01-01 00:05"));
        assert_eq!(resolved, utc("1912-01-01T00:16:08Z"));
        assert_eq!(
            wall_clock(zone, resolved - TimeDelta::seconds(1)),
            local("1911-12-31 23:59") + TimeDelta::seconds(59)
        );
    }

    // ----- next_occurrence -----

    #[test]
    fn next_occurrence_through_new_york_gap_and_overlap() {
        let zone = chrono_tz::America::New_York;
        let spring = slot(Weekday::Sun, "02:30", zone);
        let first = next_occurrence(&spring, utc("2026-03-02T00:00:00Z"));
        assert_eq!(first, utc("2026-03-08T07:00:00Z"));
        assert_eq!(next_occurrence(&spring, first), utc("2026-03-15T06:30:00Z"));

        let autumn = slot(Weekday::Sun, "01:30", zone);
        let first = next_occurrence(&autumn, utc("2026-10-28T00:00:00Z"));
        assert_eq!(first, utc("2026-11-01T05:30:00Z"));
        // The repeated 01:30 EST that same night is not a second occurrence.
        assert_eq!(next_occurrence(&autumn, first), utc("2026-11-08T06:30:00Z"));
    }

    #[test]
    fn next_occurrence_through_london_gap_and_overlap() {
        let zone = chrono_tz::Europe::London;
        let spring = slot(Weekday::Sun, "01:30", zone);
        let first = next_occurrence(&spring, utc("2026-03-25T12:00:00Z"));
        assert_eq!(first, utc("2026-03-29T01:00:00Z"));
        assert_eq!(next_occurrence(&spring, first), utc("2026-04-05T00:30:00Z"));

        let autumn = slot(Weekday::Sun, "01:30", zone);
        let first = next_occurrence(&autumn, utc("2026-10-20T12:00:00Z"));
        assert_eq!(first, utc("2026-10-25T00:30:00Z"));
        assert_eq!(next_occurrence(&autumn, first), utc("2026-11-01T01:30:00Z"));
    }

    #[test]
    fn next_occurrence_through_lord_howe_half_hour_shifts() {
        let zone = chrono_tz::Australia::Lord_Howe;
        let spring = slot(Weekday::Sun, "02:15", zone);
        assert_eq!(
            next_occurrence(&spring, utc("2026-09-30T00:00:00Z")),
            utc("2026-10-03T15:30:00Z")
        );
        let autumn = slot(Weekday::Sun, "01:45", zone);
        let first = next_occurrence(&autumn, utc("2026-04-01T00:00:00Z"));
        assert_eq!(first, utc("2026-04-04T14:45:00Z"));
        assert_eq!(next_occurrence(&autumn, first), utc("2026-04-11T15:15:00Z"));
    }

    #[test]
    fn next_occurrence_through_apia_skipped_day() {
        let zone = chrono_tz::Pacific::Apia;
        let friday = slot(Weekday::Fri, "10:00", zone);
        let first = next_occurrence(&friday, utc("2011-12-26T00:00:00Z"));
        assert_eq!(first, utc("2011-12-30T10:00:00Z"));
        assert_eq!(local_label(first, zone), "Sat 2011-12-31 00:00 +14");
        let second = next_occurrence(&friday, first);
        assert_eq!(local_label(second, zone), "Fri 2012-01-06 10:00 +14");
    }

    #[test]
    fn next_occurrence_is_strictly_after() {
        let monday = slot(Weekday::Mon, "09:30", chrono_tz::Europe::London);
        let exactly = utc("2026-11-23T09:30:00Z");
        assert_eq!(
            next_occurrence(&monday, exactly),
            utc("2026-11-30T09:30:00Z")
        );
        let just_before = exactly - TimeDelta::nanoseconds(1);
        assert_eq!(next_occurrence(&monday, just_before), exactly);
        assert_eq!(
            local_label(exactly, chrono_tz::Europe::London),
            "Mon 2026-11-23 09:30 GMT"
        );
    }

    #[test]
    fn next_occurrence_across_the_date_line() {
        // Monday 09:00 in Auckland is Sunday evening in UTC.
        let monday = slot(Weekday::Mon, "09:00", chrono_tz::Pacific::Auckland);
        assert_eq!(
            next_occurrence(&monday, utc("2026-06-01T00:00:00Z")),
            utc("2026-06-07T21:00:00Z")
        );
    }

    // ----- parsing -----

    #[test]
    fn unknown_zone_reads_well() {
        assert_eq!(
            parse_zone("Mars/Base").map_err(|error| error.to_string()),
            Err(
                "\"Mars/Base\" is not a time zone I know. Pick one from the list as you type, \
                 e.g. Europe/London or America/New_York."
                    .to_owned()
            )
        );
        assert!(parse_zone("").is_err());
    }

    #[test]
    fn zones_parse_case_insensitively() {
        assert_eq!(parse_zone("europe/london"), Ok(chrono_tz::Europe::London));
        assert_eq!(
            parse_zone(" AMERICA/NEW_YORK "),
            Ok(chrono_tz::America::New_York)
        );
        assert_eq!(
            parse_zone("America/New York"),
            Ok(chrono_tz::America::New_York)
        );
        assert_eq!(parse_zone("UTC"), Ok(chrono_tz::UTC));
        assert_eq!(parse_zone("utc"), Ok(chrono_tz::UTC));
    }

    #[test]
    fn common_zones_are_real_and_few() {
        assert!(COMMON_ZONES.len() <= MAX_CHOICES);
        for name in COMMON_ZONES {
            assert_eq!(parse_zone(name).map(Tz::name), Ok(*name));
        }
    }

    #[test]
    fn zone_choices_rank_as_promised() {
        assert_eq!(zone_choices(""), COMMON_ZONES);
        assert_eq!(zone_choices("   "), COMMON_ZONES);
        assert_eq!(zone_choices("new york").first(), Some(&"America/New_York"));
        assert_eq!(zone_choices("New_York").first(), Some(&"America/New_York"));
        assert_eq!(zone_choices("lon").first(), Some(&"Europe/London"));
        assert_eq!(zone_choices("london").first(), Some(&"Europe/London"));
        assert_eq!(zone_choices("LONDON").first(), Some(&"Europe/London"));
        assert_eq!(zone_choices("europe/lo").first(), Some(&"Europe/London"));
        assert_eq!(zone_choices("tokyo"), ["Asia/Tokyo"]);
        assert!(zone_choices("mars").is_empty());
        // Common zones first, then the rest alphabetically.
        let america = zone_choices("america");
        assert_eq!(
            america[..7],
            [
                "America/New_York",
                "America/Chicago",
                "America/Denver",
                "America/Los_Angeles",
                "America/Anchorage",
                "America/Mexico_City",
                "America/Sao_Paulo",
            ]
        );
        assert!(america[7..].windows(2).all(|pair| pair[0] < pair[1]));
        // Prefix matches before mere containment: "par" starts Europe/Paris' city.
        assert_eq!(zone_choices("par").first(), Some(&"Europe/Paris"));
        assert!(zone_choices("par").contains(&"America/Paramaribo"));
        // Containment still matches: "york" is inside America/New_York's city.
        assert_eq!(zone_choices("york").first(), Some(&"America/New_York"));
    }

    #[test]
    fn zone_choices_never_exceed_the_limit() {
        for typed in [
            "", "a", "e", "america", "/", " ", "etc", "_", "z", "new york",
        ] {
            let choices = zone_choices(typed);
            assert!(choices.len() <= MAX_CHOICES, "{typed:?}: {}", choices.len());
            let mut unique = choices.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), choices.len(), "{typed:?} repeats a zone");
        }
        assert_eq!(zone_choices("a").len(), MAX_CHOICES);
    }

    #[test]
    fn clock_edge_cases() {
        assert_eq!(parse_clock("24:00"), Err(ClockError::Hour(24)));
        assert_eq!(parse_clock("12:60"), Err(ClockError::Minute(60)));
        assert_eq!(
            parse_clock("9:05"),
            Ok(NaiveTime::from_hms_opt(9, 5, 0).expect("in range"))
        );
        assert_eq!(parse_clock("09:05"), parse_clock("9:05"));
        assert_eq!(parse_clock(" 23:59 "), Ok(clock("23:59")));
        assert_eq!(parse_clock("0:00"), Ok(NaiveTime::MIN));
        for malformed in [
            "abc", "", "9", "9:5", "0930", "09:30:00", "-1:00", "+9:00", "9 :00", "009:00", "٩:٠٠",
        ] {
            assert_eq!(
                parse_clock(malformed),
                Err(ClockError::Malformed(malformed.trim().to_owned())),
                "{malformed:?}"
            );
        }
        assert_eq!(
            parse_clock("abc").map_err(|error| error.to_string()),
            Err("`abc` is not a time: write it as HH:MM, e.g. 09:30 or 21:00.".to_owned())
        );
        assert_eq!(
            parse_clock("24:00").map_err(|error| error.to_string()),
            Err("24 is not an hour: hours go from 0 to 23.".to_owned())
        );
        assert_eq!(
            parse_clock("12:60").map_err(|error| error.to_string()),
            Err("60 is not a minute: minutes go from 0 to 59.".to_owned())
        );
    }

    #[test]
    fn weekday_variants() {
        for (typed, weekday) in [
            ("mon", Weekday::Mon),
            ("Monday", Weekday::Mon),
            ("MON", Weekday::Mon),
            ("mo", Weekday::Mon),
            ("tue", Weekday::Tue),
            ("tues", Weekday::Tue),
            ("Tuesday", Weekday::Tue),
            ("wed", Weekday::Wed),
            ("weds", Weekday::Wed),
            ("wednesday", Weekday::Wed),
            ("thu", Weekday::Thu),
            ("thur", Weekday::Thu),
            ("thurs", Weekday::Thu),
            ("THURSDAY", Weekday::Thu),
            ("fri", Weekday::Fri),
            ("Friday", Weekday::Fri),
            ("sat", Weekday::Sat),
            (" saturday ", Weekday::Sat),
            ("sun", Weekday::Sun),
            ("Sunday", Weekday::Sun),
        ] {
            assert_eq!(parse_weekday(typed), Some(weekday), "{typed:?}");
        }
        for typed in ["", "m", "t", "s", "mondays", "funday", "tuesdays", "x"] {
            assert_eq!(parse_weekday(typed), None, "{typed:?}");
        }
    }

    #[test]
    fn local_starts() {
        let london = chrono_tz::Europe::London;
        assert_eq!(
            parse_local_start("2026-12-24 18:00", london),
            Ok(utc("2026-12-24T18:00:00Z"))
        );
        assert_eq!(
            parse_local_start("2026-07-24T18:00", london),
            Ok(utc("2026-07-24T17:00:00Z"))
        );
        assert_eq!(
            parse_local_start(" 2026-7-4  9:00 ", london),
            Ok(utc("2026-07-04T08:00:00Z"))
        );
        // Inside the gap: moved to the end of it.
        assert_eq!(
            parse_local_start("2026-03-29 01:30", london),
            Ok(utc("2026-03-29T01:00:00Z"))
        );
        assert_eq!(
            parse_local_start("2026-12-24 24:00", london),
            Err(StartError::Clock(ClockError::Hour(24)))
        );
        assert_eq!(
            parse_local_start("2026-12-24 18:75", london),
            Err(StartError::Clock(ClockError::Minute(75)))
        );
        assert_eq!(
            parse_local_start("2026-02-30 18:00", london),
            Err(StartError::NoSuchDay("2026-02-30".to_owned()))
        );
        for malformed in [
            "tomorrow",
            "",
            "2026-12-24",
            "18:00",
            "24/12/2026 18:00",
            "2026-12-24 6pm",
            "26-12-24 18:00",
        ] {
            assert_eq!(
                parse_local_start(malformed, london),
                Err(StartError::Malformed(malformed.trim().to_owned())),
                "{malformed:?}"
            );
        }
        assert_eq!(
            parse_local_start("soon", london).map_err(|error| error.to_string()),
            Err("`soon` is not a date and time: write it as YYYY-MM-DD HH:MM, e.g. 2026-12-24 18:00."
                .to_owned())
        );
    }

    // ----- properties -----

    /// The first instant of 2026, UTC.
    fn start_of_2026() -> DateTime<Utc> {
        utc("2026-01-01T00:00:00Z")
    }

    fn offset_seconds(zone: Tz, instant: DateTime<Utc>) -> i32 {
        zone.offset_from_utc_datetime(&instant.naive_utc())
            .fix()
            .local_minus_utc()
    }

    /// Every zone whose UTC offset changes during 2026, found by sampling it daily.
    fn zones_changing_in_2026() -> Vec<Tz> {
        TZ_VARIANTS
            .iter()
            .copied()
            .filter(|zone| {
                let january = offset_seconds(*zone, start_of_2026());
                (1..366).any(|day| {
                    offset_seconds(*zone, start_of_2026() + TimeDelta::days(day)) != january
                })
            })
            .collect()
    }

    /// The instants in 2026 at which `zone`'s offset changes, exact to the second.
    fn transitions_in_2026(zone: Tz) -> Vec<DateTime<Utc>> {
        let step = TimeDelta::hours(6);
        let mut found = Vec::new();
        let mut previous = start_of_2026();
        while previous.year() == 2026 {
            let next = previous + step;
            if offset_seconds(zone, previous) != offset_seconds(zone, next) {
                let (mut low, mut high) = (previous.timestamp(), next.timestamp());
                let before = offset_seconds(zone, previous);
                while high - low > 1 {
                    let middle = low + (high - low) / 2;
                    let at_middle = DateTime::from_timestamp(middle, 0).expect("in range");
                    if offset_seconds(zone, at_middle) == before {
                        low = middle;
                    } else {
                        high = middle;
                    }
                }
                found.push(DateTime::from_timestamp(high, 0).expect("in range"));
            }
            previous = next;
        }
        found
    }

    /// Checks one answer of `next_occurrence` against chrono-tz's own reading of local times
    /// (not against `resolve_local`), and returns it.
    fn check_next_occurrence(
        slot: &WeeklySlot,
        after: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, String> {
        let zone = slot.zone;
        let context = || format!("{slot:?} after {after}");
        let occurrence = next_occurrence(slot, after);
        if occurrence <= after {
            return Err(format!("{}: {occurrence} is not after", context()));
        }
        if occurrence - after > TimeDelta::days(8) {
            return Err(format!(
                "{}: {occurrence} is more than 8 days later",
                context()
            ));
        }
        let wall = wall_clock(zone, occurrence);
        // The local date the slot was meant for: the occurrence's own, or the day before when
        // a gap pushed it past midnight.
        let intended_date = [Some(wall.date()), wall.date().pred_opt()]
            .into_iter()
            .flatten()
            .find(|date| date.weekday() == slot.weekday)
            .ok_or_else(|| {
                format!(
                    "{}: {wall} is not on or just after the slot's weekday",
                    context()
                )
            })?;
        let intended = intended_date.and_time(slot.time);
        match zone.from_local_datetime(&intended) {
            LocalResult::Single(exact) => {
                if exact.with_timezone(&Utc) != occurrence || wall.time() != slot.time {
                    return Err(format!(
                        "{}: {occurrence} ({wall}) instead of {exact}",
                        context()
                    ));
                }
            }
            LocalResult::Ambiguous(one, other) => {
                let first = one.min(other).with_timezone(&Utc);
                if first != occurrence || wall.time() != slot.time {
                    return Err(format!(
                        "{}: {occurrence} instead of the first {first}",
                        context()
                    ));
                }
            }
            LocalResult::None => {
                // Moved by a gap: one nanosecond earlier the clock had not reached the slot
                // time, and at the occurrence it is already past it.
                let just_before = wall_clock(zone, occurrence - TimeDelta::nanoseconds(1));
                if !(just_before < intended && intended < wall) {
                    return Err(format!(
                        "{}: {occurrence} ({wall}, {just_before} a moment before) is not the end of the gap over {intended}",
                        context()
                    ));
                }
                if wall - intended > TimeDelta::days(1) {
                    return Err(format!("{}: moved by more than a day", context()));
                }
            }
        }
        // No week was skipped: the week before's occurrence was not after `after`.
        let week_before = (intended_date - TimeDelta::days(7)).and_time(slot.time);
        let week_before_reached = match zone.from_local_datetime(&week_before).earliest() {
            Some(instant) => instant.with_timezone(&Utc) <= after,
            None => wall_clock(zone, after) > week_before,
        };
        if !week_before_reached {
            return Err(format!(
                "{}: skipped the occurrence at {week_before}",
                context()
            ));
        }
        Ok(occurrence)
    }

    /// Checks an occurrence and the one after it, which must come six to eight days later.
    fn check_two_occurrences(slot: &WeeklySlot, after: DateTime<Utc>) -> Result<(), String> {
        let first = check_next_occurrence(slot, after)?;
        let second = check_next_occurrence(slot, first)?;
        let gap = second - first;
        if gap < TimeDelta::days(6) || gap > TimeDelta::days(8) {
            return Err(format!("{slot:?}: {first} then {second}, {gap} apart"));
        }
        Ok(())
    }

    const ALL_WEEKDAYS: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    #[test]
    fn zones_with_dst_are_found() {
        let zones = zones_changing_in_2026();
        for expected in [
            chrono_tz::America::New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Lord_Howe,
        ] {
            assert!(zones.contains(&expected), "{expected:?}");
        }
        assert!(!zones.contains(&chrono_tz::Asia::Tokyo));
        assert!(!zones.contains(&chrono_tz::UTC));
    }

    /// Every zone that changes its clocks in 2026, every week of 2026, slots on every weekday at
    /// times when clocks commonly change and at ordinary times.
    #[test]
    fn every_dst_zone_every_week_of_2026() {
        let times = [
            "00:00", "00:30", "01:00", "01:30", "02:00", "02:30", "03:00", "12:00", "23:30",
        ]
        .map(clock);
        let mut failures = Vec::new();
        for (zone_index, zone) in zones_changing_in_2026().into_iter().enumerate() {
            for week in 0..53_i64 {
                // A different moment of each week, so `after` lands at all hours.
                let spread_minutes = (week * 7_919 + zone_index as i64 * 104_729) % (7 * 24 * 60);
                let after =
                    start_of_2026() + TimeDelta::weeks(week) + TimeDelta::minutes(spread_minutes);
                for weekday in ALL_WEEKDAYS {
                    for time in times {
                        let slot = WeeklySlot {
                            weekday,
                            time,
                            zone,
                        };
                        if let Err(failure) = check_two_occurrences(&slot, after) {
                            failures.push(failure);
                        }
                    }
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures, first: {:?}",
            failures.len(),
            failures.first()
        );
    }

    /// Every clock change of 2026 in every zone, with slots just before, inside, at the edges of
    /// and just after the skipped or repeated stretch, asked from a week before to just after.
    #[test]
    fn every_clock_change_of_2026() {
        let mut failures = Vec::new();
        let mut changes = 0;
        for zone in zones_changing_in_2026() {
            for change in transitions_in_2026(zone) {
                changes += 1;
                let wall_before =
                    wall_clock(zone, change - TimeDelta::seconds(1)) + TimeDelta::seconds(1);
                let wall_after = wall_clock(zone, change);
                let earlier = wall_before.min(wall_after);
                let later = wall_before.max(wall_after);
                let middle = earlier + (later - earlier) / 2;
                let minute = TimeDelta::minutes(1);
                for slot_wall in [
                    earlier - minute,
                    earlier,
                    middle,
                    later - minute,
                    later,
                    later + minute,
                ] {
                    let slot = WeeklySlot {
                        weekday: slot_wall.weekday(),
                        time: slot_wall.time().with_second(0).unwrap_or(slot_wall.time()),
                        zone,
                    };
                    for after in [
                        change - TimeDelta::days(7) - TimeDelta::hours(1),
                        change - TimeDelta::days(3),
                        change - TimeDelta::minutes(1),
                        change - TimeDelta::nanoseconds(1),
                        change,
                        change + TimeDelta::hours(1),
                    ] {
                        if let Err(failure) = check_two_occurrences(&slot, after) {
                            failures.push(failure);
                        }
                    }
                }
            }
        }
        assert!(changes > 100, "only {changes} clock changes found");
        assert!(
            failures.is_empty(),
            "{} failures, first: {:?}",
            failures.len(),
            failures.first()
        );
    }

    /// Zones with unusual clock changes: half-hour shifts, midnight shifts, a skipped day,
    /// two-hour shifts, southern-hemisphere summers.
    const TRICKY_ZONES: [Tz; 10] = [
        chrono_tz::America::New_York,
        chrono_tz::Europe::London,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Pacific::Apia,
        chrono_tz::America::Santiago,
        chrono_tz::America::Havana,
        chrono_tz::Pacific::Chatham,
        chrono_tz::Antarctica::Troll,
        chrono_tz::Asia::Tehran,
        chrono_tz::America::Scoresbysund,
    ];

    proptest! {
        #[test]
        fn random_slots_in_tricky_zones(
            zone_index in 0..TRICKY_ZONES.len(),
            weekday_index in 0..7_usize,
            hour in 0..24_u32,
            minute in 0..60_u32,
            // 2000-01-01 to 2036-01-01.
            after_seconds in 946_684_800_i64..2_082_758_400_i64,
        ) {
            let slot = WeeklySlot {
                weekday: ALL_WEEKDAYS[weekday_index],
                time: NaiveTime::from_hms_opt(hour, minute, 0).expect("hour and minute in range"),
                zone: TRICKY_ZONES[zone_index],
            };
            let after = DateTime::from_timestamp(after_seconds, 0).expect("in range");
            prop_assert_eq!(check_two_occurrences(&slot, after), Ok(()));
        }

        #[test]
        fn resolved_local_times_read_back(
            zone_index in 0..TRICKY_ZONES.len(),
            // 2000-01-01 to 2036-01-01, local.
            local_seconds in 946_684_800_i64..2_082_758_400_i64,
        ) {
            let zone = TRICKY_ZONES[zone_index];
            let wanted = DateTime::from_timestamp(local_seconds, 0).expect("in range").naive_utc();
            let resolved = resolve_local(zone, wanted);
            let read_back = wall_clock(zone, resolved);
            if zone.from_local_datetime(&wanted).earliest().is_some() {
                prop_assert_eq!(read_back, wanted);
            } else {
                prop_assert!(read_back > wanted);
                prop_assert!(wall_clock(zone, resolved - TimeDelta::nanoseconds(1)) < wanted);
            }
        }

        #[test]
        fn clock_round_trips(hour in 0..24_u32, minute in 0..60_u32) {
            let time = NaiveTime::from_hms_opt(hour, minute, 0).expect("in range");
            prop_assert_eq!(parse_clock(&format!("{hour}:{minute:02}")), Ok(time));
            prop_assert_eq!(parse_clock(&time.format("%H:%M").to_string()), Ok(time));
        }

        #[test]
        fn zone_choices_stay_within_limit(typed in "\\PC{0,12}") {
            prop_assert!(zone_choices(&typed).len() <= MAX_CHOICES);
        }
    }
}
