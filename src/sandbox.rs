//! `agora sandbox`: agora-sim's demo world in this process, the bot connected to it with
//! a fresh embedded SQLite database, the sim's JSON line first on stdout — so a newcomer
//! can drive the bot through the sim's control API (see the README's curl session).

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use agora_sim::{Sim, SimConfig};

use crate::config::{Config, ConfigProblems, ConfigSource};

/// The environment overrides that point the configuration at the sim.
pub fn sim_overrides(sim: &Sim, database: &std::path::Path) -> HashMap<String, String> {
    let mut env = HashMap::new();
    env.insert("AGORA_DISCORD__TOKEN".into(), sim.token().to_owned());
    env.insert("AGORA_DISCORD__REST_URL".into(), sim.http_url().to_owned());
    env.insert(
        "AGORA_DISCORD__GATEWAY_URL".into(),
        sim.gateway_url().to_owned(),
    );
    env.insert(
        "AGORA_DISCORD__APPLICATION_ID".into(),
        sim.application_id().to_string(),
    );
    if let Some(demo) = sim.demo() {
        env.insert(
            "AGORA_DISCORD__REGISTER_COMMANDS".into(),
            format!("guild:{}", demo.guild_id),
        );
    }
    env.insert(
        "AGORA_DATABASE__URL".into(),
        format!("sqlite://{}", database.display()),
    );
    // The sim's OpenAI-compatible LLM answers the LLM client.
    env.insert("AGORA_LLM__BASE_URL".into(), sim.http_url().to_owned());
    env.insert("AGORA_LLM__API_KEY".into(), sim.llm_api_key().to_owned());
    env.insert(
        "AGORA_LLM__MODEL".into(),
        agora_sim::llm::SIM_MODEL_ID.to_owned(),
    );
    env
}

/// A database file of its own for this sandbox run.
pub fn sandbox_database() -> PathBuf {
    std::env::temp_dir().join(format!("agora-sandbox-{}.db", std::process::id()))
}

/// Removes a SQLite database file and its WAL and shared-memory files.
pub fn remove_database(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let _ = std::fs::remove_file(file);
    }
}

/// Runs the sandbox until SIGINT/SIGTERM. Returns the process exit code.
pub fn run(source: ConfigSource<'_>) -> u8 {
    let system = crate::actor_system();
    system.block_on(async {
        let sim = match Sim::start(SimConfig::demo()).await {
            Ok(sim) => sim,
            Err(error) => {
                eprintln!("Could not start agora-sim: {error:#}");
                return 1;
            }
        };
        let mut stdout = std::io::stdout();
        let _ = writeln!(stdout, "{}", sim.ready_line());
        let _ = stdout.flush();
        let database = sandbox_database();
        let mut env: HashMap<String, String> = std::env::vars().collect();
        env.extend(sim_overrides(&sim, &database));
        let config =
            match Config::load_with_sections(source, &env, &crate::boot::config_sections(&[])) {
                Ok(config) => config,
                Err(problems) => {
                    eprintln!(
                        "The configuration has {} problem(s):\n{problems}",
                        problems.0.len()
                    );
                    return ConfigProblems::EXIT_CODE;
                }
            };
        let _log = match crate::telemetry::init(&config.log) {
            Ok(guard) => guard,
            Err(error) => {
                eprintln!("Could not set up logging: {error:#}");
                return 1;
            }
        };
        let agora =
            match crate::boot::Agora::start(&config, crate::boot::BootOptions::default()).await {
                Ok(agora) => agora,
                Err(error) => {
                    eprintln!("Agora could not start: {error:#}");
                    remove_database(&database);
                    return 1;
                }
            };
        eprintln!(
            "Agora is running against agora-sim. Control API: {} — Ctrl-C stops both.",
            sim.control_url()
        );
        crate::shutdown_signal().await;
        agora.shutdown().await;
        remove_database(&database);
        0
    })
}
