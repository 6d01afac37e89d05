# The core commands (core/mod.rs) and the admins' prefix commands (core/prefix.rs).

core-not-mine = `/{ $name }` is not one of mine.
core-stale-button = This button is from an older message and no longer works. Run the command again.
core-stale-form = This form is from an older message and no longer works.

## Prefix commands (answered in the guild's language)
prefix-pong = 🏓 Pong! Gateway heartbeat: { $heartbeat }. REST round trip: { $rest }.
prefix-shard-latency = shard { $shard } { $ms } ms
prefix-round-trip = { $ms } ms
prefix-no-answer = no answer
prefix-synced-here = ✅ Registered { $count } slash commands in this server.
prefix-synced-guild = ✅ Registered { $count } slash commands in server { $guild }.
prefix-synced-global = ✅ Registered { $count } slash commands globally (Discord may take a while to show changes everywhere).
prefix-sync-failed = ❌ Could not register the commands: { $error }

## /config (core/settings.rs); log entries are in the guild's language
config-title = Agora settings
config-field-admin-role = Admin role
config-field-moderator-role = Moderator role
config-field-log-channel = Log channel
config-field-allowed = Answers commands in
config-field-locale = Locale
config-not-set = not set
config-every-channel = every channel
config-guild-only = Settings belong to a server; run this in one.
config-not-a-command = That is not a /config command.
config-unreadable = I could not read that command: { $error }.
config-done = Done: { $change }.
config-reset-done = Done: { $change }. Everything is back to its default.
config-log-entry = ⚙️ <@{ $user }> { $change }.
config-log-here = 📋 Agora will write its log here (set by <@{ $user }>).
config-log-unwritable = I can't post in <#{ $channel }> ({ $error }). Give me View Channel and Send Messages there, then try again.
config-already-allowed = <#{ $channel }> is already allowed.
config-too-many-channels = At most 25 channels can be allowed; disallow one first.
config-not-allowed = <#{ $channel }> is not on the list of allowed channels.
config-database-refused = The database did not take the change ({ $error }). Nothing changed; try again in a minute.
config-database-down = The database is not answering ({ $error }). Nothing changed; try again in a minute.
config-reset-failed = The settings could not all be reset: { $error }. Run `/config show` to see where things stand, and try again in a minute.
config-everyone-role = @everyone can't be a staff role: everyone would be staff.
config-managed-role = <@&{ $role }> belongs to an integration (a bot or a subscription) and can't be given to people.
# What changed, after "Done:" and in the log entry after the admin's mention.
config-changed-admin-role = set the admin role to { $role }
config-changed-moderator-role = set the moderator role to { $role }
config-changed-log-channel = set the log channel to { $channel }
config-changed-allowed = allowed commands in <#{ $channel }>
config-changed-disallowed = stopped answering commands in <#{ $channel }>
config-changed-locale = set the locale to { $locale }
config-changed-reset = reset every setting: admin and moderator roles, log channel, allowed channels, locale, prefix, tidy replies and the roles commands need, and for each feature ({ $features }) whether it is on and its settings

## /config features … and /config <feature> <setting> (core/feature_settings.rs, feature.rs)
config-features-not-a-command = That is not a /config features command.
config-feature-line = `{ $feature }` — { $title }: { $state }
config-feature-on-always = ✅ on (always)
config-feature-on = ✅ on
config-feature-off = ⏸️ off
config-no-such-feature = This Agora has no feature called `{ $feature }` running (it runs: { $running }). Nothing changed.
config-feature-always-on = `{ $feature }` is always on. Nothing changed.
config-feature-already-on = { $title } is already on here.
config-feature-already-off = { $title } is already off here.
config-changed-feature-on = turned on { $title } (`{ $feature }`)
config-changed-feature-off = turned off { $title } (`{ $feature }`)
config-no-such-setting = { $title } has no such setting. Nothing changed.
config-changed-setting = set { $feature } { $key } to { $value }
config-changed-setting-default = set { $feature } { $key } back to its default ({ $value })
config-feature-off-here = { $title } (off here)
config-setting-line = `{ $key }`: { $value }
config-setting-line-default = `{ $key }`: { $value } (default)
setting-text-channel-only = `{ $key }` takes a text or announcement channel. Nothing changed.
setting-category-only = `{ $key }` takes a category. Nothing changed.
setting-no-everyone = @everyone can't be chosen here. Nothing changed.
setting-wrong-value = That is not a value `{ $key }` can take. Nothing changed.
setting-out-of-range = `{ $key }` must be from { $min } to { $max } { $unit }; { $value } is out of range. Nothing changed.
setting-whole-number = `{ $key }` takes a whole number of { $unit }. Nothing changed.
setting-number = `{ $key }` takes a number of { $unit }. Nothing changed.
setting-not-set = not set
setting-on = on
setting-off = off
setting-amount = { $value } { $unit }
# Optional: the units features declare (`setting-unit-<unit>`); a unit without a key is shown as declared.
setting-unit-minutes = minutes
setting-unit-hours = hours

## /help (core/help.rs)
help-title = Agora help
help-intro = Here is what you can run in this server, as **{ $role }**. Pick a category to see its commands.
help-role-member = a member
help-role-moderator = a moderator
help-role-admin = a server admin
help-role-owner = a bot owner
help-category-line = **{ $title }** — { $blurb } ({ $count } { $count ->
        [one] command
       *[other] commands
    })
help-page-title = { $title } — page { $page } of { $pages }
help-nothing = Nothing here you can run.
help-needs-role = needs { $roles }
help-choose-category = Choose a category
help-previous = Previous
help-next = Next
# Optional: the help categories the features declare (`help-category-<key>-title` and
# `-blurb`); a category without them shows its declared English.
help-category-general-title = General
help-category-general-blurb = Help and the bot's health
help-category-settings-title = Server settings
help-category-settings-blurb = Roles, log channel, channels, language and features
help-category-shifts-title = Moderator shifts
help-category-shifts-blurb = Schedules, dropped shifts, claims and coverage

## /status and !status (core/status.rs)
status-healthy = Agora is healthy
status-degraded = Agora is degraded
status-field-version = Version
status-field-uptime = Uptime
status-field-database = Database
status-field-cache = Cache
status-field-gateway = Gateway
status-field-actors = Actors
status-text-head = **{ $title }** · version { $version } · up { $uptime }
status-up = ✅ { $detail }, answered in { $ms } ms
status-down = ❌ not answering: { $reason }
status-timed-out = no answer within 2 s
status-uptime-days = { $days }d { $hours }h { $minutes }m
status-uptime-hours = { $hours }h { $minutes }m { $seconds }s
status-uptime-minutes = { $minutes }m { $seconds }s
status-no-shards = no shards
status-shard-waiting = ✅ shard { $shard }: connected, { $events } events (no heartbeat yet)
status-shard-connected = ✅ shard { $shard }: connected, heartbeat { $ms } ms, { $events } events
status-shard-disconnected = ❌ shard { $shard }: disconnected
status-identify = IDENTIFY: { $left } session starts left today, { $concurrency } at a time
status-identify-held-back = ⚠️ IDENTIFY held back: { $left } session starts left today, the floor is { $floor }; shards that lose their session wait for Discord's daily reset
status-field-processes = Processes
status-no-processes = none listed (the heartbeat table could not be read)
status-process = ✅ { $name }: shards { $first }..{ $end } of { $total }, heartbeat { $seconds } s ago
status-process-leader = ✅ { $name }: shards { $first }..{ $end } of { $total }, leader (runs the tickers), heartbeat { $seconds } s ago
status-process-silent = ❌ { $name }: shards { $first }..{ $end } of { $total }, silent for { $seconds } s
status-actor = { $mark } { $actor }: { $accepted } accepted, { $in_flight } in flight, { $queued } queued, { $done } done, { $busy } busy, { $restarts } restarts
status-last-incident = (last incident `{ $incident }`)

## /config permissions (core/access.rs)
permissions-title = Roles these commands need here (admins always pass):
permissions-line = `/{ $command }` — <@&{ $role }>
permissions-none = No command needs a role here beyond who may run it. Set one with `/config permissions set`.
permissions-unknown-command = I have no command `{ $command }`. Name a command or subcommand as you type it, such as `shift drop` or `tickets`. Nothing changed.
permissions-unknown-role = That role is not one of this server's roles. Nothing changed.
permissions-everyone-role = @everyone has every member in it, so requiring it would change nothing. Nothing changed.
permissions-admins-anyway = `/{ $command }` is for { $who } already, and they pass every role rule: a role would change nothing. Nothing changed.
permissions-not-set = `/{ $command }` needs no role here. Nothing changed.
permissions-changed-set = required <@&{ $role }> for `/{ $command }`
permissions-changed-clear = stopped requiring a role for `/{ $command }`

## /config prefix and /config tidy-replies (core/prefix.rs, core/settings.rs)
config-prefix-blank = A prefix needs at least one character that is not a space. Nothing changed.
config-prefix-spaces = A prefix can't contain spaces (`{ $prefix }`). Nothing changed.
config-prefix-too-long = A prefix has at most { $max } characters; that one has { $length }. Nothing changed.
config-prefix-mention = A prefix can't be or contain a mention (the bot's mention works as a prefix anyway). Nothing changed.
config-changed-prefix = set the text commands' prefix to `{ $prefix }`
config-changed-prefix-default = set the text commands' prefix back to the default
tidy-out-of-range = Tidy replies take 0 to { $max } seconds (0 keeps every reply). Nothing changed.
tidy-changed-on = had the bot's public confirmations deleted after { $seconds } s
tidy-changed-off = turned tidy replies off (public confirmations stay)
config-field-text-and-replies = Text commands and replies
config-text-and-replies = Prefix: { $prefix } (or the bot's mention) · Tidy replies: { $tidy }
config-prefix-default = the default
config-tidy-off = off
config-tidy-after = after { $seconds } s
