-- Agora's core tables, PostgreSQL flavour. Keep in step with ../../sqlite (same tables,
-- columns and constraints) and with actors/src/kernel/store/schema.rs.
-- Discord ids are BIGINT (i64); times are UTC in TIMESTAMP (without time zone); JSON is
-- TEXT, not JSONB, so that one schema.rs serves both backends.

CREATE TABLE guild_settings (
    guild_id            BIGINT    NOT NULL PRIMARY KEY,
    admin_role_id       BIGINT,
    moderator_role_id   BIGINT,
    log_channel_id      BIGINT,
    allowed_channel_ids TEXT      NOT NULL DEFAULT '[]',
    locale              TEXT      NOT NULL DEFAULT 'en-US',
    created_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at          TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE feature_settings (
    guild_id   BIGINT    NOT NULL,
    feature    TEXT      NOT NULL,
    key        TEXT      NOT NULL,
    value      TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    PRIMARY KEY (guild_id, feature, key)
);

CREATE TABLE gateway_sessions (
    shard_id    INTEGER   NOT NULL PRIMARY KEY,
    shard_count INTEGER   NOT NULL,
    session_id  TEXT      NOT NULL,
    sequence    BIGINT    NOT NULL,
    resume_url  TEXT      NOT NULL,
    saved_at    TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CHECK (shard_id >= 0 AND shard_count > shard_id)
);
