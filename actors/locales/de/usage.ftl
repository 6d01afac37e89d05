# UsageRecorder: /usage overview, /usage errors.

help-category-usage-title = Nutzungsstatistik
help-category-usage-blurb = Laufzeit, Server, Mitglieder, ausgeführte Befehle und wie sie ausgingen

## Shared answers (mod.rs)
usage-stale = Dieser Befehl ist veraltet. Führe ihn erneut aus der Befehlsliste aus.
usage-unusable = Discord hat Optionen geschickt, mit denen dieser Befehl nichts anfangen kann ({ $error }).
usage-database-trouble = Die Datenbank hat nicht geantwortet, daher konnte die Nutzung nicht gelesen werden. Versuche es gleich noch einmal.
usage-days-out-of-range = Die Nutzung wird { $keep } Tage aufbewahrt: frage nach 1 bis { $keep } Tagen, nicht nach { $days }.

## /usage overview (mod.rs)
usage-overview-title = 📊 **Nutzung**
usage-overview-bot = Läuft seit { $uptime } · { $guilds } Server · { $members } Mitglieder
usage-overview-guild = **Dieser Server:** { $today } Befehle heute · { $total } insgesamt
usage-overview-top = **Häufigste Befehle, letzte { $days } Tage**
usage-overview-line = { $place }. `/{ $command }` — { $runs } Ausführungen · p50 { $p50 } · p95 { $p95 }
usage-overview-none = In diesen Tagen wurden keine Befehle ausgeführt.

## /usage errors (mod.rs)
usage-errors-title = 🚨 **Fehler in allen Servern, letzte { $days } Tage** ({ $runs } Befehle ausgeführt)
usage-errors-line = `/{ $command }` — { $failed } fehlgeschlagen · { $busy } ausgelastet von { $runs } Ausführungen ({ $refused } abgelehnt) · p50 { $p50 } · p95 { $p95 }
usage-errors-none = Kein Befehl ist fehlgeschlagen oder wurde wegen Auslastung abgewiesen.
