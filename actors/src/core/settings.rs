//! `/config`: a guild's settings — admin role, moderator role, log channel, the channels
//! Agora answers in, and its locale — stored in the database (no ids in code); the
//! features' groups come from [`super::feature_settings`]. Server admins only. Each change
//! is checked (a log channel must accept the bot's messages), written to the log channel,
//! and the guild's cached configuration forgotten.

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::application::interaction::InteractionChannel;
use twilight_model::guild::Role;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use twilight_model::application::interaction::application_command::CommandOptionValue;

use super::feature_settings::{self, Outcome};
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::kernel::i18n::GuildLocale;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::kernel::store::{GuildSettings, GuildSettingsPatch};
use crate::kernel::Kernel;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "config",
    desc = "Agora's settings for this server",
    contexts = "guild"
)]
pub enum ConfigCommand {
    #[command(name = "show")]
    Show(ConfigShow),
    #[command(name = "admin-role")]
    AdminRole(ConfigAdminRole),
    #[command(name = "moderator-role")]
    ModeratorRole(ConfigModeratorRole),
    #[command(name = "log-channel")]
    LogChannel(ConfigLogChannel),
    #[command(name = "allow-channel")]
    AllowChannel(ConfigAllowChannel),
    #[command(name = "disallow-channel")]
    DisallowChannel(ConfigDisallowChannel),
    #[command(name = "locale")]
    Locale(ConfigLocale),
    #[command(name = "reset")]
    Reset(ConfigReset),
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "show", desc = "Show this server's settings")]
pub struct ConfigShow;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "admin-role",
    desc = "Set (or clear) the role whose members administer Agora"
)]
pub struct ConfigAdminRole {
    /// The admin role; leave out to clear it (Administrator still counts)
    role: Option<Role>,
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "moderator-role", desc = "Set (or clear) the moderators' role")]
pub struct ConfigModeratorRole {
    /// The moderators' role; leave out to clear it
    role: Option<Role>,
}

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "log-channel",
    desc = "Set (or clear) the channel Agora writes its log to"
)]
pub struct ConfigLogChannel {
    /// A text channel Agora can write in; leave out to clear it
    #[command(channel_types = "guild_text guild_announcement")]
    channel: Option<InteractionChannel>,
}

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "allow-channel",
    desc = "Answer commands in this channel (once one is allowed, only there)"
)]
pub struct ConfigAllowChannel {
    /// The channel to allow
    #[command(channel_types = "guild_text guild_announcement guild_voice")]
    channel: InteractionChannel,
}

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "disallow-channel",
    desc = "Stop answering commands in this channel"
)]
pub struct ConfigDisallowChannel {
    /// The channel to take off the list
    #[command(channel_types = "guild_text guild_announcement guild_voice")]
    channel: InteractionChannel,
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "locale", desc = "The language of Agora's posts in this server")]
pub struct ConfigLocale {
    /// The language
    #[allow(dead_code)] // its choices are registered; the value is read raw (set_locale)
    locale: LocaleChoice,
}

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "reset",
    desc = "Forget every setting of this server, every feature's included"
)]
pub struct ConfigReset;

/// The languages Agora speaks, and "auto" (each person's own Discord language).
#[derive(CommandOption, CreateOption, Debug, Clone, Copy)]
pub enum LocaleChoice {
    #[option(name = "Automatic (each person's Discord language)", value = "auto")]
    Auto,
    #[option(name = "English", value = "en-US")]
    English,
    #[option(name = "Deutsch", value = "de")]
    German,
}

fn mention_role(id: Option<i64>) -> String {
    id.map(|id| format!("<@&{id}>"))
        .unwrap_or_else(|| "not set".into())
}

fn mention_channel(id: Option<i64>) -> String {
    id.map(|id| format!("<#{id}>"))
        .unwrap_or_else(|| "not set".into())
}

/// The settings as `/config show` renders them: the guild's own, then each feature's.
pub fn settings_message(settings: &GuildSettings, features: &[(String, String)]) -> ReplyMessage {
    let allowed = if settings.allowed_channel_ids.is_empty() {
        "every channel".to_owned()
    } else {
        settings
            .allowed_channel_ids
            .iter()
            .map(|id| format!("<#{id}>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let embed = EmbedBuilder::new()
        .title("Agora settings")
        .color(0x58_65_f2)
        .field(EmbedFieldBuilder::new("Admin role", mention_role(settings.admin_role_id)).inline())
        .field(
            EmbedFieldBuilder::new("Moderator role", mention_role(settings.moderator_role_id))
                .inline(),
        )
        .field(
            EmbedFieldBuilder::new("Log channel", mention_channel(settings.log_channel_id))
                .inline(),
        )
        .field(EmbedFieldBuilder::new("Answers commands in", allowed))
        .field(EmbedFieldBuilder::new("Locale", settings.locale.clone()).inline());
    let embed = features
        .iter()
        .fold(embed, |embed, (title, lines)| {
            embed.field(EmbedFieldBuilder::new(title.clone(), lines.clone()))
        })
        .build();
    let mut message = ReplyMessage::private(String::new()).with_embed(embed);
    message.content = None;
    message
}

fn private_text(text: impl Into<String>) -> Reply {
    Reply::Message(ReplyMessage::private(text))
}

/// Runs `/config …` for an admin (the dispatcher checked the level).
pub async fn run(kernel: &Kernel, request: &InteractionRequest) -> Reply {
    let Some(guild_id) = request.guild_id else {
        return private_text("Settings belong to a server; run this in one.");
    };
    let Some(input) = request.command_input() else {
        return private_text("That is not a /config command.");
    };
    let guild = guild_id.get() as i64;
    // Changes to one guild's settings take turns (two admins at once never overwrite each
    // other); other guilds' requests do not wait.
    let _turn = kernel.serial.turn(format!("settings:{guild}")).await;
    let path = match &request.kind {
        RequestKind::Command { path, .. } => path.as_slice(),
        _ => &[],
    };
    if let Some(outcome) = feature_settings::run(kernel, request, path).await {
        return match outcome {
            Outcome::Changed(change) => {
                log_change(kernel, &request.settings, request, &change).await;
                private_text(format!("Done: {change}."))
            }
            Outcome::Shown(text) | Outcome::Refused(text) => private_text(text),
        };
    }
    if path.first().map(String::as_str) == Some("locale") {
        return set_locale(kernel, request, guild).await;
    }
    let command = match ConfigCommand::from_interaction(input) {
        Ok(command) => command,
        Err(error) => return private_text(format!("I could not read that command: {error}.")),
    };
    let mut patch = GuildSettingsPatch::default();
    let change = match command {
        ConfigCommand::Show(_) => {
            let features = feature_settings::describe(&kernel.catalogue, &request.features);
            return Reply::Message(settings_message(&request.settings, &features));
        }
        ConfigCommand::AdminRole(ConfigAdminRole { role }) => {
            if let Some(problem) = role.as_ref().and_then(|r| unusable_role(r, guild)) {
                return private_text(problem);
            }
            let id = role.map(|r| r.id.get() as i64);
            patch.admin_role_id = Some(id);
            format!("set the admin role to {}", mention_role(id))
        }
        ConfigCommand::ModeratorRole(ConfigModeratorRole { role }) => {
            if let Some(problem) = role.as_ref().and_then(|r| unusable_role(r, guild)) {
                return private_text(problem);
            }
            let id = role.map(|r| r.id.get() as i64);
            patch.moderator_role_id = Some(id);
            format!("set the moderator role to {}", mention_role(id))
        }
        ConfigCommand::LogChannel(ConfigLogChannel { channel }) => {
            if let Some(channel) = &channel {
                // A log channel the bot cannot write to would lose every entry: try first.
                let test = ReplyMessage::text(format!(
                    "📋 Agora will write its log here (set by <@{}>).",
                    request.user_id
                ));
                if let Err(error) = kernel.discord.send_message(channel.id, &test, None).await {
                    return private_text(format!(
                        "I can't post in <#{}> ({error}). Give me View Channel and Send Messages there, then try again.",
                        channel.id
                    ));
                }
            }
            let id = channel.map(|c| c.id.get() as i64);
            patch.log_channel_id = Some(id);
            format!("set the log channel to {}", mention_channel(id))
        }
        ConfigCommand::AllowChannel(ConfigAllowChannel { channel }) => {
            let id = channel.id.get() as i64;
            let mut allowed = current_allowed_channels(kernel, guild, request).await;
            if allowed.contains(&id) {
                return private_text(format!("<#{id}> is already allowed."));
            }
            if allowed.len() >= 25 {
                return private_text("At most 25 channels can be allowed; disallow one first.");
            }
            allowed.push(id);
            patch.allowed_channel_ids = Some(allowed);
            format!("allowed commands in <#{id}>")
        }
        ConfigCommand::DisallowChannel(ConfigDisallowChannel { channel }) => {
            let id = channel.id.get() as i64;
            let mut allowed = current_allowed_channels(kernel, guild, request).await;
            if !allowed.contains(&id) {
                return private_text(format!("<#{id}> is not on the list of allowed channels."));
            }
            allowed.retain(|c| *c != id);
            patch.allowed_channel_ids = Some(allowed);
            format!("stopped answering commands in <#{id}>")
        }
        // Read raw by `set_locale` (a modified client may send a language we lack).
        ConfigCommand::Locale(_) => return set_locale(kernel, request, guild).await,
        ConfigCommand::Reset(_) => return reset(kernel, request, guild).await,
    };
    match kernel.store.update_guild_settings(guild, patch).await {
        Ok(settings) => {
            kernel.forget_guild_config(guild).await;
            log_change(kernel, &settings, request, &change).await;
            let features = feature_settings::describe(&kernel.catalogue, &request.features);
            let mut message = settings_message(&settings, &features);
            message.content = Some(format!("Done: {change}."));
            Reply::Message(message)
        }
        Err(error) => private_text(format!(
            "The database did not take the change ({error}). Nothing changed; try again in a minute."
        )),
    }
}

/// The allowed channels as stored now: read inside the guild's settings turn (not the
/// dispatcher's earlier snapshot), so two admins' changes are kept apart.
async fn current_allowed_channels(
    kernel: &Kernel,
    guild: i64,
    request: &InteractionRequest,
) -> Vec<i64> {
    match kernel.store.guild_settings(guild).await {
        Ok(Some(settings)) => settings.allowed_channel_ids,
        Ok(None) => Vec::new(),
        Err(_) => request.settings.allowed_channel_ids.clone(),
    }
}

/// `/config locale`: a language Agora speaks, or "auto"; anything else (a modified client)
/// is answered with the languages there are, and nothing changes.
async fn set_locale(kernel: &Kernel, request: &InteractionRequest, guild: i64) -> Reply {
    let asked = request
        .leaf_options()
        .iter()
        .find(|option| option.name == "locale")
        .and_then(|option| match &option.value {
            CommandOptionValue::String(value) => Some(value.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let value = match GuildLocale::choose(&asked) {
        Ok(value) => value,
        Err(unsupported) => return private_text(unsupported.message(request.language())),
    };
    let patch = GuildSettingsPatch {
        locale: Some(value.clone()),
        ..GuildSettingsPatch::default()
    };
    match kernel.store.update_guild_settings(guild, patch).await {
        Ok(settings) => {
            kernel.forget_guild_config(guild).await;
            let change = format!("set the locale to {value}");
            log_change(kernel, &settings, request, &change).await;
            let features = feature_settings::describe(&kernel.catalogue, &request.features);
            let mut message = settings_message(&settings, &features);
            message.content = Some(format!("Done: {change}."));
            Reply::Message(message)
        }
        Err(error) => private_text(format!(
            "The database did not take the change ({error}). Nothing changed; try again in a minute."
        )),
    }
}

/// `/config reset`: the guild's own settings and every feature's (their on/off switches
/// included) back to their defaults, and the answer says exactly what that covered.
async fn reset(kernel: &Kernel, request: &InteractionRequest, guild: i64) -> Reply {
    let guild_row = kernel.store.delete_guild_settings(guild).await;
    let feature_rows = kernel.store.delete_all_feature_settings(guild).await;
    kernel.forget_guild_config(guild).await;
    if let Err(error) = guild_row
        .as_ref()
        .map(|_| ())
        .and(feature_rows.as_ref().map(|_| ()))
    {
        return private_text(format!(
            "The settings could not all be reset: {error}. Run `/config show` to see where things stand, and try again in a minute."
        ));
    }
    let features: Vec<String> = kernel
        .catalogue
        .features()
        .iter()
        .filter(|feature| feature.can_be_disabled || !feature.settings.is_empty())
        .map(|feature| format!("`{}`", feature.name))
        .collect();
    let change = format!(
        "reset every setting: admin and moderator roles, log channel, allowed channels and locale, and for each feature ({}) whether it is on and its settings",
        features.join(", ")
    );
    log_change(kernel, &request.settings, request, &change).await;
    private_text(format!(
        "Done: {change}. Everything is back to its default."
    ))
}

/// Why a role cannot be a staff role, if it cannot.
fn unusable_role(role: &Role, guild_id: i64) -> Option<String> {
    if role.id.get() as i64 == guild_id {
        Some("@everyone can't be a staff role: everyone would be staff.".into())
    } else if role.managed {
        Some(format!(
            "<@&{}> belongs to an integration (a bot or a subscription) and can't be given to people.",
            role.id
        ))
    } else {
        None
    }
}

/// Writes "who changed what" to the guild's log channel, if it has one.
async fn log_change(
    kernel: &Kernel,
    settings: &GuildSettings,
    request: &InteractionRequest,
    change: &str,
) {
    let Some(channel) = settings
        .log_channel_id
        .and_then(|id| twilight_model::id::Id::new_checked(id as u64))
    else {
        return;
    };
    let entry = ReplyMessage::text(format!("⚙️ <@{}> {change}.", request.user_id));
    if let Err(error) = kernel.discord.send_message(channel, &entry, None).await {
        tracing::warn!(%error, guild = ?request.guild_id, "could not write to the log channel");
    }
}
