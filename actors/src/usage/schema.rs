//! The usage tables as diesel sees them; kept in step with `migrations/`.

diesel::table! {
    usage_daily (day, guild_id, command) {
        day -> BigInt,
        guild_id -> BigInt,
        command -> Text,
        runs -> BigInt,
        refused -> BigInt,
        failed -> BigInt,
        busy -> BigInt,
    }
}

diesel::table! {
    usage_latency (day, guild_id, command, bucket) {
        day -> BigInt,
        guild_id -> BigInt,
        command -> Text,
        bucket -> Integer,
        count -> BigInt,
    }
}

diesel::table! {
    usage_totals (guild_id, command) {
        guild_id -> BigInt,
        command -> Text,
        runs -> BigInt,
    }
}
