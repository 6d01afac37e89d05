-- Support tickets, PostgreSQL flavour. Keep in step with ../../sqlite and with
-- actors/src/tickets/schema.rs. Times are UTC.

-- What a ticket is about: its staff, where its channels go, its questions.
CREATE TABLE ticket_categories (
    id                BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id          BIGINT    NOT NULL,
    name              TEXT      NOT NULL,
    staff_role_id     BIGINT,
    parent_channel_id BIGINT,
    sla_minutes       INTEGER   NOT NULL DEFAULT 0,
    default_priority  TEXT      NOT NULL DEFAULT 'normal',
    -- A JSON array of questions asked in a modal before the ticket opens.
    questions         TEXT      NOT NULL DEFAULT '[]',
    anonymous         BOOLEAN   NOT NULL DEFAULT FALSE,
    created_at        TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (guild_id, name)
);

-- A message with an "open a ticket" button (one category) or a select (several).
CREATE TABLE ticket_panels (
    id           BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id     BIGINT    NOT NULL,
    title        TEXT      NOT NULL,
    description  TEXT      NOT NULL,
    button_label TEXT      NOT NULL,
    button_style TEXT      NOT NULL DEFAULT 'primary',
    emoji        TEXT,
    category_id  BIGINT,
    channel_id   BIGINT,
    message_id   BIGINT,
    created_at   TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE tickets (
    id                BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id          BIGINT    NOT NULL,
    number            BIGINT    NOT NULL,
    category_id       BIGINT    NOT NULL,
    opener_id         BIGINT    NOT NULL,
    channel_id        BIGINT,
    -- opening → open ⇄ closed → deleted
    status            TEXT      NOT NULL DEFAULT 'opening',
    priority          TEXT      NOT NULL DEFAULT 'normal',
    -- A JSON array of [question, answer] pairs.
    answers           TEXT      NOT NULL DEFAULT '[]',
    claimed_by        BIGINT,
    claimed_at        TIMESTAMP,
    first_response_at TIMESTAMP,
    closed_by         BIGINT,
    closed_at         TIMESTAMP,
    close_reason      TEXT,
    transcript        TEXT,
    -- A close staff scheduled; any new message in the channel cancels it.
    close_at          TIMESTAMP,
    close_at_by       BIGINT,
    created_at        TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at        TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (guild_id, number)
);
CREATE UNIQUE INDEX tickets_by_channel ON tickets (channel_id) WHERE channel_id IS NOT NULL;
CREATE INDEX tickets_by_guild_and_status ON tickets (guild_id, status);
CREATE INDEX tickets_by_opener ON tickets (guild_id, opener_id, status);
CREATE INDEX tickets_closing ON tickets (close_at) WHERE close_at IS NOT NULL;

-- Everything that happened to a ticket, in order: who, what, when.
CREATE TABLE ticket_events (
    id        BIGSERIAL NOT NULL PRIMARY KEY,
    ticket_id BIGINT    NOT NULL,
    guild_id  BIGINT    NOT NULL,
    actor_id  BIGINT    NOT NULL,
    kind      TEXT      NOT NULL,
    detail    TEXT      NOT NULL DEFAULT '',
    at        TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

-- The per-guild ticket number.
CREATE TABLE ticket_counters (
    guild_id    BIGINT NOT NULL PRIMARY KEY,
    last_number BIGINT NOT NULL
);

-- Per person and guild: how many tickets are open and when the last was opened. One
-- conditional update of this row lets an opening through, so two clicks open one ticket.
CREATE TABLE ticket_openers (
    guild_id       BIGINT    NOT NULL,
    user_id        BIGINT    NOT NULL,
    open_count     INTEGER   NOT NULL DEFAULT 0,
    last_opened_at TIMESTAMP,
    PRIMARY KEY (guild_id, user_id)
);

-- Members who may not open tickets, until a moment or for good.
CREATE TABLE ticket_blacklist (
    guild_id   BIGINT    NOT NULL,
    user_id    BIGINT    NOT NULL,
    reason     TEXT      NOT NULL DEFAULT '',
    until      TIMESTAMP,
    added_by   BIGINT    NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (guild_id, user_id)
);
