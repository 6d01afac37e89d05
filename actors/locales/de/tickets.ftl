# TicketManager: /ticket, /tickets, Panels, Ticket-Kanäle, Transkripte.

## Gemeinsame Wörter (render.rs)
ticket-anonymous = Anonym
ticket-priority-low = Niedrig
ticket-priority-normal = Normal
ticket-priority-high = Hoch
ticket-priority-urgent = Dringend
ticket-priority-critical = Kritisch
ticket-unclaimed-state = nicht übernommen
ticket-status-opening = wird geöffnet
ticket-status-open = offen
ticket-status-closed = geschlossen
ticket-status-deleted = Kanal gelöscht
ticket-staff-default = die Ticket-Team-Rolle (sonst die Moderatoren)

## Die Nachrichten im Ticket-Kanal (render.rs, lifecycle.rs)
ticket-welcome-title = { $label } · { $category }
ticket-welcome-body = Geöffnet von { $opener }. Schreib uns, was du brauchst; das Team meldet sich bald bei dir.
ticket-field-priority = Priorität
ticket-field-sla = Erste Antwort innerhalb von
ticket-sla-minutes = { $minutes } Min.
ticket-field-reason = Grund
ticket-button-claim = Übernehmen
ticket-button-close = Schließen
ticket-button-reopen = Wieder öffnen
ticket-button-delete = Kanal löschen
ticket-closed-title = { $label } ist geschlossen
ticket-closed-body = Geschlossen von { $closer }. Das Team kann es wieder öffnen oder diesen Kanal löschen.
ticket-claimed-notice = <@{ $staff }> hat dieses Ticket übernommen.
ticket-reopened-notice = <@{ $staff }> hat dieses Ticket wieder geöffnet.

## Der Log-Kanal (lifecycle.rs)
ticket-log-footer = { $label } · Ticket { $id }
ticket-log-opened = { $who } hat <#{ $channel }> geöffnet ({ $category }).
ticket-log-claimed = Übernommen von <@{ $staff }>.
ticket-log-closed = Geschlossen von <@{ $staff }>.
ticket-log-closed-reason = Geschlossen von <@{ $staff }>: { $reason }
ticket-log-reopened = Wieder geöffnet von <@{ $staff }>.
ticket-log-deleted = Kanal gelöscht von <@{ $staff }>.
ticket-log-channel-deleted = { $label }: Der Kanal wurde von Hand gelöscht; das Ticket ist geschlossen.
ticket-channel-deleted-reason = Der Kanal des Tickets wurde von Hand gelöscht.

## Transkripte (lifecycle.rs)
ticket-transcript-posted = Transkript von { $label } ({ $messages } Nachrichten), geöffnet von <@{ $opener }>.
ticket-transcript-dm = Dein Ticket { $label } wurde geschlossen. Hier ist sein Transkript.
ticket-transcript-written = Transkript von { $label }: { $messages } Nachrichten.
ticket-transcript-failed = Ich konnte das Transkript nicht erstellen (ich konnte die Nachrichten des Kanals nicht lesen oder die Datei nicht speichern). Sonst wurde nichts geändert.

## Antworten an die Person, die das Ticket öffnet (lifecycle.rs)
ticket-opened = Dein Ticket ist offen: <#{ $channel }> ({ $label }).
ticket-being-opened = (wird gerade geöffnet)
ticket-too-many-open = Du hast schon { $count } { $count ->
    [one] offenes Ticket
   *[other] offene Tickets
  }, mehr sind hier nicht erlaubt: { $tickets }. Schließ eins, bevor du ein neues öffnest.
ticket-cooldown = Du hast gerade erst ein Ticket geöffnet. Ein weiteres kannst du <t:{ $at }:R> öffnen.
ticket-hourly-cap = Auf diesem Server sind in dieser Stunde schon so viele neue Tickets eingegangen, wie er annimmt. Bitte versuch es später noch einmal.
ticket-answer-missing = Bitte beantworte „{ $question }“.
ticket-answer-too-long = Deine Antwort auf „{ $question }“ ist länger als { $max } Zeichen.
ticket-category-gone = Diese Art von Ticket gibt es nicht mehr; bitte die Admins, das Panel zu aktualisieren.
ticket-missing-permissions = Ich kann den Ticket-Kanal nicht anlegen oder ändern: Ich brauche **Kanäle verwalten** und **Rollen verwalten** (Berechtigungen verwalten) und muss die Ticket-Kategorie sehen können. Bitte einen Admin, mir diese Rechte zu geben.
ticket-channel-refused = Discord hat den Ticket-Kanal abgelehnt (ist die Ticket-Kategorie mit 50 Kanälen voll?). Bitte sag einem Admin Bescheid.
ticket-discord-trouble = Discord hat nicht rechtzeitig geantwortet. Es wurde nichts geöffnet; versuch es gleich noch einmal.

## Abläufe für das Team (lifecycle.rs)
ticket-not-here = Das ist kein Ticket-Kanal. Führ den Befehl im Kanal des Tickets aus.
ticket-staff-only = Das kann nur das Team dieses Tickets.
ticket-claimed = Du hast { $label } übernommen.
ticket-claimed-by-you = Du hast dieses Ticket schon übernommen.
ticket-claimed-by-other = <@{ $staff }> hat dieses Ticket schon übernommen.
ticket-not-open = Dieses Ticket ist nicht offen.
ticket-not-closed = Dieses Ticket ist nicht geschlossen.
ticket-unclaimed = Du hast { $label } zurückgegeben; jetzt kann es jeder aus dem Team übernehmen.
ticket-not-your-claim = Du hast dieses Ticket nicht übernommen.
ticket-close-title = { $label } schließen
ticket-close-reason-label = Grund (optional)
ticket-reason-too-long = Der Grund ist länger als { $max } Zeichen.
ticket-closed = { $label } ist geschlossen; das Transkript ist erstellt.
ticket-closed-no-transcript = { $label } ist geschlossen, aber ich konnte sein Transkript nicht erstellen; versuch es mit /ticket transcript.
ticket-reopened = { $label } ist wieder offen.
ticket-close-first = Schließ das Ticket, bevor du seinen Kanal löschst.
ticket-deleted-already = Der Kanal dieses Tickets ist schon gelöscht.
ticket-deleting = Der Kanal von { $label } wird in ein paar Sekunden gelöscht; Eintrag und Transkript bleiben erhalten.
ticket-cannot-remove-opener = Wer ein Ticket geöffnet hat, kann nicht daraus entfernt werden; schließ es stattdessen.
ticket-participant-added = <@{ $user }> kann dieses Ticket jetzt sehen.
ticket-participant-removed = <@{ $user }> kann dieses Ticket nicht mehr sehen.
ticket-priority-set = Priorität auf { $priority } gesetzt.
ticket-note-empty = Eine Notiz braucht Text.
ticket-note-added = Notiz zum Verlauf des Tickets hinzugefügt (nur für das Team sichtbar).
ticket-info = **{ $label }** · { $category } · { $status } · { $priority }
    Geöffnet von { $opener } <t:{ $opened }:R> · übernommen: { $claimed }
ticket-response-after = Erste Antwort des Teams nach { $minutes } Min.
ticket-response-late = Erste Antwort des Teams nach { $minutes } Min. — später als die vereinbarten { $sla } Min.
ticket-response-due = Noch keine Antwort des Teams; fällig <t:{ $due }:R>.
ticket-response-overdue = Noch keine Antwort des Teams — überfällig seit <t:{ $due }:R>.
ticket-response-none = Noch keine Antwort des Teams.
ticket-barred = <@{ $user }> darf hier keine Tickets öffnen, bis ein Admin das aufhebt.
ticket-barred-until = <@{ $user }> darf hier bis <t:{ $until }:f> keine Tickets öffnen.
ticket-unbarred = <@{ $user }> darf wieder Tickets öffnen.
ticket-not-barred = <@{ $user }> war nicht für Tickets gesperrt.
ticket-you-are-barred = Du kannst auf diesem Server keine Tickets öffnen.{ $reason }
ticket-you-are-barred-until = Du kannst auf diesem Server bis <t:{ $until }:f> keine Tickets öffnen.{ $reason }
ticket-bar-reason = { " " }Grund: { $reason }
ticket-rename-bad = Kanalnamen haben 1 bis 90 Zeichen.
ticket-renamed = <#{ $channel }> umbenannt.
ticket-transfer-same = Das Ticket gehört schon dieser Person.
ticket-transferred = Das Ticket gehört jetzt <@{ $user }>.
ticket-dashboard = **{ $open }** offen · **{ $closed }** geschlossen · { $total } insgesamt
ticket-dashboard-line = { $name }: { $open } offen, { $closed } geschlossen
ticket-leaderboard-empty = Noch niemand im Team hat ein Ticket übernommen oder geschlossen.
ticket-leaderboard-line = <@{ $staff }>: { $claimed } übernommen, { $closed } geschlossen · erste Antwort im Mittel { $mean } Min., p95 { $p95 } Min. · { $warnings ->
    [one] 1 Verwarnung
   *[other] { $warnings } Verwarnungen
  }
ticket-days-out-of-range = Wähl 1 bis { $max } Tage; { $days } liegt außerhalb. Nichts wurde gezählt.
ticket-volume-title = **Tägliches Aufkommen**, letzte { $days } Tage (UTC):
ticket-volume-day = Tag
ticket-volume-opened = Geöffnet
ticket-volume-closed = Geschlossen
ticket-graph-title = Tickets pro Tag, letzte { $days } Tage (UTC)
ticket-graph = Geöffnete und geschlossene Tickets pro Tag in den letzten { $days } Tagen (UTC): { $opened } geöffnet, { $closed } geschlossen.
ticket-graph-failed = Ich konnte das Diagramm nicht zeichnen. Nichts wurde geändert.
ticket-response-times = Erste Antworten des Teams auf Tickets der letzten { $days } Tage (Median p50 und p95 nach nächstem Rang):
ticket-response-times-empty = In den letzten { $days } Tagen wurden keine Tickets geöffnet.
ticket-response-by-category = __Nach Kategorie__
ticket-response-by-priority = __Nach Priorität__
ticket-response-line = **{ $name }**: { $answered } beantwortet · Mittel { $mean } Min. · p50 { $p50 } Min. · p95 { $p95 } Min. · { $sla }
ticket-response-sla = { $breached } über dem SLA von { $sla } Min.
ticket-response-no-sla = kein SLA
ticket-response-sla-categories = { $breached } über dem SLA ihrer Kategorie
ticket-export = Alle { $count } Tickets als CSV.
ticket-export-failed = Ich konnte die CSV-Datei nicht schreiben. Nichts wurde geändert.
ticket-scheduled-close-reason = Planmäßig geschlossen: Nach der Ankündigung hat niemand mehr geschrieben.
ticket-close-scheduled = Dieses Ticket wird <t:{ $at }:R> geschlossen, falls vorher niemand darin schreibt.
ticket-close-scheduled-notice = Dieses Ticket wird <t:{ $at }:R> geschlossen. Schreib hier, wenn du noch Hilfe brauchst – dann bleibt es offen.
ticket-close-cancelled-notice = Eine neue Nachricht ist eingegangen: Das geplante Schließen ist abgebrochen.
ticket-close-unscheduled = Das geplante Schließen ist abgebrochen.
ticket-close-not-scheduled = Für dieses Ticket war kein Schließen geplant.
ticket-list-empty = Keine passenden Tickets.

## Admin (admin.rs)
ticket-category-name-short = Der Name einer Kategorie braucht mindestens 2 Zeichen.
ticket-parent-not-category = <#{ $channel }> ist keine Kategorie; wähl eine Kategorie, unter der die Ticket-Kanäle angelegt werden.
ticket-question-empty = Eine der Fragen ist leer.
ticket-question-too-long = Die Frage „{ $question }“ ist länger als { $max } Zeichen (Discords Grenze für ein Formularfeld).
ticket-too-many-questions = Eine Kategorie stellt höchstens { $max } Fragen.
ticket-category-saved = Kategorie **{ $name }** gespeichert (Nummer { $id }, Fragen: { $questions }).
ticket-category-line = **{ $id }. { $name }** · Team: { $staff } · Fragen: { $questions } · anonym: { $anonymous }
ticket-no-categories = Dieser Server hat noch keine Ticket-Kategorien. Ein Admin legt eine mit /tickets category upsert an.
ticket-unknown-category = Es gibt keine Ticket-Kategorie namens „{ $name }“. /tickets category list zeigt alle an.
ticket-panel-default-label = Ticket öffnen
ticket-panel-created = Panel { $id } erstellt. Poste es mit /tickets panel deploy panel:{ $id }.
ticket-unknown-panel = Hier gibt es kein Panel { $id }. /tickets panel list zeigt alle an.
ticket-panel-deployed = Panel { $id } in <#{ $channel }> gepostet.
ticket-panel-not-posted = Ich konnte nicht in <#{ $channel }> posten: Ich muss den Kanal sehen und dort Nachrichten senden können.
ticket-no-panels = Noch keine Panels. Erstell eins mit /tickets panel create.
ticket-panel-line = **{ $id }.** { $title } · { $place }
ticket-panel-not-deployed = noch nicht gepostet
ticket-warn-reason-empty = Eine Verwarnung braucht einen Grund (1 bis 500 Zeichen). Nichts wurde gespeichert.
ticket-warn-reason-too-long = Der Grund einer Verwarnung hat höchstens { $max } Zeichen. Nichts wurde gespeichert.
ticket-warn-bot = <@{ $user }> ist ein Bot; verwarnen kann man nur Menschen im Team. Nichts wurde gespeichert.
ticket-warn-dm = Ein Admin von **{ $guild }** hat dich wegen deiner Arbeit an Support-Tickets verwarnt: { $reason }
ticket-warned = <@{ $user }> ist verwarnt, hat jetzt { $count ->
    [one] 1 Verwarnung
   *[other] { $count } Verwarnungen
  } und hat den Grund per DM bekommen.
ticket-warned-no-dm = <@{ $user }> ist verwarnt und hat jetzt { $count ->
    [one] 1 Verwarnung
   *[other] { $count } Verwarnungen
  }. Ich konnte den Grund nicht per DM schicken (keine DMs von mir erlaubt); sag es der Person bitte selbst.

## Fehler (mod.rs)
ticket-stale = Dieser Button oder dieses Formular ist veraltet. Bitte führ den Befehl noch einmal aus.
ticket-unusable = Mit diesen Optionen konnte ich nichts anfangen: { $error }
ticket-database-trouble = Ich konnte die Datenbank gerade nicht erreichen. Es wurde nichts geändert; versuch es gleich noch einmal.

## The rest of the workflow: lock, tags, department, escalation, deletes, captcha, feedback
ticket-field-tags = Tags
ticket-admins-only = Das können nur die Admins des Servers.
ticket-no-such-number = Auf diesem Server gibt es kein Ticket Nummer { $number }.
ticket-locked = { $label } ist gesperrt: die Person, die es eröffnet hat, kann lesen, aber nicht schreiben.
ticket-unlocked = { $label } ist entsperrt: die Person, die es eröffnet hat, kann wieder schreiben.
ticket-locked-already = Dieses Ticket ist schon gesperrt.
ticket-unlocked-already = Dieses Ticket ist nicht gesperrt.
ticket-locked-notice = <@{ $staff }> hat dieses Ticket gesperrt: vorerst schreibt hier nur das Team.
ticket-unlocked-notice = <@{ $staff }> hat dieses Ticket entsperrt.
ticket-tag-invalid = „{ $tag }“ kann kein Tag sein: Buchstaben, Ziffern und Bindestriche, höchstens { $max } Zeichen.
ticket-too-many-tags = Ein Ticket hat höchstens { $max } Tags.
ticket-tags-none = Dieses Ticket hat keine Tags.
ticket-tags-now = Tags: { $tags }
ticket-department-too-long = Der Name einer Abteilung hat höchstens { $max } Zeichen.
ticket-department-set = Dieses Ticket liegt jetzt bei { $department }.
ticket-department-cleared = Dieses Ticket liegt jetzt bei keiner Abteilung.
ticket-department-notice = Dieses Ticket wurde an { $department } übergeben.
ticket-escalation-top = Eskalation geht bis Stufe { $max }; dieses Ticket ist schon dort.
ticket-escalation-not-higher = Dieses Ticket ist schon auf Eskalationsstufe { $level }; wähle eine höhere Stufe.
ticket-escalated = Auf Stufe { $level } eskaliert.
ticket-escalated-notice = Von <@{ $staff }> auf Stufe { $level } eskaliert: { $reason }
ticket-force-close-reason = Von einem Admin geschlossen.
ticket-hard-delete-confirm = { $label } endgültig löschen? Eintrag, Verlauf, Transkript-Dateien und Kanal verschwinden und kommen nicht zurück.
ticket-button-purge = { $label } löschen
ticket-purged = { $label } ist endgültig gelöscht.
ticket-purged-already = Dieses Ticket ist schon gelöscht.
ticket-log-purged = Endgültig gelöscht von <@{ $staff }> (Eintrag, Verlauf und Transkript).
ticket-inactive-reason = Seit { $minutes } Minuten keine Nachrichten.
ticket-captcha-question = Bevor dein Ticket öffnet: was ist { $a } + { $b }?
ticket-captcha-wrong = Das stimmt nicht. Fang noch einmal beim Panel oder mit /ticket create an.
ticket-captcha-expired = Diese Frage ist abgelaufen. Fang noch einmal beim Panel oder mit /ticket create an.
ticket-closed-dm = Dein Ticket { $label } wurde geschlossen.
ticket-feedback-ask = Wie waren wir? Wähle 1 bis 5 Sterne.
ticket-feedback-title = Noch etwas?
ticket-feedback-words-label = Deine Worte (freiwillig)
ticket-feedback-thanks = Danke für deine Rückmeldung!
ticket-feedback-given = Du hast dieses Ticket schon bewertet.
ticket-feedback-not-yours = Nur wer das Ticket eröffnet hat, kann es bewerten.
ticket-feedback-still-open = Dieses Ticket ist noch offen; bewerte es, wenn es geschlossen ist.
ticket-log-feedback = Rückmeldung der eröffnenden Person: { $stars }
ticket-info-workflow = Tags: { $tags } · Abteilung: { $department } · Eskalation: { $escalation } · Gesperrt: { $locked }
ticket-info-feedback = Rückmeldung: { $stars } { $words }

## Channels, setup wizard, backup and restore
ticket-channel-unset = nicht gesetzt
ticket-channels-now = Ticket-Log: { $log } · Transkripte: { $transcripts }
ticket-backup-taken = Die Ticket-Einstellungen dieses Servers: { $categories } Kategorien, { $panels } Panels, { $settings } Einstellungen. Bewahre die Datei auf; /tickets restore liest sie wieder ein.
ticket-restore-too-large = Diese Datei ist größer als { $max } KiB; Ticket-Einstellungen sind viel kleiner.
ticket-restore-unreadable = Ich konnte die Datei nicht von Discord lesen. Versuch es gleich noch einmal.
ticket-restore-not-config = Das sind keine Ticket-Einstellungen aus /tickets backup ({ $problem }). Nichts wurde geändert.
ticket-restore-refused = Nichts wurde geändert: die Datei hat auf diesem Server { $count } Problem(e):
    { $problems }
ticket-restored = { $settings } Einstellungen, { $categories } Kategorien und { $panels } Panels wiederhergestellt. Poste wiederhergestellte Panels erneut mit /tickets panel deploy.
ticket-setup-body = **Ticket-Einrichtung** — jede Wahl wird sofort gespeichert.
    Log: { $log } · Transkripte: { $transcripts } · Team: { $staff } · Das erste Panel kommt nach: { $panel }
ticket-setup-pick-log = Log-Kanal
ticket-setup-pick-transcripts = Transkript-Kanal
ticket-setup-pick-staff = Team-Rolle
ticket-setup-pick-panel = Wohin das erste Panel kommt
ticket-setup-first-button = Erste Kategorie und Panel anlegen
ticket-setup-first-title = Erste Kategorie und Panel
ticket-setup-field-category = Name der Kategorie (etwa Support)
ticket-setup-field-questions = Fragen, getrennt durch | (freiwillig)
ticket-setup-field-title = Titel des Panels
ticket-setup-field-description = Text des Panels
ticket-setup-panel-empty = Ein Panel braucht einen Titel und einen Text.
ticket-setup-done = Fertig: Kategorie **{ $category }** und Panel { $panel }, gepostet in <#{ $channel }>.

## Anonymous tickets and SLA alerts
ticket-anonymous-dm = Dein anonymes Ticket { $label } ist offen. Schreib deine Nachrichten hier: das Team liest sie ohne deinen Namen, und seine Antworten kommen hierher.
ticket-opened-anonymous = Dein anonymes Ticket { $label } ist offen. Ich habe dir eine Direktnachricht geschickt: schreib dort, und das Team sieht deinen Namen nicht.
ticket-opened-anonymous-no-dm = Dein anonymes Ticket { $label } ist offen, aber ich konnte dir keine Direktnachricht schicken. Erlaube Direktnachrichten von Mitgliedern dieses Servers und schreib mir dann: das Team sieht deinen Namen nicht.
ticket-relay-from-opener = **Anonym:** { $text }
ticket-relay-to-opener = **{ $label }**, Team: { $text }
ticket-relay-locked = { $label } ist gesperrt: das Team nimmt darin gerade keine Nachrichten an.
ticket-sla-alert = { $label } wartet seit { $waited } Minuten auf eine erste Antwort (das Ziel sind { $sla }).
ticket-panel-emoji-invalid = „{ $emoji }“ ist kein Emoji für einen Knopf: nimm eines wie 🎫 oder eines dieses Servers (<:name:id>).
