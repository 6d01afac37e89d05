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

## /config (core/settings.rs); Log-Einträge in der Sprache des Servers
config-title = Agora-Einstellungen
config-field-admin-role = Admin-Rolle
config-field-moderator-role = Moderatorenrolle
config-field-log-channel = Log-Kanal
config-field-allowed = Beantwortet Befehle in
config-field-locale = Sprache
config-not-set = nicht festgelegt
config-every-channel = jedem Kanal
config-guild-only = Einstellungen gehören zu einem Server; führ den Befehl dort aus.
config-not-a-command = Das ist kein /config-Befehl.
config-unreadable = Ich konnte diesen Befehl nicht lesen: { $error }.
config-done = Erledigt: { $change }.
config-reset-done = Erledigt: { $change }. Alles steht wieder auf dem Standard.
config-log-entry = ⚙️ <@{ $user }> hat { $change }.
config-log-here = 📋 Agora schreibt sein Log ab jetzt hierher (festgelegt von <@{ $user }>).
config-log-unwritable = Ich kann nicht in <#{ $channel }> posten ({ $error }). Gib mir dort die Berechtigungen „Kanal ansehen“ und „Nachrichten senden“ und versuch es dann noch einmal.
config-already-allowed = <#{ $channel }> ist schon erlaubt.
config-too-many-channels = Es können höchstens 25 Kanäle erlaubt sein; nimm zuerst einen von der Liste.
config-not-allowed = <#{ $channel }> steht nicht auf der Liste der erlaubten Kanäle.
config-database-refused = Die Datenbank hat die Änderung nicht übernommen ({ $error }). Es wurde nichts geändert; versuch es in einer Minute noch einmal.
config-database-down = Die Datenbank antwortet nicht ({ $error }). Es wurde nichts geändert; versuch es in einer Minute noch einmal.
config-reset-failed = Die Einstellungen konnten nicht alle zurückgesetzt werden: { $error }. Sieh mit `/config show` nach, was gerade gilt, und versuch es in einer Minute noch einmal.
config-everyone-role = @everyone kann keine Team-Rolle sein: Dann gehörten alle zum Team.
config-managed-role = <@&{ $role }> gehört zu einer Integration (einem Bot oder einem Abo) und kann nicht an Personen vergeben werden.
# Was sich geändert hat: nach „Erledigt:“ und im Log-Eintrag nach „<@…> hat“.
config-changed-admin-role = die Admin-Rolle auf { $role } gesetzt
config-changed-moderator-role = die Moderatorenrolle auf { $role } gesetzt
config-changed-log-channel = den Log-Kanal auf { $channel } gesetzt
config-changed-allowed = Befehle in <#{ $channel }> erlaubt
config-changed-disallowed = Befehle in <#{ $channel }> nicht mehr erlaubt
config-changed-locale = die Sprache auf { $locale } gesetzt
config-changed-reset = alle Einstellungen zurückgesetzt: Admin- und Moderatorenrolle, Log-Kanal, erlaubte Kanäle, Sprache, Präfix, Aufräumen und die Rollen für Befehle sowie für jedes Feature ({ $features }), ob es eingeschaltet ist, und seine Einstellungen

## /config features … und /config <feature> <einstellung> (core/feature_settings.rs, feature.rs)
config-features-not-a-command = Das ist kein /config-features-Befehl.
config-feature-line = `{ $feature }` — { $title }: { $state }
config-feature-on-always = ✅ an (immer)
config-feature-on = ✅ an
config-feature-off = ⏸️ aus
config-no-such-feature = In diesem Agora läuft kein Feature namens `{ $feature }` (es laufen: { $running }). Es wurde nichts geändert.
config-feature-always-on = `{ $feature }` ist immer eingeschaltet. Es wurde nichts geändert.
config-feature-already-on = { $title } ist hier schon eingeschaltet.
config-feature-already-off = { $title } ist hier schon ausgeschaltet.
config-changed-feature-on = { $title } (`{ $feature }`) eingeschaltet
config-changed-feature-off = { $title } (`{ $feature }`) ausgeschaltet
config-no-such-setting = { $title } hat keine solche Einstellung. Es wurde nichts geändert.
config-changed-setting = { $feature } { $key } auf { $value } gesetzt
config-changed-setting-default = { $feature } { $key } auf den Standard zurückgesetzt ({ $value })
config-feature-off-here = { $title } (hier ausgeschaltet)
config-setting-line = `{ $key }`: { $value }
config-setting-line-default = `{ $key }`: { $value } (Standard)
setting-text-channel-only = `{ $key }` braucht einen Text- oder Ankündigungskanal. Es wurde nichts geändert.
setting-category-only = `{ $key }` braucht eine Kategorie. Es wurde nichts geändert.
setting-no-everyone = @everyone kann hier nicht gewählt werden. Es wurde nichts geändert.
setting-wrong-value = Diesen Wert kann `{ $key }` nicht annehmen. Es wurde nichts geändert.
setting-out-of-range = `{ $key }` muss zwischen { $min } und { $max } { $unit } liegen; { $value } liegt außerhalb. Es wurde nichts geändert.
setting-whole-number = `{ $key }` braucht eine ganze Zahl ({ $unit }). Es wurde nichts geändert.
setting-number = `{ $key }` braucht eine Zahl ({ $unit }). Es wurde nichts geändert.
setting-not-set = nicht festgelegt
setting-on = an
setting-off = aus
setting-amount = { $value } { $unit }
# Optional: die Einheiten, die Features angeben (`setting-unit-<einheit>`); eine Einheit ohne Schlüssel erscheint wie angegeben.
setting-unit-minutes = Minuten
setting-unit-hours = Stunden

## /help (core/help.rs)
help-title = Agora-Hilfe
help-intro = Das kannst du auf diesem Server als **{ $role }** ausführen. Wähl eine Kategorie, um ihre Befehle zu sehen.
help-role-member = Mitglied
help-role-moderator = Moderator
help-role-admin = Server-Admin
help-role-owner = Besitzer des Bots
help-category-line = **{ $title }** — { $blurb } ({ $count ->
        [one] { $count } Befehl
       *[other] { $count } Befehle
    })
help-page-title = { $title } — Seite { $page } von { $pages }
help-nothing = Hier gibt es nichts, was du ausführen kannst.
help-needs-role = braucht { $roles }
help-choose-category = Wähl eine Kategorie
help-previous = Zurück
help-next = Weiter
# Optional: die Hilfe-Kategorien der Features (`help-category-<key>-title` und `-blurb`);
# eine Kategorie ohne sie zeigt ihr angegebenes Englisch.
help-category-general-title = Allgemein
help-category-general-blurb = Hilfe und der Zustand des Bots
help-category-settings-title = Server-Einstellungen
help-category-settings-blurb = Rollen, Log-Kanal, Kanäle, Sprache und Features
help-category-shifts-title = Moderationsschichten
help-category-shifts-blurb = Wochenpläne, abgegebene Schichten, Übernahmen und Abdeckung

## /status und !status (core/status.rs)
status-healthy = Agora läuft einwandfrei
status-degraded = Agora läuft eingeschränkt
status-field-version = Version
status-field-uptime = Laufzeit
status-field-database = Datenbank
status-field-cache = Cache
status-field-gateway = Gateway
status-field-actors = Akteure
status-text-head = **{ $title }** · Version { $version } · läuft seit { $uptime }
status-up = ✅ { $detail }, Antwort in { $ms } ms
status-down = ❌ antwortet nicht: { $reason }
status-timed-out = keine Antwort innerhalb von 2 s
status-uptime-days = { $days } T. { $hours } Std. { $minutes } Min.
status-uptime-hours = { $hours } Std. { $minutes } Min. { $seconds } s
status-uptime-minutes = { $minutes } Min. { $seconds } s
status-no-shards = keine Shards
status-shard-waiting = ✅ Shard { $shard }: verbunden, { $events } Events (noch kein Heartbeat)
status-shard-connected = ✅ Shard { $shard }: verbunden, Heartbeat { $ms } ms, { $events } Events
status-shard-disconnected = ❌ Shard { $shard }: getrennt
status-identify = IDENTIFY: heute noch { $left } Sitzungsstarts, { $concurrency } gleichzeitig
status-identify-held-back = ⚠️ IDENTIFY zurückgehalten: heute noch { $left } Sitzungsstarts, die Reserve ist { $floor }; Shards, die ihre Sitzung verlieren, warten auf Discords täglichen Neustart des Kontingents
status-field-processes = Prozesse
status-no-processes = keine (die Heartbeat-Tabelle war nicht lesbar)
status-process = ✅ { $name }: Shards { $first }..{ $end } von { $total }, Heartbeat vor { $seconds } s
status-process-leader = ✅ { $name }: Shards { $first }..{ $end } von { $total }, Leader (führt die Ticker aus), Heartbeat vor { $seconds } s
status-process-silent = ❌ { $name }: Shards { $first }..{ $end } von { $total }, still seit { $seconds } s
status-actor = { $mark } { $actor }: { $accepted } angenommen, { $in_flight } in Bearbeitung, { $queued } in der Warteschlange, { $done } erledigt, { $busy } abgewiesen, { $restarts } Neustarts
status-last-incident = (letzter Vorfall `{ $incident }`)

## /config permissions (core/access.rs)
permissions-title = Rollen, die diese Befehle hier brauchen (Admins dürfen immer):
permissions-line = `/{ $command }` — <@&{ $role }>
permissions-none = Kein Befehl braucht hier eine Rolle über die übliche Berechtigung hinaus. Lege eine mit `/config permissions set` fest.
permissions-unknown-command = Ich habe keinen Befehl `{ $command }`. Nenne einen Befehl oder Unterbefehl so, wie du ihn tippst, etwa `shift drop` oder `tickets`. Nichts wurde geändert.
permissions-unknown-role = Diese Rolle gehört nicht zu diesem Server. Nichts wurde geändert.
permissions-everyone-role = @everyone umfasst alle Mitglieder, sie zu verlangen würde nichts ändern. Nichts wurde geändert.
permissions-admins-anyway = `/{ $command }` ist schon nur für { $who }, und die dürfen trotz jeder Rollenregel: eine Rolle würde nichts ändern. Nichts wurde geändert.
permissions-not-set = `/{ $command }` braucht hier keine Rolle. Nichts wurde geändert.
permissions-changed-set = hat <@&{ $role }> für `/{ $command }` verlangt
permissions-changed-clear = verlangt für `/{ $command }` keine Rolle mehr

## /config prefix und /config tidy-replies (core/prefix.rs, core/settings.rs)
config-prefix-blank = Ein Präfix braucht mindestens ein Zeichen, das kein Leerzeichen ist. Nichts wurde geändert.
config-prefix-spaces = Ein Präfix darf keine Leerzeichen enthalten (`{ $prefix }`). Nichts wurde geändert.
config-prefix-too-long = Ein Präfix hat höchstens { $max } Zeichen; dieses hat { $length }. Nichts wurde geändert.
config-prefix-mention = Ein Präfix darf keine Erwähnung sein oder enthalten (die Erwähnung des Bots wirkt ohnehin als Präfix). Nichts wurde geändert.
config-changed-prefix = hat das Präfix der Textbefehle auf `{ $prefix }` gesetzt
config-changed-prefix-default = hat das Präfix der Textbefehle auf den Standard zurückgesetzt
tidy-out-of-range = Aufräumen nimmt 0 bis { $max } Sekunden (0 behält jede Antwort). Nichts wurde geändert.
tidy-changed-on = lässt die öffentlichen Bestätigungen des Bots nach { $seconds } s löschen
tidy-changed-off = hat das Aufräumen ausgeschaltet (öffentliche Bestätigungen bleiben)
config-field-text-and-replies = Textbefehle und Antworten
config-text-and-replies = Präfix: { $prefix } (oder die Erwähnung des Bots) · Aufräumen: { $tidy }
config-prefix-default = der Standard
config-tidy-off = aus
config-tidy-after = nach { $seconds } s
