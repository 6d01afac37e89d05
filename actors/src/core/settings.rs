//! `/config`: a guild's settings — admin role, moderator role, log channel, the channels
//! Agora answers in, its locale, the text commands' prefix, tidy replies and the roles
//! commands need ([`super::access`]) — stored in the database (no ids in code); the
//! features' groups come from [`super::feature_settings`]. Server admins only. Each change
//! is checked (a log channel must accept the bot's messages), written to the log channel,
//! and the guild's cached configuration forgotten.

use twilight_interactions::command::{CommandModel, CommandOption, CreateCommand, CreateOption};
use twilight_model::application::interaction::InteractionChannel;
use twilight_model::guild::Role;
use twilight_model::id::marker::{ChannelMarker, GuildMarker, RoleMarker};
use twilight_model::id::Id;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use twilight_model::application::interaction::application_command::CommandOptionValue;

use super::feature_settings::{self, Change, Outcome};
use crate::dispatcher::{InteractionRequest, RequestKind};
use crate::kernel::i18n::{GuildLocale, Locale};
use crate::kernel::reply::{clip, Reply, ReplyMessage, QUOTED_INPUT_CHARS};
use crate::kernel::store::{GuildSettings, GuildSettingsPatch};
use crate::kernel::Kernel;
use crate::t;

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
    #[command(name = "permissions")]
    Permissions(ConfigPermissions),
    #[command(name = "prefix")]
    Prefix(ConfigPrefix),
    #[command(name = "tidy-replies")]
    TidyReplies(ConfigTidyReplies),
    #[command(name = "reset")]
    Reset(ConfigReset),
}

/// `/config permissions …` (handled in [`super::access`], read raw).
#[derive(CommandModel, CreateCommand)]
#[command(
    name = "permissions",
    desc = "Require a role for a command, on top of who may run it"
)]
#[allow(dead_code)] // registered; the values are read raw (super::access)
pub enum ConfigPermissions {
    #[command(name = "set")]
    Set(PermissionsSet),
    #[command(name = "clear")]
    Clear(PermissionsClear),
    #[command(name = "show")]
    Show(PermissionsShow),
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "set", desc = "Require a role for a command or subcommand")]
#[allow(dead_code)]
pub struct PermissionsSet {
    /// The command or subcommand, as you type it: `shift drop`, `tickets`
    command: String,
    /// The role it needs (admins always pass)
    role: Role,
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "clear", desc = "Stop requiring a role for a command")]
#[allow(dead_code)]
pub struct PermissionsClear {
    /// The command or subcommand, as you type it
    command: String,
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "show", desc = "Which commands need a role here")]
pub struct PermissionsShow;

/// `/config prefix [value]` (read raw, checked in [`super::prefix::check_prefix`]).
#[derive(CommandModel, CreateCommand)]
#[command(
    name = "prefix",
    desc = "The admins' text commands' prefix here; leave out for the default"
)]
#[allow(dead_code)]
pub struct ConfigPrefix {
    /// 1 to 5 characters, no spaces (the bot's mention always works too)
    value: Option<String>,
}

/// `/config tidy-replies [seconds]`.
#[derive(CommandModel, CreateCommand)]
#[command(
    name = "tidy-replies",
    desc = "Delete the bot's public confirmations after a while (0 or left out: keep them)"
)]
#[allow(dead_code)]
pub struct ConfigTidyReplies {
    /// Seconds before a confirmation goes (0 to 600; 0 keeps them)
    #[command(min_value = 0, max_value = 600)]
    seconds: Option<i64>,
}

/// The longest delay tidy replies take: well inside the 15 minutes an interaction's
/// token lasts, so the response can be deleted with it.
pub const TIDY_MAX_SECONDS: i64 = 600;

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

fn mention_role(id: Option<Id<RoleMarker>>, locale: Locale) -> String {
    id.map(|id| format!("<@&{id}>"))
        .unwrap_or_else(|| t!(locale, "config-not-set"))
}

fn mention_channel(id: Option<Id<ChannelMarker>>, locale: Locale) -> String {
    id.map(|id| format!("<#{id}>"))
        .unwrap_or_else(|| t!(locale, "config-not-set"))
}

/// The settings as `/config show` renders them: the guild's own, then each feature's.
pub fn settings_message(
    settings: &GuildSettings,
    features: &[(String, String)],
    locale: Locale,
) -> ReplyMessage {
    let allowed = if settings.allowed_channel_ids.is_empty() {
        t!(locale, "config-every-channel")
    } else {
        settings
            .allowed_channel_ids
            .iter()
            .map(|id| format!("<#{id}>"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let embed = EmbedBuilder::new()
        .title(t!(locale, "config-title"))
        .color(0x58_65_f2)
        .field(
            EmbedFieldBuilder::new(
                t!(locale, "config-field-admin-role"),
                mention_role(settings.admin_role_id, locale),
            )
            .inline(),
        )
        .field(
            EmbedFieldBuilder::new(
                t!(locale, "config-field-moderator-role"),
                mention_role(settings.moderator_role_id, locale),
            )
            .inline(),
        )
        .field(
            EmbedFieldBuilder::new(
                t!(locale, "config-field-log-channel"),
                mention_channel(settings.log_channel_id, locale),
            )
            .inline(),
        )
        .field(EmbedFieldBuilder::new(
            t!(locale, "config-field-allowed"),
            allowed,
        ))
        .field(
            EmbedFieldBuilder::new(t!(locale, "config-field-locale"), settings.locale.clone())
                .inline(),
        );
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
    let locale = request.language();
    let Some(guild_id) = request.guild_id else {
        return private_text(t!(locale, "config-guild-only"));
    };
    let Some(input) = request.command_input() else {
        return private_text(t!(locale, "config-not-a-command"));
    };
    let guild = guild_id;
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
                private_text(t!(locale, "config-done", change = change(locale)))
            }
            Outcome::Shown(text) | Outcome::Refused(text) => private_text(text),
        };
    }
    let own = match path.first().map(String::as_str) {
        Some(super::access::GROUP) => {
            let subcommand = path.get(1).map_or("", String::as_str);
            Some(super::access::run(kernel, request, subcommand).await)
        }
        Some("prefix") => Some(super::prefix::configure(kernel, request, guild).await),
        Some("tidy-replies") => Some(tidy_replies(kernel, request, guild).await),
        _ => None,
    };
    if let Some(outcome) = own {
        return match outcome {
            Outcome::Changed(change) => {
                log_change(kernel, &request.settings, request, &change).await;
                private_text(t!(locale, "config-done", change = change(locale)))
            }
            Outcome::Shown(text) | Outcome::Refused(text) => private_text(text),
        };
    }
    if path.first().map(String::as_str) == Some("locale") {
        return set_locale(kernel, request, guild).await;
    }
    let command = match ConfigCommand::from_interaction(input) {
        Ok(command) => command,
        Err(error) => {
            let error = clip(&error.to_string(), QUOTED_INPUT_CHARS);
            return private_text(t!(locale, "config-unreadable", error = error));
        }
    };
    let mut patch = GuildSettingsPatch::default();
    let change: Change = match command {
        ConfigCommand::Show(_) => {
            let mut features =
                feature_settings::describe(&kernel.catalogue, &request.features, locale);
            features.insert(0, text_and_replies(&request.features, locale));
            return Reply::Message(settings_message(&request.settings, &features, locale));
        }
        ConfigCommand::AdminRole(ConfigAdminRole { role }) => {
            if let Some(problem) = role.as_ref().and_then(|r| unusable_role(r, guild, locale)) {
                return private_text(problem);
            }
            let id = role.map(|r| r.id);
            patch.admin_role_id = Some(id);
            Box::new(move |locale| {
                t!(
                    locale,
                    "config-changed-admin-role",
                    role = mention_role(id, locale)
                )
            })
        }
        ConfigCommand::ModeratorRole(ConfigModeratorRole { role }) => {
            if let Some(problem) = role.as_ref().and_then(|r| unusable_role(r, guild, locale)) {
                return private_text(problem);
            }
            let id = role.map(|r| r.id);
            patch.moderator_role_id = Some(id);
            Box::new(move |locale| {
                t!(
                    locale,
                    "config-changed-moderator-role",
                    role = mention_role(id, locale)
                )
            })
        }
        ConfigCommand::LogChannel(ConfigLogChannel { channel }) => {
            if let Some(channel) = &channel {
                // A log channel the bot cannot write to would lose every entry: try first.
                // Written like every log entry, in the guild's language.
                let test = ReplyMessage::text(t!(
                    Locale::for_guild(&request.settings.locale),
                    "config-log-here",
                    user = request.user_id
                ));
                if let Err(error) = kernel.discord.send_message(channel.id, &test, None).await {
                    return private_text(t!(
                        locale,
                        "config-log-unwritable",
                        channel = channel.id,
                        error = error.to_string()
                    ));
                }
            }
            let id = channel.map(|c| c.id);
            patch.log_channel_id = Some(id);
            Box::new(move |locale| {
                t!(
                    locale,
                    "config-changed-log-channel",
                    channel = mention_channel(id, locale)
                )
            })
        }
        ConfigCommand::AllowChannel(ConfigAllowChannel { channel }) => {
            let id = channel.id;
            let mut allowed = current_allowed_channels(kernel, guild, request).await;
            if allowed.contains(&id) {
                return private_text(t!(locale, "config-already-allowed", channel = id));
            }
            if allowed.len() >= 25 {
                return private_text(t!(locale, "config-too-many-channels"));
            }
            allowed.push(id);
            patch.allowed_channel_ids = Some(allowed);
            Box::new(move |locale| t!(locale, "config-changed-allowed", channel = id))
        }
        ConfigCommand::DisallowChannel(ConfigDisallowChannel { channel }) => {
            let id = channel.id;
            let mut allowed = current_allowed_channels(kernel, guild, request).await;
            if !allowed.contains(&id) {
                return private_text(t!(locale, "config-not-allowed", channel = id));
            }
            allowed.retain(|c| *c != id);
            patch.allowed_channel_ids = Some(allowed);
            Box::new(move |locale| t!(locale, "config-changed-disallowed", channel = id))
        }
        // Read raw by `set_locale` (a modified client may send a language we lack).
        ConfigCommand::Locale(_) => return set_locale(kernel, request, guild).await,
        ConfigCommand::Reset(_) => return reset(kernel, request, guild).await,
        // Answered above, read raw.
        ConfigCommand::Permissions(_)
        | ConfigCommand::Prefix(_)
        | ConfigCommand::TidyReplies(_) => return private_text(t!(locale, "config-not-a-command")),
    };
    apply(kernel, request, guild, patch, change).await
}

/// Stores `patch`, forgets the cached configuration, logs `change` in the guild's log
/// channel and answers with the settings as they are now.
async fn apply(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    patch: GuildSettingsPatch,
    change: Change,
) -> Reply {
    let locale = request.language();
    match kernel.store.update_guild_settings(guild, patch).await {
        Ok(settings) => {
            kernel.forget_guild_config(guild).await;
            log_change(kernel, &settings, request, &change).await;
            let mut features =
                feature_settings::describe(&kernel.catalogue, &request.features, locale);
            features.insert(0, text_and_replies(&request.features, locale));
            let mut message = settings_message(&settings, &features, locale);
            message.content = Some(t!(locale, "config-done", change = change(locale)));
            Reply::Message(message)
        }
        Err(error) => private_text(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        )),
    }
}

/// The allowed channels as stored now: read inside the guild's settings turn (not the
/// dispatcher's earlier snapshot), so two admins' changes are kept apart.
async fn current_allowed_channels(
    kernel: &Kernel,
    guild: Id<GuildMarker>,
    request: &InteractionRequest,
) -> Vec<Id<ChannelMarker>> {
    match kernel.store.guild_settings(guild).await {
        Ok(Some(settings)) => settings.allowed_channel_ids,
        Ok(None) => Vec::new(),
        Err(error) => {
            // The write that follows fails the same way and the admin is told; until
            // then the dispatcher's snapshot is the best there is.
            tracing::warn!(%error, guild = guild.get(), "could not re-read the allowed channels; using the snapshot");
            request.settings.allowed_channel_ids.clone()
        }
    }
}

/// `/config locale`: a language Agora speaks, or "auto"; anything else (a modified client)
/// is answered with the languages there are, and nothing changes.
async fn set_locale(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Reply {
    let asked = request
        .leaf_options()
        .iter()
        .find(|option| option.name == "locale")
        .and_then(|option| match &option.value {
            CommandOptionValue::String(value) => Some(value.clone()),
            _ => None,
        })
        .unwrap_or_default();
    let locale = request.language();
    let value = match GuildLocale::choose(&asked) {
        Ok(value) => value,
        Err(unsupported) => return private_text(unsupported.message(locale)),
    };
    let patch = GuildSettingsPatch {
        locale: Some(value.clone()),
        ..GuildSettingsPatch::default()
    };
    let change: Change =
        Box::new(move |locale| t!(locale, "config-changed-locale", locale = &value));
    apply(kernel, request, guild, patch, change).await
}

/// `/config reset`: the guild's own settings and every feature's (their on/off switches
/// included) back to their defaults, and the answer says exactly what that covered.
async fn reset(kernel: &Kernel, request: &InteractionRequest, guild: Id<GuildMarker>) -> Reply {
    let locale = request.language();
    let guild_row = kernel.store.delete_guild_settings(guild).await;
    let feature_rows = kernel.store.delete_all_feature_settings(guild).await;
    let command_rows = kernel.store.delete_command_roles(guild).await;
    kernel.forget_guild_config(guild).await;
    if let Err(error) = guild_row
        .as_ref()
        .map(|_| ())
        .and(feature_rows.as_ref().map(|_| ()))
        .and(command_rows.as_ref().map(|_| ()))
    {
        return private_text(t!(locale, "config-reset-failed", error = error.to_string()));
    }
    let features: Vec<String> = kernel
        .catalogue
        .features()
        .iter()
        .filter(|feature| feature.can_be_disabled || !feature.settings.is_empty())
        .map(|feature| format!("`{}`", feature.name))
        .collect();
    let features = features.join(", ");
    let change: Change =
        Box::new(move |locale| t!(locale, "config-changed-reset", features = &features));
    log_change(kernel, &request.settings, request, &change).await;
    private_text(t!(locale, "config-reset-done", change = change(locale)))
}

/// `/config tidy-replies [seconds]`: 0 or left out turns it off.
async fn tidy_replies(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
) -> Outcome {
    use crate::kernel::guild_config::{GUILD_NAMESPACE, TIDY_REPLIES_KEY};
    let locale = request.language();
    let seconds = match request.leaf_option("seconds") {
        None => 0,
        Some(CommandOptionValue::Integer(seconds)) => *seconds,
        Some(_) => {
            return Outcome::Refused(t!(locale, "tidy-out-of-range", max = TIDY_MAX_SECONDS))
        }
    };
    if !(0..=TIDY_MAX_SECONDS).contains(&seconds) {
        return Outcome::Refused(t!(locale, "tidy-out-of-range", max = TIDY_MAX_SECONDS));
    }
    let stored = if seconds == 0 {
        kernel
            .store
            .delete_feature_setting(guild, GUILD_NAMESPACE, TIDY_REPLIES_KEY)
            .await
            .map(drop)
    } else {
        kernel
            .store
            .set_feature_setting(guild, GUILD_NAMESPACE, TIDY_REPLIES_KEY, &seconds.into())
            .await
    };
    if let Err(error) = stored {
        return Outcome::Refused(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        ));
    }
    kernel.forget_guild_config(guild).await;
    let change: Change = Box::new(move |locale| {
        if seconds == 0 {
            t!(locale, "tidy-changed-off")
        } else {
            t!(locale, "tidy-changed-on", seconds = seconds)
        }
    });
    Outcome::Changed(change)
}

/// The text commands' prefix and tidy replies, as `/config show` lists them.
fn text_and_replies(
    features: &crate::kernel::guild_config::FeatureValues,
    locale: Locale,
) -> (String, String) {
    let prefix = features.prefix().map_or_else(
        || t!(locale, "config-prefix-default"),
        |prefix| format!("`{prefix}`"),
    );
    let tidy = features.tidy_replies().map_or_else(
        || t!(locale, "config-tidy-off"),
        |after| t!(locale, "config-tidy-after", seconds = after.as_secs()),
    );
    (
        t!(locale, "config-field-text-and-replies"),
        t!(
            locale,
            "config-text-and-replies",
            prefix = prefix,
            tidy = tidy
        ),
    )
}

/// Why a role cannot be a staff role, if it cannot.
fn unusable_role(role: &Role, guild_id: Id<GuildMarker>, locale: Locale) -> Option<String> {
    // The @everyone role has the guild's id.
    if role.id.cast::<GuildMarker>() == guild_id {
        Some(t!(locale, "config-everyone-role"))
    } else if role.managed {
        Some(t!(locale, "config-managed-role", role = role.id))
    } else {
        None
    }
}

/// Writes "who changed what" to the guild's log channel, if it has one, in the guild's
/// language (as `settings` has it: after a `/config locale`, the new one).
async fn log_change(
    kernel: &Kernel,
    settings: &GuildSettings,
    request: &InteractionRequest,
    change: &Change,
) {
    let Some(channel) = settings.log_channel_id else {
        return;
    };
    let locale = Locale::for_guild(&settings.locale);
    let entry = ReplyMessage::text(t!(
        locale,
        "config-log-entry",
        user = request.user_id,
        change = change(locale)
    ));
    if let Err(error) = kernel.discord.send_message(channel, &entry, None).await {
        tracing::warn!(%error, guild = ?request.guild_id, "could not write to the log channel");
    }
}
