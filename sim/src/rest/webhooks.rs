//! Channel webhooks that are not an interaction's: executing one posts a message into
//! its channel as the webhook (`POST /webhooks/{id}/{token}`, `?wait`, `?thread_id`).

use std::sync::Arc;

use serde_json::json;

use super::messages::{self, Sender};
use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::world::Webhook;
use crate::SimState;

/// Whether `/webhooks/{webhook_id}/…` names a channel webhook (not the application).
pub fn is_channel_webhook(state: &SimState, call: &Call) -> bool {
    call.id("webhook_id")
        .is_ok_and(|id| id != state.application_id && state.world.lock().webhooks.contains_key(&id))
}

pub fn handle(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    let webhook = webhook(state, call)?;
    let suffix = call
        .template
        .strip_prefix("/webhooks/{webhook_id}/{webhook_token}")
        .unwrap_or("");
    match (call.method.as_str(), suffix) {
        ("POST", "") => execute(state, call, &webhook),
        ("GET", "") => Reply::ok(json!({
            "id": webhook.id.to_string(),
            "type": 1,
            "guild_id": webhook.guild_id.map(|g| g.to_string()),
            "channel_id": webhook.channel_id.to_string(),
            "name": webhook.name,
            "avatar": null,
            "token": webhook.token,
            "application_id": null,
        })),
        _ => Err(ApiError::method_not_allowed()),
    }
}

/// The webhook named by the path, if its token is right (10015 otherwise).
fn webhook(state: &SimState, call: &Call) -> ApiResult<Webhook> {
    let id = call
        .id("webhook_id")
        .map_err(|_| ApiError::unknown_webhook())?;
    state
        .world
        .lock()
        .webhooks
        .get(&id)
        .filter(|w| w.token == call.param("webhook_token"))
        .cloned()
        .ok_or_else(ApiError::unknown_webhook)
}

fn execute(state: &SimState, call: &Call, webhook: &Webhook) -> ApiResult<Reply> {
    let wait = call.query_flag("wait");
    let thread_id = call.query_u64("thread_id")?;
    let json = state.try_mutate(|world, ids| {
        let channel_id = thread_id.unwrap_or(webhook.channel_id);
        let channel = world
            .channel(channel_id)
            .filter(|c| thread_id.is_none() || c.parent_id == Some(webhook.channel_id))
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        let sender = Sender {
            author_id: webhook.id,
            webhook_id: Some(webhook.id),
            application_id: None,
            interaction: None,
            kind: 0,
            may_be_ephemeral: false,
        };
        let message = messages::build(ids, &channel, sender, &call.body, &call.files)?;
        if let Some(username) = call.body["username"].as_str() {
            world.webhook_names.insert(message.id, username.to_string());
        }
        let json = message.to_json(world);
        let event = world.insert_message(message);
        Ok((json, vec![event]))
    })?;
    if wait {
        Reply::ok(json)
    } else {
        Reply::no_content()
    }
}
