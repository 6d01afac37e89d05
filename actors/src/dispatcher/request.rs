//! What an owning actor receives: an [`InteractionRequest`] — the interaction decoded
//! (command and subcommand path, or custom_id, or modal fields), the caller's access level
//! and their guild's settings, already checked against the policy by the dispatcher.

use std::sync::Arc;

use twilight_interactions::command::{CommandInputData, CommandModel};
use twilight_model::application::interaction::application_command::{
    CommandData, CommandDataOption, CommandOptionValue,
};
use twilight_model::application::interaction::modal::{
    ModalInteractionComponent, ModalInteractionData,
};
use twilight_model::application::interaction::{Interaction, InteractionData, InteractionType};
use twilight_model::id::marker::{ChannelMarker, GuildMarker, UserMarker};
use twilight_model::id::Id;

use crate::kernel::custom_id::{CustomId, CustomIdError};
use crate::kernel::guild_config::{CommandRoles, FeatureValues};
use crate::kernel::i18n::{tr, IntoArg, Locale};
use crate::kernel::policy::{AccessLevel, Actor};
use crate::kernel::reply::{clip, private, Reply, QUOTED_INPUT_CHARS};
use crate::kernel::store::GuildSettings;

/// What the person did.
#[derive(Debug, Clone)]
pub enum RequestKind {
    /// A slash command; `path` is the subcommand group and subcommand, if any.
    Command {
        name: String,
        path: Vec<String>,
        data: Box<CommandData>,
    },
    /// The person is typing an option that autocompletes.
    Autocomplete {
        name: String,
        path: Vec<String>,
        data: Box<CommandData>,
    },
    /// A button or a select menu.
    Component { id: CustomId, values: Vec<String> },
    /// A submitted modal: each text input's custom_id and value.
    Modal {
        id: CustomId,
        fields: Vec<(String, String)>,
    },
}

/// One interaction, decoded and checked, for the actor that owns it.
#[derive(Debug, Clone)]
pub struct InteractionRequest {
    pub interaction: Arc<Interaction>,
    pub kind: RequestKind,
    pub guild_id: Option<Id<GuildMarker>>,
    pub channel_id: Option<Id<ChannelMarker>>,
    pub user_id: Id<UserMarker>,
    /// The caller's level in this guild.
    pub level: AccessLevel,
    /// The guild's settings (defaults when it has configured nothing, or outside guilds).
    pub settings: GuildSettings,
    /// Every feature's settings in the guild (see [`crate::kernel::guild_config`]).
    pub features: Arc<FeatureValues>,
    /// The roles the guild requires for commands (`/config permissions`).
    pub command_roles: Arc<CommandRoles>,
    /// When the handler's answer is with Discord: work that goes on after the handler
    /// answered (a streamed reply) edits that answer only from then on.
    pub delivered: Delivered,
}

/// Whether the dispatcher has given Discord the handler's answer to an interaction (the
/// callback, or the edit after a deferral). Work a handler leaves running after it answered
/// waits for [`Delivered::wait`] before it edits that answer (`@original` exists only
/// then; an edit before it is refused).
#[derive(Debug, Clone)]
pub struct Delivered(tokio::sync::watch::Receiver<bool>);

impl Delivered {
    /// A signal not given yet, and the sender that gives it (dropping it unsent means
    /// the answer never reached Discord).
    pub fn pending() -> (tokio::sync::watch::Sender<bool>, Delivered) {
        let (sender, receiver) = tokio::sync::watch::channel(false);
        (sender, Delivered(receiver))
    }

    /// Waits until the answer is with Discord: `true`; `false` when it never will be (it
    /// was refused, or the request came another way, such as a text command).
    pub async fn wait(&self) -> bool {
        let mut receiver = self.0.clone();
        let given = receiver.wait_for(|given| *given).await.is_ok();
        given
    }
}

/// A feature's prefix in its translation keys (`shift` for `shift-stale`,
/// `shift-unusable`, `shift-database-trouble`): the answers every feature gives to a
/// modified client's options or a database that does not answer, each in its own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextArea(pub &'static str);

impl TextArea {
    /// The command's typed options; a clear private answer (`<area>-stale`,
    /// `<area>-unusable` quoting the problem, clipped) when a modified client sent
    /// options Discord would have refused.
    pub fn options<T: CommandModel>(self, request: &InteractionRequest) -> Result<T, Reply> {
        let locale = request.language();
        let Some(input) = request.command_input() else {
            return Err(private(tr(locale, &format!("{}-stale", self.0), &[])));
        };
        // The error quotes what was typed, which a modified client can make any length.
        T::from_interaction(input).map_err(|error| {
            let error = clip(&error.to_string(), QUOTED_INPUT_CHARS);
            private(tr(
                locale,
                &format!("{}-unusable", self.0),
                &[("error", IntoArg::into_arg(&error))],
            ))
        })
    }

    /// What a person is told when the database does not answer (`<area>-database-trouble`);
    /// the error itself goes to the log.
    pub fn database_trouble(self, locale: Locale, error: &dyn std::fmt::Display) -> Reply {
        tracing::error!(%error, area = self.0, "store error");
        private(tr(locale, &format!("{}-database-trouble", self.0), &[]))
    }
}

impl InteractionRequest {
    /// The command's options for twilight-interactions' `CommandModel::from_interaction`.
    pub fn command_input(&self) -> Option<CommandInputData<'static>> {
        match &self.kind {
            RequestKind::Command { data, .. } | RequestKind::Autocomplete { data, .. } => {
                Some(CommandInputData::from(data.as_ref().clone()))
            }
            _ => None,
        }
    }

    /// The option being typed in an autocomplete interaction: its name and text so far.
    pub fn focused_option(&self) -> Option<(String, String)> {
        fn walk(options: &[CommandDataOption]) -> Option<(String, String)> {
            for option in options {
                match &option.value {
                    CommandOptionValue::Focused(value, _) => {
                        return Some((option.name.clone(), value.clone()))
                    }
                    CommandOptionValue::SubCommand(inner)
                    | CommandOptionValue::SubCommandGroup(inner) => {
                        if let Some(found) = walk(inner) {
                            return Some(found);
                        }
                    }
                    _ => {}
                }
            }
            None
        }
        match &self.kind {
            RequestKind::Autocomplete { data, .. } => walk(&data.options),
            _ => None,
        }
    }

    /// The options under the subcommand path (`/config shifts reminder value:15` → `value`).
    pub fn leaf_options(&self) -> &[CommandDataOption] {
        let (RequestKind::Command { data, .. } | RequestKind::Autocomplete { data, .. }) =
            &self.kind
        else {
            return &[];
        };
        let mut options = data.options.as_slice();
        while let [option] = options {
            match &option.value {
                CommandOptionValue::SubCommand(inner)
                | CommandOptionValue::SubCommandGroup(inner) => options = inner,
                _ => break,
            }
        }
        options
    }

    /// A leaf option's raw value by name (see [`Self::leaf_options`]): for checks that
    /// answer bad input in words before the typed parse would refuse it in general terms.
    pub fn leaf_option(&self, name: &str) -> Option<&CommandOptionValue> {
        self.leaf_options()
            .iter()
            .find(|option| option.name == name)
            .map(|option| &option.value)
    }

    /// A user the command's options name, as Discord resolved it (e.g. whether it is a bot).
    pub fn resolved_user(&self, id: Id<UserMarker>) -> Option<&twilight_model::user::User> {
        let (RequestKind::Command { data, .. } | RequestKind::Autocomplete { data, .. }) =
            &self.kind
        else {
            return None;
        };
        data.resolved
            .as_ref()
            .and_then(|resolved| resolved.users.get(&id))
    }

    /// A role the command's options name, as Discord resolved it (e.g. whether an
    /// integration manages it).
    pub fn resolved_role(
        &self,
        id: twilight_model::id::Id<twilight_model::id::marker::RoleMarker>,
    ) -> Option<&twilight_model::guild::Role> {
        let (RequestKind::Command { data, .. } | RequestKind::Autocomplete { data, .. }) =
            &self.kind
        else {
            return None;
        };
        data.resolved
            .as_ref()
            .and_then(|resolved| resolved.roles.get(&id))
    }

    /// The kind of a channel the command's options name (from Discord's resolved data).
    pub fn resolved_channel_kind(
        &self,
        id: Id<ChannelMarker>,
    ) -> Option<twilight_model::channel::ChannelType> {
        let (RequestKind::Command { data, .. } | RequestKind::Autocomplete { data, .. }) =
            &self.kind
        else {
            return None;
        };
        data.resolved
            .as_ref()
            .and_then(|resolved| resolved.channels.get(&id))
            .map(|channel| channel.kind)
    }

    /// A submitted modal field by its custom_id.
    pub fn field(&self, custom_id: &str) -> Option<&str> {
        match &self.kind {
            RequestKind::Modal { fields, .. } => fields
                .iter()
                .find(|(id, _)| id == custom_id)
                .map(|(_, value)| value.as_str()),
            _ => None,
        }
    }

    /// The caller's locale as Discord reports it.
    pub fn locale(&self) -> &str {
        self.interaction.locale.as_deref().unwrap_or("en-US")
    }

    /// The language to answer in: the guild's choice, else the caller's, else English.
    pub fn language(&self) -> Locale {
        Locale::resolve(
            Some(&self.settings.locale),
            self.interaction.locale.as_deref(),
        )
    }
}

/// What the dispatcher decoded before it knows who may do it.
#[derive(Debug)]
pub(crate) enum Decoded {
    Command {
        name: String,
        path: Vec<String>,
        data: Box<CommandData>,
        autocomplete: bool,
    },
    Component {
        id: CustomId,
        values: Vec<String>,
    },
    Modal {
        id: CustomId,
        fields: Vec<(String, String)>,
    },
}

/// Why an interaction could not be decoded.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DecodeError {
    #[error("the interaction carries no data")]
    NoData,
    #[error("the interaction type is not one Agora handles")]
    Unsupported,
    #[error("malformed custom_id {raw:?}: {error}")]
    CustomId { raw: String, error: CustomIdError },
}

impl Decoded {
    /// The metrics label: `/config`, `help` (concern:action) …
    pub(crate) fn route(&self) -> String {
        match self {
            Decoded::Command { name, .. } => format!("/{name}"),
            Decoded::Component { id, .. } | Decoded::Modal { id, .. } => {
                format!("{}:{}", id.concern, id.action)
            }
        }
    }

    pub(crate) fn into_kind(self) -> RequestKind {
        match self {
            Decoded::Command {
                name,
                path,
                data,
                autocomplete: false,
            } => RequestKind::Command { name, path, data },
            Decoded::Command {
                name, path, data, ..
            } => RequestKind::Autocomplete { name, path, data },
            Decoded::Component { id, values } => RequestKind::Component { id, values },
            Decoded::Modal { id, fields } => RequestKind::Modal { id, fields },
        }
    }
}

pub(crate) fn decode(interaction: &Interaction) -> Result<Decoded, DecodeError> {
    let data = interaction.data.as_ref().ok_or(DecodeError::NoData)?;
    match (interaction.kind, data) {
        (
            InteractionType::ApplicationCommand | InteractionType::ApplicationCommandAutocomplete,
            InteractionData::ApplicationCommand(command),
        ) => Ok(Decoded::Command {
            name: command.name.clone(),
            path: subcommand_path(&command.options),
            data: command.clone(),
            autocomplete: interaction.kind == InteractionType::ApplicationCommandAutocomplete,
        }),
        (InteractionType::MessageComponent, InteractionData::MessageComponent(component)) => {
            Ok(Decoded::Component {
                id: custom_id(&component.custom_id)?,
                values: component.values.clone(),
            })
        }
        (InteractionType::ModalSubmit, InteractionData::ModalSubmit(modal)) => Ok(Decoded::Modal {
            id: custom_id(&modal.custom_id)?,
            fields: modal_fields(modal),
        }),
        _ => Err(DecodeError::Unsupported),
    }
}

fn custom_id(raw: &str) -> Result<CustomId, DecodeError> {
    CustomId::decode(raw).map_err(|error| DecodeError::CustomId {
        raw: raw.chars().take(100).collect(),
        error,
    })
}

/// `["group", "sub"]`, `["sub"]` or `[]`.
fn subcommand_path(options: &[CommandDataOption]) -> Vec<String> {
    let mut path = Vec::new();
    let mut options = options;
    while let [option] = options {
        match &option.value {
            CommandOptionValue::SubCommand(inner) | CommandOptionValue::SubCommandGroup(inner) => {
                path.push(option.name.clone());
                options = inner;
            }
            _ => break,
        }
    }
    path
}

fn modal_fields(modal: &ModalInteractionData) -> Vec<(String, String)> {
    fn walk(component: &ModalInteractionComponent, out: &mut Vec<(String, String)>) {
        match component {
            ModalInteractionComponent::ActionRow(row) => {
                row.components.iter().for_each(|c| walk(c, out))
            }
            ModalInteractionComponent::Label(label) => walk(&label.component, out),
            ModalInteractionComponent::TextInput(input) => {
                out.push((input.custom_id.clone(), input.value.clone()))
            }
            _ => {}
        }
    }
    let mut fields = Vec::new();
    modal.components.iter().for_each(|c| walk(c, &mut fields));
    fields
}

/// Who is acting, from the interaction.
pub(crate) fn actor_of(interaction: &Interaction) -> Option<Actor> {
    let user_id = interaction.author_id()?.get();
    Some(match &interaction.member {
        Some(member) if interaction.guild_id.is_some() => Actor {
            user_id,
            role_ids: member.roles.iter().map(|r| r.get()).collect(),
            permissions: member.permissions.map(|p| p.bits()).unwrap_or(0),
            in_guild: true,
        },
        _ => Actor {
            user_id,
            ..Actor::default()
        },
    })
}
