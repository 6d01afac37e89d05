# Mitbestimmung: /propose, /proposal, /report, /reports, die Warteschlange und das Admin-Log.

## Optional: die Hilfe-Kategorie und die Einheit der Einstellung
help-category-governance-title = Vorschläge und Meldungen
help-category-governance-blurb = Kanäle und Emojis vorschlagen, Probleme vertraulich ans Team melden
setting-unit-channels = Kanäle

## Gemeinsame Antworten (mod.rs)
governance-stale = Dieser Button oder Befehl ist veraltet. Führe `/proposal approve` erneut aus, um den aktuellen Stand zu sehen.
governance-unusable = Discord hat Optionen geschickt, mit denen dieser Befehl nichts anfangen kann ({ $error }).
governance-database-trouble = Die Datenbank hat nicht geantwortet, deshalb wurde nichts geändert. Versuch es gleich noch einmal.
governance-kind-channel = Kanal
governance-kind-emoji = Emoji

## Vorschlagen (proposals.rs)
governance-idea-too-short = Beschreib deine Kanalidee bitte in ein paar Worten (mindestens 3 Buchstaben oder Ziffern).
governance-already-pending = Du hast schon einen offenen Vorschlag (#{ $id }, { $kind }). Warte, bis die Admins darüber entschieden haben.
governance-category-full = Wir haben die Höchstzahl neuer Kanäle ({ $max }) erreicht. Bitte versuch es später noch einmal.
governance-proposal-received = Danke! Dein Vorschlag #{ $id } ({ $kind }) wurde zur Prüfung eingereicht.
governance-emoji-name-length = Ein Emoji-Name muss 2 bis 32 Zeichen lang sein; deiner hat { $length }.
governance-emoji-name-character = Ein Emoji-Name darf nur Buchstaben, Ziffern und Unterstriche enthalten; deiner enthält „{ $found }“.
governance-emoji-too-large = Die Datei ist { $size } KB groß; Discord nimmt Emojis mit höchstens { $max } KB.
governance-emoji-not-image = „{ $file }“ ist kein Bild: Der Inhalt ist weder PNG noch JPEG noch GIF.
governance-emoji-unsupported = „{ $file }“ ist ein { $format }-Bild; Emojis müssen PNG, JPEG oder GIF sein.
governance-emoji-wrong-extension = „{ $file }“ heißt .{ $extension }, der Inhalt ist aber { $actual }. Benenne die Datei passend um oder exportiere sie im Format, das ihr Name angibt.
governance-emoji-unknown-extension = Dateien mit der Endung .{ $extension } werden nicht angenommen; nimm eine .png-, .jpg-, .jpeg- oder .gif-Datei.
governance-emoji-damaged = „{ $file }“ beginnt wie ein { $format }-Bild, lässt sich aber nicht lesen (beschädigt oder abgeschnitten).
governance-emoji-too-small = Das Bild ist { $width }×{ $height } px groß; Emojis müssen mindestens { $min }×{ $min } px groß sein.
governance-emoji-too-big = Das Bild ist { $width }×{ $height } px groß; Emojis dürfen höchstens { $max }×{ $max } px groß sein.
governance-emoji-not-square = Das Bild ist { $width }×{ $height } px groß; Emojis müssen quadratisch sein (so breit wie hoch).
governance-emoji-unreachable = Die Datei konnte nicht von Discord geladen werden. Häng sie bitte noch einmal an.

## Entscheiden (proposals.rs)
governance-proposal-unknown = Auf diesem Server gibt es keinen Vorschlag #{ $id }.
governance-proposal-being-approved = Vorschlag #{ $id } wird gerade von { $by } angenommen; nichts wurde doppelt gemacht.
governance-proposal-already-approved = Vorschlag #{ $id } wurde bereits von { $by } angenommen (als **{ $name }**); es wurde nichts getan.
governance-proposal-already-rejected = Vorschlag #{ $id } wurde bereits von { $by } abgelehnt; es wurde nichts getan.
governance-approve-choose = Wähle den Namen für Vorschlag #{ $id }:
governance-button-approve-as = Annehmen als { $name }
governance-button-override = Namen ändern
governance-button-rerun = Neu vorschlagen lassen
governance-modal-title = Name für Vorschlag #{ $id }
governance-modal-name = Name
governance-rerun-new = Neuer Vorschlag: **{ $name }**. Wähle den Namen für diesen Vorschlag:
governance-rerun-none = Weiterhin kein Vorschlag ({ $reason }). Gib mit „Namen ändern“ selbst einen Namen ein.
governance-name-unusable = Dieser Name enthält nichts, was ein Kanalname verwenden kann (Buchstaben, Ziffern, - oder _). Wähle einen anderen.
governance-no-category = Es ist keine Kategorie für vorgeschlagene Kanäle festgelegt, deshalb wurde kein Kanal erstellt. Ein Admin legt sie mit `/config stats proposed-category` fest.
governance-create-failed = Discord hat das Erstellen abgelehnt ({ $reason }). Der Vorschlag ist wieder in der Warteschlange; nichts wurde erstellt.
governance-approved = Vorschlag #{ $id } angenommen: { $kind } { $mention } ist erstellt und das Mitglied wurde benachrichtigt.
governance-no-announce-channel = Es ist kein Ankündigungskanal festgelegt (`/config governance announce-channel`), deshalb wurde nichts angekündigt.
governance-approved-unrecorded = { $kind } { $mention } ist erstellt, aber die Datenbank hat die Annahme von Vorschlag #{ $id } nicht übernommen. Sie wird bei der nächsten Prüfung innerhalb von 15 Minuten eingetragen und das Mitglied dann benachrichtigt.
governance-dm-failed = Das Mitglied nimmt keine Direktnachrichten vom Bot an und wurde deshalb nicht benachrichtigt.
governance-reason-needed = Bitte gib einen Grund an: Er wird dem Mitglied geschickt.
governance-rejected = Vorschlag #{ $id } abgelehnt; das Mitglied hat den Grund per DM erhalten.
governance-template-too-long = Eine Ankündigung darf höchstens { $max } Zeichen lang sein.
governance-template-set = Angenommene Vorschläge werden so angekündigt:
    { $text }
governance-template-reset = Angenommene Vorschläge werden wieder mit dem eingebauten Text angekündigt.

## Direktnachrichten und Ankündigungen
governance-dm-approved = Dein Vorschlag **{ $name }** ({ $kind }) auf { $guild } wurde angenommen! { $mention }
governance-dm-rejected = Dein Vorschlag #{ $id } ({ $kind }) auf { $guild } wurde nicht angenommen. Grund: { $reason }
governance-dm-investigating = Deiner Meldung #{ $id } auf { $guild } wird nachgegangen. Danke, dass du uns Bescheid gegeben hast.
governance-dm-resolved = Deine Meldung #{ $id } auf { $guild } ist erledigt. { $explanation }
governance-announce-channel-title = Neuer Kanal
governance-announce-emoji-title = Neues Emoji
governance-announce-channel = { $mention } ist eröffnet! Vorgeschlagen von { $proposer }: { $idea }
governance-announce-emoji = { $mention } `:{ $name }:` ist da, vorgeschlagen von { $proposer }.

## Das Admin-Log und die Warteschlange (render.rs)
governance-proposal-title = Vorschlag #{ $id } · { $kind }
governance-report-title = Meldung #{ $id }
governance-field-member = Mitglied
governance-field-reporter = Gemeldet von
governance-field-submitted = Eingereicht
governance-field-suggestion = Vorgeschlagener Name
governance-field-file = Datei
governance-field-status = Status
governance-no-suggestion = kein Vorschlag
governance-no-suggestion-because = kein Vorschlag ({ $reason })
governance-decision-title = Entscheidung
governance-log-approved = Vorschlag #{ $id } ({ $kind }) von { $admin } als **{ $name }** angenommen: { $mention }
governance-log-approval-cut-off = Vorschlag #{ $id } ({ $kind }): die Annahme durch { $admin } als **{ $name }** wurde durch einen Neustart unterbrochen, bevor Discord ihn angelegt hat; der Vorschlag ist wieder in der Warteschlange.
governance-log-rejected = Vorschlag #{ $id } von { $admin } abgelehnt. Grund: { $reason }
governance-log-resolved = Meldung #{ $id } von { $staff } erledigt: { $explanation }
governance-queue-proposals-title = Offene Vorschläge
governance-queue-reports-title = Offene Meldungen
governance-queue-empty = Nichts wartet.
governance-queue-more = … und { $count } weitere
governance-queue-approving = wird angenommen
governance-report-status-pending = neu
governance-report-status-investigating = in Bearbeitung
governance-report-status-resolved = erledigt

## Meldungen (reports.rs)
governance-report-too-short = Beschreib bitte in ein paar Worten, was passiert ist.
governance-report-received = Danke für deine Meldung (#{ $id }). Nur das Team kann sie lesen; du hörst per DM von ihm.
governance-report-unknown = Auf diesem Server gibt es keine Meldung #{ $id }.
governance-report-link = Der vollständige Eintrag im Admin-Log: { $link }
governance-report-no-link = Zu dieser Meldung gibt es keinen Eintrag im Admin-Log (beim Eingang war kein Log-Kanal festgelegt); sie wird hier vollständig gezeigt.
governance-explanation-needed = Bitte gib eine Erklärung an: Sie wird der meldenden Person geschickt.
governance-report-already-resolved = Meldung #{ $id } war bereits erledigt; es wurde nichts verschickt.
governance-report-resolved = Meldung #{ $id } erledigt; die meldende Person hat deine Erklärung per DM erhalten, und die Meldung ist aus der Warteschlange entfernt.
