//! The rest of the staff workflow: lock and unlock, tags, department, escalation, soft and
//! hard delete, force close, the inactivity close, the captcha before opening and the
//! opener's feedback (stars from the DM buttons, or `/ticket feedback`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use rand::Rng;
use twilight_model::guild::Permissions;
use twilight_model::http::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
use twilight_model::id::marker::{GuildMarker, UserMarker};
use twilight_model::id::Id;

use super::lifecycle::{
    at_hand, close_unattended, discord_trouble, finish_close, give_back_place, guild_locale, log,
    member_overwrite, opener_allows, put_overwrite, record, staff_allows, staff_at_hand, AtHand,
};
use super::render;
use super::settings::TicketSettings;
use super::store::{Status, Ticket};
use super::{guild_of, private, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::discord::send;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{clip, ModalField, Reply, ReplyMessage};
use crate::t;

/// At most this many tags on a ticket, each at most this long.
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 20;
/// The highest escalation level.
pub const MAX_ESCALATION: i32 = 3;
/// How long a deleted ticket's channel stays, so the answer to "Delete" is seen.
const DELETE_AFTER: Duration = Duration::from_secs(3);
/// From this level on, escalation brings in the server's admin role.
const ADMINS_FROM: i32 = 2;
/// How long a captcha waits for its answer, and how long a passed one lets its person
/// open tickets of that category.
const CAPTCHA_WAITS: Duration = Duration::from_secs(120);
const CAPTCHA_PASSES: Duration = Duration::from_secs(600);

/// Tags as typed ("billing, Refund") → tidy labels (`billing`, `refund`), or what is
/// wrong with them.
pub fn parse_tags(text: &str, locale: crate::kernel::i18n::Locale) -> Result<Vec<String>, String> {
    let mut tags: Vec<String> = Vec::new();
    for part in text.split(',') {
        let tag = part.trim().to_lowercase().replace(' ', "-");
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS
            || !tag
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
        {
            return Err(t!(
                locale,
                "ticket-tag-invalid",
                tag = clip(&tag, 40),
                max = MAX_TAG_CHARS
            ));
        }
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(t!(locale, "ticket-too-many-tags", max = MAX_TAGS));
    }
    Ok(tags)
}

/// A notice in the ticket's channel (a failure is logged: the change happened).
async fn notice(shared: &Shared, ticket: &Ticket, text: String) {
    if let Some(channel) = ticket.channel_id {
        let message = ReplyMessage::text(text);
        if let Err(error) = shared
            .kernel
            .discord
            .send_message(channel, &message, None)
            .await
        {
            tracing::info!(%error, ticket = ticket.id, "could not post a ticket notice");
        }
    }
}

// ---- lock and unlock ------------------------------------------------------------------------

/// `/ticket lock|unlock`: the opener keeps reading but may (not) write.
pub async fn lock(shared: &Shared, request: &InteractionRequest, locked: bool) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if hand.ticket.status != Status::Open {
        return private(t!(locale, "ticket-not-open"));
    }
    let Some(channel) = hand.ticket.channel_id else {
        return private(t!(locale, "ticket-not-open"));
    };
    let (allow, deny) = if locked {
        (
            Permissions::VIEW_CHANNEL | Permissions::READ_MESSAGE_HISTORY,
            // Only what the bot itself may grant here (Discord refuses an overwrite that
            // names a permission the bot lacks).
            Permissions::SEND_MESSAGES | Permissions::ATTACH_FILES,
        )
    } else {
        (opener_allows(), Permissions::empty())
    };
    // Discord first: a lock the store records but Discord refused would lie.
    let overwrite = member_overwrite(hand.ticket.opener_id, allow, deny);
    if let Err(error) = put_overwrite(shared, channel, &overwrite).await {
        tracing::info!(%error, ticket = hand.ticket.id, "could not (un)lock the ticket");
        return discord_trouble(locale, &error);
    }
    let now = shared.kernel.clock.now();
    let ticket = match shared
        .kernel
        .store
        .set_ticket_locked(hand.ticket.id, locked, now)
        .await
    {
        Ok(Some(ticket)) => ticket,
        Ok(None) if locked => return private(t!(locale, "ticket-locked-already")),
        Ok(None) => return private(t!(locale, "ticket-unlocked-already")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let kind = if locked { "locked" } else { "unlocked" };
    record(shared, &ticket, request.user_id, kind, "").await;
    let guild_locale = guild_locale(request);
    let staff = request.user_id.get();
    let said = if locked {
        t!(guild_locale, "ticket-locked-notice", staff = staff)
    } else {
        t!(guild_locale, "ticket-unlocked-notice", staff = staff)
    };
    notice(shared, &ticket, said.clone()).await;
    log(shared, &hand.settings, &ticket, said).await;
    if locked {
        private(t!(locale, "ticket-locked", label = ticket.label()))
    } else {
        private(t!(locale, "ticket-unlocked", label = ticket.label()))
    }
}

// ---- tags, department, escalation -------------------------------------------------------

/// `/ticket tags [add] [remove]`: changes the ticket's tags, or shows them.
pub async fn tags(
    shared: &Shared,
    request: &InteractionRequest,
    add: Option<&str>,
    remove: Option<&str>,
) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let parse = |text: Option<&str>| text.map(|text| parse_tags(text, locale)).transpose();
    let (added, removed) = match (parse(add), parse(remove)) {
        (Ok(added), Ok(removed)) => (added.unwrap_or_default(), removed.unwrap_or_default()),
        (Err(problem), _) | (_, Err(problem)) => return private(problem),
    };
    let mut tags = hand.ticket.tags.clone();
    if added.is_empty() && removed.is_empty() {
        return private(show_tags(locale, &tags));
    }
    tags.retain(|tag| !removed.contains(tag));
    for tag in added {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > MAX_TAGS {
        return private(t!(locale, "ticket-too-many-tags", max = MAX_TAGS));
    }
    let now = shared.kernel.clock.now();
    if let Err(error) = shared
        .kernel
        .store
        .set_ticket_tags(hand.ticket.id, &tags, now)
        .await
    {
        return TEXTS.database_trouble(locale, &error);
    }
    record(
        shared,
        &hand.ticket,
        request.user_id,
        "tags",
        &tags.join(","),
    )
    .await;
    private(show_tags(locale, &tags))
}

fn show_tags(locale: crate::kernel::i18n::Locale, tags: &[String]) -> String {
    if tags.is_empty() {
        t!(locale, "ticket-tags-none")
    } else {
        t!(locale, "ticket-tags-now", tags = tags.join(", "))
    }
}

/// `/ticket department [name]`: which team has the ticket; without a name, none.
pub async fn department(
    shared: &Shared,
    request: &InteractionRequest,
    name: Option<&str>,
) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let name = name.map(str::trim).filter(|name| !name.is_empty());
    if name.is_some_and(|name| name.chars().count() > 50) {
        return private(t!(locale, "ticket-department-too-long", max = 50));
    }
    let now = shared.kernel.clock.now();
    if let Err(error) = shared
        .kernel
        .store
        .set_ticket_department(hand.ticket.id, name, now)
        .await
    {
        return TEXTS.database_trouble(locale, &error);
    }
    record(
        shared,
        &hand.ticket,
        request.user_id,
        "department",
        name.unwrap_or(""),
    )
    .await;
    match name {
        Some(name) => {
            notice(
                shared,
                &hand.ticket,
                t!(
                    guild_locale(request),
                    "ticket-department-notice",
                    department = name
                ),
            )
            .await;
            private(t!(locale, "ticket-department-set", department = name))
        }
        None => private(t!(locale, "ticket-department-cleared")),
    }
}

/// `/ticket escalate [level] [reason]`: one level up (or to the level given); from level 2
/// the server's admin role is let into the channel and called.
pub async fn escalate(
    shared: &Shared,
    request: &InteractionRequest,
    level: Option<i64>,
    reason: Option<&str>,
) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if hand.ticket.status != Status::Open {
        return private(t!(locale, "ticket-not-open"));
    }
    let current = hand.ticket.escalation;
    let level = level.map_or(current + 1, |level| level.clamp(0, 3) as i32);
    if level > MAX_ESCALATION {
        return private(t!(locale, "ticket-escalation-top", max = MAX_ESCALATION));
    }
    if level <= current {
        return private(t!(locale, "ticket-escalation-not-higher", level = current));
    }
    let reason = reason.map(str::trim).filter(|reason| !reason.is_empty());
    let admin_role = request.settings.admin_role_id;
    // The admins must see the channel before they are called into it.
    if let (true, Some(role), Some(channel)) =
        (level >= ADMINS_FROM, admin_role, hand.ticket.channel_id)
    {
        let overwrite = PermissionOverwrite {
            allow: Some(staff_allows()),
            deny: Some(Permissions::empty()),
            id: role.cast(),
            kind: PermissionOverwriteType::Role,
        };
        if let Err(error) = put_overwrite(shared, channel, &overwrite).await {
            tracing::info!(%error, ticket = hand.ticket.id, "could not let the admins in");
            return discord_trouble(locale, &error);
        }
    }
    let now = shared.kernel.clock.now();
    let ticket = match shared
        .kernel
        .store
        .escalate_ticket(hand.ticket.id, level, now)
        .await
    {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return private(t!(locale, "ticket-escalation-not-higher", level = level)),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    record(
        shared,
        &ticket,
        request.user_id,
        "escalated",
        &format!("{level} {}", reason.unwrap_or("")),
    )
    .await;
    let guild_locale = guild_locale(request);
    let text = t!(
        guild_locale,
        "ticket-escalated-notice",
        level = level,
        staff = request.user_id.get(),
        reason = reason.unwrap_or("—")
    );
    if let (Some(channel), true) = (ticket.channel_id, level >= ADMINS_FROM) {
        let message = ReplyMessage::text(match admin_role {
            Some(role) => format!("<@&{role}> {text}"),
            None => text.clone(),
        });
        let roles: Vec<_> = admin_role.into_iter().collect();
        if let Err(error) = shared
            .kernel
            .discord
            .send_message_pinging_roles(channel, &message, &roles)
            .await
        {
            tracing::info!(%error, ticket = ticket.id, "could not call the admins");
        }
    } else {
        notice(shared, &ticket, text.clone()).await;
    }
    log(shared, &hand.settings, &ticket, text).await;
    private(t!(locale, "ticket-escalated", level = level))
}

// ---- deleting and force closing ---------------------------------------------------------

/// Deletes the channel a moment after the answer is shown (a callback into a deleted
/// channel would fail).
fn delete_channel_soon(shared: &Shared, ticket: &Ticket) {
    let Some(channel) = ticket.channel_id else {
        return;
    };
    shared.channel_closed(channel);
    let client = shared.kernel.discord.clone();
    let ticket = ticket.id;
    actix::spawn(async move {
        tokio::time::sleep(DELETE_AFTER).await;
        if let Err(error) = send(
            "DELETE /channels/{id}",
            client.client().delete_channel(channel),
        )
        .await
        {
            tracing::warn!(%error, ticket, "could not delete the ticket channel");
        }
    });
}

/// Closes an open ticket for `soft-delete` and `force-close`: the same close as staff's,
/// with its transcript. `Err` is the answer when it could not.
async fn close_now(
    shared: &Shared,
    request: &InteractionRequest,
    hand: &AtHand,
    reason: Option<&str>,
) -> Result<Ticket, Reply> {
    let locale = request.language();
    let now = shared.kernel.clock.now();
    let closed = match shared
        .kernel
        .store
        .close_ticket(hand.ticket.id, request.user_id, reason, now)
        .await
    {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return Err(private(t!(locale, "ticket-not-open"))),
        Err(error) => return Err(TEXTS.database_trouble(locale, &error)),
    };
    if let Err(error) = finish_close(
        shared,
        &closed,
        &hand.category,
        &hand.settings,
        request.user_id,
        guild_locale(request),
    )
    .await
    {
        tracing::warn!(%error, ticket = closed.id, "closed without a transcript");
    }
    Ok(closed)
}

/// `/ticket soft-delete`: the channel goes (closed first, with its transcript, when it
/// was open); the record, timeline and transcript stay.
pub async fn soft_delete(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let ticket = match hand.ticket.status {
        Status::Open => match close_now(shared, request, &hand, None).await {
            Ok(ticket) => ticket,
            Err(reply) => return reply,
        },
        Status::Closed => hand.ticket.clone(),
        _ => return private(t!(locale, "ticket-not-open")),
    };
    delete_closed(shared, request, &hand.settings, &ticket).await
}

/// A closed ticket's channel goes (a moment after the answer); its record, timeline and
/// transcript stay. Shared by the Delete button and `/ticket soft-delete`.
pub(super) async fn delete_closed(
    shared: &Shared,
    request: &InteractionRequest,
    settings: &TicketSettings,
    ticket: &Ticket,
) -> Reply {
    let locale = request.language();
    let kernel = &shared.kernel;
    match kernel
        .store
        .ticket_deleted(ticket.id, kernel.clock.now())
        .await
    {
        Ok(true) => {}
        Ok(false) => return private(t!(locale, "ticket-deleted-already")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    record(shared, ticket, request.user_id, "deleted", "").await;
    log(
        shared,
        settings,
        ticket,
        t!(
            guild_locale(request),
            "ticket-log-deleted",
            staff = request.user_id.get()
        ),
    )
    .await;
    delete_channel_soon(shared, ticket);
    private(t!(locale, "ticket-deleting", label = ticket.label()))
}

/// `/ticket force-close [number]` (admins): closes an open ticket at once — no reason
/// asked, also from outside its channel (one whose channel is broken or gone).
pub async fn force_close(
    shared: &Shared,
    request: &InteractionRequest,
    number: Option<i64>,
    reason: Option<&str>,
) -> Reply {
    let locale = request.language();
    if request.level < AccessLevel::Admin {
        return private(t!(locale, "ticket-admins-only"));
    }
    let hand = match by_number(shared, request, number).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if hand.ticket.status != Status::Open {
        return private(t!(locale, "ticket-not-open"));
    }
    let reason = reason
        .map(str::trim)
        .filter(|reason| !reason.is_empty())
        .map_or_else(|| t!(locale, "ticket-force-close-reason"), str::to_owned);
    match close_now(shared, request, &hand, Some(&reason)).await {
        Ok(ticket) => {
            record(shared, &ticket, request.user_id, "force-closed", "").await;
            private(t!(locale, "ticket-closed", label = ticket.label()))
        }
        Err(reply) => reply,
    }
}

/// The ticket of the number given (`42` or `ticket-0042`), else the one of this channel.
async fn by_number(
    shared: &Shared,
    request: &InteractionRequest,
    number: Option<i64>,
) -> Result<AtHand, Reply> {
    let Some(number) = number else {
        return at_hand(shared, request, None).await;
    };
    let locale = request.language();
    let guild_id = guild_of(request)?;
    match shared.kernel.store.ticket_by_number(guild_id, number).await {
        Ok(Some(ticket)) => at_hand(shared, request, Some(ticket.id)).await,
        Ok(None) => Err(private(t!(
            locale,
            "ticket-no-such-number",
            number = number
        ))),
        Err(error) => Err(TEXTS.database_trouble(locale, &error)),
    }
}

/// `/ticket hard-delete [number]` (admins): asks for a confirmation click first.
pub async fn ask_hard_delete(
    shared: &Shared,
    request: &InteractionRequest,
    number: Option<i64>,
) -> Reply {
    let locale = request.language();
    if request.level < AccessLevel::Admin {
        return private(t!(locale, "ticket-admins-only"));
    }
    let hand = match by_number(shared, request, number).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let mut message = ReplyMessage::private(t!(
        locale,
        "ticket-hard-delete-confirm",
        label = hand.ticket.label()
    ));
    message.components = render::purge_button(locale, &hand.ticket);
    Reply::Message(message)
}

/// The confirmation: the record, its timeline, its transcript files and its channel are
/// gone for good.
pub async fn hard_delete(shared: &Shared, request: &InteractionRequest, ticket_id: i64) -> Reply {
    let locale = request.language();
    if request.level < AccessLevel::Admin {
        return private(t!(locale, "ticket-admins-only"));
    }
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let store = &shared.kernel.store;
    // Another guild's ticket id is as good as none.
    match store.ticket(guild_id, ticket_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return private(t!(locale, "ticket-purged-already")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let ticket = match store.purge_ticket(ticket_id).await {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return private(t!(locale, "ticket-purged-already")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if matches!(ticket.status, Status::Open | Status::Opening) {
        give_back_place(shared, ticket.guild_id, ticket.opener_id, false).await;
    }
    if let Some(html) = &ticket.transcript {
        let html = std::path::PathBuf::from(html);
        for file in [html.with_extension("txt"), html] {
            match tokio::fs::remove_file(&file).await {
                Ok(()) => {}
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::warn!(%error, file = %file.display(), "could not remove a transcript")
                }
            }
        }
    }
    let settings = TicketSettings::from_values(&request.features);
    log(
        shared,
        &settings,
        &ticket,
        t!(
            guild_locale(request),
            "ticket-log-purged",
            staff = request.user_id.get()
        ),
    )
    .await;
    if ticket.status != Status::Deleted {
        delete_channel_soon(shared, &ticket);
    }
    Reply::Update(ReplyMessage::private(t!(
        locale,
        "ticket-purged",
        label = ticket.label()
    )))
}

// ---- the inactivity close ---------------------------------------------------------------

/// The ticker's part: open tickets silent for longer than their category allows close
/// (each close is the store's conditional update: two leaders never close one twice).
pub(crate) async fn close_inactive(shared: &Shared) {
    let kernel = &shared.kernel;
    let now = kernel.clock.now();
    let inactive = match kernel.store.inactive_tickets(now).await {
        Ok(inactive) => inactive,
        Err(error) => {
            tracing::warn!(%error, "could not read the inactive tickets");
            return;
        }
    };
    let bot = shared.bot_user().await.ok();
    for (ticket, minutes) in inactive {
        let locale = kernel.guild_locale(ticket.guild_id).await;
        let closer = bot.unwrap_or(ticket.opener_id);
        let reason = t!(locale, "ticket-inactive-reason", minutes = minutes);
        close_unattended(shared, &ticket, closer, &reason, locale).await;
    }
}

// ---- SLA alerts -----------------------------------------------------------------------------

/// The ticker's part: open tickets past their category's SLA without a first answer are
/// called out once, in their channel (pinging the staff role) and in the log.
pub(crate) async fn alert_sla_breaches(shared: &Shared) {
    let kernel = &shared.kernel;
    let now = kernel.clock.now();
    let late = match kernel.store.sla_breaches(now).await {
        Ok(late) => late,
        Err(error) => {
            tracing::warn!(%error, "could not read the tickets past their SLA");
            return;
        }
    };
    for (ticket, sla) in late {
        match kernel.store.mark_sla_alerted(ticket.id, now).await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, ticket = ticket.id, "could not mark an SLA alert");
                continue;
            }
        }
        let locale = kernel.guild_locale(ticket.guild_id).await;
        let waited = (now - ticket.created_at).num_minutes();
        let text = t!(
            locale,
            "ticket-sla-alert",
            label = ticket.label(),
            waited = waited,
            sla = sla
        );
        let (category, settings, guild_settings) = match (
            kernel
                .store
                .ticket_category(ticket.guild_id, ticket.category_id)
                .await,
            TicketSettings::load(kernel, ticket.guild_id).await,
            kernel.guild_config(ticket.guild_id).await,
        ) {
            (Ok(Some(category)), Ok(settings), Ok(config)) => (category, settings, config.settings),
            _ => continue,
        };
        if let Some(channel) = ticket.channel_id {
            let staff = super::staff_role(&guild_settings, &settings, &category);
            let message = ReplyMessage::text(match staff {
                Some(role) => format!("<@&{role}> {text}"),
                None => text.clone(),
            });
            let roles: Vec<_> = staff.into_iter().collect();
            if let Err(error) = kernel
                .discord
                .send_message_pinging_roles(channel, &message, &roles)
                .await
            {
                tracing::info!(%error, ticket = ticket.id, "could not post an SLA alert");
            }
        }
        log(shared, &settings, &ticket, text).await;
    }
}

// ---- the captcha ------------------------------------------------------------------------

/// Whose captcha: a person in a guild.
type Person = (Id<GuildMarker>, Id<UserMarker>);

/// Captchas asked and passed, per (guild, person): kept in memory (a restart asks again).
#[derive(Default)]
pub struct Captchas {
    /// Asked: the category, the right answer, until when.
    asked: parking_lot::Mutex<HashMap<Person, (i64, u8, Instant)>>,
    /// Passed: the category, until when.
    passed: parking_lot::Mutex<HashMap<Person, (i64, Instant)>>,
}

impl Captchas {
    /// Whether this person passed the category's captcha a moment ago.
    pub fn passed(&self, guild: Id<GuildMarker>, user: Id<UserMarker>, category: i64) -> bool {
        let now = Instant::now();
        let mut passed = self.passed.lock();
        passed.retain(|_, (_, until)| *until > now);
        passed
            .get(&(guild, user))
            .is_some_and(|(passed_for, _)| *passed_for == category)
    }

    /// A new question: "What is a + b?" with four answers, one right.
    pub fn ask(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        category: i64,
    ) -> (u8, u8, Vec<u8>) {
        let mut rng = rand::rng();
        let (a, b) = (rng.random_range(1..=9u8), rng.random_range(1..=9u8));
        let answer = a + b;
        let mut choices = vec![answer];
        while choices.len() < 4 {
            let other = rng.random_range(2..=18u8);
            if !choices.contains(&other) {
                choices.push(other);
            }
        }
        choices.shuffle(&mut rng);
        let now = Instant::now();
        let mut asked = self.asked.lock();
        asked.retain(|_, (_, _, until)| *until > now);
        asked.insert((guild, user), (category, answer, now + CAPTCHA_WAITS));
        (a, b, choices)
    }

    /// The answer clicked: `Some(true)` passed, `Some(false)` wrong, `None` nothing asked
    /// (expired, restarted, or another category's).
    pub fn answer(
        &self,
        guild: Id<GuildMarker>,
        user: Id<UserMarker>,
        category: i64,
        choice: u8,
    ) -> Option<bool> {
        let now = Instant::now();
        let asked = self.asked.lock().remove(&(guild, user));
        let (asked_for, answer, until) = asked?;
        if asked_for != category || until <= now {
            return None;
        }
        let right = choice == answer;
        if right {
            self.passed
                .lock()
                .insert((guild, user), (category, now + CAPTCHA_PASSES));
        }
        Some(right)
    }
}

/// The captcha's question, privately, with its answer buttons.
pub fn captcha_question(shared: &Shared, request: &InteractionRequest, category: i64) -> Reply {
    let locale = request.language();
    let Some(guild) = request.guild_id else {
        return private(t!(locale, "guild-only"));
    };
    let (a, b, choices) = shared.captchas.ask(guild, request.user_id, category);
    let mut message = ReplyMessage::private(t!(
        locale,
        "ticket-captcha-question",
        a = i32::from(a),
        b = i32::from(b)
    ));
    message.components = render::captcha_buttons(category, &choices);
    Reply::Message(message)
}

// ---- feedback -----------------------------------------------------------------------------

/// The stars a DM button gave: stored once, then a modal asks for words (optional).
pub async fn rate(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: i64,
    stars: i64,
) -> Reply {
    let locale = request.language();
    if !(1..=5).contains(&stars) {
        return private(t!(locale, "ticket-stale"));
    }
    match save_stars(shared, request, ticket_id, stars as i32).await {
        Ok(()) => {}
        Err(reply) => return reply,
    }
    let guild = request.guild_id.map_or(0, |guild| guild.get() as i64);
    Reply::Modal {
        custom_id: render::custom_id(render::FEEDBACK_WORDS, &[guild, ticket_id]),
        title: clip(&t!(locale, "ticket-feedback-title"), 45),
        fields: vec![ModalField {
            custom_id: "words".into(),
            label: clip(&t!(locale, "ticket-feedback-words-label"), 45),
            paragraph: true,
            required: false,
            min_length: None,
            max_length: Some(1000),
            value: None,
            placeholder: None,
        }],
    }
}

/// Stores the opener's stars, or says why not.
async fn save_stars(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: i64,
    stars: i32,
) -> Result<(), Reply> {
    let locale = request.language();
    let guild_id = guild_of(request)?;
    let store = &shared.kernel.store;
    let ticket = match store.ticket(guild_id, ticket_id).await {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return Err(private(t!(locale, "ticket-stale"))),
        Err(error) => return Err(TEXTS.database_trouble(locale, &error)),
    };
    if ticket.opener_id != request.user_id {
        return Err(private(t!(locale, "ticket-feedback-not-yours")));
    }
    if matches!(ticket.status, Status::Open | Status::Opening) {
        return Err(private(t!(locale, "ticket-feedback-still-open")));
    }
    match store.rate_ticket(ticket.id, request.user_id, stars).await {
        Ok(true) => {}
        Ok(false) => return Err(private(t!(locale, "ticket-feedback-given"))),
        Err(error) => return Err(TEXTS.database_trouble(locale, &error)),
    }
    record(
        shared,
        &ticket,
        request.user_id,
        "feedback",
        &stars.to_string(),
    )
    .await;
    let settings = match TicketSettings::load(&shared.kernel, guild_id).await {
        Ok(settings) => settings,
        Err(_) => TicketSettings::from_values(&request.features),
    };
    let locale = shared.kernel.guild_locale(guild_id).await;
    log(
        shared,
        &settings,
        &ticket,
        t!(
            locale,
            "ticket-log-feedback",
            stars = "★".repeat(stars as usize)
        ),
    )
    .await;
    Ok(())
}

/// The words after the stars.
pub async fn feedback_words(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: i64,
) -> Reply {
    let locale = request.language();
    let words = request.field("words").map(str::trim).unwrap_or("");
    if words.is_empty() {
        return private(t!(locale, "ticket-feedback-thanks"));
    }
    match shared
        .kernel
        .store
        .ticket_feedback_text(ticket_id, request.user_id, &clip(words, 1000))
        .await
    {
        Ok(true) => private(t!(locale, "ticket-feedback-thanks")),
        Ok(false) => private(t!(locale, "ticket-feedback-given")),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// `/ticket feedback number stars [text]`: the same, for openers whose DMs are closed.
pub async fn feedback_command(
    shared: &Shared,
    request: &InteractionRequest,
    number: i64,
    stars: i64,
    text: Option<&str>,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let ticket = match shared.kernel.store.ticket_by_number(guild_id, number).await {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return private(t!(locale, "ticket-no-such-number", number = number)),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if let Err(reply) = save_stars(shared, request, ticket.id, stars.clamp(1, 5) as i32).await {
        return reply;
    }
    if let Some(text) = text.map(str::trim).filter(|text| !text.is_empty()) {
        if let Err(error) = shared
            .kernel
            .store
            .ticket_feedback_text(ticket.id, request.user_id, &clip(text, 1000))
            .await
        {
            return TEXTS.database_trouble(locale, &error);
        }
    }
    private(t!(locale, "ticket-feedback-thanks"))
}
