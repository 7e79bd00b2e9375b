# Archiving runs: status words, live progress, history, the job log.

jobs-status-running = Läuft
jobs-status-succeeded = Erfolgreich
jobs-status-failed = Fehlgeschlagen
jobs-connecting = Verbinden und Ordner auflisten…
jobs-running-title = Läuft
# Follows the folder's name.
jobs-folder-of = — Ordner { $current } von { $total }
jobs-progress = { $done } von { $total } Nachrichten in diesem Ordner · bisher { $archived } archiviert, { $duplicates } Duplikate · { $rate } Nachrichten/s
jobs-col-started = Gestartet
jobs-col-duration = Dauer
jobs-col-result = Ergebnis
jobs-col-archived = Archiviert
jobs-col-duplicates = Duplikate
jobs-col-failed = Fehlgeschlagen
jobs-col-folder = Ordner
jobs-col-on-server = Auf dem Server
jobs-col-in-archive = Im Archiv
jobs-col-new = Neu
jobs-col-skipped = Übersprungen
jobs-col-reconciled = Abgeglichen
jobs-duration-running = läuft
jobs-no-folder = Kein Ordner wurde archiviert.
jobs-folders = Ordner ({ $count })
jobs-throttled = { $count ->
    [one] Microsoft Graph hat den Lauf einmal warten lassen; er hat wie verlangt gewartet.
   *[other] Microsoft Graph hat den Lauf { $count }-mal warten lassen; er hat wie verlangt gewartet.
}
jobs-reconciled-yes = ✓ vollständig
jobs-reconciled-no = ✗ unvollständig
jobs-messages-in-detail = { $count ->
    [one] { $count } Nachricht aus { $folder } im Einzelnen
   *[other] { $count } Nachrichten aus { $folder } im Einzelnen
}
jobs-uid-failed = UID { $uid } fehlgeschlagen: { $reason }
jobs-uid-skipped = UID { $uid } übersprungen: { $reason }
# Followed by the link "archived message 42".
jobs-uid-duplicate = UID { $uid } ist ein Duplikat von{" "}
jobs-archived-message = archivierter Nachricht { $id }
jobs-more-duplicates = { $count ->
    [one] { $count } weiteres Duplikat ist gezählt, aber nicht aufgeführt.
   *[other] { $count } weitere Duplikate sind gezählt, aber nicht aufgeführt.
}
