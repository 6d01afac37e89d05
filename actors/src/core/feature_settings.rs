//! `/config features list|enable|disable` and `/config <feature> <setting> [value]`: the
//! part of `/config` built from the catalogue, so a new feature's settings need no edit
//! here. Each setting is a subcommand with one typed `value` option (left out: back to
//! the default), checked against the feature's declaration, stored per guild.

use serde_json::Value;
use twilight_interactions::command::ApplicationCommandData;
use twilight_model::application::command::{
    CommandOption, CommandOptionChoice, CommandOptionChoiceValue, CommandOptionType,
    CommandOptionValue as OptionLimit,
};
use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_model::channel::ChannelType;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use crate::dispatcher::InteractionRequest;
use crate::feature::{SettingKind, SettingSpec};
use crate::kernel::catalogue::{Catalogue, FeatureInfo};
use crate::kernel::guild_config::ENABLED_KEY;
use crate::kernel::i18n::Locale;
use crate::kernel::Kernel;
use crate::t;

/// The `/config` group that turns features on and off.
pub const FEATURES_GROUP: &str = "features";

/// The channel kinds a channel setting takes.
const SETTING_CHANNEL_TYPES: [ChannelType; 2] =
    [ChannelType::GuildText, ChannelType::GuildAnnouncement];

fn option(kind: CommandOptionType, name: &str, description: &str) -> CommandOption {
    CommandOption {
        autocomplete: None,
        channel_types: None,
        choices: None,
        description: description.to_owned(),
        description_localizations: None,
        kind,
        max_length: None,
        max_value: None,
        min_length: None,
        min_value: None,
        name: name.to_owned(),
        name_localizations: None,
        options: None,
        file_types: None,
        required: None,
    }
}

fn group(name: &str, description: &str, subcommands: Vec<CommandOption>) -> CommandOption {
    CommandOption {
        options: Some(subcommands),
        ..option(CommandOptionType::SubCommandGroup, name, description)
    }
}

fn subcommand(name: &str, description: &str, options: Vec<CommandOption>) -> CommandOption {
    CommandOption {
        options: Some(options),
        ..option(CommandOptionType::SubCommand, name, description)
    }
}

/// The `value` option of a setting's subcommand.
fn value_option(spec: &SettingSpec) -> CommandOption {
    let description = "The new value; leave out to go back to the default";
    let mut value = match spec.kind {
        SettingKind::Channel => CommandOption {
            channel_types: Some(SETTING_CHANNEL_TYPES.to_vec()),
            ..option(CommandOptionType::Channel, "value", description)
        },
        SettingKind::Category => CommandOption {
            channel_types: Some(vec![ChannelType::GuildCategory]),
            ..option(CommandOptionType::Channel, "value", description)
        },
        SettingKind::Role => option(CommandOptionType::Role, "value", description),
        SettingKind::Boolean => option(CommandOptionType::Boolean, "value", description),
        SettingKind::Integer { min, max, .. } => CommandOption {
            min_value: Some(OptionLimit::Integer(min)),
            max_value: Some(OptionLimit::Integer(max)),
            ..option(CommandOptionType::Integer, "value", description)
        },
        SettingKind::Number { min, max, .. } => CommandOption {
            min_value: Some(OptionLimit::Number(min)),
            max_value: Some(OptionLimit::Number(max)),
            ..option(CommandOptionType::Number, "value", description)
        },
    };
    value.required = Some(false);
    value
}

/// Adds `/config features …` and one group per feature with settings to `/config`'s
/// definition (the catalogue calls this once every feature is in).
pub fn complete_config_command(catalogue: &Catalogue, definition: &mut ApplicationCommandData) {
    let switchable: Vec<CommandOptionChoice> = catalogue
        .features()
        .iter()
        .filter(|feature| feature.can_be_disabled)
        .map(|feature| CommandOptionChoice {
            name: feature.title.to_owned(),
            name_localizations: None,
            value: CommandOptionChoiceValue::String(feature.name.to_owned()),
        })
        .collect();
    let feature_option = |verb: &str| CommandOption {
        required: Some(true),
        choices: Some(switchable.clone()),
        ..option(
            CommandOptionType::String,
            "feature",
            &format!("The feature to turn {verb}"),
        )
    };
    definition.options.push(group(
        FEATURES_GROUP,
        "Turn Agora's features on or off in this server",
        vec![
            subcommand("list", "Which features are on here", Vec::new()),
            subcommand("enable", "Turn a feature on", vec![feature_option("on")]),
            subcommand("disable", "Turn a feature off", vec![feature_option("off")]),
        ],
    ));
    for feature in catalogue.features() {
        if feature.settings.is_empty() {
            continue;
        }
        let subcommands = feature
            .settings
            .iter()
            .map(|spec| subcommand(spec.key, spec.description, vec![value_option(spec)]))
            .collect();
        definition.options.push(group(
            feature.name,
            &format!("{} settings", feature.title),
            subcommands,
        ));
    }
}

/// What changed, in words, in the language asked for: the reader's after "Done:", the
/// guild's in the log channel.
pub type Change = Box<dyn Fn(Locale) -> String>;

/// What a generic `/config` subcommand did: the change in words, or a refusal.
pub enum Outcome {
    Changed(Change),
    Shown(String),
    Refused(String),
}

/// Handles `/config features …` and `/config <feature> …`; `None` when `path` is one of
/// the core's own subcommands.
pub async fn run(
    kernel: &Kernel,
    request: &InteractionRequest,
    path: &[String],
) -> Option<Outcome> {
    let guild = request.guild_id?;
    let group = path.first()?;
    if group == FEATURES_GROUP {
        return Some(features(kernel, request, guild, path.get(1).map(String::as_str)).await);
    }
    let feature = kernel
        .catalogue
        .feature(group)
        .filter(|f| !f.settings.is_empty())?;
    let Some(spec) = path
        .get(1)
        .and_then(|key| feature.settings.iter().find(|spec| spec.key == key))
    else {
        return Some(Outcome::Refused(t!(
            request.language(),
            "config-no-such-setting",
            title = feature.title_in(request.language())
        )));
    };
    Some(set(kernel, request, guild, feature, spec).await)
}

async fn set(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    feature: &FeatureInfo,
    spec: &SettingSpec,
) -> Outcome {
    let locale = request.language();
    let given = request
        .leaf_options()
        .iter()
        .find(|option| option.name == "value");
    let value = match given.map(|option| &option.value) {
        None => None,
        Some(CommandOptionValue::Channel(id)) if spec.kind == SettingKind::Channel => {
            let kind = request.resolved_channel_kind(*id);
            if kind.is_some_and(|kind| !SETTING_CHANNEL_TYPES.contains(&kind)) {
                return Outcome::Refused(t!(locale, "setting-text-channel-only", key = spec.key));
            }
            Some(Value::from(id.get()))
        }
        Some(CommandOptionValue::Channel(id)) if spec.kind == SettingKind::Category => {
            let kind = request.resolved_channel_kind(*id);
            if kind.is_some_and(|kind| kind != ChannelType::GuildCategory) {
                return Outcome::Refused(t!(locale, "setting-category-only", key = spec.key));
            }
            Some(Value::from(id.get()))
        }
        Some(CommandOptionValue::Role(id)) if spec.kind == SettingKind::Role => {
            if id.cast::<GuildMarker>() == guild {
                return Outcome::Refused(t!(locale, "setting-no-everyone"));
            }
            Some(Value::from(id.get()))
        }
        Some(CommandOptionValue::Boolean(flag)) => Some(Value::from(*flag)),
        Some(CommandOptionValue::Integer(n)) => Some(Value::from(*n)),
        Some(CommandOptionValue::Number(n)) => Some(Value::from(*n)),
        Some(_) => return Outcome::Refused(t!(locale, "setting-wrong-value", key = spec.key)),
    };
    let key = spec.key;
    let name = feature.name;
    let stored = match value {
        Some(value) => {
            if let Err(problem) = spec.validate_in(&value, locale) {
                return Outcome::Refused(problem);
            }
            let spec = spec.clone();
            kernel
                .store
                .set_feature_setting(guild, name, key, &value)
                .await
                .map(|()| -> Change {
                    Box::new(move |locale| {
                        t!(
                            locale,
                            "config-changed-setting",
                            feature = name,
                            key = key,
                            value = spec.display_in(&value, locale)
                        )
                    })
                })
        }
        None => {
            let spec = spec.clone();
            kernel
                .store
                .delete_feature_setting(guild, name, key)
                .await
                .map(|_| -> Change {
                    Box::new(move |locale| {
                        t!(
                            locale,
                            "config-changed-setting-default",
                            feature = name,
                            key = key,
                            value = spec.display_in(&spec.default, locale)
                        )
                    })
                })
        }
    };
    match stored {
        Ok(change) => {
            kernel.forget_guild_config(guild).await;
            Outcome::Changed(change)
        }
        Err(error) => Outcome::Refused(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        )),
    }
}

async fn features(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    action: Option<&str>,
) -> Outcome {
    let catalogue = &kernel.catalogue;
    let locale = request.language();
    let current = match kernel.guild_config(guild).await {
        Ok(config) => config.features,
        Err(error) => {
            return Outcome::Refused(t!(
                locale,
                "config-database-down",
                error = error.to_string()
            ))
        }
    };
    if action == Some("list") {
        let lines: Vec<String> = catalogue
            .features()
            .iter()
            .map(|feature| {
                let state = match (feature.can_be_disabled, current.is_on(feature.name)) {
                    (false, _) => t!(locale, "config-feature-on-always"),
                    (true, true) => t!(locale, "config-feature-on"),
                    (true, false) => t!(locale, "config-feature-off"),
                };
                t!(
                    locale,
                    "config-feature-line",
                    feature = feature.name,
                    title = feature.title_in(locale),
                    state = state
                )
            })
            .collect();
        return Outcome::Shown(lines.join("\n"));
    }
    let on = match action {
        Some("enable") => true,
        Some("disable") => false,
        _ => return Outcome::Refused(t!(locale, "config-features-not-a-command")),
    };
    let named = request
        .leaf_options()
        .iter()
        .find(|option| option.name == "feature")
        .and_then(|option| match &option.value {
            CommandOptionValue::String(name) => Some(name.trim().to_lowercase()),
            _ => None,
        })
        .unwrap_or_default();
    let Some(feature) = catalogue.feature(&named) else {
        let names: Vec<&str> = catalogue.features().iter().map(|f| f.name).collect();
        return Outcome::Refused(t!(
            locale,
            "config-no-such-feature",
            feature = named.as_str(),
            running = names.join(", ")
        ));
    };
    if !feature.can_be_disabled {
        return Outcome::Refused(t!(
            locale,
            "config-feature-always-on",
            feature = feature.name
        ));
    }
    if current.is_on(feature.name) == on {
        let title = feature.title_in(locale);
        return Outcome::Refused(if on {
            t!(locale, "config-feature-already-on", title = title)
        } else {
            t!(locale, "config-feature-already-off", title = title)
        });
    }
    let stored = if on {
        kernel
            .store
            .delete_feature_setting(guild, feature.name, ENABLED_KEY)
            .await
            .map(|_| ())
    } else {
        kernel
            .store
            .set_feature_setting(guild, feature.name, ENABLED_KEY, &Value::Bool(false))
            .await
    };
    match stored {
        Ok(()) => {
            kernel.forget_guild_config(guild).await;
            let feature = feature.clone();
            Outcome::Changed(Box::new(move |locale| {
                let (title, name) = (feature.title_in(locale), feature.name);
                if on {
                    t!(
                        locale,
                        "config-changed-feature-on",
                        title = title,
                        feature = name
                    )
                } else {
                    t!(
                        locale,
                        "config-changed-feature-off",
                        title = title,
                        feature = name
                    )
                }
            }))
        }
        Err(error) => Outcome::Refused(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        )),
    }
}

/// Each running feature's settings in this guild, for `/config show`.
pub fn describe(
    catalogue: &Catalogue,
    features: &crate::kernel::guild_config::FeatureValues,
    locale: Locale,
) -> Vec<(String, String)> {
    catalogue
        .features()
        .iter()
        .filter(|feature| !feature.settings.is_empty())
        .map(|feature| {
            let title = if features.is_on(feature.name) {
                feature.title_in(locale)
            } else {
                t!(
                    locale,
                    "config-feature-off-here",
                    title = feature.title_in(locale)
                )
            };
            let lines: Vec<String> = feature
                .settings
                .iter()
                .map(|spec| {
                    let value = features.get(feature.name, spec.key);
                    let shown = spec.display_in(value.unwrap_or(&spec.default), locale);
                    match value {
                        Some(_) => t!(locale, "config-setting-line", key = spec.key, value = shown),
                        None => t!(
                            locale,
                            "config-setting-line-default",
                            key = spec.key,
                            value = shown
                        ),
                    }
                })
                .collect();
            (title, lines.join("\n"))
        })
        .collect()
}
