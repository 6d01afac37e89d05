//! Logging: tracing to stderr, pretty or JSON, and optionally to files in `log.directory`,
//! started anew every hour or day (`log.rotation`) and, with `log.max_size_mb`, whenever
//! one reaches that size ([`SizeRotatingFile`]); `log.keep` old files are kept. Secrets
//! never reach a log line: the configuration's `Secret` and `ConnectionUrl` print as
//! `***`, and twilight redacts the token in its own `Debug`.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

use crate::config::{LogConfig, LogFormat, LogRotation};

/// The log files' names: `agora.log`, and `agora.<time>.log` once closed.
const FILE_PREFIX: &str = "agora";

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
            let (writer, guard) = tracing_appender::non_blocking(file_writer(log, directory)?);
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

/// The writer of the log files: by size (and time) when `log.max_size_mb` is set, else by
/// time alone (tracing-appender, `agora.<date>.log`).
fn file_writer(log: &LogConfig, directory: &Path) -> anyhow::Result<Box<dyn Write + Send>> {
    fs::create_dir_all(directory)?;
    if let Some(max_bytes) = log.max_size_bytes() {
        let file = SizeRotatingFile::open(directory, max_bytes, log.keep as usize, log.rotation)?;
        return Ok(Box::new(file));
    }
    let rotation = match log.rotation {
        LogRotation::Hourly => Rotation::HOURLY,
        LogRotation::Daily => Rotation::DAILY,
        LogRotation::Never => Rotation::NEVER,
    };
    let mut builder = RollingFileAppender::builder()
        .rotation(rotation)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix("log");
    if log.keep > 0 {
        // tracing-appender counts the file being written too.
        builder = builder.max_log_files(log.keep as usize + 1);
    }
    Ok(Box::new(builder.build(directory)?))
}

/// How a closed file's time is written in its name: sortable, unique to the millisecond.
const CLOSED_STAMP: &str = "%Y-%m-%dT%H-%M-%S%.3fZ";

/// `agora.log` in a directory, closed (renamed `agora.<UTC time>.log`) before a write would
/// take it past `max_bytes`, and at each new hour or day when `rotation` says so; only the
/// newest `keep` closed files stay (all when 0). A line is never split across two files.
#[derive(Debug)]
pub struct SizeRotatingFile {
    directory: PathBuf,
    max_bytes: u64,
    keep: usize,
    rotation: LogRotation,
    file: fs::File,
    written: u64,
    /// The hour or day the open file belongs to.
    period: String,
}

impl SizeRotatingFile {
    /// Opens (appending to) `agora.log` in `directory`.
    pub fn open(
        directory: &Path,
        max_bytes: u64,
        keep: usize,
        rotation: LogRotation,
    ) -> io::Result<SizeRotatingFile> {
        fs::create_dir_all(directory)?;
        let path = directory.join(format!("{FILE_PREFIX}.log"));
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        let metadata = file.metadata()?;
        let opened_at: DateTime<Utc> = metadata.modified().map_or_else(|_| Utc::now(), Into::into);
        Ok(SizeRotatingFile {
            directory: directory.to_owned(),
            max_bytes: max_bytes.max(1),
            keep,
            rotation,
            file,
            written: metadata.len(),
            period: period_of(rotation, opened_at),
        })
    }

    fn live_path(&self) -> PathBuf {
        self.directory.join(format!("{FILE_PREFIX}.log"))
    }

    /// Closes the open file under its time and opens a new one; removes the oldest
    /// closed files beyond `keep`.
    fn rotate(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        self.file.flush()?;
        // Later than every closed file, so the names sort in the order the files closed.
        let mut at = closed_files(&self.directory)
            .last()
            .and_then(|newest| stamp_of(newest))
            .map_or(now, |newest| {
                now.max(newest + chrono::Duration::milliseconds(1))
            });
        let closed = loop {
            let name = format!("{FILE_PREFIX}.{}.log", at.format(CLOSED_STAMP));
            let path = self.directory.join(name);
            if !path.exists() {
                break path;
            }
            at += chrono::Duration::milliseconds(1);
        };
        fs::rename(self.live_path(), &closed)?;
        self.file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.live_path())?;
        self.written = 0;
        self.period = period_of(self.rotation, now);
        if self.keep > 0 {
            let files = closed_files(&self.directory);
            for old in files.iter().take(files.len().saturating_sub(self.keep)) {
                let _ = fs::remove_file(old);
            }
        }
        Ok(())
    }
}

impl Write for SizeRotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let now = Utc::now();
        let too_big = self.written > 0 && self.written + buf.len() as u64 > self.max_bytes;
        let new_period = period_of(self.rotation, now) != self.period;
        if too_big || (new_period && self.written > 0) {
            // A file that cannot be renamed is written on: a log line beats silence, and
            // the next write tries again.
            let _ = self.rotate(now);
        }
        let written = self.file.write(buf)?;
        self.written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// The hour or day `at` falls in, as `rotation` counts them ("" when it never rotates).
fn period_of(rotation: LogRotation, at: DateTime<Utc>) -> String {
    match rotation {
        LogRotation::Hourly => at.format("%Y-%m-%dT%H").to_string(),
        LogRotation::Daily => at.format("%Y-%m-%d").to_string(),
        LogRotation::Never => String::new(),
    }
}

/// When a closed log file (`agora.<time>.log`) was closed, read from its name.
fn stamp_of(path: &Path) -> Option<DateTime<Utc>> {
    let name = path.file_name()?.to_str()?;
    let stamp = name
        .strip_prefix(FILE_PREFIX)?
        .strip_prefix('.')?
        .strip_suffix(".log")?;
    Some(
        NaiveDateTime::parse_from_str(stamp, CLOSED_STAMP)
            .ok()?
            .and_utc(),
    )
}

/// The closed log files in `directory` (`agora.<time>.log`), oldest first.
pub fn closed_files(directory: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(directory) else {
        return Vec::new();
    };
    let mut files: Vec<(DateTime<Utc>, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| Some((stamp_of(&entry.path())?, entry.path())))
        .collect();
    files.sort();
    files.into_iter().map(|(_, path)| path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(number: usize) -> Vec<u8> {
        format!("{number:04} {}\n", "x".repeat(94)).into_bytes()
    }

    #[test]
    fn a_file_is_closed_before_it_passes_the_size_and_only_keep_stay() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = SizeRotatingFile::open(dir.path(), 1000, 3, LogRotation::Never).unwrap();
        for number in 0..100 {
            file.write_all(&line(number)).unwrap();
        }
        file.flush().unwrap();
        let closed = closed_files(dir.path());
        assert_eq!(closed.len(), 3, "{closed:?}");
        for path in closed.iter().chain([&dir.path().join("agora.log")]) {
            let text = fs::read_to_string(path).unwrap();
            assert!(text.len() <= 1000, "{path:?} holds {} bytes", text.len());
            assert!(text.ends_with('\n'), "a line is never split");
        }
        // Ten lines of 100 bytes a file: the newest three closed files and the live one
        // hold the last 40 lines in order.
        let kept: String = closed
            .iter()
            .chain([&dir.path().join("agora.log")])
            .map(|path| fs::read_to_string(path).unwrap())
            .collect();
        let numbers: Vec<usize> = kept.lines().map(|l| l[..4].parse().unwrap()).collect();
        assert_eq!(numbers, (60..100).collect::<Vec<_>>());
    }

    #[test]
    fn a_restart_appends_and_counts_what_the_file_holds() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = SizeRotatingFile::open(dir.path(), 250, 0, LogRotation::Daily).unwrap();
        file.write_all(&line(1)).unwrap();
        drop(file);
        let mut file = SizeRotatingFile::open(dir.path(), 250, 0, LogRotation::Daily).unwrap();
        file.write_all(&line(2)).unwrap();
        assert!(closed_files(dir.path()).is_empty());
        file.write_all(&line(3)).unwrap();
        assert_eq!(
            closed_files(dir.path()).len(),
            1,
            "the third line passes 250 bytes"
        );
        let live = fs::read_to_string(dir.path().join("agora.log")).unwrap();
        assert!(live.starts_with("0003"), "{live}");
    }

    #[test]
    fn a_new_day_starts_a_new_file() {
        let yesterday = DateTime::parse_from_rfc3339("2026-12-03T23:59:59Z")
            .unwrap()
            .with_timezone(&Utc);
        let today = yesterday + chrono::Duration::seconds(2);
        assert_ne!(
            period_of(LogRotation::Daily, yesterday),
            period_of(LogRotation::Daily, today)
        );
        assert_eq!(
            period_of(LogRotation::Never, yesterday),
            period_of(LogRotation::Never, today)
        );
        let dir = tempfile::tempdir().unwrap();
        let mut file = SizeRotatingFile::open(dir.path(), 1 << 20, 0, LogRotation::Daily).unwrap();
        file.write_all(&line(1)).unwrap();
        file.period = period_of(LogRotation::Daily, yesterday);
        file.write_all(&line(2)).unwrap();
        assert_eq!(closed_files(dir.path()).len(), 1);
    }
}
