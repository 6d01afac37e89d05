//! A ticket's life: opening (from a panel, its category menu or `/ticket create`, through
//! the category's questions, past the per-person gate), the staff workflow (claim,
//! unclaim, close with a reason, reopen, delete, participants, priority, notes), and what
//! staff read (`/ticket info`, `/ticket list`, `/ticket transcript`).

use twilight_model::channel::permission_overwrite::{
    PermissionOverwrite as ChannelOverwrite, PermissionOverwriteType as ChannelOverwriteType,
};
use twilight_model::channel::ChannelType;
use twilight_model::guild::Permissions;
use twilight_model::http::attachment::Attachment;
use twilight_model::http::permission_overwrite::{PermissionOverwrite, PermissionOverwriteType};
use twilight_model::id::marker::{ChannelMarker, GenericMarker, UserMarker};
use twilight_model::id::Id;

use super::admin::category_named;
use super::commands::{ListChoice, TicketCommand};
use super::render::{self, priority_text};
use super::settings::TicketSettings;
use super::store::{Category, ListFilter, Priority, Refused, Status, Ticket};
use super::transcript::{self, TranscriptHeading};
use super::workflow;
use super::{guild_of, is_staff, private, staff_role, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::discord::{send, DiscordError};
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, ModalField, Reply, ReplyMessage};
use crate::t;

/// Two clicks closer together than this are one click, whatever the cooldown says.
const DOUBLE_CLICK: chrono::Duration = chrono::Duration::seconds(5);
/// Discord's upload limit for a bot without boosts.
const MAX_UPLOAD: u64 = 10 * 1024 * 1024;

/// Sets one permission overwrite on a ticket channel.
pub(super) async fn put_overwrite(
    shared: &Shared,
    channel: Id<ChannelMarker>,
    overwrite: &PermissionOverwrite,
) -> Result<(), DiscordError> {
    let update = shared
        .kernel
        .discord
        .client()
        .update_channel_permission(channel, overwrite);
    send("PUT /channels/{id}/permissions/{id}", update)
        .await
        .map(drop)
}

/// What a person is told when Discord refused a change to a ticket channel.
pub(super) fn discord_trouble(locale: Locale, error: &DiscordError) -> Reply {
    private(match error.code() {
        Some(50013) => t!(locale, "ticket-missing-permissions"),
        _ => t!(locale, "ticket-discord-trouble"),
    })
}

/// What the opener may do in their ticket channel.
pub(super) fn opener_allows() -> Permissions {
    Permissions::VIEW_CHANNEL
        | Permissions::SEND_MESSAGES
        | Permissions::READ_MESSAGE_HISTORY
        | Permissions::ATTACH_FILES
        | Permissions::EMBED_LINKS
}

/// What staff and the bot may do there.
pub(super) fn staff_allows() -> Permissions {
    opener_allows() | Permissions::MANAGE_MESSAGES
}

pub(super) fn member_overwrite(
    user: Id<UserMarker>,
    allow: Permissions,
    deny: Permissions,
) -> PermissionOverwrite {
    PermissionOverwrite {
        allow: Some(allow),
        deny: Some(deny),
        id: user.cast(),
        kind: PermissionOverwriteType::Member,
    }
}

/// `/ticket …`.
pub async fn run(shared: &Shared, request: &InteractionRequest) -> Reply {
    let command = match TEXTS.options::<TicketCommand>(request) {
        Ok(command) => command,
        Err(reply) => return reply,
    };
    match command {
        TicketCommand::Create(create) => {
            match category_named(shared, request, create.category.as_deref()).await {
                Ok(category) => begin(shared, request, category).await,
                Err(reply) => reply,
            }
        }
        TicketCommand::Claim(_) => claim(shared, request, None).await,
        TicketCommand::Unclaim(_) => unclaim(shared, request).await,
        TicketCommand::Close(close_command) => {
            close(shared, request, None, close_command.reason).await
        }
        TicketCommand::Reopen(_) => reopen(shared, request, None).await,
        TicketCommand::Add(add) => participant(shared, request, add.user, true).await,
        TicketCommand::Remove(remove) => participant(shared, request, remove.user, false).await,
        TicketCommand::Priority(priority) => {
            set_priority(shared, request, priority.level.into()).await
        }
        TicketCommand::Note(note) => add_note(shared, request, &note.text).await,
        TicketCommand::Info(_) => info(shared, request).await,
        TicketCommand::List(list) => {
            list_tickets(
                shared,
                request,
                list.show,
                list.priority.map(Priority::from),
                list.category.as_deref(),
            )
            .await
        }
        TicketCommand::Transcript(_) => transcript_now(shared, request).await,
        TicketCommand::ScheduleClose(schedule) => {
            schedule_close(shared, request, schedule.minutes).await
        }
        TicketCommand::Rename(rename) => rename_channel(shared, request, &rename.name).await,
        TicketCommand::Transfer(transfer) => transfer_ticket(shared, request, transfer.user).await,
        TicketCommand::Lock(_) => workflow::lock(shared, request, true).await,
        TicketCommand::Unlock(_) => workflow::lock(shared, request, false).await,
        TicketCommand::Tags(tags) => {
            workflow::tags(shared, request, tags.add.as_deref(), tags.remove.as_deref()).await
        }
        TicketCommand::Department(department) => {
            workflow::department(shared, request, department.name.as_deref()).await
        }
        TicketCommand::Escalate(escalate) => {
            workflow::escalate(shared, request, escalate.level, escalate.reason.as_deref()).await
        }
        TicketCommand::SoftDelete(_) => workflow::soft_delete(shared, request).await,
        TicketCommand::HardDelete(hard) => {
            workflow::ask_hard_delete(shared, request, hard.number).await
        }
        TicketCommand::ForceClose(force) => {
            workflow::force_close(shared, request, force.number, force.reason.as_deref()).await
        }
        TicketCommand::Feedback(feedback) => {
            workflow::feedback_command(
                shared,
                request,
                feedback.number,
                feedback.stars,
                feedback.text.as_deref(),
            )
            .await
        }
    }
}

// ---- opening ------------------------------------------------------------------------------

/// A panel's button (its one category) or menu (the chosen one).
pub async fn from_panel(
    shared: &Shared,
    request: &InteractionRequest,
    panel_id: i64,
    chosen: Option<i64>,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let store = &shared.kernel.store;
    let panel = match store.ticket_panel(guild_id, panel_id).await {
        Ok(Some(panel)) => panel,
        Ok(None) => return private(t!(locale, "ticket-stale")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let Some(category_id) = chosen.or(panel.category_id) else {
        return private(t!(locale, "ticket-stale"));
    };
    match store.ticket_category(guild_id, category_id).await {
        Ok(Some(category)) => begin(shared, request, category).await,
        Ok(None) => private(t!(locale, "ticket-category-gone")),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// The captcha first when the category asks one, then its questions when it has any, else
/// the ticket at once.
async fn begin(shared: &Shared, request: &InteractionRequest, category: Category) -> Reply {
    let passed = request
        .guild_id
        .is_some_and(|guild| shared.captchas.passed(guild, request.user_id, category.id));
    if category.captcha && !passed {
        return super::workflow::captcha_question(shared, request, category.id);
    }
    if category.questions.is_empty() {
        return open(shared, request, &category, Vec::new()).await;
    }
    let fields = category
        .questions
        .iter()
        .enumerate()
        .map(|(index, question)| ModalField {
            custom_id: format!("q{index}"),
            label: clip(&question.label, super::admin::MAX_LABEL),
            paragraph: true,
            required: question.required,
            min_length: (question.min_length > 0).then_some(question.min_length),
            max_length: Some(question.max_length),
            value: None,
            placeholder: None,
        })
        .collect();
    Reply::Modal {
        custom_id: render::button_id(render::ANSWERS, category.id),
        title: clip(&category.name, 45),
        fields,
    }
}

/// A captcha button: right goes on to the questions (or the ticket), wrong says so.
pub async fn captcha_answered(
    shared: &Shared,
    request: &InteractionRequest,
    category_id: i64,
    choice: u8,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    match shared
        .captchas
        .answer(guild_id, request.user_id, category_id, choice)
    {
        Some(true) => {}
        Some(false) => return private(t!(locale, "ticket-captcha-wrong")),
        None => return private(t!(locale, "ticket-captcha-expired")),
    }
    match shared
        .kernel
        .store
        .ticket_category(guild_id, category_id)
        .await
    {
        Ok(Some(category)) => begin(shared, request, category).await,
        Ok(None) => private(t!(locale, "ticket-category-gone")),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// The questions answered: the ticket opens with the answers.
pub async fn open_with_answers(
    shared: &Shared,
    request: &InteractionRequest,
    category_id: i64,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let category = match shared
        .kernel
        .store
        .ticket_category(guild_id, category_id)
        .await
    {
        Ok(Some(category)) => category,
        Ok(None) => return private(t!(locale, "ticket-category-gone")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let mut answers = Vec::new();
    for (index, question) in category.questions.iter().enumerate() {
        let answer = request
            .field(&format!("q{index}"))
            .unwrap_or("")
            .trim()
            .to_owned();
        // A modified client may skip Discord's checks: hold the answers to them here too.
        if question.required && answer.is_empty() {
            return private(t!(
                locale,
                "ticket-answer-missing",
                question = question.label.as_str()
            ));
        }
        if answer.chars().count() > usize::from(question.max_length) {
            return private(t!(
                locale,
                "ticket-answer-too-long",
                question = question.label.as_str(),
                max = i64::from(question.max_length)
            ));
        }
        answers.push((question.label.clone(), answer));
    }
    open(shared, request, &category, answers).await
}

/// Opens a ticket: the gate, the number, the private channel, the welcome message.
async fn open(
    shared: &Shared,
    request: &InteractionRequest,
    category: &Category,
    answers: Vec<(String, String)>,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let kernel = &shared.kernel;
    let store = &kernel.store;
    let settings = TicketSettings::from_values(&request.features);
    let now = kernel.clock.now();
    let opener = request.user_id;
    match store.ticket_bar(guild_id, opener, now).await {
        Ok(None) => {}
        Ok(Some((reason, until))) => {
            let reason = if reason.is_empty() {
                String::new()
            } else {
                t!(locale, "ticket-bar-reason", reason = clip(&reason, 300))
            };
            return private(match until {
                Some(until) => t!(
                    locale,
                    "ticket-you-are-barred-until",
                    until = until.timestamp(),
                    reason = reason
                ),
                None => t!(locale, "ticket-you-are-barred", reason = reason),
            });
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    if settings.hourly_cap > 0 {
        match store
            .tickets_opened_since(guild_id, now - chrono::Duration::hours(1))
            .await
        {
            Ok(count) if count >= settings.hourly_cap => {
                return private(t!(locale, "ticket-hourly-cap"));
            }
            Ok(_) => {}
            Err(error) => return TEXTS.database_trouble(locale, &error),
        }
    }
    let gap = chrono::Duration::minutes(settings.cooldown_minutes).max(DOUBLE_CLICK);
    match store
        .admit_ticket_opener(guild_id, opener, settings.max_open, gap, now)
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(Refused::TooMany(count))) => {
            let open = store
                .open_tickets_of(guild_id, opener)
                .await
                .unwrap_or_default();
            let channels: Vec<String> = open
                .iter()
                .map(|ticket| {
                    ticket.channel_id.map_or_else(
                        || t!(locale, "ticket-being-opened"),
                        |channel| format!("<#{channel}>"),
                    )
                })
                .collect();
            return private(t!(
                locale,
                "ticket-too-many-open",
                count = count,
                tickets = channels.join(", ")
            ));
        }
        Ok(Err(Refused::TooSoon(at))) => {
            return private(t!(locale, "ticket-cooldown", at = at.timestamp()));
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    let ticket = match store
        .create_ticket(guild_id, category, opener, &answers, now)
        .await
    {
        Ok(ticket) => ticket,
        Err(error) => {
            give_back_place(shared, guild_id, opener, true).await;
            return TEXTS.database_trouble(locale, &error);
        }
    };
    let channel = match create_channel(shared, request, &settings, category, &ticket).await {
        Ok(channel) => channel,
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not create the ticket channel");
            if let Err(error) = store.forget_ticket(ticket.id).await {
                tracing::warn!(%error, ticket = ticket.id, "could not forget a ticket whose channel failed");
            }
            give_back_place(shared, guild_id, opener, true).await;
            return private(match error.code() {
                Some(50013) => t!(locale, "ticket-missing-permissions"),
                Some(50035) => t!(locale, "ticket-channel-refused"),
                _ => t!(locale, "ticket-discord-trouble"),
            });
        }
    };
    let ticket = match store.ticket_opened(ticket.id, channel).await {
        Ok(ticket) => ticket,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    shared.awaiting_response.write().insert(channel);
    shared.channel_opened(channel);
    let guild_locale = guild_locale(request);
    let staff = staff_role(&request.settings, &settings, category);
    let welcome = render::welcome_message(
        guild_locale,
        &ticket,
        category,
        // An anonymous ticket never names its opener, not even in a ping.
        match (staff, category.anonymous) {
            (Some(role), false) => format!("<@{}> <@&{role}>", ticket.opener_id),
            (Some(role), true) => format!("<@&{role}>"),
            (None, false) => format!("<@{}>", ticket.opener_id),
            (None, true) => String::new(),
        },
    );
    let roles: Vec<_> = staff.into_iter().collect();
    if let Err(error) = kernel
        .discord
        .send_message_pinging_roles(channel, &welcome, &roles)
        .await
    {
        tracing::warn!(%error, ticket = ticket.id, "could not post the ticket's welcome message");
    }
    record(shared, &ticket, opener, "opened", &category.name).await;
    let who = if category.anonymous {
        t!(guild_locale, "ticket-anonymous")
    } else {
        format!("<@{opener}>")
    };
    log(
        shared,
        &settings,
        &ticket,
        t!(
            guild_locale,
            "ticket-log-opened",
            who = who,
            channel = channel.get(),
            category = category.name.as_str()
        ),
    )
    .await;
    if category.anonymous {
        shared.anonymous_opened(channel, opener);
        let dm = ReplyMessage::text(t!(
            guild_locale,
            "ticket-anonymous-dm",
            label = ticket.label()
        ));
        return match kernel.discord.send_dm(opener, &dm).await {
            Ok(_) => private(t!(
                locale,
                "ticket-opened-anonymous",
                label = ticket.label()
            )),
            Err(error) => {
                tracing::info!(%error, ticket = ticket.id, "could not DM an anonymous opener");
                private(t!(
                    locale,
                    "ticket-opened-anonymous-no-dm",
                    label = ticket.label()
                ))
            }
        };
    }
    private(t!(
        locale,
        "ticket-opened",
        channel = channel.get(),
        label = ticket.label()
    ))
}

async fn create_channel(
    shared: &Shared,
    request: &InteractionRequest,
    settings: &TicketSettings,
    category: &Category,
    ticket: &Ticket,
) -> Result<Id<ChannelMarker>, DiscordError> {
    let guild_id = ticket.guild_id;
    let bot = shared.bot_user().await?;
    // Creating a channel takes the channel model's overwrites (allow and deny both set).
    let overwrite = |id: Id<GenericMarker>, kind, allow, deny| ChannelOverwrite {
        allow,
        deny,
        id,
        kind,
    };
    let mut overwrites = vec![
        overwrite(
            guild_id.cast(),
            ChannelOverwriteType::Role,
            Permissions::empty(),
            Permissions::VIEW_CHANNEL,
        ),
        overwrite(
            bot.cast(),
            ChannelOverwriteType::Member,
            staff_allows(),
            Permissions::empty(),
        ),
    ];
    // The opener of an anonymous ticket writes through the bot's DMs, never in the
    // channel, where their name would show.
    if !category.anonymous {
        overwrites.push(overwrite(
            ticket.opener_id.cast(),
            ChannelOverwriteType::Member,
            opener_allows(),
            Permissions::empty(),
        ));
    }
    if let Some(role) = staff_role(&request.settings, settings, category) {
        overwrites.push(overwrite(
            role.cast(),
            ChannelOverwriteType::Role,
            staff_allows(),
            Permissions::empty(),
        ));
    }
    let name = ticket.label();
    let topic = format!("{} · {}", ticket.label(), category.name);
    let mut create = shared
        .kernel
        .discord
        .client()
        .create_guild_channel(guild_id, &name)
        .kind(ChannelType::GuildText)
        .permission_overwrites(overwrites.as_slice())
        .topic(&topic);
    if let Some(parent) = category.parent_channel_id {
        create = create.parent_id(parent);
    }
    let response = send("POST /guilds/{id}/channels", create).await?;
    let channel = response
        .model()
        .await
        .map_err(|error| DiscordError::Unreachable {
            route: "POST /guilds/{id}/channels",
            reason: error.to_string(),
        })?;
    Ok(channel.id)
}

pub(super) async fn give_back_place(
    shared: &Shared,
    guild_id: Id<twilight_model::id::marker::GuildMarker>,
    user: Id<UserMarker>,
    failed: bool,
) {
    if let Err(error) = shared
        .kernel
        .store
        .release_ticket_opener(guild_id, user, failed)
        .await
    {
        tracing::warn!(%error, "could not give back a ticket opener's place");
    }
}

// ---- the ticket at hand -----------------------------------------------------------------

/// A ticket with its category and the guild's settings.
pub(super) struct AtHand {
    pub ticket: Ticket,
    pub category: Category,
    pub settings: TicketSettings,
}

/// The ticket a button names, or the one whose channel the command runs in.
pub(super) async fn at_hand(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: Option<i64>,
) -> Result<AtHand, Reply> {
    let locale = request.language();
    let guild_id = guild_of(request)?;
    let store = &shared.kernel.store;
    let found = match (ticket_id, request.channel_id) {
        (Some(id), _) => store.ticket(guild_id, id).await,
        (None, Some(channel)) => store.ticket_in_channel(guild_id, channel).await,
        (None, None) => Ok(None),
    };
    let ticket = match found {
        Ok(Some(ticket)) if ticket.status != Status::Deleted => ticket,
        Ok(Some(_)) => return Err(private(t!(locale, "ticket-deleted-already"))),
        Ok(None) if ticket_id.is_some() => return Err(private(t!(locale, "ticket-stale"))),
        Ok(None) => return Err(private(t!(locale, "ticket-not-here"))),
        Err(error) => return Err(TEXTS.database_trouble(locale, &error)),
    };
    let category = match store.ticket_category(guild_id, ticket.category_id).await {
        Ok(Some(category)) => category,
        Ok(None) => Category {
            id: ticket.category_id,
            guild_id,
            name: "?".into(),
            staff_role_id: None,
            parent_channel_id: None,
            sla_minutes: 0,
            default_priority: Priority::Normal,
            questions: Vec::new(),
            anonymous: false,
            default_tags: Vec::new(),
            inactive_close_minutes: 0,
            captcha: false,
        },
        Err(error) => return Err(TEXTS.database_trouble(locale, &error)),
    };
    Ok(AtHand {
        ticket,
        category,
        settings: TicketSettings::from_values(&request.features),
    })
}

/// The ticket at hand, for staff only.
pub(super) async fn staff_at_hand(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: Option<i64>,
) -> Result<AtHand, Reply> {
    let hand = at_hand(shared, request, ticket_id).await?;
    if !is_staff(request, &hand.settings, &hand.category) {
        return Err(private(t!(request.language(), "ticket-staff-only")));
    }
    Ok(hand)
}

pub(super) fn guild_locale(request: &InteractionRequest) -> Locale {
    Locale::for_guild(&request.settings.locale)
}

/// Adds an entry to the ticket's timeline (a failure is logged: the action happened).
pub(super) async fn record(
    shared: &Shared,
    ticket: &Ticket,
    actor: Id<UserMarker>,
    kind: &str,
    detail: &str,
) {
    let now = shared.kernel.clock.now();
    if let Err(error) = shared
        .kernel
        .store
        .add_ticket_event(ticket, actor, kind, detail, now)
        .await
    {
        tracing::warn!(%error, ticket = ticket.id, kind, "could not record a ticket event");
    }
}

/// A line in the guild's ticket log channel, when it has one.
pub(super) async fn log(shared: &Shared, settings: &TicketSettings, ticket: &Ticket, what: String) {
    let Some(channel) = settings.log_channel else {
        return;
    };
    let locale = shared.kernel.guild_locale(ticket.guild_id).await;
    let message = render::log_message(locale, ticket, what);
    if let Err(error) = shared
        .kernel
        .discord
        .send_message(channel, &message, None)
        .await
    {
        tracing::info!(%error, ticket = ticket.id, "could not write to the ticket log");
    }
}

// ---- staff workflow -----------------------------------------------------------------------

pub async fn claim(shared: &Shared, request: &InteractionRequest, ticket_id: Option<i64>) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, ticket_id).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let now = shared.kernel.clock.now();
    match shared
        .kernel
        .store
        .claim_ticket(hand.ticket.id, request.user_id, now)
        .await
    {
        Ok(Some(ticket)) => {
            record(shared, &ticket, request.user_id, "claimed", "").await;
            if let Some(channel) = ticket.channel_id {
                let notice = ReplyMessage::text(t!(
                    guild_locale(request),
                    "ticket-claimed-notice",
                    staff = request.user_id.get()
                ));
                if let Err(error) = shared
                    .kernel
                    .discord
                    .send_message(channel, &notice, None)
                    .await
                {
                    tracing::info!(%error, ticket = ticket.id, "could not announce the claim");
                }
            }
            log(
                shared,
                &hand.settings,
                &ticket,
                t!(
                    guild_locale(request),
                    "ticket-log-claimed",
                    staff = request.user_id.get()
                ),
            )
            .await;
            private(t!(locale, "ticket-claimed", label = ticket.label()))
        }
        Ok(None) => {
            let current = shared
                .kernel
                .store
                .ticket(hand.ticket.guild_id, hand.ticket.id)
                .await;
            match current {
                Ok(Some(ticket)) if ticket.status != Status::Open => {
                    private(t!(locale, "ticket-not-open"))
                }
                Ok(Some(Ticket {
                    claimed_by: Some(holder),
                    ..
                })) if holder == request.user_id => private(t!(locale, "ticket-claimed-by-you")),
                Ok(Some(Ticket {
                    claimed_by: Some(holder),
                    ..
                })) => private(t!(locale, "ticket-claimed-by-other", staff = holder.get())),
                Ok(_) => private(t!(locale, "ticket-not-open")),
                Err(error) => TEXTS.database_trouble(locale, &error),
            }
        }
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

async fn unclaim(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    // Admins may free anyone's claim; staff only their own.
    let holder =
        (request.level < crate::kernel::policy::AccessLevel::Admin).then_some(request.user_id);
    let now = shared.kernel.clock.now();
    match shared
        .kernel
        .store
        .unclaim_ticket(hand.ticket.id, holder, now)
        .await
    {
        Ok(Some(ticket)) => {
            record(shared, &ticket, request.user_id, "unclaimed", "").await;
            private(t!(locale, "ticket-unclaimed", label = ticket.label()))
        }
        Ok(None) => private(t!(locale, "ticket-not-your-claim")),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// The Close button: a modal asks for the reason (optional) — the confirmation step.
pub async fn ask_close_reason(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: i64,
) -> Reply {
    let locale = request.language();
    let hand = match at_hand(shared, request, Some(ticket_id)).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if !may_close(request, &hand) {
        return private(t!(locale, "ticket-staff-only"));
    }
    if hand.ticket.status != Status::Open {
        return private(t!(locale, "ticket-not-open"));
    }
    Reply::Modal {
        custom_id: render::button_id(render::CLOSE_REASON, ticket_id),
        title: clip(
            &t!(locale, "ticket-close-title", label = hand.ticket.label()),
            45,
        ),
        fields: vec![ModalField {
            custom_id: "reason".into(),
            label: clip(&t!(locale, "ticket-close-reason-label"), 45),
            paragraph: true,
            required: false,
            min_length: None,
            max_length: Some(500),
            value: None,
            placeholder: None,
        }],
    }
}

/// Staff close any ticket of their category; an opener closes their own.
fn may_close(request: &InteractionRequest, hand: &AtHand) -> bool {
    hand.ticket.opener_id == request.user_id || is_staff(request, &hand.settings, &hand.category)
}

/// Closes a ticket: the opener loses the channel, the transcript is written and posted,
/// the log says why.
pub async fn close(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: Option<i64>,
    reason: Option<String>,
) -> Reply {
    let locale = request.language();
    let hand = match at_hand(shared, request, ticket_id).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if !may_close(request, &hand) {
        return private(t!(locale, "ticket-staff-only"));
    }
    let reason = reason
        .map(|reason| reason.trim().to_owned())
        .filter(|reason| !reason.is_empty());
    if reason
        .as_ref()
        .is_some_and(|reason| reason.chars().count() > 500)
    {
        return private(t!(locale, "ticket-reason-too-long", max = 500));
    }
    let kernel = &shared.kernel;
    let now = kernel.clock.now();
    let ticket = match kernel
        .store
        .close_ticket(hand.ticket.id, request.user_id, reason.as_deref(), now)
        .await
    {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return private(t!(locale, "ticket-not-open")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let transcript = finish_close(
        shared,
        &ticket,
        &hand.category,
        &hand.settings,
        request.user_id,
        guild_locale(request),
    )
    .await;
    match transcript {
        Ok(_) => private(t!(locale, "ticket-closed", label = ticket.label())),
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not write the transcript");
            private(t!(
                locale,
                "ticket-closed-no-transcript",
                label = ticket.label()
            ))
        }
    }
}

/// Everything after the store closed a ticket (by a person or a scheduled close): the
/// opener's place and access, the timeline, the closed notice, the transcript and the log.
pub(crate) async fn finish_close(
    shared: &Shared,
    ticket: &Ticket,
    category: &Category,
    settings: &TicketSettings,
    closer: Id<UserMarker>,
    guild_locale: Locale,
) -> Result<transcript::TranscriptFiles, transcript::TranscriptError> {
    let kernel = &shared.kernel;
    let reason = ticket.close_reason.as_deref();
    give_back_place(shared, ticket.guild_id, ticket.opener_id, false).await;
    if let Some(channel) = ticket.channel_id {
        shared.channel_closed(channel);
    }
    record(shared, ticket, closer, "closed", reason.unwrap_or("")).await;
    if let Some(channel) = ticket.channel_id {
        let lock_out = member_overwrite(
            ticket.opener_id,
            Permissions::empty(),
            Permissions::VIEW_CHANNEL,
        );
        if let Err(error) = put_overwrite(shared, channel, &lock_out).await {
            tracing::warn!(%error, ticket = ticket.id, "could not take the channel from the opener");
        }
        if let Err(error) = kernel
            .discord
            .send_message(channel, &render::closed_message(guild_locale, ticket), None)
            .await
        {
            tracing::info!(%error, ticket = ticket.id, "could not post the closed notice");
        }
    }
    let transcript = write_transcript(shared, guild_locale, category, ticket).await;
    let what = match reason {
        Some(reason) => t!(
            guild_locale,
            "ticket-log-closed-reason",
            staff = closer.get(),
            reason = clip(reason, 500)
        ),
        None => t!(guild_locale, "ticket-log-closed", staff = closer.get()),
    };
    log(shared, settings, ticket, what).await;
    deliver_transcript(shared, settings, ticket, transcript.as_ref().ok()).await;
    transcript
}

/// The ticker's part: closes the tickets whose scheduled close is due (each close is the
/// store's conditional update, so two leaders in a handover never close one twice).
pub(crate) async fn close_due(shared: &Shared) {
    let kernel = &shared.kernel;
    let now = kernel.clock.now();
    let due = match kernel.store.due_ticket_closes(now).await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "could not read the scheduled ticket closes");
            return;
        }
    };
    for ticket in due {
        let locale = kernel.guild_locale(ticket.guild_id).await;
        let closer = ticket.close_at_by.unwrap_or(ticket.opener_id);
        let reason = t!(locale, "ticket-scheduled-close-reason");
        close_unattended(shared, &ticket, closer, &reason, locale).await;
    }
}

/// A close nobody is waiting on (the ticker's: scheduled or for inactivity): the store's
/// conditional close — two leaders in a handover never close one twice — then the same
/// close path as a person's (transcript, log, the opener's access and place, the DM).
pub(crate) async fn close_unattended(
    shared: &Shared,
    ticket: &Ticket,
    closer: Id<UserMarker>,
    reason: &str,
    locale: Locale,
) {
    let kernel = &shared.kernel;
    let now = kernel.clock.now();
    let closed = match kernel
        .store
        .close_ticket(ticket.id, closer, Some(reason), now)
        .await
    {
        Ok(Some(closed)) => closed,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, ticket = ticket.id, "could not close a ticket unattended");
            return;
        }
    };
    let (category, settings) = match (
        kernel
            .store
            .ticket_category(ticket.guild_id, ticket.category_id)
            .await,
        TicketSettings::load(kernel, ticket.guild_id).await,
    ) {
        (Ok(Some(category)), Ok(settings)) => (category, settings),
        _ => {
            tracing::warn!(
                ticket = ticket.id,
                "closed without its category or settings; no transcript"
            );
            return;
        }
    };
    if let Err(error) = finish_close(shared, &closed, &category, &settings, closer, locale).await {
        tracing::warn!(%error, ticket = ticket.id, "closed unattended without a transcript");
    }
}

/// `/ticket schedule-close minutes`: closes the ticket then unless someone writes in it
/// first; 0 cancels.
async fn schedule_close(shared: &Shared, request: &InteractionRequest, minutes: i64) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let (Some(channel), Status::Open) = (hand.ticket.channel_id, hand.ticket.status) else {
        return private(t!(locale, "ticket-not-open"));
    };
    let kernel = &shared.kernel;
    if minutes <= 0 {
        shared.closing.write().remove(&channel);
        return match kernel.store.cancel_ticket_close(hand.ticket.id).await {
            Ok(true) => {
                record(shared, &hand.ticket, request.user_id, "close-cancelled", "").await;
                private(t!(locale, "ticket-close-unscheduled"))
            }
            Ok(false) => private(t!(locale, "ticket-close-not-scheduled")),
            Err(error) => TEXTS.database_trouble(locale, &error),
        };
    }
    let at = kernel.clock.now() + chrono::Duration::minutes(minutes.min(10_080));
    match kernel
        .store
        .schedule_ticket_close(hand.ticket.id, at, request.user_id)
        .await
    {
        Ok(true) => {}
        Ok(false) => return private(t!(locale, "ticket-not-open")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    shared.closing.write().insert(channel);
    record(
        shared,
        &hand.ticket,
        request.user_id,
        "close-scheduled",
        &at.to_rfc3339(),
    )
    .await;
    let notice = ReplyMessage::text(t!(
        guild_locale(request),
        "ticket-close-scheduled-notice",
        at = at.timestamp()
    ));
    if let Err(error) = kernel.discord.send_message(channel, &notice, None).await {
        tracing::info!(%error, ticket = hand.ticket.id, "could not announce the scheduled close");
    }
    private(t!(locale, "ticket-close-scheduled", at = at.timestamp()))
}

/// Writes the ticket's transcript files and remembers where they are.
async fn write_transcript(
    shared: &Shared,
    guild_locale: Locale,
    category: &Category,
    ticket: &Ticket,
) -> Result<transcript::TranscriptFiles, transcript::TranscriptError> {
    let Some(channel) = ticket.channel_id else {
        return Err(transcript::TranscriptError::Discord(
            "the ticket has no channel".into(),
        ));
    };
    let guild_name = shared.guild_name(ticket.guild_id);
    let opener = if category.anonymous {
        t!(guild_locale, "ticket-anonymous")
    } else {
        ticket.opener_id.to_string()
    };
    let heading = TranscriptHeading {
        guild_name,
        channel_name: ticket.label(),
        ticket_number: ticket.number,
        category: category.name.clone(),
        opener,
        opened_at: ticket.created_at,
        closed_at: ticket.closed_at,
        close_reason: ticket.close_reason.clone(),
    };
    let directory = shared
        .config
        .transcript_directory
        .join(ticket.guild_id.to_string());
    let stem = format!("{}-{}", ticket.label(), ticket.id);
    let files = transcript::write_channel(
        shared.kernel.discord.client(),
        channel,
        &directory,
        &stem,
        &heading,
    )
    .await?;
    if let Err(error) = shared
        .kernel
        .store
        .set_ticket_transcript(ticket.id, &files.html.to_string_lossy())
        .await
    {
        tracing::warn!(%error, ticket = ticket.id, "could not remember the transcript's file");
    }
    Ok(files)
}

/// Reads a written file for upload, unless it is larger than Discord takes.
async fn upload(path: &std::path::Path, id: u64) -> Option<Attachment> {
    let size = tokio::fs::metadata(path).await.ok()?.len();
    if size > MAX_UPLOAD {
        return None;
    }
    let bytes = tokio::fs::read(path).await.ok()?;
    let name = path.file_name()?.to_string_lossy().into_owned();
    Some(Attachment::from_bytes(name, bytes, id))
}

/// Posts the transcript in the transcript channel and sends it to the opener, with the
/// feedback stars when the guild asks for feedback (the stars alone when there is no
/// transcript to send).
async fn deliver_transcript(
    shared: &Shared,
    settings: &TicketSettings,
    ticket: &Ticket,
    files: Option<&transcript::TranscriptFiles>,
) {
    let discord = &shared.kernel.discord;
    // Each file is read once and never copied: the post takes them, and hands the HTML
    // on to the DM (a transcript near the upload limit is held once, not three times).
    let mut html = match files {
        Some(files) => upload(&files.html, 0).await,
        None => None,
    };
    let locale = shared.kernel.guild_locale(ticket.guild_id).await;
    if let (Some(channel), Some(files)) = (settings.transcript_channel, files) {
        let mut message = ReplyMessage::text(t!(
            locale,
            "ticket-transcript-posted",
            label = ticket.label(),
            messages = files.messages,
            opener = ticket.opener_id.get()
        ));
        let txt = upload(&files.txt, 1).await;
        message.attachments = html.take().into_iter().chain(txt).collect();
        if let Err(error) = discord.send_message(channel, &message, None).await {
            tracing::info!(%error, ticket = ticket.id, "could not post the transcript");
        }
        html = message.attachments.into_iter().find(|file| file.id == 0);
    }
    let send_transcript = settings.dm_transcript && html.is_some();
    if send_transcript || settings.feedback {
        let mut text = if send_transcript {
            t!(locale, "ticket-transcript-dm", label = ticket.label())
        } else {
            t!(locale, "ticket-closed-dm", label = ticket.label())
        };
        if settings.feedback {
            text = format!("{text}\n{}", t!(locale, "ticket-feedback-ask"));
        }
        let mut message = ReplyMessage::text(text);
        if send_transcript {
            message.attachments = html.into_iter().collect();
        }
        if settings.feedback {
            message.components = render::feedback_buttons(ticket);
        }
        match discord.send_dm(ticket.opener_id, &message).await {
            Ok(_) => {}
            Err(error) if error.code() == Some(50007) => {
                tracing::debug!(ticket = ticket.id, "the opener does not accept DMs");
            }
            Err(error) => {
                tracing::info!(%error, ticket = ticket.id, "could not send the transcript")
            }
        }
    }
}

pub async fn reopen(
    shared: &Shared,
    request: &InteractionRequest,
    ticket_id: Option<i64>,
) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, ticket_id).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let kernel = &shared.kernel;
    let now = kernel.clock.now();
    let ticket = match kernel.store.reopen_ticket(hand.ticket.id, now).await {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return private(t!(locale, "ticket-not-closed")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if let Err(error) = kernel
        .store
        .retake_ticket_opener(ticket.guild_id, ticket.opener_id)
        .await
    {
        tracing::warn!(%error, ticket = ticket.id, "could not count the reopened ticket for its opener");
    }
    record(shared, &ticket, request.user_id, "reopened", "").await;
    if let (Some(channel), None) = (ticket.channel_id, ticket.first_response_at) {
        shared.awaiting_response.write().insert(channel);
    }
    if let Some(channel) = ticket.channel_id {
        shared.channel_opened(channel);
    }
    if let Some(channel) = ticket.channel_id {
        if hand.category.anonymous {
            // The opener writes through the bot's DMs, never in the channel.
            shared.anonymous_opened(channel, ticket.opener_id);
        } else {
            let let_in = member_overwrite(ticket.opener_id, opener_allows(), Permissions::empty());
            if let Err(error) = put_overwrite(shared, channel, &let_in).await {
                tracing::warn!(%error, ticket = ticket.id, "could not give the channel back to the opener");
            }
        }
        let notice = ReplyMessage::text(t!(
            guild_locale(request),
            "ticket-reopened-notice",
            staff = request.user_id.get()
        ));
        if let Err(error) = kernel.discord.send_message(channel, &notice, None).await {
            tracing::info!(%error, ticket = ticket.id, "could not announce the reopening");
        }
    }
    log(
        shared,
        &hand.settings,
        &ticket,
        t!(
            guild_locale(request),
            "ticket-log-reopened",
            staff = request.user_id.get()
        ),
    )
    .await;
    private(t!(locale, "ticket-reopened", label = ticket.label()))
}

/// The Delete button: deletes a closed ticket's channel (its record and transcript stay).
pub async fn delete(shared: &Shared, request: &InteractionRequest, ticket_id: i64) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, Some(ticket_id)).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if hand.ticket.status != Status::Closed {
        return private(t!(locale, "ticket-close-first"));
    }
    workflow::delete_closed(shared, request, &hand.settings, &hand.ticket).await
}

async fn participant(
    shared: &Shared,
    request: &InteractionRequest,
    user: Id<UserMarker>,
    add: bool,
) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if hand.ticket.status != Status::Open {
        return private(t!(locale, "ticket-not-open"));
    }
    if user == hand.ticket.opener_id && !add {
        return private(t!(locale, "ticket-cannot-remove-opener"));
    }
    let Some(channel) = hand.ticket.channel_id else {
        return private(t!(locale, "ticket-not-open"));
    };
    let outcome = if add {
        let overwrite = member_overwrite(user, opener_allows(), Permissions::empty());
        put_overwrite(shared, channel, &overwrite).await
    } else {
        let client = shared.kernel.discord.client();
        send(
            "DELETE /channels/{id}/permissions/{id}",
            client.delete_channel_permission(channel).member(user),
        )
        .await
        .map(drop)
    };
    match outcome {
        Ok(()) => {
            let kind = if add { "added" } else { "removed" };
            record(
                shared,
                &hand.ticket,
                request.user_id,
                kind,
                &user.to_string(),
            )
            .await;
            if add {
                private(t!(locale, "ticket-participant-added", user = user.get()))
            } else {
                private(t!(locale, "ticket-participant-removed", user = user.get()))
            }
        }
        Err(error) => {
            tracing::info!(%error, ticket = hand.ticket.id, "could not change who is in the ticket");
            discord_trouble(locale, &error)
        }
    }
}

async fn set_priority(shared: &Shared, request: &InteractionRequest, priority: Priority) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let now = shared.kernel.clock.now();
    match shared
        .kernel
        .store
        .set_ticket_priority(hand.ticket.id, priority, now)
        .await
    {
        Ok(()) => {
            record(
                shared,
                &hand.ticket,
                request.user_id,
                "priority",
                priority.as_str(),
            )
            .await;
            private(t!(
                locale,
                "ticket-priority-set",
                priority = priority_text(locale, priority)
            ))
        }
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// An internal note: in the timeline, never in the channel.
async fn add_note(shared: &Shared, request: &InteractionRequest, text: &str) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let text = text.trim();
    if text.is_empty() {
        return private(t!(locale, "ticket-note-empty"));
    }
    record(
        shared,
        &hand.ticket,
        request.user_id,
        "note",
        &clip(text, 1000),
    )
    .await;
    private(t!(locale, "ticket-note-added"))
}

/// How soon staff first answered, against the category's SLA.
fn response_line(
    locale: Locale,
    ticket: &Ticket,
    category: &Category,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let sla = i64::from(category.sla_minutes);
    match ticket.first_response_at {
        Some(at) => {
            let minutes = (at - ticket.created_at).num_minutes().max(0);
            if sla > 0 && minutes > sla {
                t!(locale, "ticket-response-late", minutes = minutes, sla = sla)
            } else {
                t!(locale, "ticket-response-after", minutes = minutes)
            }
        }
        None if sla > 0 => {
            let due = ticket.created_at + chrono::Duration::minutes(sla);
            if now > due {
                t!(locale, "ticket-response-overdue", due = due.timestamp())
            } else {
                t!(locale, "ticket-response-due", due = due.timestamp())
            }
        }
        None => t!(locale, "ticket-response-none"),
    }
}

/// Details and timeline; notes show here only, and only to staff.
async fn info(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let ticket = &hand.ticket;
    let events = match shared.kernel.store.ticket_events(ticket.id).await {
        Ok(events) => events,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    // An anonymous ticket's opener is for admins only.
    let reveal =
        !hand.category.anonymous || request.level >= crate::kernel::policy::AccessLevel::Admin;
    let opener = if reveal {
        format!("<@{}>", ticket.opener_id)
    } else {
        t!(locale, "ticket-anonymous")
    };
    let claimed = ticket.claimed_by.map_or_else(
        || t!(locale, "ticket-unclaimed-state"),
        |staff| format!("<@{staff}>"),
    );
    let mut lines = vec![t!(
        locale,
        "ticket-info",
        label = ticket.label(),
        category = hand.category.name.as_str(),
        status = render::status_text(locale, ticket.status),
        priority = priority_text(locale, ticket.priority),
        opener = opener,
        claimed = claimed,
        opened = ticket.created_at.timestamp()
    )];
    lines.push(response_line(
        locale,
        ticket,
        &hand.category,
        shared.kernel.clock.now(),
    ));
    lines.push(t!(
        locale,
        "ticket-info-workflow",
        tags = if ticket.tags.is_empty() {
            "—".to_owned()
        } else {
            ticket.tags.join(", ")
        },
        department = ticket.department.clone().unwrap_or_else(|| "—".into()),
        escalation = ticket.escalation,
        locked = if ticket.locked {
            t!(locale, "setting-on")
        } else {
            t!(locale, "setting-off")
        }
    ));
    if let Some(stars) = ticket.feedback_stars {
        lines.push(t!(
            locale,
            "ticket-info-feedback",
            stars = "★".repeat(stars.clamp(0, 5) as usize),
            words = clip(ticket.feedback_text.as_deref().unwrap_or("—"), 300)
        ));
    }
    for event in events.iter().rev().take(15).rev() {
        let actor = if !reveal && event.actor_id == ticket.opener_id {
            t!(locale, "ticket-anonymous")
        } else {
            format!("<@{}>", event.actor_id)
        };
        let detail = if event.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", clip(&event.detail, 200))
        };
        lines.push(format!(
            "<t:{}:f> {} {}{}",
            event.at.timestamp(),
            actor,
            event.kind,
            detail
        ));
    }
    private(clip(&lines.join("\n"), 2000))
}

async fn list_tickets(
    shared: &Shared,
    request: &InteractionRequest,
    show: Option<ListChoice>,
    priority: Option<Priority>,
    category: Option<&str>,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let settings = TicketSettings::from_values(&request.features);
    let store = &shared.kernel.store;
    let categories = match store.ticket_categories(guild_id).await {
        Ok(categories) => categories,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let category_id = match category {
        Some(name) => match category_named(shared, request, Some(name)).await {
            Ok(category) => Some(category.id),
            Err(reply) => return reply,
        },
        None => None,
    };
    let staff_of: Vec<&Category> = categories
        .iter()
        .filter(|category| is_staff(request, &settings, category))
        .collect();
    if staff_of.is_empty() {
        return private(t!(locale, "ticket-staff-only"));
    }
    let show = show.unwrap_or(ListChoice::Open);
    let filter = ListFilter {
        claimed_by: (show == ListChoice::Mine).then_some(request.user_id),
        opener: None,
        category_id,
        priority,
        open_only: show != ListChoice::All,
    };
    let tickets = match store.list_tickets(guild_id, filter, 50).await {
        Ok(tickets) => tickets,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let lines: Vec<String> = tickets
        .iter()
        .filter(|ticket| {
            staff_of
                .iter()
                .any(|category| category.id == ticket.category_id)
        })
        .take(20)
        .map(|ticket| {
            let place = ticket
                .channel_id
                .map_or_else(|| ticket.label(), |channel| format!("<#{channel}>"));
            let claimed = ticket.claimed_by.map_or_else(
                || t!(locale, "ticket-unclaimed-state"),
                |staff| format!("<@{staff}>"),
            );
            format!(
                "{place} · {} · {} · {claimed} · <t:{}:R>",
                render::status_text(locale, ticket.status),
                priority_text(locale, ticket.priority),
                ticket.created_at.timestamp()
            )
        })
        .collect();
    if lines.is_empty() {
        return private(t!(locale, "ticket-list-empty"));
    }
    private(clip(&lines.join("\n"), 2000))
}

/// Renames the ticket's channel (Discord tidies the name: lower case, dashes).
async fn rename_channel(shared: &Shared, request: &InteractionRequest, name: &str) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 90 {
        return private(t!(locale, "ticket-rename-bad"));
    }
    let Some(channel) = hand.ticket.channel_id else {
        return private(t!(locale, "ticket-not-open"));
    };
    let update = shared
        .kernel
        .discord
        .client()
        .update_channel(channel)
        .name(name);
    match send("PATCH /channels/{id}", update).await {
        Ok(_) => {
            record(shared, &hand.ticket, request.user_id, "renamed", name).await;
            private(t!(locale, "ticket-renamed", channel = channel.get()))
        }
        Err(error) => {
            tracing::info!(%error, ticket = hand.ticket.id, "could not rename the ticket channel");
            private(match error.code() {
                Some(50013) => t!(locale, "ticket-missing-permissions"),
                Some(50035) => t!(locale, "ticket-rename-bad"),
                _ => t!(locale, "ticket-discord-trouble"),
            })
        }
    }
}

/// Hands the ticket to another member: they get the opener's access and place, the
/// previous opener keeps theirs only as a participant.
async fn transfer_ticket(
    shared: &Shared,
    request: &InteractionRequest,
    to: Id<UserMarker>,
) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    if to == hand.ticket.opener_id {
        return private(t!(locale, "ticket-transfer-same"));
    }
    let Some(channel) = hand.ticket.channel_id else {
        return private(t!(locale, "ticket-not-open"));
    };
    let kernel = &shared.kernel;
    let let_in = member_overwrite(to, opener_allows(), Permissions::empty());
    if let Err(error) = put_overwrite(shared, channel, &let_in).await {
        tracing::info!(%error, ticket = hand.ticket.id, "could not let the new owner in");
        return discord_trouble(locale, &error);
    }
    let ticket = match kernel
        .store
        .transfer_ticket(hand.ticket.id, to, kernel.clock.now())
        .await
    {
        Ok(Some(ticket)) => ticket,
        Ok(None) => return private(t!(locale, "ticket-not-open")),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    give_back_place(shared, ticket.guild_id, hand.ticket.opener_id, false).await;
    if let Err(error) = kernel.store.retake_ticket_opener(ticket.guild_id, to).await {
        tracing::warn!(%error, ticket = ticket.id, "could not count the ticket for its new owner");
    }
    record(
        shared,
        &ticket,
        request.user_id,
        "transferred",
        &to.to_string(),
    )
    .await;
    private(t!(locale, "ticket-transferred", user = to.get()))
}

/// Writes the transcript of the ticket at hand now and posts it where transcripts go.
async fn transcript_now(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let hand = match staff_at_hand(shared, request, None).await {
        Ok(hand) => hand,
        Err(reply) => return reply,
    };
    match write_transcript(shared, guild_locale(request), &hand.category, &hand.ticket).await {
        Ok(files) => {
            let mut message = ReplyMessage::private(t!(
                locale,
                "ticket-transcript-written",
                label = hand.ticket.label(),
                messages = files.messages
            ));
            message.attachments = upload(&files.html, 0)
                .await
                .into_iter()
                .chain(upload(&files.txt, 1).await)
                .collect();
            Reply::Message(message)
        }
        Err(error) => {
            tracing::warn!(%error, ticket = hand.ticket.id, "could not write the transcript");
            private(t!(locale, "ticket-transcript-failed"))
        }
    }
}
