DROP TABLE gateway_sessions;
DROP TABLE feature_settings;
DROP TABLE guild_settings;
