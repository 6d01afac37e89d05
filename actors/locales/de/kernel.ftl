# Was der Dispatcher und der Kernel sagen: Ablehnungen, ausgelastet, veraltet, Fehler.

## Wer was darf (policy.rs)
access-everyone = alle
access-moderators = Moderatoren
access-admins = Server-Admins
access-owners = die Besitzer des Bots
refusal = Das dürfen hier nur { $who }.
refusal-no-moderator-role = Dieser Server hat noch keine Moderatorenrolle festgelegt: Ein Admin kann sie mit `/config moderator-role` setzen.
refusal-command-role = `/{ $command }` braucht auf diesem Server die Rolle <@&{ $role }>.

## Der Dispatcher (dispatcher/mod.rs, dispatcher/respond.rs)
restarting = Agora startet gerade neu; versuch es in ein paar Sekunden noch einmal.
busy = Agora ist gerade ausgelastet; bitte versuch es in ein paar Sekunden noch einmal.
stale = Dieser Button oder dieses Formular stammt aus einer älteren Nachricht und funktioniert nicht mehr. Führ den Befehl noch einmal aus, um einen neuen zu bekommen.
unknown-command = `/{ $name }` kenne ich nicht mehr; vielleicht wurde der Befehl entfernt. Ein Admin kann die Befehlsliste mit `!sync` aktualisieren.
guild-only = Agoras Befehle funktionieren auf einem Server, nicht in Direktnachrichten.
database-down = Die Datenbank antwortet nicht, deshalb kann ich das gerade nicht tun. Es wurde nichts geändert; versuch es in einer Minute noch einmal (Vorfall `{ $incident }`).
channels-only = Befehle beantworte ich hier nur in { $channels }.
cooldown = Nicht so schnell: Du kannst `/{ $command }` in { $seconds } s wieder verwenden.
failure = Bei uns ist etwas schiefgelaufen (Vorfall `{ $incident }`). Die Admins finden ihn im Log; bitte versuch es noch einmal.
done = Erledigt.
done-see-below = Erledigt — siehe unten.
form-too-late = Das Formular hat zu lange zum Öffnen gebraucht; bitte versuch es noch einmal.
feature-off = { $title } ist auf diesem Server ausgeschaltet. Ein Admin kann es mit `/config features enable { $feature }` einschalten.
not-your-menu = Das gehört <@{ $requester }>, der es angefordert hat. Führe den Befehl selbst aus, um dein eigenes zu bekommen.

## Sprachen (kernel/i18n.rs; `/config locale` in core/settings.rs)
locale-unsupported = `{ $tag }` spreche ich noch nicht, deshalb wurde nichts geändert. Verfügbare Sprachen: { $available }; oder „auto“, die eigene Discord-Sprache jeder Person.

## Hinweise im Log-Kanal jedes Servers (src/boot.rs; Sprache des Servers)
notice-online = 🟢 Agora { $version } ist online.
notice-shutdown = 🔴 Agora fährt herunter (ein Neustart oder ein Update); gleich ist es wieder da.
text-form-unusable = `{ $command }`: { $problem }
text-form-private = Die Antwort ist privat und ich konnte sie dir nicht per DM schicken; nimm den Slash-Befehl.
text-form-needs-slash = Dieser Schritt von `{ $command }` fragt in einem Formular; nimm dafür den Slash-Befehl.
