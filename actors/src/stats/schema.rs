//! The activity tables as diesel sees them; kept in step with `migrations/`.

diesel::table! {
    stats_channels (channel_id) {
        channel_id -> BigInt,
        guild_id -> BigInt,
        kind -> Text,
        name -> Text,
    }
}

diesel::table! {
    stats_embeds (guild_id, name) {
        guild_id -> BigInt,
        name -> Text,
        channel_id -> BigInt,
        message_id -> BigInt,
    }
}

diesel::table! {
    stats_recalculations (guild_id) {
        guild_id -> BigInt,
        status -> Text,
        months -> Integer,
        started_at -> Timestamp,
        started_by -> BigInt,
        cutoff_ms -> BigInt,
        pending_channels -> Text,
        channels_total -> Integer,
        channels_done -> Integer,
        messages_read -> BigInt,
        anchor -> BigInt,
        cursor -> BigInt,
        partial -> Text,
        reply_token -> Nullable<Text>,
        reply_until -> Nullable<Timestamp>,
        reply_channel_id -> BigInt,
        reply_message_id -> Nullable<BigInt>,
        locale -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    stats_history (guild_id, channel_id) {
        guild_id -> BigInt,
        channel_id -> BigInt,
        counts -> Text,
    }
}

diesel::table! {
    stats_live (guild_id, channel_id) {
        guild_id -> BigInt,
        channel_id -> BigInt,
        counts -> Text,
    }
}
