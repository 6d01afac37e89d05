//! Logging: tracing to stderr, pretty or JSON, and optionally to rotating files
//! (tracing-appender). Secrets never reach a log line: the configuration's `Secret` and
//! `ConnectionUrl` print as `***`, and twilight redacts the token in its own `Debug`.

use std::io::IsTerminal;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use crate::config::{LogConfig, LogFormat, LogRotation};

/// Keeps the file writer flushing; drop it last.
pub struct LogGuard(#[allow(dead_code)] Option<WorkerGuard>);

/// Installs the global subscriber (a second call in one process changes nothing).
pub fn init(log: &LogConfig) -> anyhow::Result<LogGuard> {
    let filter = || EnvFilter::try_new(&log.level);
    let stderr = match log.format {
        LogFormat::Pretty => fmt::layer()
            .with_ansi(std::io::stderr().is_terminal())
            .with_writer(std::io::stderr)
            .with_filter(filter()?)
            .boxed(),
        LogFormat::Json => fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .with_filter(filter()?)
            .boxed(),
    };
    let (file, guard) = match &log.directory {
        Some(directory) => {
            std::fs::create_dir_all(directory)?;
            let rotation = match log.rotation {
                LogRotation::Hourly => Rotation::HOURLY,
                LogRotation::Daily => Rotation::DAILY,
                LogRotation::Never => Rotation::NEVER,
            };
            let appender = RollingFileAppender::builder()
                .rotation(rotation)
                .filename_prefix("agora")
                .filename_suffix("log")
                .build(directory)?;
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = match log.format {
                LogFormat::Pretty => fmt::layer()
                    .with_ansi(false)
                    .with_writer(writer)
                    .with_filter(filter()?)
                    .boxed(),
                LogFormat::Json => fmt::layer()
                    .json()
                    .with_writer(writer)
                    .with_filter(filter()?)
                    .boxed(),
            };
            (Some(layer), Some(guard))
        }
        None => (None, None),
    };
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
    Ok(LogGuard(guard))
}
