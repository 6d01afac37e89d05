-- Channel activity (actors/src/stats), postgres flavour. Keep in step with the other
-- backend's folder and with actors/src/stats/schema.rs. Times are UTC. The counts
-- themselves live in the cache (actors/src/stats/counts.rs); these tables keep what must
-- outlive it.

-- The text channels of each guild's proposed and permanent categories.
CREATE TABLE stats_channels (
    channel_id BIGINT NOT NULL PRIMARY KEY,
    guild_id   BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    name       TEXT   NOT NULL
);
CREATE INDEX stats_channels_by_guild ON stats_channels (guild_id);

-- The two ranking messages of each guild, found again after a restart.
CREATE TABLE stats_embeds (
    guild_id   BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    channel_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (guild_id, name)
);

-- One recalculation per guild at a time; its progress, so a restart resumes it.
CREATE TABLE stats_recalculations (
    guild_id         BIGINT    NOT NULL PRIMARY KEY,
    status           TEXT      NOT NULL,
    months           INTEGER   NOT NULL,
    started_at       TIMESTAMP NOT NULL,
    started_by       BIGINT    NOT NULL,
    cutoff_ms        BIGINT    NOT NULL,
    pending_channels TEXT      NOT NULL,
    channels_total   INTEGER   NOT NULL,
    channels_done    INTEGER   NOT NULL,
    messages_read    BIGINT    NOT NULL,
    anchor           BIGINT    NOT NULL,
    cursor           BIGINT    NOT NULL,
    partial          TEXT      NOT NULL,
    reply_token      TEXT,
    reply_until      TIMESTAMP,
    reply_channel_id BIGINT    NOT NULL,
    reply_message_id BIGINT,
    locale           TEXT      NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- Each channel's counts as its last recalculation read them from the history (JSON of
-- `total`, `last` and `d<day>`), written to the cache again at start: an embedded memory
-- cache loses them at a restart.
CREATE TABLE stats_history (
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    counts     TEXT   NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);
