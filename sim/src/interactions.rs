//! Interactions the sim's people start, and everything the bot answers to them: the
//! callback (within the deadline, once), the original response, follow-ups and edits.
//! Tests and scripts read a [`InteractionRecord`] and can wait for what they expect.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::Notify;

/// Interaction types (Discord's numbering).
pub mod interaction_kind {
    pub const PING: u8 = 1;
    pub const APPLICATION_COMMAND: u8 = 2;
    pub const MESSAGE_COMPONENT: u8 = 3;
    pub const AUTOCOMPLETE: u8 = 4;
    pub const MODAL_SUBMIT: u8 = 5;
}

/// Interaction callback types (Discord's numbering).
pub mod callback_kind {
    pub const PONG: u8 = 1;
    pub const CHANNEL_MESSAGE: u8 = 4;
    pub const DEFERRED_CHANNEL_MESSAGE: u8 = 5;
    pub const DEFERRED_UPDATE_MESSAGE: u8 = 6;
    pub const UPDATE_MESSAGE: u8 = 7;
    pub const AUTOCOMPLETE_RESULT: u8 = 8;
    pub const MODAL: u8 = 9;

    /// Which callback types Discord accepts for an interaction type.
    pub fn allowed_for(interaction_kind: u8) -> &'static [u8] {
        use super::interaction_kind as k;
        match interaction_kind {
            k::PING => &[PONG],
            k::APPLICATION_COMMAND => &[CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL],
            k::MESSAGE_COMPONENT => &[
                CHANNEL_MESSAGE,
                DEFERRED_CHANNEL_MESSAGE,
                DEFERRED_UPDATE_MESSAGE,
                UPDATE_MESSAGE,
                MODAL,
            ],
            k::AUTOCOMPLETE => &[AUTOCOMPLETE_RESULT],
            k::MODAL_SUBMIT => &[
                CHANNEL_MESSAGE,
                DEFERRED_CHANNEL_MESSAGE,
                DEFERRED_UPDATE_MESSAGE,
                UPDATE_MESSAGE,
            ],
            _ => &[],
        }
    }
}

/// One interaction and what happened to it.
#[derive(Debug)]
pub struct Interaction {
    pub id: u64,
    pub token: String,
    pub kind: u8,
    pub guild_id: Option<u64>,
    pub channel_id: u64,
    pub user_id: u64,
    /// The message a component was clicked on (or a modal opened from).
    pub source_message_id: Option<u64>,
    /// The INTERACTION_CREATE payload the bot was sent.
    pub payload: Value,
    pub created: Instant,
    pub created_unix_ms: u64,
    state: Mutex<InteractionState>,
    changed: Notify,
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct InteractionState {
    pub callback: Option<CallbackRecord>,
    /// The message the callback made or targets (`@original`).
    pub original_message_id: Option<u64>,
    pub followup_message_ids: Vec<u64>,
    pub edits: Vec<EditRecord>,
    pub original_deleted: bool,
    /// Calls the sim refused (late, twice, …), newest last.
    pub errors: Vec<ErrorRecord>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CallbackRecord {
    #[serde(rename = "type")]
    pub kind: u8,
    pub data: Value,
    /// Milliseconds from the interaction's dispatch to the callback.
    pub after_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EditRecord {
    /// `@original` or a follow-up's id.
    pub target: String,
    pub message_id: Option<String>,
    pub data: Value,
    pub after_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorRecord {
    pub route: String,
    pub code: u32,
    pub message: String,
    pub after_ms: f64,
}

/// What a waiter waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WaitFor {
    /// Any callback (including a deferral).
    #[default]
    Callback,
    /// A callback that is not a bare deferral, or a deferral followed by an edit or a
    /// follow-up: what the person finally sees.
    Answer,
    /// At least one follow-up message.
    Followup,
    /// At least one edit.
    Edit,
}

impl Interaction {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: u64,
        token: String,
        kind: u8,
        guild_id: Option<u64>,
        channel_id: u64,
        user_id: u64,
        source_message_id: Option<u64>,
        payload: Value,
    ) -> Self {
        Self {
            id,
            token,
            kind,
            guild_id,
            channel_id,
            user_id,
            source_message_id,
            payload,
            created: Instant::now(),
            created_unix_ms: crate::snowflake::now_unix_ms(),
            state: Mutex::new(InteractionState::default()),
            changed: Notify::new(),
        }
    }

    pub fn elapsed_ms(&self) -> f64 {
        self.created.elapsed().as_secs_f64() * 1000.0
    }

    pub fn state(&self) -> InteractionState {
        self.state.lock().clone()
    }

    /// Changes the state and wakes every waiter.
    pub fn update<T>(&self, change: impl FnOnce(&mut InteractionState) -> T) -> T {
        let result = change(&mut self.state.lock());
        self.changed.notify_waiters();
        result
    }

    pub fn record_error(&self, route: &str, code: u32, message: &str) {
        let after_ms = self.elapsed_ms();
        self.update(|s| {
            s.errors.push(ErrorRecord {
                route: route.to_string(),
                code,
                message: message.to_string(),
                after_ms,
            })
        });
    }

    fn satisfied(&self, until: WaitFor) -> bool {
        let state = self.state.lock();
        match until {
            WaitFor::Callback => state.callback.is_some(),
            WaitFor::Followup => !state.followup_message_ids.is_empty(),
            WaitFor::Edit => !state.edits.is_empty(),
            WaitFor::Answer => match &state.callback {
                None => false,
                Some(callback)
                    if callback.kind == callback_kind::DEFERRED_CHANNEL_MESSAGE
                        || callback.kind == callback_kind::DEFERRED_UPDATE_MESSAGE =>
                {
                    !state.edits.is_empty() || !state.followup_message_ids.is_empty()
                }
                Some(_) => true,
            },
        }
    }

    /// Waits until `until` holds or the timeout passes; true when it holds.
    pub async fn wait(&self, until: WaitFor, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = self.changed.notified();
            if self.satisfied(until) {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return self.satisfied(until);
            }
        }
    }
}

/// Every interaction of the sim, by id and by token.
#[derive(Debug, Default)]
pub struct InteractionRegistry {
    by_id: Mutex<HashMap<u64, Arc<Interaction>>>,
    by_token: Mutex<HashMap<String, Arc<Interaction>>>,
}

impl InteractionRegistry {
    pub fn insert(&self, interaction: Interaction) -> Arc<Interaction> {
        let interaction = Arc::new(interaction);
        self.by_id
            .lock()
            .insert(interaction.id, interaction.clone());
        self.by_token
            .lock()
            .insert(interaction.token.clone(), interaction.clone());
        interaction
    }

    pub fn get(&self, id: u64) -> Option<Arc<Interaction>> {
        self.by_id.lock().get(&id).cloned()
    }

    pub fn by_token(&self, token: &str) -> Option<Arc<Interaction>> {
        self.by_token.lock().get(token).cloned()
    }

    /// The latest modal (callback type 9) with this custom_id shown to this user.
    pub fn open_modal(&self, user_id: u64, custom_id: &str) -> Option<(Arc<Interaction>, Value)> {
        self.by_id
            .lock()
            .values()
            .filter(|i| i.user_id == user_id)
            .filter_map(|i| {
                let state = i.state.lock();
                let callback = state.callback.as_ref()?;
                (callback.kind == callback_kind::MODAL
                    && callback.data["custom_id"].as_str() == Some(custom_id))
                .then(|| (i.clone(), callback.data.clone()))
            })
            .max_by_key(|(i, _)| i.id)
    }
}
