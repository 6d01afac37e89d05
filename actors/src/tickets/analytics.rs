//! What staff learn from the ticket records: `/analytics dashboard` (open and closed, by
//! category and priority), `/analytics leaderboard` (claims, closes, first-response times
//! per staff member) and `/analytics export` (every ticket as CSV).

use std::collections::BTreeMap;

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::http::attachment::Attachment;
use twilight_model::id::marker::UserMarker;
use twilight_model::id::Id;

use super::render::{priority_text, status_text};
use super::store::{Category, Status, Ticket};
use super::{database_trouble, guild_of, parse, private, Shared};
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
}

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
    let command = match parse::<AnalyticsCommand>(request) {
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
        (Err(error), _) | (_, Err(error)) => return database_trouble(locale, &error),
    };
    match command {
        AnalyticsCommand::Dashboard(_) => private(dashboard(locale, &tickets, &categories)),
        AnalyticsCommand::Leaderboard(_) => private(leaderboard(locale, &tickets)),
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

/// Open and closed counts, per category and per priority.
pub fn dashboard(locale: Locale, tickets: &[Ticket], categories: &[Category]) -> String {
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
    clip(&lines.join("\n"), 2000)
}

/// Per staff member: tickets claimed, closed, and the mean and 95th percentile of the first
/// response of the tickets they claimed.
pub fn leaderboard(locale: Locale, tickets: &[Ticket]) -> String {
    #[derive(Default)]
    struct Row {
        claimed: usize,
        closed: usize,
        responses: Vec<i64>,
    }
    let mut rows: BTreeMap<Id<UserMarker>, Row> = BTreeMap::new();
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
    let minutes = |seconds: f64| format!("{:.1}", seconds / 60.0);
    let lines: Vec<String> = ranked
        .into_iter()
        .take(15)
        .map(|(staff, mut row)| {
            row.responses.sort_unstable();
            let (mean, p95) = if row.responses.is_empty() {
                ("—".to_owned(), "—".to_owned())
            } else {
                let mean = row.responses.iter().sum::<i64>() as f64 / row.responses.len() as f64;
                let rank = ((row.responses.len() as f64) * 0.95).ceil() as usize;
                let p95 = row.responses[rank.clamp(1, row.responses.len()) - 1] as f64;
                (minutes(mean), minutes(p95))
            };
            t!(
                locale,
                "ticket-leaderboard-line",
                staff = staff.get(),
                claimed = row.claimed,
                closed = row.closed,
                mean = locale.decimal(&mean),
                p95 = locale.decimal(&p95)
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
    use chrono::{TimeZone, Utc};

    use super::super::store::Priority;
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

    #[test]
    fn the_dashboard_counts_by_state_category_and_priority() {
        let text = dashboard(Locale::English, &history(), &categories());
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
    fn the_leaderboard_gives_claims_closes_and_response_times() {
        let text = leaderboard(Locale::English, &history());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "<@7>: 2 claimed, 2 closed · first answer mean 20.0 min, p95 30.0 min"
        );
        assert_eq!(
            lines[1],
            "<@8>: 1 claimed, 0 closed · first answer mean — min, p95 — min"
        );
        assert_eq!(
            leaderboard(Locale::English, &[]),
            "Nobody on staff has claimed or closed a ticket yet."
        );
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
