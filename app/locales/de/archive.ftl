# The archive's search page: search box, syntax help, filter chips, results.

archive-title = Archiv
archive-intro = Durchsuchen Sie alles, was aus den Postfächern archiviert wurde, die Sie sehen dürfen.
archive-searching = Suche läuft…
archive-search-label = Archiv durchsuchen
# The query words (from:, subject:, …) are the same in every language.
archive-search-placeholder = Wörter, "eine Wortgruppe", from:alice, subject:rechnung, has:attachment, after:2024-01-01 …
archive-order = Reihenfolge
archive-sort-newest = Neueste zuerst
archive-sort-oldest = Älteste zuerst
archive-sort-relevance = Beste Treffer
archive-search = Suchen
archive-syntax = Suchsyntax
archive-syntax-words = beide Wörter, irgendwo; Groß- und Kleinschreibung und Akzente spielen keine Rolle (Grüße findet grüsse)
archive-syntax-phrase = genau diese Wortgruppe
archive-syntax-header = in einem Kopffeld
archive-syntax-attachment = Namen von Anhängen; Nachrichten mit Anhängen
archive-syntax-date = Datum der Nachricht (ein Tag, ein Monat oder ein Jahr)
archive-syntax-where = wo sie archiviert wurde, und die Labels des Postfachs
archive-syntax-logic = eines von beiden; ohne; Gruppierung
archive-filters = Filter
archive-chip-attachments = Mit Anhängen
archive-chip-last-year = Letzte 12 Monate
archive-chip-mailbox = Postfach { $name }
archive-indexing-note = { $count ->
    [one] { $count } archivierte Nachricht wird noch indiziert und ist eventuell noch nicht auffindbar.
   *[other] { $count } archivierte Nachrichten werden noch indiziert und sind eventuell noch nicht auffindbar.
}
archive-empty-indexing-title = Mails werden indiziert
archive-empty-indexing = { $count ->
    [one] { $count } archivierte Nachricht wird durchsuchbar gemacht; sie erscheint hier in wenigen Augenblicken. Laden Sie die Seite neu, um sie zu sehen.
   *[other] { $count } archivierte Nachrichten werden durchsuchbar gemacht; sie erscheinen hier in wenigen Augenblicken. Laden Sie die Seite neu, um sie zu sehen.
}
archive-empty-title = Das Archiv ist leer
archive-empty-body = Sobald ein Postfach archiviert ist, können seine Nachrichten hier durchsucht, gelesen, exportiert und wiederhergestellt werden.
# Around the link to the mailboxes.
archive-empty-start-before = Verbinden Sie zuerst ein Postfach unter{" "}
archive-empty-start-link = Postfächer
archive-empty-start-after = .
archive-nothing-found-title = Nichts gefunden
archive-nothing-found = Keine Nachricht, die Sie sehen dürfen, passt zu dieser Suche. Versuchen Sie weniger Wörter, oder prüfen Sie die Schreibweise der Namen bei from: und mailbox:.
# "1–50 of 1,204 messages"; the end-to-end tests read "of 1 messages", so no plural here.
archive-result-count = { $total ->
    [one] { $first }–{ $last } von { $total } Nachricht
   *[other] { $first }–{ $last } von { $total } Nachrichten
}
archive-selected = { $count } ausgewählt:
archive-restore-selected = Wiederherstellen…
# Followed by the size of the selection, " (1.4 MB)".
archive-download-zip = .zip herunterladen
archive-download-mbox = .mbox herunterladen
archive-export-all = Alle { $count } als .zip exportieren
archive-export-all-mbox = als .mbox
archive-select-all = Alle auf dieser Seite auswählen
archive-select = Auswählen
archive-col-from = Von
archive-col-subject = Betreff
archive-col-date = Datum
archive-pages = Seiten
archive-newer-page = ← Neuere Seite
archive-next-page = Nächste Seite →
archive-undated = ohne Datum
archive-no-subject = (kein Betreff)
archive-has-attachments = Hat Anhänge
