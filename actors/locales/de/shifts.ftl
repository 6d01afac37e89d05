# ShiftScheduler: /shift, /schedule, /timezone, die gepostete Schicht-Nachricht, Erinnerungen.

## Einheiten und Tage (render.rs, schedule.rs)
duration-minutes = { $minutes } Min.
duration-hours = { $hours } Std.
duration-hours-minutes = { $hours } Std. { $minutes } Min.
weekday-monday = Montag
weekday-tuesday = Dienstag
weekday-wednesday = Mittwoch
weekday-thursday = Donnerstag
weekday-friday = Freitag
weekday-saturday = Samstag
weekday-sunday = Sonntag

## Die gepostete Schicht-Nachricht (render.rs)
shift-title = Schicht #{ $id }: { $description }
shift-field-starts = Beginn
shift-field-ends = Ende
shift-field-duration = Dauer
shift-field-dropped-by = Abgegeben von
shift-field-scheduled-for = Eingeplant für
shift-field-status = Status
shift-status-open = 🟢 Offen — Moderatoren können sie übernehmen
shift-status-claimed = ✅ Übernommen von <@{ $user }>
shift-status-started = ▶️ Begonnen — übernommen von <@{ $user }>
shift-status-started-unclaimed = ⚠️ Begonnen, ohne dass sie jemand übernommen hat
shift-status-done = 🏁 Erledigt — übernommen von <@{ $user }>
shift-status-over = 🏁 Vorbei — niemand hat sie übernommen
shift-status-cancelled = ❌ Abgesagt von <@{ $user }>
shift-button-claim = Schicht übernehmen
shift-button-claimed = Übernommen
shift-button-started = Begonnen
shift-button-done = Erledigt
shift-button-cancelled = Abgesagt

## Abgeben, bearbeiten, absagen, übernehmen (shift.rs)
shift-duration-out-of-range = Eine Schicht dauert zwischen 15 Minuten und 24 Stunden; { $minutes } Minuten liegen außerhalb. Es wurde nichts geändert.
shift-doing-edited = bearbeitet
shift-doing-cancelled = abgesagt
shift-doing-unclaimed = zurückgegeben
shift-doing-claimed = übernommen
shift-refused-cancelled = Schicht #{ $id } wurde abgesagt; sie kann nicht mehr { $doing } werden.
shift-refused-done = Schicht #{ $id } ist vorbei; sie kann nicht mehr { $doing } werden.
shift-refused-started = Schicht #{ $id } hat schon begonnen; sie kann nicht mehr { $doing } werden.
shift-refused-claimed = Schicht #{ $id } hat <@{ $user }> übernommen; sie kann nicht { $doing } werden. Bitte die Person, sie zuerst mit `/shift unclaim` zurückzugeben.
shift-refused-open = Schicht #{ $id } kann nicht { $doing } werden.
shift-not-found = Auf diesem Server gibt es keine Schicht #{ $id }.
shift-no-channel = Hier ist noch kein Schicht-Kanal festgelegt: Ein Admin kann ihn mit `/config shifts channel` wählen.
shift-slot-taken = Dieser Termin ({ $when }) wurde schon abgegeben; sieh im Schicht-Kanal nach.
shift-posted = Schicht #{ $id } ist in <#{ $channel }> gepostet: Beginn { $when }, { $duration }.
shift-post-failed = Ich konnte nicht in <#{ $channel }> posten ({ $error }), deshalb wurde die Schicht nicht abgegeben. Gib mir dort die Berechtigung „Nachrichten senden“ und versuch es noch einmal.
shift-post-failed-kept = Ich konnte nicht in <#{ $channel }> posten ({ $error }), und die Datenbank hat mich Schicht #{ $id } nicht zurücknehmen lassen, deshalb ist sie ohne Nachricht gespeichert. Sag sie mit `/shift cancel id:{ $id }` ab, sobald die Datenbank wieder antwortet.
shift-start-past-drop = Dieser Beginn ({ $when }) liegt in der Vergangenheit; wähl eine Zeit in der Zukunft. Es wurde nichts abgegeben.
shift-no-description = Gib der Schicht eine Beschreibung.
shift-drop-slot-admins-only = Nur Server-Admins können den eingeplanten Termin einer anderen Person abgeben.
shift-no-slots-own = Du hast keine wöchentlichen Termine zum Abgeben; füg mit `/schedule add` einen hinzu.
shift-no-slots-other = <@{ $user }> hat keine wöchentlichen Termine zum Abgeben.
shift-slot-description = eingeplanter Termin, { $weekday } { $time } ({ $zone })
shift-edit-not-allowed = Nur der Moderator, der Schicht #{ $id } abgegeben hat, oder ein Admin kann sie bearbeiten.
shift-start-past-edit = Dieser Beginn ({ $when }) liegt in der Vergangenheit; es wurde nichts geändert.
shift-edit-conflict = Schicht #{ $id } hat sich inzwischen geändert (übernommen oder abgesagt); es wurde nichts bearbeitet.
shift-edited = Schicht #{ $id } beginnt jetzt { $when } und dauert { $duration }.
shift-cancel-not-allowed = Nur der Moderator, der Schicht #{ $id } abgegeben hat, oder ein Admin kann sie absagen.
shift-already-cancelled = Schicht #{ $id } wurde schon abgesagt oder ist vorbei.
shift-cancelled-note = Schicht #{ $id } ({ $description }), die du übernommen hattest und die { $when } beginnen sollte, wurde von <@{ $user }> abgesagt.
shift-cancelled = Schicht #{ $id } ist abgesagt.
shift-not-your-claim = Du hast Schicht #{ $id } nicht übernommen.
shift-unclaim-too-late = Schicht #{ $id } kann nicht mehr zurückgegeben werden.
shift-unclaimed = Du hast Schicht #{ $id } zurückgegeben; sie kann wieder übernommen werden.
shift-answered-elsewhere = Das wird an anderer Stelle beantwortet.
shift-claim-taken = Zu spät: <@{ $user }> hat Schicht #{ $id } schon übernommen.
shift-own-claim = Du hast diese Schicht selbst abgegeben; ein anderer Moderator muss sie übernehmen.
shift-claim-too-early = Du hast in den letzten 7 Tagen { $hours } Std. übernommen (die Grenze liegt hier bei { $limit } Std.), deshalb kannst du diese Schicht erst ab { $from } übernehmen, { $minutes } Minuten vor Beginn.
shift-claimed = Du hast Schicht #{ $id } übernommen.

## Erinnerungen per DM und Pings im Schicht-Kanal (reminders.rs; Sprache des Servers)
shift-reminder = ⏰ Deine Schicht #{ $id } ({ $description }) beginnt { $when }.
shift-unclaimed-ping = { $mention }⚠️ Schicht #{ $id } ({ $description }) ist noch nicht übernommen und beginnt { $when }.

## /timezone und /schedule (schedule.rs)
timezone-set = Deine Zeitzone ist jetzt **{ $zone }** (dort ist es gerade { $weekday }, { $time } Uhr). Befehle verwenden sie immer, wenn du keine Zone angibst.
timezone-show = Deine Zeitzone ist **{ $zone }**.
timezone-unset = Du hast keine Zeitzone festgelegt, deshalb wird UTC verwendet. Leg deine mit `/timezone set` fest.
timezone-saved-unknown = Deine gespeicherte Zeitzone `{ $zone }` kenne ich nicht mehr, deshalb kann ich deine Zeiten nicht lesen. Leg sie mit `/timezone set` neu fest oder gib bei diesem Befehl eine Zone an.
schedule-admins-only = Nur Server-Admins können den Plan einer anderen Person ändern.
schedule-slot-line = **{ $weekday } { $time }** { $zone } — nächster Termin { $when }
schedule-added = Zu { $whose ->
        [own] deinem Plan
       *[other] dem Plan von <@{ $user }>
    } hinzugefügt: { $line }
schedule-slot-exists = { $whose ->
        [own] Dein Plan
       *[other] Der Plan von <@{ $user }>
    } hat schon einen Termin am { $weekday } um { $time }.
schedule-removed = { $weekday } { $time } aus { $whose ->
        [own] deinem Plan
       *[other] dem Plan von <@{ $user }>
    } entfernt.
schedule-no-such-slot = In { $whose ->
        [own] deinem Plan
       *[other] dem Plan von <@{ $user }>
    } gibt es keinen Termin am { $weekday } um { $time }; es wurde nichts geändert.
schedule-empty = { $whose ->
        [own] Dein Plan
       *[other] Der Plan von <@{ $user }>
    } hat noch keine wöchentlichen Termine.
schedule-view = { $whose ->
        [own] Dein Wochenplan
       *[other] Der Wochenplan von <@{ $user }>
    }:
schedule-already-empty = { $whose ->
        [own] Dein Plan
       *[other] Der Plan von <@{ $user }>
    } war schon leer.
schedule-cleared = { $count ->
        [one] { $count } Termin
       *[other] { $count } Termine
    } aus { $whose ->
        [own] deinem Plan
       *[other] dem Plan von <@{ $user }>
    } entfernt.

## Eingegebene Zeiten (time.rs)
zone-unknown = „{ $zone }“ ist keine Zeitzone, die ich kenne. Wähl beim Tippen eine aus der Liste, z. B. Europe/Berlin oder America/New_York.
clock-malformed = `{ $text }` ist keine Uhrzeit: Schreib sie als HH:MM, z. B. 09:30 oder 21:00.
clock-hour = { $hour } ist keine Stunde: Stunden gehen von 0 bis 23.
clock-minute = { $minute } ist keine Minute: Minuten gehen von 0 bis 59.
start-malformed = `{ $text }` ist kein Datum mit Uhrzeit: Schreib es als JJJJ-MM-TT HH:MM, z. B. 2026-12-24 18:00.
start-no-such-day = { $text } ist kein Tag im Kalender.

## /shift stats, leaderboard, upcoming, export (insight.rs)
stats-title = Schicht-Statistik
stats-line = { $shifts ->
        [one] { $shifts } Schicht
       *[other] { $shifts } Schichten
    }, { $hours } Std.
stats-claimed-week = Übernommen, letzte 7 Tage
stats-claimed-month = Übernommen, letzte 30 Tage
stats-claimed-ever = Übernommen, insgesamt
stats-dropped = Abgegeben
stats-cancelled = Davon abgesagt
leaderboard-week = letzte 7 Tage
leaderboard-month = letzte 30 Tage
leaderboard-ever = insgesamt
leaderboard-title = Schicht-Bestenliste — { $period }
leaderboard-empty = In diesem Zeitraum hat noch niemand eine Schicht übernommen.
leaderboard-line = { $rank }. <@{ $user }> — { $hours } Std. ({ $shifts ->
        [one] { $shifts } Schicht
       *[other] { $shifts } Schichten
    })
upcoming-covered-by = übernommen von <@{ $user }>
upcoming-open = **offen**
upcoming-line = #{ $id } <t:{ $start }:f>, { $duration } — { $description } — { $who }
upcoming-more = … und { $count } weitere
upcoming-none = Keine Schichten in den nächsten 7 Tagen.
upcoming-gap = <t:{ $start }:f> → <t:{ $end }:f> ({ $duration })
upcoming-no-gaps = Keine: Die nächsten 7 Tage sind abgedeckt.
upcoming-title = Abdeckung, nächste 7 Tage
upcoming-gaps = Lücken (abgedeckt: { $hours } von 168 Std.)
upcoming-undelivered = Nicht zugestellt
upcoming-undelivered-line = #{ $id }: { $what } — { $reason }
notice-kind-reminder = Erinnerung an <@{ $user }>
notice-kind-unclaimed = Hinweis auf offene Schicht in <#{ $channel }>
notice-failed-dms-closed = nimmt keine Direktnachrichten von mir an
notice-failed-no-permission = ich darf dort nicht posten
notice-failed-unknown-channel = den Kanal gibt es nicht mehr
notice-failed-other = Discord hat wiederholt abgelehnt ({ $error })
export-nothing = Du hast hier noch keine Schichten übernommen, also gibt es nichts zu exportieren.
export-calendar-name = Agora-Moderationsschichten
export-event = Moderationsschicht #{ $id }
export-done = { $count ->
        [one] Deine übernommene Schicht
       *[other] Deine { $count } übernommenen Schichten
    } als Kalenderdatei: Öffne sie oder importiere sie in deine Kalender-App.

## Antworten des Schicht-Akteurs selbst (mod.rs)
shift-guild-only = Schichten gehören zu einem Server; führ den Befehl dort aus.
shift-not-a-command = Diesen Befehl kann ich nicht lesen.
shift-unusable = Damit konnte ich nichts anfangen: { $error }. Es wurde nichts geändert.
shift-database-trouble = Die Datenbank antwortet gerade nicht; es wurde nichts geändert. Bitte versuch es in einer Minute noch einmal.
shift-stale-button = Dieser Button stammt aus einer älteren Nachricht und funktioniert nicht mehr.
shift-stale = Dieser Button oder dieses Formular stammt aus einer älteren Nachricht und funktioniert nicht mehr.
shift-channel-only = Schicht-Befehle funktionieren hier nur in <#{ $channel }>.
shift-not-mine = Das ist kein Schicht-Befehl.
