//! Backups as an operator takes and restores them, through the real `agora` binary and the
//! real boot against agora-sim: `agora backup` while the bot runs, a restore refused while
//! it runs and accepted once it stopped (the next start sees the backed-up settings), the
//! shutdown and scheduled backups, the newest `backup_keep` kept, refusals that change
//! nothing (a file that is not Agora's, one from a newer schema, a directory that cannot be
//! written), PostgreSQL pointed at pg_dump, and log files rotated by size.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use agora_actors::kernel::clock::ManualClock;
use agora_actors::kernel::store::{Store, StoreOptions};
use agora_sim::{Sim, SimConfig};
use agora_testkit::{run_test, Harness, Scratch};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use twilight_model::id::Id;

/// `agora <args>` with `env` and none of this process's AGORA_* variables, configured by an
/// empty file (the built-in defaults): its exit code, stdout and stderr.
async fn agora(args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    let config = tempfile::NamedTempFile::new().expect("a config file");
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_agora"));
    command.args(args).arg("--config").arg(config.path());
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("AGORA_")) {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.expect("agora runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn database_env(database: &Path, backups: &Path) -> Vec<(&'static str, String)> {
    vec![
        (
            "AGORA_DATABASE__URL",
            format!("sqlite://{}", database.display()),
        ),
        (
            "AGORA_DATABASE__BACKUP_DIRECTORY",
            backups.display().to_string(),
        ),
    ]
}

/// The path `agora backup` printed.
fn backed_up_to(stdout: &str) -> PathBuf {
    let path = stdout
        .lines()
        .find_map(|line| line.strip_prefix("Backed up to "))
        .and_then(|rest| rest.split(" (").next())
        .unwrap_or_else(|| panic!("no backup path in {stdout:?}"));
    PathBuf::from(path)
}

fn files_in(directory: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(directory)
        .map(|entries| entries.map(|entry| entry.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

/// A fresh, migrated SQLite database `agora migrate` made.
async fn migrated_database(scratch: &Scratch) -> PathBuf {
    let database = scratch.join("data/agora.db");
    let env = [(
        "AGORA_DATABASE__URL",
        format!("sqlite://{}", database.display()),
    )];
    let (code, _, stderr) = agora(&["migrate"], &env).await;
    assert_eq!(code, 0, "{stderr}");
    database
}

#[test]
fn a_backup_taken_while_running_is_restored_once_the_bot_stopped() {
    run_test(async {
        let backups = Scratch::new("agora-backups");
        let directory = backups.path().display().to_string();
        let mut harness = Harness::start_with(
            &[("AGORA_DATABASE__BACKUP_DIRECTORY", directory.as_str())],
            Vec::new(),
        )
        .await;
        let demo = harness.demo.clone();
        let database = harness.scratch.join("agora.db");
        let env = database_env(&database, backups.path());
        harness
            .configure("moderator-role", "role", demo.moderator_role_id)
            .await;

        let (code, stdout, stderr) = agora(&["backup"], &env).await;
        assert_eq!(code, 0, "a backup is taken while the bot runs: {stderr}");
        let backup = backed_up_to(&stdout);
        assert!(backup.starts_with(backups.path()), "{backup:?}");
        assert!(std::fs::metadata(&backup).unwrap().len() > 0);

        // After the backup an admin changes a setting.
        harness
            .configure("log-channel", "channel", demo.admin_log_id)
            .await;
        let file = backup.display().to_string();
        let (code, _, stderr) = agora(&["restore", &file], &env).await;
        assert_eq!(code, 1, "refused while the bot runs: {stderr}");
        assert!(
            stderr.contains("Agora is running on") && stderr.contains("stop it first"),
            "{stderr}"
        );
        let settings = harness
            .agora()
            .kernel()
            .store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            settings.log_channel_id,
            Some(Id::new(demo.admin_log_id)),
            "the refused restore changed nothing"
        );

        harness.stop().await;
        let after_stop = files_in(backups.path());
        assert_eq!(
            after_stop.len(),
            2,
            "the clean stop wrote a backup beside the first: {after_stop:?}"
        );
        let shutdown_backup = after_stop.iter().find(|path| **path != backup).unwrap();
        let url = format!("sqlite://{}", shutdown_backup.display());
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        let saved = store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap()
            .unwrap();
        store.close();
        assert_eq!(
            saved.log_channel_id,
            Some(Id::new(demo.admin_log_id)),
            "the shutdown backup holds the last change"
        );

        let (code, stdout, stderr) = agora(&["restore", &file], &env).await;
        assert_eq!(code, 0, "{stderr}");
        let kept = stdout
            .lines()
            .find_map(|line| line.strip_prefix("The database it replaced is kept as "))
            .map(|rest| PathBuf::from(rest.trim_end_matches('.')))
            .unwrap_or_else(|| panic!("no copy named: {stdout}"));
        assert!(kept.exists(), "{kept:?}");

        harness.boot(Vec::new()).await;
        let restored = harness
            .agora()
            .kernel()
            .store
            .guild_settings(Id::new(demo.guild_id))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            restored.moderator_role_id,
            Some(Id::new(demo.moderator_role_id))
        );
        assert_eq!(
            restored.log_channel_id, None,
            "the change made after the backup is gone"
        );
        // The restored bot answers as usual.
        let answer = harness
            .run(demo.member_ids[0], demo.general_id, "status", Vec::new())
            .await;
        assert!(agora_testkit::content(&answer).contains("Agora is healthy"));
        harness.stop().await;
    });
}

#[test]
fn a_file_that_is_not_an_agora_database_or_is_newer_is_refused_and_nothing_changes() {
    run_test(async {
        let scratch = Scratch::new("agora-restore-refused");
        let database = migrated_database(&scratch).await;
        let backups = scratch.join("backups");
        let env = database_env(&database, &backups);
        let (code, stdout, stderr) = agora(&["backup"], &env).await;
        assert_eq!(code, 0, "{stderr}");
        let backup = backed_up_to(&stdout);

        let not_sqlite = scratch.join("notes.db");
        std::fs::write(&not_sqlite, "these are not the tables you are looking for").unwrap();
        let other_app = scratch.join("other.db");
        let mut connection =
            diesel::SqliteConnection::establish(other_app.to_str().unwrap()).unwrap();
        connection
            .batch_execute(
                "CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread');",
            )
            .unwrap();
        drop(connection);
        let newer = scratch.join("newer.db");
        std::fs::copy(&backup, &newer).unwrap();
        let mut connection = diesel::SqliteConnection::establish(newer.to_str().unwrap()).unwrap();
        connection
            .batch_execute(
                "INSERT INTO __diesel_schema_migrations (version) VALUES ('29991231000000')",
            )
            .unwrap();
        drop(connection);

        let before = std::fs::read(&database).unwrap();
        let folder_before = files_in(database.parent().unwrap());
        let cases = [
            (&not_sqlite, "is not a SQLite database"),
            (
                &other_app,
                "is not an Agora database: it has no migrations table",
            ),
            (&newer, "comes from a newer Agora"),
            (&scratch.join("missing.db"), "cannot read"),
        ];
        for (file, refusal) in cases {
            let (code, _, stderr) = agora(&["restore", file.to_str().unwrap()], &env).await;
            assert_eq!(code, 1, "{file:?}: {stderr}");
            assert!(stderr.contains(refusal), "{file:?}: {stderr}");
            assert!(stderr.contains("the database is unchanged"), "{stderr}");
        }
        let (_, _, stderr) = agora(&["restore", newer.to_str().unwrap()], &env).await;
        assert!(
            stderr.contains("29991231000000"),
            "names the unknown migration: {stderr}"
        );
        assert_eq!(
            std::fs::read(&database).unwrap(),
            before,
            "the database is unchanged"
        );
        assert_eq!(
            files_in(database.parent().unwrap()),
            folder_before,
            "no copy or leftover was written beside it"
        );
    });
}

#[test]
fn a_backup_directory_that_cannot_be_written_is_reported_and_nothing_is_written() {
    run_test(async {
        let scratch = Scratch::new("agora-backup-unwritable");
        let database = migrated_database(&scratch).await;
        // A regular file where the directory should be: not writable even for root.
        let blocker = scratch.join("backups");
        std::fs::write(&blocker, "a file, not a directory").unwrap();
        let folder_before = files_in(scratch.path());
        for directory in [blocker.clone(), blocker.join("nested")] {
            let env = database_env(&database, &directory);
            let (code, stdout, stderr) = agora(&["backup"], &env).await;
            assert_eq!(code, 1, "{stdout}{stderr}");
            assert!(
                stderr.contains(&format!(
                    "the backup directory {} is not writable",
                    directory.display()
                )) && stderr.contains("nothing was written"),
                "{stderr}"
            );
        }
        assert_eq!(files_in(scratch.path()), folder_before);
        assert_eq!(
            std::fs::read_to_string(&blocker).unwrap(),
            "a file, not a directory"
        );

        // With no directory at all, the command says how to give one.
        let env = [(
            "AGORA_DATABASE__URL",
            format!("sqlite://{}", database.display()),
        )];
        let (code, _, stderr) = agora(&["backup"], &env).await;
        assert_eq!(code, 1);
        assert!(stderr.contains("database.backup_directory"), "{stderr}");
    });
}

#[test]
fn only_the_newest_backups_are_kept() {
    run_test(async {
        let scratch = Scratch::new("agora-backup-keep");
        let database = migrated_database(&scratch).await;
        let backups = scratch.join("backups");
        let mut env = database_env(&database, &backups);
        env.push(("AGORA_DATABASE__BACKUP_KEEP", "2".to_owned()));
        let mut taken = Vec::new();
        for _ in 0..4 {
            let (code, stdout, stderr) = agora(&["backup"], &env).await;
            assert_eq!(code, 0, "{stderr}");
            taken.push(backed_up_to(&stdout));
        }
        assert_eq!(files_in(&backups), taken[2..].to_vec());
        // `--directory` writes elsewhere, with the same rule.
        let elsewhere = scratch.join("elsewhere");
        let (code, stdout, stderr) = agora(
            &["backup", "--directory", elsewhere.to_str().unwrap()],
            &env,
        )
        .await;
        assert_eq!(code, 0, "{stderr}");
        assert_eq!(files_in(&elsewhere), vec![backed_up_to(&stdout)]);
        assert_eq!(files_in(&backups), taken[2..].to_vec());
    });
}

#[test]
fn postgresql_is_pointed_at_pg_dump_and_pg_restore() {
    run_test(async {
        let env = [(
            "AGORA_DATABASE__URL",
            "postgres://agora@127.0.0.1:1/agora".to_owned(),
        )];
        let (code, stdout, stderr) = agora(&["backup"], &env).await;
        assert_ne!(code, 0);
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains("PostgreSQL") && stderr.contains("pg_dump"),
            "{stderr}"
        );
        let (code, _, stderr) = agora(&["restore", "agora.dump"], &env).await;
        assert_ne!(code, 0);
        assert!(stderr.contains("pg_restore"), "{stderr}");
        // A backup directory on PostgreSQL is a configuration problem, named as such.
        let mut env = env.to_vec();
        env.push((
            "AGORA_DATABASE__BACKUP_DIRECTORY",
            "/tmp/nowhere".to_owned(),
        ));
        let (code, _, stderr) = agora(&["check-config"], &env).await;
        assert_eq!(code, 2);
        assert!(
            stderr.contains("database.backup_directory") && stderr.contains("pg_dump"),
            "{stderr}"
        );
    });
}

#[test]
fn the_running_bot_backs_up_when_a_backup_is_due_and_counts_it() {
    run_test(async {
        let backups = Scratch::new("agora-backup-ticker");
        let directory = backups.path().display().to_string();
        let clock = ManualClock::new(chrono::Utc::now());
        let mut harness = Harness::start_with_clock(
            &[
                ("AGORA_DATABASE__BACKUP_DIRECTORY", directory.as_str()),
                ("AGORA_DATABASE__BACKUP_EVERY_HOURS", "6"),
            ],
            Vec::new(),
            clock.clone(),
        )
        .await;
        harness.tick("database-backup").await;
        assert_eq!(files_in(backups.path()).len(), 1, "none yet: one is due");
        clock.advance(chrono::Duration::hours(5));
        harness.tick("database-backup").await;
        assert_eq!(
            files_in(backups.path()).len(),
            1,
            "the newest is 5 hours old"
        );
        clock.advance(chrono::Duration::hours(1));
        harness.tick("database-backup").await;
        assert_eq!(
            files_in(backups.path()).len(),
            2,
            "the newest is 6 hours old"
        );

        let ops = harness.agora().ops_addr().expect("the ops endpoint");
        let metrics = reqwest::get(format!("http://{ops}/metrics"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Other tests of this binary share the process's recorder: at least these two.
        let counted: f64 = metrics
            .lines()
            .find(|line| {
                line.starts_with("agora_database_backups_total") && line.contains("outcome=\"ok\"")
            })
            .and_then(|line| line.rsplit(' ').next())
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no backup counter in {metrics}"));
        assert!(counted >= 2.0, "{metrics}");
        assert!(metrics.contains("agora_database_backup_bytes"), "{metrics}");
        harness.stop().await;
        assert_eq!(
            files_in(backups.path()).len(),
            3,
            "and one at the clean stop"
        );
    });
}

#[test]
fn log_files_are_rotated_by_size_and_only_keep_stay() {
    run_test(async {
        let sim = Sim::start(SimConfig::demo()).await.unwrap();
        let scratch = Scratch::new("agora-log-size");
        let logs = scratch.join("logs");
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_agora"));
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("AGORA_")) {
            command.env_remove(name);
        }
        let mut agora = command
            .arg("run")
            .envs(agora::sandbox::sim_overrides(
                &sim,
                &scratch.join("agora.db"),
            ))
            .env("AGORA_OPS__LISTEN", "127.0.0.1:0")
            .env("AGORA_LOG__LEVEL", "trace")
            .env("AGORA_LOG__DIRECTORY", &logs)
            .env("AGORA_LOG__MAX_SIZE_MB", "0.004")
            .env("AGORA_LOG__KEEP", "2")
            .current_dir(scratch.path())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(scratch.join("stderr.txt")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("agora starts");
        let started = tokio::time::timeout(Duration::from_secs(60), async {
            // Started (past the point where SIGTERM is handled) and rotated twice.
            let started = || {
                std::fs::read_to_string(scratch.join("stderr.txt"))
                    .is_ok_and(|stderr| stderr.contains("online notices posted"))
            };
            while agora::telemetry::closed_files(&logs).len() < 2 || !started() {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        let stderr = std::fs::read_to_string(scratch.join("stderr.txt")).unwrap_or_default();
        let tail: String = stderr.lines().rev().take(20).collect::<Vec<_>>().join("\n");
        assert!(
            started.is_ok(),
            "no two closed log files within 60 s; stderr ends:\n{tail}"
        );
        let pid = agora.id().expect("running").to_string();
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = tokio::time::timeout(Duration::from_secs(30), agora.wait())
            .await
            .expect("agora exits")
            .unwrap();
        assert!(status.success(), "{status:?}");

        let limit = (0.004 * 1024.0 * 1024.0) as u64;
        let closed = agora::telemetry::closed_files(&logs);
        assert_eq!(
            closed.len(),
            2,
            "only log.keep closed files stay: {closed:?}"
        );
        let live = logs.join("agora.log");
        assert_eq!(files_in(&logs), {
            let mut all = closed.clone();
            all.push(live.clone());
            all.sort();
            all
        });
        for file in closed.iter().chain([&live]) {
            let text = std::fs::read_to_string(file).unwrap();
            // A single line longer than the limit has a file of its own.
            assert!(
                text.len() as u64 <= limit || text.lines().count() == 1,
                "{file:?} holds {} bytes, past {limit}",
                text.len()
            );
            assert!(
                text.is_empty() || text.ends_with('\n'),
                "{file:?} ends mid-line"
            );
        }
    });
}

#[test]
fn a_backup_restored_on_a_new_machine_makes_the_database() {
    run_test(async {
        let scratch = Scratch::new("agora-restore-fresh");
        let database = migrated_database(&scratch).await;
        let url = format!("sqlite://{}", database.display());
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        let patch = agora_actors::kernel::store::GuildSettingsPatch {
            locale: Some("de".to_owned()),
            ..Default::default()
        };
        store
            .update_guild_settings(Id::new(42), patch)
            .await
            .unwrap();
        store.close();
        let backups = scratch.join("backups");
        let (code, stdout, stderr) = agora(&["backup"], &database_env(&database, &backups)).await;
        assert_eq!(code, 0, "{stderr}");
        let backup = backed_up_to(&stdout);

        let fresh = scratch.join("new-machine/data/agora.db");
        let env = database_env(&fresh, &backups);
        let (code, stdout, stderr) = agora(&["restore", backup.to_str().unwrap()], &env).await;
        assert_eq!(code, 0, "{stderr}");
        assert!(
            stdout.contains("There was no database to replace."),
            "{stdout}"
        );
        let (code, stdout, stderr) = agora(&["migrate"], &env).await;
        assert_eq!(code, 0, "{stderr}");
        assert!(stdout.contains("the schema is up to date"), "{stdout}");
        let url = format!("sqlite://{}", fresh.display());
        let store = Store::connect(&url, StoreOptions::default()).await.unwrap();
        let settings = store.guild_settings(Id::new(42)).await.unwrap().unwrap();
        store.close();
        assert_eq!(settings.locale, "de");
    });
}
