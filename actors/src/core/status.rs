//! `/status` and `!status`: the database, the cache, each shard's gateway connection and
//! latency, uptime, version, each actor's health, and the lines features add
//! ([`crate::kernel::services::Services::add_status_line`]) — measured when asked.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use twilight_interactions::command::{CommandModel, CreateCommand};
use twilight_model::channel::message::Embed;
use twilight_util::builder::embed::{EmbedBuilder, EmbedFieldBuilder};

use crate::gateway::ShardStatus;
use crate::identify::IdentifyStatus;
use crate::kernel::bounded::within;
use crate::kernel::i18n::Locale;
use crate::kernel::services::StatusLine;
use crate::kernel::single_flight::SingleFlight;
use crate::kernel::supervision::HealthSnapshot;
use crate::kernel::Kernel;
use crate::t;

#[derive(CommandModel, CreateCommand)]
#[command(
    name = "status",
    desc = "How Agora is doing: database, cache, gateway, uptime and each actor",
    contexts = "guild"
)]
pub struct StatusCommand;

/// What the process knows about itself: when it started, its version, its shards.
#[derive(Debug)]
pub struct RuntimeInfo {
    pub started: Instant,
    pub version: &'static str,
    pub shards: Vec<(u32, Arc<ShardStatus>)>,
    /// The IDENTIFY gate's count of Discord's session starts.
    pub identify: Arc<IdentifyStatus>,
    /// The database, cache and heartbeat checks of the `/status` in flight, shared by
    /// everyone who asks while they run.
    pub checks: SingleFlight<Checks>,
}

impl RuntimeInfo {
    /// A process started at `started`, of this `version`, with these shards.
    pub fn new(
        started: Instant,
        version: &'static str,
        shards: Vec<(u32, Arc<ShardStatus>)>,
    ) -> Self {
        Self {
            started,
            version,
            shards,
            identify: Arc::default(),
            checks: SingleFlight::new(CHECKS_JOINED_WITHIN),
        }
    }
}

/// How long the checks of one `/status` may be joined by another (longer than they may
/// take: each is bounded to [`CHECK_LIMIT`]).
const CHECKS_JOINED_WITHIN: Duration = Duration::from_secs(3);

/// How long each check may take.
const CHECK_LIMIT: Duration = Duration::from_secs(2);

/// What `/status` measures outside the process: the database, the cache and the bot's
/// processes' heartbeats.
#[derive(Debug, Clone)]
pub struct Checks {
    pub database: Check,
    pub cache: Check,
    pub processes: Vec<ProcessReport>,
}

/// One dependency's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Up {
        detail: String,
        took: Duration,
    },
    Down(String),
    /// No answer within the time `collect` gives it.
    NoAnswer,
}

impl Check {
    pub fn is_up(&self) -> bool {
        matches!(self, Check::Up { .. })
    }

    fn describe(&self, locale: Locale) -> String {
        match self {
            Check::Up { detail, took } => t!(
                locale,
                "status-up",
                detail = detail,
                ms = took.as_millis() as u64
            ),
            Check::Down(reason) => t!(locale, "status-down", reason = reason),
            Check::NoAnswer => t!(
                locale,
                "status-down",
                reason = t!(locale, "status-timed-out")
            ),
        }
    }
}

/// One shard as `/status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardReport {
    pub id: u32,
    pub connected: bool,
    pub latency: Duration,
    pub events: u64,
}

/// Discord's session starts as the IDENTIFY gate counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentifyReport {
    pub remaining: i64,
    pub floor: u64,
    pub held_back: bool,
    pub max_concurrency: u64,
}

/// One process of the bot, from the heartbeat table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessReport {
    pub name: String,
    pub shards: std::ops::Range<u32>,
    pub shard_total: u32,
    pub leader: bool,
    /// Since its last heartbeat.
    pub silent_for: Duration,
}

/// Everything `/status` shows.
#[derive(Debug, Clone)]
pub struct StatusReport {
    pub version: &'static str,
    pub uptime: Duration,
    pub database: Check,
    pub cache: Check,
    pub shards: Vec<ShardReport>,
    pub identify: IdentifyReport,
    /// The bot's processes that beat in the last few minutes (empty when the table could
    /// not be read).
    pub processes: Vec<ProcessReport>,
    pub actors: Vec<HealthSnapshot>,
    /// The features' own lines (the LLM's model and whether it answers, …), in `locale`.
    pub feature_lines: Vec<StatusLine>,
}

/// Asks the database and the cache (each bounded to 2 s; one run shared by every
/// `/status` asked meanwhile, [`RuntimeInfo::checks`]), the features' lines (each bounded
/// to 2 s, all at once; written in `locale`) and reads the rest.
pub async fn collect(kernel: &Kernel, runtime: &RuntimeInfo, locale: Locale) -> StatusReport {
    let feature_lines =
        futures::future::join_all(kernel.services.status_sources().into_iter().map(
            |(name, source)| async move {
                within(CHECK_LIMIT, source(locale))
                    .await
                    .unwrap_or_else(|| StatusLine {
                        title: name.to_owned(),
                        text: t!(locale, "status-timed-out"),
                    })
            },
        ));
    let (checks, feature_lines) =
        futures::join!(runtime.checks.run(|| check(kernel.clone())), feature_lines);
    let Checks {
        database,
        cache,
        processes,
    } = checks;
    StatusReport {
        version: runtime.version,
        uptime: runtime.started.elapsed(),
        database,
        cache,
        shards: runtime
            .shards
            .iter()
            .map(|(id, status)| ShardReport {
                id: *id,
                connected: status.connected.load(Ordering::Relaxed),
                latency: Duration::from_millis(status.latency_ms.load(Ordering::Relaxed)),
                events: status.events.load(Ordering::Relaxed),
            })
            .collect(),
        identify: IdentifyReport {
            remaining: runtime.identify.remaining.load(Ordering::Relaxed),
            floor: runtime.identify.floor.load(Ordering::Relaxed),
            held_back: runtime.identify.held_back.load(Ordering::Relaxed),
            max_concurrency: runtime.identify.max_concurrency.load(Ordering::Relaxed),
        },
        processes,
        actors: kernel.health.snapshot(),
        feature_lines,
    }
}

/// The database, the cache and the heartbeat table, each bounded to [`CHECK_LIMIT`].
async fn check(kernel: Kernel) -> Checks {
    let started = Instant::now();
    let store = kernel.store.clone();
    let database = match within(CHECK_LIMIT, async move { store.ping().await }).await {
        Some(Ok(())) => Check::Up {
            detail: format!("{}", kernel.store.backend()),
            took: started.elapsed(),
        },
        Some(Err(error)) => Check::Down(error.to_string()),
        None => Check::NoAnswer,
    };
    let started = Instant::now();
    let cache = match tokio::time::timeout(CHECK_LIMIT, kernel.cache.ping()).await {
        Ok(Ok(())) => Check::Up {
            detail: format!("{:?}", kernel.cache.backend()).to_lowercase(),
            took: started.elapsed(),
        },
        Ok(Err(error)) => Check::Down(error.to_string()),
        Err(_) => Check::NoAnswer,
    };
    let now = chrono::Utc::now();
    let store = kernel.store.clone();
    let since = now - chrono::Duration::minutes(PROCESSES_SHOWN_MINUTES);
    let processes = match within(
        CHECK_LIMIT,
        async move { store.processes_since(since).await },
    )
    .await
    {
        Some(Ok(processes)) => processes
            .into_iter()
            .map(|process| ProcessReport {
                shards: process.shard_first..process.shard_first + process.shard_count,
                shard_total: process.shard_total,
                leader: process.leader,
                silent_for: (now - process.heartbeat_at).to_std().unwrap_or_default(),
                name: process.name,
            })
            .collect(),
        _ => Vec::new(),
    };
    Checks {
        database,
        cache,
        processes,
    }
}

/// Processes silent for longer than this are left off `/status`.
const PROCESSES_SHOWN_MINUTES: i64 = 5;

/// `3d 4h 5m` / `4h 5m 6s` / `5m 6s` (in English; units as `locale` writes them).
pub fn format_uptime(uptime: Duration, locale: Locale) -> String {
    let secs = uptime.as_secs();
    let (days, hours, minutes, seconds) =
        (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if days > 0 {
        t!(
            locale,
            "status-uptime-days",
            days = days,
            hours = hours,
            minutes = minutes
        )
    } else if hours > 0 {
        t!(
            locale,
            "status-uptime-hours",
            hours = hours,
            minutes = minutes,
            seconds = seconds
        )
    } else {
        t!(
            locale,
            "status-uptime-minutes",
            minutes = minutes,
            seconds = seconds
        )
    }
}

impl StatusReport {
    pub fn healthy(&self) -> bool {
        self.database.is_up()
            && self.cache.is_up()
            && self.shards.iter().all(|s| s.connected)
            && !self.identify.held_back
    }

    fn gateway_lines(&self, locale: Locale) -> String {
        if self.shards.is_empty() {
            return t!(locale, "status-no-shards");
        }
        let identify = if self.identify.held_back {
            t!(
                locale,
                "status-identify-held-back",
                left = self.identify.remaining,
                floor = self.identify.floor
            )
        } else {
            t!(
                locale,
                "status-identify",
                left = self.identify.remaining,
                concurrency = self.identify.max_concurrency
            )
        };
        let shards = self
            .shards
            .iter()
            .map(|shard| {
                if shard.connected && shard.latency.is_zero() {
                    t!(
                        locale,
                        "status-shard-waiting",
                        shard = shard.id,
                        events = shard.events
                    )
                } else if shard.connected {
                    t!(
                        locale,
                        "status-shard-connected",
                        shard = shard.id,
                        ms = shard.latency.as_millis() as u64,
                        events = shard.events
                    )
                } else {
                    t!(locale, "status-shard-disconnected", shard = shard.id)
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        format!("{shards}\n{identify}")
    }

    fn process_lines(&self, locale: Locale) -> String {
        if self.processes.is_empty() {
            return t!(locale, "status-no-processes");
        }
        self.processes
            .iter()
            .map(|process| {
                let silent = process.silent_for > crate::cluster::SILENT_AFTER;
                let (name, first, end) = (
                    process.name.clone(),
                    process.shards.start,
                    process.shards.end,
                );
                let (total, seconds) = (process.shard_total, process.silent_for.as_secs());
                if silent {
                    t!(
                        locale,
                        "status-process-silent",
                        name = name,
                        first = first,
                        end = end,
                        total = total,
                        seconds = seconds
                    )
                } else if process.leader {
                    t!(
                        locale,
                        "status-process-leader",
                        name = name,
                        first = first,
                        end = end,
                        total = total,
                        seconds = seconds
                    )
                } else {
                    t!(
                        locale,
                        "status-process",
                        name = name,
                        first = first,
                        end = end,
                        total = total,
                        seconds = seconds
                    )
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn actor_lines(&self, locale: Locale) -> String {
        self.actors
            .iter()
            .map(|actor| {
                let mark = if actor.restarts == 0 { "✅" } else { "⚠️" };
                let mut line = t!(
                    locale,
                    "status-actor",
                    mark = mark,
                    actor = actor.name,
                    accepted = actor.accepted,
                    in_flight = actor.in_flight,
                    queued = actor.queued,
                    done = actor.done,
                    busy = actor.busy,
                    restarts = actor.restarts
                );
                if let Some(incident) = &actor.last_incident {
                    line.push(' ');
                    line.push_str(&t!(
                        locale,
                        "status-last-incident",
                        incident = incident.to_string()
                    ));
                }
                line
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn title(&self, locale: Locale) -> String {
        if self.healthy() {
            t!(locale, "status-healthy")
        } else {
            t!(locale, "status-degraded")
        }
    }

    /// The `/status` embed.
    pub fn embed(&self, locale: Locale) -> Embed {
        let color = if self.healthy() {
            0x2e_cc_71
        } else {
            0xe6_7e_22
        };
        let field = |key: String, value: String| EmbedFieldBuilder::new(key, value);
        let embed = EmbedBuilder::new()
            .title(self.title(locale))
            .color(color)
            .field(field(t!(locale, "status-field-version"), self.version.to_owned()).inline())
            .field(
                field(
                    t!(locale, "status-field-uptime"),
                    format_uptime(self.uptime, locale),
                )
                .inline(),
            )
            .field(field(
                t!(locale, "status-field-database"),
                self.database.describe(locale),
            ))
            .field(field(
                t!(locale, "status-field-cache"),
                self.cache.describe(locale),
            ))
            .field(field(
                t!(locale, "status-field-gateway"),
                self.gateway_lines(locale),
            ))
            .field(field(
                t!(locale, "status-field-processes"),
                self.process_lines(locale),
            ));
        // Many features make many actors: their lines go in as many fields as Discord's
        // 1,024 characters per field need.
        let embed = field_chunks(&self.actor_lines(locale), 1024)
            .into_iter()
            .fold(embed, |embed, chunk| {
                embed.field(field(t!(locale, "status-field-actors"), chunk))
            });
        self.feature_lines
            .iter()
            .fold(embed, |embed, line| {
                embed.field(field(line.title.clone(), line.text.clone()))
            })
            .build()
    }

    /// The `!status` text.
    pub fn text(&self, locale: Locale) -> String {
        let head = t!(
            locale,
            "status-text-head",
            title = self.title(locale),
            version = self.version,
            uptime = format_uptime(self.uptime, locale)
        );
        let features: String = self
            .feature_lines
            .iter()
            .map(|line| format!("\n{}: {}", line.title, line.text))
            .collect();
        format!(
            "{head}\n{}: {}\n{}: {}\n{}:\n{}\n{}:\n{}\n{}:\n{}{features}",
            t!(locale, "status-field-database"),
            self.database.describe(locale),
            t!(locale, "status-field-cache"),
            self.cache.describe(locale),
            t!(locale, "status-field-gateway"),
            self.gateway_lines(locale),
            t!(locale, "status-field-processes"),
            self.process_lines(locale),
            t!(locale, "status-field-actors"),
            self.actor_lines(locale)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_reads_naturally() {
        let english = Locale::English;
        assert_eq!(format_uptime(Duration::from_secs(65), english), "1m 5s");
        assert_eq!(
            format_uptime(Duration::from_secs(3 * 3600 + 65), english),
            "3h 1m 5s"
        );
        assert_eq!(
            format_uptime(Duration::from_secs(2 * 86_400 + 3600), english),
            "2d 1h 0m"
        );
        assert_eq!(
            format_uptime(Duration::from_secs(2 * 86_400 + 3600), Locale::German),
            "2 T. 1 Std. 0 Min."
        );
    }

    #[test]
    fn a_disconnected_shard_or_a_down_database_is_degraded() {
        let report = StatusReport {
            version: "1.0.0",
            uptime: Duration::from_secs(5),
            database: Check::Down("connection refused".into()),
            cache: Check::Up {
                detail: "memory".into(),
                took: Duration::ZERO,
            },
            shards: vec![ShardReport {
                id: 0,
                connected: true,
                latency: Duration::from_millis(40),
                events: 3,
            }],
            identify: IdentifyReport {
                remaining: 900,
                floor: 20,
                held_back: false,
                max_concurrency: 1,
            },
            processes: vec![ProcessReport {
                name: "pod-0:7".into(),
                shards: 0..2,
                shard_total: 4,
                leader: true,
                silent_for: Duration::from_secs(3),
            }],
            actors: Vec::new(),
            feature_lines: vec![StatusLine {
                title: "LLM".into(),
                text: "sim-small answers".into(),
            }],
        };
        assert!(!report.healthy());
        assert!(
            report
                .text(Locale::English)
                .ends_with("\nLLM: sim-small answers"),
            "a feature's line closes the text"
        );
        let text = report.text(Locale::English);
        assert!(text.contains("not answering: connection refused"), "{text}");
        assert!(
            text.contains(
                "pod-0:7: shards 0..2 of 4, leader (runs the tickers), heartbeat 3 s ago"
            ),
            "{text}"
        );
        assert_eq!(
            report.embed(Locale::English).title.as_deref(),
            Some("Agora is degraded")
        );
        let held_back = StatusReport {
            database: Check::Up {
                detail: "sqlite".into(),
                took: Duration::ZERO,
            },
            identify: IdentifyReport {
                remaining: 20,
                held_back: true,
                ..report.identify.clone()
            },
            ..report.clone()
        };
        assert!(!held_back.healthy(), "IDENTIFYs held back is degraded");
        let text = held_back.text(Locale::English);
        assert!(
            text.contains("IDENTIFY held back: 20 session starts left today, the floor is 20"),
            "{text}"
        );
        let text = report.text(Locale::German);
        assert!(
            text.contains("antwortet nicht: connection refused"),
            "{text}"
        );
        assert!(text.starts_with("**Agora läuft eingeschränkt**"), "{text}");
    }
}

/// `text`'s lines in pieces of at most `max` characters (a longer line is clipped).
fn field_chunks(text: &str, max: usize) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = crate::kernel::reply::clip(line, max);
        match chunks.last_mut() {
            Some(chunk) if chunk.chars().count() + 1 + line.chars().count() <= max => {
                chunk.push('\n');
                chunk.push_str(&line);
            }
            _ => chunks.push(line),
        }
    }
    chunks
}

#[cfg(test)]
mod field_chunk_tests {
    #[test]
    fn long_lists_are_split_into_fields_discord_takes() {
        let text: Vec<String> = (0..40)
            .map(|n| format!("actor {n}: {}", "x".repeat(60)))
            .collect();
        let chunks = super::field_chunks(&text.join("\n"), 1024);
        assert!(chunks.len() > 1);
        assert!(chunks.iter().all(|chunk| chunk.chars().count() <= 1024));
        assert_eq!(chunks.join("\n"), text.join("\n"));
    }
}
