DROP TABLE security_verifications;
DROP TABLE security_lockdowns;
DROP TABLE security_raid_accounts;
DROP TABLE security_raids;
DROP TABLE security_events;
