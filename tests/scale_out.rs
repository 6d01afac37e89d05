//! Many `agora run` processes over one PostgreSQL and one Redis, against a sim that
//! recommends 8 shards with `max_concurrency` 2 and answers an early IDENTIFY with op 9:
//! three processes (shards 0–2, 3–5, 6–7, the total read from `GET /gateway/bot`) open
//! exactly 8 sessions with no op 9; every guild is answered by the process of its shard; a
//! fourth process given a range already run refuses and names the holder; the ticker
//! leader, SIGKILLed, is replaced by another process within seconds, and a standby takes
//! its shards over; the REST calls of all processes together stay within Discord's 50 per
//! second.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use agora_actors::kernel::store::{Store, StoreOptions};
use agora_sim::actions::CommandRun;
use agora_sim::{Sim, SimConfig};
use agora_testkit::{
    content, message_text, redis_url, run_test, wait_until, FreshPostgres, Scratch, ANSWER,
};

const SHARDS: u32 = 8;
const IDENTIFY_WINDOW_MS: u64 = 500;

/// A free loopback port for a process's ops endpoint (its `/metrics`).
/// The two tests each run three bot processes and a sim; side by side on a small machine
/// they starve each other's heartbeats (a shard that misses one reconnects and IDENTIFYs
/// again, which the first test counts). One at a time.
fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
    TURN.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// One `agora run`: its child, its shards and where its metrics are.
struct Process {
    child: tokio::process::Child,
    shards: std::ops::Range<u32>,
    ops_port: u16,
    stderr: std::path::PathBuf,
}

impl Process {
    fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

struct Bot<'a> {
    sim: &'a Sim,
    /// The bot's owners (they may use the prefix commands).
    owners: String,
    database: &'a str,
    redis_prefix: String,
    logs: &'a Path,
    started: usize,
}

impl<'a> Bot<'a> {
    /// The bot's processes against `sim` over `database` and a Redis prefix of their own;
    /// `owners` may use the prefix commands.
    fn new(sim: &'a Sim, database: &'a str, scratch: &'a Scratch, owners: &[u64]) -> Self {
        Bot {
            sim,
            owners: owners
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            database,
            redis_prefix: format!("agora-test:{}-{:?}:", std::process::id(), Instant::now()),
            logs: &scratch.0,
            started: 0,
        }
    }

    /// Three processes, started together: shards 0–2, 3–5, 6–7.
    fn spawn_three(&mut self) -> Vec<Process> {
        vec![
            self.spawn(0..3, false),
            self.spawn(3..6, false),
            self.spawn(6..8, false),
        ]
    }

    fn spawn(&mut self, shards: std::ops::Range<u32>, standby: bool) -> Process {
        self.started += 1;
        let ops_port = free_port();
        let stderr = self.logs.join(format!("stderr-{}.txt", self.started));
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_agora"));
        for (name, _) in std::env::vars() {
            if name.starts_with("AGORA_") {
                command.env_remove(name);
            }
        }
        command.arg("run");
        if standby {
            command.arg("--standby");
        }
        command
            .env("AGORA_DISCORD__TOKEN", self.sim.token())
            .env("AGORA_DISCORD__REST_URL", self.sim.http_url())
            .env("AGORA_DISCORD__GATEWAY_URL", self.sim.gateway_url())
            .env(
                "AGORA_DISCORD__APPLICATION_ID",
                self.sim.application_id().to_string(),
            )
            .env("AGORA_DISCORD__REGISTER_COMMANDS", "global")
            .env("AGORA_DISCORD__OWNERS", &self.owners)
            .env("AGORA_DISCORD__SHARD_FIRST", shards.start.to_string())
            .env(
                "AGORA_DISCORD__SHARD_COUNT",
                (shards.end - shards.start).to_string(),
            )
            .env("AGORA_DISCORD__SHARD_TOTAL", "auto")
            .env(
                "AGORA_DISCORD__IDENTIFY_WINDOW_MS",
                IDENTIFY_WINDOW_MS.to_string(),
            )
            .env("AGORA_DATABASE__URL", self.database)
            .env("AGORA_CACHE__REDIS_URL", redis_url())
            .env("AGORA_CACHE__KEY_PREFIX", &self.redis_prefix)
            .env("AGORA_OPS__LISTEN", format!("127.0.0.1:{ops_port}"))
            .env("AGORA_LOG__LEVEL", "info")
            .current_dir(self.logs)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr).expect("stderr file"))
            .kill_on_drop(true);
        Process {
            child: command.spawn().expect("agora starts"),
            shards,
            ops_port,
            stderr,
        }
    }
}

fn shard_of(guild: u64) -> u32 {
    ((guild >> 22) % u64::from(SHARDS)) as u32
}

/// Guilds (with a text channel each) until every shard has at least one.
fn guilds_on_every_shard(sim: &Sim) -> Vec<(u64, u64, u64)> {
    let mut guilds = Vec::new();
    let mut covered = [false; SHARDS as usize];
    for n in 0.. {
        if covered.iter().all(|c| *c) || n > 2_000 {
            break;
        }
        let (guild, owner) = sim.create_guild(&format!("guild {n}"), &format!("owner{n}"), 1 << 3);
        let channel = sim
            .create_channel(guild, "general", 0, None)
            .expect("a channel");
        covered[shard_of(guild) as usize] = true;
        guilds.push((guild, channel, owner));
        std::thread::sleep(Duration::from_millis(3));
    }
    assert!(covered.iter().all(|c| *c), "guilds on every shard");
    guilds
}

fn connected_shards(sim: &Sim) -> Vec<u32> {
    let mut shards: Vec<u32> = sim
        .gateway()
        .connected_sessions(None)
        .iter()
        .map(|session| session.shard_id)
        .collect();
    shards.sort_unstable();
    shards
}

async fn status_in(sim: &Sim, guild: (u64, u64, u64)) -> String {
    let (guild_id, channel_id, owner) = guild;
    let id = sim
        .run_command(CommandRun {
            guild_id: Some(guild_id),
            channel_id,
            user_id: owner,
            name: "status".into(),
            options: vec![],
            unchecked: false,
        })
        .expect("/status is registered");
    content(&sim.answer(id, ANSWER).await.expect("an answer"))
}

/// `/status` answers this process gave, from its `/metrics`.
async fn status_answers(process: &Process) -> u64 {
    let text = reqwest::get(format!("http://127.0.0.1:{}/metrics", process.ops_port))
        .await
        .expect("the ops endpoint answers")
        .text()
        .await
        .expect("metrics");
    text.lines()
        .filter(|line| {
            line.starts_with("agora_interactions_total{")
                && line.contains("route=\"/status\"")
                && line.contains("outcome=\"answered\"")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// The sim as a bot in many guilds sees Discord: 8 shards recommended, `max_concurrency` 2,
/// a short IDENTIFY window.
async fn sharded_sim() -> Sim {
    let mut config = SimConfig::demo();
    config.gateway.recommended_shards = SHARDS;
    config.gateway.max_concurrency = 2;
    config.gateway.identify_window = Duration::from_millis(IDENTIFY_WINDOW_MS);
    Sim::start(config).await.unwrap()
}

/// Waits for exactly one leader by the heartbeat table; its name and which process it is.
async fn the_leader(store: &Store, processes: &[Process]) -> (String, usize) {
    eventually("one leader", Duration::from_secs(15), || async {
        leaders(store).await.len() == 1
    })
    .await;
    let name = leaders(store).await.remove(0);
    let index = processes
        .iter()
        .position(|p| name.ends_with(&format!(":{}", p.pid())))
        .expect("the leader is one of the three");
    (name, index)
}

/// Waits until an async check holds, polling every 100 ms.
async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn leaders(store: &Store) -> Vec<String> {
    let since = chrono::Utc::now() - chrono::Duration::seconds(8);
    store
        .processes_since(since)
        .await
        .expect("the heartbeat table")
        .into_iter()
        .filter(|process| process.leader)
        .map(|process| process.name)
        .collect()
}

/// The most REST requests in any one second, interaction callbacks and webhooks (exempt
/// from Discord's global limit) left out.
fn busiest_second(sim: &Sim) -> usize {
    let mut times: Vec<u64> = sim
        .requests(0)
        .iter()
        .filter(|r| !r.path.starts_with("/interactions/") && !r.path.starts_with("/webhooks/"))
        .map(|r| r.at_ms)
        .collect();
    times.sort_unstable();
    let mut busiest = 0;
    let mut start = 0;
    for end in 0..times.len() {
        while times[end] - times[start] >= 1000 {
            start += 1;
        }
        busiest = busiest.max(end - start + 1);
    }
    busiest
}

#[test]
#[ignore = "needs PostgreSQL and Redis: set AGORA_TEST_POSTGRES_URL and AGORA_TEST_REDIS_URL, run with --include-ignored"]
fn three_processes_share_eight_shards_fenced_with_one_ticker_leader() {
    let _turn = one_at_a_time();
    run_test(async {
        let sim = sharded_sim().await;
        let guilds = guilds_on_every_shard(&sim);
        let database = FreshPostgres::create().await;
        let scratch = Scratch::new("agora-scale-out");
        let owners: Vec<u64> = guilds.iter().map(|g| g.2).collect();
        let mut bot = Bot::new(&sim, database.url(), &scratch, &owners);

        // Three processes, started together.
        let mut processes = bot.spawn_three();
        let started = Instant::now();
        wait_until("8 sessions", Duration::from_secs(90), || {
            connected_shards(&sim) == (0..SHARDS).collect::<Vec<_>>()
        })
        .await;
        let all_ready = started.elapsed();
        let stats = &sim.gateway().stats;
        assert_eq!(
            stats.identifies.load(Ordering::Relaxed),
            8,
            "one IDENTIFY per shard"
        );
        assert_eq!(
            stats.identifies_too_early.load(Ordering::Relaxed),
            0,
            "no IDENTIFY came early for its bucket (op 9)"
        );
        eprintln!("8 shards READY across 3 processes in {all_ready:?}");

        // Every guild is answered, each by the process that runs its shard.
        let mut expected: HashMap<usize, u64> = HashMap::new();
        for guild in &guilds {
            let answer = status_in(&sim, *guild).await;
            assert!(answer.contains("Processes"), "{answer}");
            let owner = processes
                .iter()
                .position(|p| p.shards.contains(&shard_of(guild.0)))
                .expect("a process runs the shard");
            *expected.entry(owner).or_default() += 1;
        }
        for (index, process) in processes.iter().enumerate() {
            let want = expected.get(&index).copied().unwrap_or(0);
            // The counter is bumped just after the callback the sim saw.
            eventually(
                "the process's /status count",
                Duration::from_secs(5),
                || async { status_answers(process).await == want },
            )
            .await;
        }

        // A fourth process given shards 0–2 refuses and says who runs them.
        let mut intruder = bot.spawn(0..3, false);
        let status = tokio::time::timeout(Duration::from_secs(30), intruder.child.wait())
            .await
            .expect("the fourth process exits")
            .expect("exit status");
        assert!(!status.success());
        let said = intruder.stderr();
        assert!(
            said.contains("shards 0, 1, 2 are run by another process"),
            "{said}"
        );
        assert!(said.contains("--standby"), "{said}");
        assert_eq!(
            connected_shards(&sim).len(),
            8,
            "the running shards are untouched"
        );

        // Exactly one leader runs the tickers.
        let store = Store::connect(database.url(), StoreOptions::default())
            .await
            .unwrap();
        let (leader_name, leader_index) = the_leader(&store, &processes).await;

        // A standby for the leader's shards, then the leader is killed outright.
        let leader_shards = processes[leader_index].shards.clone();
        let mut standby = bot.spawn(leader_shards.clone(), true);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert!(
            standby.child.try_wait().unwrap().is_none(),
            "the standby waits: {}",
            standby.stderr()
        );
        // Idle until every session is saved with its last sequence (each shard saves
        // every 2 s when its sequence moved).
        eventually("every session saved", Duration::from_secs(15), || async {
            let saved = store.load_gateway_sessions().await.unwrap();
            saved.len() == SHARDS as usize
        })
        .await;
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let (identifies, resumes) = (
            stats.identifies.load(Ordering::Relaxed),
            stats.resumes.load(Ordering::Relaxed),
        );
        let killed = Instant::now();
        processes[leader_index].child.start_kill().unwrap();
        processes[leader_index].child.wait().await.unwrap();
        // A message in one of its guilds while nobody runs the shard.
        let quiet_guild = *guilds
            .iter()
            .find(|g| leader_shards.contains(&shard_of(g.0)))
            .expect("a guild on the killed process's shards");
        sim.send_message(quiet_guild.1, quiet_guild.2, "!ping")
            .expect("the owner writes");
        // The new leader writes its row the moment it takes the lock.
        let killed_at = chrono::Utc::now();
        eventually("a new leader", Duration::from_secs(15), || async {
            store
                .processes_since(killed_at)
                .await
                .expect("the heartbeat table")
                .iter()
                .any(|p| p.leader && p.name != leader_name)
        })
        .await;
        let failover = killed.elapsed();
        eprintln!("ticker leader failover observed after {failover:?}");
        wait_until("the standby's shards", Duration::from_secs(60), || {
            connected_shards(&sim) == (0..SHARDS).collect::<Vec<_>>()
                && standby.stderr().contains("standby: took over")
        })
        .await;
        let taken_over = killed.elapsed();
        eprintln!("standby took over shards {leader_shards:?} after {taken_over:?}");
        // The standby resumed the killed process's sessions (saved in the shared database)
        // instead of identifying, and the message sent in between was handled once.
        assert_eq!(
            stats.identifies.load(Ordering::Relaxed),
            identifies,
            "no new IDENTIFY"
        );
        assert_eq!(
            stats.resumes.load(Ordering::Relaxed),
            resumes + u64::from(leader_shards.end - leader_shards.start),
            "one RESUME per shard taken over"
        );
        let pongs = || {
            sim.channel_messages(quiet_guild.1)
                .iter()
                .filter(|m| message_text(m).contains("Pong"))
                .count()
        };
        wait_until("the reply to !ping", Duration::from_secs(15), || {
            pongs() >= 1
        })
        .await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(
            pongs(),
            1,
            "the message sent while the shard was down, handled once"
        );
        let guild = guilds
            .iter()
            .find(|g| leader_shards.contains(&shard_of(g.0)))
            .expect("a guild on the killed process's shards");
        assert!(status_in(&sim, *guild).await.contains("Processes"));
        let leader_shards_now = leader_shards.clone();
        standby.shards = leader_shards;
        eventually("the standby's answer", Duration::from_secs(5), || async {
            status_answers(&standby).await == 1
        })
        .await;
        assert_eq!(
            sim.gateway()
                .stats
                .identifies_too_early
                .load(Ordering::Relaxed),
            0,
            "no op 9 through the takeover either"
        );

        // All processes together stayed within Discord's global REST limit.
        let busiest = busiest_second(&sim);
        let mut routes: HashMap<String, usize> = HashMap::new();
        for r in sim.requests(0) {
            *routes
                .entry(format!("{} {}", r.method, r.route.unwrap_or_default()))
                .or_default() += 1;
        }
        assert!(
            busiest <= 50,
            "{busiest} REST requests in one second; by route: {routes:#?}"
        );
        let refused = sim.requests(0).iter().filter(|r| r.status == 429).count();
        assert_eq!(
            refused, 0,
            "no request was rate limited; by route: {routes:#?}"
        );
        // Identifying processes fetch no guild over REST (GUILD_CREATE brings them); the
        // standby, resuming, fetches those of the shards it took over, not every guild of
        // the bot. A guild may be fetched once more when a command comes before its
        // GUILD_CREATE.
        let every_guild: Vec<u64> = guilds
            .iter()
            .map(|g| g.0)
            .chain(sim.demo().map(|demo| demo.guild_id))
            .collect();
        let taken_over = every_guild
            .iter()
            .filter(|g| leader_shards_now.contains(&shard_of(**g)))
            .count();
        let fetched = routes.get("GET /guilds/{guild_id}").copied().unwrap_or(0);
        let least = taken_over;
        assert!(
            (least..=least + 2).contains(&fetched),
            "{fetched} guild fetches for {} guilds ({taken_over} taken over): {routes:#?}",
            every_guild.len()
        );

        store.close();
        for mut process in processes.into_iter().chain([standby]) {
            let _ = process.child.start_kill();
            let _ = process.child.wait().await;
        }
        database.remove().await;
    });
}

/// A claimed shift whose reminder is due now, inserted as `/shift drop` and a Claim would.
async fn claimed_shift_due_now(store: &Store, guild: u64, dropper: u64, claimer: u64) -> i64 {
    use agora_actors::shifts::store::NewShift;
    use twilight_model::id::Id;
    let now = chrono::Utc::now();
    // Starts in 10 minutes: inside the default 15-minute reminder offset.
    let shift = store
        .insert_shift(&NewShift {
            guild_id: Id::new(guild),
            description: "Scale-out watch".into(),
            start: now + chrono::Duration::minutes(10),
            end: now + chrono::Duration::minutes(70),
            dropped_by: Id::new(dropper),
            assigned_user_id: None,
            schedule_id: None,
        })
        .await
        .expect("the shift is stored")
        .expect("a new shift");
    store
        .claim_shift(Id::new(guild), shift.id, Id::new(claimer), now)
        .await
        .expect("the claim is stored")
        .expect("the shift was open");
    shift.id
}

fn reminders_of(sim: &Sim, user: u64, shift_id: i64) -> usize {
    sim.dms(user)
        .iter()
        .filter(|m| message_text(m).contains(&format!("Your shift #{shift_id}")))
        .count()
}

#[test]
#[ignore = "needs PostgreSQL and Redis: set AGORA_TEST_POSTGRES_URL and AGORA_TEST_REDIS_URL, run with --include-ignored"]
fn reminders_are_sent_once_by_the_leader_and_go_on_after_it_is_killed() {
    let _turn = one_at_a_time();
    run_test(async {
        let sim = sharded_sim().await;
        let demo = sim.demo().unwrap();
        let database = FreshPostgres::create().await;
        let scratch = Scratch::new("agora-scale-out-reminders");
        let mut bot = Bot::new(&sim, database.url(), &scratch, &[]);
        let mut processes = bot.spawn_three();
        wait_until("8 sessions", Duration::from_secs(90), || {
            connected_shards(&sim).len() == SHARDS as usize
        })
        .await;
        let store = Store::connect(database.url(), StoreOptions::default())
            .await
            .unwrap();
        let (leader_name, leader_index) = the_leader(&store, &processes).await;

        // A reminder falls due: the leader sends it, and only the leader.
        let (dropper, first, second) = (
            demo.moderator_ids[0],
            demo.member_ids[0],
            demo.member_ids[1],
        );
        let before = claimed_shift_due_now(&store, demo.guild_id, dropper, first).await;
        wait_until("the first reminder", Duration::from_secs(15), || {
            reminders_of(&sim, first, before) == 1
        })
        .await;

        // Every shard's session saved (each shard saves every 2 s once it has one), so the
        // restart below can resume.
        eventually("every session saved", Duration::from_secs(15), || async {
            store.load_gateway_sessions().await.unwrap().len() == SHARDS as usize
        })
        .await;

        // The leader is killed; the next reminder comes from whoever leads now.
        let killed_at = chrono::Utc::now();
        processes[leader_index].child.start_kill().unwrap();
        processes[leader_index].child.wait().await.unwrap();
        let after = claimed_shift_due_now(&store, demo.guild_id, dropper, second).await;
        wait_until(
            "the reminder after the failover",
            Duration::from_secs(20),
            || reminders_of(&sim, second, after) == 1,
        )
        .await;
        // Three more ticks' worth of time: nothing is sent twice.
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            reminders_of(&sim, first, before),
            1,
            "the first reminder, once"
        );
        assert_eq!(
            reminders_of(&sim, second, after),
            1,
            "the second reminder, once"
        );
        let beating: Vec<_> = store.processes_since(killed_at).await.unwrap();
        assert!(
            beating.iter().any(|p| p.leader) && beating.iter().all(|p| p.name != leader_name),
            "another process leads, the killed one is silent: {beating:?}"
        );

        // The killed process started again (same shards, not a standby): it resumes the
        // sessions it saved instead of identifying, and does not lead (the lock is taken).
        let stats = &sim.gateway().stats;
        let (identifies, resumes) = (
            stats.identifies.load(Ordering::Relaxed),
            stats.resumes.load(Ordering::Relaxed),
        );
        let range = processes[leader_index].shards.clone();
        processes[leader_index] = bot.spawn(range.clone(), false);
        let resumed = u64::from(range.end - range.start);
        let restarted = agora_testkit::waited_until(
            "the restarted process's resumes",
            Duration::from_secs(30),
            || {
                stats.resumes.load(Ordering::Relaxed) >= resumes + resumed
                    && connected_shards(&sim).len() == SHARDS as usize
            },
        )
        .await;
        if let Err(timed_out) = restarted {
            panic!(
                "{timed_out}: {} resumes, {} identifies, shards {:?}; the process said:\n{}",
                stats.resumes.load(Ordering::Relaxed) - resumes,
                stats.identifies.load(Ordering::Relaxed) - identifies,
                connected_shards(&sim),
                processes[leader_index].stderr()
            );
        }
        assert_eq!(
            stats.identifies.load(Ordering::Relaxed),
            identifies,
            "the restart resumed, no IDENTIFY"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert_eq!(
            reminders_of(&sim, first, before),
            1,
            "still once after the restart"
        );
        assert_eq!(
            reminders_of(&sim, second, after),
            1,
            "still once after the restart"
        );

        store.close();
        for mut process in processes {
            let _ = process.child.start_kill();
            let _ = process.child.wait().await;
        }
        database.remove().await;
    });
}
