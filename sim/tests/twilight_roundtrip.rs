//! One round trip through twilight-gateway and twilight-http as a client, using the URLs
//! the `agora-sim` binary prints: a real Discord library must accept everything the sim
//! sends (READY, GUILD_CREATE, INTERACTION_CREATE, messages) and the sim must accept
//! everything it sends (REST calls, interaction callbacks).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use twilight_gateway::{
    queue::InMemoryQueue, ConfigBuilder, Event, EventTypeFlags, Intents, Shard, ShardId,
    StreamExt as _,
};
use twilight_http::Client;
use twilight_model::application::interaction::InteractionData;
use twilight_model::http::interaction::{
    InteractionResponse, InteractionResponseData, InteractionResponseType,
};
use twilight_model::id::Id;

/// The sim binary, killed when dropped.
struct SimProcess(Child);

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_binary() -> (SimProcess, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora-sim"))
        .args(["serve", "--listen", "127.0.0.1:0", "--scenario", "demo"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("agora-sim starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("one line on stdout");
    let ready: Value = serde_json::from_str(&line).expect("the first line is JSON");
    (SimProcess(child), ready)
}

async fn control(ready: &Value, method: &str, path: &str, body: Option<Value>) -> Value {
    let client = reqwest::Client::new();
    let url = format!("{}{}", ready["control"].as_str().unwrap(), path);
    let request = match method {
        "POST" => client.post(url).json(&body.unwrap_or(Value::Null)),
        _ => client.get(url),
    };
    request
        .send()
        .await
        .expect("control answers")
        .json()
        .await
        .expect("json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilight_gateway_and_http_round_trip_through_the_binary() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (_process, ready) = start_binary();
    for key in [
        "http",
        "gateway",
        "control",
        "llm",
        "token",
        "application_id",
    ] {
        assert!(ready[key].is_string(), "the ready line has {key}: {ready}");
    }
    let token = ready["token"].as_str().unwrap().to_string();
    let authority = ready["http"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .to_string();
    let http = Client::builder()
        .proxy(authority, true)
        .token(token.clone())
        .build();

    // twilight-http: who am I, which application.
    let me = http
        .current_user()
        .await
        .expect("GET /users/@me")
        .model()
        .await
        .expect("a user twilight can read");
    assert!(me.bot);
    let application = http
        .current_user_application()
        .await
        .expect("GET /oauth2/applications/@me")
        .model()
        .await
        .expect("an application");
    assert_eq!(
        application.id.to_string(),
        ready["application_id"].as_str().unwrap()
    );

    // twilight-gateway: READY and the demo guild.
    let config = ConfigBuilder::new(token, Intents::all())
        .proxy_url(ready["gateway"].as_str().unwrap().to_string())
        .queue(InMemoryQueue::new(
            0,
            1000,
            Duration::from_secs(86_400),
            1000,
        ))
        .build();
    let mut shard = Shard::with_config(ShardId::ONE, config);
    let mut guild_id = None;
    while guild_id.is_none() {
        let event = tokio::time::timeout(
            Duration::from_secs(10),
            shard.next_event(EventTypeFlags::all()),
        )
        .await
        .expect("events within 10 s")
        .expect("the shard is open")
        .expect("twilight parses every event");
        if let Event::GuildCreate(guild) = event {
            let twilight_model::gateway::payload::incoming::GuildCreate::Available(full) = *guild
            else {
                panic!("an available guild")
            };
            assert!(full
                .channels
                .iter()
                .any(|c| c.name.as_deref() == Some("general")));
            guild_id = Some(full.id);
        }
    }
    let guild_id = guild_id.unwrap();

    // Register a command with twilight-http, as a bot does.
    let application_id = application.id;
    let interaction_client = http.interaction(application_id);
    let commands = interaction_client
        .set_guild_commands(
            guild_id,
            &[twilight_util_free_command(
                "status",
                "Show the bot's status",
            )],
        )
        .await
        .expect("PUT guild commands")
        .models()
        .await
        .expect("commands twilight can read");
    assert_eq!(commands.len(), 1);

    // A person runs it through the control API; twilight receives and answers it.
    let state = control(&ready, "GET", "/state", None).await;
    let demo = &state["demo"];
    let run = serde_json::json!({"kind": "command", "guild_id": demo["guild_id"], "channel_id": demo["general_id"], "user_id": demo["member_ids"][0], "name": "status"});
    let started = control(&ready, "POST", "/interactions", Some(run)).await;
    let interaction_id = started["id"]
        .as_str()
        .expect("an interaction id")
        .to_string();
    let interaction = loop {
        let event = tokio::time::timeout(
            Duration::from_secs(10),
            shard.next_event(EventTypeFlags::all()),
        )
        .await
        .expect("the interaction arrives")
        .expect("open")
        .expect("twilight parses INTERACTION_CREATE");
        if let Event::InteractionCreate(interaction) = event {
            break interaction;
        }
    };
    assert_eq!(interaction.id.to_string(), interaction_id);
    let Some(InteractionData::ApplicationCommand(data)) = &interaction.data else {
        panic!("command data")
    };
    assert_eq!(data.name, "status");
    let response = InteractionResponse {
        kind: InteractionResponseType::ChannelMessageWithSource,
        data: Some(InteractionResponseData {
            content: Some("All systems go".into()),
            ..Default::default()
        }),
    };
    interaction_client
        .create_response(interaction.id, &interaction.token, &response)
        .await
        .expect("the callback is accepted");
    let followup = interaction_client
        .create_followup(&interaction.token)
        .content("and a follow-up")
        .await
        .expect("follow-up")
        .model()
        .await
        .expect("a message");
    assert_eq!(followup.content, "and a follow-up");

    let record = control(
        &ready,
        "GET",
        &format!("/interactions/{interaction_id}?wait_ms=2000"),
        None,
    )
    .await;
    assert_eq!(record["callback"]["type"], 4);
    assert_eq!(record["payload"]["content"], "All systems go");

    // A message through twilight-http comes back over twilight-gateway.
    let general = Id::new(demo["general_id"].as_str().unwrap().parse().unwrap());
    let sent = http
        .create_message(general)
        .content("hello from twilight")
        .await
        .expect("POST message")
        .model()
        .await
        .expect("a message");
    loop {
        let event = tokio::time::timeout(
            Duration::from_secs(10),
            shard.next_event(EventTypeFlags::all()),
        )
        .await
        .expect("MESSAGE_CREATE arrives")
        .expect("open")
        .expect("parsed");
        if let Event::MessageCreate(message) = event {
            if message.id == sent.id {
                assert_eq!(message.content, "hello from twilight");
                break;
            }
        }
    }
}

/// A chat-input command built by hand (twilight-util is not a dependency of the sim).
fn twilight_util_free_command(
    name: &str,
    description: &str,
) -> twilight_model::application::command::Command {
    use twilight_model::application::command::{Command, CommandType};
    #[allow(deprecated)]
    Command {
        application_id: None,
        contexts: None,
        default_member_permissions: None,
        dm_permission: None,
        description: description.into(),
        description_localizations: None,
        guild_id: None,
        id: None,
        integration_types: None,
        kind: CommandType::ChatInput,
        name: name.into(),
        name_localizations: None,
        nsfw: None,
        options: Vec::new(),
        version: Id::new(1),
    }
}
