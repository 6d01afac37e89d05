# Die Kernbefehle (core/mod.rs) und die Präfixbefehle der Admins (core/prefix.rs).

core-not-mine = `/{ $name }` ist keiner meiner Befehle.
core-stale-button = Dieser Button stammt aus einer älteren Nachricht und funktioniert nicht mehr. Führ den Befehl noch einmal aus.
core-stale-form = Dieses Formular stammt aus einer älteren Nachricht und funktioniert nicht mehr.

## Präfixbefehle (in der Sprache des Servers beantwortet)
prefix-pong = 🏓 Pong! Gateway-Heartbeat: { $heartbeat }. REST-Antwortzeit: { $rest }.
prefix-shard-latency = Shard { $shard } { $ms } ms
prefix-round-trip = { $ms } ms
prefix-no-answer = keine Antwort
prefix-synced-here = ✅ { $count } Slash-Befehle auf diesem Server registriert.
prefix-synced-guild = ✅ { $count } Slash-Befehle auf Server { $guild } registriert.
prefix-synced-global = ✅ { $count } Slash-Befehle global registriert (Discord kann eine Weile brauchen, bis die Änderungen überall sichtbar sind).
prefix-sync-failed = ❌ Die Befehle konnten nicht registriert werden: { $error }
