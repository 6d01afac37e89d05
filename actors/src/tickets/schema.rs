//! The ticket tables as diesel sees them; kept in step with `migrations/`.

diesel::table! {
    ticket_categories (id) {
        id -> BigInt,
        guild_id -> BigInt,
        name -> Text,
        staff_role_id -> Nullable<BigInt>,
        parent_channel_id -> Nullable<BigInt>,
        sla_minutes -> Integer,
        default_priority -> Text,
        questions -> Text,
        anonymous -> Bool,
        created_at -> Timestamp,
        default_tags -> Text,
        inactive_close_minutes -> Integer,
        captcha -> Bool,
    }
}

diesel::table! {
    ticket_panels (id) {
        id -> BigInt,
        guild_id -> BigInt,
        title -> Text,
        description -> Text,
        button_label -> Text,
        button_style -> Text,
        emoji -> Nullable<Text>,
        category_id -> Nullable<BigInt>,
        channel_id -> Nullable<BigInt>,
        message_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tickets (id) {
        id -> BigInt,
        guild_id -> BigInt,
        number -> BigInt,
        category_id -> BigInt,
        opener_id -> BigInt,
        channel_id -> Nullable<BigInt>,
        status -> Text,
        priority -> Text,
        answers -> Text,
        claimed_by -> Nullable<BigInt>,
        claimed_at -> Nullable<Timestamp>,
        first_response_at -> Nullable<Timestamp>,
        closed_by -> Nullable<BigInt>,
        closed_at -> Nullable<Timestamp>,
        close_reason -> Nullable<Text>,
        transcript -> Nullable<Text>,
        close_at -> Nullable<Timestamp>,
        close_at_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        locked -> Bool,
        tags -> Text,
        department -> Nullable<Text>,
        escalation -> Integer,
        last_activity_at -> Nullable<Timestamp>,
        feedback_stars -> Nullable<Integer>,
        feedback_text -> Nullable<Text>,
        sla_alerted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_events (id) {
        id -> BigInt,
        ticket_id -> BigInt,
        guild_id -> BigInt,
        actor_id -> BigInt,
        kind -> Text,
        detail -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    ticket_counters (guild_id) {
        guild_id -> BigInt,
        last_number -> BigInt,
    }
}

diesel::table! {
    ticket_openers (guild_id, user_id) {
        guild_id -> BigInt,
        user_id -> BigInt,
        open_count -> Integer,
        last_opened_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ticket_blacklist (guild_id, user_id) {
        guild_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        until -> Nullable<Timestamp>,
        added_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ticket_staff_warnings (id) {
        id -> BigInt,
        guild_id -> BigInt,
        user_id -> BigInt,
        reason -> Text,
        warned_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(tickets, ticket_categories);
