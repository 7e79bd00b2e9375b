# Restore: putting copies of archived messages back on a mail server.

restore-title = Restore
restore-intro = Puts a copy back on the mail server, with its flags and date. The archive keeps its copy.
restore-where = Where to
restore-to-origin = Back into the folder it came from
restore-elsewhere = Into another folder
restore-mailbox = Mailbox
restore-folder = Folder
restore-force = Restore anyway where the folder already holds a copy
restore-restoring = Restoring…
restore-button = Restore
# $place is "mailbox / folder".
restore-question-to = { $count ->
    [one] Restore { $count } message to { $place }?
   *[other] Restore { $count } messages to { $place }?
}
restore-question-some = { $count ->
    [one] Restore { $seen } of { $count } message to { $place }?
   *[other] Restore { $seen } of { $count } messages to { $place }?
}
# $places lists restore-place-count, separated by commas.
restore-question-each = { $count ->
    [one] Restore { $count } message, each to the folder it came from: { $places }?
   *[other] Restore { $count } messages, each to the folder it came from: { $places }?
}
restore-place-count = { $count } to { $place }
restore-without-origin = { $count ->
    [one] { $count } message has no folder of yours to go back to; restore it into another folder.
   *[other] { $count } messages have no folder of yours to go back to; restore them into another folder.
}
# The parts of the summary are joined by commas and end with a full stop.
restore-summary-restored = Restored { $count }
restore-summary-skipped = skipped { $count } already there (tick "Restore anyway" to add another copy)
restore-summary-failed = { $count } failed
restore-message-number = Message { $id }
restore-line-restored = { $subject }: restored to { $place }
restore-line-skipped = { $subject }: skipped, { $place } already holds a copy
restore-line-failed = { $subject }: not restored: { $reason }
