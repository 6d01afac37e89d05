//! Moderator shifts end to end, as the demo guild's people use them through agora-sim:
//! schedules across zones, dropping and claiming, 50 simultaneous claims with one winner,
//! fairness, reminders driven by the manual clock, a restart with the buttons still
//! working, a message deleted by hand, bad input, and who may run what.

use std::sync::Arc;
use std::time::Duration;

use agora_actors::kernel::clock::{ManualClock, SharedClock};
use agora_actors::kernel::ticker::TickNow;
use agora_sim::actions::{CommandOption, ComponentUse};
use agora_testkit::{
    content, custom_ids, is_private, message_text, run_test, wait_until, FreshPostgres, Harness,
    Refusal, ANSWER,
};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;
use twilight_model::id::Id;

/// The ticker that sends reminders and pings and marks starts and ends.
const TICKER: &str = "shifts-ticker";

/// Monday 2026-11-23 08:00 UTC: the manual clock's start.
fn monday_morning() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

/// A harness on the manual clock, with the moderator role and the shift channel set.
async fn shift_guild(extra: &[(&str, &str)]) -> (Harness, Arc<ManualClock>) {
    let clock = ManualClock::new(monday_morning());
    let shared: SharedClock = clock.clone();
    let harness = Harness::start_with_clock(extra, Vec::new(), shared).await;
    let demo = harness.demo.clone();
    harness
        .configure("moderator-role", "role", demo.moderator_role_id)
        .await;
    configure_shifts(
        &harness,
        "channel",
        vec![CommandOption::value("value", demo.shifts_id.to_string())],
    )
    .await;
    (harness, clock)
}

async fn configure_shifts(harness: &Harness, sub: &str, options: Vec<CommandOption>) {
    let record = harness
        .run(
            harness.demo.admin_id,
            harness.demo.general_id,
            "config",
            vec![CommandOption::sub(
                "shifts",
                vec![CommandOption::sub(sub, options)],
            )],
        )
        .await;
    assert!(
        content(&record).starts_with("Done"),
        "/config shifts {sub}: {}",
        content(&record)
    );
}

fn opts(pairs: &[(&str, Value)]) -> Vec<CommandOption> {
    pairs
        .iter()
        .map(|(name, value)| CommandOption::value(name, value.clone()))
        .collect()
}

async fn shift_command(
    harness: &Harness,
    user: u64,
    sub: &str,
    options: &[(&str, Value)],
) -> agora_sim::actions::InteractionRecord {
    harness
        .run(
            user,
            harness.demo.general_id,
            "shift",
            vec![CommandOption::sub(sub, opts(options))],
        )
        .await
}

/// Drops a shift as `user` starting at `start` (UTC, written in UTC) for `minutes`.
async fn drop_shift(
    harness: &Harness,
    user: u64,
    description: &str,
    start: DateTime<Utc>,
    minutes: i64,
) -> i64 {
    let record = shift_command(
        harness,
        user,
        "drop",
        &[
            ("description", description.into()),
            ("start", start.format("%Y-%m-%d %H:%M").to_string().into()),
            ("duration_minutes", minutes.into()),
            ("zone", "UTC".into()),
        ],
    )
    .await;
    let text = content(&record);
    assert!(text.starts_with("Shift #"), "drop: {text}");
    text["Shift #".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The shift's posted message in the shift channel.
fn posted(harness: &Harness, shift_id: i64) -> Value {
    let title = format!("Shift #{shift_id}:");
    harness
        .sim
        .channel_messages(harness.demo.shifts_id)
        .into_iter()
        .rev()
        .find(|m| {
            m["embeds"][0]["title"]
                .as_str()
                .is_some_and(|t| t.starts_with(&title))
        })
        .unwrap_or_else(|| panic!("shift #{shift_id} is posted"))
}

/// How many reminders of shift `shift_id` `user` has received by DM.
fn reminders_of(harness: &Harness, user: u64, shift_id: i64) -> usize {
    harness
        .sim
        .dms(user)
        .iter()
        .filter(|m| message_text(m).contains(&format!("Your shift #{shift_id}")))
        .count()
}

fn message_id_of(message: &Value) -> u64 {
    message["id"].as_str().unwrap().parse().unwrap()
}

fn button_disabled(message: &Value) -> bool {
    message["components"][0]["components"][0]["disabled"]
        .as_bool()
        .unwrap_or(false)
}

/// `count` new people with the moderator role in the demo guild.
fn new_moderators(harness: &Harness, count: usize) -> Vec<u64> {
    let demo = &harness.demo;
    (0..count)
        .map(|n| {
            let user = harness.sim.create_user(&format!("mod{n}"));
            harness
                .sim
                .join_guild(demo.guild_id, user, &[demo.moderator_role_id])
                .unwrap();
            user
        })
        .collect()
}

async fn click_claim(
    harness: &Harness,
    user: u64,
    shift_id: i64,
    message_id: u64,
) -> agora_sim::actions::InteractionRecord {
    let id = harness
        .sim
        .use_component(ComponentUse {
            message_id,
            user_id: user,
            custom_id: format!("shifts:1:claim:{shift_id}"),
            values: vec![],
            unchecked: true,
        })
        .unwrap();
    harness.sim.answer(id, ANSWER).await.unwrap()
}

#[test]
fn drop_claim_unclaim_edit_and_cancel_as_moderators_and_admins() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        let start = monday_morning() + chrono::Duration::hours(26);
        let id = drop_shift(&harness, mona, "Evening cover", start, 120).await;
        let message = posted(&harness, id);
        let text = message_text(&message);
        assert!(text.contains("Evening cover"), "{text}");
        assert!(
            text.contains(&format!("<t:{}:F>", start.timestamp())),
            "Discord timestamps: {text}"
        );
        assert!(text.contains("Open"), "{text}");
        assert_eq!(custom_ids(&message), vec![format!("shifts:1:claim:{id}")]);
        assert!(!button_disabled(&message));

        // Mona can't claim her own drop (the guild allows it only with /config shifts self-claim).
        let own = click_claim(&harness, mona, id, message_id_of(&message)).await;
        assert_eq!(
            content(&own),
            "You dropped this shift yourself; another moderator has to claim it."
        );
        // Milo claims: the message shows it and the button is disabled.
        let claimed = harness
            .click(
                milo,
                message_id_of(&message),
                &format!("shifts:1:claim:{id}"),
                &[],
            )
            .await;
        assert_eq!(
            claimed.callback.as_ref().unwrap().kind,
            7,
            "the claim updates the message"
        );
        let message = posted(&harness, id);
        assert!(
            message_text(&message).contains(&format!("Claimed by <@{milo}>")),
            "{}",
            message_text(&message)
        );
        assert!(button_disabled(&message));

        // A claimed shift can't be edited; the claimer gives it back; then it can.
        let edit = shift_command(
            &harness,
            mona,
            "edit",
            &[("id", id.into()), ("description", "Late cover".into())],
        )
        .await;
        assert!(
            content(&edit).contains(&format!("is claimed by <@{milo}>")),
            "{}",
            content(&edit)
        );
        let unclaim = shift_command(&harness, milo, "unclaim", &[("id", id.into())]).await;
        assert!(
            content(&unclaim).contains("open for claims again"),
            "{}",
            content(&unclaim)
        );
        assert!(!button_disabled(&posted(&harness, id)));
        let edit = shift_command(
            &harness,
            mona,
            "edit",
            &[
                ("id", id.into()),
                ("description", "Late cover".into()),
                ("duration_minutes", 90.into()),
            ],
        )
        .await;
        assert!(
            content(&edit).contains("lasts 1 h 30 min"),
            "{}",
            content(&edit)
        );
        assert!(message_text(&posted(&harness, id)).contains("Late cover"));

        // Milo may not cancel Mona's shift; an admin may.
        let refused = shift_command(&harness, milo, "cancel", &[("id", id.into())]).await;
        assert!(
            content(&refused).starts_with("Only the moderator who dropped"),
            "{}",
            content(&refused)
        );
        let cancelled =
            shift_command(&harness, demo.admin_id, "cancel", &[("id", id.into())]).await;
        assert_eq!(content(&cancelled), format!("Shift #{id} is cancelled."));
        let message = posted(&harness, id);
        assert!(message_text(&message).contains("Cancelled"));
        assert!(button_disabled(&message));
        // A stale client still showing the button: a clear answer, nothing changes.
        let late = click_claim(&harness, milo, id, message_id_of(&message)).await;
        assert!(is_private(&late));
        assert!(
            content(&late).contains("was cancelled"),
            "{}",
            content(&late)
        );
        let stored = harness
            .agora()
            .kernel()
            .store
            .shift(Id::new(demo.guild_id), id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.claimed_by, None);
    });
}

#[test]
fn fifty_simultaneous_claims_have_exactly_one_winner() {
    run_test(fifty_simultaneous_claims(&[]));
}

#[test]
#[ignore = "needs PostgreSQL: set AGORA_TEST_POSTGRES_URL, run with --include-ignored"]
fn fifty_simultaneous_claims_have_exactly_one_winner_on_postgresql() {
    run_test(async {
        let database = FreshPostgres::create().await;
        fifty_simultaneous_claims(&[("AGORA_DATABASE__URL", database.url())]).await;
    });
}

#[test]
fn a_dm_that_hangs_delays_no_claim() {
    run_test(async {
        let (harness, clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        // A claimed shift whose reminder falls due while Discord's DM route hangs.
        let soon = monday_morning() + chrono::Duration::hours(3);
        let bait = drop_shift(&harness, mona, "Reminder bait", soon, 60).await;
        let bait_message = message_id_of(&posted(&harness, bait));
        let claimed = click_claim(&harness, milo, bait, bait_message).await;
        assert_eq!(claimed.callback.as_ref().unwrap().kind, 7);
        let later = monday_morning() + chrono::Duration::hours(30);
        let id = drop_shift(&harness, mona, "Night watch", later, 60).await;
        let message_id = message_id_of(&posted(&harness, id));
        let moderators = new_moderators(&harness, 50);
        harness
            .sim
            .faults()
            .set_route_latency("POST /users/@me/channels", Duration::from_secs(30));
        clock.set(soon - chrono::Duration::minutes(14));
        // One tick, not awaited: it records the reminder and then hangs in the DM.
        harness
            .agora()
            .ticker("shifts-ticker")
            .expect("the shifts ticker")
            .do_send(TickNow);
        let ticker_busy = || {
            harness
                .agora()
                .kernel()
                .health
                .snapshot()
                .iter()
                .any(|actor| actor.name == "shifts-ticker" && actor.in_flight == 1)
        };
        wait_until(
            "the ticker inside the hanging DM",
            Duration::from_secs(10),
            ticker_busy,
        )
        .await;
        let clicks = claims_at_once(&harness, &moderators, id, message_id, false);
        let mut winners = 0;
        for click in clicks {
            let record = harness.sim.answer(click, ANSWER).await.unwrap();
            let callback = record.callback.as_ref().expect("answered");
            assert!(
                callback.after_ms < 1000.0,
                "answered in {} ms while the DM hangs",
                callback.after_ms
            );
            winners += usize::from(callback.kind == 7);
        }
        assert_eq!(winners, 1);
        assert!(ticker_busy(), "the DM was still hanging throughout");
    });
}

/// Every one of `users` clicks the Claim button of shift `shift_id` at once (as a modified
/// client would with `unchecked`); the interactions' ids, to read the answers.
fn claims_at_once(
    harness: &Harness,
    users: &[u64],
    shift_id: i64,
    message_id: u64,
    unchecked: bool,
) -> Vec<u64> {
    users
        .iter()
        .map(|user| {
            harness
                .sim
                .use_component(ComponentUse {
                    message_id,
                    user_id: *user,
                    custom_id: format!("shifts:1:claim:{shift_id}"),
                    values: vec![],
                    unchecked,
                })
                .unwrap()
        })
        .collect()
}

/// Fifty moderators click Claim at once; the leaderboard counts the one winner.
async fn fifty_simultaneous_claims(extra: &[(&str, &str)]) {
    let mut env = vec![("AGORA_RUNTIME__MAILBOX_CAPACITY", "128")];
    env.extend_from_slice(extra);
    let (harness, _clock) = shift_guild(&env).await;
    let demo = harness.demo.clone();
    let moderators = new_moderators(&harness, 50);
    let start = monday_morning() + chrono::Duration::hours(30);
    let id = drop_shift(&harness, demo.moderator_ids[0], "Night watch", start, 60).await;
    let message_id = message_id_of(&posted(&harness, id));
    let clicks = claims_at_once(&harness, &moderators, id, message_id, true);
    let mut winners = Vec::new();
    let mut refusals = 0;
    for (user, click) in moderators.iter().zip(&clicks) {
        let record = harness.sim.answer(*click, ANSWER).await.unwrap();
        assert!(record.errors.is_empty(), "{:?}", record.errors);
        match record.callback.as_ref().unwrap().kind {
            7 => winners.push(*user),
            _ => {
                assert!(is_private(&record));
                assert!(
                    content(&record).starts_with("Too late: <@"),
                    "{}",
                    content(&record)
                );
                refusals += 1;
            }
        }
    }
    assert_eq!(winners.len(), 1, "exactly one winner");
    assert_eq!(refusals, 49);
    let stored = harness
        .agora()
        .kernel()
        .store
        .shift(Id::new(demo.guild_id), id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.claimed_by, Some(Id::new(winners[0])));
    assert!(message_text(&posted(&harness, id)).contains(&format!("Claimed by <@{}>", winners[0])));
    let board = shift_command(
        &harness,
        demo.member_ids[0],
        "leaderboard",
        &[("period", "all".into())],
    )
    .await;
    assert!(
        content(&board).contains(&format!("1. <@{}> — 1 h (1 shift)", winners[0])),
        "{}",
        content(&board)
    );
}

#[test]
fn fairness_makes_heavy_claimers_wait_for_the_lock_window() {
    run_test(async {
        let (harness, clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        configure_shifts(&harness, "claim-limit", opts(&[("value", 2.0.into())])).await;
        let first = drop_shift(
            &harness,
            mona,
            "Long one",
            monday_morning() + chrono::Duration::hours(48),
            120,
        )
        .await;
        let claimed = click_claim(
            &harness,
            milo,
            first,
            message_id_of(&posted(&harness, first)),
        )
        .await;
        assert_eq!(claimed.callback.unwrap().kind, 7);
        let later_start = monday_morning() + chrono::Duration::hours(5);
        let second = drop_shift(&harness, mona, "Afternoon", later_start, 60).await;
        let refused = click_claim(
            &harness,
            milo,
            second,
            message_id_of(&posted(&harness, second)),
        )
        .await;
        let text = content(&refused);
        assert!(is_private(&refused));
        assert!(
            text.starts_with("You've claimed 2 h in the last 7 days (the limit here is 2 h)"),
            "{text}"
        );
        let from = later_start - chrono::Duration::minutes(60);
        assert!(
            text.contains(&format!("<t:{}:F>", from.timestamp())),
            "{text}"
        );
        // Within the lock window the claim goes through.
        clock.set(from);
        let claimed = click_claim(
            &harness,
            milo,
            second,
            message_id_of(&posted(&harness, second)),
        )
        .await;
        assert_eq!(
            claimed.callback.as_ref().unwrap().kind,
            7,
            "{}",
            content(&claimed)
        );
    });
}

#[test]
fn reminders_pings_start_and_end_each_happen_once_on_the_manual_clock() {
    run_test(async {
        let (harness, clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        let start = monday_morning() + chrono::Duration::hours(3);
        let id = drop_shift(&harness, mona, "Lunch cover", start, 60).await;
        let pings = || {
            harness
                .sim
                .channel_messages(demo.shifts_id)
                .iter()
                .filter(|m| {
                    message_text(m)
                        .contains(&format!("Shift #{id} (Lunch cover) is still unclaimed"))
                })
                .count()
        };
        // 61 minutes before: nothing yet (a whole tick ran). 60 minutes before: the
        // moderators are pinged.
        clock.set(start - chrono::Duration::minutes(61));
        harness.tick(TICKER).await;
        assert_eq!(pings(), 0);
        clock.set(start - chrono::Duration::minutes(60));
        harness.tick(TICKER).await;
        assert_eq!(pings(), 1);
        let ping = harness
            .sim
            .channel_messages(demo.shifts_id)
            .into_iter()
            .rev()
            .find(|m| message_text(m).contains("still unclaimed"))
            .unwrap();
        assert!(message_text(&ping).starts_with(&format!("<@&{}>", demo.moderator_role_id)));
        assert_eq!(
            ping["mention_roles"][0].as_str(),
            Some(demo.moderator_role_id.to_string().as_str()),
            "{ping}"
        );

        click_claim(&harness, milo, id, message_id_of(&posted(&harness, id))).await;
        let reminders = || reminders_of(&harness, milo, id);
        clock.set(start - chrono::Duration::minutes(16));
        harness.tick(TICKER).await;
        assert_eq!(reminders(), 0);
        clock.set(start - chrono::Duration::minutes(15));
        harness.tick(TICKER).await;
        assert_eq!(reminders(), 1);

        clock.set(start);
        harness.tick(TICKER).await;
        assert!(message_text(&posted(&harness, id)).contains("Started"));
        clock.set(start + chrono::Duration::minutes(60));
        harness.tick(TICKER).await;
        assert!(message_text(&posted(&harness, id)).contains("Done"));
        // More ticks change nothing: each happened once.
        for _ in 0..3 {
            harness.tick(TICKER).await;
        }
        assert_eq!(pings(), 1);
        assert_eq!(reminders(), 1);
        let stored = harness
            .agora()
            .kernel()
            .store
            .shift(Id::new(demo.guild_id), id)
            .await
            .unwrap()
            .unwrap();
        assert!(
            stored.done_at.is_some()
                && stored.reminded_at.is_some()
                && stored.unclaimed_ping_at.is_some()
        );
    });
}

#[test]
fn buttons_keep_working_after_a_restart_and_a_deleted_message_is_posted_again() {
    run_test(async {
        let (mut harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        let id = drop_shift(
            &harness,
            mona,
            "Weekend",
            monday_morning() + chrono::Duration::hours(100),
            60,
        )
        .await;
        let message_id = message_id_of(&posted(&harness, id));
        harness.stop().await;
        harness.boot(Vec::new()).await;
        let claimed = harness
            .click(milo, message_id, &format!("shifts:1:claim:{id}"), &[])
            .await;
        assert_eq!(claimed.callback.unwrap().kind, 7);
        assert!(message_text(&posted(&harness, id)).contains(&format!("Claimed by <@{milo}>")));

        // Someone deletes the shift message by hand; the next change posts it again.
        {
            let state = harness.sim.state();
            let mut world = state.world.lock();
            world
                .messages
                .get_mut(&demo.shifts_id)
                .unwrap()
                .remove(&message_id);
        }
        // Editing the deleted message is refused (Unknown Message): that is how the bot
        // learns to post it again.
        harness.expect_refusal(Refusal::code(10008).on("PATCH /channels"));
        let unclaim = shift_command(&harness, milo, "unclaim", &[("id", id.into())]).await;
        assert!(content(&unclaim).contains("open for claims again"));
        let reposted = posted(&harness, id);
        assert_ne!(message_id_of(&reposted), message_id);
        assert!(message_text(&reposted).contains("Open"));
    });
}

#[test]
fn schedules_across_zones_and_dropping_the_next_slot() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let mona = demo.moderator_ids[0];
        let set = harness
            .run(
                mona,
                demo.general_id,
                "timezone",
                vec![CommandOption::sub(
                    "set",
                    opts(&[("zone", "america/new_york".into())]),
                )],
            )
            .await;
        assert!(
            content(&set).starts_with("Your time zone is now **America/New_York**"),
            "{}",
            content(&set)
        );
        let add = |weekday: i64, time: &str| {
            vec![CommandOption::sub(
                "add",
                opts(&[("weekday", weekday.into()), ("time", time.into())]),
            )]
        };
        let added = harness
            .run(mona, demo.general_id, "schedule", add(1, "09:00"))
            .await;
        assert!(
            content(&added).contains("Tuesday 09:00** America/New_York"),
            "{}",
            content(&added)
        );
        let twice = harness
            .run(mona, demo.general_id, "schedule", add(1, "09:00"))
            .await;
        assert!(
            content(&twice).contains("already has a slot on Tuesday at 09:00"),
            "{}",
            content(&twice)
        );
        // Tuesday 2026-11-24 09:00 in New York (EST, UTC-5) is 14:00 UTC.
        let next = Utc.with_ymd_and_hms(2026, 11, 24, 14, 0, 0).unwrap();
        let view = harness
            .run(
                demo.member_ids[0],
                demo.general_id,
                "schedule",
                vec![CommandOption::sub(
                    "view",
                    opts(&[("user", mona.to_string().into())]),
                )],
            )
            .await;
        assert!(
            content(&view).contains(&format!("<t:{}:F>", next.timestamp())),
            "{}",
            content(&view)
        );

        let dropped = shift_command(&harness, mona, "drop-slot", &[]).await;
        let text = content(&dropped);
        assert!(
            text.contains(&format!("<t:{}:F>", next.timestamp())),
            "{text}"
        );
        let again = shift_command(&harness, mona, "drop-slot", &[]).await;
        assert!(
            content(&again).contains("is already dropped"),
            "{}",
            content(&again)
        );
        // A moderator can't drop someone else's slot; an admin can.
        let other = shift_command(
            &harness,
            demo.moderator_ids[1],
            "drop-slot",
            &[("user", mona.to_string().into())],
        )
        .await;
        assert!(
            content(&other).starts_with("Only server admins"),
            "{}",
            content(&other)
        );
    });
}

#[test]
fn oversized_input_from_a_modified_client_gets_an_answer_and_changes_nothing() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let mona = demo.moderator_ids[0];
        let cases = [
            ("9".repeat(3_000), "Cover".to_owned()),
            ("tomorrow 10:00".to_owned(), "d".repeat(10_000)),
        ];
        for (start, description) in cases {
            let drop = vec![CommandOption::sub(
                "drop",
                opts(&[
                    ("description", description.into()),
                    ("start", start.into()),
                    ("duration_minutes", 60.into()),
                ]),
            )];
            // Past the Discord client's own length checks, as a modified client would.
            let id = harness
                .sim
                .run_command(agora_sim::actions::CommandRun {
                    guild_id: Some(demo.guild_id),
                    channel_id: demo.general_id,
                    user_id: mona,
                    name: "shift".into(),
                    options: drop,
                    unchecked: true,
                })
                .unwrap();
            let record = harness.sim.answer(id, ANSWER).await.expect("an answer");
            let callback = record
                .callback
                .as_ref()
                .expect("not 'This interaction failed'");
            assert!(callback.after_ms < 3000.0);
            assert!(is_private(&record), "{}", content(&record));
            // A specific answer naming the option, not an incident: what was typed is
            // quoted only in part.
            let text = content(&record);
            assert!(text.starts_with("I could not use that: "), "{text}");
            assert!(
                text.chars().count() < 500,
                "{} characters",
                text.chars().count()
            );
            assert!(!text.contains("incident"), "{text}");
        }
        let store = &harness.agora().kernel().store;
        assert_eq!(store.count_shifts(Id::new(demo.guild_id)).await.unwrap(), 0);
    });
}

#[test]
fn bad_input_gets_a_clear_private_answer_and_changes_nothing() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let mona = demo.moderator_ids[0];
        let store = &harness.agora().kernel().store;
        let mars = harness
            .run(
                mona,
                demo.general_id,
                "timezone",
                vec![CommandOption::sub(
                    "set",
                    opts(&[("zone", "Mars/Base".into())]),
                )],
            )
            .await;
        assert!(is_private(&mars));
        assert!(
            content(&mars).starts_with("\"Mars/Base\" is not a time zone I know"),
            "{}",
            content(&mars)
        );
        assert_eq!(store.user_zone(Id::new(mona)).await.unwrap(), None);
        let hour = harness
            .run(
                mona,
                demo.general_id,
                "schedule",
                vec![CommandOption::sub(
                    "add",
                    opts(&[("weekday", 0.into()), ("time", "25:00".into())]),
                )],
            )
            .await;
        assert_eq!(content(&hour), "25 is not an hour: hours go from 0 to 23.");
        let past = shift_command(
            &harness,
            mona,
            "drop",
            &[
                ("description", "Too late".into()),
                ("start", "2026-11-22 10:00".into()),
                ("duration_minutes", 60.into()),
            ],
        )
        .await;
        assert!(
            content(&past).starts_with("That start ("),
            "{}",
            content(&past)
        );
        // A modified client sends a duration Discord's limits would have stopped.
        let id = harness
            .sim
            .run_command(agora_sim::actions::CommandRun {
                guild_id: Some(demo.guild_id),
                channel_id: demo.general_id,
                user_id: mona,
                name: "shift".into(),
                options: vec![CommandOption::sub(
                    "drop",
                    opts(&[
                        ("description", "Tiny".into()),
                        ("start", "2026-11-24 10:00".into()),
                        ("duration_minutes", 5.into()),
                    ]),
                )],
                unchecked: true,
            })
            .unwrap();
        let tiny = harness.sim.answer(id, ANSWER).await.unwrap();
        assert!(
            content(&tiny).contains(
                "`duration_minutes`: out of range integer, received `5`. Nothing changed."
            ),
            "{}",
            content(&tiny)
        );
        assert_eq!(store.count_shifts(Id::new(demo.guild_id)).await.unwrap(), 0);
        // Shift commands kept to the shift channel.
        configure_shifts(&harness, "restrict", opts(&[("value", true.into())])).await;
        let outside = shift_command(&harness, mona, "upcoming", &[]).await;
        assert_eq!(
            content(&outside),
            format!("Shift commands work only in <#{}> here.", demo.shifts_id)
        );
    });
}

#[test]
fn stats_upcoming_and_the_calendar_export() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        let start = monday_morning() + chrono::Duration::hours(4);
        let id = drop_shift(&harness, mona, "Morning; with, specials", start, 90).await;
        click_claim(&harness, milo, id, message_id_of(&posted(&harness, id))).await;
        drop_shift(
            &harness,
            mona,
            "Open one",
            start + chrono::Duration::hours(3),
            30,
        )
        .await;

        let stats = shift_command(
            &harness,
            demo.member_ids[0],
            "stats",
            &[("user", milo.to_string().into())],
        )
        .await;
        assert!(
            content(&stats).contains("Claimed, last 7 days: 1 shifts, 1.5 h"),
            "{}",
            content(&stats)
        );
        let mine = shift_command(&harness, mona, "stats", &[]).await;
        assert!(content(&mine).contains("Dropped: 2"), "{}", content(&mine));
        let board = shift_command(
            &harness,
            demo.member_ids[0],
            "leaderboard",
            &[("period", "7d".into())],
        )
        .await;
        assert!(
            content(&board).contains(&format!("1. <@{milo}> — 1.5 h (1 shift)")),
            "{}",
            content(&board)
        );
        let upcoming = shift_command(&harness, demo.member_ids[0], "upcoming", &[]).await;
        let text = content(&upcoming);
        assert!(
            text.contains("**open**") && text.contains(&format!("covered by <@{milo}>")),
            "{text}"
        );
        assert!(text.contains("Gaps (covered 1.5 of 168 h)"), "{text}");

        let export = shift_command(&harness, milo, "export", &[]).await;
        assert!(is_private(&export));
        let attachment = &export.payload["attachments"][0];
        assert_eq!(
            attachment["filename"], "agora-shifts.ics",
            "{}",
            export.payload
        );
        let body = reqwest::get(attachment["url"].as_str().unwrap())
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.starts_with("BEGIN:VCALENDAR\r\n"), "{body}");
        assert!(
            body.contains(&format!("DTSTART:{}\r\n", start.format("%Y%m%dT%H%M%SZ"))),
            "{body}"
        );
        assert!(body.contains("Morning\\; with\\, specials"), "{body}");
        let nothing = shift_command(&harness, demo.member_ids[0], "export", &[]).await;
        assert!(content(&nothing).contains("nothing to export"));
    });
}

/// (command, subcommand, options, may a member, may a moderator, may an admin)
type MatrixRow = (
    &'static str,
    &'static str,
    Vec<(&'static str, Value)>,
    bool,
    bool,
    bool,
);

#[test]
fn who_may_run_what() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (member, moderator, admin) = (demo.member_ids[0], demo.moderator_ids[0], demo.admin_id);
        let start = (monday_morning() + chrono::Duration::hours(50))
            .format("%Y-%m-%d %H:%M")
            .to_string();
        let refused = "Only moderators can do that here.";
        // (command, subcommand, options, may a member, may a moderator, may an admin)
        let matrix: Vec<MatrixRow> = vec![
            ("timezone", "show", vec![], true, true, true),
            ("schedule", "view", vec![], true, true, true),
            (
                "schedule",
                "add",
                vec![("weekday", 2.into()), ("time", "10:00".into())],
                false,
                true,
                true,
            ),
            ("schedule", "clear", vec![], false, true, true),
            (
                "shift",
                "drop",
                vec![
                    ("description", "x".into()),
                    ("start", start.clone().into()),
                    ("duration_minutes", 60.into()),
                ],
                false,
                true,
                true,
            ),
            (
                "timezone",
                "set",
                vec![("zone", "UTC".into())],
                true,
                true,
                true,
            ),
            (
                "schedule",
                "remove",
                vec![("weekday", 2.into()), ("time", "10:00".into())],
                false,
                true,
                true,
            ),
            ("shift", "drop-slot", vec![], false, true, true),
            ("shift", "edit", vec![("id", 999.into())], false, true, true),
            (
                "shift",
                "cancel",
                vec![("id", 999.into())],
                false,
                true,
                true,
            ),
            (
                "shift",
                "unclaim",
                vec![("id", 999.into())],
                false,
                true,
                true,
            ),
            ("shift", "stats", vec![], true, true, true),
            (
                "shift",
                "leaderboard",
                vec![("period", "all".into())],
                true,
                true,
                true,
            ),
            ("shift", "upcoming", vec![], true, true, true),
            ("shift", "export", vec![], true, true, true),
        ];
        for (command, sub, options, by_member, by_moderator, by_admin) in matrix {
            for (user, allowed) in [
                (member, by_member),
                (moderator, by_moderator),
                (admin, by_admin),
            ] {
                let record = harness
                    .run(
                        user,
                        demo.general_id,
                        command,
                        vec![CommandOption::sub(sub, opts(&options))],
                    )
                    .await;
                assert!(is_private(&record), "/{command} {sub}");
                let text = content(&record);
                assert_eq!(
                    text == refused,
                    !allowed,
                    "/{command} {sub} by {user}: {text}"
                );
            }
        }
        // The Claim button is for moderators.
        let id = drop_shift(
            &harness,
            moderator,
            "Matrix",
            monday_morning() + chrono::Duration::hours(60),
            60,
        )
        .await;
        let message_id = message_id_of(&posted(&harness, id));
        let by_member = click_claim(&harness, member, id, message_id).await;
        assert_eq!(content(&by_member), refused);
        // /config shifts is for admins.
        let config = harness
            .run(
                moderator,
                demo.general_id,
                "config",
                vec![CommandOption::sub(
                    "shifts",
                    vec![CommandOption::sub(
                        "self-claim",
                        opts(&[("value", true.into())]),
                    )],
                )],
            )
            .await;
        assert_eq!(content(&config), "Only server admins can do that here.");
    });
}

#[test]
fn the_zone_option_autocompletes_over_every_iana_zone() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let typing = |typed: &str| agora_sim::actions::CommandRun {
            guild_id: Some(demo.guild_id),
            channel_id: demo.general_id,
            user_id: demo.member_ids[0],
            name: "timezone".into(),
            options: vec![CommandOption::sub(
                "set",
                vec![CommandOption::focused("zone", typed)],
            )],
            unchecked: false,
        };
        let choices = |record: agora_sim::actions::InteractionRecord| -> Vec<String> {
            record.payload["choices"]
                .as_array()
                .unwrap_or_else(|| panic!("choices in {}", record.payload))
                .iter()
                .map(|c| c["value"].as_str().unwrap().to_owned())
                .collect()
        };
        let empty = harness.sim.autocomplete(typing("")).unwrap();
        let common = choices(harness.sim.answer(empty, ANSWER).await.unwrap());
        assert_eq!(common.first().map(String::as_str), Some("UTC"));
        assert!(common.len() <= 25);
        let lon = harness.sim.autocomplete(typing("lon")).unwrap();
        let lon = choices(harness.sim.answer(lon, ANSWER).await.unwrap());
        assert_eq!(
            lon.first().map(String::as_str),
            Some("Europe/London"),
            "{lon:?}"
        );
        let york = harness.sim.autocomplete(typing("york")).unwrap();
        let york = choices(harness.sim.answer(york, ANSWER).await.unwrap());
        assert!(
            york.contains(&"America/New_York".to_owned()),
            "substring matches: {york:?}"
        );
        let america = harness.sim.autocomplete(typing("America/")).unwrap();
        assert_eq!(
            choices(harness.sim.answer(america, ANSWER).await.unwrap()).len(),
            25
        );
        let mars = harness.sim.autocomplete(typing("Mars")).unwrap();
        assert!(choices(harness.sim.answer(mars, ANSWER).await.unwrap()).is_empty());
    });
}

#[test]
fn a_claim_whose_callback_fails_still_updates_the_posted_message() {
    run_test(async {
        let (harness, _clock) = shift_guild(&[]).await;
        let demo = harness.demo.clone();
        let (mona, milo) = (demo.moderator_ids[0], demo.moderator_ids[1]);
        let id = drop_shift(
            &harness,
            mona,
            "Flaky network",
            monday_morning() + chrono::Duration::hours(20),
            60,
        )
        .await;
        let message_id = message_id_of(&posted(&harness, id));
        harness.sim.faults().fail_next(agora_sim::faults::FailRule {
            route: "POST /interactions/{interaction_id}/{interaction_token}/callback".into(),
            status: 503,
            remaining: 1,
        });
        let click = harness
            .sim
            .use_component(ComponentUse {
                message_id,
                user_id: milo,
                custom_id: format!("shifts:1:claim:{id}"),
                values: vec![],
                unchecked: false,
            })
            .unwrap();
        // Discord never got the callback, yet the claim is stored and everyone sees it.
        wait_until(
            "the message edited through the channel",
            Duration::from_secs(10),
            || message_text(&posted(&harness, id)).contains(&format!("Claimed by <@{milo}>")),
        )
        .await;
        let stored = harness
            .agora()
            .kernel()
            .store
            .shift(Id::new(demo.guild_id), id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.claimed_by, Some(Id::new(milo)));
        let record = harness
            .sim
            .interaction(
                click,
                agora_sim::interactions::WaitFor::Callback,
                Duration::from_millis(100),
            )
            .await
            .unwrap();
        assert!(record.callback.is_none(), "the callback really failed");
    });
}

/// A claimed shift whose reminder falls due at `start - 15 min`; returns its id and start.
async fn claimed_shift_for_reminder(harness: &Harness, claimer: u64) -> (i64, DateTime<Utc>) {
    let demo = &harness.demo;
    let start = monday_morning() + chrono::Duration::hours(3);
    let id = drop_shift(harness, demo.moderator_ids[0], "Reminder", start, 60).await;
    let claimed = click_claim(harness, claimer, id, message_id_of(&posted(harness, id))).await;
    assert_eq!(claimed.callback.as_ref().unwrap().kind, 7);
    (id, start)
}

/// What an admin reads under "Not delivered" in `/shift upcoming` (empty when nothing
/// failed).
async fn undelivered(harness: &Harness) -> String {
    let upcoming = harness
        .run(
            harness.demo.admin_id,
            harness.demo.general_id,
            "shift",
            vec![CommandOption::sub("upcoming", vec![])],
        )
        .await;
    let embed = &upcoming.callback.as_ref().unwrap().data["embeds"][0];
    embed["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|field| field["name"] == "Not delivered")
        .map(|field| field["value"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

#[test]
fn a_reminder_is_retried_through_discord_failures_and_sent_once() {
    run_test(async {
        let (harness, clock) = shift_guild(&[]).await;
        let milo = harness.demo.moderator_ids[1];
        let (id, start) = claimed_shift_for_reminder(&harness, milo).await;
        // Discord fails the DM twice (a 503, then a 500), then takes it.
        for status in [503, 500] {
            harness.sim.faults().fail_next(agora_sim::faults::FailRule {
                route: "POST /users/@me/channels".into(),
                status,
                remaining: 1,
            });
        }
        let due = start - chrono::Duration::minutes(15);
        clock.set(due);
        harness
            .expect_refusal(Refusal::status(503).on("POST /users/@me/channels"))
            .tick(TICKER)
            .await;
        assert_eq!(reminders_of(&harness, milo, id), 0);
        // The retry waits its backoff (5 s): a tick before it sends nothing.
        clock.set(due + chrono::Duration::seconds(4));
        harness.tick(TICKER).await;
        clock.set(due + chrono::Duration::seconds(5));
        harness
            .expect_refusal(Refusal::status(500).on("POST /users/@me/channels"))
            .tick(TICKER)
            .await;
        assert_eq!(reminders_of(&harness, milo, id), 0);
        clock.set(due + chrono::Duration::seconds(20));
        harness.tick(TICKER).await;
        assert_eq!(reminders_of(&harness, milo, id), 1);
        // Sent once, whatever happens next.
        for minutes in [1, 5, 10] {
            clock.set(due + chrono::Duration::minutes(minutes));
            harness.tick(TICKER).await;
        }
        assert_eq!(reminders_of(&harness, milo, id), 1);
        assert_eq!(undelivered(&harness).await, "");
    });
}

#[test]
fn a_reminder_to_someone_who_refuses_dms_is_recorded_and_shown_to_admins() {
    run_test(async {
        let (harness, clock) = shift_guild(&[]).await;
        let milo = harness.demo.moderator_ids[1];
        let (id, start) = claimed_shift_for_reminder(&harness, milo).await;
        harness.sim.set_accepts_dms(milo, false).unwrap();
        clock.set(start - chrono::Duration::minutes(15));
        harness
            .expect_refusal(Refusal::code(50007))
            .tick(TICKER)
            .await;
        // Not retried: 50007 is Discord's final word.
        for minutes in [1, 5, 10] {
            clock.set(start - chrono::Duration::minutes(15) + chrono::Duration::minutes(minutes));
            harness.tick(TICKER).await;
        }
        assert_eq!(reminders_of(&harness, milo, id), 0);
        let dm_sends = harness
            .sim
            .requests(0)
            .iter()
            .filter(|request| request.status == 403)
            .count();
        assert_eq!(dm_sends, 1, "one attempt, no retries");
        assert_eq!(
            undelivered(&harness).await,
            format!("#{id}: reminder to <@{milo}> — they do not accept direct messages from me")
        );
    });
}

#[test]
fn no_reminder_while_the_guild_s_settings_cannot_be_read() {
    run_test(async {
        let (harness, clock) = shift_guild(&[]).await;
        let milo = harness.demo.moderator_ids[1];
        let (id, start) = claimed_shift_for_reminder(&harness, milo).await;
        // The guild turns reminders off; then its settings become unreadable (a value no
        // release wrote). The tick must not fall back to the defaults and DM Milo.
        configure_shifts(&harness, "reminder", vec![CommandOption::value("value", 0)]).await;
        let store = &harness.agora().kernel().store;
        let guild = Id::new(harness.demo.guild_id);
        agora_actors::with_connection!(store, connection => {
            use diesel_async::RunQueryDsl;
            diesel::sql_query(format!(
                "UPDATE guild_settings SET allowed_channel_ids = 'not json' WHERE guild_id = {}",
                harness.demo.guild_id
            ))
            .execute(connection)
            .await
        })
        .unwrap();
        harness.agora().kernel().forget_guild_config(guild).await;
        assert!(harness.agora().kernel().guild_config(guild).await.is_err());
        clock.set(start - chrono::Duration::minutes(15));
        harness.tick(TICKER).await;
        clock.set(start - chrono::Duration::minutes(10));
        harness.tick(TICKER).await;
        assert_eq!(reminders_of(&harness, milo, id), 0);
    });
}
