//! The ticket tables: categories, panels, tickets with their timeline, the per-guild
//! counter, and the per-person opening gate — each change a conditional update, so two
//! clicks, two claims or two closes happen once.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use twilight_model::id::marker::{
    ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
};
use twilight_model::id::Id;

use super::schema::{
    ticket_blacklist, ticket_categories, ticket_counters, ticket_events, ticket_openers,
    ticket_panels, ticket_staff_warnings, tickets,
};
use crate::kernel::store::ids::{column, id, nullable, optional_id};
use crate::kernel::store::{with_connection, Store, StoreError};

fn naive(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.trunc_subsecs(6).naive_utc()
}

fn utc(stored: NaiveDateTime) -> DateTime<Utc> {
    stored.and_utc()
}

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
    Critical,
}

impl Priority {
    pub const ALL: [Priority; 5] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
        Priority::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
            Priority::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == text)
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Admitted; its channel is being made.
    Opening,
    Open,
    Closed,
    /// Its channel is gone (deleted by staff, or by hand).
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Opening => "opening",
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Deleted => "deleted",
        }
    }

    fn parse(text: &str) -> Result<Status, StoreError> {
        Ok(match text {
            "opening" => Status::Opening,
            "open" => Status::Open,
            "closed" => Status::Closed,
            "deleted" => Status::Deleted,
            other => {
                return Err(StoreError::InvalidData {
                    what: "tickets.status",
                    detail: format!("unknown status {other:?}"),
                })
            }
        })
    }
}

/// One question asked before a ticket opens.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Question {
    /// The modal field's label (≤ 45 characters).
    pub label: String,
    pub required: bool,
    pub min_length: u16,
    pub max_length: u16,
}

/// A ticket category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: i64,
    pub guild_id: Id<GuildMarker>,
    pub name: String,
    pub staff_role_id: Option<Id<RoleMarker>>,
    /// The Discord category its ticket channels go under.
    pub parent_channel_id: Option<Id<ChannelMarker>>,
    pub sla_minutes: i32,
    pub default_priority: Priority,
    pub questions: Vec<Question>,
    pub anonymous: bool,
    /// The tags a new ticket starts with.
    pub default_tags: Vec<String>,
    /// Minutes of silence after which an open ticket closes by itself (0: never).
    pub inactive_close_minutes: i32,
    /// Whether the opener first passes a button challenge.
    pub captcha: bool,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ticket_categories)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct CategoryRow {
    id: i64,
    guild_id: i64,
    name: String,
    staff_role_id: Option<i64>,
    parent_channel_id: Option<i64>,
    sla_minutes: i32,
    default_priority: String,
    questions: String,
    anonymous: bool,
    default_tags: String,
    inactive_close_minutes: i32,
    captcha: bool,
}

/// A JSON array of tags as stored.
fn tags_from(what: &'static str, stored: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(stored).map_err(|error| StoreError::InvalidData {
        what,
        detail: error.to_string(),
    })
}

/// Tags as stored.
pub(crate) fn tags_text(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

impl TryFrom<CategoryRow> for Category {
    type Error = StoreError;

    fn try_from(row: CategoryRow) -> Result<Self, StoreError> {
        Ok(Category {
            id: row.id,
            guild_id: id("ticket_categories.guild_id", row.guild_id)?,
            name: row.name,
            staff_role_id: optional_id("ticket_categories.staff_role_id", row.staff_role_id)?,
            parent_channel_id: optional_id(
                "ticket_categories.parent_channel_id",
                row.parent_channel_id,
            )?,
            sla_minutes: row.sla_minutes,
            default_priority: Priority::parse(&row.default_priority).unwrap_or(Priority::Normal),
            questions: serde_json::from_str(&row.questions).map_err(|error| {
                StoreError::InvalidData {
                    what: "ticket_categories.questions",
                    detail: error.to_string(),
                }
            })?,
            anonymous: row.anonymous,
            default_tags: tags_from("ticket_categories.default_tags", &row.default_tags)?,
            inactive_close_minutes: row.inactive_close_minutes,
            captcha: row.captcha,
        })
    }
}

/// What `/tickets category upsert` writes.
#[derive(Debug, Clone)]
pub struct CategoryInput {
    pub name: String,
    pub staff_role_id: Option<Id<RoleMarker>>,
    pub parent_channel_id: Option<Id<ChannelMarker>>,
    pub sla_minutes: i32,
    pub default_priority: Priority,
    pub questions: Vec<Question>,
    pub anonymous: bool,
    pub default_tags: Vec<String>,
    pub inactive_close_minutes: i32,
    pub captcha: bool,
}

/// A panel: the message people open tickets from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub id: i64,
    pub guild_id: Id<GuildMarker>,
    pub title: String,
    pub description: String,
    pub button_label: String,
    pub button_style: String,
    pub emoji: Option<String>,
    /// One category (a button), or none (a select of every category).
    pub category_id: Option<i64>,
    pub channel_id: Option<Id<ChannelMarker>>,
    pub message_id: Option<Id<MessageMarker>>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ticket_panels)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct PanelRow {
    id: i64,
    guild_id: i64,
    title: String,
    description: String,
    button_label: String,
    button_style: String,
    emoji: Option<String>,
    category_id: Option<i64>,
    channel_id: Option<i64>,
    message_id: Option<i64>,
}

impl TryFrom<PanelRow> for Panel {
    type Error = StoreError;

    fn try_from(row: PanelRow) -> Result<Self, StoreError> {
        Ok(Panel {
            id: row.id,
            guild_id: id("ticket_panels.guild_id", row.guild_id)?,
            title: row.title,
            description: row.description,
            button_label: row.button_label,
            button_style: row.button_style,
            emoji: row.emoji,
            category_id: row.category_id,
            channel_id: optional_id("ticket_panels.channel_id", row.channel_id)?,
            message_id: optional_id("ticket_panels.message_id", row.message_id)?,
        })
    }
}

/// What `/tickets panel create` writes.
#[derive(Debug, Clone)]
pub struct PanelInput {
    pub title: String,
    pub description: String,
    pub button_label: String,
    pub button_style: String,
    pub emoji: Option<String>,
    pub category_id: Option<i64>,
}

/// A ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: i64,
    pub guild_id: Id<GuildMarker>,
    pub number: i64,
    pub category_id: i64,
    pub opener_id: Id<UserMarker>,
    pub channel_id: Option<Id<ChannelMarker>>,
    pub status: Status,
    pub priority: Priority,
    /// The questions asked at opening and what the opener answered.
    pub answers: Vec<(String, String)>,
    pub claimed_by: Option<Id<UserMarker>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_by: Option<Id<UserMarker>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub close_reason: Option<String>,
    /// The transcript's HTML file, once written.
    pub transcript: Option<String>,
    /// A close staff scheduled (any new message cancels it), and who scheduled it.
    pub close_at: Option<DateTime<Utc>>,
    pub close_at_by: Option<Id<UserMarker>>,
    pub created_at: DateTime<Utc>,
    /// The opener may read but not write.
    pub locked: bool,
    pub tags: Vec<String>,
    pub department: Option<String>,
    /// 0 (none) to 3.
    pub escalation: i32,
    /// The last message seen in the channel (at most a minute stale).
    pub last_activity_at: Option<DateTime<Utc>>,
    /// What the opener said of the ticket after it closed.
    pub feedback_stars: Option<i32>,
    pub feedback_text: Option<String>,
    /// When staff were told the first answer is late (once).
    pub sla_alerted_at: Option<DateTime<Utc>>,
}

impl Ticket {
    /// The channel name and the way staff say it: `ticket-0042`.
    pub fn label(&self) -> String {
        format!("ticket-{:04}", self.number)
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = tickets)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct TicketRow {
    id: i64,
    guild_id: i64,
    number: i64,
    category_id: i64,
    opener_id: i64,
    channel_id: Option<i64>,
    status: String,
    priority: String,
    answers: String,
    claimed_by: Option<i64>,
    claimed_at: Option<NaiveDateTime>,
    first_response_at: Option<NaiveDateTime>,
    closed_by: Option<i64>,
    closed_at: Option<NaiveDateTime>,
    close_reason: Option<String>,
    transcript: Option<String>,
    close_at: Option<NaiveDateTime>,
    close_at_by: Option<i64>,
    created_at: NaiveDateTime,
    locked: bool,
    tags: String,
    department: Option<String>,
    escalation: i32,
    last_activity_at: Option<NaiveDateTime>,
    feedback_stars: Option<i32>,
    feedback_text: Option<String>,
    sla_alerted_at: Option<NaiveDateTime>,
}

impl TryFrom<TicketRow> for Ticket {
    type Error = StoreError;

    fn try_from(row: TicketRow) -> Result<Self, StoreError> {
        Ok(Ticket {
            id: row.id,
            guild_id: id("tickets.guild_id", row.guild_id)?,
            number: row.number,
            category_id: row.category_id,
            opener_id: id("tickets.opener_id", row.opener_id)?,
            channel_id: optional_id("tickets.channel_id", row.channel_id)?,
            status: Status::parse(&row.status)?,
            priority: Priority::parse(&row.priority).unwrap_or(Priority::Normal),
            answers: serde_json::from_str(&row.answers).map_err(|error| {
                StoreError::InvalidData {
                    what: "tickets.answers",
                    detail: error.to_string(),
                }
            })?,
            claimed_by: optional_id("tickets.claimed_by", row.claimed_by)?,
            claimed_at: row.claimed_at.map(utc),
            first_response_at: row.first_response_at.map(utc),
            closed_by: optional_id("tickets.closed_by", row.closed_by)?,
            closed_at: row.closed_at.map(utc),
            close_reason: row.close_reason,
            transcript: row.transcript,
            close_at: row.close_at.map(utc),
            close_at_by: optional_id("tickets.close_at_by", row.close_at_by)?,
            created_at: utc(row.created_at),
            locked: row.locked,
            tags: tags_from("tickets.tags", &row.tags)?,
            department: row.department,
            escalation: row.escalation,
            last_activity_at: row.last_activity_at.map(utc),
            feedback_stars: row.feedback_stars,
            feedback_text: row.feedback_text,
            sla_alerted_at: row.sla_alerted_at.map(utc),
        })
    }
}

fn tickets_from(rows: Vec<TicketRow>) -> Result<Vec<Ticket>, StoreError> {
    rows.into_iter().map(Ticket::try_from).collect()
}

/// One entry of a ticket's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketEvent {
    pub actor_id: Id<UserMarker>,
    pub kind: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// Why the opening gate turned someone away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// They have this many open tickets, the most allowed.
    TooMany(i32),
    /// They opened one too recently; they may again from this moment.
    TooSoon(DateTime<Utc>),
}

/// Which tickets `/ticket list` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListFilter {
    pub claimed_by: Option<Id<UserMarker>>,
    pub opener: Option<Id<UserMarker>>,
    pub category_id: Option<i64>,
    pub priority: Option<Priority>,
    /// Open ones only (else open and closed).
    pub open_only: bool,
}

impl Store {
    // ---- categories and panels -----------------------------------------------------------

    /// Creates a category, or changes the one of that name.
    pub async fn upsert_ticket_category(
        &self,
        guild_id: Id<GuildMarker>,
        input: &CategoryInput,
    ) -> Result<Category, StoreError> {
        let guild = column(guild_id);
        let questions = serde_json::to_string(&input.questions).unwrap_or_else(|_| "[]".into());
        let default_tags = tags_text(&input.default_tags);
        let workflow = (
            ticket_categories::default_tags.eq(&default_tags),
            ticket_categories::inactive_close_minutes.eq(input.inactive_close_minutes),
            ticket_categories::captcha.eq(input.captcha),
        );
        let values = (
            ticket_categories::guild_id.eq(guild),
            ticket_categories::name.eq(&input.name),
            ticket_categories::staff_role_id.eq(nullable(input.staff_role_id)),
            ticket_categories::parent_channel_id.eq(nullable(input.parent_channel_id)),
            ticket_categories::sla_minutes.eq(input.sla_minutes),
            ticket_categories::default_priority.eq(input.default_priority.as_str()),
            ticket_categories::questions.eq(&questions),
            ticket_categories::anonymous.eq(input.anonymous),
            ticket_categories::created_at.eq(self.now()),
            workflow,
        );
        let row = with_connection!(self, connection => {
            diesel::insert_into(ticket_categories::table)
                .values(values)
                .on_conflict((ticket_categories::guild_id, ticket_categories::name))
                .do_update()
                .set((
                    ticket_categories::staff_role_id.eq(nullable(input.staff_role_id)),
                    ticket_categories::parent_channel_id.eq(nullable(input.parent_channel_id)),
                    ticket_categories::sla_minutes.eq(input.sla_minutes),
                    ticket_categories::default_priority.eq(input.default_priority.as_str()),
                    ticket_categories::questions.eq(&questions),
                    ticket_categories::anonymous.eq(input.anonymous),
                    workflow,
                ))
                .returning(CategoryRow::as_returning())
                .get_result(connection)
                .await
        })?;
        Category::try_from(row)
    }

    /// A guild's categories, by name.
    pub async fn ticket_categories(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<Vec<Category>, StoreError> {
        let guild = column(guild_id);
        let rows: Vec<CategoryRow> = with_connection!(self, connection => {
            ticket_categories::table
                .filter(ticket_categories::guild_id.eq(guild))
                .order(ticket_categories::name)
                .select(CategoryRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Category::try_from).collect()
    }

    /// One category of the guild (never another guild's).
    pub async fn ticket_category(
        &self,
        guild_id: Id<GuildMarker>,
        category_id: i64,
    ) -> Result<Option<Category>, StoreError> {
        let guild = column(guild_id);
        let row: Option<CategoryRow> = with_connection!(self, connection => {
            ticket_categories::table
                .filter(ticket_categories::guild_id.eq(guild))
                .filter(ticket_categories::id.eq(category_id))
                .select(CategoryRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Category::try_from).transpose()
    }

    pub async fn create_ticket_panel(
        &self,
        guild_id: Id<GuildMarker>,
        input: &PanelInput,
    ) -> Result<Panel, StoreError> {
        let values = (
            ticket_panels::guild_id.eq(column(guild_id)),
            ticket_panels::title.eq(&input.title),
            ticket_panels::description.eq(&input.description),
            ticket_panels::button_label.eq(&input.button_label),
            ticket_panels::button_style.eq(&input.button_style),
            ticket_panels::emoji.eq(input.emoji.as_deref()),
            ticket_panels::category_id.eq(input.category_id),
            ticket_panels::created_at.eq(self.now()),
        );
        let row = with_connection!(self, connection => {
            diesel::insert_into(ticket_panels::table)
                .values(values)
                .returning(PanelRow::as_returning())
                .get_result(connection)
                .await
        })?;
        Panel::try_from(row)
    }

    pub async fn ticket_panels(&self, guild_id: Id<GuildMarker>) -> Result<Vec<Panel>, StoreError> {
        let guild = column(guild_id);
        let rows: Vec<PanelRow> = with_connection!(self, connection => {
            ticket_panels::table
                .filter(ticket_panels::guild_id.eq(guild))
                .order(ticket_panels::id)
                .select(PanelRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Panel::try_from).collect()
    }

    pub async fn ticket_panel(
        &self,
        guild_id: Id<GuildMarker>,
        panel_id: i64,
    ) -> Result<Option<Panel>, StoreError> {
        let guild = column(guild_id);
        let row: Option<PanelRow> = with_connection!(self, connection => {
            ticket_panels::table
                .filter(ticket_panels::guild_id.eq(guild))
                .filter(ticket_panels::id.eq(panel_id))
                .select(PanelRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Panel::try_from).transpose()
    }

    /// Remembers where a panel was deployed.
    pub async fn set_ticket_panel_message(
        &self,
        panel_id: i64,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(ticket_panels::table.filter(ticket_panels::id.eq(panel_id)))
                .set((
                    ticket_panels::channel_id.eq(Some(column(channel_id))),
                    ticket_panels::message_id.eq(Some(column(message_id))),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    // ---- opening -------------------------------------------------------------------------

    /// Lets one opening through for this person if they have fewer than `max_open` open
    /// tickets and opened none in the last `gap`: one conditional update, so of two
    /// clicks at the same moment exactly one passes.
    pub async fn admit_ticket_opener(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        max_open: i32,
        gap: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Result<Result<(), Refused>, StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        let cutoff = naive(now - gap);
        let admitted = with_connection!(self, connection => {
            connection.transaction::<usize, diesel::result::Error, _>(async |connection| {
            diesel::insert_into(ticket_openers::table)
                .values((
                    ticket_openers::guild_id.eq(guild),
                    ticket_openers::user_id.eq(user),
                    ticket_openers::open_count.eq(0),
                ))
                .on_conflict_do_nothing()
                .execute(connection)
                .await?;
            diesel::update(
                ticket_openers::table
                    .filter(ticket_openers::guild_id.eq(guild))
                    .filter(ticket_openers::user_id.eq(user))
                    .filter(ticket_openers::open_count.lt(max_open))
                    .filter(
                        ticket_openers::last_opened_at
                            .is_null()
                            .or(ticket_openers::last_opened_at.le(cutoff)),
                    ),
            )
            .set((
                ticket_openers::open_count.eq(ticket_openers::open_count + 1),
                ticket_openers::last_opened_at.eq(Some(naive(now))),
            ))
            .execute(connection)
            .await
            }).await
        })?;
        if admitted == 1 {
            return Ok(Ok(()));
        }
        let (count, last): (i32, Option<NaiveDateTime>) = with_connection!(self, connection => {
            ticket_openers::table
                .filter(ticket_openers::guild_id.eq(guild))
                .filter(ticket_openers::user_id.eq(user))
                .select((ticket_openers::open_count, ticket_openers::last_opened_at))
                .first(connection)
                .await
        })?;
        Ok(Err(if count >= max_open {
            Refused::TooMany(count)
        } else {
            Refused::TooSoon(last.map_or(now, |last| utc(last) + gap))
        }))
    }

    /// Gives back a place: a ticket of theirs closed, or an opening failed (then the
    /// cooldown is given back too).
    pub async fn release_ticket_opener(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        failed_opening: bool,
    ) -> Result<(), StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        with_connection!(self, connection => {
            let row = ticket_openers::table
                .filter(ticket_openers::guild_id.eq(guild))
                .filter(ticket_openers::user_id.eq(user))
                .filter(ticket_openers::open_count.gt(0));
            if failed_opening {
                diesel::update(row)
                    .set((
                        ticket_openers::open_count.eq(ticket_openers::open_count - 1),
                        ticket_openers::last_opened_at.eq(None::<NaiveDateTime>),
                    ))
                    .execute(connection)
                    .await
            } else {
                diesel::update(row)
                    .set(ticket_openers::open_count.eq(ticket_openers::open_count - 1))
                    .execute(connection)
                    .await
            }
        })?;
        Ok(())
    }

    /// Takes a place again for a reopened ticket (never refused: staff reopened it).
    pub async fn retake_ticket_opener(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Result<(), StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        with_connection!(self, connection => {
            diesel::update(
                ticket_openers::table
                    .filter(ticket_openers::guild_id.eq(guild))
                    .filter(ticket_openers::user_id.eq(user)),
            )
            .set(ticket_openers::open_count.eq(ticket_openers::open_count + 1))
            .execute(connection)
            .await
        })?;
        Ok(())
    }

    /// Tickets the guild opened since `since` (the hourly cap).
    pub async fn tickets_opened_since(
        &self,
        guild_id: Id<GuildMarker>,
        since: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let guild = column(guild_id);
        let since = naive(since);
        with_connection!(self, connection => {
            tickets::table
                .filter(tickets::guild_id.eq(guild))
                .filter(tickets::created_at.ge(since))
                .count()
                .get_result(connection)
                .await
        })
    }

    /// A new ticket, numbered from the guild's counter, in status "opening".
    pub async fn create_ticket(
        &self,
        guild_id: Id<GuildMarker>,
        category: &Category,
        opener_id: Id<UserMarker>,
        answers: &[(String, String)],
        now: DateTime<Utc>,
    ) -> Result<Ticket, StoreError> {
        let guild = column(guild_id);
        let answers = serde_json::to_string(answers).unwrap_or_else(|_| "[]".into());
        let tags = tags_text(&category.default_tags);
        let now = naive(now);
        let row = with_connection!(self, connection => {
            connection.transaction::<TicketRow, diesel::result::Error, _>(async |connection| {
            let number: i64 = diesel::insert_into(ticket_counters::table)
                .values((
                    ticket_counters::guild_id.eq(guild),
                    ticket_counters::last_number.eq(1_i64),
                ))
                .on_conflict(ticket_counters::guild_id)
                .do_update()
                .set(ticket_counters::last_number.eq(ticket_counters::last_number + 1_i64))
                .returning(ticket_counters::last_number)
                .get_result(connection)
                .await?;
            diesel::insert_into(tickets::table)
                .values((
                    tickets::guild_id.eq(guild),
                    tickets::number.eq(number),
                    tickets::category_id.eq(category.id),
                    tickets::opener_id.eq(column(opener_id)),
                    tickets::status.eq(Status::Opening.as_str()),
                    tickets::priority.eq(category.default_priority.as_str()),
                    tickets::answers.eq(&answers),
                    tickets::tags.eq(&tags),
                    tickets::last_activity_at.eq(Some(now)),
                    tickets::created_at.eq(now),
                    tickets::updated_at.eq(now),
                ))
                .returning(TicketRow::as_returning())
                .get_result(connection)
                .await
            }).await
        })?;
        Ticket::try_from(row)
    }

    /// The ticket's channel exists: it is open.
    pub async fn ticket_opened(
        &self,
        ticket_id: i64,
        channel_id: Id<ChannelMarker>,
    ) -> Result<Ticket, StoreError> {
        let row = with_connection!(self, connection => {
            diesel::update(tickets::table.filter(tickets::id.eq(ticket_id)))
                .set((
                    tickets::channel_id.eq(Some(column(channel_id))),
                    tickets::status.eq(Status::Open.as_str()),
                ))
                .returning(TicketRow::as_returning())
                .get_result(connection)
                .await
        })?;
        Ticket::try_from(row)
    }

    /// An opening that failed leaves no ticket behind.
    pub async fn forget_ticket(&self, ticket_id: i64) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::delete(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Opening.as_str())),
            )
            .execute(connection)
            .await
        })?;
        Ok(())
    }

    /// Openings that never finished (the process stopped between admitting the opener and
    /// recording the channel): removed when older than `before`, each with its opener's
    /// place given back. Each removal is conditional, so two processes never free a place
    /// twice. What was removed, as (guild, opener, ticket id).
    pub async fn abandon_stale_openings(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<(Id<GuildMarker>, Id<UserMarker>, i64)>, StoreError> {
        let before = naive(before);
        let stale: Vec<(i64, i64, i64)> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::status.eq(Status::Opening.as_str()))
                .filter(tickets::channel_id.is_null())
                .filter(tickets::created_at.lt(before))
                .select((tickets::id, tickets::guild_id, tickets::opener_id))
                .limit(100)
                .load(connection)
                .await
        })?;
        let mut abandoned = Vec::new();
        for (ticket_id, guild, opener) in stale {
            let removed = with_connection!(self, connection => {
                diesel::delete(
                    tickets::table
                        .filter(tickets::id.eq(ticket_id))
                        .filter(tickets::status.eq(Status::Opening.as_str()))
                        .filter(tickets::channel_id.is_null()),
                )
                .execute(connection)
                .await
            })?;
            if removed == 1 {
                let (guild, opener) = (
                    id("tickets.guild_id", guild)?,
                    id("tickets.opener_id", opener)?,
                );
                self.release_ticket_opener(guild, opener, true).await?;
                abandoned.push((guild, opener, ticket_id));
            }
        }
        Ok(abandoned)
    }

    // ---- reading -------------------------------------------------------------------------

    /// The ticket a channel belongs to.
    pub async fn ticket_in_channel(
        &self,
        guild_id: Id<GuildMarker>,
        channel_id: Id<ChannelMarker>,
    ) -> Result<Option<Ticket>, StoreError> {
        let (guild, channel) = (column(guild_id), column(channel_id));
        let row: Option<TicketRow> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::guild_id.eq(guild))
                .filter(tickets::channel_id.eq(channel))
                .select(TicketRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// One ticket of the guild (never another guild's).
    pub async fn ticket(
        &self,
        guild_id: Id<GuildMarker>,
        ticket_id: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        let guild = column(guild_id);
        let row: Option<TicketRow> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::guild_id.eq(guild))
                .filter(tickets::id.eq(ticket_id))
                .select(TicketRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// A person's open tickets in a guild.
    pub async fn open_tickets_of(
        &self,
        guild_id: Id<GuildMarker>,
        opener_id: Id<UserMarker>,
    ) -> Result<Vec<Ticket>, StoreError> {
        self.list_tickets(
            guild_id,
            ListFilter {
                opener: Some(opener_id),
                open_only: true,
                ..ListFilter::default()
            },
            25,
        )
        .await
    }

    /// Tickets of the guild, newest first.
    pub async fn list_tickets(
        &self,
        guild_id: Id<GuildMarker>,
        filter: ListFilter,
        limit: i64,
    ) -> Result<Vec<Ticket>, StoreError> {
        let guild = column(guild_id);
        let rows: Vec<TicketRow> = with_connection!(self, connection => {
            let mut query = tickets::table
                .filter(tickets::guild_id.eq(guild))
                .into_boxed();
            query = if filter.open_only {
                query.filter(tickets::status.eq_any([Status::Open.as_str(), Status::Opening.as_str()]))
            } else {
                query.filter(tickets::status.ne(Status::Deleted.as_str()))
            };
            if let Some(staff) = filter.claimed_by {
                query = query.filter(tickets::claimed_by.eq(column(staff)));
            }
            if let Some(opener) = filter.opener {
                query = query.filter(tickets::opener_id.eq(column(opener)));
            }
            if let Some(category) = filter.category_id {
                query = query.filter(tickets::category_id.eq(category));
            }
            if let Some(priority) = filter.priority {
                query = query.filter(tickets::priority.eq(priority.as_str()));
            }
            query
                .order(tickets::id.desc())
                .limit(limit)
                .select(TicketRow::as_select())
                .load(connection)
                .await
        })?;
        tickets_from(rows)
    }

    // ---- staff workflow ------------------------------------------------------------------

    /// Claims an open, unclaimed ticket; `None` when someone else got there first or it is
    /// not open.
    pub async fn claim_ticket(
        &self,
        ticket_id: i64,
        staff_id: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let row = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Open.as_str()))
                    .filter(tickets::claimed_by.is_null()),
            )
            .set((
                tickets::claimed_by.eq(Some(column(staff_id))),
                tickets::claimed_at.eq(Some(now)),
                tickets::updated_at.eq(now),
            ))
            .returning(TicketRow::as_returning())
            .get_result(connection)
            .await
            .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// Gives a claim back: by its holder, or by anyone when `holder` is `None` (admins).
    pub async fn unclaim_ticket(
        &self,
        ticket_id: i64,
        holder: Option<Id<UserMarker>>,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let changes = (
            tickets::claimed_by.eq(None::<i64>),
            tickets::claimed_at.eq(None::<NaiveDateTime>),
            tickets::updated_at.eq(now),
        );
        let claimed = tickets::table
            .filter(tickets::id.eq(ticket_id))
            .filter(tickets::claimed_by.is_not_null());
        let row = with_connection!(self, connection => {
            match holder {
                Some(holder) => {
                    diesel::update(claimed.filter(tickets::claimed_by.eq(column(holder))))
                        .set(changes)
                        .returning(TicketRow::as_returning())
                        .get_result(connection)
                        .await
                        .optional()
                }
                None => {
                    diesel::update(claimed)
                        .set(changes)
                        .returning(TicketRow::as_returning())
                        .get_result(connection)
                        .await
                        .optional()
                }
            }
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// Closes an open ticket; `None` when it was not open (closed by someone else a moment
    /// ago).
    pub async fn close_ticket(
        &self,
        ticket_id: i64,
        closed_by: Id<UserMarker>,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let row = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Open.as_str())),
            )
            .set((
                tickets::status.eq(Status::Closed.as_str()),
                tickets::close_at.eq(None::<NaiveDateTime>),
                tickets::closed_by.eq(Some(column(closed_by))),
                tickets::closed_at.eq(Some(now)),
                tickets::close_reason.eq(reason),
                tickets::updated_at.eq(now),
            ))
            .returning(TicketRow::as_returning())
            .get_result(connection)
            .await
            .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// Reopens a closed ticket; `None` when it was not closed.
    pub async fn reopen_ticket(
        &self,
        ticket_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let row = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Closed.as_str())),
            )
            .set((
                tickets::status.eq(Status::Open.as_str()),
                tickets::closed_by.eq(None::<i64>),
                tickets::closed_at.eq(None::<NaiveDateTime>),
                tickets::close_reason.eq(None::<String>),
                tickets::locked.eq(false),
                tickets::last_activity_at.eq(Some(now)),
                tickets::updated_at.eq(now),
            ))
            .returning(TicketRow::as_returning())
            .get_result(connection)
            .await
            .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// Marks a ticket's channel gone; `false` when it already was.
    pub async fn ticket_deleted(
        &self,
        ticket_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = naive(now);
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.ne(Status::Deleted.as_str())),
            )
            .set((
                tickets::status.eq(Status::Deleted.as_str()),
                tickets::updated_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    pub async fn set_ticket_priority(
        &self,
        ticket_id: i64,
        priority: Priority,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = naive(now);
        with_connection!(self, connection => {
            diesel::update(tickets::table.filter(tickets::id.eq(ticket_id)))
                .set((tickets::priority.eq(priority.as_str()), tickets::updated_at.eq(now)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    pub async fn set_ticket_transcript(
        &self,
        ticket_id: i64,
        path: &str,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(tickets::table.filter(tickets::id.eq(ticket_id)))
                .set(tickets::transcript.eq(Some(path)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// The first staff answer in the channel; later ones change nothing.
    pub async fn ticket_first_response(
        &self,
        ticket_id: i64,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let at = naive(at);
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::first_response_at.is_null()),
            )
            .set(tickets::first_response_at.eq(Some(at)))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// The channels of open tickets no staff member has answered yet (the watcher's list).
    pub async fn tickets_awaiting_response(&self) -> Result<Vec<Id<ChannelMarker>>, StoreError> {
        let rows: Vec<Option<i64>> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::status.eq(Status::Open.as_str()))
                .filter(tickets::first_response_at.is_null())
                .filter(tickets::channel_id.is_not_null())
                .select(tickets::channel_id)
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .flatten()
            .map(|channel| id("tickets.channel_id", channel))
            .collect()
    }

    /// The guild's ticket of that number (never another guild's).
    pub async fn ticket_by_number(
        &self,
        guild_id: Id<GuildMarker>,
        number: i64,
    ) -> Result<Option<Ticket>, StoreError> {
        let guild = column(guild_id);
        let row: Option<TicketRow> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::guild_id.eq(guild))
                .filter(tickets::number.eq(number))
                .select(TicketRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// The channels of every open ticket (the watcher's set for inactivity).
    pub async fn open_ticket_channels(&self) -> Result<Vec<Id<ChannelMarker>>, StoreError> {
        let rows: Vec<Option<i64>> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::status.eq(Status::Open.as_str()))
                .filter(tickets::channel_id.is_not_null())
                .select(tickets::channel_id)
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .flatten()
            .map(|channel| id("tickets.channel_id", channel))
            .collect()
    }

    /// Every ticket of the guild that still has a record (for analytics and the export),
    /// oldest first.
    pub async fn all_tickets(&self, guild_id: Id<GuildMarker>) -> Result<Vec<Ticket>, StoreError> {
        let guild = column(guild_id);
        let rows: Vec<TicketRow> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::guild_id.eq(guild))
                .filter(tickets::status.ne(Status::Opening.as_str()))
                .order(tickets::id)
                .select(TicketRow::as_select())
                .load(connection)
                .await
        })?;
        tickets_from(rows)
    }

    // ---- scheduled closes ---------------------------------------------------------------

    /// Schedules an open ticket's close (replacing an earlier schedule); `false` when it is
    /// not open.
    pub async fn schedule_ticket_close(
        &self,
        ticket_id: i64,
        at: DateTime<Utc>,
        by: Id<UserMarker>,
    ) -> Result<bool, StoreError> {
        let at = naive(at);
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Open.as_str())),
            )
            .set((tickets::close_at.eq(Some(at)), tickets::close_at_by.eq(Some(column(by)))))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Cancels a scheduled close; `false` when none was scheduled.
    pub async fn cancel_ticket_close(&self, ticket_id: i64) -> Result<bool, StoreError> {
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::close_at.is_not_null()),
            )
            .set((
                tickets::close_at.eq(None::<NaiveDateTime>),
                tickets::close_at_by.eq(None::<i64>),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Open tickets whose scheduled close is due.
    pub async fn due_ticket_closes(&self, now: DateTime<Utc>) -> Result<Vec<Ticket>, StoreError> {
        let now = naive(now);
        let rows: Vec<TicketRow> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::status.eq(Status::Open.as_str()))
                .filter(tickets::close_at.le(now))
                .order(tickets::close_at)
                .limit(50)
                .select(TicketRow::as_select())
                .load(connection)
                .await
        })?;
        tickets_from(rows)
    }

    /// The channels of open tickets with a scheduled close (the watcher's list).
    pub async fn tickets_closing(&self) -> Result<Vec<Id<ChannelMarker>>, StoreError> {
        let rows: Vec<Option<i64>> = with_connection!(self, connection => {
            tickets::table
                .filter(tickets::status.eq(Status::Open.as_str()))
                .filter(tickets::close_at.is_not_null())
                .select(tickets::channel_id)
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .flatten()
            .map(|channel| id("tickets.channel_id", channel))
            .collect()
    }

    // ---- the blacklist ------------------------------------------------------------------

    /// Bars a member from opening tickets, until `until` or for good; replaces an entry.
    pub async fn blacklist_ticket_opener(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        reason: &str,
        until: Option<DateTime<Utc>>,
        added_by: Id<UserMarker>,
    ) -> Result<(), StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        let until = until.map(naive);
        let values = (
            ticket_blacklist::guild_id.eq(guild),
            ticket_blacklist::user_id.eq(user),
            ticket_blacklist::reason.eq(reason),
            ticket_blacklist::until.eq(until),
            ticket_blacklist::added_by.eq(column(added_by)),
            ticket_blacklist::created_at.eq(self.now()),
        );
        with_connection!(self, connection => {
            diesel::insert_into(ticket_blacklist::table)
                .values(values)
                .on_conflict((ticket_blacklist::guild_id, ticket_blacklist::user_id))
                .do_update()
                .set((
                    ticket_blacklist::reason.eq(reason),
                    ticket_blacklist::until.eq(until),
                    ticket_blacklist::added_by.eq(column(added_by)),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Lifts a bar; `false` when there was none.
    pub async fn unblacklist_ticket_opener(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
    ) -> Result<bool, StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        let removed = with_connection!(self, connection => {
            diesel::delete(
                ticket_blacklist::table
                    .filter(ticket_blacklist::guild_id.eq(guild))
                    .filter(ticket_blacklist::user_id.eq(user)),
            )
            .execute(connection)
            .await
        })?;
        Ok(removed == 1)
    }

    /// Whether a member is barred at `now`: the reason and the end (`None`: for good).
    pub async fn ticket_bar(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<Option<(String, Option<DateTime<Utc>>)>, StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        let now = naive(now);
        let row: Option<(String, Option<NaiveDateTime>)> = with_connection!(self, connection => {
            ticket_blacklist::table
                .filter(ticket_blacklist::guild_id.eq(guild))
                .filter(ticket_blacklist::user_id.eq(user))
                .filter(ticket_blacklist::until.is_null().or(ticket_blacklist::until.gt(now)))
                .select((ticket_blacklist::reason, ticket_blacklist::until))
                .first(connection)
                .await
                .optional()
        })?;
        Ok(row.map(|(reason, until)| (reason, until.map(utc))))
    }

    /// Hands a ticket to another member (the new opener).
    pub async fn transfer_ticket(
        &self,
        ticket_id: i64,
        to: Id<UserMarker>,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let row = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Open.as_str())),
            )
            .set((tickets::opener_id.eq(column(to)), tickets::updated_at.eq(now)))
            .returning(TicketRow::as_returning())
            .get_result(connection)
            .await
            .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    // ---- the rest of the workflow ------------------------------------------------------

    /// Locks (the opener reads but cannot write) or unlocks an open ticket; `None` when it
    /// is not open or already so.
    pub async fn set_ticket_locked(
        &self,
        ticket_id: i64,
        locked: bool,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let row = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Open.as_str()))
                    .filter(tickets::locked.ne(locked)),
            )
            .set((tickets::locked.eq(locked), tickets::updated_at.eq(now)))
            .returning(TicketRow::as_returning())
            .get_result(connection)
            .await
            .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// Replaces a ticket's tags.
    pub async fn set_ticket_tags(
        &self,
        ticket_id: i64,
        tags: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tags = tags_text(tags);
        let now = naive(now);
        with_connection!(self, connection => {
            diesel::update(tickets::table.filter(tickets::id.eq(ticket_id)))
                .set((tickets::tags.eq(&tags), tickets::updated_at.eq(now)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Sets (or clears) the department a ticket is with.
    pub async fn set_ticket_department(
        &self,
        ticket_id: i64,
        department: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = naive(now);
        with_connection!(self, connection => {
            diesel::update(tickets::table.filter(tickets::id.eq(ticket_id)))
                .set((tickets::department.eq(department), tickets::updated_at.eq(now)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Raises an open ticket's escalation to `level`; `None` when it is not open or already
    /// at that level or higher (two staff escalating at once raise it once).
    pub async fn escalate_ticket(
        &self,
        ticket_id: i64,
        level: i32,
        now: DateTime<Utc>,
    ) -> Result<Option<Ticket>, StoreError> {
        let now = naive(now);
        let row = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::status.eq(Status::Open.as_str()))
                    .filter(tickets::escalation.lt(level)),
            )
            .set((tickets::escalation.eq(level), tickets::updated_at.eq(now)))
            .returning(TicketRow::as_returning())
            .get_result(connection)
            .await
            .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// A message was seen in an open ticket's channel.
    pub async fn touch_ticket(
        &self,
        channel_id: Id<ChannelMarker>,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = naive(at);
        with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::channel_id.eq(Some(column(channel_id))))
                    .filter(tickets::status.eq(Status::Open.as_str())),
            )
            .set(tickets::last_activity_at.eq(Some(at)))
            .execute(connection)
            .await
        })?;
        Ok(())
    }

    /// Open tickets silent for longer than their category allows, with the minutes it
    /// allows (every guild: the leader's ticker closes them).
    pub async fn inactive_tickets(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Ticket, i32)>, StoreError> {
        let limits: Vec<(i64, i32)> = with_connection!(self, connection => {
            ticket_categories::table
                .filter(ticket_categories::inactive_close_minutes.gt(0))
                .select((ticket_categories::id, ticket_categories::inactive_close_minutes))
                .load(connection)
                .await
        })?;
        let mut found = Vec::new();
        for (category, minutes) in limits {
            let before = naive(now - chrono::Duration::minutes(i64::from(minutes)));
            let rows: Vec<TicketRow> = with_connection!(self, connection => {
                tickets::table
                    .filter(tickets::category_id.eq(category))
                    .filter(tickets::status.eq(Status::Open.as_str()))
                    .filter(tickets::last_activity_at.lt(before))
                    .select(TicketRow::as_select())
                    .limit(100)
                    .load(connection)
                    .await
            })?;
            for ticket in tickets_from(rows)? {
                found.push((ticket, minutes));
            }
        }
        Ok(found)
    }

    /// The opener's stars for a closed ticket, given once; `false` when they were given
    /// already, the ticket is still open, or it is not theirs.
    pub async fn rate_ticket(
        &self,
        ticket_id: i64,
        opener: Id<UserMarker>,
        stars: i32,
    ) -> Result<bool, StoreError> {
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::opener_id.eq(column(opener)))
                    .filter(tickets::status.eq_any([Status::Closed.as_str(), Status::Deleted.as_str()]))
                    .filter(tickets::feedback_stars.is_null()),
            )
            .set(tickets::feedback_stars.eq(Some(stars)))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// The opener's words after their stars, given once.
    pub async fn ticket_feedback_text(
        &self,
        ticket_id: i64,
        opener: Id<UserMarker>,
        text: &str,
    ) -> Result<bool, StoreError> {
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::opener_id.eq(column(opener)))
                    .filter(tickets::feedback_stars.is_not_null())
                    .filter(tickets::feedback_text.is_null()),
            )
            .set(tickets::feedback_text.eq(Some(text)))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Hard delete: the ticket's row and its timeline are gone for good (its number is not
    /// given again). `None` when someone else purged it first; else the ticket as it was.
    pub async fn purge_ticket(&self, ticket_id: i64) -> Result<Option<Ticket>, StoreError> {
        let row = with_connection!(self, connection => {
            connection.transaction::<Option<TicketRow>, diesel::result::Error, _>(async |connection| {
                diesel::delete(ticket_events::table.filter(ticket_events::ticket_id.eq(ticket_id)))
                    .execute(connection)
                    .await?;
                diesel::delete(tickets::table.filter(tickets::id.eq(ticket_id)))
                    .returning(TicketRow::as_returning())
                    .get_result(connection)
                    .await
                    .optional()
            }).await
        })?;
        row.map(Ticket::try_from).transpose()
    }

    // ---- anonymous tickets and SLA alerts --------------------------------------------------

    /// The opener's newest open ticket of an anonymous category, in any guild (their DMs
    /// to the bot go there).
    pub async fn open_anonymous_ticket_of(
        &self,
        opener_id: Id<UserMarker>,
    ) -> Result<Option<Ticket>, StoreError> {
        let row: Option<TicketRow> = with_connection!(self, connection => {
            tickets::table
                .inner_join(ticket_categories::table.on(ticket_categories::id.eq(tickets::category_id)))
                .filter(tickets::opener_id.eq(column(opener_id)))
                .filter(tickets::status.eq(Status::Open.as_str()))
                .filter(ticket_categories::anonymous.eq(true))
                .order(tickets::created_at.desc())
                .select(TicketRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Ticket::try_from).transpose()
    }

    /// The channels of open anonymous tickets with their openers (the watcher relays
    /// staff's messages there to the opener).
    pub async fn anonymous_ticket_channels(
        &self,
    ) -> Result<Vec<(Id<ChannelMarker>, Id<UserMarker>)>, StoreError> {
        let rows: Vec<(Option<i64>, i64)> = with_connection!(self, connection => {
            tickets::table
                .inner_join(ticket_categories::table.on(ticket_categories::id.eq(tickets::category_id)))
                .filter(tickets::status.eq(Status::Open.as_str()))
                .filter(ticket_categories::anonymous.eq(true))
                .filter(tickets::channel_id.is_not_null())
                .select((tickets::channel_id, tickets::opener_id))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .filter_map(|(channel, opener)| channel.map(|channel| (channel, opener)))
            .map(|(channel, opener)| {
                Ok((
                    id("tickets.channel_id", channel)?,
                    id("tickets.opener_id", opener)?,
                ))
            })
            .collect()
    }

    /// Open tickets still without a first answer past their category's SLA, not yet
    /// alerted, with the SLA minutes (every guild: the leader's ticker alerts).
    pub async fn sla_breaches(&self, now: DateTime<Utc>) -> Result<Vec<(Ticket, i32)>, StoreError> {
        let limits: Vec<(i64, i32)> = with_connection!(self, connection => {
            ticket_categories::table
                .filter(ticket_categories::sla_minutes.gt(0))
                .select((ticket_categories::id, ticket_categories::sla_minutes))
                .load(connection)
                .await
        })?;
        let mut found = Vec::new();
        for (category, minutes) in limits {
            let before = naive(now - chrono::Duration::minutes(i64::from(minutes)));
            let rows: Vec<TicketRow> = with_connection!(self, connection => {
                tickets::table
                    .filter(tickets::category_id.eq(category))
                    .filter(tickets::status.eq(Status::Open.as_str()))
                    .filter(tickets::first_response_at.is_null())
                    .filter(tickets::sla_alerted_at.is_null())
                    .filter(tickets::created_at.lt(before))
                    .select(TicketRow::as_select())
                    .limit(100)
                    .load(connection)
                    .await
            })?;
            for ticket in tickets_from(rows)? {
                found.push((ticket, minutes));
            }
        }
        Ok(found)
    }

    /// Marks a ticket's SLA alert sent; `false` when another leader sent it first.
    pub async fn mark_sla_alerted(
        &self,
        ticket_id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let changed = with_connection!(self, connection => {
            diesel::update(
                tickets::table
                    .filter(tickets::id.eq(ticket_id))
                    .filter(tickets::sla_alerted_at.is_null()),
            )
            .set(tickets::sla_alerted_at.eq(Some(naive(now))))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    // ---- backup and restore -------------------------------------------------------------

    /// A restore, all or nothing: the settings replace the stored ones (the `reset` keys
    /// go back to their defaults), categories are upserted by name, panels by title (a restored panel keeps no
    /// deployed message: it is posted again with `/tickets panel deploy`). What was
    /// written, as (settings, categories, panels).
    pub async fn restore_ticket_config(
        &self,
        guild_id: Id<GuildMarker>,
        settings: &[(String, serde_json::Value)],
        reset: &[&str],
        categories: &[CategoryInput],
        panels: &[(PanelInput, Option<String>)],
    ) -> Result<(usize, usize, usize), StoreError> {
        use crate::kernel::store::schema::feature_settings;
        let guild = column(guild_id);
        let now = self.now();
        with_connection!(self, connection => {
            connection.transaction::<(usize, usize, usize), diesel::result::Error, _>(async |connection| {
                diesel::delete(
                    feature_settings::table
                        .filter(feature_settings::guild_id.eq(guild))
                        .filter(feature_settings::feature.eq(super::TICKETS))
                        .filter(feature_settings::key.eq_any(reset)),
                )
                .execute(connection)
                .await?;
                for (key, value) in settings {
                    let value = value.to_string();
                    diesel::insert_into(feature_settings::table)
                        .values((
                            feature_settings::guild_id.eq(guild),
                            feature_settings::feature.eq(super::TICKETS),
                            feature_settings::key.eq(key),
                            feature_settings::value.eq(&value),
                            feature_settings::updated_at.eq(now),
                        ))
                        .on_conflict((feature_settings::guild_id, feature_settings::feature, feature_settings::key))
                        .do_update()
                        .set((feature_settings::value.eq(&value), feature_settings::updated_at.eq(now)))
                        .execute(connection)
                        .await?;
                }
                let mut category_ids = std::collections::HashMap::new();
                for input in categories {
                    let questions = serde_json::to_string(&input.questions).unwrap_or_else(|_| "[]".into());
                    let tags = tags_text(&input.default_tags);
                    let set = (
                        ticket_categories::staff_role_id.eq(nullable(input.staff_role_id)),
                        ticket_categories::parent_channel_id.eq(nullable(input.parent_channel_id)),
                        ticket_categories::sla_minutes.eq(input.sla_minutes),
                        ticket_categories::default_priority.eq(input.default_priority.as_str()),
                        ticket_categories::questions.eq(&questions),
                        ticket_categories::anonymous.eq(input.anonymous),
                        ticket_categories::default_tags.eq(&tags),
                        ticket_categories::inactive_close_minutes.eq(input.inactive_close_minutes),
                        ticket_categories::captcha.eq(input.captcha),
                    );
                    let id: i64 = diesel::insert_into(ticket_categories::table)
                        .values((
                            ticket_categories::guild_id.eq(guild),
                            ticket_categories::name.eq(&input.name),
                            ticket_categories::created_at.eq(now),
                            set,
                        ))
                        .on_conflict((ticket_categories::guild_id, ticket_categories::name))
                        .do_update()
                        .set(set)
                        .returning(ticket_categories::id)
                        .get_result(connection)
                        .await?;
                    category_ids.insert(input.name.to_lowercase(), id);
                }
                for (panel, category) in panels {
                    let category_id = match category {
                        Some(name) => match category_ids.get(&name.to_lowercase()) {
                            Some(id) => Some(*id),
                            None => ticket_categories::table
                                .filter(ticket_categories::guild_id.eq(guild))
                                .filter(ticket_categories::name.eq(name))
                                .select(ticket_categories::id)
                                .first::<i64>(connection)
                                .await
                                .optional()?,
                        },
                        None => None,
                    };
                    let set = (
                        ticket_panels::description.eq(&panel.description),
                        ticket_panels::button_label.eq(&panel.button_label),
                        ticket_panels::button_style.eq(&panel.button_style),
                        ticket_panels::emoji.eq(panel.emoji.as_deref()),
                        ticket_panels::category_id.eq(category_id),
                    );
                    let updated = diesel::update(
                        ticket_panels::table
                            .filter(ticket_panels::guild_id.eq(guild))
                            .filter(ticket_panels::title.eq(&panel.title)),
                    )
                    .set(set)
                    .execute(connection)
                    .await?;
                    if updated == 0 {
                        diesel::insert_into(ticket_panels::table)
                            .values((
                                ticket_panels::guild_id.eq(guild),
                                ticket_panels::title.eq(&panel.title),
                                ticket_panels::created_at.eq(now),
                                set,
                            ))
                            .execute(connection)
                            .await?;
                    }
                }
                Ok((settings.len(), categories.len(), panels.len()))
            }).await
        })
    }

    // ---- staff warnings -----------------------------------------------------------------

    /// Records a warning an admin gave a staff member; how many warnings they have now.
    pub async fn add_ticket_staff_warning(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        reason: &str,
        warned_by: Id<UserMarker>,
        at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let (guild, user) = (column(guild_id), column(user_id));
        let values = (
            ticket_staff_warnings::guild_id.eq(guild),
            ticket_staff_warnings::user_id.eq(user),
            ticket_staff_warnings::reason.eq(reason),
            ticket_staff_warnings::warned_by.eq(column(warned_by)),
            ticket_staff_warnings::created_at.eq(naive(at)),
        );
        with_connection!(self, connection => {
            connection.transaction::<i64, diesel::result::Error, _>(async |connection| {
                diesel::insert_into(ticket_staff_warnings::table)
                    .values(values)
                    .execute(connection)
                    .await?;
                ticket_staff_warnings::table
                    .filter(ticket_staff_warnings::guild_id.eq(guild))
                    .filter(ticket_staff_warnings::user_id.eq(user))
                    .count()
                    .get_result(connection)
                    .await
            }).await
        })
    }

    /// How many warnings each warned staff member of the guild has (the leaderboard's).
    pub async fn ticket_staff_warning_counts(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<std::collections::BTreeMap<Id<UserMarker>, i64>, StoreError> {
        let guild = column(guild_id);
        let rows: Vec<(i64, i64)> = with_connection!(self, connection => {
            ticket_staff_warnings::table
                .filter(ticket_staff_warnings::guild_id.eq(guild))
                .group_by(ticket_staff_warnings::user_id)
                .select((ticket_staff_warnings::user_id, diesel::dsl::count_star()))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(|(user, count)| Ok((id("ticket_staff_warnings.user_id", user)?, count)))
            .collect()
    }

    // ---- the timeline --------------------------------------------------------------------

    pub async fn add_ticket_event(
        &self,
        ticket: &Ticket,
        actor_id: Id<UserMarker>,
        kind: &str,
        detail: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let values = (
            ticket_events::ticket_id.eq(ticket.id),
            ticket_events::guild_id.eq(column(ticket.guild_id)),
            ticket_events::actor_id.eq(column(actor_id)),
            ticket_events::kind.eq(kind),
            ticket_events::detail.eq(detail),
            ticket_events::at.eq(naive(at)),
        );
        with_connection!(self, connection => {
            diesel::insert_into(ticket_events::table)
                .values(values)
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// A ticket's timeline, oldest first.
    pub async fn ticket_events(&self, ticket_id: i64) -> Result<Vec<TicketEvent>, StoreError> {
        let rows: Vec<(i64, String, String, NaiveDateTime)> = with_connection!(self, connection => {
            ticket_events::table
                .filter(ticket_events::ticket_id.eq(ticket_id))
                .order(ticket_events::id)
                .select((
                    ticket_events::actor_id,
                    ticket_events::kind,
                    ticket_events::detail,
                    ticket_events::at,
                ))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(|(actor, kind, detail, at)| {
                Ok(TicketEvent {
                    actor_id: id("ticket_events.actor_id", actor)?,
                    kind,
                    detail,
                    at: utc(at),
                })
            })
            .collect()
    }
}
