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
