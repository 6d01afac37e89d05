-- Kudos each member has received, per guild.
CREATE TABLE kudos (
    guild_id    BIGINT NOT NULL,
    receiver_id BIGINT NOT NULL,
    count       BIGINT NOT NULL,
    PRIMARY KEY (guild_id, receiver_id)
);
