# The list of mailboxes with their last run.

mailboxes-title = Postfächer
mailboxes-intro = Jedes Postfach ist ein Archivierungsprofil: der Server, von dem gelesen wird, die Ordner, die übernommen werden, und was mit einer Nachricht geschieht, sobald sie sicher archiviert ist.
mailboxes-add = Postfach hinzufügen
mailboxes-loading = Postfächer werden geladen…
mailboxes-empty-title = Keine Postfächer verbunden
mailboxes-empty-body = Sobald ein Postfach verbunden ist, archiviert Tresor es nach seinem Zeitplan und führt hier jeden Lauf auf.
mailboxes-add-first = Erstes Postfach hinzufügen
mailboxes-col-name = Name
mailboxes-col-server = Server
mailboxes-col-owner = Eigentümer
mailboxes-col-schedule = Zeitplan
mailboxes-col-last-run = Letzter Lauf
mailboxes-paused = Angehalten
mailboxes-manual = Nur von Hand
mailboxes-shared = Geteilt
mailboxes-read-only = Nur lesen
mailboxes-not-signed-in = Nicht angemeldet
mailboxes-needs-sign-in = Anmeldung nötig
mailboxes-template = Vorlage: { $template }
mailboxes-imported = Importierte Dateien
mailboxes-not-run = Noch nicht gelaufen
mailboxes-last-run-counts = { $archived } archiviert, { $duplicates } Duplikate, { $failed } fehlgeschlagen
