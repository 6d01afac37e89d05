//! The `agora` binary: the command line, configuration, boot and wiring, ops HTTP.
//!
//! Today it checks configurations (`agora check-config`) and migrates the database
//! (`agora migrate`); `run`, `register-commands` and `sandbox` arrive with the runtime
//! issue as they are built.

// The runtime's commands (run, migrate, sandbox) read the rest of the configuration.
#[allow(dead_code)]
mod config;

use std::path::PathBuf;
use std::process::ExitCode;

use agora_actors::kernel::store::{Store, StoreOptions};
use clap::{Parser, Subcommand};

use crate::config::{Config, ConfigProblems, ConfigSource};

#[derive(Parser)]
#[command(
    name = "agora",
    version,
    about = "A Discord bot runtime for the people who run communities"
)]
struct Cli {
    /// The configuration file (default: config.toml, built-in defaults when it is missing).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check the configuration (file and AGORA_* environment) and report every problem.
    CheckConfig {
        /// Also require what `agora run` needs (the bot token).
        #[arg(long)]
        for_run: bool,
        /// Print the effective configuration, secrets shown as ***.
        #[arg(long)]
        print: bool,
    },
    /// Create or update the database schema (SQLite or PostgreSQL, from `[database] url`).
    Migrate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source = match &cli.config {
        Some(path) => ConfigSource::File(path),
        None => ConfigSource::Default,
    };
    match cli.command {
        Command::CheckConfig { for_run, print } => check_config(source, for_run, print),
        Command::Migrate => migrate(source),
    }
}

fn migrate(source: ConfigSource<'_>) -> ExitCode {
    let config = match Config::load_from_process_env(source) {
        Ok(config) => config,
        Err(problems) => {
            eprintln!(
                "The configuration has {} problem(s):\n{problems}",
                problems.0.len()
            );
            return ExitCode::from(ConfigProblems::EXIT_CODE);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("Could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let options = StoreOptions {
        max_connections: config.database.max_connections,
        ..StoreOptions::default()
    };
    let url = config.database.connection_url();
    let result = runtime.block_on(async {
        let store = Store::connect(url.expose(), options).await?;
        let applied = store.migrate().await;
        store.close();
        applied.map(|applied| (store.redacted_url().to_string(), applied))
    });
    match result {
        Ok((database, applied)) if applied.is_empty() => {
            println!("{database}: the schema is up to date.");
            ExitCode::SUCCESS
        }
        Ok((database, applied)) => {
            println!("{database}: applied {}", applied.join(", "));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("Could not migrate the database: {error}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(source: ConfigSource<'_>, for_run: bool, print: bool) -> ExitCode {
    let report = |problems: ConfigProblems| {
        eprintln!("The configuration has {} problem(s):", problems.0.len());
        eprintln!("{problems}");
        ExitCode::from(ConfigProblems::EXIT_CODE)
    };
    let config = match Config::load_from_process_env(source) {
        Ok(config) => config,
        Err(problems) => return report(problems),
    };
    if for_run {
        if let Err(problems) = config.validate_for_run() {
            return report(problems);
        }
    }
    if print {
        println!("{}", config.to_redacted_toml());
    }
    eprintln!("The configuration is valid.");
    ExitCode::SUCCESS
}
