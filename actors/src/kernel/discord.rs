//! Discord I/O: one twilight-http client (pointed at agora-sim in tests and the sandbox)
//! behind the few calls actors make — interaction callbacks, edits and follow-ups,
//! channel messages, command registration — each counted by route and status for
//! `/metrics`, each failure turned into a [`DiscordError`] that says what Discord said.

use std::sync::Arc;
use std::time::{Duration, Instant};

use twilight_http::error::ErrorType;
use twilight_http::response::ResponseFuture;
use twilight_http::Client;
use twilight_model::application::command::Command;
use twilight_model::channel::message::{AllowedMentions, MessageFlags};
use twilight_model::http::interaction::InteractionResponse;
use twilight_model::id::marker::{
    ApplicationMarker, ChannelMarker, GuildMarker, InteractionMarker, MessageMarker,
};
use twilight_model::id::Id;

use super::metrics;
use super::reply::ReplyMessage;

/// Why a call to Discord failed.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// Discord answered with an error status.
    #[error("Discord refused {route} with {status}{}: {message}", code.map(|c| format!(" (code {c})")).unwrap_or_default())]
    Refused {
        route: &'static str,
        status: u16,
        code: Option<u64>,
        message: String,
    },
    /// The request was not sent or its answer was not read.
    #[error("could not complete {route}: {reason}")]
    Unreachable { route: &'static str, reason: String },
}

impl DiscordError {
    /// Discord's JSON error code (10062 "Unknown interaction", 50013 "Missing permissions"…).
    pub fn code(&self) -> Option<u64> {
        match self {
            DiscordError::Refused { code, .. } => *code,
            DiscordError::Unreachable { .. } => None,
        }
    }
}

/// The bot's REST client.
#[derive(Debug, Clone)]
pub struct DiscordRest {
    client: Arc<Client>,
    /// Interaction callbacks, edits and follow-ups, without twilight's rate limiter:
    /// twilight 0.18 queues every route without a channel, guild or webhook in one queue
    /// with one request in flight, which would answer a crowd of clicks one round trip at
    /// a time. Discord exempts these routes from the global limit and gives each
    /// interaction its own bucket; each gets one callback and a few follow-ups.
    interactions: Arc<Client>,
    application_id: Id<ApplicationMarker>,
    /// The routes twilight lacks.
    raw: super::discord_raw::RawRest,
    /// The bot's own user id, asked of Discord once.
    bot_user: Arc<tokio::sync::OnceCell<Id<twilight_model::id::marker::UserMarker>>>,
    /// This process's share of Discord's global limit, requests per second (50 unless
    /// [`DiscordRest::with_global_limit`] set another): bulk work paces itself below it.
    rest_per_second: u16,
}

/// Discord's global REST limit for a bot, requests per second.
pub const DISCORD_GLOBAL_PER_SECOND: u16 = 50;

/// Builds the twilight client; `rest_url` (`http://127.0.0.1:PORT`) points it at another
/// Discord than discord.com.
pub fn http_client(token: &str, rest_url: Option<&str>) -> Client {
    http_client_builder(token, rest_url).build()
}

fn http_client_builder(
    token: &str,
    rest_url: Option<&str>,
) -> twilight_http::client::ClientBuilder {
    let mut builder = Client::builder()
        .token(token.to_owned())
        .timeout(Duration::from_secs(15))
        // Nobody is pinged unless a message asks for it: log entries mention people and
        // roles only to name them.
        .default_allowed_mentions(AllowedMentions::default());
    if let Some(url) = rest_url {
        let use_http = url.starts_with("http://");
        let authority = url
            .trim_start_matches("http://")
            .trim_start_matches("https://")
            .trim_end_matches('/');
        builder = builder.proxy(authority.to_owned(), use_http);
    }
    builder
}

impl DiscordRest {
    /// Connects; asks Discord for the application id when it is not given.
    pub async fn connect(
        token: &str,
        rest_url: Option<&str>,
        application_id: Option<u64>,
    ) -> Result<DiscordRest, DiscordError> {
        let client = Arc::new(http_client(token, rest_url));
        let interactions = Arc::new(
            http_client_builder(token, rest_url)
                .ratelimiter(None)
                .build(),
        );
        let application_id = match application_id.and_then(Id::new_checked) {
            Some(id) => id,
            None => {
                let application =
                    send("GET /applications/@me", client.current_user_application()).await?;
                application
                    .model()
                    .await
                    .map_err(unreadable("GET /applications/@me"))?
                    .id
            }
        };
        Ok(DiscordRest {
            client,
            interactions,
            application_id,
            raw: super::discord_raw::RawRest::new(token, rest_url),
            bot_user: Arc::default(),
            rest_per_second: DISCORD_GLOBAL_PER_SECOND,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// This process's share of Discord's global REST limit, requests per second.
    pub fn rest_per_second(&self) -> u16 {
        self.rest_per_second
    }

    /// The bot's own user id (`GET /users/@me`, asked once per process).
    pub async fn bot_user(
        &self,
    ) -> Result<Id<twilight_model::id::marker::UserMarker>, DiscordError> {
        self.bot_user
            .get_or_try_init(|| async {
                const ROUTE: &str = "GET /users/@me";
                let user = send(ROUTE, self.client.current_user())
                    .await?
                    .model()
                    .await
                    .map_err(unreadable(ROUTE))?;
                Ok(user.id)
            })
            .await
            .copied()
    }

    /// The bot's user id if it was asked already (no request).
    pub fn known_bot_user(&self) -> Option<Id<twilight_model::id::marker::UserMarker>> {
        self.bot_user.get().copied()
    }

    /// The routes twilight-http does not offer (the guild's incident actions).
    pub fn raw(&self) -> &super::discord_raw::RawRest {
        &self.raw
    }

    /// This client with its own global limit: `per_second` requests in any second across
    /// every route but the interaction callbacks (which Discord exempts), so processes that
    /// share a bot token share Discord's 50 per second between them instead of each
    /// spending all of it. Per-route buckets stay per process: a process calls only the
    /// channels and guilds of its own shards.
    pub fn with_global_limit(
        &self,
        token: &str,
        rest_url: Option<&str>,
        per_second: u16,
    ) -> DiscordRest {
        let limiter = twilight_http_ratelimiting::RateLimiter::new(per_second.max(1));
        DiscordRest {
            client: Arc::new(
                http_client_builder(token, rest_url)
                    .ratelimiter(Some(limiter))
                    .build(),
            ),
            interactions: self.interactions.clone(),
            application_id: self.application_id,
            raw: self.raw.clone(),
            bot_user: self.bot_user.clone(),
            rest_per_second: per_second.max(1),
        }
    }

    /// `GET /gateway/bot`: the shard count Discord recommends and the session start
    /// limits.
    pub async fn gateway_bot(
        &self,
    ) -> Result<(u32, crate::identify::SessionStartLimit), DiscordError> {
        const ROUTE: &str = "GET /gateway/bot";
        let info = send(ROUTE, self.client.gateway().authed())
            .await?
            .model()
            .await
            .map_err(unreadable(ROUTE))?;
        let limit = info.session_start_limit;
        Ok((
            info.shards,
            crate::identify::SessionStartLimit {
                max_concurrency: u32::from(limit.max_concurrency),
                remaining: limit.remaining,
                total: limit.total,
                reset_after: Duration::from_millis(limit.reset_after),
            },
        ))
    }

    pub fn application_id(&self) -> Id<ApplicationMarker> {
        self.application_id
    }

    /// The interaction callback (within 3 s of the interaction).
    pub async fn respond(
        &self,
        interaction_id: Id<InteractionMarker>,
        token: &str,
        response: &InteractionResponse,
    ) -> Result<(), DiscordError> {
        let interactions = self.interactions.interaction(self.application_id);
        send(
            "POST /interactions/{id}/{token}/callback",
            interactions.create_response(interaction_id, token, response),
        )
        .await
        .map(drop)
    }

    /// Replaces the original response (after a deferral, or the message a component is on).
    pub async fn edit_original(
        &self,
        token: &str,
        message: &ReplyMessage,
    ) -> Result<(), DiscordError> {
        let interactions = self.interactions.interaction(self.application_id);
        let mut request = interactions
            .update_response(token)
            .content(message.content.as_deref())
            .embeds(Some(&message.embeds))
            .components(Some(&message.components));
        if !message.attachments.is_empty() {
            request = request.attachments(&message.attachments);
        }
        send("PATCH /webhooks/{id}/{token}/messages/@original", request)
            .await
            .map(drop)
    }

    /// Removes the original response (when the answer goes out as a follow-up instead).
    pub async fn delete_original(&self, token: &str) -> Result<(), DiscordError> {
        let interactions = self.interactions.interaction(self.application_id);
        send(
            "DELETE /webhooks/{id}/{token}/messages/@original",
            interactions.delete_response(token),
        )
        .await
        .map(drop)
    }

    /// A further message for the interaction (ephemeral when the reply says so).
    pub async fn follow_up(&self, token: &str, message: &ReplyMessage) -> Result<(), DiscordError> {
        let interactions = self.interactions.interaction(self.application_id);
        let mut request = interactions
            .create_followup(token)
            .embeds(&message.embeds)
            .components(&message.components)
            .attachments(&message.attachments);
        if let Some(content) = message.content.as_deref() {
            request = request.content(content);
        }
        if message.ephemeral {
            request = request.flags(MessageFlags::EPHEMERAL);
        }
        send("POST /webhooks/{id}/{token}", request).await.map(drop)
    }

    /// Posts a message in a channel; `reply_to` makes it a reply.
    pub async fn send_message(
        &self,
        channel_id: Id<ChannelMarker>,
        message: &ReplyMessage,
        reply_to: Option<Id<MessageMarker>>,
    ) -> Result<Id<MessageMarker>, DiscordError> {
        let mut request = self
            .client
            .create_message(channel_id)
            .embeds(&message.embeds)
            .components(&message.components)
            .attachments(&message.attachments);
        if let Some(content) = message.content.as_deref() {
            request = request.content(content);
        }
        if let Some(reply_to) = reply_to {
            request = request.reply(reply_to).fail_if_not_exists(false);
        }
        let route = "POST /channels/{id}/messages";
        let response = send(route, request).await?;
        Ok(response.model().await.map_err(unreadable(route))?.id)
    }

    /// Replaces a message the bot posted.
    pub async fn edit_message(
        &self,
        channel_id: Id<ChannelMarker>,
        message_id: Id<MessageMarker>,
        message: &ReplyMessage,
    ) -> Result<(), DiscordError> {
        let request = self
            .client
            .update_message(channel_id, message_id)
            .content(message.content.as_deref())
            .embeds(Some(&message.embeds))
            .components(Some(&message.components));
        send("PATCH /channels/{id}/messages/{id}", request)
            .await
            .map(drop)
    }

    /// Sends a person a direct message (Discord refuses with 50007 when they do not accept
    /// them).
    pub async fn send_dm(
        &self,
        user_id: Id<twilight_model::id::marker::UserMarker>,
        message: &ReplyMessage,
    ) -> Result<Id<MessageMarker>, DiscordError> {
        let route = "POST /users/@me/channels";
        let channel = send(route, self.client.create_private_channel(user_id))
            .await?
            .model()
            .await
            .map_err(unreadable(route))?;
        self.send_message(channel.id, message, None).await
    }

    /// Posts a message that pings the given roles (every other message pings nobody).
    pub async fn send_message_pinging_roles(
        &self,
        channel_id: Id<ChannelMarker>,
        message: &ReplyMessage,
        roles: &[Id<twilight_model::id::marker::RoleMarker>],
    ) -> Result<Id<MessageMarker>, DiscordError> {
        let mentions = AllowedMentions {
            roles: roles.to_vec(),
            ..AllowedMentions::default()
        };
        let mut request = self
            .client
            .create_message(channel_id)
            .allowed_mentions(Some(&mentions))
            .embeds(&message.embeds)
            .components(&message.components);
        if let Some(content) = message.content.as_deref() {
            request = request.content(content);
        }
        let route = "POST /channels/{id}/messages";
        let response = send(route, request).await?;
        Ok(response.model().await.map_err(unreadable(route))?.id)
    }

    /// Bulk-overwrites the slash commands, globally or in one guild; returns how many
    /// Discord now has.
    pub async fn register_commands(
        &self,
        guild_id: Option<Id<GuildMarker>>,
        commands: &[Command],
    ) -> Result<usize, DiscordError> {
        let interactions = self.client.interaction(self.application_id);
        let registered = match guild_id {
            Some(guild_id) => {
                let route = "PUT /applications/{id}/guilds/{id}/commands";
                let response = send(route, interactions.set_guild_commands(guild_id, commands));
                response.await?.models().await.map_err(unreadable(route))?
            }
            None => {
                let route = "PUT /applications/{id}/commands";
                let response = send(route, interactions.set_global_commands(commands));
                response.await?.models().await.map_err(unreadable(route))?
            }
        };
        Ok(registered.len())
    }
}

/// [`send`], then the answer's body read as one model.
pub async fn send_for_model<T: serde::de::DeserializeOwned + Unpin>(
    route: &'static str,
    request: impl std::future::IntoFuture<
        Output = Result<twilight_http::Response<T>, twilight_http::Error>,
        IntoFuture = ResponseFuture<T>,
    >,
) -> Result<T, DiscordError> {
    send(route, request)
        .await?
        .model()
        .await
        .map_err(unreadable(route))
}

/// [`send`], then the answer's body read as a list of models.
pub async fn send_for_list<T: serde::de::DeserializeOwned + Unpin>(
    route: &'static str,
    request: impl std::future::IntoFuture<
        Output = Result<
            twilight_http::Response<twilight_http::response::marker::ListBody<T>>,
            twilight_http::Error,
        >,
        IntoFuture = ResponseFuture<twilight_http::response::marker::ListBody<T>>,
    >,
) -> Result<Vec<T>, DiscordError> {
    send(route, request)
        .await?
        .models()
        .await
        .map_err(unreadable(route))
}

/// Sends one request, recording its route, status and duration.
pub async fn send<T: Unpin>(
    route: &'static str,
    request: impl std::future::IntoFuture<
        Output = Result<twilight_http::Response<T>, twilight_http::Error>,
        IntoFuture = ResponseFuture<T>,
    >,
) -> Result<twilight_http::Response<T>, DiscordError> {
    let started = Instant::now();
    let outcome = request.into_future().await;
    let elapsed = started.elapsed();
    match outcome {
        Ok(response) => {
            metrics::rest_call(route, response.status().get(), elapsed);
            Ok(response)
        }
        Err(error) => {
            let refused = match error.kind() {
                ErrorType::Response { body, status, .. } => {
                    let parsed: serde_json::Value =
                        serde_json::from_slice(body).unwrap_or_default();
                    Some(DiscordError::Refused {
                        route,
                        status: status.get(),
                        code: parsed["code"].as_u64(),
                        message: parsed["message"]
                            .as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned()),
                    })
                }
                _ => None,
            };
            let failure = refused.unwrap_or_else(|| DiscordError::Unreachable {
                route,
                reason: error.to_string(),
            });
            let status = match &failure {
                DiscordError::Refused { status, .. } => *status,
                DiscordError::Unreachable { .. } => 0,
            };
            metrics::rest_call(route, status, elapsed);
            Err(failure)
        }
    }
}

fn unreadable(
    route: &'static str,
) -> impl Fn(twilight_http::response::DeserializeBodyError) -> DiscordError {
    move |error| DiscordError::Unreachable {
        route,
        reason: format!("the answer could not be read: {error}"),
    }
}
