//! `/config permissions set|clear|show`: the role a guild requires for a command or a
//! subcommand path (`shift drop`, `tickets`), on top of the command's own level — never
//! instead of it. Bot owners and the guild's admins pass every such rule; moderators and
//! members need the role (see [`crate::kernel::policy::missing_command_role`]).

use twilight_model::application::interaction::application_command::CommandOptionValue;
use twilight_model::id::marker::{GuildMarker, RoleMarker};
use twilight_model::id::Id;

use super::feature_settings::{Change, Outcome};
use crate::dispatcher::InteractionRequest;
use crate::kernel::i18n::Locale;
use crate::kernel::policy::AccessLevel;
use crate::kernel::reply::clip;
use crate::kernel::Kernel;
use crate::t;

/// The `/config` group.
pub const GROUP: &str = "permissions";

/// A command path as stored and shown: lowercase words, one space between them, no `/`.
pub fn normalise(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('/')
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `/config permissions <subcommand>` for an admin.
pub async fn run(kernel: &Kernel, request: &InteractionRequest, subcommand: &str) -> Outcome {
    let locale = request.language();
    let Some(guild) = request.guild_id else {
        return Outcome::Refused(t!(locale, "config-guild-only"));
    };
    match subcommand {
        "show" => Outcome::Shown(show(request, locale)),
        "set" | "clear" => {
            let raw = match request.leaf_option("command") {
                Some(CommandOptionValue::String(raw)) => raw.clone(),
                _ => String::new(),
            };
            let path = normalise(&raw);
            let words: Vec<&str> = path.split(' ').filter(|w| !w.is_empty()).collect();
            let known = words
                .split_first()
                .is_some_and(|(name, rest)| kernel.catalogue.knows_path(name, rest));
            if !known {
                return Outcome::Refused(t!(
                    locale,
                    "permissions-unknown-command",
                    command = clip(raw.trim(), 60)
                ));
            }
            if subcommand == "set" {
                set(kernel, request, guild, path.clone(), &words).await
            } else {
                clear(kernel, request, guild, path).await
            }
        }
        _ => Outcome::Refused(t!(locale, "config-not-a-command")),
    }
}

fn show(request: &InteractionRequest, locale: Locale) -> String {
    if request.command_roles.is_empty() {
        return t!(locale, "permissions-none");
    }
    let lines: Vec<String> = request
        .command_roles
        .rules()
        .map(|(path, role)| {
            t!(
                locale,
                "permissions-line",
                command = path,
                role = role.get()
            )
        })
        .collect();
    format!("{}\n{}", t!(locale, "permissions-title"), lines.join("\n"))
}

async fn set(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    path: String,
    words: &[&str],
) -> Outcome {
    let locale = request.language();
    let role = match request.leaf_option("role") {
        Some(CommandOptionValue::Role(role)) => *role,
        _ => return Outcome::Refused(t!(locale, "permissions-unknown-role")),
    };
    if let Some(problem) = unusable(kernel, request, guild, role, locale) {
        return Outcome::Refused(problem);
    }
    // A role adds a requirement for those below admin; on a command only admins (or the
    // bot's owners) may run it would change nothing, so it is not taken.
    let own_level = words.split_first().and_then(|(name, rest)| {
        kernel
            .catalogue
            .command(name)
            .map(|entry| entry.access_for(rest))
    });
    if let Some(level) = own_level.filter(|level| *level >= AccessLevel::Admin) {
        return Outcome::Refused(t!(
            locale,
            "permissions-admins-anyway",
            command = path.as_str(),
            who = level.describe_in(locale)
        ));
    }
    if let Err(error) = kernel.store.set_command_role(guild, &path, role).await {
        return Outcome::Refused(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        ));
    }
    kernel.forget_guild_config(guild).await;
    let change: Change = Box::new(move |locale| {
        t!(
            locale,
            "permissions-changed-set",
            command = path.as_str(),
            role = role.get()
        )
    });
    Outcome::Changed(change)
}

async fn clear(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    path: String,
) -> Outcome {
    let locale = request.language();
    match kernel.store.clear_command_role(guild, &path).await {
        Ok(true) => {
            kernel.forget_guild_config(guild).await;
            let change: Change = Box::new(move |locale| {
                t!(locale, "permissions-changed-clear", command = path.as_str())
            });
            Outcome::Changed(change)
        }
        Ok(false) => Outcome::Refused(t!(locale, "permissions-not-set", command = path.as_str())),
        Err(error) => Outcome::Refused(t!(
            locale,
            "config-database-refused",
            error = error.to_string()
        )),
    }
}

/// Why `role` cannot be required, if it cannot: not a role of this guild (as the guild
/// directory, else Discord's resolved data, knows it), @everyone, or an integration's.
fn unusable(
    kernel: &Kernel,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    role: Id<RoleMarker>,
    locale: Locale,
) -> Option<String> {
    if role.cast::<GuildMarker>() == guild {
        return Some(t!(locale, "permissions-everyone-role"));
    }
    let resolved = request.resolved_role(role);
    let in_guild = match kernel.guilds.role_ids(guild) {
        Some(roles) => roles.contains(&role),
        None => resolved.is_some(),
    };
    if !in_guild {
        return Some(t!(locale, "permissions-unknown-role"));
    }
    if resolved.is_some_and(|role| role.managed) {
        return Some(t!(locale, "config-managed-role", role = role.get()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::normalise;

    #[test]
    fn paths_are_stored_as_people_type_them_tidied() {
        assert_eq!(normalise("/Shift   Drop "), "shift drop");
        assert_eq!(normalise("tickets"), "tickets");
        assert_eq!(normalise("   "), "");
    }
}
