//! The `agora` binary's life against agora-sim: it starts, says "online" in the log
//! channel, serves commands; SIGTERM makes it post "shutting down", save its gateway
//! session and exit 0; the next start resumes that session instead of identifying; and
//! the bot token never appears in any log, even at trace level.

use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::time::Duration;
use twilight_model::id::Id;

use agora_actors::kernel::store::{GuildSettingsPatch, Store, StoreOptions};
use agora_sim::{Sim, SimConfig};
use agora_testkit::{content, message_text, run_test, wait_until, Scratch, ANSWER};

/// The `agora` binary with none of this process's AGORA_* variables.
fn agora_command() -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_agora"));
    for (name, _) in std::env::vars() {
        if name.starts_with("AGORA_") {
            command.env_remove(name);
        }
    }
    command
}

/// `agora run` pointed at the sim, logging at trace level to a file and to stderr.
fn spawn_agora(sim: &Sim, database: &Path, logs: &Path, run: usize) -> tokio::process::Child {
    let mut command = agora_command();
    command.arg("run");
    command
        .envs(agora::sandbox::sim_overrides(sim, database))
        .env("AGORA_OPS__LISTEN", "127.0.0.1:0")
        .env("AGORA_LOG__LEVEL", "trace")
        .env("AGORA_LOG__DIRECTORY", logs)
        .env("AGORA_LOG__FORMAT", "json")
        .current_dir(logs)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(logs.join(format!("stderr-{run}.txt"))).expect("stderr file"))
        .kill_on_drop(true);
    command.spawn().expect("agora starts")
}

fn notices(sim: &Sim, channel: u64, text: &str) -> usize {
    sim.channel_messages(channel)
        .iter()
        .filter(|m| message_text(m).contains(text))
        .count()
}

async fn sigterm_and_wait(child: &mut tokio::process::Child) -> std::process::ExitStatus {
    let pid = child.id().expect("running");
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("agora exits within 30 s of SIGTERM")
        .expect("exit status")
}

async fn status_answered(sim: &Sim, user: u64) -> String {
    let demo = sim.demo().unwrap();
    let id = sim
        .run_command(agora_sim::actions::CommandRun {
            guild_id: Some(demo.guild_id),
            channel_id: demo.general_id,
            user_id: user,
            name: "status".into(),
            options: vec![],
            unchecked: false,
        })
        .expect("/status is registered");
    content(&sim.answer(id, ANSWER).await.expect("an answer"))
}

#[test]
fn sigterm_notifies_saves_the_session_exits_0_and_the_next_start_resumes() {
    run_test(async {
        let sim = Sim::start(SimConfig::demo()).await.unwrap();
        let demo = sim.demo().unwrap();
        let scratch = Scratch::new("agora-lifecycle");
        let database = scratch.0.join("agora.db");
        let url = format!("sqlite://{}", database.display());
        // An admin chose a log channel in an earlier run.
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        store
            .migrate_with(&agora_actors::built_in_migrations())
            .await
            .unwrap();
        let patch = GuildSettingsPatch {
            log_channel_id: Some(Some(Id::new(demo.admin_log_id))),
            ..GuildSettingsPatch::default()
        };
        store
            .update_guild_settings(Id::new(demo.guild_id), patch)
            .await
            .unwrap();
        store.close();

        let mut first = spawn_agora(&sim, &database, &scratch.0, 1);
        wait_until("the online notice", Duration::from_secs(60), || {
            notices(&sim, demo.admin_log_id, "is online") == 1
        })
        .await;
        wait_until("the gateway session", Duration::from_secs(10), || {
            sim.gateway().stats.identifies.load(Ordering::Relaxed) == 1
        })
        .await;
        assert!(status_answered(&sim, demo.member_ids[0])
            .await
            .contains("Agora is healthy"));

        let status = sigterm_and_wait(&mut first).await;
        assert!(status.success(), "exit status {status:?}");
        assert_eq!(notices(&sim, demo.admin_log_id, "shutting down"), 1);
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        let saved = store.load_gateway_sessions().await.unwrap();
        assert_eq!(saved.len(), 1, "the session was saved");
        store.close();

        let mut second = spawn_agora(&sim, &database, &scratch.0, 2);
        wait_until("the second online notice", Duration::from_secs(60), || {
            notices(&sim, demo.admin_log_id, "is online") == 2
        })
        .await;
        wait_until("the resume", Duration::from_secs(10), || {
            sim.gateway().stats.resumes.load(Ordering::Relaxed) == 1
        })
        .await;
        assert_eq!(
            sim.gateway().stats.identifies.load(Ordering::Relaxed),
            1,
            "the restart resumed instead of identifying"
        );
        assert!(status_answered(&sim, demo.member_ids[1])
            .await
            .contains("Agora is healthy"));
        assert!(sigterm_and_wait(&mut second).await.success());

        // Nothing the process wrote contains the token.
        let token = sim.token();
        let mut logged = 0;
        for entry in std::fs::read_dir(&scratch.0).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.starts_with("stderr") || name.starts_with("agora.")) || name.ends_with(".db")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            logged += text.len();
            assert!(!text.contains(token), "the token is in {name}");
        }
        assert!(logged > 10_000, "trace logs were written ({logged} bytes)");
    });
}

#[test]
fn run_without_a_token_says_so_and_exits_2() {
    let scratch = Scratch::new("agora-no-token");
    let output = agora_command()
        .into_std()
        .arg("run")
        .current_dir(&scratch.0)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing Discord bot token"), "{stderr}");
}

#[test]
fn register_commands_overwrites_the_guild_commands() {
    run_test(async {
        let sim = Sim::start(SimConfig::demo()).await.unwrap();
        let demo = sim.demo().unwrap();
        let scratch = Scratch::new("agora-register");
        let mut command = agora_command();
        let output = command
            .envs(agora::sandbox::sim_overrides(
                &sim,
                &scratch.0.join("agora.db"),
            ))
            .args(["register-commands", "--guild", &demo.guild_id.to_string()])
            .current_dir(&scratch.0)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            stdout.trim(),
            format!("Registered 18 slash commands in guild {}.", demo.guild_id)
        );
        let mut names: Vec<String> = sim
            .commands()
            .iter()
            .filter_map(|c| c["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "analytics",
                "channels",
                "config",
                "help",
                "llm",
                "proposal",
                "propose",
                "report",
                "reports",
                "schedule",
                "security",
                "shift",
                "stats",
                "status",
                "ticket",
                "tickets",
                "timezone",
                "usage",
            ]
        );
    });
}

#[test]
fn the_sandbox_prints_the_sim_first_and_answers_through_the_control_api() {
    run_test(async {
        use tokio::io::AsyncBufReadExt;
        let scratch = Scratch::new("agora-sandbox");
        let mut command = agora_command();
        let mut child = command
            .arg("sandbox")
            .env("AGORA_OPS__LISTEN", "127.0.0.1:0")
            .current_dir(&scratch.0)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("the first line in time")
            .unwrap()
            .expect("a first line");
        let sim: serde_json::Value = serde_json::from_str(&first).expect("the sim's JSON line");
        let control = sim["control"].as_str().unwrap().to_owned();
        let client = reqwest::Client::new();
        let state: serde_json::Value = client
            .get(format!("{control}/state"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let demo = &state["demo"];
        // The bot registers its commands and connects shortly after the line is printed.
        let mut answer = serde_json::Value::Null;
        for _ in 0..100 {
            let started = client
                .post(format!("{control}/interactions"))
                .json(&serde_json::json!({
                    "kind": "command", "guild_id": demo["guild_id"], "channel_id": demo["general_id"],
                    "user_id": demo["member_ids"][0], "name": "status"
                }))
                .send()
                .await
                .unwrap();
            if started.status().is_success() {
                let id = started.json::<serde_json::Value>().await.unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                answer = client
                    .get(format!(
                        "{control}/interactions/{id}?wait_ms=5000&until=answer"
                    ))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if answer["callback"].is_object() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            answer["payload"]["embeds"][0]["title"], "Agora is healthy",
            "{answer}"
        );
        assert!(sigterm_and_wait(&mut child).await.success());
    });
}
