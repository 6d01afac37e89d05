-- The role a guild requires for a command or a subcommand path (`/config permissions`),
-- on top of the command's own level: `command` is the path as people type it, lowercase,
-- one space between words (`shift drop`, `tickets`). Keep in step with ../../sqlite.
CREATE TABLE command_roles (
    guild_id   BIGINT    NOT NULL,
    command    TEXT      NOT NULL,
    role_id    BIGINT    NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (guild_id, command)
);
