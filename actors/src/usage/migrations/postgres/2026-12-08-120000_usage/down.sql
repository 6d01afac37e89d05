DROP TABLE usage_totals;
DROP TABLE usage_latency;
DROP TABLE usage_daily;
