UPDATE feature_settings SET key = 'channel_id' WHERE feature = 'shifts' AND key = 'channel';
UPDATE feature_settings SET key = 'max_hours_7d' WHERE feature = 'shifts' AND key = 'claim-limit';
UPDATE feature_settings SET key = 'lock_window_minutes' WHERE feature = 'shifts' AND key = 'lock-window';
UPDATE feature_settings SET key = 'reminder_minutes' WHERE feature = 'shifts' AND key = 'reminder';
UPDATE feature_settings SET key = 'unclaimed_ping_minutes' WHERE feature = 'shifts' AND key = 'unclaimed-ping';
UPDATE feature_settings SET key = 'allow_self_claim' WHERE feature = 'shifts' AND key = 'self-claim';
UPDATE feature_settings SET key = 'restrict_to_channel' WHERE feature = 'shifts' AND key = 'restrict';
