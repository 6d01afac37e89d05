//! The `/_sim` control API over HTTP, as scripts use it: the world snapshot, building the
//! world, acting as people (messages, reactions, voice, presence, interactions), reading
//! DMs, commands and the request log, gateway sessions and floods, faults, and the LLM.

mod common;

use std::time::{Duration, Instant};

use agora_sim::{DemoWorld, Sim};
use common::{Control, Rest, ALL_INTENTS};
use serde_json::{json, Value};

struct Ctx {
    sim: Sim,
    control: Control,
    rest: Rest,
    demo: DemoWorld,
}

async fn setup() -> Ctx {
    let sim = common::demo_sim().await;
    let control = Control::new(&sim);
    let rest = Rest::new(&sim);
    let demo = sim.demo().expect("demo ids");
    Ctx {
        sim,
        control,
        rest,
        demo,
    }
}

impl Ctx {
    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .control
            .client
            .patch(format!("{}{path}", self.control.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn state(&self) -> Value {
        let (status, state) = self.control.get("/state").await;
        assert_eq!(status, 200);
        state
    }

    fn guild(&self) -> u64 {
        self.demo.guild_id
    }
}

fn id(value: &Value) -> u64 {
    value
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("expected a snowflake string, got {value}"))
}

/// A control error: the status and a non-empty `error` text.
#[track_caller]
fn assert_control_error(answer: &(u16, Value), status: u16) {
    assert_eq!(answer.0, status, "{:?}", answer.1);
    assert!(
        answer.1["error"].as_str().is_some_and(|e| !e.is_empty()),
        "an `error` text: {:?}",
        answer.1
    );
}

/// The state's member entry for a user, if they are in the first guild.
fn member(state: &Value, user: u64) -> Option<&Value> {
    state["guilds"][0]["members"]
        .as_array()?
        .iter()
        .find(|m| id(&m["id"]) == user)
}

#[tokio::test]
async fn state_shows_the_demo_world() {
    let ctx = setup().await;
    let state = ctx.state().await;
    let demo = &ctx.demo;
    assert_eq!(id(&state["application_id"]), ctx.sim.application_id());
    assert_eq!(id(&state["bot_user_id"]), ctx.sim.bot_user_id());
    let guilds = state["guilds"].as_array().unwrap();
    assert_eq!(guilds.len(), 1);
    let guild = &guilds[0];
    assert_eq!(id(&guild["id"]), demo.guild_id);
    assert_eq!(id(&guild["owner_id"]), demo.owner_id);

    let mut roles: Vec<&str> = guild["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, vec!["@everyone", "Admin", "Agora", "Moderator"]);
    let admin_role = guild["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Admin")
        .unwrap();
    assert_eq!(id(&admin_role["id"]), demo.admin_role_id);
    assert_eq!(admin_role["permissions"], "8");

    let members = guild["members"].as_array().unwrap();
    assert_eq!(
        members.len(),
        8,
        "owner, bot, 1 admin, 2 moderators, 3 members"
    );
    let with_role = |role: u64| {
        members
            .iter()
            .filter(|m| m["roles"].as_array().unwrap().iter().any(|r| id(r) == role))
            .count()
    };
    assert_eq!(with_role(demo.admin_role_id), 1);
    assert_eq!(with_role(demo.moderator_role_id), 2);
    let plain = members
        .iter()
        .filter(|m| m["roles"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(plain, 4, "3 members and the owner have no roles");
    let bot = member(&state, ctx.sim.bot_user_id()).unwrap();
    assert_eq!(bot["bot"], true);
    assert_eq!(bot["roles"], json!([demo.bot_role_id.to_string()]));
    assert_eq!(member(&state, demo.admin_id).unwrap()["username"], "ada");
    let mut member_names: Vec<&str> = demo
        .member_ids
        .iter()
        .map(|m| member(&state, *m).unwrap()["username"].as_str().unwrap())
        .collect();
    member_names.sort_unstable();
    assert_eq!(member_names, vec!["pat", "quinn", "rhea"]);

    let channels = guild["channels"].as_array().unwrap();
    let named = |name: &str| {
        channels
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("channel {name} in {channels:?}"))
    };
    for (name, channel_id) in [
        ("general", demo.general_id),
        ("shifts", demo.shifts_id),
        ("tickets", demo.tickets_id),
        ("admin-log", demo.admin_log_id),
        ("announcements", demo.announcements_id),
    ] {
        assert_eq!(id(&named(name)["id"]), channel_id);
        assert_eq!(named(name)["type"], 0);
    }
    assert_eq!(named("Proposed")["type"], 4);
    assert_eq!(id(&named("Proposed")["id"]), demo.proposed_category_id);
    let voice = channels
        .iter()
        .find(|c| c["type"] == 2)
        .expect("a voice channel");
    assert_eq!(id(&voice["id"]), demo.voice_id);
    assert_eq!(channels.len(), 7);

    let ids = &state["demo"];
    assert_eq!(id(&ids["guild_id"]), demo.guild_id);
    assert_eq!(id(&ids["general_id"]), demo.general_id);
    assert_eq!(id(&ids["bot_role_id"]), demo.bot_role_id);
    assert_eq!(ids["moderator_ids"].as_array().unwrap().len(), 2);
    assert_eq!(ids["member_ids"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn users_guilds_members_roles_channels() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let (status, user) = ctx.control.post("/users", json!({"username": "zed"})).await;
    assert_eq!(status, 200);
    let zed = id(&user["id"]);

    let join = ctx
        .control
        .post(
            &format!("/guilds/{guild}/members"),
            json!({"user_id": zed.to_string(), "roles": [ctx.demo.moderator_role_id.to_string()]}),
        )
        .await;
    assert_eq!(join, (200, json!({"ok": true})));
    let state = ctx.state().await;
    assert_eq!(member(&state, zed).unwrap()["username"], "zed");
    assert_eq!(
        member(&state, zed).unwrap()["roles"],
        json!([ctx.demo.moderator_role_id.to_string()])
    );
    assert_control_error(
        &ctx.control
            .post(
                &format!("/guilds/{guild}/members"),
                json!({"user_id": zed.to_string()}),
            )
            .await,
        400,
    );
    assert_control_error(
        &ctx.control
            .post(
                &format!("/guilds/{guild}/members"),
                json!({"user_id": "42"}),
            )
            .await,
        404,
    );
    assert_control_error(
        &ctx.control
            .post(
                &format!("/guilds/{guild}/members"),
                json!({"user_id": ctx.sim.create_user("yan").to_string(), "roles": ["42"]}),
            )
            .await,
        404,
    );

    let (status, role) = ctx
        .control
        .post(
            &format!("/guilds/{guild}/roles"),
            json!({"name": "Helpers", "permissions": "2048"}),
        )
        .await;
    assert_eq!(status, 200);
    let helpers = id(&role["id"]);
    let roles = ctx
        .patch(
            &format!("/guilds/{guild}/members/{zed}"),
            json!({"roles": [helpers.to_string()]}),
        )
        .await;
    assert_eq!(roles, (200, json!({"ok": true})));
    let state = ctx.state().await;
    assert_eq!(
        member(&state, zed).unwrap()["roles"],
        json!([helpers.to_string()])
    );
    let helpers_role = state["guilds"][0]["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| id(&r["id"]) == helpers)
        .cloned()
        .unwrap();
    assert_eq!(helpers_role["name"], "Helpers");
    assert_eq!(helpers_role["permissions"], "2048");

    let (status, channel) = ctx.control.post(&format!("/guilds/{guild}/channels"), json!({"name": "side-room", "type": 0, "parent_id": ctx.demo.proposed_category_id.to_string()})).await;
    assert_eq!(status, 200);
    let side = id(&channel["id"]);
    let state = ctx.state().await;
    let listed = state["guilds"][0]["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| id(&c["id"]) == side)
        .cloned()
        .unwrap();
    assert_eq!(listed["name"], "side-room");
    assert_eq!(id(&listed["parent_id"]), ctx.demo.proposed_category_id);
    assert_control_error(
        &ctx.control
            .post(
                &format!("/guilds/{guild}/channels"),
                json!({"name": "x", "type": 3}),
            )
            .await,
        400,
    );
    assert_control_error(
        &ctx.control
            .post("/guilds/42/channels", json!({"name": "x"}))
            .await,
        404,
    );

    let left = ctx
        .control
        .delete(&format!("/guilds/{guild}/members/{zed}"))
        .await;
    assert_eq!(left, (200, json!({"ok": true})));
    assert!(member(&ctx.state().await, zed).is_none());
    assert_control_error(
        &ctx.control
            .delete(&format!("/guilds/{guild}/members/{zed}"))
            .await,
        404,
    );

    let (status, second) = ctx
        .control
        .post("/guilds", json!({"name": "Night Shift", "owner": "sam"}))
        .await;
    assert_eq!(status, 200);
    let state = ctx.state().await;
    let guilds = state["guilds"].as_array().unwrap();
    assert_eq!(guilds.len(), 2);
    let night = guilds.iter().find(|g| g["id"] == second["id"]).unwrap();
    assert_eq!(night["name"], "Night Shift");
    assert_eq!(night["owner_id"], second["owner_id"]);
    let bot_role = night["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Agora")
        .unwrap();
    assert_eq!(
        bot_role["permissions"], "8",
        "the bot is Administrator in a new guild by default"
    );
    let owner = night["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == second["owner_id"])
        .unwrap();
    assert_eq!(owner["username"], "sam");
}

#[tokio::test]
async fn messages_with_files_reactions_and_reading_them_back() {
    use base64::Engine;
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let pat = ctx.demo.member_ids[0];
    let file = b"shift,who\nmon,pat\n".to_vec();
    let (status, sent) = ctx
        .control
        .post(
            "/messages",
            json!({
                "channel_id": general.to_string(),
                "user_id": pat.to_string(),
                "content": "can someone take monday?",
                "files": [{"filename": "roster.csv", "content_type": "text/csv", "data_base64": base64::engine::general_purpose::STANDARD.encode(&file)}]
            }),
        )
        .await;
    assert_eq!(status, 200, "{sent:?}");
    let message = id(&sent["id"]);
    let (status, messages) = ctx
        .control
        .get(&format!("/channels/{general}/messages"))
        .await;
    assert_eq!(status, 200);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(id(&messages[0]["id"]), message);
    assert_eq!(id(&messages[0]["author"]["id"]), pat);
    assert_eq!(messages[0]["content"], "can someone take monday?");
    let attachment = &messages[0]["attachments"][0];
    assert_eq!(attachment["filename"], "roster.csv");
    assert_eq!(attachment["size"], file.len());
    let download = reqwest::get(attachment["url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(download.bytes().await.unwrap().to_vec(), file);

    // Refusals: an unknown user, a member who cannot see the channel, an unknown channel.
    let send = |channel: u64, user: u64| json!({"channel_id": channel.to_string(), "user_id": user.to_string(), "content": "hi"});
    assert_control_error(&ctx.control.post("/messages", send(general, 42)).await, 404);
    assert_control_error(
        &ctx.control
            .post("/messages", send(ctx.demo.admin_log_id, pat))
            .await,
        403,
    );
    assert_control_error(&ctx.control.post("/messages", send(42, pat)).await, 404);
    assert_control_error(&ctx.control.post("/messages", json!({"channel_id": general.to_string(), "user_id": pat.to_string(), "content": ""})).await, 400);
    assert_control_error(&ctx.control.get("/channels/42/messages").await, 404);
    assert_eq!(ctx.sim.channel_messages(general).len(), 1);

    let reaction = json!({"channel_id": general.to_string(), "message_id": message.to_string(), "user_id": ctx.demo.member_ids[1].to_string(), "emoji": "👍"});
    assert_eq!(
        ctx.control.post("/reactions", reaction.clone()).await,
        (200, json!({"ok": true}))
    );
    let (_, messages) = ctx
        .control
        .get(&format!("/channels/{general}/messages"))
        .await;
    assert_eq!(messages[0]["reactions"][0]["emoji"]["name"], "👍");
    assert_eq!(messages[0]["reactions"][0]["count"], 1);
    assert_eq!(messages[0]["reactions"][0]["me"], false);
    let mut removal = reaction.clone();
    removal["remove"] = json!(true);
    assert_eq!(ctx.control.post("/reactions", removal).await.0, 200);
    let (_, messages) = ctx
        .control
        .get(&format!("/channels/{general}/messages"))
        .await;
    assert!(
        messages[0].get("reactions").is_none_or(|r| r == &json!([])),
        "{:?}",
        messages[0]
    );
    let mut unknown = reaction;
    unknown["message_id"] = json!("42");
    assert_control_error(&ctx.control.post("/reactions", unknown).await, 404);
}

#[tokio::test]
async fn voice_and_presence() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let pat = ctx.demo.member_ids[0];
    let voice = ctx.demo.voice_id;
    let join = json!({"guild_id": guild.to_string(), "user_id": pat.to_string(), "channel_id": voice.to_string()});
    assert_eq!(
        ctx.control.post("/voice", join).await,
        (200, json!({"ok": true}))
    );
    let in_voice = ctx.sim.state().world.lock().guilds[&guild]
        .voice_states
        .get(&pat)
        .map(|v| v.channel_id);
    assert_eq!(in_voice, Some(voice));
    let not_voice = json!({"guild_id": guild.to_string(), "user_id": pat.to_string(), "channel_id": ctx.demo.general_id.to_string()});
    assert_control_error(&ctx.control.post("/voice", not_voice).await, 400);
    let leave =
        json!({"guild_id": guild.to_string(), "user_id": pat.to_string(), "channel_id": null});
    assert_eq!(ctx.control.post("/voice", leave.clone()).await.0, 200);
    assert!(!ctx.sim.state().world.lock().guilds[&guild]
        .voice_states
        .contains_key(&pat));
    assert_control_error(&ctx.control.post("/voice", leave).await, 400);

    let presence = json!({"guild_id": guild.to_string(), "user_id": pat.to_string(), "status": "idle", "activities": [{"name": "Chess", "type": 0}]});
    assert_eq!(
        ctx.control.post("/presence", presence).await,
        (200, json!({"ok": true}))
    );
    {
        let world = ctx.sim.state().world.lock();
        let stored = &world.guilds[&guild].presences[&pat];
        assert_eq!(stored.status, "idle");
        assert_eq!(stored.activities, json!([{"name": "Chess", "type": 0}]));
    }
    let bad =
        json!({"guild_id": guild.to_string(), "user_id": pat.to_string(), "status": "asleep"});
    assert_control_error(&ctx.control.post("/presence", bad).await, 400);
    let stranger = json!({"guild_id": guild.to_string(), "user_id": "42", "status": "online"});
    assert_control_error(&ctx.control.post("/presence", stranger).await, 404);
}

#[tokio::test]
async fn command_interactions_and_their_records() {
    let ctx = setup().await;
    let guild = ctx.guild();
    let pat = ctx.demo.member_ids[0];
    let registered = common::register_guild_commands(
        &ctx.sim,
        &ctx.rest,
        json!([{"name": "swap", "description": "Swap a shift", "options": [{"type": 3, "name": "day", "description": "which day", "required": true}]}]),
    )
    .await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let run = |user: u64, channel: u64, name: &str| json!({"kind": "command", "guild_id": guild.to_string(), "channel_id": channel.to_string(), "user_id": user.to_string(), "name": name, "options": [{"name": "day", "value": "monday"}]});
    let (status, created) = ctx
        .control
        .post("/interactions", run(pat, ctx.demo.general_id, "swap"))
        .await;
    assert_eq!(status, 200, "{created:?}");
    let interaction = id(&created["id"]);
    let payload = ctx
        .sim
        .state()
        .interactions
        .get(interaction)
        .expect("registered")
        .payload
        .clone();
    assert_eq!(payload["data"]["name"], "swap");
    assert_eq!(
        payload["data"]["options"],
        json!([{"name": "day", "type": 3, "value": "monday"}])
    );

    let started = Instant::now();
    let (status, record) = ctx
        .control
        .get(&format!("/interactions/{interaction}?wait_ms=200"))
        .await;
    let waited = started.elapsed();
    assert_eq!(status, 200);
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(3),
        "waited {waited:?}"
    );
    assert_eq!(id(&record["id"]), interaction);
    assert_eq!(record["type"], 2);
    assert_eq!(id(&record["user_id"]), pat);
    assert_eq!(id(&record["guild_id"]), guild);
    assert_eq!(id(&record["channel_id"]), ctx.demo.general_id);
    assert_eq!(record["callback"], Value::Null, "the bot never answered");
    assert_eq!(record["followups"], json!([]));

    assert_control_error(
        &ctx.control
            .post("/interactions", run(pat, ctx.demo.general_id, "nope"))
            .await,
        400,
    );
    assert_control_error(
        &ctx.control
            .post("/interactions", run(42, ctx.demo.general_id, "swap"))
            .await,
        404,
    );
    assert_control_error(
        &ctx.control
            .post("/interactions", run(pat, ctx.demo.admin_log_id, "swap"))
            .await,
        403,
    );
    let mut missing = run(pat, ctx.demo.general_id, "swap");
    missing["options"] = json!([]);
    assert_control_error(&ctx.control.post("/interactions", missing).await, 400);
    assert_control_error(&ctx.control.get("/interactions/42").await, 404);

    let (status, commands) = ctx.control.get("/commands").await;
    assert_eq!(status, 200);
    assert_eq!(commands.as_array().map(Vec::len), Some(1));
    assert_eq!(commands[0]["name"], "swap");
    assert_eq!(id(&commands[0]["guild_id"]), guild);
    let (_, filtered) = ctx
        .control
        .get(&format!("/commands?guild_id={guild}"))
        .await;
    assert_eq!(filtered, commands);
}

#[tokio::test]
async fn component_and_modal_interactions() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let pat = ctx.demo.member_ids[0];
    let posted = ctx
        .rest
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "take a shift", "components": [{"type": 1, "components": [
                {"type": 2, "style": 1, "label": "Take", "custom_id": "take"},
                {"type": 2, "style": 2, "label": "Closed", "custom_id": "closed", "disabled": true}
            ]}]})),
        )
        .await;
    assert_eq!(posted.status, 200, "{:?}", posted.body);
    let message = posted.body["id"].as_str().unwrap().to_string();
    let click = |custom_id: &str| json!({"kind": "component", "message_id": message, "user_id": pat.to_string(), "custom_id": custom_id});
    let (status, created) = ctx.control.post("/interactions", click("take")).await;
    assert_eq!(status, 200, "{created:?}");
    let (status, record) = ctx
        .control
        .get(&format!("/interactions/{}", id(&created["id"])))
        .await;
    assert_eq!(status, 200);
    assert_eq!(record["type"], 3);
    assert_eq!(record["callback"], Value::Null);
    let payload = ctx
        .sim
        .state()
        .interactions
        .get(id(&created["id"]))
        .unwrap()
        .payload
        .clone();
    assert_eq!(payload["data"]["custom_id"], "take");
    assert_eq!(payload["data"]["component_type"], 2);
    assert_eq!(payload["message"]["id"], message.as_str());

    assert_control_error(
        &ctx.control.post("/interactions", click("closed")).await,
        403,
    );
    assert_control_error(
        &ctx.control.post("/interactions", click("missing")).await,
        400,
    );
    let modal = json!({"kind": "modal", "user_id": pat.to_string(), "custom_id": "signup", "fields": {"name": "Pat"}});
    assert_control_error(&ctx.control.post("/interactions", modal).await, 403);
}

#[tokio::test]
async fn dms_and_users() {
    let ctx = setup().await;
    let pat = ctx.demo.member_ids[0];
    let quinn = ctx.demo.member_ids[1];
    assert_eq!(
        ctx.control.get(&format!("/users/{pat}/dms")).await,
        (200, json!([]))
    );
    let opened = ctx
        .rest
        .call(
            "POST",
            "/users/@me/channels",
            Some(json!({"recipient_id": pat.to_string()})),
        )
        .await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    let channel = opened.body["id"].as_str().unwrap();
    let sent = ctx
        .rest
        .call(
            "POST",
            &format!("/channels/{channel}/messages"),
            Some(json!({"content": "you're on at 9"})),
        )
        .await;
    assert_eq!(sent.status, 200);
    let (status, dms) = ctx.control.get(&format!("/users/{pat}/dms")).await;
    assert_eq!(status, 200);
    assert_eq!(dms.as_array().map(Vec::len), Some(1));
    assert_eq!(dms[0]["content"], "you're on at 9");
    assert_eq!(id(&dms[0]["author"]["id"]), ctx.sim.bot_user_id());
    assert_control_error(&ctx.control.get("/users/42/dms").await, 404);

    let updated = ctx
        .patch(&format!("/users/{quinn}"), json!({"accepts_dms": false}))
        .await;
    assert_eq!(
        updated,
        (200, json!({"id": quinn.to_string(), "accepts_dms": false}))
    );
    let opened = ctx
        .rest
        .call(
            "POST",
            "/users/@me/channels",
            Some(json!({"recipient_id": quinn.to_string()})),
        )
        .await;
    let channel = opened.body["id"].as_str().unwrap();
    let refused = ctx
        .rest
        .call(
            "POST",
            &format!("/channels/{channel}/messages"),
            Some(json!({"content": "hello"})),
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body["code"], 50007);
    let (_, user) = ctx
        .control
        .post(
            "/users",
            json!({"username": "hermit", "accepts_dms": false}),
        )
        .await;
    assert!(!ctx.sim.state().world.lock().users[&id(&user["id"])].accepts_dms);
}

#[tokio::test]
async fn request_log_records_rest_calls() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let (status, log) = ctx.control.get("/requests").await;
    assert_eq!(status, 200);
    let start = log["total"].as_u64().unwrap();
    let sent = ctx
        .rest
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "logged"})),
        )
        .await;
    assert_eq!(sent.status, 200);
    let missing = ctx
        .rest
        .call("GET", &format!("/channels/{general}/messages/42"), None)
        .await;
    assert_eq!(missing.status, 404);

    let (_, log) = ctx.control.get(&format!("/requests?since={start}")).await;
    assert_eq!(log["total"], start + 2);
    let requests = log["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 2);
    let post = &requests[0];
    assert_eq!(post["seq"], start + 1);
    assert_eq!(post["method"], "POST");
    assert_eq!(post["path"], format!("/channels/{general}/messages"));
    assert_eq!(post["route"], "/channels/{channel_id}/messages");
    assert_eq!(post["status"], 200);
    assert_eq!(post["body"], json!({"content": "logged"}));
    assert!(post["at_ms"]
        .as_u64()
        .is_some_and(|ms| ms > 1_600_000_000_000));
    assert_eq!(requests[1]["method"], "GET");
    assert_eq!(requests[1]["status"], 404);
    assert_eq!(
        requests[1]["route"],
        "/channels/{channel_id}/messages/{message_id}"
    );

    let unrouted = ctx.rest.call("GET", "/not/a/route", None).await;
    assert_eq!(unrouted.status, 404);
    let (_, log) = ctx
        .control
        .get(&format!("/requests?since={}", start + 2))
        .await;
    assert_eq!(log["requests"][0]["path"], "/not/a/route");
    assert_eq!(log["requests"][0]["route"], Value::Null);
    assert_eq!(log["requests"][0]["status"], 404);

    let (_, only_posts) = ctx
        .control
        .get(&format!("/requests?since={start}&method=POST"))
        .await;
    assert_eq!(only_posts["requests"].as_array().map(Vec::len), Some(1));
    let (_, later) = ctx
        .control
        .get(&format!("/requests?since={}", start + 1))
        .await;
    assert_eq!(later["requests"].as_array().map(Vec::len), Some(2));
    assert_eq!(later["requests"][0]["method"], "GET");

    assert_eq!(
        ctx.control.delete("/requests").await,
        (200, json!({"ok": true}))
    );
    let (_, cleared) = ctx.control.get("/requests").await;
    assert_eq!(cleared["requests"], json!([]));
    assert_eq!(cleared["total"], start + 3, "the total survives a clear");
}

#[tokio::test]
async fn gateway_sessions_and_flood() {
    let ctx = setup().await;
    let (status, sessions) = ctx.control.get("/gateway/sessions").await;
    assert_eq!(status, 200);
    assert_eq!(sessions["sessions"], json!([]));
    assert_eq!(sessions["identifies"], 0);

    let (status, flood) = ctx
        .control
        .post(
            "/gateway/flood",
            json!({"event": "MESSAGE_CREATE", "count": 5}),
        )
        .await;
    assert_eq!(status, 200, "{flood:?}");
    assert_eq!(flood["sent"], 5);
    assert_eq!(flood["connections"], 0);
    assert_eq!(flood["event"], "MESSAGE_CREATE");
    assert_control_error(
        &ctx.control
            .post(
                "/gateway/flood",
                json!({"event": "TYPING_START", "count": 1}),
            )
            .await,
        400,
    );
    let (affected_status, affected) = ctx
        .control
        .post("/faults/gateway", json!({"action": "reconnect"}))
        .await;
    assert_eq!((affected_status, affected), (200, json!({"affected": 0})));

    let (gateway, _) = common::RawGateway::ready(&ctx.sim, ALL_INTENTS).await;
    let (_, sessions) = ctx.control.get("/gateway/sessions").await;
    assert_eq!(sessions["identifies"], 1);
    let list = sessions["sessions"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["shard"], json!([0, 1]));
    assert_eq!(list[0]["intents"], ALL_INTENTS);
    assert_eq!(list[0]["connected"], true);
    assert!(list[0]["session_id"]
        .as_str()
        .is_some_and(|s| !s.is_empty()));
    let (_, flood) = ctx
        .control
        .post(
            "/gateway/flood",
            json!({"event": "MESSAGE_CREATE", "count": 3}),
        )
        .await;
    assert_eq!(flood["sent"], 3);
    assert_eq!(flood["connections"], 1);
    let (_, latency) = ctx
        .control
        .post(
            "/faults/gateway",
            json!({"action": "latency", "latency_ms": 0}),
        )
        .await;
    assert_eq!(latency, json!({"affected": 1}));
    gateway.close().await;
}

#[tokio::test]
async fn rest_faults_listed_and_cleared() {
    let ctx = setup().await;
    let general = ctx.demo.general_id;
    let route = "POST /channels/{channel_id}/messages";
    assert_eq!(
        ctx.control.get("/faults").await,
        (200, json!({"rest_failures": [], "rest_latency_ms": 0}))
    );
    let fail = ctx
        .control
        .post(
            "/faults/rest",
            json!({"action": "fail", "route": route, "status": 503, "count": 2}),
        )
        .await;
    assert_eq!(fail, (200, json!({"ok": true})));
    assert_eq!(
        ctx.control
            .post(
                "/faults/rest",
                json!({"action": "latency", "latency_ms": 30})
            )
            .await
            .0,
        200
    );
    let (_, faults) = ctx.control.get("/faults").await;
    assert_eq!(
        faults,
        json!({"rest_failures": [{"route": route, "status": 503, "remaining": 2}], "rest_latency_ms": 30})
    );

    let started = Instant::now();
    let failed = ctx
        .rest
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "x"})),
        )
        .await;
    assert_eq!(failed.status, 503);
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "the latency applies"
    );
    let (_, faults) = ctx.control.get("/faults").await;
    assert_eq!(faults["rest_failures"][0]["remaining"], 1);

    assert_eq!(
        ctx.control.delete("/faults").await,
        (200, json!({"ok": true}))
    );
    assert_eq!(
        ctx.control.get("/faults").await,
        (200, json!({"rest_failures": [], "rest_latency_ms": 0}))
    );
    let ok = ctx
        .rest
        .call(
            "POST",
            &format!("/channels/{general}/messages"),
            Some(json!({"content": "x"})),
        )
        .await;
    assert_eq!(ok.status, 200, "cleared faults fail nothing: {:?}", ok.body);

    assert_control_error(
        &ctx.control
            .post(
                "/faults/rest",
                json!({"action": "fail", "route": route, "status": 200, "count": 1}),
            )
            .await,
        400,
    );
    assert_control_error(
        &ctx.control
            .post(
                "/faults/rest",
                json!({"action": "rate_limit", "route": route, "count": 1, "scope": "planet"}),
            )
            .await,
        400,
    );
    let bad = ctx
        .control
        .post("/faults/rest", json!({"action": "explode"}))
        .await;
    assert!(
        (400..500).contains(&bad.0),
        "an unknown action is a client error: {bad:?}"
    );
}

#[tokio::test]
async fn llm_endpoints_are_mounted() {
    let ctx = setup().await;
    let client = reqwest::Client::new();
    let chat = |path: &str, key: &str| {
        client
            .post(format!("{}{path}", ctx.sim.http_url()))
            .bearer_auth(key)
            .json(
                &json!({"model": "sim-small", "messages": [{"role": "user", "content": "hello"}]}),
            )
            .send()
    };
    let response = chat("/v1/chat/completions", ctx.sim.llm_api_key())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["model"], "sim-small");
    assert_eq!(body["choices"][0]["message"]["content"], "sim: hello");
    let other_path: Value = chat("/api/chat/completions", ctx.sim.llm_api_key())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(other_path["object"], "chat.completion");
    assert_eq!(
        chat("/v1/chat/completions", "sk-wrong")
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        chat("/v1/chat/completions", ctx.sim.token())
            .await
            .unwrap()
            .status(),
        401,
        "the bot token is not the LLM key"
    );

    let (status, queued) = ctx
        .control
        .post(
            "/llm/script",
            json!({"kind": "text", "content": "scripted answer"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(queued, json!({"queued": 1, "pending": 1}));
    let scripted: Value = chat("/v1/chat/completions", ctx.sim.llm_api_key())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        scripted["choices"][0]["message"]["content"],
        "scripted answer"
    );
    let after: Value = chat("/v1/chat/completions", ctx.sim.llm_api_key())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        after["choices"][0]["message"]["content"], "sim: hello",
        "the script was used up"
    );
}
