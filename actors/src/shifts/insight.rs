//! `/shift stats|leaderboard|upcoming|export`: what was covered and by whom, the next 7
//! days of coverage with its gaps, and a person's claimed shifts as an .ics calendar.

use chrono::{DateTime, Duration, Utc};
use twilight_model::http::attachment::Attachment;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::calendar::{self, CalendarShift};
use super::commands::{PeriodChoice, ShiftCommand};
use super::notices::{failure_text, Notice, NoticeState, NoticeTo};
use super::render::{duration_text, hours_text};
use super::{private, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::kernel::Kernel;
use crate::t;

/// How many of the next shifts `/shift upcoming` lists (the rest are counted).
const UPCOMING_SHOWN: usize = 15;

/// The uncovered stretches of `[from, to)`: what no claimed shift covers.
pub fn coverage_gaps(
    claimed: &[(DateTime<Utc>, DateTime<Utc>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut intervals: Vec<(DateTime<Utc>, DateTime<Utc>)> = claimed
        .iter()
        .map(|(start, end)| ((*start).max(from), (*end).min(to)))
        .filter(|(start, end)| start < end)
        .collect();
    intervals.sort();
    let mut gaps = Vec::new();
    let mut cursor = from;
    for (start, end) in intervals {
        if start > cursor {
            gaps.push((cursor, start));
        }
        cursor = cursor.max(end);
    }
    if cursor < to {
        gaps.push((cursor, to));
    }
    gaps
}

/// Admins' view of the notices that failed for good, one line each (at most ten).
fn undelivered_lines(locale: Locale, notices: &[Notice]) -> Vec<String> {
    let failed: Vec<&Notice> = notices
        .iter()
        .filter(|notice| notice.state == NoticeState::Failed)
        .collect();
    let mut lines: Vec<String> = failed
        .iter()
        .take(10)
        .map(|notice| {
            let what = match notice.to {
                NoticeTo::Claimer(user) => t!(locale, "notice-kind-reminder", user = user),
                NoticeTo::Channel(channel) => {
                    t!(locale, "notice-kind-unclaimed", channel = channel)
                }
            };
            t!(
                locale,
                "upcoming-undelivered-line",
                id = notice.shift_id,
                what = what,
                reason = clip(&failure_text(locale, notice), 200)
            )
        })
        .collect();
    if failed.len() > 10 {
        lines.push(t!(locale, "upcoming-more", count = failed.len() - 10));
    }
    lines
}

fn message(embed: twilight_model::channel::message::Embed) -> Reply {
    let mut message = ReplyMessage::private(String::new()).with_embed(embed);
    message.content = None;
    Reply::Message(message)
}

pub(crate) async fn run(kernel: &Kernel, request: &InteractionRequest) -> Reply {
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
    let store = &kernel.store;
    let locale: Locale = request.language();
    match command {
        ShiftCommand::Stats(stats) => {
            let target = stats.user.unwrap_or(me);
            let totals = async {
                Ok::<_, crate::kernel::store::StoreError>((
                    store
                        .claim_totals(guild, target, Some(now - Duration::days(7)))
                        .await?,
                    store
                        .claim_totals(guild, target, Some(now - Duration::days(30)))
                        .await?,
                    store.claim_totals(guild, target, None).await?,
                    store.drop_counts(guild, target).await?,
                ))
            };
            let (week, month, ever, (dropped, cancelled)) = match totals.await {
                Ok(totals) => totals,
                Err(error) => return TEXTS.database_trouble(locale, &error),
            };
            let line = |totals: super::store::ClaimTotals| {
                t!(
                    locale,
                    "stats-line",
                    shifts = totals.shifts,
                    hours = hours_text(locale, totals.minutes)
                )
            };
            let field = |name: String, value: String| EmbedFieldBuilder::new(name, value).inline();
            message(
                EmbedBuilder::new()
                    .title(t!(locale, "stats-title"))
                    .description(format!("<@{target}>"))
                    .color(0x34_98_db)
                    .field(field(t!(locale, "stats-claimed-week"), line(week)))
                    .field(field(t!(locale, "stats-claimed-month"), line(month)))
                    .field(field(t!(locale, "stats-claimed-ever"), line(ever)))
                    .field(field(t!(locale, "stats-dropped"), dropped.to_string()))
                    .field(field(t!(locale, "stats-cancelled"), cancelled.to_string()))
                    .build(),
            )
        }
        ShiftCommand::Leaderboard(board) => {
            let (since, period) = match board.period {
                PeriodChoice::Week => (
                    Some(now - Duration::days(7)),
                    t!(locale, "leaderboard-week"),
                ),
                PeriodChoice::Month => (
                    Some(now - Duration::days(30)),
                    t!(locale, "leaderboard-month"),
                ),
                PeriodChoice::AllTime => (None, t!(locale, "leaderboard-ever")),
            };
            let rows = match store.claim_leaderboard(guild, since).await {
                Ok(rows) => rows,
                Err(error) => return TEXTS.database_trouble(locale, &error),
            };
            let description = if rows.is_empty() {
                t!(locale, "leaderboard-empty")
            } else {
                rows.iter()
                    .take(10)
                    .enumerate()
                    .map(|(rank, (user, totals))| {
                        t!(
                            locale,
                            "leaderboard-line",
                            rank = rank + 1,
                            user = *user,
                            hours = hours_text(locale, totals.minutes),
                            shifts = totals.shifts
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            message(
                EmbedBuilder::new()
                    .title(t!(locale, "leaderboard-title", period = period))
                    .description(description)
                    .color(0xf1_c4_0f)
                    .build(),
            )
        }
        ShiftCommand::Upcoming(_) => {
            let to = now + Duration::days(7);
            let upcoming = match store.upcoming(guild, now, to, UPCOMING_SHOWN as i64).await {
                Ok(upcoming) => upcoming,
                Err(error) => return TEXTS.database_trouble(locale, &error),
            };
            let mut lines: Vec<String> = upcoming
                .first
                .iter()
                .map(|s| {
                    let who = match s.claimed_by {
                        Some(user) => t!(locale, "upcoming-covered-by", user = user),
                        None => t!(locale, "upcoming-open"),
                    };
                    t!(
                        locale,
                        "upcoming-line",
                        id = s.id,
                        start = s.start.timestamp().to_string(),
                        duration = duration_text(locale, s.duration().num_minutes()),
                        description = s.description.as_str(),
                        who = who
                    )
                })
                .collect();
            if upcoming.count > UPCOMING_SHOWN {
                lines.push(t!(
                    locale,
                    "upcoming-more",
                    count = upcoming.count - UPCOMING_SHOWN
                ));
            }
            if lines.is_empty() {
                lines.push(t!(locale, "upcoming-none"));
            }
            let gaps = coverage_gaps(&upcoming.claimed, now, to);
            let mut gap_lines: Vec<String> = gaps
                .iter()
                .take(10)
                .map(|(start, end)| {
                    t!(
                        locale,
                        "upcoming-gap",
                        start = start.timestamp().to_string(),
                        end = end.timestamp().to_string(),
                        duration = duration_text(locale, (*end - *start).num_minutes())
                    )
                })
                .collect();
            if gaps.len() > 10 {
                gap_lines.push(t!(locale, "upcoming-more", count = gaps.len() - 10));
            }
            if gap_lines.is_empty() {
                gap_lines.push(t!(locale, "upcoming-no-gaps"));
            }
            let covered: i64 = (Duration::days(7)
                - gaps.iter().map(|(s, e)| *e - *s).sum::<Duration>())
            .num_minutes();
            let mut embed = EmbedBuilder::new()
                .title(t!(locale, "upcoming-title"))
                .description(lines.join("\n"))
                .color(0x2e_cc_71)
                .field(EmbedFieldBuilder::new(
                    t!(locale, "upcoming-gaps", hours = hours_text(locale, covered)),
                    gap_lines.join("\n"),
                ));
            if request.level >= AccessLevel::Admin {
                let undelivered = match store.shift_notices_between(guild, now, to).await {
                    Ok(notices) => undelivered_lines(locale, &notices),
                    Err(error) => return TEXTS.database_trouble(locale, &error),
                };
                if !undelivered.is_empty() {
                    // A field holds 1,024 characters; Discord's reasons can be long.
                    embed = embed.field(EmbedFieldBuilder::new(
                        t!(locale, "upcoming-undelivered"),
                        clip(&undelivered.join("\n"), 1024),
                    ));
                }
            }
            message(embed.build())
        }
        ShiftCommand::Export(_) => {
            let shifts = match store.shifts_claimed_by(guild, me).await {
                Ok(shifts) => shifts,
                Err(error) => return TEXTS.database_trouble(locale, &error),
            };
            if shifts.is_empty() {
                return private(t!(locale, "export-nothing"));
            }
            let events: Vec<CalendarShift> = shifts
                .iter()
                .map(|s| CalendarShift {
                    id: s.id,
                    summary: t!(locale, "export-event", id = s.id),
                    description: s.description.clone(),
                    start: s.start,
                    end: s.end,
                })
                .collect();
            let name = t!(locale, "export-calendar-name");
            let document = calendar::ics(&name, &events, now);
            let mut message =
                ReplyMessage::private(t!(locale, "export-done", count = shifts.len()));
            message.attachments.push(Attachment::from_bytes(
                "agora-shifts.ics".to_owned(),
                document.into_bytes(),
                0,
            ));
            Reply::Message(message)
        }
        _ => private(t!(locale, "shift-answered-elsewhere")),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use twilight_model::id::Id;

    use super::*;
    use crate::shifts::store::Shift;

    fn shift(start_hour: u32, end_hour: u32) -> Shift {
        let at = |h: u32| Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap();
        Shift {
            id: 1,
            guild_id: Id::new(1),
            description: String::new(),
            start: at(start_hour),
            end: at(end_hour),
            dropped_by: Id::new(1),
            assigned_user_id: None,
            schedule_id: None,
            claimed_by: Some(Id::new(2)),
            claimed_at: None,
            cancelled_by: None,
            cancelled_at: None,
            channel_id: None,
            message_id: None,
            reminded_at: None,
            unclaimed_ping_at: None,
            started_marked_at: None,
            done_at: None,
        }
    }

    #[test]
    fn gaps_are_what_no_claimed_shift_covers() {
        let at = |h: u32| Utc.with_ymd_and_hms(2026, 11, 23, h, 0, 0).unwrap();
        let runs =
            |shifts: &[Shift]| -> Vec<_> { shifts.iter().map(|s| (s.start, s.end)).collect() };
        let claimed = runs(&[shift(2, 4), shift(3, 6), shift(8, 9)]);
        assert_eq!(
            coverage_gaps(&claimed, at(0), at(12)),
            vec![(at(0), at(2)), (at(6), at(8)), (at(9), at(12))]
        );
        assert_eq!(coverage_gaps(&[], at(0), at(1)), vec![(at(0), at(1))]);
        assert!(coverage_gaps(&runs(&[shift(0, 12)]), at(1), at(11)).is_empty());
    }
}
