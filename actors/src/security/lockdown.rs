//! Lockdown and unlockdown: @everyone may no longer send in the chosen channels (and
//! invites pause, Discord's incident action), and each channel's @everyone overwrite as it
//! was — or its absence — is stored first, so unlockdown, the lockdown's time running out
//! or the end of raid mode put it back exactly, also after a restart. A lockdown that
//! cannot be applied everywhere is undone where it was: nothing half-applied.

use std::sync::Arc;

use twilight_http::request::AuditLogReason;
use twilight_model::channel::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
use twilight_model::channel::ChannelType;
use twilight_model::guild::Permissions;
use twilight_model::http::permission_overwrite::{
    PermissionOverwrite as NewOverwrite, PermissionOverwriteType as NewOverwriteType,
};
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::id::Id;

use super::store::{Lockdown, NewEvent};
use super::Shared;
use crate::kernel::discord::{send, DiscordError};

/// What a lockdown denies @everyone.
pub const LOCKED: Permissions = Permissions::SEND_MESSAGES
    .union(Permissions::SEND_MESSAGES_IN_THREADS)
    .union(Permissions::CREATE_PUBLIC_THREADS)
    .union(Permissions::CREATE_PRIVATE_THREADS)
    .union(Permissions::ADD_REACTIONS);

/// The snapshot row that stands for the invites pause.
pub const INVITES: u64 = 0;

/// Discord pauses invites for at most 24 hours at a time.
const MAX_PAUSE: chrono::Duration = chrono::Duration::hours(24);

/// What a lockdown did.
#[derive(Debug, Default)]
pub struct Locked {
    pub channels: Vec<Id<ChannelMarker>>,
    /// Channels that were locked already (their first snapshot stays).
    pub already: Vec<Id<ChannelMarker>>,
    pub invites_paused: bool,
}

fn everyone_overwrite(
    guild: Id<GuildMarker>,
    overwrites: &[PermissionOverwrite],
) -> Option<PermissionOverwrite> {
    overwrites
        .iter()
        .find(|o| o.kind == PermissionOverwriteType::Role && o.id == guild.cast())
        .cloned()
}

fn refusal(channel: Id<ChannelMarker>, error: &DiscordError) -> String {
    match error.code() {
        Some(50013) | Some(50001) => format!(
            "the bot cannot manage the permissions of <#{channel}> (it needs **Manage Channels** and **Manage Permissions** there)"
        ),
        Some(10003) => format!("<#{channel}> does not exist any more"),
        _ => format!("<#{channel}> could not be locked: {error}"),
    }
}

/// Locks every text, announcement and forum channel and pauses invites.
pub async fn lock_all(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    by: Option<Id<UserMarker>>,
    reason: &str,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Locked, String> {
    let client = shared.kernel.discord.client();
    let channels = send("GET /guilds/{id}/channels", client.guild_channels(guild))
        .await
        .map_err(|error| format!("the server's channels could not be read: {error}"))?
        .models()
        .await
        .map_err(|error| format!("the server's channels could not be read: {error}"))?;
    let chosen: Vec<Id<ChannelMarker>> = channels
        .iter()
        .filter(|c| {
            matches!(
                c.kind,
                ChannelType::GuildText | ChannelType::GuildAnnouncement | ChannelType::GuildForum
            )
        })
        .map(|c| c.id)
        .collect();
    lock(shared, guild, &chosen, true, by, reason, until).await
}

/// Locks `channels` (and pauses invites when asked); on any refusal, undoes what this
/// call did and says which channel and why.
pub async fn lock(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    channels: &[Id<ChannelMarker>],
    pause_invites: bool,
    by: Option<Id<UserMarker>>,
    reason: &str,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Locked, String> {
    let store = &shared.kernel.store;
    let client = shared.kernel.discord.client();
    let locked_by = match by {
        Some(user) => user,
        None => shared.bot_user().await.map_err(|e| e.to_string())?,
    };
    let now = shared.kernel.clock.now();
    // Discord lets a bot allow or deny only what it holds itself: it denies the sending
    // permissions it has (Send Messages at least).
    let (held, _, _) = shared.bot_standing(guild).await?;
    let locked = (LOCKED & held) | Permissions::SEND_MESSAGES;
    let mut done = Locked::default();
    let audit = clip_reason(&format!("Agora lockdown: {reason}"));
    for channel in channels {
        let fetched = send("GET /channels/{id}", client.channel(*channel)).await;
        let current = match fetched {
            Ok(response) => response.model().await.map_err(|e| e.to_string()),
            Err(error) => Err(refusal(*channel, &error)),
        };
        let current = match current {
            Ok(current) => current,
            Err(why) => {
                rollback(shared, guild, &done).await;
                return Err(why);
            }
        };
        let before = everyone_overwrite(
            guild,
            current.permission_overwrites.as_deref().unwrap_or_default(),
        );
        let snapshot = Lockdown {
            guild,
            channel: channel.get(),
            had_overwrite: before.is_some(),
            allow: before.as_ref().map_or(0, |o| o.allow.bits()).to_string(),
            deny: before.as_ref().map_or(0, |o| o.deny.bits()).to_string(),
            reason: reason.to_owned(),
            locked_by,
            locked_at: now,
            until,
        };
        match store.take_lockdown_snapshot(&snapshot).await {
            Ok(true) => {}
            Ok(false) => {
                done.already.push(*channel);
                continue;
            }
            Err(error) => {
                rollback(shared, guild, &done).await;
                return Err(format!("the database did not answer: {error}"));
            }
        }
        let overwrite = NewOverwrite {
            allow: Some(before.as_ref().map_or(Permissions::empty(), |o| o.allow) - locked),
            deny: Some(before.as_ref().map_or(Permissions::empty(), |o| o.deny) | locked),
            id: guild.cast(),
            kind: NewOverwriteType::Role,
        };
        let put = client
            .update_channel_permission(*channel, &overwrite)
            .reason(&audit);
        if let Err(error) = send("PUT /channels/{id}/permissions/{id}", put).await {
            let _ = store.drop_lockdown_snapshot(guild, channel.get()).await;
            rollback(shared, guild, &done).await;
            return Err(refusal(*channel, &error));
        }
        done.channels.push(*channel);
    }
    if pause_invites {
        let pause_until = until.map_or(now + MAX_PAUSE, |until| until.min(now + MAX_PAUSE));
        let snapshot = Lockdown {
            guild,
            channel: INVITES,
            had_overwrite: false,
            allow: "0".into(),
            deny: "0".into(),
            reason: reason.to_owned(),
            locked_by,
            locked_at: now,
            until,
        };
        if let Ok(true) = store.take_lockdown_snapshot(&snapshot).await {
            if let Err(error) = shared
                .kernel
                .discord
                .raw()
                .incident_actions(guild, Some(pause_until), None)
                .await
            {
                let _ = store.drop_lockdown_snapshot(guild, INVITES).await;
                rollback(shared, guild, &done).await;
                return Err(match error.code() {
                    Some(50013) => {
                        "invites could not be paused: the bot needs **Manage Server**".to_owned()
                    }
                    _ => format!("invites could not be paused: {error}"),
                });
            }
            done.invites_paused = true;
        }
    }
    let detail = format!(
        "{} channel(s) locked{}{}",
        done.channels.len(),
        if done.invites_paused {
            ", invites paused"
        } else {
            ""
        },
        until.map_or(String::new(), |until| format!(
            ", until <t:{}:f>",
            until.timestamp()
        ))
    );
    let _ = store
        .record_security_event(
            guild,
            NewEvent {
                kind: "lockdown",
                rule: None,
                user: None,
                actor: Some(locked_by),
                action: "lockdown",
                detail: &format!("{detail}: {reason}"),
            },
        )
        .await;
    Ok(done)
}

fn clip_reason(text: &str) -> String {
    crate::kernel::reply::clip(text, 400)
}

/// Puts back what this call locked (a lockdown refused halfway).
async fn rollback(shared: &Arc<Shared>, guild: Id<GuildMarker>, done: &Locked) {
    let Ok(snapshots) = shared.kernel.store.lockdowns(guild).await else {
        return;
    };
    for snapshot in snapshots
        .iter()
        .filter(|s| done.channels.iter().any(|c| c.get() == s.channel))
    {
        if restore(shared, snapshot).await.is_ok() {
            let _ = shared
                .kernel
                .store
                .drop_lockdown_snapshot(guild, snapshot.channel)
                .await;
        }
    }
}

/// Puts one channel's @everyone overwrite back as the snapshot says (or removes it when
/// there was none); resumes invites for the invites row.
async fn restore(shared: &Arc<Shared>, snapshot: &Lockdown) -> Result<(), DiscordError> {
    let client = shared.kernel.discord.client();
    let guild = snapshot.guild;
    if snapshot.channel == INVITES {
        return shared
            .kernel
            .discord
            .raw()
            .incident_actions(guild, None, None)
            .await;
    }
    let Some(channel) = Id::<ChannelMarker>::new_checked(snapshot.channel) else {
        return Ok(());
    };
    let audit = "Agora unlockdown: permissions as they were";
    let result = if snapshot.had_overwrite {
        let bits = |text: &str| Permissions::from_bits_retain(text.parse().unwrap_or(0));
        let overwrite = NewOverwrite {
            allow: Some(bits(&snapshot.allow)),
            deny: Some(bits(&snapshot.deny)),
            id: guild.cast(),
            kind: NewOverwriteType::Role,
        };
        send(
            "PUT /channels/{id}/permissions/{id}",
            client
                .update_channel_permission(channel, &overwrite)
                .reason(audit),
        )
        .await
        .map(drop)
    } else {
        send(
            "DELETE /channels/{id}/permissions/{id}",
            client
                .delete_channel_permission(channel)
                .role(guild.cast())
                .reason(audit),
        )
        .await
        .map(drop)
    };
    match result {
        // A channel deleted since has nothing to restore.
        Err(DiscordError::Refused {
            code: Some(10003), ..
        }) => Ok(()),
        other => other,
    }
}

/// What an unlockdown did.
#[derive(Debug, Default)]
pub struct Unlocked {
    pub channels: usize,
    pub invites_resumed: bool,
    /// Channels that could not be restored (their snapshot stays for another try).
    pub failed: Vec<String>,
}

/// Restores every locked channel of a guild exactly, and resumes invites.
pub async fn unlock(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    by: Option<Id<UserMarker>>,
) -> Result<Unlocked, String> {
    let store = &shared.kernel.store;
    let snapshots = store
        .lockdowns(guild)
        .await
        .map_err(|error| format!("the database did not answer: {error}"))?;
    let mut done = Unlocked::default();
    for snapshot in &snapshots {
        match restore(shared, snapshot).await {
            Ok(()) => {
                if store
                    .drop_lockdown_snapshot(guild, snapshot.channel)
                    .await
                    .unwrap_or(false)
                {
                    if snapshot.channel == INVITES {
                        done.invites_resumed = true;
                    } else {
                        done.channels += 1;
                    }
                }
            }
            Err(error) => done.failed.push(if snapshot.channel == INVITES {
                format!("invites: {error}")
            } else {
                format!("<#{}>: {error}", snapshot.channel)
            }),
        }
    }
    if !snapshots.is_empty() {
        let detail = format!(
            "{} channel(s) restored{}{}",
            done.channels,
            if done.invites_resumed {
                ", invites resumed"
            } else {
                ""
            },
            if done.failed.is_empty() {
                String::new()
            } else {
                format!("; not restored: {}", done.failed.join(", "))
            }
        );
        let _ = store
            .record_security_event(
                guild,
                NewEvent {
                    kind: "unlockdown",
                    actor: by,
                    action: "unlockdown",
                    detail: &detail,
                    ..NewEvent::default()
                },
            )
            .await;
    }
    Ok(done)
}

/// Lockdowns whose time is up are undone (the ticker).
pub async fn undo_due(shared: &Arc<Shared>) {
    let now = shared.kernel.clock.now();
    let guilds = match shared.kernel.store.lockdowns_due(now).await {
        Ok(guilds) => guilds,
        Err(error) => {
            tracing::warn!(%error, "could not look for lockdowns that are due");
            return;
        }
    };
    for guild in guilds {
        match unlock(shared, guild, None).await {
            Ok(done) => {
                let settings = shared.settings_of(guild);
                super::respond::log(
                    shared,
                    guild,
                    &settings,
                    &format!(
                        "🔓 The lockdown's time is up: {} channel(s) have their permissions back.",
                        done.channels
                    ),
                )
                .await;
            }
            Err(why) => tracing::warn!(guild = guild.get(), why, "could not undo a lockdown"),
        }
    }
}
