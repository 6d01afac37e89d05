//! What admins set up: ticket categories (`/tickets category upsert|list`) and panels
//! (`/tickets panel create|deploy|list`), and the category names `/ticket create`
//! autocompletes.

use super::commands::{
    BlacklistAdd, BlacklistGroup, BlacklistRemove, CategoryGroup, CategoryUpsert, PanelCreate,
    PanelDeploy, PanelGroup, TicketsCommand,
};
use super::render;
use super::store::{Category, CategoryInput, PanelInput, Priority, Question};
use super::{database_trouble, guild_of, parse, private, Shared};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{clip, Reply};
use crate::t;

/// The most questions a category asks (a modal holds five fields).
pub const MAX_QUESTIONS: usize = 5;
/// Discord's limit on a modal field's label.
pub const MAX_LABEL: usize = 45;
/// The longest answer a question takes.
pub const MAX_ANSWER: u16 = 1000;

/// `/tickets …`.
pub async fn run(shared: &Shared, request: &InteractionRequest) -> Reply {
    let command = match parse::<TicketsCommand>(request) {
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
        Err(error) => database_trouble(locale, &error),
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
        Err(error) => database_trouble(locale, &error),
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
        .map_err(|error| database_trouble(locale, &error))?;
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
    let input = PanelInput {
        title: create.title.trim().to_owned(),
        description: create.description.trim().to_owned(),
        button_label: create
            .label
            .map(|label| label.trim().to_owned())
            .filter(|label| !label.is_empty())
            .unwrap_or_else(|| t!(locale, "ticket-panel-default-label")),
        button_style: "primary".to_owned(),
        emoji: None,
        category_id,
    };
    match shared
        .kernel
        .store
        .create_ticket_panel(guild_id, &input)
        .await
    {
        Ok(panel) => private(t!(locale, "ticket-panel-created", id = panel.id)),
        Err(error) => database_trouble(locale, &error),
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
        Err(error) => return database_trouble(locale, &error),
    };
    let categories = match store.ticket_categories(guild_id).await {
        Ok(categories) => categories,
        Err(error) => return database_trouble(locale, &error),
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
        Err(error) => database_trouble(locale, &error),
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
        Err(error) => database_trouble(locale, &error),
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
        Err(error) => database_trouble(locale, &error),
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
}
