//! twilight-http 0.18 against the sim's rate-limit headers: a real client must honour them.
//!
//! A tiny axum server answers `POST /api/v10/channels/{id}/messages` through the
//! [`RateLimiter`] with the route tightened to 2 per second, and twilight-http sends 5
//! messages to one channel at once. With the default headers twilight learns the bucket
//! from every response, waits for the reset and never sees a 429; with the docs-literal
//! headers (`X-RateLimit-Scope` only on 429s) it learns only from 429s, so it takes a few
//! but still waits each one out instead of looping.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use agora_sim::error::json_response;
use agora_sim::rest::ratelimit::{
    BucketOverride, RateDecision, RateLimitConfig, RateLimiter, RouteCall,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde_json::json;
use twilight_model::id::Id;

const ROUTE: &str = "POST /channels/{channel_id}/messages";
const MESSAGES: u32 = 5;

struct Server {
    limiter: RateLimiter,
    created: AtomicU32,
    too_many: AtomicU32,
}

async fn create_message(
    State(server): State<Arc<Server>>,
    Path(channel): Path<String>,
) -> Response {
    let params = [("channel_id".to_string(), channel.clone())];
    let call = RouteCall {
        method: "POST",
        template: "/channels/{channel_id}/messages",
        params: &params,
    };
    let headers = match server
        .limiter
        .check(&call, Instant::now(), SystemTime::now())
    {
        RateDecision::Allowed(headers) => headers,
        limited => {
            server.too_many.fetch_add(1, Ordering::SeqCst);
            return limited.into_429_response().expect("a limited decision");
        }
    };
    let id = 1000 + server.created.fetch_add(1, Ordering::SeqCst);
    let message = json!({
        "id": id.to_string(),
        "channel_id": channel,
        "author": {
            "id": "42",
            "username": "sim-bot",
            "discriminator": "0",
            "avatar": null,
            "global_name": null,
            "bot": true
        },
        "content": "hello",
        "timestamp": "2024-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
        "flags": 0
    });
    let mut response = json_response(StatusCode::OK, &message);
    headers.apply(response.headers_mut());
    response
}

/// Serves the limiter, sends 5 messages with twilight at once; returns how many were
/// created, how many 429s the server sent, and how long it took.
async fn send_five(scope_on_success: bool) -> (u32, u32, Duration) {
    let limiter = RateLimiter::new(RateLimitConfig {
        overrides: vec![BucketOverride {
            route: ROUTE.into(),
            limit: 2,
            window: Duration::from_secs(1),
        }],
        ..RateLimitConfig::default()
    });
    limiter.set_scope_on_success(scope_on_success);
    let server = Arc::new(Server {
        limiter,
        created: AtomicU32::new(0),
        too_many: AtomicU32::new(0),
    });
    let app = Router::new()
        .route("/api/v10/channels/{id}/messages", post(create_message))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let serving = tokio::spawn(async move { axum::serve(listener, app).await });

    let client = Arc::new(
        twilight_http::Client::builder()
            .proxy(format!("127.0.0.1:{port}"), true)
            .token("Bot x".into())
            .build(),
    );
    let started = Instant::now();
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..MESSAGES {
        let client = client.clone();
        sends.spawn(async move {
            let content = format!("message {n}");
            let response = client
                .create_message(Id::new(7))
                .content(&content)
                .await
                .expect("twilight request");
            let message = response.model().await.expect("a twilight Message");
            assert_eq!(message.channel_id, Id::new(7));
        });
    }
    tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(done) = sends.join_next().await {
            done.unwrap();
        }
    })
    .await
    .expect("5 messages within 30 s: no 429 loop");
    let elapsed = started.elapsed();
    serving.abort();
    (
        server.created.load(Ordering::SeqCst),
        server.too_many.load(Ordering::SeqCst),
        elapsed,
    )
}

#[tokio::test]
async fn twilight_honours_the_rate_limit_headers() {
    let _ = rustls::crypto::ring::default_provider().install_default();

    let (created, too_many, elapsed) = send_five(true).await;
    println!("default headers: {created} created, {too_many} 429s, {elapsed:?}");
    assert_eq!(created, MESSAGES);
    assert_eq!(too_many, 0, "twilight should never be rate limited");
    // 2 per second: the 5th message waits for the third window.
    assert!(elapsed >= Duration::from_millis(1900), "{elapsed:?}");

    let (created, too_many, elapsed) = send_five(false).await;
    println!("scope only on 429: {created} created, {too_many} 429s, {elapsed:?}");
    assert_eq!(created, MESSAGES);
    assert!(
        too_many <= 3,
        "{too_many} 429s: twilight did not wait them out"
    );
}
