# Die Ausgabe des Befehls `tresor` für Menschen (Sprache: LC_ALL, LC_MESSAGES, LANG).

cli-running-at = Tresor läuft unter { $url }
cli-first-start = Erster Start: Das Administratorkonto wurde angelegt.
cli-first-sign-in-at = Anmelden unter
cli-first-email = E-Mail
cli-first-password = Passwort
cli-first-password-once = Dieses Passwort wird nur einmal angezeigt. Ändern Sie es nach der Anmeldung unter „Ihr Konto“.
cli-first-password-configured = (das konfigurierte initial_admin_password)
cli-run-mailbox = Postfach { $mailbox }: { $status }
cli-run-error = Fehler: { $error }
cli-run-col-folder = ORDNER
cli-run-col-server = SERVER
cli-run-col-archive = ARCHIV
cli-run-col-new = NEU
cli-run-col-duplicate = DUPLIKAT
cli-run-col-failed = FEHLER
cli-run-not-all-archived = ← nicht alles archiviert
cli-run-failed-uid = UID { $uid }: { $reason }
cli-run-skipped-uid = UID { $uid } übersprungen: { $reason }
cli-run-on-server = auf dem Server: { $tagged } markiert, { $moved } verschoben, { $deleted } gelöscht
cli-run-total = gesamt: { $archived } neu, { $duplicates } Duplikate, { $skipped } übersprungen, { $failed } fehlgeschlagen
cli-verify-checked = { $blobs } Blobs ({ $megabytes } MB Mail), { $messages } Nachrichten, { $locations } Fundorte, { $entries } Ledger-Einträge in { $seconds } s geprüft ({ $rate } MB/s)
cli-verify-head = Ledger-Kopf: Eintrag { $seq } { $hash }
cli-verify-problems = Die Prüfung hat { $count ->
        [one] { $count } Problem
       *[other] { $count } Probleme
    } gefunden
cli-test-mail-sent = Testmail an { $to } über { $server } verschickt
