//! Interaction callbacks and the interaction webhook (follow-ups, `@original`): the
//! 3-second deadline, one acknowledgement, the callback types each interaction allows,
//! and the messages people see as a result.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::messages::{self, Sender, EPHEMERAL, LOADING};
use super::{Call, Reply};
use crate::error::{ApiError, ApiResult};
use crate::interactions::{
    callback_kind, interaction_kind, CallbackRecord, EditRecord, Interaction,
};
use crate::world::{Event, World};
use crate::SimState;

pub async fn handle(state: &Arc<SimState>, call: &Call) -> ApiResult<Reply> {
    if call.template.starts_with("/interactions/") {
        return callback(state, call);
    }
    let interaction = webhook_interaction(state, call)?;
    let suffix = call
        .template
        .strip_prefix("/webhooks/{webhook_id}/{webhook_token}")
        .unwrap_or("");
    match (call.method.as_str(), suffix) {
        ("POST", "") => followup(state, call, &interaction),
        ("GET", "/messages/@original") => {
            let id = original_id(&interaction)?;
            read_message(state, &interaction, id)
        }
        ("PATCH", "/messages/@original") => {
            let id = original_id(&interaction)?;
            edit(state, call, &interaction, id, "@original")
        }
        ("DELETE", "/messages/@original") => {
            let id = original_id(&interaction)?;
            delete(state, &interaction, id, true)
        }
        ("GET", "/messages/{message_id}") => {
            let id = own_message_id(call, &interaction)?;
            read_message(state, &interaction, id)
        }
        ("PATCH", "/messages/{message_id}") => {
            let id = own_message_id(call, &interaction)?;
            edit(state, call, &interaction, id, &id.to_string())
        }
        ("DELETE", "/messages/{message_id}") => {
            let id = own_message_id(call, &interaction)?;
            delete(state, &interaction, id, false)
        }
        _ => Err(ApiError::method_not_allowed()),
    }
}

fn route_name(call: &Call) -> String {
    format!("{} {}", call.method, call.template)
}

/// The interaction behind `/webhooks/{application_id}/{token}`, if its webhook exists
/// (acknowledged, token not expired).
fn webhook_interaction(state: &SimState, call: &Call) -> ApiResult<Arc<Interaction>> {
    if call.id("webhook_id")? != state.application_id {
        return Err(ApiError::unknown_webhook());
    }
    let interaction = state
        .interactions
        .by_token(call.param("webhook_token"))
        .ok_or_else(ApiError::unknown_webhook)?;
    if interaction.created.elapsed() > state.config.interaction_token_lifetime {
        interaction.record_error(&route_name(call), 50027, "Invalid Webhook Token");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            50027,
            "Invalid Webhook Token",
        ));
    }
    if interaction.state().callback.is_none() {
        interaction.record_error(&route_name(call), 10015, "Unknown Webhook");
        return Err(ApiError::unknown_webhook());
    }
    Ok(interaction)
}

fn original_id(interaction: &Interaction) -> ApiResult<u64> {
    let state = interaction.state();
    if state.original_deleted {
        return Err(ApiError::unknown_message());
    }
    state
        .original_message_id
        .ok_or_else(ApiError::unknown_message)
}

fn own_message_id(call: &Call, interaction: &Interaction) -> ApiResult<u64> {
    let id = call.id("message_id")?;
    let state = interaction.state();
    if state.original_message_id == Some(id) || state.followup_message_ids.contains(&id) {
        Ok(id)
    } else {
        Err(ApiError::unknown_message())
    }
}

fn channel_of_message(world: &World, interaction: &Interaction, message_id: u64) -> u64 {
    if world.message(interaction.channel_id, message_id).is_some() {
        interaction.channel_id
    } else {
        world
            .messages
            .iter()
            .find(|(_, messages)| messages.contains_key(&message_id))
            .map(|(channel, _)| *channel)
            .unwrap_or(interaction.channel_id)
    }
}

fn callback(state: &SimState, call: &Call) -> ApiResult<Reply> {
    let interaction_id = call.id("interaction_id")?;
    let route = route_name(call);
    let interaction = state
        .interactions
        .get(interaction_id)
        .filter(|i| i.token == call.param("interaction_token"))
        .ok_or_else(ApiError::unknown_interaction)?;
    let kind = call.body["type"].as_u64().unwrap_or(0) as u8;
    let data = call.body.get("data").cloned().unwrap_or(Value::Null);
    if !callback_kind::allowed_for(interaction.kind).contains(&kind) {
        let error = ApiError::invalid_field(
            &["type"],
            "INTERACTION_CALLBACK_TYPE_INVALID",
            format!(
                "Callback type {kind} is not valid for an interaction of type {}",
                interaction.kind
            ),
        );
        interaction.record_error(&route, 50035, &error.fields[0].message);
        return Err(error);
    }
    let from_component_message = interaction.source_message_id.is_some();
    if matches!(
        kind,
        callback_kind::DEFERRED_UPDATE_MESSAGE | callback_kind::UPDATE_MESSAGE
    ) && !from_component_message
    {
        let error = ApiError::invalid_field(
            &["type"],
            "INTERACTION_CALLBACK_TYPE_INVALID",
            "This interaction has no message to update",
        );
        interaction.record_error(&route, 50035, &error.fields[0].message);
        return Err(error);
    }
    if kind == callback_kind::MODAL && interaction.kind == interaction_kind::MODAL_SUBMIT {
        return Err(ApiError::invalid_field(
            &["type"],
            "INTERACTION_CALLBACK_TYPE_INVALID",
            "A modal cannot open a modal",
        ));
    }
    let deadline = state.config.interaction_deadline;
    let after_ms = interaction.elapsed_ms();

    // Reserve the acknowledgement and make its message in one step, so two racing
    // callbacks cannot both succeed and a reader never sees a callback without its message.
    let outcome = interaction.update(|record| {
        if record.callback.is_some() {
            return Err(ApiError::already_acknowledged());
        }
        if interaction.created.elapsed() > deadline {
            return Err(ApiError::unknown_interaction());
        }
        let original = apply_callback(state, &interaction, kind, &data, call)?;
        record.callback = Some(CallbackRecord {
            kind,
            data: data.clone(),
            after_ms,
        });
        record.original_message_id = original;
        Ok(original)
    });
    let original = match outcome {
        Ok(original) => original,
        Err(error) => {
            interaction.record_error(&route, error.code, &error.message);
            return Err(error);
        }
    };

    if call.query_flag("with_response") {
        let world = state.world.lock();
        let message = original
            .and_then(|id| world.message(channel_of_message(&world, &interaction, id), id))
            .map(|m| m.to_json(&world));
        let resource_type = match kind {
            callback_kind::CHANNEL_MESSAGE => 4,
            callback_kind::UPDATE_MESSAGE => 7,
            other => other,
        };
        let mut resource = json!({"type": resource_type});
        if let Some(message) = &message {
            resource["message"] = message.clone();
        }
        return Reply::ok(json!({
            "interaction": {
                "id": interaction.id.to_string(),
                "type": interaction.kind,
                "activity_instance_id": null,
                "response_message_id": original.map(|id| id.to_string()),
                "response_message_loading": kind == callback_kind::DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": message.as_ref().is_some_and(|m| m["flags"].as_u64().unwrap_or(0) & EPHEMERAL != 0),
            },
            "resource": resource,
        }));
    }
    Reply::no_content()
}

/// Makes what a callback shows; returns the id of the `@original` message, if any.
fn apply_callback(
    state: &SimState,
    interaction: &Interaction,
    kind: u8,
    data: &Value,
    call: &Call,
) -> ApiResult<Option<u64>> {
    match kind {
        callback_kind::CHANNEL_MESSAGE => {
            create_interaction_message(state, interaction, data, call, false).map(Some)
        }
        callback_kind::DEFERRED_CHANNEL_MESSAGE => {
            create_interaction_message(state, interaction, data, call, true).map(Some)
        }
        callback_kind::DEFERRED_UPDATE_MESSAGE => Ok(interaction.source_message_id),
        callback_kind::UPDATE_MESSAGE => {
            let message_id = interaction
                .source_message_id
                .ok_or_else(ApiError::unknown_message)?;
            state.try_mutate(|world, ids| {
                let channel_id = channel_of_message(world, interaction, message_id);
                let files = messages::attachments_from(ids, data, &call.files)?;
                let (_, event) = world
                    .edit_message(channel_id, message_id, data, Some(files))
                    .ok_or_else(ApiError::unknown_message)?;
                let ephemeral = world
                    .message(channel_id, message_id)
                    .is_some_and(|m| m.flags & EPHEMERAL != 0);
                Ok(((), if ephemeral { Vec::new() } else { vec![event] }))
            })?;
            Ok(Some(message_id))
        }
        _ => Ok(None),
    }
}

fn interaction_sender(state: &SimState, interaction: &Interaction) -> Sender {
    Sender {
        author_id: state.application_id,
        webhook_id: Some(state.application_id),
        application_id: Some(state.application_id),
        interaction: Some((interaction.id, interaction.kind, interaction.user_id)),
        kind: if interaction.kind == interaction_kind::APPLICATION_COMMAND {
            20
        } else {
            0
        },
        may_be_ephemeral: true,
    }
}

/// Creates the response message of a type 4 or 5 callback, or a follow-up.
fn create_interaction_message(
    state: &SimState,
    interaction: &Interaction,
    data: &Value,
    call: &Call,
    deferred: bool,
) -> ApiResult<u64> {
    let sender = interaction_sender(state, interaction);
    state.try_mutate(|world, ids| {
        let channel = world
            .channel(interaction.channel_id)
            .cloned()
            .ok_or_else(ApiError::unknown_channel)?;
        let mut message = if deferred {
            let mut body = json!({"content": ""});
            body["flags"] = json!(data["flags"].as_u64().unwrap_or(0) & EPHEMERAL);
            let mut message =
                messages::build(ids, &channel, sender, &json!({"content": "loading"}), &[])?;
            message.content.clear();
            message.flags = body["flags"].as_u64().unwrap_or(0) | LOADING;
            message
        } else {
            messages::build(ids, &channel, sender, data, &call.files)?
        };
        if message.flags & EPHEMERAL != 0 {
            message.guild_id = channel.guild_id;
        }
        let id = message.id;
        let ephemeral = message.flags & EPHEMERAL != 0;
        let event = world.insert_message(message);
        Ok((id, if ephemeral { Vec::new() } else { vec![event] }))
    })
}

fn followup(state: &SimState, call: &Call, interaction: &Interaction) -> ApiResult<Reply> {
    let record = interaction.state();
    let deferred_original = record
        .callback
        .as_ref()
        .filter(|c| c.kind == callback_kind::DEFERRED_CHANNEL_MESSAGE)
        .and(record.original_message_id)
        .filter(|id| {
            let world = state.world.lock();
            world
                .message(interaction.channel_id, *id)
                .is_some_and(|m| m.flags & LOADING != 0)
        });
    // After a deferral, the first follow-up replaces the loading message, as on Discord.
    let message_id = match deferred_original {
        Some(original) => {
            edit_message(state, interaction, original, &call.body, call)?;
            original
        }
        None => create_interaction_message(state, interaction, &call.body, call, false)?,
    };
    let after_ms = interaction.elapsed_ms();
    interaction.update(|s| {
        s.followup_message_ids.push(message_id);
        if deferred_original.is_some() {
            s.edits.push(EditRecord {
                target: "@original".into(),
                message_id: Some(message_id.to_string()),
                data: call.body.clone(),
                after_ms,
            });
        }
    });
    read_message(state, interaction, message_id)
}

fn read_message(state: &SimState, interaction: &Interaction, message_id: u64) -> ApiResult<Reply> {
    let world = state.world.lock();
    let channel_id = channel_of_message(&world, interaction, message_id);
    let message = world
        .message(channel_id, message_id)
        .ok_or_else(ApiError::unknown_message)?;
    Reply::ok(message.to_json(&world))
}

/// Edits an interaction message; the loading flag goes once it has content.
fn edit_message(
    state: &SimState,
    interaction: &Interaction,
    message_id: u64,
    body: &Value,
    call: &Call,
) -> ApiResult<Value> {
    state.try_mutate(|world, ids| {
        let channel_id = channel_of_message(world, interaction, message_id);
        let message = world
            .message(channel_id, message_id)
            .ok_or_else(ApiError::unknown_message)?;
        if message.author_id != state.application_id {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                50005,
                "Cannot edit a message authored by another user",
            ));
        }
        let was_loading = message.flags & LOADING != 0;
        let mut merged = body.clone();
        if was_loading {
            // Editing a deferred response: the edit becomes the message (flags may not change).
            if merged.get("content").is_none() {
                merged["content"] = json!("");
            }
        }
        let files = messages::attachments_from(ids, body, &call.files)?;
        if was_loading
            && messages::attachments_from(ids, body, &[])?.is_empty()
            && super::limits::empty_message(&merged)
            && files.is_empty()
        {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                50006,
                "Cannot send an empty message",
            ));
        }
        let (json, event) = world
            .edit_message(channel_id, message_id, &merged, Some(files))
            .ok_or_else(ApiError::unknown_message)?;
        let message = world
            .messages
            .get_mut(&channel_id)
            .and_then(|m| m.get_mut(&message_id))
            .ok_or_else(ApiError::unknown_message)?;
        message.flags &= !LOADING;
        let ephemeral = message.flags & EPHEMERAL != 0;
        let mut json = json;
        json["flags"] = json!(message.flags);
        let mut event = event;
        event.data["flags"] = json!(message.flags);
        let events: Vec<Event> = if ephemeral { Vec::new() } else { vec![event] };
        Ok((json, events))
    })
}

fn edit(
    state: &SimState,
    call: &Call,
    interaction: &Interaction,
    message_id: u64,
    target: &str,
) -> ApiResult<Reply> {
    let json = edit_message(state, interaction, message_id, &call.body, call)?;
    let after_ms = interaction.elapsed_ms();
    interaction.update(|s| {
        s.edits.push(EditRecord {
            target: target.to_string(),
            message_id: Some(message_id.to_string()),
            data: call.body.clone(),
            after_ms,
        })
    });
    Reply::ok(json)
}

fn delete(
    state: &SimState,
    interaction: &Interaction,
    message_id: u64,
    original: bool,
) -> ApiResult<Reply> {
    state.try_mutate(|world, _| {
        let channel_id = channel_of_message(world, interaction, message_id);
        let ephemeral = world
            .message(channel_id, message_id)
            .is_some_and(|m| m.flags & EPHEMERAL != 0);
        let event = world
            .delete_message(channel_id, message_id)
            .ok_or_else(ApiError::unknown_message)?;
        Ok(((), if ephemeral { Vec::new() } else { vec![event] }))
    })?;
    if original {
        interaction.update(|s| s.original_deleted = true);
    }
    Reply::no_content()
}
