//! Interactions end to end, with the test playing the bot over a raw gateway and raw
//! REST: slash commands, the 3-second deadline, double acknowledgement, deferral and
//! edits, follow-ups, buttons, modals, autocomplete, and the Discord client's checks.

mod common;

use std::time::Duration;

use serde_json::{json, Value};

use agora_sim::actions::{ActionError, CommandRun, ComponentUse, ModalSubmit};
use agora_sim::{CommandOption, Sim, SimConfig, WaitFor};
use common::{RawGateway, Rest, ALL_INTENTS};

const WAIT: Duration = Duration::from_secs(5);

/// The bot side of a test: a gateway connection and a REST client.
struct Bot {
    gateway: RawGateway,
    rest: Rest,
}

impl Bot {
    async fn connect(sim: &Sim) -> Bot {
        let (mut gateway, _) = RawGateway::ready(sim, ALL_INTENTS).await;
        gateway.expect_dispatch("GUILD_CREATE").await;
        let rest = Rest::new(sim);
        let answer = common::register_guild_commands(sim, &rest, commands()).await;
        assert_eq!(answer.status, 200, "commands registered: {:?}", answer.body);
        Bot { gateway, rest }
    }

    /// The next INTERACTION_CREATE's `d`.
    async fn interaction(&mut self) -> Value {
        self.gateway.expect_dispatch("INTERACTION_CREATE").await["d"].clone()
    }

    async fn respond(&self, interaction: &Value, body: Value) -> common::Answer {
        let path = format!(
            "/interactions/{}/{}/callback",
            interaction["id"].as_str().unwrap(),
            interaction["token"].as_str().unwrap()
        );
        // Callbacks carry no bot token, like twilight-http sends them.
        self.rest
            .call_with_token("POST", &path, Some(body), None)
            .await
    }

    async fn webhook(
        &self,
        sim: &Sim,
        method: &str,
        interaction: &Value,
        suffix: &str,
        body: Option<Value>,
    ) -> common::Answer {
        let path = format!(
            "/webhooks/{}/{}{}",
            sim.application_id(),
            interaction["token"].as_str().unwrap(),
            suffix
        );
        self.rest.call_with_token(method, &path, body, None).await
    }
}

fn commands() -> Value {
    json!([
        {"name": "ping", "description": "Check the bot", "options": [
            {"type": 3, "name": "note", "description": "Anything", "required": false, "max_length": 20},
            {"type": 4, "name": "count", "description": "How many", "min_value": 1, "max_value": 5},
            {"type": 3, "name": "color", "description": "A color", "choices": [{"name": "Red", "value": "red"}, {"name": "Blue", "value": "blue"}]},
            {"type": 6, "name": "who", "description": "Someone"}
        ]},
        {"name": "timezone", "description": "Time zones", "options": [
            {"type": 1, "name": "set", "description": "Set yours", "options": [
                {"type": 3, "name": "zone", "description": "IANA zone", "required": true, "autocomplete": true}
            ]}
        ]},
        {"name": "report", "description": "Report something"},
        {"name": "purge", "description": "Staff only", "default_member_permissions": "8192"}
    ])
}

fn run(sim: &Sim, user: u64, name: &str, options: Vec<CommandOption>) -> CommandRun {
    let demo = sim.demo().unwrap();
    CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id: demo.general_id,
        user_id: user,
        name: name.into(),
        options,
        unchecked: false,
    }
}

#[tokio::test]
async fn a_slash_command_reaches_the_bot_and_its_answer_reaches_the_person() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let person = demo.member_ids[0];
    let id = sim
        .run_command(run(
            &sim,
            person,
            "ping",
            vec![
                CommandOption::value("note", "hello"),
                CommandOption::value("who", demo.admin_id.to_string()),
            ],
        ))
        .unwrap();

    let interaction = bot.interaction().await;
    assert_eq!(interaction["id"], id.to_string());
    assert_eq!(interaction["type"], 2);
    assert_eq!(interaction["data"]["name"], "ping");
    assert_eq!(
        interaction["data"]["options"][0],
        json!({"name": "note", "type": 3, "value": "hello"})
    );
    assert_eq!(interaction["data"]["options"][1]["type"], 6);
    assert_eq!(
        interaction["data"]["resolved"]["users"][demo.admin_id.to_string()]["username"],
        "ada"
    );
    assert!(
        interaction["data"]["resolved"]["members"][demo.admin_id.to_string()]["permissions"]
            .is_string()
    );
    assert_eq!(interaction["member"]["user"]["id"], person.to_string());
    assert!(interaction["member"]["permissions"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .is_ok());
    assert_eq!(interaction["guild_id"], demo.guild_id.to_string());
    assert_eq!(interaction["channel"]["id"], demo.general_id.to_string());
    assert!(interaction["app_permissions"].is_string());
    assert!(interaction["attachment_size_limit"].is_u64());
    assert!(interaction["authorizing_integration_owners"].is_object());

    let answer = bot
        .respond(
            &interaction,
            json!({"type": 4, "data": {"content": "pong: hello"}}),
        )
        .await;
    assert_eq!(answer.status, 204);
    let record = sim.answer(id, WAIT).await.unwrap();
    assert_eq!(record.callback.as_ref().unwrap().kind, 4);
    assert_eq!(record.payload["content"], "pong: hello");
    // A public answer is a message in the channel, tied to the interaction.
    let messages = sim.channel_messages(demo.general_id);
    let last = messages.last().unwrap();
    assert_eq!(last["content"], "pong: hello");
    assert_eq!(
        last["interaction_metadata"]["user"]["id"],
        person.to_string()
    );
    assert_eq!(last["type"], 20);
}

#[tokio::test]
async fn an_ephemeral_answer_is_seen_only_by_the_person() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let before = sim.channel_messages(demo.general_id).len();
    let id = sim
        .run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    assert_eq!(
        bot.respond(
            &interaction,
            json!({"type": 4, "data": {"content": "only you", "flags": 64}})
        )
        .await
        .status,
        204
    );
    let record = sim.answer(id, WAIT).await.unwrap();
    assert_eq!(record.payload["content"], "only you");
    assert_eq!(record.payload["flags"].as_u64().unwrap() & 64, 64);
    assert_eq!(
        sim.channel_messages(demo.general_id).len(),
        before,
        "not in the channel for others"
    );
}

#[tokio::test]
async fn a_callback_after_the_deadline_is_unknown_interaction() {
    let mut config = SimConfig::demo();
    config.interaction_deadline = Duration::from_millis(200);
    let sim = common::sim_with(config).await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let id = sim
        .run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let late = bot
        .respond(
            &interaction,
            json!({"type": 4, "data": {"content": "too late"}}),
        )
        .await;
    assert_eq!(late.status, 404);
    assert_eq!(late.body["code"], 10062);
    let record = sim
        .interaction(id, WaitFor::Callback, Duration::ZERO)
        .await
        .unwrap();
    assert!(
        record.callback.is_none(),
        "the person saw 'This interaction failed'"
    );
    assert_eq!(record.errors[0].code, 10062);
}

#[tokio::test]
async fn a_token_past_its_lifetime_is_refused_with_50027() {
    let mut config = SimConfig::demo();
    // Discord's tokens live 15 minutes; a second here, so the test need not wait.
    config.interaction_token_lifetime = Duration::from_secs(1);
    let sim = common::sim_with(config).await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let id = sim
        .run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    assert_eq!(
        bot.respond(&interaction, json!({"type": 5})).await.status,
        204
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late = bot
        .webhook(
            &sim,
            "PATCH",
            &interaction,
            "/messages/@original",
            Some(json!({"content": "long after"})),
        )
        .await;
    assert_eq!(
        (late.status, late.body["code"].clone()),
        (401, json!(50027))
    );
    let record = sim
        .interaction(id, WaitFor::Callback, Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(record.errors.last().map(|e| e.code), Some(50027));
}

#[tokio::test]
async fn an_unknown_token_is_unknown_interaction() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    sim.run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let mut interaction = bot.interaction().await;
    interaction["token"] = json!("forged");
    let answer = bot.respond(&interaction, json!({"type": 5})).await;
    assert_eq!(
        (answer.status, answer.body["code"].clone()),
        (404, json!(10062))
    );
}

#[tokio::test]
async fn two_racing_acknowledgements_one_wins_the_other_gets_40060() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let id = sim
        .run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    let (a, b) = tokio::join!(
        bot.respond(
            &interaction,
            json!({"type": 4, "data": {"content": "first"}})
        ),
        bot.respond(
            &interaction,
            json!({"type": 4, "data": {"content": "second"}})
        )
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [204, 400]);
    let loser = if a.status == 400 { &a } else { &b };
    assert_eq!(loser.body["code"], 40060);
    let record = sim.answer(id, WAIT).await.unwrap();
    let messages: Vec<Value> = sim
        .channel_messages(demo.general_id)
        .into_iter()
        .filter(|m| {
            m["interaction_metadata"]["id"]
                .as_str()
                .and_then(|s| s.parse::<u64>().ok())
                == Some(id)
        })
        .collect();
    assert_eq!(messages.len(), 1, "exactly one answer was posted");
    assert_eq!(record.errors.len(), 1);
}

#[tokio::test]
async fn a_deferral_then_an_edit_of_the_original() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let id = sim
        .run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    assert_eq!(
        bot.respond(&interaction, json!({"type": 5, "data": {"flags": 64}}))
            .await
            .status,
        204
    );
    let thinking = sim.interaction(id, WaitFor::Callback, WAIT).await.unwrap();
    assert_eq!(thinking.callback.as_ref().unwrap().kind, 5);
    assert_eq!(
        thinking.original.as_ref().unwrap()["flags"]
            .as_u64()
            .unwrap()
            & 128,
        128,
        "loading"
    );

    let edited = bot
        .webhook(
            &sim,
            "PATCH",
            &interaction,
            "/messages/@original",
            Some(json!({"content": "done after work"})),
        )
        .await;
    assert_eq!(edited.status, 200, "{:?}", edited.body);
    assert_eq!(edited.body["content"], "done after work");
    let record = sim.interaction(id, WaitFor::Answer, WAIT).await.unwrap();
    assert_eq!(record.payload["content"], "done after work");
    assert_eq!(
        record.payload["flags"].as_u64().unwrap() & 128,
        0,
        "no longer loading"
    );
    assert_eq!(record.edits.len(), 1);
    let fetched = bot
        .webhook(&sim, "GET", &interaction, "/messages/@original", None)
        .await;
    assert_eq!(fetched.body["content"], "done after work");
    assert_eq!(
        bot.webhook(&sim, "DELETE", &interaction, "/messages/@original", None)
            .await
            .status,
        204
    );
    assert_eq!(
        bot.webhook(&sim, "GET", &interaction, "/messages/@original", None)
            .await
            .body["code"],
        10008
    );
}

#[tokio::test]
async fn follow_ups_need_an_acknowledgement_and_the_first_replaces_the_loading_message() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let id = sim
        .run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    let early = bot
        .webhook(
            &sim,
            "POST",
            &interaction,
            "",
            Some(json!({"content": "too soon"})),
        )
        .await;
    assert_eq!(
        (early.status, early.body["code"].clone()),
        (404, json!(10015))
    );

    bot.respond(&interaction, json!({"type": 5})).await;
    let first = bot
        .webhook(
            &sim,
            "POST",
            &interaction,
            "",
            Some(json!({"content": "part one"})),
        )
        .await;
    assert_eq!(first.status, 200);
    let second = bot
        .webhook(
            &sim,
            "POST",
            &interaction,
            "",
            Some(json!({"content": "part two"})),
        )
        .await;
    let record = sim.interaction(id, WaitFor::Followup, WAIT).await.unwrap();
    assert_eq!(
        record.original.as_ref().unwrap()["id"],
        first.body["id"],
        "the first follow-up is the original"
    );
    assert_eq!(record.followups.len(), 2);
    assert_eq!(record.followups[1]["content"], "part two");
    let edited = bot
        .webhook(
            &sim,
            "PATCH",
            &interaction,
            &format!("/messages/{}", second.body["id"].as_str().unwrap()),
            Some(json!({"content": "part 2"})),
        )
        .await;
    assert_eq!(edited.body["content"], "part 2");
    // Someone else's message is not this webhook's.
    let other = sim
        .send_message(demo.general_id, demo.member_ids[1], "mine")
        .unwrap();
    assert_eq!(
        bot.webhook(
            &sim,
            "PATCH",
            &interaction,
            &format!("/messages/{other}"),
            Some(json!({"content": "x"}))
        )
        .await
        .body["code"],
        10008
    );
}

#[tokio::test]
async fn buttons_are_clicked_and_updated_and_a_disabled_one_cannot_be() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let posted = bot
        .rest
        .call(
            "POST",
            &format!("/channels/{}/messages", demo.shifts_id),
            Some(json!({"content": "A shift", "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "Claim", "custom_id": "shift:claim:1"}]}]})),
        )
        .await;
    assert_eq!(posted.status, 200, "{:?}", posted.body);
    let message_id: u64 = posted.body["id"].as_str().unwrap().parse().unwrap();
    let moderator = demo.moderator_ids[0];
    let click = sim
        .use_component(ComponentUse {
            message_id,
            user_id: moderator,
            custom_id: "shift:claim:1".into(),
            values: vec![],
            unchecked: false,
        })
        .unwrap();
    let interaction = bot.interaction().await;
    assert_eq!(interaction["type"], 3);
    assert_eq!(
        interaction["data"],
        json!({"custom_id": "shift:claim:1", "component_type": 2})
    );
    assert_eq!(interaction["message"]["id"], message_id.to_string());
    let update = json!({"type": 7, "data": {"content": "Claimed by <@1>", "components": [{"type": 1, "components": [{"type": 2, "style": 2, "label": "Claimed", "custom_id": "shift:claim:1", "disabled": true}]}]}});
    assert_eq!(bot.respond(&interaction, update).await.status, 204);
    let record = sim.answer(click, WAIT).await.unwrap();
    assert_eq!(record.payload["content"], "Claimed by <@1>");
    let message = sim.message(message_id).unwrap();
    assert_eq!(message["components"][0]["components"][0]["disabled"], true);

    let again = sim.use_component(ComponentUse {
        message_id,
        user_id: demo.moderator_ids[1],
        custom_id: "shift:claim:1".into(),
        values: vec![],
        unchecked: false,
    });
    assert!(
        matches!(again, Err(ActionError::NotAllowed(_))),
        "{again:?}"
    );
    let missing = sim.use_component(ComponentUse {
        message_id,
        user_id: moderator,
        custom_id: "nope".into(),
        values: vec![],
        unchecked: false,
    });
    assert!(matches!(missing, Err(ActionError::Invalid(_))));
}

#[tokio::test]
async fn a_select_menu_sends_the_picked_values() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let menu = json!({"type": 3, "custom_id": "help:category", "options": [{"label": "Shifts", "value": "shifts"}, {"label": "Tickets", "value": "tickets"}]});
    let posted = bot
        .rest
        .call(
            "POST",
            &format!("/channels/{}/messages", demo.general_id),
            Some(json!({"content": "Help", "components": [{"type": 1, "components": [menu]}]})),
        )
        .await;
    let message_id: u64 = posted.body["id"].as_str().unwrap().parse().unwrap();
    let user = demo.member_ids[2];
    let bad = sim.use_component(ComponentUse {
        message_id,
        user_id: user,
        custom_id: "help:category".into(),
        values: vec!["nope".into()],
        unchecked: false,
    });
    assert!(matches!(bad, Err(ActionError::Invalid(_))));
    sim.use_component(ComponentUse {
        message_id,
        user_id: user,
        custom_id: "help:category".into(),
        values: vec!["tickets".into()],
        unchecked: false,
    })
    .unwrap();
    let interaction = bot.interaction().await;
    assert_eq!(interaction["data"]["values"], json!(["tickets"]));
    assert_eq!(interaction["data"]["component_type"], 3);
}

#[tokio::test]
async fn a_modal_is_shown_checked_and_submitted() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let person = demo.member_ids[0];
    let submit = |fields: Value| ModalSubmit {
        guild_id: Some(demo.guild_id),
        channel_id: Some(demo.general_id),
        user_id: person,
        custom_id: "report:form".into(),
        fields: fields.as_object().unwrap().clone(),
        unchecked: false,
    };
    // Nobody opened it yet.
    assert!(matches!(
        sim.submit_modal(submit(json!({"what": "spam"}))),
        Err(ActionError::NotAllowed(_))
    ));

    let id = sim
        .run_command(run(&sim, person, "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    let six_inputs: Vec<Value> = (0..6).map(|n| json!({"type": 1, "components": [{"type": 4, "custom_id": format!("f{n}"), "style": 1, "label": "L"}]})).collect();
    let too_big = bot.respond(&interaction, json!({"type": 9, "data": {"custom_id": "report:form", "title": "Report", "components": six_inputs}})).await;
    assert_eq!(
        (too_big.status, too_big.body["code"].clone()),
        (400, json!(50035)),
        "{:?}",
        too_big.body
    );
    let modal = json!({"type": 9, "data": {"custom_id": "report:form", "title": "Report", "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "what", "style": 2, "label": "What happened", "min_length": 5, "required": true}]}
    ]}});
    assert_eq!(bot.respond(&interaction, modal).await.status, 204);
    assert_eq!(
        sim.answer(id, WAIT).await.unwrap().callback.unwrap().kind,
        9
    );

    assert!(
        matches!(
            sim.submit_modal(submit(json!({"what": "spam"}))),
            Err(ActionError::Invalid(_))
        ),
        "shorter than min_length"
    );
    assert!(
        matches!(
            sim.submit_modal(submit(json!({}))),
            Err(ActionError::Invalid(_))
        ),
        "required"
    );
    let submitted = sim
        .submit_modal(submit(json!({"what": "spam in general"})))
        .unwrap();
    let modal_interaction = bot.interaction().await;
    assert_eq!(modal_interaction["type"], 5);
    // Every action row and text input carries its integer id, as Discord sends them (the
    // modal gave none, so they are numbered in order): twilight-model requires them.
    assert_eq!(
        modal_interaction["data"]["components"][0],
        json!({"type": 1, "id": 1, "components": [
            {"type": 4, "id": 2, "custom_id": "what", "value": "spam in general"}
        ]})
    );
    let parsed: twilight_model::application::interaction::Interaction =
        serde_json::from_value(modal_interaction.clone()).expect("twilight reads the submit");
    assert!(parsed.data.is_some());
    // A modal submit may not open another modal.
    let nested = bot.respond(&modal_interaction, json!({"type": 9, "data": {"custom_id": "x", "title": "T", "components": [{"type": 1, "components": [{"type": 4, "custom_id": "a", "style": 1, "label": "L"}]}]}})).await;
    assert_eq!(nested.status, 400);
    assert_eq!(
        bot.respond(
            &modal_interaction,
            json!({"type": 4, "data": {"content": "Thanks", "flags": 64}})
        )
        .await
        .status,
        204
    );
    assert_eq!(
        sim.answer(submitted, WAIT).await.unwrap().payload["content"],
        "Thanks"
    );
}

#[tokio::test]
async fn autocomplete_allows_at_most_25_choices_and_only_type_8() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    let typing = CommandRun {
        options: vec![CommandOption::sub(
            "set",
            vec![CommandOption::focused("zone", "Euro")],
        )],
        ..run(&sim, demo.member_ids[0], "timezone", vec![])
    };
    let id = sim.autocomplete(typing.clone()).unwrap();
    let interaction = bot.interaction().await;
    assert_eq!(interaction["type"], 4);
    assert_eq!(
        interaction["data"]["options"][0]["options"][0],
        json!({"name": "zone", "type": 3, "value": "Euro", "focused": true})
    );
    let wrong_type = bot
        .respond(&interaction, json!({"type": 4, "data": {"content": "no"}}))
        .await;
    assert_eq!(wrong_type.status, 400);
    let too_many: Vec<Value> = (0..26)
        .map(|n| json!({"name": format!("Zone {n}"), "value": format!("z{n}")}))
        .collect();
    let rejected = bot
        .respond(
            &interaction,
            json!({"type": 8, "data": {"choices": too_many}}),
        )
        .await;
    assert_eq!(
        (rejected.status, rejected.body["code"].clone()),
        (400, json!(50035))
    );
    let fine = bot.respond(&interaction, json!({"type": 8, "data": {"choices": [{"name": "Europe/London", "value": "Europe/London"}]}})).await;
    assert_eq!(fine.status, 204);
    assert_eq!(
        sim.answer(id, WAIT).await.unwrap().payload["choices"][0]["value"],
        "Europe/London"
    );
    // A focused option is only for autocomplete.
    assert!(sim.run_command(typing).is_err());
}

#[tokio::test]
async fn the_client_refuses_what_a_person_could_not_send() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let _bot = Bot::connect(&sim).await;
    let member = demo.member_ids[0];
    let refused = |r: Result<u64, ActionError>| assert!(r.is_err(), "should be refused: {r:?}");
    refused(sim.run_command(run(&sim, member, "nope", vec![])));
    refused(sim.run_command(run(
        &sim,
        member,
        "ping",
        vec![CommandOption::value("count", 9)],
    )));
    refused(sim.run_command(run(
        &sim,
        member,
        "ping",
        vec![CommandOption::value("count", "three")],
    )));
    refused(sim.run_command(run(
        &sim,
        member,
        "ping",
        vec![CommandOption::value("color", "green")],
    )));
    refused(sim.run_command(run(
        &sim,
        member,
        "ping",
        vec![CommandOption::value("note", "x".repeat(21))],
    )));
    refused(sim.run_command(run(
        &sim,
        member,
        "ping",
        vec![CommandOption::value("bogus", 1)],
    )));
    refused(sim.run_command(run(
        &sim,
        member,
        "timezone",
        vec![CommandOption::sub("set", vec![])],
    )));
    // default_member_permissions hides /purge (MANAGE_MESSAGES) from plain members…
    assert!(matches!(
        sim.run_command(run(&sim, member, "purge", vec![])),
        Err(ActionError::NotAllowed(_))
    ));
    // …but not from moderators and admins.
    assert!(sim
        .run_command(run(&sim, demo.moderator_ids[0], "purge", vec![]))
        .is_ok());
    assert!(sim
        .run_command(run(&sim, demo.admin_id, "purge", vec![]))
        .is_ok());
    // A modified client can skip the checks; the bot must then cope.
    let unchecked = CommandRun {
        unchecked: true,
        ..run(&sim, member, "ping", vec![CommandOption::value("count", 9)])
    };
    assert!(sim.run_command(unchecked).is_ok());
    // A member cannot run commands in a channel they cannot see.
    let hidden = CommandRun {
        channel_id: demo.admin_log_id,
        ..run(&sim, member, "report", vec![])
    };
    assert!(matches!(
        sim.run_command(hidden),
        Err(ActionError::NotAllowed(_))
    ));
}

#[tokio::test]
async fn with_response_returns_the_callback_resource() {
    let sim = common::demo_sim().await;
    let demo = sim.demo().unwrap();
    let mut bot = Bot::connect(&sim).await;
    sim.run_command(run(&sim, demo.member_ids[0], "report", vec![]))
        .unwrap();
    let interaction = bot.interaction().await;
    let path = format!(
        "/interactions/{}/{}/callback?with_response=true",
        interaction["id"].as_str().unwrap(),
        interaction["token"].as_str().unwrap()
    );
    let answer = bot
        .rest
        .call_with_token(
            "POST",
            &path,
            Some(json!({"type": 4, "data": {"content": "hi"}})),
            None,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["resource"]["message"]["content"], "hi");
    assert_eq!(answer.body["interaction"]["id"], interaction["id"]);
}
