//! Reading what a person sees: an answer's or a message's text, whether only they see
//! it, its buttons' custom_ids and its message id. Plain functions over the sim's JSON.

use agora_sim::actions::InteractionRecord;
use serde_json::Value;

/// What the person reads: the message content and every embed's title, description and
/// fields, one per line.
pub fn content(record: &InteractionRecord) -> String {
    message_text(shown(record))
}

/// The message the person ends up seeing: after a public deferral that the bot replaced
/// with a private follow-up (the original deleted), or after a button's deferred update
/// (type 6: the clicked message stays as it was) answered by a follow-up, that follow-up.
fn shown(record: &InteractionRecord) -> &Value {
    const DEFERRED_UPDATE_MESSAGE: u8 = 6;
    let deferred_update = record
        .callback
        .as_ref()
        .is_some_and(|callback| callback.kind == DEFERRED_UPDATE_MESSAGE);
    match record.followups.last() {
        Some(followup) if record.original_deleted || deferred_update => followup,
        _ => &record.payload,
    }
}

/// A message's content and its embeds' titles, descriptions and fields, one per line.
pub fn message_text(message: &Value) -> String {
    let mut text = message["content"].as_str().unwrap_or_default().to_owned();
    for embed in message["embeds"].as_array().into_iter().flatten() {
        for key in ["title", "description"] {
            if let Some(part) = embed[key].as_str() {
                text.push('\n');
                text.push_str(part);
            }
        }
        for field in embed["fields"].as_array().into_iter().flatten() {
            text.push_str(&format!(
                "\n{}: {}",
                field["name"].as_str().unwrap_or_default(),
                field["value"].as_str().unwrap_or_default()
            ));
        }
    }
    text
}

/// Whether only the person who acted sees the answer.
pub fn is_private(record: &InteractionRecord) -> bool {
    shown(record)["flags"].as_u64().unwrap_or(0) & 64 != 0
}

/// Every custom_id in a message's components, in order.
pub fn custom_ids(message: &Value) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        if let Some(id) = value["custom_id"].as_str() {
            out.push(id.to_owned());
        }
        for child in value["components"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let mut ids = Vec::new();
    for component in message["components"].as_array().into_iter().flatten() {
        walk(component, &mut ids);
    }
    ids
}

/// The answer's message id (the original response), for clicking its components.
///
/// # Panics
///
/// When the answer is not a message (a modal, a bare deferral).
pub fn message_id(record: &InteractionRecord) -> u64 {
    record
        .original
        .as_ref()
        .and_then(|m| m["id"].as_str())
        .and_then(|id| id.parse().ok())
        .or_else(|| record.payload["id"].as_str().and_then(|id| id.parse().ok()))
        .expect("the answer is a message")
}
