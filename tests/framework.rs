//! The framework for server admins and bot developers, end to end through agora-sim: a
//! role a guild requires for a command (`/config permissions`), the guild's own prefix
//! for the text commands (and the bot's mention), tidy replies, and components only the
//! person who asked may use — each one rule in the dispatcher that a bot developer's
//! feature (here `wave`, written as an extension) gets without doing anything but
//! marking its messages and buttons.

use std::time::Duration;

use agora_actors::dispatcher::{InteractionRequest, RequestKind};
use agora_actors::feature::{Feature, FeatureStart, HelpCategory};
use agora_actors::kernel::catalogue::CommandEntry;
use agora_actors::kernel::custom_id::CustomId;
use agora_actors::kernel::policy::AccessLevel;
use agora_actors::kernel::reply::{Reply, ReplyMessage};
use agora_actors::kernel::supervision::Concern;
use agora_sim::actions::{CommandOption, InteractionRecord};
use agora_testkit::{content, custom_ids, is_private, message_id, message_text, run_test, Harness};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use serde_json::Value;
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::component::{ActionRow, Button, ButtonStyle, Component};

const WAVE: &str = "wave";

#[derive(CommandModel, CreateCommand)]
#[command(name = "wave", desc = "Wave at the channel", contexts = "guild")]
#[allow(dead_code)]
enum WaveCommand {
    #[command(name = "hello")]
    Hello(WaveHello),
    #[command(name = "post")]
    Post(WavePost),
    #[command(name = "secret")]
    Secret(WaveSecret),
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "hello", desc = "Wave (a confirmation with buttons)")]
struct WaveHello;

#[derive(CommandModel, CreateCommand)]
#[command(name = "post", desc = "Pin a wave (a record)")]
struct WavePost;

#[derive(CommandModel, CreateCommand)]
#[command(name = "secret", desc = "Wave privately")]
struct WaveSecret;

/// A bot developer's small feature: `/wave hello` answers with a public confirmation
/// carrying a "Wave again" button for the person who waved only and a "Wave back" button
/// for everyone; `/wave post` answers with a record; `/wave secret` privately.
struct WaveFeature;

impl Feature for WaveFeature {
    fn name(&self) -> &'static str {
        WAVE
    }

    fn help_categories(&self) -> Vec<HelpCategory> {
        vec![HelpCategory {
            key: WAVE,
            title: "Waves",
            blurb: "Wave at people",
        }]
    }

    fn commands(&self) -> Vec<CommandEntry> {
        vec![CommandEntry {
            private: false,
            ..CommandEntry::new(
                WAVE,
                WAVE,
                AccessLevel::Everyone,
                WaveCommand::create_command(),
            )
        }]
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        start.concern(|| Waves, |_| AccessLevel::Everyone);
    }
}

struct Waves;

impl Concern for Waves {
    const NAME: &'static str = WAVE;
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        async move { wave(request) }.boxed_local()
    }
}

fn button(id: CustomId, label: &str) -> Component {
    Component::Button(Button {
        id: None,
        custom_id: id.encode().ok(),
        disabled: false,
        emoji: None,
        label: Some(label.to_owned()),
        style: ButtonStyle::Secondary,
        url: None,
        sku_id: None,
    })
}

fn wave(request: InteractionRequest) -> Reply {
    let user = request.user_id;
    match &request.kind {
        RequestKind::Command { path, .. } => match path.first().map(String::as_str) {
            Some("hello") => {
                let buttons = Component::ActionRow(ActionRow {
                    id: None,
                    components: vec![
                        button(
                            CustomId::new(WAVE, 1, "again").for_requester(user.get()),
                            "Wave again",
                        ),
                        button(CustomId::new(WAVE, 1, "back"), "Wave back"),
                    ],
                });
                Reply::Message(
                    ReplyMessage::confirmation(format!("👋 <@{user}> waves."))
                        .with_components(vec![buttons]),
                )
            }
            Some("post") => Reply::Message(ReplyMessage::text(format!("📌 <@{user}> waved."))),
            _ => Reply::Message(ReplyMessage::private("🤫 a private wave")),
        },
        RequestKind::Component { id, .. } if id.action == "again" => {
            Reply::Message(ReplyMessage::private(format!("👋 <@{user}> waves again.")))
        }
        RequestKind::Component { .. } => {
            Reply::Message(ReplyMessage::private(format!("👋 <@{user}> waves back.")))
        }
        _ => Reply::Acknowledge,
    }
}

fn extensions() -> Vec<agora::boot::Extension> {
    vec![Box::new(WaveFeature)]
}

async fn config(harness: &Harness, user: u64, options: Vec<CommandOption>) -> InteractionRecord {
    let demo = &harness.demo;
    harness.run(user, demo.general_id, "config", options).await
}

fn permissions(subcommand: &str, options: Vec<CommandOption>) -> Vec<CommandOption> {
    vec![CommandOption::sub(
        "permissions",
        vec![CommandOption::sub(subcommand, options)],
    )]
}

async fn run_wave(harness: &Harness, user: u64, subcommand: &str) -> InteractionRecord {
    let demo = &harness.demo;
    let options = vec![CommandOption::sub(subcommand, Vec::new())];
    harness.run(user, demo.general_id, WAVE, options).await
}

/// Waits until the bot answers the message `asked` in the channel; its reply.
async fn reply_to(harness: &Harness, channel: u64, asked: u64) -> Value {
    let find = || {
        harness
            .sim
            .channel_messages(channel)
            .into_iter()
            .find(|m| m["message_reference"]["message_id"].as_str() == Some(&asked.to_string()))
    };
    agora_testkit::wait_until("the bot's reply", Duration::from_secs(10), || {
        find().is_some()
    })
    .await;
    find().expect("a reply")
}

fn replied(harness: &Harness, channel: u64, asked: u64) -> bool {
    harness
        .sim
        .channel_messages(channel)
        .iter()
        .any(|m| m["message_reference"]["message_id"].as_str() == Some(&asked.to_string()))
}

#[test]
fn a_guild_requires_roles_for_commands_on_top_of_their_own_level() {
    run_test(async {
        let mut harness = Harness::start_with(&[], extensions()).await;
        let demo = harness.demo.clone();
        let guild = demo.guild_id;
        let (member, waver) = (demo.member_ids[0], demo.member_ids[1]);
        let moderator = demo.moderator_ids[0];
        config(
            &harness,
            demo.admin_id,
            vec![CommandOption::sub(
                "moderator-role",
                vec![CommandOption::value(
                    "role",
                    demo.moderator_role_id.to_string(),
                )],
            )],
        )
        .await;
        let wavers = harness.sim.create_role(guild, "Wavers", 0).unwrap();
        harness
            .sim
            .set_member_roles(guild, waver, &[wavers])
            .unwrap();
        agora_testkit::wait_until(
            "the directory knows the role",
            Duration::from_secs(10),
            || {
                harness
                    .agora()
                    .kernel()
                    .guilds
                    .role_ids(twilight_model::id::Id::new(guild))
                    .is_some_and(|roles| roles.iter().any(|role| role.get() == wavers))
            },
        )
        .await;

        // Nothing is required until an admin says so.
        let shown = config(&harness, demo.admin_id, permissions("show", Vec::new())).await;
        assert!(
            content(&shown).starts_with("No command needs a role here"),
            "{}",
            content(&shown)
        );
        assert!(!is_private(&run_wave(&harness, member, "hello").await));

        // A member cannot configure it at all.
        let refused = config(&harness, member, permissions("show", Vec::new())).await;
        assert_eq!(content(&refused), "Only server admins can do that here.");

        let set = config(
            &harness,
            demo.admin_id,
            permissions(
                "set",
                vec![
                    CommandOption::value("command", "/Wave  Hello"),
                    CommandOption::value("role", wavers.to_string()),
                ],
            ),
        )
        .await;
        assert!(is_private(&set));
        assert_eq!(
            content(&set),
            format!("Done: required <@&{wavers}> for `/wave hello`.")
        );

        // Below the role: refused, privately, naming the role. Other subcommands are open.
        for person in [member, moderator] {
            let refused = run_wave(&harness, person, "hello").await;
            assert!(is_private(&refused));
            assert_eq!(
                content(&refused),
                format!("`/wave hello` needs the <@&{wavers}> role in this server.")
            );
            assert!(content(&run_wave(&harness, person, "post").await).starts_with("📌"));
        }
        // With the role, and as an admin without it: let in.
        for person in [waver, demo.admin_id] {
            let waved = run_wave(&harness, person, "hello").await;
            assert_eq!(content(&waved), format!("👋 <@{person}> waves."));
        }

        // /help says which role the command needs here.
        let help = harness.run(member, demo.general_id, "help", vec![]).await;
        let page = harness
            .click(
                member,
                message_id(&help),
                &format!("core:1:help:@{member}"),
                &["wave"],
            )
            .await;
        let text = content(&page);
        assert!(
            text.contains(&format!(
                "`/wave hello` — Wave (a confirmation with buttons) *(needs <@&{wavers}>)*"
            )),
            "{text}"
        );
        assert!(
            !text.contains("`/wave post` — Pin a wave (a record) *("),
            "{text}"
        );

        // Unknown commands and roles: a clear answer, and nothing changes.
        for unknown in ["nope", "wave nope", "wave hello deeper", "   "] {
            let answer = config(
                &harness,
                demo.admin_id,
                permissions(
                    "set",
                    vec![
                        CommandOption::value("command", unknown),
                        CommandOption::value("role", wavers.to_string()),
                    ],
                ),
            )
            .await;
            assert!(is_private(&answer));
            assert!(
                content(&answer).starts_with("I have no command")
                    && content(&answer).ends_with("Nothing changed."),
                "{unknown:?}: {}",
                content(&answer)
            );
        }
        // A role of another guild never reaches the bot: Discord (and the sim) refuse it
        // in the option. @everyone is the guild's own role that would change nothing.
        let everyone = config(
            &harness,
            demo.admin_id,
            permissions(
                "set",
                vec![
                    CommandOption::value("command", "status"),
                    CommandOption::value("role", guild.to_string()),
                ],
            ),
        )
        .await;
        assert!(
            content(&everyone).starts_with("@everyone has every member"),
            "{}",
            content(&everyone)
        );

        // A member role never opens an admin command: refused, and the member stays out.
        let admin_command = config(
            &harness,
            demo.admin_id,
            permissions(
                "set",
                vec![
                    CommandOption::value("command", "config"),
                    CommandOption::value("role", wavers.to_string()),
                ],
            ),
        )
        .await;
        assert_eq!(
            content(&admin_command),
            "`/config` is for server admins already, and they pass every role rule: a role would change nothing. Nothing changed."
        );
        let still_out = config(&harness, waver, permissions("show", Vec::new())).await;
        assert_eq!(content(&still_out), "Only server admins can do that here.");

        let shown = config(&harness, demo.admin_id, permissions("show", Vec::new())).await;
        assert_eq!(
            content(&shown),
            format!("Roles these commands need here (admins always pass):\n`/wave hello` — <@&{wavers}>")
        );

        // It survives a restart.
        harness.stop().await;
        harness.boot(extensions()).await;
        let refused = run_wave(&harness, member, "hello").await;
        assert!(
            content(&refused).contains("needs the"),
            "{}",
            content(&refused)
        );

        // Cleared: open again; clearing it twice says so.
        let clear = |command: &'static str| {
            permissions("clear", vec![CommandOption::value("command", command)])
        };
        let cleared = config(&harness, demo.admin_id, clear("wave hello")).await;
        assert_eq!(
            content(&cleared),
            "Done: stopped requiring a role for `/wave hello`."
        );
        assert_eq!(
            content(&run_wave(&harness, member, "hello").await),
            format!("👋 <@{member}> waves.")
        );
        let again = config(&harness, demo.admin_id, clear("wave hello")).await;
        assert_eq!(
            content(&again),
            "`/wave hello` needs no role here. Nothing changed."
        );

        // A rule on the command covers every subcommand; /config reset forgets it.
        config(
            &harness,
            demo.admin_id,
            permissions(
                "set",
                vec![
                    CommandOption::value("command", "wave"),
                    CommandOption::value("role", wavers.to_string()),
                ],
            ),
        )
        .await;
        let refused = run_wave(&harness, member, "secret").await;
        assert_eq!(
            content(&refused),
            format!("`/wave` needs the <@&{wavers}> role in this server.")
        );
        config(
            &harness,
            demo.admin_id,
            vec![CommandOption::sub("reset", Vec::new())],
        )
        .await;
        assert_eq!(
            content(&run_wave(&harness, member, "secret").await),
            "🤫 a private wave"
        );
    });
}

#[test]
fn a_guild_chooses_its_prefix_and_the_mention_always_works() {
    run_test(async {
        let mut harness = Harness::start().await;
        let demo = harness.demo.clone();
        let (admin, channel) = (demo.admin_id, demo.general_id);
        let prefix = |value: Option<&str>| {
            vec![CommandOption::sub(
                "prefix",
                value
                    .map(|v| CommandOption::value("value", v))
                    .into_iter()
                    .collect(),
            )]
        };
        let set = config(&harness, admin, prefix(Some("?"))).await;
        assert_eq!(content(&set), "Done: set the text commands' prefix to `?`.");

        // Bad prefixes: a clear answer each, and the prefix stays `?`.
        for (bad, answer) in [
            ("a b", "A prefix can't contain spaces (`a b`). Nothing changed."),
            (
                "abcdefghijklmnopqrst",
                "A prefix has at most 5 characters; that one has 20. Nothing changed.",
            ),
            (
                "<@1>",
                "A prefix can't be or contain a mention (the bot's mention works as a prefix anyway). Nothing changed.",
            ),
        ] {
            let refused = config(&harness, admin, prefix(Some(bad))).await;
            assert!(is_private(&refused));
            assert_eq!(content(&refused), answer, "{bad:?}");
        }
        let blank = harness
            .run_unchecked(admin, channel, "config", prefix(Some("     ")))
            .await;
        assert!(
            content(&blank).starts_with("A prefix")
                && content(&blank).ends_with("Nothing changed."),
            "{}",
            content(&blank)
        );
        let shown = config(
            &harness,
            admin,
            vec![CommandOption::sub("show", Vec::new())],
        )
        .await;
        assert!(
            content(&shown).contains("Prefix: `?` (or the bot's mention)"),
            "{}",
            content(&shown)
        );

        // The old prefix no longer answers; the new one and both mention forms do.
        let old = harness.sim.send_message(channel, admin, "!ping").unwrap();
        let new = harness.sim.send_message(channel, admin, "?ping").unwrap();
        assert!(message_text(&reply_to(&harness, channel, new).await).starts_with("🏓 Pong!"));
        let bot = harness.sim.bot_user_id();
        for mention in [format!("<@{bot}> ping"), format!("<@!{bot}> status")] {
            let asked = harness.sim.send_message(channel, admin, &mention).unwrap();
            let reply = reply_to(&harness, channel, asked).await;
            assert!(!message_text(&reply).is_empty(), "{mention}");
        }
        assert!(
            !replied(&harness, channel, old),
            "`!` is not this guild's prefix"
        );
        // Members are still not answered, whatever the prefix.
        let member = harness
            .sim
            .send_message(channel, demo.member_ids[0], "?ping")
            .unwrap();

        // It survives a restart; left out, it goes back to the default.
        harness.stop().await;
        harness.boot(Vec::new()).await;
        let after = harness.sim.send_message(channel, admin, "?status").unwrap();
        reply_to(&harness, channel, after).await;
        assert!(!replied(&harness, channel, member));
        let reset = config(&harness, admin, prefix(None)).await;
        assert_eq!(
            content(&reset),
            "Done: set the text commands' prefix back to the default."
        );
        let default = harness.sim.send_message(channel, admin, "!ping").unwrap();
        reply_to(&harness, channel, default).await;
    });
}

#[test]
fn tidy_replies_delete_public_confirmations_only() {
    run_test(async {
        let mut harness = Harness::start_with(&[], extensions()).await;
        let demo = harness.demo.clone();
        let (admin, member, channel) = (demo.admin_id, demo.member_ids[0], demo.general_id);
        let tidy = |seconds: Option<i64>| {
            vec![CommandOption::sub(
                "tidy-replies",
                seconds
                    .map(|s| CommandOption::value("seconds", s))
                    .into_iter()
                    .collect(),
            )]
        };
        // Off by default: this confirmation is kept (checked once the later ones are gone).
        let kept = message_id(&run_wave(&harness, member, "hello").await);

        let out_of_range = harness
            .run_unchecked(admin, channel, "config", tidy(Some(601)))
            .await;
        assert_eq!(
            content(&out_of_range),
            "Tidy replies take 0 to 600 seconds (0 keeps every reply). Nothing changed."
        );
        let on = config(&harness, admin, tidy(Some(1))).await;
        assert_eq!(
            content(&on),
            "Done: had the bot's public confirmations deleted after 1 s."
        );
        // Settings survive a restart.
        harness.stop().await;
        harness.boot(extensions()).await;

        let confirmation = message_id(&run_wave(&harness, member, "hello").await);
        let record = message_id(&run_wave(&harness, member, "post").await);
        let private = run_wave(&harness, member, "secret").await;
        assert!(is_private(&private));
        let private = message_id(&private);
        let ping = harness.sim.send_message(channel, admin, "!ping").unwrap();
        let pong = reply_to(&harness, channel, ping).await;
        let pong: u64 = pong["id"].as_str().unwrap().parse().unwrap();

        let gone = |id: u64| harness.sim.message(id).is_none();
        agora_testkit::wait_until(
            "the confirmations are tidied away",
            Duration::from_secs(10),
            || gone(confirmation) && gone(pong),
        )
        .await;
        assert!(!gone(record), "a record stays");
        assert!(!gone(private), "a private answer is not touched");
        assert!(!gone(kept), "sent while tidy replies were off");

        let off = config(&harness, admin, tidy(None)).await;
        assert_eq!(
            content(&off),
            "Done: turned tidy replies off (public confirmations stay)."
        );
        let shown = config(
            &harness,
            admin,
            vec![CommandOption::sub("show", Vec::new())],
        )
        .await;
        assert!(
            content(&shown).contains("Tidy replies: off"),
            "{}",
            content(&shown)
        );
    });
}

#[test]
fn only_the_requester_drives_their_menus_and_confirm_buttons() {
    run_test(async {
        let harness = Harness::start_with(&[], extensions()).await;
        let demo = harness.demo.clone();
        let (waver, other) = (demo.member_ids[0], demo.member_ids[1]);

        // A public message with a button for the waver only and one for everyone.
        let hello = run_wave(&harness, waver, "hello").await;
        assert!(!is_private(&hello));
        let ids = custom_ids(&hello.payload);
        let again = format!("wave:1:again:@{waver}");
        assert_eq!(ids, vec![again.clone(), "wave:1:back".to_owned()]);
        let refused = harness.click(other, message_id(&hello), &again, &[]).await;
        assert!(is_private(&refused));
        assert_eq!(
            content(&refused),
            format!("This belongs to <@{waver}>, who asked for it. Run the command yourself for your own.")
        );
        let back = harness
            .click(other, message_id(&hello), "wave:1:back", &[])
            .await;
        assert_eq!(content(&back), format!("👋 <@{other}> waves back."));
        let mine = harness.click(waver, message_id(&hello), &again, &[]).await;
        assert_eq!(content(&mine), format!("👋 <@{waver}> waves again."));

        // /help's menu and page buttons are the caller's: their custom_ids name them, and
        // they drive it.
        let help = harness
            .run(demo.admin_id, demo.general_id, "help", vec![])
            .await;
        let menu = format!("core:1:help:@{}", demo.admin_id);
        assert_eq!(custom_ids(&help.payload), vec![menu.clone()]);
        let page = harness
            .click(demo.admin_id, message_id(&help), &menu, &["settings"])
            .await;
        let next = custom_ids(&page.payload)
            .into_iter()
            .find(|id| id.ends_with(":next"))
            .expect("a Next button");
        assert!(
            next.starts_with(&format!("core:1:help-page:@{}:", demo.admin_id)),
            "{next}"
        );
        let second = harness
            .click(demo.admin_id, message_id(&help), &next, &[])
            .await;
        assert!(
            content(&second).contains("page 2 of"),
            "{}",
            content(&second)
        );
    });
}

#[test]
#[ignore = "needs PostgreSQL and Redis: set AGORA_TEST_POSTGRES_URL and AGORA_TEST_REDIS_URL, run with --include-ignored"]
fn on_postgresql_and_redis_a_change_reaches_the_cached_configuration_at_once() {
    run_test(async {
        let database = agora_testkit::FreshPostgres::create().await;
        let redis = agora_testkit::redis_url();
        let key_prefix = format!(
            "agora-framework-{}-{}:",
            std::process::id(),
            database.url().len()
        );
        let harness = Harness::start_with(
            &[
                ("AGORA_DATABASE__URL", database.url()),
                ("AGORA_CACHE__REDIS_URL", redis.as_str()),
                ("AGORA_CACHE__KEY_PREFIX", key_prefix.as_str()),
            ],
            extensions(),
        )
        .await;
        let demo = harness.demo.clone();
        let (admin, member, channel) = (demo.admin_id, demo.member_ids[0], demo.general_id);
        // The configuration is cached in Redis by the first command, then changed: every
        // process sharing Redis reads the change at once, not after the cache expires.
        assert!(content(&run_wave(&harness, member, "hello").await).starts_with("👋"));
        let set = config(
            &harness,
            admin,
            permissions(
                "set",
                vec![
                    CommandOption::value("command", "wave"),
                    CommandOption::value("role", demo.moderator_role_id.to_string()),
                ],
            ),
        )
        .await;
        assert!(content(&set).starts_with("Done"), "{}", content(&set));
        let refused = run_wave(&harness, member, "hello").await;
        assert!(
            content(&refused).contains("needs the"),
            "{}",
            content(&refused)
        );
        let prefix = vec![CommandOption::sub(
            "prefix",
            vec![CommandOption::value("value", "%")],
        )];
        config(&harness, admin, prefix).await;
        let asked = harness.sim.send_message(channel, admin, "%ping").unwrap();
        reply_to(&harness, channel, asked).await;
        let stored = harness
            .agora()
            .kernel()
            .store
            .command_roles(twilight_model::id::Id::new(demo.guild_id))
            .await
            .unwrap();
        assert_eq!(stored.len(), 1);
        let _ = harness.agora().kernel().cache.delete_prefix("").await;
    });
}
