-- Warnings admins give ticket staff (`/tickets staff-warn`), SQLite flavour. Keep in step
-- with ../../postgres and with actors/src/tickets/schema.rs. Times are UTC.
CREATE TABLE ticket_staff_warnings (
    id         INTEGER   NOT NULL PRIMARY KEY AUTOINCREMENT,
    guild_id   BIGINT    NOT NULL,
    user_id    BIGINT    NOT NULL,
    reason     TEXT      NOT NULL,
    warned_by  BIGINT    NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX ticket_staff_warnings_by_member ON ticket_staff_warnings (guild_id, user_id);
