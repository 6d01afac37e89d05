//! The gateway lifecycle against a raw WebSocket client: identify, READY and
//! GUILD_CREATE, heartbeats and zombie closes, resume with replay, invalid sessions,
//! RECONNECT, both compressions, shards, intents, the send limit and floods.

mod common;

use std::time::Duration;

use serde_json::json;

use agora_sim::gateway::flood::FloodRequest;
use agora_sim::{Sim, SimConfig};
use common::{RawGateway, Received, ALL_INTENTS};

const GUILD_MESSAGES: u64 = 1 << 9;
const MESSAGE_CONTENT: u64 = 1 << 15;
const GUILDS: u64 = 1;

fn quick_heartbeat() -> SimConfig {
    let mut config = common::many_identifies(SimConfig::demo());
    // Short enough to wait out, with seconds of slack for a loaded machine.
    config.gateway.heartbeat_interval = Duration::from_millis(500);
    config.gateway.heartbeat_timeout = Duration::from_millis(2_500);
    config
}

#[tokio::test]
async fn identify_gets_ready_then_a_full_guild_create() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let (mut gateway, hello) = RawGateway::connect(&sim, None).await;
    assert_eq!(hello["d"]["heartbeat_interval"], 41_250);
    gateway.identify(sim.token(), ALL_INTENTS, None).await;

    let ready = gateway.expect_payload().await;
    assert_eq!(ready["t"], "READY");
    assert_eq!(ready["s"], 1, "READY is the first dispatch");
    let d = &ready["d"];
    assert_eq!(d["v"], 10);
    assert_eq!(d["user"]["bot"], true);
    assert_eq!(d["user"]["id"], sim.bot_user_id().to_string());
    assert_eq!(d["resume_gateway_url"], sim.gateway_url());
    assert_eq!(d["shard"], json!([0, 1]));
    assert_eq!(d["application"]["id"], sim.application_id().to_string());
    assert!(d["application"]["flags"].is_u64());
    assert_eq!(
        d["guilds"],
        json!([{"id": demo.guild_id.to_string(), "unavailable": true}])
    );
    assert_eq!(d["session_id"].as_str().unwrap().len(), 32);

    let guild = gateway.expect_payload().await;
    assert_eq!(guild["t"], "GUILD_CREATE");
    assert_eq!(guild["s"], 2);
    let g = &guild["d"];
    assert_eq!(g["id"], demo.guild_id.to_string());
    let channel_names: Vec<&str> = g["channels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for name in [
        "general",
        "shifts",
        "tickets",
        "admin-log",
        "announcements",
        "Proposed",
        "Lounge",
    ] {
        assert!(channel_names.contains(&name), "{name} in {channel_names:?}");
    }
    let role_names: Vec<&str> = g["roles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(
        role_names.contains(&"Admin")
            && role_names.contains(&"Moderator")
            && role_names.contains(&"@everyone")
    );
    // owner, bot, admin, two moderators, three members.
    assert_eq!(g["members"].as_array().unwrap().len(), 8);
    assert_eq!(g["member_count"], 8);
    assert!(g["voice_states"].is_array() && g["presences"].is_array());
    gateway.close().await;
}

#[tokio::test]
async fn a_bad_token_is_closed_with_4004() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway.identify("not-the-token", ALL_INTENTS, None).await;
    assert_eq!(gateway.expect_close().await, Some(4004));
}

#[tokio::test]
async fn presence_updates_are_recorded_and_bad_ones_close_the_connection() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    let watching = json!([{"name": "2 servers", "type": 3}]);
    gateway
        .send(json!({"op": 3, "d": {"status": "online", "since": null, "activities": watching, "afk": false}}))
        .await;
    let custom = json!([{"name": "Custom Status", "type": 4, "state": "Helping"}]);
    gateway
        .send(json!({"op": 3, "d": {"status": "idle", "since": null, "activities": custom, "afk": false}}))
        .await;
    // The connection stays; a heartbeat is still answered once both were read.
    gateway.send(json!({"op": 1, "d": null})).await;
    while gateway.expect_payload().await["op"] != 11 {}
    let updates = sim.state().gateway.presence_updates();
    let shown: Vec<String> = updates
        .iter()
        .filter_map(|update| update.activity.as_ref().map(|a| a.shown()))
        .collect();
    assert_eq!(shown, ["Watching 2 servers", "Helping"]);
    assert_eq!(updates[1].status, "idle");
    // An unknown activity type, an activity without a name, a custom status without its
    // state: Discord refuses each.
    for activities in [
        json!([{"name": "x", "type": 9}]),
        json!([{"type": 0}]),
        json!([{"name": "Custom Status", "type": 4}]),
    ] {
        let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
        gateway
            .send(json!({"op": 3, "d": {"status": "online", "since": null, "activities": activities, "afk": false}}))
            .await;
        assert_eq!(gateway.expect_close().await, Some(4002), "{activities}");
    }
    assert_eq!(sim.state().gateway.presence_updates().len(), 2);
}

#[tokio::test]
async fn protocol_errors_close_with_discords_codes() {
    let sim = common::demo_sim().await;
    // A payload before IDENTIFY.
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway.send(json!({"op": 3, "d": {"status": "online", "since": null, "activities": [], "afk": false}})).await;
    assert_eq!(gateway.expect_close().await, Some(4003));
    // Not JSON.
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    use futures::SinkExt;
    gateway
        .socket
        .send(tokio_tungstenite::tungstenite::Message::Text(
            "{nope".into(),
        ))
        .await
        .unwrap();
    assert_eq!(gateway.expect_close().await, Some(4002));
    // An unknown opcode after identifying.
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.send(json!({"op": 42, "d": null})).await;
    assert_eq!(gateway.expect_close().await, Some(4001));
    // A second IDENTIFY.
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.identify(sim.token(), ALL_INTENTS, None).await;
    assert_eq!(gateway.expect_close().await, Some(4005));
    // A shard that does not exist.
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway
        .identify(sim.token(), ALL_INTENTS, Some([2, 2]))
        .await;
    assert_eq!(gateway.expect_close().await, Some(4010));
    // Intents that do not exist.
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway.identify(sim.token(), 1 << 40, None).await;
    assert_eq!(gateway.expect_close().await, Some(4013));
    // API v9.
    let url = format!("{}/?v=9&encoding=json", sim.gateway_url());
    let mut gateway = RawGateway::connect_without_hello(&url).await;
    assert_eq!(gateway.expect_close().await, Some(4012));
}

#[tokio::test]
async fn privileged_intents_are_refused_when_the_app_lacks_them() {
    let mut config = common::many_identifies(SimConfig::demo());
    config.gateway.privileged_intents_allowed = false;
    let sim = common::sim_with(config).await;
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway
        .identify(sim.token(), GUILDS | MESSAGE_CONTENT, None)
        .await;
    assert_eq!(gateway.expect_close().await, Some(4014));
}

#[tokio::test]
async fn the_gateway_answers_with_and_without_a_trailing_slash() {
    let sim = common::demo_sim().await;
    for url in [
        format!("{}?v=10&encoding=json", sim.gateway_url()),
        format!("{}/?v=10&encoding=json", sim.gateway_url()),
    ] {
        let (mut gateway, hello) = RawGateway::connect_url(&url, None).await;
        assert_eq!(hello["op"], 10);
        gateway.identify(sim.token(), GUILDS, None).await;
        gateway.expect_dispatch("READY").await;
    }
}

#[tokio::test]
async fn heartbeats_are_acked_unless_acks_are_paused() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, GUILDS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    gateway.heartbeat().await;
    assert_eq!(gateway.expect_payload().await["op"], 11);

    sim.gateway().pause_heartbeat_acks(true);
    gateway.heartbeat().await;
    assert!(
        gateway
            .next_within(Duration::from_millis(300))
            .await
            .is_none(),
        "no ACK while paused"
    );
    sim.gateway().pause_heartbeat_acks(false);
    gateway.heartbeat().await;
    assert_eq!(gateway.expect_payload().await["op"], 11);
}

#[tokio::test]
async fn a_connection_that_stops_heartbeating_is_closed() {
    let sim = common::sim_with(quick_heartbeat()).await;
    let (mut gateway, hello) = RawGateway::connect(&sim, None).await;
    assert_eq!(hello["d"]["heartbeat_interval"], 500);
    gateway.identify(sim.token(), GUILDS, None).await;
    gateway.expect_dispatch("READY").await;
    // Heartbeat twice on time (every half interval, two seconds inside the timeout): still
    // open.
    for _ in 0..2 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        gateway.heartbeat().await;
        loop {
            if gateway.expect_payload().await["op"] == 11 {
                break;
            }
        }
    }
    // Then stop.
    assert_eq!(gateway.expect_close().await, Some(4009));
}

#[tokio::test]
async fn the_send_limit_closes_with_4008() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, GUILDS).await;
    for _ in 0..121 {
        gateway.heartbeat().await;
    }
    assert_eq!(gateway.expect_close().await, Some(4008));
}

#[tokio::test]
async fn resume_replays_every_missed_dispatch_then_resumed() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let (mut gateway, ready) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    let session_id = ready["session_id"].as_str().unwrap().to_string();
    let seen = gateway.last_seq.unwrap();

    // The connection breaks (no close frame); people keep talking meanwhile.
    assert_eq!(sim.gateway().drop_connections(None, None), 1);
    assert!(matches!(gateway.next().await, Received::Closed(_)));
    let mut sent = Vec::new();
    for n in 0..3 {
        sent.push(
            sim.send_message(demo.general_id, demo.member_ids[0], &format!("missed {n}"))
                .unwrap(),
        );
    }

    let (mut resumed, _) = RawGateway::connect(&sim, None).await;
    resumed
        .send(json!({"op": 6, "d": {"token": sim.token(), "session_id": session_id, "seq": seen}}))
        .await;
    for (n, id) in sent.iter().enumerate() {
        let event = resumed.expect_payload().await;
        assert_eq!(event["t"], "MESSAGE_CREATE");
        assert_eq!(
            event["s"],
            seen + 1 + n as u64,
            "replayed in order, none skipped"
        );
        assert_eq!(event["d"]["id"], id.to_string());
    }
    let done = resumed.expect_payload().await;
    assert_eq!(done["t"], "RESUMED");
    assert_eq!(done["s"], seen + 4);

    // Live events continue on the resumed connection with the next sequence number.
    sim.send_message(demo.general_id, demo.member_ids[1], "live")
        .unwrap();
    let live = resumed.expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(live["s"], seen + 5);
    assert_eq!(live["d"]["content"], "live");
}

#[tokio::test]
async fn resume_of_an_unknown_or_invalidated_session_gets_invalid_session() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway
        .send(json!({"op": 6, "d": {"token": sim.token(), "session_id": "nope", "seq": 1}}))
        .await;
    let answer = gateway.expect_payload().await;
    assert_eq!(
        (answer["op"].clone(), answer["d"].clone()),
        (json!(9), json!(false))
    );

    // INVALID_SESSION (not resumable) on demand; a resume afterwards is refused too.
    let (mut gateway, ready) = RawGateway::ready(&sim, GUILDS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    assert_eq!(sim.gateway().send_invalid_session(None, false), 1);
    let invalid = gateway.expect_payload().await;
    assert_eq!(
        (invalid["op"].clone(), invalid["d"].clone()),
        (json!(9), json!(false))
    );
    let (mut retry, _) = RawGateway::connect(&sim, None).await;
    retry.send(json!({"op": 6, "d": {"token": sim.token(), "session_id": ready["session_id"], "seq": 2}})).await;
    assert_eq!(retry.expect_payload().await["op"], 9);
}

#[tokio::test]
async fn reconnect_and_resumable_invalid_session_on_demand() {
    let sim = common::demo_sim().await;
    let (mut gateway, ready) = RawGateway::ready(&sim, GUILDS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    assert_eq!(sim.gateway().send_reconnect(None), 1);
    assert_eq!(gateway.expect_payload().await["op"], 7);
    assert_eq!(sim.gateway().send_invalid_session(None, true), 1);
    let invalid = gateway.expect_payload().await;
    assert_eq!(
        (invalid["op"].clone(), invalid["d"].clone()),
        (json!(9), json!(true))
    );
    // A resumable session can still be resumed.
    let seq = gateway.last_seq.unwrap();
    let (mut resumed, _) = RawGateway::connect(&sim, None).await;
    resumed.send(json!({"op": 6, "d": {"token": sim.token(), "session_id": ready["session_id"], "seq": seq}})).await;
    assert_eq!(resumed.expect_payload().await["t"], "RESUMED");
    // The old connection was taken over.
    assert!(matches!(gateway.next().await, Received::Closed(_)));
}

#[tokio::test]
async fn a_dropped_connection_with_a_close_code_sends_it() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, GUILDS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    assert_eq!(sim.gateway().drop_connections(Some(0), Some(4000)), 1);
    assert_eq!(gateway.expect_close().await, Some(4000));
}

#[tokio::test]
async fn zlib_and_zstd_streams_decode_across_frames() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    for compress in ["zlib-stream", "zstd-stream"] {
        let (mut gateway, hello) = RawGateway::connect(&sim, Some(compress)).await;
        assert_eq!(hello["op"], 10, "{compress}: HELLO");
        gateway.identify(sim.token(), ALL_INTENTS, None).await;
        assert_eq!(gateway.expect_payload().await["t"], "READY", "{compress}");
        assert_eq!(
            gateway.expect_payload().await["t"],
            "GUILD_CREATE",
            "{compress}"
        );
        for n in 0..5 {
            sim.send_message(
                demo.general_id,
                demo.member_ids[0],
                &format!("{compress} {n} {}", "x".repeat(n * 300)),
            )
            .unwrap();
            let event = gateway.expect_dispatch("MESSAGE_CREATE").await;
            assert!(event["d"]["content"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{compress} {n}")));
        }
        assert!(
            gateway.binary_frames >= 8,
            "{compress}: frames arrive compressed (binary)"
        );
    }
}

#[tokio::test]
async fn an_unknown_compression_is_refused() {
    let sim = common::demo_sim().await;
    let url = format!("{}/?v=10&encoding=json&compress=brotli", sim.gateway_url());
    let mut gateway = RawGateway::connect_without_hello(&url).await;
    assert!(matches!(gateway.next().await, Received::Closed(Some(_))));
}

#[tokio::test]
async fn each_shard_gets_only_its_guilds() {
    let sim = Sim::start(common::many_identifies(SimConfig::empty()))
        .await
        .unwrap();
    let guilds: Vec<u64> = (0..6)
        .map(|n| sim.create_guild(&format!("g{n}"), "owner", 1 << 3).0)
        .collect();
    let shard_of = |guild: u64| ((guild >> 22) % 2) as u32;
    let mut shards = Vec::new();
    for shard in 0..2u32 {
        let (mut gateway, _) = RawGateway::connect(&sim, None).await;
        gateway
            .identify(sim.token(), ALL_INTENTS, Some([shard, 2]))
            .await;
        let ready = gateway.expect_dispatch("READY").await;
        let mut listed: Vec<String> = ready["d"]["guilds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect();
        let mut expected: Vec<String> = guilds
            .iter()
            .filter(|g| shard_of(**g) == shard)
            .map(|g| g.to_string())
            .collect();
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected, "shard {shard}");
        for _ in 0..expected.len() {
            gateway.expect_dispatch("GUILD_CREATE").await;
        }
        shards.push(gateway);
    }
    // A message in a guild reaches only the shard that serves it.
    let guild = guilds[0];
    let channel = sim.create_channel(guild, "talk", 0, None).unwrap();
    let user = sim.create_user("u");
    sim.join_guild(guild, user, &[]).unwrap();
    sim.send_message(channel, user, "hello shard").unwrap();
    let home = shard_of(guild) as usize;
    let event = shards[home].expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(event["d"]["content"], "hello shard");
    let other = &mut shards[1 - home];
    while let Some(Received::Payload(payload)) = other.next_within(Duration::from_millis(300)).await
    {
        assert_ne!(
            payload["t"], "MESSAGE_CREATE",
            "the other shard got a foreign guild's message"
        );
    }
}

#[tokio::test]
async fn intents_decide_events_and_message_content() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let (mut without_messages, _) = RawGateway::ready(&sim, GUILDS).await;
    let (mut without_content, _) = RawGateway::ready(&sim, GUILDS | GUILD_MESSAGES).await;
    let (mut with_content, _) =
        RawGateway::ready(&sim, GUILDS | GUILD_MESSAGES | MESSAGE_CONTENT).await;
    sim.send_message(demo.general_id, demo.member_ids[0], "secret words")
        .unwrap();
    assert_eq!(
        with_content.expect_dispatch("MESSAGE_CREATE").await["d"]["content"],
        "secret words"
    );
    let stripped = without_content.expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(
        stripped["d"]["content"], "",
        "no MESSAGE_CONTENT intent, no content"
    );
    assert_eq!(
        stripped["d"]["author"]["id"],
        demo.member_ids[0].to_string()
    );
    // Mentioning the bot gives the content even without the intent, like Discord.
    sim.send_message(
        demo.general_id,
        demo.member_ids[0],
        &format!("<@{}> hi", sim.bot_user_id()),
    )
    .unwrap();
    let mention = without_content.expect_dispatch("MESSAGE_CREATE").await;
    assert_eq!(
        mention["d"]["content"],
        format!("<@{}> hi", sim.bot_user_id())
    );
    while let Some(Received::Payload(payload)) = without_messages
        .next_within(Duration::from_millis(300))
        .await
    {
        assert_ne!(
            payload["t"], "MESSAGE_CREATE",
            "no GUILD_MESSAGES intent, no messages"
        );
    }
}

#[tokio::test]
async fn people_actions_arrive_as_gateway_events() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;

    let newcomer = sim.create_user("newcomer");
    sim.join_guild(demo.guild_id, newcomer, &[]).unwrap();
    let add = gateway.expect_dispatch("GUILD_MEMBER_ADD").await;
    assert_eq!(add["d"]["user"]["id"], newcomer.to_string());
    assert_eq!(add["d"]["guild_id"], demo.guild_id.to_string());

    let message = sim
        .send_message(demo.general_id, newcomer, "hi all")
        .unwrap();
    gateway.expect_dispatch("MESSAGE_CREATE").await;
    sim.react(demo.general_id, message, demo.member_ids[0], "🔥", true)
        .unwrap();
    let reaction = gateway.expect_dispatch("MESSAGE_REACTION_ADD").await;
    assert_eq!(reaction["d"]["emoji"]["name"], "🔥");
    assert_eq!(reaction["d"]["user_id"], demo.member_ids[0].to_string());

    sim.set_voice(demo.guild_id, newcomer, Some(demo.voice_id))
        .unwrap();
    let voice = gateway.expect_dispatch("VOICE_STATE_UPDATE").await;
    assert_eq!(voice["d"]["channel_id"], demo.voice_id.to_string());
    sim.set_voice(demo.guild_id, newcomer, None).unwrap();
    let left = gateway.expect_dispatch("VOICE_STATE_UPDATE").await;
    assert!(left["d"]["channel_id"].is_null());

    sim.set_presence(
        demo.guild_id,
        newcomer,
        "dnd",
        json!([{"name": "Chess", "type": 0}]),
    )
    .unwrap();
    let presence = gateway.expect_dispatch("PRESENCE_UPDATE").await;
    assert_eq!(presence["d"]["status"], "dnd");

    sim.leave_guild(demo.guild_id, newcomer).unwrap();
    let removed = gateway.expect_dispatch("GUILD_MEMBER_REMOVE").await;
    assert_eq!(removed["d"]["user"]["id"], newcomer.to_string());
}

#[tokio::test]
async fn a_flood_reaches_the_client_in_order_and_is_counted() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    let start_seq = gateway.last_seq.unwrap();
    let reader = tokio::spawn(async move {
        let mut seqs = Vec::new();
        while seqs.len() < 2_000 {
            let event = gateway.expect_dispatch("MESSAGE_CREATE").await;
            seqs.push(event["s"].as_u64().unwrap());
        }
        seqs
    });
    let report = sim
        .flood(FloodRequest {
            event: "MESSAGE_CREATE".into(),
            count: 2_000,
            rate_per_s: None,
            guild_id: None,
            spacing_ms: None,
        })
        .await
        .unwrap();
    assert_eq!(report.sent, 2_000);
    assert_eq!(report.connections, 1);
    let seqs = reader.await.unwrap();
    let expected: Vec<u64> = (start_seq + 1..=start_seq + 2_000).collect();
    assert_eq!(seqs, expected, "every flooded event, once, in order");
}

#[tokio::test]
async fn a_flood_at_a_set_rate_takes_its_time() {
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, ALL_INTENTS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    let reader = tokio::spawn(async move {
        for _ in 0..20 {
            gateway.expect_dispatch("GUILD_MEMBER_ADD").await;
        }
    });
    let report = sim
        .flood(FloodRequest {
            event: "GUILD_MEMBER_ADD".into(),
            count: 20,
            rate_per_s: Some(100.0),
            guild_id: None,
            spacing_ms: None,
        })
        .await
        .unwrap();
    reader.await.unwrap();
    assert_eq!(report.sent, 20);
    assert!(
        report.seconds >= 0.19,
        "20 events at 100/s take about 0.2 s, took {}",
        report.seconds
    );
}

#[tokio::test]
async fn a_client_close_is_answered_with_a_close_frame() {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
    let sim = common::demo_sim().await;
    let (mut gateway, _) = RawGateway::ready(&sim, GUILDS).await;
    gateway.expect_dispatch("GUILD_CREATE").await;
    let frame = CloseFrame {
        code: CloseCode::Library(4000),
        reason: "resuming connection".into(),
    };
    gateway
        .socket
        .send(tokio_tungstenite::tungstenite::Message::Close(Some(frame)))
        .await
        .unwrap();
    assert_eq!(
        gateway.expect_close().await,
        Some(4000),
        "the close handshake completes"
    );
}

/// Discord's session start limits: one IDENTIFY per bucket (`shard_id % max_concurrency`)
/// per window, the rest answered with op 9 on an open connection; the day's starts counted
/// down in `GET /gateway/bot`, and none left → op 9 too.
#[tokio::test]
async fn identify_limits_answer_op_9_per_bucket_and_per_day() {
    let mut config = SimConfig::empty();
    config.gateway.recommended_shards = 4;
    config.gateway.max_concurrency = 2;
    config.gateway.identify_window = Duration::from_millis(400);
    config.gateway.session_start_total = 4;
    let sim = common::sim_with(config).await;
    let rest = common::Rest::new(&sim);
    let bot = rest.call("GET", "/gateway/bot", None).await;
    assert_eq!(bot.status, 200);
    assert_eq!(bot.body["shards"], 4);
    assert_eq!(bot.body["session_start_limit"]["max_concurrency"], 2);
    assert_eq!(bot.body["session_start_limit"]["remaining"], 4);
    assert_eq!(bot.body["session_start_limit"]["total"], 4);

    let identify = |shard: u32| {
        let sim = &sim;
        async move {
            let (mut gateway, _) = RawGateway::connect(sim, None).await;
            gateway
                .identify(sim.token(), GUILDS, Some([shard, 4]))
                .await;
            let answer = gateway.expect_payload().await;
            (gateway, answer)
        }
    };
    // Buckets 0 and 1 each take one at once.
    let (_zero, ready) = identify(0).await;
    assert_eq!(ready["t"], "READY");
    let (_one, ready) = identify(1).await;
    assert_eq!(ready["t"], "READY");
    // Shard 2 is bucket 0 again, inside its window: op 9, and the connection stays open.
    let (mut early, refused) = identify(2).await;
    assert_eq!(refused["op"], 9, "{refused}");
    assert_eq!(refused["d"], false);
    tokio::time::sleep(Duration::from_millis(450)).await;
    early.identify(sim.token(), GUILDS, Some([2, 4])).await;
    assert_eq!(
        early.expect_payload().await["t"],
        "READY",
        "after the window"
    );
    let (_three, ready) = identify(3).await;
    assert_eq!(ready["t"], "READY");

    let bot = rest.call("GET", "/gateway/bot", None).await;
    assert_eq!(bot.body["session_start_limit"]["remaining"], 0);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (_none_left, refused) = identify(0).await;
    assert_eq!(refused["op"], 9, "no session starts left: {refused}");

    let stats = reqwest::get(format!("{}/_sim/gateway/sessions", sim.http_url()))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(stats["identifies_too_early"], 1, "{stats}");
    assert_eq!(stats["identifies_over_daily_limit"], 1, "{stats}");
}

/// `large:<guilds>x<members>`: every guild arrives with its members (the bot among them),
/// roles, channels and a tenth of the members online; a bad size is refused by name.
#[tokio::test]
async fn the_large_scenario_builds_guilds_of_members() {
    let scenario: agora_sim::Scenario = "large:3x20".parse().unwrap();
    assert_eq!(
        scenario,
        agora_sim::Scenario::Large {
            guilds: 3,
            members: 20
        }
    );
    let refused = "large:3".parse::<agora_sim::Scenario>().unwrap_err();
    assert!(refused.contains("large:<guilds>x<members>"), "{refused}");
    let mut config = SimConfig::empty();
    config.scenario = scenario;
    let sim = common::sim_with(config).await;
    let (mut gateway, _) = RawGateway::connect(&sim, None).await;
    gateway.identify(sim.token(), ALL_INTENTS, None).await;
    let ready = gateway.expect_dispatch("READY").await;
    assert_eq!(ready["d"]["guilds"].as_array().unwrap().len(), 3);
    for _ in 0..3 {
        let guild = gateway.expect_dispatch("GUILD_CREATE").await;
        let data = &guild["d"];
        assert_eq!(data["member_count"], 20, "{}", data["name"]);
        assert_eq!(data["members"].as_array().unwrap().len(), 20);
        assert_eq!(data["presences"].as_array().unwrap().len(), 2);
        assert_eq!(data["roles"].as_array().unwrap().len(), 10);
        assert_eq!(data["channels"].as_array().unwrap().len(), 7);
    }
}
