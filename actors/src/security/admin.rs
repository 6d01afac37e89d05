//! `/security …`: status, events, lockdown and unlockdown, the end of raid mode, and the
//! settings. Every setting given is checked first — ranges, the quarantine role below the
//! bot's, the permission its action needs, a real Discord webhook — and all of them are
//! stored together or none.

use std::sync::Arc;

use twilight_model::guild::Permissions;
use twilight_model::id::marker::{GuildMarker, RoleMarker};
use twilight_model::id::Id;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use super::commands::{
    ConfigExempt, ConfigLog, ConfigNuke, ConfigRaid, ConfigSpam, ConfigVerification, ConfigWebhook,
    SecurityCommand, SecurityConfig, SecurityEvents, SecurityLockdown,
};
use super::settings::{self as bounds, parse_webhook_url, Action, Bound, GuardSettings, SpamRule};
use super::store::{EventFilter, NewEvent};
use super::{private, respond, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

pub async fn command(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let command = match TEXTS.options::<SecurityCommand>(request) {
        Ok(command) => command,
        Err(reply) => return reply,
    };
    match command {
        SecurityCommand::Status(_) => status(shared, request, guild).await,
        SecurityCommand::Events(events) => list_events(shared, request, guild, events).await,
        SecurityCommand::Lockdown(lockdown) => lock(shared, request, guild, lockdown).await,
        SecurityCommand::Unlockdown(_) => unlock(shared, request, guild).await,
        SecurityCommand::EndRaid(_) => end_raid(shared, request, guild).await,
        SecurityCommand::Config(config) => configure(shared, request, guild, config).await,
    }
}

fn embed_reply(embed: twilight_model::channel::message::Embed) -> Reply {
    let mut message = ReplyMessage::private(String::new()).with_embed(embed);
    message.content = None;
    Reply::Message(message)
}

async fn status(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let locale = request.language();
    let store = &shared.kernel.store;
    let settings = match store.guard_settings(guild).await {
        Ok(settings) => settings,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let (raid, lockdowns, events) = match (
        store.active_raid(guild).await,
        store.lockdowns(guild).await,
        store
            .security_events(guild, &EventFilter::default(), 5)
            .await,
    ) {
        (Ok(raid), Ok(lockdowns), Ok(events)) => (raid, lockdowns, events),
        (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
            return TEXTS.database_trouble(locale, &error)
        }
    };
    let (members, score, hot_invite) = {
        let guard = shared.guard(guild);
        let guard = guard.lock();
        (guard.members, guard.joins.score(), guard.hot_invite.clone())
    };
    let raid_text = match &raid {
        Some(raid) => t!(
            locale,
            "security-status-raid-on",
            raid = raid.id,
            since = raid.started_at.timestamp()
        ),
        None => t!(locale, "security-status-raid-off"),
    };
    let channels = lockdowns
        .iter()
        .filter(|l| l.channel != super::lockdown::INVITES)
        .count();
    let invites = lockdowns
        .iter()
        .any(|l| l.channel == super::lockdown::INVITES);
    let lock_text = if lockdowns.is_empty() {
        t!(locale, "security-status-unlocked")
    } else {
        let until = lockdowns
            .iter()
            .filter_map(|l| l.until)
            .max()
            .map_or_else(String::new, |until| {
                format!(" · <t:{}:R>", until.timestamp())
            });
        format!(
            "{}{until}",
            t!(
                locale,
                "security-status-locked",
                channels = channels,
                invites = invites.to_string()
            )
        )
    };
    let thresholds = t!(
        locale,
        "security-status-thresholds",
        threshold = format!("{:.0}", settings.raid_threshold(members)),
        window = settings.raid_window_seconds,
        members = members,
        score = format!("{score:.1}"),
        rate = settings.spam_rate,
        rate_seconds = settings.spam_rate_seconds,
        nuke = settings.nuke_limit,
        nuke_window = settings.nuke_window_seconds
    );
    let thresholds = match hot_invite {
        Some((code, uses)) => format!(
            "{thresholds}\n{}",
            t!(
                locale,
                "security-status-hot-invite",
                code = code,
                uses = uses
            )
        ),
        None => thresholds,
    };
    let last = if events.is_empty() {
        t!(locale, "security-events-none")
    } else {
        events.iter().map(event_line).collect::<Vec<_>>().join("\n")
    };
    let on_off = |on: bool| if on { "on" } else { "off" };
    let embed = EmbedBuilder::new()
        .title(t!(locale, "security-status-title"))
        .color(if raid.is_some() {
            0xED_42_45
        } else {
            0x57_F2_87
        })
        .field(EmbedFieldBuilder::new(
            t!(locale, "security-status-raid"),
            raid_text,
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "security-status-lockdown"),
            lock_text,
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "security-status-protection"),
            format!(
                "raid {} · spam {} · nuke {} · verification {}",
                on_off(settings.raid_enabled),
                on_off(settings.spam_enabled),
                on_off(settings.nuke_enabled),
                on_off(settings.verify_enabled)
            ),
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "security-status-limits"),
            thresholds,
        ))
        .field(EmbedFieldBuilder::new(
            t!(locale, "security-status-last"),
            clip(&last, 1024),
        ))
        .build();
    embed_reply(embed)
}

fn event_line(event: &super::store::SecurityEvent) -> String {
    let who = event
        .user
        .map_or_else(String::new, |user| format!(" <@{user}>"));
    let by = event
        .actor
        .map_or_else(String::new, |actor| format!(" (by <@{actor}>)"));
    let rule = event
        .rule
        .as_deref()
        .map_or_else(String::new, |rule| format!(" [{rule}]"));
    clip(
        &format!(
            "<t:{}:f> **{}**{rule}{who}: {}{by} — {}",
            event.at.timestamp(),
            event.kind,
            event.action,
            event.detail
        ),
        300,
    )
}

/// `30m`, `6h`, `2d`, `1w`, or a date `2026-12-01` (UTC midnight).
pub fn parse_since(
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(date) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return date.and_hms_opt(0, 0, 0).map(|at| at.and_utc());
    }
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let number: i64 = number.parse().ok().filter(|n| *n > 0 && *n <= 100_000)?;
    let minutes = match unit.trim() {
        "m" | "min" | "minutes" => number,
        "h" | "hours" => number * 60,
        "d" | "days" => number * 1440,
        "w" | "weeks" => number * 10_080,
        _ => return None,
    };
    Some(now - chrono::Duration::minutes(minutes))
}

/// `30m`, `2h`, `1d` as a duration (1 minute to 30 days).
pub fn parse_duration(text: &str) -> Option<chrono::Duration> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    let minutes = match unit.trim() {
        "m" | "min" | "minutes" => number,
        "h" | "hours" => number * 60,
        "d" | "days" => number * 1440,
        _ => return None,
    };
    (1..=43_200)
        .contains(&minutes)
        .then(|| chrono::Duration::minutes(minutes))
}

async fn list_events(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    options: SecurityEvents,
) -> Reply {
    let locale = request.language();
    let since = match options.since.as_deref() {
        Some(text) => match parse_since(text, shared.kernel.clock.now()) {
            Some(since) => Some(since),
            None => return private(t!(locale, "security-bad-since", given = clip(text, 40))),
        },
        None => None,
    };
    let filter = EventFilter {
        user: options.user,
        kind: options.kind.map(|kind| kind.as_str().to_owned()),
        since,
    };
    let events = match shared
        .kernel
        .store
        .security_events(guild, &filter, 15)
        .await
    {
        Ok(events) => events,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let text = if events.is_empty() {
        t!(locale, "security-events-none")
    } else {
        events.iter().map(event_line).collect::<Vec<_>>().join("\n")
    };
    let embed = EmbedBuilder::new()
        .title(t!(locale, "security-events-title", count = events.len()))
        .description(clip(&text, 4000))
        .build();
    embed_reply(embed)
}

async fn lock(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    options: SecurityLockdown,
) -> Reply {
    let locale = request.language();
    let until = match options.duration.as_deref() {
        Some(text) => match parse_duration(text) {
            Some(duration) => Some(shared.kernel.clock.now() + duration),
            None => return private(t!(locale, "security-bad-duration", given = clip(text, 20))),
        },
        None => None,
    };
    let reason = options
        .reason
        .clone()
        .unwrap_or_else(|| t!(locale, "security-lockdown-no-reason"));
    let by = Some(request.user_id);
    let result = if options.all == Some(true) {
        super::lockdown::lock_all(shared, guild, by, &reason, until).await
    } else {
        let Some(channel) = options.channel.or(request.channel_id) else {
            return private(t!(locale, "security-stale"));
        };
        super::lockdown::lock(shared, guild, &[channel], false, by, &reason, until).await
    };
    match result {
        Ok(done) if done.channels.is_empty() && !done.invites_paused => {
            private(t!(locale, "security-lockdown-already"))
        }
        Ok(done) => {
            let settings = shared.settings_of(guild);
            let text = format!(
                "🔒 <@{}> locked {} channel(s){}: {reason}",
                request.user_id,
                done.channels.len(),
                if done.invites_paused {
                    " and paused invites"
                } else {
                    ""
                }
            );
            respond::log(shared, guild, &settings, &text).await;
            private(t!(
                locale,
                "security-lockdown-done",
                channels = done.channels.len(),
                invites = done.invites_paused.to_string(),
                until = until.map_or(0, |until| until.timestamp())
            ))
        }
        Err(why) => private(t!(locale, "security-lockdown-refused", why = why)),
    }
}

async fn unlock(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let locale = request.language();
    match super::lockdown::unlock(shared, guild, Some(request.user_id)).await {
        Ok(done) if done.channels == 0 && !done.invites_resumed && done.failed.is_empty() => {
            private(t!(locale, "security-unlockdown-nothing"))
        }
        Ok(done) => {
            let settings = shared.settings_of(guild);
            respond::log(
                shared,
                guild,
                &settings,
                &format!(
                    "🔓 <@{}> lifted the lockdown: {} channel(s) have their permissions back.",
                    request.user_id, done.channels
                ),
            )
            .await;
            if done.failed.is_empty() {
                private(t!(
                    locale,
                    "security-unlockdown-done",
                    channels = done.channels
                ))
            } else {
                private(t!(
                    locale,
                    "security-unlockdown-partly",
                    channels = done.channels,
                    failed = clip(&done.failed.join("\n"), 1500)
                ))
            }
        }
        Err(why) => private(t!(locale, "security-lockdown-refused", why = why)),
    }
}

async fn end_raid(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let locale = request.language();
    let raid = match shared.kernel.store.active_raid(guild).await {
        Ok(Some(raid)) => raid,
        Ok(None) => return private(t!(locale, "security-raid-none")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let settings = shared.settings_of(guild);
    match super::monitor::end_raid(shared, guild, raid.id, Some(request.user_id), &settings).await {
        Ok(true) => {
            respond::update_incident(shared, guild, raid.id).await;
            private(t!(locale, "security-raid-ended"))
        }
        Ok(false) => private(t!(locale, "security-raid-already-ended")),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

fn range_error(locale: Locale, error: (String, u32, u32, i64)) -> String {
    let (name, min, max, given) = error;
    t!(
        locale,
        "security-out-of-range",
        name = name,
        min = min,
        max = max,
        given = given
    )
}

fn set(
    target: &mut u32,
    value: Option<i64>,
    bound: &Bound,
    problems: &mut Vec<String>,
    locale: Locale,
) {
    if let Some(value) = value {
        match bound.check(value) {
            Ok(value) => *target = value,
            Err(error) => problems.push(range_error(locale, error)),
        }
    }
}

/// Checks that the bot may carry out `action` (and manage `role` when it is one it must
/// give); a problem per thing missing.
async fn check_can(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    actions: &[Action],
    roles_to_give: &[Id<RoleMarker>],
    locale: Locale,
    problems: &mut Vec<String>,
) {
    if actions.is_empty() && roles_to_give.is_empty() {
        return;
    }
    let (permissions, roles, top) = match shared.bot_standing(guild).await {
        Ok(standing) => standing,
        Err(why) => {
            problems.push(t!(locale, "security-standing-unknown", why = why));
            return;
        }
    };
    for action in actions {
        let (name, needed) = respond::permission_for(*action);
        if !permissions.contains(needed) {
            problems.push(t!(
                locale,
                "security-missing-permission",
                action = action.as_str(),
                permission = name
            ));
        }
    }
    if !roles_to_give.is_empty() && !permissions.contains(Permissions::MANAGE_ROLES) {
        problems.push(t!(
            locale,
            "security-missing-permission",
            action = "quarantine",
            permission = "Manage Roles"
        ));
    }
    for role in roles_to_give {
        match roles.iter().find(|r| r.id == *role) {
            None => problems.push(t!(locale, "security-unknown-role", role = role.get())),
            Some(found) if found.id == guild.cast() || found.managed => {
                problems.push(t!(locale, "security-role-unusable", role = role.get()))
            }
            Some(found) if found.position >= top => {
                problems.push(t!(locale, "security-role-above-bot", role = role.get()))
            }
            Some(_) => {}
        }
    }
}

async fn configure(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    config: SecurityConfig,
) -> Reply {
    let locale = request.language();
    let store = &shared.kernel.store;
    // One change at a time per guild: two admins' changes never lose one another.
    let _turn = shared.kernel.serial.turn(format!("security:{guild}")).await;
    let before = match store.guard_settings(guild).await {
        Ok(settings) => settings,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let mut settings = before.clone();
    let mut problems = Vec::new();
    let mut actions_to_check = Vec::new();
    let mut roles_to_give = Vec::new();
    let part = match config {
        SecurityConfig::Show(_) => return show(&before, locale),
        SecurityConfig::Raid(ConfigRaid {
            enabled,
            min_joins,
            per_mille,
            window_seconds,
            quiet_minutes,
            new_account_days,
            action,
            quarantine_role,
            lockdown,
        }) => {
            if let Some(enabled) = enabled {
                settings.raid_enabled = enabled;
            }
            set(
                &mut settings.raid_min_joins,
                min_joins,
                &bounds::RAID_MIN_JOINS,
                &mut problems,
                locale,
            );
            set(
                &mut settings.raid_per_mille,
                per_mille,
                &bounds::RAID_PER_MILLE,
                &mut problems,
                locale,
            );
            set(
                &mut settings.raid_window_seconds,
                window_seconds,
                &bounds::RAID_WINDOW,
                &mut problems,
                locale,
            );
            set(
                &mut settings.raid_quiet_minutes,
                quiet_minutes,
                &bounds::RAID_QUIET,
                &mut problems,
                locale,
            );
            set(
                &mut settings.new_account_days,
                new_account_days,
                &bounds::NEW_ACCOUNT_DAYS,
                &mut problems,
                locale,
            );
            if let Some(action) = action {
                let action = Action::from(action);
                if action == Action::Delete {
                    problems.push(t!(locale, "security-raid-delete"));
                }
                settings.raid_action = action;
                actions_to_check.push(action);
            }
            if let Some(role) = quarantine_role {
                settings.quarantine_role = Some(role.get());
                roles_to_give.push(role);
            }
            if let Some(lockdown) = lockdown {
                settings.raid_lockdown = lockdown;
            }
            "raid"
        }
        SecurityConfig::Spam(ConfigSpam {
            enabled,
            rule,
            action,
            rate,
            rate_seconds,
            duplicates,
            mentions,
            links,
            wall,
            timeout_minutes,
        }) => {
            match (rule.map(SpamRule::from), enabled) {
                (Some(rule), Some(on)) => {
                    settings.spam_off.retain(|r| *r != rule);
                    if !on {
                        settings.spam_off.push(rule);
                    }
                }
                (None, Some(on)) => settings.spam_enabled = on,
                _ => {}
            }
            if let Some(action) = action {
                let action = Action::from(action);
                match rule {
                    Some(rule) => {
                        settings.spam_actions.insert(SpamRule::from(rule), action);
                        actions_to_check.push(action);
                    }
                    None => problems.push(t!(locale, "security-spam-action-needs-rule")),
                }
            }
            set(
                &mut settings.spam_rate,
                rate,
                &bounds::SPAM_RATE,
                &mut problems,
                locale,
            );
            set(
                &mut settings.spam_rate_seconds,
                rate_seconds,
                &bounds::SPAM_RATE_SECONDS,
                &mut problems,
                locale,
            );
            set(
                &mut settings.spam_duplicates,
                duplicates,
                &bounds::SPAM_DUPLICATES,
                &mut problems,
                locale,
            );
            set(
                &mut settings.spam_mentions,
                mentions,
                &bounds::SPAM_MENTIONS,
                &mut problems,
                locale,
            );
            set(
                &mut settings.spam_links,
                links,
                &bounds::SPAM_LINKS,
                &mut problems,
                locale,
            );
            set(
                &mut settings.spam_wall,
                wall,
                &bounds::SPAM_WALL,
                &mut problems,
                locale,
            );
            set(
                &mut settings.spam_timeout_minutes,
                timeout_minutes,
                &bounds::SPAM_TIMEOUT,
                &mut problems,
                locale,
            );
            "spam"
        }
        SecurityConfig::Nuke(ConfigNuke {
            enabled,
            limit,
            window_seconds,
        }) => {
            if let Some(enabled) = enabled {
                settings.nuke_enabled = enabled;
            }
            set(
                &mut settings.nuke_limit,
                limit,
                &bounds::NUKE_LIMIT,
                &mut problems,
                locale,
            );
            set(
                &mut settings.nuke_window_seconds,
                window_seconds,
                &bounds::NUKE_WINDOW,
                &mut problems,
                locale,
            );
            if settings.nuke_enabled {
                // Taking a nuker's roles needs Manage Roles, as the quarantine does.
                actions_to_check.push(Action::Quarantine);
            }
            "nuke"
        }
        SecurityConfig::Exempt(ConfigExempt {
            role,
            channel,
            remove,
        }) => {
            if role.is_none() && channel.is_none() {
                problems.push(t!(locale, "security-exempt-nothing"));
            }
            let remove = remove.unwrap_or(false);
            let edit = |list: &mut Vec<u64>, id: u64| {
                list.retain(|x| *x != id);
                if !remove {
                    list.push(id);
                }
            };
            if let Some(role) = role {
                edit(&mut settings.exempt_roles, role.get());
            }
            if let Some(channel) = channel {
                edit(&mut settings.exempt_channels, channel.get());
            }
            if settings.exempt_roles.len() + settings.exempt_channels.len() > 50 {
                problems.push(t!(locale, "security-exempt-full"));
            }
            "exempt"
        }
        SecurityConfig::Log(ConfigLog { channel }) => {
            settings.log_channel = Some(channel.get());
            "log"
        }
        SecurityConfig::Webhook(ConfigWebhook { url, remove }) => {
            match (url, remove.unwrap_or(false)) {
                (_, true) => settings.webhook_url = None,
                (Some(url), false) => match parse_webhook_url(&url) {
                    Some(_) => settings.webhook_url = Some(url.trim().to_owned()),
                    None => problems.push(t!(locale, "security-webhook-invalid")),
                },
                (None, false) => problems.push(t!(locale, "security-webhook-missing")),
            }
            "webhook"
        }
        SecurityConfig::Verification(ConfigVerification {
            enabled,
            role,
            channel,
            timeout_minutes,
        }) => {
            if let Some(role) = role {
                settings.verify_role = Some(role.get());
                roles_to_give.push(role);
            }
            if let Some(channel) = channel {
                settings.verify_channel = Some(channel.get());
            }
            set(
                &mut settings.verify_timeout_minutes,
                timeout_minutes,
                &bounds::VERIFY_TIMEOUT,
                &mut problems,
                locale,
            );
            if let Some(enabled) = enabled {
                settings.verify_enabled = enabled;
            }
            if settings.verify_enabled {
                if settings.verify_role.is_none() || settings.verify_channel.is_none() {
                    problems.push(t!(locale, "security-verify-needs-role-and-channel"));
                } else if role.is_none() {
                    roles_to_give.extend(settings.verify_role.and_then(Id::new_checked));
                }
                actions_to_check.push(Action::Kick);
            }
            "verification"
        }
    };
    if problems.is_empty() {
        check_can(
            shared,
            guild,
            &actions_to_check,
            &roles_to_give,
            locale,
            &mut problems,
        )
        .await;
    }
    if !problems.is_empty() {
        return private(t!(
            locale,
            "security-config-refused",
            problems = problems.join("\n")
        ));
    }
    settings.configured_by = Some(request.user_id.get());
    // The gate's button is posted when the gate opens (or moves).
    let post_gate = settings.verify_enabled
        && (!before.verify_enabled || before.verify_channel != settings.verify_channel);
    if let Err(error) = store.save_guard_settings(guild, &settings).await {
        return TEXTS.database_trouble(locale, &error);
    }
    shared.settings_changed(guild, settings.clone());
    // A fixed permission may be told again if it goes missing again.
    shared.told_missing.lock().retain(|(g, _)| *g != guild);
    let _ = store
        .record_security_event(
            guild,
            NewEvent {
                kind: "config",
                actor: Some(request.user_id),
                action: "settings changed",
                detail: part,
                ..NewEvent::default()
            },
        )
        .await;
    if post_gate {
        if let Err(why) = super::verify::post_gate(shared, guild, &settings).await {
            return private(t!(locale, "security-verify-post-failed", why = why));
        }
    }
    show(&settings, locale)
}

fn show(settings: &GuardSettings, locale: Locale) -> Reply {
    let channel = |id: Option<u64>| id.map_or_else(|| "—".to_owned(), |id| format!("<#{id}>"));
    let role = |id: Option<u64>| id.map_or_else(|| "—".to_owned(), |id| format!("<@&{id}>"));
    let on_off = |on: bool| if on { "on" } else { "off" };
    let rules = SpamRule::ALL
        .iter()
        .map(|rule| {
            format!(
                "{} → {}{}",
                rule.as_str(),
                settings.spam_action(*rule).as_str(),
                if settings.spam_rule_on(*rule) {
                    ""
                } else {
                    " (off)"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let list = |ids: &[u64], mention: &dyn Fn(u64) -> String| {
        if ids.is_empty() {
            "—".to_owned()
        } else {
            ids.iter()
                .map(|id| mention(*id))
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    let embed = EmbedBuilder::new()
        .title(t!(locale, "security-config-title"))
        .field(EmbedFieldBuilder::new(
            "Raid",
            format!(
                "{} · at least {} weighted joins or {}‰ of members per {} s · ends after {} quiet min · accounts under {} days weigh double · action {} · quarantine role {} · lockdown {}",
                on_off(settings.raid_enabled),
                settings.raid_min_joins,
                settings.raid_per_mille,
                settings.raid_window_seconds,
                settings.raid_quiet_minutes,
                settings.new_account_days,
                settings.raid_action.as_str(),
                role(settings.quarantine_role),
                on_off(settings.raid_lockdown)
            ),
        ))
        .field(EmbedFieldBuilder::new(
            "Spam",
            clip(
                &format!(
                    "{} · {} messages per {} s · same text {}× · {} mentions · {} links per 30 s · walls of {} · timeout {} min\n{rules}",
                    on_off(settings.spam_enabled),
                    settings.spam_rate,
                    settings.spam_rate_seconds,
                    settings.spam_duplicates,
                    settings.spam_mentions,
                    settings.spam_links,
                    settings.spam_wall,
                    settings.spam_timeout_minutes
                ),
                1024,
            ),
        ))
        .field(EmbedFieldBuilder::new(
            "Anti-nuke",
            format!(
                "{} · more than {} destructive actions in {} s",
                on_off(settings.nuke_enabled),
                settings.nuke_limit,
                settings.nuke_window_seconds
            ),
        ))
        .field(EmbedFieldBuilder::new(
            "Exempt",
            clip(
                &format!(
                    "roles {} · channels {}",
                    list(&settings.exempt_roles, &|id| format!("<@&{id}>")),
                    list(&settings.exempt_channels, &|id| format!("<#{id}>"))
                ),
                1024,
            ),
        ))
        .field(EmbedFieldBuilder::new(
            "Log and webhook",
            format!(
                "log {} · webhook {}",
                channel(settings.log_channel),
                if settings.webhook_url.is_some() { "set" } else { "—" }
            ),
        ))
        .field(EmbedFieldBuilder::new(
            "Verification",
            format!(
                "{} · role {} · channel {} · kick after {} min",
                on_off(settings.verify_enabled),
                role(settings.verify_role),
                channel(settings.verify_channel),
                settings.verify_timeout_minutes
            ),
        ))
        .build();
    embed_reply(embed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_and_durations_read_as_people_write_them() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            parse_since("30m", now),
            Some(now - chrono::Duration::minutes(30))
        );
        assert_eq!(
            parse_since("2d", now),
            Some(now - chrono::Duration::days(2))
        );
        assert_eq!(
            parse_since("2026-12-01", now).map(|at| at.to_rfc3339()),
            Some("2026-12-01T00:00:00+00:00".to_owned())
        );
        assert_eq!(parse_since("yesterday", now), None);
        assert_eq!(parse_since("5y", now), None);
        assert_eq!(parse_duration("2h"), Some(chrono::Duration::hours(2)));
        assert_eq!(parse_duration("0m"), None);
        assert_eq!(parse_duration("31d"), None);
        assert_eq!(parse_duration("soon"), None);
    }
}
