//! The protection tables: each guild's settings document, the security events, raids with
//! their accounts, lockdown snapshots of the overwrites they replaced, and members waiting
//! at the verification gate. Starting a raid, ending it and taking a lockdown snapshot are
//! conditional, so two processes or two events at once do each once.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker, UserMarker};
use twilight_model::id::Id;

use super::schema::{
    security_events, security_lockdowns, security_raid_accounts, security_raids,
    security_verifications,
};
use super::settings::GuardSettings;
use crate::kernel::store::ids::{column, id, nullable, optional_id};
use crate::kernel::store::{with_connection, Store, StoreError};

/// Where a guild's protection settings are stored: (feature, key) of the feature settings.
const GUARD: (&str, &str) = ("security", "guard");

fn naive(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.trunc_subsecs(6).naive_utc()
}

/// One stored security event.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityEvent {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// `raid`, `spam`, `nuke`, `lockdown`, `unlockdown`, `verification`, `config`,
    /// `permission`.
    pub kind: String,
    pub rule: Option<String>,
    /// Whom it was about.
    pub user: Option<Id<UserMarker>>,
    /// Who did it: the bot, or a member of staff.
    pub actor: Option<Id<UserMarker>>,
    /// What was done (`quarantine`, `timeout`, `roles stripped`, …).
    pub action: String,
    pub detail: String,
}

/// An event to record.
#[derive(Debug, Clone, Default)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub rule: Option<&'a str>,
    pub user: Option<Id<UserMarker>>,
    pub actor: Option<Id<UserMarker>>,
    pub action: &'a str,
    pub detail: &'a str,
}

/// Which events `/security events` asks for.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub user: Option<Id<UserMarker>>,
    pub kind: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = security_events)]
struct EventRow {
    id: i64,
    created_at: NaiveDateTime,
    kind: String,
    rule: Option<String>,
    user_id: Option<i64>,
    actor_id: Option<i64>,
    action: String,
    detail: String,
}

impl TryFrom<EventRow> for SecurityEvent {
    type Error = StoreError;
    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        Ok(SecurityEvent {
            id: row.id,
            at: row.created_at.and_utc(),
            kind: row.kind,
            rule: row.rule,
            user: optional_id("user_id", row.user_id)?,
            actor: optional_id("actor_id", row.actor_id)?,
            action: row.action,
            detail: row.detail,
        })
    }
}

/// A raid as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Raid {
    pub id: i64,
    pub guild: Id<GuildMarker>,
    pub started_at: DateTime<Utc>,
    pub last_join_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_by: Option<Id<UserMarker>>,
    /// The action its accounts got.
    pub action: String,
    pub detail: String,
    /// The incident's message in the security log.
    pub log_message: Option<(Id<ChannelMarker>, Id<MessageMarker>)>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = security_raids)]
struct RaidRow {
    id: i64,
    guild_id: i64,
    started_at: NaiveDateTime,
    last_join_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
    ended_by: Option<i64>,
    action: String,
    detail: String,
    log_channel_id: Option<i64>,
    log_message_id: Option<i64>,
}

impl TryFrom<RaidRow> for Raid {
    type Error = StoreError;
    fn try_from(row: RaidRow) -> Result<Self, StoreError> {
        let log_message = match (row.log_channel_id, row.log_message_id) {
            (Some(channel), Some(message)) => Some((
                id("log_channel_id", channel)?,
                id("log_message_id", message)?,
            )),
            _ => None,
        };
        Ok(Raid {
            id: row.id,
            guild: id("guild_id", row.guild_id)?,
            started_at: row.started_at.and_utc(),
            last_join_at: row.last_join_at.and_utc(),
            ended_at: row.ended_at.map(|at| at.and_utc()),
            ended_by: optional_id("ended_by", row.ended_by)?,
            action: row.action,
            detail: row.detail,
            log_message,
        })
    }
}

/// One raid account and what became of it (`quarantined`, `failed: …`, `banned`,
/// `released`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaidAccount {
    pub user: Id<UserMarker>,
    pub action: String,
    pub outcome: String,
}

/// What a channel's @everyone overwrite was before a lockdown (channel 0: the invites
/// pause, whose bits are empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockdown {
    pub guild: Id<GuildMarker>,
    pub channel: u64,
    pub had_overwrite: bool,
    pub allow: String,
    pub deny: String,
    pub reason: String,
    pub locked_by: Id<UserMarker>,
    pub locked_at: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = security_lockdowns)]
struct LockdownRow {
    guild_id: i64,
    channel_id: i64,
    had_overwrite: bool,
    allow_bits: String,
    deny_bits: String,
    reason: String,
    locked_by: i64,
    locked_at: NaiveDateTime,
    until: Option<NaiveDateTime>,
}

impl TryFrom<LockdownRow> for Lockdown {
    type Error = StoreError;
    fn try_from(row: LockdownRow) -> Result<Self, StoreError> {
        Ok(Lockdown {
            guild: id("guild_id", row.guild_id)?,
            channel: row.channel_id as u64,
            had_overwrite: row.had_overwrite,
            allow: row.allow_bits,
            deny: row.deny_bits,
            reason: row.reason,
            locked_by: id("locked_by", row.locked_by)?,
            locked_at: row.locked_at.and_utc(),
            until: row.until.map(|at| at.and_utc()),
        })
    }
}

impl Store {
    // ---- settings ------------------------------------------------------------------------

    /// A guild's protection settings (the defaults when it never changed any; a stored
    /// document from an older version reads with defaults for the keys it lacks). They are
    /// one feature setting (`security`, `guard`), so `/config reset` resets them too.
    pub async fn guard_settings(
        &self,
        guild: Id<GuildMarker>,
    ) -> Result<GuardSettings, StoreError> {
        let stored = self.feature_setting(guild, GUARD.0, GUARD.1).await?;
        Ok(stored
            .and_then(|value| match serde_json::from_value(value) {
                Ok(settings) => Some(settings),
                Err(error) => {
                    tracing::error!(guild = guild.get(), %error, "stored protection settings do not read; using the defaults");
                    None
                }
            })
            .unwrap_or_default())
    }

    /// Stores a guild's protection settings whole.
    pub async fn save_guard_settings(
        &self,
        guild: Id<GuildMarker>,
        settings: &GuardSettings,
    ) -> Result<(), StoreError> {
        let value = serde_json::to_value(settings).unwrap_or_default();
        self.set_feature_setting(guild, GUARD.0, GUARD.1, &value)
            .await
    }

    // ---- events --------------------------------------------------------------------------

    pub async fn record_security_event(
        &self,
        guild: Id<GuildMarker>,
        event: NewEvent<'_>,
    ) -> Result<(), StoreError> {
        let now = self.now();
        with_connection!(self, connection => {
            diesel::insert_into(security_events::table)
                .values((
                    security_events::guild_id.eq(column(guild)),
                    security_events::created_at.eq(now),
                    security_events::kind.eq(event.kind),
                    security_events::rule.eq(event.rule),
                    security_events::user_id.eq(nullable(event.user)),
                    security_events::actor_id.eq(nullable(event.actor)),
                    security_events::action.eq(event.action),
                    security_events::detail.eq(event.detail),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Records many events in one statement (a raid's accounts).
    pub async fn record_security_events(
        &self,
        guild: Id<GuildMarker>,
        events: &[NewEvent<'_>],
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let now = self.now();
        with_connection!(self, connection => {
            async {
                // One statement per row: SQLite takes no multi-row insert with defaults.
                for event in events {
                    diesel::insert_into(security_events::table)
                        .values((
                            security_events::guild_id.eq(column(guild)),
                            security_events::created_at.eq(now),
                            security_events::kind.eq(event.kind),
                            security_events::rule.eq(event.rule),
                            security_events::user_id.eq(nullable(event.user)),
                            security_events::actor_id.eq(nullable(event.actor)),
                            security_events::action.eq(event.action),
                            security_events::detail.eq(event.detail),
                        ))
                        .execute(connection)
                        .await?;
                }
                Ok(())
            }
            .await
        })?;
        Ok(())
    }

    /// The newest events of a guild that match, newest first.
    pub async fn security_events(
        &self,
        guild: Id<GuildMarker>,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<SecurityEvent>, StoreError> {
        let rows: Vec<EventRow> = with_connection!(self, connection => {
            let mut query = security_events::table
                .filter(security_events::guild_id.eq(column(guild)))
                .into_boxed();
            if let Some(user) = filter.user {
                query = query.filter(security_events::user_id.eq(column(user)));
            }
            if let Some(kind) = &filter.kind {
                query = query.filter(security_events::kind.eq(kind.clone()));
            }
            if let Some(since) = filter.since {
                query = query.filter(security_events::created_at.ge(naive(since)));
            }
            query
                .order((security_events::created_at.desc(), security_events::id.desc()))
                .limit(limit)
                .select(EventRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(SecurityEvent::try_from).collect()
    }

    // ---- raids ---------------------------------------------------------------------------

    /// Starts a raid unless one is on in this guild; its id when this call started it.
    pub async fn start_raid(
        &self,
        guild: Id<GuildMarker>,
        started_at: DateTime<Utc>,
        action: &str,
        detail: &str,
    ) -> Result<Option<i64>, StoreError> {
        let inserted: Option<i64> = with_connection!(self, connection => {
            diesel::insert_into(security_raids::table)
                .values((
                    security_raids::guild_id.eq(column(guild)),
                    security_raids::started_at.eq(naive(started_at)),
                    security_raids::last_join_at.eq(naive(started_at)),
                    security_raids::action.eq(action),
                    security_raids::detail.eq(detail),
                ))
                .on_conflict_do_nothing()
                .returning(security_raids::id)
                .get_result(connection)
                .await
                .optional()
        })?;
        Ok(inserted)
    }

    /// The raid on in a guild, if any.
    pub async fn active_raid(&self, guild: Id<GuildMarker>) -> Result<Option<Raid>, StoreError> {
        let row: Option<RaidRow> = with_connection!(self, connection => {
            security_raids::table
                .filter(security_raids::guild_id.eq(column(guild)))
                .filter(security_raids::ended_at.is_null())
                .select(RaidRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Raid::try_from).transpose()
    }

    /// Every raid on, in every guild (raid mode survives a restart).
    pub async fn active_raids(&self) -> Result<Vec<Raid>, StoreError> {
        let rows: Vec<RaidRow> = with_connection!(self, connection => {
            security_raids::table
                .filter(security_raids::ended_at.is_null())
                .select(RaidRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Raid::try_from).collect()
    }

    pub async fn raid(
        &self,
        guild: Id<GuildMarker>,
        raid: i64,
    ) -> Result<Option<Raid>, StoreError> {
        let row: Option<RaidRow> = with_connection!(self, connection => {
            security_raids::table
                .filter(security_raids::guild_id.eq(column(guild)))
                .filter(security_raids::id.eq(raid))
                .select(RaidRow::as_select())
                .first(connection)
                .await
                .optional()
        })?;
        row.map(Raid::try_from).transpose()
    }

    pub async fn set_raid_message(
        &self,
        raid: i64,
        channel: Id<ChannelMarker>,
        message: Id<MessageMarker>,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(security_raids::table.filter(security_raids::id.eq(raid)))
                .set((
                    security_raids::log_channel_id.eq(column(channel)),
                    security_raids::log_message_id.eq(column(message)),
                ))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// A join during the raid: the quiet period starts again.
    pub async fn touch_raid(&self, raid: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(
                security_raids::table
                    .filter(security_raids::id.eq(raid))
                    .filter(security_raids::last_join_at.lt(naive(at))),
            )
            .set(security_raids::last_join_at.eq(naive(at)))
            .execute(connection)
            .await
        })?;
        Ok(())
    }

    /// Ends a raid; false when it had already ended (two clicks end it once).
    pub async fn end_raid(
        &self,
        raid: i64,
        by: Option<Id<UserMarker>>,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let changed = with_connection!(self, connection => {
            diesel::update(
                security_raids::table
                    .filter(security_raids::id.eq(raid))
                    .filter(security_raids::ended_at.is_null()),
            )
            .set((
                security_raids::ended_at.eq(now),
                security_raids::ended_by.eq(nullable(by)),
            ))
            .execute(connection)
            .await
        })?;
        Ok(changed == 1)
    }

    /// Raids on whose last join is older than `before`.
    pub async fn quiet_raids(&self, before: DateTime<Utc>) -> Result<Vec<Raid>, StoreError> {
        let rows: Vec<RaidRow> = with_connection!(self, connection => {
            security_raids::table
                .filter(security_raids::ended_at.is_null())
                .filter(security_raids::last_join_at.lt(naive(before)))
                .select(RaidRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Raid::try_from).collect()
    }

    /// Adds accounts to a raid (each once) with the action they get.
    pub async fn add_raid_accounts(
        &self,
        raid: i64,
        users: &[Id<UserMarker>],
        action: &str,
    ) -> Result<(), StoreError> {
        if users.is_empty() {
            return Ok(());
        }
        with_connection!(self, connection => {
            async {
                for user in users {
                    diesel::insert_into(security_raid_accounts::table)
                        .values((
                            security_raid_accounts::raid_id.eq(raid),
                            security_raid_accounts::user_id.eq(column(*user)),
                            security_raid_accounts::action.eq(action),
                            security_raid_accounts::outcome.eq("pending"),
                        ))
                        .on_conflict_do_nothing()
                        .execute(connection)
                        .await?;
                }
                Ok(())
            }
            .await
        })?;
        Ok(())
    }

    pub async fn raid_accounts(&self, raid: i64) -> Result<Vec<RaidAccount>, StoreError> {
        let rows: Vec<(i64, String, String)> = with_connection!(self, connection => {
            security_raid_accounts::table
                .filter(security_raid_accounts::raid_id.eq(raid))
                .order(security_raid_accounts::user_id)
                .select((
                    security_raid_accounts::user_id,
                    security_raid_accounts::action,
                    security_raid_accounts::outcome,
                ))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(|(user, action, outcome)| {
                Ok(RaidAccount {
                    user: id("user_id", user)?,
                    action,
                    outcome,
                })
            })
            .collect()
    }

    /// What became of one raid account.
    pub async fn set_raid_outcome(
        &self,
        raid: i64,
        user: Id<UserMarker>,
        outcome: &str,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::update(
                security_raid_accounts::table
                    .filter(security_raid_accounts::raid_id.eq(raid))
                    .filter(security_raid_accounts::user_id.eq(column(user))),
            )
            .set(security_raid_accounts::outcome.eq(outcome))
            .execute(connection)
            .await
        })?;
        Ok(())
    }

    // ---- lockdowns -----------------------------------------------------------------------

    /// Keeps what a channel's overwrite was before its lockdown; false when the channel is
    /// already locked (its first snapshot stays: that is what unlockdown restores).
    pub async fn take_lockdown_snapshot(&self, lockdown: &Lockdown) -> Result<bool, StoreError> {
        let row = LockdownRow {
            guild_id: column(lockdown.guild),
            channel_id: lockdown.channel as i64,
            had_overwrite: lockdown.had_overwrite,
            allow_bits: lockdown.allow.clone(),
            deny_bits: lockdown.deny.clone(),
            reason: lockdown.reason.clone(),
            locked_by: column(lockdown.locked_by),
            locked_at: naive(lockdown.locked_at),
            until: lockdown.until.map(naive),
        };
        let inserted = with_connection!(self, connection => {
            diesel::insert_into(security_lockdowns::table)
                .values(&row)
                .on_conflict_do_nothing()
                .execute(connection)
                .await
        })?;
        Ok(inserted == 1)
    }

    /// A guild's locked channels (and the invites pause, channel 0).
    pub async fn lockdowns(&self, guild: Id<GuildMarker>) -> Result<Vec<Lockdown>, StoreError> {
        let rows: Vec<LockdownRow> = with_connection!(self, connection => {
            security_lockdowns::table
                .filter(security_lockdowns::guild_id.eq(column(guild)))
                .order(security_lockdowns::channel_id)
                .select(LockdownRow::as_select())
                .load(connection)
                .await
        })?;
        rows.into_iter().map(Lockdown::try_from).collect()
    }

    /// Guilds with a lockdown whose time is up.
    pub async fn lockdowns_due(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<Id<GuildMarker>>, StoreError> {
        let guilds: Vec<i64> = with_connection!(self, connection => {
            security_lockdowns::table
                .filter(security_lockdowns::until.le(naive(now)))
                .select(security_lockdowns::guild_id)
                .distinct()
                .load(connection)
                .await
        })?;
        guilds
            .into_iter()
            .map(|guild| id("guild_id", guild))
            .collect()
    }

    /// Forgets a channel's snapshot once it is restored; false when another restore did.
    pub async fn drop_lockdown_snapshot(
        &self,
        guild: Id<GuildMarker>,
        channel: u64,
    ) -> Result<bool, StoreError> {
        let removed = with_connection!(self, connection => {
            diesel::delete(
                security_lockdowns::table
                    .filter(security_lockdowns::guild_id.eq(column(guild)))
                    .filter(security_lockdowns::channel_id.eq(channel as i64)),
            )
            .execute(connection)
            .await
        })?;
        Ok(removed == 1)
    }

    // ---- the verification gate ------------------------------------------------------------

    pub async fn await_verification(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        joined_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        with_connection!(self, connection => {
            diesel::insert_into(security_verifications::table)
                .values((
                    security_verifications::guild_id.eq(column(guild)),
                    security_verifications::user_id.eq(column(user)),
                    security_verifications::joined_at.eq(naive(joined_at)),
                ))
                .on_conflict_do_nothing()
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// A member passed (or left, or was kicked); false when they were not waiting.
    pub async fn verification_done(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
    ) -> Result<bool, StoreError> {
        let removed = with_connection!(self, connection => {
            diesel::delete(
                security_verifications::table
                    .filter(security_verifications::guild_id.eq(column(guild)))
                    .filter(security_verifications::user_id.eq(column(user))),
            )
            .execute(connection)
            .await
        })?;
        Ok(removed == 1)
    }

    /// Whether a member is waiting at the gate.
    pub async fn awaiting_verification(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
    ) -> Result<bool, StoreError> {
        let count: i64 = with_connection!(self, connection => {
            security_verifications::table
                .filter(security_verifications::guild_id.eq(column(guild)))
                .filter(security_verifications::user_id.eq(column(user)))
                .count()
                .get_result(connection)
                .await
        })?;
        Ok(count > 0)
    }

    /// Members who joined before `before` and are still waiting.
    pub async fn verifications_overdue(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<(Id<GuildMarker>, Id<UserMarker>, DateTime<Utc>)>, StoreError> {
        let rows: Vec<(i64, i64, NaiveDateTime)> = with_connection!(self, connection => {
            security_verifications::table
                .filter(security_verifications::joined_at.lt(naive(before)))
                .select((
                    security_verifications::guild_id,
                    security_verifications::user_id,
                    security_verifications::joined_at,
                ))
                .load(connection)
                .await
        })?;
        rows.into_iter()
            .map(|(guild, user, at)| {
                Ok((id("guild_id", guild)?, id("user_id", user)?, at.and_utc()))
            })
            .collect()
    }
}
