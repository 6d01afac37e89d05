-- Agora's core tables, SQLite flavour. Keep in step with ../../postgres (same tables,
-- columns and constraints) and with actors/src/kernel/store/schema.rs.
-- Discord ids are BIGINT (i64); times are UTC, stored as TIMESTAMP text; JSON is TEXT.

CREATE TABLE guild_settings (
    guild_id            BIGINT    NOT NULL PRIMARY KEY,
    admin_role_id       BIGINT,
    moderator_role_id   BIGINT,
    log_channel_id      BIGINT,
    allowed_channel_ids TEXT      NOT NULL DEFAULT '[]',
    locale              TEXT      NOT NULL DEFAULT 'en-US',
    created_at          TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE feature_settings (
    guild_id   BIGINT    NOT NULL,
    feature    TEXT      NOT NULL,
    key        TEXT      NOT NULL,
    value      TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (guild_id, feature, key)
);

CREATE TABLE gateway_sessions (
    shard_id    INTEGER   NOT NULL PRIMARY KEY,
    shard_count INTEGER   NOT NULL,
    session_id  TEXT      NOT NULL,
    sequence    BIGINT    NOT NULL,
    resume_url  TEXT      NOT NULL,
    saved_at    TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (shard_id >= 0 AND shard_count > shard_id)
);
