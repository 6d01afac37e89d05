//! A guild's cached configuration across processes: two kernels over one PostgreSQL and
//! one Redis (as two `agora` processes would be) — one caches a guild's configuration,
//! the other changes it and forgets it, and the first reads the change at once.

use std::sync::Arc;

use agora_actors::kernel::cache::Cache;
use agora_actors::kernel::catalogue::Catalogue;
use agora_actors::kernel::clock::{SharedClock, SystemClock};
use agora_actors::kernel::discord::DiscordRest;
use agora_actors::kernel::store::{GuildSettingsPatch, Store, StoreOptions};
use agora_actors::kernel::supervision::HealthRegistry;
use agora_actors::kernel::Kernel;
use agora_testkit::{redis_url, FreshPostgres};
use serde_json::json;
use twilight_model::id::Id;

/// One "process": its own pools and clients, the shared database and Redis.
async fn process(database_url: &str, redis: &str, prefix: &str) -> Kernel {
    let clock: SharedClock = Arc::new(SystemClock);
    let store = Store::connect(database_url, StoreOptions::default())
        .await
        .expect("the store connects");
    let cache = Cache::connect(Some(redis), prefix, clock.clone())
        .await
        .expect("Redis answers");
    // A client that is never called: the configuration needs no Discord.
    let discord = DiscordRest::connect("unused", Some("127.0.0.1:9"), Some(1))
        .await
        .expect("the client builds");
    Kernel {
        store,
        cache,
        discord,
        clock,
        catalogue: Arc::new(Catalogue::new()),
        health: HealthRegistry::default(),
        guilds: Default::default(),
        serial: Default::default(),
        owners: Arc::new([]),
        leadership: Default::default(),
        services: Default::default(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL and Redis: set AGORA_TEST_POSTGRES_URL and AGORA_TEST_REDIS_URL, run with --include-ignored"]
async fn two_processes_sharing_redis_agree_on_a_guilds_configuration() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (database, redis) = (FreshPostgres::create().await, redis_url());
    let prefix = format!("agora-test-{}:", std::process::id());
    let first = process(database.url(), &redis, &prefix).await;
    let second = process(database.url(), &redis, &prefix).await;
    first
        .store
        .migrate_with(&agora_actors::built_in_migrations())
        .await
        .unwrap();
    let guild = Id::new(4242);

    // The first process reads (and caches) the defaults.
    let before = first.guild_config(guild).await.unwrap();
    assert_eq!(before.settings.log_channel_id, None);
    assert!(before.features.is_on("shifts"));

    // The second changes the guild's settings and a feature's, as /config does.
    let patch = GuildSettingsPatch {
        log_channel_id: Some(Some(Id::new(77))),
        ..GuildSettingsPatch::default()
    };
    second
        .store
        .update_guild_settings(guild, patch)
        .await
        .unwrap();
    second
        .store
        .set_feature_setting(guild, "shifts", "enabled", &json!(false))
        .await
        .unwrap();
    second
        .store
        .set_command_role(guild, "shift drop", Id::new(55))
        .await
        .unwrap();
    second.forget_guild_config(guild).await;

    // The first sees both at once: the cached copy was forgotten for everyone.
    let after = first.guild_config(guild).await.unwrap();
    assert_eq!(after.settings.log_channel_id, Some(Id::new(77)));
    assert!(!after.features.is_on("shifts"));
    assert_eq!(
        after.command_roles.for_path("shift", &["drop"]),
        vec![("shift drop".to_owned(), Id::new(55))]
    );
    let _ = first.cache.delete_prefix("").await;
    database.remove().await;
}
