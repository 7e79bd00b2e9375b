# Restore: putting copies of archived messages back on a mail server.

restore-title = Wiederherstellen
restore-intro = Legt eine Kopie mit ihren Markierungen und ihrem Datum wieder auf den Mailserver. Das Archiv behält seine Kopie.
restore-where = Wohin
restore-to-origin = Zurück in den Ordner, aus dem sie stammt
restore-elsewhere = In einen anderen Ordner
restore-mailbox = Postfach
restore-folder = Ordner
restore-force = Trotzdem wiederherstellen, wo der Ordner bereits eine Kopie enthält
restore-restoring = Wird wiederhergestellt…
restore-button = Wiederherstellen
# $place is "mailbox / folder".
restore-question-to = { $count ->
    [one] { $count } Nachricht nach { $place } wiederherstellen?
   *[other] { $count } Nachrichten nach { $place } wiederherstellen?
}
restore-question-some = { $count ->
    [one] { $seen } von { $count } Nachricht nach { $place } wiederherstellen?
   *[other] { $seen } von { $count } Nachrichten nach { $place } wiederherstellen?
}
# $places lists restore-place-count, separated by commas.
restore-question-each = { $count ->
    [one] { $count } Nachricht jeweils in ihren Herkunftsordner wiederherstellen: { $places }?
   *[other] { $count } Nachrichten jeweils in ihren Herkunftsordner wiederherstellen: { $places }?
}
restore-place-count = { $count } nach { $place }
restore-without-origin = { $count ->
    [one] { $count } Nachricht hat keinen Ordner von Ihnen, in den sie zurück kann; stellen Sie sie in einem anderen Ordner wieder her.
   *[other] { $count } Nachrichten haben keinen Ordner von Ihnen, in den sie zurück können; stellen Sie sie in einem anderen Ordner wieder her.
}
# The parts of the summary are joined by commas and end with a full stop.
restore-summary-restored = { $count } wiederhergestellt
restore-summary-skipped = { $count } übersprungen, weil schon vorhanden (setzen Sie „Trotzdem wiederherstellen“, um eine weitere Kopie anzulegen)
restore-summary-failed = { $count } fehlgeschlagen
restore-message-number = Nachricht { $id }
restore-line-restored = { $subject }: nach { $place } wiederhergestellt
restore-line-skipped = { $subject }: übersprungen, { $place } enthält bereits eine Kopie
restore-line-failed = { $subject }: nicht wiederhergestellt: { $reason }
