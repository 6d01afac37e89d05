-- Server protection (actors/src/security), SQLite flavour. Keep in step with ../../postgres
-- and with actors/src/security/schema.rs. Times are UTC.
CREATE TABLE security_events (
    id         INTEGER   NOT NULL PRIMARY KEY AUTOINCREMENT,
    guild_id   BIGINT    NOT NULL,
    created_at TIMESTAMP NOT NULL,
    kind       TEXT      NOT NULL,
    rule       TEXT,
    user_id    BIGINT,
    actor_id   BIGINT,
    action     TEXT      NOT NULL,
    detail     TEXT      NOT NULL
);
CREATE INDEX security_events_by_guild ON security_events (guild_id, created_at);
CREATE INDEX security_events_by_user ON security_events (guild_id, user_id);

-- One raid per guild at a time: the partial unique index makes starting one a
-- conditional insert (two processes, or two joins at once, start it once).
CREATE TABLE security_raids (
    id             INTEGER   NOT NULL PRIMARY KEY AUTOINCREMENT,
    guild_id       BIGINT    NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    last_join_at   TIMESTAMP NOT NULL,
    ended_at       TIMESTAMP,
    ended_by       BIGINT,
    action         TEXT      NOT NULL,
    detail         TEXT      NOT NULL,
    log_channel_id BIGINT,
    log_message_id BIGINT
);
CREATE UNIQUE INDEX security_raids_one_active ON security_raids (guild_id) WHERE ended_at IS NULL;

CREATE TABLE security_raid_accounts (
    raid_id  BIGINT  NOT NULL,
    user_id  BIGINT  NOT NULL,
    action   TEXT    NOT NULL,
    outcome  TEXT    NOT NULL,
    PRIMARY KEY (raid_id, user_id)
);

-- What each locked channel's @everyone overwrite was before the lockdown, exactly
-- (channel 0: the invites pause). The first lockdown's snapshot is never overwritten.
CREATE TABLE security_lockdowns (
    guild_id      BIGINT    NOT NULL,
    channel_id    BIGINT    NOT NULL,
    had_overwrite BOOLEAN   NOT NULL,
    allow_bits    TEXT      NOT NULL,
    deny_bits     TEXT      NOT NULL,
    reason        TEXT      NOT NULL,
    locked_by     BIGINT    NOT NULL,
    locked_at     TIMESTAMP NOT NULL,
    until         TIMESTAMP,
    PRIMARY KEY (guild_id, channel_id)
);

CREATE TABLE security_verifications (
    guild_id  BIGINT    NOT NULL,
    user_id   BIGINT    NOT NULL,
    joined_at TIMESTAMP NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
