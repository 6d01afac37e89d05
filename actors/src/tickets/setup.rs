//! `/tickets setup`: a wizard in one private message — selects for the log channel, the
//! transcript channel, the staff role and where the first panel goes (each saved the
//! moment it is chosen), then a button whose modal creates the first category and its
//! panel and posts it.

use twilight_model::channel::message::component::{
    ActionRow, Button, ButtonStyle, Component, SelectMenu, SelectMenuType,
};
use twilight_model::channel::ChannelType;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::id::Id;

use super::admin::parse_questions;
use super::render::{self, custom_id};
use super::settings::{self, TicketSettings, FEATURE};
use super::store::{CategoryInput, PanelInput, Priority};
use super::{guild_of, private, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::{clip, ModalField, Reply, ReplyMessage};
use crate::t;

pub const LOG: &str = "setup-log";
pub const TRANSCRIPTS: &str = "setup-transcripts";
pub const STAFF: &str = "setup-staff";
pub const PANEL_CHANNEL: &str = "setup-panel-channel";
pub const FIRST: &str = "setup-first";
pub const FIRST_ANSWERS: &str = "setup-first-answers";

/// Where each admin's wizard will post the first panel (chosen in the wizard; in memory
/// only — a restart asks again).
#[derive(Default)]
pub struct PanelPlaces {
    chosen: parking_lot::Mutex<std::collections::HashMap<Admin, Id<ChannelMarker>>>,
}

/// Whose wizard: an admin in a guild.
type Admin = (Id<GuildMarker>, Id<UserMarker>);

fn select(
    id: &str,
    kind: SelectMenuType,
    placeholder: String,
    channel_types: Option<Vec<ChannelType>>,
) -> Component {
    Component::ActionRow(ActionRow {
        id: None,
        components: vec![Component::SelectMenu(SelectMenu {
            id: None,
            channel_types,
            custom_id: custom_id(id, &[]),
            default_values: None,
            disabled: false,
            kind,
            max_values: Some(1),
            min_values: Some(1),
            options: None,
            placeholder: Some(placeholder),
            required: None,
        })],
    })
}

/// The wizard's message: what is set now, and the controls.
fn wizard(
    locale: Locale,
    settings: &TicketSettings,
    panel_channel: Option<Id<ChannelMarker>>,
) -> ReplyMessage {
    let show = |channel: Option<Id<ChannelMarker>>| {
        channel.map_or_else(|| t!(locale, "ticket-channel-unset"), |c| format!("<#{c}>"))
    };
    let staff = settings.staff_role.map_or_else(
        || t!(locale, "ticket-staff-default"),
        |role| format!("<@&{role}>"),
    );
    let text = t!(
        locale,
        "ticket-setup-body",
        log = show(settings.log_channel),
        transcripts = show(settings.transcript_channel),
        staff = staff,
        panel = show(panel_channel)
    );
    let text_channels = Some(vec![ChannelType::GuildText]);
    let mut message = ReplyMessage::private(text);
    message.components = vec![
        select(
            LOG,
            SelectMenuType::Channel,
            t!(locale, "ticket-setup-pick-log"),
            text_channels.clone(),
        ),
        select(
            TRANSCRIPTS,
            SelectMenuType::Channel,
            t!(locale, "ticket-setup-pick-transcripts"),
            text_channels.clone(),
        ),
        select(
            STAFF,
            SelectMenuType::Role,
            t!(locale, "ticket-setup-pick-staff"),
            None,
        ),
        select(
            PANEL_CHANNEL,
            SelectMenuType::Channel,
            t!(locale, "ticket-setup-pick-panel"),
            text_channels,
        ),
        Component::ActionRow(ActionRow {
            id: None,
            components: vec![Component::Button(Button {
                id: None,
                custom_id: Some(custom_id(FIRST, &[])),
                disabled: false,
                emoji: None,
                label: Some(t!(locale, "ticket-setup-first-button")),
                style: ButtonStyle::Success,
                url: None,
                sku_id: None,
            })],
        }),
    ];
    message
}

/// `/tickets setup`.
pub async fn start(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let settings = TicketSettings::from_values(&request.features);
    let place = shared
        .panel_places
        .chosen
        .lock()
        .get(&(guild_id, request.user_id))
        .copied();
    Reply::Message(wizard(locale, &settings, place))
}

/// One of the wizard's selects: saved at once, the wizard shown again.
pub async fn chosen(
    shared: &Shared,
    request: &InteractionRequest,
    action: &str,
    value: Option<u64>,
) -> Reply {
    let locale = request.language();
    if request.level < AccessLevel::Admin {
        return private(t!(locale, "ticket-admins-only"));
    }
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let Some(value) = value.filter(|value| *value > 0) else {
        return private(t!(locale, "ticket-stale"));
    };
    let key = match action {
        LOG => Some(settings::LOG_CHANNEL),
        TRANSCRIPTS => Some(settings::TRANSCRIPT_CHANNEL),
        STAFF => Some(settings::STAFF_ROLE),
        _ => None,
    };
    match key {
        Some(key) => {
            if let Err(error) = shared
                .kernel
                .store
                .set_feature_setting(guild_id, FEATURE, key, &serde_json::Value::from(value))
                .await
            {
                return TEXTS.database_trouble(locale, &error);
            }
            shared.kernel.forget_guild_config(guild_id).await;
        }
        None => {
            shared
                .panel_places
                .chosen
                .lock()
                .insert((guild_id, request.user_id), Id::new(value));
        }
    }
    let settings = match TicketSettings::load(&shared.kernel, guild_id).await {
        Ok(settings) => settings,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let place = shared
        .panel_places
        .chosen
        .lock()
        .get(&(guild_id, request.user_id))
        .copied();
    Reply::Update(wizard(locale, &settings, place))
}

/// The wizard's last step: the first category and its panel, in a modal.
pub fn ask_first(request: &InteractionRequest) -> Reply {
    let locale = request.language();
    if request.level < AccessLevel::Admin {
        return private(t!(locale, "ticket-admins-only"));
    }
    let field = |id: &str, label: String, paragraph: bool, required: bool, max: u16| ModalField {
        custom_id: id.into(),
        label: clip(&label, 45),
        paragraph,
        required,
        min_length: None,
        max_length: Some(max),
        value: None,
        placeholder: None,
    };
    Reply::Modal {
        custom_id: custom_id(FIRST_ANSWERS, &[]),
        title: clip(&t!(locale, "ticket-setup-first-title"), 45),
        fields: vec![
            field(
                "category",
                t!(locale, "ticket-setup-field-category"),
                false,
                true,
                50,
            ),
            field(
                "questions",
                t!(locale, "ticket-setup-field-questions"),
                true,
                false,
                400,
            ),
            field(
                "title",
                t!(locale, "ticket-setup-field-title"),
                false,
                true,
                256,
            ),
            field(
                "description",
                t!(locale, "ticket-setup-field-description"),
                true,
                true,
                2000,
            ),
        ],
    }
}

/// The modal: the category and panel are created, and the panel posted where the wizard
/// said (else in this channel).
pub async fn create_first(shared: &Shared, request: &InteractionRequest) -> Reply {
    let locale = request.language();
    if request.level < AccessLevel::Admin {
        return private(t!(locale, "ticket-admins-only"));
    }
    let guild_id = match guild_of(request) {
        Ok(guild) => guild,
        Err(reply) => return reply,
    };
    let name = request.field("category").unwrap_or("").trim().to_owned();
    if !(2..=50).contains(&name.chars().count()) {
        return private(t!(locale, "ticket-category-name-short"));
    }
    let questions = match request
        .field("questions")
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(|text| parse_questions(text, locale))
    {
        Some(Ok(questions)) => questions,
        Some(Err(problem)) => return private(problem),
        None => Vec::new(),
    };
    let title = request.field("title").unwrap_or("").trim().to_owned();
    let description = request.field("description").unwrap_or("").trim().to_owned();
    if title.is_empty() || description.is_empty() {
        return private(t!(locale, "ticket-setup-panel-empty"));
    }
    let Some(place) = shared
        .panel_places
        .chosen
        .lock()
        .get(&(guild_id, request.user_id))
        .copied()
        .or(request.channel_id)
    else {
        return private(t!(locale, "ticket-stale"));
    };
    let store = &shared.kernel.store;
    let category = match store
        .upsert_ticket_category(
            guild_id,
            &CategoryInput {
                name,
                staff_role_id: None,
                parent_channel_id: None,
                sla_minutes: 0,
                default_priority: Priority::Normal,
                questions,
                anonymous: false,
                default_tags: Vec::new(),
                inactive_close_minutes: 0,
                captcha: false,
            },
        )
        .await
    {
        Ok(category) => category,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let panel = match store
        .create_ticket_panel(
            guild_id,
            &PanelInput {
                title,
                description,
                button_label: t!(locale, "ticket-panel-default-label"),
                button_style: "primary".into(),
                emoji: None,
                category_id: Some(category.id),
            },
        )
        .await
    {
        Ok(panel) => panel,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    let message = render::panel_message(&panel, std::slice::from_ref(&category));
    match shared
        .kernel
        .discord
        .send_message(place, &message, None)
        .await
    {
        Ok(message_id) => {
            if let Err(error) = store
                .set_ticket_panel_message(panel.id, place, message_id)
                .await
            {
                tracing::warn!(%error, panel = panel.id, "could not remember where the panel is");
            }
            shared
                .panel_places
                .chosen
                .lock()
                .remove(&(guild_id, request.user_id));
            private(t!(
                locale,
                "ticket-setup-done",
                category = category.name.as_str(),
                panel = panel.id,
                channel = place.get()
            ))
        }
        Err(error) => {
            tracing::info!(%error, panel = panel.id, "could not post the wizard's panel");
            private(t!(locale, "ticket-panel-not-posted", channel = place.get()))
        }
    }
}
