//! The permission policy: who may run what — bot owners (configuration), guild admins
//! (Administrator or the configured admin role), moderators (the configured moderator
//! role), everyone — decided by us for every command, component and modal, per guild.
//! On top of a command's own level a guild may require a role for it (`/config
//! permissions`): owners and admins pass such a rule always, everyone else needs the role.

use serde::{Deserialize, Serialize};
use twilight_model::id::marker::RoleMarker;
use twilight_model::id::Id;

use crate::kernel::i18n::Locale;
use crate::t;

/// Discord's Administrator permission bit.
pub const ADMINISTRATOR: u64 = 1 << 3;

/// How much a person may do, lowest first; each level includes the ones below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccessLevel {
    Everyone,
    Moderator,
    Admin,
    Owner,
}

impl AccessLevel {
    /// How the level is named to people, in their language.
    pub fn describe_in(self, locale: Locale) -> String {
        match self {
            AccessLevel::Everyone => t!(locale, "access-everyone"),
            AccessLevel::Moderator => t!(locale, "access-moderators"),
            AccessLevel::Admin => t!(locale, "access-admins"),
            AccessLevel::Owner => t!(locale, "access-owners"),
        }
    }

    /// How the level is named to people ("moderators", …) in English; prefer
    /// [`AccessLevel::describe_in`].
    pub fn describe(self) -> &'static str {
        match self {
            AccessLevel::Everyone => "everyone",
            AccessLevel::Moderator => "moderators",
            AccessLevel::Admin => "server admins",
            AccessLevel::Owner => "the bot's owners",
        }
    }
}

/// What Discord tells us about the person acting, in the interaction or message.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: u64,
    pub role_ids: Vec<u64>,
    /// The member's permissions as Discord computed them (0 outside a guild).
    pub permissions: u64,
    pub in_guild: bool,
}

/// The roles a guild configured for admins and moderators.
#[derive(Debug, Clone, Copy, Default)]
pub struct StaffRoles {
    pub admin_role_id: Option<Id<RoleMarker>>,
    pub moderator_role_id: Option<Id<RoleMarker>>,
}

/// The person's level in this guild.
pub fn access_level(owners: &[u64], actor: &Actor, roles: StaffRoles) -> AccessLevel {
    if owners.contains(&actor.user_id) {
        return AccessLevel::Owner;
    }
    if !actor.in_guild {
        return AccessLevel::Everyone;
    }
    let has =
        |role: Option<Id<RoleMarker>>| role.is_some_and(|id| actor.role_ids.contains(&id.get()));
    if actor.permissions & ADMINISTRATOR != 0 || has(roles.admin_role_id) {
        AccessLevel::Admin
    } else if has(roles.moderator_role_id) {
        AccessLevel::Moderator
    } else {
        AccessLevel::Everyone
    }
}

/// The first of a guild's command roles (`rules`, as [`CommandRoles::for_path`] finds
/// them) that someone at `level` holding `role_ids` lacks; `None` when they may go on.
/// The bot's owners and the guild's admins pass every rule, so a role cannot lock the
/// people who set it out; moderators and members need each role that applies.
///
/// [`CommandRoles::for_path`]: crate::kernel::guild_config::CommandRoles::for_path
pub fn missing_command_role(
    level: AccessLevel,
    role_ids: &[u64],
    rules: &[(String, Id<RoleMarker>)],
) -> Option<(String, Id<RoleMarker>)> {
    if level >= AccessLevel::Admin {
        return None;
    }
    rules
        .iter()
        .find(|(_, role)| !role_ids.contains(&role.get()))
        .cloned()
}

/// Why a request was refused, in words for the person.
pub fn refusal(required: AccessLevel, locale: Locale) -> String {
    t!(locale, "refusal", who = required.describe_in(locale))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(user_id: u64, role_ids: &[u64], permissions: u64) -> Actor {
        Actor {
            user_id,
            role_ids: role_ids.to_vec(),
            permissions,
            in_guild: true,
        }
    }

    #[test]
    fn levels_follow_owners_permissions_and_configured_roles() {
        let roles = StaffRoles {
            admin_role_id: Some(Id::new(10)),
            moderator_role_id: Some(Id::new(20)),
        };
        assert_eq!(
            access_level(&[1], &actor(1, &[], 0), roles),
            AccessLevel::Owner
        );
        assert_eq!(
            access_level(&[], &actor(2, &[], ADMINISTRATOR), roles),
            AccessLevel::Admin
        );
        assert_eq!(
            access_level(&[], &actor(2, &[10], 0), roles),
            AccessLevel::Admin
        );
        assert_eq!(
            access_level(&[], &actor(2, &[20], 0), roles),
            AccessLevel::Moderator
        );
        assert_eq!(
            access_level(&[], &actor(2, &[30], 0), roles),
            AccessLevel::Everyone
        );
        // A guild that configured nothing yet: only Administrator counts.
        assert_eq!(
            access_level(&[], &actor(2, &[20], 0), StaffRoles::default()),
            AccessLevel::Everyone
        );
        // Outside a guild nobody is staff.
        let dm = Actor {
            in_guild: false,
            ..actor(2, &[10], ADMINISTRATOR)
        };
        assert_eq!(access_level(&[], &dm, roles), AccessLevel::Everyone);
        assert!(AccessLevel::Admin > AccessLevel::Moderator);
    }

    #[test]
    fn command_roles_bind_everyone_below_admin() {
        let rules = vec![
            ("shift".to_owned(), Id::new(7)),
            ("shift drop".to_owned(), Id::new(8)),
        ];
        assert_eq!(
            missing_command_role(AccessLevel::Everyone, &[7, 8], &rules),
            None
        );
        assert_eq!(
            missing_command_role(AccessLevel::Moderator, &[7], &rules),
            Some(("shift drop".to_owned(), Id::new(8)))
        );
        assert_eq!(
            missing_command_role(AccessLevel::Everyone, &[], &rules),
            Some(("shift".to_owned(), Id::new(7)))
        );
        assert_eq!(missing_command_role(AccessLevel::Admin, &[], &rules), None);
        assert_eq!(missing_command_role(AccessLevel::Owner, &[], &rules), None);
        assert_eq!(missing_command_role(AccessLevel::Everyone, &[], &[]), None);
    }
}
