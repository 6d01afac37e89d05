//! The `agora` binary: the command line. `agora run` (the default) runs the bot until
//! SIGTERM/SIGINT; `migrate`, `register-commands`, `check-config`, `backup`, `restore` and
//! `sandbox` do one job each. The wiring lives in the library (`agora::boot`).

use std::path::PathBuf;
use std::process::ExitCode;

use agora::boot::{config_sections, Agora, BootOptions};
use agora::config::{Config, ConfigProblems, ConfigSource};
use agora_actors::kernel::discord::DiscordRest;
use agora_actors::kernel::store::{Store, StoreOptions};
use clap::{Parser, Subcommand};

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
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot until SIGTERM or SIGINT (the default).
    Run {
        /// When another process runs this one's shards (PostgreSQL), wait and take over
        /// when it stops, instead of refusing to start.
        #[arg(long)]
        standby: bool,
    },
    /// Run the bot against agora-sim's demo world, in this process, with a fresh SQLite
    /// database; the first line on stdout is the sim's JSON (its URLs and ids).
    Sandbox,
    /// Bulk-overwrite the slash commands, globally or in one guild.
    RegisterCommands {
        /// Register in this guild only (changes show at once).
        #[arg(long)]
        guild: Option<u64>,
    },
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
    /// Snapshot the SQLite database into `database.backup_directory` now (safe while the
    /// bot runs), keeping the newest `database.backup_keep`. PostgreSQL: use pg_dump.
    Backup {
        /// Write into this directory instead of `database.backup_directory`.
        #[arg(long)]
        directory: Option<PathBuf>,
    },
    /// Put a backup in place of the SQLite database, keeping a copy of the one it replaces.
    /// Refused while Agora runs on the database. PostgreSQL: use pg_restore.
    Restore {
        /// The backup file (a `.db` that `agora backup` wrote).
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source = match &cli.config {
        Some(path) => ConfigSource::File(path),
        None => ConfigSource::Default,
    };
    match cli.command.unwrap_or(Command::Run { standby: false }) {
        Command::Run { standby } => run(source, standby),
        Command::Sandbox => ExitCode::from(agora::sandbox::run(source)),
        Command::RegisterCommands { guild } => register_commands(source, guild),
        Command::CheckConfig { for_run, print } => check_config(source, for_run, print),
        Command::Migrate => migrate(source),
        Command::Backup { directory } => backup(source, directory),
        Command::Restore { file } => restore(source, &file),
    }
}

/// Loads the configuration with what `run` needs, or says what is wrong.
fn load_for_run(source: ConfigSource<'_>) -> Result<Config, ExitCode> {
    let report = |problems: ConfigProblems| {
        eprintln!(
            "The configuration has {} problem(s):\n{problems}",
            problems.0.len()
        );
        ExitCode::from(ConfigProblems::EXIT_CODE)
    };
    let config = Config::load_from_process_env(source, &config_sections(&[])).map_err(report)?;
    config.validate_for_run().map_err(report)?;
    Ok(config)
}

fn run(source: ConfigSource<'_>, standby: bool) -> ExitCode {
    let config = match load_for_run(source) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let _log = match agora::telemetry::init(&config.log) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("Could not set up logging: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    agora::actor_system().block_on(async {
        let options = BootOptions {
            standby,
            ..BootOptions::default()
        };
        let mut agora = match Agora::start(&config, options).await {
            Ok(agora) => agora,
            Err(error) => {
                tracing::error!("Agora could not start: {error:#}");
                eprintln!("Agora could not start: {error:#}");
                return ExitCode::FAILURE;
            }
        };
        let fenced_out = tokio::select! {
            () = agora::shutdown_signal() => None,
            reason = agora.fence_lost() => Some(reason),
        };
        agora.shutdown().await;
        match fenced_out {
            None => ExitCode::SUCCESS,
            Some(reason) => {
                eprintln!("Agora stopped: {reason}");
                ExitCode::FAILURE
            }
        }
    })
}

/// A single-threaded runtime for the commands that do one job and exit.
fn one_shot_runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("Could not start the async runtime: {error}");
            ExitCode::FAILURE
        })
}

fn register_commands(source: ConfigSource<'_>, guild: Option<u64>) -> ExitCode {
    let config = match load_for_run(source) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match one_shot_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let token = config
        .discord_token()
        .map(|t| t.expose().to_owned())
        .unwrap_or_default();
    let rest_url = config
        .discord
        .rest_url
        .as_ref()
        .map(|u| u.as_str().to_owned());
    let commands = match agora::boot::catalogue(&config) {
        Ok(catalogue) => catalogue.slash_commands(),
        Err(error) => {
            eprintln!("{error:#}");
            return ExitCode::from(ConfigProblems::EXIT_CODE);
        }
    };
    let guild_id = guild.and_then(twilight_model::id::Id::new_checked);
    let result = runtime.block_on(async {
        let discord =
            DiscordRest::connect(&token, rest_url.as_deref(), config.discord.application_id)
                .await?;
        discord.register_commands(guild_id, &commands).await
    });
    match (result, guild) {
        (Ok(count), Some(guild)) => {
            println!("Registered {count} slash commands in guild {guild}.");
            ExitCode::SUCCESS
        }
        (Ok(count), None) => {
            println!("Registered {count} slash commands globally.");
            ExitCode::SUCCESS
        }
        (Err(error), _) => {
            eprintln!("Could not register the slash commands: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Loads the configuration without the checks only `run` needs, or says what is wrong.
fn load(source: ConfigSource<'_>) -> Result<Config, ExitCode> {
    Config::load_from_process_env(source, &config_sections(&[])).map_err(|problems| {
        eprintln!(
            "The configuration has {} problem(s):\n{problems}",
            problems.0.len()
        );
        ExitCode::from(ConfigProblems::EXIT_CODE)
    })
}

fn backup(source: ConfigSource<'_>, directory: Option<PathBuf>) -> ExitCode {
    let config = match load(source) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let taken = agora::backup::sqlite_file(&config.database).and_then(|database| {
        let directory = directory
            .or_else(|| config.database.backup_directory.clone())
            .ok_or(agora::backup::BackupError::NoDirectory)?;
        let keep = config.database.backup_keep.max(1) as usize;
        agora::backup::take_backup(&database, &directory, keep, chrono::Utc::now())
    });
    match taken {
        Ok(snapshot) => {
            println!(
                "Backed up to {} ({} bytes in {} ms).",
                snapshot.path.display(),
                snapshot.bytes,
                snapshot.took.as_millis()
            );
            for removed in &snapshot.removed {
                println!("Removed the older backup {}.", removed.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("No backup: {error}");
            ExitCode::FAILURE
        }
    }
}

fn restore(source: ConfigSource<'_>, file: &std::path::Path) -> ExitCode {
    use agora::backup::{BackupError, RestoreError};

    let config = match load(source) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let database = match agora::backup::sqlite_file(&config.database) {
        Ok(database) => database,
        Err(error) => {
            let refusal = match error {
                BackupError::Postgres => RestoreError::Postgres.to_string(),
                BackupError::InMemory(url) => RestoreError::InMemory(url).to_string(),
                other => other.to_string(),
            };
            eprintln!("Not restored: {refusal}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match one_shot_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let known = match runtime.block_on(agora::backup::known_migration_versions(
        &agora_actors::built_in_migrations(),
    )) {
        Ok(known) => known,
        Err(error) => {
            eprintln!("Not restored: could not list this build's migrations: {error:#}");
            return ExitCode::FAILURE;
        }
    };
    match agora::backup::restore(&database, file, &known, chrono::Utc::now()) {
        Ok(restored) => {
            println!("Restored {} into {}.", file.display(), database.display());
            match restored.previous {
                Some(previous) => println!(
                    "The database it replaced is kept as {}.",
                    previous.display()
                ),
                None => println!("There was no database to replace."),
            }
            println!("Start Agora: it applies any migration the backup lacks.");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("Not restored: {error}");
            ExitCode::FAILURE
        }
    }
}

fn migrate(source: ConfigSource<'_>) -> ExitCode {
    let config = match load(source) {
        Ok(config) => config,
        Err(code) => return code,
    };
    let runtime = match one_shot_runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let options = StoreOptions {
        max_connections: config.database.max_connections,
        ..StoreOptions::default()
    };
    let url = config.database.connection_url();
    let result = runtime.block_on(async {
        let store = Store::connect(url.expose(), options).await?;
        let applied = store
            .migrate_with(&agora_actors::built_in_migrations())
            .await;
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
    let config = match Config::load_from_process_env(source, &config_sections(&[])) {
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
