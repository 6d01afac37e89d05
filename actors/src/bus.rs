//! The event bus: actors subscribe to the gateway events they need, and the gateway
//! session publishes each event to its subscribers in order, awaiting each delivery — so
//! a slow subscriber slows the reading of the socket instead of piling events up in memory.

use std::sync::Arc;

use futures::future::BoxFuture;
use parking_lot::RwLock;
use twilight_gateway::{Event, EventTypeFlags};

/// One gateway event, from one shard.
#[derive(Debug, Clone)]
pub struct GatewayEvent {
    pub shard_id: u32,
    pub event: Arc<Event>,
}

/// Delivers an event to one subscriber; resolves when the subscriber has taken it. It runs
/// on the publishing shard's reader thread (a single-threaded runtime): take the event
/// quickly — a send to an actor, a cache update — and run anything that touches the store
/// on the main runtime.
pub type Deliver = Arc<dyn Fn(GatewayEvent) -> BoxFuture<'static, ()> + Send + Sync>;

/// What a delivery that did its work on the spot answers: a future that is done at once
/// and takes no memory, so boxing it does not allocate (`async {}` has a state byte, and
/// its box would cost an allocation per event per subscriber).
pub fn delivered() -> BoxFuture<'static, ()> {
    Box::pin(Delivered)
}

struct Delivered;

impl std::future::Future for Delivered {
    type Output = ();
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::task::Poll::Ready(())
    }
}

struct Subscription {
    name: &'static str,
    wants: EventTypeFlags,
    deliver: Deliver,
}

/// Who wants which gateway events. The list is replaced whole on each subscription (they
/// happen at boot), so publishing an event takes one `Arc` clone, not a copy of the list.
#[derive(Default, Clone)]
pub struct EventBus {
    subscriptions: Arc<RwLock<Arc<[Arc<Subscription>]>>>,
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.subscriptions.read().iter().map(|s| s.name).collect();
        f.debug_struct("EventBus")
            .field("subscribers", &names)
            .finish()
    }
}

impl EventBus {
    /// Subscribes `deliver` to the events in `wants`.
    pub fn subscribe(&self, name: &'static str, wants: EventTypeFlags, deliver: Deliver) {
        let mut subscriptions = self.subscriptions.write();
        let mut list: Vec<Arc<Subscription>> = subscriptions.iter().cloned().collect();
        list.push(Arc::new(Subscription {
            name,
            wants,
            deliver,
        }));
        *subscriptions = list.into();
    }

    /// Every event type some subscriber wants (the shard parses only these).
    pub fn wanted(&self) -> EventTypeFlags {
        self.subscriptions
            .read()
            .iter()
            .fold(EventTypeFlags::empty(), |all, s| all | s.wants)
    }

    /// Delivers an event to each subscriber that wants it, one after another.
    pub async fn publish(&self, event: GatewayEvent) {
        let kind = EventTypeFlags::from(event.event.kind());
        let subscriptions = self.subscriptions.read().clone();
        for subscription in subscriptions.iter().filter(|s| s.wants.intersects(kind)) {
            (subscription.deliver)(event.clone()).await;
        }
    }
}
