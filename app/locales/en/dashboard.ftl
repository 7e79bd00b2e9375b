# The dashboard: figures, mailboxes that need attention, archive integrity.

dashboard-title = Dashboard
dashboard-loading = Loading figures…
dashboard-users = Users
dashboard-mailboxes = Mailboxes
dashboard-messages-archived = Messages archived
dashboard-original-size = Original size
dashboard-last-day = Last 24 hours
dashboard-empty-title = Nothing archived yet
dashboard-empty-intro = Tresor keeps a byte-exact, tamper-evident copy of every message of the mailboxes you connect.
# Around the link to the mailboxes ("Mailboxes").
dashboard-step-connect-before = Connect a mailbox under{" "}
dashboard-step-connect-after = {" "}(IMAP, Microsoft 365 or Gmail).
dashboard-step-schedule = Choose the folders and a schedule; Tresor archives unattended from then on.
dashboard-step-find-before = Find, read and export your mail under{" "}
dashboard-step-find-link = Archive
dashboard-step-find-after = .
dashboard-attention = Needs attention
dashboard-failing-since = failing since { $when }
dashboard-never = never
dashboard-next-check = Next daily check: { $when }.
dashboard-checks-manual = Checks run only when started (the daily check is switched off).
dashboard-integrity-title = Archive integrity
dashboard-verify-starting = Starting…
dashboard-verify-now = Verify now
dashboard-verify-already = A check is going on already; it covers the new mail.
# Around the command `tresor verify`.
dashboard-not-verified-before = Not verified yet. Tresor re-hashes every message and checks the ledger once a day; start one now, or run{" "}
dashboard-not-verified-after = {" "}on the server.
dashboard-new-since-check = { $count ->
    [one] { $count } message archived since the last check began is not covered by it yet.
   *[other] { $count } messages archived since the last check began are not covered by it yet.
}
dashboard-last-clean = Last clean check
dashboard-ledger-head = Ledger head
dashboard-ledger-entry = entry { $seq }
dashboard-ledger-not-begun = not begun
dashboard-written-daily = Written daily to
dashboard-head-written = — last on { $when }
dashboard-head-note = Note this hash or sign it elsewhere: every later check compares the ledger with each head written there, so a rewritten ledger shows.
dashboard-verified-clean = Verified clean
# Follows "Verified clean".
dashboard-clean-details = { $count ->
    [one] on { $when }: { $count } message ({ $size }) re-hashed, every record and ledger entry matched.
   *[other] on { $when }: { $count } messages ({ $size }) re-hashed, every record and ledger entry matched.
}
dashboard-verifying-since = Verifying since { $when }…
dashboard-check-findings = { $count ->
    [one] The check on { $when } found { $count } problem.
   *[other] The check on { $when } found { $count } problems.
}
# Around the command `tresor verify`.
dashboard-findings-run-before = Run{" "}
dashboard-findings-run-after = {" "}on the server for the full list, and restore what it names from a backup.
dashboard-check-failed = The check on { $when } could not finish.
