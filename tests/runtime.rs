//! The runtime end to end: Agora booted as `agora run` boots it, connected to agora-sim's
//! demo world, used by its people — commands registered at start, `/status`, `/help` per
//! role, `/config`, the admins' prefix commands, stale buttons and unknown commands, a
//! panicking actor restarted, a slow actor answered "busy" and deferred, a database that
//! goes away, guilds kept apart, the ops endpoint.

use std::time::Duration;
use twilight_model::id::Id;

use agora::boot::Extension;
use agora_actors::dispatcher::{InteractionRequest, RequestKind};
use agora_actors::feature::{Feature, FeatureStart, HelpCategory};
use agora_actors::kernel::catalogue::CommandEntry;
use agora_actors::kernel::policy::AccessLevel;
use agora_actors::kernel::reply::{ModalField, Reply, ReplyMessage};
use agora_actors::kernel::supervision::{Concern, ConcernHandle, Limits};
use agora_sim::actions::{CommandOption, ComponentUse};
use agora_testkit::{
    content, custom_ids, is_private, message_id, message_text, redis_url, run_test, wait_until,
    FreshPostgres, Harness, Refusal, ANSWER,
};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use twilight_interactions::command::{CommandModel, CreateCommand};

// ---- a bot developer's extension, used to inject failures ------------------------------

#[derive(CommandModel, CreateCommand)]
#[command(name = "lab", desc = "Test commands", contexts = "guild")]
#[allow(dead_code)]
enum LabCommand {
    #[command(name = "ok")]
    Ok(LabOk),
    #[command(name = "crash")]
    Crash(LabCrash),
    #[command(name = "slow")]
    Slow(LabSlow),
    #[command(name = "form")]
    Form(LabForm),
    #[command(name = "echo")]
    Echo(LabEcho),
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "echo", desc = "Repeats what it is given, however long")]
struct LabEcho {
    /// What to repeat
    text: String,
    /// How many times
    times: i64,
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "form", desc = "Shows a form")]
struct LabForm;

#[derive(CommandModel, CreateCommand)]
#[command(name = "ok", desc = "Answers at once")]
struct LabOk;

#[derive(CommandModel, CreateCommand)]
#[command(name = "crash", desc = "Panics in the handler")]
struct LabCrash;

#[derive(CommandModel, CreateCommand)]
#[command(name = "slow", desc = "Takes its time")]
struct LabSlow {
    /// Milliseconds to take
    millis: i64,
}

/// A concern whose handler can panic or be slow, with a one-message mailbox.
struct Lab;

impl Concern for Lab {
    const NAME: &'static str = "lab";
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        if let RequestKind::Modal { .. } = &request.kind {
            let said = request.field("said").unwrap_or_default().to_owned();
            return async move { Reply::Message(ReplyMessage::private(format!("you said: {said}"))) }
                .boxed_local();
        }
        let RequestKind::Command { path, .. } = &request.kind else {
            return async { Reply::Acknowledge }.boxed_local();
        };
        match path.first().map(String::as_str) {
            Some("echo") => {
                let echoed = match request
                    .command_input()
                    .and_then(|input| LabCommand::from_interaction(input).ok())
                {
                    Some(LabCommand::Echo(LabEcho { text, times })) => {
                        text.repeat(times.clamp(0, 10_000) as usize)
                    }
                    _ => String::new(),
                };
                // Deliberately unbounded: Discord refuses content over 2,000 characters.
                async move { Reply::Message(ReplyMessage::text(echoed)) }.boxed_local()
            }
            Some("form") => async {
                Reply::Modal {
                    custom_id: "lab:1:form".into(),
                    title: "Say something".into(),
                    fields: vec![ModalField {
                        custom_id: "said".into(),
                        label: "What to say".into(),
                        paragraph: false,
                        required: true,
                        min_length: Some(1),
                        max_length: Some(100),
                        value: None,
                        placeholder: None,
                    }],
                }
            }
            .boxed_local(),
            Some("crash") => async { panic!("the lab was asked to crash") }.boxed_local(),
            Some("slow") => {
                let command = request
                    .command_input()
                    .and_then(|input| LabCommand::from_interaction(input).ok());
                let millis = match command {
                    Some(LabCommand::Slow(LabSlow { millis })) => millis,
                    _ => 0,
                };
                async move {
                    tokio::time::sleep(Duration::from_millis(millis as u64)).await;
                    Reply::Message(ReplyMessage::text(format!("slept {millis} ms")))
                }
                .boxed_local()
            }
            _ => async { Reply::Message(ReplyMessage::text("lab ok")) }.boxed_local(),
        }
    }
}

/// The lab as a feature: one command in its own help category, a concern with the given
/// admission limits.
struct LabFeature {
    limits: Limits,
}

impl Feature for LabFeature {
    fn name(&self) -> &'static str {
        Lab::NAME
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![HelpCategory {
            key: "lab",
            title: "Lab",
            blurb: "Failures on demand",
        }]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        vec![CommandEntry {
            private: false,
            ..CommandEntry::new(
                Lab::NAME,
                "lab",
                AccessLevel::Everyone,
                LabCommand::create_command(),
            )
        }]
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let lab = ConcernHandle::start(|| Lab, self.limits, &start.kernel.health);
        start.routes.add(Lab::NAME, lab, |_| AccessLevel::Everyone);
    }
}

/// The lab with one turn and one queue place.
fn lab_extension() -> Extension {
    Box::new(LabFeature {
        limits: Limits {
            max_in_flight: 1,
            queue: 1,
        },
    })
}

fn lab(sub: &str, options: Vec<CommandOption>) -> Vec<CommandOption> {
    vec![CommandOption::sub(sub, options)]
}

// ---- start, status, help ---------------------------------------------------------------

#[test]
fn start_connects_and_registers_the_catalogue() {
    run_test(async {
        let harness = Harness::start().await;
        let names: Vec<String> = harness
            .sim
            .commands()
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect();
        for expected in ["help", "status", "config"] {
            assert!(
                names.contains(&expected.to_owned()),
                "{expected} in {names:?}"
            );
        }
        assert_eq!(
            harness
                .sim
                .gateway()
                .stats
                .identifies
                .load(std::sync::atomic::Ordering::Relaxed),
            1
        );
        // The ops endpoint says ready once the gateway is connected.
        let ops = harness.agora().ops_addr().expect("ops endpoint");
        let client = reqwest::Client::new();
        let health = client
            .get(format!("http://{ops}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let ready = client
            .get(format!("http://{ops}/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["ready"], true, "{body}");
    });
}

#[test]
fn status_shows_every_dependency_to_a_member_privately() {
    run_test(async {
        let harness = Harness::start().await;
        let member = harness.demo.member_ids[0];
        let record = harness
            .run(member, harness.demo.general_id, "status", vec![])
            .await;
        assert!(is_private(&record), "only the caller sees /status");
        let text = content(&record);
        for expected in [
            "Agora is healthy",
            "Version: 0.1.0",
            "Database: ✅ SQLite",
            "Cache: ✅ memory",
            "shard 0: connected",
            "core:",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from:\n{text}"
            );
        }
        // The metrics count it.
        let ops = harness.agora().ops_addr().unwrap();
        let metrics = reqwest::get(format!("http://{ops}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Every series names the process, as the heartbeat table and /status do.
        let process = format!("process=\"{}\"", agora::boot::process_name());
        assert!(
            metrics.contains(&format!(
                "agora_interactions_total{{{process},route=\"/status\",outcome=\"answered\"}}"
            )),
            "{metrics}"
        );
        assert!(metrics.contains(&format!(
            "agora_gateway_events_total{{{process},type=\"INTERACTION_CREATE\"}}"
        )));
        assert!(metrics.contains("agora_discord_requests_total"));
        assert!(metrics.contains(&format!(
            "agora_actor_restarts{{{process},actor=\"core\"}} 0"
        )));
    });
}

#[test]
fn help_shows_each_role_only_what_it_may_run() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        // A member: general commands only, no settings category.
        let member = harness
            .run(demo.member_ids[0], demo.general_id, "help", vec![])
            .await;
        assert!(is_private(&member));
        let text = content(&member);
        assert!(text.contains("General"), "{text}");
        assert!(
            !text.contains("Server settings"),
            "members can't change settings: {text}"
        );
        let menu = custom_ids(&member.payload);
        // The menu is the member's own: its custom_id names them.
        let member_menu = format!("core:1:help:@{}", demo.member_ids[0]);
        assert_eq!(menu, vec![member_menu.clone()]);
        let page = harness
            .click(
                demo.member_ids[0],
                message_id(&member),
                &member_menu,
                &["general"],
            )
            .await;
        let page_text = content(&page);
        assert!(page_text.contains("/status"), "{page_text}");
        assert!(!page_text.contains("/config"), "{page_text}");
        // A modified client asking for the settings page still sees nothing it can't run.
        let forced = harness
            .sim
            .use_component(ComponentUse {
                message_id: message_id(&member),
                user_id: demo.member_ids[0],
                custom_id: member_menu.clone(),
                values: vec!["settings".into()],
                unchecked: true,
            })
            .unwrap();
        let forced = harness.sim.answer(forced, ANSWER).await.unwrap();
        assert!(
            content(&forced).contains("Nothing here you can run"),
            "{}",
            content(&forced)
        );

        // An admin (Administrator through the demo's Admin role): settings too, paginated.
        let admin = harness
            .run(demo.admin_id, demo.general_id, "help", vec![])
            .await;
        assert!(
            content(&admin).contains("Server settings"),
            "{}",
            content(&admin)
        );
        let settings = harness
            .click(
                demo.admin_id,
                message_id(&admin),
                &format!("core:1:help:@{}", demo.admin_id),
                &["settings"],
            )
            .await;
        let first = content(&settings);
        // As many pages as the features' settings fill (each feature adds its own).
        assert!(first.contains("page 1 of "), "{first}");
        assert!(first.contains("/config show"), "{first}");
        let next = custom_ids(&settings.payload)
            .into_iter()
            .find(|id| id.ends_with(":next"))
            .expect("a Next button");
        let second = harness
            .click(demo.admin_id, message_id(&admin), &next, &[])
            .await;
        let second_text = content(&second);
        assert!(second_text.contains("page 2 of "), "{second_text}");
        assert!(
            second_text.contains("/config permissions set"),
            "{second_text}"
        );
        assert!(
            second_text.contains("/config tidy-replies"),
            "{second_text}"
        );
    });
}

// ---- /config and the policy ------------------------------------------------------------

#[test]
fn config_is_for_admins_and_is_checked_and_logged() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        // A member may not; nothing changes.
        let refused = harness
            .run(
                demo.member_ids[0],
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "moderator-role",
                    vec![CommandOption::value(
                        "role",
                        demo.moderator_role_id.to_string(),
                    )],
                )],
            )
            .await;
        assert!(is_private(&refused));
        assert_eq!(content(&refused), "Only server admins can do that here.");
        let store = &harness.agora().kernel().store;
        assert_eq!(
            store.guild_settings(Id::new(demo.guild_id)).await.unwrap(),
            None
        );

        // Moderators can't run moderator commands until a moderator role is chosen; the
        // refusal says how to fix that.
        let unset = harness
            .run(
                demo.moderator_ids[0],
                demo.general_id,
                "config",
                vec![CommandOption::sub("show", vec![])],
            )
            .await;
        assert!(
            content(&unset).contains("Only server admins"),
            "{}",
            content(&unset)
        );
        let unclaim = harness
            .run(
                demo.moderator_ids[0],
                demo.general_id,
                "shift",
                vec![CommandOption::sub(
                    "unclaim",
                    vec![CommandOption::value("id", 1)],
                )],
            )
            .await;
        assert_eq!(
            content(&unclaim),
            "Only moderators can do that here. This server has not chosen a moderator role yet: an admin can set one with `/config moderator-role`."
        );

        // @everyone can't be a staff role.
        let everyone = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "admin-role",
                    vec![CommandOption::value("role", demo.guild_id.to_string())],
                )],
            )
            .await;
        assert!(
            content(&everyone).contains("@everyone can't be a staff role"),
            "{}",
            content(&everyone)
        );

        // The log channel first, then every change is written there.
        harness
            .configure("log-channel", "channel", demo.admin_log_id)
            .await;
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        let log: Vec<String> = harness
            .sim
            .channel_messages(demo.admin_log_id)
            .iter()
            .map(message_text)
            .collect();
        assert!(
            log.iter()
                .any(|m| m.contains("Agora will write its log here")),
            "{log:?}"
        );
        assert!(
            log.iter().any(|m| m.contains(&format!(
                "set the moderator role to <@&{}>",
                demo.moderator_role_id
            ))),
            "{log:?}"
        );
        let settings = store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            settings.moderator_role_id,
            Some(Id::new(demo.moderator_role_id))
        );
        assert_eq!(settings.log_channel_id, Some(Id::new(demo.admin_log_id)));

        // Allowed channels: members are sent to them, admins are not held back.
        harness
            .configure("allow-channel", "channel", demo.shifts_id)
            .await;
        let elsewhere = harness
            .run(demo.member_ids[1], demo.general_id, "status", vec![])
            .await;
        assert_eq!(
            content(&elsewhere),
            format!("I answer commands only in <#{}> here.", demo.shifts_id)
        );
        let there = harness
            .run(demo.member_ids[1], demo.shifts_id, "status", vec![])
            .await;
        assert!(content(&there).contains("Agora is healthy"));
        let admin = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub("show", vec![])],
            )
            .await;
        assert!(
            content(&admin).contains(&format!("Answers commands in: <#{}>", demo.shifts_id)),
            "{}",
            content(&admin)
        );
    });
}

#[test]
fn a_log_channel_the_bot_cannot_write_to_is_refused() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        // A channel hidden from the bot.
        let hidden = harness
            .sim
            .create_channel(demo.guild_id, "secret", 0, None)
            .unwrap();
        {
            let state = harness.sim.state();
            let mut world = state.world.lock();
            let bot = world.bot_user_id;
            let channel = world.channels.get_mut(&hidden).unwrap();
            channel
                .permission_overwrites
                .push(agora_sim::world::Overwrite {
                    id: bot,
                    kind: 1,
                    allow: 0,
                    deny: agora_sim::permissions::VIEW_CHANNEL,
                });
        }
        // The bot tries a post there, and Discord says no.
        let record = harness
            .expect_refusal(Refusal::status(403).on("POST /channels/{channel_id}/messages"))
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "log-channel",
                    vec![CommandOption::value("channel", hidden.to_string())],
                )],
            )
            .await;
        let text = content(&record);
        assert!(
            text.starts_with(&format!("I can't post in <#{hidden}>")),
            "{text}"
        );
        let settings = harness
            .agora()
            .kernel()
            .store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap();
        assert_eq!(settings, None, "nothing changed");
    });
}

#[test]
fn guilds_never_see_each_others_settings() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        // A second guild with the bot in it; its owner looks at its settings.
        let (second, owner) =
            harness
                .sim
                .create_guild("Second", "sam", agora_sim::scenario::DEMO_BOT_PERMISSIONS);
        let lobby = harness
            .sim
            .create_channel(second, "lobby", 0, None)
            .unwrap();
        harness
            .agora()
            .kernel()
            .discord
            .register_commands(
                Some(twilight_model::id::Id::new(second)),
                &harness.agora().kernel().catalogue.slash_commands(),
            )
            .await
            .unwrap();
        let id = harness
            .sim
            .run_command(agora_sim::actions::CommandRun {
                guild_id: Some(second),
                channel_id: lobby,
                user_id: owner,
                name: "config".into(),
                options: vec![CommandOption::sub("show", vec![])],
                unchecked: false,
            })
            .unwrap();
        let record = harness.sim.answer(id, ANSWER).await.unwrap();
        let text = content(&record);
        assert!(text.contains("Moderator role: not set"), "{text}");
        assert!(
            !text.contains(&demo.moderator_role_id.to_string()),
            "{text}"
        );
    });
}

// ---- prefix commands -------------------------------------------------------------------

#[test]
fn prefix_commands_answer_admins_and_ignore_members() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let asked = harness
            .sim
            .send_message(demo.general_id, demo.admin_id, "!status")
            .unwrap();
        let answered = || {
            harness
                .sim
                .channel_messages(demo.general_id)
                .into_iter()
                .filter(|m| {
                    m["message_reference"]["message_id"].as_str() == Some(&asked.to_string())
                })
                .count()
        };
        wait_until("the !status reply", Duration::from_secs(10), || {
            answered() == 1
        })
        .await;
        let reply = harness
            .sim
            .channel_messages(demo.general_id)
            .last()
            .cloned()
            .unwrap();
        assert!(message_text(&reply).contains("Agora is healthy"), "{reply}");

        let before = harness.sim.channel_messages(demo.general_id).len();
        harness
            .sim
            .send_message(demo.general_id, demo.member_ids[0], "!status")
            .unwrap();
        harness
            .sim
            .send_message(demo.general_id, demo.member_ids[0], "!ping")
            .unwrap();
        // An admin's later command is answered: the member's were processed and ignored.
        let ping = harness
            .sim
            .send_message(demo.general_id, demo.admin_id, "!ping")
            .unwrap();
        wait_until("the !ping reply", Duration::from_secs(10), || {
            harness
                .sim
                .channel_messages(demo.general_id)
                .iter()
                .any(|m| m["message_reference"]["message_id"].as_str() == Some(&ping.to_string()))
        })
        .await;
        let after = harness.sim.channel_messages(demo.general_id);
        assert_eq!(
            after.len(),
            before + 3 + 1,
            "only the admin's !ping got a reply"
        );
        assert!(message_text(after.last().unwrap()).starts_with("🏓 Pong!"));

        // !sync here registers the catalogue in this guild.
        let registered = harness.agora().kernel().catalogue.slash_commands().len();
        harness
            .sim
            .send_message(demo.general_id, demo.admin_id, "!sync here")
            .unwrap();
        wait_until("the !sync reply", Duration::from_secs(10), || {
            harness
                .sim
                .channel_messages(demo.general_id)
                .iter()
                .any(|m| {
                    message_text(m).contains(&format!(
                        "Registered {registered} slash commands in this server"
                    ))
                })
        })
        .await;
    });
}

// ---- bad input -------------------------------------------------------------------------

#[test]
fn unknown_commands_and_stale_buttons_get_a_clear_private_answer() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        let kernel = harness.agora().kernel();
        // A command Discord still shows but this version no longer has.
        let mut commands = kernel.catalogue.slash_commands();
        let mut gone = commands[0].clone();
        gone.name = "gone".into();
        commands.push(gone);
        kernel
            .discord
            .register_commands(Some(twilight_model::id::Id::new(demo.guild_id)), &commands)
            .await
            .unwrap();
        let record = harness
            .run(demo.member_ids[0], demo.general_id, "gone", vec![])
            .await;
        assert!(is_private(&record));
        assert!(
            content(&record).starts_with("I don't know `/gone` any more"),
            "{}",
            content(&record)
        );

        // Old buttons: an unknown concern, and a custom_id that is not ours at all.
        let button = |custom_id: &str| serde_json::json!({"type": 2, "style": 1, "label": "Old", "custom_id": custom_id});
        let message = kernel
            .discord
            .client()
            .create_message(twilight_model::id::Id::new(demo.general_id))
            .content("An old message")
            .await
            .unwrap()
            .model()
            .await
            .unwrap();
        {
            // Give the message two buttons as an older Agora would have posted them.
            let state = harness.sim.state();
            let mut world = state.world.lock();
            let stored = world
                .messages
                .get_mut(&demo.general_id)
                .and_then(|m| m.get_mut(&message.id.get()))
                .unwrap();
            stored.components = vec![
                serde_json::json!({"type": 1, "components": [button("raffle:1:enter:7"), button("garbage")]}),
            ];
        }
        for custom_id in ["raffle:1:enter:7", "garbage"] {
            let record = harness
                .click(demo.member_ids[0], message.id.get(), custom_id, &[])
                .await;
            assert!(is_private(&record), "{custom_id}");
            assert!(
                content(&record).contains("no longer works"),
                "{custom_id}: {}",
                content(&record)
            );
        }
    });
}

// ---- failure stays local ---------------------------------------------------------------

#[test]
fn a_panic_restarts_the_actor_and_the_next_interaction_is_served() {
    run_test(async {
        let harness = Harness::start_with(&[], vec![lab_extension()]).await;
        let demo = harness.demo.clone();
        let crashed = harness
            .run(
                demo.member_ids[0],
                demo.general_id,
                "lab",
                lab("crash", vec![]),
            )
            .await;
        assert!(is_private(&crashed), "errors are private");
        let text = content(&crashed);
        assert!(
            text.contains("Something went wrong on our side (incident `"),
            "{text}"
        );
        let health = harness.agora().kernel().health.snapshot();
        let lab_health = health.iter().find(|a| a.name == "lab").unwrap();
        assert_eq!(lab_health.restarts, 1);
        let incident = lab_health.last_incident.clone().unwrap();
        assert!(
            text.contains(&incident),
            "the person's incident id is the logged one"
        );
        let next = harness
            .run(
                demo.member_ids[0],
                demo.general_id,
                "lab",
                lab("ok", vec![]),
            )
            .await;
        assert_eq!(content(&next), "lab ok");
        // The other actors never noticed.
        let status = harness
            .run(demo.member_ids[1], demo.general_id, "status", vec![])
            .await;
        assert!(
            content(&status)
                .contains("lab: 2 accepted, 0 in flight, 0 queued, 2 done, 0 busy, 1 restarts"),
            "{}",
            content(&status)
        );
    });
}

#[test]
fn a_panic_among_twenty_requests_in_flight_touches_none_of_them() {
    run_test(async {
        let roomy_lab = LabFeature {
            limits: Limits {
                max_in_flight: 32,
                queue: 32,
            },
        };
        let harness = Harness::start_with(&[], vec![Box::new(roomy_lab)]).await;
        let demo = harness.demo.clone();
        let people = [
            demo.member_ids[0],
            demo.member_ids[1],
            demo.member_ids[2],
            demo.moderator_ids[0],
        ];
        let slow: Vec<u64> = (0..20)
            .map(|n| {
                harness.send(
                    people[n % people.len()],
                    demo.general_id,
                    "lab",
                    lab("slow", vec![CommandOption::value("millis", 1500)]),
                )
            })
            .collect();
        wait_until("twenty requests in flight", Duration::from_secs(10), || {
            let health = harness.agora().kernel().health.snapshot();
            health
                .iter()
                .any(|actor| actor.name == "lab" && actor.in_flight == 20)
        })
        .await;
        let crashed = harness
            .run(demo.owner_id, demo.general_id, "lab", lab("crash", vec![]))
            .await;
        assert!(
            content(&crashed).contains("Something went wrong on our side (incident `"),
            "{}",
            content(&crashed)
        );
        for id in slow {
            let record = harness.sim.answer(id, agora_testkit::ANSWER).await.unwrap();
            assert!(record.errors.is_empty(), "{:?}", record.errors);
            assert_eq!(content(&record), "slept 1500 ms");
        }
        let health = harness.agora().kernel().health.snapshot();
        let lab_health = health.iter().find(|a| a.name == "lab").unwrap();
        assert_eq!(
            (lab_health.restarts, lab_health.done, lab_health.busy),
            (1, 21, 0),
            "one incident, twenty normal answers"
        );
    });
}

#[test]
fn a_form_is_shown_filled_in_and_answered_and_a_stale_one_is_told_so() {
    run_test(async {
        let harness = Harness::start_with(&[], vec![lab_extension()]).await;
        let demo = harness.demo.clone();
        let member = demo.member_ids[0];
        let shown = harness
            .run(member, demo.general_id, "lab", lab("form", vec![]))
            .await;
        assert_eq!(shown.callback.as_ref().unwrap().kind, 9, "a modal");
        let submit = |custom_id: &str, unchecked: bool| agora_sim::actions::ModalSubmit {
            guild_id: Some(demo.guild_id),
            channel_id: Some(demo.general_id),
            user_id: member,
            custom_id: custom_id.into(),
            fields: serde_json::json!({"said": "hello"})
                .as_object()
                .unwrap()
                .clone(),
            unchecked,
        };
        let id = harness
            .sim
            .submit_modal(submit("lab:1:form", false))
            .unwrap();
        let answered = harness.sim.answer(id, agora_testkit::ANSWER).await.unwrap();
        assert!(answered.errors.is_empty(), "{:?}", answered.errors);
        assert!(is_private(&answered));
        assert_eq!(content(&answered), "you said: hello");
        // A form from before a deploy, for a concern that no longer exists.
        let stale = harness
            .sim
            .submit_modal(submit("polls:1:vote", true))
            .unwrap();
        let stale = harness
            .sim
            .answer(stale, agora_testkit::ANSWER)
            .await
            .unwrap();
        assert!(is_private(&stale));
        assert!(
            content(&stale).contains("no longer works"),
            "{}",
            content(&stale)
        );
    });
}

#[test]
fn a_refused_request_the_test_did_not_expect_fails_the_harness() {
    run_test(async {
        let harness = Harness::start_with(&[], vec![lab_extension()]).await;
        let demo = harness.demo.clone();
        // A deliberately bad answer (3,000 characters: Discord refuses it with 50035), and
        // no `expect_refusal`: the harness must fail the test, quoting the sim's error.
        let run = harness.run(
            demo.member_ids[0],
            demo.general_id,
            "lab",
            lab(
                "echo",
                vec![
                    CommandOption::value("text", "na"),
                    CommandOption::value("times", 1500),
                ],
            ),
        );
        let failure = std::panic::AssertUnwindSafe(run)
            .catch_unwind()
            .await
            .expect_err("the harness fails the test");
        let message = failure
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(
            message.contains("the sim refused the bot") && message.contains("50035"),
            "{message}"
        );
    });
}

#[test]
fn an_answer_discord_refuses_is_followed_by_a_safe_one() {
    run_test(async {
        let harness = Harness::start_with(&[], vec![lab_extension()]).await;
        let demo = harness.demo.clone();
        harness.expect_refusal(agora_testkit::Refusal::code(50035));
        let record = harness
            .run(
                demo.member_ids[0],
                demo.general_id,
                "lab",
                lab(
                    "echo",
                    vec![
                        CommandOption::value("text", "na"),
                        CommandOption::value("times", 1500),
                    ],
                ),
            )
            .await;
        let callback = record
            .callback
            .as_ref()
            .expect("an answer, not 'This interaction failed'");
        assert!(callback.after_ms < 3000.0);
        assert!(is_private(&record));
        let text = content(&record);
        assert!(
            text.starts_with("Something went wrong on our side (incident `"),
            "{text}"
        );
    });
}

#[test]
fn a_slow_actor_gets_busy_answers_and_deferred_follow_ups() {
    run_test(async {
        let harness = Harness::start_with(&[], vec![lab_extension()]).await;
        let demo = harness.demo.clone();
        // Slower than the 2 s defer window: "thinking…", then the real answer.
        let slow = harness.send(
            demo.member_ids[0],
            demo.general_id,
            "lab",
            lab("slow", vec![CommandOption::value("millis", 2600)]),
        );
        // While it works, its one-slot mailbox fills; the rest are told "busy" at once.
        wait_until(
            "the slow request inside the actor",
            Duration::from_secs(5),
            || {
                harness
                    .agora()
                    .kernel()
                    .health
                    .snapshot()
                    .iter()
                    .any(|actor| actor.name == "lab" && actor.in_flight == 1)
            },
        )
        .await;
        let users = [
            demo.member_ids[1],
            demo.member_ids[2],
            demo.moderator_ids[0],
            demo.moderator_ids[1],
            demo.owner_id,
        ];
        let others: Vec<u64> = users
            .iter()
            .map(|user| {
                harness.send(
                    *user,
                    demo.general_id,
                    "lab",
                    lab("slow", vec![CommandOption::value("millis", 10)]),
                )
            })
            .collect();
        let mut busy = 0;
        for id in &others {
            let record = harness.sim.answer(*id, ANSWER).await.unwrap();
            assert!(record.errors.is_empty(), "{:?}", record.errors);
            let callback = record.callback.as_ref().unwrap();
            assert!(
                callback.after_ms < 3000.0,
                "answered within Discord's deadline"
            );
            if content(&record).contains("busy right now") {
                busy += 1;
            }
        }
        assert!(busy >= 3, "{busy} busy answers");
        let slow = harness.sim.answer(slow, ANSWER).await.unwrap();
        let callback = slow.callback.as_ref().unwrap();
        assert_eq!(callback.kind, 5, "deferred with thinking…");
        assert!(callback.after_ms < 3000.0);
        assert_eq!(content(&slow), "slept 2600 ms");
        assert!(
            !is_private(&slow),
            "a public command stays public after the deferral"
        );
        let queued = harness.agora().kernel().health.snapshot();
        assert!(queued.iter().all(|a| a.in_flight == 0), "{queued:?}");
    });
}

#[test]
fn cooldowns_slow_down_members_but_not_staff() {
    run_test(async {
        let harness =
            Harness::start_with(&[("AGORA_RUNTIME__COOLDOWN_SECS", "30")], Vec::new()).await;
        let demo = harness.demo.clone();
        let member = demo.member_ids[0];
        assert!(
            content(&harness.run(member, demo.general_id, "status", vec![]).await)
                .contains("healthy")
        );
        let again = harness.run(member, demo.general_id, "status", vec![]).await;
        assert!(
            content(&again).starts_with("Slow down a little: you can use `/status` again in"),
            "{}",
            content(&again)
        );
        // Another member and another command are not held back.
        assert!(content(
            &harness
                .run(demo.member_ids[1], demo.general_id, "status", vec![])
                .await
        )
        .contains("healthy"));
        assert!(
            content(&harness.run(member, demo.general_id, "help", vec![]).await)
                .contains("Agora help")
        );
        // Admins are exempt.
        for _ in 0..2 {
            assert!(content(
                &harness
                    .run(demo.admin_id, demo.general_id, "status", vec![])
                    .await
            )
            .contains("healthy"));
        }
    });
}

// ---- the database goes away ------------------------------------------------------------

#[test]
fn a_database_that_goes_away_gets_clear_answers_and_status_says_so() {
    run_test(async {
        let harness = Harness::start().await;
        let demo = harness.demo.clone();
        // A bot that has been running has the guild's configuration cached (features warm
        // it at start, on their own time): load it before the database goes, so the change
        // below reaches the settings handler (else the dispatcher's own clear refusal).
        harness
            .agora()
            .kernel()
            .guild_config(Id::new(demo.guild_id))
            .await
            .expect("the guild's configuration loads while the database is there");
        harness.agora().kernel().store.close();
        let status = harness
            .run(demo.member_ids[0], demo.general_id, "status", vec![])
            .await;
        let text = content(&status);
        assert!(text.contains("Agora is degraded"), "{text}");
        assert!(text.contains("Database: ❌ not answering"), "{text}");
        // A change (reading may answer from the cache a feature warmed at start).
        let config = harness
            .run(
                demo.admin_id,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "log-channel",
                    vec![CommandOption::value("channel", demo.general_id.to_string())],
                )],
            )
            .await;
        assert!(is_private(&config));
        assert!(
            content(&config).starts_with(
                "The database did not take the change (the store is closed). Nothing changed"
            ),
            "{}",
            content(&config)
        );
        let ops = harness.agora().ops_addr().unwrap();
        let ready = reqwest::get(format!("http://{ops}/readyz")).await.unwrap();
        assert_eq!(ready.status(), 503);
    });
}

// ---- PostgreSQL and Redis --------------------------------------------------------------

#[test]
#[ignore = "needs PostgreSQL and Redis: set AGORA_TEST_POSTGRES_URL and AGORA_TEST_REDIS_URL, run with --include-ignored"]
fn on_postgresql_and_redis_settings_and_cooldowns_work() {
    run_test(async {
        let database = FreshPostgres::create().await;
        let redis = redis_url();
        let prefix = format!("agora-e2e-{}-{}:", std::process::id(), database.url().len());
        let harness = Harness::start_with(
            &[
                ("AGORA_DATABASE__URL", database.url()),
                ("AGORA_CACHE__REDIS_URL", redis.as_str()),
                ("AGORA_CACHE__KEY_PREFIX", prefix.as_str()),
                ("AGORA_RUNTIME__COOLDOWN_SECS", "30"),
            ],
            Vec::new(),
        )
        .await;
        let demo = harness.demo.clone();
        let member = demo.member_ids[0];
        let status = content(&harness.run(member, demo.general_id, "status", vec![]).await);
        assert!(status.contains("Database: ✅ PostgreSQL"), "{status}");
        assert!(status.contains("Cache: ✅ redis"), "{status}");
        let again = content(&harness.run(member, demo.general_id, "status", vec![]).await);
        assert!(
            again.starts_with("Slow down a little"),
            "the cooldown lives in Redis: {again}"
        );
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;
        let stored = harness
            .agora()
            .kernel()
            .store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.moderator_role_id,
            Some(Id::new(demo.moderator_role_id))
        );
        let _ = harness.agora().kernel().cache.delete_prefix("").await;
    });
}
