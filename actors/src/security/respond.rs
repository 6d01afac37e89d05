//! What the monitor does about a verdict: raiders quarantined, timed out, kicked or banned;
//! spam removed (in bulk where Discord allows it) and its author handled; a nuker's
//! dangerous roles taken; incidents posted in the security log and to the incident
//! webhook; a missing permission said once, to the log and to the admin who configured.

use std::sync::Arc;

use futures::StreamExt;
use twilight_http::request::AuditLogReason;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::channel::message::{Component, Embed};
use twilight_model::guild::Permissions;
use twilight_model::id::marker::{
    ChannelMarker, GuildMarker, MessageMarker, RoleMarker, UserMarker,
};
use twilight_model::id::Id;
use twilight_model::util::Timestamp;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::settings::{parse_webhook_url, Action, GuardSettings, SpamRule};
use super::store::NewEvent;
use super::{Shared, SECURITY};
use crate::kernel::custom_id::CustomId;
use crate::kernel::discord::{send, DiscordError};
use crate::kernel::reply::{clip, ReplyMessage};

pub const RAID_BAN: &str = "raid-ban";
pub const RAID_RELEASE: &str = "raid-release";
pub const RAID_END: &str = "raid-end";

/// Raid accounts are timed out this long when timeouts are the raid action (or the
/// quarantine role is missing).
const RAID_TIMEOUT_SECONDS: i64 = 24 * 3600;
/// A banned raider's or spammer's messages of the last hour go with them.
const BAN_DELETE_SECONDS: u32 = 3600;
/// Raid accounts handled at once (each is one REST call; twilight keeps the buckets).
const CONCURRENT_ACTIONS: usize = 4;
/// Permissions that let someone destroy a server: a nuker loses every role holding one.
pub const DANGEROUS: Permissions = Permissions::ADMINISTRATOR
    .union(Permissions::MANAGE_GUILD)
    .union(Permissions::MANAGE_ROLES)
    .union(Permissions::MANAGE_CHANNELS)
    .union(Permissions::BAN_MEMBERS)
    .union(Permissions::KICK_MEMBERS)
    .union(Permissions::MANAGE_WEBHOOKS)
    .union(Permissions::MODERATE_MEMBERS)
    .union(Permissions::MANAGE_GUILD_EXPRESSIONS);

/// The time between two of the monitor's bulk actions (bans, roles, deletions): they take
/// at most half of the process's share of Discord's global REST limit (25 of 50 per
/// second), so during a raid the incident, the staff's commands and every other feature's
/// calls still find room in twilight's global window instead of queueing behind the
/// raiders' role changes for up to a second.
fn action_spacing(shared: &Shared) -> std::time::Duration {
    let per_second = (shared.kernel.discord.rest_per_second() / 2).max(1);
    std::time::Duration::from_secs(1) / u32::from(per_second)
}

/// Sends a request of a bucket Discord shares between paths (every member's roles in a
/// guild, say): waits while the bucket is known to be empty, and learns from the answer's
/// `X-RateLimit-*` headers when it is next empty. twilight keys its buckets by path, so
/// the first call to each member would otherwise meet an exhausted shared bucket.
pub async fn paced<T: Unpin>(
    shared: &Shared,
    key: String,
    route: &'static str,
    request: impl std::future::IntoFuture<
        Output = Result<twilight_http::Response<T>, twilight_http::Error>,
        IntoFuture = twilight_http::response::ResponseFuture<T>,
    >,
) -> Result<twilight_http::Response<T>, DiscordError> {
    let until = shared.pacing.lock().get(&key).copied();
    if let Some(until) = until {
        tokio::time::sleep_until(until.into()).await;
    }
    // Below Discord's global 50 per second whatever else the bot is doing: twilight's
    // global window and Discord's need not line up.
    {
        let mut last = shared.last_action.lock().await;
        let next = *last + action_spacing(shared);
        if next > tokio::time::Instant::now() {
            tokio::time::sleep_until(next).await;
        }
        *last = tokio::time::Instant::now();
    }
    let response = send(route, request).await?;
    let header = |name: &str| {
        response
            .headers()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| std::str::from_utf8(value).ok()?.parse::<f64>().ok())
    };
    if header("x-ratelimit-remaining") == Some(0.0) {
        let wait = header("x-ratelimit-reset-after")
            .unwrap_or(1.0)
            .clamp(0.0, 60.0);
        let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(wait);
        shared.pacing.lock().insert(key, until);
    }
    Ok(response)
}

/// The action raiders get: the guild's choice, but a timeout while no quarantine role is
/// set (said in the log when it happens).
pub fn raid_action(settings: &GuardSettings) -> Action {
    match settings.raid_action {
        Action::Quarantine if settings.quarantine_role.is_none() => Action::Timeout,
        Action::Delete => Action::Quarantine,
        action => action,
    }
}

/// The permission an action needs, as Discord names it.
pub fn permission_for(action: Action) -> (&'static str, Permissions) {
    match action {
        Action::Delete => ("Manage Messages", Permissions::MANAGE_MESSAGES),
        Action::Quarantine => ("Manage Roles", Permissions::MANAGE_ROLES),
        Action::Timeout => ("Moderate Members", Permissions::MODERATE_MEMBERS),
        Action::Kick => ("Kick Members", Permissions::KICK_MEMBERS),
        Action::Ban => ("Ban Members", Permissions::BAN_MEMBERS),
    }
}

fn button(action: &str, raid: i64, label: &str, style: ButtonStyle) -> Component {
    Component::Button(Button {
        id: None,
        custom_id: CustomId::new(SECURITY, 1, action).arg(raid).encode().ok(),
        disabled: false,
        emoji: None,
        label: Some(label.to_owned()),
        style,
        url: None,
        sku_id: None,
    })
}

/// The security log: the guild's protection log channel, else its bot log channel.
async fn log_channel(
    shared: &Shared,
    guild: Id<GuildMarker>,
    settings: &GuardSettings,
) -> Option<Id<ChannelMarker>> {
    if let Some(channel) = settings.log_channel.and_then(Id::new_checked) {
        return Some(channel);
    }
    shared
        .kernel
        .store
        .guild_settings(guild)
        .await
        .ok()
        .flatten()
        .and_then(|settings| settings.log_channel_id)
}

/// A line in the security log (nothing when the guild has none).
pub async fn log(shared: &Shared, guild: Id<GuildMarker>, settings: &GuardSettings, text: &str) {
    if let Some(channel) = log_channel(shared, guild, settings).await {
        let _lane = shared.lane(guild).lock_owned().await;
        let message = ReplyMessage::text(clip(text, 2000));
        if let Err(error) = shared
            .kernel
            .discord
            .send_message(channel, &message, None)
            .await
        {
            tracing::warn!(%error, guild = guild.get(), "could not write to the security log");
        }
    }
}

/// An embed to the security log and the incident webhook; the log message's id.
async fn post(
    shared: &Shared,
    guild: Id<GuildMarker>,
    settings: &GuardSettings,
    embed: Embed,
    components: Vec<Component>,
) -> Option<(Id<ChannelMarker>, Id<MessageMarker>)> {
    let mut posted = None;
    let _lane = shared.lane(guild).lock_owned().await;
    if let Some(channel) = log_channel(shared, guild, settings).await {
        let mut message = ReplyMessage::default()
            .with_embed(embed.clone())
            .with_components(components);
        message.content = None;
        match shared
            .kernel
            .discord
            .send_message(channel, &message, None)
            .await
        {
            Ok(id) => posted = Some((channel, id)),
            Err(error) => {
                tracing::warn!(%error, guild = guild.get(), "could not post an incident in the security log")
            }
        }
    }
    if let Some((id, token)) = settings.webhook_url.as_deref().and_then(parse_webhook_url) {
        if let Some(id) = Id::new_checked(id) {
            let request = shared
                .kernel
                .discord
                .client()
                .execute_webhook(id, &token)
                .username("Agora security")
                .embeds(std::slice::from_ref(&embed));
            if let Err(error) = send("POST /webhooks/{id}/{token}", request).await {
                tracing::warn!(%error, guild = guild.get(), "the incident webhook refused the incident");
            }
        }
    }
    posted
}

fn mentions(users: &[Id<UserMarker>]) -> String {
    let listed: Vec<String> = users.iter().map(|user| format!("<@{user}>")).collect();
    clip(&listed.join(" "), 1000)
}

/// The raid's incident: what crossed the threshold, the accounts, the staff buttons.
pub async fn post_incident(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    raid: i64,
    detail: &str,
    accounts: &[Id<UserMarker>],
    settings: &GuardSettings,
) {
    let embed = incident_embed(raid, detail, accounts, None, raid_action(settings), None);
    let components = vec![Component::ActionRow(ActionRow {
        id: None,
        components: vec![
            button(RAID_BAN, raid, "Ban all", ButtonStyle::Danger),
            button(RAID_RELEASE, raid, "Release all", ButtonStyle::Secondary),
            button(RAID_END, raid, "End raid mode", ButtonStyle::Primary),
        ],
    })];
    if let Some((channel, message)) = post(shared, guild, settings, embed, components).await {
        if let Err(error) = shared
            .kernel
            .store
            .set_raid_message(raid, channel, message)
            .await
        {
            tracing::warn!(%error, "could not remember the incident's message");
        }
    }
    if settings.raid_action == Action::Quarantine && settings.quarantine_role.is_none() {
        log(
            shared,
            guild,
            settings,
            "⚠️ No quarantine role is set (`/security config raid quarantine_role:`): raiders are timed out instead.",
        )
        .await;
    }
}

fn incident_embed(
    raid: i64,
    detail: &str,
    accounts: &[Id<UserMarker>],
    outcomes: Option<String>,
    action: Action,
    ended: Option<String>,
) -> Embed {
    let title = match &ended {
        Some(_) => format!("Raid #{raid} (over)"),
        None => format!("🚨 Raid #{raid}: raid mode on"),
    };
    let mut embed = EmbedBuilder::new()
        .title(title)
        .color(if ended.is_some() {
            0x57_F2_87
        } else {
            0xED_42_45
        })
        .description(clip(detail, 4000))
        .field(EmbedFieldBuilder::new("Action", action.as_str()).inline())
        .field(EmbedFieldBuilder::new(
            format!("Accounts ({})", accounts.len()),
            if accounts.is_empty() {
                "—".to_owned()
            } else {
                mentions(accounts)
            },
        ));
    if let Some(outcomes) = outcomes {
        embed = embed.field(EmbedFieldBuilder::new("Outcome", clip(&outcomes, 1000)));
    }
    if let Some(ended) = ended {
        embed = embed.field(EmbedFieldBuilder::new("Ended", ended));
    }
    embed.build()
}

/// Rewrites the incident with each account's outcome (and the end of raid mode).
pub async fn update_incident(shared: &Arc<Shared>, guild: Id<GuildMarker>, raid: i64) {
    let store = &shared.kernel.store;
    let (Ok(Some(record)), Ok(accounts)) = (
        store.raid(guild, raid).await,
        store.raid_accounts(raid).await,
    ) else {
        return;
    };
    let Some((channel, message)) = record.log_message else {
        return;
    };
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for account in &accounts {
        let outcome = account.outcome.split(':').next().unwrap_or("");
        *counts.entry(outcome).or_default() += 1;
    }
    let outcomes = counts
        .iter()
        .map(|(outcome, count)| format!("{count} {outcome}"))
        .collect::<Vec<_>>()
        .join(", ");
    let users: Vec<Id<UserMarker>> = accounts.iter().map(|a| a.user).collect();
    let ended = record.ended_at.map(|at| match record.ended_by {
        Some(by) => format!("<t:{}:R> by <@{by}>", at.timestamp()),
        None => format!("<t:{}:R>, quiet", at.timestamp()),
    });
    let action = Action::parse(&record.action).unwrap_or(Action::Quarantine);
    let embed = incident_embed(
        raid,
        &record.detail,
        &users,
        Some(outcomes),
        action,
        ended.clone(),
    );
    let mut buttons = vec![
        button(RAID_BAN, raid, "Ban all", ButtonStyle::Danger),
        button(RAID_RELEASE, raid, "Release all", ButtonStyle::Secondary),
    ];
    if ended.is_none() {
        buttons.push(button(
            RAID_END,
            raid,
            "End raid mode",
            ButtonStyle::Primary,
        ));
    }
    let mut update = ReplyMessage::default()
        .with_embed(embed)
        .with_components(vec![Component::ActionRow(ActionRow {
            id: None,
            components: buttons,
        })]);
    update.content = None;
    if let Err(error) = shared
        .kernel
        .discord
        .edit_message(channel, message, &update)
        .await
    {
        tracing::debug!(%error, "could not update the incident");
    }
}

/// Handles a raid's accounts, a few at a time; each outcome is stored.
pub async fn handle_raiders(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    raid: i64,
    accounts: &[Id<UserMarker>],
    settings: &GuardSettings,
) {
    futures::stream::iter(accounts.iter().copied())
        .for_each_concurrent(CONCURRENT_ACTIONS, |user| async move {
            handle_raider(shared, guild, Some(raid), user, settings).await;
        })
        .await;
}

/// One raid account: the raid action, its outcome stored and an event recorded.
pub async fn handle_raider(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    raid: Option<i64>,
    user: Id<UserMarker>,
    settings: &GuardSettings,
) {
    let action = raid_action(settings);
    let reason = match raid {
        Some(raid) => format!("Agora anti-raid: raid #{raid}"),
        None => "Agora anti-raid".to_owned(),
    };
    let outcome = match act(
        shared,
        guild,
        user,
        action,
        &reason,
        settings,
        RAID_TIMEOUT_SECONDS,
    )
    .await
    {
        Ok(()) => past_tense(action).to_owned(),
        Err(error) => {
            report_failure(shared, guild, settings, action, &error).await;
            format!("failed: {error}")
        }
    };
    if let Some(raid) = raid {
        let _ = shared
            .kernel
            .store
            .set_raid_outcome(raid, user, &outcome)
            .await;
    }
    let _ = shared
        .kernel
        .store
        .record_security_event(
            guild,
            NewEvent {
                kind: "raid",
                rule: Some("joins"),
                user: Some(user),
                action: &outcome,
                detail: &reason,
                ..NewEvent::default()
            },
        )
        .await;
}

fn past_tense(action: Action) -> &'static str {
    match action {
        Action::Delete => "deleted",
        Action::Quarantine => "quarantined",
        Action::Timeout => "timed out",
        Action::Kick => "kicked",
        Action::Ban => "banned",
    }
}

/// Does `action` to a member. `timeout_seconds` is how long a timeout lasts.
pub async fn act(
    shared: &Shared,
    guild: Id<GuildMarker>,
    user: Id<UserMarker>,
    action: Action,
    reason: &str,
    settings: &GuardSettings,
    timeout_seconds: i64,
) -> Result<(), DiscordError> {
    let _lane = shared.lane(guild).lock_owned().await;
    act_now(
        shared,
        guild,
        user,
        action,
        reason,
        settings,
        timeout_seconds,
    )
    .await
}

async fn act_now(
    shared: &Shared,
    guild: Id<GuildMarker>,
    user: Id<UserMarker>,
    action: Action,
    reason: &str,
    settings: &GuardSettings,
    timeout_seconds: i64,
) -> Result<(), DiscordError> {
    let client = shared.kernel.discord.client();
    let reason = clip(reason, 400);
    match action {
        Action::Delete => Ok(()),
        Action::Quarantine => {
            let Some(role) = settings
                .quarantine_role
                .and_then(Id::<RoleMarker>::new_checked)
            else {
                return Box::pin(act_now(
                    shared,
                    guild,
                    user,
                    Action::Timeout,
                    &reason,
                    settings,
                    timeout_seconds,
                ))
                .await;
            };
            paced(
                shared,
                format!("roles:{guild}"),
                "PUT /guilds/{id}/members/{id}/roles/{id}",
                client
                    .add_guild_member_role(guild, user, role)
                    .reason(&reason),
            )
            .await
            .map(drop)
        }
        Action::Timeout => {
            let until = shared.kernel.clock.now() + chrono::Duration::seconds(timeout_seconds);
            let until = Timestamp::from_secs(until.timestamp()).ok();
            paced(
                shared,
                format!("member:{guild}"),
                "PATCH /guilds/{id}/members/{id}",
                client
                    .update_guild_member(guild, user)
                    .communication_disabled_until(until)
                    .reason(&reason),
            )
            .await
            .map(drop)
        }
        Action::Kick => paced(
            shared,
            format!("kick:{guild}"),
            "DELETE /guilds/{id}/members/{id}",
            client.remove_guild_member(guild, user).reason(&reason),
        )
        .await
        .map(drop),
        Action::Ban => paced(
            shared,
            format!("ban:{guild}"),
            "PUT /guilds/{id}/bans/{id}",
            client
                .create_ban(guild, user)
                .delete_message_seconds(BAN_DELETE_SECONDS)
                .reason(&reason),
        )
        .await
        .map(drop),
    }
}

/// A refused action: a missing permission is said once per guild and permission (in the
/// log, to the admin who configured protection, and as an event).
pub async fn report_failure(
    shared: &Shared,
    guild: Id<GuildMarker>,
    settings: &GuardSettings,
    action: Action,
    error: &DiscordError,
) {
    tracing::warn!(%error, guild = guild.get(), action = action.as_str(), "a protection action was refused");
    if error.code() != Some(50013) {
        return;
    }
    let (permission, _) = permission_for(action);
    if !shared.told_missing.lock().insert((guild, permission)) {
        return;
    }
    let text = format!(
        "⚠️ Agora could not {} a member here: it lacks the **{permission}** permission (or its role is below the member's). Give the bot's role that permission and move it above the roles it must act on.",
        action.as_str()
    );
    log(shared, guild, settings, &text).await;
    if let Some(admin) = settings.configured_by.and_then(Id::new_checked) {
        let _ = shared
            .kernel
            .discord
            .send_dm(admin, &ReplyMessage::text(text.clone()))
            .await;
    }
    let _ = shared
        .kernel
        .store
        .record_security_event(
            guild,
            NewEvent {
                kind: "permission",
                action: "missing permission",
                detail: permission,
                ..NewEvent::default()
            },
        )
        .await;
}

/// Bans every account of a raid not banned yet; (banned, failed).
pub async fn ban_raiders(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    raid: i64,
    by: Id<UserMarker>,
) -> (usize, usize) {
    let settings = shared.settings_of(guild);
    let Ok(accounts) = shared.kernel.store.raid_accounts(raid).await else {
        return (0, 0);
    };
    let todo: Vec<_> = accounts
        .into_iter()
        .filter(|a| a.outcome != "banned")
        .collect();
    let results: Vec<bool> = futures::stream::iter(todo)
        .map(|account| {
            let settings = settings.clone();
            async move {
                let reason = format!("Agora anti-raid: raid #{raid}, banned by staff ({by})");
                match act(
                    shared,
                    guild,
                    account.user,
                    Action::Ban,
                    &reason,
                    &settings,
                    0,
                )
                .await
                {
                    Ok(()) => {
                        let _ = shared
                            .kernel
                            .store
                            .set_raid_outcome(raid, account.user, "banned")
                            .await;
                        let _ = shared
                            .kernel
                            .store
                            .record_security_event(
                                guild,
                                NewEvent {
                                    kind: "raid",
                                    rule: Some("joins"),
                                    user: Some(account.user),
                                    actor: Some(by),
                                    action: "banned",
                                    detail: &reason,
                                },
                            )
                            .await;
                        true
                    }
                    Err(error) => {
                        report_failure(shared, guild, &settings, Action::Ban, &error).await;
                        false
                    }
                }
            }
        })
        .buffer_unordered(CONCURRENT_ACTIONS)
        .collect()
        .await;
    let done = results.iter().filter(|ok| **ok).count();
    (done, results.len() - done)
}

/// Undoes the raid action for every account still held (quarantine role taken off,
/// timeout lifted); (released, failed).
pub async fn release_raiders(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    raid: i64,
    settings: &GuardSettings,
    by: Id<UserMarker>,
) -> (usize, usize) {
    let Ok(accounts) = shared.kernel.store.raid_accounts(raid).await else {
        return (0, 0);
    };
    let todo: Vec<_> = accounts
        .into_iter()
        .filter(|a| a.outcome == "quarantined" || a.outcome == "timed out")
        .collect();
    let client = shared.kernel.discord.client();
    let results: Vec<bool> = futures::stream::iter(todo)
        .map(|account| async move {
            let reason = format!("Agora anti-raid: raid #{raid}, released by staff ({by})");
            let lane = shared.lane(guild);
            let _lane = lane.lock().await;
            let result = if account.outcome == "quarantined" {
                match settings
                    .quarantine_role
                    .and_then(Id::<RoleMarker>::new_checked)
                {
                    Some(role) => paced(
                        shared,
                        format!("roles:{guild}"),
                        "DELETE /guilds/{id}/members/{id}/roles/{id}",
                        client
                            .remove_guild_member_role(guild, account.user, role)
                            .reason(&reason),
                    )
                    .await
                    .map(drop),
                    None => Ok(()),
                }
            } else {
                paced(
                    shared,
                    format!("member:{guild}"),
                    "PATCH /guilds/{id}/members/{id}",
                    client
                        .update_guild_member(guild, account.user)
                        .communication_disabled_until(None)
                        .reason(&reason),
                )
                .await
                .map(drop)
            };
            match result {
                // A member who left meanwhile is released all the same.
                Ok(())
                | Err(DiscordError::Refused {
                    code: Some(10007), ..
                }) => {
                    let _ = shared
                        .kernel
                        .store
                        .set_raid_outcome(raid, account.user, "released")
                        .await;
                    let _ = shared
                        .kernel
                        .store
                        .record_security_event(
                            guild,
                            NewEvent {
                                kind: "raid",
                                rule: Some("joins"),
                                user: Some(account.user),
                                actor: Some(by),
                                action: "released",
                                detail: &reason,
                            },
                        )
                        .await;
                    true
                }
                Err(error) => {
                    tracing::warn!(%error, "could not release a raid account");
                    false
                }
            }
        })
        .buffer_unordered(CONCURRENT_ACTIONS)
        .collect()
        .await;
    let done = results.iter().filter(|ok| **ok).count();
    (done, results.len() - done)
}

/// A spam rule caught someone: their messages go, then the rule's action, an event and a
/// line in the log.
pub async fn spam_caught(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    author: Id<UserMarker>,
    rule: SpamRule,
    messages: Vec<(u64, u64)>,
    settings: &GuardSettings,
) {
    let action = settings.spam_action(rule);
    let reason = format!("Agora anti-spam: {} rule", rule.as_str());
    delete_messages(shared, guild, &messages, rule.as_str()).await;
    let timeout = i64::from(settings.spam_timeout_minutes) * 60;
    let outcome = match act(shared, guild, author, action, &reason, settings, timeout).await {
        Ok(()) => past_tense(action).to_owned(),
        Err(error) => {
            report_failure(shared, guild, settings, action, &error).await;
            format!("failed: {error}")
        }
    };
    let detail = format!("{} message(s) removed", messages.len());
    let _ = shared
        .kernel
        .store
        .record_security_event(
            guild,
            NewEvent {
                kind: "spam",
                rule: Some(rule.as_str()),
                user: Some(author),
                action: &outcome,
                detail: &detail,
                ..NewEvent::default()
            },
        )
        .await;
    log(
        shared,
        guild,
        settings,
        &format!(
            "🧹 <@{author}> broke the **{}** rule: {detail}; {outcome}.",
            rule.as_str()
        ),
    )
    .await;
}

/// Discord bulk-deletes messages younger than 14 days, 2 to 100 at a time.
const BULK_MAX_AGE_MS: i64 = 14 * 86_400_000 - 60_000;

/// Removes messages `(channel, id)`: in bulk where Discord allows it, else one by one.
pub async fn delete_messages(
    shared: &Shared,
    guild: Id<GuildMarker>,
    messages: &[(u64, u64)],
    why: &str,
) {
    let client = shared.kernel.discord.client();
    let now = shared.kernel.clock.now().timestamp_millis();
    let mut by_channel =
        std::collections::BTreeMap::<u64, (Vec<Id<MessageMarker>>, Vec<Id<MessageMarker>>)>::new();
    for (channel, message) in messages {
        let Some(id) = Id::new_checked(*message) else {
            continue;
        };
        let entry = by_channel.entry(*channel).or_default();
        if now - super::detect::snowflake_time(*message) < BULK_MAX_AGE_MS {
            entry.0.push(id);
        } else {
            entry.1.push(id);
        }
    }
    let reason = format!("Agora anti-spam: {why}");
    let _lane = shared.lane(guild).lock_owned().await;
    for (channel, (recent, old)) in by_channel {
        let Some(channel) = Id::<ChannelMarker>::new_checked(channel) else {
            continue;
        };
        let mut single = old;
        for chunk in recent.chunks(100) {
            if chunk.len() < 2 {
                single.extend_from_slice(chunk);
                continue;
            }
            let request = client.delete_messages(channel, chunk).reason(&reason);
            let key = format!("bulk:{channel}");
            if let Err(error) = paced(
                shared,
                key,
                "POST /channels/{id}/messages/bulk-delete",
                request,
            )
            .await
            {
                tracing::warn!(%error, guild = guild.get(), "could not remove spam in bulk");
            }
        }
        for message in single {
            let request = client.delete_message(channel, message).reason(&reason);
            let key = format!("delete:{channel}");
            match paced(shared, key, "DELETE /channels/{id}/messages/{id}", request).await {
                Ok(_)
                | Err(DiscordError::Refused {
                    code: Some(10008), ..
                }) => {}
                Err(error) => {
                    tracing::warn!(%error, guild = guild.get(), "could not remove a spam message")
                }
            }
        }
    }
}

/// Someone destroyed too much too fast: every role of theirs that holds a dangerous
/// permission (and that the bot may manage) is taken, at once, in one request.
pub async fn stop_nuker(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    actor: Id<UserMarker>,
    actions: usize,
    what: &str,
    settings: &GuardSettings,
) {
    let client = shared.kernel.discord.client();
    let outcome: Result<Vec<Id<RoleMarker>>, String> = async {
        let member = send(
            "GET /guilds/{id}/members/{id}",
            client.guild_member(guild, actor),
        )
        .await
        .map_err(|e| e.to_string())?
        .model()
        .await
        .map_err(|e| e.to_string())?;
        let (_, roles, bot_top) = shared.bot_standing(guild).await?;
        // Only roles strictly below the bot's highest can be taken.
        let below_bot = |id: &Id<RoleMarker>| {
            roles
                .iter()
                .find(|r| r.id == *id)
                .is_some_and(|r| r.position < bot_top)
        };
        let dangerous: Vec<Id<RoleMarker>> = member
            .roles
            .iter()
            .filter(|id| {
                roles
                    .iter()
                    .find(|r| r.id == **id)
                    .is_some_and(|r| r.permissions.intersects(DANGEROUS) && !r.managed)
                    && below_bot(id)
            })
            .copied()
            .collect();
        if dangerous.is_empty() {
            return Err("none of their dangerous roles is below the bot's highest role".to_owned());
        }
        let kept: Vec<Id<RoleMarker>> = member
            .roles
            .iter()
            .filter(|id| !dangerous.contains(id))
            .copied()
            .collect();
        let reason = format!(
            "Agora anti-nuke: {actions} destructive actions ({what}) in {} s",
            settings.nuke_window_seconds
        );
        send(
            "PATCH /guilds/{id}/members/{id}",
            client
                .update_guild_member(guild, actor)
                .roles(&kept)
                .reason(&reason),
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(dangerous)
    }
    .await;
    let (action, detail) = match &outcome {
        Ok(roles) => (
            "roles stripped".to_owned(),
            format!(
                "{actions} destructive actions ({what}) within {} s; took {}",
                settings.nuke_window_seconds,
                roles
                    .iter()
                    .map(|r| format!("<@&{r}>"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ),
        Err(why) => (
            "could not strip roles".to_owned(),
            format!(
                "{actions} destructive actions ({what}) within {} s; {why}",
                settings.nuke_window_seconds
            ),
        ),
    };
    let _ = shared
        .kernel
        .store
        .record_security_event(
            guild,
            NewEvent {
                kind: "nuke",
                rule: Some("destructive-actions"),
                user: Some(actor),
                action: &action,
                detail: &detail,
                ..NewEvent::default()
            },
        )
        .await;
    let embed = EmbedBuilder::new()
        .title("🛑 Anti-nuke")
        .color(0xED_42_45)
        .description(clip(
            &format!("<@{actor}>: {detail}. Action: {action}."),
            4000,
        ))
        .build();
    post(shared, guild, settings, embed, Vec::new()).await;
}
