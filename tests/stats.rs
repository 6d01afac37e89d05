//! Channel activity end to end through agora-sim, as a community's admins, moderators and
//! members meet it: a flood counted exactly in the proposed and permanent channels and
//! nowhere else (nothing lost at a clean stop), the same scores on Redis as in memory, the
//! ranking messages found again after a restart and posted again after a hand delete,
//! promotion with its announcement and its refusals, the daily chart as a real PNG, and a
//! recalculation over 20,000 messages of history under the sim's rate limits, with its
//! progress shown and resumed after a restart.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use agora_actors::kernel::cache::Cache;
use agora_actors::stats::counts::{self, Activity};
use agora_actors::stats::tally::{day_of, snowflake_ms};
use agora_sim::actions::{CommandOption, InteractionRecord};
use agora_sim::gateway::flood::FloodRequest;
use agora_sim::world::{channel_kind, Overwrite};
use agora_sim::WaitFor;
use agora_testkit::{content, is_private, message_text, redis_url, run_test, Harness, Refusal};
use serde_json::Value;

/// How long counts may take to reach the cache (a flush runs every second).
const COUNTED: Duration = Duration::from_secs(15);

/// The guild's channels for activity: the demo's "Proposed" category with two text
/// channels, a new "Permanent" category with one, and a rankings channel.
struct Layout {
    proposed_category: u64,
    permanent_category: u64,
    ideas: u64,
    games: u64,
    hall: u64,
    rankings: u64,
}

fn layout(harness: &Harness) -> Layout {
    let sim = &harness.sim;
    let guild = harness.demo.guild_id;
    let proposed_category = harness.demo.proposed_category_id;
    let permanent_category = sim
        .create_channel(guild, "Permanent", channel_kind::GUILD_CATEGORY, None)
        .unwrap();
    let text = |name: &str, parent: Option<u64>| {
        sim.create_channel(guild, name, channel_kind::GUILD_TEXT, parent)
            .unwrap()
    };
    Layout {
        proposed_category,
        permanent_category,
        ideas: text("ideas", Some(proposed_category)),
        games: text("games", Some(proposed_category)),
        hall: text("hall", Some(permanent_category)),
        rankings: text("rankings", None),
    }
}

/// `/config stats <key> value:<id>` as the admin.
async fn set(harness: &Harness, key: &str, value: u64) {
    let record = harness
        .run(
            harness.demo.admin_id,
            harness.demo.general_id,
            "config",
            vec![CommandOption::sub(
                "stats",
                vec![CommandOption::sub(
                    key,
                    vec![CommandOption::value("value", value.to_string())],
                )],
            )],
        )
        .await;
    let text = content(&record);
    assert!(text.starts_with("Done"), "/config stats {key}: {text}");
}

/// The moderator role, both categories, the rankings channel and `announce` set; the
/// categories scanned by a moderator.
async fn configured(harness: &Harness, layout: &Layout, announce: u64) {
    harness
        .configure("moderator-role", "role", harness.demo.moderator_role_id)
        .await;
    set(harness, "proposed-category", layout.proposed_category).await;
    set(harness, "permanent-category", layout.permanent_category).await;
    set(harness, "rankings-channel", layout.rankings).await;
    set(harness, "announce-channel", announce).await;
    let refreshed = command(
        harness,
        harness.demo.moderator_ids[0],
        "channels",
        "refresh",
        vec![],
    )
    .await;
    assert!(
        refreshed.contains("2 proposed and 1 permanent"),
        "{refreshed}"
    );
}

/// `/<name> <sub> …` as `user` in #general; what they were told (checked private).
async fn command(
    harness: &Harness,
    user: u64,
    name: &str,
    sub: &str,
    options: Vec<CommandOption>,
) -> String {
    let record = run(harness, user, name, sub, options).await;
    assert!(is_private(&record), "/{name} {sub} answers privately");
    content(&record)
}

async fn run(
    harness: &Harness,
    user: u64,
    name: &str,
    sub: &str,
    options: Vec<CommandOption>,
) -> InteractionRecord {
    harness
        .run(
            user,
            harness.demo.general_id,
            name,
            vec![CommandOption::sub(sub, options)],
        )
        .await
}

fn cache_of(harness: &Harness) -> Cache {
    counts::scope(&harness.agora().kernel().cache)
}

/// The activity the cache holds for `channels`.
async fn activity(cache: &Cache, guild: u64, channels: &[u64]) -> Vec<Activity> {
    counts::read(cache, guild, channels).await.unwrap()
}

async fn totals(cache: &Cache, guild: u64, channels: &[u64]) -> Vec<i64> {
    activity(cache, guild, channels)
        .await
        .iter()
        .map(|a| a.total)
        .collect()
}

/// Waits until the cache holds `expected` totals for `channels`.
async fn wait_for_totals(cache: &Cache, guild: u64, channels: &[u64], expected: &[i64]) {
    let deadline = Instant::now() + COUNTED;
    loop {
        let now = totals(cache, guild, channels).await;
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "counts {now:?}, expected {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The bot's messages in a channel.
fn bot_messages(harness: &Harness, channel: u64) -> Vec<Value> {
    let bot = harness.sim.bot_user_id().to_string();
    harness
        .sim
        .channel_messages(channel)
        .into_iter()
        .filter(|m| m["author"]["id"].as_str() == Some(bot.as_str()))
        .collect()
}

fn id_of(message: &Value) -> u64 {
    message["id"].as_str().unwrap().parse().unwrap()
}

/// Each ranking line's channel mention and its score, in order.
fn proposed_scores(text: &str, names: &BTreeMap<u64, &str>) -> Vec<(String, String)> {
    text.lines()
        .filter(|line| line.contains("score "))
        .map(|line| {
            let id: u64 = line
                .split("<#")
                .nth(1)
                .and_then(|rest| rest.split('>').next())
                .and_then(|id| id.parse().ok())
                .unwrap();
            let score = line
                .split("score ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .unwrap();
            (names[&id].to_owned(), score.to_owned())
        })
        .collect()
}

#[test]
fn a_flood_is_counted_exactly_in_the_tracked_channels_and_shown_as_a_chart_and_rankings() {
    run_test(async {
        let harness = Harness::start().await;
        let guild = harness.demo.guild_id;
        let layout = layout(&harness);
        configured(&harness, &layout, harness.demo.announcements_id).await;
        let cache = cache_of(&harness);

        let report = harness
            .sim
            .flood(FloodRequest {
                event: "MESSAGE_CREATE".into(),
                count: 6_000,
                rate_per_s: None,
                guild_id: Some(guild),
                spacing_ms: None,
            })
            .await
            .unwrap();
        // People talking as they do, in a tracked channel and an untracked one.
        for n in 0..25 {
            let member = harness.demo.member_ids[n % harness.demo.member_ids.len()];
            harness
                .sim
                .send_message(layout.ideas, member, &format!("idea {n}"))
                .unwrap();
            harness
                .sim
                .send_message(harness.demo.general_id, member, &format!("chat {n}"))
                .unwrap();
        }
        let flooded = |channel: u64| report.per_channel.get(&channel).copied().unwrap_or(0) as i64;
        assert!(flooded(layout.ideas) > 0 && flooded(harness.demo.general_id) > 0);
        let tracked = [layout.ideas, layout.games, layout.hall];
        let expected = [
            flooded(layout.ideas) + 25,
            flooded(layout.games),
            flooded(layout.hall),
        ];
        wait_for_totals(&cache, guild, &tracked, &expected).await;
        // Nothing anywhere else: the untracked channels have no counts at all, even after
        // the next flushes.
        let untracked: Vec<u64> = report
            .per_channel
            .keys()
            .copied()
            .filter(|channel| !tracked.contains(channel))
            .collect();
        assert!(untracked.len() >= 4, "{untracked:?}");
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        assert_eq!(
            totals(&cache, guild, &untracked).await,
            vec![0; untracked.len()]
        );
        assert_eq!(totals(&cache, guild, &tracked).await, expected);
        // All of today's: the day counts say the same.
        let today = day_of(chrono::Utc::now().timestamp_millis());
        for (counted, expected) in activity(&cache, guild, &tracked).await.iter().zip(expected) {
            assert_eq!(counted.days.values().sum::<i64>(), expected);
            assert!(counted
                .days
                .keys()
                .all(|day| (today - 1..=today).contains(day)));
        }

        // The chart a member asks for: the numbers in words and a real PNG.
        let member = harness.demo.member_ids[0];
        let record = run(
            &harness,
            member,
            "stats",
            "channel",
            vec![CommandOption::value("channel", layout.ideas.to_string())],
        )
        .await;
        assert!(is_private(&record));
        let text = content(&record);
        let ideas = expected[0];
        assert!(
            text.contains(&format!("{ideas} messages in the last 30 days, {ideas} in the last 7, {ideas} in all. Score {ideas}.0")),
            "{text}"
        );
        let file = &record.payload["attachments"][0];
        assert_eq!(file["filename"], "channel-activity.png");
        let message_id: u64 = record.payload["id"].as_str().unwrap().parse().unwrap();
        let png = harness
            .sim
            .state()
            .world
            .lock()
            .message(harness.demo.general_id, message_id)
            .expect("the answer's message")
            .attachments[0]
            .data
            .clone();
        let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .expect("the attachment is a PNG");
        assert_eq!((image.width(), image.height()), (900, 450));
        // An untracked channel has no chart, and says why.
        let general = command(
            &harness,
            member,
            "stats",
            "channel",
            vec![CommandOption::value(
                "channel",
                harness.demo.general_id.to_string(),
            )],
        )
        .await;
        assert!(general.contains("is not counted"), "{general}");

        // The rankings: proposed channels by score (today's messages count 0.4 + 0.6).
        let refreshed = command(
            &harness,
            harness.demo.moderator_ids[0],
            "channels",
            "refresh",
            vec![],
        )
        .await;
        assert!(
            refreshed.contains("The rankings are up to date"),
            "{refreshed}"
        );
        let posted = bot_messages(&harness, layout.rankings);
        assert_eq!(posted.len(), 2, "two ranking messages");
        let names: BTreeMap<u64, &str> = [(layout.ideas, "ideas"), (layout.games, "games")]
            .into_iter()
            .collect();
        let mut scores = vec![
            ("ideas".to_owned(), format!("{}.0", expected[0])),
            ("games".to_owned(), format!("{}.0", expected[1])),
        ];
        scores.sort_by_key(|(_, score)| {
            std::cmp::Reverse(score.trim_end_matches(".0").parse::<i64>().unwrap())
        });
        assert_eq!(proposed_scores(&message_text(&posted[0]), &names), scores);
        let permanent = message_text(&posted[1]);
        assert!(
            permanent.contains(&format!("<#{}> — last message <t:", layout.hall)),
            "{permanent}"
        );

        // Who may do what: members do not rescan, moderators do not recalculate.
        let record = run(&harness, member, "channels", "refresh", vec![]).await;
        assert!(
            !content(&record).contains("Rescanned"),
            "{}",
            content(&record)
        );
        let record = run(
            &harness,
            harness.demo.moderator_ids[0],
            "stats",
            "recalculate",
            vec![CommandOption::value("months", 1)],
        )
        .await;
        assert!(
            !content(&record).contains("Recalculating"),
            "{}",
            content(&record)
        );
    });
}

#[test]
fn nothing_counted_is_lost_at_a_clean_stop_and_the_rankings_survive_a_restart() {
    run_test(async {
        let mut harness = Harness::start().await;
        let guild = harness.demo.guild_id;
        let layout = layout(&harness);
        configured(&harness, &layout, harness.demo.announcements_id).await;
        let posted: Vec<u64> = bot_messages(&harness, layout.rankings)
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(posted.len(), 2);

        // Messages, then at once a clean stop: what the first run counted is in its cache
        // and, as the cache is the embedded one, saved in the store and given back to the
        // next run's cache; what it had not read yet comes again with the resumed session.
        let before_stop = cache_of(&harness);
        let member = harness.demo.member_ids[1];
        for n in 0..50 {
            harness
                .sim
                .send_message(layout.games, member, &format!("early {n}"))
                .unwrap();
        }
        wait_for_totals(&before_stop, guild, &[layout.games], &[50]).await;
        for n in 0..300 {
            harness
                .sim
                .send_message(layout.games, member, &format!("late {n}"))
                .unwrap();
        }
        harness.stop().await;
        let first = totals(&before_stop, guild, &[layout.games]).await[0];
        harness.boot(Vec::new()).await;
        let after = cache_of(&harness);
        let deadline = Instant::now() + COUNTED;
        loop {
            let total = totals(&after, guild, &[layout.games]).await[0];
            if total == 350 {
                break;
            }
            assert!(
                total < 350 && Instant::now() < deadline,
                "{total} of 350 after the restart ({first} counted before the stop)"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // Nothing more comes: none counted twice.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        assert_eq!(totals(&after, guild, &[layout.games]).await[0], 350);

        // The ticker after the restart edits the same two messages, and keeps the embedded
        // cache's live counts in the store, those of this run too (what a crash would give
        // back).
        for n in 0..10 {
            harness
                .sim
                .send_message(layout.games, member, &format!("after {n}"))
                .unwrap();
        }
        wait_for_totals(&after, guild, &[layout.games], &[360]).await;
        harness.tick("stats-rankings").await;
        let saved = harness
            .agora()
            .kernel()
            .store
            .stats_live(twilight_model::id::Id::new(guild))
            .await
            .unwrap();
        let games = saved.iter().find(|(channel, _)| *channel == layout.games);
        assert_eq!(
            games.and_then(|(_, counts)| counts.get("total")),
            Some(&360),
            "{saved:?}"
        );
        let again: Vec<u64> = bot_messages(&harness, layout.rankings)
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(again, posted, "the same messages, found again");

        // One deleted by hand is posted again; the other stays.
        harness
            .sim
            .state()
            .world
            .lock()
            .messages
            .get_mut(&layout.rankings)
            .unwrap()
            .remove(&posted[0]);
        harness.expect_refusal(Refusal::code(10008));
        let refreshed = command(
            &harness,
            harness.demo.admin_id,
            "channels",
            "refresh",
            vec![],
        )
        .await;
        assert!(
            refreshed.contains("The rankings are up to date"),
            "{refreshed}"
        );
        let now: Vec<u64> = bot_messages(&harness, layout.rankings)
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(now.len(), 2, "{now:?}");
        assert!(now.contains(&posted[1]) && !now.contains(&posted[0]));
        let text: Vec<String> = bot_messages(&harness, layout.rankings)
            .iter()
            .map(message_text)
            .collect();
        assert!(text
            .iter()
            .any(|t| t.contains("Proposed channels by activity")));
        assert!(text
            .iter()
            .any(|t| t.contains("Permanent channels by last activity")));
    });
}

#[test]
fn promotion_moves_the_channel_announces_it_and_refuses_what_it_cannot_do() {
    run_test(async {
        let harness = Harness::start().await;
        let guild = harness.demo.guild_id;
        let layout = layout(&harness);
        let admin = harness.demo.admin_id;
        let promote = |channel: u64| vec![CommandOption::value("channel", channel.to_string())];
        // Categories unset: said so, nothing moves.
        let answer = command(
            &harness,
            admin,
            "channels",
            "promote",
            promote(layout.ideas),
        )
        .await;
        assert!(answer.contains("Both categories must be set"), "{answer}");
        // The announcement goes to the permanent #hall: the bot's own message there is
        // not counted.
        configured(&harness, &layout, layout.hall).await;
        let cache = cache_of(&harness);

        // A moderator may not promote; a channel outside the proposed category is refused.
        let moderator = command(
            &harness,
            harness.demo.moderator_ids[0],
            "channels",
            "promote",
            promote(layout.ideas),
        )
        .await;
        assert!(
            !moderator.contains("is now a permanent channel"),
            "{moderator}"
        );
        let not_proposed = command(
            &harness,
            admin,
            "channels",
            "promote",
            promote(harness.demo.general_id),
        )
        .await;
        assert!(
            not_proposed.contains("is not in the proposed category"),
            "{not_proposed}"
        );

        for n in 0..7 {
            harness
                .sim
                .send_message(layout.ideas, harness.demo.member_ids[0], &format!("hi {n}"))
                .unwrap();
        }
        wait_for_totals(&cache, guild, &[layout.ideas, layout.hall], &[7, 0]).await;

        let done = command(
            &harness,
            admin,
            "channels",
            "promote",
            promote(layout.ideas),
        )
        .await;
        assert!(
            done.contains(&format!("<#{}> is now a permanent channel", layout.ideas)),
            "{done}"
        );
        assert!(
            done.contains(&format!("announced in <#{}>", layout.hall)),
            "{done}"
        );
        let parent = harness
            .sim
            .state()
            .world
            .lock()
            .channel(layout.ideas)
            .unwrap()
            .parent_id;
        assert_eq!(parent, Some(layout.permanent_category));
        let announced = bot_messages(&harness, layout.hall);
        assert_eq!(announced.len(), 1);
        assert!(
            message_text(&announced[0]).contains(&format!("<#{}> was busy enough", layout.ideas))
        );
        let again = command(
            &harness,
            admin,
            "channels",
            "promote",
            promote(layout.ideas),
        )
        .await;
        assert!(again.contains("already a permanent channel"), "{again}");

        // Its counts went with it, still counting; the bot's announcement is not counted.
        harness
            .sim
            .send_message(layout.ideas, harness.demo.member_ids[0], "still here")
            .unwrap();
        wait_for_totals(&cache, guild, &[layout.ideas, layout.hall], &[8, 0]).await;
        let refreshed = command(&harness, admin, "channels", "refresh", vec![]).await;
        assert!(
            refreshed.contains("1 proposed and 2 permanent"),
            "{refreshed}"
        );

        // A channel the bot may not move: said so, it stays.
        let locked = harness
            .sim
            .create_channel(
                guild,
                "locked",
                channel_kind::GUILD_TEXT,
                Some(layout.proposed_category),
            )
            .unwrap();
        harness
            .sim
            .state()
            .world
            .lock()
            .channels
            .get_mut(&locked)
            .unwrap()
            .permission_overwrites
            .push(Overwrite {
                id: harness.demo.bot_role_id,
                kind: 0,
                allow: 0,
                deny: agora_sim::permissions::MANAGE_CHANNELS,
            });
        harness.expect_refusal(Refusal::code(50013));
        let refused = command(&harness, admin, "channels", "promote", promote(locked)).await;
        assert!(refused.contains("I may not move"), "{refused}");
        let parent = harness
            .sim
            .state()
            .world
            .lock()
            .channel(locked)
            .unwrap()
            .parent_id;
        assert_eq!(parent, Some(layout.proposed_category));
    });
}

/// The history counts of a channel as the sim holds them: (total, day → messages), people
/// only.
fn history_of(harness: &Harness, channel: u64) -> (i64, BTreeMap<i64, i64>) {
    let bot = harness.sim.bot_user_id();
    let world = harness.sim.state().world.lock();
    let mut days = BTreeMap::new();
    let mut total = 0;
    for message in world
        .messages
        .get(&channel)
        .into_iter()
        .flat_map(|m| m.values())
    {
        if message.author_id == bot {
            continue;
        }
        total += 1;
        *days.entry(day_of(snowflake_ms(message.id))).or_insert(0) += 1;
    }
    (total, days)
}

/// The interaction's response as it is now.
async fn shown_now(harness: &Harness, id: u64) -> String {
    let record = harness
        .sim
        .interaction(id, WaitFor::Callback, Duration::from_secs(5))
        .await
        .unwrap();
    record
        .original
        .as_ref()
        .map(message_text)
        .unwrap_or_else(|| content(&record))
}

/// The number after "messages read: " in a progress text.
fn messages_read(text: &str) -> u64 {
    text.split("messages read: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

#[test]
fn a_recalculation_over_20000_messages_shows_its_progress_and_resumes_after_a_restart() {
    run_test(async {
        let mut harness = Harness::start_with(
            &[("AGORA_STATS__RECALCULATE_PAGES_PER_SECOND", "30")],
            Vec::new(),
        )
        .await;
        let guild = harness.demo.guild_id;
        let layout = layout(&harness);
        configured(&harness, &layout, harness.demo.announcements_id).await;
        // Discord's buckets, tighter: twilight has to wait on them.
        harness.sim.rate_limiter().shrink(
            "GET /channels/{channel_id}/messages",
            20,
            Duration::from_secs(1),
        );
        let now_ms = chrono::Utc::now().timestamp_millis() as u64;
        let day = 86_400_000;
        let people = harness.demo.member_ids.clone();
        let mut with_bot = people.clone();
        with_bot.push(harness.sim.bot_user_id());
        // 20,000 messages over the last 60 days in the tracked channels (the bot wrote a
        // share of #hall's: not counted); older ones and #general are never read.
        harness
            .sim
            .seed_history(
                layout.ideas,
                &people,
                8_000,
                now_ms - 60 * day,
                now_ms - 60_000,
            )
            .unwrap();
        harness
            .sim
            .seed_history(
                layout.games,
                &people,
                6_000,
                now_ms - 20 * day,
                now_ms - 60_000,
            )
            .unwrap();
        harness
            .sim
            .seed_history(
                layout.hall,
                &with_bot,
                6_000,
                now_ms - 45 * day,
                now_ms - 60_000,
            )
            .unwrap();
        harness
            .sim
            .seed_history(
                harness.demo.general_id,
                &people,
                1_000,
                now_ms - 10 * day,
                now_ms,
            )
            .unwrap();
        harness
            .sim
            .seed_history(
                layout.games,
                &people,
                500,
                now_ms - 200 * day,
                now_ms - 100 * day,
            )
            .unwrap();
        let since = harness.sim.state().requests.total();

        let admin = harness.demo.admin_id;
        let id = harness.send(
            admin,
            harness.demo.general_id,
            "stats",
            vec![CommandOption::sub(
                "recalculate",
                vec![CommandOption::value("months", 3)],
            )],
        );
        let started = harness
            .sim
            .answer(id, Duration::from_secs(10))
            .await
            .unwrap();
        let text = content(&started);
        assert!(
            text.contains("Recalculating 3 channel(s) from the last 3 month(s)"),
            "{text}"
        );
        // A second one is refused while it runs.
        let second = command(
            &harness,
            admin,
            "stats",
            "recalculate",
            vec![CommandOption::value("months", 1)],
        )
        .await;
        assert!(second.contains("already running"), "{second}");
        // Live messages meanwhile count as well, once.
        for n in 0..10 {
            harness
                .sim
                .send_message(layout.ideas, people[0], &format!("live {n}"))
                .unwrap();
        }

        // Progress edits, then a restart half way.
        let deadline = Instant::now() + Duration::from_secs(40);
        loop {
            let shown = shown_now(&harness, id).await;
            if messages_read(&shown) >= 6_000 {
                assert!(
                    shown.contains("Channels done:") && shown.contains("left"),
                    "{shown}"
                );
                break;
            }
            assert!(Instant::now() < deadline, "no progress shown: {shown}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        harness.stop().await;
        harness.boot(Vec::new()).await;
        harness.sim.rate_limiter().shrink(
            "GET /channels/{channel_id}/messages",
            20,
            Duration::from_secs(1),
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let finished = loop {
            let shown = shown_now(&harness, id).await;
            if shown.contains("Recalculation finished") {
                break shown;
            }
            assert!(!shown.contains("stopped"), "{shown}");
            assert!(Instant::now() < deadline, "not finished: {shown}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(finished.contains("3 channel(s)"), "{finished}");
        let record = harness
            .sim
            .interaction(id, WaitFor::Edit, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(
            record.edits.len() >= 3,
            "progress shown as it went: {} edits",
            record.edits.len()
        );

        // Exactly the history (and the live messages), in every channel and day.
        let cache = cache_of(&harness);
        let cutoff_day = day_of(now_ms as i64 - 89 * day as i64);
        for channel in [layout.ideas, layout.games, layout.hall] {
            let (mut total, mut days) = history_of(&harness, channel);
            // The 500 old ones of #games are beyond the 3 months.
            if channel == layout.games {
                total -= 500;
                days.retain(|d, _| *d >= cutoff_day);
            }
            let counted = &activity(&cache, guild, &[channel]).await[0];
            assert_eq!(counted.total, total, "channel {channel}");
            assert_eq!(counted.days, days, "channel {channel}");
        }
        assert_eq!(
            totals(&cache, guild, &[harness.demo.general_id]).await,
            vec![0]
        );
        // Under the rate limits: not one 429.
        let limited = harness
            .sim
            .requests(since)
            .into_iter()
            .filter(|r| r.status == 429)
            .count();
        assert_eq!(limited, 0, "429s");
    });
}

#[test]
#[ignore = "needs Redis: set AGORA_TEST_REDIS_URL, run with --include-ignored"]
fn redis_and_memory_give_the_same_counts_and_scores() {
    run_test(async {
        let mut scores = Vec::new();
        for redis in [false, true] {
            let prefix = format!("agora-test:{:016x}:", rand_prefix());
            let url = redis.then(redis_url);
            let mut extra: Vec<(&str, &str)> = Vec::new();
            if let Some(url) = url.as_deref() {
                extra.push(("AGORA_CACHE__REDIS_URL", url));
                extra.push(("AGORA_CACHE__KEY_PREFIX", prefix.as_str()));
            }
            let harness = Harness::start_with(&extra, Vec::new()).await;
            let guild = harness.demo.guild_id;
            let layout = layout(&harness);
            configured(&harness, &layout, harness.demo.announcements_id).await;
            let report = harness
                .sim
                .flood(FloodRequest {
                    event: "MESSAGE_CREATE".into(),
                    count: 5_000,
                    rate_per_s: None,
                    guild_id: Some(guild),
                    spacing_ms: None,
                })
                .await
                .unwrap();
            let tracked = [layout.ideas, layout.games, layout.hall];
            let expected: Vec<i64> = tracked
                .iter()
                .map(|c| report.per_channel.get(c).copied().unwrap_or(0) as i64)
                .collect();
            let cache = cache_of(&harness);
            wait_for_totals(&cache, guild, &tracked, &expected).await;
            command(
                &harness,
                harness.demo.admin_id,
                "channels",
                "refresh",
                vec![],
            )
            .await;
            let names: BTreeMap<u64, &str> = [(layout.ideas, "ideas"), (layout.games, "games")]
                .into_iter()
                .collect();
            let posted = bot_messages(&harness, layout.rankings);
            scores.push((expected, proposed_scores(&message_text(&posted[0]), &names)));
            if redis {
                cache.delete_prefix("").await.unwrap();
            }
        }
        assert_eq!(scores[0], scores[1], "memory, then Redis");
    });
}

fn rand_prefix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        ^ u64::from(std::process::id())
}
