//! Every concern runs as an actix actor on an arbiter (a thread) of its own, under a
//! supervisor, and handles requests concurrently up to a bound of its own.
//!
//! Admission is the backpressure. A request runs at once while fewer than
//! [`Limits::max_in_flight`] are running; beyond that it waits its turn (first come,
//! first served) in a queue of [`Limits::queue`] places; beyond that
//! [`ConcernHandle::try_call`] refuses with [`CallError::Busy`] at once (interactions must
//! be answered in 3 s), while [`ConcernHandle::call`] waits for room (gateway events, so
//! a slow actor slows the intake instead of growing memory).
//!
//! The synchronous part of a handler runs with `&mut` access to the concern, one at a
//! time; the future it returns runs concurrently with the others on the actor's thread.
//! A panic in either answers that caller with an incident id, is logged, and rebuilds the
//! concern's state from scratch (a restart in place): requests already in flight finish
//! untouched. Order between requests is not kept; where a read-modify-write needs it,
//! the handler takes a [`crate::kernel::serial::KeyedSerial`] turn for its key, and races
//! are settled by conditional updates in the store.

use std::any::Any;
use std::fmt::Debug;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

use actix::prelude::*;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore, TryAcquireError};

/// A piece of Agora that owns one concern (shifts, tickets, …) and answers typed requests.
pub trait Concern: Unpin + 'static {
    /// The actor's name in logs, metrics and `/status`.
    const NAME: &'static str;
    type Request: Send + 'static;
    type Response: Send + 'static;

    /// Handles one request. The synchronous part may use `&mut self`; the returned future
    /// does the I/O, concurrently with other requests' futures. A panic in either is
    /// caught by the supervisor.
    fn handle(&mut self, request: Self::Request) -> LocalBoxFuture<'static, Self::Response>;
}

/// How much one concern takes on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Requests handled at the same time.
    pub max_in_flight: usize,
    /// Requests that may wait for a turn; one more is "busy".
    pub queue: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_in_flight: 32,
            queue: 64,
        }
    }
}

/// Why a call got no response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Every place is taken: the actor is behind. Answer "busy, try again".
    #[error("the {0} actor is busy")]
    Busy(&'static str),
    /// The handler panicked; the concern was rebuilt. The incident id is in the log.
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
    accepted: AtomicU64,
    busy: AtomicU64,
    queued: AtomicI64,
    in_flight: AtomicI64,
    done: AtomicU64,
    restarts: AtomicU64,
    last_incident: Mutex<Option<String>>,
}

/// A point-in-time view of an actor's health.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HealthSnapshot {
    pub name: &'static str,
    /// Requests taken on (run at once or queued).
    pub accepted: u64,
    /// Requests refused because every place was taken.
    pub busy: u64,
    /// Requests waiting for a turn now.
    pub queued: i64,
    /// Requests being handled now.
    pub in_flight: i64,
    /// Requests answered (normally or with an incident).
    pub done: u64,
    /// Times the concern's state was rebuilt after a panic.
    pub restarts: u64,
    pub last_incident: Option<String>,
}

impl ActorHealth {
    fn new(name: &'static str) -> Arc<Self> {
        Arc::new(Self {
            name,
            accepted: AtomicU64::new(0),
            busy: AtomicU64::new(0),
            queued: AtomicI64::new(0),
            in_flight: AtomicI64::new(0),
            done: AtomicU64::new(0),
            restarts: AtomicU64::new(0),
            last_incident: Mutex::new(None),
        })
    }

    pub fn snapshot(&self) -> HealthSnapshot {
        HealthSnapshot {
            name: self.name,
            accepted: self.accepted.load(Ordering::Relaxed),
            busy: self.busy.load(Ordering::Relaxed),
            queued: self.queued.load(Ordering::Relaxed).max(0),
            in_flight: self.in_flight.load(Ordering::Relaxed).max(0),
            done: self.done.load(Ordering::Relaxed),
            restarts: self.restarts.load(Ordering::Relaxed),
            last_incident: self.last_incident.lock().clone(),
        }
    }

    /// Logs a panic, remembers its incident id and counts the rebuild that follows.
    pub(crate) fn record_panic(&self, panic: &(dyn Any + Send)) -> String {
        let incident = new_incident_id();
        tracing::error!(actor = self.name, %incident, panic = %panic_message(panic), "handler panicked; the concern is rebuilt");
        *self.last_incident.lock() = Some(incident.clone());
        self.restarts.fetch_add(1, Ordering::Relaxed);
        incident
    }

    /// Counts work started outside the admission gate (a ticker's tick).
    pub(crate) fn start_work(self: &Arc<Self>) -> Running {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        Running::new(self)
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

/// Counts a request as in flight from its turn until it is answered (or dropped).
pub(crate) struct Running(Arc<ActorHealth>);

impl Running {
    fn new(health: &Arc<ActorHealth>) -> Self {
        health.in_flight.fetch_add(1, Ordering::Relaxed);
        Self(health.clone())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
        self.0.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts a request as queued while it waits for a turn.
struct Waiting(Arc<ActorHealth>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.queued.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A request's turn: the in-flight place it holds and its count, given back when dropped.
struct Turn {
    _permit: OwnedSemaphorePermit,
    _running: Running,
}

/// One request and where its response goes.
pub struct Call<C: Concern> {
    request: C::Request,
    respond: oneshot::Sender<Result<C::Response, CallError>>,
    turn: Turn,
}

impl<C: Concern> Message for Call<C> {
    type Result = ();
}

/// The actix actor that runs a [`Concern`].
pub struct ConcernActor<C: Concern> {
    concern: C,
    make: Arc<dyn Fn() -> C + Send + Sync>,
    health: Arc<ActorHealth>,
}

impl<C: Concern> Actor for ConcernActor<C> {
    type Context = Context<Self>;
}

impl<C: Concern> Supervised for ConcernActor<C> {
    fn restarting(&mut self, _ctx: &mut Self::Context) {
        self.concern = (self.make)();
        self.health.restarts.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(actor = C::NAME, "actor restarted after it stopped");
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
    /// Answers the caller with an incident id and rebuilds the concern in place, so the
    /// requests still in flight carry on.
    fn recover(
        &mut self,
        panic: &(dyn Any + Send),
        respond: oneshot::Sender<Result<C::Response, CallError>>,
    ) {
        let incident = self.health.record_panic(panic);
        self.concern = (self.make)();
        let _ = respond.send(Err(CallError::Failed {
            actor: C::NAME,
            incident,
        }));
    }
}

impl<C: Concern> Handler<Call<C>> for ConcernActor<C> {
    type Result = ();

    fn handle(&mut self, call: Call<C>, ctx: &mut Self::Context) {
        let Call {
            request,
            respond,
            turn,
        } = call;
        let work = match std::panic::catch_unwind(AssertUnwindSafe(|| self.concern.handle(request)))
        {
            Ok(work) => work,
            Err(panic) => {
                drop(turn);
                self.recover(panic.as_ref(), respond);
                return;
            }
        };
        ctx.spawn(AssertUnwindSafe(work).catch_unwind().into_actor(self).map(
            move |outcome, actor, _ctx| {
                // The turn is given back before the caller hears: whoever reads the
                // counts after an answer sees that request done.
                drop(turn);
                match outcome {
                    Ok(response) => {
                        let _ = respond.send(Ok(response));
                    }
                    Err(panic) => actor.recover(panic.as_ref(), respond),
                }
            },
        ));
    }
}

/// How to reach a supervised concern.
pub struct ConcernHandle<C: Concern> {
    addr: Addr<ConcernActor<C>>,
    turns: Arc<Semaphore>,
    limits: Limits,
    health: Arc<ActorHealth>,
}

impl<C: Concern> Clone for ConcernHandle<C> {
    fn clone(&self) -> Self {
        Self {
            addr: self.addr.clone(),
            turns: self.turns.clone(),
            limits: self.limits,
            health: self.health.clone(),
        }
    }
}

impl<C: Concern> Debug for ConcernHandle<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConcernHandle")
            .field("actor", &C::NAME)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Where a request stands when it is accepted.
enum Admission {
    Now(OwnedSemaphorePermit),
    Queued(Waiting),
}

impl<C: Concern> ConcernHandle<C> {
    /// Starts a concern under a supervisor on an arbiter of its own. `make` builds it
    /// (again after a failure).
    pub fn start(
        make: impl Fn() -> C + Send + Sync + 'static,
        limits: Limits,
        registry: &HealthRegistry,
    ) -> Self {
        let make: Arc<dyn Fn() -> C + Send + Sync> = Arc::new(make);
        let health = registry.register(C::NAME);
        let actor_health = health.clone();
        let arbiter = Arbiter::new();
        let addr = Supervisor::start_in_arbiter(&arbiter.handle(), move |_ctx| ConcernActor {
            concern: make(),
            make,
            health: actor_health,
        });
        let max_in_flight = limits.max_in_flight.max(1);
        Self {
            addr,
            turns: Arc::new(Semaphore::new(max_in_flight)),
            limits: Limits {
                max_in_flight,
                queue: limits.queue,
            },
            health,
        }
    }

    /// Takes the request on if a turn or a queue place is free, else `Busy` at once. The
    /// response arrives on the returned future (which waits for the turn when queued).
    pub fn try_call(
        &self,
        request: C::Request,
    ) -> Result<impl Future<Output = Result<C::Response, CallError>>, CallError> {
        let admission = match self.turns.clone().try_acquire_owned() {
            Ok(permit) => Admission::Now(permit),
            Err(TryAcquireError::Closed) => return Err(CallError::Stopped(C::NAME)),
            Err(TryAcquireError::NoPermits) => {
                let queue = self.limits.queue as i64;
                let place = self.health.queued.fetch_update(
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                    |queued| (queued < queue).then_some(queued + 1),
                );
                if place.is_err() {
                    self.health.busy.fetch_add(1, Ordering::Relaxed);
                    return Err(CallError::Busy(C::NAME));
                }
                Admission::Queued(Waiting(self.health.clone()))
            }
        };
        self.health.accepted.fetch_add(1, Ordering::Relaxed);
        let handle = self.clone();
        Ok(async move {
            let permit = match admission {
                Admission::Now(permit) => permit,
                Admission::Queued(waiting) => {
                    let permit = handle.turns.clone().acquire_owned().await;
                    drop(waiting);
                    permit.map_err(|_| CallError::Stopped(C::NAME))?
                }
            };
            handle.run(request, permit).await
        })
    }

    /// Takes the request on, waiting for a turn however long the queue, and waits for the
    /// response.
    pub async fn call(&self, request: C::Request) -> Result<C::Response, CallError> {
        self.health.accepted.fetch_add(1, Ordering::Relaxed);
        self.health.queued.fetch_add(1, Ordering::Relaxed);
        let waiting = Waiting(self.health.clone());
        let permit = self.turns.clone().acquire_owned().await;
        drop(waiting);
        let permit = permit.map_err(|_| CallError::Stopped(C::NAME))?;
        self.run(request, permit).await
    }

    /// Hands a request that holds a turn to the actor and waits for its response.
    async fn run(
        &self,
        request: C::Request,
        permit: OwnedSemaphorePermit,
    ) -> Result<C::Response, CallError> {
        let (respond, response) = oneshot::channel();
        let turn = Turn {
            _permit: permit,
            _running: Running::new(&self.health),
        };
        // At most `max_in_flight` calls are ever outstanding (each holds a turn), so the
        // mailbox stays bounded without a capacity of its own. A stopped actor drops the
        // call, and with it `respond`.
        self.addr.do_send(Call {
            request,
            respond,
            turn,
        });
        response.await.unwrap_or(Err(CallError::Stopped(C::NAME)))
    }

    pub fn health(&self) -> HealthSnapshot {
        self.health.snapshot()
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    /// Counts requests; panics on request 0 (in its future) and 1 (before it); on request
    /// u64::MAX says it entered, then waits for a permit of the gate.
    struct Counter {
        seen: u64,
        probe: Probe,
    }

    #[derive(Clone)]
    struct Probe {
        gate: Arc<Semaphore>,
        entered: Arc<AtomicUsize>,
    }

    impl Default for Probe {
        fn default() -> Self {
            Self {
                gate: Arc::new(Semaphore::new(0)),
                entered: Arc::default(),
            }
        }
    }

    impl Probe {
        fn counter(&self) -> impl Fn() -> Counter + Send + Sync + 'static {
            let probe = self.clone();
            move || Counter {
                seen: 0,
                probe: probe.clone(),
            }
        }

        /// Waits until `count` requests are inside the handler at once.
        async fn entered(&self, count: usize) {
            for _ in 0..500 {
                if self.entered.load(Ordering::SeqCst) == count {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            panic!("never {count} inside the handler");
        }
    }

    impl Concern for Counter {
        const NAME: &'static str = "counter";
        type Request = u64;
        type Response = u64;

        fn handle(&mut self, request: u64) -> LocalBoxFuture<'static, u64> {
            self.seen += 1;
            let seen = self.seen;
            let probe = self.probe.clone();
            assert_ne!(request, 1, "panics before any await");
            async move {
                match request {
                    0 => panic!("asked for zero"),
                    u64::MAX => {
                        probe.entered.fetch_add(1, Ordering::SeqCst);
                        probe.gate.acquire().await.unwrap().forget();
                        probe.entered.fetch_sub(1, Ordering::SeqCst);
                        seen
                    }
                    _ => seen,
                }
            }
            .boxed_local()
        }
    }

    fn limits(max_in_flight: usize, queue: usize) -> Limits {
        Limits {
            max_in_flight,
            queue,
        }
    }

    #[actix::test]
    async fn a_panic_rebuilds_the_concern_and_the_next_call_is_served() {
        let registry = HealthRegistry::default();
        let probe = Probe::default();
        let counter = ConcernHandle::start(probe.counter(), limits(4, 4), &registry);
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
        let health = counter.health();
        assert_eq!(health.restarts, 2);
        assert_eq!((health.accepted, health.done, health.in_flight), (6, 6, 0));
        assert_eq!(registry.snapshot().len(), 1);
    }

    #[actix::test]
    async fn requests_run_together_up_to_the_bound_then_queue_then_are_busy() {
        let registry = HealthRegistry::default();
        let probe = Probe::default();
        let slow = ConcernHandle::start(probe.counter(), limits(3, 2), &registry);
        let mut accepted = Vec::new();
        let mut busy = 0;
        for _ in 0..10 {
            match slow.try_call(u64::MAX) {
                Ok(response) => accepted.push(tokio::spawn(response)),
                Err(CallError::Busy("counter")) => busy += 1,
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!((accepted.len(), busy), (5, 5), "3 running + 2 queued");
        // Three requests are inside the handler at the same time: concurrency.
        probe.entered(3).await;
        let health = slow.health();
        assert_eq!(
            (
                health.in_flight,
                health.queued,
                health.busy,
                health.accepted
            ),
            (3, 2, 5, 5)
        );
        // Two finish; the two queued take their turns.
        probe.gate.add_permits(2);
        for _ in 0..500 {
            if slow.health().done == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(slow.health().done, 2, "two answered");
        probe.entered(3).await;
        assert_eq!(slow.health().queued, 0);
        probe.gate.add_permits(3);
        for response in accepted {
            assert!(response.await.unwrap().is_ok());
        }
        let health = slow.health();
        assert_eq!((health.in_flight, health.queued, health.done), (0, 0, 5));
    }

    #[actix::test]
    async fn a_panic_leaves_the_requests_in_flight_untouched() {
        let registry = HealthRegistry::default();
        let probe = Probe::default();
        let counter = ConcernHandle::start(probe.counter(), limits(32, 0), &registry);
        let waiting: Vec<_> = (0..20)
            .map(|_| tokio::spawn(counter.try_call(u64::MAX).unwrap()))
            .collect();
        probe.entered(20).await;
        let failure = counter.call(0).await;
        assert!(
            matches!(failure, Err(CallError::Failed { .. })),
            "{failure:?}"
        );
        probe.gate.add_permits(20);
        let mut answers = Vec::new();
        for response in waiting {
            answers.push(response.await.unwrap().expect("a normal answer"));
        }
        answers.sort_unstable();
        assert_eq!(answers, (1..=20).collect::<Vec<_>>());
        assert_eq!(counter.health().restarts, 1);
    }
}
