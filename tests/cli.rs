//! The `agora` command line as an operator runs it: `check-config` explains every problem
//! in plain words (exit 2, never a panic or a raw serde dump, secrets never printed), and
//! `migrate` creates and updates the schema.

use std::process::Command;

fn agora(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_agora"));
    command.args(args);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("AGORA_")) {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("agora runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

#[test]
fn a_broken_configuration_is_explained_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agora.toml");
    std::fs::write(&path, "[ops]\nlisen = \"127.0.0.1:9090\"\n[database]\nurl = \"mysql://x\"\n[discord]\ntoken_file = \"/nonexistent/secret\"\n").unwrap();
    let (code, _, stderr) = agora(
        &["check-config", "--config", path.to_str().unwrap()],
        &[("AGORA_RUNTIME__MAILBOX_CAPACITY", "lots")],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("ops.lisen") && stderr.contains("did you mean `listen`"),
        "{stderr}"
    );
    assert!(stderr.contains("database.url"), "{stderr}");
    assert!(stderr.contains("/nonexistent/secret"), "{stderr}");
    assert!(
        stderr.contains("AGORA_RUNTIME__MAILBOX_CAPACITY"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_missing_token_matters_only_for_running() {
    let dir = tempfile::tempdir().unwrap();
    let missing_default = dir.path().join("none.toml");
    let (code, _, stderr) = agora(
        &[
            "check-config",
            "--config",
            missing_default.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2, "a missing explicit file is an error: {stderr}");
    let path = dir.path().join("agora.toml");
    std::fs::write(&path, "").unwrap();
    let (code, _, _) = agora(&["check-config", "--config", path.to_str().unwrap()], &[]);
    assert_eq!(code, 0);
    let (code, _, stderr) = agora(
        &[
            "check-config",
            "--for-run",
            "--config",
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 2);
    assert!(stderr.to_lowercase().contains("token"), "{stderr}");
}

#[test]
fn secrets_never_reach_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agora.toml");
    std::fs::write(&path, "").unwrap();
    let (code, stdout, stderr) = agora(
        &[
            "check-config",
            "--for-run",
            "--print",
            "--config",
            path.to_str().unwrap(),
        ],
        &[
            ("AGORA_DISCORD__TOKEN", "super-secret-token"),
            ("AGORA_OPS__LISTEN", "0.0.0.0:9999"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("0.0.0.0:9999"),
        "env overrides show in the effective config: {stdout}"
    );
    assert!(!stdout.contains("super-secret-token") && !stderr.contains("super-secret-token"));
}

#[test]
fn migrate_creates_the_sqlite_database_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/data/agora.db", dir.path().display());
    let empty = dir.path().join("agora.toml");
    std::fs::write(&empty, "").unwrap();
    let config = empty.to_str().unwrap();
    let (code, stdout, stderr) = agora(
        &["migrate", "--config", config],
        &[("AGORA_DATABASE__URL", &url)],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("applied") && stdout.contains("_core"),
        "{stdout}"
    );
    assert!(
        dir.path().join("data/agora.db").exists(),
        "the database file and its folder are created"
    );
    let (code, stdout, _) = agora(
        &["migrate", "--config", config],
        &[("AGORA_DATABASE__URL", &url)],
    );
    assert_eq!(code, 0);
    assert!(stdout.contains("up to date"), "{stdout}");
}
