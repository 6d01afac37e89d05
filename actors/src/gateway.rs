//! GatewaySession: one actor per shard. It connects (resuming a saved session when there
//! is one — a cold resume after a redeploy), reads events and publishes them on the bus,
//! reconnects and resumes on drops (twilight does the protocol), and on a graceful stop
//! closes with "resume", saves its session and reports it.
//!
//! The shard is read on a thread of its own with a single-threaded tokio runtime, as a
//! bare twilight shard would be: the socket's readiness, the inflating and the parsing of
//! every event happen on that one thread, with no wake-up handed between the worker
//! threads per event. Bus deliveries run there too (so they must be quick and hand work
//! on, as the dispatcher's and the prefix commands' do); the saved session is read and
//! written on the main runtime, where the store's connections live.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use futures::future::BoxFuture;
use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot};
use twilight_gateway::{
    CloseFrame, Command, ConfigBuilder, Event, EventTypeFlags, Intents, MessageSender, Session,
    Shard, ShardId, StreamExt as _,
};

use crate::bus::{EventBus, GatewayEvent};
use crate::identify::IdentifyQueue;
pub use crate::kernel::store::SavedSession;
use crate::kernel::store::Store;

/// Where sessions are saved (the database in production).
pub trait SessionStore: Send + Sync + std::fmt::Debug {
    fn load(&self, shard_id: u32) -> BoxFuture<'_, Option<SavedSession>>;
    fn save(&self, session: SavedSession) -> BoxFuture<'_, ()>;
    fn forget(&self, shard_id: u32) -> BoxFuture<'_, ()>;
}

/// Sessions in the database: a failure to save or load is logged, and the next start
/// identifies instead of resuming.
impl SessionStore for Store {
    fn load(&self, shard_id: u32) -> BoxFuture<'_, Option<SavedSession>> {
        Box::pin(async move {
            self.load_gateway_session(shard_id).await.unwrap_or_else(|error| {
                tracing::warn!(shard = shard_id, %error, "could not load the saved gateway session");
                None
            })
        })
    }
    fn save(&self, session: SavedSession) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(error) = self.save_gateway_session(&session).await {
                tracing::warn!(shard = session.shard_id, %error, "could not save the gateway session");
            }
        })
    }
    fn forget(&self, shard_id: u32) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(error) = self.delete_gateway_session(shard_id).await {
                tracing::warn!(shard = shard_id, %error, "could not forget the gateway session");
            }
        })
    }
}

/// Sessions in memory (tests, and runs without a database).
#[derive(Debug, Default)]
pub struct MemorySessionStore {
    sessions: Mutex<Vec<SavedSession>>,
}

impl SessionStore for MemorySessionStore {
    fn load(&self, shard_id: u32) -> BoxFuture<'_, Option<SavedSession>> {
        let found = self
            .sessions
            .lock()
            .iter()
            .find(|s| s.shard_id == shard_id)
            .cloned();
        Box::pin(async move { found })
    }
    fn save(&self, session: SavedSession) -> BoxFuture<'_, ()> {
        let mut sessions = self.sessions.lock();
        sessions.retain(|s| s.shard_id != session.shard_id);
        sessions.push(session);
        Box::pin(async {})
    }
    fn forget(&self, shard_id: u32) -> BoxFuture<'_, ()> {
        self.sessions.lock().retain(|s| s.shard_id != shard_id);
        Box::pin(async {})
    }
}

/// How to connect one shard.
#[derive(Debug, Clone)]
pub struct ShardSettings {
    pub shard_id: u32,
    pub shard_count: u32,
    pub token: String,
    pub intents: Intents,
    /// A gateway URL other than Discord's (agora-sim), without a trailing slash.
    pub gateway_url: Option<String>,
    /// The IDENTIFY gate every shard of the process shares.
    pub identify_queue: IdentifyQueue,
}

/// What `/status`, `/readyz` and the metrics show of a shard.
#[derive(Debug, Default)]
pub struct ShardStatus {
    pub connected: AtomicBool,
    pub events: AtomicU64,
    pub identifies: AtomicU64,
    pub resumes: AtomicU64,
    /// Most recent heartbeat round trip, in milliseconds (0 before the first).
    pub latency_ms: AtomicU64,
    /// Set when the gateway refused us for good (bad token, disallowed intents).
    pub fatal: Mutex<Option<String>>,
    /// Hands gateway commands to the shard's connection, once the shard is built.
    sender: Mutex<Option<MessageSender>>,
}

impl ShardStatus {
    /// Sends a gateway command (a Presence Update, op 3) on this shard; false when the
    /// shard is not connected. The shard keeps Discord's send limit (120 per 60 s).
    pub fn command(&self, command: &impl Command) -> bool {
        if !self.connected.load(Ordering::Relaxed) {
            return false;
        }
        match self.sender.lock().as_ref() {
            Some(sender) => sender.command(command).is_ok(),
            None => false,
        }
    }
}

/// Every shard of this process with its status, in the kernel's services registry: how a
/// feature sends a gateway command to each shard (the gateway names no feature).
#[derive(Debug, Clone, Default)]
pub struct Shards(pub Vec<(u32, Arc<ShardStatus>)>);

/// Stop gracefully: close with "resume", save the session, report it.
#[derive(Message)]
#[rtype(result = "Option<SavedSession>")]
pub struct StopGracefully;

/// The actor for one shard.
pub struct GatewaySession {
    settings: ShardSettings,
    bus: EventBus,
    sessions: Arc<dyn SessionStore>,
    status: Arc<ShardStatus>,
    control: Option<mpsc::Sender<oneshot::Sender<Option<SavedSession>>>>,
}

impl GatewaySession {
    pub fn new(
        settings: ShardSettings,
        bus: EventBus,
        sessions: Arc<dyn SessionStore>,
        status: Arc<ShardStatus>,
    ) -> Self {
        Self {
            settings,
            bus,
            sessions,
            status,
            control: None,
        }
    }
}

impl Actor for GatewaySession {
    type Context = Context<Self>;

    fn started(&mut self, _ctx: &mut Self::Context) {
        let (control, requests) = mpsc::channel(1);
        self.control = Some(control);
        let main = tokio::runtime::Handle::current();
        let (settings, bus, sessions, status) = (
            self.settings.clone(),
            self.bus.clone(),
            self.sessions.clone(),
            self.status.clone(),
        );
        let shard_id = settings.shard_id;
        let failed = status.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("agora-shard-{shard_id}"))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let reason = format!("the shard's runtime did not start: {error}");
                        tracing::error!(shard = shard_id, "{reason}");
                        *status.fatal.lock() = Some(reason);
                        return;
                    }
                };
                runtime.block_on(run_shard(settings, bus, sessions, status, requests, main));
            });
        if let Err(error) = spawned {
            let reason = format!("the shard's thread did not start: {error}");
            tracing::error!(shard = shard_id, "{reason}");
            *failed.fatal.lock() = Some(reason);
        }
    }
}

impl Handler<StopGracefully> for GatewaySession {
    type Result = ResponseFuture<Option<SavedSession>>;

    fn handle(&mut self, _: StopGracefully, _ctx: &mut Self::Context) -> Self::Result {
        let control = self.control.clone();
        Box::pin(async move {
            let control = control?;
            let (reply, saved) = oneshot::channel();
            control.send(reply).await.ok()?;
            saved.await.ok().flatten()
        })
    }
}

fn build_shard(settings: &ShardSettings, saved: Option<&SavedSession>) -> Shard<IdentifyQueue> {
    let mut config = ConfigBuilder::new(settings.token.clone(), settings.intents)
        .queue(settings.identify_queue.clone());
    if let Some(url) = &settings.gateway_url {
        config = config.proxy_url(url.trim_end_matches('/').to_string());
    }
    if let Some(saved) = saved.filter(|s| s.shard_count == settings.shard_count) {
        config = config.session(Session::new(saved.sequence, saved.session_id.clone()));
        if !saved.resume_url.is_empty() {
            config = config.resume_url(saved.resume_url.clone());
        }
    }
    Shard::with_config(
        ShardId::new(settings.shard_id, settings.shard_count),
        config.build(),
    )
}

fn saved_session(shard: &Shard<IdentifyQueue>, settings: &ShardSettings) -> Option<SavedSession> {
    let session = shard.session()?;
    Some(SavedSession {
        shard_id: settings.shard_id,
        shard_count: settings.shard_count,
        session_id: session.id().to_string(),
        sequence: session.sequence(),
        resume_url: shard.resume_url().unwrap_or_default().to_string(),
        saved_at: chrono::Utc::now(),
    })
}

/// How often a shard that receives events saves its session (sequence included). Events
/// delivered in the last interval before a process is killed outright are replayed to
/// whoever resumes the session.
const SAVE_SESSION_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Reads the shard until told to stop, publishing every wanted event on the bus.
async fn run_shard(
    settings: ShardSettings,
    bus: EventBus,
    sessions: Arc<dyn SessionStore>,
    status: Arc<ShardStatus>,
    mut stop_requests: mpsc::Receiver<oneshot::Sender<Option<SavedSession>>>,
    main: tokio::runtime::Handle,
) {
    let shard_id = settings.shard_id;
    let saved = {
        let sessions = sessions.clone();
        main.spawn(async move {
            let saved = sessions.load(shard_id).await;
            // A saved session is used once: if it cannot be resumed twilight identifies
            // anew.
            sessions.forget(shard_id).await;
            saved
        })
        .await
        .ok()
        .flatten()
    };
    let mut shard = build_shard(&settings, saved.as_ref());
    *status.sender.lock() = Some(shard.sender());
    let flags = bus.wanted()
        | EventTypeFlags::READY
        | EventTypeFlags::RESUMED
        | EventTypeFlags::GATEWAY_HEARTBEAT_ACK;
    let mut stopping: Option<oneshot::Sender<Option<SavedSession>>> = None;
    let mut event_counters = crate::kernel::metrics::GatewayEventCounters::default();
    let mut save_timer = tokio::time::interval(SAVE_SESSION_EVERY);
    save_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut saved_sequence: Option<u64> = None;
    loop {
        tokio::select! {
            biased;
            request = stop_requests.recv(), if stopping.is_none() => {
                let Some(reply) = request else { return };
                shard.close(CloseFrame::RESUME);
                stopping = Some(reply);
            }
            item = shard.next_event(flags) => {
                let event = match item {
                    None => break,
                    Some(Ok(event)) => event,
                    Some(Err(error)) => {
                        tracing::warn!(shard = settings.shard_id, %error, "gateway receive error");
                        continue;
                    }
                };
                match &event {
                    Event::Ready(_) => {
                        status.connected.store(true, Ordering::Relaxed);
                        status.identifies.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(shard = settings.shard_id, "identified");
                    }
                    Event::Resumed => {
                        status.connected.store(true, Ordering::Relaxed);
                        status.resumes.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(shard = settings.shard_id, "resumed");
                    }
                    Event::GatewayHeartbeatAck => {
                        if let Some(latency) = shard.latency().recent().first() {
                            status.latency_ms.store(latency.as_millis() as u64, Ordering::Relaxed);
                        }
                    }
                    Event::GatewayClose(frame) => {
                        status.connected.store(false, Ordering::Relaxed);
                        if let Some(reply) = stopping.take() {
                            let saved = saved_session(&shard, &settings);
                            if let Some(saved) = saved.clone() {
                                let sessions = sessions.clone();
                                let _ = main.spawn(async move { sessions.save(saved).await }).await;
                            }
                            let _ = reply.send(saved);
                            return;
                        }
                        let code = frame.as_ref().map(|f| f.code);
                        if matches!(code, Some(4004 | 4010 | 4011 | 4012 | 4013 | 4014)) {
                            let reason = format!("the gateway closed the connection for good (code {})", code.unwrap_or(0));
                            tracing::error!(shard = settings.shard_id, ?code, "{reason}");
                            *status.fatal.lock() = Some(reason);
                            return;
                        }
                        continue;
                    }
                    _ => {}
                }
                status.events.fetch_add(1, Ordering::Relaxed);
                if let Some(kind) = event.kind().name() {
                    event_counters.count(kind);
                }
                bus.publish(GatewayEvent { shard_id: settings.shard_id, event: Arc::new(event) }).await;
            }
            // Every few seconds the session is saved with the last sequence delivered, so a
            // process killed outright (or another taking its shards over) resumes from
            // there instead of identifying: only what came after is replayed.
            _ = save_timer.tick(), if stopping.is_none() => {
                let Some(saved) = saved_session(&shard, &settings) else { continue };
                if saved_sequence == Some(saved.sequence) {
                    continue;
                }
                saved_sequence = Some(saved.sequence);
                let sessions = sessions.clone();
                let _ = main.spawn(async move { sessions.save(saved).await }).await;
            }
        }
    }
    status.connected.store(false, Ordering::Relaxed);
}
