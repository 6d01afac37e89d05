//! The governance tables as diesel sees them; kept in step with `migrations/`.

diesel::table! {
    governance_proposals (id) {
        id -> BigInt,
        guild_id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        status -> Text,
        idea -> Text,
        suggestion -> Nullable<Text>,
        suggestion_note -> Nullable<Text>,
        image -> Nullable<Text>,
        file_url -> Nullable<Text>,
        final_name -> Nullable<Text>,
        created_id -> Nullable<BigInt>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    governance_reports (id) {
        id -> BigInt,
        guild_id -> BigInt,
        user_id -> BigInt,
        status -> Text,
        description -> Text,
        file_url -> Nullable<Text>,
        log_channel_id -> Nullable<BigInt>,
        log_message_id -> Nullable<BigInt>,
        handled_by -> Nullable<BigInt>,
        resolution -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    governance_queue_messages (guild_id, name) {
        guild_id -> BigInt,
        name -> Text,
        channel_id -> BigInt,
        message_id -> BigInt,
    }
}
