-- Usage statistics (actors/src/usage), sqlite flavour. Keep in step with the other backend's
-- folder and with actors/src/usage/schema.rs. Days are UTC days since 1970-01-01. Every
-- write adds to what is there (upserts), so several processes may flush into one table.

-- Each command's runs per guild and day, by how they ended; kept `[usage] keep_days`.
CREATE TABLE usage_daily (
    day      BIGINT NOT NULL,
    guild_id BIGINT NOT NULL,
    command  TEXT   NOT NULL,
    runs     BIGINT NOT NULL,
    refused  BIGINT NOT NULL,
    failed   BIGINT NOT NULL,
    busy     BIGINT NOT NULL,
    PRIMARY KEY (day, guild_id, command)
);
CREATE INDEX usage_daily_by_guild ON usage_daily (guild_id, day);

-- The latency histogram of the same rows' answered runs: how many fell in each
-- log-scale bucket (actors/src/usage/latency.rs); empty buckets have no row.
CREATE TABLE usage_latency (
    day      BIGINT  NOT NULL,
    guild_id BIGINT  NOT NULL,
    command  TEXT    NOT NULL,
    bucket   INTEGER NOT NULL,
    count    BIGINT  NOT NULL,
    PRIMARY KEY (day, guild_id, command, bucket)
);

-- Each command's runs per guild since the bot began counting: never trimmed.
CREATE TABLE usage_totals (
    guild_id BIGINT NOT NULL,
    command  TEXT   NOT NULL,
    runs     BIGINT NOT NULL,
    PRIMARY KEY (guild_id, command)
);
