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
