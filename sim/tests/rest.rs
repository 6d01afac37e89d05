//! REST v10 end to end against the demo sim, with a raw HTTP client: auth, JSON shape,
//! messages (create, edit, list, delete, bulk, files), documented limits, permissions,
//! DMs, members, roles, channels, reactions, pins, application commands and rate limits.

mod common;

use agora_sim::actions::CommandRun;
use agora_sim::{DemoWorld, Sim, SimConfig};
use common::{Answer, Rest, ALL_INTENTS};
use serde_json::{json, Value};

const VIEW_CHANNEL: u64 = 1 << 10;
const SEND_MESSAGES: u64 = 1 << 11;

/// A demo sim, a bot REST client and the demo's ids.
struct Ctx {
    sim: Sim,
    rest: Rest,
    demo: DemoWorld,
}

/// The demo with rate limits off (headers are still sent), so functional tests can
/// send more than Discord's 5 messages per 5 s in a channel.
async fn setup() -> Ctx {
    let mut config = SimConfig::demo();
    config.rate_limits.enabled = false;
    with_sim(common::sim_with(config).await)
}

/// The demo exactly as `agora-sim serve` starts it, rate limits on.
async fn setup_limited() -> Ctx {
    with_sim(common::demo_sim().await)
}

fn with_sim(sim: Sim) -> Ctx {
    let rest = Rest::new(&sim);
    let demo = sim.demo().expect("the demo scenario has ids");
    Ctx { sim, rest, demo }
}

impl Ctx {
    async fn call(&self, method: &str, path: impl AsRef<str>, body: Option<Value>) -> Answer {
        self.rest.call(method, path.as_ref(), body).await
    }

    /// Posts `content` in a channel as the bot and returns the message id.
    async fn post(&self, channel: u64, content: &str) -> u64 {
        let answer = self
            .call(
                "POST",
                &format!("/channels/{channel}/messages"),
                Some(json!({ "content": content })),
            )
            .await;
        assert_eq!(answer.status, 200, "message create: {:?}", answer.body);
        id(&answer.body["id"])
    }

    fn guild(&self) -> u64 {
        self.demo.guild_id
    }

    fn app(&self) -> u64 {
        self.sim.application_id()
    }
}

fn id(value: &Value) -> u64 {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("expected a snowflake string, got {value}"))
}

fn ids(list: &Value) -> Vec<u64> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected an array, got {list}"))
        .iter()
        .map(|m| id(&m["id"]))
        .collect()
}

/// Asserts a Discord error: HTTP status and JSON `code`.
#[track_caller]
fn assert_error(answer: &Answer, status: u16, code: u64) {
    assert_eq!(answer.status, status, "status of {:?}", answer.body);
    assert_eq!(answer.body["code"], code, "code of {:?}", answer.body);
    assert!(
        answer.body["message"].is_string(),
        "an error has a message: {:?}",
        answer.body
    );
}

fn content_type(answer: &Answer) -> &str {
    answer
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A gateway session that sees every event of the demo guild, to check that failed
/// mutations dispatch nothing.
struct Watch {
    _gateway: common::RawGateway,
}

impl Watch {
    async fn start(sim: &Sim) -> Self {
        let (mut gateway, _) = common::RawGateway::ready(sim, ALL_INTENTS).await;
        gateway.expect_dispatch("GUILD_CREATE").await;
        Watch { _gateway: gateway }
    }

    /// Dispatches sent so far to every session.
    fn dispatched(sim: &Sim) -> u64 {
        sim.gateway().sessions().iter().map(|s| s.last_seq()).sum()
    }
}

/// Checks a 400 Invalid Form Body naming one of `paths`; returns a description of the
/// problem if it is not (so one test can report every limit that is not enforced).
fn form_error(label: &str, answer: &Answer, paths: &[&[&str]]) -> Option<String> {
    if answer.status != 400 || answer.body["code"] != 50035 {
        return Some(format!(
            "{label}: expected 400/50035, got {} {}",
            answer.status, answer.body
        ));
    }
    if paths.iter().any(|path| answer.field_error(path).is_some()) {
        None
    } else {
        Some(format!(
            "{label}: no field error at {paths:?} in {}",
            answer.body
        ))
    }
}

#[track_caller]
fn assert_no_problems(problems: Vec<Option<String>>) {
    let problems: Vec<String> = problems.into_iter().flatten().collect();
    assert!(
        problems.is_empty(),
        "limits not enforced as Discord does:\n{}",
        problems.join("\n")
    );
}

// ---- auth, shape, meta routes ---------------------------------------------------------

#[tokio::test]
async fn bot_routes_need_the_bot_token() {
    let ctx = setup().await;
    let none = ctx
        .rest
        .call_with_token("GET", "/users/@me", None, None)
        .await;
    assert_error(&none, 401, 0);
    assert_eq!(content_type(&none), "application/json");
    let wrong = ctx
        .rest
        .call_with_token("GET", "/users/@me", None, Some("not-the-token"))
        .await;
    assert_error(&wrong, 401, 0);
    // The token without the `Bot ` prefix is refused too.
    let bare = ctx
        .rest
        .client
        .get(format!("{}/users/@me", ctx.rest.base))
        .header("Authorization", ctx.sim.token())
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status(), 401);
    // A message create without a token creates nothing.
    let general = ctx.demo.general_id;
    let denied = ctx
        .rest
        .call_with_token(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "hi"})),
            None,
        )
        .await;
    assert_error(&denied, 401, 0);
    assert!(ctx.sim.channel_messages(general).is_empty());
    let ok = ctx.call("GET", "/users/@me", None).await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn interaction_callbacks_and_webhooks_need_no_token() {
    let ctx = setup().await;
    let registered = common::register_guild_commands(
        &ctx.sim,
        &ctx.rest,
        json!([{"name": "ping", "description": "Ping"}]),
    )
    .await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let interaction_id = ctx
        .sim
        .run_command(CommandRun {
            guild_id: Some(ctx.guild()),
            channel_id: ctx.demo.general_id,
            user_id: ctx.demo.member_ids[0],
            name: "ping".into(),
            options: vec![],
            unchecked: false,
        })
        .expect("pat may run /ping");
    let token = ctx
        .sim
        .state()
        .interactions
        .get(interaction_id)
        .expect("registered")
        .token
        .clone();
    let callback = ctx
        .rest
        .call_with_token(
            "POST",
            &format!("/interactions/{interaction_id}/{token}/callback"),
            Some(json!({"type": 4, "data": {"content": "pong"}})),
            None,
        )
        .await;
    assert_eq!(callback.status, 204, "{:?}", callback.body);
    let original = ctx
        .rest
        .call_with_token(
            "GET",
            &format!("/webhooks/{}/{token}/messages/@original", ctx.app()),
            None,
            None,
        )
        .await;
    assert_eq!(original.status, 200, "{:?}", original.body);
    assert_eq!(original.body["content"], "pong");
    assert_eq!(content_type(&original), "application/json");
}

#[tokio::test]
async fn json_answers_are_exactly_application_json() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let answers = [
        ctx.call("GET", "/users/@me", None).await,
        ctx.call("GET", &format!("/channels/{general}"), None).await,
        ctx.call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "x"})),
        )
        .await,
        ctx.call("GET", "/channels/1/messages", None).await,
        ctx.call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "x".repeat(2001)})),
        )
        .await,
        ctx.call("GET", "/no/such/route", None).await,
    ];
    for answer in &answers {
        assert_eq!(
            content_type(answer),
            "application/json",
            "{} {:?}",
            answer.status,
            answer.body
        );
    }
}

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let ctx = setup().await;
    let answer = ctx.call("GET", "/definitely/not/a/route", None).await;
    assert_error(&answer, 404, 0);
    assert_eq!(answer.body["message"], "404: Not Found");
    let wrong_version = ctx
        .rest
        .client
        .get(format!("{}/api/v9/users/@me", ctx.sim.http_url()))
        .header("Authorization", format!("Bot {}", ctx.sim.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_version.status(), 404);
}

#[tokio::test]
async fn gateway_bot_me_and_application() {
    let ctx = setup().await;
    let gateway = ctx.call("GET", "/gateway/bot", None).await;
    assert_eq!(gateway.status, 200);
    assert_eq!(gateway.body["url"], ctx.sim.gateway_url());
    assert_eq!(gateway.body["shards"], 1);
    assert_eq!(gateway.body["session_start_limit"]["max_concurrency"], 1);
    assert!(gateway.body["session_start_limit"]["remaining"]
        .as_u64()
        .is_some_and(|r| r > 0));

    let me = ctx.call("GET", "/users/@me", None).await;
    assert_eq!(me.status, 200);
    assert_eq!(id(&me.body["id"]), ctx.sim.bot_user_id());
    assert_eq!(me.body["bot"], true);
    assert_eq!(me.body["username"], "Agora");

    let app = ctx.call("GET", "/oauth2/applications/@me", None).await;
    assert_eq!(app.status, 200);
    assert_eq!(id(&app.body["id"]), ctx.app());
    assert_eq!(id(&app.body["bot"]["id"]), ctx.sim.bot_user_id());
    assert_eq!(app.body["bot"]["bot"], true);
}

// ---- messages -------------------------------------------------------------------------

#[tokio::test]
async fn message_create_edit_get_delete() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let body = json!({
        "content": "Shift swap board is open",
        "embeds": [{"title": "Shifts", "description": "Pick one", "color": 5814783, "fields": [{"name": "Mon", "value": "9-5", "inline": true}]}],
        "components": [{"type": 1, "components": [
            {"type": 2, "style": 1, "label": "Take", "custom_id": "take:1"},
            {"type": 2, "style": 5, "label": "Docs", "url": "https://example.com/docs"}
        ]}]
    });
    let created = ctx
        .call("POST", &format!("/channels/{general}/messages"), Some(body))
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let message = &created.body;
    let message_id = id(&message["id"]);
    assert_eq!(id(&message["channel_id"]), general);
    assert_eq!(id(&message["author"]["id"]), ctx.sim.bot_user_id());
    assert_eq!(message["author"]["bot"], true);
    assert_eq!(message["content"], "Shift swap board is open");
    assert_eq!(message["type"], 0);
    assert!(message["edited_timestamp"].is_null());
    let timestamp = message["timestamp"].as_str().expect("timestamp");
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "ISO8601 timestamp: {timestamp}"
    );
    assert_eq!(message["embeds"][0]["title"], "Shifts");
    assert_eq!(message["embeds"][0]["type"], "rich");
    assert_eq!(message["embeds"][0]["fields"][0]["value"], "9-5");
    assert_eq!(
        message["components"][0]["components"][0]["custom_id"],
        "take:1"
    );
    assert_eq!(
        message["components"][0]["components"][1]["url"],
        "https://example.com/docs"
    );

    // People see it in the channel.
    let seen = ctx.sim.channel_messages(general);
    assert_eq!(seen.len(), 1);
    assert_eq!(id(&seen[0]["id"]), message_id);
    assert_eq!(seen[0]["content"], "Shift swap board is open");

    let edited = ctx
        .call(
            "PATCH",
            &format!("/channels/{general}/messages/{message_id}"),
            Some(json!({"content": "Board closed"})),
        )
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.body["content"], "Board closed");
    assert!(
        edited.body["edited_timestamp"].is_string(),
        "edited_timestamp set: {:?}",
        edited.body
    );
    // Fields the edit did not name are kept.
    assert_eq!(edited.body["embeds"][0]["title"], "Shifts");

    let fetched = ctx
        .call(
            "GET",
            &format!("/channels/{general}/messages/{message_id}"),
            None,
        )
        .await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["content"], "Board closed");
    assert_eq!(
        fetched.body["edited_timestamp"],
        edited.body["edited_timestamp"]
    );
    assert_eq!(
        ctx.sim.channel_messages(general)[0]["content"],
        "Board closed"
    );

    // A reply names the message it answers; a reply to nothing is refused.
    let reply = ctx
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "re", "message_reference": {"message_id": message_id.to_string()}})),
        )
        .await;
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["type"], 19);
    assert_eq!(
        id(&reply.body["message_reference"]["message_id"]),
        message_id
    );
    let dangling = ctx
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(
                json!({"content": "re", "message_reference": {"message_id": "123456789012345678"}}),
            ),
        )
        .await;
    assert_error(&dangling, 400, 50035);
    assert!(
        dangling.field_error(&["message_reference"]).is_some(),
        "{:?}",
        dangling.body
    );

    // Someone else's message: the bot may delete it (Manage Messages) but not edit it.
    let pats = ctx
        .sim
        .send_message(general, ctx.demo.member_ids[0], "mine")
        .unwrap();
    let foreign_edit = ctx
        .call(
            "PATCH",
            &format!("/channels/{general}/messages/{pats}"),
            Some(json!({"content": "yours"})),
        )
        .await;
    assert_error(&foreign_edit, 403, 50005);
    assert_eq!(
        ctx.call(
            "DELETE",
            &format!("/channels/{general}/messages/{pats}"),
            None
        )
        .await
        .status,
        204
    );
    let reply_id = id(&reply.body["id"]);
    assert_eq!(
        ctx.call(
            "DELETE",
            &format!("/channels/{general}/messages/{reply_id}"),
            None
        )
        .await
        .status,
        204
    );

    let deleted = ctx
        .call(
            "DELETE",
            &format!("/channels/{general}/messages/{message_id}"),
            None,
        )
        .await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.body.is_null());
    let gone = ctx
        .call(
            "GET",
            &format!("/channels/{general}/messages/{message_id}"),
            None,
        )
        .await;
    assert_error(&gone, 404, 10008);
    assert!(ctx.sim.channel_messages(general).is_empty());
    let again = ctx
        .call(
            "DELETE",
            &format!("/channels/{general}/messages/{message_id}"),
            None,
        )
        .await;
    assert_error(&again, 404, 10008);
}

#[tokio::test]
async fn unknown_channel_and_message() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let watch = Watch::start(&ctx.sim).await;
    let before = Watch::dispatched(&ctx.sim);
    let channel = ctx
        .call(
            "POST",
            "/channels/123456789012345678/messages",
            Some(json!({"content": "hi"})),
        )
        .await;
    assert_error(&channel, 404, 10003);
    let get_channel = ctx.call("GET", "/channels/123456789012345678", None).await;
    assert_error(&get_channel, 404, 10003);
    let message = ctx
        .call(
            "GET",
            &format!("/channels/{general}/messages/123456789012345678"),
            None,
        )
        .await;
    assert_error(&message, 404, 10008);
    let edit = ctx
        .call(
            "PATCH",
            &format!("/channels/{general}/messages/123456789012345678"),
            Some(json!({"content": "x"})),
        )
        .await;
    assert_error(&edit, 404, 10008);
    assert_eq!(
        Watch::dispatched(&ctx.sim),
        before,
        "failed calls dispatch nothing"
    );
    drop(watch);
}

#[tokio::test]
async fn list_messages_with_limit_before_after_around() {
    let ctx = setup().await;
    let shifts = ctx.demo.shifts_id;
    let mut sent = Vec::new();
    for n in 0..10 {
        sent.push(ctx.post(shifts, &format!("m{n}")).await);
    }
    let ctx = &ctx;
    let newest_first = |range: std::ops::RangeInclusive<usize>| -> Vec<u64> {
        range.rev().map(|i| sent[i]).collect()
    };
    let list = |query: String| {
        let path = format!("/channels/{shifts}/messages{query}");
        async move {
            let answer = ctx.call("GET", &path, None).await;
            assert_eq!(answer.status, 200, "{path}: {:?}", answer.body);
            ids(&answer.body)
        }
    };
    assert_eq!(list(String::new()).await, newest_first(0..=9));
    assert_eq!(list("?limit=3".into()).await, newest_first(7..=9));
    assert_eq!(
        list(format!("?limit=3&before={}", sent[5])).await,
        newest_first(2..=4)
    );
    assert_eq!(
        list(format!("?before={}", sent[2])).await,
        newest_first(0..=1)
    );
    assert_eq!(
        list(format!("?limit=3&after={}", sent[5])).await,
        newest_first(6..=8)
    );
    assert_eq!(
        list(format!("?after={}", sent[7])).await,
        newest_first(8..=9)
    );
    assert_eq!(
        list(format!("?limit=3&around={}", sent[5])).await,
        newest_first(4..=6)
    );
    assert_eq!(
        list(format!("?limit=5&around={}", sent[5])).await,
        newest_first(3..=7)
    );
    let first = ctx
        .call("GET", &format!("/channels/{shifts}/messages?limit=1"), None)
        .await;
    assert_eq!(first.body[0]["content"], "m9");

    let too_many = ctx
        .call(
            "GET",
            &format!("/channels/{shifts}/messages?limit=101"),
            None,
        )
        .await;
    assert_error(&too_many, 400, 50035);
    let zero = ctx
        .call("GET", &format!("/channels/{shifts}/messages?limit=0"), None)
        .await;
    assert_error(&zero, 400, 50035);
}

#[tokio::test]
async fn bulk_delete_takes_two_to_a_hundred() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let mut sent = Vec::new();
    for n in 0..5 {
        sent.push(ctx.post(general, &format!("b{n}")).await);
    }
    let path = format!("/channels/{general}/messages/bulk-delete");
    let deleted = ctx
        .call("POST", &path, Some(json!({"messages": [sent[1].to_string(), sent[2].to_string(), sent[3].to_string()]})))
        .await;
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    let left: Vec<u64> = ctx
        .sim
        .channel_messages(general)
        .iter()
        .map(|m| id(&m["id"]))
        .collect();
    assert_eq!(left, vec![sent[0], sent[4]]);

    let one = ctx
        .call(
            "POST",
            &path,
            Some(json!({"messages": [sent[0].to_string()]})),
        )
        .await;
    assert_eq!(one.status, 400, "{:?}", one.body);
    assert_eq!(one.body["code"], 50035);
    assert!(
        one.field_error(&["messages"]).is_some(),
        "names `messages`: {:?}",
        one.body
    );
    let many: Vec<String> = (0..101).map(|n| (sent[0] + n).to_string()).collect();
    let too_many = ctx
        .call("POST", &path, Some(json!({ "messages": many })))
        .await;
    assert_eq!(too_many.status, 400, "{:?}", too_many.body);
    assert!(
        too_many.field_error(&["messages"]).is_some(),
        "names `messages`: {:?}",
        too_many.body
    );
    // Messages older than two weeks cannot be bulk deleted.
    const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let old = (now_ms - 15 * 24 * 3600 * 1000 - DISCORD_EPOCH_MS) << 22;
    let too_old = ctx
        .call(
            "POST",
            &path,
            Some(json!({"messages": [old.to_string(), sent[0].to_string()]})),
        )
        .await;
    assert_error(&too_old, 400, 50034);
    assert_eq!(
        ctx.sim.channel_messages(general).len(),
        2,
        "rejected bulk deletes delete nothing"
    );
}

#[tokio::test]
async fn multipart_upload_is_served_back_byte_for_byte() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let bytes: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 256) as u8).collect();
    let payload = json!({
        "content": "the roster",
        "attachments": [{"id": 0, "filename": "roster.bin", "description": "weekly roster"}]
    });
    let form = reqwest::multipart::Form::new()
        .text("payload_json", payload.to_string())
        .part(
            "files[0]",
            reqwest::multipart::Part::bytes(bytes.clone())
                .file_name("upload.bin")
                .mime_str("application/octet-stream")
                .unwrap(),
        );
    let response = ctx
        .rest
        .client
        .post(format!("{}/channels/{general}/messages", ctx.rest.base))
        .header("Authorization", format!("Bot {}", ctx.sim.token()))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let answer = Rest::answer(response).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["content"], "the roster");
    let attachment = &answer.body["attachments"][0];
    assert_eq!(attachment["filename"], "roster.bin");
    assert_eq!(attachment["description"], "weekly roster");
    assert_eq!(attachment["size"], 5000);
    assert!(attachment["id"]
        .as_str()
        .is_some_and(|s| s.parse::<u64>().is_ok()));
    let url = attachment["url"].as_str().expect("url");
    assert!(url.starts_with("http://"), "absolute url: {url}");

    let download = reqwest::get(url).await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().to_vec(), bytes);

    let stored = ctx.sim.channel_messages(general);
    assert_eq!(stored[0]["attachments"][0]["url"], url);
}

// ---- documented limits ------------------------------------------------------------------

fn embed_with(key: &str, value: Value) -> Value {
    let mut embed = json!({"title": "t"});
    embed[key] = value;
    embed
}

fn button(custom_id: &str) -> Value {
    json!({"type": 2, "style": 1, "label": "b", "custom_id": custom_id})
}

fn row(components: Vec<Value>) -> Value {
    json!({"type": 1, "components": components})
}

#[tokio::test]
async fn message_limits_are_rejected_naming_the_field() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let watch = Watch::start(&ctx.sim).await;
    let before = Watch::dispatched(&ctx.sim);
    let path = format!("/channels/{general}/messages");
    let send = |body: Value| ctx.call("POST", &path, Some(body));
    let fields: Vec<Value> = (0..26)
        .map(|n| json!({"name": format!("f{n}"), "value": "v"}))
        .collect();
    let big_embeds: Vec<Value> = (0..4)
        .map(|_| json!({"description": "d".repeat(1600)}))
        .collect();
    let problems = vec![
        form_error(
            "content 2001",
            &send(json!({"content": "a".repeat(2001)})).await,
            &[&["content"]],
        ),
        form_error(
            "11 embeds",
            &send(json!({"embeds": vec![json!({"title": "t"}); 11]})).await,
            &[&["embeds"]],
        ),
        form_error(
            "title 257",
            &send(json!({"embeds": [json!({"title": "t".repeat(257)})]})).await,
            &[&["embeds", "0", "title"]],
        ),
        form_error(
            "description 4097",
            &send(json!({"embeds": [embed_with("description", json!("d".repeat(4097)))]})).await,
            &[&["embeds", "0", "description"]],
        ),
        form_error(
            "26 fields",
            &send(json!({"embeds": [embed_with("fields", json!(fields))]})).await,
            &[&["embeds", "0", "fields"]],
        ),
        form_error(
            "embeds over 6000",
            &send(json!({ "embeds": big_embeds })).await,
            &[&["embeds"], &["embeds", "0"], &["embeds", "3"]],
        ),
    ];
    let ok_at_limit = send(json!({"content": "a".repeat(2000), "embeds": [embed_with("description", json!("d".repeat(4096)))]})).await;
    assert_eq!(
        ok_at_limit.status, 200,
        "2000 chars and a 4096-char description are fine: {:?}",
        ok_at_limit.body
    );
    let empty = send(json!({"content": ""})).await;
    assert_error(&empty, 400, 50006);
    let nothing = send(json!({})).await;
    assert_error(&nothing, 400, 50006);
    assert_no_problems(problems);
    assert_eq!(
        ctx.sim.channel_messages(general).len(),
        1,
        "only the message within limits was stored"
    );
    assert_eq!(
        Watch::dispatched(&ctx.sim),
        before + 1,
        "only the accepted message was dispatched"
    );
    drop(watch);
}

#[tokio::test]
async fn component_limits_are_rejected_naming_the_field() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let path = format!("/channels/{general}/messages");
    let send = |components: Vec<Value>| {
        ctx.call(
            "POST",
            &path,
            Some(json!({"content": "c", "components": components})),
        )
    };
    let six_rows: Vec<Value> = (0..6)
        .map(|n| row(vec![button(&format!("r{n}"))]))
        .collect();
    let six_buttons: Vec<Value> = (0..6).map(|n| button(&format!("b{n}"))).collect();
    let options: Vec<Value> = (0..26)
        .map(|n| json!({"label": format!("o{n}"), "value": format!("o{n}")}))
        .collect();
    let select = json!({"type": 3, "custom_id": "pick", "options": options});
    let problems = vec![
        form_error("6 action rows", &send(six_rows).await, &[&["components"]]),
        form_error(
            "6 buttons in a row",
            &send(vec![row(six_buttons)]).await,
            &[&["components", "0", "components"]],
        ),
        form_error(
            "custom_id 101",
            &send(vec![row(vec![button(&"x".repeat(101))])]).await,
            &[&["components", "0", "components", "0", "custom_id"]],
        ),
        form_error(
            "empty custom_id",
            &send(vec![row(vec![button("")])]).await,
            &[&["components", "0", "components", "0", "custom_id"]],
        ),
        form_error(
            "duplicate custom_id",
            &send(vec![row(vec![button("same"), button("same")])]).await,
            &[
                &["components", "0", "components", "1", "custom_id"],
                &["components", "0", "components", "0", "custom_id"],
            ],
        ),
        form_error(
            "select with 26 options",
            &send(vec![row(vec![select])]).await,
            &[&["components", "0", "components", "0", "options"]],
        ),
    ];
    let five_by_five: Vec<Value> = (0..5)
        .map(|r| row((0..5).map(|b| button(&format!("{r}-{b}"))).collect()))
        .collect();
    let ok = send(five_by_five).await;
    assert_eq!(
        ok.status, 200,
        "5 rows of 5 buttons are fine: {:?}",
        ok.body
    );
    assert_no_problems(problems);
    assert_eq!(ctx.sim.channel_messages(general).len(), 1);
}

#[tokio::test]
async fn command_limits_are_rejected_naming_the_field() {
    let ctx = setup().await;
    let path = format!(
        "/applications/{}/guilds/{}/commands",
        ctx.app(),
        ctx.guild()
    );
    let create = |body: Value| ctx.call("POST", &path, Some(body));
    let options: Vec<Value> = (0..26)
        .map(|n| json!({"type": 3, "name": format!("o{n}"), "description": "d"}))
        .collect();
    let problems = vec![
        form_error(
            "uppercase name",
            &create(json!({"name": "Shift", "description": "d"})).await,
            &[&["name"]],
        ),
        form_error(
            "name 33",
            &create(json!({"name": "s".repeat(33), "description": "d"})).await,
            &[&["name"]],
        ),
        form_error(
            "name with a space",
            &create(json!({"name": "my shift", "description": "d"})).await,
            &[&["name"]],
        ),
        form_error(
            "26 options",
            &create(json!({"name": "many", "description": "d", "options": options})).await,
            &[&["options"]],
        ),
        form_error(
            "description 101",
            &create(json!({"name": "long", "description": "d".repeat(101)})).await,
            &[&["description"]],
        ),
    ];
    let listed = ctx.call("GET", &path, None).await;
    assert_eq!(listed.body, json!([]), "no rejected command was registered");

    // 101 commands in one overwrite: rejected, and the one registered before stays.
    let kept = ctx
        .call(
            "PUT",
            &path,
            Some(json!([{"name": "keep", "description": "stays"}])),
        )
        .await;
    assert_eq!(kept.status, 200, "{:?}", kept.body);
    let many: Vec<Value> = (0..101)
        .map(|n| json!({"name": format!("c{n}"), "description": "d"}))
        .collect();
    let overwrite = ctx.call("PUT", &path, Some(Value::Array(many))).await;
    assert_eq!(overwrite.status, 400, "{:?}", overwrite.body);
    let code = overwrite.body["code"].as_u64();
    assert!(
        code == Some(50035) || code == Some(30032),
        "50035 or 30032: {:?}",
        overwrite.body
    );
    let after = ctx.call("GET", &path, None).await;
    assert_eq!(ids(&after.body), ids(&kept.body));
    assert_eq!(after.body[0]["name"], "keep");
    assert_no_problems(problems);
}

#[tokio::test]
async fn emoji_and_channel_limits_are_rejected_naming_the_field() {
    use base64::Engine;
    let ctx = setup().await;
    let guild = ctx.guild();
    let png = |size: usize| {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.resize(size, 0);
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    };
    let emojis = format!("/guilds/{guild}/emojis");
    let problems = vec![
        form_error(
            "emoji over 256 KiB",
            &ctx.call(
                "POST",
                &emojis,
                Some(json!({"name": "big", "image": png(256 * 1024 + 1)})),
            )
            .await,
            &[&["image"]],
        ),
        form_error(
            "emoji name with a space",
            &ctx.call(
                "POST",
                &emojis,
                Some(json!({"name": "bad name!", "image": png(64)})),
            )
            .await,
            &[&["name"]],
        ),
        form_error(
            "channel name 101",
            &ctx.call(
                "POST",
                &format!("/guilds/{guild}/channels"),
                Some(json!({"name": "c".repeat(101), "type": 0})),
            )
            .await,
            &[&["name"]],
        ),
    ];
    let listed = ctx.call("GET", &emojis, None).await;
    assert_eq!(listed.body, json!([]), "no rejected emoji was made");
    let ok = ctx
        .call(
            "POST",
            &emojis,
            Some(json!({"name": "party_time", "image": png(64)})),
        )
        .await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
    assert_eq!(ok.body["name"], "party_time");
    let channels = ctx
        .call("GET", &format!("/guilds/{guild}/channels"), None)
        .await;
    assert_eq!(
        channels.body.as_array().map(Vec::len),
        Some(7),
        "the demo's 7 channels and no more"
    );
    assert_no_problems(problems);
}

// ---- permissions --------------------------------------------------------------------------

#[tokio::test]
async fn hidden_and_read_only_channels() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let bot_role = ctx.demo.bot_role_id;
    let hidden = ctx.sim.create_channel(guild, "vault", 0, None).unwrap();
    let read_only = ctx.sim.create_channel(guild, "rules", 0, None).unwrap();
    let deny = |channel: u64, bits: u64| {
        ctx.call(
            "PUT",
            format!("/channels/{channel}/permissions/{bot_role}"),
            Some(json!({"type": 0, "allow": "0", "deny": bits.to_string()})),
        )
    };
    assert_eq!(deny(hidden, VIEW_CHANNEL).await.status, 204);
    assert_eq!(deny(read_only, SEND_MESSAGES).await.status, 204);
    let watch = Watch::start(&ctx.sim).await;
    let before = Watch::dispatched(&ctx.sim);

    let send = |channel: u64| {
        ctx.call(
            "POST",
            format!("/channels/{channel}/messages"),
            Some(json!({"content": "hello"})),
        )
    };
    assert_error(&send(hidden).await, 403, 50001);
    assert_error(
        &ctx.call("GET", &format!("/channels/{hidden}"), None).await,
        403,
        50001,
    );
    assert_error(
        &ctx.call("GET", &format!("/channels/{hidden}/messages"), None)
            .await,
        403,
        50001,
    );
    assert_error(&send(read_only).await, 403, 50013);
    // The bot still reads the read-only channel.
    assert_eq!(
        ctx.call("GET", &format!("/channels/{read_only}/messages"), None)
            .await
            .status,
        200
    );
    assert!(ctx.sim.channel_messages(hidden).is_empty());
    assert!(ctx.sim.channel_messages(read_only).is_empty());
    assert_eq!(
        Watch::dispatched(&ctx.sim),
        before,
        "refused calls dispatch nothing"
    );

    // admin-log denies @everyone but lets the bot in by a member overwrite.
    let admin_log = ctx.demo.admin_log_id;
    assert_eq!(send(admin_log).await.status, 200);
    drop(watch);
}

#[tokio::test]
async fn role_hierarchy_and_owner_are_respected() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let owner = ctx.demo.owner_id;
    let admin = ctx.demo.admin_id;
    let pat = ctx.demo.member_ids[0];
    // A role above the bot's own.
    let top = ctx.sim.create_role(guild, "Founders", 0).unwrap();
    {
        let mut world = ctx.sim.state().world.lock();
        let roles = &mut world.guilds.get_mut(&guild).unwrap().roles;
        let bot_position = roles[&ctx.demo.bot_role_id].position;
        roles.get_mut(&top).unwrap().position = bot_position + 1;
    }
    let watch = Watch::start(&ctx.sim).await;
    let before = Watch::dispatched(&ctx.sim);

    assert_error(
        &ctx.call("DELETE", &format!("/guilds/{guild}/members/{owner}"), None)
            .await,
        403,
        50013,
    );
    assert_error(
        &ctx.call(
            "PUT",
            &format!("/guilds/{guild}/members/{pat}/roles/{top}"),
            None,
        )
        .await,
        403,
        50013,
    );
    assert_error(
        &ctx.call(
            "PATCH",
            &format!("/guilds/{guild}/members/{pat}"),
            Some(json!({"roles": [top.to_string()]})),
        )
        .await,
        403,
        50013,
    );
    let until = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    assert_error(
        &ctx.call(
            "PATCH",
            &format!("/guilds/{guild}/members/{admin}"),
            Some(json!({ "communication_disabled_until": until })),
        )
        .await,
        403,
        50013,
    );
    // A role with a permission the bot lacks cannot be made.
    assert_error(
        &ctx.call(
            "POST",
            &format!("/guilds/{guild}/roles"),
            Some(json!({"name": "Boss", "permissions": (1u64 << 3).to_string()})),
        )
        .await,
        403,
        50013,
    );
    assert_eq!(
        Watch::dispatched(&ctx.sim),
        before,
        "refused calls dispatch nothing"
    );

    let members = ctx
        .call("GET", &format!("/guilds/{guild}/members/{pat}"), None)
        .await;
    assert_eq!(members.body["roles"], json!([]));
    let owner_member = ctx
        .call("GET", &format!("/guilds/{guild}/members/{owner}"), None)
        .await;
    assert_eq!(owner_member.status, 200, "the owner is still there");
    let admin_member = ctx
        .call("GET", &format!("/guilds/{guild}/members/{admin}"), None)
        .await;
    assert!(admin_member.body["communication_disabled_until"].is_null());
    drop(watch);
}

// ---- DMs ------------------------------------------------------------------------------------

#[tokio::test]
async fn dms_reach_people_who_accept_them() {
    let ctx = setup().await;
    let pat = ctx.demo.member_ids[0];
    let quinn = ctx.demo.member_ids[1];
    let opened = ctx
        .call(
            "POST",
            "/users/@me/channels",
            Some(json!({"recipient_id": pat.to_string()})),
        )
        .await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    assert_eq!(opened.body["type"], 1);
    assert_eq!(id(&opened.body["recipients"][0]["id"]), pat);
    let channel = id(&opened.body["id"]);
    let again = ctx
        .call(
            "POST",
            "/users/@me/channels",
            Some(json!({"recipient_id": pat.to_string()})),
        )
        .await;
    assert_eq!(id(&again.body["id"]), channel, "one DM channel per person");

    let sent = ctx
        .call(
            "POST",
            &format!("/channels/{channel}/messages"),
            Some(json!({"content": "your shift starts at 9"})),
        )
        .await;
    assert_eq!(sent.status, 200, "{:?}", sent.body);
    assert!(sent.body.get("guild_id").is_none());
    let dms = ctx.sim.dms(pat);
    assert_eq!(dms.len(), 1);
    assert_eq!(dms[0]["content"], "your shift starts at 9");
    assert_eq!(id(&dms[0]["author"]["id"]), ctx.sim.bot_user_id());

    ctx.sim.set_accepts_dms(quinn, false).unwrap();
    let closed = ctx
        .call(
            "POST",
            "/users/@me/channels",
            Some(json!({"recipient_id": quinn.to_string()})),
        )
        .await;
    assert_eq!(
        closed.status, 200,
        "opening the channel still works: {:?}",
        closed.body
    );
    let refused = ctx
        .call(
            "POST",
            &format!("/channels/{}/messages", id(&closed.body["id"])),
            Some(json!({"content": "hello?"})),
        )
        .await;
    assert_error(&refused, 403, 50007);
    assert!(ctx.sim.dms(quinn).is_empty());
}

// ---- members, roles, channels ---------------------------------------------------------------

#[tokio::test]
async fn guild_members_get_list_modify_kick_ban() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let demo = &ctx.demo;
    let (pat, quinn, rhea) = (demo.member_ids[0], demo.member_ids[1], demo.member_ids[2]);

    let member = ctx
        .call("GET", &format!("/guilds/{guild}/members/{pat}"), None)
        .await;
    assert_eq!(member.status, 200);
    assert_eq!(id(&member.body["user"]["id"]), pat);
    assert_eq!(member.body["user"]["username"], "pat");
    assert!(member.body["joined_at"].is_string());

    let mut everyone = vec![
        ctx.sim.bot_user_id(),
        demo.owner_id,
        demo.admin_id,
        pat,
        quinn,
        rhea,
    ];
    everyone.extend(&demo.moderator_ids);
    everyone.sort_unstable();
    let all = ctx
        .call("GET", &format!("/guilds/{guild}/members?limit=1000"), None)
        .await;
    assert_eq!(all.status, 200);
    let listed: Vec<u64> = all
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| id(&m["user"]["id"]))
        .collect();
    assert_eq!(listed, everyone);
    let default = ctx
        .call("GET", &format!("/guilds/{guild}/members"), None)
        .await;
    assert_eq!(
        default.body.as_array().map(Vec::len),
        Some(1),
        "limit defaults to 1"
    );
    let page = ctx
        .call(
            "GET",
            &format!("/guilds/{guild}/members?limit=2&after={}", everyone[2]),
            None,
        )
        .await;
    let paged: Vec<u64> = page
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|m| id(&m["user"]["id"]))
        .collect();
    assert_eq!(paged, everyone[3..5].to_vec());

    let until = (chrono::Utc::now() + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
    let moderator = demo.moderator_role_id;
    let modified = ctx
        .call(
            "PATCH",
            &format!("/guilds/{guild}/members/{pat}"),
            Some(json!({"nick": "Patty", "roles": [moderator.to_string()], "communication_disabled_until": until})),
        )
        .await;
    assert_eq!(modified.status, 200, "{:?}", modified.body);
    let member = ctx
        .call("GET", &format!("/guilds/{guild}/members/{pat}"), None)
        .await;
    assert_eq!(member.body["nick"], "Patty");
    assert_eq!(member.body["roles"], json!([moderator.to_string()]));
    let stored = member.body["communication_disabled_until"]
        .as_str()
        .expect("timeout set");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(stored).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&until).unwrap()
    );
    // The timed-out member cannot talk.
    assert!(ctx
        .sim
        .send_message(demo.general_id, pat, "let me speak")
        .is_err());
    let cleared = ctx
        .call(
            "PATCH",
            &format!("/guilds/{guild}/members/{pat}"),
            Some(json!({"nick": null, "communication_disabled_until": null})),
        )
        .await;
    assert_eq!(cleared.status, 200);
    assert!(cleared.body["nick"].is_null());
    assert!(cleared.body["communication_disabled_until"].is_null());

    let role = ctx
        .call(
            "PUT",
            &format!("/guilds/{guild}/members/{rhea}/roles/{moderator}"),
            None,
        )
        .await;
    assert_eq!(role.status, 204);
    let rhea_member = ctx
        .call("GET", &format!("/guilds/{guild}/members/{rhea}"), None)
        .await;
    assert_eq!(rhea_member.body["roles"], json!([moderator.to_string()]));
    let unrole = ctx
        .call(
            "DELETE",
            &format!("/guilds/{guild}/members/{rhea}/roles/{moderator}"),
            None,
        )
        .await;
    assert_eq!(unrole.status, 204);

    let kicked = ctx
        .call("DELETE", &format!("/guilds/{guild}/members/{pat}"), None)
        .await;
    assert_eq!(kicked.status, 204);
    assert_error(
        &ctx.call("GET", &format!("/guilds/{guild}/members/{pat}"), None)
            .await,
        404,
        10007,
    );
    assert_error(
        &ctx.call("DELETE", &format!("/guilds/{guild}/members/{pat}"), None)
            .await,
        404,
        10007,
    );

    let banned = ctx
        .rest
        .client
        .put(format!("{}/guilds/{guild}/bans/{quinn}", ctx.rest.base))
        .header("Authorization", format!("Bot {}", ctx.sim.token()))
        .header("X-Audit-Log-Reason", "spam")
        .json(&json!({"delete_message_seconds": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(banned.status(), 204);
    assert_error(
        &ctx.call("GET", &format!("/guilds/{guild}/members/{quinn}"), None)
            .await,
        404,
        10007,
    );
    let ban = ctx
        .call("GET", &format!("/guilds/{guild}/bans/{quinn}"), None)
        .await;
    assert_eq!(ban.status, 200, "{:?}", ban.body);
    assert_eq!(id(&ban.body["user"]["id"]), quinn);
    assert_eq!(ban.body["reason"], "spam");
    let bans = ctx
        .call("GET", &format!("/guilds/{guild}/bans"), None)
        .await;
    assert_eq!(bans.body.as_array().map(Vec::len), Some(1));
    assert!(
        ctx.sim.join_guild(guild, quinn, &[]).is_err(),
        "a banned user cannot rejoin"
    );
    let unbanned = ctx
        .call("DELETE", &format!("/guilds/{guild}/bans/{quinn}"), None)
        .await;
    assert_eq!(unbanned.status, 204);
    assert_error(
        &ctx.call("GET", &format!("/guilds/{guild}/bans/{quinn}"), None)
            .await,
        404,
        10026,
    );
    ctx.sim
        .join_guild(guild, quinn, &[])
        .expect("an unbanned user can rejoin");
}

#[tokio::test]
async fn roles_create_modify_delete() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let created = ctx
        .call("POST", &format!("/guilds/{guild}/roles"), Some(json!({"name": "Helpers", "color": 3447003, "permissions": (1u64 << 11).to_string(), "mentionable": true})))
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    let role = id(&created.body["id"]);
    assert_eq!(created.body["name"], "Helpers");
    assert_eq!(created.body["color"], 3447003);
    assert_eq!(created.body["permissions"], (1u64 << 11).to_string());
    assert_eq!(created.body["mentionable"], true);
    assert_eq!(created.body["managed"], false);

    let modified = ctx
        .call(
            "PATCH",
            &format!("/guilds/{guild}/roles/{role}"),
            Some(json!({"name": "Shift Leads", "hoist": true})),
        )
        .await;
    assert_eq!(modified.status, 200, "{:?}", modified.body);
    assert_eq!(modified.body["name"], "Shift Leads");
    assert_eq!(modified.body["hoist"], true);
    assert_eq!(modified.body["color"], 3447003, "unnamed fields are kept");
    let listed = ctx
        .call("GET", &format!("/guilds/{guild}/roles"), None)
        .await;
    let names: Vec<&str> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(names.contains(&"Shift Leads"), "{names:?}");

    let deleted = ctx
        .call("DELETE", &format!("/guilds/{guild}/roles/{role}"), None)
        .await;
    assert_eq!(deleted.status, 204);
    let listed = ctx
        .call("GET", &format!("/guilds/{guild}/roles"), None)
        .await;
    assert!(!ids(&listed.body).contains(&role));
    assert_eq!(
        listed.body.as_array().map(Vec::len),
        Some(4),
        "@everyone, Agora, Moderator, Admin"
    );
    assert_error(
        &ctx.call("DELETE", &format!("/guilds/{guild}/roles/{role}"), None)
            .await,
        404,
        10011,
    );
    // The bot's own managed role cannot be deleted.
    assert_error(
        &ctx.call(
            "DELETE",
            &format!("/guilds/{guild}/roles/{}", ctx.demo.bot_role_id),
            None,
        )
        .await,
        403,
        50013,
    );
}

#[tokio::test]
async fn channels_create_modify_delete() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let pat = ctx.demo.member_ids[0];
    let create = |body: Value| ctx.call("POST", format!("/guilds/{guild}/channels"), Some(body));

    let text = create(json!({
        "name": "Big News",
        "type": 0,
        "topic": "what's new",
        "permission_overwrites": [{"id": pat.to_string(), "type": 1, "allow": "0", "deny": SEND_MESSAGES.to_string()}]
    }))
    .await;
    assert_eq!(text.status, 201, "{:?}", text.body);
    assert_eq!(text.body["name"], "big-news");
    assert_eq!(text.body["type"], 0);
    assert_eq!(text.body["topic"], "what's new");
    assert_eq!(id(&text.body["guild_id"]), guild);
    assert_eq!(
        text.body["permission_overwrites"],
        json!([{"id": pat.to_string(), "type": 1, "allow": "0", "deny": SEND_MESSAGES.to_string()}])
    );
    let text_id = id(&text.body["id"]);
    assert!(
        ctx.sim.send_message(text_id, pat, "can I?").is_err(),
        "the overwrite applies to pat"
    );

    let voice = create(json!({"name": "Big Talk", "type": 2})).await;
    assert_eq!(voice.status, 201, "{:?}", voice.body);
    assert_eq!(
        voice.body["name"], "Big Talk",
        "voice channel names keep case and spaces"
    );
    assert_eq!(voice.body["type"], 2);
    assert!(voice.body["bitrate"].as_u64().is_some());
    let category = create(json!({"name": "Archive", "type": 4})).await;
    assert_eq!(category.status, 201, "{:?}", category.body);
    let category_id = id(&category.body["id"]);

    // Hidden from @everyone, visible to the bot's role.
    let overwrites = json!([
        {"id": guild.to_string(), "type": 0, "allow": "0", "deny": VIEW_CHANNEL.to_string()},
        {"id": ctx.demo.bot_role_id.to_string(), "type": 0, "allow": VIEW_CHANNEL.to_string(), "deny": "0"}
    ]);
    let moved = ctx
        .call(
            "PATCH",
            &format!("/channels/{text_id}"),
            Some(
                json!({"parent_id": category_id.to_string(), "permission_overwrites": overwrites}),
            ),
        )
        .await;
    assert_eq!(moved.status, 200, "{:?}", moved.body);
    assert_eq!(id(&moved.body["parent_id"]), category_id);
    assert_eq!(moved.body["permission_overwrites"], overwrites);
    let fetched = ctx.call("GET", &format!("/channels/{text_id}"), None).await;
    assert_eq!(fetched.status, 200, "{:?}", fetched.body);
    assert_eq!(fetched.body["parent_id"], moved.body["parent_id"]);
    assert_eq!(fetched.body["permission_overwrites"], overwrites);
    assert!(
        ctx.sim.send_message(text_id, pat, "hello").is_err(),
        "@everyone cannot see it now"
    );
    let bad_parent = ctx
        .call(
            "PATCH",
            &format!("/channels/{text_id}"),
            Some(json!({"parent_id": ctx.demo.general_id.to_string()})),
        )
        .await;
    assert_error(&bad_parent, 400, 50035);

    let deleted = ctx
        .call("DELETE", &format!("/channels/{text_id}"), None)
        .await;
    assert_eq!(deleted.status, 200, "{:?}", deleted.body);
    assert_eq!(id(&deleted.body["id"]), text_id);
    assert_error(
        &ctx.call("GET", &format!("/channels/{text_id}"), None).await,
        404,
        10003,
    );
    let listed = ctx
        .call("GET", &format!("/guilds/{guild}/channels"), None)
        .await;
    let listed = ids(&listed.body);
    assert!(!listed.contains(&text_id));
    assert!(listed.contains(&category_id) && listed.contains(&id(&voice.body["id"])));
}

// ---- reactions and pins ------------------------------------------------------------------------

#[tokio::test]
async fn reactions_add_list_remove() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let message = ctx.post(general, "react to me").await;
    let fire = "%F0%9F%94%A5";
    let base = format!("/channels/{general}/messages/{message}/reactions/{fire}");
    let added = ctx.call("PUT", &format!("{base}/@me"), None).await;
    assert_eq!(added.status, 204, "{:?}", added.body);
    let users = ctx.call("GET", &base, None).await;
    assert_eq!(users.status, 200);
    assert_eq!(ids(&users.body), vec![ctx.sim.bot_user_id()]);
    let fetched = ctx
        .call(
            "GET",
            &format!("/channels/{general}/messages/{message}"),
            None,
        )
        .await;
    assert_eq!(fetched.body["reactions"][0]["emoji"]["name"], "🔥");
    assert_eq!(fetched.body["reactions"][0]["count"], 1);
    assert_eq!(fetched.body["reactions"][0]["me"], true);

    ctx.sim
        .react(general, message, ctx.demo.member_ids[0], "🔥", true)
        .unwrap();
    let users = ctx.call("GET", &base, None).await;
    assert_eq!(users.body.as_array().map(Vec::len), Some(2));

    let removed = ctx.call("DELETE", &format!("{base}/@me"), None).await;
    assert_eq!(removed.status, 204);
    let users = ctx.call("GET", &base, None).await;
    assert_eq!(ids(&users.body), vec![ctx.demo.member_ids[0]]);
    let fetched = ctx
        .call(
            "GET",
            &format!("/channels/{general}/messages/{message}"),
            None,
        )
        .await;
    assert_eq!(fetched.body["reactions"][0]["me"], false);
    let unknown_custom = ctx
        .call(
            "PUT",
            &format!("/channels/{general}/messages/{message}/reactions/nope:123/@me"),
            None,
        )
        .await;
    assert_error(&unknown_custom, 400, 10014);
}

#[tokio::test]
async fn pins_pin_list_unpin() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let first = ctx.post(general, "first").await;
    let second = ctx.post(general, "second").await;
    let pin = |message: u64| {
        ctx.call(
            "PUT",
            format!("/channels/{general}/messages/pins/{message}"),
            None,
        )
    };
    assert_eq!(pin(second).await.status, 204);
    assert_eq!(pin(first).await.status, 204);

    let pins = ctx
        .call("GET", &format!("/channels/{general}/messages/pins"), None)
        .await;
    assert_eq!(pins.status, 200, "{:?}", pins.body);
    assert_eq!(pins.body["has_more"], false);
    let items = pins.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items: {:?}", pins.body));
    let pinned: Vec<u64> = items
        .iter()
        .map(|item| id(&item["message"]["id"]))
        .collect();
    assert_eq!(pinned, vec![first, second], "most recently pinned first");
    assert!(items
        .iter()
        .all(|item| item["pinned_at"].is_string() && item["message"]["pinned"] == true));
    let deprecated = ctx
        .call("GET", &format!("/channels/{general}/pins"), None)
        .await;
    assert_eq!(deprecated.status, 200);
    assert_eq!(ids(&deprecated.body).len(), 2);

    let unpinned = ctx
        .call(
            "DELETE",
            &format!("/channels/{general}/messages/pins/{second}"),
            None,
        )
        .await;
    assert_eq!(unpinned.status, 204);
    let pins = ctx
        .call("GET", &format!("/channels/{general}/messages/pins"), None)
        .await;
    let pinned: Vec<u64> = pins.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| id(&item["message"]["id"]))
        .collect();
    assert_eq!(pinned, vec![first]);
    let message = ctx
        .call(
            "GET",
            &format!("/channels/{general}/messages/{second}"),
            None,
        )
        .await;
    assert_eq!(message.body["pinned"], false);
    let old_unpin = ctx
        .call("DELETE", &format!("/channels/{general}/pins/{first}"), None)
        .await;
    assert_eq!(old_unpin.status, 204);
    let deprecated = ctx
        .call("GET", &format!("/channels/{general}/pins"), None)
        .await;
    assert_eq!(deprecated.body, json!([]));
}

// ---- application commands ------------------------------------------------------------------------

#[tokio::test]
async fn application_commands_global_and_guild() {
    let ctx = setup().await;
    let global = format!("/applications/{}/commands", ctx.app());
    let guild = format!(
        "/applications/{}/guilds/{}/commands",
        ctx.app(),
        ctx.guild()
    );

    let first = ctx
        .call("PUT", &global, Some(json!([{"name": "ping", "description": "Ping"}, {"name": "echo", "description": "Echo", "options": [{"type": 3, "name": "text", "description": "what", "required": true}]}])))
        .await;
    assert_eq!(first.status, 200, "{:?}", first.body);
    let ping_id = id(&first.body[0]["id"]);
    assert_eq!(first.body[0]["name"], "ping");
    assert_eq!(id(&first.body[0]["application_id"]), ctx.app());
    assert_eq!(first.body[0]["type"], 1);
    assert!(first.body[0].get("guild_id").is_none_or(Value::is_null));
    let second = ctx
        .call(
            "PUT",
            &global,
            Some(json!([{"name": "ping", "description": "Pong!"}])),
        )
        .await;
    assert_eq!(second.status, 200);
    assert_eq!(
        id(&second.body[0]["id"]),
        ping_id,
        "same name keeps its id across a bulk overwrite"
    );
    assert_eq!(second.body[0]["description"], "Pong!");
    let listed = ctx.call("GET", &global, None).await;
    assert_eq!(
        ids(&listed.body),
        vec![ping_id],
        "echo was dropped by the overwrite"
    );

    let shift = ctx
        .call(
            "PUT",
            &guild,
            Some(json!([{"name": "shift", "description": "Shifts"}])),
        )
        .await;
    assert_eq!(shift.status, 200, "{:?}", shift.body);
    let shift_id = id(&shift.body[0]["id"]);
    assert_eq!(id(&shift.body[0]["guild_id"]), ctx.guild());
    let upserted = ctx
        .call(
            "POST",
            &guild,
            Some(json!({"name": "shift", "description": "Swap shifts"})),
        )
        .await;
    assert_eq!(
        upserted.status, 200,
        "an upsert of an existing name answers 200: {:?}",
        upserted.body
    );
    assert_eq!(id(&upserted.body["id"]), shift_id);
    assert_eq!(upserted.body["description"], "Swap shifts");
    let created = ctx
        .call(
            "POST",
            &guild,
            Some(json!({"name": "ticket", "description": "Open a ticket"})),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let ticket_id = id(&created.body["id"]);
    assert_ne!(ticket_id, shift_id);

    let edited = ctx
        .call(
            "PATCH",
            &format!("{guild}/{ticket_id}"),
            Some(json!({"description": "Open a support ticket"})),
        )
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.body["name"], "ticket");
    assert_eq!(edited.body["description"], "Open a support ticket");
    let fetched = ctx.call("GET", &format!("{guild}/{ticket_id}"), None).await;
    assert_eq!(fetched.body["description"], "Open a support ticket");

    let listed = ctx.call("GET", &guild, None).await;
    assert_eq!(ids(&listed.body), vec![shift_id, ticket_id]);
    let global_listed = ctx.call("GET", &global, None).await;
    assert_eq!(
        ids(&global_listed.body),
        vec![ping_id],
        "guild commands are not global"
    );

    let deleted = ctx
        .call("DELETE", &format!("{guild}/{ticket_id}"), None)
        .await;
    assert_eq!(deleted.status, 204);
    assert_error(
        &ctx.call("GET", &format!("{guild}/{ticket_id}"), None).await,
        404,
        10063,
    );
    let listed = ctx.call("GET", &guild, None).await;
    assert_eq!(ids(&listed.body), vec![shift_id]);
    let names: Vec<String> = ctx
        .sim
        .commands()
        .iter()
        .map(|c| c["name"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"ping".to_string()) && names.contains(&"shift".to_string()));
}

// ---- rate limits and injected faults -------------------------------------------------------------

fn header<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("header {name} missing from {:?}", answer.headers))
}

#[tokio::test]
async fn allowed_calls_carry_rate_limit_headers() {
    let ctx = setup_limited().await;
    let general = ctx.demo.general_id;
    let answer = ctx
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "x"})),
        )
        .await;
    assert_eq!(answer.status, 200);
    let limit: u64 = header(&answer, "x-ratelimit-limit")
        .parse()
        .expect("limit is a number");
    let remaining: u64 = header(&answer, "x-ratelimit-remaining")
        .parse()
        .expect("remaining is a number");
    assert!(remaining < limit, "one call used: {remaining} of {limit}");
    let reset: f64 = header(&answer, "x-ratelimit-reset")
        .parse()
        .expect("reset is epoch seconds");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!(
        reset > now - 1.0 && reset < now + 3600.0,
        "reset {reset} near now {now}"
    );
    let reset_after: f64 = header(&answer, "x-ratelimit-reset-after")
        .parse()
        .expect("reset-after is seconds");
    assert!(reset_after > 0.0);
    assert!(!header(&answer, "x-ratelimit-bucket").is_empty());
    let second = ctx
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "y"})),
        )
        .await;
    let remaining_after: u64 = header(&second, "x-ratelimit-remaining").parse().unwrap();
    assert_eq!(remaining_after, remaining - 1);
    assert_eq!(
        header(&second, "x-ratelimit-bucket"),
        header(&answer, "x-ratelimit-bucket")
    );
}

#[track_caller]
fn assert_429(answer: &Answer) {
    assert_eq!(answer.status, 429, "{:?}", answer.body);
    assert_eq!(content_type(answer), "application/json");
    assert!(
        answer.body["retry_after"].is_f64(),
        "retry_after is a float: {:?}",
        answer.body
    );
    assert!(answer.body["retry_after"].as_f64().unwrap() > 0.0);
    assert_eq!(answer.body["global"], false);
    assert!(answer.body["message"].is_string());
    let retry: f64 = header(answer, "retry-after")
        .parse()
        .expect("Retry-After is a number");
    assert!(retry > 0.0);
    assert!(!header(answer, "x-ratelimit-scope").is_empty());
}

#[tokio::test]
async fn shrunk_bucket_answers_429() {
    let ctx = setup_limited().await;
    let general = ctx.demo.general_id;
    let control = common::Control::new(&ctx.sim);
    let (status, _) = control
        .post("/faults/rest", json!({"action": "shrink_bucket", "route": "POST /channels/{channel_id}/messages", "limit": 2, "window_ms": 60000}))
        .await;
    assert_eq!(status, 200);
    let path = format!("/channels/{general}/messages");
    for n in 0..2 {
        let answer = ctx
            .call("POST", &path, Some(json!({"content": format!("ok {n}")})))
            .await;
        assert_eq!(answer.status, 200);
        assert_eq!(header(&answer, "x-ratelimit-limit"), "2");
    }
    let limited = ctx
        .call("POST", &path, Some(json!({"content": "too fast"})))
        .await;
    assert_429(&limited);
    assert_eq!(header(&limited, "x-ratelimit-scope"), "user");
    assert_eq!(header(&limited, "x-ratelimit-remaining"), "0");
    assert!(limited.body["retry_after"].as_f64().unwrap() <= 60.0);
    assert_eq!(
        ctx.sim.channel_messages(general).len(),
        2,
        "the limited call created nothing"
    );
    // Other routes are not limited by this bucket.
    assert_eq!(ctx.call("GET", &path, None).await.status, 200);
}

#[tokio::test]
async fn forced_429_then_success() {
    let ctx = setup_limited().await;
    let general = ctx.demo.general_id;
    let control = common::Control::new(&ctx.sim);
    let (status, _) = control.post("/faults/rest", json!({"action": "rate_limit", "route": "POST /channels/{channel_id}/messages", "count": 1})).await;
    assert_eq!(status, 200);
    let path = format!("/channels/{general}/messages");
    let limited = ctx
        .call("POST", &path, Some(json!({"content": "first"})))
        .await;
    assert_429(&limited);
    assert!(ctx.sim.channel_messages(general).is_empty());
    let ok = ctx
        .call("POST", &path, Some(json!({"content": "second"})))
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
    assert_eq!(ctx.sim.channel_messages(general).len(), 1);
}

#[tokio::test]
async fn injected_server_errors_fail_exactly_count_times() {
    let ctx = setup_limited().await;
    let general = ctx.demo.general_id;
    let control = common::Control::new(&ctx.sim);
    let path = format!("/channels/{general}/messages");
    for status in [500u16, 502, 503] {
        let (code, _) = control
            .post("/faults/rest", json!({"action": "fail", "route": "POST /channels/{channel_id}/messages", "status": status, "count": 2}))
            .await;
        assert_eq!(code, 200);
        for _ in 0..2 {
            let failed = ctx.call("POST", &path, Some(json!({"content": "x"}))).await;
            assert_eq!(failed.status, status, "{:?}", failed.body);
        }
        let ok = ctx
            .call(
                "POST",
                &path,
                Some(json!({"content": format!("after {status}")})),
            )
            .await;
        assert_eq!(ok.status, 200, "{:?}", ok.body);
    }
    let stored: Vec<String> = ctx
        .sim
        .channel_messages(general)
        .iter()
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stored, vec!["after 500", "after 502", "after 503"]);
    // The request log shows the six injected failures and nothing else failed.
    let failures: Vec<u16> = ctx
        .sim
        .requests(0)
        .iter()
        .filter(|r| r.status >= 400)
        .map(|r| r.status)
        .collect();
    assert_eq!(failures, vec![500, 500, 502, 502, 503, 503]);
}

#[tokio::test]
async fn message_bucket_is_per_channel_like_discord() {
    let ctx = setup_limited().await;
    let general = ctx.demo.general_id;
    let path = format!("/channels/{general}/messages");
    let mut remaining = Vec::new();
    for n in 0..5 {
        let answer = ctx
            .call("POST", &path, Some(json!({"content": format!("m{n}")})))
            .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        remaining.push(header(&answer, "x-ratelimit-remaining").to_string());
    }
    assert_eq!(remaining, vec!["4", "3", "2", "1", "0"]);
    let limited = ctx
        .call("POST", &path, Some(json!({"content": "sixth"})))
        .await;
    assert_429(&limited);
    assert_eq!(ctx.sim.channel_messages(general).len(), 5);
    // Another channel has its own counter.
    let shifts = ctx.demo.shifts_id;
    let other = ctx
        .call(
            "POST",
            &format!("/channels/{shifts}/messages"),
            Some(json!({"content": "fine"})),
        )
        .await;
    assert_eq!(other.status, 200, "{:?}", other.body);
    assert_eq!(header(&other, "x-ratelimit-remaining"), "4");
}
