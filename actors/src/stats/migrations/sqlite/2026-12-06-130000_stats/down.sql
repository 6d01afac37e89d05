DROP TABLE stats_recalculations;
DROP TABLE stats_embeds;
DROP TABLE stats_channels;
