//! What admins set up: ticket categories (`/tickets category upsert|list`), panels
//! (`/tickets panel create|deploy|list`), the blacklist, warnings to staff (`/tickets
//! staff-warn`), and the category names `/ticket create` autocompletes.

use twilight_model::application::interaction::application_command::CommandOptionValue;

use super::commands::{
    BlacklistAdd, BlacklistGroup, BlacklistRemove, CategoryGroup, CategoryUpsert, PanelCreate,
    PanelDeploy, PanelGroup, StaffWarn, TicketsCommand, MAX_WARNING_REASON,
};
use super::render;
use super::store::{Category, CategoryInput, PanelInput, Priority, Question};
use super::{guild_of, private, Shared, TEXTS};
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

/// The most questions a category asks (a modal holds five fields).
pub const MAX_QUESTIONS: usize = 5;
/// Discord's limit on a modal field's label.
pub const MAX_LABEL: usize = 45;
/// The longest answer a question takes.
pub const MAX_ANSWER: u16 = 1000;

/// `/tickets …`.
pub async fn run(shared: &Shared, request: &InteractionRequest) -> Reply {
    if let Err(reply) = check_warning_reason(request) {
        return reply;
    }
    let command = match TEXTS.options::<TicketsCommand>(request) {
        Ok(command) => command,
        Err(reply) => return reply,
    };
    match command {
        TicketsCommand::Category(CategoryGroup::Upsert(upsert)) => {
            upsert_category(shared, request, upsert).await
        }
        TicketsCommand::Category(CategoryGroup::List(_)) => list_categories(shared, request).await,
        TicketsCommand::Panel(PanelGroup::Create(create)) => {
            create_panel(shared, request, create).await
        }
        TicketsCommand::Panel(PanelGroup::Deploy(deploy)) => {
            deploy_panel(shared, request, deploy).await
        }
        TicketsCommand::Panel(PanelGroup::List(_)) => list_panels(shared, request).await,
        TicketsCommand::Blacklist(BlacklistGroup::Add(add)) => bar(shared, request, add).await,
        TicketsCommand::Blacklist(BlacklistGroup::Remove(remove)) => {
            unbar(shared, request, remove).await
        }
        TicketsCommand::Channels(channels) => {
            super::backup::channels(shared, request, channels.log, channels.transcripts).await
        }
        TicketsCommand::Setup(_) => super::setup::start(shared, request).await,
        TicketsCommand::Backup(_) => super::backup::backup(shared, request).await,
        TicketsCommand::Restore(restore) => {
            super::backup::restore(shared, request, restore.file).await
        }
        TicketsCommand::StaffWarn(warn) => staff_warn(shared, request, warn).await,
    }
}

/// A warning's reason, trimmed: 1 to [`MAX_WARNING_REASON`] characters, else what is wrong.
pub fn warning_reason(text: &str, locale: Locale) -> Result<&str, String> {
    let reason = text.trim();
    if reason.is_empty() {
        return Err(t!(locale, "ticket-warn-reason-empty"));
    }
    if reason.chars().count() > MAX_WARNING_REASON {
        return Err(t!(
            locale,
            "ticket-warn-reason-too-long",
            max = MAX_WARNING_REASON
        ));
    }
    Ok(reason)
}

/// `/tickets staff-warn`'s reason checked before the typed parse, which would refuse one
/// past the limit (from a client that skips Discord's checks) only in general terms.
fn check_warning_reason(request: &InteractionRequest) -> Result<(), Reply> {
    let is_warning = matches!(
        &request.kind,
        RequestKind::Command { path, .. } if path.first().is_some_and(|sub| sub == "staff-warn")
    );
    match request.leaf_option("reason") {
        Some(CommandOptionValue::String(text)) if is_warning => {
            warning_reason(text, request.language())
                .map(drop)
                .map_err(private)
        }
        _ => Ok(()),
    }
}

/// `/tickets staff-warn member reason`: recorded, counted on the leaderboard, and sent to
/// the member by DM (the admin is told when it could not be).
async fn staff_warn(shared: &Shared, request: &InteractionRequest, warn: StaffWarn) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let reason = match warning_reason(&warn.reason, locale) {
        Ok(reason) => reason,
        Err(problem) => return private(problem),
    };
    let member = warn.member;
    if request.resolved_user(member).is_some_and(|user| user.bot) {
        return private(t!(locale, "ticket-warn-bot", user = member.get()));
    }
    let kernel = &shared.kernel;
    let count = match kernel
        .store
        .add_ticket_staff_warning(
            guild_id,
            member,
            reason,
            request.user_id,
            kernel.clock.now(),
        )
        .await
    {
        Ok(count) => count,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    // The DM is in the guild's language: the member reads it away from the admin's client.
    let guild_locale = Locale::for_guild(&request.settings.locale);
    let dm = ReplyMessage::text(t!(
        guild_locale,
        "ticket-warn-dm",
        guild = shared.guild_name(guild_id),
        reason = reason
    ));
    match kernel.discord.send_dm(member, &dm).await {
        Ok(_) => private(t!(
            locale,
            "ticket-warned",
            user = member.get(),
            count = count
        )),
        Err(error) => {
            tracing::info!(%error, member = member.get(), "could not send a staff warning by DM");
            private(t!(
                locale,
                "ticket-warned-no-dm",
                user = member.get(),
                count = count
            ))
        }
    }
}

/// Reads `"What happened?|Order number (optional)"` as questions; what is wrong, in words.
pub fn parse_questions(text: &str, locale: Locale) -> Result<Vec<Question>, String> {
    let mut questions = Vec::new();
    for part in text
        .split('|')
        .map(str::trim)
        .filter(|part| !part.is_empty())
    {
        const OPTIONAL: &str = "(optional)";
        let cut = part.len().saturating_sub(OPTIONAL.len());
        let marked = part.is_char_boundary(cut) && part[cut..].eq_ignore_ascii_case(OPTIONAL);
        let (label, required) = if marked {
            (part[..cut].trim().to_owned(), false)
        } else {
            (part.to_owned(), true)
        };
        if label.is_empty() {
            return Err(t!(locale, "ticket-question-empty"));
        }
        if label.chars().count() > MAX_LABEL {
            return Err(t!(
                locale,
                "ticket-question-too-long",
                question = clip(&label, 60),
                max = MAX_LABEL
            ));
        }
        questions.push(Question {
            label,
            required,
            min_length: u16::from(required),
            max_length: MAX_ANSWER,
        });
    }
    if questions.len() > MAX_QUESTIONS {
        return Err(t!(locale, "ticket-too-many-questions", max = MAX_QUESTIONS));
    }
    Ok(questions)
}

async fn upsert_category(
    shared: &Shared,
    request: &InteractionRequest,
    upsert: CategoryUpsert,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let name = upsert.name.trim().to_owned();
    if name.chars().count() < 2 {
        return private(t!(locale, "ticket-category-name-short"));
    }
    if let Some(parent) = upsert.parent {
        let kind = request.resolved_channel_kind(parent);
        if kind.is_some_and(|kind| kind != twilight_model::channel::ChannelType::GuildCategory) {
            return private(t!(
                locale,
                "ticket-parent-not-category",
                channel = parent.get()
            ));
        }
    }
    let questions = match upsert
        .questions
        .as_deref()
        .map(|text| parse_questions(text, locale))
    {
        Some(Ok(questions)) => questions,
        Some(Err(problem)) => return private(problem),
        None => Vec::new(),
    };
    let default_tags = match upsert
        .tags
        .as_deref()
        .map(|text| super::workflow::parse_tags(text, locale))
    {
        Some(Ok(tags)) => tags,
        Some(Err(problem)) => return private(problem),
        None => Vec::new(),
    };
    let input = CategoryInput {
        name,
        staff_role_id: upsert.staff_role,
        parent_channel_id: upsert.parent,
        sla_minutes: upsert.sla_minutes.unwrap_or(0).clamp(0, 10_080) as i32,
        default_priority: upsert.priority.map_or(Priority::Normal, Priority::from),
        questions,
        anonymous: upsert.anonymous.unwrap_or(false),
        default_tags,
        inactive_close_minutes: upsert.inactive_close_minutes.unwrap_or(0).clamp(0, 43_200) as i32,
        captcha: upsert.captcha.unwrap_or(false),
    };
    match shared
        .kernel
        .store
        .upsert_ticket_category(guild_id, &input)
        .await
    {
        Ok(category) => private(t!(
            locale,
            "ticket-category-saved",
            name = category.name.as_str(),
            id = category.id,
            questions = category.questions.len()
        )),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

fn describe_category(locale: Locale, category: &Category) -> String {
    let staff = category.staff_role_id.map_or_else(
        || t!(locale, "ticket-staff-default"),
        |role| format!("<@&{role}>"),
    );
    t!(
        locale,
        "ticket-category-line",
        id = category.id,
        name = category.name.as_str(),
        staff = staff,
        questions = category.questions.len(),
        anonymous = if category.anonymous {
            t!(locale, "setting-on")
        } else {
            t!(locale, "setting-off")
        }
    )
}

async fn list_categories(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    match shared.kernel.store.ticket_categories(guild_id).await {
        Ok(categories) if categories.is_empty() => private(t!(locale, "ticket-no-categories")),
        Ok(categories) => {
            let lines: Vec<String> = categories
                .iter()
                .map(|category| describe_category(locale, category))
                .collect();
            private(clip(&lines.join("\n"), 2000))
        }
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// The guild's category called `name` (case-insensitive); what to say when there is none.
pub async fn category_named(
    shared: &Shared,
    request: &InteractionRequest,
    name: Option<&str>,
) -> Result<Category, Reply> {
    let locale = request.language();
    let guild_id = guild_of(request)?;
    let categories = shared
        .kernel
        .store
        .ticket_categories(guild_id)
        .await
        .map_err(|error| TEXTS.database_trouble(locale, &error))?;
    let found = match name.map(str::trim).filter(|name| !name.is_empty()) {
        Some(name) => categories.into_iter().find(|category| {
            category.name.eq_ignore_ascii_case(name) || category.id.to_string() == name
        }),
        None => categories.into_iter().next(),
    };
    found.ok_or_else(|| match name {
        Some(name) => private(t!(locale, "ticket-unknown-category", name = clip(name, 60))),
        None => private(t!(locale, "ticket-no-categories")),
    })
}

async fn create_panel(shared: &Shared, request: &InteractionRequest, create: PanelCreate) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let category_id = match create.category.as_deref() {
        Some(name) => match category_named(shared, request, Some(name)).await {
            Ok(category) => Some(category.id),
            Err(reply) => return reply,
        },
        None => None,
    };
    let emoji = match create
        .emoji
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        Some(text) if render::panel_emoji(text).is_some() => Some(text.to_owned()),
        Some(text) => {
            return private(t!(
                locale,
                "ticket-panel-emoji-invalid",
                emoji = clip(text, 64)
            ))
        }
        None => None,
    };
    let input = PanelInput {
        title: create.title.trim().to_owned(),
        description: create.description.trim().to_owned(),
        button_label: create
            .label
            .map(|label| label.trim().to_owned())
            .filter(|label| !label.is_empty())
            .unwrap_or_else(|| t!(locale, "ticket-panel-default-label")),
        button_style: create
            .style
            .map_or("primary", |style| style.as_str())
            .to_owned(),
        emoji,
        category_id,
    };
    match shared
        .kernel
        .store
        .create_ticket_panel(guild_id, &input)
        .await
    {
        Ok(panel) => private(t!(locale, "ticket-panel-created", id = panel.id)),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

async fn deploy_panel(shared: &Shared, request: &InteractionRequest, deploy: PanelDeploy) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let store = &shared.kernel.store;
    let panel = match store.ticket_panel(guild_id, deploy.panel).await {
        Ok(Some(panel)) => panel,
        Ok(None) => return private(t!(locale, "ticket-unknown-panel", id = deploy.panel)),
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let categories = match store.ticket_categories(guild_id).await {
        Ok(categories) => categories,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if categories.is_empty() {
        return private(t!(locale, "ticket-no-categories"));
    }
    let message = render::panel_message(&panel, &categories);
    match shared
        .kernel
        .discord
        .send_message(deploy.channel, &message, None)
        .await
    {
        Ok(message_id) => {
            if let Err(error) = store
                .set_ticket_panel_message(panel.id, deploy.channel, message_id)
                .await
            {
                tracing::warn!(%error, panel = panel.id, "could not remember where the panel is");
            }
            private(t!(
                locale,
                "ticket-panel-deployed",
                id = panel.id,
                channel = deploy.channel.get()
            ))
        }
        Err(error) => {
            tracing::info!(%error, panel = panel.id, "could not post the panel");
            private(t!(
                locale,
                "ticket-panel-not-posted",
                channel = deploy.channel.get()
            ))
        }
    }
}

async fn list_panels(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    match shared.kernel.store.ticket_panels(guild_id).await {
        Ok(panels) if panels.is_empty() => private(t!(locale, "ticket-no-panels")),
        Ok(panels) => {
            let lines: Vec<String> = panels
                .iter()
                .map(|panel| {
                    let place = panel.channel_id.map_or_else(
                        || t!(locale, "ticket-panel-not-deployed"),
                        |channel| format!("<#{channel}>"),
                    );
                    t!(
                        locale,
                        "ticket-panel-line",
                        id = panel.id,
                        title = clip(&panel.title, 80),
                        place = place
                    )
                })
                .collect();
            private(clip(&lines.join("\n"), 2000))
        }
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

async fn bar(shared: &Shared, request: &InteractionRequest, add: BlacklistAdd) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let until = add
        .days
        .map(|days| shared.kernel.clock.now() + chrono::Duration::days(days.clamp(1, 3650)));
    let reason = add.reason.as_deref().map(str::trim).unwrap_or("");
    match shared
        .kernel
        .store
        .blacklist_ticket_opener(guild_id, add.user, reason, until, request.user_id)
        .await
    {
        Ok(()) => match until {
            Some(until) => private(t!(
                locale,
                "ticket-barred-until",
                user = add.user.get(),
                until = until.timestamp()
            )),
            None => private(t!(locale, "ticket-barred", user = add.user.get())),
        },
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

async fn unbar(shared: &Shared, request: &InteractionRequest, remove: BlacklistRemove) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    match shared
        .kernel
        .store
        .unblacklist_ticket_opener(guild_id, remove.user)
        .await
    {
        Ok(true) => private(t!(locale, "ticket-unbarred", user = remove.user.get())),
        Ok(false) => private(t!(locale, "ticket-not-barred", user = remove.user.get())),
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// The category names that start like what is typed (`/ticket create category:`,
/// `/tickets panel create category:`).
pub async fn complete_category(shared: &Shared, request: &InteractionRequest) -> Reply {
    let typed = request
        .focused_option()
        .map(|(_, typed)| typed.to_lowercase())
        .unwrap_or_default();
    let Some(guild_id) = request.guild_id else {
        return Reply::Choices(Vec::new());
    };
    let categories = shared
        .kernel
        .store
        .ticket_categories(guild_id)
        .await
        .unwrap_or_default();
    Reply::Choices(
        categories
            .into_iter()
            .filter(|category| category.name.to_lowercase().contains(&typed))
            .take(25)
            .map(|category| (category.name.clone(), category.name))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_read_with_their_optional_marks_and_limits() {
        let questions =
            parse_questions("What happened?| Order number (optional) |", Locale::English).unwrap();
        assert_eq!(questions.len(), 2);
        assert_eq!(questions[0].label, "What happened?");
        assert!(questions[0].required);
        assert_eq!(questions[1].label, "Order number");
        assert!(!questions[1].required);
        assert!(parse_questions("a|b|c|d|e|f", Locale::English).is_err());
        assert!(parse_questions(&"x".repeat(46), Locale::English).is_err());
        assert!(parse_questions("(optional)", Locale::English).is_err());
    }

    #[test]
    fn a_warning_reason_is_trimmed_and_takes_1_to_500_characters() {
        assert_eq!(
            warning_reason("  Slow answers \n", Locale::English),
            Ok("Slow answers")
        );
        assert_eq!(
            warning_reason(" \t ", Locale::English),
            Err("A warning needs a reason (1 to 500 characters). Nothing was recorded.".to_owned())
        );
        assert!(warning_reason(&"ä".repeat(500), Locale::English).is_ok());
        assert_eq!(
            warning_reason(&"ä".repeat(501), Locale::English),
            Err(
                "A warning's reason takes at most 500 characters. Nothing was recorded.".to_owned()
            )
        );
    }
}
