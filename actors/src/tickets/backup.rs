//! A guild's ticket configuration as a file: `/tickets backup` writes its settings,
//! categories and panels as JSON; `/tickets restore` reads such a file back — every part
//! checked against this server before anything changes, then written in one transaction.
//! Also `/tickets channels`: the log and transcript channels in one command.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use twilight_model::channel::{Attachment, ChannelType};
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker};
use twilight_model::id::Id;

use super::admin::{MAX_ANSWER, MAX_LABEL, MAX_QUESTIONS};
use super::settings::{self, FEATURE};
use super::store::{CategoryInput, PanelInput, Priority, Question};
use super::workflow::{MAX_TAGS, MAX_TAG_CHARS};
use super::Shared;
use super::{guild_of, private, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::discord::send;
use crate::kernel::reply::{clip, Reply, ReplyMessage};
use crate::t;

/// What the file says it is.
pub const FORMAT: &str = "agora-tickets-config";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;
/// The largest file `/tickets restore` reads.
pub const MAX_FILE: usize = 1024 * 1024;

/// The file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub format: String,
    pub version: u32,
    /// Where it was taken (a restore elsewhere is allowed: ids are checked there).
    pub guild_id: String,
    pub taken_at: String,
    /// The stored `/config tickets` values (defaults are not written).
    pub settings: serde_json::Map<String, Value>,
    pub categories: Vec<CategoryFile>,
    pub panels: Vec<PanelFile>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryFile {
    pub name: String,
    pub staff_role_id: Option<String>,
    pub parent_channel_id: Option<String>,
    pub sla_minutes: i32,
    pub default_priority: String,
    pub questions: Vec<Question>,
    pub anonymous: bool,
    #[serde(default)]
    pub default_tags: Vec<String>,
    #[serde(default)]
    pub inactive_close_minutes: i32,
    #[serde(default)]
    pub captcha: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelFile {
    pub title: String,
    pub description: String,
    pub button_label: String,
    pub button_style: String,
    pub emoji: Option<String>,
    /// The category its button opens, by name (none: a menu of every category).
    pub category: Option<String>,
}

/// `/tickets backup`: the file, privately.
pub(crate) async fn backup(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let store = &shared.kernel.store;
    // Each read is awaited to its end even when another fails: a store call dropped
    // half-way holds up this thread until its statement ends (see `kernel::bounded`).
    let (stored, categories, panels) = match tokio::join!(
        store.feature_settings(guild_id, FEATURE),
        store.ticket_categories(guild_id),
        store.ticket_panels(guild_id)
    ) {
        (Ok(stored), Ok(categories), Ok(panels)) => (stored, categories, panels),
        (Err(error), ..) | (_, Err(error), _) | (.., Err(error)) => {
            return TEXTS.database_trouble(locale, &error)
        }
    };
    let known: Vec<&str> = settings::specs().iter().map(|spec| spec.key).collect();
    let file = ConfigFile {
        format: FORMAT.into(),
        version: VERSION,
        guild_id: guild_id.to_string(),
        taken_at: shared.kernel.clock.now().to_rfc3339(),
        settings: stored
            .into_iter()
            .filter(|(key, _)| known.contains(&key.as_str()))
            .collect(),
        categories: categories
            .iter()
            .map(|category| CategoryFile {
                name: category.name.clone(),
                staff_role_id: category.staff_role_id.map(|id| id.to_string()),
                parent_channel_id: category.parent_channel_id.map(|id| id.to_string()),
                sla_minutes: category.sla_minutes,
                default_priority: category.default_priority.as_str().to_owned(),
                questions: category.questions.clone(),
                anonymous: category.anonymous,
                default_tags: category.default_tags.clone(),
                inactive_close_minutes: category.inactive_close_minutes,
                captcha: category.captcha,
            })
            .collect(),
        panels: panels
            .iter()
            .map(|panel| PanelFile {
                title: panel.title.clone(),
                description: panel.description.clone(),
                button_label: panel.button_label.clone(),
                button_style: panel.button_style.clone(),
                emoji: panel.emoji.clone(),
                category: panel.category_id.and_then(|id| {
                    categories
                        .iter()
                        .find(|category| category.id == id)
                        .map(|category| category.name.clone())
                }),
            })
            .collect(),
    };
    let bytes = match serde_json::to_vec_pretty(&file) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(%error, "could not write a ticket configuration");
            return private(t!(locale, "ticket-discord-trouble"));
        }
    };
    let name = format!(
        "tickets-{}-{}.json",
        guild_id,
        shared.kernel.clock.now().format("%Y%m%d-%H%M%S")
    );
    let mut message = ReplyMessage::private(t!(
        locale,
        "ticket-backup-taken",
        categories = file.categories.len(),
        panels = file.panels.len(),
        settings = file.settings.len()
    ));
    message.attachments = vec![twilight_model::http::attachment::Attachment::from_bytes(
        name, bytes, 0,
    )];
    Reply::Message(message)
}

/// What a restore would write, once checked.
#[derive(Debug, Default)]
pub struct Restore {
    pub settings: Vec<(String, Value)>,
    pub categories: Vec<CategoryInput>,
    pub panels: Vec<(PanelInput, Option<String>)>,
}

/// What this server has, for checking a file's ids.
pub struct ServerFacts {
    pub roles: Option<Vec<Id<RoleMarker>>>,
    pub channels: Vec<(Id<ChannelMarker>, ChannelType)>,
}

/// Checks a file against the settings' declarations and this server; every problem, in
/// words (the restore goes ahead only with none).
pub fn check(file: &ConfigFile, server: &ServerFacts) -> Result<Restore, Vec<String>> {
    let mut problems = Vec::new();
    if file.format != FORMAT {
        problems.push(format!(
            "this is not an Agora tickets configuration (format {:?})",
            clip(&file.format, 40)
        ));
        return Err(problems);
    }
    if file.version > VERSION {
        problems.push(format!(
            "the file is version {}, newer than this Agora reads ({VERSION})",
            file.version
        ));
        return Err(problems);
    }
    let channel_kind = |raw: &str| -> Result<(Id<ChannelMarker>, Option<ChannelType>), String> {
        let id = raw
            .parse::<u64>()
            .ok()
            .and_then(Id::<ChannelMarker>::new_checked)
            .ok_or_else(|| format!("{raw:?} is not a channel id"))?;
        Ok((
            id,
            server
                .channels
                .iter()
                .find(|(channel, _)| *channel == id)
                .map(|(_, kind)| *kind),
        ))
    };
    let role_known = |raw: &str| -> Result<Id<RoleMarker>, String> {
        let id = raw
            .parse::<u64>()
            .ok()
            .and_then(Id::<RoleMarker>::new_checked)
            .ok_or_else(|| format!("{raw:?} is not a role id"))?;
        match &server.roles {
            Some(roles) if !roles.contains(&id) => Err(format!("role {id} is not on this server")),
            _ => Ok(id),
        }
    };
    let mut restore = Restore::default();
    let specs = settings::specs();
    for (key, value) in &file.settings {
        let Some(spec) = specs.iter().find(|spec| spec.key == key) else {
            problems.push(format!("unknown setting {:?}", clip(key, 40)));
            continue;
        };
        if let Err(problem) = spec.validate(value) {
            problems.push(format!("setting {key}: {problem}"));
            continue;
        }
        if matches!(spec.kind, crate::feature::SettingKind::Channel) {
            if let Some(raw) = value.as_u64().map(|id| id.to_string()) {
                match channel_kind(&raw) {
                    Ok((_, Some(_))) => {}
                    Ok((id, None)) => {
                        problems.push(format!("setting {key}: channel {id} is not on this server"))
                    }
                    Err(problem) => problems.push(format!("setting {key}: {problem}")),
                }
            }
        }
        if matches!(spec.kind, crate::feature::SettingKind::Role) {
            if let Some(raw) = value.as_u64().map(|id| id.to_string()) {
                if let Err(problem) = role_known(&raw) {
                    problems.push(format!("setting {key}: {problem}"));
                }
            }
        }
        restore.settings.push((key.clone(), value.clone()));
    }
    let mut names = std::collections::HashSet::new();
    for category in &file.categories {
        let name = category.name.trim();
        let label = clip(name, 50);
        if !(2..=50).contains(&name.chars().count()) {
            problems.push(format!("category {label:?}: a name has 2 to 50 characters"));
        }
        if !names.insert(name.to_lowercase()) {
            problems.push(format!("category {label:?} is in the file twice"));
        }
        let staff_role_id = match category.staff_role_id.as_deref().map(role_known) {
            Some(Ok(id)) => Some(id),
            Some(Err(problem)) => {
                problems.push(format!("category {label:?}: {problem}"));
                None
            }
            None => None,
        };
        let parent_channel_id = match category.parent_channel_id.as_deref().map(channel_kind) {
            Some(Ok((id, Some(ChannelType::GuildCategory)))) => Some(id),
            Some(Ok((id, Some(_)))) => {
                problems.push(format!(
                    "category {label:?}: channel {id} is not a category"
                ));
                None
            }
            Some(Ok((id, None))) => {
                problems.push(format!(
                    "category {label:?}: channel {id} is not on this server"
                ));
                None
            }
            Some(Err(problem)) => {
                problems.push(format!("category {label:?}: {problem}"));
                None
            }
            None => None,
        };
        if !(0..=10_080).contains(&category.sla_minutes) {
            problems.push(format!(
                "category {label:?}: SLA minutes go from 0 to 10080"
            ));
        }
        if !(0..=43_200).contains(&category.inactive_close_minutes) {
            problems.push(format!(
                "category {label:?}: inactivity minutes go from 0 to 43200"
            ));
        }
        let Some(default_priority) = Priority::parse(&category.default_priority) else {
            problems.push(format!(
                "category {label:?}: unknown priority {:?}",
                clip(&category.default_priority, 20)
            ));
            continue;
        };
        if category.questions.len() > MAX_QUESTIONS {
            problems.push(format!(
                "category {label:?}: at most {MAX_QUESTIONS} questions"
            ));
        }
        for question in &category.questions {
            let length = question.label.trim().chars().count();
            if length == 0
                || length > MAX_LABEL
                || question.max_length == 0
                || question.max_length > MAX_ANSWER
                || question.min_length > question.max_length
            {
                problems.push(format!(
                    "category {label:?}: question {:?} is not one a modal can ask",
                    clip(&question.label, 50)
                ));
            }
        }
        if category.default_tags.len() > MAX_TAGS
            || category.default_tags.iter().any(|tag| {
                tag.is_empty()
                    || tag.chars().count() > MAX_TAG_CHARS
                    || !tag
                        .chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
            })
        {
            problems.push(format!("category {label:?}: its tags are not valid tags"));
        }
        restore.categories.push(CategoryInput {
            name: name.to_owned(),
            staff_role_id,
            parent_channel_id,
            sla_minutes: category.sla_minutes,
            default_priority,
            questions: category.questions.clone(),
            anonymous: category.anonymous,
            default_tags: category.default_tags.clone(),
            inactive_close_minutes: category.inactive_close_minutes,
            captcha: category.captcha,
        });
    }
    for panel in &file.panels {
        let label = clip(&panel.title, 50);
        let title = panel.title.trim();
        if title.is_empty() || title.chars().count() > 256 {
            problems.push(format!("panel {label:?}: a title has 1 to 256 characters"));
        }
        let description = panel.description.trim();
        if description.is_empty() || description.chars().count() > 2000 {
            problems.push(format!(
                "panel {label:?}: a description has 1 to 2000 characters"
            ));
        }
        let button = panel.button_label.trim();
        if button.is_empty() || button.chars().count() > 80 {
            problems.push(format!(
                "panel {label:?}: a button label has 1 to 80 characters"
            ));
        }
        if !matches!(
            panel.button_style.as_str(),
            "primary" | "secondary" | "success" | "danger"
        ) {
            problems.push(format!(
                "panel {label:?}: unknown button style {:?}",
                clip(&panel.button_style, 20)
            ));
        }
        if panel
            .emoji
            .as_deref()
            .is_some_and(|emoji| super::render::panel_emoji(emoji).is_none())
        {
            problems.push(format!(
                "panel {label:?}: its emoji is not one a button takes"
            ));
        }
        if let Some(category) = &panel.category {
            if !names.contains(&category.trim().to_lowercase()) {
                problems.push(format!(
                    "panel {label:?}: its category {:?} is not in the file",
                    clip(category, 50)
                ));
            }
        }
        restore.panels.push((
            PanelInput {
                title: title.to_owned(),
                description: description.to_owned(),
                button_label: button.to_owned(),
                button_style: panel.button_style.clone(),
                emoji: panel.emoji.clone(),
                category_id: None,
            },
            panel.category.as_ref().map(|name| name.trim().to_owned()),
        ));
    }
    if problems.is_empty() {
        Ok(restore)
    } else {
        Err(problems)
    }
}

/// What this server has, from the directory (roles) and Discord (channels).
async fn server_facts(shared: &Shared, guild_id: Id<GuildMarker>) -> Result<ServerFacts, String> {
    let route = "GET /guilds/{id}/channels";
    let response = send(
        route,
        shared.kernel.discord.client().guild_channels(guild_id),
    )
    .await
    .map_err(|error| error.to_string())?;
    let channels = response
        .models()
        .await
        .map_err(|error| error.to_string())?
        .into_iter()
        .map(|channel| (channel.id, channel.kind))
        .collect();
    Ok(ServerFacts {
        roles: shared.kernel.guilds.role_ids(guild_id),
        channels,
    })
}

/// `/tickets restore file`: checked in full first; then all of it, or nothing.
pub(crate) async fn restore(
    shared: &Shared,
    request: &InteractionRequest,
    file: Attachment,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    if file.size > MAX_FILE as u64 {
        return private(t!(
            locale,
            "ticket-restore-too-large",
            max = MAX_FILE as i64 / 1024
        ));
    }
    let bytes = match crate::kernel::attachments::download(&file.url, MAX_FILE).await {
        Ok(bytes) => bytes,
        Err(crate::kernel::attachments::DownloadError::TooLarge { .. }) => {
            return private(t!(
                locale,
                "ticket-restore-too-large",
                max = MAX_FILE as i64 / 1024
            ))
        }
        Err(error) => {
            tracing::info!(%error, "could not fetch a ticket configuration");
            return private(t!(locale, "ticket-restore-unreadable"));
        }
    };
    let parsed: ConfigFile = match serde_json::from_slice(&bytes) {
        Ok(parsed) => parsed,
        Err(error) => {
            let problem = clip(&error.to_string(), 200);
            return private(t!(locale, "ticket-restore-not-config", problem = problem));
        }
    };
    let facts = match server_facts(shared, guild_id).await {
        Ok(facts) => facts,
        Err(error) => {
            tracing::info!(%error, "could not read the server's channels for a restore");
            return private(t!(locale, "ticket-discord-trouble"));
        }
    };
    let restore = match check(&parsed, &facts) {
        Ok(restore) => restore,
        Err(problems) => {
            let list: Vec<String> = problems.iter().take(10).map(|p| format!("• {p}")).collect();
            return private(clip(
                &t!(
                    locale,
                    "ticket-restore-refused",
                    count = problems.len(),
                    problems = list.join("\n")
                ),
                2000,
            ));
        }
    };
    // Every setting the file does not hold goes back to its default: the file is the
    // whole configuration.
    let specs = settings::specs();
    let reset: Vec<&str> = specs
        .iter()
        .map(|spec| spec.key)
        .filter(|key| !restore.settings.iter().any(|(set, _)| set == key))
        .collect();
    match shared
        .kernel
        .store
        .restore_ticket_config(
            guild_id,
            &restore.settings,
            &reset,
            &restore.categories,
            &restore.panels,
        )
        .await
    {
        Ok((settings, categories, panels)) => {
            shared.kernel.forget_guild_config(guild_id).await;
            private(t!(
                locale,
                "ticket-restored",
                settings = settings,
                categories = categories,
                panels = panels
            ))
        }
        Err(error) => TEXTS.database_trouble(locale, &error),
    }
}

/// `/tickets channels [log] [transcripts]`: sets them, or shows them.
pub(crate) async fn channels(
    shared: &Shared,
    request: &InteractionRequest,
    log: Option<Id<ChannelMarker>>,
    transcripts: Option<Id<ChannelMarker>>,
) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let store = &shared.kernel.store;
    for (key, channel) in [
        (settings::LOG_CHANNEL, log),
        (settings::TRANSCRIPT_CHANNEL, transcripts),
    ] {
        if let Some(channel) = channel {
            let value = Value::from(channel.get());
            if let Err(error) = store
                .set_feature_setting(guild_id, FEATURE, key, &value)
                .await
            {
                return TEXTS.database_trouble(locale, &error);
            }
        }
    }
    if log.is_some() || transcripts.is_some() {
        shared.kernel.forget_guild_config(guild_id).await;
    }
    let now = match super::settings::TicketSettings::load(&shared.kernel, guild_id).await {
        Ok(now) => now,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let show = |channel: Option<Id<ChannelMarker>>| {
        channel.map_or_else(|| t!(locale, "ticket-channel-unset"), |c| format!("<#{c}>"))
    };
    private(t!(
        locale,
        "ticket-channels-now",
        log = show(now.log_channel),
        transcripts = show(now.transcript_channel)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> ServerFacts {
        ServerFacts {
            roles: Some(vec![Id::new(70)]),
            channels: vec![
                (Id::new(500), ChannelType::GuildText),
                (Id::new(600), ChannelType::GuildCategory),
            ],
        }
    }

    fn file() -> ConfigFile {
        serde_json::from_value(serde_json::json!({
            "format": FORMAT, "version": 1, "guild_id": "1", "taken_at": "2026-12-04T00:00:00Z",
            "settings": {"log-channel": 500, "max-open": 2},
            "categories": [{
                "name": "Support", "staff_role_id": "70", "parent_channel_id": "600",
                "sla_minutes": 30, "default_priority": "high",
                "questions": [{"label": "What happened?", "required": true, "min_length": 1, "max_length": 1000}],
                "anonymous": false, "default_tags": ["new"], "inactive_close_minutes": 0, "captcha": false
            }],
            "panels": [{"title": "Help", "description": "Ask us", "button_label": "Open",
                        "button_style": "primary", "emoji": null, "category": "Support"}]
        }))
        .unwrap()
    }

    #[test]
    fn a_good_file_passes_whole() {
        let restore = check(&file(), &server()).unwrap();
        assert_eq!(restore.settings.len(), 2);
        assert_eq!(restore.categories[0].staff_role_id, Some(Id::new(70)));
        assert_eq!(restore.panels[0].1.as_deref(), Some("Support"));
    }

    #[test]
    fn every_problem_is_named_and_nothing_passes() {
        let mut bad = file();
        bad.settings
            .insert("max-open".into(), serde_json::json!(99));
        bad.settings.insert("nonsense".into(), serde_json::json!(1));
        bad.categories[0].staff_role_id = Some("71".into());
        bad.categories[0].parent_channel_id = Some("500".into());
        bad.panels[0].category = Some("Billing".into());
        let problems = check(&bad, &server()).unwrap_err();
        let all = problems.join("\n");
        for expected in [
            "setting max-open",
            "unknown setting \"nonsense\"",
            "role 71 is not on this server",
            "channel 500 is not a category",
            "its category \"Billing\" is not in the file",
        ] {
            assert!(all.contains(expected), "{expected} in {all}");
        }
    }

    #[test]
    fn another_format_or_a_newer_version_is_refused() {
        let mut other = file();
        other.format = "something-else".into();
        assert!(check(&other, &server()).unwrap_err()[0].contains("not an Agora"));
        let mut newer = file();
        newer.version = VERSION + 1;
        assert!(check(&newer, &server()).unwrap_err()[0].contains("newer"));
    }
}
