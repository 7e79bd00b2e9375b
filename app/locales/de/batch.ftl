# Verwaltung → Stapelarchivierung: über einen Master-Benutzer oder eine CSV-Liste.

batch-title = Stapelarchivierung
batch-intro = Viele Postfächer auf einmal einrichten. Jedes bekommt einen eigenen Archivierungsauftrag, der dem Benutzer gehört, dessen Nachrichten es enthält; erste Läufe starten im Rahmen der gleichzeitig erlaubten Läufe.
batch-loading = Wird geladen …
batch-template = Weitere Einstellungen aus Vorlage
batch-template-none = Keine (Standardwerte von Tresor)
batch-template-help = Ordner, Aktion nach dem Archivieren, Duplikate, Etiketten und Zeitplan.
batch-master-title = Über einen Master-Benutzer
batch-master-intro = Eine privilegierte Anmeldung, die das Postfach jedes Benutzers öffnen darf (Dovecot-Master-Benutzer, Exchange-Identitätswechsel). Für jeden ausgewählten Tresor-Benutzer wird ein Postfach angelegt.
batch-host = Server
batch-port = Port
batch-security = Sicherheit
batch-ca-file = CA-Datei auf dem Tresor-Server
batch-master-user = Master-Benutzer
batch-master-password = Master-Passwort
batch-identity = Für jeden Benutzer anmelden als
batch-identity-address = seine E-Mail-Adresse
batch-identity-local-part = der Teil vor dem @
batch-identity-username = sein Tresor-Benutzername
batch-users = Benutzer
batch-users-all = Alle Benutzer mit Adresse
batch-users-all-except = Alle außer …
batch-users-only = Nur …
batch-addresses = E-Mail-Adressen
batch-run-now = Die ersten Läufe jetzt starten
batch-creating = Wird angelegt …
batch-create = Postfächer anlegen
batch-csv-title = Aus einer Liste (CSV)
batch-csv-intro = Ein Postfach pro Zeile. Die erste Zeile nennt die Spalten: E-Mail-Adresse (Pflicht), Passwort und wahlweise Server, Port, Sicherheit, Benutzername, Postfachname, Ordner, Zeitplan. Getrennt durch ; , | oder Tabulator, wie Tabellenprogramme es exportieren. Benutzer, die es noch nicht gibt, werden angelegt.
batch-csv-file = Datei
batch-csv-list = Liste
batch-csv-placeholder =
    E-Mail;Passwort;Server
    anna@example.com;geheim;imap.example.com
batch-csv-reading = Wird gelesen …
batch-csv-preview = Vorschau
batch-csv-import = { $count ->
    [one] { $count } Postfach importieren
   *[other] { $count } Postfächer importieren
}
batch-separator-semicolon = Semikolon
batch-separator-comma = Komma
batch-separator-pipe = senkrechten Strich
batch-separator-tab = Tabulator
batch-csv-columns = Getrennt durch { $separator }. Spalten: { $columns }
batch-csv-column = { $header } → { $meaning }
batch-csv-column-ignored = { $header } (ignoriert)
batch-csv-importable = { $total ->
    [one] { $valid } von { $total } Zeile kann importiert werden
   *[other] { $valid } von { $total } Zeilen können importiert werden
}
batch-csv-rejected = { $count ->
    [one] ; { $count } muss in der Datei korrigiert werden (für sie wird nichts gespeichert).
   *[other] ; { $count } müssen in der Datei korrigiert werden (für sie wird nichts gespeichert).
}
batch-csv-line = Zeile
batch-csv-email = E-Mail
batch-csv-mailbox = Postfach
batch-csv-server = Server
batch-csv-problems = Probleme
batch-csv-new-user = neuer Benutzer
batch-report = { $created ->
        [one] { $created } Postfach angelegt
       *[other] { $created } Postfächer angelegt
    }, { $skipped } übersprungen, { $failed } fehlgeschlagen; { $queued ->
        [one] { $queued } erster Lauf eingeplant.
       *[other] { $queued } erste Läufe eingeplant.
    }
batch-report-for = Für
batch-report-mailbox = Postfach
batch-report-result = Ergebnis
batch-outcome-created = Angelegt
batch-outcome-skipped = Übersprungen
batch-outcome-failed = Fehlgeschlagen
batch-user-created = Benutzer angelegt
batch-user-invited = per Mail eingeladen
batch-csv-invite = { $count ->
    [one] Den neuen Benutzer
   *[other] Die { $count } neuen Benutzer
  } per Mail einladen, ein eigenes Passwort zu wählen
