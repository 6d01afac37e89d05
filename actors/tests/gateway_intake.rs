//! The gateway session against agora-sim: events reach a subscribed actor through the
//! bus; a dropped connection and a RECONNECT in the middle of a 10,000-event stream lose
//! no event and deliver none twice; a graceful stop saves the session and the next start
//! resumes instead of identifying.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use parking_lot::Mutex;
use twilight_gateway::{Event, EventTypeFlags, Intents};

use agora_actors::bus::{EventBus, GatewayEvent};
use agora_actors::gateway::{
    GatewaySession, MemorySessionStore, SessionStore, ShardSettings, ShardStatus, StopGracefully,
};
use agora_actors::kernel::store::{Store, StoreOptions};
use agora_actors::kernel::supervision::{Concern, ConcernHandle, HealthRegistry, Limits};
use agora_sim::gateway::flood::FloodRequest;
use agora_sim::{Sim, SimConfig};
use agora_testkit::{wait_until, Scratch};

/// Counts the MESSAGE_CREATE ids it sees, and how many it saw twice.
#[derive(Default)]
struct Tally {
    seen: HashSet<u64>,
    duplicates: u64,
}

struct MessageCounter {
    tally: Arc<Mutex<Tally>>,
}

impl Concern for MessageCounter {
    const NAME: &'static str = "message-counter";
    type Request = GatewayEvent;
    type Response = ();

    fn handle(&mut self, request: GatewayEvent) -> LocalBoxFuture<'static, ()> {
        if let Event::MessageCreate(message) = request.event.as_ref() {
            let mut tally = self.tally.lock();
            if !tally.seen.insert(message.id.get()) {
                tally.duplicates += 1;
            }
        }
        async {}.boxed_local()
    }
}

fn runtime() -> SystemRunner {
    let _ = rustls::crypto::ring::default_provider().install_default();
    System::with_tokio_rt(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn settings(sim: &Sim) -> ShardSettings {
    ShardSettings {
        shard_id: 0,
        shard_count: 1,
        token: sim.token().to_string(),
        intents: Intents::GUILDS | Intents::GUILD_MESSAGES | Intents::MESSAGE_CONTENT,
        gateway_url: Some(sim.gateway_url().to_string()),
        identify_queue: agora_actors::identify::IdentifyQueue::local(
            std::time::Duration::from_secs(5),
        ),
    }
}

fn subscribe_counter(bus: &EventBus, tally: Arc<Mutex<Tally>>) {
    let registry = HealthRegistry::default();
    let counter = ConcernHandle::start(
        move || MessageCounter {
            tally: tally.clone(),
        },
        Limits::default(),
        &registry,
    );
    bus.subscribe(
        "message-counter",
        EventTypeFlags::MESSAGE_CREATE,
        Arc::new(move |event| {
            let counter = counter.clone();
            async move {
                let _ = counter.call(event).await;
            }
            .boxed()
        }),
    );
}

#[test]
fn a_drop_and_a_reconnect_mid_stream_lose_nothing_and_duplicate_nothing() {
    runtime().block_on(async {
        let sim = Arc::new(Sim::start(SimConfig::demo()).await.unwrap());
        let bus = EventBus::default();
        let tally = Arc::new(Mutex::new(Tally::default()));
        subscribe_counter(&bus, tally.clone());
        let status = Arc::new(ShardStatus::default());
        let _session = GatewaySession::new(
            settings(&sim),
            bus,
            Arc::new(MemorySessionStore::default()),
            status.clone(),
        )
        .start();
        wait_until("READY", Duration::from_secs(10), || {
            status.connected.load(Ordering::Relaxed)
        })
        .await;

        let flooding = {
            let sim = sim.clone();
            tokio::spawn(async move {
                sim.flood(FloodRequest {
                    event: "MESSAGE_CREATE".into(),
                    count: 10_000,
                    rate_per_s: Some(4_000.0),
                    guild_id: None,
                    spacing_ms: None,
                })
                .await
                .map(|report| report.sent)
            })
        };
        wait_until("3,000 events", Duration::from_secs(20), || {
            tally.lock().seen.len() >= 3_000
        })
        .await;
        assert_eq!(
            sim.gateway().drop_connections(None, None),
            1,
            "dropped mid-stream"
        );
        wait_until("6,000 events", Duration::from_secs(20), || {
            tally.lock().seen.len() >= 6_000
        })
        .await;
        assert_eq!(
            sim.gateway().send_reconnect(None),
            1,
            "RECONNECT mid-stream"
        );
        assert_eq!(flooding.await.unwrap().unwrap(), 10_000);
        wait_until("all 10,000 events", Duration::from_secs(30), || {
            tally.lock().seen.len() >= 10_000
        })
        .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let tally = tally.lock();
        assert_eq!(tally.seen.len(), 10_000, "no event lost");
        assert_eq!(tally.duplicates, 0, "no event processed twice");
        assert_eq!(
            status.identifies.load(Ordering::Relaxed),
            1,
            "resumed, never identified again"
        );
        assert!(status.resumes.load(Ordering::Relaxed) >= 2);
        assert_eq!(sim.gateway().stats.identifies.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn a_restart_with_a_saved_session_resumes_instead_of_identifying() {
    runtime().block_on(async {
        let sim = Sim::start(SimConfig::demo()).await.unwrap();
        let demo = sim.demo().unwrap();
        // The session goes to a real database file, and the restart opens it anew.
        let dir = Scratch::new("agora-cold-resume");
        let url = dir.sqlite_url("agora.db");
        let database = Store::connect(&url, StoreOptions::default()).await.unwrap();
        database.migrate().await.unwrap();
        let store: Arc<dyn SessionStore> = Arc::new(database.clone());
        let bus = EventBus::default();
        let tally = Arc::new(Mutex::new(Tally::default()));
        subscribe_counter(&bus, tally.clone());

        let status = Arc::new(ShardStatus::default());
        let first =
            GatewaySession::new(settings(&sim), bus.clone(), store.clone(), status.clone()).start();
        wait_until("READY", Duration::from_secs(10), || {
            status.connected.load(Ordering::Relaxed)
        })
        .await;
        sim.send_message(demo.general_id, demo.member_ids[0], "before the restart")
            .unwrap();
        wait_until("the first message", Duration::from_secs(5), || {
            tally.lock().seen.len() == 1
        })
        .await;

        let saved = first
            .send(StopGracefully)
            .await
            .unwrap()
            .expect("a session to save");
        assert_eq!(saved.shard_id, 0);
        assert!(
            saved.sequence >= 3,
            "READY, GUILD_CREATE and the message: {saved:?}"
        );
        assert_eq!(
            store.load(0).await.map(|s| (s.session_id, s.sequence)),
            Some((saved.session_id.clone(), saved.sequence))
        );
        drop(first);
        database.close();
        let store: Arc<dyn SessionStore> =
            Arc::new(Store::connect(&url, StoreOptions::default()).await.unwrap());
        // Events while the bot is down are replayed on resume.
        sim.send_message(demo.general_id, demo.member_ids[1], "while down")
            .unwrap();

        let status = Arc::new(ShardStatus::default());
        let _second =
            GatewaySession::new(settings(&sim), bus, store.clone(), status.clone()).start();
        wait_until("RESUMED", Duration::from_secs(10), || {
            status.resumes.load(Ordering::Relaxed) == 1
        })
        .await;
        wait_until(
            "the message sent while down",
            Duration::from_secs(5),
            || tally.lock().seen.len() == 2,
        )
        .await;
        assert_eq!(
            status.identifies.load(Ordering::Relaxed),
            0,
            "no IDENTIFY after the restart"
        );
        assert_eq!(sim.gateway().stats.identifies.load(Ordering::Relaxed), 1);
        assert_eq!(sim.gateway().stats.resumes.load(Ordering::Relaxed), 1);
    });
}
