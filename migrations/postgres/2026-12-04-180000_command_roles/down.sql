DROP TABLE command_roles;
