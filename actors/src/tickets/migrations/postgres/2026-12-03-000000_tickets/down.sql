DROP TABLE ticket_blacklist;
DROP TABLE ticket_openers;
DROP TABLE ticket_counters;
DROP TABLE ticket_events;
DROP TABLE tickets;
DROP TABLE ticket_panels;
DROP TABLE ticket_categories;
