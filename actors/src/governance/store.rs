//! The governance tables: proposals (one open per type per member, a conditional insert),
//! confidential reports, and the queue's two persistent messages. Every decision is a
//! conditional update — approving claims a pending proposal (`pending` → `approving`) for
//! one admin only — so two admins at once give one decision and nothing is created twice.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_model::id::Id;

use super::schema::{governance_proposals, governance_queue_messages, governance_reports};
use crate::kernel::store::ids::{column, id, optional_id};
use crate::kernel::store::{with_connection, Store, StoreError};

/// What a member proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalKind {
    Channel,
    Emoji,
}

impl ProposalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalKind::Channel => "channel",
            ProposalKind::Emoji => "emoji",
        }
    }

    fn parse(text: &str) -> ProposalKind {
        if text == "emoji" {
            ProposalKind::Emoji
        } else {
            ProposalKind::Channel
        }
    }
}

/// Where a proposal stands. `Approving`: one admin claimed it and is creating it now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProposalStatus {
    Pending,
    Approving,
    Approved,
    Rejected,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Pending => "pending",
            ProposalStatus::Approving => "approving",
            ProposalStatus::Approved => "approved",
            ProposalStatus::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> ProposalStatus {
        match text {
            "approving" => ProposalStatus::Approving,
            "approved" => ProposalStatus::Approved,
            "rejected" => ProposalStatus::Rejected,
            _ => ProposalStatus::Pending,
        }
    }
}

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub id: i64,
    pub guild: Id<GuildMarker>,
    pub user: Id<UserMarker>,
    pub kind: ProposalKind,
    pub status: ProposalStatus,
    /// The sanitized idea (a channel), or the emoji's name.
    pub idea: String,
    /// The model's channel name; `None`: no suggestion.
    pub suggestion: Option<String>,
    /// Why there is no suggestion (for staff).
    pub suggestion_note: Option<String>,
    /// The emoji's image as a data URI (checked, at most 256 KiB).
    pub image: Option<String>,
    pub file_url: Option<String>,
    pub final_name: Option<String>,
    /// The channel or emoji made on approval.
    pub created_id: Option<u64>,
    pub decided_by: Option<Id<UserMarker>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A proposal to store.
#[derive(Debug, Clone, Default)]
pub struct NewProposal<'a> {
    pub idea: &'a str,
    pub suggestion: Option<&'a str>,
    pub suggestion_note: Option<&'a str>,
    pub image: Option<&'a str>,
    pub file_url: Option<&'a str>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = governance_proposals)]
struct ProposalRow {
    id: i64,
    guild_id: i64,
    user_id: i64,
    kind: String,
    status: String,
    idea: String,
    suggestion: Option<String>,
    suggestion_note: Option<String>,
    image: Option<String>,
    file_url: Option<String>,
    final_name: Option<String>,
    created_id: Option<i64>,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
    reason: Option<String>,
    created_at: NaiveDateTime,
}

impl TryFrom<ProposalRow> for Proposal {
    type Error = StoreError;
    fn try_from(row: ProposalRow) -> Result<Self, StoreError> {
        Ok(Proposal {
            id: row.id,
            guild: id("guild_id", row.guild_id)?,
            user: id("user_id", row.user_id)?,
            kind: ProposalKind::parse(&row.kind),
            status: ProposalStatus::parse(&row.status),
            idea: row.idea,
            suggestion: row.suggestion,
            suggestion_note: row.suggestion_note,
            image: row.image,
            file_url: row.file_url,
            final_name: row.final_name,
            created_id: row.created_id.map(|id| id as u64),
            decided_by: optional_id("decided_by", row.decided_by)?,
            decided_at: row.decided_at.map(|at| at.and_utc()),
            reason: row.reason,
            created_at: row.created_at.and_utc(),
        })
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    Pending,
    Investigating,
    Resolved,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Investigating => "investigating",
            ReportStatus::Resolved => "resolved",
        }
    }

    fn parse(text: &str) -> ReportStatus {
        match text {
            "investigating" => ReportStatus::Investigating,
            "resolved" => ReportStatus::Resolved,
            _ => ReportStatus::Pending,
        }
    }
}

/// A confidential report as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub id: i64,
    pub guild: Id<GuildMarker>,
    pub user: Id<UserMarker>,
    pub status: ReportStatus,
    pub description: String,
    pub file_url: Option<String>,
    /// Its full record in the admin log.
    pub log_message: Option<(Id<ChannelMarker>, Id<MessageMarker>)>,
    pub handled_by: Option<Id<UserMarker>>,
    pub resolution: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = governance_reports)]
struct ReportRow {
    id: i64,
    guild_id: i64,
    user_id: i64,
    status: String,
    description: String,
    file_url: Option<String>,
    log_channel_id: Option<i64>,
    log_message_id: Option<i64>,
    handled_by: Option<i64>,
    resolution: Option<String>,
    created_at: NaiveDateTime,
}

impl TryFrom<ReportRow> for Report {
    type Error = StoreError;
    fn try_from(row: ReportRow) -> Result<Self, StoreError> {
        let log_message = match (row.log_channel_id, row.log_message_id) {
            (Some(channel), Some(message)) => Some((
                id("log_channel_id", channel)?,
                id("log_message_id", message)?,
            )),
            _ => None,
        };
        Ok(Report {
            id: row.id,
            guild: id("guild_id", row.guild_id)?,
            user: id("user_id", row.user_id)?,
            status: ReportStatus::parse(&row.status),
            description: row.description,
            file_url: row.file_url,
            log_message,
            handled_by: optional_id("handled_by", row.handled_by)?,
            resolution: row.resolution,
            created_at: row.created_at.and_utc(),
        })
    }
}

/// Which of the queue's persistent messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueMessage {
    Proposals,
    Reports,
}

impl QueueMessage {
    pub const BOTH: [QueueMessage; 2] = [QueueMessage::Proposals, QueueMessage::Reports];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueMessage::Proposals => "proposals",
            QueueMessage::Reports => "reports",
        }
    }
}

impl Store {
    // ---- proposals -----------------------------------------------------------------------

    /// Stores a pending proposal unless the member already has an open one of this kind;
    /// its id when stored.
    pub async fn insert_proposal(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        kind: ProposalKind,
        new: &NewProposal<'_>,
    ) -> Result<Option<i64>, StoreError> {
        let now = self.now();
        with_connection!(self, connection => {
            diesel::insert_into(governance_proposals::table)
                .values((
                    governance_proposals::guild_id.eq(column(guild)),
                    governance_proposals::user_id.eq(column(user)),
                    governance_proposals::kind.eq(kind.as_str()),
                    governance_proposals::status.eq(ProposalStatus::Pending.as_str()),
                    governance_proposals::idea.eq(new.idea),
                    governance_proposals::suggestion.eq(new.suggestion),
                    governance_proposals::suggestion_note.eq(new.suggestion_note),
                    governance_proposals::image.eq(new.image),
                    governance_proposals::file_url.eq(new.file_url),
                    governance_proposals::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .returning(governance_proposals::id)
                .get_result(connection)
                .await
                .optional()
        })
    }

    /// A guild's proposal (another guild's id reads as none).
    pub async fn proposal(
        &self,
        guild: Id<GuildMarker>,
        proposal: i64,
    ) -> Result<Option<Proposal>, StoreError> {
        let row: Option<ProposalRow> = with_connection!(self, connection => {
            governance_proposals::table
                .filter(governance_proposals::guild_id.eq(column(guild)))
                .filter(governance_proposals::id.eq(proposal))
                .select(ProposalRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Proposal::try_from).transpose()
    }

    /// The member's open proposal of this kind, if any.
    pub async fn open_proposal_of(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        kind: ProposalKind,
    ) -> Result<Option<Proposal>, StoreError> {
        let row: Option<ProposalRow> = with_connection!(self, connection => {
            governance_proposals::table
                .filter(governance_proposals::guild_id.eq(column(guild)))
                .filter(governance_proposals::user_id.eq(column(user)))
                .filter(governance_proposals::kind.eq(kind.as_str()))
                .filter(governance_proposals::status.eq_any(vec!["pending", "approving"]))
                .select(ProposalRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Proposal::try_from).transpose()
    }

    /// A guild's undecided proposals, oldest first.
    pub async fn pending_proposals(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<Vec<Proposal>, StoreError> {
        let rows: Vec<ProposalRow> = with_connection!(self, connection => {
            governance_proposals::table
                .filter(governance_proposals::guild_id.eq(column(guild)))
                .filter(governance_proposals::status.eq_any(vec!["pending", "approving"]))
                .order(governance_proposals::id.asc())
                .select(ProposalRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Proposal::try_from).collect()
    }

    /// A fresh suggestion for a pending proposal (a re-run).
    pub async fn set_proposal_suggestion(
        &self,
        guild: Id<GuildMarker>,
        proposal: i64,
        suggestion: Option<&str>,
        note: Option<&str>,
    ) -> Result<bool, StoreError> {
        let changed = with_connection!(self, connection => {
            diesel::update(
                governance_proposals::table
                    .filter(governance_proposals::guild_id.eq(column(guild)))
                    .filter(governance_proposals::id.eq(proposal))
                    .filter(governance_proposals::status.eq(ProposalStatus::Pending.as_str())),
            )
            .set((
                governance_proposals::suggestion.eq(suggestion),
                governance_proposals::suggestion_note.eq(note),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Claims a pending proposal for `admin` to approve as `name` (the channel or emoji
    /// about to be made, kept so an approval cut off by a stop can be settled later):
    /// true for exactly one caller.
    pub async fn claim_proposal(
        &self,
        guild: Id<GuildMarker>,
        proposal: i64,
        admin: Id<UserMarker>,
        name: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let changed = with_connection!(self, connection => {
            diesel::update(
                governance_proposals::table
                    .filter(governance_proposals::guild_id.eq(column(guild)))
                    .filter(governance_proposals::id.eq(proposal))
                    .filter(governance_proposals::status.eq(ProposalStatus::Pending.as_str())),
            )
            .set((
                governance_proposals::status.eq(ProposalStatus::Approving.as_str()),
                governance_proposals::final_name.eq(name),
                governance_proposals::decided_by.eq(column(admin)),
                governance_proposals::decided_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// The claimed proposal could not be made: pending again, for anyone.
    pub async fn release_proposal(
        &self,
        guild: Id<GuildMarker>,
        proposal: i64,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(
                governance_proposals::table
                    .filter(governance_proposals::guild_id.eq(column(guild)))
                    .filter(governance_proposals::id.eq(proposal))
                    .filter(governance_proposals::status.eq(ProposalStatus::Approving.as_str())),
            )
            .set((
                governance_proposals::status.eq(ProposalStatus::Pending.as_str()),
                governance_proposals::final_name.eq(None::<String>),
                governance_proposals::decided_by.eq(None::<i64>),
                governance_proposals::decided_at.eq(None::<NaiveDateTime>),
            ))
            .execute(connection)
            .await
        })?;
        Ok(())
    }

    /// Every guild's approvals claimed before `claimed_before` and still not finished:
    /// the process that claimed them stopped while making the channel or emoji.
    pub async fn unfinished_approvals(
        &self,
        claimed_before: DateTime<Utc>,
    ) -> Result<Vec<Proposal>, StoreError> {
        let before = claimed_before.naive_utc();
        let rows: Vec<ProposalRow> = with_connection!(self, connection => {
            governance_proposals::table
                .filter(governance_proposals::status.eq(ProposalStatus::Approving.as_str()))
                .filter(governance_proposals::decided_at.lt(before))
                .order(governance_proposals::id.asc())
                .select(ProposalRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Proposal::try_from).collect()
    }

    /// The claimed proposal was made: approved as `name`, what was created recorded.
    pub async fn complete_approval(
        &self,
        guild: Id<GuildMarker>,
        proposal: i64,
        name: &str,
        created: u64,
    ) -> Result<bool, StoreError> {
        let changed = with_connection!(self, connection => {
            diesel::update(
                governance_proposals::table
                    .filter(governance_proposals::guild_id.eq(column(guild)))
                    .filter(governance_proposals::id.eq(proposal))
                    .filter(governance_proposals::status.eq(ProposalStatus::Approving.as_str())),
            )
            .set((
                governance_proposals::status.eq(ProposalStatus::Approved.as_str()),
                governance_proposals::final_name.eq(name),
                governance_proposals::created_id.eq(created as i64),
                // The image is on the server now; the copy is not kept.
                governance_proposals::image.eq(None::<String>),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Rejects a pending proposal: true when this call did.
    pub async fn reject_proposal(
        &self,
        guild: Id<GuildMarker>,
        proposal: i64,
        admin: Id<UserMarker>,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let changed = with_connection!(self, connection => {
            diesel::update(
                governance_proposals::table
                    .filter(governance_proposals::guild_id.eq(column(guild)))
                    .filter(governance_proposals::id.eq(proposal))
                    .filter(governance_proposals::status.eq(ProposalStatus::Pending.as_str())),
            )
            .set((
                governance_proposals::status.eq(ProposalStatus::Rejected.as_str()),
                governance_proposals::decided_by.eq(column(admin)),
                governance_proposals::decided_at.eq(now),
                governance_proposals::reason.eq(reason),
                governance_proposals::image.eq(None::<String>),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    // ---- reports -------------------------------------------------------------------------

    /// Stores a pending report; its id.
    pub async fn insert_report(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        description: &str,
        file_url: Option<&str>,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        with_connection!(self, connection => {
            diesel::insert_into(governance_reports::table)
                .values((
                    governance_reports::guild_id.eq(column(guild)),
                    governance_reports::user_id.eq(column(user)),
                    governance_reports::status.eq(ReportStatus::Pending.as_str()),
                    governance_reports::description.eq(description),
                    governance_reports::file_url.eq(file_url),
                    governance_reports::created_at.eq(now),
                    governance_reports::updated_at.eq(now),
                ))
                .returning(governance_reports::id)
                .get_result(connection)
                .await
        })
    }

    /// Where the report's full record is in the admin log.
    pub async fn set_report_log_message(
        &self,
        report: i64,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(governance_reports::table.filter(governance_reports::id.eq(report)))
                .set((
                    governance_reports::log_channel_id.eq(column(channel)),
                    governance_reports::log_message_id.eq(column(message)),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// A guild's report (another guild's id reads as none).
    pub async fn report(
        &self,
        guild: Id<GuildMarker>,
        report: i64,
    ) -> Result<Option<Report>, StoreError> {
        let row: Option<ReportRow> = with_connection!(self, connection => {
            governance_reports::table
                .filter(governance_reports::guild_id.eq(column(guild)))
                .filter(governance_reports::id.eq(report))
                .select(ReportRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Report::try_from).transpose()
    }

    /// A guild's reports not yet resolved, oldest first.
    pub async fn open_reports(&self, guild: Id<GuildMarker>) -> Result<Vec<Report>, StoreError> {
        let rows: Vec<ReportRow> = with_connection!(self, connection => {
            governance_reports::table
                .filter(governance_reports::guild_id.eq(column(guild)))
                .filter(governance_reports::status.ne(ReportStatus::Resolved.as_str()))
                .order(governance_reports::id.asc())
                .select(ReportRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Report::try_from).collect()
    }

    /// A pending report is being investigated by `staff`: true when this call moved it.
    pub async fn investigate_report(
        &self,
        guild: Id<GuildMarker>,
        report: i64,
        staff: Id<UserMarker>,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let changed = with_connection!(self, connection => {
            diesel::update(
                governance_reports::table
                    .filter(governance_reports::guild_id.eq(column(guild)))
                    .filter(governance_reports::id.eq(report))
                    .filter(governance_reports::status.eq(ReportStatus::Pending.as_str())),
            )
            .set((
                governance_reports::status.eq(ReportStatus::Investigating.as_str()),
                governance_reports::handled_by.eq(column(staff)),
                governance_reports::updated_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Resolves an open report: true when this call did.
    pub async fn resolve_report(
        &self,
        guild: Id<GuildMarker>,
        report: i64,
        staff: Id<UserMarker>,
        explanation: &str,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let changed = with_connection!(self, connection => {
            diesel::update(
                governance_reports::table
                    .filter(governance_reports::guild_id.eq(column(guild)))
                    .filter(governance_reports::id.eq(report))
                    .filter(governance_reports::status.ne(ReportStatus::Resolved.as_str())),
            )
            .set((
                governance_reports::status.eq(ReportStatus::Resolved.as_str()),
                governance_reports::handled_by.eq(column(staff)),
                governance_reports::resolution.eq(explanation),
                governance_reports::updated_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    // ---- the queue's messages ------------------------------------------------------------

    /// Where a queue message of the guild was posted, if it was.
    pub async fn queue_message(
        &self,
        guild: Id<GuildMarker>,
        which: QueueMessage,
    ) -> Result<Option<(Id<ChannelMarker>, Id<MessageMarker>)>, StoreError> {
        let row: Option<(i64, i64)> = with_connection!(self, connection => {
            governance_queue_messages::table
                .filter(governance_queue_messages::guild_id.eq(column(guild)))
                .filter(governance_queue_messages::name.eq(which.as_str()))
                .select((governance_queue_messages::channel_id, governance_queue_messages::message_id))
                .first(connection)
                .await
                .optional()
        })?;
        row.map(|(channel, message)| {
            Ok::<_, StoreError>((id("channel_id", channel)?, id("message_id", message)?))
        })
        .transpose()
    }

    /// Remembers where a queue message was (re)posted.
    pub async fn set_queue_message(
        &self,
        guild: Id<GuildMarker>,
        which: QueueMessage,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::insert_into(governance_queue_messages::table)
                .values((
                    governance_queue_messages::guild_id.eq(column(guild)),
                    governance_queue_messages::name.eq(which.as_str()),
                    governance_queue_messages::channel_id.eq(column(channel)),
                    governance_queue_messages::message_id.eq(column(message)),
                ))
                .on_conflict((governance_queue_messages::guild_id, governance_queue_messages::name))
                .do_update()
                .set((
                    governance_queue_messages::channel_id.eq(column(channel)),
                    governance_queue_messages::message_id.eq(column(message)),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Every queue message of every guild: (guild, message) — what a hand deletion is
    /// recognised by, and what the ticker checks.
    pub async fn all_queue_messages(
        &self,
    ) -> Result<Vec<(Id<GuildMarker>, Id<MessageMarker>)>, StoreError> {
        let rows: Vec<(i64, i64)> = with_connection!(self, connection => {
            governance_queue_messages::table
                .select((governance_queue_messages::guild_id, governance_queue_messages::message_id))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(|(guild, message)| {
                Ok::<_, StoreError>((id("guild_id", guild)?, id("message_id", message)?))
            })
            .collect()
    }
}
