-- The processes of one bot sharing this database: each writes its row every few seconds
-- (its shard range, whether it runs the tickers), so /status can list them and an operator
-- can see which one went silent. Keep in step with ../../postgres.
CREATE TABLE agora_processes (
    name         TEXT      NOT NULL PRIMARY KEY,
    shard_first  INTEGER   NOT NULL,
    shard_count  INTEGER   NOT NULL,
    shard_total  INTEGER   NOT NULL,
    leader       BOOLEAN   NOT NULL DEFAULT 0,
    version      TEXT      NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    heartbeat_at TIMESTAMP NOT NULL,
    CHECK (shard_first >= 0 AND shard_count > 0 AND shard_total >= shard_first + shard_count)
);
