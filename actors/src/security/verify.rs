//! The verification gate (optional per guild): a new member gets the gate role, which
//! should see only the verify channel, until they press Verify there and answer a small
//! sum; whoever has not passed within the guild's time is kicked. Who is waiting is
//! stored, so the gate holds across restarts; the sum travels in the buttons.

use std::sync::Arc;

use twilight_http::request::AuditLogReason;
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle};
use twilight_model::channel::message::Component;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker, UserMarker};
use twilight_model::id::Id;

use super::settings::GuardSettings;
use super::store::NewEvent;
use super::TEXTS;
use super::{private, Shared, SECURITY};
use crate::dispatcher::InteractionRequest;
use crate::kernel::custom_id::CustomId;
use crate::kernel::discord::send;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::t;

pub const VERIFY: &str = "verify";
pub const ANSWER: &str = "verify-answer";

fn button(custom_id: String, label: String, style: ButtonStyle) -> Component {
    Component::Button(Button {
        id: None,
        custom_id: Some(custom_id),
        disabled: false,
        emoji: None,
        label: Some(label),
        style,
        url: None,
        sku_id: None,
    })
}

/// Posts the Verify button in the verify channel.
pub async fn post_gate(
    shared: &Arc<Shared>,
    guild: Id<GuildMarker>,
    settings: &GuardSettings,
) -> Result<(), String> {
    let Some(channel) = settings
        .verify_channel
        .and_then(Id::<ChannelMarker>::new_checked)
    else {
        return Err("no verify channel is set".to_owned());
    };
    let id = CustomId::new(SECURITY, 1, VERIFY)
        .arg(guild)
        .encode()
        .unwrap_or_default();
    let message = ReplyMessage::text(format!(
        "👋 Welcome! Press **Verify** to get into the server. Members who have not verified within {} minutes are removed.",
        settings.verify_timeout_minutes
    ))
    .with_components(vec![Component::ActionRow(ActionRow {
        id: None,
        components: vec![button(id, "Verify".to_owned(), ButtonStyle::Success)],
    })]);
    shared
        .kernel
        .discord
        .send_message(channel, &message, None)
        .await
        .map(drop)
        .map_err(|error| error.to_string())
}

/// A new member arrives at the gate: the gate role, and a row that starts their time.
pub async fn gate(shared: &Arc<Shared>, guild: Id<GuildMarker>, user: Id<UserMarker>) {
    let settings = shared.settings_of(guild);
    let Some(role) = settings.verify_role.and_then(Id::<RoleMarker>::new_checked) else {
        return;
    };
    let now = shared.kernel.clock.now();
    if let Err(error) = shared
        .kernel
        .store
        .await_verification(guild, user, now)
        .await
    {
        tracing::warn!(%error, "could not record a member at the gate");
    }
    let request = shared
        .kernel
        .discord
        .client()
        .add_guild_member_role(guild, user, role)
        .reason("Agora verification gate");
    if let Err(error) = send("PUT /guilds/{id}/members/{id}/roles/{id}", request).await {
        super::respond::report_failure(
            shared,
            guild,
            &settings,
            super::settings::Action::Quarantine,
            &error,
        )
        .await;
    }
}

/// A small sum from the member and the moment (it only has to stop scripts that click).
fn challenge(user: Id<UserMarker>, salt: u64) -> (u8, u8) {
    let mix =
        user.get().wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    ((mix % 9 + 1) as u8, ((mix >> 8) % 9 + 1) as u8)
}

/// Verify pressed: the sum, with four answers to choose from.
pub async fn start(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let locale = request.language();
    match shared
        .kernel
        .store
        .awaiting_verification(guild, request.user_id)
        .await
    {
        Ok(true) => {}
        Ok(false) => return private(t!(locale, "security-verify-already")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let salt = shared.kernel.clock.now().timestamp_millis() as u64;
    let (a, b) = challenge(request.user_id, salt);
    let right = a + b;
    let mut answers = vec![right, right + 1, right.saturating_sub(1).max(1), right + 2];
    if answers[2] == right {
        answers[2] = right + 3;
    }
    answers.sort_unstable();
    answers.dedup();
    let buttons = answers
        .iter()
        .map(|answer| {
            let id = CustomId::new(SECURITY, 1, ANSWER)
                .arg(guild)
                .arg(a)
                .arg(b)
                .arg(answer)
                .encode()
                .unwrap_or_default();
            button(id, answer.to_string(), ButtonStyle::Secondary)
        })
        .collect();
    Reply::Message(
        ReplyMessage::private(t!(
            locale,
            "security-verify-question",
            a = i64::from(a),
            b = i64::from(b)
        ))
        .with_components(vec![Component::ActionRow(ActionRow {
            id: None,
            components: buttons,
        })]),
    )
}

/// An answer: right lets the member in (the gate role goes); wrong asks them to try again.
pub async fn answered(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    id: &CustomId,
) -> Reply {
    let locale = request.language();
    let (Some(a), Some(b), Some(answer)) =
        (id.arg_as::<u8>(1), id.arg_as::<u8>(2), id.arg_as::<u8>(3))
    else {
        return private(t!(locale, "security-stale"));
    };
    if u16::from(a) + u16::from(b) != u16::from(answer) {
        return private(t!(locale, "security-verify-wrong"));
    }
    let settings = shared.settings_of(guild);
    let store = &shared.kernel.store;
    match store.awaiting_verification(guild, request.user_id).await {
        Ok(true) => {}
        Ok(false) => return private(t!(locale, "security-verify-already")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    if let Some(role) = settings.verify_role.and_then(Id::<RoleMarker>::new_checked) {
        let request_role = shared
            .kernel
            .discord
            .client()
            .remove_guild_member_role(guild, request.user_id, role)
            .reason("Agora verification gate: passed");
        if let Err(error) = send("DELETE /guilds/{id}/members/{id}/roles/{id}", request_role).await
        {
            tracing::warn!(%error, "could not take the gate role");
            return private(t!(locale, "security-verify-failed"));
        }
    }
    if let Ok(true) = store.verification_done(guild, request.user_id).await {
        let _ = store
            .record_security_event(
                guild,
                NewEvent {
                    kind: "verification",
                    user: Some(request.user_id),
                    action: "passed",
                    detail: "answered the gate's question",
                    ..NewEvent::default()
                },
            )
            .await;
    }
    private(t!(locale, "security-verify-passed"))
}

/// Members who did not pass in their guild's time are kicked (the ticker).
pub async fn kick_overdue(shared: &Arc<Shared>) {
    let now = shared.kernel.clock.now();
    let waiting = match shared
        .kernel
        .store
        .verifications_overdue(now - chrono::Duration::minutes(1))
        .await
    {
        Ok(waiting) => waiting,
        Err(error) => {
            tracing::warn!(%error, "could not look for members at the gate");
            return;
        }
    };
    for (guild, user, joined_at) in waiting {
        let settings = shared.settings_of(guild);
        let store = &shared.kernel.store;
        let limit = chrono::Duration::minutes(i64::from(settings.verify_timeout_minutes));
        if joined_at + limit > now || !settings.verify_enabled {
            continue;
        }
        let request = shared
            .kernel
            .discord
            .client()
            .remove_guild_member(guild, user)
            .reason("Agora verification gate: not verified in time");
        match send("DELETE /guilds/{id}/members/{id}", request).await {
            Ok(_)
            | Err(crate::kernel::discord::DiscordError::Refused {
                code: Some(10007), ..
            }) => {
                if let Ok(true) = store.verification_done(guild, user).await {
                    let _ = store
                        .record_security_event(
                            guild,
                            NewEvent {
                                kind: "verification",
                                user: Some(user),
                                action: "kicked",
                                detail: "did not verify in time",
                                ..NewEvent::default()
                            },
                        )
                        .await;
                }
            }
            Err(error) => {
                super::respond::report_failure(
                    shared,
                    guild,
                    &settings,
                    super::settings::Action::Kick,
                    &error,
                )
                .await
            }
        }
    }
}
