//! The store's contract: one suite of behaviours, run against SQLite (a fresh database
//! file per test) and PostgreSQL (a fresh database per test, created and dropped by
//! agora-testkit's `FreshPostgres`), plus the checks that only make sense on one backend.
//!
//! PostgreSQL comes from `AGORA_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`; `PGPASSWORD` is used when the URL has no
//! password). Those tests are ignored by a plain `cargo test` (it lists them, with the
//! reason) and run with `-- --include-ignored`, where an unset URL fails them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora_actors::kernel::clock::{Clock as _, ManualClock};
use agora_actors::kernel::store::*;
use agora_testkit::scratch::unique_name;
use agora_testkit::{FreshPostgres, Scratch};
use chrono::{DateTime, Utc};
use serde_json::json;
use twilight_model::id::Id;

/// A typed Discord id from a number (the tests' guilds, people, roles and channels).
fn id<T>(n: u64) -> Id<T> {
    Id::new(n)
}

// ---------------------------------------------------------------------------------------
// Test databases
// ---------------------------------------------------------------------------------------

/// One test's database, removed when dropped.
struct TestDatabase {
    url: String,
    password: Option<String>,
    clock: Arc<ManualClock>,
    place: Place,
}

enum Place {
    /// A folder of its own holding the database file (in a folder the store creates).
    SqliteFile { _folder: Scratch, file: PathBuf },
    /// A database of its own on the server, dropped with it.
    Postgres(Box<FreshPostgres>),
}

/// When every test's clock starts; nanoseconds on purpose (the store keeps microseconds).
fn start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-29T00:30:00.123456789Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn stored_start_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-29T00:30:00.123456Z")
        .unwrap()
        .with_timezone(&Utc)
}

impl TestDatabase {
    async fn sqlite() -> TestDatabase {
        let folder = Scratch::new("agora_store_test");
        let file = folder.join("nested").join("agora.db");
        TestDatabase {
            url: format!("sqlite://{}", file.display()),
            password: None,
            clock: ManualClock::new(start_time()),
            place: Place::SqliteFile {
                _folder: folder,
                file,
            },
        }
    }

    /// A fresh database on the test server.
    async fn postgres() -> TestDatabase {
        let database = FreshPostgres::create().await;
        TestDatabase {
            url: database.url().to_owned(),
            password: database.password().map(str::to_owned),
            clock: ManualClock::new(start_time()),
            place: Place::Postgres(Box::new(database)),
        }
    }

    fn options(&self) -> StoreOptions {
        StoreOptions {
            max_connections: 4,
            password: self.password.clone(),
            connect_timeout: Duration::from_secs(10),
            clock: self.clock.clone(),
        }
    }

    async fn connect(&self) -> Store {
        Store::connect(&self.url, self.options())
            .await
            .expect("the store connects")
    }

    async fn migrated(&self) -> Store {
        let store = self.connect().await;
        store
            .migrate_with(&agora_actors::built_in_migrations())
            .await
            .expect("migrations apply");
        store
    }

    /// Runs a `SELECT COUNT(*) …` straight on the database, bypassing the store.
    async fn count(&self, sql: &str) -> i64 {
        match &self.place {
            Place::SqliteFile { file, .. } => {
                let (file, sql) = (file.clone(), sql.to_owned());
                tokio::task::spawn_blocking(move || {
                    use diesel::{Connection, RunQueryDsl};
                    let mut connection =
                        diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap();
                    diesel::sql_query(sql)
                        .get_result::<Count>(&mut connection)
                        .unwrap()
                        .count
                })
                .await
                .unwrap()
            }
            Place::Postgres(database) => {
                let client = database.client().await.unwrap();
                client.query_one(sql, &[]).await.unwrap().get(0)
            }
        }
    }

    /// Runs a statement straight on the database, bypassing the store.
    async fn execute(&self, sql: &str) {
        match &self.place {
            Place::SqliteFile { file, .. } => {
                let (file, sql) = (file.clone(), sql.to_owned());
                tokio::task::spawn_blocking(move || {
                    use diesel::connection::SimpleConnection;
                    use diesel::Connection;
                    let mut connection =
                        diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap();
                    connection.batch_execute(&sql).unwrap();
                })
                .await
                .unwrap()
            }
            Place::Postgres(database) => database
                .client()
                .await
                .unwrap()
                .batch_execute(sql)
                .await
                .unwrap(),
        }
    }
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    count: i64,
}

// ---------------------------------------------------------------------------------------
// The contract, once per backend
// ---------------------------------------------------------------------------------------

macro_rules! contract {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $behaviour() {
                    let database = super::TestDatabase::sqlite().await;
                    super::$behaviour(&database).await;
                }
            )*
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[ignore = "needs PostgreSQL: set AGORA_TEST_POSTGRES_URL, run with --include-ignored"]
                async fn $behaviour() {
                    let database = super::TestDatabase::postgres().await;
                    super::$behaviour(&database).await;
                }
            )*
        }
    };
}

contract!(
    migrating_twice_applies_nothing_the_second_time,
    migrating_on_a_current_thread_runtime_works,
    processes_migrating_together_apply_each_migration_once,
    a_guild_without_settings_has_none,
    guild_settings_round_trip_every_field,
    guild_settings_round_trip_nulls_and_clearing,
    upserting_twice_keeps_one_row_and_the_creation_time,
    a_patch_leaves_untouched_fields_alone,
    a_patch_creates_a_missing_row_with_defaults,
    concurrent_patches_of_different_fields_all_land,
    one_guild_never_sees_another_guilds_settings,
    feature_settings_round_trip_json,
    feature_settings_are_scoped_by_guild_and_feature,
    command_roles_are_set_replaced_cleared_and_scoped_by_guild,
    gateway_sessions_save_load_overwrite_delete,
    data_survives_a_reconnect,
    ping_answers_and_a_closed_store_refuses,
    corrupt_stored_json_is_an_error_not_a_panic,
    concurrent_claims_have_exactly_one_winner,
    shift_transitions_happen_once_and_stay_in_their_guild,
    schedule_slots_are_unique_per_person_weekday_and_time,
    a_notice_is_recorded_once_and_leased_by_one_sender,
    upcoming_counts_the_week_and_reads_its_claimed_shifts_times,
    heartbeats_replace_their_row_and_list_the_live_processes,
    ticket_openings_are_gated_once_per_person_and_numbered_per_guild,
    ticket_claims_and_closes_happen_once_and_stay_in_their_guild,
    ticket_workflow_changes_happen_once_and_a_purge_leaves_nothing,
    security_raids_start_once_and_snapshots_keep_the_first,
    stats_channels_embeds_counts_and_one_recalculation_per_guild,
    governance_proposals_open_once_and_are_decided_once,
    governance_reports_move_once_and_queue_messages_are_found_again,
);

fn support_category() -> agora_actors::tickets::store::CategoryInput {
    use agora_actors::tickets::store::{CategoryInput, Priority, Question};
    CategoryInput {
        name: "Support".into(),
        staff_role_id: Some(id(70)),
        parent_channel_id: None,
        sla_minutes: 30,
        default_priority: Priority::High,
        questions: vec![Question {
            label: "What happened?".into(),
            required: true,
            min_length: 1,
            max_length: 1000,
        }],
        anonymous: false,
        default_tags: vec!["new".into()],
        inactive_close_minutes: 60,
        captcha: false,
    }
}

async fn ticket_openings_are_gated_once_per_person_and_numbered_per_guild(database: &TestDatabase) {
    use agora_actors::tickets::store::Refused;
    let store = database.migrated().await;
    let now = start_time();
    let category = store
        .upsert_ticket_category(id(7), &support_category())
        .await
        .unwrap();
    // Upserting by name changes the one category.
    let mut changed = support_category();
    changed.sla_minutes = 60;
    let again = store.upsert_ticket_category(id(7), &changed).await.unwrap();
    assert_eq!((again.id, again.sla_minutes), (category.id, 60));
    assert_eq!(again.questions[0].label, "What happened?");
    assert!(
        store
            .ticket_category(id(8), category.id)
            .await
            .unwrap()
            .is_none(),
        "another guild's"
    );

    // Eight clicks at once with room for one: one passes.
    let gap = chrono::Duration::seconds(5);
    let mut clicks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let store = store.clone();
        clicks.spawn(async move {
            store
                .admit_ticket_opener(id(7), id(5), 1, gap, now)
                .await
                .unwrap()
        });
    }
    let mut admitted = 0;
    while let Some(outcome) = clicks.join_next().await {
        match outcome.unwrap() {
            Ok(()) => admitted += 1,
            Err(refused) => assert_eq!(refused, Refused::TooMany(1)),
        }
    }
    assert_eq!(admitted, 1);
    // With room for two, the gap still holds the second back, and says until when.
    assert_eq!(
        store
            .admit_ticket_opener(id(7), id(5), 2, gap, now)
            .await
            .unwrap(),
        Err(Refused::TooSoon(stored_start_time() + gap))
    );
    let later = now + chrono::Duration::seconds(6);
    assert_eq!(
        store
            .admit_ticket_opener(id(7), id(5), 2, gap, later)
            .await
            .unwrap(),
        Ok(())
    );
    // A place given back is free again; a failed opening gives the cooldown back too.
    store
        .release_ticket_opener(id(7), id(5), true)
        .await
        .unwrap();
    assert_eq!(
        store
            .admit_ticket_opener(id(7), id(5), 2, gap, later)
            .await
            .unwrap(),
        Ok(())
    );

    // Numbers count per guild, also when tickets are made at once.
    let mut makers = tokio::task::JoinSet::new();
    for person in 1..=6u64 {
        let (store, category) = (store.clone(), category.clone());
        makers.spawn(async move {
            let answers = vec![("What happened?".to_owned(), format!("person {person}"))];
            store
                .create_ticket(id(7), &category, id(person), &answers, now)
                .await
                .unwrap()
        });
    }
    let mut numbers = Vec::new();
    while let Some(ticket) = makers.join_next().await {
        let ticket = ticket.unwrap();
        assert_eq!(
            ticket.priority,
            agora_actors::tickets::store::Priority::High
        );
        numbers.push(ticket.number);
    }
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2, 3, 4, 5, 6]);
    let other_guild = store
        .upsert_ticket_category(id(8), &support_category())
        .await
        .unwrap();
    let first_there = store
        .create_ticket(id(8), &other_guild, id(1), &[], now)
        .await
        .unwrap();
    assert_eq!(first_there.number, 1);
    assert_eq!(first_there.label(), "ticket-0001");
    assert_eq!(store.tickets_opened_since(id(7), now).await.unwrap(), 6);
}

async fn ticket_claims_and_closes_happen_once_and_stay_in_their_guild(database: &TestDatabase) {
    use agora_actors::tickets::store::Status;
    let store = database.migrated().await;
    let now = start_time();
    let category = store
        .upsert_ticket_category(id(7), &support_category())
        .await
        .unwrap();
    let answers = vec![("What happened?".to_owned(), "It broke".to_owned())];
    let made = store
        .create_ticket(id(7), &category, id(5), &answers, now)
        .await
        .unwrap();
    assert_eq!(made.status, Status::Opening);
    // Claiming needs an open ticket.
    assert!(store
        .claim_ticket(made.id, id(60), now)
        .await
        .unwrap()
        .is_none());
    let open = store.ticket_opened(made.id, id(900)).await.unwrap();
    assert_eq!(
        (open.status, open.channel_id),
        (Status::Open, Some(id(900)))
    );
    assert_eq!(open.answers, answers);
    assert_eq!(
        store
            .ticket_in_channel(id(7), id(900))
            .await
            .unwrap()
            .unwrap()
            .id,
        made.id
    );
    assert!(
        store
            .ticket_in_channel(id(8), id(900))
            .await
            .unwrap()
            .is_none(),
        "another guild's"
    );
    assert!(
        store.ticket(id(8), made.id).await.unwrap().is_none(),
        "another guild's"
    );

    // Six staff claim at once: one claim.
    let mut claims = tokio::task::JoinSet::new();
    for staff in 60..66u64 {
        let store = store.clone();
        claims.spawn(async move { store.claim_ticket(made.id, id(staff), now).await.unwrap() });
    }
    let mut winners = Vec::new();
    while let Some(won) = claims.join_next().await {
        winners.extend(won.unwrap().and_then(|ticket| ticket.claimed_by));
    }
    assert_eq!(winners.len(), 1);
    // Only the holder gives it back (or anyone, for an admin: `None`).
    let holder = winners[0];
    let other = if holder == id(60) { id(61) } else { id(60) };
    assert!(store
        .unclaim_ticket(made.id, Some(other), now)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .unclaim_ticket(made.id, None, now)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .unclaim_ticket(made.id, Some(holder), now)
        .await
        .unwrap()
        .is_none());

    // Two closes at once: one closes.
    let (first, second) = tokio::join!(
        store.close_ticket(made.id, id(60), Some("Solved"), now),
        store.close_ticket(made.id, id(61), None, now)
    );
    let closed: Vec<_> = [first.unwrap(), second.unwrap()]
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].status, Status::Closed);
    assert!(store.reopen_ticket(made.id, now).await.unwrap().is_some());
    assert!(
        store.reopen_ticket(made.id, now).await.unwrap().is_none(),
        "once"
    );
    assert!(store
        .close_ticket(made.id, id(60), None, now)
        .await
        .unwrap()
        .is_some());
    assert!(store.ticket_deleted(made.id, now).await.unwrap());
    assert!(!store.ticket_deleted(made.id, now).await.unwrap(), "once");

    // The timeline keeps its order.
    for kind in ["opened", "claimed", "note", "closed"] {
        store
            .add_ticket_event(&open, id(60), kind, "", now)
            .await
            .unwrap();
    }
    let kinds: Vec<String> = store
        .ticket_events(made.id)
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.kind)
        .collect();
    assert_eq!(kinds, ["opened", "claimed", "note", "closed"]);
}

async fn heartbeats_replace_their_row_and_list_the_live_processes(database: &TestDatabase) {
    let store = database.migrated().await;
    let started = database.clock.now() - chrono::Duration::minutes(1);
    let beat = |name: &str, first: u32, leader: bool| agora_actors::kernel::store::ProcessBeat {
        name: name.to_owned(),
        shard_first: first,
        shard_count: 3,
        shard_total: 8,
        leader,
        version: "0.1.0".to_owned(),
        started_at: started,
        heartbeat_at: started,
    };
    store.beat(&beat("b:2", 3, false)).await.unwrap();
    store.beat(&beat("a:1", 0, false)).await.unwrap();
    // The same process again: its row is replaced, not added.
    store.beat(&beat("a:1", 0, true)).await.unwrap();
    // Stamped on the store's clock.
    let since = database.clock.now() - chrono::Duration::seconds(1);
    let live = store.processes_since(since).await.unwrap();
    let names: Vec<(&str, u32, bool)> = live
        .iter()
        .map(|p| (p.name.as_str(), p.shard_first, p.leader))
        .collect();
    assert_eq!(names, [("a:1", 0, true), ("b:2", 3, false)]);
    assert!(live.iter().all(|p| p.heartbeat_at >= since));
    database.clock.advance(chrono::Duration::seconds(31));
    let later = database.clock.now() - chrono::Duration::seconds(30);
    assert!(store.processes_since(later).await.unwrap().is_empty());
    assert!(store.forget_process("a:1").await.unwrap());
    assert!(!store.forget_process("a:1").await.unwrap());
    assert_eq!(
        store.processes_since(since).await.unwrap().len(),
        1,
        "b:2 is left"
    );
}

/// How many migrations the built-in features bring.
const BUILT_IN_MIGRATIONS: usize = 14;

async fn migrating_twice_applies_nothing_the_second_time(database: &TestDatabase) {
    let store = database.connect().await;
    let applied = store
        .migrate_with(&agora_actors::built_in_migrations())
        .await
        .unwrap();
    assert_eq!(
        applied,
        vec![
            "2026-11-22-000000_core".to_owned(),
            "2026-11-22-000001_shifts".to_owned(),
            "2026-12-01-000000_shift_setting_keys".to_owned(),
            "2026-12-01-100000_shift_notices".to_owned(),
            "2026-12-01-200000_processes".to_owned(),
            "2026-12-03-000000_tickets".to_owned(),
            "2026-12-04-000000_ticket_workflow".to_owned(),
            "2026-12-04-000001_ticket_staff_warnings".to_owned(),
            "2026-12-04-180000_command_roles".to_owned(),
            "2026-12-05-000000_security".to_owned(),
            "2026-12-06-130000_stats".to_owned(),
            "2026-12-07-000000_governance".to_owned(),
            "2026-12-08-120000_usage".to_owned(),
            "2026-12-09-080000_stats_live".to_owned()
        ]
    );
    assert_eq!(
        store
            .migrate_with(&agora_actors::built_in_migrations())
            .await
            .unwrap(),
        Vec::<String>::new()
    );
    // The tables are there and empty.
    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM guild_settings")
            .await,
        0
    );
    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM feature_settings")
            .await,
        0
    );
    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM gateway_sessions")
            .await,
        0
    );
}

async fn migrating_on_a_current_thread_runtime_works(database: &TestDatabase) {
    // Migrations block on async queries from a blocking thread; make sure that also
    // works when the runtime has a single thread (as `#[tokio::test]` does by default).
    let (url, options) = (database.url.clone(), database.options());
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let store = Store::connect(&url, options).await.unwrap();
            assert_eq!(
                store
                    .migrate_with(&agora_actors::built_in_migrations())
                    .await
                    .unwrap()
                    .len(),
                BUILT_IN_MIGRATIONS
            );
            store
                .upsert_guild_settings(&GuildSettings::new(id(1)))
                .await
                .unwrap();
            assert!(store.guild_settings(id(1)).await.unwrap().is_some());
            store.close();
        });
    })
    .join()
    .unwrap();
}

async fn processes_migrating_together_apply_each_migration_once(database: &TestDatabase) {
    // Two stores stand for two processes starting together over one database.
    let (first, second) = (database.connect().await, database.connect().await);
    let migrations = agora_actors::built_in_migrations();
    let (first, second) = tokio::join!(
        first.migrate_with(&migrations),
        second.migrate_with(&migrations)
    );
    let mut applied = [first.unwrap().len(), second.unwrap().len()];
    applied.sort_unstable();
    assert_eq!(applied, [0, BUILT_IN_MIGRATIONS]);
}

async fn a_guild_without_settings_has_none(database: &TestDatabase) {
    let store = database.migrated().await;
    assert_eq!(store.guild_settings(id(42)).await.unwrap(), None);
    assert!(!store.delete_guild_settings(id(42)).await.unwrap());
}

fn full_settings(guild_id: u64) -> GuildSettings {
    GuildSettings {
        // The largest snowflakes round-trip too (stored as the same 64 bits).
        admin_role_id: Some(id(u64::MAX)),
        moderator_role_id: Some(id(1_234_567_890_123_456_789)),
        log_channel_id: Some(id(987_654_321_987_654_321)),
        allowed_channel_ids: vec![id(1), id(u64::MAX), id(555_555_555_555_555_555)],
        locale: "pt-BR".to_owned(),
        ..GuildSettings::new(id(guild_id))
    }
}

async fn guild_settings_round_trip_every_field(database: &TestDatabase) {
    let store = database.migrated().await;
    let written = full_settings(1_100_000_000_000_000_001);
    let returned = store.upsert_guild_settings(&written).await.unwrap();
    let expected = GuildSettings {
        created_at: stored_start_time(),
        updated_at: stored_start_time(),
        ..written.clone()
    };
    assert_eq!(returned, expected);
    assert_eq!(
        store.guild_settings(written.guild_id).await.unwrap(),
        Some(expected)
    );

    // Text is kept byte for byte, whatever its script.
    let unusual = GuildSettings {
        locale: "zh-Hant-TW ✓ 'quoted' \"double\"".to_owned(),
        ..written
    };
    store.upsert_guild_settings(&unusual).await.unwrap();
    assert_eq!(
        store
            .guild_settings(unusual.guild_id)
            .await
            .unwrap()
            .unwrap()
            .locale,
        unusual.locale
    );
}

async fn guild_settings_round_trip_nulls_and_clearing(database: &TestDatabase) {
    let store = database.migrated().await;
    let bare = GuildSettings::new(id(7));
    let stored = store.upsert_guild_settings(&bare).await.unwrap();
    assert_eq!(stored.admin_role_id, None);
    assert_eq!(stored.moderator_role_id, None);
    assert_eq!(stored.log_channel_id, None);
    assert_eq!(stored.allowed_channel_ids, Vec::<Id<_>>::new());
    assert_eq!(stored.locale, DEFAULT_LOCALE);

    store
        .upsert_guild_settings(&full_settings(7))
        .await
        .unwrap();
    // Upserting the bare settings again clears every optional field.
    store.upsert_guild_settings(&bare).await.unwrap();
    let read = store.guild_settings(id(7)).await.unwrap().unwrap();
    assert_eq!(
        (
            read.admin_role_id,
            read.moderator_role_id,
            read.log_channel_id,
            read.allowed_channel_ids,
            read.locale
        ),
        (None, None, None, vec![], DEFAULT_LOCALE.to_owned())
    );
}

async fn upserting_twice_keeps_one_row_and_the_creation_time(database: &TestDatabase) {
    let store = database.migrated().await;
    store
        .upsert_guild_settings(&full_settings(9))
        .await
        .unwrap();
    database.clock.advance(chrono::Duration::minutes(5));
    let second = GuildSettings {
        locale: "fr".to_owned(),
        ..full_settings(9)
    };
    let stored = store.upsert_guild_settings(&second).await.unwrap();

    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM guild_settings")
            .await,
        1
    );
    assert_eq!(stored.locale, "fr");
    assert_eq!(stored.created_at, stored_start_time());
    assert_eq!(
        stored.updated_at,
        stored_start_time() + chrono::Duration::minutes(5)
    );
    assert_eq!(store.guild_settings(id(9)).await.unwrap(), Some(stored));
}

async fn a_patch_leaves_untouched_fields_alone(database: &TestDatabase) {
    let store = database.migrated().await;
    let original = store
        .upsert_guild_settings(&full_settings(3))
        .await
        .unwrap();
    database.clock.advance(chrono::Duration::seconds(30));

    let locale_only = GuildSettingsPatch {
        locale: Some("de".to_owned()),
        ..Default::default()
    };
    let after_locale = store
        .update_guild_settings(id(3), locale_only)
        .await
        .unwrap();
    assert_eq!(
        after_locale,
        GuildSettings {
            locale: "de".to_owned(),
            updated_at: original.updated_at + chrono::Duration::seconds(30),
            ..original.clone()
        }
    );

    let clear_log_set_admin = GuildSettingsPatch {
        log_channel_id: Some(None),
        admin_role_id: Some(Some(id(77))),
        allowed_channel_ids: Some(vec![]),
        ..Default::default()
    };
    let after = store
        .update_guild_settings(id(3), clear_log_set_admin)
        .await
        .unwrap();
    assert_eq!(after.log_channel_id, None);
    assert_eq!(after.admin_role_id, Some(id(77)));
    assert_eq!(after.allowed_channel_ids, Vec::<Id<_>>::new());
    assert_eq!(after.moderator_role_id, original.moderator_role_id);
    assert_eq!(after.locale, "de");
    assert_eq!(after.created_at, original.created_at);
    assert_eq!(
        store.guild_settings(id(3)).await.unwrap(),
        Some(after.clone())
    );

    // An empty patch changes nothing but the update time.
    let unchanged = store
        .update_guild_settings(id(3), GuildSettingsPatch::default())
        .await
        .unwrap();
    assert_eq!(unchanged, after);
}

async fn a_patch_creates_a_missing_row_with_defaults(database: &TestDatabase) {
    let store = database.migrated().await;
    let patch = GuildSettingsPatch {
        moderator_role_id: Some(Some(id(5))),
        ..Default::default()
    };
    let created = store.update_guild_settings(id(11), patch).await.unwrap();
    let expected = GuildSettings {
        moderator_role_id: Some(id(5)),
        created_at: stored_start_time(),
        updated_at: stored_start_time(),
        ..GuildSettings::new(id(11))
    };
    assert_eq!(created, expected);
    assert_eq!(store.guild_settings(id(11)).await.unwrap(), Some(expected));
}

async fn concurrent_patches_of_different_fields_all_land(database: &TestDatabase) {
    let store = database.migrated().await;
    let mut tasks = tokio::task::JoinSet::new();
    for guild_id in 1..=16_u64 {
        for field in 0..3 {
            let store = store.clone();
            tasks.spawn(async move {
                let value = guild_id * 10 + field;
                let patch = match field {
                    0 => GuildSettingsPatch {
                        admin_role_id: Some(Some(id(value))),
                        ..Default::default()
                    },
                    1 => GuildSettingsPatch {
                        moderator_role_id: Some(Some(id(value))),
                        ..Default::default()
                    },
                    _ => GuildSettingsPatch {
                        log_channel_id: Some(Some(id(value))),
                        ..Default::default()
                    },
                };
                store
                    .update_guild_settings(id(guild_id), patch)
                    .await
                    .unwrap();
            });
        }
    }
    while let Some(finished) = tasks.join_next().await {
        finished.unwrap();
    }
    for guild_id in 1..=16_u64 {
        let settings = store.guild_settings(id(guild_id)).await.unwrap().unwrap();
        assert_eq!(
            (
                settings.admin_role_id,
                settings.moderator_role_id,
                settings.log_channel_id
            ),
            (
                Some(id(guild_id * 10)),
                Some(id(guild_id * 10 + 1)),
                Some(id(guild_id * 10 + 2))
            ),
            "guild {guild_id}"
        );
    }
    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM guild_settings")
            .await,
        16
    );
}

async fn one_guild_never_sees_another_guilds_settings(database: &TestDatabase) {
    let store = database.migrated().await;
    let (guild_a, guild_b) = (1001, 1002);
    store
        .upsert_guild_settings(&full_settings(guild_a))
        .await
        .unwrap();
    store
        .set_feature_setting(id(guild_a), "tickets", "category", &json!(123))
        .await
        .unwrap();

    assert_eq!(store.guild_settings(id(guild_b)).await.unwrap(), None);
    assert_eq!(
        store
            .feature_setting(id(guild_b), "tickets", "category")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .feature_settings(id(guild_b), "tickets")
            .await
            .unwrap(),
        vec![]
    );

    // Writing and deleting B leaves A as it was.
    store
        .update_guild_settings(
            id(guild_b),
            GuildSettingsPatch {
                locale: Some("ja".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store
        .set_feature_setting(id(guild_b), "tickets", "category", &json!(456))
        .await
        .unwrap();
    assert!(store.delete_guild_settings(id(guild_b)).await.unwrap());
    assert!(store
        .delete_feature_setting(id(guild_b), "tickets", "category")
        .await
        .unwrap());

    let a = store.guild_settings(id(guild_a)).await.unwrap().unwrap();
    assert_eq!(
        a,
        GuildSettings {
            created_at: a.created_at,
            updated_at: a.updated_at,
            ..full_settings(guild_a)
        }
    );
    assert_eq!(
        store
            .feature_setting(id(guild_a), "tickets", "category")
            .await
            .unwrap(),
        Some(json!(123))
    );
}

async fn command_roles_are_set_replaced_cleared_and_scoped_by_guild(database: &TestDatabase) {
    let store = database.connect().await;
    store.migrate().await.unwrap();
    let (guild, other) = (id(1), id(2));
    assert!(store.command_roles(guild).await.unwrap().is_empty());
    store
        .set_command_role(guild, "shift drop", id(10))
        .await
        .unwrap();
    store
        .set_command_role(guild, "tickets", id(11))
        .await
        .unwrap();
    // Setting a path again replaces its role: one row per (guild, path).
    store
        .set_command_role(guild, "shift drop", id(12))
        .await
        .unwrap();
    store
        .set_command_role(other, "tickets", id(13))
        .await
        .unwrap();
    assert_eq!(
        store.command_roles(guild).await.unwrap(),
        vec![
            ("shift drop".to_owned(), id(12)),
            ("tickets".to_owned(), id(11))
        ]
    );
    assert!(store.clear_command_role(guild, "tickets").await.unwrap());
    assert!(!store.clear_command_role(guild, "tickets").await.unwrap());
    assert_eq!(store.delete_command_roles(guild).await.unwrap(), 1);
    assert!(store.command_roles(guild).await.unwrap().is_empty());
    assert_eq!(
        store.command_roles(other).await.unwrap(),
        vec![("tickets".to_owned(), id(13))],
        "another guild's rules are its own"
    );
}

async fn feature_settings_round_trip_json(database: &TestDatabase) {
    let store = database.migrated().await;
    let values = [
        ("array", json!([1, "two", 3.5, null])),
        ("bool", json!(true)),
        ("null", json!(null)),
        ("number", json!(9_007_199_254_740_993_i64)),
        (
            "object",
            json!({"roles": [1, 2], "nested": {"deep": "ünïcödé ✓"}, "empty": {}}),
        ),
        ("string", json!("a \"quoted\" string\nwith a newline")),
    ];
    for (key, value) in &values {
        store
            .set_feature_setting(id(5), "shifts", key, value)
            .await
            .unwrap();
    }
    for (key, value) in &values {
        assert_eq!(
            store
                .feature_setting(id(5), "shifts", key)
                .await
                .unwrap()
                .as_ref(),
            Some(value),
            "{key}"
        );
    }
    let listed = store.feature_settings(id(5), "shifts").await.unwrap();
    let expected: Vec<(String, serde_json::Value)> = values
        .iter()
        .map(|(key, value)| ((*key).to_owned(), value.clone()))
        .collect();
    assert_eq!(listed, expected);

    // Setting again replaces; deleting removes.
    store
        .set_feature_setting(id(5), "shifts", "bool", &json!(false))
        .await
        .unwrap();
    assert_eq!(
        store
            .feature_setting(id(5), "shifts", "bool")
            .await
            .unwrap(),
        Some(json!(false))
    );
    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM feature_settings")
            .await,
        values.len() as i64
    );
    assert!(store
        .delete_feature_setting(id(5), "shifts", "bool")
        .await
        .unwrap());
    assert!(!store
        .delete_feature_setting(id(5), "shifts", "bool")
        .await
        .unwrap());
    assert_eq!(
        store
            .feature_setting(id(5), "shifts", "bool")
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .feature_setting(id(5), "shifts", "never-set")
            .await
            .unwrap(),
        None
    );
}

async fn feature_settings_are_scoped_by_guild_and_feature(database: &TestDatabase) {
    let store = database.migrated().await;
    store
        .set_feature_setting(id(1), "tickets", "limit", &json!(3))
        .await
        .unwrap();
    store
        .set_feature_setting(id(1), "shifts", "limit", &json!(8))
        .await
        .unwrap();
    store
        .set_feature_setting(id(2), "tickets", "limit", &json!(5))
        .await
        .unwrap();
    // Keys sort by bytes on both backends, whatever the collation: "B" < "a" < "b".
    store
        .set_feature_setting(id(1), "tickets", "b", &json!("b"))
        .await
        .unwrap();
    store
        .set_feature_setting(id(1), "tickets", "B", &json!("B"))
        .await
        .unwrap();
    store
        .set_feature_setting(id(1), "tickets", "a", &json!("a"))
        .await
        .unwrap();

    assert_eq!(
        store
            .feature_setting(id(1), "tickets", "limit")
            .await
            .unwrap(),
        Some(json!(3))
    );
    assert_eq!(
        store
            .feature_setting(id(1), "shifts", "limit")
            .await
            .unwrap(),
        Some(json!(8))
    );
    assert_eq!(
        store
            .feature_setting(id(2), "tickets", "limit")
            .await
            .unwrap(),
        Some(json!(5))
    );
    let keys: Vec<String> = store
        .feature_settings(id(1), "tickets")
        .await
        .unwrap()
        .into_iter()
        .map(|(key, _)| key)
        .collect();
    assert_eq!(keys, ["B", "a", "b", "limit"]);
    assert_eq!(
        store.feature_settings(id(1), "shifts").await.unwrap(),
        vec![("limit".to_owned(), json!(8))]
    );
    assert_eq!(
        store.feature_settings(id(2), "shifts").await.unwrap(),
        vec![]
    );
}

async fn gateway_sessions_save_load_overwrite_delete(database: &TestDatabase) {
    let store = database.migrated().await;
    assert_eq!(store.load_gateway_session(0).await.unwrap(), None);

    let first = SavedSession {
        shard_id: 0,
        shard_count: 2,
        session_id: "abc123".to_owned(),
        sequence: 41,
        resume_url: "wss://gateway-us-east1-b.discord.gg".to_owned(),
        saved_at: DateTime::UNIX_EPOCH,
    };
    store.save_gateway_session(&first).await.unwrap();
    let other_shard = SavedSession {
        shard_id: 1,
        session_id: "other".to_owned(),
        ..first.clone()
    };
    store.save_gateway_session(&other_shard).await.unwrap();
    assert_eq!(
        store.load_gateway_session(0).await.unwrap(),
        Some(SavedSession {
            saved_at: stored_start_time(),
            ..first.clone()
        })
    );

    database.clock.advance(chrono::Duration::seconds(10));
    let later = SavedSession {
        session_id: "def456".to_owned(),
        sequence: i64::MAX as u64,
        resume_url: "wss://elsewhere.discord.gg".to_owned(),
        ..first.clone()
    };
    store.save_gateway_session(&later).await.unwrap();
    let loaded = store.load_gateway_session(0).await.unwrap().unwrap();
    assert_eq!(
        loaded,
        SavedSession {
            saved_at: stored_start_time() + chrono::Duration::seconds(10),
            ..later
        }
    );
    assert_eq!(
        database
            .count("SELECT COUNT(*) AS count FROM gateway_sessions")
            .await,
        2
    );
    let all = store.load_gateway_sessions().await.unwrap();
    assert_eq!(
        all.iter()
            .map(|session| session.shard_id)
            .collect::<Vec<_>>(),
        [0, 1]
    );

    // A sequence beyond the column is refused, not wrapped.
    let too_far = SavedSession {
        sequence: u64::MAX,
        ..first.clone()
    };
    assert!(matches!(
        store.save_gateway_session(&too_far).await,
        Err(StoreError::InvalidData { .. })
    ));

    assert!(store.delete_gateway_session(0).await.unwrap());
    assert!(!store.delete_gateway_session(0).await.unwrap());
    assert_eq!(store.load_gateway_session(0).await.unwrap(), None);
    assert!(store.load_gateway_session(1).await.unwrap().is_some());
}

async fn data_survives_a_reconnect(database: &TestDatabase) {
    let store = database.migrated().await;
    store
        .upsert_guild_settings(&full_settings(21))
        .await
        .unwrap();
    store
        .set_feature_setting(id(21), "stats", "window", &json!("7d"))
        .await
        .unwrap();
    store.close();
    drop(store);

    let reopened = database.connect().await;
    assert_eq!(
        reopened
            .migrate_with(&agora_actors::built_in_migrations())
            .await
            .unwrap(),
        Vec::<String>::new()
    );
    let settings = reopened.guild_settings(id(21)).await.unwrap().unwrap();
    assert_eq!(
        settings.allowed_channel_ids,
        full_settings(21).allowed_channel_ids
    );
    assert_eq!(
        reopened
            .feature_setting(id(21), "stats", "window")
            .await
            .unwrap(),
        Some(json!("7d"))
    );
}

async fn ping_answers_and_a_closed_store_refuses(database: &TestDatabase) {
    let store = database.migrated().await;
    store.ping().await.unwrap();
    let clone = store.clone();
    store.close();
    for result in [
        clone.ping().await.map(|_| ()),
        clone.guild_settings(id(1)).await.map(|_| ()),
    ] {
        match result {
            Err(StoreError::Closed) => {}
            other => panic!("expected StoreError::Closed, got {other:?}"),
        }
    }
}

async fn corrupt_stored_json_is_an_error_not_a_panic(database: &TestDatabase) {
    let store = database.migrated().await;
    database
        .execute(
            "INSERT INTO guild_settings (guild_id, allowed_channel_ids) VALUES (66, 'not json'); \
             INSERT INTO feature_settings (guild_id, feature, key, value) VALUES (66, 'f', 'k', '{broken');",
        )
        .await;
    match store.guild_settings(id(66)).await {
        Err(error @ StoreError::InvalidData { .. }) => assert!(!error.is_unavailable()),
        other => panic!("expected InvalidData, got {other:?}"),
    }
    assert!(matches!(
        store.feature_setting(id(66), "f", "k").await,
        Err(StoreError::InvalidData { .. })
    ));
    assert!(matches!(
        store.feature_settings(id(66), "f").await,
        Err(StoreError::InvalidData { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// SQLite only
// ---------------------------------------------------------------------------------------

fn sqlite_file(database: &TestDatabase) -> &Path {
    match &database.place {
        Place::SqliteFile { file, .. } => file,
        Place::Postgres(_) => unreachable!("a SQLite test database"),
    }
}

#[tokio::test]
async fn sqlite_creates_folders_and_file_in_wal_mode() {
    let database = TestDatabase::sqlite().await;
    let file = sqlite_file(&database).to_path_buf();
    assert!(!file.parent().unwrap().exists());
    let store = database.migrated().await;
    assert_eq!(store.backend(), Backend::Sqlite);
    assert!(file.is_file(), "{} was created", file.display());

    // WAL is a property of the file: a fresh connection sees it.
    let journal_mode = tokio::task::spawn_blocking(move || {
        use diesel::{Connection, RunQueryDsl};
        #[derive(diesel::QueryableByName)]
        struct JournalMode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        let mut connection = diesel::SqliteConnection::establish(file.to_str().unwrap()).unwrap();
        diesel::sql_query("PRAGMA journal_mode")
            .get_result::<JournalMode>(&mut connection)
            .unwrap()
            .journal_mode
    })
    .await
    .unwrap();
    assert_eq!(journal_mode, "wal");
}

#[tokio::test]
async fn sqlite_relative_paths_are_relative_to_the_working_directory() {
    // A folder of its own in the working directory (the crate's, under cargo test),
    // removed at the end.
    let folder = unique_name("agora_store_relative_test", '_');
    let store = Store::connect(
        &format!("sqlite://{folder}/agora.db"),
        StoreOptions::default(),
    )
    .await
    .unwrap();
    store
        .migrate_with(&agora_actors::built_in_migrations())
        .await
        .unwrap();
    store.close();
    let absolute = std::env::current_dir().unwrap().join(&folder);
    let created = absolute.join("agora.db").is_file();
    std::fs::remove_dir_all(&absolute).unwrap();
    assert!(created, "{}/agora.db was created", absolute.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_memory_is_shared_by_the_pool_and_private_to_its_store() {
    let options = StoreOptions {
        max_connections: 4,
        ..StoreOptions::default()
    };
    let store = Store::connect("sqlite::memory:", options.clone())
        .await
        .unwrap();
    assert_eq!(
        store
            .migrate_with(&agora_actors::built_in_migrations())
            .await
            .unwrap()
            .len(),
        BUILT_IN_MIGRATIONS
    );
    // Many writers at once, so the pool opens several connections on the one database.
    let mut tasks = tokio::task::JoinSet::new();
    for guild_id in 1..=32 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .upsert_guild_settings(&GuildSettings::new(id(guild_id)))
                .await
                .unwrap()
        });
    }
    while let Some(finished) = tasks.join_next().await {
        finished.unwrap();
    }
    for guild_id in 1..=32 {
        assert!(
            store.guild_settings(id(guild_id)).await.unwrap().is_some(),
            "guild {guild_id}"
        );
    }

    let other = Store::connect("sqlite::memory:", options).await.unwrap();
    assert_eq!(
        other
            .migrate_with(&agora_actors::built_in_migrations())
            .await
            .unwrap()
            .len(),
        BUILT_IN_MIGRATIONS,
        "a second memory store starts empty"
    );
    assert_eq!(other.guild_settings(id(1)).await.unwrap(), None);
}

// ---------------------------------------------------------------------------------------
// Either backend, no server needed
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn an_unreachable_postgres_is_unavailable_within_the_timeout() {
    let timeout = Duration::from_secs(1);
    let options = StoreOptions {
        connect_timeout: timeout,
        ..StoreOptions::default()
    };
    let store = Store::connect("postgres://postgres:hunter2@127.0.0.1:1/x", options)
        .await
        .unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    let started = Instant::now();
    let error = store.ping().await.unwrap_err();
    let waited = started.elapsed();
    assert!(error.is_unavailable(), "{error:?}");
    eprintln!("unreachable PostgreSQL: {error}");
    assert!(
        waited < timeout + Duration::from_secs(2),
        "answered after {waited:?}"
    );
    let message = error.to_string();
    assert!(!message.contains("hunter2"), "{message}");
    assert!(!format!("{error:?}").contains("hunter2"));
    // Queries fail the same way.
    assert!(store
        .guild_settings(id(1))
        .await
        .unwrap_err()
        .is_unavailable());
}

#[tokio::test]
async fn passwords_never_show() {
    for url in [
        "postgres://agora:hunter2@db.example:5432/agora",
        "postgresql://agora:hunter2@db.example/agora?sslmode=disable",
        "postgres://db.example/agora?user=agora&password=hunter2",
        "postgres://agora:hunter2@db.example:notaport/agora",
    ] {
        let redacted = redact_url(url);
        assert!(!redacted.contains("hunter2"), "{redacted}");
        assert!(redacted.contains("db.example"), "{redacted}");
    }
    // An invalid URL's error, the store and its options print no password either.
    let error = Store::connect(
        "postgres://agora:hunter2@db.example:notaport/agora",
        StoreOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        !error.to_string().contains("hunter2") && !format!("{error:?}").contains("hunter2"),
        "{error}"
    );
    let options = StoreOptions {
        password: Some("hunter2".to_owned()),
        ..StoreOptions::default()
    };
    assert!(!format!("{options:?}").contains("hunter2"));
    let store = Store::connect("postgres://agora:hunter2@127.0.0.1:1/agora", options)
        .await
        .unwrap();
    assert!(!format!("{store:?}").contains("hunter2"));
    assert!(!store.redacted_url().contains("hunter2"));
}

#[tokio::test]
async fn an_unsupported_scheme_is_named() {
    let error = Store::connect(
        "mysql://root:hunter2@localhost/agora",
        StoreOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, StoreError::UnsupportedScheme { scheme } if scheme == "mysql"),
        "{error:?}"
    );
    assert!(error.to_string().contains("`mysql`"), "{error}");
    assert!(!error.is_unavailable());
}

#[tokio::test]
async fn impossible_options_are_errors_not_panics() {
    let no_connections = StoreOptions {
        max_connections: 0,
        ..StoreOptions::default()
    };
    assert!(matches!(
        Store::connect("sqlite::memory:", no_connections).await,
        Err(StoreError::InvalidOptions { .. })
    ));
    let no_time = StoreOptions {
        connect_timeout: Duration::ZERO,
        ..StoreOptions::default()
    };
    assert!(matches!(
        Store::connect("postgres://127.0.0.1/x", no_time).await,
        Err(StoreError::InvalidOptions { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Shifts
// ---------------------------------------------------------------------------------------

fn new_shift(
    guild_id: Id<twilight_model::id::marker::GuildMarker>,
    start: DateTime<Utc>,
    minutes: i64,
) -> agora_actors::shifts::store::NewShift {
    agora_actors::shifts::store::NewShift {
        guild_id,
        description: "Evening cover".into(),
        start,
        end: start + chrono::Duration::minutes(minutes),
        dropped_by: id(1),
        assigned_user_id: None,
        schedule_id: None,
    }
}

async fn concurrent_claims_have_exactly_one_winner(database: &TestDatabase) {
    let store = database.migrated().await;
    let now = start_time();
    let shift = store
        .insert_shift(&new_shift(id(7), now + chrono::Duration::hours(2), 60))
        .await
        .unwrap()
        .unwrap();
    let mut claims = tokio::task::JoinSet::new();
    for user in (100..150).map(id) {
        let store = store.clone();
        claims.spawn(async move {
            (
                user,
                store
                    .claim_shift(id(7), shift.id, user, now)
                    .await
                    .unwrap()
                    .is_some(),
            )
        });
    }
    let mut winners = Vec::new();
    while let Some(result) = claims.join_next().await {
        let (user, won) = result.unwrap();
        if won {
            winners.push(user);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let stored = store.shift(id(7), shift.id).await.unwrap().unwrap();
    assert_eq!(stored.claimed_by, Some(winners[0]));
    let totals = store.claim_totals(id(7), winners[0], None).await.unwrap();
    assert_eq!((totals.shifts, totals.minutes), (1, 60));
}

async fn shift_transitions_happen_once_and_stay_in_their_guild(database: &TestDatabase) {
    let store = database.migrated().await;
    let now = start_time();
    let shift = store
        .insert_shift(&new_shift(id(7), now + chrono::Duration::hours(2), 30))
        .await
        .unwrap()
        .unwrap();
    // Another guild can't see or touch it.
    assert_eq!(store.shift(id(8), shift.id).await.unwrap(), None);
    assert!(store
        .claim_shift(id(8), shift.id, id(5), now)
        .await
        .unwrap()
        .is_none());
    assert!(!store
        .cancel_shift(id(8), shift.id, id(5), now)
        .await
        .unwrap());
    // Claimed shifts can't be edited; only their claimer unclaims them.
    let claimed = store
        .claim_shift(id(7), shift.id, id(5), now)
        .await
        .unwrap();
    assert_eq!(
        claimed.map(|s| s.claimed_by),
        Some(Some(id(5))),
        "the claimed row comes back"
    );
    assert!(!store
        .edit_shift(id(7), shift.id, "x", shift.start, shift.end, now)
        .await
        .unwrap());
    assert!(!store
        .unclaim_shift(id(7), shift.id, id(6), now)
        .await
        .unwrap());
    assert!(store.mark_reminded(shift.id, id(5), now).await.unwrap());
    assert!(
        !store.mark_reminded(shift.id, id(5), now).await.unwrap(),
        "once"
    );
    assert!(store
        .unclaim_shift(id(7), shift.id, id(5), now)
        .await
        .unwrap());
    assert!(store.mark_unclaimed_ping(shift.id, now).await.unwrap());
    assert!(
        !store.mark_unclaimed_ping(shift.id, now).await.unwrap(),
        "once"
    );
    // After the start nobody claims it; after the end it is done once.
    let later = shift.start + chrono::Duration::minutes(1);
    assert!(store
        .claim_shift(id(7), shift.id, id(5), later)
        .await
        .unwrap()
        .is_none());
    assert!(store.mark_done(shift.id, later).await.unwrap());
    assert!(!store.mark_done(shift.id, later).await.unwrap(), "once");
    assert_eq!(store.shifts_due(later).await.unwrap(), Vec::new());
    // Cancelling twice cancels once.
    let other = store
        .insert_shift(&new_shift(id(7), now + chrono::Duration::hours(5), 60))
        .await
        .unwrap()
        .unwrap();
    assert!(store
        .cancel_shift(id(7), other.id, id(1), now)
        .await
        .unwrap());
    assert!(!store
        .cancel_shift(id(7), other.id, id(1), now)
        .await
        .unwrap());
}

async fn schedule_slots_are_unique_per_person_weekday_and_time(database: &TestDatabase) {
    let store = database.migrated().await;
    let slot = store
        .add_schedule_slot(id(7), id(5), 0, 540, "Europe/London")
        .await
        .unwrap();
    assert!(slot.is_some());
    assert_eq!(
        store
            .add_schedule_slot(id(7), id(5), 0, 540, "UTC")
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .add_schedule_slot(id(8), id(5), 0, 540, "UTC")
            .await
            .unwrap()
            .is_some(),
        "another guild"
    );
    assert!(store
        .add_schedule_slot(id(7), id(5), 1, 540, "UTC")
        .await
        .unwrap()
        .is_some());
    assert_eq!(store.schedule_slots(id(7), id(5)).await.unwrap().len(), 2);
    assert!(store
        .remove_schedule_slot(id(7), id(5), 0, 540)
        .await
        .unwrap());
    assert!(!store
        .remove_schedule_slot(id(7), id(5), 0, 540)
        .await
        .unwrap());
    assert_eq!(store.clear_schedule(id(7), id(5)).await.unwrap(), 1);
    assert_eq!(store.schedule_slots(id(8), id(5)).await.unwrap().len(), 1);
    // One live drop per occurrence of a slot.
    let slot_id = slot.unwrap().id;
    let occurrence = start_time() + chrono::Duration::days(1);
    let drop = || agora_actors::shifts::store::NewShift {
        schedule_id: Some(slot_id),
        assigned_user_id: Some(id(5)),
        ..new_shift(id(7), occurrence, 60)
    };
    let first = store.insert_shift(&drop()).await.unwrap().unwrap();
    assert_eq!(store.insert_shift(&drop()).await.unwrap(), None);
    assert!(store
        .cancel_shift(id(7), first.id, id(5), start_time())
        .await
        .unwrap());
    assert!(
        store.insert_shift(&drop()).await.unwrap().is_some(),
        "a cancelled drop frees the slot"
    );
}

async fn upcoming_counts_the_week_and_reads_its_claimed_shifts_times(database: &TestDatabase) {
    let store = database.migrated().await;
    let now = start_time();
    // The store keeps microseconds.
    let at =
        |hours: i64| chrono::SubsecRound::trunc_subsecs(now + chrono::Duration::hours(hours), 6);
    let shift = |guild: u64, from: i64, to: i64| {
        let store = store.clone();
        async move {
            store
                .insert_shift(&new_shift(id(guild), at(from), (to - from) * 60))
                .await
                .unwrap()
                .unwrap()
        }
    };
    // Claimed: 2–4, 3–6, 6–7 and 8–9; 10–11 is open;
    // 12–13 was claimed and cancelled; another guild's 1–24 is claimed.
    let claimed = [
        shift(7, 2, 4).await,
        shift(7, 3, 6).await,
        shift(7, 6, 7).await,
        shift(7, 8, 9).await,
    ];
    let open = shift(7, 10, 11).await;
    let cancelled = shift(7, 12, 13).await;
    let elsewhere = shift(8, 1, 24).await;
    for claimed in claimed.iter().chain([&cancelled]) {
        assert!(store
            .claim_shift(id(7), claimed.id, id(5), now)
            .await
            .unwrap()
            .is_some());
    }
    assert!(store
        .claim_shift(id(8), elsewhere.id, id(5), now)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .cancel_shift(id(7), cancelled.id, id(1), now)
        .await
        .unwrap());

    let week = store.upcoming(id(7), at(1), at(20), 15).await.unwrap();
    assert_eq!(
        week.count, 5,
        "the cancelled one and the other guild's are not counted"
    );
    assert_eq!(
        week.first.iter().map(|s| s.id).collect::<Vec<_>>(),
        [
            claimed[0].id,
            claimed[1].id,
            claimed[2].id,
            claimed[3].id,
            open.id
        ]
    );
    assert_eq!(
        week.claimed,
        vec![
            (at(2), at(4)),
            (at(3), at(6)),
            (at(6), at(7)),
            (at(8), at(9))
        ]
    );

    // A window starting inside a shift: the shifts it overlaps, whole (not clipped).
    let later = store.upcoming(id(7), at(5), at(20), 2).await.unwrap();
    assert_eq!((later.count, later.first.len()), (4, 2));
    assert_eq!(
        later.claimed,
        vec![(at(3), at(6)), (at(6), at(7)), (at(8), at(9))]
    );

    // Nothing claimed in the window; nothing at all.
    let quiet = store.upcoming(id(7), at(10), at(11), 15).await.unwrap();
    assert_eq!((quiet.count, quiet.claimed), (1, vec![]));
    let empty = store.upcoming(id(9), at(0), at(20), 15).await.unwrap();
    assert_eq!(
        (empty.count, empty.first, empty.claimed),
        (0, vec![], vec![])
    );

    // The longest shift (24 h), started 23 h before the window, reaches into it; one that
    // ends as the window starts does not.
    let longest = shift(7, 30, 54).await;
    shift(7, 50, 53).await;
    let next_day = store.upcoming(id(7), at(53), at(60), 15).await.unwrap();
    assert_eq!(
        (
            next_day.count,
            next_day.first.iter().map(|s| s.id).collect::<Vec<_>>()
        ),
        (1, vec![longest.id])
    );
    // A longer shift, or one that ends before it starts, is refused, dropped or edited.
    let too_long = new_shift(id(7), at(70), 24 * 60 + 1);
    assert!(matches!(
        store.insert_shift(&too_long).await,
        Err(StoreError::InvalidData { what: "shift", .. })
    ));
    assert!(matches!(
        store.insert_shift(&new_shift(id(7), at(70), 0)).await,
        Err(StoreError::InvalidData { what: "shift", .. })
    ));
    let stretched = store
        .edit_shift(
            id(7),
            open.id,
            "Longer",
            at(10),
            at(10) + agora_actors::shifts::store::LONGEST_SHIFT + chrono::Duration::minutes(1),
            now,
        )
        .await;
    assert!(matches!(
        stretched,
        Err(StoreError::InvalidData { what: "shift", .. })
    ));
    let unchanged = store.shift(id(7), open.id).await.unwrap().unwrap();
    assert_eq!((unchanged.start, unchanged.end), (at(10), at(11)));
    assert_eq!(
        store
            .upcoming(id(7), at(69), at(100), 15)
            .await
            .unwrap()
            .count,
        0
    );
}

async fn a_notice_is_recorded_once_and_leased_by_one_sender(database: &TestDatabase) {
    use agora_actors::shifts::notices::{NoticeState, NoticeTo};
    let store = database.migrated().await;
    let now = start_time();
    let shift = store
        .insert_shift(&new_shift(id(7), now + chrono::Duration::hours(2), 60))
        .await
        .unwrap()
        .unwrap();
    let to = NoticeTo::Claimer(id(5));
    assert!(store.record_notice(id(7), shift.id, to, now).await.unwrap());
    assert!(
        !store.record_notice(id(7), shift.id, to, now).await.unwrap(),
        "once"
    );
    let due = store.due_notices(now, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    let notice = &due[0];
    assert_eq!(
        (notice.to, notice.state, notice.attempts),
        (to, NoticeState::Pending, 0)
    );
    // Eight senders at once: one gets it.
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (store, notice) = (store.clone(), notice.clone());
        senders.spawn(async move { store.lease_notice(&notice, now).await.unwrap() });
    }
    let mut leased = 0;
    while let Some(won) = senders.join_next().await {
        leased += usize::from(won.unwrap());
    }
    assert_eq!(leased, 1);
    assert_eq!(store.due_notices(now, 10).await.unwrap(), vec![], "held");
    // Given back for later, it is due again then, with the attempt counted.
    let later = now + chrono::Duration::seconds(5);
    assert!(store
        .retry_notice_at(notice, "503", None, later)
        .await
        .unwrap());
    assert_eq!(store.due_notices(now, 10).await.unwrap(), vec![]);
    let again = store.due_notices(later, 10).await.unwrap();
    assert_eq!(again[0].attempts, 1);
    assert!(store.lease_notice(&again[0], later).await.unwrap());
    assert!(store
        .finish_notice(
            &again[0],
            NoticeState::Failed,
            Some(("no DMs", Some(50007))),
            later
        )
        .await
        .unwrap());
    assert!(
        !store
            .finish_notice(&again[0], NoticeState::Sent, None, later)
            .await
            .unwrap(),
        "a finished notice stays finished"
    );
    let week = now + chrono::Duration::days(7);
    let shown = store.shift_notices_between(id(7), now, week).await.unwrap();
    assert_eq!(
        (
            shown[0].state,
            shown[0].error_code,
            shown[0].last_error.as_deref()
        ),
        (NoticeState::Failed, Some(50007), Some("no DMs"))
    );
    // Another guild sees none of it; neither does a window the shift is not in.
    assert_eq!(
        store.shift_notices_between(id(8), now, week).await.unwrap(),
        vec![]
    );
    assert_eq!(
        store
            .shift_notices_between(id(7), week, week + chrono::Duration::days(7))
            .await
            .unwrap(),
        vec![]
    );
}

async fn ticket_workflow_changes_happen_once_and_a_purge_leaves_nothing(database: &TestDatabase) {
    use agora_actors::tickets::store::Status;
    let store = database.migrated().await;
    let now = start_time();
    let category = store
        .upsert_ticket_category(id(7), &support_category())
        .await
        .unwrap();
    assert_eq!(
        (
            category.default_tags.clone(),
            category.inactive_close_minutes
        ),
        (vec!["new".to_owned()], 60)
    );
    let made = store
        .create_ticket(id(7), &category, id(5), &[], now)
        .await
        .unwrap();
    assert_eq!(made.tags, vec!["new".to_owned()], "the category's tags");
    let open = store.ticket_opened(made.id, id(901)).await.unwrap();
    assert_eq!(
        store
            .ticket_by_number(id(7), open.number)
            .await
            .unwrap()
            .map(|t| t.id),
        Some(made.id)
    );
    assert!(store
        .ticket_by_number(id(8), open.number)
        .await
        .unwrap()
        .is_none());

    // Lock and escalate are conditional: two at once change it once.
    let (first, second) = tokio::join!(
        store.set_ticket_locked(made.id, true, now),
        store.set_ticket_locked(made.id, true, now)
    );
    assert_eq!(
        [first.unwrap(), second.unwrap()].iter().flatten().count(),
        1
    );
    let (first, second) = tokio::join!(
        store.escalate_ticket(made.id, 2, now),
        store.escalate_ticket(made.id, 2, now)
    );
    assert_eq!(
        [first.unwrap(), second.unwrap()].iter().flatten().count(),
        1
    );
    assert!(
        store
            .escalate_ticket(made.id, 1, now)
            .await
            .unwrap()
            .is_none(),
        "never down"
    );
    store
        .set_ticket_tags(made.id, &["billing".to_owned()], now)
        .await
        .unwrap();
    store
        .set_ticket_department(made.id, Some("Billing"), now)
        .await
        .unwrap();

    // Silent for an hour: inactive; a message resets the clock.
    let later = now + chrono::Duration::minutes(61);
    let inactive = store.inactive_tickets(later).await.unwrap();
    assert_eq!(
        inactive.iter().map(|(t, m)| (t.id, *m)).collect::<Vec<_>>(),
        vec![(made.id, 60)]
    );
    store
        .touch_ticket(id(901), now + chrono::Duration::minutes(30))
        .await
        .unwrap();
    assert!(store.inactive_tickets(later).await.unwrap().is_empty());

    // Feedback: only the opener, only once closed, only once.
    assert!(
        !store.rate_ticket(made.id, id(5), 4).await.unwrap(),
        "still open"
    );
    store
        .close_ticket(made.id, id(60), None, now)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !store.rate_ticket(made.id, id(6), 4).await.unwrap(),
        "not theirs"
    );
    let (first, second) = tokio::join!(
        store.rate_ticket(made.id, id(5), 4),
        store.rate_ticket(made.id, id(5), 1)
    );
    assert_eq!(
        [first.unwrap(), second.unwrap()]
            .iter()
            .filter(|x| **x)
            .count(),
        1
    );
    assert!(store
        .ticket_feedback_text(made.id, id(5), "Kind")
        .await
        .unwrap());
    assert!(!store
        .ticket_feedback_text(made.id, id(5), "Again")
        .await
        .unwrap());
    let rated = store.ticket(id(7), made.id).await.unwrap().unwrap();
    assert_eq!(
        (rated.locked, rated.escalation, rated.department.as_deref()),
        (true, 2, Some("Billing"))
    );
    assert_eq!(rated.status, Status::Closed);
    assert_eq!(rated.feedback_text.as_deref(), Some("Kind"));

    // A purge takes the row and its timeline, once; the number is not given again.
    store
        .add_ticket_event(&rated, id(60), "closed", "", now)
        .await
        .unwrap();
    let (first, second) = tokio::join!(store.purge_ticket(made.id), store.purge_ticket(made.id));
    assert_eq!(
        [first.unwrap(), second.unwrap()].iter().flatten().count(),
        1
    );
    assert!(store.ticket(id(7), made.id).await.unwrap().is_none());
    assert!(store.ticket_events(made.id).await.unwrap().is_empty());
    let next = store
        .create_ticket(id(7), &category, id(5), &[], now)
        .await
        .unwrap();
    assert_eq!(next.number, open.number + 1);
}

async fn security_raids_start_once_and_snapshots_keep_the_first(database: &TestDatabase) {
    use agora_actors::security::settings::GuardSettings;
    use agora_actors::security::store::{EventFilter, Lockdown, NewEvent};
    let store = database.migrated().await;
    let now = start_time();
    // Ten joins crossing the threshold at once (or two processes): one raid.
    let starts = futures::future::join_all(
        (0..10).map(|_| store.start_raid(id(7), now, "quarantine", "10 joins")),
    )
    .await;
    let started: Vec<i64> = starts.into_iter().filter_map(|r| r.unwrap()).collect();
    assert_eq!(started.len(), 1, "one raid of ten starts");
    let raid = started[0];
    assert_eq!(store.active_raid(id(7)).await.unwrap().unwrap().id, raid);
    assert!(
        store.active_raid(id(8)).await.unwrap().is_none(),
        "per guild"
    );
    store
        .add_raid_accounts(raid, &[id(1), id(2), id(1)], "quarantine")
        .await
        .unwrap();
    store
        .set_raid_outcome(raid, id(2), "quarantined")
        .await
        .unwrap();
    let accounts = store.raid_accounts(raid).await.unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[1].outcome, "quarantined");
    // Two ends end it once; another raid may then start.
    assert!(store.end_raid(raid, Some(id(3))).await.unwrap());
    assert!(!store.end_raid(raid, Some(id(3))).await.unwrap());
    assert!(store
        .start_raid(id(7), now, "ban", "again")
        .await
        .unwrap()
        .is_some());

    // The first lockdown's snapshot stays: that is what unlockdown restores.
    let snapshot = |allow: &str, at: DateTime<Utc>| Lockdown {
        guild: id(7),
        channel: 42,
        had_overwrite: true,
        allow: allow.to_owned(),
        deny: "2048".to_owned(),
        reason: "drill".to_owned(),
        locked_by: id(3),
        locked_at: at,
        until: Some(at + chrono::Duration::minutes(30)),
    };
    assert!(store
        .take_lockdown_snapshot(&snapshot("1024", now))
        .await
        .unwrap());
    assert!(!store
        .take_lockdown_snapshot(&snapshot("0", now))
        .await
        .unwrap());
    let kept = store.lockdowns(id(7)).await.unwrap();
    assert_eq!(kept, vec![snapshot("1024", stored_start_time())]);
    assert!(store.lockdowns(id(8)).await.unwrap().is_empty());
    assert!(store.lockdowns_due(now).await.unwrap().is_empty());
    assert_eq!(
        store
            .lockdowns_due(now + chrono::Duration::minutes(31))
            .await
            .unwrap(),
        vec![id(7)]
    );
    assert!(store.drop_lockdown_snapshot(id(7), 42).await.unwrap());
    assert!(!store.drop_lockdown_snapshot(id(7), 42).await.unwrap());

    // Settings round trip; events stay in their guild and filter.
    let mut settings = GuardSettings::protecting();
    settings.raid_min_joins = 25;
    store.save_guard_settings(id(7), &settings).await.unwrap();
    assert_eq!(store.guard_settings(id(7)).await.unwrap(), settings);
    assert_eq!(
        store.guard_settings(id(8)).await.unwrap(),
        GuardSettings::default()
    );
    for (guild, user, kind) in [(7, 1, "spam"), (7, 2, "raid"), (8, 1, "spam")] {
        store
            .record_security_event(
                id(guild),
                NewEvent {
                    kind,
                    user: Some(id(user)),
                    action: "timed out",
                    detail: "test",
                    ..NewEvent::default()
                },
            )
            .await
            .unwrap();
    }
    let spam = EventFilter {
        kind: Some("spam".to_owned()),
        ..EventFilter::default()
    };
    assert_eq!(
        store.security_events(id(7), &spam, 10).await.unwrap().len(),
        1
    );
    let all = store
        .security_events(id(7), &EventFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(all.iter().all(|e| e.detail == "test"));
}

async fn stats_channels_embeds_counts_and_one_recalculation_per_guild(database: &TestDatabase) {
    use agora_actors::stats::store::{Recalculation, TrackedChannel};
    use agora_actors::stats::tally::Kind;
    let store = database.migrated().await;
    let tracked = |channel: u64, kind: Kind, name: &str| TrackedChannel {
        id: id(channel),
        kind,
        name: name.to_owned(),
    };
    store
        .stats_set_channels(
            id(7),
            &[
                tracked(71, Kind::Proposed, "b-idea"),
                tracked(72, Kind::Permanent, "a-hall"),
            ],
        )
        .await
        .unwrap();
    store
        .stats_set_channels(id(8), &[tracked(81, Kind::Proposed, "other")])
        .await
        .unwrap();
    assert_eq!(
        store.stats_channels(id(7)).await.unwrap(),
        vec![
            tracked(72, Kind::Permanent, "a-hall"),
            tracked(71, Kind::Proposed, "b-idea")
        ]
    );
    // Replaced whole; a promotion changes the kind; a deletion forgets it.
    store
        .stats_set_channels(
            id(7),
            &[
                tracked(71, Kind::Proposed, "b-idea"),
                tracked(73, Kind::Proposed, "c"),
            ],
        )
        .await
        .unwrap();
    store
        .stats_track_channel(id(7), &tracked(71, Kind::Permanent, "b-idea"))
        .await
        .unwrap();
    assert!(store.stats_untrack_channel(id(73)).await.unwrap());
    assert!(!store.stats_untrack_channel(id(73)).await.unwrap());
    assert_eq!(
        store.stats_channels(id(7)).await.unwrap(),
        vec![tracked(71, Kind::Permanent, "b-idea")]
    );
    assert_eq!(store.stats_guilds().await.unwrap(), vec![id(7), id(8)]);

    assert_eq!(
        store.stats_embed(id(7), "proposed_scores").await.unwrap(),
        None
    );
    store
        .stats_set_embed(id(7), "proposed_scores", id(5), id(500))
        .await
        .unwrap();
    store
        .stats_set_embed(id(7), "proposed_scores", id(5), id(501))
        .await
        .unwrap();
    assert_eq!(
        store.stats_embed(id(7), "proposed_scores").await.unwrap(),
        Some((id(5), id(501)))
    );
    assert_eq!(
        store.stats_embed(id(8), "proposed_scores").await.unwrap(),
        None
    );

    // Stored to the microsecond, as every time.
    let now = chrono::SubsecRound::trunc_subsecs(start_time(), 6);
    let job = Recalculation {
        guild: id(7),
        status: "running".to_owned(),
        months: 3,
        started_at: now,
        started_by: id(1),
        cutoff_ms: 1_000,
        pending: vec![71, u64::MAX],
        channels_total: 2,
        channels_done: 0,
        messages_read: 0,
        anchor: 0,
        cursor: 0,
        partial: Default::default(),
        reply_token: Some("token".to_owned()),
        reply_until: Some(now),
        reply_channel: id(5),
        reply_message: None,
        locale: "de".to_owned(),
    };
    let starts =
        futures::future::join_all((0..5).map(|_| store.stats_start_recalculation(&job))).await;
    assert_eq!(
        starts.into_iter().filter(|s| *s.as_ref().unwrap()).count(),
        1,
        "one of five starts"
    );
    assert_eq!(
        store.stats_recalculation(id(7)).await.unwrap(),
        Some(job.clone())
    );
    let mut progressed = job.clone();
    progressed.pending = vec![u64::MAX];
    progressed.channels_done = 1;
    progressed.messages_read = 20_000;
    progressed.anchor = u64::MAX - 1;
    progressed.cursor = 1 << 63;
    progressed.partial = [("total".to_owned(), 5), ("d20000".to_owned(), 5)]
        .into_iter()
        .collect();
    progressed.reply_message = Some(id(9));
    store.stats_save_recalculation(&progressed).await.unwrap();
    assert_eq!(
        store.stats_running_recalculations().await.unwrap(),
        vec![progressed.clone()]
    );
    let mut finished = progressed.clone();
    finished.status = "done".to_owned();
    store.stats_save_recalculation(&finished).await.unwrap();
    assert!(store
        .stats_running_recalculations()
        .await
        .unwrap()
        .is_empty());
    // A finished one gives way to a new one.
    assert!(store.stats_start_recalculation(&job).await.unwrap());
    assert_eq!(store.stats_recalculation(id(8)).await.unwrap(), None);

    // History counts: kept per channel, replaced, forgotten, per guild.
    let counts = |n: i64| -> std::collections::BTreeMap<String, i64> {
        [("total".to_owned(), n), ("d20000".to_owned(), n)]
            .into_iter()
            .collect()
    };
    store
        .stats_save_history(id(7), 71, &counts(5))
        .await
        .unwrap();
    store
        .stats_save_history(id(7), u64::MAX, &counts(6))
        .await
        .unwrap();
    store
        .stats_save_history(id(7), 71, &counts(7))
        .await
        .unwrap();
    store
        .stats_save_history(id(8), 81, &counts(1))
        .await
        .unwrap();
    let mut kept = store.stats_histories(id(7)).await.unwrap();
    kept.sort_by_key(|(channel, _)| *channel);
    assert_eq!(kept, vec![(71, counts(7)), (u64::MAX, counts(6))]);

    // Live snapshots (an embedded cache's counts): a guild's replaced whole, per guild.
    let live_of = |guild: u64| {
        let store = store.clone();
        async move {
            let mut live = store.stats_live(id(guild)).await.unwrap();
            live.sort_by_key(|(channel, _)| *channel);
            live
        }
    };
    store
        .stats_save_live(id(7), &[(71, counts(2)), (72, counts(3))])
        .await
        .unwrap();
    store
        .stats_save_live(id(8), &[(81, counts(4))])
        .await
        .unwrap();
    store
        .stats_save_live(id(7), &[(71, counts(9)), (u64::MAX, counts(1))])
        .await
        .unwrap();
    assert_eq!(
        live_of(7).await,
        vec![(71, counts(9)), (u64::MAX, counts(1))]
    );

    // Forgetting a channel's history (a recalculation starts it) forgets its snapshot too.
    store.stats_forget_history(id(7), 71).await.unwrap();
    assert_eq!(
        store.stats_histories(id(7)).await.unwrap(),
        vec![(u64::MAX, counts(6))]
    );
    assert_eq!(live_of(7).await, vec![(u64::MAX, counts(1))]);
    assert_eq!(
        store.stats_histories(id(8)).await.unwrap(),
        vec![(81, counts(1))]
    );
    assert_eq!(live_of(8).await, vec![(81, counts(4))]);
    store.stats_save_live(id(7), &[]).await.unwrap();
    assert_eq!(live_of(7).await, vec![]);
    assert_eq!(live_of(8).await, vec![(81, counts(4))]);
}

async fn governance_proposals_open_once_and_are_decided_once(database: &TestDatabase) {
    use agora_actors::governance::store::{NewProposal, ProposalKind, ProposalStatus};
    let store = database.migrated().await;
    let idea = NewProposal {
        idea: "retro games",
        suggestion: Some("retro-games"),
        ..NewProposal::default()
    };
    // Two submissions of one member at once: one proposal.
    let inserts = futures::future::join_all(
        (0..5).map(|_| store.insert_proposal(id(7), id(1), ProposalKind::Channel, &idea)),
    )
    .await;
    let stored: Vec<i64> = inserts.into_iter().filter_map(|r| r.unwrap()).collect();
    assert_eq!(stored.len(), 1, "one open channel proposal per member");
    let channel = stored[0];
    // Another kind, another member: their own.
    let emoji = NewProposal {
        idea: "party",
        image: Some("data:image/png;base64,AAAA"),
        file_url: Some("https://cdn/party.png"),
        ..NewProposal::default()
    };
    let party = store
        .insert_proposal(id(7), id(1), ProposalKind::Emoji, &emoji)
        .await
        .unwrap()
        .expect("an emoji beside the channel");
    assert!(store
        .insert_proposal(id(7), id(2), ProposalKind::Channel, &idea)
        .await
        .unwrap()
        .is_some());
    let read = store.proposal(id(7), channel).await.unwrap().unwrap();
    assert_eq!(
        (read.kind, read.status, read.suggestion.as_deref()),
        (
            ProposalKind::Channel,
            ProposalStatus::Pending,
            Some("retro-games")
        )
    );
    assert!(
        store.proposal(id(8), channel).await.unwrap().is_none(),
        "per guild"
    );
    assert_eq!(store.pending_proposals(id(7)).await.unwrap().len(), 3);
    assert!(store
        .set_proposal_suggestion(id(7), channel, None, Some("timed out"))
        .await
        .unwrap());
    let read = store.proposal(id(7), channel).await.unwrap().unwrap();
    assert_eq!(
        (read.suggestion, read.suggestion_note.as_deref()),
        (None, Some("timed out"))
    );
    // Two admins at once: one claim.
    let claims = futures::future::join_all(
        [id(3), id(4)].map(|admin| store.claim_proposal(id(7), channel, admin, "retro-games")),
    )
    .await;
    assert_eq!(
        claims.iter().filter(|won| *won.as_ref().unwrap()).count(),
        1
    );
    assert!(!store
        .reject_proposal(id(7), channel, id(3), "no")
        .await
        .unwrap());
    // A claim not finished is found by when it was claimed, with the name being made.
    let claimed = store.proposal(id(7), channel).await.unwrap().unwrap();
    assert_eq!(claimed.final_name.as_deref(), Some("retro-games"));
    let claimed_at = claimed.decided_at.expect("claimed at");
    let unfinished = store
        .unfinished_approvals(claimed_at + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(
        unfinished
            .iter()
            .map(|p| (p.guild, p.id, p.final_name.as_deref()))
            .collect::<Vec<_>>(),
        vec![(id(7), channel, Some("retro-games"))]
    );
    assert!(store
        .unfinished_approvals(claimed_at)
        .await
        .unwrap()
        .is_empty());
    // A failed creation gives it back, name and all; then it is approved once.
    store.release_proposal(id(7), channel).await.unwrap();
    let released = store.proposal(id(7), channel).await.unwrap().unwrap();
    assert_eq!(
        (
            released.status,
            released.final_name,
            released.decided_by,
            released.decided_at
        ),
        (ProposalStatus::Pending, None, None, None)
    );
    assert!(store
        .unfinished_approvals(claimed_at + chrono::Duration::days(1))
        .await
        .unwrap()
        .is_empty());
    assert!(store
        .claim_proposal(id(7), channel, id(3), "retro-games")
        .await
        .unwrap());
    assert!(store
        .complete_approval(id(7), channel, "retro-games", 99)
        .await
        .unwrap());
    assert!(!store
        .complete_approval(id(7), channel, "retro-games", 99)
        .await
        .unwrap());
    let approved = store.proposal(id(7), channel).await.unwrap().unwrap();
    assert_eq!(approved.status, ProposalStatus::Approved);
    assert_eq!(
        (
            approved.final_name.as_deref(),
            approved.created_id,
            approved.decided_by
        ),
        (Some("retro-games"), Some(99), Some(id(3)))
    );
    // Decided: the member may propose again.
    assert!(store
        .insert_proposal(id(7), id(1), ProposalKind::Channel, &idea)
        .await
        .unwrap()
        .is_some());
    assert!(store
        .reject_proposal(id(7), party, id(4), "blurry")
        .await
        .unwrap());
    let rejected = store.proposal(id(7), party).await.unwrap().unwrap();
    assert_eq!(
        (rejected.status, rejected.reason.as_deref(), rejected.image),
        (ProposalStatus::Rejected, Some("blurry"), None)
    );
    assert!(store
        .open_proposal_of(id(7), id(1), ProposalKind::Emoji)
        .await
        .unwrap()
        .is_none());
}

async fn governance_reports_move_once_and_queue_messages_are_found_again(database: &TestDatabase) {
    use agora_actors::governance::store::{QueueMessage, ReportStatus};
    let store = database.migrated().await;
    let report = store
        .insert_report(
            id(7),
            id(1),
            "a scam link in #general",
            Some("https://cdn/shot.png"),
        )
        .await
        .unwrap();
    store
        .set_report_log_message(report, id(50), id(51))
        .await
        .unwrap();
    let read = store.report(id(7), report).await.unwrap().unwrap();
    assert_eq!(read.status, ReportStatus::Pending);
    assert_eq!(read.log_message, Some((id(50), id(51))));
    assert!(
        store.report(id(8), report).await.unwrap().is_none(),
        "per guild"
    );
    let views = futures::future::join_all(
        [id(3), id(4)].map(|staff| store.investigate_report(id(7), report, staff)),
    )
    .await;
    assert_eq!(
        views
            .iter()
            .filter(|moved| *moved.as_ref().unwrap())
            .count(),
        1
    );
    assert_eq!(store.open_reports(id(7)).await.unwrap().len(), 1);
    assert!(store
        .resolve_report(id(7), report, id(3), "banned")
        .await
        .unwrap());
    assert!(!store
        .resolve_report(id(7), report, id(3), "again")
        .await
        .unwrap());
    assert!(store.open_reports(id(7)).await.unwrap().is_empty());
    let resolved = store.report(id(7), report).await.unwrap().unwrap();
    assert_eq!(
        (resolved.status, resolved.resolution.as_deref()),
        (ReportStatus::Resolved, Some("banned"))
    );
    // The queue's messages: stored, replaced, listed.
    assert_eq!(
        store
            .queue_message(id(7), QueueMessage::Proposals)
            .await
            .unwrap(),
        None
    );
    store
        .set_queue_message(id(7), QueueMessage::Proposals, id(60), id(61))
        .await
        .unwrap();
    store
        .set_queue_message(id(7), QueueMessage::Proposals, id(60), id(62))
        .await
        .unwrap();
    store
        .set_queue_message(id(7), QueueMessage::Reports, id(60), id(63))
        .await
        .unwrap();
    assert_eq!(
        store
            .queue_message(id(7), QueueMessage::Proposals)
            .await
            .unwrap(),
        Some((id(60), id(62)))
    );
    let mut all = store.all_queue_messages().await.unwrap();
    all.sort();
    assert_eq!(all, [(id(7), id(62)), (id(7), id(63))]);
}
