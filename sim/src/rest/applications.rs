//! Application command routes, global and per guild: list, get, create (upsert by
//! name), edit, delete and bulk overwrite — with Discord's 100-command limit per scope.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::world::{Command, World};
use crate::SimState;

const MAX_COMMANDS_PER_SCOPE: usize = 100;

pub fn handle(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    if call.id("application_id")? != state.application_id {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            20012,
            "You are not authorized to perform this action on this application",
        ));
    }
    let guild_id = match call.params.get("guild_id") {
        Some(_) => {
            let guild_id = call.id("guild_id")?;
            let world = state.world.lock();
            let guild = world.guild(guild_id).ok_or_else(ApiError::unknown_guild)?;
            if !guild.members.contains_key(&world.bot_user_id) {
                return Err(ApiError::missing_access());
            }
            Some(guild_id)
        }
        None => None,
    };
    let scope = call
        .template
        .strip_prefix("/applications/{application_id}")
        .unwrap_or("")
        .trim_start_matches("/guilds/{guild_id}");
    match (call.method.as_str(), scope) {
        ("GET", "/commands") => {
            let world = state.world.lock();
            let list: Vec<Value> = world
                .commands
                .iter()
                .filter(|c| c.guild_id == guild_id)
                .map(|c| c.body.clone())
                .collect();
            Reply::ok(Value::Array(list))
        }
        ("PUT", "/commands") => bulk_overwrite(state, call, guild_id),
        ("POST", "/commands") => upsert(state, call, guild_id),
        ("GET", "/commands/{command_id}") => {
            let id = call.id("command_id")?;
            let world = state.world.lock();
            let command = world
                .commands
                .iter()
                .find(|c| c.id == id && c.guild_id == guild_id)
                .ok_or_else(ApiError::unknown_command)?;
            Reply::ok(command.body.clone())
        }
        ("PATCH", "/commands/{command_id}") => edit(state, call, guild_id),
        ("DELETE", "/commands/{command_id}") => {
            let id = call.id("command_id")?;
            let mut world = state.world.lock();
            let before = world.commands.len();
            world
                .commands
                .retain(|c| !(c.id == id && c.guild_id == guild_id));
            if world.commands.len() == before {
                return Err(ApiError::unknown_command());
            }
            Reply::no_content()
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// The stored form of a command: what the bot sent plus the fields Discord adds.
fn stored_body(world: &World, id: u64, version: u64, guild_id: Option<u64>, body: &Value) -> Value {
    let mut stored = body.clone();
    stored["id"] = json!(id.to_string());
    stored["application_id"] = json!(world.application_id.to_string());
    stored["version"] = json!(version.to_string());
    if stored.get("type").is_none() {
        stored["type"] = json!(1);
    }
    if stored.get("description").is_none() {
        stored["description"] = json!("");
    }
    if stored.get("default_member_permissions").is_none() {
        stored["default_member_permissions"] = Value::Null;
    }
    if stored.get("nsfw").is_none() {
        stored["nsfw"] = json!(false);
    }
    match guild_id {
        Some(guild_id) => stored["guild_id"] = json!(guild_id.to_string()),
        None => {
            if stored.get("contexts").is_none() {
                stored["contexts"] = Value::Null;
            }
            if stored.get("integration_types").is_none() {
                stored["integration_types"] = json!([0]);
            }
        }
    }
    stored
}

fn same_command(a: &Value, b: &Value) -> bool {
    a["name"] == b["name"] && a["type"].as_u64().unwrap_or(1) == b["type"].as_u64().unwrap_or(1)
}

fn bulk_overwrite(state: &SimState, call: &Call, guild_id: Option<u64>) -> ApiResult<Reply> {
    let list = call.body.as_array().cloned().unwrap_or_default();
    if list.len() > MAX_COMMANDS_PER_SCOPE {
        return Err(ApiError::max_guild_commands());
    }
    let mut world = state.world.lock();
    let version = state.ids.next();
    let mut kept: Vec<Command> = Vec::new();
    for body in &list {
        // A command with the same name and type keeps its id, as on Discord.
        let id = world
            .commands
            .iter()
            .find(|c| c.guild_id == guild_id && same_command(&c.body, body))
            .map(|c| c.id)
            .unwrap_or_else(|| state.ids.next());
        kept.push(Command {
            id,
            guild_id,
            body: stored_body(&world, id, version, guild_id, body),
        });
    }
    world.commands.retain(|c| c.guild_id != guild_id);
    let answer: Vec<Value> = kept.iter().map(|c| c.body.clone()).collect();
    world.commands.extend(kept);
    Reply::ok(Value::Array(answer))
}

fn upsert(state: &SimState, call: &Call, guild_id: Option<u64>) -> ApiResult<Reply> {
    let mut world = state.world.lock();
    let existing = world
        .commands
        .iter()
        .position(|c| c.guild_id == guild_id && same_command(&c.body, &call.body));
    let version = state.ids.next();
    match existing {
        Some(index) => {
            let id = world.commands[index].id;
            let body = stored_body(&world, id, version, guild_id, &call.body);
            world.commands[index].body = body.clone();
            Reply::ok(body)
        }
        None => {
            if world
                .commands
                .iter()
                .filter(|c| c.guild_id == guild_id)
                .count()
                >= MAX_COMMANDS_PER_SCOPE
            {
                return Err(ApiError::max_guild_commands());
            }
            let id = state.ids.next();
            let body = stored_body(&world, id, version, guild_id, &call.body);
            world.commands.push(Command {
                id,
                guild_id,
                body: body.clone(),
            });
            Reply::created(body)
        }
    }
}

fn edit(state: &SimState, call: &Call, guild_id: Option<u64>) -> ApiResult<Reply> {
    let id = call.id("command_id")?;
    let mut world = state.world.lock();
    let index = world
        .commands
        .iter()
        .position(|c| c.id == id && c.guild_id == guild_id)
        .ok_or_else(ApiError::unknown_command)?;
    let mut merged = world.commands[index].body.clone();
    if let (Some(target), Some(changes)) = (merged.as_object_mut(), call.body.as_object()) {
        for (key, value) in changes {
            target.insert(key.clone(), value.clone());
        }
    }
    let version = state.ids.next();
    let body = stored_body(&world, id, version, guild_id, &merged);
    world.commands[index].body = body.clone();
    Reply::ok(body)
}
