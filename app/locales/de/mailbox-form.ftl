# Felder des Postfach-Formulars, die sich nicht lesen lassen (app/src/model/mailbox_form).

mailbox-form-no-mailbox = Das Formular bezieht sich auf kein Postfach; laden Sie die Seite neu.
mailbox-form-no-template = Wählen Sie eine Vorlage aus der Liste.
mailbox-form-not-inheritable = { $name } kann nicht aus einer Vorlage kommen; laden Sie die Seite neu.
mailbox-form-import-has-no-server = Importierte Nachrichten haben keinen Server, der gelesen wird; wählen Sie IMAP oder Microsoft Graph.
mailbox-form-port = Der Port muss eine Zahl zwischen 1 und 65535 sein.
mailbox-form-no-sign-in-app = Wählen Sie eine Anmelde-App aus der Liste.
mailbox-form-fingerprint = Ein SHA-256-Fingerabdruck besteht aus 64 Hexadezimalziffern (Doppelpunkte erlaubt); übernehmen Sie ihn aus „Verbindung testen“.
mailbox-form-message-size = Geben Sie eine Größe in MB ein, z. B. 50, oder lassen Sie das Feld leer.
mailbox-form-choice = Wählen Sie einen der angebotenen Werte ({ $reason }).
mailbox-form-days = Geben Sie eine Anzahl Tage ein oder lassen Sie das Feld leer.
mailbox-form-label = Zeile { $line }: Schreiben Sie ein Etikett als Schlüssel=Wert, z. B. kategorie=Rechnungen.
mailbox-form-max-connections = Erlauben Sie mindestens eine Verbindung.
mailbox-form-page-size = Geben Sie eine Seitengröße zwischen 1 und 1000 Nachrichten ein.
