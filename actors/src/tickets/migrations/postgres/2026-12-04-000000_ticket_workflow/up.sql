-- The rest of the staff workflow, PostgreSQL flavour. Keep in step with ../../sqlite and
-- with actors/src/tickets/schema.rs.

-- Locked: the opener may read but not write. Tags: a JSON array of short labels.
-- Escalation: 0 (none) to 3. Last activity: the last message seen in the channel (the
-- watcher writes it at most once a minute), for the category's inactivity close.
-- Feedback: what the opener said of the ticket after it closed (1-5 stars, words).
ALTER TABLE tickets ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tickets ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE tickets ADD COLUMN department TEXT;
ALTER TABLE tickets ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN last_activity_at TIMESTAMP;
ALTER TABLE tickets ADD COLUMN feedback_stars INTEGER;
ALTER TABLE tickets ADD COLUMN feedback_text TEXT;
-- When staff were told the first answer is later than the category's SLA (once).
ALTER TABLE tickets ADD COLUMN sla_alerted_at TIMESTAMP;
CREATE INDEX tickets_by_activity ON tickets (status, last_activity_at);

-- Per category: the tags a new ticket starts with, minutes of silence after which an
-- open ticket closes by itself (0: never), and whether the opener first passes a button
-- challenge (captcha).
ALTER TABLE ticket_categories ADD COLUMN default_tags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE ticket_categories ADD COLUMN inactive_close_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket_categories ADD COLUMN captcha BOOLEAN NOT NULL DEFAULT FALSE;
