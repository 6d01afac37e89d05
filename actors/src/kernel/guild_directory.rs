//! The guild directory: what the gateway told us about each guild the bot is in — its
//! owner and its roles' permissions — kept current from GUILD_* events. Interactions carry
//! the member's computed permissions; messages do not, so prefix commands ask here whether
//! the author is an Administrator.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;
use twilight_gateway::{Event, EventTypeFlags};
use twilight_model::guild::{Guild, Permissions};
use twilight_model::id::marker::{GuildMarker, RoleMarker, UserMarker};
use twilight_model::id::Id;

/// The events the directory follows.
pub const EVENTS: EventTypeFlags = EventTypeFlags::GUILD_CREATE
    .union(EventTypeFlags::GUILD_UPDATE)
    .union(EventTypeFlags::GUILD_DELETE)
    .union(EventTypeFlags::ROLE_CREATE)
    .union(EventTypeFlags::ROLE_UPDATE)
    .union(EventTypeFlags::ROLE_DELETE);

#[derive(Debug, Clone, Default)]
struct GuildEntry {
    owner_id: Option<Id<UserMarker>>,
    roles: HashMap<Id<RoleMarker>, Permissions>,
    name: String,
    /// The member count Discord gave with the guild (GUILD_CREATE's, or a REST fetch's
    /// approximate one), as of then.
    member_count: Option<u64>,
}

fn insert(guilds: &mut HashMap<Id<GuildMarker>, GuildEntry>, guild: &Guild) -> bool {
    let entry = GuildEntry {
        owner_id: Some(guild.owner_id),
        roles: guild.roles.iter().map(|r| (r.id, r.permissions)).collect(),
        name: guild.name.clone(),
        member_count: guild.member_count.or(guild.approximate_member_count),
    };
    guilds.insert(guild.id, entry).is_none()
}

/// Every guild the bot is in, shared by whoever needs it.
#[derive(Debug, Clone, Default)]
pub struct GuildDirectory {
    guilds: Arc<RwLock<HashMap<Id<GuildMarker>, GuildEntry>>>,
}

impl GuildDirectory {
    /// Follows one gateway event; returns the guild id when the event made the bot
    /// (newly) available in a guild.
    pub fn apply(&self, event: &Event) -> Option<Id<GuildMarker>> {
        let mut guilds = self.guilds.write();
        match event {
            Event::GuildCreate(create) => {
                if let twilight_model::gateway::payload::incoming::GuildCreate::Available(guild) =
                    create.as_ref()
                {
                    let new = insert(&mut guilds, guild);
                    return new.then_some(guild.id);
                }
            }
            Event::GuildUpdate(update) => {
                let entry = guilds.entry(update.id).or_default();
                entry.owner_id = Some(update.owner_id);
                entry.name.clone_from(&update.name);
            }
            Event::GuildDelete(delete) => {
                guilds.remove(&delete.id);
            }
            Event::RoleCreate(role) => {
                guilds
                    .entry(role.guild_id)
                    .or_default()
                    .roles
                    .insert(role.role.id, role.role.permissions);
            }
            Event::RoleUpdate(role) => {
                guilds
                    .entry(role.guild_id)
                    .or_default()
                    .roles
                    .insert(role.role.id, role.role.permissions);
            }
            Event::RoleDelete(role) => {
                if let Some(entry) = guilds.get_mut(&role.guild_id) {
                    entry.roles.remove(&role.role_id);
                }
            }
            _ => {}
        }
        None
    }

    /// Records a guild fetched over REST (at start, when a cold resume brings no
    /// GUILD_CREATE); true when it was not known yet.
    pub fn record(&self, guild: &Guild) -> bool {
        insert(&mut self.guilds.write(), guild)
    }

    /// The guild's member count as Discord last gave it with the guild; `None` when the
    /// guild is unknown or came without one.
    pub fn member_count(&self, guild_id: Id<GuildMarker>) -> Option<u64> {
        self.guilds.read().get(&guild_id)?.member_count
    }

    /// A member's guild-wide permissions (their roles and @everyone; everything for the
    /// owner and for Administrator); `None` when the guild is unknown.
    pub fn member_permissions(
        &self,
        guild_id: Id<GuildMarker>,
        user_id: Id<UserMarker>,
        role_ids: &[Id<RoleMarker>],
    ) -> Option<Permissions> {
        let guilds = self.guilds.read();
        let guild = guilds.get(&guild_id)?;
        if guild.owner_id == Some(user_id) {
            return Some(Permissions::all());
        }
        let everyone = guild
            .roles
            .get(&guild_id.cast())
            .copied()
            .unwrap_or(Permissions::empty());
        let permissions = role_ids
            .iter()
            .filter_map(|id| guild.roles.get(id))
            .fold(everyone, |all, role| all | *role);
        if permissions.contains(Permissions::ADMINISTRATOR) {
            Some(Permissions::all())
        } else {
            Some(permissions)
        }
    }

    /// The ids of a guild's roles; `None` when the guild is unknown.
    pub fn role_ids(&self, guild_id: Id<GuildMarker>) -> Option<Vec<Id<RoleMarker>>> {
        let guilds = self.guilds.read();
        Some(guilds.get(&guild_id)?.roles.keys().copied().collect())
    }

    /// The guilds the bot is in, with their names.
    pub fn guilds(&self) -> Vec<(Id<GuildMarker>, String)> {
        let mut guilds: Vec<_> = self
            .guilds
            .read()
            .iter()
            .map(|(id, entry)| (*id, entry.name.clone()))
            .collect();
        guilds.sort();
        guilds
    }
}
