//! Usage statistics end to end through agora-sim: members, admins and the bot's owner run
//! a known series of commands in two guilds — one refused, one that fails in its handler —
//! and `/usage overview` shows each guild exactly its own counts; `/usage errors` is
//! refused to a server admin and shows the bot's owner the failure; the counts survive a
//! restart; rows older than `keep_days` go at the trim tick.

use std::time::Duration;

use agora::boot::Extension;
use agora_actors::dispatcher::{InteractionRequest, RequestKind};
use agora_actors::feature::{Feature, FeatureStart, HelpCategory};
use agora_actors::kernel::catalogue::CommandEntry;
use agora_actors::kernel::clock::{ManualClock, SharedClock};
use agora_actors::kernel::policy::AccessLevel;
use agora_actors::kernel::reply::{Reply, ReplyMessage};
use agora_actors::kernel::supervision::{Concern, ConcernHandle, Limits};
use agora_actors::usage::{store, UsageTotals};
use agora_sim::actions::CommandOption;
use agora_testkit::{content, is_private, run_test, wait_until, FreshPostgres, Harness};
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::id::Id;

// ---- a bot developer's command that fails on demand --------------------------------------

#[derive(CommandModel, CreateCommand)]
#[command(name = "lab", desc = "Test commands", contexts = "guild")]
#[allow(dead_code)]
enum LabCommand {
    #[command(name = "crash")]
    Crash(LabCrash),
}

#[derive(CommandModel, CreateCommand)]
#[command(name = "crash", desc = "Panics in the handler")]
struct LabCrash;

struct Lab;

impl Concern for Lab {
    const NAME: &'static str = "lab";
    type Request = InteractionRequest;
    type Response = Reply;

    fn handle(&mut self, request: InteractionRequest) -> LocalBoxFuture<'static, Reply> {
        match &request.kind {
            RequestKind::Command { path, .. } if path.first().is_some_and(|p| p == "crash") => {
                async { panic!("the lab was asked to crash") }.boxed_local()
            }
            _ => async { Reply::Message(ReplyMessage::private("lab ok")) }.boxed_local(),
        }
    }
}

struct LabFeature;

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
        vec![CommandEntry::new(
            Lab::NAME,
            "lab",
            AccessLevel::Everyone,
            LabCommand::create_command(),
        )]
    }

    fn start(self: Box<Self>, start: &mut FeatureStart<'_>) {
        let limits = Limits {
            max_in_flight: 1,
            queue: 1,
        };
        let lab = ConcernHandle::start(|| Lab, limits, &start.kernel.health);
        start.routes.add(Lab::NAME, lab, |_| AccessLevel::Everyone);
    }
}

fn extensions() -> Vec<Extension> {
    vec![Box::new(LabFeature)]
}

fn sub(name: &str) -> Vec<CommandOption> {
    vec![CommandOption::sub(name, vec![])]
}

/// Waits until this process counted `runs` slash commands since it started (a command is
/// counted just after its answer went out).
async fn counted(harness: &Harness, runs: u64) {
    let totals = harness
        .agora()
        .kernel()
        .services
        .get::<UsageTotals>()
        .expect("usage runs");
    wait_until(
        &format!("{runs} commands counted"),
        Duration::from_secs(10),
        || totals.counted_here() == runs,
    )
    .await;
}

#[test]
fn usage_is_counted_per_guild_shown_to_each_its_own_kept_across_a_restart_and_trimmed() {
    run_test(counted_shown_kept_and_trimmed(&[]));
}

#[test]
#[ignore = "needs PostgreSQL: set AGORA_TEST_POSTGRES_URL, run with --include-ignored"]
fn usage_is_counted_shown_kept_and_trimmed_on_postgresql() {
    run_test(async {
        let database = FreshPostgres::create().await;
        counted_shown_kept_and_trimmed(&[("AGORA_DATABASE__URL", database.url())]).await;
        database.remove().await;
    });
}

/// The scenario of the module documentation, on the database `extra` names (SQLite
/// unless it names one).
async fn counted_shown_kept_and_trimmed(database: &[(&str, &str)]) {
    let clock = ManualClock::new(chrono::Utc::now());
    let shared: SharedClock = clock.clone();
    let mut extra = vec![
        ("AGORA_USAGE__KEEP_DAYS", "30"),
        ("AGORA_USAGE__FLUSH_SECS", "1"),
    ];
    extra.extend_from_slice(database);
    let mut harness = Harness::start_with_clock(&extra, extensions(), shared).await;
    let demo = harness.demo.clone();
    let (member, admin, general) = (demo.member_ids[0], demo.admin_id, demo.general_id);

    // A second guild, with its own owner, who is not the bot's owner.
    let (second, sam) =
        harness
            .sim
            .create_guild("Second", "sam", agora_sim::scenario::DEMO_BOT_PERMISSIONS);
    let lobby = harness
        .sim
        .create_channel(second, "lobby", 0, None)
        .unwrap();
    let kernel = harness.agora().kernel();
    kernel
        .discord
        .register_commands(Some(Id::new(second)), &kernel.catalogue.slash_commands())
        .await
        .unwrap();

    // The demo guild: two /help by a member, /status by an admin, /usage errors by
    // the admin (refused: owners only), /lab crash by a member (fails).
    harness.run(member, general, "help", vec![]).await;
    harness.run(member, general, "help", vec![]).await;
    harness.run(admin, general, "status", vec![]).await;
    let refused = harness.run(admin, general, "usage", sub("errors")).await;
    assert!(is_private(&refused));
    assert!(
        content(&refused).contains("the bot's owners"),
        "{}",
        content(&refused)
    );
    let crashed = harness
        .run(
            member,
            general,
            "lab",
            vec![CommandOption::sub("crash", vec![])],
        )
        .await;
    assert!(
        content(&crashed).contains("incident"),
        "{}",
        content(&crashed)
    );
    // The second guild: one /help.
    harness.run_in(second, sam, lobby, "help", vec![]).await;
    counted(&harness, 6).await;

    let overview = harness.run(member, general, "usage", sub("overview")).await;
    assert!(is_private(&overview));
    let text = content(&overview);
    assert!(text.contains("· 2 servers ·"), "{text}");
    assert!(
        text.contains("**This server:** 5 commands today · 5 in all"),
        "{text}"
    );
    assert!(text.contains("1. `/help` — 2 runs · p50 "), "{text}");
    for command in ["/lab crash", "/status", "/usage errors"] {
        assert!(text.contains(&format!("`{command}` — 1 runs")), "{text}");
    }
    let there = content(
        &harness
            .run_in(second, sam, lobby, "usage", sub("overview"))
            .await,
    );
    assert!(
        there.contains("**This server:** 1 commands today · 1 in all"),
        "{there}"
    );
    assert!(there.contains("1. `/help` — 1 runs"), "{there}");
    assert!(
        !there.contains("lab") && !there.contains("status"),
        "{there}"
    );
    counted(&harness, 8).await;

    // A restart keeps everything (the last counts are written at the clean stop); the
    // demo guild's owner is made the bot's owner for the next boot.
    harness.stop().await;
    harness.config.discord.owners = vec![demo.owner_id];
    harness.boot(extensions()).await;

    // The bot's owner sees every guild's failures.
    let errors = content(
        &harness
            .run(demo.owner_id, general, "usage", sub("errors"))
            .await,
    );
    assert!(errors.contains("(8 commands run)"), "{errors}");
    assert!(
        errors.contains("`/lab crash` — 1 failed · 0 busy of 1 runs (0 refused) · p50 — · p95 —"),
        "{errors}"
    );
    assert!(
        !errors.contains("`/help`"),
        "only failing commands: {errors}"
    );
    counted(&harness, 1).await;
    let after = content(&harness.run(member, general, "usage", sub("overview")).await);
    assert!(
        after.contains("**This server:** 7 commands today · 7 in all"),
        "{after}"
    );
    assert!(after.contains("`/usage overview` — 1 runs"), "{after}");
    assert!(after.contains("`/usage errors` — 2 runs"), "{after}");
    counted(&harness, 2).await;

    // Asking for more days than are kept is answered plainly.
    let too_many = harness
        .run(
            member,
            general,
            "usage",
            vec![CommandOption::sub(
                "overview",
                vec![CommandOption::value("days", 31)],
            )],
        )
        .await;
    assert_eq!(
        content(&too_many),
        "Usage is kept for 30 days: ask for 1 to 30 days, not 31."
    );
    counted(&harness, 3).await;

    // 30 days later the old rows go at the trim; the all-time totals stay.
    let totals = harness
        .agora()
        .kernel()
        .services
        .get::<UsageTotals>()
        .unwrap();
    totals.flush().await.unwrap();
    let store_now = harness.agora().kernel().store.clone();
    let first_day = store::oldest_day(&store_now).await.unwrap();
    assert!(first_day.is_some());
    clock.advance(chrono::Duration::days(29));
    harness.tick("usage-trim").await;
    assert_eq!(store::oldest_day(&store_now).await.unwrap(), first_day);
    clock.advance(chrono::Duration::days(1));
    harness.tick("usage-trim").await;
    assert_eq!(store::oldest_day(&store_now).await.unwrap(), None);
    let later = content(&harness.run(member, general, "usage", sub("overview")).await);
    assert!(
        later.contains("**This server:** 0 commands today · 9 in all"),
        "{later}"
    );
    assert!(later.contains("No commands run in these days."), "{later}");
    counted(&harness, 4).await;
    assert_eq!(totals.commands_run().await.unwrap(), 12);
    harness.stop().await;
}

// ---- presence ----------------------------------------------------------------------------

/// What each of `shards` shows now (its last Presence Update), as members read it.
fn presence_shown(harness: &Harness, shards: &[u32]) -> Vec<Option<String>> {
    let updates = harness.sim.state().gateway.presence_updates();
    shards
        .iter()
        .map(|shard| {
            updates
                .iter()
                .rev()
                .find(|update| update.shard_id == *shard)
                .and_then(|update| update.activity.as_ref())
                .map(|activity| activity.shown())
        })
        .collect()
}

fn members_of(harness: &Harness, guild: u64) -> usize {
    let world = harness.sim.state().world.lock();
    world.guild(guild).map_or(0, |guild| guild.members.len())
}

async fn presence_becomes(harness: &Harness, expected: &str) {
    let shards = [0, 1];
    let waited = agora_testkit::waited_until("the presence", Duration::from_secs(20), || {
        presence_shown(harness, &shards)
            .iter()
            .all(|shown| shown.as_deref() == Some(expected))
    })
    .await;
    assert!(
        waited.is_ok(),
        "every shard shows {expected:?}; they show {:?}",
        presence_shown(harness, &shards)
    );
}

#[test]
fn an_admins_text_command_counts_as_the_slash_command_it_stands_for() {
    run_test(async {
        let harness = Harness::start_with(&[("AGORA_USAGE__FLUSH_SECS", "1")], extensions()).await;
        let demo = harness.demo.clone();
        let (admin, member, general) = (demo.admin_id, demo.member_ids[0], demo.general_id);
        // A member's text command is not one (ignored, not counted); the admin's runs, and
        // one that cannot be read is refused, in a reply.
        for (who, text) in [
            (member, "!tickets category upsert name:Billing"),
            (admin, "!tickets category upsert name:Billing"),
            (
                admin,
                "!tickets category upsert name:Billing sla_minutes:99999",
            ),
        ] {
            harness.sim.send_message(general, who, text).unwrap();
        }
        counted(&harness, 2).await;
        let text = content(&harness.run(member, general, "usage", sub("overview")).await);
        assert!(
            text.contains("**This server:** 2 commands today · 2 in all"),
            "{text}"
        );
        // The one read is counted under its subcommand; the one that could not be read
        // under the command's name (its subcommand was never known).
        assert!(
            text.contains("`/tickets category upsert` — 1 runs · p50 "),
            "{text}"
        );
        assert!(text.contains("`/tickets` — 1 runs · p50 —"), "{text}");
        counted(&harness, 3).await;
        let totals = harness
            .agora()
            .kernel()
            .services
            .get::<UsageTotals>()
            .expect("usage runs");
        assert_eq!(totals.counted_here(), 3);
    });
}

#[test]
fn the_presence_shows_on_every_shard_filled_in_and_follows_the_guild_count() {
    run_test(async {
        let extra = [
            ("AGORA_DISCORD__SHARD_COUNT", "2"),
            ("AGORA_PRESENCE__KIND", "watching"),
            (
                "AGORA_PRESENCE__TEXT",
                "{guilds} servers · {members} members · {commands} commands",
            ),
            // An hour: what changes below shows because the guild count changed.
            ("AGORA_PRESENCE__REFRESH_SECS", "3600"),
        ];
        let harness = Harness::start_with(&extra, Vec::new()).await;
        let demo = harness.demo.clone();
        let members = members_of(&harness, demo.guild_id);
        presence_becomes(
            &harness,
            &format!("Watching 1 servers · {members} members · 0 commands"),
        )
        .await;

        // A command run, then a guild joined: the new count is filled in at once (not an
        // hour later), on both shards.
        harness
            .run(demo.member_ids[0], demo.general_id, "help", vec![])
            .await;
        let (second, _) =
            harness
                .sim
                .create_guild("Second", "sam", agora_sim::scenario::DEMO_BOT_PERMISSIONS);
        let together = members + members_of(&harness, second);
        presence_becomes(
            &harness,
            &format!("Watching 2 servers · {together} members · 1 commands"),
        )
        .await;
    });
}

#[test]
fn a_custom_status_is_sent_as_discord_expects_it() {
    run_test(async {
        let extra = [
            ("AGORA_PRESENCE__KIND", "custom"),
            ("AGORA_PRESENCE__TEXT", "Helping {guilds} servers"),
            ("AGORA_PRESENCE__REFRESH_SECS", "1"),
        ];
        let harness = Harness::start_with(&extra, Vec::new()).await;
        let waited = agora_testkit::waited_until("the presence", Duration::from_secs(20), || {
            presence_shown(&harness, &[0]) == [Some("Helping 1 servers".to_owned())]
        })
        .await;
        assert!(
            waited.is_ok(),
            "{:?}",
            harness.sim.state().gateway.presence_updates()
        );
        // The last one (a first one may have gone out before the guild's GUILD_CREATE).
        let update = harness
            .sim
            .state()
            .gateway
            .presence_updates()
            .pop()
            .unwrap();
        let activity = update.activity.unwrap();
        assert_eq!((activity.kind, update.status.as_str()), (4, "online"));
        assert_eq!(activity.state.as_deref(), Some("Helping 1 servers"));
    });
}
