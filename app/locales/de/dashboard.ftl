# The dashboard: figures, mailboxes that need attention, archive integrity.

dashboard-title = Übersicht
dashboard-loading = Zahlen werden geladen…
dashboard-users = Benutzer
dashboard-mailboxes = Postfächer
dashboard-messages-archived = Archivierte Nachrichten
dashboard-original-size = Originalgröße
dashboard-last-day = Letzte 24 Stunden
dashboard-empty-title = Noch nichts archiviert
dashboard-empty-intro = Tresor bewahrt eine bytegenaue, fälschungssichere Kopie jeder Nachricht der Postfächer auf, die Sie verbinden.
# Around the link to the mailboxes ("Mailboxes").
dashboard-step-connect-before = Verbinden Sie ein Postfach unter{" "}
dashboard-step-connect-after = {" "}(IMAP, Microsoft 365 oder Gmail).
dashboard-step-schedule = Wählen Sie die Ordner und einen Zeitplan; ab dann archiviert Tresor selbstständig.
dashboard-step-find-before = Unter{" "}
dashboard-step-find-link = Archiv
dashboard-step-find-after = {" "}finden, lesen und exportieren Sie Ihre Mails.
dashboard-attention = Braucht Aufmerksamkeit
dashboard-failing-since = fehlgeschlagen seit { $when }
dashboard-never = nie
dashboard-next-check = Nächste tägliche Prüfung: { $when }.
dashboard-checks-manual = Prüfungen laufen nur, wenn sie gestartet werden (die tägliche Prüfung ist ausgeschaltet).
dashboard-integrity-title = Integrität des Archivs
dashboard-verify-starting = Wird gestartet…
dashboard-verify-now = Jetzt prüfen
dashboard-verify-already = Eine Prüfung läuft bereits; sie umfasst die neuen Mails.
# Around the command `tresor verify`.
dashboard-not-verified-before = Noch nicht geprüft. Tresor hasht jede Nachricht neu und prüft das Hauptbuch einmal am Tag; starten Sie jetzt eine Prüfung oder führen Sie{" "}
dashboard-not-verified-after = {" "}auf dem Server aus.
dashboard-new-since-check = { $count ->
    [one] { $count } Nachricht, archiviert seit Beginn der letzten Prüfung, ist von ihr noch nicht erfasst.
   *[other] { $count } Nachrichten, archiviert seit Beginn der letzten Prüfung, sind von ihr noch nicht erfasst.
}
dashboard-last-clean = Letzte fehlerfreie Prüfung
dashboard-ledger-head = Kopf des Hauptbuchs
dashboard-ledger-entry = Eintrag { $seq }
dashboard-ledger-not-begun = noch nicht begonnen
dashboard-written-daily = Täglich geschrieben nach
dashboard-head-written = — zuletzt am { $when }
dashboard-head-note = Notieren Sie diesen Hash oder signieren Sie ihn anderswo: Jede spätere Prüfung vergleicht das Hauptbuch mit jedem dort geschriebenen Kopf, so fällt ein umgeschriebenes Hauptbuch auf.
dashboard-verified-clean = Fehlerfrei geprüft
# Follows "Verified clean".
dashboard-clean-details = { $count ->
    [one] am { $when }: { $count } Nachricht ({ $size }) neu gehasht, jeder Datensatz und jeder Eintrag des Hauptbuchs stimmte.
   *[other] am { $when }: { $count } Nachrichten ({ $size }) neu gehasht, jeder Datensatz und jeder Eintrag des Hauptbuchs stimmte.
}
dashboard-verifying-since = Prüfung läuft seit { $when }…
dashboard-check-findings = { $count ->
    [one] Die Prüfung am { $when } fand { $count } Problem.
   *[other] Die Prüfung am { $when } fand { $count } Probleme.
}
# Around the command `tresor verify`.
dashboard-findings-run-before = Führen Sie{" "}
dashboard-findings-run-after = {" "}auf dem Server aus, um die vollständige Liste zu sehen, und stellen Sie das Genannte aus einer Sicherung wieder her.
dashboard-check-failed = Die Prüfung am { $when } konnte nicht abgeschlossen werden.
