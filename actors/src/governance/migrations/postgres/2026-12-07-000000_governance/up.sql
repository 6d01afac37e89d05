-- Governance (actors/src/governance): proposals, confidential reports and the queue's two
-- persistent messages, PostgreSQL flavour. Keep in step with ../../sqlite and schema.rs.
-- Times are UTC.
CREATE TABLE governance_proposals (
    id           BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id     BIGINT    NOT NULL,
    user_id      BIGINT    NOT NULL,
    kind         TEXT      NOT NULL,
    status       TEXT      NOT NULL,
    idea         TEXT      NOT NULL,
    suggestion   TEXT,
    suggestion_note TEXT,
    image        TEXT,
    file_url     TEXT,
    final_name   TEXT,
    created_id   BIGINT,
    decided_by   BIGINT,
    decided_at   TIMESTAMP,
    reason       TEXT,
    created_at   TIMESTAMP NOT NULL
);
-- One open proposal per type per member: the partial unique index makes proposing a
-- conditional insert (two clicks at once store one).
CREATE UNIQUE INDEX governance_proposals_one_open
    ON governance_proposals (guild_id, user_id, kind) WHERE status IN ('pending', 'approving');
CREATE INDEX governance_proposals_by_guild ON governance_proposals (guild_id, status);

CREATE TABLE governance_reports (
    id             BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id       BIGINT    NOT NULL,
    user_id        BIGINT    NOT NULL,
    status         TEXT      NOT NULL,
    description    TEXT      NOT NULL,
    file_url       TEXT,
    log_channel_id BIGINT,
    log_message_id BIGINT,
    handled_by     BIGINT,
    resolution     TEXT,
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX governance_reports_by_guild ON governance_reports (guild_id, status);

-- The queue's persistent messages ('proposals', 'reports'), found again after a restart.
CREATE TABLE governance_queue_messages (
    guild_id   BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    channel_id BIGINT NOT NULL,
    message_id BIGINT NOT NULL,
    PRIMARY KEY (guild_id, name)
);
