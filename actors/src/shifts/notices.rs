//! Shift notices — the claimer's reminder DM and the "still unclaimed" ping — as
//! deliveries that are never lost and never sent twice: the tick records each one once (its
//! primary key), a sender leases it before sending (so two ticks or two processes never
//! both send), a send refused with 429/5xx or lost to a timeout is retried with backoff,
//! and each ends `sent`, `failed` with Discord's reason (50007: the person does not accept
//! DMs — logged and shown to admins in `/shift upcoming`), or `void` when it is no longer
//! wanted (the shift was unclaimed, cancelled or started first).

use chrono::{DateTime, Duration, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::id::Id;

use super::render::when;
use super::settings::ShiftSettings;
use super::store::{shifts_overlapping, Shift};
use crate::kernel::discord::DiscordError;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::ReplyMessage;
use crate::kernel::store::ids::{column, id};
use crate::kernel::store::schema::shifts;
use crate::kernel::store::{with_connection, Store, StoreError};
use crate::kernel::Kernel;
use crate::t;

diesel::table! {
    shift_notices (shift_id, kind, recipient_id) {
        shift_id -> BigInt,
        kind -> Text,
        recipient_id -> BigInt,
        guild_id -> BigInt,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        leased_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        error_code -> Nullable<Integer>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

// `/shift upcoming` reads the notices of the shifts in its window in one query.
diesel::allow_tables_to_appear_in_same_query!(shift_notices, shifts);

/// Sends before a notice is given up: the first and four retries.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long a sender holds a notice; a sender that died is replaced after this.
const LEASE: Duration = Duration::minutes(2);
/// How many notices one tick sends at most (the rest wait for the next tick).
const PER_TICK: i64 = 50;

/// The wait before retry number `attempt` (1-based): 5 s, 15 s, 45 s, 135 s.
pub fn backoff(attempt: i32) -> Duration {
    Duration::seconds(5 * 3_i64.pow(attempt.clamp(1, 8) as u32 - 1))
}

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeTo {
    /// The claimer's reminder, by DM.
    Claimer(Id<UserMarker>),
    /// The "still unclaimed" ping, in this channel.
    Channel(Id<ChannelMarker>),
}

impl NoticeTo {
    fn kind(self) -> &'static str {
        match self {
            NoticeTo::Claimer(_) => "reminder",
            NoticeTo::Channel(_) => "unclaimed",
        }
    }

    fn recipient(self) -> i64 {
        match self {
            NoticeTo::Claimer(user) => column(user),
            NoticeTo::Channel(channel) => column(channel),
        }
    }

    fn from_columns(kind: &str, recipient: i64) -> Result<NoticeTo, StoreError> {
        match kind {
            "reminder" => Ok(NoticeTo::Claimer(id(
                "shift_notices.recipient_id",
                recipient,
            )?)),
            "unclaimed" => Ok(NoticeTo::Channel(id(
                "shift_notices.recipient_id",
                recipient,
            )?)),
            other => Err(StoreError::InvalidData {
                what: "shift_notices.kind",
                detail: format!("unknown kind `{other}`"),
            }),
        }
    }
}

/// Where a notice is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeState {
    Pending,
    Sent,
    Failed,
    /// No longer wanted; never sent.
    Void,
}

impl NoticeState {
    fn as_str(self) -> &'static str {
        match self {
            NoticeState::Pending => "pending",
            NoticeState::Sent => "sent",
            NoticeState::Failed => "failed",
            NoticeState::Void => "void",
        }
    }

    fn parse(stored: &str) -> Result<NoticeState, StoreError> {
        Ok(match stored {
            "pending" => NoticeState::Pending,
            "sent" => NoticeState::Sent,
            "failed" => NoticeState::Failed,
            "void" => NoticeState::Void,
            other => {
                return Err(StoreError::InvalidData {
                    what: "shift_notices.state",
                    detail: format!("unknown state `{other}`"),
                })
            }
        })
    }
}

/// One notice as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub shift_id: i64,
    pub guild_id: Id<GuildMarker>,
    pub to: NoticeTo,
    pub state: NoticeState,
    /// Sends tried so far.
    pub attempts: i32,
    pub last_error: Option<String>,
    /// Discord's JSON error code of the last failure.
    pub error_code: Option<i32>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = shift_notices)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct NoticeRow {
    shift_id: i64,
    kind: String,
    recipient_id: i64,
    guild_id: i64,
    state: String,
    attempts: i32,
    last_error: Option<String>,
    error_code: Option<i32>,
}

impl TryFrom<NoticeRow> for Notice {
    type Error = StoreError;

    fn try_from(row: NoticeRow) -> Result<Notice, StoreError> {
        Ok(Notice {
            shift_id: row.shift_id,
            guild_id: id("shift_notices.guild_id", row.guild_id)?,
            to: NoticeTo::from_columns(&row.kind, row.recipient_id)?,
            state: NoticeState::parse(&row.state)?,
            attempts: row.attempts,
            last_error: row.last_error,
            error_code: row.error_code,
        })
    }
}

fn naive(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.trunc_subsecs(6).naive_utc()
}

impl Store {
    /// Records that a shift's notice is due; true when it was not recorded before (a
    /// notice is recorded once per shift, kind and recipient, however many ticks ask).
    pub async fn record_notice(
        &self,
        guild_id: Id<GuildMarker>,
        shift_id: i64,
        to: NoticeTo,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = naive(now);
        let inserted = with_connection!(self, connection => {
            diesel::insert_into(shift_notices::table)
                .values((
                    shift_notices::shift_id.eq(shift_id),
                    shift_notices::kind.eq(to.kind()),
                    shift_notices::recipient_id.eq(to.recipient()),
                    shift_notices::guild_id.eq(column(guild_id)),
                    shift_notices::state.eq(NoticeState::Pending.as_str()),
                    shift_notices::attempts.eq(0),
                    shift_notices::next_attempt_at.eq(now),
                    shift_notices::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(connection)
                .await
        })?;
        Ok(inserted == 1)
    }

    /// Pending notices whose next attempt is due and that nobody holds, oldest first.
    pub async fn due_notices(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Notice>, StoreError> {
        let now = naive(now);
        let rows = with_connection!(self, connection => {
            shift_notices::table
                .filter(shift_notices::state.eq(NoticeState::Pending.as_str()))
                .filter(shift_notices::next_attempt_at.le(now))
                .filter(shift_notices::leased_until.is_null().or(shift_notices::leased_until.lt(now)))
                .order(shift_notices::next_attempt_at)
                .limit(limit)
                .select(NoticeRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Notice::try_from).collect()
    }

    /// Takes a pending notice for one send (counting the attempt); true for exactly one of
    /// any number of senders, until the lease runs out.
    pub async fn lease_notice(
        &self,
        notice: &Notice,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (until, now) = (naive(now + LEASE), naive(now));
        let leased = with_connection!(self, connection => {
            diesel::update(
                shift_notices::table
                    .find((notice.shift_id, notice.to.kind(), notice.to.recipient()))
                    .filter(shift_notices::state.eq(NoticeState::Pending.as_str()))
                    .filter(shift_notices::leased_until.is_null().or(shift_notices::leased_until.lt(now))),
            )
            .set((
                shift_notices::leased_until.eq(until),
                shift_notices::attempts.eq(shift_notices::attempts + 1),
            ))
            .execute(connection)
            .await
        })?;
        Ok(leased == 1)
    }

    /// Ends a pending notice as sent, failed or void, with the failure's reason.
    pub async fn finish_notice(
        &self,
        notice: &Notice,
        state: NoticeState,
        failure: Option<(&str, Option<i32>)>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let now = naive(now);
        let (error, code) = failure.map_or((None, None), |(error, code)| (Some(error), code));
        let finished = with_connection!(self, connection => {
            diesel::update(
                shift_notices::table
                    .find((notice.shift_id, notice.to.kind(), notice.to.recipient()))
                    .filter(shift_notices::state.eq(NoticeState::Pending.as_str())),
            )
            .set((
                shift_notices::state.eq(state.as_str()),
                shift_notices::leased_until.eq(None::<NaiveDateTime>),
                shift_notices::last_error.eq(error),
                shift_notices::error_code.eq(code),
                shift_notices::finished_at.eq(now),
            ))
            .execute(connection)
            .await
        })?;
        Ok(finished == 1)
    }

    /// Gives a leased notice back for another attempt at `at`, remembering why this one
    /// failed.
    pub async fn retry_notice_at(
        &self,
        notice: &Notice,
        error: &str,
        code: Option<i32>,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let at = naive(at);
        let released = with_connection!(self, connection => {
            diesel::update(
                shift_notices::table
                    .find((notice.shift_id, notice.to.kind(), notice.to.recipient()))
                    .filter(shift_notices::state.eq(NoticeState::Pending.as_str())),
            )
            .set((
                shift_notices::leased_until.eq(None::<NaiveDateTime>),
                shift_notices::next_attempt_at.eq(at),
                shift_notices::last_error.eq(error),
                shift_notices::error_code.eq(code),
            ))
            .execute(connection)
            .await
        })?;
        Ok(released == 1)
    }

    /// A guild's notices of its not cancelled shifts overlapping `from..to` (for
    /// `/shift upcoming`).
    pub async fn shift_notices_between(
        &self,
        guild_id: Id<GuildMarker>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Notice>, StoreError> {
        let guild_id = column(guild_id);
        let (from, to) = (naive(from), naive(to));
        let rows = with_connection!(self, connection => {
            shift_notices::table
                .filter(shift_notices::guild_id.eq(guild_id))
                .filter(
                    shift_notices::shift_id
                        .eq_any(shifts_overlapping(guild_id, from, to).select(shifts::id)),
                )
                .order((shift_notices::shift_id, shift_notices::kind))
                .select(NoticeRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Notice::try_from).collect()
    }
}

/// Whether a notice is still wanted for the shift as it is now.
fn still_wanted(notice: &Notice, shift: &Shift, now: DateTime<Utc>) -> Result<(), &'static str> {
    if shift.cancelled_at.is_some() {
        return Err("the shift was cancelled");
    }
    if shift.start <= now {
        return Err("the shift has started");
    }
    match notice.to {
        NoticeTo::Claimer(user) if shift.claimed_by != Some(user) => {
            Err("the claimer gave the shift back")
        }
        NoticeTo::Channel(_) if shift.claimed_by.is_some() => Err("the shift was claimed"),
        _ => Ok(()),
    }
}

/// Sends the notices that are due, each once.
pub(crate) async fn deliver_due(kernel: &Kernel) {
    let now = kernel.clock.now();
    let due = match kernel.store.due_notices(now, PER_TICK).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not read the due shift notices; trying next tick");
            return;
        }
    };
    for notice in due {
        if let Err(error) = deliver(kernel, &notice, now).await {
            // The lease runs out and a later tick tries again: nothing is lost.
            tracing::warn!(%error, shift = notice.shift_id, kind = notice.to.kind(), "a shift notice could not be handled; it is retried after its lease");
        }
    }
}

async fn deliver(kernel: &Kernel, notice: &Notice, now: DateTime<Utc>) -> Result<(), StoreError> {
    let store = &kernel.store;
    if !store.lease_notice(notice, now).await? {
        return Ok(()); // another sender has it
    }
    let attempt = notice.attempts + 1;
    let Some(shift) = store.shift(notice.guild_id, notice.shift_id).await? else {
        store
            .finish_notice(
                notice,
                NoticeState::Void,
                Some(("the shift is gone", None)),
                now,
            )
            .await?;
        return Ok(());
    };
    if let Err(why) = still_wanted(notice, &shift, now) {
        store
            .finish_notice(notice, NoticeState::Void, Some((why, None)), now)
            .await?;
        return Ok(());
    }
    let config = match kernel.guild_config(notice.guild_id).await {
        Ok(config) => config,
        Err(error) => {
            // Without the settings we cannot know whether the guild still wants it: wait.
            tracing::warn!(%error, guild = notice.guild_id.get(), shift = shift.id, "the guild's settings could not be read; the notice waits");
            let text = format!("settings unreadable: {error}");
            store
                .retry_notice_at(notice, &text, None, now + backoff(attempt))
                .await?;
            return Ok(());
        }
    };
    if !config.features.is_on(super::SHIFTS) {
        store
            .finish_notice(
                notice,
                NoticeState::Void,
                Some(("shifts are off here", None)),
                now,
            )
            .await?;
        return Ok(());
    }
    let locale = Locale::for_guild(&config.settings.locale);
    let sent = match notice.to {
        NoticeTo::Claimer(user) => {
            let text = ReplyMessage::text(t!(
                locale,
                "shift-reminder",
                id = shift.id,
                description = shift.description.as_str(),
                when = when(shift.start)
            ));
            kernel.discord.send_dm(user, &text).await
        }
        NoticeTo::Channel(channel) => {
            let role = config.settings.moderator_role_id;
            let mention = role.map(|r| format!("<@&{r}> ")).unwrap_or_default();
            let text = ReplyMessage::text(t!(
                locale,
                "shift-unclaimed-ping",
                mention = mention,
                id = shift.id,
                description = shift.description.as_str(),
                when = when(shift.start)
            ));
            let roles: Vec<_> = role.into_iter().collect();
            kernel
                .discord
                .send_message_pinging_roles(channel, &text, &roles)
                .await
        }
    };
    match sent {
        Ok(_) => {
            store
                .finish_notice(notice, NoticeState::Sent, None, now)
                .await?;
        }
        Err(error) => {
            let code = error.code().and_then(|code| i32::try_from(code).ok());
            let reason = error.to_string();
            if worth_retrying(&error) && attempt < MAX_ATTEMPTS {
                tracing::info!(%error, shift = shift.id, attempt, "a shift notice was not delivered; retrying later");
                store
                    .retry_notice_at(notice, &reason, code, now + backoff(attempt))
                    .await?;
            } else {
                tracing::warn!(%error, shift = shift.id, attempt, kind = notice.to.kind(), "a shift notice could not be delivered; given up");
                store
                    .finish_notice(notice, NoticeState::Failed, Some((&reason, code)), now)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Whether another attempt may succeed: rate limits, Discord's own failures and lost
/// answers are; a refusal (no DMs, no permission, no channel) is not.
fn worth_retrying(error: &DiscordError) -> bool {
    match error {
        DiscordError::Refused { status, .. } => *status == 429 || *status >= 500,
        DiscordError::Unreachable { .. } => true,
    }
}

/// The channel an unclaimed ping goes to: the shift channel, else where the shift is posted.
pub(crate) fn ping_channel(settings: &ShiftSettings, shift: &Shift) -> Option<Id<ChannelMarker>> {
    settings.channel_id.or(shift.channel_id)
}

/// Why a notice failed, in words for admins.
pub(crate) fn failure_text(locale: Locale, notice: &Notice) -> String {
    match notice.error_code {
        Some(50007) => t!(locale, "notice-failed-dms-closed"),
        Some(50001 | 50013) => t!(locale, "notice-failed-no-permission"),
        Some(10003) => t!(locale, "notice-failed-unknown-channel"),
        _ => t!(
            locale,
            "notice-failed-other",
            error = notice.last_error.as_deref().unwrap_or("?")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_threefold_from_five_seconds() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|a| backoff(a).num_seconds())
            .collect();
        assert_eq!(waits, [5, 15, 45, 135]);
    }

    #[test]
    fn only_rate_limits_server_errors_and_lost_answers_are_retried() {
        let refused = |status, code| DiscordError::Refused {
            route: "POST /channels/{id}/messages",
            status,
            code,
            message: String::new(),
        };
        assert!(worth_retrying(&refused(429, None)));
        assert!(worth_retrying(&refused(503, None)));
        assert!(!worth_retrying(&refused(403, Some(50007))));
        assert!(!worth_retrying(&refused(404, Some(10003))));
        assert!(worth_retrying(&DiscordError::Unreachable {
            route: "POST /users/@me/channels",
            reason: "timed out".into(),
        }));
    }
}
