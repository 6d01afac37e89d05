-- Moderator shifts, PostgreSQL flavour. Keep in step with ../../sqlite and with
-- actors/src/kernel/store/schema.rs. Times are UTC; a slot's wall-clock time is minutes
-- after local midnight in its IANA zone.

CREATE TABLE shift_schedules (
    id            BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id      BIGINT    NOT NULL,
    user_id       BIGINT    NOT NULL,
    weekday       INTEGER   NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    minute_of_day INTEGER   NOT NULL CHECK (minute_of_day BETWEEN 0 AND 1439),
    zone          TEXT      NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    UNIQUE (guild_id, user_id, weekday, minute_of_day)
);

CREATE TABLE user_time_zones (
    user_id    BIGINT    NOT NULL PRIMARY KEY,
    zone       TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE shifts (
    id               BIGSERIAL NOT NULL PRIMARY KEY,
    guild_id         BIGINT    NOT NULL,
    description      TEXT      NOT NULL,
    start_at         TIMESTAMP NOT NULL,
    end_at           TIMESTAMP NOT NULL,
    dropped_by       BIGINT    NOT NULL,
    assigned_user_id BIGINT,
    schedule_id      BIGINT,
    claimed_by       BIGINT,
    claimed_at       TIMESTAMP,
    cancelled_by     BIGINT,
    cancelled_at     TIMESTAMP,
    channel_id       BIGINT,
    message_id       BIGINT,
    reminded_at      TIMESTAMP,
    unclaimed_ping_at TIMESTAMP,
    started_marked_at TIMESTAMP,
    done_at          TIMESTAMP,
    created_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    updated_at       TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
    CHECK (end_at > start_at)
);
CREATE INDEX shifts_by_guild_and_start ON shifts (guild_id, start_at);
CREATE INDEX shifts_by_claimer ON shifts (guild_id, claimed_by, start_at);
-- What the once-a-second ticker reads: live shifts by start.
CREATE INDEX shifts_live_by_start ON shifts (start_at) WHERE done_at IS NULL AND cancelled_at IS NULL;
-- One live drop per occurrence of a schedule slot.
CREATE UNIQUE INDEX shifts_one_drop_per_slot ON shifts (schedule_id, start_at)
    WHERE schedule_id IS NOT NULL AND cancelled_at IS NULL;
