//! User and application routes: the bot's own user and application, other users, the
//! bot's guilds, and opening DMs.

use std::sync::Arc;

use serde_json::{json, Value};

use super::{id_of, Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::SimState;

pub fn handle(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    match (call.method.as_str(), call.template.as_str()) {
        ("GET", "/users/@me") => {
            let world = state.world.lock();
            let mut me = world
                .users
                .get(&world.bot_user_id)
                .map(|u| u.to_json())
                .ok_or_else(ApiError::unknown_user)?;
            me["mfa_enabled"] = json!(false);
            me["verified"] = json!(true);
            me["locale"] = json!("en-US");
            me["email"] = Value::Null;
            Reply::ok(me)
        }
        ("GET", "/users/{user_id}") => {
            let world = state.world.lock();
            let user = world
                .users
                .get(&call.id("user_id")?)
                .ok_or_else(ApiError::unknown_user)?;
            Reply::ok(user.to_json())
        }
        ("GET", "/users/@me/guilds") => {
            // Discord pages the list: at most `limit` (1–200, default 200) guilds in id
            // order, after (or before) a guild id.
            let limit = call.query_u64("limit")?.unwrap_or(200);
            if !(1..=200).contains(&limit) {
                return Err(ApiError::invalid_field(
                    &["limit"],
                    "NUMBER_TYPE_MAX",
                    "int value should be less than or equal to 200.",
                ));
            }
            let after = call.query_u64("after")?.unwrap_or(0);
            let before = call.query_u64("before")?.unwrap_or(u64::MAX);
            let world = state.world.lock();
            let mut members: Vec<_> = world
                .guilds
                .values()
                .filter(|g| g.members.contains_key(&world.bot_user_id))
                .filter(|g| g.id > after && g.id < before)
                .collect();
            members.sort_by_key(|g| g.id);
            let guilds: Vec<Value> = members
                .into_iter()
                .take(limit as usize)
                .map(|g| {
                    let permissions = crate::permissions::guild_permissions(g, world.bot_user_id);
                    json!({
                        "id": g.id.to_string(),
                        "name": g.name,
                        "icon": null,
                        "banner": null,
                        "owner": g.owner_id == world.bot_user_id,
                        "permissions": permissions.to_string(),
                        "features": [],
                    })
                })
                .collect();
            Reply::ok(Value::Array(guilds))
        }
        ("POST", "/users/@me/channels") => {
            let recipient = id_of(&call.body["recipient_id"]).ok_or_else(|| {
                ApiError::invalid_field(
                    &["recipient_id"],
                    "BASE_TYPE_REQUIRED",
                    "This field is required",
                )
            })?;
            state
                .try_mutate(|world, ids| {
                    if !world.users.contains_key(&recipient) || recipient == world.bot_user_id {
                        return Err(ApiError::new(
                            axum::http::StatusCode::BAD_REQUEST,
                            50033,
                            "Invalid Recipient(s)",
                        ));
                    }
                    let channel_id = world.dm_channel_for(recipient, || ids.next());
                    let channel = world
                        .channel(channel_id)
                        .ok_or_else(ApiError::unknown_channel)?;
                    Ok((channel.to_json(world), Vec::new()))
                })
                .and_then(Reply::ok)
        }
        ("GET", "/oauth2/applications/@me") | ("GET", "/applications/@me") => {
            let world = state.world.lock();
            let bot = world.users.get(&world.bot_user_id).map(|u| u.to_json());
            let owner = world
                .guilds
                .values()
                .next()
                .and_then(|g| world.users.get(&g.owner_id))
                .map(|u| u.to_json())
                .or(bot.clone());
            Reply::ok(json!({
                "id": world.application_id.to_string(),
                "name": "Agora",
                "icon": null,
                "description": "",
                "summary": "",
                "type": null,
                "bot": bot,
                "bot_public": true,
                "bot_require_code_grant": false,
                "verify_key": "0000000000000000000000000000000000000000000000000000000000000000",
                "flags": (1 << 12) | (1 << 14) | (1 << 18),
                "owner": owner,
                "team": null,
                "hook": true,
                "integration_types_config": {"0": {}},
                "approximate_guild_count": world.guilds.len(),
                "redirect_uris": [],
                "interactions_endpoint_url": null,
                "tags": [],
            }))
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}
