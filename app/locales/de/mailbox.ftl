# One mailbox: run it now, pause or delete it, its run history.

mailbox-title = Postfach
mailbox-loading = Postfach wird geladen…
mailbox-run-queued = Der Lauf ist eingereiht und startet, sobald die Grenzen für Läufe es erlauben.
mailbox-run-already = Ein Lauf dieses Postfachs ist bereits im Gange.
mailbox-schedule-on = Läuft nach dem Zeitplan „{ $schedule }“.
mailbox-schedule-paused = Der Zeitplan „{ $schedule }“ ist angehalten; Läufe starten nur von Hand.
mailbox-schedule-none = Kein Zeitplan: Läufe starten nur von Hand.
# $name comes in quotes.
mailbox-confirm-delete = Das Postfach { $name } löschen? Es wird nicht mehr archiviert; die bisher archivierten Mails bleiben im Archiv.
mailbox-read-only = Mit Ihnen geteilt: Sie können seine Läufe und seine archivierten Mails lesen; ein Administrator verwaltet es.
mailbox-edit = Bearbeiten
mailbox-delete = Löschen
mailbox-pause = Zeitplan anhalten
mailbox-resume = Zeitplan fortsetzen
mailbox-run-now = Jetzt ausführen
mailbox-queued-banner = Ein Lauf ist eingereiht und startet, sobald ein Platz frei ist.
mailbox-history = Verlauf
mailbox-no-runs = Noch kein Lauf. Läufe starten nach dem Zeitplan oder sofort mit „Jetzt ausführen“.
