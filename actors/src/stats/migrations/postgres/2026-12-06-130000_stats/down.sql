DROP TABLE stats_history;
