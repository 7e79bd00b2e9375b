# Verwaltung → Vorlagen: die Liste der Vorlagen.

templates-title = Vorlagen
templates-intro = Eine Vorlage enthält die Einstellungen, die viele Postfächer teilen: Server, Ordner, was nach dem Archivieren geschieht, Zeitplan. Ein Postfach übernimmt jedes Feld oder überschreibt es; eine geänderte Vorlage wirkt ab dem nächsten Lauf ihrer Postfächer.
templates-new = Neue Vorlage
templates-loading = Vorlagen werden geladen …
templates-empty-title = Noch keine Vorlagen
templates-empty-text = Legen Sie eine für Ihren Mailserver an und wählen Sie sie beim Hinzufügen von Postfächern (oder beim CSV-Import), statt jedes Mal dieselben Einstellungen einzugeben.
templates-column-name = Name
templates-column-server = Server
templates-column-schedule = Zeitplan
templates-column-mailboxes = Postfächer
templates-confirm-delete = { $count ->
    [one] Die Vorlage „{ $name }“ löschen? Ihr 1 Postfach behält die aktuellen Werte als eigene.
   *[other] Die Vorlage „{ $name }“ löschen? Ihre { $count } Postfächer behalten die aktuellen Werte als eigene.
}
templates-manual-only = Nur manuell
templates-delete = Löschen
