DROP TABLE stats_live;
