//! Tickers: periodic jobs (reminders, daily posts, flushes) as actors of their own, each on
//! its own arbiter, so a tick never shares a mailbox with interactions and a REST call that
//! hangs in one delays nobody else's answer. A tick that is still running when the next is
//! due is skipped, not stacked; a panic in a tick is logged with an incident id and the
//! next tick runs as usual. A ticker stops when the store closes (shutdown).
//!
//! Only the leader process ticks on its own (`Kernel::leadership`); the others' tickers
//! wait, so a reminder is sent by one process even when several run.
//!
//! [`TickNow`] runs one tick on demand and answers when it is done (after any tick already
//! running): tests drive the ticker with it on the injectable clock, so "nothing was due"
//! is proved by a finished tick, not by sleeping.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use futures::future::LocalBoxFuture;
use futures::FutureExt;

use super::supervision::ActorHealth;
use super::Kernel;

/// One tick's work: gets the kernel, does what is due.
pub type TickFn = Arc<dyn Fn(Kernel) -> LocalBoxFuture<'static, ()> + Send + Sync>;

/// A periodic job a feature declares.
#[derive(Clone)]
pub struct TickerSpec {
    /// Its name in logs, metrics and `/status` (`shifts-ticker`).
    pub name: &'static str,
    pub period: Duration,
    pub tick: TickFn,
}

impl std::fmt::Debug for TickerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TickerSpec")
            .field("name", &self.name)
            .field("period", &self.period)
            .finish()
    }
}

impl TickerSpec {
    pub fn new<F, Fut>(name: &'static str, period: Duration, tick: F) -> Self
    where
        F: Fn(Kernel) -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = ()> + 'static,
    {
        Self {
            name,
            period,
            tick: Arc::new(move |kernel| tick(kernel).boxed_local()),
        }
    }
}

/// The actor that runs one [`TickerSpec`].
pub struct Ticker {
    spec: TickerSpec,
    kernel: Kernel,
    health: Arc<ActorHealth>,
    running: bool,
    /// Whether it ticks on its own every period (always, but in tests that drive it with
    /// [`TickNow`] on a manual clock).
    automatic: bool,
}

impl Ticker {
    /// Starts the ticker on an arbiter of its own; it shows in `/status` under its name.
    /// Unless `automatic`, it ticks only when sent [`TickNow`].
    pub fn start(spec: TickerSpec, kernel: &Kernel, automatic: bool) -> Addr<Ticker> {
        let health = kernel.health.register(spec.name);
        let kernel = kernel.clone();
        let arbiter = Arbiter::new();
        Ticker::start_in_arbiter(&arbiter.handle(), move |_ctx| Ticker {
            spec,
            kernel,
            health,
            running: false,
            automatic,
        })
    }

    fn tick(&mut self, ctx: &mut Context<Self>) {
        if self.kernel.store.is_closed() {
            ctx.stop();
            return;
        }
        // Another process of the bot runs the tickers (see `cluster`).
        if !self.kernel.leadership.is_leader() {
            return;
        }
        if self.running {
            tracing::debug!(
                ticker = self.spec.name,
                "the last tick is still running; skipped"
            );
            return;
        }
        ctx.spawn(self.run_tick());
    }

    /// One tick's work, marked running until it ends; a panic in it is recorded (with an
    /// incident id) and the ticker goes on.
    fn run_tick(&mut self) -> impl ActorFuture<Self, Output = ()> + 'static {
        self.running = true;
        let running = self.health.start_work();
        let work = (self.spec.tick)(self.kernel.clone());
        AssertUnwindSafe(work)
            .catch_unwind()
            .into_actor(self)
            .map(move |outcome, ticker, _ctx| {
                if let Err(panic) = outcome {
                    ticker.health.record_panic(panic.as_ref());
                }
                ticker.running = false;
                drop(running);
            })
    }
}

/// Runs one tick now and answers when it has finished; a tick already running is waited
/// for first, so the answer means "a whole tick ran after this was sent".
#[derive(Message)]
#[rtype(result = "()")]
pub struct TickNow;

impl Handler<TickNow> for Ticker {
    type Result = ResponseActFuture<Self, ()>;

    fn handle(&mut self, _: TickNow, _ctx: &mut Context<Self>) -> Self::Result {
        Box::pin(
            async {}
                .into_actor(self)
                .then(|(), ticker, _ctx| wait_until_idle(ticker))
                .then(|(), ticker, _ctx| ticker.run_tick()),
        )
    }
}

/// Resolves once no tick is running.
fn wait_until_idle(ticker: &mut Ticker) -> ResponseActFuture<Ticker, ()> {
    if !ticker.running {
        return Box::pin(actix::fut::ready(()));
    }
    Box::pin(
        actix::clock::sleep(Duration::from_millis(5))
            .into_actor(ticker)
            .then(|(), ticker, _ctx| wait_until_idle(ticker)),
    )
}

impl Actor for Ticker {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if self.automatic {
            ctx.run_interval(self.spec.period, Ticker::tick);
        }
    }

    fn stopped(&mut self, _ctx: &mut Self::Context) {
        tracing::debug!(ticker = self.spec.name, "ticker stopped");
        // The arbiter's thread has nothing else to run.
        Arbiter::current().stop();
    }
}
