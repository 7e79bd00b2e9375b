# The human output of the `tresor` command (its language: LC_ALL, LC_MESSAGES, LANG).

cli-running-at = Tresor is running at { $url }
cli-first-start = First start: created the administrator account.
cli-first-sign-in-at = Sign in at
cli-first-email = E-mail
cli-first-password = Password
cli-first-password-once = This password is shown only once. Change it under "Your account" after signing in.
cli-first-password-configured = (the configured initial_admin_password)
cli-run-mailbox = mailbox { $mailbox }: { $status }
cli-run-error = error: { $error }
cli-run-col-folder = FOLDER
cli-run-col-server = SERVER
cli-run-col-archive = ARCHIVE
cli-run-col-new = NEW
cli-run-col-duplicate = DUPLICATE
cli-run-col-failed = FAILED
cli-run-not-all-archived = ← not all archived
cli-run-failed-uid = UID { $uid }: { $reason }
cli-run-skipped-uid = UID { $uid } skipped: { $reason }
cli-run-on-server = on the server: { $tagged } tagged, { $moved } moved, { $deleted } deleted
cli-run-total = total: { $archived } new, { $duplicates } duplicates, { $skipped } skipped, { $failed } failed
cli-verify-checked = checked { $blobs } blobs ({ $megabytes } MB of mail), { $messages } messages, { $locations } locations, { $entries } ledger entries in { $seconds } s ({ $rate } MB/s)
cli-verify-head = ledger head: entry { $seq } { $hash }
cli-verify-problems = verify found { $count ->
        [one] { $count } problem
       *[other] { $count } problems
    }
cli-test-mail-sent = test mail sent to { $to } via { $server }
