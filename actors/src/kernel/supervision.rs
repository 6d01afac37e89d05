//! Every concern runs as an actix actor under a supervisor. actix restarts an actor only
//! after `ctx.stop()`, not after a panic (the `Addr` would be closed for good), so the
//! handler here catches the panic, answers the caller with an incident id, logs it, and
//! stops the actor: the supervisor then builds a fresh one behind the same `Addr`.
//!
//! Mailboxes are bounded. [`ConcernHandle::try_call`] refuses with [`CallError::Busy`]
//! when the mailbox is full (for interactions, which must be answered in 3 s), and
//! [`ConcernHandle::call`] waits for room (for gateway events, so a slow actor slows the
//! intake instead of growing memory). A concern handles one request at a time, in order.

use std::any::Any;
use std::fmt::Debug;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use tokio::sync::oneshot;

/// A piece of Agora that owns one concern (shifts, tickets, …) and answers typed requests.
pub trait Concern: Unpin + 'static {
    /// The actor's name in logs, metrics and `/status`.
    const NAME: &'static str;
    type Request: Send + 'static;
    type Response: Send + 'static;

    /// Handles one request. The synchronous part may use `&mut self`; the returned future
    /// does the I/O. A panic in either is caught by the supervisor.
    fn handle(&mut self, request: Self::Request) -> LocalBoxFuture<'static, Self::Response>;
}

/// Why a call got no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The mailbox is full: the actor is behind. Answer "busy, try again".
    #[error("the {0} actor is busy")]
    Busy(&'static str),
    /// The handler panicked; the actor was restarted. The incident id is in the log.
    #[error("the {actor} actor failed (incident {incident})")]
    Failed {
        actor: &'static str,
        incident: String,
    },
    /// The actor is gone (shutting down).
    #[error("the {0} actor has stopped")]
    Stopped(&'static str),
}

/// A short id that ties what a person is told to the log line that explains it.
pub fn new_incident_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

/// What `/status` and the metrics show of one actor.
#[derive(Debug)]
pub struct ActorHealth {
    pub name: &'static str,
    restarts: AtomicU64,
    handled: AtomicU64,
    in_flight: AtomicI64,
    last_incident: Mutex<Option<String>>,
}

/// A point-in-time view of an actor's health.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HealthSnapshot {
    pub name: &'static str,
    pub restarts: u64,
    pub handled: u64,
    /// Requests queued or being handled.
    pub in_flight: i64,
    pub last_incident: Option<String>,
}

impl ActorHealth {
    fn new(name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            name,
            restarts: AtomicU64::new(0),
            handled: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            last_incident: Mutex::new(None),
        })
    }

    pub fn snapshot(&self) -> HealthSnapshot {
        HealthSnapshot {
            name: self.name,
            restarts: self.restarts.load(Ordering::Relaxed),
            handled: self.handled.load(Ordering::Relaxed),
            in_flight: self.in_flight.load(Ordering::Relaxed).max(0),
            last_incident: self.last_incident.lock().clone(),
        }
    }
}

/// Every supervised actor's health, for `/status`, `/readyz` and `/metrics`.
#[derive(Debug, Default, Clone)]
pub struct HealthRegistry {
    actors: Arc<Mutex<Vec<Arc<ActorHealth>>>>,
}

impl HealthRegistry {
    pub fn register(&self, name: &'static str) -> Arc<ActorHealth> {
        let health = ActorHealth::new(name);
        self.actors.lock().push(health.clone());
        health
    }

    pub fn snapshot(&self) -> Vec<HealthSnapshot> {
        self.actors.lock().iter().map(|a| a.snapshot()).collect()
    }
}

/// One request and where its response goes.
pub struct Call<C: Concern> {
    request: C::Request,
    respond: oneshot::Sender<Result<C::Response, CallError>>,
}

impl<C: Concern> Message for Call<C> {
    type Result = ();
}

/// The actix actor that runs a [`Concern`].
pub struct ConcernActor<C: Concern> {
    concern: C,
    make: Arc<dyn Fn() -> C + Send + Sync>,
    health: Arc<ActorHealth>,
    mailbox_capacity: usize,
}

impl<C: Concern> Actor for ConcernActor<C> {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.mailbox_capacity);
    }
}

impl<C: Concern> Supervised for ConcernActor<C> {
    fn restarting(&mut self, _ctx: &mut Self::Context) {
        // The old state may be half-changed by the panic: start from a fresh one, which
        // rebuilds what it needs from the store.
        self.concern = (self.make)();
        self.health.restarts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(actor = C::NAME, "actor restarted after a failure");
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

impl<C: Concern> ConcernActor<C> {
    /// Records a panic, answers the caller, and stops the actor so it is restarted.
    fn fail(
        &mut self,
        ctx: &mut Context<Self>,
        panic: &(dyn Any + Send),
        respond: oneshot::Sender<Result<C::Response, CallError>>,
    ) {
        let incident = new_incident_id();
        tracing::error!(actor = C::NAME, %incident, panic = %panic_message(panic), "handler panicked; restarting the actor");
        *self.health.last_incident.lock() = Some(incident.clone());
        let _ = respond.send(Err(CallError::Failed {
            actor: C::NAME,
            incident,
        }));
        ctx.stop();
    }
}

impl<C: Concern> Handler<Call<C>> for ConcernActor<C> {
    type Result = AtomicResponse<Self, ()>;

    fn handle(&mut self, call: Call<C>, ctx: &mut Self::Context) -> Self::Result {
        self.health.handled.fetch_add(1, Ordering::Relaxed);
        let Call { request, respond } = call;
        let work = match std::panic::catch_unwind(AssertUnwindSafe(|| self.concern.handle(request)))
        {
            Ok(work) => work,
            Err(panic) => {
                self.fail(ctx, panic.as_ref(), respond);
                return AtomicResponse::new(Box::pin(actix::fut::ready(())));
            }
        };
        AtomicResponse::new(Box::pin(
            AssertUnwindSafe(work).catch_unwind().into_actor(self).map(
                move |outcome, actor, ctx| match outcome {
                    Ok(response) => {
                        let _ = respond.send(Ok(response));
                    }
                    Err(panic) => actor.fail(ctx, panic.as_ref(), respond),
                },
            ),
        ))
    }
}

/// Counts a call as in flight until it is dropped.
struct InFlight(Arc<ActorHealth>);

impl InFlight {
    fn new(health: &Arc<ActorHealth>) -> Self {
        health.in_flight.fetch_add(1, Ordering::Relaxed);
        Self(health.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// How to reach a supervised concern.
pub struct ConcernHandle<C: Concern> {
    addr: Addr<ConcernActor<C>>,
    health: Arc<ActorHealth>,
}

impl<C: Concern> Clone for ConcernHandle<C> {
    fn clone(&self) -> Self {
        Self {
            addr: self.addr.clone(),
            health: self.health.clone(),
        }
    }
}

impl<C: Concern> Debug for ConcernHandle<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConcernHandle")
            .field("actor", &C::NAME)
            .finish()
    }
}

impl<C: Concern> ConcernHandle<C> {
    /// Starts a concern under a supervisor. `make` builds it (again after a failure).
    pub fn start(
        make: impl Fn() -> C + Send + Sync + 'static,
        mailbox_capacity: usize,
        registry: &HealthRegistry,
    ) -> Self {
        let make: Arc<dyn Fn() -> C + Send + Sync> = Arc::new(make);
        let health = registry.register(C::NAME);
        let actor_health = health.clone();
        let addr = Supervisor::start(move |ctx: &mut Context<ConcernActor<C>>| {
            ctx.set_mailbox_capacity(mailbox_capacity.max(1));
            ConcernActor {
                concern: make(),
                make,
                health: actor_health,
                mailbox_capacity: mailbox_capacity.max(1),
            }
        });
        Self { addr, health }
    }

    /// Queues a request if there is room; `Busy` if the mailbox is full. The response
    /// arrives on the returned future.
    pub fn try_call(
        &self,
        request: C::Request,
    ) -> Result<impl std::future::Future<Output = Result<C::Response, CallError>>, CallError> {
        let (respond, response) = oneshot::channel();
        let in_flight = InFlight::new(&self.health);
        self.addr
            .try_send(Call { request, respond })
            .map_err(|error| match error {
                SendError::Full(_) => CallError::Busy(C::NAME),
                SendError::Closed(_) => CallError::Stopped(C::NAME),
            })?;
        Ok(async move {
            let _in_flight = in_flight;
            response.await.unwrap_or(Err(CallError::Stopped(C::NAME)))
        })
    }

    /// Queues a request, waiting for room in the mailbox, and waits for the response.
    pub async fn call(&self, request: C::Request) -> Result<C::Response, CallError> {
        let (respond, response) = oneshot::channel();
        let _in_flight = InFlight::new(&self.health);
        // The mailbox answer can be an error when the actor stops while handling (after a
        // panic); what counts is whether the handler answered on `respond`.
        let _ = self.addr.send(Call { request, respond }).await;
        response.await.unwrap_or(Err(CallError::Stopped(C::NAME)))
    }

    pub fn health(&self) -> HealthSnapshot {
        self.health.snapshot()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Counts requests; panics on request 0; sleeps on request u64::MAX.
    struct Counter {
        seen: u64,
    }

    impl Concern for Counter {
        const NAME: &'static str = "counter";
        type Request = u64;
        type Response = u64;

        fn handle(&mut self, request: u64) -> LocalBoxFuture<'static, u64> {
            self.seen += 1;
            let seen = self.seen;
            assert_ne!(request, 1, "panics before any await");
            async move {
                match request {
                    0 => panic!("asked for zero"),
                    u64::MAX => {
                        tokio::time::sleep(Duration::from_millis(300)).await;
                        seen
                    }
                    _ => seen,
                }
            }
            .boxed_local()
        }
    }

    #[actix::test]
    async fn a_panic_restarts_the_actor_alone_and_the_next_call_is_served() {
        let registry = HealthRegistry::default();
        let counter = ConcernHandle::start(|| Counter { seen: 0 }, 16, &registry);
        assert_eq!(counter.call(5).await, Ok(1));
        assert_eq!(counter.call(5).await, Ok(2));
        let failure = counter.call(0).await;
        let Err(CallError::Failed { actor, incident }) = failure else {
            panic!("expected a failure, got {failure:?}")
        };
        assert_eq!(actor, "counter");
        assert_eq!(incident.len(), 8);
        // The same handle works; the state was rebuilt from scratch.
        assert_eq!(counter.call(5).await, Ok(1));
        assert_eq!(counter.health().last_incident, Some(incident));
        // A panic in the synchronous part is caught too.
        let sync_failure = counter.call(1).await;
        assert!(
            matches!(sync_failure, Err(CallError::Failed { .. })),
            "{sync_failure:?}"
        );
        assert_eq!(counter.call(5).await, Ok(1));
        assert_eq!(counter.health().restarts, 2);
        assert_eq!(registry.snapshot().len(), 1);
    }

    #[actix::test]
    async fn a_full_mailbox_says_busy_instead_of_growing() {
        let registry = HealthRegistry::default();
        let slow = ConcernHandle::start(|| Counter { seen: 0 }, 2, &registry);
        let mut accepted = Vec::new();
        let mut busy = 0;
        for _ in 0..10 {
            match slow.try_call(u64::MAX) {
                Ok(response) => accepted.push(response),
                Err(CallError::Busy("counter")) => busy += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert!(
            busy >= 6,
            "most calls are refused while the actor is slow: {busy} busy"
        );
        assert!(accepted.len() <= 4);
        for response in accepted {
            assert!(response.await.is_ok());
        }
        assert_eq!(slow.health().in_flight, 0);
    }
}
