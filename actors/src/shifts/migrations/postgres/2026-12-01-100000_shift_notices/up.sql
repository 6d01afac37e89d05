-- Reminders and unclaimed-shift pings as deliveries: each is recorded once (the primary
-- key), leased by one sender at a time, retried on 429/5xx/timeouts with backoff, and
-- ends `sent` or `failed` with the reason (shown to admins in /shift upcoming).
CREATE TABLE shift_notices (
    shift_id        BIGINT    NOT NULL,
    -- 'reminder' (a DM to the claimer) or 'unclaimed' (a ping in the shift channel).
    kind            TEXT      NOT NULL,
    -- The claimer for a reminder, the channel for a ping.
    recipient_id    BIGINT    NOT NULL,
    guild_id        BIGINT    NOT NULL,
    -- 'pending', 'sent', 'failed' or 'void' (no longer wanted: unclaimed, cancelled, started).
    state           TEXT      NOT NULL,
    attempts        INTEGER   NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_until    TIMESTAMP,
    last_error      TEXT,
    -- Discord's JSON error code of the last failure (50007: the person does not accept DMs).
    error_code      INTEGER,
    created_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    PRIMARY KEY (shift_id, kind, recipient_id)
);
CREATE INDEX shift_notices_pending ON shift_notices (state, next_attempt_at);
CREATE INDEX shift_notices_by_guild ON shift_notices (guild_id, shift_id);
