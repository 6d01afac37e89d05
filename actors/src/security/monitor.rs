//! The monitor's intake: joins, messages and audit log entries read on the shard's thread
//! against the guild's detection state (one short lock), and the verdicts they give — a
//! raid starting, a raider joining, a spammer, a nuke — handed to the main runtime. Also
//! the raid's staff buttons and the end of raid mode.

use std::sync::Arc;

use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::gateway::payload::incoming::GuildCreate;
use twilight_model::guild::audit_log::AuditLogEventType;
use twilight_model::guild::Permissions;
use twilight_model::id::marker::{GuildMarker, UserMarker};
use twilight_model::id::Id;

use super::detect::{snowflake_time, Join, JoinVerdict, NukeVerdict, Posted, SpamVerdict};
use super::respond;
use super::settings::GuardSettings;
use super::store::NewEvent;
use super::Shared;
use super::TEXTS;
use crate::bus::{Deliver, EventBus};
use crate::dispatcher::InteractionRequest;
use crate::kernel::reply::Reply;
use crate::t;

/// The events the monitor reads.
pub const EVENTS: EventTypeFlags = EventTypeFlags::GUILD_CREATE
    .union(EventTypeFlags::MEMBER_ADD)
    .union(EventTypeFlags::MEMBER_REMOVE)
    .union(EventTypeFlags::MESSAGE_CREATE)
    .union(EventTypeFlags::GUILD_AUDIT_LOG_ENTRY_CREATE);

/// Permissions that make a member staff for the spam rules.
const STAFF_PERMISSIONS: Permissions = Permissions::ADMINISTRATOR
    .union(Permissions::MANAGE_GUILD)
    .union(Permissions::MANAGE_MESSAGES);

/// Subscribes the monitor to the gateway and brings back the raids that were on.
pub fn subscribe(bus: &EventBus, shared: Arc<Shared>) {
    // Every process forgets what no rule looks at any more (the ticker runs on one).
    let sweeping = Arc::downgrade(&shared);
    shared.main.spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            every.tick().await;
            match sweeping.upgrade() {
                Some(shared) => shared.sweep(),
                None => return,
            }
        }
    });
    let loading = shared.clone();
    shared.main.spawn(async move {
        // Known before any audit log entry comes: the bot's own actions are not a nuke.
        if let Err(error) = loading.bot_user().await {
            tracing::warn!(%error, "could not ask Discord who the bot is");
        }
        match loading.kernel.store.active_raids().await {
            Ok(raids) => {
                for raid in raids {
                    loading.reload(raid.guild).await;
                }
            }
            Err(error) => tracing::warn!(%error, "could not read the raids that were on"),
        }
        // After a resume no GUILD_CREATE comes: every guild's settings and size are read
        // once the directory knows the guilds, before their next join is judged.
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        for (guild, _) in loading.kernel.guilds.guilds() {
            loading.guard(guild);
        }
    });
    let deliver: Deliver = Arc::new(move |event| {
        match event.event.as_ref() {
            Event::GuildCreate(create) => {
                if let GuildCreate::Available(guild) = create.as_ref() {
                    let members = guild.member_count.unwrap_or(guild.members.len() as u64);
                    let guard = shared.guard(guild.id);
                    let mut guard = guard.lock();
                    guard.members = members;
                    guard.members_known = true;
                }
            }
            Event::MemberAdd(added) => joined(&shared, added),
            Event::MemberRemove(removed) => {
                let guard = shared.guard(removed.guild_id);
                let mut guard = guard.lock();
                guard.members = guard.members.saturating_sub(1);
                let waiting = guard.settings.verify_enabled;
                drop(guard);
                if waiting {
                    let (shared, guild, user) = (shared.clone(), removed.guild_id, removed.user.id);
                    shared.clone().main.spawn(async move {
                        let _ = shared.kernel.store.verification_done(guild, user).await;
                    });
                }
            }
            Event::MessageCreate(message) => posted(&shared, message),
            Event::GuildAuditLogEntryCreate(entry) => audited(&shared, entry),
            _ => {}
        }
        crate::bus::delivered()
    });
    bus.subscribe("security-monitor", EVENTS, deliver);
}

fn joined(shared: &Arc<Shared>, added: &twilight_model::gateway::payload::incoming::MemberAdd) {
    let user = &added.member.user;
    if user.bot {
        return;
    }
    let guild = added.guild_id;
    let now = shared.kernel.clock.now().timestamp_millis();
    let at = added
        .member
        .joined_at
        .map_or(now, |joined| joined.as_micros() / 1000);
    let join = Join {
        user: user.id.get(),
        at,
        account_created: snowflake_time(user.id.get()),
        name: user
            .global_name
            .clone()
            .unwrap_or_else(|| user.name.clone()),
        avatar: user.avatar.map(|hash| hash.to_string()),
    };
    let guard = shared.guard(guild);
    let mut guard = guard.lock();
    shared.refresh_if_stale(guild, &mut guard);
    guard.members += 1;
    let settings = guard.settings.clone();
    let members = guard.members;
    let judge = guard.members_known;
    let verdict = guard.joins.join(&join, &settings, members, judge);
    // Half way to a raid, the invites are read (at most every 5 s): one code bringing most
    // of the window's joins weighs each further join more, and the incident names it.
    let half_way = guard.joins.score() * 2.0 >= settings.raid_threshold(members);
    let read_invites_now = settings.raid_enabled
        && half_way
        && guard.joins.raid.is_none()
        && guard
            .invites_read
            .is_none_or(|at| at.elapsed() > std::time::Duration::from_secs(5));
    if read_invites_now {
        guard.invites_read = Some(std::time::Instant::now());
        let task_shared = shared.clone();
        shared
            .main
            .spawn(async move { read_invites(&task_shared, guild).await });
    }
    drop(guard);
    let task_shared = shared.clone();
    match verdict {
        JoinVerdict::RaidStarts {
            accounts,
            score,
            threshold,
        } => {
            let started = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default();
            shared.main.spawn(async move {
                raid_started(
                    &task_shared,
                    guild,
                    started,
                    accounts,
                    score,
                    threshold,
                    members,
                )
                .await
            });
        }
        JoinVerdict::DuringRaid => {
            let user = user.id;
            shared
                .main
                .spawn(async move { raider_joined(&task_shared, guild, user, at).await });
        }
        JoinVerdict::Calm if settings.verify_enabled => {
            let user = user.id;
            shared
                .main
                .spawn(async move { super::verify::gate(&task_shared, guild, user).await });
        }
        JoinVerdict::Calm => {}
    }
}

fn posted(shared: &Arc<Shared>, message: &twilight_model::channel::Message) {
    if message.author.bot || message.webhook_id.is_some() {
        return;
    }
    let Some(guild) = message.guild_id else {
        return;
    };
    let guard = shared.guard(guild);
    let mut locked = guard.lock();
    shared.refresh_if_stale(guild, &mut locked);
    // Fields borrowed apart: a clean message (nearly all of them) copies nothing.
    let guard = &mut *locked;
    if !guard.settings.spam_enabled {
        return;
    }
    let verdict = guard.spam.read(
        &Posted {
            message: message.id.get(),
            channel: message.channel_id.get(),
            author: message.author.id.get(),
            content: &message.content,
            mentions: message.mentions.len() + message.mention_roles.len(),
        },
        &guard.settings,
    );
    if verdict == SpamVerdict::Clean {
        return;
    }
    let settings = guard.settings.clone();
    // Only a caught message pays for the exemption checks: staff, allow-listed roles and
    // channels, the bot's owners.
    let roles = message
        .member
        .as_ref()
        .map(|member| member.roles.as_slice())
        .unwrap_or_default();
    let exempt = settings.exempt_channels.contains(&message.channel_id.get())
        || roles.iter().any(|role| {
            settings.exempt_roles.contains(&role.get()) || guard.staff_roles.contains(role)
        })
        || shared.kernel.owners.contains(&message.author.id.get())
        || shared
            .kernel
            .guilds
            .member_permissions(guild, message.author.id, roles)
            .is_some_and(|permissions| permissions.intersects(STAFF_PERMISSIONS));
    drop(locked);
    if exempt {
        return;
    }
    let (task_shared, author) = (shared.clone(), message.author.id);
    match verdict {
        SpamVerdict::Caught { rule, messages } => {
            shared.main.spawn(async move {
                respond::spam_caught(&task_shared, guild, author, rule, messages, &settings).await
            });
        }
        SpamVerdict::Sweep { message } => {
            shared.main.spawn(async move {
                respond::delete_messages(&task_shared, guild, &[message], "spam").await;
            });
        }
        SpamVerdict::Clean => {}
    }
}

fn audited(
    shared: &Arc<Shared>,
    entry: &twilight_model::gateway::payload::incoming::GuildAuditLogEntryCreate,
) {
    let destructive = matches!(
        entry.action_type,
        AuditLogEventType::ChannelDelete
            | AuditLogEventType::RoleDelete
            | AuditLogEventType::MemberBanAdd
            | AuditLogEventType::MemberKick
            | AuditLogEventType::MemberPrune
            | AuditLogEventType::WebhookDelete
    );
    let (Some(guild), Some(actor)) = (entry.guild_id, entry.user_id) else {
        return;
    };
    if !destructive
        || shared.kernel.discord.known_bot_user() == Some(actor)
        || shared.kernel.owners.contains(&actor.get())
    {
        return;
    }
    let guard = shared.guard(guild);
    let mut guard = guard.lock();
    let settings = guard.settings.clone();
    let verdict = guard
        .nuke
        .record(actor.get(), snowflake_time(entry.id.get()), &settings);
    drop(guard);
    if let NukeVerdict::Nuking { actions } = verdict {
        let what = format!("{:?}", entry.action_type);
        let task_shared = shared.clone();
        shared.main.spawn(async move {
            respond::stop_nuker(&task_shared, guild, actor, actions, &what, &settings).await
        });
    }
}

/// Reads the guild's invite uses and compares them with the last reading: a code that
/// brought at least 5 joins and half the window's makes each further join weigh half more.
pub async fn read_invites(shared: &Arc<Shared>, guild: Id<GuildMarker>) {
    let request = shared.kernel.discord.client().guild_invites(guild);
    let invites = match crate::kernel::discord::send("GET /guilds/{id}/invites", request).await {
        Ok(response) => match response.models().await {
            Ok(invites) => invites,
            Err(_) => return,
        },
        // Without Manage Server the signal is simply not there.
        Err(error) => {
            tracing::debug!(%error, "could not read the invites");
            return;
        }
    };
    let guard = shared.guard(guild);
    let mut guard = guard.lock();
    let first = guard.invite_uses.is_empty();
    let mut best: Option<(String, u64)> = None;
    for invite in &invites {
        let uses = invite.uses.unwrap_or(0);
        let before = guard.invite_uses.get(&invite.code).copied().unwrap_or(0);
        let gained = uses.saturating_sub(before);
        if best.as_ref().is_none_or(|(_, most)| gained > *most) {
            best = Some((invite.code.clone(), gained));
        }
    }
    guard.invite_uses = invites
        .iter()
        .map(|invite| (invite.code.clone(), invite.uses.unwrap_or(0)))
        .collect();
    if first {
        return;
    }
    let recent = guard.joins.recent_joins() as u64;
    match best {
        Some((code, gained)) if gained >= 5 && gained * 2 >= recent => {
            guard.joins.invite_bonus = 0.5;
            guard.hot_invite = Some((code, gained));
        }
        _ => {
            guard.joins.invite_bonus = 0.0;
            guard.hot_invite = None;
        }
    }
}

/// A join crossed the threshold: raid mode on (once, across processes), the incident in
/// the security log, the window's joiners handled.
async fn raid_started(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    started: chrono::DateTime<chrono::Utc>,
    accounts: Vec<u64>,
    score: f64,
    threshold: f64,
    members: u64,
) {
    let settings = shared.settings_of(guild);
    let action = respond::raid_action(&settings);
    let hot_invite = shared.guard(guild).lock().hot_invite.clone();
    let mut detail = format!(
        "{} joins weighing {score:.1} within {} s; the threshold for {members} members is {threshold:.0}",
        accounts.len(),
        settings.raid_window_seconds
    );
    if let Some((code, uses)) = hot_invite {
        detail.push_str(&format!(
            "; {uses} of them came through the invite `{code}` (delete it under Server Settings → Invites)"
        ));
    }
    let accounts: Vec<Id<UserMarker>> = accounts.into_iter().filter_map(Id::new_checked).collect();
    let store = &shared.kernel.store;
    let raid = match store
        .start_raid(guild, started, action.as_str(), &detail)
        .await
    {
        Ok(Some(raid)) => {
            shared.guard(guild).lock().raid_id = Some(raid);
            // Staff hear of it first; the records follow.
            respond::post_incident(shared, guild, raid, &detail, &accounts, &settings).await;
            let _ = store
                .record_security_event(
                    guild,
                    NewEvent {
                        kind: "raid",
                        rule: Some("joins"),
                        action: "raid mode on",
                        detail: &detail,
                        ..NewEvent::default()
                    },
                )
                .await;
            if let Err(error) = store
                .add_raid_accounts(raid, &accounts, action.as_str())
                .await
            {
                tracing::error!(%error, "could not record the raid's accounts");
            }
            if settings.raid_lockdown {
                let reason = "raid";
                if let Err(failure) =
                    super::lockdown::lock_all(shared, guild, None, reason, None).await
                {
                    respond::log(shared, guild, &settings, &failure).await;
                }
            }
            raid
        }
        Ok(None) => match store.active_raid(guild).await {
            // Another process (or an earlier join) started it: add these accounts.
            Ok(Some(raid)) => {
                shared.guard(guild).lock().raid_id = Some(raid.id);
                let _ = store
                    .add_raid_accounts(raid.id, &accounts, action.as_str())
                    .await;
                raid.id
            }
            _ => return,
        },
        Err(error) => {
            tracing::error!(%error, guild = guild.get(), "could not record the raid; handling its accounts anyway");
            for user in &accounts {
                respond::handle_raider(shared, guild, None, *user, &settings).await;
            }
            return;
        }
    };
    respond::handle_raiders(shared, guild, raid, &accounts, &settings).await;
    respond::update_incident(shared, guild, raid).await;
}

/// A join while raid mode is on: handled like the raid's accounts; the quiet period
/// starts again.
async fn raider_joined(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    user: Id<UserMarker>,
    at: i64,
) {
    // The raid's row may still be being written by the join that started it.
    let mut raid = None;
    for _ in 0..40 {
        raid = shared.guard(guild).lock().raid_id;
        if raid.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let settings = shared.settings_of(guild);
    let action = respond::raid_action(&settings);
    if let Some(raid) = raid {
        let store = &shared.kernel.store;
        let _ = store
            .add_raid_accounts(raid, &[user], action.as_str())
            .await;
        let at = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default();
        let _ = store.touch_raid(raid, at).await;
    }
    respond::handle_raider(shared, guild, raid, user, &settings).await;
    if let Some(raid) = raid {
        shared.incident_changed(guild, raid);
    }
}

/// "Ban all", "Release all", "End raid mode" on the incident (staff; they work after a
/// restart: everything they need is in the store).
pub async fn raid_button(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    action: &str,
    raid: i64,
) -> Reply {
    let locale = request.language();
    let store = &shared.kernel.store;
    let raid = match store.raid(guild, raid).await {
        Ok(Some(raid)) => raid,
        Ok(None) => return super::private(t!(locale, "security-stale")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let by = request.user_id;
    let settings = shared.settings_of(guild);
    let answer = match action {
        respond::RAID_BAN => {
            let (done, failed) = respond::ban_raiders(shared, guild, raid.id, by).await;
            t!(
                locale,
                "security-raid-banned",
                count = done,
                failed = failed
            )
        }
        respond::RAID_RELEASE => {
            let (done, failed) =
                respond::release_raiders(shared, guild, raid.id, &settings, by).await;
            t!(
                locale,
                "security-raid-released",
                count = done,
                failed = failed
            )
        }
        _ => match end_raid(shared, guild, raid.id, Some(by), &settings).await {
            Ok(true) => t!(locale, "security-raid-ended"),
            Ok(false) => t!(locale, "security-raid-already-ended"),
            Err(error) => return TEXTS.database_trouble(locale, &error),
        },
    };
    respond::update_incident(shared, guild, raid.id).await;
    super::private(answer)
}

/// Ends raid mode (by staff, or quiet); false when it had already ended.
pub async fn end_raid(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    raid: i64,
    by: Option<Id<UserMarker>>,
    settings: &GuardSettings,
) -> Result<bool, crate::kernel::store::StoreError> {
    let store = &shared.kernel.store;
    if !store.end_raid(raid, by).await? {
        return Ok(false);
    }
    {
        let guard = shared.guard(guild);
        let mut guard = guard.lock();
        guard.raid_id = None;
        guard.joins.end_raid();
    }
    let detail = match by {
        Some(user) => format!("ended by <@{user}>"),
        None => format!(
            "ended after {} minutes without a join",
            settings.raid_quiet_minutes
        ),
    };
    let _ = store
        .record_security_event(
            guild,
            NewEvent {
                kind: "raid",
                rule: Some("joins"),
                actor: by,
                action: "raid mode off",
                detail: &detail,
                ..NewEvent::default()
            },
        )
        .await;
    respond::log(shared, guild, settings, &format!("🟢 Raid mode {detail}.")).await;
    if settings.raid_lockdown {
        if let Err(failure) = super::lockdown::unlock(shared, guild, by).await {
            respond::log(shared, guild, settings, &failure).await;
        }
    }
    Ok(true)
}

/// Raids whose guild has been quiet for its quiet period end.
pub async fn end_quiet_raids(shared: &Arc<Shared>) {
    let now = shared.kernel.clock.now();
    let raids = match shared
        .kernel
        .store
        .quiet_raids(now - chrono::Duration::minutes(1))
        .await
    {
        Ok(raids) => raids,
        Err(error) => {
            tracing::warn!(%error, "could not look for quiet raids");
            return;
        }
    };
    for raid in raids {
        // The guard's settings, not a query per raid: many raids on must not hold the
        // store away from a join that starts another.
        let settings = shared.settings_of(raid.guild);
        let quiet = chrono::Duration::minutes(i64::from(settings.raid_quiet_minutes));
        if raid.last_join_at + quiet <= now {
            match end_raid(shared, raid.guild, raid.id, None, &settings).await {
                Ok(_) => respond::update_incident(shared, raid.guild, raid.id).await,
                Err(error) => tracing::warn!(%error, raid = raid.id, "could not end a quiet raid"),
            }
        }
    }
}
