//! Guild audit logs: the entries moderation leaves (the bot's over REST, people's in the
//! client), the GUILD_AUDIT_LOG_ENTRY_CREATE they cause, and their JSON as Discord sends it.

use serde_json::{json, Value};

use crate::permissions;
use crate::snowflake::SnowflakeGenerator;
use crate::world::{intents, Event, World};

/// Audit log event types (`action_type`) the sim records.
pub mod action {
    pub const CHANNEL_DELETE: u16 = 12;
    pub const MEMBER_KICK: u16 = 20;
    pub const MEMBER_BAN_ADD: u16 = 22;
    pub const MEMBER_UPDATE: u16 = 24;
    pub const MEMBER_ROLE_UPDATE: u16 = 25;
    pub const ROLE_DELETE: u16 = 32;
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: u64,
    /// Who did it (a person or the bot).
    pub user_id: u64,
    pub target_id: Option<u64>,
    pub action_type: u16,
    pub reason: Option<String>,
    /// `{key, old_value?, new_value?}` objects.
    pub changes: Vec<Value>,
}

impl AuditEntry {
    /// The entry as the audit log REST route returns it (no `guild_id`).
    pub fn to_json(&self) -> Value {
        let mut entry = json!({
            "id": self.id.to_string(),
            "user_id": self.user_id.to_string(),
            "target_id": self.target_id.map(|id| id.to_string()),
            "action_type": self.action_type,
        });
        if !self.changes.is_empty() {
            entry["changes"] = Value::Array(self.changes.clone());
        }
        if let Some(reason) = &self.reason {
            entry["reason"] = json!(reason);
        }
        entry
    }
}

/// A change `{key, old_value, new_value}`, leaving out a side that is null.
pub fn change(key: &str, old: Value, new: Value) -> Value {
    let mut change = json!({ "key": key });
    if !old.is_null() {
        change["old_value"] = old;
    }
    if !new.is_null() {
        change["new_value"] = new;
    }
    change
}

impl World {
    /// Records an audit log entry and returns its GUILD_AUDIT_LOG_ENTRY_CREATE, which
    /// Discord sends only to bots with VIEW_AUDIT_LOG in the guild.
    #[allow(clippy::too_many_arguments)]
    pub fn record_audit(
        &mut self,
        ids: &SnowflakeGenerator,
        guild_id: u64,
        user_id: u64,
        action_type: u16,
        target_id: Option<u64>,
        reason: Option<String>,
        changes: Vec<Value>,
    ) -> Option<Event> {
        let bot = self.bot_user_id;
        let guild = self.guilds.get_mut(&guild_id)?;
        let entry = AuditEntry {
            id: ids.next(),
            user_id,
            target_id,
            action_type,
            reason,
            changes,
        };
        let mut data = entry.to_json();
        data["guild_id"] = json!(guild_id.to_string());
        guild.audit_log.push(entry);
        let may_view = permissions::guild_permissions(guild, bot) & permissions::VIEW_AUDIT_LOG;
        (may_view != 0).then(|| {
            Event::new(
                "GUILD_AUDIT_LOG_ENTRY_CREATE",
                data,
                Some(guild_id),
                intents::GUILD_MODERATION,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_leave_out_what_they_do_not_have() {
        let entry = AuditEntry {
            id: 3,
            user_id: 1,
            target_id: Some(2),
            action_type: action::MEMBER_KICK,
            reason: None,
            changes: Vec::new(),
        };
        assert_eq!(
            entry.to_json(),
            json!({"id": "3", "user_id": "1", "target_id": "2", "action_type": 20})
        );
        assert_eq!(
            change("nick", Value::Null, json!("x")),
            json!({"key": "nick", "new_value": "x"})
        );
    }
}
