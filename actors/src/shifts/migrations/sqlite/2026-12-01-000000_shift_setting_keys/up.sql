-- /config shifts is now built from the feature's declared settings: one stored key per
-- subcommand. Rename the keys stored before, so no guild loses a setting.
UPDATE feature_settings SET key = 'channel' WHERE feature = 'shifts' AND key = 'channel_id';
UPDATE feature_settings SET key = 'claim-limit' WHERE feature = 'shifts' AND key = 'max_hours_7d';
UPDATE feature_settings SET key = 'lock-window' WHERE feature = 'shifts' AND key = 'lock_window_minutes';
UPDATE feature_settings SET key = 'reminder' WHERE feature = 'shifts' AND key = 'reminder_minutes';
UPDATE feature_settings SET key = 'unclaimed-ping' WHERE feature = 'shifts' AND key = 'unclaimed_ping_minutes';
UPDATE feature_settings SET key = 'self-claim' WHERE feature = 'shifts' AND key = 'allow_self_claim';
UPDATE feature_settings SET key = 'restrict' WHERE feature = 'shifts' AND key = 'restrict_to_channel';
