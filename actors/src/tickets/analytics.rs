//! What staff learn from the ticket records: `/analytics dashboard` (open and closed, by
//! category and priority, and the daily volume of the last week), `/analytics leaderboard`
//! (claims, closes, first-response times and warnings per staff member), `/analytics
//! graph` (tickets opened and closed per day, drawn as a PNG), `/analytics response-times`
//! (first staff answers per category and priority against the SLA) and `/analytics
//! export` (every ticket as CSV).
//!
//! Days are counted in [`ZONE`] (UTC: Agora keeps no time zone per guild), from the
//! kernel's clock; a day without tickets counts zero.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_model::http::attachment::Attachment;
use twilight_model::id::marker::UserMarker;
use twilight_model::id::Id;

use super::render::{priority_text, status_text};
use super::store::{Category, Priority, Status, Ticket};
use super::{guild_of, private, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::catalogue::CommandEntry;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "analytics",
    desc = "Ticket figures for staff",
    contexts = "guild"
)]
pub enum AnalyticsCommand {
    #[command(name = "dashboard")]
    Dashboard(Dashboard),
    #[command(name = "leaderboard")]
    Leaderboard(Leaderboard),
    #[command(name = "export")]
    Export(Export),
    #[command(name = "graph")]
    Graph(Graph),
    #[command(name = "response-times")]
    ResponseTimes(ResponseTimesCommand),
}

/// The zone analytics count days in.
pub const ZONE: Tz = Tz::UTC;
/// The most days `graph` and `response-times` look back.
pub const MAX_DAYS: i64 = 90;
/// What `graph` shows when no `days` is given.
pub const GRAPH_DAYS: i64 = 14;
/// What `response-times` covers when no `days` is given.
pub const RESPONSE_DAYS: i64 = 30;
/// The daily volume in the dashboard.
pub const DASHBOARD_DAYS: i64 = 7;
/// The chart's size in pixels.
pub const GRAPH_WIDTH: u32 = 1000;
pub const GRAPH_HEIGHT: u32 = 500;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "dashboard",
    desc = "Open and closed tickets, by category and priority"
)]
pub struct Dashboard;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "leaderboard",
    desc = "Claims, closes and first-response times per staff member"
)]
pub struct Leaderboard;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(name = "export", desc = "Every ticket as a CSV file")]
pub struct Export;

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "graph",
    desc = "A chart of tickets opened and closed per day (UTC)"
)]
pub struct Graph {
    /// How many days, ending today (1–90, default 14)
    #[command(min_value = 1, max_value = 90)]
    pub days: Option<i64>,
}

#[derive(CommandModel, CreateCommand, Debug)]
#[command(
    name = "response-times",
    desc = "First staff answers per category and priority, against the SLA"
)]
pub struct ResponseTimesCommand {
    /// Tickets opened in the last this many days (1–90, default 30)
    #[command(min_value = 1, max_value = 90)]
    pub days: Option<i64>,
}

/// The catalogue entry: moderators and admins.
pub fn entry() -> CommandEntry {
    CommandEntry::new(
        super::TICKETS,
        super::CATEGORY.key,
        AccessLevel::Moderator,
        AnalyticsCommand::create_command(),
    )
}

/// `/analytics …`.
pub(crate) async fn run(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    // Discord keeps `days` in range; a client that skips its checks is told in words.
    if let Some(CommandOptionValue::Integer(days)) = request.leaf_option("days") {
        if !(1..=MAX_DAYS).contains(days) {
            return private(t!(
                locale,
                "ticket-days-out-of-range",
                days = *days,
                max = MAX_DAYS
            ));
        }
    }
    let command = match TEXTS.options::<AnalyticsCommand>(request) {
        Ok(command) => command,
        Err(reply) => return reply,
    };
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let store = &shared.kernel.store;
    let (tickets, categories) = match (
        store.all_tickets(guild_id).await,
        store.ticket_categories(guild_id).await,
    ) {
        (Ok(tickets), Ok(categories)) => (tickets, categories),
        (Err(error), _) | (_, Err(error)) => return TEXTS.database_trouble(locale, &error),
    };
    let now = shared.kernel.clock.now();
    match command {
        AnalyticsCommand::Dashboard(_) => private(dashboard(locale, &tickets, &categories, now)),
        AnalyticsCommand::Leaderboard(_) => match store.ticket_staff_warning_counts(guild_id).await
        {
            Ok(warnings) => private(leaderboard(locale, &tickets, &warnings)),
            Err(error) => TEXTS.database_trouble(locale, &error),
        },
        AnalyticsCommand::Graph(graph) => {
            let days = graph.days.unwrap_or(GRAPH_DAYS).clamp(1, MAX_DAYS);
            let series = daily_volume(&tickets, ZONE, now, days);
            graph_reply(locale, series).await
        }
        AnalyticsCommand::ResponseTimes(command) => {
            let days = command.days.unwrap_or(RESPONSE_DAYS).clamp(1, MAX_DAYS);
            let times = response_times(&tickets, &categories, now, days);
            private(response_times_text(locale, &times, days))
        }
        AnalyticsCommand::Export(_) => match export_csv(&tickets, &categories) {
            Ok(bytes) => {
                let mut message =
                    ReplyMessage::private(t!(locale, "ticket-export", count = tickets.len()));
                message.attachments =
                    vec![Attachment::from_bytes("tickets.csv".to_owned(), bytes, 0)];
                Reply::Message(message)
            }
            Err(error) => {
                tracing::error!(%error, "could not write the ticket CSV");
                private(t!(locale, "ticket-export-failed"))
            }
        },
    }
}

fn category_name(categories: &[Category], id: i64) -> String {
    categories
        .iter()
        .find(|category| category.id == id)
        .map_or_else(|| format!("#{id}"), |category| category.name.clone())
}

/// Open and closed counts, per category and per priority, then the daily volume of the
/// last [`DASHBOARD_DAYS`] days.
pub fn dashboard(
    locale: Locale,
    tickets: &[Ticket],
    categories: &[Category],
    now: DateTime<Utc>,
) -> String {
    let count = |status: Status| tickets.iter().filter(|t| t.status == status).count();
    let (open, closed) = (
        count(Status::Open),
        count(Status::Closed) + count(Status::Deleted),
    );
    let mut lines = vec![t!(
        locale,
        "ticket-dashboard",
        open = open,
        closed = closed,
        total = tickets.len()
    )];
    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_priority: BTreeMap<super::store::Priority, (usize, usize)> = BTreeMap::new();
    for ticket in tickets {
        let is_open = usize::from(ticket.status == Status::Open);
        let entry = by_category
            .entry(category_name(categories, ticket.category_id))
            .or_default();
        entry.0 += is_open;
        entry.1 += 1 - is_open;
        let entry = by_priority.entry(ticket.priority).or_default();
        entry.0 += is_open;
        entry.1 += 1 - is_open;
    }
    for (name, (open, closed)) in &by_category {
        lines.push(t!(
            locale,
            "ticket-dashboard-line",
            name = clip(name, 50),
            open = *open,
            closed = *closed
        ));
    }
    for (priority, (open, closed)) in by_priority.iter().rev() {
        lines.push(t!(
            locale,
            "ticket-dashboard-line",
            name = priority_text(locale, *priority),
            open = *open,
            closed = *closed
        ));
    }
    // The volume block goes whole; the lines above give way when there are very many.
    let volume = volume_block(locale, &daily_volume(tickets, ZONE, now, DASHBOARD_DAYS));
    let room = 2000usize.saturating_sub(volume.chars().count() + 2);
    format!("{}\n\n{volume}", clip(&lines.join("\n"), room))
}

/// Tickets opened and closed on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub date: NaiveDate,
    pub opened: u32,
    pub closed: u32,
}

/// Tickets opened and closed per day over the `days` days that end today, oldest first,
/// each day as `zone` has it; a day without tickets counts zero. A ticket counts as opened
/// on the day it was created and as closed on the day of its (last) close.
pub fn daily_volume(tickets: &[Ticket], zone: Tz, now: DateTime<Utc>, days: i64) -> Vec<DayCount> {
    let days = days.clamp(1, MAX_DAYS);
    let today = now.with_timezone(&zone).date_naive();
    let first = today - Duration::days(days - 1);
    let mut series: Vec<DayCount> = (0..days)
        .map(|offset| DayCount {
            date: first + Duration::days(offset),
            opened: 0,
            closed: 0,
        })
        .collect();
    let slot = |at: DateTime<Utc>| {
        let offset = (at.with_timezone(&zone).date_naive() - first).num_days();
        (0..days).contains(&offset).then_some(offset as usize)
    };
    for ticket in tickets {
        if let Some(day) = slot(ticket.created_at) {
            series[day].opened += 1;
        }
        if let Some(day) = ticket.closed_at.and_then(slot) {
            series[day].closed += 1;
        }
    }
    series
}

/// The daily volume as a fixed-width block (Discord shows code blocks in a monospace font).
fn volume_block(locale: Locale, series: &[DayCount]) -> String {
    let (day, opened, closed) = (
        t!(locale, "ticket-volume-day"),
        t!(locale, "ticket-volume-opened"),
        t!(locale, "ticket-volume-closed"),
    );
    let (opened_width, closed_width) = (opened.chars().count(), closed.chars().count());
    let mut lines = vec![
        t!(locale, "ticket-volume-title", days = series.len()),
        "```".to_owned(),
        format!("{day:<10}  {opened:>opened_width$}  {closed:>closed_width$}"),
    ];
    for count in series {
        lines.push(format!(
            "{}  {:>opened_width$}  {:>closed_width$}",
            count.date.format("%Y-%m-%d"),
            count.opened,
            count.closed
        ));
    }
    lines.push("```".to_owned());
    lines.join("\n")
}

/// `/analytics graph`: the chart as an attachment, drawn off the actor's thread.
async fn graph_reply(locale: Locale, series: Vec<DayCount>) -> Reply {
    let opened: u32 = series.iter().map(|day| day.opened).sum();
    let closed: u32 = series.iter().map(|day| day.closed).sum();
    let days = series.len();
    let labels = GraphLabels {
        title: t!(locale, "ticket-graph-title", days = days),
        opened: t!(locale, "ticket-volume-opened"),
        closed: t!(locale, "ticket-volume-closed"),
    };
    let drawn = tokio::task::spawn_blocking(move || render_graph(&series, &labels)).await;
    match drawn {
        Ok(Ok(png)) => {
            let summary = t!(
                locale,
                "ticket-graph",
                days = days,
                opened = opened,
                closed = closed
            );
            let mut file = Attachment::from_bytes(GRAPH_FILE.to_owned(), png, 0);
            file.description = Some(clip(&summary, 1024));
            let mut message = ReplyMessage::private(summary);
            message.attachments = vec![file];
            Reply::Message(message)
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "could not draw the ticket chart");
            private(t!(locale, "ticket-graph-failed"))
        }
        Err(error) => {
            tracing::error!(%error, "the ticket chart's drawing stopped");
            private(t!(locale, "ticket-graph-failed"))
        }
    }
}

/// The chart's file name.
pub const GRAPH_FILE: &str = "tickets-per-day.png";

/// The words on the chart.
#[derive(Debug, Clone)]
pub struct GraphLabels {
    pub title: String,
    pub opened: String,
    pub closed: String,
}

/// DejaVu Sans cut down to Latin-1 (see `actors/assets/fonts/README.md`): the chart's
/// labels need no font installed on the host.
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-subset.ttf");
/// The family the chart's text asks plotters for.
pub(crate) const FAMILY: &str = "sans-serif";

/// Registers [`FONT`] with plotters once per process; whether it could be read.
pub(crate) fn font_ready() -> bool {
    static READY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *READY.get_or_init(|| {
        plotters::style::register_font(FAMILY, plotters::style::FontStyle::Normal, FONT).is_ok()
    })
}

/// Draws the daily series as a PNG of [`GRAPH_WIDTH`] × [`GRAPH_HEIGHT`]: opened tickets as
/// bars, closed ones as a line, the days along the bottom (month-day), counts up the side.
pub fn render_graph(series: &[DayCount], labels: &GraphLabels) -> Result<Vec<u8>, String> {
    use image::ImageEncoder;

    if !font_ready() {
        return Err("the embedded font could not be read".to_owned());
    }
    let mut pixels = vec![0u8; (GRAPH_WIDTH * GRAPH_HEIGHT * 3) as usize];
    draw_graph(&mut pixels, series, labels)?;
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(
            &pixels,
            GRAPH_WIDTH,
            GRAPH_HEIGHT,
            image::ExtendedColorType::Rgb8,
        )
        .map_err(|error| error.to_string())?;
    Ok(png)
}

fn draw_graph(pixels: &mut [u8], series: &[DayCount], labels: &GraphLabels) -> Result<(), String> {
    use plotters::prelude::*;

    fn failed(error: impl std::fmt::Display) -> String {
        error.to_string()
    }
    const OPENED: RGBColor = RGBColor(66, 133, 244);
    const CLOSED: RGBColor = RGBColor(46, 160, 67);

    let root = BitMapBackend::with_buffer(pixels, (GRAPH_WIDTH, GRAPH_HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    let days = series.len().max(1);
    let top = series
        .iter()
        .map(|day| day.opened.max(day.closed))
        .max()
        .unwrap_or(0);
    // Room above the highest bar for the legend; at least 0–4 on an empty chart.
    let y_max = (top + top / 4 + 1).max(4);
    let mut chart = ChartBuilder::on(&root)
        .caption(&labels.title, (FAMILY, 24))
        .margin(20)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(-0.5f64..(days as f64 - 0.5), 0u32..y_max)
        .map_err(failed)?;
    let dates: Vec<String> = series
        .iter()
        .map(|day| day.date.format("%m-%d").to_string())
        .collect();
    // Labels only at whole days; plotters picks which (at most 15).
    let day_label = |x: &f64| {
        let nearest = x.round();
        match dates.get(nearest as usize) {
            Some(date) if (x - nearest).abs() < 0.01 && nearest >= 0.0 => date.clone(),
            _ => String::new(),
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(days.min(15))
        .y_labels((y_max as usize).min(10))
        .x_label_formatter(&day_label)
        .label_style((FAMILY, 15))
        .draw()
        .map_err(failed)?;
    chart
        .draw_series(series.iter().enumerate().map(|(index, day)| {
            let x = index as f64;
            Rectangle::new([(x - 0.35, 0), (x + 0.35, day.opened)], OPENED.filled())
        }))
        .map_err(failed)?
        .label(labels.opened.as_str())
        .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], OPENED.filled()));
    chart
        .draw_series(LineSeries::new(
            series
                .iter()
                .enumerate()
                .map(|(index, day)| (index as f64, day.closed)),
            CLOSED.stroke_width(3),
        ))
        .map_err(failed)?
        .label(labels.closed.as_str())
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], CLOSED.stroke_width(3)));
    // Smaller markers when the days crowd together.
    let marker = if days > 30 { 2 } else { 4 };
    chart
        .draw_series(
            series.iter().enumerate().map(|(index, day)| {
                Circle::new((index as f64, day.closed), marker, CLOSED.filled())
            }),
        )
        .map_err(failed)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font((FAMILY, 15))
        .draw()
        .map_err(failed)?;
    root.present().map_err(failed)
}

/// First staff answers of a group of tickets (a category, a priority).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseStats {
    /// Tickets with a first staff answer.
    pub answered: usize,
    /// Their answer times, in seconds after opening: mean, median and 95th percentile
    /// (nearest rank, as the leaderboard's).
    pub mean: Option<f64>,
    pub p50: Option<i64>,
    pub p95: Option<i64>,
    /// Tickets answered later than their category's SLA, or still open, unanswered and past
    /// it.
    pub breached: usize,
}

/// [`ResponseStats`] per category (with its SLA minutes, 0 = none) and per priority.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResponseTimes {
    pub by_category: Vec<(String, i32, ResponseStats)>,
    pub by_priority: Vec<(Priority, ResponseStats)>,
}

/// The value at percentile `share` (0–1] of sorted values, by nearest rank.
fn percentile(sorted: &[i64], share: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64) * share).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn stats(mut seconds: Vec<i64>, breached: usize) -> ResponseStats {
    seconds.sort_unstable();
    ResponseStats {
        answered: seconds.len(),
        mean: (!seconds.is_empty())
            .then(|| seconds.iter().sum::<i64>() as f64 / seconds.len() as f64),
        p50: percentile(&seconds, 0.5),
        p95: percentile(&seconds, 0.95),
        breached,
    }
}

/// First staff answers of the tickets opened in the last `days` days, per category (by
/// name) and per priority (most urgent first).
pub fn response_times(
    tickets: &[Ticket],
    categories: &[Category],
    now: DateTime<Utc>,
    days: i64,
) -> ResponseTimes {
    #[derive(Default)]
    struct Group {
        seconds: Vec<i64>,
        breached: usize,
    }
    let since = now - Duration::days(days);
    let mut by_category: BTreeMap<(String, i32), Group> = BTreeMap::new();
    let mut by_priority: BTreeMap<Priority, Group> = BTreeMap::new();
    for ticket in tickets.iter().filter(|ticket| ticket.created_at >= since) {
        let sla = categories
            .iter()
            .find(|category| category.id == ticket.category_id)
            .map_or(0, |category| category.sla_minutes);
        let answer = ticket
            .first_response_at
            .map(|at| (at - ticket.created_at).num_seconds().max(0));
        let due = i64::from(sla) * 60;
        let breached = sla > 0
            && match answer {
                Some(seconds) => seconds > due,
                None => {
                    ticket.status == Status::Open && (now - ticket.created_at).num_seconds() > due
                }
            };
        for group in [
            by_category
                .entry((category_name(categories, ticket.category_id), sla))
                .or_default(),
            by_priority.entry(ticket.priority).or_default(),
        ] {
            group.seconds.extend(answer);
            group.breached += usize::from(breached);
        }
    }
    ResponseTimes {
        by_category: by_category
            .into_iter()
            .map(|((name, sla), group)| (name, sla, stats(group.seconds, group.breached)))
            .collect(),
        by_priority: by_priority
            .into_iter()
            .rev()
            .map(|(priority, group)| (priority, stats(group.seconds, group.breached)))
            .collect(),
    }
}

/// Seconds as minutes with one decimal, in the locale's way.
fn minutes(locale: Locale, seconds: Option<f64>) -> String {
    seconds.map_or_else(
        || "—".to_owned(),
        |seconds| locale.decimal(&format!("{:.1}", seconds / 60.0)),
    )
}

fn response_line(locale: Locale, name: &str, stats: &ResponseStats, sla: String) -> String {
    t!(
        locale,
        "ticket-response-line",
        name = name,
        answered = stats.answered,
        mean = minutes(locale, stats.mean),
        p50 = minutes(locale, stats.p50.map(|seconds| seconds as f64)),
        p95 = minutes(locale, stats.p95.map(|seconds| seconds as f64)),
        sla = sla
    )
}

/// `/analytics response-times` as text.
pub fn response_times_text(locale: Locale, times: &ResponseTimes, days: i64) -> String {
    if times.by_category.is_empty() {
        return t!(locale, "ticket-response-times-empty", days = days);
    }
    let mut lines = vec![
        t!(locale, "ticket-response-times", days = days),
        t!(locale, "ticket-response-by-category"),
    ];
    for (name, sla, stats) in &times.by_category {
        let sla = if *sla > 0 {
            t!(
                locale,
                "ticket-response-sla",
                breached = stats.breached,
                sla = *sla
            )
        } else {
            t!(locale, "ticket-response-no-sla")
        };
        lines.push(response_line(locale, &clip(name, 50), stats, sla));
    }
    lines.push(t!(locale, "ticket-response-by-priority"));
    for (priority, stats) in &times.by_priority {
        let sla = t!(
            locale,
            "ticket-response-sla-categories",
            breached = stats.breached
        );
        lines.push(response_line(
            locale,
            &priority_text(locale, *priority),
            stats,
            sla,
        ));
    }
    clip(&lines.join("\n"), 2000)
}

/// Per staff member: tickets claimed, closed, the mean and 95th percentile of the first
/// response of the tickets they claimed, and the warnings admins gave them (a warned member
/// is listed even before their first claim).
pub fn leaderboard(
    locale: Locale,
    tickets: &[Ticket],
    warnings: &BTreeMap<Id<UserMarker>, i64>,
) -> String {
    #[derive(Default)]
    struct Row {
        claimed: usize,
        closed: usize,
        responses: Vec<i64>,
    }
    let mut rows: BTreeMap<Id<UserMarker>, Row> = BTreeMap::new();
    for staff in warnings.keys() {
        rows.entry(*staff).or_default();
    }
    for ticket in tickets {
        if let Some(staff) = ticket.claimed_by {
            let row = rows.entry(staff).or_default();
            row.claimed += 1;
            if let Some(at) = ticket.first_response_at {
                row.responses
                    .push((at - ticket.created_at).num_seconds().max(0));
            }
        }
        if let Some(staff) = ticket.closed_by.filter(|staff| *staff != ticket.opener_id) {
            rows.entry(staff).or_default().closed += 1;
        }
    }
    if rows.is_empty() {
        return t!(locale, "ticket-leaderboard-empty");
    }
    let mut ranked: Vec<(Id<UserMarker>, Row)> = rows.into_iter().collect();
    ranked.sort_by_key(|(_, row)| std::cmp::Reverse(row.closed + row.claimed));
    let lines: Vec<String> = ranked
        .into_iter()
        .take(15)
        .map(|(staff, row)| {
            let answers = stats(row.responses, 0);
            t!(
                locale,
                "ticket-leaderboard-line",
                staff = staff.get(),
                claimed = row.claimed,
                closed = row.closed,
                mean = minutes(locale, answers.mean),
                p95 = minutes(locale, answers.p95.map(|seconds| seconds as f64)),
                warnings = warnings.get(&staff).copied().unwrap_or(0)
            )
        })
        .collect();
    clip(&lines.join("\n"), 2000)
}

/// Every ticket as CSV (UTF-8, a header row, RFC 3339 times in UTC).
pub fn export_csv(tickets: &[Ticket], categories: &[Category]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record([
        "number",
        "category",
        "status",
        "priority",
        "opener_id",
        "claimed_by",
        "created_at",
        "first_response_at",
        "closed_at",
        "closed_by",
        "close_reason",
    ])?;
    let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| at.to_rfc3339()).unwrap_or_default()
    };
    let user = |id: Option<Id<UserMarker>>| id.map(|id| id.to_string()).unwrap_or_default();
    for ticket in tickets {
        writer.write_record([
            ticket.number.to_string(),
            category_name(categories, ticket.category_id),
            status_text(Locale::English, ticket.status),
            ticket.priority.as_str().to_owned(),
            ticket.opener_id.to_string(),
            user(ticket.claimed_by),
            ticket.created_at.to_rfc3339(),
            time(ticket.first_response_at),
            time(ticket.closed_at),
            user(ticket.closed_by),
            ticket.close_reason.clone().unwrap_or_default(),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|error| error.into_error().into())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn ticket(
        number: i64,
        status: Status,
        claimed: Option<u64>,
        answered_after: Option<i64>,
    ) -> Ticket {
        let created_at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap();
        Ticket {
            id: number,
            guild_id: Id::new(1),
            number,
            category_id: 1 + number % 2,
            opener_id: Id::new(100 + number as u64),
            channel_id: None,
            status,
            priority: if number == 1 {
                Priority::Urgent
            } else {
                Priority::Normal
            },
            answers: Vec::new(),
            claimed_by: claimed.map(Id::new),
            claimed_at: None,
            first_response_at: answered_after
                .map(|minutes| created_at + chrono::Duration::minutes(minutes)),
            closed_by: (status != Status::Open).then(|| Id::new(7)),
            closed_at: None,
            close_reason: (status != Status::Open).then(|| "fixed, \"quoted\"".to_owned()),
            transcript: None,
            close_at: None,
            close_at_by: None,
            created_at,
            locked: false,
            tags: Vec::new(),
            department: None,
            escalation: 0,
            last_activity_at: None,
            feedback_stars: None,
            feedback_text: None,
            sla_alerted_at: None,
        }
    }

    fn categories() -> Vec<Category> {
        ["Billing", "Support"]
            .iter()
            .enumerate()
            .map(|(index, name)| Category {
                id: index as i64 + 1,
                guild_id: Id::new(1),
                name: (*name).to_owned(),
                staff_role_id: None,
                parent_channel_id: None,
                sla_minutes: 0,
                default_priority: Priority::Normal,
                questions: Vec::new(),
                anonymous: false,
                default_tags: Vec::new(),
                inactive_close_minutes: 0,
                captcha: false,
            })
            .collect()
    }

    /// A known history: three tickets, two claimed by 7 (answered after 10 and 30 min),
    /// one by 8 (no answer), two closed by 7.
    fn history() -> Vec<Ticket> {
        vec![
            ticket(1, Status::Closed, Some(7), Some(10)),
            ticket(2, Status::Deleted, Some(7), Some(30)),
            ticket(3, Status::Open, Some(8), None),
        ]
    }

    /// The moment the known histories are read at: 2026-12-02 12:00 UTC.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap()
    }

    #[test]
    fn the_dashboard_counts_by_state_category_and_priority() {
        let text = dashboard(Locale::English, &history(), &categories(), now());
        assert!(
            text.starts_with("**1** open · **2** closed · 3 in all"),
            "{text}"
        );
        assert!(text.contains("Billing: 0 open, 1 closed"), "{text}");
        assert!(text.contains("Support: 1 open, 1 closed"), "{text}");
        assert!(text.contains("Urgent: 0 open, 1 closed"), "{text}");
        assert!(text.contains("Normal: 1 open, 1 closed"), "{text}");
    }

    #[test]
    fn the_dashboard_ends_with_the_daily_volume_of_the_last_week() {
        // The history's three tickets were opened on 1 December; two were closed on the 2nd.
        let mut tickets = history();
        for ticket in tickets.iter_mut().filter(|t| t.status != Status::Open) {
            ticket.closed_at = Some(now() - chrono::Duration::hours(1));
        }
        let text = dashboard(Locale::English, &tickets, &categories(), now());
        let block: Vec<&str> = text
            .split("**Daily volume**, last 7 days (UTC):\n```\n")
            .nth(1)
            .expect("the volume block")
            .lines()
            .collect();
        assert_eq!(block[0], "Day         Opened  Closed");
        assert_eq!(block[1], "2026-11-26       0       0");
        assert_eq!(block[6], "2026-12-01       3       0");
        assert_eq!(block[7], "2026-12-02       0       2");
        assert_eq!(block[8], "```");
        let german = dashboard(Locale::German, &tickets, &categories(), now());
        assert!(
            german.contains("Tag         Geöffnet  Geschlossen\n2026-11-26         0            0"),
            "{german}"
        );
    }

    #[test]
    fn the_leaderboard_gives_claims_closes_response_times_and_warnings() {
        let warnings = BTreeMap::from([(Id::new(7), 1), (Id::new(9), 2)]);
        let text = leaderboard(Locale::English, &history(), &warnings);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "<@7>: 2 claimed, 2 closed · first answer mean 20.0 min, p95 30.0 min · 1 warning"
        );
        assert_eq!(
            lines[1],
            "<@8>: 1 claimed, 0 closed · first answer mean — min, p95 — min · 0 warnings"
        );
        // Warned before any claim: listed all the same.
        assert_eq!(
            lines[2],
            "<@9>: 0 claimed, 0 closed · first answer mean — min, p95 — min · 2 warnings"
        );
        assert_eq!(
            leaderboard(Locale::English, &[], &BTreeMap::new()),
            "Nobody on staff has claimed or closed a ticket yet."
        );
    }

    /// A ticket of `category` opened at `created`, answered after `answered` minutes.
    fn opened(
        number: i64,
        category: i64,
        created: DateTime<Utc>,
        answered: Option<i64>,
        status: Status,
    ) -> Ticket {
        let mut ticket = ticket(number, status, None, None);
        ticket.category_id = category;
        ticket.priority = Priority::Normal;
        ticket.created_at = created;
        ticket.first_response_at =
            answered.map(|minutes| created + chrono::Duration::minutes(minutes));
        ticket.closed_at = (status != Status::Open).then(|| created + chrono::Duration::hours(2));
        ticket
    }

    #[test]
    fn the_daily_series_has_every_day_of_the_period_with_zero_for_quiet_ones() {
        let day = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).unwrap();
        let tickets = vec![
            // Before the period: neither its opening nor its close counts.
            opened(1, 1, day(20, 9), None, Status::Closed),
            opened(2, 1, day(28, 9), Some(5), Status::Closed),
            opened(3, 1, day(28, 22), None, Status::Open),
            opened(4, 1, day(30, 10), Some(5), Status::Deleted),
        ];
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 18, 0, 0).unwrap();
        let series = daily_volume(&tickets, ZONE, at, 5);
        let dates: Vec<String> = series.iter().map(|d| d.date.to_string()).collect();
        assert_eq!(
            dates,
            [
                "2026-11-26",
                "2026-11-27",
                "2026-11-28",
                "2026-11-29",
                "2026-11-30"
            ]
        );
        let counts: Vec<(u32, u32)> = series.iter().map(|d| (d.opened, d.closed)).collect();
        // Ticket 2 closed two hours after opening, ticket 3 is open, ticket 4 closed (its
        // channel since deleted) at 12:00 on the 30th.
        assert_eq!(counts, [(0, 0), (0, 0), (2, 1), (0, 0), (1, 1)]);
        // The period is kept to 1–90 days.
        assert_eq!(daily_volume(&tickets, ZONE, at, 0).len(), 1);
        assert_eq!(daily_volume(&tickets, ZONE, at, 500).len(), 90);
    }

    #[test]
    fn a_day_is_the_zones_day_so_a_late_ticket_moves_to_the_next_one_east_of_utc() {
        let late = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        let earlier = Utc.with_ymd_and_hms(2026, 11, 30, 23, 30, 0).unwrap();
        let tickets = vec![
            opened(1, 1, late, None, Status::Open),
            opened(2, 1, earlier, None, Status::Open),
        ];
        let opened_by_day = |zone: Tz| -> Vec<(String, u32)> {
            daily_volume(&tickets, zone, now(), 2)
                .into_iter()
                .map(|day| (day.date.to_string(), day.opened))
                .collect()
        };
        // 23:30 UTC is still 1 December in UTC, 00:30 on the 2nd in Berlin; the ticket of
        // 30 November at 23:30 UTC is outside UTC's two days but on 1 December in Berlin.
        assert_eq!(
            opened_by_day(Tz::UTC),
            [("2026-12-01".to_owned(), 1), ("2026-12-02".to_owned(), 0)]
        );
        assert_eq!(
            opened_by_day(chrono_tz::Europe::Berlin),
            [("2026-12-01".to_owned(), 1), ("2026-12-02".to_owned(), 1)]
        );
        // West of UTC, "now" (12:00 UTC) is still early on 2 December in New York; the late
        // ticket falls on 1 December (18:30 there).
        assert_eq!(
            opened_by_day(chrono_tz::America::New_York),
            [("2026-12-01".to_owned(), 1), ("2026-12-02".to_owned(), 0)]
        );
    }

    /// Billing (1) has no SLA, Support (2) one of 15 minutes.
    fn categories_with_sla() -> Vec<Category> {
        let mut categories = categories();
        categories[1].sla_minutes = 15;
        categories
    }

    /// A known history for response times, read at [`now`] over 7 days.
    fn answered_history() -> Vec<Ticket> {
        let hours_ago = |hours: i64| now() - chrono::Duration::hours(hours);
        let mut urgent = opened(4, 2, hours_ago(4), Some(40), Status::Closed);
        urgent.priority = Priority::Urgent;
        vec![
            opened(1, 2, hours_ago(30), Some(5), Status::Closed),
            opened(2, 2, hours_ago(20), Some(10), Status::Closed),
            opened(3, 2, hours_ago(10), Some(20), Status::Open),
            urgent,
            // Open, unanswered and 30 minutes old: past the 15-minute SLA.
            opened(
                5,
                2,
                now() - chrono::Duration::minutes(30),
                None,
                Status::Open,
            ),
            // Open, unanswered, 10 minutes old: not yet late.
            opened(
                6,
                2,
                now() - chrono::Duration::minutes(10),
                None,
                Status::Open,
            ),
            // Closed by its opener before anyone answered: no answer, no breach.
            opened(7, 2, hours_ago(50), None, Status::Closed),
            opened(8, 1, hours_ago(5), Some(60), Status::Closed),
            // Older than the period.
            opened(9, 2, hours_ago(24 * 8), Some(500), Status::Closed),
        ]
    }

    #[test]
    fn response_times_give_mean_median_p95_and_sla_breaches_per_category_and_priority() {
        let times = response_times(&answered_history(), &categories_with_sla(), now(), 7);
        let (billing, support) = (&times.by_category[0], &times.by_category[1]);
        assert_eq!((billing.0.as_str(), billing.1), ("Billing", 0));
        assert_eq!(
            billing.2,
            ResponseStats {
                answered: 1,
                mean: Some(3600.0),
                p50: Some(3600),
                p95: Some(3600),
                breached: 0,
            }
        );
        // Support: answers after 5, 10, 20 and 40 min; 20 and 40 are late, and so is the
        // open ticket still unanswered after 30 min.
        assert_eq!((support.0.as_str(), support.1), ("Support", 15));
        assert_eq!(
            support.2,
            ResponseStats {
                answered: 4,
                mean: Some(18.75 * 60.0),
                p50: Some(600),
                p95: Some(2400),
                breached: 3,
            }
        );
        let priorities: Vec<Priority> = times.by_priority.iter().map(|(p, _)| *p).collect();
        assert_eq!(priorities, [Priority::Urgent, Priority::Normal]);
        let normal = &times.by_priority[1].1;
        assert_eq!(
            (normal.answered, normal.p50, normal.p95, normal.breached),
            (4, Some(600), Some(3600), 2)
        );

        let text = response_times_text(Locale::English, &times, 7);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "First staff answers on tickets opened in the last 7 days (median p50 and p95 by nearest rank):",
                "__By category__",
                "**Billing**: 1 answered · mean 60.0 min · p50 60.0 min · p95 60.0 min · no SLA",
                "**Support**: 4 answered · mean 18.8 min · p50 10.0 min · p95 40.0 min · 3 over the 15 min SLA",
                "__By priority__",
                "**Urgent**: 1 answered · mean 40.0 min · p50 40.0 min · p95 40.0 min · 1 over their category's SLA",
                "**Normal**: 4 answered · mean 23.8 min · p50 10.0 min · p95 60.0 min · 2 over their category's SLA",
            ]
        );
        let german = response_times_text(Locale::German, &times, 7);
        assert!(
            german.contains("**Support**: 4 beantwortet · Mittel 18,8 Min. · p50 10,0 Min. · p95 40,0 Min. · 3 über dem SLA von 15 Min."),
            "{german}"
        );
        assert_eq!(
            response_times_text(Locale::English, &response_times(&[], &[], now(), 7), 7),
            "No tickets were opened in the last 7 days."
        );
    }

    #[test]
    fn the_graph_is_a_png_of_the_promised_size_with_bars_a_line_and_text() {
        let series = daily_volume(&answered_history(), ZONE, now(), 14);
        let labels = GraphLabels {
            title: "Tickets per day, last 14 days (UTC)".to_owned(),
            opened: "Opened".to_owned(),
            closed: "Geschlossen".to_owned(),
        };
        let png = render_graph(&series, &labels).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .expect("a PNG the image crate reads")
            .to_rgb8();
        assert_eq!(image.dimensions(), (GRAPH_WIDTH, GRAPH_HEIGHT));
        let colours: std::collections::HashSet<[u8; 3]> =
            image.pixels().map(|pixel| pixel.0).collect();
        assert!(
            colours.len() > 10,
            "not one colour: {} colours",
            colours.len()
        );
        assert!(colours.contains(&[66, 133, 244]), "the opened bars");
        assert!(colours.contains(&[46, 160, 67]), "the closed line");
        // Text and axes are drawn in black (anti-aliased text adds greys).
        assert!(colours.contains(&[0, 0, 0]), "axes and labels");

        // A quiet period is still a chart (empty axes), not an error.
        let quiet = daily_volume(&[], ZONE, now(), 1);
        let png = render_graph(&quiet, &labels).unwrap();
        let image = image::load_from_memory(&png).unwrap();
        assert_eq!((image.width(), image.height()), (GRAPH_WIDTH, GRAPH_HEIGHT));
    }

    #[test]
    fn the_export_has_a_header_and_one_quoted_row_per_ticket() {
        let bytes = export_csv(&history(), &categories()).unwrap();
        let mut reader = csv::Reader::from_reader(bytes.as_slice());
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(header[..4], ["number", "category", "status", "priority"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(&rows[0][1], "Support");
        assert_eq!(&rows[0][2], "closed");
        assert_eq!(&rows[0][3], "urgent");
        assert_eq!(&rows[0][10], "fixed, \"quoted\"");
        assert_eq!(&rows[2][5], "8");
        assert_eq!(&rows[2][7], "");
    }
}
