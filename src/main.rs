//! The `agora` binary: the command line, configuration, boot and wiring, ops HTTP.
//!
//! Today it checks configurations (`agora check-config`); `run`, `migrate`,
//! `register-commands` and `sandbox` arrive with the runtime issue as they are built.

// The runtime's commands (run, migrate, sandbox) read the rest of the configuration.
#[allow(dead_code)]
mod config;

use std::path::PathBuf;
use std::process::ExitCode;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let source = match &cli.config {
        Some(path) => ConfigSource::File(path),
        None => ConfigSource::Default,
    };
    match cli.command {
        Command::CheckConfig { for_run, print } => check_config(source, for_run, print),
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
