# StatsAggregator: /channels, /stats, die Ranglisten-Nachrichten.

help-category-stats-title = Kanalaktivität
help-category-stats-blurb = Aktivitätsranglisten, Kanäle dauerhaft machen, Diagramme und Neuberechnung

## Gemeinsame Antworten (mod.rs)
stats-stale = Dieser Befehl ist veraltet. Führ ihn noch einmal aus der Befehlsliste aus.
stats-unusable = Discord hat Optionen geschickt, mit denen dieser Befehl nichts anfangen kann ({ $error }).
stats-database-trouble = Die Datenbank hat nicht geantwortet, deshalb wurde nichts geändert. Versuch es gleich noch einmal.
stats-cache-trouble = Die Aktivitätszahlen konnten gerade nicht gelesen werden. Versuch es gleich noch einmal.
stats-discord-trouble = Discord hat es nicht getan ({ $problem }). Es wurde nichts geändert.
stats-no-categories = Es sind keine Kategorien eingestellt: Ein Admin legt sie mit `/config stats proposed-category` und `/config stats permanent-category` fest.

## /channels refresh (mod.rs)
stats-refreshed = Neu eingelesen: { $proposed } vorgeschlagene und { $permanent } dauerhafte Kanäle werden gezählt.
stats-rescan-failed = Die Kategorien konnten nicht von Discord gelesen werden ({ $problem }). Es wurde nichts geändert.
stats-rankings-refreshed = Die Ranglisten sind aktuell.
stats-no-rankings-channel = Es ist kein Ranglistenkanal eingestellt (`/config stats rankings-channel`), deshalb wurde keine Rangliste gepostet.
stats-rankings-failed = Die Ranglisten konnten nicht aktualisiert werden ({ $problem }).

## Die Ranglisten-Nachrichten (rankings.rs)
stats-proposed-title = 📈 Vorgeschlagene Kanäle nach Aktivität
stats-proposed-line = **{ $place }.** { $channel } — Punktzahl { $score } ({ $total } Nachrichten, { $week } diese Woche)
stats-proposed-empty = Noch keine vorgeschlagenen Kanäle.
stats-permanent-title = 🕒 Dauerhafte Kanäle nach letzter Aktivität
stats-permanent-line = **{ $place }.** { $channel } — letzte Nachricht <t:{ $last }:R> ({ $total } Nachrichten)
stats-permanent-line-quiet = **{ $place }.** { $channel } — noch keine Nachrichten
stats-permanent-empty = Noch keine dauerhaften Kanäle.
stats-rankings-updated = Aktualisiert <t:{ $at }:R>. Punktzahl = 0,4 × alle Nachrichten + 0,6 × Nachrichten der letzten 7 Tage.

## /channels promote (promote.rs)
stats-promote-no-categories = Beide Kategorien müssen eingestellt sein, bevor ein Kanal dauerhaft werden kann: `/config stats proposed-category` und `/config stats permanent-category`.
stats-promote-not-proposed = { $channel } liegt nicht in der Kategorie der vorgeschlagenen Kanäle und kann deshalb nicht dauerhaft werden.
stats-promote-already = { $channel } ist schon ein dauerhafter Kanal.
stats-promote-no-permission = Ich darf { $channel } nicht verschieben: Ich brauche dort und in der Kategorie der dauerhaften Kanäle „Kanäle verwalten“.
stats-promoted = { $channel } ist jetzt ein dauerhafter Kanal.
stats-promoted-announced = Das wurde in { $announce } angekündigt.
stats-promoted-no-announce = Es ist kein Ankündigungskanal eingestellt (`/config stats announce-channel`), deshalb wurde nichts angekündigt.
stats-promoted-announce-failed = Die Ankündigung in { $announce } ist fehlgeschlagen (prüf dort meine Berechtigungen).
stats-announce-title = 🎉 Ein Kanal bleibt
stats-announce = In { $channel } war so viel los, dass er ein dauerhafter Kanal geworden ist. Befördert von { $by }.

## /stats channel (chart.rs)
stats-chart-not-tracked = { $channel } wird nicht gezählt: Gezählt werden nur die Textkanäle der Kategorien für vorgeschlagene und dauerhafte Kanäle.
stats-chart = { $channel }: { $period } Nachrichten in den letzten { $days } Tagen, { $week } in den letzten 7, { $total } insgesamt. Punktzahl { $score }.
stats-chart-title = Nachrichten pro Tag, letzte { $days } Tage
stats-chart-failed = Das Diagramm konnte nicht gezeichnet werden. Versuch es gleich noch einmal.

## /stats recalculate (recalculate.rs)
stats-months-out-of-range = { $months } Monate gehen nicht: Wähl einen Wert von 1 bis { $max }.
stats-recalculate-nothing = Hier werden noch keine Kanäle gezählt: Stell zuerst die Kategorien ein und führ `/channels refresh` aus.
stats-recalculate-running = Hier läuft schon eine Neuberechnung (gestartet von { $by }). { $progress }
stats-recalculate-running-unknown = Hier läuft schon eine Neuberechnung.
stats-recalculate-started = { $channels } Kanäle werden aus dem Verlauf der letzten { $months } Monate neu berechnet.
stats-recalculate-progress = Fertige Kanäle: { $done } von { $total } · gelesene Nachrichten: { $messages } · { $eta }
stats-eta-seconds = noch etwa { $seconds } s
stats-eta-minutes = noch etwa { $minutes } min
stats-eta-unknown = die Restzeit wird geschätzt …
stats-recalculate-done = ✅ Neuberechnung fertig: { $channels } Kanäle, { $messages } Nachrichten in { $seconds } s gelesen.
stats-recalculate-failed = ❌ Die Neuberechnung wurde abgebrochen: { $problem }. Starte sie noch einmal, um neu zu beginnen.
