//! The tables, written once for both backends: only SQL types that SQLite and
//! PostgreSQL map alike (BigInt, Integer, Text, Bool, Timestamp, Nullable). JSON lives
//! in Text columns and times are UTC in Timestamp columns (`TIMESTAMP` without zone in
//! PostgreSQL, ISO-8601 text in SQLite). Both migrations folders must match this file.

diesel::table! {
    /// One row per guild that has changed a setting.
    guild_settings (guild_id) {
        guild_id -> BigInt,
        admin_role_id -> Nullable<BigInt>,
        moderator_role_id -> Nullable<BigInt>,
        log_channel_id -> Nullable<BigInt>,
        /// A JSON array of channel ids, `[]` when every channel is allowed.
        allowed_channel_ids -> Text,
        locale -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Per-guild, per-feature settings: one JSON value per key.
    feature_settings (guild_id, feature, key) {
        guild_id -> BigInt,
        feature -> Text,
        key -> Text,
        /// A JSON document.
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The last gateway session of each shard, for resuming after a restart.
    gateway_sessions (shard_id) {
        shard_id -> Integer,
        shard_count -> Integer,
        session_id -> Text,
        sequence -> BigInt,
        resume_url -> Text,
        saved_at -> Timestamp,
    }
}

diesel::table! {
    /// Moderators' weekly slots: a weekday (0 = Monday) and minutes after local midnight
    /// in an IANA zone.
    shift_schedules (id) {
        id -> BigInt,
        guild_id -> BigInt,
        user_id -> BigInt,
        weekday -> Integer,
        minute_of_day -> Integer,
        zone -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Each person's default time zone.
    user_time_zones (user_id) {
        user_id -> BigInt,
        zone -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// Dropped shifts and what became of them.
    shifts (id) {
        id -> BigInt,
        guild_id -> BigInt,
        description -> Text,
        start_at -> Timestamp,
        end_at -> Timestamp,
        dropped_by -> BigInt,
        assigned_user_id -> Nullable<BigInt>,
        schedule_id -> Nullable<BigInt>,
        claimed_by -> Nullable<BigInt>,
        claimed_at -> Nullable<Timestamp>,
        cancelled_by -> Nullable<BigInt>,
        cancelled_at -> Nullable<Timestamp>,
        channel_id -> Nullable<BigInt>,
        message_id -> Nullable<BigInt>,
        reminded_at -> Nullable<Timestamp>,
        unclaimed_ping_at -> Nullable<Timestamp>,
        started_marked_at -> Nullable<Timestamp>,
        done_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The processes sharing this database, each with its shard range and last heartbeat.
    agora_processes (name) {
        name -> Text,
        shard_first -> Integer,
        shard_count -> Integer,
        shard_total -> Integer,
        leader -> Bool,
        version -> Text,
        started_at -> Timestamp,
        heartbeat_at -> Timestamp,
    }
}

diesel::table! {
    /// The role a guild requires for a command or subcommand path (`shift drop`).
    command_roles (guild_id, command) {
        guild_id -> BigInt,
        command -> Text,
        role_id -> BigInt,
        updated_at -> Timestamp,
    }
}
