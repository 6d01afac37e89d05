//! `/stats recalculate months`: every tracked channel's counts rebuilt from Discord's
//! message history (`GET /channels/{id}/messages?before=`, 100 a page, newest first, back
//! to `months` ago), at most `recalculate_pages_per_second` pages a second and within
//! Discord's buckets (twilight waits on them), the reply edited with the progress (channels
//! done, messages read, an ETA) every two seconds.
//!
//! One per guild at a time (the store's row is the arbiter). Its progress — the channel
//! being read, the page reached, that channel's counts so far — is stored after every page,
//! so a restart resumes where it was, counting nothing twice: a channel's history counts
//! are written whole (`counts::write_history`), and messages newer than the channel's
//! anchor (the moment its reading began) are the live count's.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use twilight_model::id::marker::{ChannelMarker, GuildMarker, MessageMarker};
use twilight_model::id::Id;

use super::counts::{self, day_field, LAST};
use super::store::Recalculation;
use super::tally::{day_of, snowflake_at, snowflake_ms};
use super::{cache_trouble, private, Shared, TEXTS};
use crate::dispatcher::InteractionRequest;
use crate::kernel::discord::send;
use crate::kernel::i18n::Locale;
use crate::kernel::reply::{Reply, ReplyMessage};
use crate::t;

/// Messages per page (Discord's most).
const PAGE: u16 = 100;
/// How often the progress is shown.
const PROGRESS_EVERY: Duration = Duration::from_secs(2);
/// How long an interaction's token takes edits, kept short of Discord's 15 minutes.
const TOKEN_LIFETIME: chrono::Duration = chrono::Duration::minutes(14);
/// The lease a running recalculation holds in the cache, renewed every page, so one
/// process runs it.
const LEASE: Duration = Duration::from_secs(30);
/// How often running recalculations without a runner are looked for.
const RESUME_EVERY: Duration = Duration::from_secs(10);
/// The token a text command's request carries (it has no interaction to edit).
const TEXT_FORM_TOKEN: &str = "text-form";

fn lease_key(guild: Id<GuildMarker>) -> String {
    format!("recalculation:{guild}")
}

pub async fn start(
    shared: &Arc<Shared>,
    request: &InteractionRequest,
    guild: Id<GuildMarker>,
    months: i64,
) -> Reply {
    let locale = request.language();
    if !(1..=super::commands::MAX_MONTHS).contains(&months) {
        return private(t!(
            locale,
            "stats-months-out-of-range",
            months = months,
            max = super::commands::MAX_MONTHS
        ));
    }
    let store = &shared.kernel.store;
    let tracked = match store.stats_channels(guild).await {
        Ok(tracked) => tracked,
        Err(error) => return TEXTS.database_trouble(locale, &error),
    };
    if tracked.is_empty() {
        return private(t!(locale, "stats-recalculate-nothing"));
    }
    let now = shared.kernel.clock.now();
    let cutoff = now
        .checked_sub_months(chrono::Months::new(months as u32))
        .unwrap_or(now);
    let token = request.interaction.token.clone();
    let from_text = token == TEXT_FORM_TOKEN;
    let Some(reply_channel) = request.channel_id else {
        return private(t!(locale, "stats-stale"));
    };
    let job = Recalculation {
        guild,
        status: "running".to_owned(),
        months: months as i32,
        started_at: now,
        started_by: request.user_id,
        cutoff_ms: cutoff.timestamp_millis(),
        pending: tracked.iter().map(|channel| channel.id.get()).collect(),
        channels_total: tracked.len() as i32,
        channels_done: 0,
        messages_read: 0,
        anchor: 0,
        cursor: 0,
        partial: BTreeMap::new(),
        reply_token: (!from_text).then_some(token),
        reply_until: (!from_text).then(|| now + TOKEN_LIFETIME),
        reply_channel,
        reply_message: None,
        locale: locale.tag().to_owned(),
    };
    // The lease first: a recalculation finished a moment ago may still hold it.
    match store.stats_start_recalculation(&job).await {
        Ok(true) => {}
        Ok(false) => {
            return match store.stats_recalculation(guild).await {
                Ok(Some(running)) => private(t!(
                    locale,
                    "stats-recalculate-running",
                    by = format!("<@{}>", running.started_by),
                    progress = progress_text(locale, &running, None)
                )),
                Ok(None) => private(t!(locale, "stats-recalculate-running-unknown")),
                Err(error) => TEXTS.database_trouble(locale, &error),
            }
        }
        Err(error) => return TEXTS.database_trouble(locale, &error),
    }
    if let Err(error) = shared
        .kernel
        .cache
        .set(&lease_key(guild), b"1", Some(LEASE))
        .await
    {
        return cache_trouble(locale, &error);
    }
    spawn_run(shared, job.clone());
    let text = t!(
        locale,
        "stats-recalculate-started",
        channels = job.channels_total,
        months = months
    );
    private(format!("{text}\n{}", progress_text(locale, &job, None)))
}

fn spawn_run(shared: &Arc<Shared>, job: Recalculation) {
    if !shared.recalculating.lock().insert(job.guild) {
        return;
    }
    let task_shared = shared.clone();
    shared.main.spawn(async move {
        let guild = job.guild;
        run(&task_shared, job).await;
        task_shared.recalculating.lock().remove(&guild);
    });
}

/// Resumes, now and every 10 s, the recalculations that run nowhere (their process
/// stopped): one process takes each, by the cache lease.
pub fn resume_all(shared: &Arc<Shared>) {
    let weak = Arc::downgrade(shared);
    shared.main.spawn(async move {
        loop {
            let Some(shared) = weak.upgrade() else {
                return;
            };
            if shared.is_stopping() {
                return;
            }
            match shared.kernel.store.stats_running_recalculations().await {
                Ok(jobs) => {
                    for job in jobs {
                        if shared.recalculating.lock().contains(&job.guild) {
                            continue;
                        }
                        let leased = shared
                            .kernel
                            .cache
                            .set_if_absent(&lease_key(job.guild), b"1", Some(LEASE))
                            .await;
                        if leased.unwrap_or(false) {
                            tracing::info!(guild = job.guild.get(), "resuming a recalculation");
                            spawn_run(&shared, job);
                        }
                    }
                }
                Err(error) => {
                    tracing::debug!(%error, "could not look for recalculations to resume")
                }
            }
            drop(shared);
            tokio::time::sleep(RESUME_EVERY).await;
        }
    });
}

/// Waits (up to a few seconds) until this process's recalculations stopped at a page's
/// end.
pub async fn wait_stopped(shared: &Shared) {
    for _ in 0..200 {
        if shared.recalculating.lock().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Why a recalculation stopped before its end.
enum Stop {
    /// The process is stopping: resumed on the next start.
    Stopping,
    /// It cannot go on (the store or the cache failed, Discord refused repeatedly).
    Failed(String),
}

/// Runs (or resumes) a recalculation to its end.
async fn run(shared: &Arc<Shared>, mut job: Recalculation) {
    let locale = Locale::from_tag(&job.locale).unwrap_or(Locale::English);
    let mut progress = Progress::new(&job);
    let outcome = read_all(shared, &mut job, &mut progress, locale).await;
    match outcome {
        Ok(()) => {
            job.status = "done".to_owned();
            if let Err(error) = shared.kernel.store.stats_save_recalculation(&job).await {
                tracing::error!(%error, "could not record a finished recalculation");
            }
            let _ = super::flush(shared).await;
            if let Ok(settings) = shared.settings(job.guild).await {
                if let Err(problem) =
                    super::rankings::refresh_guild(shared, job.guild, settings).await
                {
                    tracing::warn!(%problem, "could not refresh the rankings after a recalculation");
                }
            }
            let text = t!(
                locale,
                "stats-recalculate-done",
                channels = job.channels_done,
                messages = job.messages_read,
                seconds = progress.started.elapsed().as_secs()
            );
            report(shared, &mut job, text).await;
        }
        Err(Stop::Failed(problem)) if !shared.is_stopping() => {
            tracing::warn!(guild = job.guild.get(), %problem, "a recalculation failed");
            job.status = "failed".to_owned();
            let _ = shared.kernel.store.stats_save_recalculation(&job).await;
            if let Some(channel) = job.pending.first() {
                shared
                    .tally
                    .lock()
                    .ignore_before(job.guild.get(), *channel, 0);
            }
            let text = t!(locale, "stats-recalculate-failed", problem = problem);
            report(shared, &mut job, text).await;
        }
        Err(_) => {
            tracing::info!(
                guild = job.guild.get(),
                "a recalculation pauses until the next start"
            );
        }
    }
    let _ = shared.kernel.cache.delete(&lease_key(job.guild)).await;
}

async fn read_all(
    shared: &Arc<Shared>,
    job: &mut Recalculation,
    progress: &mut Progress,
    locale: Locale,
) -> Result<(), Stop> {
    let guild = job.guild;
    let pause =
        Duration::from_secs_f64(1.0 / f64::from(shared.config.recalculate_pages_per_second.max(1)));
    let mut next_page = tokio::time::Instant::now();
    while let Some(&channel) = job.pending.first() {
        if job.anchor == 0 {
            begin_channel(shared, job, channel).await?;
        } else {
            // Resumed: the live count leaves this channel's older messages alone again.
            shared
                .tally
                .lock()
                .ignore_before(guild.get(), channel, job.anchor);
        }
        loop {
            if shared.is_stopping() {
                return Err(Stop::Stopping);
            }
            tokio::time::sleep_until(next_page).await;
            next_page = tokio::time::Instant::now() + pause;
            let before = if job.cursor == 0 {
                job.anchor
            } else {
                job.cursor
            };
            let page = match read_page(shared, channel, before).await {
                Ok(Some(page)) => page,
                // The channel is gone or hidden from the bot: nothing to read there.
                Ok(None) => Vec::new(),
                Err(problem) => return Err(Stop::Failed(problem)),
            };
            let mut finished = page.len() < usize::from(PAGE);
            for (id, bot) in &page {
                let at = snowflake_ms(*id);
                if at < job.cutoff_ms {
                    finished = true;
                    break;
                }
                job.messages_read += 1;
                if *bot {
                    continue;
                }
                *job.partial.entry("total".to_owned()).or_insert(0) += 1;
                *job.partial.entry(day_field(day_of(at))).or_insert(0) += 1;
                let last = job.partial.entry(LAST.to_owned()).or_insert(0);
                *last = (*last).max(at);
            }
            if let Some(oldest) = page.iter().map(|(id, _)| *id).min() {
                job.cursor = oldest;
            }
            if finished {
                let window_start = shared.today() - shared.config.window_days.max(7) + 1;
                job.partial.retain(|field, _| {
                    field
                        .strip_prefix('d')
                        .and_then(|day| day.parse::<i64>().ok())
                        .is_none_or(|day| day >= window_start)
                });
                shared
                    .kernel
                    .store
                    .stats_save_history(guild, channel, &job.partial)
                    .await
                    .map_err(|error| Stop::Failed(error.to_string()))?;
                counts::write_history(&shared.counts, guild.get(), channel, &job.partial)
                    .await
                    .map_err(|error| Stop::Failed(error.to_string()))?;
                shared.tally.lock().ignore_before(guild.get(), channel, 0);
                job.pending.remove(0);
                job.channels_done += 1;
                job.anchor = 0;
                job.cursor = 0;
                job.partial.clear();
            }
            shared
                .kernel
                .store
                .stats_save_recalculation(job)
                .await
                .map_err(|error| Stop::Failed(error.to_string()))?;
            let _ = shared
                .kernel
                .cache
                .set(&lease_key(guild), b"1", Some(LEASE))
                .await;
            if progress.last_shown.elapsed() >= PROGRESS_EVERY {
                progress.last_shown = Instant::now();
                let text = progress_text(locale, job, Some(&*progress));
                report(shared, job, text).await;
            }
            if finished {
                break;
            }
        }
    }
    Ok(())
}

/// Starts reading a channel: from now on its live count takes only newer messages, and
/// what was counted of it so far is forgotten (the history has it).
async fn begin_channel(shared: &Shared, job: &mut Recalculation, channel: u64) -> Result<(), Stop> {
    let anchor = {
        // No flush of older counts may land after the clear.
        let _flushing = shared.flushing.lock().await;
        let anchor = snowflake_at(shared.kernel.clock.now().timestamp_millis());
        shared
            .tally
            .lock()
            .ignore_before(job.guild.get(), channel, anchor);
        shared
            .kernel
            .store
            .stats_forget_history(job.guild, channel)
            .await
            .map_err(|error| Stop::Failed(error.to_string()))?;
        counts::clear(&shared.counts, job.guild.get(), channel)
            .await
            .map_err(|error| Stop::Failed(error.to_string()))?;
        anchor
    };
    job.anchor = anchor;
    job.cursor = 0;
    job.partial.clear();
    shared
        .kernel
        .store
        .stats_save_recalculation(job)
        .await
        .map_err(|error| Stop::Failed(error.to_string()))
}

/// One page of a channel's history before `before`: each message's id and whether a bot
/// or webhook wrote it; `None` when the channel is gone or the bot may not read it.
/// Transient failures are tried again (five times, waiting longer each time).
async fn read_page(
    shared: &Shared,
    channel: u64,
    before: u64,
) -> Result<Option<Vec<(u64, bool)>>, String> {
    let (Some(channel), Some(before)) = (
        Id::<ChannelMarker>::new_checked(channel),
        Id::<MessageMarker>::new_checked(before),
    ) else {
        return Ok(None);
    };
    let mut wait = Duration::from_millis(500);
    let mut last_problem = String::new();
    for _ in 0..5 {
        let request = shared
            .kernel
            .discord
            .client()
            .channel_messages(channel)
            .before(before)
            .limit(PAGE);
        match send("GET /channels/{id}/messages", request).await {
            Ok(response) => match response.models().await {
                Ok(messages) => {
                    return Ok(Some(
                        messages
                            .iter()
                            .map(|m| (m.id.get(), m.author.bot || m.webhook_id.is_some()))
                            .collect(),
                    ))
                }
                Err(error) => last_problem = error.to_string(),
            },
            Err(error) if matches!(error.code(), Some(10003 | 50001 | 50013)) => return Ok(None),
            Err(error) => last_problem = error.to_string(),
        }
        tokio::time::sleep(wait).await;
        wait *= 2;
    }
    Err(last_problem)
}

/// What this run measured, for the ETA.
struct Progress {
    started: Instant,
    /// The share done when this run began.
    share_at_start: f64,
    last_shown: Instant,
}

impl Progress {
    fn new(job: &Recalculation) -> Progress {
        Progress {
            started: Instant::now(),
            share_at_start: share_done(job),
            last_shown: Instant::now(),
        }
    }
}

/// How much of the work is done (0–1): whole channels, and of the current one the part of
/// its time span read.
fn share_done(job: &Recalculation) -> f64 {
    let total = f64::from(job.channels_total.max(1));
    let current = if job.anchor > 0 && job.cursor > 0 {
        let anchor = snowflake_ms(job.anchor) as f64;
        let span = (anchor - job.cutoff_ms as f64).max(1.0);
        ((anchor - snowflake_ms(job.cursor) as f64) / span).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ((f64::from(job.channels_done) + current) / total).clamp(0.0, 1.0)
}

/// "Channels 2 of 5 · 12,300 messages read · about 40 s left".
fn progress_text(locale: Locale, job: &Recalculation, progress: Option<&Progress>) -> String {
    let eta = progress.and_then(|progress| {
        let gained = share_done(job) - progress.share_at_start;
        let elapsed = progress.started.elapsed().as_secs_f64();
        (gained > 0.001 && elapsed > 0.5).then(|| {
            let left = elapsed * (1.0 - share_done(job)) / gained;
            left.ceil() as u64
        })
    });
    let eta = match eta {
        Some(seconds) if seconds >= 120 => {
            t!(locale, "stats-eta-minutes", minutes = seconds.div_ceil(60))
        }
        Some(seconds) => t!(locale, "stats-eta-seconds", seconds = seconds),
        None => t!(locale, "stats-eta-unknown"),
    };
    t!(
        locale,
        "stats-recalculate-progress",
        done = job.channels_done,
        total = job.channels_total,
        messages = job.messages_read,
        eta = eta
    )
}

/// Shows `text` where the recalculation reports: its reply while the token lasts, else a
/// message of its own in the channel it was asked in (posted again if deleted).
async fn report(shared: &Shared, job: &mut Recalculation, text: String) {
    let discord = &shared.kernel.discord;
    let now = shared.kernel.clock.now();
    if let (Some(token), Some(until)) = (&job.reply_token, job.reply_until) {
        if now < until {
            let message = ReplyMessage::private(text.clone());
            match discord.edit_original(token, &message).await {
                Ok(()) => return,
                Err(error) => {
                    tracing::info!(%error, "the recalculation's reply cannot be edited; posting its progress instead");
                }
            }
        }
        job.reply_token = None;
    }
    let message = ReplyMessage::text(text);
    if let Some(id) = job.reply_message {
        match discord.edit_message(job.reply_channel, id, &message).await {
            Ok(()) => return,
            Err(error) if error.code() == Some(10008) => {}
            Err(error) => {
                tracing::info!(%error, "could not show a recalculation's progress");
                return;
            }
        }
    }
    match discord
        .send_message(job.reply_channel, &message, None)
        .await
    {
        Ok(id) => {
            job.reply_message = Some(id);
            let _ = shared.kernel.store.stats_save_recalculation(job).await;
        }
        Err(error) => tracing::info!(%error, "could not show a recalculation's progress"),
    }
}
