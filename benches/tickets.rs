//! Support tickets through the real path, in two measurements.
//!
//! **1. Open-to-close cycles per second, with transcripts.** The real Agora
//! (`Agora::start`, the same boot as `agora run`) against agora-sim's demo world, set up
//! as an admin does it through the sim: `/config moderator-role`, `/tickets category
//! upsert name:Support` (no questions, so opening needs no modal), `/config tickets
//! log-channel` and `transcript-channel` (#admin-log), `/tickets panel create` and
//! `/tickets panel deploy` in #tickets. `AGORA_BENCH_CYCLES` members (default 400) and
//! `AGORA_BENCH_CONCURRENCY` staff (default 20, the Moderator role) join the guild. The
//! load: `AGORA_BENCH_CONCURRENCY` workers at once, each taking the next member and doing
//! one whole cycle, then the next (a closed loop):
//!
//! 1. the member clicks the panel's **Open a ticket** (`tickets:1:open:1`) and is told
//!    "Your ticket is open: <#…>";
//! 2. the member writes a message of their own in the new ticket channel;
//! 3. the worker's staff member clicks **Close** on the welcome message (the modal asking
//!    for a reason comes back) and submits it with a reason; the close answers once the
//!    opener's access is taken, the closed notice posted, the transcript (HTML + TXT)
//!    written from the channel's paginated history, logged, posted in the transcript
//!    channel and sent to the opener.
//!
//! One cycle per member: the default `max-open` (1 per member) and the 5-second
//! double-click floor between one member's openings never come into play. A cycle's
//! latency is the workers' wall clock from the click on Open to the close's answer in
//! hand (step 2 included). cycles/s: correct cycles over the wall time of the load.
//! After the load every cycle is checked: the store has the ticket closed by that staff
//! member with that reason and remembers its transcript; both transcript files exist and
//! hold the member's message (the HTML also the reason); the sim shows the opener's
//! overwrite denying VIEW_CHANNEL, the closed notice (its Reopen button) in the channel,
//! the transcript posted in #admin-log with both files, and the DM to the opener. A cycle
//! with a wrong answer, a timeout or a failed check is a failure. The guild's 500-channel
//! limit bounds the cycles of one run (every ticket keeps its channel).
//!
//! **2. One ticket of 10,000 messages.** A member opens a ticket from the panel; then
//! `AGORA_BENCH_TRANSCRIPT_MESSAGES` messages (default 10,000; 20–400 characters, the
//! opener and a moderator in turn, some with `<`, `&` and quotes) are put straight into
//! the sim's world for that channel, the way tests set state up (`SimState::mutate`,
//! with no MESSAGE_CREATE sent: the bot sees them only through Discord's REST, as it
//! would a channel's history). Then a moderator runs `/ticket close reason:…` in the
//! channel: the bot posts the closed notice, reads the channel 100 messages a page with
//! `after=`, writes both files (streamed: one page at a time), logs the close, posts the
//! transcript in #admin-log with both files and sends the HTML to the opener by DM, and
//! answers. Measured: the time from the command's dispatch to its answer (sim), the span
//! of the page reads in the sim's request log, the files' sizes, and the **peak heap
//! added**; checked: every message in the HTML (escaped) and the TXT, in order.
//!
//! Why `/ticket close` and not `/ticket transcript`: the latter answers with both files
//! attached to the interaction's response, about 7 MiB for 10,000 messages, and agora-sim
//! refuses any REST body over axum's default 2 MiB (its `/api/v10` route sets no
//! `DefaultBodyLimit`; Discord takes 10 MiB per file) before it records the request, so
//! the answer never arrives. The close answers with text; its transcript post and DM are
//! refused the same way (shown as "posted: no"), after the bot has read both files into
//! memory and built the upload, so the memory figure still holds what delivering costs.
//!
//! Memory: this executable's global allocator counts live heap bytes (and their peak)
//! per owner, by the thread that allocated the block (a tag in a 16-byte header of each
//! block, so a block freed on another thread is still taken off its owner's count): the
//! sim's threads (the sim and the bench's people, on a runtime of their own), the bench's
//! sampler thread, and everything else — the bot (its actix thread, tokio workers, shard
//! and blocking threads). Right before a command the peaks are reset to the current
//! values; the figure is the peak after the answer minus the value before. The sim's own
//! allocations (its 10,000 messages, the JSON of each page, the uploaded files it keeps)
//! are counted apart and shown apart; the goal is about the bot's. A sampler thread reads
//! the bot's live bytes every millisecond, which gives the bot's peak during the page
//! reads alone (everything else of the answer is the upload of the written files). The
//! counting is on only in the transcript runs; the cycle runs carry only the header.
//!
//! Both on **SQLite** (a temporary file) and on **PostgreSQL** (a fresh database created
//! and dropped on the server of `AGORA_TEST_POSTGRES_URL`; skipped with a note when
//! unset). Each measurement runs `AGORA_BENCH_REPEATS` times per backend (default 5),
//! each run a fresh child process on a fresh database and a fresh transcript directory;
//! the tables show every run and the median (range). Any failed cycle or check makes the
//! result say so and the benchmark exit with an error.
//!
//! The sim's REST rate limits are off (setup and load) unless
//! `AGORA_BENCH_SIM_RATE_LIMITS=1`: Discord's 5-messages-per-5-s per channel and its
//! one 50-per-second bucket for interaction callbacks would make the figure the sim's
//! limits rather than the bot's. `runtime.cooldown_secs = 0` (staff close one ticket
//! after another). The bot's own REST client still keeps Discord's *global* limit, 50
//! calls per second across every route but interaction callbacks and webhooks
//! (twilight-http-ratelimiting, `discord.rest_per_second` ≤ 50): the run prints how many
//! such calls a cycle makes and the ceiling that puts on cycles per second.
//!
//! Run:
//!
//! ```sh
//! cargo bench --bench tickets
//! AGORA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench tickets
//! AGORA_BENCH_REPEATS=1 AGORA_BENCH_CYCLES=40 AGORA_BENCH_CONCURRENCY=5 AGORA_BENCH_TRANSCRIPT_MESSAGES=1000 cargo bench --bench tickets
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::boot::Agora;
use agora_actors::tickets::store::Status;
use agora_sim::actions::{CommandOption, CommandRun, ComponentUse, InteractionRecord, ModalSubmit};
use agora_sim::world::Message as SimMessage;
use agora_sim::{DemoWorld, Sim, SimConfig};
use agora_testkit::bench::*;
use agora_testkit::scratch::unique_name;
use agora_testkit::{content, custom_ids, message_text, waited_until};
use anyhow::{ensure, Context as _};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use twilight_model::id::Id;

#[global_allocator]
static HEAP: heap::Counting = heap::Counting;

/// The name of the sim's threads.
const SIM_THREADS: &str = "agora-sim";
/// How long a person waits for one answer.
const STEP_ANSWER: Duration = Duration::from_secs(60);
/// How long a setup command may take to be answered.
const SETUP_ANSWER: Duration = Duration::from_secs(15);
/// How long the transcript of the long ticket may take.
const TRANSCRIPT_ANSWER: Duration = Duration::from_secs(600);
/// Discord's VIEW_CHANNEL bit.
const VIEW_CHANNEL: u64 = 1 << 10;
/// The panel's Open button (panel 1).
const OPEN_BUTTON: &str = "tickets:1:open:1";
/// Discord's channel limit per guild, which the sim keeps.
const GUILD_CHANNELS: usize = 500;
const MIB: f64 = 1024.0 * 1024.0;
/// The bot's global REST limit, which its twilight client keeps itself (every route but
/// interaction callbacks and webhooks): Discord's default 50 per second, or
/// `AGORA_BENCH_REST_PER_SECOND` given to Agora as `discord.rest_per_second` (a bot Discord
/// granted a higher global limit).
fn global_per_second() -> f64 {
    env_number("AGORA_BENCH_REST_PER_SECOND", 50.0f64)
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    /// `AGORA_BENCH_CYCLES` (default 400): cycles per run, one member each.
    cycles: usize,
    /// `AGORA_BENCH_CONCURRENCY` (default 20): workers (and staff members) at once.
    concurrency: usize,
    /// `AGORA_BENCH_TRANSCRIPT_MESSAGES` (default 10,000): messages of the long ticket.
    transcript_messages: usize,
    /// `AGORA_BENCH_REPEATS` (default 5): runs per measurement and backend.
    repeats: usize,
    sim_rate_limits: bool,
}

impl Settings {
    fn from_env() -> Self {
        Self {
            cycles: env_number("AGORA_BENCH_CYCLES", 400usize).max(1),
            concurrency: env_number("AGORA_BENCH_CONCURRENCY", 20usize).max(1),
            transcript_messages: env_number("AGORA_BENCH_TRANSCRIPT_MESSAGES", 10_000usize),
            repeats: env_number("AGORA_BENCH_REPEATS", 5usize).max(1),
            sim_rate_limits: matches!(
                std::env::var("AGORA_BENCH_SIM_RATE_LIMITS").as_deref(),
                Ok("1" | "true" | "on")
            ),
        }
    }
}

/// What one cycles run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CycleResult {
    backend: String,
    cycles: usize,
    concurrency: usize,
    /// Cycles that finished and passed every check.
    correct: usize,
    /// Cycles that did not finish, were answered wrongly, or failed a check.
    failed: usize,
    load_seconds: f64,
    /// Cycle latencies (wall clock, open click → close answer) of the correct cycles.
    samples: usize,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Open click → "Your ticket is open" in hand.
    open_p50_ms: f64,
    open_p99_ms: f64,
    /// Close submitted → "… is closed; the transcript is written." in hand.
    close_p50_ms: f64,
    close_p99_ms: f64,
    /// Answers that came after a deferral (the bot took longer than its defer window).
    deferred: usize,
    /// CPU seconds during the load: the whole process, and the sim's threads.
    cpu_seconds: f64,
    sim_cpu_seconds: f64,
    /// REST calls the bot made during the load, per cycle.
    rest_calls_per_cycle: f64,
    /// Of those, the ones under Discord's global limit (all but interaction callbacks
    /// and webhook calls), which the bot's own client holds to 50 per second.
    limited_calls_per_cycle: f64,
    load_start: String,
    load_end: String,
    sim_rate_limits: bool,
}

impl CycleResult {
    fn cycles_per_second(&self) -> f64 {
        self.correct as f64 / self.load_seconds
    }

    /// What the bot's client's global limit allows: 50 limited calls per second.
    fn ceiling(&self) -> f64 {
        global_per_second() / self.limited_calls_per_cycle
    }

    fn bot_cpu_ms_per_cycle(&self) -> f64 {
        (self.cpu_seconds - self.sim_cpu_seconds) * 1e3 / self.cycles.max(1) as f64
    }

    fn sim_cpu_ms_per_cycle(&self) -> f64 {
        self.sim_cpu_seconds * 1e3 / self.cycles.max(1) as f64
    }
}

/// `/ticket close` over the long ticket.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LongTranscript {
    /// Messages the transcript says it holds (checked against the channel).
    messages: usize,
    /// `GET /channels/{id}/messages` calls while it ran.
    pages: usize,
    /// Dispatch → the answer (after a deferral, the edit or follow-up that answered).
    answer_ms: f64,
    /// The first page request's arrival → the last page's answer, in the sim's log.
    reads_ms: f64,
    html_bytes: u64,
    txt_bytes: u64,
    /// Peak live heap added, in bytes: the bot's threads, the sim's, the whole process.
    bot_peak_added: i64,
    sim_peak_added: i64,
    process_peak_added: i64,
    /// The bot's peak added while the pages were read (sampled every millisecond).
    bot_reads_peak_added: i64,
    /// The bot's live heap after the answer, minus before.
    bot_retained: i64,
    /// Whether the transcript reached #admin-log (both files) and the opener's DMs (the
    /// HTML); see the module documentation for why it does not with this sim.
    posted: bool,
    dm_sent: bool,
}

/// What one long-ticket run measured.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct TranscriptResult {
    backend: String,
    seeded: usize,
    seed_seconds: f64,
    /// The bot's and the sim's live heap before the first command.
    bot_baseline: i64,
    sim_baseline: i64,
    close: LongTranscript,
    load_start: String,
    load_end: String,
}

// ---------------------------------------------------------------------------------------
// The parent: one child process per run, then the tables
// ---------------------------------------------------------------------------------------

fn main() {
    if let Ok(child) = std::env::var(CHILD_ENV) {
        std::process::exit(child_main(&child));
    }
    let settings = Settings::from_env();
    println!("# Agora support-tickets benchmark");
    println!();
    println!(
        "Cycles: {} members, {} at once (one cycle each: open from the panel, one message, staff close with a reason via the Close button's modal, transcript written, posted and sent). Long ticket: {} messages, closed with /ticket close. {} run(s) per measurement and backend; {} cores, {}; the sim's REST rate limits {}; load average at start {}",
        settings.cycles,
        settings.concurrency,
        settings.transcript_messages,
        settings.repeats,
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        if settings.sim_rate_limits { "on" } else { "off" },
        load_average(),
    );
    if let Ok(limit) = std::env::var("AGORA_BENCH_REST_PER_SECOND") {
        println!("non-default: discord.rest_per_second = {limit} (a raised global REST limit)");
    }
    println!(
        "non-default settings: runtime.cooldown_secs = 0; [log] level = \"warn\", [ops] listen = \"127.0.0.1:0\", \
         tickets.transcript_directory a fresh temporary directory per run, Discord's URLs pointed at the sim; \
         the guild's ticket settings at their defaults (max-open 1, cooldown 0, DM transcript on)"
    );
    let backends = backends();
    println!();

    let mut cycles: Vec<CycleResult> = Vec::new();
    let mut transcripts: Vec<TranscriptResult> = Vec::new();
    let mut failed_runs = 0;
    for backend in &backends {
        for _ in 0..settings.repeats {
            match run_child::<CycleResult>(&format!("cycles-{backend}")) {
                Ok(result) => cycles.push(result),
                Err(error) => {
                    eprintln!("cycles on {backend}: {error:#}");
                    failed_runs += 1;
                }
            }
        }
        for _ in 0..settings.repeats {
            match run_child::<TranscriptResult>(&format!("transcript-{backend}")) {
                Ok(result) => transcripts.push(result),
                Err(error) => {
                    eprintln!("long transcript on {backend}: {error:#}");
                    failed_runs += 1;
                }
            }
        }
    }

    print_cycles(&backends, &cycles);
    print_transcripts(&backends, &transcripts);

    let failed_cycles: usize = cycles.iter().map(|r| r.failed).sum();
    println!();
    if failed_cycles > 0 || failed_runs > 0 {
        println!(
            "RESULT: {failed_cycles} FAILED CYCLES, {failed_runs} FAILED RUNS — these figures do not stand."
        );
        std::process::exit(1);
    }
    println!("RESULT: every cycle correct, every long transcript complete.");
}

fn print_cycles(backends: &[&str], results: &[CycleResult]) {
    println!();
    println!("## Cycles: each run");
    println!();
    println!("| backend | # | cycles | correct | failed | cycles/s | p50 ms | p95 ms | p99 ms | max ms | open p50 / p99 ms | close p50 / p99 ms | deferred | bot CPU ms per cycle | sim CPU ms per cycle | REST calls per cycle (under the global limit) | ceiling cycles/s | load s | load average start → end |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in results {
        let n = counts.entry(r.backend.as_str()).or_default();
        *n += 1;
        println!(
            "| {} | {} | {} | {} | {} | {:.1} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} / {:.0} | {:.0} / {:.0} | {} | {:.1} | {:.1} | {:.1} ({:.1}) | {:.1} | {:.1} | {} → {} |",
            backend_name(&r.backend),
            n,
            r.cycles,
            r.correct,
            r.failed,
            r.cycles_per_second(),
            r.p50_ms,
            r.p95_ms,
            r.p99_ms,
            r.max_ms,
            r.open_p50_ms,
            r.open_p99_ms,
            r.close_p50_ms,
            r.close_p99_ms,
            r.deferred,
            r.bot_cpu_ms_per_cycle(),
            r.sim_cpu_ms_per_cycle(),
            r.rest_calls_per_cycle,
            r.limited_calls_per_cycle,
            r.ceiling(),
            r.load_seconds,
            r.load_start,
            r.load_end,
        );
    }
    println!();
    println!("## Cycles: median (range) over the runs");
    println!();
    println!("| backend | runs | samples per run | cycles/s | p50 ms | p95 ms | p99 ms | bot CPU ms per cycle | ceiling cycles/s | failed (all runs) |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for backend in backends {
        let runs: Vec<&CycleResult> = results.iter().filter(|r| r.backend == *backend).collect();
        if runs.is_empty() {
            continue;
        }
        let figure = |value: fn(&CycleResult) -> f64| -> String {
            median_range(&runs.iter().map(|r| value(r)).collect::<Vec<_>>())
        };
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            backend_name(backend),
            runs.len(),
            median_range_to(
                &runs.iter().map(|r| r.samples as f64).collect::<Vec<_>>(),
                0
            ),
            figure(CycleResult::cycles_per_second),
            figure(|r| r.p50_ms),
            figure(|r| r.p95_ms),
            figure(|r| r.p99_ms),
            figure(CycleResult::bot_cpu_ms_per_cycle),
            figure(CycleResult::ceiling),
            runs.iter().map(|r| r.failed).sum::<usize>(),
        );
    }
    println!();
    println!(
        "Latency: the workers' wall clock from the click on Open to the close's answer in hand, over the correct cycles. \
         cycles/s: correct cycles over the load's wall time. CPU: /proc/self/stat and the sim's threads' \
         /proc/self/task/*/stat (the bot is the process minus the sim; PostgreSQL's server is another process, not counted). \
         The sim runs in the same process, on the same cores. Ceiling: Discord's global limit of 50 REST calls per \
         second (all but interaction callbacks and webhooks), which the bot's own twilight client keeps whatever the \
         sim does, over the calls of that kind per cycle."
    );
}

fn print_transcripts(backends: &[&str], results: &[TranscriptResult]) {
    if results.is_empty() {
        return;
    }
    println!();
    println!("## Long ticket: each run");
    println!();
    println!("| backend | # | messages | pages | answer ms | page reads ms | HTML | TXT | bot peak added | bot peak added during the page reads | sim peak added | process peak added | bot retained | posted / sent by DM | load average start → end |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in results {
        let n = counts.entry(r.backend.as_str()).or_default();
        *n += 1;
        {
            let t = &r.close;
            println!(
                "| {} | {} | {} | {} | {:.0} | {:.0} | {:.2} MiB | {:.2} MiB | {:.2} MiB | {:.2} MiB | {:.2} MiB | {:.2} MiB | {:.2} MiB | {} / {} | {} → {} |",
                backend_name(&r.backend),
                n,
                t.messages,
                t.pages,
                t.answer_ms,
                t.reads_ms,
                t.html_bytes as f64 / MIB,
                t.txt_bytes as f64 / MIB,
                t.bot_peak_added as f64 / MIB,
                t.bot_reads_peak_added as f64 / MIB,
                t.sim_peak_added as f64 / MIB,
                t.process_peak_added as f64 / MIB,
                t.bot_retained as f64 / MIB,
                if t.posted { "yes" } else { "no" },
                if t.dm_sent { "yes" } else { "no" },
                r.load_start,
                r.load_end,
            );
        }
    }
    println!();
    println!("## Long ticket: median (range) over the runs");
    println!();
    println!("| backend | runs | messages | answer ms | page reads ms | HTML MiB | TXT MiB | bot peak added MiB | during the page reads MiB | sim peak added MiB | process peak added MiB |");
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for backend in backends {
        let runs: Vec<&TranscriptResult> =
            results.iter().filter(|r| r.backend == *backend).collect();
        if runs.is_empty() {
            continue;
        }
        {
            let all: Vec<&LongTranscript> = runs.iter().map(|r| &r.close).collect();
            let figure = |value: fn(&LongTranscript) -> f64, decimals: usize| -> String {
                median_range_to(&all.iter().map(|t| value(t)).collect::<Vec<_>>(), decimals)
            };
            println!(
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                backend_name(backend),
                runs.len(),
                figure(|t| t.messages as f64, 0),
                figure(|t| t.answer_ms, 0),
                figure(|t| t.reads_ms, 0),
                figure(|t| t.html_bytes as f64 / MIB, 2),
                figure(|t| t.txt_bytes as f64 / MIB, 2),
                figure(|t| t.bot_peak_added as f64 / MIB, 2),
                figure(|t| t.bot_reads_peak_added as f64 / MIB, 2),
                figure(|t| t.sim_peak_added as f64 / MIB, 2),
                figure(|t| t.process_peak_added as f64 / MIB, 2),
            );
        }
    }
    println!();
    println!(
        "Peak heap added: the live heap bytes' peak between the command and its answer minus the value right before, \
         counted by this executable's allocator per owner (the thread that allocated each block). \"Bot\": every thread \
         but the sim's and the sampler's. \"Sim\": the sim's threads and the bench's people on them (the pages' JSON, \
         the files uploaded to it, which it keeps). \"During the page reads\": the bot's live bytes sampled every \
         millisecond between the first page request's arrival and the last page's answer."
    );
}

// ---------------------------------------------------------------------------------------
// The children
// ---------------------------------------------------------------------------------------

fn child_main(child: &str) -> i32 {
    let settings = Settings::from_env();
    let Some((kind, backend)) = child.split_once('-') else {
        eprintln!("unknown child {child:?}");
        return 2;
    };
    match kind {
        "cycles" => child_with_tagged_sim(backend, |harness| async move {
            let (running, transcripts) = start_agora(backend, &harness).await?;
            let outcome = run_cycles(&harness, &running.agora, settings, &transcripts).await;
            stop_agora(running, &transcripts).await;
            let mut result = outcome?;
            result.backend = backend.to_owned();
            Ok(result)
        }),
        "transcript" => {
            heap::enable();
            child_with_tagged_sim(backend, |harness| async move {
                let (running, transcripts) = start_agora(backend, &harness).await?;
                let outcome = run_long_ticket(&harness, &running.agora, settings).await;
                stop_agora(running, &transcripts).await;
                let mut result = outcome?;
                result.backend = backend.to_owned();
                Ok(result)
            })
        }
        other => {
            eprintln!("unknown measurement {other:?}");
            2
        }
    }
}

/// [`child_with_sim`], with the sim's threads marked as the sim's for the heap counts.
fn child_with_tagged_sim<R, F, Fut>(backend: &str, measure: F) -> i32
where
    R: Serialize,
    F: FnOnce(BenchSim) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<R>>,
{
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(SIM_THREADS)
        .on_thread_start(|| heap::set_thread_owner(heap::SIM))
        .enable_all()
        .build()
        .context("the sim's runtime")
        .and_then(|runtime| {
            let sim = runtime
                .block_on(Sim::start(SimConfig::demo()))
                .context("starting agora-sim")?;
            let harness = BenchSim {
                sim: Arc::new(sim),
                sim_runtime: runtime.handle().clone(),
            };
            let outcome = agora::actor_system().block_on(measure(harness));
            runtime.shutdown_timeout(Duration::from_secs(1));
            outcome
        });
    child_report(backend, outcome)
}

/// Agora started on a fresh database with a fresh transcript directory.
async fn start_agora(backend: &str, harness: &BenchSim) -> anyhow::Result<(BenchAgora, PathBuf)> {
    let database = Database::create(backend).await?;
    let transcripts = std::env::temp_dir().join(unique_name("agora-bench-transcripts", '-'));
    let mut env = agora_env(&harness.sim, &database);
    if let Ok(limit) = std::env::var("AGORA_BENCH_REST_PER_SECOND") {
        env.insert("AGORA_DISCORD__REST_PER_SECOND".into(), limit);
    }
    env.insert(
        "AGORA_TICKETS__TRANSCRIPT_DIRECTORY".into(),
        transcripts.display().to_string(),
    );
    Ok((BenchAgora::start(database, &env).await?, transcripts))
}

/// Stops Agora and removes its database and transcripts.
async fn stop_agora(running: BenchAgora, transcripts: &Path) {
    running.stop().await;
    let _ = std::fs::remove_dir_all(transcripts);
}

// ---------------------------------------------------------------------------------------
// Setup, as the demo's admin does it
// ---------------------------------------------------------------------------------------

/// `/<name> …` as the demo's admin in #general; the answer's text.
async fn as_admin(
    sim: &Sim,
    demo: &DemoWorld,
    name: &str,
    options: Vec<CommandOption>,
) -> anyhow::Result<String> {
    let id = sim.run_command(CommandRun {
        guild_id: Some(demo.guild_id),
        channel_id: demo.general_id,
        user_id: demo.admin_id,
        name: name.into(),
        options,
        unchecked: false,
    })?;
    let record = sim.answer(id, SETUP_ANSWER).await?;
    Ok(shown_text(&record))
}

fn sub2(group: &str, name: &str, options: Vec<CommandOption>) -> Vec<CommandOption> {
    vec![CommandOption::sub(
        group,
        vec![CommandOption::sub(name, options)],
    )]
}

/// The moderator role, the Support category (no questions), the log and transcript
/// channel (#admin-log), panel 1 deployed in #tickets; the panel message's id.
async fn set_up_tickets(sim: &Sim, demo: &DemoWorld, agora: &Agora) -> anyhow::Result<u64> {
    waited_until("the shard's connection", Duration::from_secs(20), || {
        agora.connected()
    })
    .await?;
    // GUILD_CREATE and the online notice settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    configure(
        sim,
        demo,
        vec![CommandOption::sub(
            "moderator-role",
            vec![CommandOption::value(
                "role",
                demo.moderator_role_id.to_string(),
            )],
        )],
    )
    .await?;
    let saved = as_admin(
        sim,
        demo,
        "tickets",
        sub2(
            "category",
            "upsert",
            vec![CommandOption::value("name", "Support")],
        ),
    )
    .await?;
    ensure!(
        saved.contains("Saved category **Support**"),
        "category upsert answered: {saved}"
    );
    for key in ["log-channel", "transcript-channel"] {
        let done = as_admin(
            sim,
            demo,
            "config",
            sub2(
                "tickets",
                key,
                vec![CommandOption::value("value", demo.admin_log_id.to_string())],
            ),
        )
        .await?;
        ensure!(
            done.starts_with("Done"),
            "/config tickets {key} answered: {done}"
        );
    }
    let created = as_admin(
        sim,
        demo,
        "tickets",
        sub2(
            "panel",
            "create",
            vec![
                CommandOption::value("title", "Need help?"),
                CommandOption::value(
                    "description",
                    "Open a ticket and staff will answer in private.",
                ),
                CommandOption::value("category", "Support"),
            ],
        ),
    )
    .await?;
    ensure!(
        created.contains("Created panel 1"),
        "panel create answered: {created}"
    );
    let deployed = as_admin(
        sim,
        demo,
        "tickets",
        sub2(
            "panel",
            "deploy",
            vec![
                CommandOption::value("panel", 1),
                CommandOption::value("channel", demo.tickets_id.to_string()),
            ],
        ),
    )
    .await?;
    ensure!(
        deployed.contains("Posted panel 1"),
        "panel deploy answered: {deployed}"
    );
    let panel = sim
        .channel_messages(demo.tickets_id)
        .into_iter()
        .find(|message| custom_ids(message).iter().any(|id| id == OPEN_BUTTON))
        .context("the panel with its Open button in #tickets")?;
    message_id_of(&panel)
}

/// `count` new users named `<prefix><n>` in the demo guild, with `roles`.
fn join(
    sim: &Sim,
    demo: &DemoWorld,
    prefix: &str,
    count: usize,
    roles: &[u64],
) -> anyhow::Result<Vec<u64>> {
    (0..count)
        .map(|n| {
            let user = sim.create_user(&format!("{prefix}{n}"));
            sim.join_guild(demo.guild_id, user, roles).map(|()| user)
        })
        .collect::<Result<_, _>>()
        .with_context(|| format!("a {prefix} could not join the guild"))
}

// ---------------------------------------------------------------------------------------
// Measurement 1: open-to-close cycles
// ---------------------------------------------------------------------------------------

/// One cycle as it went.
#[derive(Debug, Clone)]
struct Cycle {
    n: usize,
    member: u64,
    staff: u64,
    channel: u64,
    ticket_id: i64,
    label: String,
    message: String,
    reason: String,
    cycle_ms: f64,
    open_ms: f64,
    close_ms: f64,
    /// Wall ms of each step: open, write and find the welcome, Close → modal, submit → answer.
    steps: [f64; 4],
    /// The sim's dispatch → answer ms of the open and of the submitted close.
    sim_open_ms: f64,
    sim_close_ms: f64,
    deferred: usize,
}

async fn run_cycles(
    harness: &BenchSim,
    agora: &Agora,
    settings: Settings,
    transcripts: &Path,
) -> anyhow::Result<CycleResult> {
    let sim = &harness.sim;
    let demo = sim.demo().context("the demo world")?;
    sim.rate_limiter().set_enabled(false);
    let setup_started = Instant::now();
    let panel = set_up_tickets(sim, &demo, agora).await?;
    let channels = sim.state().world.lock().guild_channels(demo.guild_id).len();
    ensure!(
        settings.cycles + channels <= GUILD_CHANNELS,
        "{} cycles need {} ticket channels but the guild has room for {} ({channels} of Discord's {GUILD_CHANNELS} taken)",
        settings.cycles,
        settings.cycles,
        GUILD_CHANNELS - channels
    );
    let members = Arc::new(join(sim, &demo, "member", settings.cycles, &[])?);
    let staff = join(
        sim,
        &demo,
        "staff",
        settings.concurrency,
        &[demo.moderator_role_id],
    )?;
    println!(
        "setup: panel deployed, {} members and {} staff joined in {:.1} s",
        members.len(),
        staff.len(),
        setup_started.elapsed().as_secs_f64()
    );
    // The members' GUILD_MEMBER_ADDs settle.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // ---- the load -----------------------------------------------------------------------
    sim.rate_limiter().set_enabled(settings.sim_rate_limits);
    let requests_before = sim.state().requests.total();
    let load_start = load_average();
    let cpu_before = cpu_now();
    let next = Arc::new(AtomicUsize::new(0));
    let load_started = Instant::now();
    let workers: Vec<_> = staff
        .iter()
        .map(|&staff| {
            let sim = harness.sim.clone();
            let members = members.clone();
            let next = next.clone();
            let guild = demo.guild_id;
            harness.sim_runtime.spawn(async move {
                let mut done = Vec::new();
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&member) = members.get(n) else {
                        break;
                    };
                    let outcome =
                        cycle(&sim, guild, panel, n, member, staff)
                            .await
                            .map_err(|error| {
                                format!("cycle {n} (member {member}, staff {staff}): {error:#}")
                            });
                    done.push(outcome);
                }
                done
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for worker in workers {
        outcomes.extend(worker.await.context("a worker's task")?);
    }
    let load_seconds = load_started.elapsed().as_secs_f64();
    let cpu_after = cpu_now();
    let load_end = load_average();
    sim.rate_limiter().set_enabled(true);

    // ---- what the bot called, per cycle ----------------------------------------------------
    let requests = sim.state().requests.since(requests_before, None, None);
    let mut routes: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for request in &requests {
        let route = format!(
            "{} {}",
            request.method,
            request.route.as_deref().unwrap_or(&request.path)
        );
        let entry = routes.entry(route).or_default();
        entry.0 += 1;
        entry.1 += request.duration_ms;
    }
    let limited = requests
        .iter()
        .filter(|request| {
            !request.path.starts_with("/interactions/") && !request.path.starts_with("/webhooks/")
        })
        .count();
    println!(
        "REST during the load: {} calls ({:.1} per cycle), {limited} under the global limit ({:.1} per cycle: at {} per second, at most {:.1} cycles/s); per route: calls per cycle, mean ms in the sim",
        requests.len(),
        requests.len() as f64 / settings.cycles as f64,
        limited as f64 / settings.cycles as f64,
        global_per_second(),
        global_per_second() * settings.cycles as f64 / limited.max(1) as f64,
    );
    for (route, (count, total_ms)) in &routes {
        println!(
            "  {route}: {:.2} per cycle, {:.2} ms",
            *count as f64 / settings.cycles as f64,
            total_ms / *count as f64
        );
    }

    // ---- every cycle checked --------------------------------------------------------------
    let store = &agora.kernel().store;
    let guild = Id::new(demo.guild_id);
    let posted: HashMap<String, usize> = sim
        .channel_messages(demo.admin_log_id)
        .iter()
        .filter_map(|message| {
            let text = message_text(message);
            let label = text
                .strip_prefix("Transcript of ")?
                .split_whitespace()
                .next()?
                .to_owned();
            Some((label, message["attachments"].as_array().map_or(0, Vec::len)))
        })
        .collect();
    let mut problems: Vec<String> = Vec::new();
    let mut correct: Vec<Cycle> = Vec::new();
    for outcome in outcomes {
        let cycle = match outcome {
            Ok(cycle) => cycle,
            Err(problem) => {
                problems.push(problem);
                continue;
            }
        };
        match check_cycle(sim, store, guild, &cycle, &posted).await {
            Ok(()) => correct.push(cycle),
            Err(error) => problems.push(format!("cycle {} ({}): {error:#}", cycle.n, cycle.label)),
        }
    }
    for problem in problems.iter().take(5) {
        println!("  a failed cycle: {problem}");
    }
    let files =
        std::fs::read_dir(transcripts.join(demo.guild_id.to_string())).map_or(0, |dir| dir.count());
    println!(
        "load: {} cycles by {} workers in {load_seconds:.1} s; {} correct, {} failed; {files} transcript files on disk",
        settings.cycles,
        settings.concurrency,
        correct.len(),
        problems.len()
    );

    let sorted = |value: &dyn Fn(&Cycle) -> f64| {
        let mut values: Vec<f64> = correct.iter().map(value).collect();
        values.sort_by(f64::total_cmp);
        values
    };
    for (step, values) in [
        ("open (click → answer)", sorted(&|c| c.steps[0])),
        ("write a message, find the welcome", sorted(&|c| c.steps[1])),
        ("Close → the reason modal", sorted(&|c| c.steps[2])),
        ("reason submitted → closed answer", sorted(&|c| c.steps[3])),
        ("open, as the sim timed it", sorted(&|c| c.sim_open_ms)),
        ("close, as the sim timed it", sorted(&|c| c.sim_close_ms)),
    ] {
        println!(
            "  step {step}: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            percentile(&values, 0.5),
            percentile(&values, 0.9),
            percentile(&values, 0.99),
            values.last().copied().unwrap_or(f64::NAN)
        );
    }
    let mut latencies: Vec<f64> = correct.iter().map(|c| c.cycle_ms).collect();
    let mut opens: Vec<f64> = correct.iter().map(|c| c.open_ms).collect();
    let mut closes: Vec<f64> = correct.iter().map(|c| c.close_ms).collect();
    for values in [&mut latencies, &mut opens, &mut closes] {
        values.sort_by(f64::total_cmp);
    }
    let (cpu_seconds, sim_cpu_seconds) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    Ok(CycleResult {
        backend: String::new(),
        cycles: settings.cycles,
        concurrency: settings.concurrency,
        correct: correct.len(),
        failed: problems.len(),
        load_seconds,
        samples: latencies.len(),
        p50_ms: percentile(&latencies, 0.50),
        p95_ms: percentile(&latencies, 0.95),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        open_p50_ms: percentile(&opens, 0.50),
        open_p99_ms: percentile(&opens, 0.99),
        close_p50_ms: percentile(&closes, 0.50),
        close_p99_ms: percentile(&closes, 0.99),
        deferred: correct.iter().map(|c| c.deferred).sum(),
        cpu_seconds,
        sim_cpu_seconds,
        rest_calls_per_cycle: requests.len() as f64 / settings.cycles as f64,
        limited_calls_per_cycle: limited as f64 / settings.cycles as f64,
        load_start,
        load_end,
        sim_rate_limits: settings.sim_rate_limits,
    })
}

/// One member's ticket from the panel to its close.
async fn cycle(
    sim: &Sim,
    guild: u64,
    panel: u64,
    n: usize,
    member: u64,
    staff: u64,
) -> anyhow::Result<Cycle> {
    let mut deferred = 0;
    let started = Instant::now();
    let id = sim.use_component(ComponentUse {
        message_id: panel,
        user_id: member,
        custom_id: OPEN_BUTTON.into(),
        values: Vec::new(),
        unchecked: false,
    })?;
    let opened = sim.answer(id, STEP_ANSWER).await?;
    let open_ms = started.elapsed().as_secs_f64() * 1e3;
    ensure!(
        opened.errors.is_empty(),
        "the sim refused the open's answer: {:?}",
        opened.errors
    );
    deferred += usize::from(was_deferred(&opened));
    let told = shown_text(&opened);
    ensure!(
        told.starts_with("Your ticket is open"),
        "Open answered: {told}"
    );
    let channel = mentioned_channel(&told).with_context(|| format!("no channel in {told:?}"))?;
    let sim_open_ms = answered_after_ms(&opened).unwrap_or(f64::NAN);
    let label = told
        .split(['(', ')'])
        .nth(1)
        .context("no label in the answer")?
        .to_owned();

    let message = format!("Cycle {n}: my order {n} never arrived (member {member})");
    sim.send_message(channel, member, &message)?;

    let welcome = sim
        .channel_messages(channel)
        .into_iter()
        .find(|message| {
            custom_ids(message)
                .iter()
                .any(|id| id.starts_with("tickets:1:close:"))
        })
        .context("the welcome message with its Close button")?;
    let close_id = custom_ids(&welcome)
        .into_iter()
        .find(|id| id.starts_with("tickets:1:close:"))
        .context("the Close button")?;
    let ticket_id: i64 = close_id
        .rsplit(':')
        .next()
        .and_then(|id| id.parse().ok())
        .context("the ticket id in the Close button")?;

    let write_ms = started.elapsed().as_secs_f64() * 1e3 - open_ms;
    let close_started = Instant::now();
    let id = sim.use_component(ComponentUse {
        message_id: message_id_of(&welcome)?,
        user_id: staff,
        custom_id: close_id,
        values: Vec::new(),
        unchecked: false,
    })?;
    let asked = sim.answer(id, STEP_ANSWER).await?;
    let kind = asked.callback.as_ref().map(|callback| callback.kind);
    ensure!(
        kind == Some(9),
        "Close answered with {kind:?}, not the reason modal: {}",
        shown_text(&asked)
    );
    let modal_ms = close_started.elapsed().as_secs_f64() * 1e3;
    let reason = format!("Solved in cycle {n}");
    let mut fields = Map::new();
    fields.insert("reason".into(), Value::String(reason.clone()));
    let id = sim.submit_modal(ModalSubmit {
        guild_id: Some(guild),
        channel_id: None,
        user_id: staff,
        custom_id: format!("tickets:1:close-reason:{ticket_id}"),
        fields,
        unchecked: false,
    })?;
    let closed = sim.answer(id, STEP_ANSWER).await?;
    let close_ms = close_started.elapsed().as_secs_f64() * 1e3;
    let cycle_ms = started.elapsed().as_secs_f64() * 1e3;
    ensure!(
        closed.errors.is_empty(),
        "the sim refused the close's answer: {:?}",
        closed.errors
    );
    deferred += usize::from(was_deferred(&closed));
    let told = shown_text(&closed);
    ensure!(
        told == format!("{label} is closed; the transcript is written."),
        "the close answered: {told}"
    );
    Ok(Cycle {
        n,
        member,
        staff,
        channel,
        ticket_id,
        label,
        message,
        reason,
        cycle_ms,
        open_ms,
        close_ms,
        steps: [open_ms, write_ms, modal_ms, close_ms - modal_ms],
        sim_open_ms,
        sim_close_ms: answered_after_ms(&closed).unwrap_or(f64::NAN),
        deferred,
    })
}

/// Whether the cycle left what it should: in the store, on disk, and in the sim.
async fn check_cycle(
    sim: &Sim,
    store: &agora_actors::kernel::store::Store,
    guild: Id<twilight_model::id::marker::GuildMarker>,
    cycle: &Cycle,
    posted: &HashMap<String, usize>,
) -> anyhow::Result<()> {
    let ticket = store
        .ticket(guild, cycle.ticket_id)
        .await?
        .context("the ticket is stored")?;
    ensure!(
        ticket.status == Status::Closed,
        "stored as {:?}",
        ticket.status
    );
    ensure!(
        ticket.opener_id.get() == cycle.member
            && ticket.channel_id.map(Id::get) == Some(cycle.channel),
        "the store has another opener or channel"
    );
    ensure!(
        ticket.closed_by.map(Id::get) == Some(cycle.staff),
        "closed by {:?}, not the staff member who closed it",
        ticket.closed_by
    );
    ensure!(
        ticket.close_reason.as_deref() == Some(cycle.reason.as_str()),
        "the close reason is {:?}",
        ticket.close_reason
    );
    let html_path = ticket.transcript.context("no transcript remembered")?;
    let html =
        std::fs::read_to_string(&html_path).with_context(|| format!("reading {html_path}"))?;
    ensure!(
        html.contains(&cycle.message),
        "the HTML transcript lacks the member's message"
    );
    ensure!(
        html.contains(&cycle.reason),
        "the HTML transcript lacks the close reason"
    );
    let txt_path = html_path.replace(".html", ".txt");
    let txt = std::fs::read_to_string(&txt_path).with_context(|| format!("reading {txt_path}"))?;
    ensure!(
        txt.contains(&cycle.message),
        "the TXT transcript lacks the member's message"
    );
    let deny = {
        let world = sim.state().world.lock();
        world
            .channel(cycle.channel)
            .context("the ticket channel is gone")?
            .permission_overwrites
            .iter()
            .find(|overwrite| overwrite.id == cycle.member)
            .map(|overwrite| overwrite.deny)
    };
    ensure!(
        deny.is_some_and(|deny| deny & VIEW_CHANNEL != 0),
        "the opener's overwrite does not deny VIEW_CHANNEL"
    );
    let reopen = format!("tickets:1:reopen:{}", cycle.ticket_id);
    ensure!(
        sim.channel_messages(cycle.channel)
            .iter()
            .any(|message| custom_ids(message).contains(&reopen)),
        "no closed notice in the channel"
    );
    ensure!(
        posted.get(&cycle.label) == Some(&2),
        "the transcript post in #admin-log: {:?} files",
        posted.get(&cycle.label)
    );
    ensure!(
        sim.dms(cycle.member).iter().any(|dm| {
            message_text(dm).contains(&format!("{} was closed", cycle.label))
                && dm["attachments"]
                    .as_array()
                    .is_some_and(|files| !files.is_empty())
        }),
        "no transcript sent to the opener"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Measurement 2: the long ticket's transcript
// ---------------------------------------------------------------------------------------

async fn run_long_ticket(
    harness: &BenchSim,
    agora: &Agora,
    settings: Settings,
) -> anyhow::Result<TranscriptResult> {
    let sim = harness.sim.clone();
    let demo = sim.demo().context("the demo world")?;
    sim.rate_limiter().set_enabled(false);
    let panel = set_up_tickets(&sim, &demo, agora).await?;
    let (opener, moderator) = (demo.member_ids[0], demo.moderator_ids[0]);
    let opened = {
        let sim = sim.clone();
        harness
            .sim_runtime
            .spawn(async move {
                let id = sim.use_component(ComponentUse {
                    message_id: panel,
                    user_id: opener,
                    custom_id: OPEN_BUTTON.into(),
                    values: Vec::new(),
                    unchecked: false,
                })?;
                anyhow::Ok(shown_text(&sim.answer(id, STEP_ANSWER).await?))
            })
            .await??
    };
    ensure!(
        opened.starts_with("Your ticket is open"),
        "Open answered: {opened}"
    );
    let channel = mentioned_channel(&opened).context("the ticket channel")?;

    // ---- 10,000 messages, straight into the sim's world (on the sim's threads) ------------
    let seed_started = Instant::now();
    let count = settings.transcript_messages;
    let seeded = {
        let sim = sim.clone();
        let guild = demo.guild_id;
        harness
            .sim_runtime
            .spawn(async move { seed_messages(&sim, guild, channel, [opener, moderator], count) })
            .await?
    };
    let seed_seconds = seed_started.elapsed().as_secs_f64();
    let in_channel = sim
        .state()
        .world
        .lock()
        .messages
        .get(&channel)
        .map_or(0, |messages| {
            messages
                .values()
                .filter(|message| message.flags & 64 == 0)
                .count()
        });
    println!(
        "setup: {seeded} messages put into the ticket channel in {seed_seconds:.2} s; {in_channel} messages there in all"
    );
    // Let the process settle (the tickers, the gateway) before the baseline.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let load_start = load_average();
    let baseline = heap::current();

    // The close posts its closed notice before it reads the channel.
    let close = long_command(
        harness,
        agora,
        &demo,
        channel,
        moderator,
        vec![CommandOption::sub(
            "close",
            vec![CommandOption::value(
                "reason",
                "Benchmark: a very long ticket",
            )],
        )],
        in_channel + 1,
        "ticket-0001 is closed; the transcript is written.",
    )
    .await
    .context("/ticket close")?;
    let load_end = load_average();
    Ok(TranscriptResult {
        backend: String::new(),
        seeded,
        seed_seconds,
        bot_baseline: baseline.owners[heap::BOT as usize],
        sim_baseline: baseline.owners[heap::SIM as usize],
        close,
        load_start,
        load_end,
    })
}

/// Puts `count` messages into `channel`, `authors` in turn, without gateway events.
fn seed_messages(sim: &Sim, guild: u64, channel: u64, authors: [u64; 2], count: usize) -> usize {
    const WORDS: &[&str] = &[
        "the",
        "order",
        "refund",
        "arrived",
        "yesterday",
        "but",
        "<broken>",
        "package",
        "&",
        "\"quoted\"",
        "tracking",
        "number",
        "support",
        "thanks",
        "please",
        "check",
        "again",
        "payment",
        "card",
        "it's",
    ];
    let mut random = seed(7);
    sim.state().mutate(|world, ids| {
        let messages = world.messages.entry(channel).or_default();
        for n in 0..count {
            random = xorshift(random);
            // 20 to 400 characters: a marker, then words.
            let target = 20 + (random % 381) as usize;
            let mut text = format!("m{n:05}:");
            let mut word = random;
            while text.len() < target {
                word = xorshift(word);
                text.push(' ');
                text.push_str(WORDS[(word % WORDS.len() as u64) as usize]);
            }
            let message = SimMessage {
                id: ids.next(),
                channel_id: channel,
                guild_id: Some(guild),
                author_id: authors[n % 2],
                content: text,
                embeds: Vec::new(),
                components: Vec::new(),
                attachments: Vec::new(),
                edited_at_ms: None,
                history: Vec::new(),
                pinned: false,
                flags: 0,
                kind: 0,
                reactions: Vec::new(),
                webhook_id: None,
                application_id: None,
                interaction: None,
                message_reference: None,
                tts: false,
            };
            messages.insert(message.id, message);
        }
        let last = messages.keys().next_back().copied();
        if let Some(channel) = world.channels.get_mut(&channel) {
            channel.last_message_id = last;
        }
        (count, Vec::new())
    })
}

/// Runs `/ticket …` as `moderator` in the long ticket's channel and measures it.
#[allow(clippy::too_many_arguments)]
async fn long_command(
    harness: &BenchSim,
    agora: &Agora,
    demo: &DemoWorld,
    channel: u64,
    moderator: u64,
    options: Vec<CommandOption>,
    expected_messages: usize,
    expected_answer: &'static str,
) -> anyhow::Result<LongTranscript> {
    let sim = harness.sim.clone();
    let requests_before = sim.state().requests.total();
    let sampler = heap::Sampler::start();
    let before = heap::current();
    heap::reset_peaks();
    let record = {
        let sim = sim.clone();
        let guild = demo.guild_id;
        harness
            .sim_runtime
            .spawn(async move {
                let id = sim.run_command(CommandRun {
                    guild_id: Some(guild),
                    channel_id: channel,
                    user_id: moderator,
                    name: "ticket".into(),
                    options,
                    unchecked: false,
                })?;
                sim.answer(id, TRANSCRIPT_ANSWER).await
            })
            .await??
    };
    let peaks = heap::peaks();
    let after = heap::current();
    let samples = sampler.stop();

    let told = shown_text(&record);
    ensure!(
        record.errors.is_empty(),
        "the sim refused the answer: {:?}",
        record.errors
    );
    ensure!(told.starts_with(expected_answer), "answered: {told}");
    let answer_ms = answered_after_ms(&record).context("no answer time")?;

    // The page reads, as the sim logged them.
    let path = format!("/channels/{channel}/messages");
    let reads: Vec<_> = sim
        .state()
        .requests
        .since(requests_before, Some(&path), Some("GET"))
        .into_iter()
        .filter(|request| request.path == path)
        .collect();
    ensure!(!reads.is_empty(), "no page was read");
    ensure!(reads.iter().all(|r| r.status == 200), "a page read failed");
    let first_ms = reads
        .iter()
        .map(|r| r.at_ms as f64)
        .fold(f64::INFINITY, f64::min);
    let last_ms = reads
        .iter()
        .map(|r| r.at_ms as f64 + r.duration_ms)
        .fold(0.0, f64::max);
    let reads_ms = last_ms - first_ms;
    let bot_reads_peak = samples
        .iter()
        .filter(|(at_ms, _)| (*at_ms as f64) >= first_ms && (*at_ms as f64) <= last_ms)
        .map(|(_, bytes)| *bytes)
        .max()
        .unwrap_or(before.owners[heap::BOT as usize]);

    // The files: every message in order, the first and the last seeded one.
    let ticket = agora
        .kernel()
        .store
        .ticket(Id::new(demo.guild_id), 1)
        .await?
        .context("ticket 1 is stored")?;
    let html_path = ticket.transcript.context("no transcript remembered")?;
    let txt_path = html_path.replace(".html", ".txt");
    let html = std::fs::read_to_string(&html_path)?;
    let txt = std::fs::read_to_string(&txt_path)?;
    let blocks = html.matches(r#"<div class="message" id="m"#).count();
    ensure!(
        blocks == expected_messages,
        "the HTML holds {blocks} messages, the channel {expected_messages}"
    );
    let count_line = format!("\n{expected_messages} messages\n");
    ensure!(
        txt.ends_with(&count_line),
        "the TXT does not end with {count_line:?}"
    );
    let seeded = expected_messages.saturating_sub(2);
    let last_marker = format!("m{:05}:", seeded.saturating_sub(1));
    for marker in ["m00000:", last_marker.as_str()] {
        ensure!(
            html.contains(marker) && txt.contains(marker),
            "a transcript lacks {marker}"
        );
    }
    ensure!(
        html.find("m00000:") < html.find(last_marker.as_str()),
        "the HTML is out of order"
    );
    ensure!(!html.contains("<broken>"), "the HTML is not escaped");
    let html_bytes = std::fs::metadata(&html_path)?.len();
    let txt_bytes = std::fs::metadata(&txt_path)?.len();
    let added = |owner: u8| peaks.owners[owner as usize] - before.owners[owner as usize];
    let posted = sim
        .channel_messages(demo.admin_log_id)
        .iter()
        .any(|message| {
            message_text(message).starts_with("Transcript of ticket-0001")
                && message["attachments"].as_array().map_or(0, Vec::len) == 2
        });
    let dm_sent = sim.dms(demo.member_ids[0]).iter().any(|dm| {
        message_text(dm).contains("ticket-0001 was closed")
            && dm["attachments"]
                .as_array()
                .is_some_and(|files| !files.is_empty())
    });
    let result = LongTranscript {
        messages: blocks,
        pages: reads.len(),
        answer_ms,
        reads_ms,
        html_bytes,
        txt_bytes,
        bot_peak_added: added(heap::BOT),
        sim_peak_added: added(heap::SIM),
        process_peak_added: peaks.all - before.all,
        bot_reads_peak_added: bot_reads_peak - before.owners[heap::BOT as usize],
        bot_retained: after.owners[heap::BOT as usize] - before.owners[heap::BOT as usize],
        posted,
        dm_sent,
    };
    println!(
        "{}: {} messages in {} pages; answered after {:.0} ms (pages read in {:.0} ms); HTML {:.2} MiB, TXT {:.2} MiB; \
         heap added at peak: bot {:.2} MiB ({:.2} MiB during the page reads), sim {:.2} MiB, process {:.2} MiB; \
         bot retained {:.2} MiB; {} deferred; transcript posted in #admin-log: {posted}, sent to the opener: {dm_sent}",
        expected_answer.split_whitespace().next().unwrap_or(""),
        result.messages,
        result.pages,
        result.answer_ms,
        result.reads_ms,
        html_bytes as f64 / MIB,
        txt_bytes as f64 / MIB,
        result.bot_peak_added as f64 / MIB,
        result.bot_reads_peak_added as f64 / MIB,
        result.sim_peak_added as f64 / MIB,
        result.process_peak_added as f64 / MIB,
        result.bot_retained as f64 / MIB,
        if was_deferred(&record) { "was" } else { "not" },
    );
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// Reading answers
// ---------------------------------------------------------------------------------------

/// What the person finally reads: after a deferral answered by a follow-up (a component's
/// silent deferral, or a deferral of the other privacy), the follow-up; else the answer.
fn shown_text(record: &InteractionRecord) -> String {
    match record.followups.last() {
        Some(followup) => message_text(followup),
        None => content(record),
    }
}

fn was_deferred(record: &InteractionRecord) -> bool {
    record
        .callback
        .as_ref()
        .is_some_and(|callback| matches!(callback.kind, 5 | 6))
}

/// Dispatch → the answer, as the sim recorded it (after a deferral, the last edit or the
/// follow-up's arrival is not timed by the sim: then the last edit's time).
fn answered_after_ms(record: &InteractionRecord) -> Option<f64> {
    let callback = record.callback.as_ref()?;
    Some(
        record
            .edits
            .last()
            .map_or(callback.after_ms, |edit| edit.after_ms),
    )
}

/// The channel id in "… <#123> …".
fn mentioned_channel(text: &str) -> Option<u64> {
    let start = text.find("<#")? + 2;
    let end = start + text[start..].find('>')?;
    text[start..end].parse().ok()
}

fn message_id_of(message: &Value) -> anyhow::Result<u64> {
    message["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .context("a message without an id")
}

/// CPU seconds so far: the whole process, and the sim's threads (alive now).
fn cpu_now() -> (f64, f64) {
    fn seconds(stat: &str) -> Option<(String, f64)> {
        let (open, close) = (stat.find('(')?, stat.rfind(')')?);
        let name = stat[open + 1..close].to_owned();
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let ticks = |index: usize| {
            fields
                .get(index)
                .and_then(|t| t.parse::<u64>().ok())
                .unwrap_or(0)
        };
        // utime and stime, in clock ticks of 1/100 s (as on every x86_64 Linux).
        Some((name, (ticks(11) + ticks(12)) as f64 / 100.0))
    }
    let process = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| seconds(&stat))
        .map_or(0.0, |(_, s)| s);
    let mut sim = 0.0;
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            if let Some((name, s)) = std::fs::read_to_string(task.path().join("stat"))
                .ok()
                .and_then(|stat| seconds(&stat))
            {
                if name.starts_with(SIM_THREADS) {
                    sim += s;
                }
            }
        }
    }
    (process, sim)
}

// ---------------------------------------------------------------------------------------
// The counting allocator
// ---------------------------------------------------------------------------------------

mod heap {
    //! Live heap bytes and their peak, per owner: the thread that allocated a block owns
    //! it until it is freed (wherever). Each block carries its owner in a header.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;
    use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
    use std::sync::Arc;

    pub const BOT: u8 = 0;
    pub const SIM: u8 = 1;
    pub const BENCH: u8 = 2;
    const OWNERS: usize = 3;
    /// Room in front of each block for its owner (and whether it was counted).
    const HEADER: usize = 16;
    const COUNTED: usize = 1 << 8;

    static ENABLED: AtomicBool = AtomicBool::new(false);
    static CURRENT: [AtomicI64; OWNERS] = [AtomicI64::new(0), AtomicI64::new(0), AtomicI64::new(0)];
    static PEAK: [AtomicI64; OWNERS] = [AtomicI64::new(0), AtomicI64::new(0), AtomicI64::new(0)];
    static ALL: AtomicI64 = AtomicI64::new(0);
    static ALL_PEAK: AtomicI64 = AtomicI64::new(0);

    thread_local! {
        static OWNER: Cell<u8> = const { Cell::new(BOT) };
    }

    /// Blocks this thread allocates from now on are `owner`'s.
    pub fn set_thread_owner(owner: u8) {
        OWNER.with(|cell| cell.set(owner));
    }

    /// Counts blocks allocated from now on (earlier ones are never counted, not even
    /// when freed).
    pub fn enable() {
        ENABLED.store(true, Ordering::SeqCst);
    }

    #[derive(Debug, Clone, Copy)]
    pub struct Snapshot {
        pub owners: [i64; OWNERS],
        pub all: i64,
    }

    pub fn current() -> Snapshot {
        Snapshot {
            owners: std::array::from_fn(|i| CURRENT[i].load(Ordering::SeqCst)),
            all: ALL.load(Ordering::SeqCst),
        }
    }

    pub fn peaks() -> Snapshot {
        Snapshot {
            owners: std::array::from_fn(|i| PEAK[i].load(Ordering::SeqCst)),
            all: ALL_PEAK.load(Ordering::SeqCst),
        }
    }

    /// Every peak down to the live bytes now.
    pub fn reset_peaks() {
        for i in 0..OWNERS {
            PEAK[i].store(CURRENT[i].load(Ordering::SeqCst), Ordering::SeqCst);
        }
        ALL_PEAK.store(ALL.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    fn count(owner: usize, bytes: i64) {
        let now = CURRENT[owner].fetch_add(bytes, Ordering::Relaxed) + bytes;
        let all = ALL.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if bytes > 0 {
            PEAK[owner].fetch_max(now, Ordering::Relaxed);
            ALL_PEAK.fetch_max(all, Ordering::Relaxed);
        }
    }

    fn offset(layout: Layout) -> usize {
        layout.align().max(HEADER)
    }

    fn full(layout: Layout, size: usize) -> Option<Layout> {
        Layout::from_size_align(size.checked_add(offset(layout))?, layout.align()).ok()
    }

    /// Writes the header of a block just allocated at `base`; the caller's pointer.
    unsafe fn start(base: *mut u8, layout: Layout) -> *mut u8 {
        if base.is_null() {
            return base;
        }
        let user = base.add(offset(layout));
        let mut word = 0usize;
        if ENABLED.load(Ordering::Relaxed) {
            let owner = OWNER.with(Cell::get);
            word = usize::from(owner) | COUNTED;
            count(usize::from(owner), layout.size() as i64);
        }
        (user.sub(8) as *mut usize).write_unaligned(word);
        user
    }

    unsafe fn header(user: *mut u8) -> Option<usize> {
        let word = (user.sub(8) as *const usize).read_unaligned();
        (word & COUNTED != 0).then_some(word & 0xff)
    }

    pub struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            match full(layout, layout.size()) {
                Some(full) => start(System.alloc(full), layout),
                None => std::ptr::null_mut(),
            }
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            match full(layout, layout.size()) {
                Some(full) => start(System.alloc_zeroed(full), layout),
                None => std::ptr::null_mut(),
            }
        }

        unsafe fn dealloc(&self, user: *mut u8, layout: Layout) {
            if let Some(owner) = header(user) {
                count(owner, -(layout.size() as i64));
            }
            let full = full(layout, layout.size()).expect("allocated with this layout");
            System.dealloc(user.sub(offset(layout)), full);
        }

        unsafe fn realloc(&self, user: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let Some(new_full) = full(layout, new_size) else {
                return std::ptr::null_mut();
            };
            let old_full = full(layout, layout.size()).expect("allocated with this layout");
            let owner = header(user);
            let base = System.realloc(user.sub(offset(layout)), old_full, new_full.size());
            if base.is_null() {
                return base;
            }
            if let Some(owner) = owner {
                count(owner, new_size as i64 - layout.size() as i64);
            }
            base.add(offset(layout))
        }
    }

    /// A thread reading the bot's live bytes every millisecond: (unix ms, bytes).
    pub struct Sampler {
        stop: Arc<AtomicBool>,
        thread: std::thread::JoinHandle<Vec<(u64, i64)>>,
    }

    impl Sampler {
        pub fn start() -> Sampler {
            let stop = Arc::new(AtomicBool::new(false));
            let stopped = stop.clone();
            let thread = std::thread::Builder::new()
                .name("bench-sampler".into())
                .spawn(move || {
                    set_thread_owner(BENCH);
                    // Ten minutes of samples, allocated up front.
                    let mut samples = Vec::with_capacity(600_000);
                    while !stopped.load(Ordering::Relaxed) && samples.len() < samples.capacity() {
                        let at = std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0, |d| d.as_millis() as u64);
                        samples.push((at, CURRENT[BOT as usize].load(Ordering::Relaxed)));
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    samples
                })
                .expect("the sampler thread starts");
            // Its buffer is allocated before the caller's baseline.
            std::thread::sleep(std::time::Duration::from_millis(20));
            Sampler { stop, thread }
        }

        pub fn stop(self) -> Vec<(u64, i64)> {
            self.stop.store(true, Ordering::Relaxed);
            self.thread.join().unwrap_or_default()
        }
    }
}
