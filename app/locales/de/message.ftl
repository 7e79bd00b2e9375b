# One archived message: headers, body, attachments, integrity, conversation.

message-title = Nachricht
message-loading = Nachricht wird geladen…
message-back-to-archive = Zurück zum Archiv
message-archive-link = ← Archiv
message-no-subject = (kein Betreff)
message-no-date = kein Datum
message-download-eml = .eml herunterladen ({ $size })
message-permalink = Permalink
message-permalink-title = Ein Link auf diese Nachricht, der für alle funktioniert, die sie lesen dürfen
# Followed by the link "show it".
message-newer-revision = Eine neuere Fassung dieser Nachricht wurde archiviert:{" "}
message-older-revision = Diese Nachricht ersetzt eine frühere Fassung, die aufbewahrt wird:{" "}
message-show-it = anzeigen
message-from = Von
message-to = An
message-cc = Cc
message-date = Datum
message-tab-text = Text
# Followed by the button "Load images".
message-remote-images-blocked = Externe Bilder sind zum Schutz Ihrer Privatsphäre blockiert.{" "}
message-load-images = Bilder laden
message-no-text-body = Diese Nachricht hat keinen Textteil.
message-body-title = Inhalt der Nachricht
message-attachments = Anhänge ({ $count })
message-parser-notes = { $count ->
    [one] { $count } Hinweis des Parsers (die Nachricht ist genau wie empfangen archiviert)
   *[other] { $count } Hinweise des Parsers (die Nachricht ist genau wie empfangen archiviert)
}
message-conversation = Unterhaltung ({ $count })
message-integrity = Integrität
message-integrity-note = Die archivierten Bytes sind unverändert unter ihrem SHA-256 gespeichert; der Download liefert genau diese Bytes.
message-size = Größe
message-archived = Archiviert
message-found-in = Gefunden in
# After "mailbox / folder ·".
message-location = UID { $uid } · archiviert { $when }
message-converted = Konvertiert
message-converted-from-file = Von Tresor aus der Outlook-Datei „{ $file }“ konvertiert: gespeichert sind die Bytes der Konvertierung, nicht die des Originals.
message-converted-from-folder = Von Tresor aus der Outlook-Datei „{ $file }“, Ordner „{ $folder }“, konvertiert: gespeichert sind die Bytes der Konvertierung, nicht die des Originals.
message-export-folder = Ordner exportieren
message-export-folder-title = Jede Nachricht dieses Ordners als .zip mit .eml-Dateien herunterladen
