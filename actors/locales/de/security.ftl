# AntiRaidMonitor: /security, raid buttons, the verification gate.

## Shared answers (mod.rs)
security-stale = Dieser Button oder Befehl ist veraltet. Führ `/security status` aus, um zu sehen, wie es gerade steht.
security-unusable = Discord hat Optionen geschickt, mit denen dieser Befehl nichts anfangen kann ({ $error }).
security-database-trouble = Die Datenbank hat nicht geantwortet, deshalb wurde nichts geändert. Versuch es gleich noch einmal.

## Raids (monitor.rs)
security-raid-banned = Gebannte Raid-Konten: { $count }{ $failed ->
    [0] .
   *[other] ; { $failed } konnten nicht gebannt werden (siehe Sicherheitsprotokoll).
}
security-raid-released = Freigelassene Raid-Konten: { $count }{ $failed ->
    [0] .
   *[other] ; { $failed } konnten nicht freigelassen werden.
}
security-raid-ended = Der Raid-Modus ist vorbei. Neue Mitglieder werden wieder normal behandelt.
security-raid-already-ended = Der Raid-Modus war schon beendet.
security-raid-none = Hier läuft gerade kein Raid.

## /security status (admin.rs)
security-status-title = Schutz des Servers
security-status-raid = Raid-Modus
security-status-raid-on = 🚨 An (Raid #{ $raid }, seit <t:{ $since }:R>)
security-status-raid-off = Aus
security-status-lockdown = Sperre
security-status-unlocked = Keine
security-status-locked = 🔒 Gesperrte Kanäle: { $channels }{ $invites ->
    [true] , Einladungen pausiert
   *[other] {""}
}
security-status-protection = Schutz
security-status-limits = Schwellenwerte
security-status-thresholds = Raid: { $threshold } gewichtete Beitritte pro { $window } s bei { $members } Mitgliedern (jetzt { $score }) · Spam: { $rate } Nachrichten pro { $rate_seconds } s · Nuke: mehr als { $nuke } zerstörerische Aktionen pro { $nuke_window } s
security-status-hot-invite = ⚠️ Die Einladung `{ $code }` brachte { $uses } der letzten Beitritte: jeder weitere Beitritt zählt mehr.
security-status-last = Letzte Ereignisse
security-events-none = Keine Sicherheitsereignisse.
security-events-title = Sicherheitsereignisse ({ $count })
security-bad-since = „{ $given }“ kann ich nicht als Zeitpunkt lesen. Nimm 30m, 6h, 2d, 1w oder ein Datum wie 2026-12-01.
security-bad-duration = „{ $given }“ kann ich nicht als Dauer lesen. Nimm 30m, 2h oder 1d (höchstens 30 Tage).

## Lockdown (admin.rs, lockdown.rs)
security-lockdown-no-reason = kein Grund angegeben
security-lockdown-already = Das ist schon gesperrt; die Berechtigungen von vorher bleiben gespeichert, bis die Sperre aufgehoben wird.
security-lockdown-done = 🔒 { $channels } Kanal/Kanäle gesperrt{ $invites ->
    [true] {" "}und Einladungen pausiert
   *[other] {""}
}. @everyone kann dort nichts senden, bis jemand `/security unlockdown` ausführt{ $until ->
    [0] .
   *[other] {" "}– spätestens bis <t:{ $until }:f>.
}
security-lockdown-refused = Nichts wurde gesperrt: { $why }.
security-unlockdown-nothing = Hier ist nichts gesperrt.
security-unlockdown-done = 🔓 { $channels } Kanal/Kanäle haben wieder genau die Berechtigungen von vorher.
security-unlockdown-partly = 🔓 { $channels } Kanal/Kanäle wiederhergestellt. Diese ließen sich nicht wiederherstellen und bleiben für einen weiteren Versuch gespeichert:
    { $failed }

## /security config (admin.rs)
security-config-title = Schutzeinstellungen
security-config-refused = Nichts wurde geändert:
    { $problems }
security-out-of-range = • `{ $name }` muss zwischen { $min } und { $max } liegen (du hast { $given } angegeben).
security-standing-unknown = • Die Rollen des Bots ließen sich nicht lesen, um zu prüfen, was er darf: { $why }
security-missing-permission = • Für die Aktion „{ $action }“ braucht der Bot die Berechtigung **{ $permission }**.
security-unknown-role = • <@&{ $role }> ist keine Rolle dieses Servers.
security-role-unusable = • <@&{ $role }> kann kein Bot vergeben (sie ist @everyone oder gehört zu einer Integration).
security-role-above-bot = • <@&{ $role }> liegt nicht unter der höchsten Rolle des Bots, deshalb kann er sie nicht vergeben. Schieb die Rolle des Bots darüber.
security-raid-delete = • Bei Raidern reicht es nicht, nur Nachrichten zu löschen: Wähl Quarantäne, Timeout, Kick oder Ban.
security-spam-action-needs-rule = • Gib an, für welche `rule` die Aktion gilt.
security-exempt-nothing = • Gib eine `role` oder einen `channel` an.
security-exempt-full = • Höchstens 50 ausgenommene Rollen und Kanäle zusammen.
security-webhook-invalid = • Das ist keine Discord-Webhook-URL (https://discord.com/api/webhooks/<id>/<token>).
security-webhook-missing = • Gib die `url` des Webhooks an, oder `remove:True`, damit dort nichts mehr gepostet wird.
security-verify-needs-role-and-channel = • Die Verifizierung braucht eine `role` und einen `channel`.
security-verify-post-failed = Gespeichert, aber der Verify-Button konnte nicht gepostet werden: { $why }

## The verification gate (verify.rs)
security-verify-question = Was ist { $a } + { $b }?
security-verify-wrong = Nicht ganz. Drück **Verify**, um eine neue Frage zu bekommen.
security-verify-passed = ✅ Willkommen!
security-verify-already = Du bist schon verifiziert.
security-verify-failed = Der Bot konnte dich gerade nicht hereinlassen. Versuch es gleich noch einmal oder frag einen Moderator.
