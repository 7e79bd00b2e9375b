# Admin → Retention: policies, legal holds and the deletion they allow.

retention-title = Retention and legal hold
retention-intro = Mail no policy covers is kept for good. A copy may be deleted once every policy covering it has run out and no hold keeps it; a message goes with its last copy. Nothing is deleted until you apply.
retention-loading = Loading…
retention-summary-kept = Kept: { $held } under legal hold, { $kept } still within retention, { $uncovered } not covered by any policy.
retention-summary-deleted = Deleted { $copies ->
        [one] { $copies } copy
       *[other] { $copies } copies
    } ({ $messages ->
        [one] { $messages } message
       *[other] { $messages } messages
    } entirely). { $kept }
retention-summary-deletable = { $copies ->
        [one] { $copies } copy
       *[other] { $copies } copies
    } may be deleted now ({ $messages ->
        [one] { $messages } message
       *[other] { $messages } messages
    } entirely). { $kept }
retention-deletion = Deletion
retention-preview = Preview what may be deleted
retention-confirm-apply = Delete every copy the policies have released and no hold keeps? This cannot be undone; each deletion is recorded in the ledger and the audit log.
retention-deleting = Deleting…
retention-delete-now = Delete now
retention-policies = Retention policies
retention-no-policy-title = No retention policy
retention-no-policy-text = All mail is kept. Add a policy, e.g. 10 years from the message date (GoBD, HGB §257).
retention-column-name = Name
retention-column-covers = Covers
retention-column-keeps = Keeps
retention-column-added = Added
retention-add-policy-title = Add a policy
retention-name = Name
retention-name-placeholder = GoBD 10 years
retention-keep-years = Keep for (years)
retention-counted-from = Counted from
retention-basis-message-date = the message date
retention-basis-archive-date = the archive date
retention-mailbox = Mailbox
retention-all-mailboxes = All mailboxes
retention-folder = Folder (optional)
retention-folder-placeholder = Finance — with its subfolders
retention-label = Label (optional)
retention-add-policy = Add policy
retention-from-message-date = message date
retention-from-archive-date = archive date
retention-keeps = { $years ->
    [one] { $years } year from the { $from }
   *[other] { $years } years from the { $from }
}
retention-by = { $date } by { $who }
retention-confirm-remove = Remove the policy { $name }? What only it covered is then kept.
retention-remove = Remove
retention-holds = Legal holds
retention-holds-intro = Held mail is never deleted, whatever the policies say. Holds and their release are recorded with a reason.
retention-no-holds = No legal holds.
retention-column-holds = Holds
retention-column-reason = Reason
retention-column-placed = Placed
retention-column-state = State
retention-place-hold-title = Place a hold
retention-hold = Hold
retention-hold-mailbox = a whole mailbox
retention-hold-query = what a search finds (now and later)
retention-hold-messages = these messages
retention-search = Search
retention-message-ids = Message ids
retention-reason = Reason
retention-reason-placeholder = Case 2026-17, request of the tax office
retention-place-hold = Place hold
retention-released = Released { $date } by { $who }: { $reason }
retention-active = Active
retention-release-placeholder = Why release it?
retention-release-label = Reason to release
retention-release = Release
