# Verwaltung → Aufbewahrung: Richtlinien, Rechtliche Sperren und die Löschung, die sie erlauben.

retention-title = Aufbewahrung und Rechtliche Sperre
retention-intro = Nachrichten, die keine Richtlinie erfasst, werden dauerhaft aufbewahrt. Eine Kopie darf gelöscht werden, sobald jede sie erfassende Richtlinie abgelaufen ist und keine Sperre sie hält; eine Nachricht geht mit ihrer letzten Kopie. Gelöscht wird erst, wenn Sie es anwenden.
retention-loading = Wird geladen …
retention-summary-kept = Behalten: { $held } unter Rechtlicher Sperre, { $kept } noch in der Aufbewahrungsfrist, { $uncovered } von keiner Richtlinie erfasst.
retention-summary-deleted = { $copies ->
        [one] { $copies } Kopie
       *[other] { $copies } Kopien
    } gelöscht ({ $messages ->
        [one] { $messages } Nachricht
       *[other] { $messages } Nachrichten
    } vollständig). { $kept }
retention-summary-deletable = { $copies ->
        [one] { $copies } Kopie darf
       *[other] { $copies } Kopien dürfen
    } jetzt gelöscht werden ({ $messages ->
        [one] { $messages } Nachricht
       *[other] { $messages } Nachrichten
    } vollständig). { $kept }
retention-deletion = Löschung
retention-preview = Vorschau: was gelöscht werden darf
retention-confirm-apply = Jede Kopie löschen, die die Richtlinien freigegeben haben und keine Sperre hält? Das lässt sich nicht rückgängig machen; jede Löschung wird im Hauptbuch und im Protokoll festgehalten.
retention-deleting = Wird gelöscht …
retention-delete-now = Jetzt löschen
retention-policies = Aufbewahrungsrichtlinien
retention-no-policy-title = Keine Aufbewahrungsrichtlinie
retention-no-policy-text = Alle Nachrichten werden aufbewahrt. Fügen Sie eine Richtlinie hinzu, z. B. 10 Jahre ab dem Nachrichtendatum (GoBD, HGB §257).
retention-column-name = Name
retention-column-covers = Erfasst
retention-column-keeps = Bewahrt auf
retention-column-added = Hinzugefügt
retention-add-policy-title = Richtlinie hinzufügen
retention-name = Name
retention-name-placeholder = GoBD 10 Jahre
retention-keep-years = Aufbewahren (Jahre)
retention-counted-from = Gerechnet ab
retention-basis-message-date = dem Nachrichtendatum
retention-basis-archive-date = dem Archivierungsdatum
retention-mailbox = Postfach
retention-all-mailboxes = Alle Postfächer
retention-folder = Ordner (optional)
retention-folder-placeholder = Finanzen — mit Unterordnern
retention-label = Etikett (optional)
retention-add-policy = Richtlinie hinzufügen
retention-from-message-date = Nachrichtendatum
retention-from-archive-date = Archivierungsdatum
retention-keeps = { $years ->
    [one] { $years } Jahr ab dem { $from }
   *[other] { $years } Jahre ab dem { $from }
}
retention-by = { $date } von { $who }
retention-confirm-remove = Die Richtlinie { $name } entfernen? Was nur sie erfasst hat, wird dann aufbewahrt.
retention-remove = Entfernen
retention-holds = Rechtliche Sperren
retention-holds-intro = Gesperrte Nachrichten werden nie gelöscht, was auch immer die Richtlinien sagen. Sperren und ihre Aufhebung werden mit einem Grund festgehalten.
retention-no-holds = Keine Rechtlichen Sperren.
retention-column-holds = Sperrt
retention-column-reason = Grund
retention-column-placed = Gesetzt
retention-column-state = Zustand
retention-place-hold-title = Sperre setzen
retention-hold = Sperren
retention-hold-mailbox = ein ganzes Postfach
retention-hold-query = was eine Suche findet (jetzt und künftig)
retention-hold-messages = diese Nachrichten
retention-search = Suche
retention-message-ids = Nachrichten-IDs
retention-reason = Grund
retention-reason-placeholder = Fall 2026-17, Anfrage des Finanzamts
retention-place-hold = Sperre setzen
retention-released = Aufgehoben am { $date } von { $who }: { $reason }
retention-active = Aktiv
retention-release-placeholder = Warum aufheben?
retention-release-label = Grund der Aufhebung
retention-release = Aufheben
