//! Discord routes twilight-http 0.18 does not offer (the guild's incident actions: pausing
//! invites and DMs), sent on the same hyper/rustls stack with the bot's token. They are
//! rare admin calls, outside twilight's rate limiter; Discord's answer is read the same
//! way as twilight's ([`DiscordError`]).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use twilight_model::id::marker::GuildMarker;
use twilight_model::id::Id;

use super::discord::DiscordError;

/// Where and as whom the routes are sent. The token never reaches `Debug` or a log.
#[derive(Clone)]
pub struct RawRest {
    inner: Arc<(String, String)>,
}

impl std::fmt::Debug for RawRest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRest")
            .field("base", &self.inner.1)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl RawRest {
    /// `rest_url` as twilight's proxy takes it (`http://127.0.0.1:PORT`), else discord.com.
    pub fn new(token: &str, rest_url: Option<&str>) -> RawRest {
        let base = rest_url
            .map(|url| url.trim_end_matches('/').to_owned())
            .unwrap_or_else(|| "https://discord.com".to_owned());
        let token = token.trim_start_matches("Bot ").to_owned();
        RawRest {
            inner: Arc::new((token, base)),
        }
    }

    /// `PUT /guilds/{guild}/incident-actions`: invites (and DMs) paused until then, or
    /// resumed with `None`. Discord takes at most 24 hours ahead.
    pub async fn incident_actions(
        &self,
        guild: Id<GuildMarker>,
        invites_disabled_until: Option<DateTime<Utc>>,
        dms_disabled_until: Option<DateTime<Utc>>,
    ) -> Result<(), DiscordError> {
        const ROUTE: &str = "PUT /guilds/{guild.id}/incident-actions";
        let stamp = |at: Option<DateTime<Utc>>| {
            at.map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        let body = serde_json::json!({
            "invites_disabled_until": stamp(invites_disabled_until),
            "dms_disabled_until": stamp(dms_disabled_until),
        });
        let path = format!("/api/v10/guilds/{guild}/incident-actions");
        self.send(ROUTE, hyper::Method::PUT, &path, body.to_string())
            .await
            .map(drop)
    }

    async fn send(
        &self,
        route: &'static str,
        method: hyper::Method,
        path: &str,
        body: String,
    ) -> Result<Bytes, DiscordError> {
        use hyper_rustls::ConfigBuilderExt;
        let unreachable = |reason: String| DiscordError::Unreachable { route, reason };
        let (token, base) = self.inner.as_ref();
        let tls = rustls::ClientConfig::builder()
            .try_with_platform_verifier()
            .map_err(|error| unreachable(error.to_string()))?
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("{base}{path}"))
            .header(hyper::header::AUTHORIZATION, format!("Bot {token}"))
            .header(hyper::header::CONTENT_TYPE, "application/json")
            .header(
                hyper::header::USER_AGENT,
                "DiscordBot (https://github.com/agora, 0.1)",
            )
            .body(Full::new(Bytes::from(body)))
            .map_err(|error| unreachable(error.to_string()))?;
        let exchange = async {
            let response = client
                .request(request)
                .await
                .map_err(|error| unreachable(error.to_string()))?;
            let status = response.status().as_u16();
            let bytes = response
                .into_body()
                .collect()
                .await
                .map_err(|error| unreachable(error.to_string()))?
                .to_bytes();
            if (200..300).contains(&status) {
                return Ok(bytes);
            }
            let error: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
            Err(DiscordError::Refused {
                route,
                status,
                code: error["code"].as_u64(),
                message: error["message"].as_str().unwrap_or_default().to_owned(),
            })
        };
        tokio::time::timeout(Duration::from_secs(15), exchange)
            .await
            .map_err(|_| unreachable("no answer within 15 s".to_owned()))?
    }
}
