-- The live counts of each tracked channel as the embedded (memory) cache held them at the
-- last snapshot (a clean stop, and every rankings refresh), given back to the cache at start.
CREATE TABLE stats_live (
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    counts     TEXT   NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);
