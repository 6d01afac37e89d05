//! Making a stored message out of a create body and its uploaded files, shared by the
//! channel, webhook and interaction routes.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{limits, UploadedFile};
use crate::error::{ApiError, ApiResult};
use crate::snowflake::SnowflakeGenerator;
use crate::world::{Attachment, Channel, Message};

/// Message flags a create body may set (SUPPRESS_EMBEDS, EPHEMERAL for interactions,
/// SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2).
const SETTABLE_FLAGS: u64 = (1 << 2) | (1 << 6) | (1 << 12) | (1 << 15);
pub const EPHEMERAL: u64 = 1 << 6;
pub const LOADING: u64 = 1 << 7;

/// Who sends a message and on whose behalf.
#[derive(Debug, Clone, Copy)]
pub struct Sender {
    pub author_id: u64,
    pub webhook_id: Option<u64>,
    pub application_id: Option<u64>,
    /// (interaction id, interaction type, user id) for interaction responses.
    pub interaction: Option<(u64, u8, u64)>,
    /// Message type: 0 default, 19 reply, 20 chat input command.
    pub kind: u8,
    /// Whether EPHEMERAL may be set (interaction responses only).
    pub may_be_ephemeral: bool,
}

/// Builds (but does not store) a message from a create body.
pub fn build(
    ids: &SnowflakeGenerator,
    channel: &Channel,
    sender: Sender,
    body: &Value,
    files: &[UploadedFile],
) -> ApiResult<Message> {
    if limits::empty_message(body) && files.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            50006,
            "Cannot send an empty message",
        ));
    }
    let mut flags = body["flags"].as_u64().unwrap_or(0) & SETTABLE_FLAGS;
    if !sender.may_be_ephemeral {
        flags &= !EPHEMERAL;
    }
    let attachments = attachments_from(ids, body, files)?;
    let kind = if body.get("message_reference").is_some_and(|r| !r.is_null()) && sender.kind == 0 {
        19
    } else {
        sender.kind
    };
    Ok(Message {
        id: ids.next(),
        channel_id: channel.id,
        guild_id: channel.guild_id,
        author_id: sender.author_id,
        content: body["content"].as_str().unwrap_or("").to_string(),
        embeds: normalize_embeds(body.get("embeds")),
        components: body["components"].as_array().cloned().unwrap_or_default(),
        attachments,
        edited_at_ms: None,
        history: Vec::new(),
        pinned: false,
        flags,
        kind,
        reactions: Vec::new(),
        webhook_id: sender.webhook_id,
        application_id: sender.application_id,
        interaction: sender.interaction,
        message_reference: body
            .get("message_reference")
            .filter(|r| !r.is_null())
            .map(|r| {
                let mut reference = r.clone();
                if reference.get("channel_id").is_none() {
                    reference["channel_id"] = json!(channel.id.to_string());
                }
                reference
            }),
        tts: body["tts"].as_bool().unwrap_or(false),
    })
}

/// Embeds as Discord stores them: `type: "rich"` unless given.
pub fn normalize_embeds(embeds: Option<&Value>) -> Vec<Value> {
    embeds
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|embed| {
                    let mut embed = embed.clone();
                    if embed.get("type").is_none() {
                        embed["type"] = json!("rich");
                    }
                    embed
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Attachments for the uploaded files, named and described by the body's
/// `attachments` entries whose `id` is the file's index.
pub fn attachments_from(
    ids: &SnowflakeGenerator,
    body: &Value,
    files: &[UploadedFile],
) -> ApiResult<Vec<Attachment>> {
    let described: Vec<&Value> = body["attachments"]
        .as_array()
        .map(|list| list.iter().collect())
        .unwrap_or_default();
    let mut attachments = Vec::new();
    for file in files {
        let meta = described
            .iter()
            .find(|a| super::id_of(&a["id"]) == Some(file.index as u64));
        let filename = meta
            .and_then(|m| m["filename"].as_str())
            .unwrap_or(&file.filename)
            .to_string();
        if filename.is_empty() || filename.len() > 1024 {
            return Err(ApiError::invalid_field(
                &["attachments", &file.index.to_string(), "filename"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 1024 in length.",
            ));
        }
        attachments.push(Attachment {
            id: ids.next(),
            filename,
            content_type: file
                .content_type
                .clone()
                .or_else(|| guess_content_type(&file.filename)),
            description: meta
                .and_then(|m| m["description"].as_str())
                .map(str::to_string),
            data: file.data.clone(),
        });
    }
    // An attachment entry pointing at a file that was not sent is an error on Discord.
    for (position, entry) in described.iter().enumerate() {
        let Some(index) = super::id_of(&entry["id"]) else {
            continue;
        };
        let is_new =
            entry.get("filename").is_some() || files.iter().any(|f| f.index as u64 == index);
        if is_new && !files.iter().any(|f| f.index as u64 == index) && index < 10 {
            return Err(ApiError::invalid_field(
                &["attachments", &position.to_string()],
                "ATTACHMENT_NOT_FOUND",
                "Attachment data not found",
            ));
        }
    }
    Ok(attachments)
}

fn guess_content_type(filename: &str) -> Option<String> {
    let extension = filename.rsplit_once('.')?.1.to_ascii_lowercase();
    let mime = match extension.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" | "log" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "ics" => "text/calendar; charset=utf-8",
        "pdf" => "application/pdf",
        _ => return None,
    };
    Some(mime.to_string())
}
