# What the dispatcher and the kernel say: refusals, busy, stale, failures.

## Who may do what (policy.rs)
access-everyone = everyone
access-moderators = moderators
access-admins = server admins
access-owners = the bot's owners
refusal = Only { $who } can do that here.
refusal-no-moderator-role = This server has not chosen a moderator role yet: an admin can set one with `/config moderator-role`.
refusal-command-role = `/{ $command }` needs the <@&{ $role }> role in this server.

## The dispatcher (dispatcher/mod.rs, dispatcher/respond.rs)
restarting = Agora is restarting; try again in a few seconds.
busy = Agora is busy right now; please try again in a few seconds.
stale = This button or form is from an older message and no longer works. Run the command again for a fresh one.
unknown-command = I don't know `/{ $name }` any more; it may have been removed. An admin can refresh the command list with `!sync`.
guild-only = Agora's commands work inside a server, not in direct messages.
database-down = The database is not answering, so I can't do that right now. Nothing was changed; try again in a minute (incident `{ $incident }`).
channels-only = I answer commands only in { $channels } here.
cooldown = Slow down a little: you can use `/{ $command }` again in { $seconds } s.
failure = Something went wrong on our side (incident `{ $incident }`). The admins can find it in the log; please try again.
done = Done.
done-see-below = Done — see below.
form-too-late = That took too long to open a form; please try again.
feature-off = { $title } is turned off in this server. An admin can turn it on with `/config features enable { $feature }`.
not-your-menu = This belongs to <@{ $requester }>, who asked for it. Run the command yourself for your own.

## Languages (kernel/i18n.rs; `/config locale` in core/settings.rs)
locale-unsupported = I don't speak `{ $tag }` yet, so nothing changed. Languages I have: { $available }; or "auto", each person's own Discord language.

## Notices in each guild's log channel (src/boot.rs; the guild's language)
notice-online = 🟢 Agora { $version } is online.
notice-shutdown = 🔴 Agora is shutting down (a restart or an update); it will be back shortly.
text-form-unusable = `{ $command }`: { $problem }
text-form-private = The answer is private and I could not send it to you by DM; use the slash command instead.
text-form-needs-slash = That step of `{ $command }` asks in a form; use the slash command for it.
