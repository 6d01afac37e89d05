//! The protection tables as diesel sees them; kept in step with `migrations/`.

diesel::table! {
    security_events (id) {
        id -> BigInt,
        guild_id -> BigInt,
        created_at -> Timestamp,
        kind -> Text,
        rule -> Nullable<Text>,
        user_id -> Nullable<BigInt>,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        detail -> Text,
    }
}

diesel::table! {
    security_raids (id) {
        id -> BigInt,
        guild_id -> BigInt,
        started_at -> Timestamp,
        last_join_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        ended_by -> Nullable<BigInt>,
        action -> Text,
        detail -> Text,
        log_channel_id -> Nullable<BigInt>,
        log_message_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    security_raid_accounts (raid_id, user_id) {
        raid_id -> BigInt,
        user_id -> BigInt,
        action -> Text,
        outcome -> Text,
    }
}

diesel::table! {
    security_lockdowns (guild_id, channel_id) {
        guild_id -> BigInt,
        channel_id -> BigInt,
        had_overwrite -> Bool,
        allow_bits -> Text,
        deny_bits -> Text,
        reason -> Text,
        locked_by -> BigInt,
        locked_at -> Timestamp,
        until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    security_verifications (guild_id, user_id) {
        guild_id -> BigInt,
        user_id -> BigInt,
        joined_at -> Timestamp,
    }
}
