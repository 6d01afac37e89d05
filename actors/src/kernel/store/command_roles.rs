//! Command roles: the role a guild requires for a command or a subcommand path
//! (`/config permissions`), one row per (guild, path), on top of the command's own level.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use twilight_model::id::marker::{GuildMarker, RoleMarker};
use twilight_model::id::Id;

use super::ids::{column, id};
use super::schema::command_roles;
use super::{with_connection, Store, StoreError};

impl Store {
    /// Every command role of `guild_id`, as (path, role), sorted by path.
    pub async fn command_roles(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<Vec<(String, Id<RoleMarker>)>, StoreError> {
        let stored = with_connection!(self, connection => {
            command_roles::table
                .filter(command_roles::guild_id.eq(column(guild_id)))
                .select((command_roles::command, command_roles::role_id))
                .load::<(String, i64)>(connection)
                .await
        })?;
        let mut roles = stored
            .into_iter()
            .map(|(command, role)| Ok((command, id("command_roles.role_id", role)?)))
            .collect::<Result<Vec<_>, StoreError>>()?;
        roles.sort_by(|left, right| left.0.cmp(&right.0));
        Ok(roles)
    }

    /// Requires `role` for `command` (a path: `shift drop`) in `guild_id`, replacing the
    /// role it required before.
    pub async fn set_command_role(
        &self,
        guild_id: Id<GuildMarker>,
        command: &str,
        role: Id<RoleMarker>,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let role = column(role);
        with_connection!(self, connection => {
            diesel::insert_into(command_roles::table)
                .values((
                    command_roles::guild_id.eq(column(guild_id)),
                    command_roles::command.eq(command),
                    command_roles::role_id.eq(role),
                    command_roles::updated_at.eq(now),
                ))
                .on_conflict((command_roles::guild_id, command_roles::command))
                .do_update()
                .set((command_roles::role_id.eq(role), command_roles::updated_at.eq(now)))
                .execute(connection)
                .await
        })?;
        Ok(())
    }

    /// Stops requiring a role for `command` in `guild_id`; true if one was required.
    pub async fn clear_command_role(
        &self,
        guild_id: Id<GuildMarker>,
        command: &str,
    ) -> Result<bool, StoreError> {
        let deleted = with_connection!(self, connection => {
            diesel::delete(command_roles::table.find((column(guild_id), command)))
                .execute(connection)
                .await
        })?;
        Ok(deleted > 0)
    }

    /// Forgets every command role of `guild_id` (`/config reset`); how many there were.
    pub async fn delete_command_roles(
        &self,
        guild_id: Id<GuildMarker>,
    ) -> Result<usize, StoreError> {
        with_connection!(self, connection => {
            diesel::delete(command_roles::table.filter(command_roles::guild_id.eq(column(guild_id))))
                .execute(connection)
                .await
        })
    }
}
