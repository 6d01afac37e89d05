//! Loading and checking the configuration: the values each source gives, and every kind of
//! problem, each said in plain words with where it was written.

use std::fs;
use std::net::SocketAddr;

use super::*;

/// The delivered `config.toml`, which must stay equal to the built-in defaults.
const DELIVERED_CONFIG_TOML: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml");

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// `base` with `more` added or replacing.
fn env_with(base: &HashMap<String, String>, more: &[(&str, &str)]) -> HashMap<String, String> {
    let mut env = base.clone();
    env.extend(more.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

fn no_env() -> HashMap<String, String> {
    HashMap::new()
}

fn write_file(dir: &tempfile::TempDir, name: &str, contents: &str) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, contents).expect("write a test file");
    path
}

/// Loads `text` as the config file given with `--config`.
fn load_text(text: &str, env: &HashMap<String, String>) -> Result<Config, ConfigProblems> {
    load_text_with(text, env, &[])
}

fn load_text_with(
    text: &str,
    env: &HashMap<String, String>,
    sections: &[ConfigSection],
) -> Result<Config, ConfigProblems> {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let path = write_file(&dir, "config.toml", text);
    Config::load_with_sections(ConfigSource::File(&path), env, sections)
}

fn problems_of(result: Result<Config, ConfigProblems>) -> Vec<ConfigProblem> {
    match result {
        Ok(config) => panic!("expected problems, got {config:#?}"),
        Err(problems) => problems.0,
    }
}

/// The one problem filed under `key`.
fn problem_for<'p>(problems: &'p [ConfigProblem], key: &str) -> &'p ConfigProblem {
    let matching: Vec<&ConfigProblem> = problems
        .iter()
        .filter(|problem| problem.key == key)
        .collect();
    match matching.as_slice() {
        [problem] => problem,
        _ => panic!("expected one problem for {key}, got {problems:#?}"),
    }
}

fn assert_mentions(problem: &ConfigProblem, parts: &[&str]) {
    for part in parts {
        assert!(
            problem.message.contains(part),
            "{:?} should mention {part:?}",
            problem.message
        );
    }
}

// ---- where values come from ---------------------------------------------------------------

#[test]
fn built_in_defaults_when_the_default_file_is_missing() {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let missing = dir.path().join("config.toml");
    let config = load_with_default_path(ConfigSource::Default, &no_env(), &[], &missing);
    assert_eq!(config, Ok(Config::default()));
    let config = config.expect("defaults");
    assert_eq!(config.runtime.max_in_flight, 32);
    assert_eq!(config.features.enabled, None);
    assert_eq!(config.database.url.expose(), "sqlite://data/agora.db");
}

#[test]
fn the_default_file_is_read_when_it_exists() {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let path = write_file(&dir, "config.toml", "[runtime]\ncooldown_secs = 5\n");
    let config =
        load_with_default_path(ConfigSource::Default, &no_env(), &[], &path).expect("valid config");
    assert_eq!(config.runtime.cooldown(), Duration::from_secs(5));
}

#[test]
fn a_missing_file_given_explicitly_is_a_problem() {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let missing = dir.path().join("elsewhere.toml");
    let problems = problems_of(Config::load(ConfigSource::File(&missing), &no_env()));
    let problem = problem_for(&problems, &missing.display().to_string());
    assert_mentions(
        problem,
        &["cannot read config file", "No such file or directory"],
    );
    assert!(!problem.message.contains("os error"), "{problem:?}");
}

#[test]
fn file_values_are_read_with_their_types() {
    let text = r#"
        [discord]
        token = "file-token"
        application_id = "42"
        rest_url = "http://127.0.0.1:3000"
        gateway_url = "ws://127.0.0.1:3000/gateway"
        shard_count = 2
        shard_first = 2
        shard_total = 4
        register_commands = "guild:123"
        owners = ["1", 2]
        prefix = "?"
        [database]
        url = "postgres://agora@db/agora"
        max_connections = 4
        migrate_on_start = false
        [cache]
        redis_url = "redis://127.0.0.1:6379"
        key_prefix = "test:"
        [ops]
        listen = "0.0.0.0:8080"
        [log]
        level = "info,agora_actors=debug"
        format = "json"
        directory = "/var/log/agora"
        rotation = "never"
        [runtime]
        mailbox_capacity = 16
        defer_after_ms = 1500
        shutdown_grace_secs = 3
        cooldown_secs = 0
        max_in_flight = 8
        [runtime.max_in_flight_per_concern]
        shifts = 64
        [features]
        enabled = ["core"]
    "#;
    let config = load_text(text, &no_env()).expect("valid config");
    let discord = &config.discord;
    assert_eq!(
        discord.token.as_ref().map(Secret::expose),
        Some("file-token")
    );
    assert_eq!(discord.application_id, Some(42));
    assert_eq!(
        discord.rest_url.as_ref().map(Url::as_str),
        Some("http://127.0.0.1:3000/")
    );
    assert_eq!(
        discord.gateway_url.as_ref().map(Url::as_str),
        Some("ws://127.0.0.1:3000/gateway")
    );
    assert_eq!(discord.shard_ids(), 2..4);
    assert_eq!(discord.total_shards(), Some(4));
    assert_eq!(discord.register_commands, RegisterCommands::Guild(123));
    assert_eq!(discord.owners, vec![1, 2]);
    assert_eq!(discord.prefix, "?");
    assert_eq!(config.database.backend(), DatabaseBackend::Postgres);
    assert_eq!(config.database.url.expose(), "postgres://agora@db/agora");
    assert_eq!(config.database.max_connections, 4);
    assert!(!config.database.migrate_on_start);
    assert_eq!(
        config.cache.redis_url.as_ref().map(ConnectionUrl::expose),
        Some("redis://127.0.0.1:6379")
    );
    assert_eq!(config.cache.key_prefix, "test:");
    assert_eq!(config.ops.listen, SocketAddr::from(([0, 0, 0, 0], 8080)));
    assert_eq!(config.log.level, "info,agora_actors=debug");
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(config.log.directory, Some(PathBuf::from("/var/log/agora")));
    assert_eq!(config.log.rotation, LogRotation::Never);
    assert_eq!(config.runtime.mailbox_capacity, 16);
    assert_eq!(config.runtime.defer_after(), Duration::from_millis(1500));
    assert_eq!(config.runtime.shutdown_grace(), Duration::from_secs(3));
    assert_eq!(config.runtime.cooldown(), Duration::ZERO);
    assert_eq!(config.runtime.max_in_flight_for("core"), 8);
    assert_eq!(config.runtime.max_in_flight_for("shifts"), 64);
    assert_eq!(config.features.enabled, Some(vec!["core".to_owned()]));
}

#[test]
fn environment_variables_beat_file_values() {
    let text = "[ops]\nlisten = \"127.0.0.1:1111\"\n[discord]\nowners = [\"9\"]\n\
                [database]\nmax_connections = 4\n";
    let env = env(&[
        ("AGORA_OPS__LISTEN", "0.0.0.0:9999"),
        ("AGORA_DISCORD__OWNERS", "1,2"),
        ("AGORA_DATABASE__MAX_CONNECTIONS", "20"),
        ("AGORA_DISCORD__TOKEN", "env-token"),
        ("AGORA_DISCORD__PREFIX", "1"),
        ("AGORA_LOG__FORMAT", "JSON"),
        ("AGORA_FEATURES__ENABLED", "core,shifts"),
    ]);
    let config = load_text(text, &env).expect("valid config");
    assert_eq!(config.ops.listen, SocketAddr::from(([0, 0, 0, 0], 9999)));
    assert_eq!(config.discord.owners, vec![1, 2]);
    assert_eq!(config.database.max_connections, 20);
    assert_eq!(
        config.discord_token().map(Secret::expose),
        Some("env-token")
    );
    assert_eq!(config.discord.prefix, "1", "text stays text");
    assert_eq!(config.log.format, LogFormat::Json);
    assert_eq!(
        config.features.enabled,
        Some(vec!["core".to_owned(), "shifts".to_owned()])
    );
}

#[test]
fn environment_lists_take_commas_or_toml_syntax() {
    for (written, expected) in [
        ("1,2", vec![1, 2]),
        (" 1 , 2 ,", vec![1, 2]),
        ("[\"1\", \"2\"]", vec![1, 2]),
        ("[1, 2]", vec![1, 2]),
        ("", vec![]),
        ("[]", vec![]),
    ] {
        let env = env(&[("AGORA_DISCORD__OWNERS", written)]);
        let config = Config::load(ConfigSource::File(Path::new(DELIVERED_CONFIG_TOML)), &env);
        assert_eq!(
            config.map(|config| config.discord.owners),
            Ok(expected),
            "{written:?}"
        );
    }
}

#[test]
fn environment_booleans_take_the_usual_spellings() {
    for (written, expected) in [
        ("false", false),
        ("no", false),
        ("0", false),
        ("True", true),
        ("on", true),
    ] {
        let env = env(&[("AGORA_DATABASE__MIGRATE_ON_START", written)]);
        let config = load_text("", &env).expect("valid config");
        assert_eq!(config.database.migrate_on_start, expected, "{written:?}");
    }
}

/// The `[llm]` table, as the LLM feature reads it at start.
fn llm_of(config: &Config) -> agora_actors::llm::LlmConfig {
    config
        .section_data(&agora_actors::llm::config::section())
        .extract()
        .expect("the llm table reads")
}

#[test]
fn an_empty_variable_unsets_a_file_value() {
    let env = env(&[("AGORA_LLM__BASE_URL", "")]);
    let config = load_text_with(
        "[llm]\nbase_url = \"http://127.0.0.1:4000\"\n",
        &env,
        &[agora_actors::llm::config::section()],
    )
    .expect("valid config");
    assert!(!llm_of(&config).configured());
}

#[test]
fn the_llm_table_belongs_to_the_llm_feature_and_is_checked_at_load() {
    let sections = [agora_actors::llm::config::section()];
    let dir = tempfile::tempdir().expect("make a temp dir");
    let api_key_file = write_file(&dir, "llm_api_key", "key-from-file\n");
    let text = format!(
        "[llm]\nbase_url = \"http://127.0.0.1:4000\"\nchat_path = \"/api/chat/completions\"\nmodel = \"small\"\ntimeout_secs = 5\napi_key_file = {:?}\n",
        api_key_file.display().to_string()
    );
    let config = load_text_with(&text, &no_env(), &sections).expect("valid config");
    let llm = llm_of(&config);
    assert_eq!(llm.chat_url(), "http://127.0.0.1:4000/api/chat/completions");
    assert_eq!(llm.model, "small");
    assert_eq!(llm.timeout(), Duration::from_secs(5));
    let key = llm.api_key(|_| None).expect("readable").expect("set");
    assert!(!format!("{key:?} {config:?} {llm:?}").contains("key-from-file"));

    let env = env(&[("AGORA_LLM__API_KEY", "llm-api-key")]);
    let config = load_text_with("", &env, &sections).expect("valid config");
    assert!(!format!("{config:?} {:?}", llm_of(&config)).contains("llm-api-key"));
    assert!(!config.to_redacted_toml().contains("llm-api-key"));

    let text = "[llm]\nbase_url = \"not a url\"\napi_key_file = \"/nonexistent/key\"\nmax_concurrent = 0\n";
    let problems = problems_of(load_text_with(text, &no_env(), &sections));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "llm.base_url"),
        &["is not a valid URL", "\"not a url\""],
    );
    assert_mentions(
        problem_for(&problems, "llm.api_key_file"),
        &["cannot read `api_key_file` /nonexistent/key"],
    );
    assert_mentions(
        problem_for(&problems, "llm.max_concurrent"),
        &["must be from 1 to 256"],
    );
}

#[test]
fn max_in_flight_has_a_default_and_per_concern_overrides() {
    let env = env(&[
        ("AGORA_RUNTIME__MAX_IN_FLIGHT", "16"),
        ("AGORA_RUNTIME__MAX_IN_FLIGHT_PER_CONCERN__SHIFTS", "64"),
    ]);
    let text = "[runtime.max_in_flight_per_concern]\ntickets = 4\n";
    let runtime = load_text(text, &env).expect("valid config").runtime;
    assert_eq!(runtime.max_in_flight_for("shifts"), 64);
    assert_eq!(runtime.max_in_flight_for("tickets"), 4);
    assert_eq!(runtime.max_in_flight_for("core"), 16);
    assert_eq!(RuntimeConfig::default().max_in_flight_for("shifts"), 32);

    let text =
        "[runtime]\nmax_in_flight = 0\n[runtime.max_in_flight_per_concern]\nshifts = 20000\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert_mentions(
        problem_for(&problems, "runtime.max_in_flight"),
        &["must be between 1 and 10000, got 0", "line 2"],
    );
    assert_mentions(
        problem_for(&problems, "runtime.max_in_flight_per_concern.shifts"),
        &["must be between 1 and 10000, got 20000", "line 4"],
    );
}

#[test]
fn secrets_are_read_from_files_without_the_trailing_newline() {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let token_file = write_file(&dir, "discord_token", "token-from-file\n");
    let password_file = write_file(&dir, "db_password", "p@ss word\r\n");
    let text = format!(
        "[discord]\ntoken_file = {:?}\n[database]\nurl = \"postgres://agora@db/agora\"\npassword_file = {:?}\n",
        token_file.display().to_string(),
        password_file.display().to_string(),
    );
    let config = load_text(&text, &no_env()).expect("valid config");
    assert_eq!(
        config.discord_token().map(Secret::expose),
        Some("token-from-file")
    );
    assert_eq!(
        config.database.password.as_ref().map(Secret::expose),
        Some("p@ss word")
    );
    assert_eq!(config.validate_for_run(), Ok(()));
    assert_eq!(
        config.database.connection_url().expose(),
        "postgres://agora:p%40ss%20word@db/agora"
    );
}

// ---- every kind of problem ----------------------------------------------------------------

#[test]
fn unknown_file_keys_are_named_with_their_line_and_a_suggestion() {
    let text = "listen = 1\n[ops]\nlisen = \"0.0.0.0:9090\"\n\n[opz]\nlisten = \"x\"\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "ops.lisen"),
        &[
            "unknown key `ops.lisen` in",
            "config.toml line 3",
            "(did you mean `listen`?)",
        ],
    );
    assert_mentions(
        problem_for(&problems, "opz"),
        &["unknown table `[opz]`", "line 5", "(did you mean `[ops]`?)"],
    );
    assert_mentions(
        problem_for(&problems, "listen"),
        &[
            "unknown key `listen`",
            "line 1",
            "(did you mean `ops.listen`?)",
        ],
    );
}

#[test]
fn unknown_agora_variables_are_named_with_a_suggestion() {
    let env = env(&[
        ("AGORA_OPS__LISEN", "0.0.0.0:9090"),
        ("AGORA_OPS_LISTEN", "0.0.0.0:9090"),
        ("AGORA_RUNTIME__MAX_INFLIGHT", "3"),
        ("AGORA_SIM_TOKEN", "belongs to agora-sim"),
        ("AGORA_TEST_POSTGRES_URL", "belongs to the test suite"),
    ]);
    let problems = problems_of(load_text("", &env));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "AGORA_OPS__LISEN"),
        &[
            "unknown variable AGORA_OPS__LISEN",
            "(did you mean AGORA_OPS__LISTEN?)",
        ],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_RUNTIME__MAX_INFLIGHT"),
        &["(did you mean AGORA_RUNTIME__MAX_IN_FLIGHT?)"],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_OPS_LISTEN"),
        &["two underscores", "(did you mean AGORA_OPS__LISTEN?)"],
    );
}

#[test]
fn wrong_types_in_the_file_are_named_with_what_was_given() {
    let text = "[runtime]\nmailbox_capacity = \"lots\"\nshutdown_grace_secs = -1\n\
                [database]\nmigrate_on_start = \"maybe\"\n[discord]\nprefix = 1\n\
                owners = \"bob\"\n[ops]\nlisten = [1]\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 6, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "runtime.mailbox_capacity"),
        &[
            "`runtime.mailbox_capacity` must be a whole number, got \"lots\"",
            "(",
            "config.toml line 2)",
        ],
    );
    assert_mentions(
        problem_for(&problems, "runtime.shutdown_grace_secs"),
        &["must be a whole number, 0 or more, got -1", "line 3"],
    );
    assert_mentions(
        problem_for(&problems, "database.migrate_on_start"),
        &["must be true or false, got \"maybe\"", "line 5"],
    );
    assert_mentions(
        problem_for(&problems, "discord.prefix"),
        &["must be text in quotes, got 1", "line 7"],
    );
    assert_mentions(
        problem_for(&problems, "discord.owners"),
        &["must list Discord ids", "got \"bob\""],
    );
    assert_mentions(
        problem_for(&problems, "ops.listen"),
        &["`ops.listen` must be text in quotes, got a list"],
    );
}

#[test]
fn wrong_types_in_the_environment_name_the_variable() {
    let env = env(&[
        ("AGORA_RUNTIME__MAILBOX_CAPACITY", "lots"),
        ("AGORA_DATABASE__MIGRATE_ON_START", "maybe"),
        ("AGORA_RUNTIME__MAX_IN_FLIGHT_PER_CONCERN__SHIFTS", "many"),
    ]);
    let problems = problems_of(load_text("", &env));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "AGORA_RUNTIME__MAILBOX_CAPACITY"),
        &[
            "`runtime.mailbox_capacity` must be a whole number, got \"lots\"",
            "(from AGORA_RUNTIME__MAILBOX_CAPACITY)",
        ],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_DATABASE__MIGRATE_ON_START"),
        &["must be true or false, got \"maybe\""],
    );
    assert_mentions(
        problem_for(
            &problems,
            "AGORA_RUNTIME__MAX_IN_FLIGHT_PER_CONCERN__SHIFTS",
        ),
        &["`runtime.max_in_flight_per_concern.shifts` must be a whole number, got \"many\""],
    );
}

#[test]
fn out_of_range_values_name_the_range() {
    let env = env(&[
        ("AGORA_RUNTIME__DEFER_AFTER_MS", "5000"),
        ("AGORA_DATABASE__MAX_CONNECTIONS", "0"),
        ("AGORA_DISCORD__SHARD_COUNT", "0"),
    ]);
    let problems = problems_of(load_text("", &env));
    assert_eq!(problems.len(), 3, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "AGORA_RUNTIME__DEFER_AFTER_MS"),
        &["must be between 0 and 2500, got 5000"],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_DATABASE__MAX_CONNECTIONS"),
        &["must be between 1 and 1000, got 0"],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_DISCORD__SHARD_COUNT"),
        &["must be between 1 and 1048576, got 0"],
    );
}

#[test]
fn bad_urls_are_named_with_the_schemes_they_take() {
    let text = r#"
        [discord]
        rest_url = "ws://127.0.0.1:3000"
        gateway_url = "http://127.0.0.1:3000/gateway"
        [database]
        url = "mysql://agora:hunter2@db/agora"
        [cache]
        redis_url = "http://127.0.0.1:6379"
    "#;
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "discord.rest_url"),
        &["http:// or https://"],
    );
    assert_mentions(
        problem_for(&problems, "discord.gateway_url"),
        &["ws:// or wss://"],
    );
    let database = problem_for(&problems, "database.url");
    assert_mentions(database, &["sqlite:// or postgres://", "agora:***@db"]);
    assert!(!database.message.contains("hunter2"), "{database:?}");
    assert_mentions(
        problem_for(&problems, "cache.redis_url"),
        &["redis:// or rediss://"],
    );
}

#[test]
fn bad_addresses_choices_and_ids_are_named() {
    let text = r#"
        [discord]
        application_id = "my-bot"
        register_commands = "guild:abc"
        owners = ["bob", "123"]
        [ops]
        listen = "localhost"
        [log]
        level = "info,agora=loud"
        format = "xml"
        rotation = "weekly"
        [features]
        enabled = ["Shifts!"]
    "#;
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 8, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "discord.application_id"),
        &["must be a Discord id", "got \"my-bot\""],
    );
    assert_mentions(
        problem_for(&problems, "discord.register_commands"),
        &["must be off, global or guild:<numeric guild id>, got \"guild:abc\""],
    );
    let owners = problem_for(&problems, "discord.owners");
    assert_mentions(owners, &["got \"bob\""]);
    assert!(!owners.message.contains("\"123\""), "{owners:?}");
    assert_mentions(
        problem_for(&problems, "ops.listen"),
        &["IP address and port", "got \"localhost\""],
    );
    assert_mentions(
        problem_for(&problems, "log.level"),
        &["tracing filter", "\"info,agora=loud\""],
    );
    assert_mentions(
        problem_for(&problems, "log.format"),
        &["must be one of pretty, json, got \"xml\""],
    );
    assert_mentions(
        problem_for(&problems, "log.rotation"),
        &["must be one of hourly, daily, never, got \"weekly\""],
    );
    assert_mentions(
        problem_for(&problems, "features.enabled"),
        &["feature names", "got \"Shifts!\""],
    );
}

#[test]
fn a_shard_range_past_the_total_is_a_problem() {
    let env = env(&[
        ("AGORA_DISCORD__SHARD_FIRST", "2"),
        ("AGORA_DISCORD__SHARD_COUNT", "2"),
    ]);
    let problems = problems_of(load_text("", &env));
    assert_mentions(
        problem_for(&problems, "AGORA_DISCORD__SHARD_FIRST"),
        &["would run shards 2..4 but there are 2 shards in all"],
    );
}

#[test]
fn the_shard_ordinal_gives_the_first_shard() {
    let env = env(&[
        ("AGORA_DISCORD__SHARD_ORDINAL", "2"),
        ("AGORA_DISCORD__SHARD_COUNT", "3"),
        ("AGORA_DISCORD__SHARD_TOTAL", "9"),
        ("AGORA_DATABASE__URL", "postgres://agora@db/agora"),
    ]);
    let config = load_text("", &env).expect("a valid configuration");
    assert_eq!(config.discord.shard_ids(), 6..9);
    assert_eq!(config.discord.total_shards(), Some(9));

    let past = env_with(&env, &[("AGORA_DISCORD__SHARD_ORDINAL", "3")]);
    let problems = problems_of(load_text("", &past));
    assert_mentions(
        problem_for(&problems, "AGORA_DISCORD__SHARD_ORDINAL"),
        &["would run shards 9..12 but there are 9 shards in all"],
    );

    let both = env_with(&env, &[("AGORA_DISCORD__SHARD_FIRST", "6")]);
    let problems = problems_of(load_text("", &both));
    assert_mentions(
        problem_for(&problems, "AGORA_DISCORD__SHARD_ORDINAL"),
        &["set only one of them"],
    );
}

#[test]
fn the_shard_total_is_a_number_or_auto() {
    let auto = env(&[
        ("AGORA_DISCORD__SHARD_TOTAL", "auto"),
        ("AGORA_DISCORD__SHARD_COUNT", "2"),
    ]);
    let config = load_text("", &auto).expect("a valid configuration");
    assert_eq!(config.discord.shard_total, ShardTotal::Auto);
    assert_eq!(config.discord.total_shards(), None);

    let wrong = env(&[("AGORA_DISCORD__SHARD_TOTAL", "many")]);
    let problems = problems_of(load_text("", &wrong));
    assert_mentions(
        problem_for(&problems, "AGORA_DISCORD__SHARD_TOTAL"),
        &["must be a number of shards", "\"auto\""],
    );
}

#[test]
fn sqlite_runs_every_shard_in_one_process() {
    let part = env(&[
        ("AGORA_DISCORD__SHARD_FIRST", "2"),
        ("AGORA_DISCORD__SHARD_COUNT", "2"),
        ("AGORA_DISCORD__SHARD_TOTAL", "4"),
    ]);
    let problems = problems_of(load_text("", &part));
    assert_mentions(
        problem_for(&problems, "AGORA_DISCORD__SHARD_TOTAL"),
        &["SQLite", "one process", "PostgreSQL"],
    );
}

#[test]
fn secret_file_problems_are_named() {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let empty = write_file(&dir, "empty", "\n");
    let text = format!(
        "[discord]\ntoken = \"direct\"\ntoken_file = {:?}\n",
        empty.display().to_string(),
    );
    let env = env(&[(
        "AGORA_DATABASE__PASSWORD_FILE",
        &empty.display().to_string(),
    )]);
    let problems = problems_of(load_text(&text, &env));
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "discord.token_file"),
        &[
            "both `discord.token` (",
            "config.toml line 2) and `discord.token_file` (",
            "keep one",
        ],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_DATABASE__PASSWORD_FILE"),
        &["is empty", "(from AGORA_DATABASE__PASSWORD_FILE)"],
    );
}

#[test]
fn a_password_in_the_url_and_in_its_key_is_a_problem() {
    let env = env(&[
        ("AGORA_DATABASE__URL", "postgres://agora:hunter2@db/agora"),
        ("AGORA_DATABASE__PASSWORD", "other-password"),
    ]);
    let problems = problems_of(load_text("", &env));
    let problem = problem_for(&problems, "AGORA_DATABASE__PASSWORD");
    assert_mentions(problem, &["already holds a password", "keep one"]);
    assert!(!problem.message.contains("hunter2"), "{problem:?}");
    assert!(!problem.message.contains("other-password"), "{problem:?}");
}

#[test]
fn a_missing_token_is_a_problem_only_for_run() {
    let config = load_text("", &no_env()).expect("valid config");
    let problems = config.validate_for_run().expect_err("no token").0;
    assert_mentions(
        problem_for(&problems, "discord.token"),
        &[
            "missing Discord bot token",
            "AGORA_DISCORD__TOKEN",
            "discord.token_file",
        ],
    );
}

#[test]
fn toml_syntax_errors_give_line_and_column() {
    let text = "[ops]\nlisten = \"127.0.0.1:1\"\nlisten = \"127.0.0.1:2\"\n[log\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 2, "{problems:#?}");
    assert!(problems
        .iter()
        .all(|problem| problem.key.ends_with("config.toml")));
    assert_mentions(
        &problems[0],
        &["config.toml line 3, column 1: not valid TOML: duplicate key `listen`"],
    );
    assert_mentions(
        &problems[1],
        &["config.toml line 4, column 5: not valid TOML"],
    );
}

#[test]
fn a_syntax_error_never_quotes_the_line_it_is_on() {
    let text = "[discord]\ntoken = \"super-secret-token\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert!(!problems.is_empty());
    for problem in &problems {
        assert!(!problem.message.contains("super-secret"), "{problem:?}");
        assert_mentions(problem, &["line 2"]);
    }
}

#[test]
fn every_problem_is_reported_at_once_one_per_line() {
    let text = "[ops]\nlisen = \"x\"\n[runtime]\nmailbox_capacity = \"lots\"\n\
                cooldown_secs = \"never\"\n[log]\nformat = \"xml\"\n";
    let env = env(&[
        ("AGORA_DATABASE__URL", "mysql://db/agora"),
        ("AGORA_DISCORD__OWNERS", "bob"),
        ("AGORA_OPS__LISTN", "0.0.0.0:1"),
    ]);
    let problems = load_text(text, &env).expect_err("seven problems");
    let mut keys: Vec<&str> = problems
        .0
        .iter()
        .map(|problem| problem.key.as_str())
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "AGORA_DATABASE__URL",
            "AGORA_DISCORD__OWNERS",
            "AGORA_OPS__LISTN",
            "log.format",
            "ops.lisen",
            "runtime.cooldown_secs",
            "runtime.mailbox_capacity",
        ]
    );
    let shown = problems.to_string();
    assert_eq!(shown.lines().count(), 7, "{shown}");
    assert!(shown.lines().all(|line| !line.is_empty()), "{shown}");
}

#[test]
fn secrets_never_show_in_debug_display_redacted_toml_or_problems() {
    let dir = tempfile::tempdir().expect("make a temp dir");
    let token_file = write_file(&dir, "token", "token-in-a-file\n");
    let env = env(&[
        (
            "AGORA_DISCORD__TOKEN_FILE",
            &token_file.display().to_string(),
        ),
        ("AGORA_DATABASE__URL", "postgres://agora@db/agora"),
        ("AGORA_DATABASE__PASSWORD", "database-password"),
        (
            "AGORA_CACHE__REDIS_URL",
            "redis://:redis-password@cache:6379",
        ),
    ]);
    let config = load_text("", &env).expect("valid config");
    let debug = format!("{config:?} {config:#?}");
    let redacted = config.to_redacted_toml();
    for secret in ["token-in-a-file", "database-password", "redis-password"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
        assert!(!redacted.contains(secret), "{secret} in {redacted}");
    }
    assert_eq!(format!("{}", Secret::new("x")), "***");
    assert_eq!(format!("{:?}", Secret::new("x")), "***");
    let shown: toml::Table = toml::from_str(&redacted).expect("redacted TOML parses");
    assert_eq!(shown["discord"]["token"].as_str(), Some("***"));
    assert_eq!(shown["database"]["password"].as_str(), Some("***"));
    assert_eq!(
        shown["cache"]["redis_url"].as_str(),
        Some("redis://:***@cache:6379")
    );

    // A secret of the wrong type, or beside a bad URL, is not quoted either.
    let text = "[discord]\ntoken = 123456789\n[cache]\nredis_url = \"http://:hunter2@cache\"\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problems = ConfigProblems(problems).to_string();
    assert!(!problems.contains("hunter2"), "{problems}");
    let env = env_pair("AGORA_DISCORD__TOKEN", "[\"secret-in-a-list\"]");
    let problems = ConfigProblems(problems_of(load_text("", &env))).to_string();
    assert!(
        problems.contains("`discord.token` must be text in quotes"),
        "{problems}"
    );
    assert!(!problems.contains("secret-in-a-list"), "{problems}");
}

fn env_pair(name: &str, value: &str) -> HashMap<String, String> {
    env(&[(name, value)])
}

// ---- the delivered file and --print --------------------------------------------------------

#[test]
fn the_delivered_config_toml_equals_the_built_in_defaults() {
    let mut config = Config::load(
        ConfigSource::File(Path::new(DELIVERED_CONFIG_TOML)),
        &no_env(),
    )
    .expect("the delivered config.toml loads");
    // The features' tables as written equal their declared defaults.
    for section in built_in_sections() {
        let written: serde_json::Value = config.section_data(&section).extract().unwrap();
        assert_eq!(written, (section.defaults)(), "[{}]", section.name);
    }
    config.sections = FeatureSections::default();
    assert_eq!(config, Config::default());
}

#[test]
fn the_delivered_config_toml_lists_every_key_with_a_comment() {
    let text = fs::read_to_string(DELIVERED_CONFIG_TOML).expect("read config.toml");
    let document: toml::Table = toml::from_str(&text).expect("config.toml parses");
    assert_eq!(keys_in(&document), every_key());
    for line in text
        .lines()
        .filter(|line| line.contains(" = ") && !line.starts_with('#'))
    {
        assert!(line.contains(" # "), "no comment on {line:?}");
    }
}

#[test]
fn redacted_toml_lists_every_key_and_reads_back_as_the_defaults() {
    let redacted = Config::default().to_redacted_toml();
    let document: toml::Table = toml::from_str(&redacted).expect("redacted TOML parses");
    // The features' own tables are not printed (one may hold a secret).
    let mut runtime_keys = problems::dotted_keys(&known_tables(&[]));
    runtime_keys.sort();
    assert_eq!(keys_in(&document), runtime_keys);
    assert_eq!(load_text(&redacted, &no_env()), Ok(Config::default()));

    let text =
        "[runtime.max_in_flight_per_concern]\nshifts = 64\n[features]\nenabled = [\"core\"]\n";
    let config = load_text(text, &no_env()).expect("valid config");
    let redacted = config.to_redacted_toml();
    assert_eq!(load_text(&redacted, &no_env()), Ok(config), "{redacted}");
}

/// Every key of the built-in tables and the built-in features' tables, sorted.
fn every_key() -> Vec<String> {
    let mut keys = problems::dotted_keys(&known_tables(&built_in_sections()));
    keys.sort();
    keys
}

/// The `table.key` names in a document, sorted.
fn keys_in(document: &toml::Table) -> Vec<String> {
    let mut keys: Vec<String> = document
        .iter()
        .flat_map(|(table, value)| {
            let entries = value.as_table().cloned().unwrap_or_default();
            let table = table.clone();
            entries
                .into_iter()
                .map(move |(key, _)| format!("{table}.{key}"))
        })
        .collect();
    keys.sort();
    keys
}

// ---- a feature's own section ----------------------------------------------------------------

/// What a feature's folder would declare for its `[greeter]` table.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
struct GreeterSettings {
    greeting: String,
    max_per_minute: u32,
    webhook_token: Option<Secret>,
}

impl Default for GreeterSettings {
    fn default() -> Self {
        Self {
            greeting: "Welcome!".to_owned(),
            max_per_minute: 10,
            webhook_token: None,
        }
    }
}

fn greeter() -> ConfigSection {
    ConfigSection::of::<GreeterSettings>("greeter")
}

#[test]
fn a_feature_section_is_read_as_its_own_type() {
    let env = env(&[("AGORA_GREETER__MAX_PER_MINUTE", "3")]);
    let text = "[greeter]\ngreeting = \"Hello\"\n";
    let config = load_text_with(text, &env, &[greeter()]).expect("valid config");
    let settings: GreeterSettings = config
        .section_data(&greeter())
        .extract_lossy()
        .expect("valid section");
    assert_eq!(settings.greeting, "Hello");
    assert_eq!(settings.max_per_minute, 3);

    let config = load_text_with("", &no_env(), &[greeter()]).expect("valid config");
    let settings: GreeterSettings = config
        .section_data(&greeter())
        .extract_lossy()
        .expect("defaults");
    assert_eq!(settings, GreeterSettings::default());
}

#[test]
fn a_feature_section_s_keys_and_values_are_checked_at_load() {
    let text = "[greeter]\ngreting = \"Hello\"\nmax_per_minute = \"lots\"\nwebhook_token = 5\n";
    let env = env(&[("AGORA_GREETER__MAX_PER_MINUT", "3")]);
    let problems = problems_of(load_text_with(text, &env, &[greeter()]));
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "greeter.greting"),
        &[
            "unknown key `greeter.greting`",
            "line 2",
            "(did you mean `greeting`?)",
        ],
    );
    assert_mentions(
        problem_for(&problems, "AGORA_GREETER__MAX_PER_MINUT"),
        &["(did you mean AGORA_GREETER__MAX_PER_MINUTE?)"],
    );
    assert_mentions(
        problem_for(&problems, "greeter.max_per_minute"),
        &["must be a whole number, got \"lots\"", "line 3"],
    );
    let token = problem_for(&problems, "greeter.webhook_token");
    assert_mentions(token, &["must be text in quotes"]);
    // The secret's value is not repeated (the file's path, in parentheses, may hold digits).
    let said = token.message.split(" (").next().unwrap_or_default();
    assert!(!said.contains('5'), "{token:?}");
}

#[test]
fn a_table_no_feature_declares_is_a_problem() {
    let text = "[greeter]\ngreeting = \"Hello\"\n[greter]\ngreeting = \"Hi\"\n";
    let problems = problems_of(load_text(text, &no_env()));
    assert_mentions(
        problem_for(&problems, "greeter"),
        &["unknown table `[greeter]`"],
    );
    let problems = problems_of(load_text_with(text, &no_env(), &[greeter()]));
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "greter"),
        &[
            "unknown table `[greter]`",
            "line 3",
            "(did you mean `[greeter]`?)",
        ],
    );
}

#[test]
fn backup_and_log_size_keys_are_checked() {
    let text = r#"
        [database]
        url = "sqlite::memory:"
        backup_directory = "backups"
        backup_keep = 0
        backup_every_hours = 9000
        backup_evry_hours = 6
        [log]
        max_size_mb = 0.0001
        keep = -1
    "#;
    let problems = problems_of(load_text(text, &no_env()));
    assert_eq!(problems.len(), 6, "{problems:#?}");
    assert_mentions(
        problem_for(&problems, "database.backup_directory"),
        &["in memory", "no file to back up"],
    );
    assert_mentions(
        problem_for(&problems, "database.backup_keep"),
        &["between 1 and 10000, got 0"],
    );
    assert_mentions(
        problem_for(&problems, "database.backup_every_hours"),
        &["between 1 and 8760, got 9000"],
    );
    assert_mentions(
        problem_for(&problems, "database.backup_evry_hours"),
        &["did you mean `backup_every_hours`"],
    );
    assert_mentions(
        problem_for(&problems, "log.max_size_mb"),
        &[
            "0 (no size limit) or between 0.001 and 1048576",
            "got 0.0001",
        ],
    );
    assert_mentions(problem_for(&problems, "log.keep"), &["got -1"]);

    let postgres = env(&[
        ("AGORA_DATABASE__URL", "postgres://agora@db/agora"),
        ("AGORA_DATABASE__BACKUP_DIRECTORY", "/backups"),
    ]);
    let problems = problems_of(Config::load(ConfigSource::Default, &postgres));
    assert_mentions(
        problem_for(&problems, "AGORA_DATABASE__BACKUP_DIRECTORY"),
        &["database.backup_directory", "pg_dump"],
    );

    let fractional = env(&[("AGORA_LOG__MAX_SIZE_MB", "0.5"), ("AGORA_LOG__KEEP", "3")]);
    let config = Config::load(ConfigSource::Default, &fractional).unwrap();
    assert_eq!(config.log.max_size_bytes(), Some(512 * 1024));
    assert_eq!(config.log.keep, 3);
    assert_eq!(Config::default().log.max_size_bytes(), None);
}
