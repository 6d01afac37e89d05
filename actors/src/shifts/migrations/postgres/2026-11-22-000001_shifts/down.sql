DROP TABLE shifts;
DROP TABLE user_time_zones;
DROP TABLE shift_schedules;
